#!/usr/bin/env python3
"""Shapely/pyproj peer for issue 11's scenario benchmark on the *same* line of contact as frontline.

`../shared/bench/scenario_peer.py` derives its own line from the raw DeepState day (the boundary of
the occupied area minus the border's boundary), which is longer than frontline's line of contact
(2,205.8 km against 1,200.4 km on 2025-06-01): the two then buffer different lines. This peer takes
frontline's own line of contact and occupied layer (GeoJSON from `GET /v1/layers/line` and
`GET /v1/layers/occupied`, fetched by `scripts/bench-scenario.sh`) and times only what
`frontline scenario --repeat` times once the control state is computed: the zone of W km on each
side of the line (buffer in an azimuthal equidistant projection centred on the line, as the shared
peer does), clipped to the border, split by side, with geodesic areas (pyproj's Geod, WGS84).

Usage: scenario_same_line_peer.py BORDER.geojson LINE.geojson OCCUPIED.geojson [WIDTH_KM=15] [REPEAT=5]
Prints JSON: the figures and median/min/max seconds."""
import json
import statistics
import sys
import time

import shapely
from pyproj import Geod, Transformer
from shapely.geometry import shape
from shapely.ops import transform

border_path, line_path, occupied_path = sys.argv[1:4]
width_km = float(sys.argv[4]) if len(sys.argv) > 4 else 15.0
repeat = int(sys.argv[5]) if len(sys.argv) > 5 else 5
geod = Geod(ellps="WGS84")


def area(g):
    return abs(geod.geometry_area_perimeter(g)[0]) / 1e6


def load(path):
    return [shape(f["geometry"]) for f in json.load(open(path))["features"] if f.get("geometry")]


border = shapely.union_all(load(border_path))
line = shapely.union_all(load(line_path))
occ = shapely.union_all(load(occupied_path))


def run():
    c = line.centroid
    aeqd = f"+proj=aeqd +lat_0={c.y} +lon_0={c.x} +datum=WGS84 +units=m"
    fwd = Transformer.from_crs("EPSG:4326", aeqd, always_xy=True).transform
    inv = Transformer.from_crs(aeqd, "EPSG:4326", always_xy=True).transform
    zone = transform(inv, transform(fwd, line).buffer(width_km * 1000.0, quad_segs=16))
    zone = zone.intersection(border)
    covered_side = zone.difference(occ)
    occupied_side = zone.intersection(occ)
    return {
        "line_km": geod.geometry_length(line) / 1000.0,
        "zone_km2": area(zone),
        "zone_covered_side_km2": area(covered_side),
        "zone_occupied_side_km2": area(occupied_side),
    }


times, out = [], None
for _ in range(repeat):
    t = time.perf_counter()
    out = run()
    times.append(time.perf_counter() - t)
out["median_s"] = statistics.median(times)
out["min_s"] = min(times)
out["max_s"] = max(times)
out["width_km_each_side"] = width_km
print(json.dumps(out, indent=1))
