//! Many relays, one room: the cross-node layer on Redis (issue 14, docs/scale-out.md).
//!
//! A relay started with `--redis URL` keeps its sockets and its per-room logic as today and
//! asks this module only what it cannot know alone: whether a name is free on every node, who
//! is in a room on the other nodes, which node holds a user, and who a user is in a call with.
//! Frames for its users arrive from the other nodes as [`Incoming`] events.
//!
//! - [`Cluster`]: the handle (cheap to clone); one background task per relay keeps the
//!   presence alive, reaps dead nodes, reconnects with backoff and resynchronises.
//! - `scripts.rs`: every read-check-write as one Lua script (atomic across nodes).
//! - `keys.rs`: key and channel names. `envelope.rs`: the pub/sub payload.
//! - `local.rs`: what this node holds, re-published after Redis comes back.
//! - `ids.rs`: client ids unique across nodes and below 2^53.
//! - `supervisor.rs`: connection, resync, heartbeat, reaping, the pub/sub reader.
//!
//! Client: the `redis` crate (redis-rs, 1.2; builds on rustc 1.85+), the reference Rust client,
//! with `tokio-comp` and `script` only. Chosen over `fred` for fewer dependencies and a
//! pub/sub connection we own: its stream ends when the connection drops, which is the signal
//! that starts our resync. Its `ConnectionManager` is not used on purpose: it reconnects
//! silently underneath, and after a reconnect we must re-subscribe and re-claim names *before*
//! calling ourselves healthy (pub/sub left broken after a failover is LiveKit's #2464). So one
//! supervisor task owns (re)connection, and every call fails fast with a typed error while it
//! is down.

mod envelope;
pub mod ids;
mod keys;
mod local;
mod scripts;
mod supervisor;

use std::fmt;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use redis::aio::{MultiplexedConnection, PubSubSink};
use redis::AsyncCommands;
use tokio::sync::{mpsc, watch, Notify};
use tokio::task::AbortHandle;

use envelope::Envelope;
use keys::Keys;
use local::{Local, LocalName, Reserve};
use scripts::Scripts;

use crate::user_list;

/// How to reach Redis and how fast to notice a dead node.
#[derive(Debug, Clone)]
pub struct ClusterConfig {
    /// `redis://[:password@]host:port/db`. TLS (`rediss://`) would need the crate's TLS feature,
    /// not enabled.
    pub url: String,
    /// Prepended to every key and channel, so deployments can share a Redis.
    pub prefix: String,
    /// A fixed node number (1..=65535) instead of one drawn from Redis; connecting fails if
    /// a live node holds it.
    pub node: Option<u32>,
    /// Lifetime of a node's presence key: a node killed with `kill -9` is dead for everyone
    /// this long after its last renewal.
    pub presence_ttl: Duration,
    /// How often a live node renews its presence and reaps the dead nodes of its rooms. The
    /// worst case for a dead node's names to go is `presence_ttl + renew_every`.
    pub renew_every: Duration,
    /// Deadline of any one Redis call: past it the call returns [`ClusterError::Timeout`].
    pub op_timeout: Duration,
    /// Reconnection backoff: doubles from `backoff_min` up to `backoff_max`, with jitter.
    pub backoff_min: Duration,
    pub backoff_max: Duration,
    /// Capacity of the [`Incoming`] queue. A full queue slows the pub/sub reader, and Redis
    /// then drops that subscriber (its output buffer limit): a resync follows.
    pub queue: usize,
    /// Largest `userlist` frame of a room's union list (the relay's `--max-list-bytes`): a
    /// claim whose name would take every relay's names past it is refused ([`Claim::Full`]).
    pub max_list_bytes: usize,
}

impl ClusterConfig {
    pub fn new(url: &str) -> ClusterConfig {
        ClusterConfig {
            url: url.to_owned(),
            prefix: "webrtc-chat:".to_owned(),
            node: None,
            // 5 s + 1.5 s: a killed node's names are free within 6.5 s (the issue asks 10 s),
            // while a node survives three missed renewals (a Redis or GC stall) in a row.
            presence_ttl: Duration::from_secs(5),
            renew_every: Duration::from_millis(1500),
            op_timeout: Duration::from_secs(1),
            backoff_min: Duration::from_millis(100),
            backoff_max: Duration::from_secs(3),
            queue: 4096,
            max_list_bytes: chat_protocol::MAX_FRAME_BYTES,
        }
    }
}

