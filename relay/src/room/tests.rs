//! Scenarios over [`Room`]: every routing path, without sockets.
//! Test code only: `room.rs` declares this module under `#[cfg(test)]`.

use super::*;

const T0: ConnId = 1_700_000_000_000;

/// What one effect list delivers, one entry per recipient, frames parsed.
fn delivered(effects: &[Effect]) -> Vec<(ConnId, Value)> {
    let mut out = Vec::new();
    for effect in effects {
        if let Effect::Send { to, frame } = effect {
            let value = protocol::parse(frame).expect("the relay writes valid JSON");
            out.extend(to.iter().map(|&id| (id, value.clone())));
        }
    }
    out
}

fn to(effects: &[Effect], conn: ConnId) -> Vec<Value> {
    delivered(effects)
        .into_iter()
        .filter(|(id, _)| *id == conn)
        .map(|(_, v)| v)
        .collect()
}

fn recipients(effects: &[Effect]) -> Vec<ConnId> {
    delivered(effects).into_iter().map(|(id, _)| id).collect()
}

fn kind(v: &Value) -> &str {
    v.get("type").and_then(Value::as_str).unwrap_or("<none>")
}

fn str_of<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

fn one_error(effects: &[Effect], conn: ConnId) -> String {
    let all = delivered(effects);
    assert_eq!(all.len(), 1, "expected one error reply, got {all:?}");
    assert_eq!(all[0].0, conn);
    assert_eq!(kind(&all[0].1), "error");
    str_of(&all[0].1, "text").unwrap_or_default().to_owned()
}

struct Fixture {
    room: Room,
    now: u64,
}

impl Fixture {
    fn new() -> Fixture {
        Fixture::with(Limits::default())
    }

    fn with(limits: Limits) -> Fixture {
        Fixture {
            room: Room::new(T0, limits),
            now: 0,
        }
    }

    fn connect(&mut self) -> ConnId {
        self.room.connect(self.now).0
    }

    fn send(&mut self, conn: ConnId, text: &str) -> Vec<Effect> {
        self.room.receive_text(conn, text, self.now)
    }

