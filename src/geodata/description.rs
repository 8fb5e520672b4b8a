//! A source's description (`sources/<name>/source.json`, written by `PUT /v1/sources/{name}`):
//! the checks of its time zone, licence, attribution and URL, shared by the loader and the
//! HTTP handler so that a description refused over HTTP would be refused at load and the other
//! way round; and what a source's `.history/` says about its revisions (the dates replaced, and
//! the content current at an instant, for `known_at=`).

use crate::store::SourceConfig;
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The longest licence, attribution or description accepted, in characters.
pub const MAX_TEXT_CHARS: usize = 2000;

/// A member of a description that is not acceptable, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {why}")]
pub struct DescriptionError {
    /// The member (`time_zone`, `licence`, `attribution`, `url`, `description`).
    pub field: &'static str,
    /// What is wrong and what is accepted.
    pub why: String,
}

fn bad(field: &'static str, why: impl Into<String>) -> DescriptionError {
    DescriptionError { field, why: why.into() }
}

/// A text member: not blank, no control characters (it goes into CSV headers), at most
/// [`MAX_TEXT_CHARS`]; `required` refuses it absent.
fn check_text(field: &'static str, value: Option<&str>, required: bool) -> Result<(), DescriptionError> {
    match value {
        None if required => Err(bad(
            field,
            format!(
                "{field} is required: the terms under which the source's data may be used, shown with every answer"
            ),
        )),
        None => Ok(()),
        Some(v) if v.trim().is_empty() => Err(bad(field, format!("{field} is empty"))),
        Some(v) if v.chars().any(char::is_control) => Err(bad(
            field,
            format!("{field} contains a control character (a line break, a tab...)"),
        )),
        Some(v) if v.chars().count() > MAX_TEXT_CHARS => Err(bad(
            field,
            format!("{field} is longer than {MAX_TEXT_CHARS} characters"),
        )),
        Some(_) => Ok(()),
    }
}

/// Checks the time zone (an IANA name), licence and attribution (required when `required`, as
/// over HTTP: not blank, no control characters), the URL (absolute http or https with a host)
/// and the free-text description.
///
/// # Errors
/// The first member at fault, named, with why.
pub fn check_terms(config: &SourceConfig, required: bool) -> Result<(), DescriptionError> {
    if let Some(tz) = &config.time_zone
        && tz.parse::<chrono_tz::Tz>().is_err()
    {
        return Err(bad(
            "time_zone",
            format!("time_zone '{tz}' is not an IANA time zone name (such as Europe/Kyiv or UTC)"),
        ));
    }
    check_text("licence", config.licence.as_deref(), required)?;
    check_text("attribution", config.attribution.as_deref(), required)?;
    check_text("description", config.description.as_deref(), false)?;
    if let Some(u) = &config.url {
        // The URL parser reqwest re-exports (the `url` crate), not a hand-written check.
        match reqwest::Url::parse(u) {
            Ok(p) if matches!(p.scheme(), "http" | "https") && p.host_str().is_some_and(|h| !h.is_empty()) => {}
            Ok(p) => {
                return Err(bad(
                    "url",
                    format!(
                        "url '{u}' must be an absolute http or https URL with a host (scheme '{}')",
                        p.scheme()
                    ),
                ));
            }
            Err(e) => return Err(bad("url", format!("url '{u}' is not a URL: {e}"))),
        }
    }
    Ok(())
}

/// One earlier content of a snapshot date, kept in `.history/` when it was replaced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revision {
    /// The date of the snapshot.
    pub date: NaiveDate,
    /// When it was replaced (from its name, `YYYY-MM-DD.<ns>.geojson`).
    pub replaced_at: DateTime<Utc>,
    /// The kept file.
    pub file: PathBuf,
}

/// Parses `YYYY-MM-DD.<ns>.geojson`.
fn revision_of(path: &Path) -> Option<Revision> {
    let name = path.file_name()?.to_str()?;
    let rest = name.strip_suffix(".geojson")?;
    let (date, ns) = rest.split_once('.')?;
    let date = NaiveDate::parse_from_str(date, "%Y-%m-%d").ok()?;
    let ns: i64 = ns.parse().ok()?;
    Some(Revision {
        date,
        replaced_at: DateTime::from_timestamp_nanos(ns),
        file: path.to_path_buf(),
    })
}

/// The snapshot contents kept in a source's `.history/` directory, by date then by the instant
/// they were replaced (none when it does not exist).
pub fn revisions(history: &Path) -> Vec<Revision> {
    let mut out: Vec<Revision> = std::fs::read_dir(history)
        .map(|rd| rd.flatten().filter_map(|e| revision_of(&e.path())).collect())
        .unwrap_or_default();
    out.sort_by_key(|r| (r.date, r.replaced_at));
    out
}

/// The description (`source.json`) a source had at `t`, when it was another than the current
/// one: the earliest of the descriptions kept in its `.history/` (`source.<ns>.json`, `<ns>` the
/// instant a `PUT /v1/sources/{name}` replaced it) that was replaced after `t`. `None`: the
/// current description was already in force at `t`.
pub fn description_at(history: &Path, t: DateTime<Utc>) -> Option<PathBuf> {
    let mut kept: Vec<(DateTime<Utc>, PathBuf)> = std::fs::read_dir(history)
        .map(|rd| {
            rd.flatten()
                .filter_map(|e| {
                    let path = e.path();
                    let ns: i64 = path
                        .file_name()?
                        .to_str()?
                        .strip_prefix("source.")?
                        .strip_suffix(".json")?
                        .parse()
                        .ok()?;
                    Some((DateTime::from_timestamp_nanos(ns), path))
                })
                .collect()
        })
        .unwrap_or_default();
    kept.sort();
    kept.into_iter()
        .find(|(replaced_at, _)| t < *replaced_at)
        .map(|(_, p)| p)
}

