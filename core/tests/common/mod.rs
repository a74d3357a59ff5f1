//! Helpers shared by the client scenario tests: a driven [`Client`] with fake time, and
//! builders for the messages and descriptions the scenarios use.
#![allow(dead_code)]

use chat_core::call::{Action, CallId, Input, Timer};
use chat_core::{Client, IceCandidate, Message, SdpType, SessionDescription};

/// A client and the fake clock it runs on (every step advances it by 1 ms unless set).
pub struct H {
    pub c: Client,
    pub now: f64,
}

impl H {
    pub fn new() -> H {
        H {
            c: Client::new(42),
            now: 1_000.0,
        }
    }

    /// Logged in as `me` with `users` online (server id 7).
    pub fn logged_in(me: &str, users: &[&str]) -> H {
        let mut h = H::new();
        h.go(Input::Login { name: me.into() });
        h.go(Input::SocketOpen);
        h.go(server(Message::Id { id: 7 }));
        h.go(user_list(users));
        h
    }

    /// Every action of one input.
    pub fn go(&mut self, input: Input) -> Vec<Action> {
        self.now += 1.0;
        self.c.handle(self.now, input)
    }

    /// The actions of one input without logs and status updates (checked separately).
    pub fn step(&mut self, input: Input) -> Vec<Action> {
        visible(self.go(input))
    }

    /// Runs a scenario table: each input and exactly the visible actions it must produce.
    pub fn table(&mut self, steps: Vec<(Input, Vec<Action>)>) {
        for (i, (input, want)) in steps.into_iter().enumerate() {
            let shown = format!("{input:?}");
            let got = self.step(input);
            assert_eq!(got, want, "step {i}: {shown}");
        }
    }

    /// Our call's token (panics if there is no call).
    pub fn token(&self) -> String {
        self.c.call_token().expect("in a call").to_owned()
    }

    pub fn call(&self) -> CallId {
        self.c.call_id().expect("in a call")
    }

    /// As caller (alice → bob): the call is connected, offer/answer done; returns the token.
    pub fn connected_as_caller(&mut self, peer: &str) -> String {
        self.go(Input::CallUser { name: peer.into() });
        let call = self.call();
        self.go(Input::MediaReady { call });
        self.go(Input::NegotiationNeeded { call });
        self.go(Input::LocalDescriptionSet {
            call,
            desc: offer("o1"),
        });
        let token = self.token();
        let me = self.c.me().expect("logged in").to_owned();
        self.go(server(answer_msg(peer, &me, "a1", Some(&token))));
        self.go(Input::RemoteDescriptionSet { call });
        self.go(Input::IceConnectionState {
            call,
            state: chat_core::call::IceConnectionState::Connected,
        });
        token
    }
}

/// Leaves out logs, status updates, the connect deadline's, the ringing and the stats timers
/// and the call lifecycle announcements: each is checked by tests of its own (the stats timer
/// in `client_quality_sas.rs`; the connect deadline in `client_calls.rs`, `connect_deadline_*`;
/// ringing timers in `client_ringing.rs`; `CallStarted`, `CallEnded` and
/// `RefreshIceServers` in `client_lifecycle.rs`).
pub fn visible(actions: Vec<Action>) -> Vec<Action> {
    actions
        .into_iter()
        .filter(|a| {
            !matches!(
                a,
                Action::Log { .. }
                    | Action::ShowStatus(_)
                    | Action::CallStarted { .. }
                    | Action::CallEnded { .. }
                    | Action::RefreshIceServers
                    | Action::StartTimer {
                        timer: chat_core::call::Timer::Connect(_)
                            | chat_core::call::Timer::Ring(_)
                            | chat_core::call::Timer::Answer(_)
                            | chat_core::call::Timer::Stats(_),
                        ..
                    }
            )
        })
        .collect()
}

pub fn server(m: Message) -> Input {
    Input::Server(m)
}

pub fn user_list(users: &[&str]) -> Input {
    server(Message::UserList {
        users: users.iter().map(|u| Some((*u).to_owned())).collect(),
    })
}

pub fn users(list: &[&str], me: &str, peer: Option<&str>) -> Action {
    Action::ShowUsers {
        users: list.iter().map(|u| (*u).to_owned()).collect(),
        me: Some(me.to_owned()),
        peer: peer.map(str::to_owned),
    }
}

pub fn offer(sdp: &str) -> SessionDescription {
    SessionDescription {
        kind: SdpType::Offer,
        sdp: sdp.into(),
    }
}

pub fn answer(sdp: &str) -> SessionDescription {
    SessionDescription {
        kind: SdpType::Answer,
        sdp: sdp.into(),
    }
}

pub fn cand(c: &str) -> IceCandidate {
    IceCandidate {
        candidate: c.into(),
        sdp_mid: Some("0".into()),
        sdp_m_line_index: Some(0),
        username_fragment: None,
    }
}

pub fn offer_msg(from: &str, to: &str, sdp: &str, call: Option<&str>) -> Message {
    Message::VideoOffer {
        name: from.into(),
        target: to.into(),
        sdp: offer(sdp),
        call: call.map(str::to_owned),
    }
}

pub fn answer_msg(from: &str, to: &str, sdp: &str, call: Option<&str>) -> Message {
    Message::VideoAnswer {
        name: from.into(),
        target: to.into(),
        sdp: answer(sdp),
        call: call.map(str::to_owned),
    }
}

pub fn cand_msg(from: Option<&str>, to: &str, c: &str, call: Option<&str>) -> Message {
    Message::NewIceCandidate {
        name: from.map(str::to_owned),
        target: to.into(),
        candidate: cand(c),
        call: call.map(str::to_owned),
    }
}

pub fn hang_up_msg(
    from: Option<&str>,
    to: Option<&str>,
    call: Option<&str>,
    reason: Option<&str>,
) -> Message {
    Message::HangUp {
        name: from.map(str::to_owned),
        target: to.map(str::to_owned),
        call: call.map(str::to_owned),
        reason: reason.map(str::to_owned),
    }
}

pub fn add(call: CallId, c: &str) -> Action {
    Action::AddIceCandidate {
        call,
        candidate: cand(c),
    }
}

pub fn error(text: &str) -> Action {
    Action::ShowError { text: text.into() }
}

pub fn ice_timer(call: CallId) -> Input {
    Input::TimerFired {
        timer: Timer::IceDisconnected(call),
    }
}
