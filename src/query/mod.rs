//! Questions asked of a [`Catalog`]: the status of a point on a date, and the timeline of areas.
//! Answers carry their provenance: the source, the snapshot (id, date, file, hashes), the
//! baselines composed with it, and whether any of it is synthetic.

use crate::catalog::{Catalog, CatalogError, InForce, NEAR_BORDER_KM, PointStatus};
use crate::index::line::Nearest;
use crate::model::{Status, When};
use crate::num::Fixed;

pub use crate::output::provenance::{BaselineRef, BorderRef, InForceRef, SnapshotAge, SnapshotRef, SourceRef};
use chrono::NaiveDate;
use serde::Serialize;

/// The answer for one point. `P` is what was in force: [`InForceRef`] for [`point`];
/// [`point_json`] serialises the same struct with `()` there and appends the provenance members
/// it keeps serialised per epoch.
#[derive(Debug, Clone, Serialize)]
pub struct PointAnswer<P = InForceRef> {
    /// Longitude asked for.
    pub lon: f64,
    /// Latitude asked for.
    pub lat: f64,
    /// Date asked for (with `datetime`: the day it falls on in the source's time zone).
    pub date: NaiveDate,
    /// The instant asked for (`datetime=`, RFC 3339 UTC), when one was.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub datetime: Option<String>,
    /// The status.
    pub status: Status,
    /// True when the point lies exactly on the boundary that decided its status (areas are
    /// closed: see [`Status`]).
    pub on_boundary: bool,
    /// True when the point is off the land, in the border's waters (an approximation of the
    /// territorial sea, not a legal delimitation): it then takes the status of the nearest coast.
    pub in_waters: bool,
    /// In the waters: geodesic distance to the nearest point of the border's land, km.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub land_km: Option<f64>,
    /// In the waters: that nearest point of the land, `[lon, lat]`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub land_point: Option<[f64; 2]>,
    /// Outside, within [`NEAR_BORDER_KM`] of the border: geodesic distance to it, km.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub border_km: Option<f64>,
    /// Outside, within [`NEAR_BORDER_KM`] of the border: its nearest point, `[lon, lat]`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub border_point: Option<[f64; 2]>,
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
    /// The baseline in force on the date whose area holds the point (e.g. `crimea`): the status
    /// there is the baseline's, whatever the snapshot draws; `null` when none holds it.
    pub baseline: Option<String>,
    /// Present and true in the raw composition (`raw=true`): the source's drawing clipped to
    /// the border's land, without the sliver rule and without the waters.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub raw: bool,
    /// How old the snapshot in force is on the date asked for (a warning past a month).
    #[serde(flatten)]
    pub age: SnapshotAge,
    /// What was in force.
    #[serde(flatten)]
    pub in_force: P,
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

/// Status of (lon, lat) (degrees, WGS84) on `date` against `source` (or the default source),
/// with the geodesic distance (km) to the line of contact when `distance` is true, and what was
/// in force.
///
/// ```
/// use frontline::{Catalog, Status, model::parse_date};
/// let catalog = Catalog::load_embedded().expect("embedded geodata");
/// let a = frontline::query::point(&catalog, None, parse_date("2024-05-01").unwrap(), 34.10, 44.95, true).unwrap();
/// assert_eq!(a.status, Status::Occupied);
/// assert_eq!(a.in_force.snapshot.id, "example:2024-03-01");
/// assert!(a.in_force.synthetic);
/// ```
///
/// # Errors
/// As [`Catalog::in_force`], and [`CatalogError::InvalidCoordinate`] for a coordinate that is
/// not finite or out of range.
pub fn point(
    cat: &Catalog,
    source: Option<&str>,
    when: impl Into<When>,
    lon: f64,
    lat: f64,
    distance: bool,
) -> Result<PointAnswer, CatalogError> {
    let at = crate::model::LonLat::new(lon, lat)?;
    point_of(cat, source, when, at, distance, false)
}

/// [`point`] at a position already checked (`at`), or in the raw composition (`raw`: the
/// source's drawing clipped to the border's land, without the sliver rule and without the
/// waters; the line of contact is the raw one).
///
/// # Errors
/// As [`Catalog::in_force`].
pub fn point_of(
    cat: &Catalog,
    source: Option<&str>,
    when: impl Into<When>,
    at: crate::model::LonLat,
    distance: bool,
    raw: bool,
) -> Result<PointAnswer, CatalogError> {
    let when = when.into();
    let (lon, lat) = (at.lon(), at.lat());
    let (f, date, p) = locate(cat, source, when, at, distance, raw)?;
    Ok(answer(
        (date, when.instant()),
        lon,
        lat,
        &p,
        SnapshotAge::new(&f, date),
        InForceRef::new(&f),
    ))
}

/// The answer for a located point, with `in_force` as what was in force.
fn answer<P>(
    (date, instant): (NaiveDate, Option<chrono::DateTime<chrono::Utc>>),
    lon: f64,
    lat: f64,
    p: &Located,
    age: SnapshotAge,
    in_force: P,
) -> PointAnswer<P> {
    let (land, border) = (
        p.land.filter(|_| p.status.in_waters),
        p.land.filter(|_| !p.status.in_waters),
    );
    PointAnswer {
        lon,
        lat,
        date,
        datetime: instant.map(crate::geodata::canonical::rfc3339),
        status: p.status.status,
        on_boundary: p.status.on_boundary,
        in_waters: p.status.in_waters,
        land_km: land.map(|n| n.km),
        land_point: land.map(|n| [n.point.x, n.point.y]),
        border_km: border.map(|n| n.km),
        border_point: border.map(|n| [n.point.x, n.point.y]),
        line_of_contact_km: p.line.map(|n| n.km),
        line_of_contact_nearest: p.line.map(|n| [n.point.x, n.point.y]),
        sliver: p.sliver,
        baseline: p.baseline.clone(),
        raw: p.raw,
        age,
        in_force,
    }
}

/// What both forms of a point answer need.
struct Located {
    /// The status, on land or in the waters.
    status: PointStatus,
    /// In the waters: the nearest point of the land; outside within [`NEAR_BORDER_KM`]: the
    /// nearest point of the border.
    land: Option<Nearest>,
    /// The nearest point of the line of contact, when asked for and there is one.
    line: Option<Nearest>,
    /// The sliver or speck the point lies in, if any.
    sliver: Option<SliverRef>,
    /// The baseline in force whose area holds the point.
    baseline: Option<String>,
    /// Located in the raw composition.
    raw: bool,
}

/// What is in force, the status, and the distances a point answer gives.
fn locate<'a>(
    cat: &'a Catalog,
    source: Option<&str>,
    when: When,
    at: crate::model::LonLat,
    distance: bool,
    raw: bool,
) -> Result<(InForce<'a>, NaiveDate, Located), CatalogError> {
    let (f, date) = cat.resolve(source, when)?;
    let status = f.locate(at, raw);
    let (lon, lat) = (at.lon(), at.lat());
    let boundary = &f.source.border.boundary;
    let land = if status.in_waters {
        boundary.nearest(lon, lat)
    } else if status.status == Status::Outside {
        boundary
            .nearest_within(lon, lat, NEAR_BORDER_KM)
            .filter(|n| n.km <= NEAR_BORDER_KM)
    } else {
        None
    };
    let line = if distance {
        f.line_of(raw).nearest(lon, lat)
    } else {
        None
    };
    let sliver = match status.status {
        Status::Occupied | Status::Contested if !status.in_waters && !raw => {
            f.computed().piece_at(lon, lat).map(|p| SliverRef {
                kind: p.kind,
                area_km2: p.area_km2,
                raw_status: f.computed().status_of(f.border_index(), lon, lat, true).0,
            })
        }
        _ => None,
    };
    let baseline = f
        .baselines()
        .find(|b| b.index.locate(lon, lat).in_closed())
        .map(|b| b.baseline.name.clone());
    Ok((
        f,
        date,
        Located {
            status,
            land,
            line,
            sliver,
            baseline,
            raw,
        },
    ))
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
    /// The classes of area it draws and what states them; an area of a class it does not draw
    /// is `null` in answers, with the reason.
    pub classes: crate::model::SourceClasses,
    /// Number of snapshots.
    pub snapshots: usize,
    /// First snapshot date.
    pub first: Option<NaiveDate>,
    /// Last snapshot date.
    pub last: Option<NaiveDate>,
    /// Whether any of its snapshots is synthetic.
    pub synthetic: bool,
    /// The IANA time zone its dates are days of.
    pub time_zone: &'static str,
    /// Licence, attribution and URL, as its description says.
    #[serde(flatten)]
    pub terms: crate::model::SourceTerms,
    /// The dates with a content (the day's snapshot or a publication of the day) that replaced
    /// an earlier one.
    pub revised: Vec<NaiveDate>,
    /// True for a source described without a snapshot yet (its first ingest makes it live).
    pub declared: bool,
    /// The names a scenario policy on this source can exclude by name (`excluded_baselines`):
    /// the baselines of the geodata and the classes of area its snapshots carry.
    pub policy_names: Vec<crate::catalog::PolicyName>,
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
            classes: s.classes.clone(),
            snapshots: s.snapshots.len(),
            first: s.snapshots.first().map(|x| x.date),
            last: s.snapshots.last().map(|x| x.date),
            synthetic: s.snapshots.iter().any(|x| x.synthetic),
            time_zone: s.time_zone.name(),
            terms: s.terms.clone(),
            revised: s.revised_dates(),
            declared: false,
            policy_names: cat.policy_names(&s.name),
        })
        .chain(cat.declared.values().map(|d| SourceSummary {
            name: d.meta.name.clone(),
            description: d.meta.description.clone(),
            default: false,
            border: d.border.clone(),
            baselines: d.baselines.clone(),
            classes: d.meta.stated_classes.clone(),
            snapshots: 0,
            first: None,
            last: None,
            synthetic: false,
            time_zone: d.meta.time_zone.name(),
            terms: d.meta.terms.clone(),
            revised: Vec::new(),
            declared: true,
            policy_names: cat.policy_names(&d.meta.name),
        }))
        .collect()
}

