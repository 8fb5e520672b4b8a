"""Synthetic check of the waters rule of make_geodata.py (issue 10, UNCLOS art. 15): two made-up
states side by side on one coast, the border state "UKR" to the west and a neighbour "NBR" to the
east, their land border meeting the sea at a right angle. The waters of UKR must hold exactly the
sea within 12 nautical miles of UKR's land that is not nearer NBR's land: the median line between
them, here the meridian of their land border near the coast. Every number is checked against
distances computed independently here (geodesic, pyproj.Geod), not against the construction.

Usage: python test_waters.py   (needs pyshp, shapely, pyproj, numpy; run by tests/waters_median.rs)
SYNTHETIC: these two states are made up; nothing here is geography.
"""
import os
import sys
import tempfile

import numpy as np
import pyproj
import shapefile
import shapely
import shapely.geometry
import shapely.ops

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_geodata  # noqa: E402

GEOD = pyproj.Geod(ellps="WGS84")
LIMIT_M = 12 * 1852.0
# Land: UKR [33.0, 34.5] x [46.0, 47.0], NBR [34.5, 36.0] x [46.0, 47.0]; sea to the south.
UKR = shapely.geometry.box(33.0, 46.0, 34.5, 47.0)
NBR = shapely.geometry.box(34.5, 46.0, 36.0, 47.0)


def segmentized(p):
    return shapely.segmentize(p, 0.01)


def dist_m(lon, lat, land):
    """Geodesic distance (m) from a point to a polygon's boundary, on its vertices every 0.001
    degree and the nearest point between them (planar in lon/lat, then measured geodesically)."""
    b = shapely.segmentize(land.boundary, 0.001)
    q = shapely.ops.nearest_points(b, shapely.geometry.Point(lon, lat))[0]
    return GEOD.inv(lon, lat, q.x, q.y)[2]


def main():
    with tempfile.TemporaryDirectory() as tmp:
        shp = os.path.join(tmp, "synthetic")
        w = shapefile.Writer(shp, shapeType=shapefile.POLYGON)
        w.field("ADM0_A3", "C", size=3)
        for iso3, g in [("UKR", UKR), ("NBR", NBR)]:
            ring = [list(c) for c in shapely.geometry.polygon.orient(segmentized(g), -1.0).exterior.coords]
            w.poly([ring])
            w.record(iso3)
        w.close()
        feats, neighbours = make_geodata.waters(shp + ".shp", "UKR", segmentized(UKR))
    assert neighbours == ["NBR"], neighbours
    cells = shapely.union_all([c for c, _ in feats])
    # 1. Sample the sea south of both states on a grid: inside the waters exactly when within
    # 12 nm of UKR and nearer UKR than NBR, away from the rule's tolerance band (the outline is
    # simplified to 20 m, distances sampled every 100 m: 150 m covers both with room).
    band = 150.0
    inside = outside = skipped = 0
    for lon in np.arange(33.2, 35.3, 0.01):
        for lat in np.arange(45.65, 46.0, 0.01):
            d_own, d_nbr = dist_m(lon, lat, UKR), dist_m(lon, lat, NBR)
            want = d_own <= LIMIT_M and d_own <= d_nbr
            margin = min(abs(d_own - LIMIT_M), abs(d_own - d_nbr) / 2)
            if margin < band:
                skipped += 1
                continue
            got = cells.contains(shapely.geometry.Point(lon, lat))
            assert got == want, (lon, lat, d_own, d_nbr, got)
            inside += got
            outside += not got
    assert inside > 1000 and outside > 1000, (inside, outside)
    # 2. The median line: near the coast, the waters end at the land border's meridian.
    for lat in (45.99, 45.95, 45.9, 45.85):
        west = shapely.geometry.Point(34.5 - 0.004, lat)
        east = shapely.geometry.Point(34.5 + 0.004, lat)
        assert cells.contains(west) and not cells.contains(east), lat
    # 3. Not on land, and every cell's anchor is on UKR's land, 1 m inland.
    assert cells.intersection(UKR).area < 1e-12 and cells.intersection(NBR).area < 1e-12
    for _, (ax, ay) in feats:
        assert UKR.contains(shapely.geometry.Point(ax, ay)), (ax, ay)
    print(f"waters median line: {inside} sea points inside and {outside} outside as the rule says, "
          f"{skipped} within {band:g} m of a limit not judged; {len(feats)} cells")


if __name__ == "__main__":
    main()
