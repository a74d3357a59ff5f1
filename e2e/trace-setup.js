#!/usr/bin/env node
// Where call setup spends its time (not a test; README, "Call setup"): N calls alice → bob
// through the real relay under Chrome tracing, then, from the trace, for the window from the
// start (the callee's Accept click; the caller's click with AUTO=1) to the later first remote
// frame: each thread's CPU time per call, and the pages' own JavaScript/wasm handlers' wall
// time against their CPU time (a handler that takes long on the wall but little CPU waited
// for a core, it did not work).
//
// Run after `eval "$(e2e/prepare.sh)"` (RELAY_BIN, DIST_DIR):
//   node e2e/trace-setup.js                   # 6 Accept calls after 1 untraced
//   AUTO=1 N=10 TRACE_OUT=/tmp/t.json node e2e/trace-setup.js   # keep the trace (chrome://tracing)
'use strict';

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { launch, PC_HOOK } = require('./lib/browser');
const { startRelay } = require('./lib/procs');

const N = Number(process.env.N || 6);
const AUTO = process.env.AUTO === '1';
const OUT = process.env.TRACE_OUT || path.join(os.tmpdir(), `trace-setup-${process.pid}.json`);
const CATEGORIES = ['toplevel', 'devtools.timeline', 'blink.user_timing', 'v8.execute'];
const cleanups = [];
const t = { after: (fn) => cleanups.push(fn) };

// In-page marks (performance.mark, so they land in the trace): the start and the first frame.
const MARKS = `(() => { window.__mark = (s) => performance.mark('STEP ' + s); })();`;

function armFirstFrame() {
  const v = document.querySelector('video#received_video');
  const ids = () => (v.srcObject && v.srcObject.getVideoTracks ? v.srcObject.getVideoTracks().map((x) => x.id) : []);
  const before = new Set(ids());
  window.__ff = new Promise((resolve) => {
    let armed = null;
    const poll = () => {
      if (ids().some((i) => !before.has(i)) && armed !== v.srcObject) {
        armed = v.srcObject;
        v.requestVideoFrameCallback(() => { window.__mark('first frame'); resolve(); });
        return;
      }
      requestAnimationFrame(poll);
    };
    requestAnimationFrame(poll);
  });
}

async function person(browser, url, name) {
  const context = await browser.newContext();
  await context.addInitScript(PC_HOOK);
  await context.addInitScript(MARKS);
  const page = await context.newPage();
  await page.goto(url);
  await page.fill('#name', name);
  await page.click('[name=login]');
  return page;
}

const idle = () => {
  const st = document.querySelector('#status');
  return st && st.getAttribute('data-call') === 'idle' && document.querySelector('button#hangup-button').disabled;
};

async function call(alice, bob) {
  await Promise.all([alice.evaluate(armFirstFrame), bob.evaluate(armFirstFrame)]);
  await alice.evaluate(() => {
    window.__mark('click');
    [...document.querySelectorAll('ul.userlistbox li')].find((x) => x.textContent.trim() === 'bob').click();
  });
  if (!AUTO) {
    await bob.waitForSelector('#accept-button:not([hidden]):not([disabled])');
    await bob.evaluate(() => { window.__mark('accept'); document.querySelector('#accept-button').click(); });
  }
  await Promise.all([alice.evaluate(() => window.__ff), bob.evaluate(() => window.__ff)]);
  await alice.click('button#hangup-button');
  await Promise.all([alice, bob].map((p) => p.waitForFunction(idle)));
}

