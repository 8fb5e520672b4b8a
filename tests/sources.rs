//! Sources described over HTTP (`PUT /v1/sources/{name}`) and revisions kept visible
//! (`revised`, `known_at=`), on a real server on an ephemeral port, restarts included.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod common;

use common::{Reply, Server, get, post, request};
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

const TOKEN: &str = "sources-token-0123456789abcdef";

/// A writable copy of the embedded geodata and a token file.
fn geodata() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = common::copy_embedded_geodata(dir.path(), false);
    let token = dir.path().join("token");
    std::fs::write(&token, format!("{TOKEN}\n")).unwrap();
    (dir, root, token)
}

fn put(addr: SocketAddr, name: &str, auth: Option<&str>, body: &Value) -> Reply {
    let auth = auth
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    request(
        addr,
        "PUT",
        &format!("/v1/sources/{name}"),
        &format!("{auth}Content-Type: application/json\r\n"),
        body.to_string().as_bytes(),
    )
}

fn ingest(addr: SocketAddr, query: &str, body: &[u8]) -> Reply {
    request(
        addr,
        "POST",
        &format!("/v1/snapshots?{query}"),
        &format!("Authorization: Bearer {TOKEN}\r\nContent-Type: application/geo+json\r\n"),
        body,
    )
}

/// One occupied square of `size` degrees at (35, 48).
fn square(size: f64) -> Vec<u8> {
    let (x0, y0, x1, y1) = (35.0, 48.0, 35.0 + size, 48.0 + size);
    json!({"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"status": "occupied"},
        "geometry": {"type": "Polygon", "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]}}]})
    .to_string()
    .into_bytes()
}

fn terms() -> Value {
    json!({
        "licence": "CC BY 4.0",
        "attribution": "© Example Monitor",
        "url": "https://example.org/monitor",
        "time_zone": "Europe/Kyiv",
        "baselines": ["crimea"],
        "description": "a described source"
    })
}

fn files(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

fn source_listed(addr: SocketAddr, name: &str) -> Value {
    let v = get(addr, "/v1/sources", "").json();
    v["sources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == name)
        .cloned()
        .unwrap_or_else(|| panic!("{name} not listed: {v}"))
}

/// Licence and attribution in a JSON answer, a GeoJSON answer's `frontline` member, and the
/// headers of a CSV answer.
fn assert_terms_everywhere(addr: SocketAddr, source: &str, date: &str) {
    let q = format!("source={source}&date={date}");
    let point = get(addr, &format!("/v1/coverage?lon=35.2&lat=48.2&{q}"), "").json();
    assert_eq!(point["licence"], "CC BY 4.0", "{point}");
    assert_eq!(point["attribution"], "© Example Monitor", "{point}");
    assert_eq!(point["source_url"], "https://example.org/monitor", "{point}");
    let layer = get(addr, &format!("/v1/layers/occupied?{q}"), "").json();
    assert_eq!(layer["frontline"]["licence"], "CC BY 4.0", "{}", layer["frontline"]);
    assert_eq!(layer["frontline"]["attribution"], "© Example Monitor");
    let csv = post(
        addr,
        &format!("/v1/classify?{q}"),
        "text/csv",
        b"id,lon,lat\n1,35.2,48.2\n",
    );
    assert_eq!(csv.status, 200, "{}", csv.text());
    assert_eq!(csv.header("x-frontline-licence"), Some("CC BY 4.0"));
    let attribution = csv
        .headers
        .iter()
        .find(|(k, _)| k == "x-frontline-attribution")
        .map(|(_, v)| v.clone());
    assert!(attribution.is_some(), "{:?}", csv.headers);
    // Map clients show a TileJSON's attribution (MapLibre as HTML): the source's credit first,
    // linked to its URL, with its licence.
    let tilejson = get(addr, &format!("/v1/tiles/{source}/{date}.json"), "").json();
    let shown = tilejson["attribution"].as_str().unwrap_or_default();
    assert!(
        shown.starts_with("<a href=\"https://example.org/monitor\">© Example Monitor</a> (CC BY 4.0); "),
        "{shown}"
    );
    let listed = source_listed(addr, source);
    assert_eq!(listed["licence"], "CC BY 4.0");
    assert_eq!(listed["attribution"], "© Example Monitor");
    assert_eq!(listed["url"], "https://example.org/monitor");
    assert_eq!(listed["time_zone"], "Europe/Kyiv");
}

/// A source's attribution is text: in a TileJSON (HTML to map clients) it is escaped, never markup.
#[test]
fn a_tilejson_shows_the_source_attribution_as_escaped_text() {
    let (_d, root, token) = geodata();
    let s = Server::with_ingest(&root, &token);
    let mut t = terms();
    t["attribution"] = json!("<img src=x onerror=alert(1)> & \"Monitor\"");
    t["url"] = json!("https://example.org/a?b=1&c=\"2\"");
    let r = put(s.addr, "example", Some(TOKEN), &t);
    assert_eq!(r.status, 200, "{}", r.text());
    let tilejson = get(s.addr, "/v1/tiles/example/2024-06-01.json", "").json();
    let shown = tilejson["attribution"].as_str().unwrap_or_default();
    assert!(
        shown.starts_with(
            "<a href=\"https://example.org/a?b=1&amp;c=&quot;2&quot;\">&lt;img src=x onerror=alert(1)&gt; &amp; \"Monitor\"</a> (CC BY 4.0); source example"
        ),
        "{shown}"
    );
    assert!(!shown.contains("<img"), "{shown}");
}

#[test]
fn a_description_replaced_is_kept_and_its_terms_are_in_every_answer_after_a_restart() {
    let (_d, root, token) = geodata();
    let s = Server::with_ingest(&root, &token);
    // Before: the example source says the licence of its embedded description.
    let before = get(s.addr, "/v1/coverage?lon=35.2&lat=48.2&date=2024-06-01", "").json();
    assert!(
        before["licence"].as_str().is_some_and(|l| l.starts_with("CC0-1.0")),
        "{before}"
    );
    let r = put(s.addr, "example", Some(TOKEN), &terms());
    assert_eq!(r.status, 200, "{}", r.text());
    let v = r.json();
    assert_eq!(v["live"], true);
    let kept = v["replaced"].as_str().unwrap().to_string();
    assert!(kept.starts_with("sources/example/.history/source."), "{kept}");
    // The old description is kept byte for byte.
    assert_eq!(
        std::fs::read(root.join(&kept)).unwrap(),
        std::fs::read(common::repo().join("geodata/sources/example/source.json")).unwrap()
    );
    assert_terms_everywhere(s.addr, "example", "2024-06-01");
    // The same description again writes nothing.
    let again = put(s.addr, "example", Some(TOKEN), &terms());
    assert_eq!(again.status, 200, "{}", again.text());
    assert_eq!(again.json()["replaced"], Value::Null);
    assert_eq!(
        files(&root.join("sources/example/.history"))
            .iter()
            .filter(|f| f.starts_with("source."))
            .count(),
        1
    );
    drop(s);
    // Durable: a new server reads it from the store.
    let s = Server::with_ingest(&root, &token);
    assert_terms_everywhere(s.addr, "example", "2024-06-01");
}

#[test]
fn a_new_source_is_declared_then_live_with_its_first_snapshot() {
    let (_d, root, token) = geodata();
    let s = Server::with_ingest(&root, &token);
    let r = put(s.addr, "monitor", Some(TOKEN), &terms());
    assert_eq!(r.status, 201, "{}", r.text());
    assert_eq!(r.json()["live"], false);
    let listed = source_listed(s.addr, "monitor");
    assert_eq!(listed["declared"], true);
    // The 201 names what it created (RFC 9110 15.3.2), and it answers as the list has it (issue
    // 9 F5); another name is a 404.
    assert_eq!(r.header("location"), Some("/v1/sources/monitor"));
    let one = common::get(s.addr, "/v1/sources/monitor", "");
    assert_eq!(one.status, 200, "{}", one.text());
    assert_eq!(one.json(), listed);
    common::get(s.addr, "/v1/sources/nobody", "").assert_problem(404, "no source 'nobody'");
    assert_eq!(listed["snapshots"], 0);
    // A restart with the source declared but empty loads (it is not a broken source).
    drop(s);
    let s = Server::with_ingest(&root, &token);
    assert_eq!(source_listed(s.addr, "monitor")["declared"], true);
    let r = ingest(s.addr, "source=monitor&date=2024-06-01", &square(0.5));
    assert_eq!(r.status, 201, "{}", r.text());
    assert_eq!(source_listed(s.addr, "monitor")["declared"], false);
    assert_terms_everywhere(s.addr, "monitor", "2024-06-01");
    drop(s);
    let s = Server::with_ingest(&root, &token);
    assert_terms_everywhere(s.addr, "monitor", "2024-06-01");
}

/// Sources described one after another in a directory that has none: the first is the default
/// by being alone, and the second's write names it so (a load refuses several sources without a
/// default), a restart included. A description with which the directory would not load is
/// undone: 409, nothing kept, the previous state serving.
#[test]
fn sources_described_one_after_another_keep_the_directory_loading() {
    let dir = tempfile::tempdir().unwrap();
    let root = empty_geodata(dir.path());
    let token = dir.path().join("token");
    std::fs::write(&token, format!("{TOKEN}\n")).unwrap();
    let s = Server::with_ingest(&root, &token);
    for name in ["first", "second", "third"] {
        let r = put(s.addr, name, Some(TOKEN), &terms());
        assert_eq!(r.status, 201, "{name}: {}", r.text());
    }
    let settings: Value = serde_json::from_slice(&std::fs::read(root.join("frontline.json")).unwrap()).unwrap();
    assert_eq!(settings["default_source"], "first", "{settings}");
    drop(s);
    let s = Server::with_ingest(&root, &token);
    for name in ["first", "second", "third"] {
        assert_eq!(source_listed(s.addr, name)["declared"], true);
    }

    // A file the running server has not read makes the directory unloadable: a description
    // written now could not be served, so it is undone.
    let broken = root.join("sources/first/2024-06-01.geojson");
    std::fs::write(&broken, "{ not geojson").unwrap();
    let r = put(s.addr, "fourth", Some(TOKEN), &terms());
    r.assert_problem(409, "does not load");
    r.assert_problem(409, "nothing was kept");
    assert!(!root.join("sources/fourth/.history").exists());
    assert!(
        !root.join("sources/fourth").exists(),
        "the new description is removed with its folder"
    );
    let mut replaced = terms();
    replaced["licence"] = json!("CC0");
    let history = |source: &str| files(&root.join("sources").join(source).join(".history"));
    let kept_before = history("second");
    let r = put(s.addr, "second", Some(TOKEN), &replaced);
    // The answer says what the failed write left: the copy of the previous description it kept
    // in .history/ (append-only) before writing, and nothing else.
    r.assert_problem(409, "the previous description is back in place");
    let kept_now = history("second");
    assert_eq!(kept_now.len(), kept_before.len() + 1, "{kept_now:?}");
    let copy = kept_now.iter().find(|f| !kept_before.contains(f)).unwrap();
    assert!(
        r.text().contains(copy.as_str()),
        "the answer names {copy}: {}",
        r.text()
    );
    let kept: Value = serde_json::from_slice(&std::fs::read(root.join("sources/second/source.json")).unwrap()).unwrap();
    assert_eq!(kept["licence"], "CC BY 4.0", "the previous description is put back");
    assert_eq!(
        source_listed(s.addr, "second")["licence"],
        "CC BY 4.0",
        "the previous state serves"
    );
    std::fs::remove_file(&broken).unwrap();
    drop(s);
    let s = Server::with_ingest(&root, &token);
    assert_eq!(source_listed(s.addr, "second")["licence"], "CC BY 4.0");
}

#[test]
fn bad_descriptions_are_problems_naming_the_field_and_write_nothing() {
    let (_d, root, token) = geodata();
    let s = Server::with_ingest(&root, &token);
    let before = files(&root.join("sources"));
    let with = |k: &str, v: Value| {
        let mut t = terms();
        t[k] = v;
        t
    };
    let without = |k: &str| {
        let mut t = terms();
        t.as_object_mut().unwrap().remove(k);
        t
    };
    let cases: Vec<(&str, Value, &str, &str)> = vec![
        (
            "monitor",
            with("time_zone", json!("Europe/Kiyv")),
            "time_zone",
            "not an IANA time zone",
        ),
        ("monitor", with("time_zone", json!(3)), "time_zone", "must be a string"),
        ("monitor", with("url", json!("not a url")), "url", "is not a URL"),
        (
            "monitor",
            with("url", json!("ftp://example.org/x")),
            "url",
            "http or https",
        ),
        ("monitor", with("licence", json!("")), "licence", "licence is empty"),
        ("monitor", with("licence", json!("   ")), "licence", "licence is empty"),
        ("monitor", without("licence"), "licence", "licence is required"),
        (
            "monitor",
            without("attribution"),
            "attribution",
            "attribution is required",
        ),
        (
            "monitor",
            with("attribution", json!("a\r\nX-Injected: 1")),
            "attribution",
            "control character",
        ),
        (
            "monitor",
            with("baselines", json!(["atlantis"])),
            "baselines",
            "baseline 'atlantis' is not loaded",
        ),
        (
            "monitor",
            with("baselines", json!(["crimea", "crimea"])),
            "baselines",
            "baseline 'crimea' is named twice",
        ),
        (
            "monitor",
            with("classes", json!(["occupied", "contested", "occupied"])),
            "classes",
            "class 'occupied' is named twice",
        ),
        (
            "monitor",
            with("border", json!("FRA")),
            "border",
            "border 'FRA' is not loaded",
        ),
        (
            "monitor",
            with("colour", json!("red")),
            "colour",
            "not a member of a source's description",
        ),
        (
            "monitor",
            with("archive", json!({"format": "nzz", "dir": "/"})),
            "archive",
            "by hand",
        ),
        ("Monitor", terms(), "name", "must be 1 to 64 characters"),
        ("a%2Fb", terms(), "name", "must be 1 to 64 characters"),
        ("a.b", terms(), "name", "must be 1 to 64 characters"),
    ];
    for (name, body, field, want) in cases {
        let r = put(s.addr, name, Some(TOKEN), &body);
        r.assert_problem(422, want);
        assert_eq!(r.json()["parameter"], field, "{name} {body}: {}", r.text());
    }
    put(s.addr, "monitor", None, &terms()).assert_problem(401, "Bearer");
    put(s.addr, "monitor", Some("wrong-token-0123456789"), &terms()).assert_problem(403, "not valid");
    let r = request(
        s.addr,
        "PUT",
        "/v1/sources/monitor",
        &format!("Authorization: Bearer {TOKEN}\r\nContent-Type: text/plain\r\n"),
        b"{}",
    );
    assert_eq!(r.status, 415, "{}", r.text());
    let r = request(
        s.addr,
        "PUT",
        "/v1/sources/monitor",
        &format!("Authorization: Bearer {TOKEN}\r\nContent-Type: application/json\r\n"),
        b"[1,",
    );
    assert_eq!(r.status, 400, "{}", r.text());
    assert_eq!(files(&root.join("sources")), before);
    // Nothing was created: GET answers 404; the route answers GET and PUT only.
    get(s.addr, "/v1/sources/monitor", "").assert_problem(404, "no source 'monitor'");
    let r = request(s.addr, "DELETE", "/v1/sources/monitor", "", b"");
    assert_eq!(r.status, 405, "{}", r.text());
    assert_eq!(r.header("allow"), Some("GET, HEAD, PUT, OPTIONS"));
}

/// Now as RFC 3339 with nanoseconds, `Z` (safe in a query string).
fn now_rfc3339() -> String {
    chrono::DateTime::<chrono::Utc>::from(std::time::SystemTime::now())
        .to_rfc3339_opts(chrono::SecondsFormat::Nanos, true)
}

#[test]
fn a_replaced_snapshot_stays_visible_and_known_at_answers_as_before_and_after_the_replacement() {
    let (_d, root, token) = geodata();
    let s = Server::with_ingest(&root, &token);
    assert_eq!(put(s.addr, "monitor", Some(TOKEN), &terms()).status, 201);
    let before_any = now_rfc3339();
    std::thread::sleep(std::time::Duration::from_millis(30));
    let first = ingest(s.addr, "source=monitor&date=2024-06-01", &square(0.5));
    assert_eq!(first.status, 201, "{}", first.text());
    let first_sha = first.json()["content_sha256"].as_str().unwrap().to_string();
    std::thread::sleep(std::time::Duration::from_millis(30));
    let between = now_rfc3339();
    std::thread::sleep(std::time::Duration::from_millis(30));
    // Without replace=true other content of the date is refused; with it, it replaces.
    assert_eq!(
        ingest(s.addr, "source=monitor&date=2024-06-01", &square(1.0)).status,
        409
    );
    let second = ingest(s.addr, "source=monitor&date=2024-06-01&replace=true", &square(1.0));
    assert!(second.status == 200 || second.status == 201, "{}", second.text());
    let second_sha = second.json()["content_sha256"].as_str().unwrap().to_string();
    assert_ne!(first_sha, second_sha);
    std::thread::sleep(std::time::Duration::from_millis(30));
    let after = now_rfc3339();
    // A point inside the larger square only: covered (not occupied) before the replacement, occupied after.
    let point = |known_at: Option<&str>| {
        let k = known_at.map(|t| format!("&known_at={t}")).unwrap_or_default();
        get(
            s.addr,
            &format!("/v1/coverage?lon=35.7&lat=48.7&source=monitor&date=2024-06-02{k}"),
            "",
        )
    };
    for (known_at, status, sha, revised, kept) in [
        (None, "occupied", &second_sha, true, false),
        (Some(after.as_str()), "occupied", &second_sha, true, false),
        (Some(between.as_str()), "covered", &first_sha, false, true),
    ] {
        let r = point(known_at);
        assert_eq!(r.status, 200, "{known_at:?}: {}", r.text());
        let v = r.json();
        assert_eq!(v["status"], status, "{known_at:?}: {v}");
        assert_eq!(v["snapshot"]["content_sha256"], sha.as_str(), "{known_at:?}: {v}");
        assert_eq!(v["snapshot"]["revised"], revised, "{known_at:?}: {v}");
        // The content used is named as it was named then (its file then, so that the answer
        // is the one given then, byte for byte); the earlier bytes are kept in `.history/`.
        let file = v["snapshot"]["provenance"]["file"].as_str().unwrap();
        assert_eq!(file, "sources/monitor/2024-06-01.geojson", "{known_at:?}");
        let named = v["snapshot"]["provenance"]["sha256"].as_str().unwrap().to_string();
        let kept_copy = std::fs::read_dir(root.join("sources/monitor/.history"))
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.file_name().unwrap().to_str().unwrap().starts_with("2024-06-01."))
            .any(|p| hex_sha256(&std::fs::read(&p).unwrap()) == named);
        assert_eq!(
            kept_copy, kept,
            "{known_at:?}: the bytes named are in .history/: {kept_copy}"
        );
    }
    // Every route that takes a date answers from the same content at that instant.
    let q = |k: &str| format!("source=monitor&date=2024-06-01&known_at={k}");
    let area = |k: &str| {
        let v = get(s.addr, &format!("/v1/layers/occupied?{}", q(k)), "").json();
        assert_eq!(
            v["frontline"]["snapshot"]["content_sha256"].as_str(),
            Some(if k == between {
                first_sha.as_str()
            } else {
                second_sha.as_str()
            }),
            "{}",
            v["frontline"]
        );
        v["frontline"]["area_km2"].as_f64().unwrap()
    };
    let (a_between, a_after) = (area(&between), area(&after));
    // The Crimea baseline is in both; the larger square adds 0.75 square degrees (about 6,150 km2).
    let added = a_after - a_between;
    assert!((5_500.0..7_000.0).contains(&added), "{a_between} {a_after}");
    let timeline = get(s.addr, &format!("/v1/timeline?{}", q(&between)), "").json();
    let t_area = timeline["rows"][0]["occupied_km2"].as_f64().unwrap();
    assert!((t_area - a_between).abs() < 1e-6 * a_between, "{timeline}");
    let snaps = get(s.addr, &format!("/v1/snapshots?source=monitor&known_at={between}"), "").json();
    assert_eq!(snaps["snapshots"][0]["content_sha256"], first_sha.as_str(), "{snaps}");
    // The agreement timeline's rows name each source's snapshot, its content and whether it was
    // revised (JSON), and the snapshot ids and revised (CSV), now and as known before.
    for (known_at, sha, revised) in [("", &second_sha, true), (between.as_str(), &first_sha, false)] {
        let k = if known_at.is_empty() {
            String::new()
        } else {
            format!("&known_at={known_at}")
        };
        let path = format!("/v1/agreement/timeline?sources=monitor,example&from=2024-06-01&to=2024-06-01{k}");
        let t = get(s.addr, &path, "").json();
        let used = &t["rows"][0]["snapshots"][0];
        assert_eq!(used["id"], "monitor:2024-06-01", "{t}");
        assert_eq!(used["content_sha256"], sha.as_str(), "{t}");
        assert_eq!(used["revised"], revised, "{t}");
        let csv = get(s.addr, &path, "Accept: text/csv\r\n").text();
        let mut lines = csv.lines();
        let header: Vec<&str> = lines.next().unwrap().split(',').collect();
        let row: Vec<&str> = lines.next().unwrap().split(',').collect();
        let at = |name: &str| row[header.iter().position(|h| *h == name).unwrap()];
        assert_eq!(at("snapshot_monitor"), "monitor:2024-06-01", "{csv}");
        assert_eq!(at("revised_monitor"), revised.to_string(), "{csv}");
    }
    let csv = post(
        s.addr,
        &format!("/v1/classify?{}", q(&between)),
        "text/csv",
        b"id,lon,lat\n1,35.7,48.7\n2,35.2,48.2\n",
    );
    assert_eq!(csv.status, 200, "{}", csv.text());
    let text = csv.text();
    assert!(text.contains("1,35.7,48.7,covered"), "{text}");
    assert!(text.contains("2,35.2,48.2,occupied"), "{text}");
    // Issue 13 (fresh tester): a CSV classification says whether the snapshot in force was
    // revised, as the JSON answers do: its `revised` column, false as known before the
    // replacement, true after it.
    for (known_at, revised) in [(between.as_str(), "false"), (after.as_str(), "true")] {
        let csv = post(
            s.addr,
            &format!("/v1/classify?{}", q(known_at)),
            "text/csv",
            b"id,lon,lat\n2,35.2,48.2\n",
        );
        assert_eq!(csv.status, 200, "{}", csv.text());
        assert_eq!(
            csv.text(),
            format!("id,lon,lat,status,snapshot,revised\n2,35.2,48.2,occupied,monitor:2024-06-01,{revised}\n"),
            "known at {known_at}"
        );
    }
    let history = get(
        s.addr,
        &format!("/v1/history?lon=35.7&lat=48.7&source=monitor&known_at={between}"),
        "",
    )
    .json();
    assert_eq!(history["intervals"][0]["status"], "covered", "{history}");
    // Before anything of the source was loaded there is nothing to answer from.
    let r = point(Some(&before_any));
    assert_eq!(r.status, 404, "{}", r.text());
    // A future instant or a malformed one is a 400 naming the parameter.
    for bad in ["2999-01-01T00:00:00Z", "yesterday", "2024-06-01"] {
        let r = point(Some(bad));
        assert_eq!(r.status, 400, "{bad}: {}", r.text());
        assert_eq!(r.json()["parameter"], "known_at", "{bad}");
    }
    // After a restart the same instants give the same answers (the store keeps the history).
    drop(s);
    let s = Server::with_ingest(&root, &token);
    let v = get(
        s.addr,
        &format!("/v1/coverage?lon=35.7&lat=48.7&source=monitor&date=2024-06-02&known_at={between}"),
        "",
    )
    .json();
    assert_eq!(v["status"], "covered", "{v}");
    assert_eq!(v["snapshot"]["content_sha256"], first_sha.as_str());
}

fn hex_sha256(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

/// `known_at` answers with the source's description in force then: its licence, attribution
/// and time zone (the days its publications counted for then), read back from the copy of the
/// replaced `source.json` kept in `.history/`.
#[test]
fn known_at_answers_with_the_source_description_in_force_then() {
    let (_d, root, token) = geodata();
    let s = Server::with_ingest(&root, &token);
    let mut then = terms();
    then["licence"] = json!("licence of then");
    then["attribution"] = json!("© then");
    assert_eq!(put(s.addr, "monitor", Some(TOKEN), &then).status, 201);
    // Published at 21:30 UTC on 1 May: 2 May in Kyiv, 1 May in UTC.
    let body = json!({"type": "FeatureCollection", "frontline": {"published_at": "2024-05-01T21:30:00Z"},
        "features": [{"type": "Feature", "properties": {"status": "occupied"},
        "geometry": {"type": "Polygon", "coordinates": [[[35.0, 48.0], [35.5, 48.0], [35.5, 48.5], [35.0, 48.5], [35.0, 48.0]]]}}]});
    let r = ingest(s.addr, "source=monitor&date=2024-05-02", body.to_string().as_bytes());
    assert_eq!(r.status, 201, "{}", r.text());
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let t1 = now_rfc3339();
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let mut now = terms();
    now["licence"] = json!("licence of now");
    now["attribution"] = json!("© now");
    now["time_zone"] = json!("UTC");
    assert_eq!(put(s.addr, "monitor", Some(TOKEN), &now).status, 200);
    let ask = |q: &str| {
        get(
            s.addr,
            &format!("/v1/coverage?lon=35.2&lat=48.2&source=monitor&{q}"),
            "",
        )
    };
    let a = ask(&format!("date=2024-05-02&known_at={t1}")).json();
    assert_eq!(a["licence"], "licence of then", "{a}");
    assert_eq!(a["attribution"], "© then");
    assert_eq!(a["time_zone"], "Europe/Kyiv");
    assert_eq!(a["snapshot"]["id"], "monitor:2024-05-02");
    // In Kyiv time the publication (21:30 UTC on 1 May) was of 2 May: 1 May was before the first
    // snapshot then, and the 404 names the first publication's instant (issue 13, F6).
    ask(&format!("date=2024-05-01&known_at={t1}"))
        .assert_problem(404, "its first publication is of 2024-05-01T21:30:00Z");
    let a = ask("date=2024-05-01").json();
    assert_eq!(a["licence"], "licence of now", "{a}");
    assert_eq!(a["time_zone"], "UTC");
    assert_eq!(a["snapshot"]["id"], "monitor:2024-05-01");
    // Layers likewise.
    let l = get(
        s.addr,
        &format!("/v1/layers/occupied?source=monitor&date=2024-05-02&known_at={t1}"),
        "",
    )
    .json();
    assert_eq!(l["frontline"]["licence"], "licence of then", "{}", l["frontline"]);
}

/// A directory with a border and no source (`init --no-example`): a question that needs a
/// source says that none is loaded and how to add one (not an empty list of loaded sources);
/// the border needs no source and is drawn.
#[test]
fn with_no_source_loaded_questions_say_so_and_the_border_is_drawn() {
    let dir = tempfile::tempdir().unwrap();
    let root = empty_geodata(dir.path());
    let s = Server::spawn(&["--data", root.to_str().unwrap(), "--watch-s", "0"], &[]);
    let r = get(s.addr, "/v1/coverage?lon=35&lat=48&date=2024-01-01", "");
    r.assert_problem(400, "no source is loaded");
    let detail = r.json()["detail"].as_str().unwrap().to_string();
    assert!(!detail.contains("loaded sources:"), "{detail}");
    assert!(
        detail.contains("frontline import") && detail.contains("POST /v1/snapshots"),
        "{detail}"
    );
    get(s.addr, "/v1/coverage?lon=35&lat=48&date=2024-01-01&source=x", "")
        .assert_problem(404, "unknown source 'x'; no source is loaded");
    let border = get(s.addr, "/v1/border", "");
    assert_eq!(border.status, 200, "{}", border.text());
    let doc = border.json();
    assert_eq!(doc["frontline"]["iso3"], "UKR", "{doc}");
    assert_eq!(doc["frontline"]["source"], Value::Null);
    assert!(!doc["features"].as_array().unwrap().is_empty());
    get(s.addr, "/v1/border?source=x", "").assert_problem(404, "unknown source 'x'");
}

/// `frontline init DIR/geodata --no-example`: a border and no source.
fn empty_geodata(dir: &std::path::Path) -> std::path::PathBuf {
    let root = dir.join("geodata");
    let init = std::process::Command::new(env!("CARGO_BIN_EXE_frontline"))
        .args(["init", root.to_str().unwrap(), "--no-example"])
        .output()
        .unwrap();
    assert!(init.status.success(), "{}", String::from_utf8_lossy(&init.stderr));
    root
}

/// Issue 13 (fresh tester, F4): a description whose text holds an invisible format character
/// (a bidirectional control, a zero-width space) or whose URL carries credentials was accepted
/// and shown with every answer. Refused over HTTP with a 422 naming the field and the
/// character (U+XXXX), the password never echoed; and the loader refuses the same
/// `source.json` by the same rule (`frontline check`).
#[test]
fn format_characters_and_credentials_in_a_description_are_refused_naming_the_field() {
    let (_d, root, token) = geodata();
    let s = Server::with_ingest(&root, &token);
    let before = files(&root.join("sources"));
    let with = |k: &str, v: Value| {
        let mut t = terms();
        t[k] = v;
        t
    };
    let cases = [
        (with("licence", json!("CC BY\u{202e}4.0")), "licence", "U+202E"),
        (with("attribution", json!("© Ex\u{200b}ample")), "attribution", "U+200B"),
        (
            with("description", json!("\u{2066}a source\u{2069}")),
            "description",
            "U+2066",
        ),
        (with("baselines", json!(["crimea\u{200d}"])), "baselines", "U+200D"),
        (
            with("url", json!("https://user:s3cret@example.org/monitor")),
            "url",
            "carries credentials",
        ),
    ];
    for (body, field, want) in cases {
        let r = put(s.addr, "monitor", Some(TOKEN), &body);
        r.assert_problem(422, want);
        assert_eq!(r.json()["parameter"], field, "{body}: {}", r.text());
        assert!(!r.text().contains("s3cret"), "{}", r.text());
    }
    assert_eq!(files(&root.join("sources")), before);
    drop(s);

    // The loader reads source.json by the same rule.
    let dir = root.join("sources/example");
    let mut described: Value = serde_json::from_slice(&std::fs::read(dir.join("source.json")).unwrap()).unwrap();
    described["licence"] = json!("CC BY\u{202e}4.0");
    std::fs::write(dir.join("source.json"), described.to_string()).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_frontline"))
        .args(["check", root.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let text = String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(text.contains("licence") && text.contains("U+202E"), "{text}");
}
