// A call both ways: alice calls bob, both remote videos decode and keep playing; alice hangs
// up, both are idle again; then bob calls alice and that works too.
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const { World } = require('../lib/world');
const { callAndCheck, hangUpAndCheck } = require('../lib/scenarios');

test('alice calls bob, hangs up, bob calls alice', async (t) => {
  const w = await World.create(t, { query: { ice: '[]' } });
  const alice = await w.user('alice');
  const bob = await w.user('bob');
  await alice.waitUsers(['alice', 'bob']);
  await bob.waitUsers(['alice', 'bob']);
  assert.equal(await alice.hangupDisabled(), true, 'Hang Up is disabled before a call');

  await callAndCheck(alice, bob);
  await hangUpAndCheck(alice, bob);
  await callAndCheck(bob, alice);
  await hangUpAndCheck(bob, alice);
});
