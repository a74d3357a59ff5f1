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

    /// An `EventTarget`, for the two methods below without `catch` (web-sys's have it):
    /// neither throws for a function.
    #[wasm_bindgen(js_name = EventTarget)]
    type Target;
    #[wasm_bindgen(method, js_name = addEventListener)]
    fn add_event_listener(this: &Target, event: &str, listener: &Function);
    #[wasm_bindgen(method, js_name = removeEventListener)]
    fn remove_event_listener(this: &Target, event: &str, listener: &Function);
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
        let listener = callback.as_ref().unchecked_ref();
        target
            .unchecked_ref::<Target>()
            .add_event_listener(event, listener);
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
        let target = self.target.unchecked_ref::<Target>();
        target.remove_event_listener(self.event, callback);
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

#[cfg(test)]
mod tests {
    use alloc::rc::Rc;
    use core::cell::Cell;

    use gloo_timers::future::TimeoutFuture;
    use js_sys::Reflect;
    use wasm_bindgen::JsValue;
    use wasm_bindgen_test::*;

    use super::*;

    wasm_bindgen_test_configure!(run_in_browser);

    fn counter() -> (Rc<Cell<u32>>, Rc<Cell<u32>>) {
        let n = Rc::new(Cell::new(0));
        (n.clone(), n)
    }

    fn number(object: &JsValue, key: &str) -> f64 {
        Reflect::get(object, &key.into()).unwrap().as_f64().unwrap()
    }

    /// A dropped closure no longer runs whether or not it was removed, so the browser's own
    /// bookkeeping is what shows the removal: a target that records what was added and removed.
    #[wasm_bindgen_test]
    fn a_listener_hears_events_and_is_removed_when_dropped() {
        let spy = js_sys::eval(
            "({ n: 0, added: 0, removed: 0, f: null,
                addEventListener(t, f) { if (t === 'ping') { this.added++; this.f = f; } },
                removeEventListener(t, f) { if (t === 'ping' && f === this.f) this.removed++; },
                ping() { this.f(new Event('ping')); } })",
        )
        .unwrap();
        let target: &EventTarget = spy.unchecked_ref();
        let (n, heard) = counter();
        let listener = EventListener::new(target, "ping", Box::new(move |_| n.set(n.get() + 1)));
        let ping: Function = Reflect::get(&spy, &"ping".into()).unwrap().unchecked_into();
        ping.call0(&spy).unwrap();
        assert_eq!(heard.get(), 1);
        assert_eq!((number(&spy, "added"), number(&spy, "removed")), (1.0, 0.0));
        drop(listener);
        assert_eq!(
            number(&spy, "removed"),
            1.0,
            "removed on drop, the same function"
        );
    }

    /// The same for timers: `clearTimeout` is watched (and restored afterwards).
    #[wasm_bindgen_test]
    async fn a_timeout_fires_once_and_is_cleared_when_dropped() {
        js_sys::eval(
            "window.__clearTimeout = clearTimeout; window.__cleared = [];
             window.clearTimeout = (id) => { window.__cleared.push(id); window.__clearTimeout(id); };",
        )
        .unwrap();
        let (n, fired) = counter();
        let kept = Timeout::new(0, Box::new(move || n.set(n.get() + 1)));
        let (m, dropped) = counter();
        let early = Timeout::new(0, Box::new(move || m.set(m.get() + 1)));
        let early_id = early.id;
        drop(early);
        TimeoutFuture::new(50).await;
        let cleared =
            js_sys::eval("window.clearTimeout = window.__clearTimeout; window.__cleared").unwrap();
        assert_eq!(fired.get(), 1);
        assert_eq!(dropped.get(), 0);
        let cleared: js_sys::Array = cleared.unchecked_into();
        // (The wait's own timer is cleared too, when it is dropped.)
        assert_eq!(cleared.get(0), JsValue::from(early_id), "cleared on drop");
        drop(kept); // after it fired: clearing a spent id is harmless
    }
}
