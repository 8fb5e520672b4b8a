//! Importing published archives into a geodata directory as canonical snapshot files, with
//! checks: `frontline import FORMAT PATH... --source NAME`.
//!
//! Every input file is read and validated as at load time (DeepStateMap, NZZ, or a plain GeoJSON
//! FeatureCollection with a date and status per feature; `.gz` accepted). Each new snapshot is
//! then checked against the recognized border and against the snapshot before it:
//! - a snapshot whose occupied area lies mostly outside the border (`max_outside_share`) is
//!   quarantined (written under `quarantine/<source>/` with the reason, not loaded);
//! - a feature that does not touch the border, a day-over-day change of the occupied area larger
//!   than `max_change_km2`, and whatever the reader repaired or noted (a content date other than
//!   the file's) are flags: the snapshot is kept and the flags are written into it and reported.
//!
//! Identical consecutive snapshots are kept once: the later dates are added to the kept file's
//! `confirmed` list. Importing again changes nothing. A date that already holds other content is
//! refused unless `replace` (the old file is then kept in `sources/<source>/.history/`). What is
//! written is decided and done by the store's one write plan ([`crate::store::WritePlan`], the
//! one HTTP ingest uses too): under its writer lock, durably. A source that reads a third-party
//! archive in place is read-only: importing into it is refused.

use crate::coverage::{OverlayRule, overlay};
use crate::geodata::canonical::{read_meta, snapshot_document};
use crate::geodata::deepstate_api::{self, Clip, DEFAULT_TIME_ZONE, Tally};
use crate::geodata::policy::{DateWindowConfig, EMPTY_ADMITTED, today_utc};
use crate::geodata::{Border, Finding, Report, Snapshot, deepstate, load_dir_within, nzz, plain};
use crate::geodata::{ConfirmedRun, split_confirmed};
use crate::geodesy::area_km2;
use crate::index::PolygonIndex;
use crate::store::{Held, SnapshotDecision, SourceConfig, Store, StoreError, WritePlan, check_name, decide_snapshot};
use chrono::NaiveDate;
use geo::Polygon;
use rayon::prelude::*;
use serde::Serialize;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// An archive format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// `deepstatemap_data_YYYYMMDD.geojson`.
    Deepstate,
    /// `YYYY-MM-DD.json` of the NZZ map.
    Nzz,
    /// A FeatureCollection with `date` and `status` per feature.
    Geojson,
    /// DeepStateMap's own publications, `<UTC unix seconds>.geojson` (see
    /// [`crate::geodata::deepstate_api`]).
    DeepstateApi,
}

impl Format {
    /// Parses `deepstate`, `nzz` or `geojson`.
    pub fn parse(s: &str) -> Option<Format> {
        match s {
            "deepstate" => Some(Format::Deepstate),
            "nzz" => Some(Format::Nzz),
            "geojson" => Some(Format::Geojson),
            "deepstate-api" => Some(Format::DeepstateApi),
            _ => None,
        }
    }

    /// The attribution and URL a new source imported from the format starts with (its
    /// publisher's credit, shown with every answer and on the dashboard's map; `PUT
    /// /v1/sources/{name}` changes them). No licence is written: the publishers state none
    /// (`../shared/data/README.md`).
    fn credit(self) -> Option<(&'static str, &'static str)> {
        match self {
            Format::Deepstate | Format::DeepstateApi => Some(("© DeepStateMap", "https://deepstatemap.live")),
            Format::Nzz => Some((
                "© NZZ (Neue Zürcher Zeitung), data from Liveuamap",
                "https://www.nzz.ch",
            )),
            Format::Geojson => None,
        }
    }

    /// The baselines a new source imported from the format composes with. DeepState's own
    /// publications and NZZ's map (which leaves Crimea out) get `crimea`, so that Crimea,
    /// occupied since 2014, is never counted as covered for want of a baseline; the third-party
    /// daily archive draws Crimea itself, and a plain GeoJSON import says nothing.
    pub fn default_baselines(self) -> &'static [&'static str] {
        match self {
            Format::DeepstateApi | Format::Nzz => &["crimea"],
            Format::Deepstate | Format::Geojson => &[],
        }
    }

    fn name(self) -> &'static str {
        match self {
            Format::Deepstate => "deepstate",
            Format::Nzz => "nzz",
            Format::Geojson => "geojson",
            Format::DeepstateApi => "deepstate-api",
        }
    }

    /// The format's file names, as said when a directory entry is skipped.
    fn file_names(self) -> &'static str {
        match self {
            Format::Deepstate => "deepstatemap_data_YYYYMMDD.geojson[.gz]",
            Format::Nzz => "YYYY-MM-DD.json[.gz]",
            Format::Geojson => "*.geojson or *.json[.gz]",
            Format::DeepstateApi => "<UTC unix seconds>.geojson[.gz] or .json[.gz]",
        }
    }

    /// Whether a directory entry is an input file of this format.
    fn matches(self, path: &Path) -> bool {
        match self {
            Format::Deepstate => deepstate::has_archive_name(path),
            Format::Nzz => nzz::has_archive_name(path),
            Format::DeepstateApi => deepstate_api::is_publication_file(path),
            Format::Geojson => {
                crate::geodata::name_without_gz(path).is_some_and(|n| n.ends_with(".geojson") || n.ends_with(".json"))
            }
        }
    }

    /// Reads one input file: its snapshots, each with the repairs of its own features (a file
    /// of one snapshot: every repair of the file), the report of the whole file, and DeepState's
    /// tally of its features. `shown`: how findings name the file ([`shown_input`]).
    fn read(
        self,
        path: &Path,
        shown: &str,
        source: &str,
        allow_empty: bool,
        clip: &Clip<'_>,
        tz: chrono_tz::Tz,
    ) -> InputRead {
        let (s, r, t) = match self {
            Format::DeepstateApi => {
                let (s, r, t) = deepstate_api::read_publication(path, shown, source, clip, tz, allow_empty);
                (s, r, Some(t))
            }
            Format::Deepstate => {
                let (s, r) = deepstate::read_snapshot_admitting(path, shown, source, allow_empty);
                (s, r, None)
            }
            Format::Nzz => {
                let (s, r) = nzz::read_snapshot_admitting(path, shown, source, allow_empty);
                (s, r, None)
            }
            // Several dates in one file: each snapshot has its own features' repairs.
            Format::Geojson => {
                let (s, r) = plain::read_file_admitting(path, shown, source, allow_empty);
                return (s, r, None);
            }
        };
        let one = s.map(|s| (s, r.repairs.clone())).into_iter().collect();
        (one, r, t)
    }
}

/// One input file as read ([`Format::read`]): its snapshots, each with its own repairs; the
/// report of the file; DeepState's tally.
type InputRead = (Vec<(Snapshot, Vec<Finding>)>, Report, Option<Tally>);

/// Files to write: path and bytes.
type FileWrites = Vec<(PathBuf, Vec<u8>)>;

/// What to import and how strictly.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// The source to import into (created when absent).
    pub source: String,
    /// The geodata directory.
    pub data_dir: PathBuf,
    /// A day-over-day change of the occupied area inside the border above this is flagged, km2.
    pub max_change_km2: f64,
    /// A snapshot with more than this share of its occupied area outside the border is
    /// quarantined.
    pub max_outside_share: f64,
    /// Replace a snapshot of an existing date that has other content.
    pub replace: bool,
    /// Where the input files were fetched from (a URL prefix to name them by, for sync);
    /// `None`: their paths.
    pub origin_prefix: Option<String>,
    /// Admit snapshots without features (see [`crate::geodata::policy`]).
    pub allow_empty: bool,
    /// The dates admitted (see [`crate::geodata::policy`]).
    pub date_window: DateWindowConfig,
    /// The time zone whose days a new source's dates are (written into its `source.json`);
    /// `None`: the source's own, or Europe/Kyiv for a new one. An existing source's cannot be
    /// changed by an import.
    pub time_zone: Option<chrono_tz::Tz>,
}

impl ImportOptions {
    /// Importing into `source` of the geodata directory `data_dir` with the defaults of
    /// `frontline import`: the default thresholds, no replacement, no empty snapshots, the
    /// default date window, the source's own time zone.
    pub fn new(source: impl Into<String>, data_dir: impl Into<PathBuf>) -> Self {
        ImportOptions {
            source: source.into(),
            data_dir: data_dir.into(),
            max_change_km2: DEFAULT_MAX_CHANGE_KM2,
            max_outside_share: DEFAULT_MAX_OUTSIDE_SHARE,
            replace: false,
            origin_prefix: None,
            allow_empty: false,
            date_window: DateWindowConfig::default(),
            time_zone: None,
        }
    }
}

/// Default of [`ImportOptions::max_change_km2`]: above the largest daily moves of 2022 after the
/// first week (Kharkiv, September: about 2,000 km2 a day on the NZZ map).
pub const DEFAULT_MAX_CHANGE_KM2: f64 = 2_500.0;
/// Default of [`ImportOptions::max_outside_share`].
pub const DEFAULT_MAX_OUTSIDE_SHARE: f64 = 0.5;

/// A snapshot written.
#[derive(Debug, Clone, Serialize)]
pub struct Added {
    /// Its date.
    pub date: NaiveDate,
    /// The canonical file, relative to the geodata directory.
    pub file: String,
    /// The input file and its SHA-256.
    pub original: String,
    /// What the checks flagged (kept anyway).
    pub flags: Vec<String>,
    /// What the reader repaired (ring orientation, rings closed within 1e-9 degrees, ...).
    pub repairs: Vec<String>,
    /// When it was published (RFC 3339, UTC), for a format with publication instants.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub published_at: Option<String>,
}

/// The repairs of an input that was taken but not added as a day's snapshot (a duplicate of the
/// day before, an unchanged date, a publication superseded later its day): listed as those of an
/// added snapshot are, so that every repair of every input is in the report.
#[derive(Debug, Clone, Serialize)]
pub struct InputRepairs {
    /// Its date.
    pub date: NaiveDate,
    /// The input file and its SHA-256.
    pub original: String,
    /// What became of it.
    pub outcome: RepairedOutcome,
    /// What the reader repaired (ring orientation, rings closed within 1e-9 degrees, ...).
    pub repairs: Vec<String>,
}

