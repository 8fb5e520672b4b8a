//! DeepStateMap's own format where its clues disagree and where its inputs are odd: foreign is
//! where an area is drawn, words match whole, conflicts between clues are decided by the order
//! of trust and reported with counts, repairs are listed like other importers', imported
//! vertices keep their coordinates bit for bit (a point on a published edge is on the boundary),
//! every directory entry not imported is listed with why, gzip is told by its content, and a
//! polygon's problems are summarised.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use frontline::geodata::deepstate_api::{AreaClass, ClueConflict, ConflictKind, Tally};
use frontline::import::{Format, ImportOptions, ImportReport, import};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

mod common;

/// A square ring of `side` degrees at (x, y).
fn square(x: f64, y: f64, side: f64) -> Value {
    json!([[[x, y], [x + side, y], [x + side, y + side], [x, y + side], [x, y]]])
}

fn area(name: &str, fill: &str, coords: Value) -> Value {
    json!({"type": "Feature", "properties": {"name": name, "fill": fill},
           "geometry": {"type": "Polygon", "coordinates": coords}})
}

/// Writes a publication of 2023-12-13 (UTC unix seconds 1702400000) with `features`.
fn publication(dir: &Path, features: Vec<Value>) -> PathBuf {
    let p = dir.join("1702400000.geojson");
    std::fs::write(
        &p,
        json!({"type": "FeatureCollection", "features": features}).to_string(),
    )
    .unwrap();
    p
}

fn import_one(root: &Path, file: &Path, source: &str) -> ImportReport {
    let r = import(
        Format::DeepstateApi,
        &[file.to_path_buf()],
        &ImportOptions::new(source, root),
    )
    .unwrap();
    assert!(r.rejected.is_empty(), "{:?}", r.rejected);
    r
}

fn count(t: &Tally, class: &str, outcome: &str) -> usize {
    t.polygons.get(class).and_then(|o| o.get(outcome)).copied().unwrap_or(0)
}

fn conflicts(t: &Tally, kind: ConflictKind) -> Vec<&ClueConflict> {
    t.conflicts.iter().filter(|c| c.kind == kind).collect()
}