    /// Connects and logs in; returns the id.
    fn login(&mut self, name: &str) -> ConnId {
        let id = self.connect();
        let effects = self.send(
            id,
            &format!(r#"{{"type":"username","id":{id},"name":"{name}","date":1}}"#),
        );
        assert!(
            to(&effects, id).iter().all(|v| kind(v) != "error"),
            "{effects:?}"
        );
        id
    }

    /// `a` calls `b` and `b` answers (the sample's shapes).
    fn call(&mut self, a: ConnId, an: &str, b: ConnId, bn: &str) {
        let offer = format!(
            r#"{{"type":"video-offer","name":"{an}","target":"{bn}","sdp":{{"type":"offer","sdp":"v=0"}}}}"#
        );
        assert_eq!(recipients(&self.send(a, &offer)), vec![b]);
        let answer = format!(
            r#"{{"type":"video-answer","name":"{bn}","target":"{an}","sdp":{{"type":"answer","sdp":"v=0"}}}}"#
        );
        assert_eq!(recipients(&self.send(b, &answer)), vec![a]);
        assert_eq!(self.room.peer_of(a), Some(b));
        assert_eq!(self.room.peer_of(b), Some(a));
    }
}

const HANG_UP_NULL: &str = r#"{"type":"hang-up","name":"x","target":null}"#;

#[test]
fn ids_count_up_from_the_start_time() {
    let mut f = Fixture::new();
    for n in 0..3 {
        let (id, effects) = f.room.connect(0);
        assert_eq!(id, T0 + n);
        let frames = delivered(&effects);
        assert_eq!(frames.len(), 1);
        assert_eq!(frames[0].0, id);
        assert_eq!(
            frames[0].1.to_json(),
            format!(r#"{{"type":"id","id":{id}}}"#)
        );
    }
}

#[test]
fn username_sends_userlist_to_everyone_and_is_not_forwarded() {
    let mut f = Fixture::new();
    let a = f.connect();
    let b = f.connect();
    let effects = f.send(a, r#"{"type":"username","id":1,"name":"alice","date":5}"#);
    let frames = delivered(&effects);
    assert_eq!(recipients(&effects), vec![a, b]);
    for (_, v) in &frames {
        // `null` for the connection that has not logged in, as the sample.
        assert_eq!(v.to_json(), r#"{"type":"userlist","users":["alice",null]}"#);
    }
    assert_eq!(f.room.names(), vec![Some("alice".into()), None]);
}

#[test]
fn duplicate_names_get_the_global_counter_and_rejectusername() {
    let mut f = Fixture::new();
    let bob = f.login("bob");
    let bob2 = f.connect();
    let effects = f.send(bob2, r#"{"type":"username","id":7,"name":"bob","date":1}"#);
    let mine = to(&effects, bob2);
    assert_eq!(kind(&mine[0]), "rejectusername");
    assert_eq!(str_of(&mine[0], "name"), Some("bob1"));
    assert_eq!(mine[0].get("id").and_then(Value::as_f64), Some(bob2 as f64));
    assert_eq!(kind(&mine[1]), "userlist");
    // The first bob gets only the user list.
    let theirs = to(&effects, bob);
    assert_eq!(theirs.len(), 1);
    assert_eq!(
        theirs[0].to_json(),
        r#"{"type":"userlist","users":["bob","bob1"]}"#
    );

    // One counter for all names, as the sample's appendToMakeUnique.
    f.login("ann");
    let ann2 = f.connect();
    let effects = f.send(ann2, r#"{"type":"username","name":"ann"}"#);
    assert_eq!(str_of(&to(&effects, ann2)[0], "name"), Some("ann2"));

    // A name taken by the suffix rule is skipped too.
    let bob3 = f.connect();
    let effects = f.send(bob3, r#"{"type":"username","name":"bob"}"#);
    assert_eq!(str_of(&to(&effects, bob3)[0], "name"), Some("bob3"));
}

#[test]
fn renaming_and_resending_the_same_name() {
    let mut f = Fixture::new();
    let a = f.login("alice");
    // Same name again: not a clash with itself.
    let effects = f.send(a, r#"{"type":"username","name":"alice"}"#);
    assert_eq!(
        to(&effects, a).iter().map(kind).collect::<Vec<_>>(),
        ["userlist"]
    );
    let effects = f.send(a, r#"{"type":"username","name":"alicia"}"#);
    assert_eq!(
        to(&effects, a)[0].to_json(),
        r#"{"type":"userlist","users":["alicia"]}"#
    );
    assert_eq!(f.room.name_of(a), Some("alicia"));
}

#[test]
fn names_are_cleaned_or_refused() {
    let mut f = Fixture::new();
    let a = f.connect();
    let effects = f.send(a, r#"{"type":"username","name":"  <b>eve</b> "}"#);
    let mine = to(&effects, a);
    assert_eq!(kind(&mine[0]), "rejectusername");
    assert_eq!(str_of(&mine[0], "name"), Some("eve"));

    let b = f.connect();
    for bad in [
        r#"{"type":"username","name":"   "}"#,
        r#"{"type":"username","name":""}"#,
        r#"{"type":"username"}"#,
        r#"{"type":"username","name":["x"]}"#,
    ] {
        one_error(&f.send(b, bad), b);
    }
    let long = format!(r#"{{"type":"username","name":"{}"}}"#, "x".repeat(65));
    assert!(one_error(&f.send(b, &long), b).contains("too long"));
    assert_eq!(f.room.name_of(b), None);
    // A number is a name, like everywhere else in the protocol.
    let effects = f.send(b, r#"{"type":"username","name":42}"#);
    assert_eq!(
        to(&effects, b).iter().map(kind).collect::<Vec<_>>(),
        ["userlist"]
    );
    assert_eq!(f.room.name_of(b), Some("42"));
}

#[test]
fn chat_is_broadcast_with_name_stamped_and_tags_stripped() {
    let mut f = Fixture::new();
    let a = f.login("alice");
    let b = f.login("bob");
    let effects = f.send(
        a,
        r#"{"type":"message","id":1,"name":"mallory","text":"hi <img src=x onerror=alert(1)><b>there</b>","date":99,"extra":[1]}"#,
    );
    assert_eq!(recipients(&effects), vec![a, b]);
    let v = &to(&effects, b)[0];
    // Field order kept, name replaced in place, extras passed through.
    assert_eq!(
        v.to_json(),
        r#"{"type":"message","id":1,"name":"alice","text":"hi there","date":99,"extra":[1]}"#
    );
    // No name sent: appended.
    let effects = f.send(b, r#"{"type":"message","text":"yo","date":1}"#);
    assert_eq!(str_of(&to(&effects, a)[0], "name"), Some("bob"));
}

#[test]
fn duplicate_name_keys_cannot_smuggle_a_spoofed_name() {
    let mut f = Fixture::new();
    let a = f.login("alice");
    let b = f.login("bob");
    let effects = f.send(
        a,
        r#"{"type":"message","name":"x","text":"t","name":"bob"}"#,
    );
    let v = &to(&effects, b)[0];
    assert_eq!(
        v.to_json(),
        r#"{"type":"message","name":"alice","text":"t"}"#
    );
}

#[test]
fn nothing_is_forwarded_before_login() {
    let mut f = Fixture::new();
    let a = f.connect();
    let _b = f.login("bob");
    for frame in [
        r#"{"type":"message","text":"hi"}"#,
        r#"{"type":"video-offer","target":"bob","sdp":{"type":"offer","sdp":"v=0"}}"#,
        r#"{"type":"hang-up","target":"bob"}"#,
        r#"{"type":"custom","target":"bob"}"#,
    ] {
        assert!(
            one_error(&f.send(a, frame), a).contains("username"),
            "{frame}"
        );
    }
}

#[test]
fn call_messages_go_only_to_their_target() {
    let mut f = Fixture::new();
    let a = f.login("alice");
    let b = f.login("bob");
    let c = f.login("carol");
    let frames = [
        r#"{"type":"video-offer","name":"alice","target":"bob","sdp":{"type":"offer","sdp":"v=0"}}"#,
        r#"{"type":"new-ice-candidate","target":"bob","candidate":{"candidate":"candidate:1 1 udp 1 1.2.3.4 5 typ host","sdpMid":"0","sdpMLineIndex":0}}"#,
        r#"{"type":"hang-up","name":"alice","target":"bob"}"#,
    ];
    for frame in frames {
        let effects = f.send(a, frame);
        assert_eq!(recipients(&effects), vec![b], "{frame}");
        assert_eq!(str_of(&to(&effects, b)[0], "name"), Some("alice"));
    }
    let answer = r#"{"type":"video-answer","name":"bob","target":"alice","sdp":{"type":"answer","sdp":"v=0"}}"#;
    assert_eq!(recipients(&f.send(b, answer)), vec![a]);
    assert!(to(&f.send(a, frames[0]), c).is_empty());
}

#[test]
fn spoofed_name_on_call_messages_is_overwritten() {
    let mut f = Fixture::new();
    let a = f.login("alice");
    let b = f.login("bob");
    let effects = f.send(
        a,
        r#"{"type":"video-offer","name":"carol","target":"bob","sdp":{"type":"offer","sdp":"v=0"},"call":"k1"}"#,
    );
    let v = &to(&effects, b)[0];
    assert_eq!(str_of(v, "name"), Some("alice"));
    assert_eq!(str_of(v, "call"), Some("k1"));
}

#[test]
fn unknown_target_is_dropped_silently() {
    let mut f = Fixture::new();
    let a = f.login("alice");
    let offer = r#"{"type":"video-offer","name":"alice","target":"nobody","sdp":{"type":"offer","sdp":"v=0"}}"#;
    assert!(f.send(a, offer).is_empty());
    assert_eq!(f.room.peer_of(a), None);
    assert!(f
        .send(a, r#"{"type":"custom","target":"nobody"}"#)
        .is_empty());
}

#[test]
fn untargeted_hang_up_goes_only_to_the_known_peer() {
    let mut f = Fixture::new();
    let a = f.login("alice");
    let b = f.login("bob");
    let c = f.login("carol");
    let d = f.login("dave");
    f.call(a, "alice", b, "bob");
    f.call(c, "carol", d, "dave");
    // The sample's hangUpCall: target null (its bug 1).
    let effects = f.send(a, HANG_UP_NULL);
    assert_eq!(recipients(&effects), vec![b]);
    let v = &to(&effects, b)[0];
    assert_eq!(str_of(v, "name"), Some("alice"));
    assert_eq!(str_of(v, "target"), Some("bob"));
    // The call is over: the peer's own untargeted hang-up goes nowhere.
    assert_eq!(f.room.peer_of(a), None);
    assert_eq!(f.room.peer_of(b), None);
    assert!(f.send(b, HANG_UP_NULL).is_empty());
    // The other call is intact.
    assert_eq!(f.room.peer_of(c), Some(d));
    assert_eq!(
        recipients(&f.send(d, r#"{"type":"hang-up","target":""}"#)),
        vec![c]
    );
}

#[test]
fn untargeted_call_messages_without_a_peer_go_nowhere() {
    let mut f = Fixture::new();
    let a = f.login("alice");
    f.login("bob");
    for frame in [
        HANG_UP_NULL,
        r#"{"type":"hang-up"}"#,
        r#"{"type":"video-offer","sdp":{"type":"offer","sdp":"v=0"}}"#,
        r#"{"type":"video-answer","target":"","sdp":{"type":"answer","sdp":"v=0"}}"#,
        r#"{"type":"new-ice-candidate","target":null,"candidate":{"candidate":"","sdpMid":"0"}}"#,
    ] {
        assert!(f.send(a, frame).is_empty(), "{frame}");
    }
}

#[test]
fn an_offer_alone_makes_the_peer_known() {
    // The caller gives up while it rings: a sample client's untargeted hang-up reaches the
    // callee, and the callee's untargeted hang-up (declining) reaches the caller.
    let mut f = Fixture::new();
    let a = f.login("alice");
    let b = f.login("bob");
    let offer = r#"{"type":"video-offer","target":"bob","sdp":{"type":"offer","sdp":"v=0"}}"#;
    f.send(a, offer);
    assert_eq!(f.room.peer_of(b), Some(a));
    let cand = r#"{"type":"new-ice-candidate","candidate":{"candidate":"","sdpMid":"0"}}"#;
    let effects = f.send(b, cand);
    assert_eq!(recipients(&effects), vec![a]);
    assert_eq!(str_of(&to(&effects, a)[0], "target"), Some("alice"));
    assert_eq!(recipients(&f.send(a, HANG_UP_NULL)), vec![b]);
}

#[test]
fn an_offer_to_a_busy_user_does_not_steal_its_call() {
    let mut f = Fixture::new();
    let a = f.login("alice");
    let b = f.login("bob");
    let c = f.login("carol");
    f.call(a, "alice", b, "bob");
    let offer = r#"{"type":"video-offer","target":"bob","sdp":{"type":"offer","sdp":"v=0"}}"#;
    assert_eq!(recipients(&f.send(c, offer)), vec![b]);
    assert_eq!(f.room.peer_of(b), Some(a));
    assert_eq!(f.room.peer_of(c), Some(b));
    // Bob declines carol by name; his call with alice stays.
    let busy = r#"{"type":"hang-up","target":"carol","reason":"busy"}"#;
    assert_eq!(recipients(&f.send(b, busy)), vec![c]);
    assert_eq!(f.room.peer_of(b), Some(a));
    assert_eq!(f.room.peer_of(c), None);
    // Carol leaving does not end bob's call; bob's untargeted hang-up still goes to alice.
    let effects = f.room.disconnect(c);
    assert!(to(&effects, b).iter().all(|v| kind(v) == "userlist"));
    assert_eq!(recipients(&f.send(b, HANG_UP_NULL)), vec![a]);
}

#[test]
fn renegotiation_and_tokens_keep_the_link() {
    let mut f = Fixture::new();
    let a = f.login("alice");
    let b = f.login("bob");
    let offer =
        r#"{"type":"video-offer","target":"bob","sdp":{"type":"offer","sdp":"v=0"},"call":"t1"}"#;
    let answer = r#"{"type":"video-answer","target":"alice","sdp":{"type":"answer","sdp":"v=0"},"call":"t1"}"#;
    f.send(a, offer);
    f.send(b, answer);
    // The callee renegotiates (perfect negotiation lets either side offer).
    let re_offer = r#"{"type":"video-offer","target":"alice","sdp":{"type":"offer","sdp":"v=0"}}"#;
    assert_eq!(recipients(&f.send(b, re_offer)), vec![a]);
    assert_eq!(f.room.peer_of(a), Some(b));
    let effects = f.room.disconnect(b);
    let hang_up = to(&effects, a);
    assert_eq!(
        hang_up[0].to_json(),
        r#"{"type":"hang-up","name":"bob","target":"alice","call":"t1","reason":"gone"}"#
    );
}

#[test]
fn disconnect_sends_hang_up_to_the_peer_only_and_userlist_to_all() {
    let mut f = Fixture::new();
    let a = f.login("alice");
    let b = f.login("bob");
    let c = f.login("carol");
    let u = f.connect();
    f.call(a, "alice", b, "bob");
    let effects = f.room.disconnect(a);
    let to_b = to(&effects, b);
    assert_eq!(
        to_b[0].to_json(),
        r#"{"type":"hang-up","name":"alice","target":"bob","reason":"gone"}"#
    );
    for id in [b, c, u] {
        let last = to(&effects, id).pop().expect("a user list");
        assert_eq!(
            last.to_json(),
            r#"{"type":"userlist","users":["bob","carol",null]}"#
        );
    }
    assert_eq!(to(&effects, c).len(), 1);
    assert_eq!(f.room.peer_of(b), None);
    assert!(
        f.room.disconnect(a).is_empty(),
        "second disconnect is a no-op"
    );
    // The last one leaving: nobody to tell.
    for id in [b, c, u] {
        f.room.disconnect(id);
    }
    assert!(f.room.is_empty());
}

#[test]
fn unknown_types_are_routed_or_broadcast_with_name_stamped() {
    let mut f = Fixture::new();
    let a = f.login("alice");
    let b = f.login("bob");
    let c = f.login("carol");
    let effects = f.send(a, r#"{"type":"poke","target":"bob","name":"carol","n":1}"#);
    assert_eq!(recipients(&effects), vec![b]);
    assert_eq!(
        to(&effects, b)[0].to_json(),
        r#"{"type":"poke","target":"bob","name":"alice","n":1}"#
    );
    let effects = f.send(a, r#"{"type":"poke","target":null}"#);
    assert_eq!(recipients(&effects), vec![a, b, c]);
    assert_eq!(str_of(&to(&effects, c)[0], "name"), Some("alice"));
    // Chat with a target is private, as in the sample.
    let effects = f.send(a, r#"{"type":"message","target":"carol","text":"psst"}"#);
    assert_eq!(recipients(&effects), vec![c]);
}

#[test]
fn malformed_frames_get_an_error_and_change_nothing() {
    let mut f = Fixture::new();
    let a = f.login("alice");
    let b = f.login("bob");
    let cases = [
        ("{not json", "not valid JSON"),
        ("[1,2]", "not a JSON object"),
        ("\"hi\"", "not a JSON object"),
        (r#"{"text":"no type"}"#, "no \"type\""),
        (r#"{"type":7}"#, "no \"type\""),
        (r#"{"type":"message"}"#, "lacks \"text\""),
        (r#"{"type":"message","text":{"a":1}}"#, "lacks \"text\""),
        (r#"{"type":"video-offer","target":"bob"}"#, "lacks \"sdp\""),
        (
            r#"{"type":"video-offer","target":"bob","sdp":{"type":"nope","sdp":""}}"#,
            "malformed \"sdp\"",
        ),
        (
            r#"{"type":"new-ice-candidate","target":"bob","candidate":5}"#,
            "malformed \"candidate\"",
        ),
        (r#"{"type":"hang-up","target":{"a":1}}"#, "\"target\""),
        (r#"{"type":"poke","target":true}"#, "\"target\""),
        (r#"{"type":"userlist","users":["fake"]}"#, "server only"),
        (r#"{"type":"id","id":1}"#, "server only"),
        (
            r#"{"type":"rejectusername","target":"bob","name":"x"}"#,
            "server only",
        ),
        (r#"{"type":"error","text":"x"}"#, "server only"),
    ];
    for (frame, want) in cases {
        let text = one_error(&f.send(a, frame), a);
        assert!(text.contains(want), "{frame}: {text}");
    }
    let deep = "[".repeat(100) + &"]".repeat(100);
    one_error(&f.send(a, &deep), a);
    assert_eq!(f.room.peer_of(a), None);
    assert_eq!(f.room.peer_of(b), None);
    // Still usable.
    assert_eq!(
        recipients(&f.send(a, r#"{"type":"message","text":"ok"}"#)),
        vec![a, b]
    );
}

#[test]
fn oversize_frames_are_refused_with_an_error() {
    let limits = Limits {
        max_frame_bytes: 100,
        ..Limits::default()
    };
    let mut f = Fixture::with(limits);
    let a = f.login("alice");
    let overhead = r#"{"type":"message","text":""}"#.len();
    let fits = format!(
        r#"{{"type":"message","text":"{}"}}"#,
        "x".repeat(100 - overhead)
    );
    assert_eq!(fits.len(), 100);
    assert_eq!(recipients(&f.send(a, &fits)), vec![a]);
    let too_big = format!(
        r#"{{"type":"message","text":"{}"}}"#,
        "x".repeat(101 - overhead)
    );
    assert!(one_error(&f.send(a, &too_big), a).contains("too large (101 bytes, limit 100)"));
}

#[test]
fn a_frame_that_outgrows_the_client_limit_by_stamping_is_refused() {
    let mut f = Fixture::new();
    let a = f.login(&"n".repeat(64));
    let overhead = r#"{"type":"message","text":""}"#.len();
    let frame = format!(
        r#"{{"type":"message","text":"{}"}}"#,
        "x".repeat(MAX_FRAME_BYTES - overhead)
    );
    assert_eq!(frame.len(), MAX_FRAME_BYTES);
    assert!(one_error(&f.send(a, &frame), a).contains("too large once the relay added"));
}

#[test]
fn rate_limit_drops_then_warns_once_then_closes() {
    let limits = Limits {
        rate: Rate {
            per_sec: 1.0,
            burst: 3,
        },
        ..Limits::default()
    };
    let mut f = Fixture::with(limits);
    let a = f.login("alice"); // 1 token used
    let chat = r#"{"type":"message","text":"x"}"#;
    assert_eq!(recipients(&f.send(a, chat)), vec![a]);
    assert_eq!(recipients(&f.send(a, chat)), vec![a]);
    assert!(one_error(&f.send(a, chat), a).contains("too many messages"));
    assert!(f.send(a, chat).is_empty());
    // A second later one token is back.
    f.now += 1_000;
    assert_eq!(recipients(&f.send(a, chat)), vec![a]);
    one_error(&f.send(a, chat), a);
    // Three strikes outstanding (= burst): abuse. Binary frames count too.
    assert_eq!(
        f.room.receive_binary(a, f.now),
        vec![Effect::Close {
            conn: a,
            code: CLOSE_POLICY_VIOLATION,
            reason: "too many messages"
        }]
    );
}

#[test]
fn binary_frames_get_an_error() {
    let mut f = Fixture::new();
    let a = f.connect();
    assert!(one_error(&f.room.receive_binary(a, 0), a).contains("binary"));
}

#[test]
fn frames_from_unknown_connections_are_ignored() {
    let mut f = Fixture::new();
    assert!(f.send(42, r#"{"type":"message","text":"x"}"#).is_empty());
    assert!(f.room.receive_binary(42, 0).is_empty());
    assert!(f.room.disconnect(42).is_empty());
}

#[test]
fn sample_client_call_end_to_end() {
    // The exact shapes chatclient.js sends: no `call`, no name on candidates, null target on
    // hang-up, a `username` carrying the client's id.
    let mut f = Fixture::new();
    let a = f.login("alice");
    let b = f.login("bob");
    let c = f.login("carol");
    let steps: [(ConnId, &str, ConnId); 5] = [
        (
            a,
            r#"{"name":"alice","target":"bob","type":"video-offer","sdp":{"type":"offer","sdp":"v=0\r\n"}}"#,
            b,
        ),
        (
            b,
            r#"{"name":"bob","target":"alice","type":"video-answer","sdp":{"type":"answer","sdp":"v=0\r\n"}}"#,
            a,
        ),
        (
            a,
            r#"{"type":"new-ice-candidate","target":"bob","candidate":{"candidate":"candidate:0 1 UDP 2122252543 10.0.0.1 40000 typ host","sdpMid":"0","sdpMLineIndex":0,"usernameFragment":"ab12"}}"#,
            b,
        ),
        (
            b,
            r#"{"type":"new-ice-candidate","target":"alice","candidate":{"candidate":"candidate:0 1 UDP 2122252543 10.0.0.2 40001 typ host","sdpMid":"0","sdpMLineIndex":0,"usernameFragment":"cd34"}}"#,
            a,
        ),
        (b, r#"{"name":"bob","target":null,"type":"hang-up"}"#, a),
    ];
    for (from, frame, want) in steps {
        let effects = f.send(from, frame);
        assert_eq!(recipients(&effects), vec![want], "{frame}");
        let v = &to(&effects, want)[0];
        assert!(Message::from_value(v).is_ok(), "{v:?}");
        assert!(to(&effects, c).is_empty());
    }
}

#[test]
fn a_join_tokens_name_is_reserved_before_its_holder_logs_in() {
    let mut f = Fixture::new();
    let holder = T0 + 100;
    assert!(f.room.connect_named(holder, 0, Some("bob".into())).is_ok());
    // Someone without a fixed name asks for it first: it is taken.
    let other = f.connect();
    let effects = f.send(other, r#"{"type":"username","name":"bob"}"#);
    let reject = to(&effects, other);
    assert_eq!(kind(&reject[0]), "rejectusername");
    assert_ne!(str_of(&reject[0], "name"), Some("bob"));
    // A second holder of the same name cannot join.
    assert_eq!(
        f.room.connect_named(T0 + 101, 0, Some("BOB".into())),
        Err(JoinError::NameInUse)
    );
    // The holder gets it whatever it asks for.
    let effects = f.send(holder, r#"{"type":"username","name":"root"}"#);
    let reject = to(&effects, holder);
    assert_eq!(str_of(&reject[0], "name"), Some("bob"));
}

#[test]
fn names_differing_only_in_case_or_invisible_characters_are_one_name() {
    let mut f = Fixture::new();
    f.login("bob");
    for lookalike in ["Bob", "BOB", "b\u{200B}ob", "\u{FF42}ob"] {
        let id = f.connect();
        let effects = f.send(
            id,
            &format!(r#"{{"type":"username","name":"{lookalike}"}}"#),
        );
        let reject = to(&effects, id);
        assert_eq!(kind(&reject[0]), "rejectusername", "{lookalike}");
        let given = str_of(&reject[0], "name").unwrap_or_default();
        let key = crate::text::name_key(given);
        assert!(key.starts_with("bob") && key != "bob", "{given}");
    }
}

#[test]
fn the_user_list_always_fits_the_client_frame_limit() {
    let mut f = Fixture::with(Limits {
        rate: Rate {
            per_sec: 1e9,
            burst: 1_000_000,
        },
        ..Limits::default()
    });
    // Longest names of 4-byte characters: each takes 258 bytes in the list.
    let mut refused_login = false;
    let mut refused_connect = false;
    for i in 0..2_000u32 {
        let Ok(effects) = f.room.connect_as(T0 + 10 + u64::from(i), 0) else {
            refused_connect = true;
            break;
        };
        let id = match delivered(&effects).first() {
            Some((id, _)) => *id,
            None => panic!("no id message"),
        };
        let name: String = std::iter::repeat_n('\u{1F600}', 63)
            .chain(char::from_u32(0x1F300 + i % 64))
            .collect();
        let name = format!("{}{}", i, &name[..name.len() - 4 * i.to_string().len()]);
        let effects = f.send(id, &format!(r#"{{"type":"username","name":"{name}"}}"#));
        let mine = to(&effects, id);
        if kind(&mine[0]) == "error" {
            assert!(str_of(&mine[0], "text")
                .unwrap()
                .contains("user list is full"));
            refused_login = true;
            continue;
        }
        for effect in &effects {
            if let Effect::Send { frame, .. } = effect {
                assert!(frame.len() <= MAX_FRAME_BYTES, "{} bytes", frame.len());
                if frame.starts_with(r#"{"type":"userlist""#) {
                    assert_eq!(frame.len(), f.room.list_bytes());
                }
            }
        }
    }
    assert!(
        refused_login,
        "long names filled the list without a refusal"
    );
    // Nameless connections still fit until the list is full, then are refused.
    let _ = refused_connect;
    assert!(f.room.list_bytes() <= MAX_FRAME_BYTES);
}

#[test]
fn an_unsolicited_answer_does_not_re_point_a_call() {
    let mut f = Fixture::new();
    let alice = f.login("alice");
    let bob = f.login("bob");
    let mallory = f.login("mallory");
    f.send(
        alice,
        r#"{"type":"video-offer","target":"bob","sdp":{"type":"offer","sdp":"v=0\r\n"}}"#,
    );
    f.send(
        bob,
        r#"{"type":"video-answer","target":"alice","sdp":{"type":"answer","sdp":"v=0\r\n"}}"#,
    );
    assert_eq!(f.room.peer_of(bob), Some(alice));
    // Mallory answers an offer nobody made to her.
    f.send(
        mallory,
        r#"{"type":"video-answer","target":"bob","sdp":{"type":"answer","sdp":"v=0\r\n"}}"#,
    );
    assert_eq!(f.room.peer_of(bob), Some(alice));
    assert_eq!(f.room.peer_of(alice), Some(bob));
    assert_eq!(f.room.peer_of(mallory), None);
}
