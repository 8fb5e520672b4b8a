//! Layers handed to the vector tile encoder (`query::tiles`) by a part of the engine that does
//! not sit below it (ceasefire scenarios, beside `query`): named layers of polygons and lines,
//! each feature with its `status`, the provenance every feature carries, and its own
//! properties. The encoder projects, clips and encodes them as it does the state's layers.

use super::FeatureProvenance;
use geo::{LineString, Polygon};

/// The geometry of one feature.
#[derive(Debug, Clone)]
pub enum TileShape {
    /// A polygon (with its holes).
    Polygon(Polygon<f64>),
    /// A line.
    Line(LineString<f64>),
}

/// One feature of a tile layer.
#[derive(Debug, Clone)]
pub struct TileFeature {
    /// Its geometry.
    pub shape: TileShape,
    /// The `status` property: what it is (`area_of_application`, a reason, `zone`, ...).
    pub status: String,
    /// What it rests on.
    pub provenance: FeatureProvenance,
    /// Its other text properties.
    pub strings: Vec<(&'static str, String)>,
    /// Its numeric properties (`area_km2`, `length_km`, `width_km`).
    pub numbers: Vec<(&'static str, f64)>,
}

/// One named layer.
#[derive(Debug, Clone)]
pub struct TileLayer {
    /// The layer's name in the tiles.
    pub name: &'static str,
    /// What it shows (the TileJSON's `vector_layers` description).
    pub description: &'static str,
    /// The properties beyond `status` and provenance, with their TileJSON types (`String`,
    /// `Number`).
    pub fields: Vec<(&'static str, &'static str)>,
    /// Its features.
    pub features: Vec<TileFeature>,
}
