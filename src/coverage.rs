//! The control layers of one date: occupied, contested and covered areas, clipped to the border,
//! with their geodesic areas.
//!
//! occupied = (union of occupied areas) ∩ border; contested = (union of contested areas) ∩ border
//! minus occupied; covered = border minus both. The three partition the border. Boolean
//! operations are i_overlay's (the engine of `geo`'s `BooleanOps`) with the nonzero fill rule, so
//! overlapping inputs union.

use crate::geodesy::area_km2;
use geo::{Coord, LineString, MultiPolygon, Polygon};
use i_overlay::core::extract::BooleanExtractionBuffer;
use i_overlay::core::fill_rule::FillRule;
use i_overlay::core::overlay::ShapeType;
pub use i_overlay::core::overlay_rule::OverlayRule;
use i_overlay::float::overlay::{FloatOverlay, OverlayOptions};
use i_overlay::i_float::adapter::FloatPointAdapter;
use i_overlay::i_float::int::point::IntPoint;

/// The three layers of one date and their areas.
#[derive(Debug, Clone)]
pub struct ControlLayers {
    /// Occupied territory inside the border.
    pub occupied: MultiPolygon<f64>,
    /// Contested territory inside the border, not occupied.
    pub contested: MultiPolygon<f64>,
    /// The rest of the border: the area of application.
    pub covered: MultiPolygon<f64>,
    /// Geodesic area of `occupied`, km2.
    pub occupied_km2: f64,
    /// Geodesic area of `contested`, km2.
    pub contested_km2: f64,
    /// The border's geodesic area minus the other two, km2.
    pub covered_km2: f64,
}

/// Intersection and difference of `subject` with the union of `clip` (nonzero rule), from one
/// overlay graph.
pub fn split(subject: &MultiPolygon<f64>, clip: &[Polygon<f64>]) -> (MultiPolygon<f64>, MultiPolygon<f64>) {
    let [inside, outside] = overlay(
        &subject.0,
        clip,
        [OverlayRule::Intersect, OverlayRule::Difference],
        true,
    );
    (inside, outside)
}

/// Several boolean results of `subject` against `clip` (each the union of its polygons under
/// the nonzero rule) from one overlay graph.
///
/// `geo`'s `BooleanOps` runs one overlay per operation; we call its engine, i_overlay, directly
/// to extract several results from one graph.
///
/// `exact_vertices` is for results that must fit together with other results and with their
/// inputs (a partition of the border, the pieces of an agreement): every output vertex is kept
/// (collinear ones too, which i_overlay would drop as its snapping grid made them collinear),
/// and every output vertex that is an input vertex keeps the input's own coordinates. i_overlay
/// computes on a grid of integers (a step of 2^-26 degree, about 1.7 mm, over Ukraine; coarser
/// where the operands reach further) and gives back grid points: without this, each operation
/// moved every vertex of its inputs by up to half a step, so that a part cut from the border was
/// no longer inside it (a negotiated exclusion reaching to 45°E put the operation on a grid twice
/// as coarse: 2,300 vertices of the area of application moved, +0.0024 km2, 4.3e-9 of the
/// border), and a boundary cut twice, on two grids, no longer matched. Only the vertices an
/// operation creates (where edges cross) are grid points, shared by every result of the graph.
/// Without it, results are i_overlay's (collinear vertices dropped, grid coordinates): for
/// importers and buffers, whose output is a new shape.
pub fn overlay<const N: usize>(
    subject: &[Polygon<f64>],
    clip: &[Polygon<f64>],
    rules: [OverlayRule; N],
    exact_vertices: bool,
) -> [MultiPolygon<f64>; N] {
    overlay_within(subject, clip, rules, exact_vertices, None)
}

