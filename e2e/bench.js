#!/usr/bin/env node
// Benchmark (not a test): call setup time and bundle size. Run by scripts/bench.sh (`make bench`).
//
// - floor: the browser's own best case, measured in the same run: two RTCPeerConnections in
//   one page (e2e/pages/floor.html), no signaling; start (before getUserMedia) → first decoded
//   remote frame; its steps (camera, descriptions set, ICE and DTLS connected). The ratios are
//   to this floor. Also shown: the two-way floor (both connections send a camera, the later of
//   the two first frames), the same work as the app's two-way calls minus the signaling.
// - app: N calls alice → bob through the real relay (`autoAccept=1`), each person in a browser
//   context of their own; click on bob's name → first decoded remote frame, on the caller's and
//   on the callee's side, and the later of the two (what a person waits for). Both pages read
//   the same clock (performance.timeOrigin + performance.now()). Per step (getUserMedia,
//   descriptions set, first candidate, ICE connected, first frame) the time after the click (the
//   Accept click in the Accept series: what the callee prepared while it rang is before it), from wrappers
//   around the browser APIs (STEP_HOOK), so the app carries no tracing code.
// - app, Accept: the same from the callee's Accept click, on a page that rings (#accept-button).
// - tutorial: the same N calls with the tutorial-structured JavaScript client
//   (e2e/tutorial-client/), if present.
// - bundle: dist/'s wasm, JS, HTML and CSS, raw and `gzip -9`.
//
// Env: N (calls, default 20), BENCH_TIMEOUT_MS (per call, default 20000).
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { launch, PC_HOOK } = require('./lib/browser');
const { startRelay, DIST } = require('./lib/procs');
const { startStatic } = require('./lib/static');

const N = Number(process.env.N || 20);
const CALL_TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT_MS || 20000);
const TUTORIAL_DIR = path.join(__dirname, 'tutorial-client');

// A stand-in for node:test's `t`: collects cleanups, run at the end.
const cleanups = [];
const t = { after: (fn) => cleanups.push(fn) };

function stats(xs) {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return { n: 0 };
  // Nearest rank.
  const pct = (p) => s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
  return { n: s.length, median: pct(50), p95: pct(95), min: s[0], max: s[s.length - 1] };
}
const ms = (x) => (x === undefined ? '-' : `${x.toFixed(0)} ms`);

/**
 * In-page: resolves with the wall-clock time (ms, sub-ms precision) of the first decoded frame
 * of a *new* remote video track in video#received_video (one that was not there when armed: a
 * client may leave the last call's stream attached, as the tutorial's does).
 * requestVideoFrameCallback as soon as such a stream is attached (the frame the compositor
 * presents); videoWidth > 0 polled on animation frames as the fallback. Rejects after `timeout`.
 */
function armFirstFrame(timeout) {
  const now = () => performance.timeOrigin + performance.now();
  const v = document.querySelector('video#received_video');
  const videoIds = () => (v.srcObject && v.srcObject.getVideoTracks ? v.srcObject.getVideoTracks().map((x) => x.id) : []);
  const before = new Set(videoIds());
  const isNew = () => videoIds().some((id) => !before.has(id));
  window.__firstFrame = new Promise((resolve, reject) => {
    let done = false;
    let armed = null;
    const finish = (x) => {
      if (!done) {
        done = true;
        resolve(x);
      }
    };
    const poll = () => {
      if (done) return;
      if (isNew()) {
        if (armed !== v.srcObject && v.requestVideoFrameCallback) {
          armed = v.srcObject;
          v.requestVideoFrameCallback(() => finish(now()));
        }
        if (v.videoWidth > 0 && v.currentTime > 0) {
          finish(now());
          return;
        }
      }
      requestAnimationFrame(poll);
    };
    requestAnimationFrame(poll);
    setTimeout(() => !done && ((done = true), reject(new Error('no remote frame'))), timeout);
  });
}

