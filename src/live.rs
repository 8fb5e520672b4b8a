//! The live state of a host (the HTTP server, or any other): the loaded catalog, swapped whole;
//! its lifecycle (reload from the geodata directory, taking over the computed states of
//! unchanged snapshots); which files count as geodata for the directory watch; and the sync
//! scheduler (`--sync-every`). No HTTP here: `crate::http` wraps a [`Live`] and serves from it.

use crate::catalog::Catalog;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime};

/// What the last reload did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ReloadOutcome {
    /// Whether the new geodata went live.
    pub ok: bool,
    /// What triggered it (SIGHUP, a change in the directory).
    pub why: String,
    /// Why it was refused.
    pub problems: Vec<String>,
}

/// The live state: an immutable catalog, swapped whole by reloads and ingests (readers keep the
/// one they started with; no lock on the query path).
#[derive(Debug)]
pub struct Live {
    state: arc_swap::ArcSwap<Catalog>,
    /// Serialises writers (ingest, reload): one new catalog is built at a time.
    pub writer: tokio::sync::Mutex<()>,
    last_reload: Mutex<Option<ReloadOutcome>>,
    /// When the live state went live (start, reload, ingest): nanoseconds since 1970.
    live_since: AtomicU64,
    /// Reloads that went live.
    pub reloads_ok: AtomicU64,
    /// Reloads refused (the previous state kept serving).
    pub reloads_failed: AtomicU64,
    /// The snapshot-date admission window reloads apply (the host's `--not-before`/`--not-after`).
    date_window: crate::geodata::policy::DateWindowConfig,
}

impl Live {
    /// Makes `catalog` the live state; reloads admit snapshot dates within `date_window`.
    pub fn new(catalog: std::sync::Arc<Catalog>, date_window: crate::geodata::policy::DateWindowConfig) -> Self {
        warm_timelines(&catalog);
        Live {
            state: arc_swap::ArcSwap::new(catalog),
            writer: tokio::sync::Mutex::new(()),
            last_reload: Mutex::new(None),
            live_since: AtomicU64::new(now_nanos()),
            reloads_ok: AtomicU64::new(0),
            reloads_failed: AtomicU64::new(0),
            date_window,
        }
    }

    /// The catalog live now. A request takes it once and answers from it to the end.
    pub fn catalog(&self) -> std::sync::Arc<Catalog> {
        self.state.load_full()
    }

    /// When the live state went live, nanoseconds since 1970 (changes with every swap, by at
    /// least one whole second).
    pub fn live_since_nanos(&self) -> u64 {
        self.live_since.load(Ordering::Acquire)
    }

    /// When the live state went live.
    pub fn live_since(&self) -> SystemTime {
        std::time::UNIX_EPOCH + Duration::from_nanos(self.live_since_nanos())
    }

    /// The outcome of the last reload, if any.
    pub fn last_reload(&self) -> Option<ReloadOutcome> {
        self.last_reload.lock().ok().and_then(|l| l.clone())
    }

