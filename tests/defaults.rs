//! Defaults that cannot break: the geodata embedded in the binary (used from any folder),
//! `frontline init`, `--data` named in the messages, `--listen` with a host name, `classify
//! --summary`, and geodata directories with several sources and no default.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

mod common;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_frontline"))
}

fn run_in(dir: &Path, args: &[&str]) -> Output {
    bin().args(args).current_dir(dir).output().unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Starts `frontline serve` in `dir` with `args`; returns the child and its address.
fn serve_in(dir: &Path, args: &[&str]) -> (std::process::Child, String) {
    let mut child = bin()
        .arg("serve")
        .args(args)
        .current_dir(dir)
        .env("RUST_LOG", "warn")
        .env_remove("FRONTLINE_INGEST_TOKEN")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let addr = common::listening_addr(&mut child).to_string();
    (child, addr)
}

fn get(addr: &str, path: &str) -> (u16, serde_json::Value) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    s.write_all(format!("GET {path} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n").as_bytes())
        .unwrap();
    let mut data = Vec::new();
    let _ = s.read_to_end(&mut data);
    let split = data.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let status = text(&data[9..12]).parse().unwrap();
    (status, serde_json::from_slice(&data[split + 4..]).unwrap_or_default())
}

#[test]
fn serve_from_the_root_folder_answers_on_the_embedded_geodata() {
    let (mut child, addr) = serve_in(Path::new("/"), &["--listen", "127.0.0.1:0"]);
    let (status, v) = get(&addr, "/v1/coverage?lon=34.10&lat=44.95&date=2024-05-01");
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["status"], "occupied");
    assert_eq!(v["snapshot"]["id"], "example:2024-03-01");
    assert_eq!(v["synthetic"], true);
    assert_eq!(v["border"]["provenance"]["file"], "borders/UKR.geojson");
}

