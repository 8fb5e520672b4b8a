//! OGC validity of a multipolygon: simple rings, rings that cross or overlap nowhere and touch
//! only at single points, holes inside their exterior and outside each other, polygons that do
//! not overlap.
//!
//! Written by hand because `geo`'s `Validation` (which checks the same rules through its relate
//! graph) takes about 56 ms for one 3,000-vertex DeepState snapshot, a hundred times our load
//! budget. Here every pair of edges whose bounding boxes meet (found with an `rstar` tree) is
//! classified with exact orientation predicates (`robust`); containment is decided with the
//! exact winding test of [`locate_in_polygon`]. Unit tests compare the verdicts with `geo`'s `Validation`.

use crate::index::{Location, PolygonIndex, locate_in_polygon};
use geo::{BoundingRect, Coord, MultiPolygon, Polygon};
use rstar::RTree;
use rstar::primitives::{GeomWithData, Rectangle};
use std::collections::HashMap;

#[derive(Debug, Clone, Copy)]
struct Seg {
    poly: usize,
    ring: usize,
    /// Index of the edge in its ring (after dropping repeated points) and the ring's edge count.
    k: usize,
    n: usize,
    a: Coord<f64>,
    b: Coord<f64>,
}

fn orient(a: Coord<f64>, b: Coord<f64>, c: Coord<f64>) -> i8 {
    let o = robust::orient2d(
        robust::Coord { x: a.x, y: a.y },
        robust::Coord { x: b.x, y: b.y },
        robust::Coord { x: c.x, y: c.y },
    );
    if o > 0.0 {
        1
    } else if o < 0.0 {
        -1
    } else {
        0
    }
}

fn on_segment(p: Coord<f64>, a: Coord<f64>, b: Coord<f64>) -> bool {
    p.x >= a.x.min(b.x) && p.x <= a.x.max(b.x) && p.y >= a.y.min(b.y) && p.y <= a.y.max(b.y)
}

enum Meet {
    None,
    /// The segments cross at a point inside both (computed in floating point).
    Cross(Coord<f64>),
    /// Collinear with an overlap of positive length, which starts at the point.
    Overlap(Coord<f64>),
    /// They share exactly one point, an endpoint of at least one of them.
    Touch(Coord<f64>),
}

fn meet(p: &Seg, q: &Seg) -> Meet {
    let (o1, o2, o3, o4) = (
        orient(p.a, p.b, q.a),
        orient(p.a, p.b, q.b),
        orient(q.a, q.b, p.a),
        orient(q.a, q.b, p.b),
    );
    if o1 == 0 && o2 == 0 {
        // Collinear: compare projections on the dominant axis.
        let key = |c: Coord<f64>| {
            if (p.a.x - p.b.x).abs() >= (p.a.y - p.b.y).abs() {
                c.x
            } else {
                c.y
            }
        };
        let (p0, p1) = (key(p.a).min(key(p.b)), key(p.a).max(key(p.b)));
        let (q0, q1) = (key(q.a).min(key(q.b)), key(q.a).max(key(q.b)));
        let (lo, hi) = (p0.max(q0), p1.min(q1));
        return if lo < hi {
            let start = [p.a, p.b, q.a, q.b].into_iter().find(|c| key(*c) == lo).unwrap_or(p.a);
            Meet::Overlap(start)
        } else if lo == hi {
            let c = [p.a, p.b].into_iter().find(|c| key(*c) == lo).unwrap_or(p.a);
            Meet::Touch(c)
        } else {
            Meet::None
        };
    }
    if o1 * o2 < 0 && o3 * o4 < 0 {
        return Meet::Cross(crossing(p, q));
    }
    for (o, c, s) in [(o1, q.a, p), (o2, q.b, p), (o3, p.a, q), (o4, p.b, q)] {
        if o == 0 && on_segment(c, s.a, s.b) {
            return Meet::Touch(c);
        }
    }
    Meet::None
}

/// Where two segments that cross properly meet: on `p`, at the parameter where it meets the
/// line of `q` (the denominator is not zero: they are not parallel).
fn crossing(p: &Seg, q: &Seg) -> Coord<f64> {
    let (r, s) = (p.b - p.a, q.b - q.a);
    let t = ((q.a.x - p.a.x) * s.y - (q.a.y - p.a.y) * s.x) / (r.x * s.y - r.y * s.x);
    Coord {
        x: p.a.x + t * r.x,
        y: p.a.y + t * r.y,
    }
}

