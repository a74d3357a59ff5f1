//! The signaling socket and the session: `connect`, `sendToServer`, `setUsername`,
//! `handleSendButton`, `handleKey`, `handleUserlistMsg`.

use alloc::borrow::ToOwned;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::cell::{Cell, RefCell};

use chat_core::rules::Backoff;
use chat_core::{Input, Message};
use js_sys::{Object, Reflect};
use wasm_bindgen::prelude::*;
use web_sys::{Event, HtmlInputElement, KeyboardEvent, MessageEvent, WebSocket};

use super::{
    by_id, call_page, decode, document, globals, is_disabled, json_parse, log, log_error, notify,
    report, send, set_disabled,
};
use crate::live::{self, Listener, Timer};
use crate::local::Local;

// The subprotocol the sample's server demands, and the messages that belong to a call (routed
// by `target`, broadcast by the sample's server when it is missing): the protocol crate's.
use chat_core::protocol::{CALL_KINDS, SUBPROTOCOL};

/// Our socket and its listeners; dropping it removes them, then closes the socket.
struct Socket {
    ws: WebSocket,
    _listeners: [Listener; 3],
    reconnect: Option<Timer>,
}

impl Drop for Socket {
    fn drop(&mut self) {
        // The listeners (fields) go right after this, before `close` can fire.
        let _ = self.ws.close();
    }
}

static SOCKET: Local<Cell<Option<Socket>>> = Local::new(Cell::new(None));
static BACKOFF: Local<RefCell<Backoff>> = Local::new(RefCell::new(Backoff::new()));
/// Click listeners of the user list, replaced with the list.
static USER_LIST: Local<Cell<Vec<Listener>>> = Local::new(Cell::new(Vec::new()));
/// The peer of the call messages last sent (see `sendToServer`).
static LAST_PEER: Local<Cell<Option<String>>> = Local::new(Cell::new(None));

/// Opens the signaling socket (`connection`). Unlike the tutorial's, it reconnects when the
/// socket closes (bug 10), and a second call replaces the first socket instead of leaking it.
#[wasm_bindgen]
pub fn connect() -> Result<(), JsValue> {
    let url = crate::config::compat_signal_url();
    log(&["Connecting to server: ", &url].concat());
    let ws = WebSocket::new_with_str(&url, SUBPROTOCOL)?;
    globals::set(globals::CONNECTION, &ws);
    let closed = ws.clone();
    let listeners = [
        live::listen(&ws, "open", |_| {
            BACKOFF.borrow_mut().reset();
            set_disabled("text", false);
            set_disabled("send", false);
        }),
        live::listen(&ws, "message", on_message),
        live::listen(&ws, "close", move |_| on_close(&closed)),
    ];
    // The old socket goes (listeners removed, closed) once the new one is in place.
    drop(SOCKET.replace(Some(Socket {
        ws,
        _listeners: listeners,
        reconnect: None,
    })));
    Ok(())
}

