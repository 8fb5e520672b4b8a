//! HTTP method semantics and conditional requests on the real `frontline serve` binary
//! (ephemeral port of 127.0.0.1, raw HTTP/1.1): HEAD on every GET route, 405 with `Allow`,
//! OPTIONS (and `OPTIONS *`), If-None-Match / If-Modified-Since, one validator per
//! representation, bearer tokens with stray bytes, bbox across the antimeridian, and the
//! OpenAPI document against the live routes. Cases http-01..05 of
//! `../shared/cases/round2/README.md`, and more of each class.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use serde_json::Value;
use std::collections::BTreeSet;

use std::net::SocketAddr;
use std::time::Duration;

mod common;

use common::repo;

use common::{Reply, Server, get, request};

/// Raw request bytes, the answer's body as sent (a HEAD answer has none).
fn raw(addr: SocketAddr, request: &[u8]) -> Reply {
    common::raw_undecoded(addr, request)
}

impl Server {
    fn start(args: &[&str], env: &[(&str, &str)]) -> Server {
        let mut all = vec!["--watch-s", "0"];
        all.extend_from_slice(args);
        Server::spawn(&all, env)
    }
}

/// The methods of the `Allow` header.
fn allow(r: &Reply) -> BTreeSet<String> {
    r.header("allow")
        .unwrap_or_else(|| panic!("no Allow: {:?}", r.headers))
        .split(',')
        .map(|m| m.trim().to_string())
        .collect()
}

/// Every GET route with a request that answers 200 on the embedded geodata.
const GET_ROUTES: [&str; 16] = [
    "/",
    "/healthz",
    "/readyz",
    "/metrics",
    "/openapi.json",
    "/v1/coverage?lon=30.5&lat=50.4&date=2024-05-01",
    "/v1/history?lon=30.5&lat=50.4",
    "/v1/diff?from=2024-01-01&to=2024-06-01",
    "/v1/sources",
    "/v1/sources/example",
    "/v1/snapshots",
    "/v1/snapshots/example:2024-06-01",
    "/v1/layers/occupied?date=2024-05-01",
    "/v1/timeline",
    "/v1/border",
    "/dashboard/app.js",
];

/// http-01: HEAD on every GET route gives GET's status and headers and no body.
#[test]
fn head_answers_every_get_route_with_gets_headers_and_no_body() {
    let s = Server::start(&[], &[]);
    for target in GET_ROUTES {
        let g = get(s.addr, target, "");
        let h = request(s.addr, "HEAD", target, "", b"");
        assert_eq!(g.status, 200, "GET {target}: {}", g.text());
        assert_eq!(h.status, 200, "HEAD {target}: {}", h.text());
        assert!(h.body.is_empty(), "HEAD {target} sent a body");
        for name in ["content-type", "etag", "last-modified", "cache-control", "vary"] {
            assert_eq!(h.header(name), g.header(name), "HEAD {target}: {name}");
        }
        if target != "/metrics" && target != "/readyz" {
            // (metrics and readiness change between two requests.)
            assert_eq!(
                h.header("content-length"),
                Some(g.body.len().to_string().as_str()),
                "HEAD {target}: content-length"
            );
        }
    }
    // A HEAD with bad parameters gets GET's problem status, without the body.
    let h = request(s.addr, "HEAD", "/v1/coverage?lon=300&lat=50&date=2024-05-01", "", b"");
    assert_eq!(h.status, 400);
    assert!(h.body.is_empty());
    assert_eq!(h.header("content-type"), Some("application/problem+json"));
}

/// http-02: 405 always with `Allow`; OPTIONS 204 with `Allow`; `OPTIONS *`.
#[test]
fn wrong_methods_get_405_with_allow_and_options_lists_the_methods() {
    let s = Server::start(&[], &[]);
    let set = |v: &[&str]| v.iter().map(|m| m.to_string()).collect::<BTreeSet<_>>();
    let r = request(
        s.addr,
        "DELETE",
        "/v1/coverage?lon=30.5&lat=50.4&date=2024-05-01",
        "",
        b"",
    );
    r.assert_problem(405, "method not allowed: DELETE on /v1/coverage");
    assert_eq!(allow(&r), set(&["GET", "HEAD", "OPTIONS"]));
    let r = request(s.addr, "POST", "/v1/sources", "", b"");
    r.assert_problem(405, "POST");
    assert_eq!(allow(&r), set(&["GET", "HEAD", "OPTIONS"]));
    // POST routes.
    for (target, methods) in [
        ("/v1/classify?date=2024-05-01", &["POST", "OPTIONS"][..]),
        ("/v1/history", &["GET", "HEAD", "POST", "OPTIONS"][..]),
        ("/v1/snapshots", &["GET", "HEAD", "POST", "OPTIONS"][..]),
    ] {
        for method in ["PUT", "DELETE", "PATCH"] {
            let r = request(s.addr, method, target, "", b"");
            assert_eq!(r.status, 405, "{method} {target}");
            assert_eq!(allow(&r), set(methods), "{method} {target}");
        }
        let r = request(s.addr, "OPTIONS", target, "", b"");
        assert_eq!(r.status, 204, "OPTIONS {target}");
        assert_eq!(allow(&r), set(methods));
        assert!(r.body.is_empty());
    }
    let r = request(s.addr, "GET", "/v1/classify?date=2024-05-01", "", b"");
    assert_eq!(r.status, 405);
    assert_eq!(allow(&r), set(&["POST", "OPTIONS"]));
    let r = request(s.addr, "HEAD", "/v1/classify?date=2024-05-01", "", b"");
    assert_eq!(r.status, 405, "HEAD only where GET is");
    assert_eq!(allow(&r), set(&["POST", "OPTIONS"]));
    // Every GET route answers OPTIONS.
    for target in GET_ROUTES {
        let r = request(s.addr, "OPTIONS", target, "", b"");
        assert_eq!(r.status, 204, "OPTIONS {target}");
        assert!(allow(&r).contains("GET") && allow(&r).contains("HEAD"), "{target}");
    }
    let r = request(s.addr, "OPTIONS", "*", "", b"");
    assert_eq!(r.status, 204);
    assert_eq!(allow(&r), set(&["GET", "HEAD", "POST", "PUT", "OPTIONS"]));
    request(s.addr, "GET", "*", "", b"").assert_problem(400, "OPTIONS only");
    // An unknown path stays a 404, whatever the method.
    for method in ["GET", "OPTIONS", "DELETE"] {
        request(s.addr, method, "/v1/nothing", "", b"").assert_problem(404, "no such route");
    }
    // A CORS preflight without --cors-origin stays a 403 (and still names the methods).
    let r = request(
        s.addr,
        "OPTIONS",
        "/v1/coverage",
        "Origin: https://dash.example\r\nAccess-Control-Request-Method: GET\r\n",
        b"",
    );
    r.assert_problem(403, "origin not allowed");
}

#[test]
fn cors_preflight_names_the_routes_methods() {
    let s = Server::start(&["--cors-origin", "https://dash.example"], &[]);
    let r = request(
        s.addr,
        "OPTIONS",
        "/v1/classify",
        "Origin: https://dash.example\r\nAccess-Control-Request-Method: POST\r\n",
        b"",
    );
    assert_eq!(r.status, 204);
    assert_eq!(r.header("access-control-allow-origin"), Some("https://dash.example"));
    assert_eq!(r.header("access-control-allow-methods"), Some("POST, OPTIONS"));
    assert_eq!(r.header("allow"), Some("POST, OPTIONS"));
    // Every precondition the API evaluates, of reads and of writes, may be sent by a script.
    let allowed = r.header("access-control-allow-headers").unwrap_or("").to_string();
    for h in [
        "authorization",
        "content-type",
        "if-none-match",
        "if-modified-since",
        "if-match",
        "if-unmodified-since",
    ] {
        assert!(allowed.split(", ").any(|x| x == h), "{h}: {allowed}");
    }
    // Exposed to scripts: the validators.
    let r = get(
        s.addr,
        "/v1/layers/occupied?date=2024-05-01",
        "Origin: https://dash.example\r\n",
    );
    let exposed = r.header("access-control-expose-headers").unwrap_or("");
    assert!(
        exposed.contains("ETag") && exposed.contains("Last-Modified"),
        "{exposed}"
    );
}

/// http-03: If-None-Match with the weak comparison over every member of every field line, `*`,
/// Last-Modified and If-Modified-Since (only without If-None-Match).
#[test]
fn conditional_requests_follow_rfc_9110() {
    let s = Server::start(&[], &[]);
    let l = "/v1/layers/occupied?date=2024-05-01";
    let r = get(s.addr, l, "");
    assert_eq!(r.status, 200);
    let e = r.header("etag").unwrap().to_string();
    assert!(e.starts_with('"'), "a strong tag on layers: {e}");
    let lm = r.header("last-modified").expect("Last-Modified").to_string();
    let status = |extra: &str| get(s.addr, l, extra).status;
    assert_eq!(status(&format!("If-None-Match: {e}\r\n")), 304);
    assert_eq!(status(&format!("If-None-Match: \"abc\", {e}\r\n")), 304);
    assert_eq!(status("If-None-Match: *\r\n"), 304);
    assert_eq!(status(&format!("If-None-Match: W/{e}\r\n")), 304);
    assert_eq!(status(&format!("If-None-Match: \"abc\", W/{e}\r\n")), 304);
    assert_eq!(
        status(&format!("If-None-Match: \"abc\"\r\nIf-None-Match: {e}\r\n")),
        304
    );
    assert_eq!(status("If-None-Match: \"abc\", W/\"def\"\r\n"), 200);
    assert_eq!(status(&format!("If-Modified-Since: {lm}\r\n")), 304);
    // A date later than the server's clock is invalid (RFC 9110 13.1.3): ignored.
    assert_eq!(status("If-Modified-Since: Mon, 30 Nov 2099 00:00:00 GMT\r\n"), 200);
    assert_eq!(status("If-Modified-Since: Sat, 01 Jan 2000 00:00:00 GMT\r\n"), 200);
    assert_eq!(status("If-Modified-Since: not a date\r\n"), 200);
    // If-None-Match decides when present: a tag that does not match is a 200 whatever the date.
    assert_eq!(
        status(&format!("If-None-Match: \"abc\"\r\nIf-Modified-Since: {lm}\r\n")),
        200
    );
    // The 304 carries the validators and caching headers, and no body.
    let r = get(s.addr, l, &format!("If-None-Match: {e}\r\n"));
    assert_eq!(r.status, 304);
    assert!(r.body.is_empty());
    assert_eq!(r.header("etag"), Some(e.as_str()));
    assert_eq!(r.header("last-modified"), Some(lm.as_str()));
    assert_eq!(r.header("vary"), Some("Accept-Encoding"));
    assert!(r.header("cache-control").is_some());
    // HEAD too.
    let r = request(s.addr, "HEAD", l, &format!("If-None-Match: W/{e}\r\n"), b"");
    assert_eq!(r.status, 304);
}

