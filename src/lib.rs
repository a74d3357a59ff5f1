//! webrtc-chat's browser client: the web layer around `chat_core::Client` (see core/src/call.rs
//! for the Input/Action contract). The core decides; this crate translates browser events into
//! inputs and carries out actions.
//!
//! Modules, each depending only on those below it (no import cycle):
//! - `api` (the wasm-bindgen exports) → `app` (mount and destroy: builds the rest) →
//!   `executor` (carries out the core's actions);
//! - what the executor drives: `transport` (socket or host frames), `signaling` (WebSocket,
//!   frame decoding), `peer` (RTCPeerConnection), `media` (getUserMedia), `view` (DOM),
//!   `host` (events for the host page), `stats` (getStats, send steps, the code's SHA-256);
//! - below them: `queue` (the event queue and its `Inbox`, where every callback sends its
//!   events), `config` (page contract configuration, ICE servers), `json` (JSON through the
//!   platform), `rtc`, `live` (counted callbacks) over `callback` (their owners), `spawn` (one
//!   boxed `spawn_local`), `local` (page-wide statics), `states`, `error`, `log`.
//!
//! Everything is wasm32-only: natively this crate is empty (its dependencies are too).
//!
//! No std in the page and the embed bundle: std's panic handler, and what only it and
//! `thread_local!` kept alive, are gone (README, "Bundle size", the `no_std` rows); a panic
//! traps as it did with `panic = "abort"`. The browser tests link std for their harness
//! (feature `std`, turned on by `cargo test` only: Cargo.toml).
// `deny`, not `forbid`: the global allocator below is the one place allowed to say `unsafe`.
#![deny(unsafe_code)]
#![cfg_attr(all(target_arch = "wasm32", not(feature = "std")), no_std)]

extern crate alloc;

/// What a panic does in the page: the wasm traps (`unreachable`), as the release profile's
/// `panic = "abort"` made std's handler do, and the call into wasm throws a `RuntimeError`.
/// std's handler formatted the message first; this one never reads it. Not in the browser
/// tests' build, where std brings its own handler (two would not link).
#[cfg(all(target_arch = "wasm32", not(feature = "std")))]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    core::arch::wasm32::unreachable()
}

// A small free-list allocator instead of std's dlmalloc: 3.2 KB less gzipped page (README,
// "Bundle size"); freed blocks are reused, so memory stays flat over many calls
// (e2e/tests/85-many-calls.test.js).
// SAFETY: `AssumeSingleThreaded` is sound only without threads sharing the heap. This crate is
// built for wasm32-unknown-unknown without the `atomics` target feature: one thread, no shared
// memory, no workers running this module's code on the same memory.
#[cfg(target_arch = "wasm32")]
#[global_allocator]
#[allow(unsafe_code)]
static ALLOCATOR: lol_alloc::AssumeSingleThreaded<lol_alloc::FreeListAllocator> =
    unsafe { lol_alloc::AssumeSingleThreaded::new(lol_alloc::FreeListAllocator::new()) };

#[cfg(target_arch = "wasm32")]
mod app;
#[cfg(target_arch = "wasm32")]
mod callback;
#[cfg(target_arch = "wasm32")]
mod config;
#[cfg(target_arch = "wasm32")]
mod devices;
#[cfg(target_arch = "wasm32")]
pub mod error;
#[cfg(target_arch = "wasm32")]
mod executor;
#[cfg(target_arch = "wasm32")]
mod host;
#[cfg(target_arch = "wasm32")]
mod json;
#[cfg(target_arch = "wasm32")]
mod live;
#[cfg(target_arch = "wasm32")]
mod local;
#[cfg(target_arch = "wasm32")]
mod log;
#[cfg(target_arch = "wasm32")]
pub mod media;
#[cfg(target_arch = "wasm32")]
mod peer;
#[cfg(target_arch = "wasm32")]
mod queue;
#[cfg(target_arch = "wasm32")]
mod rtc;
#[cfg(target_arch = "wasm32")]
mod signaling;
#[cfg(target_arch = "wasm32")]
mod spawn;
#[cfg(target_arch = "wasm32")]
mod states;
#[cfg(target_arch = "wasm32")]
mod stats;
#[cfg(target_arch = "wasm32")]
mod transport;
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