fn on_message(e: &Event) {
    let Some(data) = e.dyn_ref::<MessageEvent>().map(MessageEvent::data) else {
        return;
    };
    // The app's own checks: size limit before copying, bounded nesting, tolerant decoding.
    let message = match crate::signaling::decode(&data) {
        Input::Server(message) => message,
        Input::BadFrame { error } => {
            return log_error(&["ignored a bad frame: ", &error.to_string()].concat())
        }
        _ => return,
    };
    // The page's handlers take the parsed object, as the tutorial's `JSON.parse(evt.data)`.
    let Ok(msg) = json_parse(&data) else { return };
    log(&["Message received: ", message.kind()].concat());
    let handler = match message {
        Message::Id { id } => {
            globals::set(globals::CLIENT_ID, &(id as f64).into());
            return call_page("setUsername", &[]);
        }
        Message::Username { name, date, .. } => {
            return chat_line(None, &["User ", &name, " signed in"].concat(), date);
        }
        Message::Chat {
            name, text, date, ..
        } => return chat_line(Some(name.as_deref().unwrap_or("unknown")), &text, date),
        Message::RejectUsername { name, .. } => {
            globals::set_text(globals::MY_USERNAME, Some(&name));
            let text = [
                "Your username has been set to ",
                &name,
                " because the name you chose is in use.",
            ]
            .concat();
            return chat_line(None, &text, js_sys::Date::now());
        }
        Message::UserList { .. } => "handleUserlistMsg",
        Message::VideoOffer { .. } => "handleVideoOfferMsg",
        Message::VideoAnswer { .. } => "handleVideoAnswerMsg",
        Message::NewIceCandidate { .. } => "handleNewICECandidateMsg",
        Message::HangUp { .. } => "handleHangUpMsg",
        Message::Error { text } => {
            return log_error(&["The server refused a message: ", &text].concat())
        }
        Message::Unknown { kind, .. } => {
            return log_error(&["Unknown message received: ", &kind].concat())
        }
    };
    call_page(handler, &[&msg]);
}

/// The socket closed: reconnect after a growing delay if we are logged in (the server forgets
/// us with the connection; the new `id` makes `setUsername` log in again).
fn on_close(ws: &WebSocket) {
    // A socket the page has since replaced (a JavaScript `connect`) is not ours to reopen.
    if !js_sys::Object::is(&globals::get(globals::CONNECTION), ws) {
        return;
    }
    set_disabled("text", true);
    set_disabled("send", true);
    if globals::my_username().is_none() {
        return log("The connection to the server closed");
    }
    let ms = BACKOFF.borrow_mut().next_delay();
    log(&format!(
        "The connection to the server closed; reconnecting in {ms} ms"
    ));
    let timer = live::timeout(ms, || call_page("connect", &[]));
    let mut socket = SOCKET.take();
    if let Some(socket) = socket.as_mut() {
        socket.reconnect = Some(timer);
    }
    SOCKET.set(socket);
}

/// One chat line, as text (the tutorial inserted HTML and trusted the server to strip tags,
/// bug 9). Classes as in the page contract.
fn chat_line(name: Option<&str>, text: &str, date: f64) {
    let (Some(doc), Some(chat_box)) = (
        document(),
        document().and_then(|d| d.query_selector(".chatbox").ok().flatten()),
    ) else {
        return;
    };
    let Ok(line) = doc.create_element("div") else {
        return;
    };
    line.set_class_name("chat-line");
    let stamp = ["(", &super::clock(date), ") "].concat();
    let _ = line.append_with_str_1(&stamp);
    let part = |class: &str, content: &str| {
        if let Ok(span) = doc.create_element("span") {
            span.set_class_name(class);
            span.set_text_content(Some(content));
            let _ = line.append_child(&span);
        }
    };
    if let Some(name) = name {
        part("chat-name", name);
        let _ = line.append_with_str_1(": ");
    }
    part("chat-text", text);
    let _ = chat_box.append_child(&line);
    chat_box.set_scroll_top(chat_box.scroll_height() - chat_box.client_height());
}