/// [`overlay`] on the grid of an operation over `extent` (`[min_x, min_y, max_x, max_y]`, which
/// must hold both operands) rather than over the operands' own box: for a sequence of operations
/// on parts of one whole (a scenario's parts cut by its exclusions, each cut given only the
/// polygons near it), so that each computes on the grid of the whole and the crossings one
/// creates are grid points of the next. Cut on the finer grids of smaller boxes and then again on
/// the whole's coarser grid, the crossings of many-spiked outlines fell onto one another and
/// i_overlay's splitting slowed tenfold (measured while fixing the fresh tester's F1).
pub fn overlay_within<const N: usize>(
    subject: &[Polygon<f64>],
    clip: &[Polygon<f64>],
    rules: [OverlayRule; N],
    exact_vertices: bool,
    extent: Option<[f64; 4]>,
) -> [MultiPolygon<f64>; N] {
    use i_overlay::i_shape::int::despike::DeSpike;
    use i_overlay::i_shape::int::simple::Simplify;
    let paths = |ps: &[Polygon<f64>]| -> Vec<Vec<[f64; 2]>> {
        ps.iter()
            .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
            .map(|r| r.0[..r.0.len().saturating_sub(1)].iter().map(|c| [c.x, c.y]).collect())
            .collect()
    };
    let (subj, mut clip_paths) = (paths(subject), paths(clip));
    let options = OverlayOptions {
        preserve_output_collinear: exact_vertices,
        preserve_input_collinear: exact_vertices,
        // Cleaned below, in integer space, as i_overlay would (despike with collinear points
        // kept, simplify without).
        clean_result: false,
        ..OverlayOptions::ogc()
    };
    let corners: Vec<[f64; 2]> = extent.map_or_else(Vec::new, |e| vec![[e[0], e[1]], [e[2], e[3]]]);
    let adapter = lattice_adapter(subj.iter().chain(&clip_paths).flatten().chain(&corners));
    let inputs = exact_vertices.then(|| InputVertices::new(&adapter, &subj, &mut clip_paths));
    let capacity = subj.iter().chain(&clip_paths).map(Vec::len).sum();
    let mut overlay = FloatOverlay::new_custom(adapter.clone(), options, Default::default(), capacity)
        .unsafe_add_source(&subj, ShapeType::Subject)
        .unsafe_add_source(&clip_paths, ShapeType::Clip);
    let Some(graph) = overlay.build_graph_view(FillRule::NonZero) else {
        // No segments at all: both inputs are empty.
        return std::array::from_fn(|_| MultiPolygon(vec![]));
    };
    let mut buf = BooleanExtractionBuffer::default();
    rules.map(|rule| {
        let mut shapes = graph.graph.extract_shapes(rule, &mut buf);
        if exact_vertices {
            shapes.remove_spikes();
        } else {
            shapes.simplify_contour();
        }
        let at = |p: &IntPoint| match &inputs {
            Some(v) => v.coordinates(p).unwrap_or_else(|| adapter.int_to_float(p)),
            None => adapter.int_to_float(p),
        };
        to_multipolygon(shapes, at, !exact_vertices)
    })
}

/// The input vertices of one overlay by the grid point each was snapped to, to give an output
/// vertex back its input's coordinates ([`overlay`]).
///
/// The subject is what is being cut (a part of the border, one source's layer), the clip only
/// says where: a clip vertex on the grid point of a subject vertex, or on one of the eight
/// around it (within 1.5 steps, about 2.5 mm over Ukraine), is moved onto that subject vertex
/// before the overlay, so that a clip drawn along the subject's outline on (nearly) its own
/// vertices (an exclusion traced from the border, a layer cut from the same border) meets it
/// exactly instead of running beside it one step away, where i_overlay's snapping made slivers
/// and moved the outline (-226 m2 for the border cut by a box, as an exclusion). A grid point two
/// different vertices of one operand fell on keeps its grid coordinates (which of the two it
/// stands for is not known).
struct InputVertices(Vertices);

/// Input vertices by grid point (`None`: two different ones fell on it).
type Vertices = std::collections::HashMap<IntPoint, Option<[f64; 2]>, std::hash::BuildHasherDefault<GridHasher>>;

/// A hasher for grid points: one multiply-rotate per coordinate (FxHash's step). Written here
/// because the standard SipHash costs as much as a third of an overlay of a few thousand
/// vertices, and grid points are not chosen by an adversary.
#[derive(Default)]
struct GridHasher(u64);

