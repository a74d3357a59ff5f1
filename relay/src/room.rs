//! The relay's routing state, sans I/O: connections, their names, and who is in a call with
//! whom. Frames and the clock come in as arguments; what to send (and whom to close) goes out
//! as [`Effect`]s. No sockets, so every path is tested here with plain function calls.
//!
//! Behaviour follows MDN's `chatserver.js` (docs/protocol.md) wherever a client could tell the
//! difference, and is stricter where no client can be broken by it:
//! - the sender's `name` is stamped on everything forwarded (the sample trusts the client's);
//! - call messages are never broadcast: an untargeted one goes to the sender's current peer
//!   (known from the offers and answers routed), or nowhere (the sample broadcasts a sample
//!   client's `hang-up` with `target: null` and tears down every call in the room, its bug 1);
//! - frames only the server sends (`id`, `userlist`, `rejectusername`, `error`) are refused,
//!   so nobody can rewrite another client's user list or id;
//! - forwarding needs a user name (sample clients always send one first).

use std::collections::{BTreeMap, HashMap};

use chat_protocol::json::Value;
use chat_protocol::{self as protocol, number_to_string, DecodeError, Message, MAX_FRAME_BYTES};
use chat_protocol::{CALL_KINDS, SERVER_ONLY_KINDS};

use crate::limit::{Rate, TokenBucket, Verdict};
use crate::text::{clean_name, name_key, strip_tags};
use crate::user_list::{self, entry_bytes};

/// A connection's id: also the `id` the client is told, counting up from the server's start
/// time in milliseconds, as in the sample.
pub type ConnId = u64;

/// WebSocket close code "policy violation" (RFC 6455, 7.4.1), used for rate-limit abuse.
pub const CLOSE_POLICY_VIOLATION: u16 = 1008;

/// How every `error` frame starts (`Message::Error`'s encoding).
const ERROR_PREFIX: &str = r#"{"type":"error""#;

const NOT_LOGGED_IN: &str = "send a \"username\" message before anything else";

/// The refusal of a login whose name the user list has no room for, on one relay or across
/// relays alike.
const LIST_FULL: &str = "the room's user list is full: try a shorter name, or another room";

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limits {
    /// Largest text frame accepted, in bytes (at most [`MAX_FRAME_BYTES`]: clients refuse
    /// larger frames anyway).
    pub max_frame_bytes: usize,
    /// Largest `userlist` frame: a login (or connection) that would make the room's list
    /// larger is refused. At most [`MAX_FRAME_BYTES`], what clients accept; lower caps rooms.
    pub max_list_bytes: usize,
    pub rate: Rate,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_frame_bytes: MAX_FRAME_BYTES,
            max_list_bytes: MAX_FRAME_BYTES,
            rate: Rate {
                per_sec: 50.0,
                burst: 200,
            },
        }
    }
}

/// Something the I/O layer must do.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Send this text frame to each connection in `to`, in order.
    Send { to: Vec<ConnId>, frame: String },
    /// Send these connections the room's current user list (only with
    /// [`Room::set_lazy_user_lists`]; otherwise lists are `Send`s like any frame).
    UserList { to: Vec<ConnId> },
    /// Close this connection with a WebSocket close code. The I/O layer then calls
    /// [`Room::disconnect`].
    Close {
        conn: ConnId,
        code: u16,
        reason: &'static str,
    },
    // The variants below come only with [`Room::set_clustered`] (`relay --redis`,
    // docs/scale-out.md): the I/O layer performs them with the cluster, in order, outside its
    // lock, and feeds the outcome of a `Claim` back through [`Room::claimed`].
    /// Claim `name_key` across relays for `conn` (it asked to be called `display`).
    Claim {
        conn: ConnId,
        name_key: String,
        display: String,
    },
    /// `conn` no longer holds `name_key` (renamed or gone).
    Release { conn: ConnId, name_key: String },
    /// To the user `name_key`, who is not on this relay (dropped if no relay holds them).
    ToUser { name_key: String, frame: String },
    /// An untargeted call message from `from_key`, who has no call peer on this relay: to its
    /// peer on another relay, if the shared call links know one. `unlink`: a hang-up, so the
    /// link ends too.
    ToPeerOf {
        from_key: String,
        frame: String,
        unlink: bool,
    },
    /// To every other relay's connections in the room.
    Publish { frame: String },
    /// Record that `from_key` is in a call with `to_key` (only if `from_key` has no other
    /// peer, with `if_free`).
    Link {
        from_key: String,
        to_key: String,
        if_free: bool,
    },
    /// `from_key` is no longer in a call with `to_key`.
    Unlink { from_key: String, to_key: String },
}

/// A name being claimed across relays: what the connection asked for, the base of the
/// candidates (`base + counter`, as the sample), and the candidate under claim.
#[derive(Debug, Clone)]
struct Pending {
    requested: String,
    base: String,
    candidate: String,
    /// Candidates refused so far: bounded, so a Redis that refuses everything cannot loop.
    tries: u32,
}

