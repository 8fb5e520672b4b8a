//! The canonical file format: a FeatureCollection with a `frontline` foreign member (reading,
//! and writing snapshots for the importer).

use super::geometry::read_areal;
use super::report::{FeatureProblem, FileProblem, Finding, FindingKind, Layer, MetaProblem, Report, Scope};
use super::{
    Baseline, Border, ControlFeature, Region, Regions, Snapshot, WaterCell, Waters, content_sha256, parse_json,
    read_bytes,
};
use crate::model::{ControlStatus, Provenance, parse_date};
use crate::store::{Held, StoreError, WriterLock};
use chrono::NaiveDate;
use geo::MultiPolygon;
use serde_json::{Map, Value};
use std::path::{Path, PathBuf};

/// A parsed canonical document: its `frontline` member and its features, not yet interpreted.
struct Document {
    meta: Map<String, Value>,
    features: Vec<Value>,
    provenance: Provenance,
}

fn problem(report: &mut Report, file: &str, kind: impl Into<FindingKind>) {
    report.problems.push(Finding {
        file: file.to_string(),
        feature: None,
        location: None,
        kind: kind.into(),
    });
}

fn read_document(path: &Path, shown: &str, kind: &str, report: &mut Report) -> Option<Document> {
    let (bytes, sha256) = read_bytes(path, shown, report)?;
    parse_document(&bytes, sha256, shown, kind, report)
}

/// A canonical document from its bytes (`sha256`: of the bytes as stored).
fn parse_document(bytes: &[u8], sha256: String, shown: &str, kind: &str, report: &mut Report) -> Option<Document> {
    let value = parse_json(bytes, shown, report)?;
    document_from_value(value, sha256, shown, kind, report)
}

/// A canonical document from its parsed JSON.
fn document_from_value(value: Value, sha256: String, shown: &str, kind: &str, report: &mut Report) -> Option<Document> {
    let Value::Object(mut obj) = value else {
        problem(report, shown, FileProblem::NotAnObject);
        return None;
    };
    if obj.get("type").and_then(Value::as_str) != Some("FeatureCollection") {
        problem(report, shown, FileProblem::TypeNotFeatureCollection);
        return None;
    }
    check_crs(&obj, shown, report);
    let Some(Value::Object(meta)) = obj.remove("frontline") else {
        problem(report, shown, MetaProblem::Missing { kind: kind.to_string() });
        return None;
    };
    let found = meta.get("kind").and_then(Value::as_str).unwrap_or("");
    if found != kind {
        problem(
            report,
            shown,
            MetaProblem::WrongKind {
                found: found.to_string(),
                expected: kind.to_string(),
            },
        );
        return None;
    }
    let Some(Value::Array(features)) = obj.remove("features") else {
        problem(report, shown, FileProblem::FeaturesNotArray);
        return None;
    };
    let origin = meta.get("provenance").and_then(Value::as_str).map(str::to_string);
    Some(Document {
        meta,
        features,
        provenance: Provenance {
            file: shown.to_string(),
            sha256,
            origin,
        },
    })
}

/// A legacy `crs` member is allowed only when it names CRS84 (lon/lat WGS84), in any of the
/// spellings tools write (see [`names_crs84`]); anything else is refused, EPSG:4326 with the
/// reason (its axis order is latitude, longitude).
pub(super) fn check_crs(obj: &Map<String, Value>, shown: &str, report: &mut Report) {
    if let Err(p) = check_crs_member(obj) {
        problem(report, shown, p);
    }
}

/// The one rule for a legacy `crs` member of any GeoJSON object (a collection, a feature, a
/// geometry), used by every reader of GeoJSON (load, ingest, import, `check`, the batch
/// classification and history, scenarios' exclusions): absent or naming CRS84 in any spelling
/// ([`names_crs84`]) is `Ok`; a member that names no CRS, or names another (EPSG:4326 with the
/// reason: its axis order is latitude, longitude), is the problem to report.
///
/// # Errors
/// [`FileProblem::CrsNotNamed`] or [`FileProblem::CrsNotCrs84`].
pub fn check_crs_member(obj: &Map<String, Value>) -> Result<(), FileProblem> {
    let Some(crs) = obj.get("crs") else { return Ok(()) };
    let Some(name) = crs.pointer("/properties/name").and_then(Value::as_str) else {
        return Err(FileProblem::CrsNotNamed { shown: short_json(crs) });
    };
    if names_crs84(name) {
        return Ok(());
    }
    Err(FileProblem::CrsNotCrs84 {
        name: name.to_string(),
        epsg_4326: names_epsg_4326(name),
    })
}

fn short_json(v: &Value) -> String {
    let s = v.to_string();
    match s.char_indices().nth(80) {
        Some((i, _)) => format!("{}...", &s[..i]),
        None => s,
    }
}

