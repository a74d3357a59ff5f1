//! A JS callback owned by Rust: an event listener removed, or a timeout cleared, when its owner
//! is dropped. What gloo-events' `EventListener` and gloo-timers' `Timeout` did for us; both
//! crates need std, and the page is built without it (README, "Bundle size", `no_std`): these
//! are the two calls each of them made, and nothing else.

use alloc::boxed::Box;

use js_sys::Function;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsCast;
use web_sys::{Event, EventTarget};

#[wasm_bindgen]
extern "C" {
    // The global functions (not `Window`'s methods: no `window()` look-up), bound without
    // `catch`: neither throws for a function, so a `Result` would only add a code path. A timer
    // id is a positive `long` (HTML, "Timers").
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(handler: &Function, ms: u32) -> i32;
    #[wasm_bindgen(js_name = clearTimeout)]
    fn clear_timeout(id: i32);
}

/// `callback` listens for `event` on `target` (bubbling phase, as `addEventListener(type, f)`)
/// until this is dropped.
#[must_use = "the listener is removed when this is dropped"]
pub(crate) struct EventListener {
    target: EventTarget,
    event: &'static str,
    callback: Closure<dyn FnMut(&Event)>,
}

impl EventListener {
    pub(crate) fn new(
        target: &EventTarget,
        event: &'static str,
        callback: Box<dyn FnMut(&Event)>,
    ) -> EventListener {
        let callback = Closure::wrap(callback);
        // Throws only for a listener that is not callable: ours is a function.
        let _ = target.add_event_listener_with_callback(event, callback.as_ref().unchecked_ref());
        EventListener {
            target: target.clone(),
            event,
            callback,
        }
    }
}

impl Drop for EventListener {
    fn drop(&mut self) {
        let callback = self.callback.as_ref().unchecked_ref();
        let _ = self
            .target
            .remove_event_listener_with_callback(self.event, callback);
    }
}

/// `callback` runs once after `ms` milliseconds, unless this is dropped first. Dropping it after
/// it ran is fine: `clearTimeout` ignores an id that already fired.
#[must_use = "the timeout is cleared when this is dropped"]
pub(crate) struct Timeout {
    id: i32,
    _callback: Closure<dyn FnMut()>,
}

impl Timeout {
    pub(crate) fn new(ms: u32, callback: Box<dyn FnOnce()>) -> Timeout {
        let callback = Closure::once(callback);
        let id = set_timeout(callback.as_ref().unchecked_ref(), ms);
        Timeout {
            id,
            _callback: callback,
        }
    }
}

impl Drop for Timeout {
    fn drop(&mut self) {
        clear_timeout(self.id);
    }
}