/// What became of an input listed in [`ImportReport::repairs`] (written in lower case).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RepairedOutcome {
    /// The same content as the day before: its date was added to the kept file's `confirmed`
    /// list (`duplicates`).
    Duplicate,
    /// Already in the store with the same content (`unchanged`).
    Unchanged,
    /// A publication superseded later its day, written into `publications/` with its repairs
    /// (`earlier_publications`).
    Superseded,
}

/// A snapshot not loaded.
#[derive(Debug, Clone, Serialize)]
pub struct Rejected {
    /// The input file.
    pub file: String,
    /// Its date, when it was read.
    pub date: Option<NaiveDate>,
    /// Why.
    pub reasons: Vec<String>,
    /// The kind of each reason (one per reason, in order), a stable code that code can match
    /// on instead of the text.
    pub kinds: Vec<RejectionKind>,
    /// Where it was quarantined, if it was read.
    pub quarantined: Option<String>,
}

/// What kind of reason refused an input (`kinds` in the JSON report: a stable code).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RejectionKind {
    /// A problem of the file as read: the finding's kind (`invalid-json`, `published-at-invalid`,
    /// `long-edge`, ... [`crate::geodata::FindingKind::code`]).
    Read(&'static str),
    /// Its date lies outside the admitted window (`date-outside-window`).
    DateOutsideWindow,
    /// Another input of the same import holds other content for its date
    /// (`other-input-same-date`; two contents for one publication instant are two publications,
    /// both kept).
    OtherInputSameDate,
    /// The store holds other content for its date or instant, and `--replace` was not given
    /// (`snapshot-exists`).
    SnapshotExists,
    /// A source of publications takes publications only (`no-publication-instant`).
    NoPublicationInstant,
    /// Too much of its occupied area lies outside the border: quarantined (`outside-border`).
    OutsideBorder,
}

impl RejectionKind {
    /// The stable code.
    pub fn code(self) -> &'static str {
        match self {
            RejectionKind::Read(code) => code,
            RejectionKind::DateOutsideWindow => "date-outside-window",
            RejectionKind::OtherInputSameDate => "other-input-same-date",
            RejectionKind::SnapshotExists => "snapshot-exists",
            RejectionKind::NoPublicationInstant => "no-publication-instant",
            RejectionKind::OutsideBorder => "outside-border",
        }
    }
}

impl Serialize for RejectionKind {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

/// What an import did.
#[derive(Debug, Clone, Serialize, Default)]
pub struct ImportReport {
    /// The source.
    pub source: String,
    /// Input files read.
    pub files: usize,
    /// Entries of the directories given that were not read, each with why (a folder, another
    /// extension, a name that is not the format's).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub skipped: Vec<Skipped>,
    /// New snapshots written.
    pub added: Vec<Added>,
    /// Dates whose content equals the snapshot before them: kept once, the date recorded in the
    /// kept file's `confirmed` list (date, the kept snapshot's date).
    pub duplicates: Vec<(NaiveDate, NaiveDate)>,
    /// Dates already imported with the same content.
    pub unchanged: Vec<NaiveDate>,
    /// The repairs of inputs taken but not added (`duplicates`, `unchanged`,
    /// `earlier_publications`), each with its outcome: an added snapshot lists its own in
    /// `added`. A day's duplicate or an unchanged input writes nothing (as ingest over HTTP
    /// writes nothing for an unchanged snapshot): a stored file's `repairs` are those of its own
    /// `original`. A publication is stored in a file of its own, which records its repairs.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub repairs: Vec<InputRepairs>,
    /// Dates replaced (`replace`).
    pub replaced: Vec<NaiveDate>,
    /// Files or snapshots refused or quarantined, with the reasons.
    pub rejected: Vec<Rejected>,
    /// Publications superseded later their day in the source's time zone (formats with
    /// publication instants; every publication is in `sources/<source>/publications/`).
    pub earlier_publications: Vec<EarlierPublication>,
    /// DeepState's own format: what was done with every feature, per class and reason.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub classes: Option<Tally>,
    /// What the readers found in inputs that were taken, that neither refuses nor repairs
    /// anything, typed (`{file, kind, message}`): e.g. `published-at-other-than-file-name`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<crate::geodata::Finding>,
    /// Present when the import created the source: its name and the baselines written into
    /// its `source.json`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new_source: Option<NewSource>,
}

/// A source the import created.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct NewSource {
    /// Its name.
    pub name: String,
    /// The baselines it composes with ([`Format::default_baselines`]).
    pub baselines: Vec<String>,
    /// Baseline files the import wrote too (the embedded one, where the geodata had none of
    /// that name), relative to the geodata directory.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub baseline_files: Vec<String>,
}

/// A publication superseded by a later one of its day.
#[derive(Debug, Clone, Serialize)]
pub struct EarlierPublication {
    /// When it was published (RFC 3339, UTC).
    pub published_at: String,
    /// The date it belongs to.
    pub date: NaiveDate,
    /// What became of it.
    pub outcome: PublicationOutcome,
    /// The file, relative to the geodata directory.
    pub file: Option<String>,
}

/// What became of a publication superseded within its day (written in lower case).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PublicationOutcome {
    /// Written into `publications/`.
    Added,
    /// Already in the store with the same content.
    Unchanged,
}

/// Why an import could not run at all.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The geodata directory does not load.
    #[error("geodata {dir} does not load: {problems}")]
    Geodata {
        /// The directory.
        dir: String,
        /// The first problems.
        problems: String,
    },
    /// Bad arguments.
    #[error("{0}")]
    Input(String),
    /// The store refused (a read-only source, another writer, a write that failed: nothing is
    /// half-written, files are renamed into place whole).
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Reading an input failed.
    #[error("i/o error on {path}: {error}")]
    Io {
        /// The path.
        path: String,
        /// The error.
        error: std::io::Error,
    },
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> ImportError + '_ {
    move |error| ImportError::Io {
        path: path.display().to_string(),
        error,
    }
}

/// Measures of a snapshot for the checks.
struct Measured {
    snapshot: Snapshot,
    /// Occupied area inside the border, km2.
    inside_km2: f64,
    /// Share of the occupied area outside the border.
    outside_share: f64,
    /// Features that do not touch the border.
    stray: Vec<usize>,
    /// Notes from the reader and the admission policy.
    notes: Notes,
}

/// What the reader, the admission policy and the checks noted about a new snapshot, carried to
/// the decision and written into its stored file's `frontline` member and into the report (or
/// the ingest answer): one for every writer (import, sync, ingest over HTTP).
#[derive(Debug, Clone, Default)]
pub struct Notes {
    /// Repairs the reader made to this snapshot's own features (`repairs`).
    pub repairs: Vec<String>,
    /// Flags (`flags`).
    pub flags: Vec<String>,
}

impl Notes {
    /// The stored file of `snapshot`: its canonical document with `meta` as its `frontline`
    /// member (its `kind` set by the document), the notes recorded in it (`repairs`, `flags`,
    /// each where not empty).
    pub fn document(&self, snapshot: &Snapshot, mut meta: Map<String, Value>) -> String {
        meta.remove("kind");
        self.record(&mut meta);
        snapshot_document(snapshot, meta)
    }

    /// Records the notes in a stored file's `frontline` member: `repairs` and `flags`, each
    /// where not empty.
    pub fn record(&self, meta: &mut Map<String, Value>) {
        if !self.repairs.is_empty() {
            meta.insert("repairs".into(), json!(self.repairs));
        }
        if !self.flags.is_empty() {
            meta.insert("flags".into(), json!(self.flags));
        }
    }
}

fn measure(snapshot: Snapshot, border: &Border, border_index: &PolygonIndex, notes: Notes) -> Measured {
    let occ: Vec<Polygon<f64>> = snapshot
        .features
        .iter()
        .filter(|f| f.status == crate::model::ControlStatus::Occupied)
        .flat_map(|f| f.geometry.0.iter().cloned())
        .collect();
    if snapshot.features.iter().all(|f| f.class.is_some()) && snapshot.published_at.is_some() {
        // Clipped to the border by the reader (DeepState's own format): only the union of its
        // occupied classes is measured.
        let [union] = overlay(&occ, &[], [OverlayRule::Subject], false);
        return Measured {
            snapshot,
            inside_km2: area_km2(&union),
            outside_share: 0.0,
            stray: Vec::new(),
            notes,
        };
    }
    // Collinear vertices may be dropped: these figures are thresholds and flags, not the
    // catalog's areas.
    let [inside, outside] = overlay(
        &occ,
        &border.geometry.0,
        [OverlayRule::Intersect, OverlayRule::Difference],
        false,
    );
    let (a_in, a_out) = (area_km2(&inside), area_km2(&outside));
    // A feature none of whose vertices lies in or on the border: far off (geo's polygon
    // intersection test compares every pair of edges, seconds on an archive).
    let stray = snapshot
        .features
        .iter()
        .enumerate()
        .filter(|(_, f)| {
            !f.geometry
                .0
                .iter()
                .flat_map(|p| p.exterior().0.iter())
                .any(|c| border_index.locate(c.x, c.y).in_closed())
        })
        .map(|(i, _)| i)
        .collect();
    Measured {
        snapshot,
        inside_km2: a_in,
        outside_share: if a_in + a_out > 0.0 {
            a_out / (a_in + a_out)
        } else {
            0.0
        },
        stray,
        notes,
    }
}

/// The thresholds of import's checks of a new snapshot (see [`ImportOptions`]).
#[derive(Debug, Clone, Copy)]
pub struct Thresholds {
    /// [`ImportOptions::max_change_km2`].
    pub max_change_km2: f64,
    /// [`ImportOptions::max_outside_share`].
    pub max_outside_share: f64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            max_change_km2: DEFAULT_MAX_CHANGE_KM2,
            max_outside_share: DEFAULT_MAX_OUTSIDE_SHARE,
        }
    }
}

/// What import's checks found on a new snapshot.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Findings {
    /// Why it is not loaded (import quarantines it; ingest refuses it).
    pub refusals: Vec<String>,
    /// What is flagged (kept anyway, the flags written into it).
    pub flags: Vec<String>,
}

/// Why a snapshot whose occupied area lies mostly outside the border is not loaded, if it does.
fn outside_refusal(m: &Measured, border: &Border, t: Thresholds) -> Option<String> {
    (m.outside_share > t.max_outside_share).then(|| {
        format!(
            "{:.0} % of the occupied area lies outside the border {} (limit {:.0} %)",
            m.outside_share * 100.0,
            border.iso3,
            t.max_outside_share * 100.0
        )
    })
}

