// Child processes of a test (relay, coturn): started on a free loopback port, waited for until
// they listen, and always killed: at the end of the test (`t.after`), and — if the test process
// dies on an exception or a signal — by the exit hooks below, so nothing outlives a run.
'use strict';

const { spawn } = require('node:child_process');
const net = require('node:net');
const dgram = require('node:dgram');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');
const TARGET_DIR = process.env.CARGO_TARGET_DIR || path.join(ROOT, 'target');
const RELAY_BIN = process.env.RELAY_BIN || path.join(TARGET_DIR, 'release', 'relay');
const DIST = process.env.DIST_DIR || path.join(ROOT, 'dist');

const live = new Set();
function killAll() {
  for (const p of live) p.signal('SIGKILL');
  live.clear();
}
process.on('exit', killAll);
for (const [sig, num] of [['SIGINT', 2], ['SIGTERM', 15], ['SIGHUP', 1]]) {
  process.on(sig, () => {
    killAll();
    process.exit(128 + num);
  });
}

/** A TCP port on 127.0.0.1 that is free right now (and free for UDP too when `udp`). */
async function freePort({ udp = false } = {}) {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await new Promise((resolve, reject) => {
      const srv = net.createServer();
      srv.once('error', reject);
      srv.listen(0, '127.0.0.1', () => {
        const p = srv.address().port;
        srv.close(() => resolve(p));
      });
    });
    if (!udp) return port;
    const ok = await new Promise((resolve) => {
      const s = dgram.createSocket('udp4');
      s.once('error', () => resolve(false));
      s.bind(port, '127.0.0.1', () => s.close(() => resolve(true)));
    });
    if (ok) return port;
  }
  throw new Error('no free port');
}

/** Resolves once something accepts TCP connections on 127.0.0.1:port (or rejects). */
async function waitListening(port, proc, what, timeoutMs = 15000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (proc && proc.exitCode !== null) throw new Error(`${what} exited with ${proc.exitCode} before listening:\n${proc.logText()}`);
    const ok = await new Promise((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`${what} did not listen on ${port} within ${timeoutMs} ms:\n${proc ? proc.logText() : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Spawns a child whose output is kept (shown when a test fails) and registered for killing.
 * `group`: the child leads a process group of its own, and signals go to the whole group (for
 * a child that runs children of its own, as `trunk serve` runs cargo).
 */
function startProcess(cmd, args, { name = cmd, group = false, cwd } = {}) {
  const proc = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: group, cwd });
  const lines = [];
  const keep = (chunk) => {
    lines.push(chunk.toString());
    if (lines.length > 400) lines.splice(0, lines.length - 400);
  };
  proc.stdout.on('data', keep);
  proc.stderr.on('data', keep);
  proc.on('error', (e) => lines.push(`spawn error: ${e.message}\n`));
  proc.logText = () => `--- ${name} output ---\n${lines.join('')}`;
  proc.signal = (sig) => {
    try {
      if (group && proc.pid) process.kill(-proc.pid, sig);
      else proc.kill(sig);
    } catch {
      /* already gone */
    }
  };
  live.add(proc);
  // A group outlives its leader's exit (a cargo still building): it stays registered for the
  // exit hooks until `stop`, which signals the group either way.
  if (!group) proc.on('exit', () => live.delete(proc));
  proc.stop = async () => {
    live.delete(proc);
    if (proc.exitCode !== null || proc.signalCode !== null) {
      if (group) proc.signal('SIGKILL');
      return;
    }
    const gone = new Promise((r) => proc.once('exit', r));
    proc.signal('SIGTERM');
    const t = setTimeout(() => proc.signal('SIGKILL'), 2000);
    await gone;
    clearTimeout(t);
    if (group) proc.signal('SIGKILL');
  };
  return proc;
}

/**
 * Our relay: page + signaling on one free port (or on `port`; no page for `staticDir: null`).
 * Registers its own cleanup on `t`.
 */
/** `args`: extra relay arguments (`--turn-secret S`, `--token-secret S`, …). */
async function startRelay(t, { staticDir = DIST, port = null, args: extra = [] } = {}) {
  if (!fs.existsSync(RELAY_BIN)) throw new Error(`relay binary missing: ${RELAY_BIN} (cargo build --release -p webrtc-chat-relay)`);
  if (port === null) port = await freePort();
  const args = ['--listen', `127.0.0.1:${port}`];
  if (staticDir) args.push('--static', staticDir);
  args.push(...extra);
  const proc = startProcess(RELAY_BIN, args, { name: 'relay' });
  if (t) t.after(() => proc.stop());
  await waitListening(port, proc, 'relay');
  return { port, url: `http://127.0.0.1:${port}/`, ws: `ws://127.0.0.1:${port}/signal`, proc };
}

/**
 * coturn on loopback with long-term credentials, relaying between loopback addresses.
 * Plain TURN over UDP/TCP only (no TLS/DTLS, no CLI, no Redis/DB), in the foreground.
 * `port` and `minPort`: restart a coturn where it was (its result has both).
 * `secret`: time-limited credentials instead (`use-auth-secret`, `static-auth-secret=secret`:
 * the relay's `/ice-servers` mints them with the same secret).
 */
async function startCoturn(t, { user = 'webrtc', pass = 'turnserver', realm = 'test', port = null, minPort = null, secret = null } = {}) {
  if (port === null) port = await freePort({ udp: true });
  // Relay ports from a range unlikely to clash with the test's other ports.
  if (minPort === null) minPort = 40000 + Math.floor(Math.random() * 200) * 100;
  const args = [
    '-n', // no config file
    '--listening-ip=127.0.0.1',
    '--relay-ip=127.0.0.1',
    `--listening-port=${port}`,
    `--min-port=${minPort}`,
    `--max-port=${minPort + 99}`,
    ...(secret ? ['--use-auth-secret', `--static-auth-secret=${secret}`] : ['--lt-cred-mech', `--user=${user}:${pass}`]),
    `--realm=${realm}`,
    '--no-tls',
    '--no-dtls',
    '--no-cli',
    '--no-rfc5780',
    '--no-stun-backward-compatibility',
    // The peers' relayed candidates are 127.0.0.1 too: coturn refuses loopback peers unless told.
    '--allow-loopback-peers',
    '--fingerprint',
    '--simple-log',
    '--log-file=stdout',
    '--verbose',
  ];
  const proc = startProcess('turnserver', args, { name: 'coturn' });
  if (t) t.after(() => proc.stop());
  await waitListening(port, proc, 'coturn');
  return { port, minPort, url: `turn:127.0.0.1:${port}`, user, pass, realm, proc };
}

module.exports = { ROOT, DIST, RELAY_BIN, freePort, waitListening, startProcess, startRelay, startCoturn };
