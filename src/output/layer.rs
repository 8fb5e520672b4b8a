//! The shapes of a map layer answer (`GET /v1/layers/{layer}`): the `frontline` member and the
//! properties of each feature.

use super::provenance::{AnswerProvenance, FeatureProvenance};
use chrono::NaiveDate;
use serde::Serialize;

/// Which layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LayerKind {
    /// The area of application: the border minus occupied and contested.
    Coverage,
    /// Occupied inside the border.
    Occupied,
    /// Contested inside the border, not occupied.
    Contested,
    /// The line of contact.
    Line,
}

impl LayerKind {
    /// Parses a path segment.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "coverage" => Some(Self::Coverage),
            "occupied" => Some(Self::Occupied),
            "contested" => Some(Self::Contested),
            "line" => Some(Self::Line),
            _ => None,
        }
    }

    /// The name used in paths and answers.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Coverage => "coverage",
            Self::Occupied => "occupied",
            Self::Contested => "contested",
            Self::Line => "line",
        }
    }
}

/// The `frontline` member of a layer: the same for every layer, the line adding its length and
/// what it left out.
#[derive(Debug, Clone, Serialize)]
pub struct LayerMeta {
    /// The layer.
    pub layer: LayerKind,
    /// The date asked for and what was in force (the one provenance shape).
    #[serde(flatten)]
    pub provenance: AnswerProvenance,
    /// First day of the epoch in force (the snapshot date, or a later baseline change).
    pub epoch_from: NaiveDate,
    /// Area of the whole polygon layer (before bbox and simplification), km2; absent for the
    /// line; `null` for the contested layer of a source that draws no grey zone (the reason in
    /// `not_drawn`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub area_km2: Option<Option<f64>>,
    /// Geodesic length of the whole line of contact, km; absent for the polygon layers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub length_km: Option<f64>,
    /// What the line left out, km per reason; absent for the polygon layers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub left_out: Option<crate::index::line::LeftOut>,
    /// The rule that decided the line; absent for the polygon layers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<&'static str>,
    /// Whether this is the raw composition (without the sliver rule).
    pub raw: bool,
    /// What the sliver rule moved (absent for the raw composition and the line).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub moved: Option<crate::index::slivers::Moved>,
    /// How edges are taken and measured ([`crate::geodesy::EDGES`]).
    pub edges: &'static str,
    /// What was done to make the drawn polygons valid; absent for the line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output_check: Option<OutputCheck>,
    /// The bbox asked for.
    pub bbox: Option<[f64; 4]>,
    /// The simplification tolerance asked for, metres.
    pub simplify_m: Option<f64>,
    /// Decimals of the coordinates.
    pub precision: u8,
}

/// The properties of one feature of a layer.
#[derive(Debug, Clone, Serialize)]
pub struct LayerProperties<'a> {
    /// The layer.
    pub layer: LayerKind,
    /// The date asked for.
    pub date: NaiveDate,
    /// Area of this polygon as drawn, km2 (polygon layers only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub area_km2: Option<f64>,
    /// Geodesic length of this line, km (line layer only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub length_km: Option<f64>,
    /// What it rests on.
    #[serde(flatten)]
    pub provenance: &'a FeatureProvenance,
}

/// What was done to make a drawn layer valid (the `output_check` member of its answer).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct OutputCheck {
    /// Whether rounding to the decimals asked for (or simplifying) made a polygon invalid, so
    /// that the layer was snap-rounded to the grid of those decimals (union of positive winding).
    pub snapped: bool,
    /// Polygons dropped because they were still invalid after that (none is expected).
    pub dropped_polygons: usize,
    /// Their area, km2.
    pub dropped_km2: f64,
    /// Holes that were still invalid after snap-rounding (a hole crossing its shell or another
    /// hole on the grid) and were filled so that their polygon could be kept: the polygon is
    /// drawn without them.
    pub filled_holes: usize,
    /// Their area, km2 (drawn as part of their polygon although the exact layer leaves it out).
    pub filled_km2: f64,
}

impl OutputCheck {
    /// Adds what another drawing step did (one layer drawn as several features).
    pub fn add(&mut self, other: OutputCheck) {
        self.snapped |= other.snapped;
        self.dropped_polygons += other.dropped_polygons;
        self.dropped_km2 += other.dropped_km2;
        self.filled_holes += other.filled_holes;
        self.filled_km2 += other.filled_km2;
    }
}
