//! The HTTP API end to end: the real `frontline serve` binary on an ephemeral port of
//! 127.0.0.1, spoken to with raw HTTP/1.1 (so that chunked uploads, missing lengths and slow
//! headers can be tested exactly).

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

mod common;

use common::repo;

use common::{Reply, Server, get, post, post_chunked, raw, read_reply};

impl Server {
    fn start(args: &[&str]) -> Server {
        Server::spawn(args, &[])
    }
}

#[test]
fn coverage_answers_with_provenance() {
    let s = Server::start(&[]);
    let r = get(s.addr, "/v1/coverage?lon=34.1&lat=44.95&date=2024-05-01", "");
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("content-type"), Some("application/json"));
    let v = r.json();
    assert_eq!(v["status"], "occupied");
    assert_eq!(v["snapshot"]["id"], "example:2024-03-01");
    assert_eq!(v["synthetic"], true);
    assert_eq!(v["baselines"][0]["name"], "crimea");
    assert!(v.get("line_of_contact_km").is_none());
    let v = get(
        s.addr,
        "/v1/coverage?lon=34.1&lat=44.95&date=2024-05-01&distance=true",
        "",
    )
    .json();
    assert!(v["line_of_contact_km"].as_f64().unwrap() > 50.0, "{v}");
    // The nearest point of the line, checkable: its geodesic distance is the answer's.
    let at = v["line_of_contact_nearest"].as_array().unwrap();
    let (x, y) = (at[0].as_f64().unwrap(), at[1].as_f64().unwrap());
    let d = geo::Distance::distance(&geo::Geodesic, geo::Point::new(34.1, 44.95), geo::Point::new(x, y)) / 1e3;
    assert!((d - v["line_of_contact_km"].as_f64().unwrap()).abs() < 1e-6, "{v}");
    get(
        s.addr,
        "/v1/coverage?lon=34.1&lat=44.95&date=2024-05-01&distance=yes",
        "",
    )
    .assert_problem(400, "must be true or false");
    assert_eq!(
        get(
            s.addr,
            "/v1/coverage?lon=30.52&lat=50.45&date=2024-05-01&source=example",
            ""
        )
        .json()["status"],
        "covered"
    );
    assert_eq!(
        get(s.addr, "/v1/coverage?lon=21&lat=52&date=2024-05-01", "").json()["status"],
        "outside"
    );
}

#[test]
fn bad_parameters_are_precise_problems_and_the_server_keeps_answering() {
    let s = Server::start(&[]);
    let cases: [(&str, u16, &str); 14] = [
        (
            "/v1/coverage?lat=44&date=2024-05-01",
            400,
            "parameter 'lon' is required",
        ),
        (
            "/v1/coverage?lon=30&lon=31&lat=44&date=2024-05-01",
            400,
            "parameter 'lon' is given more than once",
        ),
        (
            "/v1/coverage?lon=abc&lat=44&date=2024-05-01",
            400,
            "lon 'abc' is not a number",
        ),
        (
            "/v1/coverage?lon=1e400&lat=44&date=2024-05-01",
            400,
            "lon '1e400' must be a finite number in [-180, 180]",
        ),
        (
            "/v1/coverage?lon=NaN&lat=44&date=2024-05-01",
            400,
            "lon 'NaN' must be a finite number",
        ),
        (
            "/v1/coverage?lon=30&lat=inf&date=2024-05-01",
            400,
            "lat 'inf' must be a finite number",
        ),
        (
            "/v1/coverage?lon=30&lat=44&date=2022-13-01",
            400,
            "date: '2022-13-01' is not a valid calendar date",
        ),
        (
            "/v1/coverage?lon=30&lat=44&date=2024-05-01&zoom=3",
            400,
            "unknown parameter 'zoom'",
        ),
        (
            "/v1/coverage?lon=30&lat=44&date=2024-05-01&source=nope",
            404,
            "unknown source 'nope'",
        ),
        (
            "/v1/coverage?lon=30&lat=44&date=2023-01-01",
            404,
            "its first snapshot is dated 2024-01-01",
        ),
        ("/v1/layers/roads?date=2024-05-01", 404, "unknown layer 'roads'"),
        (
            "/v1/layers/coverage?date=2024-05-01&bbox=1,2,3",
            400,
            "minLon,minLat,maxLon,maxLat",
        ),
        ("/v1/layers/coverage?date=2024-05-01&precision=2.5", 400, "whole number"),
        ("/nowhere", 404, "no such route"),
    ];
    for (path, status, want) in cases {
        let r = get(s.addr, path, "");
        r.assert_problem(status, want);
    }
    let r = raw(
        s.addr,
        b"DELETE /v1/coverage HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
    );
    r.assert_problem(405, "method not allowed");
    // An Accept no form matches: the default JSON form (RFC 9110 §12.5.1), never a 406.
    let r = get(s.addr, "/v1/timeline", "Accept: image/png\r\n");
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert_eq!(get(s.addr, "/healthz", "").status, 200);
}

#[test]
fn classify_csv_streams_chunked_uploads_and_reports_bad_input() {
    let s = Server::start(&["--max-body-mb", "1", "--max-points", "50000"]);
    let mut csv = String::from("id,lon,lat\n");
    for i in 0..20_000 {
        csv.push_str(&format!(
            "p{i},{},{}\n",
            22.0 + (i % 180) as f64 * 0.1,
            44.3 + (i / 180) as f64 * 0.07
        ));
    }
    let r = post_chunked(s.addr, "/v1/classify?date=2024-05-01", "text/csv", csv.as_bytes());
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("x-frontline-snapshot"), Some("example:2024-03-01"));
    assert_eq!(r.header("x-frontline-synthetic"), Some("true"));
    let text = r.text();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "id,lon,lat,status,snapshot,revised");
    assert_eq!(lines.len(), 20_001);
    assert!(lines[1].starts_with("p0,22,44.3,outside,"));
    assert!(lines.last().unwrap().starts_with("p19999,"));

    // A truncated line, a bad header, a number that is not finite: precise 400s.
    post(
        s.addr,
        "/v1/classify?date=2024-05-01",
        "text/csv",
        b"id,lon,lat\na,30,50\nb,30.1\n",
    )
    .assert_problem(400, "line 3: expected 3 fields id,lon,lat, found 2");
    post(s.addr, "/v1/classify?date=2024-05-01", "text/csv", b"lon,lat\n30,50\n")
        .assert_problem(400, "line 1: the header 'lon,lat' has no column 'id'");
    post(
        s.addr,
        "/v1/classify?date=2024-05-01",
        "text/csv; charset=utf-8",
        b"id,lon,lat\na,1e400,50\n",
    )
    .assert_problem(400, "line 2: lon '1e400' must be a finite number in [-180, 180]");
    // Too many points; too large a body, declared or streamed.
    let mut many = String::from("id,lon,lat\n");
    for i in 0..50_001 {
        many.push_str(&format!("{i},30,50\n"));
    }
    post(s.addr, "/v1/classify?date=2024-05-01", "text/csv", many.as_bytes())
        .assert_problem(413, "more than 50000 points");
    let mut big = String::from("id,lon,lat\n");
    while big.len() < 1_100_000 {
        big.push_str(&format!("{}{},30,50\n", "x".repeat(100), big.len()));
    }
    let big = big.into_bytes();
    post(s.addr, "/v1/classify?date=2024-05-01", "text/csv", &big).assert_problem(413, "exceeds 1048576 bytes");
    post_chunked(s.addr, "/v1/classify?date=2024-05-01", "text/csv", &big).assert_problem(413, "exceeds 1048576 bytes");
    // A 100 MB declared body is refused before it is read.
    let r = raw(
        s.addr,
        b"POST /v1/classify?date=2024-05-01 HTTP/1.1\r\nHost: t\r\nConnection: close\r\nContent-Type: text/csv\r\nContent-Length: 104857600\r\n\r\nid,lon,lat\n",
    );
    r.assert_problem(413, "exceeds");
    // A body with no line ends is refused at the first over-long line, quickly.
    post(s.addr, "/v1/classify?date=2024-05-01", "text/csv", &vec![b'7'; 900_000])
        .assert_problem(400, "line 1: a line is longer than 65536 bytes");
    let mut long_line = b"id,lon,lat\n1,30,50\n2,".to_vec();
    long_line.extend(vec![b'4'; 70_000]);
    post(s.addr, "/v1/classify?date=2024-05-01", "text/csv", &long_line)
        .assert_problem(400, "line 3: a line is longer than 65536 bytes");
    // A long extra column is a row like any other (issue 9 tester F5: 4 KiB refused it, hinting
    // at a wrong header).
    let mut long_note = b"id,lon,lat,note
