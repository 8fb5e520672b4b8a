//! Diff of control between two dates of a source, or two sources on a date: the polygons newly
//! occupied (gained), freed (lost), newly contested and no longer contested, clipped to the
//! border, each with its geodesic area and centroid, and the totals.
//!
//! Archives re-digitise lines daily, so most raw difference parts are slivers: parts under
//! `min_area_km2` are dropped from the features but their area is reported, so totals stay
//! honest (`gained_km2 + sliver_gained_km2` is the whole gain).

use crate::catalog::{Catalog, CatalogError, InForce};
use crate::coverage::{ControlLayers, OverlayRule, overlay};
use crate::geodesy::area_km2;
use crate::output::provenance::InForceRef;
use chrono::NaiveDate;
use geo::{Centroid, MultiPolygon, Polygon};
use serde::Serialize;

/// Default sliver threshold, km2.
pub const DEFAULT_MIN_AREA_KM2: f64 = 0.01;

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

/// One polygon of a diff.
#[derive(Debug, Clone)]
pub struct DiffPart {
    /// What changed.
    pub change: Change,
    /// The area.
    pub polygon: Polygon<f64>,
    /// Its geodesic area, km2.
    pub area_km2: f64,
    /// Its centroid (planar, in lon/lat).
    pub centroid: [f64; 2],
}

/// Totals of a diff, km2 (kept parts; slivers separately).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct DiffTotals {
    /// Newly occupied, parts of at least `min_area_km2`.
    pub gained_km2: f64,
    /// Freed.
    pub lost_km2: f64,
    /// Newly contested.
    pub newly_contested_km2: f64,
    /// No longer contested.
    pub no_longer_contested_km2: f64,
    /// Gained area in parts under `min_area_km2` (dropped).
    pub sliver_gained_km2: f64,
    /// Lost area in parts under `min_area_km2` (dropped).
    pub sliver_lost_km2: f64,
    /// Contested area changes in dropped parts (either direction).
    pub sliver_contested_km2: f64,
    /// Number of parts dropped as slivers.
    pub slivers_dropped: usize,
    /// The threshold used.
    pub min_area_km2: f64,
}

/// A diff with what it compared.
#[derive(Debug, Clone)]
pub struct Diff {
    /// What was in force at the start.
    pub from: InForceRef,
    /// What was in force at the end.
    pub to: InForceRef,
    /// Kept parts, in the order gained, lost, newly contested, no longer contested.
    pub parts: Vec<DiffPart>,
    /// Totals.
    pub totals: DiffTotals,
    /// True when both sides are the same computed state (nothing to compare).
    pub identical: bool,
    /// True when the raw compositions were compared (without the sliver rule).
    pub raw: bool,
}

/// The diff from (`source`, `from`) to (`to_source` or `source`, `to`).
pub fn diff(
    cat: &Catalog,
    source: Option<&str>,
    from: NaiveDate,
    to_source: Option<&str>,
    to: NaiveDate,
    min_area_km2: f64,
) -> Result<Diff, CatalogError> {
    diff_of(cat, source, from, to_source, to, min_area_km2, false)
}

/// [`diff`] after the sliver rule, or of the raw compositions (`raw`).
pub fn diff_of(
    cat: &Catalog,
    source: Option<&str>,
    from: NaiveDate,
    to_source: Option<&str>,
    to: NaiveDate,
    min_area_km2: f64,
    raw: bool,
) -> Result<Diff, CatalogError> {
    let a = cat.in_force(source, from)?;
    let b = cat.in_force(to_source.or(source), to)?;
    Ok(diff_in_force_of(&a, &b, min_area_km2, raw))
}

/// The diff between two states in force (after the sliver rule).
pub fn diff_in_force(a: &InForce<'_>, b: &InForce<'_>, min_area_km2: f64) -> Diff {
    diff_in_force_of(a, b, min_area_km2, false)
}

