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

module.exports = { callAndCheck, hangUpAndCheck };
