//! The page (the contract in docs/page.md): elements found inside the root, filled from a fixed
//! template when the root is empty. Every text from the network goes in with `textContent`,
//! never `innerHTML` (the tutorial's bug 9).

use alloc::borrow::ToOwned;
use alloc::rc::Rc;
use alloc::string::String;
use alloc::vec::Vec;
use core::cell::{Cell, RefCell};

use chat_core::call::{CallPhase, Input, Status};
use chat_core::quality::{Figures, Level};
use chat_core::text::{self, Key, Lang, Text};
use chat_core::Millis;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{
    Document, Element, Event, HtmlButtonElement, HtmlElement, HtmlInputElement, HtmlMediaElement,
    HtmlSelectElement, KeyboardEvent, MediaStream,
};

use crate::error::MountError;
use crate::live::{listen, Listener};
use crate::queue::Inbox;
use crate::states;

/// The page contract's elements, for a root that has none. A constant: no data goes in here.
const TEMPLATE: &str = include_str!("template.html");

/// Chat lines kept on screen; older ones are removed so a long session stays small.
const MAX_CHAT_LINES: u32 = 500;

pub(crate) struct View {
    doc: Document,
    root: Element,
    /// The template's element, if we added it to the root (the root had no page of its own),
    /// removed on unmount: what the root had (the stock page's heading) stays.
    filled: Option<Element>,
    /// `#status` / `#error` we added to a page that had its own elements but not these (the
    /// tutorial's page has neither), removed again on unmount.
    added: Vec<Element>,
    /// `#room`: the relay room this page joined (pages without one just don't show it).
    room: Option<HtmlElement>,
    name: HtmlInputElement,
    login: Element,
    users: Element,
    chat: Element,
    text: HtmlInputElement,
    send: Element,
    remote: HtmlMediaElement,
    local: HtmlMediaElement,
    hangup: HtmlButtonElement,
    status: Element,
    error: HtmlElement,
    /// Ringing and in-call controls: absent from the tutorial's page (then not offered).
    controls: Controls,
    /// Optional (a page without them shows no quality, figures or code): `#quality`,
    /// `#stats` with its `#stats-button`, `#sas`.
    quality: Option<HtmlElement>,
    stats: Option<HtmlElement>,
    stats_button: Option<HtmlElement>,
    sas: Option<HtmlElement>,
    /// The language of the page's words (`Input::SetLang`).
    lang: Cell<Lang>,
    /// `#lang`: the language switch (optional).
    lang_select: Option<Element>,
    /// `#announce`: the polite live region for a call's start, end and ring (optional).
    announce: Option<HtmlElement>,
    /// `#pip-button`: the remote video in Picture-in-Picture (shown where supported, in a call).
    pip: Option<HtmlElement>,
    /// The room shown, to word it again when the language changes (the core shows again
    /// what the call shows: `Input::SetLang`).
    room_name: RefCell<Option<String>>,
}

/// The elements of issue 10's controls, each optional.
struct Controls {
    /// `#incoming`: Accept and Decline, shown while a call rings.
    incoming: Option<HtmlElement>,
    accept: Option<HtmlElement>,
    decline: Option<HtmlElement>,
    mute: Option<HtmlElement>,
    camera: Option<HtmlElement>,
    peer_state: Option<HtmlElement>,
    share: Option<HtmlElement>,
}

/// The first element in `root` matching `selector`. Not generic and with no checked cast: a
/// type comes from the selector (`input#name`, `video#local_video`), or is `HtmlElement`, which
/// every element of an HTML page is and whose members we use (`hidden`, `focus`) an SVG element
/// would take without throwing. Each checked cast (`dyn_into`) was an import and a copy of
/// this function (README, "Bundle size").
fn maybe(root: &Element, selector: &'static str) -> Option<Element> {
    root.query_selector(selector).ok().flatten()
}

fn html(root: &Element, selector: &'static str) -> Option<HtmlElement> {
    maybe(root, selector).map(JsCast::unchecked_into)
}

fn find(root: &Element, selector: &'static str) -> Result<Element, MountError> {
    maybe(root, selector).ok_or(MountError::Missing(selector))
}

