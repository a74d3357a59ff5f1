//! webrtc-chat's signaling relay: a drop-in for MDN's `chatserver.js` (see docs/protocol.md) that
//! also serves the page.
//!
//! - [`room`]: the routing state, sans I/O (names, calls, limits, the user list's size); every
//!   decision is there. [`text`]: tag stripping and name normalisation. [`limit`]: token bucket.
//!   [`user_list`]: the size rule of the `userlist` frame, shared with the cluster layer.
//! - [`ws`]: one task per WebSocket, and the hubs that carry each room's effects to the
//!   connections' [`outbox`]es (bounded, user lists coalesced).
//! - [`server`]: HTTP: the upgrade checks (room, origin, subprotocol, join token), `/healthz`,
//!   `/metrics`, `/ice-servers`, static files ([`static_files`] checks paths first), shutdown.
//! - [`listen`]: the accept loop's limits and deadlines.
//! - [`token`]: join tokens (JWT). [`turn`]: TURN credentials. [`metrics`]: the counters.
//! - [`config`]: flags and environment (clap).
#![forbid(unsafe_code)]

pub mod cluster;
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
pub mod user_list;
pub mod ws;

pub use config::{Cli, Config};
pub use server::{bind, Server, StartError};
