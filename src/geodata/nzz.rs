//! Reading an NZZ day-by-day map archive file (`YYYY-MM-DD.json`, data from Liveuamap, archived
//! by conflict-investigations/nzz-maps) as a snapshot.
//!
//! A file is `{"value": FeatureCollection}`; each feature has `properties.type` `nochange`
//! (occupied throughout its period), `gains` (newly occupied) or `losses` (occupied at the start
//! of the period, no longer at its end). The occupied area at the end of the period is
//! union(nochange, gains); losses are read, checked and left out. NZZ omits Crimea: a source read
//! from this archive composes with a Crimea baseline. The snapshot's date is the file name's;
//! where a feature's `properties.date` says otherwise the difference is reported.
//!
//! Some features are not valid polygons (self-touching or crossing rings): their area is taken as
//! the nonzero-winding union of their rings, the rule of the union that builds the occupied area
//! anyway, and each such feature is reported as repaired with what was wrong.

use super::geometry::read_areal_unvalidated;
use super::report::{Report, Scope};
use super::{
    ControlFeature, FeatureProblem, FileProblem, Finding, FindingKind, Snapshot, content_sha256, parse_json, read_bytes,
};
use crate::coverage::{OverlayRule, overlay};
use crate::model::{ControlStatus, Provenance};
use chrono::NaiveDate;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// The date in a `YYYY-MM-DD.json` file name (or the same name + `.gz`).
pub fn date_from_file_name(path: &Path) -> Option<NaiveDate> {
    let name = super::name_without_gz(path)?;
    let stem = name.strip_suffix(".json")?;
    if stem.len() != 10 {
        return None;
    }
    crate::model::parse_date(stem).ok()
}

/// Whether a file name has the archive's shape, `DDDD-DD-DD.json` (or `.json.gz`), whether or
/// not it is a date: an importer given a folder reads every such file, so that
/// `2022-02-30.json` is rejected with the reason rather than passed over.
pub fn has_archive_name(path: &Path) -> bool {
    super::name_without_gz(path)
        .and_then(|n| n.strip_suffix(".json").map(str::to_string))
        .is_some_and(|stem| {
            stem.len() == 10
                && stem.bytes().enumerate().all(|(i, b)| {
                    if i == 4 || i == 7 {
                        b == b'-'
                    } else {
                        b.is_ascii_digit()
                    }
                })
        })
}

/// The archive files in `dir`, sorted by name (and so by date).
pub fn list_archive(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    super::deepstate::list_dated(dir, date_from_file_name)
}

/// Reads every archive file in `dir` as snapshots of `source` (in parallel), sorted by date; on
/// any problem, the report of all of them.
pub fn read_archive(dir: &Path, source: &str) -> Result<(Vec<Snapshot>, Report), Report> {
    super::deepstate::read_files(dir, list_archive(dir), |p| {
        read_snapshot(p, &p.display().to_string(), source)
    })
}

/// A geodata set whose one source, `source`, is the NZZ archive in `dir` read in place, measured
/// against `border` and composed with `baselines` (NZZ omits Crimea). For tests and benchmarks on
/// the shared archive.
pub fn archive_geodata(
    border: super::Border,
    baselines: Vec<super::Baseline>,
    dir: &Path,
    source: &str,
) -> Result<(super::Geodata, Report), Report> {
    let (snapshots, report) = read_archive(dir, source)?;
    let geodata = super::Geodata {
        root: dir.to_path_buf(),
        sources: vec![super::Source {
            time_zone: crate::geodata::deepstate_api::DEFAULT_TIME_ZONE,
            terms: Default::default(),
            revised: Default::default(),
            publications: Vec::new(),
            name: source.to_string(),
            description: None,
            border: border.iso3.clone(),
            baselines: baselines.iter().map(|b| b.name.clone()).collect(),
            classes: crate::model::SourceClasses::nzz_archive(),
            snapshots,
        }],
        borders: vec![border],
        baselines,
        regions: vec![],
        waters: vec![],
        default_source: Some(source.to_string()),
    };
    Ok((geodata, report))
}

