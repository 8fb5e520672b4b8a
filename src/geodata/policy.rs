//! What a new snapshot must satisfy to be admitted by ingest (`POST /v1/snapshots`) or by
//! `frontline import` (and so `sync`): one policy for both paths, on top of the validation that
//! every load applies.
//!
//! - **Dates** lie in a window: by default not before the border's own `valid_from` (1900-01-01
//!   where the border file gives none) and not after tomorrow, UTC. `--not-before` and
//!   `--not-after` (CLI and `serve`) move either end.
//! - **Empty snapshots** (no feature) say that nothing is occupied: admitted only when asked for
//!   explicitly (`allow_empty=true` over HTTP, `--allow-empty` for import).
//! - **Feature dates**: a feature's own `properties.date`, where it has one, must be a valid
//!   `YYYY-MM-DD` date (2022-02-30 is refused) inside the same window as the snapshot's date
//!   (0000-01-01 is refused); a date other than the snapshot's is admitted and flagged (in the
//!   answer and in the stored file's `frontline.flags`, which keep the date); `null` is
//!   admitted and flagged too (the feature gives no date: the snapshot's is used, as for a
//!   feature without the member). The date is kept with the feature in the stored file.
//!   `frontline import geojson` takes each feature's date as its snapshot's, so there the
//!   window applies to it directly and `null` is a missing date.
//! - **Collection dates**: a date the FeatureCollection gives itself beside `frontline` (a
//!   foreign `date` member, `properties.date`) must be a valid date and the snapshot's: it
//!   dates the whole snapshot, so one other than the snapshot's is refused, not flagged
//!   ([`collection_dates`]; every reader of a snapshot applies it, load included).
//!
//! Edges spanning more than 180 degrees of longitude and the repairs made (ring closing within
//! 1e-9 degrees, orientation) are found by the reader itself (see `geometry.rs`), so load,
//! import and ingest agree on them; the admission paths list every repair.

use super::{Border, FeatureProblem, FileProblem, Finding};
use crate::model::parse_date;
use chrono::NaiveDate;
use serde_json::Value;

/// Earliest date admitted when the border file does not say from when it is valid.
pub const FALLBACK_NOT_BEFORE: NaiveDate = match NaiveDate::from_ymd_opt(1900, 1, 1) {
    Some(d) => d,
    None => NaiveDate::MIN,
};

/// The dates admitted for new snapshots, as configured (`None`: the default of that end).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DateWindowConfig {
    /// Earliest date admitted; default: the border's `valid_from`.
    pub not_before: Option<NaiveDate>,
    /// Latest date admitted; default: tomorrow, UTC.
    pub not_after: Option<NaiveDate>,
}

/// The dates admitted for new snapshots of a source, both ends inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateWindow {
    /// Earliest date admitted.
    pub not_before: NaiveDate,
    /// Latest date admitted.
    pub not_after: NaiveDate,
    /// What the lower end is (for the message).
    lower_is: &'static str,
    /// What the upper end is (for the message).
    upper_is: &'static str,
}

impl DateWindowConfig {
    /// The window for a source measured against `border`, on `today` (UTC).
    pub fn window(&self, border: &Border, today: NaiveDate) -> DateWindow {
        self.window_from(border.valid_from, today)
    }

    /// The window for a border valid from `valid_from` (`None`: not known, or not stated), on
    /// `today` (UTC).
    pub fn window_from(&self, valid_from: Option<NaiveDate>, today: NaiveDate) -> DateWindow {
        let (not_before, lower_is) = match (self.not_before, valid_from) {
            (Some(d), _) => (d, "--not-before"),
            (None, Some(d)) => (d, "the border's valid_from"),
            (None, None) => (
                FALLBACK_NOT_BEFORE,
                "the fixed lower end: the border states no valid_from",
            ),
        };
        let (not_after, upper_is) = match self.not_after {
            Some(d) => (d, "--not-after"),
            None => (today.succ_opt().unwrap_or(today), "tomorrow (UTC)"),
        };
        DateWindow {
            not_before,
            not_after,
            lower_is,
            upper_is,
        }
    }
}

impl DateWindow {
    /// `Err` with the reason when `date` lies outside the window.
    pub fn check(&self, date: NaiveDate) -> Result<(), String> {
        if date < self.not_before {
            return Err(format!(
                "date {date} is before {} ({}), the earliest date admitted; set --not-before to admit it",
                self.not_before, self.lower_is
            ));
        }
        if date > self.not_after {
            return Err(format!(
                "date {date} is after {} ({}), the latest date admitted; set --not-after to admit it",
                self.not_after, self.upper_is
            ));
        }
        Ok(())
    }
}

