#!/usr/bin/env bash
# Benchmark, not a test (`make bench`): N calls (default 20) through the real relay, click →
# first decoded remote frame on both sides, next to the browser's own floor measured in the
# same run; the same calls with the tutorial-structured JS client; the release bundle's sizes.
#   N=50 scripts/bench.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
scripts/install.sh test
# An assignment, not `eval "$(…)"`: so that a failed build stops us here (set -e).
prepared=$(e2e/prepare.sh)
eval "$prepared"
export RELAY_BIN DIST_DIR
trap 'rm -rf "$DIST_DIR"' EXIT
node e2e/bench.js
