//! Subcommands of the `frontline` binary. Each parses its arguments, calls one library
//! function and prints; errors go to stderr with a non-zero exit code.
//!
//! Standard output and error may be closed pipes (`| head`, a reader that went away): nothing
//! here panics on a failed write. Every line to standard error goes through `diag!`, which
//! drops it when stderr cannot be written (`eprintln!` would panic; the crate denies
//! `clippy::print_stderr` and `clippy::print_stdout`); a closed standard output ends the
//! command quietly with `Exit::Closed` (141).

/// Writes one line to standard error, as `eprintln!` does, but never panics: a closed or
/// failing stderr loses the line and changes nothing else.
macro_rules! diag {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr().lock(), $($arg)*);
    }};
}

mod agreement;
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

/// Where the geodata is, and the snapshot dates it may hold.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct DataArg {
    /// Geodata directory (borders/, baselines/, sources/). Without it, commands that read use
    /// the geodata embedded in the binary (Natural Earth border, Crimea baseline, SYNTHETIC
    /// example source); commands that write (import, sync) need it.
    #[arg(long, global = true)]
    pub(crate) data: Option<PathBuf>,
    /// The snapshot dates admitted: by every load of `--data`, by import, sync and ingest.
    #[command(flatten)]
    pub(crate) window: DateWindowArgs,
}

