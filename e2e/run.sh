#!/usr/bin/env bash
# End-to-end tests: the release page served by the real relay, one Chromium per test file with
# a browser context per person, coturn for TURN, and a naive sample-like signaling server; and
# `trunk serve`'s development page (tests/80-trunk-serve.test.js builds it on its own).
# Called by scripts/test.sh (after scripts/install.sh test has installed chromium and coturn).
#
#   e2e/run.sh                               # everything
#   e2e/run.sh --test-name-pattern=glare     # extra arguments go to `node --test`
#   E2E_BREAK=ice e2e/run.sh                 # sabotage every page's ICE config: calls must fail
set -euo pipefail
cd "$(dirname "$0")/.."
# An assignment, not `eval "$(…)"`: so that a failed build stops us here (set -e).
prepared=$(e2e/prepare.sh)
eval "$prepared"
export RELAY_BIN DIST_DIR
trap 'rm -rf "$DIST_DIR"' EXIT

printf '\033[1m==> %s\033[0m\n' "e2e: node --test e2e/tests/" >&2
# One file at a time: each starts a Chromium with up to four people, on two cores. The
# per-test timeout is a backstop so nothing can hang the suite; the tests' own waits are shorter.
node --test --test-concurrency=1 --test-timeout=240000 "$@" e2e/tests/

# The embed proof: the tutorial-structured page with each of its functions swapped for the
# bundle's, one at a time and cumulatively, and a host page using the clean API.
e2e/embed/run.sh
