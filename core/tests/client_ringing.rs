//! Auto-accept off (`Client::set_auto_accept(false)`, the embed API's `autoAccept: false`): an
//! incoming call rings until the host accepts or declines it.
//!
//! Cast: we are `alice`; `bob` and `carol` are online.

mod common;

use chat_core::call::{Action, CallPhase, EndReason, Input, Timer, RING_TIMEOUT_MS};
use chat_core::json::Value;
use chat_core::protocol::Message;
use common::*;

const ALL: &[&str] = &["alice", "bob", "carol"];

fn alice() -> H {
    let mut h = H::logged_in("alice", ALL);
    h.c.set_auto_accept(false);
    h
}

/// The call rings (its end, `CallEnded` with no call, is checked in client_lifecycle.rs), and
/// is prepared meanwhile as call `call`: its connection, the caller's offer `sdp` applied.
fn ringing(from: &str, call: u32, sdp: &str) -> Vec<Action> {
    vec![
        Action::CallIncoming {
            from: from.to_owned(),
        },
        Action::CreatePeer {
            call,
            polite: "alice" > from,
        },
        Action::SetRemoteDescription {
            call,
            desc: offer(sdp),
        },
    ]
}

fn send_hang_up(to: &str, token: Option<&str>, reason: &str) -> Action {
    Action::Send(hang_up_msg(Some("alice"), Some(to), token, Some(reason)))
}

#[test]
fn accept_answers_with_the_offer_and_the_early_candidates() {
    let mut h = alice();
    h.table(vec![
        (
            server(offer_msg("bob", "alice", "o1", Some("tb"))),
            ringing("bob", 1, "o1"),
        ),
        // While it rings: bob's candidates wait; his renegotiated offer replaces the first.
        (
            server(cand_msg(Some("bob"), "alice", "b1", Some("tb"))),
            vec![],
        ),
        (server(offer_msg("bob", "alice", "o2", Some("tb"))), vec![]),
    ]);
    assert_eq!(h.c.ringing(), Some("bob"));
    assert_eq!(h.c.call_id(), None);
    assert_eq!(h.c.status().call, CallPhase::Ringing);
    h.table(vec![
        (Input::RemoteDescriptionSet { call: 1 }, vec![]),
        // The camera first, the waiting candidates after: they would hold `getUserMedia`
        // back (issue 10), and ICE needs our answer, which needs the camera, anyway.
        (
            Input::Accept,
            vec![
                Action::SetHangUpEnabled(true),
                Action::AcquireMedia { call: 1 },
                Action::SetRemoteDescription {
                    call: 1,
                    desc: offer("o2"),
                },
                users(ALL, "alice", Some("bob")),
                add(1, "b1"),
            ],
        ),
        // The answer waits for the newest offer, applied after our tracks are in.
        (
            Input::MediaReady { call: 1 },
            vec![Action::AddLocalTracks { call: 1 }],
        ),
        (
            Input::RemoteDescriptionSet { call: 1 },
            vec![Action::SetLocalDescription { call: 1 }],
        ),
    ]);
    assert_eq!(h.c.ringing(), None);
    assert_eq!(h.c.call_token(), Some("tb"));
    // Nothing left to accept or decline.
    h.table(vec![(Input::Accept, vec![]), (Input::Decline, vec![])]);
    assert_eq!(h.c.call_id(), Some(1));
}

