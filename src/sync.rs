//! Scheduled sync: fetch the daily files an HTTP archive published since the last snapshot of a
//! source (laid out like the DeepStateMap archive, `<base>/deepstatemap_data_YYYYMMDD.geojson`,
//! or the NZZ archive, `<base>/YYYY-MM-DD.json`), import them with the importer's checks, and
//! report what happened to every day.
//!
//! Days are fetched one by one, in order. A 404 is a day the archive does not have (archives skip
//! days); a timeout, a connection error or a 5xx is retried (`retries` times, waiting 0.2 s, 0.4 s,
//! ...), then reported as failed while the other days go on. Only fetched files are imported.
//! Each sync starts `lookback_days` (default 7) before the day after the source's latest date,
//! so a day that failed, or that the archive published late, is fetched again by the next sync;
//! days already imported are reported unchanged by the (idempotent) importer.

use crate::geodata::load_dir_within;
use crate::import::{Format, ImportError, ImportOptions, ImportReport, import};
use crate::store::Store;
use chrono::NaiveDate;
use serde::Serialize;
use std::path::PathBuf;
use std::time::Duration;

/// What to fetch and how patiently.
#[derive(Debug, Clone)]
pub struct SyncOptions {
    /// The archive's layout.
    pub format: Format,
    /// Base URL of the archive (the files are `<base>/<file name>`).
    pub base_url: String,
    /// First day to fetch; default: `lookback_days` before the day after the source's latest
    /// date.
    pub from: Option<NaiveDate>,
    /// Days before the source's latest date fetched again (a day that failed last time, or was
    /// published late, is picked up; days already imported are reported unchanged).
    pub lookback_days: u32,
    /// Last day to fetch.
    pub until: NaiveDate,
    /// Attempts after the first for a day that failed transiently.
    pub retries: u32,
    /// Time allowed for one request.
    pub timeout: Duration,
    /// Where and how to import.
    pub import: ImportOptions,
}

/// What a sync did.
#[derive(Debug, Clone, Serialize)]
pub struct SyncReport {
    /// Days asked for (first, last).
    pub days: (NaiveDate, NaiveDate),
    /// Files fetched.
    pub fetched: Vec<NaiveDate>,
    /// Days the archive does not have (404).
    pub missing: Vec<NaiveDate>,
    /// Days that failed after every retry, with the last error.
    pub failed: Vec<(NaiveDate, String)>,
    /// Set when the archive's host could not be reached at all ([`UNREACHABLE_AFTER_DAYS`] days
    /// in a row failed to connect), or answered every attempt of [`FAILING_AFTER_DAYS`] days in a
    /// row with a server failure (5xx, 429) or a timeout: the sync stopped there, saying why.
    pub unreachable: Option<String>,
    /// The import of what was fetched.
    pub import: Option<ImportReport>,
}

/// Why a sync could not run.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// Bad options or an unknown start.
    #[error("{0}")]
    Input(String),
    /// The import failed as a whole.
    #[error(transparent)]
    Import(#[from] ImportError),
    /// The HTTP client could not be made or a file could not be kept.
    #[error("{0}")]
    Io(String),
}

/// The archive's file name for a day.
pub fn file_name(format: Format, day: NaiveDate) -> Option<String> {
    match format {
        Format::Deepstate => Some(format!("deepstatemap_data_{}.geojson", day.format("%Y%m%d"))),
        Format::Nzz => Some(format!("{day}.json")),
        Format::Geojson | Format::DeepstateApi => None,
    }
}

/// The archive's file-name pattern (`deepstatemap_data_YYYYMMDD.geojson`, `YYYY-MM-DD.json`).
pub fn file_pattern(format: Format) -> Option<&'static str> {
    match format {
        Format::Deepstate => Some("deepstatemap_data_YYYYMMDD.geojson"),
        Format::Nzz => Some("YYYY-MM-DD.json"),
        Format::Geojson | Format::DeepstateApi => None,
    }
}

impl SyncReport {
    /// When every day asked for answered 404 (nothing fetched, nothing failed): one sentence
    /// saying so, with the URL pattern asked and the days, and what to check. `None` otherwise
    /// (a day fetched or failed, or no day asked).
    pub fn nothing_published(&self, opts: &SyncOptions) -> Option<String> {
        let (first, last) = (self.missing.first()?, self.missing.last()?);
        if !self.fetched.is_empty() || !self.failed.is_empty() || self.unreachable.is_some() {
            return None;
        }
        let days = if first == last {
            first.to_string()
        } else {
            format!("{first} .. {last}")
        };
        Some(format!(
            "the archive has none of the {} day(s) asked for: every request answered 404 Not Found ({}/{} for {days}); nothing was imported. Check --base-url (the folder that holds the daily files) and the days (--from, --until)",
            self.missing.len(),
            opts.base_url.trim_end_matches('/'),
            file_pattern(opts.format).unwrap_or("<file>"),
        ))
    }
}

