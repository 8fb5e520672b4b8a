//! Content negotiation (RFC 9110 §12.5) on every route that offers more than one
//! representation: `/` (the dashboard or the JSON index), `/v1/timeline` (JSON or CSV) and gzip
//! (`Accept-Encoding`, on layers and dashboard files). A range's weight comes from the most
//! specific range that matches; `q=0` means "not acceptable".

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod common;

use common::{Server, get};

const HTML: &str = "text/html; charset=utf-8";

#[test]
fn the_root_gives_the_page_only_when_html_is_preferred() {
    let s = Server::spawn(&["--watch-s", "0"], &[]);
    let kind = |accept: &str| {
        let r = get(s.addr, "/", &format!("Accept: {accept}\r\n"));
        (r.status, r.header("content-type").unwrap_or("").to_string())
    };
    for (accept, want) in [
        // A browser's navigation.
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", HTML),
        ("text/html", HTML),
        ("application/json;q=0, */*", HTML),
        ("text/*;q=0.6, application/json;q=0.5", HTML),
        // q=0: not acceptable, however it is written.
        ("text/html;q=0, application/json", "application/json"),
        ("text/html; q=0.0, application/json", "application/json"),
        ("text/html;Q=0.000, */*", "application/json"),
        ("text/*;q=0, */*", "application/json"),
        ("text/*, text/html;q=0, application/json;q=0.1", "application/json"),
        // Preferred by weight, ties to the API index.
        ("text/html;q=0.4, application/json;q=0.9", "application/json"),
        ("*/*", "application/json"),
        ("application/json", "application/json"),
    ] {
        assert_eq!(kind(accept), (200, want.to_string()), "Accept: {accept}");
    }
    assert_eq!(get(s.addr, "/", "").header("content-type"), Some("application/json"));
    // Neither offer acceptable: 406 naming both.
    for accept in ["image/png", "text/html;q=0, application/json;q=0", "text/csv"] {
        get(s.addr, "/", &format!("Accept: {accept}\r\n")).assert_problem(406, "text/html (the dashboard)");
    }
}

#[test]
fn the_timeline_honours_weights_and_q0() {
    let s = Server::spawn(&["--watch-s", "0"], &[]);
    let kind = |accept: &str| {
        let r = get(s.addr, "/v1/timeline?source=example", &format!("Accept: {accept}\r\n"));
        assert_eq!(r.status, 200, "{accept}: {}", r.text());
        r.header("content-type").unwrap_or("").to_string()
    };
    for (accept, csv) in [
        ("text/csv", true),
        ("text/*", true),
        ("application/json;q=0, text/csv", true),
        ("application/json;q=0.2, text/csv;q=0.8", true),
        ("*/*;q=0.1, text/csv", true),
        ("text/csv;q=0, application/json", false),
        ("text/csv;q=0, */*", false),
        ("*/*", false),
        ("text/csv, application/json", false),
    ] {
        assert_eq!(kind(accept).starts_with("text/csv"), csv, "Accept: {accept}");
    }
    get(
        s.addr,
        "/v1/timeline?source=example",
        "Accept: text/csv;q=0, application/json;q=0\r\n",
    )
    .assert_problem(406, "available: application/json, text/csv");
}

#[test]
fn gzip_is_refused_by_its_own_q0_even_under_a_wildcard() {
    let s = Server::spawn(&["--watch-s", "0"], &[]);
    for path in [
        "/dashboard/app.js",
        "/v1/layers/occupied?source=example&date=2024-05-01",
    ] {
        for (enc, gzip) in [
            ("gzip", true),
            ("*", true),
            ("br, gzip;q=0.5", true),
            ("gzip;q=0", false),
            ("gzip; q=0.000, br", false),
            ("*, gzip;q=0", false),
            ("*;q=0", false),
            ("br, identity", false),
        ] {
            let r = get(s.addr, path, &format!("Accept-Encoding: {enc}\r\n"));
            assert_eq!(r.status, 200, "{path}");
            assert_eq!(r.header("content-encoding") == Some("gzip"), gzip, "{path} with {enc}");
        }
    }
}
