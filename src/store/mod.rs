//! The geodata directory as a store: where every file lives, and the one way files are written.
//!
//! The layout (readers in [`crate::geodata`] read it; only this module names it):
//!
//! ```text
//! frontline.json                  directory settings (default source)
//! borders/ baselines/ regions/    reference data (written by hand or by scripts)
//! sources/<name>/source.json      a source's settings (border, baselines, or an archive read in place)
//! sources/<name>/YYYY-MM-DD.geojson   its snapshots, canonical format
//! sources/<name>/.history/        every file replaced or removed (<slot>.<ns>.<ext>), never overwritten or deleted
//! sources/<name>/publications/   publications superseded later the same day (kept, not loaded)
//! quarantine/<name>/YYYY-MM-DD-<content>.geojson  snapshots refused by the importer's checks, with reasons
//! scenarios/ watchlists/ outboxes/    one `<name>.json` each
//! .frontline/writer.lock          the writer lock (advisory, held by one process at a time)
//! .frontline/journal.jsonl        the journal: one line per write, appended, never rewritten
//! .frontline/download-<pid>/      files fetched by a sync before they are imported
//! .<name>.<pid>-<n>.tmp           a file being written (never read; swept by the next writer)
//! ```
//!
//! Writing: one writer at a time holds the [`WriterLock`] (an advisory lock on
//! `.frontline/writer.lock`, so a server ingesting and a CLI importing into the same directory
//! never interleave; the second waits up to a timeout, then fails saying who holds it). Every
//! file is written through [`WriterLock::write`]: a temporary file beside the target, fsync,
//! rename over the target, then an fsync of every directory touched (also the parents of
//! directories it created). A crash leaves the old file or the new one, never a part of one. A
//! file that is replaced is first kept in `.history/` ([`WriterLock::keep`]). Paths outside the
//! store's directory are refused. Readers never write.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// `sources/`: one directory per source.
pub const SOURCES_DIR: &str = "sources";
/// `sources/<name>/source.json`.
pub const SOURCE_CONFIG: &str = "source.json";
/// `sources/<name>/.history/`: replaced snapshot files.
pub const HISTORY_DIR: &str = ".history";
/// The folder of a source's publications superseded within their day (see [`Store::publication_file`]).
pub const PUBLICATIONS_DIR: &str = "publications";
/// `quarantine/<name>/`: snapshots refused by the importer's checks.
pub const QUARANTINE_DIR: &str = "quarantine";
/// `.frontline/`: the writer lock, the journal, downloads.
pub const STORE_DIR: &str = ".frontline";
/// `borders/`: the border files (a geodata directory has at least one).
pub const BORDERS_DIR: &str = "borders";
/// `.frontline/download-<pid>/`: a sync's fetched files.
const DOWNLOAD_PREFIX: &str = "download-";
/// `.frontline/writer.lock`.
pub const LOCK_FILE: &str = "writer.lock";
/// `.frontline/journal.jsonl`.
pub const JOURNAL_FILE: &str = "journal.jsonl";
/// The environment variable that sets how long every writer waits for the writer lock, seconds.
pub const WRITER_WAIT_ENV: &str = "FRONTLINE_WRITER_WAIT_S";
/// Suffix of a file being written.
const TEMP_SUFFIX: &str = ".tmp";

/// Kinds of named documents kept by the store besides snapshots.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentKind {
    /// A saved ceasefire scenario: `scenarios/<name>.json`.
    Scenario,
    /// A watchlist: `watchlists/<name>.json`.
    Watchlist,
    /// A watchlist's undelivered events: `outboxes/<name>.json`.
    Outbox,
}

impl DocumentKind {
    /// The directory of this kind's documents, relative to the geodata directory.
    pub fn dir(self) -> &'static str {
        match self {
            DocumentKind::Scenario => "scenarios",
            DocumentKind::Watchlist => "watchlists",
            DocumentKind::Outbox => "outboxes",
        }
    }
}

/// Why the store could not do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A name (source, scenario, ...) breaks the naming rule.
    #[error("{what} name '{name}' must be 1 to 64 characters of a-z, 0-9, '-' and '_'")]
    BadName {
        /// Source, scenario, watchlist, outbox.
        what: &'static str,
        /// The name given.
        name: String,
    },
    /// Another process holds the writer lock.
    #[error(
        "the geodata directory {root} is being written by another process ({holder}); waited {waited_s:.0} s for it: try again when it has finished"
    )]
    Busy {
        /// The geodata directory.
        root: String,
        /// What the lock file says about its holder.
        holder: String,
        /// How long this writer waited.
        waited_s: f64,
    },
    /// The directory named as the geodata directory is not one (it does not exist, or it has
    /// no `borders/` with a border file): refused before anything is written into it.
    #[error(
        "geodata {root} does not load: not a geodata directory ({why}): --data names the geodata directory to write into, not the files read from; start one with `frontline init DIR`"
    )]
    NotAStore {
        /// The directory given.
        root: String,
        /// What it lacks.
        why: &'static str,
    },
    /// A write aimed outside the store's directory.
    #[error("refusing to write {path}: it lies outside the geodata directory {root}")]
    OutsideStore {
        /// The path.
        path: String,
        /// The geodata directory.
        root: String,
    },
    /// A source reads a third-party archive in place: nothing is written into it.
    #[error(
        "source '{source_name}' reads the archive {archive} in place and is read-only: nothing is written into a third-party archive. Import or sync into a source of its own instead (e.g. --source {source_name}-live; a sync into a new source also needs --from, its first day), or copy the archive's files into a new source with `frontline import`"
    )]
    ReadOnlySource {
        /// The source.
        source_name: String,
        /// Its archive directory.
        archive: String,
    },
    /// A file system operation failed.
    #[error("{what} {path}: {error}")]
    Io {
        /// What was being done.
        what: &'static str,
        /// On which path.
        path: String,
        /// The error.
        error: std::io::Error,
    },
}

fn io<'a>(what: &'static str, path: &'a Path) -> impl FnOnce(std::io::Error) -> StoreError + 'a {
    move |error| StoreError::Io {
        what,
        path: path.display().to_string(),
        error,
    }
}

/// Checks a name of a source (or scenario, watchlist, outbox): 1 to 64 characters of a-z, 0-9,
/// `-` and `_`, so that it is a safe file name everywhere and needs no escaping in a URL.
pub fn check_name(what: &'static str, name: &str) -> Result<(), StoreError> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
    if ok {
        Ok(())
    } else {
        Err(StoreError::BadName {
            what,
            name: name.to_string(),
        })
    }
}

/// Whether a directory entry is hidden, and so never geodata: a load does not read it and the
/// watcher does not watch it (`.history/`, the store's temporary files, `.DS_Store`, an editor's
/// swap file). The one rule for both.
pub fn is_hidden(name: &str) -> bool {
    name.starts_with('.')
}

/// Whether a file name is one the store uses while writing (never geodata).
pub fn is_temporary(file_name: &str) -> bool {
    file_name.starts_with('.') && file_name.ends_with(TEMP_SUFFIX)
}

/// `sources/<name>/source.json`.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceConfig {
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// ISO3 of the border it is measured against (optional with one border).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub border: Option<String>,
    /// Baselines it composes with.
    #[serde(default)]
    pub baselines: Vec<String>,
    /// A third-party archive read in place (read-only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub archive: Option<ArchiveConfig>,
    /// The classes of area it draws (`occupied`, `contested`, `liberated`, `before-2022`);
    /// absent: by the archive's format, or occupied (and contested where a snapshot has it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub classes: Option<Vec<crate::model::DrawnClass>>,
    /// The IANA time zone its dates are days of (default `Europe/Kyiv`): the snapshot in force on
    /// a date is its latest publication at or before the end of that day there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
    /// The licence of its data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub licence: Option<String>,
    /// The attribution to show with its data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attribution: Option<String>,
    /// Where it publishes (http or https).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// A source read in place from a third-party archive directory.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArchiveConfig {
    /// `deepstate` or `nzz`.
    pub format: String,
    /// The archive directory, relative to the source directory or absolute.
    pub dir: PathBuf,
}

/// What the store holds for a snapshot's date, as far as a writer's decision goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Held<'a> {
    /// No file holds that date.
    Nothing,
    /// A file holds that date with this content (SHA-256 of the canonical content).
    Content(&'a str),
    /// A file holds that date but does not read (it is then other content).
    Unreadable,
    /// A file holds that date whose content counts as other whatever it is: a snapshot without
    /// a publication instant on the day a publication is written.
    Other,
}

/// What writing a snapshot of a date does: one rule for every writer (HTTP ingest, CLI import,
/// sync), applied under the writer lock to what the files on disk hold
/// ([`crate::geodata::stored_snapshot`] reads them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SnapshotDecision {
    /// Nothing is stored for the date: the snapshot is written.
    New,
    /// The same content is stored: nothing is written (HTTP 200 `unchanged`).
    Unchanged,
    /// Other content is stored and replacing was asked for: the stored file is kept in
    /// `.history/` ([`WriterLock::keep`]), then replaced.
    Replace,
    /// Other content is stored and replacing was not asked for: refused (HTTP 409).
    Refuse,
}

/// Decides what writing a snapshot with content `content` does over what the store holds.
pub fn decide_snapshot(held: Held<'_>, content: &str, replace: bool) -> SnapshotDecision {
    match held {
        Held::Nothing => SnapshotDecision::New,
        Held::Content(c) if c == content => SnapshotDecision::Unchanged,
        Held::Content(_) | Held::Unreadable | Held::Other if replace => SnapshotDecision::Replace,
        Held::Content(_) | Held::Unreadable | Held::Other => SnapshotDecision::Refuse,
    }
}

