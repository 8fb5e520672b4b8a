//! `frontline classify FILE --date [--source] [--distance]`: CSV `id,lon,lat` in,
//! `id,lon,lat,status,snapshot[,line_of_contact_km]` out, streaming (with `--summary`, only the
//! counts per status). A malformed line stops the run with its line number and a non-zero exit.

use super::{DataArg, Failure, parse_date_arg};
use frontline::query::csv::{CsvError, CsvOptions, classify_csv_with};
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Input CSV with header `id,lon,lat` (`-` for standard input).
    file: PathBuf,
    /// Date, YYYY-MM-DD.
    #[arg(long)]
    date: String,
    /// Source (default: the configured default source).
    #[arg(long)]
    source: Option<String>,
    /// Add the geodesic distance to the line of contact (km) to every row.
    #[arg(long)]
    distance: bool,
    /// Statuses in the raw composition, without the sliver rule (comparable with peers that do
    /// not apply it).
    #[arg(long)]
    raw: bool,
    /// Print only the counts per status (one line on stdout), not the rows.
    #[arg(long)]
    summary: bool,
    #[command(flatten)]
    data: DataArg,
}

pub(crate) fn run(a: Args) -> Result<ExitCode, Failure> {
    let date = parse_date_arg("date", &a.date)?;
    let input: Box<dyn BufRead> = if a.file.as_os_str() == "-" {
        Box::new(BufReader::with_capacity(1 << 20, std::io::stdin().lock()))
    } else {
        let f = std::fs::File::open(&a.file).map_err(|e| Failure::input(format!("{}: {e}", a.file.display())))?;
        Box::new(BufReader::with_capacity(1 << 20, f))
    };
    let cat = a.data.catalog()?;
    let in_force = cat.in_force(a.source.as_deref(), date)?;
    let mut out: Box<dyn Write> = if a.summary {
        Box::new(std::io::sink())
    } else {
        Box::new(BufWriter::with_capacity(1 << 20, std::io::stdout().lock()))
    };
    let options = CsvOptions {
        max_rows: None,
        distance: a.distance,
        raw: a.raw,
    };
    let counts = classify_csv_with(&in_force, input, &mut out, &options).map_err(|e| match e {
        CsvError::Line { .. } | CsvError::TooManyRows { .. } => Failure::input(format!("{}: {e}", a.file.display())),
        CsvError::Io(e) => Failure::from(e),
    })?;
    out.flush()?;
    if a.summary {
        writeln!(
            std::io::stdout().lock(),
            "{} points: covered {}, occupied {}, contested {}, outside {} (snapshot {}{})",
            counts.total(),
            counts.covered,
            counts.occupied,
            counts.contested,
            counts.outside,
            in_force.snapshot().id(),
            if in_force.synthetic() { ", SYNTHETIC data" } else { "" }
        )?;
    }
    Ok(ExitCode::SUCCESS)
}
