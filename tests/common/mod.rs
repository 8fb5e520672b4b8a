//! Helpers shared by the integration tests.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic, dead_code)]

use std::path::{Path, PathBuf};

/// The repository root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `../shared/data/<rel>` (a file or a directory), which must exist: the tests that call this are
/// ignored, with the reason, where it was absent when they were built (`build.rs`).
pub fn shared_data(rel: &str) -> PathBuf {
    let p = repo().join("../shared/data").join(rel);
    assert!(
        p.exists(),
        "{} is absent: rebuild the tests to have them ignored",
        p.display()
    );
    p
}

/// A geodata directory at `dir` made by `scripts/deepstate-geodata.sh` from the shared DeepState
/// archive (read in place), waters included; `dir` is returned.
pub fn deepstate_geodata(dir: &Path) -> PathBuf {
    let out = std::process::Command::new("bash")
        .arg(repo().join("scripts/deepstate-geodata.sh"))
        .arg(dir)
        .current_dir(repo())
        .output()
        .expect("run scripts/deepstate-geodata.sh");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    dir.to_path_buf()
}

/// A writable copy of the embedded geodata (border, baselines, waters, example source) as `dir/geodata`;
/// with `regions`, the SYNTHETIC test regions (`tests/fixtures/regions`) added.
pub fn copy_embedded_geodata(dir: &Path, regions: bool) -> PathBuf {
    let root = dir.join("geodata");
    let copy = |from: &Path, to: &Path| {
        std::fs::create_dir_all(to).unwrap();
        for e in std::fs::read_dir(from).unwrap().flatten() {
            if e.path().is_file() {
                std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
            }
        }
    };
    for sub in ["", "borders", "baselines", "waters", "sources/example"] {
        copy(&repo().join("geodata").join(sub), &root.join(sub));
    }
    if regions {
        copy(&repo().join("tests/fixtures/regions"), &root.join("regions"));
    }
    root
}

/// A `frontline serve` child listening on an ephemeral loopback port, killed on drop.
pub struct Server {
    /// The process.
    pub child: std::process::Child,
    /// Where it listens.
    pub addr: std::net::SocketAddr,
}

impl Server {
    /// Starts `frontline serve --listen 127.0.0.1:0 ARGS` from the repository root with `env`
    /// set, and waits for the line that names its address.
    pub fn spawn(args: &[&str], env: &[(&str, &str)]) -> Server {
        Server::spawn_in(&repo(), args, env)
    }

    /// A server over the geodata at `root` with ingest on (the token in the file `token`) and
    /// no directory watch.
    pub fn with_ingest(root: &Path, token: &Path) -> Server {
        let (root, token) = (root.to_str().unwrap(), token.to_str().unwrap());
        Server::spawn(&["--data", root, "--ingest-token-file", token, "--watch-s", "0"], &[])
    }

