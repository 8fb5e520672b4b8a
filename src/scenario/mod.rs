//! Ceasefire scenarios: the area of application of a ceasefire as a citable object, security
//! zones measured from lines of contact, withdrawal to an earlier line.
//!
//! A scenario is a small JSON document ([`Scenario`]): a source and a ceasefire date, a policy
//! (the grey zone excluded or included; baselines excluded by name; negotiated exclusions drawn
//! as GeoJSON polygons; the border's waters in or out), zones (a reference line, i.e. the line
//! of contact of a source on a date; a side; a width per side) and an optional withdrawal date
//! D0. [`compute`] answers it against a catalog; its id is the SHA-256 of its canonical form and
//! the content hashes of every input it used, so that one id always means the same figures.
//! Scenarios are stored through the store (`scenarios/<id>.json`, written once, never replaced).

pub mod presets;
pub mod zone;

use crate::catalog::{Catalog, CatalogError, ControlState, InForce};
use crate::coverage::{OverlayRule, overlay, overlay_within, split};
use crate::geodesy::area_km2;
use crate::index::PolygonIndex;
use crate::model::Status;
use crate::output::provenance::{AnswerProvenance, FeatureProvenance, STALE_AFTER_DAYS};
use crate::output::scenario::{
    DiffRow, ExcludedFigure, ExcludedHit, LineDistance, Reason, ReferenceFigure, ScenarioAnswer, ScenarioDiff,
    ScenarioInput, ScenarioPoint, WithdrawalFigure, ZoneFigure, ZoneHit,
};
pub use crate::output::scenario::{ScenarioLayer, Side};
use crate::store::{DocumentKind, Store, StoreError};
use chrono::NaiveDate;
use geo::{MultiPolygon, Polygon};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;
use std::sync::{Arc, OnceLock};

/// Names a policy might use for the areas held since 2014 in Donetsk and Luhansk oblasts, which
/// no baseline of the geodata covers (the refusal says why).
const ORDLO_NAMES: [&str; 4] = ["donetsk_luhansk_2014", "ordlo", "donbas_2014", "donetsk_luhansk"];

/// Most zones in a scenario.
pub const MAX_ZONES: usize = 16;
/// Most negotiated exclusions in a scenario.
pub const MAX_EXCLUSIONS: usize = 64;
/// Largest zone width per side, km.
pub const MAX_WIDTH_KM: f64 = 500.0;
/// Smallest zone width per side, km: the outline is built to within
/// [`zone::OUTLINE_TOLERANCE_M`] of the exact geodesic distance, so a narrower zone would be
/// mostly construction error (the narrowest zone of the agreements cited, the 1953 armistice's,
/// is 2 km).
pub const MIN_WIDTH_KM: f64 = 0.1;
/// Default of [`Limits::max_exclusion_vertices`] (the server's
/// `--max-scenario-exclusion-vertices`).
pub const DEFAULT_MAX_EXCLUSION_VERTICES: usize = 20_000;
/// Default of the server's computation deadline, seconds (`--scenario-deadline-s`).
pub const DEFAULT_DEADLINE_S: u64 = 30;

/// Bounds on what one computation may cost, for scenarios sent by anyone
/// (`POST /v1/scenarios/preview` needs no token): the input's size, checked before anything is
/// computed, and a deadline, checked between the steps of the computation (each step bounded
/// by the size). [`compute`] has none (the CLI, stored scenarios).
#[derive(Debug, Clone, Copy, Default)]
pub struct Limits {
    /// Most vertices in all negotiated exclusions together (`None`: no bound).
    pub max_exclusion_vertices: Option<usize>,
    /// When the computation is given up (`None`: never).
    pub deadline: Option<Deadline>,
}

/// A computation's deadline: when it started and how long it may take.
#[derive(Debug, Clone, Copy)]
pub struct Deadline {
    /// When it started.
    pub started: std::time::Instant,
    /// How long it may take.
    pub allowed: std::time::Duration,
}

impl Deadline {
    /// From now, `allowed` long.
    pub fn from_now(allowed: std::time::Duration) -> Self {
        Deadline {
            started: std::time::Instant::now(),
            allowed,
        }
    }
}

impl Limits {
    /// Refuses to go on past the deadline, saying at which step.
    fn check(&self, step: impl FnOnce() -> String) -> Result<(), ScenarioError> {
        match self.deadline {
            Some(d) if d.started.elapsed() > d.allowed => Err(ScenarioError::DeadlinePassed {
                allowed_s: d.allowed.as_secs_f64(),
                step: step(),
            }),
            _ => Ok(()),
        }
    }
}

/// A ceasefire scenario as written (see the README, section Scenarios).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Free text: what the scenario is (a preset's citation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The source of control.
    pub source: String,
    /// The day the ceasefire is declared: the control in force then decides the area.
    pub ceasefire_date: NaiveDate,
    /// What is excluded.
    #[serde(default)]
    pub policy: Policy,
    /// Security zones.
    #[serde(default)]
    pub zones: Vec<Zone>,
    /// D0: the withdrawal area is occupied(ceasefire date) minus occupied(D0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub withdrawal_date: Option<NaiveDate>,
}

/// Whether the grey zone (contested) is excluded from the area of application.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum GreyZone {
    /// Contested areas are excluded (as `/v1/coverage` does).
    #[default]
    Excluded,
    /// Contested areas belong to the area of application.
    Included,
}

/// What a scenario excludes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// The grey zone.
    #[serde(default)]
    pub grey_zone: GreyZone,
    /// Baselines excluded by name (their whole area, whatever the snapshot says).
    #[serde(default)]
    pub excluded_baselines: Vec<String>,
    /// Negotiated exclusions.
    #[serde(default)]
    pub exclusions: Vec<Exclusion>,
    /// Whether the border's waters (territorial sea approximation) belong to the territory.
    #[serde(default)]
    pub waters: bool,
}

/// A negotiated exclusion: a name and a GeoJSON Polygon or MultiPolygon.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exclusion {
    /// Its name.
    pub name: String,
    /// A GeoJSON Polygon or MultiPolygon geometry object.
    pub geometry: serde_json::Value,
}

/// A security zone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Zone {
    /// Its name (unique in the scenario).
    pub name: String,
    /// The line it is measured from.
    pub reference: Reference,
    /// The side(s) of the line it covers.
    pub side: Side,
    /// Its width on each side it covers, km (0 < w <= 500).
    pub width_km: f64,
}

/// A reference line: the line of contact of a source on a date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reference {
    /// The source (the scenario's when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// The date.
    pub date: NaiveDate,
}

/// Why a scenario cannot be answered; every case names the field at fault.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// The document is not a scenario, or a field is wrong.
    #[error("{field}: {detail}")]
    Invalid {
        /// The field at fault (`zones[2].width_km`).
        field: String,
        /// What is wrong.
        detail: String,
    },
    /// A source or date the catalog does not have.
    #[error("{field}: {error}")]
    Catalog {
        /// The field at fault.
        field: String,
        /// The catalog's answer.
        error: CatalogError,
    },
    /// An instant at which an earlier publication of its day was in force, where a day's state
    /// is needed (a preset's ceasefire).
    #[error("{field}: {detail}")]
    NotADayState {
        /// The parameter (`datetime`, `memorandum_datetime`).
        field: String,
        /// Which publication was in force and what to ask instead.
        detail: String,
    },
    /// No stored scenario has this id.
    #[error("no stored scenario has the id '{0}'")]
    NotFound(String),
    /// A stored scenario's inputs have changed since it was stored.
    #[error(
        "the inputs of scenario {id} have changed since it was stored (a snapshot, baseline or border was replaced, or a source's description edited): the same document now has the id {now}; its figures are no longer those of {id}"
    )]
    InputsChanged {
        /// The stored id.
        id: String,
        /// The id the document has now.
        now: String,
    },
    /// A stored scenario's inputs can no longer be had (its source removed, its dates no longer
    /// in the archive): the stored document is kept, its figures cannot be given.
    #[error("the inputs of scenario {id} are no longer available, so its figures cannot be given: {why}")]
    InputsUnavailable {
        /// The stored id.
        id: String,
        /// What the stored document asks for that the geodata no longer has.
        why: Box<ScenarioError>,
    },
    /// A file of the store's `scenarios/` that is not a stored scenario: not JSON, not of a
    /// stored scenario's shape, or not named `<id>.json`.
    #[error("{file} is not a readable stored scenario: {why}")]
    Unreadable {
        /// The file, relative to the geodata directory (`scenarios/<id>.json`).
        file: String,
        /// What is wrong with it (the JSON error with its line and column, or the name).
        why: String,
    },
    /// A stored scenario whose file name is not the id of its content: renamed, or edited
    /// after it was stored (its content no longer hashes to its `id` member).
    #[error("{file}: the file name does not match its content id: {why}")]
    NotItsId {
        /// The file, relative to the geodata directory.
        file: String,
        /// Which id the name says and which the content has.
        why: String,
    },
    /// The document is larger than the server computes for anyone (its exclusions' vertices).
    #[error(
        "{field}: {got} {what}; this server computes at most {max} ({limit}); split the scenario, simplify the exclusions, or compute it with `frontline scenario` on your own machine"
    )]
    TooLarge {
        /// The member at fault (`policy.exclusions`).
        field: String,
        /// What is counted (`vertices in the exclusions`).
        what: &'static str,
        /// The limit's name (the server flag that sets it).
        limit: &'static str,
        /// The limit.
        max: usize,
        /// The figure of the document.
        got: usize,
    },
    /// The computation took longer than the server allows one scenario.
    #[error(
        "the scenario was not computed within the {allowed_s} s this server allows one computation (--scenario-deadline-s); given up at {step}: fewer or simpler exclusions and zones compute faster, and `frontline scenario` on your own machine has no deadline"
    )]
    DeadlinePassed {
        /// The deadline, seconds.
        allowed_s: f64,
        /// The step it was given up at.
        step: String,
    },
    /// Writing or reading the store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl ScenarioError {
    /// The same error with its field renamed by `names` (`(from, to)` pairs; a field not listed
    /// keeps its name): for a document built from arguments, so that the error names the
    /// argument (a preset's `date`) rather than the document's field.
    pub fn renamed(self, names: &[(&str, &str)]) -> Self {
        let rename = |field: String| {
            names
                .iter()
                .find(|(from, _)| *from == field)
                .map_or(field, |(_, to)| (*to).to_string())
        };
        match self {
            ScenarioError::Invalid { field, detail } => ScenarioError::Invalid {
                field: rename(field),
                detail,
            },
            ScenarioError::Catalog { field, error } => ScenarioError::Catalog {
                field: rename(field),
                error,
            },
            other => other,
        }
    }
}

