//! Typed envelopes of the small JSON answers: the route index, health and readiness, the
//! listings, the timeline, the agreement timeline, the scenario presets, an ingest's answer and
//! `frontline check --json`. Members are declared in alphabetical order: the order in which
//! these answers were written when they were assembled as `serde_json` maps, so their bytes are
//! unchanged.

use crate::model::Provenance;
use crate::output::provenance::SourceRef;
use chrono::NaiveDate;
use serde::Serialize;

/// `GET /healthz`.
#[derive(Debug, Clone, Serialize)]
pub struct Health {
    /// Always `ok`.
    pub status: &'static str,
}

/// `GET /` for API clients: the index of the routes.
#[derive(Debug, Clone, Serialize)]
pub struct RouteIndex {
    /// Where the dashboard is.
    pub dashboard: &'static str,
    /// `frontline`.
    pub name: &'static str,
    /// Where the OpenAPI document is.
    pub openapi: &'static str,
    /// Every route's path.
    pub paths: Vec<&'static str>,
}

/// `GET /readyz`.
#[derive(Debug, Clone, Serialize)]
pub struct Readiness<R: Serialize> {
    /// The geodata directory's name (never its path).
    pub geodata: String,
    /// The outcome of the last reload, if any.
    pub last_reload: R,
    /// Repairs applied when loading.
    pub repairs_applied: usize,
    /// Snapshots loaded.
    pub snapshots: usize,
    /// Sources loaded.
    pub sources: usize,
    /// `ready` once every state is computed, else `loading`.
    pub status: &'static str,
}

/// `GET /v1/sources`.
#[derive(Debug, Clone, Serialize)]
pub struct Sources<T: Serialize> {
    /// One summary per source.
    pub sources: T,
}

/// `GET /v1/snapshots`.
#[derive(Debug, Clone, Serialize)]
pub struct Snapshots<T: Serialize, P: Serialize> {
    /// How edges are measured ([`crate::geodesy::EDGES`]).
    pub edges: &'static str,
    /// One summary per snapshot (per day's snapshot where a source publishes several a day).
    pub snapshots: T,
    /// Every publication (snapshot with an instant), each day's last and the earlier ones:
    /// id, instant, content hash, whether it is the one in force for its day.
    pub publications: P,
}

/// `GET /v1/snapshots/{id}`: one snapshot as `/v1/snapshots` lists it (a day's id,
/// `source:YYYY-MM-DD`), with its day's publications; or one publication (an id
/// `source:YYYY-MM-DD@<published_at>`, as the ingest answer names one that is not its day's last).
#[derive(Debug, Clone, Serialize)]
pub struct SnapshotResource<S: Serialize, P: Serialize> {
    /// How edges are measured ([`crate::geodesy::EDGES`]).
    pub edges: &'static str,
    /// The day's snapshot (absent for a publication's id).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub snapshot: Option<S>,
    /// The publications the id names: the day's, for a day's id; the one, for a publication's.
    pub publications: Vec<P>,
}

/// `GET /v1/timeline` as JSON (and by region): the rows, and for one date what it reaches back to.
#[derive(Debug, Clone, Serialize)]
pub struct Timeline<R: Serialize> {
    /// The date asked for (`date=`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<NaiveDate>,
    /// The instant asked for (`datetime=`), RFC 3339.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub datetime: Option<String>,
    /// How edges are measured ([`crate::geodesy::EDGES`]).
    pub edges: &'static str,
    /// The rows.
    pub rows: R,
    /// Days from the snapshot in force to the date asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub snapshot_age_days: Option<i64>,
    /// The source, its time zone and its terms (licence, attribution, URL).
    #[serde(flatten)]
    pub source: SourceRef,
    /// Past a month: what the answer describes and why.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warning: Option<String>,
}

impl<R: Serialize> Timeline<R> {
    /// The rows of a source, for no particular date.
    pub fn of(source: SourceRef, rows: R) -> Self {
        Timeline {
            date: None,
            datetime: None,
            edges: crate::geodesy::EDGES,
            rows,
            snapshot_age_days: None,
            source,
            warning: None,
        }
    }

    /// With the date (and instant) asked for and the age of the snapshot in force then.
    pub fn on(
        mut self,
        on: Option<(
            NaiveDate,
            Option<chrono::DateTime<chrono::Utc>>,
            &crate::output::provenance::SnapshotAge,
        )>,
    ) -> Self {
        if let Some((date, instant, age)) = on {
            self.date = Some(date);
            self.datetime = instant.map(crate::geodata::canonical::rfc3339);
            self.snapshot_age_days = Some(age.snapshot_age_days);
            self.warning.clone_from(&age.warning);
        }
        self
    }
}

