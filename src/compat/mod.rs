//! Tutorial-compatible exports (cargo feature `compat`, built into the embeddable bundle by
//! scripts/build-embed.sh): every client function of MDN's "Signaling and video calling"
//! tutorial (docs/protocol.md, "The tutorial's client functions") under its exact name, taking the
//! same arguments. A page written from the tutorial installs any subset onto `window`,
//! replacing its own, and the call keeps working after every single swap.
//!
//! What makes a mixed page work:
//! - State lives where the tutorial keeps it: its `var` globals on `window` ([`globals`]).
//! - Functions call each other through `window` at call time ([`globals::call`]), and our
//!   peer connection's events call `window.handleICECandidateEvent` & co. when they fire, so
//!   whichever version is installed runs, and a later swap takes effect.
//! - What the tutorial keeps no global for (our listeners, perfect negotiation's flags,
//!   candidates that came too early) lives in [`registry`], tied to the peer connection it
//!   belongs to, and is dropped when the page moves on to another connection, even if a
//!   JavaScript `closeVideoCall` that knows nothing of it closed the old one.
//!
//! - The call's rules are the core's (`chat_core::rules`: offer collision, the early-candidate
//!   buffer, the reconnect backoff, the ICE grace period; `is_polite`), and the configuration
//!   is read as `mount` reads it (crate::config): this module only adapts them to the page.
//!
//! Ours keep our fixes (docs/protocol.md's known bugs), each without breaking a JavaScript
//! neighbour: the hang-up goes out with its target (1); every handler is removed on close (2);
//! perfect negotiation instead of the rollback deadlock (3); ICE `disconnected` gets a grace
//! period (4); `NotAllowedError` is recognised and the peer told (5); early candidates are
//! buffered (6); `track` handling is idempotent (7); `removetrack` is watched on the remote
//! stream (8); chat text is text (9); the socket reconnects (10); no `Closure::forget` (11).

use alloc::string::{String, ToString};

mod call;
mod errors;
mod events;
mod globals;
mod pc;
mod registry;
mod signaling;

use chat_core::{Message, Value};
use wasm_bindgen::prelude::*;
use web_sys::{Document, Element};

#[wasm_bindgen(typescript_custom_section)]
const SIGNALING_MESSAGE: &str = r#"
/** A signaling message as the tutorial's `onmessage` hands it on (`JSON.parse(evt.data)`):
 * `{type: "video-offer", name, target, sdp}` and the others of docs/protocol.md. */
export interface SignalingMessage {
    type: string;
    [field: string]: unknown;
}
"#;

#[wasm_bindgen]
extern "C" {
    /// `JSON.parse` on any JS value (a frame's text, without copying it into wasm first).
    #[wasm_bindgen(catch, js_namespace = JSON, js_name = parse)]
    fn json_parse(text: &JsValue) -> Result<JsValue, JsValue>;
    /// A `Date`, for `toLocaleTimeString()` in the person's own locale (js-sys wants a
    /// locale name).
    #[wasm_bindgen(js_name = Date)]
    type Clock;
    #[wasm_bindgen(constructor, js_class = Date)]
    fn new(ms: f64) -> Clock;
    #[wasm_bindgen(method, js_class = Date, js_name = toLocaleTimeString)]
    fn local_time(this: &Clock) -> String;
}

/// The time of day of `ms` since the epoch, as the person's locale writes it.
fn clock(ms: f64) -> String {
    Clock::new(ms).local_time()
}

fn document() -> Option<Document> {
    web_sys::window()?.document()
}

/// The tutorial's elements are found by id in the whole document (it has one client a page).
fn by_id(id: &str) -> Option<Element> {
    document()?.get_element_by_id(id)
}

/// The tutorial's `<video>` elements (`local_video`, `received_video`).
fn video(id: &str) -> Option<web_sys::HtmlMediaElement> {
    by_id(id)?.dyn_into().ok()
}

/// `disabled` of an `<input>` or `<button>` (both have the property).
fn set_disabled(id: &str, disabled: bool) {
    if let Some(e) = by_id(id) {
        let _ = js_sys::Reflect::set(&e, &"disabled".into(), &disabled.into());
    }
}

fn is_disabled(id: &str) -> bool {
    by_id(id)
        .and_then(|e| js_sys::Reflect::get(&e, &"disabled".into()).ok())
        .is_some_and(|d| d.is_truthy())
}

/// A line for the page's `log` (whichever is installed).
fn log(text: &str) {
    if globals::call("log", &[&text.into()]).is_err() {
        web_sys::console::log_1(&text.into());
    }
}

fn log_error(text: &str) {
    if globals::call("log_error", &[&text.into()]).is_err() {
        web_sys::console::error_1(&text.into());
    }
}

/// A thrown value, through the page's `reportError`.
fn report(error: &JsValue) {
    if globals::call("reportError", &[error]).is_err() {
        web_sys::console::error_1(error);
    }
}

/// Calls a tutorial function through the page; what it throws is reported, never fatal.
fn call_page(name: &str, args: &[&JsValue]) {
    if let Err(e) = globals::call(name, args) {
        report(&e);
    }
}

/// Tells the person: in the page's `#error` element if it has one (the page contract's),
/// else with `alert`, as the tutorial does.
fn notify(text: &str) {
    log(text);
    if let Some(e) = by_id("error") {
        e.set_text_content(Some(text));
        e.remove_attribute("hidden").ok();
    } else if let Some(w) = web_sys::window() {
        let _ = w.alert_with_message(text);
    }
}

/// A JSON value as a plain JS object (what the tutorial's functions take and send).
fn to_js(value: &Value) -> JsValue {
    crate::json::to_js(value)
}

/// Sends through the page's `sendToServer`, as a plain object, like the tutorial's functions.
fn send(message: &Message) {
    call_page("sendToServer", &[&to_js(&message.to_value())]);
}

/// A message object (from the page's `onmessage`, JavaScript's or ours) through the app's
/// frame checks and the core's tolerant decoder, as its JSON text: a malformed one is logged
/// and ignored instead of throwing halfway.
fn decode(msg: &JsValue) -> Option<Message> {
    let text = js_sys::JSON::stringify(msg)
        .map(JsValue::from)
        .unwrap_or_default();
    match crate::signaling::decode(&text) {
        chat_core::Input::Server(message) => Some(message),
        chat_core::Input::BadFrame { error } => {
            log_error(&["ignored a malformed message: ", &error.to_string()].concat());
            None
        }
        _ => None,
    }
}
