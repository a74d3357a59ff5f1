//! Glare: both users click each other at the same moment (PROTOCOL bug 3: the tutorial's
//! clients deadlocked). A small deterministic simulator runs two real [`Client`]s against an
//! in-memory relay that routes by `target`, and a tiny model of each browser's
//! `RTCPeerConnection` (signaling states, operations chain, implicit rollback,
//! `negotiationneeded`). Hundreds of seeded schedules pick which queued event happens next:
//! a click, a frame from the relay, a browser event, a peer-connection operation completing,
//! or `getUserMedia` resolving. Every schedule must end in exactly one call that both sides
//! agree on.
//!
//! The model follows the spec where it matters here (https://w3c.github.io/webrtc-pc/):
//! - `setLocalDescription()` makes an offer in `stable`/`have-local-offer` and an answer in
//!   `have-remote-offer`; `setRemoteDescription(offer)` in `have-local-offer` rolls back first;
//!   an answer in any state but `have-local-offer` is an `InvalidStateError`.
//! - Operations run one at a time, in order (the operations chain).
//! - `negotiationneeded` is checked when the chain is empty and the state is `stable`, and
//!   fires if local tracks were added and not yet negotiated; `addIceCandidate` fails while
//!   there is no remote description.

use std::collections::VecDeque;

use chat_core::call::{
    Action, CallId, CallPhase, IceConnectionState, Input, PeerOp, SignalingState,
};
use chat_core::{Client, IceCandidate, Message, SdpType, SessionDescription};

const NAMES: [&str; 2] = ["alice", "bob"];

/// xorshift64*: a tiny seeded generator for the schedules.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

#[derive(Debug, Clone)]
enum Op {
    SetLocal,
    SetRemote(SessionDescription),
    AddIce(IceCandidate),
}

#[derive(Debug, Clone)]
enum Task {
    Event(Input),
    /// The queued "update the negotiation-needed flag" task.
    CheckNegotiation(CallId),
}

/// One `RTCPeerConnection`.
#[derive(Debug)]
struct Pc {
    call: CallId,
    signaling: SignalingState,
    /// Current (committed) and pending local description, as in the spec.
    local: Option<SessionDescription>,
    pending_local: Option<SessionDescription>,
    remote: Option<SessionDescription>,
    tracks: bool,
    /// Our tracks are in a completed offer/answer exchange.
    negotiated: bool,
    negotiation_needed: bool,
    update_on_empty_chain: bool,
    ops: VecDeque<Op>,
    /// Remote candidates added successfully.
    candidates: Vec<String>,
    made: u32,
    remote_tracks_fired: bool,
    ice_connected: bool,
}

impl Pc {
    fn new(call: CallId) -> Pc {
        Pc {
            call,
            signaling: SignalingState::Stable,
            local: None,
            pending_local: None,
            remote: None,
            tracks: false,
            negotiated: false,
            negotiation_needed: false,
            update_on_empty_chain: false,
            ops: VecDeque::new(),
            candidates: Vec::new(),
            made: 0,
            remote_tracks_fired: false,
            ice_connected: false,
        }
    }
}

struct Side {
    me: &'static str,
    other: &'static str,
    client: Client,
    /// Frames the relay delivers to this side, in order (one WebSocket).
    net: VecDeque<Message>,
    /// Browser events waiting to be dispatched, in order.
    tasks: VecDeque<Task>,
    /// Pending `getUserMedia` calls.
    media: VecDeque<CallId>,
    pc: Option<Pc>,
    /// The person still has to click the other's name.
    will_click: bool,
    /// The person will press Hang Up (once), at a random moment after clicking.
    will_hang_up: bool,
    now: f64,
    actions: Vec<Action>,
    add_ice_failures: u32,
}

impl Side {
    fn new(me: &'static str, other: &'static str, seed: u64) -> Side {
        let mut client = Client::new(seed);
        for input in [
            Input::Login { name: me.into() },
            Input::SocketOpen,
            Input::Server(Message::Id { id: seed }),
            Input::Server(Message::UserList {
                users: NAMES.iter().map(|n| Some((*n).to_owned())).collect(),
            }),
        ] {
            client.handle(0.0, input);
        }
        Side {
            me,
            other,
            client,
            net: VecDeque::new(),
            tasks: VecDeque::new(),
            media: VecDeque::new(),
            pc: None,
            will_click: true,
            will_hang_up: false,
            now: 0.0,
            actions: Vec::new(),
            add_ice_failures: 0,
        }
    }

