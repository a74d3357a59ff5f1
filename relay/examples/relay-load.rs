//! `relay-load`: a load command (not a test) that starts the release relay binary as its own
//! process, drives it over loopback WebSockets and prints what operators ask about:
//! login-storm settle time, targeted messages per second with delivery latency (p50/p99),
//! idle connections held, and the relay's CPU seconds and peak RSS (from /proc) for each phase.
//!
//! ```text
//! cargo build --release -p webrtc-chat-relay --bins --examples
//! target/release/examples/relay-load --clients 1000 --in-flight 2 --seconds 10 \
//!     --logins 2000 --idle 10000
//! ```
//!
//! Across relays (docs/scale-out.md): `--nodes 1,3` runs the login storm and the messages once
//! against one relay, then against three relays sharing a `redis-server` this command starts on
//! a free loopback port (or the one `--redis URL` names), clients spread over them in turn; the
//! latency of messages between clients on different relays is printed apart (`cross-node`).
//!
//! Messages are `message` frames with a `target`, so each goes to exactly one client; a
//! sender keeps `--in-flight` of them undelivered at most (the receiving task in this same
//! process hands the sender its slot back), so latency is delivery latency, not queueing in
//! the generator. The relay runs with a rate limit above what the load needs (`--max-rate`),
//! since the point is its capacity, not its limiter. Linux only (/proc).

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use tokio::sync::Semaphore;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::Message;

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

struct Options {
    relay: PathBuf,
    clients: usize,
    in_flight: usize,
    seconds: u64,
    logins: usize,
    idle: usize,
    /// Relay counts to run the storm and the messages against, in turn (1: no Redis).
    nodes: Vec<usize>,
    redis: Option<String>,
}

fn options() -> Options {
    let exe = std::env::current_exe().unwrap_or_default();
    // target/release/examples/relay-load → target/release/relay
    let relay = exe
        .parent()
        .and_then(|p| p.parent())
        .map(|p| p.join("relay"))
        .unwrap_or_default();
    let mut o = Options {
        relay,
        clients: 1000,
        in_flight: 2,
        seconds: 10,
        logins: 2000,
        idle: 10_000,
        nodes: vec![1],
        redis: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args.next().unwrap_or_default();
        let n = || value.parse::<usize>().unwrap_or_else(|_| usage(&flag));
        match flag.as_str() {
            "--relay" => o.relay = PathBuf::from(&value),
            "--clients" => o.clients = n(),
            "--in-flight" => o.in_flight = n().max(1),
            "--seconds" => o.seconds = n() as u64,
            "--logins" => o.logins = n(),
            "--idle" => o.idle = n(),
            "--nodes" => {
                o.nodes = value
                    .split(',')
                    .map(|v| v.parse::<usize>().ok().filter(|&n| n > 0))
                    .collect::<Option<Vec<_>>>()
                    .unwrap_or_else(|| usage(&flag))
            }
            "--redis" => o.redis = Some(value),
            _ => usage(&flag),
        }
    }
    o
}

fn usage(flag: &str) -> ! {
    eprintln!(
        "relay-load: bad argument {flag:?}\nusage: relay-load [--relay PATH] [--clients N] \
         [--in-flight N] [--seconds S] [--logins N] [--idle N] (0 skips a phase) \
         [--nodes N,M,...] [--redis URL]"
    );
    std::process::exit(2);
}

/// The relay under test, in its own process.
struct Relay {
    child: Child,
    addr: SocketAddr,
}

impl Relay {
    /// With `redis`, the relay shares its rooms through it (`--redis`).
    fn start(path: &PathBuf, redis: Option<&str>) -> Relay {
        let mut command = Command::new(path);
        if let Some(url) = redis {
            command.args(["--redis", url]);
        }
        let mut child = command
            .args([
                "--listen",
                "127.0.0.1:0",
                "--max-connections",
                "19000",
                "--max-rate",
                "100000",
                "--burst",
                "100000",
                "--login-timeout",
                "600",
                "--log",
                "error",
            ])
            .stdout(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| {
                eprintln!(
                    "relay-load: cannot start {}: {e}\n\
                     build it first: cargo build --release -p webrtc-chat-relay --bins --examples",
                    path.display()
                );
                std::process::exit(1)
            });
        let mut line = String::new();
        if let Some(stdout) = child.stdout.take() {
            let _ = BufReader::new(stdout).read_line(&mut line);
        }
        let addr = line
            .split("http://")
            .nth(1)
            .and_then(|r| r.split('/').next())
            .and_then(|a| a.parse().ok())
            .unwrap_or_else(|| panic!("no address in {line:?}"));
        Relay { child, addr }
    }