fn invalid(field: impl Into<String>, detail: impl Into<String>) -> ScenarioError {
    ScenarioError::Invalid {
        field: field.into(),
        detail: detail.into(),
    }
}

/// Parses a scenario document, naming the field at fault when it is not one: the member being
/// read when the JSON itself is wrong (a number out of range, `NaN`), a member given twice, a
/// member of the wrong type, missing or unknown (`zones[0].width_km`, `policy.grey_zone`).
pub fn parse(bytes: &[u8]) -> Result<Scenario, ScenarioError> {
    use serde::de::DeserializeSeed;
    let last = std::cell::RefCell::new(String::new());
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = At {
        path: String::new(),
        last: &last,
    }
    .deserialize(&mut de)
    .map_err(|e| {
        let at = last.borrow().clone();
        let field = if at.is_empty() { "(document)".to_string() } else { at };
        let detail = match e.classify() {
            serde_json::error::Category::Data => e.to_string(),
            _ => format!("not JSON: {e}"),
        };
        invalid(field, detail)
    })?;
    // What follows a whole document is the document's fault, not its last member's.
    de.end().map_err(|e| invalid("(document)", format!("not JSON: {e}")))?;
    from_value(value)
}

/// Reads a JSON value recording the path of the member being read in `last` (so that an error
/// of the JSON itself names the member), refusing a member given twice. Hand-written: serde_json
/// keeps the last of two equal keys silently and says no path in its errors.
struct At<'a> {
    path: String,
    last: &'a std::cell::RefCell<String>,
}

impl<'de> serde::de::DeserializeSeed<'de> for At<'_> {
    type Value = serde_json::Value;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        self.last.borrow_mut().clone_from(&self.path);
        d.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for At<'_> {
    type Value = serde_json::Value;
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Self::Value, E> {
        Ok(v.into())
    }
    fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
        Ok(v.into())
    }
    fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
        Ok(v.into())
    }
    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Self::Value, E> {
        serde_json::Number::from_f64(v)
            .map(serde_json::Value::Number)
            .ok_or_else(|| E::custom(format!("{v} is not a finite number")))
    }
    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(v.into())
    }
    fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
        Ok(v.into())
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(serde_json::Value::Null)
    }
    fn visit_none<E>(self) -> Result<Self::Value, E> {
        Ok(serde_json::Value::Null)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::new();
        while let Some(v) = seq.next_element_seed(At {
            path: format!("{}[{}]", self.path, out.len()),
            last: self.last,
        })? {
            out.push(v);
        }
        Ok(serde_json::Value::Array(out))
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out = serde_json::Map::new();
        while let Some(k) = map.next_key::<String>()? {
            let path = if self.path.is_empty() {
                k.clone()
            } else {
                format!("{}.{k}", self.path)
            };
            if out.contains_key(&k) {
                *self.last.borrow_mut() = path;
                return Err(serde::de::Error::custom(format!("the member '{k}' is given twice")));
            }
            let v = map.next_value_seed(At { path, last: self.last })?;
            out.insert(k, v);
        }
        Ok(serde_json::Value::Object(out))
    }
}

/// What a member must be, checked before the document is deserialised so that an error names it.
#[derive(Clone, Copy)]
enum Kind {
    Text,
    Date,
    Bool,
    Number,
    OneOf(&'static [&'static str]),
}

fn check_member(field: &str, v: &serde_json::Value, kind: Kind) -> Result<(), ScenarioError> {
    let ok = match kind {
        Kind::Text => v.is_string(),
        Kind::Bool => v.is_boolean(),
        Kind::Number => v.as_f64().is_some_and(f64::is_finite),
        Kind::Date => match v.as_str() {
            // The project's one strict date parser: "2024-6-1", "+2024-06-01", " 2024-06-01" refused.
            Some(s) => return crate::model::parse_date(s).map(|_| ()).map_err(|e| invalid(field, e)),
            None => false,
        },
        Kind::OneOf(words) => v.as_str().is_some_and(|s| words.contains(&s)),
    };
    if ok {
        return Ok(());
    }
    let want = match kind {
        Kind::Text => "a string".to_string(),
        Kind::Date => "a date YYYY-MM-DD".to_string(),
        Kind::Bool => "true or false".to_string(),
        Kind::Number => "a finite number".to_string(),
        Kind::OneOf(words) => format!("one of {}", words.join(", ")),
    };
    Err(invalid(field, format!("{v} is not {want}")))
}

/// Whether a member must be there.
#[derive(Clone, Copy, PartialEq)]
enum Need {
    /// Required (`null` refused).
    Required,
    /// Optional; `null` is taken as absent.
    Nullable,
    /// Optional with a default; `null` refused.
    Defaulted,
}

/// Checks an object's members: each known one by its kind, an unknown one named, a required one
/// named when absent, a `null` optional one removed (taken as absent).
fn check_object(
    field: &str,
    v: &mut serde_json::Value,
    members: &[(&str, Option<Kind>, Need)],
) -> Result<(), ScenarioError> {
    let name = |k: &str| {
        if field.is_empty() {
            k.to_string()
        } else {
            format!("{field}.{k}")
        }
    };
    let Some(obj) = v.as_object_mut() else {
        let what = if field.is_empty() { "(document)" } else { field };
        return Err(invalid(what, format!("{v} is not a JSON object")));
    };
    let allowed: Vec<&str> = members.iter().map(|m| m.0).collect();
    let need = |k: &str| members.iter().find(|m| m.0 == k).map(|m| m.2);
    for (k, mv) in obj.iter() {
        let Some((_, kind, need)) = members.iter().find(|m| m.0 == k) else {
            return Err(invalid(
                name(k),
                format!("unknown member; expected {}", allowed.join(", ")),
            ));
        };
        match (mv.is_null(), need, kind) {
            (true, Need::Nullable, _) => {}
            (true, _, _) => return Err(invalid(name(k), "null is not allowed here")),
            (false, _, Some(kind)) => check_member(&name(k), mv, *kind)?,
            (false, _, None) => {}
        }
    }
    obj.retain(|k, mv| !(mv.is_null() && need(k) == Some(Need::Nullable)));
    for (k, _, need) in members {
        if *need == Need::Required && !obj.contains_key(*k) {
            return Err(invalid(name(k), format!("missing member `{k}`")));
        }
    }
    Ok(())
}

fn check_array<'v>(field: &str, v: &'v mut serde_json::Value) -> Result<&'v mut Vec<serde_json::Value>, ScenarioError> {
    match v {
        serde_json::Value::Array(list) => Ok(list),
        other => Err(invalid(field, format!("{other} is not a JSON array"))),
    }
}

/// [`parse`] from a JSON value.
pub fn from_value(mut value: serde_json::Value) -> Result<Scenario, ScenarioError> {
    use Kind::{Bool, Date, Number, OneOf, Text};
    use Need::{Defaulted, Nullable, Required};
    check_object(
        "",
        &mut value,
        &[
            ("title", Some(Text), Nullable),
            ("source", Some(Text), Required),
            ("ceasefire_date", Some(Date), Required),
            ("policy", None, Defaulted),
            ("zones", None, Defaulted),
            ("withdrawal_date", Some(Date), Nullable),
        ],
    )?;
    if let Some(policy) = value.get_mut("policy") {
        check_object(
            "policy",
            policy,
            &[
                ("grey_zone", Some(OneOf(&["excluded", "included"])), Defaulted),
                ("excluded_baselines", None, Defaulted),
                ("exclusions", None, Defaulted),
                ("waters", Some(Bool), Defaulted),
            ],
        )?;
        if let Some(b) = policy.get_mut("excluded_baselines") {
            for (i, name) in check_array("policy.excluded_baselines", b)?.iter().enumerate() {
                check_member(&format!("policy.excluded_baselines[{i}]"), name, Text)?;
            }
        }
        if let Some(e) = policy.get_mut("exclusions") {
            for (i, ex) in check_array("policy.exclusions", e)?.iter_mut().enumerate() {
                // The geometry is read (and its faults named) by `check`.
                check_object(
                    &format!("policy.exclusions[{i}]"),
                    ex,
                    &[("name", Some(Text), Required), ("geometry", None, Required)],
                )?;
            }
        }
    }
    if let Some(z) = value.get_mut("zones") {
        for (i, zone) in check_array("zones", z)?.iter_mut().enumerate() {
            let field = format!("zones[{i}]");
            check_object(
                &field,
                zone,
                &[
                    ("name", Some(Text), Required),
                    ("reference", None, Required),
                    ("side", Some(OneOf(&["covered", "occupied", "both"])), Required),
                    ("width_km", Some(Number), Required),
                ],
            )?;
            if let Some(r) = zone.get_mut("reference") {
                check_object(
                    &format!("{field}.reference"),
                    r,
                    &[("source", Some(Text), Nullable), ("date", Some(Date), Required)],
                )?;
            }
        }
    }
    serde_json::from_value(value).map_err(|e| invalid("(document)", e.to_string()))
}

/// A scenario checked against a catalog: the canonical document and its parsed exclusions.
#[derive(Debug, Clone)]
pub struct Checked {
    /// The document in canonical form (reference sources filled in, exclusions as parsed).
    pub scenario: Scenario,
    /// The exclusions' areas, in the order of the document.
    exclusions: Vec<MultiPolygon<f64>>,
}

/// The state of `source` in force on `date`, for the scenario member `field`. Refused (naming the
/// field) when the date is past the end of the source's archive by more than
/// [`STALE_AFTER_DAYS`]: elsewhere such a date is answered with the last snapshot and a warning,
/// but a scenario is cited by its id and dates, and a figure cited for a date must describe that
/// date, not the last state the archive had. A date in a gap of the archive (a source published
/// monthly, a synthetic one) is answered with the snapshot in force, as everywhere.
fn in_force<'a>(cat: &'a Catalog, field: &str, source: &str, date: NaiveDate) -> Result<InForce<'a>, ScenarioError> {
    let f = cat
        .in_force(Some(source), date)
        .map_err(|error| ScenarioError::Catalog {
            field: match error {
                CatalogError::UnknownSource { .. } if field.ends_with("date") => field.replace("date", "source"),
                _ => field.to_string(),
            },
            error,
        })?;
    let past_the_end = f.source.snapshots.last().is_none_or(|l| l.date <= f.snapshot().date);
    if let Some(warning) = crate::output::provenance::SnapshotAge::new(&f, date)
        .warning
        .filter(|_| past_the_end)
    {
        return Err(invalid(
            field,
            format!(
                "{warning}; a scenario's dates may be at most {STALE_AFTER_DAYS} days past the source's last snapshot (a cited figure must describe its date)"
            ),
        ));
    }
    Ok(f)
}

