//! `frontline timeline [--source] [--from D] [--to D] [--date D|--datetime T] [--by-region]
//! [--raw] [--known-at T]`: areas per epoch (and region) as CSV; with `--date` (or
//! `--datetime`), the one row in force then (a warning on stderr when its snapshot is more than
//! a month older). Every combination is decided by `frontline::query::timeline`, as over HTTP.

use super::Exit;
use super::{DataArg, Failure, KnownAtArg, WhenArg, parse_date_arg};
use std::io::Write;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Source (default: the configured default source).
    #[arg(long)]
    source: Option<String>,
    /// First date of the series, YYYY-MM-DD (a bound, not a state: every date of the series
    /// from it on is listed).
    #[arg(long)]
    from: Option<String>,
    /// Last date of the series, YYYY-MM-DD.
    #[arg(long)]
    to: Option<String>,
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
    known_at: KnownAtArg,
    #[command(flatten)]
    data: DataArg,
}

pub(crate) fn run(a: Args) -> Result<Exit, Failure> {
    use frontline::query::timeline::{TimelineAsk, TimelineError, TimelineRows, timeline_of};
    let parse = |name: &str, v: &Option<String>| v.as_deref().map(|s| parse_date_arg(name, s)).transpose();
    let ask = TimelineAsk {
        source: a.source.as_deref(),
        from: parse("from", &a.from)?,
        to: parse("to", &a.to)?,
        when: a.when.optional()?,
        by_region: a.by_region,
        raw: a.raw,
    };
    let cat = a.known_at.catalog(&a.data)?;
    let answer = timeline_of(&cat, &ask).map_err(|e| match e {
        // Named as the flag (`--date`, `--from`).
        TimelineError::Parameters { parameter, why } => Failure::input(format!("--{parameter}: {why}")),
        TimelineError::Catalog(c) => c.into(),
        TimelineError::Region(r) => r.into(),
    })?;
    // A CSV has no room for the source's terms: they go to standard error.
    diag!(
        "note: {}",
        frontline::output::provenance::SourceRef::new(answer.source).note()
    );
    if let Some(w) = answer.on.as_ref().and_then(|o| o.age.warning.as_ref()) {
        diag!("warning: {w}");
    }
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    match &answer.rows {
        TimelineRows::Areas(rows) => {
            writeln!(out, "{}", frontline::query::TIMELINE_CSV_HEADER)?;
            for r in rows {
                out.write_all(r.to_csv().as_bytes())?;
            }
        }
        TimelineRows::Regions(rows) => {
            writeln!(out, "{}", frontline::analytics::regions::REGION_TIMELINE_CSV_HEADER)?;
            for r in rows {
                out.write_all(r.to_csv().as_bytes())?;
            }
        }
    }
    out.flush()?;
    Ok(Exit::Ok)
}