/// Conditional requests on the other GET answers drawn from the live state: a weak tag, the
/// same on every request until the state changes, and Last-Modified.
#[test]
fn other_cached_answers_have_weak_tags_and_last_modified() {
    let s = Server::start(&[], &[]);
    for target in [
        "/v1/coverage?lon=30.5&lat=50.4&date=2024-05-01",
        "/v1/history?lon=30.5&lat=50.4",
        "/v1/diff?from=2024-01-01&to=2024-06-01",
        "/v1/sources",
        "/v1/snapshots",
        "/v1/timeline",
        "/openapi.json",
        "/",
    ] {
        let r = get(s.addr, target, "");
        let e = r
            .header("etag")
            .unwrap_or_else(|| panic!("{target}: no ETag"))
            .to_string();
        assert!(e.starts_with("W/\""), "{target}: {e}");
        assert_eq!(get(s.addr, target, "").header("etag"), Some(e.as_str()), "{target}");
        let lm = r
            .header("last-modified")
            .unwrap_or_else(|| panic!("{target}: no Last-Modified"));
        assert_eq!(
            get(s.addr, target, &format!("If-None-Match: {e}\r\n")).status,
            304,
            "{target}"
        );
        let strong = e.trim_start_matches("W/");
        assert_eq!(get(s.addr, target, &format!("If-None-Match: {strong}\r\n")).status, 304);
        assert_eq!(get(s.addr, target, &format!("If-Modified-Since: {lm}\r\n")).status, 304);
        assert_eq!(get(s.addr, target, "If-None-Match: \"x\"\r\n").status, 200);
    }
    // Another query, another tag; the timeline's CSV form has its own.
    let a = get(s.addr, "/v1/coverage?lon=30.5&lat=50.4&date=2024-05-01", "");
    let b = get(s.addr, "/v1/coverage?lon=30.6&lat=50.4&date=2024-05-01", "");
    assert_ne!(a.header("etag"), b.header("etag"));
    let j = get(s.addr, "/v1/timeline", "");
    let c = get(s.addr, "/v1/timeline", "Accept: text/csv\r\n");
    assert_ne!(j.header("etag"), c.header("etag"));
    assert!(c.header("vary").unwrap_or("").contains("Accept"));
    // Answers that change by themselves carry no validator.
    for target in ["/healthz", "/readyz", "/metrics"] {
        assert_eq!(get(s.addr, target, "").header("etag"), None, "{target}");
    }
    // Errors are never 304.
    let r = get(
        s.addr,
        "/v1/coverage?lon=300&lat=50&date=2024-05-01",
        "If-None-Match: *\r\n",
    );
    assert_eq!(r.status, 400);
}

/// After a reload (the live state changes), the old validators no longer match.
#[test]
fn validators_change_with_the_live_state() {
    let dir = tempfile::tempdir().unwrap();
    let root = common::copy_embedded_geodata(dir.path(), false);
    let root_s = root.to_str().unwrap();
    let token = "0123456789abcdef-semantics";
    let s = Server::start(&["--data", root_s], &[("FRONTLINE_INGEST_TOKEN", token)]);
    let target = "/v1/snapshots";
    let r = get(s.addr, target, "");
    let e = r.header("etag").unwrap().to_string();
    let lm = r.header("last-modified").unwrap().to_string();
    // Let the second of Last-Modified pass, then change the state by an ingest.
    std::thread::sleep(Duration::from_millis(1100));
    let body = br#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"status":"occupied"},"geometry":{"type":"Polygon","coordinates":[[[37.0,48.0],[37.2,48.0],[37.2,48.2],[37.0,48.2],[37.0,48.0]]]}}]}"#;
    let r = request(
        s.addr,
        "POST",
        "/v1/snapshots?source=example&date=2024-09-15",
        &format!("Authorization: Bearer {token}\r\nContent-Type: application/geo+json\r\n"),
        body,
    );
    assert!(r.status == 201 || r.status == 200, "{}", r.text());
    std::thread::sleep(Duration::from_millis(1100));
    let r = get(s.addr, target, &format!("If-None-Match: {e}\r\n"));
    assert_eq!(r.status, 200, "the old tag must not match the new state");
    assert_ne!(r.header("etag"), Some(e.as_str()));
    assert_eq!(get(s.addr, target, &format!("If-Modified-Since: {lm}\r\n")).status, 200);
}

/// http-04: the gzip body and the identity body carry different strong tags; each one's tag
/// answers 304 only to a request for the same representation.
#[test]
fn gzip_and_identity_bodies_have_their_own_validators() {
    let s = Server::start(&[], &[]);
    for l in ["/v1/layers/occupied?date=2024-05-01", "/v1/layers/line?date=2024-05-01"] {
        let gz = get(s.addr, l, "Accept-Encoding: gzip\r\n");
        let id = get(s.addr, l, "");
        assert_eq!(gz.header("content-encoding"), Some("gzip"));
        assert_eq!(id.header("content-encoding"), None);
        assert_ne!(gz.body, id.body);
        let (eg, ei) = (gz.header("etag").unwrap(), id.header("etag").unwrap());
        assert_ne!(eg, ei, "{l}: one strong tag for two bodies");
        assert!(!eg.starts_with("W/") && !ei.starts_with("W/"));
        assert_eq!(
            get(s.addr, l, &format!("Accept-Encoding: gzip\r\nIf-None-Match: {ei}\r\n")).status,
            200
        );
        assert_eq!(get(s.addr, l, &format!("If-None-Match: {eg}\r\n")).status, 200);
        assert_eq!(
            get(s.addr, l, &format!("Accept-Encoding: gzip\r\nIf-None-Match: {eg}\r\n")).status,
            304
        );
        assert_eq!(get(s.addr, l, &format!("If-None-Match: {ei}\r\n")).status, 304);
        // A client holding both may send both.
        assert_eq!(
            get(
                s.addr,
                l,
                &format!("Accept-Encoding: gzip\r\nIf-None-Match: {ei}, {eg}\r\n")
            )
            .status,
            304
        );
    }
}

