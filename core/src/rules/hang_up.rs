//! What the person is told when the peer ends the call: the `reason` extension of `hang-up`
//! (PROTOCOL.md) in words.

/// The notice for a hang-up from `peer` with `reason` (none from the sample's clients).
pub fn hang_up_notice(peer: &str, reason: Option<&str>) -> String {
    match reason {
        Some("busy") => format!("{peer} is busy."),
        Some("declined") => format!("{peer} declined the call."),
        Some("media") => format!("{peer} could not start their camera or microphone."),
        Some("lost" | "failed" | "error") => format!("The call with {peer} failed."),
        // Our relay's hang-up for a peer whose connection closed (tab closed, network gone).
        Some("gone") => format!("{peer} left."),
        _ => format!("{peer} hung up."),
    }
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