/// A snapshot, as listed by `GET /v1/snapshots`.
#[derive(Debug, Clone, Serialize)]
pub struct SnapshotSummary {
    /// The snapshot and its provenance.
    #[serde(flatten)]
    pub snapshot: SnapshotRef,
    /// Its source, time zone and terms (licence, attribution, URL).
    #[serde(flatten)]
    pub source: SourceRef,
    /// Number of features.
    pub features: usize,
    /// Number of vertices.
    pub vertices: usize,
    /// Areas in force from its date (with the baselines valid then), km2.
    pub occupied_km2: f64,
    /// Contested area, km2; `null` when the source draws no grey zone (see `not_drawn`).
    pub contested_km2: Option<f64>,
    /// Covered area, km2.
    pub covered_km2: f64,
    /// Area the sliver rule moved from covered to occupied or contested, km2.
    pub moved_km2: f64,
    /// What it cannot show, with the reason (absent when it can show everything).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_drawn: Option<crate::output::provenance::NotDrawn>,
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
            let not_drawn = crate::output::provenance::NotDrawn::of(&InForce::of(src, e));
            out.push(SnapshotSummary {
                snapshot: SnapshotRef::new(s, src.day_revised(s)),
                source: SourceRef::new(src),
                features: s.features.len(),
                vertices: s
                    .features
                    .iter()
                    .map(|f| geo::CoordsIter::coords_count(&f.geometry))
                    .sum(),
                occupied_km2: l.occupied_km2,
                contested_km2: not_drawn.is_none().then_some(l.contested_km2),
                covered_km2: l.covered_km2,
                moved_km2: e.state.computed().moved.moved_km2,
                not_drawn,
            });
        }
    }
    Ok(out)
}

