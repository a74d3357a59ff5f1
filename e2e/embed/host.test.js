// The package and its clean API. First the package itself: package.json lists what is there,
// and a small TypeScript host (host.ts) type-checks against its declarations with
// `tsc --noEmit --strict`, including what they must refuse. Then that host, compiled, runs in
// a plain page (host.html): it embeds the client with `mount` from the package's main entry,
// keeps the signaling WebSocket itself (frames in through `handleMessage`, out through its
// `send`), logs in through the `name` option, and hears the call as DOM events on the root and
// as `onEvent` callbacks. Then `autoAccept: false`: decline, accept. Then `destroy()`.
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { launch } = require('../lib/browser');
const { PKG, copyPackage, liveListeners, startSite, openPage, until, waitVideo, describe } = require('./lib');

const TSC = path.join(__dirname, '..', 'node_modules', 'typescript', 'bin', 'tsc');
const TSC_OPTIONS = ['--strict', '--target', 'es2022', '--module', 'esnext', '--moduleResolution', 'bundler',
  '--lib', 'es2022,esnext.disposable,dom,dom.iterable', '--pretty', 'false'];

/**
 * host.ts in `dir` beside the package installed as node_modules/webrtc-chat (the copy in
 * dir/pkg), as a host project has it; runs tsc there with `args` and fails with its output.
 */
function tsc(dir, args) {
  if (!fs.existsSync(path.join(dir, 'pkg'))) copyPackage(dir);
  fs.mkdirSync(path.join(dir, 'node_modules'), { recursive: true });
  const link = path.join(dir, 'node_modules', 'webrtc-chat');
  if (!fs.existsSync(link)) fs.symlinkSync(path.join(dir, 'pkg'), link, 'dir');
  fs.copyFileSync(path.join(__dirname, 'host.ts'), path.join(dir, 'host.ts'));
  const run = spawnSync(process.execPath, [TSC, ...TSC_OPTIONS, ...args, 'host.ts'], { cwd: dir, encoding: 'utf8' });
  assert.equal(run.status, 0, `tsc ${args.join(' ')} host.ts:\n${run.stdout}${run.stderr}`);
}

