//! `handleGetUserMediaError`, `reportError`, `log`, `log_error`.

use alloc::string::ToString;

use chat_core::call::MediaError;
use wasm_bindgen::prelude::*;

use super::{log_error, notify};
use crate::error::JsError;

/// `getUserMedia` failed: say why in words a person understands (the core's messages, which
/// know the modern `NotAllowedError`, bug 5), tell the peer the call cannot happen (the
/// tutorial left it waiting), and close.
#[wasm_bindgen(js_name = handleGetUserMediaError)]
pub fn handle_get_user_media_error(
    #[wasm_bindgen(unchecked_param_type = "DOMException | Error")] e: JsValue,
) {
    let error = crate::media::media_error(&e);
    log_error(&error.user_message());
    match error {
        // The person (or a policy they set) said no: as the tutorial, this is the same as
        // cancelling the call, not worth an alert.
        MediaError::NotAllowed | MediaError::PermissionDenied => {}
        _ => notify(&error.user_message()),
    }
    super::events::end_telling_peer(Some("media"));
}

/// Any thrown value, `Error` or not (a string, a plain object), as one log line.
#[wasm_bindgen(js_name = reportError)]
pub fn report_error(#[wasm_bindgen(unchecked_param_type = "unknown")] err: JsValue) {
    log_error(&["Error ", &JsError::from_js(&err).to_string()].concat());
}

fn stamp() -> JsValue {
    ["[", &super::clock(js_sys::Date::now()), "]"]
        .concat()
        .into()
}

/// A debug line on the console, stamped with the time.
#[wasm_bindgen(js_name = log)]
pub fn log_line(#[wasm_bindgen(unchecked_param_type = "unknown")] text: JsValue) {
    web_sys::console::log_2(&stamp(), &text);
}

/// An error line on the console, stamped with the time, with the stack that led to it.
#[wasm_bindgen(js_name = log_error)]
pub fn log_error_line(#[wasm_bindgen(unchecked_param_type = "unknown")] text: JsValue) {
    web_sys::console::trace_2(&stamp(), &text);
}
