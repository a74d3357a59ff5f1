//! [`Unreachable`]: what the status line says while the signaling server cannot be reached.
//!
//! A socket that never opens (connection refused, a refused or failed handshake, a wrong URL)
//! used to leave "Not connected" on screen while the client retried in silence; the reason was
//! only in the browser's console. The core knows the attempts and the retry schedule, so it
//! words the notice here; the page shows it as it is.

use alloc::borrow::ToOwned;
use alloc::string::String;

use crate::call::Millis;
use crate::protocol::digits::dec;
use crate::text::{Key, Lang, Text};

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
    /// started), or `None` for an attempt under way. Worded in `lang`: one text of the tables
    /// (which server, what to check), with the sentence saying when we try again in it.
    pub(crate) fn new(
        lang: Lang,
        server: &str,
        failures: u32,
        next: Option<(Millis, u32)>,
    ) -> Unreachable {
        let who = match (server.is_empty(), failures) {
            (true, 1) => Key::Unreachable1,
            (true, _) => Key::UnreachableN,
            (false, 1) => Key::UnreachableAt1,
            (false, _) => Key::UnreachableAtN,
        };
        let when = match next {
            // Whole seconds, rounded up: "in 0 s" would read as "now" while we still wait.
            Some((_, ms)) => Text::new(Key::RetryIn).with("secs", &dec(ms.div_ceil(1000).into())),
            None => Text::new(Key::RetryNow),
        };
        let text = Text::new(who)
            .with("server", server)
            .with("n", &dec(failures.into()))
            .with("when", &when.render(lang))
            .render(lang);
        Unreachable {
            server: server.to_owned(),
            failures,
            retry_at: next.map(|(at, _)| at),
            text,
        }
    }
}
