//! One call: media start, offer/answer with MDN's "perfect negotiation", candidates, ICE.
//!
//! Perfect negotiation
//! (https://developer.mozilla.org/en-US/docs/Web/API/WebRTC_API/Perfect_negotiation) is what
//! makes glare safe (PROTOCOL bug 3: when both users called each other, the tutorial's clients
//! both rolled back and deadlocked). Each side knows whether it is *polite*: on an offer
//! collision the impolite side ignores the incoming offer and the polite side rolls its own
//! back (implicitly, inside `setRemoteDescription`) and answers. Roles must differ, so they
//! come from the two user names, which the server keeps unique: **the side whose name sorts
//! greater (byte order) is polite**.
//!
//! ICE restart (docs/protocol.md, "ICE restart"): a call that had connected and then fails
//! (ICE `failed`, or `disconnected` past the grace period) is restarted, not ended: the
//! impolite side calls `restartIce()` ([`Action::RestartIce`]) at once, the polite side only in
//! an attempt where the peer sent no offer (see [`Call::attempt`]). Crossing restart offers are
//! an ordinary glare, which perfect negotiation settles.
//! An attempt needs signaling: while the peer cannot be reached (our socket down, or the peer
//! not in the user list) it waits, and the offer goes out once it can. Bounded by
//! [`ICE_RESTART_ATTEMPTS`] x [`ICE_RESTART_ATTEMPT_MS`].

use alloc::borrow::ToOwned;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use crate::call::{
    Action, CallId, CallPhase, EndReason, IceConnectionState, IceGatheringState, Input, PeerOp,
    SignalingState, Timer, CONNECT_TIMEOUT_MS, ICE_RESTART_ATTEMPTS, ICE_RESTART_ATTEMPT_MS,
    PEER_ABSENT_GRACE_MS, RING_TIMEOUT_MS, STATS_INTERVAL_MS,
};
use crate::protocol::digits::dec;
use crate::protocol::{IceCandidate, Message, SdpType, SessionDescription};
use crate::rules::{defer_rollback, offer_collision, GracePeriod, OfferCollision};
use crate::text::{Key, Text};
use crate::{quality, sas};

use super::candidates::MAX_PER_SENDER;

/// What the caller of a [`Call`] handler must do next.
#[derive(Debug)]
pub(super) enum Flow {
    Continue,
    End(Ending),
}

/// How a call ends.
#[derive(Debug)]
pub(super) struct Ending {
    /// Shown to the person.
    pub(super) notice: Option<Text>,
    /// Send the peer a `hang-up` (when it knows about the call), with `reason.wire()`.
    pub(super) tell_peer: bool,
    pub(super) reason: EndReason,
}

impl Ending {
    /// The person pressed Hang Up.
    pub(super) fn hang_up() -> Ending {
        Ending {
            notice: None,
            tell_peer: true,
            reason: EndReason::HungUp,
        }
    }

    /// The peer is gone or hung up: nobody to tell.
    pub(super) fn peer(reason: EndReason, text: Text) -> Ending {
        Ending {
            notice: Some(text),
            tell_peer: false,
            reason,
        }
    }

    /// The person hung up before the peer answered: the peer's ringing stops.
    pub(super) fn cancel() -> Ending {
        Ending {
            notice: None,
            tell_peer: true,
            reason: EndReason::Cancelled,
        }
    }

    /// Something failed on our side: show it and tell the peer why.
    fn failure(text: Text, reason: EndReason) -> Ending {
        Ending {
            notice: Some(text),
            tell_peer: true,
            reason,
        }
    }
}

