//! The `frontline` binary end to end: on the embedded geodata and on temporary directories.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

mod common;

use common::repo;

fn frontline(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_frontline"))
        .args(args)
        .current_dir(repo())
        .output()
        .expect("run frontline")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Exit code, asserting the process was not killed and did not panic (101).
fn code(o: &Output) -> i32 {
    let c = o.status.code().expect("exit code");
    assert_ne!(c, 101, "panicked: {}", stderr(o));
    c
}

#[test]
fn check_accepts_the_embedded_geodata_without_repairs() {
    let o = frontline(&["check"]);
    assert_eq!(code(&o), 0, "{}", stdout(&o));
    let out = stdout(&o);
    assert!(out.contains("1 border(s), 1 baseline(s), 1 source(s)"), "{out}");
    assert!(
        out.contains("source example: 4 snapshot(s), 2024-01-01 .. 2024-09-01 (SYNTHETIC)"),
        "{out}"
    );
    assert!(out.contains("0 problem(s), 0 repair(s)"), "{out}");
}

fn query(lon: &str, lat: &str, date: &str) -> (i32, serde_json::Value, String) {
    let o = frontline(&["query", "--lon", lon, "--lat", lat, "--date", date]);
    let c = code(&o);
    let v = serde_json::from_slice(&o.stdout).unwrap_or(serde_json::Value::Null);
    (c, v, stderr(&o))
}

#[test]
fn query_answers_status_with_provenance_and_synthetic_flag() {
    // Simferopol: Crimea baseline.
    let (c, v, _) = query("34.10", "44.95", "2024-05-01");
    assert_eq!(c, 0);
    assert_eq!(v["status"], "occupied");
    assert_eq!(v["source"], "example");
    assert_eq!(v["snapshot"]["id"], "example:2024-03-01");
    assert_eq!(v["snapshot"]["date"], "2024-03-01");
    assert_eq!(v["synthetic"], true);
    assert_eq!(v["baselines"][0]["name"], "crimea");
    assert_eq!(
        v["snapshot"]["provenance"]["file"],
        "sources/example/2024-03-01.geojson"
    );
    assert_eq!(v["snapshot"]["provenance"]["sha256"].as_str().map(str::len), Some(64));
    // Kyiv: covered. Warsaw: outside.
    assert_eq!(query("30.52", "50.45", "2024-05-01").1["status"], "covered");
    assert_eq!(query("21.01", "52.23", "2024-05-01").1["status"], "outside");
    // The synthetic front: east of it occupied, inside the grey zone contested.
    assert_eq!(query("38.50", "48.50", "2024-01-01").1["status"], "occupied");
    assert_eq!(query("37.51", "48.60", "2024-03-01").1["status"], "contested");
    assert_eq!(query("37.51", "48.60", "2024-01-01").1["status"], "covered");
    // The latest snapshot stays in force after its date.
    assert_eq!(
        query("37.51", "48.60", "2030-01-01").1["snapshot"]["id"],
        "example:2024-09-01"
    );
}

#[test]
fn query_refuses_bad_input_with_precise_errors() {
    let cases: [(&[&str], &str); 7] = [
        (
            &["--lon", "200", "--lat", "48", "--date", "2024-05-01"],
            "--lon '200' must be a finite number",
        ),
        (
            &["--lon", "NaN", "--lat", "48", "--date", "2024-05-01"],
            "--lon 'NaN' must be a finite number",
        ),
        (
            &["--lon", "1e400", "--lat", "48", "--date", "2024-05-01"],
            "--lon '1e400' must be a finite number",
        ),
        (
            &["--lon", "abc", "--lat", "48", "--date", "2024-05-01"],
            "--lon 'abc' is not a number",
        ),
        (
            &["--lon", "30", "--lat", "-91", "--date", "2024-05-01"],
            "--lat '-91' must be a finite number",
        ),
        (
            &["--lon", "30", "--lat", "48", "--date", "2022-02-30"],
            "--date: '2022-02-30' is not a valid calendar date",
        ),
        (
            &["--lon", "30", "--lat", "48", "--date", "2023-12-31"],
            "first snapshot is dated 2024-01-01",
        ),
    ];
    for (args, want) in cases {
        let mut all = vec!["query"];
        all.extend_from_slice(args);
        let o = frontline(&all);
        assert_eq!(code(&o), 2, "{args:?}");
        assert!(stderr(&o).contains(want), "{args:?}: {}", stderr(&o));
        assert!(o.stdout.is_empty());
    }
    let o = frontline(&[
        "query",
        "--lon",
        "30",
        "--lat",
        "48",
        "--date",
        "2024-05-01",
        "--source",
        "nope",
    ]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("unknown source 'nope'; loaded sources: example"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn timeline_lists_every_snapshot_date_with_areas() {
    let o = frontline(&["timeline"]);
    assert_eq!(code(&o), 0);
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[0],
        "date,occupied_km2,contested_km2,covered_km2,line_km,gained_km2,lost_km2,snapshot,synthetic,\
         waters_occupied_km2,waters_contested_km2,waters_covered_km2,moved_km2,revised"
    );
    assert_eq!(lines.len(), 5, "{out}");
    let mut previous_occupied: Option<f64> = None;
    for (line, date) in lines[1..]
        .iter()
        .zip(["2024-01-01", "2024-03-01", "2024-06-01", "2024-09-01"])
    {
        let f: Vec<&str> = line.split(',').collect();
        assert_eq!(f[0], date);
        let nums: Vec<f64> = f[1..7].iter().map(|s| s.parse().expect("number")).collect();
        // The three areas partition the border (599,094.6 km2, Natural Earth UKR).
        let sum: f64 = nums[..3].iter().sum();
        assert!((sum - 599_094.6).abs() < 1.0, "{line}");
        // The waters, apart, by the status of their coast: Crimea's are occupied.
        let waters: Vec<f64> = f[9..12].iter().map(|s| s.parse().expect("number")).collect();
        assert!((waters.iter().sum::<f64>() - 38_250.9).abs() < 1.0, "{line}");
        assert!(waters[0] > 10_000.0 && waters[2] > 10_000.0, "{line}");
        assert!(nums[0] > 27_000.0 && nums[1] > 0.0, "{line}");
        // A line of contact (the synthetic front and the Crimea cut line).
        assert!(nums[3] > 300.0, "{line}");
        // Gained minus lost is the change of the occupied area (3 decimals printed).
        if let Some(prev) = previous_occupied {
            assert!((nums[4] - nums[5] - (nums[0] - prev)).abs() < 0.01, "{line}");
        } else {
            assert_eq!((nums[4], nums[5]), (0.0, 0.0));
        }
        previous_occupied = Some(nums[0]);
        assert_eq!(f[8], "true");
    }
}

fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    std::fs::write(p, text).expect("write");
}

/// A minimal valid geodata directory: a square border and one snapshot.
fn tiny_geodata(dir: &Path, snapshot_features: &str) {
    write(
        dir,
        "borders/TST.geojson",
        r#"{"type":"FeatureCollection","frontline":{"kind":"border","iso3":"TST","name":"Testland","synthetic":true},
        "features":[{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[30,46],[32,46],[32,48],[30,48],[30,46]]]}}]}"#,
    );
    write(
        dir,
        "sources/test/2024-01-01.geojson",
        &format!(
            r#"{{"type":"FeatureCollection","frontline":{{"kind":"snapshot","source":"test","date":"2024-01-01","synthetic":true}},
            "features":[{snapshot_features}]}}"#
        ),
    );
}

fn feature(coords: &str) -> String {
    format!(
        r#"{{"type":"Feature","properties":{{"status":"occupied"}},"geometry":{{"type":"Polygon","coordinates":[{coords}]}}}}"#
    )
}

