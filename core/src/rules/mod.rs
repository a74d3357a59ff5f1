//! The call's rules that the state machine ([`crate::Client`]) and the browser layer's
//! tutorial-compatible functions (src/compat/) both follow, each written once here so the two
//! cannot drift apart: perfect negotiation's offer collision, the buffer of early ICE
//! candidates, the reconnect backoff, the ICE-disconnected grace period, and the words for a
//! peer's hang-up.
//!
//! Small pure types and functions: no clock (time comes in as `now`), no I/O.

mod backoff;
mod grace;
mod hang_up;
mod negotiation;

pub use self::backoff::Backoff;
pub use self::grace::GracePeriod;
pub use self::hang_up::{hang_up_ending, hang_up_notice};
pub use self::negotiation::{defer_rollback, offer_collision, OfferCollision};
pub use crate::client::candidates::CandidateBuffer;
