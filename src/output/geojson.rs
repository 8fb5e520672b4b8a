//! GeoJSON geometry writers shared by every answer that writes polygons (layers, diffs).

use geo::Polygon;
use std::fmt::Write;

/// Writes a GeoJSON Polygon geometry object with `p` decimals.
pub fn write_polygon(out: &mut String, poly: &Polygon<f64>, p: usize) {
    out.push_str("{\"type\":\"Polygon\",\"coordinates\":[");
    for (ri, ring) in std::iter::once(poly.exterior()).chain(poly.interiors()).enumerate() {
        if ri > 0 {
            out.push(',');
        }
        out.push('[');
        for (ci, c) in ring.0.iter().enumerate() {
            if ci > 0 {
                out.push(',');
            }
            let _ = write!(out, "[{:.p$},{:.p$}]", c.x, c.y);
        }
        out.push(']');
    }
    out.push_str("]}");
}
