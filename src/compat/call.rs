//! The call: `invite`, `createPeerConnection`, the four call messages, `hangUpCall`,
//! `closeVideoCall`.

use alloc::borrow::ToOwned;
use alloc::string::String;
use alloc::vec::Vec;

use chat_core::call::{
    is_polite,
    SignalingState::{HaveLocalOffer, Stable},
};
use chat_core::protocol::IceCandidate;
use chat_core::rules::{defer_rollback, offer_collision, OfferCollision};
use chat_core::Message;
use js_sys::Reflect;
use wasm_bindgen::prelude::*;
use web_sys::{MediaStream, Node, RtcPeerConnection};

use super::events::{candidate_failed, flush, watch_flush, watch_remote};
use super::{call_page, decode, globals, log, log_error, notify, pc, registry, send, video};
use crate::config::Config;
use crate::live;
use crate::rtc;

/// The tutorial's handlers, by the event that calls them. Ours look the handler up on `window`
/// when the event fires (the tutorial's `createPeerConnection` stores the function itself), so
/// a handler swapped in during a call takes effect at once.
const HANDLERS: [(&str, &str); 6] = [
    ("icecandidate", "handleICECandidateEvent"),
    (
        "iceconnectionstatechange",
        "handleICEConnectionStateChangeEvent",
    ),
    (
        "icegatheringstatechange",
        "handleICEGatheringStateChangeEvent",
    ),
    ("signalingstatechange", "handleSignalingStateChangeEvent"),
    ("negotiationneeded", "handleNegotiationNeededEvent"),
    ("track", "handleTrackEvent"),
];

/// Creates `myPeerConnection` with the page's ICE configuration (the page contract's `ice` /
/// `turn` / JSON block; default the tutorial's TURN server on the page's host) and its handlers.
#[wasm_bindgen(js_name = createPeerConnection)]
pub fn create_peer_connection() -> Result<(), JsValue> {
    log("Setting up a connection...");
    let root = super::document()
        .and_then(|d| d.document_element())
        .ok_or_else(|| JsValue::from_str("no document"))?;
    let config = Config::read(&root, &JsValue::UNDEFINED);
    let pc = RtcPeerConnection::new_with_configuration(&config.ice.rtc_configuration())?;
    globals::set(globals::MY_PEER_CONNECTION, &pc);
    let handlers = HANDLERS
        .iter()
        .map(|&(event, handler)| {
            let target = pc.clone();
            live::listen(&pc, event, move |e| {
                if event == "track" {
                    if let Some(stream) = first_stream(e) {
                        watch_remote(&target, &stream);
                    }
                }
                call_page(handler, &[e]);
            })
        })
        .collect();
    registry::with(&pc, |s| s.handlers = handlers);
    watch_flush(&pc);
    Ok(())
}

fn first_stream(event: &JsValue) -> Option<MediaStream> {
    let streams = Reflect::get(event, &"streams".into()).ok()?;
    Reflect::get(&streams, &0.into()).ok()?.dyn_into().ok()
}

/// A click on a name in the user list: call that user.
#[wasm_bindgen]
pub async fn invite(#[wasm_bindgen(unchecked_param_type = "Event")] evt: JsValue) {
    log("Starting to prepare an invitation");
    if globals::peer().is_some() {
        return notify("You can't start a call because you already have one open!");
    }
    let clicked = Reflect::get(&evt, &"target".into())
        .ok()
        .and_then(|t| t.dyn_into::<Node>().ok())
        .and_then(|n| n.text_content())
        .map(|t| t.trim().to_owned())
        .unwrap_or_default();
    if clicked.is_empty() {
        return;
    }
    if globals::my_username().as_deref() == Some(clicked.as_str()) {
        return notify("I'm afraid I can't let you talk to yourself. That would be weird.");
    }
    globals::set_text(globals::TARGET_USERNAME, Some(&clicked));
    log(&["Inviting user ", &clicked].concat());
    if let Err(e) = globals::call("createPeerConnection", &[]) {
        super::report(&e);
        return call_page("closeVideoCall", &[]);
    }
    let Some(pc) = globals::peer() else {
        return log_error("createPeerConnection made no myPeerConnection");
    };
    if let Some(stream) = local_media(&pc).await {
        // The offer follows from `negotiationneeded`.
        start_sending(&pc, &stream);
    }
}