    fn pc_for(&mut self, call: CallId) -> &mut Pc {
        let current = self.pc.as_ref().map(|pc| pc.call);
        assert_eq!(current, Some(call), "{}: action for another call", self.me);
        self.pc.as_mut().expect("checked")
    }

    /// The browser's "update the negotiation-needed flag".
    fn update_negotiation_needed(&mut self) {
        let Some(pc) = &mut self.pc else { return };
        if !pc.ops.is_empty() {
            pc.update_on_empty_chain = true;
            return;
        }
        let call = pc.call;
        self.tasks.push_back(Task::CheckNegotiation(call));
    }

    fn event(&mut self, input: Input) {
        self.tasks.push_back(Task::Event(input));
    }
}

struct Sim {
    sides: [Side; 2],
    rng: Rng,
    /// Per-seed weights of the event sources, so that some schedules starve one side.
    weights: [u64; 12],
    steps: u32,
}

/// What can happen next: (side, source).
#[derive(Debug, Clone, Copy)]
enum Source {
    Click,
    HangUp,
    Net,
    Task,
    PcOp,
    Media,
}

const SOURCES: [Source; 6] = [
    Source::Click,
    Source::HangUp,
    Source::Net,
    Source::Task,
    Source::PcOp,
    Source::Media,
];

impl Sim {
    fn new(seed: u64) -> Sim {
        let mut rng = Rng::new(seed);
        let mut weights = [0; 12];
        for w in &mut weights {
            *w = 1 + rng.below(10);
        }
        Sim {
            sides: [
                Side::new(NAMES[0], NAMES[1], seed * 2 + 1),
                Side::new(NAMES[1], NAMES[0], seed * 2 + 2),
            ],
            rng,
            weights,
            steps: 0,
        }
    }

    fn enabled(&self, i: usize, source: Source) -> bool {
        let s = &self.sides[i];
        match source {
            Source::Click => s.will_click,
            Source::HangUp => s.will_hang_up && !s.will_click,
            Source::Net => !s.net.is_empty(),
            Source::Task => !s.tasks.is_empty(),
            Source::PcOp => s.pc.as_ref().is_some_and(|pc| !pc.ops.is_empty()),
            Source::Media => !s.media.is_empty(),
        }
    }

    /// Runs until nothing is left to happen.
    fn run(&mut self) {
        loop {
            let mut choices = Vec::new();
            for i in 0..2 {
                for (k, source) in SOURCES.iter().enumerate() {
                    if self.enabled(i, *source) {
                        choices.push((i, *source, self.weights[i * 6 + k]));
                    }
                }
            }
            if choices.is_empty() {
                return;
            }
            self.steps += 1;
            assert!(self.steps < 10_000, "no quiescence: endless negotiation?");
            let total: u64 = choices.iter().map(|c| c.2).sum();
            let mut pick = self.rng.below(total);
            let (i, source, _) = *choices
                .iter()
                .find(|c| {
                    if pick < c.2 {
                        true
                    } else {
                        pick -= c.2;
                        false
                    }
                })
                .expect("a choice");
            self.fire(i, source);
        }
    }

    fn fire(&mut self, i: usize, source: Source) {
        let s = &mut self.sides[i];
        match source {
            Source::Click => {
                s.will_click = false;
                let name = s.other.to_owned();
                self.input(i, Input::CallUser { name });
            }
            Source::HangUp => {
                s.will_hang_up = false;
                self.input(i, Input::HangUp);
            }
            Source::Net => {
                let m = s.net.pop_front().expect("enabled");
                self.input(i, Input::Server(m));
            }
            Source::Media => {
                let call = s.media.pop_front().expect("enabled");
                s.event(Input::MediaReady { call });
            }
            Source::Task => match s.tasks.pop_front().expect("enabled") {
                Task::Event(input) => self.input(i, input),
                Task::CheckNegotiation(call) => {
                    let Some(pc) = s.pc.as_mut().filter(|pc| pc.call == call) else {
                        return;
                    };
                    if !pc.ops.is_empty() {
                        pc.update_on_empty_chain = true;
                        return;
                    }
                    if pc.signaling != SignalingState::Stable {
                        return;
                    }
                    if !pc.tracks || pc.negotiated {
                        pc.negotiation_needed = false;
                        return;
                    }
                    if pc.negotiation_needed {
                        return;
                    }
                    pc.negotiation_needed = true;
                    self.input(i, Input::NegotiationNeeded { call });
                }
            },
            Source::PcOp => self.complete_op(i),
        }
    }

