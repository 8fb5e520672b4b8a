//! Questions asked of a [`Catalog`]: the status of a point on a date, and the timeline of areas.
//! Answers carry their provenance: the source, the snapshot (id, date, file, hashes), the
//! baselines composed with it, and whether any of it is synthetic.

use crate::catalog::{Catalog, CatalogError, InForce};
use crate::model::Status;
use chrono::NaiveDate;
use serde::Serialize;

pub use crate::output::provenance::{BaselineRef, BorderRef, InForceRef, SnapshotRef};

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
    /// Geodesic distance to the line of contact in force, km: present when asked for and when
    /// there is a line on that date.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line_of_contact_km: Option<f64>,
    /// The point of the line of contact nearest to the point, `[lon, lat]`: beside
    /// `line_of_contact_km`, so that the distance can be checked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line_of_contact_nearest: Option<[f64; 2]>,
    /// Present when the point lies in a sliver or speck that the rule gave the status of what
    /// surrounds it (`analytics::slivers`): its kind, area and raw status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sliver: Option<SliverRef>,
    /// What was in force.
    #[serde(flatten)]
    pub in_force: InForceRef,
}

/// The sliver or speck a point lies in.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct SliverRef {
    /// `sliver` or `speck`.
    pub kind: crate::analytics::slivers::PieceKind,
    /// Its geodesic area, km2.
    pub area_km2: f64,
    /// The status of the point in the raw composition.
    pub raw_status: Status,
}

/// Status of (lon, lat) on `date` against `source` (or the default source), with the distance
/// to the line of contact when `distance` is true.
pub fn point(
    cat: &Catalog,
    source: Option<&str>,
    date: NaiveDate,
    lon: f64,
    lat: f64,
    distance: bool,
) -> Result<PointAnswer, CatalogError> {
    let (f, status, on_boundary, nearest, sliver) = locate(cat, source, date, lon, lat, distance)?;
    Ok(PointAnswer {
        lon,
        lat,
        date,
        status,
        on_boundary,
        line_of_contact_km: nearest.map(|n| n.km),
        line_of_contact_nearest: nearest.map(|n| n.point),
        sliver,
        in_force: InForceRef::new(&f),
    })
}

type Located<'a> = (
    InForce<'a>,
    Status,
    bool,
    Option<crate::analytics::line::Nearest>,
    Option<SliverRef>,
);

/// What both forms of a point answer need: what is in force, the status, whether the point is on
/// the deciding boundary, and the distance to the line of contact when asked for.
fn locate<'a>(
    cat: &'a Catalog,
    source: Option<&str>,
    date: NaiveDate,
    lon: f64,
    lat: f64,
    distance: bool,
) -> Result<Located<'a>, CatalogError> {
    let f = cat.in_force(source, date)?;
    let (status, on_boundary) = f.status(lon, lat)?;
    let line = if distance { f.line().nearest(lon, lat) } else { None };
    let sliver = match status {
        Status::Occupied | Status::Contested => f.computed().piece_at(lon, lat).map(|p| SliverRef {
            kind: p.kind,
            area_km2: p.area_km2,
            raw_status: f.computed().status_of(f.border_index(), lon, lat, true).0,
        }),
        _ => None,
    };
    Ok((f, status, on_boundary, line, sliver))
}

/// A loaded source, as listed by `GET /v1/sources`.
#[derive(Debug, Clone, Serialize)]
pub struct SourceSummary {
    /// Name.
    pub name: String,
    /// Free text.
    pub description: Option<String>,
    /// Whether queries without a source use it.
    pub default: bool,
    /// ISO3 of its border.
    pub border: String,
    /// Baselines it composes with.
    pub baselines: Vec<String>,
    /// Number of snapshots.
    pub snapshots: usize,
    /// First snapshot date.
    pub first: Option<NaiveDate>,
    /// Last snapshot date.
    pub last: Option<NaiveDate>,
    /// Whether any of its snapshots is synthetic.
    pub synthetic: bool,
}

