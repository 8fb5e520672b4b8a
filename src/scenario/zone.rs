//! Geodesic zones: the points whose geodesic (WGS84) distance to a line is at most a width, as
//! polygons.
//!
//! How (a buffer built on the ellipsoid chunk by chunk, then merged):
//! 1. Each line is simplified (Douglas-Peucker, `geo`'s `SimplifyIdx`, in a local frame in km)
//!    with a tolerance of [`SIMPLIFY_KM`]: the distance to the simplified line differs from the
//!    distance to the line by at most that. Edges longer than [`MAX_EDGE_KM`] are cut (their
//!    points stay on the straight lon/lat edge).
//! 2. The zone is the union of pieces: for each edge, the hexagon between its normals at its two
//!    ends (the points whose nearest point is inside the edge), the normals walked to the width
//!    by the geodesic direct problem (Karney, `geo`'s `Geodesic`, i.e. geographiclib-rs) along
//!    the edge's local azimuth on the ellipsoid; at each vertex, a fan on the outer side of the
//!    turn (a round join); at each end of a line, a half disc (a round cap). Fan points are
//!    spaced so that the chord between two of them stays within [`ARC_SAG_KM`] of the circle.
//! 3. The pieces are not unioned one by one (a front drawn with 1 km edges and a 15 km zone
//!    makes every piece overlap thirty others: one overlay of all of them spends its time on
//!    the crossings of boundaries that all end up inside). The line is cut into chunks of
//!    [`CHUNK_EDGES`] edges; each chunk's pieces are written as one ring, their outline, whose
//!    winding number at a point is the number of pieces covering it (the boundaries two pieces
//!    share cancel; what is left is the offset at the width on each side, the round joins and,
//!    on the inner side of each turn, the two normals through the vertex, as Clipper's
//!    offsetting joins a concave corner). i_overlay (the engine `geo`'s `BooleanOps` runs on)
//!    fills it by the nonzero rule: the chunk's zone. Neighbouring chunks share an edge, so that
//!    each turn is inside a chunk. The chunks' zones are then unioned pairwise, neighbours first
//!    (a balanced tree): each overlay meets two outlines, not the pieces' inner boundaries.
//!    The chunks are outlined and filled, and the pairs of each level of the tree united, on
//!    every core (rayon); the order is kept, so that the result does not depend on the cores.
//!
//! The result is the union of the pieces, whatever the chunking. The error is the
//! simplification plus the sagitta of the fans (≤ 35 m together, inside the 50 m the tests
//! check with the exact distance of [`crate::index::line::NearestEdges`]). Written by hand
//! because no crate of the ecosystem buffers on the ellipsoid: `geo`'s and i_overlay's buffers
//! are planar (a projection would be off by hundreds of metres at the ends of a 1,000 km line).

use crate::coverage::{OverlayRule, overlay};
use crate::geodesy::{A, E2};
use geo::{Coord, Destination, Geodesic, LineString, MultiLineString, MultiPolygon, Point, Polygon, SimplifyIdx};
use rayon::prelude::*;

/// Douglas-Peucker tolerance of the line before it is buffered, km.
pub const SIMPLIFY_KM: f64 = 0.010;
/// Largest distance between a fan's chord and its circle, km.
pub const ARC_SAG_KM: f64 = 0.025;
/// Edges per chunk whose outline is filled on its own before the chunks are merged (measured on
/// the DeepState line of 2025-06-01 with a 15 km zone: 8 to 16 are alike, fewer pays in merges,
/// more in crossings).
pub const CHUNK_EDGES: usize = 12;
/// Edges longer than this are cut before buffering, km.
pub const MAX_EDGE_KM: f64 = 5.0;
/// Normals longer than this are walked in steps of this length (a geodesic is not a straight
/// lon/lat segment over hundreds of km), km.
const NORMAL_STEP_KM: f64 = 20.0;

/// How the zone polygons are made, as said in answers.
pub const METHOD: &str = "geodesic buffer: line simplified by 10 m (Douglas-Peucker, local frame); per-edge normals and round joins and caps walked by the geodesic direct problem (Karney, WGS84), chord sag <= 25 m; pieces written as one outline per chunk of 12 edges, filled with i_overlay (nonzero), chunks unioned pairwise; bound: the outline lies between w - 35 m and w + 10 m of exact geodesic distance from the line (10 m simplification either way, chords up to 25 m inside); checked against the exact geodesic distance to the line (tests: inside below w - 50 m, outside above w + 50 m)";

