//! DeepStateMap's own format on small synthetic publications: classes, points and the third
//! coordinate dropped, clipping, and which publication is a date's snapshot at the day boundary
//! in Kyiv time and in UTC.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use frontline::geodata::load_dir;
use frontline::import::{Format, ImportOptions, import};
use serde_json::json;
use std::path::{Path, PathBuf};

mod common;

fn options(source: &str, root: &Path, tz: Option<chrono_tz::Tz>) -> ImportOptions {
    ImportOptions {
        time_zone: tz,
        ..ImportOptions::new(source, root)
    }
}

/// A square of `side` degrees at (x, y), every position with a third coordinate 0.
fn square(x: f64, y: f64, side: f64) -> serde_json::Value {
    json!([[
        [x, y, 0],
        [x + side, y, 0],
        [x + side, y + side, 0],
        [x, y + side, 0],
        [x, y, 0]
    ]])
}

fn area(name: &str, fill: &str, coords: serde_json::Value) -> serde_json::Value {
    json!({"type": "Feature", "properties": {"name": name, "fill": fill},
           "geometry": {"type": "Polygon", "coordinates": coords}})
}

/// Writes a publication of `instant` (UTC unix seconds) whose occupied square has side `side`.
fn publication(dir: &Path, instant: i64, side: f64) -> PathBuf {
    let doc = json!({"type": "FeatureCollection", "features": [
        area("Окуповано /// Occupied", "#a52714", square(37.0, 47.5, side)),
        area("Сіра зона /// Unknown status", "#bcaaa4", square(37.5, 47.5, 0.1)),
        area("Окупований Крим /// Occupied Crimea", "#880e4f", square(33.8, 45.0, 0.3)),
        area("Придністров'я /// Transnistria", "#880e4f", square(29.4, 46.8, 0.3)),
        area("x /// Liberated 25.03", "#0288d1", square(36.0, 49.5, 0.2)),
        area("Polygon 54", "#fbc02d", square(36.0, 48.5, 0.2)),
        {"type": "Feature", "properties": {"name": "HQ"}, "geometry": {"type": "Point", "coordinates": [37.1, 47.6, 0]}},
        {"type": "Feature", "properties": {"name": "x /// Occupied"}, "geometry": {"type": "GeometryCollection", "geometries": [
            {"type": "Polygon", "coordinates": square(37.05, 47.55, 0.5)},
            {"type": "Point", "coordinates": [37.2, 47.7, 0]}]}},
    ]});
    let p = dir.join(format!("{instant}.geojson"));
    std::fs::write(&p, doc.to_string()).unwrap();
    p
}

/// 2024-05-01 10:00 UTC (13:00 Kyiv), 20:30 UTC (23:30 Kyiv), 21:30 UTC (00:30 Kyiv on 2 May).
const A: i64 = 1_714_557_600;
const B: i64 = 1_714_595_400;
const C: i64 = 1_714_599_000;

fn inputs(dir: &Path) -> Vec<PathBuf> {
    vec![
        publication(dir, A, 0.2),
        publication(dir, B, 0.3),
        publication(dir, C, 0.4),
    ]
}

#[test]
fn the_last_publication_of_a_kyiv_day_is_its_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let root = common::copy_embedded_geodata(dir.path(), false);
    let files = inputs(dir.path());
    let r = import(Format::DeepstateApi, &files, &options("ds", &root, None)).unwrap();
    assert!(r.rejected.is_empty(), "{:?}", r.rejected);
    let added: Vec<String> = r.added.iter().map(|a| a.date.to_string()).collect();
    assert_eq!(added, ["2024-05-01", "2024-05-02"]);
    assert_eq!(r.earlier_publications.len(), 1);
    assert_eq!(r.earlier_publications[0].published_at, "2024-05-01T10:00:00Z");
    assert_eq!(
        r.earlier_publications[0].outcome,
        frontline::import::PublicationOutcome::Added
    );
    assert!(root.join("sources/ds/publications/20240501T100000Z.geojson").is_file());
    let g = load_dir(&root).unwrap().geodata;
    let src = g.sources.iter().find(|s| s.name == "ds").unwrap();
    assert_eq!(src.time_zone, chrono_tz::Europe::Kyiv);
    let at: Vec<String> = src
        .snapshots
        .iter()
        .map(|s| frontline::geodata::canonical::rfc3339(s.published_at.unwrap()))
        .collect();
    assert_eq!(at, ["2024-05-01T20:30:00Z", "2024-05-01T21:30:00Z"]);

    // The report: per class and outcome.
    let t = r.classes.unwrap();
    let get = |c: &str, o: &str| t.polygons.get(c).and_then(|m| m.get(o)).copied().unwrap_or(0);
    assert_eq!(
        get("occupied_since_2022", "kept"),
        6,
        "two per publication (one in a GeometryCollection)"
    );
    assert_eq!(get("occupied_before_2022", "kept"), 3);
    assert_eq!(get("contested", "kept"), 3);
    assert_eq!(
        get("foreign", "dropped"),
        3,
        "Transnistria, by its name despite the colour of Crimea"
    );
    assert_eq!(get("liberated", "dropped"), 3);
    assert_eq!(get("unknown", "dropped"), 3);
    assert_eq!(get("point", "dropped"), 6);
    assert_eq!(
        t.repaired.get("third_coordinate"),
        Some(&12),
        "the polygons read: those of the classes kept"
    );
    assert_eq!(t.unknown.len(), 3);
    assert_eq!(t.unknown[0].fill.as_deref(), Some("#fbc02d"));

    // Classes kept in the stored file; the two occupied squares united into one polygon.
    let last = &src.snapshots[1];
    let classes: Vec<&str> = last.features.iter().filter_map(|f| f.class.as_deref()).collect();
    assert_eq!(classes, ["occupied_before_2022", "occupied_since_2022", "contested"]);
    assert_eq!(last.features[1].geometry.0.len(), 1);
    assert!(
        last.features
            .iter()
            .all(|f| f.geometry.0.iter().all(|p| p.exterior().0.iter().all(|c| c.x > 33.0)))
    );

    // Importing again changes nothing.
    let again = import(Format::DeepstateApi, &files, &options("ds", &root, None)).unwrap();
    assert!(again.added.is_empty() && again.rejected.is_empty());
    assert_eq!(again.unchanged.len(), 2);
    assert_eq!(
        again.earlier_publications[0].outcome,
        frontline::import::PublicationOutcome::Unchanged
    );
}

#[test]
fn a_source_in_utc_counts_its_days_in_utc() {
    let dir = tempfile::tempdir().unwrap();
    let root = common::copy_embedded_geodata(dir.path(), false);
    let files = inputs(dir.path());
    let r = import(
        Format::DeepstateApi,
        &files,
        &options("utc", &root, Some(chrono_tz::UTC)),
    )
    .unwrap();
    let added: Vec<String> = r.added.iter().map(|a| a.date.to_string()).collect();
    assert_eq!(added, ["2024-05-01"], "all three are of 1 May in UTC");
    let earlier: Vec<&str> = r.earlier_publications.iter().map(|p| p.published_at.as_str()).collect();
    assert_eq!(earlier, ["2024-05-01T10:00:00Z", "2024-05-01T20:30:00Z"]);
    let g = load_dir(&root).unwrap().geodata;
    let src = g.sources.iter().find(|s| s.name == "utc").unwrap();
    assert_eq!(src.time_zone, chrono_tz::UTC);
    assert_eq!(src.snapshots[0].published_at.map(|t| t.timestamp()), Some(C));
    // The source's time zone cannot be changed by an import.
    let e = import(
        Format::DeepstateApi,
        &files,
        &options("utc", &root, Some(chrono_tz::Europe::Kyiv)),
    )
    .unwrap_err();
    assert!(e.to_string().contains("counts its days in UTC"), "{e}");
}

/// A plain GeoJSON snapshot of 2024-05-01 whose occupied squares are publication B's, the
/// occupied-since-2022 square `grow` degrees wider.
fn plain_of_b(dir: &Path, grow: f64) -> PathBuf {
    let f = |coords: serde_json::Value| {
        json!({"type": "Feature", "properties": {"date": "2024-05-01", "status": "occupied"},
               "geometry": {"type": "Polygon", "coordinates": coords}})
    };
    let strip = |v: serde_json::Value| -> serde_json::Value {
        let ring: Vec<serde_json::Value> = v[0].as_array().unwrap().iter().map(|p| json!([p[0], p[1]])).collect();
        json!([ring])
    };
    let doc = json!({"type": "FeatureCollection", "features": [
        f(strip(square(37.0, 47.5, 0.3 + grow))),
        f(strip(square(37.05, 47.55, 0.5))),
        f(strip(square(33.8, 45.0, 0.3))),
    ]});
    let p = dir.join(format!("plain-{grow}.geojson"));
    std::fs::write(&p, doc.to_string()).unwrap();
    p
}

/// Sets the baselines in the `source.json` of each of `sources`.
fn set_baselines(root: &Path, sources: &[&str], baselines: &[&str]) {
    for s in sources {
        let path = root.join("sources").join(s).join("source.json");
        let mut config: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        config["baselines"] = json!(baselines);
        std::fs::write(&path, config.to_string()).unwrap();
    }
}

/// Adds the `crimea` baseline to the `source.json` of each of `sources`, as a new
/// `deepstate-api` source has (`Format::default_baselines`).
fn with_crimea(root: &Path, sources: &[&str]) {
    set_baselines(root, sources, &["crimea"]);
}

