#!/usr/bin/env python3
"""Shapely/pyproj peer of `GET /v1/agreement?summary=true` for two sources on one date (issue 13's
Performance: frontline at least 5x this): per layer (occupied, contested), the area both call so
(intersection), the area one alone calls so (symmetric difference) and their union, with geodesic
WGS84 areas (pyproj). The inputs are the layers exported from frontline (`/v1/layers/{layer}` at
precision 15), so that both measure the same polygons; only the overlays and the areas are timed
(parsing is not), the median of REPEAT runs.
Usage: agreement_peer.py A_OCCUPIED A_CONTESTED B_OCCUPIED B_CONTESTED [REPEAT=7]
Prints JSON: per layer agreed/disputed/envelope km2 (geodesic edges, as timed), the same areas
with every edge cut at 0.01 degree first (`check`: frontline takes edges straight in lon/lat, see
the README's Semantics; cut this fine, the geodesic and the straight edge enclose the same area
to ~1e-9, so that this is what frontline's figures are compared with), and median_s, min_s,
max_s."""
import json, sys, time, statistics
import shapely
from shapely.geometry import shape
from pyproj import Geod

geod = Geod(ellps="WGS84")
area = lambda g: 0.0 if g.is_empty else abs(geod.geometry_area_perimeter(g)[0]) / 1e6


def layer(path):
    fc = json.load(open(path))
    geoms = [shape(f["geometry"]) for f in fc["features"] if f.get("geometry")]
    return shapely.union_all(geoms) if geoms else shapely.Polygon()


a_occ, a_con, b_occ, b_con = (layer(p) for p in sys.argv[1:5])
repeat = int(sys.argv[5]) if len(sys.argv) > 5 else 7


def agreement(a, b, measure=area):
    both = a.intersection(b)
    disputed = a.symmetric_difference(b)
    envelope = a.union(b)
    return {"agreed_km2": measure(both), "disputed_km2": measure(disputed), "envelope_km2": measure(envelope)}


def run(measure=area):
    return {"occupied": agreement(a_occ, b_occ, measure), "contested": agreement(a_con, b_con, measure)}


times, out = [], None
for _ in range(repeat):
    t = time.perf_counter()
    out = run()
    times.append(time.perf_counter() - t)
out["check"] = run(lambda g: area(shapely.segmentize(g, 0.01)))
out["median_s"], out["min_s"], out["max_s"] = statistics.median(times), min(times), max(times)
print(json.dumps(out))
