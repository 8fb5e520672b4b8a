//! `raw` has one meaning on every route and command that answers for a date (issue 10): the
//! source's drawing clipped to the border's land, without the sliver rule and without the
//! waters. Two points of the example source tell the two rules apart: one inside a sliver (the
//! rule gives it the occupied status around it; raw, it is covered) and one in the waters off
//! Sevastopol (the rule: occupied, in the waters; raw: outside). Every route and command is
//! asked for both, with and without `raw`, against the real server and binary.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod common;

use common::{Server, get, post};
use serde_json::Value;
use std::process::Command;

const DATE: &str = "2024-06-01";
/// Off Sevastopol, in the waters of occupied Crimea.
const SEA: (f64, f64) = (33.5224, 44.6167);

/// A point inside the largest sliver of the example source on [`DATE`], found from the library
/// (the pieces the rule moved), with the status the rule gives it.
fn sliver_point() -> (f64, f64) {
    use geo::InteriorPoint;
    let cat = frontline::Catalog::load_embedded().unwrap();
    let f = cat.in_force(None, frontline::model::parse_date(DATE).unwrap()).unwrap();
    let piece = f
        .computed()
        .pieces
        .iter()
        .max_by(|a, b| a.area_km2.total_cmp(&b.area_km2))
        .expect("the example source has a sliver");
    let p = piece.polygon.interior_point().unwrap();
    (p.x(), p.y())
}

/// The statuses a route gives: (sliver point, sea point), checked against the one meaning.
fn assert_pair(what: &str, raw: bool, sliver: &str, sea: &str) {
    if raw {
        assert_eq!((sliver, sea), ("covered", "outside"), "{what} raw");
    } else {
        assert_eq!((sliver, sea), ("occupied", "occupied"), "{what} after the rule");
    }
}

fn status_on(intervals: &Value, date: &str) -> String {
    intervals
        .as_array()
        .unwrap()
        .iter()
        .find(|iv| iv["from"].as_str().unwrap() <= date && iv["to"].as_str().is_none_or(|t| date <= t))
        .map(|iv| iv["status"].as_str().unwrap().to_string())
        .unwrap_or_else(|| panic!("no interval on {date}: {intervals}"))
}

