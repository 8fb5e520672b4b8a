//! WGS84 measures of shapes whose edges are straight lines in lon/lat.
//!
//! **One edge semantics.** An edge between two positions is the straight line between them in
//! lon/lat, as RFC 7946 §3.1.1 says and as point location takes it (`crate::index`). Every
//! measure of the crate (areas of layers, diffs and regions, lengths of the line of contact) is
//! taken on that shape, with the functions of this module, so that an area cited in a text and a
//! point coloured on a map describe the same territory.
//!
//! How: the area of a region on the ellipsoid is, by Green's theorem, `-∮ S(φ) dλ` along its
//! boundary, where `S(φ)` is the area between the equator and latitude φ per radian of longitude
//! (the authalic-latitude integral, closed form). Along a straight lon/lat edge φ is linear in λ,
//! so each edge's term is a one-dimensional integral of a smooth function, computed by
//! Gauss-Legendre quadrature with enough nodes (and sub-intervals on long edges) that its error
//! is below 1e-12 of the edge's term: an exact integration to rounding, not a densification
//! guess. Short edges (the archives' edges are a few hundred metres) take two nodes. The length
//! of an edge is the integral of the first fundamental form along it, likewise. Written here by
//! hand because `geo`'s geodesic measures (Karney's algorithms, via geographiclib-rs) take edges
//! as geodesics; the tests compare against them on rings densified every 1e-4 degrees.

use geo::{Coord, LineString, MultiPolygon, Polygon};

/// The edge semantics and the accuracy of measures, as stated in answers (`frontline.edges`).
pub const EDGES: &str = "straight in lon/lat (RFC 7946 3.1.1); WGS84 areas and lengths integrated exactly along them (Gauss-Legendre, error < 1e-9 relative)";

/// WGS84 semi-major axis, m.
pub const A: f64 = 6_378_137.0;
/// WGS84 flattening.
const F: f64 = 1.0 / 298.257_223_563;
/// First eccentricity squared.
pub const E2: f64 = F * (2.0 - F);

/// Area between the equator and latitude `phi` (radians) per radian of longitude, m2:
/// `b² (sin φ / (2 (1 - e² sin² φ)) + atanh(e sin φ) / (2 e))`.
#[inline]
fn strip(phi: f64) -> f64 {
    let e = E2.sqrt();
    let s = phi.sin();
    A * A * (1.0 - E2) * (s / (2.0 * (1.0 - E2 * s * s)) + (e * s).atanh() / (2.0 * e))
}

/// Gauss-Legendre nodes and weights on [-1, 1], 2 and 4 points.
const GL2: [(f64, f64); 2] = [(-0.577_350_269_189_625_8, 1.0), (0.577_350_269_189_625_8, 1.0)];
const GL4: [(f64, f64); 4] = [
    (-0.861_136_311_594_052_6, 0.347_854_845_137_453_9),
    (-0.339_981_043_584_856_3, 0.652_145_154_862_546_1),
    (0.339_981_043_584_856_3, 0.652_145_154_862_546_1),
    (0.861_136_311_594_052_6, 0.347_854_845_137_453_9),
];

/// Largest extent (radians of latitude or longitude) of an edge integrated with two nodes: the
/// error of the 2-point rule is about 2e-4 Δ⁴ of the term, 2e-16 here.
const SHORT_RAD: f64 = 1e-3;
/// Length (radians) of the pieces a long edge is cut into for the 4-point rule (error about
/// 6e-10 Δ⁸ of the term: 1e-23).
const PIECE_RAD: f64 = 0.02;

/// Integrates `f` over [0, 1] with the rule the extent `span` (radians) needs.
#[inline]
fn integrate(span: f64, f: impl Fn(f64) -> f64) -> f64 {
    if span < SHORT_RAD {
        return GL2.iter().map(|&(x, w)| w * f(0.5 + 0.5 * x)).sum::<f64>() * 0.5;
    }
    let n = (span / PIECE_RAD).ceil().max(1.0);
    let h = 1.0 / n;
    let mut total = 0.0;
    for k in 0..n as usize {
        let t0 = k as f64 * h;
        total += GL4.iter().map(|&(x, w)| w * f(t0 + h * (0.5 + 0.5 * x))).sum::<f64>() * 0.5 * h;
    }
    total
}

