// One person using the app page, seen through the page contract (docs/page.md):
// only what the person sees — #status, the user list, the chat box, the videos, #error, the
// Hang Up button — plus the RTCPeerConnection recorder for the TURN checks.
//
// Waits are bounded (a hung page fails the test instead of hanging the suite) but no assertion
// depends on how fast something happens: each wait is for a state the person would see.
'use strict';

const { PC_HOOK, selectedPairInPage } = require('./browser');

const DEFAULT_WAIT_MS = Number(process.env.E2E_WAIT_MS || 20000);

/** Everything a person (and the test hook) can see on the page, for failure messages. */
function snapshotInPage() {
  const q = (s) => document.querySelector(s);
  const st = q('#status');
  const err = q('#error');
  const rv = q('video#received_video');
  const hang = q('button#hangup-button');
  const attrs = {};
  if (st) for (const a of st.attributes) if (a.name.startsWith('data-')) attrs[a.name.slice(5)] = a.value;
  const pcs = (window.__e2e && window.__e2e.pcs) || [];
  return {
    url: location.href,
    status: st ? { text: st.textContent.trim(), ...attrs } : 'MISSING #status',
    error: err ? (err.hidden ? null : err.textContent.trim()) : 'MISSING #error',
    users: [...document.querySelectorAll('ul.userlistbox li')].map((li) => li.textContent.trim() + (li.className ? `[${li.className}]` : '')),
    chat: [...document.querySelectorAll('.chatbox .chat-line')].slice(-5).map((l) => l.textContent.trim()),
    hangupDisabled: hang ? hang.disabled : 'MISSING',
    remoteVideo: rv ? { w: rv.videoWidth, t: rv.currentTime, paused: rv.paused, ready: rv.readyState } : 'MISSING',
    pcs: pcs.map((p) => `${p.pc.connectionState}/${p.pc.iceConnectionState}/${p.pc.signalingState}`),
    // Signaling frames in order, runs of one kind folded: "out:video-offer in:new-ice-candidate*3".
    signals: ((window.__e2e && window.__e2e.signals) || [])
      .filter((x) => x.type !== 'userlist' && x.type !== 'message')
      .reduce((acc, x) => {
        const k = `${x.dir}:${x.type}`;
        const last = acc[acc.length - 1];
        if (last && last.k === k) last.n++;
        else acc.push({ k, n: 1 });
        return acc;
      }, [])
      .map((r) => (r.n > 1 ? `${r.k}*${r.n}` : r.k))
      .join(' '),
  };
}

class User {
  constructor(world, label, context, page) {
    this.world = world;
    this.label = label;
    this.context = context;
    this.page = page;
    this.console = [];
    this.closed = false;
    page.on('console', (m) => this.log(`${m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => this.log(`PAGE ERROR: ${e.message}`));
    page.on('crash', () => this.log('PAGE CRASHED'));
  }

  log(line) {
    this.console.push(line);
    if (this.console.length > 60) this.console.shift();
  }

  /** Opens the page in a fresh browser context of its own. */
  /** `locale`: the browser's language (`navigator.languages`, Accept-Language), e.g. `ko-KR`. */
  static async open(world, label, url, { locale } = {}) {
    const context = await world.browser.newContext({ viewport: { width: 800, height: 600 }, locale });
    await context.addInitScript(PC_HOOK);
    for (const script of world.initScripts || []) await context.addInitScript(script);
    const page = await context.newPage();
    const user = new User(world, label, context, page);
    await page.goto(url);
    return user;
  }

  async snapshot() {
    if (this.closed) return { closed: true };
    try {
      return await this.page.evaluate(snapshotInPage);
    } catch (e) {
      return { snapshotFailed: e.message };
    }
  }

  /**
   * Waits until `fn(arg)` is truthy in the page. On timeout the error names what we waited for
   * and shows what every user of the world sees (and their last console lines).
   */
  async until(what, fn, arg, timeout = DEFAULT_WAIT_MS) {
    try {
      const h = await this.page.waitForFunction(fn, arg, { timeout, polling: 'raf' });
      return await h.jsonValue();
    } catch (e) {
      throw new Error(`${this.label}: ${what}: ${e.message.split('\n')[0]}\n${await this.world.describe()}`);
    }
  }

  // ---- login, user list, chat ----

  async login(name) {
    await this.until('the login form', () => document.querySelector('#name') && document.querySelector('[name=login]'));
    await this.page.fill('#name', name);
    await this.page.click('[name=login]');
    this.name = name;
  }

  /** Waits until the user list shows exactly `names` (any order). */
  async waitUsers(names) {
    const want = [...names].sort();
    await this.until(`user list = ${want.join(',')}`, (w) => {
      const got = [...document.querySelectorAll('ul.userlistbox li')].map((li) => li.textContent.trim()).sort();
      return JSON.stringify(got) === JSON.stringify(w);
    }, want);
  }

  async users() {
    return this.page.$$eval('ul.userlistbox li', (lis) => lis.map((li) => ({ name: li.textContent.trim(), cls: li.className })));
  }

  async sendChat(text) {
    await this.page.fill('#text', text);
    await this.page.click('#send');
  }

  /** Waits for a chat line from `from` whose text is exactly `text`; returns its parts. */
  async waitChat(from, text) {
    return this.until(`chat line "${from}: ${text}"`, ([f, x]) => {
      for (const line of document.querySelectorAll('.chatbox .chat-line')) {
        const n = line.querySelector('.chat-name');
        const tx = line.querySelector('.chat-text');
        if (n && tx && n.textContent.includes(f) && tx.textContent === x) {
          return { name: n.textContent, text: tx.textContent, elementChildren: tx.children.length, html: tx.innerHTML };
        }
      }
      return null;
    }, [from, text]);
  }

  // ---- calls ----

  /** Clicks `name` in the user list (how a person starts a call). */
  async call(name) {
    const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const exact = new RegExp(`^\\s*${escaped}\\s*$`);
    await this.page.locator('ul.userlistbox li').filter({ hasText: exact }).first().click();
  }

  async waitCall(state, timeout) {
    return this.until(`#status[data-call=${state}]`, (s) => {
      const st = document.querySelector('#status');
      return st && st.getAttribute('data-call') === s;
    }, state, timeout);
  }

