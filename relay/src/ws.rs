//! WebSocket I/O: the [`Hub`] carries a [`Room`]'s effects to the connections' outboxes, and
//! [`serve`] runs one connection (read frames into the room, write its outbox to the socket).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket};
use tokio::sync::mpsc::error::TrySendError;
use tokio::sync::{mpsc, watch};
use tokio::time;

use crate::room::{ConnId, Effect, Room, CLOSE_POLICY_VIOLATION};

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

#[derive(Debug)]
enum Outbound {
    Frame(Utf8Bytes),
    Close(u16, &'static str),
}

/// The room and the outboxes of its connections, under one lock so that every connection sees
/// broadcasts in the same order.
pub struct Hub {
    start: Instant,
    inner: Mutex<Inner>,
}

struct Inner {
    room: Room,
    outboxes: HashMap<ConnId, mpsc::Sender<Outbound>>,
}

impl Hub {
    pub fn new(room: Room) -> Hub {
        Hub {
            start: Instant::now(),
            inner: Mutex::new(Inner {
                room,
                outboxes: HashMap::new(),
            }),
        }
    }

    /// Open connections.
    pub fn len(&self) -> usize {
        self.lock().room.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // Room code does not panic; if it ever did, keep serving the others with its state.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn now_ms(&self) -> u64 {
        u64::try_from(self.start.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    fn connect(&self, outbox: mpsc::Sender<Outbound>) -> ConnId {
        let now = self.now_ms();
        let mut inner = self.lock();
        let (id, effects) = inner.room.connect(now);
        inner.outboxes.insert(id, outbox);
        inner.apply(effects);
        id
    }

    fn text(&self, id: ConnId, text: &str) {
        let now = self.now_ms();
        let mut inner = self.lock();
        let effects = inner.room.receive_text(id, text, now);
        inner.apply(effects);
    }

    fn binary(&self, id: ConnId) {
        let now = self.now_ms();
        let mut inner = self.lock();
        let effects = inner.room.receive_binary(id, now);
        inner.apply(effects);
    }

    /// `tell`: send the peers what the room says (a `gone` hang-up, the new user list). Not
    /// while the server shuts down: a restarting relay must not end calls whose media flows
    /// peer to peer (the pages log in again once it is back; docs/protocol.md).
    fn disconnect(&self, id: ConnId, tell: bool) {
        let mut inner = self.lock();
        inner.outboxes.remove(&id);
        let effects = inner.room.disconnect(id);
        if tell {
            inner.apply(effects);
        }
    }
}

impl Inner {
    fn apply(&mut self, effects: Vec<Effect>) {
        for effect in effects {
            match effect {
                Effect::Send { to, frame } => {
                    // One shared buffer for every recipient of a broadcast.
                    let frame = Utf8Bytes::from(frame);
                    for id in to {
                        self.push(id, Outbound::Frame(frame.clone()));
                    }
                }
                Effect::Close { conn, code, reason } => {
                    log_info!("connection {conn}: closing ({code} {reason})");
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
                log_warn!("connection {id}: not reading its messages; disconnecting");
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
    mut stop: watch::Receiver<bool>,
    _alive: mpsc::Sender<()>,
    peer: Option<SocketAddr>,
) {
    let (outbox, mut queued) = mpsc::channel(OUTBOX_FRAMES);
    let id = hub.connect(outbox);
    match peer {
        Some(addr) => log_info!("connection {id}: open from {addr}"),
        None => log_info!("connection {id}: open"),
    }
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
                        hub.text(id, text.as_str());
                    }
                    Some(Ok(Message::Binary(_))) => {
                        heard = Instant::now();
                        hub.binary(id);
                    }
                    Some(Ok(Message::Ping(_) | Message::Pong(_))) => heard = Instant::now(),
                    // tungstenite queues the reply; the next read sends it and ends the stream.
                    Some(Ok(Message::Close(_))) => {}
                    Some(Err(e)) => {
                        // Includes frames over the transport cap (tungstenite refuses to
                        // buffer them and the stream cannot continue).
                        log_debug!("connection {id}: read failed: {e}");
                        break End::Gone;
                    }
                    None => break End::Gone,
                },
                out = queued.recv() => match out {
                    Some(Outbound::Frame(frame)) => {
                        if let Err(e) = send(&mut socket, Message::Text(frame)).await {
                            log_info!("connection {id}: write failed: {e}");
                            break End::Gone;
                        }
                    }
                    Some(Outbound::Close(code, reason)) => break End::Close(code, reason),
                    None => break End::Close(CLOSE_POLICY_VIOLATION, "not reading messages"),
                },
                _ = stop.changed() => break End::Close(CLOSE_GOING_AWAY, "server shutting down"),
                _ = ping.tick() => {
                    if heard.elapsed() > SILENCE_LIMIT {
                        log_info!("connection {id}: silent for {SILENCE_LIMIT:?}");
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
    hub.disconnect(id, !*stop.borrow());
    log_info!("connection {id}: closed");
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