    /// Makes `catalog` (computed first by the caller) the live state.
    pub fn swap(&self, catalog: std::sync::Arc<Catalog>) {
        warm_timelines(&catalog);
        self.state.store(catalog);
        // In a later whole second than the state before (even should the clock step back), so
        // that Last-Modified, in whole seconds, changes with every change of state.
        let now = now_nanos();
        let _ = self
            .live_since
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |old| {
                Some(now.max((old / 1_000_000_000 + 1) * 1_000_000_000))
            });
    }

    fn record(&self, outcome: ReloadOutcome) {
        if let Ok(mut last) = self.last_reload.lock() {
            *last = Some(outcome);
        }
    }

    /// Reloads the geodata directory: on success the new catalog goes live (the computed
    /// states of unchanged snapshots are taken over from the live one, the rest computed on one
    /// core, leaving the other to the requests); on failure the old one keeps serving and the
    /// problems are kept for [`Live::last_reload`].
    ///
    /// # Errors
    /// The first problem, when the directory does not load (or is the embedded geodata).
    pub async fn reload(&self, why: &str) -> Result<(), String> {
        let writer = self.writer.lock().await;
        self.reload_holding(&writer, why).await
    }

    /// [`Live::reload`] by a writer that already holds [`Live::writer`] (`_writer`: its guard),
    /// so that what it checked under the lock is still what it reloads over.
    ///
    /// # Errors
    /// As [`Live::reload`].
    pub async fn reload_holding(&self, _writer: &tokio::sync::MutexGuard<'_, ()>, why: &str) -> Result<(), String> {
        let root = self.catalog().root.clone();
        if crate::geodata::embedded::is_embedded(&root) {
            let why_not = "the server runs on the geodata embedded in the binary, which has no directory to reload; start it with --data DIR".to_string();
            self.record(ReloadOutcome {
                ok: false,
                why: why.to_string(),
                problems: vec![why_not.clone()],
            });
            return Err(why_not);
        }
        let t = Instant::now();
        let old = self.catalog();
        let window = self.date_window;
        let loaded = tokio::task::spawn_blocking(move || {
            let run = || {
                Catalog::load_within(&root, &window).map(|mut c| {
                    c.reuse_from(&old);
                    c.compute_all();
                    c
                })
            };
            match rayon::ThreadPoolBuilder::new().num_threads(1).build() {
                Ok(pool) => pool.install(run),
                Err(_) => run(),
            }
        })
        .await
        .map_err(|e| format!("reload task failed: {e}"))?;
        match loaded {
            Ok(c) => {
                self.swap(std::sync::Arc::new(c));
                self.reloads_ok.fetch_add(1, Ordering::Relaxed);
                tracing::info!(why, ms = t.elapsed().as_millis() as u64, "geodata reloaded");
                self.record(ReloadOutcome {
                    ok: true,
                    why: why.to_string(),
                    problems: Vec::new(),
                });
                Ok(())
            }
            Err(report) => {
                self.reloads_failed.fetch_add(1, Ordering::Relaxed);
                let problems: Vec<String> = report.problems.iter().map(|p| p.to_string()).collect();
                tracing::warn!(
                    why,
                    problems = problems.len(),
                    first = problems.first().map(String::as_str).unwrap_or(""),
                    "reload refused; the previous geodata keeps serving"
                );
                let first = problems.first().cloned().unwrap_or_default();
                self.record(ReloadOutcome {
                    ok: false,
                    why: why.to_string(),
                    problems,
                });
                Err(first)
            }
        }
    }
}

/// Measures, on a background thread, the gains and losses between consecutive epochs of every
/// source of `catalog` (kept in the epochs; see `query::timeline_between`), so that the first
/// `/v1/timeline` after a start, reload or ingest does not pay for them (on the DeepState archive,
/// a diff per epoch: about a second). Answers are the same with or without it.
fn warm_timelines(catalog: &std::sync::Arc<Catalog>) {
    let catalog = catalog.clone();
    let spawned = std::thread::Builder::new().name("timeline-warm".into()).spawn(move || {
        for name in catalog.sources.keys() {
            let _ = crate::query::timeline(&catalog, Some(name));
        }
    });
    if let Err(e) = spawned {
        tracing::warn!(error = %e, "could not start the timeline warm-up; the first timeline measures its changes");
    }
}

fn now_nanos() -> u64 {
    SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
}

/// The folders of a geodata directory the loader reads ([`crate::geodata::load_dir`]), besides
/// `frontline.json`; `sources` holds one folder per source.
const LAYER_DIRS: [&str; 4] = ["borders", "baselines", "regions", "waters"];

/// Whether the entry `name` in directory `dir` of the geodata directory `root` is read by a
/// load, by the loader's rules: `frontline.json`, the `*.geojson` files of `borders/`,
/// `baselines/`, `regions/` and `waters/`, and everything in `sources/`; never a hidden name
/// ([`crate::store::is_hidden`]). The store's documents (`scenarios/`, `watchlists/`,
/// `outboxes/`), `quarantine/`, a README or any other file beside them are not geodata: writing
/// them reloads nothing.
pub fn counts_as_geodata(root: &Path, dir: &Path, name: &str) -> bool {
    if crate::store::is_hidden(name) {
        return false;
    }
    let Ok(rel) = dir.strip_prefix(root) else { return false };
    let mut parts = rel.components().map(|c| c.as_os_str().to_string_lossy());
    let geojson = name.ends_with(".geojson");
    match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (None, ..) => name == "frontline.json" || name == crate::store::SOURCES_DIR || LAYER_DIRS.contains(&name),
        (Some(top), None, ..) if LAYER_DIRS.contains(&&*top) => geojson,
        // sources/: one folder per source (a file there is read by nothing).
        (Some(top), None, ..) => top == crate::store::SOURCES_DIR && !name.contains('.'),
        // sources/<name>/: its description, its snapshots, its publications (an archive it
        // reads in place is listed by the archive's own rule, [`geodata_fingerprint`]).
        (Some(top), Some(_), None, _) => {
            top == crate::store::SOURCES_DIR
                && (name == crate::store::SOURCE_CONFIG || geojson || name == "publications")
        }
        (Some(top), Some(_), Some(sub), None) => top == crate::store::SOURCES_DIR && sub == "publications" && geojson,
        _ => false,
    }
}

