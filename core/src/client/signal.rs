//! Routing of the four call messages (`video-offer`, `video-answer`, `new-ice-candidate`,
//! `hang-up`): is it for us, from whom, for which call? The call itself decides what to do
//! with the ones that are its own (`call.rs`).
//!
//! The sample's server routes by `target` but trusts the `name` a client writes and broadcasts
//! a `hang-up` with no target (docs/protocol.md), so every message here may be for another call,
//! from another user, or late.

use alloc::borrow::ToOwned;
use alloc::string::String;

use crate::call::{Action, CallId, EndReason, Timer, RING_TIMEOUT_MS};
use crate::protocol::digits::dec;
use crate::protocol::{IceCandidate, Message, SdpType, SessionDescription};
use crate::text::{Key, Text};

use super::call::{Call, Ending};
use super::{Client, Ringing};

impl Client {
    fn is_me(&self, target: Option<&str>) -> bool {
        target.is_some() && self.name.as_deref() == target
    }

    /// A token of a call that already ended: the message is late.
    fn is_ended(&self, token: Option<&str>) -> bool {
        token.is_some_and(|t| self.ended_tokens.iter().any(|e| e == t))
    }

    pub(super) fn on_offer(
        &mut self,
        from: String,
        target: String,
        sdp: SessionDescription,
        token: Option<String>,
    ) {
        if !self.is_me(Some(&target)) || from == target {
            return self.log(["ignored an offer from ", &from, " to ", &target].concat());
        }
        if self.is_ended(token.as_deref()) {
            return self.log(["ignored an offer from ", &from, " for an ended call"].concat());
        }
        if sdp.kind != SdpType::Offer {
            return self.log(["ignored a video-offer of type ", sdp.kind.as_str()].concat());
        }
        let Some(call) = self.call.as_mut() else {
            return self.incoming_call(from, sdp, token);
        };
        if call.peer != from {
            // One call at a time: refuse politely, with the caller's own token so that its
            // client can tell this refusal from a spoof. Our own call is untouched.
            let me = call.me.clone();
            self.log(["busy: refusing a call from ", &from].concat());
            return self.send(Message::HangUp {
                name: Some(me),
                target: Some(from),
                call: token,
                reason: Some("busy".to_owned()),
            });
        }
        call.on_peer_offer(sdp, token, &mut self.out);
    }

    /// An offer while idle: we become the callee and accept it at once, as the tutorial does
    /// (or let it ring, with auto-accept off).
    fn incoming_call(&mut self, from: String, offer: SessionDescription, token: Option<String>) {
        if !self.auto_accept {
            return self.ring(from, offer, token);
        }
        let id = self.next_call_id();
        if let Some(call) = self.callee_call(id, from, offer, token.clone()) {
            self.answer_call(call, token);
        }
    }

    /// The callee's side of `from`'s call `id`, its offer kept until [`Call::prepare`].
    fn callee_call(
        &mut self,
        id: CallId,
        from: String,
        offer: SessionDescription,
        token: Option<String>,
    ) -> Option<Call> {
        let me = self.name.clone()?;
        let uses_tokens = token.is_some();
        let token = token.unwrap_or_else(|| self.tokens.next_token());
        let mut call = Call::new(id, me, from, token);
        call.peer_uses_tokens = uses_tokens;
        call.receive_offer(offer);
        Some(call)
    }

    /// Becomes the callee of the call (the caller's early candidates, sent with `token`, come
    /// along).
    ///
    /// The camera is asked for first, the candidates applied after: a call that rang has its
    /// offer applied already, so each candidate is an `addIceCandidate` at once, and the
    /// bench's trace showed the eight of them holding `getUserMedia` back by 3–18 ms after
    /// the Accept click. ICE needs our answer before it checks anything, and the answer waits
    /// for the camera, so the candidates lose nothing by coming second.
    fn answer_call(&mut self, call: Call, token: Option<String>) {
        let early = self.early.take(Some(&call.peer), token.as_deref());
        // The rest were for another call, whatever it was.
        self.early.clear();
        let text = [
            "incoming call from ",
            &call.peer,
            " (call ",
            &dec(call.id.into()),
            ")",
        ];
        self.log(text.concat());
        self.start_call(call);
        if let Some(call) = self.call.as_mut() {
            for candidate in early {
                call.on_remote_candidate(candidate, &mut self.out);
            }
        }
    }