/// Whether a CRS name is OGC CRS84 (WGS84 longitude, latitude). Accepted, compared without
/// regard to ASCII case and with a trailing `/` ignored: `CRS84`, `OGC:CRS84`, `[OGC:CRS84]`
/// (a safe CURIE), `CRS:84` (the WMS 1.3 spelling, OGC 06-042 annex B.3), `urn:ogc:def:crs:OGC:1.3:CRS84`, `urn:ogc:def:crs:OGC::CRS84`,
/// `urn:ogc:def:crs:OGC:CRS84`, and `http(s)://www.opengis.net/def/crs/OGC/1.3/CRS84` (any
/// version, `0` included). `CRS84h`, in each of those spellings, is accepted too: its longitude
/// and latitude are CRS84's and its third axis is the height above the WGS84 ellipsoid, which is
/// what RFC 7946 section 4 makes the optional third number of every position (dropped here as
/// every third number is).
pub fn names_crs84(name: &str) -> bool {
    let n = name.trim().to_ascii_lowercase();
    let n = n.strip_prefix('[').and_then(|x| x.strip_suffix(']')).unwrap_or(&n);
    let n = n.strip_suffix('/').unwrap_or(n);
    let n = n
        .strip_suffix("crs84h")
        .map_or(n.to_string(), |head| format!("{head}crs84"));
    let n = n.as_str();
    let version_ok = |v: &str| v.chars().all(|c| c.is_ascii_digit() || c == '.');
    if n == "crs84" || n == "ogc:crs84" || n == "crs:84" {
        return true;
    }
    if let Some(rest) = n.strip_prefix("urn:ogc:def:crs:ogc:") {
        return rest == "crs84" || rest.strip_suffix(":crs84").is_some_and(version_ok);
    }
    for scheme in ["http://", "https://"] {
        if let Some(rest) = n
            .strip_prefix(scheme)
            .and_then(|r| r.strip_prefix("www.opengis.net/def/crs/ogc/"))
        {
            return rest
                .strip_suffix("/crs84")
                .is_some_and(|v| !v.is_empty() && version_ok(v));
        }
    }
    false
}

/// Whether a CRS name is EPSG:4326 in one of its spellings (refused with the axis-order reason).
fn names_epsg_4326(name: &str) -> bool {
    let n = name.trim().to_ascii_lowercase();
    n.contains("epsg") && n.trim_end_matches('/').ends_with("4326")
}

fn meta_str<'a>(doc: &'a Document, key: &str, shown: &str, report: &mut Report) -> Option<&'a str> {
    match doc.meta.get(key) {
        Some(Value::String(s)) if !s.is_empty() => Some(s),
        _ => {
            problem(report, shown, MetaProblem::NotAString { key: key.to_string() });
            None
        }
    }
}

fn meta_date(doc: &Document, key: &str, shown: &str, report: &mut Report) -> Option<chrono::NaiveDate> {
    let s = meta_str(doc, key, shown, report)?;
    match parse_date(s) {
        Ok(d) => Some(d),
        Err(e) => {
            problem(
                report,
                shown,
                MetaProblem::BadDate {
                    key: key.to_string(),
                    reason: e,
                },
            );
            None
        }
    }
}

/// `frontline.published_at`, optional: an RFC 3339 instant, kept in UTC.
fn meta_instant(doc: &Document, shown: &str, report: &mut Report) -> Option<chrono::DateTime<chrono::Utc>> {
    match doc.meta.get("published_at") {
        None | Some(Value::Null) => None,
        // The one instant parser (a leap second refused with why).
        Some(Value::String(s)) => match crate::model::parse_instant(s) {
            Ok(t) => Some(t),
            Err(error) => {
                problem(
                    report,
                    shown,
                    MetaProblem::PublishedAtInvalid { text: s.clone(), error },
                );
                None
            }
        },
        Some(_) => {
            problem(report, shown, MetaProblem::PublishedAtNotString);
            None
        }
    }
}

fn meta_synthetic(doc: &Document, shown: &str, report: &mut Report) -> bool {
    match doc.meta.get("synthetic") {
        None => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => {
            problem(report, shown, MetaProblem::SyntheticNotBool);
            false
        }
    }
}

fn feature_geometry(doc: &Document, i: usize, shown: &str, report: &mut Report) -> Option<MultiPolygon<f64>> {
    let f = &doc.features[i];
    let mut scope = Scope {
        file: shown,
        feature: Some(i),
        report,
    };
    if f.get("type").and_then(Value::as_str) != Some("Feature") {
        scope.problem(None, FeatureProblem::NotAFeature);
        return None;
    }
    // A legacy `crs` on the feature: the one rule, as on the collection and the geometry.
    if let Some(Err(p)) = f.as_object().map(check_crs_member) {
        scope.problem(None, p);
        return None;
    }
    match f.get("geometry") {
        Some(g) if !g.is_null() => read_areal(g, &mut scope),
        _ => {
            scope.problem(None, FeatureProblem::NoGeometry);
            None
        }
    }
}

