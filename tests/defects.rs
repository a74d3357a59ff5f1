//! Defects of issue 9, each caught in the page: a camera left on when `getUserMedia` resolves
//! late, an error box that never went away, and a failed `addTrack` that took the app down
//! (and would have been named as `new RTCPeerConnection`).
#![cfg(target_arch = "wasm32")]

mod common;

use common::*;
use gloo_timers::future::TimeoutFuture;
use js_sys::Promise;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use web_sys::{MediaStream, MediaStreamTrack, MediaStreamTrackState};

wasm_bindgen_test_configure!(run_in_browser);

/// Makes `getUserMedia` wait: every request is kept in `__gum` until [`resolve_gum`].
fn hold_gum() {
    js_sys::eval(
        "window.__gum = []; \
         navigator.mediaDevices.getUserMedia = () => new Promise((r) => window.__gum.push(r));",
    )
    .unwrap();
}

fn held_gum() -> u32 {
    js_sys::eval("window.__gum.length")
        .unwrap()
        .as_f64()
        .unwrap() as u32
}

/// Resolves held request `i` with a real stream (the fake camera) and returns the stream.
async fn resolve_gum(i: u32) -> MediaStream {
    let script = format!(
        "(async () => {{ \
           const s = await MediaDevices.prototype.getUserMedia.call(navigator.mediaDevices, \
             {{audio: true, video: true}}); \
           window.__gum[{i}](s); return s; }})()"
    );
    let promise: Promise = js_sys::eval(&script).unwrap().unchecked_into();
    JsFuture::from(promise).await.unwrap().unchecked_into()
}

fn restore_gum() {
    js_sys::eval("delete navigator.mediaDevices.getUserMedia; delete window.__gum").unwrap();
}

fn tracks_live(stream: &MediaStream) -> Vec<bool> {
    stream
        .get_tracks()
        .iter()
        .map(|t| {
            t.unchecked_into::<MediaStreamTrack>().ready_state() == MediaStreamTrackState::Live
        })
        .collect()
}

async fn stopped(what: &str, stream: &MediaStream) {
    assert_eq!(tracks_live(stream).len(), 2);
    wait_for(what, 3_000.0, || tracks_live(stream).iter().all(|l| !l)).await;
}

#[wasm_bindgen_test]
async fn the_camera_stops_when_get_user_media_resolves_after_destroy() {
    let relay = Relay::new();
    let (a, ia) = relay.mount("late-a", None);
    let (b, _) = relay.mount("late-b", None);
    login(&a, "amy").await;
    login(&b, "ben").await;
    hold_gum();
    click_user(&a, "ben");
    wait_for("amy's camera requested", 3_000.0, || held_gum() == 1).await;
    relay.destroy(ia);
    let stream = resolve_gum(0).await;
    stopped("the late stream stopped", &stream).await;
    restore_gum();
    relay.destroy_all();
}

#[wasm_bindgen_test]
async fn the_camera_stops_when_get_user_media_resolves_after_its_call_ended() {
    let relay = Relay::new();
    let (a, _) = relay.mount("ended-a", None);
    let (b, _) = relay.mount("ended-b", None);
    login(&a, "cleo").await;
    login(&b, "dan").await;
    hold_gum();
    // Call 1, hung up while its camera prompt is up; then call 2, also waiting.
    click_user(&a, "dan");
    wait_for("call 1's camera requested", 3_000.0, || held_gum() == 1).await;
    click(&a, "#hangup-button");
    wait_for("call 1 over", 3_000.0, || status(&a, "data-call") == "idle").await;
    click_user(&a, "dan");
    wait_for("call 2's camera requested", 3_000.0, || held_gum() == 2).await;
    // Call 2's stream first, then call 1's late one: the late one is stopped, and it must not
    // take call 2's camera down with it.
    let second = resolve_gum(1).await;
    TimeoutFuture::new(100).await;
    let first = resolve_gum(0).await;
    stopped("call 1's late stream stopped", &first).await;
    TimeoutFuture::new(200).await;
    assert_eq!(tracks_live(&second), [true, true], "call 2's camera");
    click(&a, "#hangup-button");
    stopped("call 2's stream stopped by hanging up", &second).await;
    restore_gum();
    relay.destroy_all();
}

#[wasm_bindgen_test]
async fn the_error_box_is_cleared_when_it_no_longer_applies() {
    let relay = Relay::new();
    let (a, ia) = relay.mount("clear-a", None);
    let (b, _) = relay.mount("clear-b", None);
    click(&a, "button[name=login]");
    assert_eq!(
        error_text(&a).as_deref(),
        Some("Enter a user name to log in.")
    );
    // A new login.
    login(&a, "eve").await;
    assert_eq!(error_text(&a), None);
    login(&b, "finn").await;
    let app = relay.app(ia);
    // Dismissed by a click.
    app.call("nobody".into());
    wait_for("a refusal", 3_000.0, || error_text(&a).is_some()).await;
    click(&a, "#error");
    wait_for("the refusal dismissed", 3_000.0, || {
        error_text(&a).is_none()
    })
    .await;
    // A new call.
    app.call("nobody".into());
    wait_for("a refusal", 3_000.0, || error_text(&a).is_some()).await;
    click_user(&a, "finn");
    wait_for("the call starting", 3_000.0, || {
        status(&a, "data-call") != "idle"
    })
    .await;
    assert_eq!(error_text(&a), None);
    click(&a, "#hangup-button");
    relay.destroy_all();
}

#[wasm_bindgen_test]
async fn a_failed_add_track_is_named_and_the_page_keeps_working() {
    js_sys::eval(
        "window.__addTrack = RTCPeerConnection.prototype.addTrack; \
         RTCPeerConnection.prototype.addTrack = function () { \
           throw new DOMException('refused by the test', 'InvalidAccessError'); };",
    )
    .unwrap();
    let relay = Relay::new();
    let (a, _) = relay.mount("tracks-a", None);
    let (b, _) = relay.mount("tracks-b", None);
    login(&a, "gus").await;
    login(&b, "hal").await;
    click_user(&a, "hal");
    wait_for("the failure shown", 5_000.0, || error_text(&a).is_some()).await;
    let text = error_text(&a).unwrap_or_default();
    js_sys::eval("RTCPeerConnection.prototype.addTrack = window.__addTrack").unwrap();
    assert!(text.contains("(addTrack: "), "{text}");
    assert!(text.contains("refused by the test"), "{text}");
    wait_for("the call over", 3_000.0, || {
        status(&a, "data-call") == "idle"
    })
    .await;
    // The page still works: a call now goes through to connecting.
    click_user(&a, "hal");
    wait_for("a new call", 5_000.0, || status(&a, "data-call") != "idle").await;
    relay.destroy_all();
}
