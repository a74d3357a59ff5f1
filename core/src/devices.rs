//! Camera and microphone pickers: which device each `getUserMedia` asks for, what happens when
//! the person picks another one mid-call, and when the one in use is unplugged.
//!
//! The shell lists the devices (`enumerateDevices`, again on every `devicechange` and once
//! permission is granted, when labels appear) as [`Input::Devices`](crate::Input::Devices);
//! the person or the host picks one ([`Input::SelectDevice`](crate::Input::SelectDevice)).
//! The core answers with [`Action::ShowDevices`](crate::Action::ShowDevices) (the pickers,
//! the host's `devices` event, and the ids every later `getUserMedia` asks for) and, in a call
//! whose media is up, [`Action::SwitchDevice`](crate::Action::SwitchDevice): the new track
//! replaces the old one in the sender (`replaceTrack`, no renegotiation).

use alloc::borrow::ToOwned;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use crate::call::MediaError;
use crate::text::{template, Key, Lang, Text};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeviceKind {
    /// `videoinput`.
    Camera,
    /// `audioinput`.
    Mic,
}

impl DeviceKind {
    /// The host API's name (`selectDevice(kind, …)`), and `enumerateDevices`' `kind`.
    pub fn as_str(self) -> &'static str {
        match self {
            DeviceKind::Camera => "camera",
            DeviceKind::Mic => "mic",
        }
    }

    pub fn parse(s: &str) -> Option<DeviceKind> {
        match s {
            "camera" | "videoinput" => Some(DeviceKind::Camera),
            "mic" | "audioinput" => Some(DeviceKind::Mic),
            _ => None,
        }
    }

    fn index(self) -> usize {
        self as usize
    }

    /// This kind's texts: unplugged, no such device, the default entry, an unnamed device.
    fn keys(self) -> [Key; 4] {
        match self {
            DeviceKind::Camera => [
                Key::CameraUnplugged,
                Key::NoSuchCamera,
                Key::DefaultCamera,
                Key::CameraN,
            ],
            DeviceKind::Mic => [
                Key::MicUnplugged,
                Key::NoSuchMic,
                Key::DefaultMic,
                Key::MicN,
            ],
        }
    }
}

/// One entry of a picker. `id` empty: the browser's default device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Device {
    pub id: String,
    pub label: String,
}

/// The pickers' state: the devices listed and the one chosen per kind.
#[derive(Debug, Clone, Default)]
pub(crate) struct Devices {
    /// As enumerated (cameras, microphones), without the default entry.
    lists: [Vec<Device>; 2],
    /// The chosen device per kind; `None`: the browser's default.
    chosen: [Option<String>; 2],
    /// The choice before a switch still under way: restored if the switch fails.
    before: [Option<Option<String>>; 2],
    /// A list of ids came in (enumerated with permission): ids can be checked against it.
    known: [bool; 2],
    /// The picker was rendered once.
    shown: [bool; 2],
}

/// What the client must do after a device input.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct Outcome {
    /// Re-render the pickers ([`Devices::show`]).
    pub show: bool,
    /// Switch the kind to its (new) choice, if a call's media is up.
    pub switch: bool,
    /// Tell the person.
    pub notice: Option<Text>,
}

impl Devices {
    /// The picker of `kind` was rendered (so a language switch renders it again).
    pub fn shown(&self, kind: DeviceKind) -> bool {
        self.shown[kind.index()]
    }

    pub fn chosen(&self, kind: DeviceKind) -> Option<String> {
        self.chosen[kind.index()].clone()
    }

    /// A fresh enumeration. Entries without an id (listed before permission is granted, when
    /// browsers hide ids and labels) cannot be picked: only the default is offered then, and a
    /// choice is not judged against such a list.
    pub fn listed(&mut self, kind: DeviceKind, devices: Vec<Device>) -> Outcome {
        let i = kind.index();
        let devices: Vec<Device> = devices.into_iter().filter(|d| !d.id.is_empty()).collect();
        let mut out = Outcome {
            show: devices != self.lists[i] || !self.shown[i],
            ..Outcome::default()
        };
        self.shown[i] = true;
        // Once ids were listed, an empty list means every device of the kind went.
        self.known[i] |= !devices.is_empty();
        let gone = self.chosen[i]
            .as_ref()
            .is_some_and(|id| self.known[i] && !devices.iter().any(|d| &d.id == id));
        self.lists[i] = devices;
        if gone {
            self.chosen[i] = None;
            out.show = true;
            out.switch = true;
            out.notice = Some(Text::new(kind.keys()[0]));
        }
        out
    }

    /// The person or the host picked a device (`id` empty: the default).
    pub fn select(&mut self, kind: DeviceKind, id: String) -> Outcome {
        let i = kind.index();
        let id = Some(id).filter(|id| !id.is_empty());
        let unknown = id
            .as_ref()
            .is_some_and(|id| self.known[i] && !self.lists[i].iter().any(|d| &d.id == id));
        if unknown {
            return Outcome {
                // Puts the picker back on the device in use.
                show: true,
                notice: Some(Text::new(kind.keys()[1])),
                ..Outcome::default()
            };
        }
        if id == self.chosen[i] {
            return Outcome::default();
        }
        self.before[i] = Some(core::mem::replace(&mut self.chosen[i], id));
        Outcome {
            show: true,
            switch: true,
            notice: None,
        }
    }

    /// No switch followed the last choice (no call's media is up): it applies to the next
    /// call's `getUserMedia`, and there is nothing to go back to.
    pub fn settle(&mut self, kind: DeviceKind) {
        self.before[kind.index()] = None;
    }

    /// A switch is over: on failure the choice goes back to the device still in use.
    pub fn switched(&mut self, kind: DeviceKind, error: Option<MediaError>) -> Outcome {
        let i = kind.index();
        let before = self.before[i].take();
        let Some(error) = error else {
            return Outcome::default();
        };
        if let Some(before) = before {
            self.chosen[i] = before;
        }
        Outcome {
            show: true,
            switch: false,
            notice: Some(error.text()),
        }
    }

    /// The picker's entries: the default first, then each device (unnamed ones numbered).
    pub fn entries(&self, kind: DeviceKind, lang: Lang) -> Vec<Device> {
        let [_, _, default, numbered] = kind.keys();
        let mut entries = vec![Device {
            id: String::new(),
            label: template(lang, default).to_owned(),
        }];
        for (n, d) in self.lists[kind.index()].iter().enumerate() {
            let label = if d.label.is_empty() {
                Text::new(numbered)
                    .with("n", &crate::protocol::digits::dec(n as u64 + 1))
                    .render(lang)
            } else {
                d.label.clone()
            };
            entries.push(Device {
                id: d.id.clone(),
                label,
            });
        }
        entries
    }
}
