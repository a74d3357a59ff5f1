//! One connection's queue of frames to write, bounded, with user lists coalesced.
//!
//! Why coalesced: every login sends the room's whole user list to everyone. After a restart,
//! hundreds of clients log in at once, and a reader that is merely a little behind would get
//! hundreds of lists, each superseding the one before. Only the newest list is worth sending, so
//! a connection has at most one list queued: a newer one replaces it in place.
//!
//! Why bounded: a client that stops reading must not grow the relay's memory. Past
//! [`MAX_FRAMES`] or [`MAX_BYTES`] unsent, the queue is dropped and the connection closed (1008).
//! The bounds are far above what a reading client ever has queued: two senders bursting the
//! whole rate-limit burst (2 × 200 frames) at every reader fit many times over, and user lists
//! never add more than one frame.

use std::collections::VecDeque;
use std::sync::{Mutex, MutexGuard, PoisonError};

use axum::extract::ws::Utf8Bytes;
use tokio::sync::Notify;

/// Frames queued for one connection, at most.
pub const MAX_FRAMES: usize = 4096;
/// Bytes queued for one connection, at most (frames shared between recipients count for each).
pub const MAX_BYTES: usize = 8 << 20;

/// What the writer does next.
#[derive(Debug, Clone, PartialEq)]
pub enum Next {
    Frame(Utf8Bytes),
    Close(u16, &'static str),
    /// The bound was passed: the client is not reading.
    Overflow,
}

/// Whether a push was queued.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pushed {
    Queued,
    /// Replaced a queued user list.
    Coalesced,
    /// Over the bound: the queue is dropped and the connection will close.
    Overflow,
    /// Closing or overflowed already: nothing more is queued.
    Ignored,
}

#[derive(Debug)]
enum Slot {
    Frame(Utf8Bytes),
    /// The newest user list, whatever it is when the writer gets here.
    List,
}

#[derive(Debug, Default)]
struct State {
    queue: VecDeque<Slot>,
    bytes: usize,
    /// `Some` exactly when a `Slot::List` is queued.
    list: Option<Utf8Bytes>,
    close: Option<(u16, &'static str)>,
    overflow: bool,
}

#[derive(Debug, Default)]
pub struct Outbox {
    state: Mutex<State>,
    ready: Notify,
}

impl Outbox {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn overflow(&self, mut s: MutexGuard<'_, State>) -> Pushed {
        s.overflow = true;
        s.queue = VecDeque::new();
        s.list = None;
        s.bytes = 0;
        drop(s);
        self.ready.notify_one();
        Pushed::Overflow
    }

    /// Queues a frame; a user list replaces a queued one.
    pub fn push(&self, frame: Utf8Bytes, is_user_list: bool) -> Pushed {
        let mut s = self.lock();
        if s.close.is_some() || s.overflow {
            return Pushed::Ignored;
        }
        if is_user_list {
            if let Some(list) = &mut s.list {
                let old = list.len();
                let new = frame.len();
                *list = frame;
                s.bytes = s.bytes - old + new;
                return Pushed::Coalesced;
            }
        }
        if s.queue.len() >= MAX_FRAMES || s.bytes + frame.len() > MAX_BYTES {
            return self.overflow(s);
        }
        s.bytes += frame.len();
        if is_user_list {
            s.list = Some(frame);
            s.queue.push_back(Slot::List);
        } else {
            s.queue.push_back(Slot::Frame(frame));
        }
        drop(s);
        self.ready.notify_one();
        Pushed::Queued
    }

    /// After what is queued, close with this code.
    pub fn close(&self, code: u16, reason: &'static str) {
        let mut s = self.lock();
        if s.close.is_none() {
            s.close = Some((code, reason));
        }
        drop(s);
        self.ready.notify_one();
    }

    fn try_next(&self) -> Option<Next> {
        let mut s = self.lock();
        if s.overflow {
            return Some(Next::Overflow);
        }
        match s.queue.pop_front() {
            Some(slot) => Some(Self::take(&mut s, slot)),
            None => s.close.map(|(code, reason)| Next::Close(code, reason)),
        }
    }

    fn take(s: &mut State, slot: Slot) -> Next {
        let frame = match slot {
            Slot::Frame(frame) => frame,
            Slot::List => s.list.take().unwrap_or_default(),
        };
        s.bytes -= frame.len();
        Next::Frame(frame)
    }

    /// The next queued frame, if the next thing is one (not a close or overflow).
    pub fn try_next_frame(&self) -> Option<Utf8Bytes> {
        let mut s = self.lock();
        if s.overflow {
            return None;
        }
        let slot = s.queue.pop_front()?;
        match Self::take(&mut s, slot) {
            Next::Frame(frame) => Some(frame),
            _ => None,
        }
    }

    /// The next thing to write; waits for one. Cancel-safe (for `select!`).
    pub async fn next(&self) -> Next {
        loop {
            if let Some(next) = self.try_next() {
                return next;
            }
            // `notify_one` keeps a permit when nobody waits, so a push between `try_next` and
            // here is not missed.
            self.ready.notified().await;
        }
    }

    /// Frames queued (a coalesced user list counts once).
    pub fn len(&self) -> usize {
        self.lock().queue.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(s: &str) -> Utf8Bytes {
        Utf8Bytes::from(s.to_owned())
    }

    #[tokio::test]
    async fn user_lists_coalesce_in_place_and_order_is_kept() {
        let o = Outbox::default();
        assert_eq!(o.push(frame("a"), false), Pushed::Queued);
        assert_eq!(o.push(frame("list1"), true), Pushed::Queued);
        assert_eq!(o.push(frame("b"), false), Pushed::Queued);
        for i in 2..1000 {
            assert_eq!(o.push(frame(&format!("list{i}")), true), Pushed::Coalesced);
        }
        assert_eq!(o.len(), 3);
        assert_eq!(o.next().await, Next::Frame(frame("a")));
        assert_eq!(o.next().await, Next::Frame(frame("list999")));
        assert_eq!(o.next().await, Next::Frame(frame("b")));
        // Once written, the next list is queued again.
        assert_eq!(o.push(frame("list1000"), true), Pushed::Queued);
        o.close(1000, "bye");
        assert_eq!(o.push(frame("late"), false), Pushed::Ignored);
        assert_eq!(o.next().await, Next::Frame(frame("list1000")));
        assert_eq!(o.next().await, Next::Close(1000, "bye"));
    }

    #[tokio::test]
    async fn past_the_bound_the_queue_is_dropped() {
        let o = Outbox::default();
        for _ in 0..MAX_FRAMES {
            assert_eq!(o.push(frame("x"), false), Pushed::Queued);
        }
        assert_eq!(o.push(frame("x"), false), Pushed::Overflow);
        assert_eq!(o.next().await, Next::Overflow);
        assert_eq!(o.push(frame("x"), false), Pushed::Ignored);

        let o = Outbox::default();
        let big = frame(&"x".repeat(1 << 20));
        for _ in 0..MAX_BYTES >> 20 {
            assert_eq!(o.push(big.clone(), false), Pushed::Queued);
        }
        assert_eq!(o.push(frame("x"), false), Pushed::Overflow);
    }
}
