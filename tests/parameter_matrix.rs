//! Every combination of a route's documented optional parameters is answered, or refused with a
//! 400 naming a parameter for a reason the documentation gives (`date` with `datetime`, a date
//! or instant with a range, `source` with `sources`, a side of a diff without a date or with
//! two): the timeline, the diff, the point, the layers and the agreement, on a source with two
//! publications on one day (`datetime=` between them reaches the earlier one, which is no epoch)
//! and a border with regions. On a real server on an ephemeral port.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod common;

use common::{Server, get, request};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::net::SocketAddr;

const TOKEN: &str = "matrix-token-0123456789abcdef";
/// Between the two publications of 1 May (08:00 and 12:00 UTC): the earlier one is in force.
const BETWEEN: &str = "2024-05-01T09:00:00Z";

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

fn server() -> (tempfile::TempDir, Server) {
    let dir = tempfile::tempdir().unwrap();
    let root = common::copy_embedded_geodata(dir.path(), true);
    let token = dir.path().join("token");
    std::fs::write(&token, format!("{TOKEN}\n")).unwrap();
    let s = Server::with_ingest(&root, &token);
    let auth = format!("Authorization: Bearer {TOKEN}\r\n");
    let terms =
        json!({"licence": "CC0-1.0", "attribution": "© Monitor", "time_zone": "Europe/Kyiv", "baselines": ["crimea"]});
    let put = request(
        s.addr,
        "PUT",
        "/v1/sources/monitor",
        &format!("{auth}Content-Type: application/json\r\n"),
        terms.to_string().as_bytes(),
    );
    assert_eq!(put.status, 201, "{}", put.text());
    for (date, body) in [
        ("2024-05-01", square(0.5, Some("2024-05-01T08:00:00Z"))),
        ("2024-05-01", square(0.6, Some("2024-05-01T12:00:00Z"))),
        ("2024-05-03", square(0.8, None)),
    ] {
        let r = request(
            s.addr,
            "POST",
            &format!("/v1/snapshots?source=monitor&date={date}"),
            &format!("{auth}Content-Type: application/geo+json\r\n"),
            body.to_string().as_bytes(),
        );
        assert_eq!(r.status, 201, "{}", r.text());
    }
    // known_at= an instant after every write: the same answers as without it.
    std::thread::sleep(std::time::Duration::from_millis(20));
    (dir, s)
}

