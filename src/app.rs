//! The app: owns the core's [`Client`], turns every event (DOM, socket, peer, timer, async
//! results) into an [`Input`] and carries out the [`Action`]s it returns, in order. It decides
//! nothing.
//!
//! Re-entrancy: callbacks never touch the state directly. They push an [`Event`] to a queue
//! (through an [`Inbox`]) and one loop drains it; an event raised while the loop runs (a JS
//! call that comes straight back to us) waits in the queue. So no `RefCell` is ever borrowed
//! twice, and no `BorrowMutError` panic is possible.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::{Rc, Weak};

use chat_core::call::{CallId, MediaError, PeerOp, Timer};
use chat_core::{Action, Client, Input};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::{spawn_local, JsFuture};
use web_sys::{Element, MediaStream};

use crate::config::{Config, Ice, TransportConfig};
use crate::error::{JsError, MountError};
use crate::host::Host;
use crate::live::{self, Listener};
use crate::media;
use crate::peer::Peer;
use crate::signaling::Socket;
use crate::view::View;

/// What reaches the app from outside the drain loop.
pub(crate) enum Event {
    Input(Input),
    /// `getUserMedia` settled for this call.
    Media {
        call: CallId,
        result: Result<MediaStream, MediaError>,
    },
    /// Fresh ICE servers from `iceUrl`.
    Ice(Ice),
}

/// Where callbacks send events. Holds the app weakly: a callback that outlives the app (a
/// late promise) finds nobody and does nothing.
#[derive(Clone)]
pub(crate) struct Inbox(Weak<Shared>);

impl Inbox {
    pub fn input(&self, input: Input) {
        self.event(Event::Input(input));
    }

    pub fn event(&self, event: Event) {
        if let Some(shared) = self.0.upgrade() {
            shared.push(event);
        }
    }
}

pub(crate) struct Shared {
    queue: RefCell<VecDeque<Event>>,
    draining: Cell<bool>,
    destroy_requested: Cell<bool>,
    /// `None` once destroyed. Borrowed only by the drain loop.
    state: RefCell<Option<State>>,
}

/// A mounted client. Cloning gives another handle to the same one.
#[derive(Clone)]
pub(crate) struct App(Rc<Shared>);

impl App {
    pub fn mount(root: &Element, options: &JsValue) -> Result<App, MountError> {
        let config = Config::read(root, options);
        for warning in &config.warnings {
            log(warning);
        }
        let view = View::mount(root)?;
        let shared = Rc::new(Shared {
            queue: RefCell::new(VecDeque::new()),
            draining: Cell::new(false),
            destroy_requested: Cell::new(false),
            state: RefCell::new(None),
        });
        let inbox = Inbox(Rc::downgrade(&shared));
        let ui = view.listen(&inbox);
        if let Some(url) = &config.ice_url {
            fetch_ice(url.clone(), inbox.clone());
        }
        // `name` option: log in at once, as if the person had typed it and clicked Log in.
        let name = crate::config::get(options, "name")
            .and_then(|n| n.as_string())
            .filter(|n| !n.trim().is_empty());
        if let Some(name) = &name {
            view.show_name(name);
        }
        let mut client = Client::new(seed());
        if let TransportConfig::Socket { url } = &config.transport {
            client.set_server(url.as_str());
        }
        // `autoAccept: false`: an incoming call rings (`incoming-call` event) until the host
        // calls `accept()` or `decline()`. Default true, as the tutorial.
        if crate::config::get(options, "autoAccept").and_then(|a| a.as_bool()) == Some(false) {
            client.set_auto_accept(false);
        }
        *shared.state.borrow_mut() = Some(State {
            client,
            config,
            host: Host::new(root, options),
            view,
            _ui: ui,
            socket: None,
            peer: None,
            media: None,
            timers: Vec::new(),
        });
        let app = App(shared);
        if let Some(name) = name {
            app.input(Input::Login { name });
        }
        Ok(app)
    }

    pub fn input(&self, input: Input) {
        self.0.push(Event::Input(input));
    }