#[test]
fn two_readers_of_one_day_are_compared_within_half_a_percent() {
    use frontline::analytics::agreement::{agreement, same_days};
    let dir = tempfile::tempdir().unwrap();
    let root = common::copy_embedded_geodata(dir.path(), false);
    import(Format::DeepstateApi, &inputs(dir.path()), &options("ds", &root, None)).unwrap();
    let same = plain_of_b(dir.path(), 0.0);
    let wider = plain_of_b(dir.path(), 0.03);
    import(Format::Geojson, &[same], &options("daily", &root, None)).unwrap();
    import(Format::Geojson, &[wider], &options("wider", &root, None)).unwrap();
    // DeepState's own publications compose with the `crimea` baseline
    // (`Format::default_baselines`); two readers of one day are compared on their drawings
    // alone (the baseline, some 27,000 km2, would hide a 0.8 % difference of the drawings).
    set_baselines(&root, &["ds"], &[]);
    let cat = frontline::Catalog::load(&root).unwrap();
    // The one shared day, 2024-05-01: the same occupied area; a square 0.03 degrees wider
    // (about 0.8 % of the whole) is caught.
    let s = same_days(&cat, "ds", "daily", false).unwrap();
    assert_eq!(s.len(), 1);
    assert_eq!(s[0].date.to_string(), "2024-05-01");
    // The two importers write the day's polygons each on its own overlay grid (sub-millimetre
    // apart), which the layers keep (`coverage::overlay` keeps its inputs' vertices): 1.1e-8.
    assert!(s[0].relative < 1e-7, "{:?}", s[0]);
    let w = same_days(&cat, "ds", "wider", false).unwrap();
    assert!(w[0].relative > 0.005 && w[0].relative < 0.02, "{:?}", w[0]);
    // No shared day: an empty check.
    assert!(same_days(&cat, "daily", "example", false).unwrap().is_empty());

    // Agreement: agreed + disputed = envelope; agreed inside each; the grey zone only DeepState's.
    let names = vec!["ds".to_string(), "wider".to_string()];
    let d = frontline::model::parse_date("2024-05-01").unwrap();
    let ag = agreement(&cat, Some(&names), d, false).unwrap();
    let t = ag.occupied.totals;
    assert!((t.agreed_km2 + t.disputed_km2 - t.envelope_km2).abs() <= 1e-9 * t.envelope_km2);
    assert_eq!(ag.occupied.disputed.len(), 1);
    assert_eq!(ag.occupied.disputed[0].sources, ["wider"]);
    // wider draws no grey zone: the grey zone is compared among ds alone, wider named.
    let grey = ag.contested.as_ref().unwrap();
    assert_eq!(grey.sources, ["ds"]);
    assert!(grey.disputed.is_empty());
    assert!(grey.totals.agreed_km2 > 0.0);
    assert_eq!(ag.contested_not_drawn[0].source, "wider");
    let doc: serde_json::Value = serde_json::from_slice(&ag.geojson(6).unwrap()).unwrap();
    let parts: Vec<&str> = doc["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["properties"]["part"].as_str().unwrap())
        .collect();
    assert_eq!(parts, ["agreed", "disputed", "envelope", "agreed", "envelope"]);
    assert_eq!(doc["frontline"]["in_force"][1]["snapshot"]["id"], "wider:2024-05-01");
    // One source is not an agreement.
    assert!(agreement(&cat, Some(&names[..1]), d, false).is_err());
}

/// Both sources of the boundary tests: `ds` counts days in Kyiv time, `utc` in UTC, each with
/// publications A (10:00 UTC), B (20:30 UTC) and C (21:30 UTC, 00:30 Kyiv on 2 May).
fn two_time_zones() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = common::copy_embedded_geodata(dir.path(), false);
    let files = inputs(dir.path());
    import(Format::DeepstateApi, &files, &options("ds", &root, None)).unwrap();
    import(
        Format::DeepstateApi,
        &files,
        &options("utc", &root, Some(chrono_tz::UTC)),
    )
    .unwrap();
    (dir, root)
}

/// (37.25, 47.52) is occupied in B and C (squares of 0.3 and 0.4 degrees), covered in A (0.2);
/// (37.35, 47.52) only in C.
const IN_B: (f64, f64) = (37.25, 47.52);
const IN_C: (f64, f64) = (37.35, 47.52);

/// What `datetime`/`date` gives for each source at the day boundary: (source, parameter,
/// expected snapshot id, expected date, status at IN_B, status at IN_C).
const BOUNDARY: &[(&str, &str, &str, &str, &str, &str)] = &[
    // Kyiv: 1 May ends at 21:00 UTC.
    (
        "ds",
        "date=2024-05-01",
        "ds:2024-05-01",
        "2024-05-01",
        "occupied",
        "covered",
    ),
    (
        "ds",
        "datetime=2024-05-01T20:29:59Z",
        "ds:2024-05-01@2024-05-01T10:00:00Z",
        "2024-05-01",
        "covered",
        "covered",
    ),
    (
        "ds",
        "datetime=2024-05-01T13:00:00%2B03:00",
        "ds:2024-05-01@2024-05-01T10:00:00Z",
        "2024-05-01",
        "covered",
        "covered",
    ),
    (
        "ds",
        "datetime=2024-05-01T20:30:00Z",
        "ds:2024-05-01",
        "2024-05-01",
        "occupied",
        "covered",
    ),
    (
        "ds",
        "datetime=2024-05-01T20:59:59Z",
        "ds:2024-05-01",
        "2024-05-01",
        "occupied",
        "covered",
    ),
    // 00:00 Kyiv on 2 May, before C: still B, on the Kyiv date 2 May.
    (
        "ds",
        "datetime=2024-05-01T21:00:00Z",
        "ds:2024-05-01",
        "2024-05-02",
        "occupied",
        "covered",
    ),
    (
        "ds",
        "datetime=2024-05-01T21:30:00Z",
        "ds:2024-05-02",
        "2024-05-02",
        "occupied",
        "occupied",
    ),
    (
        "ds",
        "date=2024-05-02",
        "ds:2024-05-02",
        "2024-05-02",
        "occupied",
        "occupied",
    ),
    // UTC: all three are of 1 May; date=2024-05-01 is C, the last.
    (
        "utc",
        "date=2024-05-01",
        "utc:2024-05-01",
        "2024-05-01",
        "occupied",
        "occupied",
    ),
    (
        "utc",
        "datetime=2024-05-01T10:00:00Z",
        "utc:2024-05-01@2024-05-01T10:00:00Z",
        "2024-05-01",
        "covered",
        "covered",
    ),
    (
        "utc",
        "datetime=2024-05-01T21:29:59Z",
        "utc:2024-05-01@2024-05-01T20:30:00Z",
        "2024-05-01",
        "occupied",
        "covered",
    ),
    (
        "utc",
        "datetime=2024-05-01T23:59:59Z",
        "utc:2024-05-01",
        "2024-05-01",
        "occupied",
        "occupied",
    ),
    (
        "utc",
        "datetime=2024-05-02T00:00:00Z",
        "utc:2024-05-01",
        "2024-05-02",
        "occupied",
        "occupied",
    ),
];

#[test]
fn datetime_answers_as_published_at_the_day_boundary_in_both_time_zones_over_http() {
    let (_dir, root) = two_time_zones();
    let server = common::Server::spawn(&["--watch-s", "0", "--data", root.to_str().unwrap()], &[]);
    for &(source, when, id, date, at_b, at_c) in BOUNDARY {
        for ((lon, lat), want) in [(IN_B, at_b), (IN_C, at_c)] {
            let r = common::get(
                server.addr,
                &format!("/v1/coverage?lon={lon}&lat={lat}&source={source}&{when}"),
                "",
            );
            assert_eq!(r.status, 200, "{source} {when}: {}", r.text());
            let a = r.json();
            assert_eq!(a["snapshot"]["id"], id, "{source} {when}");
            assert_eq!(a["date"], date, "{source} {when}");
            assert_eq!(a["status"], want, "{source} {when} ({lon}, {lat})");
            let zone = if source == "ds" { "Europe/Kyiv" } else { "UTC" };
            assert_eq!(a["time_zone"], zone);
            assert_eq!(a.get("datetime").is_some(), when.starts_with("datetime"), "{a}");
            assert!(a["snapshot"]["published_at"].is_string());
        }
        // The layers and the one-date timeline row use the same publication.
        let l = common::get(server.addr, &format!("/v1/layers/occupied?source={source}&{when}"), "").json();
        assert_eq!(l["frontline"]["snapshot"]["id"], id, "layers {source} {when}");
        assert_eq!(
            l["frontline"]["time_zone"],
            if source == "ds" { "Europe/Kyiv" } else { "UTC" }
        );
        let t = common::get(server.addr, &format!("/v1/timeline?source={source}&{when}"), "").json();
        assert_eq!(t["rows"][0]["snapshot"], id, "timeline {source} {when}");
        assert_eq!(t["date"], date);
        let c = common::post(
            server.addr,
            &format!("/v1/classify?source={source}&{when}"),
            "text/csv",
            format!("id,lon,lat\nb,{},{}\nc,{},{}\n", IN_B.0, IN_B.1, IN_C.0, IN_C.1).as_bytes(),
        );
        assert_eq!(c.status, 200, "{}", c.text());
        assert_eq!(c.header("x-frontline-snapshot"), Some(id));
        assert!(
            c.text().contains(&format!("b,{},{},{at_b}", IN_B.0, IN_B.1)),
            "{}",
            c.text()
        );
    }
    // Before the first publication: a 404 naming it; date and datetime together: a 400.
    let r = common::get(
        server.addr,
        "/v1/coverage?lon=37.25&lat=47.52&source=ds&datetime=2024-05-01T09:59:59Z",
        "",
    );
    r.assert_problem(404, "first publication is of 2024-05-01T10:00:00Z");
    let r = common::get(
        server.addr,
        "/v1/coverage?lon=37.25&lat=47.52&source=ds&date=2024-05-01&datetime=2024-05-01T10:00:00Z",
        "",
    );
    r.assert_problem(400, "either date or datetime");
    let r = common::get(
        server.addr,
        "/v1/coverage?lon=37.25&lat=47.52&source=ds&datetime=2024-05-01",
        "",
    );
    r.assert_problem(400, "not an RFC 3339 instant");
}

