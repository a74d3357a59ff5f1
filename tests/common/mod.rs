//! Test helpers: polling with a deadline, page roots, and an in-page signaling relay that
//! routes the clients' real JSON frames the way MDN's sample server does.
#![allow(dead_code)]

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use gloo_timers::future::TimeoutFuture;
use js_sys::{Array, Function, Object, Reflect, JSON};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::spawn_local;
use web_sys::{Element, HtmlElement, HtmlInputElement, HtmlVideoElement};
use webrtc_chat::ChatApp;

/// Polls `cond` every 20 ms until it holds; panics after `timeout_ms` naming `what`.
pub async fn wait_for(what: &str, timeout_ms: f64, mut cond: impl FnMut() -> bool) {
    let start = js_sys::Date::now();
    loop {
        if cond() {
            return;
        }
        if js_sys::Date::now() - start > timeout_ms {
            panic!("timed out after {timeout_ms} ms waiting for: {what}");
        }
        TimeoutFuture::new(20).await;
    }
}

/// A fresh `<div>` in the page, for one client.
pub fn root(id: &str) -> Element {
    let doc = web_sys::window().unwrap().document().unwrap();
    let div = doc.create_element("div").unwrap();
    div.set_id(id);
    doc.body().unwrap().append_child(&div).unwrap();
    div
}

pub fn q(root: &Element, selector: &str) -> Element {
    root.query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("no {selector}"))
}

pub fn click(root: &Element, selector: &str) {
    q(root, selector).unchecked_into::<HtmlElement>().click();
}

pub fn type_into(root: &Element, selector: &str, text: &str) {
    q(root, selector)
        .unchecked_into::<HtmlInputElement>()
        .set_value(text);
}

pub fn status(root: &Element, attr: &str) -> String {
    q(root, "#status").get_attribute(attr).unwrap_or_default()
}

pub fn users(root: &Element) -> Vec<String> {
    let list = root.query_selector_all("ul.userlistbox li").unwrap();
    (0..list.length())
        .filter_map(|i| list.item(i)?.text_content())
        .collect()
}

pub fn click_user(root: &Element, name: &str) {
    let list = root.query_selector_all("ul.userlistbox li").unwrap();
    for i in 0..list.length() {
        let li = list.item(i).unwrap();
        if li.text_content().as_deref() == Some(name) {
            li.unchecked_into::<HtmlElement>().click();
            return;
        }
    }
    panic!("{name} is not in the user list");
}

pub fn error_text(root: &Element) -> Option<String> {
    let e = q(root, "#error").unchecked_into::<HtmlElement>();
    (!e.hidden()).then(|| e.text_content().unwrap_or_default())
}

pub fn remote_video(root: &Element) -> HtmlVideoElement {
    q(root, "video#received_video").unchecked_into()
}

pub fn hangup_enabled(root: &Element) -> bool {
    !q(root, "button#hangup-button")
        .unchecked_into::<web_sys::HtmlButtonElement>()
        .disabled()
}

pub fn wasm_memory_bytes() -> u32 {
    let memory: js_sys::WebAssembly::Memory = wasm_bindgen::memory().unchecked_into();
    memory
        .buffer()
        .unchecked_into::<js_sys::ArrayBuffer>()
        .byte_length()
}

fn get(v: &JsValue, key: &str) -> JsValue {
    Reflect::get(v, &key.into()).unwrap_or(JsValue::UNDEFINED)
}

fn set(o: &JsValue, key: &str, value: &JsValue) {
    Reflect::set(o, &key.into(), value).unwrap();
}

/// One client as the relay sees it.
struct Conn {
    app: Option<Rc<ChatApp>>,
    name: Option<String>,
    open: bool,
    _send: Closure<dyn FnMut(JsValue)>,
    _connect: Closure<dyn FnMut()>,
}

/// The in-page signaling server. Frames are delivered asynchronously (one task each, in
/// order), like a network would, so no client is re-entered from its own `send`.
#[derive(Default)]
pub struct Relay {
    conns: RefCell<Vec<Conn>>,
    next_id: Cell<u32>,
    /// Every frame the clients sent, for assertions, when `record` is set (off by default so
    /// that memory measurements see only the clients).
    pub sent: RefCell<Vec<String>>,
    pub record: Cell<bool>,
}

impl Relay {
    pub fn new() -> Rc<Relay> {
        Rc::new(Relay::default())
    }

    /// Mounts a client on a new root `id`, wired to this relay, with loopback-only ICE.
    pub fn mount(self: &Rc<Self>, id: &str, extra: Option<&str>) -> (Element, usize) {
        self.mount_on(root(id), extra)
    }

