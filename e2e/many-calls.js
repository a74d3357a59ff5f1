#!/usr/bin/env node
// 100 calls in a row (issue 11, item 4): a benchmark-style command, not a test. Two pages
// (alice, bob) on one Chromium, through the real relay; calls alternate callers and hang-up
// sides; each must connect with video playing on both sides. Prints, per 10 calls: calls
// connected, the app's live listeners+timers (`window.__webrtcChatLiveListeners`), pending page timers, wasm
// memory and the JS heap after a forced GC, for both pages, and a summary.
//
//   eval "$(e2e/prepare.sh)"; export RELAY_BIN DIST_DIR
//   node e2e/many-calls.js --calls 100
//
// Chromium only: playwright-core drives only its own patched Firefox, and the machine's
// firefox-esr would need another driver (puppeteer-core over WebDriver BiDi), not installed.
'use strict';

const { countingWorld, callsInARow } = require('./lib/many-calls');

function parseArgs(argv) {
  const a = { calls: 100, every: 10 };
  for (let i = 2; i < argv.length; i++) {
    if (argv[i] === '--calls') a.calls = Number(argv[++i]);
    else if (argv[i] === '--every') a.every = Number(argv[++i]);
    else throw new Error(`unknown argument ${argv[i]} (usage: many-calls.js [--calls N] [--every K])`);
  }
  return a;
}

const kb = (b) => (b < 0 ? '-' : `${(b / 1024).toFixed(0)} KB`);
const mb = (b) => (b < 0 ? '-' : `${(b / 1048576).toFixed(2)} MB`);

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
          `wasm ${kb(a.wasm)}/${kb(b.wasm)}`, `heap ${mb(a.heap)}/${mb(b.heap)}`].join('  '),
      );
    console.log(`${args.calls} calls alice <-> bob through the relay (figures: alice/bob)`);
    const started = Date.now();
    let first = null;
    let last = null;
    const baseline = await callsInARow(alice, bob, args.calls, async (k, f) => {
      connected = k;
      if (k === 1) first = f;
      last = f;
      if (k % args.every === 0 || k === args.calls) row(`${k} calls`, f);
    }).catch((e) => {
      console.log(`call ${connected + 1} failed: ${e.message.split('\n')[0]}`);
      return null;
    });
    if (baseline) row('before', baseline);
    console.log(`connected ${connected}/${args.calls} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    if (first && last) {
      for (const [i, who] of [[0, 'alice'], [1, 'bob']]) {
        console.log(`${who}: after call 1 → after call ${connected}: wasm ${kb(first[i].wasm)} → ${kb(last[i].wasm)}, heap ${mb(first[i].heap)} → ${mb(last[i].heap)}, listeners ${baseline ? baseline[i].listeners : '?'} before, ${last[i].listeners} after`);
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
