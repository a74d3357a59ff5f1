//! ICE restart and a relay that restarts (docs/protocol.md, "ICE restart"): a call that had
//! connected survives ICE `failed`, a disconnection past the grace period, and its peer's
//! absence from a user list while both log in again; it ends only on a `hang-up`, when the
//! restart bound is reached, or when the peer stays away.
//!
//! Cast: `alice` < `bob`, so alice is the impolite side of their call, bob the polite one.

mod common;

use chat_core::call::{
    Action, CallPhase, IceConnectionState as Ice, Input, SignalingState, Timer,
    ICE_RESTART_ATTEMPTS, ICE_RESTART_ATTEMPT_MS, PEER_ABSENT_GRACE_MS,
};
use chat_core::Message;
use common::*;

const ALL: &[&str] = &["alice", "bob", "carol"];

fn restart_timer(call: u32) -> Action {
    Action::StartTimer {
        timer: Timer::IceRestart(call),
        ms: ICE_RESTART_ATTEMPT_MS,
    }
}

fn restart_over(call: u32) -> Input {
    Input::TimerFired {
        timer: Timer::IceRestart(call),
    }
}

fn ice(call: u32, state: Ice) -> Input {
    Input::IceConnectionState { call, state }
}

fn sent_offer(from: &str, to: &str, sdp: &str, token: &str) -> Action {
    Action::Send(offer_msg(from, to, sdp, Some(token)))
}

fn sent_answer(from: &str, to: &str, sdp: &str, token: &str) -> Action {
    Action::Send(answer_msg(from, to, sdp, Some(token)))
}

fn has_restart(actions: &[Action]) -> bool {
    actions
        .iter()
        .any(|a| matches!(a, Action::RestartIce { .. }))
}

/// Alice called bob and the call connected; then ICE failed. Returns the call's token.
fn alice_restarting() -> (H, String) {
    let mut h = H::logged_in("alice", ALL);
    let t = h.connected_as_caller("bob");
    h.table(vec![(
        ice(1, Ice::Failed),
        vec![restart_timer(1), Action::RestartIce { call: 1 }],
    )]);
    assert_eq!(h.c.status().call, CallPhase::Reconnecting);
    (h, t)
}

/// Bob answered alice's call (with its token) and it connected.
fn bob_connected(token: &str) -> H {
    let mut h = H::logged_in("bob", ALL);
    h.go(server(offer_msg("alice", "bob", "o1", Some(token))));
    h.go(Input::MediaReady { call: 1 });
    h.go(Input::RemoteDescriptionSet { call: 1 });
    h.go(Input::LocalDescriptionSet {
        call: 1,
        desc: answer("a1"),
    });
    h.go(ice(1, Ice::Connected));
    assert_eq!(h.c.status().call, CallPhase::Connected);
    h
}

#[test]
fn a_failed_connection_is_restarted_in_the_same_call() {
    let (mut h, t) = alice_restarting();
    h.table(vec![
        // `restartIce()` makes the browser fire `negotiationneeded`: an ordinary offer.
        (
            Input::NegotiationNeeded { call: 1 },
            vec![Action::SetLocalDescription { call: 1 }],
        ),
        (
            Input::LocalDescriptionSet {
                call: 1,
                desc: offer("o2-new-ufrag"),
            },
            vec![sent_offer("alice", "bob", "o2-new-ufrag", &t)],
        ),
        (
            server(answer_msg("bob", "alice", "a2", Some(&t))),
            vec![Action::SetRemoteDescription {
                call: 1,
                desc: answer("a2"),
            }],
        ),
        (Input::RemoteDescriptionSet { call: 1 }, vec![]),
        (ice(1, Ice::Checking), vec![]),
        (ice(1, Ice::Connected), vec![]),
        // The attempt's timer, firing after the restart succeeded: nothing to do.
        (restart_over(1), vec![]),
    ]);
    assert_eq!(h.c.status().call, CallPhase::Connected);
    assert_eq!(h.c.call_id(), Some(1));
    // A later failure starts a new restart, with a full set of attempts.
    let got = h.step(ice(1, Ice::Failed));
    assert_eq!(got, vec![restart_timer(1), Action::RestartIce { call: 1 }]);
}

#[test]
fn disconnected_past_the_grace_restarts_and_a_failure_meanwhile_does_not_restart_twice() {
    let mut h = H::logged_in("alice", ALL);
    h.connected_as_caller("bob");
    h.step(ice(1, Ice::Disconnected));
    assert_eq!(h.c.status().call, CallPhase::Reconnecting);
    let got = h.step(ice_timer(1));
    assert_eq!(got, vec![restart_timer(1), Action::RestartIce { call: 1 }]);
    assert_eq!(h.step(ice(1, Ice::Failed)), vec![]);
    assert_eq!(h.step(ice(1, Ice::Disconnected)), vec![]);
    assert_eq!(h.c.status().call, CallPhase::Reconnecting);
}