#[derive(Debug, Clone)]
pub(super) struct Call {
    pub(super) id: CallId,
    /// Our name when the call started (the `name` of what we send).
    pub(super) me: String,
    pub(super) peer: String,
    pub(super) polite: bool,
    /// The token our messages carry: ours as caller, the caller's as callee.
    pub(super) token: String,
    /// Every token that belongs to this call: ours and those the peer used.
    pub(super) tokens: Vec<String>,
    /// The peer's offers/answers carry tokens, so its hang-ups must too.
    pub(super) peer_uses_tokens: bool,
    /// The latest token the peer used (see [`Call::hang_up_token`]).
    peer_token: Option<String>,
    pub(super) phase: CallPhase,
    pub(super) ice: Option<IceConnectionState>,
    pub(super) gathering: Option<IceGatheringState>,
    /// As the browser last reported it (`None` before the first report).
    pub(super) signaling: Option<SignalingState>,
    /// A remote offer waiting for our media (we are the callee, or glare while media started).
    pending_offer: Option<SessionDescription>,
    /// A colliding remote offer (we are polite) waiting for our own offer's first local
    /// candidate before it rolls that offer back (docs/glare.md: Chromium's ICE gathering
    /// stalls for good when a local offer is rolled back before it surfaced a candidate).
    deferred_offer: Option<SessionDescription>,
    media_ready: bool,
    /// The peer sent us an offer in this call: it knows about the call.
    offer_received: bool,
    /// We sent an offer: the peer knows about the call.
    offer_sent: bool,
    /// MDN's `makingOffer`: `setLocalDescription()` for an offer is under way.
    making_offer: bool,
    /// MDN's `ignoreOffer`: the last offer collided and we, impolite, ignored it.
    ignore_offer: bool,
    /// A remote offer is being applied and answered (`setRemoteDescription(offer)` issued,
    /// answer not yet set): a local offer finishing meanwhile was rolled back.
    applying_offer: bool,
    /// `setRemoteDescription` calls issued whose results have not come back, in order.
    srd_pending: Vec<SdpType>,
    /// Our offer is out and its answer has not been applied.
    awaiting_answer: bool,
    /// A remote description has been set: candidates can be added.
    remote_set: bool,
    /// Remote candidates waiting for the remote description, in arrival order.
    pending_candidates: Vec<IceCandidate>,
    /// ICE is `disconnected`, its grace timer running (cleared when it recovers).
    grace: GracePeriod,
    /// `ShowRemoteStream` was emitted (`track` fires once per track: PROTOCOL bug 7).
    remote_shown: bool,
    /// Local candidates gathered so far: none at the end of gathering means no path at all.
    local_candidates: u32,
    /// The last `icecandidateerror`, to say why a call could not connect.
    ice_error: Option<String>,
    /// The connect deadline ([`Timer::Connect`]) is running.
    connect_timer: bool,
    /// ICE connected at some point: [`Action::CallStarted`] went out.
    pub(super) started: bool,
    /// The peer answered our offer (or sent one): it no longer rings there.
    answered: bool,
    /// The SDPs of the `setRemoteDescription` calls in `srd_pending`, in the same order.
    srd_sdps: Vec<String>,
    /// The last offer or answer set on each side (the verification code's input).
    local_sdp: Option<String>,
    remote_sdp: Option<String>,
    /// The verification code's input last handed out for hashing ([`Action::HashSas`]).
    sas_input: Option<String>,
    /// A code is on the page.
    sas_shown: bool,
    /// The quality of this call, from its `getStats` samples.
    quality: quality::Monitor,
    /// The peer's switches as it last sent them (`peer-state`): muted, camera on.
    pub(super) peer_switches: (bool, bool),
    /// `CreatePeer` went out (as callee before our media: see [`Call::prepare`]).
    peer_ready: bool,
    /// The remote offer is set but our media is not ready: answer once it is.
    answer_waits_media: bool,
    /// The peer can be reached over signaling (our socket open and logged in, the peer in the
    /// user list): set by the client before every input of this call.
    pub(super) reachable: bool,
    /// ICE restart attempts made in the current restart (0: not restarting).
    restart_attempts: u32,
    /// A restart attempt waits until the peer can be reached ([`Call::signaling_back`]).
    restart_wanted: bool,
    /// Our last offer, kept until answered: re-sent if it was made while the peer could not
    /// be reached (the socket dropped it) or a restart attempt finds it unanswered.
    last_offer: Option<SessionDescription>,
    /// `last_offer` was made while the peer could not be reached.
    offer_unsent: bool,
    /// The peer sent an offer during the current restart attempt: it is restarting.
    peer_restarted: bool,
    /// The peer is missing from the user list; [`Timer::PeerAbsent`] is running.
    pub(super) peer_absent: bool,
}

impl Call {
    pub(super) fn new(id: CallId, me: String, peer: String, token: String) -> Call {
        Call {
            id,
            polite: crate::call::is_polite(&me, &peer),
            me,
            peer,
            tokens: vec![token.clone()],
            token,
            peer_uses_tokens: false,
            peer_token: None,
            phase: CallPhase::StartingMedia,
            ice: None,
            gathering: None,
            signaling: None,
            pending_offer: None,
            deferred_offer: None,
            media_ready: false,
            offer_received: false,
            offer_sent: false,
            making_offer: false,
            ignore_offer: false,
            applying_offer: false,
            srd_pending: Vec::new(),
            awaiting_answer: false,
            remote_set: false,
            pending_candidates: Vec::new(),
            grace: GracePeriod::default(),
            remote_shown: false,
            local_candidates: 0,
            ice_error: None,
            connect_timer: false,
            started: false,
            answered: false,
            srd_sdps: Vec::new(),
            local_sdp: None,
            remote_sdp: None,
            sas_input: None,
            sas_shown: false,
            quality: quality::Monitor::new(),
            peer_switches: (false, true),
            peer_ready: false,
            answer_waits_media: false,
            reachable: true,
            restart_attempts: 0,
            restart_wanted: false,
            last_offer: None,
            offer_unsent: false,
            peer_restarted: false,
            peer_absent: false,
        }
    }

