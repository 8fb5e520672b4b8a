//! `frontline diff --from --to [--source] [--to-source] [--min-area-km2]`: what changed hands,
//! as GeoJSON (or the totals with `--summary`).

use super::Exit;
use super::{DataArg, Failure, parse_date_arg};
use frontline::analytics::diff::{DEFAULT_MIN_AREA_KM2, diff_geojson, diff_of};
use frontline::analytics::regions::diff_breakdown;
use std::io::Write;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Start date, YYYY-MM-DD.
    #[arg(long)]
    from: String,
    /// End date, YYYY-MM-DD.
    #[arg(long)]
    to: String,
    /// Source at the start (default: the configured default source).
    #[arg(long)]
    source: Option<String>,
    /// Source at the end (default: the same source): compares two sources.
    #[arg(long)]
    to_source: Option<String>,
    /// Parts smaller than this (km2) are dropped as slivers; their area is reported.
    #[arg(long, default_value_t = DEFAULT_MIN_AREA_KM2)]
    min_area_km2: f64,
    /// Decimals of the coordinates written.
    #[arg(long, default_value_t = 6)]
    precision: u8,
    /// Print only what was compared and the totals (JSON).
    #[arg(long)]
    summary: bool,
    /// Break the changes down by region (needs a regions layer for the border).
    #[arg(long)]
    by_region: bool,
    /// Compare the raw compositions (without the sliver rule and without the waters).
    #[arg(long)]
    raw: bool,
    #[command(flatten)]
    data: DataArg,
}

pub(crate) fn run(a: Args) -> Result<Exit, Failure> {
    let from = parse_date_arg("from", &a.from)?;
    let to = parse_date_arg("to", &a.to)?;
    if !a.min_area_km2.is_finite() || a.min_area_km2 < 0.0 {
        return Err(Failure::input(format!(
            "--min-area-km2 {} must be a finite number >= 0",
            a.min_area_km2
        )));
    }
    if a.precision > 15 {
        return Err(Failure::input("--precision must be 0 to 15"));
    }
    let cat = a.data.catalog()?;
    let d = diff_of(
        &cat,
        a.source.as_deref(),
        from,
        a.to_source.as_deref(),
        to,
        a.min_area_km2,
        a.raw,
    )?;
    for side in [&d.from, &d.to] {
        if let Some(w) = &side.age.warning {
            diag!("warning: {w}");
        }
    }
    let by_region = if a.by_region {
        let source = a.to_source.as_deref().or(a.source.as_deref());
        Some(diff_breakdown(&cat, source, &d)?)
    } else {
        None
    };
    let mut out = std::io::stdout().lock();
    if a.summary {
        let doc = frontline::num::to_string_pretty(&d.summary(by_region.as_ref()))?;
        writeln!(out, "{doc}")?;
    } else {
        let doc = diff_geojson(&d, a.precision, by_region.as_ref())?;
        out.write_all(&doc)?;
        writeln!(out)?;
    }
    Ok(Exit::Ok)
}
