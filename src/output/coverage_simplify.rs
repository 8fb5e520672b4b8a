//! Simplification of a coverage: polygon layers that share boundaries and must not overlap (the
//! occupied, contested and covered areas partition the border), simplified together so that a
//! boundary between two layers is simplified once and drawn the same on both sides (issue 9,
//! F6: each layer simplified alone moved a shared boundary two ways, so that the simplified
//! layers overlapped and left gaps).
//!
//! The method is the one of TopoJSON (Bostock, `topojson-simplify`) and of GEOS's
//! `CoverageSimplifier` (GEOS 3.12, shapely's `coverage_simplify`): the rings are cut into arcs
//! at the junctions (vertices where the boundary branches), each arc is simplified once with its
//! ends fixed (Visvalingam and Whyatt 1993, `geo`'s `SimplifyVwPreserve`), and every ring is put
//! back together from its simplified arcs. What a simplification breaks is undone arc by arc: an
//! arc that crosses or touches another, or belongs to a ring that collapsed or turned over, or to
//! a polygon that the loader's validity check refuses, is simplified again with a quarter of the
//! tolerance, down to its input vertices. Simplification therefore never drops a polygon or a
//! hole, and never makes two layers overlap.
//!
//! Written here because no crate of the Rust ecosystem simplifies a coverage: `geo` simplifies
//! one geometry at a time, GEOS's is C++ and the Rust port (`coarsen`) ships only as a Python
//! package.

use geo::line_intersection::{LineIntersection, line_intersection};
use geo::{Coord, Line, LineString, MultiPolygon, Polygon, SimplifyVwPreserve};
use rstar::primitives::GeomWithData;
use rstar::{AABB, RTree, RTreeObject};
use std::collections::HashMap;

/// Distance (degrees) within which a vertex of one ring that lies on an edge of another is made
/// a vertex of that edge too, so that the two rings share it: 6e-8 degrees (about 7 mm), four
/// steps of the overlay's grid over Ukraine (`crate::coverage::overlay`), whose crossings are
/// grid points up to half a step off the edges they lie on.
pub const ON_EDGE_DEG: f64 = 6e-8;

/// How many times the arcs at fault are simplified again, each time with a quarter of their
/// tolerance, before they are given back as they were (4^-8: 1.5e-5 of the tolerance).
const PASSES: usize = 8;

/// The Visvalingam-Whyatt tolerance (an area, square degrees) of a tolerance of `m` metres:
/// the area of a square of side `m`, in degrees.
pub fn vw_epsilon(m: f64) -> f64 {
    let deg = m / crate::geodesy::METRES_PER_DEGREE;
    deg * deg
}

/// The faces (each a layer's polygons) simplified together with the Visvalingam-Whyatt
/// tolerance `epsilon` (square degrees, [`vw_epsilon`]): the same number of faces, polygons and
/// holes, in the same order; every boundary two faces share drawn once, the same in both.
///
/// The faces are expected to be valid and not to overlap; where they do overlap, their
/// boundaries are simplified alone, each face staying valid.
pub fn simplify_coverage(faces: &[&MultiPolygon<f64>], epsilon: f64) -> Vec<MultiPolygon<f64>> {
    simplify_coverage_with_lines(faces, &[], epsilon).0
}

