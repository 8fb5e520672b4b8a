//! Issue 13 item 3: "the licence and attribution appear in every answer that uses the source".
//! A server over two sources with distinct terms is asked every documented route (read from its
//! own `/openapi.json`, so that a new route without a sample here fails the test): each answer
//! names each source it used with its time zone, licence and attribution — in the JSON or
//! GeoJSON body, in the `x-frontline-source-terms` header of a CSV answer, in the TileJSON
//! `attribution` — and `revised` is said in every row of the timeline and the history, as JSON
//! and as CSV. The CLI prints the terms of a CSV's source on standard error.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod common;

use common::{Reply, Server, get, post, request};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::path::Path;

/// Routes that use no source's data, or whose answer is an acknowledgement or binary, each with
/// the reason; every other documented route has a sample below.
const EXEMPT: [(&str, &str, &str); 12] = [
    ("get", "/", "the route index"),
    ("get", "/dashboard/{asset}", "the dashboard's files"),
    ("get", "/healthz", "liveness"),
    ("get", "/metrics", "counters"),
    ("get", "/openapi.json", "the API's description"),
    ("get", "/readyz", "readiness"),
    (
        "get",
        "/v1/border",
        "the recognized border (Natural Earth), no source's data; its file and hash are in the answer",
    ),
    (
        "get",
        "/v1/scenarios",
        "a listing of stored scenario documents, no figure",
    ),
    (
        "post",
        "/v1/snapshots",
        "a write's acknowledgement; GET /v1/sources gives the terms",
    ),
    ("put", "/v1/sources/{name}", "writes the terms themselves"),
    (
        "get",
        "/v1/tiles/{source}/{epoch}/{z}/{x}/{y}.mvt",
        "binary vector tiles: their TileJSON carries the attribution (TileJSON 3.0.0)",
    ),
    (
        "get",
        "/v1/tiles/{source}/diff/{from_epoch}/{to_epoch}/{z}/{x}/{y}.mvt",
        "binary vector tiles: their TileJSON carries the attribution",
    ),
];

/// The scenario tiles are binary as well.
const EXEMPT_SCENARIO_TILES: &str = "/v1/scenarios/{id}/tiles/{epoch}/{z}/{x}/{y}.mvt";

/// The terms of a source as every answer states them.
#[derive(Debug, Clone)]
struct Terms {
    source: &'static str,
    licence: String,
    attribution: String,
}

/// Whether some object of `v` names `t.source` (as `source`, or `name` in the sources listing)
/// with its licence, attribution and time zone.
fn carries(v: &Value, t: &Terms) -> bool {
    match v {
        Value::Object(m) => {
            let named = m.get("source").or_else(|| m.get("name")) == Some(&json!(t.source));
            (named
                && m.get("licence") == Some(&json!(t.licence))
                && m.get("attribution") == Some(&json!(t.attribution))
                && m.get("time_zone") == Some(&json!("Europe/Kyiv")))
                || m.values().any(|x| carries(x, t))
        }
        Value::Array(a) => a.iter().any(|x| carries(x, t)),
        _ => false,
    }
}

/// Checks that `r` (200) states the terms of every source in `used`.
fn check(what: &str, r: &Reply, used: &[&Terms]) {
    assert!(r.status == 200 || r.status == 201, "{what}: {} {}", r.status, r.text());
    let ct = r.header("content-type").unwrap_or("").to_string();
    let doc: Value = if ct.starts_with("text/csv") {
        let h = r
            .header("x-frontline-source-terms")
            .unwrap_or_else(|| panic!("{what}: a CSV answer without x-frontline-source-terms"));
        let doc: Value = serde_json::from_str(h).unwrap();
        if let [one] = used {
            // One source: the single headers too.
            assert_eq!(r.header("x-frontline-source"), Some(one.source), "{what}");
            assert_eq!(r.header("x-frontline-licence"), Some(one.licence.as_str()), "{what}");
            assert_eq!(
                r.header("x-frontline-attribution"),
                Some(one.attribution.as_str()),
                "{what}"
            );
            assert_eq!(r.header("x-frontline-time-zone"), Some("Europe/Kyiv"), "{what}");
        }
        doc
    } else {
        serde_json::from_slice(&r.body).unwrap_or_else(|e| panic!("{what}: not JSON ({e}): {}", r.text()))
    };
    if doc.get("tilejson").is_some() {
        let a = doc["attribution"].as_str().unwrap_or_default();
        for t in used {
            assert!(
                a.contains(&t.attribution) && a.contains(&t.licence),
                "{what}: TileJSON attribution lacks {t:?}: {a}"
            );
        }
        return;
    }
    for t in used {
        assert!(carries(&doc, t), "{what}: no member names {t:?}: {doc}");
    }
}