/// The kinds of feature in an NZZ file.
const KINDS: [&str; 3] = ["nochange", "gains", "losses"];

/// Reads one archive file as a snapshot of `source`; every problem and repair is in the report.
pub fn read_snapshot(path: &Path, shown: &str, source: &str) -> (Option<Snapshot>, Report) {
    read_snapshot_admitting(path, shown, source, false)
}

/// [`read_snapshot`], with a file without an occupied area read as an empty snapshot when
/// `allow_empty` (import `--allow-empty`); otherwise it is refused.
pub fn read_snapshot_admitting(
    path: &Path,
    shown: &str,
    source: &str,
    allow_empty: bool,
) -> (Option<Snapshot>, Report) {
    let mut report = Report::default();
    let file_problem = |report: &mut Report, kind: FileProblem| {
        report.problems.push(Finding {
            file: shown.to_string(),
            feature: None,
            location: None,
            kind: kind.into(),
        });
    };
    let out = (|| {
        let Some(date) = date_from_file_name(path) else {
            file_problem(
                &mut report,
                FileProblem::NameNotDated {
                    pattern: "YYYY-MM-DD.json",
                },
            );
            return None;
        };
        let (bytes, sha256) = read_bytes(path, shown, &mut report)?;
        let value = parse_json(&bytes, shown, &mut report)?;
        let fc = value
            .get("value")
            .filter(|v| v.get("type").and_then(Value::as_str) == Some("FeatureCollection"));
        let Some(fc) = fc else {
            file_problem(&mut report, FileProblem::NotNzz);
            return None;
        };
        let Some(features) = fc.get("features").and_then(Value::as_array) else {
            file_problem(&mut report, FileProblem::NzzFeaturesNotArray);
            return None;
        };
        if let Some(Err(p)) = fc.as_object().map(super::canonical::check_crs_member) {
            file_problem(&mut report, p);
            return None;
        }
        let mut occupied = Vec::new();
        let mut content_dates = std::collections::BTreeSet::new();
        for (i, f) in features.iter().enumerate() {
            let mut scope = Scope {
                file: shown,
                feature: Some(i),
                report: &mut report,
            };
            let props = f.get("properties");
            let kind = props.and_then(|p| p.get("type")).and_then(Value::as_str);
            let Some(kind) = kind.filter(|k| KINDS.contains(k)) else {
                scope.problem(
                    None,
                    FeatureProblem::UnknownType {
                        found: kind.map(str::to_string),
                        expected: &KINDS,
                    },
                );
                continue;
            };
            if let Some(d) = props.and_then(|p| p.get("date")).and_then(Value::as_str) {
                content_dates.insert(d.get(..10).unwrap_or(d).to_string());
            }
            let Some(geometry) = f.get("geometry").filter(|g| !g.is_null()) else {
                scope.problem(None, FeatureProblem::NoGeometry);
                continue;
            };
            let Some(mp) = read_areal_unvalidated(geometry, &mut scope) else {
                continue;
            };
            if kind == "losses" {
                continue;
            }
            let invalid = super::validity::problems(&mp);
            if let Some(first) = invalid.first() {
                scope.repair(
                    None,
                    FindingKind::UnitedInvalid {
                        feature_kind: kind.to_string(),
                        first: first.clone(),
                        more: invalid.len() - 1,
                    },
                );
            }
            occupied.extend(mp.0);
        }
        // The archive draws exteriors clockwise: one line per file instead of one per ring.
        let reversed = report.repairs.iter().filter(|f| is_reversal(&f.kind)).count();
        if reversed > 0 {
            report.repairs.retain(|f| !is_reversal(&f.kind));
            report.repairs.push(Finding {
                file: shown.to_string(),
                feature: None,
                location: None,
                kind: FindingKind::RingsReversed(reversed),
            });
        }
        let other_dates: Vec<&String> = content_dates.iter().filter(|d| **d != date.to_string()).collect();
        if !other_dates.is_empty() {
            report.repairs.push(Finding {
                file: shown.to_string(),
                feature: None,
                location: None,
                kind: FindingKind::ContentDates {
                    dates: other_dates.iter().map(|d| d.to_string()).collect(),
                    file_date: date,
                },
            });
        }
        if !report.is_ok() {
            return None;
        }
        // Exact vertices: every vertex that is not a crossing of two polygons keeps its input
        // coordinates bit for bit (only the crossings the union creates are grid points).
        let [mut union] = overlay(&occupied, &[], [OverlayRule::Subject], true);
        // As a canonical file would read it back, so that an imported copy has the same content hash.
        super::geometry::normalize_orientation(&mut union);
        if union.0.is_empty() && !allow_empty {
            file_problem(
                &mut report,
                FileProblem::EmptyArchiveFile {
                    nothing: "no occupied area (no nochange or gains feature)",
                },
            );
            return None;
        }
        for err in super::validity::problems(&union) {
            file_problem(
                &mut report,
                FileProblem::UnionInvalid {
                    of: "nochange and gains".into(),
                    problem: err,
                },
            );
        }
        if !report.is_ok() {
            return None;
        }
        let features = if union.0.is_empty() {
            Vec::new()
        } else {
            vec![ControlFeature {
                status: ControlStatus::Occupied,
                geometry: union,
                class: None,
                date: None,
            }]
        };
        // The union keeps the input vertices but adds its crossings (grid points, within about
        // 4e-10 degrees of the published edges): points are located against the published
        // polygons, whose nonzero-winding union it is (an import keeps them in the canonical
        // file's `frontline.published`).
        let published = vec![ControlFeature {
            status: ControlStatus::Occupied,
            geometry: geo::MultiPolygon(occupied),
            class: None,
            date: None,
        }];
        let content_sha256 = content_sha256(&features);
        Some(Snapshot {
            source: source.to_string(),
            date,
            synthetic: false,
            features,
            published: Some(published),
            published_at: None,
            provenance: Provenance {
                file: shown.to_string(),
                sha256,
                origin: Some(
                    "NZZ day-by-day map (Liveuamap data), nzz-maps archive; occupied = union(nochange, gains)".into(),
                ),
            },
            content_sha256,
        })
    })();
    (out, report)
}

