//! The built-in dashboard (`/` from a browser, `/dashboard/{asset}`): what the server sends, and
//! the page itself driven in headless Debian Chromium (`tests/browser/dashboard.mjs`, through
//! playwright-core). The browser test is *ignored*, with the reason, where node, Chromium or
//! playwright-core is missing (`build.rs`, cfg `browser_test`); `.ci/run` installs them.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod common;

use common::{Server, get, repo, request};

const BROWSER: &str = "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n";

#[test]
fn a_browser_gets_the_page_and_an_api_client_the_index() {
    let s = Server::spawn(&["--watch-s", "0"], &[]);
    let page = get(s.addr, "/", BROWSER);
    assert_eq!(page.status, 200);
    assert_eq!(page.header("content-type"), Some("text/html; charset=utf-8"));
    let csp = page.header("content-security-policy").expect("a CSP on the page");
    for d in [
        "default-src 'self'",
        "script-src 'self'",
        "connect-src 'self'",
        "frame-ancestors 'none'",
    ] {
        assert!(csp.contains(d), "{csp}");
    }
    assert!(!csp.contains("unsafe"), "{csp}");
    assert!(page.headers.iter().any(|(k, v)| k == "vary" && v.contains("Accept")));
    // A view in the query string is still the page.
    let view = get(
        s.addr,
        "/?source=example&mode=diff&from=2024-01-01&to=2024-06-01",
        BROWSER,
    );
    assert_eq!(view.status, 200);
    assert_eq!(view.body, page.body);
    // curl and API clients keep the JSON index of the routes.
    let index = get(s.addr, "/", "Accept: */*\r\n").json();
    assert!(
        index["paths"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p == "/dashboard/{asset}")
    );
    // HEAD mirrors GET; a conditional request gets a 304.
    let head = request(s.addr, "HEAD", "/", BROWSER, b"");
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    let tag = page.header("etag").unwrap();
    let again = get(s.addr, "/", &format!("{BROWSER}If-None-Match: {tag}\r\n"));
    assert_eq!(again.status, 304);
}

/// Every file the page and its script import is served from the binary (nothing from another
/// origin), with a strong validator that gives 304s, gzip when asked, and `nosniff`.
#[test]
fn every_file_the_page_names_is_embedded_and_cacheable() {
    let s = Server::spawn(&["--watch-s", "0"], &[]);
    let html = get(s.addr, "/", BROWSER).text();
    let js = get(s.addr, "/dashboard/app.js", "").text();
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "the page names another origin"
    );
    let mut names: Vec<String> = Vec::new();
    for (text, prefix) in [(&html, "/dashboard/"), (&js, "'./")] {
        let mut rest = text.as_str();
        while let Some(i) = rest.find(prefix) {
            let tail = &rest[i + prefix.len()..];
            let end = tail.find(['"', '\'']).unwrap_or(tail.len());
            names.push(tail[..end].to_string());
            rest = &tail[end..];
        }
    }
    names.push("maplibre-gl-worker.mjs".into());
    names.push("countries.geojson".into());
    names.push("coastline.geojson".into());
    assert!(names.len() >= 9, "{names:?}");
    for n in &names {
        let path = format!("/dashboard/{n}");
        let r = get(s.addr, &path, "");
        assert_eq!(r.status, 200, "{path}");
        assert_eq!(r.header("x-content-type-options"), Some("nosniff"), "{path}");
        let tag = r.header("etag").unwrap_or_else(|| panic!("{path}: no ETag"));
        assert!(tag.starts_with('"'), "{path}: a strong tag: {tag}");
        assert_eq!(
            get(s.addr, &path, &format!("If-None-Match: {tag}\r\n")).status,
            304,
            "{path}"
        );
        let gz = request(s.addr, "GET", &path, "Accept-Encoding: gzip\r\n", b"");
        assert_eq!(gz.header("content-encoding"), Some("gzip"), "{path}");
        assert_ne!(gz.header("etag"), Some(tag), "{path}: one tag per representation");
    }
    let missing = get(s.addr, "/dashboard/nothing.js", "");
    missing.assert_problem(404, "no dashboard file 'nothing.js'");
}

