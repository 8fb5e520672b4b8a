//! The admission policy of new snapshots, over HTTP ingest and `frontline import` alike (field
//! cases ingest-01..06, crs-01/02 and first-05 of round 2, and more members of each class):
//! dates in a window, empty snapshots on request only, feature dates checked, edges the long way
//! round refused, every repair listed, CRS84 in every spelling.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

mod common;

const TOKEN: &str = "policy-token-0123456789abcdef";

/// A server on a writable copy of the embedded geodata with ingest on; killed on drop.
struct Server {
    child: Child,
    addr: SocketAddr,
    root: PathBuf,
    _dir: tempfile::TempDir,
}

impl Server {
    fn start(extra: &[&str]) -> Server {
        let dir = tempfile::tempdir().unwrap();
        let root = common::copy_embedded_geodata(dir.path(), false);
        let token = dir.path().join("token");
        std::fs::write(&token, TOKEN).unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_frontline"))
            .args(["serve", "--listen", "127.0.0.1:0", "--watch-s", "0", "--data"])
            .arg(&root)
            .arg("--ingest-token-file")
            .arg(&token)
            .args(extra)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let addr = common::listening_addr(&mut child);
        Server {
            child,
            addr,
            root,
            _dir: dir,
        }
    }

    fn request(&self, head: &str, body: &[u8]) -> (u16, serde_json::Value) {
        let mut s = TcpStream::connect(self.addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
        let mut req = format!(
            "{head}\r\nHost: t\r\nConnection: close\r\nContent-Length: {}\r\n\r\n",
            body.len()
        )
        .into_bytes();
        req.extend_from_slice(body);
        s.write_all(&req).unwrap();
        let mut data = Vec::new();
        let _ = s.read_to_end(&mut data);
        let split = data.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
        let status = String::from_utf8_lossy(&data[9..12]).parse().unwrap();
        let body = &data[split + 4..];
        (status, serde_json::from_slice(body).unwrap_or(serde_json::Value::Null))
    }

    fn ingest(&self, query: &str, body: &str) -> (u16, serde_json::Value) {
        self.request(
            &format!(
                "POST /v1/snapshots?{query} HTTP/1.1\r\nAuthorization: Bearer {TOKEN}\r\nContent-Type: application/geo+json"
            ),
            body.as_bytes(),
        )
    }

    fn get(&self, path: &str) -> serde_json::Value {
        let (status, v) = self.request(&format!("GET {path} HTTP/1.1"), b"");
        assert_eq!(status, 200, "{v}");
        v
    }

    fn files(&self) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(self.root.join("sources/example"))
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A FeatureCollection of occupied features with these rings (and `date` properties).
fn fc(features: &[(&str, Option<&str>)]) -> String {
    let f: Vec<String> = features
        .iter()
        .map(|(rings, date)| {
            let date = date.map(|d| format!(r#","date":"{d}""#)).unwrap_or_default();
            format!(
                r#"{{"type":"Feature","properties":{{"status":"occupied"{date}}},"geometry":{{"type":"Polygon","coordinates":{rings}}}}}"#
            )
        })
        .collect();
    format!(r#"{{"type":"FeatureCollection","features":[{}]}}"#, f.join(","))
}

const SQUARE: &str = "[[[31.0,49.0],[31.1,49.0],[31.1,49.1],[31.0,49.1],[31.0,49.0]]]";

fn assert_problem(r: &(u16, serde_json::Value), status: u16, want: &str) {
    assert_eq!(r.0, status, "{}", r.1);
    let all = format!("{} {}", r.1["detail"], r.1["problems"]);
    assert!(all.contains(want), "want '{want}' in {}", r.1);
}

#[test]
fn ingest_01_an_empty_snapshot_needs_allow_empty() {
    let s = Server::start(&[]);
    let before = s.files();
    let empty = r#"{"type": "FeatureCollection", "features": []}"#;
    let r = s.ingest("source=example&date=2024-10-01", empty);
    assert_problem(&r, 422, "allow_empty=true");
    assert_eq!(s.files(), before, "nothing written");
    // (37.8, 48.0) stays occupied on 2024-10-15.
    assert_eq!(
        s.get("/v1/coverage?lon=37.8&lat=48.0&date=2024-10-15")["status"],
        "occupied"
    );
    // Asked for explicitly: admitted, flagged in the answer and in the stored file.
    let r = s.ingest("source=example&date=2024-10-01&allow_empty=true", empty);
    assert_eq!(r.0, 201, "{}", r.1);
    assert!(
        r.1["flags"][0].as_str().unwrap().contains("empty snapshot admitted"),
        "{}",
        r.1
    );
    let stored: serde_json::Value =
        serde_json::from_slice(&std::fs::read(s.root.join("sources/example/2024-10-01.geojson")).unwrap()).unwrap();
    assert!(
        stored["frontline"]["flags"][0]
            .as_str()
            .unwrap()
            .contains("empty snapshot")
    );
    assert_eq!(
        s.get("/v1/coverage?lon=37.8&lat=48.0&date=2024-10-15")["status"],
        "covered"
    );
    // A body without a features array is not "empty": it is invalid.
    assert_problem(
        &s.ingest("source=example&date=2024-10-05", r#"{"type":"FeatureCollection"}"#),
        422,
        "'features' is missing",
    );
}

#[test]
fn ingest_02_dates_outside_the_window_are_refused() {
    let s = Server::start(&[]);
    let before = s.files();
    let body = fc(&[(SQUARE, None)]);
    let r = s.ingest("source=example&date=0001-01-01", &body);
    assert_problem(&r, 422, "before 1991-08-24 (the border's valid_from)");
    assert_eq!(r.1["parameter"], "date");
    assert_problem(
        &s.ingest("source=example&date=9999-12-31", &body),
        422,
        "tomorrow (UTC)",
    );
    assert_problem(
        &s.ingest("source=example&date=1991-08-23", &body),
        422,
        "before 1991-08-24",
    );
    assert_eq!(s.files(), before);
    // 1900 still answers "before the first snapshot".
    let (status, _) = s.request("GET /v1/coverage?lon=30.5234&lat=50.4501&date=1900-01-01 HTTP/1.1", b"");
    assert_eq!(status, 404);
    // The window's ends are admitted; tomorrow (UTC) is the last day.
    let today = frontline::geodata::policy::today_utc();
    let tomorrow = today.succ_opt().unwrap();
    let r = s.ingest(&format!("source=example&date={tomorrow}"), &body);
    assert_eq!(r.0, 201, "{}", r.1);
    let r = s.ingest("source=example&date=1991-08-24", &body);
    assert_eq!(r.0, 201, "{}", r.1);
    // Moved by flags.
    drop(s);
    let s = Server::start(&["--not-before", "2024-01-01", "--not-after", "2024-12-31"]);
    assert_problem(
        &s.ingest("source=example&date=2023-12-31", &body),
        422,
        "(--not-before)",
    );
    assert_problem(&s.ingest("source=example&date=2025-01-01", &body), 422, "(--not-after)");
    assert_eq!(s.ingest("source=example&date=2024-12-31", &body).0, 201);
}

#[test]
fn ingest_03_feature_dates_are_checked() {
    let s = Server::start(&[]);
    let before = s.files();
    let r = s.ingest("source=example&date=2024-11-01", &fc(&[(SQUARE, Some("2022-02-30"))]));
    assert_problem(
        &r,
        422,
        "feature 0: properties.date: '2022-02-30' is not a valid calendar date",
    );
    // Another feature's bad date is named too, with its index.
    let r = s.ingest(
        "source=example&date=2024-11-01",
        &fc(&[(SQUARE, Some("2024-11-01")), (SQUARE, Some("2024-13-01"))]),
    );
    assert_problem(&r, 422, "feature 1: properties.date");
    assert_eq!(s.files(), before);
    // A date other than the snapshot's: admitted and flagged, in the answer and the stored file.
    let r = s.ingest("source=example&date=2024-12-01", &fc(&[(SQUARE, Some("2023-01-15"))]));
    assert_eq!(r.0, 201, "{}", r.1);
    let flag = r.1["flags"][0].as_str().unwrap();
    assert!(
        flag.contains("feature 0: properties.date is 2023-01-15, not the snapshot's date 2024-12-01"),
        "{flag}"
    );
    let stored: serde_json::Value =
        serde_json::from_slice(&std::fs::read(s.root.join("sources/example/2024-12-01.geojson")).unwrap()).unwrap();
    assert_eq!(stored["frontline"]["flags"][0], flag);
    // The same date: no flag.
    let r = s.ingest("source=example&date=2025-01-10", &fc(&[(SQUARE, Some("2025-01-10"))]));
    assert_eq!((r.0, r.1["flags"].as_array().unwrap().len()), (201, 0), "{}", r.1);
}

#[test]
fn ingest_04_an_edge_the_long_way_round_is_refused() {
    let s = Server::start(&[]);
    let before = s.files();
    let band = "[[[179.0,50.0],[-179.0,50.0],[-179.0,51.0],[179.0,51.0],[179.0,50.0]]]";
    let r = s.ingest("source=example&date=2025-01-01", &fc(&[(band, None)]));
    assert_problem(&r, 422, "spans 358 degrees of longitude");
    assert_problem(&r, 422, "antimeridian");
    // Nothing was written: no file of that name is named.
    assert!(!r.1["detail"].as_str().unwrap().contains("sources/example"), "{}", r.1);
    assert!(
        !r.1["problems"][0]["message"].as_str().unwrap().contains(".geojson"),
        "{}",
        r.1
    );
    // In a hole, and in one part of a MultiPolygon.
    let hole = "[[[-179.5,0],[-90,0],[0,0],[90,0],[179.5,0],[179.5,10],[90,10],[0,10],[-90,10],[-179.5,10],[-179.5,0]],\
                [[-179,1],[-179,2],[179,2],[179,1],[-179,1]]]";
    assert_problem(
        &s.ingest("source=example&date=2025-01-01", &fc(&[(hole, None)])),
        422,
        "ring 1 (hole), position 1",
    );
    let multi = r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"status":"occupied"},"geometry":{"type":"MultiPolygon","coordinates":[[[[31.0,49.0],[31.1,49.0],[31.1,49.1],[31.0,49.0]]],[[[170,-10],[-170,-10],[-170,-9],[170,-10]]]]}}]}"#;
    assert_problem(
        &s.ingest("source=example&date=2025-01-01", multi),
        422,
        "polygon 1, ring 0 (exterior)",
    );
    assert_eq!(s.files(), before);
    // Kyiv stays covered.
    assert_eq!(
        s.get("/v1/coverage?lon=30.5234&lat=50.4501&date=2025-01-15")["status"],
        "covered"
    );
}

#[test]
fn ingest_05_every_repair_is_listed_in_the_answer_and_the_file() {
    let s = Server::start(&[]);
    let clockwise_open = "[[[31.0,49.0],[31.0,49.1],[31.1,49.1],[31.1,49.0],[31.0000000005,49.0]]]";
    let r = s.ingest("source=example&date=2025-02-01", &fc(&[(clockwise_open, None)]));
    assert_eq!(r.0, 201, "{}", r.1);
    let repairs: Vec<String> = r.1["repairs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap().to_string())
        .collect();
    assert_eq!(repairs.len(), 2, "{repairs:?}");
    assert!(
        repairs
            .iter()
            .any(|x| x.starts_with("feature 0: ring 0 (exterior): closed a ring")),
        "{repairs:?}"
    );
    assert!(
        repairs.iter().any(|x| x.contains("was clockwise; reversed")),
        "{repairs:?}"
    );
    let stored: serde_json::Value =
        serde_json::from_slice(&std::fs::read(s.root.join("sources/example/2025-02-01.geojson")).unwrap()).unwrap();
    assert_eq!(stored["frontline"]["repairs"], r.1["repairs"]);
    // Nothing repaired: an empty list.
    let r = s.ingest("source=example&date=2025-02-02", &fc(&[(SQUARE, None)]));
    assert_eq!(r.1["repairs"], serde_json::json!([]));
}

#[test]
fn ingest_06_an_unknown_source_says_how_to_create_one() {
    let s = Server::start(&[]);
    let r = s.ingest("source=newsource&date=2025-03-01", &fc(&[(SQUARE, None)]));
    assert_problem(&r, 404, "unknown source 'newsource'");
    assert_problem(&r, 404, "frontline import geojson FILE --source newsource");
    assert_problem(&r, 404, "sources/newsource/");
    assert_eq!(r.1["parameter"], "source");
}

// ---- import: the same policy ----

fn frontline(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_frontline"))
        .args(args)
        .output()
        .unwrap()
}

fn import(root: &Path, args: &[&str]) -> (i32, serde_json::Value, String) {
    let mut all = vec!["import"];
    all.extend_from_slice(args);
    all.extend(["--json", "--data", root.to_str().unwrap()]);
    let o = frontline(&all);
    (
        o.status.code().unwrap_or(-1),
        serde_json::from_slice(&o.stdout).unwrap_or_default(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.to_str().unwrap().to_string()
}

fn reasons(r: &serde_json::Value) -> String {
    r["rejected"].to_string()
}

#[test]
fn import_applies_the_same_window_and_geometry_rules() {
    let dir = tempfile::tempdir().unwrap();
    let root = common::copy_embedded_geodata(dir.path(), false);
    let old = write(dir.path(), "old.geojson", &fc(&[(SQUARE, Some("0001-01-01"))]));
    let (c, r, _) = import(&root, &["geojson", &old, "--source", "mine"]);
    assert_eq!(c, 2, "{r}");
    assert!(reasons(&r).contains("before 1991-08-24"), "{r}");
    let future = write(dir.path(), "future.geojson", &fc(&[(SQUARE, Some("9999-12-31"))]));
    let (c, r, _) = import(&root, &["geojson", &future, "--source", "mine"]);
    assert_eq!(c, 2);
    assert!(reasons(&r).contains("tomorrow (UTC)"), "{r}");
    // Admitted with the flag, into a directory of its own: every load of it needs the flag from
    // then on (the loader applies the window too).
    let wide = common::copy_embedded_geodata(&dir.path().join("wide"), false);
    let (c, r, err) = import(
        &wide,
        &["geojson", &future, "--source", "mine", "--not-after", "9999-12-31"],
    );
    assert_eq!((c, r["added"].as_array().unwrap().len()), (0, 1), "{err}");
    let (c, _, err) = import(&wide, &["geojson", &old, "--source", "mine"]);
    assert_eq!(c, 1, "the directory no longer loads without the flag: {err}");
    assert!(
        err.contains("sources/mine/9999-12-31.geojson: snapshot date 9999-12-31 is after"),
        "{err}"
    );
    let band = write(
        dir.path(),
        "band.geojson",
        &fc(&[(
            "[[[179.0,50.0],[-179.0,50.0],[-179.0,51.0],[179.0,51.0],[179.0,50.0]]]",
            Some("2024-02-01"),
        )]),
    );
    let (c, r, _) = import(&root, &["geojson", &band, "--source", "mine"]);
    assert_eq!(c, 2);
    assert!(reasons(&r).contains("spans 358 degrees"), "{r}");
    // Repairs listed in the report and in the file, orientation included.
    let repaired = write(
        dir.path(),
        "repaired.geojson",
        &fc(&[(
            "[[[31.0,49.0],[31.0,49.1],[31.1,49.1],[31.1,49.0],[31.0000000005,49.0]]]",
            Some("2024-03-01"),
        )]),
    );
    let (c, r, err) = import(&root, &["geojson", &repaired, "--source", "mine"]);
    assert_eq!(c, 0, "{err}");
    let repairs = r["added"][0]["repairs"].to_string();
    assert!(
        repairs.contains("closed a ring") && repairs.contains("was clockwise"),
        "{repairs}"
    );
    let stored: serde_json::Value =
        serde_json::from_slice(&std::fs::read(root.join("sources/mine/2024-03-01.geojson")).unwrap()).unwrap();
    assert_eq!(stored["frontline"]["repairs"], r["added"][0]["repairs"]);
}

/// Issue 9, fresh tester F1: a snapshot file dated outside the window and put into
/// `sources/<name>/` by hand is held to the rule ingest and import apply. Every load refuses the
/// whole directory naming the file and the rule, as for any bad snapshot file (`check`, any
/// command, a reload, which leaves the state before it serving); the flag that admits such a
/// date for import admits it for every load.
#[test]
fn a_snapshot_file_put_in_by_hand_outside_the_window_fails_the_load() {
    for (date, rule, flag) in [
        (
            "9999-12-31",
            "(tomorrow (UTC)), the latest date admitted",
            ["--not-after", "9999-12-31"],
        ),
        (
            "0001-01-01",
            "before 1991-08-24 (the border's valid_from), the earliest date admitted",
            ["--not-before", "0001-01-01"],
        ),
    ] {
        let s = Server::start(&[]);
        let root = s.root.to_str().unwrap();
        let file = format!("sources/example/{date}.geojson");
        let text = std::fs::read_to_string(s.root.join("sources/example/2024-01-01.geojson")).unwrap();
        let dated = text.replace("\"date\":\"2024-01-01\"", &format!("\"date\":\"{date}\""));
        assert_ne!(dated, text);
        std::fs::write(s.root.join(&file), dated).unwrap();
        let named = |out: &str| out.contains(&format!("{file}: snapshot date {date} is")) && out.contains(rule);

        let o = frontline(&["check", "--data", root]);
        let out = format!(
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
        assert_eq!(o.status.code(), Some(1), "{out}");
        assert!(named(&out), "{out}");
        let o = frontline(&[
            "query",
            "--lon",
            "37.8",
            "--lat",
            "48.0",
            "--date",
            "2024-05-01",
            "--data",
            root,
        ]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "{err}");
        assert!(named(&err), "{err}");

        Command::new("kill")
            .args(["-HUP", &s.child.id().to_string()])
            .status()
            .unwrap();
        let t = std::time::Instant::now();
        let ready = loop {
            let v = s.get("/readyz");
            if v["last_reload"]["ok"] == false {
                break v;
            }
            assert!(t.elapsed() < Duration::from_secs(20), "no reload: {v}");
            std::thread::sleep(Duration::from_millis(20));
        };
        assert!(named(&ready["last_reload"]["problems"].to_string()), "{ready}");
        let v = s.get("/v1/coverage?lon=37.8&lat=48.0&date=2024-05-01");
        assert_eq!(v["snapshot"]["id"], "example:2024-03-01", "{v}");

        let o = frontline(&["check", "--data", root, flag[0], flag[1]]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stdout));
    }
}

#[test]
fn import_of_an_empty_deepstate_file_needs_allow_empty() {
    let dir = tempfile::tempdir().unwrap();
    let root = common::copy_embedded_geodata(dir.path(), false);
    let day = write(
        dir.path(),
        "deepstatemap_data_20240201.geojson",
        r#"{"type":"FeatureCollection","features":[]}"#,
    );
    let (c, r, _) = import(&root, &["deepstate", &day, "--source", "ds"]);
    assert_eq!(c, 2);
    assert!(reasons(&r).contains("--allow-empty"), "{r}");
    let (c, r, err) = import(&root, &["deepstate", &day, "--source", "ds", "--allow-empty"]);
    assert_eq!(c, 0, "{err}");
    assert!(
        r["added"][0]["flags"][0]
            .as_str()
            .unwrap()
            .contains("empty snapshot admitted"),
        "{r}"
    );
}

/// Issue 9 leftover: `import geojson --allow-empty` admits an empty FeatureCollection, dated by
/// its file name (its features name no date); without the flag, or without a dated name, it is
/// refused saying what to do. The admitted day is served: nothing occupied from it on.
#[test]
fn import_of_an_empty_geojson_file_needs_allow_empty_and_a_dated_name() {
    let dir = tempfile::tempdir().unwrap();
    let root = common::copy_embedded_geodata(dir.path(), false);
    let empty = r#"{"type":"FeatureCollection","features":[]}"#;
    let dated = write(dir.path(), "2024-10-01.geojson", empty);
    let undated = write(dir.path(), "empty.geojson", empty);
    let (c, r, _) = import(&root, &["geojson", &dated, "--source", "example"]);
    assert_eq!(c, 2, "{r}");
    assert!(
        reasons(&r).contains("name the file by its date (YYYY-MM-DD.geojson) and add --allow-empty"),
        "{r}"
    );
    let (c, r, _) = import(&root, &["geojson", &undated, "--source", "example", "--allow-empty"]);
    assert_eq!(c, 2, "{r}");
    assert!(reasons(&r).contains("rename the file to its date"), "{r}");
    let (c, r, err) = import(&root, &["geojson", &dated, "--source", "example", "--allow-empty"]);
    assert_eq!(c, 0, "{err} {r}");
    assert_eq!(r["added"][0]["date"], "2024-10-01", "{r}");
    assert!(
        r["added"][0]["flags"][0]
            .as_str()
            .unwrap()
            .contains("empty snapshot admitted"),
        "{r}"
    );
    let loaded = frontline::geodata::load_dir(&root).unwrap().geodata;
    let example = loaded.sources.iter().find(|s| s.name == "example").unwrap();
    let day = example
        .snapshots
        .iter()
        .find(|s| s.date.to_string() == "2024-10-01")
        .unwrap();
    assert!(day.features.is_empty());
    // (37.8, 48.0) was occupied before; from 2024-10-01 nothing is (the Crimea baseline aside).
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_frontline"))
        .args([
            "query",
            "--lon",
            "37.8",
            "--lat",
            "48.0",
            "--date",
            "2024-10-15",
            "--data",
        ])
        .arg(&root)
        .output()
        .unwrap();
    let answer: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(answer["status"], "covered", "{answer}");
}

#[test]
fn first_05_import_exit_codes_say_whether_anything_was_taken() {
    let dir = tempfile::tempdir().unwrap();
    let root = common::copy_embedded_geodata(dir.path(), false);
    let no_status = write(
        dir.path(),
        "no-status.geojson",
        r#"{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"date": "2024-02-01"}, "geometry": {"type": "Polygon", "coordinates": [[[31.0, 49.0], [31.1, 49.0], [31.1, 49.1], [31.0, 49.1], [31.0, 49.0]]]}}]}"#,
    );
    let impossible = write(
        dir.path(),
        "impossible-date.geojson",
        &fc(&[(SQUARE, Some("2022-02-30"))]),
    );
    let good = write(dir.path(), "good.geojson", &fc(&[(SQUARE, Some("2024-02-01"))]));
    // Every file rejected: 2, in text mode and with --json.
    let o = frontline(&[
        "import",
        "geojson",
        &no_status,
        &impossible,
        "--source",
        "mine",
        "--data",
        root.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("every input was rejected"));
    // Each rejected file is named once per line, not again inside its reason.
    let text = String::from_utf8_lossy(&o.stdout).into_owned();
    let lines: Vec<&str> = text.lines().filter(|l| l.starts_with("rejected: ")).collect();
    assert_eq!(lines.len(), 2, "{text}");
    for l in lines {
        let file = if l.contains("impossible-date") {
            &impossible
        } else {
            &no_status
        };
        assert_eq!(l.matches(file.as_str()).count(), 1, "{l}");
    }
    let (c, _, _) = import(&root, &["geojson", &no_status, &impossible, "--source", "mine"]);
    assert_eq!(c, 2);
    // Some rejected: 3. None: 0.
    let (c, _, _) = import(&root, &["geojson", &no_status, &good, "--source", "mine"]);
    assert_eq!(c, 3);
    let (c, _, _) = import(&root, &["geojson", &good, "--source", "mine"]);
    assert_eq!(c, 0);
    // No input file at all: 2.
    let empty_dir = dir.path().join("nothing");
    std::fs::create_dir(&empty_dir).unwrap();
    let (c, _, err) = import(&root, &["nzz", empty_dir.to_str().unwrap(), "--source", "mine"]);
    assert_eq!(c, 2);
    assert!(err.contains("no nzz input file"), "{err}");
}

#[test]
fn crs_01_02_crs84_spellings_are_accepted_and_epsg_4326_refused_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let root = common::copy_embedded_geodata(dir.path(), false);
    let with_crs = |name: &str| {
        format!(
            r#"{{"type":"FeatureCollection","crs":{{"type":"name","properties":{{"name":"{name}"}}}},"features":[{{"type":"Feature","properties":{{"status":"occupied","date":"2024-02-01"}},"geometry":{{"type":"Polygon","coordinates":{SQUARE}}}}}]}}"#
        )
    };
    for (i, name) in [
        "urn:ogc:def:crs:OGC:1.3:CRS84",
        "urn:ogc:def:crs:OGC::CRS84",
        "http://www.opengis.net/def/crs/OGC/1.3/CRS84",
        "https://www.opengis.net/def/crs/OGC/1.3/CRS84",
        "OGC:CRS84",
        "http://www.opengis.net/def/crs/OGC/0/CRS84/",
        "[ogc:crs84]",
    ]
    .iter()
    .enumerate()
    {
        let f = write(dir.path(), &format!("crs{i}.geojson"), &with_crs(name));
        let (c, r, err) = import(&root, &["geojson", &f, "--source", "crs"]);
        assert_eq!(c, 0, "{name}: {r} {err}");
    }
    let f = write(dir.path(), "epsg.geojson", &with_crs("EPSG:4326"));
    let (c, r, _) = import(&root, &["geojson", &f, "--source", "crs"]);
    assert_eq!(c, 2);
    assert!(
        reasons(&r).contains("crs 'EPSG:4326' is not CRS84: EPSG:4326 orders its axes latitude, longitude"),
        "{r}"
    );
    // The same check over HTTP ingest.
    let s = Server::start(&[]);
    let r = s.ingest(
        "source=example&date=2025-04-01",
        &with_crs("https://www.opengis.net/def/crs/OGC/1.3/CRS84"),
    );
    assert_eq!(r.0, 201, "{}", r.1);
    assert_problem(
        &s.ingest(
            "source=example&date=2025-04-02",
            &with_crs("urn:ogc:def:crs:EPSG::4326"),
        ),
        422,
        "latitude, longitude",
    );
}

/// Over Poland: outside the border.
const OUTSIDE: &str = "[[[19.0,51.0],[20.0,51.0],[20.0,52.0],[19.0,52.0],[19.0,51.0]]]";
/// A band of about 48,000 km2 in the east, inside the border.
const LARGE: &str = "[[[35.0,47.0],[38.0,47.0],[38.0,49.0],[35.0,49.0],[35.0,47.0]]]";

/// Ingest and import make one set of checks against the border and the snapshot before
/// (`frontline::import::check_new_snapshot`): a snapshot mostly outside the border is refused
/// by ingest (nothing written) with the reason import quarantines it for; a large change of the
/// occupied area and a feature off the border are flagged by both, in the same words, in the
/// answer and in the stored file.
#[test]
fn ingest_makes_the_import_checks_outside_the_border_and_large_change() {
    let s = Server::start(&[]);
    let before = s.files();
    let outside = fc(&[(OUTSIDE, None)]);
    let r = s.ingest("source=example&date=2024-10-01", &outside);
    assert_problem(
        &r,
        422,
        "100 % of the occupied area lies outside the border UKR (limit 50 %)",
    );
    assert_eq!(s.files(), before, "nothing written");

    let large = fc(&[(LARGE, None), (SQUARE, None), (OUTSIDE, None)]);
    let r = s.ingest("source=example&date=2024-10-01", &large);
    assert_eq!(r.0, 201, "{}", r.1);
    let flags = r.1["flags"].to_string();
    assert!(
        flags.contains("feature 2 lies outside the border UKR (no vertex in it)"),
        "{flags}"
    );
    let change = r.1["flags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap().to_string())
        .find(|f| f.starts_with("occupied area inside the border changed by"))
        .unwrap_or_else(|| panic!("no change flag: {flags}"));
    assert!(change.contains("since 2024-09-01 (flag above 2500 km2)"), "{change}");
    let stored: serde_json::Value =
        serde_json::from_slice(&std::fs::read(s.root.join("sources/example/2024-10-01.geojson")).unwrap()).unwrap();
    assert_eq!(stored["frontline"]["flags"], r.1["flags"]);

    // The CLI import of the same snapshots into a copy of the same geodata: the same findings.
    let dir = tempfile::tempdir().unwrap();
    let root = common::copy_embedded_geodata(dir.path(), false);
    let with_date = |rings: &[&str]| fc(&rings.iter().map(|r| (*r, Some("2024-10-01"))).collect::<Vec<_>>());
    let file = write(dir.path(), "outside.geojson", &with_date(&[OUTSIDE]));
    let (c, r, err) = import(&root, &["geojson", &file, "--source", "example"]);
    assert_eq!(c, 2, "{err}");
    assert!(
        reasons(&r).contains("100 % of the occupied area lies outside the border UKR (limit 50 %)"),
        "{r}"
    );
    let file = write(dir.path(), "large.geojson", &with_date(&[LARGE, SQUARE, OUTSIDE]));
    let (c, r, err) = import(&root, &["geojson", &file, "--source", "example"]);
    assert_eq!(c, 0, "{err}");
    let imported = r["added"][0]["flags"].as_array().unwrap();
    assert!(
        imported.iter().any(|f| f.as_str() == Some(change.as_str())),
        "{r} vs {change}"
    );
    assert!(
        imported
            .iter()
            .any(|f| f.as_str() == Some("feature 2 lies outside the border UKR (no vertex in it)")),
        "{r}"
    );
}

/// One rule for a legacy `crs` member (CRS84 in any spelling accepted; any other CRS refused
/// naming it and why; EPSG:4326 with its lat/lon axis order) and one for positions (2 or 3
/// numbers; 4 or more refused), on every reader of GeoJSON beyond ingest and `import geojson`
/// (crs_01_02 above): the GeoJSON batch routes (classify, history) on the collection, a
/// feature and a geometry; scenarios' exclusions; `import deepstate`, `deepstate-api`, `nzz`;
/// `frontline check` on a stored file.
#[test]
fn crs_and_position_rules_hold_on_every_reader_of_geojson() {
    let s = Server::start(&[]);
    let name_crs = |name: &str| format!(r#"{{"type":"name","properties":{{"name":"{name}"}}}}"#);
    let points = |top: &str, feature: &str, geometry: &str, position: &str| {
        format!(
            r#"{{"type":"FeatureCollection"{top},"features":[{{"type":"Feature"{feature},"properties":{{}},"geometry":{{"type":"Point"{geometry},"coordinates":{position}}}}}]}}"#
        )
    };
    let member = |crs: &str| format!(r#","crs":{crs}"#);
    let post = |path: &str, body: &str| {
        s.request(
            &format!("POST {path} HTTP/1.1\r\nContent-Type: application/geo+json"),
            body.as_bytes(),
        )
    };
    let ok_spellings = [
        "urn:ogc:def:crs:OGC:1.3:CRS84",
        "urn:ogc:def:crs:OGC::CRS84",
        "urn:ogc:def:crs:OGC:CRS84",
        "http://www.opengis.net/def/crs/OGC/1.3/CRS84",
        "https://www.opengis.net/def/crs/OGC/1.3/CRS84",
        "OGC:CRS84",
        "CRS:84",
        "crs84",
        // RFC 7946 section 4: a position's optional third number is the ellipsoidal height, so
        // CRS84h names the same longitude and latitude (issue 9 tester F7).
        "urn:ogc:def:crs:OGC:1.3:CRS84h",
        "http://www.opengis.net/def/crs/OGC/1.3/CRS84h",
        "OGC:CRS84h",
    ];
    let refused = [
        ("EPSG:4326", "latitude, longitude"),
        ("urn:ogc:def:crs:EPSG::4326", "latitude, longitude"),
        ("http://www.opengis.net/def/crs/EPSG/0/3857", "is not CRS84"),
        ("urn:ogc:def:crs:OGC:1.3:CRS83", "is not CRS84"),
    ];
    for path in ["/v1/classify?date=2024-05-01", "/v1/history"] {
        for name in ok_spellings {
            let crs = member(&name_crs(name));
            for body in [
                points(&crs, "", "", "[31.5,49.5]"),
                points("", &crs, "", "[31.5,49.5]"),
                points("", "", &crs, "[31.5,49.5]"),
            ] {
                let (st, v) = post(path, &body);
                assert_eq!(st, 200, "{path} {name}: {v}");
            }
        }
        for (name, why) in refused {
            let crs = member(&name_crs(name));
            for (body, at) in [
                (points(&crs, "", "", "[31.5,49.5]"), ""),
                (points("", &crs, "", "[31.5,49.5]"), "feature 0"),
                (points("", "", &crs, "[31.5,49.5]"), "feature 0"),
            ] {
                let r = post(path, &body);
                assert_problem(&r, 400, why);
                assert_problem(&r, 400, name);
                assert_problem(&r, 400, at);
            }
        }
        // A crs member that names nothing.
        assert_problem(
            &post(path, &points(&member("{}"), "", "", "[31.5,49.5]")),
            400,
            "does not name a CRS",
        );
        // Positions: 2 or 3 numbers; 4 refused with the one message.
        assert_eq!(post(path, &points("", "", "", "[31.5,49.5,100]")).0, 200);
        assert_problem(
            &post(path, &points("", "", "", "[31.5,49.5,100,7]")),
            400,
            "position has 4 numbers; a position is [lon, lat] or [lon, lat, altitude]",
        );
    }
    // Scenarios' exclusions: the geometry's own crs, and its positions.
    let scenario = |geometry: &str| {
        format!(
            r#"{{"source":"example","ceasefire_date":"2024-05-01","policy":{{"exclusions":[{{"name":"box","geometry":{geometry}}}]}}}}"#
        )
    };
    let preview = |body: &str| {
        s.request(
            "POST /v1/scenarios/preview HTTP/1.1\r\nContent-Type: application/json",
            body.as_bytes(),
        )
    };
    let polygon = |crs: &str, ring: &str| format!(r#"{{"type":"Polygon"{crs},"coordinates":[{ring}]}}"#);
    let ring = "[[31.0,49.0],[31.1,49.0],[31.1,49.1],[31.0,49.1],[31.0,49.0]]";
    let ring4 = "[[31.0,49.0,0,1],[31.1,49.0,0,1],[31.1,49.1,0,1],[31.0,49.1,0,1],[31.0,49.0,0,1]]";
    for name in ok_spellings {
        let r = preview(&scenario(&polygon(&member(&name_crs(name)), ring)));
        assert_eq!(r.0, 200, "{name}: {}", r.1);
    }
    for (name, why) in refused {
        let r = preview(&scenario(&polygon(&member(&name_crs(name)), ring)));
        assert!((400..500).contains(&r.0), "{name}: {}", r.1);
        assert!(
            r.1.to_string().contains(why) && r.1.to_string().contains(name),
            "{name}: {}",
            r.1
        );
    }
    let r = preview(&scenario(&polygon("", ring4)));
    assert!((400..500).contains(&r.0), "{}", r.1);
    assert!(r.1.to_string().contains("position has 4 numbers"), "{}", r.1);
    // Ingest: a polygon position of 4 numbers is refused (2 and 3 are read).
    let three = fc(&[(
        "[[[31.0,49.0,5],[31.1,49.0,5],[31.1,49.1,5],[31.0,49.1,5],[31.0,49.0,5]]]",
        None,
    )]);
    assert_eq!(s.ingest("source=example&date=2025-05-01", &three).0, 201);
    let four = fc(&[(&format!("[{ring4}]"), None)]);
    assert_problem(
        &s.ingest("source=example&date=2025-05-02", &four),
        422,
        "position has 4 numbers",
    );

    // Ingest and the GeoJSON importer: a feature's own crs by the same rule as the
    // collection's and the geometry's (it was dropped without a word).
    let feature_crs = |crs: &str, date: &str| {
        format!(
            r#"{{"type":"FeatureCollection","features":[{{"type":"Feature"{crs},"properties":{{"status":"occupied"{date}}},"geometry":{{"type":"Polygon","coordinates":[{ring}]}}}}]}}"#
        )
    };
    for (name, why) in refused {
        let r = s.ingest(
            "source=example&date=2025-05-03",
            &feature_crs(&member(&name_crs(name)), ""),
        );
        assert_problem(&r, 422, why);
        assert_problem(&r, 422, name);
    }
    assert_eq!(
        s.ingest(
            "source=example&date=2025-05-04",
            &feature_crs(&member(&name_crs("CRS:84")), "")
        )
        .0,
        201
    );

    // The importers of archives: DeepState, DeepState's own format, NZZ; and plain GeoJSON.
    let dir = tempfile::tempdir().unwrap();
    let root = common::copy_embedded_geodata(dir.path(), false);
    let sub = dir.path().join("geojson");
    std::fs::create_dir_all(&sub).unwrap();
    let f = write(
        &sub,
        "dated.geojson",
        &feature_crs(&member(&name_crs("EPSG:4326")), r#","date":"2024-05-01""#),
    );
    let (c, r, err) = import(&root, &["geojson", &f, "--source", "crs-geojson"]);
    assert_ne!(c, 0, "{r} {err}");
    assert!(
        reasons(&r).contains("crs 'EPSG:4326' is not CRS84: EPSG:4326 orders its axes latitude, longitude"),
        "{r} {err}"
    );
    let deepstate = |crs: &str| {
        format!(
            r#"{{"type":"FeatureCollection"{crs},"features":[{{"type":"Feature","properties":{{"name":"x"}},"geometry":{{"type":"Polygon","coordinates":[{ring}]}}}}]}}"#
        )
    };
    let api = |crs: &str| {
        format!(
            r#"{{"type":"FeatureCollection"{crs},"features":[{{"type":"Feature","properties":{{"name":"Окуповано"}},"geometry":{{"type":"Polygon","coordinates":[{ring}]}}}}]}}"#
        )
    };
    let nzz = |crs: &str| {
        format!(
            r#"{{"value":{{"type":"FeatureCollection"{crs},"features":[{{"type":"Feature","properties":{{"status":"nochange"}},"geometry":{{"type":"Polygon","coordinates":[{ring}]}}}}]}}}}"#
        )
    };
    let epsg = member(&name_crs("EPSG:4326"));
    let crs84 = member(&name_crs("CRS:84"));
    for (format, file, text) in [
        ("deepstate", "deepstatemap_data_20240501.geojson", deepstate(&epsg)),
        ("deepstate-api", "1714550400.geojson", api(&epsg)),
        ("nzz", "2024-05-01.json", nzz(&epsg)),
    ] {
        let sub = dir.path().join(format);
        std::fs::create_dir_all(&sub).unwrap();
        let f = write(&sub, file, &text);
        let (c, r, err) = import(&root, &[format, &f, "--source", &format!("crs-{format}")]);
        assert_ne!(c, 0, "{format}: {r} {err}");
        assert!(
            reasons(&r).contains("crs 'EPSG:4326' is not CRS84: EPSG:4326 orders its axes latitude, longitude"),
            "{format}: {r} {err}"
        );
    }
    // The accepted spelling passes the crs check of the same readers (DeepState: imported).
    let sub = dir.path().join("ok");
    std::fs::create_dir_all(&sub).unwrap();
    let f = write(&sub, "deepstatemap_data_20240502.geojson", &deepstate(&crs84));
    let (c, r, err) = import(&root, &["deepstate", &f, "--source", "crs-ok"]);
    assert_eq!(c, 0, "{r} {err}");

    // `frontline check` on a geodata directory holding a stored file with another CRS.
    let stored = root.join("sources/crs-ok/2024-05-02.geojson");
    let text = std::fs::read_to_string(&stored).unwrap();
    let bad = text.replacen(
        r#"{"type":"FeatureCollection","#,
        &format!(r#"{{"type":"FeatureCollection","crs":{},"#, name_crs("EPSG:4326")),
        1,
    );
    assert_ne!(bad, text);
    std::fs::write(&stored, bad).unwrap();
    let out = frontline(&["check", "--data", root.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stdout));
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(all.contains("crs 'EPSG:4326' is not CRS84"), "{all}");
}

/// A file of `../shared/cases/round2`.
fn round2(rel: &str) -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/cases/round2")
        .join(rel);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// The field cases of `../shared/cases/round2` that are files of GeoJSON, read from those files
/// and run as the README runs them, each with its right value: crs-01 (five CRS84 spellings
/// imported) and crs-02 (EPSG:4326 refused with the axis-order reason); ingest-01..06 over HTTP
/// (empty 422, extreme dates 422, impossible feature date 422 and another date flagged, the
/// antimeridian band 422, every repair listed, an unknown source 404 saying how to create it);
/// first-05 (both import-rejected files: exit 2 with both reasons).
#[test]
#[cfg_attr(
    not(shared_cases),
    ignore = "needs ../shared/cases/round2 (absent when the tests were built)"
)]
fn round2_case_files_give_the_right_values() {
    // crs-01, crs-02: `frontline import geojson`, each into a fresh copy of the geodata.
    for (file, ok) in [
        ("crs-urn-1.3", true),
        ("crs-urn-empty-version", true),
        ("crs-http", true),
        ("crs-https", true),
        ("crs-ogc-curie", true),
        ("crs-epsg-4326", false),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let root = common::copy_embedded_geodata(dir.path(), false);
        let f = write(
            dir.path(),
            &format!("{file}.geojson"),
            &round2(&format!("crs/{file}.geojson")),
        );
        let (c, r, err) = import(&root, &["geojson", &f, "--source", "crs"]);
        if ok {
            assert_eq!(c, 0, "{file}: {r} {err}");
            assert_eq!(r["added"].as_array().map(Vec::len), Some(1), "{file}: {r}");
        } else {
            assert_eq!(c, 2, "{file}: {r} {err}");
            assert!(
                reasons(&r).contains("EPSG:4326 orders its axes latitude, longitude"),
                "{file}: {r}"
            );
        }
    }
    // ingest-01..06 on server I.
    let s = Server::start(&[]);
    let ing = |file: &str, query: &str| s.ingest(query, &round2(&format!("ingest/{file}")));
    assert_problem(
        &ing("empty.geojson", "source=example&date=2024-10-01"),
        422,
        "allow_empty=true",
    );
    assert_problem(
        &ing("square.geojson", "source=example&date=0001-01-01"),
        422,
        "before 1991-08-24 (the border's valid_from)",
    );
    assert_problem(
        &ing("square.geojson", "source=example&date=9999-12-31"),
        422,
        "tomorrow (UTC)",
    );
    assert_problem(
        &ing("feature-date-impossible.geojson", "source=example&date=2024-11-01"),
        422,
        "feature 0: properties.date",
    );
    let r = ing("feature-date-other.geojson", "source=example&date=2024-12-01");
    assert_eq!(r.0, 201, "{}", r.1);
    assert!(
        r.1["flags"]
            .to_string()
            .contains("feature 0: properties.date is 2023-01-15, not the snapshot's date 2024-12-01"),
        "{}",
        r.1
    );
    assert_problem(
        &ing("antimeridian-band.geojson", "source=example&date=2025-01-01"),
        422,
        "antimeridian",
    );
    let r = ing("repairs.geojson", "source=example&date=2025-02-01");
    assert_eq!(r.0, 201, "{}", r.1);
    let repairs = r.1["repairs"].to_string();
    assert!(
        repairs.contains("closed a ring") && repairs.contains("was clockwise; reversed"),
        "{}",
        r.1
    );
    let r = ing("square.geojson", "source=newsource&date=2025-03-01");
    assert_problem(&r, 404, "PUT /v1/sources/newsource");
    // first-05: every file rejected, exit 2, each reason given.
    let dir = tempfile::tempdir().unwrap();
    let root = common::copy_embedded_geodata(dir.path(), false);
    let a = write(
        dir.path(),
        "no-status.geojson",
        &round2("import-rejected/no-status.geojson"),
    );
    let b = write(
        dir.path(),
        "impossible-date.geojson",
        &round2("import-rejected/impossible-date.geojson"),
    );
    let (c, r, err) = import(&root, &["geojson", &a, &b, "--source", "mine"]);
    assert_eq!(c, 2, "{r} {err}");
    assert_eq!(r["rejected"].as_array().map(Vec::len), Some(2), "{r}");
}

/// Issue 9 (fresh tester): feature dates had no window (`0000-01-01` only flagged) and
/// `"date": null` passed silently. A feature's date lies in the same window as the snapshot's
/// (both ends, and `--not-before`/`--not-after` move it for both), and null is admitted and
/// flagged, in the answer and the stored file; `frontline import geojson` refuses both (its
/// snapshots take their dates from the features).
#[test]
fn feature_dates_lie_in_the_snapshots_window_and_null_is_flagged() {
    let s = Server::start(&[]);
    let before = s.files();
    for (bad, want) in [
        (
            "0000-01-01",
            "feature 0: properties.date: date 0000-01-01 is before 1991-08-24",
        ),
        (
            "1991-08-23",
            "feature 0: properties.date: date 1991-08-23 is before 1991-08-24",
        ),
        ("9999-12-31", "feature 0: properties.date: date 9999-12-31 is after"),
    ] {
        let r = s.ingest("source=example&date=2024-11-01", &fc(&[(SQUARE, Some(bad))]));
        assert_problem(&r, 422, want);
        assert_eq!(r.1["problems"][0]["code"], "date-outside-window", "{}", r.1);
        assert_eq!(r.1["problems"][0]["feature"], 0, "{}", r.1);
    }
    // The second feature's, among good ones.
    let r = s.ingest(
        "source=example&date=2024-11-01",
        &fc(&[(SQUARE, Some("2024-11-01")), (SQUARE, Some("0000-01-01"))]),
    );
    assert_problem(&r, 422, "feature 1: properties.date: date 0000-01-01");
    assert_eq!(s.files(), before, "nothing written");
    // The window's own ends are admitted (flagged as other dates).
    let r = s.ingest("source=example&date=2024-11-01", &fc(&[(SQUARE, Some("1991-08-24"))]));
    assert_eq!(r.0, 201, "{}", r.1);
    // null: admitted, flagged as saying nothing, in the answer and the stored file.
    let null = fc(&[(SQUARE, None)]).replace(r#""status":"occupied""#, r#""status":"occupied","date":null"#);
    assert!(null.contains(r#""date":null"#));
    let r = s.ingest("source=example&date=2024-12-01", &null);
    assert_eq!(r.0, 201, "{}", r.1);
    let flag = r.1["flags"][0].as_str().unwrap();
    assert!(
        flag.contains("feature 0: properties.date is null") && flag.contains("the snapshot's date 2024-12-01 is used"),
        "{flag}"
    );
    let stored: serde_json::Value =
        serde_json::from_slice(&std::fs::read(s.root.join("sources/example/2024-12-01.geojson")).unwrap()).unwrap();
    assert_eq!(stored["frontline"]["flags"][0], flag);
    // A window moved by the server's settings moves it for feature dates too.
    let wide = Server::start(&["--not-before", "0001-01-01"]);
    let r = wide.ingest("source=example&date=2024-11-01", &fc(&[(SQUARE, Some("0001-01-01"))]));
    assert_eq!(r.0, 201, "{}", r.1);
    let r = wide.ingest("source=example&date=2024-11-02", &fc(&[(SQUARE, Some("0000-12-31"))]));
    assert_problem(&r, 422, "date 0000-12-31 is before 0001-01-01 (--not-before)");
    // Import: a null date is a missing one, a date outside the window a rejected input.
    let dir = tempfile::tempdir().unwrap();
    let root = common::copy_embedded_geodata(dir.path(), false);
    let file = write(dir.path(), "null.geojson", &null);
    let (c, r, _) = import(&root, &["geojson", &file, "--source", "mine"]);
    assert_eq!(c, 2, "{r}");
    assert!(reasons(&r).contains("properties.date is missing"), "{r}");
    let file = write(dir.path(), "zero.geojson", &fc(&[(SQUARE, Some("0000-01-01"))]));
    let (c, r, _) = import(&root, &["geojson", &file, "--source", "mine"]);
    assert_eq!(c, 2, "{r}");
    assert!(reasons(&r).contains("before 1991-08-24"), "{r}");
}

/// Issue 9, item 4 (a fresh tester's gap): a feature's own `properties.date` was validated on
/// ingest but not kept: the stored file lost it. It is kept in the stored feature's properties
/// (a date other than the snapshot's too; null says nothing and is kept as the flag), the stored
/// file loads again (`frontline check`) and holds the same content (the same body again is
/// unchanged), and a stored feature date that is not a date fails the load.
#[test]
fn a_features_own_date_is_kept_in_the_stored_file_and_reads_back() {
    let s = Server::start(&[]);
    let other = "[[[31.2,49.0],[31.3,49.0],[31.3,49.1],[31.2,49.1],[31.2,49.0]]]";
    let third = "[[[31.4,49.0],[31.5,49.0],[31.5,49.1],[31.4,49.1],[31.4,49.0]]]";
    let body = fc(&[(SQUARE, Some("2023-01-15")), (other, Some("2024-12-01")), (third, None)]);
    let r = s.ingest("source=example&date=2024-12-01", &body);
    assert_eq!(r.0, 201, "{}", r.1);
    let file = s.root.join("sources/example/2024-12-01.geojson");
    let stored: serde_json::Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    let props = |i: usize| stored["features"][i]["properties"].clone();
    assert_eq!(props(0)["date"], "2023-01-15", "{}", props(0));
    assert_eq!(props(1)["date"], "2024-12-01", "{}", props(1));
    assert!(props(2).get("date").is_none(), "{}", props(2));
    // The stored file loads again, with the same content: the same body changes nothing.
    let root = s.root.to_str().unwrap();
    let o = frontline(&["check", "--data", root]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stdout));
    let again = s.ingest("source=example&date=2024-12-01", &body);
    assert_eq!(again.0, 200, "{}", again.1);
    assert_eq!(again.1["content_sha256"], r.1["content_sha256"]);
    assert_eq!(again.1["state"], "unchanged: the same content is live");
    // Other feature dates with the same geometry are other content (409 without replace).
    let redated = fc(&[(SQUARE, Some("2023-01-16")), (other, Some("2024-12-01")), (third, None)]);
    let r = s.ingest("source=example&date=2024-12-01", &redated);
    assert_problem(&r, 409, "replace=true");
    // A stored feature date that is not a date fails the load, naming the file and the feature.
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(
        &file,
        text.replace("\"date\":\"2023-01-15\"", "\"date\":\"2022-02-30\""),
    )
    .unwrap();
    let o = frontline(&["check", "--data", root]);
    let out = String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(
        out.contains("sources/example/2024-12-01.geojson")
            && out.contains("feature 0: properties.date: '2022-02-30' is not a valid calendar date"),
        "{out}"
    );
}

/// Issue 9, item 4 (a fresh tester's gap): a date the FeatureCollection gives itself (a foreign
/// member `date`, or `date` in a foreign `properties` member) was not checked. It must be a
/// valid date (2022-02-30: 422 `date-invalid`, naming the member) and the snapshot's date (422
/// `date-mismatch`: it dates the whole snapshot, as `frontline.date` does, so it is refused
/// rather than flagged as a feature's own date is); null gives no date. Over ingest, for
/// `frontline import geojson`, and at load for a file put in by hand.
#[test]
fn a_date_the_collection_gives_itself_is_checked() {
    let s = Server::start(&[]);
    let before = s.files();
    let with = |member: &str| {
        fc(&[(SQUARE, None)]).replacen(
            r#"{"type":"FeatureCollection","#,
            &format!(r#"{{"type":"FeatureCollection",{member},"#),
            1,
        )
    };
    for (member, code, want) in [
        (
            r#""date":"2022-02-30""#,
            "date-invalid",
            "the FeatureCollection's date: '2022-02-30' is not a valid calendar date",
        ),
        (
            r#""properties":{"name":"x","date":"2022-02-30"}"#,
            "date-invalid",
            "the FeatureCollection's properties.date: '2022-02-30' is not a valid calendar date",
        ),
        (
            r#""date":"2024-11-30""#,
            "date-mismatch",
            "the FeatureCollection's date is 2024-11-30, not the snapshot's date 2024-12-01",
        ),
        (
            r#""properties":{"date":"2024-11-30"}"#,
            "date-mismatch",
            "the FeatureCollection's properties.date is 2024-11-30, not the snapshot's date 2024-12-01",
        ),
        (
            r#""date":20241201"#,
            "date-not-string",
            "the FeatureCollection's date is 20241201, not a YYYY-MM-DD string",
        ),
    ] {
        let r = s.ingest("source=example&date=2024-12-01", &with(member));
        assert_problem(&r, 422, want);
        assert_eq!(
            r.1["type"].as_str().unwrap_or_default().rsplit('/').next(),
            Some("invalid-snapshot"),
            "{}",
            r.1
        );
        assert_eq!(r.1["problems"][0]["code"], code, "{}", r.1);
        assert!(r.1["problems"][0].get("feature").is_none_or(|f| f.is_null()), "{}", r.1);
    }
    // Refused with a bad feature date: both answered at once.
    let both =
        with(r#""date":"2024-11-30""#).replace(r#""status":"occupied""#, r#""status":"occupied","date":"2022-02-30""#);
    let r = s.ingest("source=example&date=2024-12-01", &both);
    assert_eq!(r.1["problems"].as_array().map(Vec::len), Some(2), "{}", r.1);
    assert_eq!(s.files(), before, "nothing written");
    // The snapshot's date, or null: admitted.
    let r = s.ingest(
        "source=example&date=2024-12-01",
        &with(r#""date":"2024-12-01","properties":{"date":null}"#),
    );
    assert_eq!(r.0, 201, "{}", r.1);

    // Import: a plain file's collection date must be its snapshot's.
    let dir = tempfile::tempdir().unwrap();
    let root = common::copy_embedded_geodata(dir.path(), false);
    let plain = |member: &str| {
        fc(&[(SQUARE, Some("2024-02-01"))]).replacen(
            r#"{"type":"FeatureCollection","#,
            &format!(r#"{{"type":"FeatureCollection",{member},"#),
            1,
        )
    };
    let file = write(dir.path(), "impossible.geojson", &plain(r#""date":"2022-02-30""#));
    let (c, r, _) = import(&root, &["geojson", &file, "--source", "mine"]);
    assert_eq!(c, 2, "{r}");
    assert!(
        reasons(&r).contains("the FeatureCollection's date: '2022-02-30' is not a valid calendar date"),
        "{r}"
    );
    assert!(r["rejected"][0]["kinds"].to_string().contains("date-invalid"), "{r}");
    let file = write(
        dir.path(),
        "other.geojson",
        &plain(r#""properties":{"date":"2024-01-31"}"#),
    );
    let (c, r, _) = import(&root, &["geojson", &file, "--source", "mine"]);
    assert_eq!(c, 2, "{r}");
    assert!(
        reasons(&r)
            .contains("the FeatureCollection's properties.date is 2024-01-31, not the snapshot's date 2024-02-01"),
        "{r}"
    );
    let file = write(dir.path(), "same.geojson", &plain(r#""date":"2024-02-01""#));
    let (c, r, err) = import(&root, &["geojson", &file, "--source", "mine"]);
    assert_eq!(c, 0, "{r} {err}");

    // At load: a canonical file put in by hand is held to the same rule.
    let hand = s.root.join("sources/example/2024-01-01.geojson");
    let text = std::fs::read_to_string(&hand).unwrap();
    let dated = text.replacen(
        r#"{"type":"FeatureCollection","#,
        r#"{"type":"FeatureCollection","date":"2023-12-31","#,
        1,
    );
    assert_ne!(dated, text);
    std::fs::write(&hand, dated).unwrap();
    let o = frontline(&["check", "--data", s.root.to_str().unwrap()]);
    let out = String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(
        out.contains("sources/example/2024-01-01.geojson")
            && out.contains("the FeatureCollection's date is 2023-12-31, not the snapshot's date 2024-01-01"),
        "{out}"
    );
}
