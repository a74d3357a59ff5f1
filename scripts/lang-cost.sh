#!/usr/bin/env bash
# Prints what the two languages cost the release page (a measurement, not a test; README,
# "Bundle size"). Builds the committed tree twice in a temporary copy with scripts/page-size.sh:
#   1. as it is;
#   2. as a one-language page: the Korean table replaced by the English one (`KO = EN`), and
#      scripts/one-language.patch: no `#lang` switch (HTML, listener, CSS), no choice
#      (navigator.languages, ?lang=, config `lang`, `<html lang>`), no rewording on a switch
#      (the core's SetLang only stores the language), the labels written in the HTML in English
#      instead of set from the table by the view's `data-i18n*` loop.
# The difference is the languages' cost. Not removed (so not counted): the English texts as a
# table with keys and named placeholders rather than literals (`core/src/text.rs`).
# When the code moves on and the patch no longer applies, this fails: refresh the patch.
#   scripts/lang-cost.sh
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
work=$(mktemp -d /tmp/webrtc-chat-lang-cost.XXXXXX)
trap 'rm -rf "$work"' EXIT
git archive HEAD | tar -x -C "$work"
ln -s "$repo/scripts/node_modules" "$work/scripts/node_modules"
export CARGO_TARGET_DIR="$work/target"
total() { awk '/^page total/ { print $(NF - 2) }'; }
(cd "$work" && scripts/page-size.sh) >"$work/two.txt" 2>"$work/build.log" ||
  { cat "$work/build.log" >&2; exit 1; }
cd "$work"
perl -0pi -e 's/const KO: &str = ".*?";\n/const KO: &str = EN;\n/s' core/src/text.rs
grep -q '^const KO: &str = EN;$' core/src/text.rs || { echo "lang-cost: no Korean table found" >&2; exit 1; }
git apply "$repo/scripts/one-language.patch" ||
  { echo "lang-cost: scripts/one-language.patch no longer applies" >&2; exit 1; }
scripts/page-size.sh >"$work/one.txt" 2>"$work/build.log" || { cat "$work/build.log" >&2; exit 1; }
echo "both languages (HEAD $(git -C "$repo" rev-parse --short HEAD)):"
cat "$work/two.txt"
echo "one language (English, labels in the HTML):"
cat "$work/one.txt"
two=$(total <"$work/two.txt")
one=$(total <"$work/one.txt")
echo "languages' cost: $((two - one)) bytes gzipped"