    /// [`Server::spawn`] with `dir` as the working directory.
    pub fn spawn_in(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Server {
        use std::process::{Command, Stdio};
        let mut child = Command::new(env!("CARGO_BIN_EXE_frontline"))
            .arg("serve")
            .args(["--listen", "127.0.0.1:0"])
            .args(args)
            .envs(env.iter().copied())
            .current_dir(dir)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start server");
        let addr = listening_addr(&mut child);
        Server { child, addr }
    }
}

/// Reads the first line a `frontline serve` child (stdout piped) writes, `listening on
/// http://ADDR`, and returns ADDR.
pub fn listening_addr(child: &mut std::process::Child) -> std::net::SocketAddr {
    use std::io::BufRead;
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("read address");
    line.trim()
        .strip_prefix("listening on http://")
        .unwrap_or_else(|| panic!("unexpected: {line}"))
        .parse()
        .expect("address")
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An HTTP answer as read off the wire.
#[derive(Debug)]
pub struct Reply {
    /// The status code.
    pub status: u16,
    /// Header names in lower case, with their values.
    pub headers: Vec<(String, String)>,
    /// The body (de-chunked by [`raw`], as sent by [`raw_undecoded`]).
    pub body: Vec<u8>,
}

impl Reply {
    /// The first value of a header.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }

    /// A problem+json answer (RFC 9457) with this status whose detail contains `want`.
    pub fn assert_problem(&self, status: u16, want: &str) {
        assert_eq!(self.status, status, "{}", self.text());
        assert_eq!(
            self.header("content-type"),
            Some("application/problem+json"),
            "{}",
            self.text()
        );
        let v = self.json();
        assert_eq!(v["status"], status);
        let detail = v["detail"].as_str().unwrap_or("");
        assert!(detail.contains(want), "want '{want}' in '{detail}'");
    }
}

/// Sends raw request bytes (the request asks to close) and reads the whole answer, its body as
/// sent (chunked framing kept; a HEAD answer has no body whatever its headers say).
pub fn raw_undecoded(addr: std::net::SocketAddr, request: &[u8]) -> Reply {
    read_undecoded(&mut send(addr, request))
}

/// [`raw_undecoded`], with a chunked body de-chunked.
pub fn raw(addr: std::net::SocketAddr, request: &[u8]) -> Reply {
    read_reply(&mut send(addr, request))
}

fn send(addr: std::net::SocketAddr, request: &[u8]) -> std::net::TcpStream {
    use std::io::Write;
    let mut s = std::net::TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(std::time::Duration::from_secs(60)))
        .expect("timeout");
    let _ = s.write_all(request);
    s
}

/// Reads an answer to its end from a connection, a chunked body de-chunked.
pub fn read_reply(s: &mut std::net::TcpStream) -> Reply {
    let mut r = read_undecoded(s);
    if r.header("transfer-encoding").is_some_and(|v| v.contains("chunked")) {
        r.body = dechunk(&r.body);
    }
    r
}

fn read_undecoded(s: &mut std::net::TcpStream) -> Reply {
    use std::io::Read;
    let mut data = Vec::new();
    let _ = s.read_to_end(&mut data);
    let split = data
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no head: {:?}", String::from_utf8_lossy(&data)));
    let head = String::from_utf8_lossy(&data[..split]).into_owned();
    let mut lines = head.lines();
    let status: u16 = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|c| c.parse().ok())
        .expect("status");
    let headers = lines
        .filter_map(|l| {
            l.split_once(':')
                .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        })
        .collect();
    Reply {
        status,
        headers,
        body: data[split + 4..].to_vec(),
    }
}

/// The data of a chunked body (RFC 9112 7.1).
pub fn dechunk(mut b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(eol) = b.windows(2).position(|w| w == b"\r\n") {
        let n = usize::from_str_radix(String::from_utf8_lossy(&b[..eol]).trim(), 16).expect("chunk size");
        if n == 0 {
            break;
        }
        out.extend_from_slice(&b[eol + 2..eol + 2 + n]);
        b = &b[eol + 2 + n + 2..];
    }
    out
}