/// Candidates tried across relays before the login is refused.
const MAX_CLAIM_TRIES: u32 = 200;

/// One side of a call as the relay saw it: the peer, and the call token (our protocol
/// extension) if the client sent one, so a "gone" hang-up can carry it.
#[derive(Debug, Clone)]
struct CallLink {
    peer: ConnId,
    token: Option<String>,
}

#[derive(Debug)]
struct Conn {
    name: Option<String>,
    /// From a join token: the only name this connection can have, reserved from the start.
    fixed: Option<String>,
    /// The last `video-offer` it sent went to this connection: only an answer from there
    /// links a call (an unsolicited `video-answer` must not re-point anyone's call).
    offered_to: Option<ConnId>,
    call: Option<CallLink>,
    bucket: TokenBucket,
    /// Clustered: the name under claim (reserved in `names` meanwhile).
    pending: Option<Pending>,
}

/// Counts for the relay's metrics, taken (and reset) by the I/O layer after each call.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RoomStats {
    /// `username` messages accepted.
    pub logins: u64,
    /// Messages forwarded (once each, however many recipients).
    pub routed: u64,
    /// Messages not forwarded: over the rate limit.
    pub dropped_rate_limited: u64,
    /// Messages not forwarded: no user by the `target` name in the room.
    pub dropped_unknown_target: u64,
    /// Untargeted call messages not forwarded: no call peer known.
    pub dropped_no_peer: u64,
    /// Frames refused over the rate limit (each is a strike, see [`TokenBucket`]).
    pub rate_limit_strikes: u64,
    /// Connections closed for persistent abuse of the rate limit.
    pub rate_limit_closes: u64,
    /// Frames answered with an `error` (malformed, too large, binary, not logged in, ...).
    pub rejected_frames: u64,
}

#[derive(Debug)]
pub struct Room {
    limits: Limits,
    stats: RoomStats,
    /// Set by `admit` when the rate limit refused the current frame.
    limited: bool,
    /// See [`Room::set_lazy_user_lists`].
    lazy_lists: bool,
    /// See [`Room::set_clustered`].
    clustered: bool,
    next_id: ConnId,
    /// The sample's `appendToMakeUnique`: one counter for the server's lifetime.
    suffix: u64,
    /// Ordered by id, i.e. by connection order, like the sample's `connectionArray`.
    conns: BTreeMap<ConnId, Conn>,
    /// [`name_key`] of every name in use or reserved (join tokens) → its holder.
    names: HashMap<String, ConnId>,
    /// The room's `userlist` entries' encoded size ([`user_list::entry_bytes`]), kept as names
    /// come and go, so that a login or connection that would make the frame larger than
    /// `limits.max_list_bytes` is refused.
    list_entries: usize,
}

/// Why a connection cannot join a room.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JoinError {
    /// Its join token's name is held by another connection.
    NameInUse,
    /// The user list could not list one more connection within the frame limit.
    RoomFull,
}

impl Room {
    pub fn new(first_id: ConnId, limits: Limits) -> Room {
        Room {
            limits,
            stats: RoomStats::default(),
            limited: false,
            lazy_lists: false,
            clustered: false,
            next_id: first_id,
            suffix: 1,
            conns: BTreeMap::new(),
            names: HashMap::new(),
            list_entries: 0,
        }
    }

    pub fn len(&self) -> usize {
        self.conns.len()
    }

    /// The counts since the last call.
    pub fn take_stats(&mut self) -> RoomStats {
        std::mem::take(&mut self.stats)
    }

    pub fn is_empty(&self) -> bool {
        self.conns.is_empty()
    }

    /// The names in the order of the user list (`None`: no name yet).
    pub fn names(&self) -> Vec<Option<String>> {
        self.conns.values().map(|c| c.name.clone()).collect()
    }

    pub fn name_of(&self, conn: ConnId) -> Option<&str> {
        self.conns.get(&conn)?.name.as_deref()
    }

    /// Who `conn`'s untargeted call messages would go to.
    pub fn peer_of(&self, conn: ConnId) -> Option<ConnId> {
        Some(self.conns.get(&conn)?.call.as_ref()?.peer)
    }

    /// A new connection: it is told its id.
    pub fn connect(&mut self, now_ms: u64) -> (ConnId, Vec<Effect>) {
        let id = self.next_id;
        self.next_id += 1;
        (id, self.connect_as(id, now_ms).unwrap_or_default())
    }

    /// A new connection with an id chosen by the caller (unique across the relay's rooms,
    /// and larger than every id already here, so the user list stays in connection order).
    pub fn connect_as(&mut self, id: ConnId, now_ms: u64) -> Result<Vec<Effect>, JoinError> {
        self.connect_named(id, now_ms, None)
    }

