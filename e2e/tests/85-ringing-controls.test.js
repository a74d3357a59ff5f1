// Issue 10, items 1–2 (docs/page.md): the stock page rings (no `autoAccept`). A call rings, is
// declined with Escape, rings again and is accepted with Enter on the focused Accept button;
// (the callee prepares the connection while it rings; declining closes it)
// then mute and camera off reach the peer (`#peer-state`) and a screen share replaces the
// camera, all over the same peer connection (no new offer or answer). A
// caller who gives up leaves a missed call; a third caller meanwhile hears "busy".
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const { World } = require('../lib/world');

/** `autoAccept: undefined` drops the suite's default `autoAccept=1`: the page rings. */
const RINGING = { query: { ice: '[]', autoAccept: undefined } };

const text = (u, sel) => u.page.$eval(sel, (e) => e.textContent.trim());
const count = (u, dir, type) =>
  u.page.evaluate(([d, k]) => window.__e2e.signals.filter((s) => s.dir === d && s.type === k).length, [dir, type]);

/** The label of the track `u` sends as video. */
const senderLabel = (u) => u.page.evaluate(() => {
  const p = window.__e2e.pcs.find((x) => x.pc.connectionState !== 'closed');
  const s = p && p.pc.getSenders().find((x) => x.track && x.track.kind === 'video');
  return s ? s.track.label : null;
});

/** Waits until `u`'s `#peer-state` shows `muted` / `camera`. */
function peerState(u, muted, camera) {
  return u.until(`#peer-state muted=${muted} camera=${camera}`, ([m, c]) => {
    const e = document.querySelector('#peer-state');
    return e && e.dataset.muted === m && e.dataset.camera === c;
  }, [String(muted), camera]);
}

