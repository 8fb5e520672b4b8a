#!/usr/bin/env bash
# Refreshes web/vendor/: the dashboard's third-party browser code, taken from the npm registry at
# pinned versions (MapLibre GL JS for the map, uPlot for the timeline chart), with their licences.
# The files are committed and embedded in the binary (src/http/dashboard.rs), so a fresh clone
# builds with cargo alone; run this only to change a version (then commit web/vendor/).
# Usage: scripts/vendor-web.sh
set -euo pipefail
MAPLIBRE_VERSION=6.17.0
UPLOT_VERSION=1.6.32
here=$(cd "$(dirname "$0")/.." && pwd)
vendor="$here/web/vendor"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "maplibre-gl@$MAPLIBRE_VERSION" "uplot@$UPLOT_VERSION" >/dev/null)
mkdir -p "$work/maplibre" "$work/uplot" "$vendor"
tar -xzf "$work/maplibre-gl-$MAPLIBRE_VERSION.tgz" -C "$work/maplibre"
tar -xzf "$work/uplot-$UPLOT_VERSION.tgz" -C "$work/uplot"
m="$work/maplibre/package/dist"
u="$work/uplot/package/dist"
cp "$m/maplibre-gl.mjs" "$m/maplibre-gl-worker.mjs" "$m/maplibre-gl.css" "$vendor/"
cp "$work/maplibre/package/LICENSE.txt" "$vendor/LICENSE-maplibre-gl.txt"
cp "$u/uPlot.esm.js" "$u/uPlot.min.css" "$vendor/"
cp "$work/uplot/package/LICENSE" "$vendor/LICENSE-uplot.txt"
# The shared chunk of maplibre-gl 6 is empty in the published build: nothing imports it.
cat > "$vendor/VERSIONS" <<VERSIONS
maplibre-gl $MAPLIBRE_VERSION (npm; BSD-3-Clause, LICENSE-maplibre-gl.txt): maplibre-gl.mjs, maplibre-gl-worker.mjs, maplibre-gl.css
uplot $UPLOT_VERSION (npm; MIT, LICENSE-uplot.txt): uPlot.esm.js, uPlot.min.css
VERSIONS
(cd "$vendor" && sha256sum maplibre-gl.mjs maplibre-gl-worker.mjs maplibre-gl.css uPlot.esm.js uPlot.min.css >> VERSIONS)
echo "web/vendor refreshed:"
cat "$vendor/VERSIONS"
