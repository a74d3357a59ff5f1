//! Numbers where names were expected, through the real relay: a user who logs in with the
//! number `1e21` is called `1e+21`, as JavaScript's `String(n)` (and so the sample's server)
//! names it, and a call message whose `target` is that number reaches that user. The table is
//! the protocol crate's (`number-names.json`: the number as a frame carries it, and
//! `String(JSON.parse(text))` in V8); the client checks it in the browser (tests/json.rs).

mod common;

use chat_protocol::json::Value;
use common::{str_of, Relay};

#[tokio::test]
async fn numbers_are_named_as_javascripts_string_of_them() {
    let table = chat_protocol::parse(include_str!("../../protocol/tests/number-names.json"))
        .expect("the table is JSON");
    let Value::Array(rows) = table else {
        panic!("the table is an array")
    };
    let table: Vec<(&str, &str)> = rows
        .iter()
        .map(|row| match row {
            Value::Array(pair) => (pair[0].as_str().unwrap(), pair[1].as_str().unwrap()),
            other => panic!("a row is a pair: {other:?}"),
        })
        .collect();
    assert!(table.len() >= 5);
    for (wire, js) in &table {
        let relay = Relay::start_default().await;
        let mut alice = relay.logins(&["alice"]).await.remove(0);
        let mut number = relay.client().await;
        number
            .send(format!(
                r#"{{"type":"username","id":{},"name":{wire},"date":1}}"#,
                number.id
            ))
            .await;
        let list = number.recv_kind("userlist").await;
        let users: Vec<&str> = match list.get("users") {
            Some(Value::Array(users)) => users.iter().filter_map(Value::as_str).collect(),
            other => panic!("{wire}: users {other:?}"),
        };
        assert_eq!(users, ["alice", *js], "{wire}");
        alice.recv_kind("userlist").await;
        alice
            .send(format!(
                r#"{{"type":"video-offer","target":{wire},"sdp":{{"type":"offer","sdp":""}}}}"#
            ))
            .await;
        let offer = number.recv_kind("video-offer").await;
        assert_eq!(str_of(&offer, "name"), Some("alice"), "{wire}");
    }
}
