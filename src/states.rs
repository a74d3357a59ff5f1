//! The browser's state strings (`iceConnectionState` & co.) to the core's enums and back.

use chat_core::call::{CallPhase, IceConnectionState, IceGatheringState, SignalingState};

pub(crate) fn ice_connection(s: &str) -> Option<IceConnectionState> {
    use IceConnectionState::*;
    Some(match s {
        "new" => New,
        "checking" => Checking,
        "connected" => Connected,
        "completed" => Completed,
        "disconnected" => Disconnected,
        "failed" => Failed,
        "closed" => Closed,
        _ => return None,
    })
}

pub(crate) fn ice_connection_str(s: IceConnectionState) -> &'static str {
    use IceConnectionState::*;
    match s {
        New => "new",
        Checking => "checking",
        Connected => "connected",
        Completed => "completed",
        Disconnected => "disconnected",
        Failed => "failed",
        Closed => "closed",
    }
}

pub(crate) fn ice_gathering(s: &str) -> Option<IceGatheringState> {
    use IceGatheringState::*;
    Some(match s {
        "new" => New,
        "gathering" => Gathering,
        "complete" => Complete,
        _ => return None,
    })
}

pub(crate) fn ice_gathering_str(s: IceGatheringState) -> &'static str {
    use IceGatheringState::*;
    match s {
        New => "new",
        Gathering => "gathering",
        Complete => "complete",
    }
}

pub(crate) fn signaling(s: &str) -> Option<SignalingState> {
    use SignalingState::*;
    Some(match s {
        "stable" => Stable,
        "have-local-offer" => HaveLocalOffer,
        "have-remote-offer" => HaveRemoteOffer,
        "have-local-pranswer" => HaveLocalPranswer,
        "have-remote-pranswer" => HaveRemotePranswer,
        "closed" => Closed,
        _ => return None,
    })
}

pub(crate) fn signaling_str(s: SignalingState) -> &'static str {
    use SignalingState::*;
    match s {
        Stable => "stable",
        HaveLocalOffer => "have-local-offer",
        HaveRemoteOffer => "have-remote-offer",
        HaveLocalPranswer => "have-local-pranswer",
        HaveRemotePranswer => "have-remote-pranswer",
        Closed => "closed",
    }
}

/// `data-call` of the status line (page contract).
pub(crate) fn phase_str(p: CallPhase) -> &'static str {
    match p {
        CallPhase::Idle => "idle",
        CallPhase::StartingMedia => "starting-media",
        CallPhase::Connecting => "connecting",
        CallPhase::Connected => "connected",
        CallPhase::Reconnecting => "reconnecting",
        CallPhase::Ringing => "ringing",
        CallPhase::Calling => "calling",
    }
}