#[test]
fn query_and_check_work_from_any_folder_and_a_missing_dir_names_data() {
    let dir = tempfile::tempdir().unwrap();
    let o = run_in(
        dir.path(),
        &["query", "--lon", "30.52", "--lat", "50.45", "--date", "2024-05-01"],
    );
    assert!(o.status.success(), "{}", text(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["status"], "covered");
    let o = run_in(dir.path(), &["check"]);
    assert!(o.status.success(), "{}", text(&o.stdout));
    assert!(
        text(&o.stdout).contains("(embedded geodata): 1 border(s)"),
        "{}",
        text(&o.stdout)
    );
    // first-02: a directory that does not exist says what --data is.
    let o = run_in(
        dir.path(),
        &[
            "query",
            "--lon",
            "30.52",
            "--lat",
            "50.45",
            "--date",
            "2024-05-01",
            "--data",
            "geodata",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    let err = text(&o.stderr);
    assert!(err.contains("geodata directory does not exist"), "{err}");
    assert!(err.contains("--data DIR chooses the geodata directory"), "{err}");
    assert!(err.contains("frontline init DIR"), "{err}");
    let o = run_in(dir.path(), &["check", "nowhere"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o.stdout).contains("--data DIR chooses"), "{}", text(&o.stdout));
}

#[test]
fn init_writes_a_starting_directory_and_writers_need_data() {
    let dir = tempfile::tempdir().unwrap();
    let g = dir.path().join("g");
    let o = run_in(dir.path(), &["init", "g"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(
        text(&o.stdout).contains("frontline import deepstate"),
        "{}",
        text(&o.stdout)
    );
    for f in [
        "borders/UKR.geojson",
        "baselines/crimea.geojson",
        "sources/example/2024-09-01.geojson",
        "frontline.json",
    ] {
        assert_eq!(
            std::fs::read(g.join(f)).unwrap(),
            std::fs::read(common::repo().join("geodata").join(f)).unwrap(),
            "{f}"
        );
    }
    let o = run_in(dir.path(), &["check", "--data", "g"]);
    assert!(o.status.success(), "{}", text(&o.stdout));
    // Never over something.
    let o = run_in(dir.path(), &["init", "g"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("is not empty"));
    // Border and baseline only: loads once a source is imported.
    let o = run_in(dir.path(), &["init", "bare", "--no-example"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(!dir.path().join("bare/sources").exists());
    // import, sync and ingest write: they need --data.
    let o = run_in(dir.path(), &["import", "geojson", "x.geojson", "--source", "mine"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("import writes into a geodata directory: give --data DIR"));
    let o = bin()
        .args(["serve", "--listen", "127.0.0.1:0"])
        .current_dir(dir.path())
        .env("FRONTLINE_INGEST_TOKEN", "0123456789abcdef0123")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr).contains("embedded geodata is read-only"),
        "{}",
        text(&o.stderr)
    );
}

#[test]
fn listen_takes_a_host_name() {
    let (mut child, addr) = serve_in(Path::new("/"), &["--listen", "localhost:0"]);
    let (status, _) = get(&addr, "/healthz");
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(status, 200);
    let o = bin().args(["serve", "--listen", "localhost"]).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("is not HOST:PORT"), "{}", text(&o.stderr));
}

#[test]
fn classify_summary_prints_only_the_summary() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("p.csv");
    std::fs::write(&csv, "id,lon,lat\nkyiv,30.5234,50.4501\nsimferopol,34.10,44.95\n").unwrap();
    let o = run_in(dir.path(), &["classify", "p.csv", "--date", "2024-05-01", "--summary"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    assert_eq!(out.lines().count(), 1, "{out}");
    assert!(
        out.starts_with("2 points: covered 1, occupied 1, contested 0, outside 0 (snapshot example:2024-03-01"),
        "{out}"
    );
    assert!(!out.contains("kyiv"));
}

/// A copy of the embedded geodata without `frontline.json` (the one source is the default by
/// being alone), and a plain GeoJSON input for another source.
fn one_source_without_config(dir: &Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let root = common::copy_embedded_geodata(dir, false);
    std::fs::remove_file(root.join("frontline.json")).unwrap();
    let input = dir.join("mine.geojson");
    std::fs::write(
        &input,
        r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"status":"occupied","date":"2024-02-01"},"geometry":{"type":"Polygon","coordinates":[[[31.0,49.0],[31.1,49.0],[31.1,49.1],[31.0,49.1],[31.0,49.0]]]}}]}"#,
    )
    .unwrap();
    (root, input)
}

#[test]
fn several_sources_without_a_default_are_refused_by_check_with_the_fix() {
    let dir = tempfile::tempdir().unwrap();
    let root = common::copy_embedded_geodata(dir.path(), false);
    std::fs::remove_file(root.join("frontline.json")).unwrap();
    // A second source, made by hand.
    let other = root.join("sources/other");
    std::fs::create_dir_all(&other).unwrap();
    for f in ["source.json", "2024-01-01.geojson"] {
        let text = std::fs::read_to_string(root.join("sources/example").join(f)).unwrap();
        std::fs::write(
            other.join(f),
            text.replace("\"source\":\"example\"", "\"source\":\"other\""),
        )
        .unwrap();
    }
    let o = run_in(dir.path(), &["check", "--data", root.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stdout));
    let out = text(&o.stdout);
    assert!(
        out.contains("frontline.json: 2 sources (example, other) and no default_source")
            && out.contains(r#"{"default_source": "example"}"#),
        "{out}"
    );
    // The fix, as said.
    std::fs::write(root.join("frontline.json"), r#"{"default_source": "other"}"#).unwrap();
    let o = run_in(dir.path(), &["check", "--data", root.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o.stdout));
}

#[test]
fn a_reload_into_several_sources_without_a_default_is_refused_and_the_old_state_serves() {
    let dir = tempfile::tempdir().unwrap();
    let (root, _) = one_source_without_config(dir.path());
    let (mut child, addr) = serve_in(
        dir.path(),
        &[
            "--listen",
            "127.0.0.1:0",
            "--watch-s",
            "0",
            "--data",
            root.to_str().unwrap(),
        ],
    );
    // A second source appears (by hand, without a default), then SIGHUP.
    let other = root.join("sources/other");
    std::fs::create_dir_all(&other).unwrap();
    let text_of = std::fs::read_to_string(root.join("sources/example/2024-01-01.geojson")).unwrap();
    std::fs::write(
        other.join("2024-01-01.geojson"),
        text_of.replace("\"source\":\"example\"", "\"source\":\"other\""),
    )
    .unwrap();
    Command::new("kill")
        .args(["-HUP", &child.id().to_string()])
        .status()
        .unwrap();
    let t = std::time::Instant::now();
    let ready = loop {
        let (_, v) = get(&addr, "/readyz");
        if v["last_reload"]["ok"] == false {
            break v;
        }
        assert!(t.elapsed() < Duration::from_secs(20), "no reload: {v}");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(
        ready["last_reload"]["problems"][0]
            .as_str()
            .unwrap()
            .contains("no default_source"),
        "{ready}"
    );
    let (status, v) = get(&addr, "/v1/coverage?lon=34.10&lat=44.95&date=2024-05-01");
    assert_eq!(
        (status, v["snapshot"]["id"].as_str()),
        (200, Some("example:2024-03-01")),
        "{v}"
    );
    let _ = child.kill();
    let _ = child.wait();
}

#[test]
fn import_into_a_new_source_keeps_the_existing_default() {
    let dir = tempfile::tempdir().unwrap();
    let (root, input) = one_source_without_config(dir.path());
    let o = run_in(
        dir.path(),
        &[
            "import",
            "geojson",
            input.to_str().unwrap(),
            "--source",
            "mine",
            "--data",
            root.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", text(&o.stderr));
    let config: serde_json::Value =
        serde_json::from_slice(&std::fs::read(root.join("frontline.json")).unwrap()).unwrap();
    assert_eq!(config["default_source"], "example");
    let o = run_in(dir.path(), &["check", "--data", root.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o.stdout));
    let o = run_in(
        dir.path(),
        &[
            "query",
            "--lon",
            "31.05",
            "--lat",
            "49.05",
            "--date",
            "2024-05-01",
            "--data",
            root.to_str().unwrap(),
        ],
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["source"], "example", "{v}");
}
