#!/usr/bin/env python3
"""Writes a seeded scenario document with many large, overlapping negotiated exclusions (issue 11,
fresh tester F1): COUNT star polygons of VERTICES vertices each, centred at random in lon 30-38,
lat 47-51 with outer radii 0.3-1.5 degrees (spikes alternating with an inner radius of 0.5-0.8
of it), on the embedded geodata's `example` source, with one 15 km zone and, with --waters, the
border's waters. Standard library only; the same arguments give the same bytes.

    python3 scripts/scenario-stars.py --count 64 --vertices 2400 --waters > /tmp/stars.json
    /usr/bin/time -v target/release/frontline scenario /tmp/stars.json
    curl -s -H 'Content-Type: application/json' --data-binary @/tmp/stars.json \\
        http://127.0.0.1:8080/v1/scenarios/preview
"""
import argparse
import json
import math
import random
import sys


def star(rng, vertices):
    cx, cy = rng.uniform(30.0, 38.0), rng.uniform(47.0, 51.0)
    outer = rng.uniform(0.3, 1.5)
    inner = outer * rng.uniform(0.5, 0.8)
    turn = rng.uniform(0.0, 2.0 * math.pi)
    ring = []
    for i in range(vertices):
        a = turn + 2.0 * math.pi * i / vertices
        r = outer if i % 2 == 0 else inner
        ring.append([round(cx + r * math.cos(a), 6), round(cy + r * math.sin(a), 6)])
    ring.append(ring[0])
    return ring


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--count", type=int, default=64)
    p.add_argument("--vertices", type=int, default=2400)
    p.add_argument("--seed", type=int, default=11)
    p.add_argument("--waters", action="store_true")
    p.add_argument("--source", default="example")
    p.add_argument("--date", default="2024-09-01")
    a = p.parse_args()
    rng = random.Random(a.seed)
    doc = {
        "source": a.source,
        "ceasefire_date": a.date,
        "policy": {
            "waters": a.waters,
            "exclusions": [
                {"name": f"star {i}", "geometry": {"type": "Polygon", "coordinates": [star(rng, a.vertices)]}}
                for i in range(a.count)
            ],
        },
        "zones": [{"name": "15 km", "reference": {"date": a.date}, "side": "both", "width_km": 15}],
    }
    json.dump(doc, sys.stdout, separators=(",", ":"))
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