    /// True if a connection has, or has reserved (join token), this name or one that would
    /// look the same (see [`name_key`]).
    pub fn name_in_use(&self, name: &str) -> bool {
        self.holder(name).is_some()
    }

    fn holder(&self, name: &str) -> Option<ConnId> {
        self.names.get(&name_key(name)).copied()
    }

    /// The size of the `userlist` frame this room sends now.
    pub fn list_bytes(&self) -> usize {
        user_list::frame_bytes(self.list_entries)
    }

    /// [`Room::connect_as`] for a connection that can only ever have the name `fixed` (a join
    /// token's), reserved now so that nobody logging in first can take it. `None` if someone
    /// here already has it.
    pub fn connect_named(
        &mut self,
        id: ConnId,
        now_ms: u64,
        fixed: Option<String>,
    ) -> Result<Vec<Effect>, JoinError> {
        if fixed.as_deref().is_some_and(|name| self.name_in_use(name)) {
            return Err(JoinError::NameInUse);
        }
        // Room for its `null` now, and for its longest possible name later is checked then.
        let list_entries = self.list_entries + entry_bytes(None);
        if user_list::frame_bytes(list_entries) > self.limits.max_list_bytes {
            return Err(JoinError::RoomFull);
        }
        self.list_entries = list_entries;
        if let Some(name) = &fixed {
            self.names.insert(name_key(name), id);
        }
        self.conns.insert(
            id,
            Conn {
                name: None,
                fixed,
                offered_to: None,
                call: None,
                bucket: TokenBucket::new(self.limits.rate, now_ms),
                pending: None,
            },
        );
        Ok(vec![send(id, &Message::Id { id })])
    }

    /// A connection is gone: its call peers get a `hang-up` (reason `gone`) so they end the
    /// call at once, and everyone gets the new user list.
    pub fn disconnect(&mut self, conn: ConnId) -> Vec<Effect> {
        let Some(gone) = self.conns.remove(&conn) else {
            return Vec::new();
        };
        self.list_entries -= entry_bytes(gone.name.as_deref());
        let pending = gone.pending.as_ref().map(|p| &p.candidate);
        for name in [gone.name.as_ref(), gone.fixed.as_ref(), pending]
            .into_iter()
            .flatten()
        {
            let key = name_key(name);
            if self.names.get(&key) == Some(&conn) {
                self.names.remove(&key);
            }
        }
        let mut effects = Vec::new();
        if let (true, Some(name)) = (self.clustered, &gone.name) {
            let key = name_key(name);
            // A peer on another relay hears `gone` too (before the release takes the link).
            if gone.call.is_none() {
                let hang_up = Message::HangUp {
                    name: Some(name.clone()),
                    target: None,
                    call: None,
                    reason: Some("gone".into()),
                };
                effects.push(Effect::ToPeerOf {
                    from_key: key.clone(),
                    frame: hang_up.to_json(),
                    unlink: true,
                });
            }
            effects.push(Effect::Release {
                conn,
                name_key: key,
            });
        }
        for (&id, c) in &mut self.conns {
            if c.call.as_ref().is_some_and(|l| l.peer == conn) {
                let token = c.call.take().and_then(|l| l.token);
                if let (Some(name), Some(peer_name)) = (&gone.name, &c.name) {
                    let hang_up = Message::HangUp {
                        name: Some(name.clone()),
                        target: Some(peer_name.clone()),
                        call: token,
                        reason: Some("gone".into()),
                    };
                    effects.push(send(id, &hang_up));
                }
            }
        }
        effects.extend(self.userlist());
        effects
    }

    /// A binary frame: counted against the rate limit, then refused (the protocol is JSON text).
    pub fn receive_binary(&mut self, conn: ConnId, now_ms: u64) -> Vec<Effect> {
        if let Err(early) = self.admit(conn, now_ms) {
            return early;
        }
        self.stats.rejected_frames += 1;
        error(conn, "binary frames are not supported: send JSON text")
    }

    /// A ping or pong: counted against the rate limit (a flood of them is closed like any
    /// other), otherwise nothing to do.
    pub fn receive_control(&mut self, conn: ConnId, now_ms: u64) -> Vec<Effect> {
        match self.admit(conn, now_ms) {
            Ok(()) => Vec::new(),
            // No error reply for a control frame: just the close, if it comes to that.
            Err(early) => early
                .into_iter()
                .filter(|e| matches!(e, Effect::Close { .. }))
                .collect(),
        }
    }

    /// A text frame from `conn`.
    pub fn receive_text(&mut self, conn: ConnId, text: &str, now_ms: u64) -> Vec<Effect> {
        let parsed = parse_frame(text, self.limits.max_frame_bytes);
        self.receive_parsed(conn, parsed, now_ms)
    }

