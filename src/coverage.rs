//! The control layers of one date: occupied, contested and covered areas, clipped to the border,
//! with their geodesic areas.
//!
//! occupied = (union of occupied areas) ∩ border; contested = (union of contested areas) ∩ border
//! minus occupied; covered = border minus both. The three partition the border. Boolean
//! operations are `geo`'s (i_overlay) with the nonzero fill rule, so overlapping inputs union.

use crate::geodesy::area_km2;
use geo::{BooleanOps, MultiPolygon, Polygon};
use geo::bool_ops::{FillRule, OpType};

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

/// Computes the layers from the border (and its geodesic area, km2) and the raw occupied and
/// contested polygons.
pub fn compute_layers(border: &MultiPolygon<f64>, border_km2: f64, occupied: &[Polygon<f64>], contested: &[Polygon<f64>]) -> ControlLayers {
    let occupied_raw = MultiPolygon(occupied.to_vec());
    let occ = border.boolean_op_with_fill_rule(&occupied_raw, OpType::Intersection, FillRule::NonZero);
    let (con, covered) = if contested.is_empty() {
        (MultiPolygon(vec![]), border.boolean_op_with_fill_rule(&occupied_raw, OpType::Difference, FillRule::NonZero))
    } else {
        let contested_raw = MultiPolygon(contested.to_vec());
        let con_in = border.boolean_op_with_fill_rule(&contested_raw, OpType::Intersection, FillRule::NonZero);
        let con = con_in.boolean_op_with_fill_rule(&occupied_raw, OpType::Difference, FillRule::NonZero);
        let mut both = occupied.to_vec();
        both.extend_from_slice(contested);
        let covered = border.boolean_op_with_fill_rule(&MultiPolygon(both), OpType::Difference, FillRule::NonZero);
        (con, covered)
    };
    let (occupied_km2, contested_km2) = (area_km2(&occ), area_km2(&con));
    // The covered area is the border's minus the other two, so that the three add up to the
    // border exactly. Measuring the covered polygon on its own would differ slightly: the
    // overlay merges collinear vertices (in lon/lat), and a merged chain measured as one
    // geodesic edge bulges away from its parts (3.8 km2 on the synthetic example's 0.8-degree
    // edges, 0.3 km2 on DeepState).
    let covered_km2 = border_km2 - occupied_km2 - contested_km2;
    ControlLayers { occupied: occ, contested: con, covered, occupied_km2, contested_km2, covered_km2 }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::LineString;

    fn rect(x0: f64, y0: f64, x1: f64, y1: f64) -> Polygon<f64> {
        Polygon::new(LineString::from(vec![(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)]), vec![])
    }

    #[test]
    fn layers_partition_the_border() {
        let border = MultiPolygon(vec![rect(30.0, 46.0, 32.0, 48.0)]);
        // Occupied sticks out of the border; contested overlaps occupied and the covered area.
        let occ = [rect(31.0, 45.0, 33.0, 47.0), rect(31.5, 46.5, 32.5, 47.5)];
        let con = [rect(30.8, 46.0, 31.2, 48.0)];
        let b = area_km2(&border);
        let l = compute_layers(&border, b, &occ, &con);
        // Measured alone, the covered polygon agrees with the derived figure (its edges are
        // short here, apart from the 2-degree border edges split at new vertices).
        assert!((area_km2(&l.covered) - l.covered_km2).abs() / b < 2e-5);
        // Expected outlines, vertex for vertex (geodesic edges: the same vertices give the same
        // area). i_overlay snaps to a fixed-point grid (about 1e-9 degrees here): hence 1e-7.
        let ring = |v: &[(f64, f64)]| {
            let mut v = v.to_vec();
            v.push(v[0]);
            MultiPolygon(vec![Polygon::new(LineString::from(v), vec![])])
        };
        let want_occ = area_km2(&ring(&[(31.0, 46.0), (32.0, 46.0), (32.0, 47.5), (31.5, 47.5), (31.5, 47.0), (31.0, 47.0)]));
        assert!((l.occupied_km2 - want_occ).abs() / want_occ < 1e-7, "{} vs {want_occ}: {:?}", l.occupied_km2, l.occupied);
        let want_con = area_km2(&ring(&[(30.8, 46.0), (31.0, 46.0), (31.0, 47.0), (31.2, 47.0), (31.2, 48.0), (30.8, 48.0)]));
        assert!((l.contested_km2 - want_con).abs() / want_con < 1e-7, "{} vs {want_con}: {:?}", l.contested_km2, l.contested);
    }
}