/// Reads a `borders/<ISO3>.geojson` file: exactly one feature.
pub(crate) fn read_border(path: &Path, shown: &str) -> (Option<Border>, Report) {
    let mut report = Report::default();
    let out = (|| {
        let doc = read_document(path, shown, "border", &mut report)?;
        let iso3 = meta_str(&doc, "iso3", shown, &mut report).map(str::to_string);
        let name = meta_str(&doc, "name", shown, &mut report).map(str::to_string);
        let synthetic = meta_synthetic(&doc, shown, &mut report);
        let valid_from = match doc.meta.get("valid_from") {
            None | Some(Value::Null) => None,
            Some(_) => Some(meta_date(&doc, "valid_from", shown, &mut report)?),
        };
        if doc.features.len() != 1 {
            problem(&mut report, shown, FileProblem::BorderFeatures(doc.features.len()));
            return None;
        }
        let geometry = feature_geometry(&doc, 0, shown, &mut report);
        let iso3 = iso3?;
        if iso3.len() != 3 || !iso3.chars().all(|c| c.is_ascii_uppercase()) {
            problem(&mut report, shown, MetaProblem::Iso3Invalid(iso3.clone()));
            return None;
        }
        Some(Border {
            iso3,
            name: name?,
            geometry: geometry?,
            provenance: doc.provenance,
            synthetic,
            valid_from,
        })
    })();
    (out, report)
}

/// Reads a `regions/<ISO3>.geojson` file: one feature per region, with string properties `id`
/// (unique) and `name`; regions may not overlap (checked by comparing the sum of their geodesic
/// areas with the area of their union).
pub(crate) fn read_regions(path: &Path, shown: &str) -> (Option<Regions>, Report) {
    let mut report = Report::default();
    let out = (|| {
        let doc = read_document(path, shown, "regions", &mut report)?;
        let border = meta_str(&doc, "border", shown, &mut report).map(str::to_string);
        let synthetic = meta_synthetic(&doc, shown, &mut report);
        if doc.features.is_empty() {
            problem(&mut report, shown, FileProblem::NoFeatures(Layer::Regions));
            return None;
        }
        let mut regions: Vec<Region> = Vec::new();
        for i in 0..doc.features.len() {
            let prop = |key: &str| {
                doc.features[i]
                    .pointer(&format!("/properties/{key}"))
                    .and_then(Value::as_str)
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
            };
            let (id, name) = (prop("id"), prop("name"));
            let geometry = feature_geometry(&doc, i, shown, &mut report);
            let mut scope = Scope {
                file: shown,
                feature: Some(i),
                report: &mut report,
            };
            let (Some(id), Some(name)) = (id, name) else {
                scope.problem(None, FeatureProblem::RegionUnnamed);
                continue;
            };
            if regions.iter().any(|r| r.id == id) {
                scope.problem(None, FeatureProblem::RegionIdTwice(id));
                continue;
            }
            if let Some(geometry) = geometry {
                regions.push(Region { id, name, geometry });
            }
        }
        if !report.is_ok() {
            return None;
        }
        let sum: f64 = regions.iter().map(|r| crate::geodesy::area_km2(&r.geometry)).sum();
        let all: Vec<geo::Polygon<f64>> = regions.iter().flat_map(|r| r.geometry.0.iter().cloned()).collect();
        // Collinear vertices kept: dropping one would change the geodesic edges and so the area.
        let [union] = crate::coverage::overlay(&all, &[], [crate::coverage::OverlayRule::Subject], true);
        let union_km2 = crate::geodesy::area_km2(&union);
        if sum - union_km2 > 1e-6 * union_km2.max(1.0) {
            problem(
                &mut report,
                shown,
                FileProblem::Overlap {
                    layer: Layer::Regions,
                    sum_km2: sum,
                    union_km2,
                },
            );
            return None;
        }
        Some(Regions {
            border: border?,
            regions,
            provenance: doc.provenance,
            synthetic,
        })
    })();
    (out, report)
}

/// Reads a `waters/<ISO3>.geojson` file: one feature per cell, each with `properties.anchor`
/// `[lon, lat]`; cells may not overlap (the sum of their geodesic areas is compared with the area
/// of their union, as for regions).
pub(crate) fn read_waters(path: &Path, shown: &str) -> (Option<Waters>, Report) {
    let mut report = Report::default();
    let out = (|| {
        let doc = read_document(path, shown, "waters", &mut report)?;
        let border = meta_str(&doc, "border", shown, &mut report).map(str::to_string);
        let synthetic = meta_synthetic(&doc, shown, &mut report);
        let limit_km = match doc.meta.get("limit_km") {
            None => None,
            Some(v) => match v.as_f64().filter(|x| x.is_finite() && *x > 0.0) {
                Some(x) => Some(x),
                None => {
                    problem(&mut report, shown, MetaProblem::LimitKmInvalid);
                    return None;
                }
            },
        };
        if doc.features.is_empty() {
            problem(&mut report, shown, FileProblem::NoFeatures(Layer::Waters));
            return None;
        }
        let mut cells = Vec::with_capacity(doc.features.len());
        for i in 0..doc.features.len() {
            let anchor = doc.features[i].pointer("/properties/anchor").and_then(|a| {
                let a = a.as_array().filter(|a| a.len() == 2)?;
                // The one coordinate check (crate::model::LonLat), not a copy of it.
                let p = crate::model::LonLat::new(a[0].as_f64()?, a[1].as_f64()?).ok()?;
                Some(geo::Coord { x: p.lon(), y: p.lat() })
            });
            let geometry = feature_geometry(&doc, i, shown, &mut report);
            let Some(anchor) = anchor else {
                Scope {
                    file: shown,
                    feature: Some(i),
                    report: &mut report,
                }
                .problem(None, FeatureProblem::AnchorInvalid);
                continue;
            };
            if let Some(geometry) = geometry {
                cells.push(WaterCell { anchor, geometry });
            }
        }
        if !report.is_ok() {
            return None;
        }
        let sum: f64 = cells.iter().map(|c| crate::geodesy::area_km2(&c.geometry)).sum();
        let all: Vec<geo::Polygon<f64>> = cells.iter().flat_map(|c| c.geometry.0.iter().cloned()).collect();
        let [union] = crate::coverage::overlay(&all, &[], [crate::coverage::OverlayRule::Subject], true);
        let union_km2 = crate::geodesy::area_km2(&union);
        if sum - union_km2 > 1e-6 * union_km2.max(1.0) {
            problem(
                &mut report,
                shown,
                FileProblem::Overlap {
                    layer: Layer::Waters,
                    sum_km2: sum,
                    union_km2,
                },
            );
            return None;
        }
        Some(Waters {
            border: border?,
            cells,
            limit_km,
            provenance: doc.provenance,
            synthetic,
        })
    })();
    (out, report)
}

