//! The signaling transport: a WebSocket with subprotocol `json`, or frames carried by the host
//! page. Both end in [`decode`], so every frame goes through the same checks.
//!
//! Why `web_sys::WebSocket` rather than gloo-net's futures `WebSocket`: gloo-net copies every
//! frame into wasm memory before we can look at its size (a hostile 100 MB frame would grow
//! the wasm heap for good; here a frame over `MAX_FRAME_BYTES` is refused while it is still a
//! JS string), its stream has no `open` event (the core needs `SocketOpen`), and its message
//! parser panics (`unreachable!`) on a frame type it does not expect. The three listeners below
//! are owned like every other one (gloo-events, removed on drop).

use chat_core::protocol::{DecodeError, MAX_FRAME_BYTES};
use chat_core::{Input, Message, Value};
use js_sys::JsString;
use wasm_bindgen::prelude::*;
use web_sys::{MessageEvent, WebSocket};

use crate::app::Inbox;
use crate::error::JsError;
use crate::live::{listen, Listener};

/// The WebSocket subprotocol the sample server requires (it refuses the upgrade without it).
const SUBPROTOCOL: &str = "json";

#[wasm_bindgen]
extern "C" {
    /// `JSON.parse` on a JS string, without copying it into wasm memory first.
    #[wasm_bindgen(catch, js_namespace = JSON, js_name = parse)]
    fn json_parse(text: &JsString) -> Result<JsValue, JsValue>;
}

/// An open (or opening) signaling WebSocket. Dropping it removes its listeners, then closes
/// it: a close we asked for is not reported as `SocketClosed`.
pub(crate) struct Socket {
    ws: WebSocket,
    _listeners: [Listener; 3],
}

impl Socket {
    pub fn open(url: &str, inbox: &Inbox) -> Result<Socket, JsError> {
        let ws = WebSocket::new_with_str(url, SUBPROTOCOL)?;
        let on_open = inbox.clone();
        let on_message = inbox.clone();
        let on_close = inbox.clone();
        // `error` is always followed by `close` (WebSocket spec, "fail the WebSocket
        // connection"), so `close` alone reports both.
        let listeners = [
            listen(&ws, "open", move |_| on_open.input(Input::SocketOpen)),
            listen(&ws, "message", move |e| {
                if let Some(e) = e.dyn_ref::<MessageEvent>() {
                    on_message.input(decode(&e.data()));
                }
            }),
            listen(&ws, "close", move |_| on_close.input(Input::SocketClosed)),
        ];
        Ok(Socket {
            ws,
            _listeners: listeners,
        })
    }

    pub fn send(&self, text: &str) -> Result<(), JsError> {
        Ok(self.ws.send_with_str(text)?)
    }
}

impl Drop for Socket {
    fn drop(&mut self) {
        // The listeners (fields) are dropped after this, before the `close` event can fire.
        let _ = self.ws.close();
    }
}

/// A received frame as the core's input: a message, or why it was refused. Total: any JS
/// value (a binary frame, a number from a host page) gives an input, never a panic.
pub(crate) fn decode(frame: &JsValue) -> Input {
    match decode_message(frame) {
        Ok(message) => Input::Server(message),
        Err(error) => Input::BadFrame { error },
    }
}

fn decode_message(frame: &JsValue) -> Result<Message, DecodeError> {
    let text = frame.dyn_ref::<JsString>().ok_or(DecodeError::NotJson)?;
    // UTF-8 takes at least one byte per UTF-16 unit, so this refuses every oversize frame
    // except some non-ASCII ones, caught just below, without copying the text.
    let units = text.length() as usize;
    if units > MAX_FRAME_BYTES {
        return Err(DecodeError::TooLarge { bytes: units });
    }
    if units * 3 > MAX_FRAME_BYTES {
        let bytes = String::from(text).len();
        if bytes > MAX_FRAME_BYTES {
            return Err(DecodeError::TooLarge { bytes });
        }
    }
    let parsed = json_parse(text).map_err(|_| DecodeError::NotJson)?;
    // `Value`'s deserializer bounds nesting (json::MAX_DEPTH), so `[[[[…]]]]` is an error.
    let value: Value = serde_wasm_bindgen::from_value(parsed).map_err(|_| DecodeError::NotJson)?;
    Message::from_value(&value)
}
