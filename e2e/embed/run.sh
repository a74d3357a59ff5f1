#!/usr/bin/env bash
# The embed proof (README, "Embed in your chat page"): the tutorial-structured page
# (e2e/tutorial-client/, unchanged) with the bundle's functions swapped in one at a time and
# cumulatively, a real two-party call through the relay at every step; and a plain host page
# that embeds the bundle through the clean API, owning the WebSocket.
#
#   e2e/embed/run.sh                                  # build what is needed, run every test
#   e2e/embed/run.sh --test-name-pattern='only invite' # extra arguments go to `node --test`
#   EMBED_SKIP_BUILD=1 e2e/embed/run.sh               # reuse pkg/ and the built relay
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH="$HOME/.cargo/bin:$PATH"
say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

for tool in node npm chromium cargo wasm-bindgen wasm-opt; do
  command -v "$tool" >/dev/null || { echo "embed: $tool is missing (run scripts/install.sh test)" >&2; exit 1; }
done

if [ -z "${EMBED_SKIP_BUILD:-}" ]; then
  # `npm ci` wipes node_modules first: skip it when the installed tree already matches.
  if ! (cd e2e && npm ls --all >/dev/null 2>&1); then
    say "embed: npm ci (e2e/)"
    (cd e2e && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error >&2)
  fi
  say "embed: scripts/build-embed.sh"
  scripts/build-embed.sh
  say "embed: cargo build --release -p webrtc-chat-relay"
  cargo build --release -p webrtc-chat-relay >&2
fi
target_dir=$(cargo metadata --format-version 1 --no-deps --offline |
  sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
export RELAY_BIN="$target_dir/release/relay" EMBED_PKG="$PWD/pkg"

say "embed: node --test e2e/embed/"
# One file at a time (each runs one Chromium with two people, on two cores). The timeout is a
# backstop; every wait inside the tests is bounded and shorter.
exec node --test --test-concurrency=1 --test-timeout=1200000 "$@" e2e/embed/