#[test]
fn both_sides_restart_at_once_and_perfect_negotiation_settles_it() {
    // Alice (impolite) restarts at once; bob (polite) leaves the first attempt to her, but her
    // offer is slow to come (lost), so at his second attempt bob restarts too, just as alice
    // does again: two restart offers cross.
    let (mut a, t) = alice_restarting();
    let mut b = bob_connected(&t);
    assert_eq!(b.step(ice(1, Ice::Failed)), vec![restart_timer(1)]);
    assert_eq!(
        b.step(restart_over(1)),
        vec![restart_timer(1), Action::RestartIce { call: 1 }]
    );
    a.go(Input::NegotiationNeeded { call: 1 });
    b.go(Input::NegotiationNeeded { call: 1 });
    let a_offer = a.step(Input::LocalDescriptionSet {
        call: 1,
        desc: offer("oa"),
    });
    assert_eq!(a_offer, vec![sent_offer("alice", "bob", "oa", &t)]);
    a.go(Input::SignalingState {
        call: 1,
        state: SignalingState::HaveLocalOffer,
    });
    let b_offer = b.step(Input::LocalDescriptionSet {
        call: 1,
        desc: offer("ob"),
    });
    assert_eq!(b_offer, vec![sent_offer("bob", "alice", "ob", &t)]);
    b.go(Input::SignalingState {
        call: 1,
        state: SignalingState::HaveLocalOffer,
    });
    // Bob's restart offer has surfaced a candidate: he may roll it back at once (before one,
    // he would hold alice's offer; docs/glare.md).
    b.go(Input::LocalCandidate {
        call: 1,
        candidate: Some(chat_core::IceCandidate {
            candidate: "candidate:1 1 udp 2122260223 127.0.0.1 9 typ host".into(),
            ..Default::default()
        }),
    });
    // The offers cross. Alice, impolite, ignores bob's.
    assert_eq!(
        a.step(server(offer_msg("bob", "alice", "ob", Some(&t)))),
        vec![]
    );
    // Bob, polite, rolls his back (inside setRemoteDescription) and answers alice's.
    assert_eq!(
        b.step(server(offer_msg("alice", "bob", "oa", Some(&t)))),
        vec![Action::SetRemoteDescription {
            call: 1,
            desc: offer("oa"),
        }]
    );
    assert_eq!(
        b.step(Input::RemoteDescriptionSet { call: 1 }),
        vec![Action::SetLocalDescription { call: 1 }]
    );
    let b_answer = b.step(Input::LocalDescriptionSet {
        call: 1,
        desc: answer("ab"),
    });
    assert_eq!(b_answer, vec![sent_answer("bob", "alice", "ab", &t)]);
    assert_eq!(
        a.step(server(answer_msg("bob", "alice", "ab", Some(&t)))),
        vec![Action::SetRemoteDescription {
            call: 1,
            desc: answer("ab"),
        }]
    );
    a.go(Input::RemoteDescriptionSet { call: 1 });
    for h in [&mut a, &mut b] {
        h.go(Input::SignalingState {
            call: 1,
            state: SignalingState::Stable,
        });
        h.go(ice(1, Ice::Connected));
        assert_eq!(h.c.status().call, CallPhase::Connected);
        assert_eq!(h.c.call_id(), Some(1));
        // Neither side's attempt timer ends the call.
        assert_eq!(h.step(restart_over(1)), vec![]);
    }
}

#[test]
fn the_polite_side_leaves_the_restart_to_the_impolite_one_while_it_drives() {
    let t = "0123456789abcdef";
    let mut b = bob_connected(t);
    // First attempt: alice's turn.
    assert_eq!(b.step(ice(1, Ice::Failed)), vec![restart_timer(1)]);
    // Her restart offer comes: answered as any offer.
    assert_eq!(
        b.step(server(offer_msg("alice", "bob", "o2", Some(t)))),
        vec![Action::SetRemoteDescription {
            call: 1,
            desc: offer("o2"),
        }]
    );
    // Still not connected at the attempt's end: alice drives, bob still waits.
    assert_eq!(b.step(restart_over(1)), vec![restart_timer(1)]);
    // Nothing from alice in this attempt: bob restarts himself.
    assert_eq!(
        b.step(restart_over(1)),
        vec![restart_timer(1), Action::RestartIce { call: 1 }]
    );
}