fn auth_request(addr: SocketAddr, auth: &[u8]) -> Reply {
    let body = br#"{"type":"FeatureCollection","features":[]}"#;
    let mut req = b"POST /v1/snapshots?source=example&date=2024-10-01 HTTP/1.1\r\nHost: t\r\nContent-Type: application/geo+json\r\nAuthorization: ".to_vec();
    req.extend_from_slice(auth);
    req.extend_from_slice(format!("\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len()).as_bytes());
    req.extend_from_slice(body);
    raw(addr, &req)
}

/// http-05: a bearer token with a stray byte is a 401/403 problem+json, never 400 or 405, and
/// is never told apart from a wrong token.
#[test]
fn tokens_with_stray_bytes_are_refused_like_wrong_tokens() {
    let token = "0123456789abcdef-case-token";
    // A writable copy: the right token below writes a snapshot.
    let dir = tempfile::tempdir().unwrap();
    let root = common::copy_embedded_geodata(dir.path(), false);
    let s = Server::start(
        &["--data", root.to_str().unwrap()],
        &[("FRONTLINE_INGEST_TOKEN", token)],
    );
    let wrong = auth_request(s.addr, b"Bearer not-the-token-0123456789");
    wrong.assert_problem(403, "not valid");
    // A bare CR too (before the line's CRLF, or before more bytes): a 403, not a 400.
    for stray in [
        &b"\x00"[..],
        b"\x7f",
        b"\xff",
        b"\x01",
        b"\x1b",
        b"\xc3\x28",
        b"\r",
        b"\rx",
    ] {
        for t in [token.as_bytes(), b"not-the-token-0123456789"] {
            let mut auth = b"Bearer ".to_vec();
            auth.extend_from_slice(t);
            auth.extend_from_slice(stray);
            let r = auth_request(s.addr, &auth);
            assert!(
                r.status == 401 || r.status == 403,
                "{stray:?}: {} {}",
                r.status,
                r.text()
            );
            assert_eq!(r.status, wrong.status, "{stray:?}: told apart from a wrong token");
            assert_eq!(r.text(), wrong.text(), "{stray:?}");
            assert_eq!(r.header("content-type"), Some("application/problem+json"));
        }
    }
    // A stray byte in the middle, or in the scheme.
    let r = auth_request(s.addr, b"Bearer 0123456789\x00abcdef-case-token");
    assert_eq!(r.status, 403);
    let r = auth_request(s.addr, b"Bear\x7fer x");
    assert_eq!(r.status, 403);
    // The right token still works on the same server (nothing is stuck).
    let mut good = b"Bearer ".to_vec();
    good.extend_from_slice(token.as_bytes());
    let r = auth_request(s.addr, &good);
    assert!(r.status != 401 && r.status != 403, "{}", r.text());
    // A control byte in another header: a 400 problem+json, not a bare 400.
    let r = raw(
        s.addr,
        b"GET /healthz HTTP/1.1\r\nHost: t\r\nUser-Agent: a\x00b\r\nConnection: close\r\n\r\n",
    );
    r.assert_problem(400, "malformed");
    // With ingest off, the stray byte gets what any token gets.
    let off = Server::start(&[], &[]);
    let plain = auth_request(off.addr, b"Bearer x");
    for stray in [&b"\x00"[..], b"\x7f", b"\xff"] {
        let mut auth = b"Bearer x".to_vec();
        auth.extend_from_slice(stray);
        let r = auth_request(off.addr, &auth);
        assert_eq!((r.status, r.text()), (plain.status, plain.text()), "{stray:?}");
    }
}

/// Public routes never read `Authorization`: there a control byte or a bare CR in it is a
/// malformed field like in any other header (RFC 9110 5.5: a 400 problem+json), while the two
/// routes that check a token answer it as a wrong token; a well-formed wrong token on a public
/// route changes nothing.
#[test]
fn public_routes_treat_a_malformed_authorization_like_any_malformed_header() {
    let token = "0123456789abcdef-case-token";
    let dir = tempfile::tempdir().unwrap();
    let root = common::copy_embedded_geodata(dir.path(), false);
    let s = Server::start(
        &["--data", root.to_str().unwrap()],
        &[("FRONTLINE_INGEST_TOKEN", token)],
    );
    let plain = raw(
        s.addr,
        b"GET /v1/coverage?lon=30.5&lat=50.4&date=2024-05-01 HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(plain.status, 200);
    let wrong = raw(
        s.addr,
        b"GET /v1/coverage?lon=30.5&lat=50.4&date=2024-05-01 HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer nope\r\nConnection: close\r\n\r\n",
    );
    assert_eq!((wrong.status, wrong.text()), (plain.status, plain.text()));
    for stray in [&b"\x00"[..], b"\x7f", b"\r", b"\rx"] {
        for target in [
            "/v1/coverage?lon=30.5&lat=50.4&date=2024-05-01",
            "/healthz",
            "/v1/snapshots",
        ] {
            let mut req = format!("GET {target} HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer {token}").into_bytes();
            req.extend_from_slice(stray);
            req.extend_from_slice(b"\r\nConnection: close\r\n\r\n");
            raw(s.addr, &req).assert_problem(400, "malformed");
        }
        // POST /v1/scenarios checks the token: what a wrong token gets.
        let body = b"{}";
        let mut req = format!(
            "POST /v1/scenarios HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nAuthorization: Bearer {token}"
        )
        .into_bytes();
        req.extend_from_slice(stray);
        req.extend_from_slice(format!("\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len()).as_bytes());
        req.extend_from_slice(body);
        raw(s.addr, &req).assert_problem(403, "not valid");
    }
}

/// A request to `route` (a path of the route table) with `method`, `auth` as the raw bytes of
/// its `Authorization` value (`None`: no such line) and a body every token route refuses once
/// past the token (`[]`: no snapshot, description or scenario is an array).
fn token_route_request(addr: SocketAddr, method: &str, route: &str, auth: Option<&[u8]>) -> Reply {
    let target = match route {
        "/v1/snapshots" => "/v1/snapshots?source=example&date=2024-10-01".to_string(),
        "/v1/scenarios" => route.to_string(),
        "/v1/sources/{name}" => "/v1/sources/monitor".to_string(),
        other => panic!("route {other} checks a token: give it a sample request here"),
    };
    let body = b"[]";
    let mut req = format!("{method} {target} HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n").into_bytes();
    if let Some(a) = auth {
        req.extend_from_slice(b"Authorization: ");
        req.extend_from_slice(a);
        req.extend_from_slice(b"\r\n");
    }
    req.extend_from_slice(format!("Content-Length: {}\r\nConnection: close\r\n\r\n", body.len()).as_bytes());
    req.extend_from_slice(body);
    raw(addr, &req)
}

/// Issue 9 item 1, as a class: every route of the route table that takes the bearer token
/// answers the same stray bytes with the same status and problem (401 with `WWW-Authenticate`
/// without a bearer token, 403 for any token that does not match, whatever bytes it holds;
/// past the token for the right one, whatever the scheme's case or the spaces before the
/// token), with ingest on and off; the OpenAPI document marks exactly those operations; the
/// other body routes never ask for a token.
#[test]
fn every_token_route_answers_the_same_stray_bytes_the_same_way() {
    use frontline::http::table::ROUTES;
    let token = "0123456789abcdef-route-token";
    let dir = tempfile::tempdir().unwrap();
    let root = common::copy_embedded_geodata(dir.path(), false);
    let on = Server::start(
        &["--data", root.to_str().unwrap()],
        &[("FRONTLINE_INGEST_TOKEN", token)],
    );
    let off = Server::start(&["--data", root.to_str().unwrap()], &[]);
    let token_routes: Vec<(String, &str)> = ROUTES
        .iter()
        .flat_map(|r| r.token.iter().map(move |m| (m.to_string(), r.path)))
        .collect();
    assert!(token_routes.len() >= 3, "{token_routes:?}");
    // The OpenAPI document says which operations need the token: the same ones.
    let doc = get(on.addr, "/openapi.json", "").json();
    let mut documented = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            if op.get("security").is_some() {
                documented.insert((method.to_uppercase(), path.as_str()));
            }
        }
    }
    let table: BTreeSet<(String, &str)> = token_routes.iter().cloned().collect();
    assert_eq!(documented, table, "operations with `security` vs the route table");

    let t = |prefix: &[u8], suffix: &[u8]| -> Vec<u8> { [prefix, token.as_bytes(), suffix].concat() };
    // (what the Authorization line holds, the answer expected: 0 = past the token check)
    let cases: Vec<(&str, Option<Vec<u8>>, u16)> = vec![
        ("missing", None, 401),
        ("empty", Some(b"".to_vec()), 401),
        ("spaces only", Some(b"   ".to_vec()), 401),
        ("another scheme", Some(t(b"Basic ", b"")), 401),
        ("Bearer without a token", Some(b"Bearer".to_vec()), 401),
        ("Bearer and a space", Some(b"Bearer ".to_vec()), 401),
        ("tab after the scheme", Some(t(b"Bearer\t", b"")), 401),
        ("scheme glued to the token", Some(t(b"Bearer", b"")), 401),
        ("wrong token", Some(b"Bearer not-the-token-0123456789".to_vec()), 403),
        ("trailing NUL", Some(t(b"Bearer ", b"\x00")), 403),
        (
            "NUL inside",
            Some(b"Bearer 0123456789\x00abcdef-route-token".to_vec()),
            403,
        ),
        ("bare CR", Some(t(b"Bearer ", b"\r")), 403),
        ("bare CR inside", Some(t(b"Bearer ", b"\rx")), 403),
        ("LF and a stray line", Some(t(b"Bearer ", b"\nx")), 403),
        ("folded line", Some(t(b"Bearer ", b"\r\n x")), 403),
        ("tab inside", Some(t(b"Bearer ", b"\tx")), 403),
        ("DEL", Some(t(b"Bearer ", b"\x7f")), 403),
        ("escape", Some(t(b"Bearer ", b"\x1b")), 403),
        ("non-ASCII", Some(t(b"Bearer ", "\u{e9}".as_bytes())), 403),
        ("byte 0xFF", Some(t(b"Bearer ", b"\xff")), 403),
        (
            "two tokens",
            Some(t(b"Bearer ", &[b" ", token.as_bytes()].concat())),
            403,
        ),
        // Two Authorization lines: neither is taken, whatever they hold (issue 9, fault 2).
        (
            "two lines, both right",
            Some(t(
                b"Bearer ",
                &[&b"\r\nAuthorization: Bearer "[..], token.as_bytes()].concat(),
            )),
            401,
        ),
        (
            "two lines, right then wrong",
            Some(t(b"Bearer ", b"\r\nAuthorization: Bearer wrong-0123456789")),
            401,
        ),
        (
            "two lines, wrong then right",
            Some(t(b"Bearer wrong-0123456789\r\nAuthorization: Bearer ", b"")),
            401,
        ),
        (
            "two lines, the second empty",
            Some(t(b"Bearer ", b"\r\nAuthorization: ")),
            401,
        ),
        ("right token", Some(t(b"Bearer ", b"")), 0),
        ("lower-case scheme", Some(t(b"bearer ", b"")), 0),
        ("upper-case scheme", Some(t(b"BEARER ", b"")), 0),
        ("two spaces", Some(t(b"Bearer  ", b"")), 0),
        ("trailing space and tab", Some(t(b"Bearer ", b" \t")), 0),
    ];
    for (what, auth, want) in &cases {
        let mut first: Option<(u16, String)> = None;
        for (method, route) in &token_routes {
            let r = token_route_request(on.addr, method, route, auth.as_deref());
            let at = format!("{what}: {method} {route}: {} {}", r.status, r.text());
            match want {
                0 => assert!(r.status != 401 && r.status != 403 && r.status < 500, "{at}"),
                401 => {
                    r.assert_problem(401, "Bearer");
                    assert_eq!(r.header("www-authenticate"), Some("Bearer"), "{at}");
                }
                w => r.assert_problem(*w, "not valid"),
            }
            if *want != 0 {
                let seen = (r.status, r.json()["type"].as_str().unwrap_or("").to_string());
                assert_eq!(first.get_or_insert(seen.clone()), &seen, "{at}");
            }
            // Ingest off: what any request gets, on every token route.
            let r = token_route_request(off.addr, method, route, auth.as_deref());
            r.assert_problem(403, "ingest is off");
        }
    }
    // The body routes that take no token never ask for one, whatever Authorization holds.
    for r in ROUTES.iter() {
        for m in r
            .methods
            .iter()
            .filter(|m| !r.token.contains(m) && (**m == "POST" || **m == "PUT"))
        {
            for auth in ["", "Authorization: Basic x\r\n", "Authorization: Bearer nope\r\n"] {
                let a = request(
                    on.addr,
                    m.as_str(),
                    r.path,
                    &format!("{auth}Content-Type: application/json\r\n"),
                    b"[]",
                );
                assert!(a.status != 401 && a.status != 403, "{m} {}: {}", r.path, a.text());
            }
        }
    }
}

/// The socket guard reads request heads only: a body of a stated length (here a CSV whose last
/// row has no line end, and one whose rows look like a head with a bad token) is not taken for
/// lines of a head, so that the next request on the connection, with a stray byte in its token,
/// is still answered as a wrong token (403), not as a malformed request.
#[test]
fn a_token_with_a_stray_byte_after_a_body_on_the_same_connection_is_a_wrong_token() {
    let token = "0123456789abcdef-case-token";
    let dir = tempfile::tempdir().unwrap();
    let root = common::copy_embedded_geodata(dir.path(), false);
    let s = Server::start(
        &["--data", root.to_str().unwrap()],
        &[("FRONTLINE_INGEST_TOKEN", token)],
    );
    let scenario = |auth: &[u8]| {
        let mut req =
            b"POST /v1/scenarios HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nAuthorization: Bearer "
                .to_vec();
        req.extend_from_slice(auth);
        req.extend_from_slice(b"\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}");
        req
    };
    let bodies: [&[u8]; 2] = [
        b"id,lon,lat\nk,30.5,50.4",
        b"id,lon,lat\nPOST /v1/snapshots HTTP/1.1,30.5,50.4\nAuthorization: x,30.5,50.4\n",
    ];
    for body in bodies {
        for stray in [&b"\x00"[..], b"\x7f", b"\rx"] {
            let mut auth = token.as_bytes().to_vec();
            auth.extend_from_slice(stray);
            let mut req = format!(
                "POST /v1/classify?date=2024-05-01 HTTP/1.1\r\nHost: t\r\nContent-Type: text/csv\r\nContent-Length: {}\r\n\r\n",
                body.len()
            )
            .into_bytes();
            req.extend_from_slice(body);
            req.extend_from_slice(&scenario(&auth));
            let r = common::raw_undecoded(s.addr, &req);
            assert_eq!(r.status, 200, "the classification first: {}", r.text());
            let text = r.text();
            let second = text
                .rfind("HTTP/1.1 ")
                .unwrap_or_else(|| panic!("one answer only: {text}"));
            assert!(
                text[second..].starts_with("HTTP/1.1 403") && text[second..].contains("not valid"),
                "{stray:?} after {:?}: {}",
                String::from_utf8_lossy(body),
                &text[second..]
            );
        }
    }
    // The same requests each on their own connection agree.
    raw(s.addr, &scenario(b"x\x00")).assert_problem(403, "not valid");
}

/// Every `x-frontline-*` header an answer carries is exposed to cross-origin scripts, with the
/// validators; and a future If-Modified-Since is ignored (RFC 9110 13.1.3), a past one answered.
#[test]
fn cors_exposes_every_custom_header_and_a_future_if_modified_since_is_ignored() {
    let s = Server::start(&["--cors-origin", "https://dash.example"], &[]);
    let origin = "Origin: https://dash.example\r\n";
    let mut seen = BTreeSet::new();
    let csv = raw(
        s.addr,
        format!("POST /v1/classify?date=2030-05-01 HTTP/1.1\r\nHost: t\r\n{origin}Content-Type: text/csv\r\nContent-Length: 22\r\nConnection: close\r\n\r\nid,lon,lat\n1,30.5,50.4\n").as_bytes(),
    );
    assert_eq!(csv.status, 200, "{}", csv.text());
    for r in [&csv, &get(s.addr, "/v1/layers/occupied?date=2024-05-01", origin)] {
        let exposed: BTreeSet<String> = r
            .header("access-control-expose-headers")
            .unwrap_or("")
            .split(',')
            .map(|h| h.trim().to_ascii_lowercase())
            .collect();
        for (name, _) in &r.headers {
            if name.starts_with("x-frontline-") || name == "etag" {
                seen.insert(name.clone());
                assert!(exposed.contains(name), "{name} not in {exposed:?}");
            }
        }
    }
    // The age headers of an old snapshot were among them.
    assert!(
        seen.contains("x-frontline-snapshot-age-days") && seen.contains("x-frontline-warning"),
        "{seen:?}"
    );
    let layer = get(s.addr, "/v1/layers/occupied?date=2024-05-01", "");
    let future = httpdate::fmt_http_date(std::time::SystemTime::now() + std::time::Duration::from_secs(86_400 * 365));
    let r = get(
        s.addr,
        "/v1/layers/occupied?date=2024-05-01",
        &format!("If-Modified-Since: {future}\r\n"),
    );
    assert_eq!(r.status, 200, "a date later than the server's clock is ignored");
    let lm = layer.header("last-modified").unwrap();
    let r = get(
        s.addr,
        "/v1/layers/occupied?date=2024-05-01",
        &format!("If-Modified-Since: {lm}\r\n"),
    );
    assert_eq!(r.status, 304);
}

/// first-03: the 415 of POST /v1/classify names text/csv, as POST /v1/history's does.
#[test]
fn unsupported_media_types_name_every_accepted_type() {
    let s = Server::start(&[], &[]);
    let csv = std::fs::read(repo().join("../shared/cases/round2/csv/crlf.csv"))
        .unwrap_or_else(|_| b"id,lon,lat\r\nkyiv,30.5234,50.4501\r\n".to_vec());
    for target in ["/v1/classify?date=2024-05-01", "/v1/history"] {
        for ct in [Some("application/x-www-form-urlencoded"), Some("text/plain"), None] {
            let extra = ct.map(|c| format!("Content-Type: {c}\r\n")).unwrap_or_default();
            let r = request(s.addr, "POST", target, &extra, &csv);
            r.assert_problem(415, "text/csv");
            let d = r.json()["detail"].as_str().unwrap().to_string();
            assert!(
                d.contains("application/geo+json") && d.contains("application/json"),
                "{d}"
            );
        }
    }
}

/// OGC API Features bbox: across the antimeridian when minLon > maxLon; reversed latitudes are
/// a 400 that says so (embedded geodata; the real-data acceptance case is in
/// `bbox_across_the_antimeridian_on_deepstate`).
#[test]
fn bbox_across_the_antimeridian_and_reversed_latitudes() {
    let s = Server::start(&[], &[]);
    let base = "/v1/layers/occupied?date=2024-05-01";
    let n = |v: &Value| v["features"].as_array().unwrap().len();
    let all = get(s.addr, base, "").json();
    // Holds lon [30, 180] and [-180, -170]: everything east of 30 E.
    let across = get(s.addr, &format!("{base}&bbox=30,44,-170,53"), "");
    assert_eq!(across.status, 200, "{}", across.text());
    let east = get(s.addr, &format!("{base}&bbox=30,44,180,53"), "").json();
    assert_eq!(across.json()["features"], east["features"]);
    assert!(n(&east) >= 1);
    // A box across the antimeridian that holds all of Ukraine: every feature.
    let wide = get(s.addr, &format!("{base}&bbox=20,40,-179,60"), "").json();
    assert_eq!(wide["features"], all["features"]);
    // One across the antimeridian that misses Ukraine: none.
    let pacific = get(s.addr, &format!("{base}&bbox=170,40,-170,60"), "").json();
    assert_eq!(n(&pacific), 0);
    // Reversed latitudes.
    let r = get(s.addr, &format!("{base}&bbox=22,53,41,44"), "");
    r.assert_problem(400, "latitudes are reversed");
    assert!(!r.text().contains("antimeridian are not supported"));
    // The line layer too.
    let line = get(s.addr, "/v1/layers/line?date=2024-05-01&bbox=30,44,-170,53", "");
    assert_eq!(line.status, 200, "{}", line.text());
}

/// Issue 16 item 5 acceptance: DeepState 2025-06-01, `bbox=30,44,-170,53` returns the same
/// features as no bbox; `bbox=22,53,41,44` is a 400 naming the latitudes.
#[test]
#[cfg_attr(
    not(shared_deepstate),
    ignore = "needs ../shared/data/deepstate (absent when the tests were built)"
)]
fn bbox_across_the_antimeridian_on_deepstate() {
    common::shared_data("deepstate");
    let dir = tempfile::tempdir().unwrap();
    let ds = common::deepstate_geodata(&dir.path().join("ds"));
    let s = Server::start(&["--data", ds.to_str().unwrap()], &[]);
    let base = "/v1/layers/occupied?date=2025-06-01";
    let all = get(s.addr, base, "").json();
    let across = get(s.addr, &format!("{base}&bbox=30,44,-170,53"), "").json();
    assert!(!all["features"].as_array().unwrap().is_empty());
    assert_eq!(across["features"], all["features"]);
    get(s.addr, &format!("{base}&bbox=22,53,41,44"), "").assert_problem(400, "latitudes");
}

/// Sample requests per documented operation: (query, content type, body). Every status they
/// get must be documented for the operation.
fn samples(path: &str, method: &str) -> Vec<(String, &'static str, Vec<u8>)> {
    let csv = b"id,lon,lat\n1,30.5,50.4\n".to_vec();
    let geo = br#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[30.5,50.4]}}]}"#.to_vec();
    let q = |s: &str| s.to_string();
    match (path, method) {
        ("/v1/coverage", _) => vec![
            (q("lon=30.5&lat=50.4&date=2024-05-01"), "", vec![]),
            (q("lon=30.5&lat=50.4&date=1900-01-01"), "", vec![]),
            (q("lon=300&lat=50.4&date=2024-05-01"), "", vec![]),
            (q("lon=30.5&lat=50.4&date=2024-05-01&source=nope"), "", vec![]),
        ],
        ("/v1/history", "get") => vec![
            (q("lon=30.5&lat=50.4"), "", vec![]),
            (q("lon=30.5"), "", vec![]),
            (q("lon=30.5&lat=50.4&source=nope"), "", vec![]),
        ],
        ("/v1/history", "post") | ("/v1/classify", _) => {
            let d = if path == "/v1/classify" { "date=2024-05-01" } else { "" };
            vec![
                (q(d), "text/csv", csv.clone()),
                (q(d), "application/geo+json", geo.clone()),
                (q(d), "application/geo+json", b"{".to_vec()),
                (q(d), "text/plain", csv.clone()),
                (format!("{d}&source=nope"), "text/csv", csv.clone()),
            ]
        }
        ("/v1/diff", _) => vec![
            (q("from=2024-01-01&to=2024-06-01"), "", vec![]),
            (q("from=2024-01-01"), "", vec![]),
            (q("from=2024-01-01&to=2024-06-01&by_region=true"), "", vec![]),
        ],
        ("/v1/snapshots", "post") => vec![(q("source=example&date=2024-10-01"), "application/geo+json", geo.clone())],
        ("/v1/snapshots", _) => vec![
            (q(""), "", vec![]),
            (q("source=nope"), "", vec![]),
            (q("x=1"), "", vec![]),
        ],
        ("/v1/layers/{layer}", _) => vec![
            (q("date=2024-05-01"), "", vec![]),
            (q("date=2024-05-01&bbox=1,2,3"), "", vec![]),
            (q("date=1900-01-01"), "", vec![]),
        ],
        ("/v1/timeline", _) => vec![(q(""), "", vec![]), (q("from=2025-01-01&to=2024-01-01"), "", vec![])],
        ("/v1/sources", _) => vec![(q(""), "", vec![]), (q("x=1"), "", vec![])],
        ("/v1/border", _) => vec![
            (q(""), "", vec![]),
            (q("source=nope"), "", vec![]),
            (q("x=1"), "", vec![]),
        ],
        _ => vec![(q(""), "", vec![])],
    }
}

/// The OpenAPI document against the live server: its paths are the route table the server
/// routes by (served at `/`, and every other path is a 404); on each path, `Allow` (OPTIONS and
/// 405) names exactly the documented methods, HEAD mirrors GET, and every status that sample
/// requests get is documented for the operation (304 included, from each 200's validators).
#[test]
fn openapi_describes_the_live_routes() {
    let s = Server::start(&[], &[]);
    let doc = get(s.addr, "/openapi.json", "").json();
    assert_eq!(doc["openapi"], "3.1.0");
    let documented: BTreeSet<String> = doc["paths"].as_object().unwrap().keys().cloned().collect();
    let live: BTreeSet<String> = get(s.addr, "/", "").json()["paths"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap().to_string())
        .collect();
    assert_eq!(documented, live, "documented paths vs the live route table");
    let all_methods = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"];
    for (path, item) in doc["paths"].as_object().unwrap() {
        let concrete = path.replace("{layer}", "occupied").replace("{asset}", "app.js");
        let methods: BTreeSet<String> = item.as_object().unwrap().keys().map(|m| m.to_uppercase()).collect();
        // OPTIONS names the documented methods; every other method is a 405 that names them too.
        let o = request(s.addr, "OPTIONS", &concrete, "", b"");
        assert_eq!(o.status, 204, "OPTIONS {path}");
        assert_eq!(allow(&o), methods, "Allow of {path} vs its documented methods");
        for m in all_methods.iter().filter(|m| !methods.contains(**m)) {
            let r = request(s.addr, m, &concrete, "", b"");
            assert_eq!(r.status, 405, "{m} {path}");
            assert_eq!(allow(&r), methods, "{m} {path}");
        }
        // Every documented operation: its sample requests get documented statuses.
        for (method, op) in item.as_object().unwrap() {
            if method == "options" {
                let r = request(s.addr, "OPTIONS", &concrete, "", b"");
                assert!(
                    op["responses"].get(r.status.to_string()).is_some(),
                    "OPTIONS {path}: {}",
                    r.status
                );
                continue;
            }
            let responses = &op["responses"];
            let documented_status = |st: u16| responses.get(st.to_string()).is_some();
            for (query, ct, body) in samples(path, method) {
                let target = if query.is_empty() {
                    concrete.clone()
                } else {
                    format!("{concrete}?{query}")
                };
                let extra = if ct.is_empty() {
                    String::new()
                } else {
                    format!("Content-Type: {ct}\r\n")
                };
                let r = request(s.addr, &method.to_uppercase(), &target, &extra, &body);
                assert!(
                    documented_status(r.status),
                    "{} {target}: status {} is not documented ({})",
                    method.to_uppercase(),
                    r.status,
                    r.text()
                );
                if method == "head" {
                    assert!(r.body.is_empty(), "HEAD {target} sent a body");
                }
                if r.status == 200
                    && let Some(e) = r.header("etag")
                {
                    let c = request(
                        s.addr,
                        &method.to_uppercase(),
                        &target,
                        &format!("If-None-Match: {e}\r\n"),
                        b"",
                    );
                    assert_eq!(c.status, 304, "{method} {target}");
                    assert!(documented_status(304), "{method} {path}: 304 is not documented");
                }
            }
        }
    }
    // The metrics label every route of the table.
    for p in &live {
        let r = frontline::http::metrics::route_of(&p.replace("{layer}", "occupied").replace("{asset}", "app.js"));
        assert_eq!(frontline::http::metrics::route_label(r), p);
    }
}

/// The members of `value` against `schema` of the OpenAPI document (through `$ref`, `allOf`,
/// `oneOf`, `items` and `additionalProperties`): every member an answer carries is documented,
/// every member documented as required is there. Problems are pushed as "path: what".
fn schema_problems(doc: &Value, schema: &Value, value: &Value, path: &str, out: &mut Vec<String>) {
    let schemas = &doc["components"]["schemas"];
    let resolve = |s: &Value| -> Value {
        let mut s = s.clone();
        while let Some(r) = s.get("$ref").and_then(Value::as_str) {
            s = schemas[r.trim_start_matches("#/components/schemas/")].clone();
        }
        s
    };
    let schema = resolve(schema);
    if let Some(alternatives) = schema.get("oneOf").and_then(Value::as_array) {
        let mut all = Vec::new();
        for a in alternatives {
            let mut p = Vec::new();
            let a = resolve(a);
            if value.is_null() && a["type"] == "null" {
                return;
            }
            if a["type"] == "null" {
                continue;
            }
            schema_problems(doc, &a, value, path, &mut p);
            if p.is_empty() {
                return;
            }
            all.extend(p);
        }
        out.push(format!("{path}: no alternative of oneOf matches: {all:?}"));
        return;
    }
    // The properties and required members, through allOf.
    let mut properties = serde_json::Map::new();
    let mut required = BTreeSet::new();
    let mut stack = vec![schema.clone()];
    while let Some(s) = stack.pop() {
        let s = resolve(&s);
        if let Some(p) = s["properties"].as_object() {
            properties.extend(p.clone());
        }
        for r in s["required"].as_array().into_iter().flatten() {
            required.insert(r.as_str().unwrap().to_string());
        }
        stack.extend(s["allOf"].as_array().into_iter().flatten().cloned());
    }
    match value {
        Value::Object(members) => {
            if properties.is_empty() {
                if let Some(each) = schema.get("additionalProperties").filter(|a| a.is_object()) {
                    for (k, v) in members {
                        schema_problems(doc, each, v, &format!("{path}.{k}"), out);
                    }
                }
                return;
            }
            for (k, v) in members {
                match properties.get(k) {
                    None => out.push(format!("{path}.{k}: in the answer, not in the schema")),
                    Some(s) => schema_problems(doc, s, v, &format!("{path}.{k}"), out),
                }
            }
            for r in required.iter().filter(|r| !members.contains_key(*r)) {
                out.push(format!("{path}.{r}: required by the schema, not in the answer"));
            }
        }
        Value::Array(items) => {
            if let Some(each) = schema.get("items") {
                for (i, v) in items.iter().enumerate() {
                    schema_problems(doc, each, v, &format!("{path}[{i}]"), out);
                }
            }
        }
        _ => {}
    }
}

/// The schema of the 200 answer of `GET path` in the document.
fn answer_schema<'d>(doc: &'d Value, path: &str) -> &'d Value {
    let content = &doc["paths"][path]["get"]["responses"]["200"]["content"];
    let media = content.as_object().unwrap().values().next().unwrap();
    &media["schema"]
}