    /// (CPU seconds so far, peak RSS in MB, current RSS in MB).
    fn usage(&self) -> (f64, u64, u64) {
        let pid = self.child.id();
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        // Fields after the command name (which is in parentheses): utime is the 14th field.
        let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
        let fields: Vec<&str> = rest.split_whitespace().collect();
        let ticks = |i: usize| {
            fields
                .get(i)
                .and_then(|v| v.parse::<f64>().ok())
                .unwrap_or(0.0)
        };
        // utime, stime: fields 14 and 15, i.e. 11 and 12 after the state field.
        let cpu = (ticks(11) + ticks(12)) / 100.0;
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
        let kb = |key: &str| {
            status
                .lines()
                .find_map(|l| l.strip_prefix(key))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
                .unwrap_or(0)
        };
        (cpu, kb("VmHWM:") / 1024, kb("VmRSS:") / 1024)
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn connect(addr: SocketAddr, room: &str) -> Ws {
    let mut request = format!("ws://{addr}/signal/{room}")
        .into_client_request()
        .expect("request");
    request
        .headers_mut()
        .insert("Sec-WebSocket-Protocol", HeaderValue::from_static("json"));
    loop {
        match tokio_tungstenite::connect_async(request.clone()).await {
            Ok((ws, _)) => return ws,
            // Backlog full during a burst of connects: try again.
            Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
        }
    }
}

/// Connects `n` clients to `room` (a few hundred at a time); client `i` to relay `i % relays`.
async fn connect_all(relays: &[Relay], room: &str, n: usize) -> Vec<Ws> {
    let mut all = Vec::with_capacity(n);
    for chunk in (0..n).collect::<Vec<_>>().chunks(200) {
        let batch: Vec<_> = chunk
            .iter()
            .map(|&i| {
                let room = room.to_owned();
                let addr = relays[i % relays.len()].addr;
                tokio::spawn(async move { connect(addr, &room).await })
            })
            .collect();
        for task in batch {
            all.push(task.await.expect("connect"));
        }
    }
    all
}

fn username(i: usize) -> Message {
    Message::text(format!(r#"{{"type":"username","name":"u{i}"}}"#))
}

/// How many names a `userlist` frame lists, without parsing all of it.
fn listed(text: &str) -> Option<usize> {
    let users = text.strip_prefix(r#"{"type":"userlist","users":["#)?;
    Some(users.matches("\"u").count())
}

/// Everyone sends `username` at once; the time until every client has seen the full list.
async fn login_storm(relays: &[Relay], n: usize) {
    let clients = connect_all(relays, "storm", n).await;
    let (cpu0, _, _) = total_usage(relays);
    let start = Instant::now();
    let mut tasks = Vec::new();
    for (i, mut ws) in clients.into_iter().enumerate() {
        tasks.push(tokio::spawn(async move {
            let _ = ws.send(username(i)).await;
            let mut lists = 0u64;
            while let Some(Ok(message)) = ws.next().await {
                if let Message::Text(text) = message {
                    if let Some(count) = listed(text.as_str()) {
                        lists += 1;
                        if count == n {
                            return (start.elapsed(), lists, ws);
                        }
                    }
                }
            }
            panic!("client {i} was disconnected during the login storm");
        }));
    }
    let mut settled = Duration::ZERO;
    let mut lists = 0;
    let mut keep = Vec::new();
    for task in tasks {
        let (t, l, ws) = task.await.expect("login storm client");
        settled = settled.max(t);
        lists += l;
        keep.push(ws);
    }
    let (cpu1, peak, _) = total_usage(relays);
    println!(
        "login storm: {n} logins settled in {:.2} s (every client saw the full list; {:.1} lists \
         per client on average instead of up to {n}); relay CPU {:.2} s, peak RSS {peak} MB",
        settled.as_secs_f64(),
        lists as f64 / n as f64,
        cpu1 - cpu0
    );
    for mut ws in keep {
        let _ = ws.close(None).await;
    }
}

async fn throughput(relays: &[Relay], n: usize, in_flight: usize, seconds: u64) {
    let nodes = relays.len();
    let clients = connect_all(relays, "load", n).await;
    // Log in one at a time (not measured), reading everything so nobody lags.
    let (mut sinks, mut streams): (Vec<_>, Vec<_>) =
        clients.into_iter().map(|ws| ws.split()).unzip();
    for (i, sink) in sinks.iter_mut().enumerate() {
        let _ = sink.send(username(i)).await;
    }
    let settle: Vec<_> = streams
        .drain(..)
        .map(|mut stream| {
            tokio::spawn(async move {
                while let Some(Ok(message)) = stream.next().await {
                    if let Message::Text(text) = &message {
                        if listed(text.as_str()) == Some(n) {
                            break;
                        }
                    }
                }
                stream
            })
        })
        .collect();
    for task in settle {
        streams.push(task.await.expect("login"));
    }

    let origin = Instant::now();
    let slots: Arc<Vec<Semaphore>> = Arc::new((0..n).map(|_| Semaphore::new(in_flight)).collect());
    let delivered = Arc::new(AtomicU64::new(0));
    let latencies = Arc::new(Mutex::new(Vec::<u32>::with_capacity(1 << 20)));
    let cross_latencies = Arc::new(Mutex::new(Vec::<u32>::with_capacity(1 << 20)));
    let running = Arc::new(AtomicBool::new(true));
    let (cpu0, _, _) = total_usage(relays);
    let mut tasks = Vec::new();
    for (i, mut stream) in streams.into_iter().enumerate() {
        let slots = Arc::clone(&slots);
        let delivered = Arc::clone(&delivered);
        let latencies = Arc::clone(&latencies);
        let cross_latencies = Arc::clone(&cross_latencies);
        let running = Arc::clone(&running);
        tasks.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            let mut cross = Vec::new();
            while let Some(Ok(message)) = stream.next().await {
                let Message::Text(text) = message else {
                    continue;
                };
                // `"text":"<sender> <micros>"`
                let Some(body) = text.as_str().split(r#""text":""#).nth(1) else {
                    continue;
                };
                let mut parts = body.split(['"', ' ']);
                let (Some(from), Some(sent)) = (parts.next(), parts.next()) else {
                    continue;
                };
                let (Ok(from), Ok(sent)) = (from.parse::<usize>(), sent.parse::<u64>()) else {
                    continue;
                };
                let now = origin.elapsed().as_micros() as u64;
                if running.load(Ordering::Relaxed) {
                    let latency = now.saturating_sub(sent) as u32;
                    if from % nodes != i % nodes {
                        cross.push(latency);
                    }
                    mine.push(latency);
                    delivered.fetch_add(1, Ordering::Relaxed);
                }
                slots[from].add_permits(1);
            }
            latencies
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .extend(mine);
            cross_latencies
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .extend(cross);
        }));
    }
    let mut senders = Vec::new();
    for (i, mut sink) in sinks.into_iter().enumerate() {
        let slots = Arc::clone(&slots);
        let running = Arc::clone(&running);
        senders.push(tokio::spawn(async move {
            let mut target = (i * 7919 + 1) % n;
            while running.load(Ordering::Relaxed) {
                let Ok(permit) = slots[i].acquire().await else {
                    break;
                };
                permit.forget();
                target = (target * 31 + 17) % n;
                if target == i {
                    target = (target + 1) % n;
                }
                let sent = origin.elapsed().as_micros();
                let frame =
                    format!(r#"{{"type":"message","target":"u{target}","text":"{i} {sent}"}}"#);
                if sink.send(Message::text(frame)).await.is_err() {
                    break;
                }
            }
            sink
        }));
    }
    let start = Instant::now();
    tokio::time::sleep(Duration::from_secs(seconds)).await;
    running.store(false, Ordering::Relaxed);
    let elapsed = start.elapsed().as_secs_f64();
    let count = delivered.load(Ordering::Relaxed);
    let (cpu1, peak, _) = total_usage(relays);
    for slot in slots.iter() {
        slot.close();
    }
    let mut sinks = Vec::new();
    for sender in senders {
        if let Ok(sink) = sender.await {
            sinks.push(sink);
        }
    }
    for mut sink in sinks {
        let _ = sink.close().await;
    }
    for task in tasks {
        let _ = task.await;
    }
    let take = |v: &Mutex<Vec<u32>>| {
        let mut l = std::mem::take(&mut *v.lock().unwrap_or_else(|e| e.into_inner()));
        l.sort_unstable();
        l
    };
    let (l, cross) = (take(&latencies), take(&cross_latencies));
    let pct = |l: &[u32], p: f64| {
        l.get(((l.len() as f64 * p) as usize).min(l.len().saturating_sub(1)))
            .map_or(0.0, |&us| f64::from(us) / 1000.0)
    };
    let cross = if nodes > 1 {
        format!(
            " (cross-node: {} msgs, p50 {:.1} ms, p99 {:.1} ms)",
            cross.len(),
            pct(&cross, 0.50),
            pct(&cross, 0.99)
        )
    } else {
        String::new()
    };
    println!(
        "messages: {n} clients, {in_flight} in flight each, {seconds} s: {:.0} targeted msgs/s \
         delivered ({count} in all), latency p50 {:.1} ms, p99 {:.1} ms{cross}; relay CPU {:.2} s \
         ({:.0}% of one core), peak RSS {peak} MB",
        count as f64 / elapsed,
        pct(&l, 0.50),
        pct(&l, 0.99),
        cpu1 - cpu0,
        (cpu1 - cpu0) / elapsed * 100.0
    );
}

/// The relays' CPU seconds and peak RSS summed, current RSS summed.
fn total_usage(relays: &[Relay]) -> (f64, u64, u64) {
    relays
        .iter()
        .map(Relay::usage)
        .fold((0.0, 0, 0), |a, b| (a.0 + b.0, a.1 + b.1, a.2 + b.2))
}

/// A `redis-server` on a free loopback port, killed on drop.
struct Redis {
    child: Child,
    url: String,
}

impl Redis {
    fn start() -> Redis {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .unwrap_or_else(|e| panic!("no free port: {e}"));
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                eprintln!("relay-load: cannot start redis-server: {e} (scripts/install.sh test)");
                std::process::exit(1)
            });
        let deadline = Instant::now() + Duration::from_secs(5);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "redis-server did not listen");
            std::thread::sleep(Duration::from_millis(20));
        }
        Redis {
            child,
            url: format!("redis://127.0.0.1:{port}/"),
        }
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn idle(relay: &Relay, n: usize) {
    let relays = std::slice::from_ref(relay);
    let (_, _, before) = relay.usage();
    let mut all = Vec::with_capacity(n);
    // 100 per room: a room's list is bounded by the client frame limit.
    let per_room = 100;
    for room in 0..n.div_ceil(per_room) {
        let count = per_room.min(n - room * per_room);
        let mut clients = connect_all(relays, &format!("idle{room}"), count).await;
        for (i, ws) in clients.iter_mut().enumerate() {
            let _ = ws.send(username(i)).await;
        }
        all.extend(clients);
    }
    // Let the logins land, and read nothing more: idle.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let (_, peak, now) = relay.usage();
    println!(
        "idle: {n} connections logged in and held: relay RSS {now} MB (peak {peak} MB, {before} MB \
         before)"
    );
    drop(all);
}

#[tokio::main]
async fn main() {
    let o = options();
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!(
        "relay-load: relay {}; {} cores; load average {}",
        o.relay.display(),
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        load.split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    );
    for &nodes in &o.nodes {
        // Fresh relays (and a fresh Redis) per setup, so one does not inherit the other's rooms.
        let redis = (nodes > 1 && o.redis.is_none()).then(Redis::start);
        let url = o
            .redis
            .clone()
            .or_else(|| redis.as_ref().map(|r| r.url.clone()));
        let url = url.filter(|_| nodes > 1);
        let relays: Vec<Relay> = (0..nodes)
            .map(|_| Relay::start(&o.relay, url.as_deref()))
            .collect();
        let addrs: Vec<String> = relays.iter().map(|r| r.addr.to_string()).collect();
        match &url {
            Some(url) => println!("-- {nodes} relays sharing {url}: {}", addrs.join(" ")),
            None => println!("-- 1 relay: {}", addrs.join(" ")),
        }
        if o.logins > 0 {
            login_storm(&relays, o.logins).await;
        }
        if o.clients > 0 && o.seconds > 0 {
            throughput(&relays, o.clients, o.in_flight, o.seconds).await;
        }
        drop(relays);
        drop(redis);
    }
    if o.idle > 0 {
        // A fresh relay, so its RSS is that of the idle connections alone.
        let relay = Relay::start(&o.relay, None);
        idle(&relay, o.idle).await;
    }
}
