//! The members added to the properties of the caller's Point features by `POST /v1/classify`
//! and `POST /v1/history` (GeoJSON bodies): the caller's own properties and foreign members are
//! kept, these are set beside them.

use super::provenance::FeatureProvenance;
use crate::model::Status;
use chrono::NaiveDate;
use serde::Serialize;

/// What classification adds to a Point feature's properties.
#[derive(Debug, Clone, Serialize)]
pub struct ClassifiedProperties<'a> {
    /// The status.
    pub status: Status,
    /// True when the point lies exactly on the deciding boundary (absent otherwise).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub on_boundary: bool,
    /// True when the point lies in the territorial sea or internal waters (absent otherwise).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub in_waters: bool,
    /// Geodesic distance to the line of contact, km (when asked for and there is a line).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line_of_contact_km: Option<f64>,
    /// The nearest point of the line of contact, `[lon, lat]` (with `line_of_contact_km`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line_of_contact_nearest: Option<[f64; 2]>,
    /// The date asked for.
    pub date: NaiveDate,
    /// What it rests on (`snapshot` is the id of the snapshot in force).
    #[serde(flatten)]
    pub provenance: &'a FeatureProvenance,
}

/// What a history adds to a Point feature's properties.
#[derive(Debug, Clone, Serialize)]
pub struct HistoryProperties<'a, H: Serialize> {
    /// The intervals of the point's status.
    pub history: &'a H,
    /// What it rests on: the source and its latest snapshot (through which every history runs);
    /// the snapshots of each interval are named in the intervals.
    #[serde(flatten)]
    pub provenance: &'a FeatureProvenance,
}

/// Sets each member of `props` (a struct serialising to an object) in the properties of a
/// GeoJSON feature, creating `properties` where it is absent or null; members the caller sent
/// under the same names are replaced.
///
/// # Errors
/// If `props` does not serialise to a JSON object.
pub fn set_properties<P: Serialize>(feature: &mut serde_json::Value, props: &P) -> Result<(), serde_json::Error> {
    use serde::ser::Error;
    let serde_json::Value::Object(add) = serde_json::to_value(props)? else {
        return Err(serde_json::Error::custom("feature properties must be an object"));
    };
    let Some(obj) = feature.as_object_mut() else {
        return Ok(());
    };
    let entry = obj
        .entry("properties")
        .or_insert_with(|| serde_json::Value::Object(serde_json::Map::new()));
    if !entry.is_object() {
        *entry = serde_json::Value::Object(serde_json::Map::new());
    }
    if let Some(map) = entry.as_object_mut() {
        map.extend(add);
    }
    Ok(())
}