fn adjacent(p: &Seg, q: &Seg) -> bool {
    p.poly == q.poly && p.ring == q.ring && (p.k.abs_diff(q.k) == 1 || p.k.abs_diff(q.k) == p.n - 1)
}

/// A ring of a (multi)polygon: the polygon (named only when there are several) and the ring
/// (0 the exterior, then the holes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RingRef {
    /// The polygon, when the geometry has several.
    pub polygon: Option<usize>,
    /// 0: the exterior ring; k: hole k.
    pub ring: usize,
}

impl std::fmt::Display for RingRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(p) = self.polygon {
            write!(f, "polygon {p} ")?;
        }
        if self.ring == 0 {
            f.write_str("exterior ring")
        } else {
            write!(f, "hole {}", self.ring)
        }
    }
}

fn ring_name(poly: usize, ring: usize, multi: bool) -> RingRef {
    RingRef {
        polygon: multi.then_some(poly),
        ring,
    }
}

/// An edge spanning more than `MAX_EDGE_LON_SPAN_DEG` (180) of longitude.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LongEdge {
    /// Where it starts.
    pub from: [f64; 2],
    /// Where it ends.
    pub to: [f64; 2],
    /// Its longitude span, degrees.
    pub span_deg: f64,
}

impl std::fmt::Display for LongEdge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "edge from [{}, {}] to [{}, {}] spans {} degrees of longitude (more than {MAX_EDGE_LON_SPAN_DEG}): edges are straight in lon/lat, so it runs the long way round the globe; split the ring at the antimeridian (RFC 7946 3.1.9)",
            self.from[0], self.from[1], self.to[0], self.to[1], self.span_deg
        )
    }
}

/// One OGC validity problem of a multipolygon, with the rings and place it is about; rendered to
/// its sentence by `Display`, here only.
#[derive(Debug, Clone, PartialEq)]
pub enum ValidityProblem {
    /// A ring has an edge running the long way round the globe.
    LongEdge {
        /// The ring.
        ring: RingRef,
        /// The edge.
        edge: LongEdge,
    },
    /// Two rings (or one ring with itself, `other` = `None`) cross.
    Cross {
        /// The ring.
        ring: RingRef,
        /// The other ring, or `None` for the ring itself.
        other: Option<RingRef>,
        /// Where the two edges cross (computed in floating point).
        near: [f64; 2],
    },
    /// Collinear edges of two rings (or of one ring) overlap along a line.
    Overlap {
        /// The ring.
        ring: RingRef,
        /// The other ring, or `None` for the ring itself.
        other: Option<RingRef>,
        /// Where the overlap starts (a vertex of one of the two edges).
        near: [f64; 2],
    },
    /// A ring touches itself at a point.
    TouchesItself {
        /// The ring.
        ring: RingRef,
        /// The point.
        near: [f64; 2],
    },
    /// Two rings of one polygon touch at several points, cutting its interior apart.
    TouchAt {
        /// One ring.
        ring: RingRef,
        /// The other.
        other: RingRef,
        /// How many points.
        points: usize,
    },
    /// A hole lies outside its exterior ring.
    HoleOutside(RingRef),
    /// A hole lies inside another hole.
    HoleInHole {
        /// The hole.
        hole: RingRef,
        /// The hole it lies in.
        other: RingRef,
    },
    /// Two polygons of a multipolygon overlap.
    PolygonsOverlap(usize, usize),
    /// More problems were found than are listed.
    MoreNotListed,
}

