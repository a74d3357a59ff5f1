//! The event queue: every callback (DOM, socket, peer connection, timer, promise) pushes an
//! [`Event`] through an [`Inbox`], and one loop drains the queue into the handler (the app's
//! action executor), one event at a time.
//!
//! Re-entrancy: callbacks never touch the state directly. An event raised while the loop runs
//! (a JS call that comes straight back to us) waits in the queue. So no `RefCell` is ever
//! borrowed twice, and no `BorrowMutError` panic is possible.
//!
//! This module depends on nothing of the app: the event sources (`signaling`, `peer`, `view`)
//! import [`Inbox`] from here, and the app imports them, without a cycle.

use alloc::rc::{Rc, Weak};
use alloc::vec::Vec;
use core::cell::{Cell, RefCell};

use chat_core::call::{CallId, MediaError};
use chat_core::Input;

use crate::config::Ice;
use crate::media::LocalStream;

/// What reaches the app from outside the drain loop.
pub(crate) enum Event {
    Input(Input),
    /// `getUserMedia` settled for this call. Dropping the event (the app destroyed meanwhile)
    /// stops the stream.
    Media {
        call: CallId,
        result: Result<LocalStream, MediaError>,
    },
    /// Fresh ICE servers from `iceUrl` or the relay's `/ice-servers`.
    /// With how many seconds their credentials last (`ttl`), when known.
    Ice(Ice, Option<u32>),
    /// `getDisplayMedia` settled for this call's screen share (dropping it stops the stream).
    Display {
        call: CallId,
        result: Result<LocalStream, MediaError>,
    },
    /// `getUserMedia` of a device switch settled (`Action::SwitchDevice`).
    Switched {
        call: CallId,
        kind: chat_core::devices::DeviceKind,
        send: bool,
        result: Result<LocalStream, MediaError>,
    },
}

/// Handles the events, one at a time, from inside the drain loop.
pub(crate) trait Handler {
    fn handle(&mut self, event: Event, inbox: &Inbox);
}

/// Where an [`Inbox`] delivers (a [`Queue`] of any handler).
trait Sink {
    fn push(self: Rc<Self>, event: Event);
}

/// Where callbacks send events. Holds the queue weakly: a callback that outlives the app (a
/// late promise) finds nobody, and its event is dropped.
#[derive(Clone)]
pub(crate) struct Inbox(Weak<dyn Sink>);

impl Inbox {
    pub fn input(&self, input: Input) {
        self.event(Event::Input(input));
    }

    pub fn event(&self, event: Event) {
        if let Some(sink) = self.0.upgrade() {
            sink.push(event);
        }
    }
}

pub(crate) struct Queue<H> {
    /// Oldest first. A `Vec` rather than a `VecDeque`: the queue rarely holds more than a few
    /// events, and the page then carries one growable buffer type less (README, "Bundle size").
    events: RefCell<Vec<Event>>,
    draining: Cell<bool>,
    close_requested: Cell<bool>,
    /// `None` before [`Queue::start`] and once closed. Borrowed only by the drain loop.
    handler: RefCell<Option<H>>,
}

impl<H: Handler + 'static> Queue<H> {
    pub fn new() -> Rc<Queue<H>> {
        Rc::new(Queue {
            events: RefCell::new(Vec::new()),
            draining: Cell::new(false),
            close_requested: Cell::new(false),
            handler: RefCell::new(None),
        })
    }

    pub fn inbox(self: &Rc<Self>) -> Inbox {
        let weak: Weak<Queue<H>> = Rc::downgrade(self);
        Inbox(weak)
    }

    /// Installs the handler; events pushed before wait for it.
    pub fn start(self: &Rc<Self>, handler: H) {
        if let Ok(mut slot) = self.handler.try_borrow_mut() {
            *slot = Some(handler);
        }
        self.drain();
    }

    pub fn push(self: &Rc<Self>, event: Event) {
        // Never borrowed across a call, so this always succeeds; a failure would drop one event
        // rather than panic.
        if let Ok(mut events) = self.events.try_borrow_mut() {
            events.push(event);
        }
        self.drain();
    }

    /// Drops the handler (and with it everything it owns) and every queued event. Idempotent;
    /// from inside a callback of this queue it happens when the current event is done.
    pub fn close(self: &Rc<Self>) {
        self.close_requested.set(true);
        self.drain();
    }

    fn drain(self: &Rc<Self>) {
        if self.draining.replace(true) {
            return; // The loop below, further up the stack, will get to it.
        }
        let inbox = self.inbox();
        loop {
            if self.close_requested.get() {
                let handler = self
                    .handler
                    .try_borrow_mut()
                    .ok()
                    .and_then(|mut h| h.take());
                drop(handler);
                self.clear();
                break;
            }
            let Ok(mut handler) = self.handler.try_borrow_mut() else {
                break;
            };
            let Some(handler) = handler.as_mut() else {
                break; // Not started yet: the events wait.
            };
            let Some(event) = self
                .events
                .try_borrow_mut()
                .ok()
                .filter(|q| !q.is_empty())
                .map(|mut q| q.remove(0))
            else {
                break;
            };
            handler.handle(event, &inbox);
        }
        self.draining.set(false);
    }

    fn clear(&self) {
        // Taken out before dropping: dropping an event may run JS (stopping a camera).
        let events = self
            .events
            .try_borrow_mut()
            .map(|mut q| core::mem::take(&mut *q));
        drop(events);
    }
}

impl<H: Handler + 'static> Sink for Queue<H> {
    fn push(self: Rc<Self>, event: Event) {
        Queue::push(&self, event);
    }
}