/// What other nodes (and the supervisor) tell this relay. The relay's consumer loop routes
/// these to its local connections.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Incoming {
    /// A frame for the user `name_key` of `room`, who is (or was) on this node.
    ToUser {
        room: String,
        name_key: String,
        frame: String,
    },
    /// A frame for every connection of `room` on this node, sent by another node.
    Broadcast { room: String, frame: String },
    /// `room`'s user list may have changed elsewhere (a claim, a release, a dead node reaped,
    /// Redis lost or back): send fresh user lists built from [`Cluster::room_users`] (or,
    /// while that fails, from the local users alone).
    RoomChanged { room: String },
    /// While Redis was unreachable, this node accepted `name_key` provisionally for `conn` and
    /// another node took it meanwhile: that node keeps it. This node's connection must be
    /// renamed or closed. Ignore it if `conn` no longer holds the name.
    NameLost {
        room: String,
        name_key: String,
        conn: u64,
    },
    /// Redis became unreachable (`healthy: false`) or usable again (after the resync); for
    /// the logs. [`Cluster::health`] is the authoritative state for `/healthz`.
    Health { healthy: bool, detail: String },
}

/// The outcome of [`Cluster::claim_name`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claim {
    /// The name is this connection's on every node.
    Claimed,
    /// A connection on this or another node holds it.
    Taken,
    /// Redis is unreachable: the name is held locally and will be claimed on every node when
    /// Redis is back; if another node took it meanwhile, [`Incoming::NameLost`] follows.
    Provisional,
    /// Free, but the room's user list across every node could not list it within
    /// [`ClusterConfig::max_list_bytes`]. Nothing is held.
    Full,
}

/// Why a call did not reach Redis. None of these is fatal: the relay keeps serving its own
/// users and the supervisor reconnects.
#[derive(Debug)]
pub enum ClusterError {
    /// Redis is known to be unreachable (failing fast, without trying).
    Unavailable,
    /// No answer within [`ClusterConfig::op_timeout`].
    Timeout,
    /// Redis answered with an error, or the connection broke during the call.
    Redis(redis::RedisError),
    /// Every node number is held by a live node (only at connect).
    NoNodeNumber,
    /// The node number asked for in [`ClusterConfig::node`] is held by a live node.
    NodeTaken(u32),
    /// [`ClusterConfig::node`] is outside 1..=65535.
    InvalidNode(u32),
}

impl fmt::Display for ClusterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ClusterError::Unavailable => f.write_str("redis is unreachable"),
            ClusterError::Timeout => f.write_str("redis did not answer in time"),
            ClusterError::Redis(e) => write!(f, "redis: {e}"),
            ClusterError::NoNodeNumber => f.write_str("every node number is in use"),
            ClusterError::NodeTaken(n) => write!(f, "node number {n} is held by a live node"),
            ClusterError::InvalidNode(n) => {
                write!(f, "node number {n} is outside 1..={}", ids::MAX_NODE)
            }
        }
    }
}

impl std::error::Error for ClusterError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ClusterError::Redis(e) => Some(e),
            _ => None,
        }
    }
}

impl From<redis::RedisError> for ClusterError {
    fn from(e: redis::RedisError) -> ClusterError {
        ClusterError::Redis(e)
    }
}

/// The handle on the cluster layer. Clone it freely. Dropping the last clone stops the
/// background tasks without telling Redis, exactly as `kill -9` would (the presence key then
/// expires); [`Cluster::shutdown`] leaves cleanly.
#[derive(Clone)]
pub struct Cluster {
    shared: Arc<Shared>,
    _tasks: Arc<Tasks>,
}

