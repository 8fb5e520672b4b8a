//! Diff of control between two dates of a source, or two sources on a date: the polygons newly
//! occupied (gained), freed (lost), newly contested and no longer contested, clipped to the
//! border, each with its geodesic area and centroid, and the totals.
//!
//! Archives re-digitise lines daily, so most raw difference parts are slivers: parts under
//! `min_area_km2` are dropped from the features but their area is reported, so totals stay
//! honest (`gained_km2 + sliver_gained_km2` is the whole gain).
//!
//! Where the border has waters (territorial sea approximation, [`crate::waters`]), the cells
//! whose status changed are parts too, labelled `in_waters`, with their areas apart in
//! `totals.waters`: a point in the waters is in a part exactly when its answer changes, as on
//! land. Raw diffs (without the sliver rule, comparable with peers) have no waters.

use crate::catalog::{Catalog, CatalogError, InForce};
use crate::coverage::{ControlLayers, OverlayRule, overlay};
use crate::geodesy::polygon_area_km2;
use crate::output::diff::{DiffMeta, DiffProperties, DiffSide, DiffSummary, ErasedPart};
use crate::output::geojson::{Feature, FeatureCollection, PolygonalGeometry};
use crate::output::provenance::AnswerProvenance;
use chrono::NaiveDate;
use geo::{Centroid, MultiPolygon, Polygon};

pub use crate::output::diff::{Change, DiffTotals, WatersTotals};

/// Default sliver threshold, km2.
pub const DEFAULT_MIN_AREA_KM2: f64 = 0.01;

/// One polygon of a diff.
#[derive(Debug, Clone)]
pub struct DiffPart {
    /// What changed.
    pub change: Change,
    /// True for a part of the border's waters (not land).
    pub in_waters: bool,
    /// The area.
    pub polygon: Polygon<f64>,
    /// Its geodesic area, km2.
    pub area_km2: f64,
    /// Its centroid (planar, in lon/lat).
    pub centroid: [f64; 2],
}

impl DiffPart {
    /// The part `polygon` of `change`, whose geodesic area is `area_km2`, with its centroid.
    fn new(change: Change, in_waters: bool, polygon: Polygon<f64>, area_km2: f64) -> DiffPart {
        DiffPart {
            change,
            in_waters,
            area_km2,
            centroid: polygon.centroid().map_or([f64::NAN, f64::NAN], |c| [c.x(), c.y()]),
            polygon,
        }
    }
}

/// A diff with what it compared.
#[derive(Debug, Clone)]
pub struct Diff {
    /// The start date asked for and what was in force then.
    pub from: AnswerProvenance,
    /// The end date asked for and what was in force then.
    pub to: AnswerProvenance,
    /// Kept parts, in the order gained, lost, newly contested, no longer contested.
    pub parts: Vec<DiffPart>,
    /// Totals.
    pub totals: DiffTotals,
    /// True when both sides are the same computed state (nothing to compare).
    pub identical: bool,
    /// True when the raw compositions were compared (without the sliver rule).
    pub raw: bool,
}

/// The diff from (`source`, `from`) to (`to_source` or `source`, `to`): the parts that changed
/// hands, with geodesic areas in km2; parts under `min_area_km2` are counted as slivers and
/// dropped.
///
/// ```
/// use frontline::model::parse_date;
/// let catalog = frontline::Catalog::load_embedded().expect("embedded geodata");
/// let (from, to) = (parse_date("2024-03-01").unwrap(), parse_date("2024-09-01").unwrap());
/// let d = frontline::analytics::diff::diff(&catalog, None, from, None, to, 0.01).unwrap();
/// // Two snapshots of the (synthetic) example source: something changed hands.
/// assert!(!d.identical && d.totals.gained_km2 + d.totals.lost_km2 > 0.0);
/// // A diff of a date with itself is empty.
/// assert!(frontline::analytics::diff::diff(&catalog, None, to, None, to, 0.01).unwrap().identical);
/// ```
///
/// # Errors
/// As [`crate::Catalog::in_force`] on either side.
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

