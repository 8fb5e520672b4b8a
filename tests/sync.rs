//! `frontline sync` against a local HTTP archive on 127.0.0.1 (made up here, DeepStateMap layout):
//! missing days, transient failures retried, a day that keeps failing reported while the others
//! are imported, and the next sync picking it up.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};

mod common;

use chrono::Datelike;

/// What the archive answers for a file: a body, or a status (with how many times).
#[derive(Clone)]
enum Answer {
    File(Vec<u8>),
    FailThenFile(u32, Vec<u8>),
    Fail,
}

/// A one-thread HTTP/1.1 server of `files` (404 for anything else); counts requests per path.
fn archive(files: Arc<Mutex<HashMap<String, Answer>>>, hits: Arc<Mutex<HashMap<String, u32>>>) -> SocketAddr {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    std::thread::spawn(move || {
        for c in l.incoming().flatten() {
            let mut r = BufReader::new(c);
            let mut line = String::new();
            if r.read_line(&mut line).is_err() {
                continue;
            }
            let path = line.split(' ').nth(1).unwrap_or("").trim_start_matches('/').to_string();
            loop {
                let mut h = String::new();
                if r.read_line(&mut h).map_or(true, |n| n == 0) || h == "\r\n" {
                    break;
                }
            }
            let n = {
                let mut hits = hits.lock().unwrap();
                let e = hits.entry(path.clone()).or_insert(0);
                *e += 1;
                *e
            };
            let answer = files.lock().unwrap().get(&path).cloned();
            let (status, body) = match answer {
                Some(Answer::File(b)) => ("200 OK", b),
                Some(Answer::FailThenFile(k, b)) if n > k => ("200 OK", b),
                Some(Answer::FailThenFile(..) | Answer::Fail) => ("500 Internal Server Error", b"oops".to_vec()),
                None => ("404 Not Found", b"no".to_vec()),
            };
            let mut c = r.into_inner();
            let _ = write!(
                c,
                "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = c.write_all(&body);
        }
    });
    addr
}

/// A DeepStateMap-style file: one feature, empty properties, a MultiPolygon square.
fn deepstate_file(size: f64) -> Vec<u8> {
    let (x0, y0, x1, y1) = (35.0, 48.0, 35.0 + size, 48.0 + size);
    format!(
        r#"{{"type":"FeatureCollection","name":"x","features":[{{"type":"Feature","properties":{{}},"geometry":{{"type":"MultiPolygon","coordinates":[[[[{x0},{y0}],[{x1},{y0}],[{x1},{y1}],[{x0},{y1}],[{x0},{y0}]]]]}}}}]}}"#
    )
    .into_bytes()
}

fn geodata_copy(dir: &Path) -> PathBuf {
    common::copy_embedded_geodata(dir, false)
}

fn sync(base: &str, root: &Path, extra: &[&str]) -> (i32, serde_json::Value) {
    let o = Command::new(env!("CARGO_BIN_EXE_frontline"))
        .args([
            "sync",
            "deepstate",
            "--base-url",
            base,
            "--source",
            "ds",
            "--until",
            "2025-01-10",
            "--data",
        ])
        .arg(root)
        .args(extra)
        .output()
        .unwrap();
    let code = o.status.code().unwrap();
    assert_ne!(code, 101, "panicked: {}", String::from_utf8_lossy(&o.stderr));
    (
        code,
        serde_json::from_slice(&o.stdout).unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&o.stderr))),
    )
}

