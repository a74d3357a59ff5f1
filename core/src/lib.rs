//! The pure core of webrtc-chat: the signaling protocol and the client's state machine.
//! No web-sys, no clock, no sockets: plain Rust, tested natively with `cargo test`.
#![forbid(unsafe_code)]

pub mod call;
pub mod client;
pub mod json;
pub mod media;
mod number;
pub mod protocol;
pub mod unreachable;

pub use call::{Action, CallId, Input, Millis};
pub use client::Client;
pub use json::Value;
pub use protocol::{DecodeError, IceCandidate, Message, SdpType, SessionDescription};
pub use unreachable::Unreachable;
