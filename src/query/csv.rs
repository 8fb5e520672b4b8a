//! CSV points in, CSV rows out, read as RFC 4180: quoted fields, doubled quotes, commas and line
//! breaks inside quotes, CRLF or LF, a leading UTF-8 BOM skipped. The header names the columns
//! `id`, `lon` and `lat` in any order (ASCII case ignored); other columns are passed through in
//! their place, and the answer's columns follow them (`id,lon,lat,name,status,snapshot,revised`:
//! `revised` says, as a JSON answer's `snapshot.revised`, whether the snapshot in force replaced
//! an earlier content, `true` or `false`).
//!
//! Classification streams: a bounded block of input in memory at a time (1 MiB, ending at a
//! record end, split at a record end between both cores). Two paths read a block's rows:
//! - the fast path, for a half without a `"` byte: lines split on `,`, each row written back as
//!   its input bytes (nothing in it can need quoting);
//! - the RFC 4180 path (the `csv` crate), for a half with quotes: fields unquoted, checked
//!   strictly (a quote inside an unquoted field, or text after a closing quote, is an error with
//!   its line), and written back quoted where they need it (`csv-core`'s rule).
//!
//! Input must be UTF-8 (or decoded to it first, see [`encoding_for_label`]): bytes that are not
//! are an error naming their line. Spreadsheet formulas in ids (`=`, `+`, `-`, `@`, tab, CR at
//! the start) are passed through unchanged unless [`CsvOptions::csv_safe`] asks to neutralise
//! them (a leading `'`, and the field quoted). Error lines are physical lines of the input
//! (line 1 is the header); an error names the line where its record starts.

use crate::catalog::{BorderEntry, Computed, InForce};
use crate::index::line::LineOfContact;
use crate::model::{LonLat, Status};
use std::io::{BufRead, Read, Write};

/// Why a CSV classification stopped.
#[derive(Debug, thiserror::Error)]
pub enum CsvError {
    /// A line of the input is malformed; output stops before it.
    #[error("line {line}: {message}")]
    Line {
        /// 1-based line number (the header is line 1).
        line: u64,
        /// What is wrong.
        message: String,
    },
    /// More rows than allowed.
    #[error("more than {limit} rows")]
    TooManyRows {
        /// The limit.
        limit: u64,
    },
    /// Bytes the declared encoding cannot decode, on an input line (absolute, counted by the
    /// decoder): an error of the input like a bad line.
    #[error("line {}: {}", .0.line, .0)]
    Undecodable(Undecodable),
    /// Reading or writing failed.
    #[error("i/o error: {0}")]
    Io(std::io::Error),
}

/// An input error that is bytes the declared encoding cannot decode ([`Undecodable`], raised by
/// [`decoding`]) is [`CsvError::Undecodable`], naming the line: every CSV reader gets it from
/// its input by `?`.
impl From<std::io::Error> for CsvError {
    fn from(e: std::io::Error) -> Self {
        match e.get_ref().and_then(|inner| inner.downcast_ref::<Undecodable>()) {
            Some(u) => CsvError::Undecodable(u.clone()),
            None => CsvError::Io(e),
        }
    }
}

/// Counts of a finished classification.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct StatusCounts {
    /// Points covered.
    pub covered: u64,
    /// Points occupied.
    pub occupied: u64,
    /// Points contested.
    pub contested: u64,
    /// Points outside the border.
    pub outside: u64,
}

impl StatusCounts {
    /// Counts one more point of `s`.
    pub fn add(&mut self, s: Status) {
        match s {
            Status::Covered => self.covered += 1,
            Status::Occupied => self.occupied += 1,
            Status::Contested => self.contested += 1,
            Status::Outside => self.outside += 1,
        }
    }

    /// Adds another count.
    pub fn merge(&mut self, o: StatusCounts) {
        self.covered += o.covered;
        self.occupied += o.occupied;
        self.contested += o.contested;
        self.outside += o.outside;
    }

    /// All points.
    pub fn total(&self) -> u64 {
        self.covered + self.occupied + self.contested + self.outside
    }
}

/// The columns the input must have, in any order.
pub const INPUT_HEADER: &str = "id,lon,lat";
/// The columns added to the input's by a classification: the status, the snapshot in force (its
/// id) and whether that snapshot was revised (replaced an earlier content: `true` or `false`, as
/// `snapshot.revised` in a JSON answer).
pub const OUTPUT_COLUMNS: &str = "status,snapshot,revised";
/// The columns added with distances.
pub const OUTPUT_COLUMNS_DISTANCE: &str =
    "status,snapshot,revised,line_of_contact_km,line_nearest_lon,line_nearest_lat";
/// Whether `name` (ASCII case ignored) is a column an answer adds after the input's columns: a
/// classification's (with distances) or a history's ([`crate::query::history::HISTORY_CSV_COLUMNS`],
/// `revised` among them). Read from the column lists themselves, so that a column added to an
/// answer is reserved at once: an input column of one of these names is refused (a 400 naming
/// it), as the answer would have it twice.
pub fn is_reserved_column(name: &str) -> bool {
    OUTPUT_COLUMNS_DISTANCE
        .split(',')
        .chain(crate::query::history::HISTORY_CSV_COLUMNS.split(','))
        .any(|r| r.eq_ignore_ascii_case(name))
}

/// Options of a CSV classification.
#[derive(Debug, Clone, Copy, Default)]
pub struct CsvOptions {
    /// Refuse more rows than this (checked per block: rows of the block that crosses the limit
    /// are not written).
    pub max_rows: Option<u64>,
    /// Add the geodesic distance to the line of contact in km and its nearest point (empty
    /// where there is no line).
    pub distance: bool,
    /// Statuses (and the line of contact) in the raw composition: without the sliver rule and
    /// without the waters.
    pub raw: bool,
    /// Neutralise spreadsheet formulas in the text columns written back (id and the extra
    /// columns): a field starting with `=`, `+`, `-`, `@`, tab or CR gets a leading `'` and is
    /// quoted. Off by default: fields are passed through unchanged.
    pub csv_safe: bool,
}

/// Bytes read per block: each block is split in two halves classified on both cores.
const BLOCK_BYTES: usize = 1 << 20;

/// Longest record accepted, bytes: a row is an id, two numbers and the extra columns passed
/// through (a description, a note): as much as one feature of a GeoJSON batch may hold
/// ([`crate::query::geojson`]'s 64 KiB), and a bound on what a body without line ends can grow.
pub const MAX_LINE_BYTES: usize = 64 * 1024;

/// Bytes that make a spreadsheet read a cell as a formula (OWASP "CSV injection").
const FORMULA_START: [u8; 6] = [b'=', b'+', b'-', b'@', b'\t', b'\r'];

/// Whether a spreadsheet would read `field` as a formula.
fn is_formula(field: &[u8]) -> bool {
    field.first().is_some_and(|b| FORMULA_START.contains(b))
}

/// Classifies every row of `input` against what is in force, writing rows to `output`.
///
/// Streams in blocks of 1 MiB, each classified on both cores; output keeps the input order.
/// On a malformed line, every row before it has been written and the error names its line.
pub fn classify_csv<R: BufRead, W: Write>(f: &InForce<'_>, input: R, output: &mut W) -> Result<StatusCounts, CsvError> {
    classify_csv_with(f, input, output, &CsvOptions::default())
}

/// [`classify_csv`], refusing more than `max_rows` rows (checked per block: rows of the block
/// that crosses the limit are not written).
pub fn classify_csv_limited<R: BufRead, W: Write>(
    f: &InForce<'_>,
    input: R,
    output: &mut W,
    max_rows: Option<u64>,
) -> Result<StatusCounts, CsvError> {
    let options = CsvOptions {
        max_rows,
        ..CsvOptions::default()
    };
    classify_csv_with(f, input, output, &options)
}

