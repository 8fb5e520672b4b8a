#!/usr/bin/env bash
# Agreement of two sources on one date (issue 13's Performance) against the shapely + pyproj peer
# (scripts/peers/agreement_peer.py) in the same run: DeepState's own publications
# (../shared/data/deepstate-raw, imported with `import deepstate-api`, the files within a day of
# DATE) against NZZ (../shared/data/nzz, `import nzz`) on DATE (default 2022-08-01).
# frontline: `GET /v1/agreement?date=DATE&sources=deepstate-api,nzz&summary=true` on a running
# server (states computed at start), REPEAT requests per round, timed by curl (the whole
# request: overlay, areas, JSON, loopback). Peer: the occupied and contested layers of both
# sources exported from the same server at precision 15, intersection, symmetric difference,
# union and geodesic areas, REPEAT runs per round. ROUNDS rounds (default 3), alternated;
# medians per round and over all runs, the ratio, the load average; the km2 of both must agree
# within 1e-6 relative (exit 1 otherwise), the peer's measured with edges cut at 0.01 degree (as
# frontline's, straight in lon/lat; see agreement_peer.py).
# Env: DATE, REPEAT (default 9), ROUNDS (default 3), FRONTLINE_BIN (a built binary: no build), PEER_PYTHON (default
# $TMPDIR/frontline-venv/bin/python, made with shapely and pyproj from PyPI when absent).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
date=${DATE:-2022-08-01}
repeat=${REPEAT:-9}
rounds=${ROUNDS:-3}
data=$repo/../shared/data
work=$(mktemp -d)
server=
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
if [ -z "${FRONTLINE_BIN:-}" ]; then (cd "$repo" && cargo build --release --quiet); fi
bin=${FRONTLINE_BIN:-$repo/target/release/frontline}
py=${PEER_PYTHON:-${TMPDIR:-/tmp}/frontline-venv/bin/python}
if [ ! -x "$py" ]; then
  python3 -m venv "${TMPDIR:-/tmp}/frontline-venv"
  "${TMPDIR:-/tmp}/frontline-venv/bin/pip" install -q shapely pyproj
fi
# The geodata: the embedded border, baselines and waters; the publications near DATE; all of NZZ.
mkdir -p "$work/geodata"
for d in borders baselines waters; do cp -r "$repo/geodata/$d" "$work/geodata/"; done
day=$(date -u -d "$date" +%s)
files=()
for f in "$data"/deepstate-raw/*.geojson.gz; do
  t=$(basename "$f" .geojson.gz)
  if [ "$t" -gt $((day - 2 * 86400)) ] && [ "$t" -lt $((day + 86400)) ]; then files+=("$f"); fi
done
[ ${#files[@]} -gt 0 ] || { echo "no publication near $date in $data/deepstate-raw" >&2; exit 2; }
"$bin" import deepstate-api "${files[@]}" --source deepstate-api --data "$work/geodata" >/dev/null
"$bin" import nzz "$data/nzz" --source nzz --data "$work/geodata" >/dev/null
"$bin" serve --data "$work/geodata" --listen 127.0.0.1:0 --watch-s 0 >"$work/serve.out" 2>"$work/serve.err" &
server=$!
for _ in $(seq 600); do grep -q "listening on" "$work/serve.out" 2>/dev/null && break; sleep 0.1; done
base=$(sed -n 's/^listening on //p' "$work/serve.out" | head -1)
for _ in $(seq 600); do [ "$(curl -s -o /dev/null -w '%{http_code}' "$base/readyz")" = 200 ] && break; sleep 0.2; done
q="date=$date&sources=deepstate-api,nzz&summary=true"
curl -sf "$base/v1/agreement?$q" >"$work/frontline.json"
for s in deepstate-api nzz; do
  for l in occupied contested; do
    curl -sf "$base/v1/layers/$l?date=$date&source=$s&precision=15" >"$work/$s-$l.geojson"
  done
done
echo "agreement of deepstate-api and nzz on $date; $rounds rounds of $repeat runs each; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
: >"$work/ours.txt"; : >"$work/peer.txt"
for r in $(seq "$rounds"); do
  for _ in $(seq "$repeat"); do
    curl -s -o /dev/null -w '%{time_total}\n' "$base/v1/agreement?$q" >>"$work/ours.txt"
  done
  "$py" "$repo/scripts/peers/agreement_peer.py" "$work"/deepstate-api-occupied.geojson "$work"/deepstate-api-contested.geojson \
    "$work"/nzz-occupied.geojson "$work"/nzz-contested.geojson "$repeat" >"$work/peer-$r.json"
  "$py" - "$work/peer-$r.json" "$work/ours.txt" "$repeat" "$r" <<'PY' >>"$work/peer.txt"
import json, statistics, sys
peer = json.load(open(sys.argv[1])); n = int(sys.argv[3])
ours = [float(x) for x in open(sys.argv[2]).read().split()][-n:]
m = statistics.median(ours)
print(f"round {sys.argv[4]}: frontline median {m * 1e3:.1f} ms, shapely + pyproj median {peer['median_s'] * 1e3:.1f} ms: x{peer['median_s'] / m:.1f}")
PY
  tail -1 "$work/peer.txt"
done
"$py" - "$work" "$rounds" <<'PY'
import json, statistics, sys, glob
work, rounds = sys.argv[1], int(sys.argv[2])
ours = [float(x) for x in open(f"{work}/ours.txt").read().split()]
peers = [json.load(open(f"{work}/peer-{r}.json")) for r in range(1, rounds + 1)]
peer_median = statistics.median(p["median_s"] for p in peers)
m = statistics.median(ours)
print(f"all rounds: frontline median {m * 1e3:.1f} ms over {len(ours)} requests; peer median of round medians {peer_median * 1e3:.1f} ms: x{peer_median / m:.1f}")
f = json.load(open(f"{work}/frontline.json"))
worst = 0.0
for layer in ("occupied", "contested"):
    ft = f[layer]["totals"] if "totals" in f[layer] else f[layer]
    for k in ("agreed_km2", "disputed_km2", "envelope_km2"):
        a, b = ft[k], peers[-1]["check"][layer][k]
        rel = abs(a - b) / max(abs(b), 1e-12) if (a or b) else 0.0
        worst = max(worst, rel)
        print(f"{layer} {k}: frontline {a:.6f}, peer {b:.6f} ({rel:.1e}; with geodesic edges {peers[-1][layer][k]:.6f})")
print(f"largest relative difference {worst:.1e} (limit 1e-6)")
sys.exit(0 if worst <= 1e-6 else 1)
PY
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
