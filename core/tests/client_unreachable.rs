//! The status line while the signaling server cannot be reached: which server, that the client
//! keeps retrying and when, what to check; back to normal once the socket opens.

mod common;

use chat_core::call::{Action, Input, Status, Timer, RECONNECT_MAX_MS, RECONNECT_MIN_MS};
use chat_core::{Client, Unreachable};

const URL: &str = "ws://127.0.0.1:9/signal";

/// The status shown by these actions (the last `ShowStatus`), if any.
fn shown(actions: &[Action]) -> Option<Status> {
    actions.iter().rev().find_map(|a| match a {
        Action::ShowStatus(s) => Some(s.clone()),
        _ => None,
    })
}

fn reconnect_ms(actions: &[Action]) -> Option<u32> {
    actions.iter().find_map(|a| match a {
        Action::StartTimer {
            timer: Timer::Reconnect,
            ms,
        } => Some(*ms),
        _ => None,
    })
}

const FIRE: Input = Input::TimerFired {
    timer: Timer::Reconnect,
};

fn client() -> Client {
    let mut c = Client::new(1);
    c.set_server(URL);
    c
}

#[test]
fn a_socket_that_never_opens_names_the_server_the_next_try_and_what_to_check() {
    let mut c = client();
    assert_eq!(
        c.handle(1_000.0, Input::Login { name: "a".into() }),
        vec![Action::Connect]
    );
    // Refused (or a refused handshake): the browser fires `close` without `open`.
    let actions = c.handle(1_100.0, Input::SocketClosed);
    assert_eq!(reconnect_ms(&actions), Some(RECONNECT_MIN_MS));
    let status = shown(&actions).expect("the status changes at once");
    assert!(!status.connected);
    let u = status.unreachable.expect("unreachable");
    assert_eq!(u.server, URL);
    assert_eq!(u.failures, 1);
    assert_eq!(u.retry_at, Some(1_100.0 + f64::from(RECONNECT_MIN_MS)));
    assert_eq!(
        u.text,
        "Cannot reach the signaling server at ws://127.0.0.1:9/signal (1 failed attempt). \
         Trying again in 1 s. Check that the server is running at that address and accepts \
         WebSocket subprotocol \"json\" (our relay: cargo run -p webrtc-chat-relay), or give the \
         page another one: ?signal=ws://host:port/signal."
    );

    // The retry starts: "now", then the next failure waits twice as long.
    let actions = c.handle(1_600.0, FIRE);
    assert_eq!(actions.first(), Some(&Action::Connect));
    let u = shown(&actions).and_then(|s| s.unreachable).expect("still");
    assert_eq!((u.failures, u.retry_at), (1, None));
    assert!(
        u.text.contains("(1 failed attempt). Trying again now…"),
        "{}",
        u.text
    );
    let actions = c.handle(1_700.0, Input::SocketClosed);
    let u = shown(&actions).and_then(|s| s.unreachable).expect("still");
    assert_eq!(u.failures, 2);
    assert_eq!(
        u.retry_at,
        Some(1_700.0 + 2.0 * f64::from(RECONNECT_MIN_MS))
    );
    assert!(
        u.text.contains("(2 failed attempts). Trying again in 1 s."),
        "{}",
        u.text
    );

    // The schedule is the reconnect backoff: doubling up to its maximum, said in whole seconds.
    let mut now = 2_000.0;
    let mut last = None;
    for _ in 0..6 {
        now += 10_000.0;
        c.handle(now, FIRE);
        now += 1.0;
        let actions = c.handle(now, Input::SocketClosed);
        last = shown(&actions).and_then(|s| s.unreachable);
        assert_eq!(
            last.as_ref().and_then(|u| u.retry_at),
            reconnect_ms(&actions).map(|ms| now + f64::from(ms))
        );
    }
    let u = last.expect("still unreachable");
    assert_eq!(u.failures, 8);
    assert_eq!(u.retry_at, Some(now + f64::from(RECONNECT_MAX_MS)));
    assert!(u.text.contains("Trying again in 4 s."), "{}", u.text);

    // It opens: the status is back to normal on its own.
    c.handle(now + 8_000.0, FIRE);
    let status = shown(&c.handle(now + 8_100.0, Input::SocketOpen)).expect("changes");
    assert!(status.connected);
    assert_eq!(status.unreachable, None);
    assert_eq!(*c.status(), status);
}

#[test]
fn an_open_socket_that_drops_gets_one_quiet_retry_and_the_count_starts_over() {
    let mut c = client();
    c.handle(1.0, Input::Login { name: "a".into() });
    c.handle(2.0, Input::SocketClosed);
    c.handle(3.0, FIRE);
    c.handle(4.0, Input::SocketOpen);
    assert_eq!(c.status().unreachable, None);

    // A relay restart: the socket had opened, so the first reconnection is silent.
    let actions = c.handle(5.0, Input::SocketClosed);
    assert_eq!(reconnect_ms(&actions), Some(RECONNECT_MIN_MS));
    assert_eq!(c.status().unreachable, None);
    assert!(!c.status().connected);
    c.handle(600.0, FIRE);
    assert_eq!(c.status().unreachable, None);
    // That attempt fails: now the person is told, counting from one again.
    c.handle(700.0, Input::SocketClosed);
    let u = c.status().unreachable.clone().expect("unreachable");
    assert_eq!(u.failures, 1);
    // `error` then `close` of one failing socket: one failure, not two.
    assert!(shown(&c.handle(701.0, Input::SocketClosed)).is_none());
    assert_eq!(c.status().unreachable, Some(u));
}

#[test]
fn without_a_configured_server_the_notice_still_says_what_happens() {
    let mut c = Client::new(1);
    c.handle(1.0, Input::Login { name: "a".into() });
    c.handle(2.0, Input::SocketClosed);
    let u: Unreachable = c.status().unreachable.clone().expect("unreachable");
    assert_eq!(u.server, "");
    assert!(
        u.text.starts_with(
            "Cannot reach the signaling server (1 failed attempt). Trying again in 1 s."
        ),
        "{}",
        u.text
    );
}

#[test]
fn nothing_before_login() {
    let mut c = client();
    assert!(shown(&c.handle(1.0, Input::SocketClosed)).is_none());
    assert_eq!(c.status().unreachable, None);
}

#[test]
fn the_join_token_in_the_url_is_never_shown() {
    let mut c = Client::new(1);
    c.set_server("ws://127.0.0.1:9/signal/room?token=secret.jwt.value");
    c.handle(1_000.0, Input::Login { name: "a".into() });
    let actions = c.handle(1_100.0, Input::SocketClosed);
    let u = shown(&actions)
        .and_then(|s| s.unreachable)
        .expect("unreachable");
    assert_eq!(u.server, "ws://127.0.0.1:9/signal/room");
    assert!(!u.text.contains("secret"), "{}", u.text);
}