/// [`classify_csv`] with options: a row limit, distances to the line of contact, formulas
/// neutralised.
pub fn classify_csv_with<R: BufRead, W: Write>(
    f: &InForce<'_>,
    mut input: R,
    output: &mut W,
    options: &CsvOptions,
) -> Result<StatusCounts, CsvError> {
    let max_rows = options.max_rows;
    let snapshot_id = f.snapshot_id();
    let revised = if f.revised() { "true" } else { "false" };
    let suffix = |s: Status| {
        let sep = if options.distance { "," } else { "\n" };
        let mut v = b",".to_vec();
        v.extend_from_slice(s.as_str().as_bytes());
        v.push(b',');
        write_field(&mut v, snapshot_id.as_bytes(), false);
        v.push(b',');
        v.extend_from_slice(revised.as_bytes());
        v.extend_from_slice(sep.as_bytes());
        v
    };
    let suffixes = [Status::Covered, Status::Occupied, Status::Contested, Status::Outside].map(suffix);
    let layout = Layout::read(&mut input, options.csv_safe)?;
    let classifier = Rows {
        layout: &layout,
        state: f.computed(),
        border: &f.source.border,
        suffixes: &suffixes,
        line: options.distance.then(|| f.line_of(options.raw)),
        raw: options.raw,
    };

    output.write_all(&layout.header)?;
    output.write_all(b",")?;
    let added = if options.distance {
        OUTPUT_COLUMNS_DISTANCE
    } else {
        OUTPUT_COLUMNS
    };
    output.write_all(added.as_bytes())?;
    output.write_all(b"\n")?;

    let mut counts = StatusCounts::default();
    let mut next_line: u64 = 1 + layout.header_lines;
    let mut block: Vec<u8> = Vec::with_capacity(BLOCK_BYTES + 4096);
    let (mut out_a, mut out_b) = (Vec::with_capacity(BLOCK_BYTES * 2), Vec::with_capacity(BLOCK_BYTES * 2));
    loop {
        // Fill the block up to its size, then complete its last record.
        let (eof, quotes) = fill(&mut input, &mut block).map_err(|e| relative_to(e, next_line))?;
        if block.is_empty() {
            break;
        }
        let mid = split_point(&block, quotes);
        let (a, b) = block.split_at(mid);
        out_a.clear();
        out_b.clear();
        let (ra, rb) = rayon::join(
            || classifier.rows(a, quotes, &mut out_a),
            || classifier.rows(b, quotes, &mut out_b),
        );
        // Line numbers of the second half are known once the first half is counted.
        let at = |first: u64, (rel, message): (u64, String)| CsvError::Line {
            line: first + rel,
            message,
        };
        if let Some(limit) = max_rows {
            let rows = |r: &Result<(StatusCounts, u64), (u64, String)>| r.as_ref().map_or(0, |(c, _)| c.total());
            if counts.total() + rows(&ra) + rows(&rb) > limit {
                return Err(CsvError::TooManyRows { limit });
            }
        }
        output.write_all(&out_a)?;
        let (ca, lines_a) = ra.map_err(|e| at(next_line, e))?;
        counts.merge(ca);
        output.write_all(&out_b)?;
        let (cb, lines_b) = rb.map_err(|e| at(next_line + lines_a, e))?;
        counts.merge(cb);
        next_line += lines_a + lines_b;
        block.clear();
        if eof {
            break;
        }
    }
    Ok(counts)
}

/// Turns a line number relative to a block (0-based) into the input's.
fn relative_to(e: CsvError, first: u64) -> CsvError {
    match e {
        CsvError::Line { line, message } => CsvError::Line {
            line: first + line,
            message,
        },
        other => other,
    }
}

/// Reads about [`BLOCK_BYTES`] into `block`, ending at a record end (or at end of input).
/// Returns whether the input is exhausted and whether the block holds a `"`. A record too long
/// is an error whose line is relative to the block (0 = its first line).
fn fill<R: BufRead>(input: &mut R, block: &mut Vec<u8>) -> Result<(bool, bool), CsvError> {
    while block.len() < BLOCK_BYTES {
        let buf = input.fill_buf()?;
        if buf.is_empty() {
            return Ok((true, memchr::memchr(b'"', block).is_some()));
        }
        let take = buf.len().min(BLOCK_BYTES - block.len());
        block.extend_from_slice(&buf[..take]);
        input.consume(take);
    }
    let quotes = memchr::memchr(b'"', block).is_some();
    // Where the last record starts, and the quote state at the block's end.
    let (state, start) = if quotes {
        let (state, last_end) = Scan::FieldStart.run(block, 0);
        (state, last_end.unwrap_or(0))
    } else {
        let start = memchr::memrchr(b'\n', block).map_or(0, |i| i + 1);
        let state = match block.last() {
            Some(b',' | b'\n') => Scan::FieldStart,
            _ => Scan::Unquoted,
        };
        (state, start)
    };
    let before = block.len();
    let (n, _) = read_record_rest(input, block, state).map_err(|e| match e {
        CsvError::Line { message, .. } => CsvError::Line {
            line: memchr::memchr_iter(b'\n', &block[..start]).count() as u64,
            message,
        },
        other => other,
    })?;
    let quoted_more = quotes || memchr::memchr(b'"', &block[before..]).is_some();
    Ok((n == 0, quoted_more))
}

/// Reads the rest of a record whose text so far left the scan in `state` (everything up to and
/// including the `\n` that ends it, or to the end of input) into `out`; at most
/// [`MAX_LINE_BYTES`], so that a body without line ends, or with a quote never closed, cannot
/// grow a buffer without bound. Returns the bytes read and the state after them.
fn read_record_rest<R: BufRead>(input: &mut R, out: &mut Vec<u8>, mut state: Scan) -> Result<(usize, Scan), CsvError> {
    let mut n = 0;
    loop {
        let buf = input.fill_buf()?;
        if buf.is_empty() {
            return Ok((n, state));
        }
        let mut end = None;
        for (i, &b) in buf.iter().enumerate() {
            let (next, record_end) = state.step(b);
            state = next;
            if record_end {
                end = Some(i + 1);
                break;
            }
            if n + i >= MAX_LINE_BYTES {
                break;
            }
        }
        let (take, done) = match end {
            Some(i) => (i, true),
            None => (buf.len(), false),
        };
        if n + take > MAX_LINE_BYTES {
            let mut seen = std::mem::take(out);
            seen.extend_from_slice(&buf[..take]);
            let message = if let Some(why) = invisible_cause(&seen, false) {
                why
            } else if state == Scan::Quoted {
                format!(
                    "a record is longer than {MAX_LINE_BYTES} bytes (a record, its id and extra columns included, is at most {MAX_LINE_BYTES} bytes: is a quote not closed?)"
                )
            } else {
                format!(
                    "a line is longer than {MAX_LINE_BYTES} bytes (a record, its id and extra columns included, is at most {MAX_LINE_BYTES} bytes: are line ends missing?)"
                )
            };
            return Err(CsvError::Line { line: 0, message });
        }
        out.extend_from_slice(&buf[..take]);
        input.consume(take);
        n += take;
        if done {
            return Ok((n, state));
        }
    }
}

/// Where RFC 4180 text stands, byte by byte, as `csv-core` reads it: enough to find where
/// records end (a `\n` outside quotes) without parsing fields. Written by hand because the
/// block boundaries must be found before the text is handed to the parser.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scan {
    /// At the start of a field.
    FieldStart,
    /// In a field that did not start with a quote (a quote there is a literal, refused later).
    Unquoted,
    /// In a quoted field.
    Quoted,
    /// A quote in a quoted field: the end of the field, or the first of a doubled quote.
    QuotedQuote,
}

impl Scan {
    /// The state after `b`, and whether `b` ends a record.
    #[inline]
    fn step(self, b: u8) -> (Scan, bool) {
        use Scan::*;
        match (self, b) {
            (Quoted, b'"') => (QuotedQuote, false),
            (Quoted, _) => (Quoted, false),
            (QuotedQuote, b'"') => (Quoted, false),
            (_, b'\n') => (FieldStart, true),
            (_, b',') => (FieldStart, false),
            (FieldStart, b'"') => (Quoted, false),
            _ => (Unquoted, false),
        }
    }

    /// Scans `text` from this state: the state at its end, and the end (offset after the `\n`)
    /// of the first record that ends at or after `from`, or else of the last record that ends.
    fn run(self, text: &[u8], from: usize) -> (Scan, Option<usize>) {
        let mut state = self;
        let mut last = None;
        for (i, &b) in text.iter().enumerate() {
            let (next, end) = state.step(b);
            state = next;
            if end {
                last = Some(i + 1);
                if from > 0 && i + 1 >= from {
                    return (state, last);
                }
            }
        }
        (state, last)
    }
}

/// A record boundary near the middle of `block` (its length when there is none).
fn split_point(block: &[u8], quotes: bool) -> usize {
    let half = block.len() / 2;
    if quotes {
        return match Scan::FieldStart.run(block, half.max(1)) {
            (_, Some(end)) if end >= half => end,
            _ => block.len(),
        };
    }
    memchr::memchr(b'\n', &block[half..]).map_or(block.len(), |i| half + i + 1)
}

/// At most 40 characters of a field, for messages.
fn shown(field: &[u8]) -> String {
    let mut out = String::new();
    for (n, c) in String::from_utf8_lossy(field).chars().enumerate() {
        if n == 40 {
            out.push_str("...");
            break;
        }
        // What cannot be seen is named, so that two texts that look alike in a message differ.
        match c {
            '\r' => out.push_str("\\r"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() || is_invisible(c) => {
                out.push_str(&format!("<U+{:04X}>", u32::from(c)));
            }
            c => out.push(c),
        }
    }
    out
}

/// The position of the first carriage return of `text` outside quotes followed by anything
/// but a line feed, if any (one at the very end of the text ends its last line, as `trim_eol`
/// reads it). Text without quotes is checked by [`Layout::rows_plain`] in its own pass.
fn bare_cr(text: &[u8]) -> Option<usize> {
    let mut inside = false;
    for i in memchr::memchr2_iter(b'"', b'\r', text) {
        if text[i] == b'"' {
            inside = !inside;
        } else if !inside && text.get(i + 1).is_some_and(|&b| b != b'\n') {
            return Some(i);
        }
    }
    None
}

/// The offset of the first UTF-8 byte order mark of `text` that starts a field: at the start
/// of the text or of a line, after a comma, or just inside a field's opening quote.
fn misplaced_bom(text: &[u8]) -> Option<usize> {
    memchr::memmem::find_iter(text, "\u{feff}".as_bytes()).find(|&i| match i.checked_sub(1).map(|j| text[j]) {
        None | Some(b'\n' | b',') => true,
        Some(b'"') => matches!(i.checked_sub(2).map(|j| text[j]), None | Some(b'\n' | b',')),
        _ => false,
    })
}

/// What a bare CR at byte `at` (1-based) of its line is said to be.
fn bare_cr_message(at: usize) -> String {
    format!(
        "a carriage return (CR) at byte {at} ends no line: the file seems to use CR-only line ends (classic Mac OS); convert them to LF or CRLF (for instance: tr '\\r' '\\n'); a CR inside a field must be quoted (RFC 4180)"
    )
}

/// Characters that print as nothing: the byte order mark and the zero-width ones.
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{feff}' | '\u{200b}'..='\u{200f}' | '\u{2060}')
}

