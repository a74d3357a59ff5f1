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

/// Whether a colliding offer waits before it rolls our own offer back (docs/glare.md):
/// Chromium leaves a connection's ICE gathering stuck for good when a local offer is rolled
/// back after its gathering started and before it surfaced a candidate. So the polite side
/// waits, with its offer being made or out (`ours_out`), until the first local candidate or the
/// end of gathering, then applies the peer's offer.
pub fn defer_rollback(
    collision: OfferCollision,
    ours_out: bool,
    local_candidate: bool,
    gathering_complete: bool,
) -> bool {
    collision == OfferCollision::RollBack && ours_out && !local_candidate && !gathering_complete
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

    #[test]
    fn only_a_rollback_of_an_offer_with_nothing_gathered_waits() {
        // (collision, ours_out, local_candidate, gathering_complete) -> waits
        let table = [
            ((RollBack, true, false, false), true),
            ((RollBack, true, true, false), false),
            ((RollBack, true, false, true), false),
            ((RollBack, false, false, false), false),
            ((Ignore, true, false, false), false),
            ((OfferCollision::None, true, false, false), false),
        ];
        for ((collision, out, candidate, complete), waits) in table {
            assert_eq!(
                defer_rollback(collision, out, candidate, complete),
                waits,
                "{collision:?}, ours out {out}, candidate {candidate}, complete {complete}"
            );
        }
    }
}