/// Checks a scenario against a catalog (sources, dates, baselines, widths, zones, exclusions)
/// and puts it in canonical form.
pub fn check(cat: &Catalog, s: &Scenario) -> Result<Checked, ScenarioError> {
    check_within(cat, s, &Limits::default())
}

/// The positions of the negotiated exclusions as written (every position of every ring, the
/// closing one included), counted without reading them as polygons.
fn exclusion_positions(s: &Scenario) -> usize {
    fn positions(v: &serde_json::Value, depth: usize) -> usize {
        match (v, depth) {
            (serde_json::Value::Array(a), 0) => a.len(),
            (serde_json::Value::Array(a), d) => a.iter().map(|x| positions(x, d - 1)).sum(),
            _ => 0,
        }
    }
    s.policy
        .exclusions
        .iter()
        .map(|e| {
            let depth = match e.geometry.get("type").and_then(serde_json::Value::as_str) {
                Some("MultiPolygon") => 2,
                _ => 1,
            };
            e.geometry.get("coordinates").map_or(0, |c| positions(c, depth))
        })
        .sum()
}

/// [`check`] within `limits`: a document over their size is refused before anything is read.
fn check_within(cat: &Catalog, s: &Scenario, limits: &Limits) -> Result<Checked, ScenarioError> {
    if let Some(max) = limits.max_exclusion_vertices {
        let got = exclusion_positions(s);
        if got > max {
            return Err(ScenarioError::TooLarge {
                field: "policy.exclusions".into(),
                what: "vertices in the exclusions",
                limit: "--max-scenario-exclusion-vertices",
                max,
                got,
            });
        }
    }
    let mut s = s.clone();
    if let Some(t) = &s.title
        && t.len() > 4000
    {
        return Err(invalid("title", "at most 4000 bytes"));
    }
    cat.source(Some(&s.source)).map_err(|error| ScenarioError::Catalog {
        field: "source".into(),
        error,
    })?;
    let ceasefire = in_force(cat, "ceasefire_date", &s.source, s.ceasefire_date)?;
    if let Some(d0) = s.withdrawal_date {
        if d0 > s.ceasefire_date {
            return Err(invalid(
                "withdrawal_date",
                format!(
                    "{d0} is after the ceasefire date {}: D0 is the earlier line withdrawn to",
                    s.ceasefire_date
                ),
            ));
        }
        in_force(cat, "withdrawal_date", &s.source, d0)?;
    }
    if s.zones.len() > MAX_ZONES {
        return Err(invalid(
            "zones",
            format!("{} zones; at most {MAX_ZONES}", s.zones.len()),
        ));
    }
    let mut names = BTreeSet::new();
    for (i, z) in s.zones.iter_mut().enumerate() {
        if z.name.trim().is_empty() || z.name.len() > 200 {
            return Err(invalid(format!("zones[{i}].name"), "1 to 200 bytes"));
        }
        if !names.insert(z.name.clone()) {
            return Err(invalid(
                format!("zones[{i}].name"),
                format!("'{}' names two zones", z.name),
            ));
        }
        if !(z.width_km.is_finite() && (MIN_WIDTH_KM..=MAX_WIDTH_KM).contains(&z.width_km)) {
            return Err(invalid(
                format!("zones[{i}].width_km"),
                format!(
                    "{} km; a width is at least {MIN_WIDTH_KM} km (a zone's outline is within {} m of the exact distance) and at most {MAX_WIDTH_KM} km",
                    z.width_km,
                    zone::OUTLINE_TOLERANCE_M
                ),
            ));
        }
        if z.reference.date > s.ceasefire_date {
            return Err(invalid(
                format!("zones[{i}].reference.date"),
                format!(
                    "{} is after the ceasefire date {}: a zone is measured from a line of contact on or before the ceasefire (the de facto line, or an earlier one such as the Minsk memorandum's)",
                    z.reference.date, s.ceasefire_date
                ),
            ));
        }
        let source = z.reference.source.get_or_insert_with(|| s.source.clone()).clone();
        cat.source(Some(&source)).map_err(|error| ScenarioError::Catalog {
            field: format!("zones[{i}].reference.source"),
            error,
        })?;
        in_force(cat, &format!("zones[{i}].reference.date"), &source, z.reference.date)?;
    }
    let nameable = policy_names(cat, &s.source);
    let mut seen = BTreeSet::new();
    for (i, b) in s.policy.excluded_baselines.iter().enumerate() {
        if !nameable.iter().any(|n| n.name == *b) {
            // `classes.drawn` of GET /v1/sources says what a source's maps can show at all
            // (`before-2022`); a policy excludes areas by the names of its data (`policy_names`).
            let drawn =
                serde_json::from_value::<crate::model::DrawnClass>(serde_json::Value::String(b.clone())).is_ok();
            // The areas held since 2014 in Donetsk and Luhansk oblasts (ORDLO, the line of the
            // Minsk agreements) have no baseline: the geodata holds only what this project makes
            // or public-domain Natural Earth data, and neither gives that line.
            let hint = if ORDLO_NAMES.contains(&b.as_str()) {
                format!(
                    " ('{b}': the geodata has no baseline of the parts of Donetsk and Luhansk oblasts held since 2014: it holds only data this project makes or public-domain Natural Earth data, and neither gives the line of 2014-2022; a source that draws them as a class names that class here, e.g. occupied_before_2022 of DeepState's own format; otherwise draw them as a negotiated exclusion, policy.exclusions)"
                )
            } else if drawn {
                format!(
                    " ('{b}' is a class of GET /v1/sources classes.drawn, what a source's maps can show; a policy names the baselines and the classes of area its snapshots carry)"
                )
            } else {
                String::new()
            };
            return Err(invalid(
                format!("policy.excluded_baselines[{i}]"),
                format!(
                    "unknown baseline or class '{b}'; a policy on source '{}' can name: {} (GET /v1/sources, policy_names){hint}",
                    s.source,
                    nameable.iter().map(|n| n.name.as_str()).collect::<Vec<_>>().join(", ")
                ),
            ));
        }
        if !seen.insert(b) {
            return Err(invalid(
                format!("policy.excluded_baselines[{i}]"),
                format!("'{b}' is named twice"),
            ));
        }
    }
    if s.policy.exclusions.len() > MAX_EXCLUSIONS {
        return Err(invalid(
            "policy.exclusions",
            format!("{} exclusions; at most {MAX_EXCLUSIONS}", s.policy.exclusions.len()),
        ));
    }
    let mut exclusions = Vec::new();
    let mut names = BTreeSet::new();
    for (i, e) in s.policy.exclusions.iter_mut().enumerate() {
        if e.name.trim().is_empty() || e.name.len() > 200 {
            return Err(invalid(format!("policy.exclusions[{i}].name"), "1 to 200 bytes"));
        }
        if !names.insert(e.name.clone()) {
            return Err(invalid(
                format!("policy.exclusions[{i}].name"),
                format!("'{}' names two exclusions", e.name),
            ));
        }
        let field = format!("policy.exclusions[{i}].geometry");
        let mp = crate::geodata::read_polygonal(&e.geometry, &field).map_err(|problems| {
            // The field is the problem's `parameter` and starts the detail once: each finding
            // without it (it was the findings' "file").
            let shown: Vec<String> = problems.iter().map(crate::geodata::Finding::without_file).collect();
            invalid(field.clone(), shown.join("; "))
        })?;
        // Canonical: the polygons as read (RFC 7946 orientation), as a MultiPolygon.
        e.geometry = multipolygon_json(&mp);
        exclusions.push(mp);
    }
    if s.policy.waters && ceasefire.source.border.waters.is_none() {
        return Err(invalid(
            "policy.waters",
            format!(
                "the border {} has no waters in this geodata",
                ceasefire.source.border.border.iso3
            ),
        ));
    }
    Ok(Checked {
        scenario: s,
        exclusions,
    })
}

/// The names a policy on `source` can exclude by name ([`Catalog::policy_names`]).
pub fn policy_names(cat: &Catalog, source: &str) -> Vec<crate::catalog::PolicyName> {
    cat.policy_names(source)
}

fn multipolygon_json(mp: &MultiPolygon<f64>) -> serde_json::Value {
    let ring = |r: &geo::LineString<f64>| r.0.iter().map(|c| vec![c.x, c.y]).collect::<Vec<_>>();
    let polys: Vec<Vec<Vec<Vec<f64>>>> =
        mp.0.iter()
            .map(|p| std::iter::once(p.exterior()).chain(p.interiors()).map(ring).collect())
            .collect();
    serde_json::json!({"type": "MultiPolygon", "coordinates": polys})
}

/// A zone's polygons by side.
#[derive(Debug, Clone)]
pub struct ZoneArea {
    /// On the covered side (empty when that side is not covered).
    pub covered: MultiPolygon<f64>,
    /// On the occupied side (empty when that side is not covered).
    pub occupied: MultiPolygon<f64>,
}

/// An excluded area.
#[derive(Debug, Clone)]
pub struct ExcludedArea {
    /// Why.
    pub reason: Reason,
    /// The baseline's or exclusion's name.
    pub name: Option<String>,
    /// The area.
    pub area: MultiPolygon<f64>,
}

/// A computed scenario: the figures and the geometry.
#[derive(Debug)]
pub struct Computed {
    /// The figures (what `GET /v1/scenarios/{id}` answers).
    pub answer: ScenarioAnswer,
    /// The area of application.
    pub area: MultiPolygon<f64>,
    /// The excluded areas, as in `answer.excluded`.
    pub excluded: Vec<ExcludedArea>,
    /// The zones, as in `answer.zones`.
    pub zones: Vec<ZoneArea>,
    /// The withdrawal area.
    pub withdrawal: Option<MultiPolygon<f64>>,
    /// The states of the reference lines, as in `answer.reference_lines`.
    references: Vec<Arc<ControlState>>,
    /// The state of D0 (the line withdrawn to) with its feature provenance, where there is one.
    withdrawal_to: Option<(Arc<ControlState>, FeatureProvenance)>,
    /// Feature provenance of the ceasefire state and of each reference line.
    feature_provenance: (FeatureProvenance, Vec<FeatureProvenance>),
    /// The document, canonical (to store).
    pub scenario: Scenario,
    /// Point indexes, built on first use.
    indexes: OnceLock<Indexes>,
    /// The stamp ([`file_stamp`]) of its stored file when that was last read and found to be
    /// this scenario; 0 when it was not read from the store.
    stored_stamp: std::sync::atomic::AtomicU64,
}