/// What invisible in a record's text (its line end cut off) makes it misread, said plainly: a
/// carriage return that ends no line (a file with CR-only line ends, classic Mac OS, reads as
/// one long line) or a byte order mark that is not the file's first (two files joined, or a
/// BOM written twice). `None` when there is neither. Only called on an error, so the fast
/// path pays nothing.
fn invisible_cause(raw: &[u8], header: bool) -> Option<String> {
    let mut quoted = false;
    for (i, &b) in raw.iter().enumerate() {
        match b {
            b'"' => quoted = !quoted,
            b'\r' if !quoted && i + 1 < raw.len() && raw[i + 1] != b'\n' => {
                return Some(bare_cr_message(i + 1));
            }
            _ => {}
        }
    }
    let bom = "\u{feff}".as_bytes();
    let at = raw.windows(bom.len()).position(|w| w == bom)?;
    Some(if header && at == 0 {
        "the header starts with a second byte order mark (U+FEFF, invisible) after the file's first: save the file as UTF-8 with one BOM or none".to_string()
    } else {
        format!(
            "a byte order mark (U+FEFF, invisible) at byte {} of the line: remove it (were two files joined?)",
            at + 1
        )
    })
}

/// Writes one field: quoted (quotes doubled) where RFC 4180 needs it, by `csv-core`'s rule;
/// with `safe`, a field a spreadsheet would take for a formula gets a leading `'` and quotes.
fn write_field(out: &mut Vec<u8>, field: &[u8], safe: bool) {
    let formula = safe && field.first().is_some_and(|b| FORMULA_START.contains(b));
    let quoter = csv_core::Writer::new();
    if !formula && !quoter.should_quote(field) {
        out.extend_from_slice(field);
        return;
    }
    out.push(b'"');
    if formula {
        out.push(b'\'');
    }
    let start = out.len();
    out.resize(start + field.len() * 2, 0);
    let (_, _, written) = csv_core::quote(field, &mut out[start..], b'"', b'"', true);
    out.truncate(start + written);
    out.push(b'"');
}

/// The input's columns, read from its header.
#[derive(Debug, Clone)]
struct Layout {
    id: usize,
    lon: usize,
    lat: usize,
    /// The header's names (for messages).
    names: Vec<String>,
    /// `id,lon,lat` exactly: the fastest path.
    simple: bool,
    /// Neutralise formulas when writing back.
    csv_safe: bool,
    /// The input's columns as written back (names quoted where needed), without a line end.
    header: Vec<u8>,
    /// Physical lines of the header (1 unless a name holds a line break).
    header_lines: u64,
}

