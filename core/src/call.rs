//! The client's state machine, sans I/O: the whole logic of the tutorial's client (login, user
//! list, chat, one call at a time) with none of its bugs (docs/protocol.md, "The tutorial's known bugs").
//!
//! Inputs in ([`Client::handle`] with the current time), actions out. The browser layer turns
//! web events into [`Input`]s and carries out [`Action`]s; it decides nothing.
//!
//! INTERFACE CONTRACT (shared by `core` and the browser layer; change both together):
//! - Every per-call input and action carries the [`CallId`] of the call it belongs to. The core
//!   ignores inputs for a call that is no longer current (late async results, events of a
//!   closed peer connection).
//! - Actions are carried out in the order given. Peer-connection actions
//!   ([`Action::SetRemoteDescription`], [`Action::SetLocalDescription`],
//!   [`Action::AddIceCandidate`]) are async in the browser; their results come back as inputs.
//! - [`Action::AcquireMedia`] may take long (a permission prompt); the browser layer runs it
//!   without blocking other actions.
//! - The core announces what happened to a call ([`Action::CallIncoming`],
//!   [`Action::CallStarted`], [`Action::CallEnded`] with its [`EndReason`] and notice), when a
//!   notice no longer applies ([`Action::ClearError`]) and when to refresh the ICE servers
//!   ([`Action::RefreshIceServers`]). The browser layer renders these as they come; it infers
//!   nothing from [`Action::ShowStatus`].

use alloc::string::String;
use alloc::vec::Vec;

use crate::protocol::{IceCandidate, Message, SessionDescription};

/// Identifies one call attempt. New for every call, never reused in a client's lifetime.
pub type CallId = u32;

/// Milliseconds since the Unix epoch (what `Date.now()` gives): the wall clock, for the dates
/// of messages sent and shown only. Nothing is timed with it: it jumps when the system clock is
/// set; timers are [`Action::StartTimer`]s.
pub type Millis = f64;

/// How long ICE may stay `disconnected` before we give up on the call. `disconnected` often
/// recovers on its own (a Wi-Fi blip); the tutorial treated it as fatal (its bug 4).
pub const ICE_DISCONNECTED_GRACE_MS: u32 = 8_000;

/// ICE restart (docs/protocol.md, "ICE restart"): when ICE fails, or stays `disconnected`
/// past [`ICE_DISCONNECTED_GRACE_MS`], a call that had connected is not ended but restarted
/// (`restartIce()`, a new offer/answer with new ICE credentials, in the same connection). Each
/// attempt gets [`ICE_RESTART_ATTEMPT_MS`]; after [`ICE_RESTART_ATTEMPTS`] of them (30 s in all)
/// the call ends. An attempt that needs signaling while the socket is down waits for it.
pub const ICE_RESTART_ATTEMPTS: u32 = 3;
pub const ICE_RESTART_ATTEMPT_MS: u32 = 10_000;

/// How long a call outlives its peer's absence from the user list we get after logging in
/// again. A relay that restarts sends each page, as it logs in again, a list without the peer
/// that has not yet (its backoff is up to [`RECONNECT_MAX_MS`]): absence is evidence, not
/// proof. While we stay connected, a list without the peer ends the call at once (the server
/// saw it go), as does our relay's `hang-up` with reason `gone`.
pub const PEER_ABSENT_GRACE_MS: u32 = 15_000;

/// How long a call may take to connect once offer and answer are both applied. ICE on a
/// working path takes a second or two; without this, a path that can never work (a relay-only
/// policy with wrong TURN credentials gathers no candidates, and ICE then stays `new` for
/// ever, never `failed`) would leave the person looking at "Connecting…" indefinitely.
pub const CONNECT_TIMEOUT_MS: u32 = 20_000;

/// Delay before reopening a closed signaling socket (doubles per failure up to the max). The
/// max keeps "signaling restored within 5 s of the relay listening again" (README, Figures).
pub const RECONNECT_MIN_MS: u32 = 500;
pub const RECONNECT_MAX_MS: u32 = 4_000;

