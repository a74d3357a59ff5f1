// A raw signaling client (no browser): for protocol checks and for the spoofing third user.
'use strict';

const WebSocket = require('ws');

class RawClient {
  /** Connects with subprotocol `json` (or `protocols`); resolves once open. */
  static connect(url, { protocols = ['json'] } = {}) {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, protocols);
      const c = new RawClient(ws);
      ws.once('open', () => resolve(c));
      ws.once('error', reject);
      ws.once('unexpected-response', (req, res) => reject(new Error(`HTTP ${res.statusCode} on upgrade`)));
    });
  }

  constructor(ws) {
    this.ws = ws;
    this.inbox = [];
    this.waiters = [];
    ws.on('message', (data) => {
      let msg;
      try {
        msg = JSON.parse(data.toString());
      } catch {
        msg = { unparsable: data.toString() };
      }
      this.inbox.push(msg);
      this.waiters = this.waiters.filter((w) => !w());
    });
  }

  send(obj) {
    this.ws.send(JSON.stringify(obj));
  }

  /** Resolves with (and consumes) the first received message matching `pred`. */
  next(pred = () => true, timeoutMs = 5000, what = 'a message') {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}; inbox: ${JSON.stringify(this.inbox)}`)), timeoutMs);
      const tryTake = () => {
        const i = this.inbox.findIndex(pred);
        if (i < 0) return false;
        clearTimeout(timer);
        resolve(this.inbox.splice(i, 1)[0]);
        return true;
      };
      if (!tryTake()) this.waiters.push(tryTake);
    });
  }

  /** Logs in the way the tutorial's client does: wait for `id`, send `username`. */
  async login(name) {
    const idMsg = await this.next((m) => m.type === 'id', 5000, 'id');
    this.id = idMsg.id;
    this.send({ type: 'username', id: this.id, name, date: Date.now() });
    this.name = name;
    return idMsg;
  }

  close() {
    this.ws.terminate();
  }
}

module.exports = { RawClient };
