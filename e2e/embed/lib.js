// Shared by the embed tests: the site (tutorial page + bundle, served by the relay), the
// installation of the bundle's functions into the unchanged tutorial page, and bounded waits
// that say what everyone sees when they time out.
'use strict';

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { PC_HOOK } = require('../lib/browser');
const { startRelay, ROOT } = require('../lib/procs');

const PKG = process.env.EMBED_PKG || path.join(ROOT, 'pkg');
const TUTORIAL = path.join(ROOT, 'e2e', 'tutorial-client');
const WAIT_MS = Number(process.env.E2E_WAIT_MS || 20000);

/** docs/protocol.md, "The tutorial's client functions", in its order. */
const FUNCTIONS = [
  'connect', 'sendToServer', 'setUsername', 'handleSendButton', 'handleKey', 'handleUserlistMsg',
  'invite', 'createPeerConnection', 'handleNegotiationNeededEvent', 'handleICECandidateEvent',
  'handleTrackEvent', 'handleRemoveTrackEvent', 'handleICEConnectionStateChangeEvent',
  'handleICEGatheringStateChangeEvent', 'handleSignalingStateChangeEvent', 'handleVideoOfferMsg',
  'handleVideoAnswerMsg', 'handleNewICECandidateMsg', 'handleHangUpMsg', 'hangUpCall',
  'closeVideoCall', 'handleGetUserMediaError', 'reportError', 'log', 'log_error',
];

/**
 * Puts the package in `dir`: its "webrtc-chat/compat" entry (mount and the tutorial-compatible
 * functions) as /webrtc_chat.js beside the tutorial page, which imports it from there, and the
 * whole package as /pkg/, for hosts that import "webrtc-chat" through an import map.
 */
function copyPackage(dir) {
  const compat = path.join(PKG, 'compat');
  for (const f of ['webrtc_chat.js', 'webrtc_chat_bg.wasm']) {
    if (!fs.existsSync(path.join(compat, f))) throw new Error(`${compat}/${f} missing: run scripts/build-embed.sh`);
    fs.copyFileSync(path.join(compat, f), path.join(dir, f));
  }
  fs.cpSync(PKG, path.join(dir, 'pkg'), { recursive: true });
}

/**
 * A temporary site: the tutorial page and its script exactly as they are, the package beside
 * them (copyPackage), and `extra` files ({name: text}). Served with the signaling WebSocket by
 * one relay.
 */
async function startSite(t, extra = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'embed-site-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  for (const f of ['index.html', 'chatclient.js']) fs.copyFileSync(path.join(TUTORIAL, f), path.join(dir, f));
  copyPackage(dir);
  for (const [name, text] of Object.entries(extra)) fs.writeFileSync(path.join(dir, name), text);
  const relay = await startRelay(t, { staticDir: dir });
  return { dir, relay };
}

/**
 * The count of the client's live listeners and timers in `person`'s page: a global the client
 * keeps for these tests (src/live.rs), not part of the package's API.
 */
async function liveListeners(person) {
  return person.page.evaluate(() => window.__webrtcChatLiveListeners);
}

/** One person: a browser context of their own (nothing shared but the relay and the network). */
async function openPage(browser, label, url, { initScripts = [] } = {}) {
  const context = await browser.newContext({ viewport: { width: 800, height: 600 } });
  await context.addInitScript(PC_HOOK);
  for (const script of initScripts) await context.addInitScript(script);
  const page = await context.newPage();
  const person = { label, context, page, console: [], errors: [] };
  page.on('console', (m) => {
    person.console.push(`${m.type()}: ${m.text()}`);
    if (person.console.length > 40) person.console.shift();
  });
  page.on('pageerror', (e) => person.errors.push(e.message));
  page.on('dialog', (d) => {
    person.console.push(`DIALOG: ${d.message()}`);
    d.dismiss().catch(() => {});
  });
  await page.goto(url);
  return person;
}

/**
 * Installs the bundle's `names` onto `window`, replacing the page's own functions: the script
 * a page adds to adopt the bundle, with no change to its HTML. Each is wrapped to count its
 * calls (the wrapper passes `this`, the arguments and the result through), so the test knows
 * the swapped function really ran.
 */
