//! Scenario tables for calls: caller and callee paths, hang-ups, busy refusals, candidate
//! buffering, spoofed and late messages, media and connection failures, stale call ids.
//!
//! Cast: we are `alice`; `bob` and `carol` are online. `alice` < `bob`, so alice is the
//! impolite side of a call with bob (the greater name is polite).

mod common;

use chat_core::call::{
    Action, CallPhase, IceConnectionState as Ice, IceGatheringState, Input, MediaError, PeerOp,
    SignalingState, Timer, CONNECT_TIMEOUT_MS, ICE_DISCONNECTED_GRACE_MS, ICE_RESTART_ATTEMPT_MS,
};
use chat_core::Message;
use common::*;

const ALL: &[&str] = &["alice", "bob", "carol"];

fn alice() -> H {
    H::logged_in("alice", ALL)
}

fn hang_up(to: &str, token: &str, reason: Option<&str>) -> Action {
    Action::Send(hang_up_msg(Some("alice"), Some(to), Some(token), reason))
}

/// What ending call `call` shows, after any hang-up sent.
fn ended(call: u32, notice: Option<&str>) -> Vec<Action> {
    let mut v = vec![Action::ClosePeer { call }, Action::SetHangUpEnabled(false)];
    v.extend(notice.map(error));
    v.push(users(ALL, "alice", None));
    v
}

fn with(first: Action, rest: Vec<Action>) -> Vec<Action> {
    let mut v = vec![first];
    v.extend(rest);
    v
}

#[test]
fn caller_path() {
    let mut h = alice();
    h.table(vec![(
        Input::CallUser { name: "bob".into() },
        vec![
            Action::SetHangUpEnabled(true),
            Action::AcquireMedia { call: 1 },
            users(ALL, "alice", Some("bob")),
        ],
    )]);
    assert_eq!(h.c.status().call, CallPhase::StartingMedia);
    assert_eq!(h.c.peer(), Some("bob"));
    assert_eq!(h.c.is_polite(), Some(false));
    let t = h.token();
    assert_eq!(t.len(), 16);
    h.table(vec![
        (
            Input::MediaReady { call: 1 },
            vec![
                Action::CreatePeer {
                    call: 1,
                    polite: false,
                },
                Action::AddLocalTracks { call: 1 },
            ],
        ),
        (
            Input::NegotiationNeeded { call: 1 },
            vec![Action::SetLocalDescription { call: 1 }],
        ),
        (
            Input::SignalingState {
                call: 1,
                state: SignalingState::HaveLocalOffer,
            },
            vec![],
        ),
        (
            Input::LocalDescriptionSet {
                call: 1,
                desc: offer("o1"),
            },
            vec![Action::Send(offer_msg("alice", "bob", "o1", Some(&t)))],
        ),
        (
            Input::LocalCandidate {
                call: 1,
                candidate: Some(cand("a1")),
            },
            vec![Action::Send(cand_msg(Some("alice"), "bob", "a1", Some(&t)))],
        ),
        (
            Input::LocalCandidate {
                call: 1,
                candidate: None,
            },
            vec![],
        ),
        (
            Input::IceGatheringState {
                call: 1,
                state: IceGatheringState::Complete,
            },
            vec![],
        ),
        // Before the answer: kept.
        (
            server(cand_msg(Some("bob"), "alice", "b1", Some(&t))),
            vec![],
        ),
        (
            server(answer_msg("bob", "alice", "a1", Some(&t))),
            vec![Action::SetRemoteDescription {
                call: 1,
                desc: answer("a1"),
            }],
        ),
        (
            Input::SignalingState {
                call: 1,
                state: SignalingState::Stable,
            },
            vec![],
        ),
        (Input::RemoteDescriptionSet { call: 1 }, vec![add(1, "b1")]),
        (
            server(cand_msg(Some("bob"), "alice", "b2", Some(&t))),
            vec![add(1, "b2")],
        ),
        (
            Input::IceConnectionState {
                call: 1,
                state: Ice::Checking,
            },
            vec![],
        ),
        (
            Input::IceConnectionState {
                call: 1,
                state: Ice::Connected,
            },
            vec![],
        ),
        // `track` fires once per track: the stream is shown once.
        (
            Input::RemoteTrack { call: 1 },
            vec![Action::ShowRemoteStream { call: 1 }],
        ),
        (Input::RemoteTrack { call: 1 }, vec![]),
    ]);
    let s = h.c.status();
    assert_eq!(s.call, CallPhase::Connected);
    assert_eq!(s.peer.as_deref(), Some("bob"));
    assert_eq!(s.ice_connection, Some(Ice::Connected));
    assert_eq!(s.ice_gathering, Some(IceGatheringState::Complete));
    assert_eq!(s.signaling, Some(SignalingState::Stable));
}

