//! The wasm-bindgen exports: `mount`, the `ChatApp` handle, `liveListeners`, and the start
//! function that auto-mounts on `<body data-webrtc-chat-autostart>`.

use std::cell::RefCell;

use wasm_bindgen::prelude::*;
use web_sys::Element;

use crate::app::App;
use crate::live;

/// A mounted client. Every method takes `&self`, so a host may call any of them from inside
/// one of our callbacks (its `send` function, say) without wasm-bindgen's borrow error.
#[wasm_bindgen]
pub struct ChatApp {
    app: App,
}

#[wasm_bindgen]
impl ChatApp {
    /// Host transport: a frame from the server (any JS value; only strings can be messages).
    /// Taken as a `JsValue` so an oversize frame is refused before it is copied into wasm.
    #[wasm_bindgen(js_name = handleMessage)]
    pub fn handle_message(&self, frame: JsValue) {
        self.app.input(crate::signaling::decode(&frame));
    }

    /// Host transport: the connection to the server is gone.
    #[wasm_bindgen(js_name = handleClose)]
    pub fn handle_close(&self) {
        self.app.input(chat_core::Input::SocketClosed);
    }

    /// Removes every listener, closes the socket and the peer connection, stops the camera,
    /// and empties the root if `mount` filled it. Idempotent.
    pub fn destroy(&self) {
        self.app.destroy();
    }
}

impl Drop for ChatApp {
    fn drop(&mut self) {
        self.app.destroy();
    }
}

/// Mounts a client on `root`: uses the page-contract elements inside it, or creates them when
/// the root has none. `options` (an object, or `undefined`) takes the keys of the JSON config
/// block (`signal`, `iceServers`, `iceTransportPolicy`, `iceUrl`, `turn`, `turnUser`,
/// `turnPass`, `constraints`), plus `send(text)` and `connect()` for a host transport.
#[wasm_bindgen]
pub fn mount(root: Element, options: JsValue) -> Result<ChatApp, JsValue> {
    Ok(ChatApp {
        app: App::mount(&root, &options)?,
    })
}

/// Live event listeners and timers over all clients in the page (a leak detector for tests).
#[wasm_bindgen(js_name = liveListeners)]
pub fn live_listeners() -> u32 {
    live::live()
}

thread_local! {
    /// The auto-mounted client lives as long as the page; there is no one to hand it to.
    static AUTO: RefCell<Option<ChatApp>> = const { RefCell::new(None) };
}

/// Auto-mounts on `document.body` when the page opts in with `data-webrtc-chat-autostart`, so
/// index.html works standalone while a host page keeps full control through `mount`.
#[wasm_bindgen(start)]
pub fn start() {
    let Some(body) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.body())
    else {
        return;
    };
    if !body.has_attribute("data-webrtc-chat-autostart") {
        return;
    }
    match mount(body.into(), JsValue::UNDEFINED) {
        Ok(app) => AUTO.with(|a| *a.borrow_mut() = Some(app)),
        Err(e) => web_sys::console::error_1(&e),
    }
}
