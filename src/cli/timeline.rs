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
    writeln!(out, "{}", frontline::query::TIMELINE_CSV_HEADER)?;
    for r in rows {
        out.write_all(r.to_csv().as_bytes())?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
