//! webrtc-chat's browser client: the web layer around `chat_core::Client` (see core/src/call.rs
//! for the Input/Action contract). The core decides; this crate translates browser events into
//! inputs and carries out actions.
//!
//! Modules: `config` (page contract configuration), `signaling` (WebSocket / host transport,
//! frame decoding), `json` (JSON through the platform), `media` (getUserMedia), `peer` (RTCPeerConnection), `view` (DOM), `app`
//! (the event loop), `host` (events for the host page), `live` (owned, counted callbacks),
//! `error`, `states`.
//!
//! Everything is wasm32-only: natively this crate is empty (its dependencies are too).
#![forbid(unsafe_code)]

#[cfg(target_arch = "wasm32")]
mod app;
#[cfg(target_arch = "wasm32")]
mod config;
#[cfg(target_arch = "wasm32")]
pub mod error;
#[cfg(target_arch = "wasm32")]
mod host;
#[cfg(target_arch = "wasm32")]
mod json;
#[cfg(target_arch = "wasm32")]
mod live;
#[cfg(target_arch = "wasm32")]
pub mod media;
#[cfg(target_arch = "wasm32")]
mod peer;
#[cfg(target_arch = "wasm32")]
mod rtc;
#[cfg(target_arch = "wasm32")]
mod signaling;
#[cfg(target_arch = "wasm32")]
mod states;
#[cfg(target_arch = "wasm32")]
mod view;

#[cfg(target_arch = "wasm32")]
mod api;
#[cfg(target_arch = "wasm32")]
pub use api::*;

/// The tutorial-compatible exports (`invite`, `createPeerConnection`, …), for the embeddable
/// bundle only (scripts/build-embed.sh).
#[cfg(all(target_arch = "wasm32", feature = "compat"))]
mod compat;
