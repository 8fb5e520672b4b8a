//! Ceasefire scenarios on synthetic fixtures with known answers (a straight line, a bend, a zone
//! that reaches the border, two reference lines, a negotiated exclusion, a baseline excluded by
//! name, a withdrawal), bad scenarios refused naming the field, the id's stability and its change
//! with a replaced snapshot, the CLI, and the HTTP routes on a real server (also after a restart).

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use frontline::catalog::Catalog;
use frontline::geodesy::area_km2;
use frontline::scenario::{self, ScenarioError};
use geo::{LineString, MultiPolygon, Polygon};
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};

mod common;

fn rect(x0: f64, y0: f64, x1: f64, y1: f64) -> MultiPolygon<f64> {
    MultiPolygon(vec![Polygon::new(
        LineString::from(vec![(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)]),
        vec![],
    )])
}

fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

fn snapshot(date: &str, ring: &str) -> String {
    format!(
        r#"{{"type":"FeatureCollection","frontline":{{"kind":"snapshot","source":"test","date":"{date}","synthetic":true}},
        "features":[{{"type":"Feature","properties":{{"status":"occupied"}},"geometry":{{"type":"Polygon","coordinates":[{ring}]}}}}]}}"#
    )
}

/// Border [30, 34] x [46, 48]; occupied the east half on 2024-01-01 (the line: the meridian 32),
/// east of 31.5 on 2024-06-01, and east of a bend (32, 46) - (31.5, 47) - (32, 48) on 2024-09-01;
/// a baseline `south` ([30, 31] x [46, 46.5]) that no source composes.
fn geodata(dir: &Path) {
    write(
        dir,
        "borders/TST.geojson",
        r#"{"type":"FeatureCollection","frontline":{"kind":"border","iso3":"TST","name":"Testland","synthetic":true},
        "features":[{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[30,46],[34,46],[34,48],[30,48],[30,46]]]}}]}"#,
    );
    write(
        dir,
        "baselines/south.geojson",
        r#"{"type":"FeatureCollection","frontline":{"kind":"baseline","name":"south","status":"occupied","valid_from":"2014-01-01","valid_to":null,"synthetic":true},
        "features":[{"type":"Feature","properties":{"status":"occupied"},"geometry":{"type":"Polygon","coordinates":[[[30,46],[31,46],[31,46.5],[30,46.5],[30,46]]]}}]}"#,
    );
    write(dir, "frontline.json", r#"{"default_source": "test"}"#);
    write(dir, "sources/test/source.json", r#"{"border": "TST", "baselines": []}"#);
    write(
        dir,
        "sources/test/2024-01-01.geojson",
        &snapshot("2024-01-01", "[[32,46],[34,46],[34,48],[32,48],[32,46]]"),
    );
    write(
        dir,
        "sources/test/2024-06-01.geojson",
        &snapshot("2024-06-01", "[[31.5,46],[34,46],[34,48],[31.5,48],[31.5,46]]"),
    );
    write(
        dir,
        "sources/test/2024-09-01.geojson",
        &snapshot("2024-09-01", "[[32,46],[34,46],[34,48],[32,48],[31.5,47],[32,46]]"),
    );
}

fn fixture() -> (tempfile::TempDir, Catalog) {
    let dir = tempfile::tempdir().unwrap();
    geodata(dir.path());
    let cat = Catalog::load(dir.path()).unwrap_or_else(|r| panic!("{r:?}"));
    (dir, cat)
}

fn compute(cat: &Catalog, doc: Value) -> Result<scenario::Computed, ScenarioError> {
    scenario::compute(cat, &scenario::from_value(doc)?)
}

fn close(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * b.abs().max(1e-12)
}

#[test]
fn area_of_application_and_exclusions_have_the_known_areas() {
    let (_d, cat) = fixture();
    let c = compute(
        &cat,
        json!({"source": "test", "ceasefire_date": "2024-01-01",
            "policy": {"excluded_baselines": ["south"], "exclusions": [{"name": "box",
                "geometry": {"type": "Polygon", "coordinates": [[[30.5, 47], [31, 47], [31, 47.5], [30.5, 47.5], [30.5, 47]]]}}]}}),
    )
    .unwrap();
    let a = &c.answer;
    let border = area_km2(&rect(30.0, 46.0, 34.0, 48.0));
    assert!(close(a.territory_km2, border, 1e-12));
    let by = |reason: &str| {
        a.excluded
            .iter()
            .find(|e| e.reason.as_str() == reason)
            .unwrap()
            .area_km2
    };
    assert!(close(
        by("occupied").unwrap(),
        area_km2(&rect(32.0, 46.0, 34.0, 48.0)),
        1e-9
    ));
    // The source draws no grey zone: its contested area is unknown (null), not 0 (fresh
    // tester, issue 11), and the ceasefire's provenance says why.
    assert_eq!(by("contested"), None);
    assert!(a.ceasefire.in_force.not_drawn.is_some());
    assert!(close(
        by("baseline").unwrap(),
        area_km2(&rect(30.0, 46.0, 31.0, 46.5)),
        1e-9
    ));
    assert!(close(
        by("exclusion").unwrap(),
        area_km2(&rect(30.5, 47.0, 31.0, 47.5)),
        1e-9
    ));
    let want = area_km2(&rect(30.0, 46.0, 32.0, 48.0))
        - area_km2(&rect(30.0, 46.0, 31.0, 46.5))
        - area_km2(&rect(30.5, 47.0, 31.0, 47.5));
    assert!(
        close(a.area_of_application_km2, want, 1e-9),
        "{} vs {want}",
        a.area_of_application_km2
    );
    let total = a.area_of_application_km2 + a.excluded.iter().filter_map(|e| e.area_km2).sum::<f64>();
    assert!(close(total, border, 1e-9));
    // The point answer: which exclusion holds a point.
    let p = c.point(30.75, 47.25).unwrap();
    assert!(!p.in_area_of_application && p.in_territory);
    assert_eq!(p.excluded.unwrap().name.as_deref(), Some("box"));
    assert_eq!(
        c.point(30.5, 46.2).unwrap().excluded.unwrap().name.as_deref(),
        Some("south")
    );
    assert!(c.point(31.5, 47.8).unwrap().in_area_of_application);
    assert!(!c.point(29.0, 47.0).unwrap().in_territory);
    // Inputs: the snapshot, the border, the baseline excluded by name and the source's
    // description.
    let kinds: Vec<&str> = a.inputs.iter().map(|i| i.kind).collect();
    assert_eq!(kinds, vec!["baseline", "border", "snapshot", "source"]);
}

#[test]
fn a_straight_line_gives_a_band_split_evenly_by_side() {
    let (_d, cat) = fixture();
    let c = compute(
        &cat,
        json!({"source": "test", "ceasefire_date": "2024-01-01",
            "zones": [{"name": "z", "reference": {"date": "2024-01-01"}, "side": "both", "width_km": 15}]}),
    )
    .unwrap();
    let z = &c.answer.zones[0];
    let line_km = c.answer.reference_lines[0].length_km;
    // The meridian 32 from 46 to 48, less 200 m at each end (along the border's edge).
    assert!((line_km - 221.94).abs() < 0.5, "{line_km}");
    // A band 30 km wide over the border's 2 degrees of latitude (the caps beyond the ends are
    // clipped by the border).
    let want = 30.0 * (line_km + 0.4);
    assert!(close(z.area_km2, want, 3e-3), "{} vs {want}", z.area_km2);
    assert!(close(z.covered_side_km2, z.occupied_side_km2, 3e-3));
    // The point answer: the zone and side, and the distance to the line.
    let p = c.point(31.9, 47.0).unwrap();
    assert_eq!(p.zones.len(), 1);
    assert_eq!(serde_json::to_value(p.zones[0].side).unwrap(), "covered");
    let d = p.distances[0].distance_km.unwrap();
    assert!((d - 7.6).abs() < 0.1, "{d}");
    let p = c.point(32.1, 47.0).unwrap();
    assert_eq!(serde_json::to_value(p.zones[0].side).unwrap(), "occupied");
    assert!(c.point(31.7, 47.0).unwrap().zones.is_empty());
}

#[test]
fn a_zone_that_reaches_the_border_is_clipped_to_it() {
    let (_d, cat) = fixture();
    // 200 km on the covered side reaches past the west edge (150 km away): the whole covered half.
    let c = compute(
        &cat,
        json!({"source": "test", "ceasefire_date": "2024-01-01",
            "zones": [{"name": "wide", "reference": {"date": "2024-01-01"}, "side": "covered", "width_km": 200}]}),
    )
    .unwrap();
    let z = &c.answer.zones[0];
    let half = area_km2(&rect(30.0, 46.0, 32.0, 48.0));
    assert!(
        close(z.covered_side_km2, half, 1e-6),
        "{} vs {half}",
        z.covered_side_km2
    );
    assert_eq!(z.occupied_side_km2, 0.0);
}

#[test]
fn a_bend_keeps_the_distance_rule_and_two_reference_lines_are_measured_apart() {
    let (_d, cat) = fixture();
    let c = compute(
        &cat,
        json!({"source": "test", "ceasefire_date": "2024-09-01", "withdrawal_date": "2024-01-01",
            "zones": [{"name": "bend", "reference": {"date": "2024-09-01"}, "side": "both", "width_km": 20},
                      {"name": "old line", "reference": {"source": "test", "date": "2024-06-01"}, "side": "occupied", "width_km": 10}]}),
    )
    .unwrap();
    assert_eq!(c.answer.reference_lines.len(), 2);
    let f = cat
        .in_force(Some("test"), frontline::model::parse_date("2024-09-01").unwrap())
        .unwrap();
    let zone = frontline::index::PolygonIndex::new(c.zones[0].covered.0.iter().chain(c.zones[0].occupied.0.iter()));
    let mut s: u64 = 42;
    let mut next = || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        (s >> 11) as f64 / (1u64 << 53) as f64
    };
    let mut near = 0;
    for _ in 0..10_000 {
        let (x, y) = (30.0 + next() * 4.0, 46.0 + next() * 2.0);
        let d = f.line().nearest(x, y).unwrap().km;
        let inside = zone.locate(x, y).in_closed();
        if d < 20.0 - 0.05 {
            assert!(inside, "({x}, {y}) at {d} km");
        } else if d > 20.0 + 0.05 {
            assert!(!inside, "({x}, {y}) at {d} km");
        }
        near += usize::from((d - 20.0).abs() < 1.0);
    }
    assert!(near > 50);
    // The second zone: 10 km on the occupied side of the meridian 31.5, i.e. a band east of it.
    let z = &c.answer.zones[1];
    assert_eq!(z.covered_side_km2, 0.0);
    let want = 10.0 * (c.answer.reference_lines[1].length_km + 0.4);
    assert!(
        close(z.occupied_side_km2, want, 5e-3),
        "{} vs {want}",
        z.occupied_side_km2
    );
    // Withdrawal to the line of 2024-01-01: the triangle west of the meridian 32 held on 09-01.
    let w = c.answer.withdrawal.as_ref().unwrap().area_km2;
    let tri = area_km2(&MultiPolygon(vec![Polygon::new(
        LineString::from(vec![(32.0, 46.0), (32.0, 48.0), (31.5, 47.0), (32.0, 46.0)]),
        vec![],
    )]));
    assert!(close(w, tri, 1e-9), "{w} vs {tri}");
}