/// (path, size, modification time) of every file a load of `root` reads: those under `root`
/// that [`counts_as_geodata`], and those of every archive a source reads in place from outside
/// `root` (`archive.dir` of its `source.json`), sorted: two equal fingerprints mean nothing to
/// reload.
pub fn geodata_fingerprint(root: &Path) -> Vec<(PathBuf, u64, Option<SystemTime>)> {
    let mut out = Vec::new();
    let mut archives = Vec::new();
    walk(root, &mut out, &mut |dir, name| {
        let counts = counts_as_geodata(root, dir, name);
        if counts && name == crate::store::SOURCE_CONFIG {
            archives.extend(archive_files(dir));
        }
        counts
    });
    for file in archives {
        if let Ok(meta) = std::fs::metadata(&file) {
            out.push((file, meta.len(), meta.modified().ok()));
        }
    }
    out.sort();
    out.dedup();
    out
}

/// The files of the archive that the source in `source_dir` reads in place, as its format's
/// reader lists them (the loader's own listing: a note in the archive is not among them).
fn archive_files(source_dir: &Path) -> Vec<PathBuf> {
    let config = std::fs::read(source_dir.join(crate::store::SOURCE_CONFIG))
        .ok()
        .and_then(|b| serde_json::from_slice::<crate::store::SourceConfig>(&b).ok());
    let Some(archive) = config.and_then(|c| c.archive) else {
        return Vec::new();
    };
    let dir = source_dir.join(&archive.dir);
    match archive.format.as_str() {
        "deepstate" => crate::geodata::deepstate::list_archive(&dir).unwrap_or_default(),
        "nzz" => crate::geodata::nzz::list_archive(&dir).unwrap_or_default(),
        _ => Vec::new(),
    }
}

/// Adds (path, size, modification time) of every file under `top` whose entry `keep(dir,
/// name)` accepts (a directory refused is not entered).
fn walk(top: &Path, out: &mut Vec<(PathBuf, u64, Option<SystemTime>)>, keep: &mut dyn FnMut(&Path, &str) -> bool) {
    let mut stack = vec![top.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&dir) else { continue };
        for e in rd.flatten() {
            if !keep(&dir, &e.file_name().to_string_lossy()) {
                continue;
            }
            // Followed through links, as the loader reads them.
            let Ok(meta) = std::fs::metadata(e.path()) else {
                continue;
            };
            if meta.is_dir() {
                stack.push(e.path());
            } else {
                out.push((e.path(), meta.len(), meta.modified().ok()));
            }
        }
    }
}

/// Polls the geodata directory `root` every `interval` and calls `reload` when a file was
/// added, removed or changed (size or modification time). Polling rather than inotify
/// (`notify`): a few hundred `stat` calls every few seconds cost nothing, work on every file
/// system (network and container mounts included), and need no event debouncing.
///
/// The first listing is taken when this is called (before a server says it listens), so that a
/// change made right after start is seen.
pub fn watch_geodata<F, Fut>(root: PathBuf, interval: Duration, mut reload: F) -> impl Future<Output = ()>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = ()>,
{
    let mut last = geodata_fingerprint(&root);
    async move {
        loop {
            tokio::time::sleep(interval).await;
            let r = root.clone();
            let Ok(now) = tokio::task::spawn_blocking(move || geodata_fingerprint(&r)).await else {
                continue;
            };
            if now != last {
                last = now;
                reload().await;
            }
        }
    }
}

/// Why an interval such as `--sync-every` is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "'{text}': use a whole number of seconds, minutes or hours from 1s to 365 days, with s, m or h (e.g. 6h, 30m, 90s)"
)]
pub struct IntervalError {
    /// The text as given.
    pub text: String,
}

/// The longest interval accepted: a year.
pub const MAX_INTERVAL: Duration = Duration::from_secs(365 * 86_400);