/// Reads a `baselines/<name>.geojson` file: its features' union is the baseline's area.
pub(crate) fn read_baseline(path: &Path, shown: &str) -> (Option<Baseline>, Report) {
    let mut report = Report::default();
    let out = (|| {
        let doc = read_document(path, shown, "baseline", &mut report)?;
        let name = meta_str(&doc, "name", shown, &mut report).map(str::to_string);
        let status = meta_str(&doc, "status", shown, &mut report).and_then(|s| {
            let st = ControlStatus::parse(s);
            if st.is_none() {
                problem(&mut report, shown, MetaProblem::UnknownStatus(s.to_string()));
            }
            st
        });
        let valid_from = meta_date(&doc, "valid_from", shown, &mut report);
        let valid_to = match doc.meta.get("valid_to") {
            None | Some(Value::Null) => Some(None),
            Some(_) => meta_date(&doc, "valid_to", shown, &mut report).map(Some),
        };
        let synthetic = meta_synthetic(&doc, shown, &mut report);
        let mut polys = Vec::new();
        let mut ok = true;
        for i in 0..doc.features.len() {
            match feature_geometry(&doc, i, shown, &mut report) {
                Some(g) => polys.extend(g.0),
                None => ok = false,
            }
        }
        if doc.features.is_empty() {
            problem(&mut report, shown, FileProblem::NoFeatures(Layer::Baseline));
            return None;
        }
        let (valid_from, valid_to) = (valid_from?, valid_to?);
        if valid_to.is_some_and(|t| t <= valid_from) {
            problem(&mut report, shown, MetaProblem::ValidToNotAfterFrom);
            return None;
        }
        if !ok {
            return None;
        }
        let geometry = if polys.len() > 1 {
            // Features of one baseline may touch or overlap: their union is the area.
            geo::unary_union(polys.iter())
        } else {
            MultiPolygon(polys)
        };
        Some(Baseline {
            name: name?,
            status: status?,
            valid_from,
            valid_to,
            geometry,
            provenance: doc.provenance,
            synthetic,
        })
    })();
    (out, report)
}

/// What the store holds for one date of a source, read from the files on disk.
#[derive(Debug, Clone)]
pub struct StoredSnapshot {
    /// The file.
    pub file: PathBuf,
    /// Its snapshot, `None` when the file does not read.
    pub snapshot: Option<Snapshot>,
    /// Set when the date has no file of its own but the file of this earlier date names it in
    /// its `confirmed` list (identical consecutive snapshots are kept once by imports).
    pub confirmed_by: Option<NaiveDate>,
}

impl StoredSnapshot {
    /// What it means for the decision ([`crate::store::decide_snapshot`]) of a writer: a date confirmed by an earlier file holds that file's content (other content
    /// replaces it, with `replace`); a confirming file that does not read holds nothing.
    pub fn held(&self) -> Held<'_> {
        match &self.snapshot {
            // A confirmed date holds the content of the file that confirms it: other content
            // replaces it (`replace`), as on a date with a file of its own.
            None if self.confirmed_by.is_some() => Held::Nothing,
            Some(s) => Held::Content(&s.content_sha256),
            None => Held::Unreadable,
        }
    }
}