/// How far a zone's outline may lie from the exact geodesic distance w, m (the bound
/// [`METHOD`] states): the 10 m line simplification either way plus the 25 m chord sag inward.
pub const OUTLINE_TOLERANCE_M: f64 = 35.0;

/// Azimuth (degrees clockwise from north) at `at` of the straight lon/lat edge a-b.
fn azimuth(a: Coord<f64>, b: Coord<f64>, at: Coord<f64>) -> f64 {
    let phi = at.y.to_radians();
    let s = phi.sin();
    let w2 = 1.0 - E2 * s * s;
    let n = A / w2.sqrt();
    let m = A * (1.0 - E2) / (w2 * w2.sqrt());
    let east = (b.x - a.x).to_radians() * n * phi.cos();
    let north = (b.y - a.y).to_radians() * m;
    east.atan2(north).to_degrees()
}

/// The points of a normal (or fan ray) from `p` along `azimuth_deg`: every [`NORMAL_STEP_KM`]
/// and at the width, nearest first.
fn ray(p: Coord<f64>, azimuth_deg: f64, width_m: f64) -> Vec<Coord<f64>> {
    let steps = (width_m / (NORMAL_STEP_KM * 1e3)).ceil().max(1.0) as usize;
    (1..=steps)
        .map(|k| {
            let d = width_m * k as f64 / steps as f64;
            Geodesic.destination(Point(p), azimuth_deg, d).0
        })
        .collect()
}

/// The vertices of each line kept by the simplification, with long edges cut.
fn prepared(line: &LineString<f64>) -> Vec<Coord<f64>> {
    let c = &line.0;
    if c.len() < 2 {
        return c.clone();
    }
    let lat0 = c.iter().map(|p| p.y).sum::<f64>() / c.len() as f64;
    let k = lat0.to_radians().cos();
    let local = LineString(
        c.iter()
            .map(|p| Coord {
                x: p.x * k * crate::geodesy::KM_PER_DEGREE,
                y: p.y * 110.57,
            })
            .collect(),
    );
    // The local frame misjudges lengths by well under 1 % over the line's extent: the tolerance
    // is kept 10 % under the budget for it.
    let kept = local.simplify_idx(SIMPLIFY_KM * 0.9);
    let mut out: Vec<Coord<f64>> = Vec::with_capacity(kept.len());
    for w in kept.windows(2) {
        let (a, b) = (c[w[0]], c[w[1]]);
        let km = crate::geodesy::edge_length_m(a, b) / 1e3;
        let n = (km / MAX_EDGE_KM).ceil().max(1.0) as usize;
        for i in 0..n {
            let t = i as f64 / n as f64;
            out.push(Coord {
                x: a.x + t * (b.x - a.x),
                y: a.y + t * (b.y - a.y),
            });
        }
    }
    if let Some(&last) = kept.last() {
        out.push(c[last]);
    }
    out.dedup();
    out
}

/// Angle step (degrees) of fans at a width: the chord sags at most [`ARC_SAG_KM`].
fn fan_step_deg(width_m: f64) -> f64 {
    let sag = (ARC_SAG_KM * 1e3).min(width_m / 2.0);
    (2.0 * (1.0 - sag / width_m).acos()).to_degrees().clamp(0.05, 30.0)
}

/// A polygon from one ring, counterclockwise in lon/lat (the nonzero union needs one
/// orientation).
fn ccw(mut ring: Vec<Coord<f64>>) -> Option<Polygon<f64>> {
    if ring.len() < 3 {
        return None;
    }
    let twice_area: f64 = (0..ring.len())
        .map(|i| {
            let (p, q) = (ring[i], ring[(i + 1) % ring.len()]);
            p.x * q.y - q.x * p.y
        })
        .sum();
    if twice_area == 0.0 {
        return None;
    }
    if twice_area < 0.0 {
        ring.reverse();
    }
    if let Some(&first) = ring.first() {
        ring.push(first);
    }
    Some(Polygon::new(LineString(ring), vec![]))
}

