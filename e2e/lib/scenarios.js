// Steps shared by several scenarios, asserting on what both people see.
'use strict';

const assert = require('node:assert/strict');

/** `caller` clicks `callee` in the user list; both end up connected, seeing each other's video. */
async function callAndCheck(caller, callee) {
  await caller.call(callee.name);
  await Promise.all([caller.waitCall('connected'), callee.waitCall('connected')]);
  await Promise.all([caller.waitRemoteVideoPlaying(), callee.waitRemoteVideoPlaying()]);
  for (const [me, peer] of [[caller, callee], [callee, caller]]) {
    const s = await me.callState();
    assert.equal(s.peer, peer.name, `${me.label} shows the peer`);
    assert.equal(await me.hangupDisabled(), false, `${me.label}: Hang Up enabled during the call`);
    const users = await me.users();
    const marked = users.filter((u) => u.cls.split(/\s+/).includes('peer')).map((u) => u.name);
    assert.deepEqual(marked, [peer.name], `${me.label}: the peer is marked in the user list`);
  }
}

/** `who` clicks Hang Up; both sides go back to idle with Hang Up disabled and no remote video. */
async function hangUpAndCheck(who, other) {
  await who.hangUp();
  await Promise.all([who.waitCall('idle'), other.waitCall('idle')]);
  for (const u of [who, other]) {
    await u.until('Hang Up disabled after the call', () => document.querySelector('button#hangup-button').disabled);
    assert.ok(await u.remoteVideoCleared(), `${u.label}: remote video cleared`);
    assert.equal(await u.openPeerConnections(), 0, `${u.label}: no peer connection left open`);
  }
}

/**
 * Glare: `alice` and `bob` click each other's name at the same wall-clock instant (scheduled in
 * both pages, which share the machine's clock: Playwright's clicks over CDP would be serialised
 * some ms apart). Resolves with the two click times.
 */
async function clickAtOnce(alice, bob) {
  const at = Date.now() + 500;
  const clickAt = ({ peer, when }) => {
    const li = [...document.querySelectorAll('ul.userlistbox li')].find((x) => x.textContent.trim() === peer);
    return new Promise((resolve) => setTimeout(() => { li.click(); resolve(performance.timeOrigin + performance.now()); }, when - Date.now()));
  };
  return Promise.all([alice.page.evaluate(clickAt, { peer: bob.name, when: at }), bob.page.evaluate(clickAt, { peer: alice.name, when: at })]);
}

/** After glare: one call, connected and playing on both sides, one open peer connection each. */
async function oneCallBothConnected(alice, bob, timeout) {
  await Promise.all([alice.waitCall('connected', timeout), bob.waitCall('connected', timeout)]);
  await Promise.all([alice.waitRemoteVideoPlaying(), bob.waitRemoteVideoPlaying()]);
  assert.equal((await alice.callState()).peer, bob.name);
  assert.equal((await bob.callState()).peer, alice.name);
  assert.equal(await alice.openPeerConnections(), 1, `${alice.label} has one open peer connection`);
  assert.equal(await bob.openPeerConnections(), 1, `${bob.label} has one open peer connection`);
}

module.exports = { callAndCheck, hangUpAndCheck, clickAtOnce, oneCallBothConnected };
