//! The page's shared state, where the tutorial keeps it: `var` globals, which are properties of
//! `window` (`connection`, `clientID`, `myUsername`, `targetUsername`, `myPeerConnection`,
//! `webcamStream`, `transceiver`, `mediaConstraints`), and its functions, looked up on
//! `window` at call time so that whichever version the page installed (its JavaScript or ours)
//! is the one that runs.
//!
//! Read at every use, never cached: a JavaScript neighbour may change any of them between two
//! of our calls (the tutorial's `closeVideoCall` sets `myPeerConnection = null`, say).

use alloc::string::String;

use chat_core::protocol::is_integral;
use js_sys::{Function, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{MediaStream, RtcPeerConnection, WebSocket};

pub(super) const CONNECTION: &str = "connection";
pub(super) const CLIENT_ID: &str = "clientID";
pub(super) const MY_USERNAME: &str = "myUsername";
pub(super) const TARGET_USERNAME: &str = "targetUsername";
pub(super) const MY_PEER_CONNECTION: &str = "myPeerConnection";
pub(super) const WEBCAM_STREAM: &str = "webcamStream";
pub(super) const TRANSCEIVER: &str = "transceiver";
const MEDIA_CONSTRAINTS: &str = "mediaConstraints";

/// `window[name]`; `undefined` when absent (or when a getter throws).
pub(super) fn get(name: &str) -> JsValue {
    Reflect::get(&js_sys::global(), &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
}

/// `window[name] = value`. A `var` global is a writable property of `window`, so this is what
/// the tutorial's own `name = value` does.
pub(super) fn set(name: &str, value: &JsValue) {
    let _ = Reflect::set(&js_sys::global(), &JsValue::from_str(name), value);
}

/// A global that holds a non-empty string (`myUsername`, `targetUsername`).
pub(super) fn text(name: &str) -> Option<String> {
    get(name).as_string().filter(|s| !s.is_empty())
}

pub(super) fn set_text(name: &str, value: Option<&str>) {
    set(name, &value.map_or(JsValue::NULL, JsValue::from_str));
}

pub(super) fn my_username() -> Option<String> {
    text(MY_USERNAME)
}

pub(super) fn target() -> Option<String> {
    text(TARGET_USERNAME)
}

/// `clientID`, as the server gave it: a whole, non-negative number.
pub(super) fn client_id() -> Option<u64> {
    get(CLIENT_ID)
        .as_f64()
        .filter(|n| *n >= 0.0 && is_integral(*n))
        .map(|n| n as u64)
}

pub(super) fn peer() -> Option<RtcPeerConnection> {
    get(MY_PEER_CONNECTION).dyn_into().ok()
}

pub(super) fn connection() -> Option<WebSocket> {
    get(CONNECTION).dyn_into().ok()
}

pub(super) fn webcam_stream() -> Option<MediaStream> {
    get(WEBCAM_STREAM).dyn_into().ok()
}

/// The page's `mediaConstraints` if it has them, else the tutorial's `{audio: true, video: true}`.
pub(super) fn media_constraints() -> Option<JsValue> {
    Some(get(MEDIA_CONSTRAINTS)).filter(JsValue::is_object)
}

/// Whether `pc` is still the page's current connection (an `await` may have let a neighbour
/// close it or start another).
pub(super) fn is_current(pc: &RtcPeerConnection) -> bool {
    peer().is_some_and(|current| js_sys::Object::is(&current, pc))
}

/// Calls `window[name](...args)`: the page's current version of a tutorial function. Returns
/// what it returns (a promise for the async ones) or what it threw.
pub(super) fn call(name: &str, args: &[&JsValue]) -> Result<JsValue, JsValue> {
    let f: Function = get(name).dyn_into().map_err(|_| {
        JsValue::from(js_sys::TypeError::new(
            &["window.", name, " is not a function"].concat(),
        ))
    })?;
    let this = JsValue::UNDEFINED;
    match args {
        [] => f.call0(&this),
        [a] => f.call1(&this, a),
        [a, b, ..] => f.call2(&this, a, b),
    }
}
