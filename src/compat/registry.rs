//! What the tutorial keeps no global for, owned here:
//! - per peer connection ([`Slots`]): our listeners on it (the seven handlers, `removetrack` on
//!   its remote stream, the candidate flush), the ICE grace timer, and perfect negotiation's
//!   flags. One connection at a time, as in the tutorial: asking for another connection's
//!   slots drops the old ones, which removes their listeners and clears their timer. So slots
//!   never outlive the page's move to a new connection, even when a JavaScript `closeVideoCall`
//!   that knows nothing of them closed the old one (a closed connection fires no events, so
//!   the listeners could not run meanwhile anyway).
//! - remote candidates that arrived before they could be applied, by sender (PROTOCOL bug 6),
//!   in the core's `CandidateBuffer`.
//!
//! The cells are only borrowed inside this module, never across a call into the page, so a
//! page function that calls back into us cannot meet a borrowed cell.

use alloc::string::String;
use alloc::vec::Vec;
use core::cell::RefCell;

use chat_core::rules::{CandidateBuffer, GracePeriod};
use web_sys::RtcPeerConnection;

use super::globals;
use crate::live::{Listener, Timer};
use crate::local::Local;

#[derive(Default)]
pub(super) struct Slots {
    /// The handlers our `createPeerConnection` attached.
    pub handlers: Vec<Listener>,
    /// `removetrack` on the remote stream, and that stream's id.
    pub remote: Option<(String, Listener)>,
    /// Applies buffered candidates once a remote description is set.
    pub flush: Option<Listener>,
    /// ICE `disconnected`: the core's grace period, and its timer.
    pub grace: GracePeriod,
    pub grace_timer: Option<Timer>,
    /// MDN's `makingOffer`: our `setLocalDescription()` for an offer is under way.
    pub making_offer: bool,
    /// MDN's `isSettingRemoteAnswerPending`.
    pub answer_pending: bool,
    /// MDN's `ignoreOffer`: we (impolite) ignored a colliding offer, so its candidates fail.
    pub ignore_offer: bool,
}

struct Entry {
    pc: RtcPeerConnection,
    slots: Slots,
}

static PEER: Local<RefCell<Option<Entry>>> = Local::new(RefCell::new(None));
static EARLY: Local<RefCell<CandidateBuffer>> = Local::new(RefCell::new(CandidateBuffer::new()));

/// Runs `f` on the slots of `pc`. They are created when `pc` is the page's current connection
/// (dropping another connection's); for a connection the page has left (an `await` outlived
/// its call) there is nothing to keep, and `f` does not run. `f` must not call into the page;
/// building and dropping listeners is fine.
pub(super) fn with<R>(pc: &RtcPeerConnection, f: impl FnOnce(&mut Slots) -> R) -> Option<R> {
    let known = PEER.with(|cell| {
        cell.try_borrow()
            .is_ok_and(|e| e.as_ref().is_some_and(|e| js_sys::Object::is(&e.pc, pc)))
    });
    if !known {
        if !globals::is_current(pc) {
            return None;
        }
        let stale = PEER.with(|cell| {
            let mut entry = cell.try_borrow_mut().ok()?;
            entry.replace(Entry {
                pc: pc.clone(),
                slots: Slots::default(),
            })
        });
        // Dropped outside the borrow: removing listeners is a call into the browser.
        drop(stale);
    }
    PEER.with(|cell| {
        let mut entry = cell.try_borrow_mut().ok()?;
        entry
            .as_mut()
            .filter(|e| js_sys::Object::is(&e.pc, pc))
            .map(|e| f(&mut e.slots))
    })
}

/// Drops every slot: our listeners, the grace timer, the flags. For `closeVideoCall`.
pub(super) fn release() {
    let entry = PEER.with(|cell| cell.try_borrow_mut().ok().and_then(|mut e| e.take()));
    drop(entry);
}

/// Early candidates (the core's buffer, PROTOCOL bug 6), by sender; `f` must not call into
/// the page.
pub(super) fn early<R: Default>(f: impl FnOnce(&mut CandidateBuffer) -> R) -> R {
    EARLY.with(|cell| {
        cell.try_borrow_mut()
            .map(|mut b| f(&mut b))
            .unwrap_or_default()
    })
}
