#!/usr/bin/env bash
# Shared by e2e/run.sh and scripts/bench.sh: checks the tools, installs e2e's npm packages
# exactly as locked, builds the release page into dist/ and the release relay, and prints
# `export RELAY_BIN=… DIST_DIR=…` for the caller to eval (DIST_DIR: a copy of dist/ in /tmp,
# which the caller removes).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

for tool in node npm chromium turnserver trunk cargo gzip; do
  command -v "$tool" >/dev/null || { echo "e2e: $tool is missing (run scripts/install.sh test)" >&2; exit 1; }
done

# playwright-core (pinned; it drives the machine's /usr/bin/chromium, has no install script and
# never downloads a browser) and ws, exactly as package-lock.json says.
# `npm ci` wipes node_modules first, so it is skipped when the installed tree already matches
# (package.json pins exact versions; neither package has dependencies): another run using
# e2e/node_modules at the same time keeps working.
if (cd e2e && npm ls --all >/dev/null 2>&1); then
  say "e2e: node_modules up to date (npm ls)"
else
  say "e2e: npm ci"
  (cd e2e && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error >&2)
fi

say "e2e: trunk build --release --offline"
trunk build --release --offline >&2

say "e2e: cargo build --release -p webrtc-chat-relay"
cargo build --release -p webrtc-chat-relay >&2
target_dir=$(cargo metadata --format-version 1 --no-deps --offline |
  node -e 'let s="";process.stdin.on("data",(d)=>(s+=d)).on("end",()=>console.log(JSON.parse(s).target_directory))')
# A private copy of the page: another build writing dist/ mid-run (a developer's `trunk serve`
# or `make run`) must not swap the files under a running test.
snapshot=$(mktemp -d /tmp/webrtc-chat-e2e-dist.XXXXXX)
cp -r dist/. "$snapshot/"
rm -rf "$snapshot/.stage"
printf 'export RELAY_BIN=%q DIST_DIR=%q\n' "$target_dir/release/relay" "$snapshot"