#[test]
fn datetime_answers_as_published_at_the_day_boundary_in_both_time_zones_on_the_cli() {
    let (_dir, root) = two_time_zones();
    for &(source, when, id, date, at_b, _) in BOUNDARY {
        let (flag, value) = when.split_once('=').unwrap();
        let value = value.replace("%2B", "+");
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_frontline"))
            .args(["query", "--data", root.to_str().unwrap(), "--source", source])
            .args(["--lon", &IN_B.0.to_string(), "--lat", &IN_B.1.to_string()])
            .arg(format!("--{flag}"))
            .arg(&value)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let a: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(a["snapshot"]["id"], id, "{source} {when}");
        assert_eq!(a["date"], date);
        assert_eq!(a["status"], at_b);
        assert!(a["time_zone"].is_string());
    }
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_frontline"))
        .args(["query", "--data", root.to_str().unwrap(), "--source", "ds"])
        .args(["--lon", "37.25", "--lat", "47.52", "--datetime", "2024-05-01T09:59:59Z"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("first publication is of 2024-05-01T10:00:00Z"));
}

#[test]
fn agreement_over_http_partitions_the_envelope_and_names_the_sources() {
    let dir = tempfile::tempdir().unwrap();
    let root = common::copy_embedded_geodata(dir.path(), false);
    import(Format::DeepstateApi, &inputs(dir.path()), &options("ds", &root, None)).unwrap();
    let wider = plain_of_b(dir.path(), 0.03);
    import(Format::Geojson, &[wider], &options("wider", &root, None)).unwrap();
    with_crimea(&root, &["wider"]);
    let server = common::Server::spawn(&["--watch-s", "0", "--data", root.to_str().unwrap()], &[]);

    let r = common::get(server.addr, "/v1/agreement?date=2024-05-01&sources=ds,wider", "");
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("content-type"), Some("application/geo+json"));
    let doc = r.json();
    let fl = &doc["frontline"];
    for layer in ["occupied", "contested"] {
        let t = &fl[layer];
        let (a, d, e) = (
            t["agreed_km2"].as_f64().unwrap(),
            t["disputed_km2"].as_f64().unwrap(),
            t["envelope_km2"].as_f64().unwrap(),
        );
        assert!((a + d - e).abs() <= 1e-9 * e, "{layer}: {t}");
        let g = t["envelope_geometry_km2"].as_f64().unwrap();
        assert!((g - e).abs() <= 1e-9 * e, "{layer}: {t}");
    }
    assert_eq!(fl["occupied"]["disputed"][0]["sources"], json!(["wider"]));
    // wider draws no grey zone: the grey zone is compared among ds alone (see
    // grey_zone_agreement_compares_only_the_sources_that_draw_one).
    assert_eq!(fl["contested"]["sources"], json!(["ds"]));
    assert_eq!(fl["in_force"][0]["time_zone"], "Europe/Kyiv");
    let disputed: Vec<&serde_json::Value> = doc["features"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["properties"]["part"] == "disputed")
        .collect();
    assert_eq!(disputed[0]["properties"]["sources"], json!(["wider"]));
    assert!(
        disputed[0]["geometry"]["coordinates"]
            .as_array()
            .is_some_and(|c| !c.is_empty())
    );

    // The same for an earlier publication of the day (datetime): A, a smaller square.
    let early = common::get(
        server.addr,
        "/v1/agreement?datetime=2024-05-01T12:00:00Z&sources=ds,wider&summary=true",
        "",
    )
    .json();
    assert_eq!(
        early["in_force"][0]["snapshot"]["id"],
        "ds:2024-05-01@2024-05-01T10:00:00Z"
    );
    assert!(early["occupied"]["disputed_km2"].as_f64().unwrap() > fl["occupied"]["disputed_km2"].as_f64().unwrap());

    // The timeline of the disputed km2: JSON with the date where they differ most, and CSV.
    let t = common::get(server.addr, "/v1/agreement/timeline?sources=ds,wider", "").json();
    assert_eq!(t["rows"].as_array().unwrap().len(), 2, "{t}");
    assert!(t["most_disputed"]["date"].is_string());
    let csv = common::get(
        server.addr,
        "/v1/agreement/timeline?sources=ds,wider",
        "Accept: text/csv\r\n",
    );
    assert_eq!(csv.status, 200);
    let lines: Vec<String> = csv.text().lines().map(str::to_string).collect();
    assert!(
        lines[0].ends_with(
            "only_ds_km2,only_wider_km2,age_ds_days,age_wider_days,snapshot_ds,revised_ds,snapshot_wider,revised_wider"
        ),
        "{}",
        lines[0]
    );
    assert!(lines[1].starts_with("2024-05-01,"));
    assert!(
        lines[1].ends_with(",0,0,ds:2024-05-01,false,wider:2024-05-01,false"),
        "{}",
        lines[1]
    );
    // JSON rows name each source's snapshot: id, content hash, revised.
    let row = &t["rows"][0];
    assert_eq!(row["snapshots"][0]["source"], "ds", "{row}");
    assert_eq!(row["snapshots"][0]["id"], "ds:2024-05-01", "{row}");
    assert_eq!(row["snapshots"][0]["revised"], false, "{row}");
    assert_eq!(
        row["snapshots"][1]["content_sha256"].as_str().map(str::len),
        Some(64),
        "{row}"
    );

    // A point where they differ: every source's verdict and snapshot.
    let p = common::get(
        server.addr,
        "/v1/coverage?lon=37.31&lat=47.52&date=2024-05-01&sources=ds,wider",
        "",
    )
    .json();
    assert_eq!(p["agree"], false, "{p}");
    assert_eq!(p["statuses"]["occupied"], json!(["wider"]));
    assert_eq!(p["statuses"]["covered"], json!(["ds"]));
    let all = common::get(
        server.addr,
        "/v1/coverage?lon=37.31&lat=47.52&date=2024-05-01&sources=all",
        "",
    )
    .json();
    let p = all;
    let ids: Vec<&str> = p["answers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["snapshot"]["id"].as_str().unwrap())
        .collect();
    // The example (SYNTHETIC) is left out beside real sources, as in the agreement.
    assert_eq!(ids, ["ds:2024-05-01", "wider:2024-05-01"]);
    assert_eq!(p["left_out"][0]["source"], "example", "{p}");
    // Bad lists are 400s naming the parameter; one source is not an agreement.
    common::get(server.addr, "/v1/agreement?date=2024-05-01&sources=ds,", "").assert_problem(400, "comma-separated");
    common::get(server.addr, "/v1/agreement?date=2024-05-01&sources=ds", "").assert_problem(400, "at least two");
    common::get(server.addr, "/v1/agreement?date=2024-05-01&sources=ds,nope", "").assert_problem(404, "unknown source");
    // A source named twice is refused naming it, on every route that takes a list of sources.
    for route in [
        "/v1/agreement?date=2024-05-01&sources=ds,wider,ds",
        "/v1/agreement/timeline?sources=wider,ds,wider",
        "/v1/coverage?lon=37.31&lat=47.52&date=2024-05-01&sources=ds,ds",
    ] {
        let r = common::get(server.addr, route, "");
        r.assert_problem(400, "twice");
        assert!(r.text().contains("sources names '"), "{route}: {}", r.text());
    }
}

/// The publications of the monitor's case, each with the side of its occupied square: 1 May
/// (Kyiv) at 13:00, 23:30 and 23:59:59, 2 May at 00:00:00 and 00:30 (UTC: 10:00, 20:30,
/// 20:59:59, 21:00:00, 21:30; in UTC all five are of 1 May).
const MONITOR: &[(i64, f64)] = &[
    (A, 0.2),
    (B, 0.3),
    (1_714_597_199, 0.25),
    (1_714_597_200, 0.35),
    (C, 0.4),
];

/// What each question gives in Kyiv time: (parameter, the instant of the publication in force,
/// the answer's date).
const MONITOR_ANSWERS: &[(&str, &str, &str)] = &[
    ("date=2024-05-01", "2024-05-01T20:59:59Z", "2024-05-01"),
    ("datetime=2024-05-01T10:30:00Z", "2024-05-01T10:00:00Z", "2024-05-01"),
    ("datetime=2024-05-01T20:45:00Z", "2024-05-01T20:30:00Z", "2024-05-01"),
    ("datetime=2024-05-01T20:59:59Z", "2024-05-01T20:59:59Z", "2024-05-01"),
    ("datetime=2024-05-01T21:00:00Z", "2024-05-01T21:00:00Z", "2024-05-02"),
    ("datetime=2024-05-01T21:15:00Z", "2024-05-01T21:00:00Z", "2024-05-02"),
    ("date=2024-05-02", "2024-05-01T21:30:00Z", "2024-05-02"),
];

/// The same questions in UTC, where every publication is of 1 May.
const MONITOR_ANSWERS_UTC: &[(&str, &str, &str)] = &[
    ("date=2024-05-01", "2024-05-01T21:30:00Z", "2024-05-01"),
    ("datetime=2024-05-01T20:59:59Z", "2024-05-01T20:59:59Z", "2024-05-01"),
    ("datetime=2024-05-01T21:15:00Z", "2024-05-01T21:00:00Z", "2024-05-01"),
];

/// Asks `frontline query` each question of `answers` on the source `ds` of `root`.
fn cli_answers(root: &Path, answers: &[(&str, &str, &str)], context: &str) {
    for &(when, published_at, date) in answers {
        let (flag, value) = when.split_once('=').unwrap();
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_frontline"))
            .args(["query", "--data", root.to_str().unwrap(), "--source", "ds"])
            .args(["--lon", "37.1", "--lat", "47.52", &format!("--{flag}"), value])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{context} {when}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let a: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(a["snapshot"]["published_at"], published_at, "{context} {when}: {a}");
        assert_eq!(a["date"], date, "{context} {when}");
    }
}

fn import_cli(root: &Path, file: &Path, extra: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_frontline"))
        .args(["import", "deepstate-api", file.to_str().unwrap(), "--source", "ds"])
        .args(["--data", root.to_str().unwrap(), "--json"])
        .args(extra)
        .output()
        .unwrap()
}

/// The monitor's case on the command line: publications arrive one file at a time into an
/// existing geodata directory, in order, in reverse and shuffled, two on one day and at the
/// day boundary; every order gives the answers of one import of them all.
#[test]
fn publications_imported_one_at_a_time_in_any_order_answer_as_imported_together() {
    let dir = tempfile::tempdir().unwrap();
    let files: Vec<PathBuf> = MONITOR
        .iter()
        .map(|&(t, side)| publication(dir.path(), t, side))
        .collect();
    let all = tempfile::tempdir().unwrap();
    let root = common::copy_embedded_geodata(all.path(), false);
    let r = import(Format::DeepstateApi, &files, &options("ds", &root, None)).unwrap();
    assert!(r.rejected.is_empty(), "{r:?}");
    cli_answers(&root, MONITOR_ANSWERS, "all at once");
    for order in [[0, 1, 2, 3, 4], [4, 3, 2, 1, 0], [1, 4, 0, 3, 2]] {
        let tmp = tempfile::tempdir().unwrap();
        let root = common::copy_embedded_geodata(tmp.path(), false);
        for &i in &order {
            let out = import_cli(&root, &files[i], &[]);
            assert!(
                out.status.success(),
                "{order:?} file {i}: {}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        cli_answers(&root, MONITOR_ANSWERS, &format!("one at a time {order:?}"));
        // Again, one at a time: nothing changes.
        let out = import_cli(&root, &files[order[2]], &[]);
        let rep: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert!(out.status.success());
        assert_eq!(rep["added"].as_array().unwrap().len(), 0, "{rep}");
        assert_eq!(rep["rejected"].as_array().unwrap().len(), 0, "{rep}");
    }
    // Other content for an instant already imported: refused, then replaced with --replace.
    let other = tempfile::tempdir().unwrap();
    let changed = publication(other.path(), B, 0.45);
    let out = import_cli(&root, &changed, &[]);
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stdout));
    assert!(String::from_utf8_lossy(&out.stdout).contains("already holds the publication of 2024-05-01T20:30:00Z"));
    let out = import_cli(&root, &changed, &["--replace"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let rep: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rep["replaced"], json!(["2024-05-01"]), "{rep}");
    // The replaced publication answers within its day; the day's last is unchanged.
    cli_answers(&root, MONITOR_ANSWERS, "after the replacement");
    let g = load_dir(&root).unwrap().geodata;
    let src = g.sources.iter().find(|s| s.name == "ds").unwrap();
    let b = src
        .publications
        .iter()
        .find(|p| p.published_at.map(|t| t.timestamp()) == Some(B))
        .unwrap();
    let sides: Vec<f64> = b.features[1].geometry.0[0].exterior().0.iter().map(|c| c.x).collect();
    assert!(sides.iter().any(|x| (x - 37.45).abs() < 1e-6), "{sides:?}");
}

/// A source's time zone decides the day each publication counts for: changing it (in its
/// `source.json`, then over HTTP) re-dates every publication at the next load.
#[test]
fn changing_the_time_zone_re_dates_the_publications_at_the_boundary() {
    let dir = tempfile::tempdir().unwrap();
    let files: Vec<PathBuf> = MONITOR
        .iter()
        .map(|&(t, side)| publication(dir.path(), t, side))
        .collect();
    let root = common::copy_embedded_geodata(dir.path(), false);
    import(Format::DeepstateApi, &files, &options("ds", &root, None)).unwrap();
    cli_answers(&root, MONITOR_ANSWERS, "Kyiv");
    let config = root.join("sources/ds/source.json");
    let kyiv = std::fs::read_to_string(&config).unwrap();
    let mut c: serde_json::Value = serde_json::from_str(&kyiv).unwrap();
    c["time_zone"] = json!("UTC");
    std::fs::write(&config, c.to_string()).unwrap();
    cli_answers(&root, MONITOR_ANSWERS_UTC, "UTC in source.json");
    // 2 May has no publication in UTC: the last of 1 May is in force, a day old.
    cli_answers(
        &root,
        &[("date=2024-05-02", "2024-05-01T21:30:00Z", "2024-05-02")],
        "UTC in source.json",
    );

    // Over HTTP: back to Kyiv by PUT, then to UTC, each answered at once.
    std::fs::write(&config, &kyiv).unwrap();
    let token = dir.path().join("token");
    std::fs::write(&token, "publications-token-0123456789\n").unwrap();
    let server = common::Server::with_ingest(&root, &token);
    let ask = |when: &str| {
        let r = common::get(
            server.addr,
            &format!("/v1/coverage?lon=37.1&lat=47.52&source=ds&{when}"),
            "",
        );
        assert_eq!(r.status, 200, "{}", r.text());
        r.json()
    };
    for &(when, at, date) in MONITOR_ANSWERS {
        let a = ask(when);
        assert_eq!(
            (a["snapshot"]["published_at"].as_str(), a["date"].as_str()),
            (Some(at), Some(date)),
            "{when}"
        );
    }
    let put = |tz: &str| {
        let body = json!({"licence": "none stated", "attribution": "© DeepStateMap", "time_zone": tz});
        let r = common::request(
            server.addr,
            "PUT",
            "/v1/sources/ds",
            "Authorization: Bearer publications-token-0123456789\r\nContent-Type: application/json\r\n",
            body.to_string().as_bytes(),
        );
        assert_eq!(r.status, 200, "{}", r.text());
    };
    put("UTC");
    for &(when, at, date) in MONITOR_ANSWERS_UTC {
        let a = ask(when);
        assert_eq!(
            (a["snapshot"]["published_at"].as_str(), a["date"].as_str()),
            (Some(at), Some(date)),
            "UTC {when}"
        );
        assert_eq!(a["time_zone"], "UTC");
    }
    put("Europe/Kyiv");
    for &(when, at, date) in MONITOR_ANSWERS {
        let a = ask(when);
        assert_eq!(
            (a["snapshot"]["published_at"].as_str(), a["date"].as_str()),
            (Some(at), Some(date)),
            "Kyiv again {when}"
        );
    }
}

/// A canonical body of the monitor's publication `i`, published at its instant, for `date`.
fn ingest_body(i: usize, date: &str) -> Vec<u8> {
    let (t, side) = MONITOR[i];
    let at = chrono::DateTime::from_timestamp(t, 0)
        .unwrap()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let ring = square(37.0, 47.5, side)[0]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| json!([p[0], p[1]]))
        .collect::<Vec<_>>();
    json!({"type": "FeatureCollection",
           "frontline": {"published_at": at, "date": date},
           "features": [{"type": "Feature", "properties": {"status": "occupied"},
                         "geometry": {"type": "Polygon", "coordinates": [ring]}}]})
    .to_string()
    .into_bytes()
}

/// A server that ingests (token `publications-token-0123456789`) into a copy of the embedded
/// geodata, with the source `ds` described (Kyiv time): the temporary folder, the geodata
/// directory and the server.
fn server_with_source_ds() -> (tempfile::TempDir, PathBuf, common::Server) {
    let dir = tempfile::tempdir().unwrap();
    let root = common::copy_embedded_geodata(dir.path(), false);
    let token = dir.path().join("token");
    std::fs::write(&token, "publications-token-0123456789\n").unwrap();
    let server = common::Server::with_ingest(&root, &token);
    let body = json!({"licence": "none stated", "attribution": "© DeepStateMap", "time_zone": "Europe/Kyiv"});
    let r = common::request(
        server.addr,
        "PUT",
        "/v1/sources/ds",
        "Authorization: Bearer publications-token-0123456789\r\nContent-Type: application/json\r\n",
        body.to_string().as_bytes(),
    );
    assert_eq!(r.status, 201, "{}", r.text());
    (dir, root, server)
}

/// `POST /v1/snapshots?source=ds&date={date}{extra}` of publication `i` ([`ingest_body`]), with
/// the token of [`server_with_source_ds`].
fn post_publication(addr: std::net::SocketAddr, i: usize, date: &str, extra: &str) -> common::Reply {
    common::request(
        addr,
        "POST",
        &format!("/v1/snapshots?source=ds&date={date}{extra}"),
        "Authorization: Bearer publications-token-0123456789\r\nContent-Type: application/geo+json\r\n",
        &ingest_body(i, date),
    )
}

/// The monitor's case over HTTP: publications ingested one at a time, shuffled, two on a day and
/// at the day boundary, answer by their instants; an instant on another day than `date` is
/// refused naming it; the same instant again is unchanged, other content for it a 409 (200
/// with replace=true).
#[test]
fn publications_ingested_one_at_a_time_in_any_order_answer_by_their_instants() {
    let (_dir, root, server) = server_with_source_ds();
    let auth = "Authorization: Bearer publications-token-0123456789\r\n";
    let ingest = |i: usize, date: &str, extra: &str| post_publication(server.addr, i, date, extra);
    let dates = ["2024-05-01", "2024-05-01", "2024-05-01", "2024-05-02", "2024-05-02"];
    // The boundary: 20:59:59 UTC is 1 May in Kyiv, 21:00:00 UTC is 2 May.
    ingest(3, "2024-05-01", "").assert_problem(422, "is on 2024-05-02 in the source's time zone Europe/Kyiv");
    ingest(2, "2024-05-02", "").assert_problem(422, "is on 2024-05-01 in the source's time zone Europe/Kyiv");
    for i in [3, 1, 4, 0, 2] {
        let r = ingest(i, dates[i], "");
        assert_eq!(r.status, 201, "publication {i}: {}", r.text());
        // The 201 names the publication by the id of its answer, and that resource answers it.
        let id = r.json()["id"].as_str().unwrap().to_string();
        let at = r.header("location").unwrap().to_string();
        assert_eq!(at, format!("/v1/snapshots/{id}"), "{}", r.text());
        let one = common::get(server.addr, &at, "");
        assert_eq!(one.status, 200, "{at}: {}", one.text());
        let listed = one.json()["publications"].as_array().unwrap().clone();
        assert!(
            listed.iter().any(|p| p["id"] == id.as_str()) || one.json()["snapshot"]["id"] == id.as_str(),
            "{at}: {}",
            one.text()
        );
    }
    let ask = |when: &str| {
        let r = common::get(
            server.addr,
            &format!("/v1/coverage?lon=37.1&lat=47.52&source=ds&{when}"),
            "",
        );
        assert_eq!(r.status, 200, "{}", r.text());
        r.json()
    };
    for &(when, at, date) in MONITOR_ANSWERS {
        let a = ask(when);
        assert_eq!(
            (a["snapshot"]["published_at"].as_str(), a["date"].as_str()),
            (Some(at), Some(date)),
            "{when}: {a}"
        );
    }
    // (37.27, 47.52) is in the squares of 0.3 and more: B's state, not A's or E's.
    let status = |when: &str| {
        common::get(
            server.addr,
            &format!("/v1/coverage?lon=37.27&lat=47.52&source=ds&{when}"),
            "",
        )
        .json()["status"]
            .clone()
    };
    assert_eq!(status("datetime=2024-05-01T20:45:00Z"), "occupied");
    assert_eq!(status("date=2024-05-01"), "covered", "{}", ask("date=2024-05-01"));
    // The same again: unchanged; other content for the instant: 409, then replaced.
    let r = ingest(1, dates[1], "");
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(r.text().contains("unchanged"));
    let mut other = serde_json::from_slice::<serde_json::Value>(&ingest_body(1, dates[1])).unwrap();
    other["features"][0]["geometry"]["coordinates"][0][1][0] = json!(37.35);
    other["features"][0]["geometry"]["coordinates"][0][2][0] = json!(37.35);
    let post = |extra: &str| {
        common::request(
            server.addr,
            "POST",
            &format!("/v1/snapshots?source=ds&date=2024-05-01{extra}"),
            &format!("{auth}Content-Type: application/geo+json\r\n"),
            other.to_string().as_bytes(),
        )
    };
    post("").assert_problem(409, "already has the publication of 2024-05-01T20:30:00Z");
    let r = post("&replace=true");
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(status("datetime=2024-05-01T20:45:00Z"), "occupied");
    assert_eq!(status("datetime=2024-05-01T20:59:58Z"), "occupied");
    assert_eq!(status("datetime=2024-05-01T20:59:59Z"), "covered");
    // The store loads to the same answers after a restart.
    drop(server);
    let server = common::Server::spawn(&["--watch-s", "0", "--data", root.to_str().unwrap()], &[]);
    for &(when, at, date) in MONITOR_ANSWERS {
        let r = common::get(
            server.addr,
            &format!("/v1/coverage?lon=37.1&lat=47.52&source=ds&{when}"),
            "",
        );
        let a = r.json();
        assert_eq!(
            (a["snapshot"]["published_at"].as_str(), a["date"].as_str()),
            (Some(at), Some(date)),
            "restart {when}: {a}"
        );
    }
}

/// Whether an OpenAPI parameter's schema is (or offers) the given string format.
fn offers(schema: &serde_json::Value, format: &str) -> bool {
    schema["format"] == format
        || schema["anyOf"]
            .as_array()
            .is_some_and(|a| a.iter().any(|s| s["format"] == format))
}

/// Every route of the OpenAPI document that takes a date of a state (a `format: date`
/// parameter, in the query or the path; range bounds of a series excepted, marked
/// `x-frontline-range`) also takes an instant: the parameter itself accepts an RFC 3339 instant,
/// or a sibling `datetime` (for `date`) or `<name>_datetime` does, or (ingest) the body carries
/// it, as `x-frontline-instant-in-body` names. Then every such GET route is
/// asked with instants on a source with several publications a day: the publication in force at
/// each instant answers (its instant is in the answer), or, for a scenario preset (named by
/// day), an instant at which an earlier publication of the day was in force is a 422 naming it.
#[test]
fn every_route_that_takes_a_date_takes_an_instant() {
    let (_dir, root) = two_time_zones();
    let server = common::Server::spawn(&["--watch-s", "0", "--data", root.to_str().unwrap()], &[]);
    let doc = common::get(server.addr, "/openapi.json", "").json();
    let mut asked = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let params: Vec<&serde_json::Value> = op["parameters"]
                .as_array()
                .map(|a| a.iter().collect())
                .unwrap_or_default();
            let named = |n: &str| params.iter().find(|p| p["name"] == n).copied();
            let dated: Vec<&serde_json::Value> = params
                .iter()
                .copied()
                .filter(|p| offers(&p["schema"], "date") && p["schema"]["x-frontline-range"] != true)
                .collect();
            let mut instead = Vec::new();
            for p in &dated {
                let name = p["name"].as_str().unwrap();
                // A stored snapshot's date: a publication's instant is in the body.
                if p["schema"]["x-frontline-instant-in-body"].is_string() {
                    continue;
                }
                if offers(&p["schema"], "date-time") {
                    instead.push((name.to_string(), name.to_string(), p["in"] == "path"));
                    continue;
                }
                let sibling = if name == "date" {
                    "datetime".to_string()
                } else {
                    format!("{}_datetime", name.trim_end_matches("_date"))
                };
                let s = named(&sibling).unwrap_or_else(|| panic!("{method} {path}: {name} has no {sibling}"));
                assert!(offers(&s["schema"], "date-time"), "{method} {path}: {sibling}");
                instead.push((name.to_string(), sibling, false));
            }
            if instead.is_empty() || method != "get" {
                continue;
            }
            // Asked: 20:45 UTC (the last publication of 1 May in Kyiv, B) and 10:30 UTC (A,
            // superseded later its day).
            for (at, published) in [
                ("2024-05-01T20:45:00Z", "2024-05-01T20:30:00Z"),
                ("2024-05-01T10:30:00Z", "2024-05-01T10:00:00Z"),
            ] {
                let mut target = path.clone();
                let mut query = Vec::new();
                for (date, datetime, in_path) in &instead {
                    if *in_path {
                        target = target.replace(&format!("{{{date}}}"), at);
                    } else if named(date).is_some_and(|p| p["name"] == "memorandum_date") {
                        continue;
                    } else {
                        query.push(format!("{datetime}={at}"));
                    }
                }
                target = target.replace("{source}", "ds").replace("{layer}", "occupied");
                for p in params.iter().filter(|p| p["in"] == "query") {
                    match p["name"].as_str().unwrap() {
                        "source" => query.push("source=ds".into()),
                        "lon" => query.push("lon=37.25".into()),
                        "lat" => query.push("lat=47.52".into()),
                        _ => {}
                    }
                }
                if target.contains('{') {
                    continue;
                }
                let url = if query.is_empty() {
                    target.clone()
                } else {
                    format!("{target}?{}", query.join("&"))
                };
                let r = common::get(server.addr, &url, "");
                asked += 1;
                if path.contains("presets") && published.ends_with("10:00:00Z") {
                    r.assert_problem(422, "superseded later that day");
                    continue;
                }
                assert_eq!(r.status, 200, "{url}: {}", r.text());
                // A scenario document names its ceasefire by day (the day's last publication).
                let published = if path.contains("presets") {
                    "\"ceasefire_date\":\"2024-05-01\""
                } else {
                    published
                };
                // Its instant (in the snapshot's published_at or an earlier publication's id),
                // or the id of the day's snapshot where an answer names only ids (timeline).
                let id = if published.ends_with("20:30:00Z") {
                    "\"ds:2024-05-01\""
                } else {
                    "\"ds:2024-05-01@2024-05-01T10:00:00Z\""
                };
                assert!(
                    r.text().contains(published) || r.text().contains(id),
                    "{url} does not name {published}: {}",
                    r.text()
                );
            }
        }
    }
    // coverage, layers x4, timeline, agreement (one source: refused below), diff, presets,
    // two TileJSONs: every one asked twice.
    assert!(asked >= 16, "{asked}");
}

