//! Errors of the browser layer. A thrown JS value becomes a [`JsError`] in one place.

use alloc::borrow::ToOwned;
use alloc::string::String;
use core::fmt;

use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// `String(value)`: the text of any thrown value. `catch`: a hostile `toString` may throw.
    #[wasm_bindgen(catch, js_name = String)]
    fn js_string(value: &JsValue) -> Result<String, JsValue>;
}

/// A JS exception as `{name, message}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsError {
    pub name: String,
    pub message: String,
}

impl JsError {
    /// `Error`, `DOMException` and `OverconstrainedError` all carry string `name` and
    /// `message`; anything else that was thrown (a string, a number, a plain object) is kept
    /// as its `String()` text under the name `Error`. Never fails, never panics.
    pub fn from_js(value: &JsValue) -> JsError {
        let name = prop(value, "name");
        let message = prop(value, "message");
        if name.is_none() && message.is_none() {
            return JsError {
                name: "Error".into(),
                message: js_string(value).unwrap_or_default(),
            };
        }
        JsError {
            name: name.unwrap_or_else(|| "Error".into()),
            message: message.unwrap_or_default(),
        }
    }
}

impl From<JsValue> for JsError {
    fn from(value: JsValue) -> JsError {
        JsError::from_js(&value)
    }
}

impl JsError {
    /// `name: message` (or `name` alone), what [`Display`](fmt::Display) writes: the page
    /// calls this, not `to_string()`, so that no `core::fmt` is linked (README, "Bundle size").
    pub fn text(&self) -> String {
        if self.message.is_empty() {
            return self.name.clone();
        }
        [&self.name, ": ", &self.message].concat()
    }
}

impl fmt::Display for JsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text())
    }
}

impl core::error::Error for JsError {}

/// A string property of an object, if it is one (getters that throw count as absent).
pub(crate) fn prop(value: &JsValue, key: &str) -> Option<String> {
    if !value.is_object() {
        return None;
    }
    js_sys::Reflect::get(value, &JsValue::from_str(key))
        .ok()?
        .as_string()
}

/// Why `mount` failed.
#[derive(Debug)]
pub enum MountError {
    /// The page lacks an element of the page contract.
    Missing(&'static str),
    /// No `window`/`document` (e.g. a worker).
    NoDocument,
    Js(JsError),
}

impl MountError {
    /// What [`Display`](fmt::Display) writes, without `core::fmt` (see [`JsError::text`]).
    pub fn text(&self) -> String {
        match self {
            MountError::Missing(selector) => ["webrtc-chat: the page lacks ", selector].concat(),
            MountError::NoDocument => "webrtc-chat: no document".to_owned(),
            MountError::Js(e) => e.text(),
        }
    }
}

impl fmt::Display for MountError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text())
    }
}

impl core::error::Error for MountError {}

impl From<JsError> for MountError {
    fn from(e: JsError) -> MountError {
        MountError::Js(e)
    }
}

impl From<MountError> for JsValue {
    fn from(e: MountError) -> JsValue {
        js_sys::Error::new(&e.text()).into()
    }
}
