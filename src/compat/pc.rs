//! The `RTCPeerConnection` members only the tutorial-compatible functions use (the others are
//! in crate::rtc), and its operations as futures of `Result<_, JsValue>` (the thrown value is
//! kept whole: the page's `reportError` and `handleGetUserMediaError` read its `name`).

use alloc::string::String;

use js_sys::{Array, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{MediaStream, MediaStreamTrack, RtcPeerConnection};

use super::globals;
use crate::rtc::{js, Pc};

/// Members only the tutorial-compatible functions need, on the shared `Pc` (crate::rtc).
#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(method, getter, js_name = remoteDescription)]
    fn remote_description_plain(this: &Pc) -> JsValue;
    #[wasm_bindgen(method, js_name = getTransceivers)]
    fn transceivers(this: &Pc) -> Array;
    /// Throws when the track is already sent on this connection.
    #[wasm_bindgen(method, catch, js_name = addTrack)]
    fn add_track_plain(this: &Pc, track: &JsValue, stream: &JsValue) -> Result<JsValue, JsValue>;

    type Transceiver;
    #[wasm_bindgen(method, getter)]
    fn sender(this: &Transceiver) -> JsValue;
    /// Throws on a closed connection.
    #[wasm_bindgen(method, catch)]
    fn stop(this: &Transceiver) -> Result<(), JsValue>;
}

pub(super) fn signaling_state(pc: &RtcPeerConnection) -> String {
    js(pc).signaling_state_str()
}

pub(super) fn ice_connection_state(pc: &RtcPeerConnection) -> String {
    js(pc).ice_connection_state_str()
}

pub(super) fn ice_gathering_state(pc: &RtcPeerConnection) -> String {
    js(pc).ice_gathering_state_str()
}

pub(super) fn has_remote_description(pc: &RtcPeerConnection) -> bool {
    !js(pc).remote_description_plain().is_null()
}

/// Whether the far side has heard of this call: an offer or answer went one way or the other.
/// A hang-up sent to a peer that has not would end whatever call *it* is in.
pub(super) fn peer_knows(pc: &RtcPeerConnection) -> bool {
    has_remote_description(pc) || !js(pc).local_description_plain().is_null()
}

/// Awaits one of the connection's operations, keeping what it threw whole.
pub(super) async fn done(promise: js_sys::Promise) -> Result<(), JsValue> {
    JsFuture::from(promise).await.map(drop)
}

/// Sends every track of the local stream. `addTrack` (rather than the tutorial's
/// `addTransceiver`) reuses the transceivers a remote offer created, so the callee's answer
/// already sends media and no second negotiation is needed. `transceiver` is kept where the
/// tutorial keeps it.
pub(super) fn add_tracks(pc: &RtcPeerConnection, stream: &MediaStream) -> Result<(), JsValue> {
    for track in stream.get_tracks() {
        if track.dyn_ref::<MediaStreamTrack>().is_none() {
            continue;
        }
        let sender = js(pc).add_track_plain(&track, stream)?;
        let transceiver = js(pc)
            .transceivers()
            .iter()
            .find(|t| js_sys::Object::is(&t.unchecked_ref::<Transceiver>().sender(), &sender));
        if let Some(t) = transceiver {
            globals::set(globals::TRANSCEIVER, &t);
        }
    }
    Ok(())
}

/// Stops every transceiver (what the tutorial's `closeVideoCall` does before `close()`).
pub(super) fn stop_transceivers(pc: &RtcPeerConnection) {
    for t in js(pc).transceivers().iter() {
        let _ = t.unchecked_ref::<Transceiver>().stop();
    }
}

/// The six handlers the tutorial's `createPeerConnection` sets as `on*` properties: all of them
/// are cleared (the tutorial's `closeVideoCall` misspelt two and left them attached, bug 2).
pub(super) fn clear_handler_properties(pc: &RtcPeerConnection) {
    for key in [
        "onicecandidate",
        "oniceconnectionstatechange",
        "onicegatheringstatechange",
        "onsignalingstatechange",
        "onnegotiationneeded",
        "ontrack",
    ] {
        let _ = Reflect::set(pc, &key.into(), &JsValue::NULL);
    }
}
