#!/usr/bin/env bash
# Makes a geodata directory that reads the shared DeepStateMap archive in place (nothing copied):
# the embedded border and Crimea baseline plus sources/deepstate/source.json pointing at the archive.
# Usage: scripts/deepstate-geodata.sh OUT_DIR [ARCHIVE_DIR]   (default archive: ../shared/data/deepstate)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
out=$1
archive=$(cd "${2:-$repo/../shared/data/deepstate}" && pwd)
mkdir -p "$out/borders" "$out/baselines" "$out/sources/deepstate"
cp "$repo/geodata/borders/UKR.geojson" "$out/borders/"
cp "$repo/geodata/baselines/crimea.geojson" "$out/baselines/"
cat > "$out/sources/deepstate/source.json" <<JSON
{
  "description": "DeepStateMap archive read in place (Crimea and the areas occupied since 2014 included: no baseline)",
  "border": "UKR",
  "baselines": [],
  "archive": {"format": "deepstate", "dir": "$archive"}
}
JSON
echo "$out"
