//! The cross-node layer (relay/src/cluster/) against a real `redis-server` on loopback: each
//! test starts its own server on a free port (no persistence) and three `Cluster` instances,
//! as three relay processes would hold. docs/scale-out.md describes what is checked here.
//!
//! Skipped, loudly, only when `redis-server` is not installed (`scripts/install.sh test`
//! installs it); with `WEBRTC_CHAT_REQUIRE_REDIS=1` a missing server fails instead.

use std::collections::BTreeSet;
use std::net::TcpListener;
use std::time::{Duration, Instant};

use relay::cluster::{Claim, Cluster, ClusterConfig, ClusterError, Incoming};
use relay::user_list::{self, entry_bytes};
use tokio::sync::mpsc::Receiver;

mod common;

use common::redis::RedisServer;

const ROOM: &str = "lobby";

struct Node {
    cluster: Cluster,
    events: Receiver<Incoming>,
}

async fn nodes(redis: &RedisServer, n: usize) -> Vec<Node> {
    let mut out = Vec::new();
    for _ in 0..n {
        let (cluster, events) = Cluster::connect(ClusterConfig::new(&redis.url()))
            .await
            .expect("connects to the test's redis");
        out.push(Node { cluster, events });
    }
    out
}

async fn nodes_after_restart(redis: &RedisServer) -> Node {
    nodes(redis, 1).await.pop().expect("one node")
}

/// Every event that arrives within `window`.
async fn events_within(events: &mut Receiver<Incoming>, window: Duration) -> Vec<Incoming> {
    let deadline = tokio::time::Instant::now() + window;
    let mut out = Vec::new();
    while let Ok(Some(event)) = tokio::time::timeout_at(deadline, events.recv()).await {
        out.push(event);
    }
    out
}

/// Waits for the first event `want` accepts, skipping others; panics after `limit`.
async fn wait_for(
    events: &mut Receiver<Incoming>,
    limit: Duration,
    what: &str,
    want: impl Fn(&Incoming) -> bool,
) -> Incoming {
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        match tokio::time::timeout_at(deadline, events.recv()).await {
            Ok(Some(event)) if want(&event) => return event,
            Ok(Some(_)) => {}
            Ok(None) => panic!("event queue closed while waiting for {what}"),
            Err(_) => panic!("no {what} within {limit:?}"),
        }
    }
}

/// Drops what is queued (user-list changes from the setup).
async fn settle(nodes: &mut [Node]) {
    for node in nodes.iter_mut() {
        events_within(&mut node.events, Duration::from_millis(150)).await;
    }
}

async fn wait_health(node: &Node, healthy: bool, limit: Duration) {
    let mut health = node.cluster.health();
    tokio::time::timeout(limit, health.wait_for(|h| *h == healthy))
        .await
        .unwrap_or_else(|_| {
            panic!(
                "node {} not healthy={healthy} within {limit:?}",
                node.cluster.node()
            )
        })
        .expect("health sender alive");
}

fn broadcasts(events: &[Incoming]) -> Vec<&str> {
    events
        .iter()
        .filter_map(|e| match e {
            Incoming::Broadcast { room, frame } if room == ROOM => Some(frame.as_str()),
            _ => None,
        })
        .collect()
}