/// [`simplify_coverage`], and lines that run along the faces' boundaries (the line of contact,
/// a part of the occupied area's boundary) drawn on the same simplified arcs, so that a
/// simplified line lies on the simplified boundary it follows. A line whose stretches are not
/// all arcs of the faces (it leaves their boundaries) is simplified alone.
pub fn simplify_coverage_with_lines(
    faces: &[&MultiPolygon<f64>],
    lines: &[&LineString<f64>],
    epsilon: f64,
) -> (Vec<MultiPolygon<f64>>, Vec<LineString<f64>>) {
    if epsilon <= 0.0 || !epsilon.is_finite() {
        return (
            faces.iter().map(|f| (*f).clone()).collect(),
            lines.iter().map(|l| (*l).clone()).collect(),
        );
    }
    let mut rings = rings_of(faces);
    let mut paths: Vec<Vec<Coord<f64>>> = lines
        .iter()
        .map(|l| {
            let mut c = l.0.clone();
            c.dedup();
            c
        })
        .collect();
    share_vertices_on_edges(&mut rings, &mut paths);
    let topology = Topology::new(&rings, &paths);
    let line_arcs: Vec<Option<Vec<(usize, bool)>>> = paths.iter().map(|p| topology.arcs_of_line(p)).collect();
    let mut arcs: Vec<Arc> = topology
        .arcs
        .into_iter()
        .map(|original| {
            let simplified = simplify_arc(&original, epsilon);
            Arc {
                original,
                simplified,
                epsilon,
            }
        })
        .collect();
    let ring_arcs = topology.rings;
    for pass in 0..=PASSES {
        let bad = arcs_at_fault(&rings, &ring_arcs, &arcs, faces.len());
        if bad.is_empty() {
            break;
        }
        for a in bad {
            let arc = &mut arcs[a];
            if pass == PASSES {
                arc.simplified = arc.original.clone();
            } else {
                arc.epsilon /= 4.0;
                arc.simplified = simplify_arc(&arc.original, arc.epsilon);
            }
        }
    }
    let lines = line_arcs
        .iter()
        .zip(lines)
        .map(|(these, line)| match these {
            Some(these) => {
                let mut c = ring_from(these, &arcs);
                // `ring_from` closes what it joins; a line is open unless it was closed.
                if line.0.first() != line.0.last() {
                    c.pop();
                }
                LineString(c)
            }
            None => line.simplify_vw_preserve(epsilon),
        })
        .collect();
    (assemble(&rings, &ring_arcs, &arcs, faces.len()), lines)
}

/// One ring of the input: where it is, and its positions (open: the first not repeated).
struct Ring {
    face: usize,
    polygon: usize,
    /// 0: the exterior; k: hole k.
    index: usize,
    coords: Vec<Coord<f64>>,
    /// The sign of its planar area as given (> 0 counterclockwise).
    turn: f64,
}

/// An arc: a stretch of boundary between two junctions, as given and as simplified.
struct Arc {
    original: Vec<Coord<f64>>,
    simplified: Vec<Coord<f64>>,
    epsilon: f64,
}

/// A coordinate as a hash key (-0 as 0).
type Key = (u64, u64);

fn key(c: Coord<f64>) -> Key {
    ((c.x + 0.0).to_bits(), (c.y + 0.0).to_bits())
}

/// Twice the signed planar area of an open ring.
fn twice_area(coords: &[Coord<f64>]) -> f64 {
    let n = coords.len();
    (0..n)
        .map(|i| {
            let (a, b) = (coords[i], coords[(i + 1) % n]);
            a.x * b.y - b.x * a.y
        })
        .sum()
}

fn rings_of(faces: &[&MultiPolygon<f64>]) -> Vec<Ring> {
    let mut rings = Vec::new();
    for (face, mp) in faces.iter().enumerate() {
        for (polygon, poly) in mp.0.iter().enumerate() {
            for (index, ring) in std::iter::once(poly.exterior()).chain(poly.interiors()).enumerate() {
                let mut coords = ring.0.clone();
                coords.dedup();
                if coords.len() > 1 && coords.first() == coords.last() {
                    coords.pop();
                }
                rings.push(Ring {
                    face,
                    polygon,
                    index,
                    turn: twice_area(&coords),
                    coords,
                });
            }
        }
    }
    rings
}

