//! Every geometry the service writes is valid (issue 9, "exact and valid geometry"): closed
//! rings, no self-intersection, holes inside their shells, polygons of one MultiPolygon not
//! overlapping, no line with fewer than two distinct positions and no repeated position in a
//! line, at every `precision` from 0 to 15, on every route that answers with GeoJSON geometry:
//! the four layers (after the rule and raw), the border, diffs (after the rule and raw), the
//! agreement of two sources, and the four layers of a stored scenario. Checked with an
//! independent checker, geo's `Validation` (OGC Simple Features), on the answers as parsed back
//! by the `geojson` crate; the polygon layers are also checked as a whole (one MultiPolygon).
//! The vector tiles are MVT, not GeoJSON, and are not walked here.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod common;

use common::{Server, get, request};
use geo::Validation;
use serde_json::Value;

/// The geodata: the embedded example and a second source `other` (two of the example's
/// snapshots under another name), so that the agreement has disputed parts.
fn geodata(dir: &std::path::Path) -> std::path::PathBuf {
    let root = common::copy_embedded_geodata(dir, false);
    let other = root.join("sources/other");
    std::fs::create_dir_all(&other).unwrap();
    std::fs::copy(root.join("sources/example/source.json"), other.join("source.json")).unwrap();
    for date in ["2024-01-01", "2024-06-01"] {
        let text = std::fs::read_to_string(root.join(format!("sources/example/{date}.geojson"))).unwrap();
        let text = text.replace("\"source\":\"example\"", "\"source\":\"other\"");
        std::fs::write(other.join(format!("{date}.geojson")), text).unwrap();
    }
    root
}

/// The problems of one geometry (empty when valid), by geo's OGC check, and repeated positions
/// in a line (which geo's check allows but a zero-length segment is not drawn).
fn problems(g: &Value) -> Vec<String> {
    let parsed: geojson::Geometry = serde_json::from_value(g.clone()).unwrap_or_else(|e| panic!("{e}: {g}"));
    let geom: geo::Geometry<f64> = parsed.value.try_into().unwrap();
    let mut out: Vec<String> = geom.validation_errors().iter().map(|e| e.to_string()).collect();
    if let geo::Geometry::LineString(l) = &geom
        && l.0.windows(2).any(|w| w[0] == w[1])
    {
        out.push("a repeated position (zero-length segment)".into());
    }
    if let geo::Geometry::Polygon(_) | geo::Geometry::MultiPolygon(_) = &geom {
        // Closed rings of at least four positions, as RFC 7946 says.
        let rings = g["coordinates"].as_array().unwrap();
        let polys: Vec<&Value> = if g["type"] == "Polygon" {
            vec![&g["coordinates"]]
        } else {
            rings.iter().collect()
        };
        for p in polys {
            for r in p.as_array().unwrap() {
                let r = r.as_array().unwrap();
                if r.len() < 4 || r.first() != r.last() {
                    out.push(format!("a ring of {} positions, not closed", r.len()));
                }
            }
        }
    }
    out
}

/// Checks every feature's geometry of a GeoJSON answer (and, with `whole`, the polygons of all
/// features together); the number of geometries checked.
fn check(what: &str, doc: &Value, whole: bool, bad: &mut Vec<String>) -> usize {
    let features = doc["features"].as_array().unwrap_or_else(|| panic!("{what}: {doc}"));
    let mut polys: Vec<geo::Polygon<f64>> = Vec::new();
    for (i, f) in features.iter().enumerate() {
        for p in problems(&f["geometry"]) {
            bad.push(format!("{what} feature {i}: {p}"));
        }
        if whole {
            let g: geojson::Geometry = serde_json::from_value(f["geometry"].clone()).unwrap();
            match geo::Geometry::<f64>::try_from(g.value).unwrap() {
                geo::Geometry::Polygon(p) => polys.push(p),
                geo::Geometry::MultiPolygon(mp) => polys.extend(mp.0),
                _ => {}
            }
        }
    }
    if whole {
        for e in geo::MultiPolygon(polys).validation_errors() {
            bad.push(format!("{what} as a whole: {e}"));
        }
    }
    features.len()
}