/// `getUserMedia` for a call on `pc`. A failure goes to the page's `handleGetUserMediaError`;
/// a stream that arrives after the call ended (hung up during the permission prompt) is
/// stopped at once, so the camera does not stay on for nothing.
async fn local_media(pc: &RtcPeerConnection) -> Option<MediaStream> {
    let constraints = globals::media_constraints();
    let result = crate::media::get_user_media_thrown(constraints.as_ref()).await;
    match result {
        Err(e) => {
            call_page("handleGetUserMediaError", &[&e]);
            None
        }
        Ok(stream) if !globals::is_current(pc) => {
            crate::media::stop(&stream);
            None
        }
        Ok(stream) => Some(stream),
    }
}

/// Shows the local stream and sends its tracks; `webcamStream` is where the tutorial keeps it.
fn start_sending(pc: &RtcPeerConnection, stream: &MediaStream) {
    globals::set(globals::WEBCAM_STREAM, stream);
    if let Some(v) = video("local_video") {
        v.set_src_object(Some(stream));
    }
    if let Err(e) = pc::add_tracks(pc, stream) {
        call_page("handleGetUserMediaError", &[&e]);
    }
}

/// An offer: a new call, or a renegotiation (or glare) of the current one.
///
/// Perfect negotiation instead of the tutorial's rollback (which deadlocked when both called
/// at once, bug 3): on a collision the impolite side ignores the offer and the polite side
/// applies it (the browser rolls its own offer back) and answers. Roles by the core's rule.
#[wasm_bindgen(js_name = handleVideoOfferMsg)]
pub async fn handle_video_offer_msg(
    #[wasm_bindgen(unchecked_param_type = "SignalingMessage")] msg: JsValue,
) {
    let Some(Message::VideoOffer { name, sdp, .. }) = decode(&msg) else {
        return;
    };
    let me = globals::my_username().unwrap_or_default();
    if name == me {
        return;
    }
    log(&["Received invitation from ", &name].concat());
    if let (Some(peer), Some(_)) = (globals::target(), globals::peer()) {
        if peer != name {
            // One call at a time: the tutorial took over the new caller and broke both calls.
            log(&["busy: refusing a call from ", &name].concat());
            return send(&hang_up(Some(name), Some("busy")));
        }
    }
    globals::set_text(globals::TARGET_USERNAME, Some(&name));
    if globals::peer().is_none() {
        if let Err(e) = globals::call("createPeerConnection", &[]) {
            globals::set_text(globals::TARGET_USERNAME, None);
            return super::report(&e);
        }
    }
    let Some(pc) = globals::peer() else { return };
    let state = crate::states::signaling(&pc::signaling_state(&pc)).unwrap_or(Stable);
    let polite = is_polite(&me, &name);
    let check = |making, answering| offer_collision(polite, making, state, answering);
    let collision = registry::with(&pc, |s| {
        let c = check(s.making_offer, s.answer_pending);
        s.ignore_offer = c == OfferCollision::Ignore;
        c
    });
    let collision = collision.unwrap_or_else(|| check(false, false));
    if collision == OfferCollision::Ignore {
        return log("  - Offer collision: ignoring it (we are the impolite peer)");
    }
    let making = registry::with(&pc, |s| s.making_offer).unwrap_or(false);
    let ours_out = making || state == HaveLocalOffer;
    if collision == OfferCollision::RollBack {
        log("  - Offer collision: rolling ours back (we are the polite peer)");
    }
    if defer_rollback(collision, ours_out, gathered(&pc), false) {
        // The core's rule (docs/glare.md): rolling back an offer whose gathering has surfaced
        // nothing yet leaves Chromium's gathering stuck for the whole call.
        log("  - Waiting for our first candidate before rolling back our offer");
        until_gathered(&pc).await;
        if !globals::is_current(&pc) {
            return;
        }
    }
    log("  - Setting remote description");
    if let Err(e) = pc::done(rtc::set_remote_description(&pc, &sdp)).await {
        return super::report(&e);
    }
    flush(&pc);
    if globals::webcam_stream().is_none() {
        let Some(stream) = local_media(&pc).await else {
            return;
        };
        start_sending(&pc, &stream);
    }
    // A newer offer (or a hang-up) may have come while the camera started.
    if !globals::is_current(&pc) || pc::signaling_state(&pc) != "have-remote-offer" {
        return;
    }
    log("---> Creating and sending answer to caller");
    if let Err(e) = pc::done(rtc::js(&pc).set_local_description_implicit()).await {
        return super::report(&e);
    }
    if let Some(sdp) = rtc::local_description(&pc) {
        send(&Message::VideoAnswer {
            name: me,
            target: name,
            sdp,
            call: None,
        });
    }
}