#[test]
fn check_refuses_each_kind_of_bad_snapshot_precisely() {
    let ok_ring = "[[31,46.5],[31.5,46.5],[31.5,47],[31,47],[31,46.5]]";
    let cases: Vec<(String, &str)> = vec![
        ("{not json".to_string(), "invalid JSON"),
        (
            feature("[[31,46.5],[31.5,46.5],[31,46.5]]"),
            "feature 0: ring 0 (exterior): ring has 3 positions",
        ),
        (
            feature("[[31,46.5],[31.5,46.5],[31.5,47],[31,47]]"),
            "ring is not closed: first position [31, 46.5] differs from last [31, 47]",
        ),
        (
            feature("[[31,46.5],[31.5,47],[31.5,46.5],[31,47],[31,46.5]]"),
            "self-intersection: exterior ring crosses itself",
        ),
        (
            feature("[[31,46.5],[200,46.5],[31.5,47],[31,47],[31,46.5]]"),
            "position 1: lon 200 must be a finite number in [-180, 180]",
        ),
        (
            feature(r#"[[31,46.5],["NaN",46.5],[31.5,47],[31,47],[31,46.5]]"#),
            "position 1: coordinate 0 is \"NaN\", not a number",
        ),
        (
            feature("[[31,46.5],[31.5,46.5],[31.5,1e400],[31,47],[31,46.5]]"),
            "invalid JSON",
        ),
        (
            format!(
                r#"{{"type":"Feature","properties":{{"status":"liberated"}},"geometry":{{"type":"Polygon","coordinates":[{ok_ring}]}}}}"#
            ),
            "unknown status 'liberated'",
        ),
    ];
    for (i, (features, want)) in cases.iter().enumerate() {
        let dir = tempfile::tempdir().expect("tempdir");
        tiny_geodata(dir.path(), features);
        if i == 0 {
            write(dir.path(), "sources/test/2024-01-01.geojson", features);
        }
        let o = frontline(&["check", dir.path().to_str().expect("utf8")]);
        assert_eq!(code(&o), 1, "case {i}: {}", stdout(&o));
        let out = stdout(&o);
        assert!(
            out.contains("problem: sources/test/2024-01-01.geojson"),
            "case {i}: {out}"
        );
        assert!(out.contains(want), "case {i}: want '{want}' in:\n{out}");
        // A query on an invalid directory refuses to answer rather than half-load.
        let q = frontline(&[
            "query",
            "--lon",
            "31",
            "--lat",
            "47",
            "--date",
            "2024-01-01",
            "--data",
            dir.path().to_str().expect("utf8"),
        ]);
        assert_eq!(code(&q), 1);
        assert!(stderr(&q).contains("problem(s) in geodata"), "{}", stderr(&q));
    }
}

#[test]
fn check_refuses_an_impossible_date_and_a_name_mismatch() {
    let dir = tempfile::tempdir().expect("tempdir");
    tiny_geodata(
        dir.path(),
        &feature("[[31,46.5],[31.5,46.5],[31.5,47],[31,47],[31,46.5]]"),
    );
    let p = dir.path().join("sources/test/2024-01-01.geojson");
    let text = std::fs::read_to_string(&p)
        .expect("read")
        .replace("2024-01-01", "2022-02-30");
    std::fs::remove_file(&p).expect("rm");
    write(dir.path(), "sources/test/snap.geojson", &text);
    let o = frontline(&["check", dir.path().to_str().expect("utf8")]);
    assert_eq!(code(&o), 1);
    assert!(
        stdout(&o).contains("frontline.date: '2022-02-30' is not a valid calendar date"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn check_accepts_a_clockwise_exterior_and_reports_the_repair() {
    let dir = tempfile::tempdir().expect("tempdir");
    tiny_geodata(
        dir.path(),
        &feature("[[31,46.5],[31,47],[31.5,47],[31.5,46.5],[31,46.5]]"),
    );
    let o = frontline(&["check", dir.path().to_str().expect("utf8")]);
    assert_eq!(code(&o), 0, "{}", stdout(&o));
    assert!(stdout(&o).contains("0 problem(s), 1 repair(s)"), "{}", stdout(&o));
    assert!(stdout(&o).contains(
        "repair: sources/test/2024-01-01.geojson: feature 0: ring 0 (exterior): ring was clockwise; reversed"
    ));
    // The repaired snapshot answers queries: inside the square is occupied.
    let q = frontline(&[
        "query",
        "--lon",
        "31.2",
        "--lat",
        "46.7",
        "--date",
        "2024-02-01",
        "--data",
        dir.path().to_str().expect("utf8"),
    ]);
    assert_eq!(code(&q), 0, "{}", stderr(&q));
    let v: serde_json::Value = serde_json::from_slice(&q.stdout).expect("json");
    assert_eq!(v["status"], "occupied");
    assert_eq!(v["synthetic"], true);
}

#[test]
fn check_lists_every_problem_across_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    tiny_geodata(dir.path(), &feature("[[31,46.5],[31.5,46.5],[31,46.5]]"));
    write(
        dir.path(),
        "sources/test/2024-02-01.geojson",
        r#"{"type":"FeatureCollection","frontline":{"kind":"snapshot","source":"test","date":"2024-02-01"},"features":[{"type":"Feature","properties":{"status":"occupied"},"geometry":{"type":"Polygon","coordinates":[[[31,46.5],[-181,46.5],[31.5,47],[31,46.5]]]}}]}"#,
    );
    let o = frontline(&["check", "--json", dir.path().to_str().expect("utf8")]);
    assert_eq!(code(&o), 1);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(v["ok"], false);
    let problems = v["problems"].as_array().expect("array");
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert_eq!(problems[1]["file"], "sources/test/2024-02-01.geojson");
    assert_eq!(problems[1]["feature"], 0);
    assert_eq!(problems[1]["location"], "ring 0 (exterior), position 1");
}

#[test]
fn classify_streams_csv_and_stops_at_a_bad_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = dir.path().join("in.csv");
    std::fs::write(
        &input,
        "id,lon,lat\na,34.10,44.95\nb,30.52,50.45\r\nc,21.01,52.23\nd,37.51,48.60",
    )
    .expect("write");
    let o = frontline(&["classify", input.to_str().expect("utf8"), "--date", "2024-03-01"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        "id,lon,lat,status,snapshot,revised\na,34.10,44.95,occupied,example:2024-03-01,false\nb,30.52,50.45,covered,example:2024-03-01,false\n\
         c,21.01,52.23,outside,example:2024-03-01,false\nd,37.51,48.60,contested,example:2024-03-01,false\n"
    );
    // --summary: only the counts.
    let o = frontline(&[
        "classify",
        input.to_str().expect("utf8"),
        "--date",
        "2024-03-01",
        "--summary",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(
        stdout(&o).starts_with("4 points: covered 1, occupied 1, contested 1, outside 1"),
        "{}",
        stdout(&o)
    );
    assert!(stdout(&o).contains("SYNTHETIC") && stdout(&o).lines().count() == 1);

    for (text, want) in [
        ("id,lon,lat\na,34.1\n", "line 2: expected 3 fields id,lon,lat, found 2"),
        (
            "id,lon,lat\na,34.1,inf\n",
            "line 2: lat 'inf' must be a finite number in [-90, 90]",
        ),
        (
            "id,lon,lat\na,1e400,44\n",
            "line 2: lon '1e400' must be a finite number in [-180, 180]",
        ),
        (
            "id,lon,lat\na,34,44\nb,-190,44\n",
            "line 3: lon '-190' must be a finite number in [-180, 180]",
        ),
        ("lon,lat\n34,44\n", "line 1: the header 'lon,lat' has no column 'id'"),
    ] {
        std::fs::write(&input, text).expect("write");
        let o = frontline(&["classify", input.to_str().expect("utf8"), "--date", "2024-03-01"]);
        assert_eq!(code(&o), 2, "{text}");
        assert!(stderr(&o).contains(want), "{text}: {}", stderr(&o));
    }
}

/// Issue 9 (a property the answer writes): the command line reads CSV only, so a GeoJSON batch
/// (here with a `status` property the HTTP answer would refuse) given to `classify` or
/// `history --points` is refused as JSON, exit 2, nothing written; a CSV column named like one
/// the answer adds is refused naming it, a resembling one passes through.
#[test]
fn the_command_line_refuses_geojson_and_reserved_csv_columns() {
    let dir = tempfile::tempdir().expect("tempdir");
    let geojson = dir.path().join("points.geojson");
    std::fs::write(
        &geojson,
        r#"{"type":"FeatureCollection","features":[{"type":"Feature","id":"k","properties":{"status":"mine"},"geometry":{"type":"Point","coordinates":[30.52,50.45]}}]}"#,
    )
    .expect("write");
    let csv = dir.path().join("points.csv");
    let g = geojson.to_str().expect("utf8");
    let c = csv.to_str().expect("utf8");
    let runs: [(&[&str], &str); 2] = [
        (&["classify", g, "--date", "2024-05-01"], "classify"),
        (&["history", "--points", g], "history"),
    ];
    for (args, name) in runs {
        let o = frontline(args);
        assert_eq!(code(&o), 2, "{name}: {}", stderr(&o));
        assert!(stdout(&o).is_empty(), "{name}: {}", stdout(&o));
        assert!(
            stderr(&o).contains("line 1: the input starts with JSON, not a CSV header with the columns id,lon,lat"),
            "{name}: {}",
            stderr(&o)
        );
    }
    for (text, ok) in [
        ("id,lon,lat,status\nk,30.52,50.45,mine\n", false),
        ("id,lon,lat,status_old\nk,30.52,50.45,mine\n", true),
    ] {
        std::fs::write(&csv, text).expect("write");
        for args in [
            &["classify", c, "--date", "2024-05-01"][..],
            &["history", "--points", c][..],
        ] {
            let o = frontline(args);
            if ok {
                assert_eq!(code(&o), 0, "{args:?}: {}", stderr(&o));
                assert!(stdout(&o).starts_with("id,lon,lat,status_old,"), "{}", stdout(&o));
                assert!(stdout(&o).contains("k,30.52,50.45,mine,"), "{}", stdout(&o));
            } else {
                assert_eq!(code(&o), 2, "{args:?}: {}", stderr(&o));
                assert!(
                    stderr(&o).contains("the column 'status' is one the answer adds"),
                    "{}",
                    stderr(&o)
                );
            }
        }
    }
}

#[test]
fn missing_geodata_directory_is_a_clear_error() {
    let o = frontline(&["timeline", "--data", "/nonexistent/geodata"]);
    assert_eq!(code(&o), 1);
    assert!(
        stderr(&o).contains("/nonexistent/geodata: geodata directory does not exist"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn point_json_equals_the_serialised_point_answer() {
    let cat = frontline::Catalog::load(&repo().join("geodata")).expect("load");
    let d = frontline::model::parse_date("2024-05-01").expect("date");
    for (lon, lat) in [
        (34.1, 44.95),
        (30.52, 50.45),
        (21.0, 52.0),
        (37.51, 48.6),
        (0.1 + 0.2, -0.0),
    ] {
        for distance in [false, true] {
            let a = frontline::query::point(&cat, None, d, lon, lat, distance).expect("answer");
            let a = serde_json::to_value(a).expect("json");
            let b = frontline::query::point_json(&cat, None, d, lon, lat, distance).expect("answer");
            let b: serde_json::Value = serde_json::from_str(&b).expect("json");
            assert_eq!(a, b);
            assert_eq!(a.get("line_of_contact_km").is_some(), distance);
        }
    }
}

#[test]
fn diff_of_a_square_moving_east_is_exact() {
    // A square 1 x 1 degree moves 0.5 degrees east inside a larger border: gained and lost are
    // the two 0.5 x 1 strips, whose geodesic areas are known.
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "borders/TST.geojson",
        r#"{"type":"FeatureCollection","frontline":{"kind":"border","iso3":"TST","name":"Testland","synthetic":true},
        "features":[{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[30,46],[34,46],[34,48],[30,48],[30,46]]]}}]}"#,
    );
    for (date, x0) in [("2024-01-01", 32.0), ("2024-02-01", 32.5)] {
        write(
            dir.path(),
            &format!("sources/test/{date}.geojson"),
            &format!(
                r#"{{"type":"FeatureCollection","frontline":{{"kind":"snapshot","source":"test","date":"{date}","synthetic":true}},
                "features":[{}]}}"#,
                feature(&format!(
                    "[[{x0},46.5],[{x1},46.5],[{x1},47.5],[{x0},47.5],[{x0},46.5]]",
                    x1 = x0 + 1.0
                ))
            ),
        );
    }
    let d = dir.path().to_str().expect("utf8");
    let o = frontline(&["diff", "--from", "2024-01-01", "--to", "2024-02-01", "--data", d]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("geojson");
    let strip = |x0: f64| {
        let ring = geo::LineString::from(vec![
            (x0, 46.5),
            (x0 + 0.5, 46.5),
            (x0 + 0.5, 47.5),
            (x0, 47.5),
            (x0, 46.5),
        ]);
        frontline::geodesy::area_km2(&geo::MultiPolygon(vec![geo::Polygon::new(ring, vec![])]))
    };
    let (gained, lost) = (strip(33.0), strip(32.0));
    let t = &v["frontline"]["totals"];
    let rel = |a: f64, b: f64| (a - b).abs() / b;
    assert!(
        rel(t["gained_km2"].as_f64().expect("num"), gained) < 1e-6,
        "{t} vs {gained}"
    );
    assert!(rel(t["lost_km2"].as_f64().expect("num"), lost) < 1e-6, "{t} vs {lost}");
    assert_eq!(t["slivers_dropped"], 0);
    let f = v["features"].as_array().expect("features");
    assert_eq!(f.len(), 2);
    assert_eq!(f[0]["properties"]["change"], "gained");
    let c = &f[0]["properties"]["centroid"];
    assert!(
        (c[0].as_f64().expect("x") - 33.25).abs() < 1e-6 && (c[1].as_f64().expect("y") - 47.0).abs() < 1e-6,
        "{c}"
    );
    assert_eq!(f[1]["properties"]["change"], "lost");
    assert_eq!(v["frontline"]["synthetic"], true);
    // The same date twice is identical and empty; a date before the first is an error.
    let o = frontline(&[
        "diff",
        "--from",
        "2024-02-01",
        "--to",
        "2024-03-01",
        "--data",
        d,
        "--summary",
    ]);
    let s: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(s["identical"], true);
    assert_eq!(s["parts"], 0);
    let o = frontline(&["diff", "--from", "2023-01-01", "--to", "2024-02-01", "--data", d]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("first snapshot is dated 2024-01-01"));
    // A sliver threshold larger than the strips drops them and reports their area.
    let o = frontline(&[
        "diff",
        "--from",
        "2024-01-01",
        "--to",
        "2024-02-01",
        "--data",
        d,
        "--summary",
        "--min-area-km2",
        "1e6",
    ]);
    let s: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(s["totals"]["slivers_dropped"], 2);
    assert!(rel(s["totals"]["sliver_gained_km2"].as_f64().expect("num"), gained) < 1e-6);
    assert_eq!(s["totals"]["gained_km2"], 0.0);
}

#[test]
fn history_of_one_point_lists_merged_intervals_with_provenance() {
    // A point of the synthetic example that changes three times.
    let o = frontline(&["history", "--lon", "37.6", "--lat", "49.5"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    let got: Vec<(String, String, String)> = v["intervals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["from"].as_str().unwrap().to_string(),
                i["to"].as_str().unwrap_or("-").to_string(),
                i["status"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let want = [
        ("2024-01-01", "2024-02-29", "covered"),
        ("2024-03-01", "2024-05-31", "contested"),
        ("2024-06-01", "2024-08-31", "occupied"),
        ("2024-09-01", "-", "covered"),
    ];
    assert_eq!(
        got,
        want.iter()
            .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
            .collect::<Vec<_>>()
    );
    assert_eq!(v["source"], "example");
    assert_eq!(v["synthetic"], true);
    // Every snapshot named has its provenance.
    for i in v["intervals"].as_array().unwrap() {
        for key in ["snapshot", "last_snapshot"] {
            let id = i[key].as_str().unwrap();
            assert!(v["snapshots"][id]["provenance"]["sha256"].is_string(), "{id}");
        }
    }
    // Each interval agrees with `query` on its first and last day.
    for i in v["intervals"].as_array().unwrap() {
        let from = i["from"].as_str().unwrap();
        let (_, q, _) = query("37.6", "49.5", from);
        assert_eq!(q["status"], i["status"], "{from}");
        if let Some(to) = i["to"].as_str() {
            let (_, q, _) = query("37.6", "49.5", to);
            assert_eq!(q["status"], i["status"], "{to}");
        }
    }
}

#[test]
fn history_of_a_csv_of_points_writes_one_row_per_interval() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("p.csv");
    std::fs::write(&input, "id,lon,lat\na,37.6,49.5\nb,10,10\n").unwrap();
    let o = frontline(&["history", "--points", input.to_str().unwrap()]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "id,lon,lat,from,to,status,snapshot,last_snapshot,revised");
    assert_eq!(lines.len(), 1 + 4 + 1, "{out}");
    assert_eq!(
        lines[1],
        "a,37.6,49.5,2024-01-01,2024-02-29,covered,example:2024-01-01,example:2024-01-01,false"
    );
    assert_eq!(
        lines[5],
        "b,10,10,2024-01-01,,outside,example:2024-01-01,example:2024-09-01,false"
    );
    assert!(stderr(&o).contains("SYNTHETIC"));
    // A bad row names its line; no output rows.
    std::fs::write(&input, "id,lon,lat\na,37.6,49.5\nb,inf,10\n").unwrap();
    let o = frontline(&["history", "--points", input.to_str().unwrap()]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("line 3"), "{}", stderr(&o));
    assert!(stdout(&o).is_empty());
    // Neither a point nor a file.
    let o = frontline(&["history"]);
    assert_eq!(code(&o), 2);
}

#[test]
fn classify_with_distance_matches_query() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("p.csv");
    std::fs::write(&input, "id,lon,lat\na,37.6,49.5\nb,10,10\nc,34.1,44.95\n").unwrap();
    let o = frontline(&[
        "classify",
        input.to_str().unwrap(),
        "--date",
        "2024-06-01",
        "--distance",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let out = stdout(&o);
    let mut lines = out.lines();
    assert_eq!(
        lines.next(),
        Some("id,lon,lat,status,snapshot,revised,line_of_contact_km,line_nearest_lon,line_nearest_lat")
    );
    for line in lines {
        let f: Vec<&str> = line.split(',').collect();
        let (_, q, _) = query(f[1], f[2], "2024-06-01");
        assert_eq!(q["status"], f[3]);
        let want = q["line_of_contact_km"].as_f64().unwrap();
        assert_eq!(f[5], "false", "{line}: revised");
        let got: f64 = f[6].parse().unwrap();
        assert!((got - want).abs() <= 5e-7, "{line}: {want}");
        // The nearest point of the line, in both answers.
        let at = q["line_of_contact_nearest"].as_array().unwrap();
        for (k, c) in at.iter().enumerate() {
            let got: f64 = f[7 + k].parse().unwrap();
            assert!((got - c.as_f64().unwrap()).abs() <= 5e-8, "{line}: {at:?}");
        }
    }
}

/// A copy of the embedded geodata with the SYNTHETIC test regions (three longitude bands) added.
fn geodata_with_regions(dir: &Path) -> PathBuf {
    common::copy_embedded_geodata(dir, true)
}

fn csv_rows(text: &str) -> Vec<Vec<String>> {
    text.lines()
        .skip(1)
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect()
}

#[test]
fn timeline_and_diff_by_region_add_up_to_the_totals() {
    let dir = tempfile::tempdir().unwrap();
    let root = geodata_with_regions(dir.path());
    let data = root.to_str().unwrap();
    let o = frontline(&["timeline", "--by-region", "--data", data]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let by_region = csv_rows(&stdout(&o));
    let o = frontline(&["timeline", "--data", data]);
    let totals = csv_rows(&stdout(&o));
    assert_eq!(by_region.len(), totals.len() * 4, "three bands and unassigned per date");
    for t in &totals {
        let rows: Vec<&Vec<String>> = by_region.iter().filter(|r| r[0] == t[0]).collect();
        assert!(rows.iter().all(|r| r[6] == "true"), "synthetic regions are flagged");
        for (col, total_col) in [(2, 1), (3, 2), (4, 3)] {
            let sum: f64 = rows.iter().map(|r| r[col].parse::<f64>().unwrap()).sum();
            let total: f64 = t[total_col].parse().unwrap();
            // Rows are printed to 0.001 km2; the total covered area is the border's minus the
            // others, the rows measure the covered pieces: equal to 1e-6.
            assert!(
                (sum - total).abs() <= 0.003 + 1e-6 * total,
                "{} column {col}: {sum} vs {total}",
                t[0]
            );
        }
        let west = rows.iter().find(|r| r[1] == "SYN-W").unwrap();
        assert_eq!(west[2], "0.000", "the synthetic front lies east of 32E");
    }
    let o = frontline(&[
        "diff",
        "--from",
        "2024-01-01",
        "--to",
        "2024-06-01",
        "--by-region",
        "--summary",
        "--data",
        data,
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let rows = v["by_region"]["regions"].as_array().unwrap();
    assert_eq!(rows.len(), 4);
    for key in [
        "gained_km2",
        "lost_km2",
        "newly_contested_km2",
        "no_longer_contested_km2",
    ] {
        let sum: f64 = rows.iter().map(|r| r[key].as_f64().unwrap()).sum();
        let total = v["totals"][key].as_f64().unwrap();
        assert!((sum - total).abs() <= 1e-6 * total.max(1.0), "{key}: {sum} vs {total}");
    }
    assert_eq!(v["synthetic"], true);
    // Without a regions layer: a clear error.
    let o = frontline(&["timeline", "--by-region"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("no regions layer"), "{}", stderr(&o));
}

#[test]
fn bad_regions_files_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let root = geodata_with_regions(dir.path());
    let path = root.join("regions/UKR.geojson");
    let good = std::fs::read_to_string(&path).unwrap();
    let cases = [
        (
            good.replace("\"SYN-C\"", "\"SYN-W\""),
            "region id 'SYN-W' is used twice",
        ),
        (
            good.replace("[[[32, 43]", "[[[31, 43]")
                .replace("[32, 53], [32, 43]]", "[31, 53], [31, 43]]"),
            "regions overlap",
        ),
        (
            good.replace("\"border\": \"UKR\"", "\"border\": \"XXX\""),
            "not in borders/",
        ),
    ];
    for (text, want) in cases {
        assert_ne!(text, good, "{want}: fixture edit did not apply");
        std::fs::write(&path, &text).unwrap();
        let o = frontline(&["check", "--data", root.to_str().unwrap()]);
        assert_eq!(code(&o), 1, "{want}");
        assert!(
            stdout(&o).contains(want) || stderr(&o).contains(want),
            "want '{want}': {}",
            stdout(&o)
        );
    }
}

fn square_feature(date: &str, x0: f64, y0: f64, size: f64) -> String {
    let (x1, y1) = (x0 + size, y0 + size);
    format!(
        r#"{{"type":"Feature","properties":{{"date":"{date}","status":"occupied"}},"geometry":{{"type":"Polygon","coordinates":[[[{x0},{y0}],[{x1},{y0}],[{x1},{y1}],[{x0},{y1}],[{x0},{y0}]]]}}}}"#
    )
}

/// A FeatureCollection of the one square of [`square_feature`].
fn square_collection(date: &str, x0: f64, y0: f64, size: f64) -> String {
    format!(
        r#"{{"type":"FeatureCollection","features":[{}]}}"#,
        square_feature(date, x0, y0, size)
    )
}

fn import(args: &[&str], data: &Path) -> (i32, serde_json::Value, String) {
    let mut all = vec!["import"];
    all.extend_from_slice(args);
    all.extend(["--json", "--data", data.to_str().unwrap()]);
    let o = frontline(&all);
    let c = code(&o);
    (c, serde_json::from_slice(&o.stdout).unwrap_or_default(), stderr(&o))
}

/// The repairs the reader makes to the square of `d2.geojson` in
/// [`import_lists_the_repairs_of_a_duplicate_and_of_an_unchanged_input`].
const D2_REPAIRS: [&str; 2] = [
    "feature 0: ring 0 (exterior): closed a ring whose ends differed by 5.0e-10 degrees (under 1e-9)",
    "feature 0: ring 0 (exterior): ring was clockwise; reversed to counterclockwise (RFC 7946 right-hand rule)",
];

#[test]
fn import_lists_the_repairs_of_a_duplicate_and_of_an_unchanged_input() {
    use sha2::Digest;
    let dir = tempfile::tempdir().unwrap();
    let root = geodata_with_regions(dir.path());
    // A 0.1 degree square, counterclockwise; the next day the same square clockwise, its ring
    // ending 5e-10 degrees from where it starts: the same content once repaired.
    let d1 = dir.path().join("d1.geojson");
    std::fs::write(&d1, square_collection("2024-06-01", 35.0, 48.0, 0.1)).unwrap();
    let d2 = dir.path().join("d2.geojson");
    let d2_text = r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"date":"2024-06-02","status":"occupied"},"geometry":{"type":"Polygon","coordinates":[[[35.0,48.0],[35.0,48.1],[35.1,48.1],[35.1,48.0],[35.0000000005,48.0]]]}}]}"#;
    std::fs::write(&d2, d2_text).unwrap();
    let original = format!("d2.geojson (sha256 {})", hex::encode(sha2::Sha256::digest(d2_text)));
    let listed = |outcome: &str| {
        serde_json::json!([{
            "date": "2024-06-02",
            "original": original,
            "outcome": outcome,
            "repairs": D2_REPAIRS,
        }])
    };

    let (c, r1, err) = import(&["geojson", d1.to_str().unwrap(), "--source", "u"], &root);
    assert_eq!(c, 0, "{err}");
    assert_eq!(r1["added"][0]["repairs"], serde_json::json!([]));
    assert_eq!(r1.get("repairs"), None, "nothing repaired, nothing listed: {r1}");

    // A duplicate of the day before: kept once, its repairs listed all the same.
    let (c, r2, err) = import(&["geojson", d2.to_str().unwrap(), "--source", "u"], &root);
    assert_eq!(c, 0, "{err}");
    assert_eq!(r2["added"], serde_json::json!([]));
    assert_eq!(r2["duplicates"], serde_json::json!([["2024-06-02", "2024-06-01"]]));
    assert_eq!(r2["repairs"], listed("duplicate"));
    // The kept file records the date it stands for; its `repairs` are its own input's (none),
    // as an unchanged ingest writes nothing: the duplicate's are in the report.
    let kept: serde_json::Value =
        serde_json::from_slice(&std::fs::read(root.join("sources/u/2024-06-01.geojson")).unwrap()).unwrap();
    assert_eq!(kept["frontline"]["confirmed"], serde_json::json!(["2024-06-02"]));
    assert_eq!(kept["frontline"].get("repairs"), None, "{kept}");
    assert_eq!(kept["frontline"]["original"]["file"], "d1.geojson");

    // Again: unchanged, the repairs listed again, in JSON and in text.
    let (c, r3, err) = import(&["geojson", d2.to_str().unwrap(), "--source", "u"], &root);
    assert_eq!(c, 0, "{err}");
    assert_eq!(r3["unchanged"], serde_json::json!(["2024-06-02"]));
    assert_eq!(r3["duplicates"], serde_json::json!([]));
    assert_eq!(r3["repairs"], listed("unchanged"));
    let o = frontline(&[
        "import",
        "geojson",
        d2.to_str().unwrap(),
        "--source",
        "u",
        "--data",
        root.to_str().unwrap(),
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let repair_lines: Vec<String> = stdout(&o)
        .lines()
        .filter(|l| l.starts_with("repair: "))
        .map(str::to_string)
        .collect();
    let want: Vec<String> = D2_REPAIRS.iter().map(|r| format!("repair: {original}: {r}")).collect();
    assert_eq!(repair_lines, want, "{}", stdout(&o));
    assert!(stdout(&o).contains("1 unchanged"), "{}", stdout(&o));
}

#[test]
fn import_geojson_keeps_duplicates_once_quarantines_and_is_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    let root = geodata_with_regions(dir.path());
    let input = dir.path().join("analyst.geojson");
    let fc = format!(
        r#"{{"type":"FeatureCollection","features":[{},{},{}]}}"#,
        square_feature("2024-01-01", 35.0, 48.0, 0.5),
        square_feature("2024-01-02", 35.0, 48.0, 0.5),
        square_feature("2024-01-03", 35.0, 48.0, 1.0),
    );
    std::fs::write(&input, &fc).unwrap();
    // The same data gzipped, and a snapshot far outside the border.
    let gz = dir.path().join("more.geojson.gz");
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut enc, square_collection("2024-01-05", 100.0, 10.0, 1.0).as_bytes()).unwrap();
    std::fs::write(&gz, enc.finish().unwrap()).unwrap();
    let bad = dir.path().join("bad.geojson");
    std::fs::write(&bad, r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"date":"2024-02-30","status":"occupied"},"geometry":null}]}"#).unwrap();

    let args = [
        "geojson",
        input.to_str().unwrap(),
        gz.to_str().unwrap(),
        bad.to_str().unwrap(),
        "--source",
        "analyst",
    ];
    let (c, r, err) = import(&args, &root);
    // Some inputs rejected, others taken: exit 3.
    assert_eq!(c, 3, "{err}");
    let dates = |key: &str| -> Vec<String> {
        r[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["date"].as_str().unwrap_or("").to_string())
            .collect()
    };
    assert_eq!(dates("added"), ["2024-01-01", "2024-01-03"]);
    assert_eq!(r["duplicates"], serde_json::json!([["2024-01-02", "2024-01-01"]]));
    let rejected = r["rejected"].as_array().unwrap();
    assert_eq!(rejected.len(), 2, "{rejected:?}");
    let far = rejected.iter().find(|x| x["date"] == "2024-01-05").unwrap();
    assert!(
        far["reasons"][0].as_str().unwrap().contains("outside the border UKR"),
        "{far}"
    );
    let quarantined: Vec<String> = std::fs::read_dir(root.join("quarantine/analyst"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(quarantined.len(), 1, "{quarantined:?}");
    assert!(
        quarantined[0].starts_with("2024-01-05-")
            && quarantined[0].len() == "2024-01-05-".len() + 12 + ".geojson".len(),
        "named by date and content: {quarantined:?}"
    );
    assert_eq!(
        far["quarantined"].as_str().unwrap(),
        root.join("quarantine/analyst").join(&quarantined[0]).to_str().unwrap()
    );
    let broken = rejected
        .iter()
        .find(|x| x["file"].as_str().unwrap().ends_with("bad.geojson"))
        .unwrap();
    let reasons = broken["reasons"].to_string();
    assert!(
        reasons.contains("not a valid calendar date") && reasons.contains("no geometry"),
        "{reasons}"
    );
    // The kept snapshot records the date it stands for; provenance names the input and its hash.
    let kept: serde_json::Value =
        serde_json::from_slice(&std::fs::read(root.join("sources/analyst/2024-01-01.geojson")).unwrap()).unwrap();
    assert_eq!(kept["frontline"]["confirmed"], serde_json::json!(["2024-01-02"]));
    assert!(
        kept["frontline"]["provenance"]
            .as_str()
            .unwrap()
            .contains("analyst.geojson (sha256 ")
    );
    // The store loads and answers.
    let o = frontline(&[
        "query",
        "--lon",
        "35.2",
        "--lat",
        "48.2",
        "--date",
        "2024-01-02",
        "--source",
        "analyst",
        "--data",
        root.to_str().unwrap(),
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let q: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(q["status"], "occupied");
    assert_eq!(q["snapshot"]["id"], "analyst:2024-01-01");

    // Again: a no-op, byte for byte.
    let snapshot_of = |p: &Path| -> Vec<(String, Vec<u8>)> {
        let mut v: Vec<(String, Vec<u8>)> = std::fs::read_dir(p)
            .unwrap()
            .flatten()
            .map(|e| {
                (
                    e.file_name().to_string_lossy().into_owned(),
                    std::fs::read(e.path()).unwrap(),
                )
            })
            .collect();
        v.sort();
        v
    };
    let before = snapshot_of(&root.join("sources/analyst"));
    let (c, r2, _) = import(&args[..3].iter().chain(&args[4..]).copied().collect::<Vec<_>>(), &root);
    assert_eq!(c, 3, "the quarantined day is rejected again");
    assert_eq!(r2["added"].as_array().unwrap().len(), 0);
    assert_eq!(
        r2["unchanged"],
        serde_json::json!(["2024-01-01", "2024-01-02", "2024-01-03"])
    );
    assert_eq!(snapshot_of(&root.join("sources/analyst")), before);

    // Other content for an existing date: refused, then replaced with --replace (old kept).
    let changed = dir.path().join("changed.geojson");
    std::fs::write(&changed, square_collection("2024-01-03", 35.0, 48.0, 0.8)).unwrap();
    let (c, r3, _) = import(&["geojson", changed.to_str().unwrap(), "--source", "analyst"], &root);
    assert_eq!(c, 2, "every input rejected");
    assert!(
        r3["rejected"][0]["reasons"][0].as_str().unwrap().contains("--replace"),
        "{r3}"
    );
    assert_eq!(snapshot_of(&root.join("sources/analyst")), before);
    let (_, r4, _) = import(
        &["geojson", changed.to_str().unwrap(), "--source", "analyst", "--replace"],
        &root,
    );
    assert_eq!(r4["replaced"], serde_json::json!(["2024-01-03"]));
    assert_eq!(
        std::fs::read_dir(root.join("sources/analyst/.history"))
            .unwrap()
            .count(),
        1
    );
    let o = frontline(&["check", "--data", root.to_str().unwrap()]);
    assert_eq!(code(&o), 0, "{}", stdout(&o));
}

#[test]
fn import_refuses_bad_arguments() {
    let dir = tempfile::tempdir().unwrap();
    let root = geodata_with_regions(dir.path());
    let (c, _, err) = import(&["shapefile", "x", "--source", "a"], &root);
    assert_eq!(c, 2);
    assert!(err.contains("format 'shapefile' is unknown"), "{err}");
    let (c, _, err) = import(&["geojson", "/nonexistent/file", "--source", "a"], &root);
    assert_eq!(c, 2);
    assert!(err.contains("no such file"), "{err}");
    let (c, _, err) = import(&["geojson", "/nonexistent/file", "--source", "Bad Name"], &root);
    assert_eq!(c, 2);
    assert!(err.contains("source name"), "{err}");
    // A device or a pipe: said at once (a pipe without a writer was waited on for ever).
    let fifo = dir.path().join("fifo.geojson");
    assert!(Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    for input in ["/dev/null", fifo.to_str().unwrap()] {
        let (c, _, err) = import(&["geojson", input, "--source", "a"], &root);
        assert_eq!(c, 2, "{err}");
        assert!(err.contains(&format!("{input}: not a regular file")), "{err}");
    }
}

/// `frontline serve` on `data` syncing the example source from a port nothing listens on,
/// `--sync-every=EVERY`.
fn serve_syncing_every(data: &Path, every: &str) -> Output {
    let flag = format!("--sync-every={every}");
    frontline(&[
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--watch-s",
        "0",
        "--data",
        data.to_str().unwrap(),
        "--sync-url",
        "http://127.0.0.1:9/",
        "--sync-source",
        "example",
        &flag,
    ])
}

#[test]
fn serve_checks_its_arguments_before_it_loads_the_geodata() {
    // A directory that does not load (no border) and a bad --sync-every: the argument is refused
    // (2), without the load being tried (which would say 1, invalid geodata).
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("geodata");
    assert_eq!(code(&frontline(&["init", data.to_str().unwrap()])), 0);
    std::fs::remove_dir_all(data.join("borders")).unwrap();
    let o = serve_syncing_every(&data, "5x");
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("--sync-every '5x'"), "{}", stderr(&o));
    assert!(!stderr(&o).contains("border"), "{}", stderr(&o));
    // The socket is bound before the load: a garbage address and a port in use are refused at
    // once (2), the load never tried.
    let serve = |listen: &str| {
        frontline(&[
            "serve",
            "--listen",
            listen,
            "--watch-s",
            "0",
            "--data",
            data.to_str().unwrap(),
        ])
    };
    let o = serve("garbage");
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("--listen 'garbage' is not HOST:PORT"),
        "{}",
        stderr(&o)
    );
    assert!(!stderr(&o).contains("border"), "{}", stderr(&o));
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let o = serve(&addr);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(
        stderr(&o).contains(&format!("--listen: cannot listen on {addr}")),
        "{}",
        stderr(&o)
    );
    assert!(stderr(&o).contains("in use"), "{}", stderr(&o));
    assert!(!stderr(&o).contains("border"), "{}", stderr(&o));
    // With a free port, the load is what fails (1).
    let o = serve("127.0.0.1:0");
    assert_eq!(code(&o), 1, "{}", stderr(&o));
}

#[test]
fn serve_refuses_any_sync_interval_it_cannot_read_without_panicking() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("geodata");
    assert_eq!(code(&frontline(&["init", data.to_str().unwrap()])), 0);
    for every in ["5µ", "µ", "", "0h", "99999999999999999999h", "1.5h", "-1m"] {
        let o = serve_syncing_every(&data, every);
        assert_eq!(code(&o), 2, "{every:?}: {}", stderr(&o));
        assert!(
            stderr(&o).contains(&format!("--sync-every '{every}': use a whole number")),
            "{every:?}: {}",
            stderr(&o)
        );
    }
}

#[test]
fn exit_codes_come_from_one_conversion() {
    // 0 ok, 1 invalid geodata, 2 bad input or usage (README, "Exit codes").
    assert_eq!(code(&frontline(&["check"])), 0);
    let dir = tempfile::tempdir().expect("tempdir");
    assert_eq!(
        code(&frontline(&["check", dir.path().join("none").to_str().unwrap()])),
        1
    );
    assert_eq!(
        code(&frontline(&[
            "query",
            "--lon",
            "x",
            "--lat",
            "1",
            "--date",
            "2024-05-01"
        ])),
        2
    );
    assert_eq!(code(&frontline(&["no-such-command"])), 2);
    // A geodata directory that does not load is 1 for import as for every other command.
    let empty = dir.path().join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let file = dir.path().join("a.geojson");
    std::fs::write(&file, r#"{"type":"FeatureCollection","features":[]}"#).unwrap();
    let o = frontline(&[
        "import",
        "geojson",
        file.to_str().unwrap(),
        "--source",
        "s",
        "--data",
        empty.to_str().unwrap(),
    ]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    // And for sync, before anything is fetched (the archive's address is never reached).
    let o = frontline(&[
        "sync",
        "deepstate",
        "--base-url",
        "http://127.0.0.1:9/",
        "--source",
        "s",
        "--data",
        empty.to_str().unwrap(),
    ]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert!(stderr(&o).contains("does not load"), "{}", stderr(&o));
}

#[test]
fn sync_refuses_a_start_after_its_end() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("geodata");
    assert_eq!(code(&frontline(&["init", data.to_str().unwrap()])), 0);
    let o = frontline(&[
        "sync",
        "deepstate",
        "--base-url",
        "http://127.0.0.1:9/",
        "--source",
        "example",
        "--from",
        "2025-06-05",
        "--until",
        "2025-06-01",
        "--data",
        data.to_str().unwrap(),
    ]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("--from 2025-06-05 is after --until 2025-06-01"),
        "{}",
        stderr(&o)
    );
}

/// Every whole-number option of `serve` (read off its --help) at 0, at the largest 64-bit value
/// and beyond it: refused with exit 2 or served (a request answered), never a panic.
#[test]
fn serve_takes_any_number_in_any_option_without_panicking() {
    use std::io::{BufRead, Read};
    use std::process::Stdio;
    let help = stdout(&frontline(&["serve", "-h"]));
    // Options whose default is a whole number ("[default: 2]", on the option's line or on the
    // lines of its description below it).
    let mut flags: Vec<String> = Vec::new();
    let mut last: Option<String> = None;
    for l in help.lines().map(str::trim_start) {
        if let Some(rest) = l.strip_prefix("--") {
            last = rest.split_whitespace().next().map(str::to_string);
        }
        let numeric = l
            .rsplit_once("[default: ")
            .is_some_and(|(_, d)| d.trim_end_matches(']').chars().all(|c| c.is_ascii_digit()));
        if numeric && let Some(f) = last.take() {
            flags.push(f);
        }
    }
    flags.push("max-scenario-computations".into());
    assert!(flags.len() >= 10, "{flags:?}\n{help}");
    for flag in &flags {
        for value in ["0", "4097", "18446744073709551615", "18446744073709551616"] {
            let arg = format!("--{flag}={value}");
            let mut args = vec!["serve", "--listen", "127.0.0.1:0", &arg];
            if flag != "watch-s" {
                args.extend(["--watch-s", "0"]);
            }
            let mut child = Command::new(env!("CARGO_BIN_EXE_frontline"))
                .args(&args)
                .current_dir(repo())
                .env("RUST_LOG", "warn")
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("start");
            let mut line = String::new();
            let _ = std::io::BufReader::new(child.stdout.take().unwrap()).read_line(&mut line);
            let served = line.starts_with("listening on http://");
            if served {
                let addr: std::net::SocketAddr =
                    line.trim().trim_start_matches("listening on http://").parse().unwrap();
                let reply = common::get(addr, "/healthz", "");
                assert_eq!(reply.status, 200, "{arg}");
                let _ = child.kill();
            }
            let status = child.wait().unwrap();
            let mut err = String::new();
            let _ = child.stderr.take().unwrap().read_to_string(&mut err);
            assert!(!err.contains("panicked"), "{arg}: {err}");
            if !served {
                assert_eq!(status.code(), Some(2), "{arg}: {err}");
            }
        }
    }
}

#[test]
fn serve_refuses_sync_options_without_an_archive_to_fetch_from() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("geodata");
    assert_eq!(code(&frontline(&["init", data.to_str().unwrap()])), 0);
    for extra in [
        &["--sync-every", "1h"][..],
        &["--sync-source", "example"][..],
        &["--sync-format", "nzz"][..],
        &["--sync-every", "1h", "--sync-source", "example"][..],
    ] {
        let mut args = vec!["serve", "--listen", "127.0.0.1:0", "--data", data.to_str().unwrap()];
        args.extend_from_slice(extra);
        let o = frontline(&args);
        assert_eq!(code(&o), 2, "{extra:?}: {}", stderr(&o));
        assert!(stderr(&o).contains("--sync-url"), "{extra:?}: {}", stderr(&o));
    }
    // And --sync-url without the schedule or the source.
    let o = frontline(&[
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--data",
        data.to_str().unwrap(),
        "--sync-url",
        "http://127.0.0.1:9/",
    ]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("--sync-every") && stderr(&o).contains("--sync-source"),
        "{}",
        stderr(&o)
    );
}

/// Runs the binary with the environment given, in `cwd`.
fn frontline_env(args: &[&str], cwd: &Path, env: &[(&str, &Path)]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_frontline"));
    c.args(args).current_dir(cwd);
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().expect("run frontline")
}

#[test]
fn commands_that_read_write_nothing() {
    // The embedded geodata is parsed from memory: no file in $TMPDIR (an empty one stays empty,
    // one that does not exist is never needed), none in the current folder.
    let dir = tempfile::tempdir().expect("tempdir");
    let tmp = dir.path().join("tmp");
    let cwd = dir.path().join("cwd");
    std::fs::create_dir_all(&tmp).unwrap();
    std::fs::create_dir_all(&cwd).unwrap();
    let points = dir.path().join("points.csv");
    std::fs::write(&points, "id,lon,lat\n1,34.10,44.95\n2,30.52,50.45\n").unwrap();
    let points = points.to_str().unwrap();
    let commands: Vec<Vec<&str>> = vec![
        vec!["check"],
        vec!["query", "--lon", "34.10", "--lat", "44.95", "--date", "2024-05-01"],
        vec!["classify", points, "--date", "2024-05-01"],
        vec!["timeline"],
        vec!["diff", "--from", "2024-01-01", "--to", "2024-09-01", "--summary"],
        vec!["history", "--lon", "34.10", "--lat", "44.95"],
        vec!["history", "--points", points],
        vec![
            "scenario",
            "--preset",
            "korea-1953",
            "--source",
            "example",
            "--date",
            "2024-05-01",
        ],
    ];
    for missing in [false, true] {
        let tmpdir = if missing {
            dir.path().join("no-such-dir")
        } else {
            tmp.clone()
        };
        for args in &commands {
            let o = frontline_env(args, &cwd, &[("TMPDIR", &tmpdir)]);
            assert_eq!(code(&o), 0, "{args:?} (TMPDIR {}): {}", tmpdir.display(), stderr(&o));
            let written: Vec<_> = std::fs::read_dir(&tmp)
                .unwrap()
                .chain(std::fs::read_dir(&cwd).unwrap())
                .collect();
            assert!(written.is_empty(), "{args:?} wrote {written:?}");
            assert!(
                !tmpdir.exists() || tmpdir == tmp,
                "{args:?} created {}",
                tmpdir.display()
            );
        }
    }
}

#[test]
fn exit_codes_agree_across_commands() {
    // The README's table, one row per failure, over the commands that meet it.
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("geodata");
    assert_eq!(code(&frontline(&["init", data.to_str().unwrap()])), 0);
    let d = data.to_str().unwrap();
    let input = dir.path().join("in.geojson");
    std::fs::write(&input, square_collection("2024-10-01", 35.0, 48.0, 0.2)).unwrap();
    let input = input.to_str().unwrap();
    let broken = dir.path().join("broken");
    std::fs::create_dir_all(broken.join("borders")).unwrap();
    let broken = broken.to_str().unwrap();
    // A file where a directory is needed: every write under it fails (an I/O failure).
    let file = dir.path().join("a-file");
    std::fs::write(&file, "x").unwrap();
    let under_file = file.join("geodata");
    let under_file = under_file.to_str().unwrap();
    let scenario = dir.path().join("scenario.json");
    let preset = frontline(&[
        "scenario",
        "--preset",
        "korea-1953",
        "--source",
        "example",
        "--date",
        "2024-05-01",
    ]);
    assert_eq!(code(&preset), 0, "{}", stderr(&preset));
    std::fs::write(&scenario, &preset.stdout).unwrap();
    let scenario = scenario.to_str().unwrap();

    let table: Vec<(&str, Vec<&str>, i32)> = vec![
        ("ok", vec!["check"], 0),
        ("directory does not load", vec!["check", broken], 1),
        (
            "directory does not load",
            vec![
                "query",
                "--lon",
                "30",
                "--lat",
                "50",
                "--date",
                "2024-05-01",
                "--data",
                broken,
            ],
            1,
        ),
        (
            "directory does not load",
            vec!["import", "geojson", input, "--source", "s", "--data", broken],
            1,
        ),
        ("directory does not load", vec!["timeline", "--data", broken], 1),
        ("cannot be written", vec!["init", under_file], 1),
        (
            "bad argument",
            vec!["query", "--lon", "x", "--lat", "1", "--date", "2024-05-01"],
            2,
        ),
        (
            "bad argument",
            vec!["import", "geojson", input, "--source", "Bad Name", "--data", d],
            2,
        ),
        ("bad argument", vec!["serve", "--sync-every", "1h", "--data", d], 2),
        ("usage", vec!["no-such-command"], 2),
        ("init into a directory that holds something", vec!["init", d], 2),
        (
            "no such input",
            vec![
                "import",
                "geojson",
                "/no/such/file.geojson",
                "--source",
                "s",
                "--data",
                d,
            ],
            2,
        ),
    ];
    for (why, args, want) in &table {
        let o = frontline(args);
        assert_eq!(code(&o), *want, "{why}: {args:?}: {}", stderr(&o));
    }
    // Another writer holds the store's lock: 2 for every command that writes.
    let lock = frontline::store::Store::new(&data)
        .lock("test", std::time::Duration::from_secs(1))
        .unwrap();
    let busy: Vec<Vec<&str>> = vec![
        vec!["import", "geojson", input, "--source", "example", "--data", d],
        vec!["scenario", scenario, "--save", "--data", d],
    ];
    for args in &busy {
        let o = Command::new(env!("CARGO_BIN_EXE_frontline"))
            .args(args)
            .env("FRONTLINE_WRITER_WAIT_S", "0")
            .output()
            .unwrap();
        assert_eq!(code(&o), 2, "store busy: {args:?}: {}", stderr(&o));
        assert!(
            stderr(&o).contains("being written by another process (test, pid"),
            "{}",
            stderr(&o)
        );
    }
    drop(lock);
    let o = frontline(&busy[0]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
}

/// A source named twice in `agreement --sources` would count as two sources agreeing with each
/// other: refused (exit 2, naming it) for the agreement and its timeline, as over HTTP.
#[test]
fn agreement_refuses_a_source_named_twice() {
    for args in [
        &["agreement", "--date", "2024-06-01", "--sources", "example,example"][..],
        &[
            "agreement",
            "--date",
            "2024-06-01",
            "--summary",
            "--sources",
            "example,other,example",
        ][..],
        &["agreement", "--timeline", "--sources", "example,example"][..],
    ] {
        let o = frontline(args);
        assert_eq!(code(&o), 2, "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains("'example' twice"), "{args:?}: {}", stderr(&o));
        assert!(stdout(&o).is_empty(), "{args:?}");
    }
}

/// The agreement's parameter rules are the routes': `from` after `to` is refused as over HTTP
/// (exit 2 with the same message), and each form refuses the other's parameters.
#[test]
fn agreement_refuses_what_the_routes_refuse() {
    let cases: [(&[&str], &str); 4] = [
        (
            &[
                "agreement",
                "--timeline",
                "--sources",
                "example,other",
                "--from",
                "2022-06-05",
                "--to",
                "2022-06-01",
            ],
            "from 2022-06-05 is after to 2022-06-01",
        ),
        (
            &["agreement", "--timeline", "--from", "2024-06-05", "--to", "2024-06-01"],
            "is after to",
        ),
        (
            &["agreement", "--date", "2024-06-01", "--from", "2024-01-01"],
            "--from and --to are for --timeline",
        ),
        (
            &["agreement", "--timeline", "--precision", "3"],
            "--summary and --precision are for one date",
        ),
    ];
    for (args, want) in cases {
        let o = frontline(args);
        assert_eq!(code(&o), 2, "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(want), "{args:?}: {}", stderr(&o));
        assert!(stdout(&o).is_empty(), "{args:?}: {}", stdout(&o));
    }
}

/// How the standard streams of a run are set up.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Streams {
    /// Both read by the test.
    Open,
    /// Standard output is a pipe whose reader is gone; standard error read.
    StdoutClosed,
    /// Standard error is a pipe whose reader is gone; standard output read.
    StderrClosed,
    /// Both are pipes whose readers are gone.
    BothClosed,
}

/// A pipe's write end whose read end is already closed: every write to it fails with EPIPE.
fn closed_pipe() -> std::process::Stdio {
    let (reader, writer) = std::io::pipe().expect("pipe");
    drop(reader);
    writer.into()
}

fn run_with(args: &[String], streams: Streams) -> Output {
    use std::process::Stdio;
    let (out, err) = match streams {
        Streams::Open => (Stdio::piped(), Stdio::piped()),
        Streams::StdoutClosed => (closed_pipe(), Stdio::piped()),
        Streams::StderrClosed => (Stdio::piped(), closed_pipe()),
        Streams::BothClosed => (closed_pipe(), closed_pipe()),
    };
    Command::new(env!("CARGO_BIN_EXE_frontline"))
        .args(args)
        .current_dir(repo())
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .output()
        .expect("run frontline")
}

/// Issue 9 (fresh tester): the CLI panicked (101) when its standard error was a closed pipe.
/// For every kind of command (reading, writing, streaming, clap's own answers, failing ones): a
/// closed standard error changes nothing but the lost messages (same code, same output); a
/// closed standard output ends the command quietly with 141 when it had something to write
/// (the code of a command that writes nothing to stdout, or that fails, is unchanged); never a
/// panic.
#[test]
fn closed_standard_streams_end_every_command_quietly() {
    type Args = Box<dyn Fn(&Path) -> Vec<String>>;
    let s = |v: &[&str]| -> Vec<String> { v.iter().map(|x| (*x).to_string()).collect() };
    let csv = |dir: &Path, rows: usize| -> String {
        let mut text = String::from("id,lon,lat\n");
        for i in 0..rows {
            text.push_str(&format!(
                "p{i},{},{}\n",
                30.0 + (i % 900) as f64 * 0.01,
                45.0 + (i % 700) as f64 * 0.01
            ));
        }
        let p = dir.join("points.csv");
        std::fs::write(&p, text).unwrap();
        p.to_str().unwrap().to_string()
    };
    // (what, arguments in a fresh temporary directory, the code of a run with both streams open)
    let cases: Vec<(&str, Args, i32)> = vec![
        ("check", Box::new(move |_: &Path| s(&["check"])), 0),
        ("check --json", Box::new(move |_: &Path| s(&["check", "--json"])), 0),
        (
            "query",
            Box::new(move |_: &Path| s(&["query", "--lon", "34.10", "--lat", "44.95", "--date", "2024-05-01"])),
            0,
        ),
        (
            "query long after the last snapshot (a warning on stderr)",
            Box::new(move |_: &Path| s(&["query", "--lon", "34.10", "--lat", "44.95", "--date", "2026-05-01"])),
            0,
        ),
        ("timeline", Box::new(move |_: &Path| s(&["timeline"])), 0),
        (
            "diff",
            Box::new(move |_: &Path| s(&["diff", "--from", "2024-01-01", "--to", "2024-06-01"])),
            0,
        ),
        (
            "history",
            Box::new(move |_: &Path| s(&["history", "--lon", "30.5", "--lat", "50.4"])),
            0,
        ),
        (
            "classify (a note on stderr, 60,000 rows out)",
            Box::new(move |d: &Path| {
                let f = csv(d, 60_000);
                s(&["classify", &f, "--date", "2024-05-01"])
            }),
            0,
        ),
        (
            "classify --summary",
            Box::new(move |d: &Path| {
                let f = csv(d, 10);
                s(&["classify", &f, "--date", "2024-05-01", "--summary"])
            }),
            0,
        ),
        (
            "scenario --preset",
            Box::new(move |_: &Path| {
                s(&[
                    "scenario",
                    "--preset",
                    "korea-1953",
                    "--source",
                    "example",
                    "--date",
                    "2024-05-01",
                ])
            }),
            0,
        ),
        (
            "init",
            Box::new(move |d: &Path| s(&["init", d.join("new").to_str().unwrap()])),
            0,
        ),
        (
            "import",
            Box::new(move |d: &Path| {
                let root = common::copy_embedded_geodata(d, false);
                let input = d.join("in.geojson");
                std::fs::write(&input, square_collection("2024-10-01", 35.0, 48.0, 0.2)).unwrap();
                s(&[
                    "import",
                    "geojson",
                    input.to_str().unwrap(),
                    "--source",
                    "example",
                    "--data",
                    root.to_str().unwrap(),
                ])
            }),
            0,
        ),
        ("--help", Box::new(move |_: &Path| s(&["--help"])), 0),
        ("--version", Box::new(move |_: &Path| s(&["--version"])), 0),
        ("query --help", Box::new(move |_: &Path| s(&["query", "--help"])), 0),
        ("usage error", Box::new(move |_: &Path| s(&["no-such-command"])), 2),
        (
            "bad argument",
            Box::new(move |_: &Path| s(&["query", "--lon", "x", "--lat", "1", "--date", "2024-05-01"])),
            2,
        ),
        (
            "bad input line",
            Box::new(move |d: &Path| {
                let p = d.join("bad.csv");
                std::fs::write(&p, "id,lon,lat\na,34.1\n").unwrap();
                s(&["classify", p.to_str().unwrap(), "--date", "2024-05-01"])
            }),
            2,
        ),
        (
            "directory does not load",
            Box::new(move |d: &Path| s(&["timeline", "--data", d.join("nothing").to_str().unwrap()])),
            1,
        ),
    ];
    for (what, args, want) in &cases {
        let dir = tempfile::tempdir().unwrap();
        let open = run_with(&args(dir.path()), Streams::Open);
        assert_eq!(code(&open), *want, "{what}: {}", stderr(&open));
        let wrote = !open.stdout.is_empty();
        for streams in [Streams::StdoutClosed, Streams::StderrClosed, Streams::BothClosed] {
            let dir = tempfile::tempdir().unwrap();
            let o = run_with(&args(dir.path()), streams);
            let c = o
                .status
                .code()
                .unwrap_or_else(|| panic!("{what} {streams:?}: killed ({:?})", o.status));
            assert!(!stderr(&o).contains("panicked"), "{what} {streams:?}: {}", stderr(&o));
            // A command that fails ends with its code whether or not stdout is open (what it
            // had buffered is dropped with the error); one that succeeds and writes, with 141.
            let closed_out = streams != Streams::StderrClosed;
            let expected = if closed_out && wrote && *want == 0 { 141 } else { *want };
            assert_eq!(c, expected, "{what} {streams:?}: {}", stderr(&o));
            if streams == Streams::StderrClosed && !what.starts_with("init") && !what.starts_with("import") {
                assert_eq!(stdout(&o), stdout(&open), "{what}: the same answer without stderr");
            }
            if streams == Streams::StdoutClosed && expected == 141 {
                assert!(!stderr(&o).contains("error"), "{what}: quietly: {}", stderr(&o));
            }
        }
        if *what == "init" {
            // What was done before the output was cut stands.
            let dir = tempfile::tempdir().unwrap();
            let o = run_with(&args(dir.path()), Streams::BothClosed);
            assert_eq!(o.status.code(), Some(141));
            assert!(dir.path().join("new/borders").is_dir());
        }
    }
}

/// A server whose standard output and error are closed pipes keeps serving (the line that
/// names its address cannot be written: it is not needed to serve).
#[test]
fn serve_keeps_serving_with_closed_standard_streams() {
    use std::io::{Read, Write};
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let listen = format!("127.0.0.1:{port}");
    let mut child = Command::new(env!("CARGO_BIN_EXE_frontline"))
        .args(["serve", "--listen", &listen, "--watch-s", "0"])
        .current_dir(repo())
        .stdin(std::process::Stdio::null())
        .stdout(closed_pipe())
        .stderr(closed_pipe())
        .spawn()
        .unwrap();
    let start = std::time::Instant::now();
    let answer = loop {
        if let Some(status) = child.try_wait().unwrap() {
            panic!("the server ended: {status:?}");
        }
        if let Ok(mut s) = std::net::TcpStream::connect(&listen) {
            s.write_all(b"GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
                .unwrap();
            let mut text = String::new();
            let _ = s.read_to_string(&mut text);
            break text;
        }
        assert!(start.elapsed().as_secs() < 120, "the server never listened");
        std::thread::sleep(std::time::Duration::from_millis(100));
    };
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    // Requests are logged to the closed stderr: still serving after some.
    for _ in 0..20 {
        let mut s = std::net::TcpStream::connect(&listen).unwrap();
        s.write_all(b"GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
            .unwrap();
        let mut text = String::new();
        let _ = s.read_to_string(&mut text);
        assert!(text.starts_with("HTTP/1.1 200"), "{text}");
    }
    assert!(child.try_wait().unwrap().is_none(), "the server ended");
    let _ = child.kill();
    let _ = child.wait();
}

/// Issue 14 (fresh tester): clap's own answers (`--help`, `--version`, `help import`) to a
/// standard output that cannot be written (a full disk: /dev/full) exit 1, as every other
/// command does (README, exit codes), not 0.
#[test]
fn help_and_version_to_a_full_stdout_exit_1() {
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .expect("/dev/full (Linux)");
    for args in [
        &["--help"][..],
        &["--version"],
        &["help", "import"],
        &["query", "--help"],
    ] {
        let o = Command::new(env!("CARGO_BIN_EXE_frontline"))
            .args(args)
            .stdin(std::process::Stdio::null())
            .stdout(full.try_clone().expect("clone"))
            .stderr(std::process::Stdio::piped())
            .output()
            .expect("run frontline");
        assert_eq!(
            o.status.code(),
            Some(1),
            "{args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
}

#[test]
fn sync_arguments_are_refused_before_any_request() {
    // A base URL the client cannot parse, and a scheduled sync of a source that does not exist:
    // refused at once (was: every day tried four times; a server logging a failure every run).
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("geodata");
    assert_eq!(code(&frontline(&["init", data.to_str().unwrap()])), 0);
    let t = std::time::Instant::now();
    let o = frontline(&[
        "sync",
        "deepstate",
        "--base-url",
        "http://[::1",
        "--source",
        "ds",
        "--from",
        "2024-01-01",
        "--data",
        data.to_str().unwrap(),
    ]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("is not a valid URL"), "{}", stderr(&o));
    assert!(t.elapsed() < std::time::Duration::from_secs(5));
    let o = frontline(&[
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--data",
        data.to_str().unwrap(),
        "--sync-url",
        "http://127.0.0.1:9/",
        "--sync-source",
        "nope",
        "--sync-every",
        "1h",
    ]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("'nope': no such source"), "{}", stderr(&o));
}

#[test]
fn sync_urls_with_credentials_a_query_or_a_fragment_are_refused_naming_the_flag() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("geodata");
    assert_eq!(code(&frontline(&["init", data.to_str().unwrap()])), 0);
    let sync = |url: &str| {
        frontline(&[
            "sync",
            "deepstate",
            "--base-url",
            url,
            "--source",
            "ds",
            "--from",
            "2024-01-01",
            "--data",
            data.to_str().unwrap(),
        ])
    };
    let serve = |url: &str| {
        frontline(&[
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--data",
            data.to_str().unwrap(),
            "--sync-url",
            url,
            "--sync-source",
            "example",
            "--sync-every",
            "1h",
        ])
    };
    let o = sync("https://me:hunter2-secret@127.0.0.1:9/archive/");
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("--base-url 'https://***@127.0.0.1:9/archive/': credentials in the URL are refused"),
        "{}",
        stderr(&o)
    );
    assert!(!stderr(&o).contains("hunter2"), "{}", stderr(&o));
    let o = serve("https://me:hunter2-secret@127.0.0.1:9/archive/");
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("--sync-url 'https://***@127.0.0.1:9/archive/': credentials"),
        "{}",
        stderr(&o)
    );
    assert!(!stderr(&o).contains("hunter2"), "{}", stderr(&o));
    for url in ["http://127.0.0.1:9/archive/?token=1", "http://127.0.0.1:9/archive/#top"] {
        let o = sync(url);
        assert_eq!(code(&o), 2, "{}", stderr(&o));
        assert!(
            stderr(&o).contains(&format!("--base-url '{url}': a query or fragment is refused")),
            "{}",
            stderr(&o)
        );
        let o = serve(url);
        assert_eq!(code(&o), 2, "{}", stderr(&o));
        assert!(
            stderr(&o).contains(&format!("--sync-url '{url}': a query or fragment is refused")),
            "{}",
            stderr(&o)
        );
    }
}

#[test]
fn a_writer_wait_that_does_not_read_is_said_with_the_default_used() {
    let dir = tempfile::tempdir().unwrap();
    let root = geodata_with_regions(dir.path());
    let input = dir.path().join("analyst.geojson");
    std::fs::write(&input, square_collection("2024-01-01", 35.0, 48.0, 0.5)).unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_frontline"))
        .args([
            "import",
            "geojson",
            input.to_str().unwrap(),
            "--source",
            "analyst",
            "--data",
        ])
        .arg(&root)
        .env("FRONTLINE_WRITER_WAIT_S", "10s")
        .output()
        .unwrap();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains(
            r#"FRONTLINE_WRITER_WAIT_S="10s" is not a whole number of seconds: ignored, the writer waits the default"#
        ),
        "{err}"
    );
}

#[test]
fn a_stored_snapshot_rewritten_to_confirm_a_later_day_is_kept_in_history_first() {
    let dir = tempfile::tempdir().unwrap();
    let root = geodata_with_regions(dir.path());
    let first = dir.path().join("first.geojson");
    std::fs::write(&first, square_collection("2024-01-01", 35.0, 48.0, 0.5)).unwrap();
    let (c, _, err) = import(&["geojson", first.to_str().unwrap(), "--source", "analyst"], &root);
    assert_eq!(c, 0, "{err}");
    let stored = root.join("sources/analyst/2024-01-01.geojson");
    let before = std::fs::read(&stored).unwrap();
    let history = root.join("sources/analyst/.history");
    assert!(!history.exists(), "nothing replaced yet");
    // The same content a day later: the stored file is rewritten to confirm 2024-01-02.
    let later = dir.path().join("later.geojson");
    std::fs::write(&later, square_collection("2024-01-02", 35.0, 48.0, 0.5)).unwrap();
    let (c, r, err) = import(&["geojson", later.to_str().unwrap(), "--source", "analyst"], &root);
    assert_eq!(c, 0, "{err}");
    assert_eq!(
        r["duplicates"],
        serde_json::json!([["2024-01-02", "2024-01-01"]]),
        "{r:#}"
    );
    let after = std::fs::read(&stored).unwrap();
    assert_ne!(after, before, "the stored file now confirms 2024-01-02");
    let copies: Vec<PathBuf> = std::fs::read_dir(&history)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    assert_eq!(copies.len(), 1, "{copies:?}");
    assert_eq!(
        std::fs::read(&copies[0]).unwrap(),
        before,
        "the bytes it held before, kept first"
    );
    assert!(
        copies[0]
            .file_name()
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("2024-01-01."),
        "{copies:?}"
    );
    // The same import again changes nothing and keeps nothing more.
    let (c, _, err) = import(&["geojson", later.to_str().unwrap(), "--source", "analyst"], &root);
    assert_eq!(c, 0, "{err}");
    assert_eq!(std::fs::read_dir(&history).unwrap().count(), 1);
}

/// One wording for a refused coordinate, made by the coordinate type, whatever the surface: a
/// `--lat` argument, a CSV row, a geodata file's position (`check`).
#[test]
fn a_refused_coordinate_is_said_in_the_same_words_on_every_surface() {
    let words = "lat '95' must be a finite number in [-90, 90]";
    let o = frontline(&["query", "--lon", "30", "--lat", "95", "--date", "2024-05-01"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains(&format!("--{words}")), "{}", stderr(&o));
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.csv");
    std::fs::write(&input, "id,lon,lat\na,30,95\n").unwrap();
    let o = frontline(&["classify", input.to_str().unwrap(), "--date", "2024-03-01"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains(&format!("line 2: {words}")), "{}", stderr(&o));
    // A number in a file has no text as given: the same words around the number.
    let geodata = dir.path().join("g");
    tiny_geodata(&geodata, &feature("[[31,46.5],[31.5,95],[31.5,47],[31,47],[31,46.5]]"));
    let o = frontline(&["check", geodata.to_str().unwrap()]);
    assert_eq!(code(&o), 1, "{}", stdout(&o));
    assert!(
        stdout(&o).contains("position 1: lat 95 must be a finite number in [-90, 90]"),
        "{}",
        stdout(&o)
    );
}