/// What the store holds for `date` of `source`, read from the files on disk while the writer
/// lock is held (so that no other writer changes them between this decision and the write):
/// the file named by the date, else `known` (the file a loaded catalog read that date from,
/// which may be named otherwise) when it still holds that date, else the latest dated file
/// before it when that file confirms the date. `None`: nothing holds the date.
///
/// # Errors
/// A source name that breaks the rule, or a source directory that cannot be listed.
pub fn stored_snapshot(
    lock: &WriterLock,
    source: &str,
    date: NaiveDate,
    known: Option<&Path>,
) -> Result<Option<StoredSnapshot>, StoreError> {
    let store = lock.store();
    let read = |file: &Path| read_snapshot(file, &store.relative(file), source).0;
    let own = store.snapshot_file(source, date)?;
    if own.is_file() {
        return Ok(Some(StoredSnapshot {
            snapshot: read(&own),
            file: own,
            confirmed_by: None,
        }));
    }
    if let Some(file) = known.filter(|f| f.is_file())
        && let Some(s) = read(file).filter(|s| s.date == date)
    {
        return Ok(Some(StoredSnapshot {
            file: file.to_path_buf(),
            snapshot: Some(s),
            confirmed_by: None,
        }));
    }
    let files = store.dated_snapshot_files(source)?;
    if let Some((&before, file)) = files.range(..date).next_back() {
        let confirmed = read_meta(file).map(|m| confirmed_list(&m)).unwrap_or_default();
        if confirmed.contains(&date) {
            return Ok(Some(StoredSnapshot {
                snapshot: read(file),
                file: file.clone(),
                confirmed_by: Some(before),
            }));
        }
    }
    Ok(None)
}

/// The `confirmed` list of the latest snapshot file before a date, where that list reaches the
/// date or beyond: writing a snapshot on the date splits it ([`ConfirmedRun::split`]).
#[derive(Debug, Clone)]
pub struct ConfirmedRun {
    /// The date of the confirming file.
    pub date: NaiveDate,
    /// The confirming file.
    pub file: PathBuf,
    /// Its `frontline` member.
    pub meta: Map<String, Value>,
    /// Its snapshot (`None`: it does not read, and is left alone).
    pub snapshot: Option<Snapshot>,
    /// Its `confirmed` list.
    pub confirmed: Vec<NaiveDate>,
}

/// The confirmed list a write on `date` splits: `kept` stay with the confirming file (before
/// `date`), `held` is whether `date` itself was confirmed (the write then replaces that
/// content), and `carried` (after `date`) keep the confirming file's content in a file of the
/// first of them, which confirms the rest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Split {
    /// Dates before the written one: still confirmed by the confirming file.
    pub kept: Vec<NaiveDate>,
    /// Whether the written date was confirmed (held the confirming file's content).
    pub held: bool,
    /// Dates after the written one: the first gets a file of its own with the confirming file's
    /// content, the others are confirmed by it.
    pub carried: Vec<NaiveDate>,
}

/// Splits a `confirmed` list at `date` (see [`Split`]).
pub fn split_confirmed(confirmed: &[NaiveDate], date: NaiveDate) -> Split {
    let mut sorted = confirmed.to_vec();
    sorted.sort();
    sorted.dedup();
    Split {
        kept: sorted.iter().copied().filter(|d| *d < date).collect(),
        held: sorted.contains(&date),
        carried: sorted.iter().copied().filter(|d| *d > date).collect(),
    }
}

/// The `confirmed` list of a snapshot file, empty when it has none.
pub fn confirmed_list(meta: &Map<String, Value>) -> Vec<NaiveDate> {
    meta.get("confirmed")
        .and_then(|v| serde_json::from_value(v.clone()).ok())
        .unwrap_or_default()
}

impl ConfirmedRun {
    /// The files that keep the store's answers true when a snapshot is written on `date`: the
    /// confirming file rewritten with the dates before `date` only, and, where the list went
    /// on past `date`, a file for the first later date holding the confirming file's content
    /// and confirming the rest (what those dates were recorded to hold stays in force on them).
    /// Same content, so the content hashes do not change. Empty when the file does not read.
    pub fn split(
        &self,
        store: &crate::store::Store,
        source: &str,
        date: NaiveDate,
    ) -> Result<Vec<(PathBuf, String)>, StoreError> {
        let Some(snapshot) = &self.snapshot else {
            return Ok(Vec::new());
        };
        let split = split_confirmed(&self.confirmed, date);
        let mut meta = self.meta.clone();
        meta.insert("confirmed".into(), serde_json::json!(split.kept));
        let mut out = vec![(self.file.clone(), snapshot_document(snapshot, meta))];
        if let Some((&first, rest)) = split.carried.split_first() {
            let mut meta = self.meta.clone();
            meta.insert("confirmed".into(), serde_json::json!(rest));
            meta.insert(
                "confirmed_from".into(),
                Value::from(format!(
                    "{}: confirmed by the file of {} until {date} was written",
                    first, self.date
                )),
            );
            let carried = Snapshot {
                date: first,
                // The instant was the confirming file's publication, not this date's.
                published_at: None,
                ..snapshot.clone()
            };
            out.push((store.snapshot_file(source, first)?, snapshot_document(&carried, meta)));
        }
        Ok(out)
    }
}

