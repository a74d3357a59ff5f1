// TURN for real: the page gets coturn's address and credentials through its query parameters
// (page contract) with iceTransportPolicy=relay; the call connects and both sides' selected
// candidate pairs are relay/relay. Wrong credentials: a clear failure, in bounded time.
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const { World } = require('../lib/world');
const { callAndCheck, hangUpAndCheck } = require('../lib/scenarios');

test('call through coturn (relay only): relay candidates on both sides', async (t) => {
  const w = await World.create(t, { turn: true });
  const q = { turn: w.coturn.url, turnUser: w.coturn.user, turnPass: w.coturn.pass, iceTransportPolicy: 'relay' };
  const alice = await w.user('alice', { query: q });
  const bob = await w.user('bob', { query: q });
  await alice.waitUsers(['alice', 'bob']);
  await callAndCheck(alice, bob);
  for (const u of [alice, bob]) {
    const s = await u.selectedPair();
    assert.ok(s && s.pair, `${u.label}: a selected pair: ${JSON.stringify(s)}`);
    assert.equal(s.config.iceTransportPolicy, 'relay', `${u.label}: the page passed the policy on`);
    assert.deepEqual([s.pair.local, s.pair.remote], ['relay', 'relay'], `${u.label}: ${JSON.stringify(s)}`);
    t.diagnostic(`${u.label}: ${s.pair.localAddress} -> ${s.pair.remoteAddress}`);
  }
  await hangUpAndCheck(alice, bob);
});

// Bounded: the app must give up on its own and say so. With a relay-only policy and refused
// credentials Chrome gathers no candidate at all and ICE stays "new" forever (no "failed"
// ever comes), so the page needs its own signal: `icecandidateerror` (401 from the TURN URL),
// gathering "complete" with nothing gathered, or a connect timeout.
const GIVES_UP_WITHIN_MS = 30000;

test('wrong TURN credentials: the person sees a clear failure and nothing hangs', async (t) => {
  const w = await World.create(t, { turn: true });
  const q = { turn: w.coturn.url, turnUser: w.coturn.user, turnPass: 'not-the-password', iceTransportPolicy: 'relay' };
  const alice = await w.user('alice', { query: q });
  const bob = await w.user('bob', { query: q });
  await alice.waitUsers(['alice', 'bob']);
  const start = Date.now();
  await alice.call('bob');
  const err = await alice.until('an error shown to alice', () => {
    const e = document.querySelector('#error');
    return e && !e.hidden && e.textContent.trim();
  }, undefined, GIVES_UP_WITHIN_MS);
  await alice.waitCall('idle', GIVES_UP_WITHIN_MS);
  await bob.waitCall('idle', GIVES_UP_WITHIN_MS);
  t.diagnostic(`alice told after ${Date.now() - start} ms: "${err}"`);
  assert.equal(await alice.hangupDisabled(), true);
  // Nothing hangs: the page still works — a chat line goes through.
  await bob.sendChat('still here');
  await alice.waitChat('bob', 'still here');
});
