#!/usr/bin/env bash
# Builds the embeddable bundle: an ES module for the web with its TypeScript declarations,
# for pages that load the client themselves (README, "Embed in your chat page").
#
#   scripts/build-embed.sh            # -> pkg/webrtc_chat.js, pkg/webrtc_chat.d.ts, pkg/webrtc_chat_bg.wasm
#   OUT=/some/dir scripts/build-embed.sh
#
# Why a script and not Trunk: Trunk builds index.html's page (hashed file names, dist/ wiped on
# every build); this bundle has fixed names a host page can write in its <script> tag, and is
# built with the `compat` feature (the tutorial-compatible exports), which the page does not need.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
out=${OUT:-pkg}
say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

for tool in cargo wasm-bindgen wasm-opt; do
  command -v "$tool" >/dev/null || { echo "build-embed: $tool is missing (run scripts/install.sh app)" >&2; exit 1; }
done

say "cargo build --release --target wasm32-unknown-unknown -p webrtc-chat --features compat"
cargo build --release --target wasm32-unknown-unknown -p webrtc-chat --features compat >&2
target_dir=$(cargo metadata --format-version 1 --no-deps --offline |
  sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
wasm="$target_dir/wasm32-unknown-unknown/release/webrtc_chat.wasm"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

say "wasm-opt -Oz (before wasm-bindgen)"
# Before wasm-bindgen, not after: rustc (since 1.82) enables reference types for wasm32, so
# wasm-bindgen's output keeps JS values in an externref table, which this wasm-opt (Debian's
# binaryen 108) either cannot parse (`table.fill`) or, when it can, turns into a funcref table:
# init then throws "WebAssembly.Table.set(): Argument 1 is invalid for table". The input is
# plain wasm it handles. Features named because the release profile strips the section that
# would tell it (all are rustc's defaults for wasm32, in every current browser).
wasm-opt -Oz --enable-bulk-memory --enable-mutable-globals --enable-nontrapping-float-to-int \
  --enable-sign-ext --enable-reference-types --enable-multivalue --strip-debug --strip-producers \
  -o "$tmp/webrtc_chat.wasm" "$wasm"

say "wasm-bindgen --target web --out-dir $out"
rm -rf "$out"
# The warning about the missing target_features section is expected (see above): wasm-bindgen
# then recognises reference types from the module's externref exports.
wasm-bindgen --target web --typescript --out-dir "$out" "$tmp/webrtc_chat.wasm" 2>"$tmp/log" ||
  { cat "$tmp/log" >&2; exit 1; }
grep -v 'target_features. custom section is missing' "$tmp/log" >&2 || true

for f in "$out"/webrtc_chat_bg.wasm "$out"/webrtc_chat.js; do
  printf '%s: %s bytes, %s gzipped\n' "$f" "$(wc -c <"$f")" "$(gzip -9c "$f" | wc -c)" >&2
done
