//! Map layers as GeoJSON: the covered, occupied or contested area in force on a date, one
//! Feature per polygon (the line of contact: one per LineString), with the answer's provenance
//! in the `frontline` foreign member and in every feature's properties. Options: a bounding box
//! (features whose geometry intersects it, as OGC API Features), a simplification tolerance in
//! metres (Visvalingam-Whyatt, the three polygon layers simplified together as one coverage:
//! [`crate::output::coverage_simplify`]) and a number of decimals.

use crate::catalog::InForce;
pub use crate::output::drawable::drawable;
use crate::output::geojson::{Feature, FeatureCollection, LineStringGeometry, PolygonGeometry};
pub use crate::output::layer::OutputCheck;
use crate::output::layer::{LayerMeta, LayerProperties};
use crate::output::provenance::AnswerProvenance;
use chrono::NaiveDate;
use geo::{Intersects, MultiPolygon, Polygon, Rect};

pub use crate::output::layer::LayerKind;

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
    /// The raw composition, without the sliver rule (`index::slivers`).
    pub raw: bool,
    /// The instant asked for (`datetime=`), said in the answer when there was one.
    pub datetime: Option<chrono::DateTime<chrono::Utc>>,
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
            raw: false,
            datetime: None,
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
    let provenance = AnswerProvenance::at(f, date, opts.datetime);
    let per_feature = provenance.in_force.feature();
    let precision = opts.precision.min(15);
    let rects = opts.bbox_rects();
    let mut meta = LayerMeta {
        layer: kind,
        provenance,
        epoch_from: f.epoch.from,
        area_km2: None,
        length_km: None,
        left_out: None,
        rule: None,
        raw: opts.raw,
        moved: None,
        edges: crate::geodesy::EDGES,
        output_check: None,
        bbox: opts.bbox,
        simplify_m: opts.simplify_m,
        precision: opts.precision,
    };
    if kind == LayerKind::Line {
        return line_geojson(f, date, meta, &per_feature, rects.as_deref(), opts);
    }
    let computed = f.computed();
    let layers = computed.layers_of(opts.raw);
    meta.moved = (!opts.raw).then_some(computed.moved);
    let (geometry, area_km2): (&MultiPolygon<f64>, f64) = match kind {
        LayerKind::Coverage => (&layers.covered, layers.covered_km2),
        LayerKind::Occupied => (&layers.occupied, layers.occupied_km2),
        LayerKind::Contested | LayerKind::Line => (&layers.contested, layers.contested_km2),
    };
    let unknown = kind == LayerKind::Contested && f.contested_not_drawn().is_some();
    meta.area_km2 = Some((!unknown).then_some(area_km2));
    // Simplified, the three layers are simplified as one coverage (they partition the border):
    // a boundary two layers share is drawn the same in both, so that the simplified layers
    // neither overlap nor leave gaps between them (issue 9, F6).
    let simplified;
    let geometry = match opts.simplify_m {
        Some(m) if m > 0.0 => {
            let at = match kind {
                LayerKind::Occupied => 0,
                LayerKind::Contested | LayerKind::Line => 1,
                LayerKind::Coverage => 2,
            };
            simplified = simplified_coverage(f, &layers, opts.raw, m).0.swap_remove(at);
            &simplified
        }
        _ => geometry,
    };
    let (drawn, check) = drawable(geometry, None, precision);
    meta.output_check = Some(check);
    let features: Vec<Feature<LayerProperties, PolygonGeometry>> = drawn
        .0
        .iter()
        .filter(|p: &&Polygon<f64>| rects.as_ref().is_none_or(|rs| rs.iter().any(|r| p.intersects(r))))
        .enumerate()
        .map(|(id, polygon)| Feature {
            id,
            properties: LayerProperties {
                layer: kind,
                date,
                area_km2: Some(crate::geodesy::polygon_area_m2(polygon) / 1e6),
                length_km: None,
                provenance: &per_feature,
            },
            geometry: PolygonGeometry { polygon, precision },
        })
        .collect();
    crate::num::to_vec(&FeatureCollection {
        frontline: meta,
        features,
    })
}

