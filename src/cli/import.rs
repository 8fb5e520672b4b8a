//! `frontline import FORMAT PATH... --source NAME [--data DIR]`: imports archive files
//! (`deepstate`, `nzz`, `geojson` or `deepstate-api`, DeepStateMap's own publications; `.gz` too) into the geodata directory, with checks; prints
//! what was added, confirmed as duplicates, left unchanged and rejected (JSON with `--json`).
//! Exit 0 when nothing was rejected, 3 when some inputs were rejected and others taken, 2 when
//! every input was rejected (or there was none).

use super::Exit;
use super::{DataArg, Failure};
use frontline::import::{DEFAULT_MAX_CHANGE_KM2, DEFAULT_MAX_OUTSIDE_SHARE, Format, ImportOptions, import};
use std::io::Write;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// `deepstate`, `nzz`, `geojson` or `deepstate-api`.
    format: String,
    /// Files or directories of the archive.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// The source to import into (created when absent).
    #[arg(long)]
    source: String,
    /// Flag a day-over-day change of the occupied area above this, km2.
    #[arg(long, default_value_t = DEFAULT_MAX_CHANGE_KM2)]
    max_change_km2: f64,
    /// Quarantine a snapshot with more than this share of its occupied area outside the border.
    #[arg(long, default_value_t = DEFAULT_MAX_OUTSIDE_SHARE)]
    max_outside_share: f64,
    /// Replace snapshots of dates that already hold other content (the old files go to .history/).
    #[arg(long)]
    replace: bool,
    /// Print the full report as JSON.
    #[arg(long)]
    json: bool,
    /// Admit snapshots without any feature (they say nothing is occupied from their date on).
    #[arg(long)]
    allow_empty: bool,
    /// For a new source: the IANA time zone whose days its dates are (default Europe/Kyiv);
    /// publications (`deepstate-api`) are dated by it.
    #[arg(long)]
    time_zone: Option<String>,
    #[command(flatten)]
    data: DataArg,
}

