#!/usr/bin/env bash
# Scenario benchmark against the shapely + pyproj peer (../shared/bench/scenario_peer.py), both
# run here in the same session: a zone of WIDTH_KM (default 15) on each side of the DeepState
# line of contact of DATE (default 2025-06-01), clipped to the border, with geodesic areas.
# frontline: `frontline scenario --repeat N` on a geodata directory reading the shared archive in
# place (the median of the runs after the first, on computed control states as a server has them;
# the first run, computing the states too, is printed beside it). Peer: its median of REPEAT runs.
# Env: REPEAT (default 7), WIDTH_KM, DATE, PEER_PYTHON (default $TMPDIR/frontline-venv/bin/python,
# made with shapely and pyproj from PyPI when absent).
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