/// Whether `pc`'s gathering has surfaced a candidate (the local description carries each one,
/// https://w3c.github.io/webrtc-pc/#dom-peerconnection-localdescription) or has ended.
fn gathered(pc: &RtcPeerConnection) -> bool {
    pc::ice_gathering_state(pc) == "complete"
        || rtc::local_description(pc).is_some_and(|d| d.sdp.contains("a=candidate:"))
}

/// Waits until [`gathered`], a few seconds at most: an `icecandidate` or
/// `icegatheringstatechange` event, or a second passing (a closed connection fires no events),
/// whichever first, then looks again. The listeners and the timer go with each round.
async fn until_gathered(pc: &RtcPeerConnection) {
    for _ in 0..5 {
        if gathered(pc) || !globals::is_current(pc) {
            return;
        }
        let mut owned = (Vec::new(), None);
        let next = js_sys::Promise::new(&mut |resolve, _| {
            for event in ["icecandidate", "icegatheringstatechange"] {
                let resolve = resolve.clone();
                owned.0.push(live::listen(pc, event, move |_| {
                    let _ = resolve.call0(&JsValue::NULL);
                }));
            }
            owned.1 = Some(live::timeout(1000, move || {
                let _ = resolve.call0(&JsValue::NULL);
            }));
        });
        let _ = wasm_bindgen_futures::JsFuture::from(next).await;
    }
}

#[wasm_bindgen(js_name = handleVideoAnswerMsg)]
pub async fn handle_video_answer_msg(
    #[wasm_bindgen(unchecked_param_type = "SignalingMessage")] msg: JsValue,
) {
    let Some(Message::VideoAnswer { name, sdp, .. }) = decode(&msg) else {
        return;
    };
    log("*** Call recipient has accepted our call");
    let Some(pc) = globals::peer() else {
        return log(&["ignored an answer from ", &name, ": no call"].concat());
    };
    if globals::target().is_some_and(|peer| peer != name) {
        return log(&["ignored an answer from ", &name, ": not our peer"].concat());
    }
    registry::with(&pc, |s| s.answer_pending = true);
    let result = pc::done(rtc::set_remote_description(&pc, &sdp)).await;
    registry::with(&pc, |s| s.answer_pending = false);
    match result {
        Ok(()) => flush(&pc),
        Err(e) => super::report(&e),
    }
}

