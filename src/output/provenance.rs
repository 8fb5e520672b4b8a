//! The one shape of provenance in every answer.
//!
//! - [`InForceRef`]: everything in force for a source on a date (the snapshot with its file and
//!   hashes, the baselines, the border, `synthetic`). Point answers flatten it into the answer;
//!   GeoJSON answers put it, flattened beside the date asked, into their `frontline` foreign
//!   member ([`AnswerProvenance`]); diffs have one for each side. It names the classes the
//!   source draws and, in `not_drawn`, what it cannot show and why ([`NotDrawn`]).
//! - [`SourceRef`]: a source and its terms (name, time zone, licence, attribution, URL), in
//!   every answer that uses the source: flattened into [`InForceRef`] and into the answers about
//!   one source (timeline, history, snapshots, presets), listed in `source_terms` where an answer
//!   compares several, and as `x-frontline-*` headers on CSV answers.
//! - [`FeatureProvenance`]: the five members copied into the `properties` of every feature of
//!   every GeoJSON answer (`source`, `snapshot`, `snapshot_date`, `content_sha256`,
//!   `synthetic`), because GDAL, geopandas and QGIS drop a FeatureCollection's foreign members.
//!
//! Names: `date` is always the date asked for; `snapshot_date` is always the date of the
//! snapshot in force. Files are named relative to the geodata directory (an archive read in
//! place as `archive:<source>/<file>`), never by an absolute server path.

use crate::catalog::{BaselineEntry, BorderEntry, InForce, SourceEntry};
use crate::geodata::Snapshot;
use crate::model::{DrawnClass, Provenance};
use chrono::NaiveDate;
use serde::Serialize;

/// The snapshot an answer used.
#[derive(Debug, Clone, Serialize)]
pub struct SnapshotRef {
    /// `source:YYYY-MM-DD`.
    pub id: String,
    /// Its effective date.
    pub date: NaiveDate,
    /// SHA-256 of its parsed content.
    pub content_sha256: String,
    /// Its file and the file's SHA-256.
    pub provenance: Provenance,
    /// Whether it is made up.
    pub synthetic: bool,
    /// The instant the source published it (RFC 3339, UTC), where known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub published_at: Option<String>,
    /// Whether this content replaced an earlier content of its date (kept in the source's
    /// `.history/`; `known_at=` answers with what was current at an instant).
    pub revised: bool,
}

/// The snapshot of one source a row of a comparison used (the agreement timeline's rows): which
/// content, and whether it replaced an earlier content of its date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SnapshotUsed {
    /// The source.
    pub source: String,
    /// The snapshot's id (`source:YYYY-MM-DD`, or `...@instant` for an earlier publication).
    pub id: String,
    /// SHA-256 of its parsed content.
    pub content_sha256: String,
    /// Whether this content replaced an earlier content of its date (`known_at=` answers with
    /// what was current at an instant).
    pub revised: bool,
}

impl SnapshotUsed {
    /// The snapshot an answer's provenance names.
    pub fn of(side: &AnswerProvenance) -> Self {
        SnapshotUsed {
            source: side.in_force.source.name.clone(),
            id: side.in_force.snapshot.id.clone(),
            content_sha256: side.in_force.snapshot.content_sha256.clone(),
            revised: side.in_force.snapshot.revised,
        }
    }
}

/// A baseline an answer composed with.
#[derive(Debug, Clone, Serialize)]
pub struct BaselineRef {
    /// Name.
    pub name: String,
    /// `occupied` or `contested`.
    pub status: &'static str,
    /// First day it applies.
    pub valid_from: NaiveDate,
    /// First day it no longer applies, if any.
    pub valid_to: Option<NaiveDate>,
    /// Its file and the file's SHA-256.
    pub provenance: Provenance,
}

/// The border an answer used.
#[derive(Debug, Clone, Serialize)]
pub struct BorderRef {
    /// ISO 3166-1 alpha-3.
    pub iso3: String,
    /// Its file and the file's SHA-256.
    pub provenance: Provenance,
    /// Its waters' file and the file's SHA-256, where it has waters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waters: Option<Provenance>,
}

