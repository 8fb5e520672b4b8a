//! Streaming classification of CSV points (`id,lon,lat` in, `id,lon,lat,status,snapshot` out):
//! one line in memory at a time, the input text of each field echoed unchanged.

use crate::catalog::{InForce, check_coordinate};
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

    /// All points.
    pub fn total(&self) -> u64 {
        self.covered + self.occupied + self.contested + self.outside
    }
}

/// The header the input must start with, and the one written.
pub const INPUT_HEADER: &str = "id,lon,lat";
/// The header written.
pub const OUTPUT_HEADER: &str = "id,lon,lat,status,snapshot";

/// Parses one coordinate field strictly (finite; range checked by the caller).
fn number(field: &[u8], name: &str) -> Result<f64, String> {
    let s = std::str::from_utf8(field).map_err(|_| format!("{name} is not UTF-8 text"))?;
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        Ok(_) => Err(format!("{name} '{s}' is not a finite number")),
        Err(_) => Err(format!("{name} '{s}' is not a number")),
    }
}

/// Classifies every row of `input` against what is in force, writing rows to `output`.
pub fn classify_csv<R: BufRead, W: Write>(
    f: &InForce<'_>,
    mut input: R,
    output: &mut W,
) -> Result<StatusCounts, CsvError> {
    let snapshot_id = f.snapshot().id();
    let suffix = |s: Status| format!(",{},{}\n", s.as_str(), snapshot_id).into_bytes();
    let suffixes = [Status::Covered, Status::Occupied, Status::Contested, Status::Outside].map(suffix);
    let state = f.computed();
    let border = f.border_index();

    let mut line = Vec::with_capacity(128);
    let mut n: u64 = 0;
    let mut counts = StatusCounts::default();
    let err = |line: u64, message: String| CsvError::Line { line, message };

    n += 1;
    if input.read_until(b'\n', &mut line)? == 0 {
        return Err(err(n, format!("empty input; expected the header '{INPUT_HEADER}'")));
    }
    if trim_eol(&line) != INPUT_HEADER.as_bytes() {
        return Err(err(
            n,
            format!(
                "header is '{}', expected '{INPUT_HEADER}'",
                String::from_utf8_lossy(trim_eol(&line))
            ),
        ));
    }
    output.write_all(OUTPUT_HEADER.as_bytes())?;
    output.write_all(b"\n")?;
    loop {
        line.clear();
        if input.read_until(b'\n', &mut line)? == 0 {
            break;
        }
        n += 1;
        if line.last() != Some(&b'\n') {
            // The last line may lack its newline, but must still be complete.
            line.push(b'\n');
        }
        let row = trim_eol(&line);
        if row.is_empty() {
            continue;
        }
        let mut fields = row.split(|&b| b == b',');
        let (Some(id), Some(lon), Some(lat), None) = (fields.next(), fields.next(), fields.next(), fields.next())
        else {
            let k = row.split(|&b| b == b',').count();
            return Err(err(n, format!("expected 3 fields id,lon,lat, found {k}")));
        };
        if id.contains(&b'"') {
            return Err(err(
                n,
                "quoted fields are not supported; ids may not contain '\"' or ','".into(),
            ));
        }
        let x = number(lon, "lon").map_err(|m| err(n, m))?;
        let y = number(lat, "lat").map_err(|m| err(n, m))?;
        check_coordinate(x, y).map_err(|e| err(n, e.to_string()))?;
        let (status, _) = state.status(border, x, y);
        counts.add(status);
        output.write_all(row)?;
        output.write_all(&suffixes[status as usize])?;
    }
    Ok(counts)
}

fn trim_eol(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}
