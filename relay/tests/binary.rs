//! Black box: the real `relay` binary, configured by flags or environment, stopped by signals.

mod common;

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};

use common::{header, http_get, str_of, Client};

const BIN: &str = env!("CARGO_BIN_EXE_relay");

/// A running relay process; killed on drop, so a failing test does not leave it behind.
struct Running {
    child: Child,
    addr: SocketAddr,
}

impl Running {
    /// Starts the binary and reads the address from its first stdout line.
    fn spawn(command: &mut Command) -> Running {
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start relay");
        let stdout = child.stdout.take().expect("stdout");
        let mut line = String::new();
        let read = BufReader::new(stdout).read_line(&mut line);
        let addr = line
            .split("http://")
            .nth(1)
            .and_then(|rest| rest.split('/').next())
            .and_then(|a| a.parse().ok());
        let mut running = Running {
            child,
            addr: SocketAddr::from(([0, 0, 0, 0], 0)),
        };
        match (read, addr) {
            (Ok(_), Some(addr)) => running.addr = addr,
            other => panic!("no address in {line:?}: {other:?}"),
        }
        running
    }

    fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .args([&format!("-{name}"), &self.child.id().to_string()])
            .status()
            .expect("run kill");
        assert!(status.success());
    }

    /// Waits for the process to exit; a relay that does not stop within
    /// [`common::DEADLINE`] fails the test (and is killed on drop) instead of hanging it.
    fn wait(mut self) -> ExitStatus {
        let start = std::time::Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status;
            }
            assert!(
                start.elapsed() < common::DEADLINE,
                "relay did not exit within {:?}",
                common::DEADLINE
            );
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

fn static_dir(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("index.html"),
        "<!doctype html><title>webrtc-chat</title>",
    )
    .unwrap();
    std::fs::write(dir.join("webrtc_chat_bg.wasm"), b"\0asm\x01\0\0\0").unwrap();
    dir
}

#[test]
fn help_documents_every_flag_and_variable() {
    let out = Command::new(BIN).arg("--help").output().expect("run");
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    for word in [
        "--listen",
        "--static",
        "--allow-origin",
        "--max-frame-bytes",
        "--max-rate",
        "--burst",
        "--max-connections",
        "--log",
        "--help",
        "RELAY_LISTEN",
        "RELAY_STATIC",
        "RELAY_ALLOW_ORIGIN",
        "RELAY_MAX_FRAME_BYTES",
        "RELAY_MAX_RATE",
        "RELAY_BURST",
        "RELAY_MAX_CONNECTIONS",
        "RELAY_LOG",
        "127.0.0.1:6503",
        "SIGTERM",
    ] {
        assert!(text.contains(word), "--help lacks {word}:\n{text}");
    }
}

#[test]
fn token_prints_a_join_token() {
    let out = Command::new(BIN)
        .args(["token", "--room", "team", "--name", "bob", "--ttl", "60"])
        .env("RELAY_TOKEN_SECRET", "s3cret")
        .output()
        .expect("run");
    assert!(out.status.success(), "{out:?}");
    let token = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    let claims = relay::token::verify(b"s3cret", &token, "team").expect("valid");
    assert_eq!(claims.name, "bob");
    // Without a secret: an error, not an unsigned token.
    let out = Command::new(BIN)
        .args(["token", "--room", "team", "--name", "bob"])
        .env_remove("RELAY_TOKEN_SECRET")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
}