/// [`diff`] after the sliver rule, or of the raw compositions (`raw`). Each side is a date (the
/// state in force at its end) or an instant (`from_datetime=`/`to_datetime=`: as published then,
/// [`Catalog::resolve`]).
pub fn diff_of(
    cat: &Catalog,
    source: Option<&str>,
    from: impl Into<crate::model::When>,
    to_source: Option<&str>,
    to: impl Into<crate::model::When>,
    min_area_km2: f64,
    raw: bool,
) -> Result<Diff, CatalogError> {
    let (from, to) = (from.into(), to.into());
    let (a, from_date) = cat.resolve(source, from)?;
    let (b, to_date) = cat.resolve(to_source.or(source), to)?;
    let mut d = diff_in_force_of(&a, &b, min_area_km2, raw);
    // The dates asked for (and the snapshots' ages on them), not the epochs' first days.
    d.from = AnswerProvenance::at(&a, from_date, from.instant());
    d.to = AnswerProvenance::at(&b, to_date, to.instant());
    Ok(d)
}

/// The diff between two states in force, after the sliver rule (the dates named are the first
/// days of their epochs).
pub fn diff_in_force(a: &InForce<'_>, b: &InForce<'_>, min_area_km2: f64) -> Diff {
    diff_in_force_of(a, b, min_area_km2, false)
}