/// The name (without `.geojson`) of a publication's file: its instant in UTC,
/// `YYYYMMDDTHHMMSSZ`, with the fraction of a second where the instant has one (3, 6 or 9
/// digits, as RFC 3339 writes it: `20240501T100000.250Z`), and, for one of several publications
/// of one instant with different contents, `-` and the first 12 hex digits of its content's
/// SHA-256 (`20240501T100000Z-0123456789ab`).
pub fn publication_slot(published_at: chrono::DateTime<chrono::Utc>, twin_content_sha256: Option<&str>) -> String {
    let instant = published_at.format("%Y%m%dT%H%M%S%.fZ").to_string();
    match twin_content_sha256 {
        Some(sha) => format!("{instant}-{}", sha.get(..12).unwrap_or(sha)),
        None => instant,
    }
}

/// The one write plan of every writer of snapshots (HTTP ingest, CLI import, sync). It is built
/// under the writer lock from what the files on disk hold and the new snapshots, date by date or
/// instant by instant ([`WritePlan::decide`], by the rule of [`decide_snapshot`]): new files,
/// stored files replaced (kept in `.history/` first), files a write leaves unchanged; then
/// [`WriterLock::carry_out`] does it all, the one way a plan is executed.
#[derive(Debug, Default)]
pub struct WritePlan {
    /// Files written, in order.
    writes: Vec<FileWrite>,
    /// Stored files kept in `.history/` before the writes, in order, each once.
    kept: Vec<PathBuf>,
    /// Of `kept`, the files replaced: removed after the writes unless a write took their name
    /// (a replaced file under another name would be a second file for its date).
    replaced: Vec<PathBuf>,
    /// Snapshots refused by the checks, written under `quarantine/` after the rest.
    quarantine: Vec<FileWrite>,
}

impl WritePlan {
    /// An empty plan.
    pub fn new() -> WritePlan {
        WritePlan::default()
    }

    /// Decides what writing a snapshot with content `content` does over what the store holds
    /// for its date or instant (`held`, in `held_file`), by [`decide_snapshot`]. On
    /// [`SnapshotDecision::Replace`] the held file is planned to be replaced
    /// ([`Self::replace`]). The caller plans the snapshot's own file ([`Self::write`]) on `New`
    /// and `Replace`; `Unchanged` writes nothing, `Refuse` is its to report.
    pub fn decide(
        &mut self,
        held: Held<'_>,
        held_file: Option<&Path>,
        content: &str,
        replace: bool,
    ) -> SnapshotDecision {
        let decision = decide_snapshot(held, content, replace);
        if decision == SnapshotDecision::Replace
            && let Some(file) = held_file
        {
            self.replace(file);
        }
        decision
    }

    /// Plans the replacement of a stored file: kept in `.history/` before the writes, removed
    /// after them unless one of them takes its name.
    pub fn replace(&mut self, file: &Path) {
        self.keep(file);
        if !self.replaced.iter().any(|f| f == file) {
            self.replaced.push(file.to_path_buf());
        }
    }

    /// Plans to keep a stored file in `.history/` that a write of this plan rewrites (a
    /// confirming file whose `confirmed` list changes): kept, never removed.
    pub fn keep(&mut self, file: &Path) {
        if !self.kept.iter().any(|f| f == file) {
            self.kept.push(file.to_path_buf());
        }
    }

    /// Plans a file written. A write already planned for the same path is dropped: the later
    /// one wins, in the later place.
    pub fn write(&mut self, path: PathBuf, bytes: Vec<u8>) {
        self.writes.retain(|(p, _)| *p != path);
        self.writes.push((path, bytes));
    }

    /// Plans files written before every other one (a new source's `source.json`, the directory
    /// settings that name a default source).
    pub fn write_first(&mut self, files: Vec<(PathBuf, Vec<u8>)>) {
        let later = std::mem::replace(&mut self.writes, files);
        for (path, bytes) in later {
            self.write(path, bytes);
        }
    }

    /// Plans a snapshot refused by the checks written under `quarantine/`.
    pub fn quarantine(&mut self, path: PathBuf, bytes: Vec<u8>) {
        self.quarantine.push((path, bytes));
    }

    /// Whether the plan writes any file into the store besides the quarantine.
    pub fn writes_files(&self) -> bool {
        !self.writes.is_empty()
    }
}

/// What [`WriterLock::carry_out`] kept in `.history/`.
#[derive(Debug, Default)]
pub struct Carried {
    /// The stored files kept, in the order of `copies`.
    originals: Vec<PathBuf>,
    /// Their copies in `.history/`.
    pub copies: Vec<PathBuf>,
}

impl Carried {
    /// The copy in `.history/` of the stored file `original`, if the plan kept it.
    pub fn copy_of(&self, original: &Path) -> Option<&Path> {
        self.originals
            .iter()
            .position(|o| o == original)
            .and_then(|i| self.copies.get(i))
            .map(PathBuf::as_path)
    }
}

/// A geodata directory as a store.
#[derive(Debug, Clone)]
pub struct Store {
    root: PathBuf,
}

impl Store {
    /// The store of the geodata directory `root` (nothing is read or written yet).
    pub fn new(root: impl Into<PathBuf>) -> Store {
        Store { root: root.into() }
    }

    /// The geodata directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// `sources/`.
    pub fn sources_dir(&self) -> PathBuf {
        self.root.join(SOURCES_DIR)
    }

    /// `sources/<name>/`, the name checked.
    pub fn source_dir(&self, source: &str) -> Result<PathBuf, StoreError> {
        check_name("source", source)?;
        Ok(self.sources_dir().join(source))
    }

    /// `sources/<name>/source.json`.
    pub fn source_config_file(&self, source: &str) -> Result<PathBuf, StoreError> {
        Ok(self.source_dir(source)?.join(SOURCE_CONFIG))
    }

    /// The write of `frontline.json` that names `only` the default source, when a second source
    /// is about to be added to a directory whose one source `only` is the default by being alone
    /// and no `default_source` is set: a load refuses several sources without a default, so the
    /// new source's write carries this one (import and `PUT /v1/sources` alike). `None` when a
    /// default is already named. The directory settings' other members are kept.
    pub fn default_source_write(&self, only: &str) -> Option<(PathBuf, String)> {
        let path = self.root.join("frontline.json");
        let mut settings: serde_json::Map<String, serde_json::Value> = std::fs::read(&path)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default();
        if settings.get("default_source").is_some_and(|d| !d.is_null()) {
            return None;
        }
        settings.insert("default_source".into(), serde_json::Value::from(only));
        Some((path, format!("{:#}\n", serde_json::Value::Object(settings))))
    }

