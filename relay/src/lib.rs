//! webrtc-chat's signaling relay: a drop-in for MDN's `chatserver.js` (see PROTOCOL.md) that
//! also serves the page.
//!
//! - [`room`]: the routing state, sans I/O (names, calls, limits); every decision is there.
//! - [`ws`]: one task per WebSocket, and the hub that carries each room's effects to sockets.
//! - [`server`]: HTTP: the upgrade checks (origin, subprotocol), static files, shutdown.
//! - [`config`]: flags and environment (clap). [`text`]: tag stripping. [`limit`]: token bucket.
#![forbid(unsafe_code)]

pub mod config;
pub mod limit;
pub mod listen;
pub mod metrics;
pub mod outbox;
pub mod room;
pub mod server;
pub mod static_files;
pub mod text;
pub mod token;
pub mod turn;
pub mod ws;

pub use config::{Cli, Config};
pub use server::{bind, Server, StartError};
