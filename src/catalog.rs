//! The loaded state: sources, their snapshots in date order, and for every date interval
//! (epoch) the control layers, areas and point indexes in force. Built once from a validated
//! [`Geodata`], immutable afterwards; identical snapshots share one computation.

use crate::coverage::{ControlLayers, compute_layers};
use crate::geodata::{Baseline, Border, Geodata, Report, Snapshot, load_dir};
use crate::index::{Location, PolygonIndex};
use crate::model::{ControlStatus, Status};
use chrono::NaiveDate;
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;
use std::sync::Arc;

/// Why a question cannot be answered.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    /// The named source is not loaded.
    #[error("unknown source '{name}'; loaded sources: {}", known.join(", "))]
    UnknownSource {
        /// What was asked for.
        name: String,
        /// What exists.
        known: Vec<String>,
    },
    /// No source was named and there is no default.
    #[error("no source given and no default_source configured; loaded sources: {}", known.join(", "))]
    NoDefaultSource {
        /// What exists.
        known: Vec<String>,
    },
    /// The date is before the source's first snapshot.
    #[error("no snapshot of source '{source_name}' in force on {date}: its first snapshot is dated {first}")]
    BeforeFirstSnapshot {
        /// The source.
        source_name: String,
        /// The date asked for.
        date: NaiveDate,
        /// The first snapshot's date.
        first: NaiveDate,
    },
    /// A coordinate is not a finite number in range.
    #[error("invalid coordinate: {0}")]
    InvalidCoordinate(String),
}

/// A border with its point index and area.
#[derive(Debug)]
pub struct BorderEntry {
    /// The data.
    pub border: Border,
    /// Point index of the territory.
    pub index: PolygonIndex,
    /// Geodesic area, km2.
    pub area_km2: f64,
}

/// A baseline with its point index.
#[derive(Debug)]
pub struct BaselineEntry {
    /// The data.
    pub baseline: Baseline,
    /// Point index of its area.
    pub index: Arc<PolygonIndex>,
}

/// Point indexes of one snapshot's own features, by status.
#[derive(Debug)]
pub struct SnapshotIndex {
    /// Occupied features.
    pub occupied: Arc<PolygonIndex>,
    /// Contested features.
    pub contested: Arc<PolygonIndex>,
}

/// The control in force over an epoch: layers, areas and what to test a point against.
#[derive(Debug)]
pub struct ControlState {
    /// Layers and areas.
    pub layers: ControlLayers,
    /// Indexes whose union is the occupied area (before clipping to the border).
    pub occupied: Vec<Arc<PolygonIndex>>,
    /// Indexes whose union is the contested area (before clipping and precedence).
    pub contested: Vec<Arc<PolygonIndex>>,
}

impl ControlState {
    /// Status of a point (finite, in range) against this state and the border's index.
    /// The second value is true when the point lies exactly on a boundary that decided it.
    #[inline]
    pub fn status(&self, border: &PolygonIndex, x: f64, y: f64) -> (Status, bool) {
        let b = border.locate(x, y);
        if b == Location::Outside {
            return (Status::Outside, false);
        }
        for idx in &self.occupied {
            let l = idx.locate(x, y);
            if l.in_closed() {
                return (Status::Occupied, l == Location::Boundary);
            }
        }
        for idx in &self.contested {
            let l = idx.locate(x, y);
            if l.in_closed() {
                return (Status::Contested, l == Location::Boundary);
            }
        }
        (Status::Covered, b == Location::Boundary)
    }
}

/// A date interval of a source over which the same snapshot and baselines are in force.
#[derive(Debug, Clone)]
pub struct Epoch {
    /// First day.
    pub from: NaiveDate,
    /// Index into the source's snapshots.
    pub snapshot: usize,
    /// Indexes into the source's baselines that are in force.
    pub baselines: Vec<usize>,
    /// The computed state (shared between epochs with the same content).
    pub state: Arc<ControlState>,
}

/// One loaded source.
#[derive(Debug)]
pub struct SourceEntry {
    /// Name.
    pub name: String,
    /// Free text.
    pub description: Option<String>,
    /// The border it is measured against.
    pub border: Arc<BorderEntry>,
    /// The baselines it composes with.
    pub baselines: Vec<Arc<BaselineEntry>>,
    /// Snapshots in date order.
    pub snapshots: Vec<Arc<Snapshot>>,
    /// Epochs in date order; the first starts on the first snapshot's date.
    pub epochs: Vec<Epoch>,
}

/// What is in force for a source on a date.
#[derive(Debug, Clone, Copy)]
pub struct InForce<'a> {
    /// The source.
    pub source: &'a SourceEntry,
    /// The epoch.
    pub epoch: &'a Epoch,
}

