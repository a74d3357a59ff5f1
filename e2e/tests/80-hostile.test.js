// Hostile input, end to end (issue 11, item 5): alice and bob are in a call through the naive
// relay (a server like the MDN sample's), and the server itself sends alice's page a corpus of
// hundreds of hostile frames (lib/hostile-corpus.js): no uncaught error or panic, nothing shown
// as HTML, the call keeps its frames on both sides, and the page keeps working (chat both
// ways, hang-up).
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const { World } = require('../lib/world');
const { callAndCheck, hangUpAndCheck } = require('../lib/scenarios');
const { hostileCorpus, pwnedInPage } = require('../lib/hostile-corpus');

const MIN_DISTINCT = 200;

/** What a page reports that a person or a developer would call broken. */
function watchForBreakage(u, problems) {
  u.page.on('pageerror', (e) => problems.push(`${u.label}: uncaught ${e.message}`));
  u.page.on('crash', () => problems.push(`${u.label}: page crashed`));
  u.page.on('console', (m) => {
    if (/panicked|RuntimeError|unreachable|Uncaught/i.test(m.text())) problems.push(`${u.label}: console ${m.type()}: ${m.text().slice(0, 300)}`);
  });
}

const decodedFrames = (u) => u.page.$eval('video#received_video', (v) => v.getVideoPlaybackQuality().totalVideoFrames);
const framesIn = (u) => u.page.evaluate(() => window.__e2e.signals.filter((s) => s.dir === 'in').length);

test('hostile frames: a page in a call survives 200+ kinds and keeps working', async (t) => {
  /** Every frame a page sent, in order, as the server saw it (with its sender). */
  const tapped = [];
  const w = await World.create(t, {
    server: 'naive',
    query: { ice: '[]' },
    naive: { tap: (msg, from) => tapped.push({ from, m: JSON.parse(JSON.stringify(msg)) }) },
  });
  const alice = await w.user('alice');
  const bob = await w.user('bob');
  const problems = [];
  for (const u of [alice, bob]) watchForBreakage(u, problems);
  await alice.waitUsers(['alice', 'bob']);

  // A first call, ended: its messages are the "call that ended" the corpus replays.
  await callAndCheck(alice, bob);
  await hangUpAndCheck(alice, bob);
  const first = tapped.splice(0);
  const offer = first.find((x) => x.m.type === 'video-offer' && x.from === 'alice').m;
  const stale = {
    token: offer.call,
    offer: { ...offer, name: 'bob', target: 'alice' },
    answer: first.find((x) => x.m.type === 'video-answer' && x.from === 'bob').m,
    candidates: first.filter((x) => x.m.type === 'new-ice-candidate' && x.from === 'bob').map((x) => x.m),
    hangUp: { ...first.find((x) => x.m.type === 'hang-up').m, name: 'bob', target: 'alice' },
  };
  assert.ok(stale.token && stale.answer && stale.candidates.length > 0, `the first call's frames: ${JSON.stringify(first.map((x) => x.m.type))}`);

  // The call under attack.
  await callAndCheck(alice, bob);
  const second = tapped.slice();
  const live = {
    answer: second.find((x) => x.m.type === 'video-answer' && x.from === 'bob').m,
    candidates: second.filter((x) => x.m.type === 'new-ice-candidate' && x.from === 'bob').map((x) => x.m),
  };
  assert.notEqual(live.answer.call, stale.token, 'a new token for the new call');

  const { frames, distinct } = hostileCorpus({ victim: 'alice', peer: 'bob', stale, live });
  assert.ok(distinct >= MIN_DISTINCT, `corpus has ${distinct} distinct frames, want ≥ ${MIN_DISTINCT}`);
  const [inBefore, aliceFrames, bobFrames] = [await framesIn(alice), await decodedFrames(alice), await decodedFrames(bob)];

  for (const f of frames) assert.ok(await w.naive.sendTo('alice', f.data), `delivered: ${f.label}`);
  // One server, one socket: once alice shows this line, she has handled every frame above.
  const marker = JSON.stringify({ type: 'message', name: 'server', text: 'after the corpus', date: Date.now() });
  assert.ok(await w.naive.sendTo('alice', marker));
  await alice.waitChat('server', 'after the corpus');
  const received = (await framesIn(alice)) - inBefore;
  assert.ok(received >= frames.length, `alice's page received ${received} of ${frames.length + 1} frames`);

  assert.deepEqual(problems, [], 'no uncaught error, crash or panic');
  for (const u of [alice, bob]) assert.equal(await u.page.evaluate(pwnedInPage), false, `${u.label}: no frame rendered as HTML`);
  for (const [me, peer] of [[alice, bob], [bob, alice]]) {
    const s = await me.callState();
    assert.equal(s.call, 'connected', `${me.label} still in the call`);
    assert.equal(s.peer, peer.name);
  }
  // The call kept its frames on both sides (and goes on playing).
  await Promise.all([alice.waitRemoteVideoPlaying(), bob.waitRemoteVideoPlaying()]);
  assert.ok((await decodedFrames(alice)) > aliceFrames && (await decodedFrames(bob)) > bobFrames, 'frames advanced on both sides');

  // The page keeps working: the real user list, chat both ways, hang-up.
  assert.ok(await w.naive.sendTo('alice', JSON.stringify({ type: 'userlist', users: ['alice', 'bob'] })));
  await alice.waitUsers(['alice', 'bob']);
  await alice.sendChat('still here');
  await bob.waitChat('alice', 'still here');
  await bob.sendChat('me too');
  await alice.waitChat('bob', 'me too');
  await hangUpAndCheck(bob, alice);
  assert.deepEqual(problems, [], 'no uncaught error, crash or panic');
  t.diagnostic(`${frames.length} frames (${distinct} distinct) sent to alice mid-call; the call went on`);
});