/**
 * In-page, before the app: timestamps of each step of a call (window.__steps: [{step, t}]),
 * from wrappers around the browser APIs the client calls, so the app carries no tracing code:
 * getUserMedia asked/resolved, setRemoteDescription and setLocalDescription resolved (with the
 * description's type), first local candidate, ICE connected.
 */
const STEP_HOOK = `(() => {
  const steps = (window.__steps = []);
  const now = () => performance.timeOrigin + performance.now();
  const mark = (step) => steps.push({ step, t: now() });
  const md = navigator.mediaDevices;
  if (md && md.getUserMedia) {
    const gum = md.getUserMedia.bind(md);
    md.getUserMedia = (c) => { mark('gum asked'); return gum(c).then((s) => { mark('gum resolved'); return s; }); };
  }
  const P = window.RTCPeerConnection.prototype;
  const srd = P.setRemoteDescription;
  P.setRemoteDescription = function (d, ...r) { const ty = d && d.type; mark('srd ' + ty + ' asked'); return srd.call(this, d, ...r).then((x) => { mark('srd ' + ty + ' set'); return x; }); };
  const sld = P.setLocalDescription;
  P.setLocalDescription = function (...a) { mark('sld asked'); return sld.apply(this, a).then((x) => { mark('sld ' + (this.localDescription && this.localDescription.type) + ' set'); return x; }); };
  const Orig = window.RTCPeerConnection;
  window.RTCPeerConnection = class extends Orig {
    constructor(...a) {
      super(...a);
      mark('pc created');
      let first = true;
      this.addEventListener('icecandidate', (e) => { if (e.candidate && first) { first = false; mark('first candidate'); } });
      this.addEventListener('iceconnectionstatechange', () => { if (this.iceConnectionState === 'connected') mark('ice connected'); });
    }
  };
})();`;

async function openPerson(browser, url, name, login) {
  const context = await browser.newContext();
  // Records signaling frames with timestamps (window.__e2e.signals), for the breakdown.
  await context.addInitScript(PC_HOOK);
  await context.addInitScript(STEP_HOOK);
  const page = await context.newPage();
  const log = [];
  page.on('console', (m) => log.push(m.text()));
  page.on('pageerror', (e) => log.push(`PAGE ERROR ${e.message}`));
  await page.goto(url);
  await login(page, name);
  return { name, page, context, log };
}

