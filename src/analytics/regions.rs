//! Breakdowns by region (admin-1): the diff's changes and the timeline's areas per region of the
//! border, where the geodata has a regions layer (`regions/<ISO3>.geojson`).
//!
//! Each area is intersected with each region whose bounding box meets it (i_overlay, as
//! everywhere), and measured geodesically. Area of the border in no region is reported as the
//! region `unassigned`, so that the rows add up to the totals.

use super::diff::{Change, Diff};
use crate::catalog::{Catalog, CatalogError, InForce};
use crate::coverage::{OverlayRule, overlay};
use crate::geodata::Regions;
use crate::geodesy::area_km2;
use chrono::NaiveDate;
use geo::{BoundingRect, Intersects, MultiPolygon, Polygon, Rect};
use serde::Serialize;

/// The id of the row for area in no region.
pub const UNASSIGNED: &str = "unassigned";

/// Why a breakdown cannot be made.
#[derive(Debug, thiserror::Error)]
pub enum RegionError {
    /// The question itself failed.
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    /// The border has no regions layer.
    #[error("the border '{0}' has no regions layer (geodata/regions/{0}.geojson)")]
    NoRegions(String),
}

/// Geodesic area (km2) of `area` inside each region, in the regions' order.
pub fn area_by_region(area: &[Polygon<f64>], regions: &Regions) -> Vec<f64> {
    let bbox = |ps: &[Polygon<f64>]| -> Option<Rect<f64>> { MultiPolygon(ps.to_vec()).bounding_rect() };
    let Some(abox) = bbox(area) else {
        return vec![0.0; regions.regions.len()];
    };
    regions
        .regions
        .iter()
        .map(|r| {
            if !r.geometry.bounding_rect().is_some_and(|b| b.intersects(&abox)) {
                return 0.0;
            }
            let [inside] = overlay(area, &r.geometry.0, [OverlayRule::Intersect], true);
            area_km2(&inside)
        })
        .collect()
}

/// The changes of a diff in one region, km2 (kept parts only, as the diff's totals).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RegionChanges {
    /// Region id (or `unassigned`).
    pub id: String,
    /// Region name.
    pub name: String,
    /// Newly occupied.
    pub gained_km2: f64,
    /// Freed.
    pub lost_km2: f64,
    /// Newly contested; `null` when either side's source draws no grey zone.
    pub newly_contested_km2: Option<f64>,
    /// No longer contested; `null` likewise.
    pub no_longer_contested_km2: Option<f64>,
}

/// A diff broken down by region, with the regions' provenance.
#[derive(Debug, Clone, Serialize)]
pub struct RegionBreakdown {
    /// One row per region, then `unassigned`.
    pub regions: Vec<RegionChanges>,
    /// The regions file.
    pub provenance: crate::model::Provenance,
    /// Whether the regions are made up.
    pub synthetic: bool,
}

/// [`diff_by_region`] against the regions of the border of `source` (or the default source).
pub fn diff_breakdown(cat: &Catalog, source: Option<&str>, d: &Diff) -> Result<RegionBreakdown, RegionError> {
    let src = cat.source(source)?;
    let regions = src
        .border
        .regions
        .as_ref()
        .ok_or_else(|| RegionError::NoRegions(src.border.border.iso3.clone()))?;
    Ok(RegionBreakdown {
        regions: diff_by_region(d, regions),
        provenance: regions.provenance.clone(),
        synthetic: regions.synthetic,
    })
}

/// The diff's kept parts broken down by region; the last row, `unassigned`, is what lies in no
/// region (so that each column adds up to the diff's total).
pub fn diff_by_region(d: &Diff, regions: &Regions) -> Vec<RegionChanges> {
    let kinds = [
        Change::Gained,
        Change::Lost,
        Change::NewlyContested,
        Change::NoLongerContested,
    ];
    let per_kind: Vec<(Vec<f64>, f64)> = kinds
        .iter()
        .map(|k| {
            let parts: Vec<Polygon<f64>> = d
                .parts
                .iter()
                .filter(|p| p.change == *k && !p.in_waters)
                .map(|p| p.polygon.clone())
                .collect();
            // Land only: regions divide the border's land (the waters are in `totals.waters`).
            let total: f64 = d
                .parts
                .iter()
                .filter(|p| p.change == *k && !p.in_waters)
                .map(|p| p.area_km2)
                .sum();
            (area_by_region(&parts, regions), total)
        })
        .collect();
    // As the diff's totals: no contested changes where a side draws no grey zone.
    let contested = d.totals.newly_contested_km2.is_some();
    let known = |x: f64| contested.then_some(x);
    let mut rows: Vec<RegionChanges> = regions
        .regions
        .iter()
        .enumerate()
        .map(|(i, r)| RegionChanges {
            id: r.id.clone(),
            name: r.name.clone(),
            gained_km2: per_kind[0].0[i],
            lost_km2: per_kind[1].0[i],
            newly_contested_km2: known(per_kind[2].0[i]),
            no_longer_contested_km2: known(per_kind[3].0[i]),
        })
        .collect();
    let rest = |k: usize| (per_kind[k].1 - per_kind[k].0.iter().sum::<f64>()).max(0.0);
    rows.push(RegionChanges {
        id: UNASSIGNED.into(),
        name: "in no region".into(),
        gained_km2: rest(0),
        lost_km2: rest(1),
        newly_contested_km2: known(rest(2)),
        no_longer_contested_km2: known(rest(3)),
    });
    rows
}

