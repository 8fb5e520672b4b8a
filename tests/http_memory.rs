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