test('a call rings, is declined, rings again and is accepted; mute and camera off reach the peer', async (t) => {
  const w = await World.create(t, RINGING);
  const alice = await w.user('alice');
  const bob = await w.user('bob');
  await alice.waitUsers(['alice', 'bob']);
  await bob.waitUsers(['alice', 'bob']);

  // Rings: bob sees who calls, Accept focused, no camera yet; alice waits, "Calling bob…".
  await alice.call('bob');
  await Promise.all([bob.waitCall('ringing'), alice.waitCall('calling')]);
  assert.match(await text(bob, '#status'), /alice is calling/);
  assert.match(await text(alice, '#status'), /Calling bob/);
  await bob.until('Accept focused', () => document.activeElement && document.activeElement.id === 'accept-button');
  assert.equal(await bob.page.$eval('#incoming', (e) => e.hidden), false, 'Accept / Decline shown');
  // Prepared while it rings (everything that needs no camera): the connection, alice's offer
  // applied; the camera stays off until Accept.
  await bob.until('the offer applied while it rings', () => window.__e2e.pcs.some((x) => x.pc.signalingState === 'have-remote-offer'));
  assert.equal(await bob.openPeerConnections(), 1, 'one prepared peer connection while it rings');
  assert.equal(await bob.page.$eval('#local_video', (v) => v.srcObject), null, "bob's camera is off while it rings");

  // Declined with Escape: alice is told.
  await bob.page.keyboard.press('Escape');
  await Promise.all([alice.waitCall('idle'), bob.waitCall('idle')]);
  await alice.until('alice told bob declined', () => /bob declined/.test(document.querySelector('#error').textContent));
  assert.equal(await bob.page.$eval('#incoming', (e) => e.hidden), true, 'Accept / Decline hidden again');
  assert.equal(await bob.openPeerConnections(), 0, 'declined: the prepared connection is closed');

  // Rings again; Enter on the focused Accept answers.
  await alice.call('bob');
  await bob.waitCall('ringing');
  await bob.until('Accept focused', () => document.activeElement && document.activeElement.id === 'accept-button');
  await bob.page.keyboard.press('Enter');
  await Promise.all([alice.waitCall('connected'), bob.waitCall('connected')]);
  await Promise.all([alice.waitRemoteVideoPlaying(), bob.waitRemoteVideoPlaying()]);
  const offers = await count(alice, 'out', 'video-offer');
  const answers = await count(bob, 'out', 'video-answer');

  // Mute: alice's microphone track is disabled, bob sees it.
  await alice.page.click('#mute-button');
  assert.equal(await alice.page.$eval('#mute-button', (b) => b.getAttribute('aria-pressed')), 'true');
  assert.equal(await alice.page.$eval('#local_video', (v) => v.srcObject.getAudioTracks().every((t) => !t.enabled)), true);
  await peerState(bob, true, 'on');
  assert.equal(await bob.page.$eval('#peer-state', (e) => e.hidden), false, 'an indicator on the remote video');
  assert.match(await text(bob, '#peer-state'), /alice muted/);

  // Camera off, then both back on.
  await alice.page.click('#camera-button');
  assert.equal(await alice.page.$eval('#camera-button', (b) => b.getAttribute('aria-pressed')), 'true');
  assert.equal(await alice.page.$eval('#local_video', (v) => v.srcObject.getVideoTracks().every((t) => !t.enabled)), true);
  await peerState(bob, true, 'off');
  await alice.page.click('#mute-button');
  await alice.page.click('#camera-button');
  await peerState(bob, false, 'on');
  assert.equal(await bob.page.$eval('#peer-state', (e) => e.hidden), true, 'no indicator when all is on');

  // Screen share: the screen's track goes into the same video sender; then the camera again.
  const cameraLabel = await senderLabel(alice);
  await alice.page.click('#share-button');
  await alice.until('the screen in the video sender', (cam) => {
    const p = window.__e2e.pcs.find((x) => x.pc.connectionState !== 'closed');
    const s = p && p.pc.getSenders().find((x) => x.track && x.track.kind === 'video');
    return s && s.track.label !== cam && document.querySelector('#share-button').getAttribute('aria-pressed') === 'true';
  }, cameraLabel);
  await bob.waitRemoteVideoPlaying();
  await alice.page.click('#share-button');
  await alice.until('the camera back in the video sender', (cam) => {
    const p = window.__e2e.pcs.find((x) => x.pc.connectionState !== 'closed');
    const s = p && p.pc.getSenders().find((x) => x.track && x.track.kind === 'video');
    return s && s.track.label === cam && document.querySelector('#share-button').getAttribute('aria-pressed') === 'false';
  }, cameraLabel);

  // The same call throughout: no new offer or answer, one peer connection, frames advancing.
  assert.equal(await count(alice, 'out', 'video-offer'), offers, 'no renegotiation');
  assert.equal(await count(bob, 'out', 'video-answer'), answers, 'no renegotiation');
  assert.equal(await alice.openPeerConnections(), 1);
  await bob.waitRemoteVideoPlaying();

  // A switch holds across calls; the peer's indicator goes with the call.
  await alice.page.click('#mute-button');
  await peerState(bob, true, 'on');
  await alice.hangUp();
  await Promise.all([alice.waitCall('idle'), bob.waitCall('idle')]);
  await peerState(bob, false, 'on');
});

test('a caller who gives up leaves a missed call; a third caller hears busy', async (t) => {
  const w = await World.create(t, RINGING);
  const alice = await w.user('alice');
  const bob = await w.user('bob');
  const carol = await w.user('carol');
  for (const u of [alice, bob, carol]) await u.waitUsers(['alice', 'bob', 'carol']);

  await alice.call('bob');
  await bob.waitCall('ringing');
  // Carol calls bob while it rings: busy, and bob's ringing call is untouched.
  await carol.call('bob');
  await carol.until('carol told bob is busy', () => /bob is busy/.test(document.querySelector('#error').textContent));
  await carol.waitCall('idle');
  assert.equal((await bob.callState()).peer, 'alice');

  // Alice cancels with Hang Up: bob's ringing stops, a missed call.
  await alice.waitCall('calling');
  await alice.hangUp();
  await Promise.all([alice.waitCall('idle'), bob.waitCall('idle')]);
  await bob.until('bob sees a missed call', () => /Missed call from alice/.test(document.querySelector('#error').textContent));
  assert.equal(await bob.page.$eval('#incoming', (e) => e.hidden), true);
  assert.equal(await bob.openPeerConnections(), 0, 'missed: the prepared connection is closed');
});