#[test]
fn bad_scenarios_are_refused_naming_the_field() {
    let (_d, cat) = fixture();
    let zone = |w: f64| json!({"name": "z", "reference": {"date": "2024-01-01"}, "side": "both", "width_km": w});
    let many: Vec<Value> = (0..17)
        .map(|i| json!({"name": format!("z{i}"), "reference": {"date": "2024-01-01"}, "side": "both", "width_km": 1}))
        .collect();
    let cases = [
        (json!({"source": "nope", "ceasefire_date": "2024-01-01"}), "source"),
        (
            json!({"source": "test", "ceasefire_date": "2023-01-01"}),
            "ceasefire_date",
        ),
        (
            json!({"source": "test", "ceasefire_date": "2024-02-30"}),
            "ceasefire_date",
        ),
        (
            json!({"source": "test", "ceasefire_date": "2024-01-01", "withdrawal_date": "2020-01-01"}),
            "withdrawal_date",
        ),
        (
            json!({"source": "test", "ceasefire_date": "2024-01-01", "zones": [zone(0.0)]}),
            "zones[0].width_km",
        ),
        (
            json!({"source": "test", "ceasefire_date": "2024-01-01", "zones": [zone(-1.0)]}),
            "zones[0].width_km",
        ),
        (
            json!({"source": "test", "ceasefire_date": "2024-01-01", "zones": [zone(1.0), zone(501.0)]}),
            "zones[1].name",
        ),
        (
            json!({"source": "test", "ceasefire_date": "2024-01-01", "zones": [zone(501.0)]}),
            "zones[0].width_km",
        ),
        (
            json!({"source": "test", "ceasefire_date": "2024-01-01", "zones": many}),
            "zones",
        ),
        (
            json!({"source": "test", "ceasefire_date": "2024-01-01", "zones": [{"name": "z", "reference": {"date": "2024-01-01"}, "side": "left", "width_km": 1}]}),
            "zones[0].side",
        ),
        (
            json!({"source": "test", "ceasefire_date": "2024-01-01", "zones": [{"name": "z", "reference": {"source": "x", "date": "2024-01-01"}, "side": "both", "width_km": 1}]}),
            "zones[0].reference.source",
        ),
        (
            json!({"source": "test", "ceasefire_date": "2024-01-01", "policy": {"exclusions": [{"name": "e", "geometry": {"type": "Polygon", "coordinates": [[[30, 46], [31, 47], [31, 46], [30, 47], [30, 46]]]}}]}}),
            "policy.exclusions[0].geometry",
        ),
        (
            json!({"source": "test", "ceasefire_date": "2024-01-01", "policy": {"exclusions": [{"name": "e", "geometry": {"type": "Point", "coordinates": [30, 46]}}]}}),
            "policy.exclusions[0].geometry",
        ),
        (
            json!({"source": "test", "ceasefire_date": "2024-01-01", "policy": {"excluded_baselines": ["north"]}}),
            "policy.excluded_baselines[0]",
        ),
        (
            json!({"source": "test", "ceasefire_date": "2024-01-01", "policy": {"waters": true}}),
            "policy.waters",
        ),
        (
            json!({"source": "test", "ceasefire_date": "2024-01-01", "colour": "red"}),
            "colour",
        ),
    ];
    for (doc, field) in cases {
        let err = compute(&cat, doc.clone())
            .err()
            .unwrap_or_else(|| panic!("{doc} was accepted"));
        let named = match &err {
            ScenarioError::Invalid { field, .. } | ScenarioError::Catalog { field, .. } => field.clone(),
            other => panic!("{other}"),
        };
        assert_eq!(named, field, "{doc}: {err}");
    }
}

#[test]
fn the_same_document_gives_the_same_id_and_a_replaced_snapshot_a_new_one() {
    let dir = tempfile::tempdir().unwrap();
    geodata(dir.path());
    let doc = json!({"source": "test", "ceasefire_date": "2024-03-01",
        "zones": [{"name": "z", "reference": {"date": "2024-01-01"}, "side": "both", "width_km": 5}]});
    let cat = Catalog::load(dir.path()).unwrap();
    let a = compute(&cat, doc.clone()).unwrap();
    // Member order and a reference source spelled out do not change the canonical form.
    let same = json!({"zones": [{"width_km": 5.0, "side": "both", "reference": {"date": "2024-01-01", "source": "test"}, "name": "z"}],
        "ceasefire_date": "2024-03-01", "source": "test"});
    let b = compute(&Catalog::load(dir.path()).unwrap(), same).unwrap();
    assert_eq!(a.id(), b.id());
    assert_eq!(
        serde_json::to_string(&a.answer).unwrap(),
        serde_json::to_string(&b.answer).unwrap()
    );
    // Stored through the store, read back: the same id and figures.
    let store = frontline::store::Store::new(dir.path());
    assert!(scenario::save(&store, &a).unwrap());
    assert!(!scenario::save(&store, &a).unwrap(), "written once");
    assert!(dir.path().join(format!("scenarios/{}.json", a.id())).is_file());
    let loaded = scenario::load(&store, &cat, a.id()).unwrap();
    assert_eq!(
        serde_json::to_string(&loaded.answer).unwrap(),
        serde_json::to_string(&a.answer).unwrap()
    );
    // The snapshot of 2024-01-01 replaced (another line): a new id; the stored one is refused.
    write(
        dir.path(),
        "sources/test/2024-01-01.geojson",
        &snapshot("2024-01-01", "[[32.1,46],[34,46],[34,48],[32.1,48],[32.1,46]]"),
    );
    let cat2 = Catalog::load(dir.path()).unwrap();
    let c = compute(&cat2, doc).unwrap();
    assert_ne!(c.id(), a.id());
    match scenario::load(&store, &cat2, a.id()) {
        Err(ScenarioError::InputsChanged { now, .. }) => assert_eq!(now, c.id()),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        scenario::load(&store, &cat2, &"0".repeat(64)),
        Err(ScenarioError::NotFound(_))
    ));
}

/// Fresh tester F3: the areas held since 2014 in Donetsk and Luhansk oblasts cannot be excluded
/// by a baseline name (the geodata has none: no public-domain data gives that line); the refusal
/// names the field, the names this source offers, and why this one is not among them.
#[test]
fn donetsk_luhansk_2014_is_refused_saying_why_and_what_the_source_offers() {
    let dir = tempfile::tempdir().unwrap();
    let root = common::copy_embedded_geodata(dir.path(), false);
    let cat = Catalog::load(&root).unwrap_or_else(|r| panic!("{r:?}"));
    let err = compute(
        &cat,
        json!({"source": "example", "ceasefire_date": "2024-09-01",
            "policy": {"excluded_baselines": ["donetsk_luhansk_2014"]}}),
    )
    .err()
    .unwrap();
    match err {
        ScenarioError::Invalid { field, detail } => {
            assert_eq!(field, "policy.excluded_baselines[0]");
            assert!(detail.contains("can name: crimea"), "{detail}");
            assert!(
                detail.contains("no baseline of the parts of Donetsk and Luhansk"),
                "{detail}"
            );
            assert!(detail.contains("policy.exclusions"), "{detail}");
        }
        other => panic!("{other:?}"),
    }
}

/// Fresh tester F2: editing a source's `source.json` in what decides figures (its classes: a
/// grey zone stated drawn makes the `contested` row 0 instead of unknown) gives the same document
/// a new id; the source's description is an input with its hash, and a stored scenario on it is
/// listed as changed. Its free text and terms decide no figure and leave the id as it was.
#[test]
fn an_edited_source_description_gives_a_new_id_and_marks_the_stored_scenario() {
    let dir = tempfile::tempdir().unwrap();
    geodata(dir.path());
    let doc = json!({"source": "test", "ceasefire_date": "2024-06-01"});
    let cat = Catalog::load(dir.path()).unwrap();
    let a = compute(&cat, doc.clone()).unwrap();
    let source_input = |c: &scenario::Computed| {
        c.answer
            .inputs
            .iter()
            .find(|i| i.kind == "source" && i.name == "test")
            .map(|i| i.sha256.clone())
            .unwrap()
    };
    assert_eq!(source_input(&a).len(), 64);
    let contested = |c: &scenario::Computed| {
        c.answer
            .excluded
            .iter()
            .find(|e| e.reason.as_str() == "contested")
            .unwrap()
            .area_km2
    };
    assert_eq!(contested(&a), None, "no grey zone stated: unknown");
    let store = frontline::store::Store::new(dir.path());
    assert!(scenario::save(&store, &a).unwrap());
    // Free text: no figure changes, nor the id.
    write(
        dir.path(),
        "sources/test/source.json",
        r#"{"border": "TST", "baselines": [], "description": "edited text"}"#,
    );
    let cat = Catalog::load(dir.path()).unwrap();
    assert_eq!(compute(&cat, doc.clone()).unwrap().id(), a.id());
    // The classes: the grey zone stated drawn, so the contested area is 0, not unknown.
    write(
        dir.path(),
        "sources/test/source.json",
        r#"{"border": "TST", "baselines": [], "classes": ["occupied", "contested"]}"#,
    );
    let cat = Catalog::load(dir.path()).unwrap();
    let b = compute(&cat, doc).unwrap();
    assert_eq!(contested(&b), Some(0.0), "the figures changed");
    assert_ne!(b.id(), a.id(), "so did the id");
    assert_ne!(source_input(&b), source_input(&a));
    let listed = scenario::list(&store, &cat).unwrap();
    let l = listed.scenarios.iter().find(|l| l.id == a.id()).unwrap();
    let l = serde_json::to_value(l).unwrap();
    assert_eq!(l["inputs_changed"], true, "{l}");
    assert_eq!(l["id_now"], b.id(), "{l}");
    match scenario::load(&store, &cat, a.id()) {
        Err(ScenarioError::InputsChanged { now, .. }) => assert_eq!(now, b.id()),
        other => panic!("{other:?}"),
    }
}

#[test]
fn presets_cite_their_agreements_and_compute() {
    let (_d, cat) = fixture();
    let d = frontline::model::parse_date("2024-09-01").unwrap();
    let memo = frontline::model::parse_date("2024-01-01").unwrap();
    for p in scenario::presets::PRESETS {
        let s = scenario::presets::preset(p.name, "test", d, memo).unwrap();
        assert!(s.title.as_deref().unwrap().contains(p.citation));
        let c = scenario::compute(&cat, &s).unwrap();
        assert!(!c.answer.zones.is_empty());
    }
    let ii = scenario::presets::preset("minsk-ii-2015", "test", d, memo).unwrap();
    let c = scenario::compute(&cat, &ii).unwrap();
    assert_eq!(c.answer.zones.len(), 6);
    assert_eq!(c.answer.reference_lines.len(), 2);
    assert!(scenario::presets::preset("nope", "test", d, memo).is_none());
}

// ---- CLI and HTTP ----

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_frontline"))
}

