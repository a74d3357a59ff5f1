//! The background side: connect, take a node number, subscribe, re-claim names, then keep the
//! presence alive and reap dead nodes until something breaks; then report it, back off,
//! and start over. Every (re)connection goes through the same [`establish`], so the first
//! connection and a recovery after Redis lost all its data are the same code path.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use futures_util::StreamExt;
use redis::aio::{MultiplexedConnection, PubSubStream};
use redis::AsyncConnectionConfig;
use tokio::task::JoinHandle;
use tokio::time::timeout;

use super::envelope::Envelope;
use super::local::{Local, LocalName};
use super::{ids, lock, ClusterError, Incoming, Shared};
use crate::user_list;

/// Identifies this process's presence key among others holding the same node number (one
/// process may run several clusters: the tests do).
pub(super) fn unique_token() -> String {
    static SEQ: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!(
        "{}-{nanos}-{}",
        std::process::id(),
        SEQ.fetch_add(1, Ordering::Relaxed)
    )
}

/// Connects and resynchronises; on success the node is healthy and the returned task reads
/// the pub/sub connection (it ends when that connection drops).
pub(super) async fn establish(shared: &Arc<Shared>) -> Result<JoinHandle<()>, ClusterError> {
    let config = &shared.config;
    let deadline = config.op_timeout;
    let options = AsyncConnectionConfig::new()
        .set_connection_timeout(Some(deadline))
        .set_response_timeout(Some(deadline));
    let mut conn = timeout(
        deadline,
        shared
            .client
            .get_multiplexed_async_connection_with_config(&options),
    )
    .await
    .map_err(|_| ClusterError::Timeout)??;

    take_node_number(shared, &mut conn).await?;
    let node = shared.node.load(Ordering::Relaxed);

    // Pub/sub on its own connection (RESP2 pub/sub takes the connection over). Subscribed to
    // this node's channel and every room it has connections in before anything else, so
    // nothing sent after the resync below is missed.
    let pubsub = timeout(deadline, shared.client.get_async_pubsub())
        .await
        .map_err(|_| ClusterError::Timeout)??;
    let (mut sink, stream) = pubsub.split();
    timeout(deadline, sink.subscribe(shared.keys.node_channel(node)))
        .await
        .map_err(|_| ClusterError::Timeout)??;
    let reader = tokio::spawn(read(shared.clone(), stream));
    if let Some(old) = lock(&shared.reader).replace(reader.abort_handle()) {
        old.abort();
    }
    {
        let mut subs = shared.subs.lock().await;
        let channels: Vec<String> = subs
            .rooms
            .keys()
            .map(|room| shared.keys.room_channel(room))
            .collect();
        if !channels.is_empty() {
            timeout(deadline, sink.subscribe(channels))
                .await
                .map_err(|_| ClusterError::Timeout)??;
        }
        subs.sink = Some(sink);
    }

    resync_names(shared, &mut conn, true, true).await?;
    shared.health.send_replace(true);
    emit(
        shared,
        Incoming::Health {
            healthy: true,
            detail: format!("redis connected as node {node}, names resynchronised"),
        },
    )
    .await;
    for room in rooms(shared).await {
        emit(shared, Incoming::RoomChanged { room }).await;
    }
    Ok(reader)
}

/// Keeps this node's number, or draws one: a Redis that lost its data may have given it to a
/// node started meanwhile, which then keeps it (ids this node handed out before stay as they
/// are; see docs/scale-out.md).
async fn take_node_number(
    shared: &Shared,
    conn: &mut MultiplexedConnection,
) -> Result<(), ClusterError> {
    let config = &shared.config;
    let ttl = config.presence_ttl.as_millis() as u64;
    let current = shared.node.load(Ordering::Relaxed);
    if current != 0 {
        let kept: i64 = timeout(
            config.op_timeout,
            shared
                .scripts
                .assert_node
                .key(shared.keys.node_alive(current))
                .key(shared.keys.node_seq())
                .arg(&shared.token)
                .arg(ttl)
                .arg(current)
                .invoke_async(conn),
        )
        .await
        .map_err(|_| ClusterError::Timeout)??;
        if kept == 1 {
            return Ok(());
        }
        if config.node == Some(current) {
            return Err(ClusterError::NodeTaken(current));
        }
    }
    let drawn: u32 = timeout(
        config.op_timeout,
        shared
            .scripts
            .allocate_node
            .key(shared.keys.node_seq())
            .arg(shared.keys.node_alive_prefix())
            .arg(&shared.token)
            .arg(ttl)
            .arg(ids::MAX_NODE)
            .invoke_async(conn),
    )
    .await
    .map_err(|_| ClusterError::Timeout)??;
    if drawn == 0 {
        return Err(ClusterError::NoNodeNumber);
    }
    shared.node.store(drawn, Ordering::Relaxed);
    Ok(())
}

