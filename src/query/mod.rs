//! Questions asked of a [`Catalog`]: the status of a point on a date, and the timeline of areas.
//! Answers carry their provenance: the source, the snapshot (id, date, file, hashes), the
//! baselines composed with it, and whether any of it is synthetic.

use crate::catalog::{Catalog, CatalogError, InForce};
use crate::model::{Provenance, Status};
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
}

impl InForceRef {
    /// Describes what is in force.
    pub fn new(f: &InForce<'_>) -> Self {
        let s = f.snapshot();
        InForceRef {
            source: f.source.name.clone(),
            snapshot: SnapshotRef {
                id: s.id(),
                date: s.date,
                content_sha256: s.content_sha256.clone(),
                provenance: s.provenance.clone(),
                synthetic: s.synthetic,
            },
            baselines: f
                .baselines()
                .map(|b| BaselineRef {
                    name: b.baseline.name.clone(),
                    status: b.baseline.status.as_str(),
                    valid_from: b.baseline.valid_from,
                    valid_to: b.baseline.valid_to,
                    provenance: b.baseline.provenance.clone(),
                })
                .collect(),
            border: BorderRef {
                iso3: f.source.border.border.iso3.clone(),
                provenance: f.source.border.border.provenance.clone(),
            },
            synthetic: f.synthetic(),
        }
    }
}

/// The answer for one point.
#[derive(Debug, Clone, Serialize)]
pub struct PointAnswer {
    /// Longitude asked for.
    pub lon: f64,
    /// Latitude asked for.
    pub lat: f64,
    /// Date asked for.
    pub date: NaiveDate,
    /// The status.
    pub status: Status,
    /// True when the point lies exactly on the boundary that decided its status (areas are
    /// closed: see [`Status`]).
    pub on_boundary: bool,
    /// What was in force.
    #[serde(flatten)]
    pub in_force: InForceRef,
}

/// Status of (lon, lat) on `date` against `source` (or the default source).
pub fn point(
    cat: &Catalog,
    source: Option<&str>,
    date: NaiveDate,
    lon: f64,
    lat: f64,
) -> Result<PointAnswer, CatalogError> {
    let f = cat.in_force(source, date)?;
    let (status, on_boundary) = f.status(lon, lat)?;
    Ok(PointAnswer {
        lon,
        lat,
        date,
        status,
        on_boundary,
        in_force: InForceRef::new(&f),
    })
}

/// One row of a timeline: the areas in force from `date` on.
#[derive(Debug, Clone, Serialize)]
pub struct TimelineRow {
    /// First day of the epoch (a snapshot date or a baseline change).
    pub date: NaiveDate,
    /// Occupied area inside the border, km2.
    pub occupied_km2: f64,
    /// Contested area inside the border (not occupied), km2.
    pub contested_km2: f64,
    /// The rest of the border, km2.
    pub covered_km2: f64,
    /// The snapshot in force.
    pub snapshot: String,
    /// Whether any data used is synthetic.
    pub synthetic: bool,
}

/// The areas of every epoch of a source, in date order.
pub fn timeline(cat: &Catalog, source: Option<&str>) -> Result<Vec<TimelineRow>, CatalogError> {
    let src = cat.source(source)?;
    src.compute_all();
    Ok(src
        .epochs
        .iter()
        .map(|e| {
            let f = InForce { source: src, epoch: e };
            let l = &e.state.computed().layers;
            TimelineRow {
                date: e.from,
                occupied_km2: l.occupied_km2,
                contested_km2: l.contested_km2,
                covered_km2: l.covered_km2,
                snapshot: f.snapshot().id(),
                synthetic: f.synthetic(),
            }
        })
        .collect())
}

pub mod csv;
