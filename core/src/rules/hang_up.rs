//! What the person is told when the peer ends the call: the `reason` extension of `hang-up`
//! (docs/protocol.md, "Our extensions") in words, and as the core's [`EndReason`].

use crate::call::EndReason;

/// Why a hang-up from `peer` with `reason` (none from the sample's clients) ended the call,
/// and the notice the person sees.
pub fn hang_up_ending(peer: &str, reason: Option<&str>) -> (EndReason, String) {
    match reason {
        Some("busy") => (EndReason::PeerBusy, format!("{peer} is busy.")),
        Some("declined") => (
            EndReason::PeerDeclined,
            format!("{peer} declined the call."),
        ),
        Some("media") => (
            EndReason::PeerMedia,
            format!("{peer} could not start their camera or microphone."),
        ),
        Some("lost" | "failed" | "error") => (
            EndReason::PeerFailed,
            format!("The call with {peer} failed."),
        ),
        // Our relay's hang-up for a peer whose connection closed (tab closed, network gone).
        Some("gone") => (EndReason::PeerLeft, format!("{peer} left.")),
        // Its ringing timed out before ours.
        Some("timeout") => (EndReason::Timeout, format!("{peer} did not answer.")),
        _ => (EndReason::PeerHungUp, format!("{peer} hung up.")),
    }
}

/// The notice alone (compat's `handleHangUpMsg`).
pub fn hang_up_notice(peer: &str, reason: Option<&str>) -> String {
    hang_up_ending(peer, reason).1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_reason_in_words() {
        assert_eq!(hang_up_notice("bob", Some("busy")), "bob is busy.");
        assert_eq!(
            hang_up_notice("bob", Some("lost")),
            "The call with bob failed."
        );
        assert_eq!(hang_up_notice("bob", None), "bob hung up.");
        assert_eq!(hang_up_notice("bob", Some("what")), "bob hung up.");
    }
}
