#!/usr/bin/env bash
# Installs what the project needs, skipping what is already there at the right version.
# Nothing is downloaded as a prebuilt binary: Rust tools are built with `cargo install`,
# browsers and coturn come from Debian's packages, the page's post-build tools (JavaScript and
# wasm) from npm.
#
#   scripts/install.sh app    # wasm32 target, trunk, wasm-bindgen-cli, binaryen, npm's binaryen + terser
#   scripts/install.sh test   # the above plus chromium, chromedriver, firefox-esr, geckodriver, coturn,
#                             # redis-server
set -euo pipefail
cd "$(dirname "$0")/.."

mode=${1:-app}
# Must match the `=` pin of wasm-bindgen in Cargo.toml and [tools] in Trunk.toml.
WASM_BINDGEN_VERSION=0.2.130
TRUNK_VERSION=0.21.14

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
export PATH="$HOME/.cargo/bin:$PATH"

sudo_() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

apt_updated=0
apt_install() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  say "apt-get install ${missing[*]}"
  if [ $apt_updated = 0 ]; then sudo_ apt-get update -qq >&2; apt_updated=1; fi
  sudo_ env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "rustup target add wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown >&2
fi

if ! trunk --version 2>/dev/null | grep -q " $TRUNK_VERSION\$"; then
  say "cargo install trunk@$TRUNK_VERSION"
  cargo install "trunk@$TRUNK_VERSION" --locked >&2
fi

if ! wasm-bindgen --version 2>/dev/null | grep -q " $WASM_BINDGEN_VERSION\$"; then
  say "cargo install wasm-bindgen-cli@$WASM_BINDGEN_VERSION"
  # Without --locked: the CLI's lockfile pins crates this rustc cannot build.
  cargo install "wasm-bindgen-cli@$WASM_BINDGEN_VERSION" --force >&2
fi

apt_install binaryen

# The release page's post-build step (Trunk.toml's hook, scripts/shrink-bundle.mjs): binaryen's
# wasm-opt (a current one: Debian's 108 breaks wasm-bindgen's output) and terser, from the npm
# registry exactly as scripts/package-lock.json says, run with the machine's node (Debian's if
# there is none). `npm ci` wipes node_modules first, so it runs only when the tree differs.
command -v npm >/dev/null || apt_install nodejs npm
if ! (cd scripts && npm ls --all >/dev/null 2>&1); then
  say "npm ci (scripts/: binaryen, terser)"
  (cd scripts && npm ci --no-audit --no-fund --loglevel=error >&2)
fi

if [ "$mode" = test ]; then
  # redis-server: the broker the relays share (--redis), started on loopback by relay/tests/cluster.rs.
  apt_install chromium chromium-driver firefox-esr coturn redis-server
  if ! command -v geckodriver >/dev/null; then
    say "cargo install geckodriver"
    cargo install geckodriver --locked >&2
  fi
fi
say "tools ready"