impl View {
    pub fn mount(root: &Element) -> Result<View, MountError> {
        let doc = root.owner_document().ok_or(MountError::NoDocument)?;
        let filled = if root.query_selector("#name").ok().flatten().is_none() {
            let _ = root.insert_adjacent_html("beforeend", TEMPLATE);
            root.last_element_child()
        } else {
            None
        };
        let name = find(root, "input#name")?.unchecked_into();
        // A `<button>` in ours, an `<input type="button">` in the tutorial's page.
        let login = find(root, "[name=login]")?;
        let users = find(root, "ul.userlistbox")?;
        let chat = find(root, ".chatbox")?;
        let text: HtmlInputElement = find(root, "input#text")?.unchecked_into();
        let send = find(root, "#send")?;
        let remote = find(root, "video#received_video")?.unchecked_into();
        let local = find(root, "video#local_video")?.unchecked_into();
        let hangup = find(root, "button#hangup-button")?.unchecked_into();
        // The tutorial's page has every element but these two: added (and removed on unmount).
        let mut added = Vec::new();
        for (selector, role) in [("#status", "status"), ("#error", "alert")] {
            if maybe(root, selector).is_none() {
                if let Ok(e) = doc.create_element("p") {
                    e.set_id(selector.get(1..).unwrap_or_default());
                    let _ = e.set_attribute("role", role);
                    let _ = root.append_child(&e);
                    added.push(e);
                }
            }
        }
        // The tutorial's page keeps chat disabled until its own socket opens; ours takes text
        // at any time (and says "Log in to chat." when it cannot send it yet).
        text.set_disabled(false);
        let _ = send.remove_attribute("disabled");
        let view = View {
            name,
            login,
            users,
            chat,
            text,
            send,
            remote,
            local,
            hangup,
            status: find(root, "#status")?,
            error: find(root, "#error")?.unchecked_into(),
            controls: Controls {
                incoming: html(root, "#incoming"),
                accept: html(root, "#accept-button"),
                decline: html(root, "#decline-button"),
                mute: html(root, "#mute-button"),
                camera: html(root, "#camera-button"),
                peer_state: html(root, "#peer-state"),
                share: html(root, "#share-button"),
            },
            quality: html(root, "#quality"),
            stats: html(root, "#stats"),
            stats_button: html(root, "#stats-button"),
            sas: html(root, "#sas"),
            room: html(root, "#room").or_else(|| html(&doc.document_element()?, "#room")),
            lang: Cell::new(Lang::En),
            lang_select: maybe(root, "select#lang"),
            announce: html(root, "#announce"),
            // Only where the browser has it (and lets this page use it).
            pip: html(root, "#pip-button").filter(|_| {
                js_sys::Reflect::get(&doc, &"pictureInPictureEnabled".into())
                    .is_ok_and(|v| v.is_truthy())
            }),
            room_name: RefCell::default(),
            doc,
            root: root.clone(),
            filled,
            added,
        };
        // The attribute alone does not mute a video created by script in every browser.
        view.local.set_muted(true);
        view.hangup.set_disabled(true);
        view.show_error(None);
        view.show_status(&Status::default());
        view.show_quality(None);
        view.show_stats(None);
        view.show_sas(None);
        Ok(view)
    }

