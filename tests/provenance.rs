//! Provenance survives ordinary GIS tools and no answer names a server path: a server on a
//! geodata directory given by its absolute path is asked every route; no answer contains that
//! path (nor the repository's or the temporary directory's), and every feature of every GeoJSON
//! answer carries `source`, `snapshot`, `snapshot_date`, `content_sha256` and `synthetic` in its
//! properties, as parsed by the `geojson` crate and, where GDAL is installed (CI installs
//! `gdal-bin`), as `ogrinfo` reads them.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::Command;
use std::time::Duration;

mod common;

use common::Server;

const FEATURE_PROVENANCE: [&str; 5] = ["source", "snapshot", "snapshot_date", "content_sha256", "synthetic"];

fn start(data: &std::path::Path) -> Server {
    // From `/`: nothing may depend on the working directory.
    Server::spawn_in(
        std::path::Path::new("/"),
        &["--data", data.to_str().expect("UTF-8 path")],
        &[],
    )
}

/// Sends a request, returns (status, body) with a chunked body decoded.
fn request(addr: SocketAddr, method: &str, path: &str, content_type: &str, body: &[u8]) -> (u16, Vec<u8>) {
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(60))).expect("timeout");
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: t\r\nConnection: close\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    req.extend_from_slice(body);
    s.write_all(&req).expect("send");
    let mut data = Vec::new();
    let _ = s.read_to_end(&mut data);
    let split = data.windows(4).position(|w| w == b"\r\n\r\n").expect("head");
    let head = String::from_utf8_lossy(&data[..split]).to_ascii_lowercase();
    let status = head.split(' ').nth(1).and_then(|c| c.parse().ok()).expect("status");
    let mut body = data[split + 4..].to_vec();
    if head.contains("transfer-encoding: chunked") {
        let mut out = Vec::new();
        let mut b = &body[..];
        while let Some(eol) = b.windows(2).position(|w| w == b"\r\n") {
            let n = usize::from_str_radix(String::from_utf8_lossy(&b[..eol]).trim(), 16).expect("chunk size");
            if n == 0 {
                break;
            }
            out.extend_from_slice(&b[eol + 2..eol + 2 + n]);
            b = &b[eol + 2 + n + 2..];
        }
        body = out;
    }
    (status, body)
}

/// Checks the provenance members of every feature, with the geojson crate and with ogrinfo.
fn check_features(what: &str, body: &[u8], ogr: Option<&std::path::Path>) -> usize {
    let text = String::from_utf8_lossy(body);
    let gj: geojson::GeoJson = text
        .parse()
        .unwrap_or_else(|e| panic!("{what}: not GeoJSON ({e}): {text}"));
    let geojson::GeoJson::FeatureCollection(fc) = gj else {
        panic!("{what}: not a FeatureCollection")
    };
    assert!(!fc.features.is_empty(), "{what}: no feature to check");
    for (i, f) in fc.features.iter().enumerate() {
        let props = f
            .properties
            .as_ref()
            .unwrap_or_else(|| panic!("{what}: feature {i} has no properties"));
        for k in FEATURE_PROVENANCE {
            assert!(props.contains_key(k), "{what}: feature {i} lacks '{k}': {props:?}");
        }
        assert!(
            props["content_sha256"].as_str().is_some_and(|s| s.len() == 64),
            "{what}"
        );
    }
    if let Some(dir) = ogr {
        let file = dir.join(format!("{}.geojson", what.replace(['/', '?', '&', '='], "_")));
        std::fs::write(&file, body).unwrap();
        let out = Command::new("ogrinfo")
            .args(["-ro", "-al", "-q"])
            .arg(&file)
            .output()
            .expect("ogrinfo");
        assert!(
            out.status.success(),
            "{what}: ogrinfo failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let listing = String::from_utf8_lossy(&out.stdout);
        let blocks: Vec<&str> = listing.split("OGRFeature(").skip(1).collect();
        assert_eq!(
            blocks.len(),
            fc.features.len(),
            "{what}: ogrinfo saw another number of features:\n{listing}"
        );
        for (i, b) in blocks.iter().enumerate() {
            for k in FEATURE_PROVENANCE {
                assert!(
                    b.lines().any(|l| l.trim_start().starts_with(&format!("{k} ("))),
                    "{what}: ogrinfo shows no '{k}' on feature {i}:\n{b}"
                );
            }
        }
    }
    fc.features.len()
}

#[test]
fn every_answer_keeps_provenance_and_names_no_server_path() {
    every_answer_keeps_provenance(false);
}

/// The same answers read by GDAL's `ogrinfo` as well: reported as ignored, with the reason,
/// where it was not on PATH when the tests were built.
#[test]
#[cfg_attr(
    not(gdal_ogrinfo),
    ignore = "needs GDAL's ogrinfo on PATH when the tests are built (apt-get install gdal-bin; .ci/run installs it)"
)]
fn every_answer_keeps_provenance_in_ogrinfo() {
    every_answer_keeps_provenance(true);
}

