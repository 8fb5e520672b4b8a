//! CSV input read as RFC 4180 on every route that reads it, with the same answer and the same
//! message everywhere: `frontline classify FILE`, `frontline history --points FILE`,
//! `POST /v1/classify` and `POST /v1/history` with `text/csv` (cases csv-01..05 of
//! ../shared/cases/round2 and more of their class), and CSV in other charsets (windows-1251).

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Command, Output};
use std::time::Duration;

mod common;

use common::Server;

use common::repo;

const SNAP: &str = "example:2024-03-01";
const KYIV: &str = "30.5234,50.4501";

impl Server {
    fn start() -> Server {
        Server::spawn(&[], &[])
    }

    /// POSTs `body` with `content_type`; the status, the Content-Type and the body (dechunked).
    fn post(&self, path: &str, content_type: &str, body: &[u8]) -> (u16, String, Vec<u8>) {
        let mut s = TcpStream::connect(self.addr).expect("connect");
        s.set_read_timeout(Some(Duration::from_secs(60))).expect("timeout");
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: t\r\nConnection: close\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\r\n",
            body.len()
        );
        let _ = s.write_all(head.as_bytes());
        let _ = s.write_all(body);
        let mut data = Vec::new();
        let _ = s.read_to_end(&mut data);
        let split = data.windows(4).position(|w| w == b"\r\n\r\n").expect("head");
        let head = String::from_utf8_lossy(&data[..split]).into_owned();
        let status: u16 = head.split(' ').nth(1).and_then(|c| c.parse().ok()).expect("status");
        let header = |name: &str| {
            head.lines()
                .filter_map(|l| l.split_once(':'))
                .find(|(k, _)| k.trim().eq_ignore_ascii_case(name))
                .map(|(_, v)| v.trim().to_string())
                .unwrap_or_default()
        };
        let mut body = data[split + 4..].to_vec();
        if header("transfer-encoding").contains("chunked") {
            let mut out = Vec::new();
            let mut b = &body[..];
            while let Some(eol) = b.windows(2).position(|w| w == b"\r\n") {
                let n = usize::from_str_radix(String::from_utf8_lossy(&b[..eol]).trim(), 16).expect("chunk size");
                if n == 0 {
                    break;
                }
                out.extend_from_slice(&b[eol + 2..eol + 2 + n]);
                b = &b[eol + 2 + n + 2..];
            }
            body = out;
        }
        (status, header("content-type"), body)
    }
}

fn frontline(args: &[&str]) -> Output {
    let o = Command::new(env!("CARGO_BIN_EXE_frontline"))
        .args(args)
        .current_dir(repo())
        .output()
        .expect("run frontline");
    assert_ne!(
        o.status.code(),
        Some(101),
        "panicked: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    o
}

/// The `detail` of a problem+json answer.
fn detail(body: &[u8]) -> String {
    let v: serde_json::Value =
        serde_json::from_slice(body).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(body)));
    v["detail"].as_str().unwrap_or("").to_string()
}

