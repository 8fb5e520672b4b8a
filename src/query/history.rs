//! Point histories as answers: the intervals of a point's status with the snapshots that show
//! them, and the provenance of every snapshot named (one point as JSON, many points as GeoJSON
//! or CSV).

use super::{BaselineRef, BorderRef, SnapshotRef, SourceRef};
use crate::analytics::history::{Interval, histories_of};
use crate::catalog::{Catalog, CatalogError, SourceEntry};
use crate::model::Status;
use crate::output::provenance::FeatureProvenance;
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::BTreeMap;

/// One interval of a point's history.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct HistoryInterval {
    /// First day of the status.
    pub from: NaiveDate,
    /// Last day (inclusive), or null while it is the status of the latest snapshot.
    pub to: Option<NaiveDate>,
    /// The status throughout.
    pub status: Status,
    /// The snapshot in force on `from` (the first to show this status).
    pub snapshot: String,
    /// The last snapshot in force during the interval (the last to show this status).
    pub last_snapshot: String,
    /// Whether a snapshot in force during the interval replaced an earlier content of its
    /// date (the interval may differ from what was answered before; `known_at=` answers so).
    pub revised: bool,
}

/// What the intervals of one or many histories rest on: the source, its border and baselines,
/// and every snapshot named, with provenance.
#[derive(Debug, Clone, Serialize)]
pub struct HistoryProvenance {
    /// The source, its time zone and its terms (licence, attribution, URL).
    #[serde(flatten)]
    pub source: SourceRef,
    /// Its first and latest snapshot dates: a history covers this span (and the latest status
    /// holds after it until a newer snapshot says otherwise).
    pub first_date: Option<NaiveDate>,
    /// Its latest snapshot date.
    pub last_date: Option<NaiveDate>,
    /// How many epochs (snapshot dates and baseline changes) the history was read across.
    pub epochs: usize,
    /// The snapshots named by the intervals, by id.
    pub snapshots: BTreeMap<String, SnapshotRef>,
    /// The baselines the source composes with (each over its own validity).
    pub baselines: Vec<BaselineRef>,
    /// The border.
    pub border: BorderRef,
    /// True if any data used is synthetic.
    pub synthetic: bool,
    /// The classes of area the source draws.
    pub classes: Vec<crate::model::DrawnClass>,
    /// What the history cannot show because the source does not draw it (a grey zone), with
    /// the reason; absent when it can show everything.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_drawn: Option<crate::output::provenance::NotDrawn>,
}

impl HistoryProvenance {
    pub(crate) fn new(src: &SourceEntry) -> Self {
        let border = &src.border.border;
        HistoryProvenance {
            source: SourceRef::new(src),
            first_date: src.snapshots.first().map(|s| s.date),
            last_date: src.snapshots.last().map(|s| s.date),
            epochs: src.epochs.len(),
            snapshots: BTreeMap::new(),
            baselines: src.baselines.iter().map(|b| BaselineRef::new(b)).collect(),
            border: BorderRef::new(&src.border),
            synthetic: border.synthetic
                || src.border.waters.as_ref().is_some_and(|w| w.waters.synthetic)
                || src.baselines.iter().any(|b| b.baseline.synthetic),
            classes: src.classes.drawn.clone(),
            not_drawn: src
                .contested_not_drawn(
                    src.baselines
                        .iter()
                        .any(|b| b.baseline.status == crate::model::ControlStatus::Contested),
                )
                .map(|contested| crate::output::provenance::NotDrawn { contested }),
        }
    }

    /// The provenance members of each feature of a GeoJSON batch: the source and its latest
    /// snapshot, through which every history runs (`synthetic` as for the whole batch).
    pub fn feature(&self, src: &SourceEntry) -> FeatureProvenance {
        let latest = src.snapshots.last();
        FeatureProvenance {
            source: self.source.name.clone(),
            snapshot: latest.map(|s| s.id()).unwrap_or_default(),
            snapshot_date: self.last_date.unwrap_or_default(),
            content_sha256: latest.map(|s| s.content_sha256.clone()).unwrap_or_default(),
            synthetic: self.synthetic || latest.is_some_and(|s| s.synthetic),
        }
    }

