//! The signaling transport: a WebSocket with subprotocol `json`, or frames carried by the host
//! page. Both end in [`decode`], so every frame goes through the same checks.
//!
//! Why `web_sys::WebSocket` rather than gloo-net's futures `WebSocket`: gloo-net copies every
//! frame into wasm memory before we can look at its size (a hostile 100 MB frame would grow
//! the wasm heap for good; here a frame over `MAX_FRAME_BYTES` is refused while it is still a
//! JS string), its stream has no `open` event (the core needs `SocketOpen`), and its message
//! parser panics (`unreachable!`) on a frame type it does not expect. The three listeners below
//! are owned like every other one (`live::listen`, removed on drop).

use alloc::string::String;

use chat_core::protocol::{DecodeError, MAX_FRAME_BYTES, SUBPROTOCOL};
use chat_core::{Input, Message};
use js_sys::JsString;
use wasm_bindgen::prelude::*;
use web_sys::{MessageEvent, WebSocket};

use crate::error::JsError;
use crate::json;
use crate::live::{listen, Listener};
use crate::queue::Inbox;

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
    let value = json::parse(text).ok_or(DecodeError::NotJson)?;
    Message::from_value_with(&value, json::number_to_string)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chat_core::json::MAX_DEPTH;
    use wasm_bindgen_test::*;

    wasm_bindgen_test_configure!(run_in_browser);

    fn refused(frame: &JsValue) -> DecodeError {
        match decode(frame) {
            Input::BadFrame { error } => error,
            other => panic!("accepted: {other:?}"),
        }
    }

    #[wasm_bindgen_test]
    fn decodes_a_frame_through_json_parse() {
        let frame = JsValue::from_str(r#"{"type":"userlist","users":["a",null,7]}"#);
        assert_eq!(
            decode(&frame),
            Input::Server(Message::UserList {
                users: vec![Some("a".into()), None, Some("7".into())]
            })
        );
    }

    #[wasm_bindgen_test]
    fn refuses_oversize_frames_by_units_and_by_bytes() {
        let big = format!(r#"{{"type":"x","t":"{}"}}"#, "a".repeat(MAX_FRAME_BYTES));
        assert!(matches!(refused(&big.into()), DecodeError::TooLarge { .. }));
        // Under the limit in UTF-16 units, over it in UTF-8 bytes.
        let wide = format!(
            r#"{{"type":"x","t":"{}"}}"#,
            "é".repeat(MAX_FRAME_BYTES / 2)
        );
        assert!(matches!(
            refused(&wide.into()),
            DecodeError::TooLarge { bytes } if bytes > MAX_FRAME_BYTES
        ));
        let fits = format!(
            r#"{{"type":"x","t":"{}"}}"#,
            "é".repeat(MAX_FRAME_BYTES / 2 - 20)
        );
        assert!(matches!(decode(&fits.into()), Input::Server(_)));
    }

    #[wasm_bindgen_test]
    fn nesting_is_bounded_and_non_strings_are_refused() {
        let ok = "[".repeat(MAX_DEPTH) + &"]".repeat(MAX_DEPTH);
        assert_eq!(refused(&ok.into()), DecodeError::NotAnObject);
        let deep = "[".repeat(MAX_DEPTH + 1) + &"]".repeat(MAX_DEPTH + 1);
        assert_eq!(refused(&deep.into()), DecodeError::NotJson);
        assert_eq!(refused(&JsValue::from_f64(1.0)), DecodeError::NotJson);
        assert_eq!(refused(&js_sys::Object::new().into()), DecodeError::NotJson);
        assert_eq!(refused(&"{".into()), DecodeError::NotJson);
    }

    #[wasm_bindgen_test]
    fn the_last_duplicate_key_wins_as_in_json_parse() {
        let frame = JsValue::from_str(r#"{"type":"id","id":1,"id":2}"#);
        assert_eq!(decode(&frame), Input::Server(Message::Id { id: 2 }));
    }
}
