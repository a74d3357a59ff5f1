//! The call's rules that the state machine ([`crate::Client`]) and the browser layer's
//! tutorial-compatible functions (src/compat/) both follow, each written once here so the two
//! cannot drift apart: perfect negotiation's offer collision, the buffer of early ICE
//! candidates, the reconnect backoff and the ICE-disconnected grace period.
//!
//! Small pure types and functions: no clock (time comes in as `now`), no I/O.

mod backoff;
mod grace;
mod negotiation;

pub use self::backoff::Backoff;
pub use self::grace::GracePeriod;
pub use self::negotiation::{offer_collision, OfferCollision};
pub use crate::client::candidates::CandidateBuffer;