    /// Describes the intervals, adding the snapshots they name.
    pub(crate) fn describe(&mut self, src: &SourceEntry, intervals: &[Interval]) -> Vec<HistoryInterval> {
        let revised_at = |epoch: usize| src.day_revised(&src.snapshots[src.epochs[epoch].snapshot]);
        let mut name = |epoch: usize| {
            let s = &src.snapshots[src.epochs[epoch].snapshot];
            let id = s.id();
            if !self.snapshots.contains_key(&id) {
                self.synthetic |= s.synthetic;
                self.snapshots
                    .insert(id.clone(), SnapshotRef::new(s, revised_at(epoch)));
            }
            id
        };
        intervals
            .iter()
            .map(|iv| HistoryInterval {
                from: iv.from,
                to: iv.to,
                status: iv.status,
                snapshot: name(iv.first_epoch),
                last_snapshot: name(iv.last_epoch),
                // Revisions are rare: a scan of the interval's epochs only when there are any.
                revised: !src.revised.is_empty() && (iv.first_epoch..=iv.last_epoch).any(revised_at),
            })
            .collect()
    }
}

/// The history of one point.
#[derive(Debug, Clone, Serialize)]
pub struct HistoryAnswer {
    /// Longitude asked for.
    pub lon: f64,
    /// Latitude asked for.
    pub lat: f64,
    /// The intervals, in date order, merged where the status does not change.
    pub intervals: Vec<HistoryInterval>,
    /// Present and true in the raw composition (`raw=true`: no sliver rule, no waters).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub raw: bool,
    /// What they rest on.
    #[serde(flatten)]
    pub provenance: HistoryProvenance,
}

/// The history of (lon, lat) across every snapshot of `source` (or the default source).
///
/// # Errors
/// An unknown source, or a coordinate that is not finite or out of range.
pub fn point_history(cat: &Catalog, source: Option<&str>, lon: f64, lat: f64) -> Result<HistoryAnswer, CatalogError> {
    point_history_of(cat, source, crate::model::LonLat::new(lon, lat)?, false)
}

/// [`point_history`] of a position already checked (`at`), or in the raw composition (`raw`:
/// no sliver rule, no waters).
///
/// # Errors
/// An unknown source.
pub fn point_history_of(
    cat: &Catalog,
    source: Option<&str>,
    at: crate::model::LonLat,
    raw: bool,
) -> Result<HistoryAnswer, CatalogError> {
    let src = cat.source(source)?;
    let (lon, lat) = (at.lon(), at.lat());
    let intervals = crate::analytics::history::history_of(src, at, raw);
    let mut provenance = HistoryProvenance::new(src);
    let intervals = provenance.describe(src, &intervals);
    Ok(HistoryAnswer {
        lon,
        lat,
        intervals,
        raw,
        provenance,
    })
}

/// The histories of many points.
#[derive(Debug, Clone)]
pub struct BatchHistory {
    /// The intervals of each point, in input order.
    pub histories: Vec<Vec<HistoryInterval>>,
    /// What they rest on.
    pub provenance: HistoryProvenance,
}

/// Why a batch failed: the error, and the index of the point where it is about one point.
#[derive(Debug)]
pub struct BatchError {
    /// The 0-based index of the point at fault, if any.
    pub index: Option<usize>,
    /// What is wrong.
    pub error: CatalogError,
}

/// Histories of many points (on every core), checked when they were read.
///
/// # Errors
/// An unknown source (a [`BatchError`] without an index).
pub fn batch_history(
    cat: &Catalog,
    source: Option<&str>,
    points: &[crate::model::LonLat],
    raw: bool,
) -> Result<BatchHistory, BatchError> {
    let src = cat.source(source).map_err(|error| BatchError { index: None, error })?;
    let mut provenance = HistoryProvenance::new(src);
    let mut out = Vec::with_capacity(points.len());
    for h in histories_of(src, points, raw) {
        out.push(provenance.describe(src, &h));
    }
    Ok(BatchHistory {
        histories: out,
        provenance,
    })
}

