//! The wasm-bindgen exports: `mount`, the `ChatApp` handle, and the start function that
//! auto-mounts on `<body data-webrtc-chat-autostart>`; their TypeScript declarations.
//!
//! Doc comments (`///`) on the exports reach the package's `.d.ts` (for editors); the JS glue
//! gets them too, and loses them again to terser (scripts/shrink-bundle.mjs).

use alloc::string::String;
use alloc::vec::Vec;
use core::cell::RefCell;

use wasm_bindgen::prelude::*;
use web_sys::Element;

use crate::app::App;
use crate::live;
use crate::local::Local;

/// A mounted client. Every method takes `&self`, so a host may call any of them from inside
/// one of our callbacks (its `send` function, say). Dropping the handle does not unmount: a
/// client runs until `destroy()`.
#[wasm_bindgen]
pub struct ChatApp {
    app: App,
}

#[wasm_bindgen]
impl ChatApp {
    /// Host transport: a frame from the server, as the host's WebSocket received it. Any
    /// value is safe to pass; only a string can be a message.
    #[wasm_bindgen(js_name = handleMessage)]
    pub fn handle_message(&self, #[wasm_bindgen(unchecked_param_type = "string")] frame: JsValue) {
        self.app.input(crate::signaling::decode(&frame));
    }

    /// Host transport: the host's connection to the server is gone.
    #[wasm_bindgen(js_name = handleClose)]
    pub fn handle_close(&self) {
        self.app.input(chat_core::Input::SocketClosed);
    }

    /// Logs in with `name` (or changes name), as the page's Log in button. Like every action
    /// below, a refusal shows in `#error` and as a `webrtc-chat:error` event.
    pub fn login(&self, name: String) {
        self.app.input(chat_core::Input::Login { name });
    }

    /// Calls the user `name`, as a click on their name in the user list.
    pub fn call(&self, name: String) {
        self.app.input(chat_core::Input::CallUser { name });
    }

    /// Ends the current call, as the Hang Up button.
    #[wasm_bindgen(js_name = hangUp)]
    pub fn hang_up(&self) {
        self.app.input(chat_core::Input::HangUp);
    }

    /// Answers the ringing call announced by `webrtc-chat:incoming-call` (as `#accept-button`).
    pub fn accept(&self) {
        self.app.input(chat_core::Input::Accept);
    }

    /// Refuses the ringing call announced by `webrtc-chat:incoming-call` (as `#decline-button`):
    /// the caller is told it was declined.
    pub fn decline(&self) {
        self.app.input(chat_core::Input::Decline);
    }

    /// Mutes or unmutes the microphone (as `#mute-button`): the peer sees it
    /// (`webrtc-chat:peer-state`); it holds across calls.
    #[wasm_bindgen(js_name = setMuted)]
    pub fn set_muted(&self, muted: bool) {
        self.app.input(chat_core::Input::SetMuted { muted });
    }

    /// Turns the camera off or on (as `#camera-button`): the peer sees it; it holds across calls.
    #[wasm_bindgen(js_name = setCamera)]
    pub fn set_camera(&self, on: bool) {
        self.app.input(chat_core::Input::SetCamera { on });
    }

    /// Shares the screen in place of the camera during a call (as `#share-button`); `false`, or
    /// the browser's own "stop sharing", brings the camera back. No renegotiation.
    #[wasm_bindgen(js_name = shareScreen)]
    pub fn share_screen(&self, on: bool) {
        self.app.input(chat_core::Input::ShareScreen { on });
    }

    /// Picks the camera (`kind` `"camera"`) or microphone (`"mic"`) by its `deviceId` (`""`:
    /// the browser's default), as `#camera-select` / `#mic-select`: switched mid-call without
    /// renegotiating, and used for the next calls. The devices to pick from come in
    /// `webrtc-chat:devices` events. Throws a `TypeError` for another `kind`.
    #[wasm_bindgen(js_name = selectDevice)]
    pub fn select_device(
        &self,
        #[wasm_bindgen(unchecked_param_type = "\"camera\" | \"mic\"")] kind: String,
        #[wasm_bindgen(js_name = deviceId)] device_id: String,
    ) -> Result<(), JsValue> {
        let kind = chat_core::devices::DeviceKind::parse(&kind)
            .ok_or_else(|| js_sys::TypeError::new("webrtc-chat: kind is \"camera\" or \"mic\""))?;
        self.app.input(chat_core::Input::SelectDevice {
            kind,
            id: device_id,
        });
        Ok(())
    }

