//! Scenario tables for the session part of the client: login, rename, user list, chat, the
//! signaling socket and its reconnection, and the status line.

mod common;

use chat_core::call::{Action, CallPhase, Input, Timer, RECONNECT_MAX_MS, RECONNECT_MIN_MS};
use chat_core::{Client, Message};
use common::*;

#[test]
fn login_then_server_rename() {
    let mut h = H::new();
    h.table(vec![
        (
            Input::Login { name: "   ".into() },
            vec![error("Enter a user name to log in.")],
        ),
        // A new login: the refusal goes.
        (
            Input::Login {
                name: "  alice ".into(),
            },
            vec![Action::ClearError, Action::Connect],
        ),
        // Still connecting: no second socket.
        (
            Input::Login {
                name: "alice".into(),
            },
            vec![],
        ),
        (Input::SocketOpen, vec![]),
    ]);
    assert!(h.c.status().connected);
    assert_eq!(h.c.client_id(), None);
    let date = h.now + 1.0;
    h.table(vec![
        (
            server(Message::Id { id: 7 }),
            vec![Action::Send(Message::Username {
                id: 7,
                name: "alice".into(),
                date,
            })],
        ),
        (
            server(Message::RejectUsername {
                id: Some(7),
                name: "alice2".into(),
            }),
            vec![Action::ShowName {
                name: "alice2".into(),
            }],
        ),
    ]);
    assert_eq!(h.c.client_id(), Some(7));
    assert_eq!(h.c.me(), Some("alice2"));
}

#[test]
fn login_again_while_connected_renames() {
    let mut h = H::logged_in("alice", &["alice"]);
    // The clock advances 1 ms per step: the rename is the second step.
    let date = h.now + 2.0;
    h.table(vec![
        (
            Input::Login {
                name: "alice".into(),
            },
            vec![],
        ),
        (
            Input::Login {
                name: "carol".into(),
            },
            vec![Action::Send(Message::Username {
                id: 7,
                name: "carol".into(),
                date,
            })],
        ),
    ]);
}

#[test]
fn user_list_drops_nulls_and_keeps_server_order() {
    let mut h = H::logged_in("alice", &["alice"]);
    h.table(vec![(
        server(Message::UserList {
            users: vec![
                None,
                Some("zoe".into()),
                None,
                Some("alice".into()),
                Some("bob".into()),
            ],
        }),
        vec![users(&["zoe", "alice", "bob"], "alice", None)],
    )]);
    assert_eq!(h.c.users(), ["zoe", "alice", "bob"]);
}

#[test]
fn chat_send_and_receive() {
    let mut h = H::new();
    h.table(vec![(
        Input::SendChat { text: "hi".into() },
        vec![error("Log in to chat.")],
    )]);
    let mut h = H::logged_in("alice", &["alice", "bob"]);
    let date = h.now + 1.0;
    h.table(vec![
        (
            Input::SendChat {
                text: " \n ".into(),
            },
            vec![],
        ),
        (
            Input::SendChat {
                text: "hello <b>bob</b>".into(),
            },
            vec![
                Action::Send(Message::Chat {
                    id: Some(7),
                    name: None,
                    text: "hello <b>bob</b>".into(),
                    date: date + 1.0,
                }),
                Action::ClearChatInput,
            ],
        ),
        (
            server(Message::Chat {
                id: None,
                name: Some("bob".into()),
                text: "yo".into(),
                date: 5.0,
            }),
            vec![Action::ShowChat {
                from: "bob".into(),
                text: "yo".into(),
                date: 5.0,
            }],
        ),
        (
            server(Message::Chat {
                id: None,
                name: None,
                text: "?".into(),
                date: 6.0,
            }),
            vec![Action::ShowChat {
                from: "unknown".into(),
                text: "?".into(),
                date: 6.0,
            }],
        ),
    ]);
}

#[test]
fn socket_drop_reconnects_with_doubling_backoff_then_resends_the_name() {
    let mut h = H::logged_in("alice", &["alice"]);
    let timer = |ms| {
        vec![Action::StartTimer {
            timer: Timer::Reconnect,
            ms,
        }]
    };
    let reconnect = Input::TimerFired {
        timer: Timer::Reconnect,
    };
    let mut steps = vec![
        (Input::SocketClosed, timer(RECONNECT_MIN_MS)),
        // `error` then `close`: one reconnection, not two.
        (Input::SocketClosed, vec![]),
    ];
    let mut ms = RECONNECT_MIN_MS;
    for _ in 0..6 {
        ms = (ms * 2).min(RECONNECT_MAX_MS);
        steps.push((reconnect.clone(), vec![Action::Connect]));
        steps.push((Input::SocketClosed, timer(ms)));
    }
    h.table(steps);
    assert_eq!(ms, RECONNECT_MAX_MS);
    assert!(!h.c.status().connected);
    assert_eq!(h.c.client_id(), None);
    let date = h.now + 4.0; // the `id` is the fourth step
    h.table(vec![
        (reconnect.clone(), vec![Action::Connect]),
        // A timer that fires while connecting opens nothing.
        (reconnect, vec![]),
        (Input::SocketOpen, vec![]),
        (
            server(Message::Id { id: 99 }),
            vec![Action::Send(Message::Username {
                id: 99,
                name: "alice".into(),
                date,
            })],
        ),
        // Open again: the backoff starts over.
        (Input::SocketClosed, timer(RECONNECT_MIN_MS)),
    ]);
}

#[test]
fn no_reconnection_before_login() {
    let mut c = Client::new(1);
    assert!(visible(c.handle(1.0, Input::SocketClosed)).is_empty());
    assert!(visible(c.handle(
        2.0,
        Input::TimerFired {
            timer: Timer::Reconnect
        }
    ))
    .is_empty());
}

#[test]
fn status_is_emitted_once_per_change() {
    let mut c = Client::new(1);
    let statuses = |acts: Vec<Action>| {
        acts.into_iter()
            .filter_map(|a| match a {
                Action::ShowStatus(s) => Some(s),
                _ => None,
            })
            .collect::<Vec<_>>()
    };
    assert!(statuses(c.handle(
        1.0,
        Input::Login {
            name: "alice".into()
        }
    ))
    .is_empty());
    let opened = statuses(c.handle(2.0, Input::SocketOpen));
    assert_eq!(opened.len(), 1);
    assert!(opened[0].connected);
    assert_eq!(opened[0].call, CallPhase::Idle);
    assert!(statuses(c.handle(3.0, Input::SocketOpen)).is_empty());
    assert_eq!(c.status(), &opened[0]);
}

#[test]
fn server_errors_and_odd_frames_are_never_fatal() {
    let mut h = H::logged_in("alice", &["alice"]);
    h.table(vec![
        (
            server(Message::Error {
                text: "too fast".into(),
            }),
            vec![error("The server refused a message: too fast")],
        ),
        (
            Input::BadFrame {
                error: chat_core::DecodeError::NotJson,
            },
            vec![],
        ),
        (
            server(Message::Unknown {
                kind: "x".into(),
                raw: chat_core::Value::Null,
            }),
            vec![],
        ),
    ]);
    assert_eq!(h.c.me(), Some("alice"));
}