#[test]
fn raw_means_one_thing_on_every_http_route() {
    let s = Server::spawn(&[], &[]);
    let (sx, sy) = sliver_point();
    let (wx, wy) = SEA;
    let flag = |raw: bool| if raw { "&raw=true" } else { "" };
    for raw in [false, true] {
        // GET /v1/coverage: one point.
        let one = |x: f64, y: f64| {
            let r = get(
                s.addr,
                &format!("/v1/coverage?lon={x}&lat={y}&date={DATE}{}", flag(raw)),
                "",
            );
            assert_eq!(r.status, 200, "{}", r.text());
            r.json()
        };
        let (a, b) = (one(sx, sy), one(wx, wy));
        assert_pair(
            "coverage",
            raw,
            a["status"].as_str().unwrap(),
            b["status"].as_str().unwrap(),
        );
        assert_eq!(a.get("raw").is_some(), raw, "{a}");
        assert_eq!(b["in_waters"], Value::Bool(!raw), "{b}");
        // The sliver member is of the rule: absent in the raw composition.
        assert_eq!(a.get("sliver").is_some(), !raw, "{a}");
        if !raw {
            assert_eq!(a["sliver"]["raw_status"], "covered", "{a}");
        } else {
            assert!(b["border_km"].as_f64().unwrap() < 1.0, "{b}");
        }
        // ... with sources=all.
        let r = get(
            s.addr,
            &format!("/v1/coverage?lon={wx}&lat={wy}&date={DATE}&sources=all{}", flag(raw)),
            "",
        );
        assert_eq!(r.status, 200, "{}", r.text());
        let all = r.json();
        let r = get(
            s.addr,
            &format!("/v1/coverage?lon={sx}&lat={sy}&date={DATE}&sources=all{}", flag(raw)),
            "",
        );
        let all_s = r.json();
        assert_pair(
            "coverage sources=all",
            raw,
            all_s["answers"][0]["status"].as_str().unwrap(),
            all["answers"][0]["status"].as_str().unwrap(),
        );

        // GET /v1/history.
        let hist = |x: f64, y: f64| {
            let r = get(s.addr, &format!("/v1/history?lon={x}&lat={y}{}", flag(raw)), "");
            assert_eq!(r.status, 200, "{}", r.text());
            r.json()
        };
        let (ha, hb) = (hist(sx, sy), hist(wx, wy));
        assert_eq!(ha.get("raw").is_some(), raw, "{ha}");
        assert_pair(
            "history",
            raw,
            &status_on(&ha["intervals"], DATE),
            &status_on(&hb["intervals"], DATE),
        );

        // POST /v1/history, GeoJSON and CSV.
        let fc = format!(
            r#"{{"type":"FeatureCollection","features":[{{"type":"Feature","properties":{{"id":"s"}},"geometry":{{"type":"Point","coordinates":[{sx},{sy}]}}}},{{"type":"Feature","properties":{{"id":"w"}},"geometry":{{"type":"Point","coordinates":[{wx},{wy}]}}}}]}}"#
        );
        let r = post(
            s.addr,
            if raw { "/v1/history?raw=true" } else { "/v1/history" },
            "application/geo+json",
            fc.as_bytes(),
        );
        assert_eq!(r.status, 200, "{}", r.text());
        let j = r.json();
        assert_eq!(j["frontline"].get("raw").is_some(), raw, "{}", j["frontline"]);
        assert_pair(
            "POST history GeoJSON",
            raw,
            &status_on(&j["features"][0]["properties"]["history"], DATE),
            &status_on(&j["features"][1]["properties"]["history"], DATE),
        );
        let csv = format!("id,lon,lat\ns,{sx},{sy}\nw,{wx},{wy}\n");
        let path = if raw { "/v1/history?raw=true" } else { "/v1/history" };
        let r = post(s.addr, path, "text/csv", csv.as_bytes());
        assert_eq!(r.status, 200, "{}", r.text());
        let text = r.text();
        let on = |id: &str| -> String {
            text.lines()
                .skip(1)
                .filter(|l| l.starts_with(&format!("{id},")))
                .map(|l| l.split(',').collect::<Vec<_>>())
                .find(|c| c[3] <= DATE && (c[4].is_empty() || DATE <= c[4]))
                .map(|c| c[5].to_string())
                .unwrap_or_else(|| panic!("{id} on {DATE}: {text}"))
        };
        assert_pair("POST history CSV", raw, &on("s"), &on("w"));

        // POST /v1/classify, GeoJSON and CSV.
        let r = post(
            s.addr,
            &format!("/v1/classify?date={DATE}{}", flag(raw)),
            "application/geo+json",
            fc.as_bytes(),
        );
        assert_eq!(r.status, 200, "{}", r.text());
        let j = r.json();
        assert_eq!(j["frontline"].get("raw").is_some(), raw, "{}", j["frontline"]);
        let st = |i: usize| j["features"][i]["properties"]["status"].as_str().unwrap().to_string();
        assert_pair("POST classify GeoJSON", raw, &st(0), &st(1));
        assert_eq!(
            j["features"][1]["properties"].get("in_waters").is_some(),
            !raw,
            "{}",
            j["features"][1]
        );
        let r = post(
            s.addr,
            &format!("/v1/classify?date={DATE}{}", flag(raw)),
            "text/csv",
            csv.as_bytes(),
        );
        assert_eq!(r.status, 200, "{}", r.text());
        assert_eq!(r.header("x-frontline-raw").is_some(), raw);
        let text = r.text();
        let st = |id: &str| -> String {
            let l = text.lines().find(|l| l.starts_with(&format!("{id},"))).unwrap();
            l.split(',').nth(3).unwrap().to_string()
        };
        assert_pair("POST classify CSV", raw, &st("s"), &st("w"));

        // GET /v1/timeline, JSON and CSV: the waters' figures are of the rule only.
        let r = get(s.addr, &format!("/v1/timeline?date={DATE}{}", flag(raw)), "");
        assert_eq!(r.status, 200, "{}", r.text());
        let row = r.json()["rows"][0].clone();
        assert_eq!(row["waters_occupied_km2"].is_null(), raw, "{row}");
        assert_eq!(row["moved_km2"].as_f64().unwrap() == 0.0, raw, "{row}");
        let r = get(
            s.addr,
            &format!("/v1/timeline?date={DATE}{}", flag(raw)),
            "Accept: text/csv\r\n",
        );
        let text = r.text();
        let (head, line) = (text.lines().next().unwrap(), text.lines().nth(1).unwrap());
        let col = head.split(',').position(|c| c == "waters_occupied_km2").unwrap();
        assert_eq!(line.split(',').nth(col).unwrap().is_empty(), raw, "{text}");

        // GET /v1/diff: no waters in the raw composition.
        let r = get(s.addr, &format!("/v1/diff?from=2024-01-01&to={DATE}{}", flag(raw)), "");
        assert_eq!(r.status, 200, "{}", r.text());
        let j = r.json();
        assert_eq!(j["frontline"]["raw"], Value::Bool(raw));
        assert_eq!(
            j["frontline"]["totals"]["waters"].is_null(),
            raw,
            "{}",
            j["frontline"]["totals"]
        );

        // GET /v1/layers: the raw occupied layer leaves the sliver out; the rule's has it.
        let r = get(s.addr, &format!("/v1/layers/occupied?date={DATE}{}", flag(raw)), "");
        assert_eq!(r.status, 200, "{}", r.text());
        let j = r.json();
        assert_eq!(j["frontline"]["raw"], Value::Bool(raw));
        let mp: geo::MultiPolygon<f64> = j["features"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                let g: geojson::Geometry = serde_json::from_value(f["geometry"].clone()).unwrap();
                geo::Polygon::<f64>::try_from(g.value).unwrap()
            })
            .collect();
        use geo::Contains;
        assert_eq!(mp.contains(&geo::Point::new(sx, sy)), !raw, "layers occupied");
    }
}

