//! `frontline query --lon --lat --date [--source]`: the status of one point, as JSON.

use super::{DataArg, Failure, parse_coord_arg, parse_date_arg};
use std::io::Write;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Longitude, decimal degrees in [-180, 180].
    #[arg(long, allow_hyphen_values = true)]
    lon: String,
    /// Latitude, decimal degrees in [-90, 90].
    #[arg(long, allow_hyphen_values = true)]
    lat: String,
    /// Date, YYYY-MM-DD: the snapshot in force is the latest dated on or before it.
    #[arg(long)]
    date: String,
    /// Source (default: the configured default source).
    #[arg(long)]
    source: Option<String>,
    #[command(flatten)]
    data: DataArg,
}

pub(crate) fn run(a: Args) -> Result<ExitCode, Failure> {
    let lon = parse_coord_arg("lon", &a.lon, 180.0)?;
    let lat = parse_coord_arg("lat", &a.lat, 90.0)?;
    let date = parse_date_arg("date", &a.date)?;
    let cat = a.data.catalog()?;
    let answer = frontline::query::point(&cat, a.source.as_deref(), date, lon, lat, true)?;
    let text = serde_json::to_string_pretty(&answer).map_err(|e| Failure::data(e.to_string()))?;
    writeln!(std::io::stdout().lock(), "{text}")?;
    Ok(ExitCode::SUCCESS)
}
