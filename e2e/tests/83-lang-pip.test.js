// Issue 12, the rest: a browser that prefers Korean gets the page in Korean on first load (no
// `?lang=`, no setting: `navigator.languages` alone) and can switch; the Picture-in-Picture button
// for the remote video is offered where the browser has it, has a name in both languages, and
// opens and closes the browser's window.
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const { World } = require('../lib/world');

/** `u`'s text of `sel`, trimmed. */
const text = (u, sel) => u.page.$eval(sel, (e) => e.textContent.trim());

test('a browser that prefers Korean (ko-KR) shows Korean on first load and can switch', async (t) => {
  const w = await World.create(t, { query: { ice: '[]' } });
  const minji = await w.user('minji', { login: false, locale: 'ko-KR' });
  await minji.until('Korean labels', () => document.querySelector('button[name=login]').textContent === '로그인');
  assert.deepEqual(await minji.page.evaluate(() => navigator.languages), ['ko-KR'], 'the browser prefers Korean');
  assert.equal(await minji.page.evaluate(() => document.documentElement.lang), 'ko');
  assert.equal(await minji.page.$eval('#lang', (s) => s.value), 'ko', 'the switch shows Korean');
  assert.equal(await text(minji, 'label[for=name]'), '이름');
  assert.equal(await text(minji, '#status'), '연결 안 됨');
  await minji.login('minji');
  await minji.waitUsers(['minji']);
  assert.equal(await text(minji, '#status'), '연결됨');
  const you = () => minji.page.$eval('ul.userlistbox li.me', (li) => getComputedStyle(li, '::after').content);
  assert.equal(await you(), '" (나)"', 'our own name is marked in Korean');
  // A refusal is worded in Korean too, and again in English after the switch.
  await minji.page.evaluate(() => { document.querySelector('#name').value = ' '; });
  await minji.page.click('button[name=login]');
  await minji.until('Korean error', () => document.querySelector('#error').textContent === '로그인하려면 사용자 이름을 입력하세요.');
  await minji.page.selectOption('#lang', 'en');
  await minji.until('English labels', () => document.querySelector('button[name=login]').textContent === 'Log in');
  assert.equal(await minji.page.evaluate(() => document.documentElement.lang), 'en');
  assert.equal(await text(minji, '#status'), 'Connected');
  assert.equal(await text(minji, '#error'), 'Enter a user name to log in.');
  assert.equal(await you(), '" (you)"');

  // A browser that prefers English (the default context) gets English.
  const sam = await w.user('sam', { login: false, locale: 'en-US' });
  await sam.until('English labels', () => document.querySelector('button[name=login]').textContent === 'Log in');
  assert.equal(await sam.page.evaluate(() => document.documentElement.lang), 'en');
});

test('Picture-in-Picture: offered in a call where supported, named in both languages, opens and closes', async (t) => {
  const w = await World.create(t, { query: { ice: '[]', lang: 'ko' } });
  const alice = await w.user('alice');
  const bob = await w.user('bob');
  await alice.waitUsers(['alice', 'bob']);
  const supported = await alice.page.evaluate(() => document.pictureInPictureEnabled === true);
  t.diagnostic(`document.pictureInPictureEnabled: ${supported}`);
  assert.equal(await alice.page.$eval('#pip-button', (b) => b.hidden), true, 'no button before a call');
  await alice.call('bob');
  await Promise.all([alice.waitCall('connected'), bob.waitCall('connected')]);
  await alice.waitRemoteVideoPlaying();
  const hidden = await alice.page.$eval('#pip-button', (b) => b.hidden);
  if (!supported) {
    assert.equal(hidden, true, 'hidden where the browser has no Picture-in-Picture');
    return;
  }
  assert.equal(hidden, false, 'shown in a call');
  assert.equal(await text(alice, '#pip-button'), '화면 속 화면');
  await alice.page.click('#pip-button');
  await alice.until('the remote video in Picture-in-Picture', () =>
    document.pictureInPictureElement && document.pictureInPictureElement.id === 'received_video');
  await alice.page.click('#pip-button');
  await alice.until('Picture-in-Picture closed', () => document.pictureInPictureElement === null);
  await alice.page.selectOption('#lang', 'en');
  await alice.until('English name', () => document.querySelector('#pip-button').textContent === 'Picture in picture');
  await alice.hangUp();
  await alice.waitCall('idle');
  await alice.until('hidden after the call', () => document.querySelector('#pip-button').hidden);
});