    /// Sends a chat line, as the page's Send button.
    #[wasm_bindgen(js_name = sendChat)]
    pub fn send_chat(&self, text: String) {
        self.app.input(chat_core::Input::SendChat { text });
    }

    /// Removes every listener and timer, closes the socket and the peer connection, stops the
    /// camera, and empties the root if `mount` filled it. Idempotent.
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
// Kept in step with src/host.rs, which emits the events.
#[wasm_bindgen(typescript_custom_section)]
const MOUNT_OPTIONS: &str = r#"
/** `mount(root, options)`: every key optional. The page's query parameters still win. */
export interface MountOptions {
    /** Signaling WebSocket URL (subprotocol `json`). Default: this page's origin, path `/signal`. */
    signal?: string;
    /** Passed to `new RTCPeerConnection`. Default: the tutorial's TURN server on this page's host. */
    iceServers?: RTCIceServer[];
    iceTransportPolicy?: "all" | "relay";
    /** Fetch `{iceServers, iceTransportPolicy?}` from here (time-limited TURN credentials). */
    iceUrl?: string;
    /** One TURN server, instead of `iceServers`. */
    turn?: string;
    turnUser?: string;
    turnPass?: string;
    /** For `getUserMedia`. Default `{audio: true, video: true}`. */
    constraints?: MediaStreamConstraints;
    /** Log in with this name at once. */
    name?: string;
    /** Accept incoming calls at once, as the tutorial (kiosks, tests). Default `false` where the
     * root has `#accept-button`: a call rings (`incoming-call` event, `#accept-button` /
     * `#decline-button`) until `accept()` or `decline()`, unanswered for 30 s it stops (reason
     * `timeout`); `true` on a page without one (the tutorial's). Also `?autoAccept=1`. */
    autoAccept?: boolean;
    /** Host transport: the host keeps the WebSocket, we call `send(text)` for every frame and
     * the host feeds us frames with `handleMessage(text)` (and `handleClose()`). */
    send?: (text: string) => void;
    /** Host transport: called when the client wants to (re)connect. */
    connect?: () => void;
    /** Every event, also dispatched on `root` as a `webrtc-chat:<type>` `CustomEvent`. */
    onEvent?: (...event: ChatEvent) => void;
}

/** The state of the call, as `#status`'s `data-call` shows it. */
/** "ringing": a call rings here; "calling": ours rings there, not answered yet. */
export type CallPhase =
    | "idle" | "starting-media" | "connecting" | "connected" | "reconnecting" | "ringing" | "calling";

/** `webrtc-chat:state`: whenever the status line changes (the `#status` attributes). */
export interface ChatStateDetail {
    socket: "open" | "closed";
    call: CallPhase;
    /** The other person of the call, if there is one. */
    peer: string | null;
    /** The peer connection's `iceConnectionState`, during a call. */
    ice: RTCIceConnectionState | null;
    /** Its `iceGatheringState`. */
    gathering: RTCIceGatheringState | null;
    /** Its `signalingState`. */
    signaling: RTCSignalingState | null;
}

/** `webrtc-chat:call-started`: media is flowing (ICE connected). */
export interface ChatCallStartedDetail {
    peer: string;
}

/** `webrtc-chat:call-ended`: the call is over, whoever ended it. */
export interface ChatCallEndedDetail {
    peer: string;
    /** Whether media ever flowed (`call-started` went out). */
    connected: boolean;
    /** Why: "hung-up" | "declined" (by this person), "peer-hung-up" | "peer-busy" |
     * "peer-declined" | "peer-left" | "peer-media" | "peer-failed" (the other side), "media" |
     * "failed" | "lost" | "error" (this side's camera, network path, connection, or browser),
     * "cancelled" (we hung up before an answer), "missed" (the caller gave up while it rang
     * here), "timeout" (unanswered for 30 s, either side). */
    reason: string;
    /** The notice shown to the person ("bob hung up."), if any. */
    message: string | null;
}

/** `webrtc-chat:error`: an error or notice shown to the person. */
export interface ChatErrorDetail {
    message: string;
}

/** `webrtc-chat:incoming-call`: with `autoAccept: false`, waiting for `accept()` or `decline()`. */
export interface ChatIncomingCallDetail {
    /** The caller. */
    from: string;
}

/** `webrtc-chat:peer-state`: the peer muted or unmuted, or turned its camera off or on. */
export interface ChatPeerStateDetail {
    /** The peer's microphone is muted. */
    muted: boolean;
    /** The peer's camera. */
    camera: "on" | "off";
}

/** `webrtc-chat:quality`: the call's quality level changed (thresholds in core/src/quality.rs). */
export interface ChatQualityDetail {
    level: "good" | "fair" | "poor";
}

/** `webrtc-chat:sas`: the call's verification code ("330 502"); `null` when it no longer
 * applies (the call ended). Both people see the same code unless someone sits in between. */
export interface ChatSasDetail {
    code: string | null;
}

/** `webrtc-chat:devices`: the cameras or microphones to pick from (again whenever they
 * change), and the one chosen; `selectDevice(kind, id)` picks another. */
export interface ChatDevicesDetail {
    kind: "camera" | "mic";
    /** The browser's default first (`id` `""`), then each device (`deviceId`, `label`). */
    devices: { id: string; label: string }[];
    /** The chosen device's `id` (`""`: the default). */
    selected: string;
}

/** Each event type and its detail. */
export interface ChatEventMap {
    "state": ChatStateDetail;
    "call-started": ChatCallStartedDetail;
    "call-ended": ChatCallEndedDetail;
    "error": ChatErrorDetail;
    "incoming-call": ChatIncomingCallDetail;
    "peer-state": ChatPeerStateDetail;
    "quality": ChatQualityDetail;
    "sas": ChatSasDetail;
    "devices": ChatDevicesDetail;
}

export type ChatEventType = keyof ChatEventMap;

/** `onEvent`'s arguments: a type and its detail (a check of `type` narrows `detail`). */
export type ChatEvent = { [K in ChatEventType]: [type: K, detail: ChatEventMap[K]] }[ChatEventType];

/** The events on the root (they bubble): each type of `ChatEventMap`, prefixed `webrtc-chat:`,
 * as a `CustomEvent` of its detail. `root.addEventListener("webrtc-chat:call-ended", (e) =>
 * e.detail.connected)` is typed. */
export type ChatDomEventMap = {
    [K in ChatEventType as `webrtc-chat:${K}`]: CustomEvent<ChatEventMap[K]>;
};

declare global {
    // lib.dom's `HTMLElementEventMap` extends `ElementEventMap`: this one types both.
    interface ElementEventMap extends ChatDomEventMap {}
}
"#;

/// Every client from `mount` until its `destroy()`: a host that drops the handle (or never
/// keeps it, like the autostart) must not see its client vanish at the next GC.
static MOUNTED: Local<RefCell<Vec<App>>> = Local::new(RefCell::new(Vec::new()));

/// Mounts a client on `root`: uses the page-contract elements inside it (`#name`,
/// `ul.userlistbox`, `.chatbox`, `#text`, `#send`, `video#received_video`, `video#local_video`,
/// `button#hangup-button`, …), or creates them when the root has none. The client then runs
/// until `destroy()`, whether or not the handle is kept. Throws a `TypeError` for a `root`
/// that is not an `Element`, an `Error` for a page that lacks some of the elements.
#[wasm_bindgen]
pub fn mount(
    #[wasm_bindgen(unchecked_param_type = "Element")] root: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "MountOptions")] options: JsValue,
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

/// Live event listeners and timers over all clients in the page (a leak detector for this
/// crate's browser tests; not exported to JS: the package has no test hooks).
pub fn live_listeners() -> u32 {
    live::live()
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
    if body.has_attribute("data-webrtc-chat-autostart") {
        if let Err(e) = mount(body.into(), JsValue::UNDEFINED) {
            web_sys::console::error_1(&e);
        }
    }
}
