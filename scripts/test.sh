#!/usr/bin/env bash
# Every test: native (core, relay), browser (wasm-bindgen-test in headless Chromium and
# Firefox with fake camera/microphone), and end to end (real relay, separate browsers, coturn).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
scripts/install.sh test

step() { printf '\n\033[1m=== %s\033[0m\n' "$*"; }

step "native: cargo test --workspace"
# redis-server is installed above: the cluster tests must run, not skip (relay/tests/cluster.rs).
WEBRTC_CHAT_REQUIRE_REDIS=1 cargo test --workspace

step "lint: clippy on the wasm target (page and embed), and natively (core, protocol, relay)"
cargo clippy --target wasm32-unknown-unknown -p webrtc-chat -- -D warnings
cargo clippy --target wasm32-unknown-unknown -p webrtc-chat --features compat -- -D warnings
cargo clippy -p webrtc-chat-core -p webrtc-chat-protocol -p webrtc-chat-relay --all-targets -- -D warnings

# wasm-bindgen-test's runner gives a test 20 s by default; fifty calls in a row take about that
# long on a loaded 2-core machine. The suite's own waits are shorter and bounded.
export WASM_BINDGEN_TEST_TIMEOUT=${WASM_BINDGEN_TEST_TIMEOUT:-180}

step "browser: headless Chromium"
CHROMEDRIVER=$(command -v chromedriver) cargo test --target wasm32-unknown-unknown -p webrtc-chat

step "browser: headless Firefox"
GECKODRIVER=$(command -v geckodriver) cargo test --target wasm32-unknown-unknown -p webrtc-chat

if [ -x e2e/run.sh ]; then
  step "end to end"
  # redis-server is installed above: the scale-out test must run, not skip (e2e/tests/90-scale-out.test.js).
  WEBRTC_CHAT_REQUIRE_REDIS=1 e2e/run.sh
fi
step "all tests passed"
