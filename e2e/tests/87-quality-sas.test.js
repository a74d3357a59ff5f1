// Call quality and the verification code in real browsers: both sides show the same code, and
// it equals one computed here in node (node:crypto's SHA-256 over the input built from the two
// SDPs read from the pages' own RTCPeerConnections, as core/src/sas.rs describes it); the
// quality indicator appears on both sides with a level; the stats panel opens and shows figures;
// all of it goes when the call ends.
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const { World } = require('../lib/world');
const { callAndCheck, hangUpAndCheck } = require('../lib/scenarios');

/** core/src/sas.rs, written again from its documentation: fingerprints normalised (hash
 * function lower case, hex upper case), deduplicated, per side joined with ",", the two sides
 * sorted, after a versioned domain; six digits from the digest's first four bytes. */
function fingerprints(sdp) {
  const out = [];
  for (const line of sdp.split(/\r?\n/)) {
    const m = /^a=fingerprint:(\S+) ([0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2})*)$/.exec(line.trim());
    if (!m) continue;
    const f = `${m[1].toLowerCase()} ${m[2].toUpperCase()}`;
    if (!out.includes(f)) out.push(f);
  }
  return out.join(',');
}
function expectedCode(localSdp, remoteSdp) {
  const sides = [fingerprints(localSdp), fingerprints(remoteSdp)].sort();
  const digest = crypto.createHash('sha256').update(`webrtc-chat sas v1\n${sides[0]}\n${sides[1]}`, 'utf8').digest();
  const n = String(digest.readUInt32BE(0) % 1000000).padStart(6, '0');
  return `${n.slice(0, 3)} ${n.slice(3)}`;
}

/** The SDPs of the page's last (live) peer connection, recorded by PC_HOOK. */
function sdpsOf(user) {
  return user.page.evaluate(() => {
    const pc = window.__e2e.pcs[window.__e2e.pcs.length - 1].pc;
    return { local: pc.localDescription.sdp, remote: pc.remoteDescription.sdp };
  });
}

test('both sides show the same verification code, the quality level and the figures', async (t) => {
  const w = await World.create(t, { query: { ice: '[]', autoAccept: '1' } });
  const alice = await w.user('alice');
  const bob = await w.user('bob');
  await alice.waitUsers(['alice', 'bob']);
  await bob.waitUsers(['alice', 'bob']);
  for (const u of [alice, bob]) {
    const hidden = await u.page.evaluate(() => ['#quality', '#sas', '#stats', '#stats-button'].map((s) => document.querySelector(s).hidden));
    assert.deepEqual(hidden, [true, true, true, true], `${u.label}: no call details before a call`);
  }

  await callAndCheck(alice, bob);

  const codes = [];
  for (const u of [alice, bob]) {
    const code = await u.until('#sas shows a code', () => {
      const e = document.querySelector('#sas');
      return !e.hidden && /^\d{3} \d{3}$/.test(e.dataset.code) && e.textContent.includes(e.dataset.code) && e.dataset.code;
    });
    const { local, remote } = await sdpsOf(u);
    assert.equal(code, expectedCode(local, remote), `${u.label}: the code is SHA-256 over the two SDPs' fingerprints`);
    codes.push(code);
  }
  assert.equal(codes[0], codes[1], 'both sides show the same code');

  for (const u of [alice, bob]) {
    const level = await u.until('#quality shows a level', () => {
      const e = document.querySelector('#quality');
      return !e.hidden && ['good', 'fair', 'poor'].includes(e.dataset.level) && e.textContent.includes(e.dataset.level) && e.dataset.level;
    }, undefined, 20000);
    u.log(`quality: ${level}`);
    // The panel: closed, then opened by its button, with figures in it.
    assert.equal(await u.page.$eval('#stats-button', (b) => b.getAttribute('aria-expanded')), 'false');
    await u.page.click('#stats-button');
    assert.equal(await u.page.$eval('#stats-button', (b) => b.getAttribute('aria-expanded')), 'true');
    const figures = await u.until('#stats shows figures', () => {
      const p = document.querySelector('#stats');
      const v = (k) => { const d = p.querySelector(`dd[data-key=${k}]`); return d && d.textContent; };
      return !p.hidden && /^\d+ ms$/.test(v('rtt')) && /kbit\/s$/.test(v('in')) && /kbit\/s$/.test(v('out'))
        && /^\d+ × \d+$/.test(v('size')) && /^(host|srflx|prflx|relay) \/ (udp|tcp)$/.test(v('path'))
        && { rtt: v('rtt'), in: v('in'), size: v('size'), path: v('path') };
    }, undefined, 20000);
    u.log(`figures: ${JSON.stringify(figures)}`);
    await u.page.click('#stats-button');
    assert.equal(await u.page.$eval('#stats', (p) => p.hidden), true, `${u.label}: the button closes the panel`);
  }

  await hangUpAndCheck(alice, bob);
  for (const u of [alice, bob]) {
    await u.until('call details gone', () => ['#quality', '#sas', '#stats', '#stats-button'].every((s) => document.querySelector(s).hidden));
  }
});
