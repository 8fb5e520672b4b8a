//! Every source's answer for one point (`GET /v1/coverage?sources=all`): each source's verdict
//! and snapshot, the sources grouped by verdict, and whether they agree.
//!
//! `sources=all` follows the agreement's default ([`crate::analytics::agreement`]): SYNTHETIC
//! sources (the example) are left out, listed in `left_out` with why, whenever a real source is
//! loaded, so that made-up verdicts never sit beside real ones unasked; they answer when they
//! are the only sources, or when named in the list.
//!
//! A source that draws no grey zone on the date cannot say a point is not contested: where it
//! reads `covered` it is listed under `not_occupied` in `statuses` (not `covered`), named in
//! `contested_not_drawn` with why, and does not disagree with a source that says `contested`
//! or `covered` there.

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
    /// True when the sources that answer agree on all each can say: the same status, where a
    /// source without a grey zone that says `not_occupied` agrees with `covered` and
    /// `contested`.
    pub agree: bool,
    /// The sources by the status they give, in the order asked; a source that draws no grey
    /// zone and reads `covered` is under `not_occupied` (it cannot say "not contested").
    pub statuses: std::collections::BTreeMap<&'static str, Vec<String>>,
    /// The sources that answer but draw no grey zone on the date, each with why: their verdict
    /// says nothing about the grey zone.
    pub contested_not_drawn: Vec<LeftOut>,
    /// Each source's answer: its verdict, the snapshot it used and what was in force.
    pub answers: Vec<crate::query::PointAnswer>,
    /// The sources asked for that do not cover the date, with why.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub not_covering: Vec<NotCovering>,
    /// The sources `sources=all` left out, with why: the SYNTHETIC ones where a real source is
    /// loaded (empty when the sources were named, or all are SYNTHETIC).
    pub left_out: Vec<LeftOut>,
}

/// The verdict of a source that draws no grey zone where it reads `covered`: not occupied, and
/// nothing said about the grey zone.
pub const NOT_OCCUPIED: &str = "not_occupied";

/// Whether the verdicts agree on all each can say: one status, where `not_occupied` (no grey
/// zone drawn) goes with `covered` and `contested` (not occupied either).
fn agree(statuses: &std::collections::BTreeMap<&'static str, Vec<String>>) -> bool {
    let full: Vec<&str> = statuses.keys().copied().filter(|s| *s != NOT_OCCUPIED).collect();
    match full[..] {
        [] => true,
        [one] => !statuses.contains_key(NOT_OCCUPIED) || matches!(one, "covered" | "contested"),
        _ => false,
    }
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
    let mut contested_not_drawn = Vec::new();
    for n in &names {
        match crate::query::point_of(cat, Some(n), when, at, distance, raw) {
            Ok(a) => {
                let verdict = match (&a.in_force.not_drawn, a.status) {
                    (Some(_), crate::model::Status::Covered) => NOT_OCCUPIED,
                    (_, s) => s.as_str(),
                };
                if let Some(nd) = &a.in_force.not_drawn {
                    contested_not_drawn.push(LeftOut {
                        source: n.clone(),
                        reason: nd.contested.clone(),
                    });
                }
                statuses.entry(verdict).or_default().push(n.clone());
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
    if names.is_empty() {
        // Nothing loaded: said as where no source is named.
        return Err(CatalogError::NoDefaultSource { known: Vec::new() }.into());
    }
    if answers.is_empty() {
        // A good question about a date no source covers: as before a source's first snapshot.
        let why: Vec<String> = not_covering
            .iter()
            .map(|n| format!("{}: {}", n.source, n.reason))
            .collect();
        let left: Vec<String> = left_out
            .iter()
            .map(|l| format!("{} ({})", l.source, l.reason))
            .collect();
        return Err(AgreementError::Uncovered(format!(
            "no source among {} covers the date asked ({}){}",
            names.join(", "),
            why.join("; "),
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
        agree: agree(&statuses),
        statuses,
        contested_not_drawn,
        answers,
        not_covering,
        left_out,
    })
}