/// Makes every vertex of one ring that lies on an edge of another ring (within
/// [`ON_EDGE_DEG`]) a vertex of that edge too: the boundary two layers share then has the same
/// vertices on both sides, and cuts into the same arcs.
fn share_vertices_on_edges(rings: &mut [Ring], lines: &mut [Vec<Coord<f64>>]) {
    // The ends of the lines too: a line of contact ends where it is cut near the border, on an
    // edge of the occupied area between its vertices; made a vertex there, it ends an arc.
    let ends = lines
        .iter()
        .flat_map(|l| [l.first(), l.last()])
        .flatten()
        .map(|c| GeomWithData::new([c.x, c.y], usize::MAX - 1));
    let tree: RTree<GeomWithData<[f64; 2], usize>> = RTree::bulk_load(
        rings
            .iter()
            .enumerate()
            .flat_map(|(i, r)| r.coords.iter().map(move |c| GeomWithData::new([c.x, c.y], i)))
            .chain(ends)
            .collect(),
    );
    for (i, ring) in rings.iter_mut().enumerate() {
        if ring.coords.len() >= 3 {
            ring.coords = with_vertices_on_edges(&ring.coords, true, &tree, i);
        }
    }
    for line in lines.iter_mut() {
        if line.len() >= 2 {
            *line = with_vertices_on_edges(line, false, &tree, usize::MAX);
        }
    }
}

/// The positions of a ring (`closed`) or line with every vertex of another ring of `tree` that
/// lies on one of its edges (within [`ON_EDGE_DEG`]) added to that edge.
fn with_vertices_on_edges(
    coords: &[Coord<f64>],
    closed: bool,
    tree: &RTree<GeomWithData<[f64; 2], usize>>,
    ring: usize,
) -> Vec<Coord<f64>> {
    // Its own vertices are never added to it again (a vertex near an edge of its own ring, where
    // the ring turns sharply, would make it touch itself).
    let own: std::collections::HashSet<Key> = coords.iter().map(|c| key(*c)).collect();
    let n = coords.len();
    let edges = if closed { n } else { n - 1 };
    let mut out = Vec::with_capacity(n);
    for k in 0..edges {
        let (a, b) = (coords[k], coords[(k + 1) % n]);
        out.push(a);
        let (dx, dy) = (b.x - a.x, b.y - a.y);
        let len2 = dx * dx + dy * dy;
        if len2 == 0.0 {
            continue;
        }
        let envelope = AABB::from_corners(
            [a.x.min(b.x) - ON_EDGE_DEG, a.y.min(b.y) - ON_EDGE_DEG],
            [a.x.max(b.x) + ON_EDGE_DEG, a.y.max(b.y) + ON_EDGE_DEG],
        );
        let mut on: Vec<(f64, Coord<f64>)> = tree
            .locate_in_envelope(&envelope)
            .filter(|p| p.data != ring)
            .filter_map(|p| {
                let c = Coord {
                    x: p.geom()[0],
                    y: p.geom()[1],
                };
                if own.contains(&key(c)) {
                    return None;
                }
                let t = ((c.x - a.x) * dx + (c.y - a.y) * dy) / len2;
                let off = (a.x + t * dx - c.x).hypot(a.y + t * dy - c.y);
                (t > 0.0 && t < 1.0 && off <= ON_EDGE_DEG).then_some((t, c))
            })
            .collect();
        if on.is_empty() {
            continue;
        }
        on.sort_by(|x, y| x.0.total_cmp(&y.0));
        on.dedup_by(|x, y| x.1 == y.1);
        out.extend(on.into_iter().map(|(_, c)| c));
    }
    if !closed {
        out.push(coords[n - 1]);
    }
    out
}

/// The arcs of the rings, each once, and each ring as its arcs in order (an arc and whether it
/// is walked backwards).
struct Topology {
    arcs: Vec<Vec<Coord<f64>>>,
    rings: Vec<Vec<(usize, bool)>>,
    /// Each arc by its positions walked the canonical way.
    by_key: HashMap<Vec<Key>, usize>,
    /// The junctions.
    junctions: std::collections::HashSet<Key>,
}

