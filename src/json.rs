//! JSON through the platform: frames are read with the browser's `JSON.parse` and written with
//! its `JSON.stringify`, and a number read as a name becomes JavaScript's own `String(n)`. So
//! the page bundles no JSON reader, no JSON writer and no float formatter (natively, the core's
//! tests and the relay use serde_json and `chat_protocol::number_to_string`; tests/json.rs
//! checks both agree with this on the same table).

use alloc::string::String;
use alloc::vec::Vec;

use chat_core::json::MAX_DEPTH;
use chat_core::Value;
use js_sys::{Array, JsString, Object, Reflect};
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// `JSON.parse` on a JS string, without copying it into wasm memory first.
    #[wasm_bindgen(catch, js_namespace = JSON, js_name = parse)]
    fn json_parse(text: &JsString) -> Result<JsValue, JsValue>;
    /// JavaScript's `String(n)`.
    #[wasm_bindgen(js_name = String)]
    fn js_string(n: f64) -> String;
}

/// A number read where a name was expected, as the page's JavaScript names it (the
/// [`chat_core::protocol::NumberName`] the browser passes to the decoder).
pub(crate) fn number_to_string(n: f64) -> String {
    js_string(n)
}

/// `JSON.parse(text)` as the core's [`Value`]; `None` for text that is not JSON or nests
/// deeper than [`MAX_DEPTH`].
pub(crate) fn parse(text: &JsString) -> Option<Value> {
    to_value(&json_parse(text).ok()?, 0)
}

/// `JSON.stringify` of `value` (built as a JS value first).
pub(crate) fn stringify(value: &Value) -> String {
    // Cannot throw: the value is plain data, acyclic, with no `toJSON` or BigInt in it.
    js_sys::JSON::stringify(&to_js(value))
        .map(String::from)
        .unwrap_or_default()
}

/// `value` as the plain JS value `JSON.parse` would have given for its text.
pub(crate) fn to_js(value: &Value) -> JsValue {
    match value {
        Value::Null => JsValue::NULL,
        Value::Bool(b) => JsValue::from_bool(*b),
        Value::Number(n) => JsValue::from_f64(*n),
        Value::String(s) => JsValue::from_str(s),
        Value::Array(items) => items.iter().map(to_js).collect::<Array>().into(),
        Value::Object(members) => {
            let object = Object::new();
            for (key, member) in members {
                let (key, member) = (JsValue::from_str(key), to_js(member));
                // `JSON.parse` makes `__proto__` an own member; assigning it would set the
                // prototype instead. Neither call can fail on a fresh plain object.
                if key == "__proto__" {
                    let descriptor = Object::new();
                    for (k, v) in [
                        ("value", &member),
                        ("writable", &JsValue::TRUE),
                        ("enumerable", &JsValue::TRUE),
                        ("configurable", &JsValue::TRUE),
                    ] {
                        let _ = Reflect::set(&descriptor, &k.into(), v);
                    }
                    let _ = Reflect::define_property(&object, &key, &descriptor);
                } else {
                    let _ = Reflect::set(&object, &key, &member);
                }
            }
            object.into()
        }
    }
}

/// What `JSON.parse` gave, as the core's [`Value`]; `None` past `MAX_DEPTH` levels, so a
/// hostile `[[[[…]]]]` cannot exhaust the (small) wasm stack.
///
/// Hand-written rather than serde-wasm-bindgen (measured: 7.4 KB less gzipped page). Its
/// error messages pull serde's `Unexpected` formatting, and with it the float formatter, into
/// the bundle; and here `JSON.parse` output has only six shapes.
fn to_value(v: &JsValue, depth: usize) -> Option<Value> {
    if let Some(s) = v.as_string() {
        return Some(Value::String(s));
    }
    if let Some(n) = v.as_f64() {
        return Some(Value::Number(n));
    }
    if let Some(b) = v.as_bool() {
        return Some(Value::Bool(b));
    }
    if v.is_null() {
        return Some(Value::Null);
    }
    if depth >= MAX_DEPTH {
        return None;
    }
    // Loops rather than `collect::<Option<_>>()`: its adapters cost two generic copies
    // (README, "Bundle size").
    if Array::is_array(v) {
        let mut items = Vec::new();
        for item in v.unchecked_ref::<Array>().iter() {
            items.push(to_value(&item, depth + 1)?);
        }
        return Some(Value::Array(items));
    }
    // Own enumerable string keys in JSON.parse's order (the last of duplicate keys wins there).
    // `typeof` rather than `instanceof Object` (an import for this alone; an object from
    // another frame or with no prototype counts too).
    if !v.is_object() {
        return None;
    }
    let mut members = Vec::new();
    for entry in Object::entries(v.unchecked_ref()).iter() {
        let entry: Array = entry.unchecked_into();
        members.push((
            entry.get(0).as_string()?,
            to_value(&entry.get(1), depth + 1)?,
        ));
    }
    Some(Value::Object(members))
}
