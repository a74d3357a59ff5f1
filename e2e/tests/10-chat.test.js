// alice and bob log in, see each other, chat both ways; HTML in a message is shown as text.
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const { World } = require('../lib/world');

test('login, user list, chat both ways, HTML shown as text', async (t) => {
  const w = await World.create(t);
  const alice = await w.user('alice');
  const bob = await w.user('bob');
  await alice.waitUsers(['alice', 'bob']);
  await bob.waitUsers(['alice', 'bob']);
  // Own entry is marked and the other is not.
  const seen = await alice.users();
  assert.deepEqual(seen.filter((u) => u.cls.split(/\s+/).includes('me')).map((u) => u.name), ['alice']);

  await alice.sendChat('hello bob');
  for (const u of [alice, bob]) await u.waitChat('alice', 'hello bob');
  await bob.sendChat('hi alice');
  for (const u of [alice, bob]) await u.waitChat('bob', 'hi alice');

  // The relay may strip tags (as the sample's server does) or pass them on; either way the
  // page must show text and inject no element. A marker global proves no script ran either.
  const html = '<img src=x onerror="window.__pwned=1"><b>bold</b>&amp;';
  await bob.sendChat(html);
  for (const u of [alice, bob]) {
    const line = await u.until('the HTML chat line', () => {
      const lines = [...document.querySelectorAll('.chatbox .chat-line .chat-text')];
      const l = lines.find((x) => x.textContent.includes('bold'));
      return l && { text: l.textContent, children: l.children.length, imgs: document.querySelectorAll('.chatbox img, .chatbox b').length };
    });
    assert.equal(line.children, 0, `${u.label}: no element inside the chat text`);
    assert.equal(line.imgs, 0, `${u.label}: no <img>/<b> anywhere in the chat box`);
    assert.ok(line.text === html || line.text === 'bold&amp;', `${u.label}: shown as text: ${JSON.stringify(line.text)}`);
    assert.equal(await u.page.evaluate(() => window.__pwned), undefined);
  }
});
