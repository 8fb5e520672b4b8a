//! Reading a DeepStateMap archive file (`deepstatemap_data_YYYYMMDD.geojson`) as a snapshot.
//!
//! The archive's FeatureCollection holds the occupied territory (Crimea and the areas occupied
//! since 2014 included) as (Multi)Polygon features with empty properties, under a legacy CRS84
//! `crs` member. The snapshot's date is the date in the file name (the day the archive fetched
//! it). The full importer, with its checks and reports, is a separate stage.

use super::geometry::read_areal;
use super::report::{Report, Scope};
use super::{ControlFeature, FeatureProblem, FileProblem, Finding, Snapshot, content_sha256, parse_json, read_bytes};
use crate::model::{ControlStatus, Provenance};
use chrono::NaiveDate;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// The date in a `deepstatemap_data_YYYYMMDD.geojson` file name (or the same name + `.gz`).
pub fn date_from_file_name(path: &Path) -> Option<NaiveDate> {
    let name = super::name_without_gz(path)?;
    let digits = name.strip_prefix("deepstatemap_data_")?.strip_suffix(".geojson")?;
    if digits.len() != 8 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    NaiveDate::parse_from_str(digits, "%Y%m%d").ok()
}

/// Whether a file name has the archive's shape, `deepstatemap_data_` and 8 digits (`.geojson`,
/// or `.geojson.gz`), whether or not the digits are a date: an importer given a folder reads
/// every such file, so that `deepstatemap_data_20220230.geojson` is rejected with the reason
/// rather than passed over.
pub fn has_archive_name(path: &Path) -> bool {
    super::name_without_gz(path)
        .and_then(|n| {
            n.strip_prefix("deepstatemap_data_")?
                .strip_suffix(".geojson")
                .map(str::to_string)
        })
        .is_some_and(|d| d.len() == 8 && d.bytes().all(|b| b.is_ascii_digit()))
}

/// The archive files in `dir`, sorted by name (and so by date).
pub fn list_archive(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    list_dated(dir, date_from_file_name)
}

/// The files of `dir` whose names carry a date (per `date_of`), sorted by name. Shared by the
/// archive formats.
pub(crate) fn list_dated(dir: &Path, date_of: fn(&Path) -> Option<NaiveDate>) -> std::io::Result<Vec<PathBuf>> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)?
        .flatten()
        .map(|e| e.path())
        .filter(|p| date_of(p).is_some())
        .collect();
    out.sort();
    Ok(out)
}

/// Reads every archive file in `dir` as snapshots of `source` (in parallel), sorted by date; on
/// any problem, the report of all of them.
pub fn read_archive(dir: &Path, source: &str) -> Result<(Vec<Snapshot>, Report), Report> {
    read_files(dir, list_archive(dir), |p| {
        read_snapshot(p, &p.display().to_string(), source)
    })
}

/// Reads listed archive files with `read` (in parallel), sorted by date; on any problem, or when
/// the listing failed, the report of all of them. Shared by the archive formats.
pub(crate) fn read_files(
    dir: &Path,
    files: std::io::Result<Vec<PathBuf>>,
    read: impl Fn(&Path) -> (Option<Snapshot>, Report) + Sync,
) -> Result<(Vec<Snapshot>, Report), Report> {
    use rayon::prelude::*;
    let files = files.map_err(|e| {
        let mut r = Report::default();
        r.problems.push(Finding {
            file: dir.display().to_string(),
            feature: None,
            location: None,
            kind: FileProblem::CannotListArchive { error: e.to_string() }.into(),
        });
        r
    })?;
    let read: Vec<(Option<Snapshot>, Report)> = files.par_iter().map(|p| read(p)).collect();
    let mut report = Report::default();
    let mut out = Vec::with_capacity(read.len());
    for (s, r) in read {
        report.merge(r);
        out.extend(s);
    }
    if !report.is_ok() {
        return Err(report);
    }
    out.sort_by_key(|s| s.date);
    Ok((out, report))
}

/// A geodata set whose one source, `source`, is the archive in `dir` read in place, measured
/// against `border`, with no baselines (the archive includes Crimea and the areas occupied since
/// 2014). For tests and benchmarks on the shared archive.
pub fn archive_geodata(border: super::Border, dir: &Path, source: &str) -> Result<super::Geodata, Report> {
    let (snapshots, _) = read_archive(dir, source)?;
    Ok(super::Geodata {
        root: dir.to_path_buf(),
        sources: vec![super::Source {
            time_zone: crate::geodata::deepstate_api::DEFAULT_TIME_ZONE,
            terms: Default::default(),
            revised: Default::default(),
            publications: Vec::new(),
            name: source.to_string(),
            description: None,
            border: border.iso3.clone(),
            baselines: vec![],
            classes: crate::model::SourceClasses::deepstate_archive(),
            snapshots,
        }],
        borders: vec![border],
        baselines: vec![],
        regions: vec![],
        waters: vec![],
        default_source: Some(source.to_string()),
    })
}