    /// [`Room::receive_text`] for a frame already through [`parse_frame`], which needs no
    /// room state: the I/O layer parses before taking the room's lock.
    pub fn receive_parsed(&mut self, conn: ConnId, parsed: Parsed, now_ms: u64) -> Vec<Effect> {
        let effects = self.handle_parsed(conn, parsed, now_ms);
        // Every refusal is a single `error` reply to the sender (the rate limit's are counted
        // apart, in `admit`).
        if let [Effect::Send { to, frame }] = effects.as_slice() {
            if to.as_slice() == [conn] && frame.starts_with(ERROR_PREFIX) && !self.limited {
                self.stats.rejected_frames += 1;
            }
        }
        self.limited = false;
        effects
    }

    fn handle_parsed(&mut self, conn: ConnId, parsed: Parsed, now_ms: u64) -> Vec<Effect> {
        if let Err(early) = self.admit(conn, now_ms) {
            return early;
        }
        let (kind, frame) = match parsed {
            Ok(parsed) => parsed,
            Err(text) => return error(conn, text),
        };
        match kind.as_str() {
            "username" => self.username(conn, &frame),
            "message" => self.chat(conn, frame),
            k if CALL_KINDS.contains(&k) => self.call_message(conn, frame),
            k if SERVER_ONLY_KINDS.contains(&k) => error(
                conn,
                format!("\"{k}\" messages are sent by the server only"),
            ),
            _ => self.other(conn, frame),
        }
    }

    /// The rate limit. `Err` holds what to do instead of handling the frame.
    fn admit(&mut self, conn: ConnId, now_ms: u64) -> Result<(), Vec<Effect>> {
        let rate = self.limits.rate;
        let Some(c) = self.conns.get_mut(&conn) else {
            return Err(Vec::new());
        };
        let verdict = c.bucket.take(rate, now_ms);
        if verdict != Verdict::Allow {
            self.limited = true;
            self.stats.rate_limit_strikes += 1;
            self.stats.dropped_rate_limited += 1;
        }
        match verdict {
            Verdict::Allow => Ok(()),
            Verdict::Drop { warn: true } => Err(error(
                conn,
                format!(
                    "too many messages (limit {}/s, burst {}): message dropped",
                    rate.per_sec, rate.burst
                ),
            )),
            Verdict::Drop { warn: false } => Err(Vec::new()),
            Verdict::Abuse => Err({
                self.stats.rate_limit_closes += 1;
                vec![Effect::Close {
                    conn,
                    code: CLOSE_POLICY_VIOLATION,
                    reason: "too many messages",
                }]
            }),
        }
    }

    fn username(&mut self, conn: ConnId, frame: &Value) -> Vec<Effect> {
        if self.conns.get(&conn).is_some_and(|c| c.pending.is_some()) {
            // The I/O layer awaits each claim before reading on; a second login can only
            // come from a rename by `name_lost` racing it.
            return error(conn, "a login is already under way");
        }
        let Some(requested) = text_field(frame, "name") else {
            return error(conn, "\"username\" message lacks \"name\"");
        };
        let fixed = self.conns.get(&conn).and_then(|c| c.fixed.clone());
        let base = match fixed {
            // Already checked and reserved: nobody else can hold it.
            Some(fixed) => fixed,
            None => match clean_name(&requested) {
                Ok(name) => name,
                Err(e) => return error(conn, e.to_string()),
            },
        };
        // The sample: while the name is taken, try `base + counter` with one global counter.
        // Unlike the sample, a connection's own current name does not count as taken, so
        // sending the same name again is not a rename.
        let name = self.candidate(conn, &base, base.clone());
        if self.clustered {
            return self.start_claim(conn, requested, base, name, 0);
        }
        self.confirm(conn, name, &requested)
    }

    /// `first`, or while a connection other than `conn` holds it, the next `base + counter`.
    fn candidate(&mut self, conn: ConnId, base: &str, first: String) -> String {
        let mut name = first;
        while self.holder(&name).is_some_and(|id| id != conn) {
            name = format!("{base}{}", self.suffix);
            self.suffix += 1;
        }
        name
    }

    /// Clustered: reserve `name` here and ask the relays for it.
    fn start_claim(
        &mut self,
        conn: ConnId,
        requested: String,
        base: String,
        name: String,
        tries: u32,
    ) -> Vec<Effect> {
        let key = name_key(&name);
        let Some(c) = self.conns.get_mut(&conn) else {
            return Vec::new();
        };
        let own = c.name.as_deref().map(name_key);
        if let Some(old) = c.pending.take() {
            let old = name_key(&old.candidate);
            if self.names.get(&old) == Some(&conn) && own.as_ref() != Some(&old) {
                self.names.remove(&old);
            }
        }
        let Some(c) = self.conns.get_mut(&conn) else {
            return Vec::new();
        };
        c.pending = Some(Pending {
            requested,
            base,
            candidate: name.clone(),
            tries,
        });
        self.names.insert(key.clone(), conn);
        vec![Effect::Claim {
            conn,
            name_key: key,
            display: name,
        }]
    }

