//! The line of contact: the part of the occupied area's boundary that lies inside the recognized
//! territory (not along the international border, not along the coast), as lines with their
//! geodesic length, and the geodesic distance from a point to it.

use geo::{Coord, Distance, Geodesic, LineString, MultiLineString, MultiPolygon, Point};
use rstar::primitives::{GeomWithData, Line as RLine};
use rstar::{AABB, RTree};

/// Distance (degrees) within which an occupied edge counts as lying on the border's boundary:
/// about 1 cm, far above the overlay's snapping (1e-9 degrees), far below any real feature.
const ON_BORDER_DEG: f64 = 1e-7;

/// A piece of the occupied boundary that stays within this distance of the border's boundary
/// along its whole length is left out of the line of contact (see [`LineOfContact::new`]).
///
/// 5 km is Natural Earth 1:10m's nominal precision (0.5 mm at 1:10,000,000): on the DeepState
/// archive (2025-06-01) the boundary has 167 pieces inside the border, 2,356 km; every piece but
/// the front itself (1,124 km) and two short ones lies along the coast of Crimea and the Sea of
/// Azov or the Russian border, where the source drew them apart from Natural Earth. Left out,
/// they are still counted (`coastal_pieces`, `coastal_km`) and reported with the layer.
pub const COAST_TOLERANCE_KM: f64 = 5.0;

type Seg = GeomWithData<RLine<[f64; 2]>, ()>;
/// An edge in a frame with scaled longitudes, carrying its lon/lat ends.
type ScaledSeg = GeomWithData<RLine<[f64; 2]>, ([f64; 2], [f64; 2])>;

/// The border's boundary, indexed for "does this edge lie on it".
#[derive(Debug)]
pub struct BorderEdges {
    tree: RTree<Seg>,
}

impl BorderEdges {
    /// Indexes every ring edge of the border.
    pub fn new(border: &MultiPolygon<f64>) -> Self {
        let segs = rings(border)
            .flat_map(|r| {
                r.0.windows(2)
                    .map(|w| GeomWithData::new(RLine::new([w[0].x, w[0].y], [w[1].x, w[1].y]), ()))
            })
            .collect();
        BorderEdges {
            tree: RTree::bulk_load(segs),
        }
    }

    /// Whether the segment a-b lies along the border's boundary (both ends and the middle within
    /// [`ON_BORDER_DEG`] of one border edge... or of the boundary, where it turns a corner).
    fn covers(&self, a: Coord<f64>, b: Coord<f64>) -> bool {
        let mid = Coord {
            x: (a.x + b.x) / 2.0,
            y: (a.y + b.y) / 2.0,
        };
        [a, mid, b].iter().all(|p| self.near(*p))
    }

    /// Whether `p` lies within about `km` of the border's boundary (measured in a local
    /// equirectangular frame: a threshold, not a reported figure).
    fn within_km(&self, p: Coord<f64>, km: f64) -> bool {
        const KM_PER_DEG: f64 = 111.32;
        let k = p.y.to_radians().cos().max(1e-6);
        let (dy, dx) = (km / KM_PER_DEG, km / KM_PER_DEG / k);
        let env = AABB::from_corners([p.x - dx, p.y - dy], [p.x + dx, p.y + dy]);
        self.tree.locate_in_envelope_intersecting(&env).any(|s| {
            let (q, r) = (s.geom().from, s.geom().to);
            let scaled = |c: [f64; 2]| Coord {
                x: (c[0] - p.x) * k,
                y: c[1] - p.y,
            };
            segment_distance_deg(Coord { x: 0.0, y: 0.0 }, scaled(q), scaled(r)) * KM_PER_DEG <= km
        })
    }

    fn near(&self, p: Coord<f64>) -> bool {
        let env = AABB::from_corners(
            [p.x - ON_BORDER_DEG, p.y - ON_BORDER_DEG],
            [p.x + ON_BORDER_DEG, p.y + ON_BORDER_DEG],
        );
        self.tree.locate_in_envelope_intersecting(&env).any(|s| {
            let (q, r) = (s.geom().from, s.geom().to);
            segment_distance_deg(p, Coord { x: q[0], y: q[1] }, Coord { x: r[0], y: r[1] }) <= ON_BORDER_DEG
        })
    }
}

fn rings(mp: &MultiPolygon<f64>) -> impl Iterator<Item = &LineString<f64>> {
    mp.0.iter()
        .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
}

/// Distance (degrees of latitude) from (lon, lat) to the edge a-b in the local frame where
/// longitudes are scaled by `k`, and the edge parameter of the foot of the perpendicular.
fn local_foot(lon: f64, lat: f64, k: f64, a: [f64; 2], b: [f64; 2]) -> (f64, f64) {
    let (ax, ay, bx, by) = ((a[0] - lon) * k, a[1] - lat, (b[0] - lon) * k, b[1] - lat);
    let (dx, dy) = (bx - ax, by - ay);
    let len2 = dx * dx + dy * dy;
    let t = if len2 == 0.0 {
        0.0
    } else {
        (-(ax * dx + ay * dy) / len2).clamp(0.0, 1.0)
    };
    ((ax + t * dx).hypot(ay + t * dy), t)
}

