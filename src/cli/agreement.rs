//! `frontline agreement --date D [--sources a,b,...]`: where sources agree on the occupied area
//! and the grey zone on a date (GeoJSON: agreed, disputed parts with their sources, envelope,
//! geodesic km2; `--summary`: the areas only, JSON); `--timeline`: CSV of the areas on every
//! snapshot date of the sources where all of them cover it.

use super::{DataArg, Exit, Failure, parse_date_arg};
use frontline::analytics::agreement::{AgreementError, agreement};
use std::io::Write;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The date, YYYY-MM-DD (not with --timeline).
    #[arg(long)]
    date: Option<String>,
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
    /// Compare the raw compositions (without the sliver rule).
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
        if a.date.is_some() {
            return Err(Failure::input("--timeline takes --from and --to, not --date"));
        }
        let names: Vec<String> = match &a.sources {
            Some(s) => s.clone(),
            None => cat.sources.keys().cloned().collect(),
        };
        let from = a.from.as_deref().map(|d| parse_date_arg("from", d)).transpose()?;
        let to = a.to.as_deref().map(|d| parse_date_arg("to", d)).transpose()?;
        let mut dates = std::collections::BTreeSet::new();
        let mut first = None;
        for n in &names {
            let s = cat.source(Some(n))?;
            let start = s.snapshots.first().map(|x| x.date);
            first = first.max(start);
            dates.extend(s.snapshots.iter().map(|x| x.date));
        }
        write!(
            out,
            "date,occupied_agreed_km2,occupied_disputed_km2,occupied_envelope_km2,contested_agreed_km2,contested_disputed_km2,contested_envelope_km2"
        )?;
        for n in &names {
            write!(out, ",only_{n}_km2")?;
        }
        writeln!(out)?;
        for d in dates
            .into_iter()
            .filter(|d| Some(*d) >= first && from.is_none_or(|f| *d >= f) && to.is_none_or(|t| *d <= t))
        {
            let ag = agreement(&cat, Some(&names), d, a.raw).map_err(failure)?;
            let (o, c) = (ag.occupied.totals, ag.contested.totals);
            write!(
                out,
                "{d},{:.3},{:.3},{:.3},{:.3},{:.3},{:.3}",
                o.agreed_km2, o.disputed_km2, o.envelope_km2, c.agreed_km2, c.disputed_km2, c.envelope_km2
            )?;
            for n in &names {
                let alone: f64 = ag
                    .occupied
                    .disputed
                    .iter()
                    .filter(|p| p.sources.len() == 1 && &p.sources[0] == n)
                    .map(|p| p.area_km2)
                    .sum();
                write!(out, ",{alone:.3}")?;
            }
            writeln!(out)?;
        }
        return Ok(Exit::Ok);
    }
    let Some(date) = a.date.as_deref() else {
        return Err(Failure::input("--date is required (or --timeline)"));
    };
    let date = parse_date_arg("date", date)?;
    if a.precision > 15 {
        return Err(Failure::input("--precision must be 0 to 15"));
    }
    let ag = agreement(&cat, a.sources.as_deref(), date, a.raw).map_err(failure)?;
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