/// The histories of the points of a CSV, as CSV: the input's header and
/// [`HISTORY_CSV_COLUMNS`], then one row per interval ([`history_csv_rows`]); and what they rest
/// on. The one form of `POST /v1/history` (CSV) and `frontline history --points`.
///
/// # Errors
/// As [`batch_history`]: an unknown source, or the index of a point whose coordinate is invalid.
pub fn history_csv(
    cat: &Catalog,
    source: Option<&str>,
    points: &crate::query::csv::PointsCsv,
    raw: bool,
) -> Result<(String, HistoryProvenance), BatchError> {
    let coords: Vec<crate::model::LonLat> = points.rows.iter().map(|r| r.at).collect();
    let batch = batch_history(cat, source, &coords, raw)?;
    let mut out = String::with_capacity(points.rows.len() * 96);
    out.push_str(&points.header);
    out.push(',');
    out.push_str(HISTORY_CSV_COLUMNS);
    out.push('\n');
    for (r, h) in points.rows.iter().zip(&batch.histories) {
        history_csv_rows(&r.columns, h, &mut out);
    }
    Ok((out, batch.provenance))
}

/// Why a streamed CSV history ([`history_csv_answer`]) was refused.
#[derive(Debug, thiserror::Error)]
pub enum HistoryCsvError {
    /// The CSV is not readable (a line, the header, the body's reader).
    #[error(transparent)]
    Csv(#[from] crate::query::csv::CsvError),
    /// A point or the source (see [`BatchError`]).
    #[error("{}", .0.error)]
    Batch(BatchError),
    /// Writing the answer to its temporary file failed.
    #[error("could not write the answer: {0}")]
    Io(std::io::Error),
}

/// [`history_csv`] over a CSV read from `input` a block at a time: each block's histories are
/// written out at once, the answer kept in memory up to `query::geojson::SPILL` bytes and in an
/// unnamed temporary file beyond, so that memory stays bounded whatever the size of the body
/// (the rows and their histories are never all held). The same bytes as [`history_csv`].
///
/// # Errors
/// The CSV's first fault, an unknown source, or the index of a point whose coordinate is invalid.
pub fn history_csv_answer<R: std::io::BufRead>(
    cat: &Catalog,
    source: Option<&str>,
    input: R,
    max_rows: u64,
    csv_safe: bool,
    raw: bool,
) -> Result<crate::query::geojson::BatchAnswer, HistoryCsvError> {
    use crate::query::geojson::{BatchAnswer, FeatureWriter};
    let src = cat
        .source(source)
        .map_err(|error| HistoryCsvError::Batch(BatchError { index: None, error }))?;
    let mut provenance = HistoryProvenance::new(src);
    let mut rows_out = FeatureWriter::default();
    let mut text = String::new();
    let header = crate::query::csv::read_point_blocks(input, max_rows, csv_safe, &mut |_, rows| {
        let coords: Vec<crate::model::LonLat> = rows.iter().map(|r| r.at).collect();
        text.clear();
        for (r, h) in rows.iter().zip(histories_of(src, &coords, raw)) {
            history_csv_rows(&r.columns, &provenance.describe(src, &h), &mut text);
        }
        rows_out.write_raw(text.as_bytes()).map_err(HistoryCsvError::Io)
    })?;
    Ok(BatchAnswer {
        head: bytes::Bytes::from(format!("{header},{HISTORY_CSV_COLUMNS}\n")),
        features: rows_out.finish_raw().map_err(HistoryCsvError::Io)?,
        tail: bytes::Bytes::new(),
    })
}

/// Header of the CSV form: one row per interval.
pub const HISTORY_CSV_COLUMNS: &str = "from,to,status,snapshot,last_snapshot,revised";

/// One CSV row per interval (`to` empty while in force): the input row's `columns` as written
/// back ([`crate::query::csv::PointRow::columns`]), then [`HISTORY_CSV_COLUMNS`].
pub fn history_csv_rows(columns: &str, intervals: &[HistoryInterval], out: &mut String) {
    for iv in intervals {
        out.push_str(columns);
        out.push(',');
        let to = iv.to.map(|d| d.to_string()).unwrap_or_default();
        crate::output::csv::push_record(
            out,
            [
                iv.from.to_string().as_str(),
                to.as_str(),
                iv.status.as_str(),
                iv.snapshot.as_str(),
                iv.last_snapshot.as_str(),
                if iv.revised { "true" } else { "false" },
            ],
        );
    }
}