/// State shared by the handle and the background tasks.
struct Shared {
    config: ClusterConfig,
    keys: Keys,
    client: redis::Client,
    scripts: Scripts,
    /// Tells this process's presence key from another's holding the same number.
    token: String,
    /// This node's number (changes only if a Redis that lost its data gave it to another node).
    node: AtomicU32,
    next_conn: AtomicU64,
    /// `Some` exactly while healthy: set after a resync, cleared when Redis is lost.
    conn: RwLock<Option<MultiplexedConnection>>,
    local: Mutex<Local>,
    /// The pub/sub subscriptions, in the order they were asked for.
    subs: tokio::sync::Mutex<Subs>,
    health: watch::Sender<bool>,
    /// A call failed: the supervisor checks the connection and resynchronises names.
    trouble: Notify,
    events: mpsc::Sender<Incoming>,
    reader: Mutex<Option<AbortHandle>>,
}

#[derive(Default)]
struct Subs {
    /// The live pub/sub connection's command half, `None` while down.
    sink: Option<PubSubSink>,
    /// room → connections of this node in it.
    rooms: std::collections::BTreeMap<String, usize>,
}

struct Tasks {
    supervisor: AbortHandle,
    shared: Arc<Shared>,
}

impl Drop for Tasks {
    fn drop(&mut self) {
        self.supervisor.abort();
        if let Some(reader) = lock(&self.shared.reader).take() {
            reader.abort();
        }
    }
}

