//! Wire-format tests of the signaling protocol (`chat_protocol`) against real frames.
//!
//! `tests/fixtures/` holds one WebSocket text frame per file, byte for byte:
//! - `chromium-*.json`: captured from Chromium (fake camera and microphone, two
//!   `RTCPeerConnection`s in one page), built the way the tutorial's `chatclient.js` builds
//!   them: `JSON.stringify({name, target, type, sdp: pc.localDescription})` and
//!   `JSON.stringify({type, target, candidate: event.candidate})`. Headless Chromium 148, host
//!   candidates only (no STUN/TURN). Chromium ends gathering with a `null` candidate, which the
//!   tutorial does not send; the end-of-candidates fixture is Chromium's JSON of a constructed
//!   `{candidate: ""}` `RTCIceCandidate`. Re-capture with `fixtures/capture/capture.py` (new
//!   ufrags, ports and SDP: update the expected values below to match).
//! - `server-*.json`, `client-*.json`: the other shapes of MDN's `webrtc-from-chat` sample
//!   (chatserver.js / chatclient.js), with its key order (see docs/protocol.md).
//!
//! serde_json's own `Value` is the independent oracle: our encoder must write the same JSON
//! document the browser wrote, field for field.
//!
//! Needs the `json` feature (`Message::decode`); core's dev-dependency on itself turns it on,
//! so `cargo test -p webrtc-chat-core` runs these tests too instead of skipping them.

use std::collections::BTreeSet;
use std::panic::{catch_unwind, AssertUnwindSafe};

use chat_protocol::json::{Value, MAX_DEPTH};
use chat_protocol::{parse, MAX_FRAME_BYTES};
use chat_protocol::{DecodeError, IceCandidate, Message, SdpType, SessionDescription};
use serde_json::Value as Oracle;

// ---------------------------------------------------------------------------------------------
// Fixtures

/// Every fixture, by file name. `include_str!` makes a missing file a build error;
/// [`every_fixture_file_is_covered`] makes an unlisted new file a test failure.
const FIXTURES: &[(&str, &str)] = &[
    ("server-id.json", include_str!("fixtures/server-id.json")),
    (
        "server-rejectusername.json",
        include_str!("fixtures/server-rejectusername.json"),
    ),
    (
        "server-userlist.json",
        include_str!("fixtures/server-userlist.json"),
    ),
    (
        "server-message.json",
        include_str!("fixtures/server-message.json"),
    ),
    (
        "server-message-no-name.json",
        include_str!("fixtures/server-message-no-name.json"),
    ),
    (
        "server-hang-up-null-target.json",
        include_str!("fixtures/server-hang-up-null-target.json"),
    ),
    (
        "client-username.json",
        include_str!("fixtures/client-username.json"),
    ),
    (
        "client-message.json",
        include_str!("fixtures/client-message.json"),
    ),
    (
        "client-hang-up.json",
        include_str!("fixtures/client-hang-up.json"),
    ),
    (
        "chromium-video-offer.json",
        include_str!("fixtures/chromium-video-offer.json"),
    ),
    (
        "chromium-video-answer.json",
        include_str!("fixtures/chromium-video-answer.json"),
    ),
    (
        "chromium-new-ice-candidate-mid0-ipv4.json",
        include_str!("fixtures/chromium-new-ice-candidate-mid0-ipv4.json"),
    ),
    (
        "chromium-new-ice-candidate-mid0-ipv6.json",
        include_str!("fixtures/chromium-new-ice-candidate-mid0-ipv6.json"),
    ),
    (
        "chromium-new-ice-candidate-mid1-ipv4.json",
        include_str!("fixtures/chromium-new-ice-candidate-mid1-ipv4.json"),
    ),
    (
        "chromium-new-ice-candidate-mid1-ipv6.json",
        include_str!("fixtures/chromium-new-ice-candidate-mid1-ipv6.json"),
    ),
    (
        "chromium-new-ice-candidate-answerer.json",
        include_str!("fixtures/chromium-new-ice-candidate-answerer.json"),
    ),
    (
        "chromium-new-ice-candidate-end-of-candidates.json",
        include_str!("fixtures/chromium-new-ice-candidate-end-of-candidates.json"),
    ),
];

fn fixture(name: &str) -> &'static str {
    FIXTURES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, text)| *text)
        .unwrap_or_else(|| panic!("no fixture {name}"))
}

fn decode_fixture(name: &str) -> Message {
    Message::decode(fixture(name)).unwrap_or_else(|e| panic!("{name}: {e:?}"))
}

fn oracle(text: &str) -> Oracle {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

/// Decodes `text` without the frame-size check: for re-decoding our own (possibly longer)
/// encodings in the round-trip checks.
fn redecode(text: &str) -> Result<Message, DecodeError> {
    let v: Value = serde_json::from_str(text).map_err(|_| DecodeError::NotJson)?;
    Message::from_value(&v)
}

fn keys(v: &Oracle) -> BTreeSet<&str> {
    v.as_object()
        .unwrap_or_else(|| panic!("not an object: {v}"))
        .keys()
        .map(String::as_str)
        .collect()
}

fn set<'a>(items: &[&'a str]) -> BTreeSet<&'a str> {
    items.iter().copied().collect()
}

fn s(text: &str) -> String {
    text.to_owned()
}

// ---------------------------------------------------------------------------------------------
// Fixtures decode to the expected typed messages