/// The occupied, contested and covered layers (in that order) and the lines of the line of
/// contact, simplified together with a tolerance of `m` metres: one coverage whose arcs are cut
/// at the lines' ends too, so that every layer and the line are drawn on the same arcs whichever
/// is asked for ([`crate::output::coverage_simplify`]).
fn simplified_coverage(
    f: &InForce<'_>,
    layers: &crate::coverage::ControlLayers,
    raw: bool,
    m: f64,
) -> (Vec<MultiPolygon<f64>>, Vec<geo::LineString<f64>>) {
    let line = f.epoch.state.line_of(raw);
    let lines: Vec<&geo::LineString<f64>> = line.lines.0.iter().collect();
    crate::output::coverage_simplify::simplify_coverage_with_lines(
        &[&layers.occupied, &layers.contested, &layers.covered],
        &lines,
        crate::output::coverage_simplify::vw_epsilon(m),
    )
}

/// The line of contact as a FeatureCollection of LineStrings (one per line, with its geodesic
/// length); bbox keeps the lines that intersect it; simplification is Visvalingam-Whyatt, on the
/// arcs of the layers simplified as one coverage.
fn line_geojson(
    f: &InForce<'_>,
    date: NaiveDate,
    mut meta: LayerMeta,
    per_feature: &crate::output::FeatureProvenance,
    rects: Option<&[Rect<f64>]>,
    opts: &LayerOptions,
) -> Result<Vec<u8>, serde_json::Error> {
    let line = f.epoch.state.line_of(opts.raw);
    meta.length_km = Some(line.length_km);
    meta.left_out = Some(line.left_out);
    meta.rule = Some(if opts.raw {
        "raw: the occupied area's boundary without the edges on the border's boundary (1 cm) and without the pieces that never leave it by more than along_border_tolerance_km"
    } else {
        "edge by edge: the occupied area's boundary (after the sliver rule) without the edges on the border's boundary (1 cm: coast or international border) and the parts within along_border_tolerance_km of it; slivers and specks are given the surrounding status first"
    });
    let precision = opts.precision.min(15);
    // Simplified, the line is drawn on the arcs of the layers simplified as one coverage, so
    // that it lies on the simplified occupied area's boundary, as it lies on the boundary as
    // published.
    let simplified: Option<Vec<geo::LineString<f64>>> = match opts.simplify_m {
        Some(m) if m > 0.0 => {
            let computed = f.computed();
            Some(simplified_coverage(f, &computed.layers_of(opts.raw), opts.raw, m).1)
        }
        _ => None,
    };
    let drawn: Vec<(usize, f64, geo::LineString<f64>)> = line
        .lines
        .0
        .iter()
        .enumerate()
        .filter(|(_, l)| rects.is_none_or(|rs| rs.iter().any(|r| l.intersects(r))))
        .filter_map(|(i, l)| {
            let length_km = crate::geodesy::length_km(l);
            let drawn = simplified.as_ref().and_then(|s| s.get(i)).unwrap_or(l).clone();
            // Drawn at those decimals without zero-length segments; a line shorter than the grid
            // is not drawn (its length stays in the layer's length_km).
            crate::output::drawable::drawable_line(&drawn, precision).map(|d| (i, length_km, d))
        })
        .collect();
    let features: Vec<Feature<LayerProperties, LineStringGeometry>> = drawn
        .iter()
        .map(|(id, length_km, l)| Feature {
            id: *id,
            properties: LayerProperties {
                layer: LayerKind::Line,
                date,
                area_km2: None,
                length_km: Some(*length_km),
                provenance: per_feature,
            },
            geometry: LineStringGeometry { line: l, precision },
        })
        .collect();
    crate::num::to_vec(&FeatureCollection {
        frontline: meta,
        features,
    })
}
