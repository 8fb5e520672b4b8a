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
    check_base_url("--base-url", &a.base_url)?;
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
            date_window: a.data.window.config()?,
            time_zone: None,
        },
    })
}

/// Checks the base URL of an archive given with `flag` (`--base-url` of `sync`, `--sync-url` of
/// `serve`), once and before anything is fetched or loaded: parsed as the client will (http or
/// https, a host, a port in range, brackets closed), without credentials (they would be written
/// into the provenance of every snapshot fetched and into logs; the message never repeats
/// them), and without a query or a fragment (files are fetched as `<base>/<daily file name>`,
/// which a query or fragment would swallow).
///
/// # Errors
/// A [`Failure::input`] (exit 2) naming the flag and what is wrong.
pub(crate) fn check_base_url(flag: &str, url: &str) -> Result<reqwest::Url, Failure> {
    let shown = without_credentials(url);
    if !(url.starts_with("http://") || url.starts_with("https://")) {
        return Err(Failure::input(format!("{flag} '{shown}' is not an http(s) URL")));
    }
    let parsed =
        reqwest::Url::parse(url).map_err(|e| Failure::input(format!("{flag} '{shown}' is not a valid URL: {e}")))?;
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(Failure::input(format!("{flag} '{shown}' names no host")));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(Failure::input(format!(
            "{flag} '{shown}': credentials in the URL are refused (they would be written into the provenance of every snapshot fetched, and into logs); give an archive that needs no login"
        )));
    }
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(Failure::input(format!(
            "{flag} '{shown}': a query or fragment is refused (files are fetched as <base>/<daily file name>); give the folder's URL alone"
        )));
    }
    Ok(parsed)
}

/// `url` as a message may show it: anything before an `@` in its authority (a user and
/// password) replaced by `***`, whether or not the URL parses.
fn without_credentials(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(end);
    match authority.rsplit_once('@') {
        Some((_, host)) => format!("{scheme}://***@{host}{path}"),
        None => url.to_string(),
    }
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
    // Ctrl-C (SIGINT) or SIGTERM stops the sync: its future is dropped at an await point, which
    // removes its download folder (an import under way finishes whole on its thread first:
    // dropping the runtime waits for it).
    let Some(report) = rt.block_on(async {
        // Biased, the signal first: its first poll installs the handlers, before the sync's
        // first poll can send a request (a SIGINT in between would end the process unhandled).
        tokio::select! {
            biased;
            () = super::serve::shutdown_signal() => Ok(None),
            r = sync(&opts) => r.map(Some),
        }
    })?
    else {
        drop(rt);
        diag!(
            "error: sync interrupted: stopped before it finished; what was imported before stands, nothing half-written is left"
        );
        return Ok(Exit::Interrupted);
    };
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

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn refusal(url: &str) -> String {
        match check_base_url("--sync-url", url) {
            Ok(_) => panic!("{url} accepted"),
            Err(f) => {
                assert_eq!(f.exit(), Exit::BadInput, "{url}");
                f.message
            }
        }
    }

    #[test]
    fn a_base_url_is_checked_once_without_repeating_its_password() {
        assert!(check_base_url("--base-url", "https://example.org/archive/").is_ok());
        for url in [
            "https://user:s3cret@example.org/a/",
            "https://user:s3cret@[::1/a/",
            "https://user@example.org/a/",
        ] {
            let msg = refusal(url);
            assert!(msg.starts_with("--sync-url 'https://***@"), "{msg}");
            assert!(!msg.contains("s3cret") && !msg.contains("user"), "{msg}");
        }
        assert!(refusal("https://user:s3cret@example.org/a/").contains("credentials in the URL are refused"));
        for url in ["https://example.org/a/?key=1", "https://example.org/a/#x"] {
            assert!(refusal(url).contains("a query or fragment is refused"), "{url}");
        }
        assert!(refusal("ftp://example.org/").contains("is not an http(s) URL"));
        assert!(refusal("http://[::1").contains("is not a valid URL"));
    }
}