/// Re-asserts this node's names and deletes its entries that no connection holds any more:
/// in every room (`full`, after a reconnection) or in the rooms marked dirty by a failed call.
/// Rooms that change while a pass runs get another pass (a release racing the resync must
/// not leave its name behind). With `going_healthy`, the connection is handed out (healthy)
/// under the same lock as the last check, so a name accepted provisionally during the resync
/// is either seen by it or claimed against a healthy Redis.
async fn resync_names(
    shared: &Shared,
    conn: &mut MultiplexedConnection,
    full: bool,
    going_healthy: bool,
) -> Result<(), ClusterError> {
    let node = shared.node.load(Ordering::Relaxed);
    let (mut since, mut work) = {
        let mut local = lock(&shared.local);
        let mut rooms = local.take_dirty();
        if full {
            rooms.extend(local.rooms().map(str::to_owned));
        }
        (local.generation(), with_names(&local, rooms))
    };
    for pass in 1.. {
        let mut lost = Vec::new();
        for (room, names) in &work {
            let changed = Envelope::Changed { room: room.clone() }.encode(node);
            let mut call = shared.scripts.resync_names.prepare_invoke();
            call.key(shared.keys.room_names(room))
                .key(shared.keys.room_links(room))
                .key(shared.keys.room_entry_bytes(room))
                .key(shared.keys.room_list_bytes(room))
                .arg(shared.keys.node_alive_prefix())
                .arg(node)
                .arg(shared.keys.room_channel(room))
                .arg(changed);
            for (key, held) in names {
                call.arg(key)
                    .arg(held.conn)
                    .arg(&held.display)
                    .arg(if held.pending { "k" } else { "c" })
                    .arg(user_list::entry_bytes(Some(&held.display)));
            }
            let result = timeout(shared.config.op_timeout, call.invoke_async(conn)).await;
            let lost_here: Vec<String> = match result {
                Ok(Ok(lost)) => lost,
                failed => {
                    // This room and those not reached yet: next time.
                    let mut local = lock(&shared.local);
                    work.iter().for_each(|(room, _)| local.mark_dirty(room));
                    return Err(match failed {
                        Ok(Err(e)) => e.into(),
                        _ => ClusterError::Timeout,
                    });
                }
            };
            for key in lost_here {
                if let Some((_, held)) = names.iter().find(|(k, _)| *k == key) {
                    lost.push((room.clone(), key, held.conn));
                }
            }
        }
        let done = {
            let mut local = lock(&shared.local);
            for (room, key, conn) in &lost {
                local.remove(room, key, *conn);
            }
            let mut redo = local.changed_since(since);
            redo.extend(
                work.iter()
                    .filter(|(room, _)| !local.has_room(room))
                    .map(|(room, _)| room.clone()),
            );
            // A node whose names never stop changing: stop after a few passes, leave the
            // rest to the `trouble` path.
            let done = redo.is_empty() || pass >= 8;
            if done && !redo.is_empty() {
                redo.iter().for_each(|room| local.mark_dirty(room));
                shared.trouble.notify_one();
            }
            if done && going_healthy {
                *shared.conn.write().unwrap_or_else(|p| p.into_inner()) = Some(conn.clone());
            }
            if !done {
                since = local.generation();
                work = with_names(&local, redo);
            }
            done
        };
        for (room, name_key, conn) in lost {
            emit(
                shared,
                Incoming::NameLost {
                    room,
                    name_key,
                    conn,
                },
            )
            .await;
        }
        if done {
            break;
        }
    }
    Ok(())
}

fn with_names(local: &Local, rooms: BTreeSet<String>) -> Vec<(String, Vec<(String, LocalName)>)> {
    rooms
        .into_iter()
        .map(|room| {
            let names = local.names_in(&room);
            (room, names)
        })
        .collect()
}

