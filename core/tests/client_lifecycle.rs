//! The core announces, the shell shows: call lifecycle actions (`CallIncoming`, `CallStarted`,
//! `CallEnded` with its reason and notice), `ClearError` when a notice no longer applies, and
//! the ICE-server refresh policy (`RefreshIceServers`). The page's host events and view render
//! these as they come (src/host.rs); nothing is inferred from `ShowStatus`.
//!
//! Cast: we are `alice`; `bob` and `carol` are online.

mod common;

use chat_core::call::{
    Action, EndReason, IceConnectionState as Ice, IceGatheringState, Input, MediaError, PeerOp,
    Timer, ICE_DISCONNECTED_GRACE_MS, ICE_RESTART_ATTEMPTS,
};
use common::*;

const ALL: &[&str] = &["alice", "bob", "carol"];

fn alice() -> H {
    H::logged_in("alice", ALL)
}

/// Only what this file is about: lifecycle announcements, errors shown and cleared, refreshes.
fn announced(actions: Vec<Action>) -> Vec<Action> {
    actions
        .into_iter()
        .filter(|a| {
            matches!(
                a,
                Action::CallIncoming { .. }
                    | Action::CallStarted { .. }
                    | Action::CallEnded { .. }
                    | Action::RefreshIceServers
                    | Action::ShowError { .. }
                    | Action::ClearError
            )
        })
        .collect()
}

fn started(call: u32, peer: &str) -> Action {
    Action::CallStarted {
        call,
        peer: peer.into(),
    }
}

fn ended(
    call: Option<u32>,
    peer: &str,
    connected: bool,
    reason: EndReason,
    notice: Option<&str>,
) -> Action {
    Action::CallEnded {
        call,
        peer: peer.into(),
        connected,
        reason,
        notice: notice.map(str::to_owned),
    }
}

/// alice calls bob and the peer connection exists (media ready, offer out).
fn calling_bob(h: &mut H) -> (u32, String) {
    h.go(Input::CallUser { name: "bob".into() });
    let call = h.call();
    h.go(Input::MediaReady { call });
    h.go(Input::NegotiationNeeded { call });
    h.go(Input::LocalDescriptionSet {
        call,
        desc: offer("o1"),
    });
    (call, h.token())
}

#[test]
fn a_call_starts_once_when_media_flows_and_ends_with_who_ended_it() {
    let mut h = alice();
    h.go(Input::CallUser { name: "bob".into() });
    let call = h.call();
    h.go(Input::MediaReady { call });
    h.go(Input::NegotiationNeeded { call });
    h.go(Input::LocalDescriptionSet {
        call,
        desc: offer("o1"),
    });
    let token = h.token();
    h.go(server(answer_msg("bob", "alice", "a1", Some(&token))));
    h.go(Input::RemoteDescriptionSet { call });
    let checking = h.go(Input::IceConnectionState {
        call,
        state: Ice::Checking,
    });
    assert_eq!(announced(checking), vec![]);
    let connected = h.go(Input::IceConnectionState {
        call,
        state: Ice::Connected,
    });
    assert_eq!(announced(connected), vec![started(call, "bob")]);
    // A blip and its recovery, or `completed`, do not start the call again.
    for state in [Ice::Disconnected, Ice::Connected, Ice::Completed] {
        assert_eq!(
            announced(h.go(Input::IceConnectionState { call, state })),
            vec![]
        );
    }
    let hang_up = h.go(Input::HangUp);
    assert_eq!(
        announced(hang_up.clone()),
        vec![
            Action::RefreshIceServers,
            ended(Some(call), "bob", true, EndReason::HungUp, None),
        ]
    );
    // Announced last, after the call is closed and the idle status shown: a host that reacts
    // sees it gone.
    assert!(
        matches!(hang_up.last(), Some(Action::CallEnded { .. })),
        "{hang_up:?}"
    );
    assert!(hang_up.contains(&Action::ClosePeer { call }));
    assert!(hang_up.iter().any(|a| matches!(a, Action::ShowStatus(_))));
}

