// Glare: alice and bob click each other at the same moment. Exactly one call comes up,
// connected on both sides (the tutorial deadlocks here: its bug 3).
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const { World } = require('../lib/world');
const { clickAtOnce, oneCallBothConnected } = require('../lib/scenarios');

const offers = (u) => u.page.evaluate(() => window.__e2e.signals.filter((s) => s.type === 'video-offer').map((s) => ({ dir: s.dir, t: s.t })));

test('glare (clicks): both click each other at once; one call, connected on both sides', async (t) => {
  const w = await World.create(t, { query: { ice: '[]' } });
  const alice = await w.user('alice');
  const bob = await w.user('bob');
  await alice.waitUsers(['alice', 'bob']);
  await bob.waitUsers(['alice', 'bob']);
  const [ta, tb] = await clickAtOnce(alice, bob);
  await oneCallBothConnected(alice, bob);
  // Both people started a call: each clicked before any offer reached them. (Whether both
  // offers also left depends on how far each page got when the other's offer arrived; the
  // next test forces that.)
  const [oa, ob] = [await offers(alice), await offers(bob)];
  for (const [u, clicked, o] of [['alice', ta, oa], ['bob', tb, ob]]) {
    const firstIn = o.find((x) => x.dir === 'in');
    assert.ok(!firstIn || firstIn.t > clicked, `${u} clicked before receiving an offer`);
  }
  const crossed = oa.some((x) => x.dir === 'out') && ob.some((x) => x.dir === 'out');
  t.diagnostic(`clicks ${Math.abs(ta - tb).toFixed(1)} ms apart; both sent an offer: ${crossed}`);
});

test('glare (offers cross on the wire): one call, connected on both sides', async (t) => {
  // naive-relay.js holds each offer until the opposite one arrives, then delivers both.
  const w = await World.create(t, { server: 'naive', naive: { crossOffers: 5000 }, query: { ice: '[]' } });
  const alice = await w.user('alice');
  const bob = await w.user('bob');
  await alice.waitUsers(['alice', 'bob']);
  await bob.waitUsers(['alice', 'bob']);
  await clickAtOnce(alice, bob);
  await oneCallBothConnected(alice, bob);
  for (const u of [alice, bob]) {
    const o = (await offers(u)).map((x) => x.dir);
    assert.equal(o[0], 'out', `${u.label} sent an offer before receiving one: ${o}`);
    assert.ok(o.includes('in'), `${u.label} received the other's offer: ${o}`);
  }
});