/// By default (no list, or `all`) agreement leaves the SYNTHETIC example source out and says so;
/// named with real sources, it is compared, and the answer warns (the mix, and its snapshot two
/// months old) in `warnings` and `x-frontline-warning`; the timeline gives each source's
/// snapshot age (CSV: `age_<source>_days`) and no `most_disputed` for the mix, with why.
#[test]
fn agreement_leaves_synthetic_sources_out_by_default_and_warns_when_they_are_mixed_in() {
    let dir = tempfile::tempdir().unwrap();
    let root = common::copy_embedded_geodata(dir.path(), false);
    import(Format::DeepstateApi, &inputs(dir.path()), &options("ds", &root, None)).unwrap();
    let wider = plain_of_b(dir.path(), 0.03);
    import(Format::Geojson, &[wider], &options("wider", &root, None)).unwrap();
    with_crimea(&root, &["wider"]);
    let server = common::Server::spawn(&["--watch-s", "0", "--data", root.to_str().unwrap()], &[]);

    for list in ["", "&sources=all"] {
        let r = common::get(
            server.addr,
            &format!("/v1/agreement?date=2024-05-01&summary=true{list}"),
            "",
        );
        assert_eq!(r.status, 200, "{}", r.text());
        let doc = r.json();
        assert_eq!(doc["sources"], json!(["ds", "wider"]), "{doc}");
        assert_eq!(doc["left_out"][0]["source"], "example", "{doc}");
        assert!(
            doc["left_out"][0]["reason"].as_str().unwrap().contains("SYNTHETIC"),
            "{doc}"
        );
        assert_eq!(doc["warnings"], json!([]), "{doc}");
        assert_eq!(doc["synthetic"], false);
        assert_eq!(r.header("x-frontline-warning"), None);
    }
    // Named: compared, with warnings in the body and the header.
    let r = common::get(server.addr, "/v1/agreement?date=2024-05-01&sources=ds,example", "");
    assert_eq!(r.status, 200, "{}", r.text());
    let doc = r.json();
    let warnings: Vec<&str> = doc["frontline"]["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap())
        .collect();
    assert_eq!(warnings.len(), 2, "{warnings:?}");
    assert!(
        warnings[0].starts_with("example: the snapshot in force on 2024-05-01 is 61 days old"),
        "{warnings:?}"
    );
    assert!(
        warnings[1].starts_with("SYNTHETIC data (example) is compared with real data (ds)"),
        "{warnings:?}"
    );
    assert_eq!(doc["frontline"]["left_out"], json!([]));
    let header = r.header("x-frontline-warning").expect("the warning header");
    assert!(
        header.contains("61 days old") && header.contains("SYNTHETIC"),
        "{header}"
    );

    // The timeline: ages per source, and no most disputed date for a mix, with why.
    let t = common::get(server.addr, "/v1/agreement/timeline?sources=ds,example", "");
    assert!(t.header("x-frontline-warning").is_some_and(|w| w.contains("SYNTHETIC")));
    let t = t.json();
    assert_eq!(t["most_disputed"], serde_json::Value::Null, "{t}");
    assert!(
        t["most_disputed_reason"]
            .as_str()
            .unwrap()
            .starts_with("not comparable: SYNTHETIC"),
        "{t}"
    );
    assert_eq!(t["rows"][0]["date"], "2024-05-01", "{t}");
    assert_eq!(t["rows"][0]["snapshot_age_days"], json!([0, 61]), "{t}");
    let csv = common::get(
        server.addr,
        "/v1/agreement/timeline?sources=ds,example",
        "Accept: text/csv\r\n",
    );
    let lines: Vec<String> = csv.text().lines().map(str::to_string).collect();
    assert!(
        lines[0].ends_with(",age_ds_days,age_example_days,snapshot_ds,revised_ds,snapshot_example,revised_example"),
        "{}",
        lines[0]
    );
    assert!(
        lines[1].starts_with("2024-05-01,") && lines[1].contains(",0,61,ds:2024-05-01,false,example:"),
        "{}",
        lines[1]
    );
    // The default timeline leaves the example out too, and names the date most disputed.
    let t = common::get(server.addr, "/v1/agreement/timeline", "").json();
    assert_eq!(t["sources"], json!(["ds", "wider"]), "{t}");
    assert_eq!(t["left_out"][0]["source"], "example");
    assert!(t["most_disputed"]["date"].is_string(), "{t}");
    assert_eq!(t["warnings"], json!([]));
    // Before the real sources begin, only the example covers: a date too few cover (404, as
    // before a source's first snapshot), naming what was left out and why.
    let r = common::get(server.addr, "/v1/agreement?date=2024-04-01&summary=true", "");
    r.assert_problem(404, "0 real source(s) cover 2024-04-01");
    assert!(r.text().contains("example (SYNTHETIC"), "{}", r.text());

    // Point answers follow the same rule: sources=all leaves the example out, says so in
    // left_out with the reason, and gives the real sources' verdicts only ...
    let at = "/v1/coverage?lon=37.31&lat=47.52&date=2024-05-01";
    // The sources that answered, by their snapshots' ids.
    let answered_by = |p: &serde_json::Value| -> Vec<String> {
        p["answers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| {
                a["snapshot"]["id"]
                    .as_str()
                    .unwrap()
                    .split(':')
                    .next()
                    .unwrap()
                    .to_string()
            })
            .collect()
    };
    let p = common::get(server.addr, &format!("{at}&sources=all"), "").json();
    let answered = answered_by(&p);
    assert_eq!(answered, ["ds", "wider"], "{p}");
    assert_eq!(p["left_out"].as_array().map(Vec::len), Some(1), "{p}");
    assert_eq!(p["left_out"][0]["source"], "example", "{p}");
    assert!(
        p["left_out"][0]["reason"].as_str().unwrap().contains("SYNTHETIC"),
        "{p}"
    );
    assert!(!p["statuses"].to_string().contains("example"), "{p}");
    // ... named, the example answers and nothing is left out ...
    let p = common::get(server.addr, &format!("{at}&sources=ds,example"), "").json();
    let answered = answered_by(&p);
    assert_eq!(answered, ["ds", "example"], "{p}");
    assert_eq!(p["left_out"], json!([]), "{p}");
    // ... and on a date no real source covers, the refusal names what was left out.
    let r = common::get(
        server.addr,
        "/v1/coverage?lon=37.31&lat=47.52&date=2024-04-01&sources=all",
        "",
    );
    r.assert_problem(404, "no source among ds, wider covers the date asked");
    assert!(r.text().contains("left out: example (SYNTHETIC"), "{}", r.text());
}