#[test]
fn cli_computes_saves_and_prints_layers() {
    let dir = tempfile::tempdir().unwrap();
    geodata(dir.path());
    let file = dir.path().join("s.json");
    std::fs::write(
        &file,
        json!({"source": "test", "ceasefire_date": "2024-01-01",
            "zones": [{"name": "z", "reference": {"date": "2024-01-01"}, "side": "both", "width_km": 15}]})
        .to_string(),
    )
    .unwrap();
    let out = bin()
        .args([
            "scenario",
            file.to_str().unwrap(),
            "--save",
            "--data",
            dir.path().to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let id = v["id"].as_str().unwrap().to_string();
    assert!(dir.path().join(format!("scenarios/{id}.json")).is_file());
    let out = bin()
        .args([
            "scenario",
            file.to_str().unwrap(),
            "--layer",
            "zones",
            "--data",
            dir.path().to_str().unwrap(),
        ])
        .output()
        .unwrap();
    let fc: geojson::FeatureCollection = String::from_utf8(out.stdout).unwrap().parse().unwrap();
    assert_eq!(fc.features.len(), 2);
    for f in &fc.features {
        let p = f.properties.as_ref().unwrap();
        assert_eq!(p["scenario"], id.as_str());
        assert_eq!(p["source"], "test");
        assert!(p["content_sha256"].as_str().unwrap().len() == 64);
    }
    std::fs::write(&file, r#"{"source": "test", "ceasefire_date": "2024-01-01", "zones": [{"name": "z", "reference": {"date": "2024-01-01"}, "side": "both", "width_km": 0}]}"#).unwrap();
    let out = bin()
        .args([
            "scenario",
            file.to_str().unwrap(),
            "--data",
            dir.path().to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("zones[0].width_km"));
}

struct Server {
    child: Child,
    addr: SocketAddr,
}

impl Server {
    fn start(args: &[&str]) -> Server {
        let mut child = bin()
            .arg("serve")
            .args(["--listen", "127.0.0.1:0"])
            .args(args)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let addr = line
            .trim()
            .strip_prefix("listening on http://")
            .unwrap()
            .parse()
            .unwrap();
        Server { child, addr }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// (status, headers lowercased, body) of one request.
fn request(addr: SocketAddr, method: &str, target: &str, extra: &str, body: &[u8]) -> (u16, String, Vec<u8>) {
    let mut s = TcpStream::connect(addr).unwrap();
    let mut req = format!(
        "{method} {target} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n{extra}Content-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    req.extend_from_slice(body);
    s.write_all(&req).unwrap();
    let mut data = Vec::new();
    s.read_to_end(&mut data).unwrap();
    let split = data.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8_lossy(&data[..split]).to_ascii_lowercase();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    (status, head, data[split + 4..].to_vec())
}

#[test]
fn http_previews_stores_and_answers_a_scenario_also_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    geodata(dir.path());
    let token = dir.path().join("token");
    std::fs::write(&token, "s3cret-0123456789abcdef\n").unwrap();
    let args = [
        "--data",
        dir.path().to_str().unwrap(),
        "--ingest-token-file",
        token.to_str().unwrap(),
    ];
    let doc = json!({"source": "test", "ceasefire_date": "2024-09-01", "withdrawal_date": "2024-01-01",
        "zones": [{"name": "z", "reference": {"date": "2024-09-01"}, "side": "both", "width_km": 15}]})
    .to_string();
    let json_ct = "Content-Type: application/json\r\n";
    let s = Server::start(&args);
    let (st, _, body) = request(s.addr, "POST", "/v1/scenarios/preview", json_ct, doc.as_bytes());
    assert_eq!(st, 200, "{}", String::from_utf8_lossy(&body));
    let preview: Value = serde_json::from_slice(&body).unwrap();
    let id = preview["id"].as_str().unwrap().to_string();
    assert!(!dir.path().join("scenarios").exists(), "a preview stores nothing");
    // Storing needs the token.
    let (st, head, _) = request(s.addr, "POST", "/v1/scenarios", json_ct, doc.as_bytes());
    assert_eq!(st, 401);
    assert!(head.contains("www-authenticate: bearer"));
    let auth = format!("{json_ct}Authorization: Bearer s3cret-0123456789abcdef\r\n");
    let (st, head, body) = request(s.addr, "POST", "/v1/scenarios", &auth, doc.as_bytes());
    assert_eq!(st, 201, "{}", String::from_utf8_lossy(&body));
    assert!(head.contains(&format!("location: /v1/scenarios/{id}")), "{head}");
    let (st, _, _) = request(s.addr, "POST", "/v1/scenarios", &auth, doc.as_bytes());
    assert_eq!(st, 200, "stored before");
    let (st, _, body) = request(s.addr, "GET", &format!("/v1/scenarios/{id}"), "", b"");
    assert_eq!(st, 200);
    let got: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(got, preview);
    // Layers with per-feature provenance.
    for layer in ["area", "excluded", "zones", "withdrawal"] {
        let (st, _, body) = request(
            s.addr,
            "GET",
            &format!("/v1/scenarios/{id}/layers/{layer}?precision=5"),
            "",
            b"",
        );
        assert_eq!(st, 200, "{layer}");
        let fc: geojson::FeatureCollection = String::from_utf8(body).unwrap().parse().unwrap();
        assert!(!fc.features.is_empty(), "{layer}");
        for f in &fc.features {
            let p = f.properties.as_ref().unwrap();
            assert_eq!(p["source"], "test", "{layer}");
            assert!(p["area_km2"].as_f64().unwrap() > 0.0, "{layer}");
        }
        // Every snapshot a layer rests on is named, with its hash as in the inputs: the
        // withdrawal layer names D0's snapshot (the line withdrawn to) as well as the
        // ceasefire's; the zones layer its reference lines.
        let meta = fc.foreign_members.as_ref().unwrap()["frontline"].clone();
        let sha_of = |snapshot: &str| {
            preview["inputs"]
                .as_array()
                .unwrap()
                .iter()
                .find(|i| i["kind"] == "snapshot" && i["name"] == snapshot)
                .unwrap_or_else(|| panic!("{snapshot} not in the inputs"))["sha256"]
                .clone()
        };
        match layer {
            "withdrawal" => {
                let d0 = &fc.features[0].properties.as_ref().unwrap()["withdrawn_to"];
                assert_eq!(d0["snapshot"], "test:2024-01-01", "{d0}");
                assert_eq!(d0["content_sha256"], sha_of("test:2024-01-01"), "{d0}");
                assert_eq!(meta["withdrawal"]["to_line_of"]["date"], "2024-01-01", "{meta}");
                assert_eq!(
                    meta["withdrawal"]["to_line_of"]["snapshot"]["id"], "test:2024-01-01",
                    "{meta}"
                );
                assert_eq!(
                    meta["withdrawal"]["to_line_of"]["snapshot"]["content_sha256"],
                    sha_of("test:2024-01-01")
                );
                assert_eq!(meta["withdrawal"], preview["withdrawal"]);
                assert!(meta.get("reference_lines").is_none(), "{meta}");
            }
            "zones" => {
                assert_eq!(meta["reference_lines"], preview["reference_lines"]);
                assert!(meta.get("withdrawal").is_none(), "{meta}");
            }
            _ => {
                assert!(
                    meta.get("withdrawal").is_none() && meta.get("reference_lines").is_none(),
                    "{meta}"
                );
                assert!(
                    fc.features[0]
                        .properties
                        .as_ref()
                        .unwrap()
                        .get("withdrawn_to")
                        .is_none()
                );
            }
        }
    }
    let (st, _, _) = request(s.addr, "GET", &format!("/v1/scenarios/{id}/layers/nope"), "", b"");
    assert_eq!(st, 404);
    // A point.
    let (st, _, body) = request(
        s.addr,
        "GET",
        &format!("/v1/scenarios/{id}/point?lon=31.9&lat=47.5"),
        "",
        b"",
    );
    assert_eq!(st, 200);
    let p: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(p["in_area_of_application"], false);
    assert_eq!(p["excluded"]["reason"], "occupied");
    assert_eq!(p["zones"][0]["side"], "occupied");
    assert!(p["distances"][0]["distance_km"].as_f64().unwrap() > 0.0);
    // Provenance on every number (fresh tester F5): the snapshot the line is of, and its hash
    // as in the scenario's inputs.
    assert_eq!(p["distances"][0]["snapshot"], "test:2024-09-01", "{p}");
    let input = preview["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["kind"] == "snapshot" && i["name"] == "test:2024-09-01")
        .unwrap();
    assert_eq!(p["distances"][0]["content_sha256"], input["sha256"], "{p}");
    // A second scenario and the diff.
    let doc2 =
        json!({"source": "test", "ceasefire_date": "2024-09-01", "policy": {"grey_zone": "included"}}).to_string();
    let (st, _, body) = request(s.addr, "POST", "/v1/scenarios", &auth, doc2.as_bytes());
    assert_eq!(st, 201);
    let id2 = serde_json::from_slice::<Value>(&body).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (st, _, body) = request(s.addr, "GET", &format!("/v1/scenarios/{id}/diff/{id2}"), "", b"");
    assert_eq!(st, 200, "{}", String::from_utf8_lossy(&body));
    let d: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(d["from"], id.as_str());
    // Bad scenarios: problem+json naming the field.
    for (bad, field) in [
        (
            r#"{"source": "test", "ceasefire_date": "2024-01-01", "zones": [{"name": "z", "reference": {"date": "2024-01-01"}, "side": "both", "width_km": 600}]}"#,
            "zones[0].width_km",
        ),
        (r#"{"source": "nope", "ceasefire_date": "2024-01-01"}"#, "source"),
        (
            r#"{"source": "test", "ceasefire_date": "1999-01-01"}"#,
            "ceasefire_date",
        ),
    ] {
        let (st, head, body) = request(s.addr, "POST", "/v1/scenarios/preview", json_ct, bad.as_bytes());
        assert_eq!(st, 422, "{}", String::from_utf8_lossy(&body));
        assert!(head.contains("application/problem+json"));
        let v: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(v["parameter"], field);
    }
    let (st, _, _) = request(s.addr, "GET", &format!("/v1/scenarios/{}", "0".repeat(64)), "", b"");
    assert_eq!(st, 404);
    drop(s);
    // After a restart: the same id and figures.
    let s = Server::start(&args);
    let (st, _, body) = request(s.addr, "GET", &format!("/v1/scenarios/{id}"), "", b"");
    assert_eq!(st, 200);
    assert_eq!(serde_json::from_slice::<Value>(&body).unwrap(), preview);
    let (st, _, body) = request(s.addr, "GET", "/v1/scenarios/presets?date=2024-09-01", "", b"");
    assert_eq!(st, 200);
    let v: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(v["presets"].as_array().unwrap().len(), 3);
    assert_eq!(v["presets"][0]["scenario"]["source"], "test");
}

/// Issue 11 (fresh tester 20:45): a 422 names the member itself, not its parent, for every kind of
/// fault: a wrong type, null, missing, unknown, a number out of range, a non-JSON token, a member
/// given twice, a loose date; `withdrawal_date: null` is absent; D0 after the ceasefire refused.
#[test]
fn faults_name_the_member_itself() {
    let (_d, cat) = fixture();
    let zone = r#"{"name": "z", "reference": {"date": "2024-01-01"}, "side": "both", "width_km": 1}"#;
    let with_zone = |z: &str| format!(r#"{{"source": "test", "ceasefire_date": "2024-01-01", "zones": [{z}]}}"#);
    let with_policy = |p: &str| format!(r#"{{"source": "test", "ceasefire_date": "2024-01-01", "policy": {p}}}"#);
    let cases: Vec<(String, &str)> = vec![
        (
            with_zone(&zone.replace("\"width_km\": 1", "\"width_km\": \"1\"")),
            "zones[0].width_km",
        ),
        (
            with_zone(&zone.replace("\"width_km\": 1", "\"width_km\": null")),
            "zones[0].width_km",
        ),
        (with_zone(&zone.replace(", \"width_km\": 1", "")), "zones[0].width_km"),
        (
            with_zone(&zone.replace("\"width_km\": 1", "\"width_km\": 1e400")),
            "zones[0].width_km",
        ),
        (with_zone(&zone.replace("\"both\"", "\"left\"")), "zones[0].side"),
        (
            with_zone(&zone.replace("2024-01-01", "2024-1-1")),
            "zones[0].reference.date",
        ),
        (
            with_zone(&zone.replace("\"side\"", "\"colour\": 1, \"side\"")),
            "zones[0].colour",
        ),
        (
            with_zone(&zone.replace("\"reference\": {", "\"reference\": {\"x\": 1, ")),
            "zones[0].reference.x",
        ),
        (with_policy(r#"{"grey_zone": "maybe"}"#), "policy.grey_zone"),
        (with_policy(r#"{"waters": "yes"}"#), "policy.waters"),
        (
            with_policy(r#"{"exclusions": [{"name": "e"}]}"#),
            "policy.exclusions[0].geometry",
        ),
        (
            with_policy(r#"{"exclusions": [{"geometry": {"type": "Polygon", "coordinates": []}}]}"#),
            "policy.exclusions[0].name",
        ),
        (
            with_policy(
                r#"{"exclusions": [{"name": "e", "geometry": {"type": "Polygon", "coordinates": [[[30, NaN]]]}}]}"#,
            ),
            "policy.exclusions[0].geometry.coordinates[0][0][1]",
        ),
        (
            with_policy(r#"{"excluded_baselines": [1]}"#),
            "policy.excluded_baselines[0]",
        ),
        (
            r#"{"source": "test", "ceasefire_date": "2024-01-01", "zones": null}"#.into(),
            "zones",
        ),
        (
            r#"{"source": "test", "ceasefire_date": "2024-01-01", "policy": null}"#.into(),
            "policy",
        ),
        (
            r#"{"source": "test", "ceasefire_date": "2024-6-1"}"#.into(),
            "ceasefire_date",
        ),
        (
            r#"{"source": "test", "ceasefire_date": "+2024-06-01"}"#.into(),
            "ceasefire_date",
        ),
        (
            r#"{"source": "test", "ceasefire_date": " 2024-06-01"}"#.into(),
            "ceasefire_date",
        ),
        (
            r#"{"source": "test", "ceasefire_date": "2024-06-01", "source": "test"}"#.into(),
            "source",
        ),
        (
            with_zone(&zone.replace("\"side\": \"both\"", "\"side\": \"both\", \"side\": \"both\"")),
            "zones[0].side",
        ),
        (
            r#"{"source": "test", "ceasefire_date": "2024-01-01", "withdrawal_date": "2024-06-01"}"#.into(),
            "withdrawal_date",
        ),
    ];
    for (text, field) in &cases {
        let err = scenario::parse(text.as_bytes())
            .and_then(|s| scenario::compute(&cat, &s))
            .err()
            .unwrap_or_else(|| panic!("{text} was accepted"));
        let named = match &err {
            ScenarioError::Invalid { field, .. } | ScenarioError::Catalog { field, .. } => field.clone(),
            other => panic!("{other}"),
        };
        assert_eq!(named, *field, "{text}: {err}");
    }
    // An optional member given as null is absent.
    let null =
        scenario::parse(br#"{"source": "test", "ceasefire_date": "2024-06-01", "withdrawal_date": null}"#).unwrap();
    let absent = scenario::parse(br#"{"source": "test", "ceasefire_date": "2024-06-01"}"#).unwrap();
    assert_eq!(null, absent);
    assert!(scenario::compute(&cat, &null).unwrap().answer.withdrawal.is_none());
}

/// Issue 11: the area of application and the excluded areas partition the territory within
/// 1e-9 for every combination of grey zone x baselines x exclusions (the fixture has no waters:
/// `tests/real_scenario.rs` has them), and an exclusion that takes nothing leaves the area of
/// application exactly as it was (it grew by 1,892 m2 on DeepState before).
#[test]
fn the_partition_holds_for_every_combination_of_the_policy() {
    let (_d, cat) = fixture();
    let b = cat.source(Some("test")).unwrap().border.area_km2;
    let boxed = |x0: f64, y0: f64, x1: f64, y1: f64| json!({"type": "Polygon", "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]});
    let exclusion_sets = [
        json!([]),
        json!([{"name": "across the line", "geometry": boxed(31.3, 46.2, 32.7, 47.3)}]),
        json!([{"name": "nothing (in the occupied east)", "geometry": boxed(33.0, 46.5, 33.5, 47.0)}]),
        json!([{"name": "a", "geometry": boxed(30.5, 46.2, 31.2, 47.0)}, {"name": "b", "geometry": boxed(30.8, 46.0, 31.6, 46.8)}]),
    ];
    for grey in ["excluded", "included"] {
        for baselines in [json!([]), json!(["south"])] {
            for (k, exclusions) in exclusion_sets.iter().enumerate() {
                let policy = json!({"grey_zone": grey, "excluded_baselines": baselines, "exclusions": exclusions});
                let c = compute(
                    &cat,
                    json!({"source": "test", "ceasefire_date": "2024-09-01", "policy": policy}),
                )
                .unwrap();
                let total =
                    c.answer.area_of_application_km2 + c.answer.excluded.iter().filter_map(|e| e.area_km2).sum::<f64>();
                assert!(close(total, b, 1e-9), "{policy}: {total} vs {b}");
                if k == 2 {
                    let mut none = policy.clone();
                    none["exclusions"] = json!([]);
                    let without = compute(
                        &cat,
                        json!({"source": "test", "ceasefire_date": "2024-09-01", "policy": none}),
                    )
                    .unwrap();
                    assert_eq!(
                        c.answer.area_of_application_km2, without.answer.area_of_application_km2,
                        "{policy}: an exclusion taking nothing changed the area"
                    );
                }
            }
        }
    }
}

/// A GeoJSON MultiPolygon or Polygon geometry as geo's type.
fn geo_multipolygon(g: &Value) -> MultiPolygon<f64> {
    let ring = |r: &Value| {
        LineString::from(
            r.as_array()
                .unwrap()
                .iter()
                .map(|c| (c[0].as_f64().unwrap(), c[1].as_f64().unwrap()))
                .collect::<Vec<_>>(),
        )
    };
    let poly = |p: &Value| {
        let rings: Vec<LineString<f64>> = p.as_array().unwrap().iter().map(ring).collect();
        Polygon::new(rings[0].clone(), rings[1..].to_vec())
    };
    match g["type"].as_str().unwrap() {
        "Polygon" => MultiPolygon(vec![poly(&g["coordinates"])]),
        _ => MultiPolygon(g["coordinates"].as_array().unwrap().iter().map(poly).collect()),
    }
}

/// Issue 11: every scenario layer is valid (geo's `Validation`, an independent check: OGC rules,
/// parts of a MultiPolygon neither overlapping nor sharing an edge) at every precision 0..=15,
/// with overlapping exclusions, a baseline, zones of both sides and a withdrawal.
#[test]
fn scenario_layers_are_valid_at_every_precision() {
    use geo::Validation;
    let (_d, cat) = fixture();
    let boxed = |x0: f64, y0: f64, x1: f64, y1: f64| json!({"type": "Polygon", "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]});
    let c = compute(
        &cat,
        json!({"source": "test", "ceasefire_date": "2024-09-01", "withdrawal_date": "2024-01-01",
            "policy": {"excluded_baselines": ["south"], "exclusions": [
                {"name": "a", "geometry": boxed(30.5, 46.2, 31.2, 47.0)},
                {"name": "b", "geometry": {"type": "MultiPolygon", "coordinates": [
                    boxed(30.8, 46.0, 31.6, 46.8)["coordinates"], boxed(31.0, 47.0, 31.4, 47.6)["coordinates"]]}}]},
            "zones": [{"name": "z", "reference": {"date": "2024-09-01"}, "side": "both", "width_km": 140},
                      {"name": "y", "reference": {"date": "2024-01-01"}, "side": "covered", "width_km": 7.5}]}),
    )
    .unwrap();
    for layer in ["area", "excluded", "zones", "withdrawal"] {
        let kind = scenario::ScenarioLayer::parse(layer).unwrap();
        for precision in 0..=15u8 {
            let fc: Value = serde_json::from_slice(&c.layer_geojson(kind, precision).unwrap()).unwrap();
            let features = fc["features"].as_array().unwrap();
            if precision >= 2 {
                assert!(!features.is_empty(), "{layer} at {precision}: no feature");
            }
            for f in features {
                let mp = geo_multipolygon(&f["geometry"]);
                let mut problems = Vec::new();
                mp.visit_validation(Box::new(|p| {
                    problems.push(p.to_string());
                    Ok::<(), ()>(())
                }))
                .ok();
                assert!(problems.is_empty(), "{layer} at precision {precision}: {problems:?}");
            }
        }
    }
}

/// Issue 11 item 3: a preset refuses an unknown source, a date before the first snapshot and a
/// memorandum date before it, naming the field; without a memorandum date the line of the
/// source's first snapshot stands for the memorandum's when the source starts after 2014-09-19.
#[test]
fn presets_check_source_and_dates_and_fall_back_to_the_first_snapshot() {
    let (_d, cat) = fixture();
    let d = |s: &str| frontline::model::parse_date(s).unwrap();
    let named = |r: Result<scenario::Scenario, ScenarioError>| match r.err().unwrap() {
        ScenarioError::Invalid { field, .. } | ScenarioError::Catalog { field, .. } => field,
        other => panic!("{other}"),
    };
    let doc = |name, source, date, memo| scenario::presets::document(&cat, name, source, date, memo);
    assert_eq!(named(doc("minsk-ii-2015", "nope", d("2024-09-01"), None)), "source");
    assert_eq!(named(doc("minsk-ii-2015", "test", d("2023-09-01"), None)), "date");
    assert_eq!(
        named(doc("minsk-ii-2015", "test", d("2024-09-01"), Some(d("2014-09-19")))),
        "memorandum_date"
    );
    assert_eq!(named(doc("nope", "test", d("2024-09-01"), None)), "preset");
    let ii = doc("minsk-ii-2015", "test", d("2024-09-01"), None).unwrap();
    let dates: Vec<String> = ii.zones.iter().map(|z| z.reference.date.to_string()).collect();
    assert!(dates.contains(&"2024-01-01".to_string()), "{dates:?}");
    assert!(!dates.contains(&"2014-09-19".to_string()), "{dates:?}");
    assert_eq!(scenario::compute(&cat, &ii).unwrap().answer.reference_lines.len(), 2);
}

/// Issue 11 item 3: `--preset` with a FILE or `--save` is refused (not silently ignored), as is
/// `--repeat 0`; a preset on an unknown source exits 2 naming it.
#[test]
fn cli_refuses_preset_combinations_and_repeat_zero() {
    let dir = tempfile::tempdir().unwrap();
    geodata(dir.path());
    let data = dir.path().to_str().unwrap();
    let file = dir.path().join("s.json");
    std::fs::write(&file, r#"{"source": "test", "ceasefire_date": "2024-09-01"}"#).unwrap();
    let preset = [
        "scenario",
        "--preset",
        "minsk-ii-2015",
        "--source",
        "test",
        "--date",
        "2024-09-01",
    ];
    let run = |extra: &[&str]| bin().args(extra).args(["--data", data]).output().unwrap();
    let ok = run(&preset);
    assert_eq!(ok.status.code(), Some(0), "{}", String::from_utf8_lossy(&ok.stderr));
    let printed: Value = serde_json::from_slice(&ok.stdout).unwrap();
    assert!(
        printed["zones"]
            .as_array()
            .unwrap()
            .iter()
            .all(|z| z["reference"]["date"] != "2014-09-19")
    );
    for extra in [vec!["--save"], vec![file.to_str().unwrap()]] {
        let out = run(&[&preset[..], &extra[..]].concat());
        assert_eq!(out.status.code(), Some(2), "{extra:?}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("--preset"));
    }
    let out = run(&[
        "scenario",
        "--preset",
        "korea-1953",
        "--source",
        "nope",
        "--date",
        "2024-09-01",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("source"));
    let out = run(&["scenario", file.to_str().unwrap(), "--repeat", "0"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--repeat"));
}

/// Issue 11 items 6-7 and 3 over HTTP: a compressed body is a 415 (the rule of `/v1/classify`,
/// one function, `identity_encoding`); a query
/// parameter on a route that takes none says so (no empty "allowed: " list); the presets route
/// answers 422 naming the field for an unknown source or an early date.
#[test]
fn http_scenario_bodies_follow_the_one_body_rule() {
    let dir = tempfile::tempdir().unwrap();
    geodata(dir.path());
    let s = Server::start(&["--data", dir.path().to_str().unwrap()]);
    let doc = br#"{"source": "test", "ceasefire_date": "2024-09-01"}"#;
    let json_ct = "Content-Type: application/json\r\n";
    for enc in ["gzip", "br"] {
        let (st, _, body) = request(
            s.addr,
            "POST",
            "/v1/scenarios/preview",
            &format!("{json_ct}Content-Encoding: {enc}\r\n"),
            doc,
        );
        assert_eq!(st, 415, "{enc}: {}", String::from_utf8_lossy(&body));
    }
    let (st, _, _) = request(
        s.addr,
        "POST",
        "/v1/scenarios/preview",
        &format!("{json_ct}Content-Encoding: identity\r\n"),
        doc,
    );
    assert_eq!(st, 200);
    let (st, _, body) = request(s.addr, "POST", "/v1/scenarios/preview?x=1", json_ct, doc);
    let p: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(st, 400);
    let detail = p["detail"].as_str().unwrap();
    assert!(!detail.trim_end().ends_with("allowed:"), "{detail}");
    assert!(detail.contains("no query parameters"), "{detail}");
    for (q, field) in [
        ("source=nope&date=2024-09-01", "source"),
        ("source=test&date=2023-01-01", "date"),
    ] {
        let (st, _, body) = request(s.addr, "GET", &format!("/v1/scenarios/presets?{q}"), "", b"");
        let p: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!((st, p["parameter"].as_str()), (422, Some(field)), "{q}: {p}");
    }
}

/// Issue 11: the partition within 1e-9 for every combination of waters x baselines x exclusions
/// (none, one taking area, one taking nothing, two overlapping) x grey zone, on the embedded
/// geodata (the real border, its waters and the Crimea baseline; the SYNTHETIC example source).
/// Before the scenario's operations shared one grid, waters + Crimea + an exclusion taking area
/// was off by ~3.6e-9 (each operation snapped the shared edges to its own grid).
#[test]
fn the_partition_holds_with_waters_baselines_and_exclusions_on_the_embedded_geodata() {
    let cat = Catalog::load(&common::repo().join("geodata")).unwrap_or_else(|r| panic!("{r:?}"));
    for line in common::check_partition_combinations(&cat, "example", "2024-09-01") {
        eprintln!("{line}");
    }
}

/// Issue 11: the partition as a property on the embedded geodata (the real border, its waters
/// and the Crimea baseline; the SYNTHETIC example source): 60 seeded random policies with 1 to
/// 4 random exclusions each (boxes up to 25 x 13 degrees, irregular polygons, the border cut by
/// a box and that cut moved by 1e-9 to 1e-5 degree), within 1e-9 and every part inside the
/// territory (`common::check_partition_random`). A box 20-45E x 47-55N was off by 4.3e-9 before
/// the overlay gave the inputs' vertices back their own coordinates.
#[test]
fn the_partition_holds_for_seeded_random_exclusions_on_the_embedded_geodata() {
    let cat = Catalog::load(&common::repo().join("geodata")).unwrap_or_else(|r| panic!("{r:?}"));
    let dates: Vec<String> = cat
        .source(Some("example"))
        .unwrap()
        .snapshots
        .iter()
        .map(|s| s.date.to_string())
        .collect();
    let dates: Vec<&str> = dates.iter().map(String::as_str).collect();
    for line in common::check_partition_random(&cat, "example", &dates, 11, 60) {
        eprintln!("{line}");
    }
}

/// Issue 13: a class of area a source's snapshots carry (`occupied_before_2022` in DeepState's
/// own format) can be named in a policy like a baseline, is listed with the baselines in
/// `GET /v1/sources` (`policy_names`), and an unknown name is refused naming the member and
/// listing the names the source allows.
#[test]
fn policies_name_the_classes_a_source_carries() {
    let dir = tempfile::tempdir().unwrap();
    geodata(dir.path());
    write(
        dir.path(),
        "sources/classed/source.json",
        r#"{"border": "TST", "baselines": []}"#,
    );
    write(
        dir.path(),
        "sources/classed/2024-09-01.geojson",
        r#"{"type":"FeatureCollection","frontline":{"kind":"snapshot","source":"classed","date":"2024-09-01","synthetic":true},
        "features":[{"type":"Feature","properties":{"status":"occupied","class":"occupied_before_2022"},"geometry":{"type":"Polygon","coordinates":[[[33,46],[34,46],[34,48],[33,48],[33,46]]]}},
        {"type":"Feature","properties":{"status":"occupied","class":"occupied_since_2022"},"geometry":{"type":"Polygon","coordinates":[[[32,46],[33,46],[33,48],[32,48],[32,46]]]}}]}"#,
    );
    let cat = Catalog::load(dir.path()).unwrap_or_else(|r| panic!("{r:?}"));
    let listed = frontline::query::sources(&cat);
    let classed = listed.iter().find(|s| s.name == "classed").unwrap();
    let names: Vec<(String, &str)> = classed.policy_names.iter().map(|n| (n.name.clone(), n.kind)).collect();
    assert!(names.contains(&("occupied_before_2022".into(), "class")), "{names:?}");
    assert!(names.contains(&("south".into(), "baseline")), "{names:?}");
    let test = listed.iter().find(|s| s.name == "test").unwrap();
    assert!(
        test.policy_names.iter().all(|n| n.kind == "baseline"),
        "{:?}",
        test.policy_names
    );

    let c = compute(
        &cat,
        json!({"source": "classed", "ceasefire_date": "2024-09-01",
            "policy": {"excluded_baselines": ["occupied_before_2022"]}}),
    )
    .unwrap();
    let a = &c.answer;
    let by_name = |n: &str| {
        a.excluded
            .iter()
            .find(|e| e.name.as_deref() == Some(n))
            .unwrap()
            .area_km2
            .unwrap()
    };
    assert!(close(
        by_name("occupied_before_2022"),
        area_km2(&rect(33.0, 46.0, 34.0, 48.0)),
        1e-9
    ));
    let occupied = a
        .excluded
        .iter()
        .find(|e| e.reason.as_str() == "occupied")
        .unwrap()
        .area_km2
        .unwrap();
    assert!(
        close(occupied, area_km2(&rect(32.0, 46.0, 33.0, 48.0)), 1e-9),
        "{occupied}"
    );
    let total = a.area_of_application_km2 + a.excluded.iter().filter_map(|e| e.area_km2).sum::<f64>();
    assert!(close(total, a.territory_km2, 1e-9));

    for (source, name) in [("classed", "occupied_before_2021"), ("test", "occupied_before_2022")] {
        match compute(
            &cat,
            json!({"source": source, "ceasefire_date": "2024-09-01", "policy": {"excluded_baselines": [name]}}),
        ) {
            Err(ScenarioError::Invalid { field, detail }) => {
                assert_eq!(field, "policy.excluded_baselines[0]");
                assert!(detail.contains(name) && detail.contains("south"), "{detail}");
                let listed = detail.split("can name:").nth(1).unwrap();
                assert_eq!(listed.contains("occupied_before_2022"), source == "classed", "{detail}");
            }
            other => panic!("{source} {name}: {other:?}"),
        }
    }
}

/// Issue 11: every date of a scenario must have a snapshot at most 31 days older (a figure cited
/// for a date describes that date: past the archive's end, or in a gap, it is refused naming the
/// member), and a zone's reference line cannot be dated after the ceasefire.
#[test]
fn dates_past_the_archive_and_references_after_the_ceasefire_are_refused() {
    let (_d, cat) = fixture();
    // The fixture's last snapshot is 2024-09-01: 30 days on is answered, 32 is not; a date in a
    // gap (2024-03-01: 60 days after 2024-01-01) is answered with the snapshot in force.
    compute(&cat, json!({"source": "test", "ceasefire_date": "2024-03-01"})).unwrap();
    compute(&cat, json!({"source": "test", "ceasefire_date": "2024-10-01"})).unwrap();
    let refused = |doc: Value, want: &str| match compute(&cat, doc.clone()) {
        Err(ScenarioError::Invalid { field, detail }) => {
            assert_eq!(field, want, "{doc}: {detail}");
            detail
        }
        other => panic!("{doc}: {other:?}"),
    };
    let detail = refused(
        json!({"source": "test", "ceasefire_date": "2024-10-03"}),
        "ceasefire_date",
    );
    assert!(
        detail.contains("32 days old") && detail.contains("2024-09-01"),
        "{detail}"
    );
    refused(
        json!({"source": "test", "ceasefire_date": "2024-06-01",
            "zones": [{"name": "z", "reference": {"date": "2024-09-01"}, "side": "both", "width_km": 5}]}),
        "zones[0].reference.date",
    );
    // A reference on the ceasefire date or before it is fine.
    compute(
        &cat,
        json!({"source": "test", "ceasefire_date": "2024-09-01",
            "zones": [{"name": "z", "reference": {"date": "2024-06-01"}, "side": "both", "width_km": 5}]}),
    )
    .unwrap();
}

/// Issue 11: a malformed exclusion's problem names its member once (the findings no longer carry
/// it as their "file"), and an exclusion that rounding to `precision` erases is listed in the
/// layer's `erased_by_rounding` with its exact area instead of vanishing uncounted.
#[test]
fn a_bad_exclusion_is_named_once_and_an_erased_one_is_counted() {
    let (_d, cat) = fixture();
    let crossed = json!({"type": "Polygon", "coordinates": [[[30.2, 46.2], [30.8, 46.8], [30.8, 46.2], [30.2, 46.8], [30.2, 46.2]]]});
    match compute(
        &cat,
        json!({"source": "test", "ceasefire_date": "2024-09-01",
            "policy": {"exclusions": [{"name": "crossed", "geometry": crossed}]}}),
    ) {
        Err(e @ ScenarioError::Invalid { .. }) => {
            let text = e.to_string();
            assert_eq!(text.matches("policy.exclusions[0].geometry").count(), 1, "{text}");
            assert!(text.contains("self-intersection"), "{text}");
        }
        other => panic!("{other:?}"),
    }
    // 10 m x 10 m: gone at 2 decimals (1 km), drawn at 6.
    let tiny = json!({"type": "Polygon", "coordinates": [[[30.5, 47.5], [30.50013, 47.5], [30.50013, 47.50009], [30.5, 47.50009], [30.5, 47.5]]]});
    let c = compute(
        &cat,
        json!({"source": "test", "ceasefire_date": "2024-09-01",
            "policy": {"exclusions": [{"name": "tiny", "geometry": tiny}]}}),
    )
    .unwrap();
    let km2 = c
        .answer
        .excluded
        .iter()
        .find(|e| e.name.as_deref() == Some("tiny"))
        .unwrap()
        .area_km2
        .unwrap();
    assert!(km2 > 5e-5 && km2 < 2e-4, "{km2}");
    for (precision, erased) in [(2u8, true), (6, false)] {
        let v: Value =
            serde_json::from_slice(&c.layer_geojson(scenario::ScenarioLayer::Excluded, precision).unwrap()).unwrap();
        let drawn = v["features"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["properties"]["name"] == "tiny");
        let listed = v["frontline"]["erased_by_rounding"].as_array().unwrap();
        assert_eq!(drawn, !erased, "{precision}: {v}");
        assert_eq!(listed.iter().any(|f| f["name"] == "tiny"), erased, "{precision}");
        let sum = v["frontline"]["erased_by_rounding_km2"].as_f64().unwrap();
        assert!(
            if erased { close(sum, km2, 1e-12) } else { sum == 0.0 },
            "{precision}: {sum}"
        );
    }
}

/// Issue 11: `POST /v1/scenarios/preview` (no token) computes at most
/// `--max-scenario-computations` scenarios at once: one more, while they compute, is a 503 with
/// `Retry-After` (not queued), and the next one after them is answered.
#[test]
fn previews_beyond_the_computation_places_are_refused_with_retry_after() {
    // The embedded geodata (the real border; its example source's lines are hundreds of km).
    let dir = tempfile::tempdir().unwrap();
    let root = common::copy_embedded_geodata(dir.path(), false);
    let args = ["--data", root.to_str().unwrap(), "--max-scenario-computations", "1"];
    let s = Server::start(&args);
    let json_ct = "Content-Type: application/json\r\n";
    // 16 zones of about 500 km on four reference lines: seconds of CPU.
    let dates = ["2024-01-01", "2024-03-01", "2024-06-01", "2024-09-01"];
    let zones: Vec<Value> = (0..16)
        .map(|i| {
            json!({"name": format!("z{i}"), "reference": {"date": dates[i % 4]},
                "side": "both", "width_km": 500 - i})
        })
        .collect();
    let heavy = json!({"source": "example", "ceasefire_date": "2024-09-01", "zones": zones}).to_string();
    let light = json!({"source": "example", "ceasefire_date": "2024-09-01"}).to_string();
    let addr = s.addr;
    let body = heavy.clone();
    let started = std::time::Instant::now();
    // (Asked again should a light one hold the place at that moment.)
    let first = std::thread::spawn(move || {
        loop {
            let r = request(addr, "POST", "/v1/scenarios/preview", json_ct, body.as_bytes());
            if r.0 != 503 {
                break r;
            }
        }
    });
    // While the heavy one computes (its place is taken once its body is read).
    let mut busy = None;
    while !first.is_finished() {
        std::thread::sleep(std::time::Duration::from_millis(20));
        let (st, head, body) = request(s.addr, "POST", "/v1/scenarios/preview", json_ct, light.as_bytes());
        if st == 503 {
            busy = Some((head, body));
            break;
        }
        assert_eq!(st, 200, "{}", String::from_utf8_lossy(&body));
    }
    let (st, _, body) = first.join().unwrap();
    assert_eq!(st, 200, "{}", String::from_utf8_lossy(&body));
    let (head, body) =
        busy.unwrap_or_else(|| panic!("no 503 while the heavy preview computed ({:?})", started.elapsed()));
    assert!(head.contains("retry-after: 1"), "{head}");
    assert!(head.contains("application/problem+json"), "{head}");
    let p: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(p["status"], 503);
    assert!(
        p["type"].as_str().unwrap().contains("scenario-computations-busy"),
        "{p}"
    );
    // Its place given back: the next one is answered.
    let (st, _, _) = request(s.addr, "POST", "/v1/scenarios/preview", json_ct, light.as_bytes());
    assert_eq!(st, 200);
}

/// `count` seeded star polygons of `vertices` vertices (spikes alternating with an inner radius),
/// centred in lon 30-38, lat 47-51 with outer radii 0.3-1.5 degrees, overlapping one another: the
/// negotiated exclusions of the fresh tester's F1 (as `scripts/scenario-stars.py` writes them).
fn star_exclusions(count: usize, vertices: usize, seed: u64) -> Vec<Value> {
    let mut rng = common::Seeded(seed);
    (0..count)
        .map(|i| {
            let (cx, cy) = (rng.range(30.0, 38.0), rng.range(47.0, 51.0));
            let outer = rng.range(0.3, 1.5);
            let inner = outer * rng.range(0.5, 0.8);
            let turn = rng.range(0.0, std::f64::consts::TAU);
            let mut ring: Vec<[f64; 2]> = (0..vertices)
                .map(|k| {
                    let a = turn + std::f64::consts::TAU * k as f64 / vertices as f64;
                    let r = if k % 2 == 0 { outer } else { inner };
                    let round = |v: f64| (v * 1e6).round() / 1e6;
                    [round(cx + r * a.cos()), round(cy + r * a.sin())]
                })
                .collect();
            ring.push(ring[0]);
            json!({"name": format!("star {i}"), "geometry": {"type": "Polygon", "coordinates": [ring]}})
        })
        .collect()
}

/// Fresh tester F1: 64 overlapping star exclusions of 2,400 vertices each, with the waters and a
/// zone, held an unauthenticated preview for over ten minutes and 6-8 GB. A document over the
/// server's bound on the exclusions' vertices is refused at once, before anything is computed,
/// with a 413 problem naming the member, the limit (its flag and value) and the document's
/// figure; the bound is the server's flag; the same document within a larger bound is computed.
#[test]
fn exclusions_over_the_vertex_bound_are_refused_at_once_naming_the_limit() {
    let dir = tempfile::tempdir().unwrap();
    let root = common::copy_embedded_geodata(dir.path(), false);
    let json_ct = "Content-Type: application/json\r\n";
    let heavy = json!({"source": "example", "ceasefire_date": "2024-09-01",
        "policy": {"waters": true, "exclusions": star_exclusions(64, 2400, 11)},
        "zones": [{"name": "15 km", "reference": {"date": "2024-09-01"}, "side": "both", "width_km": 15}]})
    .to_string();
    assert!(heavy.len() < 4 << 20, "within the body limit: {}", heavy.len());
    let s = Server::start(&["--data", root.to_str().unwrap()]);
    let started = std::time::Instant::now();
    let (st, head, body) = request(s.addr, "POST", "/v1/scenarios/preview", json_ct, heavy.as_bytes());
    let took = started.elapsed();
    assert_eq!(st, 413, "{}", String::from_utf8_lossy(&body));
    assert!(took < std::time::Duration::from_secs(10), "{took:?}");
    assert!(head.contains("application/problem+json"), "{head}");
    let p: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(p["type"], "/problems/scenario-too-large", "{p}");
    assert_eq!(p["parameter"], "policy.exclusions", "{p}");
    assert_eq!(p["limit"]["name"], "--max-scenario-exclusion-vertices", "{p}");
    assert_eq!(p["limit"]["max"], 20000.0, "{p}");
    assert_eq!(p["limit"]["value"], (64.0 * 2401.0), "{p}");
    let detail = p["detail"].as_str().unwrap();
    assert!(detail.contains("153664") && detail.contains("20000"), "{detail}");
    // The bound is the server's: a lower one refuses a smaller document, a higher one computes it.
    drop(s);
    let small = json!({"source": "example", "ceasefire_date": "2024-09-01",
        "policy": {"exclusions": star_exclusions(2, 300, 11)}})
    .to_string();
    let s = Server::start(&[
        "--data",
        root.to_str().unwrap(),
        "--max-scenario-exclusion-vertices",
        "500",
    ]);
    let (st, _, body) = request(s.addr, "POST", "/v1/scenarios/preview", json_ct, small.as_bytes());
    assert_eq!(st, 413, "{}", String::from_utf8_lossy(&body));
    drop(s);
    let s = Server::start(&[
        "--data",
        root.to_str().unwrap(),
        "--max-scenario-exclusion-vertices",
        "602",
    ]);
    let (st, _, body) = request(s.addr, "POST", "/v1/scenarios/preview", json_ct, small.as_bytes());
    assert_eq!(st, 200, "{}", String::from_utf8_lossy(&body));
}

/// Fresh tester F1: no request may hold the server for minutes. A scenario sent in a request is
/// given up past `--scenario-deadline-s` (checked between the steps of the computation, each
/// bounded by the input's size): a 503 `scenario-computation-deadline` problem with
/// `Retry-After` and the limit named, soon after the deadline, and its place freed.
#[test]
fn a_preview_past_the_deadline_is_given_up_with_a_503_and_retry_after() {
    let dir = tempfile::tempdir().unwrap();
    let root = common::copy_embedded_geodata(dir.path(), false);
    let s = Server::start(&[
        "--data",
        root.to_str().unwrap(),
        "--scenario-deadline-s",
        "1",
        "--max-scenario-exclusion-vertices",
        "100000",
    ]);
    let json_ct = "Content-Type: application/json\r\n";
    // 16 overlapping stars of 2,400 vertices with the waters: about 5 s of CPU (each exclusion's
    // cut a fraction of a second).
    let heavy = json!({"source": "example", "ceasefire_date": "2024-09-01",
        "policy": {"waters": true, "exclusions": star_exclusions(16, 2400, 11)}})
    .to_string();
    let started = std::time::Instant::now();
    let (st, head, body) = request(s.addr, "POST", "/v1/scenarios/preview", json_ct, heavy.as_bytes());
    let took = started.elapsed();
    assert_eq!(st, 503, "{}", String::from_utf8_lossy(&body));
    assert!(took < std::time::Duration::from_secs(5), "{took:?}");
    assert!(head.contains("retry-after: 1"), "{head}");
    let p: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(p["type"], "/problems/scenario-computation-deadline", "{p}");
    assert_eq!(p["limit"]["name"], "--scenario-deadline-s", "{p}");
    assert_eq!(p["limit"]["max"], 1.0, "{p}");
    assert!(p["detail"].as_str().unwrap().contains("1 s"), "{p}");
    // Its place freed: a light one is answered.
    let light = json!({"source": "example", "ceasefire_date": "2024-09-01"}).to_string();
    let (st, _, body) = request(s.addr, "POST", "/v1/scenarios/preview", json_ct, light.as_bytes());
    assert_eq!(st, 200, "{}", String::from_utf8_lossy(&body));
}

/// Issue 11 (fresh tester, 960c27d): a preset printed no document that `scenario` would refuse
/// (a date past the archive, a memorandum date after the ceasefire exited 0 with a document the
/// computation refused): the preset runs the computation's own check, naming its arguments.
#[test]
fn presets_refuse_what_the_computation_refuses() {
    let (_d, cat) = fixture();
    let d = |s: &str| frontline::model::parse_date(s).unwrap();
    let named = |r: Result<scenario::Scenario, ScenarioError>| match r.err().unwrap() {
        ScenarioError::Invalid { field, .. } | ScenarioError::Catalog { field, .. } => field,
        other => panic!("{other}"),
    };
    for p in scenario::presets::PRESETS {
        let doc = |date, memo| scenario::presets::document(&cat, p.name, "test", date, memo);
        // 2030: far past the archive (its last snapshot 2024-09-01), which `compute` refuses.
        assert_eq!(named(doc(d("2030-06-01"), None)), "date", "{}", p.name);
        assert!(compute(&cat, json!({"source": "test", "ceasefire_date": "2030-06-01"})).is_err());
        // Every document a preset prints, `compute` answers.
        let ok = doc(d("2024-06-01"), Some(d("2024-01-01"))).unwrap();
        scenario::compute(&cat, &ok).unwrap();
    }
    // A memorandum line after the ceasefire date.
    assert_eq!(
        named(scenario::presets::document(
            &cat,
            "minsk-ii-2015",
            "test",
            d("2024-06-01"),
            Some(d("2024-09-01"))
        )),
        "memorandum_date"
    );
    // The CLI: exit 2 naming the argument, nothing printed on standard output.
    let dir = tempfile::tempdir().unwrap();
    geodata(dir.path());
    for (args, want) in [
        (
            vec!["--preset", "korea-1953", "--source", "test", "--date", "2030-06-01"],
            "date",
        ),
        (
            vec![
                "--preset",
                "minsk-ii-2015",
                "--source",
                "test",
                "--date",
                "2024-06-01",
                "--memorandum-date",
                "2024-09-01",
            ],
            "memorandum_date",
        ),
    ] {
        let out = bin()
            .arg("scenario")
            .args(&args)
            .args(["--data", dir.path().to_str().unwrap()])
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(out.stdout.is_empty(), "{args:?}");
        assert!(err.contains(want), "{args:?}: {err}");
    }
}

/// Issue 11 (fresh tester, 960c27d): `frontline scenario -` reads the document from standard
/// input, as the other commands that read a file do.
#[test]
fn cli_scenario_reads_standard_input() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    geodata(dir.path());
    let doc = json!({"source": "test", "ceasefire_date": "2024-09-01"}).to_string();
    let file = dir.path().join("s.json");
    std::fs::write(&file, &doc).unwrap();
    let data = dir.path().to_str().unwrap();
    let from_file = bin()
        .args(["scenario", file.to_str().unwrap(), "--data", data])
        .output()
        .unwrap();
    assert!(from_file.status.success());
    let mut child = bin()
        .args(["scenario", "-", "--data", data])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(doc.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.stdout, from_file.stdout);
}

/// Issue 11 (fresh tester, 960c27d): `GET /v1/scenarios` marks a stored scenario whose inputs
/// changed (`inputs_changed: true` and the id the document has now, as the 409 of `GET
/// /v1/scenarios/{id}` says) instead of listing it as if its figures still held.
#[test]
fn the_list_marks_scenarios_whose_inputs_changed() {
    let dir = tempfile::tempdir().unwrap();
    geodata(dir.path());
    let token = dir.path().join("token");
    std::fs::write(&token, "s3cret-0123456789abcdef\n").unwrap();
    let args = [
        "--data",
        dir.path().to_str().unwrap(),
        "--ingest-token-file",
        token.to_str().unwrap(),
    ];
    let auth = "Content-Type: application/json\r\nAuthorization: Bearer s3cret-0123456789abcdef\r\n";
    let s = Server::start(&args);
    let mut ids = Vec::new();
    for date in ["2024-06-01", "2024-09-01"] {
        let doc = json!({"source": "test", "ceasefire_date": date}).to_string();
        let (st, _, body) = request(s.addr, "POST", "/v1/scenarios", auth, doc.as_bytes());
        assert_eq!(st, 201, "{}", String::from_utf8_lossy(&body));
        ids.push(
            serde_json::from_slice::<Value>(&body).unwrap()["id"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    let list = |s: &Server| {
        let (st, _, body) = request(s.addr, "GET", "/v1/scenarios", "", b"");
        assert_eq!(st, 200);
        serde_json::from_slice::<Value>(&body).unwrap()["scenarios"]
            .as_array()
            .unwrap()
            .clone()
    };
    for l in list(&s) {
        assert_eq!(l["inputs_changed"], false, "{l}");
        assert!(l.get("id_now").is_none(), "{l}");
    }
    drop(s);
    // The 2024-09-01 snapshot replaced (another line): the scenario on that date changes, the
    // one on 2024-06-01 does not.
    write(
        dir.path(),
        "sources/test/2024-09-01.geojson",
        &snapshot("2024-09-01", "[[32.5,46],[34,46],[34,48],[32.5,48],[32.5,46]]"),
    );
    let s = Server::start(&args);
    let listed = list(&s);
    let of = |id: &str| listed.iter().find(|l| l["id"] == id).unwrap().clone();
    assert_eq!(of(&ids[0])["inputs_changed"], false);
    let changed = of(&ids[1]);
    assert_eq!(changed["inputs_changed"], true, "{changed}");
    let now = changed["id_now"].as_str().unwrap();
    assert_ne!(now, ids[1]);
    let (st, _, body) = request(s.addr, "GET", &format!("/v1/scenarios/{}", ids[1]), "", b"");
    assert_eq!(st, 409);
    let problem: Value = serde_json::from_slice(&body).unwrap();
    assert!(problem["detail"].as_str().unwrap().contains(now), "{problem}");
    // The new id as a member of its own, as the listing's `id_now` (fresh tester).
    assert_eq!(problem["id_now"], now, "{problem}");
}

/// A stored scenario whose inputs the geodata no longer has (its source removed, found by a fresh
/// tester): its GET routes answer 409 `scenario-inputs-unavailable` saying why, not a 422 that
/// blames a request which has no document; the list still answers and marks it.
#[test]
fn a_stored_scenario_whose_source_was_removed_is_a_conflict_not_a_bad_request() {
    let dir = tempfile::tempdir().unwrap();
    geodata(dir.path());
    write(
        dir.path(),
        "sources/other/source.json",
        r#"{"border": "TST", "baselines": []}"#,
    );
    write(
        dir.path(),
        "sources/other/2024-06-01.geojson",
        &snapshot("2024-06-01", "[[33,46],[34,46],[34,48],[33,48],[33,46]]")
            .replace(r#""source":"test""#, r#""source":"other""#),
    );
    let token = dir.path().join("token");
    std::fs::write(&token, "s3cret-0123456789abcdef\n").unwrap();
    let args = [
        "--data",
        dir.path().to_str().unwrap(),
        "--ingest-token-file",
        token.to_str().unwrap(),
    ];
    let auth = "Content-Type: application/json\r\nAuthorization: Bearer s3cret-0123456789abcdef\r\n";
    let s = Server::start(&args);
    let doc = json!({"source": "other", "ceasefire_date": "2024-07-01"}).to_string();
    let (st, _, body) = request(s.addr, "POST", "/v1/scenarios", auth, doc.as_bytes());
    assert_eq!(st, 201, "{}", String::from_utf8_lossy(&body));
    let id = serde_json::from_slice::<Value>(&body).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    drop(s);
    std::fs::remove_dir_all(dir.path().join("sources/other")).unwrap();
    let s = Server::start(&args);
    for route in [
        format!("/v1/scenarios/{id}"),
        format!("/v1/scenarios/{id}/layers/area"),
        format!("/v1/scenarios/{id}/point?lon=31&lat=47"),
    ] {
        let (st, _, body) = request(s.addr, "GET", &route, "", b"");
        let v: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(st, 409, "{route}: {v}");
        assert!(
            v["type"].as_str().unwrap().ends_with("scenario-inputs-unavailable"),
            "{route}: {v}"
        );
        let detail = v["detail"].as_str().unwrap();
        assert!(detail.contains(&id) && detail.contains("other"), "{route}: {detail}");
    }
    let (st, _, body) = request(s.addr, "GET", "/v1/scenarios", "", b"");
    assert_eq!(st, 200);
    let listed: Value = serde_json::from_slice(&body).unwrap();
    let row = listed["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == id.as_str())
        .unwrap()
        .clone();
    assert_eq!(row["inputs_changed"], true, "{row}");
}

/// Issue 11: with the waters in the policy, a baseline excluded by name takes the cells of the
/// waters whose anchor (the land point a cell's status follows) lies in it: Crimea's
/// territorial sea goes with `crimea`, not with `occupied`. Checked on the embedded geodata
/// against the waters file read independently: `crimea` grows by exactly the anchored cells'
/// area, `occupied` does not take them, the partition holds, and a point in such a cell is
/// excluded by `crimea`.
#[test]
fn a_baseline_excluded_by_name_takes_its_waters() {
    use geo::{Contains, InteriorPoint};
    let repo = common::repo();
    let cat = Catalog::load(&repo.join("geodata")).unwrap_or_else(|r| panic!("{r:?}"));
    let read =
        |rel: &str| -> Value { serde_json::from_str(&std::fs::read_to_string(repo.join(rel)).unwrap()).unwrap() };
    let polys = |g: &Value| -> Vec<Polygon<f64>> {
        let g: geojson::Geometry = serde_json::from_value(g.clone()).unwrap();
        match geo::Geometry::<f64>::try_from(g).unwrap() {
            geo::Geometry::Polygon(p) => vec![p],
            geo::Geometry::MultiPolygon(m) => m.0,
            other => panic!("{other:?}"),
        }
    };
    let crimea = MultiPolygon(
        read("geodata/baselines/crimea.geojson")["features"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|f| polys(&f["geometry"]))
            .collect(),
    );
    let mut anchored = Vec::new();
    for f in read("geodata/waters/UKR.geojson")["features"].as_array().unwrap() {
        let a = &f["properties"]["anchor"];
        let anchor = geo::Point::new(a[0].as_f64().unwrap(), a[1].as_f64().unwrap());
        if crimea.contains(&anchor) {
            anchored.push(MultiPolygon(polys(&f["geometry"])));
        }
    }
    assert!(anchored.len() > 10, "{} cells anchored in Crimea", anchored.len());
    let cells_km2: f64 = anchored.iter().map(area_km2).sum();

    let figures = |waters: bool| {
        let c = compute(
            &cat,
            json!({"source": "example", "ceasefire_date": "2024-09-01",
                "policy": {"waters": waters, "excluded_baselines": ["crimea"]}}),
        )
        .unwrap();
        let by = |name: Option<&str>, reason: &str| {
            c.answer
                .excluded
                .iter()
                .find(|e| e.name.as_deref() == name && e.reason.as_str() == reason)
                .and_then(|e| e.area_km2)
                .unwrap_or(0.0)
        };
        let (crimea, occupied) = (by(Some("crimea"), "baseline"), by(None, "occupied"));
        let a = &c.answer;
        let total = a.area_of_application_km2 + a.excluded.iter().filter_map(|e| e.area_km2).sum::<f64>();
        assert!(
            close(total, a.territory_km2, 1e-9),
            "waters {waters}: {total} vs {}",
            a.territory_km2
        );
        (crimea, occupied, c)
    };
    let (land, _, _) = figures(false);
    let (with_waters, occupied, c) = figures(true);
    assert!(
        close(with_waters - land, cells_km2, 1e-6),
        "crimea with waters {with_waters} - land {land} = {} km2; the cells anchored in Crimea: {cells_km2} km2",
        with_waters - land
    );
    // Every anchored cell's inner point is excluded by `crimea`, none by `occupied`.
    for cell in &anchored {
        let p = cell.interior_point().unwrap();
        let hit = c.point(p.x(), p.y()).unwrap();
        let by = hit.excluded.as_ref().map(|e| (e.reason.as_str(), e.name.clone()));
        assert_eq!(by, Some(("baseline", Some("crimea".to_string()))), "{p:?}: {occupied}");
    }
}

/// Issue 11: the line of contact is the occupied area's boundary, so the grey zone of the
/// reference date lies on a zone's covered side; `covered_side_contested_km2` says how much.
#[test]
fn a_zone_reports_the_grey_zone_on_its_covered_side() {
    let dir = tempfile::tempdir().unwrap();
    geodata(dir.path());
    // Occupied east of 32, grey zone [31.8, 32] x [46, 48] beside it.
    write(
        dir.path(),
        "sources/test/2024-10-01.geojson",
        r#"{"type":"FeatureCollection","frontline":{"kind":"snapshot","source":"test","date":"2024-10-01","synthetic":true},
        "features":[{"type":"Feature","properties":{"status":"occupied"},"geometry":{"type":"Polygon","coordinates":[[[32,46],[34,46],[34,48],[32,48],[32,46]]]}},
        {"type":"Feature","properties":{"status":"contested"},"geometry":{"type":"Polygon","coordinates":[[[31.8,46],[32,46],[32,48],[31.8,48],[31.8,46]]]}}]}"#,
    );
    let cat = Catalog::load(dir.path()).unwrap_or_else(|r| panic!("{r:?}"));
    let c = compute(
        &cat,
        json!({"source": "test", "ceasefire_date": "2024-10-01",
            "zones": [{"name": "z", "reference": {"date": "2024-10-01"}, "side": "both", "width_km": 30}]}),
    )
    .unwrap();
    let z = &c.answer.zones[0];
    let grey = area_km2(&rect(31.8, 46.0, 32.0, 48.0));
    assert!(
        close(z.covered_side_contested_km2.unwrap(), grey, 1e-6),
        "{} vs {grey}",
        z.covered_side_contested_km2.unwrap()
    );
    assert!(z.covered_side_km2 > grey);
    let policy = compute(
        &cat,
        json!({"source": "test", "ceasefire_date": "2024-10-01",
            "policy": {"excluded_baselines": ["before-2022"]}}),
    );
    match policy {
        Err(ScenarioError::Invalid { field, detail }) => {
            assert_eq!(field, "policy.excluded_baselines[0]");
            assert!(detail.contains("classes.drawn"), "{detail}");
        }
        other => panic!("{other:?}"),
    }
}

/// The geodata of [`geodata`] with waters south of the coast (y = 46) and a snapshot whose
/// class `occupied_before_2022` is drawn 0.002 degrees (222 m) inside the coast between two
/// `occupied_since_2022` features that reach it: the strip [31, 32] x [46, 46.002] between the
/// class and the coast is a sliver (occupied by the rule). Four cells of waters, each 1 x 0.1
/// degrees, anchored 55 m inland: west (in a since-2022 feature), middle (in the sliver), east
/// (in the other since-2022 feature), far east (covered).
fn geodata_with_a_class_inside_the_coast(dir: &Path) {
    geodata(dir);
    let cell = |x: f64| {
        json!({"type": "Feature", "properties": {"anchor": [x + 0.5, 46.0005]},
            "geometry": {"type": "Polygon", "coordinates": [[[x, 45.9], [x + 1.0, 45.9], [x + 1.0, 46.0], [x, 46.0], [x, 45.9]]]}})
    };
    let waters = json!({"type": "FeatureCollection",
        "frontline": {"kind": "waters", "border": "TST", "synthetic": true},
        "features": [cell(30.0), cell(31.0), cell(32.0), cell(33.0)]});
    write(dir, "waters/TST.geojson", &waters.to_string());
    let feature = |class: &str, ring: Value| {
        json!({"type": "Feature", "properties": {"status": "occupied", "class": class},
            "geometry": {"type": "Polygon", "coordinates": [ring]}})
    };
    let snapshot = json!({"type": "FeatureCollection",
    "frontline": {"kind": "snapshot", "source": "test", "date": "2024-10-01", "synthetic": true},
    "features": [
        feature("occupied_since_2022", json!([[30, 46], [31, 46], [31, 47], [30, 47], [30, 46]])),
        feature("occupied_before_2022", json!([[31, 46.002], [32, 46.002], [32, 47], [31, 47], [31, 46.002]])),
        feature("occupied_since_2022", json!([[32, 46], [33, 46], [33, 47], [32, 47], [32, 46]])),
    ]});
    write(dir, "sources/test/2024-10-01.geojson", &snapshot.to_string());
}

/// Issue 11 (fresh tester, F2): with the waters and `occupied_before_2022` excluded by name,
/// about 10,280 km2 of Crimea's sea stayed under `occupied`: the cells' anchors lie just inland
/// of the border's coast, outside the class's polygons, in the slivers between them and the
/// coast. A class now takes the slivers the rule gave its area, and the cells anchored in them
/// follow: on the fixture the class takes its polygon, the 222 m strip and the middle cell;
/// `occupied` the two since-2022 features and their cells; the partition holds.
#[test]
fn a_class_excluded_by_name_takes_its_slivers_and_the_waters_anchored_in_them() {
    let dir = tempfile::tempdir().unwrap();
    geodata_with_a_class_inside_the_coast(dir.path());
    let cat = Catalog::load(dir.path()).unwrap_or_else(|r| panic!("{r:?}"));
    let state = cat
        .in_force(Some("test"), frontline::model::parse_date("2024-10-01").unwrap())
        .unwrap();
    let moved = &state.computed().pieces;
    assert_eq!(
        moved.len(),
        1,
        "the strip is a sliver: {:?}",
        moved.iter().map(|p| p.kind).collect::<Vec<_>>()
    );
    let cell = |x: f64| area_km2(&rect(x, 45.9, x + 1.0, 46.0));
    for waters in [false, true] {
        let c = compute(
            &cat,
            json!({"source": "test", "ceasefire_date": "2024-10-01",
                "policy": {"waters": waters, "excluded_baselines": ["occupied_before_2022"]}}),
        )
        .unwrap();
        let a = &c.answer;
        let by = |reason: &str| {
            a.excluded
                .iter()
                .find(|e| e.reason.as_str() == reason)
                .and_then(|e| e.area_km2)
                .unwrap()
        };
        let sea = |x: f64| if waters { cell(x) } else { 0.0 };
        let class = area_km2(&rect(31.0, 46.0, 32.0, 47.0)) + sea(31.0);
        let occupied =
            area_km2(&rect(30.0, 46.0, 31.0, 47.0)) + area_km2(&rect(32.0, 46.0, 33.0, 47.0)) + sea(30.0) + sea(32.0);
        assert!(
            close(by("baseline"), class, 1e-9),
            "waters {waters}: class {} vs {class}",
            by("baseline")
        );
        assert!(
            close(by("occupied"), occupied, 1e-9),
            "waters {waters}: occupied {} vs {occupied}",
            by("occupied")
        );
        let total = a.area_of_application_km2 + a.excluded.iter().filter_map(|e| e.area_km2).sum::<f64>();
        assert!(
            close(total, a.territory_km2, 1e-9),
            "waters {waters}: {total} vs {}",
            a.territory_km2
        );
        // A point in the strip and, with the waters, one in the middle cell: the class's.
        let mut points = vec![(31.5, 46.001)];
        if waters {
            points.push((31.5, 45.95));
        }
        for (x, y) in points {
            let hit = c.point(x, y).unwrap();
            let by = hit.excluded.as_ref().map(|e| (e.reason.as_str(), e.name.clone()));
            assert_eq!(
                by,
                Some(("baseline", Some("occupied_before_2022".to_string()))),
                "({x}, {y})"
            );
        }
        if waters {
            let hit = c.point(30.5, 45.95).unwrap();
            assert_eq!(hit.excluded.map(|e| e.reason.as_str()), Some("occupied"));
        }
    }
}

/// Issue 11 (fresh tester, minors): a corrupt stored scenario answered 500 "could not be
/// written" and the list left it out silently; a renamed one answered 409 inputs-changed. Now
/// each names the file and what is wrong (500 `stored-scenario-unreadable`, 500
/// `stored-scenario-not-its-id`: the server's own store is damaged), and the list reports them
/// under `unreadable`.
#[test]
fn a_damaged_stored_scenario_is_named_and_listed_not_left_out() {
    let dir = tempfile::tempdir().unwrap();
    geodata(dir.path());
    let cat = Catalog::load(dir.path()).unwrap_or_else(|r| panic!("{r:?}"));
    let store = frontline::store::Store::new(dir.path().to_path_buf());
    let mut ids = Vec::new();
    for date in ["2024-01-01", "2024-06-01", "2024-09-01"] {
        let c = compute(&cat, json!({"source": "test", "ceasefire_date": date})).unwrap();
        assert!(scenario::save(&store, &c).unwrap());
        ids.push(c.id().to_string());
    }
    let file = |id: &str| dir.path().join(format!("scenarios/{id}.json"));
    // The first: not JSON any more (cut short). The second: renamed to another id. The third,
    // edited by hand (its title) after it was stored. And a file not named by an id.
    let whole = std::fs::read(file(&ids[0])).unwrap();
    std::fs::write(file(&ids[0]), &whole[..whole.len() / 2]).unwrap();
    let other = "0".repeat(63) + "1";
    std::fs::rename(file(&ids[1]), file(&other)).unwrap();
    let edited = std::fs::read_to_string(file(&ids[2])).unwrap().replacen(
        "\"source\": \"test\"",
        "\"title\": \"edited\",\n    \"source\": \"test\"",
        1,
    );
    std::fs::write(file(&ids[2]), edited).unwrap();
    std::fs::write(dir.path().join("scenarios/notes.json"), "{}").unwrap();
    // A hidden temporary of the store is not a file of it.
    std::fs::write(dir.path().join("scenarios/.x.json.1-0.tmp"), "").unwrap();

    let listed = scenario::list(&store, &cat).unwrap();
    assert!(listed.scenarios.is_empty(), "{:?}", listed.scenarios);
    let files: Vec<&str> = listed.unreadable.iter().map(|u| u.file.as_str()).collect();
    let mut want = vec![
        format!("scenarios/{}.json", ids[0]),
        format!("scenarios/{other}.json"),
        format!("scenarios/{}.json", ids[2]),
        "scenarios/notes.json".to_string(),
    ];
    want.sort();
    assert_eq!(files, want);

    let s = Server::start(&["--data", dir.path().to_str().unwrap(), "--watch-s", "0"]);
    let problem = |id: &str| {
        let (st, head, body) = request(s.addr, "GET", &format!("/v1/scenarios/{id}"), "", b"");
        assert!(head.contains("application/problem+json"), "{head}");
        let v: Value = serde_json::from_slice(&body).unwrap();
        (
            st,
            v["type"].as_str().unwrap().to_string(),
            v["detail"].as_str().unwrap().to_string(),
        )
    };
    let (st, kind, detail) = problem(&ids[0]);
    assert_eq!(
        (st, kind.as_str()),
        (500, "/problems/stored-scenario-unreadable"),
        "{detail}"
    );
    assert!(
        detail.contains(&format!("scenarios/{}.json", ids[0])) && detail.contains("line"),
        "{detail}"
    );
    let (st, kind, detail) = problem(&other);
    assert_eq!(
        (st, kind.as_str()),
        (500, "/problems/stored-scenario-not-its-id"),
        "{detail}"
    );
    assert!(
        detail.contains("does not match its content id") && detail.contains(&format!("scenarios/{}.json", ids[1])),
        "{detail}"
    );
    let (st, kind, detail) = problem(&ids[2]);
    assert_eq!(
        (st, kind.as_str()),
        (500, "/problems/stored-scenario-not-its-id"),
        "{detail}"
    );
    assert!(detail.contains("changed after it was stored"), "{detail}");
    // Never "could not be written" for a read.
    assert!(!detail.contains("written"), "{detail}");
    let (st, _, body) = request(s.addr, "GET", "/v1/scenarios", "", b"");
    assert_eq!(st, 200);
    let v: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(v["unreadable"].as_array().unwrap().len(), 4, "{v}");
    assert!(v["unreadable"][0]["error"].as_str().unwrap().len() > 20, "{v}");
}

/// Fresh tester F4: a stored scenario computed and kept in memory was still served after its file
/// was damaged or removed. Each request checks the file (its length and modification time) and,
/// where it changed, reads it again as a cold read does: a damaged file is a 500
/// `stored-scenario-unreadable` on its figures and its layers (kept in memory too), a file put
/// back is served again, a removed one is a 404 as after a restart.
#[test]
fn a_stored_scenario_damaged_or_removed_after_it_was_served_is_not_served_from_memory() {
    let dir = tempfile::tempdir().unwrap();
    geodata(dir.path());
    let cat = Catalog::load(dir.path()).unwrap_or_else(|r| panic!("{r:?}"));
    let store = frontline::store::Store::new(dir.path().to_path_buf());
    let c = compute(&cat, json!({"source": "test", "ceasefire_date": "2024-09-01"})).unwrap();
    assert!(scenario::save(&store, &c).unwrap());
    let id = c.id().to_string();
    let file = dir.path().join(format!("scenarios/{id}.json"));
    let s = Server::start(&["--data", dir.path().to_str().unwrap(), "--watch-s", "0"]);
    let get = |target: &str| {
        let (st, _, body) = request(s.addr, "GET", target, "", b"");
        let v: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
        (st, v)
    };
    let figures = format!("/v1/scenarios/{id}");
    let layer = format!("/v1/scenarios/{id}/layers/area");
    let point = format!("/v1/scenarios/{id}/point?lon=31&lat=47");
    for t in [&figures, &layer, &point] {
        assert_eq!(get(t).0, 200, "{t}");
    }
    let whole = std::fs::read(&file).unwrap();
    std::fs::write(&file, &whole[..whole.len() / 2]).unwrap();
    for t in [&figures, &layer, &point] {
        let (st, v) = get(t);
        assert_eq!(st, 500, "{t}: {v}");
        assert_eq!(v["type"], "/problems/stored-scenario-unreadable", "{t}: {v}");
        assert!(
            v["detail"].as_str().unwrap().contains(&format!("scenarios/{id}.json")),
            "{v}"
        );
    }
    // Mended: served again (from memory).
    std::fs::write(&file, &whole).unwrap();
    for t in [&figures, &layer, &point] {
        assert_eq!(get(t).0, 200, "{t}");
    }
    std::fs::remove_file(&file).unwrap();
    for t in [&figures, &layer, &point] {
        let (st, v) = get(t);
        assert_eq!(st, 404, "{t}: {v}");
        assert_eq!(v["type"], "/problems/unknown-scenario", "{t}: {v}");
    }
}

/// A value of `GET /metrics` without labels, by name.
fn metric(addr: SocketAddr, name: &str) -> u64 {
    let (st, _, body) = request(addr, "GET", "/metrics", "", b"");
    assert_eq!(st, 200);
    let text = String::from_utf8(body).unwrap();
    let line = text
        .lines()
        .find(|l| l.strip_prefix(name).is_some_and(|rest| rest.starts_with(' ')))
        .unwrap_or_else(|| panic!("no {name}: {text}"));
    line.rsplit(' ').next().unwrap().parse::<f64>().unwrap() as u64
}

/// Stored scenarios computed since the start.
fn computations(addr: SocketAddr) -> u64 {
    metric(addr, "frontline_stored_scenario_computations_total")
}

/// Scenario computation places taken now.
fn in_progress(addr: SocketAddr) -> u64 {
    metric(addr, "frontline_scenario_computations_in_progress")
}

/// Issue 11 (fresh tester, F3): a cold stored scenario was computed once per concurrent
/// request, without a bound. On a real server: 12 concurrent requests for a cold stored
/// scenario (figures, layers, a point) share one computation and get the same answers; the
/// layers asked again are served from the cache without computing; and while a heavy preview
/// holds the only computation place, a cold stored scenario is a 503 problem with `Retry-After`
/// (nothing cached: asked again later, it is answered).
#[test]
fn concurrent_requests_for_a_cold_stored_scenario_share_one_computation() {
    let dir = tempfile::tempdir().unwrap();
    let root = common::copy_embedded_geodata(dir.path(), false);
    let data = root.to_str().unwrap();
    // Two stored scenarios, stored by the CLI before the server starts (so cold in it).
    let mut ids = Vec::new();
    for date in ["2024-06-01", "2024-01-01", "2024-03-01", "2024-09-01"] {
        let doc = dir.path().join(format!("{date}.json"));
        let zones = [json!({"name": "z", "reference": {"date": date}, "side": "both", "width_km": 40})];
        std::fs::write(
            &doc,
            json!({"source": "example", "ceasefire_date": date, "zones": zones, "policy": {"waters": true}})
                .to_string(),
        )
        .unwrap();
        let out = bin()
            .args(["scenario", doc.to_str().unwrap(), "--save", "--data", data])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        ids.push(
            serde_json::from_slice::<Value>(&out.stdout).unwrap()["id"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    let s = Server::start(&["--data", data, "--watch-s", "0", "--max-scenario-computations", "1"]);
    assert_eq!(computations(s.addr), 0);
    let id = ids[0].clone();
    let routes: Vec<String> = (0..12)
        .map(|i| match i % 4 {
            0 => format!("/v1/scenarios/{id}"),
            1 => format!("/v1/scenarios/{id}/layers/zones"),
            2 => format!("/v1/scenarios/{id}/layers/area?precision=5"),
            _ => format!("/v1/scenarios/{id}/point?lon=37.8&lat=48.0"),
        })
        .collect();
    let addr = s.addr;
    let answers: Vec<(String, u16, Vec<u8>)> = routes
        .into_iter()
        .map(|r| {
            std::thread::spawn(move || {
                let (st, _, body) = request(addr, "GET", &r, "", b"");
                (r, st, body)
            })
        })
        .collect::<Vec<_>>()
        .into_iter()
        .map(|t| t.join().unwrap())
        .collect();
    for (route, st, body) in &answers {
        assert_eq!(*st, 200, "{route}: {}", String::from_utf8_lossy(body));
        let same = answers.iter().filter(|(r, _, _)| r == route);
        for (_, _, other) in same {
            assert_eq!(other, body, "{route}: the same answer to every request");
        }
    }
    assert_eq!(computations(s.addr), 1, "one computation for 12 concurrent requests");
    // Kept: asked again, nothing is computed.
    for route in [
        format!("/v1/scenarios/{id}/layers/zones"),
        format!("/v1/scenarios/{id}"),
    ] {
        let (st, _, _) = request(s.addr, "GET", &route, "", b"");
        assert_eq!(st, 200);
    }
    assert_eq!(computations(s.addr), 1);

    // The bound: a heavy preview (16 zones of about 500 km: seconds) holds the only place; the
    // other stored scenario, cold, is refused at once with Retry-After, not queued. The place is
    // seen taken on /metrics before the cold one is asked (a fixed sleep raced with the preview
    // on a loaded machine: CI saw every cold one answered 200). If the preview ends between the
    // two (a 200), the next cold scenario is tried with a new preview.
    let dates = ["2024-01-01", "2024-03-01", "2024-06-01", "2024-09-01"];
    let zones: Vec<Value> = (0..16)
        .map(|i| json!({"name": format!("z{i}"), "reference": {"date": dates[i % 4]}, "side": "both", "width_km": 500 - i}))
        .collect();
    let heavy = json!({"source": "example", "ceasefire_date": "2024-09-01", "zones": zones}).to_string();
    let mut busy = None;
    for other in &ids[1..] {
        let body = heavy.clone();
        let json_ct = "Content-Type: application/json\r\n";
        let preview =
            std::thread::spawn(move || request(addr, "POST", "/v1/scenarios/preview", json_ct, body.as_bytes()).0);
        while in_progress(addr) == 0 && !preview.is_finished() {
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        let cold = format!("/v1/scenarios/{other}");
        let (st, head, body) = request(addr, "GET", &cold, "", b"");
        let preview_finished_first = preview.is_finished();
        assert_eq!(preview.join().unwrap(), 200);
        if st == 503 {
            busy = Some((cold, head, body));
            break;
        }
        assert_eq!(st, 200, "{}", String::from_utf8_lossy(&body));
        assert!(
            preview_finished_first,
            "{cold} was computed while the preview held the only place"
        );
    }
    let (cold, head, body) = busy.expect("a 503 while the heavy preview computed");
    assert!(
        head.contains("retry-after: 1") && head.contains("application/problem+json"),
        "{head}"
    );
    let p: Value = serde_json::from_slice(&body).unwrap();
    assert!(
        p["type"].as_str().unwrap().ends_with("scenario-computations-busy"),
        "{p}"
    );
    assert_eq!(in_progress(addr), 0, "the place is given back");
    // The refusal was not kept: now it is computed.
    let before = computations(s.addr);
    let (st, _, _) = request(s.addr, "GET", &cold, "", b"");
    assert_eq!(st, 200);
    assert_eq!(computations(s.addr), before + 1);
}
