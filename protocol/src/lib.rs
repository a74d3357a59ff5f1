//! The wire protocol of webrtc-chat, shared by the client's core and the relay: the signaling
//! messages of MDN's `webrtc-from-chat` sample (docs/protocol.md), typed, and the protocol
//! facts both ends must agree on ([`SUBPROTOCOL`], [`CALL_KINDS`], [`MAX_FRAME_BYTES`]).
//! Small on purpose (as matchbox's `matchbox_protocol`): the relay depends on this crate only,
//! never on the client's state machine.
//!
//! Decoding is total and tolerant: it never panics, ignores extra fields, accepts `null` users,
//! and accepts a number where a name was expected (it reads it as JavaScript's `String(n)`
//! would, [`number_to_string`]). Unknown `type`s come back as [`Message::Unknown`] with the
//! whole frame kept. Anything else malformed is a [`DecodeError`].
//!
//! Our own extensions are extra fields that the sample's clients ignore: `call` (a per-call
//! token that lets a client tell its real peer from a spoofer on a naive server) and `reason`
//! on `hang-up`. The sample's server forwards them untouched.
//!
//! JSON text: natively (feature `json`) through serde_json; in the browser through the
//! platform's `JSON.parse` and `JSON.stringify` (the client's src/json.rs), so the page bundles
//! no JSON reader or number writer.
#![forbid(unsafe_code)]
// No std: the page links this crate and is built without it (README, "Bundle size").
#![cfg_attr(not(test), no_std)]

extern crate alloc;

pub mod digits;
pub mod json;
mod number;

use alloc::borrow::ToOwned;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use crate::json::Value;

pub use crate::number::{is_integral, number_to_string};

/// The WebSocket subprotocol the sample's server demands (`request.accept("json", …)`): it
/// refuses an upgrade that does not ask for it.
pub const SUBPROTOCOL: &str = "json";

/// The messages that take part in a call: routed point to point by `target` (the sample's
/// server broadcasts them when `target` is missing).
pub const CALL_KINDS: [&str; 4] = [
    "video-offer",
    "video-answer",
    "new-ice-candidate",
    "hang-up",
];

/// The messages only the server sends.
pub const SERVER_ONLY_KINDS: [&str; 4] = ["id", "userlist", "rejectusername", "error"];

/// How a number read where a name was expected becomes that name: [`number_to_string`]
/// natively; the browser passes JavaScript's own `String(n)`, so the page carries no float
/// writer.
pub type NumberName = fn(f64) -> String;

/// Largest frame a client or the relay accepts. The biggest legitimate message is an SDP offer
/// (a few KB for audio + video); this leaves room for many codecs and extensions.
pub const MAX_FRAME_BYTES: usize = 64 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SdpType {
    Offer,
    Answer,
    Pranswer,
    Rollback,
}

impl SdpType {
    pub fn as_str(self) -> &'static str {
        match self {
            SdpType::Offer => "offer",
            SdpType::Answer => "answer",
            SdpType::Pranswer => "pranswer",
            SdpType::Rollback => "rollback",
        }
    }

    pub fn parse(s: &str) -> Option<SdpType> {
        Some(match s {
            "offer" => SdpType::Offer,
            "answer" => SdpType::Answer,
            "pranswer" => SdpType::Pranswer,
            "rollback" => SdpType::Rollback,
            _ => return None,
        })
    }
}

/// `RTCSessionDescriptionInit`: `{type, sdp}`.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionDescription {
    pub kind: SdpType,
    pub sdp: String,
}