/// [`diff_in_force`], or of the raw compositions (`raw`).
pub fn diff_in_force_of(a: &InForce<'_>, b: &InForce<'_>, min_area_km2: f64, raw: bool) -> Diff {
    let identical = std::sync::Arc::ptr_eq(&a.epoch.state, &b.epoch.state);
    let mut totals = DiffTotals {
        min_area_km2,
        ..DiffTotals::default()
    };
    let parts = if identical {
        Vec::new()
    } else {
        changes(
            &a.computed().layers_of(raw),
            &b.computed().layers_of(raw),
            min_area_km2,
            &mut totals,
        )
    };
    Diff {
        from: InForceRef::new(a),
        to: InForceRef::new(b),
        parts,
        totals,
        identical,
        raw,
    }
}

/// The parts that changed from `a` to `b`, with totals.
pub fn changes(a: &ControlLayers, b: &ControlLayers, min_area_km2: f64, totals: &mut DiffTotals) -> Vec<DiffPart> {
    let mut parts = Vec::new();
    let [gained, lost] = overlay(
        &b.occupied.0,
        &a.occupied.0,
        [OverlayRule::Difference, OverlayRule::InverseDifference],
        true,
    );
    keep(gained, Change::Gained, min_area_km2, totals, &mut parts);
    keep(lost, Change::Lost, min_area_km2, totals, &mut parts);
    if !(a.contested.0.is_empty() && b.contested.0.is_empty()) {
        let [newly, no_longer] = overlay(
            &b.contested.0,
            &a.contested.0,
            [OverlayRule::Difference, OverlayRule::InverseDifference],
            true,
        );
        keep(newly, Change::NewlyContested, min_area_km2, totals, &mut parts);
        keep(no_longer, Change::NoLongerContested, min_area_km2, totals, &mut parts);
    }
    parts
}

fn keep(mp: MultiPolygon<f64>, change: Change, min_area_km2: f64, totals: &mut DiffTotals, out: &mut Vec<DiffPart>) {
    for polygon in mp.0 {
        let area = area_km2(&MultiPolygon(vec![polygon.clone()]));
        if area < min_area_km2 {
            totals.slivers_dropped += 1;
            match change {
                Change::Gained => totals.sliver_gained_km2 += area,
                Change::Lost => totals.sliver_lost_km2 += area,
                _ => totals.sliver_contested_km2 += area,
            }
            continue;
        }
        match change {
            Change::Gained => totals.gained_km2 += area,
            Change::Lost => totals.lost_km2 += area,
            Change::NewlyContested => totals.newly_contested_km2 += area,
            Change::NoLongerContested => totals.no_longer_contested_km2 += area,
        }
        let centroid = polygon.centroid().map_or([f64::NAN, f64::NAN], |c| [c.x(), c.y()]);
        out.push(DiffPart {
            change,
            polygon,
            area_km2: area,
            centroid,
        });
    }
}

/// The diff as a GeoJSON FeatureCollection (one Feature per part; totals and what was compared
/// in the `frontline` foreign member, with the breakdown by region where given), coordinates
/// with `precision` decimals.
pub fn diff_geojson(d: &Diff, precision: u8, by_region: Option<&super::regions::RegionBreakdown>) -> String {
    use std::fmt::Write;
    let mut meta = serde_json::json!({
        "from": d.from,
        "to": d.to,
        "totals": d.totals,
        "identical": d.identical,
        "raw": d.raw,
        "synthetic": d.from.synthetic || d.to.synthetic || by_region.is_some_and(|r| r.synthetic),
    });
    if let (Some(r), Some(m)) = (by_region, meta.as_object_mut()) {
        m.insert("by_region".into(), serde_json::to_value(r).unwrap_or_default());
    }
    let p = usize::from(precision.min(15));
    let mut out = String::from("{\"type\":\"FeatureCollection\",\"frontline\":");
    out.push_str(&meta.to_string());
    out.push_str(",\"features\":[");
    for (i, part) in d.parts.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let props = serde_json::json!({"change": part.change, "area_km2": part.area_km2, "centroid": part.centroid});
        let _ = write!(
            out,
            "{{\"type\":\"Feature\",\"id\":{i},\"properties\":{props},\"geometry\":"
        );
        crate::output::geojson::write_polygon(&mut out, &part.polygon, p);
        out.push('}');
    }
    out.push_str("]}");
    out
}
