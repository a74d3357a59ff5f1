#!/usr/bin/env bash
# Installs what is missing, builds the release page and serves it with the relay on one port.
#   LISTEN=127.0.0.1:6503 scripts/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
scripts/install.sh app
trunk build --release --offline
listen=${LISTEN:-127.0.0.1:6503}
echo "==> open http://$listen/ in two tabs (Ctrl-C stops)"
exec cargo run --release -q -p webrtc-chat-relay -- --listen "$listen" --static dist
