//! Bounded memory for GeoJSON batch bodies (case mem-01 of `../shared/cases/round2`): the real
//! server on an ephemeral port, its resident memory read from `/proc/<pid>/status`. A 64 MiB
//! FeatureCollection of points (made like `scripts/gen_points.py` there: seeded points over
//! Ukraine's bounding box) must grow the server by under 200 MB, eight at once by under 1 GB,
//! and small bodies keep giving the same answers (`tests/http.rs`).

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]
#![cfg(target_os = "linux")]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

mod common;

use common::Server;

impl Server {
    fn start() -> Server {
        Server::spawn(&["--watch-s", "0"], &[])
    }

    /// (VmRSS, VmHWM) in kB.
    fn memory(&self) -> (u64, u64) {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        let field = |name: &str| {
            status
                .lines()
                .find_map(|l| l.strip_prefix(name))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
                .unwrap()
        };
        (field("VmRSS:"), field("VmHWM:"))
    }
}

/// A FeatureCollection of Point features of just under 64 MiB: seeded points over Ukraine's
/// bounding box, one feature per line, as `gen_points.py` writes them.
fn points_body() -> Vec<u8> {
    const LIMIT: usize = 64 * 1024 * 1024 - 4096;
    let mut state = 20_250_601u64;
    let mut next = || {
        // splitmix64
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    };
    let (head, tail) = ("{\"type\":\"FeatureCollection\",\"features\":[\n", "\n]}\n");
    let mut out = head.as_bytes().to_vec();
    let mut i = 0usize;
    loop {
        let (lon, lat) = (22.0 + 18.3 * next(), 44.3 + 8.1 * next());
        let f = format!(
            "{{\"type\":\"Feature\",\"properties\":{{\"id\":{i}}},\"geometry\":{{\"type\":\"Point\",\"coordinates\":[{lon:.6},{lat:.6}]}}}}"
        );
        let sep = if i > 0 { ",\n" } else { "" };
        if out.len() + sep.len() + f.len() + tail.len() > LIMIT {
            break;
        }
        out.extend_from_slice(sep.as_bytes());
        out.extend_from_slice(f.as_bytes());
        i += 1;
    }
    out.extend_from_slice(tail.as_bytes());
    out
}

/// Posts `body`, returns the status and the length of the answer.
fn post(addr: SocketAddr, path: &str, body: &[u8]) -> (u16, usize) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(600))).unwrap();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: t\r\nConnection: close\r\nContent-Type: application/geo+json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    s.write_all(head.as_bytes()).unwrap();
    s.write_all(body).unwrap();
    let mut data = Vec::new();
    s.read_to_end(&mut data).unwrap();
    let status = String::from_utf8_lossy(&data[..12.min(data.len())])
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body_at = data.windows(4).position(|w| w == b"\r\n\r\n").map_or(0, |p| p + 4);
    (status, data.len() - body_at)
}

#[test]
fn one_64_mib_geojson_body_grows_the_server_by_under_200_mb() {
    let body = points_body();
    assert!(body.len() > 60 << 20);
    for path in ["/v1/classify?date=2024-05-01", "/v1/history"] {
        let s = Server::start();
        let (rss0, _) = s.memory();
        let (status, len) = post(s.addr, path, &body);
        assert_eq!(status, 200, "{path}");
        assert!(len > body.len(), "{path}: the answer holds every feature");
        let (_, hwm) = s.memory();
        let growth_mb = hwm.saturating_sub(rss0) / 1024;
        eprintln!("{path}: one 64 MiB body: VmHWM growth {growth_mb} MB");
        assert!(growth_mb < 200, "{path}: grew by {growth_mb} MB");
    }
}

#[test]
fn eight_64_mib_geojson_bodies_at_once_grow_the_server_by_under_1_gb() {
    let body = std::sync::Arc::new(points_body());
    let s = Server::start();
    let (rss0, _) = s.memory();
    let addr = s.addr;
    let posters: Vec<_> = (0..8)
        .map(|_| {
            let body = body.clone();
            std::thread::spawn(move || post(addr, "/v1/classify?date=2024-05-01", &body))
        })
        .collect();
    for p in posters {
        assert_eq!(p.join().unwrap().0, 200);
    }
    let (_, hwm) = s.memory();
    let growth_mb = hwm.saturating_sub(rss0) / 1024;
    eprintln!("eight 64 MiB bodies at once: VmHWM growth {growth_mb} MB");
    assert!(growth_mb < 1024, "grew by {growth_mb} MB");
}