impl Layout {
    /// Reads the header record (a UTF-8 BOM before it skipped) and finds the columns. A header
    /// refused when the input starts with `{` or `[` is said to be JSON (a GeoJSON file given
    /// where a CSV is read), with where GeoJSON points are read.
    fn read<R: BufRead>(input: &mut R, csv_safe: bool) -> Result<Layout, CsvError> {
        let json = {
            let b = input.fill_buf()?;
            let b = b.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(b);
            b.iter()
                .find(|c| !c.is_ascii_whitespace())
                .is_some_and(|c| matches!(c, b'{' | b'['))
        };
        let as_json = |e: CsvError| match e {
            CsvError::Line { line: 1, .. } if json => CsvError::Line {
                line: 1,
                message: format!(
                    "the input starts with JSON, not a CSV header with the columns {INPUT_HEADER}; a GeoJSON FeatureCollection of points is read by POST /v1/classify and POST /v1/history (Content-Type application/geo+json)"
                ),
            },
            e => e,
        };
        let mut raw = Vec::with_capacity(64);
        let (n, _) = read_record_rest(input, &mut raw, Scan::FieldStart).map_err(|e| as_json(relative_to(e, 1)))?;
        if n == 0 {
            return Err(CsvError::Line {
                line: 1,
                message: format!("empty input; expected a header with the columns {INPUT_HEADER}"),
            });
        }
        let text = raw.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&raw);
        Layout::parse(text, csv_safe).map_err(|(rel, message)| as_json(CsvError::Line { line: 1 + rel, message }))
    }

    /// Finds the columns in a header record (without BOM); errors carry a 0-based line.
    fn parse(text: &[u8], csv_safe: bool) -> Result<Layout, (u64, String)> {
        utf8(text)?;
        let header_lines = memchr::memchr_iter(b'\n', text.strip_suffix(b"\n").unwrap_or(text)).count() as u64 + 1;
        let row = trim_eol(text);
        if let Some(why) = invisible_cause(row, true) {
            return Err((0, why));
        }
        let fields: Vec<Vec<u8>> = if memchr::memchr(b'"', row).is_some() {
            strict(row, &[]).map_err(|m| (0, m))?;
            let mut rdr = csv::ReaderBuilder::new()
                .has_headers(false)
                .flexible(true)
                .from_reader(row);
            let mut rec = csv::ByteRecord::new();
            match rdr.read_byte_record(&mut rec) {
                Ok(true) => rec.iter().map(<[u8]>::to_vec).collect(),
                Ok(false) => Vec::new(),
                Err(e) => return Err((0, format!("header: {e}"))),
            }
        } else {
            row.split(|&b| b == b',').map(<[u8]>::to_vec).collect()
        };
        let names: Vec<String> = fields.iter().map(|f| String::from_utf8_lossy(f).into_owned()).collect();
        let shown_header = || shown(row);
        let find = |want: &str| -> Result<usize, (u64, String)> {
            let mut at = names
                .iter()
                .enumerate()
                .filter(|(_, n)| n.trim().eq_ignore_ascii_case(want))
                .map(|(i, _)| i);
            match (at.next(), at.next()) {
                (Some(i), None) => Ok(i),
                (Some(i), Some(j)) => Err((
                    0,
                    format!(
                        "the header names the column '{want}' twice (columns {} and {})",
                        i + 1,
                        j + 1
                    ),
                )),
                (None, _) => Err((
                    0,
                    format!(
                        "the header '{}' has no column '{want}'; the columns {INPUT_HEADER} are needed, in any order{}",
                        shown_header(),
                        other_separator(&names)
                    ),
                )),
            }
        };
        let (id, lon, lat) = (find("id")?, find("lon")?, find("lat")?);
        for (i, n) in names.iter().enumerate() {
            let key = n.trim();
            if key.is_empty() {
                continue;
            }
            if let Some(j) = names[..i].iter().position(|m| m.trim().eq_ignore_ascii_case(key)) {
                return Err((
                    0,
                    format!(
                        "the header names the column '{key}' twice (columns {} and {})",
                        j + 1,
                        i + 1
                    ),
                ));
            }
            if is_reserved_column(key) {
                return Err((
                    0,
                    format!("the column '{key}' is one the answer adds; rename or drop it in the input"),
                ));
            }
        }
        let mut header = Vec::with_capacity(row.len() + 8);
        for (i, f) in fields.iter().enumerate() {
            if i > 0 {
                header.push(b',');
            }
            write_field(&mut header, f, csv_safe);
        }
        Ok(Layout {
            id,
            lon,
            lat,
            simple: (id, lon, lat, names.len()) == (0, 1, 2, 3),
            names,
            csv_safe,
            header,
            header_lines,
        })
    }

    /// The header's names joined, for messages.
    fn joined(&self) -> String {
        self.names.join(",")
    }

    /// Reads the rows of `text` (whole records), calling `row` with the row's columns as they are
    /// written back, its id and its coordinates. Returns the number of physical lines of `text`,
    /// or the 0-based line of the first bad record and what is wrong (rows before it were given).
    fn rows<F: FnMut(&[u8], &[u8], LonLat)>(
        &self,
        text: &[u8],
        quotes: bool,
        scratch: &mut Vec<u8>,
        row: &mut F,
    ) -> Result<u64, (u64, String)> {
        // ASCII (the usual input) is checked a word at a time; other text as UTF-8, and searched
        // for a byte order mark that starts a line or a field past the header (two files joined,
        // a BOM written twice): refused where it is, never taken into an id (it prints as
        // nothing). Rows before the record with the bad byte are given first: an earlier error
        // comes first.
        if !text.is_ascii() {
            if let Err(e) = std::str::from_utf8(text) {
                let bad = e.valid_up_to();
                return self.rows_then(text, quotes, bad, scratch, row, not_utf8(text, bad));
            }
            if let Some(bad) = misplaced_bom(text) {
                let (line, byte) = line_and_byte(text, bad);
                let message = format!(
                    "a byte order mark (U+FEFF, invisible) at byte {byte} of the line: remove it (were two files joined?)"
                );
                return self.rows_then(text, quotes, bad, scratch, row, (line, message));
            }
        }
        if !(quotes && memchr::memchr(b'"', text).is_some()) {
            // One pass finds the fields, the lines and any bare CR ([`Self::rows_plain`]).
            return self.rows_plain(text, scratch, row);
        }
        // A CR that ends no line, outside quotes, is neither a line end nor field text (RFC
        // 4180): refused where it is, never taken for a record end (the `csv` crate would) nor
        // left inside a field. One vectorised pass; rows before its record are given first.
        if let Some(bad) = bare_cr(text) {
            let (line, byte) = line_and_byte(text, bad);
            return self.rows_then(text, quotes, bad, scratch, row, (line, bare_cr_message(byte)));
        }
        self.rows_quoted(text, scratch, row)?;
        let lines = memchr::memchr_iter(b'\n', text).count() as u64;
        Ok(lines + u64::from(!text.is_empty() && !text.ends_with(b"\n")))
    }

    /// Gives the rows of `text` before the record that holds byte `bad`, then fails with
    /// `error` (its 0-based line and what is wrong).
    fn rows_then<F: FnMut(&[u8], &[u8], LonLat)>(
        &self,
        text: &[u8],
        quotes: bool,
        bad: usize,
        scratch: &mut Vec<u8>,
        row: &mut F,
        error: (u64, String),
    ) -> Result<u64, (u64, String)> {
        let cut = if quotes {
            Scan::FieldStart.run(&text[..bad], 0).1.unwrap_or(0)
        } else {
            memchr::memrchr(b'\n', &text[..bad]).map_or(0, |i| i + 1)
        };
        self.rows(&text[..cut], quotes, scratch, row)?;
        Err(error)
    }

    /// The fast path: no quote in `text`, so fields are the bytes between commas and a row is
    /// written back as it came (unless a formula is to be neutralised).
    ///
    /// One vectorised pass (`memchr3`) finds every comma, line end and carriage return of
    /// `text`; a line with the expected number of commas, not too long, whose coordinates parse
    /// and whose text columns need nothing neutralised is given from those positions. Any other
    /// line (an error, a formula to neutralise, a blank line) goes through [`Self::plain_line`],
    /// which reads it field by field and words its error: the answer and the error are the same
    /// either way. A CR that ends no line (one before a LF, or at the very end of `text`, does)
    /// is refused where it is, after the rows before its line. Returns the physical lines of
    /// `text`.
    fn rows_plain<F: FnMut(&[u8], &[u8], LonLat)>(
        &self,
        text: &[u8],
        scratch: &mut Vec<u8>,
        row: &mut F,
    ) -> Result<u64, (u64, String)> {
        let want = self.names.len() - 1;
        // The first commas of the line (up to the ones needed to find id, lon and lat).
        let mut commas = [0usize; 3];
        let last_needed = self.id.max(self.lon).max(self.lat);
        let (mut start, mut k, mut n) = (0usize, 0usize, 0u64);
        let mut delimiters = memchr::memchr3_iter(b',', b'\n', b'\r', text);
        loop {
            let end = match delimiters.next() {
                Some(i) if text[i] == b',' => {
                    if k < commas.len() {
                        commas[k] = i;
                    }
                    k += 1;
                    continue;
                }
                Some(i) if text[i] == b'\r' => {
                    if text.get(i + 1).is_some_and(|&b| b != b'\n') {
                        return Err((n, bare_cr_message(i - start + 1)));
                    }
                    continue;
                }
                Some(i) => i + 1,
                None if start < text.len() => text.len(),
                None => return Ok(n),
            };
            let line = &text[start..end];
            let bytes = trim_eol(line);
            let fast = k == want && bytes.len() <= MAX_LINE_BYTES && last_needed < commas.len();
            let given = fast && {
                // Field i runs from after comma i-1 (or the line start) to comma i (or the end).
                let field = |i: usize| {
                    let from = if i == 0 { start } else { commas[i - 1] + 1 };
                    let to = if i == want { start + bytes.len() } else { commas[i] };
                    &text[from..to]
                };
                let id = field(self.id);
                match coordinates(field(self.lon), field(self.lat)) {
                    Ok(p) if !self.csv_safe || (self.simple && !is_formula(id)) => {
                        row(bytes, id, p);
                        true
                    }
                    _ => false,
                }
            };
            if !given {
                self.plain_line(n, line, scratch, row)?;
            }
            n += 1;
            start = end;
            k = 0;
        }
    }

    /// One line of the fast path read field by field (see [`Self::rows_plain`]); `n` is its
    /// 0-based line in the block.
    fn plain_line<F: FnMut(&[u8], &[u8], LonLat)>(
        &self,
        n: u64,
        line: &[u8],
        scratch: &mut Vec<u8>,
        row: &mut F,
    ) -> Result<(), (u64, String)> {
        let bytes = trim_eol(line);
        if bytes.is_empty() {
            return Ok(());
        }
        let at = |m: String| (n, invisible_cause(bytes, false).unwrap_or(m));
        if bytes.len() > MAX_LINE_BYTES {
            return Err(at(format!(
                "a line is longer than {MAX_LINE_BYTES} bytes (a record, its id and extra columns included, is at most {MAX_LINE_BYTES} bytes: are line ends missing?)"
            )));
        }
        if self.simple {
            let mut fields = bytes.split(|&b| b == b',');
            let (Some(id), Some(lon), Some(lat), None) = (fields.next(), fields.next(), fields.next(), fields.next())
            else {
                return Err(at(self.count_error(bytes.split(|&b| b == b',').count())));
            };
            let p = coordinates(lon, lat).map_err(at)?;
            if self.csv_safe && is_formula(id) {
                self.write_back(bytes.split(|&b| b == b','), scratch);
                row(scratch, id, p);
            } else {
                row(bytes, id, p);
            }
        } else {
            let (mut id, mut lon, mut lat) = (&b""[..], &b""[..], &b""[..]);
            let mut k = 0;
            let mut formula = false;
            for (i, f) in bytes.split(|&b| b == b',').enumerate() {
                if i == self.id {
                    id = f;
                } else if i == self.lon {
                    lon = f;
                } else if i == self.lat {
                    lat = f;
                }
                formula |= i != self.lon && i != self.lat && is_formula(f);
                k += 1;
            }
            if k != self.names.len() {
                return Err(at(self.count_error(k)));
            }
            let p = coordinates(lon, lat).map_err(at)?;
            if self.csv_safe && formula {
                self.write_back(bytes.split(|&b| b == b','), scratch);
                row(scratch, id, p);
            } else {
                row(bytes, id, p);
            }
        }
        Ok(())
    }

    /// The RFC 4180 path: records parsed by the `csv` crate, checked strictly, written back
    /// quoted where needed.
    fn rows_quoted<F: FnMut(&[u8], &[u8], LonLat)>(
        &self,
        text: &[u8],
        scratch: &mut Vec<u8>,
        row: &mut F,
    ) -> Result<(), (u64, String)> {
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(text);
        let mut rec = csv::ByteRecord::new();
        loop {
            let start = rdr.position().byte() as usize;
            let start_line = rdr.position().line().saturating_sub(1);
            match rdr.read_byte_record(&mut rec) {
                Ok(true) => {}
                Ok(false) => return Ok(()),
                Err(e) => return Err((start_line, e.to_string())),
            }
            let end = (rdr.position().byte() as usize).min(text.len());
            let raw = &text[start.min(end)..end];
            // Blank lines, or the LF of the previous record's CRLF, come before the record.
            let lead = raw.iter().take_while(|&&b| b == b'\r' || b == b'\n').count();
            let line = start_line + raw[..lead].iter().filter(|&&b| b == b'\n').count() as u64;
            let raw = &raw[lead..];
            let at = |m: String| (line, invisible_cause(trim_eol(raw), false).unwrap_or(m));
            if raw.len() > MAX_LINE_BYTES {
                return Err(at(format!(
                    "a record is longer than {MAX_LINE_BYTES} bytes (is a quote not closed?)"
                )));
            }
            strict(raw, &self.names).map_err(at)?;
            if rec.len() != self.names.len() {
                return Err(at(self.count_error(rec.len())));
            }
            let p = coordinates(&rec[self.lon], &rec[self.lat]).map_err(at)?;
            self.write_back(rec.iter(), scratch);
            row(scratch, &rec[self.id], p);
        }
    }

    /// Writes a row's fields back into `out` (cleared first): coordinates as they came (they
    /// parsed as numbers), text columns quoted where needed and neutralised if asked.
    fn write_back<'f>(&self, fields: impl Iterator<Item = &'f [u8]>, out: &mut Vec<u8>) {
        out.clear();
        for (i, f) in fields.enumerate() {
            if i > 0 {
                out.push(b',');
            }
            if i == self.lon || i == self.lat {
                out.extend_from_slice(f);
            } else {
                write_field(out, f, self.csv_safe);
            }
        }
    }

    fn count_error(&self, found: usize) -> String {
        format!("expected {} fields {}, found {found}", self.names.len(), self.joined())
    }
}

/// The two coordinates of a row, parsed and checked by the one coordinate type
/// ([`crate::model::LonLat::parse_bytes`]); the error in the words of a row.
fn coordinates(lon: &[u8], lat: &[u8]) -> Result<LonLat, String> {
    use crate::model::Axis;
    LonLat::parse_bytes(lon, lat).map_err(|e| {
        let field = if e.axis() == Axis::Lon { lon } else { lat };
        e.in_row(&shown(field))
    })
}