    /// The settings of a source, `None` when it has no `source.json` (or no directory).
    pub fn source_config(&self, source: &str) -> Result<Option<SourceConfig>, StoreError> {
        let path = self.source_config_file(source)?;
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io("cannot read", &path)(e)),
        };
        serde_json::from_slice(&bytes).map(Some).map_err(|e| StoreError::Io {
            what: "invalid configuration",
            path: path.display().to_string(),
            error: std::io::Error::new(std::io::ErrorKind::InvalidData, e),
        })
    }

    /// The archive directory a source reads in place, if it does (such a source is read-only).
    pub fn source_archive(&self, source: &str) -> Result<Option<PathBuf>, StoreError> {
        let dir = self.source_dir(source)?;
        Ok(self
            .source_config(source)?
            .and_then(|c| c.archive)
            .map(|a| if a.dir.is_absolute() { a.dir } else { dir.join(a.dir) }))
    }

    /// Refuses (with what to do instead) when the source reads a third-party archive in place.
    pub fn check_writable_source(&self, source: &str) -> Result<(), StoreError> {
        match self.source_archive(source)? {
            Some(archive) => Err(StoreError::ReadOnlySource {
                source_name: source.to_string(),
                archive: archive.display().to_string(),
            }),
            None => Ok(()),
        }
    }

    /// `sources/<name>/YYYY-MM-DD.geojson`.
    pub fn snapshot_file(&self, source: &str, date: NaiveDate) -> Result<PathBuf, StoreError> {
        Ok(self.source_dir(source)?.join(format!("{date}.geojson")))
    }

    /// The snapshot files of a source named by their date (`YYYY-MM-DD.geojson`, the name every
    /// writer gives them), by date; empty when the source has no directory.
    pub fn dated_snapshot_files(
        &self,
        source: &str,
    ) -> Result<std::collections::BTreeMap<NaiveDate, PathBuf>, StoreError> {
        let dir = self.source_dir(source)?;
        let mut out = std::collections::BTreeMap::new();
        let rd = match std::fs::read_dir(&dir) {
            Ok(rd) => rd,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
            Err(e) => return Err(io("cannot list", &dir)(e)),
        };
        for e in rd.flatten() {
            let name = e.file_name();
            let Some(stem) = name.to_str().and_then(|n| n.strip_suffix(".geojson")) else {
                continue;
            };
            if let Ok(date) = NaiveDate::parse_from_str(stem, "%Y-%m-%d")
                && stem.len() == 10
                && e.path().is_file()
            {
                out.insert(date, e.path());
            }
        }
        Ok(out)
    }

    /// `sources/<name>/publications/<instant>.geojson`: a publication, named by its instant
    /// ([`publication_slot`]: `YYYYMMDDTHHMMSSZ`, with the fraction of a second where the
    /// instant has one, `YYYYMMDDTHHMMSS.250Z`), so that two publications of one second are two
    /// files.
    pub fn publication_file(
        &self,
        source: &str,
        published_at: chrono::DateTime<chrono::Utc>,
    ) -> Result<PathBuf, StoreError> {
        Ok(self
            .source_dir(source)?
            .join(PUBLICATIONS_DIR)
            .join(format!("{}.geojson", publication_slot(published_at, None))))
    }

    /// `sources/<name>/publications/<instant>-<content>.geojson`: one of several publications of
    /// one instant with different contents (the source gave no finer instant), named by its
    /// instant and the first 12 hex digits of its content's SHA-256 ([`publication_slot`]), the
    /// same name whatever the order in which they came.
    pub fn twin_publication_file(
        &self,
        source: &str,
        published_at: chrono::DateTime<chrono::Utc>,
        content_sha256: &str,
    ) -> Result<PathBuf, StoreError> {
        Ok(self.source_dir(source)?.join(PUBLICATIONS_DIR).join(format!(
            "{}.geojson",
            publication_slot(published_at, Some(content_sha256))
        )))
    }

    /// `sources/<name>/.history/`.
    pub fn history_dir(&self, source: &str) -> Result<PathBuf, StoreError> {
        Ok(self.source_dir(source)?.join(HISTORY_DIR))
    }

    /// `quarantine/<name>/<instant>[-<content>].geojson`: a publication refused by the checks,
    /// named as it would have been stored ([`publication_slot`]), so that two of one day are two
    /// files.
    pub fn quarantine_publication_file(
        &self,
        source: &str,
        published_at: chrono::DateTime<chrono::Utc>,
        content_sha256: &str,
    ) -> Result<PathBuf, StoreError> {
        check_name("source", source)?;
        Ok(self.root.join(QUARANTINE_DIR).join(source).join(format!(
            "{}.geojson",
            publication_slot(published_at, Some(content_sha256))
        )))
    }

    /// `quarantine/<name>/YYYY-MM-DD-<content>.geojson`: a snapshot refused by the checks,
    /// named by its date and the first 12 hex digits of its content's SHA-256, so that two
    /// refused files of one date are two files (never one written over the other), and the same
    /// file refused again is the same name.
    pub fn quarantine_file(&self, source: &str, date: NaiveDate, content_sha256: &str) -> Result<PathBuf, StoreError> {
        check_name("source", source)?;
        let content = content_sha256.get(..12).unwrap_or(content_sha256);
        Ok(self
            .root
            .join(QUARANTINE_DIR)
            .join(source)
            .join(format!("{date}-{content}.geojson")))
    }

    /// `scenarios/<name>.json`, `watchlists/<name>.json` or `outboxes/<name>.json`.
    pub fn document_file(&self, kind: DocumentKind, name: &str) -> Result<PathBuf, StoreError> {
        let what = match kind {
            DocumentKind::Scenario => "scenario",
            DocumentKind::Watchlist => "watchlist",
            DocumentKind::Outbox => "outbox",
        };
        check_name(what, name)?;
        Ok(self.root.join(kind.dir()).join(format!("{name}.json")))
    }

    /// Refuses, before anything is written (no `.frontline/`, no lock file, no download
    /// folder), a directory that is not a geodata directory: one that does not exist, or has no
    /// `borders/` holding a `.geojson` border (an archive of published files given as `--data`,
    /// say). Import and sync call it first; `frontline init` makes one.
    ///
    /// # Errors
    /// [`StoreError::NotAStore`] saying what the directory lacks.
    pub fn check_is_store(&self) -> Result<(), StoreError> {
        let borders = self.root.join(BORDERS_DIR);
        let why = if !self.root.is_dir() {
            "it does not exist"
        } else if !borders.is_dir() {
            "it has no borders/"
        } else if !std::fs::read_dir(&borders).is_ok_and(|entries| {
            entries
                .flatten()
                .any(|e| e.path().extension().is_some_and(|x| x == "geojson") && e.path().is_file())
        }) {
            "its borders/ holds no <ISO3>.geojson border"
        } else {
            return Ok(());
        };
        Err(StoreError::NotAStore {
            root: self.root.display().to_string(),
            why,
        })
    }

    /// A folder of this process for files a sync fetched before they are imported
    /// (`.frontline/download-<pid>/`, not geodata), made after [`Store::check_is_store`]. It is
    /// removed when the [`Download`] is dropped (also when a stopped sync drops its future);
    /// folders left by processes that no longer run (killed) are swept here.
    ///
    /// # Errors
    /// [`StoreError::NotAStore`], or the folder cannot be made.
    pub fn download(&self) -> Result<Download, StoreError> {
        self.check_is_store()?;
        let store_dir = self.root.join(STORE_DIR);
        self.sweep_downloads(&store_dir);
        let dir = store_dir.join(format!("{DOWNLOAD_PREFIX}{}", std::process::id()));
        std::fs::create_dir_all(&dir).map_err(io("cannot create", &dir))?;
        Ok(Download { dir })
    }

    /// Removes the download folders of processes that no longer run (where `/proc` tells).
    fn sweep_downloads(&self, store_dir: &Path) {
        let proc = Path::new("/proc");
        if !proc.join("self").exists() {
            return;
        }
        let Ok(entries) = std::fs::read_dir(store_dir) else {
            return;
        };
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            let Some(pid) = name.strip_prefix(DOWNLOAD_PREFIX) else {
                continue;
            };
            if pid.parse::<u32>().is_ok() && !proc.join(pid).exists() {
                let _ = std::fs::remove_dir_all(e.path());
            }
        }
    }

    /// A path as shown in answers: relative to the geodata directory.
    pub fn relative(&self, path: &Path) -> String {
        path.strip_prefix(&self.root).unwrap_or(path).display().to_string()
    }

    /// Takes the writer lock for `writer` (a word saying who: `ingest`, `import`, ...), waiting
    /// up to `wait` for another holder to finish. Stale temporary files of writers that died
    /// are removed once the lock is held.
    ///
    /// The environment variable `FRONTLINE_WRITER_WAIT_S` (whole seconds) overrides `wait` for
    /// every writer of the process (operators who prefer to fail at once; tests).
    pub fn lock(&self, writer: &str, wait: Duration) -> Result<WriterLock, StoreError> {
        let wait = writer_wait(std::env::var(WRITER_WAIT_ENV).ok().as_deref(), wait);
        let dir = self.root.join(STORE_DIR);
        if !dir.is_dir() {
            if !self.root.is_dir() {
                return Err(io("cannot use the geodata directory", &self.root)(std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    "no such directory",
                )));
            }
            std::fs::create_dir_all(&dir).map_err(io("cannot create", &dir))?;
            sync_dir(&self.root)?;
        }
        let path = dir.join(LOCK_FILE);
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(io("cannot open", &path))?;
        let t = Instant::now();
        loop {
            match file.try_lock() {
                Ok(()) => break,
                Err(std::fs::TryLockError::WouldBlock) if t.elapsed() < wait => {
                    std::thread::sleep(Duration::from_millis(20));
                }
                Err(std::fs::TryLockError::WouldBlock) => {
                    return Err(StoreError::Busy {
                        root: self.root.display().to_string(),
                        holder: lock_holder(&path, Path::new("/proc")),
                        waited_s: t.elapsed().as_secs_f64(),
                    });
                }
                Err(std::fs::TryLockError::Error(e)) => return Err(io("cannot lock", &path)(e)),
            }
        }
        let locked_at = now_ns();
        // Who holds it, for the message of a writer that waits (advisory text, not a protocol).
        // Written over the old text, then cut to its length: a reader sees no empty file, and
        // checks what it reads against the kernel's list of locks ([`lock_holder`]).
        let holder = format!("{writer}, pid {}, since {}\n", std::process::id(), rfc3339(locked_at));
        let _ = {
            use std::os::unix::fs::FileExt;
            file.write_all_at(holder.as_bytes(), 0)
                .and_then(|()| file.set_len(holder.len() as u64))
        };
        let lock = WriterLock {
            store: self.clone(),
            _file: file,
            writer: writer.to_string(),
            locked_at,
        };
        lock.sweep_temporaries();
        Ok(lock)
    }

    /// The journal's records, oldest first (a torn last line, from a writer killed while
    /// appending, is left out).
    pub fn journal(&self) -> Vec<JournalRecord> {
        let path = self.root.join(STORE_DIR).join(JOURNAL_FILE);
        std::fs::read_to_string(path)
            .unwrap_or_default()
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect()
    }
}

/// How long a writer waits for the writer lock: `FRONTLINE_WRITER_WAIT_S` (`set`, whole
/// seconds) when it reads, else `default`; a value that does not read is said in a warning
/// naming it and the wait used instead (never silently ignored).
fn writer_wait(set: Option<&str>, default: Duration) -> Duration {
    let Some(text) = set else { return default };
    match text.trim().parse::<u64>() {
        Ok(s) => Duration::from_secs(s),
        Err(_) => {
            tracing::warn!(
                "{WRITER_WAIT_ENV}={text:?} is not a whole number of seconds: ignored, the writer waits the default {} s",
                default.as_secs_f64()
            );
            default
        }
    }
}