/// Sends `head` (the request line and headers, without the blank line) and `body` over one
/// connection, tolerating a server that answers and closes before the body is all sent (a
/// refused declared length); returns the status and the answer's body as text.
fn exchange(addr: SocketAddr, head: &str, body: &[u8]) -> (u16, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(600))).unwrap();
    s.write_all(
        format!(
            "{head}\r\nHost: t\r\nConnection: close\r\nContent-Length: {}\r\n\r\n",
            body.len()
        )
        .as_bytes(),
    )
    .unwrap();
    let _ = s.write_all(body);
    let mut data = Vec::new();
    let _ = s.read_to_end(&mut data);
    let text = String::from_utf8_lossy(&data).into_owned();
    let status = text.split(' ').nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    let body_at = text.find("\r\n\r\n").map_or(text.len(), |p| p + 4);
    (status, text[body_at..].to_string())
}

/// `[1,1,...]`: the costliest JSON per byte once parsed into a tree (about 30 times its text).
fn small_numbers(bytes: usize) -> String {
    let mut s = String::with_capacity(bytes + 2);
    s.push('[');
    while s.len() < bytes {
        s.push_str("1,");
    }
    s.push_str("1]");
    s
}

const POINT: &str = r#"{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[30.5,50.4]}}"#;

/// Every route that reads a body, with a large body of the shape that grew the server most
/// (case mem-01's class): each is refused with the limit named, and the server grows by under
/// 200 MB (it grew by 0.4 to 3.8 GB before the limits).
#[test]
fn every_route_that_reads_a_body_refuses_a_large_one_naming_the_limit_and_stays_small() {
    let tmp = tempfile::tempdir().unwrap();
    let data = common::copy_embedded_geodata(tmp.path(), false);
    let token = "memory-test-token-0123456789";
    let s = Server::spawn(
        &["--watch-s", "0", "--data", data.to_str().unwrap()],
        &[("FRONTLINE_INGEST_TOKEN", token)],
    );
    let (rss0, _) = s.memory();
    let junk = small_numbers(60 << 20);
    let foreign = format!(r#"{{"type":"FeatureCollection","junk":{junk},"features":[{POINT}]}}"#);
    let props: Vec<String> = (0..3_000_000).map(|i| format!(r#""p{i}":{i}"#)).collect();
    let many_properties = format!(
        r#"{{"type":"FeatureCollection","features":[{{"type":"Feature","properties":{{{}}},"geometry":{{"type":"Point","coordinates":[30.5,50.4]}}}}]}}"#,
        props.join(",")
    );
    drop(props);
    let long_coordinates = format!(
        r#"{{"type":"FeatureCollection","features":[{{"type":"Feature","properties":{{}},"geometry":{{"type":"Point","coordinates":[30.5,50.4{}]}}}}]}}"#,
        ",1".repeat(15_000_000)
    );
    let scenario = format!(
        r#"{{"source":"example","ceasefire_date":"2024-05-01","policy":{{"exclusions":[{{"name":"big","geometry":{junk}}}]}}}}"#
    );
    let ingest = format!(r#"{{"type":"FeatureCollection","junk":{junk},"features":[]}}"#);
    let geojson = "Content-Type: application/geo+json";
    let bearer = format!("Authorization: Bearer {token}");
    let cases: Vec<(String, &str, u16, &str)> = vec![
        (
            format!("POST /v1/classify?date=2024-05-01 HTTP/1.1\r\n{geojson}"),
            &foreign,
            413,
            "members other than 'features' take more than 65536 bytes",
        ),
        (
            format!("POST /v1/history HTTP/1.1\r\n{geojson}"),
            &foreign,
            413,
            "members other than 'features' take more than 65536 bytes",
        ),
        (
            format!("POST /v1/classify?date=2024-05-01 HTTP/1.1\r\n{geojson}"),
            &many_properties,
            413,
            "feature 0: more than 65536 bytes of JSON",
        ),
        (
            format!("POST /v1/history HTTP/1.1\r\n{geojson}"),
            &long_coordinates,
            413,
            "feature 0: more than 65536 bytes of JSON",
        ),
        (
            "POST /v1/scenarios/preview HTTP/1.1\r\nContent-Type: application/json".into(),
            &scenario,
            413,
            "exceeds 4194304 bytes (a scenario document; the server's --max-scenario-body-mb)",
        ),
        (
            format!("POST /v1/scenarios HTTP/1.1\r\nContent-Type: application/json\r\n{bearer}"),
            &scenario,
            413,
            "--max-scenario-body-mb",
        ),
        (
            format!("POST /v1/snapshots?source=example&date=2024-07-01 HTTP/1.1\r\n{geojson}\r\n{bearer}"),
            &ingest,
            413,
            "exceeds 16777216 bytes (an ingested snapshot; the server's --max-ingest-body-mb)",
        ),
    ];
    for (head, body, status, want) in cases {
        let (got, text) = exchange(s.addr, &head, body.as_bytes());
        assert_eq!(got, status, "{head}: {text}");
        assert!(text.contains(want), "{head}: want '{want}' in {text}");
    }
    let (_, hwm) = s.memory();
    let growth_mb = hwm.saturating_sub(rss0) / 1024;
    eprintln!("seven large bodies on five routes: VmHWM growth {growth_mb} MB");
    assert!(growth_mb < 200, "grew by {growth_mb} MB");
}

/// Small members of the same kinds are kept: under the limits, the answers hold everything.
#[test]
fn bodies_under_the_limits_are_answered_whole() {
    let s = Server::start();
    let member = small_numbers(60 << 10);
    let body = format!(r#"{{"type":"FeatureCollection","junk":{member},"features":[{POINT}]}}"#);
    let (status, text) = exchange(
        s.addr,
        "POST /v1/classify?date=2024-05-01 HTTP/1.1\r\nContent-Type: application/geo+json",
        body.as_bytes(),
    );
    assert_eq!(status, 200, "{text}");
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["junk"].as_array().unwrap().len(), member.len() / 2);
    let altitude = r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[30.5,50.4,120]}}]}"#;
    let (status, text) = exchange(
        s.addr,
        "POST /v1/history HTTP/1.1\r\nContent-Type: application/geo+json",
        altitude.as_bytes(),
    );
    assert_eq!(status, 200, "{text}");
    let four = altitude.replace("120]", "120,7]");
    let (status, text) = exchange(
        s.addr,
        "POST /v1/history HTTP/1.1\r\nContent-Type: application/geo+json",
        four.as_bytes(),
    );
    assert_eq!(status, 400, "{text}");
    assert!(
        text.contains("Point coordinates: position has 4 numbers; a position is [lon, lat] or [lon, lat, altitude]"),
        "{text}"
    );
}