/// Checks that `text` is UTF-8; else the 0-based line of the first bad byte and what is wrong.
fn utf8(text: &[u8]) -> Result<(), (u64, String)> {
    match std::str::from_utf8(text) {
        Ok(_) => Ok(()),
        Err(e) => Err(not_utf8(text, e.valid_up_to())),
    }
}

/// What to add to a header that lacks a needed column when its one field is the needed columns
/// joined by another separator (`id;lon;lat`, as spreadsheets in locales with a decimal comma
/// save CSV): the fields of a CSV are separated by commas (RFC 4180, section 2).
fn other_separator(names: &[String]) -> String {
    let [only] = names else { return String::new() };
    for sep in [';', '\t', '|'] {
        let parts: Vec<String> = only.split(sep).map(|p| p.trim().to_ascii_lowercase()).collect();
        if ["id", "lon", "lat"].iter().all(|w| parts.iter().any(|p| p == w)) {
            let shown = if sep == '\t' {
                "a tab".to_string()
            } else {
                format!("'{sep}'")
            };
            return format!(
                " (its fields are separated by {shown}: a CSV's fields are separated by commas, RFC 4180 section 2; export it with commas)"
            );
        }
    }
    String::new()
}

/// The error for the byte at `bad` that is not UTF-8: its 0-based line, and what to do.
fn not_utf8(text: &[u8], bad: usize) -> (u64, String) {
    // A UTF-16 byte order mark (Excel's "Unicode text" saves UTF-16LE with FF FE): say so.
    for (bom, label) in [([0xFF, 0xFE], "utf-16le"), ([0xFE, 0xFF], "utf-16be")] {
        if text.starts_with(&bom) && bad < 2 {
            return (
                0,
                format!(
                    "the text begins with a UTF-16 byte order mark (0x{:02X} 0x{:02X}): it is {} text, not UTF-8; give its encoding \
                     (HTTP: Content-Type: text/csv; charset={label}, CLI: --encoding {label}) or save it as CSV UTF-8",
                    bom[0],
                    bom[1],
                    label.to_ascii_uppercase()
                ),
            );
        }
    }
    let (line, column) = line_and_byte(text, bad);
    (
        line,
        format!(
            "not valid UTF-8 (byte 0x{:02X} at byte {column} of the line); give the text's encoding \
             (HTTP: Content-Type: text/csv; charset=windows-1251, CLI: --encoding windows-1251) or convert it to UTF-8",
            text[bad]
        ),
    )
}

/// The 0-based line of byte `at` of `text`, and its 1-based byte in that line (for messages).
fn line_and_byte(text: &[u8], at: usize) -> (u64, usize) {
    let line = memchr::memchr_iter(b'\n', &text[..at]).count() as u64;
    (line, at - memchr::memrchr(b'\n', &text[..at]).map_or(0, |i| i + 1) + 1)
}

/// RFC 4180, strictly, on one record's raw text (no line end before it): a field is either
/// quoted as a whole, its quotes doubled, or holds no quote. `csv` reads both mistakes below
/// leniently (as Python does), taking the quote as text; here they are errors, as a stray quote
/// usually means a field was cut or two were merged. `names` name the fields in messages.
fn strict(raw: &[u8], names: &[String]) -> Result<(), String> {
    let name = |k: usize| match names.get(k) {
        Some(n) => format!("field {} ({n})", k + 1),
        None => format!("field {}", k + 1),
    };
    let mut i = 0;
    let mut k = 0;
    loop {
        if raw.get(i) == Some(&b'"') {
            i += 1;
            loop {
                match memchr::memchr(b'"', &raw[i..]) {
                    None => return Err(format!("{}: the quote that opens it is not closed", name(k))),
                    Some(j) if raw.get(i + j + 1) == Some(&b'"') => i += j + 2,
                    Some(j) => {
                        i += j + 1;
                        break;
                    }
                }
            }
            if !matches!(raw.get(i), None | Some(b',' | b'\n' | b'\r')) {
                return Err(format!(
                    "{}: text after its closing quote (a quote inside a quoted field is written twice: \"a \"\"b\"\" c\")",
                    name(k)
                ));
            }
        } else {
            let end = memchr::memchr3(b',', b'\n', b'\r', &raw[i..]).map_or(raw.len(), |j| i + j);
            if memchr::memchr(b'"', &raw[i..end]).is_some() {
                return Err(format!(
                    "{}: a quote inside a field that is not quoted (quote the whole field and double the quote: \"a \"\"b\"\" c\")",
                    name(k)
                ));
            }
            i = end;
        }
        if raw.get(i) == Some(&b',') {
            i += 1;
            k += 1;
        } else {
            return Ok(());
        }
    }
}

/// What classifying rows needs: the columns, the state in force, the border index and the
/// output suffixes.
struct Rows<'a> {
    layout: &'a Layout,
    state: &'a Computed,
    border: &'a BorderEntry,
    suffixes: &'a [Vec<u8>; 4],
    /// The line of contact, when distances are asked for.
    line: Option<&'a LineOfContact>,
    /// Statuses in the raw composition.
    raw: bool,
}

impl Rows<'_> {
    /// Classifies the records of `text` into `out`: the counts and the number of lines, or the
    /// 0-based line of the first bad record with what is wrong (rows before it are in `out`).
    fn rows(&self, text: &[u8], quotes: bool, out: &mut Vec<u8>) -> Result<(StatusCounts, u64), (u64, String)> {
        let mut counts = StatusCounts::default();
        let mut scratch = Vec::new();
        let n = self.layout.rows(text, quotes, &mut scratch, &mut |columns, _id, p| {
            let (x, y) = (p.lon(), p.lat());
            let status = if self.raw {
                self.state.status_of(&self.border.index, x, y, true).0
            } else {
                self.state.status_with_waters(self.border, x, y).status
            };
            counts.add(status);
            out.extend_from_slice(columns);
            out.extend_from_slice(&self.suffixes[status as usize]);
            if let Some(line) = self.line {
                if let Some(n) = line.nearest(x, y) {
                    // Metre-and-better precision: six decimals of a km, seven of a degree (1 cm).
                    let _ = write!(
                        out,
                        "{},{},{}",
                        crate::num::Fixed(n.km, 6),
                        crate::num::Fixed(n.point.x, 7),
                        crate::num::Fixed(n.point.y, 7)
                    );
                } else {
                    out.extend_from_slice(b",,");
                }
                out.push(b'\n');
            }
        })?;
        Ok((counts, n))
    }
}

/// One row of an input with the columns `id`, `lon` and `lat`.
#[derive(Debug, Clone, PartialEq)]
pub struct PointRow {
    /// The id as given.
    pub id: String,
    /// The position, checked when the row was read.
    pub at: LonLat,
    /// The row's columns as they are written back (quoted where needed, in input order).
    pub columns: String,
}

/// A whole CSV of points.
#[derive(Debug, Clone)]
pub struct PointsCsv {
    /// The input's column names as they are written back (no line end).
    pub header: String,
    /// The rows.
    pub rows: Vec<PointRow>,
}

/// Reads a whole CSV of points (header first) with the same rules and messages as
/// [`classify_csv`], for answers that are not one row per input row; refuses more than
/// `max_rows` rows. With `csv_safe`, formulas in the text columns are neutralised.
pub fn read_points<R: BufRead>(input: R, max_rows: u64, csv_safe: bool) -> Result<PointsCsv, CsvError> {
    let mut rows = Vec::new();
    let header = read_point_blocks(input, max_rows, csv_safe, &mut |_, block| {
        rows.extend(block);
        Ok::<(), CsvError>(())
    })?;
    Ok(PointsCsv { header, rows })
}

/// [`read_points`] a block at a time (the rows of one block of input, about 1 MiB), handed to
/// `block` with the index of its first row as they are read, so that a large input is never
/// held whole; returns the input's column names as they are written back.
pub fn read_point_blocks<R: BufRead, E: From<CsvError>>(
    mut input: R,
    max_rows: u64,
    csv_safe: bool,
    block: &mut dyn FnMut(usize, Vec<PointRow>) -> Result<(), E>,
) -> Result<String, E> {
    let layout = Layout::read(&mut input, csv_safe)?;
    let mut count = 0u64;
    let mut next_line = 1 + layout.header_lines;
    let mut bytes = Vec::new();
    let mut scratch = Vec::new();
    loop {
        bytes.clear();
        let (eof, quotes) = fill(&mut input, &mut bytes).map_err(|e| relative_to(e, next_line))?;
        let mut too_many = false;
        let mut rows = Vec::new();
        let lines = layout
            .rows(&bytes, quotes, &mut scratch, &mut |columns, id, at| {
                if count >= max_rows {
                    too_many = true;
                    return;
                }
                count += 1;
                rows.push(PointRow {
                    id: String::from_utf8_lossy(id).into_owned(),
                    at,
                    columns: String::from_utf8_lossy(columns).into_owned(),
                });
            })
            .map_err(|(rel, message)| CsvError::Line {
                line: next_line + rel,
                message,
            })?;
        if too_many {
            return Err(CsvError::TooManyRows { limit: max_rows }.into());
        }
        next_line += lines;
        if !rows.is_empty() {
            let first = count as usize - rows.len();
            block(first, rows)?;
        }
        if eof {
            break;
        }
    }
    Ok(String::from_utf8_lossy(&layout.header).into_owned())
}