/// A second source `second` beside the example: the example's snapshots under another name,
/// with terms of its own.
fn add_second_source(root: &Path) -> Terms {
    let from = root.join("sources/example");
    let to = root.join("sources/second");
    std::fs::create_dir_all(&to).unwrap();
    for e in std::fs::read_dir(&from).unwrap().flatten() {
        let name = e.file_name().to_string_lossy().to_string();
        if let Some(date) = name.strip_suffix(".geojson") {
            let mut doc: Value = serde_json::from_slice(&std::fs::read(e.path()).unwrap()).unwrap();
            doc["frontline"]["source"] = json!("second");
            assert!(date.len() == 10);
            std::fs::write(to.join(&name), doc.to_string()).unwrap();
        }
    }
    let terms = Terms {
        source: "second",
        licence: "LICENCE-OF-SECOND (test)".into(),
        attribution: "ATTRIBUTION-OF-SECOND (test)".into(),
    };
    let description = json!({
        "description": "SYNTHETIC: the example's snapshots under another name (test)",
        "border": "UKR",
        "baselines": ["crimea"],
        "licence": terms.licence,
        "attribution": terms.attribution,
        "url": "https://second.example/data"
    });
    std::fs::write(to.join("source.json"), description.to_string()).unwrap();
    terms
}

fn example_terms(root: &Path) -> Terms {
    let d: Value = serde_json::from_slice(&std::fs::read(root.join("sources/example/source.json")).unwrap()).unwrap();
    Terms {
        source: "example",
        licence: d["licence"]
            .as_str()
            .expect("the embedded example states a licence")
            .into(),
        attribution: d["attribution"]
            .as_str()
            .expect("the embedded example states an attribution")
            .into(),
    }
}

