// Glare: alice and bob click each other at the same moment. Exactly one call comes up,
// connected on both sides (the tutorial deadlocks here: its bug 3).
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const { World } = require('../lib/world');

/** Both click each other's name at the same wall-clock instant; returns the click times. */
async function clickAtOnce(alice, bob) {
  // Scheduled in both pages for one instant (the pages share the machine's clock): Playwright's
  // clicks over CDP would be serialised some ms apart.
  const at = Date.now() + 500;
  const clickAt = ({ peer, when }) => {
    const li = [...document.querySelectorAll('ul.userlistbox li')].find((x) => x.textContent.trim() === peer);
    return new Promise((resolve) => setTimeout(() => { li.click(); resolve(performance.timeOrigin + performance.now()); }, when - Date.now()));
  };
  return Promise.all([alice.page.evaluate(clickAt, { peer: 'bob', when: at }), bob.page.evaluate(clickAt, { peer: 'alice', when: at })]);
}

const offers = (u) => u.page.evaluate(() => window.__e2e.signals.filter((s) => s.type === 'video-offer').map((s) => ({ dir: s.dir, t: s.t })));

async function oneCallBothConnected(alice, bob) {
  await Promise.all([alice.waitCall('connected'), bob.waitCall('connected')]);
  await Promise.all([alice.waitRemoteVideoPlaying(), bob.waitRemoteVideoPlaying()]);
  assert.equal((await alice.callState()).peer, 'bob');
  assert.equal((await bob.callState()).peer, 'alice');
  // Exactly one call: one open peer connection on each side.
  assert.equal(await alice.openPeerConnections(), 1, 'alice has one open peer connection');
  assert.equal(await bob.openPeerConnections(), 1, 'bob has one open peer connection');
}

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