/// A text encoding named by a label (`charset=` of a Content-Type, `--encoding` in the CLI):
/// `None` for UTF-8 (read as is and checked), else the encoding to decode from.
pub fn encoding_for_label(label: &str) -> Result<Option<&'static encoding_rs::Encoding>, String> {
    let label = label.trim().trim_matches('"');
    match encoding_rs::Encoding::for_label(label.as_bytes()) {
        Some(e) if e == encoding_rs::UTF_8 => Ok(None),
        Some(e) if e != encoding_rs::REPLACEMENT => Ok(Some(e)),
        _ => Err(format!(
            "charset '{label}' is not supported; accepted: {} (or another label of the WHATWG Encoding Standard for one of them)",
            ACCEPTED_ENCODINGS
                .iter()
                .map(|e| e.name())
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

/// The encodings a CSV may be in (every one `encoding_rs` decodes, but the replacement one).
const ACCEPTED_ENCODINGS: [&encoding_rs::Encoding; 39] = {
    use encoding_rs::*;
    [
        UTF_8,
        UTF_16LE,
        UTF_16BE,
        WINDOWS_1251,
        KOI8_U,
        KOI8_R,
        ISO_8859_5,
        IBM866,
        X_MAC_CYRILLIC,
        WINDOWS_1250,
        WINDOWS_1252,
        WINDOWS_1253,
        WINDOWS_1254,
        WINDOWS_1255,
        WINDOWS_1256,
        WINDOWS_1257,
        WINDOWS_1258,
        WINDOWS_874,
        ISO_8859_2,
        ISO_8859_3,
        ISO_8859_4,
        ISO_8859_6,
        ISO_8859_7,
        ISO_8859_8,
        ISO_8859_8_I,
        ISO_8859_10,
        ISO_8859_13,
        ISO_8859_14,
        ISO_8859_15,
        ISO_8859_16,
        MACINTOSH,
        GBK,
        GB18030,
        BIG5,
        EUC_JP,
        ISO_2022_JP,
        SHIFT_JIS,
        EUC_KR,
        X_USER_DEFINED,
    ]
};

/// Bytes of the input that its declared encoding cannot decode (a malformed sequence, a lone
/// UTF-16 surrogate): the error [`decoding`] raises, carried in an `std::io::Error`, that the
/// CSV readers turn into a [`CsvError::Line`] naming the line (never U+FFFD in the answer).
#[derive(Debug, Clone, thiserror::Error)]
#[error(
    "bytes {bytes} cannot be read as {encoding}, the declared charset; send the file in the charset it is in (or as UTF-8)"
)]
pub struct Undecodable {
    /// 1-based physical line of the input where the bytes are (line 1 is the header).
    pub line: u64,
    /// The encoding declared.
    pub encoding: &'static str,
    /// The bytes, as hex (`0x82 0xA0`).
    pub bytes: String,
}

/// `input` decoded from `encoding` into UTF-8 as it is read (a BOM, if any, wins and is
/// dropped, as the WHATWG decode algorithm does), for the CSV readers above. Bytes the encoding
/// cannot decode are an error ([`Undecodable`], naming their line), never replaced by U+FFFD.
/// Written over `encoding_rs`'s decoder without replacement because `encoding_rs_io` replaces
/// malformed bytes and has no option not to.
pub fn decoding<R: Read>(input: R, encoding: &'static encoding_rs::Encoding) -> impl Read {
    Decoding {
        input,
        encoding,
        decoder: encoding.new_decoder(),
        raw: vec![0; 1 << 16],
        raw_at: 0,
        raw_len: 0,
        eof: false,
        out: vec![0; (1 << 16) + 16],
        out_at: 0,
        out_len: 0,
        lines: 0,
        failed: None,
        done: false,
        tail: Vec::with_capacity(16),
    }
}

/// The decoding reader of [`decoding`].
struct Decoding<R> {
    input: R,
    encoding: &'static encoding_rs::Encoding,
    decoder: encoding_rs::Decoder,
    /// Input bytes read and not yet decoded: `raw[raw_at..raw_len]`.
    raw: Vec<u8>,
    raw_at: usize,
    raw_len: usize,
    eof: bool,
    /// Decoded bytes not yet handed out: `out[out_at..out_len]`.
    out: Vec<u8>,
    out_at: usize,
    out_len: usize,
    /// Line breaks decoded so far.
    lines: u64,
    /// The error to raise once the text decoded before it is handed out.
    failed: Option<Undecodable>,
    /// The decoder has been given the end of the input (it is not called again).
    done: bool,
    /// The last (up to 8) bytes given to the decoder.
    tail: Vec<u8>,
}

impl<R: Read> Read for Decoding<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        use encoding_rs::DecoderResult;
        while self.out_at == self.out_len {
            if let Some(e) = self.failed.take() {
                self.done = true;
                return Err(std::io::Error::new(std::io::ErrorKind::InvalidData, e));
            }
            if self.done {
                return Ok(0);
            }
            if self.raw_at == self.raw_len && !self.eof {
                self.raw_at = 0;
                self.raw_len = self.input.read(&mut self.raw)?;
                self.eof = self.raw_len == 0;
            }
            let (result, read, written) = self.decoder.decode_to_utf8_without_replacement(
                &self.raw[self.raw_at..self.raw_len],
                &mut self.out,
                self.eof,
            );
            let start = self.raw_at;
            self.raw_at += read;
            // The last (up to 8) bytes consumed, across blocks (a malformed sequence may have
            // begun in the block before): only those are copied.
            self.tail
                .extend_from_slice(&self.raw[self.raw_at.saturating_sub(8).max(start)..self.raw_at]);
            let keep = self.tail.len().saturating_sub(8);
            self.tail.drain(..keep);
            self.out_at = 0;
            self.out_len = written;
            let breaks = memchr::memchr_iter(b'\n', &self.out[..written]).count() as u64;
            self.lines += breaks;
            match result {
                DecoderResult::Malformed(bad, extra) => {
                    // The malformed bytes end `extra` bytes before the read position.
                    let end = self.tail.len().saturating_sub(usize::from(extra));
                    let from = end.saturating_sub(usize::from(bad));
                    let bytes = self.tail[from..end]
                        .iter()
                        .map(|b| format!("0x{b:02X}"))
                        .collect::<Vec<_>>()
                        .join(" ");
                    self.failed = Some(Undecodable {
                        line: self.lines + 1,
                        encoding: self.encoding.name(),
                        bytes,
                    });
                }
                DecoderResult::InputEmpty if self.eof => self.done = true,
                DecoderResult::InputEmpty | DecoderResult::OutputFull => {}
            }
        }
        let n = buf.len().min(self.out_len - self.out_at);
        buf[..n].copy_from_slice(&self.out[self.out_at..self.out_at + n]);
        self.out_at += n;
        Ok(n)
    }
}