/// A publication (a snapshot with an instant), as listed by `GET /v1/snapshots` in
/// `publications`: every one the source keeps, each day's last and the earlier ones alike.
#[derive(Debug, Clone, Serialize)]
pub struct PublicationSummary {
    /// The source.
    pub source: String,
    /// Its id as the answers that use it name it: `source:YYYY-MM-DD` for its day's snapshot,
    /// `source:YYYY-MM-DD@<published_at>` for the others.
    pub id: String,
    /// The day it counts for (its instant's date in the source's time zone).
    pub date: NaiveDate,
    /// Its instant (RFC 3339, UTC).
    pub published_at: String,
    /// SHA-256 of its parsed content.
    pub content_sha256: String,
    /// Whether it is the one in force for its day (`date=` answers with it): the last
    /// publication of a day that changed the state. `false` for one superseded later its day,
    /// for the publications of a day that only repeat the state in force before it, and for a
    /// content of an instant that the tie rule orders before another.
    pub in_force_for_day: bool,
    /// Whether this content replaced an earlier content (kept in the source's `.history/`).
    pub revised: bool,
    /// Its file and the file's SHA-256.
    pub provenance: crate::model::Provenance,
}

/// Every publication of a source (or of every source), by source, then instant, then content
/// (the tie rule's order).
///
/// # Errors
/// An unknown source.
pub fn publications(cat: &Catalog, source: Option<&str>) -> Result<Vec<PublicationSummary>, CatalogError> {
    let list: Vec<&crate::catalog::SourceEntry> = match source {
        Some(_) => vec![cat.source(source)?],
        None => cat.sources.values().map(|s| &**s).collect(),
    };
    let mut out = Vec::new();
    for src in list {
        let (_, timed) = src.parts();
        for s in timed {
            let Some(at) = s.published_at else { continue };
            let day = src.snapshots.iter().any(|d| std::sync::Arc::ptr_eq(d, &s));
            let stamp = crate::geodata::canonical::rfc3339(at);
            out.push(PublicationSummary {
                source: src.name.clone(),
                id: if day { s.id() } else { format!("{}@{stamp}", s.id()) },
                date: s.date,
                published_at: stamp,
                content_sha256: s.content_sha256.clone(),
                in_force_for_day: day,
                revised: if day {
                    src.day_revised(&s)
                } else {
                    src.revised.content(&s)
                },
                provenance: s.provenance.clone(),
            });
        }
    }
    Ok(out)
}

