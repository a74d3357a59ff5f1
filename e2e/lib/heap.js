// What a page's JS heap holds, for `many-calls.js` (what grows over calls, and why).
//
// - `snapshot(cdp)`: a V8 heap snapshot taken over CDP (`HeapProfiler.takeHeapSnapshot`, after
//   `HeapProfiler.collectGarbage`), parsed into flat arrays (format: the snapshot's own `meta`).
// - `summary(s)`: count and self size per node kind (type + constructor or name).
// - `grown(a, b)`: the kinds whose self size grew from `a` to `b`, with how many of `b`'s nodes
//   are new (node ids are stable within one DevTools session, so "new" = id not in `a`).
// - `retainerPath(s, i)`: the shortest path from the GC roots to node `i`, as text.
// - `byHolder(s)`: self size per holder (the page itself, the browser's bounded buffers, the test
//   driver, compiled code), decided on each node's shortest retainer path.
'use strict';

/** Takes and parses one snapshot; `cdp` is a CDP session on the page (context.newCDPSession). */
async function snapshot(cdp) {
  await cdp.send('HeapProfiler.enable');
  await cdp.send('HeapProfiler.collectGarbage');
  const chunks = [];
  const onChunk = (e) => chunks.push(e.chunk);
  cdp.on('HeapProfiler.addHeapSnapshotChunk', onChunk);
  try {
    await cdp.send('HeapProfiler.takeHeapSnapshot', { reportProgress: false, captureNumericValue: false });
  } finally {
    cdp.off('HeapProfiler.addHeapSnapshotChunk', onChunk);
  }
  return parse(JSON.parse(chunks.join('')));
}

function parse(raw) {
  const m = raw.snapshot.meta;
  const nf = m.node_fields;
  const ef = m.edge_fields;
  const s = {
    strings: raw.strings,
    nodes: raw.nodes,
    edges: raw.edges,
    nodeTypes: m.node_types[0],
    edgeTypes: m.edge_types[0],
    N: nf.length,
    E: ef.length,
    nType: nf.indexOf('type'),
    nName: nf.indexOf('name'),
    nId: nf.indexOf('id'),
    nSize: nf.indexOf('self_size'),
    nEdges: nf.indexOf('edge_count'),
    eType: ef.indexOf('type'),
    eName: ef.indexOf('name_or_index'),
    eTo: ef.indexOf('to_node'),
  };
  s.count = s.nodes.length / s.N;
  // First edge of every node (edges are stored node after node).
  s.firstEdge = new Uint32Array(s.count + 1);
  for (let i = 0, e = 0; i < s.count; i++) {
    s.firstEdge[i] = e;
    e += s.nodes[i * s.N + s.nEdges] * s.E;
    s.firstEdge[i + 1] = e;
  }
  return s;
}

const typeOf = (s, i) => s.nodeTypes[s.nodes[i * s.N + s.nType]];
const nameOf = (s, i) => s.strings[s.nodes[i * s.N + s.nName]];
const idOf = (s, i) => s.nodes[i * s.N + s.nId];
const sizeOf = (s, i) => s.nodes[i * s.N + s.nSize];

/** A node's kind, as DevTools' summary groups them: objects by constructor, the rest by type. */
function kindOf(s, i) {
  const t = typeOf(s, i);
  const n = nameOf(s, i);
  if (t === 'object' || t === 'native') return n.length > 60 ? `${n.slice(0, 57)}…` : n;
  if (t === 'closure') return `closure ${n || '(anonymous)'}`;
  if (t === 'code' || t === 'hidden' || t === 'synthetic') return `(${t}) ${n.length > 40 ? `${n.slice(0, 37)}…` : n}`;
  return `(${t})`;
}

/** Count and self size per kind; with `holder`, of the nodes that holder holds only. */
function summary(s, holder) {
  const out = new Map();
  const h = holder && holders(s);
  const want = h && h.names.indexOf(holder);
  for (let i = 0; i < s.count; i++) {
    if (h && h.cls[i] !== want) continue;
    const k = kindOf(s, i);
    const r = out.get(k) || { count: 0, size: 0 };
    r.count++;
    r.size += sizeOf(s, i);
    out.set(k, r);
  }
  return out;
}

