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
    use OfferCollision::{Ignore, RollBack};
    use SignalingState::{HaveLocalOffer, Stable};

    #[test]
    fn mdns_ready_for_offer_and_only_the_impolite_side_ignores() {
        // (making_offer, signaling, answer_pending) -> (impolite, polite)
        let table = [
            // Stable and idle: take the offer.
            (
                (false, Stable, false),
                (OfferCollision::None, OfferCollision::None),
            ),
            // Our offer is being made, or is out: a collision.
            ((true, Stable, false), (Ignore, RollBack)),
            ((false, HaveLocalOffer, false), (Ignore, RollBack)),
            // An answer being applied counts as stable, but not while we make a new offer.
            (
                (false, HaveLocalOffer, true),
                (OfferCollision::None, OfferCollision::None),
            ),
            ((true, HaveLocalOffer, true), (Ignore, RollBack)),
        ];
        for ((making, state, answering), (impolite, polite)) in table {
            let case = format!("making {making}, {state:?}, answering {answering}");
            assert_eq!(
                offer_collision(false, making, state, answering),
                impolite,
                "{case}"
            );
            assert_eq!(
                offer_collision(true, making, state, answering),
                polite,
                "{case}"
            );
        }
    }
}