    pub fn same(&self, other: &App) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }

    /// Removes every listener, closes socket and peer, stops the camera. Idempotent; safe to
    /// call from inside a callback of this app (it then happens when the current event is done).
    pub fn destroy(&self) {
        self.0.destroy_requested.set(true);
        self.0.drain();
    }
}

impl Shared {
    fn push(self: &Rc<Self>, event: Event) {
        // Never borrowed across a call, so this always succeeds; a failure would drop one event
        // rather than panic.
        if let Ok(mut queue) = self.queue.try_borrow_mut() {
            queue.push_back(event);
        }
        self.drain();
    }

    fn drain(self: &Rc<Self>) {
        if self.draining.replace(true) {
            return; // The loop below, further up the stack, will get to it.
        }
        let inbox = Inbox(Rc::downgrade(self));
        loop {
            if self.destroy_requested.get() {
                // Dropping the state removes listeners, closes the socket and the peer.
                let state = self.state.try_borrow_mut().ok().and_then(|mut s| s.take());
                drop(state);
                if let Ok(mut queue) = self.queue.try_borrow_mut() {
                    queue.clear();
                }
                break;
            }
            let Some(event) = self
                .queue
                .try_borrow_mut()
                .ok()
                .and_then(|mut q| q.pop_front())
            else {
                break;
            };
            let Ok(mut state) = self.state.try_borrow_mut() else {
                break;
            };
            match state.as_mut() {
                Some(state) => state.handle(event, &inbox),
                None => {
                    drop(state);
                    if let Ok(mut queue) = self.queue.try_borrow_mut() {
                        queue.clear();
                    }
                    break;
                }
            }
        }
        self.draining.set(false);
    }
}

struct State {
    client: Client,
    config: Config,
    /// Events for the host page.
    host: Host,
    view: View,
    _ui: Vec<Listener>,
    socket: Option<Socket>,
    peer: Option<Peer>,
    /// The local stream and the call it was acquired for.
    media: Option<(CallId, MediaStream)>,
    timers: Vec<(Timer, live::Timer)>,
}

impl State {
    fn handle(&mut self, event: Event, inbox: &Inbox) {
        match event {
            Event::Input(input) => self.feed(input, inbox),
            Event::Media { call, result } => match result {
                Ok(stream) => {
                    self.release_media();
                    self.media = Some((call, stream));
                    self.feed(Input::MediaReady { call }, inbox);
                    // A stream for a call that ended while the prompt was up: the core ignored
                    // it; turn the camera off again.
                    if self.client.call_id() != Some(call) {
                        self.release_media();
                    }
                }
                Err(error) => self.feed(Input::MediaFailed { call, error }, inbox),
            },
            Event::Ice(ice) => self.config.ice = ice,
        }
    }

    fn feed(&mut self, input: Input, inbox: &Inbox) {
        self.host.begin();
        match &input {
            Input::TimerFired { timer } => self.timers.retain(|(t, _)| t != timer),
            // The socket is gone; drop its listeners now rather than at the next Connect.
            Input::SocketClosed => self.socket = None,
            _ => {}
        }
        let actions = self.client.handle(js_sys::Date::now(), input);
        for action in actions {
            self.perform(action, inbox);
        }
    }

