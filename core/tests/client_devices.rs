//! Camera and microphone pickers (core/src/devices.rs): what is listed, which device a call
//! uses, a switch mid-call, an unplugged device, a switch that fails.
//!
//! Cast: we are `alice`; `bob` is online.

mod common;

use chat_core::call::{Action, Input, MediaError};
use chat_core::devices::{Device, DeviceKind};
use common::*;

const ALL: &[&str] = &["alice", "bob"];
use DeviceKind::{Camera, Mic};

fn dev(id: &str, label: &str) -> Device {
    Device {
        id: id.into(),
        label: label.into(),
    }
}

fn listed(kind: DeviceKind, devices: &[(&str, &str)]) -> Input {
    Input::Devices {
        kind,
        devices: devices.iter().map(|(i, l)| dev(i, l)).collect(),
    }
}

fn default(kind: DeviceKind) -> Device {
    match kind {
        Camera => dev("", "Default camera"),
        Mic => dev("", "Default microphone"),
    }
}

fn show(kind: DeviceKind, devices: &[(&str, &str)], selected: &str) -> Action {
    let mut all = vec![default(kind)];
    all.extend(devices.iter().map(|(i, l)| dev(i, l)));
    Action::ShowDevices {
        kind,
        devices: all,
        selected: selected.into(),
    }
}

fn select(kind: DeviceKind, id: &str) -> Input {
    Input::SelectDevice {
        kind,
        id: id.into(),
    }
}

fn switch(kind: DeviceKind, id: Option<&str>, send: bool) -> Action {
    Action::SwitchDevice {
        call: 1,
        kind,
        id: id.map(str::to_owned),
        send,
    }
}

const CAMS: &[(&str, &str)] = &[("c1", "Front"), ("c2", "Depth"), ("c3", "Back")];

#[test]
fn before_permission_only_the_default_is_offered_and_labels_fill_in_later() {
    let mut h = H::logged_in("alice", ALL);
    h.table(vec![
        // Browsers hide ids and labels until getUserMedia is allowed.
        (
            listed(Camera, &[("", ""), ("", "")]),
            vec![show(Camera, &[], "")],
        ),
        (listed(Camera, &[("", ""), ("", "")]), vec![]),
        // Ids without labels: numbered.
        (
            listed(Camera, &[("c1", ""), ("c2", "")]),
            vec![show(Camera, &[("c1", "Camera 1"), ("c2", "Camera 2")], "")],
        ),
        (listed(Camera, CAMS), vec![show(Camera, CAMS, "")]),
        (listed(Camera, CAMS), vec![]),
    ]);
}

#[test]
fn a_choice_outside_a_call_is_for_the_next_call() {
    let mut h = H::logged_in("alice", ALL);
    h.go(listed(Camera, CAMS));
    h.table(vec![
        (select(Camera, "c3"), vec![show(Camera, CAMS, "c3")]),
        (select(Camera, "c3"), vec![]),
    ]);
    assert_eq!(h.c.device(Camera).as_deref(), Some("c3"));
    // An id nobody listed: refused, the picker put back on the choice.
    h.table(vec![(
        select(Camera, "nope"),
        vec![error("No such camera."), show(Camera, CAMS, "c3")],
    )]);
    assert_eq!(h.c.device(Camera).as_deref(), Some("c3"));
    // The default again (id empty).
    h.table(vec![(select(Camera, ""), vec![show(Camera, CAMS, "")])]);
    assert_eq!(h.c.device(Camera), None);
}

#[test]
fn a_switch_mid_call_replaces_the_track_without_renegotiating() {
    let mut h = H::logged_in("alice", ALL);
    h.go(listed(Camera, CAMS));
    h.go(listed(Mic, &[("m1", "Headset")]));
    h.connected_as_caller("bob");
    h.table(vec![
        (
            select(Camera, "c3"),
            vec![show(Camera, CAMS, "c3"), switch(Camera, Some("c3"), true)],
        ),
        (
            Input::DeviceSwitched {
                kind: Camera,
                error: None,
            },
            vec![],
        ),
        (
            select(Mic, "m1"),
            vec![
                show(Mic, &[("m1", "Headset")], "m1"),
                switch(Mic, Some("m1"), true),
            ],
        ),
    ]);
    assert_eq!(h.c.device(Camera).as_deref(), Some("c3"));
}

