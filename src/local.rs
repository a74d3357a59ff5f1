//! [`Local`]: page-wide state in a `static`, in place of std's `thread_local!` (the page is built
//! without std: README, "Bundle size").

use core::ops::Deref;

// What makes `Local` sound: one thread. A build with shared memory must not compile.
#[cfg(target_feature = "atomics")]
compile_error!("webrtc-chat's `Local` statics assume wasm32 without threads (no `atomics`)");

/// A value in a `static` (a `Cell` or `RefCell`, as in a `thread_local!`), for wasm32's one
/// thread. Reached as the `thread_local!` key it replaces: `with`, or the cell's own methods.
pub(crate) struct Local<T>(T);

// SAFETY: `Sync` is what lets a `static` hold a `Cell`, a `RefCell` or JS handles, none of which
// may be shared between threads. This crate is built for wasm32-unknown-unknown without the
// `atomics` target feature (checked above): one thread, no shared memory, no worker running this
// module's code on the same memory. So no second thread can reach the value, as for the global
// allocator in src/lib.rs.
#[allow(unsafe_code)]
unsafe impl<T> Sync for Local<T> {}

impl<T> Local<T> {
    pub(crate) const fn new(value: T) -> Local<T> {
        Local(value)
    }

    /// As `LocalKey::with`.
    pub(crate) fn with<R>(&'static self, f: impl FnOnce(&T) -> R) -> R {
        f(&self.0)
    }
}

impl<T> Deref for Local<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}