/// Who holds the writer lock `lock_file`, read at the moment of asking: the record its holder
/// wrote into the file (`import, pid 12, since ...`) with the holder's command, when the
/// kernel's list of locks (`<proc>/locks`) says that pid holds a lock on that file; else the pid
/// the kernel names, with its command; else `holder unknown` (never a record left by an earlier
/// holder, never an empty one).
fn lock_holder(lock_file: &Path, proc: &Path) -> String {
    use std::os::unix::fs::MetadataExt;
    const UNKNOWN: &str = "holder unknown";
    let Ok(meta) = std::fs::metadata(lock_file) else {
        return UNKNOWN.into();
    };
    let record = std::fs::read_to_string(lock_file).unwrap_or_default();
    let record = record.lines().next().unwrap_or("").trim();
    let recorded_pid = record
        .split(", ")
        .find_map(|part| part.strip_prefix("pid "))
        .and_then(|p| p.parse::<u32>().ok());
    // `/proc/locks`: `1: FLOCK  ADVISORY  WRITE 4711 08:01:1234 0 EOF` (pid, then
    // major:minor:inode of the file).
    let holders: Vec<u32> = std::fs::read_to_string(proc.join("locks"))
        .unwrap_or_default()
        .lines()
        .filter_map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let at = fields
                .iter()
                .position(|f| *f == "FLOCK" || *f == "POSIX" || *f == "OFDLCK")?;
            let pid = fields.get(at + 3)?.parse::<u32>().ok()?;
            let inode = fields.get(at + 4)?.rsplit(':').next()?.parse::<u64>().ok()?;
            (inode == meta.ino()).then_some(pid)
        })
        .collect();
    let command = |pid: u32| -> Option<String> {
        let raw = std::fs::read(proc.join(pid.to_string()).join("cmdline")).ok()?;
        let mut args = raw.split(|b| *b == 0).filter(|a| !a.is_empty());
        let program = String::from_utf8_lossy(args.next()?).into_owned();
        // The program's name and its subcommand: never its paths (answers show this).
        let name = Path::new(&program)
            .file_name()
            .map_or(program.clone(), |n| n.to_string_lossy().into_owned());
        let sub = args
            .next()
            .map(|a| String::from_utf8_lossy(a).into_owned())
            .filter(|a| !a.starts_with('-') && !a.contains('/'));
        Some(sub.map_or(name.clone(), |s| format!("{name} {s}")))
    };
    let with_command = |text: String, pid: u32| match command(pid) {
        Some(c) => format!("{text}, command: {c}"),
        None => text,
    };
    match recorded_pid {
        Some(pid) if holders.contains(&pid) => with_command(record.to_string(), pid),
        _ => match holders.first() {
            Some(&pid) => with_command(format!("pid {pid}"), pid),
            None => UNKNOWN.into(),
        },
    }
}

/// One line of the journal: a batch of files written under one writer lock.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct JournalRecord {
    /// Who wrote (`ingest`, `import`, ...).
    pub writer: String,
    /// Its process id.
    pub pid: u32,
    /// When it took the writer lock, ns since the Unix epoch.
    pub locked_ns: u64,
    /// When this batch was in place (renamed and its directories synced), ns since the epoch.
    pub written_ns: u64,
    /// The files written, relative to the geodata directory.
    pub files: Vec<String>,
    /// Files kept in a `.history/` before this batch replaced them.
    #[serde(default)]
    pub kept: Vec<String>,
    /// Files and folders this batch removed (the undoing of a write that did not load): every
    /// file by its path, and a folder removed with them by its path and a trailing `/`
    /// (`sources/new/source.json`, then `sources/new/`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub removed: Vec<String>,
}

/// The download folder of a sync ([`Store::download`]): fetched files wait here for the
/// import, which reads them like any archive file; removed when dropped. These files are not
/// geodata and are not kept, so they are written plainly (no fsync, no lock).
#[derive(Debug)]
pub struct Download {
    dir: PathBuf,
}

impl Download {
    /// Writes one fetched file (`name`: a file name of the archive's layout) and returns its
    /// path.
    ///
    /// # Errors
    /// A name that is not a plain file name, or the file cannot be written.
    pub fn put(&self, name: &str, bytes: &[u8]) -> Result<PathBuf, StoreError> {
        let plain = Path::new(name).file_name().is_some_and(|f| f == name);
        if !plain {
            return Err(StoreError::OutsideStore {
                path: name.to_string(),
                root: self.dir.display().to_string(),
            });
        }
        let path = self.dir.join(name);
        std::fs::write(&path, bytes).map_err(io("cannot write", &path))?;
        Ok(path)
    }
}

impl Drop for Download {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The writer lock of a store, held until dropped. Writing goes through it.
#[derive(Debug)]
pub struct WriterLock {
    store: Store,
    /// Holds the advisory lock; closing it releases the lock (also when the process dies).
    _file: File,
    writer: String,
    locked_at: u64,
}

static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// From this many files a batch is written in parallel.
const PARALLEL_WRITES: usize = 8;

/// Threads that write and fsync a large batch ([`each_parallel`]). An fsync waits on the disk,
/// not on a core, and concurrent fsyncs share the file system's journal commits (ext4 joins the
/// fsyncs that arrive while a commit is running), so more threads than cores shorten a batch of
/// hundreds of files; each thread writes whole files, so memory stays that of the batch.
const WRITE_THREADS: usize = 8;

/// `f` on every item, on [`WRITE_THREADS`] threads of their own where there are at least
/// [`PARALLEL_WRITES`] items (not rayon's pool: it has one thread per core, and in a server may
/// be busy with computations), on this thread otherwise; the results in the items' order, or
/// the first error in that order.
fn each_parallel<T: Sync, R: Send>(
    items: &[T],
    f: impl Fn(&T) -> Result<R, StoreError> + Sync,
) -> Result<Vec<R>, StoreError> {
    if items.len() < PARALLEL_WRITES {
        return items.iter().map(f).collect();
    }
    let chunk = items.len().div_ceil(WRITE_THREADS);
    let f = &f;
    let done: Vec<Vec<Result<R, StoreError>>> = std::thread::scope(|scope| {
        let running: Vec<_> = items
            .chunks(chunk)
            .map(|part| scope.spawn(move || part.iter().map(f).collect::<Vec<_>>()))
            .collect();
        running
            .into_iter()
            .map(|h| {
                h.join().unwrap_or_else(|_| {
                    vec![Err(StoreError::Io {
                        what: "cannot write",
                        path: String::new(),
                        error: std::io::Error::other("a writing thread panicked"),
                    })]
                })
            })
            .collect()
    });
    done.into_iter().flatten().collect()
}

fn now_ns() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
}

fn rfc3339(ns: u64) -> String {
    let secs = i64::try_from(ns / 1_000_000_000).unwrap_or(0);
    chrono::DateTime::from_timestamp(secs, 0).map_or_else(|| secs.to_string(), |t| t.to_rfc3339())
}

fn sync_dir(dir: &Path) -> Result<(), StoreError> {
    File::open(dir)
        .and_then(|f| f.sync_all())
        .map_err(io("cannot sync directory", dir))
}

/// Creates `dir` and any missing parents; returns the directories whose entries changed (the
/// parent of each directory created), to be synced.
fn create_dirs(dir: &Path, touched: &mut Vec<PathBuf>) -> Result<(), StoreError> {
    let mut missing = Vec::new();
    let mut d = dir;
    while !d.is_dir() {
        missing.push(d.to_path_buf());
        match d.parent() {
            Some(p) => d = p,
            None => break,
        }
    }
    for m in missing.iter().rev() {
        match std::fs::create_dir(m) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(io("cannot create", m)(e)),
        }
        if let Some(p) = m.parent() {
            touched.push(p.to_path_buf());
        }
    }
    Ok(())
}

/// Every file under `dir` (not folders), at any depth; empty when it cannot be listed.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        match e.file_type() {
            Ok(t) if t.is_dir() => out.extend(files_under(&p)),
            Ok(_) => out.push(p),
            Err(_) => {}
        }
    }
    out
}

/// A file to write: its path and its bytes.
type FileWrite = (PathBuf, Vec<u8>);

/// A fresh temporary name for `name` in the same folder: `.<name>.<pid>-<n>.tmp`.
fn temporary_name(name: &str) -> String {
    let n = TEMP_COUNTER.fetch_add(1, Ordering::Relaxed);
    format!(".{name}.{}-{n}{TEMP_SUFFIX}", std::process::id())
}

/// Writes a new file whole and fsyncs it.
fn write_synced(path: &Path, bytes: &[u8]) -> Result<(), StoreError> {
    File::create(path)
        .and_then(|mut f| {
            f.write_all(bytes)?;
            // The time its content became complete, from the precise clock (a file system
            // stamps writes with a coarse one, a few ms behind): `known_at=` orders contents by
            // it against instants an answer was given at.
            f.set_modified(SystemTime::now())?;
            f.sync_all()
        })
        .map_err(io("cannot write", path))
}

impl WriterLock {
    /// The store this lock writes.
    pub fn store(&self) -> &Store {
        &self.store
    }

    fn check_inside(&self, path: &Path) -> Result<(), StoreError> {
        let outside = |path: String| StoreError::OutsideStore {
            path,
            root: self.store.root.display().to_string(),
        };
        let inside = path.starts_with(&self.store.root)
            && !path.components().any(|c| matches!(c, std::path::Component::ParentDir));
        if !inside {
            return Err(outside(path.display().to_string()));
        }
        // Inside by name, and by where it really is: a source folder that is a symbolic link to
        // a folder elsewhere (seen: `sources/ext -> /tmp/ext`) would be written through.
        let root = std::fs::canonicalize(&self.store.root).map_err(io("cannot resolve", &self.store.root))?;
        let existing = path.ancestors().find(|a| a.exists()).unwrap_or(&self.store.root);
        let real = std::fs::canonicalize(existing).map_err(io("cannot resolve", existing))?;
        if real.starts_with(&root) {
            Ok(())
        } else {
            Err(outside(format!(
                "{} ({} resolves to {}, outside it)",
                path.display(),
                existing.display(),
                real.display()
            )))
        }
    }

