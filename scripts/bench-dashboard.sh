#!/usr/bin/env bash
# Dashboard timings in headless Chromium on loopback (issue 12): navigation until the occupied
# layer is drawn, and one slider step until the new date is drawn (Performance marks of
# web/app.js), medians of N runs (default 10), after the checks of tests/browser/dashboard.mjs.
# Needs node, /usr/bin/chromium and playwright-core (as .ci/run installs them).
# Usage: scripts/bench-dashboard.sh [--data GEODATA_DIR] [--runs N]
set -euo pipefail
cd "$(dirname "$0")/.."
data=()
runs=10
while [ $# -gt 0 ]; do
  case "$1" in
    --data) data=(--data "$2"); shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    *) echo "usage: $0 [--data DIR] [--runs N]" >&2; exit 2 ;;
  esac
done
cargo build --release --quiet
log=$(mktemp)
target/release/frontline serve "${data[@]}" --listen 127.0.0.1:0 --watch-s 0 >"$log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; rm -f "$log"' EXIT
for _ in $(seq 1 600); do
  grep -q '^listening on ' "$log" && break
  sleep 0.5
done
base=$(sed -n 's/^listening on //p' "$log" | head -1)
[ -n "$base" ] || { echo "the server did not start:" >&2; cat "$log" >&2; exit 1; }
echo "server: $base ${data[*]}"
node tests/browser/dashboard.mjs "$base" target/dashboard-bench --bench "$runs"