/// How long a call may ring unanswered: the callee's ringing stops and the caller stops
/// waiting (both are told, `hang-up` reason `timeout`). Phones ring for about as long.
pub const RING_TIMEOUT_MS: u32 = 30_000;
/// How often a connected call samples `getStats` (the quality level and the stats panel; see
/// `quality.rs`, whose thresholds assume one sample a second).
pub const STATS_INTERVAL_MS: u32 = 1_000;

/// Perfect negotiation's roles: whether `me` is the polite side of a call with `peer`. Roles
/// must differ, so they come from the two user names, which the server keeps unique: the side
/// whose name sorts greater (byte order) is polite. One rule for the state machine and for the
/// browser layer's tutorial-compatible functions, so the two always agree.
pub fn is_polite(me: &str, peer: &str) -> bool {
    me > peer
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IceConnectionState {
    New,
    Checking,
    Connected,
    Completed,
    Disconnected,
    Failed,
    Closed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IceGatheringState {
    New,
    Gathering,
    Complete,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignalingState {
    Stable,
    HaveLocalOffer,
    HaveRemoteOffer,
    HaveLocalPranswer,
    HaveRemotePranswer,
    Closed,
}

/// A `getUserMedia` failure, by the `name` of the `DOMException` the browser threw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MediaError {
    /// `NotFoundError`: no camera or microphone.
    NotFound,
    /// `NotAllowedError` (and the legacy `PermissionDeniedError`): the user or a policy said no.
    NotAllowed,
    PermissionDenied,
    /// `SecurityError`: media is disabled for this document (e.g. not a secure context).
    Security,
    /// `NotReadableError`: the device is in use or broken.
    NotReadable,
    /// `OverconstrainedError`: no device satisfies the constraints; names the constraint.
    Overconstrained {
        constraint: String,
    },
    /// `AbortError`: the request was aborted.
    Abort,
    /// `TypeError`: the constraints were invalid, or `navigator.mediaDevices` is missing.
    Type,
    /// Any other exception: its name and message.
    Other {
        name: String,
        message: String,
    },
}

/// Which timer fired (see [`Action::StartTimer`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Timer {
    /// The ICE-disconnected grace period of a call.
    IceDisconnected(CallId),
    /// The deadline for a call to connect (see [`CONNECT_TIMEOUT_MS`]).
    Connect(CallId),
    /// Time to reopen the signaling socket.
    Reconnect,
    /// The callee's ringing call (its id, reserved for the call if accepted) rang
    /// [`RING_TIMEOUT_MS`] unanswered.
    Ring(CallId),
    /// The caller waited [`RING_TIMEOUT_MS`] for an answer.
    Answer(CallId),
    /// Time for the next `getStats` sample of a connected call ([`STATS_INTERVAL_MS`]).
    Stats(CallId),
    /// The end of an ICE restart attempt (see [`ICE_RESTART_ATTEMPTS`]).
    IceRestart(CallId),
    /// The end of the peer's grace to reappear in the user list ([`PEER_ABSENT_GRACE_MS`]).
    PeerAbsent(CallId),
    /// Time to fetch fresh time-limited TURN credentials ([`Input::IceServersLoaded`]).
    IceRefresh,
}

impl Timer {
    /// The call this timer belongs to: it dies with that call (`ClosePeer`).
    pub fn call(self) -> Option<CallId> {
        match self {
            Timer::IceDisconnected(call)
            | Timer::Connect(call)
            | Timer::Ring(call)
            | Timer::Answer(call)
            | Timer::Stats(call)
            | Timer::IceRestart(call)
            | Timer::PeerAbsent(call) => Some(call),
            Timer::Reconnect | Timer::IceRefresh => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Input {
    /// The user asked to log in with this name (opens the signaling socket).
    Login {
        name: String,
    },
    /// The signaling socket opened.
    SocketOpen,
    /// The signaling socket closed or failed.
    SocketClosed,
    /// A decoded message from the server.
    Server(Message),
    /// A frame the server sent that could not be decoded (logged, never fatal).
    BadFrame {
        error: crate::protocol::DecodeError,
    },
    /// The user pressed Send / Enter in the chat box.
    SendChat {
        text: String,
    },
    /// The user clicked a name in the user list.
    CallUser {
        name: String,
    },
    /// The user clicked Hang Up.
    HangUp,
    /// The host page accepts the ringing call (only with auto-accept off:
    /// [`Action::CallIncoming`]).
    Accept,
    /// The host page declines the ringing call: the caller is told (`hang-up`, reason
    /// `declined`).
    Decline,
    /// The person dismissed the error or notice shown (clicked the box): the core answers
    /// with [`Action::ClearError`].
    DismissError,
    /// `getUserMedia` resolved for this call.
    MediaReady {
        call: CallId,
    },
    MediaFailed {
        call: CallId,
        error: MediaError,
    },
    /// The peer connection fired `negotiationneeded`.
    NegotiationNeeded {
        call: CallId,
    },
    /// `setLocalDescription()` resolved; this is `pc.localDescription`.
    LocalDescriptionSet {
        call: CallId,
        desc: SessionDescription,
    },
    /// `setRemoteDescription(desc)` resolved.
    RemoteDescriptionSet {
        call: CallId,
    },
    /// A peer-connection operation rejected.
    PeerOpFailed {
        call: CallId,
        op: PeerOp,
        message: String,
    },
    /// `icecandidate`: `None` is the end-of-candidates event (`event.candidate === null`).
    LocalCandidate {
        call: CallId,
        candidate: Option<IceCandidate>,
    },
    IceConnectionState {
        call: CallId,
        state: IceConnectionState,
    },
    /// `icecandidateerror`: a STUN/TURN server could not be used (e.g. 401 from TURN with
    /// wrong credentials). Not fatal by itself: other candidates may still work.
    IceCandidateError {
        call: CallId,
        url: String,
        code: u16,
        text: String,
    },
    IceGatheringState {
        call: CallId,
        state: IceGatheringState,
    },
    SignalingState {
        call: CallId,
        state: SignalingState,
    },
    /// `track` fired (once per track: audio and video; must be idempotent).
    RemoteTrack {
        call: CallId,
    },
    /// The remote stream has no tracks left (its `removetrack` events).
    RemoteTracksEnded {
        call: CallId,
    },
    TimerFired {
        timer: Timer,
    },
    /// The person muted or unmuted the microphone (`#mute-button`, `setMuted`).
    SetMuted {
        muted: bool,
    },
    /// The person turned the camera off or on (`#camera-button`, `setCamera`).
    SetCamera {
        on: bool,
    },
    /// The person started or stopped sharing the screen (`#share-button`, `shareScreen`).
    ShareScreen {
        on: bool,
    },
    /// Screen sharing of this call stopped on the browser's side: its "stop sharing", or
    /// `getDisplayMedia` refused.
    ShareEnded {
        call: CallId,
    },
    /// `getStats()` resolved for this call ([`Action::SampleStats`]), read into a sample.
    StatsSample {
        call: CallId,
        sample: crate::quality::Sample,
    },
    /// `crypto.subtle.digest("SHA-256", input)` resolved ([`Action::HashSas`]); `input` is the
    /// one hashed, so that a digest of descriptions replaced meanwhile is ignored.
    SasDigest {
        call: CallId,
        input: String,
        digest: Vec<u8>,
    },
    /// ICE servers were fetched (an `iceUrl`, or the relay's `/ice-servers`); `ttl_s` is how
    /// long their credentials last, when the response says (`ttl`).
    IceServersLoaded {
        ttl_s: Option<u32>,
    },
    /// `enumerateDevices()` resolved (at start, on `devicechange`, once `getUserMedia` was
    /// allowed): the devices of one kind, in the browser's order.
    Devices {
        kind: crate::devices::DeviceKind,
        devices: Vec<crate::devices::Device>,
    },
    /// The person (`#camera-select`, `#mic-select`) or the host (`selectDevice`) picked a
    /// device; `id` empty: the browser's default.
    SelectDevice {
        kind: crate::devices::DeviceKind,
        id: String,
    },
    /// [`Action::SwitchDevice`] is over; `error`: its `getUserMedia` failed (the old track
    /// stays in the call).
    DeviceSwitched {
        kind: crate::devices::DeviceKind,
        error: Option<MediaError>,
    },
    /// The person chose a language (browser preference, `?lang=`, setting or `#lang`): the
    /// core's texts from now on, and the error and status on the page again, come in it.
    SetLang {
        lang: crate::text::Lang,
    },
}

/// Fresh TURN credentials are fetched after this share of their lifetime, so that a call
/// started just before they expire still gets valid ones.
pub const ICE_REFRESH_SHARE: (u32, u32) = (3, 4);
/// Never refetch more often than this (a tiny or zero `ttl` must not become a fetch loop).
pub const ICE_REFRESH_MIN_MS: u32 = 10_000;

/// When to refetch credentials that last `ttl_s` seconds, in milliseconds.
pub fn ice_refresh_ms(ttl_s: u32) -> u32 {
    let ms =
        u64::from(ttl_s) * 1000 * u64::from(ICE_REFRESH_SHARE.0) / u64::from(ICE_REFRESH_SHARE.1);
    (ms.min(u64::from(u32::MAX)) as u32).max(ICE_REFRESH_MIN_MS)
}

/// Which peer-connection operation failed (for [`Input::PeerOpFailed`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeerOp {
    CreatePeer,
    /// [`Action::AddLocalTracks`]: `addTrack` threw, or there was no stream or connection.
    AddLocalTracks,
    SetRemoteDescription,
    SetLocalDescription,
    AddIceCandidate,
}

impl PeerOp {
    /// The browser call, as the person's notice names it.
    pub fn as_str(self) -> &'static str {
        match self {
            PeerOp::CreatePeer => "new RTCPeerConnection",
            PeerOp::AddLocalTracks => "addTrack",
            PeerOp::SetRemoteDescription => "setRemoteDescription",
            PeerOp::SetLocalDescription => "setLocalDescription",
            PeerOp::AddIceCandidate => "addIceCandidate",
        }
    }
}

/// Why a call ended ([`Action::CallEnded`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndReason {
    /// The person hung up.
    HungUp,
    /// The person declined the ringing call.
    Declined,
    /// The peer hung up (without a reason we know).
    PeerHungUp,
    /// The peer is in another call (its `hang-up` said `busy`).
    PeerBusy,
    /// The peer declined the call.
    PeerDeclined,
    /// The peer left: gone from the user list, or its connection to the relay closed.
    PeerLeft,
    /// The peer could not start its camera or microphone.
    PeerMedia,
    /// The call failed on the peer's side.
    PeerFailed,
    /// Our camera or microphone could not start.
    Media,
    /// No network path: ICE failed, gathered nothing, or the connect deadline passed.
    Failed,
    /// The connection was lost and ICE restarts could not restore it ([`ICE_RESTART_ATTEMPTS`]).
    Lost,
    /// Something else failed on our side: a peer-connection operation, the signaling state
    /// closed, the remote tracks ended.
    Error,
    /// The person hung up while the call still rang at the peer's (`hang-up` reason `cancel`).
    Cancelled,
    /// The caller gave up while the call rang here: a missed call.
    Missed,
    /// Nobody answered within [`RING_TIMEOUT_MS`] (either side's timer; reason `timeout`).
    Timeout,
}

impl EndReason {
    /// The name host pages see (`webrtc-chat:call-ended`'s `reason`).
    pub fn as_str(self) -> &'static str {
        match self {
            EndReason::HungUp => "hung-up",
            EndReason::Declined => "declined",
            EndReason::PeerHungUp => "peer-hung-up",
            EndReason::PeerBusy => "peer-busy",
            EndReason::PeerDeclined => "peer-declined",
            EndReason::PeerLeft => "peer-left",
            EndReason::PeerMedia => "peer-media",
            EndReason::PeerFailed => "peer-failed",
            EndReason::Media => "media",
            EndReason::Failed => "failed",
            EndReason::Lost => "lost",
            EndReason::Error => "error",
            EndReason::Cancelled => "cancelled",
            EndReason::Missed => "missed",
            EndReason::Timeout => "timeout",
        }
    }

    /// The `reason` of the `hang-up` we send the peer for an ending of ours, if any.
    pub fn wire(self) -> Option<&'static str> {
        match self {
            EndReason::Media => Some("media"),
            EndReason::Failed => Some("failed"),
            EndReason::Lost => Some("lost"),
            EndReason::Error => Some("error"),
            EndReason::Declined => Some("declined"),
            EndReason::Cancelled => Some("cancel"),
            EndReason::Timeout => Some("timeout"),
            _ => None,
        }
    }
}

