//! Geodesic zones: the points whose geodesic (WGS84) distance to a line is at most a width, as
//! polygons.
//!
//! How (a buffer built piece by piece on the ellipsoid, then unioned):
//! 1. Each line is simplified (Douglas-Peucker, `geo`'s `SimplifyIdx`, in a local frame in km)
//!    with a tolerance of [`SIMPLIFY_KM`]: the distance to the simplified line differs from the
//!    distance to the line by at most that. Edges longer than [`MAX_EDGE_KM`] are cut (their
//!    points stay on the straight lon/lat edge).
//! 2. At each end of each edge, the normals to the edge (its local azimuth on the ellipsoid, as
//!    a straight lon/lat edge runs there) are walked to the width by the geodesic direct problem
//!    (Karney, `geo`'s `Geodesic`, i.e. geographiclib-rs); each edge gives the quadrilateral (a
//!    hexagon through its two ends) between its normals: the points whose nearest point is
//!    inside the edge.
//! 3. At each vertex, the outer side of the turn gets a fan of points at the width (a round
//!    join); each end of a line a half disc (a round cap). Fan points are spaced so that the chord
//!    between two of them stays within [`ARC_SAG_KM`] of the circle.
//! 4. Every piece, turned counterclockwise, is unioned in one i_overlay graph (nonzero rule),
//!    the engine `geo`'s `BooleanOps` runs on.
//!
//! The error is the simplification plus the sagitta of the fans (≤ 30 m together, well inside
//! the 50 m the tests check with the exact distance of [`crate::index::line::NearestEdges`]).
//! Written by hand because no crate of the ecosystem buffers on the ellipsoid: `geo`'s and
//! i_overlay's buffers are planar (a projection would be off by hundreds of metres at the ends
//! of a 1,000 km line).

use crate::coverage::{OverlayRule, overlay};
use geo::{Coord, Destination, Geodesic, LineString, MultiLineString, MultiPolygon, Point, Polygon, SimplifyIdx};

/// Douglas-Peucker tolerance of the line before it is buffered, km.
pub const SIMPLIFY_KM: f64 = 0.010;
/// Largest distance between a fan's chord and its circle, km.
pub const ARC_SAG_KM: f64 = 0.015;
/// Edges longer than this are cut before buffering, km.
pub const MAX_EDGE_KM: f64 = 5.0;
/// Normals longer than this are walked in steps of this length (a geodesic is not a straight
/// lon/lat segment over hundreds of km), km.
const NORMAL_STEP_KM: f64 = 20.0;

/// How the zone polygons are made, as said in answers.
pub const METHOD: &str = "geodesic buffer: line simplified by 10 m (Douglas-Peucker, local frame); per-edge normals and round joins and caps walked by the geodesic direct problem (Karney, WGS84), chord sag <= 15 m; pieces unioned with i_overlay (nonzero); checked against the exact geodesic distance to the line (tests: inside below w - 50 m, outside above w + 50 m)";

/// WGS84 semi-major axis, m.
const A: f64 = 6_378_137.0;
/// WGS84 first eccentricity squared.
const E2: f64 = (1.0 / 298.257_223_563) * (2.0 - 1.0 / 298.257_223_563);

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
/// `to` (the same direction as `from + sweep`, given as the caller computed it for the
/// neighbouring piece), at the width, as a polygon with `p` as a vertex. Its two sides are the
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