/// A poisoned lock only means another thread panicked mid-update of plain data; keep going.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Cluster {
    /// Connects to Redis, takes a node number and starts the background task. Fails if Redis
    /// is unreachable now (an operator who passed `--redis` wants to hear it at start);
    /// later outages are handled without failing anything.
    pub async fn connect(
        config: ClusterConfig,
    ) -> Result<(Cluster, mpsc::Receiver<Incoming>), ClusterError> {
        if let Some(n) = config.node.filter(|&n| n == 0 || n > ids::MAX_NODE) {
            return Err(ClusterError::InvalidNode(n));
        }
        let client = redis::Client::open(config.url.as_str())?;
        let (events, incoming) = mpsc::channel(config.queue.max(1));
        let (health, _) = watch::channel(false);
        let shared = Arc::new(Shared {
            keys: Keys::new(&config.prefix),
            token: supervisor::unique_token(),
            node: AtomicU32::new(config.node.unwrap_or(0)),
            next_conn: AtomicU64::new(1),
            client,
            scripts: Scripts::new(),
            conn: RwLock::new(None),
            local: Mutex::new(Local::default()),
            subs: tokio::sync::Mutex::new(Subs::default()),
            health,
            trouble: Notify::new(),
            events,
            reader: Mutex::new(None),
            config,
        });
        let reader = match supervisor::establish(&shared).await {
            Ok(reader) => reader,
            Err(e) => {
                // A reader may have started before the failure: it holds a connection.
                if let Some(reader) = lock(&shared.reader).take() {
                    reader.abort();
                }
                return Err(e);
            }
        };
        let supervisor = tokio::spawn(supervisor::run(shared.clone(), reader)).abort_handle();
        let cluster = Cluster {
            _tasks: Arc::new(Tasks {
                supervisor,
                shared: shared.clone(),
            }),
            shared,
        };
        Ok((cluster, incoming))
    }

    /// This node's number (1..=65535).
    pub fn node(&self) -> u32 {
        self.shared.node.load(Ordering::Relaxed)
    }

    /// A fresh client id, unique across the nodes alive and below 2^53 (see `ids.rs`).
    pub fn next_client_id(&self) -> u64 {
        let counter = self.shared.next_conn.fetch_add(1, Ordering::Relaxed);
        ids::client_id(self.node(), counter)
    }

    pub fn is_healthy(&self) -> bool {
        *self.shared.health.borrow()
    }

    /// Follows the health: `true` while Redis is reachable and this node is resynchronised.
    pub fn health(&self) -> watch::Receiver<bool> {
        self.shared.health.subscribe()
    }

    /// A connection of this node entered `room`: from now on the node receives the room's
    /// broadcasts and user-list changes. Call once per connection (counted); returns once
    /// subscribed, or at once while Redis is down (the resync subscribes).
    pub async fn enter_room(&self, room: &str) {
        let mut subs = self.shared.subs.lock().await;
        let count = subs.rooms.entry(room.to_owned()).or_insert(0);
        *count += 1;
        if *count == 1 {
            let channel = self.shared.keys.room_channel(room);
            if let Some(sink) = subs.sink.as_mut() {
                let result =
                    tokio::time::timeout(self.shared.config.op_timeout, sink.subscribe(channel))
                        .await;
                if !matches!(result, Ok(Ok(()))) {
                    // The pub/sub connection is not answering: end its reader, which makes the
                    // supervisor reconnect and re-subscribe every room.
                    if let Some(reader) = lock(&self.shared.reader).take() {
                        reader.abort();
                    }
                }
            }
        }
    }

    /// A connection of this node left `room` (once per [`Cluster::enter_room`]).
    pub async fn leave_room(&self, room: &str) {
        let mut subs = self.shared.subs.lock().await;
        let Some(count) = subs.rooms.get_mut(room) else {
            return;
        };
        *count -= 1;
        if *count == 0 {
            subs.rooms.remove(room);
            let channel = self.shared.keys.room_channel(room);
            if let Some(sink) = subs.sink.as_mut() {
                // Best effort: a stale subscription only costs messages the reader drops.
                let _ =
                    tokio::time::timeout(self.shared.config.op_timeout, sink.unsubscribe(channel))
                        .await;
            }
        }
    }

    /// Claims `name_key` (the caller's case-folded form of the name) in `room` for this
    /// node's connection `conn`, atomically across nodes; `display` is the name as shown in
    /// user lists. Other nodes in the room get [`Incoming::RoomChanged`]. The room's names
    /// on every node are held to [`ClusterConfig::max_list_bytes`] in the same script, with the
    /// single relay's size rule (`user_list::entry_bytes`): a name that does not fit is `Full`.
    ///
    /// On `Err` nothing is held (the relay refuses the name, as for `Taken`).
    pub async fn claim_name(
        &self,
        room: &str,
        name_key: &str,
        display: &str,
        conn: u64,
    ) -> Result<Claim, ClusterError> {
        let shared = &self.shared;
        let held = LocalName {
            conn,
            display: display.to_owned(),
            pending: true,
        };
        // Reserve locally first, and decide "provisional" under the same lock the resync
        // checks, so a name is either seen by the resync or claimed against a healthy Redis.
        let connection = {
            let mut local = lock(&shared.local);
            let connection = shared.connection();
            let held = LocalName {
                pending: connection.is_some(),
                ..held
            };
            match local.reserve(room, name_key, held) {
                Reserve::Taken => return Ok(Claim::Taken),
                Reserve::AlreadyHeld => return Ok(Claim::Claimed),
                Reserve::New => {}
            }
            match connection {
                Some(c) => c,
                None => return Ok(Claim::Provisional),
            }
        };
        let node = self.node();
        let changed = Envelope::Changed {
            room: room.to_owned(),
        }
        .encode(node);
        let entry = user_list::entry_bytes(Some(display));
        let budget = user_list::entries_budget(shared.config.max_list_bytes);
        let result: Result<i64, _> = self
            .call(connection, |mut c| async move {
                shared
                    .scripts
                    .claim
                    .key(shared.keys.room_names(room))
                    .key(shared.keys.room_entry_bytes(room))
                    .key(shared.keys.room_list_bytes(room))
                    .arg(name_key)
                    .arg(node)
                    .arg(conn)
                    .arg(display)
                    .arg(shared.keys.node_alive_prefix())
                    .arg(shared.keys.room_channel(room))
                    .arg(changed)
                    .arg(entry)
                    .arg(budget)
                    .invoke_async(&mut c)
                    .await
            })
            .await;
        let mut local = lock(&shared.local);
        match result {
            Ok(1) => {
                local.settle(room, name_key, conn);
                Ok(Claim::Claimed)
            }
            Ok(2) => {
                local.remove(room, name_key, conn);
                Ok(Claim::Full)
            }
            Ok(_) => {
                local.remove(room, name_key, conn);
                Ok(Claim::Taken)
            }
            Err(e) => {
                // The script may have run: the next names resync deletes an entry of ours
                // that no local connection holds.
                local.remove(room, name_key, conn);
                local.mark_dirty(room);
                shared.trouble.notify_one();
                Err(e)
            }
        }
    }

    /// Frees `name_key` if `conn` holds it, with its call links. Locally at once; on `Err`,
    /// Redis is updated at the next resync (the name stays taken for other nodes until then,
    /// at most until Redis is back).
    pub async fn release_name(
        &self,
        room: &str,
        name_key: &str,
        conn: u64,
    ) -> Result<(), ClusterError> {
        let shared = &self.shared;
        let connection = {
            let mut local = lock(&shared.local);
            if !local.remove(room, name_key, conn) {
                return Ok(());
            }
            let connection = shared.connection();
            if connection.is_none() {
                local.mark_dirty(room);
            }
            connection.ok_or(ClusterError::Unavailable)?
        };
        let node = self.node();
        let changed = Envelope::Changed {
            room: room.to_owned(),
        }
        .encode(node);
        let result: Result<i64, _> = self
            .call(connection, |mut c| async move {
                shared
                    .scripts
                    .release
                    .key(shared.keys.room_names(room))
                    .key(shared.keys.room_links(room))
                    .key(shared.keys.room_entry_bytes(room))
                    .key(shared.keys.room_list_bytes(room))
                    .arg(name_key)
                    .arg(node)
                    .arg(conn)
                    .arg(shared.keys.room_channel(room))
                    .arg(changed)
                    .invoke_async(&mut c)
                    .await
            })
            .await;
        result.map(|_| ()).inspect_err(|_| {
            lock(&shared.local).mark_dirty(room);
            shared.trouble.notify_one();
        })
    }

    /// The display names of `room` on every live node, in the order they were claimed.
    pub async fn room_users(&self, room: &str) -> Result<Vec<String>, ClusterError> {
        let shared = &self.shared;
        let connection = shared.connection().ok_or(ClusterError::Unavailable)?;
        let entries: Vec<String> = self
            .call(connection, |mut c| async move {
                shared
                    .scripts
                    .live_entries
                    .key(shared.keys.room_names(room))
                    .arg(shared.keys.node_alive_prefix())
                    .invoke_async(&mut c)
                    .await
            })
            .await?;
        let mut users: Vec<(u64, String)> = entries
            .iter()
            .filter_map(|entry| {
                // node|conn|claimed-at-ms|display
                let mut parts = entry.splitn(4, '|');
                let (_node, _conn) = (parts.next()?, parts.next()?);
                let at = parts.next()?.parse().ok()?;
                Some((at, parts.next()?.to_owned()))
            })
            .collect();
        users.sort();
        Ok(users.into_iter().map(|(_, name)| name).collect())
    }

    /// Sends `frame` to the node holding `name_key` in `room` (it gets
    /// [`Incoming::ToUser`]; this node too, if the user is here, but the relay delivers its
    /// own users directly). `Ok(false)`: no live node holds that name.
    pub async fn send_to_user(
        &self,
        room: &str,
        name_key: &str,
        frame: &str,
    ) -> Result<bool, ClusterError> {
        let shared = &self.shared;
        let connection = shared.connection().ok_or(ClusterError::Unavailable)?;
        let payload = Envelope::ToUser {
            room: room.to_owned(),
            name_key: name_key.to_owned(),
            frame: frame.to_owned(),
        }
        .encode(self.node());
        let receivers: i64 = self
            .call(connection, |mut c| async move {
                shared
                    .scripts
                    .send_to_user
                    .key(shared.keys.room_names(room))
                    .arg(name_key)
                    .arg(shared.keys.node_alive_prefix())
                    .arg(shared.keys.node_channel_prefix())
                    .arg(payload)
                    .invoke_async(&mut c)
                    .await
            })
            .await?;
        Ok(receivers > 0)
    }

    /// Sends `frame` to every other node with connections in `room`, once each (they get
    /// [`Incoming::Broadcast`]); this node delivers to its own connections itself. What is
    /// broadcast while Redis is down is lost (`Err`), as pub/sub gives no replay.
    pub async fn broadcast(&self, room: &str, frame: &str) -> Result<(), ClusterError> {
        let shared = &self.shared;
        let connection = shared.connection().ok_or(ClusterError::Unavailable)?;
        let payload = Envelope::Broadcast {
            room: room.to_owned(),
            frame: frame.to_owned(),
        }
        .encode(self.node());
        let channel = shared.keys.room_channel(room);
        self.call(connection, |mut c| async move {
            c.publish::<_, _, i64>(channel, payload).await
        })
        .await
        .map(|_| ())
    }

    /// Call links, one direction each, mirroring what the relay's room tracks for local
    /// calls: `from`'s peer becomes `to` (so an untargeted hang-up from `from`, on any node,
    /// reaches exactly `to`). With `if_free`, only if `from` has no other peer (the callee's
    /// side of an offer: a callee busy in another call keeps that link). Returns whether set.
    pub async fn set_link(
        &self,
        room: &str,
        from: &str,
        to: &str,
        if_free: bool,
    ) -> Result<bool, ClusterError> {
        let shared = &self.shared;
        let connection = shared.connection().ok_or(ClusterError::Unavailable)?;
        let set: i64 = self
            .call(connection, |mut c| async move {
                shared
                    .scripts
                    .set_link
                    .key(shared.keys.room_links(room))
                    .arg(from)
                    .arg(to)
                    .arg(if if_free { "1" } else { "0" })
                    .invoke_async(&mut c)
                    .await
            })
            .await?;
        Ok(set == 1)
    }

    /// Who `name` is in a call with, if anyone.
    pub async fn peer_of(&self, room: &str, name: &str) -> Result<Option<String>, ClusterError> {
        let shared = &self.shared;
        let connection = shared.connection().ok_or(ClusterError::Unavailable)?;
        let links = shared.keys.room_links(room);
        self.call(connection, |mut c| async move { c.hget(links, name).await })
            .await
    }

    /// Removes `from`'s link if it points at `to` (`None`: whatever it points at); returns
    /// the peer removed. Releasing a name (or its node dying) removes its link and every link
    /// pointing at it.
    pub async fn clear_link(
        &self,
        room: &str,
        from: &str,
        to: Option<&str>,
    ) -> Result<Option<String>, ClusterError> {
        let shared = &self.shared;
        let connection = shared.connection().ok_or(ClusterError::Unavailable)?;
        self.call(connection, |mut c| async move {
            shared
                .scripts
                .clear_link
                .key(shared.keys.room_links(room))
                .arg(from)
                .arg(to.unwrap_or(""))
                .invoke_async(&mut c)
                .await
        })
        .await
    }

    /// Leaves cleanly: frees this node's names and presence at once (instead of after the
    /// presence time-to-live), tells its rooms, and stops the background tasks.
    pub async fn shutdown(self) {
        // Stop the supervisor first, or it would see its presence gone and take it back.
        self._tasks.supervisor.abort();
        supervisor::leave(&self.shared).await;
        // Dropping `self` (the last handle, normally) aborts the tasks.
    }

    /// Runs one Redis call with the deadline, flagging trouble on a broken connection.
    async fn call<T, F, Fut>(
        &self,
        connection: MultiplexedConnection,
        f: F,
    ) -> Result<T, ClusterError>
    where
        F: FnOnce(MultiplexedConnection) -> Fut,
        Fut: std::future::Future<Output = redis::RedisResult<T>>,
    {
        match tokio::time::timeout(self.shared.config.op_timeout, f(connection)).await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(e)) => {
                if e.is_io_error() || e.is_connection_dropped() || e.is_timeout() {
                    self.shared.trouble.notify_one();
                }
                Err(ClusterError::Redis(e))
            }
            Err(_) => {
                self.shared.trouble.notify_one();
                Err(ClusterError::Timeout)
            }
        }
    }
}

impl Shared {
    /// The command connection, if healthy.
    fn connection(&self) -> Option<MultiplexedConnection> {
        self.conn.read().unwrap_or_else(|p| p.into_inner()).clone()
    }
}