/// What the page shows in its status line.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Status {
    pub connected: bool,
    pub call: CallPhase,
    pub peer: Option<String>,
    pub ice_connection: Option<IceConnectionState>,
    pub ice_gathering: Option<IceGatheringState>,
    pub signaling: Option<SignalingState>,
    /// The signaling socket keeps failing to open (`None` once it opens): shown instead of
    /// a bare "not connected".
    pub unreachable: Option<crate::Unreachable>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CallPhase {
    #[default]
    Idle,
    /// Waiting for the camera and microphone.
    StartingMedia,
    /// Offer/answer and ICE in progress.
    Connecting,
    /// ICE connected: media flowing.
    Connected,
    /// ICE disconnected, within the grace period, or being restarted.
    Reconnecting,
    /// An incoming call rings (auto-accept off); `peer` is the caller. No camera yet.
    Ringing,
    /// Our offer is out and the peer has not answered yet (it may be ringing there).
    Calling,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Open the signaling socket.
    Connect,
    /// Send this message to the server. Only emitted while the socket is open (what cannot
    /// be sent is logged instead).
    Send(Message),
    /// Our (possibly server-renamed) user name.
    ShowName {
        name: String,
    },
    /// Re-render the user list: every named user, in server order; `me` is not clickable,
    /// `peer` is the user we are in a call with.
    ShowUsers {
        users: Vec<String>,
        me: Option<String>,
        peer: Option<String>,
    },
    /// Append a chat line. Text only: the view must never interpret it as HTML.
    ShowChat {
        from: String,
        text: String,
        date: Millis,
    },
    /// Clear the chat input after a send.
    ClearChatInput,
    ShowStatus(Status),
    /// Show an error or notice to the person, in the page.
    ShowError {
        text: String,
    },
    /// Hide the error or notice: it no longer applies (a new call starts, a new login, the
    /// person dismissed it). Only after a [`Action::ShowError`].
    ClearError,
    /// Enable/disable the Hang Up button.
    SetHangUpEnabled(bool),
    /// Call `getUserMedia({audio: true, video: true})`; report MediaReady/MediaFailed.
    AcquireMedia {
        call: CallId,
    },
    /// Create the `RTCPeerConnection` (from the configured ICE servers) with its seven event
    /// handlers, and show the local stream. `polite` is for logging only.
    CreatePeer {
        call: CallId,
        polite: bool,
    },
    /// `addTrack` every local track (with the local stream).
    AddLocalTracks {
        call: CallId,
    },
    /// `setRemoteDescription(desc)` (implicit rollback if needed); report RemoteDescriptionSet.
    SetRemoteDescription {
        call: CallId,
        desc: SessionDescription,
    },
    /// `setLocalDescription()` with no argument (an offer or answer as the state requires);
    /// report LocalDescriptionSet with `pc.localDescription`.
    SetLocalDescription {
        call: CallId,
    },
    /// `addIceCandidate(candidate)`.
    AddIceCandidate {
        call: CallId,
        candidate: IceCandidate,
    },
    /// Attach the remote stream to the remote `<video>` (idempotent).
    ShowRemoteStream {
        call: CallId,
    },
    /// Close the peer connection, remove all its listeners, stop local tracks, clear videos,
    /// and clear the call's timers ([`Timer::call`]).
    /// Also sent for a call that has no peer connection yet (its `getUserMedia` may still be
    /// pending): a stream that arrives later for a closed call must be stopped at once (the
    /// core ignores the late `MediaReady`).
    ClosePeer {
        call: CallId,
    },
    /// Fire [`Input::TimerFired`] after `ms` (a monotonic timer: `setTimeout`). Replaces a
    /// pending timer of the same `timer`, which must then never fire.
    StartTimer {
        timer: Timer,
        ms: u32,
    },
    /// With auto-accept off ([`crate::Client::set_auto_accept`]): a call rings, waiting for
    /// [`Input::Accept`] or [`Input::Decline`]. If it stops without being answered, a
    /// [`Action::CallEnded`] with no `call` follows; accepting goes straight on into the call.
    CallIncoming {
        from: String,
    },
    /// The call's media flows: ICE connected for the first time in this call.
    CallStarted {
        call: CallId,
        peer: String,
    },
    /// A call is over (after its [`Action::ClosePeer`]), or a ringing call stopped unanswered
    /// (`call: None`). `connected`: it got as far as [`Action::CallStarted`]. `notice`: what
    /// the person is shown about it (also sent as [`Action::ShowError`]).
    CallEnded {
        call: Option<CallId>,
        peer: String,
        connected: bool,
        reason: EndReason,
        notice: Option<String>,
    },
    /// Fetch fresh ICE servers (when the page configures a URL for them) for the next call.
    /// The policy: TURN credentials are often short-lived (the TURN REST API's time-limited
    /// usernames), so after every call that used them.
    RefreshIceServers,
    /// A line for the debug log (console).
    Log {
        text: String,
    },
    /// The person's microphone and camera switches ([`Input::SetMuted`],
    /// [`Input::SetCamera`]): set `enabled` on the local audio / video tracks (now and on a
    /// stream acquired later) and render the buttons' `aria-pressed`.
    LocalMedia {
        muted: bool,
        camera: bool,
    },
    /// What the peer of the current call says of its microphone and camera (its
    /// `peer-state` message). Back to unmuted and camera on when the call closes.
    ShowPeerState {
        muted: bool,
        camera: bool,
    },
    /// On: `getDisplayMedia`, then `replaceTrack` its video into the call's video sender (no
    /// renegotiation; [`Input::ShareEnded`] when it stops or is refused). Off: the camera's
    /// track back into the sender, the screen's stopped. Also renders `#share-button`.
    Share {
        call: CallId,
        on: bool,
    },
    /// Call `getStats()` on the call's peer connection; report [`Input::StatsSample`] (nothing
    /// when it fails: the next sample comes a second later).
    SampleStats {
        call: CallId,
    },
    /// The call's quality level changed (`#quality`'s `data-level`, the host's
    /// `webrtc-chat:quality` event); `None`: the call ended, hide it.
    ShowQuality {
        level: Option<crate::quality::Level>,
    },
    /// The figures of the last second (the stats panel `#stats`); `None`: the call ended.
    ShowStats {
        figures: Option<crate::quality::Figures>,
    },
    /// Apply this step to the outgoing video: `getParameters()` of the video sender, set
    /// `encodings[0].maxBitrate` (removed for no cap) and `scaleResolutionDownBy`, then
    /// `setParameters()`. A failure is only logged.
    SetSendStep {
        call: CallId,
        step: crate::quality::SendStep,
    },
    /// Hash `input` (UTF-8) with `crypto.subtle.digest("SHA-256", …)`; report
    /// [`Input::SasDigest`] with the same `input`.
    HashSas {
        call: CallId,
        input: String,
    },
    /// The verification code (`#sas`, the host's `webrtc-chat:sas` event); `None`: no code
    /// (the call ended), hide it.
    ShowSas {
        code: Option<String>,
    },
    /// `pc.restartIce()`: the browser fires `negotiationneeded`, and the offer that follows
    /// carries new ICE credentials (an ordinary `video-offer`).
    RestartIce {
        call: CallId,
    },
    /// Render the picker of `kind` (`#camera-select`, `#mic-select`; the default entry first,
    /// id empty) with `selected` chosen, tell the host (`webrtc-chat:devices`), and ask every
    /// later `getUserMedia` for `selected` (`deviceId: {exact}`; empty: no constraint).
    ShowDevices {
        kind: crate::devices::DeviceKind,
        devices: Vec<crate::devices::Device>,
        selected: String,
    },
    /// `getUserMedia` for this kind only (`id`, or the default), then the new track takes the
    /// old one's place in the call's local stream (the old one stopped) and, when `send`, in
    /// its sender (`RTCRtpSender.replaceTrack`: no renegotiation). Report
    /// [`Input::DeviceSwitched`].
    SwitchDevice {
        call: CallId,
        kind: crate::devices::DeviceKind,
        id: Option<String>,
        send: bool,
    },
}
