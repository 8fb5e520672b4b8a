//! Streaming classification of CSV points (`id,lon,lat` in, `id,lon,lat,status,snapshot` out):
//! a bounded block of input in memory at a time (1 MiB, split between both cores), the input
//! text of each field echoed unchanged.

use crate::catalog::{Computed, InForce, check_coordinate};
use crate::index::PolygonIndex;
use crate::index::line::LineOfContact;
use crate::model::Status;
use std::io::{BufRead, Write};

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
    /// Reading or writing failed.
    #[error("i/o error: {0}")]
    Io(#[from] std::io::Error),
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

/// The header the input must start with, and the one written.
pub const INPUT_HEADER: &str = "id,lon,lat";
/// The header written.
pub const OUTPUT_HEADER: &str = "id,lon,lat,status,snapshot";
/// The header written with distances.
pub const OUTPUT_HEADER_DISTANCE: &str =
    "id,lon,lat,status,snapshot,line_of_contact_km,line_nearest_lon,line_nearest_lat";

/// Options of a CSV classification.
#[derive(Debug, Clone, Copy, Default)]
pub struct CsvOptions {
    /// Refuse more rows than this (checked per block: rows of the block that crosses the limit
    /// are not written).
    pub max_rows: Option<u64>,
    /// Add the geodesic distance to the line of contact in km and its nearest point (empty
    /// where there is no line).
    pub distance: bool,
    /// Statuses in the raw composition, without the sliver rule.
    pub raw: bool,
}

/// Bytes read per block: each block is split in two halves classified on both cores.
const BLOCK_BYTES: usize = 1 << 20;

/// Parses one coordinate field strictly (finite; range checked by the caller). `fast-float2`
/// parses the bytes directly, without a UTF-8 check, about twice as fast as `str::parse`.
fn number(field: &[u8], name: &str) -> Result<f64, String> {
    match fast_float2::parse::<f64, _>(field) {
        Ok(v) if v.is_finite() => Ok(v),
        Ok(_) => Err(format!("{name} '{}' is not a finite number", shown(field))),
        Err(_) => Err(format!("{name} '{}' is not a number", shown(field))),
    }
}

/// Classifies every row of `input` against what is in force, writing rows to `output`.
///
/// Streams in blocks of 1 MiB, each classified on both cores; output keeps the input order.
/// On a malformed line, every row before it has been written and the error names its line.
pub fn classify_csv<R: BufRead, W: Write>(f: &InForce<'_>, input: R, output: &mut W) -> Result<StatusCounts, CsvError> {
    classify_csv_limited(f, input, output, None)
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
        distance: false,
        raw: false,
    };
    classify_csv_with(f, input, output, &options)
}