impl<'a> InForce<'a> {
    /// The snapshot in force.
    pub fn snapshot(&self) -> &'a Snapshot {
        &self.source.snapshots[self.epoch.snapshot]
    }

    /// The baselines in force.
    pub fn baselines(&self) -> impl Iterator<Item = &'a BaselineEntry> + 'a {
        let src = self.source;
        self.epoch.baselines.iter().map(move |&i| &*src.baselines[i])
    }

    /// Whether any data in force is synthetic.
    pub fn synthetic(&self) -> bool {
        self.snapshot().synthetic
            || self.source.border.border.synthetic
            || self.baselines().any(|b| b.baseline.synthetic)
    }

    /// Status of a point; checks the coordinate first.
    pub fn status(&self, lon: f64, lat: f64) -> Result<(Status, bool), CatalogError> {
        check_coordinate(lon, lat)?;
        Ok(self.epoch.state.status(&self.source.border.index, lon, lat))
    }
}

/// Refuses non-finite or out-of-range coordinates (lon in [-180, 180], lat in [-90, 90]).
pub fn check_coordinate(lon: f64, lat: f64) -> Result<(), CatalogError> {
    if !lon.is_finite() || !(-180.0..=180.0).contains(&lon) {
        return Err(CatalogError::InvalidCoordinate(format!(
            "lon {lon} is not a finite number in [-180, 180]"
        )));
    }
    if !lat.is_finite() || !(-90.0..=90.0).contains(&lat) {
        return Err(CatalogError::InvalidCoordinate(format!(
            "lat {lat} is not a finite number in [-90, 90]"
        )));
    }
    Ok(())
}

/// The whole loaded state. Immutable; a reload builds a new one.
#[derive(Debug)]
pub struct Catalog {
    /// Sources by name.
    pub sources: BTreeMap<String, SourceEntry>,
    /// The source used where a query names none.
    pub default_source: Option<String>,
    /// Repairs applied while loading.
    pub report: Report,
    /// The geodata directory.
    pub root: std::path::PathBuf,
}

impl Catalog {
    /// Loads, validates and computes a geodata directory; on any problem, the full report.
    pub fn load(dir: &Path) -> Result<Catalog, Report> {
        let loaded = load_dir(dir)?;
        let mut cat = Catalog::build(loaded.geodata);
        cat.report = loaded.report;
        Ok(cat)
    }

    /// Computes layers, areas and indexes for validated geodata (both cores, via rayon).
    pub fn build(geodata: Geodata) -> Catalog {
        let borders: HashMap<String, Arc<BorderEntry>> = geodata
            .borders
            .into_par_iter()
            .map(|b| {
                let index = PolygonIndex::new(&b.geometry.0);
                let area_km2 = crate::geodesy::area_km2(&b.geometry);
                (
                    b.iso3.clone(),
                    Arc::new(BorderEntry {
                        border: b,
                        index,
                        area_km2,
                    }),
                )
            })
            .collect();
        let baselines: HashMap<String, Arc<BaselineEntry>> = geodata
            .baselines
            .into_par_iter()
            .map(|b| {
                let index = Arc::new(PolygonIndex::new(&b.geometry.0));
                (b.name.clone(), Arc::new(BaselineEntry { baseline: b, index }))
            })
            .collect();
        let mut sources = BTreeMap::new();
        for src in geodata.sources {
            // Loading has checked that the border and baselines exist.
            let Some(border) = borders.get(&src.border).cloned() else {
                continue;
            };
            let bls: Vec<Arc<BaselineEntry>> = src.baselines.iter().filter_map(|n| baselines.get(n).cloned()).collect();
            let entry = build_source(src.name, src.description, border, bls, src.snapshots);
            sources.insert(entry.name.clone(), entry);
        }
        Catalog {
            sources,
            default_source: geodata.default_source,
            report: Report::default(),
            root: geodata.root,
        }
    }

    /// The source named, or the default one.
    pub fn source(&self, name: Option<&str>) -> Result<&SourceEntry, CatalogError> {
        let known = || self.sources.keys().cloned().collect::<Vec<_>>();
        let name = match name {
            Some(n) => n,
            None => self
                .default_source
                .as_deref()
                .ok_or_else(|| CatalogError::NoDefaultSource { known: known() })?,
        };
        self.sources.get(name).ok_or_else(|| CatalogError::UnknownSource {
            name: name.to_string(),
            known: known(),
        })
    }

