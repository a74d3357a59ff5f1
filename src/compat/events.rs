//! The tutorial's seven peer-connection event handlers, and what ours add under them: the
//! `removetrack` watch on the remote stream, the flush of buffered candidates, the ICE grace
//! period.

use alloc::format;

use crate::spawn::spawn_local;
use chat_core::Message;
use js_sys::Reflect;
use wasm_bindgen::prelude::*;
use web_sys::{MediaStream, RtcPeerConnection, RtcPeerConnectionIceEvent, RtcTrackEvent};

use super::{call_page, globals, log, log_error, pc, registry, report, send, video};
use crate::live;
use crate::rtc;

/// The handler of `event` when it fires on `target`: the connection it belongs to.
fn connection_of(event: &JsValue) -> Option<RtcPeerConnection> {
    Reflect::get(event, &"target".into()).ok()?.dyn_into().ok()
}

/// `negotiationneeded`: make and send an offer. Perfect negotiation
/// (https://developer.mozilla.org/en-US/docs/Web/API/WebRTC_API/Perfect_negotiation):
/// `makingOffer` is set while our offer is being made, so a colliding remote offer is seen as
/// such by `handleVideoOfferMsg`.
#[wasm_bindgen(js_name = handleNegotiationNeededEvent)]
pub async fn handle_negotiation_needed_event() {
    log("*** Negotiation needed");
    let Some(pc) = globals::peer() else { return };
    // The event is only queued in `stable`, but a remote offer may have arrived since; the
    // browser fires it again once back in `stable` if it is still needed (webrtc-pc, "update
    // the negotiation-needed flag").
    if pc::signaling_state(&pc) != "stable" {
        return log("     -- The connection isn't stable yet; postponing...");
    }
    registry::with(&pc, |s| s.making_offer = true);
    let result = pc::done(rtc::js(&pc).set_local_description_implicit()).await;
    registry::with(&pc, |s| s.making_offer = false);
    if let Err(e) = result {
        log("*** The following error occurred while handling the negotiationneeded event:");
        return report(&e);
    }
    let (Some(me), Some(target)) = (globals::my_username(), globals::target()) else {
        return log_error("negotiation needed, but there is nobody to send an offer to");
    };
    match rtc::local_description(&pc) {
        // Not an offer: a remote offer was applied meanwhile and this is its answer, which
        // `handleVideoOfferMsg` sends.
        Some(sdp) if sdp.kind == chat_core::SdpType::Offer && globals::is_current(&pc) => {
            log("---> Sending the offer to the remote peer");
            send(&Message::VideoOffer {
                name: me,
                target,
                sdp,
                call: None,
            });
        }
        _ => {}
    }
}

/// `icecandidate`: send it to the peer. Never without a target: the sample's server would
/// broadcast it.
#[wasm_bindgen(js_name = handleICECandidateEvent)]
pub fn handle_ice_candidate_event(
    #[wasm_bindgen(unchecked_param_type = "RTCPeerConnectionIceEvent")] event: JsValue,
) {
    let candidate = event
        .dyn_ref::<RtcPeerConnectionIceEvent>()
        .and_then(|e| e.candidate());
    let Some(candidate) = candidate.map(|c| rtc::candidate_of(&c)) else {
        return log("*** All local candidates sent");
    };
    let Some(target) = globals::target() else {
        return log_error("a local candidate, but no target to send it to");
    };
    log(&["*** Outgoing ICE candidate: ", &candidate.candidate].concat());
    send(&Message::NewIceCandidate {
        name: globals::my_username(),
        target,
        candidate,
        call: None,
    });
}

/// `track`: show the remote stream. Fires once per track (audio, video): idempotent (bug 7).
#[wasm_bindgen(js_name = handleTrackEvent)]
pub fn handle_track_event(#[wasm_bindgen(unchecked_param_type = "RTCTrackEvent")] event: JsValue) {
    log("*** Track event");
    let Some(video) = video("received_video") else {
        return;
    };
    let shown = video
        .src_object()
        .and_then(|s| s.dyn_into::<MediaStream>().ok());
    let Some(stream) =
        (event.dyn_ref::<RtcTrackEvent>()).and_then(|e| rtc::stream_of(e, shown.clone()))
    else {
        return;
    };
    if shown.as_ref().map(MediaStream::id) != Some(stream.id()) {
        video.set_src_object(Some(&stream));
    }
    super::set_disabled("hangup-button", false);
    if let Some(pc) = connection_of(&event) {
        watch_remote(&pc, &stream);
    }
}

/// `removetrack` fires on the remote `MediaStream`, not on the peer connection (bug 8): ours
/// listen there, and call the page's `handleRemoveTrackEvent`. Once per stream.
pub(super) fn watch_remote(pc: &RtcPeerConnection, stream: &MediaStream) {
    let id = stream.id();
    registry::with(pc, |s| {
        if s.remote.as_ref().is_some_and(|(watched, _)| *watched == id) {
            return;
        }
        let listener = live::listen(stream, "removetrack", |e| {
            call_page("handleRemoveTrackEvent", &[e]);
        });
        s.remote = Some((id, listener));
    });
}

