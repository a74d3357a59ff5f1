// Hostile frames for a page that is in a call (issue 11, item 5), generated: every message type
// with every field missing, null, mistyped, huge or deeply nested, or carrying markup; unknown
// types; text that is not JSON; spoofed senders and call tokens; the ended call's messages
// replayed in and out of order; offers, answers and candidates with garbage; user lists of
// thousands of names. Each frame is the text (or a Buffer: a binary frame) the server sends.
//
// Left out on purpose, because they are *the server's* word and a page must obey them: a user
// list without the peer (the peer left), a valid `id` (a new connection: the page logs in again,
// and the sample's server then renames it, since its own name is taken), and a
// `rejectusername` that renames the page. Their malformed forms are in.
'use strict';

/** Markup that would show itself if a page ever set it as HTML (checked by `pwnedInPage`). */
const HTML = [
  '<img src=x onerror="window.__pwned=(window.__pwned||0)+1" data-pwned>',
  '<script data-pwned>window.__pwned=(window.__pwned||0)+1</script>',
  '"><svg data-pwned onload="window.__pwned=1"></svg>',
  '<x-pwned>tag</x-pwned><b data-pwned>bold</b>&amp;&lt;',
  "javascript:window.__pwned=1//<iframe data-pwned src='javascript:parent.__pwned=1'>",
];

/** In the page: true if any of the markup above was ever rendered or run. */
function pwnedInPage() {
  return Boolean(window.__pwned) || document.querySelector('[data-pwned], x-pwned, iframe') !== null;
}

/** Nested arrays and objects, `depth` levels (past the client's limit of 16, or within it). */
function deep(depth) {
  let v = 'core';
  for (let k = 0; k < depth; k++) v = k % 2 ? { k: v } : [v];
  return v;
}

const BIG = 'x'.repeat(70 * 1024); // over the 64 KiB frame limit
const ALMOST = 'y'.repeat(60 * 1024); // under it

/** Generic wrong shapes for any field (`undefined`: the field is left out). */
const BAD = {
  missing: undefined,
  null: null,
  number: 42,
  negative: -1.5,
  float: 1e308,
  bool: true,
  array: [1, 'two', null],
  object: { type: 'offer', sdp: 5, candidate: [] },
  empty: '',
  huge: BIG,
  almost: ALMOST,
  deep3: deep(3),
  deep17: deep(17),
  deep40: deep(40),
  html: HTML[0],
  script: HTML[1],
  svg: HTML[2],
};

/**
 * @param o.victim   the page the frames are for (`alice`)
 * @param o.peer     the one it is in a call with (`bob`)
 * @param o.stale    messages of a call between them that ended: `{token, offer, answer,
 *                   candidates: [..], hangUp}` (objects as the tap saw them), or null
 * @param o.live     the live call's own frames to repeat that cannot end it (its candidates and
 *                   the answer already applied): `{answer, candidates: [..]}`, or null
 * @returns {{frames: Array<{label: string, data: string|Buffer}>, distinct: number}}
 */