#[test]
fn sample_server_and_client_fixtures_decode() {
    let table: Vec<(&str, Message)> = vec![
        (
            "server-id.json",
            Message::Id {
                id: 1_712_345_678_901,
            },
        ),
        (
            "server-rejectusername.json",
            Message::RejectUsername {
                id: Some(1_712_345_678_902),
                name: s("Alice1"),
            },
        ),
        (
            "server-userlist.json",
            Message::UserList {
                users: vec![Some(s("Alice")), None, Some(s("Alice1"))],
            },
        ),
        (
            "server-message.json",
            Message::Chat {
                id: Some(1_712_345_678_901),
                name: Some(s("Alice")),
                text: s("hello, Bob & all"),
                date: 1_712_345_700_123.0,
            },
        ),
        (
            "server-message-no-name.json",
            Message::Chat {
                id: Some(1_712_345_678_903),
                name: None,
                text: s("anyone here?"),
                date: 1_712_345_700_456.0,
            },
        ),
        (
            // The sample's bug 1: `target: null`, which its server broadcasts.
            "server-hang-up-null-target.json",
            Message::HangUp {
                name: Some(s("Alice")),
                target: None,
                call: None,
                reason: None,
            },
        ),
        (
            "client-username.json",
            Message::Username {
                id: 1_712_345_678_901,
                name: s("Alice"),
                date: 1_712_345_680_000.0,
            },
        ),
        (
            "client-message.json",
            Message::Chat {
                id: Some(1_712_345_678_901),
                name: None,
                text: s("hello, <b>Bob</b> & all"),
                date: 1_712_345_700_123.0,
            },
        ),
        (
            "client-hang-up.json",
            Message::HangUp {
                name: Some(s("Alice")),
                target: Some(s("Bob")),
                call: None,
                reason: None,
            },
        ),
    ];
    for (name, expected) in table {
        assert_eq!(decode_fixture(name), expected, "{name}");
    }
}

/// The SDP text inside a captured frame, read by serde_json (independent of our decoder).
fn captured_sdp(name: &str) -> String {
    oracle(fixture(name))["sdp"]["sdp"]
        .as_str()
        .unwrap_or_else(|| panic!("{name}: no sdp.sdp"))
        .to_owned()
}

/// What a Chromium audio+video description looks like, so a broken capture can't pass.
fn assert_real_av_sdp(sdp: &str, ufrag: &str) {
    assert!(sdp.starts_with("v=0\r\no=- "), "{sdp}");
    assert!(sdp.ends_with("\r\n"));
    assert_eq!(sdp.matches('\n').count(), sdp.matches("\r\n").count());
    assert_eq!(sdp.matches("\r\nm=audio ").count(), 1);
    assert_eq!(sdp.matches("\r\nm=video ").count(), 1);
    assert!(sdp.contains("\r\na=group:BUNDLE 0 1\r\n"));
    assert_eq!(
        sdp.matches(&format!("\r\na=ice-ufrag:{ufrag}\r\n")).count(),
        2
    );
    assert!(sdp.contains(" opus/48000/2\r\n") && sdp.contains(" VP8/90000\r\n"));
    // Sent right after setLocalDescription, as the tutorial does: candidates trickle separately.
    assert!(!sdp.contains("a=candidate:"));
}

#[test]
fn chromium_offer_fixture_decodes() {
    let name = "chromium-video-offer.json";
    let sdp = captured_sdp(name);
    assert_real_av_sdp(&sdp, "0mEE");
    assert!(sdp.contains("\r\na=setup:actpass\r\n"));
    assert_eq!(
        decode_fixture(name),
        Message::VideoOffer {
            name: s("Alice"),
            target: s("Bob"),
            sdp: SessionDescription {
                kind: SdpType::Offer,
                sdp
            },
            call: None,
        }
    );
}

#[test]
fn chromium_answer_fixture_decodes() {
    let name = "chromium-video-answer.json";
    let sdp = captured_sdp(name);
    assert_real_av_sdp(&sdp, "3Ph8");
    assert!(sdp.contains("\r\na=setup:active\r\n"));
    assert_eq!(
        decode_fixture(name),
        Message::VideoAnswer {
            name: s("Bob"),
            target: s("Alice"),
            sdp: SessionDescription {
                kind: SdpType::Answer,
                sdp
            },
            call: None,
        }
    );
}

#[test]
fn chromium_candidate_fixtures_decode() {
    let candidate =
        |target: &str, line: &str, mid: &str, index: u16, ufrag: &str| Message::NewIceCandidate {
            name: None,
            target: s(target),
            candidate: IceCandidate {
                candidate: s(line),
                sdp_mid: Some(s(mid)),
                sdp_m_line_index: Some(index),
                username_fragment: Some(s(ufrag)),
            },
            call: None,
        };
    let table = [
        (
            "chromium-new-ice-candidate-mid0-ipv4.json",
            candidate(
                "Bob",
                "candidate:3658764915 1 udp 2122194687 192.0.2.2 37131 typ host generation 0 ufrag 0mEE network-id 1",
                "0",
                0,
                "0mEE",
            ),
        ),
        (
            "chromium-new-ice-candidate-mid0-ipv6.json",
            candidate(
                "Bob",
                "candidate:3714465475 1 udp 2122265343 fd00::2 38147 typ host generation 0 ufrag 0mEE network-id 2",
                "0",
                0,
                "0mEE",
            ),
        ),
        (
            "chromium-new-ice-candidate-mid1-ipv4.json",
            candidate(
                "Bob",
                "candidate:3658764915 1 udp 2122194687 192.0.2.2 37237 typ host generation 0 ufrag 0mEE network-id 1",
                "1",
                1,
                "0mEE",
            ),
        ),
        (
            "chromium-new-ice-candidate-mid1-ipv6.json",
            candidate(
                "Bob",
                "candidate:3714465475 1 udp 2122265343 fd00::2 53472 typ host generation 0 ufrag 0mEE network-id 2",
                "1",
                1,
                "0mEE",
            ),
        ),
        (
            "chromium-new-ice-candidate-answerer.json",
            candidate(
                "Alice",
                "candidate:1400677911 1 udp 2122194687 192.0.2.2 42664 typ host generation 0 ufrag 3Ph8 network-id 1",
                "0",
                0,
                "3Ph8",
            ),
        ),
        (
            // Chromium writes the unset usernameFragment of a constructed candidate as "".
            "chromium-new-ice-candidate-end-of-candidates.json",
            candidate("Bob", "", "0", 0, ""),
        ),
    ];
    for (name, expected) in table {
        assert_eq!(decode_fixture(name), expected, "{name}");
    }
    // The captures belong together: each candidate's ufrag is its sender's SDP ice-ufrag.
    assert!(captured_sdp("chromium-video-offer.json").contains("a=ice-ufrag:0mEE\r\n"));
    assert!(captured_sdp("chromium-video-answer.json").contains("a=ice-ufrag:3Ph8\r\n"));
}

// ---------------------------------------------------------------------------------------------
// Encoding