/// Today's date, UTC.
pub fn today_utc() -> NaiveDate {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    chrono::DateTime::from_timestamp(secs as i64, 0).map_or_else(NaiveDate::default, |t| t.date_naive())
}

/// The refusal of an empty snapshot, unless `allow_empty`.
pub fn check_empty(features: usize, allow_empty: bool, how_to_allow: &str) -> Result<(), String> {
    if features == 0 && !allow_empty {
        return Err(format!(
            "the snapshot has no feature: it would say that nothing is occupied or contested from its date on; if that is meant, add {how_to_allow}"
        ));
    }
    Ok(())
}

/// The flag written for an empty snapshot that was admitted.
pub const EMPTY_ADMITTED: &str = "empty snapshot admitted on request (allow_empty): nothing occupied or contested";

/// Problems (impossible or malformed dates, dates outside `window`) and flags (dates other than
/// the snapshot's, `null`) of the `properties.date` members of the features that have one (with
/// the feature's index), as typed findings of the features (no file: the caller names where the
/// features came from); rendered where every finding is ([`super::FeatureProblem`]'s `Display`).
pub fn feature_dates(dates: &[(usize, Value)], date: NaiveDate, window: &DateWindow) -> (Vec<Finding>, Vec<Finding>) {
    let (mut problems, mut flags) = (Vec::new(), Vec::new());
    let finding = |i: usize, kind: FeatureProblem| Finding {
        file: String::new(),
        feature: Some(i),
        location: None,
        kind: kind.into(),
    };
    for (i, v) in dates.iter().map(|(i, v)| (*i, v)) {
        if v.is_null() {
            flags.push(finding(i, FeatureProblem::DateNull { snapshot: date }));
            continue;
        }
        let Some(s) = v.as_str() else {
            problems.push(finding(i, FeatureProblem::DateNotString(v.to_string())));
            continue;
        };
        match parse_date(s) {
            Err(e) => problems.push(finding(i, FeatureProblem::DateInvalid { reason: e.to_string() })),
            Ok(d) if let Err(reason) = window.check(d) => {
                problems.push(finding(i, FeatureProblem::DateOutsideWindow { reason }));
            }
            Ok(d) if d != date => flags.push(finding(
                i,
                FeatureProblem::OtherDate {
                    date: d,
                    snapshot: date,
                },
            )),
            Ok(_) => {}
        }
    }
    (problems, flags)
}