fn cli(args: &[&str]) -> String {
    let o = Command::new(env!("CARGO_BIN_EXE_frontline"))
        .args(args)
        .current_dir(common::repo())
        .output()
        .unwrap();
    assert!(o.status.success(), "{args:?}: {}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout).unwrap()
}

#[test]
fn raw_means_one_thing_on_every_command() {
    let (sx, sy) = sliver_point();
    let (wx, wy) = SEA;
    let dir = tempfile::tempdir().unwrap();
    let points = dir.path().join("p.csv");
    std::fs::write(&points, format!("id,lon,lat\ns,{sx},{sy}\nw,{wx},{wy}\n")).unwrap();
    let points = points.to_str().unwrap();
    for raw in [false, true] {
        let with = |mut a: Vec<String>| {
            if raw {
                a.push("--raw".into());
            }
            a
        };
        let run = |a: Vec<String>| cli(&a.iter().map(String::as_str).collect::<Vec<_>>());
        let q = |x: f64, y: f64| -> Value {
            serde_json::from_str(&run(with(vec![
                "query".into(),
                format!("--lon={x}"),
                format!("--lat={y}"),
                format!("--date={DATE}"),
            ])))
            .unwrap()
        };
        let (a, b) = (q(sx, sy), q(wx, wy));
        assert_pair(
            "query",
            raw,
            a["status"].as_str().unwrap(),
            b["status"].as_str().unwrap(),
        );
        assert_eq!(b["in_waters"], Value::Bool(!raw));

        let h = |x: f64, y: f64| -> String {
            let j: Value = serde_json::from_str(&run(with(vec![
                "history".into(),
                format!("--lon={x}"),
                format!("--lat={y}"),
            ])))
            .unwrap();
            assert_eq!(j.get("raw").is_some(), raw, "{j}");
            status_on(&j["intervals"], DATE)
        };
        assert_pair("history", raw, &h(sx, sy), &h(wx, wy));
        let text = run(with(vec!["history".into(), "--points".into(), points.into()]));
        let on = |id: &str| -> String {
            text.lines()
                .filter(|l| l.starts_with(&format!("{id},")))
                .map(|l| l.split(',').collect::<Vec<_>>())
                .find(|c| c[3] <= DATE && (c[4].is_empty() || DATE <= c[4]))
                .map(|c| c[5].to_string())
                .unwrap()
        };
        assert_pair("history --points", raw, &on("s"), &on("w"));

        let text = run(with(vec!["classify".into(), points.into(), format!("--date={DATE}")]));
        let st = |id: &str| -> String {
            let l = text.lines().find(|l| l.starts_with(&format!("{id},"))).unwrap();
            l.split(',').nth(3).unwrap().to_string()
        };
        assert_pair("classify", raw, &st("s"), &st("w"));

        let text = run(with(vec!["timeline".into(), format!("--date={DATE}")]));
        let (head, line) = (text.lines().next().unwrap(), text.lines().nth(1).unwrap());
        let col = head.split(',').position(|c| c == "waters_occupied_km2").unwrap();
        assert_eq!(line.split(',').nth(col).unwrap().is_empty(), raw, "{text}");

        let text = run(with(vec![
            "diff".into(),
            "--from=2024-01-01".into(),
            format!("--to={DATE}"),
        ]));
        let j: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(j["frontline"]["raw"], Value::Bool(raw));
        assert_eq!(j["frontline"]["totals"]["waters"].is_null(), raw);
    }
}
