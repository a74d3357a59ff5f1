#!/usr/bin/env bash
# Prints the release page's size (a measurement, not a test): builds it as e2e and `make bench`
# do (`trunk build --release --offline`, with the post_build hook scripts/shrink-bundle.mjs),
# then each of dist/'s wasm, JS, HTML and CSS compressed with `gzip -9n`, and their total.
#   scripts/page-size.sh            # build, then measure
#   NO_BUILD=1 scripts/page-size.sh # measure the dist/ already there
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
[ -n "${NO_BUILD:-}" ] || trunk build --release --offline >&2
total=0
for ext in _bg.wasm .js .html .css; do
  f=$(find dist -maxdepth 1 -name "*$ext" | head -n 1)
  [ -n "$f" ] || { echo "page-size: no *$ext in dist/" >&2; exit 1; }
  raw=$(stat -c %s "$f")
  gz=$(gzip -9n -c "$f" | wc -c)
  total=$((total + gz))
  printf '%-40s raw %8d  gz %7d\n' "$(basename "$f")" "$raw" "$gz"
done
printf '%-40s          %8s  gz %7d (%d.%d KB)\n' "page total" "" "$total" $((total / 1000)) $((total % 1000 / 100))