impl std::fmt::Display for ValidityProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let near = |c: &[f64; 2]| format!("near [{}, {}]", c[0], c[1]);
        match self {
            ValidityProblem::LongEdge { ring, edge } => write!(f, "{ring}: {edge}"),
            ValidityProblem::Cross {
                ring,
                other: None,
                near: c,
            } => {
                write!(f, "self-intersection: {ring} crosses itself {}", near(c))
            }
            ValidityProblem::Cross {
                ring,
                other: Some(o),
                near: c,
            } => write!(f, "self-intersection: {ring} and {o} cross {}", near(c)),
            ValidityProblem::Overlap {
                ring,
                other: None,
                near: c,
            } => write!(
                f,
                "self-intersection: {ring} along a line (collinear edges overlap) {}",
                near(c)
            ),
            ValidityProblem::Overlap {
                ring,
                other: Some(o),
                near: c,
            } => write!(
                f,
                "self-intersection: {ring} and {o} cross along a line (collinear edges overlap) {}",
                near(c)
            ),
            ValidityProblem::TouchesItself { ring, near: c } => {
                write!(f, "self-intersection: {ring} touches itself {}", near(c))
            }
            ValidityProblem::TouchAt { ring, other, points } => write!(
                f,
                "{ring} and {other} touch at {points} points, which cuts the polygon's interior apart"
            ),
            ValidityProblem::HoleOutside(h) => write!(f, "{h} is not inside its exterior ring"),
            ValidityProblem::HoleInHole { hole, other } => write!(f, "{hole} lies inside {other}"),
            ValidityProblem::PolygonsOverlap(i, j) => write!(f, "polygons {i} and {j} overlap"),
            ValidityProblem::MoreNotListed => f.write_str("(further problems of this geometry not listed)"),
        }
    }
}

/// Longest longitude span allowed for one edge, degrees. Edges are straight in lon/lat, so an
/// edge from 179E to 179W runs 358 degrees the long way round the globe instead of crossing the
/// antimeridian: such a ring must be split there (RFC 7946 3.1.9).
pub const MAX_EDGE_LON_SPAN_DEG: f64 = 180.0;

/// The first edge of a ring spanning more than [`MAX_EDGE_LON_SPAN_DEG`] of longitude, with the
/// index of the position where it starts, or `None`.
pub(crate) fn long_edge(ring: &[Coord<f64>]) -> Option<(usize, LongEdge)> {
    ring.windows(2).enumerate().find_map(|(k, w)| {
        let span = (w[1].x - w[0].x).abs();
        (span > MAX_EDGE_LON_SPAN_DEG).then(|| {
            (
                k,
                LongEdge {
                    from: [w[0].x, w[0].y],
                    to: [w[1].x, w[1].y],
                    span_deg: span,
                },
            )
        })
    })
}

/// Problems of crossing rings listed before the rest are left unlisted
/// ([`ValidityProblem::MoreNotListed`]) by [`problems`].
pub const LISTED_PROBLEMS: usize = 20;

/// Every validity problem of `mp` (empty when valid), the crossings listed up to twenty
/// (`LISTED_PROBLEMS`). Rings must be closed, with at least 4 positions and finite coordinates
/// (the reader checks these first).
pub fn problems(mp: &MultiPolygon<f64>) -> Vec<ValidityProblem> {
    problems_up_to(mp, LISTED_PROBLEMS)
}

