// Keyboard only (issue 12): log in, Tab to the peer's name, Enter calls; the callee's Accept has
// the focus and Enter answers; Tab to Hang Up and Enter ends the call, and the focus is back in
// the user list. `page.keyboard` alone: no click, no mouse.
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const { World } = require('../lib/world');

/** Presses Tab (at most 30 times) until `pred(document.activeElement)` holds. */
async function tabTo(u, what, pred) {
  for (let i = 0; i < 30; i += 1) {
    if (await u.page.evaluate(pred)) return;
    await u.page.keyboard.press('Tab');
  }
  assert.fail(`${u.label}: Tab never reached ${what}`);
}

/** Logs `u` in with the keyboard: Tab to the name field, type, Enter. */
async function keyboardLogin(u, name) {
  await u.page.waitForSelector('#name');
  // Every pointer or mouse event the page receives is counted: there must be none.
  await u.page.evaluate(() => {
    window.__mouseEvents = 0;
    for (const type of ['pointerdown', 'pointerup', 'mousedown', 'mouseup', 'mousemove']) {
      document.addEventListener(type, () => { window.__mouseEvents += 1; }, true);
    }
  });
  await tabTo(u, '#name', () => document.activeElement && document.activeElement.id === 'name');
  await u.page.keyboard.type(name);
  await u.page.keyboard.press('Enter');
}

test('a whole call with the keyboard only', async (t) => {
  const w = await World.create(t, { query: { ice: '[]' } });
  const alice = await w.user('alice', { login: false });
  const bob = await w.user('bob', { login: false, query: { autoAccept: '0' } });
  await keyboardLogin(alice, 'alice');
  await keyboardLogin(bob, 'bob');
  await alice.waitUsers(['alice', 'bob']);
  await bob.waitUsers(['alice', 'bob']);

  await tabTo(alice, "bob's name", () => {
    const a = document.activeElement;
    return a && a.tagName === 'BUTTON' && a.closest('.userlistbox') && a.textContent === 'bob';
  });
  await alice.page.keyboard.press('Enter');
  await bob.waitCall('ringing');
  await bob.until('Accept focused', () => document.activeElement && document.activeElement.id === 'accept-button');
  await bob.page.keyboard.press('Enter');
  await Promise.all([alice.waitCall('connected'), bob.waitCall('connected')]);
  await bob.until('call started announced', () => /alice/.test(document.querySelector('#announce').textContent));

  await tabTo(alice, 'Hang Up', () => document.activeElement && document.activeElement.id === 'hangup-button');
  await alice.page.keyboard.press('Enter');
  await Promise.all([alice.waitCall('idle'), bob.waitCall('idle')]);
  await alice.until('focus back in the user list', () =>
    document.activeElement && !!document.activeElement.closest('.userlistbox'));
  await alice.until('call ended announced', () => /ended/.test(document.querySelector('#announce').textContent));
  // The callee's focus was on Accept, which the call took with it: back in the list too.
  await bob.until('bob: focus back in the user list', () =>
    document.activeElement && !!document.activeElement.closest('.userlistbox'));
  for (const u of [alice, bob]) {
    assert.equal(await u.page.evaluate(() => window.__mouseEvents), 0, `${u.label}: no mouse event`);
  }
});