/// A ring reversed to the RFC 7946 orientation, alone or counted.
fn is_reversal(kind: &FindingKind) -> bool {
    matches!(kind, FindingKind::RingReversed { .. } | FindingKind::RingsReversed(_))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap_or_default();
        p
    }

    fn feature(kind: &str, ring: &str) -> String {
        format!(
            r#"{{"type":"Feature","properties":{{"type":"{kind}","date":"2022-03-01"}},"geometry":{{"type":"Polygon","coordinates":[{ring}]}}}}"#
        )
    }

    #[test]
    fn occupied_is_the_union_of_nochange_and_gains_without_losses() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| unreachable!("{e}"));
        let fc = format!(
            r#"{{"value":{{"type":"FeatureCollection","features":[{},{},{}]}}}}"#,
            feature("nochange", "[[0,0],[2,0],[2,2],[0,2],[0,0]]"),
            feature("gains", "[[1,0],[3,0],[3,2],[1,2],[1,0]]"),
            feature("losses", "[[5,0],[6,0],[6,1],[5,1],[5,0]]"),
        );
        let p = write(dir.path(), "2022-03-01.json", &fc);
        let (s, r) = read_snapshot(&p, "2022-03-01.json", "nzz");
        assert!(r.is_ok(), "{:?}", r.problems);
        let s = s.unwrap_or_else(|| unreachable!());
        assert_eq!(s.date, NaiveDate::from_ymd_opt(2022, 3, 1).unwrap_or_default());
        assert_eq!(s.features.len(), 1);
        let planar: f64 = geo::Area::unsigned_area(&s.features[0].geometry);
        assert!((planar - 6.0).abs() < 1e-9, "{planar}");
        assert!(r.repairs.is_empty(), "{:?}", r.repairs);
    }

    /// The union keeps every input vertex that is not a crossing bit for bit (38.1 stays 38.1,
    /// not i_overlay's grid point 38.099999994...); only the crossings are new.
    #[test]
    fn the_union_keeps_input_vertices_exactly() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| unreachable!("{e}"));
        let fc = format!(
            r#"{{"value":{{"type":"FeatureCollection","features":[{},{}]}}}}"#,
            feature(
                "nochange",
                "[[38.0,47.7],[38.1,47.7],[38.1,47.8],[38.0,47.8],[38.0,47.7]]"
            ),
            feature(
                "gains",
                "[[38.05,47.75],[38.3,47.75],[38.3,47.9],[38.05,47.9],[38.05,47.75]]"
            ),
        );
        let p = write(dir.path(), "2022-03-01.json", &fc);
        let (s, r) = read_snapshot(&p, "2022-03-01.json", "nzz");
        assert!(r.is_ok(), "{:?}", r.problems);
        let s = s.unwrap_or_else(|| unreachable!());
        let out: Vec<(u64, u64)> = s.features[0].geometry.0[0]
            .exterior()
            .0
            .iter()
            .map(|c| (c.x.to_bits(), c.y.to_bits()))
            .collect();
        let kept = [
            (38.0, 47.7),
            (38.1, 47.7),
            (38.0, 47.8),
            (38.3, 47.75),
            (38.3, 47.9),
            (38.05, 47.9),
        ];
        for (x, y) in kept {
            assert!(
                out.contains(&(f64::to_bits(x), f64::to_bits(y))),
                "({x}, {y}) not kept exactly: {:?}",
                s.features[0].geometry
            );
        }
    }

    #[test]
    fn an_invalid_feature_is_repaired_and_reported_and_other_dates_noted() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| unreachable!("{e}"));
        // A bow tie: two triangles meeting at (1, 1).
        let fc = format!(
            r#"{{"value":{{"type":"FeatureCollection","features":[{}]}}}}"#,
            feature("gains", "[[0,0],[2,2],[2,0],[0,2],[0,0]]"),
        );
        let p = write(dir.path(), "2022-03-04.json", &fc);
        let (s, r) = read_snapshot(&p, "2022-03-04.json", "nzz");
        assert!(r.is_ok(), "{:?}", r.problems);
        let area = geo::Area::unsigned_area(&s.unwrap_or_else(|| unreachable!()).features[0].geometry);
        assert!((area - 2.0).abs() < 1e-9, "{area}");
        let text: Vec<String> = r.repairs.iter().map(|f| f.to_string()).collect();
        assert!(text.iter().any(|t| t.contains("invalid gains geometry")), "{text:?}");
        assert!(
            text.iter()
                .any(|t| t.contains("dated 2022-03-01 but the file 2022-03-04")),
            "{text:?}"
        );
    }

    #[test]
    fn bad_files_are_refused_with_reasons() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| unreachable!("{e}"));
        let cases = [
            (
                r#"{"type":"FeatureCollection","features":[]}"#,
                "expected {\"value\": FeatureCollection}",
            ),
            (
                &format!(
                    r#"{{"value":{{"type":"FeatureCollection","features":[{}]}}}}"#,
                    feature("won", "[[0,0],[1,0],[1,1],[0,0]]")
                ),
                "properties.type is 'won'",
            ),
            (
                &format!(
                    r#"{{"value":{{"type":"FeatureCollection","features":[{}]}}}}"#,
                    feature("losses", "[[0,0],[1,0],[1,1],[0,0]]")
                ),
                "no occupied area",
            ),
            (
                &format!(
                    r#"{{"value":{{"type":"FeatureCollection","features":[{}]}}}}"#,
                    feature("gains", "[[0,0],[1,0],[1],[0,0]]")
                ),
                "position",
            ),
        ];
        for (text, want) in cases {
            let p = write(dir.path(), "2022-03-01.json", text);
            let (s, r) = read_snapshot(&p, "2022-03-01.json", "nzz");
            assert!(s.is_none(), "{want}");
            let all: Vec<String> = r.problems.iter().map(|f| f.to_string()).collect();
            assert!(all.iter().any(|t| t.contains(want)), "want '{want}' in {all:?}");
        }
    }
}
