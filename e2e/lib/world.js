// A test's world: one Chromium, one signaling server (our relay, or the naive one beside a
// static server for dist/), optionally coturn, and the users. Everything is torn down by
// `t.after`, also when the test fails.
'use strict';

const path = require('node:path');
const { launch } = require('./browser');
const { startRelay, startCoturn, DIST } = require('./procs');
const { startStatic } = require('./static');
const { User } = require('./user');
const { startNaiveRelay } = require('../naive-relay');
const { DEV_SIGNAL_PORT, startTrunkServe, socketMap } = require('./trunk');

class World {
  /**
   * @param t node:test context (for cleanup)
   * @param opts.server 'relay' (ours, serves the page too) | 'naive' (naive-relay.js + static dist/)
   *                    | 'trunk' (`trunk serve`'s development page, our relay for signaling)
   * @param opts.turn   start coturn; `true` or coturn options
   * @param opts.query  extra query parameters for every user's page (object); `autoAccept=1`
   *                    unless given (these tests answer at once; `autoAccept: undefined` rings)
   * @param opts.naive  options for naive-relay.js (`{crossOffers: ms}`)
   * @param opts.relayArgs extra arguments for our relay (`--turn-secret`, `--token-secret`, …)
   * @param opts.browserArgs extra Chromium switches (a later switch of the same name wins)
   */
  static async create(t, { server = 'relay', turn = false, query = {}, naive = {}, relayArgs = [], browserArgs = [] } = {}) {
    const w = new World();
    w.users = [];
    w.query = { autoAccept: '1', ...query };
    /** Init scripts every user's page gets, after the recorder (`PC_HOOK`). */
    w.initScripts = [];
    w.browser = await launch(t, { extraArgs: browserArgs });
    if (server === 'relay') {
      w.relay = await startRelay(t, { args: relayArgs });
      w.pageUrl = w.relay.url;
      w.signal = null; // the page's default: its own origin
    } else if (server === 'naive') {
      const relay = await startNaiveRelay(naive);
      t.after(() => relay.close());
      const stat = await startStatic(t, DIST);
      w.naive = relay;
      w.pageUrl = stat.url;
      w.signal = `ws://127.0.0.1:${relay.port}/`;
    } else if (server === 'trunk') {
      w.relay = await startRelay(t, { staticDir: null });
      w.trunk = await startTrunkServe(t);
      w.pageUrl = w.trunk.url;
      // The page's own default (no `signal`): the relay at <page host>:6503. The test's relay
      // cannot own that port (a developer's relay may), so that one address leads to it.
      w.signal = null;
      w.devSignal = `ws://127.0.0.1:${DEV_SIGNAL_PORT}/signal`;
      w.initScripts.push(socketMap(w.devSignal, w.relay.ws));
    } else {
      throw new Error(`unknown server ${server}`);
    }
    if (turn) w.coturn = await startCoturn(t, turn === true ? {} : turn);
    return w;
  }

  url(extra = {}) {
    const q = new URLSearchParams();
    if (this.signal) q.set('signal', this.signal);
    const params = { ...this.query, ...extra };
    if (process.env.E2E_BREAK === 'ice') {
      // Proof that the suite can fail (e2e/README.md): a relay-only policy with a TURN server
      // that does not exist, so no call can ever connect.
      delete params.turn;
      params.ice = JSON.stringify([{ urls: 'turn:127.0.0.1:9', username: 'x', credential: 'y' }]);
      params.iceTransportPolicy = 'relay';
    }
    for (const [k, v] of Object.entries(params)) if (v !== undefined) q.set(k, v);
    const s = q.toString();
    return s ? `${this.pageUrl}?${s}` : this.pageUrl;
  }

  /** Opens the page for a new person (own browser context) and logs in as `name`. */
  async user(name, { query = {}, login = true, locale } = {}) {
    const u = await User.open(this, name, this.url(query), { locale });
    this.users.push(u);
    if (login) await u.login(name);
    return u;
  }

  /** What everyone sees, for failure messages. */
  async describe() {
    const parts = [];
    for (const u of this.users) {
      parts.push(`[${u.label}] ${JSON.stringify(await u.snapshot())}\n  console: ${u.console.slice(-12).join('\n           ')}`);
    }
    for (const p of [this.relay && this.relay.proc, this.coturn && this.coturn.proc, this.trunk && this.trunk.proc]) {
      if (p) parts.push(p.logText().split('\n').slice(-15).join('\n'));
    }
    return parts.join('\n');
  }
}

module.exports = { World, ROOT: path.resolve(__dirname, '..', '..') };