pub(crate) fn run(a: Args) -> Result<Exit, Failure> {
    let Some(format) = Format::parse(&a.format) else {
        return Err(Failure::input(format!(
            "format '{}' is unknown; use deepstate, nzz, geojson or deepstate-api",
            a.format
        )));
    };
    if !(a.max_change_km2.is_finite() && a.max_change_km2 >= 0.0) {
        return Err(Failure::input("--max-change-km2 must be a finite number >= 0"));
    }
    if !(0.0..=1.0).contains(&a.max_outside_share) {
        return Err(Failure::input("--max-outside-share must be between 0 and 1"));
    }
    let opts = ImportOptions {
        source: a.source.clone(),
        data_dir: a.data.writable_dir("import")?,
        max_change_km2: a.max_change_km2,
        max_outside_share: a.max_outside_share,
        replace: a.replace,
        origin_prefix: None,
        allow_empty: a.allow_empty,
        date_window: a.data.window.config()?,
        time_zone: match a.time_zone.as_deref().map(str::parse::<chrono_tz::Tz>) {
            None => None,
            Some(Ok(tz)) => Some(tz),
            Some(Err(_)) => {
                return Err(Failure::input(format!(
                    "--time-zone '{}' is not an IANA time zone name (such as Europe/Kyiv or UTC)",
                    a.time_zone.as_deref().unwrap_or("")
                )));
            }
        },
    };
    let report = import(format, &a.paths, &opts)?;
    let mut out = std::io::stdout().lock();
    if a.json {
        let text = frontline::num::to_string_pretty(&report)?;
        writeln!(out, "{text}")?;
    } else {
        writeln!(
            out,
            "source {}: {} file(s) read; {} snapshot(s) added, {} duplicate(s) of the day before kept once, {} unchanged, {} replaced, {} rejected",
            report.source,
            report.files,
            report.added.len(),
            report.duplicates.len(),
            report.unchanged.len(),
            report.replaced.len(),
            report.rejected.len()
        )?;
        for k in &report.skipped {
            writeln!(out, "skipped: {}: {}", k.file, k.why)?;
        }
        if let Some(n) = &report.new_source {
            let baselines = if n.baselines.is_empty() {
                "no baseline".to_string()
            } else {
                format!("baselines {}", n.baselines.join(", "))
            };
            let files = if n.baseline_files.is_empty() {
                String::new()
            } else {
                format!(" (wrote {})", n.baseline_files.join(", "))
            };
            writeln!(out, "new source {}: composed with {baselines}{files}", n.name)?;
        }
        if !report.earlier_publications.is_empty() {
            let added = report
                .earlier_publications
                .iter()
                .filter(|p| p.outcome == frontline::import::PublicationOutcome::Added)
                .count();
            writeln!(
                out,
                "{} publication(s) superseded later the same day: {added} kept in publications/, the others unchanged",
                report.earlier_publications.len()
            )?;
        }
        if let Some(t) = &report.classes {
            for (class, outcomes) in &t.polygons {
                let list: Vec<String> = outcomes.iter().map(|(o, n)| format!("{o} {n}")).collect();
                writeln!(out, "{class}: {}", list.join(", "))?;
            }
            let repaired: Vec<String> = t.repaired.iter().map(|(k, n)| format!("{k} {n}")).collect();
            if !repaired.is_empty() {
                writeln!(out, "repaired: {}", repaired.join(", "))?;
            }
            for v in &t.invalid {
                writeln!(
                    out,
                    "invalid polygon: {} feature {} ({}): {} (left out)",
                    v.file, v.feature, v.class, v.reason
                )?;
            }
            for e in &t.empty {
                writeln!(out, "empty publication: {}: {}", e.file, e.why)?;
            }
            for c in &t.conflicts {
                writeln!(out, "conflict: {c}")?;
            }
            for u in &t.unknown {
                writeln!(
                    out,
                    "unknown class: {} feature {}: name {}, styleUrl {}, fill {} (left out)",
                    u.file,
                    u.feature,
                    plain(u.name.as_deref()),
                    plain(u.style_url.as_deref()),
                    plain(u.fill.as_deref())
                )?;
            }
        }
        // A repair is made once in an input file, which may hold several dates (each snapshot
        // of the file lists it): one line per repair, naming the file.
        let mut repairs_shown = std::collections::BTreeSet::new();
        for a in &report.added {
            for f in &a.flags {
                writeln!(out, "flag: {} ({}): {f}", a.date, a.original)?;
            }
            for r in &a.repairs {
                if repairs_shown.insert((&a.original, r)) {
                    writeln!(out, "repair: {}: {r}", a.original)?;
                }
            }
        }
        // The inputs taken without a file of their own (a duplicate, an unchanged date, a
        // publication superseded within its day) list theirs the same way.
        for i in &report.repairs {
            for r in &i.repairs {
                if repairs_shown.insert((&i.original, r)) {
                    writeln!(out, "repair: {}: {r}", i.original)?;
                }
            }
        }
        for f in &report.findings {
            writeln!(out, "finding: {f}")?;
        }
        for r in &report.rejected {
            let date = r.date.map(|d| format!(" ({d})")).unwrap_or_default();
            for reason in &r.reasons {
                writeln!(out, "rejected: {}{date}: {reason}", r.file)?;
            }
            if let Some(q) = &r.quarantined {
                writeln!(out, "  quarantined as {q}")?;
            }
        }
    }
    drop(out);
    let taken = report.added.len()
        + report.duplicates.len()
        + report.unchanged.len()
        + report.replaced.len()
        + report.earlier_publications.len();
    Ok(if report.files == 0 {
        diag!(
            "error: no {} input file found in {}{}",
            a.format,
            a.paths
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", "),
            if report.skipped.is_empty() {
                String::new()
            } else {
                format!(
                    " ({} entries skipped, each listed with why in the report)",
                    report.skipped.len()
                )
            }
        );
        Exit::BadInput
    } else if report.rejected.is_empty() {
        Exit::Ok
    } else if taken == 0 {
        diag!("error: every input was rejected; nothing was imported");
        Exit::BadInput
    } else {
        diag!("warning: {} input(s) rejected, {taken} taken", report.rejected.len());
        Exit::Partial
    })
}

/// A value as the text report prints it: the text itself, or `(none)`.
fn plain(value: Option<&str>) -> &str {
    value.unwrap_or("(none)")
}
