// Chromium for the tests: the machine's /usr/bin/chromium driven by playwright-core (which
// never downloads a browser), with fake camera/microphone. One browser process per test file;
// every user gets a browser context of their own (no shared storage, cache or permissions:
// two users share nothing but the relay and the network).
'use strict';

const { chromium } = require('playwright-core');

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

const CHROMIUM_ARGS = [
  '--no-sandbox', // we run as root
  '--disable-gpu',
  '--disable-dev-shm-usage',
  // The network is closed: without these Chromium floods refused connections (updates, etc.).
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
  // Host candidates as real addresses, not mDNS `.local` names: nothing resolves mDNS in a
  // container, and both peers are on this machine anyway.
  '--disable-features=WebRtcHideLocalIpsWithMdns',
];

/** Launches Chromium; closed by `t.after`. */
async function launch(t, { extraArgs = [] } = {}) {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [...CHROMIUM_ARGS, ...extraArgs],
    // No downloads, no proxies, nothing from outside.
    env: { ...process.env, PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1' },
  });
  if (t) t.after(() => browser.close().catch(() => {}));
  return browser;
}

/**
 * Test hooks, injected before any page script (no app change needed):
 * - `window.__e2e.pcs`: every RTCPeerConnection the page made, `{pc, config, created}`;
 * - `window.__e2e.signals`: every signaling frame, in order, as `{dir: 'out'|'in', type, target, t}`.
 * Subclasses keep `instanceof RTCPeerConnection` / `instanceof WebSocket` true for the page.
 */
const PC_HOOK = `(() => {
  if (window.__e2e) return;
  const pcs = [];
  const signals = [];
  const now = () => performance.timeOrigin + performance.now();
  const parse = (data) => { try { return JSON.parse(data) || {}; } catch (e) { return { type: '?' }; } };
  const OrigPc = window.RTCPeerConnection;
  if (OrigPc) {
    class RTCPeerConnection extends OrigPc {
      constructor(config, ...rest) {
        super(config, ...rest);
        let copy = null;
        try { copy = JSON.parse(JSON.stringify(config || {})); } catch (e) { copy = String(e); }
        pcs.push({ pc: this, config: copy, created: now() });
      }
    }
    window.RTCPeerConnection = RTCPeerConnection;
  }
  const OrigWs = window.WebSocket;
  class WebSocket extends OrigWs {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (e) => {
        const m = parse(e.data);
        signals.push({ dir: 'in', type: m.type, target: m.target, t: now() });
      });
    }
    send(data) {
      const m = parse(data);
      signals.push({ dir: 'out', type: m.type, target: m.target, t: now() });
      return super.send(data);
    }
  }
  window.WebSocket = WebSocket;
  window.__e2e = { pcs, signals };
})();`;

/** In-page helper (evaluated in the page): the selected candidate pair's types of a pc. */
async function selectedPairInPage(pc) {
  const stats = await pc.getStats();
  let pairId = null;
  stats.forEach((r) => {
    if (r.type === 'transport' && r.selectedCandidatePairId) pairId = r.selectedCandidatePairId;
  });
  if (!pairId) {
    stats.forEach((r) => {
      if (r.type === 'candidate-pair' && r.nominated && r.state === 'succeeded') pairId = r.id;
    });
  }
  if (!pairId) return null;
  const pair = stats.get(pairId);
  const local = stats.get(pair.localCandidateId);
  const remote = stats.get(pair.remoteCandidateId);
  return {
    local: local && local.candidateType,
    remote: remote && remote.candidateType,
    localAddress: local && `${local.protocol} ${local.address}:${local.port}`,
    remoteAddress: remote && `${remote.address}:${remote.port}`,
    relayProtocol: local && local.relayProtocol,
  };
}

module.exports = { launch, CHROMIUM, CHROMIUM_ARGS, PC_HOOK, selectedPairInPage };