/// The latest date the source stands for (snapshot dates and confirmed dates), if it exists.
fn latest_date(opts: &ImportOptions) -> Result<Option<NaiveDate>, SyncError> {
    // A directory that does not load is invalid geodata (exit 1), as for `import` and every
    // other command: the import's own error says so.
    let loaded = load_dir_within(&opts.data_dir, &opts.date_window).map_err(|r| {
        SyncError::Import(ImportError::Geodata {
            dir: opts.data_dir.display().to_string(),
            problems: r.problems.first().map(|p| p.to_string()).unwrap_or_default(),
        })
    })?;
    let Some(src) = loaded.geodata.sources.into_iter().find(|s| s.name == opts.source) else {
        return Ok(None);
    };
    let mut latest = src.snapshots.last().map(|s| s.date);
    if let Some(last) = src.snapshots.last() {
        let meta = crate::geodata::canonical::read_meta(&opts.data_dir.join(&last.provenance.file));
        let confirmed: Vec<NaiveDate> = meta
            .and_then(|m| m.get("confirmed").cloned())
            .and_then(|v| serde_json::from_value(v).ok())
            .unwrap_or_default();
        latest = latest.max(confirmed.into_iter().max());
    }
    Ok(latest)
}

enum Fetch {
    Got(Vec<u8>),
    Missing,
}

/// Consecutive days whose every attempt failed to connect after which a sync stops: the host
/// cannot be reached at all, and trying every day up to today would only take minutes to say so.
pub const UNREACHABLE_AFTER_DAYS: usize = 2;

/// Consecutive days whose every attempt the host answered with a server failure (5xx, 429) or
/// let time out, after which a sync stops: the archive's server is failing, and every further
/// day would cost its retries (and their waits) only to fail the same way.
pub const FAILING_AFTER_DAYS: usize = 3;

/// A failed fetch: what went wrong, the cause when no attempt could connect at all, and the
/// last answer when every attempt connected but got a server failure or timed out.
struct FetchError {
    message: String,
    cannot_connect: Option<String>,
    server_failing: Option<String>,
}

/// The innermost cause of an error (e.g. "Connection refused (os error 111)").
fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cur = e;
    while let Some(next) = cur.source() {
        cur = next;
    }
    cur.to_string()
}

async fn fetch(client: &reqwest::Client, url: &str, retries: u32) -> Result<Fetch, FetchError> {
    let mut wait = Duration::from_millis(200);
    let mut last = String::new();
    // The cause while every attempt so far failed to connect.
    let mut cannot_connect: Option<String> = None;
    let mut connected = false;
    // Whether every attempt so far was a server failure or a timeout.
    let mut only_failures = true;
    for attempt in 0..=retries {
        if attempt > 0 {
            tokio::time::sleep(wait).await;
            wait *= 2;
        }
        match client.get(url).send().await {
            Ok(r) if r.status() == reqwest::StatusCode::NOT_FOUND => return Ok(Fetch::Missing),
            Ok(r) if r.status().is_success() => match r.bytes().await {
                Ok(b) => return Ok(Fetch::Got(b.to_vec())),
                Err(e) => last = format!("reading the body: {e}"),
            },
            Ok(r) if r.status().is_server_error() || r.status() == reqwest::StatusCode::TOO_MANY_REQUESTS => {
                last = format!("HTTP {}", r.status());
            }
            // Other 4xx will not get better by retrying.
            Ok(r) => {
                return Err(FetchError {
                    message: format!("HTTP {}", r.status()),
                    cannot_connect: None,
                    server_failing: None,
                });
            }
            Err(e) if e.is_connect() => {
                let cause = root_cause(&e);
                last = format!("cannot connect: {cause}");
                if !connected {
                    cannot_connect = Some(cause);
                }
                continue;
            }
            Err(e) if e.is_timeout() => last = "timed out".into(),
            Err(e) => {
                last = format!("request failed: {}", root_cause(&e));
                only_failures = false;
            }
        }
        connected = true;
        cannot_connect = None;
    }
    Err(FetchError {
        message: format!("{last} (after {} attempts)", retries + 1),
        server_failing: (connected && only_failures).then(|| last.clone()),
        cannot_connect,
    })
}

/// The days asked for (`--from`, `--until`) lie in the configured date window, where the import
/// admits days: refused before any request is sent, naming the option (a `--until` years ahead,
/// or a `--from` decades before the border, would otherwise send a request for every day up to
/// it). The lower end is the earliest `valid_from` of the directory's borders (read alone, not
/// the whole directory): the import applies the source's own border's, which is never earlier.
fn check_days_in_window(opts: &SyncOptions) -> Result<(), SyncError> {
    use crate::geodata::policy::today_utc;
    let valid_from = crate::geodata::earliest_border_valid_from(&opts.import.data_dir);
    let window = opts.import.date_window.window_from(valid_from, today_utc());
    let refused = |option: &str, why: String| SyncError::Input(format!("{option}: {why}; no such day is fetched"));
    if let Some(from) = opts.from {
        window.check(from).map_err(|why| refused("--from", why))?;
    }
    window.check(opts.until).map_err(|why| refused("--until", why))
}

