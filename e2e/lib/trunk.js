// `trunk serve` as the README's development section runs it: a development build of the page,
// live reload, on a free port of its own. Its output goes to a private directory (not dist/,
// which the release tests' snapshot and a developer's build use), and its process group —
// trunk and the cargo it runs — is stopped when the test ends.
'use strict';

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const http = require('node:http');
const { ROOT, freePort, startProcess } = require('./procs');

/** Where a development build's page looks for the relay: `<page host>:6503` (src/config.rs). */
const DEV_SIGNAL_PORT = 6503;

/** GET `url`: `{status, body}`, or `null` when nothing answers. */
function get(url) {
  return new Promise((resolve) => {
    const req = http.get(url, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode, body }));
    });
    req.on('error', () => resolve(null));
    req.setTimeout(5000, () => req.destroy());
  });
}

/**
 * Starts `trunk serve --offline` on a free port and waits until it serves the built page.
 * The first build compiles the client in the dev profile (its dependencies are shared with the
 * browser tests' build in target/, so on the test command's path it is mostly linking and
 * wasm-bindgen); hence the long deadline.
 */
async function startTrunkServe(t, { timeoutMs = 420000 } = {}) {
  const port = await freePort();
  const dist = fs.mkdtempSync(path.join(os.tmpdir(), 'webrtc-chat-trunk-serve-'));
  const args = ['serve', '--offline', '--address', '127.0.0.1', '--port', String(port), '--dist', dist];
  const proc = startProcess('trunk', args, { name: 'trunk serve', group: true, cwd: ROOT });
  t.after(async () => {
    await proc.stop();
    fs.rmSync(dist, { recursive: true, force: true });
  });
  const url = `http://127.0.0.1:${port}/`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`trunk serve exited with ${proc.exitCode}:\n${proc.logText()}`);
    const res = await get(url);
    // Trunk serves nothing (404) until its first build is done; then the page with its wasm.
    if (res && res.status === 200 && /_bg\.wasm/.test(res.body)) return { port, url, dist, proc, html: res.body };
    if (Date.now() > deadline) throw new Error(`trunk serve did not serve the page within ${timeoutMs} ms:\n${proc.logText()}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/**
 * An init script that records every WebSocket the page opens (`window.__sockets`: url,
 * requested protocols, and what became of it) and sends the one for `from` to `to` instead.
 * How a page that must find the relay at the fixed `<page host>:6503` meets a test relay on a
 * free port: the test asserts that the page asked for exactly `from`, and the socket it gets is
 * a real one to the real relay (handshake and subprotocol included).
 */
function socketMap(from, to) {
  return `(() => {
  const Orig = window.WebSocket;
  const sockets = [];
  class WebSocket extends Orig {
    constructor(url, protocols) {
      const asked = String(url);
      super(asked === ${JSON.stringify(from)} ? ${JSON.stringify(to)} : asked, protocols);
      const s = { url: asked, protocols: protocols === undefined ? [] : [].concat(protocols), opened: false, protocol: null };
      sockets.push(s);
      this.addEventListener('open', () => { s.opened = true; s.protocol = this.protocol; });
    }
  }
  window.WebSocket = WebSocket;
  window.__sockets = sockets;
})();`;
}

module.exports = { DEV_SIGNAL_PORT, startTrunkServe, socketMap };
