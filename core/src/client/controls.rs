//! The person's microphone and camera switches, and the peer's: `peer-state` messages.
//!
//! A `peer-state` is an ordinary targeted message, `{type: "peer-state", name, target, call,
//! muted, camera}` (docs/protocol.md): the tutorial's server routes any message with a
//! `target` to that user, so it needs no server support. Only the peer of the current call,
//! with a token of that call, is believed.

use alloc::borrow::ToOwned;

use crate::call::Action;
use crate::devices::{DeviceKind, Outcome};
use crate::json::Value;
use crate::protocol::Message;
use crate::text::{Key, Text};

use super::Client;

impl Client {
    /// The switches changed (or were set again): render them and tell the peer.
    pub(super) fn local_media(&mut self, muted: bool, camera: bool) {
        if (muted, !camera) == (self.muted, self.camera_off) {
            return;
        }
        self.muted = muted;
        self.camera_off = !camera;
        self.out.push(Action::LocalMedia { muted, camera });
        self.send_peer_state();
    }

    /// Tells the peer of the current call (if it has heard of the call) our switches.
    pub(super) fn send_peer_state(&mut self) {
        let Some(call) = self.call.as_ref().filter(|c| c.peer_knows()) else {
            return;
        };
        let camera = if self.camera_off { "off" } else { "on" };
        let raw = Value::object([
            ("type", Some(Value::from("peer-state"))),
            ("name", Some(Value::from(call.me.as_str()))),
            ("target", Some(Value::from(call.peer.as_str()))),
            ("call", Some(Value::from(call.hang_up_token()))),
            ("muted", Some(Value::Bool(self.muted))),
            ("camera", Some(Value::from(camera))),
        ]);
        self.send(Message::Unknown {
            kind: "peer-state".to_owned(),
            raw,
        });
    }

    /// Screen sharing: only in a call whose peer connection exists (its video sender takes
    /// the screen's track).
    pub(super) fn share(&mut self, on: bool) {
        match (&self.call, self.sharing) {
            (Some(call), None) if on && call.peer_created() => {
                let call = call.id;
                self.sharing = Some(call);
                self.out.push(Action::Share { call, on: true });
            }
            (_, Some(call)) if !on => self.stop_share(call),
            (None, _) if on => self.error(Text::new(Key::ShareNeedsCall)),
            _ => {}
        }
    }

    pub(super) fn stop_share(&mut self, call: crate::call::CallId) {
        self.sharing = None;
        self.out.push(Action::Share { call, on: false });
    }

    /// A device input's outcome: the picker, the notice, and the switch of a call whose media
    /// is up (a call still waiting for `getUserMedia` keeps what it asked for; the choice
    /// holds for the next call). A camera switch while the screen is shared goes into the
    /// local stream only: the camera comes back into the sender when sharing stops.
    pub(super) fn device_outcome(&mut self, kind: DeviceKind, outcome: Outcome) {
        if let Some(text) = outcome.notice {
            self.error(text);
        }
        if outcome.show {
            self.show_devices(kind);
        }
        if !outcome.switch {
            return;
        }
        match self.call.as_ref().filter(|c| c.has_media()) {
            Some(call) => {
                let call = call.id;
                let send = kind == DeviceKind::Mic || self.sharing != Some(call);
                self.out.push(Action::SwitchDevice {
                    call,
                    kind,
                    id: self.devices.chosen(kind),
                    send,
                });
            }
            None => self.devices.settle(kind),
        }
    }

    /// The picker of `kind`, in the page's language.
    pub(super) fn show_devices(&mut self, kind: DeviceKind) {
        let selected = self.devices.chosen(kind).unwrap_or_default();
        self.out.push(Action::ShowDevices {
            kind,
            devices: self.devices.entries(kind, self.lang),
            selected,
        });
    }

    pub(super) fn on_peer_state(&mut self, raw: &Value) {
        let text = |key| raw.get(key).and_then(Value::as_str);
        let from = text("name");
        let ours = self.call.as_ref().is_some_and(|c| {
            from == Some(c.peer.as_str())
                && text("target") == Some(c.me.as_str())
                && c.owns(text("call"))
        });
        if !ours {
            let from = from.unwrap_or("someone").to_owned();
            return self.log(["ignored a peer-state from ", &from].concat());
        }
        let muted = matches!(raw.get("muted"), Some(Value::Bool(true)));
        let camera = text("camera") != Some("off");
        if let Some(call) = self.call.as_mut() {
            call.peer_switches = (muted, camera);
        }
        self.out.push(Action::ShowPeerState { muted, camera });
    }
}
