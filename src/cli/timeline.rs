//! `frontline timeline [--source] [--date D] [--by-region] [--raw]`: areas per epoch (and
//! region) as CSV; with `--date`, the one row in force on that date (a warning on stderr when
//! its snapshot is more than a month older).

use super::Exit;
use super::{DataArg, Failure, WhenArg};
use std::io::Write;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Source (default: the configured default source).
    #[arg(long)]
    source: Option<String>,
    /// One row per region and date (needs a regions layer for the border).
    #[arg(long)]
    by_region: bool,
    /// The raw composition: areas and line as before the sliver rule, without the waters (their
    /// figures empty; comparable with peers that apply neither).
    #[arg(long)]
    raw: bool,
    /// Only the row in force on this date or at this instant: the areas on one date.
    #[command(flatten)]
    when: WhenArg,
    #[command(flatten)]
    data: DataArg,
}

pub(crate) fn run(a: Args) -> Result<Exit, Failure> {
    let cat = a.data.catalog()?;
    // A CSV has no room for the source's terms: they go to standard error.
    diag!(
        "note: {}",
        frontline::output::provenance::SourceRef::new(cat.source(a.source.as_deref())?).note()
    );
    let (mut from, mut to) = (None, None);
    let mut publication_row = None;
    if let Some(when) = a.when.optional()? {
        let (f, d) = cat.resolve(a.source.as_deref(), when)?;
        (from, to) = (Some(f.epoch.from), Some(f.epoch.from));
        if let Some(w) = frontline::output::provenance::SnapshotAge::new(&f, d).warning {
            diag!("warning: {w}");
        }
        // A publication superseded later its day is no epoch: its row is measured apart.
        if f.publication.is_some() {
            if a.by_region {
                return Err(Failure::input(
                    "--by-region is by snapshot date: give --date, not --datetime",
                ));
            }
            let prev = d.pred_opt().and_then(|y| cat.in_force(a.source.as_deref(), y).ok());
            publication_row = Some(frontline::query::timeline_row(&f, prev.as_ref(), a.raw));
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
    let rows = match publication_row {
        Some(row) => vec![row],
        None => frontline::query::timeline_between(&cat, a.source.as_deref(), from, to, a.raw)?,
    };
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    writeln!(out, "{}", frontline::query::TIMELINE_CSV_HEADER)?;
    for r in rows {
        out.write_all(r.to_csv().as_bytes())?;
    }
    out.flush()?;
    Ok(Exit::Ok)
}
