//! [`Client`]: the state machine behind the page (see `call.rs` for inputs and actions).
//! STUB: to be implemented.

use crate::call::{Action, CallId, Input, Millis};

#[derive(Debug)]
pub struct Client {
    seed: u64,
}

impl Client {
    /// `seed` comes from the browser's crypto RNG; it makes the per-call tokens unguessable.
    pub fn new(seed: u64) -> Client {
        Client { seed }
    }

    pub fn handle(&mut self, now: Millis, input: Input) -> Vec<Action> {
        let _ = (now, input, self.seed);
        Vec::new()
    }

    pub fn me(&self) -> Option<&str> {
        None
    }

    pub fn peer(&self) -> Option<&str> {
        None
    }

    pub fn call_id(&self) -> Option<CallId> {
        None
    }
}