    fn input(&mut self, i: usize, input: Input) {
        let s = &mut self.sides[i];
        s.now += 1.0;
        let actions = s.client.handle(s.now, input);
        for action in actions {
            self.sides[i].actions.push(action.clone());
            self.act(i, action);
        }
    }

    /// The browser layer carrying out one action.
    fn act(&mut self, i: usize, action: Action) {
        let s = &mut self.sides[i];
        match action {
            Action::Send(m) => {
                let target = match &m {
                    Message::VideoOffer { target, .. }
                    | Message::VideoAnswer { target, .. }
                    | Message::NewIceCandidate { target, .. } => Some(target.clone()),
                    Message::HangUp { target, .. } => target.clone(),
                    _ => None,
                };
                let other = 1 - i;
                // The relay: to the named user; a hang-up without target to everyone else.
                if target.is_none() || target.as_deref() == Some(self.sides[other].me) {
                    self.sides[other].net.push_back(m);
                }
            }
            Action::AcquireMedia { call } => s.media.push_back(call),
            Action::CreatePeer { call, .. } => {
                assert!(s.pc.is_none(), "{}: a second peer connection", s.me);
                s.pc = Some(Pc::new(call));
            }
            Action::AddLocalTracks { call } => {
                s.pc_for(call).tracks = true;
                s.update_negotiation_needed();
            }
            Action::SetLocalDescription { call } => s.pc_for(call).ops.push_back(Op::SetLocal),
            Action::SetRemoteDescription { call, desc } => {
                s.pc_for(call).ops.push_back(Op::SetRemote(desc))
            }
            Action::AddIceCandidate { call, candidate } => {
                s.pc_for(call).ops.push_back(Op::AddIce(candidate))
            }
            // Closing drops the connection with its pending operations; events already
            // queued are still dispatched (the core must ignore them as stale).
            Action::ClosePeer { call } if s.pc.as_ref().is_some_and(|pc| pc.call == call) => {
                s.pc = None;
            }
            _ => {}
        }
    }

