#!/usr/bin/env bash
# Makes a geodata directory that reads the shared DeepStateMap archive in place (nothing copied):
# the embedded border, waters and Crimea baseline plus sources/deepstate/source.json pointing at the
# archive. With --no-waters, the waters are left out: point statuses then follow the land rule only,
# as the peers' (shapely) classifications do.
# Usage: scripts/deepstate-geodata.sh [--no-waters] OUT_DIR [ARCHIVE_DIR]   (default archive: ../shared/data/deepstate)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
waters=1
if [ "${1:-}" = "--no-waters" ]; then waters=0; shift; fi
out=$1
archive=$(cd "${2:-$repo/../shared/data/deepstate}" && pwd)
mkdir -p "$out/borders" "$out/baselines" "$out/sources/deepstate"
cp "$repo/geodata/borders/UKR.geojson" "$out/borders/"
cp "$repo/geodata/baselines/crimea.geojson" "$out/baselines/"
if [ "$waters" = 1 ]; then
  mkdir -p "$out/waters"
  cp "$repo/geodata/waters/UKR.geojson" "$out/waters/"
fi
cat > "$out/sources/deepstate/source.json" <<JSON
{
  "description": "DeepStateMap archive read in place (Crimea and the areas occupied since 2014 included: no baseline)",
  "border": "UKR",
  "baselines": [],
  "attribution": "© DeepStateMap (daily archive: cyterat/deepstate-map-data, GPL-3.0)",
  "url": "https://deepstatemap.live",
  "archive": {"format": "deepstate", "dir": "$archive"}
}
JSON
echo "$out"
