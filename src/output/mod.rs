//! The shapes of every answer, in one place: typed serde structs for the JSON and GeoJSON
//! answers, the one provenance shape they share, and the CSV writer.
//!
//! Sits above the catalog and below the analytics and queries that build answers, so that none
//! of them reaches into another for a shared shape. The engine (`query`, `analytics`) fills
//! these structs; the edges (`http`, `cli`) serialise them. Nothing assembles JSON by hand:
//! GeoJSON goes through [`geojson`]'s typed FeatureCollection and geometries, provenance
//! through [`provenance`].

pub mod answers;
pub mod coverage_simplify;
pub mod csv;
pub mod diff;
pub mod drawable;
pub mod geojson;
pub mod layer;
pub mod points;
pub mod provenance;
pub mod scenario;
pub mod tile_layers;

pub use provenance::{AnswerProvenance, BaselineRef, BorderRef, FeatureProvenance, InForceRef, SnapshotRef};