/**
 * Kinds whose self size grew from `a` to `b` (of `holder`'s nodes, if given), largest first: `{kind, count, size}` deltas and
 * `fresh`, the indices in `b` of that kind's nodes that `a` did not have.
 */
function grown(a, b, holder) {
  const ids = new Set();
  for (let i = 0; i < a.count; i++) ids.add(idOf(a, i));
  const sa = summary(a, holder);
  const sb = summary(b, holder);
  const fresh = new Map();
  const h = holder && holders(b);
  const want = h && h.names.indexOf(holder);
  for (let i = 0; i < b.count; i++) {
    if (ids.has(idOf(b, i)) || (h && h.cls[i] !== want)) continue;
    const k = kindOf(b, i);
    if (!fresh.has(k)) fresh.set(k, []);
    fresh.get(k).push(i);
  }
  const rows = [];
  for (const [kind, r] of sb) {
    const before = sa.get(kind) || { count: 0, size: 0 };
    const size = r.size - before.size;
    if (size > 0) rows.push({ kind, count: r.count - before.count, size, fresh: fresh.get(kind) || [] });
  }
  rows.sort((x, y) => y.size - x.size);
  return rows;
}

function edgeLabel(s, e) {
  const t = s.edgeTypes[s.edges[e + s.eType]];
  const n = s.edges[e + s.eName];
  if (t === 'element' || t === 'hidden') return `[${n}]`;
  const name = s.strings[n];
  return t === 'property' ? `.${name}` : `(${t} ${name})`;
}

/**
 * The shortest-path tree from the snapshot's root (node 0) over strong edges (weak ones do not
 * keep anything alive), built once per snapshot: `prev[i]` (-1: only weakly held, i.e.
 * collectable), `prevEdge[i]`, and `order`, the reached nodes in breadth-first order.
 */
function tree(s) {
  if (s.tree) return s.tree;
  const prev = new Int32Array(s.count).fill(-1);
  const prevEdge = new Uint32Array(s.count);
  const order = new Uint32Array(s.count);
  let head = 0;
  let tail = 0;
  order[tail++] = 0;
  prev[0] = 0;
  while (head < tail) {
    const i = order[head++];
    for (let e = s.firstEdge[i]; e < s.firstEdge[i + 1]; e += s.E) {
      if (s.edgeTypes[s.edges[e + s.eType]] === 'weak') continue;
      const to = s.edges[e + s.eTo] / s.N;
      if (prev[to] !== -1) continue;
      prev[to] = i;
      prevEdge[to] = e;
      order[tail++] = to;
    }
  }
  s.tree = { prev, prevEdge, order: order.subarray(0, tail) };
  return s.tree;
}

/** The shortest path from the root to node `target`, as "edge kind → …" text; null if none. */
function retainerPath(s, target) {
  const { prev, prevEdge } = tree(s);
  if (prev[target] === -1) return null;
  const parts = [];
  for (let i = target; i !== 0; i = prev[i]) parts.push(`${edgeLabel(s, prevEdge[i])} ${kindOf(s, i)}`);
  return parts.reverse().join(' → ');
}

