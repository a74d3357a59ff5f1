//! Join tokens: with `--token-secret`, a WebSocket needs `?token=` (JWT HS256: room, name,
//! exp); the holder gets exactly the token's name.

mod common;

use common::{str_of, try_connect, Client, Relay};
use relay::token::{self, Claims};
use relay::Config;

const SECRET: &str = "a test secret of thirty-two bytes";

async fn relay() -> Relay {
    Relay::start(Config {
        token_secret: Some(SECRET.into()),
        allow_origins: vec!["http://page.example".into()],
        ..Config::default()
    })
    .await
}

fn mint(room: &str, name: &str) -> String {
    token::mint(SECRET.as_bytes(), room, name, 60).expect("mint")
}

async fn status(relay: &Relay, path: &str) -> Option<u16> {
    try_connect(&relay.url(path), Some("json"), Some("http://page.example"))
        .await
        .err()
}

async fn join(relay: &Relay, path: &str) -> Client {
    let (ws, _) = try_connect(&relay.url(path), Some("json"), Some("http://page.example"))
        .await
        .expect("upgrade accepted");
    Client::from_socket(ws).await
}

#[tokio::test]
async fn without_a_valid_token_the_upgrade_is_refused_with_401() {
    let relay = relay().await;
    let expired = jsonwebtoken::encode(
        &jsonwebtoken::Header::default(),
        &Claims {
            room: "team".into(),
            name: "bob".into(),
            exp: token::now_secs() - 3600,
        },
        &jsonwebtoken::EncodingKey::from_secret(SECRET.as_bytes()),
    )
    .unwrap();
    let other_secret = token::mint(b"another secret, also 32 bytes...", "team", "bob", 60).unwrap();
    let valid = mint("team", "bob");
    let (head, rest) = valid.split_once('.').unwrap();
    let (_, signature) = rest.split_once('.').unwrap();
    let mallory = mint("team", "mallory");
    let mallory_claims = mallory.split('.').nth(1).unwrap();
    let forged = format!("{head}.{mallory_claims}.{signature}");
    for path in [
        "/signal/team".to_owned(),
        "/signal/team?token=".into(),
        "/signal/team?token=garbage".into(),
        format!("/signal/team?token={expired}"),
        format!("/signal/team?token={other_secret}"),
        format!("/signal/team?token={forged}"),
        // Valid, but for another room.
        format!("/signal/other?token={valid}"),
        format!("/?token={valid}"),
    ] {
        assert_eq!(status(&relay, &path).await, Some(401), "{path}");
    }
    // The origin allowlist still applies to token holders.
    let url = relay.url(&format!("/signal/team?token={valid}"));
    assert_eq!(
        try_connect(&url, Some("json"), Some("http://evil.example"))
            .await
            .err(),
        Some(403)
    );
    // The default room's tokens name it `default`.
    let lobby = mint("default", "bob");
    join(&relay, &format!("/?token={lobby}")).await;
    join(&relay, &format!("/signal/team?token={valid}")).await;
}

#[tokio::test]
async fn the_holder_gets_exactly_the_tokens_name_and_nobody_else_can() {
    let relay = relay().await;
    // Carol logs in first, asking for bob's name: she is carol.
    let mut carol = join(
        &relay,
        &format!("/signal/team?token={}", mint("team", "carol")),
    )
    .await;
    carol.send_username("bob").await;
    assert_eq!(
        str_of(&carol.recv_kind("rejectusername").await, "name"),
        Some("carol")
    );
    carol.recv_kind("userlist").await;
    carol.name = "carol".into();

    // Bob asks for another name: he is bob all the same.
    let mut bob = join(
        &relay,
        &format!("/signal/team?token={}", mint("team", "bob")),
    )
    .await;
    bob.send_username("admin").await;
    assert_eq!(
        str_of(&bob.recv_kind("rejectusername").await, "name"),
        Some("bob")
    );
    let list = bob.recv_kind("userlist").await;
    assert_eq!(
        list.to_json(),
        r#"{"type":"userlist","users":["carol","bob"]}"#
    );
    assert_eq!(carol.recv_kind("userlist").await, list);
    bob.name = "bob".into();

    // A second holder of bob's token while he is here: refused (409), his name stays his.
    assert_eq!(
        status(
            &relay,
            &format!("/signal/team?token={}", mint("team", "bob"))
        )
        .await,
        Some(409)
    );
    // Chat is stamped with the token's name.
    bob.send(r#"{"type":"message","name":"carol","text":"hi"}"#)
        .await;
    for client in [&mut carol, &mut bob] {
        assert_eq!(
            str_of(&client.recv_kind("message").await, "name"),
            Some("bob")
        );
    }
    carol.assert_nothing_pending().await;
    bob.assert_nothing_pending().await;
}
