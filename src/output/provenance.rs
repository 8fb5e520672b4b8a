//! Provenance of an answer: the source, the snapshot in force (id, date, file, hashes), the
//! baselines composed with it, the border, and whether any of it is synthetic. One shape, used by
//! every answer that names what it was computed from.

use crate::catalog::{BaselineEntry, BorderEntry, InForce};
use crate::geodata::Snapshot;
use crate::model::Provenance;
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

/// The provenance of everything in force for a source on a date.
#[derive(Debug, Clone, Serialize)]
pub struct InForceRef {
    /// The source.
    pub source: String,
    /// The snapshot in force (the latest dated on or before the date asked for).
    pub snapshot: SnapshotRef,
    /// The baselines in force.
    pub baselines: Vec<BaselineRef>,
    /// The border: ISO3 and provenance.
    pub border: BorderRef,
    /// True if any data used is synthetic.
    pub synthetic: bool,
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

impl InForceRef {
    /// Describes what is in force.
    pub fn new(f: &InForce<'_>) -> Self {
        InForceRef {
            source: f.source.name.clone(),
            snapshot: SnapshotRef::new(f.snapshot()),
            baselines: f.baselines().map(BaselineRef::new).collect(),
            border: BorderRef::new(&f.source.border),
            synthetic: f.synthetic(),
        }
    }
}

impl SnapshotRef {
    /// Describes a snapshot.
    pub fn new(s: &Snapshot) -> Self {
        SnapshotRef {
            id: s.id(),
            date: s.date,
            content_sha256: s.content_sha256.clone(),
            provenance: s.provenance.clone(),
            synthetic: s.synthetic,
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