    /// We called, our offer is out, and the peer has not answered (it may be ringing there).
    pub(super) fn calling(&self) -> bool {
        self.offer_sent && !self.offer_received && !self.answered
    }

    /// A peer connection was created for this call (so it used the ICE servers).
    pub(super) fn peer_created(&self) -> bool {
        self.peer_ready
    }

    /// As callee, before our camera: create the connection and apply the offer now, while it
    /// rings (or, with auto-accept, while the camera starts), so that `getUserMedia` and
    /// `setRemoteDescription` overlap (the bench's trace showed the offer waiting ≈ 30 ms for
    /// the camera) and accepting waits for nothing else. The answer waits for our tracks
    /// ([`Call::media_ready`]): without them it would offer to receive only.
    pub(super) fn prepare(&mut self, out: &mut Vec<Action>) {
        if let Some(offer) = self.pending_offer.take() {
            self.create_peer(out);
            self.set_remote(offer, out);
        }
    }

    fn create_peer(&mut self, out: &mut Vec<Action>) {
        if self.peer_ready {
            return;
        }
        self.peer_ready = true;
        // What a new RTCPeerConnection reports before any event.
        self.signaling = Some(SignalingState::Stable);
        self.ice = Some(IceConnectionState::New);
        self.gathering = Some(IceGatheringState::New);
        out.push(Action::CreatePeer {
            call: self.id,
            polite: self.polite,
        });
    }

    /// Our camera and microphone are up for this call (`MediaReady`).
    pub(super) fn has_media(&self) -> bool {
        self.media_ready
    }

    /// A quality level is on the page.
    pub(super) fn quality_shown(&self) -> bool {
        self.quality.level().is_some()
    }

    /// A verification code is on the page.
    pub(super) fn sas_shown(&self) -> bool {
        self.sas_shown
    }

    /// Whether the peer has heard of this call (so a hang-up is worth sending). Sending one to
    /// a peer that has not would make a sample client drop whatever call it is in.
    pub(super) fn peer_knows(&self) -> bool {
        self.offer_sent || self.offer_received
    }

    /// Whether a message carrying `token` may be from this call's peer: a token must be one
    /// of this call's; no token is only accepted from a peer that never used one (the sample's
    /// clients).
    pub(super) fn owns(&self, token: Option<&str>) -> bool {
        match token {
            Some(t) => self.tokens.iter().any(|own| own == t),
            None => !self.peer_uses_tokens,
        }
    }

    /// The token for our hang-up: one the peer has seen. If our offer never left (we ignored
    /// the peer's colliding offer while ours was being made), that is the peer's own.
    pub(super) fn hang_up_token(&self) -> &str {
        match &self.peer_token {
            Some(theirs) if !self.offer_sent => theirs,
            _ => &self.token,
        }
    }

    /// The peer used `token` in an offer or answer of this call.
    fn note_peer_token(&mut self, token: Option<String>) {
        if let Some(t) = token {
            if !self.tokens.contains(&t) {
                self.tokens.push(t.clone());
            }
            self.peer_uses_tokens = true;
            self.peer_token = Some(t);
        }
    }

    /// Keeps a remote offer until our media is ready.
    pub(super) fn receive_offer(&mut self, offer: SessionDescription) {
        self.pending_offer = Some(offer);
        self.offer_received = true;
    }