impl Topology {
    /// The arcs of `rings`, cut also at the ends of `lines` (so that a line that follows the
    /// boundaries is made of whole arcs).
    fn new(rings: &[Ring], lines: &[Vec<Coord<f64>>]) -> Self {
        // A vertex is a junction where its edges lead to other than two distinct neighbours:
        // there the boundary branches (three or more layers meet, or a ring touches another).
        let mut neighbours: HashMap<Key, Vec<Key>> = HashMap::new();
        for ring in rings {
            let n = ring.coords.len();
            for k in 0..n {
                let (p, q) = (key(ring.coords[k]), key(ring.coords[(k + 1) % n]));
                for (a, b) in [(p, q), (q, p)] {
                    let list = neighbours.entry(a).or_default();
                    if !list.contains(&b) {
                        list.push(b);
                    }
                }
            }
        }
        let junctions: std::collections::HashSet<Key> = neighbours
            .iter()
            .filter(|(_, l)| l.len() != 2)
            .map(|(k, _)| *k)
            .chain(
                lines
                    .iter()
                    .flat_map(|l| [l.first(), l.last()])
                    .flatten()
                    .map(|c| key(*c)),
            )
            .collect();
        let junction = |c: Coord<f64>| junctions.contains(&key(c)) || !neighbours.contains_key(&key(c));
        let mut arcs: Vec<Vec<Coord<f64>>> = Vec::new();
        let mut by_key: HashMap<Vec<Key>, usize> = HashMap::new();
        let mut ring_arcs = Vec::with_capacity(rings.len());
        for ring in rings {
            let c = &ring.coords;
            let n = c.len();
            let mut starts: Vec<usize> = (0..n).filter(|k| junction(c[*k])).collect();
            if starts.is_empty() && n > 0 {
                // A ring without a junction (an island, or a hole whose other side is one
                // island) is cut at its least vertex, the same in every ring that walks it.
                let least = (0..n)
                    .min_by(|a, b| c[*a].x.total_cmp(&c[*b].x).then(c[*a].y.total_cmp(&c[*b].y)))
                    .unwrap_or(0);
                starts.push(least);
            }
            let mut these = Vec::with_capacity(starts.len());
            for (w, &s) in starts.iter().enumerate() {
                let e = starts[(w + 1) % starts.len()];
                let mut pts = vec![c[s]];
                let mut k = s;
                loop {
                    k = (k + 1) % n;
                    pts.push(c[k]);
                    if k == e {
                        break;
                    }
                }
                // An arc is known by its whole sequence of positions, walked the way whose
                // positions come first in order (so that the two rings on its sides, which walk
                // it in opposite directions, find the same arc).
                let forward: Vec<Key> = pts.iter().map(|c| key(*c)).collect();
                let backward: Vec<Key> = forward.iter().rev().copied().collect();
                let (canonical, reversed) = if forward <= backward {
                    (forward, false)
                } else {
                    (backward, true)
                };
                let id = *by_key.entry(canonical).or_insert_with(|| {
                    if reversed {
                        pts.reverse();
                    }
                    arcs.push(pts);
                    arcs.len() - 1
                });
                these.push((id, reversed));
            }
            ring_arcs.push(these);
        }
        Topology {
            arcs,
            rings: ring_arcs,
            by_key,
            junctions,
        }
    }

    /// The line as arcs (each walked forwards or backwards), cut at the junctions along it;
    /// `None` when a stretch is not an arc (the line leaves the boundaries).
    fn arcs_of_line(&self, line: &[Coord<f64>]) -> Option<Vec<(usize, bool)>> {
        let mut out = Vec::new();
        let mut start = 0;
        for k in 1..line.len() {
            if k + 1 < line.len() && !self.junctions.contains(&key(line[k])) {
                continue;
            }
            let forward: Vec<Key> = line[start..=k].iter().map(|c| key(*c)).collect();
            let backward: Vec<Key> = forward.iter().rev().copied().collect();
            let (canonical, reversed) = if forward <= backward {
                (forward, false)
            } else {
                (backward, true)
            };
            out.push((*self.by_key.get(&canonical)?, reversed));
            start = k;
        }
        (!out.is_empty()).then_some(out)
    }
}

