//! Owners for JS callbacks, counted so that tests can prove nothing leaks.
//!
//! Every listener and timer the client registers goes through [`listen`] or [`timeout`]: the
//! returned guard removes the callback when dropped (`callback` does the removal)
//! and keeps a page-wide count of live callbacks: `webrtc_chat::live_listeners()` for the
//! crate's browser tests, and the global `__webrtcChatLiveListeners` for the end-to-end tests
//! of the package (e2e/embed/), which is no export and in no declaration.

use alloc::boxed::Box;
use core::sync::atomic::{AtomicU32, Ordering};

use wasm_bindgen::JsValue;
use web_sys::{Event, EventTarget};

use crate::callback::{EventListener, Timeout};

/// wasm32 without threads: an atomic is just a cell that needs no `unsafe` and no TLS.
static LIVE: AtomicU32 = AtomicU32::new(0);

/// How many callbacks are registered right now, over every mounted client.
pub fn live() -> u32 {
    LIVE.load(Ordering::Relaxed)
}

/// Counts one live callback from creation to drop.
struct Counted;

impl Counted {
    fn new() -> Counted {
        publish(LIVE.fetch_add(1, Ordering::Relaxed) + 1);
        Counted
    }
}

impl Drop for Counted {
    fn drop(&mut self) {
        publish(LIVE.fetch_sub(1, Ordering::Relaxed) - 1);
    }
}

/// `window.__webrtcChatLiveListeners = n`: what the end-to-end tests read.
fn publish(n: u32) {
    if let Some(window) = web_sys::window() {
        let key = JsValue::from_str("__webrtcChatLiveListeners");
        let _ = js_sys::Reflect::set(&window, &key, &n.into());
    }
}

/// An event listener that is removed when this is dropped.
#[must_use = "the listener is removed when this is dropped"]
pub(crate) struct Listener {
    _listener: EventListener,
    _count: Counted,
}

pub(crate) fn listen<F>(target: &EventTarget, event: &'static str, callback: F) -> Listener
where
    F: FnMut(&Event) + 'static,
{
    listen_boxed(target, event, Box::new(callback))
}

/// The one copy of the registration, not one per callback type (README, "Bundle size").
#[inline(never)]
fn listen_boxed(
    target: &EventTarget,
    event: &'static str,
    callback: Box<dyn FnMut(&Event)>,
) -> Listener {
    Listener {
        _listener: EventListener::new(target, event, callback),
        _count: Counted::new(),
    }
}

/// A timeout that is cleared when this is dropped.
#[must_use = "the timeout is cleared when this is dropped"]
pub(crate) struct Timer {
    _timeout: Timeout,
    _count: Counted,
}

pub(crate) fn timeout<F>(ms: u32, callback: F) -> Timer
where
    F: FnOnce() + 'static,
{
    timeout_boxed(ms, Box::new(callback))
}

#[inline(never)]
fn timeout_boxed(ms: u32, callback: Box<dyn FnOnce()>) -> Timer {
    Timer {
        _timeout: Timeout::new(ms, callback),
        _count: Counted::new(),
    }
}
