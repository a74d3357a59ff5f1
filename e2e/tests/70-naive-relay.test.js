// Any signaling server: the call through naive-relay.js (a server like the MDN sample's,
// trusting whatever `name` a client writes). A third user spoofs hang-ups as bob, broadcast
// and targeted at alice: the alice–bob call must go on.
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const { World } = require('../lib/world');
const { RawClient } = require('../lib/wsclient');
const { callAndCheck, hangUpAndCheck } = require('../lib/scenarios');

test('naive server: call, spoofed hang-ups from a third user do not end it', async (t) => {
  const w = await World.create(t, { server: 'naive', query: { ice: '[]' } });
  const alice = await w.user('alice');
  const bob = await w.user('bob');
  await alice.waitUsers(['alice', 'bob']);
  await callAndCheck(alice, bob);

  const mallory = await RawClient.connect(w.signal);
  t.after(() => mallory.close());
  await mallory.login('mallory');
  await alice.waitUsers(['alice', 'bob', 'mallory']);

  const spoofs = [
    { type: 'hang-up', name: 'bob', target: null },
    { type: 'hang-up', name: 'bob', target: 'alice' },
    { type: 'hang-up', name: 'alice', target: 'bob' },
  ];
  for (const [i, spoof] of spoofs.entries()) {
    mallory.send(spoof);
    // A chat line mallory sends after the spoof reaches alice and bob after it (one server,
    // one socket each, in order): once they show it, they have handled the spoof.
    mallory.send({ type: 'message', id: mallory.id, text: `marker ${i}`, date: Date.now() });
    await Promise.all([alice.waitChat('mallory', `marker ${i}`), bob.waitChat('mallory', `marker ${i}`)]);
    // The spoof did reach its victims' pages (else this test would prove nothing).
    const victims = spoof.target === null ? [alice, bob] : [spoof.target === 'alice' ? alice : bob];
    for (const v of victims) {
      const got = await v.page.evaluate(() => window.__e2e.signals.filter((x) => x.dir === 'in' && x.type === 'hang-up').length);
      assert.ok(got >= 1, `${v.label} received the spoofed hang-up`);
    }
    for (const [me, peer] of [[alice, bob], [bob, alice]]) {
      const s = await me.callState();
      assert.equal(s.call, 'connected', `${me.label} still in the call after ${JSON.stringify(spoof)}`);
      assert.equal(s.peer, peer.name);
    }
  }
  await Promise.all([alice.waitRemoteVideoPlaying(), bob.waitRemoteVideoPlaying()]);
  // The real hang-up still works.
  await hangUpAndCheck(bob, alice);
});

// A naive server sends no hang-up for a peer whose page closed: the client must notice on its
// own (the peer gone from the user list, or ICE), still within a few seconds.
test('naive server: the peer closes the page mid-call: the call ends and the person is told', async (t) => {
  const w = await World.create(t, { server: 'naive', query: { ice: '[]' } });
  const alice = await w.user('alice');
  const bob = await w.user('bob');
  await alice.waitUsers(['alice', 'bob']);
  await callAndCheck(alice, bob);
  const closedAt = Date.now();
  await bob.close();
  await alice.waitCall('idle', 10000);
  const tookMs = Date.now() - closedAt;
  const err = await alice.until('a notice saying why the call ended', () => {
    const e = document.querySelector('#error');
    return e && !e.hidden && e.textContent.trim();
  }, undefined, 2000);
  assert.equal(await alice.hangupDisabled(), true);
  t.diagnostic(`call ended ${tookMs} ms after bob closed his page; alice sees: "${err}"`);
});
