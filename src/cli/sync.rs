//! `frontline sync FORMAT --base-url URL --source NAME [--from D] [--until D]`: fetches the daily
//! files an HTTP archive published since the source's latest date and imports them; prints the
//! report (JSON). Exit 0 when every day was fetched or some are missing upstream, 3 when some
//! failed, 2 when every day asked for answered 404 (nothing there: a wrong URL or days).

use super::Exit;
use super::{DataArg, Failure, parse_date_arg};
use frontline::import::{DEFAULT_MAX_CHANGE_KM2, DEFAULT_MAX_OUTSIDE_SHARE, Format, ImportOptions};
use frontline::sync::{SyncOptions, sync};
use std::io::Write;
use std::time::Duration;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// `deepstate` or `nzz`.
    pub(crate) format: String,
    /// Base URL of the archive (files are `<base>/<daily file name>`).
    #[arg(long)]
    pub(crate) base_url: String,
    /// The source to import into.
    #[arg(long)]
    pub(crate) source: String,
    /// First day to fetch (default: the day after the source's latest date).
    #[arg(long)]
    pub(crate) from: Option<String>,
    /// Days before the source's latest date fetched again (see `frontline::sync`).
    #[arg(long, default_value_t = 7)]
    pub(crate) lookback_days: u32,
    /// Last day to fetch (default: today, UTC).
    #[arg(long)]
    pub(crate) until: Option<String>,
    /// Retries of a day that failed transiently (timeouts, connection errors, 5xx, 429).
    #[arg(long, default_value_t = 3)]
    pub(crate) retries: u32,
    /// Seconds allowed for one request.
    #[arg(long, default_value_t = 30)]
    pub(crate) timeout_s: u64,
    #[command(flatten)]
    pub(crate) window: super::DateWindowArgs,
    #[command(flatten)]
    pub(crate) data: DataArg,
}

/// The options of a sync from the arguments.
pub(crate) fn options(a: &Args) -> Result<SyncOptions, Failure> {
    let format = match Format::parse(&a.format) {
        Some(f @ (Format::Deepstate | Format::Nzz)) => f,
        _ => {
            return Err(Failure::input(format!(
                "format '{}': sync reads deepstate or nzz archives",
                a.format
            )));
        }
    };
    if !(a.base_url.starts_with("http://") || a.base_url.starts_with("https://")) {
        return Err(Failure::input(format!(
            "--base-url '{}' is not an http(s) URL",
            a.base_url
        )));
    }
    // Parsed as the client will (a host, a port in range, brackets closed): refused here, not
    // once per day.
    match reqwest::Url::parse(&a.base_url) {
        Ok(u) if u.host_str().is_some_and(|h| !h.is_empty()) => {}
        Ok(_) => {
            return Err(Failure::input(format!("--base-url '{}' names no host", a.base_url)));
        }
        Err(e) => {
            return Err(Failure::input(format!(
                "--base-url '{}' is not a valid URL: {e}",
                a.base_url
            )));
        }
    }
    let from = a.from.as_deref().map(|d| parse_date_arg("from", d)).transpose()?;
    let until = match a.until.as_deref() {
        Some(d) => parse_date_arg("until", d)?,
        None => today(),
    };
    if let Some(f) = from.filter(|f| *f > until) {
        return Err(Failure::input(format!(
            "--from {f} is after --until {until}: no day to fetch"
        )));
    }
    let data_dir = a.data.writable_dir("sync")?;
    // A source that reads a third-party archive in place is read-only: refused here, before
    // anything is fetched (and for `serve --sync-source`, before the server starts).
    frontline::store::Store::new(&data_dir).check_writable_source(&a.source)?;
    Ok(SyncOptions {
        format,
        base_url: a.base_url.clone(),
        from,
        lookback_days: a.lookback_days,
        until,
        retries: a.retries,
        timeout: Duration::from_secs(a.timeout_s.max(1)),
        import: ImportOptions {
            source: a.source.clone(),
            data_dir,
            max_change_km2: DEFAULT_MAX_CHANGE_KM2,
            max_outside_share: DEFAULT_MAX_OUTSIDE_SHARE,
            replace: false,
            origin_prefix: None,
            allow_empty: false,
            date_window: a.window.config()?,
            time_zone: None,
        },
    })
}

/// Today's date, UTC.
pub(crate) fn today() -> chrono::NaiveDate {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    chrono::DateTime::from_timestamp(secs as i64, 0).map_or_else(chrono::NaiveDate::default, |t| t.date_naive())
}

pub(crate) fn run(a: Args) -> Result<Exit, Failure> {
    let opts = options(&a)?;
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let report = rt.block_on(sync(&opts))?;
    let text = frontline::num::to_string_pretty(&report)?;
    writeln!(std::io::stdout().lock(), "{text}")?;
    if let Some(why) = &report.unreachable {
        diag!("error: {why}");
    }
    if let Some(why) = report.nothing_published(&opts) {
        diag!("error: {why}");
        return Ok(Exit::BadInput);
    }
    // Partial (3) only when some day was taken: a sync that fetched nothing because every
    // attempt failed (the host down, a wrong --base-url) failed as a whole (2), as an import
    // whose every input was rejected.
    // What the import rejected counts as a day not taken, as for `import`; nothing fetched is
    // nothing taken.
    let rejected = report.import.as_ref().map_or(0, |i| i.rejected.len());
    let taken = report
        .import
        .as_ref()
        .map_or(0, |i| i.added.len() + i.replaced.len() + i.unchanged.len());
    Ok(
        if report.failed.is_empty() && report.unreachable.is_none() && rejected == 0 {
            Exit::Ok
        } else if taken == 0 {
            Exit::BadInput
        } else {
            Exit::Partial
        },
    )
}
