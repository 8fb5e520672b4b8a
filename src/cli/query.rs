//! `frontline query --lon --lat --date|--datetime [--source] [--raw]`: the status of one point, as JSON.

use super::Exit;
use super::{DataArg, Failure, WhenArg, parse_lon_lat_args};
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
    #[arg(long)]
    source: Option<String>,
    /// The raw composition: the source's drawing clipped to the border's land, without the
    /// sliver rule and without the waters (comparable with peers that apply neither).
    #[arg(long)]
    raw: bool,
    #[command(flatten)]
    data: DataArg,
}

pub(crate) fn run(a: Args) -> Result<Exit, Failure> {
    let p = parse_lon_lat_args(&a.lon, &a.lat)?;
    let (lon, lat) = (p.lon(), p.lat());
    let when = a.when.required()?;
    let cat = a.data.catalog()?;
    let answer = frontline::query::point_of(&cat, a.source.as_deref(), when, lon, lat, true, a.raw)?;
    if let Some(w) = &answer.age.warning {
        diag!("warning: {w}");
    }
    let text = frontline::num::to_string_pretty(&answer)?;
    writeln!(std::io::stdout().lock(), "{text}")?;
    Ok(Exit::Ok)
}