impl DataArg {
    /// The catalog of `--data DIR` (snapshot dates within the window), or of the embedded
    /// geodata without it.
    pub(crate) fn catalog(&self) -> Result<Catalog, Failure> {
        match &self.data {
            Some(dir) => load_catalog(dir, &self.window.config()?),
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

/// `--known-at`: answer as the geodata was loaded at an instant (`known_at=` over HTTP).
#[derive(Debug, clap::Args)]
pub(crate) struct KnownAtArg {
    /// An RFC 3339 instant in the past: answer as the service answered then, from what was
    /// loaded at that instant (contents replaced since read back from the sources' .history/,
    /// files written later absent).
    #[arg(long)]
    known_at: Option<String>,
}

impl KnownAtArg {
    /// The catalog of `data`, as loaded at the instant given (or as it is, without one).
    pub(crate) fn catalog(&self, data: &DataArg) -> Result<Catalog, Failure> {
        let t = self
            .known_at
            .as_deref()
            .map(|t| {
                frontline::model::parse_instant(t)
                    .and_then(|t| frontline::catalog::known_at_in_the_past(t).map(|()| t))
                    .map_err(|e| Failure::input(format!("--known-at: {e}")))
            })
            .transpose()?;
        let cat = data.catalog()?;
        match t {
            None => Ok(cat),
            Some(t) => Ok(cat.as_known_at(t)?),
        }
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
    /// Where sources agree on a date (GeoJSON: agreed, disputed, envelope), or a timeline (CSV).
    Agreement(agreement::Args),
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

/// The snapshot dates admitted (load, import, sync, ingest): see `frontline::geodata::policy`.
#[derive(Debug, Clone, Default, clap::Args)]
pub(crate) struct DateWindowArgs {
    /// Earliest snapshot date admitted (loaded, imported, ingested), YYYY-MM-DD (default: the
    /// border's valid_from, 1991-08-24 for the embedded UKR border).
    #[arg(long)]
    pub(crate) not_before: Option<String>,
    /// Latest snapshot date admitted (loaded, imported, ingested), YYYY-MM-DD (default:
    /// tomorrow, UTC).
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

/// How a command ended: the process's exit code is decided here and only here (README, "Exit
/// codes"). Clap's own usage errors exit with 2 as well.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Exit {
    /// 0: done.
    Ok,
    /// 1: the geodata is invalid (it does not load, `check` found problems) or cannot be read
    /// or written.
    InvalidGeodata,
    /// 2: bad input or usage: an argument, an input file or body, a write the store refuses.
    BadInput,
    /// 3: partial failure: some inputs or days were taken, others not (import, sync).
    Partial,
    /// 130: stopped by SIGINT (Ctrl-C) or SIGTERM before it finished (`sync`), as a shell
    /// reports a tool ended by SIGINT (128 + 2).
    Interrupted,
    /// 141: standard output was closed by its reader before everything was written (a pipe
    /// into `head`): the command stopped quietly, with the status a shell reports for a tool
    /// ended by SIGPIPE (128 + 13). What was done before (an import's writes) stands.
    Closed,
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> Self {
        ExitCode::from(match e {
            Exit::Ok => 0,
            Exit::InvalidGeodata => 1,
            Exit::BadInput => 2,
            Exit::Partial => 3,
            Exit::Interrupted => 130,
            Exit::Closed => 141,
        })
    }
}

/// A failure to report: message for stderr and how the command ends.
///
/// The exit code of every error is decided by the `From` conversions below, one per library
/// error type, and nowhere else; the subcommands convert with `?` (or `Failure::from`) and
/// choose [`Failure::input`] only for their own checks of arguments. The rule (README, "Exit
/// codes"): a directory that does not load or that cannot be read or written (an I/O failure
/// of the store, of stdout) is 1; an argument, an input file or a write the store refuses (a bad
/// name, a read-only source, another writer holding the lock past the wait) is 2.
pub(crate) struct Failure {
    message: String,
    exit: Exit,
}

impl Failure {
    /// Bad input or arguments (exit 2).
    pub(crate) fn input(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            exit: Exit::BadInput,
        }
    }

    /// Invalid geodata, or geodata that cannot be read or written (exit 1).
    pub(crate) fn data(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            exit: Exit::InvalidGeodata,
        }
    }

    /// The exit code this failure ends the command with.
    #[cfg(test)]
    fn exit(&self) -> Exit {
        self.exit
    }
}

impl Failure {
    /// Standard output closed by its reader: stop quietly ([`Exit::Closed`]).
    fn closed() -> Self {
        Failure {
            message: String::new(),
            exit: Exit::Closed,
        }
    }
}

impl From<std::io::Error> for Failure {
    fn from(e: std::io::Error) -> Self {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            // The reader went away (`| head`): stop quietly, like other Unix tools.
            return Failure::closed();
        }
        Failure::data(format!("i/o error: {e}"))
    }
}

/// An answer that could not be written as JSON (an I/O failure of ours, not of the input; a
/// closed standard output as for any write).
impl From<serde_json::Error> for Failure {
    fn from(e: serde_json::Error) -> Self {
        if e.io_error_kind() == Some(std::io::ErrorKind::BrokenPipe) {
            return Failure::closed();
        }
        Failure::data(format!("cannot write the answer: {e}"))
    }
}

impl From<frontline::CatalogError> for Failure {
    fn from(e: frontline::CatalogError) -> Self {
        Failure::input(e.to_string())
    }
}

impl From<frontline::analytics::regions::RegionError> for Failure {
    fn from(e: frontline::analytics::regions::RegionError) -> Self {
        Failure::input(e.to_string())
    }
}

/// Every store error of every command (import, sync, scenario --save, init) ends the same way.
impl From<frontline::store::StoreError> for Failure {
    fn from(e: frontline::store::StoreError) -> Self {
        use frontline::store::StoreError;
        match e {
            // As any geodata directory that does not load.
            StoreError::Io { .. } | StoreError::NotAStore { .. } => Failure::data(e.to_string()),
            StoreError::BadName { .. }
            | StoreError::Busy { .. }
            | StoreError::ReadOnlySource { .. }
            | StoreError::OutsideStore { .. } => Failure::input(e.to_string()),
        }
    }
}

impl From<frontline::scenario::ScenarioError> for Failure {
    fn from(e: frontline::scenario::ScenarioError) -> Self {
        match e {
            frontline::scenario::ScenarioError::Store(s) => s.into(),
            // A damaged file of the geodata directory, as any that does not load.
            frontline::scenario::ScenarioError::Unreadable { .. }
            | frontline::scenario::ScenarioError::NotItsId { .. } => Failure::data(e.to_string()),
            other => Failure::input(other.to_string()),
        }
    }
}

impl From<frontline::import::ImportError> for Failure {
    fn from(e: frontline::import::ImportError) -> Self {
        use frontline::import::ImportError;
        match e {
            // The geodata directory does not load: 1, as for every other command.
            ImportError::Geodata { .. } => Failure::data(e.to_string()),
            ImportError::Store(s) => s.into(),
            // An argument, or an input path that cannot be listed.
            ImportError::Input(_) | ImportError::Io { .. } => Failure::input(e.to_string()),
        }
    }
}

impl From<frontline::sync::SyncError> for Failure {
    fn from(e: frontline::sync::SyncError) -> Self {
        use frontline::sync::SyncError;
        match e {
            SyncError::Input(m) => Failure::input(m),
            SyncError::Import(i) => i.into(),
            SyncError::Io(m) => Failure::data(m),
        }
    }
}

impl From<frontline::geodata::embedded::InitError> for Failure {
    fn from(e: frontline::geodata::embedded::InitError) -> Self {
        use frontline::geodata::embedded::InitError;
        match e {
            InitError::NotEmpty { .. } => Failure::input(e.to_string()),
            InitError::Store(s) => s.into(),
        }
    }
}

/// Runs the command line.
pub fn run() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        // Usage errors (2) to stderr; --help and --version (0) to stdout: clap's own codes, but
        // a closed standard output is what it is for every command.
        Err(e) => {
            return match e.print() {
                Err(io) if io.kind() == std::io::ErrorKind::BrokenPipe && !e.use_stderr() => Exit::Closed.into(),
                // A standard output that cannot be written (a full disk) is 1, as for every
                // other command (see `Failure`).
                Err(_) if !e.use_stderr() => Exit::InvalidGeodata.into(),
                _ => ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(2)),
            };
        }
    };
    // The server logs one line per request, written by a background thread so that requests do
    // not wait on the terminal or disk; the one-shot commands log only warnings.
    let serving = matches!(cli.command, Command::Serve(_));
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| (if serving { "info" } else { "warn" }).into());
    // Buffered: the writer thread drains every line queued and then flushes, so that under load
    // many lines go out in one write(2) (standard error itself writes each line at once).
    let (writer, _flush_guard) = tracing_appender::non_blocking::NonBlockingBuilder::default()
        .lossy(false)
        .finish(std::io::BufWriter::with_capacity(64 * 1024, std::io::stderr()));
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
        Command::Agreement(a) => agreement::run(a),
        Command::History(a) => history::run(a),
        Command::Import(a) => import::run(a),
        Command::Sync(a) => sync::run(a),
        Command::Serve(a) => serve::run(a),
        Command::Init(a) => init::run(a),
        Command::Scenario(a) => scenario::run(a),
    };
    match result {
        Ok(exit) => exit.into(),
        Err(f) => {
            if !f.message.is_empty() {
                diag!("error: {}", f.message);
            }
            f.exit.into()
        }
    }
}