#[test]
fn a_restart_crossing_the_peers_renegotiation_waits_for_stable_then_offers() {
    let (mut h, t) = alice_restarting();
    // Bob's renegotiation offer arrives before `negotiationneeded` (we are stable): answered.
    h.table(vec![
        (
            server(offer_msg("bob", "alice", "o-reneg", Some(&t))),
            vec![Action::SetRemoteDescription {
                call: 1,
                desc: offer("o-reneg"),
            }],
        ),
        (
            Input::SignalingState {
                call: 1,
                state: SignalingState::HaveRemoteOffer,
            },
            vec![],
        ),
        // The browser's `negotiationneeded` for the restart, mid-answer: not now.
        (Input::NegotiationNeeded { call: 1 }, vec![]),
        (
            Input::RemoteDescriptionSet { call: 1 },
            vec![Action::SetLocalDescription { call: 1 }],
        ),
        (
            Input::LocalDescriptionSet {
                call: 1,
                desc: answer("a-reneg"),
            },
            vec![sent_answer("alice", "bob", "a-reneg", &t)],
        ),
        (
            Input::SignalingState {
                call: 1,
                state: SignalingState::Stable,
            },
            vec![],
        ),
        // Stable again: the browser fires `negotiationneeded` again (the restart flag stays).
        (
            Input::NegotiationNeeded { call: 1 },
            vec![Action::SetLocalDescription { call: 1 }],
        ),
        (
            Input::LocalDescriptionSet {
                call: 1,
                desc: offer("o-restart"),
            },
            vec![sent_offer("alice", "bob", "o-restart", &t)],
        ),
    ]);
    h.go(server(answer_msg("bob", "alice", "a-restart", Some(&t))));
    h.go(Input::RemoteDescriptionSet { call: 1 });
    h.go(ice(1, Ice::Connected));
    assert_eq!(h.c.status().call, CallPhase::Connected);
}

#[test]
fn a_restart_crossing_our_own_unanswered_renegotiation_sends_that_offer_again() {
    let mut h = H::logged_in("alice", ALL);
    let t = h.connected_as_caller("bob");
    h.go(Input::NegotiationNeeded { call: 1 });
    h.go(Input::LocalDescriptionSet {
        call: 1,
        desc: offer("o-reneg"),
    });
    // Its answer never comes (lost with the path), and ICE fails: `restartIce()` could not
    // make an offer before this one is answered, so the offer goes out again.
    h.table(vec![(
        ice(1, Ice::Failed),
        vec![restart_timer(1), sent_offer("alice", "bob", "o-reneg", &t)],
    )]);
    h.go(server(answer_msg("bob", "alice", "a", Some(&t))));
    h.go(Input::RemoteDescriptionSet { call: 1 });
    // Answered but still failing: the next attempt restarts ICE.
    assert_eq!(
        h.step(restart_over(1)),
        vec![restart_timer(1), Action::RestartIce { call: 1 }]
    );
}

#[test]
fn a_restart_while_signaling_is_down_waits_for_it_and_completes() {
    let mut h = H::logged_in("alice", ALL);
    let t = h.connected_as_caller("bob");
    h.go(Input::SocketClosed);
    // Media still flowed; now ICE fails too. The attempt's clock runs, the offer waits.
    assert_eq!(h.step(ice(1, Ice::Failed)), vec![restart_timer(1)]);
    assert_eq!(h.c.status().call, CallPhase::Reconnecting);
    h.go(Input::TimerFired {
        timer: Timer::Reconnect,
    });
    h.go(Input::SocketOpen);
    h.go(server(Message::Id { id: 9 }));
    // We are back first: bob is not in the list yet, so nobody to send an offer to.
    let got = h.step(user_list(&["alice", "carol"]));
    assert!(!has_restart(&got), "{got:?}");
    assert_eq!(h.c.call_id(), Some(1));
    // Bob is back: the restart goes out and completes.
    let got = h.step(user_list(ALL));
    assert!(has_restart(&got), "{got:?}");
    h.go(Input::NegotiationNeeded { call: 1 });
    let got = h.step(Input::LocalDescriptionSet {
        call: 1,
        desc: offer("o2"),
    });
    assert_eq!(got, vec![sent_offer("alice", "bob", "o2", &t)]);
    h.go(server(answer_msg("bob", "alice", "a2", Some(&t))));
    h.go(Input::RemoteDescriptionSet { call: 1 });
    h.go(ice(1, Ice::Connected));
    assert_eq!(h.c.status().call, CallPhase::Connected);
}

#[test]
fn an_offer_made_while_the_socket_was_down_is_sent_once_it_is_back() {
    let (mut h, t) = alice_restarting();
    h.go(Input::NegotiationNeeded { call: 1 });
    // The socket closes while the restart offer is being made: the offer is dropped.
    h.go(Input::SocketClosed);
    let got = h.step(Input::LocalDescriptionSet {
        call: 1,
        desc: offer("o2"),
    });
    assert_eq!(got, vec![]);
    h.go(Input::SocketOpen);
    h.go(server(Message::Id { id: 9 }));
    let got = h.step(user_list(ALL));
    assert!(
        got.contains(&sent_offer("alice", "bob", "o2", &t)),
        "{got:?}"
    );
    assert!(!has_restart(&got));
}

