#!/usr/bin/env bash
# Peak memory of the server for every route that reads a request body (issue 9, class 3):
# for each case a fresh `frontline serve` (on `frontline init`'s geodata, ingest on) gets one
# large body (the "-x8" cases: eight of them at once, as many curls in parallel); the growth of
# its VmHWM over its VmRSS before the request (read from /proc/<pid>/status) is printed with the
# answer's status. Each case runs RUNS times, each on a fresh server; the line gives the median
# growth and every run's. Targets (issue 9, item 3): one 64 MiB GeoJSON body under 200 MB,
# eight at once under 1 GB. Needs python3 and curl.
# Env: FRONTLINE (default target/release/frontline), WORK (default $TMPDIR/frontline-body-memory),
# CASES (space-separated names; default all), RUNS (default 3).
# Usage: scripts/bench-body-memory.sh            (every case, one line each)
#        CASES="classify-points classify-points-x8" RUNS=5 scripts/bench-body-memory.sh
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
bin=${FRONTLINE:-$repo/target/release/frontline}
work=${WORK:-${TMPDIR:-/tmp}/frontline-body-memory}
mkdir -p "$work"

# name | method path | content type | body file | token? | extra serve arguments | bodies at once
cases=(
  "classify-points|/v1/classify?date=2024-05-01|application/geo+json|points.geojson|"
  "classify-points-x8|/v1/classify?date=2024-05-01|application/geo+json|points.geojson||--large-body-wait-s 3600|8"
  "classify-foreign-member|/v1/classify?date=2024-05-01|application/geo+json|foreign-member.geojson|"
  "classify-many-properties|/v1/classify?date=2024-05-01|application/geo+json|many-properties.geojson|"
  "classify-long-coordinates|/v1/classify?date=2024-05-01|application/geo+json|long-coordinates.geojson|"
  "classify-csv|/v1/classify?date=2024-05-01|text/csv|points.csv|"
  "history-points|/v1/history|application/geo+json|points.geojson|"
  "history-points-x8|/v1/history|application/geo+json|points.geojson||--large-body-wait-s 3600|8"
  "history-foreign-member|/v1/history|application/geo+json|foreign-member.geojson|"
  "history-csv|/v1/history|text/csv|points.csv|"
  "scenario-preview|/v1/scenarios/preview|application/json|scenario.json|"
  "scenario-create|/v1/scenarios|application/json|scenario.json|token"
  "ingest|/v1/snapshots?source=example\&date=2024-07-01|application/geo+json|ingest.geojson|token"
  "scenario-preview-at-cap|/v1/scenarios/preview|application/json|scenario-at-cap.json|"
  "ingest-at-cap|/v1/snapshots?source=example\&date=2024-07-01|application/geo+json|ingest-at-cap.geojson|token"
  "ingest-polygons-refused|/v1/snapshots?source=example\&date=2024-10-01|application/geo+json|ingest-polygons-refused.geojson|token|--max-ingest-body-mb 64"
  "ingest-polygons|/v1/snapshots?source=example\&date=2024-10-01|application/geo+json|ingest-polygons.geojson|token|--max-ingest-body-mb 64"
)

selected() {
  local c name rest
  for c in "${cases[@]}"; do
    IFS='|' read -r name rest <<<"$c"
    if [ -z "${CASES:-}" ] || [[ " $CASES " == *" $name "* ]]; then echo "$c"; fi
  done
}

# The bodies the selected cases send, made once (about 64 MiB each).
python3 - "$work" $(selected | cut -d'|' -f4 | sort -u) <<'PY'
import json, os, random, sys
w = sys.argv[1]
MiB = 1 << 20
needed = set(sys.argv[2:])
def write(name, make):
    path = os.path.join(w, name)
    if name in needed and not os.path.exists(path):
        with open(path + ".tmp", "w") as f:
            make(f)
        os.replace(path + ".tmp", path)
