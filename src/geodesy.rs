//! WGS84 measures: thin wrappers over `geo`'s geodesic algorithms (Karney, via geographiclib-rs).

use geo::{GeodesicArea, MultiPolygon};

/// Geodesic area on the WGS84 ellipsoid, in km2 (holes subtracted), of polygons smaller than a
/// hemisphere, whatever their ring orientation.
///
/// `geodesic_area_unsigned` reads a clockwise ring as enclosing the rest of the Earth (about
/// 510 million km2); the signed area's magnitude does not, so it is used per polygon.
pub fn area_km2(mp: &MultiPolygon<f64>) -> f64 {
    mp.0.iter().map(|p| p.geodesic_area_signed().abs()).sum::<f64>() / 1e6
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{LineString, Polygon};

    #[test]
    fn one_degree_cell_at_the_equator() {
        // Reference: geographiclib (Karney) for the 1x1 degree cell (0..1, 0..1): 12,308.778 km2.
        let p = Polygon::new(
            LineString::from(vec![(0., 0.), (1., 0.), (1., 1.), (0., 1.), (0., 0.)]),
            vec![],
        );
        let a = area_km2(&MultiPolygon(vec![p]));
        assert!((a - 12308.778).abs() < 0.01, "{a}");
        // The same cell, clockwise.
        let cw = Polygon::new(
            LineString::from(vec![(0., 0.), (0., 1.), (1., 1.), (1., 0.), (0., 0.)]),
            vec![],
        );
        assert!((area_km2(&MultiPolygon(vec![cw])) - a).abs() < 1e-9);
    }
}
