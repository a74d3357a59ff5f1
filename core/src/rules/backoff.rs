//! The signaling socket's reconnect delay (PROTOCOL bug 10: the tutorial never reconnected).

use crate::call::{RECONNECT_MAX_MS, RECONNECT_MIN_MS};

/// Doubles per failed attempt, from [`RECONNECT_MIN_MS`] up to [`RECONNECT_MAX_MS`]; back to
/// the minimum once a socket opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    next_ms: u32,
}

impl Backoff {
    pub const fn new() -> Backoff {
        Backoff {
            next_ms: RECONNECT_MIN_MS,
        }
    }

    /// The socket opened: the next failure waits the minimum again.
    pub fn reset(&mut self) {
        self.next_ms = RECONNECT_MIN_MS;
    }

    /// The socket closed: how long to wait before reconnecting (the next wait is longer).
    pub fn next_delay(&mut self) -> u32 {
        let ms = self.next_ms;
        self.next_ms = ms.saturating_mul(2).min(RECONNECT_MAX_MS);
        ms
    }
}

impl Default for Backoff {
    fn default() -> Backoff {
        Backoff::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_up_to_the_max_and_resets() {
        let mut b = Backoff::new();
        let delays: Vec<u32> = (0..6).map(|_| b.next_delay()).collect();
        assert_eq!(delays, [500, 1000, 2000, 4000, 4000, 4000]);
        b.reset();
        assert_eq!(b.next_delay(), RECONNECT_MIN_MS);
    }
}