#[test]
fn every_ending_says_why_with_the_notice_shown() {
    type Ending = (Input, EndReason, Option<&'static str>);
    /// From the call's id and token: the input that ends it, and the expected reason and notice.
    type Case = Box<dyn Fn(u32, &str) -> Ending>;
    fn peer_hang_up(reason: Option<&str>, token: &str) -> Input {
        server(hang_up_msg(Some("bob"), Some("alice"), Some(token), reason))
    }
    let cases: Vec<(&str, Case)> = vec![
        (
            "hang-up",
            Box::new(|_, t| {
                (
                    peer_hang_up(None, t),
                    EndReason::PeerHungUp,
                    Some("bob hung up."),
                )
            }),
        ),
        (
            "busy",
            Box::new(|_, t| {
                (
                    peer_hang_up(Some("busy"), t),
                    EndReason::PeerBusy,
                    Some("bob is busy."),
                )
            }),
        ),
        (
            "declined",
            Box::new(|_, t| {
                (
                    peer_hang_up(Some("declined"), t),
                    EndReason::PeerDeclined,
                    Some("bob declined the call."),
                )
            }),
        ),
        (
            "media",
            Box::new(|_, t| {
                (
                    peer_hang_up(Some("media"), t),
                    EndReason::PeerMedia,
                    Some("bob could not start their camera or microphone."),
                )
            }),
        ),
        (
            "lost",
            Box::new(|_, t| {
                (
                    peer_hang_up(Some("lost"), t),
                    EndReason::PeerFailed,
                    Some("The call with bob failed."),
                )
            }),
        ),
        (
            "gone",
            Box::new(|_, t| {
                (
                    peer_hang_up(Some("gone"), t),
                    EndReason::PeerLeft,
                    Some("bob left."),
                )
            }),
        ),
        (
            "left the list",
            Box::new(|_, _| {
                (
                    user_list(&["alice", "carol"]),
                    EndReason::PeerLeft,
                    Some("bob left."),
                )
            }),
        ),
        (
            "ice failed",
            Box::new(|call, _| {
                (
                    Input::IceConnectionState {
                        call,
                        state: Ice::Failed,
                    },
                    EndReason::Failed,
                    Some("The connection to bob failed."),
                )
            }),
        ),
        (
            "nothing gathered",
            Box::new(|call, _| {
                (
                    Input::IceGatheringState {
                        call,
                        state: IceGatheringState::Complete,
                    },
                    EndReason::Failed,
                    Some("Could not connect to bob: no network path was found."),
                )
            }),
        ),
        (
            "add tracks",
            Box::new(|call, _| {
                (
                    Input::PeerOpFailed {
                        call,
                        op: PeerOp::AddLocalTracks,
                        message: "InvalidAccessError: refused".into(),
                    },
                    EndReason::Error,
                    Some("The call with bob failed (addTrack: InvalidAccessError: refused)."),
                )
            }),
        ),
    ];
    for (name, case) in cases {
        let mut h = alice();
        let (call, token) = calling_bob(&mut h);
        let (input, reason, notice) = case(call, &token);
        let got = announced(h.go(input));
        let mut want: Vec<Action> = vec![Action::RefreshIceServers];
        want.extend(notice.map(error));
        want.push(ended(Some(call), "bob", false, reason, notice));
        assert_eq!(got, want, "{name}");
    }
}

#[test]
fn a_failure_of_ours_tells_the_peer_the_same_reason() {
    let mut h = alice();
    let (call, token) = calling_bob(&mut h);
    h.go(Input::IceConnectionState {
        call,
        state: Ice::Connected,
    });
    h.go(Input::IceConnectionState {
        call,
        state: Ice::Disconnected,
    });
    h.now += f64::from(ICE_DISCONNECTED_GRACE_MS);
    h.go(ice_timer(call));
    // The grace ends in ICE restarts; the last attempt's end ends the call.
    let mut got = Vec::new();
    for _ in 0..ICE_RESTART_ATTEMPTS {
        got = h.go(Input::TimerFired {
            timer: Timer::IceRestart(call),
        });
    }
    let notice = "The connection to bob was lost and could not be restored (3 attempts in 30 s).";
    assert!(got.contains(&Action::Send(hang_up_msg(
        Some("alice"),
        Some("bob"),
        Some(&token),
        Some("lost")
    ))));
    assert_eq!(
        announced(got),
        vec![
            Action::RefreshIceServers,
            error(notice),
            ended(Some(call), "bob", true, EndReason::Lost, Some(notice)),
        ]
    );
}

#[test]
fn ice_servers_are_refreshed_only_after_a_call_that_used_them() {
    let mut h = alice();
    h.go(Input::CallUser { name: "bob".into() });
    let call = h.call();
    // The camera never started: no peer connection, no TURN allocation.
    let got = h.go(Input::MediaFailed {
        call,
        error: MediaError::NotFound,
    });
    let notice = MediaError::NotFound.user_message();
    assert_eq!(
        announced(got),
        vec![
            error(&notice),
            ended(Some(call), "bob", false, EndReason::Media, Some(&notice)),
        ]
    );
    h.go(Input::CallUser { name: "bob".into() });
    let got = h.go(Input::HangUp);
    assert!(!got.contains(&Action::RefreshIceServers), "{got:?}");
}

#[test]
fn a_notice_is_cleared_when_it_no_longer_applies() {
    let mut h = alice();
    let (_, token) = calling_bob(&mut h);
    h.go(server(hang_up_msg(
        Some("bob"),
        Some("alice"),
        Some(&token),
        None,
    )));
    // Dismissed by the person: cleared once, and nothing to clear after that.
    assert_eq!(h.step(Input::DismissError), vec![Action::ClearError]);
    assert_eq!(h.step(Input::DismissError), vec![]);

    // A new call.
    let (_, token) = calling_bob(&mut h);
    h.go(server(hang_up_msg(
        Some("bob"),
        Some("alice"),
        Some(&token),
        None,
    )));
    let got = h.step(Input::CallUser {
        name: "carol".into(),
    });
    assert_eq!(got.first(), Some(&Action::ClearError), "{got:?}");
    h.go(Input::HangUp);
    // Hanging up ourselves shows nothing, so a new call has nothing to clear.
    let got = h.step(Input::CallUser { name: "bob".into() });
    assert!(!got.contains(&Action::ClearError), "{got:?}");
    h.go(Input::HangUp);

    // A new login (another name).
    h.go(Input::CallUser {
        name: "dave".into(),
    });
    let got = h.step(Input::Login {
        name: "alicia".into(),
    });
    assert_eq!(got.first(), Some(&Action::ClearError), "{got:?}");

    // An incoming call.
    let mut h = alice();
    h.go(Input::CallUser {
        name: "dave".into(),
    });
    let got = h.step(server(offer_msg("bob", "alice", "o1", Some("tb"))));
    assert_eq!(got.first(), Some(&Action::ClearError), "{got:?}");
}

#[test]
fn a_ringing_call_announces_itself_and_its_unanswered_end() {
    let ringing = || {
        let mut h = alice();
        h.c.set_auto_accept(false);
        let got = h.go(server(offer_msg("bob", "alice", "o1", Some("tb"))));
        assert_eq!(
            announced(got),
            vec![Action::CallIncoming { from: "bob".into() }]
        );
        h
    };
    let mut h = ringing();
    assert_eq!(
        announced(h.go(Input::Decline)),
        vec![ended(None, "bob", false, EndReason::Declined, None)]
    );
    let mut h = ringing();
    let got = h.go(server(hang_up_msg(
        Some("bob"),
        Some("alice"),
        Some("tb"),
        None,
    )));
    assert_eq!(
        announced(got),
        vec![
            error("Missed call from bob."),
            ended(
                None,
                "bob",
                false,
                EndReason::Missed,
                Some("Missed call from bob.")
            ),
        ]
    );
    let mut h = ringing();
    let got = h.go(user_list(&["alice", "carol"]));
    assert_eq!(
        announced(got),
        vec![
            error("bob left."),
            ended(None, "bob", false, EndReason::PeerLeft, Some("bob left.")),
        ]
    );
    // Accepted: the ringing call becomes the call, announced when its media flows.
    let mut h = ringing();
    assert_eq!(announced(h.go(Input::Accept)), vec![]);
    let call = h.call();
    h.go(Input::MediaReady { call });
    h.go(Input::RemoteDescriptionSet { call });
    assert_eq!(
        announced(h.go(Input::IceConnectionState {
            call,
            state: Ice::Connected
        })),
        vec![started(call, "bob")]
    );
}