/// The pieces of the zone around one line (vertices as [`prepared`]).
fn pieces(c: &[Coord<f64>], width_m: f64, out: &mut Vec<Polygon<f64>>) {
    let step = fan_step_deg(width_m);
    if c.len() == 1 {
        fan(c[0], 0.0, 180.0, 180.0, width_m, step, out);
        fan(c[0], 180.0, 180.0, 360.0, width_m, step, out);
        return;
    }
    let closed = c.len() > 3 && c.first() == c.last();
    let n = c.len() - 1;
    // Azimuths of each edge at its start and at its end.
    let az: Vec<(f64, f64)> = c
        .windows(2)
        .map(|w| (azimuth(w[0], w[1], w[0]), azimuth(w[0], w[1], w[1])))
        .collect();
    // Each edge's piece: the hexagon between its normals, with the round join at its end on the
    // outer side of the turn (one simple polygon, star-shaped around the end vertex: half as many
    // pieces, and no normal drawn twice, which the union pays for).
    for i in 0..n {
        let (a, b) = (c[i], c[i + 1]);
        let (za, zb) = az[i];
        let next = if i + 1 < n {
            Some(az[i + 1].0)
        } else if closed {
            Some(az[0].0)
        } else {
            None
        };
        // The turn at b, clockwise positive: a right turn opens the left side.
        let turn = next.map_or(0.0, |z_out| (z_out - zb + 540.0).rem_euclid(360.0) - 180.0);
        let arc = |from: f64, sweep: f64| {
            let k = (sweep.abs() / step).ceil().max(1.0) as usize;
            (1..k)
                .map(|j| {
                    Geodesic
                        .destination(Point(b), from + sweep * j as f64 / k as f64, width_m)
                        .0
                })
                .collect::<Vec<_>>()
        };
        let mut ring = vec![a];
        ring.extend(ray(a, za + 90.0, width_m));
        match next {
            Some(z_out) if turn < -1e-9 => {
                ring.extend(ray(b, zb + 90.0, width_m).last().copied());
                ring.extend(arc(zb + 90.0, turn));
                ring.extend(ray(b, z_out + 90.0, width_m).into_iter().rev());
            }
            _ => ring.extend(ray(b, zb + 90.0, width_m).into_iter().rev()),
        }
        ring.push(b);
        match next {
            Some(z_out) if turn > 1e-9 => {
                ring.extend(ray(b, z_out - 90.0, width_m));
                ring.extend(arc(z_out - 90.0, -turn));
                ring.extend(ray(b, zb - 90.0, width_m).last().copied());
            }
            _ => ring.extend(ray(b, zb - 90.0, width_m)),
        }
        ring.extend(ray(a, za - 90.0, width_m).into_iter().rev());
        out.extend(ccw(ring));
    }
    if !closed {
        // Round caps: a half disc behind the start and ahead of the end.
        fan(c[0], az[0].0 + 90.0, 180.0, az[0].0 - 90.0, width_m, step, out);
        fan(c[n], az[n - 1].1 - 90.0, 180.0, az[n - 1].1 + 90.0, width_m, step, out);
    }
}

/// The zone of `width_km` around `lines`: the points within that geodesic distance of them
/// (see the module comment for how and how exactly).
pub fn zone(lines: &MultiLineString<f64>, width_km: f64) -> MultiPolygon<f64> {
    let width_m = width_km * 1e3;
    let mut polys = Vec::new();
    for l in &lines.0 {
        let c = prepared(l);
        if !c.is_empty() {
            pieces(&c, width_m, &mut polys);
        }
    }
    if polys.is_empty() {
        return MultiPolygon(vec![]);
    }
    let [union] = overlay(&polys, &[], [OverlayRule::Subject], false);
    union
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
        // A zigzag of short edges (as a front is drawn), and a closed ring (an enclave).
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
        let ls = MultiLineString(vec![LineString::from(zig), ring]);
        let pts = points(20_000, 13, [32.6, 46.7], [35.8, 48.4]);
        assert!(check_distance_rule(&ls, 5.0, &pts) > 100);
        assert!(check_distance_rule(&ls, 0.5, &pts) > 10);
    }

    #[test]
    fn a_wide_zone_keeps_the_rule() {
        let l = MultiLineString(vec![LineString::from(vec![(33.0, 47.0), (36.0, 48.5), (38.0, 47.5)])]);
        let pts = points(20_000, 17, [29.0, 44.0], [42.0, 51.5]);
        assert!(check_distance_rule(&l, 140.0, &pts) > 20);
    }
}
