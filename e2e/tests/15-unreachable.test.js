// A page that cannot reach its signaling server says so in the page, within a few seconds:
// which server, that it keeps retrying and when, what to check. Three ways to fail: nothing
// listens on the port; a server refuses the upgrade (403); a server accepts the upgrade without
// the `json` subprotocol (what Trunk's WebSocket proxy does, which browsers refuse). Then the
// real relay starts on each of those ports and every page is back to normal on its own.
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const { WebSocketServer } = require('ws');
const { World } = require('../lib/world');
const { freePort, startRelay } = require('../lib/procs');

/** An HTTP server on a free port whose WebSocket upgrades fail in the way `how` says. */
async function refusingServer(t, how) {
  const port = await freePort();
  const srv = http.createServer((req, res) => res.writeHead(404).end());
  const upgrades = { count: 0 };
  if (how === '403') {
    srv.on('upgrade', (req, socket) => {
      upgrades.count++;
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    });
  } else {
    // Accepts, but answers no subprotocol to a client that asked for `json`.
    const wss = new WebSocketServer({ server: srv, handleProtocols: () => false });
    wss.on('connection', () => upgrades.count++);
  }
  // Every TCP connection, upgraded ones included (the HTTP server forgets those), to end them.
  const sockets = new Set();
  srv.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise((resolve) => srv.listen(port, '127.0.0.1', resolve));
  const close = () =>
    new Promise((resolve) => {
      srv.close(() => resolve());
      for (const s of sockets) s.destroy();
    });
  t.after(() => (srv.listening ? close() : undefined));
  return { port, upgrades, close };
}

/** What the page's status line says and marks. */
function statusInPage() {
  const st = document.querySelector('#status');
  return {
    text: st.textContent,
    socket: st.getAttribute('data-socket'),
    unreachable: st.getAttribute('data-unreachable'),
    retryAt: st.getAttribute('data-retry-at'),
  };
}

test('a page says which server it cannot reach, retries, and recovers on its own', async (t) => {
  const w = await World.create(t);
  const dead = await freePort(); // nothing listens here
  const forbidden = await refusingServer(t, '403');
  const noProtocol = await refusingServer(t, 'no-subprotocol');
  const cases = [
    { name: 'alice', port: dead, why: 'nothing listens' },
    { name: 'bob', port: forbidden.port, why: 'upgrade refused with 403' },
    { name: 'carol', port: noProtocol.port, why: 'no subprotocol in the answer' },
  ];
  for (const c of cases) {
    c.url = `ws://127.0.0.1:${c.port}/signal`;
    c.user = await w.user(c.name, { query: { signal: c.url }, login: false });
    await c.user.until('the app mounted (its status line rendered)', () => document.querySelector('#status').hasAttribute('data-unreachable'));
    const before = await c.user.page.evaluate(statusInPage);
    assert.equal(before.unreachable, '', `${c.name}: nothing to report before login`);
    assert.equal(before.text, 'Not connected');
    await c.user.login(c.name);
  }

  for (const c of cases) {
    // Within a few seconds of logging in, in the page itself.
    const s = await c.user.until(`${c.why}: the page names ${c.url}`, (url) => {
      const st = document.querySelector('#status');
      return st.getAttribute('data-unreachable') === url && st.textContent.includes(url) && st.textContent;
    }, c.url, 5000);
    assert.match(s, /^Cannot reach the signaling server at ws:\/\/127\.0\.0\.1:\d+\/signal \(\d+ failed attempts?\)\./, `${c.name}: ${s}`);
    assert.match(s, /Trying again (in \d+ s\.|now…)/, `${c.name}: says it retries and when: ${s}`);
    assert.match(s, /Check that the server is running at that address and accepts WebSocket subprotocol "json"/, `${c.name}: what to check: ${s}`);
    assert.match(s, /\?signal=/, `${c.name}: how to point the page elsewhere: ${s}`);
    // It keeps retrying: the count of failed attempts goes up, and a next attempt is scheduled.
    const later = await c.user.until(`${c.why}: a second failed attempt`, () => {
      const st = document.querySelector('#status');
      const m = /\((\d+) failed attempts?\)/.exec(st.textContent);
      if (!m || Number(m[1]) < 2 || !st.getAttribute('data-retry-at')) return null;
      return { text: st.textContent, socket: st.getAttribute('data-socket'), retryAt: st.getAttribute('data-retry-at'), now: Date.now() };
    }, null, 10000);
    assert.match(later.text, /Trying again in \d+ s\./, `${c.name}: ${later.text}`);
    assert.equal(later.socket, 'closed');
    assert.ok(Date.parse(later.retryAt) > later.now - 100, `${c.name}: the next try is ahead: ${later.retryAt}`);
    assert.equal(await c.user.errorText(), null, `${c.name}: the status line says it, no error box`);
    assert.deepEqual(await c.user.users(), [], `${c.name}: nobody listed while not connected`);
  }
  assert.ok(forbidden.upgrades.count >= 2, 'the 403 server was asked to upgrade, again and again');
  assert.ok(noProtocol.upgrades.count >= 2, 'the no-subprotocol server accepted upgrades, again and again');

  // The real relay comes up where each page looks: every page connects and logs in by itself.
  await forbidden.close();
  await noProtocol.close();
  for (const c of cases) await startRelay(t, { port: c.port, staticDir: null });
  for (const c of cases) {
    await c.user.waitUsers([c.name]);
    const s = await c.user.page.evaluate(statusInPage);
    assert.equal(s.text, 'Connected', `${c.name}: the status is back to normal`);
    assert.equal(s.socket, 'open');
    assert.equal(s.unreachable, '');
    assert.equal(s.retryAt, '');
  }
});
