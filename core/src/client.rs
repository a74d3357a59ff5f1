//! [`Client`]: the state machine behind the page (see `call.rs` for inputs and actions).
//!
//! This file holds the session: login, the signaling socket and its reconnection, the user
//! list, chat, the status line, and the dispatch of every [`Input`]. The call itself lives in
//! `client/call.rs` (one [`call::Call`] at a time), the routing of the four call messages in
//! `client/signal.rs`, and the small helpers in `client/candidates.rs` and `client/token.rs`.
//!
//! Sans I/O: no clock (time arrives as `now`), no randomness except from the seed, no sockets.

use alloc::borrow::ToOwned;
use alloc::string::String;
use alloc::vec::Vec;

mod call;
pub(crate) mod candidates;
mod controls;
mod signal;
mod token;

use crate::call::{Action, CallId, CallPhase, EndReason, Input, Millis, Status, Timer};
use crate::devices::DeviceKind;
use crate::protocol::digits::dec;
use crate::protocol::{Message, SessionDescription};
use crate::rules::{Backoff, CandidateBuffer};
use crate::text::{Key, Lang, Text};
use crate::Unreachable;

use self::call::{Call, Ending, Flow};
use self::token::TokenSource;

/// Tokens of recently ended calls: a message carrying one is late, and ignored.
const ENDED_TOKENS_KEPT: usize = 32;

/// An incoming call that waits for the host page (auto-accept off).
#[derive(Debug, Clone)]
struct Ringing {
    /// Reserved for the call if accepted (and naming its [`Timer::Ring`]).
    id: CallId,
    from: String,
    offer: SessionDescription,
    token: Option<String>,
    /// The callee's side of the call, prepared while it rings with everything that needs no
    /// camera (the peer connection, the caller's offer applied), so that accepting only waits
    /// for `getUserMedia`, `addTrack` and the answer. `None` if the preparation failed (then
    /// Accept starts afresh).
    prepared: Option<Call>,
}

