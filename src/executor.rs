//! The action executor: owns the core's [`Client`] and everything the page has (view, host
//! events, transport, peer connection, camera stream, timers); turns each [`Event`] into an
//! [`Input`] and carries out the [`Action`]s the core returns, in order. It decides nothing.

use alloc::string::String;
use alloc::vec::Vec;

use chat_core::call::{CallId, PeerOp, Timer};
use chat_core::text::Key;
use chat_core::{Action, Client, Input};
use wasm_bindgen::JsCast;
use wasm_bindgen::JsValue;
use web_sys::{MediaStream, MediaStreamTrack};

use crate::config::{Config, Ice};
use crate::devices::{self, Pickers};
use crate::error::JsError;
use crate::host::Host;
use crate::live::{self, Listener};
use crate::log::log;
use crate::media::{self, LocalStream};
use crate::peer::Peer;
use crate::queue::{Event, Handler, Inbox};
use crate::spawn::spawn_local;
use crate::stats;
use crate::transport::Transport;
use crate::view::View;

pub(crate) struct Executor {
    client: Client,
    /// The ICE servers for the next peer connection (refreshed from `ice_url`).
    ice: Ice,
    ice_url: Option<String>,
    /// `getUserMedia` constraints; `{audio: true, video: true}` when absent.
    constraints: Option<JsValue>,
    transport: Transport,
    /// Events for the host page.
    host: Host,
    view: View,
    _ui: Vec<Listener>,
    peer: Option<Peer>,
    /// The local stream and the call it was acquired for (stopped when dropped).
    media: Option<(CallId, LocalStream)>,
    timers: Vec<(Timer, live::Timer)>,
    /// The screen being shared, for its call, and the listener for its track's `ended`.
    share: Option<(CallId, LocalStream, Listener)>,
    /// The core's last `LocalMedia` (microphone on, camera on), for streams acquired later.
    switches: (bool, bool),
    /// `#camera-select`, `#mic-select`.
    pickers: Pickers,
    /// The devices the core chose (camera, microphone; `None`: the default), for every
    /// `getUserMedia` (its `ShowDevices`).
    chosen: [Option<String>; 2],
}

impl Executor {
    pub fn new(
        client: Client,
        config: Config,
        host: Host,
        view: View,
        ui: Vec<Listener>,
        pickers: Pickers,
    ) -> Executor {
        let Config {
            transport,
            ice,
            ice_url,
            constraints,
            auto_accept: _,
            lang: _,
            warnings: _,
            room: _,
        } = config;
        Executor {
            client,
            ice,
            ice_url,
            constraints,
            transport: Transport::new(transport),
            host,
            view,
            _ui: ui,
            peer: None,
            media: None,
            timers: Vec::new(),
            switches: (true, true),
            share: None,
            pickers,
            chosen: [None, None],
        }
    }
}

impl Handler for Executor {
    fn handle(&mut self, event: Event, inbox: &Inbox) {
        match event {
            Event::Input(input) => self.feed(input, inbox),
            Event::Media { call, result } => match result {
                Ok(stream) => {
                    // Held only for the current call. A stream for a call that ended while the
                    // prompt was up (the core ignores its MediaReady) is dropped here, which
                    // turns the camera off again, and never replaces a newer call's stream.
                    if self.client.call_id() == Some(call) {
                        stream.set_enabled(self.switches.0, self.switches.1);
                        self.media = Some((call, stream));
                    }
                    // Allowed now: the devices' ids and labels can be listed.
                    devices::enumerate(inbox);
                    self.feed(Input::MediaReady { call }, inbox);
                }
                Err(error) => self.feed(Input::MediaFailed { call, error }, inbox),
            },
            Event::Ice(mut ice, ttl_s) => {
                // The page's own `iceTransportPolicy=relay` stands: the relay's `/ice-servers`
                // hands out servers, not a policy.
                ice.relay_only |= self.ice.relay_only;
                self.ice = ice;
                // The core decides when to fetch again (before the credentials expire).
                self.feed(Input::IceServersLoaded { ttl_s }, inbox);
            }
            Event::Display { call, result } => self.display(call, result, inbox),
            Event::Switched {
                call,
                kind,
                send,
                result,
            } => {
                let error = result.map(|stream| self.switch(call, stream, send)).err();
                self.feed(Input::DeviceSwitched { kind, error }, inbox);
            }
        }
    }
}

impl Executor {
    fn feed(&mut self, input: Input, inbox: &Inbox) {
        match &input {
            Input::TimerFired { timer } => self.timers.retain(|(t, _)| t != timer),
            Input::SocketClosed => self.transport.closed(),
            // The page's own words change here; the core's (status, error) follow from it.
            Input::SetLang { lang } => self.view.set_lang(*lang),
            _ => {}
        }
        let actions = self.client.handle(js_sys::Date::now(), input);
        for action in actions {
            self.perform(action, inbox);
        }
    }

