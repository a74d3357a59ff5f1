//! What the host page hears from a mounted client: DOM `CustomEvent`s dispatched on the root
//! (they bubble), and the same through the `onEvent(type, detail)` option.
//!
//! | type | detail |
//! |---|---|
//! | `webrtc-chat:state` | `{socket, call, peer, ice, gathering, signaling}` (the `#status` attributes) |
//! | `webrtc-chat:call-started` | `{peer}`: media is flowing (ICE connected) |
//! | `webrtc-chat:call-ended` | `{peer, connected, message}`: `connected` false for a call that never got there; `message` the notice shown, if any |
//! | `webrtc-chat:error` | `{message}`: an error or notice shown to the person |
//! | `webrtc-chat:incoming-call` | `{from}`: with `autoAccept: false`, waiting for `accept()` / `decline()` |
//!
//! Derived from what the core already tells the view (`ShowStatus`, `ShowError`): nothing new
//! is decided here. Listeners run synchronously; one that calls back into the client (say,
//! `destroy()` on `call-ended`) is queued by the app's event loop, never re-entered.

use chat_core::call::{CallPhase, Status};
use js_sys::{Function, Object, Reflect};
use wasm_bindgen::prelude::*;
use web_sys::Element;

use crate::states;

#[wasm_bindgen]
extern "C" {
    /// `new CustomEvent(type, {detail, bubbles})` (web-sys has it behind two more features).
    #[wasm_bindgen(js_name = CustomEvent)]
    type CustomEvent;
    #[wasm_bindgen(constructor, catch, js_class = CustomEvent)]
    fn new(kind: &str, init: &JsValue) -> Result<CustomEvent, JsValue>;
}

pub(crate) struct Host {
    root: Element,
    on_event: Option<Function>,
    /// The peer of the call under way (from the first non-idle status to the idle one).
    call: Option<String>,
    /// That call reached `connected` (so `call-started` went out).
    connected: bool,
    /// The last notice shown while handling the current input (for `call-ended`).
    message: Option<String>,
    /// Who is calling, while an incoming call rings.
    ringing: Option<String>,
}

impl Host {
    pub fn new(root: &Element, options: &JsValue) -> Host {
        let on_event = crate::config::get(options, "onEvent").and_then(|f| f.dyn_into().ok());
        Host {
            root: root.clone(),
            on_event,
            call: None,
            connected: false,
            message: None,
            ringing: None,
        }
    }

    /// A new input is being handled: notices of earlier ones do not explain its ending.
    pub fn begin(&mut self) {
        self.message = None;
    }

    pub fn status(&mut self, s: &Status) {
        let detail = object(&[
            ("socket", Some(if s.connected { "open" } else { "closed" })),
            ("call", Some(states::phase_str(s.call))),
            ("peer", s.peer.as_deref()),
            ("ice", s.ice_connection.map(states::ice_connection_str)),
            ("gathering", s.ice_gathering.map(states::ice_gathering_str)),
            ("signaling", s.signaling.map(states::signaling_str)),
        ]);
        self.emit("state", &detail);
        match (s.call, self.call.take()) {
            (CallPhase::Idle, None) => {}
            (CallPhase::Idle, Some(peer)) => {
                let detail = object(&[
                    ("peer", Some(peer.as_str())),
                    ("message", self.message.as_deref()),
                ]);
                set(&detail, "connected", &self.connected.into());
                self.connected = false;
                self.emit("call-ended", &detail);
            }
            (phase, call) => {
                // Accepted: the ringing became this call.
                self.ringing = None;
                let peer = s.peer.clone().or(call).unwrap_or_default();
                if phase == CallPhase::Connected && !self.connected {
                    self.connected = true;
                    self.emit("call-started", &object(&[("peer", Some(peer.as_str()))]));
                }
                self.call = Some(peer);
            }
        }
    }

    pub fn error(&mut self, text: &str) {
        self.message = Some(text.to_owned());
        self.emit("error", &object(&[("message", Some(text))]));
    }

    /// A call starts ringing (`Some(caller)`), or stops without being answered (`None`:
    /// declined, or the caller gave up), which ends it for the host as `call-ended`.
    pub fn ringing(&mut self, from: Option<&str>) {
        match (from, self.ringing.take()) {
            (Some(from), _) => {
                self.ringing = Some(from.to_owned());
                self.emit("incoming-call", &object(&[("from", Some(from))]));
            }
            (None, Some(peer)) => {
                let detail = object(&[
                    ("peer", Some(peer.as_str())),
                    ("message", self.message.as_deref()),
                ]);
                set(&detail, "connected", &JsValue::FALSE);
                self.emit("call-ended", &detail);
            }
            (None, None) => {}
        }
    }

    fn emit(&self, kind: &str, detail: &Object) {
        let init = object(&[]);
        set(&init, "detail", detail);
        set(&init, "bubbles", &JsValue::TRUE);
        let name = ["webrtc-chat:", kind].concat();
        if let Ok(event) = CustomEvent::new(&name, &init) {
            let _ = self.root.dispatch_event(event.unchecked_ref());
        }
        if let Some(f) = &self.on_event {
            if let Err(e) = f.call2(&JsValue::NULL, &kind.into(), detail) {
                let e = crate::error::JsError::from_js(&e);
                crate::app::log(&["webrtc-chat: onEvent threw: ", &e.to_string()].concat());
            }
        }
    }
}

/// A plain object of string members (`null` for `None`).
fn object(members: &[(&str, Option<&str>)]) -> Object {
    let o = Object::new();
    for (key, value) in members {
        set(&o, key, &value.map_or(JsValue::NULL, JsValue::from_str));
    }
    o
}

fn set(o: &Object, key: &str, value: &JsValue) {
    // Cannot fail on a fresh plain object.
    let _ = Reflect::set(o, &JsValue::from_str(key), value);
}