/** Places `n` calls caller → callee; `client` says how to see idle, and how to log in. */
async function runCalls(browser, url, client, n, accept = false) {
  const alice = await openPerson(browser, url, 'alice', client.login);
  const bob = await openPerson(browser, url, 'bob', client.login);
  const listed = (who) => who.page.waitForFunction(
    (peer) => [...document.querySelectorAll('ul.userlistbox li')].some((li) => li.textContent.trim() === peer),
    who === alice ? 'bob' : 'alice', { timeout: 10000 });
  await Promise.all([listed(alice), listed(bob)]);
  if (accept && !(await bob.page.evaluate(() => !!document.querySelector('#accept-button')))) {
    await alice.context.close();
    await bob.context.close();
    return null;
  }
  const caller = [];
  const callee = [];
  const later = [];
  const steps = { caller: {}, callee: {} };
  const phases = { offer: [], answer: [], media: [] };
  let failures = 0;
  const reasons = [];
  for (let i = 0; i < n; i++) {
    try {
      await Promise.all([alice.page.evaluate(armFirstFrame, CALL_TIMEOUT_MS), bob.page.evaluate(armFirstFrame, CALL_TIMEOUT_MS)]);
      const clickAt = await alice.page.evaluate(() => {
        const li = [...document.querySelectorAll('ul.userlistbox li')].find((x) => x.textContent.trim() === 'bob');
        const at = performance.timeOrigin + performance.now();
        li.click();
        return at;
      });
      // With ringing: the wait starts at the callee's Accept click (what bob waits for).
      let startAt = clickAt;
      if (accept) {
        await bob.page.waitForSelector('#accept-button:not([hidden]):not([disabled])', { timeout: CALL_TIMEOUT_MS });
        startAt = await bob.page.evaluate(() => {
          const at = performance.timeOrigin + performance.now();
          document.querySelector('#accept-button').click();
          return at;
        });
      }
      const [fa, fb] = await Promise.all([alice.page.evaluate(() => window.__firstFrame), bob.page.evaluate(() => window.__firstFrame)]);
      caller.push(fa - startAt);
      callee.push(fb - startAt);
      // What a person waits for: both sides see each other.
      later.push(Math.max(fa, fb) - startAt);
      // Steps after the start (the click, or the Accept click: what was prepared while it
      // rang does not count), and the first remote frame as the last step.
      for (const [who, p, frame] of [['caller', alice, fa], ['callee', bob, fb]]) {
        const got = await p.page.evaluate((t0) => window.__steps.filter((x) => x.t >= t0), startAt);
        got.push({ step: 'first frame', t: frame });
        const seen = new Set();
        for (const { step, t } of got) {
          if (seen.has(step)) continue;
          seen.add(step);
          (steps[who][step] = steps[who][step] || []).push(t - startAt);
        }
      }
      // Where the time goes: the first offer/answer after the click, as each side saw it.
      const after = (p, dir, type) => p.page.evaluate(([d, ty, t0]) => {
        const s = window.__e2e.signals.find((x) => x.t >= t0 && x.dir === d && x.type === ty);
        return s ? s.t : null;
      }, [dir, type, clickAt]);
      const offerOut = await after(alice, 'out', 'video-offer');
      const offerIn = await after(bob, 'in', 'video-offer');
      const answerOut = await after(bob, 'out', 'video-answer');
      const answerIn = await after(alice, 'in', 'video-answer');
      if (offerOut && offerIn && answerOut && answerIn) {
        phases.offer.push(offerOut - clickAt);
        phases.answer.push(answerOut - offerIn);
        phases.media.push(fa - answerIn);
      }
    } catch (e) {
      failures++;
      const state = async (p) => p.page.evaluate(client.state).catch((x) => x.message);
      reasons.push(`call ${i + 1}: ${e.message.split('\n')[0]}; alice: ${await state(alice)}; bob: ${await state(bob)}`);
      if (process.env.BENCH_VERBOSE) reasons.push(...alice.log.slice(-30).map((l) => `  alice| ${l}`), ...bob.log.slice(-30).map((l) => `  bob| ${l}`));
    }
    try {
      await alice.page.click('button#hangup-button', { timeout: 2000 }).catch(() => {});
      await Promise.all([alice, bob].map((p) => p.page.waitForFunction(client.idle, undefined, { timeout: 15000 })));
    } catch (e) {
      reasons.push(`after call ${i + 1}: not idle again (${e.message.split('\n')[0]}); reloading both`);
      for (const p of [alice, bob]) {
        await p.page.reload();
        await client.login(p.page, p.name);
      }
      await Promise.all([listed(alice), listed(bob)]);
    }
  }
  await alice.context.close();
  await bob.context.close();
  const stepStats = {};
  for (const who of ['caller', 'callee']) stepStats[who] = Object.entries(steps[who]).map(([k, v]) => [k, stats(v)]).sort((a, b) => a[1].median - b[1].median);
  return { caller: stats(caller), callee: stats(callee), later: stats(later), steps: stepStats, phases: { offer: stats(phases.offer), answer: stats(phases.answer), media: stats(phases.media) }, failures, reasons, log: [...alice.log.slice(-5), ...bob.log.slice(-5)] };
}

