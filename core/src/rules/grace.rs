//! The ICE-disconnected grace period (PROTOCOL bug 4: the tutorial hung up at once).
//! `disconnected` often recovers by itself (a Wi-Fi blip): the call gets
//! [`ICE_DISCONNECTED_GRACE_MS`] before it is given up.

use crate::call::{IceConnectionState, Millis, ICE_DISCONNECTED_GRACE_MS};

/// A grace timer may fire a little before `now` says the grace is over: `setTimeout` counts
/// on a monotonic clock while `now` is `Date.now()`, and a timer of an earlier disconnection
/// (which cannot be cancelled) may still be pending. The latter is more than this early.
const TIMER_SLACK_MS: Millis = 250.0;

/// When ICE went `disconnected`, until it recovers.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct GracePeriod {
    since: Option<Millis>,
}

impl GracePeriod {
    /// ICE reported `state` at `now`. `Some(ms)`: a disconnection began, start a timer of
    /// `ms` and ask [`GracePeriod::over`] when it fires.
    pub fn ice_state(&mut self, now: Millis, state: IceConnectionState) -> Option<u32> {
        match state {
            IceConnectionState::Connected | IceConnectionState::Completed => self.since = None,
            IceConnectionState::Disconnected if self.since.is_none() => {
                self.since = Some(now);
                return Some(ICE_DISCONNECTED_GRACE_MS);
            }
            _ => {}
        }
        None
    }

    /// ICE is `disconnected` and has not recovered since.
    pub fn waiting(&self) -> bool {
        self.since.is_some()
    }

    /// The grace timer fired at `now`: whether the call is lost (ICE did not recover in time).
    pub fn over(&self, now: Millis) -> bool {
        self.since.is_some_and(|since| {
            now - since + TIMER_SLACK_MS >= Millis::from(ICE_DISCONNECTED_GRACE_MS)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use IceConnectionState::*;

    #[test]
    fn one_timer_per_disconnection_and_recovery_cancels() {
        let mut g = GracePeriod::default();
        assert_eq!(g.ice_state(0.0, Connected), None);
        assert_eq!(
            g.ice_state(10.0, Disconnected),
            Some(ICE_DISCONNECTED_GRACE_MS)
        );
        assert_eq!(g.ice_state(20.0, Disconnected), None);
        assert!(g.waiting());
        assert!(g.over(10.0 + 8_000.0));
        g.ice_state(30.0, Connected);
        assert!(!g.waiting() && !g.over(10.0 + 8_000.0));
    }

    #[test]
    fn a_timer_of_an_earlier_disconnection_does_not_end_a_later_one() {
        let mut g = GracePeriod::default();
        g.ice_state(0.0, Disconnected);
        g.ice_state(5_000.0, Connected);
        assert_eq!(
            g.ice_state(6_000.0, Disconnected),
            Some(ICE_DISCONNECTED_GRACE_MS)
        );
        // The first timer fires at 8 000: 2 000 ms into the second disconnection.
        assert!(!g.over(8_000.0));
        assert!(g.over(14_000.0 - TIMER_SLACK_MS));
    }
}