#[test]
fn every_answer_that_uses_a_source_carries_its_terms() {
    let tmp = tempfile::tempdir().unwrap();
    let root = common::copy_embedded_geodata(tmp.path(), true);
    let second = add_second_source(&root);
    let example = example_terms(&root);
    let token = tmp.path().join("token");
    std::fs::write(&token, "a-token-of-at-least-16-characters").unwrap();
    let s = Server::with_ingest(&root, &token);
    let auth = "Authorization: Bearer a-token-of-at-least-16-characters\r\n";
    let csv = "Accept: text/csv\r\n";

    // A stored scenario for the scenario routes (the Korean preset's document).
    let presets = get(s.addr, "/v1/scenarios/presets?source=example&date=2024-06-01", "").json();
    let doc = presets["presets"][0]["scenario"].to_string();
    let stored = request(
        s.addr,
        "POST",
        "/v1/scenarios",
        &format!("{auth}Content-Type: application/json\r\n"),
        doc.as_bytes(),
    );
    assert_eq!(stored.status, 201, "{}", stored.text());
    let id = stored.json()["id"].as_str().unwrap().to_string();
    let sc = format!("/v1/scenarios/{id}");

    let points = br#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"id":"a"},"geometry":{"type":"Point","coordinates":[37.5,48.0]}}]}"#;
    let points_csv = b"id,lon,lat\na,37.5,48.0\n";
    let (e, b) = (&example, &second);
    let gj = "application/geo+json";
    // (documented path, method, target, extra headers, body content type, body, sources used)
    type Sample<'a> = (&'a str, &'a str, String, &'a str, &'a str, &'a [u8], Vec<&'a Terms>);
    let samples: Vec<Sample> = vec![
        (
            "/v1/agreement",
            "get",
            "/v1/agreement?date=2024-06-01&sources=example,second".into(),
            "",
            "",
            b"",
            vec![e, b],
        ),
        (
            "/v1/agreement",
            "get",
            "/v1/agreement?date=2024-06-01&summary=true&sources=example,second".into(),
            "",
            "",
            b"",
            vec![e, b],
        ),
        (
            "/v1/agreement/timeline",
            "get",
            "/v1/agreement/timeline?sources=example,second".into(),
            "",
            "",
            b"",
            vec![e, b],
        ),
        (
            "/v1/agreement/timeline",
            "get",
            "/v1/agreement/timeline?sources=example,second".into(),
            csv,
            "",
            b"",
            vec![e, b],
        ),
        (
            "/v1/classify",
            "post",
            "/v1/classify?date=2024-06-01".into(),
            "",
            gj,
            points,
            vec![e],
        ),
        (
            "/v1/classify",
            "post",
            "/v1/classify?date=2024-06-01&source=second".into(),
            "",
            "text/csv",
            points_csv,
            vec![b],
        ),
        (
            "/v1/coverage",
            "get",
            "/v1/coverage?lon=37.5&lat=48&date=2024-06-01".into(),
            "",
            "",
            b"",
            vec![e],
        ),
        (
            "/v1/coverage",
            "get",
            "/v1/coverage?lon=37.5&lat=48&date=2024-06-01&sources=all".into(),
            "",
            "",
            b"",
            vec![e, b],
        ),
        (
            "/v1/diff",
            "get",
            "/v1/diff?from=2024-01-01&to=2024-06-01&to_source=second".into(),
            "",
            "",
            b"",
            vec![e, b],
        ),
        (
            "/v1/history",
            "get",
            "/v1/history?lon=37.5&lat=48&source=second".into(),
            "",
            "",
            b"",
            vec![b],
        ),
        ("/v1/history", "post", "/v1/history".into(), "", gj, points, vec![e]),
        (
            "/v1/history",
            "post",
            "/v1/history".into(),
            "",
            "text/csv",
            points_csv,
            vec![e],
        ),
        (
            "/v1/layers/{layer}",
            "get",
            "/v1/layers/occupied?date=2024-06-01".into(),
            "",
            "",
            b"",
            vec![e],
        ),
        (
            "/v1/layers/{layer}",
            "get",
            "/v1/layers/line?date=2024-06-01&source=second".into(),
            "",
            "",
            b"",
            vec![b],
        ),
        (
            "/v1/scenarios",
            "post",
            "/v1/scenarios".into(),
            auth,
            "application/json",
            doc.as_bytes(),
            vec![e],
        ),
        (
            "/v1/scenarios/presets",
            "get",
            "/v1/scenarios/presets?source=second&date=2024-06-01".into(),
            "",
            "",
            b"",
            vec![b],
        ),
        (
            "/v1/scenarios/preview",
            "post",
            "/v1/scenarios/preview".into(),
            "",
            "application/json",
            doc.as_bytes(),
            vec![e],
        ),
        ("/v1/scenarios/{id}", "get", sc.clone(), "", "", b"", vec![e]),
        (
            "/v1/scenarios/{id}/diff/{other}",
            "get",
            format!("{sc}/diff/{id}"),
            "",
            "",
            b"",
            vec![e],
        ),
        (
            "/v1/scenarios/{id}/layers/{layer}",
            "get",
            format!("{sc}/layers/area"),
            "",
            "",
            b"",
            vec![e],
        ),
        (
            "/v1/scenarios/{id}/point",
            "get",
            format!("{sc}/point?lon=37.5&lat=48"),
            "",
            "",
            b"",
            vec![e],
        ),
        (
            "/v1/scenarios/{id}/tiles.json",
            "get",
            format!("{sc}/tiles.json"),
            "",
            "",
            b"",
            vec![e],
        ),
        ("/v1/snapshots", "get", "/v1/snapshots".into(), "", "", b"", vec![e, b]),
        ("/v1/sources", "get", "/v1/sources".into(), "", "", b"", vec![e, b]),
        (
            "/v1/sources/{name}",
            "get",
            "/v1/sources/example".into(),
            "",
            "",
            b"",
            vec![e],
        ),
        (
            "/v1/snapshots/{id}",
            "get",
            "/v1/snapshots/example:2024-06-01".into(),
            "",
            "",
            b"",
            vec![e],
        ),
        (
            "/v1/tiles/{source}/{date}.json",
            "get",
            "/v1/tiles/second/2024-06-01.json".into(),
            "",
            "",
            b"",
            vec![b],
        ),
        (
            "/v1/tiles/{source}/diff/{from}/{to}.json",
            "get",
            "/v1/tiles/example/diff/2024-01-01/2024-06-01.json".into(),
            "",
            "",
            b"",
            vec![e],
        ),
        ("/v1/timeline", "get", "/v1/timeline".into(), "", "", b"", vec![e]),
        (
            "/v1/timeline",
            "get",
            "/v1/timeline?date=2024-06-01&source=second".into(),
            csv,
            "",
            b"",
            vec![b],
        ),
        (
            "/v1/timeline",
            "get",
            "/v1/timeline?by_region=true".into(),
            "",
            "",
            b"",
            vec![e],
        ),
        (
            "/v1/timeline",
            "get",
            "/v1/timeline?by_region=true".into(),
            csv,
            "",
            b"",
            vec![e],
        ),
    ];

    // Every documented route has a sample or an exemption with its reason.
    let api = get(s.addr, "/openapi.json", "").json();
    let mut documented = BTreeSet::new();
    for (path, item) in api["paths"].as_object().unwrap() {
        for method in ["get", "post", "put", "delete", "patch"] {
            if item.get(method).is_some() {
                documented.insert((method.to_string(), path.clone()));
            }
        }
    }
    let covered: BTreeSet<(String, String)> = samples
        .iter()
        .map(|x| (x.1.to_string(), x.0.to_string()))
        .chain(EXEMPT.iter().map(|(m, p, _)| (m.to_string(), p.to_string())))
        .chain([("get".to_string(), EXEMPT_SCENARIO_TILES.to_string())])
        .collect();
    let missing: Vec<_> = documented.difference(&covered).collect();
    assert!(
        missing.is_empty(),
        "documented routes with no sample or exemption: {missing:?}"
    );
    let stale: Vec<_> = covered.difference(&documented).collect();
    assert!(stale.is_empty(), "samples of routes that are not documented: {stale:?}");

    for (_, method, target, extra, content_type, body, used) in &samples {
        let r = if content_type.is_empty() {
            request(s.addr, &method.to_ascii_uppercase(), target, extra, b"")
        } else if extra.is_empty() {
            post(s.addr, target, content_type, body)
        } else {
            request(
                s.addr,
                &method.to_ascii_uppercase(),
                target,
                &format!("{extra}Content-Type: {content_type}\r\n"),
                body,
            )
        };
        check(&format!("{} {target} {extra}", method.to_uppercase()), &r, used);
    }
}

