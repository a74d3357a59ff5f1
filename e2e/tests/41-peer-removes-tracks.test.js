// bob's connection stops sending (both senders removed, renegotiated): alice's remote stream
// loses its tracks (`removetrack` on the stream, the tutorial's bug 8) and her call ends with
// the notice that says so. The app must watch the stream the tracks arrived in, not a copy.
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const { World } = require('../lib/world');
const { callAndCheck } = require('../lib/scenarios');

test('the peer removes its tracks mid-call: the call ends and the person is told', async (t) => {
  const w = await World.create(t, { query: { ice: '[]' } });
  const alice = await w.user('alice');
  const bob = await w.user('bob');
  await alice.waitUsers(['alice', 'bob']);
  await callAndCheck(alice, bob);

  // Straight on bob's connection (the page has no control for it): `negotiationneeded`
  // follows, and bob's app offers the change to alice.
  const removed = await bob.page.evaluate(() => {
    const open = window.__e2e.pcs.map((x) => x.pc).filter((pc) => pc.connectionState !== 'closed');
    const pc = open[open.length - 1];
    const senders = pc.getSenders().filter((s) => s.track);
    senders.forEach((s) => pc.removeTrack(s));
    return senders.length;
  });
  assert.equal(removed, 2, 'bob sent audio and video');
  await alice.waitCall('idle', 10000);
  const error = await alice.until('the notice', () => {
    const e = document.querySelector('#error');
    return e && !e.hidden && e.textContent.trim();
  });
  t.diagnostic(`alice sees: "${error}"`);
  assert.match(error, /bob/i, `the notice names the peer: ${error}`);
});
