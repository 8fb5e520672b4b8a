#!/usr/bin/env bash
# Vector tile benchmark (issue 12), in one run:
#  1. cold generation of every z6, z8 and z10 tile touching the occupied layer of DeepState
#     2025-06-01: the PostGIS peer (../shared/bench/tiles_peer.sh: ST_AsMVTGeom + ST_AsMVT, Debian
#     postgresql-15-postgis-3, a throw-away cluster on 127.0.0.1) and frontline (benches/tiles.rs,
#     one thread, no tile cache), with the ratio of tiles a second;
#  2. cached tiles over HTTP: the machine's ceiling (../shared/bench/http_ceiling.sh: nginx, a
#     100-byte file, wrk -t2 -c64 -d10s), then frontline serve with the same wrk load on the
#     z8 tiles of that date (every one with features, taken in turn) and on one small tile.
# Needs the workload (scripts/make-workload.sh), PostGIS (apt-get install postgresql-15-postgis-3),
# wrk, nginx and curl. RUNS (default 3) runs of each wrk measurement; TILES_BENCH_ONLY=gen or http.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
export PEERS_WORK=${PEERS_WORK:-${TMPDIR:-/tmp}/frontline-bench}
RUNS=${RUNS:-3}
day=$repo/../shared/data/deepstate/deepstatemap_data_20250601.geojson
"$repo/scripts/make-workload.sh" >/dev/null
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
"$repo/scripts/deepstate-geodata.sh" "$work/geodata" >/dev/null
(cd "$repo" && cargo build --release -q && cargo bench --no-run -q --bench tiles 2>/dev/null)

if [ "${TILES_BENCH_ONLY:-}" != http ]; then
  echo "== PostGIS peer (occupied layer only)"
  (cd "$repo/../shared/bench" && ./tiles_peer.sh "$PEERS_WORK/border_ukr.wkt" "$day") | tee "$work/peer.txt"
  echo "== frontline (benches/tiles.rs)"
  (cd "$repo" && FRONTLINE_GEODATA="$work/geodata" cargo bench -q --bench tiles) | tee "$work/ours.txt"
  python3 - "$work" <<'PY'
import re, sys, os
w = sys.argv[1]
peer = {int(z): float(t) for z, t in re.findall(r"z(\d+): \d+ tiles, .*?, ([\d.]+) tiles/s", open(os.path.join(w, "peer.txt")).read())}
ours = open(os.path.join(w, "ours.txt")).read()
for label in ("occupied only", "whole tile"):
    for z, t in re.findall(r"frontline " + label + r"\s+z(\d+): \d+ tiles, .*?, ([\d.]+) tiles/s", ours):
        z = int(z)
        if z in peer:
            print(f"ratio {label:13} z{z}: {float(t):.0f} / {peer[z]:.0f} tiles/s = x{float(t) / peer[z]:.1f} PostGIS")
PY
fi

if [ "${TILES_BENCH_ONLY:-}" != gen ]; then
  for t in wrk nginx curl; do command -v $t >/dev/null || { echo "needs $t (apt-get install $t)" >&2; exit 1; }; done
  echo "== ceiling (nginx, RUNS=$RUNS)"
  (cd "$repo/../shared/bench" && RUNS=$RUNS ./http_ceiling.sh) | tee "$work/ceiling.txt"
  RUST_LOG=${RUST_LOG:-info} "$repo/target/release/frontline" serve --data "$work/geodata" --listen 127.0.0.1:0 --watch-s 0 \
    > "$work/serve.out" 2> "$work/serve.log" &
  for _ in $(seq 1 300); do grep -q listening "$work/serve.out" 2>/dev/null && break; sleep 0.1; done
  base=$(sed -n 's/listening on //p' "$work/serve.out")
  echo "== frontline at $base (logs: one line per request, to a file)"
  template=$(curl -sf "$base/v1/tiles/deepstate/2025-06-01.json" | python3 -c "import json,sys; print(json.load(sys.stdin)['tiles'][0])")
  path=${template#"$base"}
  # Every z8 tile over the layers' bounds; keep those with features (200), warm the cache.
  curl -sf "$base/v1/tiles/deepstate/2025-06-01.json" | python3 -c "
import json, math, sys
b = json.load(sys.stdin)['bounds']; z = 8; n = 2 ** z
col = lambda lon: int((lon + 180) / 360 * n)
row = lambda lat: int((1 - math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)) / math.pi) / 2 * n)
for x in range(col(b[0]), col(b[2]) + 1):
    for y in range(row(b[3]), row(b[1]) + 1):
        print(z, x, y)" | while read -r z x y; do
    p=$(echo "$path" | sed "s/{z}/$z/;s/{x}/$x/;s/{y}/$y/")
    code=$(curl -s -o "$work/t.mvt" -w '%{http_code}' "$base$p")
    if [ "$code" = 200 ]; then echo "$p $(stat -c %s "$work/t.mvt")"; fi
  done > "$work/tiles.txt"
  echo "cached z8 tiles: $(wc -l < "$work/tiles.txt"), mean $(awk '{s+=$2} END {printf "%.0f", s/NR}' "$work/tiles.txt") bytes"
  { echo "paths = {"; awk '{printf "  \"%s\",\n", $1}' "$work/tiles.txt"; echo "}"
    echo 'i = 0'
    echo 'request = function() i = i % #paths + 1; return wrk.format("GET", paths[i]) end'; } > "$work/tiles.lua"
  small=$(sort -k2 -n "$work/tiles.txt" | sed -n 1p)
  echo "small tile: $small"
  for r in $(seq 1 "$RUNS"); do
    echo "tiles (all z8, in turn) run=$r"
    wrk -t2 -c64 -d10s --latency -s "$work/tiles.lua" "$base" | grep -E "Requests/sec|Latency|99%|Non-2xx|Transfer" | tee -a "$work/tiles_rps.txt"
    echo "one small tile run=$r"
    wrk -t2 -c64 -d10s --latency "$base${small%% *}" | grep -E "Requests/sec|Latency|99%|Non-2xx" | tee -a "$work/small_rps.txt"
  done
  python3 - "$work" <<'PY'
import re, statistics, sys, os
w = sys.argv[1]
rps = lambda f: [float(x) for x in re.findall(r"Requests/sec:\s+([\d.]+)", open(os.path.join(w, f)).read())]
ceil = {}
for block in re.split(r"(?=workers=)", open(os.path.join(w, "ceiling.txt")).read()):
    m = re.match(r"workers=(\d)", block)
    if m:
        ceil.setdefault(int(m.group(1)), []).extend(float(x) for x in re.findall(r"Requests/sec:\s+([\d.]+)", block))
c = max(statistics.median(v) for v in ceil.values())
for name, f in (("cached z8 tiles in turn", "tiles_rps.txt"), ("one small cached tile", "small_rps.txt")):
    m = statistics.median(rps(f))
    print(f"{name}: median {m:.0f} req/s = {100 * m / c:.0f} % of the nginx ceiling ({c:.0f} req/s, best worker count)")
PY
fi
