//! A source's timeline as asked (`GET /v1/timeline`, `frontline timeline`): every combination of
//! its parameters — a range (`from`, `to`), one date or one instant (`date`, `datetime`), by
//! region or not, raw or not — decided here once, answered, or refused with the reason the
//! README and the OpenAPI document give. The edges only parse and print.

use super::{TimelineRow, timeline_between, timeline_row};
use crate::analytics::regions::{RegionError, RegionTimelineRow, region_rows, timeline_by_region};
use crate::catalog::{Catalog, CatalogError, SourceEntry};
use crate::model::When;
use crate::output::provenance::SnapshotAge;
use chrono::{DateTime, NaiveDate, Utc};

/// What a timeline is asked for.
#[derive(Debug, Clone, Copy, Default)]
pub struct TimelineAsk<'a> {
    /// The source (default: the default source).
    pub source: Option<&'a str>,
    /// First date of the series (a bound, not a state).
    pub from: Option<NaiveDate>,
    /// Last date of the series.
    pub to: Option<NaiveDate>,
    /// One date or instant instead of a range: the one row (or the rows by region) in force
    /// then; for an instant between two publications of a day, the publication in force then.
    pub when: Option<When>,
    /// One row per region (and one for the area in no region).
    pub by_region: bool,
    /// The raw composition's figures.
    pub raw: bool,
}

/// The rows of a timeline.
#[derive(Debug, Clone)]
pub enum TimelineRows {
    /// One row per epoch (or the one row asked for).
    Areas(Vec<TimelineRow>),
    /// One row per region and epoch.
    Regions(Vec<RegionTimelineRow>),
}

/// The date (and instant) asked for, with the age of the snapshot in force then.
#[derive(Debug, Clone)]
pub struct OnDate {
    /// The date asked for (the day of the instant in the source's time zone).
    pub date: NaiveDate,
    /// The instant asked for.
    pub instant: Option<DateTime<Utc>>,
    /// Days from the snapshot in force to the date, and the warning past a month.
    pub age: SnapshotAge,
}

/// A timeline answered.
#[derive(Debug, Clone)]
pub struct TimelineAnswer<'c> {
    /// The source.
    pub source: &'c SourceEntry,
    /// Its rows.
    pub rows: TimelineRows,
    /// The date or instant asked for, when one was.
    pub on: Option<OnDate>,
}

/// Why a timeline cannot be answered.
#[derive(Debug, thiserror::Error)]
pub enum TimelineError {
    /// Parameters that do not go together (named: the HTTP parameter, the CLI flag).
    #[error("{why}")]
    Parameters {
        /// The parameter at fault (`date`, `from`).
        parameter: &'static str,
        /// Why.
        why: String,
    },
    /// The source, date or instant.
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    /// By region without a regions layer.
    #[error(transparent)]
    Region(#[from] RegionError),
}

/// The timeline asked for. `date`/`datetime` with `from`/`to` is refused (one state or a
/// series, not both), as is `from` after `to`; every other combination is answered: a range (or
/// all) by epoch or by region, one date's epoch by epoch or by region, one instant's publication
/// (an earlier publication of its day is no epoch: its row, or its rows by region, are measured
/// apart, its gains and losses from the day before).
///
/// # Errors
/// [`TimelineError`].
pub fn timeline_of<'c>(cat: &'c Catalog, ask: &TimelineAsk<'_>) -> Result<TimelineAnswer<'c>, TimelineError> {
    if ask.when.is_some() && (ask.from.is_some() || ask.to.is_some()) {
        return Err(TimelineError::Parameters {
            parameter: "date",
            why: "give either date or from/to, not both (datetime likewise): one state or a series".into(),
        });
    }
    if let (Some(a), Some(b)) = (ask.from, ask.to)
        && a > b
    {
        return Err(TimelineError::Parameters {
            parameter: "from",
            why: format!("from {a} is after to {b}"),
        });
    }
    let source = cat.source(ask.source)?;
    let (mut from, mut to) = (ask.from, ask.to);
    let mut on = None;
    let mut apart = None;
    if let Some(when) = ask.when {
        let (f, d) = cat.resolve(ask.source, when)?;
        on = Some(OnDate {
            date: d,
            instant: when.instant(),
            age: SnapshotAge::new(&f, d),
        });
        if f.publication.is_some() {
            apart = Some(if ask.by_region {
                TimelineRows::Regions(region_rows(&f, ask.raw)?)
            } else {
                let prev = d.pred_opt().and_then(|y| cat.in_force(ask.source, y).ok());
                TimelineRows::Areas(vec![timeline_row(&f, prev.as_ref(), ask.raw)])
            });
        } else {
            (from, to) = (Some(f.epoch.from), Some(f.epoch.from));
        }
    }
    let rows = match apart {
        Some(rows) => rows,
        None if ask.by_region => TimelineRows::Regions(timeline_by_region(cat, ask.source, from, to, ask.raw)?),
        None => TimelineRows::Areas(timeline_between(cat, ask.source, from, to, ask.raw)?),
    };
    Ok(TimelineAnswer { source, rows, on })
}
