// Rooms, join tokens and TURN credentials from the relay (issue 13, page side; docs/page.md):
// pages in two rooms of one relay never see each other; with `--turn-secret` the page fetches
// `/ice-servers` on its own and a relay-only call connects through coturn (`use-auth-secret`);
// credentials coturn refuses fail clearly; with `--token-secret` a page needs `?token=`.
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const { World } = require('../lib/world');
const { startCoturn, RELAY_BIN } = require('../lib/procs');
const { callAndCheck, hangUpAndCheck } = require('../lib/scenarios');

test('two rooms on one relay: users and chat stay in their room; #room shows it', async (t) => {
  const w = await World.create(t);
  const alice = await w.user('alice', { query: { room: 'team-a' } });
  const bob = await w.user('bob', { query: { room: 'team-a' } });
  const carol = await w.user('carol', { query: { room: 'team_b' } });
  const dave = await w.user('dave', { query: { room: 'team_b' } });
  await alice.waitUsers(['alice', 'bob']);
  await bob.waitUsers(['alice', 'bob']);
  await carol.waitUsers(['carol', 'dave']);
  await dave.waitUsers(['carol', 'dave']);
  assert.equal(await alice.page.$eval('#room', (e) => (e.hidden ? null : e.textContent)), 'Room: team-a');
  assert.equal(await carol.page.$eval('#room', (e) => (e.hidden ? null : e.textContent)), 'Room: team_b');
  await alice.sendChat('only for team a');
  await bob.waitChat('alice', 'only for team a');
  await carol.sendChat('only for team b');
  await dave.waitChat('carol', 'only for team b');
  for (const u of [carol, dave]) {
    const text = await u.page.$eval('.chatbox', (e) => e.textContent);
    assert.ok(!text.includes('team a'), `${u.label} saw room a's chat: ${text}`);
  }
  for (const u of [alice, bob]) {
    const text = await u.page.$eval('.chatbox', (e) => e.textContent);
    assert.ok(!text.includes('team b'), `${u.label} saw room b's chat: ${text}`);
  }
  await alice.waitUsers(['alice', 'bob']);
  await carol.waitUsers(['carol', 'dave']);

  // A name the relay would refuse: the page says so instead of connecting.
  const eve = await w.user('eve', { query: { room: 'no spaces!' } });
  const err = await eve.until('the invalid-room error', () => {
    const e = document.querySelector('#error');
    return e && !e.hidden && e.textContent;
  });
  assert.match(err, /room name is not valid/);
});

test('TURN credentials from the relay (--turn-secret): a relay-only call connects', async (t) => {
  const coturn = await startCoturn(t, { secret: 'shared-turn-secret' });
  const w = await World.create(t, {
    relayArgs: ['--turn-secret', 'shared-turn-secret', '--turn-urls', coturn.url, '--turn-ttl', '600'],
    query: { iceTransportPolicy: 'relay' },
  });
  w.coturn = coturn;
  const alice = await w.user('alice');
  const bob = await w.user('bob');
  await alice.waitUsers(['alice', 'bob']);
  await callAndCheck(alice, bob);
  for (const u of [alice, bob]) {
    const s = await u.selectedPair();
    assert.ok(s && s.pair, `${u.label}: a selected pair: ${JSON.stringify(s)}`);
    assert.deepEqual([s.pair.local, s.pair.remote], ['relay', 'relay'], `${u.label}: ${JSON.stringify(s)}`);
    const servers = JSON.stringify(s.config.iceServers);
    assert.ok(servers.includes(coturn.url), `${u.label}: the relay's TURN URL: ${servers}`);
    assert.ok(!servers.includes('turnserver'), `${u.label}: no built-in password: ${servers}`);
  }
  await hangUpAndCheck(alice, bob);
});

test('credentials coturn refuses (relay and coturn disagree on the secret): a clear failure', async (t) => {
  const coturn = await startCoturn(t, { secret: 'coturns-secret' });
  const w = await World.create(t, {
    relayArgs: ['--turn-secret', 'another-secret', '--turn-urls', coturn.url],
    query: { iceTransportPolicy: 'relay' },
  });
  w.coturn = coturn;
  const alice = await w.user('alice');
  const bob = await w.user('bob');
  await alice.waitUsers(['alice', 'bob']);
  await alice.call('bob');
  const err = await alice.until('an error shown to alice', () => {
    const e = document.querySelector('#error');
    return e && !e.hidden && e.textContent.trim();
  }, undefined, 30000);
  t.diagnostic(`alice told: "${err}"`);
  await alice.waitCall('idle', 30000);
});

test('join tokens (--token-secret): no token, no connection; a token connects under its name', async (t) => {
  const secret = 'join-token-secret';
  const w = await World.create(t, { relayArgs: ['--token-secret', secret] });
  const stranger = await w.user('stranger');
  const notice = await stranger.until('the unreachable notice', () => {
    const st = document.querySelector('#status');
    return st && st.getAttribute('data-unreachable') && st.textContent;
  }, undefined, 30000);
  t.diagnostic(`without a token: "${notice}"`);
  const token = execFileSync(RELAY_BIN, ['token', '--room', 'default', '--name', 'alice', '--ttl', '600'], {
    env: { ...process.env, RELAY_TOKEN_SECRET: secret },
  }).toString().trim();
  const alice = await w.user('someone-else', { query: { token } });
  await alice.until('alice in the user list', () =>
    [...document.querySelectorAll('ul.userlistbox li')].some((li) => li.textContent.trim() === 'alice'));
  const st = await alice.page.$eval('#status', (e) => e.getAttribute('data-unreachable'));
  assert.equal(st, '');
});