    /// Clustered: the outcome of an [`Effect::Claim`] (`won`: this connection holds the name
    /// on every relay, or provisionally while Redis is away). On a loss, the next candidate
    /// is claimed; a join token's name has no other candidate, so the connection is closed.
    pub fn claimed(&mut self, conn: ConnId, key: &str, won: bool) -> Vec<Effect> {
        let release = || {
            vec![Effect::Release {
                conn,
                name_key: key.to_owned(),
            }]
        };
        let Some(c) = self.conns.get_mut(&conn) else {
            // Gone while the claim ran.
            return if won { release() } else { Vec::new() };
        };
        let pending = match c.pending.take() {
            Some(p) if name_key(&p.candidate) == key => p,
            other => {
                c.pending = other;
                return Vec::new();
            }
        };
        if won {
            let effects = self.confirm(conn, pending.candidate.clone(), &pending.requested);
            if self.name_of(conn).map(name_key).as_deref() != Some(key) {
                // Refused after all (the user list is full): the claim is undone.
                if self.names.get(key) == Some(&conn) {
                    self.names.remove(key);
                }
                let mut effects = effects;
                effects.extend(release());
                return effects;
            }
            return effects;
        }
        let fixed = c.fixed.is_some();
        let own = c.name.as_deref().map(name_key);
        if self.names.get(key) == Some(&conn) && own.as_deref() != Some(key) && !fixed {
            self.names.remove(key);
        }
        if fixed {
            let mut effects = error(conn, "name in use on another relay");
            effects.push(Effect::Close {
                conn,
                code: CLOSE_POLICY_VIOLATION,
                reason: "name in use",
            });
            return effects;
        }
        if pending.tries + 1 >= MAX_CLAIM_TRIES {
            return error(conn, "no free name found: try another one");
        }
        let next = format!("{}{}", pending.base, self.suffix);
        self.suffix += 1;
        let name = self.candidate(conn, &pending.base, next);
        self.start_claim(
            conn,
            pending.requested,
            pending.base,
            name,
            pending.tries + 1,
        )
    }

    /// Clustered: the relays' shared user list has no room for `key` (the claim script holds
    /// every relay's names to `limits.max_list_bytes`, docs/scale-out.md). Refused exactly as
    /// one relay refuses it (`confirm`): the same `error`, the connection stays, keeps its
    /// current name if it has one, and can try a shorter one.
    pub fn claim_full(&mut self, conn: ConnId, key: &str) -> Vec<Effect> {
        let Some(c) = self.conns.get_mut(&conn) else {
            return Vec::new();
        };
        match c.pending.take() {
            Some(p) if name_key(&p.candidate) == key => {}
            other => {
                c.pending = other;
                return Vec::new();
            }
        }
        let own = c.name.as_deref().map(name_key);
        if self.names.get(key) == Some(&conn) && own.as_deref() != Some(key) && c.fixed.is_none() {
            self.names.remove(key);
        }
        // Counted as the single relay's refusal is (`receive_parsed`).
        self.stats.rejected_frames += 1;
        error(conn, LIST_FULL)
    }

    /// Clustered: while Redis was away, another relay's connection took `key`, which `conn`
    /// holds here. If it still does, it is renamed (`rejectusername` with a fresh name, claimed
    /// again as any login).
    pub fn name_lost(&mut self, conn: ConnId, key: &str) -> Vec<Effect> {
        let Some(c) = self.conns.get(&conn) else {
            return Vec::new();
        };
        let Some(name) = c.name.clone() else {
            return Vec::new();
        };
        if name_key(&name) != key || c.pending.is_some() {
            return Vec::new();
        }
        if c.fixed.is_some() {
            return vec![Effect::Close {
                conn,
                code: CLOSE_POLICY_VIOLATION,
                reason: "name in use",
            }];
        }
        let next = format!("{name}{}", self.suffix);
        self.suffix += 1;
        let candidate = self.candidate(conn, &name, next);
        self.start_claim(conn, name.clone(), name, candidate, 0)
    }

    /// Clustered: a frame another relay sent to the user `key` here. An untargeted call
    /// message (routed by the shared call links) gets its recipient as `target`, as local
    /// ones do.
    pub fn deliver(&mut self, key: &str, frame: &str) -> Vec<Effect> {
        let Some(to) = self.names.get(key).copied() else {
            return Vec::new();
        };
        // Its name, not one it is still claiming (a reservation names nobody yet).
        let Some(name) = self.name_of(to).map(str::to_owned) else {
            return Vec::new();
        };
        if name_key(&name) != key {
            return Vec::new();
        }
        let mut text = frame.to_owned();
        if let Ok((_, mut value)) = parse_frame(frame, MAX_FRAME_BYTES) {
            if matches!(target_of(&value), Ok(None)) {
                set_member(&mut value, "target", name.into());
                text = value.to_json();
            }
        }
        vec![Effect::Send {
            to: vec![to],
            frame: text,
        }]
    }