/// Where the SYNTHETIC example is the only source, `sources=all` on a point keeps it (nothing
/// real to prefer): its verdict is given and nothing is left out.
#[test]
fn point_answers_keep_synthetic_sources_when_they_are_the_only_ones() {
    let dir = tempfile::tempdir().unwrap();
    let root = common::copy_embedded_geodata(dir.path(), false);
    let server = common::Server::spawn(&["--watch-s", "0", "--data", root.to_str().unwrap()], &[]);
    let r = common::get(
        server.addr,
        "/v1/coverage?lon=37.31&lat=47.52&date=2024-05-01&sources=all",
        "",
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let p = r.json();
    assert_eq!(p["answers"][0]["snapshot"]["id"], "example:2024-03-01", "{p}");
    assert_eq!(p["answers"].as_array().map(Vec::len), Some(1), "{p}");
    assert_eq!(p["left_out"], json!([]), "{p}");
}

/// A publication of DeepState's own format with an occupied square of `side`, written as `name`,
/// with `published_at` in the document where given.
fn named_publication(dir: &Path, name: &str, published_at: Option<&str>, side: f64) -> PathBuf {
    let mut doc = json!({"type": "FeatureCollection", "features": [
        area("Окуповано /// Occupied", "#a52714", square(37.0, 47.5, side)),
    ]});
    if let Some(at) = published_at {
        doc["published_at"] = json!(at);
    }
    let p = dir.join(name);
    std::fs::write(&p, doc.to_string()).unwrap();
    p
}

fn instant(s: &str) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339(s).unwrap().to_utc()
}