/// Signed area (m2) of a closed ring whose edges are straight in lon/lat: positive when
/// counterclockwise. The ring must not enclose a pole (no ring of the data does).
pub fn ring_area_m2(ring: &LineString<f64>) -> f64 {
    let pts = &ring.0;
    let Some(first) = pts.first() else {
        return 0.0;
    };
    // Measured from the first vertex's latitude: ∮ S(φ_ref) dλ is zero on a closed ring, and the
    // terms stay small (no cancellation of Earth-sized strips).
    let s_ref = strip(first.y.to_radians());
    let mut sum = 0.0;
    for w in pts.windows(2) {
        sum += edge_term(w[0], w[1], s_ref);
    }
    if let (Some(a), Some(b)) = (pts.last(), pts.first())
        && a != b
    {
        sum += edge_term(*a, *b, s_ref);
    }
    -sum
}

/// `∫ (S(φ) - s_ref) dλ` along the straight lon/lat edge a-b.
#[inline]
fn edge_term(a: Coord<f64>, b: Coord<f64>, s_ref: f64) -> f64 {
    let dl = (b.x - a.x).to_radians();
    if dl == 0.0 {
        return 0.0;
    }
    let (p0, p1) = (a.y.to_radians(), b.y.to_radians());
    let dp = p1 - p0;
    if dp == 0.0 {
        return (strip(p0) - s_ref) * dl;
    }
    dl * integrate(dp.abs(), |t| strip(p0 + t * dp) - s_ref)
}

/// Area (m2) of a polygon: its exterior minus its holes, whatever their orientation.
pub fn polygon_area_m2(p: &Polygon<f64>) -> f64 {
    ring_area_m2(p.exterior()).abs() - p.interiors().iter().map(|h| ring_area_m2(h).abs()).sum::<f64>()
}

/// Area (km2) of one polygon: [`polygon_area_m2`] in km2.
pub fn polygon_area_km2(p: &Polygon<f64>) -> f64 {
    polygon_area_m2(p) / 1e6
}

/// Area (km2) of polygons (holes subtracted), whatever their ring orientation. Polygons are
/// taken as disjoint (as the layers are).
pub fn area_km2(mp: &MultiPolygon<f64>) -> f64 {
    // `Sum for f64` starts from -0.0: an empty layer would be `-0.0`.
    mp.0.iter().fold(0.0, |acc, p| acc + polygon_area_m2(p)) / 1e6
}

/// Length (m) of the straight lon/lat edge a-b on WGS84: the integral of
/// `sqrt((M dφ)² + (N cos φ dλ)²)` along it.
pub fn edge_length_m(a: Coord<f64>, b: Coord<f64>) -> f64 {
    let (dl, p0) = ((b.x - a.x).to_radians(), a.y.to_radians());
    let dp = b.y.to_radians() - p0;
    if dl == 0.0 && dp == 0.0 {
        return 0.0;
    }
    let f = |t: f64| {
        let phi = p0 + t * dp;
        let (s, c) = phi.sin_cos();
        let w2 = 1.0 - E2 * s * s;
        let n = A / w2.sqrt();
        let m = A * (1.0 - E2) / (w2 * w2.sqrt());
        (m * dp).hypot(n * c * dl)
    };
    integrate(dl.abs().max(dp.abs()), f)
}

/// Length (m) of a line whose edges are straight in lon/lat.
pub fn line_length_m(line: &LineString<f64>) -> f64 {
    line.0.windows(2).fold(0.0, |acc, w| acc + edge_length_m(w[0], w[1]))
}

/// Length (km) of a line whose edges are straight in lon/lat: the crate's one line length.
///
/// ```
/// use geo::LineString;
/// // Two degrees of a meridian at 47°N: 222.3 km on WGS84.
/// let km = frontline::geodesy::length_km(&LineString::from(vec![(32.0, 46.0), (32.0, 48.0)]));
/// assert!((km - 222.3).abs() < 0.1, "{km}");
/// ```
pub fn length_km(line: &LineString<f64>) -> f64 {
    line_length_m(line) / 1e3
}