/// The provenance of everything in force for a source on a date: the one shape every answer
/// uses (`#/components/schemas/InForce` in the OpenAPI document).
#[derive(Debug, Clone, Serialize)]
pub struct InForceRef {
    /// The source, its time zone and its terms (members `source`, `time_zone`, `licence`,
    /// `attribution`, `source_url`).
    #[serde(flatten)]
    pub source: SourceRef,
    /// The snapshot in force (the latest dated on or before the date asked for).
    pub snapshot: SnapshotRef,
    /// The date of the snapshot in force (as `snapshot.date`; the same name in every answer).
    pub snapshot_date: NaiveDate,
    /// The baselines in force.
    pub baselines: Vec<BaselineRef>,
    /// The border: ISO3 and provenance.
    pub border: BorderRef,
    /// True if any data used is synthetic.
    pub synthetic: bool,
    /// The classes of area the source draws (`occupied`, `contested`, `liberated`,
    /// `before-2022`).
    pub classes: Vec<DrawnClass>,
    /// What the answer cannot show because the source does not draw it, with the reason
    /// (absent when it can show everything): its areas are `null`, never `0`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_drawn: Option<NotDrawn>,
}

/// A source and the terms its data comes with: the one shape of "which source, on what terms"
/// in every answer (`#/components/schemas/SourceTerms` in the OpenAPI document).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SourceRef {
    /// The source's name.
    #[serde(rename = "source")]
    pub name: String,
    /// The IANA time zone the source's dates are days of (default `Europe/Kyiv`): the snapshot
    /// in force on a date is its last publication at or before the end of that day there.
    pub time_zone: &'static str,
    /// The licence of the source's data, as its description says (absent when it says none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub licence: Option<String>,
    /// The attribution to show with the source's data (absent when its description has none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attribution: Option<String>,
    /// Where the source publishes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_url: Option<String>,
}

impl SourceRef {
    /// The source's name, time zone and terms as loaded.
    pub fn new(src: &SourceEntry) -> Self {
        SourceRef {
            name: src.name.clone(),
            time_zone: src.time_zone.name(),
            licence: src.terms.licence.clone(),
            attribution: src.terms.attribution.clone(),
            source_url: src.terms.url.clone(),
        }
    }

    /// The terms of the named sources of `cat` that are loaded, in the order given (for answers
    /// that compare several).
    pub fn of_names(cat: &crate::catalog::Catalog, names: &[String]) -> Vec<SourceRef> {
        names
            .iter()
            .filter_map(|n| cat.sources.get(n.as_str()))
            .map(|s| SourceRef::new(s))
            .collect()
    }

    /// The source and its terms as one line, for outputs with no room for members (a CSV the
    /// CLI prints: the line goes to standard error). Says so where the description states no
    /// licence or attribution.
    pub fn note(&self) -> String {
        let mut line = format!("source '{}' (dates are days in {})", self.name, self.time_zone);
        for (what, value) in [
            ("licence", &self.licence),
            ("attribution", &self.attribution),
            ("url", &self.source_url),
        ] {
            if let Some(v) = value {
                line.push_str(&format!("; {what}: {v}"));
            }
        }
        if self.licence.is_none() && self.attribution.is_none() {
            line.push_str("; its description states no licence or attribution");
        }
        line
    }
}

/// The classes an answer cannot show, each with the reason.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NotDrawn {
    /// Why there is no contested (grey) zone: the source draws none.
    pub contested: String,
}

impl NotDrawn {
    /// What `f` cannot show, if anything.
    pub fn of(f: &InForce<'_>) -> Option<Self> {
        f.contested_not_drawn().map(|contested| NotDrawn { contested })
    }
}

impl InForceRef {
    /// Describes what is in force.
    pub fn new(f: &InForce<'_>) -> Self {
        let snapshot = SnapshotRef {
            id: f.snapshot_id(),
            ..SnapshotRef::new(f.snapshot(), f.revised())
        };
        InForceRef {
            source: SourceRef::new(f.source),
            snapshot_date: snapshot.date,
            snapshot,
            baselines: f.baselines().map(BaselineRef::new).collect(),
            border: BorderRef::new(&f.source.border),
            synthetic: f.synthetic(),
            classes: f.source.classes.drawn.clone(),
            not_drawn: NotDrawn::of(f),
        }
    }

    /// The members every feature carries.
    pub fn feature(&self) -> FeatureProvenance {
        FeatureProvenance {
            source: self.source.name.clone(),
            snapshot: self.snapshot.id.clone(),
            snapshot_date: self.snapshot_date,
            content_sha256: self.snapshot.content_sha256.clone(),
            synthetic: self.synthetic,
        }
    }
}

impl SnapshotRef {
    /// Describes a snapshot; `revised`: its content replaced an earlier content of its date
    /// (the caller knows: a publication superseded later its day is never the revised one).
    pub fn new(s: &Snapshot, revised: bool) -> Self {
        SnapshotRef {
            id: s.id(),
            date: s.date,
            content_sha256: s.content_sha256.clone(),
            provenance: s.provenance.clone(),
            synthetic: s.synthetic,
            published_at: s.published_at.map(crate::geodata::canonical::rfc3339),
            revised,
        }
    }
}

