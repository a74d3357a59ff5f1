//! The debug log: the browser console.

use wasm_bindgen::JsValue;

pub(crate) fn log(text: &str) {
    web_sys::console::log_1(&JsValue::from_str(text));
}
