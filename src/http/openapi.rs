//! The OpenAPI 3.1 description of the HTTP API, served at `/openapi.json`. A test compares it
//! with the live server: the paths with the route table the server routes by (served at `/`),
//! the methods with `Allow` and the answers of each method, the statuses with those documented.

use serde_json::{Value, json};

fn param(name: &str, required: bool, schema: Value, description: &str) -> Value {
    json!({"name": name, "in": "query", "required": required, "schema": schema, "description": description})
}

fn path_param(name: &str, description: &str) -> Value {
    json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}, "description": description})
}

fn problems(codes: &[&str]) -> Value {
    let mut m = serde_json::Map::new();
    for c in codes {
        m.insert(
            (*c).to_string(),
            json!({"description": "problem details (RFC 9457)",
                   "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}),
        );
    }
    Value::Object(m)
}

fn merge(mut a: Value, b: Value) -> Value {
    if let (Some(a), Value::Object(b)) = (a.as_object_mut(), b) {
        a.extend(b);
    }
    a
}

/// The one provenance shape, as JSON Schema (`components.schemas`): `InForce` is what every
/// answer about a date carries (flattened into point answers, in the `frontline` member of
/// GeoJSON answers beside `date`, once per side of a diff), `FeatureProvenance` the members in
/// every GeoJSON feature's properties. A test checks them against the serialised structs.
pub fn provenance_schemas() -> Value {
    let date = json!({"type": "string", "format": "date"});
    let sha = json!({"type": "string", "pattern": "^[0-9a-f]{64}$"});
    let file = json!({"$ref": "#/components/schemas/FileProvenance"});
    json!({
        "FileProvenance": {"type": "object", "description": "a file: named relative to the geodata directory (an archive read in place: archive:<source>/<file>), never by an absolute server path",
            "properties": {"file": {"type": "string"}, "sha256": sha, "origin": {"type": "string", "description": "publisher, version, licence, where the file says"}},
            "required": ["file", "sha256"]},
        "SnapshotRef": {"type": "object", "properties": {
            "id": {"type": "string", "description": "source:YYYY-MM-DD (source:YYYY-MM-DD@instant for a publication superseded later its day)"}, "date": date, "content_sha256": sha,
            "published_at": {"type": "string", "format": "date-time", "description": "the instant the source published it, where known"},
            "provenance": file, "synthetic": {"type": "boolean"},
            "revised": {"type": "boolean", "description": "true when this content replaced an earlier one: for the date's snapshot, an earlier content of its file or of its day's dated file; for a publication answered by datetime=, an earlier content of that instant (kept in the source's .history/; content_sha256 names the content used; known_at= answers with what was current at an instant)"}},
            "required": ["id", "date", "content_sha256", "provenance", "synthetic", "revised"]},
        "BaselineRef": {"type": "object", "properties": {
            "name": {"type": "string"}, "status": {"type": "string", "enum": ["occupied", "contested"]},
            "valid_from": date, "valid_to": {"type": ["string", "null"], "format": "date"}, "provenance": file},
            "required": ["name", "status", "valid_from", "valid_to", "provenance"]},
        "BorderRef": {"type": "object", "properties": {"iso3": {"type": "string"}, "provenance": file,
            "waters": {"$ref": "#/components/schemas/FileProvenance", "description": "its territorial sea and internal waters, where it has them"}}, "required": ["iso3", "provenance"]},
        "InForce": {"type": "object", "description": "everything in force for a source on a date",
            "properties": {
                "source": {"type": "string"},
                "snapshot": {"$ref": "#/components/schemas/SnapshotRef"},
                "snapshot_date": {"type": "string", "format": "date", "description": "the date of the snapshot in force (the date asked for is always `date`)"},
                "time_zone": {"type": "string", "description": "the IANA time zone the source's dates are days of (default Europe/Kyiv)"},
                "baselines": {"type": "array", "items": {"$ref": "#/components/schemas/BaselineRef"}},
                "border": {"$ref": "#/components/schemas/BorderRef"},
                "synthetic": {"type": "boolean", "description": "true if any data used is made up"},
                "classes": {"type": "array", "items": {"$ref": "#/components/schemas/DrawnClass"}, "description": "the classes of area the source draws"},
                "not_drawn": {"$ref": "#/components/schemas/NotDrawn"},
                "licence": {"type": "string", "description": "the licence of the source's data, from its description (PUT /v1/sources/{name})"},
                "attribution": {"type": "string", "description": "the attribution to show with the source's data"},
                "source_url": {"type": "string", "format": "uri", "description": "where the source publishes"}},
            "required": ["source", "snapshot", "snapshot_date", "time_zone", "baselines", "border", "synthetic", "classes"]},
        "SourceTerms": {"type": "object", "description": "a source and the terms its data comes with, in every answer that uses it (flattened beside the answer's members, or listed as source_terms; as x-frontline-* headers on CSV answers)",
            "properties": {
                "source": {"type": "string"},
                "time_zone": {"type": "string", "description": "the IANA time zone the source's dates are days of (default Europe/Kyiv)"},
                "licence": {"type": "string", "description": "the licence of the source's data, from its description (absent when it states none)"},
                "attribution": {"type": "string", "description": "the attribution to show with the source's data (absent when its description states none)"},
                "source_url": {"type": "string", "format": "uri", "description": "where the source publishes"}},
            "required": ["source", "time_zone"]},
        "SourceDescription": {"type": "object", "additionalProperties": false, "description": "a source's description (its source.json); a bad member is a 422 problem whose parameter names it",
            "properties": {
                "licence": {"type": "string", "minLength": 1, "description": "the licence of its data; carried by every answer that uses it"},
                "attribution": {"type": "string", "minLength": 1, "description": "the attribution to show with its data; carried by every answer"},
                "url": {"type": "string", "format": "uri", "description": "where it publishes: an absolute http or https URL"},
                "time_zone": {"type": "string", "description": "the IANA time zone its dates are days of (default Europe/Kyiv)"},
                "baselines": {"type": "array", "items": {"type": "string"}, "description": "loaded baselines it composes with"},
                "border": {"type": "string", "description": "ISO3 of a loaded border (required when several are loaded)"},
                "classes": {"type": "array", "items": {"$ref": "#/components/schemas/DrawnClass"}},
                "description": {"type": "string"}},
            "required": ["licence", "attribution"]},
        "DrawnClass": {"type": "string", "enum": ["occupied", "contested", "liberated", "before-2022"]},
        "NotDrawn": {"type": "object", "description": "what the answer cannot show because the source does not draw it, with the reason (absent when it can show everything): its areas are null, never 0",
            "properties": {"contested": {"type": "string", "description": "why there is no grey zone"}}, "required": ["contested"]},
        "AnswerProvenance": {"description": "the date asked for and what was in force then",
            "allOf": [{"$ref": "#/components/schemas/InForce"},
                {"type": "object", "properties": {"date": {"type": "string", "format": "date", "description": "the date asked for"},
                    "datetime": {"type": "string", "format": "date-time", "description": "the instant asked for (datetime=), when one was"},
                    "snapshot_age_days": {"type": "integer", "description": "days from the snapshot in force to the date asked for"},
                    "warning": {"type": "string", "description": "present when the snapshot in force is more than 31 days older than the date asked for: why (the source ends earlier, or has a gap)"}},
                    "required": ["date", "snapshot_age_days"]}]},
        "FeatureProvenance": {"type": "object", "description": "in the properties of every feature of every GeoJSON answer (GDAL, geopandas and QGIS drop foreign members)",
            "properties": {
                "source": {"type": "string"},
                "snapshot": {"type": "string", "description": "id of the snapshot in force"},
                "snapshot_date": {"type": "string", "format": "date"},
                "content_sha256": sha,
                "synthetic": {"type": "boolean"}},
            "required": ["source", "snapshot", "snapshot_date", "content_sha256", "synthetic"]},
        "BorderFeatureProperties": {"type": "object", "description": "the properties of each polygon of GET /v1/border: the border is no snapshot, so its provenance is the border file's",
            "properties": {
                "iso3": {"type": "string"},
                "area_km2": {"type": "number", "description": "geodesic area of the polygon (as drawn where the border had to be snap-rounded at the decimals asked for)"},
                "file": {"type": "string", "description": "the border file, relative to the geodata directory"},
                "sha256": sha,
                "synthetic": {"type": "boolean"}},
            "required": ["iso3", "area_km2", "file", "sha256", "synthetic"], "additionalProperties": false}
    })
}

/// The JSON answers about points, diffs, histories and timelines, as JSON Schema
/// (`components.schemas`): every member the answers carry, optional ones not in `required`. A
/// test (`tests/http_semantics.rs`, `openapi_schemas_name_every_member_of_the_answers`) walks
/// live answers against them, so that a member added to an answer and not here fails it.
pub fn answer_schemas() -> Value {
    let date = json!({"type": "string", "format": "date"});
    let km = |d: &str| json!({"type": "number", "description": d});
    let km_or_null = |d: &str| json!({"type": ["number", "null"], "description": d});
    let lonlat =
        |d: &str| json!({"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 2, "description": d});
    let status = json!({"type": "string", "enum": ["covered", "occupied", "contested", "outside"]});
    let change = json!({"type": "string", "enum": ["gained", "lost", "newly_contested", "no_longer_contested"]});
    let four = |what: &str| {
        json!({
            "gained_km2": km(&format!("{what}newly occupied, km2")),
            "lost_km2": km(&format!("{what}freed, km2")),
            "newly_contested_km2": km_or_null(&format!("{what}newly contested, km2; null when either side's source draws no grey zone")),
            "no_longer_contested_km2": km_or_null(&format!("{what}no longer contested, km2; null likewise"))})
    };
    let mut totals = four("kept parts (at least min_area_km2) ");
    if let Some(t) = totals.as_object_mut() {
        t.extend(json!({
            "sliver_gained_km2": km("gained area in parts under min_area_km2 (dropped)"),
            "sliver_lost_km2": km("lost area in parts under min_area_km2 (dropped)"),
            "sliver_contested_km2": km_or_null("contested area changes in dropped parts; null as newly_contested_km2"),
            "slivers_dropped": {"type": "integer", "description": "parts dropped as slivers"},
            "min_area_km2": km("the threshold used"),
            "waters": {"oneOf": [{"$ref": "#/components/schemas/WatersTotals"}, {"type": "null"}], "description": "the changes in the border's waters, apart from the land figures (which stay comparable with every peer); null without waters and in a raw diff"}})
            .as_object()
            .cloned()
            .unwrap_or_default());
    }
    let waters = four("waters ");
    json!({
        "SliverRef": {"type": "object", "description": "the sliver or speck a point lies in (given the status of what surrounds it)",
            "properties": {"kind": {"type": "string", "enum": ["sliver", "speck"]}, "area_km2": km("its geodesic area"), "raw_status": status},
            "required": ["kind", "area_km2", "raw_status"]},
        "PointAnswer": {"description": "the status of one point on a date and what was in force",
            "allOf": [{"$ref": "#/components/schemas/AnswerProvenance"}, {"type": "object", "properties": {
                "lon": {"type": "number"}, "lat": {"type": "number"}, "status": status,
                "on_boundary": {"type": "boolean", "description": "on the boundary that decided the status (areas are closed)"},
                "in_waters": {"type": "boolean", "description": "off the land, in the border's waters (an approximation of the territorial sea, not a legal delimitation): the status of the nearest coast"},
                "land_km": km("in the waters: geodesic distance to the nearest land of the border"),
                "land_point": lonlat("in the waters: that nearest point of the land [lon, lat]"),
                "border_km": km("outside, within 25 km of the border: geodesic distance to it"),
                "border_point": lonlat("outside, within 25 km of the border: its nearest point [lon, lat]"),
                "line_of_contact_km": km("with distance=true, when there is a line: geodesic distance to the line of contact"),
                "line_of_contact_nearest": lonlat("beside line_of_contact_km: the line's nearest point [lon, lat]"),
                "sliver": {"$ref": "#/components/schemas/SliverRef"},
                "baseline": {"type": ["string", "null"], "description": "the baseline in force on the date whose area holds the point (e.g. crimea; its status is the baseline's whatever the snapshot draws); null when none holds it"},
                "raw": {"type": "boolean", "description": "present and true in the raw composition (raw=true: no sliver rule, no waters)"}},
                "required": ["lon", "lat", "status", "on_boundary", "in_waters", "baseline"]}]},
        "PointAgreement": {"type": "object", "description": "with sources=: every source's verdict on one point",
            "properties": {"lon": {"type": "number"}, "lat": {"type": "number"},
                "date": {"type": ["string", "null"], "format": "date", "description": "the date asked for (with datetime, each answer says its own day)"},
                "datetime": {"type": "string", "format": "date-time", "description": "the instant asked for, when one was"},
                "agree": {"type": "boolean", "description": "the sources that answer agree on all each can say: one status, where not_occupied (a source without a grey zone) goes with covered and contested"},
                "statuses": {"type": "object", "description": "the sources by the status they give; a source that draws no grey zone and reads covered is under not_occupied (it cannot say not contested)", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
                "contested_not_drawn": {"type": "array", "description": "the sources that answer but draw no grey zone on the date, with why (their not_drawn reason): their verdict says nothing about the grey zone",
                    "items": {"type": "object", "properties": {"source": {"type": "string"}, "reason": {"type": "string"}}, "required": ["source", "reason"]}},
                "answers": {"type": "array", "items": {"$ref": "#/components/schemas/PointAnswer"}},
                "not_covering": {"type": "array", "description": "the sources asked for that do not cover the date, with why (absent when none)",
                    "items": {"type": "object", "properties": {"source": {"type": "string"}, "reason": {"type": "string"}}, "required": ["source", "reason"]}},
                "left_out": {"type": "array", "description": "the sources sources=all left out, with why: the SYNTHETIC ones (the example) whenever a real source is loaded, as the agreement leaves them out; empty when the sources were named or all of them are SYNTHETIC",
                    "items": {"type": "object", "properties": {"source": {"type": "string"}, "reason": {"type": "string"}}, "required": ["source", "reason"]}}},
            "required": ["lon", "lat", "date", "agree", "statuses", "contested_not_drawn", "answers", "left_out"]},
        "OutputCheck": {"type": "object", "description": "what was done to make the drawn parts valid at the decimals asked for",
            "properties": {"snapped": {"type": "boolean"}, "dropped_polygons": {"type": "integer"}, "dropped_km2": km("their area"),
                "filled_holes": {"type": "integer", "description": "holes still invalid on the grid, filled so that their polygon is kept"},
                "filled_km2": km("the filled holes' area, drawn although the exact layer leaves it out")},
            "required": ["snapped", "dropped_polygons", "dropped_km2", "filled_holes", "filled_km2"]},
        "WatersTotals": {"type": "object", "description": "changes in the border's waters (cells whose nearest coast changed status), every part kept", "properties": waters,
            "required": ["gained_km2", "lost_km2", "newly_contested_km2", "no_longer_contested_km2"]},
        "DiffTotals": {"type": "object", "properties": totals,
            "required": ["gained_km2", "lost_km2", "newly_contested_km2", "no_longer_contested_km2", "sliver_gained_km2", "sliver_lost_km2", "sliver_contested_km2", "slivers_dropped", "min_area_km2", "waters"]},
        "DiffMeta": {"type": "object", "description": "the frontline member of a diff",
            "properties": {"from": {"$ref": "#/components/schemas/AnswerProvenance"}, "to": {"$ref": "#/components/schemas/AnswerProvenance"},
                "totals": {"$ref": "#/components/schemas/DiffTotals"},
                "identical": {"type": "boolean", "description": "both sides are the same computed state"},
                "raw": {"type": "boolean", "description": "the raw compositions were compared (without the sliver rule and without the waters: totals.waters null)"},
                "edges": {"type": "string", "description": "how edges are taken and measured"},
                "output_check": {"$ref": "#/components/schemas/OutputCheck"},
                "erased_by_rounding": {"type": "array", "description": "the parts that rounding to precision erased (too small for its grid): not drawn, listed with their exact areas",
                    "items": {"type": "object", "properties": {"change": change, "in_waters": {"type": "boolean", "description": "present and true for a part of the waters"}, "area_km2": km("geodesic area of the exact part"),
                        "centroid_lon": {"type": "number"}, "centroid_lat": {"type": "number"}}, "required": ["change", "area_km2", "centroid_lon", "centroid_lat"]}},
                "erased_by_rounding_km2": km("the area of the parts rounding erased"),
                "synthetic": {"type": "boolean"},
                "by_region": {"type": "object", "description": "with by_region=true: regions [{id, name, gained_km2, lost_km2, newly_contested_km2, no_longer_contested_km2}], provenance, synthetic"}},
            "required": ["from", "to", "totals", "identical", "raw", "edges", "output_check", "erased_by_rounding", "erased_by_rounding_km2", "synthetic"]},
        "DiffPartProperties": {"description": "the properties of one changed part: the end side's FeatureProvenance, the start's prefixed from_",
            "allOf": [{"$ref": "#/components/schemas/FeatureProvenance"}, {"type": "object", "properties": {
                "change": change,
                "in_waters": {"type": "boolean", "description": "a part of the border's waters: its area is in totals.waters, not in the land totals"},
                "area_km2": km("geodesic area"),
                "centroid": lonlat("planar centroid [lon, lat]"),
                "centroid_lon": {"type": "number"}, "centroid_lat": {"type": "number"},
                "date": date, "from_date": date, "from_source": {"type": "string"}, "from_snapshot": {"type": "string"},
                "from_snapshot_date": date, "from_content_sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"}},
                "required": ["change", "in_waters", "area_km2", "centroid", "centroid_lon", "centroid_lat", "date", "from_date", "from_source", "from_snapshot", "from_snapshot_date", "from_content_sha256"]}]},
        "DiffAnswer": {"type": "object", "description": "GeoJSON FeatureCollection of the changed parts",
            "properties": {"type": {"const": "FeatureCollection"}, "frontline": {"$ref": "#/components/schemas/DiffMeta"},
                "features": {"type": "array", "items": {"type": "object", "properties": {"type": {"const": "Feature"}, "id": {"type": "integer", "description": "the part's index in the answer"}, "geometry": {"type": "object"},
                    "properties": {"$ref": "#/components/schemas/DiffPartProperties"}}, "required": ["type", "id", "geometry", "properties"]}}},
            "required": ["type", "frontline", "features"]},
        "HistoryInterval": {"type": "object", "properties": {"from": date, "to": {"type": ["string", "null"], "format": "date", "description": "last day, null while it is the latest snapshot's status"},
            "status": status, "snapshot": {"type": "string", "description": "the snapshot in force on from"}, "last_snapshot": {"type": "string"},
            "revised": {"type": "boolean", "description": "a snapshot in force during the interval replaced an earlier content of its date (known_at= answers as before)"}},
            "required": ["from", "to", "status", "snapshot", "last_snapshot", "revised"]},
        "HistoryAnswer": {"type": "object", "description": "one point's status over every snapshot of a source",
            "properties": {"lon": {"type": "number"}, "lat": {"type": "number"},
                "intervals": {"type": "array", "items": {"$ref": "#/components/schemas/HistoryInterval"}},
                "raw": {"type": "boolean", "description": "present and true in the raw composition (raw=true: no sliver rule, no waters)"},
                "source": {"type": "string"}, "time_zone": {"type": "string"}, "licence": {"type": "string"}, "attribution": {"type": "string"}, "source_url": {"type": "string", "format": "uri"},
                "first_date": {"type": ["string", "null"], "format": "date"}, "last_date": {"type": ["string", "null"], "format": "date"},
                "epochs": {"type": "integer", "description": "epochs read across"},
                "snapshots": {"type": "object", "description": "the snapshots named by the intervals, by id", "additionalProperties": {"$ref": "#/components/schemas/SnapshotRef"}},
                "baselines": {"type": "array", "items": {"$ref": "#/components/schemas/BaselineRef"}},
                "border": {"$ref": "#/components/schemas/BorderRef"}, "synthetic": {"type": "boolean"},
                "classes": {"type": "array", "items": {"$ref": "#/components/schemas/DrawnClass"}},
                "not_drawn": {"$ref": "#/components/schemas/NotDrawn"}},
            "required": ["lon", "lat", "intervals", "source", "time_zone", "first_date", "last_date", "epochs", "snapshots", "baselines", "border", "synthetic", "classes"]},
        "TimelineRow": {"type": "object", "description": "the areas in force from date on",
            "properties": {"date": date, "occupied_km2": km("occupied land inside the border"),
                "contested_km2": km_or_null("contested land (not occupied); null when the source draws no grey zone"),
                "covered_km2": km("the rest of the border's land"), "line_km": km("geodesic length of the line of contact"),
                "gained_km2": km("newly occupied since the previous epoch (all parts)"), "lost_km2": km("freed since the previous epoch"),
                "snapshot": {"type": "string"}, "synthetic": {"type": "boolean"},
                "revised": {"type": "boolean", "description": "the snapshot in force replaced an earlier content of its date"},
                "waters_occupied_km2": km_or_null("the border's waters whose nearest coast is occupied (null without waters)"),
                "waters_contested_km2": km_or_null("waters whose nearest coast is contested"),
                "waters_covered_km2": km_or_null("waters whose nearest coast is covered"),
                "moved_km2": km("area the sliver rule moved from covered (0 in the raw composition)")},
            "required": ["date", "occupied_km2", "contested_km2", "covered_km2", "line_km", "gained_km2", "lost_km2", "snapshot", "synthetic", "revised", "waters_occupied_km2", "waters_contested_km2", "waters_covered_km2", "moved_km2"]},
        "RegionTimelineRow": {"type": "object", "description": "by_region=true: the areas of one region from date on",
            "properties": {"date": date, "region": {"type": "string", "description": "region id, or unassigned"}, "occupied_km2": km("occupied"),
                "contested_km2": km_or_null("contested; null when the source draws no grey zone"), "covered_km2": km("covered"),
                "snapshot": {"type": "string"}, "synthetic": {"type": "boolean"}},
            "required": ["date", "region", "occupied_km2", "contested_km2", "covered_km2", "snapshot", "synthetic"]},
        "SnapshotUsed": {"type": "object", "description": "the snapshot of one source a row of the agreement timeline used",
            "properties": {"source": {"type": "string"}, "id": {"type": "string"}, "content_sha256": {"type": "string"},
                "revised": {"type": "boolean", "description": "this content replaced an earlier content of its date (kept in the source's .history/; known_at= answers with what was current then)"}},
            "required": ["source", "id", "content_sha256", "revised"], "additionalProperties": false},
        "AgreementTotals": {"type": "object", "description": "areas of one layer's agreement, km2",
            "properties": {"agreed_km2": km("claimed by every source"), "disputed_km2": km("claimed by some but not all"),
                "envelope_km2": km("claimed by any: agreed + disputed"), "envelope_geometry_km2": km("the area of the union computed apart")},
            "required": ["agreed_km2", "disputed_km2", "envelope_km2", "envelope_geometry_km2"], "additionalProperties": false},
        "AgreementRow": {"type": "object", "description": "one date of the agreement timeline (CSV: the same areas, age_<source>_days, then snapshot_<source> and revised_<source> per source)",
            "properties": {"date": date, "occupied": {"$ref": "#/components/schemas/AgreementTotals"},
                "contested": {"oneOf": [{"$ref": "#/components/schemas/AgreementTotals"}, {"type": "null"}], "description": "among the sources that draw a grey zone on the date (contested_sources); null when none does (unknown, not 0; CSV: empty cells)"},
                "contested_sources": {"type": "array", "items": {"type": "string"}, "description": "the sources compared on the grey zone on the date: those that draw one"},
                "occupied_only_km2": {"type": "array", "items": {"type": "number"}, "description": "the occupied area each source claims alone, in the order of sources"},
                "snapshots": {"type": "array", "items": {"$ref": "#/components/schemas/SnapshotUsed"}, "description": "each source's snapshot used, in the order of sources"},
                "snapshot_age_days": {"type": "array", "items": {"type": "integer"}, "description": "how old each source's snapshot is on the date"}},
            "required": ["date", "occupied", "contested", "contested_sources", "occupied_only_km2", "snapshots", "snapshot_age_days"], "additionalProperties": false},
        "AgreementTimeline": {"type": "object", "description": "GET /v1/agreement/timeline as JSON",
            "properties": {"edges": {"type": "string"}, "most_disputed": {"type": ["object", "null"]}, "most_disputed_reason": {"type": "string"},
                "left_out": {"type": "array"}, "warnings": {"type": "array", "items": {"type": "string"}},
                "contested_not_drawn": {"type": "array", "description": "sources left out of the grey zone's agreement on some row (they draw none), with why"},
                "rows": {"type": "array", "items": {"$ref": "#/components/schemas/AgreementRow"}},
                "sources": {"type": "array", "items": {"type": "string"}}, "source_terms": {"type": "array"}},
            "required": ["edges", "most_disputed", "left_out", "contested_not_drawn", "warnings", "rows", "sources", "source_terms"]},
        "Timeline": {"type": "object", "description": "areas per epoch; with date=, the one row in force and its age",
            "properties": {"source": {"type": "string"}, "edges": {"type": "string"},
                "rows": {"type": "array", "items": {"oneOf": [{"$ref": "#/components/schemas/TimelineRow"}, {"$ref": "#/components/schemas/RegionTimelineRow"}]}},
                "date": date, "datetime": {"type": "string", "format": "date-time", "description": "with datetime=: the instant asked for"},
                "time_zone": {"type": "string", "description": "the IANA time zone the source's dates are days of"},
                "licence": {"type": "string"}, "attribution": {"type": "string"}, "source_url": {"type": "string", "format": "uri"},
                "snapshot_age_days": {"type": "integer"}, "warning": {"type": "string"}},
            "required": ["source", "time_zone", "edges", "rows"]}
    })
}

/// A ceasefire scenario document, as JSON Schema.
fn scenario_schema() -> Value {
    let date = json!({"type": "string", "format": "date"});
    json!({"type": "object", "additionalProperties": false, "required": ["source", "ceasefire_date"],
        "properties": {
            "title": {"type": "string", "maxLength": 4000},
            "source": {"type": "string"},
            "ceasefire_date": date,
            "withdrawal_date": {"type": "string", "format": "date", "description": "D0: the withdrawal area is occupied(ceasefire_date) minus occupied(D0)"},
            "policy": {"type": "object", "additionalProperties": false, "properties": {
                "grey_zone": {"type": "string", "enum": ["excluded", "included"], "default": "excluded"},
                "excluded_baselines": {"type": "array", "items": {"type": "string"}, "description": "baselines of the geodata or classes of area the source's snapshots carry (occupied_before_2022), by name: GET /v1/sources, policy_names"},
                "exclusions": {"type": "array", "maxItems": 64, "items": {"type": "object", "required": ["name", "geometry"], "properties": {
                    "name": {"type": "string"}, "geometry": {"type": "object", "description": "GeoJSON Polygon or MultiPolygon"}}}},
                "waters": {"type": "boolean", "default": false, "description": "the border's waters belong to the territory"}}},
            "zones": {"type": "array", "maxItems": 16, "items": {"type": "object", "required": ["name", "reference", "side", "width_km"], "properties": {
                "name": {"type": "string"},
                "reference": {"type": "object", "required": ["date"], "properties": {"source": {"type": "string"}, "date": date}},
                "side": {"type": "string", "enum": ["covered", "occupied", "both"]},
                "width_km": {"type": "number", "exclusiveMinimum": 0, "maximum": 500}}}}}})
}

/// What a `text/csv` body may be (README, section CSV).
const CSV_BODY: &str = "RFC 4180: a header naming the columns id, lon and lat in any order (other columns passed through to the answer in their place), quoted fields, CRLF or LF, a UTF-8 BOM skipped. UTF-8, or the charset the Content-Type declares (charset=windows-1251, any WHATWG label; the answer is UTF-8); bytes that are not UTF-8 without a declared charset are a 400 naming the line, an unknown charset a 415. Streamed for classify, chunked uploads accepted. A record (a row, its extra columns and quoted newlines included) is at most 65536 bytes: a longer one is a 400 naming its line and the limit.";

/// The GeoJSON batch body and its limits (`query::geojson`), for an answer that writes the
/// members `answer` into every feature's properties (the answer's own list,
/// `output::points`).
fn geojson_body(answer: &[String]) -> String {
    format!(
        "FeatureCollection of Point features, read as a stream of features (at most --max-json-body-mb, default 64 MiB, and --max-points). Limits, each a 413 naming it: one feature at most 65536 bytes of JSON (properties, geometry and other members) with at most 1000 properties; the collection's members other than features at most 65536 bytes together (they are copied into the answer). A Point's coordinates are [lon, lat] or [lon, lat, altitude] (more is a 400). A legacy crs member (collection, feature or geometry) must name CRS84 (any spelling); another CRS is a 400 naming it. A feature's properties are an object or null (anything else is a 400), and none of them may be named like a member the answer writes into them ({}; names compared exactly, so Status or status_old pass through, as does a member nested in a property's value): such a property would be overwritten, so it is a 400 invalid-body naming the feature (index, and id where it has one) and the property, with a reserved-property finding per property (location properties.<name>).",
        answer.join(", ")
    )
}

/// HEAD beside every GET (its parameters and answers, no body) and OPTIONS on every path, as the
/// dispatcher answers them.
fn head_and_options(doc: &mut Value) {
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for item in paths.values_mut() {
        let Some(item) = item.as_object_mut() else { continue };
        if let Some(get) = item.get("get").cloned() {
            let mut head = get;
            if let Some(h) = head.as_object_mut() {
                h.insert("summary".into(), json!("GET's status and headers, without the body"));
            }
            item.insert("head".into(), head);
        }
        item.insert(
            "options".into(),
            json!({"summary": "The methods allowed here (Allow); a CORS preflight when Access-Control-Request-Method is sent",
                "responses": merge(json!({"204": {"description": "no content; the Allow header lists the methods",
                    "headers": {"Allow": {"schema": {"type": "string"}}}}}),
                    problems(&["403"]))}),
        );
    }
}

/// The document.
pub fn document() -> Value {
    let mut doc = document_without_head_and_options();
    head_and_options(&mut doc);
    doc
}

fn document_without_head_and_options() -> Value {
    let classify_body = geojson_body(crate::output::points::classified_members());
    let history_body = geojson_body(crate::output::points::history_members());
    // The one meaning of `raw` on every route that answers for a date.
    let raw = param(
        "raw",
        false,
        json!({"type": "boolean", "default": false}),
        "the raw composition: the source's drawing clipped to the border's land, without the sliver rule and without the waters (a point off the land is outside, waters figures null; comparable with peers that apply neither); the answer says raw: true",
    );
    let csv_safe = param(
        "csv_safe",
        false,
        json!({"type": "boolean", "default": false}),
        "CSV: neutralise spreadsheet formulas in the text columns written back (a field starting with =, +, -, @, tab or CR gets a leading ' and quotes); off, they are passed through unchanged",
    );
    let date = param(
        "date",
        false,
        json!({"type": "string", "format": "date"}),
        "YYYY-MM-DD (this or datetime is required); the snapshot in force is the latest of the source dated on or before it: on a day with several publications, the last one of that day in the source's time zone (default Europe/Kyiv, said as time_zone in every answer)",
    );
    let datetime = param(
        "datetime",
        false,
        json!({"type": "string", "format": "date-time"}),
        "an RFC 3339 instant, instead of date: the source as published at that instant (the latest publication at or before it; an earlier publication of the day has the id source:YYYY-MM-DD@instant); the answer's date is the day it falls on in the source's time zone",
    );
    let known_at = param(
        "known_at",
        false,
        json!({"type": "string", "format": "date-time"}),
        "an RFC 3339 instant in the past: answer as the service answered then, byte for byte, with what was loaded at that instant (every snapshot, publication and source description replaced since is read back from the source's .history/ and named as it was then; files written later are absent; revised says whether the content used had itself replaced another by then)",
    );
    let source = param(
        "source",
        false,
        json!({"type": "string"}),
        "source name (default: the configured default source)",
    );
    let lon = param(
        "lon",
        true,
        json!({"type": "number", "minimum": -180, "maximum": 180}),
        "WGS84 longitude",
    );
    let lat = param(
        "lat",
        true,
        json!({"type": "number", "minimum": -90, "maximum": 90}),
        "WGS84 latitude",
    );
    let json_ok =
        |desc: &str| json!({"description": desc, "content": {"application/json": {"schema": {"type": "object"}}}});
    let schema_ok =
        |desc: &str, media: &str, schema: Value| json!({"description": desc, "content": {media: {"schema": schema}}});
    let schema = |name: &str| json!({"$ref": format!("#/components/schemas/{name}")});
    let collection = |meta: Value| {
        json!({"type": "object", "description": "GeoJSON FeatureCollection; every feature's properties hold the FeatureProvenance members",
        "properties": {"type": {"const": "FeatureCollection"}, "frontline": meta,
            "features": {"type": "array", "items": {"type": "object", "properties": {"properties": {"$ref": "#/components/schemas/FeatureProvenance"}}}}}})
    };
    // Answers drawn from the live geodata carry a weak ETag and Last-Modified (layers: a strong
    // ETag per representation) and answer conditional requests.
    let cached = |responses: Value| {
        merge(
            responses,
            json!({"304": {"description": "not modified: If-None-Match (weak comparison, every member of every field line, *) or, without it, If-Modified-Since"}}),
        )
    };
    // The paths of the built-in dashboard: `/` (the page or the index), the border it draws,
    // its files. Apart from the main literal: one `json!` of every path exceeds the macro
    // recursion limit.
    let dashboard_paths = json!({
            "/": {"get": {"summary": "Negotiated (RFC 9110 12.5.1: the most specific range gives the weight, q=0 is not acceptable): to an Accept that prefers text/html to application/json (a browser), the built-in dashboard (an HTML page whose files are under /dashboard/); to any other client (ties, */*, no Accept), the index of the API: the paths of the live route table, also when neither is acceptable (the default form, RFC 9110 12.5.1); Vary: Accept, Accept-Encoding", "responses": cached(json!({"200": {"description": "the index (name, dashboard, openapi, paths), or the dashboard's page", "content": {"application/json": {"schema": {"type": "object"}}, "text/html": {"schema": {"type": "string"}}}}}))}},
            "/v1/border": {"get": {"summary": "The recognized border a source is measured against, as GeoJSON: one feature per polygon with its geodesic area_km2, the border's provenance (file, sha256, origin) in the frontline member and in each feature",
                "parameters": [param("source", false, json!({"type": "string"}), "the source (default: the default source; with no source loaded, the one border loaded)"),
                    param("precision", false, json!({"type": "integer", "minimum": 0, "maximum": 15, "default": 6}), "decimals of coordinates")],
                "responses": cached(merge(json!({"200": schema_ok("FeatureCollection; frontline: source, iso3, name, area_km2, provenance, synthetic, edges, output_check", "application/geo+json",
                    json!({"type": "object", "properties": {"type": {"const": "FeatureCollection"},
                        "frontline": {"type": "object", "properties": {"source": {"type": ["string", "null"], "description": "the source asked for or the default one; null when no source is loaded and the one border loaded is drawn"}, "iso3": {"type": "string"}, "name": {"type": "string"},
                            "area_km2": {"type": "number", "description": "geodesic area of the border as loaded"},
                            "provenance": {"type": "object", "properties": {"file": {"type": "string"}, "sha256": {"type": "string"}, "origin": {"type": "string"}}, "required": ["file", "sha256"]},
                            "synthetic": {"type": "boolean"}, "edges": {"type": "string"}, "output_check": {"type": "object"}},
                            "required": ["source", "iso3", "name", "area_km2", "provenance", "synthetic", "edges", "output_check"]},
                        "features": {"type": "array", "items": {"type": "object", "properties": {"properties": {"$ref": "#/components/schemas/BorderFeatureProperties"}}}}}}))}), problems(&["400", "404"])))}},
            "/dashboard/{asset}": {"get": {"summary": "A file of the built-in dashboard, embedded in the binary (its script and style, MapLibre GL JS and uPlot with their licences, the Natural Earth basemap): a strong ETag per representation, gzip when accepted",
                "parameters": [{"name": "asset", "in": "path", "required": true, "schema": {"type": "string"}}],
                "responses": cached(merge(json!({"200": {"description": "the file", "content": {"text/javascript": {"schema": {"type": "string"}}, "text/css": {"schema": {"type": "string"}}, "application/geo+json": {"schema": {"type": "object"}}, "text/plain": {"schema": {"type": "string"}}}}}), problems(&["404"])))}}
    });
    let mut doc = json!({
        "openapi": "3.1.0",
        "info": {"title": "frontline", "version": env!("CARGO_PKG_VERSION"),
                 "description": "Dated lines of control against a recognized border: coverage, point status, layers, timelines. Every answer names the source and snapshot it used and says whether the data is synthetic."},
        "paths": {
            "/v1/coverage": {"get": {"summary": "Status of one point on a date",
                "parameters": [lon.clone(), lat.clone(), date.clone(), datetime.clone(), source.clone(), known_at.clone(),
                    param("sources", false, json!({"type": "string"}), "all, or comma-separated source names, instead of source: every source's verdict and snapshot (answers), the sources by status (statuses), agree, and the sources that do not cover the date (not_covering; none covering is a 404 before-first-snapshot naming them and why); a source without a grey zone reads not_occupied where it would read covered (contested_not_drawn says why); all leaves the SYNTHETIC sources out (left_out, with why) whenever a real source is loaded, and keeps them when they are the only ones; named, they answer"),
                    param("distance", false, json!({"type": "boolean", "default": false}), "add line_of_contact_km, the geodesic distance to the line of contact, and line_of_contact_nearest, its nearest point [lon, lat]"),
                    raw.clone()],
                "responses": cached(merge(json!({"200": schema_ok("status, on_boundary, sliver (when the point lies in a sliver or speck given the surrounding status), and what was in force", "application/json", json!({"oneOf": [schema("PointAnswer"), schema("PointAgreement")]}))}), problems(&["400", "404"])))}},
            "/v1/classify": {"post": {"summary": "Status of many points on a date",
                "parameters": [date.clone(), datetime.clone(), source.clone(), known_at.clone(),
                    param("distance", false, json!({"type": "boolean", "default": false}), "add line_of_contact_km and the line's nearest point to every point (CSV: columns line_of_contact_km, line_nearest_lon, line_nearest_lat after revised; GeoJSON: properties line_of_contact_km, line_of_contact_nearest)"),
                    csv_safe.clone(), raw.clone()],
                "requestBody": {"required": true, "content": {
                    "text/csv": {"schema": {"type": "string", "description": CSV_BODY}},
                    "application/geo+json": {"schema": {"type": "object", "description": classify_body}},
                    "application/json": {"schema": {"type": "object", "description": classify_body}}}},
                "responses": merge(json!({"200": {"description": "CSV: the input's columns, then status,snapshot,revised (revised: whether the snapshot in force replaced an earlier content, true or false; with distance=true then line_of_contact_km,line_nearest_lon,line_nearest_lat; streamed; a stream cut short means an error after the first block), or the features with status and snapshot added to their properties, order kept",
                    "content": {"text/csv": {"schema": {"type": "string"}}, "application/geo+json": {"schema": {"type": "object"}}}}}),
                    problems(&["400", "404", "413", "415"]))}},
            "/v1/history": {
                "get": {"summary": "One point's status over every snapshot of a source: intervals {from, to, status, snapshot, last_snapshot}, merged where the status does not change, with the provenance of every snapshot named",
                    "parameters": [lon.clone(), lat.clone(), source.clone(), known_at.clone(), raw.clone()],
                    "responses": cached(merge(json!({"200": schema_ok("the intervals and what they rest on", "application/json", schema("HistoryAnswer"))}), problems(&["400", "404"])))},
                "post": {"summary": "Histories of many points",
                    "parameters": [source.clone(), csv_safe.clone(), known_at.clone(), raw.clone()],
                    "requestBody": {"required": true, "content": {
                        "text/csv": {"schema": {"type": "string", "description": CSV_BODY}},
                        "application/geo+json": {"schema": {"type": "object", "description": history_body}},
                        "application/json": {"schema": {"type": "object", "description": history_body}}}},
                    "responses": merge(json!({"200": {"description": "CSV: the input's columns, then from,to,status,snapshot,last_snapshot,revised (one row per interval), or the features with properties.history and the provenance in the frontline member",
                        "content": {"text/csv": {"schema": {"type": "string"}}, "application/geo+json": {"schema": {"type": "object"}}}}}),
                        problems(&["400", "404", "413", "415"]))}},
            "/v1/diff": {"get": {"summary": "What changed hands between two dates (or two sources): newly occupied, freed, newly contested and no longer contested parts with geodesic areas and centroids; totals and the sliver area dropped in the frontline member",
                "parameters": [
                    param("from", false, json!({"type": "string", "format": "date"}), "start date (this or from_datetime is required)"),
                    param("to", false, json!({"type": "string", "format": "date"}), "end date (this or to_datetime is required)"),
                    param("from_datetime", false, json!({"type": "string", "format": "date-time"}), "an RFC 3339 instant instead of from: the start as published at that instant"),
                    param("to_datetime", false, json!({"type": "string", "format": "date-time"}), "an RFC 3339 instant instead of to: the end as published at that instant"),
                    source.clone(),
                    known_at.clone(),
                    param("to_source", false, json!({"type": "string"}), "source at the end (default: source)"),
                    param("min_area_km2", false, json!({"type": "number", "minimum": 0, "default": 0.01}), "parts under it are dropped as slivers (area reported)"),
                    param("precision", false, json!({"type": "integer", "minimum": 0, "maximum": 15, "default": 6}), "decimals of coordinates"),
                    param("by_region", false, json!({"type": "boolean", "default": false}), "add frontline.by_region: the changes per region of the border (404 if it has no regions layer)"),
                    raw.clone()],
                "responses": cached(merge(json!({"200": schema_ok("FeatureCollection, one feature per changed part (DiffPartProperties: change, in_waters, area_km2, centroid, the provenance of both sides): a Polygon, or a MultiPolygon where rounding to precision split the part, area_km2 measured once on the exact geometry; frontline: both sides, totals (land, and the waters apart in totals.waters), the sliver area dropped, and erased_by_rounding: the parts rounding erased, so that features and erased parts add up to the totals", "application/geo+json", schema("DiffAnswer"))}), problems(&["400", "404"])))}},
            "/v1/sources": {"get": {"summary": "Loaded sources, each with classes: {drawn (DrawnClass list), basis (what states them)} and policy_names: [{name, kind: baseline|class}], the names a scenario policy on it can exclude (excluded_baselines)", "responses": cached(merge(json!({"200": json_ok("sources")}), problems(&["400"])))}},
            "/v1/snapshots": {"get": {"summary": "Loaded snapshots with areas, feature counts and provenance (contested_km2 null, with not_drawn, for a source without a grey zone), one per day's snapshot; each row carries its source's SourceTerms members. publications lists every publication (a snapshot with an instant) of the sources asked, by source, instant and content: source, id (source:YYYY-MM-DD for the day's snapshot, source:YYYY-MM-DD@<published_at> for the others, as answers name them), date, published_at, content_sha256, in_force_for_day (the one date= answers with for its day), revised, provenance",
                "parameters": [source.clone(), known_at.clone()],
                "responses": cached(merge(json!({"200": json_ok("edges, snapshots, publications")}), problems(&["400", "404"])))},
                "post": {"summary": "Ingest a snapshot (bearer token): validated as at load, written durably, live at once",
                    "security": [{"bearer": []}],
                    "parameters": [param("source", true, json!({"type": "string"}), "an existing source"),
                        param("date", true, json!({"type": "string", "format": "date", "x-frontline-instant-in-body": "frontline.published_at"}), "the snapshot's date; a publication gives its instant in the body (frontline.published_at), which must fall on this date in the source's time zone (else 422 published-at-other-day)"),
                        param("replace", false, json!({"type": "boolean", "default": false}), "replace other content of that date (the old file is kept in .history/)")],
                    "requestBody": {"required": true, "description": "At most --max-ingest-body-mb (default 16 MiB; real daily snapshots are under 1 MB): a larger body is a 413 naming the limit. Members other than type, features, frontline and crs are skipped (the stored file does not keep them), except a date the collection gives itself (a member date, or properties.date), which must be a valid date (else 422 date-invalid) and the snapshot's (else 422 date-mismatch). A feature's own properties.date must be a valid date in the admitted window (422 date-invalid, date-outside-window); one other than the snapshot's is flagged, and it is kept in the stored feature", "content": {
                        "application/geo+json": {"schema": {"type": "object", "description": "FeatureCollection, properties.status occupied or contested per feature"}},
                        "application/json": {"schema": {"type": "object"}}}},
                    "responses": merge(json!({"201": schema_ok("written and live (state live, replaced null); Location: /v1/snapshots/{id}, the id of the answer", "application/json", schema("Ingested")), "200": schema_ok("unchanged (nothing written), or replaced (replaced names the .history/ copy)", "application/json", schema("Ingested"))}),
                        problems(&["400", "401", "403", "404", "409", "413", "415", "422"]))}},
            "/v1/layers/{layer}": {"get": {"summary": "A layer as GeoJSON for map dashboards (a strong ETag per representation: gzip and identity differ; If-None-Match, If-Modified-Since, gzip)",
                "parameters": [
                    {"name": "layer", "in": "path", "required": true, "schema": {"type": "string", "enum": ["coverage", "occupied", "contested", "line"]}},
                    date.clone(), datetime.clone(), source.clone(), known_at.clone(),
                    param("bbox", false, json!({"type": "string"}), "minLon,minLat,maxLon,maxLat (OGC API Features): features intersecting it; minLon > maxLon is a box across the antimeridian; minLat > maxLat is a 400"),
                    param("simplify_m", false, json!({"type": "number", "minimum": 0, "maximum": 100000}), "simplification tolerance in metres (Visvalingam-Whyatt); the covered, occupied and contested layers are simplified together as one coverage, so that they neither overlap nor leave gaps"),
                    param("precision", false, json!({"type": "integer", "minimum": 0, "maximum": 15, "default": 6}), "decimals of coordinates"),
                    raw.clone()],
                "responses": cached(merge(json!({"200": schema_ok("FeatureCollection; frontline: layer, the AnswerProvenance members, epoch_from, area_km2 (polygon layers; null for the contested layer of a source without a grey zone, the reason in not_drawn) or length_km and along_border (line), bbox, simplify_m, precision", "application/geo+json",
                        collection(json!({"$ref": "#/components/schemas/AnswerProvenance"})))}), problems(&["400", "404"])))}},
            "/v1/timeline": {"get": {"summary": "Areas per snapshot date (JSON, or CSV with Accept: text/csv); contested_km2 null (an empty CSV field) for a source without a grey zone",
                "parameters": [source, param("from", false, json!({"type": "string", "format": "date", "x-frontline-range": true}), "first date (a bound of the series, not a state: every date of the series is listed)"),
                    param("to", false, json!({"type": "string", "format": "date", "x-frontline-range": true}), "last date (a bound of the series)"),
                    param("date", false, json!({"type": "string", "format": "date"}), "the areas in force on this date: the one row of the epoch in force (not with from/to); the JSON adds date, time_zone, snapshot_age_days and a warning past a month"),
                    datetime.clone(),
                    known_at.clone(),
                    param("by_region", false, json!({"type": "boolean", "default": false}), "one row per region and date (404 if the border has no regions layer)"),
                    raw.clone()],
                "responses": cached(merge(json!({"200": {"description": "rows", "content": {"application/json": {"schema": schema("Timeline")}, "text/csv": {"schema": {"type": "string"}}}}}),
                    problems(&["400", "404"])))}},
            "/v1/agreement": {"get": {"summary": "Where sources agree on a date: per layer (occupied, contested) the area every source claims (agreed), each part claimed by some but not all with the sources that claim it (disputed), and their union (envelope), with geodesic km2; the pieces partition the envelope (agreed_km2 + disputed_km2 = envelope_km2); each layer names the sources compared on it (sources): the grey zone only among the sources that draw one on the date, the others in contested.not_drawn with why, and where none does its areas are null with contested.reason and it has no features (unknown, not empty); fewer than two real sources covering the date by default is a 404 before-first-snapshot naming the sources left out; frontline names each source's snapshot in force, left_out (sources left out of the default comparison with why: SYNTHETIC ones unless named, ones that do not cover the date) and warnings (a snapshot more than 31 days old, SYNTHETIC data mixed with real data; also joined by ' | ' in the header x-frontline-warning)",
                "parameters": [date.clone(), datetime.clone(), known_at.clone(),
                    param("sources", false, json!({"type": "string"}), "comma-separated source names, or all (default: every real source that covers the date, SYNTHETIC ones left out unless named; at least two)"),
                    raw.clone(),
                    param("precision", false, json!({"type": "integer", "minimum": 0, "maximum": 15, "default": 6}), "decimals of coordinates"),
                    param("summary", false, json!({"type": "boolean", "default": false}), "the areas and provenance only (JSON), no geometry")],
                "responses": cached(merge(json!({"200": {"description": "FeatureCollection (features: layer, part, sources, area_km2, date, snapshots, synthetic), or the summary", "content": {"application/geo+json": {"schema": {"type": "object"}}, "application/json": {"schema": {"type": "object"}}}}}),
                    problems(&["400", "404"])))}},
            "/v1/agreement/timeline": {"get": {"summary": "The agreement's areas on every snapshot date of the sources where all of them cover (JSON rows with most_disputed, or CSV with Accept: text/csv): agreed, disputed and envelope km2 of the occupied area and the grey zone, and the occupied km2 each source claims alone, each source's snapshot_age_days on the date (CSV: age_<source>_days columns) and each source's snapshot used (snapshots: id, content_sha256, revised; CSV: snapshot_<source> and revised_<source> columns); source_terms lists each source's SourceTerms (CSV: the header x-frontline-source-terms); most_disputed is taken among rows whose snapshots are at most 31 days old and is null with most_disputed_reason when SYNTHETIC and real data are mixed or no row is comparable; left_out and warnings as /v1/agreement (header x-frontline-warning, CSV too)",
                "parameters": [param("sources", false, json!({"type": "string"}), "comma-separated source names, or all (default: every real source, SYNTHETIC ones left out unless named)"),
                    param("from", false, json!({"type": "string", "format": "date", "x-frontline-range": true}), "first date (a bound of the series, not a state: every date of the series is listed)"),
                    param("to", false, json!({"type": "string", "format": "date", "x-frontline-range": true}), "last date (a bound of the series)"),
                    raw.clone(),
                    known_at.clone()],
                "responses": cached(merge(json!({"200": {"description": "rows", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AgreementTimeline"}}, "text/csv": {"schema": {"type": "string"}}}}}),
                    problems(&["400", "404"])))}},
            "/v1/scenarios/preview": {"post": {"summary": "Compute a ceasefire scenario (README, section Ceasefire scenarios): area of application, excluded areas by reason, zones by side, withdrawal area, reference lines, the provenance of every input and its id; nothing is stored, no token",
                "requestBody": {"required": true, "description": "At most --max-scenario-body-mb (default 4 MiB): a larger body is a 413 naming the limit. At most --max-scenario-exclusion-vertices (default 20,000) positions in policy.exclusions together: more is a 413 scenario-too-large naming the limit and the figure (limit member). Computed for at most --scenario-deadline-s (default 30 s): then a 503 scenario-computation-deadline with Retry-After", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Scenario"}}}},
                "responses": merge(json!({"200": json_ok("id, scenario (canonical), ceasefire (AnswerProvenance), territory_km2, area_of_application_km2, excluded [{reason, name, area_km2 (null for contested when the source draws no grey zone: unknown, not 0; ceasefire.not_drawn says why)}], zones [{name, reference, side, width_km, covered_side_km2 (the non-occupied side of the line, grey zone included), covered_side_contested_km2 (its grey zone; null when the reference line's source draws none), occupied_side_km2, area_km2}], reference_lines [{AnswerProvenance, length_km}], withdrawal {to_line_of, area_km2}, inputs [{kind, name, sha256}], edges, zone_method, synthetic")}),
                    problems(&["400", "413", "415", "422", "503"]))}},
            "/v1/scenarios": {"post": {"summary": "Compute and store a scenario (bearer token, as ingest): written once through the store as scenarios/<id>.json; Location names it",
                "security": [{"bearer": []}],
                "requestBody": {"required": true, "description": "At most --max-scenario-body-mb (default 4 MiB): a larger body is a 413 naming the limit. At most --max-scenario-exclusion-vertices (default 20,000) positions in policy.exclusions together: more is a 413 scenario-too-large naming the limit and the figure (limit member). Computed for at most --scenario-deadline-s (default 30 s): then a 503 scenario-computation-deadline with Retry-After", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Scenario"}}}},
                "responses": merge(json!({"201": json_ok("stored now: the figures as the preview's, Location: /v1/scenarios/{id}"), "200": json_ok("stored before (the same id): the figures")}),
                    problems(&["400", "401", "403", "409", "413", "415", "422", "503"]))},
                "get": {"summary": "The stored scenarios, sorted by ceasefire date: id, title (a preset's citation), source, ceasefire_date, withdrawal_date, zones (how many), inputs_changed (true with id_now, the id the document has now, when an input it used was replaced: its GET is then a 409); what the dashboard's scenario list offers; unreadable: the files of scenarios/ that are not readable stored scenarios (corrupt, renamed, not named <id>.json), each with what is wrong, never left out silently",
                    "responses": merge(json!({"200": json_ok("scenarios: [{id, title, source, ceasefire_date, withdrawal_date, zones, inputs_changed, id_now}], unreadable: [{file, error}]")}), problems(&["400", "500"]))}},
            "/v1/scenarios/{id}/tiles.json": {"get": {"summary": "TileJSON 3.0.0 of a stored scenario's layers as vector tiles: area (the area of application), excluded (status: the reason), zones (name, side, width_km), withdrawal (withdrawn_to, withdrawn_to_sha256: the snapshot of D0), reference_lines, withdrawal_line; frontline: epoch, title, scenario (the figures and the provenance of every input, as GET /v1/scenarios/{id}), tile settings. Its tiles template starts with --public-url, else the address the connection reached; 409 when an input changed since the scenario was stored",
                "parameters": [path_param("id", "a stored scenario's id (64 hex digits)")],
                "responses": cached(merge(json!({"200": json_ok("TileJSON 3.0.0 with a frontline member")}), problems(&["400", "404", "409", "500", "503"])))}},
            "/v1/scenarios/{id}/tiles/{epoch}/{z}/{x}/{y}.mvt": {"get": {"summary": "A vector tile (MVT 2.1, as the state tiles) of a stored scenario's layers; properties status, scenario, area_km2 (length_km), name, side, width_km, date, and the FeatureProvenance members. Immutable (the id names the scenario's content, the epoch the tile format): Cache-Control public, max-age=31536000, immutable, strong ETag, Last-Modified from its snapshots' dates; 204 when empty; one URL per tile as the state tiles",
                "parameters": [path_param("id", "a stored scenario's id"), path_param("epoch", "the epoch of its TileJSON"), path_param("z", "zoom, 0 to 18"), path_param("x", "column"), path_param("y", "row")],
                "responses": cached(merge(json!({"200": {"description": "the tile", "content": {"application/vnd.mapbox-vector-tile": {"schema": {"type": "string", "format": "binary"}}}},
                    "204": {"description": "nothing in this tile (same caching headers)"}}), problems(&["400", "404", "409", "500", "503"])))}},
            "/v1/scenarios/presets": {"get": {"summary": "The presets (Korean armistice 1953, Minsk memorandum 2014, Minsk II 2015) with their citations and readings; with source and date, each one's scenario document",
                "parameters": [param("source", false, json!({"type": "string"}), "the source of the documents (default: the default source, when date is given)"),
                    param("date", false, json!({"type": "string", "format": "date"}), "the ceasefire date of the documents"),
                    param("datetime", false, json!({"type": "string", "format": "date-time"}), "an RFC 3339 instant instead of date: its day in the source's time zone, when the state published at that instant is the day's (a scenario names its ceasefire by day; an earlier publication of the day is a 422 naming the day's last)"),
                    param("memorandum_date", false, json!({"type": "string", "format": "date", "default": "2014-09-19"}), "minsk-ii-2015: the date of the line standing for the 2014 memorandum's (a reading)"),
                    param("memorandum_datetime", false, json!({"type": "string", "format": "date-time"}), "an RFC 3339 instant instead of memorandum_date, as datetime")],
                "responses": cached(merge(json!({"200": json_ok("presets [{name, citation, reading, scenario}]; with source=, the source's SourceTerms members beside them")}), problems(&["400", "404", "422"])))}},
            "/v1/scenarios/{id}": {"get": {"summary": "A stored scenario's figures, recomputed on the live geodata (once per state, however many requests ask at once; kept); 409 scenario-inputs-changed when an input changed since it was stored (the id would no longer mean the same figures), with id_now: the id the document has on the inputs now; 500 stored-scenario-unreadable or stored-scenario-not-its-id naming the file when the stored file is damaged or renamed; 503 scenario-computations-busy with Retry-After when every computation place is taken",
                "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string", "pattern": "^[0-9a-f]{64}$"}}],
                "responses": cached(merge(json!({"200": json_ok("the figures, as the preview's")}), problems(&["400", "404", "409", "500", "503"])))}},
            "/v1/scenarios/{id}/layers/{layer}": {"get": {"summary": "A layer of a stored scenario as GeoJSON: one feature per reason (excluded), per zone and side (zones), with area_km2 and the FeatureProvenance of what it rests on (the withdrawal feature's withdrawn_to: the FeatureProvenance of D0's snapshot; frontline.withdrawal: D0 and what was in force then; the zones layer's frontline.reference_lines); drawn once per scenario, layer and precision however many requests ask at once, and kept (bounded in bytes)",
                "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}},
                    {"name": "layer", "in": "path", "required": true, "schema": {"type": "string", "enum": ["area", "excluded", "zones", "withdrawal"]}},
                    param("precision", false, json!({"type": "integer", "minimum": 0, "maximum": 15, "default": 6}), "decimals of coordinates")],
                "responses": cached(merge(json!({"200": schema_ok("FeatureCollection; frontline: scenario, layer, ceasefire, inputs, edges, precision", "application/geo+json", collection(json!({"type": "object"})))}), problems(&["400", "404", "409", "500", "503"])))}},
            "/v1/scenarios/{id}/point": {"get": {"summary": "Where a point lies in a stored scenario: in the area of application or which exclusion holds it, which zones (and side), and its geodesic distance to each reference line with the nearest point",
                "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}, lon.clone(), lat.clone()],
                "responses": cached(merge(json!({"200": json_ok("scenario, lon, lat, in_area_of_application, in_territory, excluded {reason, name}, zones [{name, side}], distances [{reference, source, date, snapshot (source:YYYY-MM-DD, the snapshot whose line of contact it is), content_sha256 (its content hash, as in the scenario's inputs), distance_km, nearest}], ceasefire")}), problems(&["400", "404", "409", "500", "503"])))}},
            "/v1/scenarios/{id}/diff/{other}": {"get": {"summary": "What changes from one stored scenario to another: areas of application, the area gained and lost, excluded areas and zones side by side, withdrawal areas",
                "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}, {"name": "other", "in": "path", "required": true, "schema": {"type": "string"}}],
                "responses": cached(merge(json!({"200": json_ok("from, to, area_of_application_km2, area_gained_km2, area_lost_km2, excluded, zones, withdrawal_km2, ceasefire")}), problems(&["400", "404", "409", "500", "503"])))}},
            "/v1/tiles/{source}/{date}.json": {"get": {"summary": "TileJSON 3.0.0 of the state in force on a date: its tiles template names the epoch (one computed state) and starts with the server's --public-url, else the address the connection reached (never the Host header), so a date that later resolves to another state gets another document; vector_layers covered, occupied, contested, line; frontline: epoch, epoch_from, the AnswerProvenance members, covered_km2, occupied_km2, contested_km2, line_km, tile settings. Strong ETag, Cache-Control no-cache",
                "parameters": [path_param("source", "a source"), json!({"name": "date", "in": "path", "required": true, "schema": {"anyOf": [{"type": "string", "format": "date"}, {"type": "string", "format": "date-time"}]}, "description": "YYYY-MM-DD (the state in force at the end of the day), or an RFC 3339 instant (as published then)"})],
                "responses": cached(merge(json!({"200": json_ok("TileJSON 3.0.0 with a frontline member")}), problems(&["400", "404"])))}},
            "/v1/tiles/{source}/diff/{from}/{to}.json": {"get": {"summary": "TileJSON 3.0.0 of the diff between two dates of a source (parts of at least 0.01 km2, as /v1/diff): vector_layers gained, lost, newly_contested, no_longer_contested; frontline: from_epoch, to_epoch, from, to (AnswerProvenance), totals",
                "parameters": [path_param("source", "a source"), json!({"name": "from", "in": "path", "required": true, "schema": {"anyOf": [{"type": "string", "format": "date"}, {"type": "string", "format": "date-time"}]}, "description": "YYYY-MM-DD, or an RFC 3339 instant"}), json!({"name": "to", "in": "path", "required": true, "schema": {"anyOf": [{"type": "string", "format": "date"}, {"type": "string", "format": "date-time"}]}, "description": "YYYY-MM-DD, or an RFC 3339 instant"})],
                "responses": cached(merge(json!({"200": json_ok("TileJSON 3.0.0 with a frontline member")}), problems(&["400", "404"])))}},
            "/v1/tiles/{source}/{epoch}/{z}/{x}/{y}.mvt": {"get": {"summary": "A vector tile (MVT 2.1, extent 4096, buffer 64) of an epoch: layers covered, occupied, contested, line; properties status, area_km2 (length_km), and the FeatureProvenance members. Immutable: Cache-Control public, max-age=31536000, immutable, strong ETag, Last-Modified from the snapshot (its publication instant, else its date; the same after reloads and restarts); 204 when the tile is empty. One URL per tile: z, x, y without leading zeros (else 404 naming the canonical path), no trailing slash, no query (400)",
                "parameters": [path_param("source", "a source"), path_param("epoch", "an epoch id, from a TileJSON"), path_param("z", "zoom, 0 to 18"), path_param("x", "column"), path_param("y", "row")],
                "responses": cached(merge(json!({"200": {"description": "the tile", "content": {"application/vnd.mapbox-vector-tile": {"schema": {"type": "string", "format": "binary"}}}},
                    "204": {"description": "nothing in this tile (same caching headers)"}}), problems(&["400", "404"])))}},
            "/v1/tiles/{source}/diff/{from_epoch}/{to_epoch}/{z}/{x}/{y}.mvt": {"get": {"summary": "A vector tile of the diff between two epochs: layers gained, lost, newly_contested, no_longer_contested; properties status, area_km2, the FeatureProvenance members of the end, from_* of the start, date, from_date. Immutable, as state tiles",
                "parameters": [path_param("source", "a source"), path_param("from_epoch", "an epoch id"), path_param("to_epoch", "an epoch id"), path_param("z", "zoom, 0 to 18"), path_param("x", "column"), path_param("y", "row")],
                "responses": cached(merge(json!({"200": {"description": "the tile", "content": {"application/vnd.mapbox-vector-tile": {"schema": {"type": "string", "format": "binary"}}}},
                    "204": {"description": "nothing in this tile (same caching headers)"}}), problems(&["400", "404"])))}},
            "/openapi.json": {"get": {"summary": "This document", "responses": cached(json!({"200": json_ok("OpenAPI 3.1")}))}},
            "/healthz": {"get": {"summary": "Liveness", "responses": {"200": json_ok("ok")}}},
            "/readyz": {"get": {"summary": "Readiness: what is loaded; 503 (a problem with an id, Retry-After, and the same members under readiness) while states are computed", "responses": merge(json!({"200": json_ok("ready")}), problems(&["503"]))}},
            "/metrics": {"get": {"summary": "Prometheus metrics", "responses": {"200": {"description": "text exposition format", "content": {"text/plain": {"schema": {"type": "string"}}}}}}}
        },
        "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}, "schemas": merge(json!({"Problem": {"type": "object", "properties": {
            "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
            "detail": {"type": "string"}, "parameter": {"type": "string", "description": "the query parameter, or the scenario field (zones[2].width_km), at fault"},
            "problems": {"type": "array", "items": {"$ref": "#/components/schemas/BodyFinding"}, "description": "every finding of a refused body (a snapshot: 422 invalid-snapshot; a GeoJSON batch whose feature has a property the answer writes: 400 invalid-body, one reserved-property finding per property), typed"},
            "readiness": {"type": "object", "description": "/readyz while not ready: what is loaded (the members of its 200 answer)"},
            "limit": {"type": "object", "description": "the server limit a request went past (413 scenario-too-large, 503 scenario-computation-deadline): name (the serve flag that sets it), max (its value), value (the request's figure, where known)",
                "properties": {"name": {"type": "string"}, "max": {"type": "number"}, "value": {"type": "number"}}, "required": ["name", "max"], "additionalProperties": false}}, "required": ["type", "title", "status", "detail"], "additionalProperties": false},
            "BodyFinding": {"type": "object", "description": "one finding of a refused body: match on code, never on message",
                "properties": {"code": {"type": "string", "description": "stable code: the loader's finding kinds as frontline check --json names them (position, ring-not-closed, long-edge, invalid-geometry, crs-not-crs84, date-invalid, date-mismatch...), empty-snapshot, outside-border, reserved-property"},
                    "feature": {"type": "integer", "minimum": 0, "description": "0-based index in features, where the finding is about one feature"},
                    "location": {"type": "string", "description": "where inside the feature (polygon, ring, position; properties.<name> for a reserved-property)"},
                    "message": {"type": "string", "description": "the sentence (no file name: nothing was written)"}},
                "required": ["code", "message"], "additionalProperties": false},
            "Ingested": {"type": "object", "description": "POST /v1/snapshots: the snapshot as stored and live",
                "properties": {"id": {"type": "string", "description": "source:YYYY-MM-DD; for a publication that is not its day's snapshot (superseded later its day), source:YYYY-MM-DD@<published_at>, as the answers that use it name it"}, "source": {"type": "string"}, "date": {"type": "string", "format": "date"},
                    "published_at": {"type": ["string", "null"], "format": "date-time", "description": "the publication instant (RFC 3339, UTC); null for a snapshot without one"},
                    "content_sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"}, "provenance": {"$ref": "#/components/schemas/FileProvenance"},
                    "state": {"type": "string", "description": "live, or unchanged: the same content is live"},
                    "replaced": {"type": ["string", "null"], "description": "the .history/ copy of the file replaced (for a date confirmed by an earlier file: that file's copy); null when nothing was replaced"},
                    "repairs": {"type": "array", "items": {"type": "string"}, "description": "every repair the reader made"},
                    "flags": {"type": "array", "items": {"type": "string"}, "description": "what the admission policy and import's checks flagged"},
                    "ms": {"type": "number", "description": "milliseconds from the request to the answer"}},
                "required": ["id", "source", "date", "published_at", "content_sha256", "provenance", "state", "replaced", "repairs", "flags", "ms"], "additionalProperties": false},
            "SourceWritten": {"type": "object", "description": "PUT /v1/sources/{name}",
                "properties": {"source": {"type": ["object", "null"], "description": "the source as GET /v1/sources lists it (null while only declared and not listed)"},
                    "state": {"type": "string"}, "live": {"type": "boolean", "description": "whether the source has snapshots loaded (a declared source has none until its first ingest)"},
                    "replaced": {"type": ["string", "null"], "description": "the .history/ copy of the replaced source.json"}},
                "required": ["source", "state", "live", "replaced"], "additionalProperties": false},
            "Scenario": scenario_schema()}), merge(provenance_schemas(), answer_schemas()))}
    });
    // Apart from the document's literal: the macro's recursion limit.
    doc["paths"]["/v1/snapshots/{id}"] = json!({"get": {"summary": "One snapshot or publication by the id answers name it with (what the Location of a 201 of POST /v1/snapshots names): source:YYYY-MM-DD gives the day's snapshot as GET /v1/snapshots lists it (snapshot) and the day's publications; source:YYYY-MM-DD@<published_at> the one publication (publications, no snapshot). 404 unknown-snapshot for an id the source does not have, unknown-source for a source it does not",
                "parameters": [path_param("id", "source:YYYY-MM-DD or source:YYYY-MM-DD@<published_at> (RFC 3339, UTC), percent-encoded as a path segment"), known_at.clone()],
                "responses": cached(merge(json!({"200": json_ok("edges, snapshot (a day's id), publications")}), problems(&["400", "404"])))}});
    doc["paths"]["/v1/sources/{name}"] = json!({"get": {"summary": "One source as GET /v1/sources lists it (a declared one too): what the Location of a 201 of PUT /v1/sources/{name} names; 404 unknown-source",
                "parameters": [{"name": "name", "in": "path", "required": true, "schema": {"type": "string", "pattern": "^[a-z0-9_-]{1,64}$"}}],
                "responses": merge(json!({"200": {"description": "the source's listing entry", "content": {"application/json": {"schema": {"type": "object"}}}}}), problems(&["400", "404"]))},
            "put": {"summary": "Describe a source (bearer token): create it, or replace its description (the old source.json is kept in .history/); written durably, live at once. A source without a snapshot is declared (listed by GET /v1/sources) until its first ingest",
                "security": [{"bearer": []}],
                "parameters": [{"name": "name", "in": "path", "required": true, "schema": {"type": "string", "pattern": "^[a-z0-9_-]{1,64}$"}}],
                "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/SourceDescription"}}}},
                "responses": merge(json!({"201": {"description": "source (as GET /v1/sources lists it), state, live, replaced; Location: /v1/sources/{name}", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/SourceWritten"}}}},
                    "200": {"description": "replaced (the kept copy in replaced) or unchanged", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/SourceWritten"}}}}}),
                    problems(&["400", "401", "403", "409", "413", "415", "422"]))}});
    if let (Some(paths), Value::Object(more)) = (doc["paths"].as_object_mut(), dashboard_paths) {
        paths.extend(more);
    }
    doc
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use crate::catalog::Catalog;
    use crate::output::provenance::AnswerProvenance;
    use std::collections::BTreeSet;

    /// The member names of a serialised object and of a schema's properties (through allOf).
    fn keys(v: &Value) -> BTreeSet<String> {
        v.as_object().map(|o| o.keys().cloned().collect()).unwrap_or_default()
    }
    fn schema_keys(schemas: &Value, s: &Value) -> BTreeSet<String> {
        if let Some(r) = s.get("$ref").and_then(Value::as_str) {
            let name = r.trim_start_matches("#/components/schemas/");
            return schema_keys(schemas, &schemas[name]);
        }
        let mut out = keys(&s["properties"]);
        for part in s["allOf"].as_array().into_iter().flatten() {
            out.extend(schema_keys(schemas, part));
        }
        out
    }

    #[test]
    fn the_provenance_schemas_name_exactly_the_members_answers_have() {
        let cat = Catalog::load(&std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("geodata")).unwrap();
        let date = crate::model::parse_date("2024-05-01").unwrap();
        let f = cat.in_force(None, date).unwrap();
        let a = serde_json::to_value(AnswerProvenance::new(&f, date)).unwrap();
        let doc = document();
        let schemas = &doc["components"]["schemas"];
        let check = |name: &str, v: &Value| {
            assert_eq!(keys(v), schema_keys(schemas, &schemas[name]), "{name}");
        };
        // `not_drawn` is there only for a source without a grey zone (the example has one).
        assert!(a.get("not_drawn").is_none(), "{a}");
        let mut a = a;
        a.as_object_mut()
            .unwrap()
            .insert("not_drawn".into(), json!({"contested": "why"}));
        // `datetime` only when one was asked; `published_at` where the source gives instants.
        a.as_object_mut()
            .unwrap()
            .insert("datetime".into(), json!("2024-05-01T20:30:00Z"));
        // The terms as the source's description gives them (the example states a licence and
        // an attribution, no URL).
        for k in ["licence", "attribution"] {
            assert!(a.get(k).is_some(), "{a}");
        }
        assert!(a.get("source_url").is_none(), "{a}");
        a.as_object_mut().unwrap().insert("source_url".into(), json!("x"));
        a["snapshot"]
            .as_object_mut()
            .unwrap()
            .insert("published_at".into(), json!("2024-05-01T20:30:00Z"));
        check("AnswerProvenance", &a);
        check("NotDrawn", &a["not_drawn"]);
        check("SnapshotRef", &a["snapshot"]);
        check("BorderRef", &a["border"]);
        check("BaselineRef", &a["baselines"][0]);
        check(
            "SnapshotUsed",
            &serde_json::to_value(crate::output::provenance::SnapshotUsed::of(&AnswerProvenance::new(
                &f, date,
            )))
            .unwrap(),
        );
        let mut file = a["snapshot"]["provenance"].clone();
        file.as_object_mut().unwrap().insert("origin".into(), Value::Null);
        check("FileProvenance", &file);
        check(
            "FeatureProvenance",
            &serde_json::to_value(AnswerProvenance::new(&f, date).in_force.feature()).unwrap(),
        );
    }
}
