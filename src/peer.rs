//! One call's `RTCPeerConnection`, its seven event handlers and its async operations.
//!
//! Every handler only translates the browser event into an [`Input`] tagged with the call's
//! id; the core decides. Handlers are `Listener`s owned by the [`Peer`]: dropping the peer
//! removes them all (the tutorial's bug 2 left two attached) and closes the connection.

use alloc::rc::Rc;
use alloc::vec::Vec;
use core::cell::RefCell;

use chat_core::call::{CallId, Input, PeerOp};
use chat_core::protocol::{IceCandidate, SessionDescription};
use futures_util::future::{AbortHandle, Abortable};
use js_sys::{Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    MediaStream, MediaStreamTrack, RtcPeerConnection, RtcPeerConnectionIceEvent, RtcTrackEvent,
};

use crate::config::Ice;
use crate::error::{prop, JsError};
use crate::live::{listen, Listener};
use crate::queue::Inbox;
use crate::rtc::{self, js, Pc};
use crate::spawn::{settle, spawn_local};
use crate::states;

/// The stream the remote tracks arrive in, and its `removetrack` listener.
#[derive(Default)]
struct Remote {
    stream: RefCell<Option<MediaStream>>,
    on_remove: RefCell<Option<Listener>>,
}

pub(crate) struct Peer {
    call: CallId,
    pc: RtcPeerConnection,
    remote: Rc<Remote>,
    /// Operations in flight; aborted on drop, since a closed connection never settles them.
    pending: Vec<AbortHandle>,
    _listeners: [Listener; 7],
}

impl Peer {
    pub fn new(call: CallId, ice: &Ice, inbox: &Inbox) -> Result<Peer, JsError> {
        let pc = RtcPeerConnection::new_with_configuration(&ice.rtc_configuration())?;
        let remote = Rc::new(Remote::default());
        let listeners = [
            peer_listener(&pc, inbox, call, "negotiationneeded", |call, _, _| {
                Some(Input::NegotiationNeeded { call })
            }),
            peer_listener(&pc, inbox, call, "icecandidate", |call, _, e| {
                let e = e.dyn_ref::<RtcPeerConnectionIceEvent>()?;
                Some(Input::LocalCandidate {
                    call,
                    candidate: e.candidate().map(|c| rtc::candidate_of(&c)),
                })
            }),
            peer_listener(
                &pc,
                inbox,
                call,
                "iceconnectionstatechange",
                |call, pc, _| {
                    let state = states::ice_connection(&js(pc).ice_connection_state_str())?;
                    Some(Input::IceConnectionState { call, state })
                },
            ),
            // Not one of the tutorial's seven, but the only way to say *why* a relay-only call
            // cannot connect (a TURN server answering 401, say): ICE itself stays `new`.
            // Read with Reflect: the event is recent and web-sys gates it behind unstable APIs.
            // https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/icecandidateerror_event
            peer_listener(&pc, inbox, call, "icecandidateerror", |call, _, e| {
                let code = Reflect::get(e, &JsValue::from_str("errorCode"))
                    .ok()?
                    .as_f64()?;
                Some(Input::IceCandidateError {
                    call,
                    url: prop(e, "url").unwrap_or_default(),
                    code: code as u16,
                    text: prop(e, "errorText").unwrap_or_default(),
                })
            }),
            peer_listener(
                &pc,
                inbox,
                call,
                "icegatheringstatechange",
                |call, pc, _| {
                    let state = states::ice_gathering(&js(pc).ice_gathering_state_str())?;
                    Some(Input::IceGatheringState { call, state })
                },
            ),
            peer_listener(&pc, inbox, call, "signalingstatechange", |call, pc, _| {
                let state = states::signaling(&js(pc).signaling_state_str())?;
                Some(Input::SignalingState { call, state })
            }),
            {
                let inbox = inbox.clone();
                let remote = Rc::clone(&remote);
                listen(&pc, "track", move |e| {
                    if let Some(e) = e.dyn_ref::<RtcTrackEvent>() {
                        on_track(call, e, &remote, &inbox);
                        // `track` fires once per track (audio, video): the core's handling of
                        // RemoteTrack is idempotent (the tutorial's bug 7).
                        inbox.input(Input::RemoteTrack { call });
                    }
                })
            },
        ];
        Ok(Peer {
            call,
            pc,
            remote,
            pending: Vec::new(),
            _listeners: listeners,
        })
    }

    pub fn call(&self) -> CallId {
        self.call
    }

    /// The connection itself (for `getStats` and the senders' parameters).
    pub fn pc(&self) -> &RtcPeerConnection {
        &self.pc
    }

    pub fn remote_stream(&self) -> Option<MediaStream> {
        self.remote.stream.try_borrow().ok()?.clone()
    }

    /// `addTrack` for every track of the local stream, with the stream (so the far side gets
    /// them grouped in one remote stream, msid).
    pub fn add_tracks(&self, stream: &MediaStream) -> Result<(), JsError> {
        // A stream's tracks are `MediaStreamTrack`s (`media::first_track`).
        for track in stream.get_tracks() {
            self.js()
                .add_track_checked(track.unchecked_ref::<MediaStreamTrack>(), stream)?;
        }
        Ok(())
    }

