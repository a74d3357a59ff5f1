//! Two clients in one page, each with its own real RTCPeerConnection, signaling through an
//! in-page relay (tests/common): calls connect, video flows, hang-up resets both sides, and
//! nothing leaks over many calls.
#![cfg(target_arch = "wasm32")]

mod common;

use common::*;
use wasm_bindgen_test::*;
use web_sys::Element;

wasm_bindgen_test_configure!(run_in_browser);

/// Loopback ICE with fake media connects in well under a second; this is only a deadline.
const CALL_TIMEOUT: f64 = 15_000.0;

async fn connected(a: &Element, b: &Element) {
    wait_for("both sides connected", CALL_TIMEOUT, || {
        status(a, "data-call") == "connected" && status(b, "data-call") == "connected"
    })
    .await;
    assert!(hangup_enabled(a) && hangup_enabled(b));
}

async fn frames(a: &Element, b: &Element) {
    wait_for("remote video decoding on both sides", CALL_TIMEOUT, || {
        remote_video(a).video_width() > 0 && remote_video(b).video_width() > 0
    })
    .await;
}

async fn idle(a: &Element, b: &Element) {
    wait_for("both sides idle", CALL_TIMEOUT, || {
        status(a, "data-call") == "idle" && status(b, "data-call") == "idle"
    })
    .await;
    for root in [a, b] {
        assert!(
            !hangup_enabled(root),
            "Hang Up stays enabled after the call"
        );
        assert!(
            remote_video(root).src_object().is_none(),
            "remote video kept"
        );
        assert_eq!(status(root, "data-peer"), "");
    }
}

#[wasm_bindgen_test]
async fn call_connects_hangs_up_from_either_side_and_again() {
    let relay = Relay::new();
    relay.record.set(true);
    let (a, _) = relay.mount("call-a", None);
    let (b, _) = relay.mount("call-b", None);
    login(&a, "alice").await;
    login(&b, "bob").await;
    wait_for("both see both", 5_000.0, || {
        users(&a).len() == 2 && users(&b).len() == 2
    })
    .await;
    assert_eq!(
        q(&a, "ul.userlistbox li.me").text_content().unwrap(),
        "alice"
    );

    // alice calls bob; video flows both ways.
    click_user(&a, "bob");
    connected(&a, &b).await;
    frames(&a, &b).await;
    assert_eq!(status(&a, "data-peer"), "bob");
    assert_eq!(status(&b, "data-peer"), "alice");
    assert_eq!(
        q(&a, "ul.userlistbox li.peer").text_content().unwrap(),
        "bob"
    );

    // alice hangs up: both reset.
    click(&a, "button#hangup-button");
    idle(&a, &b).await;

    // bob calls alice; bob hangs up.
    click_user(&b, "alice");
    connected(&a, &b).await;
    frames(&a, &b).await;
    click(&b, "button#hangup-button");
    idle(&a, &b).await;

    // The hang-up went to the peer only: never broadcast (the tutorial's bug 1).
    for frame in relay.sent.borrow().iter() {
        if frame.contains(r#""type":"hang-up""#) {
            assert!(!frame.contains(r#""target":null"#), "{frame}");
        }
    }
    relay.destroy_all();
}

#[wasm_bindgen_test]
async fn media_failure_shows_its_message_and_leaves_a_clean_state() {
    let relay = Relay::new();
    // bob's camera "cannot" satisfy this: answering fails in getUserMedia.
    let (a, _) = relay.mount("fail-a", None);
    let (b, _) = relay.mount(
        "fail-b",
        Some(r#"{"constraints":{"video":{"width":{"exact":99999}}}}"#),
    );
    login(&a, "carol").await;
    login(&b, "dave").await;
    wait_for("both see both", 5_000.0, || {
        users(&a).len() == 2 && users(&b).len() == 2
    })
    .await;
    let baseline = webrtc_chat::live_listeners();

    // dave calls carol: dave's own getUserMedia fails.
    click_user(&b, "carol");
    wait_for("dave's error shown", CALL_TIMEOUT, || {
        error_text(&b).is_some()
    })
    .await;
    let message = error_text(&b).unwrap();
    assert!(message.contains("requested settings"), "{message}");
    idle(&a, &b).await;
    wait_for("listeners released", 5_000.0, || {
        webrtc_chat::live_listeners() == baseline
    })
    .await;

    // carol can still call dave... whose camera still fails; carol's side resets cleanly.
    click_user(&a, "dave");
    wait_for("dave's error shown again", CALL_TIMEOUT, || {
        error_text(&b).is_some()
    })
    .await;
    idle(&a, &b).await;
    wait_for("listeners released", 5_000.0, || {
        webrtc_chat::live_listeners() == baseline
    })
    .await;
    relay.destroy_all();
}

#[wasm_bindgen_test]
async fn fifty_calls_leak_nothing() {
    let before = webrtc_chat::live_listeners();
    let relay = Relay::new();
    let (a, _) = relay.mount("many-a", None);
    let (b, _) = relay.mount("many-b", None);
    login(&a, "erin").await;
    login(&b, "frank").await;
    wait_for("both see both", 5_000.0, || {
        users(&a).len() == 2 && users(&b).len() == 2
    })
    .await;
    let baseline = webrtc_chat::live_listeners();

    let mut memory_after_warmup = 0;
    for i in 0..50 {
        let (caller, callee, name) = if i % 2 == 0 {
            (&a, &b, "frank")
        } else {
            (&b, &a, "erin")
        };
        click_user(caller, name);
        connected(caller, callee).await;
        click(
            if i % 3 == 0 { callee } else { caller },
            "button#hangup-button",
        );
        idle(&a, &b).await;
        wait_for("listeners back to the baseline", 5_000.0, || {
            webrtc_chat::live_listeners() == baseline
        })
        .await;
        if i == 9 {
            memory_after_warmup = wasm_memory_bytes();
        }
    }
    let memory = wasm_memory_bytes();
    web_sys::console::log_1(
        &format!("wasm memory after 10 calls: {memory_after_warmup} B, after 50: {memory} B")
            .into(),
    );
    // The heap grows in 64 KiB pages; allow two for allocator slack. A per-call leak of a
    // few KB (a peer's SDP, say) over 40 calls would exceed it.
    assert!(
        memory <= memory_after_warmup + 2 * 64 * 1024,
        "wasm memory grew from {memory_after_warmup} to {memory} bytes over 40 calls"
    );
    relay.destroy_all();
    assert_eq!(
        webrtc_chat::live_listeners(),
        before,
        "listeners left after destroy"
    );
}
