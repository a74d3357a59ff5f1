// The ground the app tests stand on, with no app code: the browser's own loopback call (the
// floor the benchmark compares against), and coturn proven with plain JS before the app uses it.
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { launch } = require('../lib/browser');
const { startCoturn } = require('../lib/procs');
const { startStatic } = require('../lib/static');

async function floorPage(t) {
  const browser = await launch(t);
  const site = await startStatic(t, path.join(__dirname, '..', 'pages'));
  const page = await browser.newPage();
  await page.goto(`${site.url}floor.html`);
  return page;
}

test('floor: two peer connections in one page, host candidates, first frame', async (t) => {
  const page = await floorPage(t);
  const r = await page.evaluate(() => window.floor({ iceServers: [] }));
  assert.ok(r.ok, JSON.stringify(r));
  assert.ok(r.width > 0);
  t.diagnostic(`floor: first remote frame after ${r.ms.toFixed(0)} ms, pair ${JSON.stringify(r.pairA)}`);
});

test('coturn relays: relay-only policy connects through TURN on both sides (plain JS)', async (t) => {
  const turn = await startCoturn(t);
  const page = await floorPage(t);
  const config = { iceServers: [{ urls: turn.url, username: turn.user, credential: turn.pass }], iceTransportPolicy: 'relay' };
  const r = await page.evaluate((c) => window.floor(c), config);
  assert.ok(r.ok, `${JSON.stringify(r)}\n${turn.proc.logText()}`);
  assert.deepEqual(r.pairA, { local: 'relay', remote: 'relay' });
  assert.deepEqual(r.pairB, { local: 'relay', remote: 'relay' });
  t.diagnostic(`via TURN: first remote frame after ${r.ms.toFixed(0)} ms`);
});

test('coturn enforces credentials: a wrong password never connects (plain JS)', async (t) => {
  const turn = await startCoturn(t);
  const page = await floorPage(t);
  const config = { iceServers: [{ urls: turn.url, username: turn.user, credential: 'wrong' }], iceTransportPolicy: 'relay' };
  const r = await page.evaluate((c) => window.floor(c, 8000), config);
  assert.equal(r.ok, false, JSON.stringify(r));
  // coturn saw the request and refused it (401 after the nonce round).
  assert.match(turn.proc.logText(), /401|[Uu]nauthori[sz]ed|wrong/);
});