/// Issue 10: while it rings, the callee prepares everything that needs no camera; accepting
/// then asks only for the camera, adds the tracks and answers.
#[test]
fn while_it_rings_the_connection_is_prepared_and_accept_only_adds_media_and_answers() {
    let mut h = alice();
    h.table(vec![
        (
            server(offer_msg("bob", "alice", "o1", Some("tb"))),
            ringing("bob", 1, "o1"),
        ),
        (Input::RemoteDescriptionSet { call: 1 }, vec![]),
        // The prepared connection's events while it rings show nothing (the status stays
        // `ringing`, no ICE figures).
        (
            Input::SignalingState {
                call: 1,
                state: chat_core::call::SignalingState::HaveRemoteOffer,
            },
            vec![],
        ),
    ]);
    assert_eq!(h.c.status().call, CallPhase::Ringing);
    assert_eq!(h.c.status().signaling, None);
    h.table(vec![
        (
            Input::Accept,
            vec![
                Action::SetHangUpEnabled(true),
                Action::AcquireMedia { call: 1 },
                users(ALL, "alice", Some("bob")),
            ],
        ),
        (
            Input::MediaReady { call: 1 },
            vec![
                Action::AddLocalTracks { call: 1 },
                Action::SetLocalDescription { call: 1 },
            ],
        ),
    ]);
    // A preparation that failed: Accept starts afresh.
    let mut h = alice();
    h.go(server(offer_msg("bob", "alice", "o1", Some("tb"))));
    h.table(vec![
        (
            Input::PeerOpFailed {
                call: 1,
                op: chat_core::call::PeerOp::SetRemoteDescription,
                message: "bad".into(),
            },
            vec![],
        ),
        (
            Input::Accept,
            vec![
                Action::SetHangUpEnabled(true),
                Action::AcquireMedia { call: 1 },
                Action::CreatePeer {
                    call: 1,
                    polite: false,
                },
                Action::SetRemoteDescription {
                    call: 1,
                    desc: offer("o1"),
                },
                users(ALL, "alice", Some("bob")),
            ],
        ),
    ]);
    // Another call's offer from the same caller while it rings: the preparation is dropped.
    let mut h = alice();
    h.go(server(offer_msg("bob", "alice", "o1", Some("tb"))));
    h.table(vec![(
        server(offer_msg("bob", "alice", "o2", Some("tb2"))),
        vec![Action::ClosePeer { call: 1 }],
    )]);
}

#[test]
fn decline_tells_the_caller_and_the_next_call_rings_again() {
    let mut h = alice();
    h.table(vec![
        (
            server(offer_msg("bob", "alice", "o1", Some("tb"))),
            ringing("bob", 1, "o1"),
        ),
        // The prepared connection is closed: nothing of the call is left.
        (
            Input::Decline,
            vec![
                send_hang_up("bob", Some("tb"), "declined"),
                Action::ClosePeer { call: 1 },
            ],
        ),
        (
            server(offer_msg("bob", "alice", "o3", None)),
            ringing("bob", 2, "o3"),
        ),
        (
            Input::Decline,
            vec![
                send_hang_up("bob", None, "declined"),
                Action::ClosePeer { call: 2 },
            ],
        ),
    ]);
    assert_eq!(h.c.call_id(), None);
}

#[test]
fn the_caller_gives_up_or_leaves() {
    let mut h = alice();
    h.table(vec![
        (
            server(offer_msg("bob", "alice", "o1", Some("tb"))),
            ringing("bob", 1, "o1"),
        ),
        // Not bob's call: a hang-up from carol, or with another token, changes nothing.
        (server(hang_up_msg(Some("carol"), None, None, None)), vec![]),
        (
            server(hang_up_msg(Some("bob"), Some("alice"), Some("tx"), None)),
            vec![],
        ),
        // Bob's offer had a token: a hang-up without one is not his.
        (
            server(hang_up_msg(Some("bob"), Some("alice"), None, None)),
            vec![],
        ),
        (
            server(hang_up_msg(Some("bob"), Some("alice"), Some("tb"), None)),
            vec![
                Action::ClosePeer { call: 1 },
                error("Missed call from bob."),
            ],
        ),
        (
            // A new call: the notice about bob's goes.
            server(offer_msg("carol", "alice", "oc", None)),
            [vec![Action::ClearError], ringing("carol", 2, "oc")].concat(),
        ),
        (
            user_list(&["alice", "bob"]),
            vec![
                Action::ClosePeer { call: 2 },
                error("carol left."),
                users(&["alice", "bob"], "alice", None),
            ],
        ),
    ]);
    assert_eq!(h.c.ringing(), None);
}

#[test]
fn one_ringing_call_at_a_time_and_no_calling_out_meanwhile() {
    let mut h = alice();
    h.table(vec![
        (
            server(offer_msg("bob", "alice", "o1", Some("tb"))),
            ringing("bob", 1, "o1"),
        ),
        (
            server(offer_msg("carol", "alice", "oc", Some("tc"))),
            vec![send_hang_up("carol", Some("tc"), "busy")],
        ),
        (
            Input::CallUser {
                name: "carol".into(),
            },
            vec![error("Accept or decline the incoming call first.")],
        ),
    ]);
    assert_eq!(h.c.ringing(), Some("bob"));
}