fn to_users(events: &[Incoming]) -> Vec<(&str, &str)> {
    events
        .iter()
        .filter_map(|e| match e {
            Incoming::ToUser {
                room,
                name_key,
                frame,
            } if room == ROOM => Some((name_key.as_str(), frame.as_str())),
            _ => None,
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_claimers_on_three_nodes_one_winner() {
    let Some(redis) = RedisServer::start("a_hundred_claimers_on_three_nodes_one_winner") else {
        return;
    };
    let nodes = nodes(&redis, 3).await;
    let mut racers = Vec::new();
    for conn in 0..100u64 {
        let cluster = nodes[conn as usize % 3].cluster.clone();
        racers.push(tokio::spawn(async move {
            let claim = cluster
                .claim_name(ROOM, "alice", &format!("Alice{conn}"), conn)
                .await;
            (conn, claim)
        }));
    }
    let mut winners = Vec::new();
    for racer in racers {
        let (conn, claim) = racer.await.expect("racer ran");
        match claim.expect("redis answers") {
            Claim::Claimed => winners.push(conn),
            Claim::Taken => {}
            Claim::Provisional | Claim::Full => panic!("redis is up, no list limit near: {conn}"),
        }
    }
    assert_eq!(winners.len(), 1, "exactly one winner: {winners:?}");
    let winner = winners[0];
    let users = nodes[1].cluster.room_users(ROOM).await.expect("users");
    assert_eq!(users, [format!("Alice{winner}")]);

    // Freed by its holder only, then anyone's again.
    let holder = &nodes[winner as usize % 3].cluster;
    let other = &nodes[(winner as usize + 1) % 3].cluster;
    holder
        .release_name(ROOM, "alice", winner + 1)
        .await
        .expect("release");
    assert_eq!(
        other.claim_name(ROOM, "alice", "A", 500).await.unwrap(),
        Claim::Taken
    );
    holder
        .release_name(ROOM, "alice", winner)
        .await
        .expect("release");
    assert_eq!(
        other.claim_name(ROOM, "alice", "A", 500).await.unwrap(),
        Claim::Claimed
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_user_list_is_the_union_of_every_node() {
    let Some(redis) = RedisServer::start("the_user_list_is_the_union_of_every_node") else {
        return;
    };
    let nodes = nodes(&redis, 3).await;
    for (i, name) in ["Ann", "Bob", "Cy"].into_iter().enumerate() {
        let claim = nodes[i]
            .cluster
            .claim_name(ROOM, &name.to_lowercase(), name, i as u64)
            .await;
        assert_eq!(claim.unwrap(), Claim::Claimed);
    }
    for node in &nodes {
        assert_eq!(
            node.cluster.room_users(ROOM).await.unwrap(),
            ["Ann", "Bob", "Cy"]
        );
        assert!(node
            .cluster
            .room_users("elsewhere")
            .await
            .unwrap()
            .is_empty());
    }
    nodes[1].cluster.release_name(ROOM, "bob", 1).await.unwrap();
    assert_eq!(
        nodes[2].cluster.room_users(ROOM).await.unwrap(),
        ["Ann", "Cy"]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_reach_the_right_nodes_once() {
    let Some(redis) = RedisServer::start("messages_reach_the_right_nodes_once") else {
        return;
    };
    let mut nodes = nodes(&redis, 3).await;
    for (i, name) in ["ann", "bob", "cy"].into_iter().enumerate() {
        nodes[i].cluster.enter_room(ROOM).await;
        nodes[i]
            .cluster
            .claim_name(ROOM, name, name, i as u64)
            .await
            .unwrap();
    }
    // Cy's claim, last, tells the two others.
    for node in &mut nodes[..2] {
        wait_for(
            &mut node.events,
            Duration::from_secs(2),
            "RoomChanged",
            |e| *e == Incoming::RoomChanged { room: ROOM.into() },
        )
        .await;
    }
    settle(&mut nodes).await;

    let offer = r#"{"type":"video-offer","name":"ann","target":"bob","sdp":"v=0|x"}"#;
    assert!(nodes[0]
        .cluster
        .send_to_user(ROOM, "bob", offer)
        .await
        .unwrap());
    assert!(!nodes[0]
        .cluster
        .send_to_user(ROOM, "nobody", offer)
        .await
        .unwrap());
    let chat = r#"{"type":"message","name":"ann","text":"hi all"}"#;
    nodes[0].cluster.broadcast(ROOM, chat).await.unwrap();

    let window = Duration::from_millis(400);
    let seen: Vec<Vec<Incoming>> = futures_util::future::join_all(
        nodes
            .iter_mut()
            .map(|n| events_within(&mut n.events, window)),
    )
    .await;
    assert_eq!(to_users(&seen[1]), [("bob", offer)], "targeted: bob's node");
    assert!(to_users(&seen[0]).is_empty() && to_users(&seen[2]).is_empty());
    assert_eq!(broadcasts(&seen[1]), [chat], "broadcast: once on node 1");
    assert_eq!(broadcasts(&seen[2]), [chat], "broadcast: once on node 2");
    assert!(
        broadcasts(&seen[0]).is_empty(),
        "not back to its sender: {:?}",
        seen[0]
    );

    // A node that left the room hears no more of it.
    nodes[2].cluster.leave_room(ROOM).await;
    nodes[0].cluster.broadcast(ROOM, chat).await.unwrap();
    assert!(broadcasts(&events_within(&mut nodes[2].events, window).await).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn call_links_work_across_nodes() {
    let Some(redis) = RedisServer::start("call_links_work_across_nodes") else {
        return;
    };
    let nodes = nodes(&redis, 3).await;
    let [a, b, c] = [&nodes[0].cluster, &nodes[1].cluster, &nodes[2].cluster];
    a.claim_name(ROOM, "ann", "Ann", 1).await.unwrap();
    b.claim_name(ROOM, "bob", "Bob", 2).await.unwrap();
    // Offer ann → bob, as the relay tracks it: the caller's side, then the callee's if free.
    assert!(a.set_link(ROOM, "ann", "bob", false).await.unwrap());
    assert!(a.set_link(ROOM, "bob", "ann", true).await.unwrap());
    assert_eq!(
        b.peer_of(ROOM, "bob").await.unwrap().as_deref(),
        Some("ann")
    );
    assert_eq!(
        c.peer_of(ROOM, "ann").await.unwrap().as_deref(),
        Some("bob")
    );
    assert_eq!(c.peer_of("elsewhere", "ann").await.unwrap(), None);
    // Cy offers to bob, busy: bob keeps ann.
    c.claim_name(ROOM, "cy", "Cy", 3).await.unwrap();
    assert!(c.set_link(ROOM, "cy", "bob", false).await.unwrap());
    assert!(!c.set_link(ROOM, "bob", "cy", true).await.unwrap());
    assert_eq!(
        a.peer_of(ROOM, "bob").await.unwrap().as_deref(),
        Some("ann")
    );
    // Hang-up bob → ann, on bob's node: both sides, each only if it points at the other.
    assert_eq!(b.clear_link(ROOM, "bob", Some("cy")).await.unwrap(), None);
    assert_eq!(
        b.clear_link(ROOM, "bob", Some("ann"))
            .await
            .unwrap()
            .as_deref(),
        Some("ann")
    );
    assert_eq!(
        b.clear_link(ROOM, "ann", Some("bob"))
            .await
            .unwrap()
            .as_deref(),
        Some("bob")
    );
    assert_eq!(a.peer_of(ROOM, "ann").await.unwrap(), None);
    assert_eq!(b.clear_link(ROOM, "bob", None).await.unwrap(), None);
    // Releasing a name ends its link and the links pointing at it.
    a.set_link(ROOM, "ann", "bob", false).await.unwrap();
    a.set_link(ROOM, "bob", "ann", false).await.unwrap();
    a.release_name(ROOM, "ann", 1).await.unwrap();
    assert_eq!(b.peer_of(ROOM, "bob").await.unwrap(), None);
    assert_eq!(b.peer_of(ROOM, "ann").await.unwrap(), None);
    assert_eq!(b.peer_of(ROOM, "cy").await.unwrap().as_deref(), Some("bob"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_node_loses_its_names_within_ten_seconds() {
    let Some(redis) = RedisServer::start("a_killed_node_loses_its_names_within_ten_seconds") else {
        return;
    };
    let mut nodes = nodes(&redis, 3).await;
    for (i, name) in ["ann", "bob", "cy"].into_iter().enumerate() {
        nodes[i].cluster.enter_room(ROOM).await;
        nodes[i]
            .cluster
            .claim_name(ROOM, name, name, i as u64)
            .await
            .unwrap();
    }
    nodes[1]
        .cluster
        .set_link(ROOM, "bob", "cy", false)
        .await
        .unwrap();
    nodes[1]
        .cluster
        .set_link(ROOM, "cy", "bob", false)
        .await
        .unwrap();
    settle(&mut nodes).await;

    // kill -9: no release, no goodbye; only the presence key's time-to-live tells.
    let killed = nodes.pop().expect("three nodes");
    drop(killed);
    let start = Instant::now();
    for node in &mut nodes {
        wait_for(
            &mut node.events,
            Duration::from_secs(10),
            "RoomChanged after the kill",
            |e| *e == Incoming::RoomChanged { room: ROOM.into() },
        )
        .await;
        assert_eq!(node.cluster.room_users(ROOM).await.unwrap(), ["ann", "bob"]);
    }
    let gone_after = start.elapsed();
    eprintln!("killed node's names gone from every list after {gone_after:?}");
    assert!(gone_after < Duration::from_secs(10));
    assert_eq!(
        nodes[0].cluster.peer_of(ROOM, "bob").await.unwrap(),
        None,
        "its call links too"
    );
    assert_eq!(
        nodes[0]
            .cluster
            .claim_name(ROOM, "cy", "Cy", 9)
            .await
            .unwrap(),
        Claim::Claimed
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_clean_shutdown_frees_names_at_once() {
    let Some(redis) = RedisServer::start("a_clean_shutdown_frees_names_at_once") else {
        return;
    };
    let mut nodes = nodes(&redis, 2).await;
    nodes[0].cluster.enter_room(ROOM).await;
    nodes[1].cluster.enter_room(ROOM).await;
    nodes[1]
        .cluster
        .claim_name(ROOM, "bob", "Bob", 1)
        .await
        .unwrap();
    settle(&mut nodes).await;
    let leaving = nodes.pop().expect("two nodes");
    leaving.cluster.shutdown().await;
    wait_for(
        &mut nodes[0].events,
        Duration::from_millis(500),
        "RoomChanged",
        |e| *e == Incoming::RoomChanged { room: ROOM.into() },
    )
    .await;
    assert!(nodes[0].cluster.room_users(ROOM).await.unwrap().is_empty());
    assert_eq!(
        nodes[0]
            .cluster
            .claim_name(ROOM, "bob", "Bob", 2)
            .await
            .unwrap(),
        Claim::Claimed
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_stopped_and_restarted_nodes_resynchronise() {
    let Some(mut redis) = RedisServer::start("redis_stopped_and_restarted_nodes_resynchronise")
    else {
        return;
    };
    let mut nodes = nodes(&redis, 3).await;
    for (i, name) in ["ann", "bob", "cy"].into_iter().enumerate() {
        nodes[i].cluster.enter_room(ROOM).await;
        nodes[i]
            .cluster
            .claim_name(ROOM, name, name, i as u64)
            .await
            .unwrap();
    }
    settle(&mut nodes).await;

    redis.stop();
    for node in &nodes {
        wait_health(node, false, Duration::from_secs(3)).await;
    }
    // Down: every call answers at once, with a typed error or a provisional claim.
    let t = Instant::now();
    let [a, b, c] = [&nodes[0].cluster, &nodes[1].cluster, &nodes[2].cluster];
    assert_eq!(
        a.claim_name(ROOM, "dup", "Dup-a", 10).await.unwrap(),
        Claim::Provisional
    );
    assert_eq!(
        b.claim_name(ROOM, "dup", "Dup-b", 11).await.unwrap(),
        Claim::Provisional
    );
    assert_eq!(
        a.claim_name(ROOM, "dup", "Dup-a2", 12).await.unwrap(),
        Claim::Taken
    );
    assert!(matches!(
        c.room_users(ROOM).await,
        Err(ClusterError::Unavailable)
    ));
    assert!(matches!(
        a.broadcast(ROOM, "{}").await,
        Err(ClusterError::Unavailable)
    ));
    assert!(matches!(
        a.send_to_user(ROOM, "bob", "{}").await,
        Err(ClusterError::Unavailable)
    ));
    assert!(matches!(
        a.peer_of(ROOM, "ann").await,
        Err(ClusterError::Unavailable)
    ));
    // Released while down: must not come back with the resync.
    assert!(c.release_name(ROOM, "cy", 2).await.is_err());
    assert!(
        t.elapsed() < Duration::from_millis(200),
        "fast failures: {:?}",
        t.elapsed()
    );

    // Back, empty (no persistence): every node re-publishes what it holds.
    redis.spawn();
    let t = Instant::now();
    // A node started now, before the others are back, draws from a counter that restarted
    // at zero: it must not end up sharing a node number (hence client ids) with them.
    let newcomer = nodes_after_restart(&redis).await;
    for node in &nodes {
        wait_health(node, true, Duration::from_secs(10)).await;
    }
    eprintln!("all nodes healthy {:?} after redis restarted", t.elapsed());
    let numbers: BTreeSet<u32> = nodes
        .iter()
        .chain([&newcomer])
        .map(|n| n.cluster.node())
        .collect();
    assert_eq!(numbers.len(), 4, "distinct node numbers: {numbers:?}");

    let users = c.room_users(ROOM).await.unwrap();
    let dups: Vec<_> = users.iter().filter(|u| u.starts_with("Dup")).collect();
    assert_eq!(
        dups.len(),
        1,
        "one holder of 'dup' after the resync: {users:?}"
    );
    assert!(
        users.contains(&"ann".to_owned()) && users.contains(&"bob".to_owned()),
        "{users:?}"
    );
    assert!(
        !users.contains(&"cy".to_owned()),
        "released while down: {users:?}"
    );
    let (winner, loser) = if dups[0] == "Dup-a" { (0, 1) } else { (1, 0) };
    let lost = wait_for(
        &mut nodes[loser].events,
        Duration::from_secs(2),
        "NameLost",
        |e| matches!(e, Incoming::NameLost { .. }),
    )
    .await;
    assert_eq!(
        lost,
        Incoming::NameLost {
            room: ROOM.into(),
            name_key: "dup".into(),
            conn: 10 + loser as u64
        }
    );
    let winner_saw = events_within(&mut nodes[winner].events, Duration::from_millis(200)).await;
    assert!(
        !winner_saw
            .iter()
            .any(|e| matches!(e, Incoming::NameLost { .. })),
        "{winner_saw:?}"
    );
    // The loser's node no longer holds it; the winner's does.
    assert_eq!(
        nodes[loser]
            .cluster
            .claim_name(ROOM, "dup", "x", 99)
            .await
            .unwrap(),
        Claim::Taken
    );

    // Pub/sub works again (subscriptions were re-made on the new connections).
    settle(&mut nodes).await;
    nodes[0].cluster.broadcast(ROOM, "after").await.unwrap();
    assert!(nodes[2]
        .cluster
        .send_to_user(ROOM, "bob", "to-bob")
        .await
        .unwrap());
    let window = Duration::from_millis(400);
    let seen1 = events_within(&mut nodes[1].events, window).await;
    let seen2 = events_within(&mut nodes[2].events, window).await;
    assert_eq!(broadcasts(&seen1), ["after"]);
    assert_eq!(broadcasts(&seen2), ["after"]);
    assert_eq!(to_users(&seen1), [("bob", "to-bob")]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_reaped_while_cut_off_resynchronises_and_reports_its_lost_names() {
    let Some(redis) = RedisServer::start("a_node_reaped_while_cut_off_resynchronises") else {
        return;
    };
    let mut nodes = nodes(&redis, 2).await;
    nodes[0].cluster.enter_room(ROOM).await;
    nodes[1].cluster.enter_room(ROOM).await;
    nodes[0]
        .cluster
        .claim_name(ROOM, "ann", "Ann", 1)
        .await
        .unwrap();
    nodes[0]
        .cluster
        .claim_name(ROOM, "al", "Al", 2)
        .await
        .unwrap();
    settle(&mut nodes).await;

    // What the others see of a node cut off for longer than its presence lifetime: its key
    // is gone. One of its names is taken meanwhile.
    let client = redis::Client::open(redis.url()).unwrap();
    let mut raw = client.get_multiplexed_async_connection().await.unwrap();
    let key = format!("webrtc-chat:node:{}", nodes[0].cluster.node());
    let _: i64 = redis::cmd("DEL")
        .arg(&key)
        .query_async(&mut raw)
        .await
        .unwrap();
    assert_eq!(
        nodes[1]
            .cluster
            .claim_name(ROOM, "ann", "Ann2", 7)
            .await
            .unwrap(),
        Claim::Claimed
    );

    // Its next renewal finds the key gone: it resynchronises, keeps what is still free, and
    // reports what it lost.
    let lost = wait_for(
        &mut nodes[0].events,
        Duration::from_secs(5),
        "NameLost",
        |e| matches!(e, Incoming::NameLost { .. }),
    )
    .await;
    assert_eq!(
        lost,
        Incoming::NameLost {
            room: ROOM.into(),
            name_key: "ann".into(),
            conn: 1
        }
    );
    wait_health(&nodes[0], true, Duration::from_secs(5)).await;
    // Al is back (re-claimed, so maybe listed after Ann2 if it was reaped meanwhile).
    let mut users = nodes[1].cluster.room_users(ROOM).await.unwrap();
    users.sort();
    assert_eq!(users, ["Al", "Ann2"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn names_changing_during_a_resync_end_up_exactly_as_held() {
    let Some(mut redis) = RedisServer::start("names_changing_during_a_resync") else {
        return;
    };
    let nodes = nodes(&redis, 2).await;
    let [a, b] = [nodes[0].cluster.clone(), nodes[1].cluster.clone()];
    // Enough rooms that the resync (one script per room) takes a while.
    const ROOMS: u64 = 300;
    let room = |r: u64| format!("room{r}");
    for r in 0..ROOMS {
        for n in 0..3 {
            let name = format!("n{n}");
            a.claim_name(&room(r), &name, &name, r * 10 + n)
                .await
                .unwrap();
        }
    }
    redis.stop();
    wait_health(&nodes[0], false, Duration::from_secs(3)).await;
    redis.spawn();

    // One release and one claim per room, spread over the reconnection: some before the
    // resync, some while it runs (before or after their room's script), some after.
    for r in 0..ROOMS {
        let _ = a.release_name(&room(r), "n0", r * 10).await;
        let claim = a.claim_name(&room(r), "y", "y", 5_000 + r).await.unwrap();
        assert_ne!(claim, Claim::Taken);
        tokio::time::sleep(Duration::from_millis(3)).await;
    }
    wait_health(&nodes[0], true, Duration::from_secs(10)).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    for r in 0..ROOMS {
        let mut users = b.room_users(&room(r)).await.unwrap();
        users.sort();
        assert_eq!(users, ["n1", "n2", "y"], "room{r}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_frozen_redis_means_timeouts_not_hangs() {
    let Some(redis) = RedisServer::start("a_frozen_redis_means_timeouts_not_hangs") else {
        return;
    };
    let mut nodes = nodes(&redis, 2).await;
    nodes[0].cluster.enter_room(ROOM).await;
    nodes[1].cluster.enter_room(ROOM).await;
    nodes[1]
        .cluster
        .claim_name(ROOM, "bob", "Bob", 1)
        .await
        .unwrap();
    settle(&mut nodes).await;

    redis.signal("-STOP");
    let t = Instant::now();
    let result = nodes[0].cluster.room_users(ROOM).await;
    assert!(
        matches!(result, Err(ClusterError::Timeout | ClusterError::Redis(_))),
        "{result:?}"
    );
    assert!(
        t.elapsed() < Duration::from_millis(1500),
        "{:?}",
        t.elapsed()
    );
    for node in &nodes {
        wait_health(node, false, Duration::from_secs(4)).await;
    }
    wait_for(
        &mut nodes[0].events,
        Duration::from_secs(1),
        "Health(false)",
        |e| matches!(e, Incoming::Health { healthy: false, .. }),
    )
    .await;

    redis.signal("-CONT");
    for node in &nodes {
        wait_health(node, true, Duration::from_secs(10)).await;
    }
    assert_eq!(nodes[0].cluster.room_users(ROOM).await.unwrap(), ["Bob"]);
    nodes[1].cluster.broadcast(ROOM, "thawed").await.unwrap();
    let seen = events_within(&mut nodes[0].events, Duration::from_millis(400)).await;
    assert_eq!(broadcasts(&seen), ["thawed"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_ids_are_unique_across_nodes_and_below_2_53() {
    let Some(redis) = RedisServer::start("client_ids_are_unique_across_nodes_and_below_2_53")
    else {
        return;
    };
    let nodes = nodes(&redis, 3).await;
    let numbers: BTreeSet<u32> = nodes.iter().map(|n| n.cluster.node()).collect();
    assert_eq!(numbers.len(), 3, "distinct node numbers: {numbers:?}");
    // A fixed number: refused while a live node holds it.
    let mut config = ClusterConfig::new(&redis.url());
    config.node = Some(nodes[0].cluster.node());
    assert!(matches!(
        Cluster::connect(config.clone()).await,
        Err(ClusterError::NodeTaken(_))
    ));
    config.node = Some(40_000);
    let (fixed, _events) = Cluster::connect(config).await.unwrap();
    assert_eq!(fixed.node(), 40_000);
    assert_eq!(fixed.next_client_id() >> 37, 40_000);
    let mut ids = BTreeSet::new();
    for node in &nodes {
        for _ in 0..1000 {
            let id = node.cluster.next_client_id();
            assert!(id < 1 << 53);
            assert!(ids.insert(id), "duplicate id {id}");
        }
    }
}

#[tokio::test]
async fn an_unreachable_redis_fails_fast_at_connect() {
    // A port nobody listens on (bound, then released).
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let t = Instant::now();
    let result = Cluster::connect(ClusterConfig::new(&format!("redis://127.0.0.1:{port}/"))).await;
    assert!(result.is_err());
    assert!(t.elapsed() < Duration::from_secs(2), "{:?}", t.elapsed());
    assert!(Cluster::connect(ClusterConfig::new("not a url"))
        .await
        .is_err());
    let mut config = ClusterConfig::new(&format!("redis://127.0.0.1:{port}/"));
    config.node = Some(70_000);
    assert!(matches!(
        Cluster::connect(config).await,
        Err(ClusterError::InvalidNode(70_000))
    ));
}

/// Nodes holding the room's user list to `max_list_bytes`, quick to notice a dead node.
async fn small_list_nodes(redis: &RedisServer, n: usize, max_list_bytes: usize) -> Vec<Node> {
    let mut out = Vec::new();
    for _ in 0..n {
        let config = ClusterConfig {
            max_list_bytes,
            presence_ttl: Duration::from_millis(1000),
            renew_every: Duration::from_millis(250),
            ..ClusterConfig::new(&redis.url())
        };
        let (cluster, events) = Cluster::connect(config).await.expect("connects");
        cluster.enter_room(ROOM).await;
        out.push(Node { cluster, events });
    }
    out
}

/// The room's entry bytes as Redis keeps them: the running sum, and the sum of the per-name
/// sizes (`docs/scale-out.md`, keys).
async fn bytes_in_redis(redis: &RedisServer) -> (u64, u64) {
    use redis::AsyncCommands;
    let client = redis::Client::open(redis.url()).expect("url");
    let mut c = client
        .get_multiplexed_async_connection()
        .await
        .expect("connects");
    let total: Option<u64> = c
        .get(format!("webrtc-chat:room:{ROOM}:list-bytes"))
        .await
        .expect("get");
    let sizes: Vec<u64> = c
        .hvals(format!("webrtc-chat:room:{ROOM}:entry-bytes"))
        .await
        .expect("hvals");
    (total.unwrap_or(0), sizes.iter().sum())
}

fn set(names: &[String]) -> BTreeSet<&str> {
    names.iter().map(String::as_str).collect()
}

/// What `users` take in the user list, by the relay's one size rule.
fn entries(users: &[String]) -> u64 {
    users
        .iter()
        .map(|u| entry_bytes(Some(u)) as u64)
        .sum::<u64>()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn claims_on_every_node_hold_the_union_list_to_the_limit() {
    let Some(redis) = RedisServer::start("claims_on_every_node_hold_the_union_list_to_the_limit")
    else {
        return;
    };
    const LIMIT: usize = 1024;
    let mut nodes = small_list_nodes(&redis, 3, LIMIT).await;
    let long = |i: usize| format!("{}{i:02}", "L".repeat(60));
    // Long names claimed in turn on the three nodes until the shared list is full.
    let mut held = Vec::new();
    let refused_at = loop {
        let i = held.len();
        let node = &nodes[i % 3].cluster;
        match node.claim_name(ROOM, &long(i), &long(i), i as u64).await {
            Ok(Claim::Claimed) => held.push(long(i)),
            Ok(Claim::Full) => break i,
            other => panic!("claim {i}: {other:?}"),
        }
        assert!(i < 100, "never full");
    };
    let fits = user_list::entries_budget(LIMIT) / entry_bytes(Some(&long(0)));
    assert_eq!(
        refused_at, fits,
        "full exactly when the next entry would not fit"
    );
    for node in &nodes {
        let users = node.cluster.room_users(ROOM).await.unwrap();
        assert_eq!(set(&users), set(&held), "a refused claim holds nothing");
        let frame = user_list::frame_bytes(entries(&users) as usize);
        assert!(frame <= LIMIT, "{frame} bytes");
    }
    assert_eq!(
        bytes_in_redis(&redis).await,
        (entries(&held), entries(&held))
    );
    // The same long name on any node: refused (not taken: nobody holds it).
    for node in &nodes {
        let claim = node.cluster.claim_name(ROOM, "late", &long(99), 500).await;
        assert_eq!(claim.unwrap(), Claim::Full);
    }
    // Size, not count: a short name still fits in what is left.
    let left = user_list::entries_budget(LIMIT) - entries(&held) as usize;
    let short = "s".repeat(left - 3);
    assert_eq!(entry_bytes(Some(&short)), left);
    let claim = nodes[1].cluster.claim_name(ROOM, &short, &short, 600).await;
    assert_eq!(claim.unwrap(), Claim::Claimed);
    assert_eq!(
        nodes[2]
            .cluster
            .claim_name(ROOM, "x", "x", 601)
            .await
            .unwrap(),
        Claim::Full,
        "to the byte"
    );
    nodes[1]
        .cluster
        .release_name(ROOM, &short, 600)
        .await
        .unwrap();

    // Two leave (on two nodes): two new long names fit again, on the third node.
    nodes[0]
        .cluster
        .release_name(ROOM, &held[0], 0)
        .await
        .unwrap();
    nodes[1]
        .cluster
        .release_name(ROOM, &held[1], 1)
        .await
        .unwrap();
    held.drain(..2);
    for (i, conn) in [(200, 700), (201, 701)] {
        let claim = nodes[2]
            .cluster
            .claim_name(ROOM, &long(i), &long(i), conn)
            .await;
        assert_eq!(claim.unwrap(), Claim::Claimed);
        held.push(long(i));
    }
    let claim = nodes[0]
        .cluster
        .claim_name(ROOM, "late", &long(99), 500)
        .await;
    assert_eq!(claim.unwrap(), Claim::Full);
    assert_eq!(
        bytes_in_redis(&redis).await,
        (entries(&held), entries(&held))
    );

    // A node killed (no release): its names are reaped, and their bytes come back.
    let killed = nodes.remove(1);
    let on_killed: Vec<String> = (0..refused_at)
        .filter(|i| i % 3 == 1)
        .map(long)
        .filter(|n| held.contains(n))
        .collect();
    assert!(!on_killed.is_empty());
    drop(killed);
    let deadline = Instant::now() + Duration::from_secs(10);
    held.retain(|n| !on_killed.contains(n));
    // Out of the lists as soon as its presence expires; its bytes back once a node reaps it.
    while set(&nodes[0].cluster.room_users(ROOM).await.unwrap()) != set(&held)
        || bytes_in_redis(&redis).await != (entries(&held), entries(&held))
    {
        assert!(
            Instant::now() < deadline,
            "the killed node's names or bytes stay"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    for (k, _) in on_killed.iter().enumerate() {
        let name = long(300 + k);
        let claim = nodes[k % 2]
            .cluster
            .claim_name(ROOM, &name, &name, 800 + k as u64);
        assert_eq!(claim.await.unwrap(), Claim::Claimed, "room back for {name}");
        held.push(name);
    }
    let claim = nodes[0]
        .cluster
        .claim_name(ROOM, "late", &long(99), 500)
        .await;
    assert_eq!(claim.unwrap(), Claim::Full);

    // A size left behind (as a relay of an older version would: it keeps none) is gone
    // within a reaping round, and the sum is recounted from the names.
    {
        use redis::AsyncCommands;
        let client = redis::Client::open(redis.url()).expect("url");
        let mut c = client.get_multiplexed_async_connection().await.unwrap();
        let _: () = c
            .hset(format!("webrtc-chat:room:{ROOM}:entry-bytes"), "ghost", 500)
            .await
            .unwrap();
        let _: () = c
            .incr(format!("webrtc-chat:room:{ROOM}:list-bytes"), 500)
            .await
            .unwrap();
    }
    let deadline = Instant::now() + Duration::from_secs(5);
    while bytes_in_redis(&redis).await != (entries(&held), entries(&held)) {
        assert!(Instant::now() < deadline, "the ghost's bytes stay");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // A clean shutdown frees its names' bytes at once.
    let leaving = nodes.remove(1);
    leaving.cluster.shutdown().await;
    let users = nodes[0].cluster.room_users(ROOM).await.unwrap();
    assert!(!users.contains(&long(200)) && users.len() < held.len());
    assert_eq!(
        bytes_in_redis(&redis).await,
        (entries(&users), entries(&users))
    );
}