    /// What is in force for a source (or the default) on `date`: the latest snapshot dated on or
    /// before it, with the baselines valid on it.
    pub fn in_force(&self, source: Option<&str>, date: NaiveDate) -> Result<InForce<'_>, CatalogError> {
        let src = self.source(source)?;
        let i = src.epochs.partition_point(|e| e.from <= date);
        if i == 0 {
            let first = src.snapshots.first().map_or(date, |s| s.date);
            return Err(CatalogError::BeforeFirstSnapshot {
                source_name: src.name.clone(),
                date,
                first,
            });
        }
        Ok(InForce {
            source: src,
            epoch: &src.epochs[i - 1],
        })
    }
}

fn build_source(
    name: String,
    description: Option<String>,
    border: Arc<BorderEntry>,
    baselines: Vec<Arc<BaselineEntry>>,
    snapshots: Vec<Snapshot>,
) -> SourceEntry {
    let snapshots: Vec<Arc<Snapshot>> = snapshots.into_iter().map(Arc::new).collect();
    // Epoch boundaries: every snapshot date and every baseline change after the first snapshot.
    let mut starts: BTreeSet<NaiveDate> = snapshots.iter().map(|s| s.date).collect();
    if let Some(first) = snapshots.first().map(|s| s.date) {
        for b in &baselines {
            for d in std::iter::once(b.baseline.valid_from).chain(b.baseline.valid_to) {
                if d > first {
                    starts.insert(d);
                }
            }
        }
    }
    let plan: Vec<(NaiveDate, usize, Vec<usize>)> = starts
        .into_iter()
        .map(|d| {
            let snap = snapshots.partition_point(|s| s.date <= d) - 1;
            let active = (0..baselines.len())
                .filter(|&i| baselines[i].baseline.valid_on(d))
                .collect();
            (d, snap, active)
        })
        .collect();

    // One index per distinct snapshot content, one state per distinct (content, baselines).
    let mut first_with_content: HashMap<&str, usize> = HashMap::new();
    for (i, s) in snapshots.iter().enumerate() {
        first_with_content.entry(s.content_sha256.as_str()).or_insert(i);
    }
    let distinct: Vec<usize> = first_with_content.values().copied().collect();
    let indexes: HashMap<String, Arc<SnapshotIndex>> = distinct
        .par_iter()
        .map(|&i| {
            let s = &snapshots[i];
            let polys = |st: ControlStatus| {
                s.features
                    .iter()
                    .filter(move |f| f.status == st)
                    .flat_map(|f| f.geometry.0.iter())
            };
            let ix = SnapshotIndex {
                occupied: Arc::new(PolygonIndex::new(polys(ControlStatus::Occupied))),
                contested: Arc::new(PolygonIndex::new(polys(ControlStatus::Contested))),
            };
            (s.content_sha256.clone(), Arc::new(ix))
        })
        .collect();
    let mut keys: Vec<(String, Vec<usize>)> = plan
        .iter()
        .map(|(_, snap, active)| (snapshots[*snap].content_sha256.clone(), active.clone()))
        .collect();
    keys.sort();
    keys.dedup();
    let states: HashMap<(String, Vec<usize>), Arc<ControlState>> = keys
        .into_par_iter()
        .map(|key| {
            let snap = &snapshots[first_with_content[key.0.as_str()]];
            let mut occ = Vec::new();
            let mut con = Vec::new();
            for f in &snap.features {
                match f.status {
                    ControlStatus::Occupied => occ.extend(f.geometry.0.iter().cloned()),
                    ControlStatus::Contested => con.extend(f.geometry.0.iter().cloned()),
                }
            }
            let six = &indexes[&key.0];
            let mut occ_ix = vec![six.occupied.clone()];
            let mut con_ix = vec![six.contested.clone()];
            for &b in &key.1 {
                let bl = &baselines[b];
                match bl.baseline.status {
                    ControlStatus::Occupied => {
                        occ.extend(bl.baseline.geometry.0.iter().cloned());
                        occ_ix.push(bl.index.clone());
                    }
                    ControlStatus::Contested => {
                        con.extend(bl.baseline.geometry.0.iter().cloned());
                        con_ix.push(bl.index.clone());
                    }
                }
            }
            occ_ix.retain(|i| i.edge_count() > 0);
            con_ix.retain(|i| i.edge_count() > 0);
            let layers = compute_layers(&border.border.geometry, border.area_km2, &occ, &con);
            (
                key,
                Arc::new(ControlState {
                    layers,
                    occupied: occ_ix,
                    contested: con_ix,
                }),
            )
        })
        .collect();
    let epochs = plan
        .into_iter()
        .map(|(from, snapshot, baselines)| {
            let state = states[&(snapshots[snapshot].content_sha256.clone(), baselines.clone())].clone();
            Epoch {
                from,
                snapshot,
                baselines,
                state,
            }
        })
        .collect();
    SourceEntry {
        name,
        description,
        border,
        baselines,
        snapshots,
        epochs,
    }
}