    /// The peer connection completes its oldest operation.
    fn complete_op(&mut self, i: usize) {
        let s = &mut self.sides[i];
        let me = s.me;
        let Some(pc) = s.pc.as_mut() else { return };
        let call = pc.call;
        let op = pc.ops.pop_front().expect("enabled");
        let mut events = Vec::new();
        let mut now_stable = false;
        match op {
            Op::SetLocal => {
                pc.made += 1;
                let answering = pc.signaling == SignalingState::HaveRemoteOffer;
                let kind = if answering {
                    SdpType::Answer
                } else {
                    SdpType::Offer
                };
                let desc = SessionDescription {
                    kind,
                    sdp: format!("{me} {} #{} tracks={}", kind.as_str(), pc.made, pc.tracks),
                };
                if answering {
                    pc.local = Some(desc.clone());
                    pc.pending_local = None;
                    pc.signaling = SignalingState::Stable;
                    pc.negotiated |= pc.tracks;
                    now_stable = true;
                } else {
                    pc.pending_local = Some(desc.clone());
                    pc.signaling = SignalingState::HaveLocalOffer;
                }
                events.push(Input::SignalingState {
                    call,
                    state: pc.signaling,
                });
                events.push(Input::LocalDescriptionSet { call, desc });
                let candidate = IceCandidate {
                    candidate: format!("candidate:{me}-{}", pc.made),
                    sdp_mid: Some("0".into()),
                    sdp_m_line_index: Some(0),
                    username_fragment: None,
                };
                events.push(Input::LocalCandidate {
                    call,
                    candidate: Some(candidate),
                });
            }
            Op::SetRemote(desc) => match (desc.kind, pc.signaling) {
                (SdpType::Offer, state) if state != SignalingState::HaveLocalPranswer => {
                    if state == SignalingState::HaveLocalOffer {
                        // Implicit rollback, then the offer.
                        pc.pending_local = None;
                        events.push(Input::SignalingState {
                            call,
                            state: SignalingState::Stable,
                        });
                    }
                    pc.signaling = SignalingState::HaveRemoteOffer;
                    events.push(Input::SignalingState {
                        call,
                        state: pc.signaling,
                    });
                    remote_tracks(pc, &desc, &mut events);
                    pc.remote = Some(desc);
                    events.push(Input::RemoteDescriptionSet { call });
                }
                (SdpType::Answer, SignalingState::HaveLocalOffer) => {
                    pc.local = pc.pending_local.take();
                    pc.signaling = SignalingState::Stable;
                    pc.negotiated |= pc
                        .local
                        .as_ref()
                        .is_some_and(|l| l.sdp.ends_with("tracks=true"));
                    now_stable = true;
                    events.push(Input::SignalingState {
                        call,
                        state: pc.signaling,
                    });
                    remote_tracks(pc, &desc, &mut events);
                    pc.remote = Some(desc);
                    events.push(Input::RemoteDescriptionSet { call });
                }
                (kind, state) => events.push(Input::PeerOpFailed {
                    call,
                    op: PeerOp::SetRemoteDescription,
                    message: format!("InvalidStateError: {} in {state:?}", kind.as_str()),
                }),
            },
            Op::AddIce(candidate) => {
                if pc.remote.is_some() {
                    pc.candidates.push(candidate.candidate);
                } else {
                    s.add_ice_failures += 1;
                    events.push(Input::PeerOpFailed {
                        call,
                        op: PeerOp::AddIceCandidate,
                        message: "InvalidStateError: no remote description".into(),
                    });
                }
            }
        }
        if pc.signaling == SignalingState::Stable
            && pc.local.is_some()
            && pc.remote.is_some()
            && !pc.ice_connected
        {
            pc.ice_connected = true;
            events.push(Input::IceConnectionState {
                call,
                state: IceConnectionState::Checking,
            });
            events.push(Input::IceConnectionState {
                call,
                state: IceConnectionState::Connected,
            });
        }
        let chain_emptied = pc.ops.is_empty() && pc.update_on_empty_chain;
        if chain_emptied {
            pc.update_on_empty_chain = false;
        }
        if now_stable {
            pc.negotiation_needed = false;
        }
        for e in events {
            s.event(e);
        }
        if now_stable || chain_emptied {
            s.update_negotiation_needed();
        }
    }
}

/// `track` fires once per remote track (audio, video) the first time they appear.
fn remote_tracks(pc: &mut Pc, desc: &SessionDescription, events: &mut Vec<Input>) {
    if desc.sdp.ends_with("tracks=true") && !pc.remote_tracks_fired {
        pc.remote_tracks_fired = true;
        events.push(Input::RemoteTrack { call: pc.call });
        events.push(Input::RemoteTrack { call: pc.call });
    }
}

/// What happened in one schedule that the tests count, to show the schedules cover glare.
#[derive(Debug, Default, Clone, Copy)]
struct Coverage {
    ignored_offer: bool,
    rolled_back: bool,
    became_callee_while_media_started: bool,
    clicked_while_in_call: bool,
}

fn coverage(sim: &Sim) -> Coverage {
    let mut c = Coverage::default();
    for s in &sim.sides {
        for a in &s.actions {
            match a {
                Action::Log { text } if text.contains("ignoring") => c.ignored_offer = true,
                Action::Log { text } if text.contains("rolling back") => c.rolled_back = true,
                Action::Log { text } if text.contains("once media is ready") => {
                    c.became_callee_while_media_started = true
                }
                Action::ShowError { text } if text.contains("already in a call") => {
                    c.clicked_while_in_call = true
                }
                _ => {}
            }
        }
    }
    c
}