# Each body its own seeded generator: the same bodies whichever cases are selected.
def points(f, limit=64 * MiB - 4096):
    rng = random.Random(20250601)
    f.write('{"type":"FeatureCollection","features":[\n')
    n = 0
    i = 0
    while n < limit:
        s = ('' if i == 0 else ',\n') + json.dumps({"type": "Feature", "properties": {"id": i},
            "geometry": {"type": "Point", "coordinates": [round(22 + 18.3 * rng.random(), 6), round(44.3 + 8.1 * rng.random(), 6)]}})
        f.write(s); n += len(s); i += 1
    f.write('\n]}\n')
def junk_numbers(f, mb):
    # An array of small numbers: the costliest JSON per byte once parsed into a tree.
    chunk = ",".join(["1"] * 4096)
    f.write("[" + chunk)
    for _ in range(mb * MiB // len(chunk)):
        f.write("," + chunk)
    f.write("]")
def foreign_member(f):
    f.write('{"type":"FeatureCollection","junk":')
    junk_numbers(f, 60)
    f.write(',"features":[{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[30.5,50.4]}}]}')
def many_properties(f):
    f.write('{"type":"FeatureCollection","features":[{"type":"Feature","properties":{')
    f.write(",".join('"p%d":%d' % (i, i) for i in range(3_000_000)))
    f.write('},"geometry":{"type":"Point","coordinates":[30.5,50.4]}}]}')
def long_coordinates(f):
    f.write('{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[30.5,50.4')
    f.write(",1" * 15_000_000)
    f.write(']}}]}')
def scenario(f):
    f.write('{"source":"example","ceasefire_date":"2024-05-01","policy":{"exclusions":[{"name":"big","geometry":')
    junk_numbers(f, 63)
    f.write('}]}}')
def ingest(f):
    f.write('{"type":"FeatureCollection","junk":')
    junk_numbers(f, 61)
    f.write(',"features":[]}')
def csv(f, limit=64 * MiB - 4096):
    rng = random.Random(20250602)
    f.write("id,lon,lat\n")
    n = 0; i = 0
    while n < limit:
        s = "%d,%.6f,%.6f\n" % (i, 22 + 18.3 * rng.random(), 44.3 + 8.1 * rng.random())
        f.write(s); n += len(s); i += 1
write("points.geojson", points)
write("foreign-member.geojson", foreign_member)
write("many-properties.geojson", many_properties)
write("long-coordinates.geojson", long_coordinates)
write("scenario.json", scenario)
write("ingest.geojson", ingest)
write("points.csv", csv)
# Just under the caps: what a body the server accepts to read can cost.
def scenario_at_cap(f):
    f.write('{"source":"example","ceasefire_date":"2024-05-01","policy":{"exclusions":[{"name":"big","geometry":')
    chunk = ",".join(["1"] * 4096)
    f.write("[" + chunk)
    for _ in range((4 * MiB - 8192) // len(chunk) - 1):
        f.write("," + chunk)
    f.write("]}]}}")
def ingest_at_cap(f):
    f.write('{"type":"FeatureCollection","junk":[')
    chunk = ",".join(["1"] * 4096)
    f.write(chunk)
    for _ in range((16 * MiB - 8192) // len(chunk) - 1):
        f.write("," + chunk)
    f.write('],"features":[{"type":"Feature","properties":{"status":"occupied"},"geometry":{"type":"Polygon","coordinates":[[[31.0,49.0],[31.1,49.0],[31.1,49.1],[31.0,49.1],[31.0,49.0]]]}}]}')
write("scenario-at-cap.json", scenario_at_cap)
write("ingest-at-cap.geojson", ingest_at_cap)
# 256 ellipses in central Ukraine, 15 decimals a coordinate, about 60 MiB (as
# tests/http_memory.rs makes them); "refused": the last feature's status is unknown, so the
# whole body is read, then refused (nothing computed or kept).
import math
def polygons(refused):
    def make(f):
        per = (60 * MiB) // 256
        v = (per - 120) // 42
        f.write('{"type":"FeatureCollection","features":[\n')
        for k in range(256):
            cx, cy = 28.2 + (k % 16) * 0.4, 48.2 + (k // 16) * 0.15
            status = "nope" if refused and k == 255 else "occupied"
            if k:
                f.write(",\n")
            first = "[%.15f,%.15f]" % (cx + 0.05, cy)
            pts = [first] + ["[%.15f,%.15f]" % (cx + 0.05 * math.cos(2 * math.pi * i / v), cy + 0.03 * math.sin(2 * math.pi * i / v)) for i in range(1, v)] + [first]
            f.write('{"type":"Feature","properties":{"status":"%s"},"geometry":{"type":"Polygon","coordinates":[[%s]]}}' % (status, ",".join(pts)))
        f.write("\n]}\n")
    return make
write("ingest-polygons.geojson", polygons(False))
write("ingest-polygons-refused.geojson", polygons(True))
PY

data=$work/geodata
[ -d "$data" ] || "$bin" init "$data" >/dev/null


field() { awk -v k="$1:" '$1 == k { print $2 }' "/proc/$2/status"; }

runs=${RUNS:-3}
median() { tr ' ' '\n' | sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print int((v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }

printf '%-28s %8s %10s %10s %14s  %s\n' case status "rss0 MB" "hwm MB" "growth MB" "(median of $runs; each run)"
for c in "${cases[@]}"; do
  IFS='|' read -r name path ctype file token extra parallel <<<"$c"
  if [ -n "${CASES:-}" ] && ! [[ " $CASES " == *" $name "* ]]; then continue; fi
  parallel=${parallel:-1}
  growths=() rss0s=() hwms=() statuses=()
  for _ in $(seq "$runs"); do
    out=$work/serve.out
    # A fresh copy of the geodata for each run: an ingest stored by one run is not there for the next.
    run_data=$(mktemp -d "$work/run.XXXXXX")
    cp -r "$data" "$run_data/geodata"
    FRONTLINE_INGEST_TOKEN=body-memory-secret-token RUST_LOG=warn "$bin" serve --listen 127.0.0.1:0 --data "$run_data/geodata" --watch-s 0 ${extra:-} >"$out" 2>/dev/null &
    pid=$!
    for _ in $(seq 100); do [ -s "$out" ] && break; sleep 0.1; done
    addr=$(grep -oE '127\.0\.0\.1:[0-9]+' "$out" | head -1)
    rss0=$(field VmRSS $pid)
    auth=()
    [ -n "$token" ] && auth=(-H "Authorization: Bearer body-memory-secret-token")
    # The bodies at once: one curl each, their statuses in files.
    cpids=()
    for k in $(seq "$parallel"); do
      (curl -s -o /dev/null -w '%{http_code}\n' -X POST "${auth[@]}" -H "Content-Type: $ctype" \
        --data-binary "@$work/$file" "http://$addr${path//\\/}" >"$run_data/status.$k" 2>/dev/null ||
        echo "curl-failed" >"$run_data/status.$k") &
      cpids+=($!)
    done
    wait "${cpids[@]}" || true
    status=$(cat "$run_data"/status.* | sort | uniq -c | awk '{ printf "%s%s", (NR > 1 ? "," : ""), ($1 > 1 ? $2 "x" $1 : $2) }')
    hwm=$(field VmHWM $pid)
    kill "$pid"; wait "$pid" 2>/dev/null || true
    rm -rf "$run_data"
    growths+=($(((hwm - rss0) / 1024))) rss0s+=($((rss0 / 1024))) hwms+=($((hwm / 1024))) statuses+=("$status")
  done
  status=$(printf '%s\n' "${statuses[@]}" | sort -u | paste -sd/)
  printf '%-28s %8s %10d %10d %14d  (%s)\n' "$name" "$status" "$(echo "${rss0s[@]}" | median)" \
    "$(echo "${hwms[@]}" | median)" "$(echo "${growths[@]}" | median)" "${growths[*]}"
done