#[derive(Debug)]
struct Indexes {
    area: PolygonIndex,
    excluded: Vec<PolygonIndex>,
    zones: Vec<(PolygonIndex, PolygonIndex)>,
}

fn add_inputs(f: &InForce<'_>, waters: bool, inputs: &mut BTreeSet<ScenarioInput>) {
    let snap = f.snapshot();
    inputs.insert(ScenarioInput {
        kind: "snapshot",
        name: snap.id(),
        sha256: snap.content_sha256.clone(),
    });
    // The source's description as resolved (its stated classes decide which areas are unknown
    // rather than 0; its time zone which publication is in force): editing its `source.json`
    // changes the figures, so it changes the id (fresh tester, F2).
    inputs.insert(ScenarioInput {
        kind: "source",
        name: f.source.name.clone(),
        sha256: f.source.description_sha256.clone(),
    });
    for b in f.baselines() {
        inputs.insert(ScenarioInput {
            kind: "baseline",
            name: b.baseline.name.clone(),
            sha256: b.baseline.provenance.sha256.clone(),
        });
    }
    let border = &f.source.border;
    inputs.insert(ScenarioInput {
        kind: "border",
        name: border.border.iso3.clone(),
        sha256: border.border.provenance.sha256.clone(),
    });
    if waters && let Some(w) = &border.waters {
        inputs.insert(ScenarioInput {
            kind: "waters",
            name: border.border.iso3.clone(),
            sha256: w.waters.provenance.sha256.clone(),
        });
    }
}

/// Every input a canonical scenario uses (the snapshots in force on its dates, the description
/// of each source they come from, the baselines composed with them or excluded by name, the
/// border and its waters), sorted: what its id is
/// computed over. [`compute`] and [`list`] (which marks the stored scenarios whose inputs changed)
/// share it.
fn inputs_of(cat: &Catalog, s: &Scenario) -> Result<Vec<ScenarioInput>, ScenarioError> {
    let waters = s.policy.waters;
    let mut inputs = BTreeSet::new();
    add_inputs(
        &in_force(cat, "ceasefire_date", &s.source, s.ceasefire_date)?,
        waters,
        &mut inputs,
    );
    for name in &s.policy.excluded_baselines {
        if let Some(b) = cat.baselines.get(name) {
            inputs.insert(ScenarioInput {
                kind: "baseline",
                name: name.clone(),
                sha256: b.baseline.provenance.sha256.clone(),
            });
        }
    }
    for (i, z) in s.zones.iter().enumerate() {
        let source = z.reference.source.as_deref().unwrap_or(&s.source);
        let rf = in_force(cat, &format!("zones[{i}].reference.date"), source, z.reference.date)?;
        add_inputs(&rf, waters, &mut inputs);
    }
    if let Some(d0) = s.withdrawal_date {
        add_inputs(&in_force(cat, "withdrawal_date", &s.source, d0)?, waters, &mut inputs);
    }
    Ok(inputs.into_iter().collect())
}

/// The id of a canonical scenario with its inputs: SHA-256 (hex) of a version line, the
/// canonical JSON and one line per input (sorted).
pub fn scenario_id(scenario: &Scenario, inputs: &[ScenarioInput]) -> String {
    id_over(
        scenario,
        inputs.iter().map(|i| (i.kind, i.name.as_str(), i.sha256.as_str())),
    )
}

/// The id over a canonical scenario and its inputs as (kind, name, sha256), in their order.
fn id_over<'a>(scenario: &Scenario, inputs: impl Iterator<Item = (&'a str, &'a str, &'a str)>) -> String {
    let mut h = Sha256::new();
    h.update(b"frontline scenario v1\n");
    h.update(serde_json::to_vec(scenario).unwrap_or_default());
    for (kind, name, sha256) in inputs {
        h.update(format!("\n{kind} {name} {sha256}").as_bytes());
    }
    hex::encode(h.finalize())
}

/// The polygons of a layer, with the waters of a status added where the policy includes them.
fn with_waters(f: &InForce<'_>, land: &MultiPolygon<f64>, waters: bool, status: Status) -> MultiPolygon<f64> {
    let border = &f.source.border;
    match (waters, &border.waters, &f.computed().waters) {
        (true, Some(w), Some(st)) => {
            let mut out = land.clone();
            out.0.extend(w.layer(st, status).0);
            out
        }
        _ => land.clone(),
    }
}

/// One part of the territory (occupied, contested, the rest) with its land and its waters kept
/// apart: the border's waters cells meet its coast within a fraction of a millimetre but mostly
/// not on its vertices, and one overlay of both closed those gaps (360 m2 on the embedded
/// border, 5.7e-10 of the territory), so that the parts no longer added up to the border's area
/// plus the waters'.
struct Part {
    land: MultiPolygon<f64>,
    water: MultiPolygon<f64>,
}

impl Part {
    /// The layer `land` and, where the policy includes the waters, the waters of `status`.
    fn of(f: &InForce<'_>, land: &MultiPolygon<f64>, waters: bool, status: Status) -> Self {
        Self::of_unowned(f, land, waters, status, &[])
    }

    /// As [`Self::of`], without the cells of the waters that `owned` gives to an excluded
    /// baseline ([`baseline_cells`]).
    fn of_unowned(
        f: &InForce<'_>,
        land: &MultiPolygon<f64>,
        waters: bool,
        status: Status,
        owned: &[Option<usize>],
    ) -> Self {
        let water = match (waters, &f.source.border.waters, &f.computed().waters) {
            (true, Some(w), Some(st)) => {
                w.layer_where(st, |c, s| s == status && owned.get(c).is_none_or(Option::is_none))
            }
            _ => MultiPolygon(vec![]),
        };
        Part {
            land: land.clone(),
            water,
        }
    }

    /// Both, as one multipolygon (its polygons disjoint).
    fn joined(mut self) -> MultiPolygon<f64> {
        self.land.0.append(&mut self.water.0);
        self.land
    }
}

/// Which excluded baseline owns each cell of the border's waters (by index in `clips`, the
/// first that holds it): the one whose area holds the cell's anchor, the point of the land whose
/// status the cell takes (`crate::waters`). Waters follow their coast, so excluding Crimea by
/// name excludes its territorial sea with it, not under `occupied`. Empty without waters.
fn baseline_cells(f: &InForce<'_>, clips: &[Vec<Polygon<f64>>]) -> Vec<Option<usize>> {
    let Some(w) = &f.source.border.waters else {
        return Vec::new();
    };
    let indexes: Vec<PolygonIndex> = clips.iter().map(PolygonIndex::new).collect();
    w.waters
        .cells
        .iter()
        .map(|c| {
            indexes
                .iter()
                .position(|i| i.locate(c.anchor.x, c.anchor.y).in_closed())
        })
        .collect()
}

/// How far beyond an edge its outside is looked at, degrees (about 1 cm): past the rounding of
/// the overlays that cut the pieces (about 1e-9 degrees), well inside any feature.
const OUTSIDE_DEG: f64 = 1e-7;

/// `clips` (the areas of the names a policy excludes), each with what the composition adds to
/// the source's drawing next to it: the parts of the occupied and contested area that no
/// feature of the snapshot draws (a baseline composed with the source, beyond the source's own
/// outline; the slivers and specks of the sliver rule), each part going with the excluded name
/// whose area holds the outside of more than half of its boundary with the drawn features
/// (measured geodesically, edge by edge, 1 cm beyond each edge's midpoint). The cells of the
/// waters anchored in such a part go with it ([`baseline_cells`]). Without this, a class drawn
/// a little inside the border's coast (`occupied_before_2022` of DeepState's publications,
/// whose source composes the Natural Earth Crimea baseline) left the coastal strip between its
/// outline and the coast under `occupied`, and with it about 10,280 km2 of Crimea's sea.
fn with_what_the_composition_adds(f: &InForce<'_>, mut clips: Vec<Vec<Polygon<f64>>>) -> Vec<Vec<Polygon<f64>>> {
    if clips.iter().all(Vec::is_empty) {
        return clips;
    }
    let layers = &f.computed().layers;
    let held: Vec<Polygon<f64>> = layers.occupied.0.iter().chain(&layers.contested.0).cloned().collect();
    let drawn: Vec<Polygon<f64>> = f
        .snapshot()
        .features
        .iter()
        .flat_map(|x| x.geometry.0.iter().cloned())
        .collect();
    let [added] = overlay(&held, &drawn, [OverlayRule::Difference], true);
    if added.0.is_empty() {
        return clips;
    }
    let drawn_at = PolygonIndex::new(&drawn);
    let indexes: Vec<PolygonIndex> = clips.iter().map(PolygonIndex::new).collect();
    let twice = |r: &geo::LineString<f64>| -> f64 { r.0.windows(2).map(|w| w[0].x * w[1].y - w[1].x * w[0].y).sum() };
    let mut given: Vec<Vec<Polygon<f64>>> = vec![Vec::new(); clips.len()];
    for part in added.0 {
        let (mut along, mut bordered) = (vec![0.0f64; clips.len()], 0.0f64);
        let rings = std::iter::once((part.exterior(), true)).chain(part.interiors().iter().map(|h| (h, false)));
        for (ring, exterior) in rings {
            // The outside of an edge is on its right where the ring turns as RFC 7946 says
            // (exterior counterclockwise, holes clockwise), on its left otherwise.
            let side = if (twice(ring) > 0.0) == exterior { 1.0 } else { -1.0 };
            for w in ring.0.windows(2) {
                let (a, b) = (w[0], w[1]);
                let (dx, dy) = (b.x - a.x, b.y - a.y);
                let len = dx.hypot(dy);
                if len == 0.0 {
                    continue;
                }
                let (x, y) = (
                    (a.x + b.x) / 2.0 + side * dy / len * OUTSIDE_DEG,
                    (a.y + b.y) / 2.0 - side * dx / len * OUTSIDE_DEG,
                );
                if !drawn_at.locate(x, y).in_closed() {
                    continue;
                }
                let km = crate::geodesy::distance_km(a, b);
                bordered += km;
                if let Some(i) = indexes.iter().position(|ix| ix.locate(x, y).in_closed()) {
                    along[i] += km;
                }
            }
        }
        let best = along
            .iter()
            .enumerate()
            .max_by(|x, y| x.1.total_cmp(y.1))
            .filter(|(_, km)| **km > bordered / 2.0);
        if let Some((i, _)) = best {
            given[i].push(part);
        }
    }
    for (clip, mut parts) in clips.iter_mut().zip(given) {
        clip.append(&mut parts);
    }
    clips
}

