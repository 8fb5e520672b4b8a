//! Subcommands of the `frontline` binary. Each parses its arguments, calls one library
//! function and prints; errors go to stderr with a non-zero exit code.

mod check;
mod classify;
mod diff;
mod history;
mod import;
mod init;
mod query;
mod scenario;
mod serve;
mod sync;
mod timeline;

use clap::{Parser, Subcommand};
use frontline::Catalog;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Dated lines of control against a recognized border.
#[derive(Debug, Parser)]
#[command(name = "frontline", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// Where the geodata is.
#[derive(Debug, clap::Args)]
pub(crate) struct DataArg {
    /// Geodata directory (borders/, baselines/, sources/). Without it, commands that read use
    /// the geodata embedded in the binary (Natural Earth border, Crimea baseline, SYNTHETIC
    /// example source); commands that write (import, sync) need it.
    #[arg(long, global = true)]
    pub(crate) data: Option<PathBuf>,
}

impl DataArg {
    /// The catalog of `--data DIR`, or of the embedded geodata without it.
    pub(crate) fn catalog(&self) -> Result<Catalog, Failure> {
        match &self.data {
            Some(dir) => load_catalog(dir),
            None => Catalog::load_embedded().map_err(|r| report_failure(&r, "the embedded geodata", false)),
        }
    }

    /// The directory `command` writes into: `--data DIR`, required.
    pub(crate) fn writable_dir(&self, command: &str) -> Result<PathBuf, Failure> {
        self.data.clone().ok_or_else(|| {
            Failure::input(format!(
                "{command} writes into a geodata directory: give --data DIR (`frontline init DIR` writes a starting one with the embedded border, baseline and example source)"
            ))
        })
    }
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Validate a geodata directory: every problem and repair, non-zero exit on problems.
    Check(check::Args),
    /// Status of one point on a date (JSON).
    Query(query::Args),
    /// Classify a CSV of points (id,lon,lat) on a date, streaming (CSV out).
    Classify(classify::Args),
    /// Areas per snapshot date (CSV).
    Timeline(timeline::Args),
    /// What changed hands between two dates (or two sources): GeoJSON with totals.
    Diff(diff::Args),
    /// A point's status over time (JSON), or of a CSV of points (CSV, one row per interval).
    History(history::Args),
    /// Import archive files (deepstate, nzz, geojson) into a source, with checks.
    Import(import::Args),
    /// Fetch new daily files from an HTTP archive (deepstate, nzz) and import them.
    Sync(sync::Args),
    /// Serve the HTTP API (JSON, CSV, GeoJSON layers) on the geodata.
    Serve(serve::Args),
    /// Write the embedded geodata (border, Crimea baseline, example source) into a new directory.
    Init(init::Args),
    /// Compute a ceasefire scenario (area of application, zones, withdrawal; JSON), or print a
    /// preset's document; --save stores it.
    Scenario(scenario::Args),
}

/// The dates admitted for new snapshots (import, sync, ingest): see `frontline::geodata::policy`.
#[derive(Debug, Clone, Default, clap::Args)]
pub(crate) struct DateWindowArgs {
    /// Earliest date admitted for a new snapshot, YYYY-MM-DD (default: the border's
    /// valid_from, 1991-08-24 for the embedded UKR border).
    #[arg(long)]
    pub(crate) not_before: Option<String>,
    /// Latest date admitted for a new snapshot, YYYY-MM-DD (default: tomorrow, UTC).
    #[arg(long)]
    pub(crate) not_after: Option<String>,
}

impl DateWindowArgs {
    /// The window as the library takes it.
    pub(crate) fn config(&self) -> Result<frontline::geodata::policy::DateWindowConfig, Failure> {
        let parse = |name: &str, v: &Option<String>| v.as_deref().map(|s| parse_date_arg(name, s)).transpose();
        let c = frontline::geodata::policy::DateWindowConfig {
            not_before: parse("not-before", &self.not_before)?,
            not_after: parse("not-after", &self.not_after)?,
        };
        if let (Some(a), Some(b)) = (c.not_before, c.not_after)
            && a > b
        {
            return Err(Failure::input(format!("--not-before {a} is after --not-after {b}")));
        }
        Ok(c)
    }
}