    pub(super) fn handle(&mut self, input: Input, out: &mut Vec<Action>) -> Flow {
        match input {
            Input::MediaReady { .. } => self.media_ready(out),
            Input::MediaFailed { error, .. } => {
                return Flow::End(Ending::failure(error.text(), EndReason::Media))
            }
            Input::NegotiationNeeded { .. } => self.negotiation_needed(out),
            Input::LocalDescriptionSet { desc, .. } => self.local_description_set(desc, out),
            Input::RemoteDescriptionSet { .. } => self.remote_description_set(out),
            Input::PeerOpFailed { op, message, .. } => {
                return self.peer_op_failed(op, message, out)
            }
            Input::LocalCandidate { candidate, .. } => self.local_candidate(candidate, out),
            Input::IceConnectionState { state, .. } => return self.ice_state(state, out),
            Input::IceGatheringState { state, .. } => {
                self.gathering = Some(state);
                if state == IceGatheringState::Complete {
                    self.apply_deferred_offer(out);
                }
                if state == IceGatheringState::Complete && self.local_candidates == 0 {
                    // Nothing to offer the peer (e.g. relay-only with a TURN server that
                    // refused us): ICE would stay `new` for ever, never `failed`.
                    return Flow::End(self.cannot_connect());
                }
            }
            Input::IceCandidateError {
                url, code, text, ..
            } => {
                let why = [url.as_str(), ": ", &dec(code.into()), " ", text.as_str()].concat();
                out.push(log(["ICE candidate error: ", &why].concat()));
                self.ice_error = Some(why);
            }
            Input::SignalingState { state, .. } => {
                self.signaling = Some(state);
                if state == SignalingState::Closed {
                    let text = Text::peer(Key::CallClosed, &self.peer);
                    return Flow::End(Ending::failure(text, EndReason::Error));
                }
            }
            // `track` fires once per track (PROTOCOL bug 7): show the stream once.
            Input::RemoteTrack { .. } if !self.remote_shown => {
                self.remote_shown = true;
                out.push(Action::ShowRemoteStream { call: self.id });
            }
            Input::RemoteTracksEnded { .. } => {
                let text = Text::peer(Key::PeerTracksEnded, &self.peer);
                return Flow::End(Ending::failure(text, EndReason::Error));
            }
            Input::TimerFired {
                timer: Timer::Stats(_),
            } => {
                out.push(Action::SampleStats { call: self.id });
                out.push(Action::StartTimer {
                    timer: Timer::Stats(self.id),
                    ms: STATS_INTERVAL_MS,
                });
            }
            Input::StatsSample { sample, .. } => self.stats_sample(sample, out),
            // Only the digest of the current input: one of descriptions since replaced is late.
            Input::SasDigest { input, digest, .. } if self.sas_input.as_ref() == Some(&input) => {
                if let Some(code) = sas::code(&digest) {
                    self.sas_shown = true;
                    out.push(Action::ShowSas { code: Some(code) });
                }
            }
            Input::TimerFired {
                timer: Timer::Connect(_),
            } => {
                if self.ice_connected_once() {
                    return Flow::Continue;
                }
                return Flow::End(self.cannot_connect());
            }
            Input::TimerFired {
                timer: Timer::Answer(_),
            } if self.calling() => {
                let text = Text::peer(Key::PeerNoAnswer, &self.peer);
                return Flow::End(Ending::failure(text, EndReason::Timeout));
            }
            // Answered in time.
            Input::TimerFired {
                timer: Timer::Answer(_),
            } => {}
            Input::TimerFired {
                timer: Timer::IceRestart(_),
            } => return self.restart_attempt_over(out),
            Input::TimerFired {
                timer: Timer::PeerAbsent(_),
            } if self.peer_absent => {
                let notice = Text::peer(Key::PeerLeft, &self.peer);
                return Flow::End(Ending::peer(EndReason::PeerLeft, notice));
            }
            Input::TimerFired {
                timer: Timer::PeerAbsent(_),
            } => {}
            Input::TimerFired { .. } => return self.grace_over(out),
            _ => {}
        }
        Flow::Continue
    }

    fn media_ready(&mut self, out: &mut Vec<Action>) {
        if self.media_ready {
            return;
        }
        self.media_ready = true;
        self.phase = CallPhase::Connecting;
        self.create_peer(out);
        if let Some(offer) = self.pending_offer.take() {
            // Callee (as the tutorial): remote offer first, then our tracks, which then reuse
            // the transceivers the offer created; the answer follows when the offer is set.
            self.set_remote(offer, out);
        }
        // Caller: adding the tracks makes the browser fire `negotiationneeded`. Callee whose
        // offer is still being applied: tracks added before it is are matched to its m-lines
        // all the same (JSEP §5.10, transceivers created by addTrack and not yet associated).
        out.push(Action::AddLocalTracks { call: self.id });
        if core::mem::take(&mut self.answer_waits_media) {
            out.push(Action::SetLocalDescription { call: self.id });
        }
    }

    fn set_remote(&mut self, desc: SessionDescription, out: &mut Vec<Action>) {
        match desc.kind {
            SdpType::Offer => {
                self.applying_offer = true;
                // An offer of ours still out is rolled back by this one.
                self.awaiting_answer = false;
            }
            SdpType::Answer | SdpType::Pranswer => self.awaiting_answer = false,
            SdpType::Rollback => {}
        }
        self.srd_pending.push(desc.kind);
        self.srd_sdps.push(desc.sdp.clone());
        out.push(Action::SetRemoteDescription {
            call: self.id,
            desc,
        });
    }

    fn signaling_view(&self) -> SignalingState {
        // A new RTCPeerConnection is stable before it reports anything.
        self.signaling.unwrap_or(SignalingState::Stable)
    }