/// The date on which sources disagreed over the largest occupied area.
#[derive(Debug, Clone, Serialize)]
pub struct MostDisputed {
    /// The date.
    pub date: NaiveDate,
    /// The occupied area some sources draw and others do not, km2.
    pub occupied_disputed_km2: f64,
}

/// `GET /v1/agreement/timeline` as JSON.
#[derive(Debug, Clone, Serialize)]
pub struct AgreementTimeline<R: Serialize> {
    /// How edges are measured ([`crate::geodesy::EDGES`]).
    pub edges: &'static str,
    /// The date of the largest disputed occupied area among the rows whose snapshots are at
    /// most a month old (`null` when the mix is not comparable or there is no such row).
    pub most_disputed: Option<MostDisputed>,
    /// Why `most_disputed` is `null` (absent otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub most_disputed_reason: Option<String>,
    /// Sources left out of the default comparison, with why (SYNTHETIC ones).
    pub left_out: Vec<LeftOut>,
    /// Sources left out of the grey zone's agreement on some row (they draw none), with why;
    /// each row's `contested_sources` names those compared.
    pub contested_not_drawn: Vec<LeftOut>,
    /// What the reader must know before trusting the rows (also in `x-frontline-warning`).
    pub warnings: Vec<String>,
    /// The rows.
    pub rows: R,
    /// The sources compared.
    pub sources: Vec<String>,
    /// Each compared source's time zone and terms (licence, attribution, URL), in that order.
    pub source_terms: Vec<SourceRef>,
}

/// One scenario preset of `GET /v1/scenarios/presets`.
#[derive(Debug, Clone, Serialize)]
pub struct Preset<S: Serialize> {
    /// The agreement's text this preset follows.
    pub citation: &'static str,
    /// The preset's name.
    pub name: &'static str,
    /// The reading chosen where the text leaves a choice.
    pub reading: &'static str,
    /// Its document for the source and date asked for (`null` without them).
    pub scenario: Option<S>,
}

/// `GET /v1/scenarios/presets`.
#[derive(Debug, Clone, Serialize)]
pub struct Presets<S: Serialize> {
    /// Every preset.
    pub presets: Vec<Preset<S>>,
    /// The source asked for, its time zone and its terms (absent without `source=`).
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub source: Option<SourceRef>,
}

/// The answer to `POST /v1/snapshots` (201 written, 200 replaced or unchanged).
#[derive(Debug, Clone, Serialize)]
pub struct Ingested<'a> {
    /// SHA-256 of the snapshot's canonical content.
    pub content_sha256: &'a str,
    /// The snapshot's date.
    pub date: NaiveDate,
    /// What the admission policy flagged.
    pub flags: &'a [String],
    /// The snapshot's id as answers that use it name it: `source:date`, or
    /// `source:date@instant` for a publication that is not its day's snapshot (superseded later
    /// its day).
    pub id: String,
    /// Milliseconds from the request to the answer.
    pub ms: f64,
    /// The instant the source published it (RFC 3339, UTC), `null` for a snapshot without one.
    pub published_at: Option<String>,
    /// The stored file and its SHA-256.
    pub provenance: &'a Provenance,
    /// What the reader repaired.
    pub repairs: &'a [String],
    /// The `.history/` copy of the file replaced (`null` when none was).
    pub replaced: Option<String>,
    /// The source.
    pub source: &'a str,
    /// `live`, or `unchanged: ...`.
    pub state: &'a str,
}

/// `frontline check --json`.
#[derive(Debug, Clone, Serialize)]
pub struct CheckReport<'a, F: Serialize> {
    /// The directory checked (or the embedded geodata).
    pub dir: String,
    /// No problem found.
    pub ok: bool,
    /// Every problem.
    pub problems: &'a [F],
    /// Every repair.
    pub repairs: &'a [F],
    /// What refuses nothing but is worth knowing (e.g. `unfinished-source`).
    pub warnings: &'a [F],
}

/// A source left out of a comparison by default, and why (the agreement's `left_out`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LeftOut {
    /// The source.
    pub source: String,
    /// Why it was left out.
    pub reason: String,
}