/// [`problems`], listing up to `listed` problems of crossing rings (for a repair that fills
/// every hole at fault in one pass, rather than twenty at a time).
pub fn problems_up_to(mp: &MultiPolygon<f64>, listed: usize) -> Vec<ValidityProblem> {
    let multi = mp.0.len() > 1;
    let mut segs = Vec::new();
    for (pi, p) in mp.0.iter().enumerate() {
        for (ri, ring) in std::iter::once(p.exterior()).chain(p.interiors()).enumerate() {
            let mut pts: Vec<Coord<f64>> = ring.0.clone();
            pts.dedup();
            let n = pts.len().saturating_sub(1);
            for (k, w) in pts.windows(2).enumerate() {
                segs.push(Seg {
                    poly: pi,
                    ring: ri,
                    k,
                    n,
                    a: w[0],
                    b: w[1],
                });
            }
        }
    }
    let mut out = Vec::new();
    for (pi, p) in mp.0.iter().enumerate() {
        for (ri, ring) in std::iter::once(p.exterior()).chain(p.interiors()).enumerate() {
            if let Some((_, edge)) = long_edge(&ring.0) {
                out.push(ValidityProblem::LongEdge {
                    ring: ring_name(pi, ri, multi),
                    edge,
                });
            }
        }
    }
    if !out.is_empty() {
        return out;
    }
    let near = |c: Coord<f64>| [c.x, c.y];
    let boxes: Vec<GeomWithData<Rectangle<[f64; 2]>, usize>> = segs
        .iter()
        .enumerate()
        .map(|(i, s)| GeomWithData::new(Rectangle::from_corners([s.a.x, s.a.y], [s.b.x, s.b.y]), i))
        .collect();
    let tree = RTree::bulk_load(boxes);
    // (polygon, ring, polygon, ring) -> the points (as bits) where the two rings touch.
    type RingPair = (usize, usize, usize, usize);
    let mut touches: HashMap<RingPair, Vec<(u64, u64)>> = HashMap::new();
    // A problem met through several pairs of edges (every edge at a vertex where a ring touches
    // itself, say) is listed once: same kind, rings and point (as bits).
    type Seen = (u8, RingRef, Option<RingRef>, (u64, u64));
    let mut seen: std::collections::HashSet<Seen> = std::collections::HashSet::new();
    let mut first = |kind: u8, ring: RingRef, other: Option<RingRef>, c: Coord<f64>| {
        seen.insert((kind, ring, other, (c.x.to_bits(), c.y.to_bits())))
    };
    for (x, y) in tree.intersection_candidates_with_other_tree(&tree) {
        let (i, j) = (x.data, y.data);
        if i >= j {
            continue;
        }
        let (p, q) = (&segs[i], &segs[j]);
        let same_ring = p.poly == q.poly && p.ring == q.ring;
        let ring = ring_name(p.poly, p.ring, multi);
        let other = (!same_ring).then(|| ring_name(q.poly, q.ring, multi));
        match meet(p, q) {
            Meet::None => {}
            Meet::Cross(c) if first(0, ring, other, c) => out.push(ValidityProblem::Cross {
                ring,
                other,
                near: near(c),
            }),
            Meet::Overlap(c) if first(1, ring, other, c) => out.push(ValidityProblem::Overlap {
                ring,
                other,
                near: near(c),
            }),
            Meet::Cross(_) | Meet::Overlap(_) => continue,
            Meet::Touch(c) => {
                if adjacent(p, q) {
                    continue;
                }
                if same_ring {
                    if !first(2, ring, None, c) {
                        continue;
                    }
                    out.push(ValidityProblem::TouchesItself { ring, near: near(c) });
                } else if p.poly == q.poly {
                    let key = (p.poly, p.ring.min(q.ring), p.poly, p.ring.max(q.ring));
                    touches.entry(key).or_default().push((c.x.to_bits(), c.y.to_bits()));
                }
            }
        }
        if out.len() >= listed {
            out.push(ValidityProblem::MoreNotListed);
            return out;
        }
    }
    let mut keys: Vec<_> = touches.keys().copied().collect();
    keys.sort();
    for key in keys {
        let pts = touches.entry(key).or_default();
        pts.sort();
        pts.dedup();
        if pts.len() > 1 {
            out.push(ValidityProblem::TouchAt {
                ring: ring_name(key.0, key.1, multi),
                other: ring_name(key.2, key.3, multi),
                points: pts.len(),
            });
        }
    }
    if !out.is_empty() {
        return out;
    }
    // No crossings: containment can be decided from one vertex per ring. A ring whose first
    // vertex lies outside another's box lies outside it (that vertex is off its boundary), so
    // only the rings whose box holds it are asked (an R-tree of boxes), and a ring asked many
    // times is located in through a grid index (exact, the same answers): a polygon of thousands
    // of holes was checked in time quadratic in them (each hole against every other and against
    // the whole shell), minutes for a scenario's zones with the waters.
    for (pi, p) in mp.0.iter().enumerate() {
        if p.interiors().is_empty() {
            continue;
        }
        let shell = Polygon::new(p.exterior().clone(), vec![]);
        let shell_at = Locator::new(&shell, p.interiors().len());
        let holes: Vec<Polygon<f64>> = p.interiors().iter().map(|h| Polygon::new(h.clone(), vec![])).collect();
        let boxes = boxes_of(&holes);
        for (hi, h) in p.interiors().iter().enumerate() {
            if first_off_boundary(h, &shell_at) == Some(Location::Outside) {
                out.push(ValidityProblem::HoleOutside(ring_name(pi, hi + 1, multi)));
            }
            for hj in boxes_holding(&boxes, h) {
                if hj != hi && first_off_boundary(h, &Locator::Plain(&holes[hj])) == Some(Location::Inside) {
                    out.push(ValidityProblem::HoleInHole {
                        hole: ring_name(pi, hi + 1, multi),
                        other: ring_name(pi, hj + 1, multi),
                    });
                }
            }
        }
    }
    if multi {
        let boxes = boxes_of(&mp.0);
        let candidates: Vec<Vec<usize>> = mp.0.iter().map(|p| boxes_holding(&boxes, p.exterior())).collect();
        let mut asked = vec![0usize; mp.0.len()];
        for j in candidates.iter().flatten() {
            asked[*j] += 1;
        }
        let at: Vec<Locator<'_>> = mp.0.iter().zip(&asked).map(|(p, n)| Locator::new(p, *n)).collect();
        for (i, p) in mp.0.iter().enumerate() {
            for &j in &candidates[i] {
                if i != j && first_off_boundary(p.exterior(), &at[j]) == Some(Location::Inside) {
                    out.push(ValidityProblem::PolygonsOverlap(i, j));
                }
            }
        }
    }
    out
}