const appClient = {
  login: async (page, name) => {
    await page.fill('#name', name);
    await page.click('[name=login]');
  },
  idle: () => {
    const st = document.querySelector('#status');
    return st && st.getAttribute('data-call') === 'idle' && document.querySelector('button#hangup-button').disabled;
  },
  state: () => {
    const st = document.querySelector('#status');
    const e = document.querySelector('#error');
    return `${st.getAttribute('data-call')} ice=${st.getAttribute('data-ice')} "${e.hidden ? '' : e.textContent}"`;
  },
};

const tutorialClient = {
  login: async (page, name) => {
    await page.fill('#name', name);
    await page.click('[name=login]');
  },
  // The tutorial's globals live on window (`var` in a classic script).
  idle: () => window.myPeerConnection === null && document.querySelector('button#hangup-button').disabled,
  state: () => (window.myPeerConnection ? `${window.myPeerConnection.connectionState}/${window.myPeerConnection.iceConnectionState}/${window.myPeerConnection.signalingState}` : 'no pc'),
};

async function floor(browser, n, twoWay = false) {
  const site = await startStatic(t, path.join(__dirname, 'pages'));
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${site.url}floor.html`);
  const times = [];
  const steps = {};
  let failures = 0;
  for (let i = 0; i < n; i++) {
    const r = await page.evaluate(([to, two]) => window.floor({ iceServers: [] }, to, two), [CALL_TIMEOUT_MS, twoWay]);
    if (r.ok) {
      times.push(r.ms);
      for (const [k, v] of Object.entries({ ...r.steps, 'first frame': r.ms })) (steps[k] = steps[k] || []).push(v);
    } else failures++;
  }
  await context.close();
  const stepStats = Object.entries(steps).map(([k, v]) => [k, stats(v)]).sort((x, y) => x[1].median - y[1].median);
  return { ...stats(times), failures, steps: stepStats };
}

function bundle() {
  const rows = [];
  const kind = (f) => ({ '.wasm': 'wasm', '.js': 'JS', '.html': 'HTML', '.css': 'CSS' })[path.extname(f)];
  // Dot entries are not shipped (Trunk's `.stage/` exists while a build is running).
  const walk = (d) =>
    fs.readdirSync(d, { withFileTypes: true })
      .filter((e) => !e.name.startsWith('.'))
      .flatMap((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : [path.join(d, e.name)]));
  for (const f of walk(DIST)) {
    const k = kind(f);
    if (!k) continue;
    const raw = fs.statSync(f).size;
    const gz = execFileSync('gzip', ['-9', '-n', '-c', f], { maxBuffer: 64 << 20 }).length;
    rows.push({ kind: k, file: path.relative(DIST, f), raw, gz });
  }
  return rows;
}

async function main() {
  const browser = await launch(t);
  const relay = await startRelay(t);
  const iceQuery = `ice=${encodeURIComponent('[]')}`;

  console.log(`webrtc-chat bench: N=${N} calls, Chromium ${browser.version()}, ${new Date().toISOString()}, load average ${require('node:os').loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  console.log('');
  const fl = await floor(browser, N);
  const fl2 = await floor(browser, N, true);
  // autoAccept=1: the callee answers at once; autoAccept=0: the stock page rings and the callee
  // clicks Accept (the series runs only on a page that rings).
  const app = await runCalls(browser, `${relay.url}?${iceQuery}&autoAccept=1`, appClient, N);
  const ring = await runCalls(browser, `${relay.url}?${iceQuery}&autoAccept=0`, appClient, N, true);
  let tut = null;
  if (fs.existsSync(path.join(TUTORIAL_DIR, 'index.html'))) {
    const site = await startStatic(t, TUTORIAL_DIR);
    tut = await runCalls(browser, `${site.url}index.html?signal=${encodeURIComponent(relay.ws)}&${iceQuery}`, tutorialClient, N);
  }

  console.log('call setup: click → first decoded remote frame (median / p95, ms)');
  const row = (label, s, failures) =>
    console.log(`  ${label.padEnd(30)} ${ms(s.median).padStart(8)} ${ms(s.p95).padStart(8)}   ratio to floor ${s.median ? (s.median / fl.median).toFixed(2) : '-'}x / ${s.p95 ? (s.p95 / fl.p95).toFixed(2) : '-'}x   ok ${s.n}/${N}, failures ${failures}`);
  console.log(`  ${'floor (2 pcs, 1 page)'.padEnd(30)} ${ms(fl.median).padStart(8)} ${ms(fl.p95).padStart(8)}   ok ${fl.n}/${N}, failures ${fl.failures}`);
  row('floor, two-way (both send)', fl2, fl2.failures);
  row('app: both sides (the later)', app.later, app.failures);
  row('app: caller (alice)', app.caller, app.failures);
  row('app: callee (bob)', app.callee, app.failures);
  if (ring) {
    console.log('  from the callee\'s Accept click:');
    row('app, Accept: both (the later)', ring.later, ring.failures);
    row('app, Accept: caller', ring.caller, ring.failures);
    row('app, Accept: callee', ring.callee, ring.failures);
  } else {
    console.log('  app, Accept click: skipped (this page has no #accept-button: it does not ring)');
  }
  const stepsOf = (r) => (who) => r.steps[who].map(([k, v]) => `${k} ${v.median.toFixed(0)}/${v.p95.toFixed(0)}${v.n < r.later.n ? ` (${v.n} calls)` : ''}`).join(', ');
  console.log(`  floor's steps after the start (median / p95, ms): ${fl.steps.map(([k, v]) => `${k} ${v.median.toFixed(0)}/${v.p95.toFixed(0)}`).join(', ')}`);
  for (const who of ['caller', 'callee']) {
    console.log(`  app: ${who}'s steps after the click (median / p95, ms): ${stepsOf(app)(who)}`);
  }
  if (ring) {
    for (const who of ['caller', 'callee']) {
      console.log(`  app, Accept: ${who}'s steps after the Accept click (median / p95, ms): ${stepsOf(ring)(who)}`);
    }
  }
  const breakdown = (label, p) =>
    console.log(`  ${label.padEnd(33)} click→offer sent ${ms(p.offer.median)}, callee offer→answer sent ${ms(p.answer.median)}, answer received→caller's first frame ${ms(p.media.median)} (medians)`);
  breakdown('app: where the time goes', app.phases);
  if (tut) {
    row('tutorial JS: caller', tut.caller, tut.failures);
    row('tutorial JS: callee', tut.callee, tut.failures);
    breakdown('tutorial JS: where the time goes', tut.phases);
  } else {
    console.log('  tutorial JS client: skipped (no e2e/tutorial-client/index.html)');
  }
  for (const r of [...app.reasons.map((x) => `app ${x}`), ...(ring ? ring.reasons.map((x) => `app (Accept) ${x}`) : []), ...(tut ? tut.reasons.map((x) => `tutorial ${x}`) : [])]) console.log(`  ! ${r}`);

  console.log('');
  console.log('release bundle (dist/): raw and gzip -9, bytes');
  const rows = bundle();
  let raw = 0;
  let gz = 0;
  for (const r of rows.sort((a, b) => b.raw - a.raw)) {
    console.log(`  ${r.kind.padEnd(5)} ${r.file.padEnd(44)} ${String(r.raw).padStart(9)} ${String(r.gz).padStart(9)}`);
    raw += r.raw;
    gz += r.gz;
  }
  console.log(`  ${'total'.padEnd(50)} ${String(raw).padStart(9)} ${String(gz).padStart(9)}`);
  console.log(`load average at the end: ${require('node:os').loadavg().map((x) => x.toFixed(1)).join(' ')} (${require('node:os').cpus().length} cores)`);
  if (app.failures) process.exitCode = 1;
}

main()
  .catch((e) => {
    console.error(e);
    process.exitCode = 1;
  })
  .finally(async () => {
    for (const fn of cleanups.reverse()) await fn();
  });