fn now() -> String {
    chrono::DateTime::<chrono::Utc>::from(std::time::SystemTime::now())
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// Which parameters a refusal of these options may name (`None`: answered).
type Refused = dyn Fn(&BTreeSet<&str>) -> Option<Vec<&'static str>>;
/// Looks into an answer to these options (the options, the media type, the text).
type Check = dyn Fn(&BTreeSet<&str>, &str, &str) -> Result<(), String>;

/// Asks `path?base&...` with every subset of `options` (and each of `accepts`). `refused` says,
/// for the set of option names given, which parameters a refusal may name (`None`: answered).
/// `check` looks into an answer (JSON, or the CSV text). Returns the failures.
fn matrix(
    addr: SocketAddr,
    path: &str,
    base: &str,
    options: &[(&str, &str)],
    accepts: &[&str],
    refused: &Refused,
    check: &Check,
) -> (usize, Vec<String>) {
    let mut failures = Vec::new();
    let mut asked = 0;
    for mask in 0u32..(1 << options.len()) {
        let chosen: Vec<&(&str, &str)> = (0..options.len())
            .filter(|i| mask & (1 << i) != 0)
            .map(|i| &options[i])
            .collect();
        let names: BTreeSet<&str> = chosen.iter().map(|(n, _)| *n).collect();
        let mut query = base.to_string();
        for (n, v) in &chosen {
            query.push_str(&format!("&{n}={v}"));
        }
        for accept in accepts {
            asked += 1;
            let target = format!("{path}?{query}");
            let r = get(addr, &target, &format!("Accept: {accept}\r\n"));
            let text = r.text();
            match refused(&names) {
                Some(params) => {
                    let named = serde_json::from_str::<Value>(&text)
                        .ok()
                        .and_then(|v| v["parameter"].as_str().map(str::to_string));
                    let ok = r.status == 400 && named.as_deref().is_some_and(|n| params.contains(&n));
                    if !ok {
                        failures.push(format!(
                            "{target} ({accept}): want 400 naming one of {params:?}, got {} {text}",
                            r.status
                        ));
                    }
                }
                None if r.status != 200 => failures.push(format!("{target} ({accept}): {} {text}", r.status)),
                None => {
                    if let Err(e) = check(&names, accept, &text) {
                        failures.push(format!("{target} ({accept}): {e}"));
                    }
                }
            }
        }
    }
    (asked, failures)
}

fn has(names: &BTreeSet<&str>, n: &str) -> bool {
    names.contains(n)
}

#[test]
fn every_combination_of_a_routes_parameters_is_answered_or_refused_with_its_reason() {
    let (_dir, s) = server();
    let known_at = now();
    let mut all_failures = Vec::new();
    let mut total = 0;

    // The timeline: a range, one date or one instant, by region, raw, known_at; JSON and CSV.
    let (n, f) = matrix(
        s.addr,
        "/v1/timeline",
        "source=monitor",
        &[
            ("from", "2024-05-01"),
            ("to", "2024-05-03"),
            ("date", "2024-05-01"),
            ("datetime", BETWEEN),
            ("by_region", "true"),
            ("raw", "true"),
            ("known_at", &known_at),
        ],
        &["application/json", "text/csv"],
        &|n| {
            if has(n, "date") && has(n, "datetime") {
                Some(vec!["date", "datetime"])
            } else if (has(n, "date") || has(n, "datetime")) && (has(n, "from") || has(n, "to")) {
                Some(vec!["date"])
            } else {
                None
            }
        },
        &|n, accept, text| {
            let by_region = has(n, "by_region");
            let (rows, snapshots): (usize, Vec<String>) = if accept == "text/csv" {
                let mut lines = text.lines();
                let header: Vec<&str> = lines.next().unwrap_or_default().split(',').collect();
                if header.contains(&"region") != by_region {
                    return Err(format!("header {header:?}"));
                }
                let col = header
                    .iter()
                    .position(|h| *h == "snapshot")
                    .ok_or("no snapshot column")?;
                let rows: Vec<String> = lines
                    .map(|l| l.split(',').nth(col).unwrap_or_default().to_string())
                    .collect();
                (rows.len(), rows)
            } else {
                let v: Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
                let rows = v["rows"].as_array().ok_or("no rows")?;
                if rows.iter().any(|r| r.get("region").is_some() != by_region) {
                    return Err("rows by region or not, against by_region".into());
                }
                let one = has(n, "date") || has(n, "datetime");
                if v.get("date").is_some() != one {
                    return Err(format!("date member {:?} for one date {one}", v.get("date")));
                }
                (
                    rows.len(),
                    rows.iter()
                        .map(|r| r["snapshot"].as_str().unwrap_or_default().to_string())
                        .collect(),
                )
            };
            if rows == 0 {
                return Err("no rows".into());
            }
            // An instant between two publications of a day: the earlier one, named with its
            // instant; one date: that date's snapshot only.
            if has(n, "datetime") && !snapshots.iter().all(|s| s == "monitor:2024-05-01@2024-05-01T08:00:00Z") {
                return Err(format!("snapshots {snapshots:?}"));
            }
            if has(n, "date") && !snapshots.iter().all(|s| s == "monitor:2024-05-01") {
                return Err(format!("snapshots {snapshots:?}"));
            }
            Ok(())
        },
    );
    total += n;
    all_failures.extend(f);

    // The diff: each side a date, an instant, both or neither; by region, raw, known_at.
    let (n, f) = matrix(
        s.addr,
        "/v1/diff",
        "source=monitor",
        &[
            ("from", "2024-05-01"),
            ("from_datetime", BETWEEN),
            ("to", "2024-05-03"),
            ("to_datetime", "2024-05-03T12:00:00Z"),
            ("by_region", "true"),
            ("raw", "true"),
            ("known_at", &known_at),
        ],
        &["application/geo+json"],
        &|n| {
            let side = |a: &str, b: &str| has(n, a) == has(n, b);
            if side("from", "from_datetime") {
                Some(vec!["from", "from_datetime"])
            } else if side("to", "to_datetime") {
                Some(vec!["to", "to_datetime"])
            } else {
                None
            }
        },
        &|n, _, text| {
            let v: Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
            let from = v["frontline"]["from"]["snapshot"]["id"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            // Both a date and an instant of 1 May name a snapshot of 1 May.
            if !from.starts_with("monitor:2024-05-01") {
                return Err(format!("from {from}"));
            }
            if v["frontline"].get("by_region").is_some() != has(n, "by_region") {
                return Err("by_region member against by_region".into());
            }
            Ok(())
        },
    );
    total += n;
    all_failures.extend(f);

    // The point: date or instant (one required), source or sources, distance, raw, known_at.
    let (n, f) = matrix(
        s.addr,
        "/v1/coverage",
        "lon=35.25&lat=48.25",
        &[
            ("date", "2024-05-01"),
            ("datetime", BETWEEN),
            ("source", "monitor"),
            ("sources", "all"),
            ("distance", "true"),
            ("raw", "true"),
            ("known_at", &known_at),
        ],
        &["application/json"],
        &|n| {
            if has(n, "date") == has(n, "datetime") {
                Some(vec!["date", "datetime"])
            } else if has(n, "source") && has(n, "sources") {
                Some(vec!["sources", "source"])
            } else {
                None
            }
        },
        &|n, _, text| {
            let v: Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
            let point = if has(n, "sources") {
                v["answers"]
                    .as_array()
                    .and_then(|a| a.iter().find(|x| x["source"] == "monitor").cloned())
                    .ok_or("no answer of monitor")?
            } else {
                v
            };
            if point.get("line_of_contact_km").is_some() != has(n, "distance") {
                return Err("line_of_contact_km against distance".into());
            }
            Ok(())
        },
    );
    total += n;
    all_failures.extend(f);

    // A layer: date or instant (one required), bbox, simplification, precision, raw, known_at.
    let (n, f) = matrix(
        s.addr,
        "/v1/layers/occupied",
        "source=monitor",
        &[
            ("date", "2024-05-01"),
            ("datetime", BETWEEN),
            ("bbox", "34,47,37,50"),
            ("simplify_m", "100"),
            ("precision", "3"),
            ("raw", "true"),
            ("known_at", &known_at),
        ],
        &["application/geo+json"],
        &|n| (has(n, "date") == has(n, "datetime")).then(|| vec!["date", "datetime"]),
        &|_, _, text| {
            let v: Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
            v["features"]
                .as_array()
                .map(|_| ())
                .ok_or_else(|| "no features".to_string())
        },
    );
    total += n;
    all_failures.extend(f);

    // The agreement: date or instant (one required), the sources, summary, precision, raw,
    // known_at.
    let (n, f) = matrix(
        s.addr,
        "/v1/agreement",
        "",
        &[
            ("date", "2024-05-03"),
            ("datetime", "2024-05-03T12:00:00Z"),
            ("sources", "monitor,example"),
            ("summary", "true"),
            ("precision", "3"),
            ("raw", "true"),
            ("known_at", &known_at),
        ],
        &["application/json"],
        // Without sources, the default leaves the SYNTHETIC example out: one real source
        // (monitor) is too few, a 400 naming sources.
        &|n| {
            if has(n, "date") == has(n, "datetime") {
                Some(vec!["date", "datetime"])
            } else {
                (!has(n, "sources")).then(|| vec!["sources"])
            }
        },
        &|_, _, text| {
            serde_json::from_str::<Value>(text)
                .map(|_| ())
                .map_err(|e| e.to_string())
        },
    );
    total += n;
    all_failures.extend(f);

    assert!(
        all_failures.is_empty(),
        "{} of {total} combinations failed:\n{}",
        all_failures.len(),
        all_failures.join("\n")
    );
    assert!(total > 600, "{total} combinations asked");
}
