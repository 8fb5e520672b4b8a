//! `frontline history --lon --lat [--source]`: the intervals of one point's status across every
//! snapshot, as JSON; `frontline history --points FILE`: the same for a CSV of points
//! (`id,lon,lat`), one CSV row per interval.

use super::{DataArg, Failure, parse_coord_arg};
use frontline::query::csv::read_points;
use frontline::query::history::{HISTORY_CSV_HEADER, batch_history, history_csv_rows, point_history};
use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Longitude, decimal degrees in [-180, 180].
    #[arg(long, allow_hyphen_values = true, requires = "lat", conflicts_with = "points")]
    lon: Option<String>,
    /// Latitude, decimal degrees in [-90, 90].
    #[arg(long, allow_hyphen_values = true, requires = "lon")]
    lat: Option<String>,
    /// A CSV of points with header `id,lon,lat` (`-` for standard input) instead of one point.
    #[arg(long, required_unless_present = "lon")]
    points: Option<PathBuf>,
    /// Source (default: the configured default source).
    #[arg(long)]
    source: Option<String>,
    #[command(flatten)]
    data: DataArg,
}

pub(crate) fn run(a: Args) -> Result<ExitCode, Failure> {
    if let Some(path) = &a.points {
        return batch(&a, path);
    }
    let (Some(lon), Some(lat)) = (&a.lon, &a.lat) else {
        return Err(Failure::input("give --lon and --lat, or --points FILE"));
    };
    let lon = parse_coord_arg("lon", lon, 180.0)?;
    let lat = parse_coord_arg("lat", lat, 90.0)?;
    let cat = a.data.catalog()?;
    let answer = point_history(&cat, a.source.as_deref(), lon, lat)?;
    let text = serde_json::to_string_pretty(&answer).map_err(|e| Failure::data(e.to_string()))?;
    writeln!(std::io::stdout().lock(), "{text}")?;
    Ok(ExitCode::SUCCESS)
}

fn batch(a: &Args, path: &PathBuf) -> Result<ExitCode, Failure> {
    let input: Box<dyn BufRead> = if path.as_os_str() == "-" {
        Box::new(BufReader::new(std::io::stdin().lock()))
    } else {
        let f = std::fs::File::open(path).map_err(|e| Failure::input(format!("{}: {e}", path.display())))?;
        Box::new(BufReader::new(f))
    };
    let rows = read_points(input, u64::MAX).map_err(|e| Failure::input(format!("{}: {e}", path.display())))?;
    let cat = a.data.catalog()?;
    let coords: Vec<(f64, f64)> = rows.iter().map(|r| (r.lon, r.lat)).collect();
    let batch = batch_history(&cat, a.source.as_deref(), &coords).map_err(|e| Failure::from(e.error))?;
    let (histories, provenance) = (batch.histories, batch.provenance);
    let mut out = String::with_capacity(rows.len() * 96);
    out.push_str(HISTORY_CSV_HEADER);
    out.push('\n');
    for (r, h) in rows.iter().zip(&histories) {
        history_csv_rows(&r.id, r.lon, r.lat, h, &mut out);
    }
    std::io::stdout().lock().write_all(out.as_bytes())?;
    if provenance.synthetic {
        eprintln!("note: source '{}' uses SYNTHETIC data", provenance.source);
    }
    Ok(ExitCode::SUCCESS)
}
