#!/usr/bin/env python3
"""The peer of `frontline import deepstate-api`: shapely (GEOS) doing the same work on DeepStateMap's
own publications, single-threaded: read each `<unix seconds>.geojson.gz`, classify every Polygon (and
the Polygons of MultiPolygons and GeometryCollections, each on its own) from the English part of the name (Ukrainian where there is
none), the styleUrl colour and the fill, in that order, with the same tables as
src/geodata/deepstate_api.rs; drop points, lines and the third coordinate; make each polygon valid;
unite each class, clip it to the border, and write the kept classes as a GeoJSON file per
publication. Prints the median wall time of REPEAT runs (env, default 3) and the totals per class.

usage: deepstate_api_peer.py BORDER.geojson DIR OUT_DIR
"""
import collections, glob, gzip, json, os, re, statistics, sys, time

import shapely
from shapely.geometry import shape, mapping

# Keywords as whole words; a trailing * is a stem (the start of a word), as in
# src/geodata/deepstate_api.rs. Classes in the order a name's words decide (NAME_PRECEDENCE).
ENGLISH = [
    ("foreign", ["transnistria*", "abkhazia*", "karelia*", "petsamo", "salla", "pechorsk*", "kuril*", "estonia*",
                 "latvia*", "tskhinval*", "prussia*", "ichkeria*", "wagner*"]),
    ("contested", ["unknown", "contested", "contensed", "contenesed", "in doubt", "under question", "gray area",
                   "grey area", "grey zone", "gray zone"]),
    ("liberated", ["liberated", "taken back", "recaptured", "pushed back", "not occupied", "not under occupation",
                   "no longer occupied", "no longer under occupation", "no occupation", "unoccupied", "de-occupied",
                   "deoccupied", "de-occupation", "deoccupation", "free from occupation", "freed from occupation", "liberated from occupation",
                   "not captured", "no longer captured"]),
    ("occupied_before_2022", ["crimea*", "cadr", "calr", "tuzla"]),
    ("occupied_since_2022", ["occupied", "occupation*", "captured"]),
]
UKRAINIAN = [
    ("foreign", ["придністров*"]),
    ("contested", ["під питанням*", "невідомо*", "невідома*", "сіра зона*", "немає інфо*", "треба уточнення*"]),
    ("liberated", ["звільн*", "під контролем зсу*", "відкинуто*", "орки відсутні*", "не окупов*", "деокупов*"]),
    ("occupied_before_2022", ["крим*", "ордло*", "тузл*"]),
    ("occupied_since_2022", ["окупов*", "зайняті ворогом*", "захоплено*"]),
]
COLOURS = {"#a52714": "occupied_since_2022", "#000000": "occupied_before_2022", "#bcaaa4": "contested",
           "#bdbdbd": "contested", "#757575": "contested", "#0f9d58": "liberated", "#0288d1": "liberated",
           "#0097a7": "liberated", "#ff5252": "foreign", "#ce93d8": "foreign"}
KEPT = ("occupied_before_2022", "occupied_since_2022", "contested")


def pattern(words):
    alts = [re.escape(w[:-1]) if w.endswith("*") else re.escape(w) + r"(?!\w)" for w in words]
    return re.compile(r"(?<!\w)(?:" + "|".join(alts) + ")")


ENGLISH = [(c, pattern(ws)) for c, ws in ENGLISH]
UKRAINIAN = [(c, pattern(ws)) for c, ws in UKRAINIAN]


def by_text(text, table):
    text = text.lower()
    return [cls for cls, pat in table if pat.search(text)]


def classify(p, inside):
    """The class in the order of trust; `inside`: drawn inside the border, where foreign is set
    aside whoever says it."""
    ok = lambda c: c and not (inside and c == "foreign")
    name = p.get("name")
    if name is not None:
        parts = name.split("///")
        english = parts[1:]
        if any(e.strip() for e in english):
            cs = next((x for x in (by_text(e, ENGLISH) for e in english) if x), [])
        else:
            cs = by_text(parts[0], UKRAINIAN)
        cs = [c for c in cs if ok(c)]
        if cs:
            return cs[0]
    s = p.get("styleUrl") or ""
    if s.startswith("#poly-") and ok(COLOURS.get("#" + s[6:12].lower())):
        return COLOURS["#" + s[6:12].lower()]
    c = COLOURS.get((p.get("fill") or "").lower())
    return c if ok(c) else None


INSIDE = {}


def drawn_inside(m, border):
    """More than half of the polygon's area inside the border (cached by its coordinates)."""
    key = json.dumps(m.get("coordinates"))
    if key not in INSIDE:
        try:
            g = shapely.make_valid(shapely.force_2d(shape(m)))
            INSIDE[key] = g.area > 0 and shapely.intersection(g, border).area > g.area / 2
        except Exception:
            INSIDE[key] = False
    return INSIDE[key]


def run_once(border, files, out_dir):
    counts = collections.Counter()
    for fn in files:
        doc = json.load(gzip.open(fn))
        classes = collections.defaultdict(list)
        for f in doc["features"]:
            g = f.get("geometry") or {}
            t = g.get("type")
            members = g.get("geometries", []) if t == "GeometryCollection" else [g]
            # Every polygon on its own, those of a MultiPolygon too (foreign is decided per
            # polygon, where it is drawn).
            polys = []
            for m in members:
                if m.get("type") == "Polygon":
                    polys.append(m)
                elif m.get("type") == "MultiPolygon" and m.get("coordinates"):
                    polys.extend({"type": "Polygon", "coordinates": c} for c in m["coordinates"])
                elif m.get("type") == "MultiPolygon":
                    polys.append(m)
            if not polys:
                continue
            props = f.get("properties") or {}
            c = classify(props, False)
            if c == "foreign":
                # Foreign is where an area is drawn: a part drawn inside is decided by the rest.
                for m in polys:
                    k = classify(props, True) if drawn_inside(m, border) else "foreign"
                    counts[k or "unknown"] += 1
                    if k in KEPT:
                        try:
                            classes[k].append(shapely.make_valid(shapely.force_2d(shape(m))))
                        except Exception:
                            counts["invalid"] += 1
                continue
            counts[c or "unknown"] += len(polys)
            if c in KEPT:
                for m in polys:
                    try:
                        geom = shapely.force_2d(shape(m))
                    except Exception:
                        counts["invalid"] += 1
                        continue
                    classes[c].append(shapely.make_valid(geom))
        out = []
        for c in KEPT:
            if classes[c]:
                area = shapely.intersection(shapely.union_all(classes[c]), border)
                if not area.is_empty:
                    out.append({"type": "Feature", "properties": {"class": c}, "geometry": mapping(area)})
        name = os.path.basename(fn).split(".")[0] + ".geojson"
        with open(os.path.join(out_dir, name), "w") as fh:
            json.dump({"type": "FeatureCollection", "features": out}, fh)
    return counts


def main():
    border_path, data_dir, out_dir = sys.argv[1:4]
    border = shapely.union_all([shape(f["geometry"]) for f in json.load(open(border_path))["features"]])
    shapely.prepare(border)
    files = sorted(glob.glob(os.path.join(data_dir, "*.geojson.gz")))
    os.makedirs(out_dir, exist_ok=True)
    times = []
    for _ in range(int(os.environ.get("REPEAT", "3"))):
        t0 = time.perf_counter()
        counts = run_once(border, files, out_dir)
        times.append(time.perf_counter() - t0)
    print(json.dumps({"files": len(files), "median_s": statistics.median(times), "runs_s": times,
                      "polygons_per_class": dict(counts)}))


if __name__ == "__main__":
    main()
