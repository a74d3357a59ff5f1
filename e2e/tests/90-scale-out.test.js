// Many relays, one room (docs/scale-out.md): redis-server and three relays started with
// `--redis` on loopback; alice's page is served by (and signals through) relay 0, bob's by
// relay 2. Each sees the other in the user list, they call each other, the call connects with
// video decoding on both sides, and the hang-up reaches the other relay too.
// Without redis-server the test is skipped, loudly; WEBRTC_CHAT_REQUIRE_REDIS=1 (set by
// scripts/test.sh, whose install step installs it) makes that a failure instead.
'use strict';

const test = require('node:test');
const { spawnSync } = require('node:child_process');
const { World } = require('../lib/world');
const { startProcess, startRelay, freePort, waitListening } = require('../lib/procs');
const { callAndCheck, hangUpAndCheck } = require('../lib/scenarios');

function redisInstalled() {
  return spawnSync('redis-server', ['--version']).status === 0;
}

async function startRedis(t) {
  const port = await freePort();
  const proc = startProcess('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { name: 'redis-server' });
  t.after(() => proc.stop());
  await waitListening(port, proc, 'redis-server');
  return { url: `redis://127.0.0.1:${port}/`, proc };
}

/** A page served by `relay` (so it signals through it), logged in as `name`. */
async function userOn(w, relay, name) {
  const own = w.pageUrl;
  w.pageUrl = relay.url;
  try {
    return await w.user(name);
  } finally {
    w.pageUrl = own;
  }
}

test('two pages on two relays sharing Redis see each other and call with video', async (t) => {
  if (!redisInstalled()) {
    if (process.env.WEBRTC_CHAT_REQUIRE_REDIS) throw new Error('redis-server is required (WEBRTC_CHAT_REQUIRE_REDIS)');
    t.skip('redis-server not installed (scripts/install.sh test installs it)');
    return;
  }
  const redis = await startRedis(t);
  const args = ['--redis', redis.url];
  const w = await World.create(t, { relayArgs: args, query: { ice: '[]' } });
  const relays = [w.relay, await startRelay(t, { args }), await startRelay(t, { args })];
  try {
    const alice = await userOn(w, relays[0], 'alice');
    const bob = await userOn(w, relays[2], 'bob');
    await alice.waitUsers(['alice', 'bob']);
    await bob.waitUsers(['alice', 'bob']);

    await callAndCheck(alice, bob);
    await hangUpAndCheck(alice, bob);
    await callAndCheck(bob, alice);
    await hangUpAndCheck(bob, alice);
  } catch (e) {
    const logs = relays.map((r) => r.proc.logText().split('\n').slice(-15).join('\n')).join('\n');
    throw new Error(`${e.message}\n${await w.describe()}\n${logs}`);
  }
});
