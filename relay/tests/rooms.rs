//! Rooms: `/signal/<room>` names a room; `/` and `/signal` are the default one. Names, user
//! lists, chat and calls never cross rooms.

mod common;

use chat_protocol::json::Value;
use common::{str_of, try_connect, Client, Relay};

fn users(list: &Value) -> Vec<String> {
    match list.get("users") {
        Some(Value::Array(users)) => users
            .iter()
            .map(|u| u.as_str().unwrap_or("<null>").to_owned())
            .collect(),
        other => panic!("no users in {other:?}"),
    }
}

#[tokio::test]
async fn two_rooms_never_see_each_others_users_chat_or_calls() {
    let relay = Relay::start_default().await;
    let mut a = relay.logins_at("/signal/room-a", &["alice", "bob"]).await;
    // The same names in another room are not taken.
    let mut b = relay.logins_at("/signal/room_b", &["alice", "carol"]).await;
    let mut lobby = relay.logins_at("/signal", &["dave"]).await;
    let mut root = Client::connect(&relay.url("/")).await;
    root.send_username("erin").await;
    let list = root.recv_kind("userlist").await;
    // `/` and `/signal` are the same (default) room.
    assert_eq!(users(&list), ["dave", "erin"]);
    assert_eq!(
        users(&lobby[0].recv_kind("userlist").await),
        ["dave", "erin"]
    );

    // Each room's list holds its own users only (logging in again under the same name
    // re-sends the list).
    a[0].send_username("alice").await;
    for client in a.iter_mut() {
        assert_eq!(users(&client.recv_kind("userlist").await), ["alice", "bob"]);
    }
    b[0].send_username("alice").await;
    for client in b.iter_mut() {
        assert_eq!(
            users(&client.recv_kind("userlist").await),
            ["alice", "carol"]
        );
    }

    // Chat stays in its room.
    b[1].send(r#"{"type":"message","text":"hello b"}"#).await;
    for client in b.iter_mut() {
        let chat = client.recv_kind("message").await;
        assert_eq!(str_of(&chat, "name"), Some("carol"));
    }

    // A call to a name that exists only in another room goes nowhere.
    b[1].send(r#"{"type":"video-offer","target":"bob","sdp":{"type":"offer","sdp":"v=0\r\n"}}"#)
        .await;
    lobby[0]
        .send(r#"{"type":"video-offer","target":"bob","sdp":{"type":"offer","sdp":"v=0\r\n"}}"#)
        .await;
    // "alice" in room b is not "alice" in room a.
    b[1].send(r#"{"type":"video-offer","target":"alice","sdp":{"type":"offer","sdp":"v=0\r\n"}}"#)
        .await;
    assert_eq!(
        str_of(&b[0].recv_kind("video-offer").await, "name"),
        Some("carol")
    );

    // A user leaving one room changes no other room's list.
    let gone = b.pop().expect("carol");
    drop(gone);
    assert_eq!(
        str_of(&b[0].recv_kind("hang-up").await, "reason"),
        Some("gone")
    );
    assert_eq!(users(&b[0].recv_kind("userlist").await), ["alice"]);

    for client in a.iter_mut().chain(b.iter_mut()).chain(lobby.iter_mut()) {
        client.assert_nothing_pending().await;
    }
    root.name = "erin".into();
    root.assert_nothing_pending().await;
}

#[tokio::test]
async fn a_bad_room_name_is_refused_before_the_upgrade() {
    let relay = Relay::start_default().await;
    let long = "r".repeat(65);
    for path in [
        "/signal/a.b",
        "/signal/a/b",
        "/signal/%C3%A4",
        &format!("/signal/{long}"),
    ] {
        assert_eq!(
            try_connect(&relay.url(path), Some("json"), None)
                .await
                .err(),
            Some(400),
            "{path}"
        );
    }
    let ok = "r".repeat(64);
    Client::connect(&relay.url(&format!("/signal/{ok}"))).await;
}