/// A polygon named for a place outside Ukraine but drawn inside the border is decided by the
/// other clues and the conflict reported; drawn outside, it is foreign. Words match whole.
#[test]
fn foreign_is_where_an_area_is_drawn_and_words_match_whole() {
    let dir = tempfile::tempdir().unwrap();
    let root = common::copy_embedded_geodata(dir.path(), false);
    let file = publication(
        dir.path(),
        vec![
            area(
                "Щось /// Bakhmut. Occupied by Wagner PMC",
                "#a52714",
                square(35.0, 48.5, 0.1),
            ),
            area("x /// Occupied Abkhazia", "#a52714", square(35.5, 48.5, 0.1)),
            // "salla" inside another word is not the place.
            area(
                "Щось /// Occupied Kinburn spit, near Vassalla",
                "#a52714",
                square(36.0, 48.5, 0.1),
            ),
            // Drawn in Abkhazia: foreign, dropped.
            area("x /// Occupied Abkhazia", "#a52714", square(41.0, 43.0, 0.2)),
            // A foreign name alone, drawn inside: no other clue tells, unknown (listed).
            area("x /// Salla", "#880e4f", square(36.5, 48.5, 0.1)),
        ],
    );
    let r = import_one(&root, &file, "ds");
    let t = r.classes.as_ref().unwrap();
    assert_eq!(count(t, "occupied_since_2022", "kept"), 3, "{:?}", t.polygons);
    assert_eq!(count(t, "foreign", "dropped"), 1, "{:?}", t.polygons);
    assert_eq!(count(t, "unknown", "dropped"), 1, "{:?}", t.polygons);
    assert_eq!(t.unknown[0].name.as_deref(), Some("x /// Salla"));
    let inside = conflicts(t, ConflictKind::ForeignInsideBorder);
    let occupied = inside.iter().find(|c| c.decided == "occupied_since_2022").unwrap();
    assert_eq!(occupied.polygons, 2, "{inside:?}");
    assert_eq!(occupied.example.feature, 0);
    assert_eq!(
        occupied.set_aside,
        [frontline::geodata::deepstate_api::AreaClass::Foreign]
    );
    let unknown = inside.iter().find(|c| c.decided == "unknown").unwrap();
    assert_eq!((unknown.polygons, unknown.decided_by), (1, None));
    // The JSON report names them by kind.
    let v = serde_json::to_value(&r).unwrap();
    let kinds: Vec<&str> = v["classes"]["conflicts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["kind"].as_str().unwrap())
        .collect();
    assert!(kinds.contains(&"foreign_inside_border"), "{kinds:?}");
}

/// A liberated or contested word beside a place held before 2022, and a name against its fill:
/// decided by the order of trust, reported with counts, never silently.
#[test]
fn conflicting_clues_are_decided_by_the_order_of_trust_and_reported() {
    let dir = tempfile::tempdir().unwrap();
    let root = common::copy_embedded_geodata(dir.path(), false);
    let file = publication(
        dir.path(),
        vec![
            area("Щось /// Liberated Crimea", "#0f9d58", square(34.0, 45.2, 0.1)),
            area("Щось /// CALR outskirts liberated", "#0f9d58", square(39.0, 48.5, 0.1)),
            area("Щось /// Unknown status near Tuzla", "#bcaaa4", square(36.0, 47.5, 0.1)),
            // The name against the fill: the name decides.
            area("x /// Occupied", "#0f9d58", square(37.0, 47.5, 0.1)),
        ],
    );
    let r = import_one(&root, &file, "ds");
    let t = r.classes.as_ref().unwrap();
    assert_eq!(count(t, "liberated", "dropped"), 2, "{:?}", t.polygons);
    assert_eq!(count(t, "contested", "kept"), 1, "{:?}", t.polygons);
    assert_eq!(count(t, "occupied_before_2022", "kept"), 0, "{:?}", t.polygons);
    assert_eq!(count(t, "occupied_since_2022", "kept"), 1, "{:?}", t.polygons);
    let words = conflicts(t, ConflictKind::NameWords);
    let n = |decided: &str| {
        words
            .iter()
            .filter(|c| c.decided == decided)
            .map(|c| c.polygons)
            .sum::<usize>()
    };
    assert_eq!((n("liberated"), n("contested")), (2, 1), "{words:?}");
    let against = conflicts(t, ConflictKind::NameAgainstFill);
    assert_eq!(against.len(), 1, "{:?}", t.conflicts);
    assert_eq!(against[0].decided, "occupied_since_2022");
    assert_eq!(against[0].example.name.as_deref(), Some("x /// Occupied"));
}

/// A self-crossing ring (a bow tie) is united by the nonzero rule, and that repair is listed in
/// the report and in the stored file's `repairs`, as every other repair.
#[test]
fn a_self_crossing_ring_is_a_listed_repair() {
    let dir = tempfile::tempdir().unwrap();
    let root = common::copy_embedded_geodata(dir.path(), false);
    let bow_tie = json!([[[37.0, 47.5], [37.2, 47.7], [37.2, 47.5], [37.0, 47.7], [37.0, 47.5]]]);
    let file = publication(dir.path(), vec![area("x /// Occupied", "#a52714", bow_tie)]);
    let r = import_one(&root, &file, "ds");
    let t = r.classes.as_ref().unwrap();
    assert_eq!(t.repaired.get("united_invalid"), Some(&1), "{:?}", t.repaired);
    let added = &r.added[0];
    assert!(
        added
            .repairs
            .iter()
            .any(|x| x.contains("invalid occupied_since_2022 geometry") && x.contains("feature 0")),
        "{:?}",
        added.repairs
    );
    let stored: Value = serde_json::from_str(&std::fs::read_to_string(root.join(&added.file)).unwrap()).unwrap();
    assert_eq!(stored["frontline"]["repairs"], json!(added.repairs), "{stored}");
}

/// Every vertex that is not a crossing keeps its input coordinates bit for bit, and a point on a
/// published edge or vertex is occupied, on the boundary.
#[test]
fn imported_vertices_keep_their_coordinates_and_points_on_them_are_on_the_boundary() {
    let dir = tempfile::tempdir().unwrap();
    let root = common::copy_embedded_geodata(dir.path(), false);
    let ring = json!([[[38.0, 47.7], [38.1, 47.7], [38.1, 47.8], [38.0, 47.8], [38.0, 47.7]]]);
    let file = publication(dir.path(), vec![area("x /// Occupied", "#a52714", ring.clone())]);
    let r = import_one(&root, &file, "e1702400000");
    let stored: Value = serde_json::from_str(&std::fs::read_to_string(root.join(&r.added[0].file)).unwrap()).unwrap();
    let feature = stored["features"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["properties"]["class"] == "occupied_since_2022")
        .unwrap();
    let bits = |v: &Value| -> Vec<(u64, u64)> {
        let mut out: Vec<(u64, u64)> = v
            .as_array()
            .unwrap()
            .iter()
            .map(|p| (p[0].as_f64().unwrap().to_bits(), p[1].as_f64().unwrap().to_bits()))
            .collect();
        out.pop();
        out.sort_unstable();
        out
    };
    let stored_ring = &feature["geometry"]["coordinates"][0][0];
    assert_eq!(bits(stored_ring), bits(&ring[0]), "{stored_ring}");
    let date = r.added[0].date.to_string();
    for (lon, lat) in [("38.1", "47.75"), ("38.1", "47.7"), ("38.05", "47.8")] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_frontline"))
            .args(["query", "--data", root.to_str().unwrap(), "--source", "e1702400000"])
            .args(["--lon", lon, "--lat", lat, "--date", &date, "--raw"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let a: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(a["status"], "occupied", "({lon}, {lat}): {a}");
        assert_eq!(a["on_boundary"], true, "({lon}, {lat}): {a}");
    }
}

/// A directory's entries that are not imported are listed with why; gzip is told by its
/// content and extensions are compared in any case.
#[test]
fn directory_entries_not_imported_are_listed_and_gzip_is_told_by_content() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let root = common::copy_embedded_geodata(dir.path(), false);
    let inputs = dir.path().join("in");
    std::fs::create_dir_all(inputs.join("sub")).unwrap();
    let doc = json!({"type": "FeatureCollection", "features": [
        area("x /// Occupied", "#a52714", square(37.0, 47.5, 0.1))]})
    .to_string();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(doc.as_bytes()).unwrap();
    let gz = gz.finish().unwrap();
    std::fs::write(inputs.join("1649581805.GEOJSON.GZ"), &gz).unwrap();
    std::fs::write(inputs.join("README.md"), "notes").unwrap();
    std::fs::write(inputs.join("notes.geojson"), &doc).unwrap();
    std::fs::write(inputs.join("sub/1700002200.geojson"), &doc).unwrap();
    let r = import(
        Format::DeepstateApi,
        std::slice::from_ref(&inputs),
        &ImportOptions::new("ds", &root),
    )
    .unwrap();
    assert_eq!(r.files, 1);
    assert!(r.rejected.is_empty(), "{:?}", r.rejected);
    assert_eq!(r.added.len(), 1);
    let skipped: Vec<(String, &str)> = r
        .skipped
        .iter()
        .map(|s| {
            (
                Path::new(&s.file).file_name().unwrap().to_string_lossy().into_owned(),
                s.why.code(),
            )
        })
        .collect();
    assert_eq!(
        skipped,
        [
            ("README.md".to_string(), "unsupported-extension"),
            ("notes.geojson".to_string(), "not-named-as-format"),
            ("sub".to_string(), "folder"),
        ]
    );
    let v = serde_json::to_value(&r).unwrap();
    assert_eq!(v["skipped"][2]["why"]["kind"], "folder", "{v}");
    assert!(
        v["skipped"][2]["why"]["message"]
            .as_str()
            .unwrap()
            .contains("not descended")
    );
    // Gzip under a name without .gz, given explicitly: read by its content.
    let plain_named = dir.path().join("1700000000.geojson");
    std::fs::write(&plain_named, &gz).unwrap();
    let r = import_one(&root, &plain_named, "other");
    assert_eq!(r.added.len(), 1);
}

/// A polygon of 5,000 positions of four numbers: its problems are summarised, a short reason.
#[test]
fn a_polygons_problems_are_summarised() {
    let dir = tempfile::tempdir().unwrap();
    let root = common::copy_embedded_geodata(dir.path(), false);
    let ring: Vec<Value> = (0..5000)
        .map(|i| json!([37.0 + f64::from(i) * 1e-5, 47.5, 0, 0]))
        .collect();
    let file = publication(
        dir.path(),
        vec![
            area("x /// Occupied", "#a52714", json!([ring])),
            area("x /// Occupied", "#a52714", square(37.0, 47.5, 0.1)),
        ],
    );
    let r = import_one(&root, &file, "ds");
    let t = r.classes.as_ref().unwrap();
    assert_eq!(t.invalid.len(), 1);
    let reason = &t.invalid[0].reason;
    assert!(reason.len() < 2000, "{} bytes", reason.len());
    assert!(
        reason.contains("5000 problems in this geometry in all: the first 3 are listed, 4997 more are not"),
        "{reason}"
    );
    let repairs: usize = r.added[0].repairs.iter().map(String::len).sum();
    assert!(repairs < 4000, "{repairs} bytes of repairs");
}

/// A feature of the given geometry.
fn feature(name: &str, fill: &str, geometry: Value) -> Value {
    json!({"type": "Feature", "properties": {"name": name, "fill": fill}, "geometry": geometry})
}

/// Issue 13 (fresh tester): a MultiPolygon named for a place outside Ukraine with one part drawn
/// there and one inside the border was decided as a whole (foreign: the part inside dropped),
/// where a GeometryCollection of the same parts is decided part by part. Now each polygon of a
/// MultiPolygon is decided on its own, as each member of a collection is: the same counts,
/// conflicts and areas either way.
#[test]
fn a_multipolygon_is_decided_polygon_by_polygon_as_a_collection_is() {
    // Transnistria (outside) and a square in Donetsk oblast (inside), the outside part larger.
    let (outside, inside) = (square(29.4, 46.8, 0.3), square(37.0, 47.5, 0.1));
    let parts = [json!([outside[0].clone()]), json!([inside[0].clone()])];
    let multi = json!({"type": "MultiPolygon", "coordinates": parts});
    let collection = json!({"type": "GeometryCollection", "geometries": [
        {"type": "Polygon", "coordinates": outside},
        {"type": "Polygon", "coordinates": inside},
    ]});
    let mut tallies = Vec::new();
    for geometry in [multi, collection] {
        let dir = tempfile::tempdir().unwrap();
        let root = common::copy_embedded_geodata(dir.path(), false);
        let file = publication(
            dir.path(),
            vec![feature("Придністров'я /// Transnistria", "#a52714", geometry)],
        );
        let r = import_one(&root, &file, "ds");
        let t = r.classes.clone().unwrap();
        assert_eq!(count(&t, "foreign", "dropped"), 1, "{:?}", t.polygons);
        assert_eq!(count(&t, "occupied_since_2022", "kept"), 1, "{:?}", t.polygons);
        let inside = conflicts(&t, ConflictKind::ForeignInsideBorder);
        assert_eq!(inside.len(), 1, "{:?}", t.conflicts);
        assert_eq!(
            (inside[0].decided.as_str(), inside[0].polygons),
            ("occupied_since_2022", 1)
        );
        // The part inside is what is occupied: 0.1 x 0.1 degree at 47.5 N.
        let g = frontline::geodata::load_dir(&root).unwrap().geodata;
        let s = &g.sources.iter().find(|s| s.name == "ds").unwrap().snapshots[0];
        let km2: f64 = s
            .features
            .iter()
            .map(|f| frontline::geodesy::area_km2(&f.geometry))
            .sum();
        assert!((80.0..90.0).contains(&km2), "{km2}");
        tallies.push((t.polygons.clone(), t.decided_by.clone(), t.conflicts.len()));
    }
    assert_eq!(tallies[0], tallies[1]);
}

/// Issue 13 (fresh tester): a name with mixed signals (`Liberated/Occupied`) was decided without
/// a word. Now a name whose words say two statuses, in any of the languages DeepState writes
/// (English, Ukrainian), and a name whose languages say different statuses (`Звільнено ///
/// Occupied`) are conflicts in the report (`name_words`, `name_languages`), decided by the order
/// of trust; a negation that holds the word of occupation is not one.
#[test]
fn mixed_and_contradictory_names_are_reported_conflicts() {
    let dir = tempfile::tempdir().unwrap();
    let root = common::copy_embedded_geodata(dir.path(), false);
    let file = publication(
        dir.path(),
        vec![
            area("Щось /// Liberated/Occupied", "#a52714", square(35.0, 48.5, 0.1)),
            area("Звільнено/Окуповано", "#a52714", square(35.2, 48.5, 0.1)),
            area("Щось /// Unknown status, occupied", "#a52714", square(35.4, 48.5, 0.1)),
            area("Звільнено /// Occupied", "#a52714", square(35.6, 48.5, 0.1)),
            area("Під питанням /// Occupied", "#a52714", square(35.8, 48.5, 0.1)),
            // Not conflicts: a negation, a place with its status, one status in both languages.
            area(
                "Не окупована /// No longer occupied",
                "#0f9d58",
                square(36.0, 48.5, 0.1),
            ),
            area(
                "Окупований Крим /// Occupied Crimea",
                "#880e4f",
                square(34.0, 45.2, 0.1),
            ),
            area("Окуповано /// Occupied", "#a52714", square(36.2, 48.5, 0.1)),
        ],
    );
    let r = import_one(&root, &file, "ds");
    let t = r.classes.as_ref().unwrap();
    let words = conflicts(t, ConflictKind::NameWords);
    let of = |list: &[&ClueConflict], decided: &str| -> usize {
        list.iter().filter(|c| c.decided == decided).map(|c| c.polygons).sum()
    };
    assert_eq!((of(&words, "liberated"), of(&words, "contested")), (2, 1), "{words:?}");
    assert!(
        words.iter().all(|c| c.set_aside == [AreaClass::OccupiedSince2022]),
        "{words:?}"
    );
    let languages = conflicts(t, ConflictKind::NameLanguages);
    assert_eq!(of(&languages, "occupied_since_2022"), 2, "{languages:?}");
    let aside: Vec<&[AreaClass]> = languages.iter().map(|c| c.set_aside.as_slice()).collect();
    assert!(aside.contains(&[AreaClass::Liberated].as_slice()) && aside.contains(&[AreaClass::Contested].as_slice()));
    // Nothing else is a conflict but the fills against the names that decided otherwise.
    let others: usize = t
        .conflicts
        .iter()
        .filter(|c| {
            !matches!(
                c.kind,
                ConflictKind::NameWords | ConflictKind::NameLanguages | ConflictKind::NameAgainstFill
            )
        })
        .map(|c| c.polygons)
        .sum();
    assert_eq!(others, 0, "{:?}", t.conflicts);
    // Typed in the JSON report, and in the text.
    let v = serde_json::to_value(&r).unwrap();
    let kinds: Vec<&str> = v["classes"]["conflicts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["kind"].as_str().unwrap())
        .collect();
    assert!(
        kinds.contains(&"name_words") && kinds.contains(&"name_languages"),
        "{kinds:?}"
    );
    assert!(
        languages[0].to_string().starts_with("name_languages: "),
        "{}",
        languages[0]
    );
}

/// Issue 13 (fresh tester): `repaired.third_coordinate` counted a polygon that was refused.
/// Repairs are counted for what is kept only; the refused polygon is counted as `invalid`.
#[test]
fn repairs_are_counted_for_kept_polygons_only() {
    let dir = tempfile::tempdir().unwrap();
    let root = common::copy_embedded_geodata(dir.path(), false);
    // Three positions: not a ring. With a third coordinate and reversed.
    let refused = json!([[[37.0, 47.5, 0], [37.0, 47.6, 0], [37.0, 47.5, 0]]]);
    let file = publication(
        dir.path(),
        vec![
            area("x /// Occupied", "#a52714", refused),
            area("x /// Occupied", "#a52714", square(37.2, 47.5, 0.1)),
        ],
    );
    let r = import_one(&root, &file, "ds");
    let t = r.classes.as_ref().unwrap();
    assert_eq!(count(t, "occupied_since_2022", "invalid"), 1, "{:?}", t.polygons);
    assert_eq!(count(t, "occupied_since_2022", "kept"), 1, "{:?}", t.polygons);
    assert_eq!(t.repaired.get("third_coordinate"), None, "{:?}", t.repaired);
    // The same polygon with a third coordinate, kept: counted.
    let file = publication(
        dir.path(),
        vec![area(
            "x /// Occupied",
            "#a52714",
            json!([[[37.2, 47.5, 0], [37.3, 47.5, 0], [37.3, 47.6, 0], [37.2, 47.5, 0]]]),
        )],
    );
    let fresh = tempfile::tempdir().unwrap();
    let root = common::copy_embedded_geodata(fresh.path(), false);
    let r = import_one(&root, &file, "ds");
    assert_eq!(r.classes.unwrap().repaired.get("third_coordinate"), Some(&1));
}

/// Issue 13 (fresh tester, F2): a polygon whose name tells no class (`Багатокутник 23`,
/// "Polygon 23") is classified by its fill where the fill tells, and counted as a conflict
/// `name_not_read` in the report either way, never silently; names in either language, with
/// `///`, `//` or no separator, are read.
#[test]
fn a_name_not_read_is_counted_and_the_fill_still_classifies() {
    let dir = tempfile::tempdir().unwrap();
    let root = common::copy_embedded_geodata(dir.path(), false);
    let file = publication(
        dir.path(),
        vec![
            area("Багатокутник 23", "#bcaaa4", square(35.0, 48.5, 0.1)),
            area("Зміїний /// Snake Island", "#a52714", square(35.2, 48.5, 0.1)),
            area("Багатокутник 54", "#fbc02d", square(35.4, 48.5, 0.1)),
            // Read: English alone, `//`, Ukrainian alone.
            area("Occupied", "#0f9d58", square(35.6, 48.5, 0.1)),
            area("Щось // Grey zone", "#a52714", square(35.8, 48.5, 0.1)),
            area("Статус невідомий", "#bcaaa4", square(36.0, 48.5, 0.1)),
        ],
    );
    let r = import_one(&root, &file, "ds");
    let t = r.classes.as_ref().unwrap();
    assert_eq!(count(t, "contested", "kept"), 3, "{:?}", t.polygons);
    assert_eq!(count(t, "occupied_since_2022", "kept"), 2, "{:?}", t.polygons);
    assert_eq!(count(t, "unknown", "dropped"), 1, "{:?}", t.polygons);
    let not_read = conflicts(t, ConflictKind::NameNotRead);
    let of = |decided: &str| -> usize {
        not_read
            .iter()
            .filter(|c| c.decided == decided)
            .map(|c| c.polygons)
            .sum()
    };
    assert_eq!(
        (of("contested"), of("occupied_since_2022"), of("unknown")),
        (1, 1, 1),
        "{not_read:?}"
    );
    assert!(not_read.iter().all(|c| c.set_aside.is_empty()));
    let contested = not_read.iter().find(|c| c.decided == "contested").unwrap();
    assert_eq!(
        contested.decided_by,
        Some(frontline::geodata::deepstate_api::Clue::Fill)
    );
    assert_eq!(contested.example.name.as_deref(), Some("Багатокутник 23"));
    assert_eq!(
        contested.to_string(),
        format!(
            "name_not_read: 1 polygon(s) classified contested by its fill; e.g. {} feature 0 (name \"Багатокутник 23\")",
            file.display()
        )
    );
    // The names read decided against their fills (reported as such), not as unread.
    assert_eq!(
        conflicts(t, ConflictKind::NameAgainstFill).len(),
        2,
        "{:?}",
        t.conflicts
    );
    let v = serde_json::to_value(&r).unwrap();
    let kinds: Vec<&str> = v["classes"]["conflicts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["kind"].as_str().unwrap())
        .collect();
    assert!(kinds.contains(&"name_not_read"), "{kinds:?}");
}