/// The JSON answers about points, diffs, histories and timelines name in `/openapi.json`
/// exactly the members they carry, optional ones included (waters, border distance, line
/// distance, the age warning, the diff's `in_waters` per part and `totals.waters`), walked
/// member by member. And the walk can fail: the document with one member removed
/// (`DiffPartProperties.in_waters`, `DiffTotals.waters`) or an answer with one more member is
/// refused.
#[test]
fn openapi_schemas_name_every_member_of_the_answers() {
    let s = Server::start(&[], &[]);
    let doc = get(s.addr, "/openapi.json", "").json();
    let cases = [
        ("/v1/coverage", "lon=30.5&lat=50.4&date=2024-05-01"),
        ("/v1/coverage", "lon=30.5&lat=50.4&date=2024-06-01"),
        // in the waters: land_km, land_point
        ("/v1/coverage", "lon=33.4&lat=44.5&date=2024-05-01"),
        // outside, near the border: border_km, border_point
        ("/v1/coverage", "lon=31.0&lat=52.2&date=2024-05-01"),
        ("/v1/coverage", "lon=37.5&lat=48.0&date=2024-05-01&distance=true"),
        ("/v1/coverage", "lon=37.5&lat=48.0&datetime=2024-05-01T12:00:00Z"),
        // every source's verdict
        ("/v1/coverage", "lon=37.5&lat=48.0&date=2024-05-01&sources=all"),
        ("/v1/history", "lon=30.5&lat=50.4"),
        ("/v1/history", "lon=37.5&lat=48.0"),
        ("/v1/diff", "from=2024-01-01&to=2024-06-01"),
        ("/v1/diff", "from=2024-01-01&to=2024-09-01&raw=true"),
        ("/v1/timeline", ""),
        ("/v1/timeline", "date=2024-05-01"),
        ("/v1/timeline", "datetime=2024-05-01T12:00:00Z"),
        ("/v1/timeline", "raw=true"),
    ];
    let mut answers = Vec::new();
    for (path, query) in cases {
        let r = get(s.addr, &format!("{path}?{query}"), "");
        assert_eq!(r.status, 200, "{path}?{query}: {}", r.text());
        let v = r.json();
        let mut problems = Vec::new();
        schema_problems(&doc, answer_schema(&doc, path), &v, "", &mut problems);
        assert!(problems.is_empty(), "{path}?{query}: {problems:#?}");
        answers.push((path, query, v));
    }
    // Members that only some answers carry were met at least once (else the cases above no
    // longer reach them and the check of their schema is empty).
    let text: String = answers.iter().map(|(_, _, v)| v.to_string()).collect();
    for m in [
        "land_km",
        "border_point",
        "line_of_contact_nearest",
        "warning",
        "in_waters",
        "\"waters\":{",
        "time_zone",
        "\"datetime\"",
        "\"agree\"",
    ] {
        assert!(text.contains(m), "no answer carried {m}");
    }
    // The check fails where it should.
    let diff = &answers.iter().find(|(p, _, _)| *p == "/v1/diff").unwrap().2;
    assert!(!diff["features"].as_array().unwrap().is_empty());
    for (schema, member) in [("DiffPartProperties", "in_waters"), ("DiffTotals", "waters")] {
        let mut broken = doc.clone();
        let s = &mut broken["components"]["schemas"][schema];
        let props = if s["allOf"].is_array() {
            &mut s["allOf"][1]["properties"]
        } else {
            &mut s["properties"]
        };
        assert!(
            props.as_object_mut().unwrap().remove(member).is_some(),
            "{schema}.{member}"
        );
        let mut problems = Vec::new();
        schema_problems(&broken, answer_schema(&broken, "/v1/diff"), diff, "", &mut problems);
        assert!(
            problems.iter().any(|p| p.contains(member)),
            "{schema} without {member}: {problems:?}"
        );
    }
    let mut extra = diff.clone();
    extra["frontline"]["totals"]["waters"]["extra_km2"] = serde_json::json!(1.0);
    let mut problems = Vec::new();
    schema_problems(&doc, answer_schema(&doc, "/v1/diff"), &extra, "", &mut problems);
    assert!(
        problems.len() == 1
            && problems[0].contains(".frontline.totals.waters.extra_km2: in the answer, not in the schema"),
        "{problems:?}"
    );
    store_answers_match_their_closed_schemas(&doc);
}