async function install(person, names) {
  await person.page.evaluate(async (list) => {
    const m = await import('/webrtc_chat.js');
    await m.default();
    window.__embed = { module: m, calls: {} };
    for (const name of list) {
      if (typeof m[name] !== 'function') throw new Error(`the bundle has no ${name}`);
      if (typeof window[name] !== 'function') throw new Error(`the page has no ${name} to replace`);
      const ours = m[name];
      window[name] = function (...args) {
        window.__embed.calls[name] = (window.__embed.calls[name] || 0) + 1;
        return ours.apply(this, args);
      };
    }
  }, names);
}

/** What a person sees, for failure messages. */
async function describe(people) {
  const parts = [];
  for (const p of people) {
    let seen;
    try {
      seen = await p.page.evaluate(() => ({
        me: window.myUsername,
        target: window.targetUsername,
        pc: window.myPeerConnection ? `${window.myPeerConnection.connectionState}/${window.myPeerConnection.signalingState}` : null,
        pcs: ((window.__e2e && window.__e2e.pcs) || []).map((x) => x.pc.connectionState),
        users: [...document.querySelectorAll('ul.userlistbox li')].map((li) => li.textContent),
        video: (() => { const v = document.querySelector('#received_video'); return v && { w: v.videoWidth, t: v.currentTime }; })(),
        hangupDisabled: (document.querySelector('#hangup-button') || {}).disabled,
        calls: window.__embed && window.__embed.calls,
        status: (() => { const st = document.querySelector('#status'); return st && `${st.getAttribute('data-call')}/${st.getAttribute('data-peer')}: ${st.textContent}`; })(),
        hostEvents: window.host && window.host.events.slice(-8).map((e) => `${e.type} ${JSON.stringify(e.detail)}`),
      }));
    } catch (e) {
      seen = `unavailable: ${e.message}`;
    }
    parts.push(`[${p.label}] ${JSON.stringify(seen)}\n  errors: ${JSON.stringify(p.errors)}\n  console: ${p.console.slice(-15).join('\n           ')}`);
  }
  return parts.join('\n');
}

/** Waits until `fn(arg)` is truthy in `person`'s page; on timeout, shows everyone. */
async function until(person, people, what, fn, arg, timeout = WAIT_MS) {
  try {
    await person.page.waitForFunction(fn, arg, { timeout, polling: 100 });
  } catch (e) {
    throw new Error(`${person.label}: ${what}: ${e.message.split('\n')[0]}\n${await describe(people)}`);
  }
}

/** Types each person's name and clicks "Log in" (the page's inline onclick="connect()"). */
async function login(people) {
  for (const p of people) {
    await p.page.fill('#name', p.label);
    await p.page.click('[name=login]');
  }
}

/** Waits until every one of `people` lists all of `names`. */
async function waitListed(people, names) {
  for (const p of people) {
    await until(p, people, `${names.join(', ')} in the user list`, (list) => {
      const shown = [...document.querySelectorAll('ul.userlistbox li')].map((li) => li.textContent.trim());
      return list.every((n) => shown.includes(n));
    }, names);
  }
}

/** `caller` clicks `callee`'s name in the user list. */
async function call(caller, callee) {
  await caller.page.locator('ul.userlistbox li', { hasText: callee.label }).first().click();
}

/** The remote video decodes frames (what a person sees of a working call). */
async function waitVideo(p, people) {
  await until(p, people, 'the remote video decodes frames', () => {
    const v = document.querySelector('video#received_video');
    return v && v.videoWidth > 0 && v.currentTime > 0;
  });
}

/** The call is over on this side: no peer connection, none left open, Hang Up disabled. */
async function waitClosed(p, people) {
  await until(p, people, 'the call is closed', () =>
    window.myPeerConnection === null &&
    document.querySelector('#hangup-button').disabled &&
    window.__e2e.pcs.length > 0 &&
    window.__e2e.pcs.every((x) => x.pc.connectionState === 'closed'));
}

/** Still in a connected call. */
async function inCall(p) {
  return p.page.evaluate(() => !!window.myPeerConnection && window.myPeerConnection.connectionState === 'connected');
}

module.exports = {
  FUNCTIONS, PKG, WAIT_MS, copyPackage, liveListeners, startSite, openPage, install, describe, until,
  login, waitListed, call, waitVideo, waitClosed, inCall,
};