/// The remote stream lost a track: the call is over once it has none left.
#[wasm_bindgen(js_name = handleRemoveTrackEvent)]
pub fn handle_remove_track_event(
    #[wasm_bindgen(unchecked_param_type = "MediaStreamTrackEvent")] _event: JsValue,
) {
    let tracks = video("received_video")
        .and_then(|v| v.src_object())
        .and_then(|s| s.dyn_into::<MediaStream>().ok())
        .map_or(0, |s| s.get_tracks().length());
    if tracks == 0 {
        call_page("closeVideoCall", &[]);
    }
}

/// `iceconnectionstatechange`. `disconnected` often recovers by itself (a Wi-Fi blip): the
/// call gets the core's grace period before it ends (the tutorial hung up at once, bug 4).
#[wasm_bindgen(js_name = handleICEConnectionStateChangeEvent)]
pub fn handle_ice_connection_state_change_event(
    #[wasm_bindgen(unchecked_param_type = "Event")] _event: JsValue,
) {
    let Some(pc) = globals::peer() else { return };
    let state = pc::ice_connection_state(&pc);
    log(&["*** ICE connection state changed to ", &state].concat());
    if let Some(ice) = crate::states::ice_connection(&state) {
        let watched = pc.clone();
        registry::with(&pc, move |s| match s.grace.ice_state(ice) {
            Some(ms) => {
                s.grace_timer = Some(live::timeout(ms, move || {
                    let over = registry::with(&watched, |s| s.grace.over());
                    if over == Some(true) && globals::is_current(&watched) {
                        end_failed();
                    }
                }))
            }
            None if !s.grace.waiting() => s.grace_timer = None,
            None => {}
        });
    }
    match state.as_str() {
        "failed" => end_failed(),
        "closed" => call_page("closeVideoCall", &[]),
        _ => {}
    }
}

/// The connection is lost: tell the peer, then close.
fn end_failed() {
    end_telling_peer(Some("failed"));
}

/// Ends the call on our side: tells the peer (why, if `reason`), addressed by name (never a
/// broadcast) if it knows about the call, then closes through the page's `closeVideoCall`.
pub(super) fn end_telling_peer(reason: Option<&str>) {
    let target = globals::target();
    if target.is_some() && globals::peer().is_some_and(|pc| pc::peer_knows(&pc)) {
        send(&super::call::hang_up(target, reason));
    }
    call_page("closeVideoCall", &[]);
}

#[wasm_bindgen(js_name = handleICEGatheringStateChangeEvent)]
pub fn handle_ice_gathering_state_change_event(
    #[wasm_bindgen(unchecked_param_type = "Event")] _event: JsValue,
) {
    if let Some(pc) = globals::peer() {
        log(&[
            "*** ICE gathering state changed to: ",
            &pc::ice_gathering_state(&pc),
        ]
        .concat());
    }
}

#[wasm_bindgen(js_name = handleSignalingStateChangeEvent)]
pub fn handle_signaling_state_change_event(
    #[wasm_bindgen(unchecked_param_type = "Event")] _event: JsValue,
) {
    let Some(pc) = globals::peer() else { return };
    let state = pc::signaling_state(&pc);
    log(&["*** WebRTC signaling state changed to: ", &state].concat());
    if state == "closed" {
        call_page("closeVideoCall", &[]);
    }
}

/// Makes sure buffered candidates are applied once `pc` has a remote description, whoever sets
/// it (our `handleVideoOfferMsg`, or a JavaScript one that knows nothing of the buffer).
pub(super) fn watch_flush(pc: &RtcPeerConnection) {
    let watched = pc.clone();
    registry::with(pc, move |s| {
        if s.flush.is_none() {
            s.flush = Some(live::listen(
                &watched.clone(),
                "signalingstatechange",
                move |_| flush(&watched),
            ));
        }
    });
}

/// Applies the buffered candidates of the current peer, if `pc` can take them now.
pub(super) fn flush(pc: &RtcPeerConnection) {
    if !pc::has_remote_description(pc) || !globals::is_current(pc) {
        return;
    }
    let peer = globals::target();
    let candidates = registry::early(|b| b.take(peer.as_deref(), None));
    if candidates.is_empty() {
        return;
    }
    log(&format!(
        "applying {} buffered ICE candidates",
        candidates.len()
    ));
    let pc = pc.clone();
    spawn_local(async move {
        for candidate in candidates {
            if let Err(e) = pc::done(rtc::add_ice_candidate(&pc, &candidate)).await {
                candidate_failed(&pc, &e);
            }
        }
    });
}

/// A candidate the connection refused: reported, unless it belongs to an offer we ignored.
pub(super) fn candidate_failed(pc: &RtcPeerConnection, e: &JsValue) {
    if registry::with(pc, |s| s.ignore_offer) != Some(true) {
        report(e);
    }
}
