//! Map layers as GeoJSON: the covered, occupied or contested area in force on a date, one
//! Feature per polygon, with the answer's provenance as foreign members. Options: a bounding box
//! (features whose geometry intersects it, as OGC API Features), a simplification tolerance in
//! metres (topology-preserving Visvalingam-Whyatt) and a number of decimals.

use super::InForceRef;
use crate::catalog::InForce;
pub use crate::output::geojson::write_polygon;
use geo::{Intersects, MultiPolygon, Polygon, Rect, SimplifyVwPreserve};
use serde::Serialize;
use std::fmt::Write;

/// Which layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LayerKind {
    /// The area of application: the border minus occupied and contested.
    Coverage,
    /// Occupied inside the border.
    Occupied,
    /// Contested inside the border, not occupied.
    Contested,
    /// The line of contact.
    Line,
}

impl LayerKind {
    /// Parses a path segment.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "coverage" => Some(Self::Coverage),
            "occupied" => Some(Self::Occupied),
            "contested" => Some(Self::Contested),
            "line" => Some(Self::Line),
            _ => None,
        }
    }

    /// The name used in paths and answers.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Coverage => "coverage",
            Self::Occupied => "occupied",
            Self::Contested => "contested",
            Self::Line => "line",
        }
    }
}

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
    /// The raw composition, without the sliver rule (`analytics::slivers`).
    pub raw: bool,
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
        }
    }
}

/// The GeoJSON FeatureCollection of a layer, as text.
pub fn layer_geojson(f: &InForce<'_>, kind: LayerKind, opts: &LayerOptions) -> String {
    if kind == LayerKind::Line {
        return line_geojson(f, opts);
    }
    let computed = f.computed();
    let layers = computed.layers_of(opts.raw);
    let (geometry, area_km2): (&MultiPolygon<f64>, f64) = match kind {
        LayerKind::Coverage => (&layers.covered, layers.covered_km2),
        LayerKind::Occupied => (&layers.occupied, layers.occupied_km2),
        LayerKind::Contested | LayerKind::Line => (&layers.contested, layers.contested_km2),
    };
    let rects = opts.bbox_rects();
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
    let parts: Vec<&Polygon<f64>> = geometry
        .0
        .iter()
        .filter(|p| rects.as_ref().is_none_or(|rs| rs.iter().any(|r| p.intersects(r))))
        .collect();

    let meta = LayerMeta {
        layer: kind,
        date: f.epoch.from,
        area_km2,
        in_force: InForceRef::new(f),
        bbox: opts.bbox,
        simplify_m: opts.simplify_m,
        precision: opts.precision,
        raw: opts.raw,
        moved: (!opts.raw).then_some(computed.moved),
    };
    let mut out = String::with_capacity(64 + parts.iter().map(|p| p.exterior().0.len() * 24).sum::<usize>());
    out.push_str("{\"type\":\"FeatureCollection\",\"frontline\":");
    out.push_str(&serde_json::to_string(&meta).unwrap_or_else(|_| "null".into()));
    out.push_str(",\"features\":[");
    let p = usize::from(opts.precision.min(15));
    for (i, poly) in parts.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let _ = write!(
            out,
            "{{\"type\":\"Feature\",\"id\":{i},\"properties\":{{\"layer\":\"{}\"}},",
            kind.as_str()
        );
        out.push_str("\"geometry\":");
        write_polygon(&mut out, poly, p);
        out.push('}');
    }
    out.push_str("]}");
    out
}

/// The line of contact as a FeatureCollection of LineStrings (one per line, with its geodesic
/// length); bbox keeps the lines that intersect it; simplification is Visvalingam-Whyatt.
fn line_geojson(f: &InForce<'_>, opts: &LayerOptions) -> String {
    use geo::{Distance, Geodesic, Point, SimplifyVw};
    let line = f.epoch.state.line_of(opts.raw);
    let rects = opts.bbox_rects();
    let meta = serde_json::json!({
        "layer": LayerKind::Line,
        "date": f.epoch.from,
        "length_km": line.length_km,
        "left_out": line.left_out,
        "rule": if opts.raw {
            "raw: the occupied area's boundary without the edges on the border's boundary (1 cm) and without the pieces that never leave it by more than along_border_tolerance_km"
        } else {
            "edge by edge: the occupied area's boundary (after the sliver rule) without the edges on the border's boundary (1 cm: coast or international border) and the parts within along_border_tolerance_km of it; slivers and specks are given the surrounding status first"
        },
        "raw": opts.raw,
        "in_force": InForceRef::new(f),
        "synthetic": f.synthetic(),
        "bbox": opts.bbox,
        "simplify_m": opts.simplify_m,
        "precision": opts.precision,
    });
    let p = usize::from(opts.precision.min(15));
    let mut out = String::from("{\"type\":\"FeatureCollection\",\"frontline\":");
    out.push_str(&meta.to_string());
    out.push_str(",\"features\":[");
    let mut first = true;
    for (i, l) in line.lines.0.iter().enumerate() {
        if rects.as_ref().is_some_and(|rs| !rs.iter().any(|r| l.intersects(r))) {
            continue;
        }
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
        if !first {
            out.push(',');
        }
        first = false;
        let _ = write!(
            out,
            "{{\"type\":\"Feature\",\"id\":{i},\"properties\":{{\"layer\":\"line\",\"length_km\":{length_km}}},\"geometry\":{{\"type\":\"LineString\",\"coordinates\":["
        );
        for (ci, c) in drawn.0.iter().enumerate() {
            if ci > 0 {
                out.push(',');
            }
            let _ = write!(out, "[{:.p$},{:.p$}]", c.x, c.y);
        }
        out.push_str("]}}");
    }
    out.push_str("]}");
    out
}

/// The `frontline` foreign member of a layer.
#[derive(Serialize)]
struct LayerMeta {
    layer: LayerKind,
    /// First day of the epoch in force.
    date: chrono::NaiveDate,
    /// Area of the whole layer (before bbox and simplification), km2.
    area_km2: f64,
    #[serde(flatten)]
    in_force: InForceRef,
    bbox: Option<[f64; 4]>,
    simplify_m: Option<f64>,
    precision: u8,
    /// Whether this is the raw composition.
    raw: bool,
    /// What the sliver rule moved (absent for the raw composition).
    #[serde(skip_serializing_if = "Option::is_none")]
    moved: Option<crate::analytics::slivers::Moved>,
}
