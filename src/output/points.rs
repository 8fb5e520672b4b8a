//! The members added to the properties of the caller's Point features by `POST /v1/classify`
//! and `POST /v1/history` (GeoJSON bodies): the caller's own properties and foreign members are
//! kept, these are set beside them. Which members each answer writes is read from these structs
//! themselves ([`classified_members`], [`history_members`]), so that a property of the input
//! named like one is refused (`query::geojson`) instead of silently overwritten, and a member
//! added to an answer is reserved at once.

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

/// Every member a classification can write into a feature's properties, sorted: the members of
/// a [`ClassifiedProperties`] with each optional one present (`on_boundary`, `in_waters`, the
/// distance members), serialised, so that the list is the struct's own.
pub fn classified_members() -> &'static [String] {
    static MEMBERS: std::sync::LazyLock<Vec<String>> = std::sync::LazyLock::new(|| {
        members_of(&ClassifiedProperties {
            status: Status::Covered,
            on_boundary: true,
            in_waters: true,
            line_of_contact_km: Some(0.0),
            line_of_contact_nearest: Some([0.0, 0.0]),
            date: NaiveDate::MIN,
            provenance: &every_provenance_member(),
        })
    });
    &MEMBERS
}

/// Every member a history writes into a feature's properties, sorted: the members of a
/// [`HistoryProperties`], serialised (the intervals, each with its own `status` and `snapshot`,
/// are nested inside `history`).
pub fn history_members() -> &'static [String] {
    static MEMBERS: std::sync::LazyLock<Vec<String>> = std::sync::LazyLock::new(|| {
        members_of(&HistoryProperties {
            history: &(),
            provenance: &every_provenance_member(),
        })
    });
    &MEMBERS
}

/// A [`FeatureProvenance`] (every member present: none is optional).
fn every_provenance_member() -> FeatureProvenance {
    FeatureProvenance {
        source: String::new(),
        snapshot: String::new(),
        snapshot_date: NaiveDate::MIN,
        content_sha256: String::new(),
        synthetic: false,
    }
}

/// The names of the members `props` serialises to (empty if it is not an object).
fn members_of<P: Serialize>(props: &P) -> Vec<String> {
    match serde_json::to_value(props) {
        Ok(serde_json::Value::Object(m)) => {
            let mut names: Vec<String> = m.into_iter().map(|(k, _)| k).collect();
            names.sort();
            names
        }
        _ => Vec::new(),
    }
}

/// Sets each member of `props` (a struct serialising to an object) in the properties of a
/// GeoJSON feature, creating `properties` where it is absent or null (properties of another
/// type are replaced). The batch reader has already refused a feature whose properties are not
/// an object or null, or name a member the answer writes (`query::geojson`), so nothing the
/// caller sent is lost here.
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The lists are what the answers write: every member of a classification with its optional
    /// members present, and of a history, whose intervals stay nested in `history`.
    #[test]
    fn the_member_lists_are_the_answers_own() {
        let c = classified_members();
        for m in [
            "status",
            "snapshot",
            "on_boundary",
            "in_waters",
            "line_of_contact_km",
            "line_of_contact_nearest",
            "date",
            "source",
            "snapshot_date",
            "content_sha256",
            "synthetic",
        ] {
            assert!(c.iter().any(|x| x == m), "{m} not in {c:?}");
        }
        assert_eq!(c.len(), 11, "{c:?}");
        let h = history_members();
        assert_eq!(
            h,
            [
                "content_sha256",
                "history",
                "snapshot",
                "snapshot_date",
                "source",
                "synthetic"
            ]
        );
        // What set_properties writes is within the list.
        let mut f = serde_json::json!({"type": "Feature", "properties": null});
        let p = every_provenance_member();
        let props = ClassifiedProperties {
            status: Status::Occupied,
            on_boundary: false,
            in_waters: false,
            line_of_contact_km: None,
            line_of_contact_nearest: None,
            date: NaiveDate::MIN,
            provenance: &p,
        };
        set_properties(&mut f, &props).unwrap();
        let written = f["properties"].as_object().unwrap();
        assert_eq!(written.len(), 7, "{written:?}");
        assert!(written.keys().all(|k| c.contains(k)));
    }
}