/// The flags of features that do not touch the border.
fn stray_flags(m: &Measured, border: &Border) -> impl Iterator<Item = String> {
    m.stray
        .iter()
        .map(move |i| format!("feature {i} lies outside the border {} (no vertex in it)", border.iso3))
}

/// The flag of a day-over-day change of the occupied area inside the border above the threshold.
fn change_flag(m: &Measured, before: Option<(NaiveDate, f64)>, t: Thresholds) -> Option<String> {
    let (date, km2) = before?;
    let change = m.inside_km2 - km2;
    (change.abs() > t.max_change_km2).then(|| {
        format!(
            "occupied area inside the border changed by {change:+.0} km2 since {date} (flag above {:.0} km2): check whether the source added or dropped an area",
            t.max_change_km2
        )
    })
}

/// Import's checks of one new snapshot against the border and the snapshot in force before it
/// (`before`), as `frontline import` and `sync` make them: a snapshot mostly outside the border
/// is refused, features that do not touch it and a large change of the occupied area are
/// flagged. The one path of these checks for every way in (import, sync, ingest over HTTP).
pub fn check_new_snapshot(snapshot: &Snapshot, before: Option<&Snapshot>, border: &Border, t: Thresholds) -> Findings {
    let index = PolygonIndex::new(&border.geometry.0);
    let m = measure(snapshot.clone(), border, &index, Notes::default());
    let mut findings = Findings::default();
    findings.refusals.extend(outside_refusal(&m, border, t));
    findings.flags.extend(stray_flags(&m, border));
    let before = before.map(|b| (b.date, measure(b.clone(), border, &index, Notes::default()).inside_km2));
    findings.flags.extend(change_flag(&m, before, t));
    findings
}

/// The input files of `paths` (directories listed for files of the format), sorted, and the
/// entries of the directories that are not imported, with why.
fn input_files(format: Format, paths: &[PathBuf]) -> Result<(Vec<PathBuf>, Vec<Skipped>), ImportError> {
    let mut out = Vec::new();
    let mut skipped = Vec::new();
    for p in paths {
        if p.is_dir() {
            let rd = std::fs::read_dir(p).map_err(io_err(p))?;
            for f in rd.flatten().map(|e| e.path()) {
                let why = if f.is_dir() {
                    SkipReason::Folder
                } else if !f.is_file() {
                    SkipReason::NotAFile
                } else if format.matches(&f) {
                    out.push(f);
                    continue;
                } else if crate::geodata::name_without_gz(&f)
                    .is_some_and(|n| n.ends_with(".geojson") || n.ends_with(".json"))
                {
                    SkipReason::NotNamedAsFormat {
                        expected: format.file_names(),
                    }
                } else {
                    SkipReason::UnsupportedExtension
                };
                skipped.push(Skipped {
                    file: f.display().to_string(),
                    why,
                });
            }
        } else if p.is_file() {
            out.push(p.clone());
        } else {
            return Err(ImportError::Input(not_an_input(p)));
        }
    }
    out.sort();
    out.dedup();
    skipped.sort_by(|a, b| a.file.cmp(&b.file));
    Ok((out, skipped))
}

/// Why a path given to an import is neither a folder nor a regular file: it does not exist, or
/// it is a device, a pipe or a socket (never opened: reading a pipe or a terminal would wait
/// for a writer, and a device has no end).
fn not_an_input(p: &Path) -> String {
    use std::os::unix::fs::FileTypeExt;
    match std::fs::metadata(p) {
        Ok(m) => {
            let t = m.file_type();
            let what = if t.is_fifo() {
                "a pipe"
            } else if t.is_socket() {
                "a socket"
            } else if t.is_char_device() || t.is_block_device() {
                "a device"
            } else {
                "not a file nor a folder"
            };
            format!(
                "{}: not a regular file ({what}): import reads files and folders of files; save the data to a file first",
                p.display()
            )
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => format!("{}: no such file or directory", p.display()),
        Err(e) => format!("{}: {e}", p.display()),
    }
}

/// An entry of a directory given to an import that is not imported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Skipped {
    /// The entry's path.
    pub file: String,
    /// Why it is not imported.
    pub why: SkipReason,
}

/// Why an entry of a directory given to an import is not imported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SkipReason {
    /// A folder inside the directory: not descended into.
    Folder,
    /// Neither a file nor a folder (a broken link, a socket).
    NotAFile,
    /// A `.json`/`.geojson` file (gzipped or not) whose name is not the format's.
    NotNamedAsFormat {
        /// The format's file names.
        expected: &'static str,
    },
    /// Another extension than `.json`, `.geojson` (gzipped or not).
    UnsupportedExtension,
}

impl SkipReason {
    /// The stable code.
    pub fn code(self) -> &'static str {
        match self {
            SkipReason::Folder => "folder",
            SkipReason::NotAFile => "not-a-file",
            SkipReason::NotNamedAsFormat { .. } => "not-named-as-format",
            SkipReason::UnsupportedExtension => "unsupported-extension",
        }
    }
}

impl std::fmt::Display for SkipReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SkipReason::Folder => {
                f.write_str("a folder: not descended into (give the folder itself to import its files)")
            }
            SkipReason::NotAFile => f.write_str("not a regular file"),
            SkipReason::NotNamedAsFormat { expected } => write!(
                f,
                "not named as the format's files ({expected}); give the file itself to read it anyway"
            ),
            SkipReason::UnsupportedExtension => {
                f.write_str("not a .json or .geojson file (gzipped or not, extensions in any case)")
            }
        }
    }
}

impl Serialize for SkipReason {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("SkipReason", 2)?;
        st.serialize_field("kind", self.code())?;
        st.serialize_field("message", &self.to_string())?;
        st.end()
    }
}

/// An existing snapshot of the source in the store.
struct Existing {
    content_sha256: String,
    file: PathBuf,
    confirmed: Vec<NaiveDate>,
}