/// How many vertex-against-edge tests a polygon is asked for before it is indexed.
const INDEX_WHEN: usize = 1 << 20;

/// Locates points in one polygon as [`locate_in_polygon`] does (nonzero winding, exact), through
/// a [`PolygonIndex`] (the same answers) when it is asked often enough for the index to pay.
enum Locator<'a> {
    Plain(&'a Polygon<f64>),
    Indexed(PolygonIndex),
}

impl<'a> Locator<'a> {
    /// For `p`, to be asked about `asked` points.
    fn new(p: &'a Polygon<f64>, asked: usize) -> Self {
        let edges: usize = std::iter::once(p.exterior())
            .chain(p.interiors())
            .map(|r| r.0.len())
            .sum();
        if asked.saturating_mul(edges) > INDEX_WHEN {
            Locator::Indexed(PolygonIndex::new([p]))
        } else {
            Locator::Plain(p)
        }
    }

    fn locate(&self, c: &Coord<f64>) -> Location {
        match self {
            Locator::Plain(p) => locate_in_polygon(p, c.x, c.y),
            Locator::Indexed(ix) => ix.locate(c.x, c.y),
        }
    }
}

/// The bounding boxes of `polygons`, by index.
fn boxes_of(polygons: &[Polygon<f64>]) -> RTree<GeomWithData<Rectangle<[f64; 2]>, usize>> {
    RTree::bulk_load(
        polygons
            .iter()
            .enumerate()
            .filter_map(|(i, p)| {
                p.bounding_rect().map(|r| {
                    GeomWithData::new(
                        Rectangle::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]),
                        i,
                    )
                })
            })
            .collect(),
    )
}

/// The polygons (indices, ascending) whose box holds the first vertex of `ring`, boundary
/// included: the only ones `ring` can lie inside.
fn boxes_holding(boxes: &RTree<GeomWithData<Rectangle<[f64; 2]>, usize>>, ring: &geo::LineString<f64>) -> Vec<usize> {
    let Some(c) = ring.0.first() else {
        return Vec::new();
    };
    let mut out: Vec<usize> = boxes
        .locate_in_envelope_intersecting(&rstar::AABB::from_point([c.x, c.y]))
        .map(|b| b.data)
        .collect();
    out.sort_unstable();
    out
}

