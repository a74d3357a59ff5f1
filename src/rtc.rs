//! The `RTCPeerConnection` members web-sys lacks or types too narrowly, shared by the page's
//! `peer` module and the tutorial-compatible `compat` exports.

use js_sys::Promise;
use wasm_bindgen::prelude::*;
use web_sys::{MediaStream, MediaStreamTrack, RtcPeerConnection};

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
}

/// The same connection, through [`Pc`]'s members.
pub(crate) fn js(pc: &RtcPeerConnection) -> &Pc {
    pc.unchecked_ref()
}