/// A remote candidate: applied now if the connection can take it, else kept until it can
/// (the tutorial lost it or threw, bug 6). Only from the current peer.
#[wasm_bindgen(js_name = handleNewICECandidateMsg)]
pub async fn handle_new_ice_candidate_msg(
    #[wasm_bindgen(unchecked_param_type = "SignalingMessage")] msg: JsValue,
) {
    let Some(Message::NewIceCandidate {
        name, candidate, ..
    }) = decode(&msg)
    else {
        return;
    };
    if let (Some(from), Some(peer)) = (&name, globals::target()) {
        if *from != peer {
            return log(&["ignored a candidate from ", from, ": not our peer"].concat());
        }
    }
    match globals::peer() {
        Some(pc) if pc::has_remote_description(&pc) => {
            flush(&pc);
            log(&["*** Adding received ICE candidate: ", &candidate.candidate].concat());
            add(&pc, &candidate).await;
        }
        pc => {
            if !registry::early(|b| b.push(name, None, candidate)) {
                log_error("too many early ICE candidates: dropped one");
            }
            if let Some(pc) = pc {
                watch_flush(&pc);
            }
        }
    }
}

async fn add(pc: &RtcPeerConnection, candidate: &IceCandidate) {
    if let Err(e) = pc::done(rtc::add_ice_candidate(pc, candidate)).await {
        candidate_failed(pc, &e);
    }
}

/// The peer hung up. Only the current peer can end the call: a hang-up from anyone else (the
/// sample's server broadcasts a tutorial client's untargeted one, bug 1) is ignored.
#[wasm_bindgen(js_name = handleHangUpMsg)]
pub fn handle_hang_up_msg(#[wasm_bindgen(unchecked_param_type = "SignalingMessage")] msg: JsValue) {
    let Some(Message::HangUp { name, reason, .. }) = decode(&msg) else {
        return;
    };
    let peer = globals::target();
    if let (Some(from), Some(peer)) = (&name, &peer) {
        if from != peer {
            return log(&["ignored a hang-up from ", from, ": the call is with ", peer].concat());
        }
    }
    log("*** Received hang up notification from other peer");
    // Only when there is a reason: the tutorial's page would `alert` a plain hang-up.
    if reason.is_some() {
        let who = name.or(peer).unwrap_or_else(|| "The other side".into());
        notify(&chat_core::rules::hang_up_notice(&who, reason.as_deref()));
    }
    call_page("closeVideoCall", &[]);
}

/// Hang Up: tells the peer first, with its name (the tutorial cleared the target before
/// sending, and the sample's server broadcast the hang-up to every call in the room, bug 1),
/// then closes.
#[wasm_bindgen(js_name = hangUpCall)]
pub fn hang_up_call() {
    super::events::end_telling_peer(None);
}

pub(super) fn hang_up(target: Option<String>, reason: Option<&str>) -> Message {
    Message::HangUp {
        name: globals::my_username(),
        target,
        call: None,
        reason: reason.map(str::to_owned),
    }
}

/// Ends the call on this side: every handler removed (ours, and all six `on*` properties a
/// JavaScript `createPeerConnection` set, bug 2), camera off, videos cleared, globals reset.
#[wasm_bindgen(js_name = closeVideoCall)]
pub fn close_video_call() {
    log("Closing the connection");
    registry::release();
    if let Some(pc) = globals::peer() {
        log("--> Closing the peer connection");
        pc::clear_handler_properties(&pc);
        pc::stop_transceivers(&pc);
        pc.close();
    }
    let local = video("local_video");
    let streams = [
        local.as_ref().and_then(|v| v.src_object()),
        globals::webcam_stream(),
    ];
    for stream in streams.into_iter().flatten() {
        if let Ok(stream) = stream.dyn_into::<MediaStream>() {
            crate::media::stop(&stream);
        }
    }
    for v in [local, video("received_video")].into_iter().flatten() {
        let _ = v.pause();
        v.set_src_object(None);
    }
    for global in [
        globals::MY_PEER_CONNECTION,
        globals::WEBCAM_STREAM,
        globals::TRANSCEIVER,
    ] {
        globals::set(global, &JsValue::NULL);
    }
    super::set_disabled("hangup-button", true);
    if let Some(peer) = globals::target() {
        registry::early(|b| b.forget(&peer));
    }
    globals::set_text(globals::TARGET_USERNAME, None);
}