#[test]
fn the_caller_hears_declined() {
    let mut h = H::logged_in("alice", ALL);
    h.step(Input::CallUser { name: "bob".into() });
    let t = h.token();
    h.step(Input::MediaReady { call: 1 });
    h.step(Input::NegotiationNeeded { call: 1 });
    h.step(Input::LocalDescriptionSet {
        call: 1,
        desc: offer("o1"),
    });
    h.table(vec![(
        server(hang_up_msg(
            Some("bob"),
            Some("alice"),
            Some(&t),
            Some("declined"),
        )),
        vec![
            Action::ClosePeer { call: 1 },
            Action::SetHangUpEnabled(false),
            error("bob declined the call."),
            users(ALL, "alice", None),
        ],
    )]);
}

fn ring_timer(call: u32) -> Input {
    Input::TimerFired {
        timer: Timer::Ring(call),
    }
}

fn answer_timer(call: u32) -> Input {
    Input::TimerFired {
        timer: Timer::Answer(call),
    }
}

fn ended(reason: EndReason, notice: Option<&str>) -> impl Fn(&Action) -> bool + '_ {
    move |a| {
        matches!(a, Action::CallEnded { reason: r, notice: n, .. }
            if *r == reason && n.as_deref() == notice)
    }
}

/// Alice calls bob: her offer is out, bob has not answered. Returns all actions of the offer.
fn calling_bob(h: &mut H) -> Vec<Action> {
    h.step(Input::CallUser { name: "bob".into() });
    assert_eq!(h.c.status().call, CallPhase::StartingMedia);
    h.step(Input::MediaReady { call: 1 });
    h.step(Input::NegotiationNeeded { call: 1 });
    h.go(Input::LocalDescriptionSet {
        call: 1,
        desc: offer("o1"),
    })
}

#[test]
fn an_unanswered_call_stops_ringing_after_30_seconds_and_the_caller_is_told() {
    let mut h = alice();
    let got = h.go(server(offer_msg("bob", "alice", "o1", Some("tb"))));
    assert!(
        got.contains(&Action::StartTimer {
            timer: Timer::Ring(1),
            ms: RING_TIMEOUT_MS
        }),
        "{got:?}"
    );
    assert_eq!(RING_TIMEOUT_MS, 30_000);
    assert_eq!(h.c.status().call, CallPhase::Ringing);
    assert_eq!(h.c.status().peer.as_deref(), Some("bob"));
    let got = h.go(ring_timer(1));
    assert_eq!(
        visible(got.clone()),
        vec![
            send_hang_up("bob", Some("tb"), "timeout"),
            Action::ClosePeer { call: 1 },
            error("Missed call from bob."),
        ]
    );
    assert!(
        got.iter()
            .any(ended(EndReason::Timeout, Some("Missed call from bob."))),
        "{got:?}"
    );
    assert_eq!(h.c.ringing(), None);
    assert_eq!(h.c.status().call, CallPhase::Idle);
    // The next call rings afresh; the old timer, firing late, no longer applies to it.
    h.step(server(offer_msg("bob", "alice", "o2", Some("tb2"))));
    h.table(vec![(ring_timer(1), vec![])]);
    assert_eq!(h.c.ringing(), Some("bob"));
    // Accepted: its ringing timer is moot.
    h.step(Input::Accept);
    h.table(vec![(ring_timer(2), vec![])]);
    assert_eq!(h.c.call_id(), Some(2));
}

#[test]
fn a_declined_call_ignores_its_ringing_timer() {
    let mut h = alice();
    h.step(server(offer_msg("bob", "alice", "o1", Some("tb"))));
    h.step(Input::Decline);
    h.table(vec![(ring_timer(1), vec![])]);
}