/// [`point`], serialised: the same JSON object, with the provenance members serialised once
/// per epoch instead of per answer. This is the documented hot path of `GET /v1/coverage`: the
/// head is a typed struct serialised by serde_json, and the cached members of [`InForceRef`]
/// are appended to it (a test checks that both forms are equal).
///
/// # Errors
/// As [`point`]: an unknown source, a date before the first snapshot, a coordinate out of range.
pub fn point_json(
    cat: &Catalog,
    source: Option<&str>,
    when: impl Into<When>,
    lon: f64,
    lat: f64,
    distance: bool,
) -> Result<String, CatalogError> {
    let at = crate::model::LonLat::new(lon, lat)?;
    point_json_of(cat, source, when, at, distance, false)
}

/// [`point_json`] at a position already checked (`at`), or in the raw composition (`raw`, as
/// [`point_of`]).
///
/// # Errors
/// As [`point_of`].
pub fn point_json_of(
    cat: &Catalog,
    source: Option<&str>,
    when: impl Into<When>,
    at: crate::model::LonLat,
    distance: bool,
    raw: bool,
) -> Result<String, CatalogError> {
    let when = when.into();
    let (lon, lat) = (at.lon(), at.lat());
    let (f, date, p) = locate(cat, source, when, at, distance, raw)?;
    let members = f.epoch.provenance_json.get_or_init(|| {
        let v = crate::num::to_string(&InForceRef::new(&f)).unwrap_or_else(|_| "{}".into());
        // One brace off each end (trim_*_matches would also eat a nested object's last brace).
        let v = v.strip_prefix('{').unwrap_or(&v);
        v.strip_suffix('}').unwrap_or(v).to_string()
    });
    // The typed head (every member but the provenance), serialised as `point` serialises it;
    // then the cached provenance members before its closing brace.
    let head = answer((date, when.instant()), lon, lat, &p, SnapshotAge::new(&f, date), ());
    let mut out = crate::num::to_vec(&head).unwrap_or_else(|_| b"{}".to_vec());
    if out.last() == Some(&b'}') && !members.is_empty() {
        out.pop();
        if out.len() > 1 {
            out.push(b',');
        }
        out.extend_from_slice(members.as_bytes());
        out.push(b'}');
    }
    Ok(crate::num::utf8(out))
}

