// Calls in a row (issue 11, item 4), the short version of `node e2e/many-calls.js --calls 100`:
// ten calls between the same two pages through the relay; every one connects, and after every
// one both pages are back to the listeners and timers they had before the first, with wasm
// memory and JS heap bounded (limits and measured figures: e2e/README.md).
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const { countingWorld, callsInARow } = require('../lib/many-calls');

const CALLS = 10;
// Growth allowed from after the first call to after the last. Measured with
// `node e2e/many-calls.js --calls 100` (e2e/README.md): see there for the figures.
const WASM_GROWTH_MAX = 2 * 65536; // two wasm pages (measured: none)
const HEAP_GROWTH_MAX = 1 << 20;

test(`${CALLS} calls in a row: all connect, nothing left behind, memory bounded`, async (t) => {
  const w = await countingWorld(t);
  const alice = await w.person('alice');
  const bob = await w.person('bob');
  await alice.waitUsers(['alice', 'bob']);
  await bob.waitUsers(['alice', 'bob']);
  let first = null;
  let last = null;
  const baseline = await callsInARow(alice, bob, CALLS, async (k, f, baseline0) => {
    for (const [i, u] of [alice, bob].entries()) {
      assert.equal(f[i].listeners, baseline0[i].listeners, `${u.label}: listeners+timers after call ${k} as before the first`);
      assert.equal(f[i].timers, baseline0[i].timers, `${u.label}: pending timers after call ${k} as before the first`);
    }
    if (k === 1) first = f;
    last = f;
  });
  for (const [i, u] of [alice, bob].entries()) {
    assert.ok(baseline[i].listeners > 0 && baseline[i].wasm > 0 && baseline[i].heap > 0, `${u.label}: figures readable ${JSON.stringify(baseline[i])}`);
    const wasm = last[i].wasm - first[i].wasm;
    const heap = last[i].heap - first[i].heap;
    t.diagnostic(`${u.label}: listeners ${baseline[i].listeners}, wasm +${wasm} B, heap ${heap >= 0 ? '+' : ''}${heap} B over calls 2..${CALLS}`);
    assert.ok(wasm <= WASM_GROWTH_MAX, `${u.label}: wasm memory grew ${wasm} B over ${CALLS - 1} calls`);
    assert.ok(heap <= HEAP_GROWTH_MAX, `${u.label}: JS heap grew ${heap} B over ${CALLS - 1} calls`);
  }
});
