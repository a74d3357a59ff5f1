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