/// One row of a timeline by region.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RegionTimelineRow {
    /// First day of the epoch.
    pub date: NaiveDate,
    /// Region id (or `unassigned`).
    pub region: String,
    /// Occupied area in the region, km2.
    pub occupied_km2: f64,
    /// Contested area in the region, km2; `null` (an empty CSV field) when the source draws no
    /// grey zone.
    pub contested_km2: Option<f64>,
    /// Covered area in the region (the area of application), km2.
    pub covered_km2: f64,
    /// The snapshot in force.
    pub snapshot: String,
    /// Whether any data used (regions included) is synthetic.
    pub synthetic: bool,
}

/// Header of the CSV form of [`RegionTimelineRow`].
pub const REGION_TIMELINE_CSV_HEADER: &str = "date,region,occupied_km2,contested_km2,covered_km2,snapshot,synthetic";

impl RegionTimelineRow {
    /// The row as CSV (with its line end).
    pub fn to_csv(&self) -> String {
        let km = |x: f64| crate::num::Fixed(x, 3).to_string();
        crate::output::csv::record([
            self.date.to_string(),
            self.region.clone(),
            km(self.occupied_km2),
            self.contested_km2.map(km).unwrap_or_default(),
            km(self.covered_km2),
            self.snapshot.clone(),
            self.synthetic.to_string(),
        ])
    }
}

/// The areas of every epoch (between `from` and `to` where given) by region, epochs in parallel.
pub fn timeline_by_region(
    cat: &Catalog,
    source: Option<&str>,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    raw: bool,
) -> Result<Vec<RegionTimelineRow>, RegionError> {
    use rayon::prelude::*;
    let src = cat.source(source)?;
    let regions = regions_of(src)?;
    let chosen: Vec<usize> = (0..src.epochs.len())
        .filter(|&i| from.is_none_or(|d| src.epochs[i].from >= d) && to.is_none_or(|d| src.epochs[i].from <= d))
        .collect();
    let rows: Vec<Vec<RegionTimelineRow>> = chosen
        .par_iter()
        .map(|&i| rows_by_region(&InForce::of(src, &src.epochs[i]), regions, raw))
        .collect();
    Ok(rows.into_iter().flatten().collect())
}

/// The areas by region of what is in force `f` (an epoch, or a publication superseded later its
/// day, `datetime=`): one row per region and one for the area in no region.
pub fn region_rows(f: &InForce<'_>, raw: bool) -> Result<Vec<RegionTimelineRow>, RegionError> {
    Ok(rows_by_region(f, regions_of(f.source)?, raw))
}

/// The regions layer of a source's border, or why there is none.
fn regions_of(src: &crate::catalog::SourceEntry) -> Result<&Regions, RegionError> {
    src.border
        .regions
        .as_ref()
        .ok_or_else(|| RegionError::NoRegions(src.border.border.iso3.clone()))
}

fn rows_by_region(f: &InForce<'_>, regions: &Regions, raw: bool) -> Vec<RegionTimelineRow> {
    let e = f.epoch;
    let computed = e.state.computed();
    let l = computed.layers_of(raw);
    let by = |mp: &MultiPolygon<f64>| area_by_region(&mp.0, regions);
    let (occ, con, cov) = (by(&l.occupied), by(&l.contested), by(&l.covered));
    let snapshot = f.snapshot_id();
    let synthetic = f.synthetic() || regions.synthetic;
    let contested = f.contested_not_drawn().is_none();
    let known = |x: f64| contested.then_some(x);
    let mut out: Vec<RegionTimelineRow> = regions
        .regions
        .iter()
        .enumerate()
        .map(|(k, r)| RegionTimelineRow {
            date: e.from,
            region: r.id.clone(),
            occupied_km2: occ[k],
            contested_km2: known(con[k]),
            covered_km2: cov[k],
            snapshot: snapshot.clone(),
            synthetic,
        })
        .collect();
    let rest = |total: f64, parts: &[f64]| (total - parts.iter().sum::<f64>()).max(0.0);
    out.push(RegionTimelineRow {
        date: e.from,
        region: UNASSIGNED.into(),
        occupied_km2: rest(l.occupied_km2, &occ),
        contested_km2: known(rest(l.contested_km2, &con)),
        covered_km2: rest(l.covered_km2, &cov),
        snapshot,
        synthetic,
    });
    out
}