#[test]
fn callee_path_adopts_the_callers_token() {
    let mut h = alice();
    h.table(vec![
        (
            server(offer_msg("bob", "alice", "o1", Some("tb"))),
            // The offer is applied while the camera starts (the two overlap).
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
        (
            Input::SignalingState {
                call: 1,
                state: SignalingState::HaveRemoteOffer,
            },
            vec![],
        ),
        // The offer is set before the camera is up: the answer waits for our tracks.
        (Input::RemoteDescriptionSet { call: 1 }, vec![]),
        (
            Input::MediaReady { call: 1 },
            vec![
                Action::AddLocalTracks { call: 1 },
                Action::SetLocalDescription { call: 1 },
            ],
        ),
        (
            Input::SignalingState {
                call: 1,
                state: SignalingState::Stable,
            },
            vec![],
        ),
        (
            Input::LocalDescriptionSet {
                call: 1,
                desc: answer("a1"),
            },
            vec![Action::Send(answer_msg("alice", "bob", "a1", Some("tb")))],
        ),
        // negotiationneeded after answering with our tracks is harmless: a renegotiation.
        (
            Input::NegotiationNeeded { call: 1 },
            vec![Action::SetLocalDescription { call: 1 }],
        ),
    ]);
    assert_eq!(h.c.call_token(), Some("tb"));
    assert_eq!(h.c.status().call, CallPhase::Connecting);
}

#[test]
fn callee_of_a_sample_client_without_tokens() {
    let mut h = alice();
    h.step(server(offer_msg("bob", "alice", "o1", None)));
    let t = h.token();
    assert_eq!(t.len(), 16);
    h.step(Input::MediaReady { call: 1 });
    h.step(Input::RemoteDescriptionSet { call: 1 });
    h.table(vec![
        (
            Input::LocalDescriptionSet {
                call: 1,
                desc: answer("a1"),
            },
            vec![Action::Send(answer_msg("alice", "bob", "a1", Some(&t)))],
        ),
        // The sample sends candidates without a name, and hangs up with `target: null`.
        (
            server(cand_msg(None, "alice", "b1", None)),
            vec![add(1, "b1")],
        ),
        (
            server(hang_up_msg(Some("bob"), None, None, None)),
            ended(1, Some("bob hung up.")),
        ),
    ]);
    assert_eq!(h.c.call_id(), None);
}

#[test]
fn our_hang_up_is_sent_first_with_target_and_token() {
    let mut h = alice();
    let t = h.connected_as_caller("bob");
    h.table(vec![(
        Input::HangUp,
        with(hang_up("bob", &t, None), ended(1, None)),
    )]);
    assert_eq!(h.c.call_id(), None);
    assert_eq!(h.c.status().call, CallPhase::Idle);
    assert_eq!(h.c.status().peer, None);
    // Nothing left to hang up.
    h.table(vec![(Input::HangUp, vec![])]);
}

#[test]
fn hang_up_before_our_offer_left_tells_nobody() {
    // The peer never heard of the call; a sample client would drop its own call on a
    // hang-up from anyone.
    let mut h = alice();
    h.step(Input::CallUser { name: "bob".into() });
    h.step(Input::MediaReady { call: 1 });
    h.step(Input::NegotiationNeeded { call: 1 });
    h.table(vec![(Input::HangUp, ended(1, None))]);
    // Its offer completing later goes nowhere.
    h.table(vec![(
        Input::LocalDescriptionSet {
            call: 1,
            desc: offer("o1"),
        },
        vec![],
    )]);
}

#[test]
fn peer_hangs_up() {
    let mut h = alice();
    let t = h.connected_as_caller("bob");
    h.table(vec![(
        server(hang_up_msg(Some("bob"), Some("alice"), Some(&t), None)),
        ended(1, Some("bob hung up.")),
    )]);
    assert_eq!(h.c.status().call, CallPhase::Idle);
}

#[test]
fn second_offer_while_in_a_call_is_refused_as_busy() {
    let mut h = alice();
    let t = h.connected_as_caller("bob");
    h.table(vec![
        (
            server(offer_msg("carol", "alice", "oc", Some("tc"))),
            vec![hang_up("carol", "tc", Some("busy"))],
        ),
        // A sample client's offer (no token): refused the same way.
        (
            server(offer_msg("carol", "alice", "oc", None)),
            vec![Action::Send(hang_up_msg(
                Some("alice"),
                Some("carol"),
                None,
                Some("busy"),
            ))],
        ),
        // Carol's candidates are not ours.
        (
            server(cand_msg(Some("carol"), "alice", "c1", Some("tc"))),
            vec![],
        ),
    ]);
    assert_eq!(h.c.call_id(), Some(1));
    assert_eq!(h.c.peer(), Some("bob"));
    assert_eq!(h.c.call_token(), Some(t.as_str()));
    assert_eq!(h.c.status().call, CallPhase::Connected);
    h.table(vec![(
        server(cand_msg(Some("bob"), "alice", "b9", Some(&t))),
        vec![add(1, "b9")],
    )]);
}

#[test]
fn callee_says_busy() {
    let mut h = alice();
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
            Some("busy"),
        )),
        ended(1, Some("bob is busy.")),
    )]);
}

