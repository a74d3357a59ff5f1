//! getUserMedia against the browser's fake camera and microphone (webdriver.json).
#![cfg(target_arch = "wasm32")]

use chat_core::call::MediaError;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{MediaStream, MediaStreamTrack};
use webrtc_chat::media::{get_user_media, stop};

wasm_bindgen_test_configure!(run_in_browser);

fn tracks(stream: &MediaStream) -> Vec<MediaStreamTrack> {
    stream
        .get_tracks()
        .iter()
        .map(|t| t.dyn_into().expect("a track"))
        .collect()
}

#[wasm_bindgen_test]
async fn fake_camera_gives_audio_and_video() {
    let stream = get_user_media(None)
        .await
        .expect("the fake camera and microphone");
    assert_eq!(stream.get_video_tracks().length(), 1);
    assert_eq!(stream.get_audio_tracks().length(), 1);
    let all = tracks(&stream);
    assert!(all
        .iter()
        .all(|t| t.ready_state() == web_sys::MediaStreamTrackState::Live));
    stop(&stream);
    assert!(all
        .iter()
        .all(|t| t.ready_state() == web_sys::MediaStreamTrackState::Ended));
}

#[wasm_bindgen_test]
async fn impossible_constraint_is_overconstrained() {
    let constraints = js_sys::JSON::parse(r#"{"video":{"width":{"exact":99999}}}"#).unwrap();
    let error = get_user_media(Some(&constraints))
        .await
        .expect_err("no camera is 99999 pixels wide");
    assert_eq!(
        error,
        MediaError::Overconstrained {
            constraint: "width".into()
        }
    );
    let message = error.user_message();
    assert!(message.contains("requested settings"), "{message}");
    assert!(message.contains("width"), "{message}");
    // Clean state: the camera is still usable right after.
    let stream = get_user_media(None)
        .await
        .expect("the camera after a failure");
    assert_eq!(stream.get_video_tracks().length(), 1);
    stop(&stream);
}
