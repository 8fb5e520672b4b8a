//! `frontline query --lon --lat --date|--datetime [--source|--sources] [--raw] [--known-at]`:
//! the status of one point (or every source's verdict), as JSON, with the distance to the line
//! of contact always given (`distance=true` over HTTP).

use super::Exit;
use super::{DataArg, Failure, KnownAtArg, WhenArg, parse_lon_lat_args};
use std::io::Write;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Longitude, decimal degrees in [-180, 180].
    #[arg(long, allow_hyphen_values = true)]
    lon: String,
    /// Latitude, decimal degrees in [-90, 90].
    #[arg(long, allow_hyphen_values = true)]
    lat: String,
    #[command(flatten)]
    when: WhenArg,
    /// Source (default: the configured default source).
    #[arg(long, conflicts_with = "sources")]
    source: Option<String>,
    /// all, or comma-separated source names, instead of --source: every source's verdict and
    /// snapshot, the sources by status, whether they agree, and the sources that do not cover
    /// the date (as `sources=` over HTTP).
    #[arg(long)]
    sources: Option<String>,
    /// The raw composition: the source's drawing clipped to the border's land, without the
    /// sliver rule and without the waters (comparable with peers that apply neither).
    #[arg(long)]
    raw: bool,
    #[command(flatten)]
    known_at: KnownAtArg,
    #[command(flatten)]
    data: DataArg,
}

pub(crate) fn run(a: Args) -> Result<Exit, Failure> {
    let at = parse_lon_lat_args(&a.lon, &a.lat)?;
    let when = a.when.required()?;
    let sources = a
        .sources
        .as_deref()
        .map(frontline::analytics::agreement::sources_list)
        .transpose()
        .map_err(|e| Failure::input(e.to_string()))?;
    let cat = a.known_at.catalog(&a.data)?;
    if let Some(names) = sources {
        let answer = frontline::query::sources::point_agreement(&cat, names.as_deref(), when, at, true, a.raw)
            .map_err(|e| Failure::input(e.to_string()))?;
        let text = frontline::num::to_string_pretty(&answer)?;
        writeln!(std::io::stdout().lock(), "{text}")?;
        return Ok(Exit::Ok);
    }
    let answer = frontline::query::point_of(&cat, a.source.as_deref(), when, at, true, a.raw)?;
    if let Some(w) = &answer.age.warning {
        diag!("warning: {w}");
    }
    let text = frontline::num::to_string_pretty(&answer)?;
    writeln!(std::io::stdout().lock(), "{text}")?;
    Ok(Exit::Ok)
}
