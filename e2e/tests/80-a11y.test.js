// The page for everyone: axe-core (the accessibility engine behind Lighthouse and the browsers'
// audit panels) finds no WCAG 2.x A/AA violation in the lobby, logged in, and in a call; and at
// a phone's size (390×844 CSS px) nothing scrolls sideways and the controls are big enough to
// touch (WCAG 2.5.5's 44 px).
'use strict';

const fs = require('node:fs');
const test = require('node:test');
const assert = require('node:assert/strict');
const { World } = require('../lib/world');
const { callAndCheck } = require('../lib/scenarios');

const AXE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core's violations on the page, as readable lines ("rule: selector — help"). */
async function violations(user) {
  await user.page.addScriptTag({ content: AXE });
  const found = await user.page.evaluate(async () => {
    // The videos are live camera pictures: axe cannot judge captions of a call, and its
    // `video-caption` rule only applies to recorded media with an audio track anyway.
    const r = await window.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] },
    });
    return r.violations.map((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(' ')} — ${v.help}`)).flat();
  });
  return found;
}

/** Whether the page scrolls sideways, and any visible control smaller than 44×44 px. */
async function phoneFit(user) {
  return user.page.evaluate(() => {
    const doc = document.documentElement;
    const small = [...document.querySelectorAll('button, input, select, .userlistbox li')]
      .filter((e) => e.offsetParent !== null)
      .map((e) => ({ e, r: e.getBoundingClientRect() }))
      .filter(({ r }) => r.width < 44 || r.height < 44)
      .map(({ e, r }) => `${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''} ${Math.round(r.width)}×${Math.round(r.height)}`);
    return { overflow: doc.scrollWidth - window.innerWidth, small };
  });
}

test('axe-core finds no violation in the lobby, logged in, and in a call', async (t) => {
  const w = await World.create(t, { query: { ice: '[]' } });
  const alice = await w.user('alice');
  const bob = await w.user('bob');
  await alice.waitUsers(['alice', 'bob']);
  await bob.waitUsers(['alice', 'bob']);
  assert.deepEqual(await violations(alice), [], 'logged in, in the lobby');
  await callAndCheck(alice, bob);
  assert.deepEqual(await violations(alice), [], 'caller, in a call');
  assert.deepEqual(await violations(bob), [], 'callee, in a call');
});

test('before logging in, the page has no violation', async (t) => {
  const w = await World.create(t, { query: { ice: '[]' } });
  const user = await w.user('carol', { login: false });
  await user.page.waitForSelector('#status');
  assert.deepEqual(await violations(user), []);
});

for (const lang of ['en', 'ko']) test(`?lang=${lang} at 390×844: lobby, ringing and call fit without sideways scrolling, controls at least 44 px`, async (t) => {
  const w = await World.create(t, { query: { ice: '[]', lang } });
  const alice = await w.user('alice');
  // bob's page rings (no autoAccept): the ringing state is checked too.
  const bob = await w.user('bob', { query: { autoAccept: '0' } });
  for (const u of [alice, bob]) await u.page.setViewportSize({ width: 390, height: 844 });
  await alice.waitUsers(['alice', 'bob']);
  let fit = await phoneFit(alice);
  assert.ok(fit.overflow <= 0, `lobby scrolls sideways by ${fit.overflow} px`);
  assert.deepEqual(fit.small, [], 'controls under 44 px in the lobby');
  await alice.call('bob');
  await bob.waitCall('ringing');
  for (const u of [alice, bob]) {
    fit = await phoneFit(u);
    assert.ok(fit.overflow <= 0, `${u.label}: ringing scrolls sideways by ${fit.overflow} px`);
    assert.deepEqual(fit.small, [], `${u.label}: controls under 44 px while it rings`);
  }
  await bob.page.click('#accept-button');
  await Promise.all([alice.waitCall('connected'), bob.waitCall('connected')]);
  await Promise.all([alice.waitRemoteVideoPlaying(), bob.waitRemoteVideoPlaying()]);
  for (const u of [alice, bob]) {
    fit = await phoneFit(u);
    assert.ok(fit.overflow <= 0, `${u.label}: the call scrolls sideways by ${fit.overflow} px`);
    assert.deepEqual(fit.small, [], `${u.label}: controls under 44 px in a call`);
    // The remote video fills the width; the self view sits in its corner.
    const boxes = await u.page.evaluate(() => {
      const r = (s) => document.querySelector(s).getBoundingClientRect();
      return { remote: r('#received_video'), local: r('#local_video'), width: document.documentElement.clientWidth };
    });
    assert.ok(boxes.remote.width >= boxes.width * 0.9, `${u.label}: remote video ${boxes.remote.width} of ${boxes.width} px`);
    assert.ok(boxes.local.width < boxes.remote.width / 2, `${u.label}: self view is a corner inset`);
  }
});

/** `u`'s text of `sel`, trimmed. */
const text = (u, sel) => u.page.$eval(sel, (e) => e.textContent.trim());

for (const lang of ['ko', 'en']) {
  test(`?lang=${lang}: no violation in the lobby, while a call rings and in a call`, async (t) => {
    const w = await World.create(t, { query: { ice: '[]', lang } });
    const alice = await w.user('alice');
    // The callee's page rings (no autoAccept) so that axe sees Accept / Decline.
    const bob = await w.user('bob', { query: { autoAccept: '0' } });
    await alice.waitUsers(['alice', 'bob']);
    await bob.waitUsers(['alice', 'bob']);
    assert.equal(await alice.page.evaluate(() => document.documentElement.lang), lang, '<html lang>');
    assert.deepEqual(await violations(alice), [], 'lobby');
    await alice.call('bob');
    await bob.waitCall('ringing');
    assert.deepEqual(await violations(bob), [], 'callee, ringing');
    assert.deepEqual(await violations(alice), [], 'caller, ringing');
    if (lang === 'ko') {
      assert.equal(await text(bob, '#accept-button'), '받기');
      assert.equal(await text(bob, '#status'), 'alice 님의 전화…');
      assert.equal(await text(alice, 'label[for=name]'), '이름');
      assert.equal(await alice.page.$eval('#text', (e) => e.placeholder), '메시지');
    } else {
      assert.equal(await text(bob, '#accept-button'), 'Accept');
    }
    await bob.until('the call is announced', () => /alice/.test(document.querySelector('#announce').textContent));
    await bob.page.click('#accept-button');
    await Promise.all([alice.waitCall('connected'), bob.waitCall('connected')]);
    assert.deepEqual(await violations(alice), [], 'caller, in a call');
    assert.deepEqual(await violations(bob), [], 'callee, in a call');
  });
}

test('switching #lang mid-call relabels everything and keeps the call', async (t) => {
  const w = await World.create(t, { query: { ice: '[]', lang: 'en' } });
  const alice = await w.user('alice');
  const bob = await w.user('bob');
  await alice.waitUsers(['alice', 'bob']);
  await bob.waitUsers(['alice', 'bob']);
  await callAndCheck(alice, bob);
  assert.equal(await text(alice, '#hangup-button'), 'Hang Up');
  assert.equal(await text(alice, '#status'), 'In a call with bob');
  await alice.page.selectOption('#lang', 'ko');
  await alice.until('relabelled', () => document.querySelector('#hangup-button').textContent === '끊기');
  assert.equal(await text(alice, '#status'), 'bob 님과 통화 중');
  assert.equal(await alice.page.evaluate(() => document.documentElement.lang), 'ko');
  assert.equal(await alice.page.$eval('#received_video', (e) => e.getAttribute('aria-label')), '상대방 영상');
  assert.equal((await alice.callState()).call, 'connected', 'still in the call');
  assert.equal(await alice.openPeerConnections(), 1, 'the same peer connection');
  assert.deepEqual(await violations(alice), [], 'Korean, in a call');
  await alice.page.selectOption('#lang', 'en');
  await alice.until('English again', () => document.querySelector('#hangup-button').textContent === 'Hang Up');
});