/// A request with `extra` header lines (each ending in CRLF) and a body, answered by [`raw`].
pub fn request(addr: std::net::SocketAddr, method: &str, target: &str, extra: &str, body: &[u8]) -> Reply {
    let mut req = format!("{method} {target} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n{extra}");
    if !body.is_empty() || method == "POST" {
        req.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    req.push_str("\r\n");
    let mut bytes = req.into_bytes();
    bytes.extend_from_slice(body);
    raw(addr, &bytes)
}

/// `GET target` with `extra` header lines.
pub fn get(addr: std::net::SocketAddr, target: &str, extra: &str) -> Reply {
    request(addr, "GET", target, extra, b"")
}

/// `POST path` with a body of `content_type`.
pub fn post(addr: std::net::SocketAddr, path: &str, content_type: &str, body: &[u8]) -> Reply {
    request(addr, "POST", path, &format!("Content-Type: {content_type}\r\n"), body)
}

/// `POST path` with a body of `content_type` sent in chunks of 7,919 bytes.
pub fn post_chunked(addr: std::net::SocketAddr, path: &str, content_type: &str, body: &[u8]) -> Reply {
    let mut req = format!(
        "POST {path} HTTP/1.1\r\nHost: t\r\nConnection: close\r\nContent-Type: {content_type}\r\nTransfer-Encoding: chunked\r\n\r\n"
    )
    .into_bytes();
    for c in body.chunks(7919) {
        req.extend_from_slice(format!("{:x}\r\n", c.len()).as_bytes());
        req.extend_from_slice(c);
        req.extend_from_slice(b"\r\n");
    }
    req.extend_from_slice(b"0\r\n\r\n");
    raw(addr, &req)
}

/// Issue 11: computes a scenario of `source` on `date` for every combination of waters (off/on)
/// x the Crimea baseline (kept/excluded by name) x negotiated exclusions (none; one taking area
/// across the line near Donetsk, reaching into Russia; one taking nothing, inside the occupied
/// east (Luhansk); two overlapping, one reaching into the sea) x grey zone (excluded/included):
/// exclusions reaching beyond the territory change the box of the operation. It checks that the area of application and
/// the excluded areas partition the territory (the border, plus its waters with `waters`) within
/// 1e-9 relative, and that the exclusion taking nothing leaves the area of application
/// bit-identical (figure and geometry). Returns one line per combination with its relative
/// error; panics naming the first combination that fails.
pub fn check_partition_combinations(cat: &frontline::catalog::Catalog, source: &str, date: &str) -> Vec<String> {
    use serde_json::json;
    let boxed = |x0: f64, y0: f64, x1: f64, y1: f64| json!({"type": "Polygon", "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]});
    let exclusion_sets = [
        ("none", json!([])),
        (
            "one taking area",
            json!([{"name": "across the line into Russia", "geometry": boxed(37.0, 47.6, 41.0, 48.4)}]),
        ),
        (
            "one taking nothing",
            json!([{"name": "in the occupied east", "geometry": boxed(39.0, 48.0, 39.5, 48.5)}]),
        ),
        (
            "the tester's box along the border",
            json!([{"name": "20-45E x 47-55N", "geometry": boxed(20.0, 47.0, 45.0, 55.0)}]),
        ),
        (
            "two overlapping",
            json!([{"name": "a", "geometry": boxed(37.0, 47.6, 37.8, 48.2)},
                   {"name": "b", "geometry": boxed(37.4, 43.0, 38.2, 48.5)}]),
        ),
    ];
    let compute = |policy: &serde_json::Value| {
        let doc = json!({"source": source, "ceasefire_date": date, "policy": policy});
        frontline::scenario::compute(cat, &frontline::scenario::from_value(doc).expect("a scenario"))
            .unwrap_or_else(|e| panic!("{policy}: {e}"))
    };
    let mut lines = Vec::new();
    for waters in [false, true] {
        for baselines in [json!([]), json!(["crimea"])] {
            for grey in ["excluded", "included"] {
                let mut none_area = None;
                for (what, exclusions) in &exclusion_sets {
                    let policy = json!({"grey_zone": grey, "excluded_baselines": baselines,
                        "exclusions": exclusions, "waters": waters});
                    let c = compute(&policy);
                    let a = &c.answer;
                    let excluded: f64 = a.excluded.iter().filter_map(|e| e.area_km2).sum();
                    let total = a.area_of_application_km2 + excluded;
                    let rel = (total - a.territory_km2).abs() / a.territory_km2;
                    let line = format!(
                        "waters {waters}, baselines {baselines}, grey zone {grey}, exclusions {what}: \
                         area {:.6} + excluded {excluded:.6} = {total:.6} km2 vs territory {:.6}: {rel:.2e}",
                        a.area_of_application_km2, a.territory_km2
                    );
                    assert!(rel < 1e-9, "{line}");
                    assert_parts_inside_the_territory(cat, source, waters, &c, &line);
                    let taken: f64 = a
                        .excluded
                        .iter()
                        .filter(|e| e.reason.as_str() == "exclusion")
                        .filter_map(|e| e.area_km2)
                        .sum();
                    match *what {
                        "none" => none_area = Some((a.area_of_application_km2, c.area.clone())),
                        "one taking nothing" => {
                            assert_eq!(taken, 0.0, "{line}");
                            let (km2, geometry) = none_area.as_ref().expect("none first");
                            assert_eq!(
                                a.area_of_application_km2.to_bits(),
                                km2.to_bits(),
                                "{line}: an exclusion taking nothing changed the area"
                            );
                            assert!(&c.area == geometry, "{line}: the geometry changed");
                        }
                        _ => assert!(taken > 100.0, "{line}: the exclusion took {taken} km2"),
                    }
                    lines.push(line);
                }
            }
        }
    }
    lines
}

/// A seeded generator (SplitMix64) for the property tests: the same seed, the same cases.
pub struct Seeded(pub u64);

impl Seeded {
    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [a, b).
    pub fn range(&mut self, a: f64, b: f64) -> f64 {
        a + (b - a) * (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in 0..n.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }
}

/// GeoJSON of a MultiPolygon.
pub fn multipolygon_json(mp: &geo::MultiPolygon<f64>) -> serde_json::Value {
    let ring = |r: &geo::LineString<f64>| r.0.iter().map(|c| vec![c.x, c.y]).collect::<Vec<_>>();
    let polys: Vec<Vec<Vec<Vec<f64>>>> =
        mp.0.iter()
            .map(|p| std::iter::once(p.exterior()).chain(p.interiors()).map(ring).collect())
            .collect();
    serde_json::json!({"type": "MultiPolygon", "coordinates": polys})
}

/// One random negotiated exclusion near `border`, of one of four kinds (the kind is returned
/// with it): a box (from a few km to 25 x 13 degrees, reaching beyond the border and into the
/// sea), an irregular star-shaped polygon (5 to 40 vertices), the border itself cut by a random
/// box (so that the exclusion's outline runs along the border on the border's own vertices), or
/// that cut moved by a random 1e-9 to 1e-5 degree (nearly along the border: the edges cross it
/// again and again).
pub fn random_exclusion(rng: &mut Seeded, border: &geo::MultiPolygon<f64>) -> (&'static str, serde_json::Value) {
    use geo::{BooleanOps, BoundingRect, LineString, MapCoords, MultiPolygon, Polygon};
    let bbox = border.bounding_rect().expect("a border");
    let (lo, hi) = (bbox.min(), bbox.max());
    let rect = |x0: f64, y0: f64, x1: f64, y1: f64| {
        Polygon::new(
            LineString::from(vec![(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)]),
            vec![],
        )
    };
    let random_box = |rng: &mut Seeded, big: bool| {
        let (w, h) = if big {
            (rng.range(2.0, 25.0), rng.range(1.0, 13.0))
        } else {
            (rng.range(0.02, 3.0), rng.range(0.02, 2.0))
        };
        let x0 = rng.range(lo.x - 3.0, hi.x + 1.0 - w.min(4.0));
        let y0 = rng.range(lo.y - 2.0, hi.y + 1.0 - h.min(3.0));
        rect(x0, y0, x0 + w, y0 + h)
    };
    match rng.below(4) {
        0 => {
            let big = rng.below(2) == 0;
            ("box", multipolygon_json(&MultiPolygon(vec![random_box(rng, big)])))
        }
        1 => {
            let (cx, cy) = (rng.range(lo.x, hi.x), rng.range(lo.y, hi.y));
            let r = rng.range(0.05, 4.0);
            let k = 5 + rng.below(36);
            let mut pts: Vec<(f64, f64)> = (0..k)
                .map(|i| {
                    let a = std::f64::consts::TAU * (i as f64 + rng.range(0.0, 0.9)) / k as f64;
                    let ri = r * rng.range(0.3, 1.0);
                    (cx + ri * a.cos(), cy + ri * a.sin())
                })
                .collect();
            pts.push(pts[0]);
            (
                "irregular",
                multipolygon_json(&MultiPolygon(vec![Polygon::new(LineString::from(pts), vec![])])),
            )
        }
        kind => {
            let cut = loop {
                let b = MultiPolygon(vec![random_box(rng, true)]);
                let cut = border.intersection(&b);
                if !cut.0.is_empty() {
                    break cut;
                }
            };
            if kind == 2 {
                ("along the border", multipolygon_json(&cut))
            } else {
                let d = 10f64.powf(rng.range(-9.0, -5.0));
                let (dx, dy) = (d * rng.range(-1.0, 1.0), d * rng.range(-1.0, 1.0));
                let moved = cut.map_coords(|c| geo::Coord {
                    x: c.x + dx,
                    y: c.y + dy,
                });
                ("nearly along the border", multipolygon_json(&moved))
            }
        }
    }
}

/// Issue 11, the partition as a property: `cases` scenarios with 1 to 4 seeded random
/// exclusions ([`random_exclusion`]; overlapping each other, the occupied and contested areas,
/// the baselines, the sea) and a random policy (waters, grey zone, every baseline excluded or
/// none) on each of `dates`: the area of application and the excluded areas add up to the
/// territory (the border, with its waters where the policy takes them) within 1e-9, and every
/// part is inside the territory ([`assert_parts_inside_the_territory`]). Returns one line per
/// case; the largest relative error and stick-out last.
pub fn check_partition_random(
    cat: &frontline::catalog::Catalog,
    source: &str,
    dates: &[&str],
    seed: u64,
    cases: usize,
) -> Vec<String> {
    let src = cat.source(Some(source)).expect("the source");
    let border = src.border.border.geometry.clone();
    let baselines: Vec<String> = cat.baselines.keys().cloned().collect();
    let mut rng = Seeded(seed);
    let mut lines = Vec::new();
    let (mut worst, mut out): (f64, f64) = (0.0, 0.0);
    for case in 0..cases {
        let date = dates[case % dates.len()];
        let waters = src.border.waters.is_some() && rng.below(2) == 0;
        let grey = ["excluded", "included"][rng.below(2)];
        let excluded_baselines = if rng.below(2) == 0 { baselines.clone() } else { vec![] };
        let n = 1 + rng.below(4);
        let mut kinds = Vec::new();
        let exclusions: Vec<serde_json::Value> = (0..n)
            .map(|i| {
                let (kind, geometry) = random_exclusion(&mut rng, &border);
                kinds.push(kind);
                serde_json::json!({"name": format!("{kind} {i}"), "geometry": geometry})
            })
            .collect();
        let policy = serde_json::json!({"grey_zone": grey, "excluded_baselines": excluded_baselines,
            "exclusions": exclusions, "waters": waters});
        let doc = serde_json::json!({"source": source, "ceasefire_date": date, "policy": policy});
        let c = frontline::scenario::compute(cat, &frontline::scenario::from_value(doc).expect("a scenario"))
            .unwrap_or_else(|e| panic!("case {case} ({kinds:?}): {e}"));
        let a = &c.answer;
        let excluded: f64 = a.excluded.iter().filter_map(|e| e.area_km2).sum();
        let total = a.area_of_application_km2 + excluded;
        let rel = (total - a.territory_km2).abs() / a.territory_km2;
        worst = worst.max(rel);
        let line = format!(
            "case {case} {date} waters {waters} grey {grey} baselines {excluded_baselines:?} exclusions {kinds:?}: \
             area {:.6} + excluded {excluded:.6} = {total:.6} km2 vs territory {:.6}: {rel:.2e}",
            a.area_of_application_km2, a.territory_km2
        );
        assert!(rel < 1e-9, "{line}");
        out = out.max(assert_parts_inside_the_territory(cat, source, waters, &c, &line));
        lines.push(line);
    }
    lines.push(format!(
        "{cases} cases; largest relative error {worst:.2e}; largest part outside the territory {:.1} m2",
        out * 1e6
    ));
    lines
}

/// Every part of a computed scenario (the area of application, each excluded area) is inside the
/// territory (the border of `source`, with its waters' cells when `waters`): each of its vertices
/// in it or within 1e-7 degree (1 cm) of its outline (an output vertex where edges cross is a
/// point of i_overlay's grid, off the edges it lies on by up to half a step), and the part minus
/// the territory under 1e-9 of it in area (where an exclusion crosses the border a thousand
/// times, those grid points add up to tens of m2). Returns the largest such area, km2.
pub fn assert_parts_inside_the_territory(
    cat: &frontline::catalog::Catalog,
    source: &str,
    waters: bool,
    c: &frontline::scenario::Computed,
    line: &str,
) -> f64 {
    let mut largest: f64 = 0.0;
    use frontline::coverage::{OverlayRule, overlay};
    use frontline::geodesy::area_km2;
    use frontline::index::PolygonIndex;
    let src = cat.source(Some(source)).expect("the source");
    let mut territory = src.border.border.geometry.0.clone();
    if waters && let Some(w) = &src.border.waters {
        territory.extend(w.waters.cells.iter().flat_map(|c| c.geometry.0.iter().cloned()));
    }
    let index = PolygonIndex::new(&territory);
    let near_outline = |x: f64, y: f64| {
        territory
            .iter()
            .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
            .flat_map(|r| r.0.windows(2))
            .any(|w| segment_distance((x, y), (w[0].x, w[0].y), (w[1].x, w[1].y)) <= 1e-7)
    };
    let parts = std::iter::once(("area of application".to_string(), &c.area)).chain(
        c.excluded
            .iter()
            .map(|e| (format!("{} {:?}", e.reason.as_str(), e.name), &e.area)),
    );
    for (what, part) in parts {
        for p in &part.0 {
            for r in std::iter::once(p.exterior()).chain(p.interiors()) {
                for v in &r.0 {
                    assert!(
                        index.locate(v.x, v.y).in_closed() || near_outline(v.x, v.y),
                        "{line}: the {what} has the vertex {v:?} outside the territory"
                    );
                }
            }
        }
        let [outside] = overlay(&part.0, &territory, [OverlayRule::Difference], true);
        let out_km2 = area_km2(&outside);
        assert!(
            out_km2 <= 1e-9 * c.answer.territory_km2,
            "{line}: the {what} sticks out of the territory by {out_km2} km2"
        );
        largest = largest.max(out_km2);
    }
    largest
}

/// Planar distance (degrees) from `p` to the segment a-b.
fn segment_distance(p: (f64, f64), a: (f64, f64), b: (f64, f64)) -> f64 {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let len2 = dx * dx + dy * dy;
    let t = if len2 > 0.0 {
        (((p.0 - a.0) * dx + (p.1 - a.1) * dy) / len2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    (p.0 - a.0 - t * dx).hypot(p.1 - a.1 - t * dy)
}
