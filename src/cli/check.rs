//! `frontline check [DIR]`: the validation report of a geodata directory.

use super::Exit;
use super::{DataArg, Failure};
use frontline::geodata::load_dir_within;
use std::io::Write;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Geodata directory to check (overrides --data; without either, the embedded geodata).
    dir: Option<PathBuf>,
    #[command(flatten)]
    data: DataArg,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
}

pub(crate) fn run(a: Args) -> Result<Exit, Failure> {
    let window = a.data.window.config()?;
    let dir = a.dir.or(a.data.data);
    let loaded = match &dir {
        Some(d) => load_dir_within(d, &window),
        None => frontline::geodata::embedded::load(),
    };
    let missing = dir.as_ref().is_some_and(|d| !d.is_dir());
    let dir = dir.unwrap_or_else(|| PathBuf::from(frontline::geodata::embedded::EMBEDDED_ROOT));
    let (report, summary) = match loaded {
        Ok(l) => {
            let g = &l.geodata;
            let mut s = vec![format!(
                "{}: {} border(s), {} baseline(s), {} source(s)",
                dir.display(),
                g.borders.len(),
                g.baselines.len(),
                g.sources.len()
            )];
            for src in &g.sources {
                let (first, last) = (src.snapshots.first(), src.snapshots.last());
                let synthetic = src.snapshots.iter().any(|s| s.synthetic);
                s.push(format!(
                    "  source {}: {} snapshot(s), {} .. {}{}",
                    src.name,
                    src.snapshots.len(),
                    first.map(|s| s.date.to_string()).unwrap_or_default(),
                    last.map(|s| s.date.to_string()).unwrap_or_default(),
                    if synthetic { " (SYNTHETIC)" } else { "" }
                ));
            }
            (l.report, s)
        }
        Err(report) => {
            let mut s = vec![format!("{}: INVALID", dir.display())];
            if missing {
                s.push(format!("({})", super::DATA_HINT));
            }
            (report, s)
        }
    };
    let mut out = std::io::stdout().lock();
    if a.json {
        let doc = frontline::output::answers::CheckReport {
            dir: dir.display().to_string(),
            ok: report.is_ok(),
            problems: &report.problems,
            repairs: &report.repairs,
            warnings: &report.warnings,
        };
        writeln!(out, "{}", frontline::num::to_string_pretty(&doc)?)?;
    } else {
        for line in &summary {
            writeln!(out, "{line}")?;
        }
        write!(
            out,
            "{} problem(s), {} repair(s)",
            report.problems.len(),
            report.repairs.len()
        )?;
        if report.warnings.is_empty() {
            writeln!(out)?;
        } else {
            writeln!(out, ", {} warning(s)", report.warnings.len())?;
        }
        for p in &report.problems {
            writeln!(out, "problem: {p}")?;
        }
        for r in &report.repairs {
            writeln!(out, "repair: {r}")?;
        }
        for w in &report.warnings {
            writeln!(out, "warning: {w}")?;
        }
    }
    Ok(if report.is_ok() { Exit::Ok } else { Exit::InvalidGeodata })
}
