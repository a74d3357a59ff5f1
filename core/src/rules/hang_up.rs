//! What the person is told when the peer ends the call: the `reason` extension of `hang-up`
//! (docs/protocol.md, "Our extensions") in words, and as the core's [`EndReason`].

use alloc::string::String;

use crate::call::EndReason;
use crate::text::{Key, Lang, Text};

/// Why a hang-up from `peer` with `reason` (none from the sample's clients) ended the call,
/// and the notice the person sees.
pub fn hang_up_ending(peer: &str, reason: Option<&str>) -> (EndReason, Text) {
    let (reason, key) = match reason {
        Some("busy") => (EndReason::PeerBusy, Key::PeerBusy),
        Some("declined") => (EndReason::PeerDeclined, Key::PeerDeclined),
        Some("media") => (EndReason::PeerMedia, Key::PeerMedia),
        Some("lost" | "failed" | "error") => (EndReason::PeerFailed, Key::CallFailed),
        // Our relay's hang-up for a peer whose connection closed (tab closed, network gone).
        Some("gone") => (EndReason::PeerLeft, Key::PeerLeft),
        // Its ringing timed out before ours.
        Some("timeout") => (EndReason::Timeout, Key::PeerNoAnswer),
        _ => (EndReason::PeerHungUp, Key::PeerHungUp),
    };
    (reason, Text::peer(key, peer))
}

/// The notice alone, in English (compat's `handleHangUpMsg`).
pub fn hang_up_notice(peer: &str, reason: Option<&str>) -> String {
    hang_up_ending(peer, reason).1.render(Lang::En)
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
        assert_eq!(
            hang_up_ending("bob", Some("busy")).1.render(Lang::Ko),
            "bob 님은 통화 중이에요."
        );
    }
}