/// The recognized border the dashboard draws comes from the loaded geodata, with provenance.
#[test]
fn the_border_route_gives_the_sources_border_with_provenance() {
    let s = Server::spawn(&["--watch-s", "0"], &[]);
    let doc = get(s.addr, "/v1/border?source=example&precision=5", "").json();
    assert_eq!(doc["frontline"]["iso3"], "UKR");
    assert_eq!(doc["frontline"]["provenance"]["file"], "borders/UKR.geojson");
    let area = doc["frontline"]["area_km2"].as_f64().unwrap();
    assert!((area - 599_094.4).abs() < 0.5, "{area}");
    assert!(!doc["features"].as_array().unwrap().is_empty());
    // The OpenAPI document describes these properties, member for member.
    let api = get(s.addr, "/openapi.json", "").json();
    let schema = &api["components"]["schemas"]["BorderFeatureProperties"];
    let mut documented: Vec<&str> = schema["required"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    documented.sort_unstable();
    for f in doc["features"].as_array().unwrap() {
        let mut keys: Vec<&str> = f["properties"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort_unstable();
        assert_eq!(keys, documented, "{f}");
    }
    let border_200 =
        &api["paths"]["/v1/border"]["get"]["responses"]["200"]["content"]["application/geo+json"]["schema"];
    assert_eq!(
        border_200["properties"]["features"]["items"]["properties"]["properties"]["$ref"],
        "#/components/schemas/BorderFeatureProperties"
    );
    for k in doc["frontline"].as_object().unwrap().keys() {
        assert!(
            border_200["properties"]["frontline"]["properties"].get(k).is_some(),
            "{k} undocumented"
        );
    }
    get(s.addr, "/v1/border?source=nope", "").assert_problem(404, "unknown source 'nope'");
    get(s.addr, "/v1/border?precision=99", "").assert_problem(400, "precision");
}

/// The page in headless Chromium: `tests/browser/dashboard.mjs` (what it checks is listed
/// there); screenshots in `target/dashboard/`.
#[test]
#[cfg_attr(
    not(browser_test),
    ignore = "needs node, /usr/bin/chromium and playwright-core in target/browser-test (installed by .ci/run)"
)]
fn the_dashboard_works_in_headless_chromium() {
    let s = Server::spawn(&["--watch-s", "0"], &[]);
    let dir = tempfile::tempdir().unwrap();
    let long = long_names_geodata(dir.path());
    let token = dir.path().join("token");
    std::fs::write(&token, format!("{TOKEN}\n")).unwrap();
    let l = Server::spawn(
        &[
            "--data",
            long.to_str().unwrap(),
            "--watch-s",
            "0",
            "--ingest-token-file",
            token.to_str().unwrap(),
        ],
        &[],
    );
    save_a_scenario(l.addr);
    let out = repo().join("target/dashboard");
    let run = std::process::Command::new("node")
        .arg("tests/browser/dashboard.mjs")
        .arg(format!("http://{}", s.addr))
        .arg(&out)
        .arg("--long")
        .arg(format!("http://{}", l.addr))
        .current_dir(repo())
        .output()
        .expect("run node");
    let stdout = String::from_utf8_lossy(&run.stdout);
    println!("{stdout}");
    assert!(
        run.status.success(),
        "the browser test failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&run.stderr)
    );
    for shot in [
        "desktop-1280x800.png",
        "desktop-diff.png",
        "phone-390x844.png",
        "long-names-360-date.png",
        "long-names-390-point.png",
        "desktop-scenario.png",
    ] {
        assert!(out.join(shot).is_file(), "no screenshot {shot}");
    }
}

const TOKEN: &str = "test-token-0123456789abcdef";

/// Stores the Minsk memorandum preset (15 km each side) on the long-named source's 2024-09-01
/// line with a withdrawal to 2024-01-01, for the browser test to open.
fn save_a_scenario(addr: std::net::SocketAddr) {
    let presets = get(
        addr,
        &format!("/v1/scenarios/presets?source={LONG_SOURCE}&date=2024-09-01"),
        "",
    )
    .json();
    let mut doc = presets["presets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "minsk-2014")
        .expect("the minsk-2014 preset")["scenario"]
        .clone();
    doc["withdrawal_date"] = "2024-01-01".into();
    let r = request(
        addr,
        "POST",
        "/v1/scenarios",
        &format!("Authorization: Bearer {TOKEN}\r\nContent-Type: application/json\r\n"),
        doc.to_string().as_bytes(),
    );
    assert_eq!(r.status, 201, "{}", r.text());
}

/// The name of the long-named source: the longest a source name may be (64 characters).
const LONG_SOURCE: &str = "deepstatemap-archive-mirror-kept-by-a-partner-organisation-long1";

/// A copy of the embedded geodata with a second source, the default, whose name and snapshot
/// file names are long (as the real archives' file names are: `deepstatemap_data_20250601.geojson`
/// and longer), for the phone-size checks of the browser test.
fn long_names_geodata(dir: &std::path::Path) -> std::path::PathBuf {
    let root = common::copy_embedded_geodata(dir, false);
    let to = root.join("sources").join(LONG_SOURCE);
    std::fs::create_dir_all(&to).unwrap();
    for e in std::fs::read_dir(root.join("sources/example")).unwrap().flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(e.path()).unwrap();
        if name == "source.json" {
            std::fs::write(to.join(name), text).unwrap();
            continue;
        }
        let date = name.trim_end_matches(".geojson").replace('-', "");
        let text = text.replace("\"source\":\"example\"", &format!("\"source\":\"{LONG_SOURCE}\""));
        assert!(text.contains(LONG_SOURCE), "{name}");
        std::fs::write(
            to.join(format!(
                "deepstatemap_data_{date}_published_by_the_mirror_with_a_very_long_archive_file_name_v2.geojson"
            )),
            text,
        )
        .unwrap();
    }
    std::fs::write(
        root.join("frontline.json"),
        format!("{{\"default_source\": \"{LONG_SOURCE}\"}}"),
    )
    .unwrap();
    root
}