/// Every loaded source.
pub fn sources(cat: &Catalog) -> Vec<SourceSummary> {
    cat.sources
        .values()
        .map(|s| SourceSummary {
            name: s.name.clone(),
            description: s.description.clone(),
            default: cat.default_source.as_deref() == Some(s.name.as_str()),
            border: s.border.border.iso3.clone(),
            baselines: s.baselines.iter().map(|b| b.baseline.name.clone()).collect(),
            snapshots: s.snapshots.len(),
            first: s.snapshots.first().map(|x| x.date),
            last: s.snapshots.last().map(|x| x.date),
            synthetic: s.snapshots.iter().any(|x| x.synthetic),
        })
        .collect()
}

/// A snapshot, as listed by `GET /v1/snapshots`.
#[derive(Debug, Clone, Serialize)]
pub struct SnapshotSummary {
    /// The snapshot and its provenance.
    #[serde(flatten)]
    pub snapshot: SnapshotRef,
    /// Its source.
    pub source: String,
    /// Number of features.
    pub features: usize,
    /// Number of vertices.
    pub vertices: usize,
    /// Areas in force from its date (with the baselines valid then), km2.
    pub occupied_km2: f64,
    /// Contested area, km2.
    pub contested_km2: f64,
    /// Covered area, km2.
    pub covered_km2: f64,
    /// Area the sliver rule moved from covered to occupied or contested, km2.
    pub moved_km2: f64,
}

/// The snapshots of a source (or of every source), in date order.
pub fn snapshots(cat: &Catalog, source: Option<&str>) -> Result<Vec<SnapshotSummary>, CatalogError> {
    let list: Vec<&crate::catalog::SourceEntry> = match source {
        Some(_) => vec![cat.source(source)?],
        None => cat.sources.values().map(|s| &**s).collect(),
    };
    let mut out = Vec::new();
    for src in list {
        for e in &src.epochs {
            let s = &src.snapshots[e.snapshot];
            if e.from != s.date {
                continue; // an epoch started by a baseline change, not by this snapshot
            }
            let l = &e.state.computed().layers;
            out.push(SnapshotSummary {
                snapshot: SnapshotRef {
                    id: s.id(),
                    date: s.date,
                    content_sha256: s.content_sha256.clone(),
                    provenance: s.provenance.clone(),
                    synthetic: s.synthetic,
                },
                source: src.name.clone(),
                features: s.features.len(),
                vertices: s
                    .features
                    .iter()
                    .map(|f| geo::CoordsIter::coords_count(&f.geometry))
                    .sum(),
                occupied_km2: l.occupied_km2,
                contested_km2: l.contested_km2,
                covered_km2: l.covered_km2,
                moved_km2: e.state.computed().moved.moved_km2,
            });
        }
    }
    Ok(out)
}

/// [`point`], serialised: the same JSON object, with the provenance members rendered once per
/// epoch instead of per answer (the hot path of `GET /v1/coverage`).
pub fn point_json(
    cat: &Catalog,
    source: Option<&str>,
    date: NaiveDate,
    lon: f64,
    lat: f64,
    distance: bool,
) -> Result<String, CatalogError> {
    let (f, status, on_boundary, line, sliver) = locate(cat, source, date, lon, lat, distance)?;
    let members = f.epoch.provenance_json.get_or_init(|| {
        let v = serde_json::to_string(&InForceRef::new(&f)).unwrap_or_else(|_| "{}".into());
        v.trim_start_matches('{').trim_end_matches('}').to_string()
    });
    // Numbers as serde_json writes them (shortest round trip), so both forms are identical.
    let num = |x: f64| serde_json::to_string(&x).unwrap_or_else(|_| "null".into());
    let line = match line {
        Some(n) => format!(
            "\"line_of_contact_km\":{},\"line_of_contact_nearest\":[{},{}],",
            num(n.km),
            num(n.point[0]),
            num(n.point[1])
        ),
        None => String::new(),
    };
    let sliver = match sliver {
        Some(s) => format!(
            "\"sliver\":{},",
            serde_json::to_string(&s).unwrap_or_else(|_| "null".into())
        ),
        None => String::new(),
    };
    Ok(format!(
        "{{\"lon\":{},\"lat\":{},\"date\":\"{date}\",\"status\":\"{}\",\"on_boundary\":{on_boundary},{line}{sliver}{members}}}",
        num(lon),
        num(lat),
        status.as_str()
    ))
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
    /// Geodesic length of the line of contact, km.
    pub line_km: f64,
    /// Area newly occupied since the previous epoch, km2 (all parts, no sliver filter; 0 for
    /// the first epoch).
    pub gained_km2: f64,
    /// Area freed since the previous epoch, km2.
    pub lost_km2: f64,
    /// The snapshot in force.
    pub snapshot: String,
    /// Whether any data used is synthetic.
    pub synthetic: bool,
    /// Area the sliver rule moved from covered to occupied or contested, km2 (slivers and
    /// specks; 0 in the raw composition).
    pub moved_km2: f64,
}

