#!/usr/bin/env bash
# HTTP benchmark, in one run: the machine's ceiling (../shared/bench/http_ceiling.sh: nginx, a
# static 100-byte file, wrk -t2 -c64 -d10s), then frontline serve on the DeepState archive:
#   GET /v1/coverage with random points (wrk, same settings): requests/s and p99;
#   POST /v1/classify with the 1M-point CSV over loopback (curl): points/s end to end;
#   GET /v1/layers/coverage for a full snapshot: cold, cached (200) and ETag hit (304).
#   GET /v1/coverage&distance=true (the line of contact's distance and nearest point), alternated
#   with the plain point;
# Needs wrk, nginx and curl (Debian), and the workload (scripts/make-workload.sh).
# HTTP_BENCH_ONLY=coverage: only the ceiling and the two coverage runs.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
export PEERS_WORK=${PEERS_WORK:-${TMPDIR:-/tmp}/frontline-bench}
RUNS=${RUNS:-3}
for t in wrk nginx curl; do command -v $t >/dev/null || { echo "needs $t (apt-get install $t)" >&2; exit 1; }; done
"$repo/scripts/make-workload.sh" >/dev/null
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

echo "== ceiling (nginx, RUNS=$RUNS)"
(cd "$repo/../shared/bench" && RUNS=$RUNS ./http_ceiling.sh) | tee "$work/ceiling.txt"

"$repo/scripts/deepstate-geodata.sh" "$work/geodata" >/dev/null
(cd "$repo" && cargo build --release -q)
RUST_LOG=${RUST_LOG:-info} "$repo/target/release/frontline" serve --data "$work/geodata" --listen 127.0.0.1:0 \
  > "$work/serve.out" 2> "$work/serve.log" &
# Loading the archive takes seconds, more on a loaded machine: up to two minutes.
for _ in $(seq 1 1200); do grep -q listening "$work/serve.out" 2>/dev/null && break; sleep 0.1; done
[ -n "$(sed -n "s/listening on //p" "$work/serve.out")" ] || { echo "frontline serve did not start:" >&2; tail -5 "$work/serve.log" >&2; exit 1; }
base=$(sed -n 's/listening on //p' "$work/serve.out")
echo "== frontline at $base (logs: one line per request, to a file)"

cat > "$work/coverage.lua" <<'LUA'
math.randomseed(20250601)
request = function()
  local lon = 22.0 + math.random() * 18.3
  local lat = 44.3 + math.random() * 8.1
  return wrk.format("GET", string.format("/v1/coverage?lon=%.6f&lat=%.6f&date=2025-06-01", lon, lat))
end
LUA
# With the distance to the line of contact and its nearest point (issue 17: at least half the
# ceiling), run alternately with the plain point so that both see the same load.
sed 's/date=2025-06-01"/date=2025-06-01\&distance=true"/' "$work/coverage.lua" > "$work/distance.lua"
for r in $(seq 1 "$RUNS"); do
  echo "coverage run=$r"
  wrk -t2 -c64 -d10s --latency -s "$work/coverage.lua" "$base" | grep -E "Requests/sec|Latency|99%|Non-2xx" | tee -a "$work/coverage.txt"
  echo "coverage&distance=true run=$r"
  wrk -t2 -c64 -d10s --latency -s "$work/distance.lua" "$base" | grep -E "Requests/sec|Latency|99%|Non-2xx" | tee -a "$work/distance.txt"
done
curl -s "$base/v1/coverage?lon=34.7981&lat=50.9077&date=2025-06-01&distance=true" | grep -o '"line_of_contact_km":[^]]*]' | sed 's/^/Sumy: /'
if [ "${HTTP_BENCH_ONLY:-}" = coverage ]; then
  touch "$work/classify.txt" "$work/layers.txt"
else

echo "== classify 1M points (CSV, $(du -h "$PEERS_WORK/points_1m.csv" | cut -f1))"
for r in $(seq 1 "$RUNS"); do
  curl -s -o "$work/out.csv" -w "%{time_total} %{http_code}\n" -H 'Content-Type: text/csv' \
    --data-binary @"$PEERS_WORK/points_1m.csv" "$base/v1/classify?date=2025-06-01" | tee -a "$work/classify.txt"
done
echo "rows out: $(($(wc -l < "$work/out.csv") - 1))"

echo "== layers (full snapshot, coverage of 2025-06-01)"
url="$base/v1/layers/coverage?date=2025-06-01"
curl -s -o /dev/null -w "cold %{time_total} s, %{size_download} bytes, %{http_code}\n" "$url" | tee "$work/layers.txt"
etag=$(curl -s -D - -o /dev/null "$url" | sed -n 's/^etag: //Ip' | tr -d '\r')
for r in $(seq 1 5); do
  curl -s -o /dev/null -w "cached %{time_total} s, %{http_code}\n" "$url" | tee -a "$work/layers.txt"
  curl -s -o /dev/null -w "etag-hit %{time_total} s, %{http_code}\n" -H "If-None-Match: $etag" "$url" | tee -a "$work/layers.txt"
done
curl -s -o /dev/null -w "cold, other date %{time_total} s\n" "$base/v1/layers/coverage?date=2024-09-01" | tee -a "$work/layers.txt"
curl -s -o /dev/null -w "gzip %{time_total} s, %{size_download} bytes\n" -H 'Accept-Encoding: gzip' "$url"
fi

python3 - "$work" <<'PY'
import re, statistics, sys, os
w = sys.argv[1]
def rps(f):
    return [float(x) for x in re.findall(r"Requests/sec:\s+([\d.]+)", open(os.path.join(w, f)).read())]
ceil_txt = open(os.path.join(w, "ceiling.txt")).read()
ceil = {}
for block in re.split(r"(?=workers=)", ceil_txt):
    m = re.match(r"workers=(\d)", block)
    if m:
        ceil.setdefault(m[1], []).extend(float(x) for x in re.findall(r"Requests/sec:\s+([\d.]+)", block))
best = max(statistics.median(v) for v in ceil.values())
cov = rps("coverage.txt")
p99 = re.findall(r"99%\s+([\d.]+)(us|ms|s)", open(os.path.join(w, "coverage.txt")).read())
to_ms = lambda v, u: float(v) / 1000 if u == "us" else float(v) * (1000 if u == "s" else 1)
p99ms = [to_ms(v, u) for v, u in p99]
print(f"\nceiling (nginx, median per worker count): " + ", ".join(f"{k} worker(s) {statistics.median(v):,.0f}/s" for k, v in sorted(ceil.items())))
print(f"/v1/coverage: median {statistics.median(cov):,.0f} requests/s = {statistics.median(cov) / best:.0%} of the best ceiling (target 70%), p99 median {statistics.median(p99ms):.2f} ms (target < 5 ms)")
dist = rps("distance.txt")
print(f"/v1/coverage&distance=true: median {statistics.median(dist):,.0f} requests/s = {statistics.median(dist) / best:.0%} of the best ceiling (target 50%), "
      f"{statistics.median(dist) / statistics.median(cov):.2f}x the plain point")
cl = [float(l.split()[0]) for l in open(os.path.join(w, "classify.txt")) if l.strip()]
if cl:
    print(f"/v1/classify 1M CSV: median {statistics.median(cl):.2f} s = {1e6 / statistics.median(cl) / 1e6:.2f} M points/s end to end (target 5 M/s)")
print(open(os.path.join(w, "layers.txt")).read())
PY
