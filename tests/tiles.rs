//! Vector tiles over HTTP on the embedded (SYNTHETIC) geodata: TileJSON documents naming epochs,
//! immutable tiles with strong ETags, empty tiles, bad addresses, a TileJSON that changes when
//! an ingest changes what is in force on its date, and diff tiles whose totals are `/v1/diff`'s.
//! Tiles are read back by GDAL's MVT driver (`ogrinfo`, Debian `gdal-bin`) in a test of their own,
//! reported as ignored, with the reason, where ogrinfo was not on PATH when the tests were built.
//! The real-data acceptance is in `tests/real_tiles.rs`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{Reply, Server, get, request};
use std::net::SocketAddr;
use std::process::Command;

const TOKEN: &str = "test-token-0123456789abcdef";

/// The z5 tile over the example source's occupied areas (east of Ukraine).
const TILE: &str = "5/19/11";

fn tilejson(addr: SocketAddr, path: &str) -> (Reply, serde_json::Value) {
    let r = get(addr, path, "");
    assert_eq!(r.status, 200, "{path}: {}", r.text());
    let v = r.json();
    (r, v)
}

/// The tile URL of a TileJSON's template, as a path on the server.
fn tile_path(doc: &serde_json::Value, zxy: &str) -> String {
    let t = doc["tiles"][0].as_str().unwrap();
    let path = t.split_once("/v1/").map(|(_, p)| format!("/v1/{p}")).unwrap();
    let mut parts = zxy.split('/');
    path.replace("{z}", parts.next().unwrap())
        .replace("{x}", parts.next().unwrap())
        .replace("{y}", parts.next().unwrap())
}

/// A server over `dir/geodata` with ingest on (token in `dir/token`) and no watcher.
fn serve_with_ingest(dir: &std::path::Path) -> Server {
    Server::with_ingest(&dir.join("geodata"), &dir.join("token"))
}

/// POSTs a snapshot of one occupied square (35-36 E, 48-49 N) with the token, `query` naming
/// the source and date.
fn ingest(addr: SocketAddr, query: &str) -> Reply {
    let body = br#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"status":"occupied"},"geometry":{"type":"Polygon","coordinates":[[[35,48],[36,48],[36,49],[35,49],[35,48]]]}}]}"#;
    request(
        addr,
        "POST",
        &format!("/v1/snapshots?{query}"),
        &format!("Authorization: Bearer {TOKEN}\r\nContent-Type: application/geo+json\r\n"),
        body,
    )
}

/// The layers and feature counts GDAL's MVT driver reads from `bytes`. Only for the test that
/// runs where ogrinfo was found at build time (`gdal_ogrinfo`): it fails if ogrinfo does not run.
fn ogr_layers(bytes: &[u8]) -> Vec<(String, usize)> {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("t.mvt");
    std::fs::write(&file, bytes).unwrap();
    let out = Command::new("ogrinfo")
        .args(["-ro", "-so", "-al"])
        .arg(&file)
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "GDAL's ogrinfo was on PATH when the tests were built but does not run now ({e}): \
                 install gdal-bin, or rebuild the tests so that this test is reported as ignored"
            )
        });
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let mut layers = Vec::new();
    let mut name = None;
    for line in text.lines() {
        if let Some(n) = line.strip_prefix("Layer name: ") {
            name = Some(n.trim().to_string());
        }
        if let (Some(n), Some(c)) = (name.as_ref(), line.strip_prefix("Feature Count: ")) {
            layers.push((n.clone(), c.trim().parse().unwrap()));
        }
    }
    layers
}