/// The confirmed run a write on `date` of `source` falls into: the latest dated snapshot file
/// before `date` whose `confirmed` list holds `date` or a later date. Read from the files on
/// disk (under the writer lock). `None`: no file's list reaches `date`.
///
/// # Errors
/// A source name that breaks the rule, or a source directory that cannot be listed.
pub fn confirmed_run(lock: &WriterLock, source: &str, date: NaiveDate) -> Result<Option<ConfirmedRun>, StoreError> {
    let store = lock.store();
    let files = store.dated_snapshot_files(source)?;
    let Some((&before, file)) = files.range(..date).next_back() else {
        return Ok(None);
    };
    let Some(meta) = read_meta(file) else {
        return Ok(None);
    };
    let confirmed = confirmed_list(&meta);
    if !confirmed.iter().any(|d| *d >= date) {
        return Ok(None);
    }
    Ok(Some(ConfirmedRun {
        date: before,
        snapshot: read_snapshot(file, &store.relative(file), source).0,
        file: file.clone(),
        meta,
        confirmed,
    }))
}

/// Reads a `sources/<source>/<date>.geojson` snapshot file.
pub fn read_snapshot(path: &Path, shown: &str, source: &str) -> (Option<Snapshot>, Report) {
    let mut report = Report::default();
    let Some((bytes, sha256)) = read_bytes(path, shown, &mut report) else {
        return (None, report);
    };
    let stem = path.file_stem().and_then(|s| s.to_str());
    let (out, more) = snapshot_from_bytes(&bytes, sha256, stem, shown, source);
    report.merge(more);
    (out, report)
}

/// Reads a snapshot from the bytes of a canonical file, in memory, exactly as `read_snapshot`
/// reads a file (the same checks): `sha256` is of the bytes as stored, `stem` the file name
/// without extension when there is a file (its date must agree). Read as a stream
/// ([`super::streamed`]): no tree of the document is built.
pub fn snapshot_from_bytes(
    bytes: &[u8],
    sha256: String,
    stem: Option<&str>,
    shown: &str,
    source: &str,
) -> (Option<Snapshot>, Report) {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let read = super::streamed::read_document(&mut de, shown, None).and_then(|d| {
        de.end()?;
        Ok(d)
    });
    match read {
        Ok(doc) => snapshot_from_streamed(doc, sha256, stem, shown, source),
        Err(e) => {
            let (line, column, error) = match &e {
                super::streamed::StreamError::Json(j) => (j.line(), j.column(), j.to_string()),
                other => (0, 0, other.to_string()),
            };
            let mut report = Report::default();
            report.problems.push(Finding {
                file: shown.to_string(),
                feature: None,
                location: Some(format!("line {line}, column {column}")),
                kind: FileProblem::InvalidJson { error }.into(),
            });
            (None, report)
        }
    }
}

/// The snapshot of a document read as a stream ([`super::streamed::read_document`]; over HTTP,
/// with the `frontline` member the query sets): the document's own checks, then those of its
/// `frontline` member, then the features' findings (made as they were read), in the order a
/// file's findings have always been listed.
pub fn snapshot_from_streamed(
    streamed: super::streamed::StreamedDocument,
    sha256: String,
    stem: Option<&str>,
    shown: &str,
    source: &str,
) -> (Option<Snapshot>, Report) {
    let mut report = Report::default();
    let super::streamed::StreamedDocument {
        is_object,
        kind,
        crs,
        meta,
        mut features,
        collection_dates,
    } = streamed;
    let out = (|| {
        // The collection's own members, checked as `document_from_value` checks a tree.
        let mut obj = Map::new();
        if is_object {
            if let Some(k) = kind {
                obj.insert("type".into(), k);
            }
            if let Some(c) = crs {
                obj.insert("crs".into(), c);
            }
            if let Some(m) = meta {
                obj.insert("frontline".into(), m);
            }
            obj.insert(
                "features".into(),
                if features.is_some() {
                    Value::Array(Vec::new())
                } else {
                    Value::Null
                },
            );
        }
        let value = if is_object { Value::Object(obj) } else { Value::Null };
        let doc = document_from_value(value, sha256, shown, "snapshot", &mut report)?;
        let declared = meta_str(&doc, "source", shown, &mut report)?;
        if declared != source {
            problem(
                &mut report,
                shown,
                MetaProblem::SourceMismatch {
                    declared: declared.to_string(),
                    source: source.to_string(),
                },
            );
        }
        let date = meta_date(&doc, "date", shown, &mut report)?;
        if let Some(stem) = stem
            && let Ok(name_date) = parse_date(stem)
            && name_date != date
        {
            problem(
                &mut report,
                shown,
                MetaProblem::DateMismatch {
                    file_name: name_date,
                    declared: date,
                },
            );
        }
        // A date the collection gives itself beside `frontline` (a foreign member) must be the
        // snapshot's: the stored file keeps `frontline.date` only.
        for f in super::policy::collection_dates(&collection_dates, date) {
            report.problems.push(Finding {
                file: shown.to_string(),
                ..f
            });
        }
        let synthetic = meta_synthetic(&doc, shown, &mut report);
        let doc_published_at = meta_instant(&doc, shown, &mut report);
        let read = features.take()?;
        report.merge(read.report);
        let published = meta_published(&doc, shown, &mut report);
        if !report.is_ok() {
            return None;
        }
        let features = read.features;
        let content_sha256 = content_sha256(&features);
        Some(Snapshot {
            source: source.to_string(),
            date,
            synthetic,
            features,
            published,
            published_at: doc_published_at,
            provenance: doc.provenance,
            content_sha256,
        })
    })();
    // A document refused before its features' findings were listed (a missing or wrong-kind
    // `frontline` member, a source or date that does not read) still has them listed: every
    // problem of the file at once, not one round of fixes per problem.
    if let Some(read) = features {
        report.merge(read.report);
    }
    (out, report)
}