/// Takes `clip` out of the land and the waters of each of `parts`, returning what it took (one
/// multipolygon: the parts are disjoint).
fn take(parts: &mut [&mut Part], clip: &[Polygon<f64>], extent: [f64; 4]) -> MultiPolygon<f64> {
    let mut taken = MultiPolygon(vec![]);
    for p in parts.iter_mut().flat_map(|p| [&mut p.land, &mut p.water]) {
        if p.0.is_empty() {
            continue;
        }
        let (inside, outside) = cut(std::mem::replace(p, MultiPolygon(vec![])), clip, extent);
        taken.0.extend(inside.0);
        *p = outside;
    }
    taken
}

/// The bounding box of polygons, `[min_x, min_y, max_x, max_y]` (`None` when there are none).
fn bbox<'a>(polygons: impl IntoIterator<Item = &'a Polygon<f64>>) -> Option<[f64; 4]> {
    use geo::BoundingRect;
    polygons
        .into_iter()
        .filter_map(|p| p.bounding_rect())
        .map(|r| [r.min().x, r.min().y, r.max().x, r.max().y])
        .reduce(|a, b| [a[0].min(b[0]), a[1].min(b[1]), a[2].max(b[2]), a[3].max(b[3])])
}

fn boxes_meet(a: &[f64; 4], b: &[f64; 4]) -> bool {
    a[0] <= b[2] && b[0] <= a[2] && a[1] <= b[3] && b[1] <= a[3]
}

/// `subject` cut by `clip`: (inside, outside), on the grid of `extent` (the scenario's whole: see
/// `coverage::overlay_within`). Only the polygons of `subject` whose box meets the clip's go
/// through the overlay: the waters' 2,887 cells were all re-cut by every negotiated exclusion,
/// however far from them (fresh tester F1: with the waters, 64 exclusions took twice as long).
/// The others, and a subject the clip takes nothing from, are kept as they were (not re-drawn by
/// the overlay: an exclusion taking 0 km2 leaves the area of application bit for bit).
fn cut(subject: MultiPolygon<f64>, clip: &[Polygon<f64>], extent: [f64; 4]) -> (MultiPolygon<f64>, MultiPolygon<f64>) {
    let none = || MultiPolygon(vec![]);
    let Some(clip_box) = bbox(clip) else {
        return (none(), subject);
    };
    let (near, far): (Vec<Polygon<f64>>, Vec<Polygon<f64>>) = subject
        .0
        .into_iter()
        .partition(|p| bbox([p]).is_some_and(|b| boxes_meet(&b, &clip_box)));
    if near.is_empty() {
        return (none(), MultiPolygon(far));
    }
    let near = MultiPolygon(near);
    let [inside, outside] = overlay_within(
        &near.0,
        clip,
        [OverlayRule::Intersect, OverlayRule::Difference],
        true,
        Some(extent),
    );
    if inside.0.is_empty() {
        let mut kept = near;
        kept.0.extend(far);
        return (none(), kept);
    }
    let mut outside = outside;
    outside.0.extend(far);
    (inside, outside)
}

/// Computes a scenario against a catalog: checks it, then the area of application, the
/// excluded areas by reason, the zones, the withdrawal area and the id.
pub fn compute(cat: &Catalog, s: &Scenario) -> Result<Computed, ScenarioError> {
    compute_within(cat, s, &Limits::default())
}