/// `revised` in every row of a timeline and a history (JSON and CSV) and in the history's
/// snapshots: false before a snapshot is replaced, true for its date after.
#[test]
fn revised_is_said_in_every_row_of_timelines_and_histories() {
    let tmp = tempfile::tempdir().unwrap();
    let root = common::copy_embedded_geodata(tmp.path(), false);
    let token = tmp.path().join("token");
    std::fs::write(&token, "a-token-of-at-least-16-characters").unwrap();
    let s = Server::with_ingest(&root, &token);
    let rows = |s: &Server| {
        get(s.addr, "/v1/timeline", "").json()["rows"]
            .as_array()
            .unwrap()
            .clone()
    };
    for r in rows(&s) {
        assert_eq!(r["revised"], json!(false), "{r}");
    }
    // Replace 2024-06-01 with the content of 2024-09-01, dated 2024-06-01.
    let mut doc: Value =
        serde_json::from_slice(&std::fs::read(root.join("sources/example/2024-09-01.geojson")).unwrap()).unwrap();
    doc.as_object_mut().unwrap().remove("frontline");
    for f in doc["features"].as_array_mut().unwrap() {
        f["properties"]["date"] = json!("2024-06-01");
    }
    let r = request(
        s.addr,
        "POST",
        "/v1/snapshots?source=example&date=2024-06-01&replace=true",
        "Authorization: Bearer a-token-of-at-least-16-characters\r\nContent-Type: application/geo+json\r\n",
        doc.to_string().as_bytes(),
    );
    assert!(r.status == 200 || r.status == 201, "{} {}", r.status, r.text());
    for r in rows(&s) {
        let want = r["date"] == json!("2024-06-01");
        assert_eq!(r["revised"], json!(want), "{r}");
    }
    let t = get(s.addr, "/v1/timeline", "Accept: text/csv\r\n").text();
    let mut lines = t.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = header.iter().position(|h| *h == "revised").expect("a revised column");
    for l in lines {
        let f: Vec<&str> = l.split(',').collect();
        assert_eq!(f[col], if f[0] == "2024-06-01" { "true" } else { "false" }, "{l}");
    }
    // A point whose history runs through the replaced date: the interval holding 2024-06-01
    // says revised, the others do not; the snapshot named says so too.
    let h = get(s.addr, "/v1/history?lon=37.5&lat=48", "").json();
    let mut seen = 0;
    for iv in h["intervals"].as_array().unwrap() {
        let from = iv["from"].as_str().unwrap();
        let to = iv["to"].as_str().unwrap_or("9999-12-31");
        let holds = from <= "2024-06-01" && "2024-06-01" <= to;
        assert_eq!(iv["revised"], json!(holds), "{iv}");
        seen += usize::from(holds);
    }
    assert_eq!(seen, 1, "{h}");
    assert_eq!(h["snapshots"]["example:2024-06-01"]["revised"], json!(true), "{h}");
    assert_eq!(h["snapshots"]["example:2024-01-01"]["revised"], json!(false), "{h}");
    let c = post(s.addr, "/v1/history", "text/csv", b"id,lon,lat\np,37.5,48\n").text();
    let mut lines = c.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let (col, from_col) = (
        header.iter().position(|h| *h == "revised").expect("a revised column"),
        header.iter().position(|h| *h == "from").unwrap(),
    );
    let flagged: Vec<&str> = lines
        .map(|l| l.split(',').collect::<Vec<_>>())
        .filter(|f| f[col] == "true")
        .map(|f| if f[from_col] <= "2024-06-01" { "ok" } else { "late" })
        .collect();
    assert_eq!(flagged, ["ok"], "{c}");
}

