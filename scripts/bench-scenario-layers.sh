#!/usr/bin/env bash
# Scenario layers by precision (issue 11, fresh tester's F1: the layers took ~17 s at the default
# 6 decimals, 0.3 s at 5 or 7). On a geodata directory reading the shared DeepState archive in
# place (waters included), the scenario of `real_scenario::scenario_layers_on_deepstate_are_valid_at_every_precision`
# (DeepState 2025-06-01, waters, Crimea excluded, a negotiated exclusion, a 15 km zone each side
# and a 70 km covered-side zone from 2024-08-01, a withdrawal to 2024-08-01), and the heavy one of
# 16 zones of 485-500 km on four lines. For each layer and precision: the median over REPEAT runs
# of `frontline scenario DOC --layer L --precision P` (wall, whole process), less the median of
# the same command without --layer (loading the archive and computing the scenario): the time
# the layer itself takes to draw.
# Env: FRONTLINE_BIN (default target/release/frontline: give another build to compare),
# REPEAT (default 5), PRECISIONS (default "5 6 7"), LAYERS (default "area excluded zones withdrawal"),
# HEAVY=0 to leave out the 16-zone scenario, TIMEOUT_S (default 600: a run taking longer is
# stopped and reported as "> TIMEOUT_S").
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
bin=${FRONTLINE_BIN:-$repo/target/release/frontline}
[ -x "$bin" ] || { echo "no binary $bin: cargo build --release first" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
bash "$repo/scripts/deepstate-geodata.sh" "$work/geodata" >/dev/null
cat > "$work/mixed.json" <<'JSON'
{"source": "deepstate", "ceasefire_date": "2025-06-01", "withdrawal_date": "2024-08-01",
 "policy": {"waters": true, "excluded_baselines": ["crimea"], "exclusions": [
   {"name": "a box near Zaporizhzhia", "geometry": {"type": "Polygon",
    "coordinates": [[[35.0, 47.3], [36.2, 47.3], [36.2, 48.0], [35.0, 48.0], [35.0, 47.3]]]}}]},
 "zones": [{"name": "15 km", "reference": {"date": "2025-06-01"}, "side": "both", "width_km": 15},
           {"name": "70 km covered", "reference": {"date": "2024-08-01"}, "side": "covered", "width_km": 70}]}
JSON
python3 - "$work/heavy.json" <<'PY'
import json, sys
dates = ["2024-09-01", "2025-01-01", "2025-03-01", "2025-06-01"]
zones = [{"name": f"z{i}", "reference": {"date": dates[i % 4]}, "side": "both", "width_km": 500 - i}
         for i in range(16)]
json.dump({"source": "deepstate", "ceasefire_date": "2025-06-01", "policy": {"waters": True},
           "zones": zones}, open(sys.argv[1], "w"))
PY
docs="mixed"
[ "${HEAVY:-1}" = 0 ] || docs="mixed heavy"
echo "binary: $bin ($("$bin" --version 2>/dev/null || echo '?')); load average: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$bin" "$work" "${REPEAT:-5}" "${PRECISIONS:-5 6 7}" "${LAYERS:-area excluded zones withdrawal}" "${TIMEOUT_S:-600}" $docs <<'PY'
import statistics, subprocess, sys, time
bin, work, repeat, precisions, layers, timeout = sys.argv[1:7]
docs = sys.argv[7:]
repeat, timeout = int(repeat), float(timeout)

def median_s(args):
    times = []
    for _ in range(repeat):
        t = time.monotonic()
        try:
            subprocess.run([bin, "scenario", *args, "--data", f"{work}/geodata"], check=True,
                           stdout=subprocess.DEVNULL, timeout=timeout)
        except subprocess.TimeoutExpired:
            return None
        times.append(time.monotonic() - t)
    return statistics.median(times)

for doc in docs:
    path = f"{work}/{doc}.json"
    base = median_s([path])
    print(f"== {doc}: figures only (load + compute), median of {repeat}: {base:.2f} s")
    for layer in layers.split():
        row = []
        for p in precisions.split():
            t = median_s([path, "--layer", layer, "--precision", p])
            row.append(f"p{p} " + (f"> {timeout:.0f} s" if t is None else f"{(t - base) * 1e3:8.0f} ms"))
            if t is None:
                # The others would time out too: one such run is enough to say so.
                break
        print(f"  {layer:10s} " + "   ".join(row), flush=True)
PY