/// A fan at `p` from azimuth `from` turning by `sweep` degrees (clockwise positive) to azimuth
/// `to` (the same direction as `from + sweep`), at the width, as a polygon with `p` as a vertex
/// (two of them make the disc around a line of one point). Its two sides are the
/// rays of [`ray`], point for point those of the neighbouring edges' pieces: a straight lon/lat
/// side would leave a sliver between them (a geodesic of 140 km bows 400 m off it).
fn fan(p: Coord<f64>, from: f64, sweep: f64, to: f64, width_m: f64, step: f64, out: &mut Vec<Polygon<f64>>) {
    let n = (sweep.abs() / step).ceil().max(1.0) as usize;
    let mut ring = Vec::with_capacity(n + 8);
    ring.push(p);
    ring.extend(ray(p, from, width_m));
    for i in 1..n {
        let az = from + sweep * i as f64 / n as f64;
        ring.push(Geodesic.destination(Point(p), az, width_m).0);
    }
    ring.extend(ray(p, to, width_m).into_iter().rev());
    out.extend(ccw(ring));
}

/// The outline of the pieces of edges `s..e` of `v` (edge `i` runs from `v[i]` to `v[i + 1]`,
/// with azimuths `az[i]` at its two ends): one ring whose winding number at a point is the
/// number of pieces (edge hexagons, round joins on the outer side of the turns between these
/// edges) covering it. Ends are round caps where `caps` says so (start, end), otherwise the
/// end edge's normal (a butt end, inside the neighbouring chunk's piece of that edge).
fn outline(
    v: &[Coord<f64>],
    az: &[(f64, f64)],
    (s, e): (usize, usize),
    caps: (bool, bool),
    width_m: f64,
) -> Vec<Coord<f64>> {
    let step = fan_step_deg(width_m);
    let at = |p: Coord<f64>, azimuth: f64| Geodesic.destination(Point(p), azimuth, width_m).0;
    // The inner points of an arc of the width around `p` (its two ends are pushed by the caller,
    // as the normals' ends that the neighbouring pieces share).
    let arc = |ring: &mut Vec<Coord<f64>>, p: Coord<f64>, from: f64, sweep: f64| {
        let k = (sweep.abs() / step).ceil().max(1.0) as usize;
        ring.extend((1..k).map(|j| at(p, from + sweep * j as f64 / k as f64)));
    };
    // Out from `p` along a normal to its end, or in from its end (already pushed) back to `p`.
    let out = |ring: &mut Vec<Coord<f64>>, p: Coord<f64>, azimuth: f64| ring.extend(ray(p, azimuth, width_m));
    let back = |ring: &mut Vec<Coord<f64>>, p: Coord<f64>, azimuth: f64| {
        let r = ray(p, azimuth, width_m);
        ring.extend(r.iter().rev().skip(1));
        ring.push(p);
    };
    // The turn at the end of edge i, clockwise positive: a right turn opens the left side.
    let turn = |i: usize| (az[i + 1].0 - az[i].1 + 540.0).rem_euclid(360.0) - 180.0;
    let mut ring = Vec::with_capacity(16 * (e - s) + 64);
    if caps.0 {
        ring.push(at(v[s], az[s].0 + 90.0));
    } else {
        ring.push(v[s]);
        out(&mut ring, v[s], az[s].0 + 90.0);
    }
    // The right side, forward: a join where the line turns left, the normals where it turns right.
    for i in s..e {
        ring.push(at(v[i + 1], az[i].1 + 90.0));
        if i + 1 < e {
            let t = turn(i);
            if t < 0.0 {
                arc(&mut ring, v[i + 1], az[i].1 + 90.0, t);
                ring.push(at(v[i + 1], az[i + 1].0 + 90.0));
            } else if t > 0.0 {
                back(&mut ring, v[i + 1], az[i].1 + 90.0);
                out(&mut ring, v[i + 1], az[i + 1].0 + 90.0);
            }
        }
    }
    let last = az[e - 1].1;
    if caps.1 {
        arc(&mut ring, v[e], last + 90.0, -180.0);
        ring.push(at(v[e], last - 90.0));
    } else {
        back(&mut ring, v[e], last + 90.0);
        out(&mut ring, v[e], last - 90.0);
    }
    // The left side, backward: a join where the line turns right, the normals where it turns left.
    for i in (s..e).rev() {
        ring.push(at(v[i], az[i].0 - 90.0));
        if i > s {
            let t = turn(i - 1);
            if t > 0.0 {
                arc(&mut ring, v[i], az[i].0 - 90.0, -t);
                ring.push(at(v[i], az[i - 1].1 - 90.0));
            } else if t < 0.0 {
                back(&mut ring, v[i], az[i].0 - 90.0);
                out(&mut ring, v[i], az[i - 1].1 - 90.0);
            }
        }
    }
    if caps.0 {
        arc(&mut ring, v[s], az[s].0 - 90.0, -180.0);
    } else {
        // Back to v[s], where the ring starts.
        back(&mut ring, v[s], az[s].0 - 90.0);
        ring.pop();
    }
    ring.dedup();
    ring
}

