//! The relay's TURN credentials against a real coturn (`use-auth-secret`,
//! `static-auth-secret`): fetched ones allocate a relay address; expired or forged ones are
//! refused. The TURN client is a minimal STUN encoder/decoder (RFC 5389/5766) over UDP:
//! Allocate, the 401 with realm and nonce, then Allocate with MESSAGE-INTEGRITY.
//! Skipped, loudly, when `turnserver` is not installed (scripts/install.sh installs it).

mod common;

use std::net::UdpSocket;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use chat_protocol::json::Value;
use chat_protocol::parse;
use common::{http_get, Relay};
use hmac::{Hmac, Mac};
use md5::{Digest, Md5};
use relay::config::TurnConfig;
use relay::{token, turn, Config};
use sha1::Sha1;

const SECRET: &str = "shared with coturn";
const REALM: &str = "relay-test";
const MAGIC: u32 = 0x2112_A442;

const ALLOCATE: u16 = 0x0003;
const ALLOCATE_OK: u16 = 0x0103;
const ALLOCATE_ERROR: u16 = 0x0113;
const BINDING: u16 = 0x0001;

const ATTR_USERNAME: u16 = 0x0006;
const ATTR_MESSAGE_INTEGRITY: u16 = 0x0008;
const ATTR_ERROR_CODE: u16 = 0x0009;
const ATTR_REALM: u16 = 0x0014;
const ATTR_NONCE: u16 = 0x0015;
const ATTR_REQUESTED_TRANSPORT: u16 = 0x0019;
const ATTR_XOR_RELAYED_ADDRESS: u16 = 0x0016;

struct Coturn {
    child: Child,
    port: u16,
}

