//! Content negotiation (RFC 9110 §12.5) on every route that offers more than one
//! representation: `/` (the dashboard or the JSON index), `/v1/timeline` (JSON or CSV) and gzip
//! (`Accept-Encoding`, on layers and dashboard files). A range's weight comes from the most
//! specific range that matches; `q=0` means "not acceptable"; an `Accept` that none of a
//! route's forms matches gets the default JSON form (RFC 9110 §12.5.1), never a 406.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod common;

use common::{Server, get};

/// A server over the embedded geodata with a second synthetic source, `other` (a copy of
/// `example`), so that an agreement of two named sources can be answered (synthetic sources are
/// compared only when named).
fn two_sources() -> (tempfile::TempDir, Server) {
    let dir = tempfile::tempdir().unwrap();
    let root = common::copy_embedded_geodata(dir.path(), false);
    let other = root.join("sources/other");
    std::fs::create_dir_all(&other).unwrap();
    for e in std::fs::read_dir(root.join("sources/example")).unwrap() {
        let e = e.unwrap();
        let text = std::fs::read_to_string(e.path()).unwrap();
        std::fs::write(
            other.join(e.file_name()),
            text.replace(r#""source":"example""#, r#""source":"other""#),
        )
        .unwrap();
    }
    let s = Server::spawn(&["--data", root.to_str().unwrap(), "--watch-s", "0"], &[]);
    (dir, s)
}

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
    // Neither offer acceptable: the default form, the JSON index (RFC 9110 §12.5.1), never 406.
    for accept in ["image/png", "text/html;q=0, application/json;q=0", "text/csv"] {
        assert_eq!(kind(accept), (200, "application/json".to_string()), "Accept: {accept}");
        let vary = get(s.addr, "/", &format!("Accept: {accept}\r\n"))
            .header("vary")
            .unwrap_or("")
            .to_string();
        assert!(vary.contains("Accept"), "Accept: {accept}: Vary {vary}");
    }
}

#[test]
fn the_timeline_honours_weights_and_q0() {
    let (_dir, s) = two_sources();
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
    // Neither form acceptable: the default one, JSON (RFC 9110 §12.5.1), with Vary: Accept.
    for accept in ["text/csv;q=0, application/json;q=0", "image/png"] {
        assert_eq!(kind(accept), "application/json", "Accept: {accept}");
    }
    for path in [
        "/v1/timeline?source=example",
        "/v1/agreement/timeline?sources=example,other",
    ] {
        for accept in ["image/png", "text/csv", "application/json;q=0.1, text/csv"] {
            let r = get(s.addr, path, &format!("Accept: {accept}\r\n"));
            assert_eq!(r.status, 200, "{path} {accept}: {}", r.text());
            assert!(
                r.header("vary").unwrap_or("").contains("Accept"),
                "{path} {accept}: {:?}",
                r.headers
            );
        }
        let csv = get(s.addr, path, "Accept: text/csv;q=0, application/json\r\n");
        assert_eq!(csv.header("content-type"), Some("application/json"), "{path}");
    }
}

/// Issue 9 fault 4: one weak or strong validator per representation: the JSON, CSV and HTML
/// forms of a negotiating route, and its gzip and identity bodies, never share an ETag; each
/// negotiating route says by what in `Vary`.
#[test]
fn every_representation_has_its_own_validator_and_vary() {
    let (_dir, s) = two_sources();
    let tag = |path: &str, extra: &str| {
        let r = get(s.addr, path, extra);
        assert_eq!(r.status, 200, "{path} {extra}: {}", r.text());
        (
            r.header("etag")
                .unwrap_or_else(|| panic!("{path} {extra}: no ETag"))
                .to_string(),
            r.header("content-type").unwrap_or("").to_string(),
            r.header("content-encoding").unwrap_or("").to_string(),
            r.header("vary").unwrap_or("").to_string(),
        )
    };
    let cases: [(&str, &[&str], &[&str]); 5] = [
        (
            "/",
            &[
                "",
                "Accept: text/html\r\n",
                "Accept: text/html\r\nAccept-Encoding: gzip\r\n",
                "Accept-Encoding: gzip\r\n",
            ],
            &["Accept", "Accept-Encoding"],
        ),
        ("/v1/timeline", &["", "Accept: text/csv\r\n"], &["Accept"]),
        (
            "/v1/agreement/timeline?sources=example,other",
            &["", "Accept: text/csv\r\n"],
            &["Accept"],
        ),
        (
            "/v1/layers/occupied?date=2024-05-01",
            &["", "Accept-Encoding: gzip\r\n"],
            &["Accept-Encoding"],
        ),
        (
            "/dashboard/app.js",
            &["", "Accept-Encoding: gzip\r\n"],
            &["Accept-Encoding"],
        ),
    ];
    for (path, requests, vary) in cases {
        let answers: Vec<_> = requests.iter().map(|e| tag(path, e)).collect();
        for (i, a) in answers.iter().enumerate() {
            for v in vary {
                assert!(a.3.contains(v), "{path} {:?}: Vary {}", requests[i], a.3);
            }
            for (j, b) in answers.iter().enumerate().skip(i + 1) {
                if (&a.1, &a.2) != (&b.1, &b.2) {
                    assert_ne!(a.0, b.0, "{path}: {:?} and {:?} share a tag", requests[i], requests[j]);
                }
            }
        }
        let forms: std::collections::BTreeSet<_> = answers.iter().map(|a| (a.1.clone(), a.2.clone())).collect();
        assert!(forms.len() >= 2, "{path}: one form only: {forms:?}");
        // Each tag answers 304 to a request for its own representation only.
        for (i, a) in answers.iter().enumerate() {
            let r = get(s.addr, path, &format!("{}If-None-Match: {}\r\n", requests[i], a.0));
            assert_eq!(r.status, 304, "{path} {:?}", requests[i]);
        }
    }
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
            // q-values between the coding and identity (issue 9 fault 6).
            ("gzip;q=0, identity", false),
            ("br;q=1, gzip;q=0.5", true),
            ("gzip;q=0.5, identity", false),
            ("gzip, identity;q=0.5", true),
            ("*;q=0, identity;q=0", false),
            ("gzip;q=0, identity;q=0", false),
        ] {
            let r = get(s.addr, path, &format!("Accept-Encoding: {enc}\r\n"));
            assert_eq!(r.status, 200, "{path}");
            assert_eq!(r.header("content-encoding") == Some("gzip"), gzip, "{path} with {enc}");
        }
    }
}