/// The CLI prints the terms of the source of a CSV it writes on standard error.
#[test]
fn the_cli_names_the_terms_of_a_csvs_source_on_standard_error() {
    let tmp = tempfile::tempdir().unwrap();
    let root = common::copy_embedded_geodata(tmp.path(), false);
    let second = add_second_source(&root);
    let points = tmp.path().join("p.csv");
    std::fs::write(&points, "id,lon,lat\na,37.5,48\n").unwrap();
    let run = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_frontline"))
            .args(args)
            .arg("--data")
            .arg(&root)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stderr).to_string()
    };
    let p = points.to_str().unwrap();
    for (args, used) in [
        (vec!["timeline", "--source", "second"], vec!["second"]),
        (
            vec!["classify", p, "--date", "2024-06-01", "--source", "second"],
            vec!["second"],
        ),
        (vec!["history", "--points", p, "--source", "second"], vec!["second"]),
        (
            vec!["agreement", "--timeline", "--sources", "example,second"],
            vec!["example", "second"],
        ),
    ] {
        let err = run(&args);
        for name in used {
            let line = err
                .lines()
                .find(|l| l.starts_with(&format!("note: source '{name}'")))
                .unwrap_or_else(|| panic!("{args:?}: no terms of {name}: {err}"));
            assert!(line.contains("Europe/Kyiv"), "{line}");
            if name == "second" {
                assert!(
                    line.contains(&second.licence) && line.contains(&second.attribution),
                    "{line}"
                );
            }
        }
    }
}

