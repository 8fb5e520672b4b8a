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
fn every_answer_keeps_provenance_in_gis_tools_and_names_no_server_path() {
    let tmp = tempfile::tempdir().unwrap();
    let data = common::copy_embedded_geodata(tmp.path(), false);
    let data = data.canonicalize().unwrap();
    assert!(data.is_absolute());
    let s = start(&data);
    let ogr_dir = tempfile::tempdir().unwrap();
    let ogr = match Command::new("ogrinfo").arg("--version").output() {
        Ok(o) if o.status.success() => Some(ogr_dir.path()),
        _ => {
            eprintln!(
                "SKIP (ogrinfo part): GDAL's ogrinfo is not installed (apt-get install gdal-bin; .ci/run installs it)"
            );
            None
        }
    };
    let forbidden = [
        data.display().to_string(),
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
        let (_, answer) = request(s.addr, "GET", path, "text/plain", b"");
        check_paths(path, &answer);
    }
    eprintln!("{features} features of {} GeoJSON routes checked", geojson_routes.len());
}
