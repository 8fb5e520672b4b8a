//! `frontline timeline [--source]`: areas per epoch as CSV.

use super::{DataArg, Failure, load_catalog};
use std::io::Write;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Source (default: the configured default source).
    #[arg(long)]
    source: Option<String>,
    #[command(flatten)]
    data: DataArg,
}

pub(crate) fn run(a: Args) -> Result<ExitCode, Failure> {
    let cat = load_catalog(&a.data.data)?;
    let rows = frontline::query::timeline(&cat, a.source.as_deref())?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    writeln!(out, "date,occupied_km2,contested_km2,covered_km2,snapshot,synthetic")?;
    for r in rows {
        writeln!(
            out,
            "{},{:.3},{:.3},{:.3},{},{}",
            r.date, r.occupied_km2, r.contested_km2, r.covered_km2, r.snapshot, r.synthetic
        )?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