/// Asks every route of a server on an imported source; `with_ogrinfo`: every GeoJSON answer is
/// also read by `ogrinfo`, which must run.
fn every_answer_keeps_provenance(with_ogrinfo: bool) {
    let tmp = tempfile::tempdir().unwrap();
    let data = common::copy_embedded_geodata(tmp.path(), false);
    let data = data.canonicalize().unwrap();
    assert!(data.is_absolute());
    // A snapshot imported by the operator from an absolute path: the stored provenance (shown
    // in answers) names the input by its file name, not by that path.
    let inputs = tmp.path().canonicalize().unwrap().join("operator-inputs");
    std::fs::create_dir_all(&inputs).unwrap();
    let mut input: serde_json::Value =
        serde_json::from_slice(&std::fs::read(data.join("sources/example/2024-09-01.geojson")).unwrap()).unwrap();
    input.as_object_mut().unwrap().remove("frontline");
    for f in input["features"].as_array_mut().unwrap() {
        f["properties"]["date"] = "2024-10-01".into();
    }
    let input_file = inputs.join("2024-10-01.geojson");
    std::fs::write(&input_file, input.to_string()).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_frontline"))
        .args(["import", "geojson"])
        .arg(&input_file)
        .args(["--source", "imported", "--data"])
        .arg(&data)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let s = start(&data);
    let ogr_dir = tempfile::tempdir().unwrap();
    let ogr = with_ogrinfo.then_some(ogr_dir.path());
    let forbidden = [
        data.display().to_string(),
        inputs.display().to_string(),
        tmp.path().display().to_string(),
        common::repo().display().to_string(),
    ];
    let points = br#"{"type":"FeatureCollection","features":[
        {"type":"Feature","properties":{"name":"Simferopol"},"geometry":{"type":"Point","coordinates":[34.10,44.95]}},
        {"type":"Feature","properties":null,"geometry":{"type":"Point","coordinates":[30.52,50.45]}}]}"#;
    let geojson_routes: Vec<(&str, &str, &[u8])> = vec![
        ("GET", "/v1/layers/coverage?date=2024-05-01", b""),
        ("GET", "/v1/layers/occupied?date=2024-05-01", b""),
        ("GET", "/v1/layers/line?date=2024-05-01", b""),
        ("GET", "/v1/diff?from=2024-01-01&to=2024-09-01", b""),
        ("POST", "/v1/classify?date=2024-05-01&distance=true", points),
        ("POST", "/v1/history", points),
        ("GET", "/v1/layers/occupied?date=2024-10-01&source=imported", b""),
        ("GET", "/v1/diff?from=2024-09-01&to=2024-10-01&to_source=imported", b""),
    ];
    let json_routes = [
        "/v1/coverage?lon=34.10&lat=44.95&date=2024-05-01&distance=true",
        "/v1/history?lon=34.10&lat=44.95",
        "/v1/sources",
        "/v1/snapshots",
        "/v1/timeline",
        "/readyz",
        "/openapi.json",
        "/",
        "/v1/coverage?lon=34.10&lat=44.95&date=1999-01-01",
        "/v1/coverage?lon=37.8&lat=48.0&date=2024-10-01&source=imported&distance=true",
        "/v1/snapshots?source=imported",
        "/v1/history?lon=37.8&lat=48.0&source=imported",
    ];
    let check_paths = |what: &str, body: &[u8]| {
        let text = String::from_utf8_lossy(body);
        for f in &forbidden {
            assert!(
                !text.contains(f.as_str()),
                "{what}: the answer names the server path {f}: {text}"
            );
        }
    };
    let mut features = 0;
    for (method, path, body) in &geojson_routes {
        let ct = if body.is_empty() {
            "text/plain"
        } else {
            "application/geo+json"
        };
        let (status, answer) = request(s.addr, method, path, ct, body);
        assert_eq!(status, 200, "{path}: {}", String::from_utf8_lossy(&answer));
        check_paths(path, &answer);
        features += check_features(path, &answer, ogr);
    }
    for path in json_routes {
        let (status, answer) = request(s.addr, "GET", path, "text/plain", b"");
        // An answer that failed would pass the path check without showing anything.
        assert!(
            status == 200 || path.contains("1999"),
            "{path}: {status} {}",
            String::from_utf8_lossy(&answer)
        );
        check_paths(path, &answer);
    }
    eprintln!("{features} features of {} GeoJSON routes checked", geojson_routes.len());
}