/// Geodesic distance (m) between two points on WGS84: the shortest path (Karney's algorithm,
/// geographiclib-rs through `geo`), not along a straight lon/lat edge.
pub fn distance_m(a: Coord<f64>, b: Coord<f64>) -> f64 {
    use geo::{Distance, Geodesic, Point};
    Geodesic.distance(Point(a), Point(b))
}

/// Geodesic distance (km) between two points on WGS84 ([`distance_m`]): the crate's one
/// point-to-point distance.
pub fn distance_km(a: Coord<f64>, b: Coord<f64>) -> f64 {
    distance_m(a, b) / 1e3
}

/// Earth-centred Cartesian coordinates (m) of a point on the WGS84 ellipsoid (height 0).
pub fn ecef_m(lon: f64, lat: f64) -> [f64; 3] {
    let (sp, cp) = lat.to_radians().sin_cos();
    let (sl, cl) = lon.to_radians().sin_cos();
    let n = A / (1.0 - E2 * sp * sp).sqrt();
    [n * cp * cl, n * cp * sl, n * (1.0 - E2) * sp]
}

/// A lower bound (m) on the WGS84 geodesic distance between two points `chord_m` apart in a
/// straight line: the arc of that chord on a sphere of the ellipsoid's largest radius of
/// curvature (a²/b, at the poles), which bends less than any geodesic. Within 1 m of the
/// geodesic distance up to about 500 km (the arc's excess over the chord is c³/24R², and the
/// radii of curvature differ by under 1 %).
pub fn geodesic_lower_bound_m(chord_m: f64) -> f64 {
    const R: f64 = A * A / (A * (1.0 - F));
    2.0 * R * (chord_m / (2.0 * R)).clamp(0.0, 1.0).asin()
}

/// Kilometres per degree of longitude at the equator (and, within 1 %, of latitude anywhere),
/// rounded: one degree of the WGS84 equator, 2πa/360 with a = 6,378,137 m, is 111.319 km (the
/// "111.32 km per degree" of GIS tools). The scale of the local equirectangular frames used
/// for thresholds, tolerances and R-tree searches only (never for a reported figure, which
/// comes from [`length_km`], [`distance_km`] or [`area_km2`]). The one such constant of the
/// crate: [`METRES_PER_DEGREE`] is the same in metres.
pub const KM_PER_DEGREE: f64 = 111.32;

