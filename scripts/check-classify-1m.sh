#!/usr/bin/env bash
# The full acceptance check of point classification: the 1,000,000 seeded points of
# ../shared/bench/make_workload.py, classified by `frontline classify` against the DeepState
# snapshot of 2025-06-01, must reproduce ../shared/bench/ref/classify_20250601.csv
# (covered 407,550, occupied 89,089, outside 503,361). The reference classifies against the land
# only, so the geodata is made without the waters (--no-waters).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
export PEERS_WORK=${PEERS_WORK:-${TMPDIR:-/tmp}/frontline-bench}
"$repo/scripts/make-workload.sh"
data=$(mktemp -d)
trap 'rm -rf "$data"' EXIT
"$repo/scripts/deepstate-geodata.sh" --no-waters "$data/geodata" >/dev/null
(cd "$repo" && cargo build --release -q)
"$repo/target/release/frontline" classify "$PEERS_WORK/points_1m.csv" --date 2025-06-01 --raw --data "$data/geodata" \
  | awk -F, 'NR > 1 { n[$4]++ } END { printf "covered %d occupied %d contested %d outside %d\n", n["covered"], n["occupied"], n["contested"], n["outside"] }' \
  | tee "$data/got.txt"
want=$(awk -F, 'NR == 2 { printf "covered %d occupied %d contested 0 outside %d\n", $3, $4, $5 }' "$repo/../shared/bench/ref/classify_20250601.csv")
if [ "$(cat "$data/got.txt")" = "$want" ]; then
  echo "OK: reproduces ../shared/bench/ref/classify_20250601.csv"
else
  echo "MISMATCH: reference says: $want" >&2
  exit 1
fi