#[test]
fn every_geometry_route_writes_valid_geometry_at_every_precision() {
    let dir = tempfile::tempdir().unwrap();
    let root = geodata(dir.path());
    let token = dir.path().join("token");
    std::fs::write(&token, "s3cret-0123456789abcdef\n").unwrap();
    let s = Server::spawn(
        &[
            "--watch-s",
            "0",
            "--data",
            root.to_str().unwrap(),
            "--ingest-token-file",
            token.to_str().unwrap(),
        ],
        &[],
    );
    // A stored scenario with zones on both sides and a withdrawal.
    let doc = serde_json::json!({"source": "example", "ceasefire_date": "2024-09-01", "withdrawal_date": "2024-01-01",
        "zones": [{"name": "z", "reference": {"date": "2024-06-01"}, "side": "both", "width_km": 15}]})
    .to_string();
    let r = request(
        s.addr,
        "POST",
        "/v1/scenarios",
        "Content-Type: application/json\r\nAuthorization: Bearer s3cret-0123456789abcdef\r\n",
        doc.as_bytes(),
    );
    assert!(r.status == 201 || r.status == 200, "{}", r.text());
    let id = r.json()["id"].as_str().unwrap().to_string();

    let mut bad = Vec::new();
    let mut checked = 0;
    let mut routes = std::collections::BTreeSet::new();
    for precision in 0..=15u8 {
        let mut targets: Vec<(String, bool)> = Vec::new();
        for layer in ["coverage", "occupied", "contested", "line"] {
            for raw in ["", "&raw=true"] {
                for date in ["2024-01-01", "2024-06-01", "2024-09-01"] {
                    targets.push((
                        format!("/v1/layers/{layer}?date={date}&precision={precision}{raw}"),
                        layer != "line",
                    ));
                }
            }
        }
        targets.push((format!("/v1/border?precision={precision}"), true));
        for (from, to) in [
            ("2024-01-01", "2024-06-01"),
            ("2024-06-01", "2024-09-01"),
            ("2024-01-01", "2024-09-01"),
        ] {
            for raw in ["", "&raw=true"] {
                targets.push((
                    format!("/v1/diff?from={from}&to={to}&min_area_km2=0&precision={precision}{raw}"),
                    false,
                ));
            }
        }
        for date in ["2024-06-01", "2024-09-01"] {
            targets.push((
                format!("/v1/agreement?date={date}&sources=example,other&precision={precision}"),
                false,
            ));
        }
        for layer in ["area", "excluded", "zones", "withdrawal"] {
            targets.push((
                format!("/v1/scenarios/{id}/layers/{layer}?precision={precision}"),
                false,
            ));
        }
        for (target, whole) in targets {
            let r = get(s.addr, &target, "");
            assert_eq!(r.status, 200, "{target}: {}", r.text());
            // Every answer that draws polygons says what drawing them did (the agreement did not).
            if !target.starts_with("/v1/layers/line") {
                let oc = &r.json()["frontline"]["output_check"];
                for member in ["dropped_polygons", "filled_holes"] {
                    assert!(oc[member].is_u64(), "{target}: output_check {oc}");
                }
                for member in ["dropped_km2", "filled_km2"] {
                    assert!(
                        oc[member].is_f64() || oc[member].is_u64(),
                        "{target}: output_check {oc}"
                    );
                }
            }
            checked += check(&target, &r.json(), whole, &mut bad);
            routes.insert(target.split('?').next().unwrap().to_string());
        }
    }
    eprintln!("{checked} geometries on {} routes at precision 0..=15", routes.len());
    assert!(checked > 1000, "{checked}");
    assert!(
        bad.is_empty(),
        "{} invalid, first: {:#?}",
        bad.len(),
        &bad[..bad.len().min(20)]
    );
}