    /// `replaceTrack` on the sender of the track's kind (video: the camera or the screen; audio:
    /// the microphone): the far side sees the new track on the same
    /// transceiver, with no renegotiation. A failure is logged (the old track stays).
    pub fn replace_track(&self, track: &MediaStreamTrack) {
        let kind = track.kind();
        let sender = self.pc.get_senders().iter().find_map(|s| {
            // `getSenders()` gives senders only.
            let s: web_sys::RtcRtpSender = s.unchecked_into();
            (s.track()?.kind() == kind).then_some(s)
        });
        let Some(sender) = sender else { return };
        settle(sender.replace_track(Some(track)), |result| {
            if let Err(e) = result {
                let e = JsError::from_js(&e);
                crate::log::log(&["webrtc-chat: replaceTrack failed: ", &e.text()].concat());
            }
        });
    }

    /// `setRemoteDescription(desc)`; the core gets `RemoteDescriptionSet` or `PeerOpFailed`.
    pub fn set_remote_description(&mut self, desc: &SessionDescription, inbox: &Inbox) {
        let promise = rtc::set_remote_description(&self.pc, desc);
        self.op(promise, PeerOp::SetRemoteDescription, inbox, |_, call| {
            Ok(Some(Input::RemoteDescriptionSet { call }))
        });
    }

    /// `setLocalDescription()`; the core gets `LocalDescriptionSet` with `pc.localDescription`
    /// once it has resolved, or `PeerOpFailed`.
    pub fn set_local_description(&mut self, inbox: &Inbox) {
        let promise = self.js().set_local_description_implicit();
        self.op(promise, PeerOp::SetLocalDescription, inbox, |pc, call| {
            let desc = rtc::local_description(pc).ok_or_else(|| JsError {
                name: "InvalidStateError".into(),
                message: "no local description".into(),
            })?;
            Ok(Some(Input::LocalDescriptionSet { call, desc }))
        });
    }

    /// `addIceCandidate(c)`; the core hears only of a failure (`PeerOpFailed`).
    pub fn add_ice_candidate(&mut self, c: &IceCandidate, inbox: &Inbox) {
        let promise = rtc::add_ice_candidate(&self.pc, c);
        self.op(promise, PeerOp::AddIceCandidate, inbox, |_, _| Ok(None));
    }

    /// `restartIce()`: `negotiationneeded` follows, and the next offer has new ICE credentials.
    pub fn restart_ice(&self) {
        self.js().restart_ice();
    }

    fn js(&self) -> &Pc {
        js(&self.pc)
    }

    /// Runs `promise`, an operation `op` of this connection: once it resolves the core gets
    /// `done`'s input, if any; if it rejects (or `done` fails), `PeerOpFailed`; nothing if the
    /// peer is dropped first. One async body for the three operations, `done` a plain function
    /// (README, "Bundle size").
    fn op(&mut self, promise: Promise, op: PeerOp, inbox: &Inbox, done: Done) {
        let (handle, registration) = AbortHandle::new_pair();
        self.pending.push(handle);
        let settled = Abortable::new(JsFuture::from(promise), registration);
        let (pc, call, inbox) = (self.pc.clone(), self.call, inbox.clone());
        spawn_local(async move {
            let Ok(result) = settled.await else {
                return; // Aborted: the peer was dropped.
            };
            let input = match result {
                Ok(_) => done(&pc, call),
                Err(e) => Err(JsError::from_js(&e)),
            };
            match input {
                Ok(Some(input)) => inbox.input(input),
                Ok(None) => {}
                Err(e) => inbox.input(Input::PeerOpFailed {
                    call,
                    op,
                    message: e.text(),
                }),
            }
        });
    }
}

/// What a resolved operation tells the core (see [`Peer::op`]).
type Done = fn(&RtcPeerConnection, CallId) -> Result<Option<Input>, JsError>;

impl Drop for Peer {
    fn drop(&mut self) {
        for op in &self.pending {
            op.abort();
        }
        // `close()` fires no events (webrtc-pc, "close the connection"); the listeners are
        // removed right after this, with the fields.
        self.pc.close();
    }
}

/// A listener on the peer connection whose handler maps the event to an input (or nothing).
/// The handler is a plain function, not a closure type of its own: the six listeners share
/// one copy of this code (README, "Bundle size").
fn peer_listener(
    pc: &RtcPeerConnection,
    inbox: &Inbox,
    call: CallId,
    event: &'static str,
    f: fn(CallId, &RtcPeerConnection, &web_sys::Event) -> Option<Input>,
) -> Listener {
    let inbox = inbox.clone();
    let target = pc.clone();
    listen(pc, event, move |e| {
        if let Some(input) = f(call, &target, e) {
            inbox.input(input);
        }
    })
}

/// Keeps the stream the remote tracks belong to, and listens for `removetrack` on it: that
/// event fires on the remote `MediaStream`, not on the peer connection (the tutorial's bug 8).
fn on_track(call: CallId, e: &RtcTrackEvent, remote: &Rc<Remote>, inbox: &Inbox) {
    let (Ok(mut slot), Ok(mut on_remove)) = (
        remote.stream.try_borrow_mut(),
        remote.on_remove.try_borrow_mut(),
    ) else {
        return;
    };
    let Some(stream) = rtc::stream_of(e, slot.clone()) else {
        return;
    };
    if slot.as_ref().map(|s| s.id()) == Some(stream.id()) {
        return;
    }
    let inbox = inbox.clone();
    // `Clone::clone`, a second reference: web-sys' inherent `MediaStream::clone` is the
    // browser's `MediaStream.clone()`, a new stream of cloned tracks, which never loses a
    // track when the far side removes one (so `removetrack` never ended the call), and which
    // costs the renderer new tracks in the middle of call setup.
    let watched = Clone::clone(&stream);
    *on_remove = Some(listen(&stream, "removetrack", move |_| {
        if watched.get_tracks().length() == 0 {
            inbox.input(Input::RemoteTracksEnded { call });
        }
    }));
    *slot = Some(stream);
}
