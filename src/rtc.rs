//! The `RTCPeerConnection` members web-sys lacks or types too narrowly, shared by the page's
//! `peer` module and the tutorial-compatible `compat` exports.

use alloc::string::String;

use chat_core::protocol::{IceCandidate, SdpType, SessionDescription};
use js_sys::{Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use web_sys::{MediaStream, MediaStreamTrack, RtcIceCandidate, RtcPeerConnection, RtcTrackEvent};

use crate::error::prop;

#[wasm_bindgen]
extern "C" {
    /// `RTCPeerConnection`, seen through the members below.
    #[wasm_bindgen(js_name = RTCPeerConnection)]
    pub(crate) type Pc;
    /// `setLocalDescription()` with no argument: the browser creates the offer or answer the
    /// signaling state calls for ("perfect negotiation", MDN). web-sys only has the 1-arg form.
    #[wasm_bindgen(method, js_name = setLocalDescription)]
    pub(crate) fn set_local_description_implicit(this: &Pc) -> Promise;
    /// Takes a plain `{type, sdp}` (a `rollback` too).
    #[wasm_bindgen(method, js_name = setRemoteDescription)]
    pub(crate) fn set_remote_description_plain(this: &Pc, desc: &JsValue) -> Promise;
    /// Takes a plain `RTCIceCandidateInit`, `usernameFragment` included.
    #[wasm_bindgen(method, js_name = addIceCandidate)]
    pub(crate) fn add_ice_candidate_plain(this: &Pc, candidate: &JsValue) -> Promise;
    /// `addTrack(track, stream)`, which throws (`InvalidAccessError` for a track already
    /// added, `InvalidStateError` on a closed connection): web-sys's binding does not catch.
    #[wasm_bindgen(method, catch, js_name = addTrack)]
    pub(crate) fn add_track_checked(
        this: &Pc,
        track: &MediaStreamTrack,
        stream: &MediaStream,
    ) -> Result<JsValue, JsValue>;
    /// `restartIce()` (ICE restart, decided by the core): web-sys has no binding for it.
    #[wasm_bindgen(method, js_name = restartIce)]
    pub(crate) fn restart_ice(this: &Pc);
    #[wasm_bindgen(method, getter, js_name = localDescription)]
    pub(crate) fn local_description_plain(this: &Pc) -> JsValue;
    #[wasm_bindgen(method, getter, js_name = iceConnectionState)]
    pub(crate) fn ice_connection_state_str(this: &Pc) -> String;
    #[wasm_bindgen(method, getter, js_name = iceGatheringState)]
    pub(crate) fn ice_gathering_state_str(this: &Pc) -> String;
    #[wasm_bindgen(method, getter, js_name = signalingState)]
    pub(crate) fn signaling_state_str(this: &Pc) -> String;
    /// `getStats()` for the whole connection: an `RTCStatsReport` (maplike).
    #[wasm_bindgen(method, js_name = getStats)]
    pub(crate) fn get_stats_all(this: &Pc) -> Promise;
    #[wasm_bindgen(method, js_name = getSenders)]
    pub(crate) fn get_senders_plain(this: &Pc) -> js_sys::Array;

    /// `RTCRtpSender`, through the members the send steps need (web-sys gates the parameter
    /// dictionaries behind features that would cost more glue than these three imports).
    pub(crate) type Sender;
    #[wasm_bindgen(method, getter)]
    pub(crate) fn track(this: &Sender) -> JsValue;
    #[wasm_bindgen(method, catch, js_name = getParameters)]
    pub(crate) fn get_parameters(this: &Sender) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(method, catch, js_name = setParameters)]
    pub(crate) fn set_parameters(this: &Sender, parameters: &JsValue) -> Result<Promise, JsValue>;

    /// `crypto.subtle.digest(algorithm, data)`; throws where `crypto.subtle` is missing (a page
    /// that is not a secure context).
    #[wasm_bindgen(catch, js_namespace = ["crypto", "subtle"], js_name = digest)]
    pub(crate) fn subtle_digest(algorithm: &str, data: &[u8]) -> Result<Promise, JsValue>;
}

/// The same connection, through [`Pc`]'s members.
pub(crate) fn js(pc: &RtcPeerConnection) -> &Pc {
    pc.unchecked_ref()
}

/// `setRemoteDescription` with the core's description (a `rollback` has no `sdp`).
pub(crate) fn set_remote_description(pc: &RtcPeerConnection, desc: &SessionDescription) -> Promise {
    let init = Object::new();
    set(&init, "type", &desc.kind.as_str().into());
    if desc.kind != SdpType::Rollback {
        set(&init, "sdp", &desc.sdp.as_str().into());
    }
    js(pc).set_remote_description_plain(&init)
}

/// `addIceCandidate` with the core's candidate, `usernameFragment` included.
pub(crate) fn add_ice_candidate(pc: &RtcPeerConnection, c: &IceCandidate) -> Promise {
    let init = Object::new();
    set(&init, "candidate", &c.candidate.as_str().into());
    if let Some(mid) = &c.sdp_mid {
        set(&init, "sdpMid", &mid.as_str().into());
    }
    if let Some(index) = c.sdp_m_line_index {
        set(&init, "sdpMLineIndex", &index.into());
    }
    if let Some(ufrag) = &c.username_fragment {
        set(&init, "usernameFragment", &ufrag.as_str().into());
    }
    js(pc).add_ice_candidate_plain(&init)
}

/// `pc.localDescription` as the core's (`None` before there is one).
pub(crate) fn local_description(pc: &RtcPeerConnection) -> Option<SessionDescription> {
    let desc = js(pc).local_description_plain();
    Some(SessionDescription {
        kind: SdpType::parse(&prop(&desc, "type")?)?,
        sdp: prop(&desc, "sdp").unwrap_or_default(),
    })
}

/// A local candidate (of `icecandidate`) as the core's.
pub(crate) fn candidate_of(c: &RtcIceCandidate) -> IceCandidate {
    IceCandidate {
        candidate: c.candidate(),
        sdp_mid: c.sdp_mid(),
        sdp_m_line_index: c.sdp_m_line_index(),
        username_fragment: prop(c, "usernameFragment"),
    }
}

/// The stream a remote track arrived in; for a sender that gave none (no msid), `shown` (the
/// stream shown so far) or a new one, with the track added.
pub(crate) fn stream_of(e: &RtcTrackEvent, shown: Option<MediaStream>) -> Option<MediaStream> {
    if let Ok(stream) = e.streams().get(0).dyn_into::<MediaStream>() {
        return Some(stream);
    }
    let own = shown.map(Ok).unwrap_or_else(MediaStream::new).ok()?;
    own.add_track(&e.track());
    Some(own)
}

fn set(o: &Object, key: &str, value: &JsValue) {
    // Cannot fail on a fresh plain object.
    let _ = Reflect::set(o, &JsValue::from_str(key), value);
}