impl std::hash::Hasher for GridHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.write_u64(u64::from(*b));
        }
    }
    fn write_i32(&mut self, v: i32) {
        self.write_u64(u64::from(v as u32));
    }
    fn write_u64(&mut self, v: u64) {
        self.0 = (self.0.rotate_left(5) ^ v).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl InputVertices {
    fn new(adapter: &FloatPointAdapter<[f64; 2], f64>, subject: &[Vec<[f64; 2]>], clip: &mut [Vec<[f64; 2]>]) -> Self {
        fn add(map: &mut Vertices, key: IntPoint, p: [f64; 2]) {
            map.entry(key)
                .and_modify(|v| {
                    if *v != Some(p) {
                        *v = None;
                    }
                })
                .or_insert(Some(p));
        }
        let mut vertices = Vertices::with_capacity_and_hasher(
            subject.iter().chain(clip.iter()).map(Vec::len).sum(),
            Default::default(),
        );
        for p in subject.iter().flatten() {
            add(&mut vertices, adapter.float_to_int(p), *p);
        }
        let mut from_clip = Vertices::default();
        for p in clip.iter_mut().flatten() {
            let key = adapter.float_to_int(p);
            // Most clip vertices are subject vertices (two days of one source, a layer cut from
            // its own border): one look-up, as none can be nearer.
            if vertices.get(&key) == Some(&Some(*p)) {
                continue;
            }
            let near = (-1..=1)
                .flat_map(|dx| (-1..=1).map(move |dy| IntPoint::new(key.x + dx, key.y + dy)))
                .filter_map(|k| vertices.get(&k).copied().flatten())
                .min_by(|a, b| {
                    let d = |q: &[f64; 2]| (q[0] - p[0]).hypot(q[1] - p[1]);
                    d(a).total_cmp(&d(b))
                });
            match near {
                Some(q) => *p = q,
                None => add(&mut from_clip, key, *p),
            }
        }
        vertices.extend(from_clip);
        Self(vertices)
    }

    fn coordinates(&self, p: &IntPoint) -> Option<[f64; 2]> {
        self.0.get(p).copied().flatten()
    }
}

/// i_overlay's float-to-integer adapter for the points of one operation, on the one lattice of
/// its scale: i_overlay takes the scale from the operation's box (the finest power of two that
/// fits) and the origin at the box's centre, so that two operations on different boxes would
/// snap to grids offset by a fraction of a step. The origin is moved to the nearest multiple of
/// the step (by at most half a step, well inside i_overlay's margin), so that every operation
/// of one scale snaps to the same points, those of a finer scale keep them (its lattice contains
/// them) and a point already on the lattice never moves: the crossings an operation creates
/// (the only grid points in an `exact_vertices` result) stay where they are when a later
/// operation cuts that result again.
fn lattice_adapter<'a>(points: impl Iterator<Item = &'a [f64; 2]>) -> FloatPointAdapter<[f64; 2], f64> {
    let mut adapter = FloatPointAdapter::with_iter(points);
    let on_lattice = |v: f64| (v * adapter.dir_scale).round() * adapter.inv_scale;
    adapter.offset = [on_lattice(adapter.offset[0]), on_lattice(adapter.offset[1])];
    adapter
}

