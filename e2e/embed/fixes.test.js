// Ours keep our fixes in a mixed page, each shown against the all-JavaScript page (which must
// show the tutorial's bug: so each test can fail):
// - glare: both click each other at once; the tutorial deadlocks (PROTOCOL bug 3), ours
//   (perfect negotiation) connect; and ours on the polite side wait for their own offer's first
//   candidate before rolling it back (Chromium's gathering stall, docs/glare.md);
// - a denied camera (NotAllowedError): with our handleGetUserMediaError the caller is told and
//   its call ends; the tutorial leaves it waiting (bug 5);
// - hang-up on a server that broadcasts untargeted messages (naive-relay.js, like MDN's
//   chatserver.js): the tutorial's hangUpCall ends everyone's call (bug 1); with our hangUpCall,
//   or our handleHangUpMsg on the bystanders, the other call goes on.
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { chromium } = require('playwright-core');
const { launch, CHROMIUM, CHROMIUM_ARGS } = require('../lib/browser');
const { startStatic } = require('../lib/static');
const { startNaiveRelay } = require('../naive-relay');
const { FUNCTIONS, copyPackage, startSite, openPage, install, describe, until, login, waitListed, call, waitVideo, waitClosed, inCall } = require('./lib');

const TUTORIAL = path.join(__dirname, '..', 'tutorial-client');

/** Opens `names` on `url` in `browser` with `swap` installed, logged in, all listed. */
async function people(t, browser, url, names, swap, options = {}) {
  const list = [];
  t.after(async () => {
    for (const p of list) await p.context.close().catch(() => {});
  });
  for (const n of names) list.push(await openPage(browser, n, url, options));
  for (const p of list) await install(p, swap);
  await login(list);
  await waitListed(list, names);
  return list;
}

/** A line bob sends after `what`: once alice shows it, she has handled everything before it. */
async function marker(from, to, all, text) {
  await until(from, all, 'chat enabled', () => !document.querySelector('#text').disabled);
  await from.page.fill('#text', text);
  await from.page.press('#text', 'Enter');
  await until(to, all, `chat line ${text}`, (x) => document.querySelector('.chatbox').textContent.includes(x), text);
}

/**
 * Init-script source that holds incoming `video-offer` frames back until `release()` is called:
 * only the delivery of those frames is delayed (the page's own `message` handlers, JavaScript's
 * or ours, see them later). `trigger` is script source, run first, that calls `release(later)`
 * at its moment (`later`: deliver from a task of its own, not from inside the trigger's call).
 */
const holdIncomingOffers = (trigger) => `(() => {
  const held = [];
  let open = false;
  const release = (later) => {
    if (open) return;
    open = true;
    const deliver = () => held.splice(0).forEach((f) => f());
    if (later) setTimeout(deliver, 0);
    else deliver();
  };
  // WebSocket's own prototype (the test hook may have put a subclass in front of it).
  let W = WebSocket.prototype;
  while (W && !Object.getOwnPropertyDescriptor(W, 'onmessage')) W = Object.getPrototypeOf(W);
  const typeOf = (data) => {
    try { return JSON.parse(data).type; } catch (err) { return undefined; /* not JSON */ }
  };
  ${trigger}
  const hold = (fn) => function (e) {
    if (typeOf(e.data) === 'video-offer' && !open) {
      held.push(() => fn.call(this, e));
      return undefined;
    }
    return fn.call(this, e);
  };
  const add = W.addEventListener;
  W.addEventListener = function (type, fn, options) {
    return add.call(this, type, type === 'message' && typeof fn === 'function' ? hold(fn) : fn, options);
  };
  const on = Object.getOwnPropertyDescriptor(W, 'onmessage');
  Object.defineProperty(W, 'onmessage', {
    configurable: true,
    get() { return on.get.call(this); },
    set(fn) { on.set.call(this, typeof fn === 'function' ? hold(fn) : fn); },
  });
})();`;

/**
 * Makes glare certain, as a slow network would: a page holds an incoming `video-offer` until it
 * has sent its own, so both offers are in flight when they arrive.
 */
