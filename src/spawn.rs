//! One `spawn_local` for the whole crate. wasm-bindgen-futures' `spawn_local` is generic over
//! the future, and each of its copies carries the task set-up (task, waker, run queue, JSPI
//! check) inlined; here every future is boxed first, so that set-up exists once (measured in the
//! README, "Bundle size").

use std::future::Future;
use std::pin::Pin;

/// Runs `future` on the browser's microtask queue, as `wasm_bindgen_futures::spawn_local`.
pub(crate) fn spawn_local(future: impl Future<Output = ()> + 'static) {
    spawn_boxed(Box::pin(future));
}

#[inline(never)]
fn spawn_boxed(future: Pin<Box<dyn Future<Output = ()>>>) {
    wasm_bindgen_futures::spawn_local(future);
}