// Who holds a node. The page holds what its own roots reach without passing through one of
// HOLDERS' nodes; each holder then holds what it alone reaches (in HOLDERS' order): so the DOM,
// which both the page and Playwright's scripts reach, is the page's; the performance buffers,
// which the page reaches only through its Performance object, are the browser's. Compiled code
// is compiled code whoever runs it. Names as the snapshot spells them (Chromium 156).
const V8_ROOTS = /^\((Strong root list|Compilation cache|Internalized strings|External strings|Builtins|Startup object cache|Read-only roots|Smi roots|Bootstrapper|Relocatable|Debug|Stack roots|Handle scope|Extensions|Code flusher|Partial snapshot cache|Weak collections|Write barrier)/;
const HOLDERS = [
  ['browser: performance timeline', (edge, kind) => kind === 'Performance'],
  ['browser: media inspector', (edge, kind) => kind === 'blink::MediaInspectorContextImpl'],
  // Blink keeps the last few getUserMedia promises' resolvers (and so their settled streams,
  // ended tracks) for its timing metrics: 4 streams' worth from the 4th call on, then no more.
  ['browser: getUserMedia trackers', (edge, kind) => kind.startsWith('blink::ScriptPromiseResolverWithTracker')],
  ['V8 internals', (edge, kind) => V8_ROOTS.test(kind.replace(/^\(synthetic\) /, ''))],
  ['driver: Playwright scripts', (edge, kind) => /^(InjectedScript|UtilityScript)$/.test(kind)],
  ['driver: e2e hooks', (edge) => edge === '.__e2e'],
];
const CODE = 'V8 compiled code (JIT)';
const WASM_CODE = 'wasm compiled code';
const V8_META = 'V8 shapes and templates';
const PAGE = 'page (app, DOM, wasm memory)';
const WEAK = 'only weakly held';

/** Every node's holder (PAGE, WEAK, CODE, WASM_CODE, V8_META or HOLDERS' names), by index. */
function holders(s) {
  if (s.holders) return s.holders;
  const names = [PAGE, WEAK, CODE, WASM_CODE, V8_META, ...HOLDERS.map(([n]) => n)];
  const UNSEEN = 255;
  const cls = new Uint8Array(s.count).fill(UNSEEN);
  // A breadth-first walk over strong edges from `starts`, marking what it reaches `c`; a node
  // one of HOLDERS matches (by the edge that reaches it and its kind) is left for that holder.
  const blocked = HOLDERS.map(() => []);
  const walk = (starts, c) => {
    const queue = [...starts];
    for (const i of starts) cls[i] = c;
    for (let head = 0; head < queue.length; head++) {
      const i = queue[head];
      for (let e = s.firstEdge[i]; e < s.firstEdge[i + 1]; e += s.E) {
        if (s.edgeTypes[s.edges[e + s.eType]] === 'weak') continue;
        const to = s.edges[e + s.eTo] / s.N;
        if (cls[to] !== UNSEEN) continue;
        const h = HOLDERS.findIndex(([, match]) => match(edgeLabel(s, e), kindOf(s, to)));
        if (h >= 0 && 5 + h !== c) {
          blocked[h].push(to);
          continue;
        }
        cls[to] = c;
        queue.push(to);
      }
    }
  };
  walk([0], 0);
  // Twice: a holder's walk may meet the node of a holder whose turn has passed.
  for (let pass = 0; pass < 2; pass++) {
    for (let h = 0; h < HOLDERS.length; h++) walk(blocked[h].splice(0).filter((i) => cls[i] === UNSEEN), 5 + h);
  }
  for (let i = 0; i < s.count; i++) {
    const t = typeOf(s, i);
    const k = kindOf(s, i);
    if (cls[i] === UNSEEN) cls[i] = 1;
    if (k.includes('WasmNativeModule')) cls[i] = 3;
    else if (t === 'code') cls[i] = 2;
    // Hidden classes, API templates, and V8's other bookkeeping: made on first use, then shared.
    else if (t === 'object shape' || k.startsWith('system / ')) cls[i] = 4;
  }
  s.holders = { names, cls };
  return s.holders;
}

/** Self size per holder: Map name → bytes. */
function byHolder(s) {
  const { names, cls } = holders(s);
  const out = new Map(names.map((n) => [n, 0]));
  for (let i = 0; i < s.count; i++) out.set(names[cls[i]], out.get(names[cls[i]]) + sizeOf(s, i));
  return out;
}

/** Common retainer paths of `nodes` (a sample of them), most frequent first: [{path, n}]. */
function commonPaths(s, nodes, sample = 20) {
  const step = Math.max(1, Math.floor(nodes.length / sample));
  const paths = new Map();
  for (let j = 0; j < nodes.length; j += step) {
    // Path text without array indices, so that the n-th entry of one array counts as one path.
    const p = (retainerPath(s, nodes[j]) || '(weak only)').replace(/\[\d+\]/g, '[i]');
    paths.set(p, (paths.get(p) || 0) + 1);
  }
  return [...paths].map(([path, n]) => ({ path, n })).sort((x, y) => y.n - x.n);
}

module.exports = { snapshot, parse, summary, grown, retainerPath, commonPaths, byHolder, holders, kindOf, sizeOf, PAGE };