/// `RTCIceCandidateInit`, as `RTCIceCandidate.toJSON()` writes it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct IceCandidate {
    pub candidate: String,
    pub sdp_mid: Option<String>,
    pub sdp_m_line_index: Option<u16>,
    pub username_fragment: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    /// server → new client.
    Id { id: u64 },
    /// client → server, right after `id`.
    Username { id: u64, name: String, date: f64 },
    /// server → client whose name had to change; the client adopts `name`.
    RejectUsername { id: Option<u64>, name: String },
    /// server → everyone. `None` is a connection that has not sent a name yet.
    UserList { users: Vec<Option<String>> },
    /// Chat text. The client sends `id`, `text`, `date`; the server adds `name`.
    Chat {
        id: Option<u64>,
        name: Option<String>,
        text: String,
        date: f64,
    },
    VideoOffer {
        name: String,
        target: String,
        sdp: SessionDescription,
        call: Option<String>,
    },
    VideoAnswer {
        name: String,
        target: String,
        sdp: SessionDescription,
        call: Option<String>,
    },
    /// The sample sends no `name` here; we send one (and our relay stamps it).
    NewIceCandidate {
        name: Option<String>,
        target: String,
        candidate: IceCandidate,
        call: Option<String>,
    },
    /// `target` is `None` when a sample client sent `null`/`""` (its bug 1).
    HangUp {
        name: Option<String>,
        target: Option<String>,
        call: Option<String>,
        reason: Option<String>,
    },
    /// relay → client: the relay refused a frame (bad JSON, too large, too fast).
    Error { text: String },
    /// Any other `type`, kept whole so it can be passed on unchanged.
    Unknown { kind: String, raw: Value },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeError {
    TooLarge {
        bytes: usize,
    },
    /// Not JSON at all, or nested beyond [`crate::json::MAX_DEPTH`].
    NotJson,
    NotAnObject,
    MissingType,
    MissingField {
        kind: &'static str,
        field: &'static str,
    },
    WrongType {
        kind: &'static str,
        field: &'static str,
    },
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text())
    }
}

impl DecodeError {
    /// What [`Display`](fmt::Display) writes, built without `core::fmt` (the wasm client logs
    /// it; `crate::digits`).
    pub fn text(&self) -> String {
        use crate::digits::dec;
        match self {
            DecodeError::TooLarge { bytes } => [
                "message too large (",
                &dec(*bytes as u64),
                " bytes, limit ",
                &dec(MAX_FRAME_BYTES as u64),
                ")",
            ]
            .concat(),
            DecodeError::NotJson => "message is not valid JSON".to_owned(),
            DecodeError::NotAnObject => "message is not a JSON object".to_owned(),
            DecodeError::MissingType => "message has no \"type\"".to_owned(),
            DecodeError::MissingField { kind, field } => {
                ["\"", kind, "\" message lacks \"", field, "\""].concat()
            }
            DecodeError::WrongType { kind, field } => {
                ["\"", kind, "\" message has a malformed \"", field, "\""].concat()
            }
        }
    }
}

impl core::error::Error for DecodeError {}

impl Message {
    /// The wire `type` of this message.
    pub fn kind(&self) -> &str {
        match self {
            Message::Id { .. } => "id",
            Message::Username { .. } => "username",
            Message::RejectUsername { .. } => "rejectusername",
            Message::UserList { .. } => "userlist",
            Message::Chat { .. } => "message",
            Message::VideoOffer { .. } => "video-offer",
            Message::VideoAnswer { .. } => "video-answer",
            Message::NewIceCandidate { .. } => "new-ice-candidate",
            Message::HangUp { .. } => "hang-up",
            Message::Error { .. } => "error",
            Message::Unknown { kind, .. } => kind,
        }
    }

    /// Decodes a parsed frame. Total: every input gives a message or a [`DecodeError`].
    /// Numbers read as names are written as [`number_to_string`] writes them.
    pub fn from_value(v: &Value) -> Result<Message, DecodeError> {
        Message::from_value_with(v, number_to_string)
    }

