//! What operators read: `/healthz`, `/metrics` (Prometheus text), and `/ice-servers` (JSON).

mod common;

use std::collections::HashMap;

use chat_protocol::json::Value;
use chat_protocol::parse;
use common::{header, http_get, try_connect, Relay};
use relay::config::TurnConfig;
use relay::{token, turn, Config};

/// `name{labels}` → value, from the text format.
async fn metrics(relay: &Relay) -> HashMap<String, f64> {
    let (status, headers, body) = http_get(relay.addr, "/metrics").await;
    assert_eq!(status, 200);
    assert!(header(&headers, "content-type")
        .unwrap_or_default()
        .starts_with("text/plain; version=0.0.4"));
    let text = String::from_utf8(body).expect("utf-8");
    let mut out = HashMap::new();
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let (key, value) = line.rsplit_once(' ').expect("name value");
        out.insert(key.to_owned(), value.parse().expect("number"));
    }
    // Every sample has its HELP and TYPE.
    for key in out.keys() {
        let name = key.split('{').next().unwrap_or_default();
        assert!(text.contains(&format!("# TYPE {name} ")), "{name}");
    }
    out
}

#[tokio::test]
async fn healthz_says_ok() {
    let relay = Relay::start_default().await;
    let (status, _, body) = http_get(relay.addr, "/healthz").await;
    assert_eq!((status, body.as_slice()), (200, &b"ok\n"[..]));
}

#[tokio::test]
async fn metrics_count_what_happened() {
    let relay = Relay::start_default().await;
    let m = metrics(&relay).await;
    assert_eq!(m["relay_connections"], 0.0);
    assert_eq!(m["relay_rooms"], 0.0);

    let mut c = relay.logins(&["alice", "bob"]).await;
    let mut other = relay.logins_at("/signal/other", &["carol"]).await;
    c[0].send(r#"{"type":"message","text":"hi"}"#).await; // routed to 2
    for client in c.iter_mut() {
        client.recv_kind("message").await;
    }
    c[0].send(r#"{"type":"message","text":"x","target":"nobody"}"#)
        .await; // unknown target
    c[0].send("not json").await; // rejected
    c[0].recv_kind("error").await;
    c[0].send(r#"{"type":"hang-up"}"#).await; // no peer
    c[0].assert_nothing_pending().await; // routed (to itself)
    assert_eq!(
        try_connect(&relay.url("/"), None, None).await.err(),
        Some(400)
    );
    assert_eq!(
        try_connect(&relay.url("/signal/a.b"), Some("json"), None)
            .await
            .err(),
        Some(400)
    );
    let m = metrics(&relay).await;
    assert_eq!(m["relay_connections"], 3.0);
    assert_eq!(m["relay_connections_opened_total"], 3.0);
    assert_eq!(m["relay_rooms"], 2.0);
    assert_eq!(m["relay_logins_total"], 3.0);
    assert_eq!(m["relay_messages_routed_total"], 2.0);
    assert_eq!(
        m[r#"relay_messages_dropped_total{reason="unknown_target"}"#],
        1.0
    );
    assert_eq!(m[r#"relay_messages_dropped_total{reason="no_peer"}"#], 1.0);
    assert_eq!(
        m[r#"relay_messages_dropped_total{reason="rate_limited"}"#],
        0.0
    );
    assert_eq!(m["relay_frames_rejected_total"], 1.0);
    assert_eq!(
        m[r#"relay_upgrades_rejected_total{reason="subprotocol"}"#],
        1.0
    );
    assert_eq!(m[r#"relay_upgrades_rejected_total{reason="room"}"#], 1.0);
    assert!(m["relay_bytes_in_total"] > 100.0);
    assert!(m["relay_bytes_out_total"] > m["relay_bytes_in_total"]);
    assert!(m["relay_frames_sent_total"] >= 9.0);

    drop(other.pop());
    drop(c);
    // Closing is asynchronous: wait for the gauges to come back to zero.
    let mut m = metrics(&relay).await;
    for _ in 0..200 {
        if m["relay_connections"] == 0.0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        m = metrics(&relay).await;
    }
    assert_eq!(m["relay_connections"], 0.0);
    assert_eq!(m["relay_rooms"], 0.0);
}

fn turn_config() -> TurnConfig {
    TurnConfig {
        secret: "coturn shared secret".into(),
        urls: vec![
            "turn:127.0.0.1:3478".into(),
            "turn:127.0.0.1:3478?transport=tcp".into(),
        ],
        ttl: 600,
    }
}

#[tokio::test]
async fn ice_servers_hands_out_time_limited_turn_credentials() {
    let relay = Relay::start(Config {
        turn: Some(turn_config()),
        ..Config::default()
    })
    .await;
    let before = token::now_secs();
    let (status, headers, body) = http_get(relay.addr, "/ice-servers").await;
    assert_eq!(status, 200);
    assert_eq!(header(&headers, "content-type"), Some("application/json"));
    assert_eq!(header(&headers, "cache-control"), Some("no-store"));
    let v = parse(std::str::from_utf8(&body).unwrap()).expect("JSON");
    assert_eq!(v.get("ttl").and_then(Value::as_f64), Some(600.0));
    let Some(Value::Array(servers)) = v.get("iceServers") else {
        panic!("no iceServers: {}", v.to_json());
    };
    let server = &servers[0];
    let username = server.get("username").and_then(Value::as_str).unwrap();
    let (expiry, user) = username.split_once(':').unwrap();
    let expiry: u64 = expiry.parse().unwrap();
    assert!(expiry >= before + 600 && expiry <= token::now_secs() + 600);
    assert_eq!(user, "webrtc-chat");
    assert_eq!(
        server.get("credential").and_then(Value::as_str),
        Some(turn::password(b"coturn shared secret", username).as_str())
    );
    assert_eq!(
        server.get("urls").map(Value::to_json).as_deref(),
        Some(r#"["turn:127.0.0.1:3478","turn:127.0.0.1:3478?transport=tcp"]"#)
    );

    // Not configured: 404.
    let plain = Relay::start_default().await;
    assert_eq!(http_get(plain.addr, "/ice-servers").await.0, 404);
}

#[tokio::test]
async fn with_join_tokens_ice_servers_needs_one_and_names_its_user() {
    let relay = Relay::start(Config {
        turn: Some(turn_config()),
        token_secret: Some("token secret".into()),
        ..Config::default()
    })
    .await;
    assert_eq!(http_get(relay.addr, "/ice-servers").await.0, 401);
    assert_eq!(
        http_get(relay.addr, "/ice-servers?token=x.y.z").await.0,
        401
    );
    let t = token::mint(b"token secret", "team", "bob", 60).unwrap();
    let (status, _, body) = http_get(relay.addr, &format!("/ice-servers?token={t}")).await;
    assert_eq!(status, 200);
    assert!(String::from_utf8_lossy(&body).contains(":bob\""));
}