/// The dates with a replaced snapshot in `history`.
pub fn revised_dates(history: &Path) -> BTreeSet<NaiveDate> {
    revisions(history).into_iter().map(|r| r.date).collect()
}

/// The time a file was last written, which for a snapshot file (written whole, renamed into
/// place) is when its content became current; a kept copy in `.history/` is a hard link to it
/// (or a copy given its time), so it keeps that time.
pub fn written_at(path: &Path) -> Option<DateTime<Utc>> {
    std::fs::metadata(path)
        .and_then(|m| m.modified())
        .ok()
        .map(DateTime::<Utc>::from)
}

/// What a date's snapshot was at instant `t`, given its current file (`current`, written at
/// `current_since` or else when its last revision was replaced) and its revisions in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AtInstant {
    /// The current content (and whether it had replaced an earlier one by then).
    Current {
        /// It had replaced another.
        revised: bool,
    },
    /// An earlier content, kept in `.history/`.
    Earlier {
        /// The kept file.
        file: PathBuf,
        /// It had itself replaced another by then.
        revised: bool,
    },
    /// Nothing of this date was loaded yet.
    Absent,
}

/// Which content of a date was current at `t`. The first content became current when its
/// file was written; each later one when the one before it was replaced.
pub fn at_instant(current: &Path, revisions: &[&Revision], t: DateTime<Utc>) -> AtInstant {
    let first_written = revisions
        .first()
        .map_or_else(|| written_at(current), |r| written_at(&r.file));
    if first_written.is_some_and(|w| t < w) {
        return AtInstant::Absent;
    }
    for (i, r) in revisions.iter().enumerate() {
        if t < r.replaced_at {
            return AtInstant::Earlier {
                file: r.file.clone(),
                revised: i > 0,
            };
        }
    }
    AtInstant::Current {
        revised: !revisions.is_empty(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn each_member_is_checked_and_named() {
        let ok = SourceConfig {
            licence: Some("CC BY 4.0".into()),
            attribution: Some("© Example".into()),
            url: Some("https://example.org/map".into()),
            time_zone: Some("Europe/Kyiv".into()),
            ..SourceConfig::default()
        };
        assert_eq!(check_terms(&ok, true), Ok(()));
        let field = |f: &dyn Fn(&mut SourceConfig)| {
            let mut c = ok.clone();
            f(&mut c);
            check_terms(&c, true).unwrap_err().field
        };
        assert_eq!(field(&|c| c.time_zone = Some("Europe/Kiev2".into())), "time_zone");
        assert_eq!(field(&|c| c.licence = Some("  ".into())), "licence");
        assert_eq!(field(&|c| c.licence = None), "licence");
        assert_eq!(field(&|c| c.attribution = Some("a\nb".into())), "attribution");
        assert_eq!(field(&|c| c.url = Some("not a url".into())), "url");
        assert_eq!(field(&|c| c.url = Some("ftp://example.org/".into())), "url");
        assert_eq!(field(&|c| c.url = Some("file:///etc/passwd".into())), "url");
        assert_eq!(
            field(&|c| c.description = Some("x".repeat(MAX_TEXT_CHARS + 1))),
            "description"
        );
        // At load, licence and attribution may be absent (sources made before descriptions).
        assert_eq!(check_terms(&SourceConfig::default(), false), Ok(()));
    }

    #[test]
    fn the_content_current_at_an_instant_follows_the_history() {
        let dir = tempfile::tempdir().unwrap();
        let file = |n: &str| {
            let p = dir.path().join(n);
            std::fs::write(&p, n).unwrap();
            p
        };
        let a = file("2024-06-01.1000000000000000000.geojson");
        let b = file("2024-06-01.2000000000000000000.geojson");
        let current = file("2024-06-01.geojson");
        let written = written_at(&a).unwrap();
        let revs = revisions(dir.path());
        assert_eq!(revs.len(), 2);
        assert_eq!(revised_dates(dir.path()).len(), 1);
        let r: Vec<&Revision> = revs.iter().collect();
        let at = |ns: i64| at_instant(&current, &r, DateTime::from_timestamp_nanos(ns));
        // Replaced in 2001 and 2033 (by their names); written now: before now nothing.
        assert_eq!(
            at(written.timestamp_nanos_opt().unwrap() - 1_000_000_000),
            AtInstant::Absent
        );
        let now = DateTime::<Utc>::from(std::time::SystemTime::now())
            .timestamp_nanos_opt()
            .unwrap();
        assert_eq!(
            at(now),
            AtInstant::Earlier {
                file: b.clone(),
                revised: true
            }
        );
        assert_eq!(at(2_100_000_000_000_000_000), AtInstant::Current { revised: true });
        assert_eq!(
            at_instant(&current, &[], DateTime::<Utc>::from(std::time::SystemTime::now())),
            AtInstant::Current { revised: false }
        );
        let _ = a;
    }
}