function hostileCorpus({ victim, peer, stale = null, live = null }) {
  const frames = [];
  const add = (label, data) => frames.push({ label, data: typeof data === 'string' || Buffer.isBuffer(data) ? data : JSON.stringify(data) });
  const tokens = ['0000000000000000', 'not-a-token', '', HTML[0], ...(stale ? [stale.token] : [])];
  const sdp = (type, text) => ({ type, sdp: text });
  const cand = (c) => ({ candidate: c, sdpMid: '0', sdpMLineIndex: 0, usernameFragment: null });

  // 1. Every type, then every field of it in every wrong shape (and nested fields the same).
  const bases = {
    id: { type: 'id', id: 'abc' }, // a valid id would make the page log in again (see above)
    username: { type: 'username', id: 1, name: 'mallory', date: 1 },
    rejectusername: { type: 'rejectusername', id: 1, name: victim },
    userlist: { type: 'userlist', users: [victim, peer, 'mallory'] },
    message: { type: 'message', id: 1, name: 'mallory', text: 'hi', date: 1 },
    'video-offer': { type: 'video-offer', name: peer, target: victim, sdp: sdp('offer', 'v=0\r\n'), call: tokens[0] },
    'video-answer': { type: 'video-answer', name: peer, target: victim, sdp: sdp('answer', 'v=0\r\n'), call: tokens[0] },
    'new-ice-candidate': { type: 'new-ice-candidate', name: peer, target: victim, candidate: cand('candidate:1 1 udp 1 10.9.9.9 9 typ host'), call: tokens[0] },
    'hang-up': { type: 'hang-up', name: peer, target: victim, call: tokens[0], reason: 'gone' },
    error: { type: 'error', text: 'refused' },
  };
  // Field values that the page must obey when they decode (see the header): only the shapes
  // that fail to decode are sent for these.
  const obeyed = { id: ['id'], rejectusername: ['name'] };
  const decodes = (v) => typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v));
  for (const [type, base] of Object.entries(bases)) {
    add(`${type}: as is`, base);
    for (const field of Object.keys(base)) {
      for (const [shape, value] of Object.entries(BAD)) {
        if ((obeyed[type] || []).includes(field) && decodes(value) && value !== BIG) continue;
        if (type === 'userlist' && field === 'users' && Array.isArray(value)) continue; // below
        const f = { ...base };
        if (value === undefined) delete f[field];
        else f[field] = value;
        add(`${type}.${field}: ${shape}`, f);
      }
    }
  }
  for (const type of ['video-offer', 'video-answer']) {
    for (const key of ['type', 'sdp']) {
      for (const [shape, value] of Object.entries(BAD)) {
        const d = { ...bases[type].sdp };
        if (value === undefined) delete d[key];
        else d[key] = value;
        add(`${type}.sdp.${key}: ${shape}`, { ...bases[type], sdp: d });
      }
    }
  }
  for (const key of ['candidate', 'sdpMid', 'sdpMLineIndex', 'usernameFragment']) {
    for (const [shape, value] of Object.entries(BAD)) {
      const c = { ...bases['new-ice-candidate'].candidate };
      if (value === undefined) delete c[key];
      else c[key] = value;
      add(`new-ice-candidate.candidate.${key}: ${shape}`, { ...bases['new-ice-candidate'], candidate: c });
    }
  }

  // 2. Types that do not exist, or almost do; and a type that is not a string.
  for (const t of ['VIDEO-OFFER', 'hang-up ', 'hangup', '__proto__', 'constructor', 'toString', HTML[0], '', 'userlist\u0000', 'x'.repeat(5000)]) {
    add(`unknown type ${JSON.stringify(t).slice(0, 30)}`, { type: t, name: peer, target: victim, text: HTML[1], users: [HTML[2]] });
  }
  for (const [shape, value] of Object.entries(BAD)) {
    if (value === undefined) add('type missing', { name: peer, target: victim });
    else add(`type: ${shape}`, { type: value, name: peer, target: victim });
  }
  add('__proto__ pollution', '{"type":"message","name":"mallory","text":"p","__proto__":{"polluted":true},"constructor":{"prototype":{"x":1}}}');

  // 3. Not a message at all.
  for (const raw of ['', ' ', 'not json', '{', '}', 'null', '42', 'true', '[]', '"a string"', '{}', '{"type":null}', '\ufeff{"type":"message","text":"bom"}', '{"type":"message","text":"a"}garbage', 'NaN', '[' .repeat(100000) + ']'.repeat(100000), 'z'.repeat(1 << 20), '\ud800']) {
    add(`raw ${JSON.stringify(raw.slice(0, 20))}`, raw);
  }
  add('binary frame', Buffer.from([0, 1, 2, 255]));
  add('binary JSON', Buffer.from(JSON.stringify(bases['hang-up'])));
  add('duplicate keys', `{"type":"hang-up","name":"${peer}","target":"${victim}","type":"message","text":"dup"}`);

  // 4. Spoofed hang-ups: every sender, target and token (only the peer's real token may end it).
  for (const name of [peer, 'mallory', victim, undefined, null, `${peer} `, peer.toUpperCase()]) {
    for (const target of [victim, null, undefined, '', 'mallory']) {
      for (const call of [undefined, ...tokens]) {
        add(`hang-up ${name}→${target} token ${String(call).slice(0, 12)}`, { type: 'hang-up', name, target, call, reason: 'gone' });
      }
    }
  }

  // 5. Offers and answers from the peer's name with garbage SDP and tokens not the call's; offers
  //    from others (the page answers "busy"); candidates with garbage.
  const garbage = ['', 'garbage', 'v=0', 'v=0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=setup:actpass\r\n', HTML[0], ALMOST, '\u0000\uffff'];
  for (const type of ['offer', 'answer', 'pranswer', 'rollback']) {
    for (const [k, text] of garbage.entries()) {
      for (const call of [undefined, tokens[0], stale && stale.token]) {
        const kind = type === 'answer' ? 'video-answer' : 'video-offer';
        add(`${kind} ${type} garbage#${k} token ${String(call).slice(0, 12)}`, { type: kind, name: peer, target: victim, sdp: sdp(type, text), call });
      }
    }
  }
  for (const name of ['mallory', HTML[0], '', victim]) {
    add(`video-offer from ${name.slice(0, 12)}`, { type: 'video-offer', name, target: victim, sdp: sdp('offer', 'v=0\r\n'), call: tokens[1] });
  }
  const badCandidates = ['garbage', '', 'candidate:1 1 udp 2122260223 192.0.2.1 9 typ host', 'candidate:x 1 tcp 1 1.2.3.4 99999 typ relay raddr x rport y', 'a=end-of-candidates', HTML[0], ALMOST];
  for (const [k, c] of badCandidates.entries()) {
    for (const name of [peer, undefined, 'mallory']) {
      for (const call of [undefined, tokens[0], stale && stale.token]) {
        add(`candidate#${k} from ${name} token ${String(call).slice(0, 12)}`, { type: 'new-ice-candidate', name, target: victim, candidate: cand(c), call });
      }
    }
  }

  // 6. The ended call's own messages, in and out of order, repeated.
  if (stale) {
    const old = [stale.offer, stale.answer, ...stale.candidates, stale.hangUp].filter(Boolean);
    for (const [k, m] of old.entries()) add(`ended call #${k} ${m.type}`, { ...m, target: victim });
    for (const [k, m] of [...old].reverse().entries()) add(`ended call reversed #${k} ${m.type}`, { ...m, target: victim, date: k });
    for (let r = 0; r < 3; r++) for (const m of old) add(`ended call repeated ${r} ${m.type}`, { ...m, target: victim, repeat: r });
  }
  // 7. The live call's frames repeated (a second copy of what the page already applied).
  if (live) {
    for (const [k, m] of [live.answer, ...live.candidates].filter(Boolean).entries()) add(`live repeat #${k} ${m.type}`, { ...m, repeat: true });
  }

  // 8. User lists: thousands of names, markup, nulls, duplicates (always with both ends of the
  //    call: a list without the peer is the server saying it left).
  const both = [victim, peer];
  const lists = {
    'thousands of names': [...both, ...Array.from({ length: 5000 }, (_, k) => `user${k}`)],
    'thousands of markup names': [...both, ...Array.from({ length: 2000 }, (_, k) => `${HTML[k % HTML.length]}${k}`)],
    'thousands of nulls': [...both, ...Array(3000).fill(null)],
    'the peer a thousand times': [...both, ...Array(1000).fill(peer)],
    'odd entries': [...both, 5, true, {}, [], deep(30), 1e308, -0, ''],
    'huge name': [...both, ALMOST],
  };
  for (const [label, users] of Object.entries(lists)) add(`userlist: ${label}`, { type: 'userlist', users });

  const distinct = new Set(frames.map((f) => (Buffer.isBuffer(f.data) ? `b:${f.data.toString('hex')}` : `t:${f.data}`))).size;
  return { frames, distinct };
}

module.exports = { hostileCorpus, pwnedInPage, HTML };
