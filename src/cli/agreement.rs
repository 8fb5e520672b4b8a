//! `frontline agreement --date D|--datetime T [--sources a,b,...]`: where sources agree on the occupied area
//! and the grey zone on a date (GeoJSON: agreed, disputed parts with their sources, envelope,
//! geodesic km2; `--summary`: the areas only, JSON); `--timeline`: CSV of the areas on every
//! snapshot date of the sources where all of them cover it.

use super::{DataArg, Exit, Failure, KnownAtArg, WhenArg, parse_date_arg};
use frontline::analytics::agreement::{AgreementError, AgreementRow, agreement, agreement_timeline};
use std::io::Write;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The date or instant (not with --timeline).
    #[command(flatten)]
    when: WhenArg,
    /// Sources to compare, comma-separated, or all (default: every source that covers the
    /// date; all with names is refused).
    #[arg(long)]
    sources: Option<String>,
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
    /// Decimals of the coordinates written (default 6; not with --timeline).
    #[arg(long)]
    precision: Option<u8>,
    /// Compare the raw compositions (without the sliver rule and without the waters).
    #[arg(long)]
    raw: bool,
    #[command(flatten)]
    known_at: KnownAtArg,
    #[command(flatten)]
    data: DataArg,
}

fn failure(e: AgreementError) -> Failure {
    Failure::input(e.to_string())
}

pub(crate) fn run(a: Args) -> Result<Exit, Failure> {
    let sources = a
        .sources
        .as_deref()
        .map(frontline::analytics::agreement::sources_list)
        .transpose()
        .map_err(failure)?
        .flatten();
    let cat = a.known_at.catalog(&a.data)?;
    let mut out = std::io::stdout().lock();
    // The parameter rules of GET /v1/agreement and /v1/agreement/timeline: each takes its own.
    if a.timeline {
        if a.when.optional()?.is_some() {
            return Err(Failure::input(
                "--timeline takes --from and --to, not --date or --datetime",
            ));
        }
        if a.summary || a.precision.is_some() {
            return Err(Failure::input(
                "--timeline writes a CSV of areas: --summary and --precision are for one date",
            ));
        }
        let from = a.from.as_deref().map(|d| parse_date_arg("from", d)).transpose()?;
        let to = a.to.as_deref().map(|d| parse_date_arg("to", d)).transpose()?;
        let t = agreement_timeline(&cat, sources.as_deref(), from, to, a.raw).map_err(failure)?;
        // A CSV has no room for the sources' terms, what was left out and the warnings: they
        // go to standard error.
        for terms in frontline::output::provenance::SourceRef::of_names(&cat, &t.sources) {
            diag!("note: {}", terms.note());
        }
        for l in &t.left_out {
            diag!("note: left out {}: {}", l.source, l.reason);
        }
        for l in &t.contested_not_drawn {
            diag!(
                "note: grey zone compared without {} (contested columns empty where no source draws one): {}",
                l.source,
                l.reason
            );
        }
        for w in &t.warnings {
            diag!("warning: {w}");
        }
        writeln!(out, "{}", AgreementRow::csv_header(&t.sources))?;
        for r in &t.rows {
            out.write_all(r.to_csv().as_bytes())?;
        }
        return Ok(Exit::Ok);
    }
    let Some(when) = a.when.optional()? else {
        return Err(Failure::input("--date or --datetime is required (or --timeline)"));
    };
    if a.from.is_some() || a.to.is_some() {
        return Err(Failure::input(
            "--from and --to are for --timeline; one date's agreement takes --date or --datetime",
        ));
    }
    let precision = a.precision.unwrap_or(6);
    if precision > 15 {
        return Err(Failure::input("--precision must be 0 to 15"));
    }
    let ag = agreement(&cat, sources.as_deref(), when, a.raw).map_err(failure)?;
    for l in &ag.left_out {
        diag!("note: left out {}: {}", l.source, l.reason);
    }
    for l in &ag.contested_not_drawn {
        diag!("note: grey zone compared without {}: {}", l.source, l.reason);
    }
    if ag.contested.is_none() {
        diag!("note: grey zone unknown (its areas null): no source compared draws one on the date");
    }
    for w in &ag.warnings {
        diag!("warning: {w}");
    }
    if a.summary {
        let doc = frontline::num::to_string_pretty(&ag.summary())?;
        writeln!(out, "{doc}")?;
    } else {
        let doc = ag.geojson(precision)?;
        out.write_all(&doc)?;
        writeln!(out)?;
    }
    Ok(Exit::Ok)
}