    /// The peer sent an offer (a first offer, a glare offer, or a renegotiation).
    pub(super) fn on_peer_offer(
        &mut self,
        offer: SessionDescription,
        token: Option<String>,
        out: &mut Vec<Action>,
    ) {
        if self.peer_uses_tokens && !self.owns(token.as_deref()) {
            out.push(log([
                "ignored an offer from ",
                &self.peer,
                " for another call",
            ]
            .concat()));
            return;
        }
        self.offer_received = true;
        self.peer_restarted = self.restart_attempts > 0;
        if !self.media_ready {
            // Still waiting for our camera: no offer of ours exists yet, so there is no real
            // collision. We simply become the callee of the peer's offer, with its token.
            self.note_peer_token(token.clone());
            if let Some(t) = token {
                self.token = t;
            }
            self.pending_offer = Some(offer);
            // An earlier offer (applied while it rang) is not to be answered: this one is.
            self.answer_waits_media = false;
            out.push(log([
                "answering ",
                &self.peer,
                "'s offer once media is ready",
            ]
            .concat()));
            return;
        }
        let answer_pending = self.srd_pending.contains(&SdpType::Answer);
        let collision = offer_collision(
            self.polite,
            self.making_offer,
            self.signaling_view(),
            answer_pending,
        );
        self.ignore_offer = collision == OfferCollision::Ignore;
        self.note_peer_token(token.clone());
        if self.ignore_offer {
            out.push(log([
                "offer collision: ignoring ",
                &self.peer,
                "'s offer (we are impolite)",
            ]
            .concat()));
            return;
        }
        if collision == OfferCollision::RollBack {
            out.push(log([
                "offer collision: rolling back ours for ",
                &self.peer,
                "'s (we are polite)",
            ]
            .concat()));
        }
        if let Some(t) = token {
            self.token = t;
        }
        // Our own offer is being made or is out, and its ICE gathering has not surfaced a
        // candidate yet: rolling it back now would leave Chromium's gathering stuck for the
        // whole call (no candidates, ICE `new` on both sides; docs/glare.md). Roll back once
        // the first candidate (or the end of gathering) is in.
        let ours_out = self.making_offer || self.awaiting_answer;
        if defer_rollback(
            collision,
            ours_out,
            self.local_candidates > 0,
            self.gathering == Some(IceGatheringState::Complete),
        ) {
            self.applying_offer = true;
            self.awaiting_answer = false;
            self.deferred_offer = Some(offer);
            out.push(log(
                "waiting for our first candidate before rolling back our offer".to_owned(),
            ));
            return;
        }
        self.set_remote(offer, out);
    }

    /// Applies a colliding offer held back by [`Call::on_peer_offer`], if any.
    fn apply_deferred_offer(&mut self, out: &mut Vec<Action>) {
        if let Some(offer) = self.deferred_offer.take() {
            self.set_remote(offer, out);
        }
    }

    /// The peer answered (the caller checked it is the peer's, for this call).
    pub(super) fn on_peer_answer(
        &mut self,
        answer: SessionDescription,
        token: Option<String>,
        out: &mut Vec<Action>,
    ) {
        if !self.awaiting_answer || answer.kind != SdpType::Answer {
            out.push(log(
                ["ignored an unexpected answer from ", &self.peer].concat()
            ));
            return;
        }
        self.note_peer_token(token);
        self.answered = true;
        self.set_remote(answer, out);
    }

    /// A candidate from the peer: added once the remote description is set, kept until then.
    pub(super) fn on_remote_candidate(&mut self, candidate: IceCandidate, out: &mut Vec<Action>) {
        if self.remote_set {
            out.push(Action::AddIceCandidate {
                call: self.id,
                candidate,
            });
        } else if self.pending_candidates.len() < MAX_PER_SENDER {
            self.pending_candidates.push(candidate);
        } else {
            out.push(log("too many early candidates: dropped one".to_owned()));
        }
    }

    fn negotiation_needed(&mut self, out: &mut Vec<Action>) {
        // Only for our own tracks, from a stable state, and not while answering an offer.
        if !self.media_ready
            || self.making_offer
            || self.applying_offer
            || self.signaling_view() != SignalingState::Stable
        {
            out.push(log("ignored negotiationneeded (not stable)".to_owned()));
            return;
        }
        self.making_offer = true;
        out.push(Action::SetLocalDescription { call: self.id });
    }

