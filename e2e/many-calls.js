#!/usr/bin/env node
// 100 calls in a row (issue 11, item 4): a benchmark-style command, not a test. Two pages
// (alice, bob) on one Chromium, through the real relay; calls alternate callers and hang-up
// sides; each must connect with video playing on both sides. Prints, per 10 calls: calls
// connected, the app's live listeners+timers (`window.__webrtcChatLiveListeners`), pending page timers, wasm
// memory and the JS heap after a forced GC, the wasm-bindgen externref slots in use, the page's
// elements and chat lines and the browser's buffered performance entries (lib/many-calls.js),
// for both pages; then what the heap grew by since the previous row, from two V8 heap snapshots,
// by holder (the page itself, compiled code, the browser's capped buffers, the test driver:
// lib/heap.js) and by constructor; and a summary.
//
//   eval "$(e2e/prepare.sh)"; export RELAY_BIN DIST_DIR
//   node e2e/many-calls.js --calls 100              # --no-snapshots: figures only (faster)
//
// Chromium only: playwright-core drives only its own patched Firefox, and the machine's
// firefox-esr would need another driver (puppeteer-core over WebDriver BiDi), not installed.
'use strict';

const { countingWorld, callsInARow } = require('./lib/many-calls');
const heap = require('./lib/heap');

function parseArgs(argv) {
  const a = { calls: 100, every: 10, snapshots: true };
  for (let i = 2; i < argv.length; i++) {
    if (argv[i] === '--calls') a.calls = Number(argv[++i]);
    else if (argv[i] === '--every') a.every = Number(argv[++i]);
    else if (argv[i] === '--no-snapshots') a.snapshots = false;
    else throw new Error(`unknown argument ${argv[i]} (usage: many-calls.js [--calls N] [--every K] [--no-snapshots])`);
  }
  return a;
}

const kb = (b) => (b < 0 ? '-' : `${(b / 1024).toFixed(0)} KB`);
const mb = (b) => (b < 0 ? '-' : `${(b / 1048576).toFixed(2)} MB`);
const signedKb = (b) => `${b < 0 ? '-' : '+'}${(Math.abs(b) / 1024).toFixed(1)} KB`;
const sum = (o) => Object.values(o || {}).reduce((x, y) => x + y, 0);

/** What grew from snapshot `a` to `b` (the same page): by holder, and the top constructors. */
function grownLine(who, a, b) {
  const ha = heap.byHolder(a);
  const hb = heap.byHolder(b);
  const holders = [...hb]
    .map(([name, size]) => [name, size - (ha.get(name) || 0)])
    .filter(([, d]) => Math.abs(d) >= 512)
    .sort((x, y) => Math.abs(y[1]) - Math.abs(x[1]))
    .map(([name, d]) => `${name} ${signedKb(d)}`);
  const top = (rows) => rows.slice(0, 3).map((r) => `${r.kind} ${signedKb(r.size)} (${r.count >= 0 ? '+' : ''}${r.count})`).join(', ') || '-';
  return `  ${who.padEnd(6)} heap snapshot: ${holders.join(', ') || 'no holder changed by 0.5 KB'}\n` +
    `         grew most: ${top(heap.grown(a, b))}; of the page's own: ${top(heap.grown(a, b, heap.PAGE))}`;
}

async function main() {
  const args = parseArgs(process.argv);
  const cleanups = [];
  const t = { after: (fn) => cleanups.push(fn) };
  let connected = 0;
  try {
    const w = await countingWorld(t);
    const alice = await w.person('alice');
    const bob = await w.person('bob');
    await alice.waitUsers(['alice', 'bob']);
    await bob.waitUsers(['alice', 'bob']);
    const row = (label, [a, b]) =>
      console.log(
        [label.padEnd(10), `listeners ${a.listeners}/${b.listeners}`, `timers ${a.timers}/${b.timers}`,
          `wasm ${kb(a.wasm)}/${kb(b.wasm)}`, `heap ${mb(a.heap)}/${mb(b.heap)}`,
          `externrefs ${a.refs}/${b.refs} (table ${a.refsTable}/${b.refsTable})`, `elements ${a.dom}/${b.dom}`,
          `chat lines ${a.chat}/${b.chat}`, `timeline ${sum(a.timeline)}/${sum(b.timeline)}`].join('  '),
      );
    // Heap snapshots over DevTools (one session per page, so that node ids compare).
    const pages = [['alice', alice], ['bob', bob]];
    const cdps = args.snapshots ? await Promise.all(pages.map(([, u]) => u.context.newCDPSession(u.page))) : [];
    const snaps = args.snapshots ? await Promise.all(cdps.map((c) => heap.snapshot(c))) : [];
    const firstSnaps = [...snaps];
    const snapshotRow = async () => {
      if (!args.snapshots) return;
      for (const [i, [who]] of pages.entries()) {
        const s = await heap.snapshot(cdps[i]);
        console.log(grownLine(who, snaps[i], s));
        snaps[i] = s;
      }
    };
    console.log(`${args.calls} calls alice <-> bob through the relay (figures: alice/bob)`);
    const started = Date.now();
    let first = null;
    let last = null;
    const baseline = await callsInARow(alice, bob, args.calls, async (k, f) => {
      connected = k;
      if (k === 1) first = f;
      last = f;
      if (k % args.every === 0 || k === args.calls) {
        row(`${k} calls`, f);
        await snapshotRow();
      }
    }).catch((e) => {
      console.log(`call ${connected + 1} failed: ${e.message.split('\n')[0]}`);
      return null;
    });
    if (baseline) row('before', baseline);
    console.log(`connected ${connected}/${args.calls} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    if (first && last) {
      for (const [i, who] of [[0, 'alice'], [1, 'bob']]) {
        console.log(`${who}: after call 1 → after call ${connected}: wasm ${kb(first[i].wasm)} → ${kb(last[i].wasm)}, heap ${mb(first[i].heap)} → ${mb(last[i].heap)}, listeners ${baseline ? baseline[i].listeners : '?'} before, ${last[i].listeners} after`);
        console.log(`  externrefs ${first[i].refs} → ${last[i].refs} (table ${first[i].refsTable} → ${last[i].refsTable}), elements ${first[i].dom} → ${last[i].dom}, chat lines ${last[i].chat}; browser's buffered entries ${JSON.stringify(last[i].timeline)}`);
        if (args.snapshots && snaps[i] !== firstSnaps[i]) console.log(grownLine(who, firstSnaps[i], snaps[i]).replace('heap snapshot:', 'before → last:'));
      }
    }
  } finally {
    for (const fn of cleanups.reverse()) await fn();
  }
  process.exitCode = connected === args.calls ? 0 : 1;
}

main().catch((e) => {
  console.error(e);
  process.exit(2);
});
