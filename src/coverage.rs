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
pub use i_overlay::core::overlay_rule::OverlayRule;
use i_overlay::float::overlay::{FloatOverlay, OverlayOptions};

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
    let mut overlay = FloatOverlay::with_subj_and_clip_custom(&subj, &clip_paths, options, Default::default());
    let Some(graph) = overlay.build_graph_view(FillRule::NonZero) else {
        // No segments at all: both inputs are empty.
        return std::array::from_fn(|_| MultiPolygon(vec![]));
    };
    let mut buf = BooleanExtractionBuffer::default();
    rules.map(|rule| to_multipolygon(graph.extract_shapes(rule, &mut buf)))
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