/// Loads the catalog of a directory (snapshot dates within `window`) or fails with every
/// problem listed.
pub(crate) fn load_catalog(
    dir: &Path,
    window: &frontline::geodata::policy::DateWindowConfig,
) -> Result<Catalog, Failure> {
    Catalog::load_within(dir, window)
        .map_err(|report| report_failure(&report, &dir.display().to_string(), !dir.is_dir()))
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
/// `--date` or `--datetime`: the moment a command answers for.
#[derive(Debug, clap::Args)]
pub(crate) struct WhenArg {
    /// Date, YYYY-MM-DD: the last publication of that day in the source's time zone (default
    /// Europe/Kyiv) is in force, or the latest snapshot dated before it.
    #[arg(long, conflicts_with = "datetime")]
    date: Option<String>,
    /// An RFC 3339 instant (2024-05-01T20:30:00Z, 2024-05-01T23:30:00+03:00): the source as
    /// published at that instant (an earlier publication of the day where there was one).
    #[arg(long)]
    datetime: Option<String>,
}

impl WhenArg {
    /// The moment given, if any.
    pub(crate) fn optional(&self) -> Result<Option<frontline::model::When>, Failure> {
        use frontline::model::When;
        match (&self.date, &self.datetime) {
            (Some(d), _) => Ok(Some(When::Date(parse_date_arg("date", d)?))),
            (None, Some(t)) => frontline::model::parse_instant(t)
                .map(|t| Some(When::Instant(t)))
                .map_err(|e| Failure::input(format!("--datetime: {e}"))),
            (None, None) => Ok(None),
        }
    }

    /// The moment given: `--date` or `--datetime` is required.
    pub(crate) fn required(&self) -> Result<frontline::model::When, Failure> {
        self.optional()?
            .ok_or_else(|| Failure::input("--date (YYYY-MM-DD) or --datetime (an RFC 3339 instant) is required"))
    }
}

pub(crate) fn parse_date_arg(name: &str, s: &str) -> Result<chrono::NaiveDate, Failure> {
    frontline::model::parse_date(s).map_err(|e| Failure::input(format!("--{name}: {e}")))
}

/// Parses `--lon` and `--lat` strictly ([`frontline::model::LonLat::parse`]: refuses inf, NaN,
/// 1e400 and out-of-range values); the message names the flag.
pub(crate) fn parse_lon_lat_args(lon: &str, lat: &str) -> Result<frontline::model::LonLat, Failure> {
    frontline::model::LonLat::parse(lon, lat).map_err(|e| Failure::input(format!("--{e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use frontline::store::StoreError;

    fn io() -> std::io::Error {
        std::io::Error::other("disk full")
    }

    /// A writer whose reader went away.
    struct Closed;

    impl std::io::Write for Closed {
        fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
            Err(std::io::ErrorKind::BrokenPipe.into())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    /// The table of the README's "Exit codes", for every store error through every command's
    /// error type: the same store error ends every command the same way.
    #[test]
    fn every_store_error_ends_every_command_the_same_way() {
        let errors = || {
            vec![
                (
                    StoreError::Io {
                        what: "cannot write",
                        path: "p".into(),
                        error: io(),
                    },
                    Exit::InvalidGeodata,
                ),
                (
                    StoreError::NotAStore {
                        root: "r".into(),
                        why: "it has no borders/",
                    },
                    Exit::InvalidGeodata,
                ),
                (
                    StoreError::Busy {
                        root: "r".into(),
                        holder: "h".into(),
                        waited_s: 1.0,
                    },
                    Exit::BadInput,
                ),
                (
                    StoreError::ReadOnlySource {
                        source_name: "s".into(),
                        archive: "a".into(),
                    },
                    Exit::BadInput,
                ),
                (
                    StoreError::BadName {
                        what: "source",
                        name: "A".into(),
                    },
                    Exit::BadInput,
                ),
                (
                    StoreError::OutsideStore {
                        path: "p".into(),
                        root: "r".into(),
                    },
                    Exit::BadInput,
                ),
            ]
        };
        use frontline::geodata::embedded::InitError;
        use frontline::import::ImportError;
        use frontline::scenario::ScenarioError;
        use frontline::sync::SyncError;
        for (e, want) in errors() {
            assert_eq!(Failure::from(e).exit(), want);
        }
        for (e, want) in errors() {
            assert_eq!(Failure::from(ImportError::Store(e)).exit(), want);
        }
        for (e, want) in errors() {
            assert_eq!(Failure::from(SyncError::Import(ImportError::Store(e))).exit(), want);
        }
        for (e, want) in errors() {
            assert_eq!(Failure::from(ScenarioError::Store(e)).exit(), want);
        }
        for (e, want) in errors() {
            assert_eq!(Failure::from(InitError::Store(e)).exit(), want);
        }
        assert_eq!(
            Failure::from(InitError::NotEmpty { dir: "d".into() }).exit(),
            Exit::BadInput
        );
        assert_eq!(
            Failure::from(ImportError::Geodata {
                dir: "d".into(),
                problems: "p".into()
            })
            .exit(),
            Exit::InvalidGeodata
        );
        assert_eq!(Failure::from(SyncError::Io("x".into())).exit(), Exit::InvalidGeodata);
        assert_eq!(Failure::from(SyncError::Input("x".into())).exit(), Exit::BadInput);
        assert_eq!(Failure::from(io()).exit(), Exit::InvalidGeodata);
        assert_eq!(
            Failure::from(std::io::Error::from(std::io::ErrorKind::BrokenPipe)).exit(),
            Exit::Closed
        );
        let closed = serde_json::to_writer(Closed, &[1, 2, 3]).unwrap_err();
        assert_eq!(Failure::from(closed).exit(), Exit::Closed);
        assert_eq!(ExitCode::from(Exit::Closed), ExitCode::from(141));
        assert_eq!(ExitCode::from(Exit::Interrupted), ExitCode::from(130));
    }

    /// The HTTP routes a subcommand answers as: each of their query parameters (as the live
    /// OpenAPI document lists them) is a flag of the subcommand (`_` written `-`), or exempt in
    /// [`EXEMPT`] with the reason.
    const ROUTES_AS_SUBCOMMANDS: &[(&str, &str, &str)] = &[
        ("/v1/coverage", "get", "query"),
        ("/v1/classify", "post", "classify"),
        ("/v1/history", "get", "history"),
        ("/v1/history", "post", "history"),
        ("/v1/timeline", "get", "timeline"),
        ("/v1/diff", "get", "diff"),
        ("/v1/agreement", "get", "agreement"),
        ("/v1/agreement/timeline", "get", "agreement"),
        ("/v1/scenarios/presets", "get", "scenario"),
    ];

    /// Query parameters a subcommand has no flag for, and why.
    const EXEMPT: &[(&str, &str, &str)] = &[(
        "/v1/coverage",
        "distance",
        "`frontline query` always gives the distance to the line of contact",
    )];

    /// Documented routes with query parameters that no subcommand answers as, and why.
    const NO_SUBCOMMAND: &[(&str, &str, &str)] = &[
        (
            "/v1/snapshots",
            "get",
            "the list of snapshots: `frontline check` reports what loads",
        ),
        (
            "/v1/snapshots",
            "post",
            "ingest over HTTP; the command line writes with `frontline import`",
        ),
        (
            "/v1/snapshots/{id}",
            "get",
            "one snapshot, what a 201's Location names: `frontline check` reports what loads",
        ),
        (
            "/v1/layers/{layer}",
            "get",
            "map layers for dashboards; the command line's geometry is `diff`, `agreement` and `scenario --layer`",
        ),
        (
            "/v1/border",
            "get",
            "the border for maps; on the command line it is the geodata directory's borders/<ISO3>.geojson",
        ),
        (
            "/v1/scenarios/{id}/layers/{layer}",
            "get",
            "a stored scenario's layer; `frontline scenario FILE --layer` computes the same document's",
        ),
        (
            "/v1/scenarios/{id}/point",
            "get",
            "a point against a stored scenario, for the map's click; no command-line counterpart",
        ),
    ];

    fn long_flags(cmd: &clap::Command) -> Vec<String> {
        cmd.get_arguments()
            .filter_map(|a| a.get_long().map(str::to_string))
            .collect()
    }

    /// The class of a route's parameter missing on the command line stays closed: every query
    /// parameter of every documented route (read from the OpenAPI document the server serves)
    /// is a flag of the subcommand that answers as the route, or is exempt with a reason; a
    /// route with query parameters is answered by a subcommand or named with why not.
    #[test]
    fn every_query_parameter_of_a_route_is_a_flag_of_its_subcommand() {
        use clap::CommandFactory;
        let cli = Cli::command();
        let doc = frontline::http::openapi::document();
        let paths = doc["paths"].as_object().unwrap();
        let mut missing = Vec::new();
        for (path, item) in paths {
            // HEAD answers as GET (same parameters).
            for (method, op) in item.as_object().unwrap().iter().filter(|(m, _)| *m != "head") {
                let params: Vec<&str> = op["parameters"]
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .filter(|p| p["in"] == "query")
                            .filter_map(|p| p["name"].as_str())
                            .collect()
                    })
                    .unwrap_or_default();
                if params.is_empty() {
                    continue;
                }
                let Some((_, _, sub)) = ROUTES_AS_SUBCOMMANDS.iter().find(|(p, m, _)| p == path && m == method) else {
                    if !NO_SUBCOMMAND.iter().any(|(p, m, _)| p == path && m == method) {
                        missing.push(format!("{method} {path}: no subcommand, and none said why"));
                    }
                    continue;
                };
                let cmd = cli.find_subcommand(sub).unwrap();
                let flags = long_flags(cmd);
                for p in params {
                    let flag = p.replace('_', "-");
                    let exempt = EXEMPT.iter().any(|(r, q, _)| r == path && *q == p);
                    if !flags.contains(&flag) && !exempt {
                        missing.push(format!("{method} {path} ?{p}: `frontline {sub}` has no --{flag}"));
                    }
                }
            }
        }
        assert!(missing.is_empty(), "{}", missing.join("\n"));
        // The table names real routes, methods and subcommands (a route renamed would
        // otherwise leave it testing nothing).
        for (path, method, _) in ROUTES_AS_SUBCOMMANDS.iter().chain(NO_SUBCOMMAND) {
            assert!(
                doc["paths"][path][method].is_object(),
                "{method} {path} is not documented"
            );
        }
        for (_, _, sub) in ROUTES_AS_SUBCOMMANDS {
            assert!(cli.find_subcommand(sub).is_some(), "no subcommand {sub}");
        }
    }
}
