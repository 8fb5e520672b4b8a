//! Map layers as GeoJSON: the covered, occupied or contested area in force on a date, one
//! Feature per polygon (the line of contact: one per LineString), with the answer's provenance
//! in the `frontline` foreign member and in every feature's properties. Options: a bounding box
//! (features whose geometry intersects it, as OGC API Features), a simplification tolerance in
//! metres (topology-preserving Visvalingam-Whyatt) and a number of decimals.

use crate::catalog::InForce;
use crate::output::geojson::{Feature, FeatureCollection, LineStringGeometry, PolygonGeometry};
use crate::output::layer::{AlongBorder, LayerMeta, LayerProperties};
use crate::output::provenance::AnswerProvenance;
use chrono::NaiveDate;
use geo::{Intersects, MultiPolygon, Polygon, Rect, SimplifyVwPreserve};

pub use crate::output::layer::LayerKind;

/// Metres per degree of latitude, for turning a tolerance in metres into degrees.
pub const METRES_PER_DEGREE: f64 = 111_320.0;

/// How to render a layer.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LayerOptions {
    /// `[min_lon, min_lat, max_lon, max_lat]`: keep the features that intersect it. A `min_lon`
    /// greater than `max_lon` is a box across the antimeridian (RFC 7946 §5.2).
    pub bbox: Option<[f64; 4]>,
    /// Simplification tolerance in metres (0 or `None`: none).
    pub simplify_m: Option<f64>,
    /// Decimals of the coordinates written (0 to 15).
    pub precision: u8,
}

impl LayerOptions {
    /// The bbox as rectangles: one, or two for a box across the antimeridian (`[min_lon, 180]`
    /// and `[-180, max_lon]`).
    pub fn bbox_rects(&self) -> Option<Vec<Rect<f64>>> {
        self.bbox.map(|[a, b, c, d]| {
            if a > c {
                vec![Rect::new((a, b), (180.0, d)), Rect::new((-180.0, b), (c, d))]
            } else {
                vec![Rect::new((a, b), (c, d))]
            }
        })
    }
}

impl Default for LayerOptions {
    fn default() -> Self {
        LayerOptions {
            bbox: None,
            simplify_m: None,
            precision: 6,
        }
    }
}

/// The GeoJSON FeatureCollection of a layer in force on `date` (the date asked for), as bytes.
///
/// # Errors
/// Only if serialisation fails, which these types cannot (kept as an error, not a panic).
pub fn layer_geojson(
    f: &InForce<'_>,
    date: NaiveDate,
    kind: LayerKind,
    opts: &LayerOptions,
) -> Result<Vec<u8>, serde_json::Error> {
    let provenance = AnswerProvenance::new(f, date);
    let per_feature = provenance.in_force.feature();
    let precision = opts.precision.min(15);
    let rects = opts.bbox_rects();
    let mut meta = LayerMeta {
        layer: kind,
        provenance,
        epoch_from: f.epoch.from,
        area_km2: None,
        length_km: None,
        along_border: None,
        bbox: opts.bbox,
        simplify_m: opts.simplify_m,
        precision: opts.precision,
    };
    if kind == LayerKind::Line {
        return line_geojson(f, date, meta, &per_feature, rects.as_deref(), opts);
    }
    let layers = &f.computed().layers;
    let (geometry, area_km2): (&MultiPolygon<f64>, f64) = match kind {
        LayerKind::Coverage => (&layers.covered, layers.covered_km2),
        LayerKind::Occupied => (&layers.occupied, layers.occupied_km2),
        LayerKind::Contested | LayerKind::Line => (&layers.contested, layers.contested_km2),
    };
    meta.area_km2 = Some(area_km2);
    let simplified;
    let geometry = match opts.simplify_m {
        Some(m) if m > 0.0 => {
            // Visvalingam-Whyatt removes a vertex whose triangle is smaller than epsilon
            // (degree units): a tolerance of m metres is taken as an area of (m in degrees)^2.
            let deg = m / METRES_PER_DEGREE;
            simplified = geometry.simplify_vw_preserve(deg * deg);
            &simplified
        }
        _ => geometry,
    };
    let properties = LayerProperties {
        layer: kind,
        date,
        length_km: None,
        provenance: &per_feature,
    };
    let features: Vec<Feature<&LayerProperties, PolygonGeometry>> = geometry
        .0
        .iter()
        .filter(|p: &&Polygon<f64>| rects.as_ref().is_none_or(|rs| rs.iter().any(|r| p.intersects(r))))
        .enumerate()
        .map(|(id, polygon)| Feature {
            id,
            properties: &properties,
            geometry: PolygonGeometry { polygon, precision },
        })
        .collect();
    serde_json::to_vec(&FeatureCollection {
        frontline: meta,
        features,
    })
}

/// The line of contact as a FeatureCollection of LineStrings (one per line, with its geodesic
/// length); bbox keeps the lines that intersect it; simplification is Visvalingam-Whyatt.
fn line_geojson(
    f: &InForce<'_>,
    date: NaiveDate,
    mut meta: LayerMeta,
    per_feature: &crate::output::FeatureProvenance,
    rects: Option<&[Rect<f64>]>,
    opts: &LayerOptions,
) -> Result<Vec<u8>, serde_json::Error> {
    use geo::{Distance, Geodesic, Point, SimplifyVw};
    let line = f.line();
    meta.length_km = Some(line.length_km);
    meta.along_border = Some(AlongBorder {
        tolerance_km: crate::index::line::COAST_TOLERANCE_KM,
        pieces: line.coastal_pieces,
        length_km: line.coastal_km,
        note: "pieces of the occupied boundary inside the border that never leave the border or coast by more than tolerance_km: where the source drew the coast or border apart from the reference border; not part of the line",
    });
    let precision = opts.precision.min(15);
    let drawn: Vec<(usize, f64, geo::LineString<f64>)> = line
        .lines
        .0
        .iter()
        .enumerate()
        .filter(|(_, l)| rects.is_none_or(|rs| rs.iter().any(|r| l.intersects(r))))
        .map(|(i, l)| {
            let length_km: f64 =
                l.0.windows(2)
                    .map(|w| Geodesic.distance(Point(w[0]), Point(w[1])))
                    .sum::<f64>()
                    / 1e3;
            let drawn = match opts.simplify_m {
                Some(m) if m > 0.0 => {
                    let deg = m / METRES_PER_DEGREE;
                    l.simplify_vw(deg * deg)
                }
                _ => l.clone(),
            };
            (i, length_km, drawn)
        })
        .collect();
    let features: Vec<Feature<LayerProperties, LineStringGeometry>> = drawn
        .iter()
        .map(|(id, length_km, l)| Feature {
            id: *id,
            properties: LayerProperties {
                layer: LayerKind::Line,
                date,
                length_km: Some(*length_km),
                provenance: per_feature,
            },
            geometry: LineStringGeometry { line: l, precision },
        })
        .collect();
    serde_json::to_vec(&FeatureCollection {
        frontline: meta,
        features,
    })
}
