#!/usr/bin/env node
// The browser behaviour behind the rare glare failure (docs/glare.md), in plain JavaScript with
// no app and no signaling: two RTCPeerConnections in one Chromium page; B makes an offer, then
// A's offer rolls B's back (implicitly, in setRemoteDescription) and B answers. Counts the runs
// in which B never surfaces a single ICE candidate afterwards (iceGatheringState stays
// "gathering" for good), for three timings of the rollback:
//
//   chained      B's setRemoteDescription(offer) issued before its setLocalDescription() resolved
//   immediate    issued right after it resolved
//   after-first  issued once B's first candidate has surfaced (what the client now waits for)
//
//   node e2e/rollback-stall.js --runs 80       # needs e2e's npm packages and /usr/bin/chromium
'use strict';

const { launch } = require('./lib/browser');
const { startStatic } = require('./lib/static');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

async function runInPage({ mode, runs }) {
  const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
  let stalled = 0;
  for (let i = 0; i < runs; i++) {
    const a = new RTCPeerConnection();
    const b = new RTCPeerConnection();
    for (const t of stream.getTracks()) {
      a.addTrack(t, stream);
      b.addTrack(t, stream);
    }
    let after = 0;
    let rolledBack = false;
    let firstSeen;
    const first = new Promise((r) => (firstSeen = r));
    b.onicecandidate = (e) => {
      if (!e.candidate) return;
      firstSeen();
      if (rolledBack) after++;
    };
    await a.setLocalDescription();
    if (mode === 'chained') {
      const ours = b.setLocalDescription();
      const theirs = b.setRemoteDescription(a.localDescription);
      await ours;
      rolledBack = true;
      await theirs;
    } else {
      await b.setLocalDescription();
      if (mode === 'after-first') await first;
      rolledBack = true;
      await b.setRemoteDescription(a.localDescription);
    }
    await b.setLocalDescription();
    await a.setRemoteDescription(b.localDescription);
    await new Promise((r) => setTimeout(r, 700));
    if (after === 0 && b.iceGatheringState !== 'complete') stalled++;
    a.close();
    b.close();
  }
  stream.getTracks().forEach((t) => t.stop());
  return stalled;
}

async function main() {
  const i = process.argv.indexOf('--runs');
  const runs = i > 0 ? Number(process.argv[i + 1]) : 80;
  const cleanups = [];
  const t = { after: (fn) => cleanups.push(fn) };
  // getUserMedia needs a secure context: an http://127.0.0.1 page, not about:blank.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rollback-stall-'));
  fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>rollback stall</title>');
  try {
    const browser = await launch(t);
    const page = await browser.newPage();
    await page.goto((await startStatic(t, dir)).url);
    for (const mode of ['chained', 'immediate', 'after-first']) {
      const stalled = await page.evaluate(runInPage, { mode, runs });
      console.log(`${mode.padEnd(12)} gathering stalled in ${stalled}/${runs} runs`);
    }
  } finally {
    for (const fn of cleanups.reverse()) await fn();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