  async callState() {
    return this.page.evaluate(() => {
      const st = document.querySelector('#status');
      return st && { call: st.getAttribute('data-call'), peer: st.getAttribute('data-peer'), ice: st.getAttribute('data-ice') };
    });
  }

  async hangUp() {
    await this.page.click('button#hangup-button');
  }

  async hangupDisabled() {
    return this.page.$eval('button#hangup-button', (b) => b.disabled);
  }

  async errorText() {
    return this.page.$eval('#error', (e) => (e.hidden ? null : e.textContent.trim()));
  }

  /** Waits until the remote video decodes frames and plays on: `seconds` of media after the first frame. */
  async waitRemoteVideoPlaying(seconds = 1) {
    await this.until('remote video has frames', () => {
      const v = document.querySelector('video#received_video');
      return v && v.videoWidth > 0 && v.currentTime > 0;
    });
    const t0 = await this.page.$eval('video#received_video', (v) => v.currentTime);
    const frames0 = await this.page.$eval('video#received_video', (v) => v.getVideoPlaybackQuality().totalVideoFrames);
    await this.until(`remote video plays on (currentTime past ${t0 + seconds})`, ([t, f]) => {
      const v = document.querySelector('video#received_video');
      return v.currentTime >= t && v.getVideoPlaybackQuality().totalVideoFrames > f && !v.paused;
    }, [t0 + seconds, frames0]);
  }

  /** Remote video is empty (no stream attached, or no frames): what a person sees after a call. */
  async remoteVideoCleared() {
    return this.page.$eval('video#received_video', (v) => !v.srcObject || v.videoWidth === 0 || v.srcObject.getTracks().every((t) => t.readyState === 'ended'));
  }

  /** The recorded peer connections that are not closed. */
  async openPeerConnections() {
    return this.page.evaluate(() => (window.__e2e ? window.__e2e.pcs.filter((p) => p.pc.connectionState !== 'closed').length : -1));
  }

  /** The selected candidate pair of the page's newest open peer connection, and its config. */
  async selectedPair() {
    return this.page.evaluate(async (fnSrc) => {
      // eslint-disable-next-line no-new-func
      const selected = new Function(`return (${fnSrc})`)();
      const open = window.__e2e.pcs.filter((p) => p.pc.connectionState !== 'closed');
      if (open.length === 0) return null;
      const p = open[open.length - 1];
      return { config: p.config, pair: await selected(p.pc) };
    }, selectedPairInPage.toString());
  }

  async close() {
    this.closed = true;
    await this.context.close();
  }
}

module.exports = { User, DEFAULT_WAIT_MS };
