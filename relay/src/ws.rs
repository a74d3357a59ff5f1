//! WebSocket I/O: the [`Hub`] carries a [`Room`]'s effects to the connections' outboxes, and
//! [`serve`] runs one connection (read frames into the room, write its outbox to the socket).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket};
use tokio::sync::mpsc::error::TrySendError;
use tokio::sync::{mpsc, watch};
use tokio::time;

use crate::metrics::Metrics;
use crate::room::{ConnId, Effect, JoinError, Limits, Room, CLOSE_POLICY_VIOLATION};

/// Frames queued for one connection. A client that lets this many pile up is not reading; it
/// is dropped rather than allowed to grow the relay's memory.
const OUTBOX_FRAMES: usize = 256;
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
const CLOSE_TRY_AGAIN_LATER: u16 = 1013;

#[derive(Debug)]
enum Outbound {
    Frame(Utf8Bytes),
    Close(u16, &'static str),
}

/// Every room's state, by room name. Rooms come into being with their first connection and
/// go with their last, so their number is bounded by the connections'.
pub struct Hub {
    start: Instant,
    limits: Limits,
    /// Ids are unique across rooms (they count up from the start time, as in the sample).
    next_id: AtomicU64,
    rooms: Mutex<HashMap<String, Arc<RoomHub>>>,
    metrics: Arc<Metrics>,
}

/// One room and the outboxes of its connections, under one lock so that every connection in
/// the room sees broadcasts in the same order. Rooms do not share a lock.
pub struct RoomHub {
    start: Instant,
    inner: Mutex<Inner>,
}

struct Inner {
    metrics: Arc<Metrics>,
    room: Room,
    outboxes: HashMap<ConnId, mpsc::Sender<Outbound>>,
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
        Hub {
            start: Instant::now(),
            limits,
            next_id: AtomicU64::new(first_id),
            rooms: Mutex::new(HashMap::new()),
            metrics: Arc::default(),
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
        outbox: mpsc::Sender<Outbound>,
        fixed_name: Option<String>,
    ) -> Result<(ConnId, Arc<RoomHub>), JoinError> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        // The connection is added under the map's lock, so that `leave` cannot remove the
        // room between its lookup here and the connection joining it.
        let mut rooms = lock(&self.rooms);
        let hub = rooms
            .entry(room.to_owned())
            .or_insert_with(|| {
                Arc::new(RoomHub {
                    start: self.start,
                    inner: Mutex::new(Inner {
                        metrics: Arc::clone(&self.metrics),
                        room: Room::new(0, self.limits),
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

    /// The connection is gone: its room hears of it, and is forgotten once empty.
    fn leave(&self, room: &str, hub: &RoomHub, id: ConnId) {
        let mut rooms = lock(&self.rooms);
        if hub.disconnect(id) {
            rooms.remove(room);
        }
        set_gauge(&self.metrics.rooms, rooms.len());
    }
}

impl RoomHub {
    fn len(&self) -> usize {
        lock(&self.inner).room.len()
    }

    fn now_ms(&self) -> u64 {
        u64::try_from(self.start.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    fn connect(
        &self,
        id: ConnId,
        outbox: mpsc::Sender<Outbound>,
        fixed: Option<String>,
    ) -> Result<(), JoinError> {
        let now = self.now_ms();
        let mut inner = lock(&self.inner);
        let effects = inner.room.connect_named(id, now, fixed)?;
        inner.outboxes.insert(id, outbox);
        inner.apply(effects);
        Ok(())
    }

    fn text(&self, id: ConnId, text: &str) {
        let now = self.now_ms();
        let mut inner = lock(&self.inner);
        let effects = inner.room.receive_text(id, text, now);
        inner.apply(effects);
    }

    fn binary(&self, id: ConnId) {
        let now = self.now_ms();
        let mut inner = lock(&self.inner);
        let effects = inner.room.receive_binary(id, now);
        inner.apply(effects);
    }

    /// True if the room is now empty.
    fn disconnect(&self, id: ConnId) -> bool {
        let mut inner = lock(&self.inner);
        inner.outboxes.remove(&id);
        let effects = inner.room.disconnect(id);
        inner.apply(effects);
        inner.room.is_empty()
    }
}

impl Inner {
    fn apply(&mut self, effects: Vec<Effect>) {
        self.metrics.absorb(self.room.take_stats());
        for effect in effects {
            match effect {
                Effect::Send { to, frame } => {
                    // One shared buffer for every recipient of a broadcast.
                    let frame = Utf8Bytes::from(frame);
                    self.metrics
                        .frames_out
                        .fetch_add(to.len() as u64, Ordering::Relaxed);
                    for id in to {
                        self.push(id, Outbound::Frame(frame.clone()));
                    }
                }
                Effect::Close { conn, code, reason } => {
                    tracing::info!(conn, code, reason, "closing");
                    self.push(conn, Outbound::Close(code, reason));
                }
            }
        }
    }

    fn push(&mut self, id: ConnId, out: Outbound) {
        let Some(outbox) = self.outboxes.get(&id) else {
            return;
        };
        match outbox.try_send(out) {
            Ok(()) | Err(TrySendError::Closed(_)) => {}
            Err(TrySendError::Full(_)) => {
                // Dropping the sender ends the connection's task once it has written what
                // is queued (see `serve`).
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
    }
}

/// Why a connection's loop ended.
enum End {
    /// The client closed or the socket failed: nothing more to send.
    Gone,
    /// We close, with this code.
    Close(u16, &'static str),
}

/// Runs one WebSocket connection until either side ends it. `_alive` is dropped at the end,
/// which is how the server knows when every connection has finished after a shutdown.
pub(crate) async fn serve(
    mut socket: WebSocket,
    hub: Arc<Hub>,
    room: String,
    fixed_name: Option<String>,
    mut stop: watch::Receiver<bool>,
    _alive: mpsc::Sender<()>,
    peer: Option<SocketAddr>,
) {
    let (outbox, mut queued) = mpsc::channel(OUTBOX_FRAMES);
    let (id, room_hub) = match hub.connect(&room, outbox, fixed_name) {
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
    let mut heard = Instant::now();
    let mut ping = time::interval_at(time::Instant::now() + PING_EVERY, PING_EVERY);
    let end = if *stop.borrow_and_update() {
        End::Close(CLOSE_GOING_AWAY, "server shutting down")
    } else {
        loop {
            tokio::select! {
                incoming = socket.recv() => match incoming {
                    Some(Ok(Message::Text(text))) => {
                        heard = Instant::now();
                        metrics.bytes_in.fetch_add(text.len() as u64, Ordering::Relaxed);
                        room_hub.text(id, text.as_str());
                    }
                    Some(Ok(Message::Binary(data))) => {
                        heard = Instant::now();
                        metrics.bytes_in.fetch_add(data.len() as u64, Ordering::Relaxed);
                        room_hub.binary(id);
                    }
                    Some(Ok(Message::Ping(_) | Message::Pong(_))) => heard = Instant::now(),
                    // tungstenite queues the reply; the next read sends it and ends the stream.
                    Some(Ok(Message::Close(_))) => {}
                    Some(Err(e)) => {
                        // Includes frames over the transport cap (tungstenite refuses to
                        // buffer them and the stream cannot continue).
                        tracing::debug!(conn = id, "read failed: {e}");
                        break End::Gone;
                    }
                    None => break End::Gone,
                },
                out = queued.recv() => match out {
                    Some(Outbound::Frame(frame)) => {
                        metrics.bytes_out.fetch_add(frame.len() as u64, Ordering::Relaxed);
                        if let Err(e) = send(&mut socket, Message::Text(frame)).await {
                            tracing::info!(conn = id, "write failed: {e}");
                            break End::Gone;
                        }
                    }
                    Some(Outbound::Close(code, reason)) => break End::Close(code, reason),
                    None => break End::Close(CLOSE_POLICY_VIOLATION, "not reading messages"),
                },
                _ = stop.changed() => break End::Close(CLOSE_GOING_AWAY, "server shutting down"),
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
    hub.leave(&room, &room_hub, id);
    metrics.ws_connections.fetch_sub(1, Ordering::Relaxed);
    tracing::info!(conn = id, room, "closed");
    if let End::Close(code, reason) = end {
        close(socket, code, reason).await;
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
