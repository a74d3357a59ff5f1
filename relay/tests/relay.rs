//! The relay in-process on an ephemeral port, driven by real WebSocket clients over loopback.

mod common;

use chat_protocol::json::Value;
use chat_protocol::{Message as Msg, MAX_FRAME_BYTES};
use common::{header, http_get, str_of, try_connect, Client, Relay};
use futures_util::{SinkExt, StreamExt};
use relay::limit::Rate;
use relay::room::Limits;
use relay::Config;
use tokio_tungstenite::tungstenite::Message;

const OFFER: &str = r#"{"type":"video-offer","name":"alice","target":"bob","sdp":{"type":"offer","sdp":"v=0\r\n"}}"#;
const ANSWER: &str = r#"{"type":"video-answer","name":"bob","target":"alice","sdp":{"type":"answer","sdp":"v=0\r\n"}}"#;

/// `alice` calls `bob` and `bob` answers.
async fn call(alice: &mut Client, bob: &mut Client) {
    alice.send(OFFER).await;
    bob.recv_kind("video-offer").await;
    bob.send(ANSWER).await;
    alice.recv_kind("video-answer").await;
}

#[tokio::test]
async fn ids_count_up_from_the_start_time() {
    let before = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64;
    let relay = Relay::start_default().await;
    let a = relay.client().await;
    let b = relay.client().await;
    assert!(
        a.id >= before && a.id < before + 60_000,
        "id {} vs {before}",
        a.id
    );
    assert_eq!(b.id, a.id + 1);
}

#[tokio::test]
async fn websocket_is_accepted_on_any_path() {
    let relay = Relay::start_default().await;
    for path in ["/", "/signal", "/some/deep/path?x=1"] {
        let client = Client::connect(&relay.url(path)).await;
        assert!(client.id > 0);
    }
}

#[tokio::test]
async fn username_sends_userlist_to_everyone_with_null_for_nameless() {
    let relay = Relay::start_default().await;
    let mut a = relay.client().await;
    let mut quiet = relay.client().await;
    a.send_username("alice").await;
    let list = a.recv_kind("userlist").await;
    assert_eq!(
        list.to_json(),
        r#"{"type":"userlist","users":["alice",null]}"#
    );
    // The nameless connection gets it too; the username itself is not forwarded.
    assert_eq!(quiet.recv().await, list);
    quiet.send_username("q").await;
    assert_eq!(
        quiet.recv_kind("userlist").await.to_json(),
        r#"{"type":"userlist","users":["alice","q"]}"#
    );
    a.recv_kind("userlist").await;
    a.name = "alice".into();
    a.assert_nothing_pending().await;
}

