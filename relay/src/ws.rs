//! WebSocket I/O: the [`Hub`] carries a [`Room`]'s effects to the connections' outboxes, and
//! [`serve`] runs one connection (read frames into the room, write its outbox to the socket).

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket};
use futures_util::SinkExt;
use tokio::sync::{mpsc, watch};
use tokio::time;

use crate::cluster::{Claim, Cluster, Incoming};
use crate::listen::Permit;
use crate::metrics::Metrics;
use crate::outbox::{Next, Outbox, Pushed};
use crate::room::{parse_frame, ConnId, Effect, JoinError, Limits, Room, CLOSE_POLICY_VIOLATION};

/// Frames written per flush at most.
const BATCH_FRAMES: usize = 64;
/// A write that takes longer than this means a stalled client.
const SEND_TIMEOUT: Duration = Duration::from_secs(10);
/// Ping idle sockets: keeps proxies from timing out quiet connections (nginx closes after 60 s
/// of silence by default) and finds peers that vanished without a close (a laptop lid shut),
/// so their call peer gets its hang-up. Browsers answer pings on their own.
const PING_EVERY: Duration = Duration::from_secs(25);
/// Nothing heard (not even a pong) for this long: the peer is gone.
const SILENCE_LIMIT: Duration = Duration::from_secs(70);
/// How long to wait for the client's half of the close handshake.
const CLOSE_WAIT: Duration = Duration::from_secs(2);

/// WebSocket close codes (RFC 6455, 7.4.1).
const CLOSE_GOING_AWAY: u16 = 1001;
const CLOSE_PROTOCOL_ERROR: u16 = 1002;
const CLOSE_INVALID_DATA: u16 = 1007;
const CLOSE_TOO_BIG: u16 = 1009;
const CLOSE_TRY_AGAIN_LATER: u16 = 1013;

/// How every user list frame starts (`Message::UserList`'s encoding): those are coalesced.
const USER_LIST_PREFIX: &str = r#"{"type":"userlist""#;

/// Every room's state, by room name. Rooms come into being with their first connection and
/// go with their last, so their number is bounded by the connections'.
pub struct Hub {
    start: Instant,
    limits: Limits,
    /// Ids are unique across rooms (they count up from the start time, as in the sample).
    next_id: AtomicU64,
    rooms: Mutex<HashMap<String, Arc<RoomHub>>>,
    metrics: Arc<Metrics>,
    /// `--redis`: ids come from it, so they are unique across the relays.
    cluster: Option<Cluster>,
}

/// One room and the outboxes of its connections, under one lock so that every connection in
/// the room sees broadcasts in the same order. Rooms do not share a lock.
pub struct RoomHub {
    start: Instant,
    limits: Limits,
    /// The room's name, and the cluster (`--redis`) that shares it with other relays.
    name: String,
    cluster: Option<Cluster>,
    inner: Mutex<Inner>,
}

struct Inner {
    metrics: Arc<Metrics>,
    /// `--redis`: cluster effects and user lists wait for [`RoomHub::perform`].
    clustered: bool,
    /// The user list changed since it was last sent.
    list_dirty: bool,
    /// A task will send it at the end of the current [`LIST_WINDOW`].
    list_scheduled: bool,
    list_sent: Option<Instant>,
    room: Room,
    outboxes: HashMap<ConnId, Arc<Outbox>>,
}