const HOLD_OFFER_UNTIL_OURS_IS_SENT = holdIncomingOffers(`
  const send = W.send;
  W.send = function (data) {
    const result = send.call(this, data);
    if (typeOf(data) === 'video-offer') release(true);
    return result;
  };`);

/**
 * The moment Chromium's gathering can get stuck (docs/glare.md): the polite side's offer is
 * being made, nothing gathered yet, when the other offer arrives. Bob's camera starts half a
 * second late, so alice's offer is surely there first; bob holds it until his own
 * `setLocalDescription()` is called, and handles it while that is under way.
 */
const OFFER_WHILE_OURS_IS_MADE = holdIncomingOffers(`
  const md = navigator.mediaDevices;
  const gum = md.getUserMedia.bind(md);
  md.getUserMedia = (c) => new Promise((r) => setTimeout(r, 500)).then(() => gum(c));
  const P = RTCPeerConnection.prototype;
  const sld = P.setLocalDescription;
  P.setLocalDescription = function (...a) {
    const result = sld.apply(this, a);
    if (this.signalingState === 'stable') release(false);
    return result;
  };`);

test('glare: the polite side rolls back only once its offer has gathered a candidate, all ours', async (t) => {
  const browser = await launch(t);
  const site = await startSite(t);
  const url = `${site.relay.url}index.html?signal=${encodeURIComponent(site.relay.ws)}&ice=${encodeURIComponent('[]')}`;
  const [alice] = await people(t, browser, url, ['alice'], FUNCTIONS);
  const [bob] = await people(t, browser, url, ['bob'], FUNCTIONS, { initScripts: [OFFER_WHILE_OURS_IS_MADE] });
  const all = [alice, bob];
  const said = [];
  bob.page.on('console', (m) => said.push(m.text()));
  await waitListed(all, ['alice', 'bob']);
  await Promise.all([call(alice, bob), call(bob, alice)]);
  for (const p of all) await waitVideo(p, all);
  assert.ok(said.some((l) => /Waiting for our first candidate before rolling back our offer/.test(l)), `bob waited for his first candidate\n${said.filter((l) => /collision|candidate/i.test(l)).join('\n')}`);
  for (const p of all) assert.equal(await p.page.evaluate(() => window.__e2e.pcs.filter((x) => x.pc.connectionState !== 'closed').length), 1, `${p.label}: one call`);
  await alice.page.click('#hangup-button');
  for (const p of all) await waitClosed(p, all);
});

for (const [label, swap] of [['all JavaScript (deadlocks)', []], ['all ours', FUNCTIONS]]) {
  test(`glare: both call each other at once, ${label}`, async (t) => {
    const browser = await launch(t);
    const site = await startSite(t);
    const url = `${site.relay.url}index.html?signal=${encodeURIComponent(site.relay.ws)}&ice=${encodeURIComponent('[]')}`;
    const [alice, bob] = await people(t, browser, url, ['alice', 'bob'], swap, { initScripts: [HOLD_OFFER_UNTIL_OURS_IS_SENT] });
    const all = [alice, bob];
    await Promise.all([call(alice, bob), call(bob, alice)]);
    // Both offers went out: the glare really happened.
    for (const p of all) {
      await until(p, all, 'its own offer sent', () => window.__e2e.signals.some((x) => x.dir === 'out' && x.type === 'video-offer'));
    }
    if (swap.length === 0) {
      // The tutorial: both roll back, apply the other's offer, and never answer.
      await marker(alice, bob, all, 'after the offers');
      await marker(bob, alice, all, 'after the offers, too');
      for (const p of all) {
        assert.equal(await p.page.evaluate(() => window.myPeerConnection.signalingState), 'have-remote-offer', `${p.label}: the tutorial did not deadlock\n${await describe(all)}`);
        assert.equal(await p.page.evaluate(() => window.__e2e.signals.some((x) => x.dir === 'out' && x.type === 'video-answer')), false, `${p.label} answered`);
      }
      return;
    }
    for (const p of all) await waitVideo(p, all);
    for (const p of all) assert.equal(await p.page.evaluate(() => window.__e2e.pcs.filter((x) => x.pc.connectionState !== 'closed').length), 1, `${p.label}: one call`);
    await alice.page.click('#hangup-button');
    for (const p of all) await waitClosed(p, all);
  });
}

