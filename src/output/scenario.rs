//! The shapes of a ceasefire scenario's answers (`/v1/scenarios...`, `frontline scenario`): the
//! figures with the provenance of every input, the layers' `frontline` member and feature
//! properties, the point answer and the diff of two scenarios.

use super::provenance::{AnswerProvenance, FeatureProvenance};
use chrono::NaiveDate;
use serde::Serialize;

/// An input a scenario used, with its content hash: what its id covers.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct ScenarioInput {
    /// `snapshot`, `source`, `baseline`, `border` or `waters`.
    pub kind: &'static str,
    /// `source:YYYY-MM-DD` for a snapshot, the name of a source, the name of a baseline, the
    /// ISO3 of a border.
    pub name: String,
    /// SHA-256: of a snapshot's parsed content, of a source's description as resolved (its
    /// border, baselines, stated classes and time zone: `catalog::description_sha256`), of the
    /// other files' bytes.
    pub sha256: String,
}

/// Why an area is left out of the area of application.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Reason {
    /// Occupied on the ceasefire date.
    Occupied,
    /// Contested (the grey zone) on the ceasefire date, with the grey zone excluded.
    Contested,
    /// A baseline excluded by name (its area, whatever the snapshot says).
    Baseline,
    /// A negotiated exclusion drawn in the scenario.
    Exclusion,
}

impl Reason {
    /// The name used in answers.
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Occupied => "occupied",
            Reason::Contested => "contested",
            Reason::Baseline => "baseline",
            Reason::Exclusion => "exclusion",
        }
    }
}

/// One excluded area of a scenario.
#[derive(Debug, Clone, Serialize)]
pub struct ExcludedFigure {
    /// Why.
    pub reason: Reason,
    /// The baseline's or the exclusion's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Geodesic area, km2 (only what no earlier reason took); `null` for `contested` when the
    /// source draws no grey zone (the ceasefire's `in_force.not_drawn` says why): an area the
    /// source cannot show is unknown, not zero.
    pub area_km2: Option<f64>,
}

/// Which side of a reference line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    /// The side not occupied on the reference date (covered or contested).
    Covered,
    /// The occupied side on the reference date.
    Occupied,
    /// Both sides.
    Both,
}

/// One zone of a scenario.
#[derive(Debug, Clone, Serialize)]
pub struct ZoneFigure {
    /// Its name.
    pub name: String,
    /// Index of its reference line in `reference_lines`.
    pub reference: usize,
    /// The side(s) it covers.
    pub side: Side,
    /// Width on each side covered, km.
    pub width_km: f64,
    /// Area on the covered side (inside the territory), km2; 0 when that side is not covered.
    /// The covered side is the side of the line that is not occupied on the reference date (the
    /// line of contact is the occupied area's boundary), so it holds the grey zone there too.
    pub covered_side_km2: f64,
    /// Of `covered_side_km2`, the part in the grey zone (contested) on the reference date, km2;
    /// `null` when the reference line's source draws no grey zone (its `not_drawn` says why).
    pub covered_side_contested_km2: Option<f64>,
    /// Area on the occupied side, km2; 0 when that side is not covered.
    pub occupied_side_km2: f64,
    /// The two together, km2.
    pub area_km2: f64,
}

/// A reference line of a scenario: the line of contact of a source on a date.
#[derive(Debug, Clone, Serialize)]
pub struct ReferenceFigure {
    /// The date asked for and what was in force.
    #[serde(flatten)]
    pub provenance: AnswerProvenance,
    /// Its geodesic length, km.
    pub length_km: f64,
}

/// The withdrawal area: occupied on the ceasefire date and not on D0.
#[derive(Debug, Clone, Serialize)]
pub struct WithdrawalFigure {
    /// D0 and what was in force then.
    pub to_line_of: AnswerProvenance,
    /// Geodesic area, km2 (the `gained` side of `/v1/diff` from D0 to the ceasefire date, with
    /// its slivers).
    pub area_km2: f64,
}

