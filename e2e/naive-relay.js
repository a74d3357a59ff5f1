#!/usr/bin/env node
// A naive signaling server that behaves like the MDN sample's chatserver.js, as docs/protocol.md
// describes it ("Messages" and "Routing rule"). Written for the e2e tests from that
// description, not from the sample's code: it proves our client works with *any* server that
// relays the tutorial's JSON, including one that trusts whatever `name` a client writes.
//
//   node e2e/naive-relay.js --listen 127.0.0.1:6504
//
// Behaviour kept on purpose, because a client must survive it:
// - the WebSocket subprotocol `json` is required (HTTP 500 on the upgrade otherwise);
// - ids count up from the server's start time (Date.now());
// - `username` is made unique with one global counter and answered with `rejectusername`;
//   it looks the connection up by the `id` the client wrote (the sample trusts it);
// - `userlist` goes to everyone after every `username` and every disconnect, `null` for a
//   connection that has no name yet;
// - `message` is broadcast to everyone, sender included, with `name` added and `<…>` stripped;
// - anything with a non-empty `target` goes to the first connection of that name (dropped if
//   none); anything else, `hang-up` with `target: null` and unknown types included, is
//   broadcast to every connection;
// - the `name` a client writes in any other message is passed on untouched (spoofable).
// Unlike the sample it does not crash on a frame that is not JSON: it ignores the frame, so a
// test can tell a client bug from a server crash.
'use strict';

const http = require('node:http');
const { WebSocketServer } = require('ws');

function parseArgs(argv) {
  const args = { listen: '127.0.0.1:6504' };
  for (let i = 2; i < argv.length; i++) {
    if (argv[i] === '--listen' && argv[i + 1]) args.listen = argv[++i];
    else throw new Error(`unknown argument ${argv[i]} (usage: naive-relay.js --listen HOST:PORT)`);
  }
  const at = args.listen.lastIndexOf(':');
  return { host: args.listen.slice(0, at), port: Number(args.listen.slice(at + 1)) };
}

/**
 * Starts the server; resolves to `{port, close()}` once it listens.
 *
 * `crossOffers` (tests only, not sample behaviour): a `video-offer` is held until the offer
 * going the other way arrives (or `crossOffers` ms pass), then both are delivered, so two users
 * who call each other at once are guaranteed to have their offers cross on the wire (glare).
 *
 * Two more test hooks, reachable only in-process (never from the network):
 * - `tap(msg, fromName)`: called with every JSON frame a client sends, before it is routed
 *   (how a test learns the call tokens it then replays);
 * - the returned `sendTo(name, data)`: the server itself sends `data` (a string, sent as is
 *   even if it is not JSON, or a Buffer, sent as a binary frame) to the first connection
 *   named `name`; resolves `true` once handed to the socket, `false` if nobody has that name.
 */
function startNaiveRelay({ host = '127.0.0.1', port = 0, crossOffers = 0, tap = null } = {}) {
  let nextId = Date.now();
  let uniqueSuffix = 1;
  /** @type {Array<{ws: import('ws').WebSocket, id: number, username: string|undefined}>} */
  const conns = [];

  const server = http.createServer((req, res) => {
    res.writeHead(404);
    res.end();
  });
  const wss = new WebSocketServer({ noServer: true, handleProtocols: () => 'json' });

  server.on('upgrade', (req, socket, head) => {
    const offered = String(req.headers['sec-websocket-protocol'] || '')
      .split(',')
      .map((s) => s.trim());
    if (!offered.includes('json')) {
      // The sample's accept("json") throws here, which its HTTP layer turns into a 500.
      socket.end('HTTP/1.1 500 Internal Server Error\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws));
  });

  const send = (conn, obj) => {
    if (conn.ws.readyState === conn.ws.OPEN) conn.ws.send(typeof obj === 'string' ? obj : JSON.stringify(obj));
  };
  const broadcast = (text) => conns.forEach((c) => send(c, text));
  const userlist = () => ({ type: 'userlist', users: conns.map((c) => (c.username === undefined ? null : c.username)) });
  const byId = (id) => conns.find((c) => c.id === id);

  function route(msg, text) {
    if (typeof msg.target === 'string' && msg.target.length !== 0) {
      const to = conns.find((c) => c.username === msg.target);
      if (to) send(to, text);
    } else {
      broadcast(text);
    }
  }

  /** @type {Map<string, {text: string, timer: NodeJS.Timeout}>} held offers by "from>to" */
  const held = new Map();
  function holdOffer(from, target, text) {
    const deliver = (to, t) => {
      const c = conns.find((x) => x.username === to);
      if (c) send(c, t);
    };
    const reverse = held.get(`${target}>${from.username}`);
    if (reverse) {
      held.delete(`${target}>${from.username}`);
      clearTimeout(reverse.timer);
      deliver(from.username, reverse.text);
      deliver(target, text);
      return;
    }
    const key = `${from.username}>${target}`;
    const timer = setTimeout(() => {
      held.delete(key);
      deliver(target, text);
    }, crossOffers);
    held.set(key, { text, timer });
  }

  function onConnection(ws) {
    const conn = { ws, id: nextId++, username: undefined };
    conns.push(conn);
    send(conn, { type: 'id', id: conn.id });

    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      let msg;
      try {
        msg = JSON.parse(data.toString('utf8'));
      } catch {
        return;
      }
      if (msg === null || typeof msg !== 'object') return;
      // The sample finds "the sender" by the id written in the message.
      const from = byId(msg.id) || conn;
      if (tap) tap(msg, conn.username);
      let forward = true;
      switch (msg.type) {
        case 'message':
          msg.name = from.username;
          msg.text = String(msg.text ?? '').replace(/(<([^>]+)>)/gi, '');
          break;
        case 'username': {
          let name = String(msg.name ?? '');
          const taken = (n) => conns.some((c) => c.username === n);
          if (taken(name)) {
            name = name + uniqueSuffix++;
            send(from, { type: 'rejectusername', id: msg.id, name });
          }
          from.username = name;
          broadcast(JSON.stringify(userlist()));
          forward = false;
          break;
        }
        default:
          break;
      }
      if (!forward) return;
      const text = JSON.stringify(msg);
      if (crossOffers && msg.type === 'video-offer' && typeof msg.target === 'string') {
        holdOffer(from, msg.target, text);
        return;
      }
      route(msg, text);
    });

    ws.on('close', () => {
      const i = conns.indexOf(conn);
      if (i >= 0) conns.splice(i, 1);
      broadcast(JSON.stringify(userlist()));
    });
    ws.on('error', () => {});
  }

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      resolve({
        port: server.address().port,
        sendTo: (name, data) =>
          new Promise((done) => {
            const c = conns.find((x) => x.username === name);
            if (!c || c.ws.readyState !== c.ws.OPEN) return done(false);
            c.ws.send(data, { binary: Buffer.isBuffer(data) }, () => done(true));
          }),
        close: () =>
          new Promise((done) => {
            held.forEach((h) => clearTimeout(h.timer));
            conns.forEach((c) => c.ws.terminate());
            wss.close();
            server.close(() => done());
          }),
      });
    });
  });
}

module.exports = { startNaiveRelay };

if (require.main === module) {
  const { host, port } = parseArgs(process.argv);
  startNaiveRelay({ host, port }).then(
    (r) => console.log(`naive relay listening on ws://${host}:${r.port}/`),
    (e) => {
      console.error(e.message);
      process.exit(1);
    },
  );
}
