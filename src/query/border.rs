//! The recognized border a source is measured against, as GeoJSON (`GET /v1/border`): what the
//! dashboard draws as the border, from the loaded geodata rather than a copy of it.

use crate::catalog::{BorderEntry, Catalog, CatalogError};
use crate::model::Provenance;
use crate::output::geojson::{Feature, FeatureCollection, PolygonalGeometry};
use crate::output::layer::OutputCheck;
use serde::Serialize;

/// The `frontline` member of the answer.
#[derive(Debug, Serialize)]
struct BorderMeta<'a> {
    /// The source it was asked for (or the default source); `null` when no source is loaded
    /// and the one border loaded is drawn.
    source: Option<&'a str>,
    iso3: &'a str,
    name: &'a str,
    area_km2: f64,
    provenance: &'a Provenance,
    synthetic: bool,
    edges: &'static str,
    /// What drawing at the decimals asked for did (crate::output::drawable): whether the border
    /// was snap-rounded (then each feature's area_km2 is of the polygon as drawn).
    output_check: OutputCheck,
}

/// The properties of each polygon.
#[derive(Debug, Serialize)]
struct BorderProperties<'a> {
    iso3: &'a str,
    area_km2: f64,
    file: &'a str,
    sha256: &'a str,
    synthetic: bool,
}

/// The border asked for: that of the source named, or of the default source; with no source
/// named and none loaded to default to, the one border loaded (a border needs no source), with
/// no source name.
///
/// # Errors
/// [`CatalogError::UnknownSource`]; [`CatalogError::NoDefaultSource`] when no source is named,
/// none is the default and not exactly one border is loaded.
pub fn border_asked<'a>(
    catalog: &'a Catalog,
    source: Option<&str>,
) -> Result<(&'a BorderEntry, Option<&'a str>), CatalogError> {
    match catalog.source(source) {
        Ok(src) => Ok((&src.border, Some(src.name.as_str()))),
        Err(e @ CatalogError::NoDefaultSource { .. }) => match catalog.borders.values().next() {
            Some(only) if catalog.borders.len() == 1 => Ok((only, None)),
            _ => Err(e),
        },
        Err(e) => Err(e),
    }
}

/// The border `entry` (of the source `source`, when one was asked for or is the default): one
/// feature per polygon, with its geodesic area, and the border's provenance in the `frontline`
/// member and in every feature.
///
/// # Errors
/// Serialisation, which cannot fail for these types (string keys only).
pub fn border_geojson(entry: &BorderEntry, source: Option<&str>, precision: u8) -> Result<Vec<u8>, serde_json::Error> {
    let b = &entry.border;
    let precision = precision.min(15);
    // Drawn valid at those decimals as a whole (crate::output::drawable, the one rounding step
    // of every answer that writes geometry: its polygons must not overlap or touch along a
    // line either). Where nothing had to be snapped, each polygon is the loaded one rounded and
    // keeps its exact geodesic area; where the border had to be snap-rounded (coarse decimals),
    // each polygon's area_km2 is that of the polygon as drawn (the exact total stays in the
    // frontline member), and an island smaller than the grid is left out (output_check).
    let (drawn_mp, check) = crate::output::drawable::drawable(&b.geometry, None, precision);
    let exact = !check.snapped && drawn_mp.0.len() == b.geometry.0.len();
    let drawn: Vec<(usize, f64, Vec<geo::Polygon<f64>>)> = drawn_mp
        .0
        .into_iter()
        .enumerate()
        .map(|(id, polygon)| {
            let area_km2 = if exact {
                crate::geodesy::polygon_area_m2(&b.geometry.0[id]) / 1e6
            } else {
                crate::geodesy::polygon_area_m2(&polygon) / 1e6
            };
            (id, area_km2, vec![polygon])
        })
        .collect();
    let features: Vec<Feature<BorderProperties<'_>, PolygonalGeometry<'_>>> = drawn
        .iter()
        .map(|(id, area_km2, polygons)| Feature {
            id: *id,
            properties: BorderProperties {
                iso3: &b.iso3,
                area_km2: *area_km2,
                file: &b.provenance.file,
                sha256: &b.provenance.sha256,
                synthetic: b.synthetic,
            },
            geometry: PolygonalGeometry::of(polygons, precision),
        })
        .collect();
    let doc = FeatureCollection {
        frontline: BorderMeta {
            source,
            iso3: &b.iso3,
            name: &b.name,
            area_km2: entry.area_km2,
            provenance: &b.provenance,
            synthetic: b.synthetic,
            edges: crate::geodesy::EDGES,
            output_check: check,
        },
        features,
    };
    crate::num::to_vec(&doc)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_embedded_border_has_its_provenance_and_area() {
        let catalog = crate::Catalog::load_embedded().unwrap();
        let src = catalog.source(None).unwrap();
        let doc: serde_json::Value =
            serde_json::from_slice(&border_geojson(&src.border, Some(&src.name), 6).unwrap()).unwrap();
        assert_eq!(doc["frontline"]["source"], "example");
        assert_eq!(doc["frontline"]["iso3"], "UKR");
        assert_eq!(doc["frontline"]["provenance"]["file"], "borders/UKR.geojson");
        let total: f64 = doc["features"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["properties"]["area_km2"].as_f64().unwrap())
            .sum();
        let area = doc["frontline"]["area_km2"].as_f64().unwrap();
        assert!((total - area).abs() < 1e-6 * area, "{total} vs {area}");
    }
}
