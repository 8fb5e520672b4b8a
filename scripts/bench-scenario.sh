#!/usr/bin/env bash
# Scenario benchmark against the shapely + pyproj peer (../shared/bench/scenario_peer.py), both
# run here in the same session: a zone of WIDTH_KM (default 15) on each side of the DeepState
# line of contact of DATE (default 2025-06-01), clipped to the border, with geodesic areas.
# frontline: `frontline scenario --repeat N` on a geodata directory reading the shared archive in
# place (the median of the runs after the first, on computed control states as a server has them;
# the first run, computing the states too, is printed beside it). Peer: its median of REPEAT runs.
# Env: REPEAT (default 7), WIDTH_KM, DATE, PEER_PYTHON (default $TMPDIR/frontline-venv/bin/python,
# made with shapely and pyproj from PyPI when absent).
# Second peer, on the same line: `scripts/peers/scenario_same_line_peer.py` buffers frontline's own
# line of contact (fetched from `GET /v1/layers/line` of a server on the same geodata) instead of
# the longer line the shared peer derives, and times the zone, clip, split and areas only.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
repeat=${REPEAT:-7}
width=${WIDTH_KM:-15}
date=${DATE:-2025-06-01}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
bash "$repo/scripts/deepstate-geodata.sh" --no-waters "$work/geodata" >/dev/null
cat > "$work/scenario.json" <<JSON
{"source": "deepstate", "ceasefire_date": "$date",
 "zones": [{"name": "${width} km each side", "reference": {"date": "$date"}, "side": "both", "width_km": $width}]}
JSON
(cd "$repo" && cargo build --release --quiet)
echo "== frontline (REPEAT=$repeat)"
"$repo/target/release/frontline" scenario "$work/scenario.json" --data "$work/geodata" --repeat "$repeat" \
  | python3 -c 'import json,sys; a=json.load(sys.stdin); z=a["zones"][0]; print(json.dumps({"line_km": a["reference_lines"][0]["length_km"], "zone_km2": z["area_km2"], "zone_covered_side_km2": z["covered_side_km2"], "zone_occupied_side_km2": z["occupied_side_km2"], "area_of_application_km2": a["area_of_application_km2"]}, indent=1))'
py=${PEER_PYTHON:-${TMPDIR:-/tmp}/frontline-venv/bin/python}
if [ ! -x "$py" ]; then
  python3 -m venv "${TMPDIR:-/tmp}/frontline-venv"
  "${TMPDIR:-/tmp}/frontline-venv/bin/pip" install -q shapely pyproj
fi
echo "== shapely + pyproj peer (REPEAT=$repeat)"
day=$repo/../shared/data/deepstate/deepstatemap_data_${date//-/}.geojson
"$py" "$repo/../shared/bench/scenario_peer.py" "$repo/geodata/borders/UKR.geojson" "$day" "$width" "$repeat" 2>/dev/null
echo "== same-line shapely + pyproj peer (frontline's line of contact and occupied layer; REPEAT=$repeat)"
"$repo/target/release/frontline" serve --data "$work/geodata" --listen 127.0.0.1:0 > "$work/serve.out" 2> "$work/serve.log" &
server=$!
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 1200); do grep -q listening "$work/serve.out" 2>/dev/null && break; sleep 0.1; done
base=$(sed -n 's/listening on //p' "$work/serve.out")
[ -n "$base" ] || { echo "frontline serve did not start:" >&2; tail -5 "$work/serve.log" >&2; exit 1; }
curl -sf "$base/v1/layers/line?source=deepstate&date=$date" > "$work/line.geojson"
curl -sf "$base/v1/layers/occupied?source=deepstate&date=$date" > "$work/occupied.geojson"
kill $server
"$py" "$repo/scripts/peers/scenario_same_line_peer.py" "$repo/geodata/borders/UKR.geojson" "$work/line.geojson" \
  "$work/occupied.geojson" "$width" "$repeat" 2>/dev/null
