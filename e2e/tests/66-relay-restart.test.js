// The relay restarts mid-call (docs/protocol.md, "ICE restart", "A relay that restarts"): the
// media flows peer to peer while the signaling socket is down; both pages reconnect with backoff,
// log in again under the same names, and each shows the other again; the call is the same one
// throughout (a peer missing from the first user list after a re-login is not taken as gone).
// Measured and printed: signaling restored (both pages logged in and showing each other) within
// N ms of the relay listening again. Target: 5 s (the core's backoff max is 4 s).
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const { World } = require('../lib/world');
const { startRelay } = require('../lib/procs');
const { callAndCheck, hangUpAndCheck } = require('../lib/scenarios');

const RESTORED_WITHIN_MS = 5000;

function frames(u) {
  return u.page.$eval('video#received_video', (v) => v.getVideoPlaybackQuality().totalVideoFrames);
}

async function framesAdvance(u, what, by = 10) {
  const f0 = await frames(u);
  await u.until(`${what}: ${u.label}'s remote frames advance past ${f0 + by}`, (n) => {
    const v = document.querySelector('video#received_video');
    return v.getVideoPlaybackQuality().totalVideoFrames > n;
  }, f0 + by, 20000);
}

function socket(u) {
  return u.page.$eval('#status', (s) => s.getAttribute('data-socket'));
}

test('the relay restarts mid-call: media flows on, both log in again and see each other', async (t) => {
  const w = await World.create(t, { query: { autoAccept: '1' } });
  const alice = await w.user('alice');
  const bob = await w.user('bob');
  await alice.waitUsers(['alice', 'bob']);
  await callAndCheck(alice, bob);
  const pcsBefore = await Promise.all([alice, bob].map((u) => u.page.evaluate(() => window.__e2e.pcs.length)));

  const port = w.relay.port;
  await w.relay.proc.stop();
  const stopped = Date.now();
  // The gap: the sockets are closed, the call goes on and its frames keep advancing.
  for (const u of [alice, bob]) {
    await u.until(`${u.label}'s socket closed`, () => document.querySelector('#status').getAttribute('data-socket') === 'closed');
  }
  await new Promise((r) => setTimeout(r, 3000));
  for (const u of [alice, bob]) {
    assert.equal(await socket(u), 'closed', `${u.label}: still no relay`);
    await framesAdvance(u, 'while the relay is down');
    assert.equal((await u.callState()).call, 'connected', `${u.label}: the call goes on`);
  }
  const gap = Date.now() - stopped;

  w.relay = await startRelay(t, { port });
  const listening = Date.now();
  await Promise.all([alice, bob].map(async (u) => {
    await u.until(`${u.label} logged in again, seeing both`, () => {
      const st = document.querySelector('#status');
      const names = [...document.querySelectorAll('ul.userlistbox li')].map((li) => li.textContent.trim()).sort();
      return st.getAttribute('data-socket') === 'open' && JSON.stringify(names) === '["alice","bob"]';
    }, undefined, 20000);
  }));
  const restored = Date.now() - listening;
  const line = `relay restart: signaling restored ${restored} ms after the relay listened again (gap ${gap} ms)`;
  t.diagnostic(line);
  console.log(line);

  for (const [me, peer] of [[alice, bob], [bob, alice]]) {
    const s = await me.callState();
    assert.deepEqual([s.call, s.peer], ['connected', peer.name], `${me.label}: the same call`);
    const marked = (await me.users()).filter((u) => u.cls.split(/\s+/).includes('peer')).map((u) => u.name);
    assert.deepEqual(marked, [peer.name], `${me.label}: the peer is marked again`);
    assert.equal(await me.errorText(), null, `${me.label}: no notice`);
    await framesAdvance(me, 'after the relay is back');
  }
  const pcsAfter = await Promise.all([alice, bob].map((u) => u.page.evaluate(() => window.__e2e.pcs.length)));
  assert.deepEqual(pcsAfter, pcsBefore, 'no new peer connection');
  assert.ok(restored <= RESTORED_WITHIN_MS, `signaling restored within ${RESTORED_WITHIN_MS} ms: ${restored} ms`);

  // Signaling works again: chat, and a hang-up that reaches the other side.
  await alice.sendChat('back');
  await bob.waitChat('alice', 'back');
  await hangUpAndCheck(alice, bob);
});
