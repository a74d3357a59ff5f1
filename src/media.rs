//! The camera and microphone: `getUserMedia`, its failures as the core's `MediaError`.

use chat_core::call::MediaError;
use js_sys::{Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{MediaStream, MediaStreamTrack};

use crate::error::{prop, JsError};

/// `navigator.mediaDevices.getUserMedia(constraints)`; `{audio: true, video: true}` when
/// `constraints` is `None`.
pub async fn get_user_media(constraints: Option<&JsValue>) -> Result<MediaStream, MediaError> {
    get_user_media_thrown(constraints)
        .await
        .map_err(|e| media_error(&e))
}

/// [`get_user_media`] failing with what was thrown, whole (the tutorial-compatible functions
/// hand it to the page's `handleGetUserMediaError`, which reads its `name`).
pub(crate) async fn get_user_media_thrown(
    constraints: Option<&JsValue>,
) -> Result<MediaStream, JsValue> {
    let default;
    let constraints = match constraints {
        Some(c) => c,
        None => {
            let c = Object::new();
            let _ = Reflect::set(&c, &"audio".into(), &JsValue::TRUE);
            let _ = Reflect::set(&c, &"video".into(), &JsValue::TRUE);
            default = JsValue::from(c);
            &default
        }
    };
    let no_media = || JsValue::from(js_sys::TypeError::new("no navigator.mediaDevices"));
    // `mediaDevices` is absent outside a secure context (http on a non-localhost host).
    let devices = web_sys::window()
        .ok_or_else(no_media)?
        .navigator()
        .media_devices()?;
    let promise = devices.get_user_media_with_constraints(constraints.unchecked_ref())?;
    let stream = JsFuture::from(promise).await?;
    stream.dyn_into().map_err(|_| no_media())
}

/// Maps what `getUserMedia` threw (a `DOMException`, or an `OverconstrainedError`, which is
/// not one in every browser) to the core's error, keeping the name, message and constraint.
pub fn media_error(thrown: &JsValue) -> MediaError {
    let JsError { name, message } = JsError::from_js(thrown);
    let constraint = prop(thrown, "constraint");
    MediaError::from_exception(&name, &message, constraint.as_deref())
}

/// A camera and microphone stream of ours, stopped by whoever drops it: the app holding it
/// for its call, or, if it arrives too late for that (the app destroyed, the call over, a
/// newer call's stream already held), the event that brought it.
pub(crate) struct LocalStream(MediaStream);

impl LocalStream {
    pub fn stream(&self) -> &MediaStream {
        &self.0
    }

    /// The person's switches (the core's `LocalMedia`): a disabled track sends silence or
    /// black frames, so the call goes on without renegotiating.
    pub fn set_enabled(&self, audio: bool, video: bool) {
        for track in self.0.get_audio_tracks() {
            track
                .unchecked_into::<MediaStreamTrack>()
                .set_enabled(audio);
        }
        for track in self.0.get_video_tracks() {
            track
                .unchecked_into::<MediaStreamTrack>()
                .set_enabled(video);
        }
    }
}

impl Drop for LocalStream {
    fn drop(&mut self) {
        stop(&self.0);
    }
}

/// [`get_user_media`], owned: the stream is stopped when the result is dropped, whoever drops
/// it. The browser is asked at once, not when the future is first polled (a task queued behind
/// the rest of the current event): the camera is on the path of a call's setup.
pub(crate) fn acquire(
    constraints: Option<&JsValue>,
) -> impl core::future::Future<Output = Result<LocalStream, MediaError>> {
    let asked = request(constraints);
    async move {
        let stream = JsFuture::from(asked?).await.map_err(|e| media_error(&e))?;
        stream
            .dyn_into()
            .map(LocalStream)
            .map_err(|_| MediaError::Type)
    }
}

/// `navigator.mediaDevices.getUserMedia(constraints)` called now.
fn request(constraints: Option<&JsValue>) -> Result<js_sys::Promise, MediaError> {
    let devices = web_sys::window()
        .ok_or(MediaError::Type)?
        .navigator()
        .media_devices()
        .map_err(|e| media_error(&e))?;
    let promise = match constraints {
        Some(c) => devices.get_user_media_with_constraints(c.unchecked_ref()),
        None => devices.get_user_media(),
    };
    promise.map_err(|e| media_error(&e))
}

/// `navigator.mediaDevices.getDisplayMedia()`, owned like [`acquire`]'s stream.
pub(crate) async fn acquire_display() -> Result<LocalStream, MediaError> {
    let devices = web_sys::window()
        .ok_or(MediaError::Type)?
        .navigator()
        .media_devices()
        .map_err(|e| media_error(&e))?;
    let promise = devices.get_display_media().map_err(|e| media_error(&e))?;
    let stream = JsFuture::from(promise).await.map_err(|e| media_error(&e))?;
    stream
        .dyn_into()
        .map(LocalStream)
        .map_err(|_| MediaError::Type)
}

/// The stream's first video track.
pub fn video_track(stream: &MediaStream) -> Option<MediaStreamTrack> {
    first_track(&stream.get_video_tracks())
}

/// The first of a stream's tracks, if it has one. A `MediaStream`'s tracks are
/// `MediaStreamTrack`s (the stream itself is checked where it comes in): no checked cast here
/// or at the other track loops, each an `instanceof` call (README, "Bundle size").
pub fn first_track(tracks: &js_sys::Array) -> Option<MediaStreamTrack> {
    let track = tracks.get(0);
    (!track.is_undefined()).then(|| track.unchecked_into())
}

/// Stops every track of the stream: turns the camera light off.
pub fn stop(stream: &MediaStream) {
    for track in stream.get_tracks() {
        track.unchecked_into::<MediaStreamTrack>().stop();
    }
}