#[test]
fn the_caller_waits_calling_then_cancels_and_the_callee_misses_the_call() {
    // Caller side.
    let mut h = H::logged_in("alice", ALL);
    let got = calling_bob(&mut h);
    assert!(
        got.contains(&Action::StartTimer {
            timer: Timer::Answer(1),
            ms: RING_TIMEOUT_MS
        }),
        "{got:?}"
    );
    assert_eq!(h.c.status().call, CallPhase::Calling);
    let t = h.token();
    let got = h.go(Input::HangUp);
    assert_eq!(
        visible(got.clone()),
        vec![
            send_hang_up("bob", Some(&t), "cancel"),
            Action::ClosePeer { call: 1 },
            Action::SetHangUpEnabled(false),
            users(ALL, "alice", None),
        ]
    );
    assert!(got.iter().any(ended(EndReason::Cancelled, None)), "{got:?}");

    // Callee side: the cancel stops the ringing, a missed call.
    let mut h = alice();
    h.step(server(offer_msg("bob", "alice", "o1", Some("tb"))));
    let got = h.go(server(hang_up_msg(
        Some("bob"),
        Some("alice"),
        Some("tb"),
        Some("cancel"),
    )));
    assert!(
        got.iter()
            .any(ended(EndReason::Missed, Some("Missed call from bob."))),
        "{got:?}"
    );
    assert_eq!(h.c.status().call, CallPhase::Idle);
}

#[test]
fn the_caller_gives_up_after_30_seconds_unless_answered() {
    let mut h = H::logged_in("alice", ALL);
    calling_bob(&mut h);
    let t = h.token();
    let got = h.go(answer_timer(1));
    assert_eq!(
        visible(got.clone()),
        vec![
            send_hang_up("bob", Some(&t), "timeout"),
            Action::ClosePeer { call: 1 },
            Action::SetHangUpEnabled(false),
            error("bob did not answer."),
            users(ALL, "alice", None),
        ]
    );
    assert!(
        got.iter()
            .any(ended(EndReason::Timeout, Some("bob did not answer."))),
        "{got:?}"
    );

    // Bob's own ringing timed out first: his `timeout` ends the call the same way.
    let mut h = H::logged_in("alice", ALL);
    calling_bob(&mut h);
    let t = h.token();
    let got = h.go(server(hang_up_msg(
        Some("bob"),
        Some("alice"),
        Some(&t),
        Some("timeout"),
    )));
    assert!(
        got.iter()
            .any(ended(EndReason::Timeout, Some("bob did not answer."))),
        "{got:?}"
    );

    // Answered: no longer calling, and the timer changes nothing.
    let mut h = H::logged_in("alice", ALL);
    calling_bob(&mut h);
    let t = h.token();
    h.step(server(answer_msg("bob", "alice", "a1", Some(&t))));
    assert_eq!(h.c.status().call, CallPhase::Connecting);
    h.table(vec![(answer_timer(1), vec![])]);
    assert_eq!(h.c.call_id(), Some(1));
}

#[test]
fn a_second_caller_is_busy_during_a_call_too() {
    let mut h = alice();
    h.step(server(offer_msg("bob", "alice", "o1", Some("tb"))));
    h.step(Input::Accept);
    h.table(vec![(
        server(offer_msg("carol", "alice", "oc", Some("tc"))),
        vec![send_hang_up("carol", Some("tc"), "busy")],
    )]);
    assert_eq!(h.c.peer(), Some("bob"));
    // Hang Up while it rings declines.
    let mut h = alice();
    h.step(server(offer_msg("bob", "alice", "o1", Some("tb"))));
    h.table(vec![(
        Input::HangUp,
        vec![
            send_hang_up("bob", Some("tb"), "declined"),
            Action::ClosePeer { call: 1 },
        ],
    )]);
}

fn peer_state(from: &str, to: &str, call: Option<&str>, muted: bool, camera: &str) -> Message {
    let raw = Value::object([
        ("type", Some(Value::from("peer-state"))),
        ("name", Some(Value::from(from))),
        ("target", Some(Value::from(to))),
        ("call", call.map(Value::from)),
        ("muted", Some(Value::Bool(muted))),
        ("camera", Some(Value::from(camera))),
    ]);
    // As it arrives: decoded from the wire.
    Message::from_value(&raw).expect("decodes")
}

fn send_state(to: &str, call: &str, muted: bool, camera: &str) -> Action {
    let Message::Unknown { raw, .. } = peer_state("alice", to, Some(call), muted, camera) else {
        panic!("peer-state is not a known type");
    };
    Action::Send(Message::Unknown {
        kind: "peer-state".into(),
        raw,
    })
}

