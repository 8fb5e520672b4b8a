//! Every source's answer for one point (`GET /v1/coverage?sources=all`): each source's verdict
//! and snapshot, the sources grouped by verdict, and whether they agree.
//!
//! `sources=all` follows the agreement's default ([`crate::analytics::agreement`]): SYNTHETIC
//! sources (the example) are left out, listed in `left_out` with why, whenever a real source is
//! loaded, so that made-up verdicts never sit beside real ones unasked; they answer when they
//! are the only sources, or when named in the list.

use crate::analytics::agreement::{AgreementError, LeftOut, SYNTHETIC_LEFT_OUT, synthetic_source};
use crate::catalog::{Catalog, CatalogError};
use crate::model::When;
use chrono::NaiveDate;
use serde::Serialize;

/// A source that cannot answer for the date asked, and why.
#[derive(Debug, Clone, Serialize)]
pub struct NotCovering {
    /// The source.
    pub source: String,
    /// Why (its first snapshot is later, ...).
    pub reason: String,
}

/// Every source's answer for one point: `GET /v1/coverage?sources=all`.
#[derive(Debug, Clone, Serialize)]
pub struct PointAgreement {
    /// Longitude asked for.
    pub lon: f64,
    /// Latitude asked for.
    pub lat: f64,
    /// The date asked for (with an instant: each answer says its own day).
    pub date: Option<NaiveDate>,
    /// The instant asked for (`datetime=`), when one was.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub datetime: Option<String>,
    /// True when every source that answers gives the same status.
    pub agree: bool,
    /// The sources by the status they give, in the order asked.
    pub statuses: std::collections::BTreeMap<&'static str, Vec<String>>,
    /// Each source's answer: its verdict, the snapshot it used and what was in force.
    pub answers: Vec<crate::query::PointAnswer>,
    /// The sources asked for that do not cover the date, with why.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub not_covering: Vec<NotCovering>,
    /// The sources `sources=all` left out, with why: the SYNTHETIC ones where a real source is
    /// loaded (empty when the sources were named, or all are SYNTHETIC).
    pub left_out: Vec<LeftOut>,
}

/// The sources `sources=all` asks: every real source where there is one, the SYNTHETIC ones
/// then left out with why; every source when none is real.
fn all_sources(cat: &Catalog) -> (Vec<String>, Vec<LeftOut>) {
    let (made, real): (Vec<_>, Vec<_>) = cat.sources.values().partition(|s| synthetic_source(s));
    if real.is_empty() {
        return (made.iter().map(|s| s.name.clone()).collect(), Vec::new());
    }
    let left_out = made
        .iter()
        .map(|s| LeftOut {
            source: s.name.clone(),
            reason: SYNTHETIC_LEFT_OUT.to_string(),
        })
        .collect();
    (real.iter().map(|s| s.name.clone()).collect(), left_out)
}

/// The status of (lon, lat) by every source in `sources` (default: all, the SYNTHETIC ones left
/// out where a real source is loaded) at `when`: each source's verdict and snapshot, the sources
/// grouped by verdict, and whether they agree; in the raw composition with `raw` (no sliver
/// rule, no waters).
///
/// # Errors
/// An unknown source, or no source covering the date.
pub fn point_agreement(
    cat: &Catalog,
    sources: Option<&[String]>,
    when: impl Into<When>,
    at: crate::model::LonLat,
    distance: bool,
    raw: bool,
) -> Result<PointAgreement, AgreementError> {
    let when = when.into();
    let (lon, lat) = (at.lon(), at.lat());
    let (names, left_out) = match sources {
        Some(s) => (s.to_vec(), Vec::new()),
        None => all_sources(cat),
    };
    let mut answers = Vec::new();
    let mut not_covering = Vec::new();
    let mut statuses: std::collections::BTreeMap<&'static str, Vec<String>> = Default::default();
    for n in &names {
        match crate::query::point_of(cat, Some(n), when, at, distance, raw) {
            Ok(a) => {
                statuses.entry(a.status.as_str()).or_default().push(n.clone());
                answers.push(a);
            }
            Err(e @ CatalogError::BeforeFirstSnapshot { .. }) => {
                not_covering.push(NotCovering {
                    source: n.clone(),
                    reason: e.to_string(),
                });
            }
            Err(e) => return Err(e.into()),
        }
    }
    if answers.is_empty() {
        let left: Vec<String> = left_out
            .iter()
            .map(|l| format!("{} ({})", l.source, l.reason))
            .collect();
        return Err(AgreementError::TooFew(format!(
            "no source among {} covers the date asked{}",
            names.join(", "),
            if left.is_empty() {
                String::new()
            } else {
                format!("; left out: {}", left.join("; "))
            }
        )));
    }
    Ok(PointAgreement {
        lon,
        lat,
        date: match when {
            When::Date(d) => Some(d),
            When::Instant(_) => None,
        },
        datetime: when.instant().map(crate::geodata::canonical::rfc3339),
        agree: statuses.len() == 1,
        statuses,
        answers,
        not_covering,
        left_out,
    })
}