/// The arc simplified with its ends fixed. A closed arc (a whole ring) keeps a triangle at
/// least, as `geo` keeps of a polygon's ring.
fn simplify_arc(original: &[Coord<f64>], epsilon: f64) -> Vec<Coord<f64>> {
    if original.len() <= 2 || epsilon <= 0.0 {
        return original.to_vec();
    }
    let line = LineString(original.to_vec());
    if original.first() == original.last() {
        Polygon::new(line, Vec::new())
            .simplify_vw_preserve(epsilon)
            .into_inner()
            .0
            .0
    } else {
        line.simplify_vw_preserve(epsilon).0
    }
}

/// The positions of a ring from its simplified arcs (closed).
fn ring_from(arcs_of_ring: &[(usize, bool)], arcs: &[Arc]) -> Vec<Coord<f64>> {
    let mut out: Vec<Coord<f64>> = Vec::new();
    for &(a, reversed) in arcs_of_ring {
        let s = &arcs[a].simplified;
        if reversed {
            out.extend(s.iter().rev());
        } else {
            out.extend(s.iter());
        }
    }
    out.dedup();
    if out.first() != out.last()
        && let Some(first) = out.first().copied()
    {
        out.push(first);
    }
    out
}

/// The faces from the simplified arcs.
fn assemble(rings: &[Ring], ring_arcs: &[Vec<(usize, bool)>], arcs: &[Arc], faces: usize) -> Vec<MultiPolygon<f64>> {
    let mut out: Vec<Vec<Vec<LineString<f64>>>> = vec![Vec::new(); faces];
    for (ring, these) in rings.iter().zip(ring_arcs) {
        let polygons = &mut out[ring.face];
        if polygons.len() <= ring.polygon {
            polygons.resize(ring.polygon + 1, Vec::new());
        }
        let slot = &mut polygons[ring.polygon];
        if slot.len() <= ring.index {
            slot.resize(ring.index + 1, LineString(Vec::new()));
        }
        slot[ring.index] = LineString(ring_from(these, arcs));
    }
    out.into_iter()
        .map(|polygons| {
            MultiPolygon(
                polygons
                    .into_iter()
                    .filter(|rings| rings.first().is_some_and(|r| r.0.len() >= 4))
                    .map(|mut rings| {
                        let exterior = rings.remove(0);
                        Polygon::new(exterior, rings.into_iter().filter(|r| r.0.len() >= 4).collect())
                    })
                    .collect(),
            )
        })
        .collect()
}

