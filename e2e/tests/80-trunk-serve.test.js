// The README's development commands: `trunk serve` (here on a free port, --offline) and the
// relay. Two people load the page from Trunk's URL with no settings, log in, see each other,
// chat and call, with video playing both ways.
//
// The development page finds the relay at its default `<page host>:6503`, not through Trunk
// (whose WebSocket proxy drops the `json` subprotocol). The test's relay listens on a free
// port, so each page's socket to exactly ws://127.0.0.1:6503/signal is sent there instead
// (e2e/lib/trunk.js, `socketMap`); the test asserts that the page asked for that address with
// subprotocol `json` and that the relay chose `json`.
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const { World } = require('../lib/world');
const { callAndCheck, hangUpAndCheck } = require('../lib/scenarios');

// Trunk's first build of the page (dev profile) comes on top of the call: a deadline of its own.
test('trunk serve: two pages from Trunk log in, chat and call', { timeout: 600000 }, async (t) => {
  const w = await World.create(t, { server: 'trunk', query: { ice: '[]' } });
  // Live reload is on: Trunk injected its reload script.
  assert.match(w.trunk.html, /\.well-known\/trunk\/ws/, 'the page has Trunk\'s live-reload script');

  // The development build's wasm is large: log in once the app has mounted, not before.
  const open = async (name) => {
    const u = await w.user(name, { login: false });
    await u.until('the app mounted (its status line rendered)', () => document.querySelector('#status').hasAttribute('data-unreachable'));
    await u.login(name);
    return u;
  };
  const alice = await open('alice');
  const bob = await open('bob');
  await alice.waitUsers(['alice', 'bob']);
  await bob.waitUsers(['alice', 'bob']);
  for (const u of [alice, bob]) {
    const sockets = await u.page.evaluate(() => window.__sockets);
    const signal = sockets.filter((s) => s.protocols.includes('json'));
    assert.deepEqual(
      signal.map((s) => ({ url: s.url, opened: s.opened, protocol: s.protocol })),
      [{ url: w.devSignal, opened: true, protocol: 'json' }],
      `${u.label}: one signaling socket, to the relay's default port on the page's host, subprotocol json`,
    );
    // Trunk's own reload socket connects too (it is what reloads the page after a rebuild).
    await u.until('the live-reload socket is open', () =>
      window.__sockets.some((s) => s.url.endsWith('/.well-known/trunk/ws') && s.opened));
  }

  await alice.sendChat('hello bob');
  for (const u of [alice, bob]) await u.waitChat('alice', 'hello bob');
  await bob.sendChat('hi alice');
  for (const u of [alice, bob]) await u.waitChat('bob', 'hi alice');

  await callAndCheck(alice, bob);
  await hangUpAndCheck(alice, bob);
});