/// The zone around one line (vertices as [`prepared`]), chunk by chunk in order along the line:
/// each chunk's outline filled by the nonzero rule.
fn chunks(c: &[Coord<f64>], width_m: f64, out: &mut Vec<Vec<Polygon<f64>>>) {
    if c.len() == 1 {
        let step = fan_step_deg(width_m);
        let mut disc = Vec::new();
        fan(c[0], 0.0, 180.0, 180.0, width_m, step, &mut disc);
        fan(c[0], 180.0, 180.0, 360.0, width_m, step, &mut disc);
        let [u] = overlay(&disc, &[], [OverlayRule::Subject], false);
        out.push(u.0);
        return;
    }
    let closed = c.len() > 3 && c.first() == c.last();
    // A closed line goes on over its first edge again, so that the turn at its first vertex is
    // joined too (and has no caps).
    let v: Vec<Coord<f64>> = if closed {
        c.iter().chain(c.get(1)).copied().collect()
    } else {
        c.to_vec()
    };
    // Azimuths of each edge at its start and at its end.
    let az: Vec<(f64, f64)> = v
        .windows(2)
        .map(|w| (azimuth(w[0], w[1], w[0]), azimuth(w[0], w[1], w[1])))
        .collect();
    let edges = az.len();
    // Neighbouring chunks share an edge: each turn is inside one chunk, and each butt end
    // inside the other chunk's piece of the shared edge.
    let mut ranges = Vec::new();
    let mut s = 0;
    loop {
        let e = (s + CHUNK_EDGES + 1).min(edges);
        ranges.push((s, e));
        if e == edges {
            break;
        }
        s = e - 1;
    }
    // The chunks are independent: outlined and filled on every core, kept in their order.
    let filled: Vec<Vec<Polygon<f64>>> = ranges
        .into_par_iter()
        .filter_map(|(s, e)| {
            let caps = (!closed && s == 0, !closed && e == edges);
            let mut ring = outline(&v, &az, (s, e), caps, width_m);
            let &first = ring.first()?;
            if ring.len() < 3 {
                return None;
            }
            ring.push(first);
            let [u] = overlay(
                &[Polygon::new(LineString(ring), vec![])],
                &[],
                [OverlayRule::Subject],
                false,
            );
            Some(u.0)
        })
        .collect();
    out.extend(filled);
}

/// The union of `parts`, pairwise, neighbours first (a balanced tree: each overlay meets the
/// outlines of two neighbouring parts, which overlap near where they meet).
fn merge(mut parts: Vec<Vec<Polygon<f64>>>) -> MultiPolygon<f64> {
    while parts.len() > 1 {
        // The pairs of one level are independent: united on every core, kept in their order.
        let mut it = parts.into_iter();
        let mut pairs = Vec::new();
        while let Some(a) = it.next() {
            pairs.push((a, it.next()));
        }
        parts = pairs
            .into_par_iter()
            .map(|(a, b)| match b {
                Some(b) => {
                    let [u] = overlay(&a, &b, [OverlayRule::Union], false);
                    u.0
                }
                None => a,
            })
            .collect();
    }
    MultiPolygon(parts.pop().unwrap_or_default())
}

