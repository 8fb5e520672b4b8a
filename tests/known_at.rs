//! `known_at=<instant>` answers as the service answered at that instant, byte for byte: a
//! sequence of writes of every kind (descriptions over HTTP, publications and snapshots ingested
//! and replaced, the earlier publication of a day replaced, a day's snapshot replaced by a
//! publication, CLI imports picked up by a reload), each followed by answers recorded from the
//! live state; then every recorded answer is asked again with `known_at=` the instant it was
//! given at. On a real server on an ephemeral port, restarted before the replay.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod common;

use common::{Server, get, request};
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

const TOKEN: &str = "known-at-token-0123456789abcdef";

fn put_source(addr: SocketAddr, name: &str, body: &Value) -> u16 {
    request(
        addr,
        "PUT",
        &format!("/v1/sources/{name}"),
        &format!("Authorization: Bearer {TOKEN}\r\nContent-Type: application/json\r\n"),
        body.to_string().as_bytes(),
    )
    .status
}

fn ingest(addr: SocketAddr, query: &str, body: &Value) -> u16 {
    let r = request(
        addr,
        "POST",
        &format!("/v1/snapshots?{query}"),
        &format!("Authorization: Bearer {TOKEN}\r\nContent-Type: application/geo+json\r\n"),
        body.to_string().as_bytes(),
    );
    assert!(r.status == 200 || r.status == 201, "{query}: {}", r.text());
    r.status
}

