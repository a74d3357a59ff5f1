//! The room's decisions when relays share it through Redis ([`Room::set_clustered`],
//! docs/scale-out.md): which cluster effects it emits and what it does with their outcomes,
//! without sockets or Redis. Test code only: `room.rs` declares this module under
//! `#[cfg(test)]`.

use super::*;

fn clustered() -> Room {
    let mut room = Room::new(1, Limits::default());
    room.set_clustered(true);
    room
}

fn frames_to(effects: &[Effect], conn: ConnId) -> Vec<Value> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Send { to, frame } if to.contains(&conn) => protocol::parse(frame).ok(),
            _ => None,
        })
        .collect()
}

fn kind(v: &Value) -> &str {
    v.get("type").and_then(Value::as_str).unwrap_or("")
}

fn claim(key: &str, display: &str, conn: ConnId) -> Effect {
    Effect::Claim {
        conn,
        name_key: key.into(),
        display: display.into(),
    }
}

/// A connection logged in as `name` (claimed and won).
fn login(room: &mut Room, name: &str) -> ConnId {
    let (id, _) = room.connect(0);
    let frame = format!(r#"{{"type":"username","name":"{name}"}}"#);
    let effects = room.receive_text(id, &frame, 0);
    assert_eq!(effects, vec![claim(&name_key(name), name, id)]);
    room.claimed(id, &name_key(name), true);
    assert_eq!(room.name_of(id), Some(name));
    id
}

#[test]
fn a_login_is_claimed_before_it_is_confirmed() {
    let mut room = clustered();
    let (id, _) = room.connect(0);
    let effects = room.receive_text(id, r#"{"type":"username","name":"Ann"}"#, 0);
    assert_eq!(effects, vec![claim("ann", "Ann", id)]);
    assert_eq!(room.name_of(id), None, "not confirmed before the claim");
    // Reserved meanwhile: a second local login of the same name gets the next candidate.
    let (other, _) = room.connect(0);
    let effects = room.receive_text(other, r#"{"type":"username","name":"ann"}"#, 0);
    assert_eq!(effects, vec![claim("ann1", "ann1", other)]);

    let effects = room.claimed(id, "ann", true);
    assert_eq!(room.name_of(id), Some("Ann"));
    let frames = frames_to(&effects, id);
    assert!(
        frames.iter().all(|f| kind(f) == "userlist"),
        "no rejectusername: {frames:?}"
    );
    assert_eq!(frames.len(), 1);
}

#[test]
fn a_name_taken_on_another_relay_gets_the_next_candidate_and_a_rejectusername() {
    let mut room = clustered();
    let (id, _) = room.connect(0);
    room.receive_text(id, r#"{"type":"username","name":"bob"}"#, 0);
    let effects = room.claimed(id, "bob", false);
    assert_eq!(effects, vec![claim("bob1", "bob1", id)]);
    assert!(
        !room.name_in_use("bob"),
        "the refused candidate is not held"
    );
    let effects = room.claimed(id, "bob1", true);
    let frames = frames_to(&effects, id);
    assert_eq!(kind(&frames[0]), "rejectusername");
    assert_eq!(frames[0].get("name").and_then(Value::as_str), Some("bob1"));
    // A stale outcome (not the candidate under claim) changes nothing.
    assert!(room.claimed(id, "bob", true).is_empty());
    assert_eq!(room.name_of(id), Some("bob1"));
}

#[test]
fn renames_and_departures_release_the_name_and_tell_a_remote_peer() {
    let mut room = clustered();
    let id = login(&mut room, "ann");
    room.receive_text(id, r#"{"type":"username","name":"anna"}"#, 0);
    let effects = room.claimed(id, "anna", true);
    assert!(effects.contains(&Effect::Release {
        conn: id,
        name_key: "ann".into()
    }));
    let effects = room.disconnect(id);
    let Some(Effect::ToPeerOf {
        from_key,
        frame,
        unlink: true,
    }) = effects.first()
    else {
        panic!("a gone hang-up for a remote peer first: {effects:?}");
    };
    assert_eq!(from_key, "anna");
    assert!(frame.contains(r#""reason":"gone""#));
    assert_eq!(
        effects[1],
        Effect::Release {
            conn: id,
            name_key: "anna".into()
        }
    );
    // A claim that returns after its connection left is undone.
    let (gone, _) = room.connect(0);
    room.receive_text(gone, r#"{"type":"username","name":"cy"}"#, 0);
    room.disconnect(gone);
    assert_eq!(
        room.claimed(gone, "cy", true),
        vec![Effect::Release {
            conn: gone,
            name_key: "cy".into()
        }]
    );
}

#[test]
fn call_messages_to_another_relay_carry_the_call_links() {
    let mut room = clustered();
    let ann = login(&mut room, "ann");
    let offer = r#"{"type":"video-offer","target":"Bob","sdp":{"type":"offer","sdp":"v=0"}}"#;
    let effects = room.receive_text(ann, offer, 0);
    let link = |from: &str, to: &str, if_free| Effect::Link {
        from_key: from.into(),
        to_key: to.into(),
        if_free,
    };
    assert_eq!(effects[0], link("ann", "bob", false));
    assert_eq!(effects[1], link("bob", "ann", true));
    assert!(matches!(&effects[2], Effect::ToUser { name_key, frame }
        if name_key == "bob" && frame.contains(r#""name":"ann""#)));
    let hang_up = r#"{"type":"hang-up","target":"bob"}"#;
    let effects = room.receive_text(ann, hang_up, 0);
    let unlink = |from: &str, to: &str| Effect::Unlink {
        from_key: from.into(),
        to_key: to.into(),
    };
    assert_eq!(effects[..2], [unlink("ann", "bob"), unlink("bob", "ann")]);
    // Untargeted, with no local peer: to the peer the shared links know.
    let effects = room.receive_text(ann, r#"{"type":"hang-up","target":null}"#, 0);
    assert!(
        matches!(effects.as_slice(), [Effect::ToPeerOf { from_key, unlink: true, .. }]
        if from_key == "ann")
    );
}

#[test]
fn broadcasts_are_published_and_frames_from_other_relays_delivered() {
    let mut room = clustered();
    let ann = login(&mut room, "ann");
    let effects = room.receive_text(ann, r#"{"type":"message","text":"hi"}"#, 0);
    assert_eq!(frames_to(&effects, ann).len(), 1);
    assert!(matches!(effects.last(), Some(Effect::Publish { frame }) if frame.contains("hi")));
    // A targeted message to a local user stays local.
    let effects = room.receive_text(ann, r#"{"type":"message","text":"me","target":"ann"}"#, 0);
    assert!(!effects.iter().any(|e| matches!(e, Effect::Publish { .. })));

    // From another relay: an untargeted call message gets its recipient as target.
    let effects = room.deliver("ann", r#"{"type":"hang-up","name":"bob"}"#);
    let frames = frames_to(&effects, ann);
    assert_eq!(frames[0].get("target").and_then(Value::as_str), Some("ann"));
    assert!(room.deliver("nobody", r#"{"type":"hang-up"}"#).is_empty());
    // The union list: every relay's names, then this relay's unnamed connections.
    let (_unnamed, _) = room.connect(0);
    let list = room.union_list(vec!["ann".into(), "bob".into()]);
    assert_eq!(
        list.frame,
        r#"{"type":"userlist","users":["ann","bob",null]}"#
    );
}

#[test]
fn a_name_lost_while_redis_was_away_is_claimed_again_under_a_new_name() {
    let mut room = clustered();
    let zed = login(&mut room, "zed");
    assert!(
        room.name_lost(zed, "other").is_empty(),
        "not its name: ignored"
    );
    let effects = room.name_lost(zed, "zed");
    let [Effect::Claim {
        conn,
        name_key: key,
        display,
    }] = effects.as_slice()
    else {
        panic!("a new claim: {effects:?}");
    };
    assert_eq!(*conn, zed);
    assert!(display.starts_with("zed") && display != "zed");
    let effects = room.claimed(zed, &key.clone(), true);
    let frames = frames_to(&effects, zed);
    assert_eq!(kind(&frames[0]), "rejectusername");
    assert_eq!(room.name_of(zed), Some(display.as_str()));
}

#[test]
fn without_clustering_no_cluster_effect_is_ever_emitted() {
    let mut room = Room::new(1, Limits::default());
    let (a, _) = room.connect(0);
    let mut all = room.receive_text(a, r#"{"type":"username","name":"ann"}"#, 0);
    all.extend(room.receive_text(a, r#"{"type":"message","text":"x"}"#, 0));
    all.extend(room.receive_text(a, r#"{"type":"video-offer","target":"bob","sdp":{}}"#, 0));
    all.extend(room.receive_text(a, r#"{"type":"hang-up"}"#, 0));
    all.extend(room.disconnect(a));
    assert!(
        all.iter()
            .all(|e| matches!(e, Effect::Send { .. } | Effect::Close { .. })),
        "{all:?}"
    );
}

#[test]
fn a_claim_refused_for_a_full_list_is_refused_as_on_one_relay() {
    // One relay, list full: what the connection is told.
    let limits = Limits {
        max_list_bytes: 1024,
        ..Limits::default()
    };
    let mut single = Room::new(1, limits);
    let long = "n".repeat(60);
    let mut local_refusal = None;
    for i in 0..40 {
        let (id, _) = single.connect(0);
        let frame = format!(r#"{{"type":"username","name":"{long}{i}"}}"#);
        let effects = single.receive_text(id, &frame, 0);
        if let [Effect::Send { to, frame }] = effects.as_slice() {
            if to == &[id] && frame.contains("user list is full") {
                local_refusal = Some(frame.clone());
                break;
            }
        }
    }
    let local_refusal = local_refusal.expect("one relay refuses once the list is full");

    // Across relays: the claim script says the shared list is full.
    let mut room = clustered();
    let ann = login(&mut room, "ann");
    let (id, _) = room.connect(0);
    let effects = room.receive_text(id, r#"{"type":"username","name":"Bob"}"#, 0);
    assert_eq!(effects, vec![claim("bob", "Bob", id)]);
    let effects = room.claim_full(id, "bob");
    assert_eq!(
        effects,
        vec![Effect::Send {
            to: vec![id],
            frame: local_refusal.clone()
        }]
    );
    assert_eq!(room.name_of(id), None);
    assert_eq!(room.take_stats().rejected_frames, 1);
    // The reservation is gone: another connection can have the name.
    let (other, _) = room.connect(0);
    let effects = room.receive_text(other, r#"{"type":"username","name":"bob"}"#, 0);
    assert_eq!(effects, vec![claim("bob", "bob", other)]);
    // A rename refused keeps the old name.
    let effects = room.receive_text(ann, r#"{"type":"username","name":"Annabelle"}"#, 0);
    assert_eq!(effects, vec![claim("annabelle", "Annabelle", ann)]);
    assert_eq!(
        room.claim_full(ann, "annabelle"),
        vec![Effect::Send {
            to: vec![ann],
            frame: local_refusal
        }]
    );
    assert_eq!(room.name_of(ann), Some("ann"));
    // A stale outcome (not the name under claim) changes nothing.
    assert!(room.claim_full(ann, "zed").is_empty());
    assert_eq!(room.name_of(ann), Some("ann"));
}

#[test]
fn the_union_list_is_cut_to_the_list_limit() {
    let limits = Limits {
        max_list_bytes: 1024,
        ..Limits::default()
    };
    let mut room = Room::new(1, limits);
    room.set_clustered(true);
    let (_unnamed, _) = room.connect(0);
    let users: Vec<String> = (0..40).map(|i| format!("{}{i}", "x".repeat(60))).collect();
    let list = room.union_list(users);
    assert!(list.frame.len() <= 1024, "{} bytes", list.frame.len());
    assert!(list.dropped_names > 0);
    assert_eq!(list.dropped_unnamed, 1);
    let parsed = protocol::parse(&list.frame).expect("a list");
    let kept = match parsed.get("users") {
        Some(Value::Array(users)) => users.len(),
        _ => panic!("no users"),
    };
    assert_eq!(kept + list.dropped_names, 40);
}