    fn perform(&mut self, action: Action, inbox: &Inbox) {
        match action {
            Action::Connect => self.transport.connect(inbox),
            Action::Send(message) => {
                let text = crate::json::stringify(&message.to_value());
                if let Err(e) = self.transport.send(&text) {
                    log(&["webrtc-chat: send failed: ", &e.text()].concat());
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
            Action::CallIncoming { from } => {
                self.view.announce(Key::AnnounceIncoming, &from);
                self.host.incoming(&from);
            }
            Action::CallStarted { peer, .. } => {
                self.view.announce(Key::AnnounceStarted, &peer);
                self.host.started(&peer);
            }
            Action::CallEnded {
                peer,
                connected,
                reason,
                notice,
                ..
            } => {
                self.view.announce(Key::AnnounceEnded, &peer);
                self.view.focus_users();
                self.host.ended(&peer, connected, reason, notice.as_deref());
            }
            Action::RefreshIceServers => {
                if let Some(url) = &self.ice_url {
                    refresh_ice(url.clone(), inbox.clone());
                }
            }
            Action::SetHangUpEnabled(enabled) => self.view.set_hang_up_enabled(enabled),
            Action::AcquireMedia { call } => {
                // Runs on its own: a permission prompt must not hold up other actions.
                let c = devices::constraints(self.constraints.as_ref(), &self.chosen, None);
                let (asked, inbox) = (media::acquire(Some(&c)), inbox.clone());
                spawn_local(async move {
                    let result = asked.await;
                    inbox.event(Event::Media { call, result });
                });
            }
            Action::CreatePeer { call, polite: _ } => {
                self.peer = None;
                match Peer::new(call, &self.ice, inbox) {
                    Ok(peer) => {
                        self.peer = Some(peer);
                        self.view.show_local(self.stream_of(call));
                    }
                    Err(e) => failed(inbox, call, PeerOp::CreatePeer, e),
                }
            }
            Action::AddLocalTracks { call } => {
                let added = match (self.peer_of(call), self.stream_of(call)) {
                    (Some(peer), Some(stream)) => peer.add_tracks(stream),
                    _ => Err(no_peer()),
                };
                // A callee's connection is created before its camera is up: show it now.
                self.view.show_local(self.stream_of(call));
                if let Err(e) = added {
                    failed(inbox, call, PeerOp::AddLocalTracks, e);
                }
            }
            Action::SetRemoteDescription { call, desc } => {
                let Some(peer) = self.peer_of_mut(call) else {
                    return failed(inbox, call, PeerOp::SetRemoteDescription, no_peer());
                };
                peer.set_remote_description(&desc, inbox);
            }
            Action::SetLocalDescription { call } => {
                let Some(peer) = self.peer_of_mut(call) else {
                    return failed(inbox, call, PeerOp::SetLocalDescription, no_peer());
                };
                peer.set_local_description(inbox);
            }
            Action::AddIceCandidate { call, candidate } => {
                let Some(peer) = self.peer_of_mut(call) else {
                    return failed(inbox, call, PeerOp::AddIceCandidate, no_peer());
                };
                peer.add_ice_candidate(&candidate, inbox);
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
                self.view.show_peer_state("", false, true);
                self.share = None;
                self.view.show_sharing(false);
            }
            Action::StartTimer { timer, ms } => {
                self.timers.retain(|(t, _)| *t != timer);
                let inbox = inbox.clone();
                let guard = live::timeout(ms, move || inbox.input(Input::TimerFired { timer }));
                self.timers.push((timer, guard));
            }
            Action::Log { text } => log(&text),
            Action::LocalMedia { muted, camera } => {
                self.switches = (!muted, camera);
                if let Some((_, stream)) = &self.media {
                    stream.set_enabled(!muted, camera);
                }
                self.view.show_local_media(muted, camera);
            }
            Action::Share { call, on: true } => {
                self.view.show_sharing(true);
                let inbox = inbox.clone();
                spawn_local(async move {
                    let result = media::acquire_display().await;
                    inbox.event(Event::Display { call, result });
                });
            }
            Action::Share { call, on: false } => {
                self.view.show_sharing(false);
                if self.share.take().is_some() {
                    let camera = self.stream_of(call).and_then(media::video_track);
                    if let (Some(peer), Some(track)) = (self.peer_of(call), camera) {
                        peer.replace_track(&track);
                    }
                    self.view.show_local(self.stream_of(call));
                }
            }
            Action::ShowPeerState { muted, camera } => {
                let peer = self.client.peer().unwrap_or_default();
                self.view.show_peer_state(peer, muted, camera);
                self.host.peer_state(muted, camera);
            }
            Action::SampleStats { call } => {
                if let Some(peer) = self.peer_of(call) {
                    let inbox = inbox.clone();
                    stats::sample(peer.pc(), move |sample| {
                        inbox.input(Input::StatsSample { call, sample })
                    });
                }
            }
            Action::ShowQuality { level } => {
                self.view.show_quality(level);
                if let Some(level) = level {
                    self.host.quality(level);
                }
            }
            Action::ShowStats { figures } => self.view.show_stats(figures.as_ref()),
            Action::SetSendStep { call, step } => {
                if let Some(peer) = self.peer_of(call) {
                    stats::apply_step(peer.pc(), step);
                }
            }
            Action::HashSas { call, input } => {
                let inbox = inbox.clone();
                stats::sha256(&input.clone(), move |digest| match digest {
                    Ok(digest) => inbox.input(Input::SasDigest {
                        call,
                        input,
                        digest,
                    }),
                    Err(e) => log(&["webrtc-chat: no verification code: ", &e.text()].concat()),
                });
            }
            Action::ShowSas { code } => {
                self.view.show_sas(code.as_deref());
                self.host.sas(code.as_deref());
            }
            Action::RestartIce { call } => {
                if let Some(peer) = self.peer_of(call) {
                    peer.restart_ice();
                }
            }
            Action::ShowDevices {
                kind,
                devices,
                selected,
            } => {
                self.pickers.show(kind, &devices, &selected);
                self.host.devices(kind, &devices, &selected);
                self.chosen[kind as usize] = Some(selected).filter(|s| !s.is_empty());
            }
            Action::SwitchDevice {
                call,
                kind,
                id,
                send,
            } => {
                let mut chosen = self.chosen.clone();
                chosen[kind as usize] = id;
                let asked = devices::acquire_one(self.constraints.as_ref(), &chosen, kind);
                let inbox = inbox.clone();
                spawn_local(async move {
                    let result = asked.await;
                    inbox.event(Event::Switched {
                        call,
                        kind,
                        send,
                        result,
                    });
                });
            }
        }
    }

    /// A switch's new track takes the old one's place in the call's stream (the old one
    /// stopped) and, when `send`, in its sender. The stream that brought it is dropped, which
    /// stops whatever else it had (nothing: it asked for one kind).
    fn switch(&mut self, call: CallId, stream: LocalStream, send: bool) {
        let Some(track) = media::first_track(&stream.stream().get_tracks()) else {
            return;
        };
        stream.stream().remove_track(&track);
        let Some((_, local)) = self.media.as_ref().filter(|(c, _)| *c == call) else {
            // The call is over: the new track goes too.
            return track.stop();
        };
        let local = local.stream();
        let video = track.kind() == "video";
        for old in local.get_tracks() {
            let old: MediaStreamTrack = old.unchecked_into();
            if old.kind() == track.kind() {
                local.remove_track(&old);
                old.stop();
            }
        }
        track.set_enabled(if video {
            self.switches.1
        } else {
            self.switches.0
        });
        local.add_track(&track);
        if let Some(peer) = self.peer_of(call).filter(|_| send) {
            peer.replace_track(&track);
        }
        if video && self.share.is_none() {
            // A new track in the same stream: the element shows it once given the stream again.
            self.view.show_local(None);
            self.view.show_local(Some(local));
        }
    }

    /// `getDisplayMedia` settled: the screen goes into the call, if it still wants it.
    fn display(
        &mut self,
        call: CallId,
        result: Result<LocalStream, chat_core::call::MediaError>,
        inbox: &Inbox,
    ) {
        let wanted = self.client.sharing() == Some(call);
        let track = result.ok().filter(|_| wanted).and_then(|stream| {
            let track = media::video_track(stream.stream())?;
            Some((stream, track))
        });
        let (Some((stream, track)), Some(peer)) = (track, self.peer_of(call)) else {
            // Refused, no video, or no longer wanted (dropping the stream stops it).
            return self.feed(Input::ShareEnded { call }, inbox);
        };
        peer.replace_track(&track);
        // The browser's own "stop sharing" ends the track.
        let ended = {
            let inbox = inbox.clone();
            live::listen(&track, "ended", move |_| {
                inbox.input(Input::ShareEnded { call })
            })
        };
        self.view.show_local(Some(stream.stream()));
        self.share = Some((call, stream, ended));
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
            .map(|(_, s)| s.stream())
    }

    /// Turns the camera light off (dropping the stream stops it; so does dropping the app).
    fn release_media(&mut self) {
        self.media = None;
    }
}

fn failed(inbox: &Inbox, call: CallId, op: PeerOp, e: JsError) {
    inbox.input(Input::PeerOpFailed {
        call,
        op,
        message: e.text(),
    });
}

fn no_peer() -> JsError {
    JsError {
        name: "InvalidStateError".into(),
        message: "no peer connection or local stream for this call".into(),
    }
}

/// Fetches fresh ICE servers in the background; on any failure the current ones stay.
pub(crate) fn refresh_ice(url: String, inbox: Inbox) {
    spawn_local(async move {
        match crate::config::fetch_ice(&url).await {
            Some((ice, ttl)) => inbox.event(Event::Ice(ice, ttl)),
            None => log(&["webrtc-chat: could not load ICE servers from ", &url].concat()),
        }
    });
}