/// Issue 13 (fresh tester): two publications in the same second were written to one file
/// (`YYYYMMDDTHHMMSSZ.geojson`), the later over the earlier. Now every publication keeps its
/// own file: named to the fraction of a second its instant gives, and, for two contents of one
/// instant (file names of one second, no finer instant), by its content too. `date=D` is the
/// last of D in Kyiv time, the greater content hash for equal instants (the tie rule), and
/// importing again changes nothing.
#[test]
fn publications_of_one_second_are_never_written_over_each_other() {
    let dir = tempfile::tempdir().unwrap();
    let root = common::copy_embedded_geodata(dir.path(), false);
    let inputs = tempfile::tempdir().unwrap();
    let files = vec![
        // 10:00:00.250 and .750 UTC: one second, two instants.
        named_publication(
            inputs.path(),
            "1714557600.geojson",
            Some("2024-05-01T10:00:00.250Z"),
            0.2,
        ),
        named_publication(inputs.path(), "1714557600.json", Some("2024-05-01T10:00:00.750Z"), 0.25),
        // 20:30:00 UTC (23:30 Kyiv, the day's last) twice, by file names alone: one instant,
        // two contents.
        named_publication(inputs.path(), "1714595400.geojson", None, 0.3),
        named_publication(inputs.path(), "1714595400.json", None, 0.4),
    ];
    let r = import(Format::DeepstateApi, &files, &options("ds", &root, None)).unwrap();
    assert!(r.rejected.is_empty(), "{:?}", r.rejected);
    assert_eq!(r.added.len() + r.earlier_publications.len(), 4, "{r:?}");
    let pubs = root.join("sources/ds/publications");
    let mut names: Vec<String> = std::fs::read_dir(&pubs)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names.len(), 4, "{names:?}");
    assert_eq!(names[0], "20240501T100000.250Z.geojson");
    assert_eq!(names[1], "20240501T100000.750Z.geojson");
    let g = load_dir(&root).unwrap().geodata;
    let src = g.sources.iter().find(|s| s.name == "ds").unwrap();
    let mut twins: Vec<&frontline::geodata::Snapshot> = src
        .snapshots
        .iter()
        .chain(&src.publications)
        .filter(|s| s.published_at == Some(instant("2024-05-01T20:30:00Z")))
        .collect();
    twins.sort_by(|a, b| a.content_sha256.cmp(&b.content_sha256));
    assert_eq!(twins.len(), 2);
    for (t, name) in twins.iter().zip(&names[2..]) {
        assert_eq!(*name, format!("20240501T203000Z-{}.geojson", &t.content_sha256[..12]));
    }
    // date=D: the day's last instant, of its two contents the greater hash.
    let catalog = frontline::catalog::Catalog::load(&root).unwrap();
    let day = frontline::model::parse_date("2024-05-01").unwrap();
    let f = catalog.in_force(Some("ds"), day).unwrap();
    assert_eq!(f.snapshot().content_sha256, twins[1].content_sha256);
    // datetime=: each instant of the second answers its own publication; the twins' instant
    // the greater hash.
    let at = |t: &str| {
        let (f, _) = catalog
            .resolve(Some("ds"), frontline::model::When::Instant(instant(t)))
            .unwrap();
        (f.snapshot().published_at.unwrap(), f.snapshot().content_sha256.clone())
    };
    assert_eq!(at("2024-05-01T10:00:00.5Z").0, instant("2024-05-01T10:00:00.250Z"));
    assert_eq!(at("2024-05-01T10:00:00.75Z").0, instant("2024-05-01T10:00:00.750Z"));
    assert_eq!(at("2024-05-01T20:30:00Z").1, twins[1].content_sha256);
    // Again: nothing changes, not a byte; in another order neither.
    let before: Vec<(PathBuf, Vec<u8>)> = names
        .iter()
        .map(|n| (pubs.join(n), std::fs::read(pubs.join(n)).unwrap()))
        .collect();
    let mut reversed = files.clone();
    reversed.reverse();
    for again in [&files, &reversed] {
        let r = import(Format::DeepstateApi, again, &options("ds", &root, None)).unwrap();
        assert!(
            r.added.is_empty() && r.rejected.is_empty() && r.replaced.is_empty(),
            "{r:?}"
        );
        let now: Vec<(PathBuf, Vec<u8>)> = names
            .iter()
            .map(|n| (pubs.join(n), std::fs::read(pubs.join(n)).unwrap()))
            .collect();
        assert_eq!(now, before);
        assert_eq!(std::fs::read_dir(&pubs).unwrap().count(), 4);
    }
    // Imported in the other order into a new store: the same files, byte for byte.
    let other = tempfile::tempdir().unwrap();
    let root2 = common::copy_embedded_geodata(other.path(), false);
    let r = import(Format::DeepstateApi, &reversed, &options("ds", &root2, None)).unwrap();
    assert!(r.rejected.is_empty(), "{:?}", r.rejected);
    let pubs2 = root2.join("sources/ds/publications");
    for (path, bytes) in &before {
        let name = path.file_name().unwrap();
        let theirs = std::fs::read(pubs2.join(name)).unwrap();
        // The stored provenance names the input file, which differs for the same instant;
        // the content does not.
        let content = |b: &[u8]| serde_json::from_slice::<serde_json::Value>(b).unwrap()["features"].clone();
        assert_eq!(content(&theirs), content(bytes), "{name:?}");
    }
    // A third content for an instant the store holds is a revision: refused without --replace,
    // never written over the others.
    let later = tempfile::tempdir().unwrap();
    let third = named_publication(later.path(), "1714595400.geojson", None, 0.45);
    let r = import(Format::DeepstateApi, &[third], &options("ds", &root, None)).unwrap();
    assert_eq!(r.rejected.len(), 1, "{r:?}");
    assert_eq!(r.rejected[0].kinds, [frontline::import::RejectionKind::SnapshotExists]);
    assert_eq!(std::fs::read_dir(&pubs).unwrap().count(), 4);
}