/// The figures of a scenario: `GET /v1/scenarios/{id}`, the preview, the CLI.
#[derive(Debug, Clone, Serialize)]
pub struct ScenarioAnswer {
    /// SHA-256 of the canonical scenario and the hashes of every input.
    pub id: String,
    /// The scenario in canonical form.
    pub scenario: serde_json::Value,
    /// The ceasefire date and what was in force then.
    pub ceasefire: AnswerProvenance,
    /// Area of the territory measured (the border's land, and its waters where the policy
    /// includes them), km2.
    pub territory_km2: f64,
    /// Area of the area of application, km2.
    pub area_of_application_km2: f64,
    /// The excluded areas by reason; with the area of application they partition the territory.
    pub excluded: Vec<ExcludedFigure>,
    /// The zones.
    pub zones: Vec<ZoneFigure>,
    /// The reference lines the zones are measured from.
    pub reference_lines: Vec<ReferenceFigure>,
    /// The withdrawal area, where the scenario has a D0.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub withdrawal: Option<WithdrawalFigure>,
    /// Every input with its hash (what the id covers), sorted.
    pub inputs: Vec<ScenarioInput>,
    /// How edges are taken and measured.
    pub edges: &'static str,
    /// How zones are built.
    pub zone_method: &'static str,
    /// True if any input is synthetic.
    pub synthetic: bool,
}

/// Which layer of a scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ScenarioLayer {
    /// The area of application.
    Area,
    /// The excluded areas, one feature per reason.
    Excluded,
    /// The zones, one feature per zone and side.
    Zones,
    /// The withdrawal area.
    Withdrawal,
}

impl ScenarioLayer {
    /// Parses a path segment.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "area" => Some(Self::Area),
            "excluded" => Some(Self::Excluded),
            "zones" => Some(Self::Zones),
            "withdrawal" => Some(Self::Withdrawal),
            _ => None,
        }
    }
}

/// The `frontline` member of a scenario layer.
#[derive(Debug, Clone, Serialize)]
pub struct ScenarioLayerMeta {
    /// The scenario's id.
    pub scenario: String,
    /// The layer.
    pub layer: ScenarioLayer,
    /// The ceasefire date and what was in force.
    pub ceasefire: AnswerProvenance,
    /// The reference lines the zones are measured from (the `zones` layer; empty on the others):
    /// each with its date, the snapshot in force and its length.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub reference_lines: Vec<ReferenceFigure>,
    /// D0 and the snapshot in force on it, with the withdrawal's area (the `withdrawal` layer):
    /// the area is the difference of two snapshots, and both are named.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub withdrawal: Option<WithdrawalFigure>,
    /// Every input with its hash.
    pub inputs: Vec<ScenarioInput>,
    /// How edges are taken and measured.
    pub edges: &'static str,
    /// Decimals of the coordinates.
    pub precision: u8,
    /// What was done to make the drawn polygons valid (as `/v1/layers`' `output_check`).
    pub output_check: super::layer::OutputCheck,
    /// The features that rounding to `precision` erased (every polygon smaller than its grid):
    /// not drawn, listed with their properties and exact areas.
    pub erased_by_rounding: Vec<ScenarioFeatureProperties>,
    /// Their area, km2: the features drawn and these add up to the figures.
    pub erased_by_rounding_km2: f64,
}

/// The properties of one feature of a scenario layer.
#[derive(Debug, Clone, Serialize)]
pub struct ScenarioFeatureProperties {
    /// The scenario's id.
    pub scenario: String,
    /// The layer.
    pub layer: ScenarioLayer,
    /// The reason (excluded layer).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<Reason>,
    /// The baseline's, exclusion's or zone's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The side (zones layer).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub side: Option<Side>,
    /// The width, km (zones layer).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub width_km: Option<f64>,
    /// Geodesic area of this feature, km2.
    pub area_km2: f64,
    /// The snapshot it rests on (the reference line's for a zone, the ceasefire's otherwise).
    #[serde(flatten)]
    pub provenance: FeatureProvenance,
    /// The withdrawal layer's feature: the snapshot of D0 (the line withdrawn to), the other
    /// snapshot the area rests on (occupied in `snapshot` and not in this one).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub withdrawn_to: Option<FeatureProvenance>,
}

/// A zone holding a point.
#[derive(Debug, Clone, Serialize)]
pub struct ZoneHit {
    /// The zone's name.
    pub name: String,
    /// The side the point is on.
    pub side: Side,
}

/// The distance from a point to a reference line.
#[derive(Debug, Clone, Serialize)]
pub struct LineDistance {
    /// Index in `reference_lines`.
    pub reference: usize,
    /// The source.
    pub source: String,
    /// The date asked for.
    pub date: NaiveDate,
    /// The snapshot whose line of contact this is (the one in force on `date`): `source:YYYY-MM-DD`.
    pub snapshot: String,
    /// SHA-256 of that snapshot's parsed content (as in the scenario's `inputs`).
    pub content_sha256: String,
    /// Geodesic distance (WGS84), km; `null` when the line is empty.
    pub distance_km: Option<f64>,
    /// The nearest point of the line `[lon, lat]`.
    pub nearest: Option<[f64; 2]>,
}