/// Imports `paths` into the source, or fails without writing anything.
pub fn import(format: Format, paths: &[PathBuf], opts: &ImportOptions) -> Result<ImportReport, ImportError> {
    let dir = Store::new(&opts.data_dir);
    check_name("source", &opts.source).map_err(|e| ImportError::Input(e.to_string()))?;
    // Nothing is written (not even the lock file) into a directory that is not a store.
    dir.check_is_store()?;
    dir.check_writable_source(&opts.source)?;
    // Read, decide and write under the writer lock: nothing else writes in between.
    let lock = dir.lock("import", WRITER_LOCK_WAIT)?;
    let loaded = load_dir_within(&opts.data_dir, &opts.date_window).map_err(|r| ImportError::Geodata {
        dir: opts.data_dir.display().to_string(),
        problems: r
            .problems
            .iter()
            .take(5)
            .map(|p| p.to_string())
            .collect::<Vec<_>>()
            .join("; "),
    })?;
    let geodata = loaded.geodata;
    let existing_source = geodata.sources.iter().find(|s| s.name == opts.source);
    let border_iso3 = existing_source
        .map(|s| s.border.clone())
        .or_else(|| (geodata.borders.len() == 1).then(|| geodata.borders[0].iso3.clone()));
    let Some(border) = border_iso3.and_then(|iso| geodata.borders.iter().find(|b| b.iso3 == iso)) else {
        return Err(ImportError::Input(
            "the geodata has several borders: create sources/<source>/source.json naming one first".into(),
        ));
    };
    let border_index = PolygonIndex::new(&border.geometry.0);

    // What the store holds: dates with files, and dates confirmed by a kept file.
    let mut store: BTreeMap<NaiveDate, Existing> = BTreeMap::new();
    let mut confirmed_by: BTreeMap<NaiveDate, NaiveDate> = BTreeMap::new();
    if let Some(src) = existing_source {
        for s in &src.snapshots {
            let file = opts.data_dir.join(&s.provenance.file);
            let confirmed: Vec<NaiveDate> = read_meta(&file)
                .and_then(|m| m.get("confirmed").cloned())
                .and_then(|v| serde_json::from_value(v).ok())
                .unwrap_or_default();
            for d in &confirmed {
                confirmed_by.insert(*d, s.date);
            }
            store.insert(
                s.date,
                Existing {
                    content_sha256: s.content_sha256.clone(),
                    file,
                    confirmed,
                },
            );
        }
    }

    // Read and measure every input (both cores).
    let (files, skipped) = input_files(format, paths)?;
    // The days of a source with publication instants are days in its time zone.
    let time_zone = match (existing_source, opts.time_zone) {
        (Some(s), Some(tz)) if s.time_zone != tz => {
            return Err(ImportError::Input(format!(
                "source {} counts its days in {}, not {tz}: change time_zone in its source.json first",
                s.name, s.time_zone
            )));
        }
        (Some(s), _) => s.time_zone,
        (None, tz) => tz.unwrap_or(DEFAULT_TIME_ZONE),
    };
    let clip = Clip {
        border: &border.geometry.0,
        index: &border_index,
        areas: Default::default(),
    };
    let read: Vec<(PathBuf, InputRead)> = files
        .par_iter()
        .map(|p| {
            let (s, r, t) = format.read(
                p,
                &shown_input(opts, p),
                &opts.source,
                opts.allow_empty,
                &clip,
                time_zone,
            );
            (p.clone(), (s, r, t))
        })
        .collect();
    let mut report = ImportReport {
        source: opts.source.clone(),
        files: files.len(),
        skipped,
        ..ImportReport::default()
    };
    for (_, (_, _, t)) in &read {
        if let Some(t) = t {
            report.classes.get_or_insert_with(Tally::default).merge(t);
        }
    }
    let window = opts.date_window.window(border, today_utc());
    let mut inputs: Vec<(PathBuf, Snapshot, Notes)> = Vec::new();
    for (path, (snaps, r, _)) in read {
        if !r.is_ok() {
            report.rejected.push(Rejected {
                file: shown_input(opts, &path),
                date: None,
                // The file is named once, in `file`, not again in each reason.
                reasons: r.problems.iter().map(crate::geodata::Finding::without_file).collect(),
                kinds: r.problems.iter().map(|p| RejectionKind::Read(p.kind.code())).collect(),
                quarantined: None,
            });
            continue;
        }
        report.findings.extend(r.warnings.iter().cloned());
        for (s, repairs) in snaps {
            // The admission policy: dates in the window, empty snapshots on request only.
            if let Err(why) = window.check(s.date) {
                report.rejected.push(Rejected {
                    file: shown_input(opts, &path),
                    date: Some(s.date),
                    reasons: vec![why],
                    kinds: vec![RejectionKind::DateOutsideWindow],
                    quarantined: None,
                });
                continue;
            }
            // Every repair of its own features is listed (as `repairs` in the report and the
            // file), never another date's of the same file.
            let mut notes = Notes::default();
            for f in &repairs {
                let text = f.without_file();
                // A content date other than the file's is a flag, as over HTTP.
                if matches!(f.kind, crate::geodata::FindingKind::ContentDates { .. }) {
                    notes.flags.push(text);
                } else {
                    notes.repairs.push(text);
                }
            }
            if s.features.is_empty() {
                notes.flags.push(EMPTY_ADMITTED.to_string());
            }
            inputs.push((path.clone(), s, notes));
        }
    }
    inputs.sort_by_key(|(_, s, _)| (s.date, s.published_at));
    // Publications with instants: every one kept with its instant, the days arranged by the
    // source's time zone at load (`crate::geodata::publications`).
    if inputs.iter().any(|(_, s, _)| s.published_at.is_some()) {
        let new_source = match existing_source {
            Some(_) => Vec::new(),
            None => {
                let (writes, made) = new_source_writes(format, opts, &geodata, border)?;
                report.new_source = Some(made);
                writes
            }
        };
        let cx = Publications {
            format,
            opts,
            dir: &dir,
            existing: existing_source,
            border,
            border_index: &border_index,
            new_source,
        };
        return import_publications(&cx, &lock, inputs, report);
    }
    // Two inputs for one date: the first (by file name) is taken, the others refused.
    let mut seen: BTreeMap<NaiveDate, (String, PathBuf)> = BTreeMap::new();
    inputs.retain(|(p, s, _)| match seen.get(&s.date) {
        Some((sha, _)) if *sha == s.content_sha256 => false,
        Some((_, first)) => {
            report.rejected.push(Rejected {
                file: shown_input(opts, p),
                date: Some(s.date),
                reasons: vec![format!(
                    "another input ({}) holds other content for {}",
                    shown_input(opts, first),
                    s.date
                )],
                kinds: vec![RejectionKind::OtherInputSameDate],
                quarantined: None,
            });
            false
        }
        None => {
            seen.insert(s.date, (s.content_sha256.clone(), p.clone()));
            true
        }
    });
    // Dates already in the store with the same content need no checks.
    inputs.retain(|(path, s, notes)| {
        let same = |d: &NaiveDate| store.get(d).is_some_and(|e| e.content_sha256 == s.content_sha256);
        let unchanged = same(&s.date) || confirmed_by.get(&s.date).is_some_and(same);
        if unchanged {
            report.unchanged.push(s.date);
            list_repairs(&mut report, opts, path, s, notes, RepairedOutcome::Unchanged);
        }
        !unchanged
    });
    // A date inside a stored file's confirmed run splits the run, by the rule ingest follows
    // (`crate::geodata::ConfirmedRun`): a confirmed date with other content is a replacement
    // (refused without `replace`; the confirming file kept in .history/), and the run's later
    // dates keep what they were recorded to hold, in a file of the first of them.
    let mut runs: BTreeMap<NaiveDate, ConfirmedRun> = BTreeMap::new();
    let mut planned: BTreeMap<NaiveDate, Snapshot> = BTreeMap::new();
    // One plan for every writer (crate::store::WritePlan): the splits' files first, then the
    // snapshots decided below (a rewrite of the same file, with more confirmed dates, wins).
    let mut plan = WritePlan::new();
    let mut refused_confirmed = std::collections::BTreeSet::new();
    for (path, s, _) in &inputs {
        let date = s.date;
        if store.contains_key(&date) {
            continue;
        }
        let Some((&b, e)) = store.range(..date).next_back() else {
            continue;
        };
        if !e.confirmed.iter().any(|d| *d >= date) {
            continue;
        }
        let split = split_confirmed(&e.confirmed, date);
        if split.held && !opts.replace {
            report.rejected.push(Rejected {
                file: shown_input(opts, path),
                date: Some(date),
                reasons: vec![format!(
                    "{} confirms {date} (the content of {b}) and this input holds other content for it (use --replace; the old one is kept in .history/)",
                    e.file.display()
                )],
                kinds: vec![RejectionKind::SnapshotExists],
                quarantined: None,
            });
            refused_confirmed.insert(date);
            continue;
        }
        let run = match runs.get(&b) {
            Some(r) => r.clone(),
            None => ConfirmedRun {
                date: b,
                file: e.file.clone(),
                meta: read_meta(&e.file).unwrap_or_default(),
                snapshot: existing_source.and_then(|src| src.snapshots.iter().find(|x| x.date == b).cloned()),
                confirmed: e.confirmed.clone(),
            },
        };
        let Some(snapshot_b) = run.snapshot.clone() else {
            continue;
        };
        let content_b = e.content_sha256.clone();
        let on_disk = e.file.is_file();
        let written = run.split(&dir, &opts.source, date)?;
        if on_disk {
            plan.keep(&run.file);
        }
        if split.held {
            report.replaced.push(date);
        }
        confirmed_by.remove(&date);
        if let Some(e) = store.get_mut(&b) {
            e.confirmed.clone_from(&split.kept);
        }
        runs.insert(
            b,
            ConfirmedRun {
                confirmed: split.kept.clone(),
                ..run.clone()
            },
        );
        if let Some((&first, rest)) = split.carried.split_first()
            && let Some((file, _)) = written.get(1)
        {
            let mut meta = run.meta.clone();
            meta.remove("confirmed");
            let carried = Snapshot {
                date: first,
                published_at: None,
                ..snapshot_b
            };
            confirmed_by.remove(&first);
            for d in rest {
                confirmed_by.insert(*d, first);
            }
            store.insert(
                first,
                Existing {
                    content_sha256: content_b,
                    file: file.clone(),
                    confirmed: rest.to_vec(),
                },
            );
            runs.insert(
                first,
                ConfirmedRun {
                    date: first,
                    file: file.clone(),
                    meta,
                    snapshot: Some(carried.clone()),
                    confirmed: rest.to_vec(),
                },
            );
            planned.insert(first, carried);
        }
        for (p, t) in written {
            plan.write(p, t.into_bytes());
        }
    }
    inputs.retain(|(_, s, _)| !refused_confirmed.contains(&s.date));
    // A snapshot of the store (or one a split above plans to write) by date.
    let stored_snapshot = |d: NaiveDate| -> Option<Snapshot> {
        existing_source
            .and_then(|src| src.snapshots.iter().find(|s| s.date == d).cloned())
            .or_else(|| planned.get(&d).cloned())
    };
    // A snapshot identical to the one before it is measured once (its duplicates are kept once
    // anyway): the others take its figures.
    let repeats: Vec<bool> = (0..inputs.len())
        .map(|i| i > 0 && inputs[i].1.content_sha256 == inputs[i - 1].1.content_sha256)
        .collect();
    let mut measured: Vec<(PathBuf, Measured)> = inputs
        .into_par_iter()
        .zip(repeats.par_iter())
        .map(|((p, s, notes), &repeat)| {
            let m = if repeat {
                Measured {
                    snapshot: s,
                    inside_km2: f64::NAN,
                    outside_share: f64::NAN,
                    stray: Vec::new(),
                    notes,
                }
            } else {
                measure(s, border, &border_index, notes)
            };
            (p, m)
        })
        .collect();
    for i in 1..measured.len() {
        if repeats[i] {
            let (before, after) = measured.split_at_mut(i);
            let (prev, cur) = (&before[i - 1].1, &mut after[0].1);
            cur.inside_km2 = prev.inside_km2;
            cur.outside_share = prev.outside_share;
            cur.stray = prev.stray.clone();
        }
    }

    // Decide, in date order, against the snapshot in force before each date.
    /// The latest kept snapshot before the current date, and the document to (re)write for it:
    /// a new snapshot, or one of the store that gained confirmed dates.
    struct Kept {
        date: NaiveDate,
        content: String,
        inside_km2: Option<f64>,
        confirmed: Vec<NaiveDate>,
        rewrite: Option<(PathBuf, Map<String, Value>, Snapshot)>,
    }
    let mut prev: Option<Kept> = None;
    let kept_before = |date: NaiveDate, store: &BTreeMap<NaiveDate, Existing>| {
        store.range(..date).next_back().map(|(d, e)| Kept {
            date: *d,
            content: e.content_sha256.clone(),
            inside_km2: stored_snapshot(*d).map(|s| measure(s, border, &border_index, Notes::default()).inside_km2),
            confirmed: e.confirmed.clone(),
            rewrite: None,
        })
    };
    let flush = |k: Option<Kept>, plan: &mut WritePlan| {
        if let Some(Kept {
            rewrite: Some((path, mut meta, snap)),
            confirmed,
            ..
        }) = k
        {
            meta.insert("confirmed".into(), json!(confirmed));
            plan.write(path, snapshot_document(&snap, meta).into_bytes());
        }
    };
    for (path, m) in measured {
        let date = m.snapshot.date;
        // Named by its file name (or the URL it was fetched from), never by the operator's
        // path: the stored provenance is shown in answers, and a path would name the server's
        // folders (issue 17). The SHA-256 beside it identifies the bytes.
        let input = input_name(opts, &path);
        let original = format!("{input} (sha256 {})", m.snapshot.provenance.sha256);
        // Already in the store under this date, or confirmed by a kept file?
        // One rule for every writer (crate::store::decide_snapshot), over the files on disk
        // read under the lock above. A replaced file is planned (kept in .history/ first, and
        // removed when its name is not the new file's) only once the new snapshot has passed
        // the checks below: a replacement that is quarantined leaves the date's file in place.
        let mut replacing: Option<PathBuf> = None;
        if let Some(e) = store.get(&date) {
            let decision = decide_snapshot(
                Held::Content(&e.content_sha256),
                &m.snapshot.content_sha256,
                opts.replace,
            );
            if decision == SnapshotDecision::Unchanged {
                report.unchanged.push(date);
                list_repairs(
                    &mut report,
                    opts,
                    &path,
                    &m.snapshot,
                    &m.notes,
                    RepairedOutcome::Unchanged,
                );
                continue;
            }
            if decision == SnapshotDecision::Refuse {
                report.rejected.push(Rejected {
                    file: shown_input(opts, &path),
                    date: Some(date),
                    reasons: vec![format!(
                        "{} already holds a snapshot for {date} with other content (use --replace; the old one is kept in .history/)",
                        e.file.display()
                    )],
                    kinds: vec![RejectionKind::SnapshotExists],
                    quarantined: None,
                });
                continue;
            }
            replacing = Some(e.file.clone());
        } else if let Some(kept) = confirmed_by.get(&date) {
            let same = store
                .get(kept)
                .is_some_and(|e| e.content_sha256 == m.snapshot.content_sha256);
            if same {
                report.unchanged.push(date);
                list_repairs(
                    &mut report,
                    opts,
                    &path,
                    &m.snapshot,
                    &m.notes,
                    RepairedOutcome::Unchanged,
                );
                continue;
            }
        }
        // The snapshot in force before this date: the latest kept so far, or a later one of the store.
        let store_before = store.range(..date).next_back().map(|(d, _)| *d);
        if store_before.is_some() && store_before > prev.as_ref().map(|p| p.date) {
            flush(prev.take(), &mut plan);
            prev = kept_before(date, &store);
        }
        // Checks.
        let thresholds = Thresholds {
            max_change_km2: opts.max_change_km2,
            max_outside_share: opts.max_outside_share,
        };
        let reasons: Vec<String> = outside_refusal(&m, border, thresholds).into_iter().collect();
        if !reasons.is_empty() {
            quarantine(&mut plan, opts, &path, &m.snapshot, reasons, &mut report)?;
            continue;
        }
        if let Some(file) = replacing {
            plan.replace(&file);
            report.replaced.push(date);
        }
        // Identical to the snapshot before it: keep once.
        if let Some(p) = prev.as_mut()
            && p.content == m.snapshot.content_sha256
            && !store.contains_key(&date)
        {
            if !p.confirmed.contains(&date) {
                p.confirmed.push(date);
                p.confirmed.sort();
                if p.rewrite.is_none() {
                    // The kept snapshot is in the store: rewrite its file with the new date.
                    if let Some(e) = store.get(&p.date)
                        && let Some(snap) = stored_snapshot(p.date)
                    {
                        let meta = runs
                            .get(&p.date)
                            .map(|r| r.meta.clone())
                            .or_else(|| read_meta(&e.file))
                            .unwrap_or_default();
                        p.rewrite = Some((e.file.clone(), meta, snap));
                    }
                }
            }
            report.duplicates.push((date, p.date));
            list_repairs(
                &mut report,
                opts,
                &path,
                &m.snapshot,
                &m.notes,
                RepairedOutcome::Duplicate,
            );
            continue;
        }
        let mut notes = m.notes.clone();
        notes.flags.extend(stray_flags(&m, border));
        let before = prev.as_ref().and_then(|p| Some((p.date, p.inside_km2?)));
        notes.flags.extend(change_flag(&m, before, thresholds));
        let file = dir.snapshot_file(&opts.source, date)?;
        let meta = imported_meta(format, &input, &original, &m.snapshot, &notes);
        report.added.push(Added {
            date,
            file: file.strip_prefix(&opts.data_dir).unwrap_or(&file).display().to_string(),
            original,
            flags: notes.flags,
            repairs: notes.repairs,
            published_at: None,
        });
        flush(prev.take(), &mut plan);
        prev = Some(Kept {
            date,
            content: m.snapshot.content_sha256.clone(),
            inside_km2: Some(m.inside_km2),
            confirmed: Vec::new(),
            rewrite: Some((file, meta, m.snapshot)),
        });
    }
    // The last kept snapshot (new, or from the store with new confirmed dates).
    flush(prev.take(), &mut plan);

    // Write: the source's config first if it is new, then the snapshots, then quarantine.
    if existing_source.is_none() && plan.writes_files() {
        let (new_writes, made) = new_source_writes(format, opts, &geodata, border)?;
        report.new_source = Some(made);
        plan.write_first(new_writes);
    }
    lock.carry_out(&opts.source, plan)?;
    Ok(report)
}