/// The store's answers (ingest 201 and 200, its 422 with typed findings, `PUT /v1/sources`
/// 201 and 200) against their schemas, which are closed (`additionalProperties: false`), member
/// by member; and a finding with one more member is refused by the walk.
fn store_answers_match_their_closed_schemas(doc: &Value) {
    let dir = tempfile::tempdir().unwrap();
    let root = common::copy_embedded_geodata(dir.path(), false);
    let token = "0123456789abcdef-schemas";
    let s = Server::start(
        &["--data", root.to_str().unwrap()],
        &[("FRONTLINE_INGEST_TOKEN", token)],
    );
    let schemas = &doc["components"]["schemas"];
    for name in ["Ingested", "SourceWritten", "BodyFinding", "Problem"] {
        assert_eq!(schemas[name]["additionalProperties"], false, "{name} is not closed");
    }
    let response = |path: &str, method: &str, status: &str| -> Value {
        let content = &doc["paths"][path][method]["responses"][status]["content"];
        content.as_object().unwrap().values().next().unwrap()["schema"].clone()
    };
    let check = |schema: &Value, answer: &Value, what: &str| {
        let mut problems = Vec::new();
        schema_problems(doc, schema, answer, "", &mut problems);
        assert!(problems.is_empty(), "{what}: {problems:#?} in {answer}");
    };
    let auth = format!("Authorization: Bearer {token}\r\nContent-Type: application/geo+json\r\n");
    let square = |size: f64| {
        format!(
            r#"{{"type":"FeatureCollection","features":[{{"type":"Feature","properties":{{"status":"occupied"}},"geometry":{{"type":"Polygon","coordinates":[[[37.0,48.0],[{x},48.0],[{x},{y}],[37.0,{y}],[37.0,48.0]]]}}}}]}}"#,
            x = 37.0 + size,
            y = 48.0 + size
        )
    };
    let post = |query: &str, body: &str| {
        request(
            s.addr,
            "POST",
            &format!("/v1/snapshots?{query}"),
            &auth,
            body.as_bytes(),
        )
    };
    for (query, body, status) in [
        ("source=example&date=2025-02-01", square(0.2), 201),
        ("source=example&date=2025-02-01", square(0.2), 200),
        ("source=example&date=2025-02-01&replace=true", square(0.3), 200),
    ] {
        let r = post(query, &body);
        assert_eq!(r.status, status, "{query}: {}", r.text());
        check(
            &response("/v1/snapshots", "post", &status.to_string()),
            &r.json(),
            query,
        );
    }
    // A refused snapshot: every finding typed (code, feature, location, message).
    let bad = r#"{"type":"FeatureCollection","features":[
        {"type":"Feature","properties":{"status":"won"},"geometry":{"type":"Polygon","coordinates":[[[35,48],[36,48],[36,49],[35,48]]]}},
        {"type":"Feature","properties":{"status":"occupied"},"geometry":{"type":"Polygon","coordinates":[[[35,48],[36,49],[36,48],[35,49],[35,48]]]}},
        {"type":"Feature","properties":{"status":"occupied"},"geometry":{"type":"Polygon","coordinates":[[[35,48,0,1],[36,48],[36,49],[35,48]]]}}]}"#;
    let r = post("source=example&date=2025-02-02", bad);
    assert_eq!(r.status, 422, "{}", r.text());
    let v = r.json();
    check(&response("/v1/snapshots", "post", "422"), &v, "422");
    let findings = v["problems"].as_array().unwrap();
    assert!(findings.len() >= 3, "{v}");
    for f in findings {
        assert!(
            f["code"].as_str().is_some_and(|c| !c.is_empty() && !c.contains(' ')),
            "{f}"
        );
        assert!(f["feature"].as_u64().is_some(), "{f}");
        assert!(!f["message"].as_str().unwrap().is_empty(), "{f}");
    }
    let codes: Vec<&str> = findings.iter().map(|f| f["code"].as_str().unwrap()).collect();
    assert!(codes.contains(&"position"), "{codes:?}");
    assert_eq!(findings.iter().filter(|f| f["feature"] == 2).count(), 1, "{v}");
    // An empty snapshot without allow_empty: a finding of the whole body.
    let r = post(
        "source=example&date=2025-02-03",
        r#"{"type":"FeatureCollection","features":[]}"#,
    );
    assert_eq!(r.status, 422, "{}", r.text());
    let v = r.json();
    check(&response("/v1/snapshots", "post", "422"), &v, "empty");
    assert_eq!(v["problems"][0]["code"], "empty-snapshot", "{v}");
    assert!(v["problems"][0].get("feature").is_none(), "{v}");
    // The walk refuses a finding with a member its schema does not name.
    let mut extra = v.clone();
    extra["problems"][0]["severity"] = serde_json::json!("high");
    let mut problems = Vec::new();
    schema_problems(
        doc,
        &response("/v1/snapshots", "post", "422"),
        &extra,
        "",
        &mut problems,
    );
    assert!(problems.iter().any(|p| p.contains("severity")), "{problems:?}");
    // PUT /v1/sources: created (201), then replaced (200).
    let put_auth = format!("Authorization: Bearer {token}\r\nContent-Type: application/json\r\n");
    for (body, status) in [
        (
            r#"{"licence":"CC BY 4.0","attribution":"Example","url":"https://example.org","description":"one"}"#,
            201,
        ),
        (
            r#"{"licence":"CC BY 4.0","attribution":"Example","url":"https://example.org","description":"two"}"#,
            200,
        ),
    ] {
        let r = request(s.addr, "PUT", "/v1/sources/schemas", &put_auth, body.as_bytes());
        assert_eq!(r.status, status, "{}", r.text());
        check(
            &response("/v1/sources/{name}", "put", &status.to_string()),
            &r.json(),
            body,
        );
    }
}