/// The supervisor: watches a healthy connection until it breaks, then reconnects.
pub(super) async fn run(shared: Arc<Shared>, mut reader: JoinHandle<()>) {
    loop {
        let reason = watch(&shared, &mut reader).await;
        go_down(&shared, &reason).await;
        let mut backoff = shared.config.backoff_min;
        let mut last_error = String::new();
        reader = loop {
            tokio::time::sleep(jitter(backoff)).await;
            match establish(&shared).await {
                Ok(reader) => break reader,
                Err(e) => {
                    backoff = (backoff * 2).min(shared.config.backoff_max);
                    // Said once per distinct error, not once per attempt.
                    let error = e.to_string();
                    if error != last_error {
                        let detail = format!("redis reconnect failed ({error}); retrying");
                        emit(
                            &shared,
                            Incoming::Health {
                                healthy: false,
                                detail,
                            },
                        )
                        .await;
                        last_error = error;
                    }
                }
            }
        };
    }
}

/// Heartbeat and reaping until the connection fails; returns why.
async fn watch(shared: &Arc<Shared>, reader: &mut JoinHandle<()>) -> String {
    let Some(mut conn) = shared.connection() else {
        return "no connection".to_owned();
    };
    let mut tick = tokio::time::interval(shared.config.renew_every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    tick.tick().await; // the first tick is immediate
    loop {
        tokio::select! {
            _ = tick.tick() => {
                if let Err(reason) = heartbeat(shared, &mut conn).await {
                    return reason;
                }
            }
            () = shared.trouble.notified() => {
                // A call failed: is the connection alive? Then clean up what the failed call
                // may have left (an entry claimed without a local holder).
                let ping: Result<Result<String, _>, _> =
                    timeout(shared.config.op_timeout, redis::cmd("PING").query_async(&mut conn)).await;
                if !matches!(ping, Ok(Ok(_))) {
                    return "redis stopped answering".to_owned();
                }
                if let Err(e) = resync_names(shared, &mut conn, false, false).await {
                    return format!("names resync failed: {e}");
                }
            }
            _ = &mut *reader => return "pub/sub connection closed".to_owned(),
        }
    }
}

/// Renews the presence, then reaps the dead nodes of this node's rooms.
async fn heartbeat(shared: &Arc<Shared>, conn: &mut MultiplexedConnection) -> Result<(), String> {
    let config = &shared.config;
    let node = shared.node.load(Ordering::Relaxed);
    let renewed: Result<Result<i64, _>, _> = timeout(
        config.op_timeout,
        shared
            .scripts
            .renew
            .key(shared.keys.node_alive(node))
            .arg(&shared.token)
            .arg(config.presence_ttl.as_millis() as u64)
            .invoke_async(conn),
    )
    .await;
    match renewed {
        Ok(Ok(1)) => {}
        // Our key expired (a stall longer than its lifetime) or Redis lost its data: others
        // may have reaped our names. Start over through the full resync.
        Ok(Ok(_)) => return Err("presence key lost; resynchronising".to_owned()),
        Ok(Err(e)) => return Err(format!("presence renewal failed: {e}")),
        Err(_) => return Err("presence renewal timed out".to_owned()),
    }
    for room in rooms(shared).await {
        let changed = Envelope::Changed { room: room.clone() }.encode(node);
        let reaped: Result<Result<i64, _>, _> = timeout(
            config.op_timeout,
            shared
                .scripts
                .reap
                .key(shared.keys.room_names(&room))
                .key(shared.keys.room_links(&room))
                .key(shared.keys.room_entry_bytes(&room))
                .key(shared.keys.room_list_bytes(&room))
                .arg(shared.keys.node_alive_prefix())
                .arg(shared.keys.room_channel(&room))
                .arg(changed)
                .invoke_async(conn),
        )
        .await;
        match reaped {
            // The script told the other nodes; this node is the publisher, so it tells itself.
            Ok(Ok(n)) if n > 0 => emit(shared, Incoming::RoomChanged { room }).await,
            Ok(Ok(_)) => {}
            Ok(Err(e)) => return Err(format!("reaping failed: {e}")),
            Err(_) => return Err("reaping timed out".to_owned()),
        }
    }
    Ok(())
}

async fn go_down(shared: &Arc<Shared>, reason: &str) {
    *shared.conn.write().unwrap_or_else(|p| p.into_inner()) = None;
    shared.subs.lock().await.sink = None;
    if let Some(reader) = lock(&shared.reader).take() {
        reader.abort();
    }
    shared.health.send_replace(false);
    emit(
        shared,
        Incoming::Health {
            healthy: false,
            detail: format!("redis lost ({reason}); serving local users only, reconnecting"),
        },
    )
    .await;
    // User lists fall back to local users until Redis is back.
    for room in rooms(shared).await {
        emit(shared, Incoming::RoomChanged { room }).await;
    }
}

/// Frees this node's names and presence now (a clean shutdown).
pub(super) async fn leave(shared: &Arc<Shared>) {
    let Some(mut conn) = shared.connection() else {
        return;
    };
    *shared.conn.write().unwrap_or_else(|p| p.into_inner()) = None;
    shared.health.send_replace(false);
    let node = shared.node.load(Ordering::Relaxed);
    let deadline = shared.config.op_timeout;
    let rooms: Vec<String> = {
        let mut local = lock(&shared.local);
        let mut rooms = local.take_dirty();
        rooms.extend(local.rooms().map(str::to_owned));
        rooms.into_iter().collect()
    };
    for room in rooms {
        // A resync with no names deletes every entry of this node in the room.
        let changed = Envelope::Changed { room: room.clone() }.encode(node);
        let _: Result<Result<Vec<String>, _>, _> = timeout(
            deadline,
            shared
                .scripts
                .resync_names
                .key(shared.keys.room_names(&room))
                .key(shared.keys.room_links(&room))
                .key(shared.keys.room_entry_bytes(&room))
                .key(shared.keys.room_list_bytes(&room))
                .arg(shared.keys.node_alive_prefix())
                .arg(node)
                .arg(shared.keys.room_channel(&room))
                .arg(changed)
                .invoke_async(&mut conn),
        )
        .await;
    }
    let _: Result<Result<i64, _>, _> = timeout(
        deadline,
        shared
            .scripts
            .release_node
            .key(shared.keys.node_alive(node))
            .arg(&shared.token)
            .invoke_async(&mut conn),
    )
    .await;
}

/// Forwards pub/sub messages as [`Incoming`] events until the connection drops.
async fn read(shared: Arc<Shared>, mut stream: PubSubStream) {
    while let Some(msg) = stream.next().await {
        let Some((origin, envelope)) = Envelope::decode(msg.get_payload_bytes()) else {
            continue;
        };
        let me = shared.node.load(Ordering::Relaxed);
        let event = match envelope {
            Envelope::ToUser {
                room,
                name_key,
                frame,
            } => Incoming::ToUser {
                room,
                name_key,
                frame,
            },
            // A node's own broadcasts and changes come back to it: it handled them already.
            Envelope::Broadcast { .. } | Envelope::Changed { .. } if origin == me => continue,
            Envelope::Broadcast { room, frame } => Incoming::Broadcast { room, frame },
            Envelope::Changed { room } => Incoming::RoomChanged { room },
        };
        // Awaiting here is the backpressure: see `ClusterConfig::queue`.
        if shared.events.send(event).await.is_err() {
            return; // nobody listens any more
        }
    }
}

/// The rooms this node has connections or names in.
async fn rooms(shared: &Shared) -> BTreeSet<String> {
    let mut rooms: BTreeSet<String> = shared.subs.lock().await.rooms.keys().cloned().collect();
    rooms.extend(lock(&shared.local).rooms().map(str::to_owned));
    rooms
}

/// Events from the supervisor wait at most one call deadline for room in the queue: a stuck
/// consumer must not stop the heartbeat (the node would look dead).
async fn emit(shared: &Shared, event: Incoming) {
    let _ = timeout(shared.config.op_timeout, shared.events.send(event)).await;
}

/// Between half and all of `backoff`, so nodes that lost Redis together do not reconnect in
/// lockstep (LiveKit's reconnection storms, #3858).
fn jitter(backoff: Duration) -> Duration {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let fraction = 0.5 + f64::from(nanos % 1000) / 2000.0;
    backoff.mul_f64(fraction)
}
