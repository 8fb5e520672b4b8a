//! Reading a plain GeoJSON FeatureCollection whose features each carry a `date` (YYYY-MM-DD) and
//! a `status` (`occupied` or `contested`) property: one snapshot per date found. The format for
//! an analyst's own data, or an export from another tool.

use super::geometry::read_areal;
use super::report::{Report, Scope};
use super::{ControlFeature, Finding, FindingKind, Snapshot, content_sha256};
use crate::model::{ControlStatus, Provenance, parse_date};
use chrono::NaiveDate;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

/// Reads one file as snapshots of `source`, one per date, in date order; every problem is in the
/// report, and on any problem there are no snapshots.
pub fn read_file(path: &Path, shown: &str, source: &str) -> (Vec<Snapshot>, Report) {
    let mut report = Report::default();
    let out = (|| {
        let (features, sha256) = super::deepstate::read_feature_collection(path, shown, &mut report)?;
        if features.is_empty() {
            report.problems.push(Finding {
                file: shown.to_string(),
                feature: None,
                location: None,
                kind: FindingKind::from("no features: a plain GeoJSON file takes its snapshots' dates from its features, so an empty one names no snapshot"),
            });
            return None;
        }
        let mut by_date: BTreeMap<NaiveDate, Vec<ControlFeature>> = BTreeMap::new();
        for (i, f) in features.iter().enumerate() {
            let mut scope = Scope {
                file: shown,
                feature: Some(i),
                report: &mut report,
            };
            let prop = |k: &str| f.pointer(&format!("/properties/{k}")).and_then(Value::as_str);
            let date = match prop("date").map(parse_date) {
                Some(Ok(d)) => Some(d),
                Some(Err(e)) => {
                    scope.problem(None, format!("properties.date: {e}"));
                    None
                }
                None => {
                    scope.problem(None, "properties.date is missing (YYYY-MM-DD)");
                    None
                }
            };
            let status = match prop("status") {
                Some(s) => {
                    let st = ControlStatus::parse(s);
                    if st.is_none() {
                        scope.problem(None, format!("unknown status '{s}'; expected occupied or contested"));
                    }
                    st
                }
                None => {
                    scope.problem(None, "properties.status is missing (occupied or contested)");
                    None
                }
            };
            let geometry = match f.get("geometry").filter(|g| !g.is_null()) {
                Some(g) => read_areal(g, &mut scope),
                None => {
                    scope.problem(None, "feature has no geometry");
                    None
                }
            };
            if let (Some(date), Some(status), Some(geometry)) = (date, status, geometry) {
                by_date.entry(date).or_default().push(ControlFeature {
                    status,
                    geometry,
                    class: None,
                });
            }
        }
        if !report.is_ok() {
            return None;
        }
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
    (out.unwrap_or_default(), report)
}
