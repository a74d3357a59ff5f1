//! The wasm-bindgen exports: `mount`, the `ChatApp` handle, `liveListeners`, and the start
//! function that auto-mounts on `<body data-webrtc-chat-autostart>`.

use std::cell::RefCell;

use wasm_bindgen::prelude::*;
use web_sys::Element;

use crate::app::App;
use crate::live;

// Comments on exports are `//`, not `///`: wasm-bindgen copies doc comments into the shipped
// JS glue.

// A mounted client. Every method takes `&self`, so a host may call any of them from inside
// one of our callbacks (its `send` function, say) without wasm-bindgen's borrow error.
// Dropping the handle does not unmount: a client runs until `destroy()`.
#[wasm_bindgen]
pub struct ChatApp {
    app: App,
}

#[wasm_bindgen]
impl ChatApp {
    // Host transport: a frame from the server (any JS value; only strings can be messages).
    // Taken as a `JsValue` so an oversize frame is refused before it is copied into wasm.
    #[wasm_bindgen(js_name = handleMessage)]
    pub fn handle_message(&self, #[wasm_bindgen(unchecked_param_type = "string")] frame: JsValue) {
        self.app.input(crate::signaling::decode(&frame));
    }

    // Host transport: the connection to the server is gone.
    #[wasm_bindgen(js_name = handleClose)]
    pub fn handle_close(&self) {
        self.app.input(chat_core::Input::SocketClosed);
    }

    // What the person can do in the page, for a host with its own controls: log in (or change
    // name), call a user, hang up, chat. Same rules as the page's buttons (errors show in
    // `#error` and as `webrtc-chat:error` events).
    pub fn login(&self, name: String) {
        self.app.input(chat_core::Input::Login { name });
    }

    pub fn call(&self, name: String) {
        self.app.input(chat_core::Input::CallUser { name });
    }

    #[wasm_bindgen(js_name = hangUp)]
    pub fn hang_up(&self) {
        self.app.input(chat_core::Input::HangUp);
    }

    // With `autoAccept: false`: answer or refuse the call announced by `incoming-call`.
    pub fn accept(&self) {
        self.app.input(chat_core::Input::Accept);
    }

    pub fn decline(&self) {
        self.app.input(chat_core::Input::Decline);
    }

    #[wasm_bindgen(js_name = sendChat)]
    pub fn send_chat(&self, text: String) {
        self.app.input(chat_core::Input::SendChat { text });
    }

    // Removes every listener and timer, closes the socket and the peer connection, stops the
    // camera, and empties the root if `mount` filled it. Idempotent.
    pub fn destroy(&self) {
        MOUNTED.with(|m| {
            if let Ok(mut m) = m.try_borrow_mut() {
                m.retain(|a| !a.same(&self.app));
            }
        });
        self.app.destroy();
    }
}

// The .d.ts for `mount`'s options and events (only in the .d.ts: not in the wasm or the JS).
#[wasm_bindgen(typescript_custom_section)]
const MOUNT_OPTIONS: &str = r#"
/** `mount(root, options)`: every key optional. Query parameters of the page still win. */
export interface MountOptions {
    /** Signaling WebSocket URL (subprotocol `json`). Default: this page's origin, path `/signal`. */
    signal?: string;
    iceServers?: RTCIceServer[];
    iceTransportPolicy?: "all" | "relay";
    /** Fetch `{iceServers, iceTransportPolicy?}` from here (time-limited TURN credentials). */
    iceUrl?: string;
    turn?: string;
    turnUser?: string;
    turnPass?: string;
    constraints?: MediaStreamConstraints;
    /** Log in with this name at once. */
    name?: string;
    /** Accept incoming calls at once (default, as the tutorial); `false`: an `incoming-call`
     * event, then `accept()` or `decline()`. */
    autoAccept?: boolean;
    /** Host transport: the host keeps the WebSocket, we call `send(text)` for every frame and
     * the host feeds us frames with `handleMessage(text)` (and `handleClose()`). */
    send?: (text: string) => void;
    /** Host transport: called when the client wants to (re)connect. */
    connect?: () => void;
    /** Every event, also dispatched on `root` as a `webrtc-chat:<type>` CustomEvent. */
    onEvent?: (type: ChatEventType, detail: ChatEventDetail) => void;
}