/// Sends a message object as JSON on `connection`. Never a call message without a target
/// (the sample's server would broadcast it to everyone): a tutorial `hangUpCall`, which sends
/// after clearing the target (bug 1), gets the peer its last call messages went to.
#[wasm_bindgen(js_name = sendToServer)]
pub fn send_to_server(#[wasm_bindgen(unchecked_param_type = "SignalingMessage")] msg: JsValue) {
    let kind = crate::error::prop(&msg, "type").unwrap_or_default();
    let mut msg = msg;
    if CALL_KINDS.contains(&kind.as_str()) {
        let target = crate::error::prop(&msg, "target").filter(|t| !t.is_empty());
        let hang_up = kind == "hang-up";
        let last = LAST_PEER.take();
        // A hang-up ends the call: no last peer after it.
        LAST_PEER.set(target.clone().or(last.clone()).filter(|_| !hang_up));
        match (target, last) {
            (Some(_), _) => {}
            (None, Some(peer)) if hang_up => {
                let copy = Object::assign(&Object::new(), msg.unchecked_ref());
                let _ = Reflect::set(&copy, &"target".into(), &peer.into());
                msg = copy.into();
            }
            (None, _) => {
                return log_error(
                    &["not sending a \"", &kind, "\" message without a target"].concat(),
                )
            }
        }
    }
    let text = match js_sys::JSON::stringify(&msg) {
        Ok(text) => String::from(text),
        Err(e) => return report(&e),
    };
    log(&["Sending '", &kind, "' message: ", &text].concat());
    match globals::connection() {
        Some(ws) if ws.ready_state() == WebSocket::OPEN => {
            if let Err(e) = ws.send_with_str(&text) {
                report(&e);
            }
        }
        // The tutorial's `send` threw here; a closed socket just loses the message.
        _ => log_error(&["not connected: dropped a \"", &kind, "\" message"].concat()),
    }
}

fn input(id: &str) -> Option<HtmlInputElement> {
    by_id(id)?.dyn_into().ok()
}

/// Logs in with the name in `#name` (after the server's `id`).
#[wasm_bindgen(js_name = setUsername)]
pub fn set_username() {
    let name = input("name").map(|i| i.value()).unwrap_or_default();
    let name = name.trim();
    if name.is_empty() {
        return notify("Enter a user name to log in.");
    }
    globals::set_text(globals::MY_USERNAME, Some(name));
    send(&Message::Username {
        id: globals::client_id().unwrap_or_default(),
        name: name.to_owned(),
        date: js_sys::Date::now(),
    });
}

/// Sends the chat text in `#text`.
#[wasm_bindgen(js_name = handleSendButton)]
pub fn handle_send_button() {
    let Some(field) = input("text") else { return };
    let text = field.value();
    if text.trim().is_empty() {
        return;
    }
    send(&Message::Chat {
        id: globals::client_id(),
        name: None,
        text,
        date: js_sys::Date::now(),
    });
    field.set_value("");
}

/// Enter in the chat field sends.
#[wasm_bindgen(js_name = handleKey)]
pub fn handle_key(#[wasm_bindgen(unchecked_param_type = "KeyboardEvent")] evt: JsValue) {
    let Some(evt) = evt.dyn_ref::<KeyboardEvent>() else {
        return;
    };
    // `keyCode` for old browsers, as the tutorial.
    if (evt.key() == "Enter" || evt.key_code() == 13) && !is_disabled("send") {
        call_page("handleSendButton", &[]);
    }
}

/// Shows the user list: one `<li>` per named user (the server lists connections without a
/// name as `null`; the tutorial showed "null"), as text; a click calls the page's `invite`.
#[wasm_bindgen(js_name = handleUserlistMsg)]
pub fn handle_userlist_msg(
    #[wasm_bindgen(unchecked_param_type = "SignalingMessage")] msg: JsValue,
) {
    let Some(Message::UserList { users }) = decode(&msg) else {
        return;
    };
    let (Some(doc), Some(list)) = (
        document(),
        document().and_then(|d| d.query_selector(".userlistbox").ok().flatten()),
    ) else {
        return;
    };
    let me = globals::my_username();
    let mut listeners = Vec::new();
    list.set_text_content(None);
    for user in users.into_iter().flatten() {
        let Ok(item) = doc.create_element("li") else {
            continue;
        };
        item.set_text_content(Some(&user));
        if me.as_deref() == Some(user.as_str()) {
            item.set_class_name("me");
        }
        listeners.push(live::listen(&item, "click", |e| call_page("invite", &[e])));
        let _ = list.append_child(&item);
    }
    drop(USER_LIST.replace(listeners));
}
