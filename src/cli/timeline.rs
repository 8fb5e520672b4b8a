//! `frontline timeline [--source] [--date D] [--by-region] [--raw]`: areas per epoch (and
//! region) as CSV; with `--date`, the one row in force on that date (a warning on stderr when
//! its snapshot is more than a month older).

use super::Exit;
use super::{DataArg, Failure};
use std::io::Write;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Source (default: the configured default source).
    #[arg(long)]
    source: Option<String>,
    /// One row per region and date (needs a regions layer for the border).
    #[arg(long)]
    by_region: bool,
    /// The raw composition: areas and line as before the sliver rule (comparable with peers
    /// that do not apply it).
    #[arg(long)]
    raw: bool,
    /// Only the row in force on this date (YYYY-MM-DD): the areas on one date.
    #[arg(long, value_parser = frontline::model::parse_date)]
    date: Option<chrono::NaiveDate>,
    #[command(flatten)]
    data: DataArg,
}

pub(crate) fn run(a: Args) -> Result<Exit, Failure> {
    let cat = a.data.catalog()?;
    let (mut from, mut to) = (None, None);
    if let Some(d) = a.date {
        let f = cat.in_force(a.source.as_deref(), d)?;
        (from, to) = (Some(f.epoch.from), Some(f.epoch.from));
        if let Some(w) = frontline::output::provenance::SnapshotAge::new(&f, d).warning {
            eprintln!("warning: {w}");
        }
    }
    if a.by_region {
        use frontline::analytics::regions::{REGION_TIMELINE_CSV_HEADER, timeline_by_region};
        let rows = timeline_by_region(&cat, a.source.as_deref(), from, to, a.raw)?;
        let mut out = std::io::BufWriter::new(std::io::stdout().lock());
        writeln!(out, "{REGION_TIMELINE_CSV_HEADER}")?;
        for r in rows {
            out.write_all(r.to_csv().as_bytes())?;
        }
        out.flush()?;
        return Ok(Exit::Ok);
    }
    let rows = frontline::query::timeline_between(&cat, a.source.as_deref(), from, to, a.raw)?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    writeln!(out, "{}", frontline::query::TIMELINE_CSV_HEADER)?;
    for r in rows {
        out.write_all(r.to_csv().as_bytes())?;
    }
    out.flush()?;
    Ok(Exit::Ok)
}
