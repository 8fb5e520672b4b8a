//! `frontline history --lon --lat [--source] [--raw]`: the intervals of one point's status across every
//! snapshot, as JSON; `frontline history --points FILE`: the same for a CSV of points
//! (RFC 4180, the columns `id`, `lon`, `lat` in any order, others passed through), one CSV row
//! per interval.

use super::Exit;
use super::{DataArg, Failure, KnownAtArg, parse_lon_lat_args};
use frontline::query::csv::read_points;
use frontline::query::history::{history_csv, point_history_of};
use std::io::Write;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Longitude, decimal degrees in [-180, 180].
    #[arg(long, allow_hyphen_values = true, requires = "lat", conflicts_with = "points")]
    lon: Option<String>,
    /// Latitude, decimal degrees in [-90, 90].
    #[arg(long, allow_hyphen_values = true, requires = "lon")]
    lat: Option<String>,
    /// A CSV of points with the columns `id`, `lon`, `lat` in any order (`-` for standard input)
    /// instead of one point.
    #[arg(long, required_unless_present = "lon")]
    points: Option<PathBuf>,
    /// The text encoding of the --points file (a WHATWG label, e.g. windows-1251); default UTF-8.
    #[arg(long, requires = "points")]
    encoding: Option<String>,
    /// Neutralise spreadsheet formulas in the text columns written back (see `classify`).
    #[arg(long, requires = "points")]
    csv_safe: bool,
    /// Source (default: the configured default source).
    #[arg(long)]
    source: Option<String>,
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
    if let Some(path) = &a.points {
        return batch(&a, path);
    }
    let (Some(lon), Some(lat)) = (&a.lon, &a.lat) else {
        return Err(Failure::input("give --lon and --lat, or --points FILE"));
    };
    let at = parse_lon_lat_args(lon, lat)?;
    let cat = a.known_at.catalog(&a.data)?;
    let answer = point_history_of(&cat, a.source.as_deref(), at, a.raw)?;
    let text = frontline::num::to_string_pretty(&answer)?;
    writeln!(std::io::stdout().lock(), "{text}")?;
    Ok(Exit::Ok)
}

fn batch(a: &Args, path: &std::path::Path) -> Result<Exit, Failure> {
    let input = super::classify::open_csv(path, a.encoding.as_deref())?;
    let points =
        read_points(input, u64::MAX, a.csv_safe).map_err(|e| Failure::input(format!("{}: {e}", path.display())))?;
    let cat = a.known_at.catalog(&a.data)?;
    let (out, provenance) =
        history_csv(&cat, a.source.as_deref(), &points, a.raw).map_err(|e| Failure::from(e.error))?;
    std::io::stdout().lock().write_all(out.as_bytes())?;
    // A CSV has no room for the source's terms: they go to standard error.
    diag!("note: {}", provenance.source.note());
    if provenance.synthetic {
        diag!("note: source '{}' uses SYNTHETIC data", provenance.source.name);
    }
    Ok(Exit::Ok)
}
