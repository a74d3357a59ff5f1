// ICE restart with a real TURN server that goes away (docs/protocol.md, "ICE restart"): a
// relay-only call through coturn; coturn is stopped mid-call (its allocations die with it), the
// frames stop and both pages say "reconnecting"; coturn starts again on the same port, and the
// same call resumes — the same RTCPeerConnection, the same remote <video> and stream — with
// frames advancing on both sides. Left down, the call ends within the bound with a clear message.
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const { World } = require('../lib/world');
const { startCoturn } = require('../lib/procs');
const { callAndCheck } = require('../lib/scenarios');

// The core's bound (core/src/call.rs): ICE disconnected grace 8 s, then 3 restart attempts of
// 10 s; Chrome reports `disconnected` a few seconds after the path dies. Plus slack for a
// loaded machine.
const ENDS_WITHIN_MS = 8000 + 3 * 10000 + 20000;

function turnQuery(coturn) {
  return { turn: coturn.url, turnUser: coturn.user, turnPass: coturn.pass, iceTransportPolicy: 'relay', autoAccept: '1' };
}

/** Decoded frames of the remote video so far. */
function frames(u) {
  return u.page.$eval('video#received_video', (v) => v.getVideoPlaybackQuality().totalVideoFrames);
}

/** Tags the call's peer connection, remote video element and stream, to find them again. */
function tagCall(u) {
  return u.page.evaluate(() => {
    const v = document.querySelector('video#received_video');
    window.__restartTag = { pc: window.__e2e.pcs[window.__e2e.pcs.length - 1].pc, video: v, stream: v.srcObject, signals: window.__e2e.signals.length };
    return window.__e2e.pcs.length;
  });
}

/** Whether the page still uses the tagged connection, element and stream (and no other pc). */
function sameCall(u) {
  return u.page.evaluate(() => {
    const tag = window.__restartTag;
    const v = document.querySelector('video#received_video');
    const open = window.__e2e.pcs.filter((p) => p.pc.connectionState !== 'closed');
    return {
      pcs: window.__e2e.pcs.length,
      open: open.length,
      samePc: open.length === 1 && open[0].pc === tag.pc,
      sameVideo: v === tag.video,
      sameStream: v.srcObject === tag.stream,
      state: tag.pc.connectionState,
      // The restart's offer and answer, as ordinary video-offer / video-answer.
      restartSignals: window.__e2e.signals.slice(tag.signals).some((x) => x.type === 'video-offer')
        && window.__e2e.signals.slice(tag.signals).some((x) => x.type === 'video-answer'),
    };
  });
}

async function framesAdvance(u, what) {
  const f0 = await frames(u);
  await u.until(`${what}: ${u.label}'s remote frames advance past ${f0 + 10}`, (n) => {
    const v = document.querySelector('video#received_video');
    return v.getVideoPlaybackQuality().totalVideoFrames > n;
  }, f0 + 10, 30000);
}

async function relayCallThenStopCoturn(t) {
  const w = await World.create(t, { turn: true });
  const alice = await w.user('alice', { query: turnQuery(w.coturn) });
  const bob = await w.user('bob', { query: turnQuery(w.coturn) });
  await alice.waitUsers(['alice', 'bob']);
  await callAndCheck(alice, bob);
  for (const u of [alice, bob]) {
    const s = await u.selectedPair();
    assert.deepEqual([s.pair.local, s.pair.remote], ['relay', 'relay'], `${u.label}: relay only`);
    assert.equal(await tagCall(u), 1, `${u.label}: one peer connection`);
  }
  await w.coturn.proc.stop();
  const stopped = Date.now();
  await Promise.all([alice, bob].map((u) => u.waitCall('reconnecting', 30000)));
  t.diagnostic(`both pages say reconnecting ${Date.now() - stopped} ms after coturn stopped`);
  for (const u of [alice, bob]) {
    const text = await u.page.$eval('#status', (s) => s.textContent);
    assert.match(text, /reconnecting…/, `${u.label}: the status line says so`);
  }
  return { w, alice, bob, stopped };
}

test('coturn stops and starts again: the same call resumes on both sides', async (t) => {
  const { w, alice, bob } = await relayCallThenStopCoturn(t);
  // The frames stopped: none decoded over a second and a half.
  for (const u of [alice, bob]) {
    const f0 = await frames(u);
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(await frames(u), f0, `${u.label}: no frames while coturn is down`);
  }
  const again = await startCoturn(t, { port: w.coturn.port, minPort: w.coturn.minPort, user: w.coturn.user, pass: w.coturn.pass, realm: w.coturn.realm });
  const listening = Date.now();
  await Promise.all([alice, bob].map((u) => u.waitCall('connected', 45000)));
  const restored = Date.now() - listening;
  await Promise.all([alice, bob].map((u) => framesAdvance(u, 'after the restart')));
  const resumed = Date.now() - listening;
  for (const u of [alice, bob]) {
    const s = await sameCall(u);
    assert.deepEqual(s, { pcs: 1, open: 1, samePc: true, sameVideo: true, sameStream: true, state: 'connected', restartSignals: true }, `${u.label}: the same call`);
    const pair = await u.selectedPair();
    assert.deepEqual([pair.pair.local, pair.pair.remote], ['relay', 'relay'], `${u.label}: relayed again`);
    assert.equal(await u.errorText(), null, `${u.label}: no error shown`);
    assert.equal((await u.callState()).peer, u === alice ? 'bob' : 'alice');
  }
  const line = `ICE restart: connected again ${restored} ms, frames advancing ${resumed} ms after coturn listened again`;
  t.diagnostic(line);
  console.log(line);
});

test('coturn stays down: the call ends within the bound and says why', async (t) => {
  const { alice, bob, stopped } = await relayCallThenStopCoturn(t);
  await Promise.all([alice, bob].map((u) => u.waitCall('idle', ENDS_WITHIN_MS)));
  const ended = Date.now() - stopped;
  const texts = [];
  for (const u of [alice, bob]) {
    const err = await u.errorText();
    texts.push(`${u.label}: "${err}"`);
    // Whoever reaches the bound first says so; the other side hears it ("... failed") unless it
    // reached its own bound too.
    assert.match(err || '', /could not be restored|failed/, `${u.label}: a clear message`);
    assert.equal(await u.hangupDisabled(), true);
    assert.equal(await u.openPeerConnections(), 0, `${u.label}: nothing left open`);
  }
  assert.ok(texts.some((s) => /could not be restored \(3 attempts in 30 s\)/.test(s)), texts.join(' '));
  const line = `ICE restart bound: call ended ${ended} ms after coturn stopped (${texts.join('; ')})`;
  t.diagnostic(line);
  console.log(line);
});