/// One occupied square of `side` degrees at (35, 48), published at `at` when given.
fn square(side: f64, at: Option<&str>) -> Value {
    let (x0, y0, x1, y1) = (35.0, 48.0, 35.0 + side, 48.0 + side);
    let mut v = json!({"type": "FeatureCollection", "features": [{"type": "Feature",
        "properties": {"status": "occupied"},
        "geometry": {"type": "Polygon", "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]}}]});
    if let Some(at) = at {
        v["frontline"] = json!({"published_at": at});
    }
    v
}

fn terms(licence: &str, time_zone: &str) -> Value {
    json!({"licence": licence, "attribution": "© Monitor", "url": "https://example.org/monitor",
        "time_zone": time_zone, "baselines": ["crimea"]})
}

fn now() -> String {
    chrono::DateTime::<chrono::Utc>::from(std::time::SystemTime::now())
        .to_rfc3339_opts(chrono::SecondsFormat::Nanos, true)
}

/// A plain GeoJSON file of one occupied square, for `frontline import geojson` (dated by its
/// name, in a folder of its own).
fn plain_file(dir: &Path, folder: &str, date: &str, side: f64) -> PathBuf {
    let path = dir.join(folder).join(format!("{date}.geojson"));
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let mut body = square(side, None);
    body["features"][0]["properties"]["date"] = json!(date);
    std::fs::write(&path, body.to_string()).unwrap();
    path
}

fn import_cli(root: &Path, file: &Path, extra: &[&str]) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_frontline"))
        .args(["import", "geojson", file.to_str().unwrap(), "--source", "other"])
        .args(["--data", root.to_str().unwrap()])
        .args(extra)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

fn reloads(addr: SocketAddr) -> u64 {
    let text = get(addr, "/metrics", "").text();
    text.lines()
        .find(|l| l.starts_with("frontline_reloads_total{outcome=\"ok\"}"))
        .and_then(|l| l.split_whitespace().last())
        .and_then(|n| n.parse::<f64>().ok())
        .map_or(0, |n| n as u64)
}

/// Reloads the server (SIGHUP) and waits until the reload went live.
fn reload(s: &Server) {
    let before = reloads(s.addr);
    let pid = s.child.id().to_string();
    assert!(
        std::process::Command::new("kill")
            .args(["-HUP", &pid])
            .status()
            .unwrap()
            .success()
    );
    for _ in 0..500 {
        if reloads(s.addr) > before {
            return;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    panic!("the reload did not happen");
}

/// The answers recorded after each step: every route that takes `known_at`, on the dates and
/// instants the steps write.
const QUERIES: &[(&str, &str)] = &[
    ("/v1/coverage?lon=35.25&lat=48.25&source=monitor&date=2024-05-01", ""),
    (
        "/v1/coverage?lon=35.25&lat=48.25&source=monitor&datetime=2024-05-01T09:00:00Z",
        "",
    ),
    ("/v1/coverage?lon=35.65&lat=48.65&source=monitor&date=2024-05-03", ""),
    ("/v1/coverage?lon=35.25&lat=48.25&date=2024-05-03&sources=all", ""),
    ("/v1/layers/occupied?source=monitor&date=2024-05-01", ""),
    ("/v1/layers/occupied?source=monitor&datetime=2024-05-01T09:00:00Z", ""),
    ("/v1/layers/occupied?source=monitor&date=2024-05-03", ""),
    ("/v1/timeline?source=monitor", ""),
    ("/v1/timeline?source=monitor", "Accept: text/csv\r\n"),
    ("/v1/diff?source=monitor&from=2024-05-01&to=2024-05-03", ""),
    (
        "/v1/diff?source=monitor&from_datetime=2024-05-01T09:00:00Z&to=2024-05-01",
        "",
    ),
    ("/v1/history?lon=35.65&lat=48.65&source=monitor", ""),
    ("/v1/snapshots?source=monitor", ""),
    ("/v1/agreement?date=2024-05-03&sources=monitor,other", ""),
    ("/v1/agreement/timeline?sources=monitor,other", ""),
    ("/v1/coverage?lon=35.25&lat=48.25&source=other&date=2024-05-03", ""),
];

type Answers = Vec<(u16, Vec<u8>)>;

/// One write of the sequence, on the running server.
type Step = Box<dyn Fn(&Server)>;

fn record(addr: SocketAddr) -> Answers {
    QUERIES
        .iter()
        .map(|(q, headers)| {
            let r = get(addr, q, headers);
            (r.status, r.body)
        })
        .collect()
}

#[test]
fn known_at_reproduces_every_answer_given_between_two_writes_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let root = common::copy_embedded_geodata(dir.path(), false);
    let token = dir.path().join("token");
    std::fs::write(&token, format!("{TOKEN}\n")).unwrap();
    let mut s = Server::with_ingest(&root, &token);
    let p1 = "2024-05-01T08:00:00Z";
    let p2 = "2024-05-01T12:00:00Z";
    let p3 = "2024-05-03T10:00:00Z";
    let steps: Vec<(&str, Step)> = vec![
        ("nothing yet", Box::new(|_| {})),
        (
            "the source described",
            Box::new(|s| assert_eq!(put_source(s.addr, "monitor", &terms("licence 1", "Europe/Kyiv")), 201)),
        ),
        (
            "a first publication",
            Box::new(move |s| {
                ingest(s.addr, "source=monitor&date=2024-05-01", &square(0.5, Some(p1)));
            }),
        ),
        (
            "a later publication the same day",
            Box::new(move |s| {
                ingest(s.addr, "source=monitor&date=2024-05-01", &square(0.6, Some(p2)));
            }),
        ),
        (
            "the earlier publication replaced",
            Box::new(move |s| {
                ingest(
                    s.addr,
                    "source=monitor&date=2024-05-01&replace=true",
                    &square(0.7, Some(p1)),
                );
            }),
        ),
        (
            "the day's last publication replaced",
            Box::new(move |s| {
                ingest(
                    s.addr,
                    "source=monitor&date=2024-05-01&replace=true",
                    &square(0.8, Some(p2)),
                );
            }),
        ),
        (
            "a snapshot without an instant",
            Box::new(|s| {
                ingest(s.addr, "source=monitor&date=2024-05-03", &square(0.9, None));
            }),
        ),
        (
            "that snapshot replaced",
            Box::new(|s| {
                ingest(
                    s.addr,
                    "source=monitor&date=2024-05-03&replace=true",
                    &square(0.95, None),
                );
            }),
        ),
        (
            "the day's snapshot replaced by a publication",
            Box::new(move |s| {
                ingest(
                    s.addr,
                    "source=monitor&date=2024-05-03&replace=true",
                    &square(0.75, Some(p3)),
                );
            }),
        ),
        (
            "the description replaced (another licence, time zone UTC)",
            Box::new(|s| assert_eq!(put_source(s.addr, "monitor", &terms("licence 2", "UTC")), 200)),
        ),
        (
            "a second source imported on the command line",
            Box::new({
                let (root, dir) = (root.clone(), dir.path().to_path_buf());
                move |s| {
                    import_cli(&root, &plain_file(&dir, "a", "2024-05-02", 0.4), &[]);
                    reload(s);
                }
            }),
        ),
        (
            "its snapshot replaced on the command line",
            Box::new({
                let (root, dir) = (root.clone(), dir.path().to_path_buf());
                move |s| {
                    import_cli(&root, &plain_file(&dir, "b", "2024-05-02", 0.3), &["--replace"]);
                    reload(s);
                }
            }),
        ),
    ];
    let mut recorded: Vec<(&str, String, Answers)> = Vec::new();
    for (what, step) in &steps {
        step(&s);
        let answers = record(s.addr);
        std::thread::sleep(Duration::from_millis(15));
        let at = now();
        std::thread::sleep(Duration::from_millis(15));
        recorded.push((what, at, answers));
    }
    // Every step changed some answer (else it would test nothing), but for the description
    // of a source without a snapshot (no route that takes known_at shows it).
    for w in recorded.windows(2).filter(|w| w[1].0 != "the source described") {
        assert!(w[0].2 != w[1].2, "{} changed no answer", w[1].0);
    }
    // A restart: what known_at answers comes from the files alone.
    drop(s);
    s = Server::with_ingest(&root, &token);
    let mut mismatches = Vec::new();
    for (what, at, answers) in &recorded {
        for ((q, headers), (status, body)) in QUERIES.iter().zip(answers) {
            let r = get(s.addr, &format!("{q}&known_at={at}"), headers);
            if (r.status, &r.body) != (*status, body) {
                mismatches.push(format!(
                    "after '{what}' ({at}) {q}:\n  then {status} {}\n  now  {} {}",
                    String::from_utf8_lossy(body),
                    r.status,
                    String::from_utf8_lossy(&r.body)
                ));
            }
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} mismatches:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}

/// `revised` says whether the content an answer used replaced an earlier one: the earlier
/// publication of a day replaced says so at its instant (`datetime=`), in its history rows and
/// in the snapshot listing, while the day's snapshot (not replaced) does not.
#[test]
fn a_replaced_earlier_publication_is_revised_wherever_it_is_used() {
    let dir = tempfile::tempdir().unwrap();
    let root = common::copy_embedded_geodata(dir.path(), false);
    let token = dir.path().join("token");
    std::fs::write(&token, format!("{TOKEN}\n")).unwrap();
    let s = Server::with_ingest(&root, &token);
    assert_eq!(put_source(s.addr, "monitor", &terms("licence 1", "Europe/Kyiv")), 201);
    let (p1, p2) = ("2024-05-01T08:00:00Z", "2024-05-01T12:00:00Z");
    ingest(s.addr, "source=monitor&date=2024-05-01", &square(0.5, Some(p1)));
    ingest(s.addr, "source=monitor&date=2024-05-01", &square(0.6, Some(p2)));
    let revised = |q: &str, ptr: &str| -> Value {
        let v = get(s.addr, q, "").json();
        v.pointer(ptr).cloned().unwrap_or_else(|| panic!("{q} {ptr}: {v}"))
    };
    let at_p1 = "/v1/coverage?lon=35.25&lat=48.25&source=monitor&datetime=2024-05-01T09:00:00Z";
    let day = "/v1/coverage?lon=35.25&lat=48.25&source=monitor&date=2024-05-01";
    let layer_p1 = "/v1/layers/occupied?source=monitor&datetime=2024-05-01T09:00:00Z";
    for (q, ptr) in [
        (at_p1, "/snapshot/revised"),
        (day, "/snapshot/revised"),
        (layer_p1, "/frontline/snapshot/revised"),
    ] {
        assert_eq!(revised(q, ptr), json!(false), "{q} before any replacement");
    }
    ingest(
        s.addr,
        "source=monitor&date=2024-05-01&replace=true",
        &square(0.7, Some(p1)),
    );
    assert_eq!(
        revised(at_p1, "/snapshot/revised"),
        json!(true),
        "the replaced publication"
    );
    assert_eq!(revised(layer_p1, "/frontline/snapshot/revised"), json!(true));
    assert_eq!(
        revised(day, "/snapshot/revised"),
        json!(false),
        "the day's snapshot was not replaced"
    );
    // The source lists the day as having a revised content.
    let sources = get(s.addr, "/v1/sources", "").json();
    let monitor = sources["sources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["name"] == "monitor")
        .unwrap();
    assert_eq!(monitor["revised"], json!(["2024-05-01"]), "{monitor}");
    // Replacing the day's last publication makes the day's answers revised.
    ingest(
        s.addr,
        "source=monitor&date=2024-05-01&replace=true",
        &square(0.8, Some(p2)),
    );
    assert_eq!(revised(day, "/snapshot/revised"), json!(true));
    let timeline = get(s.addr, "/v1/timeline?source=monitor", "").json();
    assert_eq!(timeline["rows"][0]["revised"], json!(true), "{timeline}");
    // After a restart the same (the store's .history/ says it).
    drop(s);
    let s = Server::with_ingest(&root, &token);
    let v = get(s.addr, at_p1, "").json();
    assert_eq!(v["snapshot"]["revised"], json!(true), "{v}");
}

fn cli(root: &Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_frontline"))
        .args(args)
        .args(["--data", root.to_str().unwrap()])
        .output()
        .unwrap()
}

/// The command line answers as the HTTP routes it stands for, flag for parameter: `--known-at`,
/// `diff --from-datetime/--to-datetime`, `timeline --datetime --by-region`, `query --sources`,
/// `scenario --preset --datetime`; the answers compared byte for byte (JSON compared as values
/// where the CLI pretty-prints).
#[test]
fn the_command_line_answers_as_the_routes_it_stands_for() {
    let dir = tempfile::tempdir().unwrap();
    let root = common::copy_embedded_geodata(dir.path(), true);
    let token = dir.path().join("token");
    std::fs::write(&token, format!("{TOKEN}\n")).unwrap();
    let s = Server::with_ingest(&root, &token);
    assert_eq!(put_source(s.addr, "monitor", &terms("licence 1", "Europe/Kyiv")), 201);
    let (p1, p2) = ("2024-05-01T08:00:00Z", "2024-05-01T12:00:00Z");
    ingest(s.addr, "source=monitor&date=2024-05-01", &square(0.5, Some(p1)));
    ingest(s.addr, "source=monitor&date=2024-05-01", &square(0.6, Some(p2)));
    ingest(s.addr, "source=monitor&date=2024-05-03", &square(0.9, None));
    std::thread::sleep(Duration::from_millis(20));
    let before = now();
    std::thread::sleep(Duration::from_millis(20));
    // Replaced since: --known-at before it answers with the earlier contents.
    ingest(
        s.addr,
        "source=monitor&date=2024-05-01&replace=true",
        &square(0.7, Some(p1)),
    );
    ingest(
        s.addr,
        "source=monitor&date=2024-05-03&replace=true",
        &square(0.95, None),
    );
    let between = "2024-05-01T09:00:00Z";
    let json = |b: &[u8]| -> Value {
        serde_json::from_slice(b).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(b)))
    };
    for known_at in [None, Some(before.as_str())] {
        let (k_http, k_cli): (String, Vec<&str>) = match known_at {
            Some(t) => (format!("&known_at={t}"), vec!["--known-at", t]),
            None => (String::new(), vec![]),
        };
        let with = |args: &[&str]| -> Vec<String> { args.iter().chain(&k_cli).map(|s| s.to_string()).collect() };
        let run = |args: Vec<String>| {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let out = cli(&root, &args);
            assert!(
                out.status.success(),
                "{args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            out.stdout
        };
        // A diff from an instant between two publications to a date.
        let http = get(
            s.addr,
            &format!("/v1/diff?source=monitor&from_datetime={between}&to=2024-05-03{k_http}"),
            "",
        );
        assert_eq!(http.status, 200, "{}", http.text());
        let out = run(with(&[
            "diff",
            "--source",
            "monitor",
            "--from-datetime",
            between,
            "--to",
            "2024-05-03",
        ]));
        assert_eq!(json(&out), json(&http.body), "diff {known_at:?}");
        // The rows by region of the publication in force at an instant (CSV both ways).
        let http = get(
            s.addr,
            &format!("/v1/timeline?source=monitor&datetime={between}&by_region=true{k_http}"),
            "Accept: text/csv\r\n",
        );
        assert_eq!(http.status, 200, "{}", http.text());
        let out = run(with(&[
            "timeline",
            "--source",
            "monitor",
            "--datetime",
            between,
            "--by-region",
        ]));
        assert_eq!(String::from_utf8_lossy(&out), http.text(), "timeline {known_at:?}");
        // A range of the timeline.
        let http = get(
            s.addr,
            &format!("/v1/timeline?source=monitor&from=2024-05-02&to=2024-05-03{k_http}"),
            "Accept: text/csv\r\n",
        );
        let out = run(with(&[
            "timeline",
            "--source",
            "monitor",
            "--from",
            "2024-05-02",
            "--to",
            "2024-05-03",
        ]));
        assert_eq!(
            String::from_utf8_lossy(&out),
            http.text(),
            "timeline range {known_at:?}"
        );
        // A point, every source's verdict, and a point's history.
        let http = get(
            s.addr,
            &format!("/v1/coverage?lon=35.65&lat=48.65&source=monitor&datetime={between}&distance=true{k_http}"),
            "",
        );
        let out = run(with(&[
            "query",
            "--lon",
            "35.65",
            "--lat",
            "48.65",
            "--source",
            "monitor",
            "--datetime",
            between,
        ]));
        assert_eq!(json(&out), json(&http.body), "query {known_at:?}");
        let http = get(
            s.addr,
            &format!("/v1/coverage?lon=35.65&lat=48.65&sources=all&date=2024-05-03&distance=true{k_http}"),
            "",
        );
        let out = run(with(&[
            "query",
            "--lon",
            "35.65",
            "--lat",
            "48.65",
            "--sources",
            "all",
            "--date",
            "2024-05-03",
        ]));
        assert_eq!(json(&out), json(&http.body), "query --sources {known_at:?}");
        let http = get(
            s.addr,
            &format!("/v1/history?lon=35.65&lat=48.65&source=monitor{k_http}"),
            "",
        );
        let out = run(with(&[
            "history", "--lon", "35.65", "--lat", "48.65", "--source", "monitor",
        ]));
        assert_eq!(json(&out), json(&http.body), "history {known_at:?}");
        // The agreement on a date.
        let http = get(
            s.addr,
            &format!("/v1/agreement?date=2024-05-03&sources=monitor,example&summary=true{k_http}"),
            "",
        );
        let out = run(with(&[
            "agreement",
            "--date",
            "2024-05-03",
            "--sources",
            "monitor,example",
            "--summary",
        ]));
        assert_eq!(json(&out), json(&http.body), "agreement {known_at:?}");
    }
    // The answers before the replacement differ from the answers now (else --known-at would
    // test nothing).
    let area = |k: &[&str]| {
        // Inside the larger square of 3 May only.
        let mut args = vec![
            "query",
            "--lon",
            "35.92",
            "--lat",
            "48.92",
            "--source",
            "monitor",
            "--date",
            "2024-05-03",
        ];
        args.extend(k);
        json(&cli(&root, &args).stdout)["status"].clone()
    };
    assert_eq!(area(&[]), json!("occupied"));
    assert_eq!(area(&["--known-at", &before]), json!("covered"));
    // A preset at an instant: the day whose state was published then, as over HTTP.
    let http = get(
        s.addr,
        "/v1/scenarios/presets?source=monitor&datetime=2024-05-01T13:00:00Z",
        "",
    );
    assert_eq!(http.status, 200, "{}", http.text());
    let korea = json(&http.body)["presets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "korea-1953")
        .unwrap()["scenario"]
        .clone();
    let out = cli(
        &root,
        &[
            "scenario",
            "--preset",
            "korea-1953",
            "--source",
            "monitor",
            "--datetime",
            "2024-05-01T13:00:00Z",
        ],
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(json(&out.stdout), korea);
    // An instant at which an earlier publication was in force names no day's state: refused
    // on both, naming the day's last publication.
    let http = get(
        s.addr,
        &format!("/v1/scenarios/presets?source=monitor&datetime={between}"),
        "",
    );
    assert_eq!(http.status, 422, "{}", http.text());
    let out = cli(
        &root,
        &[
            "scenario",
            "--preset",
            "korea-1953",
            "--source",
            "monitor",
            "--datetime",
            between,
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("superseded later that day"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Refusals say why, the same on both: all among names; an instant in the future.
    let http = get(
        s.addr,
        "/v1/coverage?lon=35.65&lat=48.65&sources=all,monitor&date=2024-05-03",
        "",
    );
    assert_eq!(http.status, 400, "{}", http.text());
    assert_eq!(json(&http.body)["parameter"], "sources");
    let out = cli(
        &root,
        &[
            "query",
            "--lon",
            "35.65",
            "--lat",
            "48.65",
            "--sources",
            "all,monitor",
            "--date",
            "2024-05-03",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("mixes all with source names"));
    let out = cli(&root, &["timeline", "--known-at", "2999-01-01T00:00:00Z"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("in the future"));
}
