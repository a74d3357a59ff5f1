//! The pure core of webrtc-chat: the signaling protocol and the client's state machine.
//! No web-sys, no clock, no sockets: plain Rust, tested natively with `cargo test`.
#![forbid(unsafe_code)]
// No std: the page links this crate and is built without it (README, "Bundle size").
#![cfg_attr(not(test), no_std)]

extern crate alloc;

pub mod call;
pub mod client;
pub mod devices;
pub mod media;
pub mod quality;
pub mod rules;
pub mod sas;
pub mod text;
pub mod unreachable;

/// The wire protocol (the `webrtc-chat-protocol` crate, shared with the relay), where it has
/// always been for the core's users: `chat_core::protocol::Message`, `chat_core::json::Value`.
pub use chat_protocol as protocol;
pub use chat_protocol::json;

pub use call::{Action, CallId, EndReason, Input, Millis};
pub use client::Client;
pub use json::Value;
pub use protocol::{DecodeError, IceCandidate, Message, SdpType, SessionDescription};
pub use unreachable::Unreachable;
