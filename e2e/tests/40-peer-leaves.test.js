// bob closes his page mid-call: alice's call ends within a few seconds and she is told why.
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const { World } = require('../lib/world');
const { callAndCheck } = require('../lib/scenarios');

// "A few seconds": the relay's userlist (bob gone) arrives at once; ICE alone would take
// Chrome's consent timeout plus the app's disconnected grace period.
const ENDS_WITHIN_MS = 10000;

test('the peer closes the page mid-call: the call ends and the person is told', async (t) => {
  const w = await World.create(t, { query: { ice: '[]' } });
  const alice = await w.user('alice');
  const bob = await w.user('bob');
  await alice.waitUsers(['alice', 'bob']);
  await callAndCheck(alice, bob);

  const closedAt = Date.now();
  await bob.close();
  await alice.waitCall('idle', ENDS_WITHIN_MS);
  const tookMs = Date.now() - closedAt;
  await alice.waitUsers(['alice']);
  const shown = await alice.until('a notice saying why the call ended', () => {
    const e = document.querySelector('#error');
    const s = document.querySelector('#status');
    const err = e && !e.hidden ? e.textContent.trim() : '';
    return (err || '') && { error: err, status: s.textContent.trim() };
  }, undefined, 2000);
  assert.match(shown.error, /bob|ended|left|hung|closed|lost|disconnect/i, `the notice says why: ${shown.error}`);
  assert.equal(await alice.hangupDisabled(), true);
  t.diagnostic(`call ended ${tookMs} ms after bob closed his page; alice sees: "${shown.error}"`);
});