/// The smallest geodesic distance (m) from `p` to the edge a-b (its points interpolated in
/// lon/lat, as polygon edges are drawn), starting from the parameter `t0`, and the parameter of
/// the nearest point found: rounds of a parabola through the distances at t - h, t, t + h, with
/// h shrinking tenfold each round.
fn refine(p: Point<f64>, a: [f64; 2], b: [f64; 2], t0: f64) -> (f64, f64) {
    let f = |t: f64| {
        let t = t.clamp(0.0, 1.0);
        Geodesic.distance(p, Point::new(a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])))
    };
    let (mut t, mut h) = (t0.clamp(0.0, 1.0), 0.02);
    let mut best = f(t);
    for _ in 0..3 {
        let (fm, fp) = (f(t - h), f(t + h));
        let curvature = fm - 2.0 * best + fp;
        let next = if curvature > 0.0 {
            (t + h * (fm - fp) / (2.0 * curvature)).clamp(0.0, 1.0)
        } else if fm < fp {
            (t - h).max(0.0)
        } else {
            (t + h).min(1.0)
        };
        let fnext = f(next);
        // The best of the four evaluated parameters; ties keep the earlier one.
        for (tc, fc) in [(next, fnext), ((t - h).max(0.0), fm), ((t + h).min(1.0), fp)] {
            if fc < best {
                best = fc;
                t = tc;
            }
        }
        h /= 10.0;
    }
    (best, t)
}

/// Planar distance (degrees) from p to segment a-b.
fn segment_distance_deg(p: Coord<f64>, a: Coord<f64>, b: Coord<f64>) -> f64 {
    let (dx, dy) = (b.x - a.x, b.y - a.y);
    let len2 = dx * dx + dy * dy;
    let t = if len2 == 0.0 {
        0.0
    } else {
        (((p.x - a.x) * dx + (p.y - a.y) * dy) / len2).clamp(0.0, 1.0)
    };
    (p.x - a.x - t * dx).hypot(p.y - a.y - t * dy)
}

/// The line of contact of one date.
#[derive(Debug)]
pub struct LineOfContact {
    /// Pieces left out as lying along the border or coast (within the tolerance all along).
    pub coastal_pieces: usize,
    /// Their geodesic length, km.
    pub coastal_km: f64,
    /// The lines, in ring order.
    pub lines: MultiLineString<f64>,
    /// Their geodesic length (WGS84), km.
    pub length_km: f64,
    /// Its edges, for distances.
    nearest: NearestEdges,
}

impl LineOfContact {
    /// The edges of `occupied` that do not lie along `border`'s boundary, joined into lines.
    pub fn new(occupied: &MultiPolygon<f64>, border: &BorderEdges) -> Self {
        Self::with_coast_tolerance(occupied, border, COAST_TOLERANCE_KM)
    }

    /// [`Self::new`] with another tolerance for pieces along the border (0: keep every piece).
    pub fn with_coast_tolerance(occupied: &MultiPolygon<f64>, border: &BorderEdges, tolerance_km: f64) -> Self {
        let mut lines = Vec::new();
        for ring in rings(occupied) {
            let c = &ring.0;
            let n = c.len().saturating_sub(1);
            if n < 3 {
                continue;
            }
            let kept: Vec<bool> = (0..n).map(|i| !border.covers(c[i], c[i + 1])).collect();
            if kept.iter().all(|k| *k) {
                lines.push(ring.clone());
                continue;
            }
            // Start right after an edge on the border, so that no line wraps around the ring end.
            let Some(start) = (0..n).find(|&i| !kept[i]) else {
                continue;
            };
            let mut current: Vec<Coord<f64>> = Vec::new();
            for k in 1..=n {
                let i = (start + k) % n;
                if kept[i] {
                    if current.is_empty() {
                        current.push(c[i]);
                    }
                    current.push(c[i + 1]);
                } else if current.len() >= 2 {
                    lines.push(LineString(std::mem::take(&mut current)));
                } else {
                    current.clear();
                }
            }
            if current.len() >= 2 {
                lines.push(LineString(current));
            }
        }
        let geodesic_km = |l: &LineString<f64>| {
            l.0.windows(2)
                .map(|w| Geodesic.distance(Point(w[0]), Point(w[1])))
                .sum::<f64>()
                / 1e3
        };
        // A piece that never leaves the border's boundary by more than the tolerance is where the
        // source's coastline (or border) was drawn apart from Natural Earth's, not a front.
        let (mut coastal_pieces, mut coastal_km) = (0, 0.0);
        if tolerance_km > 0.0 {
            lines.retain(|l: &LineString<f64>| {
                let coastal = l.0.iter().all(|c| border.within_km(*c, tolerance_km))
                    && l.0.windows(2).all(|w| {
                        border.within_km(
                            Coord {
                                x: (w[0].x + w[1].x) / 2.0,
                                y: (w[0].y + w[1].y) / 2.0,
                            },
                            tolerance_km,
                        )
                    });
                if coastal {
                    coastal_pieces += 1;
                    coastal_km += geodesic_km(l);
                }
                !coastal
            });
        }
        let length_km = lines.iter().map(geodesic_km).sum::<f64>();
        let nearest = NearestEdges::new(lines.iter());
        LineOfContact {
            lines: MultiLineString(lines),
            length_km,
            coastal_pieces,
            coastal_km,
            nearest,
        }
    }