    /// Writes files durably and whole, in the order given: each to a temporary file beside it,
    /// fsync'ed (in parallel), renamed into place (in order); then every directory touched is
    /// fsync'ed once. A crash leaves each file old or new, never a part. Recorded in the journal.
    ///
    /// Files of a source that does not exist yet (`sources/<name>/` absent) are not written one
    /// by one into a new folder: they are built whole in a hidden staging folder
    /// `sources/.<name>.<pid>-<n>.tmp/` (files and folders fsync'ed), which is renamed into place
    /// after the other files of the batch are in place (e.g. the `frontline.json` that names a
    /// default source), then `sources/` is fsync'ed. A crash leaves no source or the whole new
    /// one; a staging folder left behind is hidden (never loaded) and swept by the next writer.
    pub fn write(&self, files: &[(PathBuf, Vec<u8>)]) -> Result<(), StoreError> {
        self.write_keeping(files, &[])
    }

    /// [`Self::write`], recording in the journal the history copies made for it.
    pub fn write_keeping(&self, files: &[(PathBuf, Vec<u8>)], kept: &[PathBuf]) -> Result<(), StoreError> {
        if files.is_empty() {
            return Ok(());
        }
        let mut in_place: Vec<&(PathBuf, Vec<u8>)> = Vec::new();
        let mut new_sources: Vec<(PathBuf, Vec<&FileWrite>)> = Vec::new();
        for file in files {
            self.check_inside(&file.0)?;
            match self.new_source_of(&file.0) {
                Some(dir) => match new_sources.iter_mut().find(|(d, _)| *d == dir) {
                    Some((_, group)) => group.push(file),
                    None => new_sources.push((dir, vec![file])),
                },
                None => in_place.push(file),
            }
        }
        self.write_in_place(&in_place)?;
        for (dir, group) in &new_sources {
            self.write_new_source(dir, group)?;
        }
        self.record(
            files.iter().map(|(p, _)| self.store.relative(p)).collect(),
            kept.iter().map(|p| self.store.relative(p)).collect(),
            Vec::new(),
        );
        Ok(())
    }