/// The features as published (`frontline.published`: a list of `{"status", "geometry"}`), where
/// an importer derived the file's features from them by a union that moves vertices (NZZ): points
/// are located against these, so that answers are exact on the coordinates as published
/// ([`Snapshot::published`]). Absent: the features are as published.
fn meta_published(doc: &Document, shown: &str, report: &mut Report) -> Option<Vec<ControlFeature>> {
    let list = match doc.meta.get("published") {
        None | Some(Value::Null) => return None,
        Some(Value::Array(list)) => list,
        Some(_) => {
            problem(report, shown, MetaProblem::PublishedNotList);
            return None;
        }
    };
    let mut out = Vec::with_capacity(list.len());
    for entry in list {
        let status = entry
            .get("status")
            .and_then(Value::as_str)
            .and_then(ControlStatus::parse);
        let geometry = entry.get("geometry");
        let (Some(status), Some(geometry)) = (status, geometry) else {
            problem(report, shown, MetaProblem::PublishedNotList);
            return None;
        };
        let mut scope = Scope {
            file: shown,
            feature: None,
            report: &mut *report,
        };
        // As published: unvalidated (the union of the file's features repaired them), read
        // with the same coordinate checks as every geometry.
        let geometry = super::geometry::read_areal_unvalidated(geometry, &mut scope)?;
        out.push(ControlFeature {
            status,
            geometry,
            class: None,
            date: None,
        });
    }
    Some(out)
}

/// A MultiPolygon's coordinates as JSON numbers (each the shortest decimal that reads back to
/// the same f64).
fn multipolygon_value(mp: &MultiPolygon<f64>) -> Value {
    let ring = |r: &geo::LineString<f64>| Value::Array(r.0.iter().map(|c| Value::from(vec![c.x, c.y])).collect());
    Value::Array(
        mp.0.iter()
            .map(|p| Value::Array(std::iter::once(p.exterior()).chain(p.interiors()).map(ring).collect()))
            .collect(),
    )
}

/// A snapshot as a canonical document: `meta` are the `frontline` members (kind, source and date
/// are set here; `published` where the snapshot keeps its features as published); coordinates
/// are written as the shortest decimal that reads back to the same f64, so the content hash
/// survives the round trip.
pub fn snapshot_document(s: &Snapshot, mut meta: Map<String, Value>) -> String {
    use std::fmt::Write;
    if let Some(published) = &s.published {
        let list = published
            .iter()
            .map(|f| {
                let mut m = Map::new();
                m.insert("status".into(), Value::from(f.status.as_str()));
                let mut g = Map::new();
                g.insert("type".into(), Value::from("MultiPolygon"));
                g.insert("coordinates".into(), multipolygon_value(&f.geometry));
                m.insert("geometry".into(), Value::Object(g));
                Value::Object(m)
            })
            .collect();
        meta.insert("published".into(), Value::Array(list));
    }
    meta.insert("kind".into(), Value::from("snapshot"));
    meta.insert("source".into(), Value::from(s.source.as_str()));
    meta.insert("date".into(), Value::from(s.date.to_string()));
    meta.insert("synthetic".into(), Value::from(s.synthetic));
    if let Some(t) = s.published_at {
        meta.insert("published_at".into(), Value::from(rfc3339(t)));
    }
    // serde_json's own formatting of an f64 (zmij's shortest round-trip decimal, `null` where
    // not finite: serde_json 1.0.154's `serialize_f64`), written into the output without a
    // String per number: the files of an import hold millions of coordinates.
    let mut zmij = zmij::Buffer::new();
    let mut num = |out: &mut String, x: f64| {
        out.push_str(if x.is_finite() { zmij.format_finite(x) } else { "null" });
    };
    let mut out = String::from("{\"type\":\"FeatureCollection\",\"frontline\":");
    out.push_str(&Value::Object(meta).to_string());
    out.push_str(",\n\"features\":[");
    for (i, f) in s.features.iter().enumerate() {
        if i > 0 {
            out.push_str(",\n");
        }
        let class = f
            .class
            .as_ref()
            .map(|c| format!(",\"class\":{}", Value::from(c.as_str())))
            .unwrap_or_default();
        let date = f.date.map(|d| format!(",\"date\":\"{d}\"")).unwrap_or_default();
        let _ = write!(
            out,
            "{{\"type\":\"Feature\",\"properties\":{{\"status\":\"{}\"{class}{date}}},\"geometry\":{{\"type\":\"MultiPolygon\",\"coordinates\":[",
            f.status.as_str()
        );
        for (pi, p) in f.geometry.0.iter().enumerate() {
            out.push_str(if pi > 0 { ",[" } else { "[" });
            for (ri, r) in std::iter::once(p.exterior()).chain(p.interiors()).enumerate() {
                out.push_str(if ri > 0 { ",[" } else { "[" });
                for (ci, c) in r.0.iter().enumerate() {
                    if ci > 0 {
                        out.push(',');
                    }
                    out.push('[');
                    num(&mut out, c.x);
                    out.push(',');
                    num(&mut out, c.y);
                    out.push(']');
                }
                out.push(']');
            }
            out.push(']');
        }
        out.push_str("]}}");
    }
    out.push_str("]}\n");
    out
}

