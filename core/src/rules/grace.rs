//! The ICE-disconnected grace period (docs/protocol.md, bug 4: the tutorial hung up at once).
//! `disconnected` often recovers by itself (a Wi-Fi blip): the call gets
//! [`ICE_DISCONNECTED_GRACE_MS`] before it is given up.
//!
//! No clock: each disconnection starts the timer afresh, and starting it replaces (cancels) a
//! timer still pending from an earlier disconnection (the core's [`crate::Action::StartTimer`]
//! and compat's owned timer both do), so the timer that fires is always this period's.

use crate::call::{IceConnectionState, ICE_DISCONNECTED_GRACE_MS};

/// Whether ICE is `disconnected` and has not recovered since.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct GracePeriod {
    waiting: bool,
}

impl GracePeriod {
    /// ICE reported `state`. `Some(ms)`: a disconnection began, start (or restart) a timer of
    /// `ms` and ask [`GracePeriod::over`] when it fires.
    pub fn ice_state(&mut self, state: IceConnectionState) -> Option<u32> {
        match state {
            IceConnectionState::Connected | IceConnectionState::Completed => self.waiting = false,
            IceConnectionState::Disconnected if !self.waiting => {
                self.waiting = true;
                return Some(ICE_DISCONNECTED_GRACE_MS);
            }
            _ => {}
        }
        None
    }

    /// ICE is `disconnected` and has not recovered since.
    pub fn waiting(&self) -> bool {
        self.waiting
    }

    /// The grace timer fired: whether the call is lost (ICE did not recover in time).
    pub fn over(&self) -> bool {
        self.waiting
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use IceConnectionState::*;

    #[test]
    fn one_timer_per_disconnection_and_recovery_cancels() {
        let mut g = GracePeriod::default();
        assert_eq!(g.ice_state(Connected), None);
        assert_eq!(g.ice_state(Disconnected), Some(ICE_DISCONNECTED_GRACE_MS));
        assert_eq!(g.ice_state(Disconnected), None);
        assert!(g.waiting() && g.over());
        g.ice_state(Connected);
        assert!(!g.waiting() && !g.over());
    }

    #[test]
    fn a_new_disconnection_starts_a_new_timer() {
        let mut g = GracePeriod::default();
        g.ice_state(Disconnected);
        g.ice_state(Connected);
        assert_eq!(g.ice_state(Disconnected), Some(ICE_DISCONNECTED_GRACE_MS));
    }
}