    /// The directory of a source that a write of `path` would create: `sources/<name>/` when
    /// `path` lies inside it and it does not exist yet.
    fn new_source_of(&self, path: &Path) -> Option<PathBuf> {
        let sources = self.store.sources_dir();
        let mut parts = path.strip_prefix(&sources).ok()?.components();
        let name = match parts.next()? {
            std::path::Component::Normal(n) => n.to_str()?,
            _ => return None,
        };
        // A file directly in `sources/` is not in a source; a hidden name is not a source.
        parts.next()?;
        if is_hidden(name) {
            return None;
        }
        let dir = sources.join(name);
        match std::fs::symlink_metadata(&dir) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Some(dir),
            _ => None,
        }
    }

    /// Writes files of existing directories: temporary file, fsync, rename, fsync of the
    /// directories.
    fn write_in_place(&self, files: &[&(PathBuf, Vec<u8>)]) -> Result<(), StoreError> {
        if files.is_empty() {
            return Ok(());
        }
        let mut touched: Vec<PathBuf> = Vec::new();
        for (path, _) in files {
            let dir = path.parent().unwrap_or(&self.store.root);
            create_dirs(dir, &mut touched)?;
            touched.push(dir.to_path_buf());
        }
        let write_temp = |&(path, bytes): &&FileWrite| -> Result<PathBuf, StoreError> {
            let dir = path.parent().unwrap_or(&self.store.root);
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let tmp = dir.join(temporary_name(&name));
            match write_synced(&tmp, bytes) {
                Ok(()) => Ok(tmp),
                Err(e) => {
                    let _ = std::fs::remove_file(&tmp);
                    Err(e)
                }
            }
        };
        // An import's hundreds of files are written on threads of their own; one or a few
        // files on this thread.
        let temps = each_parallel(files, write_temp).inspect_err(|_| self.sweep_temporaries())?;
        for (tmp, (path, _)) in temps.iter().zip(files.iter().copied()) {
            if let Err(e) = std::fs::rename(tmp, path) {
                self.sweep_temporaries();
                return Err(io("cannot rename into place", path)(e));
            }
        }
        touched.sort();
        touched.dedup();
        for d in &touched {
            sync_dir(d)?;
        }
        Ok(())
    }

    /// Writes the first files of a source whose directory `dir` does not exist: built whole in
    /// a hidden staging folder beside it, then renamed into place (see [`Self::write`]).
    fn write_new_source(&self, dir: &Path, files: &[&(PathBuf, Vec<u8>)]) -> Result<(), StoreError> {
        let sources = dir.parent().unwrap_or(&self.store.root);
        let mut touched: Vec<PathBuf> = Vec::new();
        create_dirs(sources, &mut touched)?;
        let name = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let staging = sources.join(temporary_name(&name));
        std::fs::create_dir(&staging).map_err(io("cannot create", &staging))?;
        let built = (|| -> Result<(), StoreError> {
            let mut dirs = vec![staging.clone()];
            let mut targets = Vec::with_capacity(files.len());
            for (path, bytes) in files {
                let inside = path.strip_prefix(dir).map_err(|_| StoreError::OutsideStore {
                    path: path.display().to_string(),
                    root: dir.display().to_string(),
                })?;
                let target = staging.join(inside);
                let parent = target.parent().unwrap_or(&staging);
                create_dirs(parent, &mut dirs)?;
                targets.push((target, bytes.as_slice()));
            }
            // Every file written and fsync'ed (hundreds for an import: in parallel) before the
            // folders are fsync'ed and the staging folder renamed into place.
            each_parallel(&targets, |(target, bytes)| write_synced(target, bytes))?;
            dirs.sort();
            dirs.dedup();
            for d in dirs.iter().rev() {
                sync_dir(d)?;
            }
            std::fs::rename(&staging, dir).map_err(io("cannot rename into place", dir))
        })();
        if let Err(e) = built {
            let _ = std::fs::remove_dir_all(&staging);
            return Err(e);
        }
        touched.push(sources.to_path_buf());
        touched.sort();
        touched.dedup();
        for d in &touched {
            sync_dir(d)?;
        }
        Ok(())
    }

    /// Removes a whole source directory (the undoing of a source's creation that did not load):
    /// renamed to a hidden temporary name first, so that no half-removed source is ever seen,
    /// then removed; `sources/` fsync'ed. Recorded in the journal.
    pub fn remove_source(&self, source: &str) -> Result<(), StoreError> {
        let dir = self.store.source_dir(source)?;
        let sources = self.store.sources_dir();
        // The journal names every file removed, then the folder (`sources/<name>/`).
        let mut removed: Vec<String> = files_under(&dir).iter().map(|f| self.store.relative(f)).collect();
        removed.sort();
        removed.push(self.folder_name(&dir));
        let doomed = sources.join(temporary_name(source));
        std::fs::rename(&dir, &doomed).map_err(io("cannot remove", &dir))?;
        sync_dir(&sources)?;
        std::fs::remove_dir_all(&doomed).map_err(io("cannot remove", &doomed))?;
        self.record(Vec::new(), Vec::new(), removed);
        Ok(())
    }

    /// A folder as the journal names it: relative to the geodata directory, with a trailing `/`
    /// (a file never has one).
    fn folder_name(&self, dir: &Path) -> String {
        format!("{}/", self.store.relative(dir))
    }

    /// Removes files of the store (a file written by a write that did not load) and syncs their
    /// directories; a directory of the store left empty by it goes too (never the geodata
    /// directory itself, nor one that holds anything else). Recorded in the journal.
    pub fn remove(&self, files: &[PathBuf]) -> Result<(), StoreError> {
        let mut dirs = Vec::new();
        for f in files {
            self.check_inside(f)?;
            std::fs::remove_file(f).map_err(io("cannot remove", f))?;
            dirs.extend(f.parent().map(Path::to_path_buf));
        }
        dirs.sort();
        dirs.dedup();
        let mut removed: Vec<String> = files.iter().map(|f| self.store.relative(f)).collect();
        for d in &dirs {
            // `remove_dir` fails on a directory that holds anything: then it stays, synced.
            if d != &self.store.root && std::fs::remove_dir(d).is_ok() {
                removed.push(self.folder_name(d));
                if let Some(parent) = d.parent() {
                    sync_dir(parent)?;
                }
            } else {
                sync_dir(d)?;
            }
        }
        self.record(Vec::new(), Vec::new(), removed);
        Ok(())
    }

    /// Keeps the current file of a source (a dated snapshot file, a publication, its
    /// `source.json`) in `sources/<name>/.history/` before it is replaced or removed: a new name
    /// `<slot>.<ns>.<ext>` that is never reused (`<slot>` the file's name without its
    /// extension, `YYYY-MM-DD`, a publication's ([`publication_slot`]) or `source`; `<ns>` the instant it is
    /// replaced), a hard link (a copy where links are not possible), fsync'ed with its
    /// directory. Returns the kept path. `known_at=` finds each slot's contents by these names.
    pub fn keep(&self, source: &str, current: &Path) -> Result<PathBuf, StoreError> {
        let (slot, ext) = match (current.file_stem(), current.extension()) {
            (Some(s), Some(e)) => (s.to_string_lossy().into_owned(), e.to_string_lossy().into_owned()),
            _ => {
                return Err(StoreError::OutsideStore {
                    path: current.display().to_string(),
                    root: self.store.root.display().to_string(),
                });
            }
        };
        self.keep_named(source, &|stamp| format!("{slot}.{stamp}.{ext}"), current)
    }

    /// Carries out a [`WritePlan`] of `source`, the one way every writer writes its snapshots:
    /// the stored files it keeps are kept in `.history/` ([`Self::keep`]), and so is every
    /// other file of the source that one of its writes changes (other bytes than it holds), its files written in
    /// one batch ([`Self::write_keeping`], the copies recorded with it), the replaced files that
    /// no write took the name of removed ([`Self::remove`]), then the quarantined snapshots
    /// written. Returns the copies kept.
    ///
    /// # Errors
    /// A file that cannot be kept, written or removed; what was done before stays done (each
    /// file whole).
    pub fn carry_out(&self, source: &str, plan: WritePlan) -> Result<Carried, StoreError> {
        let WritePlan {
            writes,
            kept,
            replaced,
            quarantine,
        } = plan;
        // Every file of the source that a write changes is kept first, whether the caller
        // planned it or not (a stored snapshot rewritten to confirm a later day, say): a write
        // with the same bytes changes nothing and keeps nothing.
        let mut kept = kept;
        let source_dir = self.store.source_dir(source)?;
        let history = source_dir.join(HISTORY_DIR);
        for (path, bytes) in &writes {
            if path.starts_with(&source_dir)
                && !path.starts_with(&history)
                && !kept.contains(path)
                && std::fs::read(path).is_ok_and(|held| held != *bytes)
            {
                kept.push(path.clone());
            }
        }
        let mut copies = Vec::with_capacity(kept.len());
        for file in &kept {
            copies.push(self.keep(source, file)?);
        }
        self.write_keeping(&writes, &copies)?;
        let stale: Vec<PathBuf> = replaced
            .into_iter()
            .filter(|f| !writes.iter().any(|(p, _)| p == f))
            .collect();
        self.remove(&stale)?;
        self.write(&quarantine)?;
        Ok(Carried {
            originals: kept,
            copies,
        })
    }

    fn keep_named(&self, source: &str, name: &dyn Fn(u64) -> String, current: &Path) -> Result<PathBuf, StoreError> {
        let history = self.store.history_dir(source)?;
        self.check_inside(&history)?;
        let mut touched = Vec::new();
        create_dirs(&history, &mut touched)?;
        let mut stamp = now_ns();
        let kept = loop {
            let candidate = history.join(name(stamp));
            if !candidate.exists() {
                break candidate;
            }
            stamp += 1;
        };
        if std::fs::hard_link(current, &kept).is_err() {
            std::fs::copy(current, &kept).map_err(io("cannot keep", current))?;
            // A link keeps the time the content was written (when it became current, which
            // `known_at=` answers by); a copy is given it.
            if let Ok(written) = std::fs::metadata(current).and_then(|m| m.modified()) {
                let _ = File::options()
                    .write(true)
                    .open(&kept)
                    .and_then(|f| f.set_modified(written));
            }
            File::open(&kept)
                .and_then(|f| f.sync_all())
                .map_err(io("cannot sync", &kept))?;
        }
        touched.push(history);
        for d in &touched {
            sync_dir(d)?;
        }
        Ok(kept)
    }

    /// Appends a line to the journal (none for a write of nothing). Not fsync'ed: the journal is a record of the writes, not
    /// the data (the files it names are durable before it is written); a line lost in a power
    /// cut costs nothing but the record. For the same reason a line that cannot be written is
    /// logged (a warning), never the write's error: the write has happened.
    fn record(&self, files: Vec<String>, kept: Vec<String>, removed: Vec<String>) {
        // A write of nothing (a plan with nothing to remove, an empty batch) is no write.
        if files.is_empty() && kept.is_empty() && removed.is_empty() {
            return;
        }
        if let Err(e) = self.append_record(files, kept, removed) {
            tracing::warn!(error = %e, "the journal could not record a write that is in place");
        }
    }

    fn append_record(&self, files: Vec<String>, kept: Vec<String>, removed: Vec<String>) -> Result<(), StoreError> {
        let rec = JournalRecord {
            writer: self.writer.clone(),
            pid: std::process::id(),
            locked_ns: self.locked_at,
            written_ns: now_ns(),
            files,
            kept,
            removed,
        };
        let path = self.store.root.join(STORE_DIR).join(JOURNAL_FILE);
        let mut line = serde_json::to_string(&rec).unwrap_or_default();
        line.push('\n');
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .create(true)
            .open(&path)
            .map_err(io("cannot open", &path))?;
        f.write_all(line.as_bytes()).map_err(io("cannot append to", &path))
    }

    /// Removes what writers that died left unfinished (only this lock's holder writes, so every
    /// temporary in the store's directories is stale): temporary files in every folder a writer
    /// writes (the geodata directory, each source, its `.history/` and `publications/`, each
    /// quarantine folder, the documents' folders), the staging folders of new sources
    /// (`sources/.<name>.<pid>-<n>.tmp/`), and a source folder left without `source.json` that
    /// is empty once they are gone.
    fn sweep_temporaries(&self) {
        let root = &self.store.root;
        let remove = |p: &Path| {
            let _ = if p.is_dir() {
                std::fs::remove_dir_all(p)
            } else {
                std::fs::remove_file(p)
            };
        };
        let sweep = |d: &Path| {
            let Ok(rd) = std::fs::read_dir(d) else { return };
            for e in rd.flatten() {
                if is_temporary(&e.file_name().to_string_lossy()) {
                    remove(&e.path());
                }
            }
        };
        sweep(root);
        for kind in [DocumentKind::Scenario, DocumentKind::Watchlist, DocumentKind::Outbox] {
            sweep(&root.join(kind.dir()));
        }
        let sources = root.join(SOURCES_DIR);
        sweep(&sources);
        for parent in [sources, root.join(QUARANTINE_DIR)] {
            let Ok(rd) = std::fs::read_dir(&parent) else { continue };
            for e in rd.flatten() {
                let p = e.path();
                if !p.is_dir() || is_hidden(&e.file_name().to_string_lossy()) {
                    continue;
                }
                for sub in [HISTORY_DIR, PUBLICATIONS_DIR] {
                    sweep(&p.join(sub));
                }
                sweep(&p);
                if !p.join(SOURCE_CONFIG).exists() {
                    // Only an empty folder goes (remove_dir refuses any other).
                    let _ = std::fs::remove_dir(p.join(HISTORY_DIR));
                    let _ = std::fs::remove_dir(&p);
                }
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_one_rule() {
        assert!(check_name("source", "deepstate-live_2").is_ok());
        for bad in ["", "Deep", "a/b", "..", "a b", "é", &"x".repeat(65)] {
            assert!(check_name("source", bad).is_err(), "{bad}");
        }
        let s = Store::new("/g");
        assert!(s.source_dir("../etc").is_err());
        assert_eq!(
            s.document_file(DocumentKind::Outbox, "w1").unwrap(),
            PathBuf::from("/g/outboxes/w1.json")
        );
    }

    #[test]
    fn a_directory_that_is_not_a_store_is_refused_and_left_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("g");
        let listing = |p: &Path| -> Vec<String> {
            let mut v: Vec<String> = walk(p).iter().map(|x| x.display().to_string()).collect();
            v.sort();
            v
        };
        fn walk(p: &Path) -> Vec<PathBuf> {
            let mut out = Vec::new();
            for e in std::fs::read_dir(p).into_iter().flatten().flatten() {
                out.push(e.path());
                if e.path().is_dir() {
                    out.extend(walk(&e.path()));
                }
            }
            out
        }
        let store = Store::new(&root);
        // Missing; no borders/; an empty borders/; a borders/ with something else.
        let cases: [(&dyn Fn(), &str); 4] = [
            (&|| {}, "it does not exist"),
            (&|| std::fs::create_dir(&root).unwrap(), "it has no borders/"),
            (
                &|| std::fs::create_dir(root.join("borders")).unwrap(),
                "holds no <ISO3>.geojson",
            ),
            (
                &|| std::fs::write(root.join("borders/README"), "x").unwrap(),
                "holds no <ISO3>.geojson",
            ),
        ];
        for (make, why) in cases {
            make();
            let before = listing(dir.path());
            for e in [store.check_is_store().unwrap_err(), store.download().unwrap_err()] {
                assert!(matches!(e, StoreError::NotAStore { .. }), "{e}");
                assert!(e.to_string().contains(why), "{e}");
                assert!(e.to_string().contains("not a geodata directory"), "{e}");
            }
            assert_eq!(listing(dir.path()), before, "{why}: something was written");
        }
        std::fs::write(root.join("borders/UKR.geojson"), "{}").unwrap();
        assert!(store.check_is_store().is_ok());
    }

    #[test]
    fn download_folders_are_removed_when_dropped_and_swept_when_their_process_died() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("borders")).unwrap();
        std::fs::write(dir.path().join("borders/UKR.geojson"), "{}").unwrap();
        let store = Store::new(dir.path());
        // A folder of a process that was killed (a pid above any pid_max), and one of a live
        // process (this one's parent) that is not ours to remove.
        let dead = dir.path().join(".frontline/download-4294967294");
        std::fs::create_dir_all(&dead).unwrap();
        let live = dir
            .path()
            .join(format!(".frontline/download-{}", std::os::unix::process::parent_id()));
        std::fs::create_dir_all(&live).unwrap();
        let download = store.download().unwrap();
        let file = download.put("deepstatemap_data_20250101.geojson", b"{}").unwrap();
        assert!(file.starts_with(dir.path().join(".frontline")), "{}", file.display());
        assert!(download.put("../x.geojson", b"{}").is_err());
        assert!(!dead.exists(), "the dead process's folder was not swept");
        assert!(live.exists(), "a live process's folder was removed");
        let own = file.parent().unwrap().to_path_buf();
        drop(download);
        assert!(!own.exists(), "the download folder outlived its sync");
    }

    #[test]
    fn two_refused_files_of_one_date_are_two_quarantine_files() {
        let s = Store::new("/g");
        let d = NaiveDate::from_ymd_opt(2024, 1, 5).unwrap();
        let a = s.quarantine_file("a", d, &"0123456789abcdef".repeat(4)).unwrap();
        let b = s.quarantine_file("a", d, &"fedcba9876543210".repeat(4)).unwrap();
        assert_eq!(a, PathBuf::from("/g/quarantine/a/2024-01-05-0123456789ab.geojson"));
        assert_ne!(a, b);
        assert!(s.quarantine_file("../x", d, "ab").is_err());
    }

    #[test]
    fn one_rule_decides_what_a_snapshot_write_does() {
        use SnapshotDecision::*;
        assert_eq!(decide_snapshot(Held::Nothing, "a", false), New);
        assert_eq!(decide_snapshot(Held::Nothing, "a", true), New);
        assert_eq!(decide_snapshot(Held::Content("a"), "a", false), Unchanged);
        assert_eq!(decide_snapshot(Held::Content("a"), "a", true), Unchanged);
        assert_eq!(decide_snapshot(Held::Content("b"), "a", false), Refuse);
        assert_eq!(decide_snapshot(Held::Content("b"), "a", true), Replace);
        assert_eq!(decide_snapshot(Held::Unreadable, "a", false), Refuse);
        assert_eq!(decide_snapshot(Held::Unreadable, "a", true), Replace);
        assert_eq!(decide_snapshot(Held::Other, "a", false), Refuse);
        assert_eq!(decide_snapshot(Held::Other, "a", true), Replace);
    }

    #[test]
    fn one_plan_is_decided_then_carried_out_whole() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path());
        let src = dir.path().join("sources/a");
        std::fs::create_dir_all(&src).unwrap();
        // A date stored under another name than its own, a confirming file, an unchanged date.
        let (other_name, confirming, same) = (
            src.join("old-name.geojson"),
            src.join("2024-01-01.geojson"),
            src.join("2024-01-05.geojson"),
        );
        for (f, text) in [(&other_name, "old"), (&confirming, "run"), (&same, "same")] {
            std::fs::write(f, text).unwrap();
        }
        let lock = store.lock("test", Duration::from_secs(1)).unwrap();
        let mut plan = WritePlan::new();
        let own = src.join("2024-01-03.geojson");
        assert_eq!(
            plan.decide(Held::Content("x"), Some(&other_name), "y", false),
            SnapshotDecision::Refuse
        );
        assert!(!plan.writes_files(), "a refusal plans nothing");
        assert_eq!(
            plan.decide(Held::Content("x"), Some(&other_name), "y", true),
            SnapshotDecision::Replace
        );
        plan.write(own.clone(), b"new".to_vec());
        assert_eq!(
            plan.decide(Held::Content("s"), Some(&same), "s", true),
            SnapshotDecision::Unchanged
        );
        assert_eq!(plan.decide(Held::Nothing, None, "z", false), SnapshotDecision::New);
        assert_eq!(
            plan.decide(Held::Other, Some(&confirming), "z", false),
            SnapshotDecision::Refuse
        );
        plan.keep(&confirming);
        plan.write(confirming.clone(), b"first".to_vec());
        // A later write of the same file wins.
        plan.write(confirming.clone(), b"rewritten".to_vec());
        plan.write_first(vec![(src.join("source.json"), b"{}".to_vec())]);
        // A stored file rewritten without being planned to be kept (to confirm a later day):
        // kept all the same; one rewritten with the bytes it holds is not.
        let unplanned = src.join("2024-01-07.geojson");
        std::fs::write(&unplanned, "stored").unwrap();
        plan.write(unplanned.clone(), b"confirms 2024-01-08".to_vec());
        plan.write(same.clone(), b"same".to_vec());
        let q = dir.path().join("quarantine/a/2024-02-01.geojson");
        plan.quarantine(q.clone(), b"refused".to_vec());
        let carried = lock.carry_out("a", plan).unwrap();
        // The replaced file named otherwise is gone, kept in .history/; the rewritten one kept.
        assert!(!other_name.exists());
        assert_eq!(std::fs::read(&own).unwrap(), b"new");
        assert_eq!(std::fs::read(&confirming).unwrap(), b"rewritten");
        assert_eq!(std::fs::read(&same).unwrap(), b"same");
        assert_eq!(std::fs::read(&q).unwrap(), b"refused");
        assert_eq!(carried.copies.len(), 3, "{:?}", carried.copies);
        assert_eq!(names(&src.join(HISTORY_DIR)).len(), 3);
        assert_eq!(std::fs::read(carried.copy_of(&unplanned).unwrap()).unwrap(), b"stored");
        assert_eq!(std::fs::read(&unplanned).unwrap(), b"confirms 2024-01-08");
        let copy = carried.copy_of(&other_name).unwrap();
        assert!(copy.starts_with(src.join(HISTORY_DIR)), "{}", copy.display());
        assert_eq!(std::fs::read(copy).unwrap(), b"old");
        assert_eq!(std::fs::read(carried.copy_of(&confirming).unwrap()).unwrap(), b"run");
        assert!(carried.copy_of(&same).is_none());
        let journal = store.journal();
        assert_eq!(journal[0].files[0], "sources/a/source.json");
        assert_eq!(journal[0].kept.len(), 3);
        // The write, the removal of the file named otherwise, the quarantine.
        assert_eq!(journal.len(), 3, "{journal:?}");
    }

    #[test]
    fn a_write_of_nothing_is_not_journaled_and_a_removed_source_is_listed_file_by_file() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path());
        let lock = store.lock("test", Duration::from_secs(1)).unwrap();
        lock.write(&[]).unwrap();
        lock.remove(&[]).unwrap();
        lock.carry_out("a", WritePlan::new()).unwrap();
        assert!(store.journal().is_empty(), "{:?}", store.journal());
        let config = store.source_config_file("newsrc").unwrap();
        let snapshot = store
            .snapshot_file("newsrc", NaiveDate::from_ymd_opt(2024, 1, 2).unwrap())
            .unwrap();
        lock.write(&[(config, b"{}".to_vec()), (snapshot, b"x".to_vec())])
            .unwrap();
        lock.remove_source("newsrc").unwrap();
        let journal = store.journal();
        assert_eq!(journal.len(), 2);
        assert_eq!(
            journal[1].removed,
            [
                "sources/newsrc/2024-01-02.geojson",
                "sources/newsrc/source.json",
                "sources/newsrc/"
            ]
        );
    }

    #[test]
    fn a_writer_wait_that_does_not_read_is_the_default() {
        let d = Duration::from_secs(7);
        assert_eq!(writer_wait(None, d), d);
        assert_eq!(writer_wait(Some(" 3 "), d), Duration::from_secs(3));
        assert_eq!(writer_wait(Some("3s"), d), d);
        assert_eq!(writer_wait(Some("-1"), d), d);
    }

    #[test]
    fn dated_snapshot_files_are_listed_by_date() {
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path().join("sources/a");
        std::fs::create_dir_all(&src).unwrap();
        for n in [
            "2024-01-02.geojson",
            "2024-01-01.geojson",
            "x.geojson",
            "2024-1-3.geojson",
            "source.json",
        ] {
            std::fs::write(src.join(n), b"{}").unwrap();
        }
        let store = Store::new(dir.path());
        let files = store.dated_snapshot_files("a").unwrap();
        let dates: Vec<String> = files.keys().map(ToString::to_string).collect();
        assert_eq!(dates, ["2024-01-01", "2024-01-02"]);
        assert!(store.dated_snapshot_files("b").unwrap().is_empty());
    }

    #[test]
    fn writes_are_whole_journaled_and_stay_inside() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path());
        let lock = store.lock("test", Duration::from_secs(1)).unwrap();
        let f = store
            .snapshot_file("a", NaiveDate::from_ymd_opt(2024, 1, 2).unwrap())
            .unwrap();
        lock.write(&[(f.clone(), b"one".to_vec())]).unwrap();
        let kept = lock.keep("a", &f).unwrap();
        assert!(
            kept.file_name().unwrap().to_str().unwrap().starts_with("2024-01-02."),
            "{}",
            kept.display()
        );
        lock.write_keeping(&[(f.clone(), b"two".to_vec())], std::slice::from_ref(&kept))
            .unwrap();
        assert_eq!(std::fs::read(&f).unwrap(), b"two");
        assert_eq!(std::fs::read(&kept).unwrap(), b"one");
        let outside = dir.path().join("..").join("x");
        assert!(matches!(
            lock.write(&[(outside, b"x".to_vec())]),
            Err(StoreError::OutsideStore { .. })
        ));
        assert!(matches!(
            lock.write(&[(PathBuf::from("/tmp/x"), b"x".to_vec())]),
            Err(StoreError::OutsideStore { .. })
        ));
        let journal = store.journal();
        assert_eq!(journal.len(), 2);
        assert_eq!(journal[1].files, vec!["sources/a/2024-01-02.geojson".to_string()]);
        assert_eq!(journal[1].kept.len(), 1);
        // No temporary file is left.
        let left: Vec<String> = std::fs::read_dir(dir.path().join("sources/a"))
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| is_temporary(n))
            .collect();
        assert!(left.is_empty(), "{left:?}");
    }

    #[test]
    fn a_second_writer_waits_then_fails_saying_who_holds_the_lock() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path());
        let first = store.lock("ingest", Duration::from_secs(1)).unwrap();
        let t = Instant::now();
        let err = store.lock("import", Duration::from_millis(200)).unwrap_err();
        assert!(t.elapsed() >= Duration::from_millis(200));
        let msg = err.to_string();
        assert!(msg.contains("being written by another process (ingest, pid"), "{msg}");
        drop(first);
        assert!(store.lock("import", Duration::from_millis(200)).is_ok());
    }

    /// Names in a folder, sorted.
    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn a_new_source_appears_whole_or_not_at_all() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("sources/old")).unwrap();
        std::fs::write(dir.path().join("sources/old/2024-01-01.geojson"), b"old").unwrap();
        let store = Store::new(dir.path());
        let lock = store.lock("test", Duration::from_secs(1)).unwrap();
        let new = dir.path().join("sources/new");
        let settings = dir.path().join("frontline.json");
        lock.write(&[
            (settings.clone(), b"{}".to_vec()),
            (new.join("source.json"), b"{}".to_vec()),
            (new.join("2024-01-02.geojson"), b"two".to_vec()),
            (new.join("publications/20240102T100000Z.geojson"), b"pub".to_vec()),
        ])
        .unwrap();
        assert_eq!(names(&new), ["2024-01-02.geojson", "publications", "source.json"]);
        assert_eq!(
            std::fs::read(new.join("publications/20240102T100000Z.geojson")).unwrap(),
            b"pub"
        );
        assert_eq!(std::fs::read(&settings).unwrap(), b"{}");
        // No staging folder or temporary file is left beside it.
        assert_eq!(names(&dir.path().join("sources")), ["new", "old"]);
        // A later write into it writes in place.
        lock.write(&[(new.join("2024-01-03.geojson"), b"three".to_vec())])
            .unwrap();
        assert_eq!(std::fs::read(new.join("2024-01-03.geojson")).unwrap(), b"three");
        // A new source whose files cannot all be written (a file where a folder must be) does
        // not appear at all, and leaves nothing behind.
        let broken = dir.path().join("sources/broken");
        let err = lock
            .write(&[
                (broken.join("source.json"), b"{}".to_vec()),
                (broken.join("source.json/x.geojson"), b"x".to_vec()),
            ])
            .unwrap_err();
        assert!(matches!(err, StoreError::Io { .. }), "{err}");
        assert!(!broken.exists(), "a half-written source appeared");
        assert_eq!(names(&dir.path().join("sources")), ["new", "old"]);
        // Removing a source removes it whole.
        lock.remove_source("new").unwrap();
        assert_eq!(names(&dir.path().join("sources")), ["old"]);
        let journal = store.journal();
        assert_eq!(journal[0].files.len(), 4, "{journal:?}");
        // Its files by name, then the folder (a trailing `/`: a folder, not a file).
        assert_eq!(
            journal.last().unwrap().removed,
            [
                "sources/new/2024-01-02.geojson",
                "sources/new/2024-01-03.geojson",
                "sources/new/publications/20240102T100000Z.geojson",
                "sources/new/source.json",
                "sources/new/"
            ]
        );
        // Removing a file removes a directory it leaves empty, never one that holds anything
        // else; both are in the journal.
        let old = dir.path().join("sources/old");
        lock.write(&[
            (old.join("publications/a.geojson"), b"a".to_vec()),
            (old.join("notes/b.txt"), b"b".to_vec()),
            (old.join("notes/c.txt"), b"c".to_vec()),
        ])
        .unwrap();
        lock.remove(&[old.join("publications/a.geojson"), old.join("notes/b.txt")])
            .unwrap();
        assert!(!old.join("publications").exists() && old.join("notes/c.txt").exists());
        assert_eq!(
            store.journal().last().unwrap().removed,
            [
                "sources/old/publications/a.geojson",
                "sources/old/notes/b.txt",
                "sources/old/publications/"
            ]
        );
        // Nothing outside the store is removed.
        let outside = tempfile::tempdir().unwrap();
        let stray = outside.path().join("x");
        std::fs::write(&stray, b"x").unwrap();
        assert!(matches!(
            lock.remove(std::slice::from_ref(&stray)),
            Err(StoreError::OutsideStore { .. })
        ));
        assert!(stray.exists());
    }

    #[test]
    fn what_a_dead_writer_left_is_swept_by_the_next_writer() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let make = |rel: &str, bytes: &[u8]| {
            let p = root.join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, bytes).unwrap();
        };
        // A staging folder of a new source, killed before its rename.
        make("sources/.fresh.999-0.tmp/source.json", b"{}");
        make("sources/.fresh.999-0.tmp/2024-01-01.geojson", b"part");
        // A source folder made by an older writer, killed before any file was renamed in.
        make("sources/half/.2024-01-01.geojson.999-1.tmp", b"part");
        // An empty folder, and a folder without source.json that holds snapshots (a source).
        std::fs::create_dir_all(root.join("sources/empty")).unwrap();
        make("sources/plain/2024-01-01.geojson", b"whole");
        // Temporaries inside publications/, .history/, quarantine and the documents' folders.
        make("sources/a/source.json", b"{}");
        make("sources/a/publications/20240101T000000Z.geojson", b"whole");
        make("sources/a/publications/.20240101T010000Z.geojson.999-2.tmp", b"part");
        make("sources/a/.history/.2024-01-01.1.geojson.999-3.tmp", b"part");
        make("quarantine/a/.2024-01-01.geojson.999-4.tmp", b"part");
        make("scenarios/.s.json.999-5.tmp", b"part");
        // A file beside the sources that a writer was writing.
        make("sources/.x.999-6.tmp", b"part");
        let _lock = Store::new(root).lock("test", Duration::from_secs(1)).unwrap();
        assert_eq!(names(&root.join("sources")), ["a", "plain"]);
        assert_eq!(
            names(&root.join("sources/a")),
            [".history", "publications", "source.json"]
        );
        assert_eq!(
            names(&root.join("sources/a/publications")),
            ["20240101T000000Z.geojson"]
        );
        assert!(names(&root.join("sources/a/.history")).is_empty());
        assert!(names(&root.join("scenarios")).is_empty());
        assert_eq!(names(&root.join("sources/plain")), ["2024-01-01.geojson"]);
        assert!(!root.join("quarantine/a").exists());
    }

    #[test]
    fn a_busy_store_names_the_holder_it_finds_at_the_moment_of_refusal() {
        use std::os::unix::fs::MetadataExt;
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path());
        let held = store.lock("ingest", Duration::from_secs(1)).unwrap();
        let lock_file = dir.path().join(STORE_DIR).join(LOCK_FILE);
        let me = std::process::id();
        // The live holder: the record it wrote, checked against the kernel's list of locks.
        let live = lock_holder(&lock_file, Path::new("/proc"));
        assert!(live.starts_with(&format!("ingest, pid {me}, since ")), "{live}");
        assert!(live.contains(", command: "), "{live}");
        let err = store.lock("import", Duration::from_millis(50)).unwrap_err().to_string();
        assert!(err.contains(&format!("(ingest, pid {me}, since ")), "{err}");
        // A record left by an earlier holder (another pid) while this one holds the lock: the
        // holder the kernel names, never the stale record.
        std::fs::write(&lock_file, "import, pid 4294967294, since 2020-01-01T00:00:00+00:00\n").unwrap();
        let stale = lock_holder(&lock_file, Path::new("/proc"));
        assert!(stale.starts_with(&format!("pid {me}, command: ")), "{stale}");
        assert!(!stale.contains("4294967294"), "{stale}");
        // An empty record (a holder between taking the lock and writing it): the kernel's pid.
        std::fs::write(&lock_file, "").unwrap();
        assert!(lock_holder(&lock_file, Path::new("/proc")).starts_with(&format!("pid {me}")));
        // Where the kernel's list does not tell (a /proc without it) nothing is guessed.
        let fake = tempfile::tempdir().unwrap();
        std::fs::write(&lock_file, format!("ingest, pid {me}, since x\n")).unwrap();
        assert_eq!(lock_holder(&lock_file, fake.path()), "holder unknown");
        // A list that names another file: unknown as well.
        std::fs::write(
            fake.path().join("locks"),
            format!("1: FLOCK  ADVISORY  WRITE {me} 00:00:1 0 EOF\n"),
        )
        .unwrap();
        assert_eq!(lock_holder(&lock_file, fake.path()), "holder unknown");
        // A list that names this file and a pid with a command.
        let ino = std::fs::metadata(&lock_file).unwrap().ino();
        std::fs::write(
            fake.path().join("locks"),
            format!("1: FLOCK  ADVISORY  WRITE {me} 08:01:{ino} 0 EOF\n"),
        )
        .unwrap();
        std::fs::create_dir_all(fake.path().join(me.to_string())).unwrap();
        std::fs::write(
            fake.path().join(format!("{me}/cmdline")),
            b"/secret/path/frontline\0serve\0--data\0/secret\0",
        )
        .unwrap();
        assert_eq!(
            lock_holder(&lock_file, fake.path()),
            format!("ingest, pid {me}, since x, command: frontline serve")
        );
        drop(held);
    }

    #[test]
    fn stale_temporaries_are_swept_by_the_next_writer() {
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path().join("sources/a");
        std::fs::create_dir_all(&src).unwrap();
        std::fs::write(src.join(".2024-01-01.geojson.999-0.tmp"), b"part").unwrap();
        std::fs::write(src.join("2024-01-01.geojson"), b"whole").unwrap();
        let _lock = Store::new(dir.path()).lock("test", Duration::from_secs(1)).unwrap();
        assert!(!src.join(".2024-01-01.geojson.999-0.tmp").exists());
        assert!(src.join("2024-01-01.geojson").exists());
    }
}