/// Exactly one call, agreed by both sides, negotiated, connected. `unbroken`: and no call
/// ever ended on either side (no hang-up, no error) during the whole schedule.
fn assert_one_call(sim: &Sim, seed: u64, unbroken: bool) {
    let [a, b] = &sim.sides;
    for (s, o) in [(a, b), (b, a)] {
        let who = format!("seed {seed}, {}", s.me);
        let call = s
            .client
            .call_id()
            .unwrap_or_else(|| panic!("{who}: no call"));
        assert_eq!(s.client.peer(), Some(o.me), "{who}: peer");
        assert_eq!(s.client.status().call, CallPhase::Connected, "{who}: phase");
        for act in &s.actions {
            match act {
                Action::ClosePeer { .. } if unbroken => panic!("{who}: the call ended"),
                Action::Send(m @ Message::HangUp { .. }) if unbroken => {
                    panic!("{who}: sent {m:?}")
                }
                Action::ShowError { text } if unbroken && !text.contains("already in a call") => {
                    panic!("{who}: error {text:?}")
                }
                _ => {}
            }
        }
        let shown = s
            .actions
            .iter()
            .filter(|a| **a == Action::ShowRemoteStream { call })
            .count();
        assert_eq!(shown, 1, "{who}: remote stream shown");
        let pc =
            s.pc.as_ref()
                .unwrap_or_else(|| panic!("{who}: no peer connection"));
        let opc = o.pc.as_ref().expect("other peer connection");
        assert_eq!(pc.call, call, "{who}: pc of another call");
        assert_eq!(pc.signaling, SignalingState::Stable, "{who}: signaling");
        assert!(pc.remote.is_some(), "{who}: no remote description");
        assert_eq!(pc.remote, opc.local, "{who}: descriptions disagree");
        assert!(pc.tracks && pc.negotiated, "{who}: tracks not negotiated");
        assert_eq!(s.add_ice_failures, 0, "{who}: candidate added too early");
        assert!(
            pc.candidates.iter().any(|c| c.contains(o.me)),
            "{who}: no candidate of the peer's added"
        );
    }
    assert_eq!(
        a.client.call_token(),
        b.client.call_token(),
        "seed {seed}: tokens"
    );
}

#[test]
fn glare_always_gives_exactly_one_call() {
    let mut counts = [0u32; 4];
    for seed in 0..1500 {
        let mut sim = Sim::new(seed);
        sim.run();
        assert_one_call(&sim, seed, true);
        let c = coverage(&sim);
        for (n, hit) in counts.iter_mut().zip([
            c.ignored_offer,
            c.rolled_back,
            c.became_callee_while_media_started,
            c.clicked_while_in_call,
        ]) {
            *n += u32::from(hit);
        }
    }
    // The schedules really did collide in every way (each path taken many times).
    assert!(counts.iter().all(|n| *n >= 30), "coverage {counts:?}");
}

#[test]
fn one_sided_call_comes_up_in_every_order() {
    for seed in 0..300 {
        let mut sim = Sim::new(seed);
        sim.sides[1].will_click = false;
        sim.run();
        assert_one_call(&sim, seed, true);
    }
}

#[test]
fn hanging_up_at_any_moment_leaves_both_sides_agreeing() {
    // [both idle, the call came back up, hang-up crossed an offer]
    let mut outcomes = [0u32; 3];
    for seed in 0..1500 {
        let mut sim = Sim::new(seed);
        let who = (seed % 2) as usize;
        sim.sides[who].will_hang_up = true;
        if seed % 3 == 0 {
            sim.sides[1 - who].will_click = false;
        }
        sim.run();
        let [a, b] = &sim.sides;
        // The hang-up crossed the peer's offer, which then rang the hanging-up side again
        // until the peer, answered for a call it had ended, hung up once more.
        let crossed =
            a.actions.iter().chain(&b.actions).any(
                |x| matches!(x, Action::Log { text } if text.contains("answered an ended call")),
            );
        outcomes[usize::from(a.client.call_id().is_some())] += 1;
        outcomes[2] += u32::from(crossed);
        match (a.client.call_id(), b.client.call_id()) {
            // The hang-up won: both idle, nothing left open.
            (None, None) => {
                assert!(
                    a.pc.is_none() && b.pc.is_none(),
                    "seed {seed}: a peer left open"
                );
            }
            // The hang-up came before the peer heard of the call; the peer's own call then
            // came up normally.
            (Some(_), Some(_)) => assert_one_call(&sim, seed, false),
            other => panic!("seed {seed}: sides disagree: {other:?}"),
        }
    }
    assert!(
        outcomes[0] >= 100 && outcomes[1] >= 100 && outcomes[2] >= 1,
        "outcomes {outcomes:?}"
    );
}