#[test]
fn candidates_before_the_offer_are_kept_per_sender_and_applied_in_order() {
    let mut h = alice();
    h.table(vec![
        (
            server(cand_msg(Some("bob"), "alice", "b1", Some("tb"))),
            vec![],
        ),
        (server(cand_msg(None, "alice", "x2", None)), vec![]),
        (
            server(cand_msg(Some("carol"), "alice", "c1", Some("tc"))),
            vec![],
        ),
        (
            server(cand_msg(Some("bob"), "alice", "b-old", Some("other"))),
            vec![],
        ),
        (
            server(cand_msg(Some("bob"), "alice", "b3", Some("tb"))),
            vec![],
        ),
        // Not for us at all.
        (
            server(cand_msg(Some("bob"), "carol", "bc", Some("tb"))),
            vec![],
        ),
        (
            server(offer_msg("bob", "alice", "o1", Some("tb"))),
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
        // While the camera starts.
        (
            server(cand_msg(Some("bob"), "alice", "b4", Some("tb"))),
            vec![],
        ),
        (
            Input::MediaReady { call: 1 },
            vec![Action::AddLocalTracks { call: 1 }],
        ),
        // While the offer is being set.
        (
            server(cand_msg(Some("bob"), "alice", "b5", Some("tb"))),
            vec![],
        ),
        (
            Input::RemoteDescriptionSet { call: 1 },
            vec![
                add(1, "b1"),
                add(1, "x2"),
                add(1, "b3"),
                add(1, "b4"),
                add(1, "b5"),
                Action::SetLocalDescription { call: 1 },
            ],
        ),
        (
            server(cand_msg(Some("bob"), "alice", "b6", Some("tb"))),
            vec![add(1, "b6")],
        ),
        // An addIceCandidate failure is logged, never fatal.
        (
            Input::PeerOpFailed {
                call: 1,
                op: PeerOp::AddIceCandidate,
                message: "bad candidate".into(),
            },
            vec![],
        ),
    ]);
    assert_eq!(h.c.call_id(), Some(1));
}

#[test]
fn early_candidates_are_bounded() {
    let mut h = alice();
    for i in 0..250 {
        h.step(server(cand_msg(
            Some("bob"),
            "alice",
            &format!("b{i}"),
            None,
        )));
    }
    h.step(server(offer_msg("bob", "alice", "o1", None)));
    h.step(Input::MediaReady { call: 1 });
    let added = h.step(Input::RemoteDescriptionSet { call: 1 });
    let added: Vec<_> = added
        .iter()
        .filter(|a| matches!(a, Action::AddIceCandidate { .. }))
        .collect();
    assert_eq!(added.len(), 100);
    assert_eq!(added[0], &add(1, "b0"));
}

#[test]
fn messages_from_someone_else_or_spoofed_are_ignored() {
    let mut h = alice();
    let t = h.connected_as_caller("bob");
    h.table(vec![
        (
            server(cand_msg(Some("carol"), "alice", "c1", Some(&t))),
            vec![],
        ),
        // From carol, even with our token.
        (
            server(hang_up_msg(Some("carol"), Some("alice"), Some(&t), None)),
            vec![],
        ),
        // Claiming to be bob, without the token (bob's answer showed he uses tokens).
        (
            server(hang_up_msg(Some("bob"), Some("alice"), None, None)),
            vec![],
        ),
        (
            server(hang_up_msg(Some("bob"), None, Some("guess"), None)),
            vec![],
        ),
        // Bob hanging up on someone else, broadcast by the server.
        (
            server(hang_up_msg(Some("bob"), Some("carol"), Some(&t), None)),
            vec![],
        ),
        (
            server(hang_up_msg(None, Some("alice"), Some(&t), None)),
            vec![],
        ),
        (server(answer_msg("carol", "alice", "x", Some(&t))), vec![]),
        (
            server(answer_msg("bob", "alice", "x", Some("guess"))),
            vec![],
        ),
        // Stable: an answer nobody asked for.
        (server(answer_msg("bob", "alice", "x", Some(&t))), vec![]),
        (
            server(offer_msg("bob", "alice", "x", Some("guess"))),
            vec![],
        ),
        (server(offer_msg("bob", "carol", "x", Some(&t))), vec![]),
    ]);
    assert_eq!(h.c.call_id(), Some(1));
    assert_eq!(h.c.status().call, CallPhase::Connected);
    h.table(vec![(
        server(hang_up_msg(Some("bob"), None, Some(&t), None)),
        ended(1, Some("bob hung up.")),
    )]);
}

#[test]
fn messages_for_an_ended_call_are_ignored() {
    let mut h = alice();
    let t = h.connected_as_caller("bob");
    h.step(Input::HangUp);
    h.table(vec![
        // An answer for the ended call (it crossed our hang-up): bob is told again, or he
        // would sit in a call with nobody. Nothing else happens here.
        (
            server(answer_msg("bob", "alice", "late", Some(&t))),
            vec![hang_up("bob", &t, None)],
        ),
        (
            server(cand_msg(Some("bob"), "alice", "late", Some(&t))),
            vec![],
        ),
        (
            server(hang_up_msg(Some("bob"), Some("alice"), Some(&t), None)),
            vec![],
        ),
        // A renegotiation offer that crossed our hang-up must not ring again.
        (server(offer_msg("bob", "alice", "late", Some(&t))), vec![]),
    ]);
    assert_eq!(h.c.call_id(), None);
    // A new call from bob gets none of the late candidates.
    h.step(server(offer_msg("bob", "alice", "o2", Some("t2"))));
    assert_eq!(h.c.call_id(), Some(2));
    h.step(Input::MediaReady { call: 2 });
    h.table(vec![(
        Input::RemoteDescriptionSet { call: 2 },
        vec![Action::SetLocalDescription { call: 2 }],
    )]);
}

#[test]
fn media_failure_as_caller_tells_nobody() {
    let mut h = alice();
    h.step(Input::CallUser { name: "bob".into() });
    let msg = MediaError::NotAllowed.user_message();
    h.table(vec![(
        Input::MediaFailed {
            call: 1,
            error: MediaError::NotAllowed,
        },
        ended(1, Some(&msg)),
    )]);
    assert_eq!(h.c.status().call, CallPhase::Idle);
}

#[test]
fn media_failure_as_callee_tells_the_caller() {
    let mut h = alice();
    h.step(server(offer_msg("bob", "alice", "o1", Some("tb"))));
    let msg = MediaError::NotFound.user_message();
    h.table(vec![(
        Input::MediaFailed {
            call: 1,
            error: MediaError::NotFound,
        },
        with(hang_up("bob", "tb", Some("media")), ended(1, Some(&msg))),
    )]);
}

#[test]
fn ice_disconnected_then_recovered_keeps_the_call() {
    let mut h = alice();
    let t = h.connected_as_caller("bob");
    let grace = f64::from(ICE_DISCONNECTED_GRACE_MS);
    let timer = Action::StartTimer {
        timer: Timer::IceDisconnected(1),
        ms: ICE_DISCONNECTED_GRACE_MS,
    };
    let disconnected = Input::IceConnectionState {
        call: 1,
        state: Ice::Disconnected,
    };
    let connected = Input::IceConnectionState {
        call: 1,
        state: Ice::Connected,
    };
    let mut at = |now: f64, input: Input| visible(h.c.handle(now, input));
    assert_eq!(at(10_000.0, disconnected.clone()), vec![timer.clone()]);
    assert_eq!(at(10_500.0, disconnected.clone()), vec![]);
    assert_eq!(at(11_000.0, connected), vec![]);
    // The first period's timer, fired while connected again: nothing to do.
    assert_eq!(at(10_000.0 + grace, ice_timer(1)), vec![]);
    // Disconnected again: the timer starts afresh (replacing any earlier one still pending, so
    // that one cannot cut this period short; the wall clock plays no part, see `Millis`).
    assert_eq!(at(15_000.0, disconnected), vec![timer]);
    assert_eq!(h.c.status().call, CallPhase::Reconnecting);
    // Still disconnected when the grace ends: not the end of the call but an ICE restart
    // (client_restart.rs has the restart's scenarios).
    assert_eq!(
        visible(h.c.handle(15_000.0 + grace, ice_timer(1))),
        vec![
            Action::StartTimer {
                timer: Timer::IceRestart(1),
                ms: ICE_RESTART_ATTEMPT_MS,
            },
            Action::RestartIce { call: 1 },
        ]
    );
    assert_eq!(h.c.status().call, CallPhase::Reconnecting);
    assert_eq!(h.c.call_token(), Some(t.as_str()));
}

#[test]
fn ice_recovery_before_the_grace_ends() {
    let mut h = alice();
    h.connected_as_caller("bob");
    let grace = f64::from(ICE_DISCONNECTED_GRACE_MS);
    h.c.handle(
        20_000.0,
        Input::IceConnectionState {
            call: 1,
            state: Ice::Disconnected,
        },
    );
    assert_eq!(h.c.status().call, CallPhase::Reconnecting);
    h.c.handle(
        21_000.0,
        Input::IceConnectionState {
            call: 1,
            state: Ice::Completed,
        },
    );
    assert_eq!(h.c.status().call, CallPhase::Connected);
    assert_eq!(visible(h.c.handle(20_000.0 + grace, ice_timer(1))), vec![]);
    assert_eq!(h.c.call_id(), Some(1));
}

#[test]
fn ice_failed_before_ever_connecting_ends_the_call_and_tells_the_peer() {
    // (A call that had connected is restarted instead: client_restart.rs.)
    let (mut h, t) = caller_before_ice();
    h.table(vec![(
        Input::IceConnectionState {
            call: 1,
            state: Ice::Failed,
        },
        with(
            hang_up("bob", &t, Some("failed")),
            ended(1, Some("The connection to bob failed.")),
        ),
    )]);
}

#[test]
fn peer_op_failures() {
    let mut h = alice();
    let t = h.connected_as_caller("bob");
    h.step(server(offer_msg("bob", "alice", "o2", Some(&t))));
    h.table(vec![(
        Input::PeerOpFailed {
            call: 1,
            op: PeerOp::SetRemoteDescription,
            message: "bad sdp".into(),
        },
        with(
            hang_up("bob", &t, Some("error")),
            ended(
                1,
                Some("The call with bob failed (setRemoteDescription: bad sdp)."),
            ),
        ),
    )]);
}

#[test]
fn remote_tracks_ending_or_signaling_closing_ends_the_call() {
    let mut h = alice();
    let t = h.connected_as_caller("bob");
    h.table(vec![(
        Input::RemoteTracksEnded { call: 1 },
        with(
            hang_up("bob", &t, Some("error")),
            ended(1, Some("bob's camera and microphone stopped.")),
        ),
    )]);
    let mut h = alice();
    let t = h.connected_as_caller("bob");
    h.table(vec![(
        Input::SignalingState {
            call: 1,
            state: SignalingState::Closed,
        },
        with(
            hang_up("bob", &t, Some("error")),
            ended(1, Some("The call with bob was closed.")),
        ),
    )]);
}

#[test]
fn peer_leaving_the_user_list_ends_the_call_without_a_hang_up() {
    // (After our own socket closed and we logged in again, the call waits for the peer
    // instead: client_restart.rs.)
    let mut h = alice();
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
fn a_call_survives_a_socket_drop() {
    let mut h = alice();
    h.connected_as_caller("bob");
    h.table(vec![(
        Input::SocketClosed,
        vec![Action::StartTimer {
            timer: Timer::Reconnect,
            ms: 500,
        }],
    )]);
    assert_eq!(h.c.call_id(), Some(1));
    assert_eq!(h.c.status().call, CallPhase::Connected);
    // Media events go on; what cannot be sent now is logged, not handed to a closed socket.
    let acts = h.go(Input::LocalCandidate {
        call: 1,
        candidate: Some(cand("a9")),
    });
    assert!(visible(acts.clone()).is_empty());
    assert!(matches!(&acts[..], [Action::Log { text }] if text.contains("dropped")));
    h.table(vec![(Input::HangUp, ended(1, None))]);
}

#[test]
fn call_user_refusals_change_nothing() {
    let mut h = H::new();
    h.table(vec![(
        Input::CallUser { name: "bob".into() },
        vec![error("Log in before calling someone.")],
    )]);
    let mut h = alice();
    h.table(vec![
        (
            Input::CallUser {
                name: "alice".into(),
            },
            vec![error("You can't call yourself.")],
        ),
        (
            Input::CallUser {
                name: "dave".into(),
            },
            vec![error("dave is not online.")],
        ),
        (
            // The call starts: the last refusal no longer applies.
            Input::CallUser { name: "bob".into() },
            vec![
                Action::ClearError,
                Action::SetHangUpEnabled(true),
                Action::AcquireMedia { call: 1 },
                users(ALL, "alice", Some("bob")),
            ],
        ),
        (
            Input::CallUser {
                name: "carol".into(),
            },
            vec![error("You are already in a call with bob. Hang up first.")],
        ),
    ]);
    assert_eq!((h.c.call_id(), h.c.peer()), (Some(1), Some("bob")));
    let mut h = alice();
    h.step(Input::SocketClosed);
    h.table(vec![(
        Input::CallUser { name: "bob".into() },
        vec![error(
            "Not connected to the server yet; try again in a moment.",
        )],
    )]);
    assert_eq!(h.c.call_id(), None);
}

#[test]
fn inputs_for_stale_call_ids_are_ignored() {
    let mut h = alice();
    h.connected_as_caller("bob");
    h.step(Input::HangUp);
    h.step(Input::CallUser {
        name: "carol".into(),
    });
    assert_eq!(h.c.call_id(), Some(2));
    let before = h.c.status().clone();
    for call in [1, 99] {
        for input in [
            Input::MediaReady { call },
            Input::NegotiationNeeded { call },
            Input::LocalDescriptionSet {
                call,
                desc: offer("x"),
            },
            Input::RemoteDescriptionSet { call },
            Input::LocalCandidate {
                call,
                candidate: Some(cand("x")),
            },
            Input::IceConnectionState {
                call,
                state: Ice::Connected,
            },
            Input::IceConnectionState {
                call,
                state: Ice::Failed,
            },
            Input::IceGatheringState {
                call,
                state: IceGatheringState::Gathering,
            },
            Input::SignalingState {
                call,
                state: SignalingState::Closed,
            },
            Input::RemoteTrack { call },
            Input::RemoteTracksEnded { call },
            Input::PeerOpFailed {
                call,
                op: PeerOp::SetLocalDescription,
                message: "x".into(),
            },
            Input::MediaFailed {
                call,
                error: MediaError::Abort,
            },
            ice_timer(call),
        ] {
            let shown = format!("{input:?}");
            assert_eq!(h.go(input), vec![], "{shown}");
        }
    }
    assert_eq!(h.c.call_id(), Some(2));
    assert_eq!(h.c.status(), &before);
}

#[test]
fn offer_while_our_media_starts_makes_us_the_callee() {
    // Glare before any offer exists: alice called bob, bob's offer arrives first.
    let mut h = alice();
    h.step(Input::CallUser { name: "bob".into() });
    h.table(vec![
        (server(offer_msg("bob", "alice", "ob", Some("tb"))), vec![]),
        (
            Input::MediaReady { call: 1 },
            vec![
                Action::CreatePeer {
                    call: 1,
                    polite: false,
                },
                Action::SetRemoteDescription {
                    call: 1,
                    desc: offer("ob"),
                },
                Action::AddLocalTracks { call: 1 },
            ],
        ),
        (
            Input::RemoteDescriptionSet { call: 1 },
            vec![Action::SetLocalDescription { call: 1 }],
        ),
        (
            Input::LocalDescriptionSet {
                call: 1,
                desc: answer("a"),
            },
            vec![Action::Send(answer_msg("alice", "bob", "a", Some("tb")))],
        ),
    ]);
    assert_eq!(h.c.call_token(), Some("tb"));
}

#[test]
fn impolite_side_ignores_a_colliding_offer() {
    let mut h = alice();
    h.step(Input::CallUser { name: "bob".into() });
    let t = h.token();
    h.step(Input::MediaReady { call: 1 });
    h.table(vec![
        (
            Input::NegotiationNeeded { call: 1 },
            vec![Action::SetLocalDescription { call: 1 }],
        ),
        // Making our offer: bob's collides and is ignored.
        (server(offer_msg("bob", "alice", "ob", Some("tb"))), vec![]),
        (
            Input::SignalingState {
                call: 1,
                state: SignalingState::HaveLocalOffer,
            },
            vec![],
        ),
        (
            Input::LocalDescriptionSet {
                call: 1,
                desc: offer("oa"),
            },
            vec![Action::Send(offer_msg("alice", "bob", "oa", Some(&t)))],
        ),
        // In have-local-offer: another collision.
        (server(offer_msg("bob", "alice", "ob2", Some("tb"))), vec![]),
        // Bob, polite, answers ours with our token.
        (
            server(answer_msg("bob", "alice", "ab", Some(&t))),
            vec![Action::SetRemoteDescription {
                call: 1,
                desc: answer("ab"),
            }],
        ),
    ]);
    assert_eq!(h.c.call_token(), Some(t.as_str()));
}

#[test]
fn polite_side_rolls_back_for_a_colliding_offer() {
    // bob > alice: bob is polite.
    let mut h = H::logged_in("bob", &["alice", "bob"]);
    h.step(Input::CallUser {
        name: "alice".into(),
    });
    assert_eq!(h.c.is_polite(), Some(true));
    h.step(Input::MediaReady { call: 1 });
    h.table(vec![
        (
            Input::NegotiationNeeded { call: 1 },
            vec![Action::SetLocalDescription { call: 1 }],
        ),
        // Our offer has not surfaced a candidate yet: the rollback waits (docs/glare.md).
        (server(offer_msg("alice", "bob", "oa", Some("ta"))), vec![]),
        // Our offer finished before the rollback: it is not sent.
        (
            Input::LocalDescriptionSet {
                call: 1,
                desc: offer("ob"),
            },
            vec![],
        ),
        // Its first candidate: now the peer's offer rolls ours back.
        (
            Input::LocalCandidate {
                call: 1,
                candidate: Some(cand("c-ob")),
            },
            vec![
                Action::Send(cand_msg(Some("bob"), "alice", "c-ob", Some("ta"))),
                Action::SetRemoteDescription {
                    call: 1,
                    desc: offer("oa"),
                },
            ],
        ),
        (
            Input::RemoteDescriptionSet { call: 1 },
            vec![Action::SetLocalDescription { call: 1 }],
        ),
        (
            Input::LocalDescriptionSet {
                call: 1,
                desc: answer("ab"),
            },
            vec![Action::Send(answer_msg("bob", "alice", "ab", Some("ta")))],
        ),
    ]);
    assert_eq!(h.c.call_token(), Some("ta"));
}

#[test]
fn polite_side_rolls_back_at_once_when_its_offer_has_candidates() {
    let mut h = H::logged_in("bob", &["alice", "bob"]);
    h.step(Input::CallUser {
        name: "alice".into(),
    });
    h.step(Input::MediaReady { call: 1 });
    h.step(Input::NegotiationNeeded { call: 1 });
    h.step(Input::LocalDescriptionSet {
        call: 1,
        desc: offer("ob"),
    });
    h.step(Input::LocalCandidate {
        call: 1,
        candidate: Some(cand("c-ob")),
    });
    h.table(vec![(
        server(offer_msg("alice", "bob", "oa", Some("ta"))),
        vec![Action::SetRemoteDescription {
            call: 1,
            desc: offer("oa"),
        }],
    )]);
}

#[test]
fn a_deferred_rollback_happens_when_gathering_ends_without_candidates() {
    let mut h = H::logged_in("bob", &["alice", "bob"]);
    h.step(Input::CallUser {
        name: "alice".into(),
    });
    h.step(Input::MediaReady { call: 1 });
    h.step(Input::NegotiationNeeded { call: 1 });
    h.table(vec![
        (server(offer_msg("alice", "bob", "oa", Some("ta"))), vec![]),
        (
            Input::LocalCandidate {
                call: 1,
                candidate: None,
            },
            vec![Action::SetRemoteDescription {
                call: 1,
                desc: offer("oa"),
            }],
        ),
    ]);
}

#[test]
fn renegotiation_offer_from_the_peer_is_answered() {
    let mut h = alice();
    let t = h.connected_as_caller("bob");
    h.table(vec![
        (
            server(offer_msg("bob", "alice", "o2", Some(&t))),
            vec![Action::SetRemoteDescription {
                call: 1,
                desc: offer("o2"),
            }],
        ),
        (
            Input::RemoteDescriptionSet { call: 1 },
            vec![Action::SetLocalDescription { call: 1 }],
        ),
        (
            Input::LocalDescriptionSet {
                call: 1,
                desc: answer("a2"),
            },
            vec![Action::Send(answer_msg("alice", "bob", "a2", Some(&t)))],
        ),
    ]);
}

#[test]
fn offers_for_someone_else_are_ignored() {
    let mut h = alice();
    h.table(vec![
        (server(offer_msg("bob", "carol", "o", Some("tb"))), vec![]),
        (server(offer_msg("alice", "alice", "o", Some("tb"))), vec![]),
        (
            server(Message::VideoOffer {
                name: "bob".into(),
                target: "alice".into(),
                sdp: answer("not an offer"),
                call: None,
            }),
            vec![],
        ),
    ]);
    assert_eq!(h.c.call_id(), None);
}

#[test]
fn offer_while_the_answer_is_being_applied_is_no_collision() {
    // MDN: readyForOffer = !makingOffer && (stable || isSettingRemoteAnswerPending). Alice is
    // impolite, yet bob's next offer must not be ignored: her answer will make her stable
    // before his offer is applied (the browser chains the two).
    let mut h = alice();
    h.step(Input::CallUser { name: "bob".into() });
    let t = h.token();
    h.step(Input::MediaReady { call: 1 });
    h.step(Input::NegotiationNeeded { call: 1 });
    h.step(Input::SignalingState {
        call: 1,
        state: SignalingState::HaveLocalOffer,
    });
    h.step(Input::LocalDescriptionSet {
        call: 1,
        desc: offer("o1"),
    });
    h.table(vec![
        (
            server(answer_msg("bob", "alice", "a1", Some(&t))),
            vec![Action::SetRemoteDescription {
                call: 1,
                desc: answer("a1"),
            }],
        ),
        (
            server(offer_msg("bob", "alice", "o2", Some(&t))),
            vec![Action::SetRemoteDescription {
                call: 1,
                desc: offer("o2"),
            }],
        ),
        // The answer's result: no answer of ours yet (the offer's result brings that).
        (Input::RemoteDescriptionSet { call: 1 }, vec![]),
        (
            Input::RemoteDescriptionSet { call: 1 },
            vec![Action::SetLocalDescription { call: 1 }],
        ),
    ]);
}

#[test]
fn negotiationneeded_while_answering_is_ignored() {
    let mut h = alice();
    h.step(server(offer_msg("bob", "alice", "o1", Some("tb"))));
    h.step(Input::MediaReady { call: 1 });
    // Still stable as far as events told us, but an offer is being applied: an offer of our
    // own now would collide with the answer being made.
    h.table(vec![
        (Input::NegotiationNeeded { call: 1 }, vec![]),
        (
            Input::RemoteDescriptionSet { call: 1 },
            vec![Action::SetLocalDescription { call: 1 }],
        ),
        (Input::NegotiationNeeded { call: 1 }, vec![]),
    ]);
}

/// Alice's call to bob with offer and answer applied but ICE not connected yet.
fn caller_before_ice() -> (H, String) {
    let mut h = alice();
    h.go(Input::CallUser { name: "bob".into() });
    h.go(Input::MediaReady { call: 1 });
    h.go(Input::NegotiationNeeded { call: 1 });
    h.go(Input::LocalDescriptionSet {
        call: 1,
        desc: offer("o1"),
    });
    let t = h.token();
    h.go(server(answer_msg("bob", "alice", "a1", Some(&t))));
    let actions = h.go(Input::RemoteDescriptionSet { call: 1 });
    // The deadline starts once both descriptions are applied, not before (a callee may sit on
    // a permission prompt for as long as it likes).
    assert!(actions.contains(&Action::StartTimer {
        timer: Timer::Connect(1),
        ms: CONNECT_TIMEOUT_MS,
    }));
    (h, t)
}

#[test]
fn connect_deadline_ends_a_call_that_never_connects() {
    let (mut h, t) = caller_before_ice();
    h.table(vec![
        (
            Input::IceCandidateError {
                call: 1,
                url: "turn:127.0.0.1:3478?transport=udp".into(),
                code: 401,
                text: "Unauthorized".into(),
            },
            vec![],
        ),
        (
            Input::TimerFired {
                timer: Timer::Connect(1),
            },
            with(
                hang_up("bob", &t, Some("failed")),
                ended(
                    1,
                    Some(
                        "Could not connect to bob: the ICE server failed \
                         (turn:127.0.0.1:3478?transport=udp: 401 Unauthorized). \
                         Check the TURN server and its credentials.",
                    ),
                ),
            ),
        ),
    ]);
}

#[test]
fn connect_deadline_is_harmless_once_connected() {
    let (mut h, _) = caller_before_ice();
    h.go(Input::IceConnectionState {
        call: 1,
        state: Ice::Connected,
    });
    let fired = Input::TimerFired {
        timer: Timer::Connect(1),
    };
    assert_eq!(h.step(fired), vec![]);
    assert_eq!(h.c.call_id(), Some(1));
}

#[test]
fn callee_starts_the_connect_deadline_with_its_answer() {
    let mut h = alice();
    h.go(server(offer_msg("bob", "alice", "o1", Some("tb"))));
    h.go(Input::MediaReady { call: 1 });
    h.go(Input::RemoteDescriptionSet { call: 1 });
    let actions = h.go(Input::LocalDescriptionSet {
        call: 1,
        desc: answer("a1"),
    });
    assert!(actions.contains(&Action::StartTimer {
        timer: Timer::Connect(1),
        ms: CONNECT_TIMEOUT_MS,
    }));
}

#[test]
fn gathering_nothing_at_all_ends_the_call_at_once() {
    let (mut h, t) = caller_before_ice();
    h.table(vec![(
        Input::IceGatheringState {
            call: 1,
            state: IceGatheringState::Complete,
        },
        with(
            hang_up("bob", &t, Some("failed")),
            ended(
                1,
                Some("Could not connect to bob: no network path was found."),
            ),
        ),
    )]);
}

#[test]
fn gathering_complete_after_candidates_changes_nothing() {
    let (mut h, _) = caller_before_ice();
    h.go(Input::LocalCandidate {
        call: 1,
        candidate: Some(cand("a1")),
    });
    let done = Input::IceGatheringState {
        call: 1,
        state: IceGatheringState::Complete,
    };
    assert_eq!(h.step(done), vec![]);
    assert_eq!(h.c.call_id(), Some(1));
}