    pub(super) fn on_answer(
        &mut self,
        from: String,
        target: String,
        sdp: SessionDescription,
        token: Option<String>,
    ) {
        let me = self.is_me(Some(&target));
        if me && self.is_ended(token.as_deref()) {
            // An answer for a call we ended: our hang-up crossed the offer it answers (or was
            // never sent because the peer had not heard of the call when we hung up). Tell the
            // peer again, or it would sit in a call with nobody.
            self.log([&from, " answered an ended call: hanging up again"].concat());
            return self.send(Message::HangUp {
                name: self.name.clone(),
                target: Some(from),
                call: token,
                reason: None,
            });
        }
        match self.call.as_mut() {
            Some(call) if me && call.peer == from && call.owns(token.as_deref()) => {
                call.on_peer_answer(sdp, token, &mut self.out);
            }
            _ => self.log(["ignored an answer from ", &from, " to ", &target].concat()),
        }
    }

    pub(super) fn on_candidate(
        &mut self,
        from: Option<String>,
        target: String,
        candidate: IceCandidate,
        token: Option<String>,
    ) {
        if !self.is_me(Some(&target)) || self.is_ended(token.as_deref()) {
            return;
        }
        match self.call.as_mut() {
            // The sample's clients send candidates without a `name`: take those as the peer's.
            // The token too: on a naive server anyone can write the peer's name, and a
            // spoofer's candidates would make our ICE agent probe any address it names.
            Some(call)
                if from.as_deref().is_none_or(|f| f == call.peer)
                    && call.owns(token.as_deref()) =>
            {
                call.on_remote_candidate(candidate, &mut self.out);
            }
            Some(_) => self.log("ignored a candidate from someone else".to_owned()),
            None => {
                if !self.early.push(from, token, candidate) {
                    self.log("too many early candidates: dropped one".to_owned());
                }
            }
        }
    }

    pub(super) fn on_hang_up(
        &mut self,
        from: Option<String>,
        target: Option<String>,
        token: Option<String>,
        reason: Option<String>,
    ) {
        // The sample's clients send `target: null` (its bug 1): absent counts as us.
        let for_us = target.is_none() || self.is_me(target.as_deref());
        let Some(call) = &self.call else {
            // The caller gave up while its call rang (or its own wait timed out): missed.
            let ringing = self.ringing.as_ref();
            if for_us && ringing.is_some_and(|r| Some(&r.from) == from.as_ref() && r.owns(&token)) {
                let notice = Text::peer(Key::MissedCall, &from.unwrap_or_default());
                let why = match reason.as_deref() {
                    Some("timeout") => EndReason::Timeout,
                    _ => EndReason::Missed,
                };
                self.stop_ringing(why, Some(notice));
            }
            return;
        };
        if from.as_deref() != Some(call.peer.as_str()) || !for_us || !call.owns(token.as_deref()) {
            let from = from.as_deref().unwrap_or("someone");
            return self.log(["ignored a hang-up from ", from].concat());
        }
        let (reason, notice) = crate::rules::hang_up_ending(&call.peer, reason.as_deref());
        self.end_call(Ending::peer(reason, notice));
    }
}