    /// Clustered: the user list from the relays' shared list (`users`, every relay's named
    /// users in claim order), with this relay's connections that have no name yet as `null`,
    /// as the sample. Never larger than `limits.max_list_bytes`: claims keep the names within
    /// it, but names a relay accepted while Redis was away (re-asserted, not refused, when it
    /// is back) or an older relay's can overshoot; the list is then cut short (see
    /// [`user_list::bounded_frame`]) and the caller logs and counts it.
    pub fn union_list(&self, users: Vec<String>) -> user_list::Bounded {
        let mut users: Vec<Option<String>> = users.into_iter().map(Some).collect();
        users.extend(
            self.conns
                .values()
                .filter(|c| c.name.is_none())
                .map(|_| None),
        );
        user_list::bounded_frame(users, self.limits.max_list_bytes)
    }

    /// Makes `name` `conn`'s name: `rejectusername` if it is not what was asked for, then
    /// the user lists.
    fn confirm(&mut self, conn: ConnId, name: String, requested: &str) -> Vec<Effect> {
        let Some(c) = self.conns.get(&conn) else {
            return Vec::new();
        };
        let old = c.name.clone();
        let list_entries =
            self.list_entries - entry_bytes(old.as_deref()) + entry_bytes(Some(&name));
        if user_list::frame_bytes(list_entries) > self.limits.max_list_bytes {
            return error(conn, LIST_FULL);
        }
        self.list_entries = list_entries;
        let mut effects = Vec::new();
        if let Some(old) = &old {
            let key = name_key(old);
            if key != name_key(&name) {
                if self.names.get(&key) == Some(&conn) && c.fixed.is_none() {
                    self.names.remove(&key);
                }
                if self.clustered {
                    effects.push(Effect::Release {
                        conn,
                        name_key: key,
                    });
                }
            }
        }
        self.names.insert(name_key(&name), conn);
        let Some(c) = self.conns.get_mut(&conn) else {
            return Vec::new();
        };
        c.name = Some(name.clone());
        self.stats.logins += 1;
        if name != requested {
            let reject = Message::RejectUsername {
                id: Some(conn),
                name,
            };
            effects.push(send(conn, &reject));
        }
        effects.extend(self.userlist());
        effects
    }

    fn chat(&mut self, conn: ConnId, mut frame: Value) -> Vec<Effect> {
        let Some(name) = self.name_of(conn).map(str::to_owned) else {
            return error(conn, NOT_LOGGED_IN);
        };
        let Some(text) = text_field(&frame, "text") else {
            return error(conn, "\"message\" message lacks \"text\"");
        };
        set_member(&mut frame, "name", name.into());
        set_member(&mut frame, "text", strip_tags(&text).into());
        self.route_plain(conn, frame)
    }

    /// Any type the relay does not know: passed through like the sample does.
    fn other(&mut self, conn: ConnId, mut frame: Value) -> Vec<Effect> {
        let Some(name) = self.name_of(conn).map(str::to_owned) else {
            return error(conn, NOT_LOGGED_IN);
        };
        set_member(&mut frame, "name", name.into());
        self.route_plain(conn, frame)
    }

    /// The sample's routing: to the user named by `target`, else to everyone (sender included).
    fn route_plain(&mut self, conn: ConnId, frame: Value) -> Vec<Effect> {
        let to = match target_of(&frame) {
            Err(e) => return error(conn, e),
            Ok(Some(target)) => match self.find(&target) {
                Some(id) => vec![id],
                // On another relay, if any holds that name.
                None if self.clustered => {
                    return match encode(&frame) {
                        Ok(frame) => {
                            self.stats.routed += 1;
                            vec![Effect::ToUser {
                                name_key: name_key(&target),
                                frame,
                            }]
                        }
                        Err(text) => error(conn, text),
                    };
                }
                // The sample drops it silently.
                None => {
                    self.stats.dropped_unknown_target += 1;
                    return Vec::new();
                }
            },
            Ok(None) => self.conns.keys().copied().collect(),
        };
        let everyone = matches!(target_of(&frame), Ok(None));
        match encode(&frame) {
            Ok(frame) => {
                self.stats.routed += 1;
                if self.clustered && everyone {
                    let publish = Effect::Publish {
                        frame: frame.clone(),
                    };
                    return vec![Effect::Send { to, frame }, publish];
                }
                vec![Effect::Send { to, frame }]
            }
            Err(text) => error(conn, text),
        }
    }