/// The `frontline` member of an imported snapshot's stored file: its provenance (the reader's
/// origin and the input it was imported from), the original input (format, name, SHA-256), and
/// the notes.
fn imported_meta(
    format: Format,
    input: &str,
    original: &str,
    snapshot: &Snapshot,
    notes: &Notes,
) -> Map<String, Value> {
    let mut meta = Map::new();
    let origin = snapshot.provenance.origin.as_deref().unwrap_or_default();
    meta.insert(
        "provenance".into(),
        json!(format!("{origin}; imported from {original}")),
    );
    meta.insert(
        "original".into(),
        json!({"format": format.name(), "file": input, "sha256": snapshot.provenance.sha256}),
    );
    notes.record(&mut meta);
    meta
}

/// Plans a snapshot refused by the checks (`reasons`) into `quarantine/<source>/`, with the
/// input it came from and the reasons, and reports it.
fn quarantine(
    plan: &mut WritePlan,
    opts: &ImportOptions,
    path: &Path,
    snapshot: &Snapshot,
    reasons: Vec<String>,
    report: &mut ImportReport,
) -> Result<(), ImportError> {
    let store = Store::new(&opts.data_dir);
    // A publication by its instant (and content): two of one day are two files.
    let qfile = match snapshot.published_at {
        Some(t) => store.quarantine_publication_file(&opts.source, t, &snapshot.content_sha256)?,
        None => store.quarantine_file(&opts.source, snapshot.date, &snapshot.content_sha256)?,
    };
    let original = format!("{} (sha256 {})", input_name(opts, path), snapshot.provenance.sha256);
    let mut meta = Map::new();
    meta.insert("original".into(), json!(original));
    meta.insert("quarantine_reasons".into(), json!(reasons));
    plan.quarantine(qfile.clone(), snapshot_document(snapshot, meta).into_bytes());
    report.rejected.push(Rejected {
        file: shown_input(opts, path),
        date: Some(snapshot.date),
        kinds: vec![RejectionKind::OutsideBorder; reasons.len()],
        reasons,
        quarantined: Some(qfile.display().to_string()),
    });
    Ok(())
}

/// The name an input is recorded by: its file name (or the URL it was fetched from), never the
/// operator's path: the stored provenance is shown in answers, and a path would name the
/// server's folders (issue 17). The SHA-256 beside it identifies the bytes.
fn input_name(opts: &ImportOptions, path: &Path) -> String {
    match (&opts.origin_prefix, path.file_name()) {
        (Some(prefix), Some(name)) => format!("{prefix}{}", name.to_string_lossy()),
        (None, Some(name)) => name.to_string_lossy().into_owned(),
        _ => path.display().to_string(),
    }
}

/// Lists the repairs of an input taken without a file of its own in the report's `repairs`, named
/// as an added snapshot's `original` is (nothing when the reader repaired nothing).
fn list_repairs(
    report: &mut ImportReport,
    opts: &ImportOptions,
    path: &Path,
    snapshot: &Snapshot,
    notes: &Notes,
    outcome: RepairedOutcome,
) {
    if notes.repairs.is_empty() {
        return;
    }
    report.repairs.push(InputRepairs {
        date: snapshot.date,
        original: format!("{} (sha256 {})", input_name(opts, path), snapshot.provenance.sha256),
        outcome,
        repairs: notes.repairs.clone(),
    });
}

/// How an import's report names an input: its path as given, or, for a file a sync fetched, the
/// URL it was fetched from (never the temporary download path, which is gone when the report is
/// read).
pub fn shown_input(opts: &ImportOptions, path: &Path) -> String {
    match (&opts.origin_prefix, path.file_name()) {
        (Some(prefix), Some(name)) => format!("{prefix}{}", name.to_string_lossy()),
        _ => path.display().to_string(),
    }
}

/// What an import of publications works with (see [`import_publications`]).
struct Publications<'a> {
    format: Format,
    opts: &'a ImportOptions,
    dir: &'a Store,
    existing: Option<&'a crate::geodata::Source>,
    border: &'a Border,
    border_index: &'a PolygonIndex,
    /// The files of a new source (its `source.json`), written first.
    new_source: Vec<(PathBuf, Vec<u8>)>,
}

/// A stored file that an input of publications replaces (see [`import_publications`]): the
/// publication of the same instant, or (`instant: None`) its day's snapshot without an instant.
struct Replacing {
    file: PathBuf,
    instant: Option<chrono::DateTime<chrono::Utc>>,
}

/// A publication in the import's arrangement: one of the store or one of the inputs.
struct Placed<'a> {
    date: NaiveDate,
    instant: chrono::DateTime<chrono::Utc>,
    content: &'a str,
    /// The index of the input, `None` for a publication of the store.
    input: Option<usize>,
}