    /// The distance every edge would give, the smallest kept: the reference [`Self::distance_km`]
    /// is tested against.
    pub fn distance_km_brute_force(&self, lon: f64, lat: f64) -> Option<f64> {
        self.nearest.nearest_brute_force(lon, lat).map(|n| n.km)
    }

    /// Geodesic distance (km) from (lon, lat) to the nearest point of the line, or `None` when
    /// there is no line (see [`NearestEdges::nearest`]).
    pub fn distance_km(&self, lon: f64, lat: f64) -> Option<f64> {
        self.nearest.nearest(lon, lat).map(|n| n.km)
    }
}

/// The nearest point of a set of edges to a point, and its geodesic distance.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Nearest {
    /// Geodesic distance (WGS84), km.
    pub km: f64,
    /// The nearest point (lon, lat), on an edge.
    pub point: Coord<f64>,
}

/// Edges (of the line of contact, of a border's boundary) indexed for the nearest point to a
/// point and its geodesic distance.
#[derive(Debug)]
pub struct NearestEdges {
    /// Edges in a frame with longitudes scaled by `k0`, carrying their lon/lat ends.
    tree: RTree<ScaledSeg>,
    /// Cosine of the mean latitude of the vertices.
    k0: f64,
}

impl NearestEdges {
    /// Indexes the edges of `lines`.
    pub fn new<'a>(lines: impl Iterator<Item = &'a LineString<f64>> + Clone) -> Self {
        let mean_lat = {
            let (sum, n) = lines
                .clone()
                .flat_map(|l| l.0.iter())
                .fold((0.0, 0usize), |(s, n), c| (s + c.y, n + 1));
            if n == 0 { 0.0 } else { sum / n as f64 }
        };
        let k0 = mean_lat.to_radians().cos().max(1e-6);
        let segs = lines
            .flat_map(|l| {
                l.0.windows(2).map(move |w| {
                    let (a, b) = ([w[0].x, w[0].y], [w[1].x, w[1].y]);
                    GeomWithData::new(RLine::new([a[0] * k0, a[1]], [b[0] * k0, b[1]]), (a, b))
                })
            })
            .collect();
        NearestEdges {
            tree: RTree::bulk_load(segs),
            k0,
        }
    }

    /// The nearest point that every edge would give, the nearest kept: the reference
    /// [`Self::nearest`] is tested against.
    pub fn nearest_brute_force(&self, lon: f64, lat: f64) -> Option<Nearest> {
        let p = Point::new(lon, lat);
        let k = lat.to_radians().cos().max(1e-6);
        self.tree
            .iter()
            .map(|seg| {
                let (a, b) = seg.data;
                let (_, t) = local_foot(lon, lat, k, a, b);
                nearest_on_edge(p, a, b, t)
            })
            .min_by(|x, y| x.km.total_cmp(&y.km))
    }

    /// The nearest point of the edges to (lon, lat) and its geodesic distance, or `None` when
    /// there is no edge.
    ///
    /// Edges come from the R-tree nearest first; each is measured in a local equirectangular
    /// frame around the point (longitude scaled by the cosine of its latitude) to find the foot
    /// of the perpendicular, and the geodesic distance to that foot is computed exactly (Karney).
    /// The frame's foot is then refined by parabolic steps on the geodesic distance along the
    /// edge (the foot of a geodesic perpendicular on the ellipsoid is not where the frame puts it:
    /// 0.5 km off for a point a degree from a meridian).
    pub fn nearest(&self, lon: f64, lat: f64) -> Option<Nearest> {
        self.nearest_within(lon, lat, f64::INFINITY)
    }

    /// [`Self::nearest`], or `None` as soon as the local frame shows every edge farther than
    /// about `max_km` (1 % of slack): a cheap answer for points far from every edge.
    pub fn nearest_within(&self, lon: f64, lat: f64, max_km: f64) -> Option<Nearest> {
        const KM_PER_DEG: f64 = 111.32;
        let k = lat.to_radians().cos().max(1e-6);
        // Phase 1: nearest edges in the local frame (cheap), in the R-tree's order of unscaled
        // distance, until that order can no longer produce a nearer edge.
        let mut candidates: Vec<(f64, [f64; 2], [f64; 2], f64)> = Vec::new();
        let mut best_local = f64::INFINITY;
        // The tree's frame scales longitudes by k0, the point's by k: a tree distance overstates
        // the local one by at most max(1, k0 / k).
        let slack = (self.k0 / k).max(1.0) * 1.02;
        for seg in self.tree.nearest_neighbor_iter(&[lon * self.k0, lat]) {
            let (a, b) = seg.data;
            let g = seg.geom();
            let tree_dist = segment_distance_deg(
                Coord {
                    x: lon * self.k0,
                    y: lat,
                },
                Coord {
                    x: g.from[0],
                    y: g.from[1],
                },
                Coord { x: g.to[0], y: g.to[1] },
            );
            if tree_dist > best_local * slack {
                break;
            }
            let (local, t) = local_foot(lon, lat, k, a, b);
            best_local = best_local.min(local);
            candidates.push((local, a, b, t));
        }
        if best_local * KM_PER_DEG > max_km * 1.01 {
            return None;
        }
        // Phase 2: exact geodesic distance for the edges within 2 % of the best in the frame.
        let p = Point::new(lon, lat);
        candidates
            .iter()
            .filter(|c| c.0 <= best_local * 1.02 + 1e-12)
            .map(|&(_, a, b, t)| nearest_on_edge(p, a, b, t))
            .min_by(|x, y| x.km.total_cmp(&y.km))
    }
}