    fn call_message(&mut self, conn: ConnId, mut frame: Value) -> Vec<Effect> {
        let Some(name) = self.name_of(conn).map(str::to_owned) else {
            return error(conn, NOT_LOGGED_IN);
        };
        set_member(&mut frame, "name", name.clone().into());
        let to = match target_of(&frame) {
            Err(e) => return error(conn, e),
            Ok(Some(target)) => match self.find(&target) {
                Some(id) => id,
                None if self.clustered => return self.call_remote(conn, &name, &target, frame),
                None => {
                    self.stats.dropped_unknown_target += 1;
                    return Vec::new();
                }
            },
            // No target (a sample client's `hang-up`): the peer, if the relay knows one.
            Ok(None) => {
                let Some(peer) = self.peer_of(conn) else {
                    if self.clustered {
                        return self.call_remote_peer(conn, &name, frame);
                    }
                    self.stats.dropped_no_peer += 1;
                    return Vec::new();
                };
                let Some(peer_name) = self.name_of(peer).map(str::to_owned) else {
                    return Vec::new();
                };
                set_member(&mut frame, "target", peer_name.into());
                peer
            }
        };
        let (message, encoded) = match checked(&frame) {
            Ok(checked) => checked,
            Err(text) => return error(conn, text),
        };
        if to != conn {
            self.track(conn, to, &message);
        }
        self.stats.routed += 1;
        vec![Effect::Send {
            to: vec![to],
            frame: encoded,
        }]
    }

    /// Clustered: a call message to `target`, who is not on this relay. The call links are
    /// kept in Redis (docs/scale-out.md, step 7), mirroring [`Room::track`].
    fn call_remote(&mut self, conn: ConnId, name: &str, target: &str, frame: Value) -> Vec<Effect> {
        let (message, encoded) = match checked(&frame) {
            Ok(checked) => checked,
            Err(text) => return error(conn, text),
        };
        let (from_key, to_key) = (name_key(name), name_key(target));
        let link = |from: &String, to: &String, if_free| Effect::Link {
            from_key: from.clone(),
            to_key: to.clone(),
            if_free,
        };
        let unlink = |from: &String, to: &String| Effect::Unlink {
            from_key: from.clone(),
            to_key: to.clone(),
        };
        let mut effects = Vec::new();
        match message {
            Message::VideoOffer { .. } | Message::VideoAnswer { .. } => {
                // Its peer is now on another relay: a local link would win over it.
                if let Some(c) = self.conns.get_mut(&conn) {
                    c.call = None;
                    c.offered_to = None;
                }
                effects.push(link(&from_key, &to_key, false));
                effects.push(link(&to_key, &from_key, true));
            }
            Message::HangUp { .. } => {
                effects.push(unlink(&from_key, &to_key));
                effects.push(unlink(&to_key, &from_key));
            }
            _ => {}
        }
        self.stats.routed += 1;
        effects.push(Effect::ToUser {
            name_key: to_key,
            frame: encoded,
        });
        effects
    }

    /// Clustered: an untargeted call message from a connection with no peer here.
    fn call_remote_peer(&mut self, conn: ConnId, name: &str, frame: Value) -> Vec<Effect> {
        let unlink = matches!(Message::from_value(&frame), Ok(Message::HangUp { .. }));
        match encode(&frame) {
            Ok(frame) => {
                self.stats.routed += 1;
                vec![Effect::ToPeerOf {
                    from_key: name_key(name),
                    frame,
                    unlink,
                }]
            }
            Err(text) => error(conn, text),
        }
    }

    /// Remembers calls from the messages routed between `from` and `to`.
    fn track(&mut self, from: ConnId, to: ConnId, message: &Message) {
        match message {
            Message::VideoOffer { call, .. } => {
                if let Some(c) = self.conns.get_mut(&from) {
                    c.offered_to = Some(to);
                }
                self.link(from, to, call);
                // The callee's side too, unless it is in another call (it will decline; that
                // call's peer must still get its hang-ups).
                if self.peer_of(to).is_none_or(|p| p == from) {
                    self.link(to, from, call);
                }
            }
            // Only an answer to an offer `to` sent to `from` makes (or confirms) a call.
            Message::VideoAnswer { call, .. }
                if self.conns.get(&to).and_then(|c| c.offered_to) == Some(from) =>
            {
                self.link(from, to, call);
                self.link(to, from, call);
            }
            Message::HangUp { .. } => {
                for (a, b) in [(from, to), (to, from)] {
                    self.unlink(a, b);
                    if let Some(c) = self.conns.get_mut(&a) {
                        if c.offered_to == Some(b) {
                            c.offered_to = None;
                        }
                    }
                }
            }
            _ => {}
        }
    }

    fn link(&mut self, a: ConnId, b: ConnId, token: &Option<String>) {
        let Some(c) = self.conns.get_mut(&a) else {
            return;
        };
        match &mut c.call {
            Some(link) if link.peer == b => {
                if token.is_some() {
                    link.token.clone_from(token);
                }
            }
            _ => {
                c.call = Some(CallLink {
                    peer: b,
                    token: token.clone(),
                })
            }
        }
    }

