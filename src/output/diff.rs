//! The shapes of a diff answer (`GET /v1/diff`, `frontline diff`): the `frontline` member
//! (what was compared, totals), the summary, and the properties of each changed part.

use super::provenance::{AnswerProvenance, FeatureProvenance};
use chrono::NaiveDate;
use serde::Serialize;

/// What changed in a part.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    /// Occupied at the end, not at the start.
    Gained,
    /// Occupied at the start, not at the end (freed).
    Lost,
    /// Contested at the end, not at the start.
    NewlyContested,
    /// Contested at the start, not at the end.
    NoLongerContested,
}

/// Totals of a diff, km2 (kept parts; slivers separately).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct DiffTotals {
    /// Newly occupied, parts of at least `min_area_km2`.
    pub gained_km2: f64,
    /// Freed.
    pub lost_km2: f64,
    /// Newly contested; `null` when either side's source draws no grey zone (the reason in the
    /// side's `not_drawn`).
    pub newly_contested_km2: Option<f64>,
    /// No longer contested; `null` likewise.
    pub no_longer_contested_km2: Option<f64>,
    /// Gained area in parts under `min_area_km2` (dropped).
    pub sliver_gained_km2: f64,
    /// Lost area in parts under `min_area_km2` (dropped).
    pub sliver_lost_km2: f64,
    /// Contested area changes in dropped parts (either direction); `null` likewise.
    pub sliver_contested_km2: Option<f64>,
    /// Number of parts dropped as slivers.
    pub slivers_dropped: usize,
    /// The threshold used.
    pub min_area_km2: f64,
    /// The changes in the border's waters (territorial sea approximation), apart from the land
    /// figures above (which stay comparable with every peer); `null` without waters, and in a
    /// raw diff.
    pub waters: Option<WatersTotals>,
}

/// The changes in the waters of a diff, km2: the cells whose status changed (waters follow their
/// coast), every part kept whatever its size (cells are the approximation's own pieces, not
/// overlay slivers).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct WatersTotals {
    /// Newly occupied waters.
    pub gained_km2: f64,
    /// Freed waters.
    pub lost_km2: f64,
    /// Newly contested waters; `null` as `newly_contested_km2`.
    pub newly_contested_km2: Option<f64>,
    /// No longer contested waters; `null` likewise.
    pub no_longer_contested_km2: Option<f64>,
}

/// The total of `change` among four totals (gained, lost, newly and no longer contested): the
/// one place that picks it, for the land's totals and the waters'.
fn total_of<'t>(
    change: Change,
    [gained, lost]: [&'t mut f64; 2],
    [newly, no_longer]: [&'t mut Option<f64>; 2],
) -> &'t mut f64 {
    match change {
        Change::Gained => gained,
        Change::Lost => lost,
        Change::NewlyContested => newly.get_or_insert(0.0),
        Change::NoLongerContested => no_longer.get_or_insert(0.0),
    }
}

impl DiffTotals {
    /// The total of kept parts that a part of `change` adds to, km2.
    pub fn total_mut(&mut self, change: Change) -> &mut f64 {
        total_of(
            change,
            [&mut self.gained_km2, &mut self.lost_km2],
            [&mut self.newly_contested_km2, &mut self.no_longer_contested_km2],
        )
    }
}

impl WatersTotals {
    /// The total that a waters part of `change` adds to, km2.
    pub fn total_mut(&mut self, change: Change) -> &mut f64 {
        total_of(
            change,
            [&mut self.gained_km2, &mut self.lost_km2],
            [&mut self.newly_contested_km2, &mut self.no_longer_contested_km2],
        )
    }
}