/// Parses an interval such as `6h`, `30m` or `90s`: a whole number (ASCII digits) and one unit
/// letter. Safe on any input (no byte-index split inside a character; checked arithmetic).
///
/// ```
/// use frontline::live::parse_interval;
/// use std::time::Duration;
/// assert_eq!(parse_interval("6h").unwrap(), Duration::from_secs(6 * 3600));
/// assert!(parse_interval("5µ").is_err());
/// assert!(parse_interval("0s").is_err());
/// ```
///
/// # Errors
/// [`IntervalError`] when the text is not of that form, is zero or exceeds [`MAX_INTERVAL`].
pub fn parse_interval(text: &str) -> Result<Duration, IntervalError> {
    let bad = || IntervalError { text: text.to_string() };
    let mut chars = text.chars();
    let unit = chars.next_back().ok_or_else(bad)?;
    let digits = chars.as_str();
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let n: u64 = digits.parse().map_err(|_| bad())?;
    let scale: u64 = match unit {
        's' => 1,
        'm' => 60,
        'h' => 3600,
        _ => return Err(bad()),
    };
    let secs = n.checked_mul(scale).ok_or_else(bad)?;
    if secs == 0 || secs > MAX_INTERVAL.as_secs() {
        return Err(bad());
    }
    Ok(Duration::from_secs(secs))
}