#[test]
fn every_fixture_round_trips() {
    for (name, _) in FIXTURES {
        let msg = decode_fixture(name);
        let encoded = msg.to_json();
        assert_eq!(Message::decode(&encoded), Ok(msg), "{name}: {encoded}");
    }
}

/// Our encoding of each fixture is the same JSON document the browser or the sample server
/// wrote (key order aside): no field lost, renamed, retyped or added.
#[test]
fn encoding_reproduces_each_fixture_document() {
    for (name, text) in FIXTURES {
        let encoded = decode_fixture(name).to_json();
        assert_eq!(
            oracle(&encoded),
            oracle(text),
            "{name}\n ours: {encoded}\n real: {text}"
        );
    }
}

/// Numbers survive decode → encode → decode exactly (as `JSON.parse` reads them): dates, and
/// numbers inside frames passed on unchanged. Rust's `str::parse::<f64>` is the exact oracle.
#[test]
fn numbers_survive_re_encoding_exactly() {
    for number in [
        "1712345700123",
        "0.1",
        "-0.5",
        "1.5e-7",
        "5e-324",
        "1.7976931348623157e308",
        "1e21",
        "171234570e123",
        "9007199254740993",
        "123456789.123456789",
    ] {
        let exact: f64 = number.parse().unwrap();
        let chat = Message::decode(&format!(
            r#"{{"type":"message","text":"x","date":{number}}}"#
        ));
        assert_eq!(
            chat,
            Ok(Message::Chat {
                id: None,
                name: None,
                text: s("x"),
                date: exact
            }),
            "{number}"
        );
        let again = redecode(&chat.unwrap().to_json());
        assert!(
            matches!(again, Ok(Message::Chat { date, .. }) if date == exact),
            "{number}"
        );

        let unknown = Message::decode(&format!(r#"{{"type":"x","n":[{number}]}}"#)).unwrap();
        let again = redecode(&unknown.to_json()).unwrap();
        assert_eq!(again, unknown, "{number}");
        let Message::Unknown { raw, .. } = again else {
            panic!("{again:?}")
        };
        assert_eq!(
            raw.get("n"),
            Some(&Value::Array(vec![Value::Number(exact)])),
            "{number}"
        );
    }
}

#[test]
fn encoded_call_messages_use_the_sample_field_names() {
    let sdp = SessionDescription {
        kind: SdpType::Offer,
        sdp: s("v=0\r\n"),
    };
    let candidate = IceCandidate {
        candidate: s("candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host"),
        sdp_mid: Some(s("0")),
        sdp_m_line_index: Some(0),
        username_fragment: Some(s("abcd")),
    };
    let offer = Message::VideoOffer {
        name: s("A"),
        target: s("B"),
        sdp: sdp.clone(),
        call: None,
    };
    let answer = Message::VideoAnswer {
        name: s("B"),
        target: s("A"),
        sdp: SessionDescription {
            kind: SdpType::Answer,
            sdp: s("v=0\r\n"),
        },
        call: None,
    };
    let ice = Message::NewIceCandidate {
        name: None,
        target: s("B"),
        candidate: candidate.clone(),
        call: None,
    };
    let hang_up = Message::HangUp {
        name: Some(s("A")),
        target: Some(s("B")),
        call: None,
        reason: None,
    };

    for (msg, kind, sdp_type) in [
        (&offer, "video-offer", "offer"),
        (&answer, "video-answer", "answer"),
    ] {
        let v = oracle(&msg.to_json());
        assert_eq!(keys(&v), set(&["type", "name", "target", "sdp"]), "{v}");
        assert_eq!(v["type"], kind);
        assert_eq!(keys(&v["sdp"]), set(&["type", "sdp"]), "{v}");
        assert_eq!(v["sdp"]["type"], sdp_type);
        assert_eq!(v["sdp"]["sdp"], "v=0\r\n");
    }
    assert_eq!(oracle(&offer.to_json())["name"], "A");
    assert_eq!(oracle(&offer.to_json())["target"], "B");

    // The sample's client sends no `name` with a candidate.
    let v = oracle(&ice.to_json());
    assert_eq!(keys(&v), set(&["type", "target", "candidate"]), "{v}");
    assert_eq!(v["type"], "new-ice-candidate");
    assert_eq!(v["target"], "B");
    assert_eq!(
        keys(&v["candidate"]),
        set(&["candidate", "sdpMid", "sdpMLineIndex", "usernameFragment"]),
        "{v}"
    );
    assert_eq!(v["candidate"]["candidate"], candidate.candidate.as_str());
    assert_eq!(v["candidate"]["sdpMid"], "0");
    assert_eq!(v["candidate"]["sdpMLineIndex"], 0);
    assert_eq!(v["candidate"]["usernameFragment"], "abcd");

    // Unset members are written as null, as RTCIceCandidate.toJSON() does.
    let bare = IceCandidate {
        candidate: s("c"),
        sdp_m_line_index: Some(1),
        ..Default::default()
    };
    let v = oracle(
        &Message::NewIceCandidate {
            name: None,
            target: s("B"),
            candidate: bare,
            call: None,
        }
        .to_json(),
    );
    assert_eq!(v["candidate"]["sdpMid"], Oracle::Null);
    assert_eq!(v["candidate"]["usernameFragment"], Oracle::Null);
    assert_eq!(v["candidate"]["sdpMLineIndex"], 1);

    let v = oracle(&hang_up.to_json());
    assert_eq!(keys(&v), set(&["type", "name", "target"]), "{v}");
    assert_eq!(v["type"], "hang-up");
    assert_eq!(v["target"], "B");

    // Our extensions are extra members only, present only when set.
    let with_call = Message::VideoOffer {
        name: s("A"),
        target: s("B"),
        sdp,
        call: Some(s("k1")),
    };
    let v = oracle(&with_call.to_json());
    assert_eq!(
        keys(&v),
        set(&["type", "name", "target", "sdp", "call"]),
        "{v}"
    );
    assert_eq!(v["call"], "k1");
    let named_ice = Message::NewIceCandidate {
        name: Some(s("A")),
        target: s("B"),
        candidate,
        call: Some(s("k1")),
    };
    assert_eq!(
        keys(&oracle(&named_ice.to_json())),
        set(&["type", "name", "target", "candidate", "call"])
    );
    let reasoned = Message::HangUp {
        name: Some(s("A")),
        target: None,
        call: Some(s("k1")),
        reason: Some(s("busy")),
    };
    let v = oracle(&reasoned.to_json());
    assert_eq!(
        keys(&v),
        set(&["type", "name", "target", "call", "reason"]),
        "{v}"
    );
    assert_eq!(v["target"], Oracle::Null);
}

// ---------------------------------------------------------------------------------------------
// Tolerance

#[test]
fn unknown_types_keep_the_raw_frame() {
    for text in [
        r#"{"type":"video-invite","callee":"Bob","callID":"Alice","nested":{"a":[1,null,true]}}"#,
        r#"{"type":"","x":1}"#,
        r#"{"type":"Video-Offer","name":"A","target":"B"}"#,
    ] {
        let msg = Message::decode(text).unwrap();
        let raw: Value = serde_json::from_str(text).unwrap();
        let kind = oracle(text)["type"].as_str().unwrap().to_owned();
        assert_eq!(
            msg,
            Message::Unknown {
                kind: kind.clone(),
                raw
            },
            "{text}"
        );
        assert_eq!(msg.kind(), kind);
        // Passed on unchanged.
        assert_eq!(oracle(&msg.to_json()), oracle(text));
    }
}

#[test]
fn extra_fields_are_ignored() {
    let msg = Message::decode(
        r#"{"type":"video-answer","name":"Bob","target":"Alice","sdp":{"type":"answer","sdp":"v=0\r\n","extra":1},"hops":3,"via":{"x":[]}}"#,
    )
    .unwrap();
    assert_eq!(
        msg,
        Message::VideoAnswer {
            name: s("Bob"),
            target: s("Alice"),
            sdp: SessionDescription {
                kind: SdpType::Answer,
                sdp: s("v=0\r\n")
            },
            call: None,
        }
    );
    let msg =
        Message::decode(r#"{"type":"id","id":7,"name":"ignored","users":"ignored"}"#).unwrap();
    assert_eq!(msg, Message::Id { id: 7 });
}

#[test]
fn null_and_odd_users_are_kept_as_unnamed() {
    let msg =
        Message::decode(r#"{"type":"userlist","users":[null,"Bob",null,42,true,{},[]]}"#).unwrap();
    assert_eq!(
        msg,
        Message::UserList {
            users: vec![None, Some(s("Bob")), None, Some(s("42")), None, None, None]
        }
    );
    let msg = Message::decode(r#"{"type":"userlist","users":[]}"#).unwrap();
    assert_eq!(msg, Message::UserList { users: vec![] });
}

#[test]
fn numbers_where_strings_were_expected_read_as_text() {
    let msg =
        Message::decode(r#"{"type":"message","name":42,"text":3.5,"id":1,"date":2}"#).unwrap();
    assert_eq!(
        msg,
        Message::Chat {
            id: Some(1),
            name: Some(s("42")),
            text: s("3.5"),
            date: 2.0
        }
    );
    let msg = Message::decode(
        r#"{"type":"video-offer","name":42,"target":-7,"sdp":{"type":"offer","sdp":"v=0"}}"#,
    )
    .unwrap();
    assert_eq!(
        msg,
        Message::VideoOffer {
            name: s("42"),
            target: s("-7"),
            sdp: SessionDescription {
                kind: SdpType::Offer,
                sdp: s("v=0")
            },
            call: None,
        }
    );
    let msg = Message::decode(
        r#"{"type":"new-ice-candidate","target":1,"candidate":{"candidate":"c","sdpMid":0,"sdpMLineIndex":null}}"#,
    )
    .unwrap();
    assert_eq!(
        msg,
        Message::NewIceCandidate {
            name: None,
            target: s("1"),
            candidate: IceCandidate {
                candidate: s("c"),
                sdp_mid: Some(s("0")),
                sdp_m_line_index: None,
                username_fragment: None,
            },
            call: None,
        }
    );
    let msg = Message::decode(r#"{"type":"rejectusername","name":12}"#).unwrap();
    assert_eq!(
        msg,
        Message::RejectUsername {
            id: None,
            name: s("12")
        }
    );
}

/// Numbers read as names, as JavaScript's `String(n)` writes them: `number-names.json` pairs the
/// number as a frame carries it with what `String(JSON.parse(text))` gave in Node (V8). The
/// page checks the same table against its browser (tests/json.rs) and the relay against its
/// routing (relay/src/room/tests.rs).
#[test]
fn numbers_read_as_names_are_javascripts_string_of_them() {
    let table: Vec<(String, String)> =
        serde_json::from_str(include_str!("number-names.json")).unwrap();
    assert!(table.len() >= 5);
    for (wire, js) in &table {
        let frame = format!(r#"{{"type":"hang-up","name":{wire},"target":{wire}}}"#);
        match Message::decode(&frame) {
            Ok(Message::HangUp { name, target, .. }) => {
                assert_eq!(name.as_deref(), Some(js.as_str()), "name {wire}");
                assert_eq!(target.as_deref(), Some(js.as_str()), "target {wire}");
            }
            other => panic!("{wire}: {other:?}"),
        }
        let n: f64 = wire.parse().unwrap();
        assert_eq!(chat_protocol::number_to_string(n), *js, "{wire}");
    }
    assert_eq!(chat_protocol::number_to_string(f64::NAN), "NaN");
    assert_eq!(
        chat_protocol::number_to_string(f64::NEG_INFINITY),
        "-Infinity"
    );
}

/// `JSON.parse` keeps the last of duplicate members; a frame must mean the same to us as to a
/// browser (a relay that read the first `type` could be made to route what a client ignores).
#[test]
fn duplicate_members_last_one_wins() {
    assert_eq!(
        Message::decode(r#"{"type":"hang-up","name":"A","type":"message","text":"x"}"#),
        Ok(Message::Chat {
            id: None,
            name: Some(s("A")),
            text: s("x"),
            date: 0.0
        })
    );
    assert_eq!(
        Message::decode(r#"{"type":"id","id":1,"id":2}"#),
        Ok(Message::Id { id: 2 })
    );
    assert_eq!(
        Message::decode(r#"{"type":"id","id":1,"id":null}"#),
        Err(DecodeError::MissingField {
            kind: "id",
            field: "id"
        })
    );
}

#[test]
fn ids_may_be_numeric_strings() {
    assert_eq!(
        Message::decode(r#"{"type":"id","id":"1712345678901"}"#),
        Ok(Message::Id {
            id: 1_712_345_678_901
        })
    );
    assert_eq!(
        Message::decode(r#"{"type":"message","id":" 5 ","text":"x"}"#),
        Ok(Message::Chat {
            id: Some(5),
            name: None,
            text: s("x"),
            date: 0.0
        })
    );
    // The largest id a JS client holds exactly (Number.MAX_SAFE_INTEGER), either way.
    for text in [
        r#"{"type":"id","id":9007199254740991}"#,
        r#"{"type":"id","id":"9007199254740991"}"#,
    ] {
        let msg = Message::decode(text);
        assert_eq!(
            msg,
            Ok(Message::Id {
                id: 9_007_199_254_740_991
            }),
            "{text}"
        );
        assert_eq!(
            msg.unwrap().to_json(),
            r#"{"type":"id","id":9007199254740991}"#
        );
    }
    // What a sample client sends if it logs in before `id` arrived: `clientID` is still 0.
    assert_eq!(
        Message::decode(r#"{"name":"A","date":1,"id":0,"type":"username"}"#),
        Ok(Message::Username {
            id: 0,
            name: s("A"),
            date: 1.0
        })
    );
}

#[test]
fn missing_or_odd_dates_read_as_zero() {
    for date in [
        "",
        r#","date":null"#,
        r#","date":"yesterday""#,
        r#","date":[1]"#,
    ] {
        let text = format!(r#"{{"type":"message","id":1,"text":"hi"{date}}}"#);
        assert_eq!(
            Message::decode(&text),
            Ok(Message::Chat {
                id: Some(1),
                name: None,
                text: s("hi"),
                date: 0.0
            }),
            "{text}"
        );
        let text = format!(r#"{{"type":"username","id":1,"name":"A"{date}}}"#);
        assert_eq!(
            Message::decode(&text),
            Ok(Message::Username {
                id: 1,
                name: s("A"),
                date: 0.0
            }),
            "{text}"
        );
    }
}

#[test]
fn empty_or_absent_hang_up_target_means_none() {
    for target in ["", r#","target":null"#, r#","target":"""#] {
        let text = format!(r#"{{"type":"hang-up","name":"A"{target}}}"#);
        assert_eq!(
            Message::decode(&text),
            Ok(Message::HangUp {
                name: Some(s("A")),
                target: None,
                call: None,
                reason: None
            }),
            "{text}"
        );
    }
}

#[test]
fn end_of_candidates_needs_no_mid_or_index() {
    // `{"candidate":""}` is end-of-candidates (RTCPeerConnection.addIceCandidate, step 4 of
    // https://w3c.github.io/webrtc-pc/#dom-peerconnection-addicecandidate).
    let msg = Message::decode(
        r#"{"type":"new-ice-candidate","target":"B","candidate":{"candidate":""}}"#,
    );
    assert_eq!(
        msg,
        Ok(Message::NewIceCandidate {
            name: None,
            target: s("B"),
            candidate: IceCandidate::default(),
            call: None,
        })
    );
}

// ---------------------------------------------------------------------------------------------
// Malformed input

#[test]
fn malformed_frames_give_the_expected_error() {
    use DecodeError::*;
    let missing = |kind, field| MissingField { kind, field };
    let wrong = |kind, field| WrongType { kind, field };
    let offer = |sdp: &str| format!(r#"{{"type":"video-offer","name":"A","target":"B"{sdp}}}"#);
    let ice = |cand: &str| format!(r#"{{"type":"new-ice-candidate","target":"B"{cand}}}"#);

    let table: Vec<(String, DecodeError)> = vec![
        // Not JSON.
        (s(""), NotJson),
        (s("hello"), NotJson),
        (s("{"), NotJson),
        (s(r#"{"type":"id","id":1}}"#), NotJson),
        (s(r#"{"type":"id",}"#), NotJson),
        (s(r#"{'type':'id'}"#), NotJson),
        (s("\u{feff}{\"type\":\"id\",\"id\":1}"), NotJson),
        (s(r#"{"type":"id","id":NaN}"#), NotJson),
        // Not an object.
        (s("[]"), NotAnObject),
        (s(r#"[{"type":"id","id":1}]"#), NotAnObject),
        (s("42"), NotAnObject),
        (s(r#""video-offer""#), NotAnObject),
        (s("null"), NotAnObject),
        (s("true"), NotAnObject),
        // No usable type.
        (s("{}"), MissingType),
        (s(r#"{"id":1}"#), MissingType),
        (s(r#"{"type":null}"#), MissingType),
        (s(r#"{"type":42,"id":1}"#), MissingType),
        (s(r#"{"type":["id"],"id":1}"#), MissingType),
        (s(r#"{"type":{"type":"id"},"id":1}"#), MissingType),
        // Offers and answers.
        (offer(""), missing("video-offer", "sdp")),
        (offer(r#","sdp":null"#), missing("video-offer", "sdp")),
        (offer(r#","sdp":"v=0\r\n""#), wrong("video-offer", "sdp")),
        (
            offer(r#","sdp":{"sdp":"v=0"}"#),
            wrong("video-offer", "sdp"),
        ),
        (
            offer(r#","sdp":{"type":"bogus","sdp":"v=0"}"#),
            wrong("video-offer", "sdp"),
        ),
        (
            offer(r#","sdp":{"type":"offer","sdp":5}"#),
            wrong("video-offer", "sdp"),
        ),
        (
            offer(r#","sdp":["offer","v=0"]"#),
            wrong("video-offer", "sdp"),
        ),
        (
            s(r#"{"type":"video-answer","target":"A","sdp":{"type":"answer","sdp":""}}"#),
            missing("video-answer", "name"),
        ),
        (
            s(r#"{"type":"video-answer","name":"B","sdp":{"type":"answer","sdp":""}}"#),
            missing("video-answer", "target"),
        ),
        (
            s(r#"{"type":"video-offer","name":{},"target":"B","sdp":{"type":"offer","sdp":""}}"#),
            wrong("video-offer", "name"),
        ),
        (
            s(r#"{"type":"video-offer","name":"A","target":true,"sdp":{"type":"offer","sdp":""}}"#),
            wrong("video-offer", "target"),
        ),
        // Candidates.
        (ice(""), missing("new-ice-candidate", "candidate")),
        (
            ice(r#","candidate":null"#),
            missing("new-ice-candidate", "candidate"),
        ),
        (
            ice(r#","candidate":"candidate:1 1 udp 1 1.2.3.4 5 typ host""#),
            wrong("new-ice-candidate", "candidate"),
        ),
        (
            ice(r#","candidate":{"candidate":"candidate:1 1 udp 1 1.2.3.4 5 typ host"}"#),
            wrong("new-ice-candidate", "candidate"),
        ),
        (
            ice(r#","candidate":{"candidate":"candidate:1","sdpMid":null,"sdpMLineIndex":null}"#),
            wrong("new-ice-candidate", "candidate"),
        ),
        (
            ice(r#","candidate":{"candidate":"candidate:1","sdpMLineIndex":-1}"#),
            wrong("new-ice-candidate", "candidate"),
        ),
        (
            ice(r#","candidate":{"candidate":"candidate:1","sdpMLineIndex":0.5}"#),
            wrong("new-ice-candidate", "candidate"),
        ),
        (
            ice(r#","candidate":{"candidate":"candidate:1","sdpMLineIndex":65536}"#),
            wrong("new-ice-candidate", "candidate"),
        ),
        (
            ice(r#","candidate":{"candidate":"candidate:1","sdpMLineIndex":"0"}"#),
            wrong("new-ice-candidate", "candidate"),
        ),
        (
            ice(r#","candidate":{"candidate":["candidate:1"],"sdpMid":"0"}"#),
            wrong("new-ice-candidate", "candidate"),
        ),
        (
            s(r#"{"type":"new-ice-candidate","candidate":{"candidate":"","sdpMid":"0"}}"#),
            missing("new-ice-candidate", "target"),
        ),
        // Ids.
        (s(r#"{"type":"id"}"#), missing("id", "id")),
        (s(r#"{"type":"id","id":null}"#), missing("id", "id")),
        (s(r#"{"type":"id","id":-1}"#), wrong("id", "id")),
        (s(r#"{"type":"id","id":1.5}"#), wrong("id", "id")),
        (s(r#"{"type":"id","id":"-1"}"#), wrong("id", "id")),
        (s(r#"{"type":"id","id":"1.5"}"#), wrong("id", "id")),
        (s(r#"{"type":"id","id":"abc"}"#), wrong("id", "id")),
        (s(r#"{"type":"id","id":""}"#), wrong("id", "id")),
        (s(r#"{"type":"id","id":true}"#), wrong("id", "id")),
        (s(r#"{"type":"id","id":1e300}"#), wrong("id", "id")),
        // Beyond Number.MAX_SAFE_INTEGER a JS client cannot hold the id exactly.
        (
            s(r#"{"type":"id","id":9007199254740992}"#),
            wrong("id", "id"),
        ),
        (
            s(r#"{"type":"id","id":"9007199254740993"}"#),
            wrong("id", "id"),
        ),
        (
            s(r#"{"type":"id","id":"18446744073709551615"}"#),
            wrong("id", "id"),
        ),
        (
            s(r#"{"type":"id","id":"18446744073709551616"}"#),
            wrong("id", "id"),
        ),
        (
            s(r#"{"type":"message","id":-3,"text":"x"}"#),
            wrong("message", "id"),
        ),
        (
            s(r#"{"type":"username","id":0.25,"name":"A"}"#),
            wrong("username", "id"),
        ),
        (
            s(r#"{"type":"rejectusername","id":[1],"name":"A"}"#),
            wrong("rejectusername", "id"),
        ),
        // Names and text.
        (
            s(r#"{"type":"username","id":1}"#),
            missing("username", "name"),
        ),
        (
            s(r#"{"type":"username","id":1,"name":null}"#),
            missing("username", "name"),
        ),
        (
            s(r#"{"type":"username","id":1,"name":["A"]}"#),
            wrong("username", "name"),
        ),
        (
            s(r#"{"type":"rejectusername","id":1}"#),
            missing("rejectusername", "name"),
        ),
        (
            s(r#"{"type":"message","id":1}"#),
            missing("message", "text"),
        ),
        (
            s(r#"{"type":"message","id":1,"text":{"html":"<b>"}}"#),
            wrong("message", "text"),
        ),
        (
            s(r#"{"type":"message","id":1,"text":"x","name":false}"#),
            wrong("message", "name"),
        ),
        (
            s(r#"{"type":"hang-up","name":"A","target":["B"]}"#),
            wrong("hang-up", "target"),
        ),
        // User lists.
        (s(r#"{"type":"userlist"}"#), missing("userlist", "users")),
        (
            s(r#"{"type":"userlist","users":"Alice"}"#),
            wrong("userlist", "users"),
        ),
        (
            s(r#"{"type":"userlist","users":{"0":"Alice"}}"#),
            wrong("userlist", "users"),
        ),
        (
            s(r#"{"type":"userlist","users":null}"#),
            wrong("userlist", "users"),
        ),
    ];
    for (text, expected) in &table {
        assert_eq!(Message::decode(text).as_ref(), Err(expected), "{text}");
    }
}

/// A frame of exactly `len` bytes: a valid chat message padded with text.
fn chat_frame_of_len(len: usize) -> String {
    let head = r#"{"type":"message","id":1,"text":""#;
    let tail = r#""}"#;
    let frame = format!("{head}{}{tail}", "x".repeat(len - head.len() - tail.len()));
    assert_eq!(frame.len(), len);
    frame
}

#[test]
fn frames_over_the_size_limit_are_refused_before_parsing() {
    let at_limit = chat_frame_of_len(MAX_FRAME_BYTES);
    assert!(matches!(
        Message::decode(&at_limit),
        Ok(Message::Chat { .. })
    ));

    let over = chat_frame_of_len(MAX_FRAME_BYTES + 1);
    assert_eq!(
        Message::decode(&over),
        Err(DecodeError::TooLarge {
            bytes: MAX_FRAME_BYTES + 1
        })
    );
    // Refused by size even when it is not JSON at all (not parsed).
    let junk = "[".repeat(10 * MAX_FRAME_BYTES);
    assert_eq!(
        parse(&junk),
        Err(DecodeError::TooLarge {
            bytes: 10 * MAX_FRAME_BYTES
        })
    );
    // Bytes, not characters: 'é' is two bytes in UTF-8.
    let wide = format!(
        r#"{{"type":"message","text":"{}"}}"#,
        "é".repeat(MAX_FRAME_BYTES / 2)
    );
    assert!(wide.chars().count() < MAX_FRAME_BYTES);
    assert_eq!(
        Message::decode(&wide),
        Err(DecodeError::TooLarge { bytes: wide.len() })
    );
}

#[test]
fn too_deep_nesting_is_refused() {
    // The frame object itself is one level; `extra` adds `n` more.
    let nested = |n: usize| {
        format!(
            r#"{{"type":"message","id":1,"text":"x","extra":{}{}}}"#,
            "[".repeat(n),
            "]".repeat(n)
        )
    };
    assert!(matches!(
        Message::decode(&nested(MAX_DEPTH - 1)),
        Ok(Message::Chat { .. })
    ));
    assert_eq!(
        Message::decode(&nested(MAX_DEPTH)),
        Err(DecodeError::NotJson)
    );
    // Far beyond serde_json's own recursion limit (128) and any stack: still an error.
    let deep = "[".repeat(MAX_FRAME_BYTES / 2) + &"]".repeat(MAX_FRAME_BYTES / 2);
    assert_eq!(Message::decode(&deep), Err(DecodeError::NotJson));
    let deep_objects = r#"{"a":"#.repeat(10_000) + "1" + &"}".repeat(10_000);
    assert_eq!(Message::decode(&deep_objects), Err(DecodeError::NotJson));
    // Unknown types are kept whole, so the limit must hold for them too.
    let unknown = format!(
        r#"{{"type":"x","p":{}{}}}"#,
        "{\"a\":".repeat(100),
        "}".repeat(100)
    );
    assert_eq!(Message::decode(&unknown), Err(DecodeError::NotJson));
}

// ---------------------------------------------------------------------------------------------
// Mutated frames

/// splitmix64: small, deterministic, good enough to pick mutations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Values that probe the decoder's edges, put in place of any member.
fn interesting(rng: &mut Rng) -> Oracle {
    use serde_json::json;
    match rng.below(24) {
        0 => Oracle::Null,
        1 => json!(true),
        2 => json!(-1),
        3 => json!(0.5),
        4 => json!(1e308),
        5 => json!(-0.0),
        6 => json!(""),
        7 => json!("x".repeat(rng.below(2 * MAX_FRAME_BYTES))),
        8 => json!("9".repeat(1 + rng.below(40))),
        9 => json!("18446744073709551615"),
        10 => json!(9_007_199_254_740_993u64),
        11 => json!(u64::MAX),
        12 => json!([]),
        13 => json!({}),
        14 => json!([null, "A", 42]),
        15 => json!({"type": "offer", "sdp": "v=0\r\n"}),
        16 => json!({"candidate": "", "sdpMid": null, "sdpMLineIndex": null}),
        17 => {
            json!({"candidate": "candidate:1 1 udp 1 127.0.0.1 9 typ host", "sdpMLineIndex": 65535})
        }
        18 => json!("rollback"),
        19 => {
            let mut v = json!(1);
            for _ in 0..rng.below(3 * MAX_DEPTH) {
                v = json!([v]);
            }
            v
        }
        20 => json!(*rng.pick(&[
            "id",
            "username",
            "rejectusername",
            "userlist",
            "message",
            "video-offer",
            "video-answer",
            "new-ice-candidate",
            "hang-up",
            "error",
            "video-invite",
        ])),
        21 => json!("\u{0}\u{1f}\"\\\u{2028}é😀"),
        22 => json!(-1712345678901i64),
        _ => json!(1.5e-7),
    }
}

/// Every node of a document, as a path of object keys / array indices.
fn paths(v: &Oracle, at: &mut Vec<PathStep>, out: &mut Vec<Vec<PathStep>>) {
    out.push(at.clone());
    match v {
        Oracle::Object(m) => {
            for (k, child) in m {
                at.push(PathStep::Key(k.clone()));
                paths(child, at, out);
                at.pop();
            }
        }
        Oracle::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                at.push(PathStep::Index(i));
                paths(child, at, out);
                at.pop();
            }
        }
        _ => {}
    }
}

#[derive(Clone)]
enum PathStep {
    Key(String),
    Index(usize),
}

fn node_mut<'a>(mut v: &'a mut Oracle, path: &[PathStep]) -> &'a mut Oracle {
    for step in path {
        v = match step {
            PathStep::Key(k) => &mut v[k.as_str()],
            PathStep::Index(i) => &mut v[*i],
        };
    }
    v
}

/// One mutation of a fixture: byte-level damage or a structural change of the document.
fn mutate(rng: &mut Rng, text: &str, other: &str) -> String {
    let bytes = text.as_bytes();
    match rng.below(9) {
        // Truncation (also mid-UTF-8 sequence; the lossy conversion keeps it a str).
        0 => String::from_utf8_lossy(&bytes[..rng.below(bytes.len() + 1)]).into_owned(),
        // Byte flips.
        1 => {
            let mut b = bytes.to_vec();
            for _ in 0..1 + rng.below(4) {
                let i = rng.below(b.len());
                b[i] ^= 1 << rng.below(8);
            }
            String::from_utf8_lossy(&b).into_owned()
        }
        // Replace one byte with JSON punctuation.
        2 => {
            let mut b = bytes.to_vec();
            let i = rng.below(b.len());
            b[i] = *rng.pick(b"{}[]\",:0-.\\ en");
            String::from_utf8_lossy(&b).into_owned()
        }
        // Splice the head of one frame onto the tail of another.
        3 => {
            let cut_a = rng.below(bytes.len() + 1);
            let cut_b = rng.below(other.len() + 1);
            let mut b = bytes[..cut_a].to_vec();
            b.extend_from_slice(&other.as_bytes()[cut_b..]);
            String::from_utf8_lossy(&b).into_owned()
        }
        // Structural: swap two nodes, replace one, drop one member, or retype the frame.
        _ => {
            let mut doc = oracle(text);
            for _ in 0..1 + rng.below(3) {
                let mut all = Vec::new();
                paths(&doc, &mut Vec::new(), &mut all);
                match rng.below(4) {
                    0 => {
                        let a = rng.pick(&all).clone();
                        let b = rng.pick(&all).clone();
                        let va = node_mut(&mut doc, &a).clone();
                        let vb = node_mut(&mut doc, &b).clone();
                        // One may contain the other: swapping clones keeps it well defined.
                        *node_mut(&mut doc, &a) = vb;
                        let mut again = Vec::new();
                        paths(&doc, &mut Vec::new(), &mut again);
                        if again.iter().any(|p| same_path(p, &b)) {
                            *node_mut(&mut doc, &b) = va;
                        }
                    }
                    1 => {
                        let p = rng.pick(&all).clone();
                        *node_mut(&mut doc, &p) = interesting(rng);
                    }
                    2 => {
                        let p = rng.pick(&all).clone();
                        if let Some((PathStep::Key(k), parent)) = p.split_last() {
                            if let Some(m) = node_mut(&mut doc, parent).as_object_mut() {
                                m.remove(k);
                            }
                        }
                    }
                    _ => {
                        if let Some(m) = doc.as_object_mut() {
                            m.insert(s("type"), interesting_type(rng));
                        }
                    }
                }
            }
            // Sometimes as text with a duplicated member, which JSON.parse resolves to the last.
            let out = doc.to_string();
            if rng.below(4) == 0 && out.starts_with('{') && out.len() > 2 {
                format!(r#"{{"type":"hang-up",{}"#, &out[1..])
            } else {
                out
            }
        }
    }
}

fn interesting_type(rng: &mut Rng) -> Oracle {
    Oracle::from(*rng.pick(&[
        "id",
        "username",
        "rejectusername",
        "userlist",
        "message",
        "video-offer",
        "video-answer",
        "new-ice-candidate",
        "hang-up",
        "error",
        "video-invite",
    ]))
}

fn same_path(a: &[PathStep], b: &[PathStep]) -> bool {
    a.len() == b.len()
        && a.iter().zip(b).all(|(x, y)| match (x, y) {
            (PathStep::Key(x), PathStep::Key(y)) => x == y,
            (PathStep::Index(x), PathStep::Index(y)) => x == y,
            _ => false,
        })
}

/// Thousands of damaged frames: `decode` never panics, what it accepts re-encodes to the same
/// message, and what it calls `NotJson` really is not (acceptable) JSON.
#[test]
fn mutated_frames_never_panic_and_accepted_ones_round_trip() {
    const ROUNDS: usize = 10_000;
    let mut rng = Rng(0x5eed_f00d_c4a7);
    let mut ok = 0;
    let mut errors = std::collections::BTreeMap::<&str, usize>::new();
    for round in 0..ROUNDS {
        let (_, text) = rng.pick(FIXTURES);
        let (_, other) = rng.pick(FIXTURES);
        let mut frame = mutate(&mut rng, text, other);
        // Sometimes damage the damage.
        while rng.below(4) == 0 && !frame.is_empty() && oracle_ok(&frame) {
            frame = mutate(&mut rng, &frame.clone(), other);
        }
        let result = catch_unwind(AssertUnwindSafe(|| Message::decode(&frame)))
            .unwrap_or_else(|_| panic!("round {round}: decode panicked on {frame:?}"));
        match &result {
            Ok(msg) => {
                ok += 1;
                // Same meaning as for JSON.parse (serde_json also keeps the last duplicate).
                assert_eq!(
                    oracle(&frame)["type"].as_str(),
                    Some(msg.kind()),
                    "round {round}: {frame}"
                );
                let encoded = msg.to_json();
                assert_eq!(
                    redecode(&encoded).as_ref(),
                    Ok(msg),
                    "round {round}: {frame}\n-> {encoded}"
                );
            }
            Err(e) => {
                let class = match e {
                    DecodeError::TooLarge { bytes } => {
                        assert_eq!(*bytes, frame.len());
                        assert!(frame.len() > MAX_FRAME_BYTES);
                        "too large"
                    }
                    DecodeError::NotJson => {
                        assert!(
                            !oracle_ok(&frame) || text_depth(&frame) > MAX_DEPTH,
                            "round {round}: valid JSON refused: {frame}"
                        );
                        "not json"
                    }
                    DecodeError::NotAnObject => "not an object",
                    DecodeError::MissingType => "missing type",
                    DecodeError::MissingField { .. } => "missing field",
                    DecodeError::WrongType { .. } => "wrong type",
                };
                *errors.entry(class).or_default() += 1;
            }
        }
        if frame.len() <= MAX_FRAME_BYTES && oracle_ok(&frame) && text_depth(&frame) <= MAX_DEPTH {
            assert!(
                !matches!(
                    result,
                    Err(DecodeError::NotJson | DecodeError::TooLarge { .. })
                ),
                "round {round}: {frame}"
            );
        }
    }
    // The mutator must reach every outcome, or this test proves little.
    println!("accepted {ok}, refused {errors:?}");
    assert!(ok > ROUNDS / 10, "accepted only {ok}");
    for class in [
        "too large",
        "not json",
        "not an object",
        "missing type",
        "missing field",
        "wrong type",
    ] {
        assert!(
            errors.get(class).copied().unwrap_or(0) > 10,
            "{class}: {errors:?}"
        );
    }
}

fn oracle_ok(text: &str) -> bool {
    serde_json::from_str::<Oracle>(text).is_ok()
}

/// Deepest nesting in a JSON text, as `chat_protocol::json` counts it (each array or object is one
/// level), read from the text: a parsed document may have dropped a deep duplicate member.
fn text_depth(text: &str) -> usize {
    let (mut depth, mut max, mut in_string, mut escaped) = (0usize, 0, false, false);
    for c in text.chars() {
        if in_string {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '[' | '{' => {
                depth += 1;
                max = max.max(depth);
            }
            ']' | '}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    max
}

#[test]
fn every_fixture_file_is_covered() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");
    let mut on_disk: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".json"))
        .collect();
    on_disk.sort();
    let mut listed: Vec<String> = FIXTURES.iter().map(|(n, _)| s(n)).collect();
    listed.sort();
    assert_eq!(on_disk, listed);
}