/// One row of a timeline: the areas in force from `date` on.
#[derive(Debug, Clone, Serialize)]
pub struct TimelineRow {
    /// First day of the epoch (a snapshot date or a baseline change).
    pub date: NaiveDate,
    /// Occupied area inside the border, km2.
    pub occupied_km2: f64,
    /// Contested area inside the border (not occupied), km2; `null` when the source draws no
    /// grey zone (`GET /v1/sources` says which classes it draws; the CSV field is empty).
    pub contested_km2: Option<f64>,
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
    /// Whether the snapshot in force replaced an earlier content of its date (kept in the
    /// source's `.history/`; `known_at=` answers as before the replacement).
    pub revised: bool,
    /// The border's waters whose nearest coast is occupied, km2 (`null` without waters). The
    /// land areas above leave the waters out, so that they compare with every peer's.
    pub waters_occupied_km2: Option<f64>,
    /// The waters whose nearest coast is contested, km2 (`null` without waters or when the
    /// source draws no grey zone).
    pub waters_contested_km2: Option<f64>,
    /// The waters whose nearest coast is covered, km2.
    pub waters_covered_km2: Option<f64>,
    /// Area the sliver rule moved from covered to occupied or contested, km2 (slivers and
    /// specks; 0 in the raw composition).
    pub moved_km2: f64,
}

/// The header of a timeline as CSV (the waters' columns last, empty without waters).
pub const TIMELINE_CSV_HEADER: &str = "date,occupied_km2,contested_km2,covered_km2,line_km,gained_km2,lost_km2,snapshot,synthetic,waters_occupied_km2,waters_contested_km2,waters_covered_km2,moved_km2,revised";

impl TimelineRow {
    /// The row as CSV (areas and lengths to 3 decimals), with its line end.
    pub fn to_csv(&self) -> String {
        let km = |x: f64| Fixed(x, 3).to_string();
        let km2 = |x: Option<f64>| x.map(km).unwrap_or_default();
        crate::output::csv::record([
            self.date.to_string(),
            km(self.occupied_km2),
            km2(self.contested_km2),
            km(self.covered_km2),
            km(self.line_km),
            km(self.gained_km2),
            km(self.lost_km2),
            self.snapshot.clone(),
            self.synthetic.to_string(),
            km2(self.waters_occupied_km2),
            km2(self.waters_contested_km2),
            km2(self.waters_covered_km2),
            km(self.moved_km2),
            self.revised.to_string(),
        ])
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
            let f = InForce::of(src, e);
            let changes = *e.changes[usize::from(raw)].get_or_init(|| match i.checked_sub(1) {
                Some(p) => changes_between(&InForce::of(src, &src.epochs[p]), &f, raw),
                None => (0.0, 0.0),
            });
            row_of(&f, changes, raw)
        })
        .collect())
}

/// The km2 gained and lost from what is in force `prev` to what is in force `f`.
fn changes_between(prev: &InForce<'_>, f: &InForce<'_>, raw: bool) -> (f64, f64) {
    let d = crate::analytics::diff::diff_in_force_of(prev, f, 0.0, raw);
    (d.totals.gained_km2, d.totals.lost_km2)
}

/// The timeline row of what is in force `f` (an epoch, or a publication superseded later its
/// day), its gains and losses measured from `prev`.
pub fn timeline_row(f: &InForce<'_>, prev: Option<&InForce<'_>>, raw: bool) -> TimelineRow {
    row_of(f, prev.map_or((0.0, 0.0), |p| changes_between(p, f, raw)), raw)
}