#[test]
fn mute_and_camera_travel_to_the_peer_as_peer_state() {
    let mut h = H::logged_in("alice", ALL);
    // Before any call: only the buttons change.
    h.table(vec![(
        Input::SetMuted { muted: true },
        vec![Action::LocalMedia {
            muted: true,
            camera: true,
        }],
    )]);
    // The same again: nothing.
    h.table(vec![(Input::SetMuted { muted: true }, vec![])]);
    // Muted before the call: bob hears of it when media flows.
    let t = h.connected_as_caller("bob");
    let wire = |a: &Action| match a {
        Action::Send(m) => Some(m.to_json()),
        _ => None,
    };
    let sent: Vec<_> = h
        .go(Input::SetCamera { on: false })
        .iter()
        .filter_map(wire)
        .collect();
    assert_eq!(
        sent,
        vec![format!(
            r#"{{"type":"peer-state","name":"alice","target":"bob","call":"{t}","muted":true,"camera":"off"}}"#
        )]
    );
    h.table(vec![(
        Input::SetMuted { muted: false },
        vec![
            Action::LocalMedia {
                muted: false,
                camera: false,
            },
            send_state("bob", &t, false, "off"),
        ],
    )]);

    let mut h = H::logged_in("alice", ALL);
    h.step(Input::SetMuted { muted: true });
    h.step(Input::CallUser { name: "bob".into() });
    h.step(Input::MediaReady { call: 1 });
    h.step(Input::NegotiationNeeded { call: 1 });
    h.step(Input::LocalDescriptionSet {
        call: 1,
        desc: offer("o1"),
    });
    let t = h.token();
    h.step(server(answer_msg("bob", "alice", "a1", Some(&t))));
    h.step(Input::RemoteDescriptionSet { call: 1 });
    let got = h.step(Input::IceConnectionState {
        call: 1,
        state: chat_core::call::IceConnectionState::Connected,
    });
    assert_eq!(got, vec![send_state("bob", &t, true, "on")]);
}

#[test]
fn peer_state_is_believed_only_from_the_peer_of_the_current_call() {
    let mut h = H::logged_in("alice", ALL);
    // No call: ignored.
    h.table(vec![(
        server(peer_state("bob", "alice", None, true, "off")),
        vec![],
    )]);
    let t = h.connected_as_caller("bob");
    h.table(vec![
        (
            server(peer_state("bob", "alice", Some(&t), true, "off")),
            vec![Action::ShowPeerState {
                muted: true,
                camera: false,
            }],
        ),
        (
            server(peer_state("bob", "alice", Some(&t), false, "on")),
            vec![Action::ShowPeerState {
                muted: false,
                camera: true,
            }],
        ),
        // Carol is not in the call; a wrong token or none is not bob's call; nor is a
        // message meant for someone else.
        (
            server(peer_state("carol", "alice", Some(&t), true, "off")),
            vec![],
        ),
        (
            server(peer_state("bob", "alice", Some("other"), true, "off")),
            vec![],
        ),
        (
            server(peer_state("bob", "alice", None, true, "off")),
            vec![],
        ),
        (
            server(peer_state("bob", "carol", Some(&t), true, "off")),
            vec![],
        ),
    ]);
}

#[test]
fn a_screen_share_lives_within_its_call() {
    let mut h = H::logged_in("alice", ALL);
    // No call: nothing to share into.
    h.table(vec![(
        Input::ShareScreen { on: true },
        vec![error("Start a call to share your screen.")],
    )]);
    h.connected_as_caller("bob");
    let share = |on| Action::Share { call: 1, on };
    h.table(vec![
        (Input::ShareScreen { on: true }, vec![share(true)]),
        (Input::ShareScreen { on: true }, vec![]),
        // The browser's "stop sharing" (or a refusal): the camera comes back.
        (Input::ShareEnded { call: 1 }, vec![share(false)]),
        (Input::ShareEnded { call: 1 }, vec![]),
        (Input::ShareScreen { on: true }, vec![share(true)]),
        (Input::ShareScreen { on: false }, vec![share(false)]),
        (Input::ShareScreen { on: true }, vec![share(true)]),
    ]);
    assert_eq!(h.c.sharing(), Some(1));
    // The call ends: its share with it (ClosePeer stops the screen).
    h.step(Input::HangUp);
    assert_eq!(h.c.sharing(), None);
    h.table(vec![(Input::ShareEnded { call: 1 }, vec![])]);
}