#[test]
fn bad_configuration_exits_with_an_error() {
    let out = Command::new(BIN).arg("--bogus").output().expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--bogus"));

    let out = Command::new(BIN)
        .args(["--listen", "127.0.0.1:0", "--static", "/nonexistent/dir"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/dir"));
}

#[tokio::test]
async fn serves_page_and_signaling_then_stops_cleanly_on_sigterm() {
    let dir = static_dir("relay-static-binary");
    let relay = Running::spawn(Command::new(BIN).args([
        "--listen",
        "127.0.0.1:0",
        "--static",
        dir.to_str().unwrap(),
        "--log",
        "warn",
    ]));
    let addr = relay.addr;
    let (status, headers, body) = http_get(addr, "/").await;
    assert_eq!(status, 200);
    assert!(String::from_utf8_lossy(&body).contains("webrtc-chat"));
    assert!(header(&headers, "content-type")
        .unwrap()
        .starts_with("text/html"));
    let (_, headers, _) = http_get(addr, "/webrtc_chat_bg.wasm").await;
    assert_eq!(header(&headers, "content-type"), Some("application/wasm"));

    let mut alice = Client::connect(&format!("ws://{addr}/signal")).await;
    alice.send_username("alice").await;
    alice.recv_kind("userlist").await;
    let mut bob = Client::connect(&format!("ws://{addr}/signal")).await;
    bob.send_username("alice").await;
    assert_eq!(
        str_of(&bob.recv_kind("rejectusername").await, "name"),
        Some("alice1")
    );
    bob.recv_kind("userlist").await;
    alice.recv_kind("userlist").await;
    bob.send(r#"{"type":"message","text":"<b>hi</b>"}"#).await;
    for client in [&mut alice, &mut bob] {
        let chat = client.recv_kind("message").await;
        assert_eq!(str_of(&chat, "name"), Some("alice1"));
        assert_eq!(str_of(&chat, "text"), Some("hi"));
    }

    relay.signal("TERM");
    for client in [&mut alice, &mut bob] {
        assert_eq!(client.close_code().await, Some(1001));
    }
    let status = relay.wait();
    assert_eq!(status.code(), Some(0), "{status:?}");
}

#[tokio::test]
async fn configured_from_the_environment_and_stopped_by_sigint() {
    let dir = static_dir("relay-static-env");
    let relay = Running::spawn(
        Command::new(BIN)
            .env("RELAY_LISTEN", "127.0.0.1:0")
            .env("RELAY_STATIC", &dir)
            .env("RELAY_ALLOW_ORIGIN", "http://allowed.example")
            .env("RELAY_LOG", "warn")
            // An empty variable counts as unset.
            .env("RELAY_MAX_RATE", " "),
    );
    let addr = relay.addr;
    assert_eq!(http_get(addr, "/").await.0, 200);
    let url = format!("ws://{addr}/");
    assert_eq!(
        common::try_connect(&url, Some("json"), Some("http://other.example"))
            .await
            .err(),
        Some(403)
    );
    let (ws, _) = common::try_connect(&url, Some("json"), Some("http://allowed.example"))
        .await
        .expect("allowed origin");
    let mut client = Client::from_socket(ws).await;

    relay.signal("INT");
    assert_eq!(client.close_code().await, Some(1001));
    assert_eq!(relay.wait().code(), Some(0));
}

/// The relay's resident memory, from /proc.
fn rss_mb(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .expect("VmRSS")
        / 1024
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ping_flood_from_sockets_that_never_read_does_not_grow_memory() {
    use tokio::io::AsyncWriteExt;
    // A rate limit too high to cut the flood off: only the write buffer's bound holds here.
    let relay = Running::spawn(Command::new(BIN).args([
        "--listen",
        "127.0.0.1:0",
        "--max-rate",
        "100000000",
        "--burst",
        "100000000",
        "--login-timeout",
        "600",
        "--log",
        "error",
    ]));
    let before = rss_mb(relay.child.id());
    let mut flood = Vec::new();
    for _ in 0..1000 {
        flood.extend_from_slice(&common::frame(0x9, &[b'p'; 125], true));
    }
    let mut floods = Vec::new();
    for _ in 0..4 {
        let mut socket = common::raw_ws(relay.addr, "/").await;
        let flood = flood.clone();
        floods.push(tokio::spawn(async move {
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(4);
            // Never reads: every pong the relay owes piles up on its side.
            while std::time::Instant::now() < deadline {
                let write = socket.write_all(&flood);
                match tokio::time::timeout(std::time::Duration::from_millis(500), write).await {
                    Ok(Ok(())) | Err(_) => {}
                    Ok(Err(_)) => break,
                }
            }
            socket
        }));
    }
    let mut sockets = Vec::new();
    for flood in floods {
        sockets.push(flood.await.expect("flood"));
    }
    let after = rss_mb(relay.child.id());
    assert!(
        // Bounded: 4 write buffers of 512 KiB. Unbounded, a debug build on two busy cores grew
        // by ~10 MB a second here (a release build by far more).
        after < before + 20,
        "relay memory grew from {before} MB to {after} MB under a ping flood"
    );
}