/// [`classify_csv`] with options: a row limit, distances to the line of contact.
pub fn classify_csv_with<R: BufRead, W: Write>(
    f: &InForce<'_>,
    mut input: R,
    output: &mut W,
    options: &CsvOptions,
) -> Result<StatusCounts, CsvError> {
    let max_rows = options.max_rows;
    let snapshot_id = f.snapshot().id();
    let suffix = |s: Status| {
        let sep = if options.distance { "," } else { "\n" };
        format!(",{},{}{sep}", s.as_str(), snapshot_id).into_bytes()
    };
    let suffixes = [Status::Covered, Status::Occupied, Status::Contested, Status::Outside].map(suffix);
    let classifier = Rows {
        state: f.computed(),
        border: f.border_index(),
        suffixes: &suffixes,
        line: options.distance.then(|| f.line()),
        raw: options.raw,
    };

    let mut header = Vec::with_capacity(64);
    let read = read_line_bounded(&mut input, &mut header).map_err(|e| match e {
        CsvError::Line { line: 0, message } => CsvError::Line { line: 1, message },
        other => other,
    })?;
    if read == 0 {
        return Err(CsvError::Line {
            line: 1,
            message: format!("empty input; expected the header '{INPUT_HEADER}'"),
        });
    }
    if trim_eol(&header) != INPUT_HEADER.as_bytes() {
        return Err(CsvError::Line {
            line: 1,
            message: format!("header is '{}', expected '{INPUT_HEADER}'", shown(trim_eol(&header))),
        });
    }
    let header = if options.distance {
        OUTPUT_HEADER_DISTANCE
    } else {
        OUTPUT_HEADER
    };
    output.write_all(header.as_bytes())?;
    output.write_all(b"\n")?;

    let mut counts = StatusCounts::default();
    let mut next_line: u64 = 2;
    let mut block: Vec<u8> = Vec::with_capacity(BLOCK_BYTES + 4096);
    let (mut out_a, mut out_b) = (Vec::with_capacity(BLOCK_BYTES * 2), Vec::with_capacity(BLOCK_BYTES * 2));
    loop {
        // Fill the block up to its size, then complete its last line.
        let eof = fill(&mut input, &mut block).map_err(|e| match e {
            // The over-long line is the one after the block's complete lines.
            CsvError::Line { line: 0, message } => {
                let complete = block.iter().filter(|&&c| c == b'\n').count() as u64;
                CsvError::Line {
                    line: next_line + complete,
                    message,
                }
            }
            other => other,
        })?;
        if block.is_empty() {
            break;
        }
        let mid = split_point(&block);
        let (a, b) = block.split_at(mid);
        out_a.clear();
        out_b.clear();
        let (ra, rb) = rayon::join(|| classifier.rows(a, &mut out_a), || classifier.rows(b, &mut out_b));
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

/// Reads about [`BLOCK_BYTES`] into `block`, ending at a line end (or at end of input).
/// Returns whether the input is exhausted.
fn fill<R: BufRead>(input: &mut R, block: &mut Vec<u8>) -> Result<bool, CsvError> {
    while block.len() < BLOCK_BYTES {
        let buf = input.fill_buf()?;
        if buf.is_empty() {
            return Ok(true);
        }
        let take = buf.len().min(BLOCK_BYTES - block.len());
        block.extend_from_slice(&buf[..take]);
        input.consume(take);
    }
    Ok(read_line_bounded(input, block)? == 0)
}

/// Longest line accepted, bytes: a row is a short id and two numbers.
pub const MAX_LINE_BYTES: usize = 4096;

/// `read_until(b'\n')` that refuses to read more than [`MAX_LINE_BYTES`] without a line end, so
/// that a body without newlines cannot grow a buffer without bound.
fn read_line_bounded<R: BufRead>(input: &mut R, out: &mut Vec<u8>) -> Result<usize, CsvError> {
    let mut n = 0;
    loop {
        let buf = input.fill_buf()?;
        if buf.is_empty() {
            return Ok(n);
        }
        let (take, done) = match buf.iter().position(|&c| c == b'\n') {
            Some(i) => (i + 1, true),
            None => (buf.len(), false),
        };
        if n + take > MAX_LINE_BYTES {
            return Err(CsvError::Line {
                line: 0,
                message: format!("a line is longer than {MAX_LINE_BYTES} bytes (is this CSV id,lon,lat?)"),
            });
        }
        out.extend_from_slice(&buf[..take]);
        input.consume(take);
        n += take;
        if done {
            return Ok(n);
        }
    }
}

/// At most 40 characters of a field, for messages.
fn shown(field: &[u8]) -> String {
    let s = String::from_utf8_lossy(field);
    match s.char_indices().nth(40) {
        Some((i, _)) => format!("{}...", &s[..i]),
        None => s.into_owned(),
    }
}

/// A line boundary near the middle of `block` (0 or its length when there is none).
fn split_point(block: &[u8]) -> usize {
    let half = block.len() / 2;
    block[half..]
        .iter()
        .position(|&c| c == b'\n')
        .map_or(block.len(), |i| half + i + 1)
}

/// What classifying rows needs: the state in force, the border index and the output suffixes.
struct Rows<'a> {
    state: &'a Computed,
    border: &'a PolygonIndex,
    suffixes: &'a [Vec<u8>; 4],
    /// The line of contact, when distances are asked for.
    line: Option<&'a LineOfContact>,
    /// Statuses in the raw composition.
    raw: bool,
}

impl Rows<'_> {
    /// Classifies the lines of `text` into `out`: the counts and the number of lines, or the
    /// 0-based index of the first bad line with what is wrong (rows before it are in `out`).
    fn rows(&self, text: &[u8], out: &mut Vec<u8>) -> Result<(StatusCounts, u64), (u64, String)> {
        let mut counts = StatusCounts::default();
        let mut n = 0u64;
        for line in text.split_inclusive(|&c| c == b'\n') {
            let row = trim_eol(line);
            n += 1;
            if row.is_empty() {
                continue;
            }
            let at = |m: String| (n - 1, m);
            let (_, x, y) = parse_row(row).map_err(at)?;
            let (status, _) = self.state.status_of(self.border, x, y, self.raw);
            counts.add(status);
            out.extend_from_slice(row);
            out.extend_from_slice(&self.suffixes[status as usize]);
            if let Some(line) = self.line {
                if let Some(n) = line.nearest(x, y) {
                    // Metre-and-better precision: six decimals of a km, seven of a degree (1 cm).
                    let _ = write!(out, "{:.6},{:.7},{:.7}", n.km, n.point[0], n.point[1]);
                } else {
                    out.extend_from_slice(b",,");
                }
                out.push(b'\n');
            }
        }
        Ok((counts, n))
    }
}