impl Client {
    /// Auto-accept off: the offer waits, and the host page is told.
    fn ring(&mut self, from: String, offer: SessionDescription, token: Option<String>) {
        match &mut self.ringing {
            // The same caller again (a renegotiation, or a retry): keep the newest offer. The
            // preparation takes it as the peer's new offer of the same call (applied on Accept).
            Some(r) if r.from == from => {
                match r.prepared.as_mut() {
                    Some(call) if call.owns(token.as_deref()) => {
                        call.on_peer_offer(offer.clone(), token.clone(), &mut self.out);
                    }
                    // Another call's token: that preparation is of no use.
                    Some(_) => {
                        self.out.push(Action::ClosePeer { call: r.id });
                        r.prepared = None;
                    }
                    None => {}
                }
                r.offer = offer;
                r.token = token;
            }
            // One ringing call at a time: refused as busy, like a second call during a call.
            Some(_) => {
                self.log(["busy: refusing a call from ", &from].concat());
                let me = self.name.clone();
                self.send(Message::HangUp {
                    name: me,
                    target: Some(from),
                    call: token,
                    reason: Some("busy".to_owned()),
                });
            }
            None => {
                self.log(["incoming call from ", &from, ": ringing"].concat());
                // A new call: an earlier notice no longer applies.
                self.clear_error();
                self.out.push(Action::CallIncoming { from: from.clone() });
                let id = self.next_call_id();
                self.out.push(Action::StartTimer {
                    timer: Timer::Ring(id),
                    ms: RING_TIMEOUT_MS,
                });
                let mut prepared = self.callee_call(id, from.clone(), offer.clone(), token.clone());
                if let Some(call) = prepared.as_mut() {
                    call.prepare(&mut self.out);
                }
                self.ringing = Some(Ringing {
                    id,
                    from,
                    offer,
                    token,
                    prepared,
                });
            }
        }
    }

    pub(super) fn accept(&mut self) {
        let Some(r) = self.ringing.take() else { return };
        let call = match r.prepared {
            Some(call) => Some(call),
            None => self.callee_call(r.id, r.from, r.offer, r.token.clone()),
        };
        if let Some(call) = call {
            self.answer_call(call, r.token);
        }
    }

    /// Nobody answered: the caller is told (`timeout`), and this is a missed call.
    pub(super) fn ring_timeout(&mut self, id: CallId) {
        let Some(r) = self.ringing.take_if(|r| r.id == id) else {
            return;
        };
        self.log(["the call from ", &r.from, " rang unanswered"].concat());
        let me = self.name.clone();
        self.send(Message::HangUp {
            name: me,
            target: Some(r.from.clone()),
            call: r.token,
            reason: EndReason::Timeout.wire().map(str::to_owned),
        });
        self.unprepare(r.id, &r.prepared);
        let notice = Text::peer(Key::MissedCall, &r.from);
        self.ringing_ended(r.from, EndReason::Timeout, Some(notice));
    }

    pub(super) fn decline(&mut self) {
        let Some(r) = self.ringing.take() else { return };
        self.log(["declined the call from ", &r.from].concat());
        let me = self.name.clone();
        self.send(Message::HangUp {
            name: me,
            target: Some(r.from.clone()),
            call: r.token,
            reason: EndReason::Declined.wire().map(str::to_owned),
        });
        self.unprepare(r.id, &r.prepared);
        self.ringing_ended(r.from, EndReason::Declined, None);
    }

    /// The ringing call is over without us answering it.
    pub(super) fn stop_ringing(&mut self, reason: EndReason, notice: Option<Text>) {
        if let Some(r) = self.ringing.take() {
            self.unprepare(r.id, &r.prepared);
            self.ringing_ended(r.from, reason, notice);
        }
    }

    /// Closes the ringing call's prepared connection: nothing of it is left.
    fn unprepare(&mut self, id: CallId, prepared: &Option<Call>) {
        if prepared.is_some() {
            self.out.push(Action::ClosePeer { call: id });
        }
    }

    fn ringing_ended(&mut self, peer: String, reason: EndReason, notice: Option<Text>) {
        let notice = notice.map(|text| {
            let words = text.render(self.lang);
            self.error(text);
            words
        });
        self.out.push(Action::CallEnded {
            call: None,
            peer,
            connected: false,
            reason,
            notice,
        });
    }
}