/// Issue 11 item 6 as a class: one rule for compressed request bodies on every route that reads a
/// body (every POST and PUT of the route table): any coding other than `identity` in
/// `Content-Encoding`, in any case, in a list or in a second field, is a 415 problem naming the
/// coding, with `Accept-Encoding: identity` (RFC 9110 15.5.16), decided before the route's
/// parameters, Content-Type or body are looked at (gzip-labelled `{}` on /v1/classify without a
/// date was a 400); `identity` (any case) or no Content-Encoding is read as before.
#[test]
fn every_body_route_refuses_a_compressed_body_with_415_and_accept_encoding_identity() {
    use frontline::http::table::ROUTES;
    let dir = tempfile::tempdir().unwrap();
    let root = common::copy_embedded_geodata(dir.path(), false);
    let token = dir.path().join("token");
    std::fs::write(&token, "secret-token-0123456789").unwrap();
    let s = Server::with_ingest(&root, &token);
    let auth = "Authorization: Bearer secret-token-0123456789\r\n";
    let csv = b"id,lon,lat\n1,30.5,50.4\n".to_vec();
    let geo = br#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[30.5,50.4]}}]}"#.to_vec();
    let scenario = br#"{"source": "example", "ceasefire_date": "2024-09-01"}"#.to_vec();
    let snapshot = br#"{"type":"FeatureCollection","frontline":{"kind":"snapshot","source":"example","date":"2024-10-01","synthetic":true},"features":[]}"#.to_vec();
    // (method, target, content type, body, status with an identity body)
    let samples = |method: &str, path: &str| -> Vec<(String, &'static str, Vec<u8>, u16)> {
        match (method, path) {
            ("POST", "/v1/classify") => vec![
                ("/v1/classify?date=2024-05-01".into(), "text/csv", csv.clone(), 200),
                (
                    "/v1/classify?date=2024-05-01".into(),
                    "application/geo+json",
                    geo.clone(),
                    200,
                ),
                ("/v1/classify".into(), "application/json", b"{}".to_vec(), 400),
            ],
            ("POST", "/v1/history") => vec![
                ("/v1/history".into(), "text/csv", csv.clone(), 200),
                ("/v1/history".into(), "application/geo+json", geo.clone(), 200),
            ],
            ("POST", "/v1/snapshots") => vec![(
                "/v1/snapshots?source=example&date=2024-10-01&allow_empty=true".into(),
                "application/geo+json",
                snapshot.clone(),
                201,
            )],
            ("PUT", "/v1/sources/{name}") => vec![(
                "/v1/sources/declared".into(),
                "application/json",
                br#"{"licence": "CC BY 4.0", "attribution": "Example", "url": "https://example.org", "time_zone": "Europe/Kyiv"}"#.to_vec(),
                201,
            )],
            ("POST", "/v1/scenarios") => vec![("/v1/scenarios".into(), "application/json", scenario.clone(), 201)],
            ("POST", "/v1/scenarios/preview") => {
                vec![(
                    "/v1/scenarios/preview".into(),
                    "application/json",
                    scenario.clone(),
                    200,
                )]
            }
            other => panic!("{other:?} reads a body: add a sample for it to this test"),
        }
    };
    let refused = [
        "Content-Encoding: gzip\r\n",
        "Content-Encoding: br\r\n",
        "Content-Encoding: deflate\r\n",
        "Content-Encoding: GZIP\r\n",
        "Content-Encoding: identity, gzip\r\n",
        "Content-Encoding: x-unknown\r\n",
        "Content-Encoding: identity\r\nContent-Encoding: zstd\r\n",
    ];
    let send = |method: &str, target: &str, headers: &str, body: &[u8]| request(s.addr, method, target, headers, body);
    let mut routes = 0;
    for route in ROUTES {
        for method in route.methods.iter().filter(|m| ["POST", "PUT"].contains(&m.as_str())) {
            routes += 1;
            for (target, ct, body, ok) in samples(method.as_str(), route.path) {
                for enc in refused {
                    let r = send(
                        method.as_str(),
                        &target,
                        &format!("Content-Type: {ct}\r\n{auth}{enc}"),
                        &body,
                    );
                    r.assert_problem(415, "Content-Encoding");
                    assert_eq!(r.header("accept-encoding"), Some("identity"), "{method} {target} {enc}");
                    let coding = enc.trim_end().rsplit([' ', ',']).next().unwrap();
                    assert!(r.text().contains(coding), "{method} {target} {enc}: {}", r.text());
                }
                // Identity, in any case, or no Content-Encoding: the body is read as before.
                for (i, enc) in ["", "Content-Encoding: identity\r\n", "Content-Encoding: IDENTITY\r\n"]
                    .iter()
                    .enumerate()
                {
                    let r = send(
                        method.as_str(),
                        &target,
                        &format!("Content-Type: {ct}\r\n{auth}{enc}"),
                        &body,
                    );
                    // Storing answers 201 once, then 200 (same content) for the same document.
                    let want = if i > 0 && ok == 201 { [200, 201] } else { [ok, ok] };
                    assert!(
                        want.contains(&r.status),
                        "{method} {target} {enc:?}: {} {}",
                        r.status,
                        r.text()
                    );
                }
                // A JSON body is UTF-8 (RFC 8259 8.1): another declared charset is a 415
                // naming it, never bytes read as something they are not; utf-8 is accepted.
                if ct.contains("json") {
                    let with_charset = |charset: &str| {
                        send(
                            method.as_str(),
                            &target,
                            &format!("Content-Type: {ct}; charset={charset}\r\n{auth}"),
                            &body,
                        )
                    };
                    for charset in ["windows-1251", "\"x-foo\"", "utf-16le", "latin1"] {
                        let r = with_charset(charset);
                        r.assert_problem(415, "RFC 8259");
                        assert!(r.text().contains(charset.trim_matches('"')), "{}", r.text());
                    }
                    for charset in ["utf-8", "\"UTF-8\""] {
                        let r = with_charset(charset);
                        let want = if ok == 201 { [200, 201] } else { [ok, ok] };
                        assert!(
                            want.contains(&r.status),
                            "{method} {target} {charset}: {} {}",
                            r.status,
                            r.text()
                        );
                    }
                }
            }
        }
    }
    assert!(routes >= 6, "{routes} body routes in the table");
}