test('the package: package.json, and a TypeScript host type-checks against its declarations', () => {
  const manifest = JSON.parse(fs.readFileSync(path.join(PKG, 'package.json'), 'utf8'));
  assert.equal(manifest.name, 'webrtc-chat');
  assert.match(manifest.version, /^\d+\.\d+\.\d+/);
  assert.equal(manifest.sideEffects, false);
  assert.equal(manifest.types, './webrtc_chat.d.ts');
  assert.deepEqual(Object.keys(manifest.exports), ['.', './compat', './package.json']);
  for (const f of manifest.files) assert.ok(fs.existsSync(path.join(PKG, f)), `${f} is listed and built`);
  const main = fs.readFileSync(path.join(PKG, 'webrtc_chat.d.ts'), 'utf8');
  const compat = fs.readFileSync(path.join(PKG, 'compat', 'webrtc_chat.d.ts'), 'utf8');
  assert.ok(!/liveListeners/.test(main + compat), 'no test hook in the declarations');
  assert.ok(!/\binvite\b/.test(main) && /export function invite\b/.test(compat), 'the tutorial functions only in ./compat');
  assert.match(main, /\/\*\*[^]*?\*\/\s*export function mount\(/, 'mount is documented');

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'embed-tsc-'));
  try {
    tsc(dir, ['--noEmit']);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

/** Counts the page's WebSockets (the host's must be the only one). */
const COUNT_SOCKETS = `(() => {
  const Base = window.WebSocket;
  window.__sockets = 0;
  window.WebSocket = class extends Base {
    constructor(...args) {
      super(...args);
      window.__sockets++;
    }
  };
})();`;

async function host(browser, site, name, extra = '') {
  const url = `${site.relay.url}host.html?signal=${encodeURIComponent(site.relay.ws)}&name=${name}${extra}`;
  const p = await openPage(browser, name, url, { initScripts: [COUNT_SOCKETS] });
  await p.page.waitForFunction(() => window.app, undefined, { timeout: 10000 });
  return p;
}

/** Waits for an event of `type` (optionally with `detail` fields) seen both ways by the host. */
async function waitEvent(p, all, type, detail = {}) {
  await until(p, all, `event ${type} ${JSON.stringify(detail)}`, ([t, d]) => {
    const match = (e) => e.type === t && Object.entries(d).every(([k, v]) => e.detail[k] === v);
    return window.host.events.some(match) && window.host.callbacks.some(match);
  }, [type, detail]);
}

async function clearEvents(people) {
  for (const p of people) await p.page.evaluate(() => { window.host.events.length = 0; window.host.callbacks.length = 0; });
}

test('host page owns the WebSocket and embeds the client with mount()', async (t) => {
  const html = fs.readFileSync(path.join(__dirname, 'host.html'), 'utf8');
  const site = await startSite(t, { 'host.html': html });
  // host.ts compiled to host.js beside host.html.
  tsc(site.dir, ['--outDir', '.']);
  const browser = await launch(t);
  const all = [];
  t.after(async () => {
    for (const p of all) await p.context.close().catch(() => {});
  });
  const alice = await host(browser, site, 'alice');
  all.push(alice);
  const bob = await host(browser, site, 'bob', '&autoAccept=false');
  all.push(bob);

  // Logged in by the `name` option, through the host's socket: both listed in the mounted UI.
  for (const p of all) {
    await until(p, all, 'both users listed', () => {
      const names = [...document.querySelectorAll('#chat ul.userlistbox li')].map((li) => li.textContent);
      return names.includes('alice') && names.includes('bob');
    });
    await waitEvent(p, all, 'state', { socket: 'open', call: 'idle' });
  }

  // bob does not auto-accept: alice's call rings; bob declines; alice is told.
  await alice.page.locator('#chat ul.userlistbox li', { hasText: 'bob' }).click();
  await waitEvent(bob, all, 'incoming-call', { from: 'alice' });
  await bob.page.evaluate(() => window.app.decline());
  await waitEvent(alice, all, 'call-ended', { peer: 'bob', connected: false, message: 'bob declined the call.' });
  await waitEvent(bob, all, 'call-ended', { peer: 'alice', connected: false });
  await clearEvents(all);

  // Again, through the API this time; bob accepts: a real call, both ways.
  await alice.page.evaluate(() => window.app.call('bob'));
  await waitEvent(bob, all, 'incoming-call', { from: 'alice' });
  await bob.page.evaluate(() => window.app.accept());
  for (const p of all) await waitVideo(p, all);
  await waitEvent(alice, all, 'call-started', { peer: 'bob' });
  await waitEvent(bob, all, 'call-started', { peer: 'alice' });
  await waitEvent(alice, all, 'state', { call: 'connected', peer: 'bob' });

  await alice.page.evaluate(() => window.app.hangUp());
  await waitEvent(alice, all, 'call-ended', { peer: 'bob', connected: true });
  await waitEvent(bob, all, 'call-ended', { peer: 'alice', connected: true, message: 'alice hung up.' });
  // Through the typed event map (host.ts): the declined call, then this one.
  for (const p of all) assert.deepEqual(await p.page.evaluate(() => window.host.ended), [false, true], p.label);
  for (const p of all) {
    await until(p, all, 'idle, Hang Up disabled', () =>
      document.querySelector('#chat #status').getAttribute('data-call') === 'idle' &&
      document.querySelector('#chat #hangup-button').disabled &&
      window.__e2e.pcs.every((x) => x.pc.connectionState === 'closed'));
  }

  // Every frame went through the host's one socket.
  for (const p of all) {
    const s = await p.page.evaluate(() => ({ sockets: window.__sockets, sent: window.host.sent, received: window.host.received }));
    assert.equal(s.sockets, 1, `${p.label}: only the host's WebSocket`);
    assert.ok(s.sent > 3 && s.received > 3, `${p.label}: frames through the host ${JSON.stringify(s)}`);
  }

  // destroy(): every listener and timer gone, the root emptied, the host's socket untouched.
  for (const p of all) {
    const after = await p.page.evaluate(() => {
      window.app.destroy();
      return { children: document.querySelector('#chat').childElementCount, socket: window.hostSocket.readyState };
    });
    after.live = await liveListeners(p);
    assert.deepEqual(after, { live: 0, children: 0, socket: 1 }, `${p.label}: after destroy()\n${await describe(all)}`);
    assert.deepEqual(p.errors, [], `${p.label}: uncaught errors`);
  }
});

/**
 * A tutorial page moved to the clean API: its HTML unchanged, its chatclient.js now only mounts
 * the client on the page's own elements (the tutorial's ids) and keeps no-ops for the inline
 * handlers the HTML still names (the mounted client listens to those elements itself).
 */
const MOUNTING_CHATCLIENT = `"use strict";
function connect() {}
function hangUpCall() {}
function handleKey() {}
function handleSendButton() {}
import("./webrtc_chat.js").then(async (chat) => {
  await chat.default();
  window.app = chat.mount(document.body, {});
});
`;

test('the clean API bound to the tutorial page\'s own elements', async (t) => {
  const site = await startSite(t, { 'chatclient.js': MOUNTING_CHATCLIENT });
  const browser = await launch(t);
  // No `autoAccept`: the tutorial's page has no Accept button, so it answers at once by
  // default (docs/page.md).
  const url = `${site.relay.url}index.html?ice=${encodeURIComponent('[]')}`;
  const all = [];
  t.after(async () => {
    for (const p of all) await p.context.close().catch(() => {});
  });
  for (const name of ['alice', 'bob']) {
    const p = await openPage(browser, name, url);
    all.push(p);
    await p.page.waitForFunction(() => window.app, undefined, { timeout: 10000 });
    await p.page.fill('#name', name);
    await p.page.click('[name=login]');
  }
  const [alice, bob] = all;
  for (const p of all) {
    await until(p, all, 'both users listed', () => {
      const names = [...document.querySelectorAll('ul.userlistbox li')].map((li) => li.textContent);
      return names.includes('alice') && names.includes('bob');
    });
  }
  await alice.page.fill('#text', 'hi bob');
  await alice.page.press('#text', 'Enter');
  await until(bob, all, 'the chat line', () => [...document.querySelectorAll('.chatbox .chat-text')].some((e) => e.textContent === 'hi bob'));
  await alice.page.locator('ul.userlistbox li', { hasText: 'bob' }).click();
  for (const p of all) await waitVideo(p, all);
  for (const p of all) {
    assert.equal(await p.page.$eval('#status', (s) => s.getAttribute('data-call')), 'connected', `${p.label}: #status added and shown`);
  }
  await bob.page.click('#hangup-button');
  for (const p of all) {
    await until(p, all, 'idle, Hang Up disabled', () =>
      document.querySelector('#status').getAttribute('data-call') === 'idle' &&
      document.querySelector('#hangup-button').disabled &&
      window.__e2e.pcs.every((x) => x.pc.connectionState === 'closed'));
    assert.deepEqual(p.errors, [], `${p.label}: uncaught errors`);
  }
});