fn set_gauge(gauge: &AtomicI64, n: usize) {
    gauge.store(i64::try_from(n).unwrap_or(i64::MAX), Ordering::Relaxed);
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // Room code does not panic; if it ever did, keep serving the others with its state.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Hub {
    pub fn new(first_id: ConnId, limits: Limits) -> Hub {
        Hub::with_cluster(first_id, limits, None)
    }

    /// With a cluster, client ids come from [`Cluster::next_client_id`] (unique across nodes).
    pub fn with_cluster(first_id: ConnId, limits: Limits, cluster: Option<Cluster>) -> Hub {
        Hub {
            start: Instant::now(),
            limits,
            next_id: AtomicU64::new(first_id),
            rooms: Mutex::new(HashMap::new()),
            metrics: Arc::default(),
            cluster,
        }
    }

    pub fn metrics(&self) -> &Arc<Metrics> {
        &self.metrics
    }

    /// Open connections, in every room.
    pub fn len(&self) -> usize {
        lock(&self.rooms).values().map(|r| r.len()).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Rooms with at least one connection.
    pub fn rooms(&self) -> usize {
        lock(&self.rooms).len()
    }

    /// True if someone in `room` holds or has reserved `name`.
    pub fn name_in_use(&self, room: &str, name: &str) -> bool {
        let Some(hub) = lock(&self.rooms).get(room).cloned() else {
            return false;
        };
        let in_use = lock(&hub.inner).room.name_in_use(name);
        in_use
    }

    /// A new connection in `room`: its id and its room's state.
    fn connect(
        &self,
        room: &str,
        outbox: Arc<Outbox>,
        fixed_name: Option<String>,
    ) -> Result<(ConnId, Arc<RoomHub>), JoinError> {
        let id = match &self.cluster {
            Some(cluster) => cluster.next_client_id(),
            None => self.next_id.fetch_add(1, Ordering::Relaxed),
        };
        let room_name = room;
        // The connection is added under the map's lock, so that `leave` cannot remove the
        // room between its lookup here and the connection joining it.
        let mut rooms = lock(&self.rooms);
        let hub = rooms
            .entry(room.to_owned())
            .or_insert_with(|| {
                let mut room = Room::new(0, self.limits);
                room.set_lazy_user_lists(true);
                room.set_clustered(self.cluster.is_some());
                Arc::new(RoomHub {
                    start: self.start,
                    limits: self.limits,
                    name: room_name.to_owned(),
                    cluster: self.cluster.clone(),
                    inner: Mutex::new(Inner {
                        metrics: Arc::clone(&self.metrics),
                        clustered: self.cluster.is_some(),
                        list_dirty: false,
                        list_scheduled: false,
                        list_sent: None,
                        room,
                        outboxes: HashMap::new(),
                    }),
                })
            })
            .clone();
        let joined = hub.connect(id, outbox, fixed_name);
        if joined.is_err() && hub.len() == 0 {
            rooms.remove(room);
        }
        set_gauge(&self.metrics.rooms, rooms.len());
        drop(rooms);
        joined.map(|()| (id, hub))
    }

    /// The connection is gone: its room hears of it, and is forgotten once empty. Returns
    /// what is left for [`RoomHub::perform`].
    fn leave(&self, room: &str, hub: &Arc<RoomHub>, id: ConnId, tell: bool) -> Vec<Effect> {
        let mut rooms = lock(&self.rooms);
        let (empty, deferred) = hub.disconnect(id, tell);
        if empty {
            rooms.remove(room);
        }
        set_gauge(&self.metrics.rooms, rooms.len());
        deferred
    }
}

/// Handles what the other relays (and the cluster's supervisor) send this one, until the
/// cluster stops.
pub(crate) async fn consume(hub: Arc<Hub>, mut incoming: mpsc::Receiver<Incoming>) {
    while let Some(event) = incoming.recv().await {
        match event {
            Incoming::Health {
                healthy: true,
                detail,
            } => {
                tracing::info!(%detail, "redis reachable; relays in sync");
            }
            Incoming::Health {
                healthy: false,
                detail,
            } => {
                tracing::warn!(%detail, "redis unreachable; serving local users only");
            }
            Incoming::Broadcast { room, frame } => {
                let Some(room_hub) = lock(&hub.rooms).get(&room).cloned() else {
                    continue;
                };
                let mut inner = lock(&room_hub.inner);
                let frame = Utf8Bytes::from(frame);
                let to: Vec<ConnId> = inner.outboxes.keys().copied().collect();
                for id in to {
                    inner.push(id, frame.clone(), false);
                }
            }
            Incoming::ToUser {
                room,
                name_key,
                frame,
            } => {
                let Some(room_hub) = lock(&hub.rooms).get(&room).cloned() else {
                    continue;
                };
                let deferred = {
                    let mut inner = lock(&room_hub.inner);
                    let effects = inner.room.deliver(&name_key, &frame);
                    inner.apply(effects)
                };
                room_hub.perform(deferred).await;
            }
            Incoming::RoomChanged { room } => {
                let Some(room_hub) = lock(&hub.rooms).get(&room).cloned() else {
                    continue;
                };
                room_hub.mark_list();
            }
            Incoming::NameLost {
                room,
                name_key,
                conn,
            } => {
                let Some(room_hub) = lock(&hub.rooms).get(&room).cloned() else {
                    continue;
                };
                tracing::warn!(
                    conn,
                    room,
                    "name taken on another relay while redis was away"
                );
                let deferred = {
                    let mut inner = lock(&room_hub.inner);
                    let effects = inner.room.name_lost(conn, &name_key);
                    inner.apply(effects)
                };
                // Claims take a round trip: not on the queue every room depends on.
                tokio::spawn(async move { room_hub.perform(deferred).await });
            }
        }
    }
}

/// User lists go out at most once per window: the first change at once, later ones within the
/// window together at its end. A login storm of hundreds of logins a second then costs each
/// room a few dozen list encodings and fan-outs instead of one per login (and the outboxes
/// coalesce what a slow reader has not written yet).
const LIST_WINDOW: Duration = Duration::from_millis(25);

impl RoomHub {
    /// Sends the user list if it changed: now, or at the end of the window.
    fn lists(self: &Arc<Self>, mut inner: MutexGuard<'_, Inner>) {
        if !inner.list_dirty || inner.list_scheduled {
            return;
        }
        let now = Instant::now();
        let since = inner
            .list_sent
            .map_or(LIST_WINDOW, |t| now.duration_since(t));
        if let Some(cluster) = &self.cluster {
            // The list is every relay's: fetched from Redis, so outside the lock.
            inner.list_scheduled = true;
            drop(inner);
            let hub = Arc::clone(self);
            let cluster = cluster.clone();
            let wait = LIST_WINDOW.saturating_sub(since);
            tokio::spawn(async move {
                time::sleep(wait).await;
                hub.send_cluster_lists(&cluster).await;
            });
            return;
        }
        if since >= LIST_WINDOW {
            inner.send_list(now);
            return;
        }
        inner.list_scheduled = true;
        drop(inner);
        let hub = Arc::clone(self);
        tokio::spawn(async move {
            time::sleep(LIST_WINDOW - since).await;
            let mut inner = lock(&hub.inner);
            inner.list_scheduled = false;
            if inner.list_dirty {
                inner.send_list(Instant::now());
            }
        });
    }

    /// `--redis`: sends the union of every relay's users (the local list while Redis fails),
    /// again a window later while it keeps changing.
    async fn send_cluster_lists(&self, cluster: &Cluster) {
        loop {
            lock(&self.inner).list_dirty = false;
            let users = cluster.room_users(&self.name).await;
            let again = {
                let mut inner = lock(&self.inner);
                let frame = match users {
                    Ok(users) => {
                        let list = inner.room.union_list(users);
                        // Cut short to the limit (never sent larger): names past it come from
                        // a relay that was cut off from Redis or of an older version.
                        if list.dropped_names > 0 {
                            tracing::warn!(
                                room = self.name,
                                dropped = list.dropped_names,
                                "user list over the frame limit: the last names are left out"
                            );
                            inner
                                .metrics
                                .user_lists_truncated
                                .fetch_add(1, Ordering::Relaxed);
                        } else if list.dropped_unnamed > 0 {
                            // Connections still logging in, in a full room: nothing to fix.
                            tracing::debug!(room = self.name, "unnamed connections left out");
                        }
                        list.frame
                    }
                    Err(e) => {
                        tracing::debug!(room = self.name, "local user list only: {e}");
                        inner.room.user_list_frame()
                    }
                };
                inner.push_list(frame, Instant::now());
                if !inner.list_dirty {
                    inner.list_scheduled = false;
                }
                inner.list_dirty
            };
            if !again {
                return;
            }
            time::sleep(LIST_WINDOW).await;
        }
    }

    fn claimed(self: &Arc<Self>, conn: ConnId, key: &str, won: bool) -> Vec<Effect> {
        let mut inner = lock(&self.inner);
        let effects = inner.room.claimed(conn, key, won);
        inner.apply(effects)
    }

    fn claim_full(self: &Arc<Self>, conn: ConnId, key: &str) -> Vec<Effect> {
        let mut inner = lock(&self.inner);
        let effects = inner.room.claim_full(conn, key);
        inner.apply(effects)
    }

    fn mark_list(self: &Arc<Self>) {
        let mut inner = lock(&self.inner);
        inner.list_dirty = true;
        self.lists(inner);
    }

    /// `--redis`: performs the room's cluster effects in order (each awaited, outside the
    /// room's lock), and what their outcomes lead to (a refused name's next candidate).
    /// Without a cluster there are none.
    async fn perform(self: &Arc<Self>, effects: Vec<Effect>) {
        let Some(cluster) = &self.cluster else {
            return;
        };
        let room = self.name.as_str();
        let metrics = lock(&self.inner).metrics.clone();
        let mut queue = VecDeque::from(effects);
        while let Some(effect) = queue.pop_front() {
            let more = match effect {
                Effect::Claim {
                    conn,
                    name_key,
                    display,
                } => {
                    match cluster.claim_name(room, &name_key, &display, conn).await {
                        Ok(Claim::Claimed | Claim::Provisional) => {
                            self.claimed(conn, &name_key, true)
                        }
                        Ok(Claim::Taken) => self.claimed(conn, &name_key, false),
                        // Refused as a single relay refuses it (`Room::claim_full`).
                        Ok(Claim::Full) => self.claim_full(conn, &name_key),
                        Err(e) => {
                            tracing::info!(conn, "name not claimed: {e}");
                            self.claimed(conn, &name_key, false)
                        }
                    }
                }
                Effect::Release { conn, name_key } => {
                    if let Err(e) = cluster.release_name(room, &name_key, conn).await {
                        tracing::debug!(conn, "name released at the next resync: {e}");
                    }
                    Vec::new()
                }
                Effect::ToUser { name_key, frame } => {
                    match cluster.send_to_user(room, &name_key, &frame).await {
                        Ok(true) => {}
                        // As for an unknown local target: dropped, as the sample does.
                        Ok(false) => {
                            metrics
                                .dropped_unknown_target
                                .fetch_add(1, Ordering::Relaxed);
                        }
                        Err(e) => tracing::debug!(room, "not sent to another relay: {e}"),
                    }
                    Vec::new()
                }
                Effect::ToPeerOf {
                    from_key,
                    frame,
                    unlink,
                } => {
                    match cluster.peer_of(room, &from_key).await {
                        Ok(Some(peer)) => {
                            if unlink {
                                let _ = cluster.clear_link(room, &from_key, Some(&peer)).await;
                                let _ = cluster.clear_link(room, &peer, Some(&from_key)).await;
                            }
                            if let Err(e) = cluster.send_to_user(room, &peer, &frame).await {
                                tracing::debug!(room, "not sent to the peer's relay: {e}");
                            }
                        }
                        Ok(None) => {
                            metrics.dropped_no_peer.fetch_add(1, Ordering::Relaxed);
                        }
                        Err(e) => tracing::debug!(room, "call peer unknown: {e}"),
                    }
                    Vec::new()
                }
                Effect::Publish { frame } => {
                    if let Err(e) = cluster.broadcast(room, &frame).await {
                        tracing::debug!(room, "not sent to other relays: {e}");
                    }
                    Vec::new()
                }
                Effect::Link {
                    from_key,
                    to_key,
                    if_free,
                } => {
                    if let Err(e) = cluster.set_link(room, &from_key, &to_key, if_free).await {
                        tracing::debug!(room, "call link not shared: {e}");
                    }
                    Vec::new()
                }
                Effect::Unlink { from_key, to_key } => {
                    if let Err(e) = cluster.clear_link(room, &from_key, Some(&to_key)).await {
                        tracing::debug!(room, "call link not cleared: {e}");
                    }
                    Vec::new()
                }
                // After the releases and claims before it, so the list Redis gives is current.
                Effect::UserList { .. } => {
                    self.mark_list();
                    Vec::new()
                }
                local @ (Effect::Send { .. } | Effect::Close { .. }) => {
                    lock(&self.inner).apply(vec![local])
                }
            };
            for effect in more.into_iter().rev() {
                queue.push_front(effect);
            }
        }
    }

    fn len(&self) -> usize {
        lock(&self.inner).room.len()
    }

    fn now_ms(&self) -> u64 {
        u64::try_from(self.start.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    fn connect(
        self: &Arc<Self>,
        id: ConnId,
        outbox: Arc<Outbox>,
        fixed: Option<String>,
    ) -> Result<(), JoinError> {
        let now = self.now_ms();
        let mut inner = lock(&self.inner);
        let effects = inner.room.connect_named(id, now, fixed)?;
        inner.outboxes.insert(id, outbox);
        let deferred = inner.apply(effects);
        debug_assert!(deferred.is_empty(), "a connection's id is all it gets");
        self.lists(inner);
        Ok(())
    }

    /// A text frame: local effects are applied here; the cluster's (`--redis`) are returned
    /// for the caller to [`RoomHub::perform`] outside the lock.
    fn text(self: &Arc<Self>, id: ConnId, text: &str) -> Vec<Effect> {
        // Parsing needs no room state: done before taking the room's lock, so the connections
        // of a room parse in parallel.
        let parsed = parse_frame(text, self.limits.max_frame_bytes);
        let now = self.now_ms();
        let mut inner = lock(&self.inner);
        let effects = inner.room.receive_parsed(id, parsed, now);
        let deferred = inner.apply(effects);
        self.lists(inner);
        deferred
    }

    /// A ping or pong from the client: counted against the rate limit, nothing else.
    fn control(&self, id: ConnId) {
        let now = self.now_ms();
        let mut inner = lock(&self.inner);
        let effects = inner.room.receive_control(id, now);
        if !effects.is_empty() {
            // Only ever a close: nothing for the cluster.
            let _ = inner.apply(effects);
        }
    }

    fn logged_in(&self, id: ConnId) -> bool {
        lock(&self.inner).room.name_of(id).is_some()
    }

    fn binary(&self, id: ConnId) {
        let now = self.now_ms();
        let mut inner = lock(&self.inner);
        let effects = inner.room.receive_binary(id, now);
        // Only ever an error reply: nothing for the cluster.
        let _ = inner.apply(effects);
    }

    /// True if the room is now empty. `tell`: send the peers what the room says (a `gone`
    /// hang-up, the new user list). Not while the server shuts down: a restarting relay must
    /// not end calls whose media flows peer to peer (the pages log in again once it is back;
    /// docs/protocol.md).
    /// Also returns the cluster's effects (a remote peer's hang-up, the name's release).
    fn disconnect(self: &Arc<Self>, id: ConnId, tell: bool) -> (bool, Vec<Effect>) {
        let mut inner = lock(&self.inner);
        inner.outboxes.remove(&id);
        let effects = inner.room.disconnect(id);
        let empty = inner.room.is_empty();
        let mut deferred = Vec::new();
        if tell {
            deferred = inner.apply(effects);
            self.lists(inner);
        }
        (empty, deferred)
    }
}

impl Inner {
    fn send_list(&mut self, now: Instant) {
        self.list_dirty = false;
        let frame = self.room.user_list_frame();
        self.push_list(frame, now);
    }

    fn push_list(&mut self, frame: String, now: Instant) {
        self.list_sent = Some(now);
        if self.outboxes.is_empty() {
            return;
        }
        let frame = Utf8Bytes::from(frame);
        let to: Vec<ConnId> = self.outboxes.keys().copied().collect();
        self.metrics
            .frames_out
            .fetch_add(to.len() as u64, Ordering::Relaxed);
        for id in to {
            self.push(id, frame.clone(), true);
        }
    }

    /// Applies the local effects; returns the cluster's, for [`RoomHub::perform`] (always
    /// none without `--redis`).
    #[must_use]
    fn apply(&mut self, effects: Vec<Effect>) -> Vec<Effect> {
        self.metrics.absorb(self.room.take_stats());
        let mut deferred = Vec::new();
        for effect in effects {
            match effect {
                Effect::Send { to, frame } => {
                    let is_list = frame.starts_with(USER_LIST_PREFIX);
                    // One shared buffer for every recipient of a broadcast.
                    let frame = Utf8Bytes::from(frame);
                    self.metrics
                        .frames_out
                        .fetch_add(to.len() as u64, Ordering::Relaxed);
                    for id in to {
                        self.push(id, frame.clone(), is_list);
                    }
                }
                // Sent by `RoomHub::send_list` (to everyone in the room, which `to` is).
                Effect::UserList { .. } if !self.clustered => self.list_dirty = true,
                Effect::Close { conn, code, reason } => {
                    tracing::info!(conn, code, reason, "closing");
                    if let Some(outbox) = self.outboxes.get(&conn) {
                        outbox.close(code, reason);
                    }
                }
                cluster => deferred.push(cluster),
            }
        }
        deferred
    }

    fn push(&mut self, id: ConnId, frame: Utf8Bytes, is_list: bool) {
        let Some(outbox) = self.outboxes.get(&id) else {
            return;
        };
        if outbox.push(frame, is_list) == Pushed::Overflow {
            self.overflowed(id);
        }
    }

    /// Its task sees the overflow and closes the connection (1008).
    fn overflowed(&mut self, id: ConnId) {
        tracing::warn!(conn = id, "not reading its messages; disconnecting");
        self.metrics
            .dropped_slow_reader
            .fetch_add(1, Ordering::Relaxed);
        self.metrics
            .slow_readers_closed
            .fetch_add(1, Ordering::Relaxed);
        self.outboxes.remove(&id);
    }
}

/// Why a connection's loop ended.
enum End {
    /// The client closed or the socket failed: nothing more to send.
    Gone,
    /// We close, with this code.
    Close(u16, &'static str),
}

/// What one WebSocket connection runs with.
pub(crate) struct Session {
    pub hub: Arc<Hub>,
    pub room: String,
    /// From a join token: the only name this connection can have.
    pub fixed_name: Option<String>,
    pub stop: watch::Receiver<bool>,
    /// Dropped at the end: how the server knows when every connection has finished.
    pub alive: mpsc::Sender<()>,
    pub peer: Option<SocketAddr>,
    /// The connection's place under `--max-connections` (and the per-IP limit), held for
    /// its whole life.
    pub permit: Option<Permit>,
    /// A connection that has not logged in by then is closed.
    pub login_timeout: Duration,
}

/// Runs one WebSocket connection until either side ends it.
pub(crate) async fn serve(mut socket: WebSocket, session: Session) {
    let Session {
        hub,
        room,
        fixed_name,
        mut stop,
        alive: _alive,
        peer,
        permit: _permit,
        login_timeout,
    } = session;
    let outbox = Arc::new(Outbox::default());
    let (id, room_hub) = match hub.connect(&room, Arc::clone(&outbox), fixed_name) {
        Ok(joined) => joined,
        // Another connection took the token's name since the upgrade was checked.
        Err(JoinError::NameInUse) => {
            close(socket, CLOSE_POLICY_VIOLATION, "name in use").await;
            return;
        }
        Err(JoinError::RoomFull) => {
            close(socket, CLOSE_TRY_AGAIN_LATER, "room full").await;
            return;
        }
    };
    let metrics = Arc::clone(hub.metrics());
    metrics.ws_opened.fetch_add(1, Ordering::Relaxed);
    metrics.ws_connections.fetch_add(1, Ordering::Relaxed);
    tracing::info!(conn = id, room, ?peer, "open");
    // From now on this relay gets the room's broadcasts from the others.
    if let Some(cluster) = &hub.cluster {
        cluster.enter_room(&room).await;
    }
    let mut heard = Instant::now();
    let mut ping = time::interval_at(time::Instant::now() + PING_EVERY, PING_EVERY);
    let login_deadline = time::sleep(login_timeout);
    tokio::pin!(login_deadline);
    let mut awaiting_login = true;
    let end = if *stop.borrow_and_update() {
        End::Close(CLOSE_GOING_AWAY, "server shutting down")
    } else {
        loop {
            tokio::select! {
                incoming = socket.recv() => match incoming {
                    Some(Ok(Message::Text(text))) => {
                        heard = Instant::now();
                        metrics.bytes_in.fetch_add(text.len() as u64, Ordering::Relaxed);
                        let deferred = room_hub.text(id, text.as_str());
                        // Awaited here, in order per connection (an offer reaches Redis before
                        // its ICE candidates); outside the room's lock.
                        room_hub.perform(deferred).await;
                    }
                    Some(Ok(Message::Binary(data))) => {
                        heard = Instant::now();
                        metrics.bytes_in.fetch_add(data.len() as u64, Ordering::Relaxed);
                        room_hub.binary(id);
                    }
                    // Control frames count against the rate limit too: a ping flood is a flood.
                    Some(Ok(Message::Ping(data) | Message::Pong(data))) => {
                        heard = Instant::now();
                        metrics.bytes_in.fetch_add(data.len() as u64, Ordering::Relaxed);
                        room_hub.control(id);
                    }
                    // tungstenite queues the reply; the next read sends it and ends the stream.
                    Some(Ok(Message::Close(_))) => {}
                    Some(Err(e)) => {
                        tracing::debug!(conn = id, "read failed: {e}");
                        break match close_code_for(e) {
                            Some((code, reason)) => End::Close(code, reason),
                            None => End::Gone,
                        };
                    }
                    None => break End::Gone,
                },
                out = outbox.next() => match out {
                    Next::Frame(frame) => {
                        if let Err(e) = send_batch(&mut socket, frame, &outbox, &metrics).await {
                            tracing::info!(conn = id, "write failed: {e}");
                            break End::Gone;
                        }
                    }
                    Next::Close(code, reason) => break End::Close(code, reason),
                    Next::Overflow => break End::Close(CLOSE_POLICY_VIOLATION, "not reading messages"),
                },
                _ = stop.changed() => break End::Close(CLOSE_GOING_AWAY, "server shutting down"),
                () = &mut login_deadline, if awaiting_login => {
                    awaiting_login = false;
                    if !room_hub.logged_in(id) {
                        tracing::info!(conn = id, "no login within {login_timeout:?}");
                        break End::Close(CLOSE_POLICY_VIOLATION, "no login");
                    }
                }
                _ = ping.tick() => {
                    if heard.elapsed() > SILENCE_LIMIT {
                        tracing::info!(conn = id, "silent for {SILENCE_LIMIT:?}");
                        break End::Gone;
                    }
                    if send(&mut socket, Message::Ping(Default::default())).await.is_err() {
                        break End::Gone;
                    }
                }
            }
        }
    };
    // Tell the room first, so the peers hear at once, not after the close handshake.
    let deferred = hub.leave(&room, &room_hub, id, !*stop.borrow());
    room_hub.perform(deferred).await;
    if let Some(cluster) = &hub.cluster {
        cluster.leave_room(&room).await;
    }
    metrics.ws_connections.fetch_sub(1, Ordering::Relaxed);
    tracing::info!(conn = id, room, "closed");
    if let End::Close(code, reason) = end {
        close(socket, code, reason).await;
    }
}

/// The close code a read error deserves (RFC 6455, 7.4.1), if the socket can still take one.
fn close_code_for(e: axum::Error) -> Option<(u16, &'static str)> {
    use tungstenite::error::{CapacityError, Error};
    let inner = e.into_inner();
    let e = inner.downcast_ref::<Error>()?;
    match e {
        Error::Capacity(CapacityError::MessageTooLong { .. }) => {
            Some((CLOSE_TOO_BIG, "message too big"))
        }
        Error::Capacity(_) => Some((CLOSE_TOO_BIG, "frame too big")),
        Error::Utf8(_) => Some((CLOSE_INVALID_DATA, "invalid UTF-8")),
        Error::Protocol(_) => Some((CLOSE_PROTOCOL_ERROR, "protocol error")),
        _ => None,
    }
}

/// Writes `first` and whatever frames are queued behind it (up to [`BATCH_FRAMES`]), then
/// flushes once: under load, one write call for many frames rather than one each.
async fn send_batch(
    socket: &mut WebSocket,
    first: Utf8Bytes,
    outbox: &Outbox,
    metrics: &Metrics,
) -> Result<(), String> {
    let write = async {
        let mut next = Some(first);
        let mut n = 0;
        while let Some(f) = next.take() {
            metrics
                .bytes_out
                .fetch_add(f.len() as u64, Ordering::Relaxed);
            socket.feed(Message::Text(f)).await?;
            n += 1;
            if n < BATCH_FRAMES {
                next = outbox.try_next_frame();
            }
        }
        socket.flush().await
    };
    match time::timeout(SEND_TIMEOUT, write).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err(format!("no progress for {SEND_TIMEOUT:?}")),
    }
}

async fn send(socket: &mut WebSocket, message: Message) -> Result<(), String> {
    match time::timeout(SEND_TIMEOUT, socket.send(message)).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err(format!("no progress for {SEND_TIMEOUT:?}")),
    }
}

/// Our half of the close handshake, then wait (briefly) for the client's, so it sees a clean
/// close with our code rather than a reset.
async fn close(mut socket: WebSocket, code: u16, reason: &'static str) {
    let frame = CloseFrame {
        code,
        reason: Utf8Bytes::from_static(reason),
    };
    if send(&mut socket, Message::Close(Some(frame)))
        .await
        .is_err()
    {
        return;
    }
    let drain = async { while let Some(Ok(_)) = socket.recv().await {} };
    let _ = time::timeout(CLOSE_WAIT, drain).await;
}
