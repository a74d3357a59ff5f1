//! Per-connection message rate limit: a token bucket, driven by the caller's clock (sans I/O).

/// `per_sec` tokens refill every second, up to `burst`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rate {
    pub per_sec: f64,
    pub burst: u32,
}

/// What to do with one incoming frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Allow,
    /// Over the limit: drop the frame; `warn` is true for the first drop after allowed frames,
    /// so a flood gets one error reply per episode rather than one per frame.
    Drop {
        warn: bool,
    },
    /// Persistently over the limit: close the connection.
    Abuse,
}

/// Starts full. Dropped frames add "strikes" that drain at the refill rate; when a connection
/// has `burst` strikes outstanding (it kept sending a whole extra burst while being refused) it
/// is abusive. A client slightly over the limit only loses the excess; a flood is cut off.
#[derive(Debug, Clone)]
pub struct TokenBucket {
    tokens: f64,
    strikes: f64,
    last_ms: u64,
    warned: bool,
}

impl TokenBucket {
    pub fn new(rate: Rate, now_ms: u64) -> TokenBucket {
        TokenBucket {
            tokens: f64::from(rate.burst),
            strikes: 0.0,
            last_ms: now_ms,
            warned: false,
        }
    }

    pub fn take(&mut self, rate: Rate, now_ms: u64) -> Verdict {
        // A clock that goes backwards refills nothing.
        let elapsed_ms = now_ms.saturating_sub(self.last_ms);
        self.last_ms = self.last_ms.max(now_ms);
        let refill = elapsed_ms as f64 / 1000.0 * rate.per_sec;
        let burst = f64::from(rate.burst);
        self.tokens = (self.tokens + refill).min(burst);
        self.strikes = (self.strikes - refill).max(0.0);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            self.warned = false;
            return Verdict::Allow;
        }
        self.strikes += 1.0;
        // Rounded up: a refill too slow to drain a whole strike between frames still counts
        // them (otherwise `2.999…` strikes would never reach a burst of 3).
        if self.strikes.ceil() >= burst {
            return Verdict::Abuse;
        }
        let warn = !self.warned;
        self.warned = true;
        Verdict::Drop { warn }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RATE: Rate = Rate {
        per_sec: 10.0,
        burst: 5,
    };

    #[test]
    fn burst_then_refill() {
        let mut b = TokenBucket::new(RATE, 1_000);
        for _ in 0..5 {
            assert_eq!(b.take(RATE, 1_000), Verdict::Allow);
        }
        assert_eq!(b.take(RATE, 1_000), Verdict::Drop { warn: true });
        assert_eq!(b.take(RATE, 1_000), Verdict::Drop { warn: false });
        // 10/s: one token per 100 ms.
        assert_eq!(b.take(RATE, 1_099), Verdict::Drop { warn: false });
        // Refill accumulates across dropped frames: two tokens by 1_200.
        assert_eq!(b.take(RATE, 1_200), Verdict::Allow);
        assert_eq!(b.take(RATE, 1_200), Verdict::Allow);
        // After an allowed frame, the next drop warns again.
        assert_eq!(b.take(RATE, 1_200), Verdict::Drop { warn: true });
        // A long pause refills to the burst, not beyond.
        let later = 1_000_000;
        for _ in 0..5 {
            assert_eq!(b.take(RATE, later), Verdict::Allow);
        }
        assert!(matches!(b.take(RATE, later), Verdict::Drop { .. }));
    }

    #[test]
    fn steady_rate_at_the_limit_is_never_dropped() {
        let mut b = TokenBucket::new(RATE, 0);
        for i in 0..10_000u64 {
            assert_eq!(b.take(RATE, i * 100), Verdict::Allow, "frame {i}");
        }
    }

    #[test]
    fn flood_is_cut_off_but_slight_excess_is_not() {
        // 11 frames/s against 10/s: drops a little, never abusive.
        let mut b = TokenBucket::new(RATE, 0);
        let mut dropped = 0;
        for i in 0..11_000u64 {
            match b.take(RATE, i * 1000 / 11) {
                Verdict::Allow => {}
                Verdict::Drop { .. } => dropped += 1,
                Verdict::Abuse => panic!("slight excess treated as abuse at frame {i}"),
            }
        }
        assert!(dropped > 0);

        // A flood (all in the same millisecond): the burst, `burst - 1` drops, then abuse.
        let mut b = TokenBucket::new(RATE, 0);
        let verdicts: Vec<Verdict> = (0..20).map(|_| b.take(RATE, 0)).collect();
        let abuse_at = verdicts.iter().position(|v| *v == Verdict::Abuse);
        assert_eq!(abuse_at, Some(9), "{verdicts:?}");
    }

    #[test]
    fn slow_refill_does_not_hide_strikes() {
        let rate = Rate {
            per_sec: 0.001,
            burst: 3,
        };
        let mut b = TokenBucket::new(rate, 0);
        let verdicts: Vec<Verdict> = (0..6).map(|i| b.take(rate, i * 7)).collect();
        assert_eq!(verdicts[5], Verdict::Abuse, "{verdicts:?}");
    }

    #[test]
    fn clock_going_backwards_is_harmless() {
        let mut b = TokenBucket::new(RATE, 5_000);
        for _ in 0..5 {
            assert_eq!(b.take(RATE, 5_000), Verdict::Allow);
        }
        assert!(matches!(b.take(RATE, 0), Verdict::Drop { .. }));
        assert_eq!(b.take(RATE, 5_100), Verdict::Allow);
    }
}
