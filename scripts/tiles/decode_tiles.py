#!/usr/bin/env python3
"""Reads frontline's vector tiles with a decoder that is not ours (mapbox-vector-tile, PyPI) and
measures them with shapely and pyproj, for tests/real_tiles.rs.

Usage: decode_tiles.py DIR [LAYER]   (DIR holds Z-X-Y.mvt files; prints one JSON object)

For every tile: every polygon of every layer is checked with shapely's is_valid in tile
coordinates (as decoded); the polygons of the `occupied` layer (or LAYER: `area` and `zones`
of a scenario's tiles, for tests/tiles.rs) are projected back to lon/lat
(Web Mercator inverse) and unioned over all tiles, and the union's geodesic area is measured
(pyproj.Geod, WGS84); the lines of the `line` layer are cut to the tile's own square (no buffer,
so that neighbouring tiles do not count the same stretch twice) and their geodesic lengths
added up. Feature counts per layer are printed per tile, to compare with GDAL's reading.
"""
import json
import math
import os
import sys

import mapbox_vector_tile
import shapely
from pyproj import Geod
import numpy as np
from shapely.geometry import box, shape


def lon_lat(z, x, y):
    """The inverse Web Mercator of tile (z, x, y)'s coordinates, for shapely.transform."""
    n = 2.0 ** z

    def f(c):
        wx = (x + c[:, 0] / 4096.0) / n
        wy = (y + c[:, 1] / 4096.0) / n
        lon = wx * 360.0 - 180.0
        lat = np.degrees(np.arctan(np.sinh(math.pi * (1.0 - 2.0 * wy))))
        return np.column_stack([lon, lat])

    return f


def main(folder, union_layer):
    geod = Geod(ellps="WGS84")
    square = box(0, 0, 4096, 4096)
    occupied = []
    line_km = 0.0
    polygons = invalid = 0
    invalid_where = []
    counts = {}
    for name in sorted(os.listdir(folder)):
        if not name.endswith(".mvt"):
            continue
        z, x, y = (int(v) for v in name[:-4].split("-"))
        data = open(os.path.join(folder, name), "rb").read()
        tile = mapbox_vector_tile.decode(data, default_options={"y_coord_down": True})
        to_lon_lat = lon_lat(z, x, y)
        counts[name] = {layer: len(v["features"]) for layer, v in tile.items()}
        for layer, content in tile.items():
            for feat in content["features"]:
                g = shape(feat["geometry"])
                if g.geom_type in ("Polygon", "MultiPolygon"):
                    parts = list(g.geoms) if g.geom_type == "MultiPolygon" else [g]
                    for p in parts:
                        polygons += 1
                        if not p.is_valid:
                            invalid += 1
                            invalid_where.append(f"{name} {layer} {shapely.is_valid_reason(p)}")
                    if not g.is_valid:
                        invalid += 1
                        invalid_where.append(f"{name} {layer} (multipolygon) {shapely.is_valid_reason(g)}")
                    if layer == union_layer:
                        occupied.append(shapely.transform(g, to_lon_lat))
                elif layer == "line":
                    inside = g.intersection(square)
                    if not inside.is_empty:
                        line_km += geod.geometry_length(shapely.transform(inside, to_lon_lat)) / 1000.0
    union = shapely.union_all(occupied) if occupied else None
    area_km2 = abs(geod.geometry_area_perimeter(union)[0]) / 1e6 if union is not None else 0.0
    print(json.dumps({
        "tiles": len(counts),
        "polygons": polygons,
        "invalid": invalid,
        "invalid_where": invalid_where[:20],
        "layer": union_layer,
        "layer_km2": area_km2,
        "occupied_km2": area_km2 if union_layer == "occupied" else None,
        "line_km": line_km,
        "counts": counts,
    }))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "occupied")
