//! Pressure and trickery the relay must withstand (issue 13, point 5): each test here failed
//! against the relay before its fix.

mod common;

use common::{str_of, Relay};

const OFFER: &str =
    r#"{"type":"video-offer","target":"bob","sdp":{"type":"offer","sdp":"v=0\r\n"}}"#;
const ANSWER: &str =
    r#"{"type":"video-answer","target":"alice","sdp":{"type":"answer","sdp":"v=0\r\n"}}"#;

#[tokio::test]
async fn an_unsolicited_answer_does_not_re_point_a_call_link() {
    let relay = Relay::start_default().await;
    let mut c = relay.logins(&["alice", "bob", "mallory"]).await;
    c[0].send(OFFER).await;
    c[1].recv_kind("video-offer").await;
    c[1].send(ANSWER).await;
    c[0].recv_kind("video-answer").await;
    // Mallory "answers" bob, who never offered her anything. It is delivered (bob's client
    // ignores it), but must not make mallory bob's call peer.
    c[2].send(r#"{"type":"video-answer","target":"bob","sdp":{"type":"answer","sdp":"v=0\r\n"}}"#)
        .await;
    c[1].recv_kind("video-answer").await;
    // Bob's untargeted hang-up (a sample client's) goes to his real peer.
    c[1].send(r#"{"type":"hang-up"}"#).await;
    let hang_up = c[0].recv_kind("hang-up").await;
    assert_eq!(str_of(&hang_up, "name"), Some("bob"));
    for client in c.iter_mut() {
        client.assert_nothing_pending().await;
    }
}

#[tokio::test]
async fn names_that_would_look_the_same_in_the_list_are_not_both_given() {
    let relay = Relay::start_default().await;
    let mut c = relay.logins(&["bob"]).await;
    for (i, lookalike) in [
        "Bob",
        "b\u{200B}ob",
        "\u{202E}bob",
        "\u{FF42}ob",
        "bo\u{0}b",
    ]
    .into_iter()
    .enumerate()
    {
        let mut other = relay.client().await;
        other
            .send_username(&lookalike.replace('\0', "\\u0000"))
            .await;
        let reject = other.recv_kind("rejectusername").await;
        let given = str_of(&reject, "name").unwrap_or_default().to_owned();
        assert!(
            given.to_lowercase().ends_with(&format!("{}", i + 1)),
            "{lookalike:?} became {given:?}"
        );
        assert!(!given.contains(['\u{200B}', '\u{202E}', '\0']), "{given:?}");
        other.recv_kind("userlist").await;
        c[0].recv_kind("userlist").await;
    }
}

// ---- Raw sockets: what a browser never sends, but an attacker can. ----

use std::time::{Duration, Instant};

use chat_protocol::json::Value;
use common::{frame, http_get, raw_close_code, raw_ws, try_connect, Client, DEADLINE};
use relay::Config;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

#[tokio::test]
async fn protocol_errors_end_with_the_right_close_code() {
    let relay = Relay::start_default().await;
    // Text that is not UTF-8: 1007.
    let mut s = raw_ws(relay.addr, "/").await;
    s.write_all(&frame(0x1, b"\xff\xfe", true)).await.unwrap();
    assert_eq!(raw_close_code(&mut s).await, Some(1007));
    // An unmasked client frame: 1002.
    let mut s = raw_ws(relay.addr, "/").await;
    s.write_all(&frame(0x1, b"{}", false)).await.unwrap();
    assert_eq!(raw_close_code(&mut s).await, Some(1002));
    // A frame over the transport cap (4 × 64 KiB): 1009, announced before its payload.
    let mut s = raw_ws(relay.addr, "/").await;
    let mut huge = frame(0x1, &[], true);
    huge[1] = 0x80 | 127;
    huge.splice(2..2, (4u64 * 65536 + 1).to_be_bytes());
    s.write_all(&huge).await.unwrap();
    assert_eq!(raw_close_code(&mut s).await, Some(1009));
}

#[tokio::test]
async fn a_ping_flood_from_a_socket_that_never_reads_is_cut_off() {
    // (Not the login deadline's doing.)
    let relay = Relay::start(Config {
        login_timeout: Duration::from_secs(600),
        ..Config::default()
    })
    .await;
    let mut s = raw_ws(relay.addr, "/").await;
    let ping = frame(0x9, &[b'p'; 125], true);
    let mut flood = Vec::new();
    for _ in 0..1000 {
        flood.extend_from_slice(&ping);
    }
    // Until the relay stops reading (it closed the connection), without reading its pongs.
    let write = async {
        for _ in 0..100 {
            if s.write_all(&flood).await.is_err() {
                break;
            }
        }
    };
    let _ = tokio::time::timeout(Duration::from_secs(5), write).await;
    // The rate limit (burst 200) counts pings: policy violation.
    assert_eq!(raw_close_code(&mut s).await, Some(1008));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn simultaneous_upgrades_cannot_overshoot_the_connection_limit() {
    let relay = Relay::start(Config {
        max_connections: 5,
        ..Config::default()
    })
    .await;
    let url = relay.url("/");
    let mut open = Vec::new();
    // Two waves: the second comes when the first's upgrades are done, so each WebSocket must
    // keep its place after the upgrade, not just during it.
    for wave in 0..2 {
        let attempts: Vec<_> = (0..40)
            .map(|_| {
                let url = url.clone();
                tokio::spawn(async move { try_connect(&url, Some("json"), None).await.ok() })
            })
            .collect();
        for attempt in attempts {
            if let Some(socket) = attempt.await.expect("task") {
                open.push(socket);
            }
        }
        assert!(
            !open.is_empty() && open.len() <= 5,
            "wave {wave}: {} connections open",
            open.len()
        );
    }
}

#[tokio::test]
async fn plain_http_connections_count_and_silent_ones_are_closed() {
    let relay = Relay::start(Config {
        max_connections: 2,
        header_timeout: Duration::from_secs(1),
        ..Config::default()
    })
    .await;
    // Two sockets that say nothing (or a header, slowly) hold both places...
    let mut silent = TcpStream::connect(relay.addr).await.unwrap();
    let mut slow = TcpStream::connect(relay.addr).await.unwrap();
    slow.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(
        try_connect(&relay.url("/"), Some("json"), None).await.err(),
        Some(503)
    );
    // ...until their header deadline closes them.
    let started = Instant::now();
    for socket in [&mut silent, &mut slow] {
        let mut buf = [0u8; 256];
        let read = tokio::time::timeout(DEADLINE, async {
            loop {
                match socket.read(&mut buf).await {
                    Ok(0) | Err(_) => break,
                    Ok(_) => continue, // a 408, if any
                }
            }
        });
        read.await.expect("the relay closes a silent connection");
    }
    assert!(started.elapsed() < Duration::from_secs(5));
    Client::connect(&relay.url("/")).await;
}

#[tokio::test]
async fn a_per_ip_limit_applies() {
    let relay = Relay::start(Config {
        max_connections_per_ip: 2,
        ..Config::default()
    })
    .await;
    let _a = relay.client().await;
    let _b = relay.client().await;
    assert_eq!(
        try_connect(&relay.url("/"), Some("json"), None).await.err(),
        Some(429)
    );
}

#[tokio::test]
async fn a_websocket_that_never_logs_in_is_closed() {
    let relay = Relay::start(Config {
        login_timeout: Duration::from_secs(1),
        ..Config::default()
    })
    .await;
    let mut quiet = relay.client().await;
    let mut c = relay.logins(&["alice"]).await;
    assert_eq!(quiet.close_code().await, Some(1008));
    c[0].recv_kind("userlist").await;
    // The one that logged in stays.
    tokio::time::sleep(Duration::from_millis(1200)).await;
    c[0].assert_nothing_pending().await;
}

#[tokio::test]
async fn shutdown_finishes_within_its_grace_despite_a_half_sent_request() {
    let mut relay = Relay::start(Config {
        shutdown_grace: Duration::from_secs(1),
        header_timeout: Duration::from_secs(60),
        ..Config::default()
    })
    .await;
    let mut half = TcpStream::connect(relay.addr).await.unwrap();
    half.write_all(b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        .await
        .unwrap();
    let mut c = relay.logins(&["alice"]).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    let started = Instant::now();
    relay.begin_stop();
    assert_eq!(c[0].close_code().await, Some(1001));
    tokio::time::timeout(Duration::from_secs(4), relay.stopped())
        .await
        .expect("the relay stops within its grace period")
        .expect("clean exit");
    assert!(started.elapsed() < Duration::from_secs(4));
    drop(half);
}

#[tokio::test]
async fn the_static_server_stays_inside_its_directory() {
    let base = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("relay-static-hardening");
    let dir = base.join("www");
    let _ = std::fs::remove_dir_all(&base);
    std::fs::create_dir_all(dir.join("sub")).unwrap();
    std::fs::write(dir.join("index.html"), "home").unwrap();
    std::fs::write(base.join("secret.txt"), "secret").unwrap();
    std::os::unix::fs::symlink(base.join("secret.txt"), dir.join("link.txt")).unwrap();
    std::os::unix::fs::symlink(&base, dir.join("up")).unwrap();
    let relay = Relay::start(Config {
        static_dir: Some(dir),
        ..Config::default()
    })
    .await;
    assert_eq!(http_get(relay.addr, "/index.html").await.0, 200);
    for path in ["/link.txt", "/up/secret.txt", "/up/", "/%2e%2e/secret.txt"] {
        let (status, _, body) = http_get(relay.addr, path).await;
        assert_eq!(status, 404, "{path}");
        assert!(!String::from_utf8_lossy(&body).contains("secret"), "{path}");
    }
    // A directory without its slash is redirected on this host only.
    let (status, headers, _) = http_get(relay.addr, "/sub").await;
    if (300..400).contains(&status) {
        let location = common::header(&headers, "location").unwrap_or_default();
        assert!(
            location.starts_with('/') && !location.starts_with("//"),
            "{location}"
        );
    }
    for path in ["//sub", "//evil.example", "/sub//"] {
        let (status, headers, _) = http_get(relay.addr, path).await;
        assert!((400..500).contains(&status), "{path}: {status}");
        assert!(common::header(&headers, "location").is_none(), "{path}");
    }
    // Long and odd paths: 4xx, never 500.
    let long = format!("/{}", "a".repeat(5000));
    let deep = "/a".repeat(600);
    for path in [
        long.as_str(),
        deep.as_str(),
        "/%00",
        "/%ff",
        "/a%5c..%5csecret.txt",
    ] {
        let status = http_get(relay.addr, path).await.0;
        assert!(
            (400..500).contains(&status),
            "{}: {status}",
            &path[..path.len().min(20)]
        );
    }
}

/// Reads frames until `done` says so; panics on a close.
async fn read_until(client: &mut Client, mut done: impl FnMut(&Value) -> bool) {
    loop {
        let v = client.recv().await;
        if done(&v) {
            return;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_login_storm_and_a_chat_flood_cost_no_reader_its_connection() {
    const N: usize = 300;
    let relay = Relay::start(Config {
        max_connections: 2 * N,
        ..Config::default()
    })
    .await;
    let url = relay.url("/signal/storm");
    // Everyone connects and logs in at the same moment, then reads (normally) until the list
    // has everyone.
    let (go_tx, _) = tokio::sync::broadcast::channel::<()>(1);
    let mut tasks = Vec::new();
    for i in 0..N {
        let url = url.clone();
        let mut go = go_tx.subscribe();
        tasks.push(tokio::spawn(async move {
            let mut client = Client::connect(&url).await;
            client.name = format!("user{i}");
            let _ = go.recv().await;
            client.send_username(&format!("user{i}")).await;
            read_until(&mut client, |v| match v.get("users") {
                Some(Value::Array(users)) => {
                    users.iter().filter(|u| u.as_str().is_some()).count() == N
                }
                _ => false,
            })
            .await;
            client
        }));
    }
    // Let the connections open before the storm.
    while relay_connections(&relay).await < N {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let _ = go_tx.send(());
    let mut clients = Vec::new();
    for task in tasks {
        clients.push(
            task.await
                .expect("a reader was disconnected by the login storm"),
        );
    }
    // Two clients send a whole burst each, within the rate limit; everyone reads all of it.
    let mut readers = Vec::new();
    for (i, mut client) in clients.into_iter().enumerate() {
        readers.push(tokio::spawn(async move {
            if i < 2 {
                for n in 0..200 {
                    client
                        .send(format!(r#"{{"type":"message","text":"{i}:{n}"}}"#))
                        .await;
                }
            }
            let mut chats = 0;
            read_until(&mut client, |v| {
                if v.get("type").and_then(Value::as_str) == Some("message") {
                    chats += 1;
                }
                chats == 400
            })
            .await;
        }));
    }
    for reader in readers {
        reader
            .await
            .expect("a reader was disconnected by the chat flood");
    }
}

async fn relay_connections(relay: &Relay) -> usize {
    let (_, _, body) = http_get(relay.addr, "/metrics").await;
    String::from_utf8_lossy(&body)
        .lines()
        .find_map(|l| l.strip_prefix("relay_connections "))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}
