// Two calls at once: alice–bob and carol–dave. alice hangs up: bob goes idle, and carol–dave
// go on (the tutorial's bug 1 would broadcast the hang-up and end every call in the room).
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const { World } = require('../lib/world');
const { callAndCheck } = require('../lib/scenarios');

async function twoCalls(t, server) {
  const w = await World.create(t, { server, query: { ice: '[]' } });
  const [alice, bob, carol, dave] = [await w.user('alice'), await w.user('bob'), await w.user('carol'), await w.user('dave')];
  for (const u of [alice, bob, carol, dave]) await u.waitUsers(['alice', 'bob', 'carol', 'dave']);

  await callAndCheck(alice, bob);
  await callAndCheck(carol, dave);

  await alice.hangUp();
  await Promise.all([alice.waitCall('idle'), bob.waitCall('idle')]);
  // The tutorial's bug 1: its hang-up went out with `target: null`.
  const sent = await alice.page.evaluate(() => window.__e2e.signals.filter((x) => x.dir === 'out' && x.type === 'hang-up').map((x) => x.target));
  assert.deepEqual(sent, ['bob'], 'alice sent one hang-up, addressed to bob');
  // Whatever alice's hang-up sent has reached carol and dave once a chat line alice sends
  // after it has (one socket, in order): no waiting on a clock.
  await alice.sendChat('after hang-up');
  await Promise.all([carol.waitChat('alice', 'after hang-up'), dave.waitChat('alice', 'after hang-up')]);
  for (const [me, peer] of [[carol, dave], [dave, carol]]) {
    const s = await me.callState();
    assert.equal(s.call, 'connected', `${me.label} still in the call`);
    assert.equal(s.peer, peer.name);
    assert.equal(await me.hangupDisabled(), false);
  }
  await Promise.all([carol.waitRemoteVideoPlaying(), dave.waitRemoteVideoPlaying()]);
}

// Through our relay, and through the naive one, which would broadcast a hang-up without target.
for (const server of ['relay', 'naive']) {
  test(`${server}: four users, two calls; one hangs up, the other call is unaffected`, (t) => twoCalls(t, server));
}