/// An instant as written in files and answers: RFC 3339, UTC, whole seconds (`2022-04-03T12:33:28Z`).
pub fn rfc3339(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
}

/// The `frontline` member of a canonical file (for the importer's bookkeeping), or `None` when
/// the file cannot be read as one.
pub fn read_meta(path: &Path) -> Option<Map<String, Value>> {
    let bytes = std::fs::read(path).ok()?;
    let mut v: Value = serde_json::from_slice(&bytes).ok()?;
    match v.get_mut("frontline")?.take() {
        Value::Object(m) => Some(m),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn crs_problems(name: &str) -> Vec<String> {
        let obj: Map<String, Value> = serde_json::from_value(serde_json::json!({
            "type": "FeatureCollection",
            "crs": {"type": "name", "properties": {"name": name}}
        }))
        .unwrap_or_default();
        let mut report = Report::default();
        check_crs(&obj, "f.geojson", &mut report);
        report.problems.iter().map(|p| p.message()).collect()
    }

    /// A file refused for its `frontline` member (missing, or of another kind) still has its
    /// features' geometry checked and reported: all its problems at once.
    #[test]
    fn a_file_refused_for_its_frontline_member_still_has_its_geometry_checked() {
        let feature = r#"{"type":"Feature","properties":{"status":"occupied"},"geometry":{"type":"Polygon","coordinates":[[[30,48],[31,48],[31,95],[30,48]]]}}"#;
        for meta in [
            String::new(),
            r#","frontline":{"kind":"border","source":"a","date":"2024-01-01"}"#.to_string(),
            r#","frontline":{"kind":"snapshot","source":"a"}"#.to_string(),
        ] {
            let text = format!(r#"{{"type":"FeatureCollection"{meta},"features":[{feature}]}}"#);
            let (snapshot, report) = snapshot_from_bytes(text.as_bytes(), String::new(), None, "f.geojson", "a");
            assert!(snapshot.is_none());
            let messages: Vec<String> = report.problems.iter().map(Finding::message).collect();
            assert!(messages.len() >= 2, "{meta}: {messages:?}");
            assert!(
                report.problems.iter().any(|p| p.feature == Some(0)),
                "{meta}: the feature's geometry is reported: {messages:?}"
            );
            assert!(
                messages.iter().any(|m| m.contains("frontline")),
                "{meta}: the member is reported: {messages:?}"
            );
        }
    }

    #[test]
    fn crs84_is_accepted_in_every_spelling() {
        for name in [
            "urn:ogc:def:crs:OGC:1.3:CRS84",
            "urn:ogc:def:crs:OGC::CRS84",
            "urn:ogc:def:crs:OGC:CRS84",
            "URN:OGC:DEF:CRS:OGC:1.3:CRS84",
            "http://www.opengis.net/def/crs/OGC/1.3/CRS84",
            "https://www.opengis.net/def/crs/OGC/1.3/CRS84",
            "http://www.opengis.net/def/crs/OGC/0/CRS84",
            "https://www.opengis.net/def/crs/OGC/1.3/CRS84/",
            "OGC:CRS84",
            "[OGC:CRS84]",
            "CRS84",
            " ogc:crs84 ",
            "CRS:84",
            "crs:84",
        ] {
            assert!(crs_problems(name).is_empty(), "{name}: {:?}", crs_problems(name));
        }
    }

    #[test]
    fn other_crs_are_refused_with_the_reason() {
        for name in [
            "EPSG:4326",
            "urn:ogc:def:crs:EPSG::4326",
            "http://www.opengis.net/def/crs/EPSG/0/4326",
        ] {
            let p = crs_problems(name);
            assert!(p[0].contains("latitude, longitude"), "{name}: {p:?}");
        }
        for name in [
            "EPSG:3857",
            "urn:ogc:def:crs:OGC:1.3:CRS84hh",
            "CRS84 h",
            "http://www.opengis.net/def/crs/OGC//CRS84",
            "http://example.org/def/crs/OGC/1.3/CRS84",
            "urn:ogc:def:crs:OGC:x:CRS84",
            "",
        ] {
            let p = crs_problems(name);
            assert!(p[0].contains("is not CRS84: only WGS84"), "{name}: {p:?}");
        }
        let obj: Map<String, Value> =
            serde_json::from_value(serde_json::json!({"crs": {"type": "link"}})).unwrap_or_default();
        let mut report = Report::default();
        check_crs(&obj, "f", &mut report);
        assert!(report.problems[0].message().contains("does not name a CRS"));
    }
}