/// Issue 13 (fresh tester): over HTTP too, two publications of one second are two files, and
/// each answers `datetime=` at its instant.
#[test]
fn publications_ingested_within_one_second_are_both_kept() {
    let (_dir, root, server) = server_with_source_ds();
    let auth = "Authorization: Bearer publications-token-0123456789\r\n";
    let post = |at: &str, east: f64| {
        let body = json!({"type": "FeatureCollection",
            "frontline": {"published_at": at, "date": "2024-05-01"},
            "features": [{"type": "Feature", "properties": {"status": "occupied"},
                "geometry": {"type": "Polygon", "coordinates": [[[37.0, 47.5], [east, 47.5], [east, 47.7], [37.0, 47.7], [37.0, 47.5]]]}}]});
        common::request(
            server.addr,
            "POST",
            "/v1/snapshots?source=ds&date=2024-05-01",
            &format!("{auth}Content-Type: application/geo+json\r\n"),
            body.to_string().as_bytes(),
        )
    };
    let r = post("2024-05-01T10:00:00.250Z", 37.2);
    assert_eq!(r.status, 201, "{}", r.text());
    let r = post("2024-05-01T10:00:00.750Z", 37.4);
    assert_eq!(r.status, 201, "{}", r.text());
    let pubs = root.join("sources/ds/publications");
    assert!(pubs.join("20240501T100000.250Z.geojson").is_file());
    assert!(pubs.join("20240501T100000.750Z.geojson").is_file());
    // (37.3, 47.6) is in the second square only.
    let status = |when: &str| {
        let r = common::get(
            server.addr,
            &format!("/v1/coverage?lon=37.3&lat=47.6&source=ds&{when}"),
            "",
        );
        assert_eq!(r.status, 200, "{}", r.text());
        r.json()
    };
    let a = status("datetime=2024-05-01T10:00:00.5Z");
    assert_eq!(a["status"], "covered", "{a}");
    assert_eq!(a["snapshot"]["published_at"], "2024-05-01T10:00:00.250Z", "{a}");
    let a = status("datetime=2024-05-01T10:00:00.8Z");
    assert_eq!(a["status"], "occupied", "{a}");
    assert_eq!(status("date=2024-05-01")["status"], "occupied");
    // After a restart, the same: both were stored.
    drop(server);
    let server = common::Server::spawn(&["--watch-s", "0", "--data", root.to_str().unwrap()], &[]);
    let r = common::get(
        server.addr,
        "/v1/coverage?lon=37.3&lat=47.6&source=ds&datetime=2024-05-01T10:00:00.5Z",
        "",
    );
    assert_eq!(r.json()["status"], "covered", "{}", r.text());
}

/// Issue 13 (fresh tester, F3): the ingest answer names a publication as the answers that use
/// it do: `source:date` while it is its day's last, `source:date@instant` once (or when) a later
/// publication of its day is stored, with its `published_at`; the same id as `datetime=` gives.
#[test]
fn an_ingested_publication_earlier_in_its_day_is_named_by_its_instant() {
    let (_dir, _root, server) = server_with_source_ds();
    let ingest = |i: usize| {
        let r = post_publication(server.addr, i, "2024-05-01", "");
        assert!(r.status == 201 || r.status == 200, "publication {i}: {}", r.text());
        r.json()
    };
    let named = |a: &serde_json::Value| (a["id"].as_str().unwrap().to_string(), a["published_at"].clone());
    // 10:00 alone: the day's snapshot.
    assert_eq!(
        named(&ingest(0)),
        ("ds:2024-05-01".to_string(), json!("2024-05-01T10:00:00Z"))
    );
    // 20:59:59, the day's last.
    assert_eq!(
        named(&ingest(2)),
        ("ds:2024-05-01".to_string(), json!("2024-05-01T20:59:59Z"))
    );
    // 20:30, earlier than the day's last: named by its instant, not the day's id.
    assert_eq!(
        named(&ingest(1)),
        (
            "ds:2024-05-01@2024-05-01T20:30:00Z".to_string(),
            json!("2024-05-01T20:30:00Z")
        )
    );
    // 10:00 again (unchanged): superseded now, named by its instant.
    let again = ingest(0);
    assert!(again["state"].as_str().unwrap().starts_with("unchanged"), "{again}");
    assert_eq!(again["id"], "ds:2024-05-01@2024-05-01T10:00:00Z");
    // The same id as the answers that use it.
    let r = common::get(
        server.addr,
        "/v1/coverage?lon=37.1&lat=47.52&source=ds&datetime=2024-05-01T20:45:00Z",
        "",
    );
    assert_eq!(
        r.json()["snapshot"]["id"],
        "ds:2024-05-01@2024-05-01T20:30:00Z",
        "{}",
        r.text()
    );
}

/// Issue 13 (fresh tester, F4): `GET /v1/snapshots` lists every publication (id, instant,
/// content hash, whether it is the one in force for its day), not only each day's last.
#[test]
fn snapshots_list_every_publication_and_which_one_is_in_force_for_its_day() {
    let (_dir, _root, server) = server_with_source_ds();
    let dates = ["2024-05-01", "2024-05-01", "2024-05-01", "2024-05-02", "2024-05-02"];
    let mut hashes = Vec::new();
    for i in [4, 2, 0, 3, 1] {
        let r = post_publication(server.addr, i, dates[i], "");
        assert_eq!(r.status, 201, "publication {i}: {}", r.text());
        hashes.push((i, r.json()["content_sha256"].as_str().unwrap().to_string()));
    }
    let r = common::get(server.addr, "/v1/snapshots?source=ds", "");
    assert_eq!(r.status, 200, "{}", r.text());
    let a = r.json();
    // One summary per day's snapshot, as before.
    assert_eq!(a["snapshots"].as_array().unwrap().len(), 2, "{a}");
    let listed: Vec<(String, String, bool)> = a["publications"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            assert_eq!(p["source"], "ds");
            (
                p["id"].as_str().unwrap().to_string(),
                p["published_at"].as_str().unwrap().to_string(),
                p["in_force_for_day"].as_bool().unwrap(),
            )
        })
        .collect();
    let want = [
        ("ds:2024-05-01@2024-05-01T10:00:00Z", "2024-05-01T10:00:00Z", false),
        ("ds:2024-05-01@2024-05-01T20:30:00Z", "2024-05-01T20:30:00Z", false),
        ("ds:2024-05-01", "2024-05-01T20:59:59Z", true),
        ("ds:2024-05-02@2024-05-01T21:00:00Z", "2024-05-01T21:00:00Z", false),
        ("ds:2024-05-02", "2024-05-01T21:30:00Z", true),
    ];
    let want: Vec<(String, String, bool)> = want
        .iter()
        .map(|(id, at, day)| (id.to_string(), at.to_string(), *day))
        .collect();
    assert_eq!(listed, want);
    // Each with the content hash the ingest answered.
    for (k, p) in a["publications"].as_array().unwrap().iter().enumerate() {
        let (_, h) = hashes.iter().find(|(i, _)| *i == k).unwrap();
        assert_eq!(p["content_sha256"].as_str(), Some(h.as_str()), "{p}");
        assert_eq!(p["date"], dates[k]);
    }
    // Every id is the one `datetime=` answers with at its instant.
    for (id, at, _) in &listed {
        let r = common::get(
            server.addr,
            &format!("/v1/coverage?lon=37.1&lat=47.52&source=ds&datetime={at}"),
            "",
        );
        assert_eq!(r.json()["snapshot"]["id"].as_str(), Some(id.as_str()), "{at}");
    }
}

/// Issue 13 (fresh tester, F6): a date or an instant before a source's first publication is one
/// 404 problem, worded alike on every route and on the command line, naming the first
/// publication's instant.
#[test]
fn before_the_first_publication_is_one_404_naming_its_instant() {
    let (_dir, root, server) = server_with_source_ds();
    for i in [0, 1] {
        let r = post_publication(server.addr, i, "2024-05-01", "");
        assert_eq!(r.status, 201, "{}", r.text());
    }
    let on_date = "no snapshot of source 'ds' in force on 2024-04-30: its first publication is of 2024-05-01T10:00:00Z";
    let at =
        "no snapshot of source 'ds' in force at 2024-05-01T09:00:00Z: its first publication is of 2024-05-01T10:00:00Z";
    for (target, want) in [
        ("/v1/coverage?lon=37.1&lat=47.52&source=ds&date=2024-04-30", on_date),
        (
            "/v1/coverage?lon=37.1&lat=47.52&source=ds&datetime=2024-05-01T09:00:00Z",
            at,
        ),
        ("/v1/layers/occupied?source=ds&date=2024-04-30", on_date),
        ("/v1/layers/occupied?source=ds&datetime=2024-05-01T09:00:00Z", at),
        ("/v1/timeline?source=ds&date=2024-04-30", on_date),
        ("/v1/diff?source=ds&from=2024-04-30&to=2024-05-01", on_date),
    ] {
        let r = common::get(server.addr, target, "");
        r.assert_problem(404, want);
        assert_eq!(r.json()["detail"], want, "{target}");
        assert_eq!(
            r.json()["type"].as_str().map(|t| t.ends_with("before-first-snapshot")),
            Some(true),
            "{target}: {}",
            r.text()
        );
    }
    // The command line says the same.
    for (flag, value, want) in [
        ("--date", "2024-04-30", on_date),
        ("--datetime", "2024-05-01T09:00:00Z", at),
    ] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_frontline"))
            .args(["query", "--data", root.to_str().unwrap(), "--source", "ds"])
            .args(["--lon", "37.1", "--lat", "47.52", flag, value])
            .output()
            .unwrap();
        assert!(!out.status.success());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(want), "{flag}: {stderr}");
    }
}

