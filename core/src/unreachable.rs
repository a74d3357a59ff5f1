//! [`Unreachable`]: what the status line says while the signaling server cannot be reached.
//!
//! A socket that never opens (connection refused, a refused or failed handshake, a wrong URL)
//! used to leave "Not connected" on screen while the client retried in silence; the reason was
//! only in the browser's console. The core knows the attempts and the retry schedule, so it
//! words the notice here; the page shows it as it is.

use crate::call::Millis;

/// The signaling socket failed to open `failures` times in a row; the client keeps retrying.
#[derive(Debug, Clone, PartialEq)]
pub struct Unreachable {
    /// The server tried, as configured ([`crate::Client::set_server`]); empty if never given.
    pub server: String,
    /// Attempts in a row that closed before the socket opened (at least 1).
    pub failures: u32,
    /// When the next attempt starts (`now` + backoff); `None` while an attempt is under way.
    pub retry_at: Option<Millis>,
    /// For the person: which server, that we keep retrying and when, what to check.
    pub text: String,
}

impl Unreachable {
    /// `next`: when the next attempt starts and in how many ms (the reconnect timer just
    /// started), or `None` for an attempt under way.
    pub(crate) fn new(server: &str, failures: u32, next: Option<(Millis, u32)>) -> Unreachable {
        let who = if server.is_empty() {
            "Cannot reach the signaling server".to_owned()
        } else {
            format!("Cannot reach the signaling server at {server}")
        };
        let tries = if failures == 1 {
            "1 failed attempt".to_owned()
        } else {
            format!("{failures} failed attempts")
        };
        let when = match next {
            // Whole seconds, rounded up: "in 0 s" would read as "now" while we still wait.
            Some((_, ms)) => format!("Trying again in {} s.", ms.div_ceil(1000)),
            None => "Trying again now…".to_owned(),
        };
        let text = format!(
            "{who} ({tries}). {when} Check that the server is running at that address and \
             accepts WebSocket subprotocol \"json\" (our relay: cargo run -p webrtc-chat-relay), \
             or give the page another one: ?signal=ws://host:port/signal."
        );
        Unreachable {
            server: server.to_owned(),
            failures,
            retry_at: next.map(|(at, _)| at),
            text,
        }
    }
}