    /// The person's actions, as inputs. Dropping the listeners detaches them all. Every
    /// listener is the same closure type, calling [`on`] with what it is for: a closure type
    /// each was a vtable, a call shim and drop glue each (README, "Bundle size").
    pub fn listen(&self, inbox: &Inbox) -> Vec<Listener> {
        let c = &self.controls;
        let ui = Rc::new(Ui {
            inbox: inbox.clone(),
            doc: self.doc.clone(),
            name: self.name.clone(),
            text: self.text.clone(),
            remote: self.remote.clone(),
            lang_select: self.lang_select.clone(),
            stats: self.stats.clone(),
            stats_button: self.stats_button.clone(),
            mute: c.mute.clone(),
            camera: c.camera.clone(),
            share: c.share.clone(),
            incoming: c.incoming.clone(),
        });
        // Opening the stats panel needs both the button and the panel.
        let stats = self
            .stats_button
            .as_deref()
            .filter(|_| self.stats.is_some());
        let targets: [(Option<&Element>, &'static str, On); 16] = [
            (self.lang_select.as_ref(), "change", On::Lang),
            (Some(self.error.as_ref()), "click", On::DismissError),
            (Some(&self.login), "click", On::Login),
            (Some(self.name.as_ref()), "keydown", On::LoginKey),
            (Some(&self.send), "click", On::Send),
            (Some(self.text.as_ref()), "keydown", On::SendKey),
            (Some(self.hangup.as_ref()), "click", On::HangUp),
            (Some(&self.users), "click", On::Users),
            (self.pip.as_deref(), "click", On::Pip),
            (stats, "click", On::Stats),
            (c.accept.as_deref(), "click", On::Accept),
            (c.decline.as_deref(), "click", On::Decline),
            (c.mute.as_deref(), "click", On::Mute),
            (c.camera.as_deref(), "click", On::Camera),
            (c.share.as_deref(), "click", On::Share),
            (Some(&self.root), "keydown", On::Escape),
        ];
        let mut listeners = Vec::new();
        for (target, event, what) in targets {
            if let Some(target) = target {
                let ui = ui.clone();
                listeners.push(listen(target, event, move |e| on(&ui, what, e)));
            }
        }
        listeners
    }

    pub fn show_local_media(&self, muted: bool, camera: bool) {
        let c = &self.controls;
        for (el, on) in [(&c.mute, muted), (&c.camera, !camera)] {
            if let Some(el) = el {
                let _ = el.set_attribute("aria-pressed", if on { "true" } else { "false" });
            }
        }
    }

    pub fn show_sharing(&self, on: bool) {
        if let Some(b) = &self.controls.share {
            let _ = b.set_attribute("aria-pressed", if on { "true" } else { "false" });
        }
    }

    /// The peer's switches: `#peer-state`'s attributes, and a line over their video when
    /// either is off.
    pub fn show_peer_state(&self, peer: &str, muted: bool, camera: bool) {
        let Some(el) = &self.controls.peer_state else {
            return;
        };
        let _ = el.set_attribute("data-muted", if muted { "true" } else { "false" });
        let _ = el.set_attribute("data-camera", if camera { "on" } else { "off" });
        let key = match (muted, camera) {
            (true, false) => Some(Key::PeerMutedCameraOff),
            (true, true) => Some(Key::PeerMuted),
            (false, false) => Some(Key::PeerCameraOff),
            (false, true) => None,
        };
        let text = key.map(|k| self.say(Text::peer(k, peer)));
        el.set_text_content(text.as_deref());
        el.set_hidden(text.is_none());
    }

    /// Shows which relay room the page is in.
    pub fn show_room(&self, room: &str) {
        if let Some(el) = &self.room {
            *self.room_name.borrow_mut() = Some(room.to_owned());
            el.set_text_content(Some(&self.say(Text::new(Key::Room).with("room", room))));
            el.set_hidden(false);
        }
    }

    /// Whether the page has an Accept button for a ringing call.
    pub fn can_accept(&self) -> bool {
        self.controls.accept.is_some()
    }

    pub fn show_name(&self, name: &str) {
        self.name.set_value(name);
    }

    pub fn show_users(&self, users: &[String], me: Option<&str>, peer: Option<&str>) {
        self.users.set_text_content(None);
        for user in users {
            let Ok(li) = self.doc.create_element("li") else {
                return;
            };
            // Another person's name is a button: reachable with Tab, called with Enter or
            // Space, announced as a control (WAI-ARIA APG: a list of actions is a list of
            // buttons). Our own name is plain text.
            let button = if Some(user.as_str()) == me {
                None
            } else {
                self.doc.create_element("button").ok()
            };
            match &button {
                Some(b) => {
                    let _ = b.set_attribute("type", "button");
                    b.set_text_content(Some(user));
                    let _ = li.append_child(b);
                }
                None => li.set_text_content(Some(user)),
            }
            let class = if Some(user.as_str()) == me {
                "me"
            } else if Some(user.as_str()) == peer {
                "peer"
            } else {
                ""
            };
            if !class.is_empty() {
                li.set_class_name(class);
            }
            let _ = self.users.append_child(&li);
        }
    }

    pub fn show_chat(&self, from: &str, text: &str, date: Millis) {
        let Ok(line) = self.doc.create_element("div") else {
            return;
        };
        line.set_class_name("chat-line");
        let time = if date > 0.0 {
            clock(date)
        } else {
            String::new()
        };
        for (class, content) in [
            ("chat-time", &*time),
            ("chat-name", from),
            ("chat-text", text),
        ] {
            if let Ok(span) = self.doc.create_element("span") {
                span.set_class_name(class);
                span.set_text_content(Some(content));
                let _ = line.append_child(&span);
            }
        }
        let _ = self.chat.append_child(&line);
        while self.chat.child_element_count() > MAX_CHAT_LINES {
            match self.chat.first_element_child() {
                Some(old) => old.remove(),
                None => break,
            }
        }
        self.chat.set_scroll_top(self.chat.scroll_height());
    }

    pub fn clear_chat_input(&self) {
        self.text.set_value("");
    }

    pub fn show_status(&self, s: &Status) {
        let peer = s.peer.as_deref().unwrap_or("");
        let key = match s.call {
            CallPhase::Idle if s.connected => Key::StatusConnected,
            CallPhase::Idle => Key::StatusNotConnected,
            CallPhase::StartingMedia => Key::StatusStartingMedia,
            CallPhase::Connecting => Key::StatusConnecting,
            CallPhase::Connected => Key::StatusInCall,
            CallPhase::Reconnecting => Key::StatusReconnecting,
            CallPhase::Ringing => Key::StatusRinging,
            CallPhase::Calling => Key::StatusCalling,
        };
        let text = self.say(Text::peer(key, peer));
        if let Some(b) = &self.controls.incoming {
            let ringing = s.call == CallPhase::Ringing;
            let starts = ringing && b.hidden();
            b.set_hidden(!ringing);
            // A call starts ringing: Accept gets the focus (Enter accepts, Escape declines).
            // Here, not on `CallIncoming`, which comes before the status that shows the box.
            if starts {
                if let Some(a) = &self.controls.accept {
                    let _ = a.focus();
                }
            }
        }
        // The server cannot be reached: the core's notice (which server, the next try, what
        // to check) replaces "Not connected", or follows what a call under way shows.
        let text = match (&s.unreachable, s.call) {
            (Some(u), CallPhase::Idle) => u.text.clone(),
            (Some(u), _) => [&text, " · ", &u.text].concat(),
            (None, _) => text,
        };
        let el = &self.status;
        el.set_text_content(Some(&text));
        let u = s.unreachable.as_ref();
        let retry_at = u
            .and_then(|u| u.retry_at)
            .map(|t| js_sys::Date::new(&t.into()));
        let attrs = [
            ("data-socket", if s.connected { "open" } else { "closed" }),
            ("data-unreachable", u.map_or("", |u| u.server.as_str())),
            (
                "data-retry-at",
                &retry_at
                    .map(|d| String::from(d.to_iso_string()))
                    .unwrap_or_default(),
            ),
            ("data-call", states::phase_str(s.call)),
            ("data-peer", peer),
            (
                "data-ice",
                s.ice_connection.map_or("", states::ice_connection_str),
            ),
            (
                "data-gathering",
                s.ice_gathering.map_or("", states::ice_gathering_str),
            ),
            (
                "data-signaling",
                s.signaling.map_or("", states::signaling_str),
            ),
        ];
        for (name, value) in attrs {
            let _ = el.set_attribute(name, value);
        }
    }

    /// The page in `lang`: `<html lang>`, the `#lang` switch, and every element's words from
    /// its `data-i18n` (text) or `data-i18n-label` (`aria-label`, and `placeholder` if it has
    /// one) key. The core shows its status and error again itself.
    pub fn set_lang(&self, lang: Lang) {
        self.lang.set(lang);
        if let Some(html) = self.doc.document_element() {
            let _ = html.set_attribute("lang", lang.tag());
        }
        if let Some(select) = &self.lang_select {
            select
                .unchecked_ref::<HtmlSelectElement>()
                .set_value(lang.tag());
        }
        // One loop for every element: its attribute says where its words go.
        for (attr, target) in [
            ("[data-i18n]", ""),
            ("[data-i18n-label]", "aria-label"),
            ("[data-i18n-title]", "title"),
            ("[data-i18n-placeholder]", "placeholder"),
        ] {
            let Ok(list) = self.root.query_selector_all(attr) else {
                continue;
            };
            let name = attr.get(1..attr.len() - 1).unwrap_or_default();
            // Through `Array.from`, which the page imports anyway: `NodeList`'s `length` and
            // `item` would be two imports for this loop alone.
            for el in js_sys::Array::from(&list) {
                // An attribute selector matches elements only.
                let el: Element = el.unchecked_into();
                let key = el.get_attribute(name);
                let Some(words) = key.as_deref().and_then(|k| text::page(lang, k)) else {
                    continue;
                };
                if target.is_empty() {
                    el.set_text_content(Some(words));
                } else {
                    let _ = el.set_attribute(target, words);
                }
            }
        }
        if let Some(room) = self.room_name.take() {
            self.show_room(&room);
        }
    }

    /// `text` in the page's language.
    fn say(&self, text: Text) -> String {
        text.render(self.lang.get())
    }

    /// Says `key` (about `peer`) in the polite live region. Emptied first, so the same words
    /// twice (two calls ended) are announced twice.
    pub fn announce(&self, key: Key, peer: &str) {
        if let Some(el) = &self.announce {
            el.set_text_content(None);
            el.set_text_content(Some(&self.say(Text::peer(key, peer))));
        }
    }

    /// After a call ends, the keyboard goes on from the user list (the first name to call),
    /// unless the person is elsewhere (typing a chat line).
    pub fn focus_users(&self) {
        // Lost: on nothing (the page's body), or in the call's controls, which the call took
        // with it. One selector rather than walking up from `activeElement`.
        let kept = self
            .doc
            .document_element()
            .and_then(|html| html.query_selector(":focus:not(.call *)").ok().flatten());
        if kept.is_some() {
            return;
        }
        let target = self
            .users
            .query_selector("button")
            .ok()
            .flatten()
            .map(JsCast::unchecked_into::<HtmlElement>);
        if let Some(b) = target {
            let _ = b.focus();
        }
    }

    /// Shows the page's own error `name` (a `data-i18n` name: worded by [`View::set_lang`]).
    pub fn show_page_error(&self, name: &str) {
        let _ = self.error.set_attribute("data-i18n", name);
        self.error.set_hidden(false);
    }

    /// Shows the error, or hides the box for `None`.
    pub fn show_error(&self, text: Option<&str>) {
        let _ = self.error.remove_attribute("data-i18n");
        self.error.set_text_content(text);
        self.error.set_hidden(text.is_none());
    }

    pub fn set_hang_up_enabled(&self, enabled: bool) {
        self.hangup.set_disabled(!enabled);
    }

    /// `#quality`: `data-level` and a text that says it; hidden for `None` (no call).
    pub fn show_quality(&self, level: Option<Level>) {
        let Some(el) = &self.quality else { return };
        el.set_hidden(level.is_none());
        let _ = el.set_attribute("data-level", level.map_or("", Level::as_str));
        let key = match level {
            Some(Level::Good) => Key::QualityGood,
            Some(Level::Fair) => Key::QualityFair,
            Some(Level::Poor) => Key::QualityPoor,
            None => return el.set_text_content(None),
        };
        el.set_text_content(Some(text::template(self.lang.get(), key)));
    }

    /// The stats panel's figures (a `<dl>`, each `<dd>` with its `data-key`); `None` (no
    /// call) hides the panel and its button.
    pub fn show_stats(&self, figures: Option<&Figures>) {
        let (Some(panel), Some(button)) = (&self.stats, &self.stats_button) else {
            return;
        };
        panel.set_text_content(None);
        button.set_hidden(figures.is_none());
        let Some(f) = figures else {
            panel.set_hidden(true);
            let _ = button.set_attribute("aria-expanded", "false");
            return;
        };
        let size = match (f.frame_width, f.frame_height) {
            // Formatted by JavaScript, as `fixed`: `u32::to_string` cost 0.16 KB gzipped here.
            (Some(w), Some(h)) => fixed(Some(w.into()), 0, " × ")
                .zip(fixed(Some(h.into()), 0, ""))
                .map(|(w, h)| w + &h),
            _ => None,
        };
        let path = match (&f.candidate_type, &f.protocol) {
            (Some(t), Some(p)) => Some([t.as_str(), " / ", p].concat()),
            (Some(t), None) => Some(t.clone()),
            _ => None,
        };
        let rows = [
            ("rtt", Key::StatRtt, fixed(f.rtt_ms, 0, " ms")),
            ("loss", Key::StatLoss, fixed(f.loss_pct, 1, " %")),
            ("in", Key::StatIn, fixed(f.kbps_in, 0, " kbit/s")),
            ("out", Key::StatOut, fixed(f.kbps_out, 0, " kbit/s")),
            ("size", Key::StatSize, size),
            ("fps", Key::StatFps, fixed(f.fps, 0, " fps")),
            ("path", Key::StatPath, path),
        ];
        for (key, label, value) in rows {
            let (Ok(dt), Ok(dd)) = (self.doc.create_element("dt"), self.doc.create_element("dd"))
            else {
                return;
            };
            dt.set_text_content(Some(text::template(self.lang.get(), label)));
            let _ = dd.set_attribute("data-key", key);
            dd.set_text_content(Some(value.as_deref().unwrap_or("–")));
            let _ = panel.append_child(&dt);
            let _ = panel.append_child(&dd);
        }
    }

    /// `#sas`: the verification code, hidden for `None`.
    pub fn show_sas(&self, code: Option<&str>) {
        let Some(el) = &self.sas else { return };
        el.set_hidden(code.is_none());
        let _ = el.set_attribute("data-code", code.unwrap_or(""));
        let text = code.map(|c| self.say(Text::new(Key::Sas).with("code", c)));
        el.set_text_content(text.as_deref());
    }

    pub fn show_local(&self, stream: Option<&MediaStream>) {
        self.local.set_src_object(stream);
    }

    pub fn show_remote(&self, stream: Option<&MediaStream>) {
        self.remote.set_src_object(stream);
        // Picture-in-Picture, where the browser has it, while there is a video to show; the
        // browser closes its window itself when the video has no source any more.
        if let Some(b) = &self.pip {
            b.set_hidden(stream.is_none());
        }
    }
}

impl Drop for View {
    fn drop(&mut self) {
        self.show_local(None);
        self.show_remote(None);
        for e in &self.added {
            e.remove();
        }
        if let Some(page) = &self.filled {
            page.remove();
        }
    }
}

/// What a listener of [`View::listen`] is for.
#[derive(Clone, Copy)]
enum On {
    /// `select#lang` changed.
    Lang,
    /// A click on the notice dismisses it (the core then clears it).
    DismissError,
    Login,
    /// A key in `#name`: Enter logs in.
    LoginKey,
    Send,
    /// A key in `#text`: Enter sends.
    SendKey,
    HangUp,
    /// A click in the user list: calls the name clicked, unless it is ours.
    Users,
    Pip,
    Stats,
    Accept,
    Decline,
    Mute,
    Camera,
    Share,
    /// A key anywhere in the root: Escape declines a ringing call.
    Escape,
}

/// What the view's listeners read: the inbox and their elements (clones).
struct Ui {
    inbox: Inbox,
    doc: Document,
    name: HtmlInputElement,
    text: HtmlInputElement,
    remote: HtmlMediaElement,
    lang_select: Option<Element>,
    stats: Option<HtmlElement>,
    stats_button: Option<HtmlElement>,
    mute: Option<HtmlElement>,
    camera: Option<HtmlElement>,
    share: Option<HtmlElement>,
    incoming: Option<HtmlElement>,
}

/// One of the person's actions, as an input (if it is one). A toggle's click asks for the
/// opposite of what its `aria-pressed` shows; the core's `LocalMedia` renders it.
fn on(ui: &Ui, what: On, e: &Event) {
    let input = match what {
        On::Lang => {
            // `select#lang` matches a `<select>` only.
            let tag = ui
                .lang_select
                .as_ref()
                .map(|s| s.unchecked_ref::<HtmlSelectElement>().value());
            tag.as_deref()
                .and_then(Lang::parse)
                .map(|lang| Input::SetLang { lang })
        }
        On::DismissError => Some(Input::DismissError),
        On::LoginKey | On::SendKey if !is_enter(e) => None,
        On::Login | On::LoginKey => Some(Input::Login {
            name: ui.name.value(),
        }),
        On::Send | On::SendKey => Some(Input::SendChat {
            text: ui.text.value(),
        }),
        On::HangUp => Some(Input::HangUp),
        On::Users => e
            .target()
            .and_then(|t| t.dyn_into::<Element>().ok())
            .and_then(|t| t.closest("li").ok().flatten())
            .filter(|li| !li.class_list().contains("me"))
            .map(|li| Input::CallUser {
                name: li.text_content().unwrap_or_default(),
            }),
        On::Pip => {
            // Picture-in-Picture is the browser's window for our video: nothing about the call
            // changes. The button opens it, or closes it when it is open.
            let open = js_sys::Reflect::get(&ui.doc, &"pictureInPictureElement".into())
                .is_ok_and(|e| e.is_truthy());
            let (target, method): (&JsValue, _) = if open {
                (&ui.doc, "exitPictureInPicture")
            } else {
                (&ui.remote, "requestPictureInPicture")
            };
            if let Ok(f) = js_sys::Reflect::get(target, &method.into()) {
                let _ = f.unchecked_into::<js_sys::Function>().call0(target);
            }
            None
        }
        On::Stats => {
            // Opening the stats panel is the view's own state: nothing about the call changes.
            if let (Some(b), Some(panel)) = (&ui.stats_button, &ui.stats) {
                let open = panel.hidden();
                panel.set_hidden(!open);
                let _ = b.set_attribute("aria-expanded", if open { "true" } else { "false" });
            }
            None
        }
        On::Accept => Some(Input::Accept),
        On::Decline => Some(Input::Decline),
        On::Mute => Some(Input::SetMuted {
            muted: !ui.mute.as_ref().is_some_and(pressed),
        }),
        On::Camera => Some(Input::SetCamera {
            on: ui.camera.as_ref().is_some_and(pressed),
        }),
        On::Share => Some(Input::ShareScreen {
            on: !ui.share.as_ref().is_some_and(pressed),
        }),
        On::Escape => {
            let ringing = ui.incoming.as_ref().is_some_and(|b| !b.hidden());
            let escape = e
                .dyn_ref::<KeyboardEvent>()
                .is_some_and(|k| k.key() == "Escape");
            (ringing && escape).then_some(Input::Decline)
        }
    };
    if let Some(input) = input {
        ui.inbox.input(input);
    }
}

/// A toggle button's state.
fn pressed(el: &HtmlElement) -> bool {
    el.get_attribute("aria-pressed").as_deref() == Some("true")
}

/// Enter without an IME composition in progress (Enter there picks a candidate).
fn is_enter(e: &Event) -> bool {
    e.dyn_ref::<KeyboardEvent>()
        .is_some_and(|k| k.key() == "Enter" && !k.is_composing())
}

/// `x` with `digits` decimals and `unit`, formatted by JavaScript's `Number.prototype.toFixed`
/// (Rust's float formatting would add kilobytes to the wasm: README, "Bundle size").
fn fixed(x: Option<f64>, digits: u8, unit: &str) -> Option<String> {
    let text: String = js_sys::Number::from(x?).to_fixed(digits).ok()?.into();
    Some([text.as_str(), unit].concat())
}

/// `HH:MM` in local time.
fn clock(date: Millis) -> String {
    let d = js_sys::Date::new(&date.into());
    let two = |n: u32| {
        let n = n.min(99) as u8;
        [char::from(b'0' + n / 10), char::from(b'0' + n % 10)]
    };
    let (h, m) = (two(d.get_hours()), two(d.get_minutes()));
    [h[0], h[1], ':', m[0], m[1]].iter().collect()
}