impl Ringing {
    /// A hang-up for this call: its token; no token only from a caller that sent none (the
    /// rule of `Call::owns`).
    fn owns(&self, token: &Option<String>) -> bool {
        self.token.is_none() || *token == self.token
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Socket {
    Closed,
    Connecting,
    Open,
}

#[derive(Debug, Clone)]
pub struct Client {
    tokens: TokenSource,
    /// The last [`CallId`] handed out (ids start at 1).
    last_call_id: CallId,
    socket: Socket,
    /// The name we log in with: set by `Login`, replaced by the server's `rejectusername`.
    /// `Some` means "logged in" for reconnection purposes.
    name: Option<String>,
    /// What the server's `id` message said on the current connection.
    client_id: Option<u64>,
    /// Named users in server order.
    users: Vec<String>,
    /// Delay before the next reconnection attempt.
    backoff: Backoff,
    /// The signaling server's address, for the person (see [`Client::set_server`]).
    server: String,
    /// Set while attempts to open the socket fail; cleared when it opens.
    unreachable: Option<Unreachable>,
    call: Option<Call>,
    /// Accept an incoming call at once (the tutorial's behaviour), or let it ring.
    auto_accept: bool,
    /// An incoming call waiting for `Accept` / `Decline` (auto-accept off).
    ringing: Option<Ringing>,
    /// Candidates that arrived while idle, before the offer they belong to.
    early: CandidateBuffer,
    /// Oldest first. (Here and for the other short queues of the core: a `Vec`, not a
    /// `VecDeque`, whose code would cost the browser bundle 0.9 KB gzipped.)
    ended_tokens: Vec<String>,
    /// Our socket closed during the current call and the peer has not been seen in a user
    /// list since: its absence from one may only mean it has not logged in again yet.
    rejoined: bool,
    /// The status last shown (emitted as `ShowStatus` whenever it changes).
    status: Status,
    /// An error or notice is on the page (a `ShowError` not yet followed by `ClearError`).
    error_shown: bool,
    /// The language of the texts (`Input::SetLang`).
    lang: Lang,
    /// The error shown, as its table key and values, to show it again in another language.
    error_text: Option<Text>,
    /// The person's microphone switch (kept across calls, like the camera's).
    muted: bool,
    camera_off: bool,
    /// The call whose video is the screen (`Action::Share`).
    sharing: Option<CallId>,
    /// The camera and microphone pickers.
    devices: crate::devices::Devices,
    /// Actions of the input being handled.
    out: Vec<Action>,
}

impl Client {
    /// `seed` comes from the browser's crypto RNG; it makes the per-call tokens unguessable.
    pub fn new(seed: u64) -> Client {
        Client {
            tokens: TokenSource::new(seed),
            last_call_id: 0,
            socket: Socket::Closed,
            name: None,
            client_id: None,
            users: Vec::new(),
            backoff: Backoff::new(),
            server: String::new(),
            unreachable: None,
            call: None,
            auto_accept: true,
            ringing: None,
            early: CandidateBuffer::new(),
            ended_tokens: Vec::new(),
            rejoined: false,
            status: Status::default(),
            error_shown: false,
            lang: Lang::default(),
            error_text: None,
            muted: false,
            camera_off: false,
            sharing: None,
            devices: Default::default(),
            out: Vec::new(),
        }
    }

    /// Handles one input and returns the actions to carry out, in order. `now` is the wall
    /// clock (`Date.now()`), only for the dates of the messages sent; no timing is done with
    /// it (the core's timers are [`Action::StartTimer`]s, on the shell's monotonic timers).
    pub fn handle(&mut self, now: Millis, input: Input) -> Vec<Action> {
        // The view words the status itself: in a new language, it is shown again.
        let reword = matches!(input, Input::SetLang { lang } if lang != self.lang);
        match input {
            Input::Login { name } => self.login(now, name),
            Input::SocketOpen => {
                self.socket = Socket::Open;
                self.backoff.reset();
                self.unreachable = None;
            }
            Input::SocketClosed => self.socket_closed(now),
            Input::Server(message) => self.server(now, message),
            Input::BadFrame { error } => {
                self.log(["ignored a bad frame: ", &error.text()].concat())
            }
            Input::SendChat { text } => self.send_chat(now, text),
            Input::CallUser { name } => self.call_user(name),
            // Hang Up while it rings here declines; before the peer answered, it cancels.
            Input::HangUp if self.ringing.is_some() => self.decline(),
            Input::HangUp => {
                let calling = self.call.as_ref().is_some_and(Call::calling);
                self.end_call(if calling {
                    Ending::cancel()
                } else {
                    Ending::hang_up()
                });
            }
            Input::Accept => self.accept(),
            Input::Decline => self.decline(),
            Input::DismissError => self.clear_error(),
            Input::TimerFired {
                timer: Timer::Reconnect,
            } => {
                if self.socket == Socket::Closed && self.name.is_some() {
                    self.connect();
                }
            }
            Input::TimerFired {
                timer: Timer::Ring(id),
            } => self.ring_timeout(id),
            Input::TimerFired {
                timer: Timer::IceRefresh,
            } => self.out.push(Action::RefreshIceServers),
            Input::IceServersLoaded { ttl_s: Some(ttl) } => self.out.push(Action::StartTimer {
                timer: Timer::IceRefresh,
                ms: crate::call::ice_refresh_ms(ttl),
            }),
            Input::IceServersLoaded { ttl_s: None } => {}
            Input::SetMuted { muted } => self.local_media(muted, !self.camera_off),
            Input::SetCamera { on } => self.local_media(self.muted, on),
            Input::ShareScreen { on } => self.share(on),
            Input::ShareEnded { call } => {
                if self.sharing == Some(call) {
                    self.stop_share(call);
                }
            }
            Input::Devices { kind, devices } => {
                let outcome = self.devices.listed(kind, devices);
                self.device_outcome(kind, outcome);
            }
            Input::SelectDevice { kind, id } => {
                let outcome = self.devices.select(kind, id);
                self.device_outcome(kind, outcome);
            }
            Input::DeviceSwitched { kind, error } => {
                let outcome = self.devices.switched(kind, error);
                self.device_outcome(kind, outcome);
            }
            Input::SetLang { lang } => self.set_lang(now, lang),
            input => self.call_input(input),
        }
        // Our switches travel once media flows (the peer shows them from then on).
        let started = || {
            self.out
                .iter()
                .any(|a| matches!(a, Action::CallStarted { .. }))
        };
        if (self.muted || self.camera_off) && started() {
            self.send_peer_state();
        }
        self.gate_sends();
        // A call's start and end are announced after the status they change, so a host that
        // reacts to them already sees the page in its new state.
        let (mut actions, announcements): (Vec<_>, Vec<_>) = core::mem::take(&mut self.out)
            .into_iter()
            .partition(|a| !matches!(a, Action::CallStarted { .. } | Action::CallEnded { .. }));
        let status = self.derive_status();
        if status != self.status || reword {
            self.status = status.clone();
            actions.push(Action::ShowStatus(status));
        }
        actions.extend(announcements);
        actions
    }

    /// Off: an incoming call rings ([`Action::CallIncoming`]) until [`Input::Accept`] or
    /// [`Input::Decline`]. On (the default, as the tutorial): it is accepted at once.
    pub fn set_auto_accept(&mut self, on: bool) {
        self.auto_accept = on;
    }

    /// The signaling server's address (a WebSocket URL), named to the person when it cannot
    /// be reached ([`Status::unreachable`]). Shown without its query: that may carry the
    /// person's join token (`?token=`), which must not end up in the page's text.
    pub fn set_server(&mut self, url: impl Into<String>) {
        let mut url = url.into();
        if let Some(q) = url.find('?') {
            url.truncate(q);
        }
        self.server = url;
    }

    /// Who is calling us, while a call rings.
    pub fn ringing(&self) -> Option<&str> {
        self.ringing.as_ref().map(|r| r.from.as_str())
    }

    /// Our user name (as the server knows it, once it has renamed us).
    pub fn me(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// The chosen camera or microphone (`None`: the browser's default).
    pub fn device(&self, kind: crate::devices::DeviceKind) -> Option<String> {
        self.devices.chosen(kind)
    }

    /// The call whose outgoing video is the screen.
    pub fn sharing(&self) -> Option<CallId> {
        self.sharing
    }

    /// The user we are in a call with (or are calling).
    pub fn peer(&self) -> Option<&str> {
        self.call.as_ref().map(|c| c.peer.as_str())
    }

    pub fn call_id(&self) -> Option<CallId> {
        self.call.as_ref().map(|c| c.id)
    }

    /// The id the server gave the current connection.
    pub fn client_id(&self) -> Option<u64> {
        self.client_id
    }

    /// Every named user, in server order (ourselves included).
    pub fn users(&self) -> &[String] {
        &self.users
    }

    /// What the status line shows (as last emitted with `ShowStatus`).
    pub fn status(&self) -> &Status {
        &self.status
    }

    /// Whether we are the polite peer of the current call (perfect negotiation).
    pub fn is_polite(&self) -> Option<bool> {
        self.call.as_ref().map(|c| c.polite)
    }

    /// The token our messages of the current call carry (their `call` field).
    pub fn call_token(&self) -> Option<&str> {
        self.call.as_ref().map(|c| c.token.as_str())
    }

    /// Logged in on the current connection: the server knows our name and we know our id.
    fn logged_in(&self) -> bool {
        self.socket == Socket::Open && self.client_id.is_some() && self.name.is_some()
    }

    fn log(&mut self, text: String) {
        self.out.push(Action::Log { text });
    }

    /// Shows `text` in the error box, in the current language (and again in the next one).
    fn error(&mut self, text: Text) {
        self.error_shown = true;
        self.out.push(Action::ShowError {
            text: text.render(self.lang),
        });
        self.error_text = Some(text);
    }

    /// The error `key` about `peer`.
    fn error_in(&mut self, key: Key, peer: &str) {
        self.error(Text::peer(key, peer));
    }

    fn set_lang(&mut self, now: Millis, lang: Lang) {
        if lang == self.lang {
            return;
        }
        self.lang = lang;
        if let Some(u) = &self.unreachable {
            let next = u.retry_at.map(|at| (at, (at - now).max(0.0) as u32));
            self.unreachable = Some(Unreachable::new(lang, &self.server, u.failures, next));
        }
        if let Some(call) = &self.call {
            call.reshow(&mut self.out);
        }
        if let (true, Some(text)) = (self.error_shown, &self.error_text) {
            let text = text.render(lang);
            self.out.push(Action::ShowError { text });
        }
        // The pickers' default and unnamed entries are ours to word.
        for kind in [DeviceKind::Camera, DeviceKind::Mic] {
            if self.devices.shown(kind) {
                self.show_devices(kind);
            }
        }
    }

    /// Hides the error or notice shown, if any: it no longer applies.
    fn clear_error(&mut self) {
        if core::mem::take(&mut self.error_shown) {
            self.out.push(Action::ClearError);
        }
    }

    fn send(&mut self, message: Message) {
        self.out.push(Action::Send(message));
    }

    fn connect(&mut self) {
        self.socket = Socket::Connecting;
        if let Some(u) = &self.unreachable {
            self.unreachable = Some(Unreachable::new(self.lang, &self.server, u.failures, None));
        }
        self.out.push(Action::Connect);
    }

    /// The one place that knows whether the socket can carry a message: anything produced for
    /// a closed socket (a hang-up or a candidate while reconnecting) is logged and dropped
    /// instead of being handed to a `WebSocket` that would throw.
    fn gate_sends(&mut self) {
        if self.socket == Socket::Open {
            return;
        }
        for action in &mut self.out {
            if let Action::Send(message) = action {
                let text = ["not connected: dropped a \"", message.kind(), "\" message"].concat();
                *action = Action::Log { text };
            }
        }
    }

    fn derive_status(&self) -> Status {
        let call = self.call.as_ref();
        let phase = match (call, &self.ringing) {
            (Some(c), _) if c.calling() => CallPhase::Calling,
            (Some(c), _) => c.phase,
            (None, Some(_)) => CallPhase::Ringing,
            (None, None) => CallPhase::Idle,
        };
        Status {
            connected: self.socket == Socket::Open,
            call: phase,
            peer: call
                .map(|c| c.peer.clone())
                .or_else(|| self.ringing.as_ref().map(|r| r.from.clone())),
            ice_connection: call.and_then(|c| c.ice),
            ice_gathering: call.and_then(|c| c.gathering),
            signaling: call.and_then(|c| c.signaling),
            unreachable: self
                .unreachable
                .clone()
                .filter(|_| self.socket != Socket::Open),
        }
    }

    fn show_users(&mut self) {
        self.out.push(Action::ShowUsers {
            users: self.users.clone(),
            me: self.name.clone(),
            peer: self.call.as_ref().map(|c| c.peer.clone()),
        });
    }

    fn login(&mut self, now: Millis, name: String) {
        let name = name.trim();
        if name.is_empty() {
            return self.error_in(Key::EnterName, "");
        }
        if self.name.as_deref() == Some(name) && self.socket != Socket::Closed {
            return;
        }
        if let Some(call) = &self.call {
            let peer = call.peer.clone();
            return self.error_in(Key::HangUpBeforeRename, &peer);
        }
        // A new login: notices about the last session or call no longer apply.
        self.clear_error();
        self.name = Some(name.to_owned());
        match (self.socket, self.client_id) {
            (Socket::Closed, _) => self.connect(),
            // Already connected: a new `username` renames us (the server re-sends the list).
            (Socket::Open, Some(id)) => self.send_username(now, id),
            // The server's `id` is still to come; its handler sends the name.
            (Socket::Connecting | Socket::Open, _) => {}
        }
    }

    fn send_username(&mut self, now: Millis, id: u64) {
        if let Some(name) = self.name.clone() {
            self.send(Message::Username {
                id,
                name,
                date: now,
            });
        }
    }

    fn socket_closed(&mut self, now: Millis) {
        // A failing socket may report both `error` and `close`: one reconnection per close.
        if self.socket == Socket::Closed {
            return;
        }
        let never_opened = self.socket == Socket::Connecting;
        self.socket = Socket::Closed;
        self.client_id = None;
        self.rejoined = self.call.is_some();
        // The call goes on: its media flows peer to peer (PROTOCOL bug 10: the tutorial never
        // reconnected at all).
        if self.name.is_some() {
            let ms = self.backoff.next_delay();
            self.log(
                [
                    "signaling socket closed; reconnecting in ",
                    &dec(ms.into()),
                    " ms",
                ]
                .concat(),
            );
            if never_opened {
                // Refused, a failed handshake, a wrong URL: the person is told, not only the
                // console. (A socket that did open and then closed gets one quiet retry first.)
                let failures = self.unreachable.as_ref().map_or(0, |u| u.failures) + 1;
                let next = Some((now + Millis::from(ms), ms));
                self.unreachable = Some(Unreachable::new(self.lang, &self.server, failures, next));
            }
            self.out.push(Action::StartTimer {
                timer: Timer::Reconnect,
                ms,
            });
        }
    }

    fn server(&mut self, now: Millis, message: Message) {
        match message {
            Message::Id { id } => {
                self.client_id = Some(id);
                // Also on every reconnection: the new connection needs our name again.
                self.send_username(now, id);
            }
            Message::RejectUsername { name, .. } => {
                self.name = Some(name.clone());
                self.out.push(Action::ShowName { name });
            }
            Message::UserList { users } => self.user_list(users),
            Message::Chat {
                name, text, date, ..
            } => self.out.push(Action::ShowChat {
                from: name.unwrap_or_else(|| "unknown".to_owned()),
                text,
                date,
            }),
            Message::VideoOffer {
                name,
                target,
                sdp,
                call,
            } => self.on_offer(name, target, sdp, call),
            Message::VideoAnswer {
                name,
                target,
                sdp,
                call,
            } => self.on_answer(name, target, sdp, call),
            Message::NewIceCandidate {
                name,
                target,
                candidate,
                call,
            } => self.on_candidate(name, target, candidate, call),
            Message::HangUp {
                name,
                target,
                call,
                reason,
            } => self.on_hang_up(name, target, call, reason),
            Message::Error { text } => {
                self.error(Text::new(Key::ServerRefused).with("text", &text));
            }
            Message::Unknown { kind, raw } if kind == "peer-state" => self.on_peer_state(&raw),
            Message::Username { .. } | Message::Unknown { .. } => {
                let text = ["ignored a \"", message.kind(), "\" message"].concat();
                self.log(text);
            }
        }
    }

    fn user_list(&mut self, users: Vec<Option<String>>) {
        self.users = Vec::with_capacity(users.len());
        self.users.extend(users.into_iter().flatten());
        if let Some(from) = self
            .ringing()
            .filter(|f| !self.users.iter().any(|u| u == f))
        {
            let notice = Text::peer(Key::PeerLeft, from);
            self.stop_ringing(EndReason::PeerLeft, Some(notice));
        }
        let reachable = self.reachable();
        let Some(call) = self.call.as_mut() else {
            return self.show_users();
        };
        if self.users.contains(&call.peer) {
            call.peer_absent = false;
            self.rejoined = false;
            if reachable {
                call.signaling_back(&mut self.out);
            }
        } else if self.rejoined {
            // We logged in again after our socket closed (a relay restart): the peer may still
            // be on its backoff. Its absence is evidence, not proof (docs/protocol.md).
            call.peer_missing(&mut self.out);
        } else {
            // The server saw the peer go while we stayed connected. Nobody is left to send a
            // hang-up to.
            let notice = Text::peer(Key::PeerLeft, &call.peer);
            return self.end_call(Ending::peer(EndReason::PeerLeft, notice));
        }
        self.show_users();
    }

    /// The peer of the current call can be reached over signaling: we are logged in on an
    /// open socket and the peer is in the user list.
    fn reachable(&self) -> bool {
        self.logged_in()
            && self
                .call
                .as_ref()
                .is_some_and(|c| self.users.contains(&c.peer))
    }

    fn send_chat(&mut self, now: Millis, text: String) {
        if text.trim().is_empty() {
            return;
        }
        match self.client_id {
            Some(id) if self.logged_in() => {
                self.send(Message::Chat {
                    id: Some(id),
                    name: None,
                    text,
                    date: now,
                });
                self.out.push(Action::ClearChatInput);
            }
            _ => self.error_in(Key::LogInToChat, ""),
        }
    }

    fn call_user(&mut self, name: String) {
        let name = name.trim();
        let refusal = match (&self.name, &self.call) {
            (None, _) => Some((Key::LogInBeforeCalling, "")),
            _ if name.is_empty() => Some((Key::ChooseSomeone, "")),
            _ if !self.logged_in() => Some((Key::NotConnectedYet, "")),
            (Some(me), _) if me == name => Some((Key::CannotCallYourself, "")),
            _ if self.ringing.is_some() => Some((Key::AnswerFirst, "")),
            (_, Some(call)) => Some((Key::AlreadyInCall, call.peer.as_str())),
            _ if !self.users.iter().any(|u| u == name) => Some((Key::NotOnline, name)),
            _ => None,
        };
        if let Some((key, peer)) = refusal {
            let peer = peer.to_owned();
            return self.error_in(key, &peer);
        }
        let Some(me) = self.name.clone() else { return };
        let token = self.tokens.next_token();
        let call = Call::new(self.next_call_id(), me, name.to_owned(), token);
        self.log(["calling ", name, " (call ", &dec(call.id.into()), ")"].concat());
        self.start_call(call);
    }

    fn next_call_id(&mut self) -> CallId {
        self.last_call_id = self.last_call_id.wrapping_add(1);
        self.last_call_id
    }

    /// Makes `call` current: asks for the camera and microphone, enables Hang Up.
    fn start_call(&mut self, call: Call) {
        let id = call.id;
        self.call = Some(call);
        // A new call: the notice about the last one (or a refusal) no longer applies.
        self.clear_error();
        self.out.push(Action::SetHangUpEnabled(true));
        self.out.push(Action::AcquireMedia { call: id });
        if let Some(call) = self.call.as_mut() {
            call.prepare(&mut self.out);
        }
        self.show_users();
    }

    /// Ends the current call (if any): tells the peer first when asked and the peer knows
    /// about the call, then closes everything and forgets the call.
    fn end_call(&mut self, ending: Ending) {
        let Some(call) = self.call.take() else { return };
        self.rejoined = false;
        if ending.tell_peer && call.peer_knows() {
            // With target AND token (PROTOCOL bug 1: the tutorial sent `target: null`, which
            // the server broadcast, tearing down every other call in the room).
            self.send(Message::HangUp {
                name: Some(call.me.clone()),
                target: Some(call.peer.clone()),
                call: Some(call.hang_up_token().to_owned()),
                reason: ending.reason.wire().map(str::to_owned),
            });
        }
        if self.sharing == Some(call.id) {
            // `ClosePeer` stops the screen's track with the rest.
            self.sharing = None;
        }
        self.out.push(Action::ClosePeer { call: call.id });
        // What the call showed about itself goes with it.
        if call.quality_shown() {
            self.out.push(Action::ShowQuality { level: None });
            self.out.push(Action::ShowStats { figures: None });
        }
        if call.sas_shown() {
            self.out.push(Action::ShowSas { code: None });
        }
        if call.peer_created() {
            self.out.push(Action::RefreshIceServers);
        }
        self.out.push(Action::SetHangUpEnabled(false));
        let notice = ending.notice.map(|text| {
            let words = text.render(self.lang);
            self.error(text);
            words
        });
        self.out.push(Action::CallEnded {
            call: Some(call.id),
            peer: call.peer.clone(),
            connected: call.started,
            reason: ending.reason,
            notice,
        });
        self.log(
            [
                "call ",
                &dec(call.id.into()),
                " with ",
                &call.peer,
                " ended",
            ]
            .concat(),
        );
        for token in call.tokens {
            if self.ended_tokens.len() == ENDED_TOKENS_KEPT {
                self.ended_tokens.remove(0);
            }
            self.ended_tokens.push(token);
        }
        self.show_users();
    }

    /// Inputs that belong to one call: ignored unless they are for the current one (or the
    /// ringing call's preparation).
    fn call_input(&mut self, input: Input) {
        if let Some(r) = self.ringing.as_mut() {
            if input_call_id(&input) == Some(r.id) {
                let flow = r.prepared.as_mut().map(|c| c.handle(input, &mut self.out));
                if let Some(Flow::End(ending)) = flow {
                    // Accept creates a new connection in its place.
                    r.prepared = None;
                    // The log is for developers: in English, whatever the page's language.
                    let why = ending
                        .notice
                        .map(|t| t.render(Lang::En))
                        .unwrap_or_default();
                    self.log(["preparing the ringing call failed: ", &why].concat());
                }
                return;
            }
        }
        let Some(call) = self.call.as_mut() else {
            return;
        };
        if input_call_id(&input) != Some(call.id) {
            return;
        }
        call.reachable = self.socket == Socket::Open
            && self.client_id.is_some()
            && self.users.contains(&call.peer);
        let flow = call.handle(input, &mut self.out);
        if let Flow::End(ending) = flow {
            self.end_call(ending);
        }
    }
}

/// The call an input belongs to (`None` for session inputs).
fn input_call_id(input: &Input) -> Option<CallId> {
    match input {
        Input::MediaReady { call }
        | Input::MediaFailed { call, .. }
        | Input::NegotiationNeeded { call }
        | Input::LocalDescriptionSet { call, .. }
        | Input::RemoteDescriptionSet { call }
        | Input::PeerOpFailed { call, .. }
        | Input::LocalCandidate { call, .. }
        | Input::IceConnectionState { call, .. }
        | Input::IceCandidateError { call, .. }
        | Input::IceGatheringState { call, .. }
        | Input::SignalingState { call, .. }
        | Input::RemoteTrack { call }
        | Input::RemoteTracksEnded { call }
        | Input::StatsSample { call, .. }
        | Input::SasDigest { call, .. }
        | Input::TimerFired {
            timer:
                Timer::IceDisconnected(call)
                | Timer::Connect(call)
                | Timer::Answer(call)
                | Timer::Stats(call)
                | Timer::IceRestart(call)
                | Timer::PeerAbsent(call),
        } => Some(*call),
        Input::Login { .. }
        | Input::SocketOpen
        | Input::SocketClosed
        | Input::Server(_)
        | Input::BadFrame { .. }
        | Input::SendChat { .. }
        | Input::CallUser { .. }
        | Input::HangUp
        | Input::Accept
        | Input::Decline
        | Input::DismissError
        | Input::SetMuted { .. }
        | Input::SetCamera { .. }
        | Input::ShareScreen { .. }
        | Input::ShareEnded { .. }
        | Input::IceServersLoaded { .. }
        | Input::Devices { .. }
        | Input::SelectDevice { .. }
        | Input::DeviceSwitched { .. }
        | Input::SetLang { .. }
        | Input::TimerFired {
            timer: Timer::Reconnect | Timer::Ring(_) | Timer::IceRefresh,
        } => None,
    }
}
