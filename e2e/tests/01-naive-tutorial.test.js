// naive-relay.js carries a real call between two browsers running the tutorial-structured
// JavaScript client (e2e/tutorial-client/): so when the app fails through the naive server
// (70-naive-relay.test.js), the server is not the suspect.
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { launch } = require('../lib/browser');
const { startStatic } = require('../lib/static');
const { startNaiveRelay } = require('../naive-relay');

const DIR = path.join(__dirname, '..', 'tutorial-client');

test('naive relay + tutorial JS client: a call decodes video on both sides', { skip: !fs.existsSync(path.join(DIR, 'index.html')) && 'no e2e/tutorial-client' }, async (t) => {
  const browser = await launch(t);
  const naive = await startNaiveRelay();
  t.after(() => naive.close());
  const site = await startStatic(t, DIR);
  const url = `${site.url}index.html?signal=${encodeURIComponent(`ws://127.0.0.1:${naive.port}/`)}&ice=${encodeURIComponent('[]')}`;
  const logs = [];
  const open = async (name) => {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    page.on('console', (m) => logs.push(`${name}: ${m.text()}`));
    await page.goto(url);
    await page.fill('#name', name);
    await page.click('[name=login]');
    return page;
  };
  const alice = await open('alice');
  const bob = await open('bob');
  const listed = (p, n) => p.waitForFunction((x) => [...document.querySelectorAll('ul.userlistbox li')].some((li) => li.textContent === x), n);
  await Promise.all([listed(alice, 'bob'), listed(bob, 'alice')]);
  await alice.locator('ul.userlistbox li', { hasText: 'bob' }).click();
  for (const p of [alice, bob]) {
    await p.waitForFunction(() => {
      const v = document.querySelector('video#received_video');
      return v.videoWidth > 0 && v.currentTime > 1;
    }, undefined, { timeout: 20000 }).catch((e) => {
      throw new Error(`${e.message}\n${logs.slice(-40).join('\n')}`);
    });
  }
  assert.ok(await alice.evaluate(() => window.myPeerConnection.connectionState === 'connected'));
});