/// Issue 17 item 4: a source that draws no grey zone says so. Beside the example (which draws
/// one), a source `nogrey` holds the example's snapshots without their contested features (its
/// `source.json` states no classes, as a GeoJSON import): every contested area it would report
/// is `null` with the reason, never `0` or `-0.0`, and its point answers say it has no grey zone.
#[test]
fn a_source_without_a_grey_zone_answers_null_with_the_reason() {
    let tmp = tempfile::tempdir().unwrap();
    let data = common::copy_embedded_geodata(tmp.path(), true);
    let dir = data.join("sources/nogrey");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("source.json"),
        r#"{"description": "SYNTHETIC: the example without its grey zone", "border": "UKR", "baselines": ["crimea"]}"#,
    )
    .unwrap();
    for date in ["2024-01-01", "2024-09-01"] {
        let file = format!("{date}.geojson");
        let mut v: serde_json::Value =
            serde_json::from_slice(&std::fs::read(data.join("sources/example").join(&file)).unwrap()).unwrap();
        v["frontline"]["source"] = "nogrey".into();
        v["features"]
            .as_array_mut()
            .unwrap()
            .retain(|f| f["properties"]["status"] == "occupied");
        std::fs::write(dir.join(&file), v.to_string()).unwrap();
    }
    let s = start(&data);
    let get = |path: &str| {
        let (status, body) = request(s.addr, "GET", path, "text/plain", b"");
        let text = String::from_utf8(body).unwrap();
        assert_eq!(status, 200, "{path}: {text}");
        assert!(!text.contains("-0.0"), "{path}: -0.0 in {text}");
        text
    };
    let json = |path: &str| -> serde_json::Value {
        let text = get(path);
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}: {text}"))
    };
    let says_why = |v: &serde_json::Value, what: &str| {
        let why = v["not_drawn"]["contested"]
            .as_str()
            .unwrap_or_else(|| panic!("{what}: no not_drawn: {v}"));
        assert!(why.contains("draws no contested (grey) zone"), "{what}: {why}");
    };

    let v = json("/v1/sources");
    let by_name = |n: &str| {
        v["sources"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["name"] == n)
            .unwrap()
            .clone()
    };
    assert_eq!(
        by_name("nogrey")["classes"]["drawn"],
        serde_json::json!(["occupied"]),
        "{v}"
    );
    assert_eq!(
        by_name("example")["classes"]["drawn"],
        serde_json::json!(["occupied", "contested"]),
        "{v}"
    );

    let v = json("/v1/snapshots?source=nogrey");
    for snap in v["snapshots"].as_array().unwrap() {
        assert!(snap["contested_km2"].is_null(), "{snap}");
        assert!(snap["occupied_km2"].as_f64().unwrap() > 0.0, "{snap}");
        says_why(snap, "snapshots");
    }
    let v = json("/v1/snapshots?source=example");
    for snap in v["snapshots"].as_array().unwrap() {
        assert!(snap["contested_km2"].as_f64().unwrap() > 0.0, "{snap}");
        assert!(snap.get("not_drawn").is_none(), "{snap}");
    }

    let v = json("/v1/timeline?source=nogrey");
    for row in v["rows"].as_array().unwrap() {
        assert!(row["contested_km2"].is_null(), "{row}");
        assert!(row["waters_contested_km2"].is_null(), "{row}");
        assert!(row["waters_occupied_km2"].as_f64().is_some(), "{row}");
    }
    let (status, csv) = {
        let mut st = std::net::TcpStream::connect(s.addr).unwrap();
        write!(
            st,
            "GET /v1/timeline?source=nogrey HTTP/1.1\r\nHost: t\r\nAccept: text/csv\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut b = String::new();
        st.read_to_string(&mut b).unwrap();
        (b[9..12].to_string(), b)
    };
    assert_eq!(status, "200", "{csv}");
    let row = csv.lines().find(|l| l.starts_with("2024-09-01,")).unwrap();
    assert_eq!(row.split(',').nth(2), Some(""), "contested_km2 is empty, not 0: {row}");
    let v = json("/v1/timeline?source=nogrey&by_region=true");
    for row in v["rows"].as_array().unwrap() {
        assert!(row["contested_km2"].is_null(), "{row}");
    }

    let v = json("/v1/layers/contested?date=2024-09-01&source=nogrey");
    assert!(v["frontline"]["area_km2"].is_null(), "{}", v["frontline"]);
    says_why(&v["frontline"], "contested layer");
    assert_eq!(v["features"].as_array().unwrap().len(), 0);
    let v = json("/v1/layers/contested?date=2024-09-01&source=example");
    assert!(v["frontline"]["area_km2"].as_f64().unwrap() > 0.0, "{}", v["frontline"]);

    let v = json("/v1/diff?from=2024-01-01&to=2024-09-01&source=nogrey&by_region=true");
    let t = &v["frontline"]["totals"];
    for k in ["newly_contested_km2", "no_longer_contested_km2", "sliver_contested_km2"] {
        assert!(t[k].is_null(), "{k}: {t}");
    }
    assert!(t["gained_km2"].as_f64().is_some(), "{t}");
    for r in v["frontline"]["by_region"]["regions"].as_array().unwrap() {
        assert!(r["newly_contested_km2"].is_null(), "{r}");
    }
    says_why(&v["frontline"]["to"], "diff");
    // From a source with a grey zone to one without: contested changes are unknown too.
    let v = json("/v1/diff?from=2024-09-01&to=2024-09-01&source=example&to_source=nogrey");
    assert!(
        v["frontline"]["totals"]["no_longer_contested_km2"].is_null(),
        "{}",
        v["frontline"]
    );
    let v = json("/v1/diff?from=2024-01-01&to=2024-09-01&source=example");
    assert!(v["frontline"]["totals"]["newly_contested_km2"].as_f64().is_some());

    // Point answers: the grey zone of the example on 2024-09-01 reads as covered in `nogrey`,
    // which says it has none.
    let contested_point = {
        let v = json("/v1/layers/contested?date=2024-09-01&source=example&precision=6");
        let ring = &v["features"][0]["geometry"]["coordinates"][0];
        let (mut x, mut y, n) = (0.0, 0.0, ring.as_array().unwrap().len() - 1);
        for p in ring.as_array().unwrap().iter().take(n) {
            x += p[0].as_f64().unwrap() / n as f64;
            y += p[1].as_f64().unwrap() / n as f64;
        }
        (x, y)
    };
    let q = format!("lon={}&lat={}&date=2024-09-01", contested_point.0, contested_point.1);
    let v = json(&format!("/v1/coverage?{q}&source=example"));
    assert_eq!(v["status"], "contested", "{v}");
    assert!(v.get("not_drawn").is_none(), "{v}");
    assert_eq!(v["classes"], serde_json::json!(["occupied", "contested"]), "{v}");
    let v = json(&format!("/v1/coverage?{q}&source=nogrey&distance=true"));
    assert_eq!(v["classes"], serde_json::json!(["occupied"]), "{v}");
    says_why(&v, "coverage");
    let v = json(&format!(
        "/v1/history?lon={}&lat={}&source=nogrey",
        contested_point.0, contested_point.1
    ));
    says_why(&v, "history");
    let points = format!(
        r#"{{"type":"FeatureCollection","features":[{{"type":"Feature","properties":{{}},"geometry":{{"type":"Point","coordinates":[{},{}]}}}}]}}"#,
        contested_point.0, contested_point.1
    );
    let (status, body) = request(
        s.addr,
        "POST",
        "/v1/classify?date=2024-09-01&source=nogrey",
        "application/geo+json",
        points.as_bytes(),
    );
    assert_eq!(status, 200);
    let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
    says_why(&v["frontline"], "classify");

    // The CLI's summary: contested unknown, not 0.
    let csv = tmp.path().join("p.csv");
    std::fs::write(
        &csv,
        format!("id,lon,lat\n1,{},{}\n", contested_point.0, contested_point.1),
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_frontline"))
        .arg("classify")
        .arg(&csv)
        .args(["--date", "2024-09-01", "--source", "nogrey", "--summary", "--data"])
        .arg(&data)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(
        text.contains("contested unknown") && text.contains("draws no contested"),
        "{text}"
    );
}
