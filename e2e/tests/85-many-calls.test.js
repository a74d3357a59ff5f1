// Calls in a row (issue 11, item 4), the short version of `node e2e/many-calls.js --calls 100`:
// ten calls between the same two pages through the relay; every one connects, and after every
// one both pages are back to the listeners, timers, JsValues held by the Rust side (externref
// slots) and elements they had before the first; wasm memory and JS heap bounded, and what the
// page itself holds in its heap (a heap snapshot's share that is neither compiled code nor the
// browser's capped buffers nor the test driver's: lib/heap.js) flat from call 2 to the last
// (limits and measured figures: e2e/README.md).
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const { countingWorld, callsInARow } = require('../lib/many-calls');
const heap = require('../lib/heap');

const CALLS = 10;
// Growth allowed from after the first call to after the last. Measured with
// `node e2e/many-calls.js --calls 100` (e2e/README.md): see there for the figures.
const WASM_GROWTH_MAX = 2 * 65536; // two wasm pages (measured: none)
// usedJSHeapSize counts V8's compiled code too, which grows for the first hundred calls as
// functions get hot (measured +150–200 KB over these ten calls): a backstop, not the leak check.
const HEAP_GROWTH_MAX = 1 << 20;
// The page's own share of a heap snapshot, from after call 2 (the first call makes the page's
// one-time objects: +50–65 KB) to after the last: measured within ±6 KB over 8 calls; a peer
// connection or a stream kept per call is more than this.
const PAGE_GROWTH_MAX = 24 * 1024;

test(`${CALLS} calls in a row: all connect, nothing left behind, memory bounded`, async (t) => {
  const w = await countingWorld(t);
  const alice = await w.person('alice');
  const bob = await w.person('bob');
  await alice.waitUsers(['alice', 'bob']);
  await bob.waitUsers(['alice', 'bob']);
  const people = [alice, bob];
  const cdps = await Promise.all(people.map((u) => u.context.newCDPSession(u.page)));
  let first = null;
  let last = null;
  let snaps = null;
  const baseline = await callsInARow(alice, bob, CALLS, async (k, f, baseline0) => {
    for (const [i, u] of people.entries()) {
      assert.equal(f[i].listeners, baseline0[i].listeners, `${u.label}: listeners+timers after call ${k} as before the first`);
      assert.equal(f[i].timers, baseline0[i].timers, `${u.label}: pending timers after call ${k} as before the first`);
      assert.equal(f[i].refs, baseline0[i].refs, `${u.label}: JsValues held by the Rust side (externref slots) after call ${k} as before the first`);
      assert.equal(f[i].dom, baseline0[i].dom, `${u.label}: elements in the page after call ${k} as before the first`);
      // The table grows in steps of 128 slots on the first call, then reuses freed slots.
      if (first) assert.equal(f[i].refsTable, first[i].refsTable, `${u.label}: externref table length after call ${k} as after the first`);
    }
    if (k === 1) first = f;
    if (k === 2) snaps = await Promise.all(cdps.map((c) => heap.snapshot(c)));
    last = f;
  });
  const lastSnaps = await Promise.all(cdps.map((c) => heap.snapshot(c)));
  for (const [i, u] of people.entries()) {
    assert.ok(baseline[i].listeners > 0 && baseline[i].wasm > 0 && baseline[i].heap > 0 && baseline[i].refs > 0 && baseline[i].dom > 0, `${u.label}: figures readable ${JSON.stringify(baseline[i])}`);
    const wasm = last[i].wasm - first[i].wasm;
    const used = last[i].heap - first[i].heap;
    const page = heap.byHolder(lastSnaps[i]).get(heap.PAGE) - heap.byHolder(snaps[i]).get(heap.PAGE);
    const grew = heap.grown(snaps[i], lastSnaps[i], heap.PAGE).slice(0, 5).map((r) => `${r.kind} +${r.size} B (${r.count})`).join(', ');
    t.diagnostic(`${u.label}: listeners ${baseline[i].listeners}, externrefs ${baseline[i].refs}, elements ${baseline[i].dom}, wasm +${wasm} B, heap ${used >= 0 ? '+' : ''}${used} B over calls 2..${CALLS}; the page's own ${page >= 0 ? '+' : ''}${page} B over calls 3..${CALLS} (${grew || 'nothing grew'})`);
    assert.ok(wasm <= WASM_GROWTH_MAX, `${u.label}: wasm memory grew ${wasm} B over ${CALLS - 1} calls`);
    assert.ok(used <= HEAP_GROWTH_MAX, `${u.label}: JS heap grew ${used} B over ${CALLS - 1} calls`);
    assert.ok(page <= PAGE_GROWTH_MAX, `${u.label}: the page's own heap grew ${page} B over calls 3..${CALLS}: ${grew}`);
  }
});
