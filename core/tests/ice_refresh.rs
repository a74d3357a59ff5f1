//! Time-limited TURN credentials (the relay's `/ice-servers`, an `iceUrl`): fetched again
//! before they expire, never in a loop.

mod common;

use chat_core::call::{ice_refresh_ms, Action, Input, Timer, ICE_REFRESH_MIN_MS};
use common::H;

#[test]
fn credentials_with_a_ttl_are_refetched_at_three_quarters_of_it() {
    let mut h = H::new();
    let actions = h.go(Input::IceServersLoaded { ttl_s: Some(3600) });
    assert_eq!(
        actions,
        vec![Action::StartTimer {
            timer: Timer::IceRefresh,
            ms: 2_700_000
        }]
    );
    let actions = h.go(Input::TimerFired {
        timer: Timer::IceRefresh,
    });
    assert_eq!(actions, vec![Action::RefreshIceServers]);
}

#[test]
fn servers_without_a_ttl_are_not_refetched_on_a_timer() {
    let mut h = H::new();
    assert_eq!(h.go(Input::IceServersLoaded { ttl_s: None }), vec![]);
}

#[test]
fn a_tiny_or_huge_ttl_is_bounded() {
    assert_eq!(ice_refresh_ms(0), ICE_REFRESH_MIN_MS);
    assert_eq!(ice_refresh_ms(1), ICE_REFRESH_MIN_MS);
    assert_eq!(ice_refresh_ms(u32::MAX), u32::MAX);
}
