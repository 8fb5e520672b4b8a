//! Reading a plain GeoJSON FeatureCollection whose features each carry a `date` (YYYY-MM-DD) and
//! a `status` (`occupied` or `contested`) property: one snapshot per date found. The format for
//! an analyst's own data, or an export from another tool.

use super::geometry::read_areal;
use super::report::{Report, Scope};
use super::{ControlFeature, FeatureProblem, FileProblem, Finding, Snapshot, content_sha256};
use crate::model::{ControlStatus, Provenance, parse_date};
use chrono::NaiveDate;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

/// Reads one file as snapshots of `source`, one per date, in date order; every problem is in the
/// report, and on any problem there are no snapshots.
pub fn read_file(path: &Path, shown: &str, source: &str) -> (Vec<Snapshot>, Report) {
    let (snapshots, report) = read_file_admitting(path, shown, source, false);
    (snapshots.into_iter().map(|(s, _)| s).collect(), report)
}

/// The date a file name gives (`2024-03-01.geojson`, `.json`, either gzipped), if it gives one.
fn date_from_file_name(path: &Path) -> Option<NaiveDate> {
    let name = super::name_without_gz(path)?;
    let stem = name.strip_suffix(".geojson").or_else(|| name.strip_suffix(".json"))?;
    parse_date(stem).ok()
}

/// [`read_file`], with a FeatureCollection without features admitted when `allow_empty` (import
/// `--allow-empty`) as one empty snapshot of the date its file name gives (`YYYY-MM-DD.geojson`):
/// its features name no date. Otherwise it is refused, saying how to admit it.
///
/// Each snapshot comes with the repairs of its own features (the report lists every repair of
/// the file): a file of several dates where one feature needed a repair has that repair on the
/// feature's date only.
pub fn read_file_admitting(
    path: &Path,
    shown: &str,
    source: &str,
    allow_empty: bool,
) -> (Vec<(Snapshot, Vec<Finding>)>, Report) {
    let mut report = Report::default();
    // The date of each feature of the file, by its index (`None`: it has no valid date).
    let mut feature_dates: Vec<Option<NaiveDate>> = Vec::new();
    let out = (|| {
        let file = super::deepstate::read_feature_collection(path, shown, &mut report)?;
        if file.features.is_empty() {
            let date = date_from_file_name(path).filter(|_| allow_empty);
            let Some(date) = date else {
                report.problems.push(Finding {
                    file: shown.to_string(),
                    feature: None,
                    location: None,
                    kind: FileProblem::EmptyPlainFile { allow_empty }.into(),
                });
                return None;
            };
            file.check_dates(date, shown, &mut report);
            if !report.is_ok() {
                return None;
            }
            return Some(vec![Snapshot {
                source: source.to_string(),
                date,
                synthetic: false,
                content_sha256: content_sha256(&[]),
                published: None,
                published_at: None,
                features: Vec::new(),
                provenance: Provenance {
                    file: shown.to_string(),
                    sha256: file.sha256,
                    origin: Some("GeoJSON FeatureCollection without features, dated by its file name".into()),
                },
            }]);
        }
        let mut by_date: BTreeMap<NaiveDate, Vec<ControlFeature>> = BTreeMap::new();
        for (i, f) in file.features.iter().enumerate() {
            let mut scope = Scope {
                file: shown,
                feature: Some(i),
                report: &mut report,
            };
            let prop = |k: &str| f.pointer(&format!("/properties/{k}")).and_then(Value::as_str);
            let date = match prop("date").map(parse_date) {
                Some(Ok(d)) => Some(d),
                Some(Err(e)) => {
                    scope.problem(None, FeatureProblem::DateInvalid { reason: e });
                    None
                }
                None => {
                    scope.problem(None, FeatureProblem::DateMissing);
                    None
                }
            };
            let status = match prop("status") {
                Some(s) => {
                    let st = ControlStatus::parse(s);
                    if st.is_none() {
                        scope.problem(None, FeatureProblem::UnknownStatus(s.to_string()));
                    }
                    st
                }
                None => {
                    scope.problem(None, FeatureProblem::StatusMissing);
                    None
                }
            };
            // A legacy `crs` on the feature: the one rule, as on the collection and the geometry.
            let crs_refused = match f.as_object().map(super::canonical::check_crs_member) {
                Some(Err(p)) => {
                    scope.problem(None, p);
                    true
                }
                _ => false,
            };
            let geometry = match f.get("geometry").filter(|g| !g.is_null()) {
                _ if crs_refused => None,
                Some(g) => read_areal(g, &mut scope),
                None => {
                    scope.problem(None, FeatureProblem::NoGeometry);
                    None
                }
            };
            feature_dates.push(date);
            if let (Some(date), Some(status), Some(geometry)) = (date, status, geometry) {
                // The feature's date is its snapshot's (kept as the snapshot's date).
                by_date.entry(date).or_default().push(ControlFeature {
                    status,
                    geometry,
                    class: None,
                    date: None,
                });
            }
        }
        // A date the collection gives itself must be each snapshot's: the file holds one date then.
        for date in by_date.keys() {
            file.check_dates(*date, shown, &mut report);
        }
        if !report.is_ok() {
            return None;
        }
        let sha256 = file.sha256;
        Some(
            by_date
                .into_iter()
                .map(|(date, features)| Snapshot {
                    source: source.to_string(),
                    date,
                    synthetic: false,
                    content_sha256: content_sha256(&features),
                    published: None,
                    published_at: None,
                    features,
                    provenance: Provenance {
                        file: shown.to_string(),
                        sha256: sha256.clone(),
                        origin: Some("GeoJSON FeatureCollection (date and status per feature)".into()),
                    },
                })
                .collect(),
        )
    })();
    let snapshots = out
        .unwrap_or_default()
        .into_iter()
        .map(|s| {
            let own = report
                .repairs
                .iter()
                .filter(|f| {
                    f.feature
                        .is_none_or(|i| feature_dates.get(i).copied().flatten() == Some(s.date))
                })
                .cloned()
                .collect();
            (s, own)
        })
        .collect();
    (snapshots, report)
}
