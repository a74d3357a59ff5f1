// The wire behaviour both signaling servers must share with the MDN sample (docs/protocol.md), seen
// from raw WebSocket clients: naive-relay.js (the stand-in for chatserver.js) and our relay.
// If naive-relay.js drifts from the sample's behaviour, the "any server" tests prove nothing.
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const { startNaiveRelay } = require('../naive-relay');
const { startRelay } = require('../lib/procs');
const { RawClient } = require('../lib/wsclient');
const path = require('node:path');

const servers = {
  naive: async (t) => {
    const r = await startNaiveRelay();
    t.after(() => r.close());
    return `ws://127.0.0.1:${r.port}/`;
  },
  // The page is not needed here: any directory will do for the relay's static side.
  relay: async (t) => (await startRelay(t, { staticDir: path.join(__dirname, '..', 'pages') })).ws,
};

for (const [which, start] of Object.entries(servers)) {
  test(`${which}: subprotocol json is required`, async (t) => {
    const url = await start(t);
    await assert.rejects(RawClient.connect(url, { protocols: [] }));
    const c = await RawClient.connect(url);
    c.close();
  });

  test(`${which}: ids, unique names, userlist with null, chat broadcast with tags stripped`, async (t) => {
    const url = await start(t);
    const a = await RawClient.connect(url);
    t.after(() => a.close());
    const idA = await a.next((m) => m.type === 'id');
    assert.equal(typeof idA.id, 'number');
    a.id = idA.id;

    const b = await RawClient.connect(url);
    t.after(() => b.close());
    const idB = await b.next((m) => m.type === 'id');
    assert.notEqual(idB.id, idA.id);
    b.id = idB.id;

    a.send({ type: 'username', id: a.id, name: 'alice', date: Date.now() });
    // b has no name yet: it is listed as null.
    const list1 = await b.next((m) => m.type === 'userlist' && m.users.includes('alice'));
    assert.deepEqual([...list1.users].sort(), ['alice', null].sort());

    b.send({ type: 'username', id: b.id, name: 'alice', date: Date.now() });
    const rej = await b.next((m) => m.type === 'rejectusername');
    assert.notEqual(rej.name, 'alice');
    assert.ok(rej.name.startsWith('alice'), rej.name);
    const list2 = await a.next((m) => m.type === 'userlist' && m.users.includes(rej.name));
    assert.deepEqual([...list2.users].sort(), ['alice', rej.name].sort());
    // username itself is not forwarded.
    assert.equal(a.inbox.filter((m) => m.type === 'username').length, 0);

    a.send({ type: 'message', id: a.id, text: 'hi <b>there</b><img src=x onerror=alert(1)>', date: Date.now() });
    for (const c of [a, b]) {
      const m = await c.next((x) => x.type === 'message');
      assert.equal(m.name, 'alice');
      assert.equal(m.text, 'hi there');
    }
  });

  test(`${which}: routing by target; untargeted messages; userlist on disconnect`, async (t) => {
    const url = await start(t);
    const [a, b, c] = await Promise.all([RawClient.connect(url), RawClient.connect(url), RawClient.connect(url)]);
    t.after(() => [a, b, c].forEach((x) => x.close()));
    await a.login('alice');
    await b.login('bob');
    await c.login('carol');
    for (const x of [a, b, c]) await x.next((m) => m.type === 'userlist' && m.users.length === 3 && !m.users.includes(null));

    const offer = { type: 'video-offer', name: 'alice', target: 'bob', sdp: { type: 'offer', sdp: 'v=0\r\n' } };
    a.send(offer);
    const got = await b.next((m) => m.type === 'video-offer');
    assert.equal(got.target, 'bob');
    assert.deepEqual(got.sdp, offer.sdp);

    a.send({ type: 'hang-up', name: 'alice', target: 'bob' });
    await b.next((m) => m.type === 'hang-up');
    // Unknown types without target are broadcast.
    c.send({ type: 'x-unknown', payload: 1 });
    for (const x of [a, b]) await x.next((m) => m.type === 'x-unknown');

    if (which === 'naive') {
      // Like the sample: a targetless hang-up (the tutorial's bug 1) reaches everyone, and the
      // name the client wrote is passed on as is.
      a.send({ type: 'hang-up', name: 'alice', target: null });
      for (const x of [a, b, c]) await x.next((m) => m.type === 'hang-up' && m.target === null);
      c.send({ type: 'hang-up', name: 'bob', target: 'alice' });
      assert.equal((await a.next((m) => m.type === 'hang-up' && m.target === 'alice')).name, 'bob');
    } else {
      // Ours is stricter where no client can tell (relay/src/room.rs): a targetless call
      // message goes to the sender's current peer only, and the sender's real name is stamped.
      a.send(offer);
      await b.next((m) => m.type === 'video-offer');
      a.send({ type: 'hang-up', name: 'alice', target: null });
      const h = await b.next((m) => m.type === 'hang-up');
      assert.equal(h.target, 'bob');
      c.send({ type: 'hang-up', name: 'bob', target: 'alice' });
      assert.equal((await a.next((m) => m.type === 'hang-up' && m.target === 'alice')).name, 'carol');
    }
    // Targeted messages reached only their target: a chat marker, broadcast after them,
    // arrives at carol with nothing routed to her before it.
    a.send({ type: 'message', id: a.id, text: 'marker', date: Date.now() });
    await c.next((m) => m.type === 'message' && m.text === 'marker');
    assert.equal(c.inbox.filter((m) => m.type === 'video-offer' || (m.type === 'hang-up' && m.target !== null)).length, 0);

    b.close();
    const list = await a.next((m) => m.type === 'userlist' && m.users.length === 2);
    assert.deepEqual([...list.users].sort(), ['alice', 'carol']);
  });
}
