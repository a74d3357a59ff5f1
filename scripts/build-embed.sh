#!/usr/bin/env bash
# Builds the embeddable client as an npm package (README, "Embed in your chat page"):
#
#   scripts/build-embed.sh            # -> pkg/
#   OUT=/some/dir scripts/build-embed.sh
#
#   pkg/package.json
#   pkg/webrtc_chat.js  .d.ts  _bg.wasm           "webrtc-chat": mount() and ChatApp
#   pkg/compat/webrtc_chat.js  .d.ts  _bg.wasm    "webrtc-chat/compat": the same, plus the
#                                                 tutorial-compatible functions (src/compat/)
#
# Two wasm builds, so that a host that only mounts does not download the tutorial-compatible
# functions (cargo feature `compat`). Each gets the release page's post-build shrinking
# (scripts/shrink-bundle.mjs: wasm-opt, short import names, terser).
#
# Why a script and not Trunk: Trunk builds index.html's page (hashed file names, dist/ wiped on
# every build); a package has fixed names that a host's bundler or <script> tag can use.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
out=${OUT:-pkg}
say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

for tool in cargo wasm-bindgen node; do
  command -v "$tool" >/dev/null || { echo "build-embed: $tool is missing (run scripts/install.sh app)" >&2; exit 1; }
done
[ -x scripts/node_modules/.bin/wasm-opt ] ||
  { echo "build-embed: scripts/node_modules is missing (run scripts/install.sh app)" >&2; exit 1; }

target_dir=$(cargo metadata --format-version 1 --no-deps --offline |
  sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
version=$(cargo metadata --format-version 1 --no-deps --offline |
  sed -n 's/.*"name":"webrtc-chat","version":"\([^"]*\)".*/\1/p')
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
rm -rf "$out"
mkdir -p "$out"

# build FEATURES DIR: one wasm build, bound and shrunk into DIR.
build() {
  local features=$1 dir=$2
  say "cargo build --release --target wasm32-unknown-unknown -p webrtc-chat ${features:+--features $features}"
  cargo build --release --target wasm32-unknown-unknown -p webrtc-chat ${features:+--features "$features"} >&2
  cp "$target_dir/wasm32-unknown-unknown/release/webrtc_chat.wasm" "$tmp/webrtc_chat.wasm"
  say "wasm-bindgen --target web --out-dir $dir"
  # The release profile strips the target_features section; wasm-bindgen then recognises
  # reference types from the module's externref exports, and says so: expected.
  wasm-bindgen --target web --typescript --out-dir "$dir" "$tmp/webrtc_chat.wasm" 2>"$tmp/log" ||
    { cat "$tmp/log" >&2; exit 1; }
  grep -v 'target_features. custom section is missing' "$tmp/log" >&2 || true
  # The wasm's own exports, for hosts that instantiate it by hand: not part of the package.
  rm -f "$dir/webrtc_chat_bg.wasm.d.ts"
  node scripts/shrink-bundle.mjs "$dir" >&2
  for f in "$dir"/webrtc_chat_bg.wasm "$dir"/webrtc_chat.js; do
    printf '%s: %s bytes, %s gzipped\n' "$f" "$(wc -c <"$f")" "$(gzip -9nc "$f" | wc -c)" >&2
  done
}
build "" "$out"
build compat "$out/compat"

cat >"$out/package.json" <<EOF
{
  "name": "webrtc-chat",
  "version": "$version",
  "description": "One-to-one WebRTC video calls with chat for any page, speaking MDN's webrtc-from-chat signaling protocol (Rust/WebAssembly)",
  "license": "MIT OR Apache-2.0",
  "type": "module",
  "main": "./webrtc_chat.js",
  "module": "./webrtc_chat.js",
  "types": "./webrtc_chat.d.ts",
  "exports": {
    ".": {
      "types": "./webrtc_chat.d.ts",
      "default": "./webrtc_chat.js"
    },
    "./compat": {
      "types": "./compat/webrtc_chat.d.ts",
      "default": "./compat/webrtc_chat.js"
    },
    "./package.json": "./package.json"
  },
  "files": [
    "webrtc_chat.js",
    "webrtc_chat.d.ts",
    "webrtc_chat_bg.wasm",
    "compat/webrtc_chat.js",
    "compat/webrtc_chat.d.ts",
    "compat/webrtc_chat_bg.wasm"
  ],
  "sideEffects": false
}
EOF
say "package in $out: $(cd "$out" && find . -type f | sort | tr '\n' ' ')"