/// Issue 9 item 1 (RFC 9110 §13.1, order of §13.2.2), as a class over the route table: every
/// GET route (and HEAD) answers a failing `If-Match` or `If-Unmodified-Since` with a 412
/// problem, `If-Match: *` passes; the write routes evaluate the four fields against the state
/// live when they hold the writer lock, refuse with 412 without writing, and answer the new
/// `ETag`, which a following conditional write names in `If-Match`.
#[test]
fn preconditions_are_evaluated_on_every_get_and_write_route() {
    use frontline::http::table::ROUTES;
    let token = "0123456789abcdef-preconditions";
    let dir = tempfile::tempdir().unwrap();
    let root = common::copy_embedded_geodata(dir.path(), false);
    let s = Server::start(
        &["--data", root.to_str().unwrap()],
        &[("FRONTLINE_INGEST_TOKEN", token)],
    );
    let long_ago = "Sat, 01 Jan 2000 00:00:00 GMT";
    // Every GET route of the table has a sample here.
    for r in ROUTES.iter().filter(|r| r.methods.contains(&warp::http::Method::GET)) {
        let sample = GET_ROUTES
            .iter()
            .chain(
                [
                    "/v1/agreement",
                    "/v1/agreement/timeline",
                    "/v1/scenarios",
                    "/v1/scenarios/presets",
                ]
                .iter(),
            )
            .any(|t| {
                frontline::http::table::find(t.split('?').next().unwrap()) == frontline::http::table::find(r.path)
            });
        let skipped = r.path.contains("{id}") || r.path.starts_with("/v1/tiles/");
        assert!(sample || skipped, "{}: no sample request", r.path);
    }
    let mut targets: Vec<&str> = GET_ROUTES.to_vec();
    targets.extend(["/v1/tiles/example/2024-05-01.json", "/v1/scenarios/presets"]);
    for target in targets {
        let g = get(s.addr, target, "");
        assert_eq!(g.status, 200, "GET {target}: {}", g.text());
        for method in ["GET", "HEAD"] {
            let at = format!("{method} {target}");
            for bad in ["If-Match: \"nope\"\r\n", "If-Match: \"a\", \"b\"\r\n"] {
                let r = request(s.addr, method, target, bad, b"");
                assert_eq!(r.status, 412, "{at} {bad}");
                if method == "GET" {
                    r.assert_problem(412, "If-Match");
                }
            }
            if let Some(e) = g.header("etag").filter(|e| e.starts_with("W/")) {
                // A weak tag never matches by the strong comparison If-Match uses.
                let r = request(s.addr, method, target, &format!("If-Match: {e}\r\n"), b"");
                assert_eq!(r.status, 412, "{at}");
            }
            let r = request(s.addr, method, target, "If-Match: *\r\n", b"");
            assert_eq!(r.status, 200, "{at} If-Match: *");
            let r = request(
                s.addr,
                method,
                target,
                &format!("If-Unmodified-Since: {long_ago}\r\n"),
                b"",
            );
            if g.header("last-modified").is_some() {
                assert_eq!(r.status, 412, "{at} If-Unmodified-Since");
            } else {
                assert_eq!(r.status, 200, "{at}: no Last-Modified, If-Unmodified-Since ignored");
            }
            // If-Match decides over If-None-Match (§13.2.2).
            let r = request(
                s.addr,
                method,
                target,
                "If-Match: \"nope\"\r\nIf-None-Match: *\r\n",
                b"",
            );
            assert_eq!(r.status, 412, "{at}");
        }
    }

    // The write routes.
    let auth = format!("Authorization: Bearer {token}\r\n");
    let describe = |extra: &str, licence: &str| {
        let body = serde_json::json!({"licence": licence, "attribution": "Example", "baselines": []}).to_string();
        request(
            s.addr,
            "PUT",
            "/v1/sources/monitor",
            &format!("{auth}Content-Type: application/json\r\n{extra}"),
            body.as_bytes(),
        )
    };
    let poly = |x: f64| {
        format!(
            r#"{{"type":"FeatureCollection","features":[{{"type":"Feature","properties":{{"status":"occupied"}},"geometry":{{"type":"Polygon","coordinates":[[[{x},48.0],[{x1},48.0],[{x1},48.2],[{x},48.2],[{x},48.0]]]}}}}]}}"#,
            x1 = x + 0.2
        )
    };
    let ingest = |extra: &str, date: &str, x: f64| {
        request(
            s.addr,
            "POST",
            &format!("/v1/snapshots?source=example&date={date}&replace=true"),
            &format!("{auth}Content-Type: application/geo+json\r\n{extra}"),
            poly(x).as_bytes(),
        )
    };
    // A source that does not exist: If-Match: * fails, and nothing is written.
    describe("If-Match: *\r\n", "CC BY 4.0").assert_problem(412, "If-Match");
    assert!(!root.join("sources/monitor").exists(), "a refused write wrote");
    let created = describe("If-None-Match: *\r\n", "CC BY 4.0");
    assert_eq!(created.status, 201, "{}", created.text());
    let e1 = created.header("etag").expect("a write answers its ETag").to_string();
    assert!(e1.starts_with('"'), "{e1}");
    describe("If-None-Match: *\r\n", "CC BY 4.0").assert_problem(412, "If-None-Match");
    describe("If-Match: \"nope\"\r\n", "CC0").assert_problem(412, "If-Match");
    describe(&format!("If-Unmodified-Since: {long_ago}\r\n"), "CC0").assert_problem(412, "If-Unmodified-Since");
    let kept = std::fs::read_to_string(root.join("sources/monitor/source.json")).unwrap();
    assert!(kept.contains("CC BY 4.0"), "a refused write wrote: {kept}");
    std::thread::sleep(Duration::from_millis(1100));
    let w = describe(&format!("If-Match: {e1}\r\n"), "CC0");
    assert_eq!(w.status, 200, "{}", w.text());
    let e2 = w.header("etag").unwrap().to_string();
    assert_ne!(e1, e2, "the write changed the state");
    // A write over the old tag lost the race: refused.
    describe(&format!("If-Match: {e1}\r\n"), "CC BY-SA 4.0").assert_problem(412, "If-Match");
    // POST /v1/snapshots, against the same state.
    ingest("If-Match: \"nope\"\r\n", "2024-09-15", 37.0).assert_problem(412, "If-Match");
    ingest(&format!("If-Match: {e1}\r\n"), "2024-09-15", 37.0).assert_problem(412, "If-Match");
    ingest("If-None-Match: *\r\n", "2024-09-15", 37.0).assert_problem(412, "If-None-Match");
    ingest(&format!("If-Unmodified-Since: {long_ago}\r\n"), "2024-09-15", 37.0)
        .assert_problem(412, "If-Unmodified-Since");
    let snaps = get(s.addr, "/v1/snapshots?source=example", "").text();
    assert!(!snaps.contains("2024-09-15"), "a refused ingest went live: {snaps}");
    let i = ingest(&format!("If-Match: {e2}\r\n"), "2024-09-15", 37.0);
    assert!(i.status == 201 || i.status == 200, "{}", i.text());
    let e3 = i.header("etag").unwrap().to_string();
    assert_ne!(e3, e2);
    ingest(&format!("If-Match: {e2}\r\n"), "2024-09-15", 37.5).assert_problem(412, "If-Match");
    let i = ingest(&format!("If-Match: {e3}\r\n"), "2024-09-16", 37.5);
    assert!(i.status == 201 || i.status == 200, "{}", i.text());
}

