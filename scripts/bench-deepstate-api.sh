#!/usr/bin/env bash
# Import of DeepStateMap's own publications (../shared/data/deepstate-raw, 779 files) with
# `frontline import deepstate-api` into a fresh copy of the embedded geodata, against its peer
# `scripts/peers/deepstate_api_peer.py` (shapely/GEOS, one thread: the same classification,
# third coordinate dropped, polygons made valid, union per class, clip, one GeoJSON written per
# publication), alternating in the same run. Prints the median wall and CPU (user+sys) seconds of
# RUNS runs each (default 3) and the ratios. Needs the venv of scripts/bench-engine.sh
# ($TMPDIR/frontline-venv with shapely).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
runs=${RUNS:-3}
work=${WORK:-${TMPDIR:-/tmp}/frontline-deepstate-api}
venv=${TMPDIR:-/tmp}/frontline-venv
raw=$repo/../shared/data/deepstate-raw
bin=$repo/target/release/frontline
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv" && "$venv/bin/pip" install -q shapely
fi
[ -n "${SKIP_BUILD:-}" ] || (cd "$repo" && cargo build --release --quiet)
ours=(); ours_cpu=(); peer=(); peer_cpu=(); again=()
for _ in $(seq "$runs"); do
  rm -rf "$work" && mkdir -p "$work" && cp -r "$repo/geodata" "$work/geodata"
  /usr/bin/time -f "%e %U %S" -o "$work/t_ours" "$bin" import deepstate-api "$raw" --source deepstate-api --data "$work/geodata" > "$work/ours.txt"
  /usr/bin/time -f "%e %U %S" -o "$work/t_again" "$bin" import deepstate-api "$raw" --source deepstate-api --data "$work/geodata" > "$work/again.txt"
  REPEAT=1 /usr/bin/time -f "%e %U %S" -o "$work/t_peer" "$venv/bin/python" "$repo/scripts/peers/deepstate_api_peer.py" \
    "$repo/geodata/borders/UKR.geojson" "$raw" "$work/peer-out" > "$work/peer.json"
  read -r w u s < "$work/t_ours"; ours+=("$w"); ours_cpu+=("$(echo "$u + $s" | bc)")
  read -r w u s < "$work/t_peer"; peer+=("$w"); peer_cpu+=("$(echo "$u + $s" | bc)")
  read -r w u s < "$work/t_again"; again+=("$w")
done
head -3 "$work/ours.txt"; head -1 "$work/again.txt"; cat "$work/peer.json"
python3 - "${ours[*]}" "${ours_cpu[*]}" "${peer[*]}" "${peer_cpu[*]}" "${again[*]}" <<'PY'
import statistics, sys
o, oc, p, pc, a = ([float(x) for x in arg.split()] for arg in sys.argv[1:6])
m = statistics.median
print(f"frontline import deepstate-api: wall {m(o):.2f} s [{min(o):.2f}-{max(o):.2f}], cpu {m(oc):.2f} s; again (nothing written) {m(a):.2f} s")
print(f"shapely peer:                   wall {m(p):.2f} s [{min(p):.2f}-{max(p):.2f}], cpu {m(pc):.2f} s")
print(f"ratio (peer / frontline): wall {m(p) / m(o):.1f}x, cpu {m(pc) / m(oc):.1f}x")
PY