/// The shapes as polygons, each point at `at`'s coordinates; with `despiked`, the spikes that
/// i_overlay leaves in float coordinates removed ([`despike`]). Results with exact vertices are
/// not despiked in floats: their rings were despiked on the grid, and a float tolerance (1e-8
/// degree, several grid steps) cut the slivers where two layers run a step apart unlike the
/// union of the same graph (the pieces of an agreement fell 20 m2 short of its envelope), while
/// a zero-width spike encloses no area with straight lon/lat edges (`crate::geodesy`).
fn to_multipolygon(
    shapes: Vec<Vec<Vec<IntPoint>>>,
    at: impl Fn(&IntPoint) -> [f64; 2],
    despiked: bool,
) -> MultiPolygon<f64> {
    // Twice the signed area of a ring on the grid, exact in integers: > 0 counterclockwise.
    let turn = |path: &[IntPoint]| -> i128 {
        let n = path.len();
        (0..n)
            .map(|i| {
                let (a, b) = (path[i], path[(i + 1) % n]);
                i128::from(a.x) * i128::from(b.y) - i128::from(b.x) * i128::from(a.y)
            })
            .sum()
    };
    let ring = |mut path: Vec<IntPoint>, exterior: bool| {
        // Every exterior counterclockwise, every hole clockwise. i_overlay's OGC extraction can
        // give a hole that touches its shell the shell's turn (and the reverse): measured alone
        // each ring is right, but the next overlay reads its operands by the nonzero rule, where
        // a hole turned like its shell counts twice instead of cancelling: the hole was filled
        // again (a negotiated exclusion whose parts touch was put back into the area of
        // application by the next exclusion, +2,076 km2; an enclave left uncovered came back
        // occupied in the union with the sliver pieces), and the snap-rounding of the output
        // step, by the positive rule, dropped whole polygons whose exterior was turned.
        let t = turn(&path);
        if (exterior && t < 0) || (!exterior && t > 0) {
            path.reverse();
        }
        let mut cs: Vec<Coord<f64>> = path.iter().map(&at).map(|[x, y]| Coord { x, y }).collect();
        if despiked {
            despike(&mut cs);
        }
        if let Some(&first) = cs.first() {
            cs.push(first);
        }
        LineString(cs)
    };
    MultiPolygon(
        shapes
            .into_iter()
            .filter_map(|s| {
                let mut rings = s
                    .into_iter()
                    .enumerate()
                    .map(|(i, path)| ring(path, i == 0))
                    .filter(|r| r.0.len() >= 4);
                let exterior = rings.next()?;
                Some(Polygon::new(exterior, rings.collect()))
            })
            .collect(),
    )
}

/// The union of `polygons` (areas of positive winding: a ring turned clockwise by a
/// simplification encloses nothing) snap-rounded to the grid of `decimals` decimal places:
/// every vertex, and every crossing the rounding creates, is a grid point, so that the result
/// written with `decimals` decimals is exactly what was computed. The overlay runs in i_overlay's
/// integer space with one unit per grid step; its output is OGC-valid there, and so as written.
/// i_overlay's integers have 30 bits: where the grid is too fine for the extent (more than 7
/// decimals over 20 degrees), the finest grid of fewer decimals that fits is used (its points
/// are written exactly with more decimals).
pub fn snap_to_grid(polygons: &[Polygon<f64>], decimals: u8) -> MultiPolygon<f64> {
    use i_overlay::core::overlay::{IntOverlayOptions, Overlay, ShapeType};
    let coords = || {
        polygons
            .iter()
            .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
            .flat_map(|r| r.0.iter())
    };
    let (mut lo, mut hi) = ([f64::INFINITY; 2], [f64::NEG_INFINITY; 2]);
    for c in coords() {
        lo = [lo[0].min(c.x), lo[1].min(c.y)];
        hi = [hi[0].max(c.x), hi[1].max(c.y)];
    }
    if !lo[0].is_finite() {
        return MultiPolygon(vec![]);
    }
    let mut q = i32::from(decimals.min(15));
    let half = |scale: f64| ((hi[0] - lo[0]).max(hi[1] - lo[1]) / 2.0 * scale).ceil() + 2.0;
    while q > -2 && half(10f64.powi(q)) >= f64::from(1u32 << 29) {
        q -= 1;
    }
    let scale = 10f64.powi(q);
    let origin = [
        ((lo[0] + hi[0]) / 2.0 * scale).round(),
        ((lo[1] + hi[1]) / 2.0 * scale).round(),
    ];
    let to_int = |c: &Coord<f64>| IntPoint {
        x: ((c.x * scale).round() - origin[0]) as i32,
        y: ((c.y * scale).round() - origin[1]) as i32,
    };
    let mut overlay = Overlay::new_custom(coords().count(), IntOverlayOptions::ogc(), Default::default());
    for p in polygons {
        for r in std::iter::once(p.exterior()).chain(p.interiors()) {
            let pts: Vec<IntPoint> = r.0[..r.0.len().saturating_sub(1)].iter().map(to_int).collect();
            overlay.add_contour(&pts, ShapeType::Subject);
        }
    }
    let shapes = overlay.overlay(OverlayRule::Subject, FillRule::Positive);
    // k / 10^q, both exact in f64: the double nearest the decimal that is written.
    let to_coord = |p: &IntPoint| {
        let at = |k: f64| if q >= 0 { k / scale } else { k * 10f64.powi(-q) };
        Coord {
            x: at(origin[0] + f64::from(p.x)),
            y: at(origin[1] + f64::from(p.y)),
        }
    };
    let ring = |c: &Vec<IntPoint>| {
        let mut cs: Vec<Coord<f64>> = c.iter().map(to_coord).collect();
        if let Some(&first) = cs.first() {
            cs.push(first);
        }
        LineString(cs)
    };
    MultiPolygon(
        shapes
            .iter()
            .filter_map(|s| {
                let mut rings = s.iter().map(ring).filter(|r| r.0.len() >= 4);
                let exterior = rings.next()?;
                Some(Polygon::new(exterior, rings.collect()))
            })
            .collect(),
    )
}