    /// [`Message::from_value`], writing numbers read as names with `name` (the browser passes
    /// JavaScript's `String(n)`).
    pub fn from_value_with(v: &Value, name: NumberName) -> Result<Message, DecodeError> {
        if !matches!(v, Value::Object(_)) {
            return Err(DecodeError::NotAnObject);
        }
        let kind = v
            .get("type")
            .and_then(Value::as_str)
            .ok_or(DecodeError::MissingType)?;
        let f = Fields {
            v,
            kind: kind_name(kind),
            name,
        };
        Ok(match kind {
            "id" => Message::Id {
                id: f.req_id("id")?,
            },
            "username" => Message::Username {
                id: f.opt_id("id")?.unwrap_or(0),
                name: f.req_text("name")?,
                date: f.date(),
            },
            "rejectusername" => Message::RejectUsername {
                id: f.opt_id("id")?,
                name: f.req_text("name")?,
            },
            "userlist" => Message::UserList {
                users: match v.get("users") {
                    Some(Value::Array(items)) => items.iter().map(|u| text(u, name)).collect(),
                    Some(_) => return Err(f.wrong("users")),
                    None => return Err(f.missing("users")),
                },
            },
            "message" => Message::Chat {
                id: f.opt_id("id")?,
                name: f.opt_text("name")?,
                text: f.req_text("text")?,
                date: f.date(),
            },
            "video-offer" | "video-answer" => {
                let name = f.req_text("name")?;
                let target = f.req_text("target")?;
                let sdp = f.sdp()?;
                let call = f.opt_text("call")?;
                if kind == "video-offer" {
                    Message::VideoOffer {
                        name,
                        target,
                        sdp,
                        call,
                    }
                } else {
                    Message::VideoAnswer {
                        name,
                        target,
                        sdp,
                        call,
                    }
                }
            }
            "new-ice-candidate" => Message::NewIceCandidate {
                name: f.opt_text("name")?,
                target: f.req_text("target")?,
                candidate: f.candidate()?,
                call: f.opt_text("call")?,
            },
            "hang-up" => Message::HangUp {
                name: f.opt_text("name")?,
                target: f.opt_text("target")?.filter(|t| !t.is_empty()),
                call: f.opt_text("call")?,
                reason: f.opt_text("reason")?,
            },
            "error" => Message::Error {
                text: f.opt_text("text")?.unwrap_or_default(),
            },
            other => Message::Unknown {
                kind: other.to_owned(),
                raw: v.clone(),
            },
        })
    }

    /// The frame as a JSON value, with exactly the fields the sample's server and client use
    /// (plus our optional extensions when set).
    pub fn to_value(&self) -> Value {
        let s = |t: &str| Some(Value::from(t));
        let os = |t: &Option<String>| t.as_deref().map(Value::from);
        match self {
            Message::Id { id } => Value::object([("type", s("id")), ("id", Some((*id).into()))]),
            Message::Username { id, name, date } => Value::object([
                ("type", s("username")),
                ("id", Some((*id).into())),
                ("name", s(name)),
                ("date", Some((*date).into())),
            ]),
            Message::RejectUsername { id, name } => Value::object([
                ("type", s("rejectusername")),
                ("id", id.map(Value::from)),
                ("name", s(name)),
            ]),
            Message::UserList { users } => Value::object([
                ("type", s("userlist")),
                (
                    "users",
                    Some(Value::Array(
                        users
                            .iter()
                            .map(|u| u.as_deref().map_or(Value::Null, Value::from))
                            .collect(),
                    )),
                ),
            ]),
            Message::Chat {
                id,
                name,
                text,
                date,
            } => Value::object([
                ("type", s("message")),
                ("id", id.map(Value::from)),
                ("name", os(name)),
                ("text", s(text)),
                ("date", Some((*date).into())),
            ]),
            Message::VideoOffer {
                name,
                target,
                sdp,
                call,
            }
            | Message::VideoAnswer {
                name,
                target,
                sdp,
                call,
            } => Value::object([
                ("type", s(self.kind())),
                ("name", s(name)),
                ("target", s(target)),
                ("sdp", Some(sdp.to_value())),
                ("call", os(call)),
            ]),
            Message::NewIceCandidate {
                name,
                target,
                candidate,
                call,
            } => Value::object([
                ("type", s("new-ice-candidate")),
                ("name", os(name)),
                ("target", s(target)),
                ("candidate", Some(candidate.to_value())),
                ("call", os(call)),
            ]),
            Message::HangUp {
                name,
                target,
                call,
                reason,
            } => Value::object([
                ("type", s("hang-up")),
                ("name", os(name)),
                // The sample's clients send `target` always; an absent one would be `null`.
                (
                    "target",
                    Some(target.as_deref().map_or(Value::Null, Value::from)),
                ),
                ("call", os(call)),
                ("reason", os(reason)),
            ]),
            Message::Error { text } => Value::object([("type", s("error")), ("text", s(text))]),
            Message::Unknown { raw, .. } => raw.clone(),
        }
    }