/// Every `every`: asks `options` for what to fetch (`None` stops the schedule), runs
/// [`crate::sync::sync`] (awaited: its blocking parts run on blocking threads), and calls
/// `reload` when a snapshot was added.
/// Failures are logged and retried at the next round.
pub async fn sync_every<O, F, Fut>(every: Duration, mut options: O, mut reload: F)
where
    O: FnMut() -> Option<crate::sync::SyncOptions>,
    F: FnMut() -> Fut,
    Fut: Future<Output = ()>,
{
    loop {
        tokio::time::sleep(every).await;
        let Some(opts) = options() else {
            return;
        };
        // An ordinary future (its blocking parts run on blocking threads inside it): when the
        // host stops, this task is dropped at an await point, never a runtime entered twice.
        match crate::sync::sync(&opts).await {
            Ok(r) => {
                let added = r.import.as_ref().map_or(0, |i| i.added.len());
                tracing::info!(
                    fetched = r.fetched.len(),
                    missing = r.missing.len(),
                    failed = r.failed.len(),
                    added,
                    "sync done"
                );
                if added > 0 {
                    reload().await;
                }
            }
            Err(e) => tracing::warn!(error = %e, "sync failed"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn intervals_parse_and_refuse_clearly() {
        assert_eq!(parse_interval("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_interval("30m"), Ok(Duration::from_secs(1800)));
        assert_eq!(parse_interval("8760h"), Ok(MAX_INTERVAL));
        for bad in [
            "",
            "s",
            "5",
            "0h",
            "-5m",
            "+5m",
            "5 m",
            "5µ",
            "µ",
            "5µs",
            "99999999999999999999h",
            "8761h",
            "1.5h",
            "5ms",
        ] {
            let e = parse_interval(bad).unwrap_err();
            assert!(e.to_string().contains("use a whole number"), "{bad}: {e}");
        }
    }

    proptest! {
        /// Any text: an answer, never a panic; and every accepted text is digits and a unit
        /// whose value equals the brute-force product (in u128, no overflow possible).
        #[test]
        fn interval_parser_is_total(text in "\\PC{0,12}") {
            if let Ok(d) = parse_interval(&text) {
                let (n, unit) = text.split_at(text.len() - 1);
                let scale: u128 = match unit { "s" => 1, "m" => 60, "h" => 3600, _ => 0 };
                prop_assert!(scale > 0 && n.bytes().all(|b| b.is_ascii_digit()));
                prop_assert_eq!(u128::from(d.as_secs()), n.parse::<u128>().unwrap() * scale);
            }
        }

        #[test]
        fn interval_parser_takes_digits_and_unit(n in 0u64..u64::MAX, unit in "[smhdµ]") {
            let text = format!("{n}{unit}");
            let scale: u128 = match unit.as_str() { "s" => 1, "m" => 60, "h" => 3600, _ => 0 };
            let want = u128::from(n) * scale;
            match parse_interval(&text) {
                Ok(d) => prop_assert_eq!(u128::from(d.as_secs()), want),
                Err(_) => prop_assert!(scale == 0 || want == 0 || want > u128::from(MAX_INTERVAL.as_secs())),
            }
        }
    }

    #[test]
    fn quarantine_history_and_temporaries_are_not_geodata() {
        let root = Path::new("/g");
        assert!(counts_as_geodata(root, root, "sources"));
        assert!(!counts_as_geodata(root, root, "quarantine"));
        assert!(counts_as_geodata(root, &root.join("sources"), "quarantine"));
        assert!(!counts_as_geodata(root, &root.join("sources"), "README.md"));
        assert!(!counts_as_geodata(root, &root.join("sources/a"), "notes.txt"));
        assert!(!counts_as_geodata(root, &root.join("sources/a/sub"), "a.geojson"));
        assert!(!counts_as_geodata(root, &root.join("sources/a"), ".history"));
        assert!(!counts_as_geodata(
            root,
            &root.join("sources/a"),
            ".2024-01-01.geojson.12-0.tmp"
        ));
        // A name the loader reads is watched, whatever it holds.
        assert!(counts_as_geodata(root, &root.join("sources/a"), "new.tmp-1.geojson"));
        assert!(counts_as_geodata(
            root,
            &root.join("sources/a/publications"),
            "x.geojson"
        ));
        assert!(counts_as_geodata(root, root, "frontline.json"));
        assert!(counts_as_geodata(root, &root.join("borders"), "UKR.geojson"));
        assert!(counts_as_geodata(root, &root.join("waters"), "UKR.geojson"));
        // The store's documents and anything the loader does not read are not.
        for (dir, name) in [
            ("", "scenarios"),
            ("", "watchlists"),
            ("", "outboxes"),
            ("", "notes.txt"),
            ("", "README.md"),
            ("scenarios", "s.json"),
            ("borders", "notes.txt"),
            ("baselines", "crimea.geojson.bak"),
        ] {
            assert!(!counts_as_geodata(root, &root.join(dir), name), "{dir}/{name}");
        }
    }

    #[test]
    fn the_fingerprint_changes_only_with_what_a_load_reads() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("g");
        let archive = dir.path().join("archive");
        std::fs::create_dir_all(root.join("sources/a")).unwrap();
        std::fs::create_dir_all(&archive).unwrap();
        std::fs::write(
            root.join("sources/a/source.json"),
            br#"{"archive": {"format": "deepstate", "dir": "../../../archive"}}"#,
        )
        .unwrap();
        let before = geodata_fingerprint(&root);
        for (rel, bytes) in [
            ("scenarios/s.json", "{}"),
            ("notes.txt", "x"),
            ("borders/x.txt", "x"),
            ("sources/a/notes.txt", "x"),
            ("../archive/README.md", "x"),
        ] {
            let p = root.join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, bytes).unwrap();
        }
        assert_eq!(
            geodata_fingerprint(&root),
            before,
            "a file the loader does not read counted"
        );
        // A day added to the archive read in place, outside the directory, counts.
        std::fs::write(archive.join("deepstatemap_data_20240101.geojson"), "{}").unwrap();
        let after = geodata_fingerprint(&root);
        assert_eq!(after.len(), before.len() + 1, "{after:?}");
        std::fs::write(root.join("sources/a/2024-01-01.geojson"), "{}").unwrap();
        assert_eq!(geodata_fingerprint(&root).len(), after.len() + 1);
    }

    /// Issue 11 (fresh tester): a day added to an archive read in place (outside the geodata
    /// directory) was seen only on SIGHUP; the README promises that a change in the geodata
    /// reloads. The archive's files are part of the fingerprint the watch compares.
    #[test]
    fn the_fingerprint_sees_the_files_of_an_archive_read_in_place() {
        let root = tempfile::tempdir().unwrap();
        let archive = tempfile::tempdir().unwrap();
        let source = root.path().join("sources/ds");
        std::fs::create_dir_all(&source).unwrap();
        let config = serde_json::json!({"archive": {"format": "deepstate", "dir": archive.path()}});
        std::fs::write(source.join("source.json"), config.to_string()).unwrap();
        let day = |d: &str| archive.path().join(format!("deepstatemap_data_{d}.geojson"));
        std::fs::write(day("20240101"), "{}").unwrap();
        let before = geodata_fingerprint(root.path());
        assert!(before.iter().any(|(p, _, _)| *p == day("20240101")), "{before:?}");
        // A file the archive's reader does not read is not watched.
        std::fs::write(archive.path().join("notes.txt"), "x").unwrap();
        assert_eq!(geodata_fingerprint(root.path()), before);
        // A day added, then a day rewritten: each a new fingerprint.
        std::fs::write(day("20240102"), "{}").unwrap();
        let added = geodata_fingerprint(root.path());
        assert_ne!(added, before);
        std::fs::write(day("20240101"), "{\"type\": \"FeatureCollection\"}").unwrap();
        assert_ne!(geodata_fingerprint(root.path()), added);
    }
}