/// Largest distance (degrees) of a vertex from the line through its neighbours for the three
/// to count as collinear when removing spikes: about 1 mm, a thousand times i_overlay's grid.
const SPIKE_TOLERANCE_DEG: f64 = 1e-8;

/// Removes spikes from an open ring: a vertex B whose neighbours A and C lie on one line with it
/// and on the same side of it (the path goes out to B and comes back).
///
/// Written here because i_overlay keeps such zero-width spikes where two nearly collinear input
/// edges (consecutive days of one archive re-digitise a line) meet within its snapping grid but
/// not exactly on it; planar they enclose nothing, but measured as geodesic edges a 10 km spike
/// encloses about 0.01 km2 (seen on the DeepState pair 2025-10-27/28).
fn despike(ring: &mut Vec<Coord<f64>>) {
    let mut changed = true;
    while changed && ring.len() >= 3 {
        changed = false;
        let n = ring.len();
        let mut keep = vec![true; n];
        for i in 0..n {
            let (a, b, c) = (ring[(i + n - 1) % n], ring[i], ring[(i + 1) % n]);
            let (ab, bc) = ((b.x - a.x, b.y - a.y), (c.x - b.x, c.y - b.y));
            let reverses = ab.0 * bc.0 + ab.1 * bc.1 < 0.0;
            let ac = (c.x - a.x, c.y - a.y);
            let len = ab.0.hypot(ab.1).max(bc.0.hypot(bc.1));
            let off_line = (ab.0 * ac.1 - ab.1 * ac.0).abs() / len.max(f64::MIN_POSITIVE);
            let duplicate = a == b;
            if duplicate || (reverses && off_line < SPIKE_TOLERANCE_DEG) {
                keep[i] = false;
                changed = true;
                break;
            }
        }
        if changed {
            let mut k = keep.iter();
            ring.retain(|_| *k.next().unwrap_or(&true));
        }
    }
}