    /// Compact JSON text of [`Message::to_value`] (natively; the browser writes it with
    /// `JSON.stringify`).
    #[cfg(feature = "json")]
    pub fn to_json(&self) -> String {
        self.to_value().to_json()
    }

    /// Parses and decodes a text frame (native users; the browser parses with `JSON.parse`).
    #[cfg(feature = "json")]
    pub fn decode(text: &str) -> Result<Message, DecodeError> {
        Message::from_value(&parse(text)?)
    }
}

/// Parses a text frame into a [`Value`], refusing oversize frames before parsing them.
#[cfg(feature = "json")]
pub fn parse(text: &str) -> Result<Value, DecodeError> {
    if text.len() > MAX_FRAME_BYTES {
        return Err(DecodeError::TooLarge { bytes: text.len() });
    }
    serde_json::from_str(text).map_err(|_| DecodeError::NotJson)
}

impl SessionDescription {
    pub fn to_value(&self) -> Value {
        Value::object([
            ("type", Some(Value::from(self.kind.as_str()))),
            ("sdp", Some(Value::from(self.sdp.as_str()))),
        ])
    }

    pub fn from_value(v: &Value) -> Option<SessionDescription> {
        Some(SessionDescription {
            kind: SdpType::parse(v.get("type")?.as_str()?)?,
            // A rollback has no sdp; an absent one reads as empty, as the browser does.
            sdp: match v.get("sdp") {
                None | Some(Value::Null) => String::new(),
                Some(s) => s.as_str()?.to_owned(),
            },
        })
    }
}

impl IceCandidate {
    pub fn to_value(&self) -> Value {
        let or_null = |o: Option<Value>| Some(o.unwrap_or(Value::Null));
        Value::object([
            ("candidate", Some(Value::from(self.candidate.as_str()))),
            ("sdpMid", or_null(self.sdp_mid.as_deref().map(Value::from))),
            (
                "sdpMLineIndex",
                or_null(self.sdp_m_line_index.map(|i| Value::Number(i.into()))),
            ),
            (
                "usernameFragment",
                or_null(self.username_fragment.as_deref().map(Value::from)),
            ),
        ])
    }

    pub fn from_value(v: &Value) -> Option<IceCandidate> {
        IceCandidate::from_value_with(v, number_to_string)
    }

    /// [`IceCandidate::from_value`], writing numbers read as text with `name`.
    pub fn from_value_with(v: &Value, name: NumberName) -> Option<IceCandidate> {
        if !matches!(v, Value::Object(_)) {
            return None;
        }
        let opt = |key| match v.get(key) {
            None | Some(Value::Null) => Some(None),
            Some(x) => text(x, name).map(Some),
        };
        let index = match v.get("sdpMLineIndex") {
            None | Some(Value::Null) => None,
            Some(Value::Number(n)) if is_integral(*n) && (0.0..=65535.0).contains(n) => {
                Some(*n as u16)
            }
            Some(_) => return None,
        };
        let candidate = opt("candidate")?.unwrap_or_default();
        let sdp_mid = opt("sdpMid")?;
        // addIceCandidate needs sdpMid or sdpMLineIndex unless this is end-of-candidates.
        if !candidate.is_empty() && sdp_mid.is_none() && index.is_none() {
            return None;
        }
        Some(IceCandidate {
            candidate,
            sdp_mid,
            sdp_m_line_index: index,
            username_fragment: opt("usernameFragment")?,
        })
    }
}

