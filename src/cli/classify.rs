//! `frontline classify FILE --date [--source] [--distance] [--encoding] [--csv-safe]`: a CSV
//! (RFC 4180) with the columns `id`, `lon`, `lat` in any order (others passed through) in, the
//! same columns then `status,snapshot,revised[,line_of_contact_km,line_nearest_lon,line_nearest_lat]` out, streaming (with `--summary`,
//! only the counts per status). A malformed line stops the run with its line number and exit
//! code 2.

use super::Exit;
use super::{DataArg, Failure, KnownAtArg, WhenArg};
use frontline::query::csv::{CsvError, CsvOptions, classify_csv_with, decoding, encoding_for_label};
use std::io::{BufRead, BufReader, BufWriter, Read, Write};
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Input CSV with the columns `id`, `lon`, `lat` in any order, others passed through (`-` for
    /// standard input).
    file: PathBuf,
    #[command(flatten)]
    when: WhenArg,
    /// Source (default: the configured default source).
    #[arg(long)]
    source: Option<String>,
    /// Add the geodesic distance to the line of contact (km) to every row.
    #[arg(long)]
    distance: bool,
    /// The raw composition: the source's drawing clipped to the border's land, without the
    /// sliver rule and without the waters (comparable with peers that apply neither).
    #[arg(long)]
    raw: bool,
    /// Print only the counts per status (one line on stdout), not the rows.
    #[arg(long)]
    summary: bool,
    /// The input's text encoding (a WHATWG label, e.g. windows-1251); the output is UTF-8.
    /// Default: UTF-8, bytes that are not are an error naming their line.
    #[arg(long)]
    encoding: Option<String>,
    /// Neutralise spreadsheet formulas in the text columns written back (a field starting with
    /// `=`, `+`, `-`, `@`, tab or CR gets a leading `'` and quotes).
    #[arg(long)]
    csv_safe: bool,
    #[command(flatten)]
    known_at: KnownAtArg,
    #[command(flatten)]
    data: DataArg,
}

pub(crate) fn run(a: Args) -> Result<Exit, Failure> {
    let when = a.when.required()?;
    let input = open_csv(&a.file, a.encoding.as_deref())?;
    let cat = a.known_at.catalog(&a.data)?;
    let (in_force, date) = cat.resolve(a.source.as_deref(), when)?;
    // A CSV has no room for the source's terms: they go to standard error.
    diag!(
        "note: {}",
        frontline::output::provenance::SourceRef::new(in_force.source).note()
    );
    if let Some(w) = frontline::output::provenance::SnapshotAge::new(&in_force, date).warning {
        diag!("warning: {w}");
    }
    let mut out: Box<dyn Write> = if a.summary {
        Box::new(std::io::sink())
    } else {
        Box::new(BufWriter::with_capacity(1 << 20, std::io::stdout().lock()))
    };
    let options = CsvOptions {
        max_rows: None,
        distance: a.distance,
        raw: a.raw,
        csv_safe: a.csv_safe,
    };
    let counts = classify_csv_with(&in_force, input, &mut out, &options).map_err(|e| match e {
        CsvError::Line { .. } | CsvError::Undecodable(_) | CsvError::TooManyRows { .. } => {
            Failure::input(format!("{}: {e}", a.file.display()))
        }
        CsvError::Io(e) => Failure::from(e),
    })?;
    out.flush()?;
    if a.summary {
        // A source without a grey zone cannot say how many points are contested: not 0.
        let (contested, note) = match in_force.contested_not_drawn() {
            None => (counts.contested.to_string(), String::new()),
            Some(why) => ("unknown".to_string(), format!("; {why}")),
        };
        writeln!(
            std::io::stdout().lock(),
            "{} points: covered {}, occupied {}, contested {contested}, outside {} (snapshot {}{}{}{note})",
            counts.total(),
            counts.covered,
            counts.occupied,
            counts.outside,
            in_force.snapshot_id(),
            if a.raw {
                ", raw composition: no sliver rule, no waters"
            } else {
                ""
            },
            if in_force.synthetic() { ", SYNTHETIC data" } else { "" }
        )?;
    }
    Ok(Exit::Ok)
}

/// Opens a CSV file (`-`: standard input), decoded from `encoding` if one is named.
pub(crate) fn open_csv(path: &std::path::Path, encoding: Option<&str>) -> Result<Box<dyn BufRead>, Failure> {
    let encoding = match encoding {
        Some(label) => encoding_for_label(label).map_err(|e| Failure::input(format!("--encoding: {e}")))?,
        None => None,
    };
    let raw: Box<dyn Read> = if path.as_os_str() == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        Box::new(std::fs::File::open(path).map_err(|e| Failure::input(format!("{}: {e}", path.display())))?)
    };
    Ok(match encoding {
        Some(e) => Box::new(BufReader::with_capacity(1 << 20, decoding(raw, e))),
        None => Box::new(BufReader::with_capacity(1 << 20, raw)),
    })
}