impl BaselineRef {
    /// Describes a baseline.
    pub fn new(b: &BaselineEntry) -> Self {
        BaselineRef {
            name: b.baseline.name.clone(),
            status: b.baseline.status.as_str(),
            valid_from: b.baseline.valid_from,
            valid_to: b.baseline.valid_to,
            provenance: b.baseline.provenance.clone(),
        }
    }
}

impl BorderRef {
    /// Describes a border and its waters.
    pub fn new(b: &BorderEntry) -> Self {
        BorderRef {
            iso3: b.border.iso3.clone(),
            provenance: b.border.provenance.clone(),
            waters: b.waters.as_ref().map(|w| w.waters.provenance.clone()),
        }
    }
}

/// The date asked for and what was in force then: the `frontline` member of a GeoJSON answer
/// about one date, and each side of a diff.
#[derive(Debug, Clone, Serialize)]
pub struct AnswerProvenance {
    /// The date asked for (with `datetime`: the day it falls on in the source's time zone).
    pub date: NaiveDate,
    /// The instant asked for (`datetime=`, RFC 3339 UTC), when one was.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub datetime: Option<String>,
    /// How old the snapshot in force is on that date, with a warning past [`STALE_AFTER_DAYS`].
    #[serde(flatten)]
    pub age: SnapshotAge,
    /// What was in force on it.
    #[serde(flatten)]
    pub in_force: InForceRef,
}

impl AnswerProvenance {
    /// What is in force on `date` (the date asked for).
    pub fn new(f: &InForce<'_>, date: NaiveDate) -> Self {
        AnswerProvenance {
            date,
            datetime: None,
            age: SnapshotAge::new(f, date),
            in_force: InForceRef::new(f),
        }
    }
}

impl AnswerProvenance {
    /// [`Self::new`] for an answer asked at an instant (`datetime=`), when it was.
    pub fn at(f: &InForce<'_>, date: NaiveDate, instant: Option<chrono::DateTime<chrono::Utc>>) -> Self {
        AnswerProvenance {
            datetime: instant.map(crate::geodata::canonical::rfc3339),
            ..Self::new(f, date)
        }
    }
}

/// Days after which the snapshot in force is called stale on the date asked for. A month: the
/// archives in use publish daily (DeepState) or at least monthly (NZZ), so an older snapshot
/// means the date is past the end of the source or in a gap of it.
pub const STALE_AFTER_DAYS: i64 = 31;

/// The age of the snapshot in force on the date asked for: the date semantics (the latest
/// snapshot dated on or before the date) answer any later date, and this says how far back that
/// answer reaches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SnapshotAge {
    /// Days from the snapshot in force to the date asked for (0: a snapshot of that very date).
    pub snapshot_age_days: i64,
    /// Present when `snapshot_age_days` exceeds [`STALE_AFTER_DAYS`]: what the answer describes
    /// and why (the source ends earlier, or has a gap there).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warning: Option<String>,
}

impl SnapshotAge {
    /// The age of the snapshot in force `f` on `date`.
    pub fn new(f: &InForce<'_>, date: NaiveDate) -> Self {
        let snap = f.snapshot();
        let days = (date - snap.date).num_days();
        let warning = (days > STALE_AFTER_DAYS).then(|| {
            let next = f.source.snapshots.iter().map(|s| s.date).find(|d| *d > snap.date);
            let why = match next {
                None => format!("'{}' has no snapshot after {}", f.source.name, snap.date),
                Some(n) => format!("'{}' has no snapshot between {} and {n}", f.source.name, snap.date),
            };
            format!(
                "the snapshot in force on {date} is {days} days old: {why}, so this answer describes the state of {}",
                snap.date
            )
        });
        SnapshotAge {
            snapshot_age_days: days,
            warning,
        }
    }
}

/// The provenance members of every feature's `properties` (they survive GDAL, geopandas and
/// QGIS, which drop foreign members): `#/components/schemas/FeatureProvenance`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FeatureProvenance {
    /// The source.
    pub source: String,
    /// The id of the snapshot in force (`source:YYYY-MM-DD`).
    pub snapshot: String,
    /// The date of the snapshot in force.
    pub snapshot_date: NaiveDate,
    /// SHA-256 of the snapshot's parsed content.
    pub content_sha256: String,
    /// True if any data used (snapshot, baselines, border) is synthetic.
    pub synthetic: bool,
}