export type ChatEventType = "state" | "call-started" | "call-ended" | "error" | "incoming-call"
    | "quality" | "sas";

export interface ChatEventDetail {
    /** state: "open" | "closed". */
    socket?: string;
    /** state: "idle" | "starting-media" | "connecting" | "connected" | "reconnecting". */
    call?: string;
    /** state, call-started, call-ended: the other person. */
    peer?: string | null;
    ice?: string | null;
    gathering?: string | null;
    signaling?: string | null;
    /** call-ended: whether media ever flowed. */
    connected?: boolean;
    /** call-ended: why: "hung-up" | "declined" (by this person), "peer-hung-up" | "peer-busy" |
     * "peer-declined" | "peer-left" | "peer-media" | "peer-failed" (the other side), "media" |
     * "failed" | "lost" | "error" (this side's camera, network path, connection, or browser). */
    reason?: string;
    /** error; call-ended: the notice shown, if any. */
    message?: string | null;
    /** incoming-call: the caller. */
    from?: string;
    /** quality: the call's quality level changed (thresholds in core/src/quality.rs). */
    level?: "good" | "fair" | "poor";
    /** sas: the call's verification code ("330 502"); `null` when it no longer applies. */
    code?: string | null;
}
"#;

thread_local! {
    /// Every client from `mount` until its `destroy()`: a host that drops the handle (or never
    /// keeps it, like the autostart) must not see its client vanish at the next GC.
    static MOUNTED: RefCell<Vec<App>> = const { RefCell::new(Vec::new()) };
}

// Mounts a client on `root`: uses the page-contract elements inside it, or creates them when
// the root has none. `options` (an object, or `undefined`) takes the keys of the JSON config
// block (`signal`, `iceServers`, `iceTransportPolicy`, `iceUrl`, `turn`, `turnUser`,
// `turnPass`, `constraints`), plus `send(text)` and `connect()` for a host transport, `name`
// (log in at once), and `onEvent(type, detail)` (the events of src/host.rs, which are also
// dispatched on `root` as `webrtc-chat:<type>` DOM events).
#[wasm_bindgen]
pub fn mount(
    #[wasm_bindgen(unchecked_param_type = "Element")] root: JsValue,
    #[wasm_bindgen(unchecked_param_type = "MountOptions | undefined")] options: JsValue,
) -> Result<ChatApp, JsValue> {
    // Checked here: wasm-bindgen does not check the JS type of an `Element` parameter.
    let root: Element = root
        .dyn_into()
        .map_err(|_| js_sys::TypeError::new("webrtc-chat: mount needs an Element"))?;
    let app = App::mount(&root, &options)?;
    MOUNTED.with(|m| {
        if let Ok(mut m) = m.try_borrow_mut() {
            m.push(app.clone());
        }
    });
    Ok(ChatApp { app })
}

// Live event listeners and timers over all clients in the page (a leak detector for tests).
#[wasm_bindgen(js_name = liveListeners)]
pub fn live_listeners() -> u32 {
    live::live()
}

// Auto-mounts on `document.body` when the page opts in with `data-webrtc-chat-autostart`, so
// index.html works standalone while a host page keeps full control through `mount`.
#[wasm_bindgen(start)]
pub fn start() {
    let Some(body) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.body())
    else {
        return;
    };
    if body.has_attribute("data-webrtc-chat-autostart") {
        if let Err(e) = mount(body.into(), JsValue::UNDEFINED) {
            web_sys::console::error_1(&e);
        }
    }
}