/// [`diff_in_force`], or of the raw compositions (`raw`).
pub fn diff_in_force_of(a: &InForce<'_>, b: &InForce<'_>, min_area_km2: f64, raw: bool) -> Diff {
    let identical = std::sync::Arc::ptr_eq(&a.epoch.state, &b.epoch.state);
    // Contested changes are known only where both sides can show a grey zone: `null`, not 0,
    // otherwise.
    let contested = (a.contested_not_drawn().is_none() && b.contested_not_drawn().is_none()).then_some(0.0);
    let mut totals = DiffTotals {
        min_area_km2,
        newly_contested_km2: contested,
        no_longer_contested_km2: contested,
        sliver_contested_km2: contested,
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
    let mut parts = parts;
    if !raw {
        waters_changes(a, b, &mut totals, &mut parts);
    }
    Diff {
        from: AnswerProvenance::new(a, a.epoch.from),
        to: AnswerProvenance::new(b, b.epoch.from),
        parts,
        totals,
        identical,
        raw,
    }
}

/// The parts that changed from `a` to `b`, with totals. Contested changes are looked for only
/// where `totals` counts them (`newly_contested_km2` is `Some`): both sides draw a grey zone.
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
    if totals.newly_contested_km2.is_some() && !(a.contested.0.is_empty() && b.contested.0.is_empty()) {
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

/// The waters' parts of a diff between two states of one border: per kind of change, the union
/// of the cells whose status changed so (a point in the waters takes its cell's status), added
/// to `parts` (labelled `in_waters`) and to `totals.waters`. Nothing where the two sides have
/// different borders or the border has no waters.
fn waters_changes(a: &InForce<'_>, b: &InForce<'_>, totals: &mut DiffTotals, parts: &mut Vec<DiffPart>) {
    use crate::model::Status;
    if !std::sync::Arc::ptr_eq(&a.source.border, &b.source.border) {
        return;
    }
    let (Some(w), Some(sa), Some(sb)) = (
        a.source.border.waters.as_ref(),
        a.computed().waters.as_ref(),
        b.computed().waters.as_ref(),
    ) else {
        return;
    };
    let contested = totals.newly_contested_km2.is_some();
    let mut wt = WatersTotals {
        newly_contested_km2: contested.then_some(0.0),
        no_longer_contested_km2: contested.then_some(0.0),
        ..WatersTotals::default()
    };
    // A cell changed so when its status is `s` at one end and not at the other.
    let kinds = [
        (Change::Gained, Status::Occupied, true),
        (Change::Lost, Status::Occupied, false),
        (Change::NewlyContested, Status::Contested, true),
        (Change::NoLongerContested, Status::Contested, false),
    ];
    for (change, s, at_end) in kinds {
        if !contested && s == Status::Contested {
            continue;
        }
        let changed = |x: Status, y: Status| if at_end { x != s && y == s } else { x == s && y != s };
        let cells: Vec<Polygon<f64>> = w
            .waters
            .cells
            .iter()
            .zip(sa.status.iter().zip(&sb.status))
            .filter(|(_, (x, y))| changed(**x, **y))
            .flat_map(|(c, _)| c.geometry.0.iter().cloned())
            .collect();
        if cells.is_empty() {
            continue;
        }
        let [union] = overlay(&cells, &[], [OverlayRule::Subject], true);
        for polygon in union.0 {
            let area = polygon_area_km2(&polygon);
            *wt.total_mut(change) += area;
            parts.push(DiffPart::new(change, true, polygon, area));
        }
    }
    totals.waters = Some(wt);
}

fn keep(mp: MultiPolygon<f64>, change: Change, min_area_km2: f64, totals: &mut DiffTotals, out: &mut Vec<DiffPart>) {
    for polygon in mp.0 {
        let area = polygon_area_km2(&polygon);
        if area < min_area_km2 {
            totals.slivers_dropped += 1;
            match change {
                Change::Gained => totals.sliver_gained_km2 += area,
                Change::Lost => totals.sliver_lost_km2 += area,
                _ => *totals.sliver_contested_km2.get_or_insert(0.0) += area,
            }
            continue;
        }
        *totals.total_mut(change) += area;
        out.push(DiffPart::new(change, false, polygon, area));
    }
}

impl Diff {
    /// True if any data either side used is synthetic.
    pub fn synthetic(&self) -> bool {
        self.from.in_force.synthetic || self.to.in_force.synthetic
    }

    /// What was compared and the totals (`frontline diff --summary`), with the breakdown by
    /// region where given.
    pub fn summary<'a, R: serde::Serialize>(&'a self, by_region: Option<&'a R>) -> DiffSummary<'a, R> {
        DiffSummary {
            from: DiffSide::new(&self.from),
            to: DiffSide::new(&self.to),
            identical: self.identical,
            raw: self.raw,
            parts: self.parts.len(),
            totals: &self.totals,
            synthetic: self.synthetic(),
            by_region,
        }
    }
}

/// The diff as a GeoJSON FeatureCollection (one Feature per part, with the provenance of both
/// sides in its properties; totals and what was compared in the `frontline` foreign member,
/// with the breakdown by region where given), coordinates with `precision` decimals.
///
/// # Errors
/// Only if serialisation fails, which these types cannot (kept as an error, not a panic).
pub fn diff_geojson(
    d: &Diff,
    precision: u8,
    by_region: Option<&super::regions::RegionBreakdown>,
) -> Result<Vec<u8>, serde_json::Error> {
    let synthetic = d.synthetic() || by_region.is_some_and(|r| r.synthetic);
    let mut per_feature = d.to.in_force.feature();
    per_feature.synthetic = synthetic;
    let precision = precision.min(15);
    // Each part drawn at the decimals asked for, re-validated and snap-rounded where rounding
    // broke it (crate::output::drawable): one feature per part, with the part's figures measured
    // on its exact geometry; a MultiPolygon where rounding split it; listed apart where rounding
    // erased it (never dropped silently).
    let mut check = crate::output::layer::OutputCheck::default();
    let mut erased = Vec::new();
    let mut drawn: Vec<(&DiffPart, Vec<Polygon<f64>>)> = Vec::with_capacity(d.parts.len());
    for part in &d.parts {
        let (mp, c) = crate::output::drawable::drawable(&MultiPolygon(vec![part.polygon.clone()]), None, precision);
        check.add(c);
        if mp.0.is_empty() {
            erased.push(ErasedPart {
                change: part.change,
                in_waters: part.in_waters,
                area_km2: part.area_km2,
                centroid_lon: part.centroid[0],
                centroid_lat: part.centroid[1],
            });
        } else {
            drawn.push((part, mp.0));
        }
    }
    let erased_km2 = erased.iter().map(|e| e.area_km2).sum();
    let features: Vec<Feature<DiffProperties, PolygonalGeometry>> = drawn
        .iter()
        .enumerate()
        .map(|(id, (part, polygons))| Feature {
            id,
            properties: DiffProperties {
                change: part.change,
                in_waters: part.in_waters,
                area_km2: part.area_km2,
                centroid: part.centroid,
                centroid_lon: part.centroid[0],
                centroid_lat: part.centroid[1],
                date: d.to.date,
                from_date: d.from.date,
                from_source: &d.from.in_force.source.name,
                from_snapshot: &d.from.in_force.snapshot.id,
                from_snapshot_date: d.from.in_force.snapshot_date,
                from_content_sha256: &d.from.in_force.snapshot.content_sha256,
                provenance: &per_feature,
            },
            geometry: PolygonalGeometry::of(polygons, precision),
        })
        .collect();
    crate::num::to_vec(&FeatureCollection {
        frontline: DiffMeta {
            from: &d.from,
            to: &d.to,
            totals: &d.totals,
            identical: d.identical,
            raw: d.raw,
            edges: crate::geodesy::EDGES,
            output_check: check,
            erased_by_rounding: &erased,
            erased_by_rounding_km2: erased_km2,
            synthetic,
            by_region,
        },
        features,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::parse_date;
    use serde_json::Value;

    fn embedded_diff(from: &str, to: &str, min_area_km2: f64) -> Diff {
        let catalog = crate::Catalog::load_embedded().unwrap();
        diff(
            &catalog,
            None,
            parse_date(from).unwrap(),
            None,
            parse_date(to).unwrap(),
            min_area_km2,
        )
        .unwrap()
    }

    fn drawn(d: &Diff, precision: u8) -> Value {
        serde_json::from_slice(&diff_geojson(d, precision, None).unwrap()).unwrap()
    }

    /// Every part is one feature or one erased entry, with its own exact area once: the
    /// features and the erased parts add up to the parts (and so to the totals).
    fn assert_each_part_once(d: &Diff, v: &Value, what: &str) {
        let features = v["features"].as_array().unwrap();
        let erased = v["frontline"]["erased_by_rounding"].as_array().unwrap();
        assert_eq!(features.len() + erased.len(), d.parts.len(), "{what}");
        let mut seen: Vec<(String, f64)> = features
            .iter()
            .map(|f| {
                (
                    f["properties"]["change"].to_string(),
                    f["properties"]["area_km2"].as_f64().unwrap(),
                )
            })
            .chain(
                erased
                    .iter()
                    .map(|e| (e["change"].to_string(), e["area_km2"].as_f64().unwrap())),
            )
            .collect();
        let mut parts: Vec<(String, f64)> = d
            .parts
            .iter()
            .map(|p| (serde_json::to_value(p.change).unwrap().to_string(), p.area_km2))
            .collect();
        let key = |a: &(String, f64), b: &(String, f64)| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1));
        seen.sort_by(key);
        parts.sort_by(key);
        assert_eq!(seen, parts, "{what}");
        let erased_km2: f64 = erased.iter().map(|e| e["area_km2"].as_f64().unwrap()).sum();
        let reported = v["frontline"]["erased_by_rounding_km2"].as_f64().unwrap();
        assert!((erased_km2 - reported).abs() <= 1e-9 * erased_km2.max(1.0), "{what}");
        for f in features {
            let t = f["geometry"]["type"].as_str().unwrap();
            let n = f["geometry"]["coordinates"].as_array().unwrap().len();
            assert!(t == "Polygon" || (t == "MultiPolygon" && n > 1), "{what}: {t} of {n}");
        }
    }

    #[test]
    fn each_part_is_reported_once_at_every_precision_and_erased_parts_are_listed() {
        for (from, to) in [("2024-03-01", "2024-09-01"), ("2024-01-01", "2024-06-01")] {
            let d = embedded_diff(from, to, 0.0);
            assert!(!d.parts.is_empty());
            for precision in 0..=6 {
                let v = drawn(&d, precision);
                assert_each_part_once(&d, &v, &format!("{from}..{to} at {precision} decimals"));
            }
            // At 6 decimals (10 cm) nothing is erased but an overlay sliver under 1 m2 (with
            // `min_area_km2=0`; the default 0.01 km2 drops it): a crossing of the two states'
            // edges is a point of i_overlay's grid, whose other vertices keep their own
            // coordinates (`coverage::overlay`), 0.23 m2 on 2024-03-01..09-01.
            let at6 = drawn(&d, 6);
            for e in at6["frontline"]["erased_by_rounding"].as_array().unwrap() {
                assert!(e["area_km2"].as_f64().unwrap() < 1e-6, "{from}..{to}: {e}");
            }
        }
    }

    #[test]
    fn a_part_that_rounding_splits_is_one_multipolygon_with_its_area_once() {
        // Two 0.4-degree squares joined by a corridor 0.002 degrees wide: at 1 decimal the
        // corridor collapses and the part is drawn as two polygons.
        let ring = vec![
            (30.0, 48.0),
            (30.4, 48.0),
            (30.4, 48.199),
            (31.0, 48.199),
            (31.0, 48.0),
            (31.4, 48.0),
            (31.4, 48.4),
            (31.0, 48.4),
            (31.0, 48.201),
            (30.4, 48.201),
            (30.4, 48.4),
            (30.0, 48.4),
            (30.0, 48.0),
        ];
        let polygon = Polygon::new(geo::LineString::from(ring), vec![]);
        let area = polygon_area_km2(&polygon);
        // And a square of 0.01 degrees (about 0.8 km2) that a grid of 0.1 degree erases.
        let speck = Polygon::new(
            geo::LineString::from(vec![
                (33.02, 48.02),
                (33.03, 48.02),
                (33.03, 48.03),
                (33.02, 48.03),
                (33.02, 48.02),
            ]),
            vec![],
        );
        let speck_km2 = polygon_area_km2(&speck);
        let mut d = embedded_diff("2024-03-01", "2024-09-01", 0.0);
        d.parts = vec![
            DiffPart::new(Change::Gained, false, polygon, area),
            DiffPart::new(Change::Lost, false, speck, speck_km2),
        ];
        for precision in 0..=6 {
            assert_each_part_once(
                &d,
                &drawn(&d, precision),
                &format!("dumbbell and speck at {precision} decimals"),
            );
        }
        let v = drawn(&d, 1);
        let f = &v["features"][0];
        assert_eq!(v["features"].as_array().unwrap().len(), 1);
        assert_eq!(f["geometry"]["type"], "MultiPolygon", "{f}");
        assert_eq!(f["geometry"]["coordinates"].as_array().unwrap().len(), 2);
        assert_eq!(f["properties"]["area_km2"].as_f64().unwrap(), area);
        // The speck is not drawn, and not dropped silently: listed with its area.
        let erased = &v["frontline"]["erased_by_rounding"];
        assert_eq!(erased.as_array().unwrap().len(), 1, "{erased}");
        assert_eq!(erased[0]["change"], "lost");
        assert_eq!(erased[0]["area_km2"].as_f64().unwrap(), speck_km2);
        assert_eq!(v["frontline"]["erased_by_rounding_km2"].as_f64().unwrap(), speck_km2);
        // At 0 decimals (a one-degree grid) both are erased; at 6 both are drawn, as polygons.
        let v = drawn(&d, 0);
        assert_eq!(
            v["frontline"]["erased_by_rounding"].as_array().unwrap().len(),
            2,
            "{}",
            v["frontline"]
        );
        assert!(v["features"].as_array().unwrap().is_empty());
        let v = drawn(&d, 6);
        assert!(
            v["features"]
                .as_array()
                .unwrap()
                .iter()
                .all(|f| f["geometry"]["type"] == "Polygon")
        );
        assert_eq!(v["frontline"]["erased_by_rounding"], serde_json::json!([]));
    }
}
