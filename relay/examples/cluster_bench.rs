//! What one hop through Redis costs: starts a `redis-server` on a free loopback port and two
//! cluster nodes, then prints latency and throughput figures for the calls the relay makes
//! per frame (docs/scale-out.md, "Measured").
//!
//!     cargo run --release -p webrtc-chat-relay --example cluster_bench [messages]

use std::net::{TcpListener, TcpStream};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use relay::cluster::{Cluster, ClusterConfig, Incoming};

const ROOM: &str = "bench";

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

fn report(what: &str, mut samples: Vec<Duration>) {
    samples.sort();
    println!(
        "{what:<44} n={:<6} p50={:>7.1?} p99={:>7.1?} max={:>7.1?}",
        samples.len(),
        percentile(&samples, 0.5),
        percentile(&samples, 0.99),
        samples[samples.len() - 1]
    );
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let messages: usize = std::env::args()
        .nth(1)
        .map(|n| n.parse())
        .transpose()?
        .unwrap_or(10_000);
    let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let mut server = Command::new("redis-server")
        .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
        .args(["--save", "", "--appendonly", "no"])
        .stdout(Stdio::null())
        .spawn()
        .map_err(|e| format!("redis-server: {e} (scripts/install.sh test installs it)"))?;
    let deadline = Instant::now() + Duration::from_secs(5);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        if Instant::now() > deadline {
            let _ = server.kill();
            return Err("redis-server did not listen".into());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let result = run(&format!("redis://127.0.0.1:{port}/"), messages).await;
    let _ = server.kill();
    let _ = server.wait();
    result
}

async fn run(url: &str, messages: usize) -> Result<(), Box<dyn std::error::Error>> {
    let (a, _a_events) = Cluster::connect(ClusterConfig::new(url)).await?;
    let (b, mut b_events) = Cluster::connect(ClusterConfig::new(url)).await?;
    a.enter_room(ROOM).await;
    b.enter_room(ROOM).await;
    b.claim_name(ROOM, "bob", "bob", 1).await?;
    println!("redis-server on loopback, 2 nodes, {messages} messages per figure");

    let mut claims = Vec::new();
    for i in 0..1000u64 {
        let t = Instant::now();
        a.claim_name(ROOM, &format!("u{i}"), "u", 100 + i).await?;
        claims.push(t.elapsed());
    }
    report("claim_name (script + publish)", claims);

    let mut lists = Vec::new();
    for _ in 0..200 {
        let t = Instant::now();
        a.room_users(ROOM).await?;
        lists.push(t.elapsed());
    }
    report("room_users (1,001 users)", lists);

    // Drop the user-list changes queued by the claims.
    while tokio::time::timeout(Duration::from_millis(200), b_events.recv())
        .await
        .is_ok_and(|e| e.is_some())
    {}

    // One in flight: node A → Redis → node B, as a call message crossing relays.
    let frame = format!(
        r#"{{"type":"new-ice-candidate","target":"bob","candidate":"{}"}}"#,
        "x".repeat(200)
    );
    let mut hops = Vec::new();
    for _ in 0..messages {
        let t = Instant::now();
        a.send_to_user(ROOM, "bob", &frame).await?;
        loop {
            match b_events.recv().await {
                Some(Incoming::ToUser { .. }) => break,
                Some(_) => {}
                None => return Err("node B stopped".into()),
            }
        }
        hops.push(t.elapsed());
    }
    report("send_to_user → delivered on the other node", hops);

    // Many in flight: throughput of targeted frames from 16 senders.
    let t = Instant::now();
    let senders: Vec<_> = (0..16)
        .map(|_| {
            let a = a.clone();
            let frame = frame.clone();
            let n = messages / 16;
            tokio::spawn(async move {
                for _ in 0..n {
                    let _ = a.send_to_user(ROOM, "bob", &frame).await;
                }
            })
        })
        .collect();
    let expected = messages / 16 * 16;
    let mut received = 0;
    while received < expected {
        match tokio::time::timeout(Duration::from_secs(10), b_events.recv()).await {
            Ok(Some(Incoming::ToUser { .. })) => received += 1,
            Ok(Some(_)) => {}
            _ => break,
        }
    }
    for sender in senders {
        sender.await?;
    }
    let secs = t.elapsed().as_secs_f64();
    println!(
        "{:<44} {received} delivered in {secs:.2} s = {:.0} messages/s",
        "send_to_user, 16 senders",
        received as f64 / secs
    );

    let t = Instant::now();
    for _ in 0..messages {
        a.broadcast(ROOM, &frame).await?;
    }
    let mut received = 0;
    while received < messages {
        match tokio::time::timeout(Duration::from_secs(10), b_events.recv()).await {
            Ok(Some(Incoming::Broadcast { .. })) => received += 1,
            Ok(Some(_)) => {}
            _ => break,
        }
    }
    let secs = t.elapsed().as_secs_f64();
    println!(
        "{:<44} {received} delivered in {secs:.2} s = {:.0} messages/s",
        "broadcast, one sender awaiting each",
        received as f64 / secs
    );
    a.shutdown().await;
    b.shutdown().await;
    Ok(())
}