#[test]
fn the_peer_hanging_up_mid_restart_ends_the_call() {
    let (mut h, t) = alice_restarting();
    h.go(Input::NegotiationNeeded { call: 1 });
    h.go(Input::LocalDescriptionSet {
        call: 1,
        desc: offer("o2"),
    });
    h.table(vec![
        (
            server(hang_up_msg(Some("bob"), Some("alice"), Some(&t), None)),
            vec![
                Action::ClosePeer { call: 1 },
                Action::SetHangUpEnabled(false),
                error("bob hung up."),
                users(ALL, "alice", None),
            ],
        ),
        // The attempt's timer of the ended call (the shell clears it; if it fired anyway).
        (restart_over(1), vec![]),
    ]);
    assert_eq!(h.c.status().call, CallPhase::Idle);
}

#[test]
fn the_bound_reached_ends_the_call_and_says_why() {
    let (mut h, t) = alice_restarting();
    for _ in 1..ICE_RESTART_ATTEMPTS {
        let got = h.step(restart_over(1));
        assert_eq!(got, vec![restart_timer(1), Action::RestartIce { call: 1 }]);
        assert_eq!(h.c.status().call, CallPhase::Reconnecting);
    }
    let notice = "The connection to bob was lost and could not be restored (3 attempts in 30 s).";
    h.table(vec![(
        restart_over(1),
        vec![
            Action::Send(hang_up_msg(
                Some("alice"),
                Some("bob"),
                Some(&t),
                Some("lost"),
            )),
            Action::ClosePeer { call: 1 },
            Action::SetHangUpEnabled(false),
            error(notice),
            users(ALL, "alice", None),
        ],
    )]);
}

#[test]
fn a_relay_restart_keeps_the_call_while_the_peer_logs_in_again() {
    let mut h = H::logged_in("alice", ALL);
    h.connected_as_caller("bob");
    h.go(Input::SocketClosed);
    h.go(Input::SocketOpen);
    h.go(server(Message::Id { id: 9 }));
    // We logged in again first: the list lacks bob, who is still waiting on his backoff.
    h.table(vec![(
        user_list(&["alice", "carol"]),
        vec![
            Action::StartTimer {
                timer: Timer::PeerAbsent(1),
                ms: PEER_ABSENT_GRACE_MS,
            },
            Action::ShowUsers {
                users: vec!["alice".into(), "carol".into()],
                me: Some("alice".into()),
                peer: Some("bob".into()),
            },
        ],
    )]);
    assert_eq!(h.c.status().call, CallPhase::Connected);
    // Bob is back within the window: the window's end changes nothing.
    h.table(vec![
        (user_list(ALL), vec![users(ALL, "alice", Some("bob"))]),
        (
            Input::TimerFired {
                timer: Timer::PeerAbsent(1),
            },
            vec![],
        ),
    ]);
    assert_eq!(h.c.call_id(), Some(1));
}

#[test]
fn a_peer_that_stays_away_past_the_window_has_left() {
    let mut h = H::logged_in("alice", ALL);
    h.connected_as_caller("bob");
    h.go(Input::SocketClosed);
    h.go(Input::SocketOpen);
    h.go(server(Message::Id { id: 9 }));
    h.go(user_list(&["alice", "carol"]));
    h.go(user_list(&["alice", "carol", "dave"]));
    assert_eq!(h.c.call_id(), Some(1));
    h.table(vec![(
        Input::TimerFired {
            timer: Timer::PeerAbsent(1),
        },
        vec![
            Action::ClosePeer { call: 1 },
            Action::SetHangUpEnabled(false),
            error("bob left."),
            users(&["alice", "carol", "dave"], "alice", None),
        ],
    )]);
}

#[test]
fn while_we_stay_connected_a_list_without_the_peer_ends_the_call_at_once() {
    // The server saw bob go (a server that sends no `gone` hang-up, as the sample's).
    let mut h = H::logged_in("alice", ALL);
    h.connected_as_caller("bob");
    h.table(vec![(
        user_list(&["alice", "carol"]),
        vec![
            Action::ClosePeer { call: 1 },
            Action::SetHangUpEnabled(false),
            error("bob left."),
            users(&["alice", "carol"], "alice", None),
        ],
    )]);
}

#[test]
fn once_the_peer_was_seen_again_a_later_absence_ends_the_call() {
    let mut h = H::logged_in("alice", ALL);
    h.connected_as_caller("bob");
    h.go(Input::SocketClosed);
    h.go(Input::SocketOpen);
    h.go(server(Message::Id { id: 9 }));
    h.go(user_list(ALL));
    let got = h.step(user_list(&["alice", "carol"]));
    assert!(got.contains(&error("bob left.")), "{got:?}");
}