/// [`compute`] within `limits` (for a scenario sent by anyone): refused when its input is larger
/// than they allow ([`ScenarioError::TooLarge`]), given up past their deadline
/// ([`ScenarioError::DeadlinePassed`]).
pub fn compute_within(cat: &Catalog, s: &Scenario, limits: &Limits) -> Result<Computed, ScenarioError> {
    let checked = check_within(cat, s, limits)?;
    limits.check(|| "reading the document".into())?;
    let s = checked.scenario;
    let waters = s.policy.waters;
    let f = in_force(cat, "ceasefire_date", &s.source, s.ceasefire_date)?;
    let inputs = inputs_of(cat, &s)?;
    let layers = &f.computed().layers;
    let territory_km2 = f.source.border.area_km2
        + if waters {
            f.source.border.waters.as_ref().map_or(0.0, |w| w.area_km2)
        } else {
            0.0
        };
    // Each excluded name's area: a baseline of the geodata (its whole area), or a class the
    // snapshot in force draws (its features of that class; the snapshot is an input already).
    let clips: Vec<Vec<Polygon<f64>>> = s
        .policy
        .excluded_baselines
        .iter()
        .map(|name| match cat.baselines.get(name) {
            Some(b) => b.baseline.geometry.0.clone(),
            None => f
                .snapshot()
                .features
                .iter()
                .filter(|x| x.class.as_deref() == Some(name.as_str()))
                .flat_map(|x| x.geometry.0.iter().cloned())
                .collect(),
        })
        .collect();
    // What the composition adds to the source's drawing next to the area of an excluded name
    // (a baseline beyond its outline, slivers) goes with it, and so the cells of the waters
    // anchored there (fresh tester: 10,280 km2 of Crimea's sea stayed under `occupied` with
    // `occupied_before_2022` excluded).
    let clips = with_what_the_composition_adds(&f, clips);
    let owned = if waters { baseline_cells(&f, &clips) } else { Vec::new() };
    let mut occupied = Part::of_unowned(&f, &layers.occupied, waters, Status::Occupied, &owned);
    let mut contested = Part::of_unowned(&f, &layers.contested, waters, Status::Contested, &owned);
    let mut rest = Part::of_unowned(&f, &layers.covered, waters, Status::Covered, &owned);
    if s.policy.grey_zone == GreyZone::Included {
        rest.land.0.append(&mut contested.land.0);
        rest.water.0.append(&mut contested.water.0);
    }
    // One grid for every cut below (`coverage::overlay_within`): the box of the territory and of
    // everything cut from it.
    let extent = bbox(
        [&occupied, &contested, &rest]
            .iter()
            .flat_map(|p| p.land.0.iter().chain(&p.water.0))
            .chain(clips.iter().flatten())
            .chain(checked.exclusions.iter().flat_map(|e| &e.0)),
    )
    .unwrap_or([0.0; 4]);
    let mut excluded = Vec::new();
    for (i, (name, clip)) in s.policy.excluded_baselines.iter().zip(&clips).enumerate() {
        limits.check(|| format!("policy.excluded_baselines[{i}]"))?;
        let mut area = take(&mut [&mut occupied, &mut contested, &mut rest], clip, extent);
        // The baseline's waters: the cells it owns, whatever their status (as its land is
        // taken from every part), apart from the land as in `Part`.
        if let (Some(w), Some(st)) = (&f.source.border.waters, &f.computed().waters)
            && owned.contains(&Some(i))
        {
            area.0.extend(w.layer_where(st, |c, _| owned[c] == Some(i)).0);
        }
        excluded.push(ExcludedArea {
            reason: Reason::Baseline,
            name: Some(name.clone()),
            area,
        });
    }
    // Each negotiated exclusion takes what is left of the area of application, in the order of
    // the document.
    let mut negotiated = Vec::new();
    for (i, (e, mp)) in s.policy.exclusions.iter().zip(&checked.exclusions).enumerate() {
        limits.check(|| format!("policy.exclusions[{i}]"))?;
        let area = take(&mut [&mut rest], &mp.0, extent);
        negotiated.push(ExcludedArea {
            reason: Reason::Exclusion,
            name: Some(e.name.clone()),
            area,
        });
    }
    excluded.insert(
        0,
        ExcludedArea {
            reason: Reason::Occupied,
            name: None,
            area: occupied.joined(),
        },
    );
    if s.policy.grey_zone == GreyZone::Excluded {
        excluded.insert(
            1,
            ExcludedArea {
                reason: Reason::Contested,
                name: None,
                area: contested.joined(),
            },
        );
    }
    excluded.extend(negotiated);
    let area = rest.joined();

    // Reference lines (one per distinct source and date) and zones.
    let mut refs: Vec<(String, NaiveDate)> = Vec::new();
    let mut ref_states: Vec<(InForce<'_>, Arc<ControlState>)> = Vec::new();
    let mut zones = Vec::new();
    let mut zone_figures = Vec::new();
    let territory: Vec<Polygon<f64>> = {
        let mut t = f.source.border.border.geometry.0.clone();
        if waters && let Some(w) = &f.source.border.waters {
            t.extend(w.waters.cells.iter().flat_map(|c| c.geometry.0.iter().cloned()));
        }
        t
    };
    type Sides = (MultiPolygon<f64>, MultiPolygon<f64>);
    let mut sides: Vec<((usize, u64), Sides)> = Vec::new();
    for (i, z) in s.zones.iter().enumerate() {
        limits.check(|| format!("zones[{i}]"))?;
        let source = z.reference.source.clone().unwrap_or_else(|| s.source.clone());
        let key = (source.clone(), z.reference.date);
        let r = match refs.iter().position(|k| *k == key) {
            Some(r) => r,
            None => {
                let rf = in_force(cat, &format!("zones[{i}].reference.date"), &source, z.reference.date)?;
                refs.push(key);
                ref_states.push((rf, rf.epoch.state.clone()));
                refs.len() - 1
            }
        };
        let rf = ref_states[r].0;
        // Zones of one reference line and width (differing in name or side) share their sides:
        // computed once.
        let key = (r, z.width_km.to_bits());
        let (occ_side, cov_side) = match sides.iter().find(|(k, _)| *k == key) {
            Some((_, sides)) => sides.clone(),
            None => {
                let buffer = zone::zone(&rf.line().lines, z.width_km);
                let [inside] = overlay(&buffer.0, &territory, [OverlayRule::Intersect], true);
                let occ_ref = with_waters(&rf, &rf.computed().layers.occupied, waters, Status::Occupied);
                let computed = split(&inside, &occ_ref.0);
                sides.push((key, computed.clone()));
                computed
            }
        };
        let empty = || MultiPolygon(vec![]);
        let za = ZoneArea {
            covered: if z.side == Side::Occupied { empty() } else { cov_side },
            occupied: if z.side == Side::Covered { empty() } else { occ_side },
        };
        let (c, o) = (area_km2(&za.covered), area_km2(&za.occupied));
        // The grey zone on the covered side (the line is the occupied area's boundary).
        let grey = with_waters(&rf, &rf.computed().layers.contested, waters, Status::Contested);
        // Unknown (null), not 0, where the reference line's source draws no grey zone.
        let covered_side_contested_km2 = if rf.contested_not_drawn().is_some() {
            None
        } else if grey.0.is_empty() || za.covered.0.is_empty() {
            Some(0.0)
        } else {
            let [g] = overlay(&za.covered.0, &grey.0, [OverlayRule::Intersect], true);
            Some(area_km2(&g))
        };
        zone_figures.push(ZoneFigure {
            name: z.name.clone(),
            reference: r,
            side: z.side,
            width_km: z.width_km,
            covered_side_km2: c,
            covered_side_contested_km2,
            occupied_side_km2: o,
            area_km2: c + o,
        });
        zones.push(za);
    }

    let mut withdrawal_figure = None;
    let mut withdrawal_to = None;
    let withdrawal = match s.withdrawal_date {
        None => None,
        Some(d0) => {
            limits.check(|| "withdrawal_date".into())?;
            let w = in_force(cat, "withdrawal_date", &s.source, d0)?;
            // As `/v1/diff` from D0 to the ceasefire date computes its `gained` side: the land,
            // and with the waters in the policy the waters' cells too (the diff's `in_waters`
            // features), each apart as the parts are (`Part`).
            let now = Part::of(&f, &layers.occupied, waters, Status::Occupied);
            let then = Part::of(&w, &w.computed().layers.occupied, waters, Status::Occupied);
            let [land] = overlay(&now.land.0, &then.land.0, [OverlayRule::Difference], true);
            let [water] = overlay(&now.water.0, &then.water.0, [OverlayRule::Difference], true);
            let gained = Part { land, water }.joined();
            withdrawal_figure = Some(WithdrawalFigure {
                to_line_of: AnswerProvenance::new(&w, d0),
                area_km2: area_km2(&gained),
            });
            withdrawal_to = Some((
                w.epoch.state.clone(),
                crate::output::provenance::InForceRef::new(&w).feature(),
            ));
            Some(gained)
        }
    };

    let id = scenario_id(&s, &inputs);
    let reference_lines: Vec<ReferenceFigure> = ref_states
        .iter()
        .zip(&refs)
        .map(|((rf, _), (_, date))| ReferenceFigure {
            provenance: AnswerProvenance::new(rf, *date),
            length_km: rf.line().length_km,
        })
        .collect();
    let synthetic = f.synthetic()
        || ref_states.iter().any(|(rf, _)| rf.synthetic())
        || withdrawal_figure
            .as_ref()
            .is_some_and(|w| w.to_line_of.in_force.synthetic);
    let ceasefire = AnswerProvenance::new(&f, s.ceasefire_date);
    let contested_unknown = f.contested_not_drawn().is_some();
    let answer = ScenarioAnswer {
        id,
        scenario: serde_json::to_value(&s).unwrap_or_default(),
        territory_km2,
        area_of_application_km2: area_km2(&area),
        excluded: excluded
            .iter()
            .map(|e| ExcludedFigure {
                reason: e.reason,
                name: e.name.clone(),
                // The grey zone of a source that draws none is unknown, not empty.
                area_km2: (e.reason != Reason::Contested || !contested_unknown).then(|| area_km2(&e.area)),
            })
            .collect(),
        zones: zone_figures,
        reference_lines,
        withdrawal: withdrawal_figure,
        inputs,
        edges: crate::geodesy::EDGES,
        zone_method: zone::METHOD,
        synthetic,
        ceasefire: ceasefire.clone(),
    };
    let feature_provenance = (
        ceasefire.in_force.feature(),
        ref_states
            .iter()
            .map(|(rf, _)| crate::output::provenance::InForceRef::new(rf).feature())
            .collect(),
    );
    Ok(Computed {
        answer,
        area,
        excluded,
        zones,
        withdrawal,
        references: ref_states.into_iter().map(|(_, st)| st).collect(),
        withdrawal_to,
        feature_provenance,
        scenario: s,
        indexes: OnceLock::new(),
        stored_stamp: std::sync::atomic::AtomicU64::new(0),
    })
}

impl Computed {
    /// The id.
    pub fn id(&self) -> &str {
        &self.answer.id
    }

    fn indexes(&self) -> &Indexes {
        self.indexes.get_or_init(|| Indexes {
            area: PolygonIndex::new(&self.area.0),
            excluded: self.excluded.iter().map(|e| PolygonIndex::new(&e.area.0)).collect(),
            zones: self
                .zones
                .iter()
                .map(|z| (PolygonIndex::new(&z.covered.0), PolygonIndex::new(&z.occupied.0)))
                .collect(),
        })
    }

    /// Where a point lies: in the area of application or which exclusion, which zones, and its
    /// distance to each reference line with the nearest point.
    ///
    /// # Errors
    /// [`CatalogError::InvalidCoordinate`] for a coordinate that is not finite or out of range.
    pub fn point(&self, lon: f64, lat: f64) -> Result<ScenarioPoint, CatalogError> {
        Ok(self.locate(crate::model::LonLat::new(lon, lat)?))
    }

    /// [`Self::point`] at a position already checked (`at`).
    pub fn locate(&self, at: crate::model::LonLat) -> ScenarioPoint {
        let (lon, lat) = (at.lon(), at.lat());
        let ix = self.indexes();
        let in_area = ix.area.locate(lon, lat).in_closed();
        let excluded = if in_area {
            None
        } else {
            ix.excluded
                .iter()
                .position(|e| e.locate(lon, lat).in_closed())
                .map(|i| ExcludedHit {
                    reason: self.excluded[i].reason,
                    name: self.excluded[i].name.clone(),
                })
        };
        let zones = ix
            .zones
            .iter()
            .zip(&self.answer.zones)
            .filter_map(|((c, o), z)| {
                let side = if o.locate(lon, lat).in_closed() {
                    Side::Occupied
                } else if c.locate(lon, lat).in_closed() {
                    Side::Covered
                } else {
                    return None;
                };
                Some(ZoneHit {
                    name: z.name.clone(),
                    side,
                })
            })
            .collect();
        let distances = self
            .references
            .iter()
            .zip(&self.answer.reference_lines)
            .enumerate()
            .map(|(i, (st, r))| {
                let n = st.line().nearest(lon, lat);
                LineDistance {
                    reference: i,
                    source: r.provenance.in_force.source.name.clone(),
                    date: r.provenance.date,
                    // Provenance on every number (fresh tester F5): which content the line is of.
                    snapshot: r.provenance.in_force.snapshot.id.clone(),
                    content_sha256: r.provenance.in_force.snapshot.content_sha256.clone(),
                    distance_km: n.map(|n| n.km),
                    nearest: n.map(|n| [n.point.x, n.point.y]),
                }
            })
            .collect();
        ScenarioPoint {
            scenario: self.answer.id.clone(),
            lon,
            lat,
            in_area_of_application: in_area,
            in_territory: in_area || excluded.is_some(),
            excluded,
            zones,
            distances,
            ceasefire: self.answer.ceasefire.clone(),
        }
    }

    /// The scenario's layers for the vector tile encoder (`query::tiles`): `area` (the area of
    /// application), `excluded` (by reason), `zones` (by zone and side), `withdrawal` (the area
    /// to vacate), `reference_lines` (the lines of contact the zones are measured from) and
    /// `withdrawal_line` (the line of contact of D0): one feature per polygon or line, with the
    /// scenario's id, its figures and the provenance of what it rests on.
    pub fn tile_layers(&self) -> Vec<crate::output::tile_layers::TileLayer> {
        use crate::output::tile_layers::{TileFeature, TileLayer, TileShape};
        let id = &self.answer.id;
        let km2 = |p: &geo::Polygon<f64>| crate::geodesy::polygon_area_m2(p) / 1e6;
        let polygons = |mp: &MultiPolygon<f64>,
                        status: &str,
                        prov: &FeatureProvenance,
                        strings: &[(&'static str, String)],
                        numbers: &[(&'static str, f64)]| {
            mp.0.iter()
                .map(|p| {
                    let mut n = vec![("area_km2", km2(p))];
                    n.extend_from_slice(numbers);
                    let mut s = vec![("scenario", id.clone())];
                    s.extend_from_slice(strings);
                    TileFeature {
                        shape: TileShape::Polygon(p.clone()),
                        status: status.to_string(),
                        provenance: prov.clone(),
                        strings: s,
                        numbers: n,
                    }
                })
                .collect::<Vec<_>>()
        };
        let lines = |st: &ControlState, status: &str, prov: &FeatureProvenance, date: String| {
            st.line()
                .lines
                .0
                .iter()
                .map(|l| TileFeature {
                    shape: TileShape::Line(l.clone()),
                    status: status.to_string(),
                    provenance: prov.clone(),
                    strings: vec![("scenario", id.clone()), ("date", date.clone())],
                    numbers: vec![("length_km", crate::geodesy::length_km(l))],
                })
                .collect::<Vec<_>>()
        };
        let ceasefire = &self.feature_provenance.0;
        let area_fields = vec![("scenario", "String"), ("area_km2", "Number")];
        let mut excluded = Vec::new();
        for e in &self.excluded {
            let reason = serde_json::to_value(e.reason)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default();
            let name = e.name.clone().map(|n| vec![("name", n)]).unwrap_or_default();
            excluded.extend(polygons(&e.area, &reason, ceasefire, &name, &[]));
        }
        let mut zones = Vec::new();
        for (z, fig) in self.zones.iter().zip(&self.answer.zones) {
            let prov = &self.feature_provenance.1[fig.reference];
            for (side, mp) in [("covered", &z.covered), ("occupied", &z.occupied)] {
                let strings = [("name", fig.name.clone()), ("side", side.to_string())];
                zones.extend(polygons(mp, "zone", prov, &strings, &[("width_km", fig.width_km)]));
            }
        }
        let mut references = Vec::new();
        for (i, (st, fig)) in self.references.iter().zip(&self.answer.reference_lines).enumerate() {
            let mut fs = lines(
                st,
                "reference_line",
                &self.feature_provenance.1[i],
                fig.provenance.date.to_string(),
            );
            for f in &mut fs {
                f.numbers.push(("reference", i as f64));
            }
            references.extend(fs);
        }
        let withdrawal_line = match (&self.withdrawal_to, &self.answer.withdrawal) {
            (Some((st, prov)), Some(fig)) => lines(st, "withdrawal_line", prov, fig.to_line_of.date.to_string()),
            _ => Vec::new(),
        };
        vec![
            TileLayer {
                name: "area",
                description: "the area of application of the scenario",
                fields: area_fields,
                features: polygons(&self.area, "area_of_application", ceasefire, &[], &[]),
            },
            TileLayer {
                name: "excluded",
                description: "excluded from the area of application, by reason (status: occupied, contested, baseline, exclusion) and name",
                fields: vec![("scenario", "String"), ("area_km2", "Number"), ("name", "String")],
                features: excluded,
            },
            TileLayer {
                name: "zones",
                description: "security zones, by zone (name) and side of its reference line (covered or occupied), clipped to the border",
                fields: vec![
                    ("scenario", "String"),
                    ("area_km2", "Number"),
                    ("name", "String"),
                    ("side", "String"),
                    ("width_km", "Number"),
                ],
                features: zones,
            },
            TileLayer {
                name: "withdrawal",
                description: "the withdrawal area: occupied on the ceasefire date and not on the withdrawal date D0 (withdrawn_to: the snapshot in force on D0, withdrawn_to_sha256 its content hash)",
                fields: vec![
                    ("scenario", "String"),
                    ("area_km2", "Number"),
                    ("withdrawn_to", "String"),
                    ("withdrawn_to_sha256", "String"),
                ],
                features: match (&self.withdrawal, &self.withdrawal_to) {
                    (Some(w), Some((_, d0))) => polygons(
                        w,
                        "withdrawal",
                        ceasefire,
                        &[
                            ("withdrawn_to", d0.snapshot.clone()),
                            ("withdrawn_to_sha256", d0.content_sha256.clone()),
                        ],
                        &[],
                    ),
                    _ => Vec::new(),
                },
            },
            TileLayer {
                name: "reference_lines",
                description: "the lines of contact the zones are measured from (reference: its index in the scenario's reference_lines)",
                fields: vec![
                    ("scenario", "String"),
                    ("date", "String"),
                    ("length_km", "Number"),
                    ("reference", "Number"),
                ],
                features: references,
            },
            TileLayer {
                name: "withdrawal_line",
                description: "the line of contact of the withdrawal date D0: the line withdrawn to",
                fields: vec![("scenario", "String"), ("date", "String"), ("length_km", "Number")],
                features: withdrawal_line,
            },
        ]
    }

    /// A layer as GeoJSON bytes: one feature per polygon with its area and the provenance of
    /// what it rests on.
    pub fn layer_geojson(&self, layer: ScenarioLayer, precision: u8) -> Result<Vec<u8>, serde_json::Error> {
        use crate::output::geojson::{Feature, FeatureCollection, MultiPolygonGeometry};
        use crate::output::scenario::{ScenarioFeatureProperties, ScenarioLayerMeta};
        let base = |prov: &FeatureProvenance, area: f64| ScenarioFeatureProperties {
            scenario: self.answer.id.clone(),
            layer,
            reason: None,
            name: None,
            side: None,
            width_km: None,
            area_km2: area,
            provenance: prov.clone(),
            withdrawn_to: None,
        };
        let ceasefire = &self.feature_provenance.0;
        let mut features: Vec<(ScenarioFeatureProperties, &MultiPolygon<f64>)> = Vec::new();
        match layer {
            ScenarioLayer::Area => features.push((base(ceasefire, self.answer.area_of_application_km2), &self.area)),
            ScenarioLayer::Excluded => {
                for (e, fig) in self.excluded.iter().zip(&self.answer.excluded) {
                    if e.area.0.is_empty() {
                        continue;
                    }
                    // An excluded area of unknown size (the grey zone of a source that draws
                    // none) is empty, so never drawn.
                    let mut p = base(ceasefire, fig.area_km2.unwrap_or(0.0));
                    p.reason = Some(e.reason);
                    p.name = e.name.clone();
                    features.push((p, &e.area));
                }
            }
            ScenarioLayer::Zones => {
                for (z, fig) in self.zones.iter().zip(&self.answer.zones) {
                    let prov = &self.feature_provenance.1[fig.reference];
                    for (side, mp, km2) in [
                        (Side::Covered, &z.covered, fig.covered_side_km2),
                        (Side::Occupied, &z.occupied, fig.occupied_side_km2),
                    ] {
                        if mp.0.is_empty() {
                            continue;
                        }
                        let mut p = base(prov, km2);
                        p.name = Some(fig.name.clone());
                        p.side = Some(side);
                        p.width_km = Some(fig.width_km);
                        features.push((p, mp));
                    }
                }
            }
            ScenarioLayer::Withdrawal => {
                if let (Some(w), Some(fig)) = (&self.withdrawal, &self.answer.withdrawal) {
                    let mut p = base(ceasefire, fig.area_km2);
                    p.withdrawn_to = self.withdrawal_to.as_ref().map(|(_, prov)| prov.clone());
                    features.push((p, w));
                }
            }
        }
        // Each feature's parts unioned (the parts of one reason or side never overlap nor
        // share an edge), then drawn through the same output step as `/v1/layers` and
        // `/v1/diff` (rounding to the decimals, snap-rounding where that breaks a ring).
        let mut output_check = crate::output::layer::OutputCheck::default();
        // A feature whose every polygon is smaller than the grid of `precision` (an exclusion of
        // a few m2 at 3 decimals) has nothing left to draw: listed, with its exact area, so that
        // the features and the erased ones add up to the figures (as `/v1/diff` does).
        let mut erased = Vec::new();
        let mut drawn: Vec<(ScenarioFeatureProperties, MultiPolygon<f64>)> = Vec::new();
        for (properties, mp) in features {
            let [union] = overlay(&mp.0, &[], [OverlayRule::Subject], true);
            let (d, check) = crate::output::drawable::drawable(&union, None, precision);
            output_check.add(check);
            if d.0.is_empty() {
                erased.push(properties);
            } else {
                drawn.push((properties, d));
            }
        }
        let erased_by_rounding_km2 = erased.iter().map(|p| p.area_km2).sum();
        let fc = FeatureCollection {
            frontline: ScenarioLayerMeta {
                scenario: self.answer.id.clone(),
                layer,
                ceasefire: self.answer.ceasefire.clone(),
                reference_lines: match layer {
                    ScenarioLayer::Zones => self.answer.reference_lines.clone(),
                    _ => Vec::new(),
                },
                withdrawal: match layer {
                    ScenarioLayer::Withdrawal => self.answer.withdrawal.clone(),
                    _ => None,
                },
                inputs: self.answer.inputs.clone(),
                edges: crate::geodesy::EDGES,
                precision,
                output_check,
                erased_by_rounding: erased,
                erased_by_rounding_km2,
            },
            features: drawn
                .iter()
                .enumerate()
                .map(|(id, (properties, mp))| Feature {
                    id,
                    properties: properties.clone(),
                    geometry: MultiPolygonGeometry {
                        polygons: &mp.0,
                        precision,
                    },
                })
                .collect::<Vec<_>>(),
        };
        crate::num::to_vec(&fc)
    }

    /// The diff from this scenario to `other`.
    pub fn diff(&self, other: &Computed) -> ScenarioDiff {
        let [gained, lost] = overlay(
            &other.area.0,
            &self.area.0,
            [OverlayRule::Difference, OverlayRule::InverseDifference],
            true,
        );
        let key = |e: &ExcludedFigure| match &e.name {
            Some(n) => format!("{}:{n}", e.reason.as_str()),
            None => e.reason.as_str().to_string(),
        };
        let rows = |a: Vec<(String, Option<f64>)>, b: Vec<(String, Option<f64>)>| {
            let mut keys: Vec<String> = a.iter().map(|x| x.0.clone()).collect();
            for (k, _) in &b {
                if !keys.contains(k) {
                    keys.push(k.clone());
                }
            }
            keys.into_iter()
                .map(|k| DiffRow {
                    from_km2: a.iter().find(|x| x.0 == k).and_then(|x| x.1),
                    to_km2: b.iter().find(|x| x.0 == k).and_then(|x| x.1),
                    key: k,
                })
                .collect::<Vec<_>>()
        };
        let ex = |c: &Computed| {
            c.answer
                .excluded
                .iter()
                .map(|e| (key(e), e.area_km2))
                .collect::<Vec<_>>()
        };
        let zs = |c: &Computed| {
            c.answer
                .zones
                .iter()
                .map(|z| (z.name.clone(), Some(z.area_km2)))
                .collect::<Vec<_>>()
        };
        ScenarioDiff {
            from: self.answer.id.clone(),
            to: other.answer.id.clone(),
            area_of_application_km2: [
                self.answer.area_of_application_km2,
                other.answer.area_of_application_km2,
            ],
            area_gained_km2: area_km2(&gained),
            area_lost_km2: area_km2(&lost),
            excluded: rows(ex(self), ex(other)),
            zones: rows(zs(self), zs(other)),
            withdrawal_km2: [
                self.answer.withdrawal.as_ref().map(|w| w.area_km2),
                other.answer.withdrawal.as_ref().map(|w| w.area_km2),
            ],
            ceasefire: [self.answer.ceasefire.clone(), other.answer.ceasefire.clone()],
        }
    }
}

/// A stored scenario: `scenarios/<id>.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Stored {
    /// The id.
    pub id: String,
    /// The canonical document.
    pub scenario: Scenario,
    /// The inputs the id covers.
    pub inputs: Vec<StoredInput>,
}

/// An input of a stored scenario.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoredInput {
    /// `snapshot`, `source`, `baseline`, `border`, `waters`.
    pub kind: String,
    /// Its name.
    pub name: String,
    /// Its hash.
    pub sha256: String,
}

/// How long a save waits for another writer.
pub const SAVE_LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

/// Stores a computed scenario through the store (once: an id already stored is left as it is,
/// the same id meaning the same content). Returns true when it was written now.
pub fn save(store: &Store, c: &Computed) -> Result<bool, ScenarioError> {
    let path = store.document_file(DocumentKind::Scenario, c.id())?;
    // Stored before: the same id means the same content, unless the file was damaged since
    // (then its fault is named rather than the scenario said to be stored).
    if path.is_file() {
        read_stored(store, &path)?;
        return Ok(false);
    }
    let stored = Stored {
        id: c.id().to_string(),
        scenario: c.scenario.clone(),
        inputs: c
            .answer
            .inputs
            .iter()
            .map(|i| StoredInput {
                kind: i.kind.to_string(),
                name: i.name.clone(),
                sha256: i.sha256.clone(),
            })
            .collect(),
    };
    let mut bytes = serde_json::to_vec_pretty(&stored).map_err(|e| invalid("(document)", e.to_string()))?;
    bytes.push(b'\n');
    let lock = store.lock("scenario", SAVE_LOCK_WAIT)?;
    // Checked again under the lock: another writer may have stored it meanwhile.
    if path.is_file() {
        return Ok(false);
    }
    lock.write(&[(path, bytes)])?;
    Ok(true)
}

impl Stored {
    /// The id of its content: the hash of the document and of the inputs it records, as
    /// [`scenario_id`] computed it when it was stored.
    pub fn content_id(&self) -> String {
        id_over(
            &self.scenario,
            self.inputs
                .iter()
                .map(|i| (i.kind.as_str(), i.name.as_str(), i.sha256.as_str())),
        )
    }
}

/// What a file of `scenarios/` must be named: `<id>.json`.
const STORED_NAME: &str = "a stored scenario is named <id>.json, its id being 64 lowercase hexadecimal digits";

/// Reads the stored scenario at `path` (in the store's `scenarios/`) and checks that it is one:
/// named `<id>.json`, a stored scenario's JSON, its content hashing to its id member and to its
/// name. Every fault names the file (relative to the geodata directory) and what is wrong.
///
/// # Errors
/// [`ScenarioError::NotFound`] when there is no such file, [`ScenarioError::Unreadable`] and
/// [`ScenarioError::NotItsId`] for a file that is not a stored scenario, [`ScenarioError::Store`]
/// when it cannot be read.
fn read_stored(store: &Store, path: &std::path::Path) -> Result<Stored, ScenarioError> {
    let file = store.relative(path);
    let named = path
        .file_stem()
        .and_then(|s| s.to_str())
        .filter(|s| is_id(s) && path.extension().is_some_and(|x| x == "json"));
    let Some(named) = named else {
        return Err(ScenarioError::Unreadable {
            file,
            why: STORED_NAME.to_string(),
        });
    };
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(ScenarioError::NotFound(named.to_string())),
        Err(error) => {
            return Err(ScenarioError::Store(StoreError::Io {
                what: "cannot read",
                path: file,
                error,
            }));
        }
    };
    let stored: Stored = serde_json::from_slice(&bytes).map_err(|e| ScenarioError::Unreadable {
        file: file.clone(),
        why: format!(
            "not a stored scenario's JSON ({e}); a stored scenario is {{\"id\", \"scenario\", \"inputs\"}} as `POST /v1/scenarios` or `frontline scenario --save` writes it"
        ),
    })?;
    let content = stored.content_id();
    if content != named || stored.id != named {
        let why = if stored.id == content {
            format!(
                "it is named {named} but holds scenario {content} (its id member says so too): renamed? It belongs in scenarios/{content}.json"
            )
        } else if stored.id == named {
            format!(
                "it is named {named}, as its id member says, but its content (document and inputs) hashes to {content}: it was changed after it was stored"
            )
        } else {
            format!(
                "it is named {named}, its id member says {}, and its content (document and inputs) hashes to {content}",
                stored.id
            )
        };
        return Err(ScenarioError::NotItsId { file, why });
    }
    Ok(stored)
}

/// The stored scenarios (`scenarios/*.json`), sorted by ceasefire date then id, and the files
/// there that are not readable stored scenarios, each with what is wrong (a corrupt file, one
/// renamed, one not named `<id>.json`): listed, never left out silently. Hidden names (the
/// store's temporary files) are not files of the store ([`crate::store::is_hidden`]).
///
/// # Errors
/// [`ScenarioError::Store`] when the directory exists but cannot be read.
pub fn list(store: &Store, cat: &Catalog) -> Result<crate::output::scenario::ScenarioList, ScenarioError> {
    use crate::output::scenario::{InputsChanged, ScenarioList, ScenarioListing, UnreadableScenario};
    let dir = store.root().join(DocumentKind::Scenario.dir());
    let entries = match std::fs::read_dir(&dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(ScenarioList::default()),
        Err(error) => {
            return Err(ScenarioError::Store(StoreError::Io {
                what: "cannot list",
                path: store.relative(&dir),
                error,
            }));
        }
    };
    let mut out = ScenarioList::default();
    for e in entries.flatten() {
        let path = e.path();
        if crate::store::is_hidden(&e.file_name().to_string_lossy()) || path.is_dir() {
            continue;
        }
        let st = match read_stored(store, &path) {
            Ok(st) => st,
            // Removed since it was listed: not there.
            Err(ScenarioError::NotFound(_)) => continue,
            Err(error) => {
                tracing::warn!(%error, "not a stored scenario; listed under unreadable");
                out.unreadable.push(UnreadableScenario {
                    file: store.relative(&path),
                    error: error.to_string(),
                });
                continue;
            }
        };
        // The id the document has against the inputs loaded now (as `load` checks): another
        // one when a snapshot, baseline or border it used was replaced; an error when it can no
        // longer be computed (a source or date gone).
        let changed = match check(cat, &st.scenario).and_then(|c| {
            let inputs = inputs_of(cat, &c.scenario)?;
            Ok(scenario_id(&c.scenario, &inputs))
        }) {
            Ok(now) if now == st.id => InputsChanged::default(),
            Ok(now) => InputsChanged {
                inputs_changed: true,
                id_now: Some(now),
                error: None,
            },
            Err(e) => InputsChanged {
                inputs_changed: true,
                id_now: None,
                error: Some(e.to_string()),
            },
        };
        out.scenarios.push(ScenarioListing {
            changed,
            title: st.scenario.title.clone(),
            source: st.scenario.source.clone(),
            ceasefire_date: st.scenario.ceasefire_date,
            withdrawal_date: st.scenario.withdrawal_date,
            zones: st.scenario.zones.len(),
            id: st.id,
        });
    }
    out.scenarios
        .sort_by(|a, b| (a.ceasefire_date, &a.id).cmp(&(b.ceasefire_date, &b.id)));
    out.unreadable.sort_by(|a, b| a.file.cmp(&b.file));
    Ok(out)
}

/// Whether `id` looks like a scenario id (64 lowercase hex digits).
pub fn is_id(id: &str) -> bool {
    id.len() == 64 && id.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// A cheap stamp of a file: its length and modification time mixed into one nonzero number;
/// `None` when there is no such file.
fn file_stamp(path: &std::path::Path) -> Result<Option<u64>, std::io::Error> {
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    let nanos = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos() as u64);
    let mix = |h: u64, v: u64| (h.rotate_left(5) ^ v).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    Ok(Some(mix(mix(0, meta.len()), nanos) | 1))
}

/// Checks, before a computation kept in memory is served again, that the stored scenario it was
/// read from is still there as it was: its file's length and modification time (`file_stamp`,
/// one `stat`) as when it was last read; where they differ, the file is read and checked again as
/// a cold read does it (`read_stored`), so that a file damaged or removed since is answered
/// as it would be after a restart (fresh tester F4: a damaged or deleted file was still served
/// from the cache). A computation not read from the store (one just stored) is stamped on its
/// first check.
///
/// # Errors
/// As [`load`] for its file: [`ScenarioError::NotFound`] (removed), [`ScenarioError::Unreadable`],
/// [`ScenarioError::NotItsId`], [`ScenarioError::Store`].
pub fn check_stored(store: &Store, c: &Computed) -> Result<(), ScenarioError> {
    use std::sync::atomic::Ordering;
    let path = store.document_file(DocumentKind::Scenario, c.id())?;
    let io = |error| {
        ScenarioError::Store(StoreError::Io {
            what: "cannot read",
            path: store.relative(&path),
            error,
        })
    };
    let stamp = file_stamp(&path).map_err(io)?;
    if stamp.is_some_and(|s| s == c.stored_stamp.load(Ordering::Relaxed)) {
        return Ok(());
    }
    read_stored(store, &path)?;
    c.stored_stamp.store(stamp.unwrap_or(0), Ordering::Relaxed);
    Ok(())
}

/// Reads a stored scenario and computes it against `cat`; refuses when its inputs have changed
/// since (the id would no longer mean the same figures).
///
/// # Errors
/// [`ScenarioError::NotFound`] (no such id), [`ScenarioError::Unreadable`] or
/// [`ScenarioError::NotItsId`] (its file is not a stored scenario, or not the one of its name),
/// [`ScenarioError::InputsChanged`], [`ScenarioError::InputsUnavailable`].
pub fn load(store: &Store, cat: &Catalog, id: &str) -> Result<Computed, ScenarioError> {
    if !is_id(id) {
        return Err(ScenarioError::NotFound(id.to_string()));
    }
    let path = store.document_file(DocumentKind::Scenario, id)?;
    // Stamped before it is read: a change while it is read shows at the next check.
    let stamp = file_stamp(&path).ok().flatten().unwrap_or(0);
    let stored = read_stored(store, &path)?;
    // The document was valid when stored: what fails now is the geodata it rests on, not the
    // request (a GET has no document to blame).
    let c = compute(cat, &stored.scenario).map_err(|e| match e {
        ScenarioError::Store(_) => e,
        why => ScenarioError::InputsUnavailable {
            id: id.to_string(),
            why: Box::new(why),
        },
    })?;
    if c.id() != id {
        return Err(ScenarioError::InputsChanged {
            id: id.to_string(),
            now: c.id().to_string(),
        });
    }
    c.stored_stamp.store(stamp, std::sync::atomic::Ordering::Relaxed);
    Ok(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field_of(bytes: &[u8]) -> String {
        match parse(bytes) {
            Err(ScenarioError::Invalid { field, .. }) => field,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn an_error_names_the_member_read_and_what_follows_the_document_names_the_document() {
        let doc = r#"{"source": "example", "ceasefire_date": "2024-06-01"}"#;
        for junk in ["x", "}", " {}", "\n[1]", "\"", "0"] {
            let bytes = format!("{doc}{junk}");
            assert_eq!(field_of(bytes.as_bytes()), "(document)", "{bytes}");
        }
        assert_eq!(
            field_of(br#"{"source": "example", "ceasefire_date": "2024-06-01", "zones": [{"width_km": 1e400}]}"#),
            "zones[0].width_km"
        );
        assert_eq!(field_of(br#"{"source": "example", "source": "other"}"#), "source");
    }
}