/// Issue 9 fault 8: terms beyond ASCII (a Cyrillic licence, `©` in the attribution) in the
/// headers of a CSV answer: every header is ASCII; the plain header holds an ASCII stand-in and
/// the exact text as an RFC 8187 `name*=UTF-8''...` value; `x-frontline-source-terms` is JSON
/// with the non-ASCII characters escaped, which reads back as the exact terms.
#[test]
fn terms_beyond_ascii_are_sent_as_ascii_headers_with_rfc_8187_values() {
    let dir = tempfile::tempdir().unwrap();
    let root = common::copy_embedded_geodata(dir.path(), false);
    let file = root.join("sources/example/source.json");
    let mut d: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    let (licence, attribution) = ("Ліцензія відкрита 4.0", "© Приклад «Моніторинг»");
    d["licence"] = json!(licence);
    d["attribution"] = json!(attribution);
    std::fs::write(&file, d.to_string()).unwrap();
    let s = Server::spawn(&["--watch-s", "0", "--data", root.to_str().unwrap()], &[]);
    let decode = |pct: &str| -> String {
        let mut bytes = Vec::new();
        let mut it = pct.bytes();
        while let Some(b) = it.next() {
            if b == b'%' {
                let h: String = [it.next().unwrap(), it.next().unwrap()]
                    .iter()
                    .map(|&c| char::from(c))
                    .collect();
                bytes.push(u8::from_str_radix(&h, 16).unwrap());
            } else {
                bytes.push(b);
            }
        }
        String::from_utf8(bytes).unwrap()
    };
    let csv_answers = [
        get(s.addr, "/v1/timeline?source=example", "Accept: text/csv\r\n"),
        post(
            s.addr,
            "/v1/classify?date=2024-05-01",
            "text/csv",
            b"id,lon,lat\nk,30.5,50.4\n",
        ),
    ];
    for r in csv_answers {
        assert_eq!(r.status, 200, "{}", r.text());
        assert!(r.header("content-type").unwrap().starts_with("text/csv"));
        for (name, value) in &r.headers {
            assert!(value.is_ascii(), "{name}: {value:?} is not ASCII");
        }
        for (name, param, want) in [
            ("x-frontline-licence", "licence", licence),
            ("x-frontline-attribution", "attribution", attribution),
        ] {
            let v = r.header(name).unwrap_or_else(|| panic!("no {name}"));
            let (stand_in, ext) = v
                .rsplit_once(&format!("; {param}*=UTF-8''"))
                .unwrap_or_else(|| panic!("{name}: no RFC 8187 value: {v}"));
            assert!(!stand_in.is_empty() && stand_in.is_ascii(), "{name}: {stand_in}");
            assert_eq!(decode(ext), want, "{name}");
        }
        assert!(r.header("x-frontline-attribution").unwrap().starts_with("(c) "));
        let terms: Value = serde_json::from_str(r.header("x-frontline-source-terms").unwrap()).unwrap();
        assert_eq!(terms[0]["licence"], licence);
        assert_eq!(terms[0]["attribution"], attribution);
        assert_eq!(r.header("x-frontline-source"), Some("example"));
    }
}