    fn perform(&mut self, action: Action, inbox: &Inbox) {
        match action {
            Action::Connect => self.connect(inbox),
            Action::Send(message) => {
                let text = message.to_json();
                let sent = match &self.config.transport {
                    TransportConfig::Host { send, .. } => send
                        .call1(&JsValue::NULL, &JsValue::from_str(&text))
                        .map(drop)
                        .map_err(JsError::from),
                    TransportConfig::Socket { .. } => match &self.socket {
                        Some(socket) => socket.send(&text),
                        None => Err(JsError {
                            name: "InvalidStateError".into(),
                            message: "not connected".into(),
                        }),
                    },
                };
                if let Err(e) = sent {
                    log(&["webrtc-chat: send failed: ", &e.to_string()].concat());
                }
            }
            Action::ShowName { name } => self.view.show_name(&name),
            Action::ShowUsers { users, me, peer } => {
                self.view.show_users(&users, me.as_deref(), peer.as_deref())
            }
            Action::ShowChat { from, text, date } => self.view.show_chat(&from, &text, date),
            Action::ClearChatInput => self.view.clear_chat_input(),
            Action::ShowStatus(status) => {
                self.view.show_status(&status);
                self.host.status(&status);
            }
            Action::ShowError { text } => {
                self.view.show_error(Some(&text));
                self.host.error(&text);
            }
            Action::ClearError => self.view.show_error(None),
            Action::SetHangUpEnabled(enabled) => self.view.set_hang_up_enabled(enabled),
            Action::AcquireMedia { call } => {
                // Runs on its own: a permission prompt must not hold up other actions.
                let constraints = self.config.constraints.clone();
                let inbox = inbox.clone();
                spawn_local(async move {
                    let result = media::get_user_media(constraints.as_ref()).await;
                    inbox.event(Event::Media { call, result });
                });
            }
            Action::CreatePeer { call, polite: _ } => {
                self.peer = None;
                match Peer::new(call, &self.config.ice, inbox) {
                    Ok(peer) => {
                        self.peer = Some(peer);
                        self.view.show_local(self.stream_of(call));
                    }
                    Err(e) => failed(inbox, call, PeerOp::CreatePeer, e),
                }
            }
            Action::AddLocalTracks { call } => match (self.peer_of(call), self.stream_of(call)) {
                (Some(peer), Some(stream)) => peer.add_tracks(stream),
                _ => failed(inbox, call, PeerOp::CreatePeer, no_peer()),
            },
            Action::SetRemoteDescription { call, desc } => {
                let Some(peer) = self.peer_of_mut(call) else {
                    return failed(inbox, call, PeerOp::SetRemoteDescription, no_peer());
                };
                let op = peer.set_remote_description(&desc);
                let inbox = inbox.clone();
                spawn_local(async move {
                    match op.await {
                        Some(Ok(())) => inbox.input(Input::RemoteDescriptionSet { call }),
                        Some(Err(e)) => failed(&inbox, call, PeerOp::SetRemoteDescription, e),
                        None => {}
                    }
                });
            }
            Action::SetLocalDescription { call } => {
                let Some(peer) = self.peer_of_mut(call) else {
                    return failed(inbox, call, PeerOp::SetLocalDescription, no_peer());
                };
                let op = peer.set_local_description();
                let inbox = inbox.clone();
                spawn_local(async move {
                    match op.await {
                        Some(Ok(desc)) => inbox.input(Input::LocalDescriptionSet { call, desc }),
                        Some(Err(e)) => failed(&inbox, call, PeerOp::SetLocalDescription, e),
                        None => {}
                    }
                });
            }
            Action::AddIceCandidate { call, candidate } => {
                let Some(peer) = self.peer_of_mut(call) else {
                    return failed(inbox, call, PeerOp::AddIceCandidate, no_peer());
                };
                let op = peer.add_ice_candidate(&candidate);
                let inbox = inbox.clone();
                spawn_local(async move {
                    if let Some(Err(e)) = op.await {
                        failed(&inbox, call, PeerOp::AddIceCandidate, e);
                    }
                });
            }
            Action::ShowRemoteStream { call } => {
                let stream = self.peer_of(call).and_then(Peer::remote_stream);
                self.view.show_remote(stream.as_ref());
            }
            Action::ClosePeer { call } => {
                if self.peer.as_ref().is_some_and(|p| p.call() == call) {
                    self.peer = None;
                }
                // A call's timers end with it (dropping a timeout clears it).
                self.timers.retain(|(t, _)| t.call() != Some(call));
                if self.media.as_ref().is_some_and(|(c, _)| *c == call) {
                    self.release_media();
                }
                self.view.show_local(None);
                self.view.show_remote(None);
                // Time-limited TURN credentials: get fresh ones for the next call.
                if let Some(url) = &self.config.ice_url {
                    fetch_ice(url.clone(), inbox.clone());
                }
            }
            Action::StartTimer { timer, ms } => {
                self.timers.retain(|(t, _)| *t != timer);
                let inbox = inbox.clone();
                let guard = live::timeout(ms, move || inbox.input(Input::TimerFired { timer }));
                self.timers.push((timer, guard));
            }
            Action::Ringing { from } => self.host.ringing(from.as_deref()),
            Action::Log { text } => log(&text),
        }
    }