/// ds (DeepState's format, with a grey zone), and wider and narrow (plain GeoJSON, occupied
/// only: no grey zone), all with the Crimea baseline, and a server on them.
fn grey_and_plain_sources() -> (tempfile::TempDir, PathBuf, common::Server) {
    let dir = tempfile::tempdir().unwrap();
    let root = common::copy_embedded_geodata(dir.path(), false);
    import(Format::DeepstateApi, &inputs(dir.path()), &options("ds", &root, None)).unwrap();
    import(
        Format::Geojson,
        &[plain_of_b(dir.path(), 0.03)],
        &options("wider", &root, None),
    )
    .unwrap();
    import(
        Format::Geojson,
        &[plain_of_b(dir.path(), 0.01)],
        &options("narrow", &root, None),
    )
    .unwrap();
    with_crimea(&root, &["wider", "narrow"]);
    let server = common::Server::spawn(&["--watch-s", "0", "--data", root.to_str().unwrap()], &[]);
    (dir, root, server)
}

/// Issue 13 (fresh tester, F7): the grey zone's agreement was computed over every source
/// compared, those that draw no grey zone included, so that ds's whole grey zone was
/// "disputed" against a source that says nothing about it, and two sources without one
/// "agreed" on 0 km2. Now it compares the sources that draw one, names them per layer and the
/// others with why, and where none draws one its figures are null with the reason: in the
/// summary, the GeoJSON answer, the timeline (JSON null, empty CSV cells) and the CLI.
#[test]
fn grey_zone_agreement_compares_only_the_sources_that_draw_one() {
    let (_dir, root, server) = grey_and_plain_sources();
    // One source draws a grey zone: compared alone on it, the other named with why.
    let doc = common::get(server.addr, "/v1/agreement?date=2024-05-01&sources=ds,wider", "").json();
    let fl = &doc["frontline"];
    assert_eq!(fl["occupied"]["sources"], json!(["ds", "wider"]), "{fl}");
    let c = &fl["contested"];
    assert_eq!(c["sources"], json!(["ds"]), "{c}");
    assert_eq!(c["not_drawn"][0]["source"], "wider", "{c}");
    assert!(
        c["not_drawn"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("draws no contested (grey) zone"),
        "{c}"
    );
    assert_eq!(c["disputed_km2"].as_f64(), Some(0.0), "{c}");
    assert_eq!(c["disputed"], json!([]), "{c}");
    let (agreed, envelope) = (c["agreed_km2"].as_f64().unwrap(), c["envelope_km2"].as_f64().unwrap());
    assert!(agreed > 0.0 && (agreed - envelope).abs() <= 1e-9 * envelope, "{c}");
    assert!(c.get("reason").is_none(), "{c}");
    let grey: Vec<&serde_json::Value> = doc["features"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["properties"]["layer"] == "contested")
        .map(|f| &f["properties"])
        .collect();
    assert_eq!(grey.len(), 2, "agreed and envelope: {grey:?}");
    assert!(grey.iter().all(|p| p["sources"] == json!(["ds"])), "{grey:?}");

    // No source draws one: unknown (null, with why), never 0; no grey-zone feature.
    let summary = common::get(
        server.addr,
        "/v1/agreement?date=2024-05-01&sources=wider,narrow&summary=true",
        "",
    );
    assert_eq!(summary.status, 200, "{}", summary.text());
    let c = &summary.json()["contested"];
    for k in ["agreed_km2", "disputed_km2", "envelope_km2", "envelope_geometry_km2"] {
        assert!(c[k].is_null(), "{k}: {c}");
    }
    assert_eq!(c["sources"], json!([]), "{c}");
    assert!(
        c["reason"]
            .as_str()
            .unwrap()
            .contains("no source compared draws a grey zone"),
        "{c}"
    );
    assert_eq!(c["not_drawn"].as_array().map(Vec::len), Some(2), "{c}");
    let doc = common::get(server.addr, "/v1/agreement?date=2024-05-01&sources=wider,narrow", "").json();
    assert!(
        doc["frontline"]["contested"]["agreed_km2"].is_null(),
        "{}",
        doc["frontline"]
    );
    assert!(
        doc["features"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["properties"]["layer"] == "occupied"),
        "{doc}"
    );

    // The timeline: null in JSON with the sources compared per row, empty cells in CSV.
    let t = common::get(server.addr, "/v1/agreement/timeline?sources=wider,narrow", "").json();
    assert!(t["rows"][0]["contested"].is_null(), "{t}");
    assert_eq!(t["rows"][0]["contested_sources"], json!([]), "{t}");
    assert_eq!(t["contested_not_drawn"][0]["source"], "wider", "{t}");
    let t = common::get(server.addr, "/v1/agreement/timeline?sources=ds,wider", "").json();
    assert_eq!(t["rows"][0]["contested_sources"], json!(["ds"]), "{t}");
    assert_eq!(t["rows"][0]["contested"]["disputed_km2"].as_f64(), Some(0.0), "{t}");
    let csv = common::get(
        server.addr,
        "/v1/agreement/timeline?sources=wider,narrow",
        "Accept: text/csv\r\n",
    )
    .text();
    let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    let row: Vec<&str> = csv.lines().nth(1).unwrap().split(',').collect();
    for k in [
        "contested_agreed_km2",
        "contested_disputed_km2",
        "contested_envelope_km2",
    ] {
        let i = header.iter().position(|h| *h == k).unwrap();
        assert_eq!(row[i], "", "{k}: {csv}");
    }
    let i = header.iter().position(|h| *h == "occupied_agreed_km2").unwrap();
    assert!(row[i].parse::<f64>().unwrap() > 0.0, "{csv}");

    // The CLI: the same summary, and notes on standard error.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_frontline"))
        .args(["agreement", "--data", root.to_str().unwrap(), "--date", "2024-05-01"])
        .args(["--sources", "wider,narrow", "--summary"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let s: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(s["contested"]["agreed_km2"].is_null(), "{s}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("grey zone unknown") && err.contains("grey zone compared without wider"),
        "{err}"
    );
}

/// Issue 13 (fresh tester, F7): with `sources=`, a source without a grey zone answered
/// `covered` for a point in another source's grey zone ("not contested", which it cannot say),
/// and `agree` was false. It now says `not_occupied`, is named in `contested_not_drawn` with
/// why, and agrees with `contested`; a source that draws a grey zone still says `covered`.
#[test]
fn a_source_without_a_grey_zone_says_not_occupied_at_a_point_not_covered() {
    let (_dir, _root, server) = grey_and_plain_sources();
    // In ds's grey zone, outside every occupied square.
    let p = common::get(
        server.addr,
        "/v1/coverage?lon=37.55&lat=47.52&date=2024-05-01&sources=ds,wider",
        "",
    )
    .json();
    assert_eq!(
        p["statuses"],
        json!({"contested": ["ds"], "not_occupied": ["wider"]}),
        "{p}"
    );
    assert_eq!(p["agree"], true, "{p}");
    assert_eq!(p["contested_not_drawn"][0]["source"], "wider", "{p}");
    assert!(
        p["contested_not_drawn"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("draws no contested"),
        "{p}"
    );
    // Where ds draws nothing: ds says covered, wider not_occupied; they agree.
    let p = common::get(
        server.addr,
        "/v1/coverage?lon=36.5&lat=47.0&date=2024-05-01&sources=ds,wider",
        "",
    )
    .json();
    assert_eq!(
        p["statuses"],
        json!({"covered": ["ds"], "not_occupied": ["wider"]}),
        "{p}"
    );
    assert_eq!(p["agree"], true, "{p}");
    // Occupied for one and not for the other is still a disagreement.
    let p = common::get(
        server.addr,
        "/v1/coverage?lon=37.31&lat=47.52&date=2024-05-01&sources=ds,wider",
        "",
    )
    .json();
    assert_eq!(p["statuses"], json!({"covered": ["ds"], "occupied": ["wider"]}), "{p}");
    assert_eq!(p["agree"], false, "{p}");
    assert_eq!(p["contested_not_drawn"][0]["source"], "wider", "{p}");
}

/// Issue 13 (fresh tester, F3): `sources=all` on a date no source covers was a 400, as if the
/// question were malformed. It is a 404 `before-first-snapshot`, as for one source before its
/// first snapshot, naming each source and why; `/v1/agreement` answers a date too few real
/// sources cover the same way, and a list of one source stays a 400.
#[test]
fn a_date_no_source_covers_is_a_404_before_first_snapshot_for_points_and_agreement() {
    let (_dir, _root, server) = grey_and_plain_sources();
    let kind = |r: &common::Reply| r.json()["type"].as_str().unwrap_or("").to_string();
    let r = common::get(
        server.addr,
        "/v1/coverage?lon=37.31&lat=47.52&date=2024-04-01&sources=all",
        "",
    );
    r.assert_problem(404, "no source among ds, narrow, wider covers the date asked");
    assert!(kind(&r).ends_with("/problems/before-first-snapshot"), "{}", r.text());
    assert!(
        r.text().contains("no snapshot of source 'ds' in force on 2024-04-01"),
        "{}",
        r.text()
    );
    assert!(r.text().contains("left out: example (SYNTHETIC"), "{}", r.text());
    let r = common::get(
        server.addr,
        "/v1/coverage?lon=37.31&lat=47.52&date=2024-04-01&sources=ds,wider",
        "",
    );
    r.assert_problem(404, "no source among ds, wider covers the date asked");
    // The same date for the agreement, by default and with all.
    for list in ["", "&sources=all"] {
        let r = common::get(server.addr, &format!("/v1/agreement?date=2024-04-01{list}"), "");
        r.assert_problem(404, "0 real source(s) cover 2024-04-01");
        assert!(kind(&r).ends_with("/problems/before-first-snapshot"), "{}", r.text());
        assert!(r.text().contains("does not cover the date"), "{}", r.text());
    }
    // Named sources that do not cover: the first one's own 404.
    common::get(server.addr, "/v1/agreement?date=2024-04-01&sources=ds,wider", "")
        .assert_problem(404, "no snapshot of source 'ds' in force on 2024-04-01");
    // One source is a question that is not an agreement: 400.
    common::get(server.addr, "/v1/agreement?date=2024-05-01&sources=ds", "").assert_problem(400, "at least two");
}