    fn local_description_set(&mut self, desc: SessionDescription, out: &mut Vec<Action>) {
        if matches!(desc.kind, SdpType::Offer | SdpType::Answer) {
            self.local_sdp = Some(desc.sdp.clone());
            self.update_sas(out);
        }
        let (name, target) = (self.me.clone(), self.peer.clone());
        let call = Some(self.token.clone());
        match desc.kind {
            SdpType::Offer => {
                self.making_offer = false;
                if self.applying_offer {
                    // The peer's offer, applied after this one, rolled it back.
                    out.push(log("our offer was rolled back: not sending it".to_owned()));
                    return;
                }
                if !self.offer_sent && !self.offer_received {
                    // Our first offer rings at the peer's: wait so long for an answer.
                    out.push(Action::StartTimer {
                        timer: Timer::Answer(self.id),
                        ms: RING_TIMEOUT_MS,
                    });
                }
                self.offer_sent = true;
                self.awaiting_answer = true;
                // The client drops a message for a socket that is down: keep the offer to
                // send it once the peer can be reached again.
                self.offer_unsent = !self.reachable;
                self.last_offer = Some(desc.clone());
                out.push(Action::Send(Message::VideoOffer {
                    name,
                    target,
                    sdp: desc,
                    call,
                }));
            }
            SdpType::Answer => {
                self.applying_offer = false;
                out.push(Action::Send(Message::VideoAnswer {
                    name,
                    target,
                    sdp: desc,
                    call,
                }));
                self.start_connect_timer(out);
            }
            SdpType::Pranswer | SdpType::Rollback => {
                out.push(log(["local description ", desc.kind.as_str()].concat()));
            }
        }
    }

    fn remote_description_set(&mut self, out: &mut Vec<Action>) {
        let kind = (!self.srd_pending.is_empty()).then(|| self.srd_pending.remove(0));
        let sdp = (!self.srd_sdps.is_empty()).then(|| self.srd_sdps.remove(0));
        self.remote_set = true;
        if let (Some(SdpType::Offer | SdpType::Answer), Some(sdp)) = (kind, sdp) {
            self.remote_sdp = Some(sdp);
            self.update_sas(out);
        }
        if kind == Some(SdpType::Answer) {
            self.start_connect_timer(out);
        }
        for candidate in core::mem::take(&mut self.pending_candidates) {
            out.push(Action::AddIceCandidate {
                call: self.id,
                candidate,
            });
        }
        // Answer the offer, unless a newer offer is being applied or waits to be (its answer
        // will do).
        if kind == Some(SdpType::Offer)
            && !self.srd_pending.contains(&SdpType::Offer)
            && self.pending_offer.is_none()
        {
            if self.media_ready {
                out.push(Action::SetLocalDescription { call: self.id });
            } else {
                self.answer_waits_media = true;
            }
        }
    }

    fn peer_op_failed(&mut self, op: PeerOp, message: String, out: &mut Vec<Action>) -> Flow {
        match op {
            // A bad or late candidate is never worth a call (MDN logs and goes on).
            PeerOp::AddIceCandidate => {
                out.push(log(["addIceCandidate failed: ", &message].concat()));
                return Flow::Continue;
            }
            PeerOp::SetRemoteDescription => {
                if !self.srd_pending.is_empty() {
                    self.srd_pending.remove(0);
                }
                if !self.srd_sdps.is_empty() {
                    self.srd_sdps.remove(0);
                }
                if self.ignore_offer {
                    out.push(log(["setRemoteDescription failed: ", &message].concat()));
                    return Flow::Continue;
                }
            }
            PeerOp::SetLocalDescription => self.making_offer = false,
            PeerOp::CreatePeer | PeerOp::AddLocalTracks => {}
        }
        let what = op.as_str();
        let text = Text::peer(Key::CallOpFailed, &self.peer)
            .with("what", what)
            .with("message", &message);
        Flow::End(Ending::failure(text, EndReason::Error))
    }

    fn local_candidate(&mut self, candidate: Option<IceCandidate>, out: &mut Vec<Action>) {
        if candidate.is_some() {
            self.local_candidates += 1;
        }
        match candidate {
            Some(candidate) => out.push(Action::Send(Message::NewIceCandidate {
                name: Some(self.me.clone()),
                target: self.peer.clone(),
                candidate,
                call: Some(self.token.clone()),
            })),
            None => out.push(log("all local candidates sent".to_owned())),
        }
        self.apply_deferred_offer(out);
    }