/// Location, against what `at` locates in, of the first vertex of `ring` not on its boundary.
fn first_off_boundary(ring: &geo::LineString<f64>, at: &Locator<'_>) -> Option<Location> {
    ring.0.iter().map(|c| at.locate(c)).find(|l| *l != Location::Boundary)
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{LineString, Validation, wkt};

    /// Issue 11 (fresh tester, F1): the containment tests were quadratic (each hole against
    /// every other and against the whole shell): a shell of 100,000 vertices with 20,000 holes
    /// took seconds (a zone clipped to the territory with the waters has thousands of
    /// hair-thin holes). Boxes and an index make it milliseconds, with the same verdicts: valid
    /// as drawn, then one hole moved inside another and one moved out of the shell, each named.
    #[test]
    fn thousands_of_holes_are_checked_in_near_linear_time() {
        let n = 100_000;
        let mut shell: Vec<Coord<f64>> = (0..n)
            .map(|i| {
                let t = i as f64 / n as f64 * std::f64::consts::TAU;
                Coord {
                    x: 2.0 * t.cos(),
                    y: 2.0 * t.sin(),
                }
            })
            .collect();
        shell.push(shell[0]);
        let square =
            |x: f64, y: f64, d: f64| LineString::from(vec![(x, y), (x, y + d), (x + d, y + d), (x + d, y), (x, y)]);
        let mut holes = Vec::new();
        for i in 0..200 {
            for j in 0..100 {
                holes.push(square(-1.0 + i as f64 * 0.01, -0.5 + j as f64 * 0.01, 0.004));
            }
        }
        let poly = |holes: Vec<LineString<f64>>| MultiPolygon(vec![Polygon::new(LineString(shell.clone()), holes)]);
        let t = std::time::Instant::now();
        assert!(problems(&poly(holes.clone())).is_empty());
        let took = t.elapsed();
        assert!(took.as_secs_f64() < 2.0, "{took:?} for 20,000 holes");
        let mut wrong = holes.clone();
        wrong[5] = square(-1.0 + 0.001, -0.5 + 0.001, 0.001);
        wrong[7] = square(3.0, 3.0, 0.01);
        let found = problems(&poly(wrong));
        assert!(
            found.contains(&ValidityProblem::HoleOutside(ring_name(0, 8, false))),
            "{found:?}"
        );
        assert!(
            found.contains(&ValidityProblem::HoleInHole {
                hole: ring_name(0, 6, false),
                other: ring_name(0, 1, false)
            }),
            "{found:?}"
        );
    }

    fn check(mp: MultiPolygon<f64>) {
        let ours = problems(&mp);
        let geo_valid = mp.is_valid();
        assert_eq!(
            ours.is_empty(),
            geo_valid,
            "ours: {ours:?}, geo: {:?}",
            mp.validation_errors()
        );
    }

    #[test]
    fn agrees_with_geo_on_classic_cases() {
        let cases = [
            wkt!(MULTIPOLYGON(((0. 0.,4. 0.,4. 4.,0. 4.,0. 0.)))),
            // bow-tie
            wkt!(MULTIPOLYGON(((0. 0.,4. 4.,4. 0.,0. 4.,0. 0.)))),
            // hole inside
            wkt!(MULTIPOLYGON(((0. 0.,4. 0.,4. 4.,0. 4.,0. 0.),(1. 1.,1. 2.,2. 2.,2. 1.,1. 1.)))),
            // hole outside
            wkt!(MULTIPOLYGON(((0. 0.,4. 0.,4. 4.,0. 4.,0. 0.),(5. 5.,5. 6.,6. 6.,6. 5.,5. 5.)))),
            // hole touching the shell at one point: valid
            wkt!(MULTIPOLYGON(((0. 0.,4. 0.,4. 4.,0. 4.,0. 0.),(0. 2.,1. 3.,1. 1.,0. 2.)))),
            // overlapping polygons
            wkt!(MULTIPOLYGON(((0. 0.,2. 0.,2. 2.,0. 2.,0. 0.)),((1. 1.,3. 1.,3. 3.,1. 3.,1. 1.)))),
            // polygons touching at a point: valid
            wkt!(MULTIPOLYGON(((0. 0.,2. 0.,2. 2.,0. 2.,0. 0.)),((2. 2.,3. 2.,3. 3.,2. 3.,2. 2.)))),
            // polygons sharing an edge: invalid
            wkt!(MULTIPOLYGON(((0. 0.,2. 0.,2. 2.,0. 2.,0. 0.)),((2. 0.,3. 0.,3. 2.,2. 2.,2. 0.)))),
            // polygon inside another: invalid
            wkt!(MULTIPOLYGON(((0. 0.,4. 0.,4. 4.,0. 4.,0. 0.)),((1. 1.,2. 1.,2. 2.,1. 2.,1. 1.)))),
            // polygon inside another's hole: valid
            wkt!(MULTIPOLYGON(((0. 0.,4. 0.,4. 4.,0. 4.,0. 0.),(1. 1.,1. 3.,3. 3.,3. 1.,1. 1.)),((1.5 1.5,2. 1.5,2. 2.,1.5 2.,1.5 1.5)))),
            // spike
            wkt!(MULTIPOLYGON(((0. 0.,4. 0.,4. 2.,6. 2.,4. 2.,4. 4.,0. 4.,0. 0.)))),
            // ring touching itself at a vertex (inverted hole)
            wkt!(MULTIPOLYGON(((0. 0.,4. 0.,4. 4.,2. 0.,0. 4.,0. 0.)))),
        ];
        for c in cases {
            check(c);
        }
    }

    /// A crossing is named where the edges cross, not at a vertex of one of them (the bow-tie
    /// said `near [0, 0]`, its first vertex); an overlap where it starts.
    #[test]
    fn a_self_intersection_names_the_point_where_it_is() {
        let bow_tie = wkt!(MULTIPOLYGON(((0. 0.,4. 4.,4. 0.,0. 4.,0. 0.))));
        let p = problems(&bow_tie);
        assert_eq!(
            p,
            [ValidityProblem::Cross {
                ring: RingRef { polygon: None, ring: 0 },
                other: None,
                near: [2.0, 2.0]
            }]
        );
        assert!(p[0].to_string().ends_with("crosses itself near [2, 2]"), "{p:?}");
        // Off the axes: (1, 0)-(3, 6) crosses (4, 1)-(0, 3) at (12/7, 15/7), found within a few
        // ulps.
        let skew = wkt!(MULTIPOLYGON(((1. 0.,3. 6.,4. 1.,0. 3.,1. 0.))));
        let Some(ValidityProblem::Cross { near, .. }) = problems(&skew).into_iter().next() else {
            panic!("a crossing")
        };
        let (x, y) = (12.0 / 7.0, 15.0 / 7.0);
        assert!((near[0] - x).abs() < 1e-14 && (near[1] - y).abs() < 1e-14, "{near:?}");
        // Two polygons sharing part of an edge: the overlap starts at (1, 1), a vertex of the
        // second, not at the first's edge's start (2, 1).
        let shared = wkt!(MULTIPOLYGON(((0. 0.,2. 0.,2. 1.,0. 1.,0. 0.)),((1. 1.,3. 1.,3. 2.,1. 2.,1. 1.))));
        let overlap = problems(&shared)
            .into_iter()
            .find_map(|p| match p {
                ValidityProblem::Overlap { near, .. } => Some(near),
                _ => None,
            })
            .unwrap();
        assert_eq!(overlap, [1.0, 1.0]);
    }

    /// A ring that touches itself at a vertex meets itself there through four pairs of edges:
    /// one problem, listed once (was four times the same sentence).
    #[test]
    fn a_problem_met_through_several_pairs_of_edges_is_listed_once() {
        let figure_eight = wkt!(MULTIPOLYGON(((0. 0.,2. 0.,1. 1.,2. 2.,0. 2.,1. 1.,0. 0.))));
        let p = problems(&figure_eight);
        assert_eq!(
            p,
            [ValidityProblem::TouchesItself {
                ring: RingRef { polygon: None, ring: 0 },
                near: [1.0, 1.0]
            }]
        );
        // Two rings crossing where a vertex of one lies on the other's edge: once.
        let through = wkt!(MULTIPOLYGON(((0. 0.,4. 0.,4. 4.,0. 4.,0. 0.)),((2. -1.,3. 2.,2. 5.,1. 2.,2. -1.))));
        let p = problems(&through);
        assert!(!p.is_empty());
        for (i, a) in p.iter().enumerate() {
            assert!(!p[i + 1..].contains(a), "{a:?} listed twice in {p:?}");
        }
    }

    #[test]
    fn hole_touching_shell_twice_cuts_the_polygon() {
        // The corner [0,2]-[0,4]-[2,4] is cut off from the rest: invalid under OGC (GEOS agrees;
        // geo 0.33's Validation misses it).
        let mp = wkt!(MULTIPOLYGON(((0. 0.,4. 0.,4. 4.,0. 4.,0. 0.),(0. 2.,2. 4.,2. 1.,0. 2.))));
        let p = problems(&mp);
        assert!(p[0].to_string().contains("touch at 2 points"), "{p:?}");
    }

    #[test]
    fn an_edge_over_180_degrees_of_longitude_is_refused() {
        let mp = wkt!(MULTIPOLYGON(((179. 50.,-179. 50.,-179. 51.,179. 51.,179. 50.))));
        let p = problems(&mp);
        assert!(p[0].to_string().contains("spans 358 degrees of longitude"), "{p:?}");
        let ok = wkt!(MULTIPOLYGON(((-90. 0.,90. 0.,90. 1.,-90. 1.,-90. 0.))));
        assert!(problems(&ok).is_empty());
    }

    #[test]
    fn repeated_points_are_fine() {
        let p = Polygon::new(
            LineString::from(vec![(0., 0.), (1., 0.), (1., 0.), (1., 1.), (0., 0.)]),
            vec![],
        );
        assert!(problems(&MultiPolygon(vec![p])).is_empty());
    }
}