/// [`KM_PER_DEGREE`] in metres: for turning a tolerance in metres into degrees.
pub const METRES_PER_DEGREE: f64 = KM_PER_DEGREE * 1000.0;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn km_per_degree_is_a_degree_of_the_wgs84_equator() {
        let exact = 2.0 * std::f64::consts::PI * A / 360.0 / 1000.0;
        assert!((KM_PER_DEGREE - exact).abs() < 0.001, "{exact}");
        assert!((METRES_PER_DEGREE - 111_320.0).abs() < 1e-9);
    }
    use geo::{Distance, Geodesic, GeodesicArea, Point};
    use proptest::prelude::*;

    /// The ring with a vertex every `step` degrees (at most) along each straight edge.
    fn densify(ring: &LineString<f64>, step: f64) -> LineString<f64> {
        let mut out = Vec::new();
        for w in ring.0.windows(2) {
            let (a, b) = (w[0], w[1]);
            let n = ((b.x - a.x).abs().max((b.y - a.y).abs()) / step).ceil().max(1.0) as usize;
            for k in 0..n {
                let t = k as f64 / n as f64;
                out.push(Coord {
                    x: a.x + t * (b.x - a.x),
                    y: a.y + t * (b.y - a.y),
                });
            }
        }
        out.extend(ring.0.last().copied());
        LineString(out)
    }

    /// Karney's geodesic area of the ring densified every 1e-4 degrees: independent of this
    /// module (geographiclib-rs, geodesic edges that short are the straight ones to 1e-9 m2).
    fn karney_densified_m2(ring: &LineString<f64>) -> f64 {
        Polygon::new(densify(ring, 1e-4), vec![]).geodesic_area_signed()
    }

    #[test]
    fn one_degree_cell_at_the_equator() {
        // Geodesic (Karney) 1x1 degree cell (0..1, 0..1): 12,308.778 km2; its top edge along the
        // parallel 1°N bulges a few km2 less than the geodesic (which arcs poleward), at the
        // equator nearly nothing.
        let p = Polygon::new(
            LineString::from(vec![(0., 0.), (1., 0.), (1., 1.), (0., 1.), (0., 0.)]),
            vec![],
        );
        let a = area_km2(&MultiPolygon(vec![p.clone()]));
        let want = karney_densified_m2(p.exterior()) / 1e6;
        assert!((a - want).abs() < 1e-6, "{a} vs {want}");
        let cw = Polygon::new(
            LineString::from(vec![(0., 0.), (0., 1.), (1., 1.), (1., 0.), (0., 0.)]),
            vec![],
        );
        assert!((area_km2(&MultiPolygon(vec![cw])) - a).abs() < 1e-9);
        assert_eq!(area_km2(&MultiPolygon(vec![])).to_bits(), 0.0f64.to_bits(), "not -0.0");
    }

    #[test]
    fn the_long_edge_case_of_issue_16() {
        // (27, 48.7) -> (36, 48.7) sampled every 0.01 degree, up to (36, 50), one edge back to
        // (27, 50), down to the start: 94,542.5 km2 (the geodesic top edge gave 98,718.8).
        let mut v: Vec<(f64, f64)> = (0..=900).map(|i| (27.0 + i as f64 * 0.01, 48.7)).collect();
        v.extend([(36.0, 50.0), (27.0, 50.0), (27.0, 48.7)]);
        let p = Polygon::new(LineString::from(v), vec![]);
        let want = karney_densified_m2(p.exterior()) / 1e6;
        let a = area_km2(&MultiPolygon(vec![p]));
        assert!((a - want).abs() < 1e-4, "{a} vs Karney densified {want}");
        assert!((a - 94_542.5).abs() < 0.05, "{a}");
    }

    fn sparse_ring() -> impl Strategy<Value = LineString<f64>> {
        // A star-shaped ring (simple) of 3-12 vertices around a centre at lat 40-70; radii keep
        // edges under 15 degrees.
        (3usize..=12, 25.0f64..40.0, 45.0f64..65.0).prop_flat_map(|(n, cx, cy)| {
            (
                prop::collection::vec(0.5f64..5.0, n),
                prop::collection::vec(0.0f64..0.9, n),
            )
                .prop_map(move |(r, jitter)| {
                    let mut v: Vec<Coord<f64>> = (0..n)
                        .map(|i| {
                            let t = (i as f64 + jitter[i]) / n as f64 * std::f64::consts::TAU;
                            Coord {
                                x: cx + r[i] * 1.5 * t.cos(),
                                y: (cy + r[i] * t.sin()).clamp(40.0, 70.0),
                            }
                        })
                        .collect();
                    v.push(v[0]);
                    LineString(v)
                })
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]
        /// Issue 16 item 2: the area equals Karney's area of the ring densified at 1e-4 degrees
        /// within 1e-7 relative.
        #[test]
        fn area_equals_karney_on_the_densified_ring(ring in sparse_ring()) {
            let got = ring_area_m2(&ring);
            let want = karney_densified_m2(&ring);
            prop_assert!((got - want).abs() <= 1e-7 * want.abs(), "{} vs {}", got, want);
        }

        /// Issue 16 item 2: the length of one long edge equals the densified geodesic length
        /// within 1 cm.
        #[test]
        fn edge_length_equals_the_densified_geodesic_length(
            x0 in 20.0f64..40.0, y0 in 40.0f64..70.0, dx in -15.0f64..15.0, dy in -15.0f64..15.0,
        ) {
            let (a, b) = (Coord { x: x0, y: y0 }, Coord { x: x0 + dx, y: (y0 + dy).clamp(40.0, 70.0) });
            let d = densify(&LineString(vec![a, b]), 1e-4);
            let want: f64 = d.0.windows(2).map(|w| Geodesic.distance(Point(w[0]), Point(w[1]))).sum();
            let got = edge_length_m(a, b);
            prop_assert!((got - want).abs() < 0.01, "{} vs {}", got, want);
        }
    }
}
