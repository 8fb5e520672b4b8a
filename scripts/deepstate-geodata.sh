#!/usr/bin/env bash
# Makes a geodata directory that reads the shared DeepStateMap archive in place (nothing copied):
# the embedded border, waters and Crimea baseline, frontline.json (default_source deepstate) and
# sources/deepstate/source.json pointing at the archive. With --no-waters, the waters are left
# out: point statuses then follow the land rule only, as the peers' (shapely) classifications do.
# Usage: scripts/deepstate-geodata.sh [--no-waters] OUT_DIR [ARCHIVE_DIR]   (default archive: ../shared/data/deepstate)
#
# OUT_DIR must be new, empty, or a frontline geodata directory (it has frontline.json), and not
# inside this repository's geodata/ (which holds only our own and public-domain data, never
# DeepState-derived files). Nothing is overwritten that differs from what would be written, and
# an existing sources/deepstate must be such an archive source. Refusals exit 2 with the reason,
# before anything is written.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd -P)
refuse() {
  echo "deepstate-geodata.sh: refusing $out: $1" >&2
  exit 2
}
waters=1
if [ "${1:-}" = "--no-waters" ]; then waters=0; shift; fi
if [ $# -lt 1 ] || [ -z "$1" ]; then
  echo "usage: scripts/deepstate-geodata.sh [--no-waters] OUT_DIR [ARCHIVE_DIR]" >&2
  exit 2
fi
out=$1
archive_arg=${2:-$repo/../shared/data/deepstate}
[ -d "$archive_arg" ] || { echo "deepstate-geodata.sh: archive directory $archive_arg does not exist" >&2; exit 2; }
archive=$(cd "$archive_arg" && pwd -P)

# The absolute path of $1 with symbolic links resolved, whether or not it exists yet.
resolved() {
  local p=$1 rest=""
  case $p in /*) ;; *) p="$PWD/$p" ;; esac
  while [ ! -d "$p" ]; do
    rest="/$(basename "$p")$rest"
    p=$(dirname "$p")
  done
  echo "$(cd "$p" && pwd -P)$rest"
}

[ ! -e "$out" ] || [ -d "$out" ] || refuse "it exists and is not a directory"
target=$(resolved "$out")
own=$(cd "$repo/geodata" && pwd -P)
case "$target/" in
  "$own/"*) refuse "it is inside the repository's geodata/ ($own), which holds only our own and public-domain data, never DeepState-derived files; give a directory outside it" ;;
esac
if [ -d "$out" ] && [ -n "$(ls -A "$out")" ] && [ ! -f "$out/frontline.json" ]; then
  refuse "it is not empty and not a frontline geodata directory (no frontline.json); give a new or empty directory"
fi
if [ -e "$out/sources/deepstate" ]; then
  for f in "$out/sources/deepstate"/* "$out/sources/deepstate"/.[!.]*; do
    [ -e "$f" ] || continue
    [ "$(basename "$f")" = source.json ] && grep -q '"archive"' "$f" && continue
    refuse "sources/deepstate exists and is not an archive source made by this script ($(basename "$f")); move it away or give another directory"
  done
fi
# Files copied from the repository: refused when one exists with other content.
copies=("borders/UKR.geojson" "baselines/crimea.geojson")
if [ "$waters" = 1 ]; then copies+=("waters/UKR.geojson"); fi
for f in "${copies[@]}"; do
  if [ -e "$out/$f" ] && ! cmp -s "$repo/geodata/$f" "$out/$f"; then
    refuse "$f exists with other content than the repository's; move it away or give another directory"
  fi
done

for f in "${copies[@]}"; do
  mkdir -p "$out/$(dirname "$f")"
  cp "$repo/geodata/$f" "$out/$f"
done
mkdir -p "$out/sources/deepstate"
if [ ! -f "$out/frontline.json" ]; then
  echo '{"default_source": "deepstate"}' > "$out/frontline.json"
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
