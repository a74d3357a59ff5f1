#!/usr/bin/env bash
# Installs what is missing, builds the release page and serves it with the relay on one port.
#   LISTEN=127.0.0.1:6503 scripts/run.sh
# Every relay flag can also come from the environment (`relay --help`): two relays sharing one
# Redis (docs/scale-out.md), each in its own terminal:
#   RELAY_REDIS=redis://127.0.0.1:6379/ make run
#   RELAY_REDIS=redis://127.0.0.1:6379/ LISTEN=127.0.0.1:6504 make run
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
scripts/install.sh app
trunk build --release --offline
listen=${LISTEN:-127.0.0.1:6503}
echo "==> open http://$listen/ in two tabs (Ctrl-C stops)"
exec cargo run --release -q -p webrtc-chat-relay -- --listen "$listen" --static dist