1,30,50,"
        .to_vec();
    long_note.extend(vec![b'n'; 20_000]);
    long_note.push(b'\n');
    let r = post(s.addr, "/v1/classify?date=2024-05-01", "text/csv", &long_note);
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(
        r.text()
            .lines()
            .nth(1)
            .unwrap()
            .starts_with(&format!("1,30,50,{}", "n".repeat(20_000)))
    );
    let r = post(
        s.addr,
        "/v1/classify?date=2024-05-01",
        "text/csv",
        format!("id,lon,lat\n1,{},50\n", "9".repeat(1000)).as_bytes(),
    );
    r.assert_problem(
        400,
        "line 2: lon '9999999999999999999999999999999999999999...' must be a finite number in [-180, 180]",
    );
    assert!(r.text().len() < 400);
    // Unknown media type, missing date.
    post(s.addr, "/v1/classify?date=2024-05-01", "application/xml", b"<x/>")
        .assert_problem(415, "'application/xml' is not accepted");
    post(s.addr, "/v1/classify", "text/csv", b"id,lon,lat\n").assert_problem(400, "parameter 'date' is required");
    assert_eq!(get(s.addr, "/healthz", "").status, 200);
}

#[test]
fn classify_geojson_keeps_order_and_refuses_polygons() {
    let s = Server::start(&[]);
    let body = br#"{"type":"FeatureCollection","features":[
        {"type":"Feature","properties":{"name":"Simferopol"},"geometry":{"type":"Point","coordinates":[34.1,44.95]}},
        {"type":"Feature","properties":null,"geometry":{"type":"Point","coordinates":[30.52,50.45]}},
        {"type":"Feature","geometry":{"type":"Point","coordinates":[21.0,52.0]}}]}"#;
    for ct in ["application/geo+json", "application/json; charset=utf-8"] {
        let r = post(s.addr, "/v1/classify?date=2024-05-01", ct, body);
        assert_eq!(r.status, 200, "{}", r.text());
        let v = r.json();
        let f = v["features"].as_array().unwrap();
        assert_eq!(f[0]["properties"]["name"], "Simferopol");
        let statuses: Vec<&str> = f.iter().map(|x| x["properties"]["status"].as_str().unwrap()).collect();
        assert_eq!(statuses, ["occupied", "covered", "outside"]);
        assert_eq!(f[1]["properties"]["snapshot"], "example:2024-03-01");
        assert_eq!(v["frontline"]["synthetic"], true);
    }
    let bad = br#"{"type":"FeatureCollection","features":[
        {"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[34.1,44.95]}},
        {"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[30,50],[31,50],[31,51],[30,50]]]}}]}"#;
    post(s.addr, "/v1/classify?date=2024-05-01", "application/geo+json", bad).assert_problem(
        400,
        "feature 1: geometry is a Polygon; only Point features can be classified",
    );
    post(
        s.addr,
        "/v1/classify?date=2024-05-01",
        "application/geo+json",
        b"{\"type\":",
    )
    .assert_problem(400, "invalid JSON");
    post(
        s.addr,
        "/v1/classify?date=2024-05-01",
        "application/geo+json",
        br#"{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[200,50]}}]}"#,
    )
    .assert_problem(400, "feature 0: lon 200 must be a finite number in [-180, 180]");
    assert_eq!(get(s.addr, "/healthz", "").status, 200);
}

/// Issue 9 (a property the answer writes): on both GeoJSON batch routes, a feature whose
/// properties already have a member the answer writes (each member of the answer's own list) is
/// a 400 problem+json naming the feature (index, id) and the property, with a typed finding per
/// property; names that merely resemble one, nested ones, and on `/v1/history` the `status` its
/// answer nests inside `history`, pass through unchanged. The README and the OpenAPI document
/// name every member of both lists.
#[test]
fn a_feature_property_the_answer_writes_is_refused_on_both_geojson_routes() {
    use frontline::output::points::{classified_members, history_members};
    use serde_json::json;
    let s = Server::start(&[]);
    let point = |id: &str, props: &str| {
        format!(
            r#"{{"type":"Feature"{id},"properties":{props},"geometry":{{"type":"Point","coordinates":[30.52,50.45]}}}}"#
        )
    };
    let fc = |fs: &[String]| format!(r#"{{"type":"FeatureCollection","features":[{}]}}"#, fs.join(","));
    let routes = [
        ("/v1/classify?date=2024-05-01", classified_members()),
        ("/v1/history", history_members()),
    ];
    for (path, members) in routes {
        assert!(members.iter().any(|m| m == "snapshot"), "{members:?}");
        for m in members {
            let body = fc(&[
                point("", r#"{"name":"a"}"#),
                point(r#","id":"k-2""#, &format!(r#"{{"name":"b","{m}":"mine"}}"#)),
            ]);
            let r = post(s.addr, path, "application/geo+json", body.as_bytes());
            r.assert_problem(
                400,
                &format!("feature 1 (id \"k-2\"): the property '{m}' is a member the answer writes"),
            );
            let v = r.json();
            assert_eq!(v["type"], "/problems/invalid-body", "{v}");
            assert_eq!(
                v["problems"],
                json!([{"code": "reserved-property", "feature": 1, "location": format!("properties.{m}"),
                        "message": format!("the property '{m}' is a member the answer writes")}]),
                "{path} {m}"
            );
        }
        // Two at once, on a feature with a numeric id: both named (in name order).
        let body = fc(&[point(r#","id":7"#, r#"{"synthetic":1,"x":2,"source":3}"#)]);
        let r = post(s.addr, path, "application/json", body.as_bytes());
        r.assert_problem(
            400,
            "feature 0 (id 7): the properties 'source', 'synthetic' are members the answer writes",
        );
        assert_eq!(r.json()["problems"].as_array().unwrap().len(), 2);
        // Properties that are not an object cannot take the answer's members.
        post(
            s.addr,
            path,
            "application/geo+json",
            fc(&[point("", "[1,2]")]).as_bytes(),
        )
        .assert_problem(
            400,
            "feature 0: properties is an array; a feature's properties are an object or null",
        );
    }
    // Resembling names and nested ones pass through unchanged, beside the answer's own.
    let similar = r#"{"Status":"a","status_old":"b","SNAPSHOT":"c","meta":{"status":"d","snapshot":"e"}}"#;
    let kept = serde_json::from_str::<serde_json::Value>(similar).unwrap();
    let r = post(
        s.addr,
        "/v1/classify?date=2024-05-01",
        "application/geo+json",
        fc(&[point(r#","id":"s""#, similar)]).as_bytes(),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let p = &r.json()["features"][0]["properties"];
    for (k, v) in kept.as_object().unwrap() {
        assert_eq!(&p[k], v, "{k}: {p}");
    }
    assert_eq!(p["status"], "covered", "{p}");
    assert_eq!(p["snapshot"], "example:2024-03-01", "{p}");
    // A history nests each interval's status inside `history`: a caller's `status` (and `date`)
    // stays, no clash.
    let r = post(
        s.addr,
        "/v1/history",
        "application/geo+json",
        fc(&[point("", r#"{"status":"mine","date":"2024-01-01","Snapshot":"x"}"#)]).as_bytes(),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let p = &r.json()["features"][0]["properties"];
    assert_eq!(p["status"], "mine", "{p}");
    assert_eq!(p["date"], "2024-01-01", "{p}");
    assert_eq!(p["Snapshot"], "x", "{p}");
    assert_eq!(p["history"][0]["status"], "covered", "{p}");
    // The documents name every member: the README's section and the OpenAPI body descriptions.
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    let section = readme
        .split("### GeoJSON batches")
        .nth(1)
        .and_then(|t| t.split("\n## ").next())
        .expect("README section GeoJSON batches");
    let doc = get(s.addr, "/openapi.json", "").json();
    for (path, members) in [
        ("/v1/classify", classified_members()),
        ("/v1/history", history_members()),
    ] {
        let said =
            doc["paths"][path]["post"]["requestBody"]["content"]["application/geo+json"]["schema"]["description"]
                .as_str()
                .unwrap();
        assert!(said.contains(&members.join(", ")), "{path}: {said}");
        assert!(said.contains("reserved-property"), "{said}");
        for m in members {
            assert!(section.contains(&format!("`{m}`")), "README does not name {m}");
        }
    }
}

#[test]
fn diff_answers_geojson_with_totals() {
    let s = Server::start(&[]);
    let r = get(s.addr, "/v1/diff?from=2024-01-01&to=2024-03-01", "");
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("content-type"), Some("application/geo+json"));
    let v = r.json();
    assert!(v["frontline"]["totals"]["gained_km2"].as_f64().unwrap() > 3000.0);
    assert_eq!(v["frontline"]["from"]["snapshot"]["id"], "example:2024-01-01");
    assert_eq!(v["frontline"]["to"]["snapshot"]["id"], "example:2024-03-01");
    assert_eq!(v["features"][0]["properties"]["change"], "gained");
    get(s.addr, "/v1/diff?from=2024-01-01", "").assert_problem(400, "parameter 'to' is required");
    get(s.addr, "/v1/diff?from=2024-01-01&to=2024-03-01&min_area_km2=-1", "").assert_problem(400, "min_area_km2 '-1'");
    get(s.addr, "/v1/diff?from=2020-01-01&to=2024-03-01", "").assert_problem(404, "first snapshot is dated 2024-01-01");
}

#[test]
fn listings_timeline_and_health() {
    let s = Server::start(&[]);
    let v = get(s.addr, "/v1/sources", "").json();
    assert_eq!(v["sources"][0]["name"], "example");
    assert_eq!(v["sources"][0]["default"], true);
    assert_eq!(v["sources"][0]["snapshots"], 4);
    assert_eq!(v["sources"][0]["synthetic"], true);
    let v = get(s.addr, "/v1/snapshots?source=example", "").json();
    let snaps = v["snapshots"].as_array().unwrap();
    assert_eq!(snaps.len(), 4);
    assert_eq!(snaps[0]["id"], "example:2024-01-01");
    assert_eq!(snaps[0]["provenance"]["sha256"].as_str().unwrap().len(), 64);
    assert!(snaps[0]["occupied_km2"].as_f64().unwrap() > 60_000.0);
    assert_eq!(snaps[0]["features"], 2);
    get(s.addr, "/v1/snapshots?source=nope", "").assert_problem(404, "unknown source");

    let v = get(s.addr, "/v1/timeline?from=2024-02-01&to=2024-06-01", "").json();
    let rows = v["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["date"], "2024-03-01");
    let r = get(s.addr, "/v1/timeline", "Accept: text/csv\r\n");
    assert_eq!(r.status, 200);
    assert!(r.header("content-type").unwrap().starts_with("text/csv"));
    assert!(r.text().starts_with(
        "date,occupied_km2,contested_km2,covered_km2,line_km,gained_km2,lost_km2,snapshot,synthetic,\
         waters_occupied_km2,waters_contested_km2,waters_covered_km2,moved_km2,revised\n2024-01-01,"
    ));
    get(s.addr, "/v1/timeline?from=2024-06-01&to=2024-01-01", "").assert_problem(400, "is after");

    assert_eq!(get(s.addr, "/healthz", "").json()["status"], "ok");
    let v = get(s.addr, "/readyz", "").json();
    assert_eq!(v["status"], "ready");
    assert_eq!(v["snapshots"], 4);
    let m = get(s.addr, "/metrics", "").text();
    assert!(
        m.contains("frontline_http_requests_total{route=\"/v1/snapshots\",status=\"200\"} 1"),
        "{m}"
    );
    assert!(
        m.contains("frontline_http_requests_total{route=\"/v1/snapshots\",status=\"404\"} 1"),
        "{m}"
    );
    assert!(
        m.contains("frontline_http_request_duration_seconds_bucket{route=\"/v1/timeline\",le=\"+Inf\"} 3"),
        "{m}"
    );
    assert!(m.contains("frontline_snapshots_loaded{source=\"example\"} 4"), "{m}");
}

#[test]
fn layers_have_strong_etags_gzip_and_options() {
    let s = Server::start(&[]);
    let path = "/v1/layers/coverage?date=2024-05-01";
    let r = get(s.addr, path, "");
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("application/geo+json"));
    let etag = r.header("etag").unwrap().to_string();
    assert!(etag.starts_with('"') && !etag.starts_with("W/"));
    assert!(r.header("cache-control").unwrap().contains("max-age"));
    let v = r.json();
    assert_eq!(v["type"], "FeatureCollection");
    assert_eq!(v["frontline"]["layer"], "coverage");
    assert_eq!(v["frontline"]["synthetic"], true);
    assert!(!v["features"].as_array().unwrap().is_empty());
    let first = &v["features"][0]["geometry"]["coordinates"][0][0];
    assert!(first[0].to_string().split('.').nth(1).is_none_or(|d| d.len() <= 6));

    // Another date in the same epoch: the same features, but `date` is the date asked for (so
    // another ETag); 304 on If-None-Match.
    let other = get(s.addr, "/v1/layers/coverage?date=2024-04-01", "");
    assert_ne!(other.header("etag"), Some(etag.as_str()));
    assert_eq!(other.json()["frontline"]["date"], "2024-04-01");
    assert_eq!(other.json()["frontline"]["epoch_from"], v["frontline"]["epoch_from"]);
    assert_eq!(other.json()["features"][0]["geometry"], v["features"][0]["geometry"]);
    let r = get(s.addr, path, &format!("If-None-Match: {etag}\r\n"));
    assert_eq!(r.status, 304);
    assert!(r.body.is_empty());
    assert_ne!(
        get(s.addr, "/v1/layers/coverage?date=2024-06-01", "").header("etag"),
        Some(etag.as_str())
    );

    // gzip when accepted, identical content.
    let r = get(s.addr, path, "Accept-Encoding: gzip, br\r\n");
    assert_eq!(r.header("content-encoding"), Some("gzip"));
    let mut plain = Vec::new();
    flate2::read::GzDecoder::new(&r.body[..])
        .read_to_end(&mut plain)
        .unwrap();
    assert_eq!(serde_json::from_slice::<serde_json::Value>(&plain).unwrap(), v);
    assert_eq!(
        get(s.addr, path, "Accept-Encoding: gzip;q=0\r\n").header("content-encoding"),
        None
    );

    // bbox keeps the features that intersect it; simplify_m removes vertices; precision.
    let all = v["features"].as_array().unwrap().len();
    let crimea = get(s.addr, "/v1/layers/occupied?date=2024-05-01&bbox=33,44.3,36,46", "").json();
    let n = crimea["features"].as_array().unwrap().len();
    assert!(n >= 1, "{crimea}");
    let full_occ = get(s.addr, "/v1/layers/occupied?date=2024-05-01", "").json();
    assert!(full_occ["features"].as_array().unwrap().len() > n);
    let count = |v: &serde_json::Value| v.to_string().matches('[').count();
    let simplified = get(s.addr, "/v1/layers/coverage?date=2024-05-01&simplify_m=2000", "").json();
    assert!(
        count(&simplified) < count(&v) / 2,
        "{} vs {}",
        count(&simplified),
        count(&v)
    );
    let line = get(s.addr, "/v1/layers/line?date=2024-05-01", "").json();
    assert_eq!(line["frontline"]["layer"], "line");
    let total: f64 = line["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["properties"]["length_km"].as_f64().unwrap())
        .sum();
    let length = line["frontline"]["length_km"].as_f64().unwrap();
    assert!(
        length > 300.0 && (total - length).abs() < 1e-6 * length,
        "{total} vs {length}"
    );
    assert_eq!(line["features"][0]["geometry"]["type"], "LineString");
    let p2 = get(s.addr, "/v1/layers/coverage?date=2024-05-01&precision=2", "").text();
    assert!(!p2.contains(".123456"));
    let c = &serde_json::from_str::<serde_json::Value>(&p2).unwrap()["features"][0]["geometry"]["coordinates"][0][0][0];
    assert!(c.to_string().split('.').nth(1).is_none_or(|d| d.len() <= 2), "{c}");
    assert!(all >= 1);
}

#[test]
fn cors_preflight_and_origins() {
    let s = Server::start(&["--cors-origin", "https://dash.example"]);
    let r = raw(
        s.addr,
        b"OPTIONS /v1/coverage HTTP/1.1\r\nHost: t\r\nConnection: close\r\nOrigin: https://dash.example\r\nAccess-Control-Request-Method: GET\r\n\r\n",
    );
    assert_eq!(r.status, 204);
    assert_eq!(r.header("access-control-allow-origin"), Some("https://dash.example"));
    assert!(r.header("access-control-allow-methods").unwrap().contains("GET"));
    let r = raw(
        s.addr,
        b"OPTIONS /v1/coverage HTTP/1.1\r\nHost: t\r\nConnection: close\r\nOrigin: https://evil.example\r\nAccess-Control-Request-Method: GET\r\n\r\n",
    );
    r.assert_problem(403, "origin not allowed");
    let r = get(
        s.addr,
        "/v1/coverage?lon=30&lat=50&date=2024-05-01",
        "Origin: https://dash.example\r\n",
    );
    assert_eq!(r.header("access-control-allow-origin"), Some("https://dash.example"));
    let r = get(
        s.addr,
        "/v1/coverage?lon=30&lat=50&date=2024-05-01",
        "Origin: https://evil.example\r\n",
    );
    assert_eq!(r.header("access-control-allow-origin"), None);
}

#[test]
fn slow_headers_are_cut_off() {
    let s = Server::start(&["--header-timeout-s", "1"]);
    let mut c = TcpStream::connect(s.addr).unwrap();
    c.write_all(b"GET /healthz HTTP/1.1\r\nHost: t\r\n").unwrap();
    c.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let t = Instant::now();
    let mut buf = Vec::new();
    let _ = c.read_to_end(&mut buf); // returns when the server closes the connection
    let waited = t.elapsed();
    assert!(waited < Duration::from_secs(5), "connection held for {waited:?}");
    assert_eq!(get(s.addr, "/healthz", "").status, 200);
}

#[test]
fn sigterm_lets_an_in_flight_request_finish() {
    let s = Server::start(&[]);
    let mut c = TcpStream::connect(s.addr).unwrap();
    c.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    c.write_all(b"POST /v1/classify?date=2024-05-01 HTTP/1.1\r\nHost: t\r\nConnection: close\r\nContent-Type: text/csv\r\nTransfer-Encoding: chunked\r\n\r\n").unwrap();
    let part1 = b"id,lon,lat\na,34.1,44.95\n";
    c.write_all(format!("{:x}\r\n", part1.len()).as_bytes()).unwrap();
    c.write_all(part1).unwrap();
    c.write_all(b"\r\n").unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let pid = s.child.id().to_string();
    assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    std::thread::sleep(Duration::from_millis(300));
    let part2 = b"b,30.5,50.4\n";
    c.write_all(format!("{:x}\r\n", part2.len()).as_bytes()).unwrap();
    c.write_all(part2).unwrap();
    c.write_all(b"\r\n0\r\n\r\n").unwrap();
    let r = read_reply(&mut c);
    assert_eq!(r.status, 200);
    assert_eq!(
        r.text(),
        "id,lon,lat,status,snapshot,revised\na,34.1,44.95,occupied,example:2024-03-01,false\nb,30.5,50.4,covered,example:2024-03-01,false\n"
    );
    let mut s = s;
    let status = s.child.wait().unwrap();
    assert!(status.success(), "{status:?}");
    // New connections are refused after shutdown.
    assert!(TcpStream::connect(s.addr).is_err());
}

/// The server and the CLI give the same status to the same 10,000 seeded points on a real
/// DeepState snapshot.
#[test]
#[cfg_attr(
    not(shared_deepstate),
    ignore = "needs ../shared/data/deepstate (absent when the tests were built)"
)]
fn server_and_cli_agree_on_real_data() {
    common::shared_data("deepstate");
    let dir = tempfile::tempdir().unwrap();
    let data = common::deepstate_geodata(&dir.path().join("geodata"));
    let work = std::env::var_os("PEERS_WORK")
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("frontline-bench"));
    let points = work.join("points_10k.csv");
    let csv = if points.is_file() {
        std::fs::read(&points).unwrap()
    } else {
        eprintln!(
            "NOTE: no {} (scripts/make-workload.sh); using 10,000 points of our own seed",
            points.display()
        );
        let mut s = String::from("id,lon,lat\n");
        let mut x: u64 = 20250601;
        for i in 0..10_000 {
            let mut next = || {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                (x >> 11) as f64 / (1u64 << 53) as f64
            };
            s.push_str(&format!("{i},{},{}\n", 22.0 + 18.3 * next(), 44.3 + 8.1 * next()));
        }
        s.into_bytes()
    };
    let input = dir.path().join("points.csv");
    std::fs::write(&input, &csv).unwrap();
    let cli = Command::new(env!("CARGO_BIN_EXE_frontline"))
        .args([
            "classify",
            input.to_str().unwrap(),
            "--date",
            "2025-06-01",
            "--data",
            data.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(cli.status.success(), "{}", String::from_utf8_lossy(&cli.stderr));
    let s = Server::start(&["--data", data.to_str().unwrap()]);
    let r = post(s.addr, "/v1/classify?date=2025-06-01", "text/csv", &csv);
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("x-frontline-snapshot"), Some("deepstate:2025-06-01"));
    let http = r.text();
    let cli = String::from_utf8(cli.stdout).unwrap();
    assert_eq!(http.lines().count(), 10_001);
    let differing = http.lines().zip(cli.lines()).filter(|(a, b)| a != b).count();
    assert_eq!(differing, 0);
    assert_eq!(http, cli);
    let _ = Path::new(&input);
}

#[test]
fn history_one_point_and_batches() {
    let s = Server::start(&[]);
    let r = get(s.addr, "/v1/history?lon=37.6&lat=49.5", "");
    assert_eq!(r.status, 200, "{}", r.text());
    let v = r.json();
    let statuses: Vec<&str> = v["intervals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["covered", "contested", "occupied", "covered"]);
    assert_eq!(v["intervals"][3]["to"], serde_json::Value::Null);
    assert_eq!(v["synthetic"], true);
    // The same as the CLI.
    let cli = Command::new(env!("CARGO_BIN_EXE_frontline"))
        .args(["history", "--lon", "37.6", "--lat", "49.5"])
        .current_dir(repo())
        .output()
        .unwrap();
    let cli: serde_json::Value = serde_json::from_slice(&cli.stdout).unwrap();
    assert_eq!(cli, v);

    // GeoJSON batch: histories added to the properties, provenance in the foreign member.
    let body = br#"{"type":"FeatureCollection","features":[
        {"type":"Feature","properties":{"name":"x"},"geometry":{"type":"Point","coordinates":[37.6,49.5]}},
        {"type":"Feature","properties":null,"geometry":{"type":"Point","coordinates":[10,10]}}]}"#;
    let r = post(s.addr, "/v1/history", "application/geo+json", body);
    assert_eq!(r.status, 200, "{}", r.text());
    let g = r.json();
    assert_eq!(g["features"][0]["properties"]["name"], "x");
    assert_eq!(g["features"][0]["properties"]["history"], v["intervals"]);
    assert_eq!(g["features"][1]["properties"]["history"][0]["status"], "outside");
    assert_eq!(g["frontline"]["source"], "example");
    assert!(g["frontline"]["snapshots"]["example:2024-06-01"]["provenance"]["sha256"].is_string());

    // CSV batch.
    let r = post(s.addr, "/v1/history", "text/csv", b"id,lon,lat\na,37.6,49.5\n");
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("content-type"), Some("text/csv; charset=utf-8"));
    assert_eq!(r.text().lines().count(), 5);

    // Errors.
    get(s.addr, "/v1/history?lon=37.6", "").assert_problem(400, "lat");
    get(s.addr, "/v1/history?lon=37.6&lat=49.5&date=2024-01-01", "").assert_problem(400, "unknown parameter");
    get(s.addr, "/v1/history?lon=37.6&lat=49.5&source=nope", "").assert_problem(404, "unknown source");
    post(s.addr, "/v1/history", "text/csv", b"id,lon,lat\na,NaN,1\n").assert_problem(400, "line 2");
    post(s.addr, "/v1/history", "application/xml", b"<a/>").assert_problem(415, "not accepted");
    let bad = br#"{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[200,1]}}]}"#;
    // A batch's point is read by the one position rule, in classify's words.
    post(s.addr, "/v1/history", "application/json", bad)
        .assert_problem(400, "feature 0: lon 200 must be a finite number in [-180, 180]");
}

#[test]
fn classify_adds_distances_on_request() {
    let s = Server::start(&[]);
    let r = post(
        s.addr,
        "/v1/classify?date=2024-06-01&distance=true",
        "text/csv",
        b"id,lon,lat\na,37.6,49.5\n",
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let text = r.text();
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("id,lon,lat,status,snapshot,revised,line_of_contact_km,line_nearest_lon,line_nearest_lat")
    );
    let row: Vec<&str> = lines.next().unwrap().split(',').collect();
    let point = get(
        s.addr,
        "/v1/coverage?lon=37.6&lat=49.5&date=2024-06-01&distance=true",
        "",
    )
    .json();
    let want = point["line_of_contact_km"].as_f64().unwrap();
    assert_eq!(row[5], "false");
    assert!((row[6].parse::<f64>().unwrap() - want).abs() <= 5e-7);
    let body = br#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[37.6,49.5]}}]}"#;
    let g = post(
        s.addr,
        "/v1/classify?date=2024-06-01&distance=true",
        "application/geo+json",
        body,
    )
    .json();
    assert_eq!(
        g["features"][0]["properties"]["line_of_contact_km"].as_f64().unwrap(),
        want
    );
    assert_eq!(
        g["features"][0]["properties"]["line_of_contact_nearest"],
        point["line_of_contact_nearest"]
    );
    assert!((row[7].parse::<f64>().unwrap() - point["line_of_contact_nearest"][0].as_f64().unwrap()).abs() <= 5e-8);
    let g = post(s.addr, "/v1/classify?date=2024-06-01", "application/geo+json", body).json();
    assert!(g["features"][0]["properties"].get("line_of_contact_km").is_none());
    post(
        s.addr,
        "/v1/classify?date=2024-06-01&distance=yes",
        "text/csv",
        b"id,lon,lat\n",
    )
    .assert_problem(400, "true or false");
}

#[test]
fn breakdowns_by_region_need_a_regions_layer() {
    let s = Server::start(&[]);
    get(s.addr, "/v1/diff?from=2024-01-01&to=2024-06-01&by_region=true", "").assert_problem(404, "no regions layer");
    get(s.addr, "/v1/timeline?by_region=true", "").assert_problem(404, "no regions layer");
    drop(s);
    // The embedded geodata plus the SYNTHETIC test regions.
    let dir = tempfile::tempdir().unwrap();
    let root = common::copy_embedded_geodata(dir.path(), true);
    let s = Server::start(&["--data", root.to_str().unwrap()]);
    let d = get(s.addr, "/v1/diff?from=2024-01-01&to=2024-06-01&by_region=true", "").json();
    let rows = d["frontline"]["by_region"]["regions"].as_array().unwrap();
    assert_eq!(rows.len(), 4);
    assert!(rows[2]["gained_km2"].as_f64().unwrap() > 1000.0, "{rows:?}");
    let t = get(s.addr, "/v1/timeline?by_region=true", "Accept: text/csv\r\n");
    assert_eq!(t.status, 200, "{}", t.text());
    assert!(t.text().starts_with("date,region,occupied_km2"));
    assert_eq!(t.text().lines().count(), 1 + 4 * 4);
}

// ---- ingest, reload, crash safety, concurrency ----

const TOKEN: &str = "test-token-0123456789abcdef";

/// A copy of the embedded geodata and a token file in a temporary directory.
fn writable_geodata() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = common::copy_embedded_geodata(dir.path(), false);
    let token = dir.path().join("token");
    std::fs::write(&token, format!("{TOKEN}\n")).unwrap();
    (dir, root, token)
}

/// A snapshot body: one occupied square of `size` degrees at (35, 48).
fn square_snapshot(size: f64) -> Vec<u8> {
    let (x0, y0, x1, y1) = (35.0, 48.0, 35.0 + size, 48.0 + size);
    format!(
        r#"{{"type":"FeatureCollection","features":[{{"type":"Feature","properties":{{"status":"occupied"}},"geometry":{{"type":"Polygon","coordinates":[[[{x0},{y0}],[{x1},{y0}],[{x1},{y1}],[{x0},{y1}],[{x0},{y0}]]]}}}}]}}"#
    )
    .into_bytes()
}

fn ingest(addr: SocketAddr, query: &str, auth: Option<&str>, body: &[u8]) -> Reply {
    let auth = auth
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    let mut req = format!(
        "POST /v1/snapshots?{query} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n{auth}Content-Type: application/geo+json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    req.extend_from_slice(body);
    raw(addr, &req)
}

fn listing(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn ingest_needs_the_token_and_writes_nothing_without_it() {
    let (_d, root, token) = writable_geodata();
    let src = root.join("sources/example");
    let before = listing(&src);
    // Ingest off.
    let s = Server::start(&["--data", root.to_str().unwrap(), "--watch-s", "0"]);
    ingest(
        s.addr,
        "source=example&date=2025-01-01",
        Some(TOKEN),
        &square_snapshot(0.5),
    )
    .assert_problem(403, "ingest is off");
    drop(s);
    let s = Server::with_ingest(&root, &token);
    let r = ingest(s.addr, "source=example&date=2025-01-01", None, &square_snapshot(0.5));
    r.assert_problem(401, "Bearer");
    assert_eq!(r.header("www-authenticate"), Some("Bearer"));
    ingest(
        s.addr,
        "source=example&date=2025-01-01",
        Some("wrong-token-0123456789"),
        &square_snapshot(0.5),
    )
    .assert_problem(403, "not valid");
    ingest(
        s.addr,
        &format!("source=example&date=2025-01-01&access_token={TOKEN}"),
        None,
        &square_snapshot(0.5),
    )
    .assert_problem(401, "Bearer");
    ingest(
        s.addr,
        &format!("source=example&date=2025-01-01&access_token={TOKEN}"),
        Some(TOKEN),
        &square_snapshot(0.5),
    )
    .assert_problem(400, "never taken from the query string");
    assert_eq!(listing(&src), before);
    let m = get(s.addr, "/metrics", "").text();
    assert!(m.contains("frontline_ingests_total{outcome=\"refused\"} 4"), "{m}");
}

#[test]
fn ingest_validates_writes_durably_and_goes_live() {
    let (_d, root, token) = writable_geodata();
    let src = root.join("sources/example");
    let before = listing(&src);
    let s = Server::with_ingest(&root, &token);
    // Invalid: every problem listed, nothing written.
    let bad = br#"{"type":"FeatureCollection","features":[
        {"type":"Feature","properties":{"status":"won"},"geometry":{"type":"Polygon","coordinates":[[[35,48],[36,48],[36,49],[35,48]]]}},
        {"type":"Feature","properties":{"status":"occupied"},"geometry":{"type":"Polygon","coordinates":[[[35,48],[36,49],[36,48],[35,49],[35,48]]]}}]}"#;
    let r = ingest(s.addr, "source=example&date=2025-01-01", Some(TOKEN), bad);
    r.assert_problem(422, "invalid");
    let problems = r.json()["problems"].as_array().unwrap().len();
    assert!(problems >= 2, "{}", r.text());
    ingest(
        s.addr,
        "source=nope&date=2025-01-01",
        Some(TOKEN),
        &square_snapshot(0.5),
    )
    .assert_problem(404, "unknown source");
    // A key given twice is refused, not read as the last one.
    let dup = String::from_utf8(square_snapshot(0.5)).unwrap().replace(
        "{\"status\":\"occupied\"}",
        "{\"status\":\"occupied\",\"status\":\"contested\"}",
    );
    ingest(s.addr, "source=example&date=2025-01-01", Some(TOKEN), dup.as_bytes())
        .assert_problem(400, "duplicated key 'status'");
    // Compressed bodies are refused.
    let body = square_snapshot(0.5);
    let mut req = format!(
        "POST /v1/snapshots?source=example&date=2025-01-01 HTTP/1.1\r\nHost: t\r\nConnection: close\r\nAuthorization: Bearer {TOKEN}\r\nContent-Type: application/geo+json\r\nContent-Encoding: gzip\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    req.extend_from_slice(&body);
    raw(s.addr, &req).assert_problem(415, "compressed");
    assert_eq!(listing(&src), before);
    // Good: 201, on disk, live.
    let r = ingest(
        s.addr,
        "source=example&date=2025-01-01",
        Some(TOKEN),
        &square_snapshot(0.5),
    );
    assert_eq!(r.status, 201, "{}", r.text());
    assert_eq!(r.json()["id"], "example:2025-01-01");
    assert!(src.join("2025-01-01.geojson").is_file());
    // The 201 names what it created (RFC 9110 15.3.2), and that resource answers (issue 9 F5).
    assert_eq!(r.header("location"), Some("/v1/snapshots/example:2025-01-01"));
    let one = get(s.addr, "/v1/snapshots/example:2025-01-01", "");
    assert_eq!(one.status, 200, "{}", one.text());
    assert_eq!(one.json()["snapshot"]["id"], "example:2025-01-01");
    assert_eq!(one.json()["snapshot"]["content_sha256"], r.json()["content_sha256"]);
    get(s.addr, "/v1/snapshots/example:2025-01-02", "").assert_problem(404, "no snapshot 'example:2025-01-02'");
    get(s.addr, "/v1/snapshots/example", "").assert_problem(404, "an id is source:YYYY-MM-DD");
    get(s.addr, "/v1/snapshots/nope:2025-01-01", "").assert_problem(404, "nope");
    let q = get(s.addr, "/v1/coverage?lon=35.2&lat=48.2&date=2025-02-01", "").json();
    assert_eq!(q["snapshot"]["id"], "example:2025-01-01");
    assert_eq!(q["status"], "occupied");
    // The same again: unchanged. Other content: 409 unless replace=true (old one kept).
    let r = ingest(
        s.addr,
        "source=example&date=2025-01-01",
        Some(TOKEN),
        &square_snapshot(0.5),
    );
    assert_eq!(
        (r.status, r.json()["state"].as_str()),
        (200, Some("unchanged: the same content is live"))
    );
    ingest(
        s.addr,
        "source=example&date=2025-01-01",
        Some(TOKEN),
        &square_snapshot(0.8),
    )
    .assert_problem(409, "replace=true");
    let r = ingest(
        s.addr,
        "source=example&date=2025-01-01&replace=true",
        Some(TOKEN),
        &square_snapshot(0.8),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(listing(&src.join(".history")).len(), 1);
    let q = get(s.addr, "/v1/coverage?lon=35.7&lat=48.7&date=2025-02-01", "").json();
    assert_eq!(q["status"], "occupied");
    // What was written loads as it was served.
    let o = Command::new(env!("CARGO_BIN_EXE_frontline"))
        .args(["check", "--data", root.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stdout));
}

#[test]
fn a_failed_reload_keeps_the_old_state_serving() {
    let (_d, root, _) = writable_geodata();
    let s = Server::start(&["--data", root.to_str().unwrap(), "--watch-s", "0"]);
    let hup = || {
        Command::new("kill")
            .args(["-HUP", &s.child.id().to_string()])
            .status()
            .unwrap();
    };
    let wait_reload = |want_ok: bool| {
        let t = Instant::now();
        loop {
            let v = get(s.addr, "/readyz", "").json();
            if v["last_reload"]["ok"] == want_ok {
                return v;
            }
            assert!(t.elapsed() < Duration::from_secs(20), "no reload: {v}");
            std::thread::sleep(Duration::from_millis(20));
        }
    };
    std::fs::write(root.join("sources/example/2025-01-01.geojson"), b"{ not json").unwrap();
    hup();
    let v = wait_reload(false);
    assert!(
        v["last_reload"]["problems"][0]
            .as_str()
            .unwrap()
            .contains("2025-01-01.geojson"),
        "{v}"
    );
    let q = get(s.addr, "/v1/coverage?lon=34.1&lat=44.95&date=2025-02-01", "");
    assert_eq!(q.status, 200);
    assert_eq!(q.json()["snapshot"]["id"], "example:2024-09-01");
    assert!(
        get(s.addr, "/metrics", "")
            .text()
            .contains("frontline_reloads_total{outcome=\"refused\"} 1")
    );
    // Fixed: the next reload goes live.
    std::fs::write(
        root.join("sources/example/2025-01-01.geojson"),
        String::from_utf8(square_snapshot(0.5)).unwrap().replacen(
            "{\"type\":\"FeatureCollection\",",
            "{\"type\":\"FeatureCollection\",\"frontline\":{\"kind\":\"snapshot\",\"source\":\"example\",\"date\":\"2025-01-01\",\"synthetic\":true},",
            1,
        ),
    )
    .unwrap();
    hup();
    wait_reload(true);
    let q = get(s.addr, "/v1/coverage?lon=34.1&lat=44.95&date=2025-02-01", "").json();
    assert_eq!(q["snapshot"]["id"], "example:2025-01-01");
}

#[test]
fn answers_stay_whole_while_snapshots_are_ingested_and_reloads_run() {
    let (_d, root, token) = writable_geodata();
    let s = Server::with_ingest(&root, &token);
    let addr = s.addr;
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let clients: Vec<_> = (0..2)
        .map(|k| {
            let stop = stop.clone();
            std::thread::spawn(move || {
                let mut seen = Vec::new();
                let mut n = 0u64;
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    let day = 1 + (n + k) % 28;
                    let r = get(
                        addr,
                        &format!("/v1/coverage?lon=35.2&lat=48.2&date=2025-01-{day:02}"),
                        "",
                    );
                    assert_eq!(r.status, 200, "{}", r.text());
                    seen.push((day, r.json()["snapshot"]["id"].as_str().unwrap().to_string()));
                    n += 1;
                }
                seen
            })
        })
        .collect();
    let mut live = vec!["example:2024-09-01".to_string()];
    for i in 0..20 {
        let date = format!("2025-01-{:02}", i + 1);
        let r = ingest(
            addr,
            &format!("source=example&date={date}"),
            Some(TOKEN),
            &square_snapshot(0.2 + 0.01 * i as f64),
        );
        assert_eq!(r.status, 201, "{}", r.text());
        live.push(format!("example:{date}"));
        Command::new("kill")
            .args(["-HUP", &s.child.id().to_string()])
            .status()
            .unwrap();
        std::thread::sleep(Duration::from_millis(30));
    }
    std::thread::sleep(Duration::from_millis(300));
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let mut answers = 0;
    for c in clients {
        for (day, id) in c.join().unwrap() {
            answers += 1;
            assert!(live.contains(&id), "{id} was never live");
            // The snapshot in force is dated on or before the day asked for.
            assert!(
                id.as_str() <= format!("example:2025-01-{day:02}").as_str() || id == "example:2024-09-01",
                "{day}: {id}"
            );
        }
    }
    assert!(answers > 100, "{answers} answers");
    let m = get(addr, "/metrics", "").text();
    assert!(m.contains("frontline_ingests_total{outcome=\"live\"} 20"), "{m}");
}

#[test]
fn a_killed_ingest_never_leaves_a_half_written_store() {
    use rand_like::Lcg;
    let (_d, root, token) = writable_geodata();
    let mut rng = Lcg(7);
    let mut acked: Vec<(String, String)> = Vec::new();
    let mut next_day = 0u32;
    // The window the servers admit; the loads below apply it too.
    let wide = frontline::geodata::policy::DateWindowConfig {
        not_before: None,
        not_after: chrono::NaiveDate::from_ymd_opt(2099, 12, 31),
    };
    for round in 0..50 {
        // The dates run to 2031: past the default admission window (tomorrow, UTC).
        let s = Server::start(&[
            "--data",
            root.to_str().unwrap(),
            "--ingest-token-file",
            token.to_str().unwrap(),
            "--watch-s",
            "0",
            "--not-after",
            "2099-12-31",
        ]);
        let addr = s.addr;
        let delay = Duration::from_millis(rng.next() % 40);
        // Four rounds in five wait for a first acknowledgement before the random delay, so that
        // the kills fall among ingests however slow the machine is; every fifth kills at once
        // (during start-up or the first ingest).
        let wait_for_ack = round % 5 != 0;
        let acks = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let acks2 = acks.clone();
        let start_day = next_day;
        let poster = std::thread::spawn(move || {
            let mut ok = Vec::new();
            for d in start_day..start_day + 50 {
                let date = (chrono::NaiveDate::from_ymd_opt(2025, 1, 1).unwrap() + chrono::Days::new(u64::from(d)))
                    .to_string();
                let body = square_snapshot(0.1 + f64::from(d % 97) * 0.005);
                let mut req = format!(
                    "POST /v1/snapshots?source=example&date={date} HTTP/1.1\r\nHost: t\r\nConnection: close\r\nAuthorization: Bearer {TOKEN}\r\nContent-Type: application/geo+json\r\nContent-Length: {}\r\n\r\n",
                    body.len()
                )
                .into_bytes();
                req.extend_from_slice(&body);
                let Ok(mut c) = TcpStream::connect(addr) else { break };
                let _ = c.write_all(&req);
                let mut data = Vec::new();
                let _ = c.read_to_end(&mut data);
                let text = String::from_utf8_lossy(&data);
                if !text.starts_with("HTTP/1.1 201") {
                    break; // killed (or not acknowledged)
                }
                let sha = text
                    .split("\"content_sha256\":\"")
                    .nth(1)
                    .and_then(|r| r.split('"').next())
                    .unwrap()
                    .to_string();
                ok.push((date, sha));
                acks2.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            }
            ok
        });
        let waited = std::time::Instant::now();
        while wait_for_ack
            && acks.load(std::sync::atomic::Ordering::SeqCst) == 0
            && waited.elapsed() < Duration::from_secs(30)
        {
            std::thread::sleep(Duration::from_millis(2));
        }
        std::thread::sleep(delay);
        drop(s); // SIGKILL
        let ok = poster.join().unwrap();
        next_day += 50;
        acked.extend(ok);
        // The store loads cleanly and holds every acknowledged snapshot, as acknowledged.
        let cat = frontline::catalog::Catalog::load_within(&root, &wide)
            .unwrap_or_else(|r| panic!("round {round}: {:?}", r.problems));
        let src = cat.source(Some("example")).unwrap();
        for (date, sha) in &acked {
            let s = src
                .snapshots
                .iter()
                .find(|s| s.date.to_string() == *date)
                .unwrap_or_else(|| panic!("round {round}: acknowledged {date} lost"));
            assert_eq!(&s.content_sha256, sha, "{date}");
        }
    }
    eprintln!("50 kills: {} ingests acknowledged and all found intact", acked.len());
    // At least one acknowledgement in each of the 40 rounds that waited for one.
    assert!(
        acked.len() >= 40,
        "only {} ingests acknowledged over 50 kills",
        acked.len()
    );
}

mod rand_like {
    /// A tiny seeded generator for kill delays.
    pub struct Lcg(pub u64);
    impl Lcg {
        pub fn next(&mut self) -> u64 {
            self.0 = self
                .0
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            self.0 >> 33
        }
    }
}

#[test]
fn a_change_in_the_geodata_directory_is_picked_up() {
    let (_d, root, _) = writable_geodata();
    let s = Server::start(&["--data", root.to_str().unwrap(), "--watch-s", "1"]);
    let q = get(s.addr, "/v1/coverage?lon=35.2&lat=48.2&date=2025-02-01", "").json();
    assert_eq!(q["snapshot"]["id"], "example:2024-09-01");
    let dated = |date: &str| {
        String::from_utf8(square_snapshot(0.5)).unwrap().replacen(
            "{\"type\":\"FeatureCollection\",",
            &format!("{{\"type\":\"FeatureCollection\",\"frontline\":{{\"kind\":\"snapshot\",\"source\":\"example\",\"date\":\"{date}\",\"synthetic\":true}},"),
            1,
        )
    };
    // One rule for what a load reads and what the watcher watches (`store::is_hidden`): a
    // hidden file is neither; any other name ending in .geojson is both (`*.tmp-*` included).
    std::fs::write(root.join("sources/example/.draft.geojson"), dated("2024-12-15")).unwrap();
    std::fs::write(root.join("sources/example/new.tmp-1.geojson"), dated("2025-01-01")).unwrap();
    let t = Instant::now();
    loop {
        let q = get(s.addr, "/v1/coverage?lon=35.2&lat=48.2&date=2025-02-01", "").json();
        if q["snapshot"]["id"] == "example:2025-01-01" {
            assert_eq!(q["status"], "occupied");
            break;
        }
        assert!(t.elapsed() < Duration::from_secs(20), "not reloaded: {q}");
        std::thread::sleep(Duration::from_millis(100));
    }
    let v = get(s.addr, "/readyz", "").json();
    assert_eq!(v["last_reload"]["why"], "geodata directory changed");
    let q = get(s.addr, "/v1/coverage?lon=35.2&lat=48.2&date=2024-12-20", "").json();
    assert_eq!(
        q["snapshot"]["id"], "example:2024-09-01",
        "a hidden file is not geodata: {q}"
    );
}

/// Case first-04 (issue 9 item 10): a date long after the last snapshot is answered by the date
/// semantics, and every dated answer says how old the snapshot in force is, with a warning past
/// a month that names why (no later snapshot).
#[test]
fn a_date_long_after_the_last_snapshot_says_how_old_the_answer_is() {
    let s = Server::start(&[]);
    let last = get(s.addr, "/v1/snapshots", "").json()["snapshots"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["source"] == "example")
        .filter_map(|x| x["date"].as_str().map(str::to_string))
        .max()
        .unwrap();
    let last_date = chrono::NaiveDate::parse_from_str(&last, "%Y-%m-%d").unwrap();
    let fresh = get(s.addr, &format!("/v1/coverage?lon=30.5&lat=50.4&date={last}"), "").json();
    assert_eq!(fresh["snapshot_age_days"], 0, "{fresh}");
    assert!(fresh.get("warning").is_none(), "{fresh}");
    let week = last_date + chrono::Days::new(7);
    let v = get(s.addr, &format!("/v1/coverage?lon=30.5&lat=50.4&date={week}"), "").json();
    assert_eq!(v["snapshot_age_days"], 7);
    assert!(v.get("warning").is_none(), "a week is within the month: {v}");
    let days = (chrono::NaiveDate::from_ymd_opt(2030, 1, 1).unwrap() - last_date).num_days();
    for path in [
        "/v1/coverage?lon=30.5&lat=50.4&date=2030-01-01",
        "/v1/layers/occupied?date=2030-01-01",
    ] {
        let r = get(s.addr, path, "");
        assert_eq!(r.status, 200, "{path}");
        let v = r.json();
        let v = if v.get("frontline").is_some() {
            &v["frontline"]
        } else {
            &v
        };
        assert_eq!(v["snapshot_age_days"], days, "{path}: {v}");
        let w = v["warning"]
            .as_str()
            .unwrap_or_else(|| panic!("{path}: no warning in {v}"));
        assert!(
            w.contains(&format!("{days} days old")) && w.contains(&format!("no snapshot after {last}")),
            "{path}: {w}"
        );
    }
    // The areas on one date: the one timeline row in force, with the age.
    let t = get(s.addr, "/v1/timeline?date=2030-01-01", "").json();
    assert_eq!(t["rows"].as_array().unwrap().len(), 1, "{t}");
    assert_eq!(t["rows"][0]["date"], last.as_str());
    assert_eq!(t["date"], "2030-01-01");
    assert_eq!(t["snapshot_age_days"], days);
    assert!(t["warning"].as_str().is_some(), "{t}");
    let all = get(s.addr, "/v1/timeline", "").json();
    let row = all["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["date"] == last.as_str())
        .unwrap()
        .clone();
    assert_eq!(t["rows"][0], row, "the same row as in the whole timeline");
    let mid = get(s.addr, "/v1/timeline?date=2024-04-15", "").json();
    assert_eq!(mid["rows"][0]["date"], "2024-03-01", "{mid}");
    assert_eq!(mid["snapshot_age_days"], 45);
    get(s.addr, "/v1/timeline?date=2024-04-15&from=2024-01-01", "").assert_problem(400, "either date or from/to");
    // A CSV classification has no room in its body: headers say it.
    let c = post(
        s.addr,
        "/v1/classify?date=2030-01-01",
        "text/csv",
        b"id,lon,lat\na,30.5,50.4\n",
    );
    assert_eq!(c.status, 200);
    assert_eq!(
        c.header("x-frontline-snapshot-age-days"),
        Some(days.to_string().as_str())
    );
    assert!(
        c.header("x-frontline-warning").is_some_and(|w| w.contains("days old")),
        "{:?}",
        c.headers
    );
    let c = post(
        s.addr,
        &format!("/v1/classify?date={last}"),
        "text/csv",
        b"id,lon,lat\na,30.5,50.4\n",
    );
    assert_eq!(c.header("x-frontline-snapshot-age-days"), Some("0"));
    assert!(c.header("x-frontline-warning").is_none());
    // The CLI says it on stderr.
    let o = Command::new(env!("CARGO_BIN_EXE_frontline"))
        .args(["query", "--lon", "30.5", "--lat", "50.4", "--date", "2030-01-01"])
        .current_dir(repo())
        .output()
        .unwrap();
    assert!(o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("warning: the snapshot in force on 2030-01-01 is"));
    // Both sides of a diff carry it.
    let d = get(s.addr, &format!("/v1/diff?from={last}&to=2030-01-01"), "").json();
    assert_eq!(d["frontline"]["from"]["snapshot_age_days"], 0);
    assert_eq!(d["frontline"]["to"]["snapshot_age_days"], days);
}
