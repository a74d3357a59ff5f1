// Makes the release page smaller: run by Trunk after a release build (Trunk.toml, [[hooks]]
// post_build) on the staging directory, before it becomes dist/.
//
//   node scripts/shrink-bundle.mjs [DIR]     # DIR: $TRUNK_STAGING_DIR by default
//
// 1. wasm-opt -Oz on wasm-bindgen's output. Binaryen from npm (scripts/package.json), not
//    Debian's 108 that Trunk would run: 108 predates this rustc's wasm and, even on a plain
//    read and write, points the `__wbindgen_externrefs` export at the funcref table (the page
//    then dies at start: "WebAssembly.Table.set(): … function-typed object").
// 2. Renames the wasm module's imports from the JS glue (`__wbg_addEventListener_f2d27251d…`,
//    about 150 of them) to short names (`a`, `b`, …), in the wasm and in the glue's import
//    object alike. The names carry a 16-digit hash each, written twice: random hex that gzip
//    cannot compress (measured: 2.6 KB gzipped in the wasm, 2.1 KB in the JS).
// 3. Minifies the glue with terser. Trunk's own minifier cannot parse wasm-bindgen's module
//    (it warns and ships it as is).
//
// Both files change after Trunk has hashed them, so index.html loads them without `integrity`
// (`data-integrity="none"`). Needs node, and `npm ci` in scripts/ (scripts/install.sh app).
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = process.argv[2] || process.env.TRUNK_STAGING_DIR;
if (!dir) fail('no directory given and no TRUNK_STAGING_DIR');
if (process.env.TRUNK_PROFILE && process.env.TRUNK_PROFILE !== 'release') process.exit(0);

const files = readdirSync(dir);
const one = (suffix) => {
  const found = files.filter((f) => f.endsWith(suffix));
  if (found.length !== 1) fail(`expected one *${suffix} in ${dir}, found ${found.length}`);
  return join(dir, found[0]);
};
const wasmPath = one('_bg.wasm');
const jsPath = wasmPath.replace(/_bg\.wasm$/, '.js');
if (!existsSync(jsPath)) fail(`no ${jsPath}`);

const bin = (tool) => fileURLToPath(new URL(`node_modules/.bin/${tool}`, import.meta.url));
const run = (tool, args) => {
  try {
    execFileSync(bin(tool), args, { stdio: ['ignore', 'inherit', 'inherit'] });
  } catch (e) {
    fail(`${tool} failed (${e.message.split('\n')[0]}); is it installed? (scripts/install.sh app)`);
  }
};

// The features rustc enables for wasm32 (all in every current browser), named because the
// release profile strips the section that would tell wasm-opt.
const features = ['bulk-memory', 'multivalue', 'mutable-globals', 'nontrapping-float-to-int',
  'reference-types', 'sign-ext'].map((f) => `--enable-${f}`);
// `--low-memory-unused` (0.3 KB): rustc's wasm32 layout puts the stack first, growing down
// from 1 MiB, and data and heap above it; nothing lives in the first KB of memory.
// `--converge` repeats -Oz until the module stops shrinking; `--strip-target-features` drops the
// features section, which the browser does not read (together 0.2 KB, README "Bundle size").
// Before -Oz: `--flatten --rereloop` rebuilds the control flow (rustc's nested blocks and
// br_tables) into a shape -Oz shrinks further, and `--merge-similar-functions` folds functions
// that differ only in constants (monomorphized copies) into one with a parameter (together
// 0.7 KB, README "Bundle size"; measured against other pass orders there).
run('wasm-opt', ['--flatten', '--rereloop', '--merge-similar-functions', '-Oz',
  '--merge-similar-functions', '-Oz', '--converge', '--low-memory-unused', ...features, '--strip-debug',
  '--strip-producers', '--strip-target-features', wasmPath, '-o', wasmPath]);

let js = readFileSync(jsPath, 'utf8');
const wasm = renameImports(readFileSync(wasmPath), (name) => {
  // Only wasm-bindgen's own imports, and only when the glue names each exactly once: as the
  // key of its function in the import object. Anything else is left alone.
  if (!/^__wbg?(indgen)?_/.test(name)) return null;
  const uses = js.split(name).length - 1;
  const key = new RegExp(`\\b${name}:`);
  return uses === 1 && key.test(js) ? name : null;
});
for (const [from, to] of wasm.renamed) js = js.replace(`${from}:`, `${to}:`);
writeFileSync(wasmPath, wasm.bytes);
writeFileSync(jsPath, js);

run('terser', [jsPath, '--module', '--compress', 'passes=2', '--mangle', '--output', jsPath]);
console.error(`shrink-bundle: wasm-opt done, ${wasm.renamed.size} imports renamed, glue minified`);

function fail(message) {
  console.error(`shrink-bundle: ${message}`);
  process.exit(1);
}

/// Rewrites the import section (id 2) of a wasm binary, renaming the fields `keep` accepts.
function renameImports(bytes, keep) {
  const renamed = new Map();
  const out = [bytes.subarray(0, 8)];
  let pos = 8;
  const leb = (buf, at) => {
    let value = 0;
    let shift = 0;
    for (;;) {
      const b = buf[at++];
      value += (b & 0x7f) * 2 ** shift;
      shift += 7;
      if (b < 0x80) return [value, at];
    }
  };
  const uleb = (n) => {
    const b = [];
    do {
      let x = n % 128;
      n = Math.floor(n / 128);
      if (n) x |= 0x80;
      b.push(x);
    } while (n);
    return Buffer.from(b);
  };
  const name = (k) => {
    // a … z, A … Z, then aa, ab, …: valid JS property names that need no quotes.
    const abc = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
    let s = '';
    for (k += 1; k > 0; k = Math.floor((k - 1) / abc.length)) s = abc[(k - 1) % abc.length] + s;
    return s;
  };
  if (bytes.readUInt32LE(0) !== 0x6d736100) fail('not a wasm module');
  while (pos < bytes.length) {
    const id = bytes[pos];
    const [size, start] = leb(bytes, pos + 1);
    const end = start + size;
    if (id !== 2) {
      out.push(bytes.subarray(pos, end));
      pos = end;
      continue;
    }
    const body = [];
    let [count, p] = leb(bytes, start);
    body.push(uleb(count));
    while (count--) {
      const [moduleLen, m] = leb(bytes, p);
      const module = bytes.subarray(m, m + moduleLen);
      p = m + moduleLen;
      const [fieldLen, f] = leb(bytes, p);
      let field = bytes.toString('utf8', f, f + fieldLen);
      p = f + fieldLen;
      const descStart = p;
      const kind = bytes[p++];
      const limits = () => {
        const flags = bytes[p++];
        [, p] = leb(bytes, p);
        if (flags & 1) [, p] = leb(bytes, p);
      };
      if (kind === 0) [, p] = leb(bytes, p); // function: type index
      else if (kind === 1) { p++; limits(); } // table: reftype, limits
      else if (kind === 2) limits(); // memory
      else if (kind === 3) p += 2; // global: valtype, mutability
      else fail(`import kind ${kind} not understood`);
      if (kind === 0 && keep(field)) {
        const short = name(renamed.size);
        renamed.set(field, short);
        field = short;
      }
      body.push(uleb(moduleLen), module, uleb(Buffer.byteLength(field)), Buffer.from(field));
      body.push(bytes.subarray(descStart, p));
    }
    if (p !== end) fail('import section not understood');
    const section = Buffer.concat(body);
    out.push(Buffer.from([2]), uleb(section.length), section);
    pos = end;
  }
  return { bytes: Buffer.concat(out), renamed };
}