/// `POST /v1/history` with a 64 MiB CSV: histories are answered a block at a time (the answer
/// spilled past 16 MiB), not by holding every row and history (it grew by 1.38 GB before).
#[test]
fn a_64_mib_csv_history_body_grows_the_server_by_under_200_mb() {
    let mut csv = String::from("id,lon,lat\n");
    let mut i = 0u64;
    while csv.len() < (64 << 20) - 4096 {
        let (lon, lat) = (22.0 + (i % 1831) as f64 * 0.01, 44.3 + (i % 811) as f64 * 0.01);
        csv.push_str(&format!("{i},{lon:.6},{lat:.6}\n"));
        i += 1;
    }
    let s = Server::start();
    let (rss0, _) = s.memory();
    let (status, text) = exchange(
        s.addr,
        "POST /v1/history HTTP/1.1\r\nContent-Type: text/csv",
        csv.as_bytes(),
    );
    assert_eq!(status, 200, "{}", &text[..text.len().min(500)]);
    assert!(text.starts_with("id,lon,lat,from,to,status,snapshot,last_snapshot,revised\n"));
    let rows = text.lines().count() - 1;
    assert!(rows as u64 >= i, "{rows} rows for {i} points");
    let (_, hwm) = s.memory();
    let growth_mb = hwm.saturating_sub(rss0) / 1024;
    eprintln!("/v1/history, one 64 MiB CSV body: VmHWM growth {growth_mb} MB");
    assert!(growth_mb < 200, "grew by {growth_mb} MB");
}
