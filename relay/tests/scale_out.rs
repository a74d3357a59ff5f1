//! Relays started with `--redis` (docs/scale-out.md) against a real `redis-server` on a free
//! loopback port and three in-process relays: chat crosses relays once, `/healthz` reports
//! Redis and stays 200, and a Redis restart leaves local users served and crossing restored.
//!
//! Skipped, loudly, only when `redis-server` is not installed (`scripts/install.sh test`
//! installs it); with `WEBRTC_CHAT_REQUIRE_REDIS=1` a missing server fails instead.

mod common;

use std::time::{Duration, Instant};

use chat_protocol::json::Value;
use common::redis::RedisServer;
use common::{http_get, Client, Relay};
use relay::Config;

async fn relays(redis: &RedisServer, n: usize) -> Vec<Relay> {
    let mut relays = Vec::new();
    for _ in 0..n {
        relays.push(
            Relay::start(Config {
                redis: Some(redis.url()),
                ..Config::default()
            })
            .await,
        );
    }
    relays
}

async fn healthz(relay: &Relay) -> (u16, String) {
    let (status, _, body) = http_get(relay.addr, "/healthz").await;
    (status, String::from_utf8_lossy(&body).into_owned())
}

/// Polls `/healthz` until its body names `want`; it must stay 200 throughout.
async fn wait_healthz(relay: &Relay, want: &str, limit: Duration) {
    let deadline = Instant::now() + limit;
    loop {
        let (status, body) = healthz(relay).await;
        assert_eq!(
            status, 200,
            "/healthz stays 200 whatever Redis does: {body}"
        );
        if body.contains(want) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "/healthz never said {want:?}: {body}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn chat(from: &mut Client, text: &str) {
    from.send(format!(r#"{{"type":"message","text":"{text}"}}"#))
        .await;
}

async fn expect_chat(client: &mut Client, from: &str, text: &str) {
    let v = client.recv_kind("message").await;
    assert_eq!(v.get("text").and_then(Value::as_str), Some(text));
    assert_eq!(v.get("name").and_then(Value::as_str), Some(from));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chat_reaches_every_relay_once_and_healthz_reports_redis() {
    let Some(redis) = RedisServer::start("chat_reaches_every_relay_once") else {
        return;
    };
    let relays = relays(&redis, 3).await;
    for relay in &relays {
        wait_healthz(relay, "redis: ok", Duration::from_secs(5)).await;
    }
    let mut a = relays[0].logins(&["ann"]).await.remove(0);
    let mut b = relays[1].logins(&["bob"]).await.remove(0);
    let mut c = relays[2].logins(&["cy"]).await.remove(0);
    chat(&mut a, "hello").await;
    expect_chat(&mut a, "ann", "hello").await;
    expect_chat(&mut b, "ann", "hello").await;
    expect_chat(&mut c, "ann", "hello").await;
    chat(&mut c, "back").await;
    for client in [&mut a, &mut b, &mut c] {
        expect_chat(client, "cy", "back").await;
    }
    // Once each: nothing else (a second copy) is queued behind them.
    for client in [&mut a, &mut b, &mut c] {
        client.assert_nothing_pending().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_down_keeps_local_users_served_and_comes_back() {
    let Some(mut redis) = RedisServer::start("redis_down_keeps_local_users_served") else {
        return;
    };
    let relays = relays(&redis, 2).await;
    let mut a = relays[0].logins(&["ann", "al"]).await;
    let mut b = relays[1].logins(&["bob"]).await.remove(0);
    wait_healthz(&relays[0], "redis: ok", Duration::from_secs(5)).await;

    redis.stop();
    wait_healthz(&relays[0], "redis: down", Duration::from_secs(10)).await;
    // Local users still talk to each other.
    chat(&mut a[0], "local").await;
    expect_chat(&mut a[0], "ann", "local").await;
    expect_chat(&mut a[1], "ann", "local").await;

    redis.spawn();
    for relay in &relays {
        wait_healthz(relay, "redis: ok", Duration::from_secs(20)).await;
    }
    chat(&mut a[1], "again").await;
    expect_chat(&mut a[0], "al", "again").await;
    expect_chat(&mut a[1], "al", "again").await;
    expect_chat(&mut b, "al", "again").await;
}

#[tokio::test]
async fn without_redis_healthz_is_unchanged() {
    let relay = Relay::start_default().await;
    assert_eq!(healthz(&relay).await, (200, "ok\n".to_owned()));
}