/** Per-call CPU (ms) of each thread, and handler wall/CPU, inside the start → frames windows. */
function analyse(events) {
  const names = {};
  const procs = {};
  for (const e of events) {
    if (e.ph === 'M' && e.name === 'thread_name') names[`${e.pid}:${e.tid}`] = e.args.name;
    if (e.ph === 'M' && e.name === 'process_name') procs[e.pid] = e.args.name;
  }
  const marks = [...new Map(events.filter((e) => e.name && e.name.startsWith('STEP ')).map((e) => [`${e.pid}${e.name}${e.ts}`, e])).values()].sort((a, b) => a.ts - b.ts);
  const startName = AUTO ? 'STEP click' : 'STEP accept';
  const caller = (marks.find((m) => m.name === 'STEP click') || {}).pid;
  const windows = marks.filter((m) => m.name === startName).map((m) => {
    const frames = marks.filter((f) => f.name === 'STEP first frame' && f.ts > m.ts).slice(0, 2);
    return [m.ts, Math.max(...frames.map((f) => f.ts))];
  }).filter(([a, b]) => Number.isFinite(b) && b > a);
  const inside = (ts) => windows.some(([a, b]) => ts >= a && ts <= b);
  const cpu = {};
  const handlers = { wall: 0, cpu: 0, n: 0 };
  for (const e of events) {
    if (e.ph !== 'X' || !inside(e.ts)) continue;
    const thread = names[`${e.pid}:${e.tid}`] || String(e.tid);
    if (e.name === 'ThreadControllerImpl::RunTask' || e.name === 'ThreadPool_RunTask') {
      const who = e.pid === caller ? 'caller' : procs[e.pid] === 'Renderer' ? 'callee' : procs[e.pid] || e.pid;
      const key = `${who} / ${thread}`;
      cpu[key] = (cpu[key] || 0) + (e.tdur || 0) / 1000;
    }
    if (e.name === 'FunctionCall' && thread === 'CrRendererMain') {
      handlers.n++;
      handlers.wall += e.dur / 1000;
      handlers.cpu += (e.tdur || 0) / 1000;
    }
  }
  const span = windows.reduce((s, [a, b]) => s + (b - a) / 1000, 0);
  return { calls: windows.length, span, cpu, handlers };
}

async function main() {
  const browser = await launch(t);
  const relay = await startRelay(t);
  const url = `${relay.url}?ice=${encodeURIComponent('[]')}&autoAccept=${AUTO ? 1 : 0}`;
  const alice = await person(browser, url, 'alice');
  const bob = await person(browser, url, 'bob');
  const listed = (p, peer) => p.waitForFunction((x) => [...document.querySelectorAll('ul.userlistbox li')].some((li) => li.textContent.trim() === x), peer);
  await Promise.all([listed(alice, 'bob'), listed(bob, 'alice')]);
  await call(alice, bob); // Untraced: the first call compiles and caches what the others reuse.
  await browser.startTracing(undefined, { path: OUT, categories: CATEGORIES });
  for (let i = 0; i < N; i++) await call(alice, bob);
  await browser.stopTracing();
  const raw = JSON.parse(fs.readFileSync(OUT, 'utf8'));
  if (!process.env.TRACE_OUT) fs.rmSync(OUT);
  const r = analyse(raw.traceEvents || raw);
  const per = (x) => (x / Math.max(1, r.calls)).toFixed(1);
  console.log(`trace-setup: ${r.calls} ${AUTO ? 'autoAccept calls, from the click' : 'calls, from the Accept click'} to both first frames, ${new Date().toISOString()}, load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  console.log(`  window: ${per(r.span)} ms a call; the pages' handlers (FunctionCall on the main threads): wall ${per(r.handlers.wall)} ms, CPU ${per(r.handlers.cpu)} ms a call`);
  console.log('  CPU a call (ms), by process / thread:');
  for (const [k, v] of Object.entries(r.cpu).sort((a, b) => b[1] - a[1]).slice(0, 16)) console.log(`  ${per(v).padStart(7)}  ${k}`);
  if (process.env.TRACE_OUT) console.log(`  trace: ${OUT}`);
}

main()
  .catch((e) => {
    console.error(e);
    process.exitCode = 1;
  })
  .finally(async () => {
    for (const fn of cleanups.reverse()) await fn();
  });
