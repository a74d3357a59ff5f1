/* tslint:disable */
/* eslint-disable */

/**
 * A mounted client. Every method takes `&self`, so a host may call any of them from inside
 * one of our callbacks (its `send` function, say) without wasm-bindgen's borrow error.
 */
export class ChatApp {
    private constructor();
    free(): void;
    [Symbol.dispose](): void;
    /**
     * Removes every listener, closes the socket and the peer connection, stops the camera,
     * and empties the root if `mount` filled it. Idempotent.
     */
    destroy(): void;
    /**
     * Host transport: the connection to the server is gone.
     */
    handleClose(): void;
    /**
     * Host transport: a frame from the server (any JS value; only strings can be messages).
     * Taken as a `JsValue` so an oversize frame is refused before it is copied into wasm.
     */
    handleMessage(frame: any): void;
}

/**
 * Ends the call on this side: every handler removed (ours, and all six `on*` properties a
 * JavaScript `createPeerConnection` set, bug 2), camera off, videos cleared, globals reset.
 */
export function closeVideoCall(): void;

/**
 * Opens the signaling socket (`connection`). Unlike the tutorial's, it reconnects when the
 * socket closes (bug 10), and a second call replaces the first socket instead of leaking it.
 */
export function connect(): void;

/**
 * Creates `myPeerConnection` with the page's ICE configuration (the page contract's `ice` /
 * `turn` / JSON block; default the tutorial's TURN server on the page's host) and its handlers.
 */
export function createPeerConnection(): void;

/**
 * `getUserMedia` failed: say why in words a person understands (the core's messages, which
 * know the modern `NotAllowedError`, bug 5), tell the peer the call cannot happen (the
 * tutorial left it waiting), and close.
 */
export function handleGetUserMediaError(e: any): void;

/**
 * The peer hung up. Only the current peer can end the call: a hang-up from anyone else (the
 * sample's server broadcasts a tutorial client's untargeted one, bug 1) is ignored.
 */
export function handleHangUpMsg(msg: any): void;

/**
 * `icecandidate`: send it to the peer. Never without a target: the sample's server would
 * broadcast it.
 */
export function handleICECandidateEvent(event: any): void;

/**
 * `iceconnectionstatechange`. `disconnected` often recovers by itself (a Wi-Fi blip): the
 * call gets [`ICE_DISCONNECTED_GRACE_MS`] before it ends (the tutorial hung up at once, bug 4).
 */
export function handleICEConnectionStateChangeEvent(_event: any): void;

export function handleICEGatheringStateChangeEvent(_event: any): void;

/**
 * Enter in the chat field sends.
 */
export function handleKey(evt: any): void;

/**
 * `negotiationneeded`: make and send an offer. Perfect negotiation
 * (https://developer.mozilla.org/en-US/docs/Web/API/WebRTC_API/Perfect_negotiation):
 * `makingOffer` is set while our offer is being made, so a colliding remote offer is seen as
 * such by `handleVideoOfferMsg`.
 */
export function handleNegotiationNeededEvent(): Promise<void>;

/**
 * A remote candidate: applied now if the connection can take it, else kept until it can
 * (the tutorial lost it or threw, bug 6). Only from the current peer.
 */
export function handleNewICECandidateMsg(msg: any): Promise<void>;

/**
 * The remote stream lost a track: the call is over once it has none left.
 */
export function handleRemoveTrackEvent(_event: any): void;

/**
 * Sends the chat text in `#text`.
 */
export function handleSendButton(): void;

export function handleSignalingStateChangeEvent(_event: any): void;

/**
 * `track`: show the remote stream. Fires once per track (audio, video): idempotent (bug 7).
 */
export function handleTrackEvent(event: any): void;

/**
 * Shows the user list: one `<li>` per named user (the server lists connections without a
 * name as `null`; the tutorial showed "null"), as text; a click calls the page's `invite`.
 */
export function handleUserlistMsg(msg: any): void;

export function handleVideoAnswerMsg(msg: any): Promise<void>;

/**
 * An offer: a new call, or a renegotiation (or glare) of the current one.
 *
 * Perfect negotiation instead of the tutorial's rollback (which deadlocked when both called
 * at once, bug 3): on a collision the impolite side ignores the offer and the polite side
 * applies it (the browser rolls its own offer back) and answers. Roles by the core's rule.
 */
export function handleVideoOfferMsg(msg: any): Promise<void>;

/**
 * Hang Up: tells the peer first, with its name (the tutorial cleared the target before
 * sending, and the sample's server broadcast the hang-up to every call in the room, bug 1),
 * then closes.
 */
export function hangUpCall(): void;

/**
 * A click on a name in the user list: call that user.
 */
export function invite(evt: any): Promise<void>;

/**
 * Live event listeners and timers over all clients in the page (a leak detector for tests).
 */
export function liveListeners(): number;

/**
 * A debug line on the console, stamped with the time.
 */
export function log(text: any): void;

/**
 * An error line on the console, stamped with the time, with the stack that led to it.
 */
export function log_error(text: any): void;

