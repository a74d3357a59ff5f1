//! What the host page hears from a mounted client: DOM `CustomEvent`s dispatched on the root
//! (they bubble), and the same through the `onEvent(type, detail)` option.
//!
//! | type | detail |
//! |---|---|
//! | `webrtc-chat:state` | `{socket, call, peer, ice, gathering, signaling}` (the `#status` attributes) |
//! | `webrtc-chat:call-started` | `{peer}`: media is flowing (ICE connected) |
//! | `webrtc-chat:call-ended` | `{peer, connected, reason, message}`: `connected` false for a call that never got there; `reason` why it ended (`hung-up`, `declined`, `peer-hung-up`, `peer-busy`, `peer-declined`, `peer-left`, `peer-media`, `peer-failed`, `media`, `failed`, `lost`, `error`); `message` the notice shown, if any |
//! | `webrtc-chat:error` | `{message}`: an error or notice shown to the person |
//! | `webrtc-chat:incoming-call` | `{from}`: a call rings (unless `autoAccept`), waiting for `accept()` / `decline()` |
//! | `webrtc-chat:peer-state` | `{muted, camera}`: the peer muted or unmuted, turned its camera `off` or `on` |
//! | `webrtc-chat:quality` | `{level}`: the call's quality changed (`good`, `fair`, `poor`) |
//! | `webrtc-chat:sas` | `{code}`: the call's verification code (`"330 502"`), `null` once it no longer applies |
//! | `webrtc-chat:devices` | `{kind, devices, selected}`: the cameras (`kind` `camera`) or microphones (`mic`) to pick from, `[{id, label}]` with the default (`id` `""`) first, and the one chosen |
//!
//! Each is one action of the core (`ShowStatus`, `CallStarted`, `CallEnded`, `ShowError`,
//! `CallIncoming`, `ShowPeerState`, `ShowQuality`, `ShowSas`, `ShowDevices`), rendered as it comes: nothing is inferred or decided here. Listeners run
//! synchronously; one that calls back into the client (say, `destroy()` on `call-ended`) is
//! queued by the app's event loop, never re-entered.

use chat_core::call::{EndReason, Status};
use chat_core::devices::{Device, DeviceKind};
use chat_core::quality::Level;
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
}

impl Host {
    pub fn new(root: &Element, options: &JsValue) -> Host {
        let on_event = crate::config::function(options, "onEvent");
        Host {
            root: root.clone(),
            on_event,
        }
    }

    pub fn status(&self, s: &Status) {
        let detail = object(&[
            ("socket", Some(if s.connected { "open" } else { "closed" })),
            ("call", Some(states::phase_str(s.call))),
            ("peer", s.peer.as_deref()),
            ("ice", s.ice_connection.map(states::ice_connection_str)),
            ("gathering", s.ice_gathering.map(states::ice_gathering_str)),
            ("signaling", s.signaling.map(states::signaling_str)),
        ]);
        self.emit("state", &detail);
    }

    pub fn error(&self, text: &str) {
        self.emit("error", &object(&[("message", Some(text))]));
    }

    pub fn incoming(&self, from: &str) {
        self.emit("incoming-call", &object(&[("from", Some(from))]));
    }

    pub fn peer_state(&self, muted: bool, camera: bool) {
        let detail = object(&[("camera", Some(if camera { "on" } else { "off" }))]);
        set(&detail, "muted", &muted.into());
        self.emit("peer-state", &detail);
    }

    pub fn started(&self, peer: &str) {
        self.emit("call-started", &object(&[("peer", Some(peer))]));
    }

    pub fn ended(&self, peer: &str, connected: bool, reason: EndReason, notice: Option<&str>) {
        let detail = object(&[
            ("peer", Some(peer)),
            ("reason", Some(reason.as_str())),
            ("message", notice),
        ]);
        set(&detail, "connected", &connected.into());
        self.emit("call-ended", &detail);
    }

    pub fn quality(&self, level: Level) {
        self.emit("quality", &object(&[("level", Some(level.as_str()))]));
    }

    pub fn sas(&self, code: Option<&str>) {
        self.emit("sas", &object(&[("code", code)]));
    }

    pub fn devices(&self, kind: DeviceKind, devices: &[Device], selected: &str) {
        let list = js_sys::Array::new();
        for d in devices {
            list.push(&object(&[("id", Some(&d.id)), ("label", Some(&d.label))]));
        }
        let detail = object(&[("kind", Some(kind.as_str())), ("selected", Some(selected))]);
        set(&detail, "devices", &list);
        self.emit("devices", &detail);
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
                crate::log::log(&["webrtc-chat: onEvent threw: ", &e.text()].concat());
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