    fn ice_state(&mut self, state: IceConnectionState, out: &mut Vec<Action>) -> Flow {
        self.ice = Some(state);
        // `disconnected` often recovers by itself (docs/protocol.md, bug 4: the tutorial hung
        // up at once). While an ICE restart runs, its attempt's timer decides instead.
        let grace = self.grace.ice_state(state);
        if let Some(ms) = grace.filter(|_| self.restart_attempts == 0) {
            self.phase = CallPhase::Reconnecting;
            out.push(Action::StartTimer {
                timer: Timer::IceDisconnected(self.id),
                ms,
            });
        }
        match state {
            IceConnectionState::Connected | IceConnectionState::Completed => {
                self.phase = CallPhase::Connected;
                if core::mem::take(&mut self.restart_attempts) > 0 {
                    // The attempt's timer may still fire: with no restart running it is ignored.
                    self.restart_wanted = false;
                    self.peer_restarted = false;
                    out.push(log(["ICE restart with ", &self.peer, " succeeded"].concat()));
                }
                if !self.started {
                    self.started = true;
                    out.push(Action::CallStarted {
                        call: self.id,
                        peer: self.peer.clone(),
                    });
                    // Quality sampling runs from now until the call ends (`ClosePeer` clears
                    // the call's timers).
                    out.push(Action::StartTimer {
                        timer: Timer::Stats(self.id),
                        ms: STATS_INTERVAL_MS,
                    });
                }
            }
            IceConnectionState::Disconnected => {}
            // A call that had connected is restarted; one that never did has no path to restore
            // (its connect deadline and the gathering check say why).
            IceConnectionState::Failed if self.started => return self.begin_restart(out),
            IceConnectionState::Failed | IceConnectionState::Closed => {
                let text = Text::peer(Key::ConnectionFailed, &self.peer);
                return Flow::End(Ending::failure(text, EndReason::Failed));
            }
            IceConnectionState::New | IceConnectionState::Checking => {}
        }
        Flow::Continue
    }

    /// The language changed: what the call shows in words (the quality level, the peer's
    /// switches, the verification code, hashed again) goes out again for the view to reword.
    /// The figures need nothing: they come every second.
    pub(super) fn reshow(&self, out: &mut Vec<Action>) {
        if let Some(level) = self.quality.level() {
            out.push(Action::ShowQuality { level: Some(level) });
        }
        let (muted, camera) = self.peer_switches;
        if muted || !camera {
            out.push(Action::ShowPeerState { muted, camera });
        }
        if let (true, Some(input)) = (self.sas_shown, &self.sas_input) {
            out.push(Action::HashSas {
                call: self.id,
                input: input.clone(),
            });
        }
    }

    /// Both descriptions are known: hand out the verification code's input for hashing when
    /// it differs from the last one (a renegotiation that changes a fingerprint changes the
    /// code; one that does not, does not recompute it).
    fn update_sas(&mut self, out: &mut Vec<Action>) {
        let (Some(local), Some(remote)) = (&self.local_sdp, &self.remote_sdp) else {
            return;
        };
        let input = sas::hash_input(local, remote);
        if input == self.sas_input {
            return;
        }
        self.sas_input = input.clone();
        match input {
            Some(input) => out.push(Action::HashSas {
                call: self.id,
                input,
            }),
            // No fingerprint on one side any more: the code shown no longer applies.
            None if self.sas_shown => {
                self.sas_shown = false;
                out.push(Action::ShowSas { code: None });
            }
            None => {}
        }
    }

    /// One `getStats` sample: the level when it changes, the figures, and a new send step.
    fn stats_sample(&mut self, sample: quality::Sample, out: &mut Vec<Action>) {
        let Some(report) = self.quality.sample(sample) else {
            return;
        };
        if report.level_changed {
            out.push(Action::ShowQuality {
                level: Some(report.level),
            });
        }
        out.push(Action::ShowStats {
            figures: Some(report.figures),
        });
        if let Some(step) = report.send {
            out.push(Action::SetSendStep {
                call: self.id,
                step,
            });
        }
    }

    /// Offer and answer are both applied: from now on ICE has [`CONNECT_TIMEOUT_MS`].
    fn start_connect_timer(&mut self, out: &mut Vec<Action>) {
        if !self.connect_timer {
            self.connect_timer = true;
            out.push(Action::StartTimer {
                timer: Timer::Connect(self.id),
                ms: CONNECT_TIMEOUT_MS,
            });
        }
    }

    /// ICE reached `connected` at some point in this call (a later `disconnected` has its own
    /// grace period).
    fn ice_connected_once(&self) -> bool {
        matches!(self.phase, CallPhase::Connected | CallPhase::Reconnecting)
    }

    /// The call can never connect: say so, with the ICE server's complaint when there is one.
    fn cannot_connect(&self) -> Ending {
        let text = match &self.ice_error {
            Some(why) => Text::peer(Key::IceServerFailed, &self.peer).with("why", why.as_str()),
            None => Text::peer(Key::NoNetworkPath, &self.peer),
        };
        Ending::failure(text, EndReason::Failed)
    }

    /// The grace timer fired: restart ICE if it has not recovered since.
    fn grace_over(&mut self, out: &mut Vec<Action>) -> Flow {
        if !self.grace.over() {
            return Flow::Continue;
        }
        self.begin_restart(out)
    }

