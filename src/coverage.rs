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
/// to extract several results from one graph. `keep_collinear` keeps every output vertex, so
/// that a boundary shared by two results has the same vertices (and so the same geodesic
/// edges) on both; without it, vertices that i_overlay's snapping grid (about 1e-9 degrees)
/// made collinear are dropped, as an exact overlay (GEOS) would never have created them.
pub fn overlay<const N: usize>(
    subject: &[Polygon<f64>],
    clip: &[Polygon<f64>],
    rules: [OverlayRule; N],
    keep_collinear: bool,
) -> [MultiPolygon<f64>; N] {
    let paths = |ps: &[Polygon<f64>]| -> Vec<Vec<[f64; 2]>> {
        ps.iter()
            .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
            .map(|r| r.0[..r.0.len().saturating_sub(1)].iter().map(|c| [c.x, c.y]).collect())
            .collect()
    };
    let (subj, clip_paths) = (paths(subject), paths(clip));
    let options = OverlayOptions {
        preserve_output_collinear: keep_collinear,
        preserve_input_collinear: keep_collinear,
        clean_result: true,
        ..OverlayOptions::ogc()
    };
    let adapter = lattice_adapter(subj.iter().chain(&clip_paths).flatten());
    let capacity = subj.iter().chain(&clip_paths).map(Vec::len).sum();
    let mut overlay = FloatOverlay::new_custom(adapter, options, Default::default(), capacity)
        .unsafe_add_source(&subj, ShapeType::Subject)
        .unsafe_add_source(&clip_paths, ShapeType::Clip);
    let Some(graph) = overlay.build_graph_view(FillRule::NonZero) else {
        // No segments at all: both inputs are empty.
        return std::array::from_fn(|_| MultiPolygon(vec![]));
    };
    let mut buf = BooleanExtractionBuffer::default();
    rules.map(|rule| to_multipolygon(graph.extract_shapes(rule, &mut buf)))
}

/// i_overlay's float-to-integer adapter for the points of one operation, on the one lattice of
/// its scale: i_overlay takes the scale from the operation's box (the finest power of two that
/// fits) and the origin at the box's centre, so that two operations on different boxes snap to
/// grids offset by a fraction of a step, and a boundary two results share moves between them by
/// that offset all along (a systematic gap or overlap: ~300 m2 along the line of contact, and
/// more once each excluded area of a scenario had been cut on its own grid). The origin is
/// moved to the nearest multiple of the step (by at most half a step, well inside i_overlay's
/// margin), so that every operation of one scale snaps to the same points, those of a finer
/// scale keep them (its lattice contains them) and a point already on the lattice never moves.
fn lattice_adapter<'a>(points: impl Iterator<Item = &'a [f64; 2]>) -> FloatPointAdapter<[f64; 2], f64> {
    let mut adapter = FloatPointAdapter::with_iter(points);
    let on_lattice = |v: f64| (v * adapter.dir_scale).round() * adapter.inv_scale;
    adapter.offset = [on_lattice(adapter.offset[0]), on_lattice(adapter.offset[1])];
    adapter
}

fn to_multipolygon(shapes: Vec<Vec<Vec<[f64; 2]>>>) -> MultiPolygon<f64> {
    let ring = |path: Vec<[f64; 2]>| {
        let mut cs: Vec<Coord<f64>> = path.into_iter().map(|[x, y]| Coord { x, y }).collect();
        despike(&mut cs);
        if let Some(&first) = cs.first() {
            cs.push(first);
        }
        LineString(cs)
    };
    MultiPolygon(
        shapes
            .into_iter()
            .filter_map(|s| {
                let mut rings = s.into_iter().map(ring).filter(|r| r.0.len() >= 4);
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
    use i_overlay::i_float::int::point::IntPoint;
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