/// Imports publications with instants (DeepState's own format): every publication is kept with
/// its instant in `sources/<source>/publications/` whatever the order in which they arrive (one
/// at a time, out of order, several a day), and the loader arranges them into days by the
/// source's time zone (`crate::geodata::publications`). A publication already stored with the
/// same instant and content is unchanged; one with other content is refused unless `replace`
/// (the old file kept in `.history/`). The report names each input's role as the store will
/// load it: the snapshot of its date (`added`/`unchanged`), superseded later its day
/// (`earlier_publications`), or a day that only repeats the state before it (`duplicates`).
fn import_publications(
    cx: &Publications<'_>,
    lock: &crate::store::WriterLock,
    mut inputs: Vec<(PathBuf, Snapshot, Notes)>,
    mut report: ImportReport,
) -> Result<ImportReport, ImportError> {
    use crate::geodata::canonical::rfc3339;
    use crate::geodata::publications::{Role, arrange_by};
    let opts = cx.opts;
    let (untimed, timed): (Vec<&Snapshot>, Vec<&Snapshot>) = cx
        .existing
        .map(|s| s.snapshots.iter().chain(&s.publications).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .partition(|s| s.published_at.is_none());
    // What the store holds per instant: one publication, or several (of one instant, with
    // different contents: publications the source made within its instant's resolution).
    let mut stored: BTreeMap<chrono::DateTime<chrono::Utc>, Vec<&Snapshot>> = BTreeMap::new();
    for s in timed {
        if let Some(t) = s.published_at {
            stored.entry(t).or_default().push(s);
        }
    }
    let untimed: BTreeMap<NaiveDate, &Snapshot> = untimed.into_iter().map(|s| (s.date, s)).collect();
    // By instant, then content: the order of publications of one instant (the tie rule of
    // `crate::geodata::publications`).
    inputs.sort_by(|a, b| (a.1.published_at, &a.1.content_sha256).cmp(&(b.1.published_at, &b.1.content_sha256)));
    // The contents this import gives for each instant.
    let mut given: BTreeMap<chrono::DateTime<chrono::Utc>, std::collections::BTreeSet<String>> = BTreeMap::new();
    for (_, s, _) in &inputs {
        if let Some(t) = s.published_at {
            given.entry(t).or_default().insert(s.content_sha256.clone());
        }
    }

    // Each input against the store and the inputs before it. Two contents given for one
    // instant by this import are two publications of that instant, both kept (never one
    // written over the other); other content for an instant the store holds is a revision.
    let mut fresh: Vec<(PathBuf, Snapshot, Notes)> = Vec::new();
    // What each input of `fresh` (by index) replaces, planned only once it passes the checks:
    // a replacement that is quarantined leaves the stored file in place.
    let mut replacing: Vec<Vec<Replacing>> = Vec::new();
    let mut same: Vec<(PathBuf, Snapshot, Notes)> = Vec::new();
    // One plan for every writer (crate::store::WritePlan): a new source's files first.
    let mut plan = WritePlan::new();
    plan.write_first(cx.new_source.clone());
    let mut gone: std::collections::BTreeSet<PathBuf> = Default::default();
    let mut gone_instants: std::collections::BTreeSet<chrono::DateTime<chrono::Utc>> = Default::default();
    let mut gone_untimed: std::collections::BTreeSet<NaiveDate> = Default::default();
    let mut seen: std::collections::HashSet<(chrono::DateTime<chrono::Utc>, String)> = Default::default();
    let reject = |report: &mut ImportReport, path: &Path, date: NaiveDate, kind: RejectionKind, why: String| {
        report.rejected.push(Rejected {
            file: shown_input(opts, path),
            date: Some(date),
            reasons: vec![why],
            kinds: vec![kind],
            quarantined: None,
        });
    };
    for (path, s, notes) in inputs {
        let Some(t) = s.published_at else {
            reject(
                &mut report,
                &path,
                s.date,
                RejectionKind::NoPublicationInstant,
                "no publication instant: a source of publications takes publications only".into(),
            );
            continue;
        };
        let stamp = rfc3339(t);
        // One publication given twice (the same instant and content): once.
        if !seen.insert((t, s.content_sha256.clone())) {
            continue;
        }
        // The instant's files, or a day's snapshot without an instant, decided by the one rule
        // (crate::store::WritePlan): a replaced file is kept in .history/ first, and removed
        // when its name is not a new file's.
        let mut replaces = Vec::new();
        let held = stored.get(&t).map(Vec::as_slice).unwrap_or_default();
        if let Some(first) = held.first() {
            if held.iter().any(|h| h.content_sha256 == s.content_sha256) {
                same.push((path, s, notes));
                continue;
            }
            match decide_snapshot(Held::Content(&first.content_sha256), &s.content_sha256, opts.replace) {
                SnapshotDecision::Refuse => {
                    let why = format!(
                        "{} already holds the publication of {stamp} with other content (use --replace; the old one is kept in .history/)",
                        first.provenance.file
                    );
                    reject(&mut report, &path, s.date, RejectionKind::SnapshotExists, why);
                    continue;
                }
                // The instant's stored contents that this import does not give again.
                _ => replaces.extend(
                    held.iter()
                        .filter(|h| !given.get(&t).is_some_and(|g| g.contains(&h.content_sha256)))
                        .map(|h| Replacing {
                            file: opts.data_dir.join(&h.provenance.file),
                            instant: Some(t),
                        }),
                ),
            }
        } else if let Some(old) = untimed.get(&s.date) {
            let old_file = opts.data_dir.join(&old.provenance.file);
            match decide_snapshot(Held::Other, &s.content_sha256, opts.replace) {
                SnapshotDecision::Refuse => {
                    let why = format!(
                        "{} holds a snapshot of {} without a publication instant (use --replace; it is kept in .history/)",
                        old.provenance.file, s.date
                    );
                    reject(&mut report, &path, s.date, RejectionKind::SnapshotExists, why);
                    continue;
                }
                SnapshotDecision::Replace => replaces.push(Replacing {
                    file: old_file,
                    instant: None,
                }),
                SnapshotDecision::New | SnapshotDecision::Unchanged => {}
            }
        }
        fresh.push((path, s, notes));
        replacing.push(replaces);
    }

    // Measured for the checks (both cores); a content measured once.
    let thresholds = Thresholds {
        max_change_km2: opts.max_change_km2,
        max_outside_share: opts.max_outside_share,
    };
    // Publications often repeat the content of one before them: the figures of a content (its
    // occupied area's union, the costly part) are those of its first publication.
    let mut first_of: std::collections::HashMap<&str, usize> = Default::default();
    let firsts: Vec<Option<usize>> = fresh
        .iter()
        .enumerate()
        .map(|(i, (_, s, _))| match first_of.entry(s.content_sha256.as_str()) {
            std::collections::hash_map::Entry::Occupied(e) => Some(*e.get()),
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert(i);
                None
            }
        })
        .collect();
    drop(first_of);
    let mut measured: Vec<(PathBuf, Measured)> = fresh
        .into_par_iter()
        .zip(firsts.par_iter())
        .map(|((p, s, notes), first)| {
            let m = match first {
                Some(_) => Measured {
                    snapshot: s,
                    inside_km2: f64::NAN,
                    outside_share: f64::NAN,
                    stray: Vec::new(),
                    notes,
                },
                None => measure(s, cx.border, cx.border_index, notes),
            };
            (p, m)
        })
        .collect();
    for (i, first) in firsts.iter().enumerate() {
        if let Some(j) = *first {
            let (before, after) = measured.split_at_mut(i);
            let (of, m) = (&before[j].1, &mut after[0].1);
            m.inside_km2 = of.inside_km2;
            m.outside_share = of.outside_share;
            m.stray.clone_from(&of.stray);
        }
    }
    let mut accepted: Vec<(PathBuf, Measured)> = Vec::new();
    for ((path, m), replaces) in measured.into_iter().zip(replacing) {
        let reasons: Vec<String> = outside_refusal(&m, cx.border, thresholds).into_iter().collect();
        if !reasons.is_empty() {
            quarantine(&mut plan, opts, &path, &m.snapshot, reasons, &mut report)?;
            continue;
        }
        let mut first = false;
        for r in replaces {
            plan.replace(&r.file);
            gone.insert(r.file);
            first |= match r.instant {
                Some(t) => gone_instants.insert(t),
                None => gone_untimed.insert(m.snapshot.date),
            };
        }
        if first {
            report.replaced.push(m.snapshot.date);
        }
        accepted.push((path, m));
    }

    // Every publication as the store will hold it, in instant order, with its role.
    let mut placed: Vec<Placed<'_>> = stored
        .iter()
        .flat_map(|(t, v)| v.iter().map(move |s| (*t, *s)))
        .filter(|(_, s)| !gone.contains(&opts.data_dir.join(&s.provenance.file)))
        .map(|(t, s)| Placed {
            date: s.date,
            instant: t,
            content: s.content_sha256.as_str(),
            input: None,
        })
        .collect();
    placed.extend(accepted.iter().enumerate().filter_map(|(i, (_, m))| {
        Some(Placed {
            date: m.snapshot.date,
            instant: m.snapshot.published_at?,
            content: m.snapshot.content_sha256.as_str(),
            input: Some(i),
        })
    }));
    placed.sort_by_key(|p| (p.instant, p.content));
    let marks: Vec<(NaiveDate, &str)> = untimed
        .iter()
        .filter(|(d, _)| !gone_untimed.contains(d))
        .map(|(d, s)| (*d, s.content_sha256.as_str()))
        .collect();
    let roles = arrange_by(&marks, &placed, |p| (p.date, p.instant, p.content));
    let days: std::collections::BTreeSet<NaiveDate> = placed
        .iter()
        .zip(&roles)
        .filter(|(_, r)| **r == Role::Day)
        .map(|(p, _)| p.date)
        .chain(marks.iter().map(|(d, _)| *d))
        .collect();
    let day_before = |date: NaiveDate| days.range(..date).next_back().copied().unwrap_or(date);
    // The occupied area of a stored publication, for the change flag of the one after it.
    let stored_km2 = |s: &Snapshot| measure(s.clone(), cx.border, cx.border_index, Notes::default()).inside_km2;

    let mut before: Option<(NaiveDate, f64)> = None;
    for (k, (p, role)) in placed.iter().zip(&roles).enumerate() {
        let Some(i) = p.input else {
            continue;
        };
        let (path, m) = &accepted[i];
        // The change flag: against the publication before it (the store's measured on demand).
        if k > 0 {
            let prev = &placed[k - 1];
            before = match prev.input {
                Some(j) => Some((accepted[j].1.snapshot.date, accepted[j].1.inside_km2)),
                None => stored
                    .get(&prev.instant)
                    .and_then(|v| v.iter().find(|s| s.content_sha256 == prev.content))
                    .map(|s| (s.date, stored_km2(s))),
            };
        }
        let mut notes = m.notes.clone();
        notes.flags.extend(stray_flags(m, cx.border));
        notes.flags.extend(change_flag(m, before.take(), thresholds));
        let input = input_name(opts, path);
        let original = format!("{input} (sha256 {})", m.snapshot.provenance.sha256);
        // A publication that shares its instant with another content is named by its content
        // too: none is written over another.
        let twin = placed.iter().any(|q| q.instant == p.instant && q.content != p.content);
        let file = if twin {
            cx.dir.twin_publication_file(&opts.source, p.instant, p.content)?
        } else {
            cx.dir.publication_file(&opts.source, p.instant)?
        };
        let meta = imported_meta(cx.format, &input, &original, &m.snapshot, &notes);
        plan.write(file.clone(), snapshot_document(&m.snapshot, meta).into_bytes());
        let stamp = rfc3339(p.instant);
        match role {
            Role::Day => report.added.push(Added {
                date: p.date,
                file: cx.dir.relative(&file),
                original,
                flags: notes.flags,
                repairs: notes.repairs,
                published_at: Some(stamp),
            }),
            Role::Earlier if days.contains(&p.date) => {
                list_repairs(
                    &mut report,
                    opts,
                    path,
                    &m.snapshot,
                    &notes,
                    RepairedOutcome::Superseded,
                );
                report.earlier_publications.push(EarlierPublication {
                    published_at: stamp,
                    date: p.date,
                    outcome: PublicationOutcome::Added,
                    file: Some(cx.dir.relative(&file)),
                });
            }
            Role::Earlier => {
                list_repairs(&mut report, opts, path, &m.snapshot, &notes, RepairedOutcome::Duplicate);
                report.duplicates.push((p.date, day_before(p.date)));
            }
        }
    }
    // Inputs the store already holds: reported by the role they have.
    for (path, s, notes) in &same {
        let Some(t) = s.published_at else {
            continue;
        };
        let Some(k) = placed
            .iter()
            .position(|p| p.instant == t && p.content == s.content_sha256)
        else {
            continue;
        };
        list_repairs(&mut report, opts, path, s, notes, RepairedOutcome::Unchanged);
        match roles[k] {
            Role::Day => report.unchanged.push(s.date),
            Role::Earlier if !days.contains(&s.date) => report.unchanged.push(s.date),
            Role::Earlier => report.earlier_publications.push(EarlierPublication {
                published_at: rfc3339(t),
                date: s.date,
                outcome: PublicationOutcome::Unchanged,
                file: stored
                    .get(&t)
                    .and_then(|v| v.iter().find(|x| x.content_sha256 == s.content_sha256))
                    .map(|x| x.provenance.file.clone()),
            }),
        }
    }
    report
        .earlier_publications
        .sort_by(|a, b| a.published_at.cmp(&b.published_at));

    lock.carry_out(&opts.source, plan)?;
    Ok(report)
}