for (const [label, swap] of [['all JavaScript (the caller is left waiting)', []], ['our handleGetUserMediaError', ['handleGetUserMediaError']]]) {
  test(`denied camera (NotAllowedError) on the callee, ${label}`, async (t) => {
    const site = await startSite(t);
    const url = `${site.relay.url}index.html?signal=${encodeURIComponent(site.relay.ws)}&ice=${encodeURIComponent('[]')}`;
    const browser = await launch(t);
    // Bob's browser has no fake permission prompt: headless Chromium dismisses the prompt, so
    // getUserMedia rejects with NotAllowedError, as when a person clicks "Block".
    const denying = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS.filter((a) => a !== '--use-fake-ui-for-media-stream'),
    });
    t.after(() => denying.close().catch(() => {}));
    const [alice] = await people(t, browser, url, ['alice'], swap);
    const [bob] = await people(t, denying, url, ['bob'], swap);
    const all = [alice, bob];
    await waitListed(all, ['alice', 'bob']);
    await call(alice, bob);
    await until(bob, all, 'bob\'s camera refused and his call closed', () => window.myPeerConnection === null && window.__e2e.pcs.length > 0);
    assert.ok(bob.console.some((l) => /NotAllowedError|denied/i.test(l)), `bob: the refusal is logged\n${await describe(all)}`);
    if (swap.length === 0) {
      await marker(bob, alice, all, 'after the refusal');
      assert.equal(await alice.page.evaluate(() => window.myPeerConnection !== null), true, `alice was told after all\n${await describe(all)}`);
      return;
    }
    await waitClosed(alice, all);
  });
}

/** The tutorial page and the bundle served statically beside naive-relay.js. */
async function naiveSite(t) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'embed-naive-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  for (const f of ['index.html', 'chatclient.js']) fs.copyFileSync(path.join(TUTORIAL, f), path.join(dir, f));
  copyPackage(dir);
  const naive = await startNaiveRelay();
  t.after(() => naive.close());
  const site = await startStatic(t, dir);
  return `${site.url}index.html?signal=${encodeURIComponent(`ws://127.0.0.1:${naive.port}/`)}&ice=${encodeURIComponent('[]')}`;
}

// Our handleVideoOfferMsg everywhere: it keeps the tutorial's own offer race (see
// swap.test.js) out of these two-call tests, and plays no part in hanging up.
const BASE = ['handleVideoOfferMsg'];
for (const [label, swap, survives] of [
  ['the tutorial\'s hangUpCall and handleHangUpMsg (everyone\'s call ends)', BASE, false],
  ['our hangUpCall', [...BASE, 'hangUpCall'], true],
  ['our handleHangUpMsg', [...BASE, 'handleHangUpMsg'], true],
]) {
  test(`broadcasting server: alice hangs up on bob, carol and dave's call, with ${label}`, async (t) => {
    const url = await naiveSite(t);
    const browser = await launch(t);
    const all = await people(t, browser, url, ['alice', 'bob', 'carol', 'dave'], swap);
    const [alice, bob, carol, dave] = all;
    await call(alice, bob);
    for (const p of [alice, bob]) await waitVideo(p, all);
    await call(carol, dave);
    for (const p of [carol, dave]) await waitVideo(p, all);
    await alice.page.click('#hangup-button');
    for (const p of [alice, bob]) await waitClosed(p, all);
    // Carol and dave have handled whatever alice's hang-up did by the time alice's next line
    // reaches them (one server, one socket each, in order).
    for (const p of [carol, dave]) await marker(alice, p, all, `after the hang-up (${p.label})`);
    const still = [await inCall(carol), await inCall(dave)];
    if (survives) {
      assert.deepEqual(still, [true, true], `carol and dave's call ended\n${await describe(all)}`);
      for (const p of [carol, dave]) await waitVideo(p, all);
    } else {
      assert.deepEqual(still, [false, false], `the tutorial's broadcast hang-up did not end the other call\n${await describe(all)}`);
    }
  });
}