/// The nearest point of the edge a-b to `p` from the parameter `t0` on (see [`refine`]).
fn nearest_on_edge(p: Point<f64>, a: [f64; 2], b: [f64; 2], t0: f64) -> Nearest {
    let (m, t) = refine(p, a, b, t0);
    Nearest {
        km: m / 1e3,
        point: Coord {
            x: a[0] + t * (b[0] - a[0]),
            y: a[1] + t * (b[1] - a[1]),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::Polygon;

    fn rect(x0: f64, y0: f64, x1: f64, y1: f64) -> Polygon<f64> {
        Polygon::new(
            LineString::from(vec![(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)]),
            vec![],
        )
    }

    #[test]
    fn only_the_edges_inside_the_border_are_the_line() {
        // Border [30,34]x[46,48]; occupied [32,34]x[46,48] (touches the border on three sides):
        // the line of contact is the meridian 32 from 46 to 48.
        let border = MultiPolygon(vec![rect(30.0, 46.0, 34.0, 48.0)]);
        let occ = MultiPolygon(vec![rect(32.0, 46.0, 34.0, 48.0)]);
        let l = LineOfContact::new(&occ, &BorderEdges::new(&border));
        assert_eq!(l.lines.0.len(), 1);
        assert_eq!(
            l.lines.0[0].0,
            vec![Coord { x: 32.0, y: 48.0 }, Coord { x: 32.0, y: 46.0 }]
        );
        let want = Geodesic.distance(Point::new(32.0, 46.0), Point::new(32.0, 48.0)) / 1e3;
        assert!((l.length_km - want).abs() / want < 1e-12, "{} vs {want}", l.length_km);
        // Distance from a point due west of the middle of the line.
        let d = l.distance_km(31.0, 47.0).unwrap_or(f64::NAN);
        // Reference: the minimum of the geodesic distance along the edge, by dense sampling.
        let want = (0..=200_000)
            .map(|i| {
                Geodesic.distance(
                    Point::new(31.0, 47.0),
                    Point::new(32.0, 46.0 + 2.0 * i as f64 / 200_000.0),
                )
            })
            .fold(f64::INFINITY, f64::min)
            / 1e3;
        assert!((d - want).abs() / want < 1e-6, "{d} vs {want}");
        // Beyond the end of the line: the distance to its end point.
        let d = l.distance_km(31.0, 49.0).unwrap_or(f64::NAN);
        let want = Geodesic.distance(Point::new(31.0, 49.0), Point::new(32.0, 48.0)) / 1e3;
        assert!((d - want).abs() / want < 1e-9, "{d} vs {want}");
    }

    #[test]
    fn an_enclave_is_a_closed_line() {
        let border = MultiPolygon(vec![rect(30.0, 46.0, 34.0, 48.0)]);
        let occ = MultiPolygon(vec![rect(31.0, 46.5, 32.0, 47.5)]);
        let l = LineOfContact::new(&occ, &BorderEdges::new(&border));
        assert_eq!(l.lines.0.len(), 1);
        assert_eq!(l.lines.0[0].0.len(), 5);
    }
}