/// What a CSV input must give.
enum Want<'a> {
    /// The classification's output, exactly (header and rows, LF line ends).
    Rows(&'a str),
    /// An error whose message contains this (on the CLI: exit 2 and stderr; over HTTP: a 400).
    Error(&'a str),
}

/// Checks one input on the four routes: classify and history, CLI and HTTP. `cli` and `query`
/// are the extra CLI arguments and query parameters (the same option both ways).
fn check(s: &Server, name: &str, input: &[u8], cli: &[&str], query: &str, content_type: &str, want: Want<'_>) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("in.csv");
    std::fs::write(&file, input).unwrap();
    let file = file.to_str().unwrap();
    let mut classify_args = vec!["classify", file, "--date", "2024-03-01"];
    classify_args.extend(cli);
    let mut history_args = vec!["history", "--points", file];
    history_args.extend(cli);
    let c = frontline(&classify_args);
    let h = frontline(&history_args);
    let (status, ct, body) = s.post(&format!("/v1/classify?date=2024-03-01{query}"), content_type, input);
    let (hstatus, hct, hbody) = s.post(
        &format!("/v1/history?{}", query.trim_start_matches('&')),
        content_type,
        input,
    );
    let text = |b: &[u8]| String::from_utf8(b.to_vec()).unwrap_or_else(|_| panic!("{name}: answer is not UTF-8"));
    match want {
        Want::Rows(rows) => {
            assert_eq!(
                c.status.code(),
                Some(0),
                "{name}: {}",
                String::from_utf8_lossy(&c.stderr)
            );
            assert_eq!(text(&c.stdout), rows, "{name}: CLI classify");
            assert_eq!(status, 200, "{name}: {}", String::from_utf8_lossy(&body));
            assert_eq!(ct, "text/csv; charset=utf-8", "{name}");
            assert_eq!(text(&body), rows, "{name}: HTTP classify");
            // History: the same input columns, then the intervals (one here: covered since the start).
            let suffix = format!(",covered,{SNAP},false\n");
            let mut lines = rows.split_inclusive('\n');
            let header = lines
                .next()
                .unwrap()
                .strip_suffix(",status,snapshot,revised\n")
                .unwrap();
            let mut want_h = format!("{header},from,to,status,snapshot,last_snapshot,revised\n");
            let mut record = String::new();
            for l in lines {
                record.push_str(l);
                if let Some(columns) = record.strip_suffix(&suffix) {
                    want_h.push_str(&format!(
                        "{columns},2024-01-01,,covered,example:2024-01-01,example:2024-09-01,false\n"
                    ));
                    record.clear();
                }
            }
            assert_eq!(
                h.status.code(),
                Some(0),
                "{name}: {}",
                String::from_utf8_lossy(&h.stderr)
            );
            assert_eq!(text(&h.stdout), want_h, "{name}: CLI history");
            assert_eq!(hstatus, 200, "{name}: {}", String::from_utf8_lossy(&hbody));
            assert_eq!(hct, "text/csv; charset=utf-8", "{name}");
            assert_eq!(text(&hbody), want_h, "{name}: HTTP history");
        }
        Want::Error(message) => {
            for (route, o) in [("classify", &c), ("history", &h)] {
                let err = String::from_utf8_lossy(&o.stderr);
                assert_eq!(o.status.code(), Some(2), "{name}: CLI {route}: {err}");
                assert!(
                    err.contains(message),
                    "{name}: CLI {route}: want '{message}' in '{err}'"
                );
            }
            assert_eq!(status, 400, "{name}: {}", String::from_utf8_lossy(&body));
            assert!(
                detail(&body).contains(message),
                "{name}: HTTP classify: {}",
                detail(&body)
            );
            assert_eq!(hstatus, 400, "{name}: {}", String::from_utf8_lossy(&hbody));
            assert!(
                detail(&hbody).contains(message),
                "{name}: HTTP history: {}",
                detail(&hbody)
            );
        }
    }
}

fn case(name: &str) -> Vec<u8> {
    std::fs::read(repo().join("../shared/cases/round2/csv").join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// The rows of a classification of Kyiv-like points with these input columns.
fn out(header: &str, rows: &[&str]) -> String {
    let mut s = format!("{header},status,snapshot,revised\n");
    for r in rows {
        s.push_str(&format!("{r},covered,{SNAP},false\n"));
    }
    s
}

#[test]
#[cfg_attr(
    not(shared_cases),
    ignore = "needs ../shared/cases/round2 (absent when the tests were built)"
)]
fn field_cases_csv_01_to_05_on_every_route() {
    let s = Server::start();
    let t = "text/csv";
    let k = KYIV;
    // csv-01: quoted fields; the id written back quoted where it needs it.
    check(
        &s,
        "csv-01 quoted comma",
        &case("quoted-comma.csv"),
        &[],
        "",
        t,
        Want::Rows(&out("id,lon,lat", &[&format!("\"Kyiv, centre\",{k}")])),
    );
    check(
        &s,
        "csv-01 doubled quotes",
        &case("doubled-quotes.csv"),
        &[],
        "",
        t,
        Want::Rows(&out("id,lon,lat", &[&format!("\"the \"\"north\"\" post\",{k}")])),
    );
    check(
        &s,
        "csv-01 newline in quotes",
        &case("newline-in-quotes.csv"),
        &[],
        "",
        t,
        Want::Rows(&out("id,lon,lat", &[&format!("\"line one\nline two\",{k}")])),
    );
    // csv-02: CRLF in, LF out.
    check(
        &s,
        "csv-02 crlf",
        &case("crlf.csv"),
        &[],
        "",
        t,
        Want::Rows(&out("id,lon,lat", &[&format!("kyiv,{k}"), "lviv,24.0297,49.8397"])),
    );
    // csv-03: the BOM skipped.
    check(
        &s,
        "csv-03 bom",
        &case("bom.csv"),
        &[],
        "",
        t,
        Want::Rows(&out("id,lon,lat", &[&format!("kyiv,{k}")])),
    );
    // csv-04: columns found by name, extra columns passed through in their place.
    check(
        &s,
        "csv-04 lon,lat,id",
        &case("lon-lat-id.csv"),
        &[],
        "",
        t,
        Want::Rows(&out("lon,lat,id", &[&format!("{k},kyiv")])),
    );
    check(
        &s,
        "csv-04 extra column",
        &case("extra-column.csv"),
        &[],
        "",
        t,
        Want::Rows(&out("id,lon,lat,name", &[&format!("kyiv,{k},Kyiv")])),
    );
    // csv-05: formulas passed through unchanged by default (documented), neutralised on demand.
    let formulas = ["=1+2", "+1", "-2+3", "@SUM(1)"];
    let raw: Vec<String> = formulas.iter().map(|f| format!("{f},{k}")).collect();
    let raw: Vec<&str> = raw.iter().map(String::as_str).collect();
    check(
        &s,
        "csv-05 default",
        &case("formula-ids.csv"),
        &[],
        "",
        t,
        Want::Rows(&out("id,lon,lat", &raw)),
    );
    let safe: Vec<String> = formulas.iter().map(|f| format!("\"'{f}\",{k}")).collect();
    let safe: Vec<&str> = safe.iter().map(String::as_str).collect();
    check(
        &s,
        "csv-05 csv-safe",
        &case("formula-ids.csv"),
        &["--csv-safe"],
        "&csv_safe=true",
        t,
        Want::Rows(&out("id,lon,lat", &safe)),
    );
}

#[test]
fn rfc_4180_class_members_on_every_route() {
    let s = Server::start();
    let t = "text/csv";
    let k = KYIV;
    let rows = |header: &str, r: &[&str]| out(header, r);
    // Quoted header names; an empty quoted id; CRLF inside quotes kept; BOM + CRLF.
    check(
        &s,
        "quoted header",
        format!("\"id\",\"lon\",\"lat\"\nk,{k}\n").as_bytes(),
        &[],
        "",
        t,
        Want::Rows(&rows("id,lon,lat", &[&format!("k,{k}")])),
    );
    check(
        &s,
        "empty quoted id",
        format!("id,lon,lat\n\"\",{k}\n").as_bytes(),
        &[],
        "",
        t,
        Want::Rows(&rows("id,lon,lat", &[&format!(",{k}")])),
    );
    check(
        &s,
        "CRLF inside quotes",
        format!("id,lon,lat\r\n\"a\r\nb\",{k}\r\n").as_bytes(),
        &[],
        "",
        t,
        Want::Rows(&rows("id,lon,lat", &[&format!("\"a\r\nb\",{k}")])),
    );
    check(
        &s,
        "BOM + CRLF",
        format!("\u{feff}id,lon,lat\r\nk,{k}\r\n").as_bytes(),
        &[],
        "",
        t,
        Want::Rows(&rows("id,lon,lat", &[&format!("k,{k}")])),
    );
    // Extra columns before the id, quoted numbers, an extra column that needs quotes.
    check(
        &s,
        "extra columns first",
        b"name,Id,LON,lat\n\"Kyiv, UA\",k,\"30.5234\",50.4501\n",
        &[],
        "",
        t,
        Want::Rows(&rows("name,Id,LON,lat", &[&format!("\"Kyiv, UA\",k,{k}")])),
    );
    // A formula in an extra column is neutralised too, a negative coordinate never.
    check(
        &s,
        "csv-safe extra",
        b"id,lon,lat,note\n=x,30.5234,50.4501,@y\n",
        &["--csv-safe"],
        "&csv_safe=true",
        t,
        Want::Rows(&rows("id,lon,lat,note", &[&format!("\"'=x\",{k},\"'@y\"")])),
    );
    // Errors, with the physical line where the record starts.
    check(
        &s,
        "quote inside an unquoted field",
        format!("id,lon,lat\nk,{k}\nab\"c,{k}\n").as_bytes(),
        &[],
        "",
        t,
        Want::Error("line 3: field 1 (id): a quote inside a field that is not quoted"),
    );
    check(
        &s,
        "text after a closing quote",
        format!("id,lon,lat\n\"ab\"c,{k}\n").as_bytes(),
        &[],
        "",
        t,
        Want::Error("line 2: field 1 (id): text after its closing quote"),
    );
    check(
        &s,
        "quote never closed",
        format!("id,lon,lat\nk,{k}\n\"abc,{k}\n").as_bytes(),
        &[],
        "",
        t,
        Want::Error("line 3: field 1 (id): the quote that opens it is not closed"),
    );
    check(
        &s,
        "line after a two-line record",
        format!("id,lon,lat\n\"a\nb\",{k}\nc,999,1\n").as_bytes(),
        &[],
        "",
        t,
        Want::Error("line 4: lon '999' must be a finite number in [-180, 180]"),
    );
    check(
        &s,
        "missing lon column",
        b"id,lat,name\nk,50,x\n",
        &[],
        "",
        t,
        Want::Error("line 1: the header 'id,lat,name' has no column 'lon'"),
    );
    check(
        &s,
        "duplicate header names",
        b"id,lon,lat,lon\nk,30,50,31\n",
        &[],
        "",
        t,
        Want::Error("line 1: the header names the column 'lon' twice (columns 2 and 4)"),
    );
    check(
        &s,
        "an output column in the input",
        b"id,lon,lat,status\nk,30,50,x\n",
        &[],
        "",
        t,
        Want::Error("line 1: the column 'status' is one the answer adds"),
    );
    check(
        &s,
        "field count",
        format!("id,lon,lat,name\nk,{k}\n").as_bytes(),
        &[],
        "",
        t,
        Want::Error("line 2: expected 4 fields id,lon,lat,name, found 3"),
    );
    check(
        &s,
        "field count, quoted",
        format!("id,lon,lat\n\"k\",{k},x\n").as_bytes(),
        &[],
        "",
        t,
        Want::Error("line 2: expected 3 fields id,lon,lat, found 4"),
    );
}

/// Issue 9 leftover (a fresh tester): what cannot be seen is said, with the line and what was
/// seen, on every route: a second BOM, CR-only line ends (short and past the line limit), a CR
/// inside a data line, a BOM before a coordinate, and invisible characters shown in a value (a
/// BOM inside an id is text, passed through).
#[test]
fn invisible_characters_are_named_on_every_route() {
    let s = Server::start();
    let t = "text/csv";
    let k = KYIV;
    check(
        &s,
        "double BOM",
        format!("\u{feff}\u{feff}id,lon,lat\nk,{k}\n").as_bytes(),
        &[],
        "",
        t,
        Want::Error("line 1: the header starts with a second byte order mark (U+FEFF, invisible)"),
    );
    check(
        &s,
        "CR-only line ends",
        format!("id,lon,lat\rk,{k}\rj,{k}\r").as_bytes(),
        &[],
        "",
        t,
        Want::Error("line 1: a carriage return (CR) at byte 11 ends no line: the file seems to use CR-only line ends"),
    );
    let long: String = std::iter::once("id,lon,lat\r".to_string())
        .chain((0..6000).map(|i| format!("p{i},{k}\r")))
        .collect();
    assert!(long.len() > frontline::query::csv::MAX_LINE_BYTES);
    check(
        &s,
        "CR-only line ends, longer than a line may be",
        long.as_bytes(),
        &[],
        "",
        t,
        Want::Error("a carriage return (CR) at byte 11 ends no line"),
    );
    check(
        &s,
        "a CR inside a data line",
        format!("id,lon,lat\nk,{k}\rj,{k}\n").as_bytes(),
        &[],
        "",
        t,
        Want::Error("line 2: a carriage return (CR) at byte 18 ends no line"),
    );
    // RFC 4180 (issue 9 fault 7): a bare CR inside an unquoted field is refused where it is,
    // never merged into the field nor taken for a line end, quoted records or not.
    check(
        &s,
        "a CR inside an unquoted id",
        format!("id,lon,lat\nk\rx,{k}\n").as_bytes(),
        &[],
        "",
        t,
        Want::Error("line 2: a carriage return (CR) at byte 2 ends no line"),
    );
    check(
        &s,
        "a CR after a quoted field's record",
        format!("id,lon,lat\n\"k\",{k}\rj,{k}\n").as_bytes(),
        &[],
        "",
        t,
        Want::Error("line 2: a carriage return (CR) at byte 20 ends no line"),
    );
    check(
        &s,
        "a CR inside a quoted field is text",
        format!("id,lon,lat\n\"k\rx\",{k}\n").as_bytes(),
        &[],
        "",
        t,
        Want::Rows(&out("id,lon,lat", &[&format!("\"k\rx\",{k}")])),
    );
    check(
        &s,
        "a BOM inside a data line",
        format!("id,lon,lat\nk,{k}\nj,\u{feff}{k}\n").as_bytes(),
        &[],
        "",
        t,
        Want::Error("line 3: a byte order mark (U+FEFF, invisible) at byte 3 of the line: remove it"),
    );
    // A BOM that starts a data row (two files joined): refused, never taken into the id.
    check(
        &s,
        "a BOM at the start of a data row",
        format!("id,lon,lat\nk,{k}\n\u{feff}j,{k}\n").as_bytes(),
        &[],
        "",
        t,
        Want::Error("line 3: a byte order mark (U+FEFF, invisible) at byte 1 of the line: remove it"),
    );
    check(
        &s,
        "a zero-width space in a coordinate",
        "id,lon,lat\nk,30.5\u{200b},50.4\n".as_bytes(),
        &[],
        "",
        t,
        Want::Error("line 2: lon '30.5<U+200B>' is not a number"),
    );
    check(
        &s,
        "a CRLF file still reads",
        format!("id,lon,lat\r\nk,{k}\r\n").as_bytes(),
        &[],
        "",
        t,
        Want::Rows(&out("id,lon,lat", &[&format!("k,{k}")])),
    );
}

#[test]
fn quoted_newlines_across_blocks_stream_in_order() {
    // 3 MiB of records that span two lines each: blocks of 1 MiB and their halves end inside
    // some of them unless the boundaries follow the quotes.
    let s = Server::start();
    let mut body = String::from("id,lon,lat\n");
    let mut want = String::from("id,lon,lat,status,snapshot,revised\n");
    let mut n = 0;
    while body.len() < 3 << 20 {
        let id = format!("\"p{n}, \"\"x\"\"\nsecond line\"");
        body.push_str(&format!("{id},{KYIV}\n"));
        want.push_str(&format!("{id},{KYIV},covered,{SNAP},false\n"));
        n += 1;
    }
    let (status, _, answer) = s.post("/v1/classify?date=2024-03-01", "text/csv", body.as_bytes());
    assert_eq!(status, 200);
    assert!(answer == want.as_bytes(), "{n} records: answers differ");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("big.csv");
    // A bad record at the end names its physical line (two lines a record before it).
    body.push_str("bad\"id,1,2\n");
    std::fs::write(&file, &body).unwrap();
    let o = frontline(&["classify", file.to_str().unwrap(), "--date", "2024-03-01"]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains(&format!("line {}: field 1 (id): a quote inside", 2 + 2 * n)),
        "{err}"
    );
    assert!(o.stdout == want.as_bytes(), "rows before the bad one are all written");
}

#[test]
fn windows_1251_with_and_without_a_declared_charset() {
    let s = Server::start();
    // "id,lon,lat\nКиїв,...\nЛьвів,...\n" in windows-1251.
    let (cp1251, _, _) = encoding_rs::WINDOWS_1251.encode("id,lon,lat\nКиїв,30.5234,50.4501\nЛьвів,24.0297,49.8397\n");
    let decoded = out("id,lon,lat", &["Київ,30.5234,50.4501", "Львів,24.0297,49.8397"]);
    check(
        &s,
        "windows-1251 declared",
        &cp1251,
        &["--encoding", "windows-1251"],
        "",
        "text/csv; charset=windows-1251",
        Want::Rows(&decoded),
    );
    check(
        &s,
        "windows-1251 declared by an alias, quoted",
        &cp1251,
        &["--encoding", "cp1251"],
        "",
        "text/csv; charset=\"CP1251\"",
        Want::Rows(&decoded),
    );
    check(
        &s,
        "windows-1251 undeclared",
        &cp1251,
        &[],
        "",
        "text/csv",
        Want::Error("line 2: not valid UTF-8 (byte 0xCA at byte 1 of the line)"),
    );
    check(
        &s,
        "windows-1251 declared utf-8",
        &cp1251,
        &[],
        "",
        "text/csv; charset=utf-8",
        Want::Error("line 2: not valid UTF-8"),
    );
    // A bad byte after good rows: they are answered on the CLI, the error names its line.
    let mut late = b"id,lon,lat\na,30.5,50.4\nb,30.5,50.4\n".to_vec();
    late.extend_from_slice(b"c\xff,30.5,50.4\n");
    check(
        &s,
        "bad byte on line 4",
        &late,
        &[],
        "",
        "text/csv",
        Want::Error("line 4: not valid UTF-8 (byte 0xFF at byte 2"),
    );
    // An unknown charset: 415 naming the accepted ones; on the CLI exit 2.
    for path in ["/v1/classify?date=2024-03-01", "/v1/history"] {
        let (status, ct, body) = s.post(path, "text/csv; charset=x-klingon", &cp1251);
        assert_eq!(status, 415, "{path}");
        assert_eq!(ct, "application/problem+json");
        let d = detail(&body);
        assert!(
            d.contains("charset 'x-klingon' is not supported; accepted: UTF-8, UTF-16LE, UTF-16BE, windows-1251"),
            "{d}"
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("in.csv");
    std::fs::write(&file, &cp1251).unwrap();
    let o = frontline(&[
        "classify",
        file.to_str().unwrap(),
        "--date",
        "2024-03-01",
        "--encoding",
        "x-klingon",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("accepted: UTF-8"));
    // UTF-16 with its BOM, declared.
    let mut utf16 = vec![0xFF, 0xFE];
    for u in "id,lon,lat\nКиїв,30.5234,50.4501\nЛьвів,24.0297,49.8397\n".encode_utf16() {
        utf16.extend_from_slice(&u.to_le_bytes());
    }
    check(
        &s,
        "utf-16le declared",
        &utf16,
        &["--encoding", "utf-16le"],
        "",
        "text/csv; charset=utf-16le",
        Want::Rows(&decoded),
    );
}

/// Issue 9 item 2 / issue 16's leftover, as a class: bytes that the declared charset cannot
/// decode (a Shift_JIS lead byte without its trail byte or a byte that is no character, a lone
/// UTF-16 surrogate in either byte order, a multi-byte sequence cut at the end in EUC-KR, GBK
/// and Big5) are an error naming the line on every CSV reader: a 400 problem over HTTP
/// (classify and history), exit 2 with the file and the line on the command line (classify
/// and history --points); never U+FFFD in an answer.
#[test]
fn bytes_the_declared_charset_cannot_decode_are_an_error_naming_the_line_on_every_route() {
    let s = Server::start();
    let mut sjis = b"id,lon,lat\nk,30.5234,50.4501\nx".to_vec();
    sjis.extend_from_slice(&[0x81, b',']);
    sjis.extend_from_slice(b"30.5234,50.4501\n");
    let mut sjis_a0 = b"id,lon,lat\nk,30.5234,50.4501\nk,30.5234,50.4501\n".to_vec();
    sjis_a0.extend_from_slice(&[0xA0]);
    sjis_a0.extend_from_slice(b",30.5234,50.4501\n");
    let utf16 = |units: Vec<u16>, le: bool| -> Vec<u8> {
        units
            .into_iter()
            .flat_map(|u| if le { u.to_le_bytes() } else { u.to_be_bytes() })
            .collect()
    };
    let surrogate: Vec<u16> = "id,lon,lat\n"
        .encode_utf16()
        .chain([0xDC00])
        .chain(",30.5234,50.4501\n".encode_utf16())
        .collect();
    let cut = b"id,lon,lat\nk,30.5234,50.4501\n\x81".to_vec();
    let cases: Vec<(&str, &str, Vec<u8>, &str)> = vec![
        (
            "shift_jis",
            "shift_jis",
            sjis,
            "line 3: bytes 0x81 cannot be read as Shift_JIS",
        ),
        (
            "shift_jis 0xA0",
            "shift_jis",
            sjis_a0,
            "line 4: bytes 0xA0 cannot be read as Shift_JIS",
        ),
        (
            "utf-16le lone surrogate",
            "utf-16le",
            utf16(surrogate.clone(), true),
            "line 2: bytes 0x00 0xDC cannot be read as UTF-16LE",
        ),
        (
            "utf-16be lone surrogate",
            "utf-16be",
            utf16(surrogate, false),
            "line 2: bytes 0xDC 0x00 cannot be read as UTF-16BE",
        ),
        (
            "euc-kr cut",
            "euc-kr",
            cut.clone(),
            "line 3: bytes 0x81 cannot be read as EUC-KR",
        ),
        (
            "gbk cut",
            "gbk",
            cut.clone(),
            "line 3: bytes 0x81 cannot be read as GBK",
        ),
        ("big5 cut", "big5", cut, "line 3: bytes 0x81 cannot be read as Big5"),
    ];
    for (name, charset, input, message) in cases {
        check(
            &s,
            name,
            &input,
            &["--encoding", charset],
            "",
            &format!("text/csv; charset={charset}"),
            Want::Error(message),
        );
        // The command line names the file too.
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("points.csv");
        std::fs::write(&file, &input).unwrap();
        let o = frontline(&[
            "classify",
            file.to_str().unwrap(),
            "--date",
            "2024-03-01",
            "--encoding",
            charset,
        ]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains(&format!("points.csv: {message}")), "{name}: {err}");
    }
}

/// A bad byte deep in a large streamed CSV classification (after the first 2 MiB of the answer
/// were sent with a 200): the chunked answer ends without its final chunk, so that no client
/// takes it for a whole one; the same body on `/v1/history` (answered once whole) is a 400
/// naming the line. Before, the byte became U+FFFD and the answer looked complete.
#[test]
fn an_undecodable_byte_deep_in_a_streamed_csv_leaves_the_answer_visibly_cut() {
    let s = Server::start();
    let mut input = b"id,lon,lat\n".to_vec();
    let rows = 600_000;
    for i in 0..rows {
        input.extend_from_slice(format!("{i},30.5234,50.4501\n").as_bytes());
    }
    input.extend_from_slice(&[b'x', 0xA0, b',', b'1', b',', b'2', b'\n']);
    let line = rows + 2;
    let send = |path: &str| -> Vec<u8> {
        let mut c = TcpStream::connect(s.addr).unwrap();
        c.set_read_timeout(Some(Duration::from_secs(120))).unwrap();
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: t\r\nConnection: close\r\nContent-Type: text/csv; charset=shift_jis\r\nContent-Length: {}\r\n\r\n",
            input.len()
        );
        c.write_all(head.as_bytes()).unwrap();
        let _ = c.write_all(&input);
        let mut data = Vec::new();
        let _ = c.read_to_end(&mut data);
        data
    };
    let data = send("/v1/classify?date=2024-03-01");
    let text = String::from_utf8_lossy(&data);
    assert!(text.starts_with("HTTP/1.1 200"), "{}", &text[..200.min(text.len())]);
    assert!(text.to_ascii_lowercase().contains("transfer-encoding: chunked"));
    assert!(data.len() > 2 << 20, "{} bytes", data.len());
    assert!(!data.ends_with(b"0\r\n\r\n"), "the answer ends like a whole one");
    assert!(!text.contains('\u{FFFD}'));
    let data = send("/v1/history");
    let text = String::from_utf8_lossy(&data);
    assert!(text.starts_with("HTTP/1.1 400"), "{}", &text[..200.min(text.len())]);
    assert!(
        text.contains(&format!("line {line}: bytes 0xA0 cannot be read as Shift_JIS")),
        "{text}"
    );
}

/// Issue 9 fault 11: one rule for spaces and tabs around a coordinate, on every edge: they are
/// trimmed (a CSV field, on every route; a query parameter); blanks inside a number are refused.
#[test]
fn blanks_around_coordinates_are_trimmed_on_every_edge() {
    let s = Server::start();
    let t = "text/csv";
    check(
        &s,
        "spaces and a tab around the coordinates",
        b"id,lon,lat\nk, 30.5234 ,\t50.4501\n",
        &[],
        "",
        t,
        Want::Rows(&out("id,lon,lat", &["k, 30.5234 ,\t50.4501"])),
    );
    check(
        &s,
        "a space inside a coordinate",
        b"id,lon,lat\nk,30 .5234,50.4501\n",
        &[],
        "",
        t,
        Want::Error("line 2: lon '30 .5234' is not a number"),
    );
    let plain = common::get(s.addr, "/v1/coverage?lon=30.5234&lat=50.4501&date=2024-03-01", "");
    assert_eq!(plain.status, 200, "{}", plain.text());
    assert!(plain.json()["status"].is_string(), "{}", plain.text());
    for q in ["lon=%2030.5234&lat=50.4501%20", "lon=30.5234%09&lat=%20%2050.4501"] {
        let r = common::get(s.addr, &format!("/v1/coverage?{q}&date=2024-03-01"), "");
        assert_eq!(r.status, 200, "{q}: {}", r.text());
        assert_eq!(r.json()["status"], plain.json()["status"], "{q}");
    }
    let r = common::get(s.addr, "/v1/coverage?lon=30%20.5&lat=50.4501&date=2024-03-01", "");
    r.assert_problem(400, "lon");
}