/// The arcs (indices, sorted, each once) that a simplification broke: those of a ring that
/// collapsed (fewer than three positions) or turned over, those whose segments cross, overlap
/// or touch another's (other than at a shared vertex, or along the very same segment), and those
/// of a polygon the loader's validity check refuses.
fn arcs_at_fault(rings: &[Ring], ring_arcs: &[Vec<(usize, bool)>], arcs: &[Arc], faces: usize) -> Vec<usize> {
    let mut bad = vec![false; arcs.len()];
    let mark_ring = |these: &[(usize, bool)], bad: &mut Vec<bool>| {
        for (a, _) in these {
            if arcs[*a].simplified != arcs[*a].original {
                bad[*a] = true;
            }
        }
    };
    for (ring, these) in rings.iter().zip(ring_arcs) {
        let coords = ring_from(these, arcs);
        let open = &coords[..coords.len().saturating_sub(1)];
        let turn = twice_area(open);
        if open.len() < 3 || turn == 0.0 || (turn > 0.0) != (ring.turn > 0.0) {
            mark_ring(these, &mut bad);
        }
    }
    for a in crossing_arcs(arcs) {
        if arcs[a].simplified != arcs[a].original {
            bad[a] = true;
        }
    }
    // Each face as assembled, by the loader's check; the polygons it names are simplified again.
    let assembled = assemble(rings, ring_arcs, arcs, faces);
    // Polygons of an assembled face are those whose exterior survived, in order: the input
    // polygon of each.
    let kept: Vec<Vec<usize>> = (0..faces)
        .map(|face| {
            let mut by_polygon: Vec<(usize, bool)> = rings
                .iter()
                .zip(ring_arcs)
                .filter(|(ring, _)| ring.face == face && ring.index == 0)
                .map(|(ring, these)| (ring.polygon, ring_from(these, arcs).len() >= 4))
                .collect();
            by_polygon.sort_unstable();
            by_polygon.into_iter().filter(|(_, k)| *k).map(|(p, _)| p).collect()
        })
        .collect();
    let mark_polygons = |face: usize, polygons: &std::collections::HashSet<usize>, bad: &mut Vec<bool>| {
        for (ring, these) in rings.iter().zip(ring_arcs) {
            if ring.face == face && polygons.contains(&ring.polygon) {
                mark_ring(these, bad);
            }
        }
    };
    for (face, mp) in assembled.iter().enumerate() {
        let problems = crate::geodata::validity_problems_up_to(mp, usize::MAX);
        if problems.is_empty() {
            continue;
        }
        let polygons: std::collections::HashSet<usize> = problems
            .iter()
            .flat_map(crate::output::drawable::polygons_named)
            .filter_map(|i| kept[face].get(i).copied())
            .collect();
        mark_polygons(face, &polygons, &mut bad);
    }
    // Faces must not overlap one another. An arc can sweep over a polygon of another face that
    // it does not touch (an island off a coast, the fresh tester's 62 km2 at 100 km) without
    // crossing a segment: the polygons of both faces that meet such an overlap are simplified
    // again.
    for i in 0..faces {
        for j in i + 1..faces {
            let [overlap] = crate::coverage::overlay(
                &assembled[i].0,
                &assembled[j].0,
                [crate::coverage::OverlayRule::Intersect],
                false,
            );
            for piece in &overlap.0 {
                if twice_area(&piece.exterior().0).abs() < OVERLAP_DEG2 * 2.0 {
                    continue;
                }
                let Some(b) = geo::BoundingRect::bounding_rect(piece) else {
                    continue;
                };
                for (face, mp) in [(i, &assembled[i]), (j, &assembled[j])] {
                    let polygons: std::collections::HashSet<usize> = mp
                        .0
                        .iter()
                        .enumerate()
                        .filter(|(_, p)| {
                            geo::BoundingRect::bounding_rect(*p).is_some_and(|r| geo::Intersects::intersects(&r, &b))
                        })
                        .filter_map(|(k, _)| kept[face].get(k).copied())
                        .collect();
                    mark_polygons(face, &polygons, &mut bad);
                }
            }
        }
    }
    bad.iter().enumerate().filter(|(_, b)| **b).map(|(a, _)| a).collect()
}

/// The smallest overlap of two simplified faces taken as one (square degrees, about 1e-4 m2):
/// below it, floating point where faces meet.
const OVERLAP_DEG2: f64 = 1e-14;

