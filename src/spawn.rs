//! One `spawn_local` for the whole crate. wasm-bindgen-futures' `spawn_local` is generic over
//! the future, and each of its copies carries the task set-up (task, waker, run queue, JSPI
//! check) inlined; here every future is boxed first, so that set-up exists once (measured in the
//! README, "Bundle size").

use alloc::boxed::Box;
use core::future::Future;
use core::pin::Pin;

use js_sys::Promise;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

/// Runs `future` on the browser's microtask queue, as `wasm_bindgen_futures::spawn_local`.
pub(crate) fn spawn_local(future: impl Future<Output = ()> + 'static) {
    spawn_boxed(Box::pin(future));
}

#[inline(never)]
fn spawn_boxed(future: Pin<Box<dyn Future<Output = ()>>>) {
    wasm_bindgen_futures::spawn_local(future);
}

/// Calls `then` with the outcome of `promise` once it settles. For the promises the page only
/// waits on (stats, send steps, the digest, `replaceTrack`): one async body for all of them,
/// each caller's part a plain closure (README, "Bundle size").
pub(crate) fn settle(promise: Promise, then: impl FnOnce(Result<JsValue, JsValue>) + 'static) {
    settle_boxed(promise, Box::new(then));
}

#[inline(never)]
fn settle_boxed(promise: Promise, then: Box<dyn FnOnce(Result<JsValue, JsValue>)>) {
    spawn_local(async move { then(JsFuture::from(promise).await) });
}