/// Problems of the dates a FeatureCollection gives itself outside its `frontline` member
/// (`members`: a foreign `date`, `properties.date`, with the names shown): each must be a valid
/// `YYYY-MM-DD` date and be `snapshot`'s, the date it dates the whole snapshot with. `null`
/// gives no date. Findings of the whole file, without its name (the caller names it).
pub fn collection_dates(members: &[(&'static str, Value)], snapshot: NaiveDate) -> Vec<Finding> {
    let finding = |kind: FileProblem| Finding {
        file: String::new(),
        feature: None,
        location: None,
        kind: kind.into(),
    };
    let mut problems = Vec::new();
    for (member, v) in members.iter().map(|(m, v)| (*m, v)) {
        let problem = match v {
            Value::Null => continue,
            Value::String(s) => match parse_date(s) {
                Err(reason) => FileProblem::CollectionDateInvalid { member, reason },
                Ok(date) if date != snapshot => FileProblem::CollectionDateMismatch { member, date, snapshot },
                Ok(_) => continue,
            },
            other => FileProblem::CollectionDateNotString {
                member,
                value: other.to_string(),
            },
        };
        problems.push(finding(problem));
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn d(s: &str) -> NaiveDate {
        parse_date(s).unwrap_or_default()
    }

    fn border(valid_from: Option<NaiveDate>) -> Border {
        Border {
            iso3: "UKR".into(),
            name: "Ukraine".into(),
            geometry: geo::MultiPolygon(vec![]),
            provenance: crate::model::Provenance {
                file: "b".into(),
                sha256: String::new(),
                origin: None,
            },
            synthetic: false,
            valid_from,
        }
    }

    #[test]
    fn window_defaults_to_the_border_and_tomorrow() {
        let w = DateWindowConfig::default().window(&border(Some(d("1991-08-24"))), d("2026-11-30"));
        assert!(w.check(d("1991-08-24")).is_ok());
        assert!(w.check(d("2026-12-01")).is_ok());
        let e = w.check(d("0001-01-01")).unwrap_err();
        assert!(e.contains("before 1991-08-24 (the border's valid_from)"), "{e}");
        let e = w.check(d("2026-12-02")).unwrap_err();
        assert!(e.contains("after 2026-12-01 (tomorrow (UTC))"), "{e}");
        let w = DateWindowConfig::default().window(&border(None), d("2026-11-30"));
        assert!(w.check(d("1899-12-31")).is_err() && w.check(d("1900-01-01")).is_ok());
        let w = DateWindowConfig {
            not_before: Some(d("0001-01-01")),
            not_after: Some(d("9999-12-31")),
        }
        .window(&border(Some(d("1991-08-24"))), d("2026-11-30"));
        assert!(w.check(d("0001-01-01")).is_ok() && w.check(d("9999-12-31")).is_ok());
    }

    #[test]
    fn feature_dates_are_strict_and_flagged_when_other() {
        let fs = vec![
            (0, json!("2022-02-30")),
            (1, json!("2023-01-15")),
            (2, json!("2024-12-01")),
            (3, json!(20241201)),
            (4, json!("0000-01-01")),
            (5, Value::Null),
            (6, json!("2026-12-02")),
            (7, json!("1991-08-24")),
        ];
        let window = DateWindowConfig::default().window(&border(Some(d("1991-08-24"))), d("2026-11-30"));
        let (p, f) = feature_dates(&fs, d("2024-12-01"), &window);
        assert!(matches!(
            p[0].kind,
            crate::geodata::FindingKind::Feature(FeatureProblem::DateInvalid { .. })
        ));
        assert!(matches!(
            f[0].kind,
            crate::geodata::FindingKind::Feature(FeatureProblem::OtherDate { .. })
        ));
        let render = |v: Vec<Finding>| -> Vec<String> {
            v.iter()
                .map(|x| x.to_string().trim_start_matches(": ").to_string())
                .collect()
        };
        let codes = |v: &[Finding]| -> Vec<(Option<usize>, &'static str)> {
            v.iter().map(|x| (x.feature, x.kind.code())).collect()
        };
        assert_eq!(
            codes(&p),
            [
                (Some(0), "date-invalid"),
                (Some(3), "date-not-string"),
                (Some(4), "date-outside-window"),
                (Some(6), "date-outside-window")
            ]
        );
        assert_eq!(
            codes(&f),
            [(Some(1), "other-date"), (Some(5), "date-null"), (Some(7), "other-date")]
        );
        let (p, f) = (render(p), render(f));
        assert!(
            p[0].starts_with("feature 0") && p[0].contains("not a valid calendar date"),
            "{p:?}"
        );
        assert!(p[1].starts_with("feature 3"), "{p:?}");
        assert!(
            p[2].contains("feature 4: properties.date: date 0000-01-01 is before 1991-08-24"),
            "{p:?}"
        );
        assert!(p[3].contains("date 2026-12-02 is after 2026-12-01"), "{p:?}");
        assert!(f[0].contains("feature 1: properties.date is 2023-01-15"), "{f:?}");
        assert!(
            f[1].contains("feature 5: properties.date is null") && f[1].contains("2024-12-01 is used"),
            "{f:?}"
        );
    }

    #[test]
    fn collection_dates_must_be_valid_and_the_snapshots() {
        let members = vec![
            ("date", json!("2024-12-01")),
            ("properties.date", Value::Null),
            ("date", json!("2022-02-30")),
            ("properties.date", json!("2024-11-30")),
            ("date", json!(["2024-12-01"])),
        ];
        let p = collection_dates(&members, d("2024-12-01"));
        let codes: Vec<_> = p.iter().map(|f| (f.feature, f.kind.code())).collect();
        assert_eq!(
            codes,
            [
                (None, "date-invalid"),
                (None, "date-mismatch"),
                (None, "date-not-string")
            ]
        );
        assert!(
            p[1].kind
                .to_string()
                .contains("properties.date is 2024-11-30, not the snapshot's date 2024-12-01")
        );
    }

    #[test]
    fn empty_needs_the_flag() {
        assert!(
            check_empty(0, false, "allow_empty=true")
                .unwrap_err()
                .contains("allow_empty=true")
        );
        assert!(check_empty(0, true, "x").is_ok() && check_empty(1, false, "x").is_ok());
    }
}
