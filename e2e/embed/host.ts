// The plain host page's script (e2e/embed/host.html), written in TypeScript against the
// package's declarations: host.test.js type-checks it (`tsc --noEmit --strict`), compiles it
// and runs it. The host owns the signaling WebSocket and embeds the client through the clean
// API, feeding it frames with handleMessage and giving it a send function. Query: signal,
// name, autoAccept=false.
import init, * as pkg from "webrtc-chat";
import type { ChatApp, ChatEventMap, ChatEventType } from "webrtc-chat";

interface Seen<K extends ChatEventType = ChatEventType> {
  type: K;
  detail: ChatEventMap[K];
}

/** What the host saw, for the test: every event (as DOM event and as callback), every frame. */
interface HostLog {
  events: Seen[];
  callbacks: Seen[];
  sent: number;
  received: number;
  /** `connected` of every call-ended event, read through the typed event map. */
  ended: boolean[];
}

declare global {
  interface Window {
    host: HostLog;
    app: ChatApp;
    hostSocket: WebSocket;
  }
}

const TYPES: ChatEventType[] = ["state", "call-started", "call-ended", "error", "incoming-call"];

const params = new URLSearchParams(location.search);
const seen: HostLog = { events: [], callbacks: [], sent: 0, received: 0, ended: [] };
window.host = seen;

await init();
const ws = new WebSocket(params.get("signal") ?? "", "json");
const root = document.getElementById("chat");
if (!root) throw new Error("host.html has no #chat");
for (const type of TYPES) {
  root.addEventListener(`webrtc-chat:${type}`, (e) => seen.events.push({ type, detail: e.detail }));
}
root.addEventListener("webrtc-chat:call-ended", (e) => seen.ended.push(e.detail.connected));
const app = mount(root);
window.app = app;
window.hostSocket = ws;

function mount(root: HTMLElement): ChatApp {
  const app = pkg.mount(root, {
    name: params.get("name") ?? undefined,
    iceServers: [],
    autoAccept: params.get("autoAccept") !== "false",
    send: (text) => {
      seen.sent++;
      ws.send(text);
    },
    // Our socket is already opening; the server's first frame (`id`) starts the login.
    connect: () => {},
    onEvent: (type, detail) => {
      seen.callbacks.push({ type, detail } as Seen);
      // The type narrows the detail.
      if (type === "incoming-call") console.log(`host: ${detail.from} is calling`);
    },
  });
  ws.addEventListener("message", (e) => {
    seen.received++;
    app.handleMessage(e.data);
  });
  ws.addEventListener("close", () => app.handleClose());
  return app;
}

/**
 * Never called: what the declarations must refuse. Each line after a `@ts-expect-error` is a
 * type error, or tsc fails on the unused directive (so the test fails if the types loosen).
 */
export function refused(app: ChatApp, root: HTMLElement): void {
  // @ts-expect-error: no test hooks in the package's API
  pkg.liveListeners();
  // @ts-expect-error: the tutorial-compatible functions are only in "webrtc-chat/compat"
  pkg.invite(new Event("click"));
  // @ts-expect-error: a misspelt option
  pkg.mount(root, { sginal: "ws://example.test/" });
  // @ts-expect-error: names are strings
  app.call(42);
  root.addEventListener("webrtc-chat:call-ended", (e) => {
    // @ts-expect-error: call-ended's detail has no `from`
    console.log(e.detail.from);
  });
  pkg.mount(root, {
    onEvent: (type, detail) => {
      // @ts-expect-error: only incoming-call's detail has `from`
      if (type === "call-started") console.log(detail.from);
    },
  });
  // Devices: a camera or a microphone, picked by an id from the `devices` event.
  root.addEventListener("webrtc-chat:devices", (e) => {
    const first = e.detail.devices[0];
    if (e.detail.kind === "camera" && first) app.selectDevice("camera", first.id);
    app.selectDevice("mic", e.detail.selected);
  });
  // @ts-expect-error: only "camera" or "mic"
  app.selectDevice("speaker", "");
}

/** The other entry point declares the tutorial's functions. */
export type Invite = typeof import("webrtc-chat/compat").invite;