impl Drop for Coturn {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn turnserver_installed() -> bool {
    Command::new("turnserver")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok()
}

fn free_udp_port() -> u16 {
    let socket = UdpSocket::bind("127.0.0.1:0").expect("bind");
    socket.local_addr().expect("address").port()
}

fn start_coturn() -> Coturn {
    let port = free_udp_port();
    let min_port = 41_000 + (std::process::id() % 200) as u16 * 100;
    let child = Command::new("turnserver")
        .args([
            "-n",
            "--listening-ip=127.0.0.1",
            "--relay-ip=127.0.0.1",
            &format!("--listening-port={port}"),
            &format!("--min-port={min_port}"),
            &format!("--max-port={}", min_port + 99),
            "--use-auth-secret",
            &format!("--static-auth-secret={SECRET}"),
            &format!("--realm={REALM}"),
            "--no-tls",
            "--no-dtls",
            "--no-cli",
            "--no-tcp",
            "--allow-loopback-peers",
            "--simple-log",
            "--log-file=stdout",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start turnserver");
    let coturn = Coturn { child, port };
    // Ready when it answers a Binding request.
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let socket = udp(&coturn);
        socket
            .set_read_timeout(Some(Duration::from_millis(200)))
            .unwrap();
        let _ = socket.send(&message(BINDING, &[], None));
        let mut buf = [0u8; 1500];
        if socket.recv(&mut buf).is_ok() {
            return coturn;
        }
        assert!(Instant::now() < deadline, "coturn did not start");
    }
}

fn udp(coturn: &Coturn) -> UdpSocket {
    let socket = UdpSocket::bind("127.0.0.1:0").expect("bind");
    socket.connect(("127.0.0.1", coturn.port)).expect("connect");
    socket
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    socket
}

/// A STUN message; with `key`, MESSAGE-INTEGRITY (HMAC-SHA1) over everything before it.
fn message(kind: u16, attrs: &[(u16, Vec<u8>)], key: Option<&[u8]>) -> Vec<u8> {
    let mut body = Vec::new();
    for (t, v) in attrs {
        body.extend_from_slice(&t.to_be_bytes());
        body.extend_from_slice(&(v.len() as u16).to_be_bytes());
        body.extend_from_slice(v);
        while body.len() % 4 != 0 {
            body.push(0);
        }
    }
    let transaction: [u8; 12] = std::array::from_fn(|i| (i as u8).wrapping_mul(37) ^ 0x5a);
    let header = |len: usize| {
        let mut h = Vec::new();
        h.extend_from_slice(&kind.to_be_bytes());
        h.extend_from_slice(&(len as u16).to_be_bytes());
        h.extend_from_slice(&MAGIC.to_be_bytes());
        h.extend_from_slice(&transaction);
        h
    };
    let Some(key) = key else {
        let mut out = header(body.len());
        out.extend_from_slice(&body);
        return out;
    };
    // The length covers the MESSAGE-INTEGRITY attribute (4 + 20 bytes).
    let mut signed = header(body.len() + 24);
    signed.extend_from_slice(&body);
    let mut mac = Hmac::<Sha1>::new_from_slice(key).unwrap();
    mac.update(&signed);
    signed.extend_from_slice(&ATTR_MESSAGE_INTEGRITY.to_be_bytes());
    signed.extend_from_slice(&20u16.to_be_bytes());
    signed.extend_from_slice(&mac.finalize().into_bytes());
    signed
}

struct Reply {
    kind: u16,
    attrs: Vec<(u16, Vec<u8>)>,
}

impl Reply {
    fn attr(&self, t: u16) -> Option<&[u8]> {
        self.attrs
            .iter()
            .find(|(k, _)| *k == t)
            .map(|(_, v)| v.as_slice())
    }

    fn error_code(&self) -> Option<u16> {
        let v = self.attr(ATTR_ERROR_CODE)?;
        Some(u16::from(v[2] & 7) * 100 + u16::from(v[3]))
    }
}

fn exchange(socket: &UdpSocket, request: &[u8]) -> Reply {
    socket.send(request).expect("send");
    let mut buf = [0u8; 1500];
    let n = socket.recv(&mut buf).expect("coturn answers");
    let buf = &buf[..n];
    let kind = u16::from_be_bytes([buf[0], buf[1]]);
    let mut attrs = Vec::new();
    let mut at = 20;
    while at + 4 <= n {
        let t = u16::from_be_bytes([buf[at], buf[at + 1]]);
        let len = usize::from(u16::from_be_bytes([buf[at + 2], buf[at + 3]]));
        attrs.push((t, buf[at + 4..at + 4 + len].to_vec()));
        at += 4 + len.div_ceil(4) * 4;
    }
    Reply { kind, attrs }
}

/// An Allocate with long-term credentials: what coturn answered the authenticated request.
fn allocate(coturn: &Coturn, username: &str, password: &str) -> Reply {
    let socket = udp(coturn);
    let transport = (ATTR_REQUESTED_TRANSPORT, vec![17, 0, 0, 0]);
    let challenge = exchange(
        &socket,
        &message(ALLOCATE, std::slice::from_ref(&transport), None),
    );
    assert_eq!(challenge.kind, ALLOCATE_ERROR);
    assert_eq!(challenge.error_code(), Some(401));
    let realm = challenge.attr(ATTR_REALM).expect("realm").to_vec();
    let nonce = challenge.attr(ATTR_NONCE).expect("nonce").to_vec();
    assert_eq!(realm, REALM.as_bytes());
    let key = Md5::digest(format!("{username}:{REALM}:{password}"));
    let request = message(
        ALLOCATE,
        &[
            transport,
            (ATTR_USERNAME, username.as_bytes().to_vec()),
            (ATTR_REALM, realm),
            (ATTR_NONCE, nonce),
        ],
        Some(&key),
    );
    exchange(&socket, &request)
}

#[tokio::test]
async fn fetched_credentials_allocate_and_expired_or_forged_ones_are_refused() {
    if !turnserver_installed() {
        eprintln!(
            "\n*** SKIPPED: `turnserver` (coturn) is not installed; run scripts/install.sh test ***\n"
        );
        return;
    }
    let coturn = start_coturn();
    let relay = Relay::start(Config {
        turn: Some(TurnConfig {
            secret: SECRET.into(),
            urls: vec![format!("turn:127.0.0.1:{}", coturn.port)],
            ttl: 600,
        }),
        ..Config::default()
    })
    .await;
    let (status, _, body) = http_get(relay.addr, "/ice-servers").await;
    assert_eq!(status, 200);
    let v = parse(std::str::from_utf8(&body).unwrap()).unwrap();
    let Some(Value::Array(servers)) = v.get("iceServers") else {
        panic!("{}", v.to_json());
    };
    let field = |k: &str| {
        servers[0]
            .get(k)
            .and_then(Value::as_str)
            .unwrap()
            .to_owned()
    };
    let (username, credential) = (field("username"), field("credential"));

    let ok = allocate(&coturn, &username, &credential);
    assert_eq!(ok.kind, ALLOCATE_OK, "error {:?}", ok.error_code());
    assert!(ok.attr(ATTR_XOR_RELAYED_ADDRESS).is_some());

    // Expired an hour ago, correctly signed: refused.
    let (expired_user, expired_pass) = turn::credentials(
        SECRET.as_bytes(),
        "webrtc-chat",
        token::now_secs() - 7200,
        3600,
    );
    let refused = allocate(&coturn, &expired_user, &expired_pass);
    assert_eq!(refused.kind, ALLOCATE_ERROR);
    assert_eq!(refused.error_code(), Some(401));

    // A username whose expiry was moved forward, with the old password: refused.
    let (_, user) = username.split_once(':').unwrap();
    let forged_user = format!("{}:{user}", token::now_secs() + 365 * 86_400);
    let refused = allocate(&coturn, &forged_user, &credential);
    assert_eq!(refused.error_code(), Some(401));

    // Signed with another secret: refused.
    let (other_user, other_pass) =
        turn::credentials(b"not the secret", "x", token::now_secs(), 600);
    let refused = allocate(&coturn, &other_user, &other_pass);
    assert_eq!(refused.error_code(), Some(401));
}
