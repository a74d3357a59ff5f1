//! The camera and microphone pickers (`#camera-select`, `#mic-select`, each optional) and the
//! browser's devices: `enumerateDevices` as the core's `Input::Devices` (at mount, on every
//! `devicechange`, after each `getUserMedia`, when labels appear), `getUserMedia` constraints
//! for the chosen devices, and the one-kind `getUserMedia` of a switch. The core decides which
//! device, the fallback and the notice (core/src/devices.rs).

use alloc::string::String;
use alloc::vec::Vec;

use chat_core::call::MediaError;
use chat_core::devices::{Device, DeviceKind};
use chat_core::Input;
use js_sys::{Array, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::{spawn_local, JsFuture};
use web_sys::{Element, HtmlSelectElement, MediaDevices};

use crate::error::prop;
use crate::live::{listen, Listener};
use crate::media::LocalStream;
use crate::queue::Inbox;

const KINDS: [DeviceKind; 2] = [DeviceKind::Camera, DeviceKind::Mic];

fn media_devices() -> Option<MediaDevices> {
    web_sys::window()?.navigator().media_devices().ok()
}

/// The two pickers a page has (a page without them still gets the host's `devices` events).
pub(crate) struct Pickers([Option<HtmlSelectElement>; 2]);

impl Pickers {
    pub fn find(root: &Element) -> Pickers {
        // The selectors match `<select>`s only: no checked cast (an import of its own).
        let find = |s| {
            root.query_selector(s)
                .ok()
                .flatten()
                .map(JsCast::unchecked_into)
        };
        Pickers([find("select#camera-select"), find("select#mic-select")])
    }

    /// A choice in a picker, the devices changing: inputs. Listed once now.
    pub fn listen(&self, inbox: &Inbox) -> Vec<Listener> {
        let mut listeners = Vec::new();
        for (select, kind) in self.0.iter().zip(KINDS) {
            if let Some(select) = select {
                let (s, i) = (select.clone(), inbox.clone());
                listeners.push(listen(select, "change", move |_| {
                    i.input(Input::SelectDevice {
                        kind,
                        id: s.value(),
                    })
                }));
            }
        }
        if let Some(devices) = media_devices() {
            let i = inbox.clone();
            listeners.push(listen(&devices, "devicechange", move |_| enumerate(&i)));
        }
        enumerate(inbox);
        listeners
    }

    /// The core's `ShowDevices`: the picker's options and its value.
    pub fn show(&self, kind: DeviceKind, devices: &[Device], selected: &str) {
        let Some(select) = &self.0[kind as usize] else {
            return;
        };
        select.set_text_content(None);
        for d in devices {
            if let Ok(option) = select
                .owner_document()
                .map_or(Err(JsValue::NULL), |doc| doc.create_element("option"))
            {
                let _ = option.set_attribute("value", &d.id);
                option.set_text_content(Some(&d.label));
                let _ = select.append_child(&option);
            }
        }
        select.set_value(selected);
    }
}

/// `enumerateDevices()`, as one `Input::Devices` per kind (nothing when it fails: the pickers
/// keep the default).
pub(crate) fn enumerate(inbox: &Inbox) {
    let Some(promise) = media_devices().and_then(|d| d.enumerate_devices().ok()) else {
        return;
    };
    let inbox = inbox.clone();
    spawn_local(async move {
        let Ok(list) = JsFuture::from(promise).await else {
            return;
        };
        let mut lists = [Vec::new(), Vec::new()];
        for info in Array::from(&list).iter() {
            let kind = prop(&info, "kind").as_deref().and_then(DeviceKind::parse);
            if let Some(kind) = kind {
                lists[kind as usize].push(Device {
                    id: prop(&info, "deviceId").unwrap_or_default(),
                    label: prop(&info, "label").unwrap_or_default(),
                });
            }
        }
        for (devices, kind) in lists.into_iter().zip(KINDS) {
            inbox.input(Input::Devices { kind, devices });
        }
    });
}

/// `getUserMedia` constraints: the page's (`{audio: true, video: true}` by default) with
/// `deviceId: {exact}` for each chosen device; `only`: this kind and not the other.
pub(crate) fn constraints(
    base: Option<&JsValue>,
    chosen: &[Option<String>; 2],
    only: Option<DeviceKind>,
) -> JsValue {
    let c = Object::new();
    match base {
        Some(base) => {
            Object::assign(&c, &Object::from(base.clone()));
        }
        None => {
            for kind in KINDS {
                set(&c, key(kind), &JsValue::TRUE);
            }
        }
    }
    for kind in KINDS {
        if only.is_some_and(|o| o != kind) {
            set(&c, key(kind), &JsValue::FALSE);
        } else if let Some(id) = &chosen[kind as usize] {
            let track = Object::new();
            let own = Reflect::get(&c, &key(kind).into()).unwrap_or_default();
            if own.is_object() {
                Object::assign(&track, &Object::from(own));
            }
            let exact = Object::new();
            set(&exact, "exact", &id.into());
            set(&track, "deviceId", &exact);
            set(&c, key(kind), &track);
        }
    }
    c.into()
}

fn key(kind: DeviceKind) -> &'static str {
    match kind {
        DeviceKind::Camera => "video",
        DeviceKind::Mic => "audio",
    }
}

fn set(o: &Object, key: &str, value: &JsValue) {
    let _ = Reflect::set(o, &key.into(), value);
}

/// The core's `SwitchDevice`: a stream of this kind only, owned (stopped when dropped).
pub(crate) fn acquire_one(
    base: Option<&JsValue>,
    chosen: &[Option<String>; 2],
    kind: DeviceKind,
) -> impl core::future::Future<Output = Result<LocalStream, MediaError>> {
    crate::media::acquire(Some(&constraints(base, chosen, Some(kind))))
}