/// Computes the layers from the border (and its geodesic area, km2) and the raw occupied and
/// contested polygons.
pub fn compute_layers(
    border: &MultiPolygon<f64>,
    border_km2: f64,
    occupied: &[Polygon<f64>],
    contested: &[Polygon<f64>],
) -> ControlLayers {
    let (occ, rest) = split(border, occupied);
    let (con, covered) = if contested.is_empty() {
        (MultiPolygon(vec![]), rest)
    } else {
        split(&rest, contested)
    };
    let (occupied_km2, contested_km2) = (area_km2(&occ), area_km2(&con));
    // The covered area is the border's minus the other two, so that the three add up to the
    // border exactly; measured on its own the covered polygon agrees to rounding (shared
    // boundaries keep the same vertices on both sides).
    let covered_km2 = border_km2 - occupied_km2 - contested_km2;
    ControlLayers {
        occupied: occ,
        contested: con,
        covered,
        occupied_km2,
        contested_km2,
        covered_km2,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spikes_are_removed() {
        let c = |x: f64, y: f64| Coord { x, y };
        // Out to (3, 0) along the bottom edge and back to (2, 1e-12): a spike at (3, 0).
        let mut r = vec![c(0.0, 0.0), c(3.0, 0.0), c(2.0, 1e-12), c(2.0, 1.0), c(0.0, 1.0)];
        despike(&mut r);
        assert_eq!(r, vec![c(0.0, 0.0), c(2.0, 1e-12), c(2.0, 1.0), c(0.0, 1.0)]);
        // A real corner stays.
        let mut sq = vec![c(0.0, 0.0), c(1.0, 0.0), c(1.0, 1.0), c(0.0, 1.0)];
        despike(&mut sq);
        assert_eq!(sq.len(), 4);
    }
    use geo::LineString;

    fn rect(x0: f64, y0: f64, x1: f64, y1: f64) -> Polygon<f64> {
        Polygon::new(
            LineString::from(vec![(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)]),
            vec![],
        )
    }

    #[test]
    fn layers_partition_the_border() {
        let border = MultiPolygon(vec![rect(30.0, 46.0, 32.0, 48.0)]);
        // Occupied sticks out of the border; contested overlaps occupied and the covered area.
        let occ = [rect(31.0, 45.0, 33.0, 47.0), rect(31.5, 46.5, 32.5, 47.5)];
        let con = [rect(30.8, 46.0, 31.2, 48.0)];
        let b = area_km2(&border);
        let l = compute_layers(&border, b, &occ, &con);
        // Measured alone, the covered polygon differs from the derived figure only because the
        // border's 2-degree edges are split at new vertices placed on the straight lon/lat line,
        // off the geodesic between the original corners (on real borders, with edges of a few
        // km, the effect is negligible).
        assert!(
            (area_km2(&l.covered) - l.covered_km2).abs() / b < 2e-5,
            "{} vs {}",
            area_km2(&l.covered),
            l.covered_km2
        );
        // Expected outlines, vertex for vertex (geodesic edges: the same vertices give the same
        // area). i_overlay snaps to a fixed-point grid (about 1e-9 degrees here): hence 1e-7.
        let ring = |v: &[(f64, f64)]| {
            let mut v = v.to_vec();
            v.push(v[0]);
            MultiPolygon(vec![Polygon::new(LineString::from(v), vec![])])
        };
        let want_occ = area_km2(&ring(&[
            (31.0, 46.0),
            (32.0, 46.0),
            (32.0, 47.5),
            (31.5, 47.5),
            (31.5, 47.0),
            (31.0, 47.0),
        ]));
        assert!(
            (l.occupied_km2 - want_occ).abs() / want_occ < 1e-7,
            "{} vs {want_occ}: {:?}",
            l.occupied_km2,
            l.occupied
        );
        let want_con = area_km2(&ring(&[
            (30.8, 46.0),
            (31.0, 46.0),
            (31.0, 47.0),
            (31.2, 47.0),
            (31.2, 48.0),
            (30.8, 48.0),
        ]));
        assert!(
            (l.contested_km2 - want_con).abs() / want_con < 1e-7,
            "{} vs {want_con}: {:?}",
            l.contested_km2,
            l.contested
        );
    }
}

#[cfg(test)]
mod exact_vertex_tests {
    use super::*;

    /// A ring of `n` vertices off every binary grid (irrational-ish offsets) around (31, 48).
    fn wobbly(n: usize, r: f64) -> Polygon<f64> {
        let mut v: Vec<(f64, f64)> = (0..n)
            .map(|i| {
                let a = std::f64::consts::TAU * i as f64 / n as f64;
                let ri = r * (1.0 + 0.1 * (7.3 * a).sin());
                (31.0 + ri * a.cos() + 1e-9 / 3.0, 48.0 + ri * a.sin() - 1e-9 / 7.0)
            })
            .collect();
        v.push(v[0]);
        Polygon::new(LineString::from(v), vec![])
    }

    fn vertices(mp: &[Polygon<f64>]) -> std::collections::HashSet<(u64, u64)> {
        mp.iter()
            .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
            .flat_map(|r| r.0.iter())
            .map(|c| (c.x.to_bits(), c.y.to_bits()))
            .collect()
    }

    /// Issue 11: a cut keeps the subject's vertices bit for bit, whatever grid the operands put
    /// the overlay on (a clip reaching 14 degrees away made it twice as coarse: every vertex
    /// moved and the two results added up to 1e-9 more than the subject), so that the results
    /// add up to the subject's area to rounding.
    #[test]
    fn a_cut_keeps_the_subject_vertices_and_adds_up() {
        let subject = MultiPolygon(vec![wobbly(3000, 2.0)]);
        let want = area_km2(&subject);
        for clip in [
            Polygon::new(
                LineString::from(vec![
                    (20.0, 47.0),
                    (45.0, 47.0),
                    (45.0, 55.0),
                    (20.0, 55.0),
                    (20.0, 47.0),
                ]),
                vec![],
            ),
            wobbly(77, 1.5),
        ] {
            let (inside, outside) = split(&subject, std::slice::from_ref(&clip));
            let sum = area_km2(&inside) + area_km2(&outside);
            // The crossings are grid points, off the edges they lie on by up to half a step.
            assert!(
                (sum - want).abs() <= 1e-11 * want,
                "{sum} vs {want}: {:e}",
                (sum - want) / want
            );
            let kept = vertices(&inside.0).union(&vertices(&outside.0)).count();
            let before = vertices(&subject.0);
            let out: std::collections::HashSet<_> = vertices(&inside.0).union(&vertices(&outside.0)).copied().collect();
            assert!(
                before.is_subset(&out),
                "{} of {} vertices kept ({kept} out)",
                before.intersection(&out).count(),
                before.len()
            );
        }
    }

    /// A clip traced along the subject on its vertices moved by less than a grid step (2^-29
    /// degree for this extent; a
    /// negotiated exclusion copied from the border with other rounding) meets the subject
    /// exactly: the part it takes is the subject, nothing left outside.
    #[test]
    fn a_clip_traced_along_the_subject_within_a_step_meets_it() {
        let subject = wobbly(500, 1.0);
        let traced = Polygon::new(
            LineString::from(
                subject
                    .exterior()
                    .0
                    .iter()
                    .map(|c| (c.x + 1e-9, c.y - 0.8e-9))
                    .collect::<Vec<_>>(),
            ),
            vec![],
        );
        let want = area_km2(&MultiPolygon(vec![subject.clone()]));
        let (inside, outside) = split(&MultiPolygon(vec![subject]), &[traced]);
        assert!(outside.0.is_empty(), "{} km2 left outside", area_km2(&outside));
        let got = area_km2(&inside);
        assert!((got - want).abs() <= 1e-12 * want, "{got} vs {want}");
    }
}

#[cfg(test)]
mod snap_tests {
    use super::*;

    #[test]
    fn snapping_keeps_counterclockwise_area_and_drops_what_collapses_or_turned() {
        let ring = |v: &[(f64, f64)]| {
            let mut v = v.to_vec();
            v.push(v[0]);
            Polygon::new(LineString::from(v), vec![])
        };
        // A square, a sliver thinner than the grid, and a clockwise (turned) triangle.
        let square = ring(&[(30.0, 48.0), (30.5, 48.0), (30.5, 48.5), (30.0, 48.5)]);
        let sliver = ring(&[(31.0, 48.0), (31.5, 48.0), (31.5, 48.0000001)]);
        let turned = ring(&[(32.0, 48.0), (32.0, 48.5), (32.5, 48.0)]);
        let out = snap_to_grid(&[square, sliver, turned], 3);
        assert_eq!(out.0.len(), 1, "{out:?}");
        let e = &out.0[0].exterior().0;
        assert_eq!(e.len(), 5);
        let twice: f64 = e.windows(2).map(|w| w[0].x * w[1].y - w[1].x * w[0].y).sum();
        assert!(twice > 0.0, "counterclockwise");
        assert!(
            e.iter()
                .all(|c| (c.x * 1000.0).fract() == 0.0 || format!("{:.3}", c.x).parse::<f64>() == Ok(c.x))
        );
        // Too fine a grid for the extent: the finest that fits (here 6 decimals).
        let wide = ring(&[(-170.0, -80.0), (170.0, -80.0), (170.0, 80.0)]);
        let out = snap_to_grid(&[wide], 9);
        assert_eq!(out.0.len(), 1);
        assert!(
            out.0[0]
                .exterior()
                .0
                .iter()
                .all(|c| format!("{:.6}", c.x).parse::<f64>() == Ok(c.x))
        );
    }
}

#[cfg(test)]
mod touching_clip_tests {
    use super::*;

    fn ring(v: &[(f64, f64)]) -> Polygon<f64> {
        let mut v = v.to_vec();
        v.push(v[0]);
        Polygon::new(LineString::from(v), vec![])
    }

    /// Cuts `clips` out of `subject` one after the other (as a scenario takes its exclusions),
    /// returning the rest and what each cut took.
    fn cut_in_turn(subject: &MultiPolygon<f64>, clips: &[Vec<Polygon<f64>>]) -> (MultiPolygon<f64>, Vec<f64>) {
        let mut rest = subject.clone();
        let mut taken = Vec::new();
        for c in clips {
            let (inside, outside) = split(&rest, c);
            taken.push(area_km2(&inside));
            if !inside.0.is_empty() {
                rest = outside;
            }
        }
        (rest, taken)
    }

    /// Issue 11: an outline cut by a clip whose two parts touch at a corner or a T-junction,
    /// then by a second clip far away, in either order: the parts add up to the outline.
    #[test]
    fn cuts_by_touching_parts_add_up_in_any_order() {
        // An outline with a wiggly south edge crossing lat 48.
        let mut v: Vec<(f64, f64)> = vec![];
        for i in 0..=400 {
            let x = 22.0 + 20.0 * f64::from(i) / 400.0;
            v.push((x, 47.9 + 0.3 * (x * 3.7).sin() + 1e-9 / 3.0));
        }
        v.push((42.0, 52.0));
        v.push((22.0, 52.0));
        let border = MultiPolygon(vec![ring(&v)]);
        let b = area_km2(&border);
        let corner = vec![
            ring(&[(24.0, 47.0), (25.0, 47.0), (25.0, 48.0), (24.0, 48.0)]),
            ring(&[(25.0, 48.0), (26.0, 48.0), (26.0, 48.6), (25.0, 48.6)]),
        ];
        let tee = vec![
            ring(&[(24.0, 47.0), (25.0, 47.0), (25.0, 48.0), (24.0, 48.0)]),
            ring(&[(24.5, 48.0), (25.0, 48.5), (24.0, 48.5)]),
        ];
        let far = vec![ring(&[(31.0, 46.5), (32.0, 46.5), (32.0, 48.5), (31.0, 48.5)])];
        for (name, e0) in [("corner", corner), ("tee", tee)] {
            for order in [vec![e0.clone(), far.clone()], vec![far.clone(), e0.clone()]] {
                let (rest, taken) = cut_in_turn(&border, &order);
                let sum = area_km2(&rest) + taken.iter().sum::<f64>();
                assert!((sum - b).abs() <= 1e-10 * b, "{name}: {:e}", (sum - b) / b);
                // Every ring as the nonzero rule reads it: exteriors counterclockwise, holes
                // clockwise.
                let twice =
                    |r: &LineString<f64>| -> f64 { r.0.windows(2).map(|w| w[0].x * w[1].y - w[1].x * w[0].y).sum() };
                for p in &rest.0 {
                    assert!(twice(p.exterior()) > 0.0, "{name}");
                    assert!(p.interiors().iter().all(|h| twice(h) < 0.0), "{name}");
                }
            }
        }
    }
}