/// A FeatureCollection file as read: its features, the dates the collection gives itself (a
/// foreign `date` member, `properties.date`; see [`super::policy::collection_dates`]) and the
/// file's SHA-256.
pub(crate) struct FeatureCollectionFile {
    /// The features.
    pub features: Vec<Value>,
    /// The collection's own dates, with the names they are shown by.
    pub dates: Vec<(&'static str, Value)>,
    /// The SHA-256 of the file's bytes.
    pub sha256: String,
}

impl FeatureCollectionFile {
    /// Problems of the collection's own dates against the snapshot's `date`, into `report`.
    pub fn check_dates(&self, date: NaiveDate, shown: &str, report: &mut Report) {
        for f in super::policy::collection_dates(&self.dates, date) {
            report.problems.push(Finding {
                file: shown.to_string(),
                ..f
            });
        }
    }
}

/// Reads a GeoJSON FeatureCollection file (a legacy `crs` only if CRS84), or the problems in
/// `report`. Shared by the DeepState and plain readers.
pub(crate) fn read_feature_collection(path: &Path, shown: &str, report: &mut Report) -> Option<FeatureCollectionFile> {
    let (bytes, sha256) = read_bytes(path, shown, report)?;
    let mut value = parse_json(&bytes, shown, report)?;
    let obj = value
        .as_object_mut()
        .filter(|o| o.get("type").and_then(Value::as_str) == Some("FeatureCollection"));
    let Some(obj) = obj else {
        report.problems.push(Finding {
            file: shown.to_string(),
            feature: None,
            location: None,
            kind: FileProblem::NotFeatureCollection.into(),
        });
        return None;
    };
    super::canonical::check_crs(obj, shown, report);
    let features = match obj.remove("features") {
        Some(Value::Array(f)) => f,
        _ => Vec::new(),
    };
    let mut dates = Vec::new();
    if let Some(d) = obj.remove("date") {
        dates.push(("date", d));
    }
    if let Some(d) = obj.get_mut("properties").and_then(|p| p.get_mut("date")) {
        dates.push(("properties.date", d.take()));
    }
    Some(FeatureCollectionFile {
        features,
        dates,
        sha256,
    })
}

/// Reads one archive file as a snapshot of `source`; every problem is in the report.
pub fn read_snapshot(path: &Path, shown: &str, source: &str) -> (Option<Snapshot>, Report) {
    read_snapshot_admitting(path, shown, source, false)
}

/// [`read_snapshot`], with a file without features read as an empty snapshot when
/// `allow_empty` (import `--allow-empty`); otherwise it is refused.
pub fn read_snapshot_admitting(
    path: &Path,
    shown: &str,
    source: &str,
    allow_empty: bool,
) -> (Option<Snapshot>, Report) {
    let mut report = Report::default();
    let out = (|| {
        let Some(date) = date_from_file_name(path) else {
            report.problems.push(Finding {
                file: shown.to_string(),
                feature: None,
                location: None,
                kind: FileProblem::NameNotDated {
                    pattern: "deepstatemap_data_YYYYMMDD.geojson",
                }
                .into(),
            });
            return None;
        };
        let file = read_feature_collection(path, shown, &mut report)?;
        file.check_dates(date, shown, &mut report);
        let FeatureCollectionFile { features, sha256, .. } = file;
        let mut out = Vec::with_capacity(features.len());
        for (i, f) in features.iter().enumerate() {
            let mut scope = Scope {
                file: shown,
                feature: Some(i),
                report: &mut report,
            };
            let geometry = f.get("geometry").and_then(|g| read_areal(g, &mut scope));
            if f.get("geometry").is_none_or(Value::is_null) {
                scope.problem(None, FeatureProblem::NoGeometry);
            }
            if let Some(geometry) = geometry {
                out.push(ControlFeature {
                    status: ControlStatus::Occupied,
                    geometry,
                    class: None,
                    date: None,
                });
            }
        }
        if out.is_empty() && report.is_ok() && !allow_empty {
            report.problems.push(Finding {
                file: shown.to_string(),
                feature: None,
                location: None,
                kind: FileProblem::EmptyArchiveFile { nothing: "no features" }.into(),
            });
        }
        if !report.is_ok() {
            return None;
        }
        let content_sha256 = content_sha256(&out);
        Some(Snapshot {
            source: source.to_string(),
            date,
            synthetic: false,
            features: out,
            published: None,
            published_at: None,
            provenance: Provenance {
                file: shown.to_string(),
                sha256,
                origin: Some("DeepStateMap archive".into()),
            },
            content_sha256,
        })
    })();
    (out, report)
}