#[tokio::test]
async fn duplicate_username_gets_rejectusername_with_the_new_name() {
    let relay = Relay::start_default().await;
    let mut clients = relay.logins(&["bob"]).await;
    let mut second = relay.client().await;
    second.send_username("bob").await;
    let reject = second.recv_kind("rejectusername").await;
    assert_eq!(str_of(&reject, "name"), Some("bob1"));
    let list = second.recv_kind("userlist").await;
    assert_eq!(
        list.to_json(),
        r#"{"type":"userlist","users":["bob","bob1"]}"#
    );
    assert_eq!(clients[0].recv_kind("userlist").await, list);
    clients[0].assert_nothing_pending().await;
    // Invalid names are refused with an error, the connection stays.
    second
        .send(format!(
            r#"{{"type":"username","name":"{}"}}"#,
            "x".repeat(65)
        ))
        .await;
    second.recv_kind("error").await;
    second.send(r#"{"type":"username","name":"  "}"#).await;
    second.recv_kind("error").await;
    second.name = "bob1".into();
    second.assert_nothing_pending().await;
}

#[tokio::test]
async fn chat_is_broadcast_with_name_stamped_and_tags_stripped() {
    let relay = Relay::start_default().await;
    let mut c = relay.logins(&["alice", "bob", "carol"]).await;
    c[0].send(r#"{"type":"message","id":1,"name":"bob","text":"hi <b>all</b><script>x()</script> <img src=x onerror=alert(1) ","date":5}"#)
        .await;
    for client in &mut c {
        let v = client.recv_kind("message").await;
        assert_eq!(str_of(&v, "name"), Some("alice"));
        assert_eq!(
            str_of(&v, "text"),
            Some("hi allx() img src=x onerror=alert(1) ")
        );
        assert_eq!(v.get("date").and_then(Value::as_f64), Some(5.0));
    }
}

#[tokio::test]
async fn offer_answer_and_candidates_go_only_to_their_target() {
    let relay = Relay::start_default().await;
    let mut c = relay.logins(&["alice", "bob", "carol"]).await;
    let (alice, rest) = c.split_at_mut(1);
    let (bob, carol) = rest.split_at_mut(1);
    let (alice, bob, carol) = (&mut alice[0], &mut bob[0], &mut carol[0]);

    alice.send(OFFER).await;
    let offer = bob.recv_kind("video-offer").await;
    assert_eq!(str_of(&offer, "name"), Some("alice"));
    assert!(matches!(
        Msg::from_value(&offer),
        Ok(Msg::VideoOffer { .. })
    ));
    bob.send(ANSWER).await;
    assert_eq!(
        str_of(&alice.recv_kind("video-answer").await, "name"),
        Some("bob")
    );
    let candidate = r#"{"type":"new-ice-candidate","target":"bob","candidate":{"candidate":"candidate:1 1 udp 2122260223 192.0.2.1 54321 typ host","sdpMid":"0","sdpMLineIndex":0}}"#;
    alice.send(candidate).await;
    let got = bob.recv_kind("new-ice-candidate").await;
    assert_eq!(str_of(&got, "name"), Some("alice"));
    assert_eq!(
        got.get("candidate")
            .and_then(|c| c.get("sdpMid"))
            .and_then(Value::as_str),
        Some("0")
    );
    // Carol saw none of it; alice and bob nothing more.
    for client in [alice, bob, carol] {
        client.assert_nothing_pending().await;
    }
}

#[tokio::test]
async fn unknown_types_are_routed_by_target_or_broadcast() {
    let relay = Relay::start_default().await;
    let mut c = relay.logins(&["alice", "bob", "carol"]).await;
    c[0].send(r#"{"type":"whiteboard","target":"carol","stroke":[1,2,3]}"#)
        .await;
    let v = c[2].recv_kind("whiteboard").await;
    assert_eq!(
        v.to_json(),
        r#"{"type":"whiteboard","target":"carol","stroke":[1,2,3],"name":"alice"}"#
    );
    c[1].assert_nothing_pending().await;
    c[0].assert_nothing_pending().await;

    c[1].send(r#"{"type":"whiteboard","target":null,"clear":true}"#)
        .await;
    for client in &mut c {
        let v = client.recv_kind("whiteboard").await;
        assert_eq!(str_of(&v, "name"), Some("bob"));
        assert_eq!(v.get("clear"), Some(&Value::Bool(true)));
    }
}

#[tokio::test]
async fn a_spoofed_name_is_overwritten() {
    let relay = Relay::start_default().await;
    let mut c = relay.logins(&["alice", "bob", "mallory"]).await;
    // Mallory pretends to be alice hanging up on bob, and offering to bob.
    c[2].send(r#"{"type":"hang-up","name":"alice","target":"bob"}"#)
        .await;
    assert_eq!(
        str_of(&c[1].recv_kind("hang-up").await, "name"),
        Some("mallory")
    );
    c[2].send(r#"{"type":"video-offer","name":"alice","target":"bob","sdp":{"type":"offer","sdp":""},"name":"alice"}"#)
        .await;
    let offer = c[1].recv_kind("video-offer").await;
    assert_eq!(str_of(&offer, "name"), Some("mallory"));
    c[2].send(r#"{"type":"message","name":"alice","text":"it's me"}"#)
        .await;
    for client in &mut c {
        assert_eq!(
            str_of(&client.recv_kind("message").await, "name"),
            Some("mallory")
        );
    }
}

#[tokio::test]
async fn an_untargeted_hang_up_goes_only_to_the_peer_known_from_offer_and_answer() {
    let relay = Relay::start_default().await;
    let mut c = relay.logins(&["alice", "bob", "carol", "dave"]).await;
    {
        let (ab, cd) = c.split_at_mut(2);
        let (a, b) = ab.split_at_mut(1);
        call(&mut a[0], &mut b[0]).await;
        // A second pair, also in a call (names in the offer are overwritten anyway).
        let (cc, d) = cd.split_at_mut(1);
        cc[0]
            .send(r#"{"type":"video-offer","target":"dave","sdp":{"type":"offer","sdp":""}}"#)
            .await;
        d[0].recv_kind("video-offer").await;
        d[0].send(r#"{"type":"video-answer","target":"carol","sdp":{"type":"answer","sdp":""}}"#)
            .await;
        cc[0].recv_kind("video-answer").await;
    }
    // The sample client's hangUpCall: target null.
    c[0].send(r#"{"type":"hang-up","name":"alice","target":null}"#)
        .await;
    let hang_up = c[1].recv_kind("hang-up").await;
    assert_eq!(str_of(&hang_up, "name"), Some("alice"));
    assert_eq!(str_of(&hang_up, "target"), Some("bob"));
    for client in &mut c {
        client.assert_nothing_pending().await;
    }
}

#[tokio::test]
async fn call_messages_without_target_or_known_peer_go_nowhere() {
    let relay = Relay::start_default().await;
    let mut c = relay.logins(&["alice", "bob", "carol"]).await;
    for frame in [
        r#"{"type":"hang-up","name":"alice","target":null}"#,
        r#"{"type":"hang-up","name":"alice","target":""}"#,
        r#"{"type":"hang-up"}"#,
        r#"{"type":"video-offer","sdp":{"type":"offer","sdp":""}}"#,
        r#"{"type":"video-answer","sdp":{"type":"answer","sdp":""}}"#,
        r#"{"type":"new-ice-candidate","candidate":{"candidate":"","sdpMid":"0"}}"#,
    ] {
        c[0].send(frame).await;
    }
    for client in &mut c {
        client.assert_nothing_pending().await;
    }
}

#[tokio::test]
async fn a_connection_without_a_name_cannot_call() {
    let relay = Relay::start_default().await;
    let mut c = relay.logins(&["bob"]).await;
    let mut anon = relay.client().await;
    anon.send(
        r#"{"type":"video-offer","name":"alice","target":"bob","sdp":{"type":"offer","sdp":""}}"#,
    )
    .await;
    assert!(str_of(&anon.recv_kind("error").await, "text")
        .unwrap()
        .contains("username"));
    c[0].assert_nothing_pending().await;
}

#[tokio::test]
async fn disconnect_updates_userlist_and_hangs_up_the_peer() {
    let relay = Relay::start_default().await;
    let mut c = relay.logins(&["alice", "bob", "carol"]).await;
    {
        let (a, b) = c.split_at_mut(1);
        a[0].send(
            r#"{"type":"video-offer","target":"bob","sdp":{"type":"offer","sdp":""},"call":"c-7"}"#,
        )
        .await;
        b[0].recv_kind("video-offer").await;
        b[0].send(r#"{"type":"video-answer","target":"alice","sdp":{"type":"answer","sdp":""},"call":"c-7"}"#)
            .await;
        a[0].recv_kind("video-answer").await;
    }
    let mut alice = c.remove(0);
    alice.ws.close(None).await.expect("close");
    let hang_up = c[0].recv_kind("hang-up").await;
    assert_eq!(
        hang_up.to_json(),
        r#"{"type":"hang-up","name":"alice","target":"bob","call":"c-7","reason":"gone"}"#
    );
    for client in &mut c {
        let list = client.recv_kind("userlist").await;
        assert_eq!(
            list.to_json(),
            r#"{"type":"userlist","users":["bob","carol"]}"#
        );
        client.assert_nothing_pending().await;
    }
}

#[tokio::test]
async fn a_third_client_never_receives_another_pairs_hang_up() {
    let relay = Relay::start_default().await;
    let mut c = relay.logins(&["alice", "bob", "carol", "dave"]).await;
    {
        let (a, b) = c.split_at_mut(1);
        call(&mut a[0], &mut b[0]).await;
    }
    // Untargeted hang-up, then bob leaves abruptly mid call with carol watching.
    c[1].send(r#"{"type":"hang-up","target":null}"#).await;
    c[0].recv_kind("hang-up").await;
    {
        let (a, b) = c.split_at_mut(1);
        call(&mut a[0], &mut b[0]).await;
    }
    let bob = c.remove(1);
    drop(bob);
    assert_eq!(
        str_of(&c[0].recv_kind("hang-up").await, "reason"),
        Some("gone")
    );
    for client in &mut c {
        client.recv_kind("userlist").await;
    }
    // Carol and dave got user lists only.
    for client in &mut c {
        client.assert_nothing_pending().await;
    }
}

#[tokio::test]
async fn the_sample_clients_exact_messages_work_end_to_end() {
    // Shapes copied from chatclient.js: `username` with the id, offers/answers with
    // `name`/`target`/`sdp`, candidates without `name`, hang-up with `target: null`, and
    // chat as `{text, type, id, date}`. No `call` field anywhere.
    let relay = Relay::start_default().await;
    let mut alice = relay.client().await;
    alice
        .send(format!(
            r#"{{"name":"alice","date":1700000000000,"id":{},"type":"username"}}"#,
            alice.id
        ))
        .await;
    alice.recv_kind("userlist").await;
    let mut bob = relay.client().await;
    bob.send(format!(
        r#"{{"name":"bob","date":1700000000001,"id":{},"type":"username"}}"#,
        bob.id
    ))
    .await;
    bob.recv_kind("userlist").await;
    assert_eq!(
        alice.recv_kind("userlist").await.to_json(),
        r#"{"type":"userlist","users":["alice","bob"]}"#
    );
    alice.name = "alice".into();
    bob.name = "bob".into();

    alice
        .send(format!(
            r#"{{"text":"hello <i>bob</i>","type":"message","id":{},"date":1700000000002}}"#,
            alice.id
        ))
        .await;
    for client in [&mut alice, &mut bob] {
        let chat = client.recv_kind("message").await;
        assert_eq!(str_of(&chat, "text"), Some("hello bob"));
        assert_eq!(str_of(&chat, "name"), Some("alice"));
    }
    let sdp = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n";
    let offer = format!(
        r#"{{"name":"alice","target":"bob","type":"video-offer","sdp":{{"type":"offer","sdp":"{}"}}}}"#,
        sdp.replace("\r\n", "\\r\\n")
    );
    alice.send(offer).await;
    let got = bob.recv_kind("video-offer").await;
    match Msg::from_value(&got) {
        Ok(Msg::VideoOffer {
            name,
            target,
            sdp: desc,
            call,
        }) => {
            assert_eq!(
                (name.as_str(), target.as_str(), call),
                ("alice", "bob", None)
            );
            assert_eq!(desc.sdp, sdp);
        }
        other => panic!("{other:?}"),
    }
    // The sample's handleVideoOfferMsg answers to `msg.name`.
    bob.send(r#"{"name":"bob","target":"alice","type":"video-answer","sdp":{"type":"answer","sdp":"v=0\r\n"}}"#)
        .await;
    alice.recv_kind("video-answer").await;
    bob.send(r#"{"type":"new-ice-candidate","target":"alice","candidate":{"candidate":"candidate:842163049 1 udp 1677729535 192.0.2.7 46154 typ srflx raddr 0.0.0.0 rport 0 generation 0","sdpMid":"0","sdpMLineIndex":0,"usernameFragment":"EsHd"}}"#)
        .await;
    let cand = alice.recv_kind("new-ice-candidate").await;
    assert!(
        matches!(Msg::from_value(&cand), Ok(Msg::NewIceCandidate { name: Some(n), .. }) if n == "bob")
    );
    alice
        .send(r#"{"name":"alice","target":null,"type":"hang-up"}"#)
        .await;
    let hang_up = bob.recv_kind("hang-up").await;
    assert!(
        matches!(Msg::from_value(&hang_up), Ok(Msg::HangUp { name: Some(n), .. }) if n == "alice")
    );
    alice.assert_nothing_pending().await;
    bob.assert_nothing_pending().await;
}

#[tokio::test]
async fn an_upgrade_without_the_json_subprotocol_is_refused() {
    let relay = Relay::start_default().await;
    assert_eq!(
        try_connect(&relay.url("/"), None, None).await.err(),
        Some(400)
    );
    assert_eq!(
        try_connect(&relay.url("/"), Some("chat, xml"), None)
            .await
            .err(),
        Some(400)
    );
    // Offered among others: accepted, answered with `json` (the client checks the header).
    let (ws, response) = try_connect(&relay.url("/"), Some("soap, json"), None)
        .await
        .expect("accepted");
    assert_eq!(
        response.headers().get("sec-websocket-protocol").unwrap(),
        "json"
    );
    Client::from_socket(ws).await;
}

#[tokio::test]
async fn origins_are_checked_only_when_restricted() {
    let open = Relay::start_default().await;
    assert!(try_connect(
        &open.url("/"),
        Some("json"),
        Some("https://anything.example")
    )
    .await
    .is_ok());

    let config = Config {
        allow_origins: vec![
            "https://chat.example".into(),
            "http://localhost:8080".into(),
        ],
        ..Config::default()
    };
    let relay = Relay::start(config).await;
    let url = relay.url("/");
    assert_eq!(
        try_connect(&url, Some("json"), Some("https://evil.example"))
            .await
            .err(),
        Some(403)
    );
    assert_eq!(try_connect(&url, Some("json"), None).await.err(), Some(403));
    assert!(
        try_connect(&url, Some("json"), Some("https://chat.example"))
            .await
            .is_ok()
    );
    assert!(
        try_connect(&url, Some("json"), Some("http://localhost:8080"))
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn bad_json_gets_an_error_and_the_connection_stays_usable() {
    let relay = Relay::start_default().await;
    let mut c = relay.logins(&["alice", "bob"]).await;
    for frame in [
        "{oops",
        "",
        "[]",
        "null",
        r#"{"no":"type"}"#,
        r#"{"type":"userlist","users":["x"]}"#,
    ] {
        c[0].send(frame).await;
        let error = c[0].recv_kind("error").await;
        assert!(
            !str_of(&error, "text").unwrap_or_default().is_empty(),
            "{frame}"
        );
    }
    c[0].ws.send(Message::binary(vec![1, 2, 3])).await.unwrap();
    c[0].recv_kind("error").await;
    c[1].assert_nothing_pending().await;
    c[0].send(r#"{"type":"message","text":"still here"}"#).await;
    for client in &mut c {
        assert_eq!(
            str_of(&client.recv_kind("message").await, "text"),
            Some("still here")
        );
    }
}

/// Decision: a frame over the limit gets `{type:"error"}` and the connection stays; only a
/// frame over 4 times the limit (which the relay will not buffer) ends the connection.
#[tokio::test]
async fn an_oversize_frame_gets_an_error_and_a_huge_one_ends_the_connection() {
    let relay = Relay::start_default().await;
    let mut c = relay.logins(&["alice", "bob"]).await;
    let overhead = r#"{"type":"message","text":""}"#.len();
    let at_limit = format!(
        r#"{{"type":"message","text":"{}"}}"#,
        "x".repeat(MAX_FRAME_BYTES - overhead - 40)
    );
    c[0].send(at_limit).await;
    for client in &mut c {
        client.recv_kind("message").await;
    }
    let over = format!(
        r#"{{"type":"message","text":"{}"}}"#,
        "x".repeat(MAX_FRAME_BYTES - overhead + 1)
    );
    assert_eq!(over.len(), MAX_FRAME_BYTES + 1);
    c[0].send(over).await;
    let error = c[0].recv_kind("error").await;
    assert!(str_of(&error, "text").unwrap().contains("too large"));
    c[1].assert_nothing_pending().await;
    c[0].assert_nothing_pending().await;

    let huge = "x".repeat(4 * MAX_FRAME_BYTES + 1);
    let mut alice = c.remove(0);
    if alice.ws.send(Message::text(huge)).await.is_ok() {
        // The relay drops the connection: no frame, just the end (or a reset).
        match alice.next().await {
            None | Some(Err(_)) | Some(Ok(Message::Close(_))) => {}
            Some(Ok(other)) => panic!("expected the connection to end, got {other:?}"),
        }
    }
    let list = c[0].recv_kind("userlist").await;
    assert_eq!(list.to_json(), r#"{"type":"userlist","users":["bob"]}"#);
}

#[tokio::test]
async fn a_lower_configured_frame_limit_applies() {
    let config = Config {
        limits: Limits {
            max_frame_bytes: 2048,
            ..Limits::default()
        },
        ..Config::default()
    };
    let relay = Relay::start(config).await;
    let mut c = relay.logins(&["alice"]).await;
    let overhead = r#"{"type":"message","text":""}"#.len();
    let fits = format!(
        r#"{{"type":"message","text":"{}"}}"#,
        "x".repeat(2048 - overhead)
    );
    c[0].send(fits).await;
    c[0].recv_kind("message").await;
    let over = format!(
        r#"{{"type":"message","text":"{}"}}"#,
        "x".repeat(2049 - overhead)
    );
    c[0].send(over).await;
    let error = c[0].recv_kind("error").await;
    assert!(str_of(&error, "text")
        .unwrap()
        .contains("(2049 bytes, limit 2048)"));
    c[0].assert_nothing_pending().await;
}

#[tokio::test]
async fn the_rate_limit_refuses_excess_and_closes_persistent_abuse() {
    // Refill so slow it never happens during the test: the bucket is just the burst.
    let config = Config {
        limits: Limits {
            rate: Rate {
                per_sec: 0.001,
                burst: 3,
            },
            ..Limits::default()
        },
        ..Config::default()
    };
    let relay = Relay::start(config).await;
    let mut alice = relay.client().await;
    alice.send_username("alice").await; // 1 of 3
    alice.recv_kind("userlist").await;
    let chat = r#"{"type":"message","text":"spam"}"#;
    for _ in 0..2 {
        alice.send(chat).await;
        alice.recv_kind("message").await;
    }
    alice.send(chat).await; // refused, one warning
    assert!(str_of(&alice.recv_kind("error").await, "text")
        .unwrap()
        .contains("too many messages"));
    alice.send(chat).await; // refused silently
    alice.send(chat).await; // a burst's worth refused: closed
    assert_eq!(alice.close_code().await, Some(1008));
}

#[tokio::test]
async fn too_many_connections_are_refused_with_503() {
    let config = Config {
        max_connections: 1,
        ..Config::default()
    };
    let relay = Relay::start(config).await;
    let first = relay.client().await;
    assert_eq!(
        try_connect(&relay.url("/"), Some("json"), None).await.err(),
        Some(503)
    );
    drop(first);
}

#[tokio::test]
async fn static_files_are_served_with_the_right_types() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("relay-static-inprocess");
    std::fs::create_dir_all(dir.join("sub")).unwrap();
    std::fs::write(dir.join("index.html"), "<!doctype html><title>chat</title>").unwrap();
    std::fs::write(dir.join("app_bg.wasm"), b"\0asm\x01\0\0\0").unwrap();
    std::fs::write(dir.join("app.js"), "export {}").unwrap();
    std::fs::write(dir.join("style.css"), "body{}").unwrap();
    std::fs::write(dir.join("sub/index.html"), "sub").unwrap();
    let relay = Relay::start(Config {
        static_dir: Some(dir),
        ..Config::default()
    })
    .await;
    let cases = [
        ("/", "text/html", &b"<!doctype html><title>chat</title>"[..]),
        (
            "/index.html",
            "text/html",
            b"<!doctype html><title>chat</title>",
        ),
        ("/app_bg.wasm", "application/wasm", b"\0asm\x01\0\0\0"),
        ("/app.js", "text/javascript", b"export {}"),
        ("/style.css", "text/css", b"body{}"),
        ("/sub/", "text/html", b"sub"),
    ];
    for (path, mime, body) in cases {
        let (status, headers, got) = http_get(relay.addr, path).await;
        assert_eq!(status, 200, "{path}");
        let content_type = header(&headers, "content-type").unwrap_or_default();
        assert!(content_type.starts_with(mime), "{path}: {content_type}");
        assert_eq!(got, body, "{path}");
    }
    assert_eq!(http_get(relay.addr, "/missing.js").await.0, 404);
    assert_eq!(http_get(relay.addr, "/../Cargo.toml").await.0, 404);
    // The same port still takes WebSockets.
    relay.client().await;
}

#[tokio::test]
async fn without_a_static_dir_a_text_page_says_so() {
    let relay = Relay::start_default().await;
    let (status, headers, body) = http_get(relay.addr, "/").await;
    assert_eq!(status, 200);
    assert!(header(&headers, "content-type")
        .unwrap_or_default()
        .starts_with("text/plain"));
    assert!(String::from_utf8_lossy(&body).contains("No page is built"));
    assert_eq!(http_get(relay.addr, "/app.js").await.0, 404);
}

#[tokio::test]
async fn shutdown_closes_every_socket_with_1001() {
    let mut relay = Relay::start_default().await;
    let mut c = relay.logins(&["alice", "bob"]).await;
    let mut nameless = relay.client().await;
    relay.begin_stop();
    for client in c.iter_mut().chain([&mut nameless]) {
        assert_eq!(client.close_code().await, Some(1001));
    }
    relay.stopped().await.expect("clean exit");
}

/// A relay that shuts down (to restart) ends no call: the media flows peer to peer and the
/// pages log in again once it is back (docs/protocol.md, "ICE restart, and a relay that
/// restarts"), so no `gone` hang-up (nor anything else) precedes the close.
#[tokio::test]
async fn shutdown_ends_no_call() {
    let mut relay = Relay::start_default().await;
    let mut c = relay.logins(&["alice", "bob"]).await;
    {
        let (a, b) = c.split_at_mut(1);
        call(&mut a[0], &mut b[0]).await;
    }
    relay.begin_stop();
    for client in &mut c {
        match client.next().await {
            Some(Ok(Message::Close(_))) => while let Some(Ok(_)) = client.ws.next().await {},
            other => panic!("{}: expected the close, got {other:?}", client.name),
        }
    }
    relay.stopped().await.expect("clean exit");
}