#[test]
fn a_camera_switch_while_sharing_stays_out_of_the_sender() {
    let mut h = H::logged_in("alice", ALL);
    h.go(listed(Camera, CAMS));
    h.connected_as_caller("bob");
    h.go(Input::ShareScreen { on: true });
    h.table(vec![(
        select(Camera, "c1"),
        vec![show(Camera, CAMS, "c1"), switch(Camera, Some("c1"), false)],
    )]);
}

#[test]
fn a_call_still_waiting_for_its_camera_keeps_what_it_asked_for() {
    let mut h = H::logged_in("alice", ALL);
    h.go(listed(Camera, CAMS));
    h.go(Input::CallUser { name: "bob".into() });
    h.table(vec![(select(Camera, "c1"), vec![show(Camera, CAMS, "c1")])]);
}

#[test]
fn an_unplugged_device_in_use_falls_back_to_the_default_with_a_notice() {
    let mut h = H::logged_in("alice", ALL);
    h.go(listed(Camera, CAMS));
    h.go(select(Camera, "c3"));
    h.connected_as_caller("bob");
    let left = &CAMS[..2];
    h.table(vec![
        // Another device going does not matter.
        (
            listed(Camera, &[CAMS[0], CAMS[2]]),
            vec![show(Camera, &[CAMS[0], CAMS[2]], "c3")],
        ),
        (
            listed(Camera, left),
            vec![
                error("The camera in use was unplugged: using the default camera."),
                show(Camera, left, ""),
                switch(Camera, None, true),
            ],
        ),
    ]);
    assert_eq!(h.c.device(Camera), None);
    // Outside a call: the notice and the picker, nothing to switch.
    let mut h = H::logged_in("alice", ALL);
    h.go(listed(Mic, &[("m1", "Headset")]));
    h.go(select(Mic, "m1"));
    h.table(vec![(
        listed(Mic, &[]),
        vec![
            error("The microphone in use was unplugged: using the default microphone."),
            show(Mic, &[], ""),
        ],
    )]);
}

#[test]
fn a_failed_switch_goes_back_to_the_device_in_use() {
    let mut h = H::logged_in("alice", ALL);
    h.go(listed(Camera, CAMS));
    h.go(select(Camera, "c1"));
    h.connected_as_caller("bob");
    h.go(select(Camera, "c2"));
    h.table(vec![(
        Input::DeviceSwitched {
            kind: Camera,
            error: Some(MediaError::NotReadable),
        },
        vec![
            error(&MediaError::NotReadable.user_message()),
            show(Camera, CAMS, "c1"),
        ],
    )]);
    assert_eq!(h.c.device(Camera).as_deref(), Some("c1"));
}

#[test]
fn kinds_parse_from_the_host_api_and_enumerate_devices() {
    assert_eq!(DeviceKind::parse("camera"), Some(Camera));
    assert_eq!(DeviceKind::parse("videoinput"), Some(Camera));
    assert_eq!(DeviceKind::parse("mic"), Some(Mic));
    assert_eq!(DeviceKind::parse("audioinput"), Some(Mic));
    assert_eq!(DeviceKind::parse("audiooutput"), None);
}

#[test]
fn a_language_switch_rewords_the_pickers_and_their_notices() {
    let mut h = H::logged_in("alice", ALL);
    h.go(listed(Camera, &[("c1", ""), ("c2", "Back")]));
    let ko = chat_core::text::Lang::Ko;
    let korean = Action::ShowDevices {
        kind: Camera,
        devices: vec![
            dev("", "기본 카메라"),
            dev("c1", "카메라 1"),
            dev("c2", "Back"),
        ],
        selected: String::new(),
    };
    // Only the picker that was shown is rendered again; device labels are the browser's.
    h.table(vec![(Input::SetLang { lang: ko }, vec![korean])]);
    let out = h.go(select(Camera, "c9"));
    assert!(
        out.contains(&Action::ShowError {
            text: "그런 카메라는 없어요.".into()
        }),
        "{out:?}"
    );
}