/**
 * Mounts a client on `root`: uses the page-contract elements inside it, or creates them when
 * the root has none. `options` (an object, or `undefined`) takes the keys of the JSON config
 * block (`signal`, `iceServers`, `iceTransportPolicy`, `iceUrl`, `turn`, `turnUser`,
 * `turnPass`, `constraints`), plus `send(text)` and `connect()` for a host transport.
 */
export function mount(root: Element, options: any): ChatApp;

/**
 * Any thrown value, `Error` or not (a string, a plain object), as one log line.
 */
export function reportError(err: any): void;

/**
 * Sends a message object as JSON on `connection`. Never a call message without a target
 * (the sample's server would broadcast it to everyone): a tutorial `hangUpCall`, which sends
 * after clearing the target (bug 1), gets the peer its last call messages went to.
 */
export function sendToServer(msg: any): void;

/**
 * Logs in with the name in `#name` (after the server's `id`).
 */
export function setUsername(): void;

/**
 * Auto-mounts on `document.body` when the page opts in with `data-webrtc-chat-autostart`, so
 * index.html works standalone while a host page keeps full control through `mount`.
 */
export function start(): void;

export type InitInput = RequestInfo | URL | Response | BufferSource | WebAssembly.Module;

export interface InitOutput {
    readonly memory: WebAssembly.Memory;
    readonly __wbg_chatapp_free: (a: number, b: number) => void;
    readonly chatapp_destroy: (a: number) => void;
    readonly chatapp_handleClose: (a: number) => void;
    readonly chatapp_handleMessage: (a: number, b: any) => void;
    readonly closeVideoCall: () => void;
    readonly connect: (a: number) => void;
    readonly createPeerConnection: (a: number) => void;
    readonly handleGetUserMediaError: (a: any) => void;
    readonly handleHangUpMsg: (a: any) => void;
    readonly handleICECandidateEvent: (a: any) => void;
    readonly handleICEConnectionStateChangeEvent: (a: any) => void;
    readonly handleICEGatheringStateChangeEvent: (a: any) => void;
    readonly handleKey: (a: any) => void;
    readonly handleNegotiationNeededEvent: () => any;
    readonly handleNewICECandidateMsg: (a: any) => any;
    readonly handleRemoveTrackEvent: (a: any) => void;
    readonly handleSendButton: () => void;
    readonly handleSignalingStateChangeEvent: (a: any) => void;
    readonly handleTrackEvent: (a: any) => void;
    readonly handleUserlistMsg: (a: any) => void;
    readonly handleVideoAnswerMsg: (a: any) => any;
    readonly handleVideoOfferMsg: (a: any) => any;
    readonly hangUpCall: () => void;
    readonly invite: (a: any) => any;
    readonly liveListeners: () => number;
    readonly log: (a: any) => void;
    readonly log_error: (a: any) => void;
    readonly mount: (a: number, b: any, c: any) => void;
    readonly reportError: (a: any) => void;
    readonly sendToServer: (a: any) => void;
    readonly setUsername: () => void;
    readonly start: () => void;
    readonly __wasm_bindgen_func_elem_1620: (a: number, b: number, c: number, d: any) => void;
    readonly __wasm_bindgen_func_elem_1632: (a: number, b: number, c: any, d: any) => void;
    readonly __wasm_bindgen_func_elem_588: (a: number, b: number, c: any) => void;
    readonly __wasm_bindgen_func_elem_587: (a: number, b: number) => void;
    readonly __wbindgen_export: (a: number, b: number) => number;
    readonly __wbindgen_export2: (a: number, b: number, c: number, d: number) => number;
    readonly __wbindgen_export3: (a: number, b: number, c: number) => void;
    readonly __wbindgen_export4: (a: number) => void;
    readonly __wbindgen_export5: () => number;
    readonly __wbindgen_externrefs: WebAssembly.Table;
    readonly __wbindgen_export6: (a: number, b: number) => void;
    readonly __wbindgen_add_to_stack_pointer: (a: number) => number;
    readonly __wbindgen_export7: (a: number) => void;
    readonly __wbindgen_start: () => void;
}

export type SyncInitInput = BufferSource | WebAssembly.Module;

/**
 * Instantiates the given `module`, which can either be bytes or
 * a precompiled `WebAssembly.Module`.
 *
 * @param {{ module: SyncInitInput }} module - Passing `SyncInitInput` directly is deprecated.
 *
 * @returns {InitOutput}
 */
export function initSync(module: { module: SyncInitInput } | SyncInitInput): InitOutput;

/**
 * If `module_or_path` is {RequestInfo} or {URL}, makes a request and
 * for everything else, calls `WebAssembly.instantiate` directly.
 *
 * @param {{ module_or_path: InitInput | Promise<InitInput> }} module_or_path - Passing `InitInput` directly is deprecated.
 *
 * @returns {Promise<InitOutput>}
 */
export default function __wbg_init (module_or_path?: { module_or_path: InitInput | Promise<InitInput> } | InitInput | Promise<InitInput>): Promise<InitOutput>;