#[test]
fn tilejson_names_the_epoch_and_its_tiles_are_immutable() {
    let s = Server::spawn(&[], &[]);
    let (r, doc) = tilejson(s.addr, "/v1/tiles/example/2024-05-01.json");
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert_eq!(r.header("cache-control"), Some("no-cache"));
    let etag = r.header("etag").unwrap().to_string();
    assert!(!etag.starts_with("W/"), "a strong ETag: {etag}");
    assert_eq!(doc["tilejson"], "3.0.0");
    assert_eq!(doc["scheme"], "xyz");
    let epoch = doc["frontline"]["epoch"].as_str().unwrap().to_string();
    assert_eq!(epoch.len(), 24);
    assert_eq!(
        doc["tiles"][0],
        format!("http://{}/v1/tiles/example/{epoch}/{{z}}/{{x}}/{{y}}.mvt", s.addr)
    );
    let ids: Vec<&str> = doc["vector_layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["covered", "occupied", "contested", "line"]);
    assert_eq!(doc["frontline"]["date"], "2024-05-01");
    assert_eq!(doc["frontline"]["snapshot"]["id"], "example:2024-03-01");
    assert_eq!(doc["frontline"]["synthetic"], true);
    // The areas are the timeline's on that date.
    let row = get(s.addr, "/v1/timeline?source=example&date=2024-05-01", "").json()["rows"][0].clone();
    for k in ["covered_km2", "occupied_km2", "contested_km2"] {
        let (a, b) = (doc["frontline"][k].as_f64().unwrap(), row[k].as_f64().unwrap());
        assert!((a - b).abs() < 0.001, "{k}: {a} vs {b}");
    }
    // Every date of the same epoch names the same epoch; conditional requests on the TileJSON.
    let (_, same) = tilejson(s.addr, "/v1/tiles/example/2024-05-31.json");
    assert_eq!(same["frontline"]["epoch"], epoch.as_str());
    let r = get(
        s.addr,
        "/v1/tiles/example/2024-05-01.json",
        &format!("If-None-Match: {etag}\r\n"),
    );
    assert_eq!(r.status, 304);

    // A tile: MVT, immutable, a strong ETag; 304 on If-None-Match; HEAD has GET's headers.
    let path = tile_path(&doc, TILE);
    let t = get(s.addr, &path, "");
    assert_eq!(t.status, 200, "{}", t.text());
    assert_eq!(t.header("content-type"), Some("application/vnd.mapbox-vector-tile"));
    assert_eq!(t.header("cache-control"), Some("public, max-age=31536000, immutable"));
    let tag = t.header("etag").unwrap().to_string();
    assert!(tag.starts_with('"'), "{tag}");
    assert!(!t.body.is_empty());
    let again = get(s.addr, &path, "");
    assert_eq!(again.body, t.body, "the same bytes from the cache");
    assert_eq!(get(s.addr, &path, &format!("If-None-Match: {tag}\r\n")).status, 304);
    let head = request(s.addr, "HEAD", &path, "", b"");
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    assert_eq!(head.header("etag"), Some(tag.as_str()));

    // Empty tiles: 204 with the same caching.
    let empty = get(s.addr, &tile_path(&doc, "5/0/0"), "");
    assert_eq!(empty.status, 204);
    assert!(empty.body.is_empty());
    assert_eq!(
        empty.header("cache-control"),
        Some("public, max-age=31536000, immutable")
    );
    assert!(empty.header("etag").is_some());
    // Revalidated like any other tile (RFC 9110 13.2.1: a 204 is a 2xx).
    let again = get(
        s.addr,
        &tile_path(&doc, "5/0/0"),
        &format!("If-None-Match: {}\r\n", empty.header("etag").unwrap()),
    );
    assert_eq!(again.status, 304);
    assert_eq!(again.header("etag"), empty.header("etag"));

    // Bad addresses and unknown things: problem+json.
    let base = format!("/v1/tiles/example/{epoch}");
    get(s.addr, &format!("{base}/5/32/0.mvt"), "").assert_problem(400, "outside the grid");
    get(s.addr, &format!("{base}/19/0/0.mvt"), "").assert_problem(400, "beyond the deepest");
    get(s.addr, &format!("{base}/a/0/0.mvt"), "").assert_problem(400, "whole number");
    get(s.addr, &format!("{base}/5/-1/0.mvt"), "").assert_problem(400, "whole number");
    get(s.addr, "/v1/tiles/example/0123456789abcdef01234567/5/19/11.mvt", "").assert_problem(404, "no live epoch");
    get(s.addr, &format!("/v1/tiles/nope/{epoch}/5/19/11.mvt"), "").assert_problem(404, "nope");
    get(s.addr, "/v1/tiles/nope/2024-05-01.json", "").assert_problem(404, "nope");
    get(s.addr, "/v1/tiles/example/2024-02-30.json", "").assert_problem(400, "date");
    get(s.addr, "/v1/tiles/example/1990-01-01.json", "").assert_problem(404, "first snapshot");
    assert_eq!(get(s.addr, &format!("{base}/5/19/11.png"), "").status, 404);
    let post = request(s.addr, "POST", &path, "", b"");
    assert_eq!(post.status, 405);
}

#[test]
fn a_diff_tilejson_has_the_totals_of_v1_diff_and_diff_tiles_decode() {
    let s = Server::spawn(&[], &[]);
    let (_, doc) = tilejson(s.addr, "/v1/tiles/example/diff/2024-01-15/2024-09-15.json");
    let d = get(s.addr, "/v1/diff?source=example&from=2024-01-15&to=2024-09-15", "").json();
    assert_eq!(doc["frontline"]["totals"], d["frontline"]["totals"]);
    let ids: Vec<&str> = doc["vector_layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["gained", "lost", "newly_contested", "no_longer_contested"]);
    let (a, b) = (
        doc["frontline"]["from_epoch"].as_str().unwrap(),
        doc["frontline"]["to_epoch"].as_str().unwrap(),
    );
    assert_eq!(
        doc["tiles"][0],
        format!("http://{}/v1/tiles/example/diff/{a}/{b}/{{z}}/{{x}}/{{y}}.mvt", s.addr)
    );
    // The epochs are the states' own.
    let (_, from) = tilejson(s.addr, "/v1/tiles/example/2024-01-15.json");
    assert_eq!(from["frontline"]["epoch"], a);
    // Some tile of z4 over Ukraine holds the parts.
    let bodies: Vec<Reply> = [(4, 9, 5), (4, 9, 4), (4, 8, 5), (4, 8, 4)]
        .iter()
        .map(|(z, x, y)| get(s.addr, &tile_path(&doc, &format!("{z}/{x}/{y}")), ""))
        .collect();
    assert!(bodies.iter().all(|r| r.status == 200 || r.status == 204));
    let full: Vec<&Reply> = bodies.iter().filter(|r| r.status == 200).collect();
    assert!(!full.is_empty(), "no diff tile over Ukraine at z4");
    assert_eq!(
        full[0].header("cache-control"),
        Some("public, max-age=31536000, immutable")
    );
}

#[test]
fn a_tilejson_for_a_date_changes_when_an_ingest_changes_what_is_in_force() {
    let dir = tempfile::tempdir().unwrap();
    common::copy_embedded_geodata(dir.path(), false);
    std::fs::write(dir.path().join("token"), format!("{TOKEN}\n")).unwrap();
    let s = serve_with_ingest(dir.path());
    let (r, before) = tilejson(s.addr, "/v1/tiles/example/2024-10-15.json");
    let etag = r.header("etag").unwrap().to_string();
    let old_epoch = before["frontline"]["epoch"].as_str().unwrap().to_string();
    assert_eq!(before["frontline"]["snapshot"]["id"], "example:2024-09-01");
    let old_tile = tile_path(&before, TILE);
    assert_eq!(get(s.addr, &old_tile, "").status, 200);

    // A snapshot dated 2024-10-01: 2024-10-15 now resolves to another state.
    let r = ingest(s.addr, "source=example&date=2024-10-01");
    assert_eq!(r.status, 201, "{}", r.text());
    let r = get(
        s.addr,
        "/v1/tiles/example/2024-10-15.json",
        &format!("If-None-Match: {etag}\r\n"),
    );
    assert_eq!(r.status, 200, "the old ETag no longer matches");
    let after = r.json();
    let new_epoch = after["frontline"]["epoch"].as_str().unwrap();
    assert_ne!(new_epoch, old_epoch);
    assert_eq!(after["frontline"]["snapshot"]["id"], "example:2024-10-01");
    assert!(after["tiles"][0].as_str().unwrap().contains(new_epoch));
    // A date before the ingested one still resolves to the old state, whose tiles still serve.
    let (_, sept) = tilejson(s.addr, "/v1/tiles/example/2024-09-15.json");
    assert_eq!(sept["frontline"]["epoch"], old_epoch.as_str());
    assert_eq!(get(s.addr, &old_tile, "").status, 200);

    // Replacing the 2024-09-01 snapshot's content retires that epoch: its tiles are a 404.
    let r = ingest(s.addr, "source=example&date=2024-09-01&replace=true");
    assert!(r.status == 200 || r.status == 201, "{}", r.text());
    get(s.addr, &old_tile, "").assert_problem(404, "no live epoch");
    let (_, sept) = tilejson(s.addr, "/v1/tiles/example/2024-09-15.json");
    assert_ne!(sept["frontline"]["epoch"], old_epoch.as_str());
}

/// The TileJSON's `tiles` template never echoes the request's `Host` (or `X-Forwarded-*`):
/// it starts with the configured public URL (`--public-url`, `FRONTLINE_PUBLIC_URL`), else
/// with the address the connection reached.
#[test]
fn a_tilejson_names_the_configured_or_listening_address_never_the_host_header() {
    let forged = "Host: evil.example\r\nX-Forwarded-Proto: https\r\nX-Forwarded-Host: evil.example\r\n";
    let starts = |addr: SocketAddr, path: &str, want: &str| {
        let r = request(addr, "GET", path, "", b"");
        assert_eq!(r.status, 200, "{}", r.text());
        // `request` sends `Host: t`; a second request replaces it with a forged one.
        let raw = common::raw(
            addr,
            format!("GET {path} HTTP/1.1\r\n{forged}Connection: close\r\n\r\n").as_bytes(),
        );
        assert_eq!(raw.status, 200, "{}", raw.text());
        for doc in [r.json(), raw.json()] {
            let t = doc["tiles"][0].as_str().unwrap();
            assert!(t.starts_with(want), "{path}: {t} does not start with {want}");
            assert!(!t.contains("evil") && !t.contains("http://t/"), "{t}");
        }
    };
    let s = Server::spawn(&["--watch-s", "0"], &[]);
    let own = format!("http://{}/v1/tiles/example/", s.addr);
    starts(s.addr, "/v1/tiles/example/2024-05-01.json", &own);
    starts(s.addr, "/v1/tiles/example/diff/2024-01-15/2024-09-15.json", &own);

    let p = Server::spawn(
        &["--watch-s", "0", "--public-url", "https://maps.example.org/frontline/"],
        &[],
    );
    starts(
        p.addr,
        "/v1/tiles/example/2024-05-01.json",
        "https://maps.example.org/frontline/v1/tiles/example/",
    );
    let e = Server::spawn(&["--watch-s", "0"], &[("FRONTLINE_PUBLIC_URL", "http://10.1.2.3:9000")]);
    starts(
        e.addr,
        "/v1/tiles/example/diff/2024-01-15/2024-09-15.json",
        "http://10.1.2.3:9000/v1/tiles/example/diff/",
    );
    // A public URL that is not one is refused at start, naming the flag.
    for bad in [
        "ftp://maps.example.org",
        "maps.example.org",
        "https://maps.example.org/?a=1",
        "https://u:p@m.org",
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_frontline"))
            .args(["serve", "--listen", "127.0.0.1:0", "--public-url", bad])
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{bad}: {err}");
        assert!(err.contains("--public-url"), "{bad}: {err}");
    }
}

/// An immutable tile's validators come from its snapshot, not from when the server loaded it:
/// the same ETag and Last-Modified after a reload and after a restart (the TileJSON, which may
/// change with the live state, keeps the live state's time).
#[test]
fn an_immutable_tile_keeps_its_etag_and_last_modified_over_reloads_and_restarts() {
    let dir = tempfile::tempdir().unwrap();
    let root = common::copy_embedded_geodata(dir.path(), false);
    let args = ["--data", root.to_str().unwrap(), "--watch-s", "0"];
    let validators = |s: &Server| {
        let doc = get(s.addr, "/v1/tiles/example/2024-05-01.json", "").json();
        [TILE, "5/0/0"].map(|zxy| {
            let r = get(s.addr, &tile_path(&doc, zxy), "");
            assert!(r.status == 200 || r.status == 204, "{zxy}: {}", r.status);
            (
                r.status,
                r.header("etag").unwrap().to_string(),
                r.header("last-modified").map(str::to_string),
            )
        })
    };
    let s = Server::spawn(&args, &[]);
    let first = validators(&s);
    // The example's 2024-03-01 snapshot has no publication instant: its date, 00:00 UTC.
    assert_eq!(first[0].0, 200);
    assert_eq!(first[1].0, 204, "5/0/0 is empty");
    for (_, _, lm) in &first {
        assert_eq!(lm.as_deref(), Some("Fri, 01 Mar 2024 00:00:00 GMT"));
    }
    let lm = first[0].2.clone().unwrap();
    let path = tile_path(&get(s.addr, "/v1/tiles/example/2024-05-01.json", "").json(), TILE);
    assert_eq!(get(s.addr, &path, &format!("If-Modified-Since: {lm}\r\n")).status, 304);
    let json_lm = get(s.addr, "/v1/timeline?source=example", "")
        .header("last-modified")
        .map(str::to_string);

    // A reload (SIGHUP) in a later second: the live state's time moves, the tile's does not.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    assert!(
        Command::new("kill")
            .args(["-HUP", &s.child.id().to_string()])
            .status()
            .unwrap()
            .success()
    );
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while get(s.addr, "/v1/timeline?source=example", "")
        .header("last-modified")
        .map(str::to_string)
        == json_lm
    {
        assert!(std::time::Instant::now() < deadline, "the reload did not happen");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert_eq!(validators(&s), first, "after a reload");
    drop(s);

    // A restart.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let s = Server::spawn(&args, &[]);
    assert_eq!(validators(&s), first, "after a restart");
}

/// Every tile has one URL: a z, x or y written another way (a leading zero, a sign, an
/// escape), a trailing `/`, or a query string is never a 200 under another cache key.
#[test]
fn a_tile_has_one_url_and_its_other_spellings_are_refused() {
    let s = Server::spawn(&["--watch-s", "0"], &[]);
    let (_, doc) = tilejson(s.addr, "/v1/tiles/example/2024-05-01.json");
    let (_, diff) = tilejson(s.addr, "/v1/tiles/example/diff/2024-01-15/2024-09-15.json");
    let canonical = tile_path(&doc, TILE);
    assert_eq!(get(s.addr, &canonical, "").status, 200);
    let state = canonical.strip_suffix("/5/19/11.mvt").unwrap().to_string();
    let diff_base = tile_path(&diff, "4/9/5")
        .strip_suffix("/4/9/5.mvt")
        .unwrap()
        .to_string();
    for base in [&state, &diff_base] {
        for (tail, status, says) in [
            ("05/19/11.mvt", 404, "/5/19/11.mvt"),
            ("5/019/11.mvt", 404, "/5/19/11.mvt"),
            ("5/19/011.mvt", 404, "/5/19/11.mvt"),
            ("5/19/0011.mvt", 404, "/5/19/11.mvt"),
            ("005/0019/00011.mvt", 404, "/5/19/11.mvt"),
            ("+5/19/11.mvt", 400, "whole number"),
            ("5/+19/11.mvt", 400, "whole number"),
            ("%35/19/11.mvt", 400, "whole number"),
            ("5/19/11.mvt/", 404, "one URL"),
            ("5/19/11.mvt?v=2", 400, "no query parameters"),
            // RFC 3986 6.2.3: an empty query is still a different URL (another cache key).
            ("5/19/11.mvt?", 400, "bare '?'"),
            ("5/19/11.MVT", 404, "no such route"),
        ] {
            let path = format!("{base}/{tail}");
            let r = get(s.addr, &path, "");
            if status == 200 {
                assert!(r.status == 200 || r.status == 204, "{path}: {}", r.status);
            } else {
                r.assert_problem(status, says);
            }
        }
    }
    // A zero is written "0"; the TileJSON takes no query either.
    assert_eq!(get(s.addr, &format!("{state}/0/0/0.mvt"), "").status, 200);
    get(s.addr, &format!("{state}/00/0/0.mvt"), "").assert_problem(404, "/0/0/0.mvt");
    get(s.addr, "/v1/tiles/example/2024-05-01.json?x=1", "").assert_problem(400, "'x'");
    get(s.addr, "/v1/tiles/example/2024-05-01.json/", "").assert_problem(404, "one URL");
}

/// A stored scenario (the Minsk memorandum preset, 15 km each side, on the example source's
/// 2024-09-01 line, with a withdrawal to 2024-01-01) on a copy of the embedded geodata, served
/// with an ingest token: (server, directory, scenario id).
fn saved_scenario() -> (Server, tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    common::copy_embedded_geodata(dir.path(), false);
    std::fs::write(dir.path().join("token"), format!("{TOKEN}\n")).unwrap();
    let s = serve_with_ingest(dir.path());
    let presets = get(s.addr, "/v1/scenarios/presets?source=example&date=2024-09-01", "").json();
    let mut doc = presets["presets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "minsk-2014")
        .unwrap()["scenario"]
        .clone();
    doc["withdrawal_date"] = "2024-01-01".into();
    let r = request(
        s.addr,
        "POST",
        "/v1/scenarios",
        &format!("Authorization: Bearer {TOKEN}\r\nContent-Type: application/json\r\n"),
        doc.to_string().as_bytes(),
    );
    assert_eq!(r.status, 201, "{}", r.text());
    let id = r.json()["id"].as_str().unwrap().to_string();
    (s, dir, id)
}

/// A saved scenario's layers as vector tiles: listed, its TileJSON names an epoch and its
/// figures with provenance, its tiles are immutable (strong ETag, Last-Modified from its
/// snapshots, the same after a restart), one URL per tile, and a scenario whose input changed
/// is refused as `GET /v1/scenarios/{id}` refuses it.
#[test]
fn a_saved_scenarios_layers_are_immutable_vector_tiles() {
    let (s, dir, id) = saved_scenario();
    let list = get(s.addr, "/v1/scenarios", "").json();
    assert_eq!(list["scenarios"][0]["id"], id.as_str(), "{list}");
    assert_eq!(list["scenarios"][0]["ceasefire_date"], "2024-09-01");
    assert!(
        list["scenarios"][0]["title"].as_str().unwrap().contains("Minsk"),
        "{list}"
    );

    let path = format!("/v1/scenarios/{id}/tiles.json");
    let (r, doc) = tilejson(s.addr, &path);
    assert_eq!(r.header("cache-control"), Some("no-cache"));
    assert!(!r.header("etag").unwrap().starts_with("W/"));
    let epoch = doc["frontline"]["epoch"].as_str().unwrap().to_string();
    assert_eq!(
        doc["tiles"][0],
        format!(
            "http://{}/v1/scenarios/{id}/tiles/{epoch}/{{z}}/{{x}}/{{y}}.mvt",
            s.addr
        )
    );
    let layers: Vec<&str> = doc["vector_layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        layers,
        [
            "area",
            "excluded",
            "zones",
            "withdrawal",
            "reference_lines",
            "withdrawal_line"
        ]
    );
    // The withdrawal's features name D0's snapshot beside the ceasefire's (fresh tester).
    let withdrawal = doc["vector_layers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["id"] == "withdrawal")
        .unwrap();
    assert_eq!(withdrawal["fields"]["withdrawn_to"], "String", "{withdrawal}");
    assert_eq!(withdrawal["fields"]["withdrawn_to_sha256"], "String", "{withdrawal}");
    let figures = get(s.addr, &format!("/v1/scenarios/{id}"), "").json();
    assert_eq!(
        doc["frontline"]["scenario"], figures,
        "the figures and provenance of the scenario"
    );
    assert!(doc["frontline"]["title"].as_str().unwrap().contains("Minsk"));

    let tile = tile_path(&doc, TILE);
    let t = get(s.addr, &tile, "");
    assert_eq!(t.status, 200, "{}", t.text());
    assert_eq!(t.header("cache-control"), Some("public, max-age=31536000, immutable"));
    let validators = (
        t.header("etag").unwrap().to_string(),
        t.header("last-modified").unwrap().to_string(),
    );
    assert_eq!(
        validators.1, "Sun, 01 Sep 2024 00:00:00 GMT",
        "its latest snapshot's date"
    );
    assert_eq!(
        get(s.addr, &tile, &format!("If-None-Match: {}\r\n", validators.0)).status,
        304
    );
    let base = tile.strip_suffix("/5/19/11.mvt").unwrap();
    get(s.addr, &format!("{base}/05/19/11.mvt"), "").assert_problem(404, "/5/19/11.mvt");
    get(s.addr, &format!("{base}/5/19/11.mvt?x=1"), "").assert_problem(400, "no query parameters");
    get(
        s.addr,
        &format!("/v1/scenarios/{id}/tiles/0123456789abcdef01234567/5/19/11.mvt"),
        "",
    )
    .assert_problem(404, &epoch);
    get(s.addr, &format!("/v1/scenarios/{}/tiles.json", "0".repeat(64)), "").assert_problem(404, "");

    // The same after a restart.
    drop(s);
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let s = serve_with_ingest(dir.path());
    let (_, again) = tilejson(s.addr, &path);
    assert_eq!(again["frontline"]["epoch"], epoch.as_str());
    let t2 = get(s.addr, &tile_path(&again, TILE), "");
    assert_eq!(t2.body, t.body);
    assert_eq!(
        (
            t2.header("etag").unwrap().to_string(),
            t2.header("last-modified").unwrap().to_string()
        ),
        validators
    );

    // An input replaced (the 2024-09-01 snapshot): the id no longer means these figures, its
    // TileJSON and tiles are refused.
    let r = ingest(s.addr, "source=example&date=2024-09-01&replace=true");
    assert!(r.status == 200 || r.status == 201, "{}", r.text());
    get(s.addr, &path, "").assert_problem(409, &id);
    assert_eq!(get(s.addr, &tile_path(&doc, TILE), "").status, 409);
}

/// The tiles of a saved scenario read by a decoder that is not ours (mapbox-vector-tile): the
/// union of the `area` polygons of every z7 tile is the scenario's area of application within
/// 0.5 % (quantisation), the `zones` polygons its zones' area, and every polygon is valid.
#[test]
#[cfg_attr(
    not(python_mvt),
    ignore = "needs $TMPDIR/frontline-venv with mapbox-vector-tile (scripts/make-workload.sh makes it; .ci/run runs that)"
)]
fn a_saved_scenarios_tiles_decode_to_its_area_and_zones() {
    let (s, dir, id) = saved_scenario();
    let (_, doc) = tilejson(s.addr, &format!("/v1/scenarios/{id}/tiles.json"));
    let figures = &doc["frontline"]["scenario"];
    let b: Vec<f64> = doc["bounds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    let tiles = dir.path().join("z7");
    std::fs::create_dir_all(&tiles).unwrap();
    let mut n = 0;
    for frontline::query::tiles::TileId { z, x, y } in
        frontline::query::tiles::TileId::covering([b[0], b[1], b[2], b[3]], 7)
    {
        let r = get(s.addr, &tile_path(&doc, &format!("{z}/{x}/{y}")), "");
        assert!(r.status == 200 || r.status == 204, "{z}/{x}/{y}: {}", r.status);
        if r.status == 200 {
            std::fs::write(tiles.join(format!("{z}-{x}-{y}.mvt")), &r.body).unwrap();
            n += 1;
        }
    }
    assert!(n > 4, "{n} tiles");
    let python = std::env::temp_dir().join("frontline-venv/bin/python");
    for (layer, want) in [
        ("area", figures["area_of_application_km2"].as_f64().unwrap()),
        (
            "zones",
            figures["zones"]
                .as_array()
                .unwrap()
                .iter()
                .map(|z| z["area_km2"].as_f64().unwrap())
                .sum(),
        ),
        ("withdrawal", figures["withdrawal"]["area_km2"].as_f64().unwrap()),
    ] {
        let out = Command::new(&python)
            .arg(common::repo().join("scripts/tiles/decode_tiles.py"))
            .arg(&tiles)
            .arg(layer)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["invalid"], 0, "{}", v["invalid_where"]);
        let got = v["layer_km2"].as_f64().unwrap();
        let rel = (got - want).abs() / want;
        println!("{layer}: decoded {got:.3} km2 vs {want:.3} km2 ({:.4} %)", rel * 100.0);
        assert!(want > 100.0 && rel < 0.005, "{layer}: {got} vs {want}");
    }
}

/// A state's tile, a diff's and a saved scenario's, read back by GDAL's MVT driver (the second
/// decoder): the layers each should hold. Reported as ignored, with the reason, where ogrinfo
/// was not on PATH when the tests were built.
#[test]
#[cfg_attr(not(gdal_ogrinfo), ignore = "needs GDAL's ogrinfo (CI installs gdal-bin)")]
fn tiles_read_back_by_gdal_hold_their_layers() {
    let s = Server::spawn(&[], &[]);
    let (_, doc) = tilejson(s.addr, "/v1/tiles/example/2024-05-01.json");
    let t = get(s.addr, &tile_path(&doc, TILE), "");
    assert_eq!(t.status, 200, "{}", t.text());
    let layers = ogr_layers(&t.body);
    let names: Vec<&str> = layers.iter().map(|(n, _)| n.as_str()).collect();
    assert!(names.contains(&"covered") && names.contains(&"occupied"), "{layers:?}");
    assert!(layers.iter().all(|(_, n)| *n > 0), "{layers:?}");

    let (_, doc) = tilejson(s.addr, "/v1/tiles/example/diff/2024-01-15/2024-09-15.json");
    let full = [(4, 9, 5), (4, 9, 4), (4, 8, 5), (4, 8, 4)]
        .iter()
        .map(|(z, x, y)| get(s.addr, &tile_path(&doc, &format!("{z}/{x}/{y}")), ""))
        .find(|r| r.status == 200)
        .expect("a diff tile over Ukraine at z4");
    let layers = ogr_layers(&full.body);
    assert!(!layers.is_empty());
    assert!(
        layers
            .iter()
            .all(|(n, _)| ["gained", "lost", "newly_contested", "no_longer_contested"].contains(&n.as_str())),
        "{layers:?}"
    );
    drop(s);

    let (s, _dir, id) = saved_scenario();
    let (_, doc) = tilejson(s.addr, &format!("/v1/scenarios/{id}/tiles.json"));
    let t = get(s.addr, &tile_path(&doc, TILE), "");
    assert_eq!(t.status, 200, "{}", t.text());
    let l = ogr_layers(&t.body);
    let names: Vec<&str> = l.iter().map(|(n, _)| n.as_str()).collect();
    for want in ["area", "zones", "withdrawal", "reference_lines"] {
        assert!(names.contains(&want), "{want} in {l:?}");
    }
}