fn trim_eol(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every column an answer adds, a history's `revised` and `last_snapshot` among them, is
    /// refused as an input column (any case), naming it; other names pass through.
    #[test]
    fn every_column_an_answer_adds_is_refused_in_the_input() {
        let added = OUTPUT_COLUMNS_DISTANCE
            .split(',')
            .chain(crate::query::history::HISTORY_CSV_COLUMNS.split(','));
        for name in added.chain(["REVISED", "Last_Snapshot"]) {
            let text = format!("id,lon,lat,{name}\nk,30,50,x\n");
            let e = rows_of(&text).expect_err(name).to_string();
            assert!(
                e.contains(&format!("the column '{name}' is one the answer adds")),
                "{name}: {e}"
            );
        }
        assert!(is_reserved_column("revised"));
        assert!(!is_reserved_column("name"));
        assert_eq!(rows_of("id,lon,lat,revision\nk,30,50,x\n").unwrap().len(), 1);
    }

    /// A JSON document where a CSV is read (a GeoJSON file given to `classify`) is named as
    /// such, whatever the header error it makes; a CSV header error stays as it was.
    #[test]
    fn json_given_for_a_csv_is_named_as_json() {
        for text in [
            "{\"type\":\"FeatureCollection\",\"features\":[]}\n",
            "\u{feff}  {\n  \"type\": \"FeatureCollection\"\n}\n",
            "[1, 2]",
        ] {
            let e = rows_of(text).unwrap_err().to_string();
            assert!(
                e.starts_with("line 1: the input starts with JSON, not a CSV header with the columns id,lon,lat; a GeoJSON FeatureCollection of points is read by POST /v1/classify"),
                "{text}: {e}"
            );
        }
        let e = rows_of("x,y\n1,2\n").unwrap_err().to_string();
        assert!(e.contains("has no column 'id'"), "{e}");
        assert!(!e.contains("separated by"), "{e}");
        // The columns joined by another separator (a spreadsheet in a decimal-comma locale):
        // the message names the separator, for every spelling of it.
        for (text, shown) in [
            ("id;lon;lat\nk;30,5;50,4\n", "';'"),
            ("LAT; lon; id\nk;1;2\n", "';'"),
            ("id\tlon\tlat\nk\t1\t2\n", "a tab"),
            ("id|lon|lat\nk|1|2\n", "'|'"),
        ] {
            let e = rows_of(text).unwrap_err().to_string();
            assert!(
                e.contains("has no column") && e.contains(&format!("separated by {shown}")),
                "{text}: {e}"
            );
        }
    }

    fn rows_of(text: &str) -> Result<Vec<(String, String, f64, f64)>, CsvError> {
        let p = read_points(text.as_bytes(), 1000, false)?;
        Ok(p.rows
            .into_iter()
            .map(|r| (r.columns, r.id, r.at.lon(), r.at.lat()))
            .collect())
    }

    /// Every row given (columns, id, coordinates) and the result of reading `text` by `read`.
    type Given = (Vec<(Vec<u8>, Vec<u8>, u64, u64)>, Result<(), (u64, String)>);

    fn given(read: impl FnOnce(&mut dyn FnMut(&[u8], &[u8], LonLat)) -> Result<(), (u64, String)>) -> Given {
        let mut rows = Vec::new();
        let result = read(&mut |columns, id, p| {
            rows.push((columns.to_vec(), id.to_vec(), p.lon().to_bits(), p.lat().to_bits()))
        });
        (rows, result)
    }

    /// The fast path gives the same rows and the same error as reading every line field by
    /// field (the path before it, [`Layout::plain_line`] on each line): seeded random inputs
    /// of good and bad lines, blank lines, CRLF, formulas, long lines, extra columns in several
    /// layouts, with and without `csv_safe`.
    #[test]
    fn the_vectorised_plain_path_reads_every_line_as_field_by_field() {
        let ids = ["p1", "", "=1+2", "-x", "a b", "\u{feff}k", "é", "@", "\tq"];
        let numbers = [
            "30.5",
            "50.25",
            "-181",
            "1e1",
            "nan",
            "inf",
            "",
            " 30",
            "+30.5",
            "30.5x",
            "91",
            "36.4926099695641",
        ];
        let headers = [
            "id,lon,lat",
            "lon,lat,id",
            "lat,id,lon,x",
            "id,lon,lat,x,y",
            "x,id,lon,lat",
        ];
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        let mut fast_rows = 0;
        for case in 0..6000 {
            let header = headers[case % headers.len()];
            let safe = case % 3 == 0;
            let layout = Layout::parse(format!("{header}\n").as_bytes(), safe).unwrap();
            let columns = layout.names.len();
            let mut text = String::new();
            for _ in 0..1 + next(6) {
                match next(20) {
                    0 => text.push('\n'),
                    1 => text.push_str("\r\n"),
                    2 => text.push_str(&"9".repeat(MAX_LINE_BYTES + next(3))),
                    _ => {
                        let extra = if next(8) == 0 { 1 + next(2) } else { 0 };
                        let fields: Vec<&str> = (0..columns + extra - usize::from(next(10) == 0))
                            .map(|i| {
                                if i == layout.lon || i == layout.lat {
                                    if next(5) == 0 {
                                        numbers[next(numbers.len())]
                                    } else {
                                        numbers[i % 2]
                                    }
                                } else {
                                    ids[next(ids.len())]
                                }
                            })
                            .collect();
                        text.push_str(&fields.join(","));
                    }
                }
                if next(6) != 0 {
                    text.push_str(if next(3) == 0 { "\r\n" } else { "\n" });
                }
            }
            let text = text.as_bytes();
            let mut scratch = Vec::new();
            let fast = given(|row| {
                layout
                    .rows_plain(text, &mut scratch, &mut |c, i, p| row(c, i, p))
                    .map(|_| ())
            });
            let mut scratch = Vec::new();
            let reference = given(|row| {
                for (n, line) in text.split_inclusive(|&b| b == b'\n').enumerate() {
                    layout.plain_line(n as u64, line, &mut scratch, &mut |c, i, p| row(c, i, p))?;
                }
                Ok(())
            });
            assert_eq!(
                fast,
                reference,
                "{header} safe={safe}: {:?}",
                String::from_utf8_lossy(text)
            );
            fast_rows += fast.0.len();
        }
        assert!(fast_rows > 5000, "the cases give rows: {fast_rows}");
    }

    #[test]
    fn scan_finds_record_ends_outside_quotes() {
        let t = b"a,\"x\ny\",1\nb,\"\"\"\",2\n";
        let (s, last) = Scan::FieldStart.run(t, 0);
        assert_eq!(s, Scan::FieldStart);
        assert_eq!(last, Some(t.len()));
        assert_eq!(Scan::FieldStart.run(t, 3).1, Some(10));
        assert_eq!(split_point(t, true), 10);
    }

    #[test]
    fn fields_are_read_and_written_per_rfc_4180() {
        let r = rows_of("id,lon,lat\n\"Kyiv, centre\",30.5,50.4\n\"the \"\"north\"\" post\",1,2\n\"a\r\nb\",3,4\n")
            .unwrap();
        assert_eq!(r[0].0, "\"Kyiv, centre\",30.5,50.4");
        assert_eq!(r[0].1, "Kyiv, centre");
        assert_eq!(r[1].0, "\"the \"\"north\"\" post\",1,2");
        assert_eq!(r[2].0, "\"a\r\nb\",3,4");
        assert_eq!((r[2].2, r[2].3), (3.0, 4.0));
    }

    #[test]
    fn a_bare_cr_outside_quotes_is_refused_with_its_line_and_byte() {
        assert_eq!(bare_cr(b"a,1,2\r\nb,1,2\r\n"), None);
        assert_eq!(bare_cr(b"a,1,2\nb\rc,1,2\n"), Some(7));
        assert_eq!(bare_cr(b"a,1,2\r"), None, "the end of the text ends the line");
        assert_eq!(bare_cr(b"\"a\rb\",1,2\r\n"), None, "inside quotes it is text");
        assert_eq!(bare_cr(b"\"a\",1,2\rb,1,2\n"), Some(7));
        assert_eq!(bare_cr(b"\"a\"\"\",x\ry,2\n"), Some(7));
        // Through the reader: never split, never merged.
        for (text, line, byte) in [
            ("id,lon,lat\nk\rx,30.5,50.4\n", 2, 2),
            ("id,lon,lat\nk,30.5,50.4\nj,30.5,50.4\rm,30.5,50.4\n", 3, 12),
            ("id,lon,lat\n\"k\",30.5,50.4\rj,30.5,50.4\n", 2, 14),
            ("id,lon,lat\r\n\"k\",30.5,50.4\r\nj\r,30.5,50.4\r\n", 3, 2),
        ] {
            let e = rows_of(text).expect_err(text).to_string();
            assert!(
                e.contains(&format!(
                    "line {line}: a carriage return (CR) at byte {byte} ends no line"
                )),
                "{text:?}: {e}"
            );
        }
        assert_eq!(rows_of("id,lon,lat\n\"k\rx\",30.5,50.4\n").unwrap().len(), 1);
    }

    /// A byte order mark past the header that starts a line or a field (fast path, quoted path,
    /// other column orders) is refused naming its line and byte, rows before it are given; one
    /// inside a field's text is that field's text.
    #[test]
    fn a_byte_order_mark_that_starts_a_data_field_is_refused() {
        for (text, line, byte) in [
            ("id,lon,lat\nk,30.5,50.4\n\u{feff}j,30.5,50.4\n", 3, 1),
            ("id,lon,lat\r\n\u{feff}j,30.5,50.4\r\n", 2, 1),
            ("lon,lat,id\n30.5,50.4,\u{feff}j\n", 2, 11),
            ("id,lon,lat\n\"k\",30.5,50.4\n\u{feff}\"j\",30.5,50.4\n", 3, 1),
            ("id,lon,lat\n\"k\",30.5,50.4\n\"\u{feff}j\",30.5,50.4\n", 3, 2),
            ("id,lon,lat,x\nk,30.5,50.4,\u{feff}\n", 2, 13),
            ("id,lon,lat\nk,\u{feff}30.5,50.4\n", 2, 3),
        ] {
            let e = rows_of(text).expect_err(text).to_string();
            assert!(
                e.contains(&format!(
                    "line {line}: a byte order mark (U+FEFF, invisible) at byte {byte} of the line: remove it"
                )),
                "{text:?}: {e}"
            );
        }
        // In a field's text, it is text.
        assert_eq!(rows_of("id,lon,lat\nk\u{feff}j,30.5,50.4\n").unwrap().len(), 1);
        assert_eq!(rows_of("id,lon,lat\n\"k\u{feff}\",30.5,50.4\n").unwrap().len(), 1);
        assert_eq!(misplaced_bom(b"\"\xEF\xBB\xBF"), Some(1));
        assert_eq!(misplaced_bom(b"\xEF\xBB\xBF"), Some(0));
        assert_eq!(misplaced_bom(b"a\xEF\xBB\xBF"), None);
    }

    #[test]
    fn invisible_characters_are_named() {
        assert_eq!(shown("a\u{feff}b\r\tc\u{1}".as_bytes()), "a<U+FEFF>b\\r\\tc<U+0001>");
        assert_eq!(shown(&[b'x'; 50]).len(), 43);
        assert_eq!(invisible_cause(b"id,lon,lat", true), None);
        assert_eq!(
            invisible_cause(b"\"a\rb\",1,2", false),
            None,
            "a CR inside quotes is text"
        );
        assert!(invisible_cause(b"a,1,2\rb,1,2", false).is_some_and(|m| m.contains("CR) at byte 6")));
        assert!(
            invisible_cause("\u{feff}id,lon,lat".as_bytes(), true)
                .is_some_and(|m| m.contains("second byte order mark"))
        );
        assert!(invisible_cause("k,\u{feff}1,2".as_bytes(), false).is_some_and(|m| m.contains("at byte 3")));
    }

    #[test]
    fn strict_refuses_stray_quotes() {
        assert!(
            strict(b"a\"b,1,2", &[])
                .unwrap_err()
                .contains("field 1: a quote inside a field")
        );
        assert!(
            strict(b"\"a\"b,1,2", &[])
                .unwrap_err()
                .contains("text after its closing quote")
        );
        assert!(
            strict(b"x,\"a", &[])
                .unwrap_err()
                .contains("field 2: the quote that opens it is not closed")
        );
        assert!(strict(b"\"\",\"a,b\",\"c\"\"d\"\r", &[]).is_ok());
    }

    #[test]
    fn formulas_are_neutralised_only_when_asked() {
        let mut v = Vec::new();
        write_field(&mut v, b"=1+2", true);
        assert_eq!(v, b"\"'=1+2\"");
        v.clear();
        write_field(&mut v, b"=1+2", false);
        assert_eq!(v, b"=1+2");
        v.clear();
        write_field(&mut v, b"-\"x\"", true);
        assert_eq!(v, b"\"'-\"\"x\"\"\"");
    }

    #[test]
    fn header_names_in_any_order_with_extras() {
        let l = Layout::parse(b"name,LAT,lon,id\n", false).unwrap();
        assert_eq!((l.id, l.lon, l.lat, l.simple), (3, 2, 1, false));
        assert!(
            Layout::parse(b"id,lat,name\n", false)
                .unwrap_err()
                .1
                .contains("no column 'lon'")
        );
        assert!(
            Layout::parse(b"id,lon,lat,lon\n", false)
                .unwrap_err()
                .1
                .contains("'lon' twice (columns 2 and 4)")
        );
        assert!(
            Layout::parse(b"id,lon,lat,x,x\n", false)
                .unwrap_err()
                .1
                .contains("'x' twice")
        );
        assert!(
            Layout::parse(b"id,lon,lat,status\n", false)
                .unwrap_err()
                .1
                .contains("rename")
        );
        assert!(Layout::parse(b"\"id\",\"lon\",\"lat\"\n", false).unwrap().simple);
    }

    #[test]
    fn records_across_block_boundaries_and_bad_bytes() {
        // Many rows with a quoted line break, enough for several blocks.
        let mut text = String::from("id,lon,lat\n");
        let mut n = 0;
        while text.len() < 3 * BLOCK_BYTES {
            text.push_str(&format!("\"p{n}\nsecond line\",30.5,50.25\n"));
            n += 1;
        }
        let p = read_points(text.as_bytes(), u64::MAX, false).unwrap();
        assert_eq!(p.rows.len(), n);
        assert!(
            p.rows
                .iter()
                .all(|r| r.id.ends_with("\nsecond line") && r.at.lat() == 50.25)
        );
        text.push_str("bad\"quote,1,2\n");
        let e = read_points(text.as_bytes(), u64::MAX, false).unwrap_err().to_string();
        assert_eq!(
            e,
            format!(
                "line {}: field 1 (id): a quote inside a field that is not quoted (quote the whole field and double the quote: \"a \"\"b\"\" c\")",
                2 + 2 * n
            )
        );
        let e = read_points(&b"id,lon,lat\na,1,2\n\xCA,1,2\n"[..], 10, false)
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("line 3: not valid UTF-8 (byte 0xCA at byte 1 of the line)"),
            "{e}"
        );
    }

    /// Reads `bytes` through [`decoding`] in small reads (so that blocks and characters are cut
    /// anywhere): the text, or the [`Undecodable`] error.
    fn decode(bytes: &[u8], label: &str) -> Result<String, (u64, String)> {
        let enc = encoding_for_label(label).unwrap().unwrap();
        let mut r = decoding(bytes, enc);
        let mut out = Vec::new();
        let mut buf = [0u8; 7];
        loop {
            match r.read(&mut buf) {
                Ok(0) => return Ok(String::from_utf8(out).unwrap()),
                Ok(n) => out.extend_from_slice(&buf[..n]),
                Err(e) => {
                    let u = e.get_ref().unwrap().downcast_ref::<Undecodable>().unwrap();
                    return Err((u.line, u.to_string()));
                }
            }
        }
    }

    /// UTF-16 text given as UTF-8 (Excel's "Unicode text", either byte order): the error names
    /// the byte order mark and the encoding to give, not a bad byte.
    #[test]
    fn utf16_text_given_as_utf8_is_named_by_its_byte_order_mark() {
        for (le, label) in [(true, "utf-16le"), (false, "utf-16be")] {
            let mut bytes = if le { vec![0xFF, 0xFE] } else { vec![0xFE, 0xFF] };
            for u in "id,lon,lat\nk,1,2\n".encode_utf16() {
                bytes.extend(if le { u.to_le_bytes() } else { u.to_be_bytes() });
            }
            let (line, e) = utf8(&bytes).unwrap_err();
            assert_eq!(line, 0);
            assert!(
                e.contains("UTF-16 byte order mark") && e.contains(&format!("--encoding {label}")),
                "{e}"
            );
            // And with the encoding given, it decodes.
            assert_eq!(decode(&bytes, label).unwrap(), "id,lon,lat\nk,1,2\n");
        }
        // A bad byte later in a text is still named by its line and byte.
        assert!(
            utf8(b"id,lon,lat\n\xFF\xFE,1,2\n")
                .unwrap_err()
                .1
                .starts_with("not valid UTF-8")
        );
    }

    #[test]
    fn bytes_a_charset_cannot_decode_are_an_error_naming_the_line_never_u_fffd() {
        // Good text in several charsets decodes as before (a BOM wins and is dropped).
        let (cyr, _, _) = encoding_rs::WINDOWS_1251.encode("id,lon,lat\nКиїв,30.5,50.4\n");
        assert_eq!(decode(&cyr, "windows-1251").unwrap(), "id,lon,lat\nКиїв,30.5,50.4\n");
        let (sj, _, _) = encoding_rs::SHIFT_JIS.encode("id,lon,lat\n東京,30.5,50.4\n");
        assert_eq!(decode(&sj, "shift_jis").unwrap(), "id,lon,lat\n東京,30.5,50.4\n");
        let utf16: Vec<u8> = "\u{feff}id,lon,lat\nα,1,2\n"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        assert_eq!(decode(&utf16, "utf-16le").unwrap(), "id,lon,lat\nα,1,2\n");
        // Shift_JIS: a lead byte followed by a byte that cannot trail it, on line 3.
        let mut bad = b"id,lon,lat\n1,30.5,50.4\nx".to_vec();
        bad.extend_from_slice(&[0x81, 0x20]);
        bad.extend_from_slice(b",30.5,50.4\n");
        let (line, msg) = decode(&bad, "shift_jis").unwrap_err();
        assert_eq!(line, 3, "{msg}");
        assert!(msg.contains("0x81") && msg.contains("Shift_JIS"), "{msg}");
        // Shift_JIS: a byte that is no character at all (0xA0), deep in a long input.
        let mut deep = b"id,lon,lat\n".to_vec();
        for i in 0..20_000 {
            deep.extend_from_slice(format!("{i},30.5,50.4\n").as_bytes());
        }
        deep.extend_from_slice(&[b'z', 0xA0, b',', b'1', b',', b'2', b'\n']);
        let (line, msg) = decode(&deep, "shift_jis").unwrap_err();
        assert_eq!(line, 20_002, "{msg}");
        assert!(msg.contains("0xA0"), "{msg}");
        // UTF-16LE and BE: a lone surrogate on line 2.
        let units: Vec<u16> = "id,lon,lat\n"
            .encode_utf16()
            .chain([0xD800, u16::from(b','), u16::from(b'1')])
            .collect();
        let le: Vec<u8> = units.iter().flat_map(|u| u.to_le_bytes()).collect();
        let be: Vec<u8> = units.iter().flat_map(|u| u.to_be_bytes()).collect();
        assert_eq!(decode(&le, "utf-16le").unwrap_err().0, 2);
        assert_eq!(decode(&be, "utf-16be").unwrap_err().0, 2);
        // EUC-KR and GBK: a lead byte at the very end of the input.
        for label in ["euc-kr", "gbk", "big5"] {
            let (line, msg) = decode(b"id,lon,lat\n1,2,3\n\x81", label).unwrap_err();
            assert_eq!(line, 3, "{label}: {msg}");
            assert!(msg.starts_with("bytes 0x81 cannot"), "{label}: {msg}");
        }
        // A CSV reader reports it as a bad line.
        let e = CsvError::from(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            Undecodable {
                line: 7,
                encoding: "Shift_JIS",
                bytes: "0xA0".into(),
            },
        ));
        assert!(matches!(&e, CsvError::Undecodable(u) if u.line == 7), "{e}");
        assert!(
            e.to_string()
                .starts_with("line 7: bytes 0xA0 cannot be read as Shift_JIS"),
            "{e}"
        );
    }
}