    fn unlink(&mut self, a: ConnId, b: ConnId) {
        if let Some(c) = self.conns.get_mut(&a) {
            if c.call.as_ref().is_some_and(|l| l.peer == b) {
                c.call = None;
            }
        }
    }

    /// The connection with this name (names are unique up to [`name_key`]). A reserved
    /// name whose holder has not logged in yet names nobody.
    fn find(&self, name: &str) -> Option<ConnId> {
        let id = self.holder(name)?;
        self.conns.get(&id)?.name.as_ref().map(|_| id)
    }

    fn userlist(&self) -> Option<Effect> {
        if self.conns.is_empty() {
            return None;
        }
        let to = self.conns.keys().copied().collect();
        if self.lazy_lists {
            return Some(Effect::UserList { to });
        }
        Some(Effect::Send {
            to,
            frame: self.user_list_frame(),
        })
    }

    /// The `userlist` frame as it stands now.
    pub fn user_list_frame(&self) -> String {
        Message::UserList {
            users: self.names(),
        }
        .to_json()
    }

    /// From now on, user lists go out as [`Effect::UserList`] (encoded when a connection is
    /// ready to write one, see [`Room::user_list_frame`]) rather than encoded on every change:
    /// a login storm then costs a few encodings, not one per login.
    pub fn set_lazy_user_lists(&mut self, lazy: bool) {
        self.lazy_lists = lazy;
    }

    /// Relays share the room through Redis (`relay --redis`, docs/scale-out.md): logins are
    /// claimed across relays before they are confirmed, frames for users not here and
    /// broadcasts go out as cluster effects ([`Effect::Claim`] and the variants after it).
    pub fn set_clustered(&mut self, clustered: bool) {
        self.clustered = clustered;
    }
}

fn send(to: ConnId, message: &Message) -> Effect {
    Effect::Send {
        to: vec![to],
        frame: message.to_json(),
    }
}

fn error(to: ConnId, text: impl Into<String>) -> Vec<Effect> {
    vec![send(to, &Message::Error { text: text.into() })]
}

/// A text frame parsed: its `type` and the object, or the error to answer with.
pub type Parsed = Result<(String, Value), String>;

/// Parses a text frame (no room state involved, so it runs outside the room's lock).
pub fn parse_frame(text: &str, limit: usize) -> Parsed {
    if text.len() > limit {
        let bytes = text.len();
        return Err(format!("message too large ({bytes} bytes, limit {limit})"));
    }
    let frame = protocol::parse(text).map_err(|e| e.to_string())?;
    if !matches!(frame, Value::Object(_)) {
        return Err(DecodeError::NotAnObject.to_string());
    }
    let Some(kind) = frame.get("type").and_then(Value::as_str).map(str::to_owned) else {
        return Err(DecodeError::MissingType.to_string());
    };
    Ok((kind, frame))
}

/// A call frame as the relay passes it on: decoded (a malformed one would only make the
/// receiver throw: the sample client does `new RTCSessionDescription(msg.sdp)` unguarded, so
/// the sender is told instead) and encoded; the error to answer with otherwise.
fn checked(frame: &Value) -> Result<(Message, String), String> {
    let message = Message::from_value(frame).map_err(|e| e.to_string())?;
    Ok((message, encode(frame)?))
}

/// The frame as text, refused if stamping the name made it larger than clients accept.
fn encode(frame: &Value) -> Result<String, String> {
    let text = frame.to_json();
    if text.len() > MAX_FRAME_BYTES {
        return Err(format!(
            "message too large once the relay added your name (limit {MAX_FRAME_BYTES} bytes)"
        ));
    }
    Ok(text)
}

/// A string member, or a number read as JavaScript's `String(n)` (as `chat_protocol` reads
/// names).
fn text_field(frame: &Value, key: &str) -> Option<String> {
    match frame.get(key)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) if n.is_finite() => Some(number_to_string(*n)),
        _ => None,
    }
}

/// The routing target: `None` when absent, `null` or empty (the sample then broadcasts).
fn target_of(frame: &Value) -> Result<Option<String>, &'static str> {
    match frame.get("target") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.is_empty() => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        // A number is read as JavaScript's `String(n)`, as `chat_protocol` reads names.
        Some(Value::Number(n)) => Ok(Some(number_to_string(*n))),
        Some(_) => Err("\"target\" must be a user name"),
    }
}

/// Sets `key` on an object, dropping any duplicates of it: `JSON.parse` keeps the last of
/// duplicate keys, so a second `"name"` must not survive to override the stamped one.
fn set_member(frame: &mut Value, key: &str, value: Value) {
    let Value::Object(members) = frame else {
        return;
    };
    let mut value = Some(value);
    members.retain_mut(|(k, v)| {
        if k != key {
            return true;
        }
        match value.take() {
            Some(new) => {
                *v = new;
                true
            }
            None => false,
        }
    });
    if let Some(new) = value {
        members.push((key.to_owned(), new));
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod cluster_tests;