    /// ICE failed, or stayed disconnected past the grace period: the first restart attempt.
    fn begin_restart(&mut self, out: &mut Vec<Action>) -> Flow {
        if self.restart_attempts > 0 {
            return Flow::Continue;
        }
        self.phase = CallPhase::Reconnecting;
        self.restart_attempts = 1;
        self.peer_restarted = false;
        self.attempt(out);
        Flow::Continue
    }

    /// One restart attempt: its timer, and the restart itself once the peer can be reached.
    /// Whose turn it is: the impolite side restarts at once; the polite side leaves the first
    /// attempt to it, and any attempt in which the peer's offer came, and restarts only when
    /// the peer did not (it may not have noticed the failure). Two restart offers crossing
    /// would be settled by perfect negotiation, but a rolled-back restart offer left Chrome's
    /// media stalled in one direction in our end-to-end test, so glare is avoided here.
    fn attempt(&mut self, out: &mut Vec<Action>) {
        let attempt = dec(self.restart_attempts.into());
        let of = dec(ICE_RESTART_ATTEMPTS.into());
        let text = [
            "ICE restart with ",
            &self.peer,
            ": attempt ",
            &attempt,
            " of ",
            &of,
        ];
        out.push(log(text.concat()));
        out.push(Action::StartTimer {
            timer: Timer::IceRestart(self.id),
            ms: ICE_RESTART_ATTEMPT_MS,
        });
        let peer_drives = core::mem::take(&mut self.peer_restarted);
        if self.polite && (self.restart_attempts == 1 || peer_drives) {
            out.push(log([
                "ICE restart: ",
                &self.peer,
                "'s turn (the impolite side)",
            ]
            .concat()));
            return;
        }
        self.restart_now(out);
    }

    fn restart_now(&mut self, out: &mut Vec<Action>) {
        if !self.reachable {
            self.restart_wanted = true;
            out.push(log("ICE restart waits for signaling".to_owned()));
            return;
        }
        self.restart_wanted = false;
        match &self.last_offer {
            // An offer of ours is still unanswered (lost with a relay that went away, or made
            // while signaling was down): a restart offer could not be made before it is
            // answered (`negotiationneeded` waits for `stable`), so send it again.
            Some(offer) if self.awaiting_answer => {
                let offer = offer.clone();
                self.send_offer(offer, out);
            }
            _ => out.push(Action::RestartIce { call: self.id }),
        }
    }

    /// An attempt's time is over: the next attempt, or the end of the call.
    fn restart_attempt_over(&mut self, out: &mut Vec<Action>) -> Flow {
        if self.restart_attempts == 0 {
            return Flow::Continue;
        }
        if self.restart_attempts >= ICE_RESTART_ATTEMPTS {
            let secs = ICE_RESTART_ATTEMPTS * ICE_RESTART_ATTEMPT_MS / 1000;
            let text = Text::peer(Key::ConnectionLost, &self.peer)
                .with("n", &dec(ICE_RESTART_ATTEMPTS.into()))
                .with("secs", &dec(secs.into()));
            return Flow::End(Ending::failure(text, EndReason::Lost));
        }
        self.restart_attempts += 1;
        self.attempt(out);
        Flow::Continue
    }

    /// The peer can be reached again (we logged in again and it is in the user list): what
    /// waited for signaling goes out.
    pub(super) fn signaling_back(&mut self, out: &mut Vec<Action>) {
        self.reachable = true;
        match &self.last_offer {
            Some(offer) if self.offer_unsent && self.awaiting_answer => {
                let offer = offer.clone();
                self.send_offer(offer, out);
                self.restart_wanted = false;
            }
            _ if self.restart_wanted => self.restart_now(out),
            _ => {}
        }
    }

    fn send_offer(&mut self, sdp: SessionDescription, out: &mut Vec<Action>) {
        self.offer_unsent = false;
        out.push(log(["sending our offer to ", &self.peer, " again"].concat()));
        out.push(Action::Send(Message::VideoOffer {
            name: self.me.clone(),
            target: self.peer.clone(),
            sdp,
            call: Some(self.token.clone()),
        }));
    }

    /// The peer is missing from the user list we got after logging in again: wait for it
    /// ([`PEER_ABSENT_GRACE_MS`]).
    pub(super) fn peer_missing(&mut self, out: &mut Vec<Action>) {
        if !self.peer_absent {
            self.peer_absent = true;
            let text = [
                &self.peer,
                " is not in the user list; waiting for it to log in again",
            ];
            out.push(log(text.concat()));
            out.push(Action::StartTimer {
                timer: Timer::PeerAbsent(self.id),
                ms: PEER_ABSENT_GRACE_MS,
            });
        }
    }
}

fn log(text: String) -> Action {
    Action::Log { text }
}