/// The timeline row of what is in force `f`, with the km2 `(gained, lost)` since the row before.
fn row_of(f: &InForce<'_>, (gained_km2, lost_km2): (f64, f64), raw: bool) -> TimelineRow {
    let e = f.epoch;
    let computed = e.state.computed();
    let l = computed.layers_of(raw);
    // The raw composition has no waters (as a peer measures it): their figures are null.
    let w = computed.waters.as_ref().filter(|_| !raw);
    let contested = f.contested_not_drawn().is_none();
    TimelineRow {
        date: e.from,
        occupied_km2: l.occupied_km2,
        contested_km2: contested.then_some(l.contested_km2),
        covered_km2: l.covered_km2,
        line_km: e.state.line_of(raw).length_km,
        gained_km2,
        lost_km2,
        snapshot: f.snapshot_id(),
        synthetic: f.synthetic(),
        revised: f.revised(),
        waters_occupied_km2: w.map(|w| w.occupied_km2),
        waters_contested_km2: w.filter(|_| contested).map(|w| w.contested_km2),
        waters_covered_km2: w.map(|w| w.covered_km2),
        moved_km2: if raw { 0.0 } else { computed.moved.moved_km2 },
    }
}

pub mod border;
pub mod csv;
pub mod geojson;
pub mod history;
pub mod layers;
#[cfg(test)]
mod sliver_fixtures;
pub mod sources;
pub mod tiles;
pub mod timeline;

#[cfg(test)]
mod tests {
    use super::*;

    /// The gains and losses a timeline keeps in the epochs are the ones measured afresh for
    /// each pair of consecutive epochs, on the first call and on the next (from the cache).
    #[test]
    fn timeline_changes_are_kept_and_equal_to_a_fresh_measure() {
        let cat = Catalog::load_embedded().unwrap();
        let src = cat.source(None).unwrap();
        for raw in [false, true] {
            let first = timeline_between(&cat, None, None, None, raw).unwrap();
            assert!(src.epochs.iter().all(|e| e.changes[usize::from(raw)].get().is_some()));
            let again = timeline_between(&cat, None, None, None, raw).unwrap();
            for (i, (a, b)) in first.iter().zip(&again).enumerate() {
                let f = InForce::of(src, &src.epochs[i]);
                let prev = i.checked_sub(1).map(|p| InForce::of(src, &src.epochs[p]));
                let fresh = timeline_row(&f, prev.as_ref(), raw);
                assert_eq!(
                    (a.gained_km2, a.lost_km2),
                    (fresh.gained_km2, fresh.lost_km2),
                    "{i} {raw}"
                );
                assert_eq!((a.gained_km2, a.lost_km2), (b.gained_km2, b.lost_km2), "{i} {raw}");
            }
            assert!(first.iter().any(|r| r.gained_km2 > 0.0), "the embedded data moves");
        }
    }

    /// `point_json` (the typed head with the cached provenance members spliced in) writes the
    /// bytes that serialising [`point`]'s answer writes, on land, in the waters, outside near
    /// the border and far from it, with and without the distance.
    #[test]
    fn point_json_is_the_point_answer_serialised() {
        let cat = Catalog::load_embedded().unwrap();
        for (lon, lat) in [
            (34.10, 44.95),
            (37.51, 48.60),
            (30.52, 50.45),
            (33.5224, 44.6167),
            (31.0, 45.9),
            (24.0, 52.2),
            (-120.0, 10.0),
        ] {
            for date in ["2024-01-01", "2024-05-01", "2024-09-01"] {
                let date = crate::model::parse_date(date).unwrap();
                for (distance, raw) in [(false, false), (true, false), (false, true), (true, true)] {
                    let at = crate::model::LonLat::new(lon, lat).unwrap();
                    let a = point_of(&cat, None, date, at, distance, raw).unwrap();
                    let j = point_json_of(&cat, None, date, at, distance, raw).unwrap();
                    assert_eq!(
                        j,
                        crate::num::to_string(&a).unwrap(),
                        "({lon}, {lat}) {date} {distance} {raw}"
                    );
                    // Raw: no waters, no sliver, and said.
                    assert!(!raw || (a.raw && !a.in_waters && a.sliver.is_none()), "{j}");
                }
            }
        }
    }
}
