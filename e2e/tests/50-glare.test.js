// Glare: alice and bob click each other at the same moment. Exactly one call comes up,
// connected on both sides (the tutorial deadlocks here: its bug 3).
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const { World } = require('../lib/world');

test('glare: both click each other at once; one call, connected on both sides', async (t) => {
  const w = await World.create(t, { query: { ice: '[]' } });
  const alice = await w.user('alice');
  const bob = await w.user('bob');
  await alice.waitUsers(['alice', 'bob']);
  await bob.waitUsers(['alice', 'bob']);

  // Both clicks are scheduled for the same wall-clock instant (the two pages share the
  // machine's clock), so both offers leave before either arrives. Playwright's clicks over
  // CDP would be serialised a few ms apart and could let one side see the other's offer first.
  const at = Date.now() + 500;
  const clickAt = ({ peer, when }) => {
    const li = [...document.querySelectorAll('ul.userlistbox li')].find((x) => x.textContent.trim() === peer);
    return new Promise((resolve) => setTimeout(() => { li.click(); resolve(Date.now()); }, when - Date.now()));
  };
  const [ta, tb] = await Promise.all([alice.page.evaluate(clickAt, { peer: 'bob', when: at }), bob.page.evaluate(clickAt, { peer: 'alice', when: at })]);
  t.diagnostic(`clicks at +${ta - at} ms and +${tb - at} ms`);
  await Promise.all([alice.waitCall('connected'), bob.waitCall('connected')]);
  await Promise.all([alice.waitRemoteVideoPlaying(), bob.waitRemoteVideoPlaying()]);
  // It really was glare: each side sent its offer before it received the other's.
  for (const u of [alice, bob]) {
    const order = await u.page.evaluate(() => window.__e2e.signals.filter((s) => s.type === 'video-offer').map((s) => s.dir));
    assert.equal(order[0], 'out', `${u.label} sent an offer before receiving one: ${order}`);
    assert.ok(order.includes('in'), `${u.label} received an offer too: ${order}`);
  }

  assert.equal((await alice.callState()).peer, 'bob');
  assert.equal((await bob.callState()).peer, 'alice');
  // Exactly one call: one open peer connection on each side.
  assert.equal(await alice.openPeerConnections(), 1, 'alice has one open peer connection');
  assert.equal(await bob.openPeerConnections(), 1, 'bob has one open peer connection');
});