/// The files a new source starts with: its `source.json` (border, the format's default
/// baselines, what the format draws, the time zone asked for, the publisher's credit), the
/// embedded baseline file where the geodata lacks a default baseline (and the border is the
/// embedded one's, UKR) and, where the directory had one source, a `frontline.json` naming it
/// the default (a load refuses a directory of several sources without one). With them, what
/// the report says of the new source.
fn new_source_writes(
    format: Format,
    opts: &ImportOptions,
    geodata: &crate::geodata::Geodata,
    border: &Border,
) -> Result<(FileWrites, NewSource), ImportError> {
    let dir = Store::new(&opts.data_dir);
    let mut writes = Vec::new();
    let mut baselines = Vec::new();
    let mut baseline_files = Vec::new();
    for &name in format.default_baselines() {
        if geodata.baselines.iter().any(|b| b.name == name) {
            baselines.push(name.to_string());
            continue;
        }
        // Not in the geodata: the embedded file of that name, when it is drawn on this border.
        let rel = format!("baselines/{name}.geojson");
        let embedded = crate::geodata::embedded::FILES
            .iter()
            .find(|(p, _)| *p == rel)
            .and_then(|(_, bytes)| std::str::from_utf8(bytes).ok());
        if let Some(text) = embedded
            && border.iso3 == "UKR"
        {
            writes.push((opts.data_dir.join(&rel), text.as_bytes().to_vec()));
            baselines.push(name.to_string());
            baseline_files.push(rel);
        }
    }
    let config = SourceConfig {
        description: Some(format!("imported from {} archive files", format.name())),
        border: Some(border.iso3.clone()),
        baselines: baselines.clone(),
        archive: None,
        // What the archive's format can draw; a GeoJSON import says nothing (the catalog
        // adds contested where a snapshot has it).
        classes: match format {
            Format::Deepstate => Some(crate::model::SourceClasses::deepstate_archive().drawn),
            Format::Nzz => Some(crate::model::SourceClasses::nzz_archive().drawn),
            // DeepState's own format draws every class, the grey zone among them.
            Format::DeepstateApi => Some({
                use crate::model::DrawnClass::*;
                vec![Occupied, Contested, Liberated, Before2022]
            }),
            Format::Geojson => None,
        },
        time_zone: opts.time_zone.map(|tz| tz.name().to_string()),
        attribution: format.credit().map(|(a, _)| a.to_string()),
        url: format.credit().map(|(_, u)| u.to_string()),
        ..SourceConfig::default()
    };
    let text = serde_json::to_string_pretty(&config).map_err(|e| ImportError::Input(e.to_string()))?;
    writes.push((dir.source_config_file(&opts.source)?, format!("{text}\n").into_bytes()));
    // The one source there was is the default by being alone: name it, so that the new
    // source does not leave the directory without a default (which a load refuses).
    if let [only] = geodata.sources.as_slice()
        && let Some((path, text)) = Store::new(&opts.data_dir).default_source_write(&only.name)
    {
        writes.insert(0, (path, text.into_bytes()));
    }
    let made = NewSource {
        name: opts.source.clone(),
        baselines,
        baseline_files,
    };
    Ok((writes, made))
}

/// How long an import waits for another writer (a server ingesting, another import) to finish.
pub const WRITER_LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(60);

#[cfg(test)]
mod tests {
    //! The import plan, decision by decision, on a copy of the embedded geodata: a new date is
    //! added, the same file again changes nothing, equal content on a later date is kept once,
    //! other content on an existing date is refused without `replace` and kept in `.history/`
    //! with it, a snapshot mostly outside the border is quarantined, a large change is flagged.
    use super::*;

    fn feature(date: &str, ring: &str) -> String {
        format!(
            r#"{{"type":"Feature","properties":{{"date":"{date}","status":"occupied"}},"geometry":{{"type":"Polygon","coordinates":[{ring}]}}}}"#
        )
    }