    /// [`Relay::mount`] on a root of the test's own.
    pub fn mount_on(self: &Rc<Self>, root: Element, extra: Option<&str>) -> (Element, usize) {
        let index = self.conns.borrow().len();
        let relay = Rc::clone(self);
        let send = Closure::<dyn FnMut(JsValue)>::new(move |text: JsValue| {
            let relay = Rc::clone(&relay);
            let text = text.as_string().unwrap_or_default();
            spawn_local(async move { relay.route(index, text) });
        });
        let relay = Rc::clone(self);
        let connect = Closure::<dyn FnMut()>::new(move || {
            let relay = Rc::clone(&relay);
            spawn_local(async move { relay.open(index) });
        });
        let options = match extra {
            Some(json) => JSON::parse(json).unwrap(),
            None => Object::new().into(),
        };
        set(&options, "iceServers", &Array::new());
        // These tests answer at once (the tutorial's way) unless `extra` says otherwise.
        if !Reflect::has(&options, &"autoAccept".into()).unwrap_or(false) {
            set(&options, "autoAccept", &JsValue::TRUE);
        }
        set(&options, "send", send.as_ref());
        set(&options, "connect", connect.as_ref());
        let app = webrtc_chat::mount(root.clone().into(), options).expect("mount");
        self.conns.borrow_mut().push(Conn {
            app: Some(Rc::new(app)),
            name: None,
            open: false,
            _send: send,
            _connect: connect,
        });
        (root, index)
    }

    pub fn app(&self, index: usize) -> Rc<ChatApp> {
        self.conns.borrow()[index]
            .app
            .clone()
            .expect("a live client")
    }

    /// Destroys one client and tells the others, as the server does on disconnect.
    pub fn destroy(&self, index: usize) {
        let app = {
            let mut conns = self.conns.borrow_mut();
            conns[index].open = false;
            conns[index].name = None;
            conns[index].app.take()
        };
        if let Some(app) = app {
            app.destroy();
        }
        self.send_userlist();
    }

    pub fn destroy_all(&self) {
        let n = self.conns.borrow().len();
        for i in 0..n {
            self.destroy(i);
        }
    }

    fn open(&self, index: usize) {
        let id = self.next_id.get() + 1;
        self.next_id.set(id);
        self.conns.borrow_mut()[index].open = true;
        self.deliver(index, format!(r#"{{"type":"id","id":{id}}}"#));
    }

    /// Sends `text` to client `index` as if the server had.
    pub fn deliver(&self, index: usize, text: String) {
        let Some(app) = self.conns.borrow().get(index).and_then(|c| c.app.clone()) else {
            return;
        };
        spawn_local(async move { app.handle_message(JsValue::from(text)) });
    }

    fn send_userlist(&self) {
        let users: Vec<JsValue> = self
            .conns
            .borrow()
            .iter()
            .filter(|c| c.open)
            .map(|c| c.name.as_deref().map_or(JsValue::NULL, JsValue::from))
            .collect();
        let msg = Object::new();
        set(&msg, "type", &"userlist".into());
        set(&msg, "users", &users.into_iter().collect::<Array>());
        self.broadcast(&msg);
    }

    fn broadcast(&self, msg: &JsValue) {
        let text: String = JSON::stringify(msg).unwrap().into();
        let n = self.conns.borrow().len();
        for i in 0..n {
            if self.conns.borrow()[i].open {
                self.deliver(i, text.clone());
            }
        }
    }

    /// The sample server's routing (docs/protocol.md).
    fn route(&self, from: usize, text: String) {
        if self.record.get() {
            self.sent.borrow_mut().push(text.clone());
        }
        let Ok(msg) = JSON::parse(&text) else {
            return;
        };
        let kind = get(&msg, "type").as_string().unwrap_or_default();
        match kind.as_str() {
            "username" => {
                let wanted = get(&msg, "name").as_string().unwrap_or_default();
                let taken = |n: &str| {
                    self.conns
                        .borrow()
                        .iter()
                        .any(|c| c.open && c.name.as_deref() == Some(n))
                };
                let mut name = wanted.clone();
                let mut k = 1;
                while taken(&name) {
                    name = format!("{wanted}{k}");
                    k += 1;
                }
                if name != wanted {
                    let reject = Object::new();
                    set(&reject, "type", &"rejectusername".into());
                    set(&reject, "id", &get(&msg, "id"));
                    set(&reject, "name", &name.as_str().into());
                    self.deliver(from, JSON::stringify(&reject).unwrap().into());
                }
                self.conns.borrow_mut()[from].name = Some(name);
                self.send_userlist();
            }
            "message" => {
                let name = self.conns.borrow()[from].name.clone().unwrap_or_default();
                set(&msg, "name", &name.into());
                self.broadcast(&msg);
            }
            _ => {
                let target = get(&msg, "target").as_string().filter(|t| !t.is_empty());
                match target {
                    Some(target) => {
                        let to = self
                            .conns
                            .borrow()
                            .iter()
                            .position(|c| c.open && c.name.as_deref() == Some(&target));
                        if let Some(to) = to {
                            self.deliver(to, text);
                        }
                    }
                    None => self.broadcast(&msg),
                }
            }
        }
    }
}

/// Logs `name` in on the client at `root` and waits until the server has its name.
pub async fn login(root: &Element, name: &str) {
    type_into(root, "#name", name);
    click(root, "button[name=login]");
    wait_for(&format!("{name} in its own user list"), 5_000.0, || {
        users(root).iter().any(|u| u == name)
    })
    .await;
}

pub fn as_function(c: &Closure<dyn FnMut(JsValue)>) -> &Function {
    c.as_ref().unchecked_ref()
}
