//! Auto-accept off (`Client::set_auto_accept(false)`, the embed API's `autoAccept: false`): an
//! incoming call rings until the host accepts or declines it.
//!
//! Cast: we are `alice`; `bob` and `carol` are online.

mod common;

use chat_core::call::{Action, CallPhase, Input};
use common::*;

const ALL: &[&str] = &["alice", "bob", "carol"];

fn alice() -> H {
    let mut h = H::logged_in("alice", ALL);
    h.c.set_auto_accept(false);
    h
}

/// The call rings (its end, `CallEnded` with no call, is checked in client_lifecycle.rs).
fn ringing(from: &str) -> Action {
    Action::CallIncoming {
        from: from.to_owned(),
    }
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
            vec![ringing("bob")],
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
    assert_eq!(h.c.status().call, CallPhase::Idle);
    h.table(vec![
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
                    desc: offer("o2"),
                },
                users(ALL, "alice", Some("bob")),
            ],
        ),
        (
            Input::MediaReady { call: 1 },
            vec![Action::AddLocalTracks { call: 1 }],
        ),
        (
            Input::RemoteDescriptionSet { call: 1 },
            vec![add(1, "b1"), Action::SetLocalDescription { call: 1 }],
        ),
    ]);
    assert_eq!(h.c.ringing(), None);
    assert_eq!(h.c.call_token(), Some("tb"));
    // Nothing left to accept or decline.
    h.table(vec![(Input::Accept, vec![]), (Input::Decline, vec![])]);
    assert_eq!(h.c.call_id(), Some(1));
}

#[test]
fn decline_tells_the_caller_and_the_next_call_rings_again() {
    let mut h = alice();
    h.table(vec![
        (
            server(offer_msg("bob", "alice", "o1", Some("tb"))),
            vec![ringing("bob")],
        ),
        (
            Input::Decline,
            vec![send_hang_up("bob", Some("tb"), "declined")],
        ),
        (
            server(offer_msg("bob", "alice", "o3", None)),
            vec![ringing("bob")],
        ),
        (Input::Decline, vec![send_hang_up("bob", None, "declined")]),
    ]);
    assert_eq!(h.c.call_id(), None);
}

#[test]
fn the_caller_gives_up_or_leaves() {
    let mut h = alice();
    h.table(vec![
        (
            server(offer_msg("bob", "alice", "o1", Some("tb"))),
            vec![ringing("bob")],
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
            vec![error("bob hung up.")],
        ),
        (
            // A new call: the notice about bob's goes.
            server(offer_msg("carol", "alice", "oc", None)),
            vec![Action::ClearError, ringing("carol")],
        ),
        (
            user_list(&["alice", "bob"]),
            vec![
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
            vec![ringing("bob")],
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