    fn connect(&mut self, inbox: &Inbox) {
        self.socket = None;
        match &self.config.transport {
            TransportConfig::Socket { url } => match Socket::open(url, inbox) {
                Ok(socket) => self.socket = Some(socket),
                Err(e) => {
                    log(&["webrtc-chat: cannot open ", url, ": ", &e.to_string()].concat());
                    inbox.input(Input::SocketClosed);
                }
            },
            TransportConfig::Host { connect, .. } => {
                // Open first: the host may deliver frames (the server's `id`) from inside
                // `connect()`, and they must come after `SocketOpen`.
                inbox.input(Input::SocketOpen);
                if let Some(Err(e)) = connect.as_ref().map(|f| f.call0(&JsValue::NULL)) {
                    log(&[
                        "webrtc-chat: connect failed: ",
                        &JsError::from(e).to_string(),
                    ]
                    .concat());
                    inbox.input(Input::SocketClosed);
                }
            }
        }
    }

    fn peer_of(&self, call: CallId) -> Option<&Peer> {
        self.peer.as_ref().filter(|p| p.call() == call)
    }

    fn peer_of_mut(&mut self, call: CallId) -> Option<&mut Peer> {
        self.peer.as_mut().filter(|p| p.call() == call)
    }

    fn stream_of(&self, call: CallId) -> Option<&MediaStream> {
        self.media
            .as_ref()
            .filter(|(c, _)| *c == call)
            .map(|(_, s)| s)
    }

    fn release_media(&mut self) {
        if let Some((_, stream)) = self.media.take() {
            media::stop(&stream);
        }
    }
}

impl Drop for State {
    fn drop(&mut self) {
        // The camera light goes off with the app; everything else is released with its owner.
        self.release_media();
    }
}

fn failed(inbox: &Inbox, call: CallId, op: PeerOp, e: JsError) {
    inbox.input(Input::PeerOpFailed {
        call,
        op,
        message: e.to_string(),
    });
}

fn no_peer() -> JsError {
    JsError {
        name: "InvalidStateError".into(),
        message: "no peer connection for this call".into(),
    }
}

/// Fetches `{iceServers, iceTransportPolicy?}`; on any failure the current servers stay.
///
/// Plain `fetch` rather than gloo-net's http module: that one brings the `http` crate's
/// request types (and a panicking error conversion) into the bundle for this single GET.
fn fetch_ice(url: String, inbox: Inbox) {
    spawn_local(async move {
        let ice = async {
            let window = web_sys::window()?;
            let response: web_sys::Response = JsFuture::from(window.fetch_with_str(&url))
                .await
                .ok()?
                .dyn_into()
                .ok()?;
            if !response.ok() {
                return None;
            }
            let json = JsFuture::from(response.json().ok()?).await.ok()?;
            Ice::from_object(&json)
        };
        match ice.await {
            Some(ice) => inbox.event(Event::Ice(ice)),
            None => log(&["webrtc-chat: could not load ICE servers from ", &url].concat()),
        }
    });
}

/// The seed of the core's per-call tokens, from the browser's crypto RNG.
fn seed() -> u64 {
    let mut bytes = [0u8; 8];
    let ok = web_sys::window()
        .and_then(|w| w.crypto().ok())
        .is_some_and(|c| c.get_random_values_with_u8_array(&mut bytes).is_ok());
    if ok {
        u64::from_le_bytes(bytes)
    } else {
        // No Web Crypto: weaker, but the tokens only guard against spoofing on naive servers.
        (js_sys::Math::random() * u64::MAX as f64) as u64
    }
}

pub(crate) fn log(text: &str) {
    web_sys::console::log_1(&JsValue::from_str(text));
}
