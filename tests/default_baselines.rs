//! Importers name their default baselines in a new source (issue 13): a new NZZ source composes
//! with Crimea even where the geodata has no baseline file, and a point answer names the baseline
//! that holds it. An integration test because it goes from the import through the catalog to a
//! point answer (stages the import module itself may not use).

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use frontline::import::{Format, ImportOptions, import};

/// A new NZZ source in a geodata directory without any baseline gets the embedded Crimea
/// baseline written, named in its source.json and in the report; a point in Crimea is then
/// occupied and names the baseline that holds it.
#[test]
fn a_new_nzz_source_composes_with_crimea_even_without_a_baseline_file() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("geodata");
    frontline::geodata::embedded::write_to(&data, true).unwrap();
    // Only the border: no baseline, no example source.
    std::fs::remove_dir_all(data.join("baselines")).unwrap();
    std::fs::remove_dir_all(data.join("sources/example")).unwrap();
    std::fs::remove_file(data.join("frontline.json")).unwrap();
    let inputs = tmp.path().join("in");
    std::fs::create_dir_all(&inputs).unwrap();
    let day = inputs.join("2022-03-01.json");
    let text = r#"{"value":{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"type":"nochange","date":"2022-03-01"},"geometry":{"type":"MultiPolygon","coordinates":[[[[37.0,48.0],[37.1,48.0],[37.1,48.1],[37.0,48.1],[37.0,48.0]]]]}}]}}"#;
    std::fs::write(&day, text).unwrap();
    let r = import(
        Format::Nzz,
        std::slice::from_ref(&day),
        &ImportOptions::new("nzz", &data),
    )
    .unwrap();
    assert_eq!(r.added.len(), 1, "{r:?}");
    let made = r.new_source.clone().expect("the report names the new source");
    assert_eq!(made.name, "nzz");
    assert_eq!(made.baselines, vec!["crimea".to_string()]);
    assert_eq!(made.baseline_files, vec!["baselines/crimea.geojson".to_string()]);
    let config: serde_json::Value =
        serde_json::from_slice(&std::fs::read(data.join("sources/nzz/source.json")).unwrap()).unwrap();
    assert_eq!(config["baselines"], serde_json::json!(["crimea"]));
    let cat = frontline::catalog::Catalog::load(&data).unwrap();
    // Simferopol.
    let date = frontline::model::parse_date("2022-03-01").unwrap();
    let a = frontline::query::point(&cat, Some("nzz"), date, 34.10, 44.95, false).unwrap();
    assert_eq!(a.status, frontline::Status::Occupied);
    assert_eq!(a.baseline.as_deref(), Some("crimea"));
    // Inside the snapshot's own polygon: no baseline holds it.
    let a = frontline::query::point(&cat, Some("nzz"), date, 37.05, 48.05, false).unwrap();
    assert_eq!(a.status, frontline::Status::Occupied);
    assert_eq!(a.baseline, None);
    // Importing into the source again creates nothing.
    let r = import(
        Format::Nzz,
        std::slice::from_ref(&day),
        &ImportOptions::new("nzz", &data),
    )
    .unwrap();
    assert_eq!(r.new_source, None);
}