/// The header of a timeline as CSV.
pub const TIMELINE_CSV_HEADER: &str =
    "date,occupied_km2,contested_km2,covered_km2,line_km,gained_km2,lost_km2,snapshot,synthetic,moved_km2";

impl TimelineRow {
    /// The row as CSV (areas and lengths to 3 decimals), with its line end.
    pub fn to_csv(&self) -> String {
        format!(
            "{},{:.3},{:.3},{:.3},{:.3},{:.3},{:.3},{},{},{:.3}\n",
            self.date,
            self.occupied_km2,
            self.contested_km2,
            self.covered_km2,
            self.line_km,
            self.gained_km2,
            self.lost_km2,
            self.snapshot,
            self.synthetic,
            self.moved_km2
        )
    }
}

/// The areas of every epoch of a source, in date order.
pub fn timeline(cat: &Catalog, source: Option<&str>) -> Result<Vec<TimelineRow>, CatalogError> {
    timeline_between(cat, source, None, None, false)
}

/// The areas of the epochs of a source that start within `[from, to]` (either end open), after
/// the sliver rule or of the raw composition (`raw`: the figures as before the rule, line
/// included).
pub fn timeline_between(
    cat: &Catalog,
    source: Option<&str>,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    raw: bool,
) -> Result<Vec<TimelineRow>, CatalogError> {
    use rayon::prelude::*;
    let src = cat.source(source)?;
    let chosen: Vec<usize> = (0..src.epochs.len())
        .filter(|&i| from.is_none_or(|d| src.epochs[i].from >= d) && to.is_none_or(|d| src.epochs[i].from <= d))
        .collect();
    Ok(chosen
        .par_iter()
        .map(|&i| {
            let e = &src.epochs[i];
            let f = InForce { source: src, epoch: e };
            let c = e.state.computed();
            let l = c.layers_of(raw);
            let (gained_km2, lost_km2) = match i.checked_sub(1).map(|p| &src.epochs[p]) {
                Some(prev) => {
                    let d = crate::analytics::diff::diff_in_force_of(
                        &InForce {
                            source: src,
                            epoch: prev,
                        },
                        &f,
                        0.0,
                        raw,
                    );
                    (d.totals.gained_km2, d.totals.lost_km2)
                }
                None => (0.0, 0.0),
            };
            TimelineRow {
                date: e.from,
                occupied_km2: l.occupied_km2,
                contested_km2: l.contested_km2,
                covered_km2: l.covered_km2,
                line_km: e.state.line_of(raw).length_km,
                gained_km2,
                lost_km2,
                snapshot: f.snapshot().id(),
                synthetic: f.synthetic(),
                moved_km2: if raw { 0.0 } else { c.moved.moved_km2 },
            }
        })
        .collect())
}

pub mod csv;
pub mod history;
pub mod layers;
#[cfg(test)]
mod sliver_fixtures;