/// Parses one non-empty row `id,lon,lat` strictly: the id's bytes and the coordinates, checked.
fn parse_row(row: &[u8]) -> Result<(&[u8], f64, f64), String> {
    if row.len() > MAX_LINE_BYTES {
        return Err(format!(
            "a line is longer than {MAX_LINE_BYTES} bytes (is this CSV id,lon,lat?)"
        ));
    }
    let mut fields = row.split(|&b| b == b',');
    let (Some(id), Some(lon), Some(lat), None) = (fields.next(), fields.next(), fields.next(), fields.next()) else {
        let k = row.split(|&b| b == b',').count();
        return Err(format!("expected 3 fields id,lon,lat, found {k}"));
    };
    if id.contains(&b'"') {
        return Err("quoted fields are not supported; ids may not contain '\"' or ','".into());
    }
    let x = number(lon, "lon")?;
    let y = number(lat, "lat")?;
    check_coordinate(x, y).map_err(|e| e.to_string())?;
    Ok((id, x, y))
}

/// One row of an `id,lon,lat` input.
#[derive(Debug, Clone, PartialEq)]
pub struct PointRow {
    /// The id as given.
    pub id: String,
    /// Longitude.
    pub lon: f64,
    /// Latitude.
    pub lat: f64,
}

/// Reads a whole `id,lon,lat` input (header first) with the same checks as [`classify_csv`], for
/// answers that are not one row per input row; refuses more than `max_rows` rows.
pub fn read_points<R: BufRead>(mut input: R, max_rows: u64) -> Result<Vec<PointRow>, CsvError> {
    let mut line = Vec::with_capacity(64);
    if read_line_bounded(&mut input, &mut line).map_err(|e| at_line(e, 1))? == 0 {
        return Err(CsvError::Line {
            line: 1,
            message: format!("empty input; expected the header '{INPUT_HEADER}'"),
        });
    }
    if trim_eol(&line) != INPUT_HEADER.as_bytes() {
        return Err(CsvError::Line {
            line: 1,
            message: format!("header is '{}', expected '{INPUT_HEADER}'", shown(trim_eol(&line))),
        });
    }
    let mut out = Vec::new();
    for n in 2u64.. {
        line.clear();
        if read_line_bounded(&mut input, &mut line).map_err(|e| at_line(e, n))? == 0 {
            break;
        }
        let row = trim_eol(&line);
        if row.is_empty() {
            continue;
        }
        let (id, lon, lat) = parse_row(row).map_err(|message| CsvError::Line { line: n, message })?;
        if out.len() as u64 >= max_rows {
            return Err(CsvError::TooManyRows { limit: max_rows });
        }
        out.push(PointRow {
            id: String::from_utf8_lossy(id).into_owned(),
            lon,
            lat,
        });
    }
    Ok(out)
}

/// Puts a line number on an error of [`read_line_bounded`].
fn at_line(e: CsvError, line: u64) -> CsvError {
    match e {
        CsvError::Line { line: 0, message } => CsvError::Line { line, message },
        other => other,
    }
}

fn trim_eol(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}