/// A string, or a number read as its text (as JavaScript's `String(n)`); anything else is
/// `None`.
fn text(v: &Value, name: NumberName) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) if n.is_finite() => Some(name(*n)),
        _ => None,
    }
}

/// Interns the known type names so errors can carry `&'static str`.
fn kind_name(kind: &str) -> &'static str {
    const KNOWN: [&str; 10] = [
        "id",
        "username",
        "rejectusername",
        "userlist",
        "message",
        "video-offer",
        "video-answer",
        "new-ice-candidate",
        "hang-up",
        "error",
    ];
    KNOWN
        .iter()
        .find(|k| **k == kind)
        .copied()
        .unwrap_or("unknown")
}

struct Fields<'a> {
    v: &'a Value,
    kind: &'static str,
    name: NumberName,
}

impl Fields<'_> {
    fn missing(&self, field: &'static str) -> DecodeError {
        DecodeError::MissingField {
            kind: self.kind,
            field,
        }
    }

    fn wrong(&self, field: &'static str) -> DecodeError {
        DecodeError::WrongType {
            kind: self.kind,
            field,
        }
    }

    /// A present, non-empty name or text; numbers are read as text.
    fn req_text(&self, field: &'static str) -> Result<String, DecodeError> {
        match self.v.get(field) {
            None | Some(Value::Null) => Err(self.missing(field)),
            Some(x) => text(x, self.name).ok_or_else(|| self.wrong(field)),
        }
    }

    fn opt_text(&self, field: &'static str) -> Result<Option<String>, DecodeError> {
        match self.v.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(x) => text(x, self.name)
                .map(Some)
                .ok_or_else(|| self.wrong(field)),
        }
    }

    /// Ids are JS numbers (the sample counts up from `Date.now()`). Above
    /// `Number.MAX_SAFE_INTEGER` a JS peer cannot hold one exactly and our own encoding (a JSON
    /// number) would change it, so such ids are refused, from a number or a numeric string alike.
    fn opt_id(&self, field: &'static str) -> Result<Option<u64>, DecodeError> {
        const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;
        let id = match self.v.get(field) {
            None | Some(Value::Null) => return Ok(None),
            Some(Value::Number(n)) if is_integral(*n) && *n >= 0.0 => Some(*n as u64),
            Some(Value::String(s)) => s.trim().parse().ok(),
            Some(_) => None,
        };
        match id {
            Some(id) if id <= MAX_SAFE_INTEGER => Ok(Some(id)),
            _ => Err(self.wrong(field)),
        }
    }

    fn req_id(&self, field: &'static str) -> Result<u64, DecodeError> {
        self.opt_id(field)?.ok_or_else(|| self.missing(field))
    }

    /// The sample's clients always send `date`; a missing or odd one is not worth a refusal.
    fn date(&self) -> f64 {
        self.v
            .get("date")
            .and_then(Value::as_f64)
            .filter(|d| d.is_finite())
            .unwrap_or(0.0)
    }

    fn sdp(&self) -> Result<SessionDescription, DecodeError> {
        match self.v.get("sdp") {
            None | Some(Value::Null) => Err(self.missing("sdp")),
            Some(x) => SessionDescription::from_value(x).ok_or_else(|| self.wrong("sdp")),
        }
    }

    fn candidate(&self) -> Result<IceCandidate, DecodeError> {
        match self.v.get("candidate") {
            None | Some(Value::Null) => Err(self.missing("candidate")),
            Some(x) => {
                IceCandidate::from_value_with(x, self.name).ok_or_else(|| self.wrong("candidate"))
            }
        }
    }
}