/// The arcs whose simplified segments cross, overlap or touch a segment of another arc (or a
/// segment of their own that is not next to it) other than at a vertex both share, or along the
/// very same segment (two arcs straightened onto one another where a face between them thinned
/// away is caught by that ring's collapse).
fn crossing_arcs(arcs: &[Arc]) -> Vec<usize> {
    struct Segment {
        arc: usize,
        index: usize,
        line: Line<f64>,
    }
    impl RTreeObject for Segment {
        type Envelope = AABB<[f64; 2]>;
        fn envelope(&self) -> Self::Envelope {
            AABB::from_corners(
                [self.line.start.x, self.line.start.y],
                [self.line.end.x, self.line.end.y],
            )
        }
    }
    let segments: Vec<Segment> = arcs
        .iter()
        .enumerate()
        .flat_map(|(arc, a)| {
            a.simplified.windows(2).enumerate().map(move |(index, w)| Segment {
                arc,
                index,
                line: Line::new(w[0], w[1]),
            })
        })
        .collect();
    let tree = RTree::bulk_load(segments);
    let mut bad = std::collections::BTreeSet::new();
    for s in tree.iter() {
        for t in tree.locate_in_envelope_intersecting(&s.envelope()) {
            if (t.arc, t.index) <= (s.arc, s.index) {
                continue;
            }
            let (a, b) = (s.line, t.line);
            let shares = |p: Coord<f64>| (p == a.start || p == a.end) && (p == b.start || p == b.end);
            let fine = match line_intersection(a, b) {
                None => true,
                Some(LineIntersection::SinglePoint {
                    intersection,
                    is_proper,
                }) => !is_proper && shares(intersection),
                Some(LineIntersection::Collinear { .. }) => {
                    (a.start == b.start && a.end == b.end) || (a.start == b.end && a.end == b.start)
                }
            };
            if !fine {
                bad.insert(s.arc);
                bad.insert(t.arc);
            }
        }
    }
    bad.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{Area, BooleanOps};

    fn poly(pts: &[(f64, f64)]) -> Polygon<f64> {
        let mut v: Vec<Coord<f64>> = pts.iter().map(|&(x, y)| Coord { x, y }).collect();
        v.push(v[0]);
        Polygon::new(LineString(v), Vec::new())
    }

    /// A wiggly line from (x0, y0) to (x0, y1): `n` steps with offsets in x of up to `amp`.
    fn wiggle(x0: f64, y0: f64, y1: f64, n: usize, amp: f64, seed: u64) -> Vec<(f64, f64)> {
        let mut s = seed;
        (0..=n)
            .map(|i| {
                s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                let r = ((s >> 33) as f64 / (1u64 << 31) as f64) - 0.5;
                let y = y0 + (y1 - y0) * i as f64 / n as f64;
                let x = if i == 0 || i == n { x0 } else { x0 + amp * r };
                (x, y)
            })
            .collect()
    }

    fn overlap_area(a: &MultiPolygon<f64>, b: &MultiPolygon<f64>) -> f64 {
        a.intersection(b).unsigned_area()
    }

    /// Three faces: the left one has a wiggly boundary whole, the two on the right have half of
    /// it each (they meet at a junction on it). Simplified alone they overlap (the left face
    /// drops the junction's vertex, the right ones keep it as a corner); together they do not,
    /// leave no gap, and are far simpler.
    #[test]
    fn a_shared_boundary_is_simplified_once() {
        use geo::orient::{Direction, Orient};
        let line = wiggle(1.0, 0.0, 1.0, 400, 0.02, 7);
        let junction = line[200];
        let mut left: Vec<(f64, f64)> = vec![(0.0, 1.0), (0.0, 0.0)];
        left.extend(line.iter().copied());
        let mut low: Vec<(f64, f64)> = vec![(2.0, 0.0), (2.0, 0.5)];
        low.extend(line[..=200].iter().rev().copied());
        let mut high: Vec<(f64, f64)> = vec![junction, (2.0, 0.5), (2.0, 1.0)];
        high.extend(line[200..].iter().rev().copied());
        high.pop();
        let faces: Vec<MultiPolygon<f64>> = [left, low, high]
            .iter()
            .map(|r| MultiPolygon(vec![poly(r).orient(Direction::Default)]))
            .collect();
        let refs: Vec<&MultiPolygon<f64>> = faces.iter().collect();
        let eps = 1e-3;
        let alone: Vec<MultiPolygon<f64>> = faces.iter().map(|f| f.simplify_vw_preserve(eps)).collect();
        let overlap_alone = overlap_area(&alone[0], &alone[1]) + overlap_area(&alone[0], &alone[2]);
        assert!(overlap_alone > 1e-6, "the case must show the fault: {overlap_alone}");
        let together = simplify_coverage(&refs, eps);
        for (i, j) in [(0, 1), (0, 2), (1, 2)] {
            assert!(overlap_area(&together[i], &together[j]) < 1e-12, "{i} {j}");
        }
        let union = together[0].union(&together[1]).union(&together[2]);
        assert!(
            (union.unsigned_area() - 2.0).abs() < 1e-9,
            "no gap: {}",
            union.unsigned_area()
        );
        let area: f64 = together.iter().map(|f| f.unsigned_area()).sum();
        assert!((area - 2.0).abs() < 1e-9, "{area}");
        let vertices = |fs: &[MultiPolygon<f64>]| -> usize { fs.iter().map(|f| f.0[0].exterior().0.len()).sum() };
        assert!(
            vertices(&together) * 4 < vertices(&faces),
            "{} -> {}",
            vertices(&faces),
            vertices(&together)
        );
        assert!(together[1].0[0].exterior().0.contains(&Coord {
            x: junction.0,
            y: junction.1
        }));
    }

    /// An island inside a hole, and a small bump of the outer face around a second island: the
    /// islands stay, the holes stay around them, nothing overlaps, every face is valid.
    #[test]
    fn islands_and_holes_keep_their_places() {
        let outer_ring = poly(&[(0.0, 0.0), (10.0, 0.0), (10.0, 10.0), (0.0, 10.0)]);
        let island = poly(&[(4.0, 4.0), (4.5, 4.0), (4.5, 4.5), (4.2, 4.6), (4.0, 4.5)]);
        let outer = Polygon::new(
            outer_ring.exterior().clone(),
            vec![LineString(island.exterior().0.iter().rev().copied().collect())],
        );
        let (a, b) = (MultiPolygon(vec![outer]), MultiPolygon(vec![island]));
        for eps in [1e-6, 1e-2, 1.0, 100.0] {
            let s = simplify_coverage(&[&a, &b], eps);
            assert_eq!(s[0].0.len(), 1);
            assert_eq!(s[0].0[0].interiors().len(), 1, "eps {eps}");
            assert_eq!(s[1].0.len(), 1);
            assert!(crate::geodata::validity_problems(&s[0]).is_empty(), "eps {eps}");
            assert!(overlap_area(&s[0], &s[1]) < 1e-12, "eps {eps}");
            assert!(((s[0].unsigned_area() + s[1].unsigned_area()) - 100.0).abs() < 1e-9);
        }
    }

    /// A boundary that one face has as one edge and the other as two (a vertex on the edge, as
    /// the overlay leaves them, 1e-9 degrees off it): the faces share it, simplified or not.
    #[test]
    fn vertices_on_an_edge_are_shared() {
        let a = MultiPolygon(vec![poly(&[(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0)])]);
        let b = MultiPolygon(vec![poly(&[
            (1.0, 0.0),
            (2.0, 0.0),
            (2.0, 1.0),
            (1.0, 1.0),
            (1.0 + 1e-9, 0.5),
        ])]);
        let kink = Coord { x: 1.0 + 1e-9, y: 0.5 };
        let barely = simplify_coverage(&[&a, &b], 1e-30);
        assert!(barely[0].0[0].exterior().0.contains(&kink), "{:?}", barely[0]);
        for eps in [1e-30, 1e-3] {
            let s = simplify_coverage(&[&a, &b], eps);
            assert_eq!(overlap_area(&s[0], &s[1]), 0.0, "eps {eps}");
            assert!((s[0].unsigned_area() + s[1].unsigned_area() - 2.0).abs() < 1e-15);
        }
    }
}
