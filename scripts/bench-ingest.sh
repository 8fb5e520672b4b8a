#!/usr/bin/env bash
# Ingest and reload under load, on the shared DeepState archive imported into a scratch geodata
# directory: the time until one DeepState-sized snapshot posted to /v1/snapshots is live (median
# of RUNS), and GET /v1/coverage throughput (wrk -t2 -c64) with and without reloads running.
# Needs wrk. Env: RUNS (default 20), WORK (default $TMPDIR/frontline-ingest).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
runs=${RUNS:-20}
work=${WORK:-${TMPDIR:-/tmp}/frontline-ingest}
bin=$repo/target/release/frontline
(cd "$repo" && cargo build --release --quiet)
rm -rf "$work" && mkdir -p "$work"
cp -r "$repo/geodata" "$work/geodata"
"$bin" import deepstate "$repo/../shared/data/deepstate" --source deepstate --data "$work/geodata" | head -1
echo "bench-token-0123456789abcdef" > "$work/token"
# The body: the last DeepState snapshot without its frontline member (about 3,000 vertices).
python3 - "$work" <<'PY'
import json, sys, os
w = sys.argv[1]
d = os.path.join(w, "geodata/sources/deepstate")
last = sorted(f for f in os.listdir(d) if f.endswith(".geojson"))[-1]
doc = json.load(open(os.path.join(d, last)))
doc.pop("frontline")
open(os.path.join(w, "body.json"), "w").write(json.dumps(doc))
print("body from", last, sum(len(r) for f in doc["features"] for p in f["geometry"]["coordinates"] for r in p), "vertices")
PY
"$bin" serve --data "$work/geodata" --listen 127.0.0.1:0 --ingest-token-file "$work/token" --watch-s 0 > "$work/serve.out" 2>/dev/null &
pid=$!
trap 'kill $pid 2>/dev/null' EXIT
for _ in $(seq 100); do grep -q listening "$work/serve.out" 2>/dev/null && break; sleep 0.1; done
url=$(sed -n 's/listening on //p' "$work/serve.out")
echo "server $url"
for i in $(seq "$runs"); do
  day=$(date -d "2026-01-01 + $i days" +%F)
  curl -s -o "$work/r.json" -w '%{time_total}\n' -X POST -H "Authorization: Bearer $(cat "$work/token")" \
    -H 'Content-Type: application/geo+json' --data-binary @"$work/body.json" \
    "$url/v1/snapshots?source=deepstate&date=$day&replace=true" >> "$work/ingest_s.txt"
  python3 -c "import json,sys; v=json.load(open('$work/r.json')); print(v['ms'])" >> "$work/ingest_ms.txt"
  # Different content each time, so that each ingest computes a new state.
  python3 - "$work" "$i" <<'PY'
import json, sys
w, i = sys.argv[1], int(sys.argv[2])
doc = json.load(open(w + "/body.json"))
ring = doc["features"][0]["geometry"]["coordinates"][0][0]
ring[1][0] += 1e-6 * (1 if i % 2 else -1)
json.dump(doc, open(w + "/body.json", "w"))
PY
done
python3 - "$work" <<'PY'
import statistics, sys
w = sys.argv[1]
ms = [float(x) for x in open(w + "/ingest_ms.txt")]
wall = [float(x) * 1e3 for x in open(w + "/ingest_s.txt")]
print(f"ingest until live: server-side median {statistics.median(ms):.1f} ms [{min(ms):.1f}-{max(ms):.1f}], "
      f"client wall median {statistics.median(wall):.1f} ms (target < 50 ms), n={len(ms)}")
PY
cat > "$work/points.lua" <<'LUA'
math.randomseed(42)
request = function()
  local lon = 22 + math.random() * 18
  local lat = 44.5 + math.random() * 8
  return wrk.format("GET", string.format("/v1/coverage?lon=%.5f&lat=%.5f&date=2025-06-01&source=deepstate", lon, lat))
end
LUA
echo "== coverage, steady"
wrk -t2 -c64 -d10s -s "$work/points.lua" "$url" | grep -E "Requests/sec|Non-2xx|Socket errors" || true
echo "== coverage, with a SIGHUP reload every 2 s"
( for _ in 1 2 3 4 5; do sleep 2; kill -HUP $pid; done ) &
hups=$!
wrk -t2 -c64 -d10s -s "$work/points.lua" "$url" | grep -E "Requests/sec|Non-2xx|Socket errors" || true
wait $hups
curl -s "$url/metrics" | grep frontline_reloads_total