#[test]
fn sync_fetches_retries_reports_failures_and_catches_up() {
    let files = Arc::new(Mutex::new(HashMap::new()));
    let hits = Arc::new(Mutex::new(HashMap::new()));
    let name = |d: u32| format!("deepstatemap_data_202501{d:02}.geojson");
    {
        let mut f = files.lock().unwrap();
        for d in 1..=10u32 {
            let body = deepstate_file(0.1 + 0.01 * f64::from(d));
            let a = match d {
                5 => continue, // not in the archive
                7 => Answer::FailThenFile(2, body),
                9 => Answer::Fail,
                _ => Answer::File(body),
            };
            f.insert(name(d), a);
        }
    }
    let addr = archive(files.clone(), hits.clone());
    let base = format!("http://{addr}/data");
    // The archive lives under /data/ (as the DeepStateMap repository's data/ folder).
    {
        let mut f = files.lock().unwrap();
        let all: Vec<(String, Answer)> = f.iter().map(|(k, v)| (format!("data/{k}"), v.clone())).collect();
        f.extend(all);
    }
    let dir = tempfile::tempdir().unwrap();
    let root = geodata_copy(dir.path());
    // No snapshot yet and no --from: a clear error.
    let o = Command::new(env!("CARGO_BIN_EXE_frontline"))
        .args(["sync", "deepstate", "--base-url", &base, "--source", "ds", "--data"])
        .arg(&root)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--from"));

    let (code, r) = sync(&base, &root, &["--from", "2025-01-01", "--retries", "2"]);
    assert_eq!(code, 3, "a day failed: {r}");
    let days = |k: &str| {
        r[k].as_array()
            .unwrap()
            .iter()
            .map(|d| d.as_str().unwrap()[8..10].to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(days("fetched"), ["01", "02", "03", "04", "06", "07", "08", "10"]);
    assert_eq!(days("missing"), ["05"]);
    let failed = r["failed"].as_array().unwrap();
    assert_eq!(failed.len(), 1);
    assert!(
        failed[0][1].as_str().unwrap().contains("HTTP 500") && failed[0][1].as_str().unwrap().contains("3 attempts"),
        "{r}"
    );
    assert_eq!(
        hits.lock().unwrap()[&format!("data/{}", name(7))],
        3,
        "two failures, then the file"
    );
    assert_eq!(r["import"]["added"].as_array().unwrap().len(), 8);
    // Provenance names the URL.
    assert!(r["import"]["added"][0]["original"].as_str().unwrap().starts_with(&base));

    // The archive recovers; the next sync (no --from) looks back and picks day 9 up.
    files
        .lock()
        .unwrap()
        .insert(format!("data/{}", name(9)), Answer::File(deepstate_file(0.19)));
    let (code, r) = sync(&base, &root, &[]);
    assert_eq!(code, 0, "{r}");
    assert_eq!(
        r["import"]["added"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["date"].as_str().unwrap())
            .collect::<Vec<_>>(),
        ["2025-01-09"]
    );
    assert!(!r["import"]["unchanged"].as_array().unwrap().is_empty());
    // The store loads with nine snapshots: every day but the one the archive does not have.
    let cat = frontline::catalog::Catalog::load(&root).unwrap();
    assert_eq!(cat.source(Some("ds")).unwrap().snapshots.len(), 9);
}

#[test]
fn first_01_an_unreachable_archive_fails_fast_naming_the_cause() {
    let dir = tempfile::tempdir().unwrap();
    let root = geodata_copy(dir.path());
    // A port nothing listens on: every connection is refused.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let base = format!("http://127.0.0.1:{port}/");
    let t = std::time::Instant::now();
    let o = Command::new(env!("CARGO_BIN_EXE_frontline"))
        .args(["sync", "deepstate", "--base-url", &base, "--source", "ds"])
        .args(["--from", "2024-01-01", "--until", "2024-12-31", "--data"])
        .arg(&root)
        .output()
        .unwrap();
    let took = t.elapsed();
    // Nothing was fetched: the sync failed as a whole (2), not in part (3).
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains(&format!("error: cannot reach http://127.0.0.1:{port}/: "))
            && err.to_lowercase().contains("connection refused"),
        "{err}"
    );
    let r: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(r["failed"].as_array().unwrap().len(), 2, "{r}");
    assert!(
        r["unreachable"].as_str().unwrap().contains("stopped at 2024-01-02"),
        "{r}"
    );
    assert!(took < std::time::Duration::from_secs(20), "took {took:?}");
}

/// Every file under `dir` (relative), sorted.
fn listing(dir: &Path) -> Vec<String> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let p = e.path();
            out.push(p.strip_prefix(root).unwrap().display().to_string());
            if p.is_dir() {
                walk(root, &p, out);
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

/// `import` and `sync` given an archive of published files as `--data` (a directory that is not
/// a geodata directory): refused before anything is written, saying what `--data` is for; no
/// `.frontline/writer.lock` (nor anything else) appears in the archive, read-only or not.
#[test]
fn import_and_sync_never_write_into_an_archive_given_as_data() {
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("archive");
    std::fs::create_dir(&archive).unwrap();
    std::fs::write(archive.join("deepstatemap_data_20250101.geojson"), deepstate_file(0.5)).unwrap();
    let before = listing(&archive);
    let files = Arc::new(Mutex::new(HashMap::new()));
    let base = format!("http://{}/", archive_server(files));
    for read_only in [false, true] {
        if read_only {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&archive, std::fs::Permissions::from_mode(0o555)).unwrap();
        }
        let import = Command::new(env!("CARGO_BIN_EXE_frontline"))
            .args(["import", "deepstate"])
            .arg(&archive)
            .args(["--source", "ds", "--data"])
            .arg(&archive)
            .output()
            .unwrap();
        let sync = Command::new(env!("CARGO_BIN_EXE_frontline"))
            .args(["sync", "deepstate", "--base-url", &base, "--source", "ds", "--data"])
            .arg(&archive)
            .output()
            .unwrap();
        for (what, o) in [("import", import), ("sync", sync)] {
            let err = String::from_utf8_lossy(&o.stderr);
            assert!(!o.status.success(), "{what}: {err}");
            assert!(
                err.contains(
                    "not a geodata directory (it has no borders/): --data names the geodata directory to write into"
                ),
                "{what}: {err}"
            );
            assert_eq!(
                listing(&archive),
                before,
                "{what} (read-only {read_only}) wrote into the archive"
            );
        }
    }
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&archive, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// The same class beyond an archive: a `--data` that does not exist, or whose `borders/` holds
/// no border. `import` and `sync` (with and without `--from`, so before and after a fetch would
/// start) behave as one: the same exit code (1, as any geodata directory that does not load),
/// the same message, and nothing written: no `.frontline/`, no `writer.lock`, no download
/// folder.
#[test]
fn import_and_sync_refuse_every_directory_that_is_not_a_store_alike() {
    let dir = tempfile::tempdir().unwrap();
    let files = Arc::new(Mutex::new(HashMap::new()));
    files.lock().unwrap().insert(
        "deepstatemap_data_20250101.geojson".to_string(),
        Answer::File(deepstate_file(0.5)),
    );
    let base = format!("http://{}/", archive_server(files));
    let input = dir.path().join("in.geojson");
    std::fs::write(&input, deepstate_file(0.5)).unwrap();
    let missing = dir.path().join("missing");
    let empty_borders = dir.path().join("empty-borders");
    std::fs::create_dir_all(empty_borders.join("borders")).unwrap();
    let other_borders = dir.path().join("other-borders");
    std::fs::create_dir_all(other_borders.join("borders")).unwrap();
    std::fs::write(other_borders.join("borders/notes.txt"), "x").unwrap();
    for (data, why) in [
        (&missing, "(it does not exist)"),
        (&empty_borders, "(its borders/ holds no <ISO3>.geojson border)"),
        (&other_borders, "(its borders/ holds no <ISO3>.geojson border)"),
    ] {
        let before = listing(dir.path());
        let run = |args: &[&str]| {
            Command::new(env!("CARGO_BIN_EXE_frontline"))
                .args(args)
                .arg("--data")
                .arg(data)
                .output()
                .unwrap()
        };
        let outputs = [
            (
                "import",
                run(&["import", "deepstate", input.to_str().unwrap(), "--source", "ds"]),
            ),
            (
                "sync",
                run(&["sync", "deepstate", "--base-url", &base, "--source", "ds"]),
            ),
            (
                "sync --from",
                run(&[
                    "sync",
                    "deepstate",
                    "--base-url",
                    &base,
                    "--source",
                    "ds",
                    "--from",
                    "2025-01-01",
                    "--until",
                    "2025-01-01",
                ]),
            ),
        ];
        let mut messages = Vec::new();
        for (what, o) in outputs {
            let err = String::from_utf8_lossy(&o.stderr).to_string();
            assert_eq!(o.status.code(), Some(1), "{what} --data {}: {err}", data.display());
            assert!(
                err.contains(&format!(
                    "not a geodata directory {why}: --data names the geodata directory"
                )),
                "{what}: {err}"
            );
            messages.push(err);
        }
        assert!(messages.iter().all(|m| *m == messages[0]), "{messages:#?}");
        assert_eq!(
            listing(dir.path()),
            before,
            "--data {}: something was written",
            data.display()
        );
    }
}

/// A sync leaves no `.frontline/download-<pid>/` behind: not when it ends, not when a day's
/// import fails.
#[test]
fn a_sync_leaves_no_download_folder() {
    let files = Arc::new(Mutex::new(HashMap::new()));
    files.lock().unwrap().insert(
        "deepstatemap_data_20250109.geojson".to_string(),
        Answer::File(deepstate_file(0.5)),
    );
    files.lock().unwrap().insert(
        "deepstatemap_data_20250110.geojson".to_string(),
        Answer::File(b"not json".to_vec()),
    );
    let base = format!("http://{}/", archive_server(files));
    let dir = tempfile::tempdir().unwrap();
    let root = geodata_copy(dir.path());
    let (code, report) = sync(&base, &root, &["--from", "2025-01-09"]);
    assert_eq!(report["fetched"].as_array().map(Vec::len), Some(2), "{code} {report:#}");
    // The file that does not read is named by its URL, not by the download folder's path
    // (gone when the report is read).
    let rejected = &report["import"]["rejected"];
    assert_eq!(
        rejected[0]["file"],
        format!("{base}deepstatemap_data_20250110.geojson"),
        "{report:#}"
    );
    assert!(!report.to_string().contains("download-"), "{report:#}");
    let left: Vec<String> = std::fs::read_dir(root.join(".frontline"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("download-"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

fn archive_server(files: Arc<Mutex<HashMap<String, Answer>>>) -> SocketAddr {
    archive(files, Arc::new(Mutex::new(HashMap::new())))
}

/// An archive that answers every DeepStateMap daily file with a square after `delay_ms`.
fn slow_archive(delay_ms: u64) -> SocketAddr {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    std::thread::spawn(move || {
        for c in l.incoming().flatten() {
            std::thread::spawn(move || {
                let mut r = BufReader::new(c);
                let mut line = String::new();
                if r.read_line(&mut line).is_err() {
                    return;
                }
                loop {
                    let mut h = String::new();
                    if r.read_line(&mut h).map_or(true, |n| n == 0) || h == "\r\n" {
                        break;
                    }
                }
                std::thread::sleep(std::time::Duration::from_millis(delay_ms));
                // A size from the day, so that consecutive days differ (all are imported).
                let day: u64 = line
                    .bytes()
                    .filter(u8::is_ascii_digit)
                    .fold(0, |a, b| (a * 10 + u64::from(b - b'0')) % 1000);
                let body = deepstate_file(0.05 + 0.0001 * day as f64);
                let mut c = r.into_inner();
                let _ = write!(
                    c,
                    "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let _ = c.write_all(&body);
            });
        }
    });
    addr
}

#[test]
fn a_server_stopped_during_a_scheduled_sync_exits_cleanly() {
    // The sync runs every second against an archive of about 800 daily files; the server is
    // stopped (SIGTERM) while it fetches (a slow archive) and while it imports (a fast one).
    for (delay_ms, stop_after_ms) in [(40, 1_600), (0, 1_500), (0, 2_500), (0, 4_000), (0, 6_000)] {
        let dir = tempfile::tempdir().unwrap();
        let root = geodata_copy(dir.path());
        let addr = slow_archive(delay_ms);
        let mut child = Command::new(env!("CARGO_BIN_EXE_frontline"))
            .args([
                "serve",
                "--listen",
                "127.0.0.1:0",
                "--watch-s",
                "0",
                "--shutdown-grace-s",
                "5",
            ])
            .args(["--sync-url", &format!("http://{addr}/"), "--sync-source", "example"])
            .args(["--sync-every", "1s", "--data"])
            .arg(&root)
            .env("RUST_LOG", "info")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        common::listening_addr(&mut child);
        std::thread::sleep(std::time::Duration::from_millis(stop_after_ms));
        let killed = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .unwrap();
        assert!(killed.success());
        let t = std::time::Instant::now();
        let out = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!err.contains("panicked"), "stopped after {stop_after_ms} ms: {err}");
        assert_eq!(out.status.code(), Some(0), "stopped after {stop_after_ms} ms: {err}");
        assert!(err.contains("shutdown signal received"), "{err}");
        eprintln!(
            "archive delay {delay_ms} ms, stopped after {stop_after_ms} ms: exit 0 in {:.1} s, sync {}",
            t.elapsed().as_secs_f64(),
            if err.contains("sync done") { "done" } else { "under way" }
        );
        // Whatever the moment, the store loads (an import under way finished whole).
        frontline::catalog::Catalog::load(&root).unwrap_or_else(|r| panic!("{:?}", r.problems));
    }
}

/// Every day of the range answers 404 (a wrong base URL, days the archive never had): one clear
/// message naming the URL pattern and the days, exit 2, each day asked once (no retries), and
/// nothing written.
#[test]
fn a_sync_whose_every_day_answers_404_says_so_and_exits_2() {
    let files = Arc::new(Mutex::new(HashMap::new()));
    let hits = Arc::new(Mutex::new(HashMap::new()));
    let addr = archive(files, hits.clone());
    let base = format!("http://{addr}/wrong/");
    let dir = tempfile::tempdir().unwrap();
    let root = geodata_copy(dir.path());
    let o = Command::new(env!("CARGO_BIN_EXE_frontline"))
        .args(["sync", "deepstate", "--base-url", &base, "--source", "ds"])
        .args([
            "--from",
            "2025-01-01",
            "--until",
            "2025-01-10",
            "--retries",
            "3",
            "--data",
        ])
        .arg(&root)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    let errors: Vec<&str> = stderr.lines().filter(|l| l.starts_with("error: ")).collect();
    assert_eq!(errors.len(), 1, "{stderr}");
    let want = format!(
        "error: the archive has none of the 10 day(s) asked for: every request answered 404 Not Found (http://{addr}/wrong/deepstatemap_data_YYYYMMDD.geojson for 2025-01-01 .. 2025-01-10)"
    );
    assert!(errors[0].starts_with(&want), "{}", errors[0]);
    assert!(errors[0].contains("--base-url"), "{}", errors[0]);
    // The report still says what happened to each day.
    let r: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(r["missing"].as_array().unwrap().len(), 10, "{r}");
    // One request a day: a 404 is not retried.
    {
        let hits = hits.lock().unwrap();
        assert_eq!(hits.len(), 10, "{hits:?}");
        assert!(hits.values().all(|n| *n == 1), "{hits:?}");
    }
    assert!(!root.join("sources/ds").exists());
    // One day asked, one day missing: the same, with the day.
    let o = Command::new(env!("CARGO_BIN_EXE_frontline"))
        .args(["sync", "nzz", "--base-url", &base, "--source", "ds"])
        .args(["--from", "2025-01-03", "--until", "2025-01-03", "--data"])
        .arg(&root)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("none of the 1 day(s) asked for") && stderr.contains("/wrong/YYYY-MM-DD.json for 2025-01-03)"),
        "{stderr}"
    );
}

/// Issue 9 tester F4: a host that answers every request with a server failure is given up after
/// a few days in a row, as an unreachable one is (it was retried on every day up to --until):
/// exit 2, the days tried reported failed, the reason in `unreachable` and on stderr.
#[test]
fn a_sync_whose_host_answers_only_server_failures_stops_saying_so() {
    let files = Arc::new(Mutex::new(HashMap::new()));
    let hits = Arc::new(Mutex::new(HashMap::new()));
    {
        // Every file of the year is a 500.
        let mut f = files.lock().unwrap();
        let mut d = chrono::NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
        while d.year() == 2025 {
            f.insert(
                format!("deepstatemap_data_{}.geojson", d.format("%Y%m%d")),
                Answer::Fail,
            );
            d = d.succ_opt().unwrap();
        }
    }
    let addr = archive(files.clone(), hits.clone());
    let dir = tempfile::tempdir().unwrap();
    let root = geodata_copy(dir.path());
    let base = format!("http://{addr}/");
    let o = Command::new(env!("CARGO_BIN_EXE_frontline"))
        .args(["sync", "deepstate", "--base-url", &base, "--source", "ds"])
        .args([
            "--from",
            "2025-01-01",
            "--until",
            "2025-03-31",
            "--retries",
            "1",
            "--data",
        ])
        .arg(&root)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    let r: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let why = r["unreachable"].as_str().unwrap_or_default();
    assert!(
        why.contains(&format!("http://{addr}/ is failing"))
            && why.contains("HTTP 500")
            && why.contains(&format!("{} days in a row", frontline::sync::FAILING_AFTER_DAYS))
            && why.contains("stopped at 2025-01-03"),
        "{r}"
    );
    assert!(stderr.contains("is failing"), "{stderr}");
    assert_eq!(
        r["failed"].as_array().unwrap().len(),
        frontline::sync::FAILING_AFTER_DAYS,
        "{r}"
    );
    // Two attempts for each of the three days, none after.
    let total: u32 = hits.lock().unwrap().values().sum();
    assert_eq!(total as usize, 2 * frontline::sync::FAILING_AFTER_DAYS);
    assert!(!root.join("sources/ds").exists());
    // A failing day between good ones does not stop a sync (day 9 of
    // `sync_fetches_retries_reports_failures_and_catches_up`): only days in a row do.
}

/// Issue 9 items 4 and 10: the days asked for lie in the date window the import admits: a
/// `--until` years ahead or a `--from` in year 1 is refused at once (exit 2, naming the option),
/// before any request (it had sent one request per day up to 9999-12-31).
#[test]
fn sync_refuses_days_outside_the_date_window_before_any_request() {
    let dir = tempfile::tempdir().unwrap();
    let root = geodata_copy(dir.path());
    let hits = Arc::new(Mutex::new(HashMap::new()));
    let addr = archive(Arc::new(Mutex::new(HashMap::new())), hits.clone());
    let base = format!("http://{addr}/");
    for (from, until, option) in [
        ("2026-01-02", "9999-12-31", "--until: date 9999-12-31"),
        ("0001-01-01", "0001-01-03", "--from: date 0001-01-01"),
        // Before the border is recognized (a tester's --from 1950-01-01 sent 28,096 requests):
        // the border's valid_from is read before anything is fetched.
        (
            "1950-01-01",
            "2026-01-01",
            "--from: date 1950-01-01 is before 1991-08-24 (the border's valid_from), the earliest date admitted",
        ),
    ] {
        let t = std::time::Instant::now();
        let o = Command::new(env!("CARGO_BIN_EXE_frontline"))
            .args(["sync", "deepstate", "--base-url", &base, "--source", "ds"])
            .args(["--from", from, "--until", until, "--data"])
            .arg(&root)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert!(err.contains(option), "{err}");
        assert!(t.elapsed() < std::time::Duration::from_secs(20));
    }
    assert!(hits.lock().unwrap().is_empty(), "no request is sent");
    // With --not-after the same far day is admitted by the window (and then fetched).
    let o = Command::new(env!("CARGO_BIN_EXE_frontline"))
        .args(["sync", "deepstate", "--base-url", &base, "--source", "ds"])
        .args([
            "--from",
            "2030-01-01",
            "--until",
            "2030-01-02",
            "--not-after",
            "2030-12-31",
            "--data",
        ])
        .arg(&root)
        .output()
        .unwrap();
    assert!(
        !String::from_utf8_lossy(&o.stderr).contains("--until: date 2030-01-02 is after"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// An archive that takes every request and never answers it; `taken` gets a message for each.
fn stalling_archive(taken: std::sync::mpsc::Sender<()>) -> SocketAddr {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for c in l.incoming().flatten() {
            let _ = taken.send(());
            // Kept open, unanswered, for as long as the test runs.
            held.push(c);
        }
    });
    addr
}

#[test]
fn a_sync_stopped_by_sigint_exits_130_and_leaves_no_download_folder() {
    let (tx, rx) = std::sync::mpsc::channel();
    let addr = stalling_archive(tx);
    let dir = tempfile::tempdir().unwrap();
    let root = geodata_copy(dir.path());
    let child = Command::new(env!("CARGO_BIN_EXE_frontline"))
        .args(["sync", "deepstate", "--base-url", &format!("http://{addr}/")])
        .args([
            "--source",
            "ds",
            "--from",
            "2025-01-01",
            "--until",
            "2025-01-03",
            "--data",
        ])
        .arg(&root)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // The sync is fetching (its download folder made, its request waiting for an answer).
    rx.recv_timeout(std::time::Duration::from_secs(30))
        .expect("the sync's first request");
    let downloads = || -> Vec<String> {
        std::fs::read_dir(root.join(".frontline"))
            .map(|rd| {
                rd.flatten()
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .filter(|n| n.starts_with("download-"))
                    .collect()
            })
            .unwrap_or_default()
    };
    assert_eq!(downloads().len(), 1, "the sync fetches into its download folder");
    let t = std::time::Instant::now();
    let sent = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{err}");
    assert!(t.elapsed() < std::time::Duration::from_secs(10), "stopped at once");
    assert!(err.contains("sync interrupted"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(downloads().is_empty(), "{:?}", downloads());
    // Nothing was written into the source.
    assert!(!root.join("sources/ds").exists());
}