/// A failure to report: message for stderr and exit code.
pub(crate) struct Failure {
    message: String,
    code: u8,
}

impl Failure {
    /// Bad input or arguments (exit 2).
    pub(crate) fn input(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            code: 2,
        }
    }

    /// Invalid geodata (exit 1).
    pub(crate) fn data(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            code: 1,
        }
    }
}

impl From<std::io::Error> for Failure {
    fn from(e: std::io::Error) -> Self {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            // The reader went away (`| head`): stop quietly, like other Unix tools.
            return Failure {
                message: String::new(),
                code: 0,
            };
        }
        Failure {
            message: format!("i/o error: {e}"),
            code: 1,
        }
    }
}

impl From<frontline::CatalogError> for Failure {
    fn from(e: frontline::CatalogError) -> Self {
        Failure::input(e.to_string())
    }
}

/// Runs the command line.
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    // The server logs one line per request, written by a background thread so that requests do
    // not wait on the terminal or disk; the one-shot commands log only warnings.
    let serving = matches!(cli.command, Command::Serve(_));
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| (if serving { "info" } else { "warn" }).into());
    let (writer, _flush_guard) = tracing_appender::non_blocking::NonBlockingBuilder::default()
        .lossy(false)
        .finish(std::io::stderr());
    tracing_subscriber::fmt()
        .with_writer(writer)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_env_filter(filter)
        .init();
    let result = match cli.command {
        Command::Check(a) => check::run(a),
        Command::Query(a) => query::run(a),
        Command::Classify(a) => classify::run(a),
        Command::Timeline(a) => timeline::run(a),
        Command::Diff(a) => diff::run(a),
        Command::History(a) => history::run(a),
        Command::Import(a) => import::run(a),
        Command::Sync(a) => sync::run(a),
        Command::Serve(a) => serve::run(a),
        Command::Init(a) => init::run(a),
        Command::Scenario(a) => scenario::run(a),
    };
    match result {
        Ok(code) => code,
        Err(f) => {
            if !f.message.is_empty() {
                eprintln!("error: {}", f.message);
            }
            ExitCode::from(f.code)
        }
    }
}

/// Loads the catalog of a directory or fails with every problem listed.
pub(crate) fn load_catalog(dir: &Path) -> Result<Catalog, Failure> {
    Catalog::load(dir).map_err(|report| report_failure(&report, &dir.display().to_string(), !dir.is_dir()))
}

/// Where the geodata comes from, for messages: what `--data` is for, and where to start.
pub(crate) const DATA_HINT: &str = "--data DIR chooses the geodata directory (relative paths are from the current folder); \
     without --data the geodata embedded in the binary is used; `frontline init DIR` writes a starting directory";

fn report_failure(report: &frontline::geodata::Report, what: &str, missing: bool) -> Failure {
    let mut msg = format!("{} problem(s) in geodata {what}:", report.problems.len());
    for p in &report.problems {
        msg.push_str(&format!("\n  {p}"));
    }
    if missing {
        msg.push_str(&format!("\n({DATA_HINT})"));
    } else {
        msg.push_str("\n(run `frontline check` for the full report)");
    }
    Failure::data(msg)
}

/// Parses a date argument strictly.
pub(crate) fn parse_date_arg(name: &str, s: &str) -> Result<chrono::NaiveDate, Failure> {
    frontline::model::parse_date(s).map_err(|e| Failure::input(format!("--{name}: {e}")))
}

/// Parses a coordinate strictly: a finite decimal number in range (refuses inf, NaN, 1e400).
pub(crate) fn parse_coord_arg(name: &str, s: &str, limit: f64) -> Result<f64, Failure> {
    match s.trim().parse::<f64>() {
        Ok(v) if v.is_finite() && v.abs() <= limit => Ok(v),
        Ok(_) => Err(Failure::input(format!(
            "--{name} '{s}' must be a finite number in [-{limit}, {limit}]"
        ))),
        Err(_) => Err(Failure::input(format!("--{name} '{s}' is not a number"))),
    }
}