    fn file(dir: &Path, name: &str, features: &[String]) -> PathBuf {
        let p = dir.join(name);
        let text = format!(r#"{{"type":"FeatureCollection","features":[{}]}}"#, features.join(","));
        std::fs::write(&p, text).unwrap();
        p
    }

    #[test]
    fn a_device_a_pipe_or_a_socket_given_as_input_is_not_a_regular_file() {
        let tmp = tempfile::tempdir().unwrap();
        let fifo = tmp.path().join("fifo");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status().unwrap();
        assert!(made.success());
        let socket = tmp.path().join("socket");
        let _listener = std::os::unix::net::UnixListener::bind(&socket).unwrap();
        for (path, what) in [
            (PathBuf::from("/dev/null"), "(a device)"),
            (fifo, "(a pipe)"),
            (socket, "(a socket)"),
        ] {
            // Refused at once, never opened (a pipe without a writer would wait forever).
            let err = input_files(Format::Geojson, std::slice::from_ref(&path)).unwrap_err();
            let msg = err.to_string();
            assert!(matches!(err, ImportError::Input(_)), "{msg}");
            assert!(msg.contains("not a regular file") && msg.contains(what), "{msg}");
        }
        let missing = tmp.path().join("missing.geojson");
        let msg = input_files(Format::Geojson, &[missing]).unwrap_err().to_string();
        assert!(msg.ends_with("no such file or directory"), "{msg}");
    }

    /// A copy of the embedded geodata and a folder for inputs, in a temporary folder (kept
    /// while the first value lives).
    fn geodata_and_inputs() -> (tempfile::TempDir, PathBuf, PathBuf) {
        let tmp = tempfile::tempdir().unwrap();
        let data = tmp.path().join("geodata");
        crate::geodata::embedded::write_to(&data, true).unwrap();
        let inputs = tmp.path().join("in");
        std::fs::create_dir_all(&inputs).unwrap();
        (tmp, data, inputs)
    }

    fn options(data: &Path) -> ImportOptions {
        ImportOptions::new("plan", data)
    }

    const SMALL: &str = "[[37.0,48.0],[37.1,48.0],[37.1,48.1],[37.0,48.1],[37.0,48.0]]";
    const OTHER: &str = "[[37.0,48.0],[37.2,48.0],[37.2,48.1],[37.0,48.1],[37.0,48.0]]";
    const LARGE: &str = "[[35.0,47.0],[38.0,47.0],[38.0,49.0],[35.0,49.0],[35.0,47.0]]";
    /// Over Poland: outside the border.
    const OUTSIDE: &str = "[[19.0,51.0],[20.0,51.0],[20.0,52.0],[19.0,52.0],[19.0,51.0]]";

    #[test]
    fn the_import_plan_decides_each_case() {
        let (_tmp, data, inputs) = geodata_and_inputs();
        let opts = options(&data);

        // A new source, two dates with the same content: the second is a duplicate.
        let a = file(
            &inputs,
            "a.geojson",
            &[feature("2024-01-01", SMALL), feature("2024-01-02", SMALL)],
        );
        let r = import(Format::Geojson, std::slice::from_ref(&a), &opts).unwrap();
        assert_eq!(r.added.len(), 1, "{r:?}");
        assert_eq!(r.duplicates.len(), 1, "{r:?}");
        assert!(r.rejected.is_empty(), "{r:?}");

        // The same input again changes nothing.
        let r = import(Format::Geojson, std::slice::from_ref(&a), &opts).unwrap();
        assert!(r.added.is_empty() && r.replaced.is_empty(), "{r:?}");

        // Other content on an existing date: refused without replace, replaced with it.
        let b = file(&inputs, "b.geojson", &[feature("2024-01-01", OTHER)]);
        let r = import(Format::Geojson, std::slice::from_ref(&b), &opts).unwrap();
        assert_eq!(r.rejected.len(), 1, "{r:?}");
        assert!(r.replaced.is_empty());
        let mut replacing = opts.clone();
        replacing.replace = true;
        let r = import(Format::Geojson, std::slice::from_ref(&b), &replacing).unwrap();
        assert_eq!(r.replaced.len(), 1, "{r:?}");
        let history = data.join("sources/plan/.history");
        assert!(
            std::fs::read_dir(&history).unwrap().next().is_some(),
            "the old file is kept"
        );

        // Mostly outside the border: quarantined, not loaded.
        let c = file(&inputs, "c.geojson", &[feature("2024-02-01", OUTSIDE)]);
        let r = import(Format::Geojson, std::slice::from_ref(&c), &opts).unwrap();
        assert_eq!(r.rejected.len(), 1, "{r:?}");
        assert!(r.rejected[0].quarantined.is_some(), "{r:?}");

        // A change of the occupied area above max_change_km2: added, and flagged.
        let d = file(&inputs, "d.geojson", &[feature("2024-03-01", LARGE)]);
        let r = import(Format::Geojson, std::slice::from_ref(&d), &opts).unwrap();
        assert_eq!(r.added.len(), 1, "{r:?}");
        assert!(!r.added[0].flags.is_empty(), "{r:?}");

        // And the directory loads with every snapshot kept.
        let loaded = crate::Catalog::load(&data).unwrap();
        let dates: Vec<String> = loaded.sources["plan"]
            .snapshots
            .iter()
            .map(|s| s.date.to_string())
            .collect();
        assert!(
            dates.contains(&"2024-01-01".to_string()) && dates.contains(&"2024-03-01".to_string()),
            "{dates:?}"
        );
        assert!(!dates.contains(&"2024-02-01".to_string()), "{dates:?}");
    }

    /// A folder given to an archive importer: a file named like the archive's files but whose
    /// digits are no date (`deepstatemap_data_20220230`) is rejected with the reason, not passed
    /// over; other files are not inputs.
    #[test]
    fn an_archive_file_named_with_an_impossible_date_is_rejected_not_skipped() {
        let (_tmp, data, inputs) = geodata_and_inputs();
        let text = format!(
            r#"{{"type":"FeatureCollection","features":[{{"type":"Feature","properties":{{}},"geometry":{{"type":"MultiPolygon","coordinates":[[{SMALL}]]}}}}]}}"#
        );
        for name in [
            "deepstatemap_data_20240105.geojson",
            "deepstatemap_data_20220230.geojson",
            "README.md",
            "deepstatemap_data_2024010.geojson",
        ] {
            std::fs::write(inputs.join(name), &text).unwrap();
        }
        let r = import(
            Format::Deepstate,
            std::slice::from_ref(&inputs),
            &ImportOptions::new("ds", &data),
        )
        .unwrap();
        assert_eq!(r.files, 2, "{r:?}");
        assert_eq!(r.added.len(), 1, "{r:?}");
        assert_eq!(r.rejected.len(), 1, "{r:?}");
        assert!(
            r.rejected[0].file.ends_with("deepstatemap_data_20220230.geojson"),
            "{r:?}"
        );
        assert!(
            r.rejected[0]
                .reasons
                .iter()
                .any(|x| x.contains("deepstatemap_data_YYYYMMDD")),
            "{r:?}"
        );
        for (name, want) in [
            ("2022-02-30.json", true),
            ("2022-12-01.json.gz", true),
            ("2022-1-01.json", false),
            ("notes.json", false),
        ] {
            assert_eq!(nzz::has_archive_name(Path::new(name)), want, "{name}");
        }
    }

    /// A replacement (`--replace`) that the checks quarantine (mostly outside the border)
    /// replaces nothing: the date keeps its stored file, nothing goes to `.history/`.
    #[test]
    fn a_quarantined_replacement_leaves_the_stored_date_in_place() {
        let (_tmp, data, inputs) = geodata_and_inputs();
        let a = file(&inputs, "a.geojson", &[feature("2024-01-01", SMALL)]);
        let r = import(Format::Geojson, std::slice::from_ref(&a), &options(&data)).unwrap();
        assert_eq!(r.added.len(), 1, "{r:?}");
        let content = |data: &Path| {
            let cat = crate::Catalog::load(data).unwrap();
            cat.sources["plan"]
                .snapshots
                .iter()
                .find(|s| s.date.to_string() == "2024-01-01")
                .map(|s| s.content_sha256.clone())
        };
        let before = content(&data);
        assert!(before.is_some());
        let b = file(&inputs, "b.geojson", &[feature("2024-01-01", OUTSIDE)]);
        let mut replacing = options(&data);
        replacing.replace = true;
        let r = import(Format::Geojson, std::slice::from_ref(&b), &replacing).unwrap();
        assert!(r.replaced.is_empty(), "{r:?}");
        assert_eq!(r.rejected.len(), 1, "{r:?}");
        assert!(r.rejected[0].quarantined.is_some(), "{r:?}");
        assert_eq!(content(&data), before, "the date keeps its snapshot");
        let history = data.join("sources/plan/.history");
        assert!(
            !history.exists() || std::fs::read_dir(&history).unwrap().next().is_none(),
            "nothing was replaced, so nothing is kept in .history/"
        );
    }

    /// One file of two dates where only the second date's feature needed a repair (a clockwise
    /// ring, reversed): the repair is reported and recorded on that date only, and the first
    /// date has none, in the report and in its stored file.
    #[test]
    fn repairs_of_one_date_stay_with_that_date() {
        let (_tmp, data, inputs) = geodata_and_inputs();
        const OTHER_CLOCKWISE: &str = "[[37.0,48.0],[37.0,48.1],[37.2,48.1],[37.2,48.0],[37.0,48.0]]";
        let a = file(
            &inputs,
            "two-dates.geojson",
            &[feature("2024-01-01", SMALL), feature("2024-01-02", OTHER_CLOCKWISE)],
        );
        let r = import(Format::Geojson, std::slice::from_ref(&a), &options(&data)).unwrap();
        let dates: Vec<String> = r.added.iter().map(|x| x.date.to_string()).collect();
        assert_eq!(dates, ["2024-01-01", "2024-01-02"], "{r:?}");
        assert!(r.added[0].repairs.is_empty(), "{r:?}");
        assert_eq!(r.added[1].repairs.len(), 1, "{r:?}");
        assert!(r.added[1].repairs[0].contains("feature 1"), "{r:?}");
        assert!(r.added[1].repairs[0].contains("was clockwise"), "{r:?}");
        let stored = |date: &str| read_meta(&data.join(format!("sources/plan/{date}.geojson"))).unwrap();
        assert_eq!(stored("2024-01-01").get("repairs"), None);
        assert_eq!(stored("2024-01-02").get("repairs"), Some(&json!(r.added[1].repairs)));
    }

    /// A date repeating the day before once repaired is kept once, and its repairs are listed
    /// all the same (the report's `repairs`, with the outcome), in the same import and again.
    #[test]
    fn repairs_of_a_duplicate_and_of_an_unchanged_date_are_listed() {
        let (_tmp, data, inputs) = geodata_and_inputs();
        const SMALL_CLOCKWISE: &str = "[[37.0,48.0],[37.0,48.1],[37.1,48.1],[37.1,48.0],[37.0,48.0]]";
        let a = file(
            &inputs,
            "two-dates.geojson",
            &[feature("2024-01-01", SMALL), feature("2024-01-02", SMALL_CLOCKWISE)],
        );
        let r = import(Format::Geojson, std::slice::from_ref(&a), &options(&data)).unwrap();
        let dates: Vec<String> = r.added.iter().map(|x| x.date.to_string()).collect();
        assert_eq!(dates, ["2024-01-01"], "{r:?}");
        let day = |d: &str| NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap();
        assert_eq!(r.duplicates, [(day("2024-01-02"), day("2024-01-01"))]);
        let want = [
            "feature 1: ring 0 (exterior): ring was clockwise; reversed to counterclockwise (RFC 7946 right-hand rule)",
        ];
        let listed = |r: &ImportReport| -> Vec<(NaiveDate, RepairedOutcome, Vec<String>)> {
            r.repairs
                .iter()
                .map(|x| (x.date, x.outcome, x.repairs.clone()))
                .collect()
        };
        assert_eq!(
            listed(&r),
            [(
                day("2024-01-02"),
                RepairedOutcome::Duplicate,
                want.map(String::from).to_vec()
            )]
        );
        assert_eq!(r.repairs[0].original, r.added[0].original, "one input file, named once");
        // The kept file's repairs are its own snapshot's (none); the duplicate's are not moved into it.
        let kept = read_meta(&data.join("sources/plan/2024-01-01.geojson")).unwrap();
        assert_eq!(kept.get("repairs"), None);
        assert_eq!(kept.get("confirmed"), Some(&json!(["2024-01-02"])));

        let again = import(Format::Geojson, std::slice::from_ref(&a), &options(&data)).unwrap();
        assert_eq!(again.unchanged, [day("2024-01-01"), day("2024-01-02")]);
        assert_eq!(
            listed(&again),
            [(
                day("2024-01-02"),
                RepairedOutcome::Unchanged,
                want.map(String::from).to_vec()
            )]
        );
    }

    /// A source made by importing a publisher's format credits that publisher (its terms are in
    /// every answer); a plain GeoJSON import claims no credit.
    #[test]
    fn a_new_source_from_a_publishers_format_credits_the_publisher() {
        let (_tmp, data, inputs) = geodata_and_inputs();
        let day = inputs.join("deepstatemap_data_20240105.geojson");
        let text = format!(
            r#"{{"type":"FeatureCollection","features":[{{"type":"Feature","properties":{{}},"geometry":{{"type":"MultiPolygon","coordinates":[[{SMALL}]]}}}}]}}"#
        );
        std::fs::write(&day, text).unwrap();
        let r = import(
            Format::Deepstate,
            std::slice::from_ref(&day),
            &ImportOptions::new("ds", &data),
        )
        .unwrap();
        assert_eq!(r.added.len(), 1, "{r:?}");
        let plain = file(&inputs, "a.geojson", &[feature("2024-01-01", SMALL)]);
        let r = import(Format::Geojson, std::slice::from_ref(&plain), &options(&data)).unwrap();
        assert_eq!(r.added.len(), 1, "{r:?}");
        let cat = crate::Catalog::load(&data).unwrap();
        let ds = &cat.sources["ds"].terms;
        assert_eq!(ds.attribution.as_deref(), Some("© DeepStateMap"));
        assert_eq!(ds.url.as_deref(), Some("https://deepstatemap.live"));
        assert_eq!(ds.licence, None, "the publisher states none");
        assert_eq!(cat.sources["plan"].terms, crate::model::SourceTerms::default());
    }

    /// The formats whose maps leave Crimea out of their own drawing (NZZ) or whose sources are
    /// compared with ones that do (DeepState's own) compose with `crimea`.
    #[test]
    fn formats_name_their_default_baselines() {
        assert_eq!(Format::Nzz.default_baselines(), &["crimea"]);
        assert_eq!(Format::DeepstateApi.default_baselines(), &["crimea"]);
        assert!(Format::Deepstate.default_baselines().is_empty());
        assert!(Format::Geojson.default_baselines().is_empty());
    }
}