/// Issue 9 fault 3: HEAD on a route whose GET answers 204 (an empty tile, of every tile route
/// that has one) carries GET's headers and no Content-Length (RFC 9110 §8.6: a 204 has none).
#[test]
fn head_of_a_204_answer_has_no_content_length() {
    let s = Server::start(&[], &[]);
    let mut empty_tiles = Vec::new();
    for doc_path in [
        "/v1/tiles/example/2024-05-01.json",
        "/v1/tiles/example/diff/2024-01-01/2024-06-01.json",
    ] {
        let d = get(s.addr, doc_path, "");
        assert_eq!(d.status, 200, "{doc_path}: {}", d.text());
        let t = d.json()["tiles"][0].as_str().unwrap().to_string();
        let path = t.split_once("/v1/").map(|(_, p)| format!("/v1/{p}")).unwrap();
        empty_tiles.push(path.replace("{z}", "5").replace("{x}", "0").replace("{y}", "0"));
    }
    for path in empty_tiles {
        let g = get(s.addr, &path, "");
        assert_eq!(g.status, 204, "GET {path}");
        assert_eq!(g.header("content-length"), None, "GET {path}");
        let h = request(s.addr, "HEAD", &path, "", b"");
        assert_eq!(h.status, 204, "HEAD {path}");
        assert_eq!(h.header("content-length"), None, "HEAD {path}: {:?}", h.headers);
        for name in ["etag", "cache-control", "last-modified", "content-type"] {
            assert_eq!(h.header(name), g.header(name), "HEAD {path}: {name}");
        }
    }
}

/// Issue 9 fault 10: an instant near the end (or the start) of the calendar is refused with a
/// 400 naming the parameter, on every route and parameter that takes one, never answered with
/// a `+10000-...` year.
#[test]
fn instants_outside_the_four_digit_years_are_refused() {
    let s = Server::start(&[], &[]);
    for t in [
        "9999-12-31T23:59:59Z",
        "9999-12-31T12:00:00-10:00",
        "0001-01-01T00:00:00Z",
    ] {
        for (target, parameter) in [
            (format!("/v1/coverage?lon=30.5&lat=50.4&datetime={t}"), "datetime"),
            (format!("/v1/timeline?datetime={t}"), "datetime"),
            (format!("/v1/layers/occupied?datetime={t}"), "datetime"),
            (
                format!("/v1/coverage?lon=30.5&lat=50.4&date=2024-05-01&known_at={t}"),
                "known_at",
            ),
        ] {
            let target = target.replace('+', "%2B");
            let r = get(s.addr, &target, "");
            r.assert_problem(400, "outside the instants answered");
            assert_eq!(r.json()["parameter"], parameter, "{target}");
            assert!(!r.text().contains("+10000"), "{target}: {}", r.text());
        }
    }
    let ok = get(
        s.addr,
        "/v1/coverage?lon=30.5&lat=50.4&datetime=2024-05-01T12:00:00Z",
        "",
    );
    assert_eq!(ok.status, 200, "{}", ok.text());
}

/// The members of an answer's `Vary`, in lower case; it must be one line.
fn vary_members(r: &Reply) -> Vec<String> {
    let lines: Vec<&str> = r
        .headers
        .iter()
        .filter(|(k, _)| k == "vary")
        .map(|(_, v)| v.as_str())
        .collect();
    assert!(lines.len() <= 1, "one Vary line: {lines:?}");
    lines
        .first()
        .map(|l| l.split(',').map(|m| m.trim().to_ascii_lowercase()).collect())
        .unwrap_or_default()
}

/// Issue 9, fresh tester F2: with CORS on, whether an answer carries `Access-Control-*`
/// depends on `Origin` (for an allow-list and for `*`, whose answers echo the origin), so every
/// answer says `Vary: Origin`, also to a request without one (a shared cache must not give that
/// answer to a cross-origin request): 200, 304, HEAD, OPTIONS, preflights, problems (400, 404,
/// 405). One `Vary` line, each member once, merged with the route's own (`Accept-Encoding`,
/// `Accept`). Without CORS no answer depends on `Origin`, and none says so.
#[test]
fn vary_origin_is_on_every_answer_when_cors_is_on() {
    let coverage = "/v1/coverage?lon=30&lat=50&date=2024-05-01";
    let layer = "/v1/layers/occupied?date=2024-05-01";
    let (allowed, other) = ("Origin: https://dash.example\r\n", "Origin: https://evil.example\r\n");
    let preflight = |origin: &str| format!("{origin}Access-Control-Request-Method: GET\r\n");
    for origins in ["https://dash.example", "*"] {
        let s = Server::start(&["--cors-origin", origins], &[]);
        let lm = get(s.addr, layer, "").header("last-modified").unwrap().to_string();
        let other_preflight = if origins == "*" { 204 } else { 403 };
        let cases = [
            ("GET, no Origin", get(s.addr, coverage, ""), 200),
            ("GET, allowed Origin", get(s.addr, coverage, allowed), 200),
            ("GET, other Origin", get(s.addr, coverage, other), 200),
            ("304", get(s.addr, layer, &format!("If-Modified-Since: {lm}\r\n")), 304),
            ("HEAD", request(s.addr, "HEAD", coverage, "", b""), 200),
            ("OPTIONS", request(s.addr, "OPTIONS", coverage, "", b""), 204),
            (
                "preflight",
                request(s.addr, "OPTIONS", coverage, &preflight(allowed), b""),
                204,
            ),
            (
                "preflight, other Origin",
                request(s.addr, "OPTIONS", coverage, &preflight(other), b""),
                other_preflight,
            ),
            ("400", get(s.addr, "/v1/coverage?lon=x&lat=50", ""), 400),
            ("404", get(s.addr, "/v1/nowhere", allowed), 404),
            ("405", request(s.addr, "DELETE", coverage, "", b""), 405),
            ("gzip layer", get(s.addr, layer, "Accept-Encoding: gzip\r\n"), 200),
            ("index", get(s.addr, "/", allowed), 200),
        ];
        for (what, r, status) in &cases {
            assert_eq!(r.status, *status, "{origins}, {what}: {}", r.text());
            let members = vary_members(r);
            for m in &members {
                assert_eq!(
                    members.iter().filter(|x| *x == m).count(),
                    1,
                    "{origins}, {what}: {members:?}"
                );
            }
            assert!(
                members.contains(&"origin".to_string()),
                "{origins}, {what}: {members:?}"
            );
        }
        assert!(vary_members(&cases[11].1).contains(&"accept-encoding".to_string()));
        let index = vary_members(&cases[12].1);
        assert!(index.contains(&"accept".to_string()) && index.contains(&"accept-encoding".to_string()));
    }
    let s = Server::start(&[], &[]);
    for r in [get(s.addr, coverage, allowed), get(s.addr, layer, other)] {
        assert!(!vary_members(&r).contains(&"origin".to_string()), "{:?}", r.headers);
    }
    assert_eq!(vary_members(&get(s.addr, layer, "")), ["accept-encoding"]);
}