/// `GET /v1/scenarios/{id}/point`.
#[derive(Debug, Clone, Serialize)]
pub struct ScenarioPoint {
    /// The scenario's id.
    pub scenario: String,
    /// The point.
    pub lon: f64,
    /// The point.
    pub lat: f64,
    /// Inside the area of application (closed: a point on its boundary is inside).
    pub in_area_of_application: bool,
    /// Inside the territory measured.
    pub in_territory: bool,
    /// The exclusion that holds it, where one does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub excluded: Option<ExcludedHit>,
    /// The zones that hold it.
    pub zones: Vec<ZoneHit>,
    /// The distance to each reference line.
    pub distances: Vec<LineDistance>,
    /// The ceasefire date and what was in force.
    pub ceasefire: AnswerProvenance,
}

/// The exclusion that holds a point.
#[derive(Debug, Clone, Serialize)]
pub struct ExcludedHit {
    /// Why.
    pub reason: Reason,
    /// The baseline's or exclusion's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// `GET /v1/scenarios/{id}/diff/{other}`: what changes from one scenario to another.
#[derive(Debug, Clone, Serialize)]
pub struct ScenarioDiff {
    /// The first scenario's id.
    pub from: String,
    /// The second scenario's id.
    pub to: String,
    /// Area of application of each, km2.
    pub area_of_application_km2: [f64; 2],
    /// Area in the second's area of application and not the first's, km2.
    pub area_gained_km2: f64,
    /// Area in the first's area of application and not the second's, km2.
    pub area_lost_km2: f64,
    /// Per reason (and name): the excluded area of each, km2.
    pub excluded: Vec<DiffRow>,
    /// Per zone name: the area of each, km2.
    pub zones: Vec<DiffRow>,
    /// Withdrawal area of each, km2 (null without a D0).
    pub withdrawal_km2: [Option<f64>; 2],
    /// The ceasefire provenance of each.
    pub ceasefire: [AnswerProvenance; 2],
}

/// One row of a scenario diff.
#[derive(Debug, Clone, Serialize)]
pub struct DiffRow {
    /// `reason` or `reason:name` for exclusions, the zone's name for zones.
    pub key: String,
    /// The first scenario's figure (null where it has none, or where it is unknown: the
    /// contested area of a source without a grey zone).
    pub from_km2: Option<f64>,
    /// The second's.
    pub to_km2: Option<f64>,
}

/// One stored scenario as listed by `GET /v1/scenarios`: what a person picks it by.
#[derive(Debug, Clone, Serialize)]
pub struct ScenarioListing {
    /// Its id.
    pub id: String,
    /// Its title (a preset's citation), where it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The source of control.
    pub source: String,
    /// The ceasefire date.
    pub ceasefire_date: NaiveDate,
    /// D0, where it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub withdrawal_date: Option<NaiveDate>,
    /// How many zones it draws.
    pub zones: usize,
    /// Whether its inputs changed since it was stored, and its id now.
    #[serde(flatten)]
    pub changed: InputsChanged,
}

/// `GET /v1/scenarios`: the stored scenarios, and the files of the store's `scenarios/` that
/// are not readable stored scenarios (listed with what is wrong, never left out silently).
#[derive(Debug, Clone, Default, Serialize)]
pub struct ScenarioList {
    /// The stored scenarios, sorted by ceasefire date then id.
    pub scenarios: Vec<ScenarioListing>,
    /// The files that are not stored scenarios (corrupt, renamed, misnamed), sorted by name.
    pub unreadable: Vec<UnreadableScenario>,
}

/// A file of the store's `scenarios/` that is not a readable stored scenario.
#[derive(Debug, Clone, Serialize)]
pub struct UnreadableScenario {
    /// The file, relative to the geodata directory (`scenarios/<name>`).
    pub file: String,
    /// What is wrong with it.
    pub error: String,
}

/// Whether a stored scenario's inputs changed ([`ScenarioListing::changed`]).
#[derive(Debug, Clone, Default, Serialize)]
pub struct InputsChanged {
    /// True when the document no longer gives its id against the loaded inputs (a snapshot,
    /// baseline or border it used was replaced, or a source or date is gone): `GET` of the id
    /// is then a 409 `scenario-inputs-changed`.
    pub inputs_changed: bool,
    /// The id the same document has now, where its inputs changed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_now: Option<String>,
    /// Why it cannot be computed any more, where it cannot.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}
