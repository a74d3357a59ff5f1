#!/usr/bin/env node
// Glare, many times (issue 11, item 6): a command, not a test. Runs the e2e glare scenario
// (tests/50-glare.test.js: alice and bob click each other's name at the same instant) N times
// on real browsers and prints how many calls connected, with what each failed run looked like.
//
//   eval "$(e2e/prepare.sh)"; export RELAY_BIN DIST_DIR
//   node e2e/glare-soak.js --runs 200                # alternating both variants
//   node e2e/glare-soak.js --runs 50 --mode clicks   # our relay, clicks at one instant
//   node e2e/glare-soak.js --runs 50 --mode crossed  # naive relay holding offers until both crossed
//
// One Chromium for the whole run; every run gets a fresh relay and two fresh browser contexts.
// A run fails when the call is not connected and playing on both sides within --timeout ms
// (default 15000: less than the core's 20 s connect deadline, so a stuck call is caught as
// stuck rather than as "could not connect").
'use strict';

const { launch } = require('./lib/browser');
const { startRelay, DIST } = require('./lib/procs');
const { startStatic } = require('./lib/static');
const { World } = require('./lib/world');
const { clickAtOnce, oneCallBothConnected } = require('./lib/scenarios');
const { startNaiveRelay } = require('./naive-relay');

function parseArgs(argv) {
  const a = { runs: 50, mode: 'both', timeout: 15000, verbose: false };
  for (let i = 2; i < argv.length; i++) {
    const k = argv[i];
    if (k === '--runs') a.runs = Number(argv[++i]);
    else if (k === '--mode') a.mode = argv[++i];
    else if (k === '--timeout') a.timeout = Number(argv[++i]);
    else if (k === '--verbose') a.verbose = true;
    else throw new Error(`unknown argument ${k} (usage: glare-soak.js [--runs N] [--mode both|clicks|crossed] [--timeout MS] [--verbose])`);
  }
  if (!['both', 'clicks', 'crossed'].includes(a.mode)) throw new Error(`unknown mode ${a.mode}`);
  return a;
}

/** A World like World.create's, on a browser shared by all runs; `t` collects the cleanups. */
async function world(browser, t, mode) {
  const w = new World();
  w.users = [];
  w.query = { autoAccept: '1', ice: '[]' }; // glare: both answer at once (the page rings by default)
  w.initScripts = [];
  w.browser = browser;
  if (mode === 'clicks') {
    w.relay = await startRelay(t);
    w.pageUrl = w.relay.url;
    w.signal = null;
  } else {
    const relay = await startNaiveRelay({ crossOffers: 5000 });
    t.after(() => relay.close());
    const stat = await startStatic(t, DIST);
    w.naive = relay;
    w.pageUrl = stat.url;
    w.signal = `ws://127.0.0.1:${relay.port}/`;
  }
  // Users' contexts close with the run (the browser stays).
  const user = w.user.bind(w);
  w.user = async (name) => {
    const u = await user(name);
    t.after(() => u.context.close().catch(() => {}));
    return u;
  };
  return w;
}

async function oneRun(browser, mode, timeout) {
  const cleanups = [];
  const t = { after: (fn) => cleanups.push(fn) };
  const started = Date.now();
  try {
    const w = await world(browser, t, mode);
    const alice = await w.user('alice');
    const bob = await w.user('bob');
    await alice.waitUsers(['alice', 'bob']);
    await bob.waitUsers(['alice', 'bob']);
    await clickAtOnce(alice, bob);
    try {
      await oneCallBothConnected(alice, bob, timeout);
      // How this run's glare went, from the pages' logs (docs/glare.md).
      const logs = [...alice.console, ...bob.console].join('\n');
      const path = /waiting for our first candidate/.test(logs) ? 'deferred' : /rolling back ours/.test(logs) ? 'rolled back' : 'no collision';
      return { ok: true, ms: Date.now() - started, path };
    } catch (e) {
      const detail = [];
      for (const u of w.users) detail.push(`[${u.label}] ${JSON.stringify(await u.snapshot())}\n  ${u.console.join('\n  ')}`);
      return { ok: false, ms: Date.now() - started, why: e.message.split('\n')[0], detail: detail.join('\n') };
    }
  } finally {
    for (const fn of cleanups.reverse()) await fn();
  }
}

async function main() {
  const args = parseArgs(process.argv);
  const browser = await launch(null);
  const tally = { clicks: [0, 0], crossed: [0, 0] };
  const failures = [];
  const paths = {};
  try {
    for (let i = 0; i < args.runs; i++) {
      const mode = args.mode === 'both' ? (i % 2 ? 'crossed' : 'clicks') : args.mode;
      const r = await oneRun(browser, mode, args.timeout);
      tally[mode][0] += r.ok ? 1 : 0;
      tally[mode][1] += 1;
      if (r.path) paths[r.path] = (paths[r.path] || 0) + 1;
      console.log(`run ${i + 1}/${args.runs} ${mode}: ${r.ok ? `connected, ${r.path}` : 'FAILED'} (${(r.ms / 1000).toFixed(1)} s)${r.ok ? '' : `: ${r.why}`}`);
      if (!r.ok) {
        failures.push({ run: i + 1, mode, ...r });
        if (args.verbose) console.log(r.detail);
      }
    }
  } finally {
    await browser.close().catch(() => {});
  }
  const total = tally.clicks[0] + tally.crossed[0];
  for (const [mode, [ok, n]] of Object.entries(tally)) if (n) console.log(`${mode}: ${ok}/${n} connected`);
  console.log(`glare: ${total}/${args.runs} calls connected`);
  console.log(`connected runs by path: ${JSON.stringify(paths)} (deferred: the polite side waited for its first candidate before rolling back)`);
  for (const f of failures) console.log(`\n--- run ${f.run} (${f.mode}) failed: ${f.why}\n${f.detail}`);
  process.exitCode = total === args.runs ? 0 : 1;
}

main().catch((e) => {
  console.error(e);
  process.exit(2);
});