/// Fetches and imports the days from the start to `until`.
pub async fn sync(opts: &SyncOptions) -> Result<SyncReport, SyncError> {
    let store = Store::new(&opts.import.data_dir);
    // Refused before anything is fetched or written: a directory that is not a store (a
    // third-party archive given as --data), a source read in place.
    store.check_is_store().map_err(ImportError::from)?;
    store
        .check_writable_source(&opts.import.source)
        .map_err(ImportError::from)?;
    if file_name(opts.format, opts.until).is_none() {
        return Err(SyncError::Input("sync reads deepstate or nzz archives".into()));
    }
    check_days_in_window(opts)?;
    let start = match opts.from {
        Some(d) => d,
        None => match blocking({
            let io = opts.import.clone();
            move || latest_date(&io)
        })
        .await?
        {
            Some(d) => d
                .checked_sub_days(chrono::Days::new(u64::from(opts.lookback_days)))
                .and_then(|d| d.succ_opt())
                .unwrap_or(d),
            None => {
                return Err(SyncError::Input(format!(
                    "source '{}' has no snapshot yet: give the first day to fetch (--from)",
                    opts.import.source
                )));
            }
        },
    };
    let client = reqwest::Client::builder()
        .timeout(opts.timeout)
        .build()
        .map_err(|e| SyncError::Io(format!("HTTP client: {e}")))?;
    // Removed when dropped: at the end, on an error, and when a host stops the sync.
    let download = store.download().map_err(ImportError::from)?;
    let mut report = SyncReport {
        days: (start, opts.until),
        fetched: Vec::new(),
        missing: Vec::new(),
        failed: Vec::new(),
        unreachable: None,
        import: None,
    };
    let (mut unreachable_days, mut failing_days) = (0usize, 0usize);
    let base = opts.base_url.trim_end_matches('/');
    let mut day = start;
    let mut files: Vec<PathBuf> = Vec::new();
    while day <= opts.until {
        let name = file_name(opts.format, day).unwrap_or_default();
        let url = format!("{base}/{name}");
        match fetch(&client, &url, opts.retries).await {
            Ok(Fetch::Got(bytes)) => {
                files.push(download.put(&name, &bytes).map_err(ImportError::from)?);
                report.fetched.push(day);
            }
            Ok(Fetch::Missing) => report.missing.push(day),
            Err(e) => {
                tracing::warn!(%url, error = %e.message, "sync: day failed");
                report.failed.push((day, format!("{url}: {}", e.message)));
                // A host that cannot be reached, or that answers every request with a server
                // failure, is given up after a few days in a row, saying why.
                let (unreachable, failing) = (e.cannot_connect.is_some(), e.server_failing.is_some());
                unreachable_days = if unreachable { unreachable_days + 1 } else { 0 };
                failing_days = if failing { failing_days + 1 } else { 0 };
                if let Some(cause) = e.cannot_connect.filter(|_| unreachable_days >= UNREACHABLE_AFTER_DAYS) {
                    report.unreachable = Some(format!(
                        "cannot reach {base}/: {cause} ({unreachable_days} days in a row could not connect; stopped at {day}, later days not tried)"
                    ));
                    break;
                }
                if let Some(answer) = e.server_failing.filter(|_| failing_days >= FAILING_AFTER_DAYS) {
                    report.unreachable = Some(format!(
                        "{base}/ is failing: every one of the {} attempts of each of {failing_days} days in a row got a server failure or no answer in time (last: {answer}); stopped at {day}, later days not tried: try again later",
                        opts.retries + 1
                    ));
                    break;
                }
                let Some(next) = day.succ_opt() else { break };
                day = next;
                continue;
            }
        }
        (unreachable_days, failing_days) = (0, 0);
        let Some(next) = day.succ_opt() else { break };
        day = next;
    }
    let imported = if files.is_empty() {
        drop(download);
        Ok(None)
    } else {
        let mut io = opts.import.clone();
        io.origin_prefix = Some(format!("{base}/"));
        let format = opts.format;
        // The download folder goes with the import's thread: a sync stopped while it imports
        // (its future dropped) leaves the import reading its files, removed when it is done.
        blocking(move || {
            let imported = import(format, &files, &io).map(Some).map_err(SyncError::from);
            drop(download);
            imported
        })
        .await
    };
    report.import = imported?;
    Ok(report)
}

/// Runs blocking work (loading the directory, importing: file reads, checks, fsyncs) on the
/// runtime's blocking threads and awaits it, so that a sync is an ordinary future: no
/// `block_on` inside the runtime, and a host that stops drops it at an await point (an import
/// under way finishes on its thread, under the writer lock, whole).
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, SyncError> + Send + 'static,
) -> Result<T, SyncError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| SyncError::Io(format!("sync task failed: {e}")))?
}