/// The zone of `width_km` around `lines`: the points within that geodesic distance of them
/// (see the module comment for how and how exactly).
pub fn zone(lines: &MultiLineString<f64>, width_km: f64) -> MultiPolygon<f64> {
    let width_m = width_km * 1e3;
    let mut parts = Vec::new();
    for l in &lines.0 {
        let c = prepared(l);
        if !c.is_empty() {
            chunks(&c, width_m, &mut parts);
        }
    }
    merge(parts)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::index::line::NearestEdges;

    /// Seeded uniform points (xorshift), reproducible.
    fn points(n: usize, seed: u64, lo: [f64; 2], hi: [f64; 2]) -> Vec<(f64, f64)> {
        let mut s = seed;
        let mut next = || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            (s >> 11) as f64 / (1u64 << 53) as f64
        };
        (0..n)
            .map(|_| (lo[0] + next() * (hi[0] - lo[0]), lo[1] + next() * (hi[1] - lo[1])))
            .collect()
    }

    /// The distance rule: every point nearer than w - 50 m inside, every point farther than
    /// w + 50 m outside; returns the number of points checked near the edge of the zone.
    pub(crate) fn check_distance_rule(lines: &MultiLineString<f64>, width_km: f64, pts: &[(f64, f64)]) -> usize {
        let z = zone(lines, width_km);
        let ix = crate::index::PolygonIndex::new(&z.0);
        let near = NearestEdges::new(lines.0.iter());
        let mut close = 0;
        for &(x, y) in pts {
            let d = near.nearest(x, y).unwrap().km;
            let inside = ix.locate(x, y).in_closed();
            if d < width_km - 0.05 {
                assert!(inside, "({x}, {y}) at {d} km is outside the {width_km} km zone");
            } else if d > width_km + 0.05 {
                assert!(!inside, "({x}, {y}) at {d} km is inside the {width_km} km zone");
            }
            if (d - width_km).abs() < 1.0 {
                close += 1;
            }
        }
        close
    }

    #[test]
    fn a_straight_meridian_line_gives_a_band_of_the_width() {
        let l = MultiLineString(vec![LineString::from(vec![(32.0, 47.0), (32.0, 48.0)])]);
        let pts = points(20_000, 7, [31.5, 46.7], [32.5, 48.3]);
        assert!(check_distance_rule(&l, 15.0, &pts) > 500);
        // The area: a band 30 km wide and the meridian's length, plus a disc of radius 15 km.
        let len_km = crate::geodesy::line_length_m(&l.0[0]) / 1e3;
        let want = 30.0 * len_km + std::f64::consts::PI * 15.0 * 15.0;
        let got = crate::geodesy::area_km2(&zone(&l, 15.0));
        assert!((got - want).abs() / want < 2e-3, "{got} vs {want}");
    }

    #[test]
    fn a_bend_and_a_wiggly_line_keep_the_distance_rule() {
        let bend = MultiLineString(vec![LineString::from(vec![(30.0, 47.0), (31.0, 47.5), (30.2, 48.0)])]);
        let pts = points(20_000, 11, [29.5, 46.6], [31.6, 48.4]);
        assert!(check_distance_rule(&bend, 20.0, &pts) > 500);
        // A zigzag of short edges (as a front is drawn), a closed square and a closed wavy ring
        // of more edges than a chunk (enclaves).
        let zig: Vec<(f64, f64)> = (0..400)
            .map(|i| (33.0 + i as f64 * 0.005, 48.0 + if i % 2 == 0 { 0.0 } else { 0.003 }))
            .collect();
        let ring = LineString::from(vec![
            (35.0, 47.0),
            (35.3, 47.0),
            (35.3, 47.2),
            (35.0, 47.2),
            (35.0, 47.0),
        ]);
        let wavy: Vec<(f64, f64)> = (0..=60)
            .map(|i| {
                let a = (i % 60) as f64 / 60.0 * std::f64::consts::TAU;
                let r = 0.12 + if i % 2 == 0 { 0.0 } else { 0.02 };
                (34.2 + r * a.cos() / 0.68, 47.4 + r * a.sin())
            })
            .collect();
        let ls = MultiLineString(vec![LineString::from(zig), ring, LineString::from(wavy)]);
        let pts = points(20_000, 13, [32.6, 46.7], [35.8, 48.4]);
        assert!(check_distance_rule(&ls, 5.0, &pts) > 100);
        assert!(check_distance_rule(&ls, 0.5, &pts) > 10);
    }

    /// The chunks are filled and united on every core: the zone is the one a single thread
    /// makes, vertex for vertex (a zigzag of 400 edges: 34 chunks, six levels of union).
    #[test]
    fn the_zone_on_every_core_is_the_zone_on_one() {
        let zig: Vec<(f64, f64)> = (0..400)
            .map(|i| (33.0 + i as f64 * 0.005, 48.0 + if i % 2 == 0 { 0.0 } else { 0.003 }))
            .collect();
        let l = MultiLineString(vec![LineString::from(zig)]);
        let one = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
        let many = rayon::ThreadPoolBuilder::new().num_threads(4).build().unwrap();
        let a = one.install(|| zone(&l, 5.0));
        let b = many.install(|| zone(&l, 5.0));
        assert!(!a.0.is_empty());
        assert_eq!(a, b);
    }

    #[test]
    fn a_wide_zone_keeps_the_rule() {
        let l = MultiLineString(vec![LineString::from(vec![(33.0, 47.0), (36.0, 48.5), (38.0, 47.5)])]);
        let pts = points(20_000, 17, [29.0, 44.0], [42.0, 51.5]);
        assert!(check_distance_rule(&l, 140.0, &pts) > 20);
    }
}
