//! Perfect negotiation's rule for a remote offer
//! (https://developer.mozilla.org/en-US/docs/Web/API/WebRTC_API/Perfect_negotiation), which
//! makes glare safe (PROTOCOL bug 3: the tutorial's clients both rolled back and deadlocked).

use crate::call::SignalingState;

/// What a remote offer meets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OfferCollision {
    /// We are ready for it: apply it and answer.
    None,
    /// It collides with an offer of ours and we are the impolite side: ignore it (its
    /// candidates will then fail to apply, which is expected).
    Ignore,
    /// It collides and we are the polite side: apply it anyway (`setRemoteDescription` rolls
    /// our own offer back) and answer.
    RollBack,
}

/// MDN's `readyForOffer = !makingOffer && (stable || isSettingRemoteAnswerPending)`; a
/// collision is ignored by the impolite side only.
///
/// `making_offer`: our `setLocalDescription()` for an offer is under way. `answer_pending`:
/// a `setRemoteDescription(answer)` is under way (its `stable` is as good as reached).
pub fn offer_collision(
    polite: bool,
    making_offer: bool,
    signaling: SignalingState,
    answer_pending: bool,
) -> OfferCollision {
    let ready = !making_offer && (signaling == SignalingState::Stable || answer_pending);
    match (ready, polite) {
        (true, _) => OfferCollision::None,
        (false, false) => OfferCollision::Ignore,
        (false, true) => OfferCollision::RollBack,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use SignalingState::*;

    #[test]
    fn stable_and_idle_takes_the_offer() {
        for polite in [false, true] {
            assert_eq!(
                offer_collision(polite, false, Stable, false),
                OfferCollision::None
            );
        }
    }

    #[test]
    fn our_offer_under_way_collides_and_only_the_impolite_side_ignores() {
        assert_eq!(
            offer_collision(false, true, Stable, false),
            OfferCollision::Ignore
        );
        assert_eq!(
            offer_collision(true, true, Stable, false),
            OfferCollision::RollBack
        );
        assert_eq!(
            offer_collision(false, false, HaveLocalOffer, false),
            OfferCollision::Ignore
        );
        assert_eq!(
            offer_collision(true, false, HaveLocalOffer, false),
            OfferCollision::RollBack
        );
    }

    #[test]
    fn an_answer_being_applied_counts_as_stable() {
        assert_eq!(
            offer_collision(false, false, HaveLocalOffer, true),
            OfferCollision::None
        );
        // But not while we make a new offer.
        assert_eq!(
            offer_collision(false, true, HaveLocalOffer, true),
            OfferCollision::Ignore
        );
    }
}