/// The `frontline` member of a diff: both sides (each the date asked and what was in force),
/// the totals, and the breakdown by region when asked for.
#[derive(Debug, Clone, Serialize)]
pub struct DiffMeta<'a, R: Serialize> {
    /// The start.
    pub from: &'a AnswerProvenance,
    /// The end.
    pub to: &'a AnswerProvenance,
    /// Totals.
    pub totals: &'a DiffTotals,
    /// True when both sides are the same computed state.
    pub identical: bool,
    /// True when the raw compositions were compared (without the sliver rule).
    pub raw: bool,
    /// How edges are taken and measured ([`crate::geodesy::EDGES`]).
    pub edges: &'static str,
    /// What was done to make the drawn parts valid at the decimals asked for.
    pub output_check: super::layer::OutputCheck,
    /// The parts that rounding to the decimals asked for erased (each too small for the grid of
    /// those decimals): not drawn, listed here, so that the features' areas and these add up to
    /// the totals.
    pub erased_by_rounding: &'a [ErasedPart],
    /// Their area, km2.
    pub erased_by_rounding_km2: f64,
    /// True if any data used is synthetic.
    pub synthetic: bool,
    /// The changes per region, when asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub by_region: Option<&'a R>,
}

/// A diff part that rounding erased: what it was, where, and its area.
#[derive(Debug, Clone, Serialize)]
pub struct ErasedPart {
    /// What changed.
    pub change: Change,
    /// True for a part of the border's waters.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub in_waters: bool,
    /// Its geodesic area (of the exact geometry), km2.
    pub area_km2: f64,
    /// Its centroid's longitude.
    pub centroid_lon: f64,
    /// Its centroid's latitude.
    pub centroid_lat: f64,
}

/// One side of a diff in the summary: source and snapshot.
#[derive(Debug, Clone, Serialize)]
pub struct DiffSide<'a> {
    /// The date asked for.
    pub date: NaiveDate,
    /// The source.
    pub source: &'a str,
    /// The snapshot in force.
    pub snapshot: &'a str,
    /// Its date.
    pub snapshot_date: NaiveDate,
}

impl<'a> DiffSide<'a> {
    /// The side of a diff.
    pub fn new(p: &'a AnswerProvenance) -> Self {
        DiffSide {
            date: p.date,
            source: &p.in_force.source.name,
            snapshot: &p.in_force.snapshot.id,
            snapshot_date: p.in_force.snapshot_date,
        }
    }
}

/// `frontline diff --summary`: what was compared and the totals.
#[derive(Debug, Clone, Serialize)]
pub struct DiffSummary<'a, R: Serialize> {
    /// The start.
    pub from: DiffSide<'a>,
    /// The end.
    pub to: DiffSide<'a>,
    /// True when both sides are the same computed state.
    pub identical: bool,
    /// True when the raw compositions were compared (without the sliver rule).
    pub raw: bool,
    /// Number of parts kept.
    pub parts: usize,
    /// Totals.
    pub totals: &'a DiffTotals,
    /// True if any data used is synthetic.
    pub synthetic: bool,
    /// The changes per region, when asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub by_region: Option<&'a R>,
}

/// The properties of one changed part. The provenance members are those of the end (`to`)
/// side, the start's are prefixed `from_`; `synthetic` is true if either side is.
#[derive(Debug, Clone, Serialize)]
pub struct DiffProperties<'a> {
    /// What changed.
    pub change: Change,
    /// True for a part of the border's waters (its area is in `totals.waters`, not in the land
    /// totals).
    pub in_waters: bool,
    /// Geodesic area, km2.
    pub area_km2: f64,
    /// Planar centroid `[lon, lat]` (null when the part has none).
    pub centroid: [f64; 2],
    /// The centroid's longitude, as a number that GDAL and shapefiles keep.
    pub centroid_lon: f64,
    /// The centroid's latitude.
    pub centroid_lat: f64,
    /// The end date asked for.
    pub date: NaiveDate,
    /// The start date asked for.
    pub from_date: NaiveDate,
    /// The source at the start.
    pub from_source: &'a str,
    /// The snapshot in force at the start.
    pub from_snapshot: &'a str,
    /// Its date.
    pub from_snapshot_date: NaiveDate,
    /// SHA-256 of its content.
    pub from_content_sha256: &'a str,
    /// The end side's provenance (synthetic: either side).
    #[serde(flatten)]
    pub provenance: &'a FeatureProvenance,
}
