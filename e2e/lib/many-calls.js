// Calls in a row between two pages (issue 11, item 4): shared by the command
// (e2e/many-calls.js, which prints figures) and the short test (tests/85-many-calls.test.js).
//
// What a page holds, read after every call:
// - `listeners`: the app's live event listeners *and* timers (`window.__webrtcChatLiveListeners`, src/live.rs:
//   every callback the client registers is counted from creation to drop);
// - `timers`: timeouts and intervals pending in the page, whoever set them (counted by the
//   init script below, which wraps setTimeout/setInterval; independent of the app's count);
// - `wasm`: the wasm memory's size (it only ever grows, a 64 KiB page at a time);
// - `heap`: the JS heap in use after a forced GC (`performance.memory`, Chromium only; needs
//   --enable-precise-memory-info and --js-flags=--expose-gc, see CHROMIUM_EXTRA_ARGS);
// - `refs`/`refsTable`: the wasm-bindgen externref table's slots holding a value, and its
//   length. Every JsValue the Rust side holds is one slot: a JsValue leaked per call shows here
//   (the table grows 128 slots at a time, so its length alone would show it late);
// - `dom`: the page's elements, `chat` of them the chat box's lines (content a person reads,
//   kept up to src/view.rs's MAX_CHAT_LINES; the calls write none);
// - `timeline`: the browser's buffered performance entries per type (layout shifts, paints,
//   long animation frames…): Chromium keeps up to 150–200 of each, whatever the page does.
'use strict';

const { callAndCheck, hangUpAndCheck } = require('./scenarios');
const { launch } = require('./browser');
const { startRelay } = require('./procs');
const { World } = require('./world');

const CHROMIUM_EXTRA_ARGS = ['--enable-precise-memory-info', '--js-flags=--expose-gc'];

/** Init script: counts pending timers; keeps the wasm exports Trunk's loader announces. */
const COUNT_HOOK = `(() => {
  if (window.__calls) return;
  const pending = new Set();
  const st = window.setTimeout, ct = window.clearTimeout, si = window.setInterval, ci = window.clearInterval;
  window.setTimeout = function (fn, ms, ...rest) {
    const id = st.call(window, (...a) => { pending.delete(id); if (typeof fn === 'function') fn(...a); }, ms, ...rest);
    pending.add(id);
    return id;
  };
  window.clearTimeout = function (id) { pending.delete(id); return ct.call(window, id); };
  window.setInterval = function (...a) { const id = si.apply(window, a); pending.add(id); return id; };
  window.clearInterval = function (id) { pending.delete(id); return ci.call(window, id); };
  window.__calls = { pending, wasm: null };
  addEventListener('TrunkApplicationStarted', (e) => { window.__calls.wasm = e.detail && e.detail.wasm; });
})();`;

/**
 * A World as World.create(t) makes it with our relay, on a Chromium with CHROMIUM_EXTRA_ARGS;
 * `person(name)` opens a page with COUNT_HOOK installed before the app starts, and logs in.
 */
async function countingWorld(t) {
  const w = new World();
  w.users = [];
  w.query = { autoAccept: '1', ice: '[]' }; // these calls answer at once (the page rings by default)
  w.initScripts = [];
  w.browser = await launch(t, { extraArgs: CHROMIUM_EXTRA_ARGS });
  w.relay = await startRelay(t);
  w.pageUrl = w.relay.url;
  w.signal = null;
  w.person = async (name) => {
    const u = await w.user(name, { login: false });
    await u.context.addInitScript(COUNT_HOOK);
    await u.page.reload();
    await u.login(name);
    return u;
  };
  return w;
}

/** In the page: the figures above. */
function figuresInPage() {
  // The e2e hook (lib/browser.js, PC_HOOK) keeps every peer connection and every signaling
  // frame for the tests' assertions: that is the test's memory, not the app's. Dropped here,
  // after the call's checks, so that the heap figure is the app's own.
  if (window.__e2e) {
    window.__e2e.pcs.length = 0;
    window.__e2e.signals.length = 0;
  }
  // DevTools keeps the page's console messages (up to a thousand, in the JS heap) while a
  // client such as Playwright listens to them; the app logs a dozen lines per call.
  console.clear();
  if (window.gc) window.gc();
  // Read first: the counting below makes garbage of its own.
  const heap = performance.memory ? performance.memory.usedJSHeapSize : -1;
  const wasm = window.__calls && window.__calls.wasm;
  // src/live.rs publishes the count on the page (no test hook in the bundle's exports).
  const live = window.__webrtcChatLiveListeners;
  // wasm-bindgen's glue keeps every JsValue the Rust side holds in this table; a freed slot
  // reads null (and slot 0 and the constants' slots, undefined/null/true/false, are fixed).
  const table = wasm && wasm.__wbindgen_externrefs;
  let refs = 0;
  if (table) {
    for (let i = 0; i < table.length; i++) {
      const v = table.get(i);
      if (v !== undefined && v !== null) refs++;
    }
  }
  // Buffered entries are handed to a new observer at once by takeRecords (no task to wait for).
  const timeline = {};
  for (const type of PerformanceObserver.supportedEntryTypes || []) {
    const o = new PerformanceObserver(() => {});
    try {
      o.observe({ type, buffered: true });
      const n = o.takeRecords().length;
      if (n) timeline[type] = n;
    } catch (e) {
      // a type this page cannot observe
    }
    o.disconnect();
  }
  return {
    listeners: typeof live === 'number' ? live : -1,
    timers: window.__calls ? window.__calls.pending.size : -1,
    wasm: wasm && wasm.memory ? wasm.memory.buffer.byteLength : -1,
    heap,
    refs: table ? refs : -1,
    refsTable: table ? table.length : -1,
    dom: document.getElementsByTagName('*').length,
    chat: document.querySelectorAll('.chatbox .chat-line').length,
    timeline,
  };
}

const figures = (u) => u.page.evaluate(figuresInPage);

/**
 * `calls` calls in a row, callers alternating, each connected with video playing on both sides
 * and hung up (alternating sides). `each(k, [alice, bob figures], baseline)` after every call.
 * Returns the figures before the first call.
 */
async function callsInARow(alice, bob, calls, each) {
  const baseline = [await figures(alice), await figures(bob)];
  for (let k = 1; k <= calls; k++) {
    const [caller, callee] = k % 2 ? [alice, bob] : [bob, alice];
    await callAndCheck(caller, callee);
    await hangUpAndCheck(k % 3 ? caller : callee, k % 3 ? callee : caller);
    await each(k, [await figures(alice), await figures(bob)], baseline);
  }
  return baseline;
}

module.exports = { CHROMIUM_EXTRA_ARGS, COUNT_HOOK, countingWorld, figures, callsInARow };
