//! `frontline agreement --date D|--datetime T [--sources a,b,...]`: where sources agree on the occupied area
//! and the grey zone on a date (GeoJSON: agreed, disputed parts with their sources, envelope,
//! geodesic km2; `--summary`: the areas only, JSON); `--timeline`: CSV of the areas on every
//! snapshot date of the sources where all of them cover it.

use super::{DataArg, Exit, Failure, WhenArg, parse_date_arg};
use frontline::analytics::agreement::{AgreementError, AgreementRow, agreement, agreement_timeline};
use std::io::Write;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The date or instant (not with --timeline).
    #[command(flatten)]
    when: WhenArg,
    /// Sources to compare, comma-separated (default: every source that covers the date).
    #[arg(long, value_delimiter = ',')]
    sources: Option<Vec<String>>,
    /// Print only the areas and what was compared (JSON).
    #[arg(long)]
    summary: bool,
    /// CSV: date, agreed, disputed and envelope km2 (occupied, contested) and the occupied km2
    /// claimed by each source alone, on every snapshot date of the sources that all cover.
    #[arg(long)]
    timeline: bool,
    /// First date of the timeline.
    #[arg(long)]
    from: Option<String>,
    /// Last date of the timeline.
    #[arg(long)]
    to: Option<String>,
    /// Decimals of the coordinates written.
    #[arg(long, default_value_t = 6)]
    precision: u8,
    /// Compare the raw compositions (without the sliver rule and without the waters).
    #[arg(long)]
    raw: bool,
    #[command(flatten)]
    data: DataArg,
}

fn failure(e: AgreementError) -> Failure {
    Failure::input(e.to_string())
}

pub(crate) fn run(a: Args) -> Result<Exit, Failure> {
    let cat = a.data.catalog()?;
    let mut out = std::io::stdout().lock();
    if a.timeline {
        if a.when.optional()?.is_some() {
            return Err(Failure::input(
                "--timeline takes --from and --to, not --date or --datetime",
            ));
        }
        let from = a.from.as_deref().map(|d| parse_date_arg("from", d)).transpose()?;
        let to = a.to.as_deref().map(|d| parse_date_arg("to", d)).transpose()?;
        let (names, rows) = agreement_timeline(&cat, a.sources.as_deref(), from, to, a.raw).map_err(failure)?;
        // A CSV has no room for the sources' terms: they go to standard error.
        for t in frontline::output::provenance::SourceRef::of_names(&cat, &names) {
            diag!("note: {}", t.note());
        }
        writeln!(out, "{}", AgreementRow::csv_header(&names))?;
        for r in &rows {
            out.write_all(r.to_csv().as_bytes())?;
        }
        return Ok(Exit::Ok);
    }
    let Some(when) = a.when.optional()? else {
        return Err(Failure::input("--date or --datetime is required (or --timeline)"));
    };
    if a.precision > 15 {
        return Err(Failure::input("--precision must be 0 to 15"));
    }
    let ag = agreement(&cat, a.sources.as_deref(), when, a.raw).map_err(failure)?;
    if a.summary {
        let doc = frontline::num::to_string_pretty(&ag.summary())?;
        writeln!(out, "{doc}")?;
    } else {
        let doc = ag.geojson(a.precision)?;
        out.write_all(&doc)?;
        writeln!(out)?;
    }
    Ok(Exit::Ok)
}
