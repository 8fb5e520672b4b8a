//! GeoJSON (Multi)Polygon geometries to validated `geo` multipolygons.
//!
//! Written against `serde_json::Value` rather than through the `geojson` crate's conversions:
//! those panic on positions with fewer than two numbers and silently close open rings, and every
//! finding here must name the polygon, ring and position it is about.

use super::report::{FeatureProblem, FindingKind, MAX_PROBLEMS_LISTED, PositionProblem, Scope, Turn};
use geo::{Coord, LineString, MultiPolygon, Polygon};
use serde_json::Value;

/// Largest gap (degrees, per axis) between the ends of a ring that is repaired by closing it.
pub const CLOSE_RING_TOLERANCE_DEG: f64 = 1e-9;

/// Reads a GeoJSON `Polygon` or `MultiPolygon` geometry object into a valid multipolygon with
/// RFC 7946 orientation (exteriors counterclockwise, holes clockwise).
///
/// Every problem is recorded in `scope`; `None` is returned when there was any.
pub(crate) fn read_areal(geometry: &Value, scope: &mut Scope<'_>) -> Option<MultiPolygon<f64>> {
    let problems_before = scope.report.problems.len();
    let mp = read_areal_unvalidated(geometry, scope)?;
    for err in super::validity::problems(&mp) {
        scope.problem(None, FindingKind::InvalidGeometry(err));
    }
    (scope.report.problems.len() == problems_before).then_some(mp)
}

/// [`read_areal`] without the OGC validity check of the whole (positions, ring closure, ring
/// sizes and orientation are checked and repaired as there): for archives whose invalid
/// geometries are made valid by a union, with the repair reported by the caller.
pub(crate) fn read_areal_unvalidated(geometry: &Value, scope: &mut Scope<'_>) -> Option<MultiPolygon<f64>> {
    let Some(obj) = geometry.as_object() else {
        scope.problem(None, FeatureProblem::GeometryNotObject);
        return None;
    };
    // A legacy `crs` on the geometry itself: the one rule (GeoJSON 2008 allowed it here too).
    if let Err(p) = super::canonical::check_crs_member(obj) {
        scope.problem(None, p);
        return None;
    }
    let kind = obj.get("type").and_then(Value::as_str).unwrap_or("");
    let Some(coords) = obj.get("coordinates") else {
        scope.problem(
            None,
            FeatureProblem::NoCoordinates {
                geometry_type: kind.to_string(),
            },
        );
        return None;
    };
    if let Some(problem) = depth_problem(kind, depth_of_tree(coords)) {
        scope.problem(None, problem);
        return None;
    }
    let polygons: Vec<(Option<usize>, &Value)> = match kind {
        "Polygon" => vec![(None, coords)],
        "MultiPolygon" => match coords.as_array() {
            Some(ps) => ps.iter().enumerate().map(|(i, p)| (Some(i), p)).collect(),
            None => {
                scope.problem(None, FeatureProblem::MultiPolygonNotArray);
                return None;
            }
        },
        other => {
            scope.problem(None, FeatureProblem::GeometryTypeNotAllowed(other.to_string()));
            return None;
        }
    };
    let problems_before = scope.report.problems.len();
    let mut out = Vec::with_capacity(polygons.len());
    for (pi, rings) in polygons {
        if let Some(p) = read_polygon(pi, rings, scope) {
            out.push(p);
        }
    }
    if scope.report.problems.len() > problems_before {
        bound_problems(scope, problems_before);
        return None;
    }
    if out.is_empty() {
        scope.problem(
            None,
            FeatureProblem::NoPolygons {
                geometry_type: kind.to_string(),
            },
        );
        return None;
    }
    Some(MultiPolygon(out))
}

/// Keeps the first [`MAX_PROBLEMS_LISTED`] problems of one geometry (those recorded from
/// `from` on) and counts the rest in one finding, so that a message stays short whatever the
/// input (a polygon of 5,000 bad positions gave 5,000 sentences).
fn bound_problems(scope: &mut Scope<'_>, from: usize) {
    let total = scope.report.problems.len() - from;
    if total > MAX_PROBLEMS_LISTED {
        scope.report.problems.truncate(from + MAX_PROBLEMS_LISTED);
        scope.problem(
            None,
            FindingKind::ProblemsNotListed {
                total,
                listed: MAX_PROBLEMS_LISTED,
            },
        );
    }
}

/// The levels of arrays (Multi)Polygon coordinates of `kind` need: 4 and 3.
fn depth_needed(kind: &str) -> Option<usize> {
    match kind {
        "MultiPolygon" => Some(4),
        "Polygon" => Some(3),
        _ => None,
    }
}

/// The nesting depth is named as such where the first number of the coordinates lies at
/// another depth than the type needs (a MultiPolygon missing a level read every number as a
/// position that is not an array, one finding per number, never saying why).
fn depth_problem(kind: &str, found: Option<usize>) -> Option<FeatureProblem> {
    let need = depth_needed(kind)?;
    let found = found?;
    (found != need).then(|| FeatureProblem::CoordinatesDepth {
        geometry_type: kind.to_string(),
        need,
        found,
    })
}

/// How many arrays deep the first number of a coordinates tree lies (following first members);
/// `None` where the first leaf is not a number (an empty array, a string: other findings say).
fn depth_of_tree(v: &Value) -> Option<usize> {
    let mut depth = 0;
    let mut v = v;
    loop {
        match v {
            Value::Array(a) => {
                v = a.first()?;
                depth += 1;
            }
            Value::Number(_) => return Some(depth),
            _ => return None,
        }
    }
}

/// [`depth_of_tree`] on the coordinates' JSON text: the `[` before the first other character,
/// when that character starts a number.
fn depth_of_text(text: &str) -> Option<usize> {
    let mut depth = 0;
    for b in text.bytes() {
        match b {
            b'[' => depth += 1,
            b' ' | b'\t' | b'\n' | b'\r' => {}
            b'-' | b'0'..=b'9' => return Some(depth),
            _ => return None,
        }
    }
    None
}

fn place(pi: Option<usize>, ri: usize) -> String {
    let ring = if ri == 0 {
        "ring 0 (exterior)".to_string()
    } else {
        format!("ring {ri} (hole)")
    };
    match pi {
        Some(p) => format!("polygon {p}, {ring}"),
        None => ring,
    }
}

fn read_polygon(pi: Option<usize>, rings: &Value, scope: &mut Scope<'_>) -> Option<Polygon<f64>> {
    let Some(rings) = rings.as_array() else {
        scope.problem(place_polygon(pi), FeatureProblem::PolygonNotArray);
        return None;
    };
    if rings.is_empty() {
        scope.problem(place_polygon(pi), FeatureProblem::PolygonNoRings);
        return None;
    }
    let mut read = Vec::with_capacity(rings.len());
    for (ri, ring) in rings.iter().enumerate() {
        read.push(read_ring(pi, ri, ring, scope));
    }
    let mut read: Vec<LineString<f64>> = read.into_iter().collect::<Option<_>>()?;
    let exterior = read.remove(0);
    Some(Polygon::new(exterior, read))
}

fn place_polygon(pi: Option<usize>) -> Option<String> {
    pi.map(|p| format!("polygon {p}"))
}

fn read_ring(pi: Option<usize>, ri: usize, ring: &Value, scope: &mut Scope<'_>) -> Option<LineString<f64>> {
    let here = || Some(place(pi, ri));
    let Some(positions) = ring.as_array() else {
        scope.problem(here(), FeatureProblem::RingNotArray);
        return None;
    };
    let mut coords = Vec::with_capacity(positions.len());
    let mut ok = true;
    for (k, pos) in positions.iter().enumerate() {
        match read_position(pos) {
            Ok(c) => coords.push(c),
            Err(why) => {
                scope.problem(
                    Some(format!("{}, position {k}", place(pi, ri))),
                    FindingKind::Position(why),
                );
                ok = false;
            }
        }
    }
    if !ok {
        return None;
    }
    finish_ring(pi, ri, coords, scope)
}

/// The checks and repairs of a ring whose positions were all read: at least four positions,
/// closed (repaired within [`CLOSE_RING_TOLERANCE_DEG`]), no edge the long way round, an area,
/// RFC 7946 orientation (repaired). Shared by the tree reader above and the typed one
/// ([`read_areal_text`]).
fn finish_ring(
    pi: Option<usize>,
    ri: usize,
    mut coords: Vec<Coord<f64>>,
    scope: &mut Scope<'_>,
) -> Option<LineString<f64>> {
    let here = || Some(place(pi, ri));
    if coords.len() < 4 {
        scope.problem(here(), FindingKind::RingTooShort(coords.len()));
        return None;
    }
    let (first, last) = (coords[0], coords[coords.len() - 1]);
    if first != last {
        let gap = (first.x - last.x).abs().max((first.y - last.y).abs());
        if gap < CLOSE_RING_TOLERANCE_DEG {
            let n = coords.len() - 1;
            coords[n] = first;
            scope.repair(here(), FindingKind::RingClosed { gap_deg: gap });
        } else {
            scope.problem(
                here(),
                FindingKind::RingNotClosed {
                    first: [first.x, first.y],
                    last: [last.x, last.y],
                },
            );
            return None;
        }
    }
    if let Some((k, why)) = super::validity::long_edge(&coords) {
        scope.problem(
            Some(format!("{}, position {k}", place(pi, ri))),
            FindingKind::LongEdge(why),
        );
        return None;
    }
    let area2 = twice_signed_area(&coords);
    if area2 == 0.0 && all_collinear(&coords) {
        scope.problem(here(), FindingKind::RingWithoutArea);
        return None;
    }
    // A zero net area with corners off one line is a ring that crosses itself: the geometry
    // validation below names it, so its orientation is left alone here.
    let want_ccw = ri == 0;
    if area2 != 0.0 && (area2 > 0.0) != want_ccw {
        coords.reverse();
        let was = if want_ccw {
            Turn::Clockwise
        } else {
            Turn::Counterclockwise
        };
        scope.repair(here(), FindingKind::RingReversed { was });
    }
    Some(LineString(coords))
}

/// [`read_areal`] on a geometry's JSON text, read by typed serde visitors instead of a
/// `serde_json::Value` tree (a tree takes about 16 times its text; this keeps 16 bytes per
/// position): the same checks, findings and repairs, in the same order. `Err`: the text is not
/// JSON as the strict reader takes it (a duplicated key).
pub(crate) fn read_areal_text(
    text: &str,
    scope: &mut Scope<'_>,
) -> Result<Option<MultiPolygon<f64>>, serde_json::Error> {
    let problems_before = scope.report.problems.len();
    let Some(mp) = read_areal_text_unvalidated(text, scope)? else {
        return Ok(None);
    };
    for err in super::validity::problems(&mp) {
        scope.problem(None, FindingKind::InvalidGeometry(err));
    }
    Ok((scope.report.problems.len() == problems_before).then_some(mp))
}

fn read_areal_text_unvalidated(
    text: &str,
    scope: &mut Scope<'_>,
) -> Result<Option<MultiPolygon<f64>>, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_str(text);
    let parts = typed::GeometryParts::read(&mut de)?;
    de.end()?;
    let Some(parts) = parts else {
        scope.problem(None, FeatureProblem::GeometryNotObject);
        return Ok(None);
    };
    let kind = parts.kind.as_ref().and_then(Value::as_str).unwrap_or("");
    read_areal_members_unvalidated(kind, parts.crs, parts.coordinates, scope)
}

/// [`read_areal_text`] without the validity check of the whole, on a geometry object's members
/// as read by the caller: its `type`, its legacy `crs` (if any) and its `coordinates` as JSON
/// text (typed visitors, no `Value` tree). `Err`: the coordinates are not JSON as the strict
/// reader takes it (a duplicated key).
pub(crate) fn read_areal_members_unvalidated(
    kind: &str,
    crs: Option<Value>,
    coordinates: Option<&serde_json::value::RawValue>,
    scope: &mut Scope<'_>,
) -> Result<Option<MultiPolygon<f64>>, serde_json::Error> {
    use serde::de::DeserializeSeed;
    let mut crs_member = serde_json::Map::new();
    if let Some(c) = crs {
        crs_member.insert("crs".into(), c);
    }
    if let Err(p) = super::canonical::check_crs_member(&crs_member) {
        scope.problem(None, p);
        return Ok(None);
    }
    let kind = kind.to_string();
    let Some(coords) = coordinates else {
        scope.problem(None, FeatureProblem::NoCoordinates { geometry_type: kind });
        return Ok(None);
    };
    if let Some(problem) = depth_problem(&kind, depth_of_text(coords.get())) {
        scope.problem(None, problem);
        return Ok(None);
    }
    let problems_before = scope.report.problems.len();
    let mut de = serde_json::Deserializer::from_str(coords.get());
    let out = match kind.as_str() {
        "Polygon" => typed::PolygonSeed {
            pi: None,
            scope: &mut *scope,
        }
        .deserialize(&mut de)?
        .into_iter()
        .collect(),
        "MultiPolygon" => match (typed::MultiPolygonSeed { scope: &mut *scope }).deserialize(&mut de)? {
            Some(ps) => ps,
            None => {
                scope.problem(None, FeatureProblem::MultiPolygonNotArray);
                return Ok(None);
            }
        },
        other => {
            scope.problem(None, FeatureProblem::GeometryTypeNotAllowed(other.to_string()));
            return Ok(None);
        }
    };
    de.end()?;
    if scope.report.problems.len() > problems_before {
        bound_problems(scope, problems_before);
        return Ok(None);
    }
    if out.is_empty() {
        scope.problem(None, FeatureProblem::NoPolygons { geometry_type: kind });
        return Ok(None);
    }
    Ok(Some(MultiPolygon(out)))
}

/// The serde visitors of [`read_areal_text`]: each level of a (Multi)Polygon's coordinates read
/// into what is kept (rings as `Vec<Coord>`), anything else shown as the tree reader shows it.
mod typed {
    use super::super::report::{FeatureProblem, FindingKind, PositionProblem, Scope};
    use super::super::strict_json::{ByShape, Keys, Shape, Shown, Skip};
    use geo::{Coord, LineString, Polygon};
    use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
    use serde_json::Value;
    use serde_json::value::RawValue;
    use std::fmt;

    /// The visitor methods of the JSON scalars, each handing the scalar to `self.other`.
    macro_rules! scalars_to_other {
        () => {
            fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<Self::Value, E> {
                Ok(self.other(Value::Bool(v)))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Self::Value, E> {
                Ok(self.other(Value::from(v)))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Self::Value, E> {
                Ok(self.other(Value::from(v)))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Self::Value, E> {
                Ok(self.other(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number)))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(self.other(Value::String(v.to_string())))
            }
            fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
                Ok(self.other(Value::Null))
            }
            fn visit_none<E: serde::de::Error>(self) -> Result<Self::Value, E> {
                Ok(self.other(Value::Null))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                let v = Shown::of_map(map)?;
                Ok(self.other(v))
            }
        };
    }

    /// A geometry object's members (`None`: the geometry is not an object).
    pub(super) struct GeometryParts<'de> {
        pub kind: Option<Value>,
        pub crs: Option<Value>,
        pub coordinates: Option<&'de RawValue>,
    }

    impl<'de> GeometryParts<'de> {
        pub fn read(
            de: &mut serde_json::Deserializer<serde_json::de::StrRead<'de>>,
        ) -> Result<Option<Self>, serde_json::Error> {
            de.deserialize_any(ByShape(PartsVisitor))
        }
    }

    struct PartsVisitor;

    impl<'de> Shape<'de> for PartsVisitor {
        type Value = Option<GeometryParts<'de>>;
        const EXPECTING: &'static str = "a GeoJSON geometry";
        fn map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut parts = GeometryParts {
                kind: None,
                crs: None,
                coordinates: None,
            };
            let mut keys = Keys::default();
            while let Some(key) = map.next_key::<String>()? {
                match key.as_str() {
                    "type" => parts.kind = Some(map.next_value_seed(Shown)?),
                    "crs" => parts.crs = Some(map.next_value_seed(Shown)?),
                    "coordinates" => parts.coordinates = Some(map.next_value::<&'de RawValue>()?),
                    _ => map.next_value_seed(Skip)?,
                }
                keys.insert::<A::Error>(key)?;
            }
            Ok(Some(parts))
        }
    }

    /// A MultiPolygon's coordinates: its polygons (`None`: not an array).
    pub(super) struct MultiPolygonSeed<'s, 'a> {
        pub scope: &'s mut Scope<'a>,
    }

    impl<'de> DeserializeSeed<'de> for MultiPolygonSeed<'_, '_> {
        type Value = Option<Vec<Polygon<f64>>>;
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_any(self)
        }
    }

    impl MultiPolygonSeed<'_, '_> {
        fn other(self, _: Value) -> Option<Vec<Polygon<f64>>> {
            None
        }
    }

    impl<'de> Visitor<'de> for MultiPolygonSeed<'_, '_> {
        type Value = Option<Vec<Polygon<f64>>>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an array of polygons")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let mut out = Vec::new();
            let mut i = 0;
            while let Some(p) = seq.next_element_seed(PolygonSeed {
                pi: Some(i),
                scope: &mut *self.scope,
            })? {
                out.extend(p);
                i += 1;
            }
            Ok(Some(out))
        }
        scalars_to_other!();
    }

    /// One polygon's rings, checked as they are read (`None`: a problem, recorded).
    pub(super) struct PolygonSeed<'s, 'a> {
        pub pi: Option<usize>,
        pub scope: &'s mut Scope<'a>,
    }

    impl<'de> DeserializeSeed<'de> for PolygonSeed<'_, '_> {
        type Value = Option<Polygon<f64>>;
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_any(self)
        }
    }

    impl PolygonSeed<'_, '_> {
        fn other(self, _: Value) -> Option<Polygon<f64>> {
            self.scope
                .problem(super::place_polygon(self.pi), FeatureProblem::PolygonNotArray);
            None
        }
    }

    impl<'de> Visitor<'de> for PolygonSeed<'_, '_> {
        type Value = Option<Polygon<f64>>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an array of rings")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let pi = self.pi;
            let mut read = Vec::new();
            while let Some(ring) = seq.next_element_seed(RingSeed)? {
                let ri = read.len();
                let here = || Some(super::place(pi, ri));
                read.push(match ring {
                    None => {
                        self.scope.problem(here(), FeatureProblem::RingNotArray);
                        None
                    }
                    Some((coords, bad)) if bad.is_empty() => super::finish_ring(pi, ri, coords, self.scope),
                    Some((_, bad)) => {
                        for (k, why) in bad {
                            self.scope.problem(
                                Some(format!("{}, position {k}", super::place(pi, ri))),
                                FindingKind::Position(why),
                            );
                        }
                        None
                    }
                });
            }
            if read.is_empty() {
                self.scope
                    .problem(super::place_polygon(pi), FeatureProblem::PolygonNoRings);
                return Ok(None);
            }
            let Some(mut rings) = read.into_iter().collect::<Option<Vec<LineString<f64>>>>() else {
                return Ok(None);
            };
            let exterior = rings.remove(0);
            Ok(Some(Polygon::new(exterior, rings)))
        }
        scalars_to_other!();
    }

    /// A ring read: its good positions and the problems of the others (with their index);
    /// `None`: not an array.
    type RingRead = Option<(Vec<Coord<f64>>, Vec<(usize, PositionProblem)>)>;

    struct RingSeed;

    impl<'de> DeserializeSeed<'de> for RingSeed {
        type Value = RingRead;
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<RingRead, D::Error> {
            d.deserialize_any(self)
        }
    }

    impl RingSeed {
        fn other(self, _: Value) -> RingRead {
            None
        }
    }

    impl<'de> Visitor<'de> for RingSeed {
        type Value = RingRead;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an array of positions")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<RingRead, A::Error> {
            let mut coords = Vec::with_capacity(seq.size_hint().unwrap_or(0));
            let mut bad = Vec::new();
            let mut k = 0;
            while let Some(p) = seq.next_element_seed(PositionSeed)? {
                match p {
                    Ok(c) => coords.push(c),
                    Err(why) => bad.push((k, why)),
                }
                k += 1;
            }
            // The ring is kept as read: no spare capacity (up to half of it after doubling).
            coords.shrink_to_fit();
            Ok(Some((coords, bad)))
        }
        scalars_to_other!();
    }

    /// One position, checked as [`super::read_position`] checks it.
    struct PositionSeed;

    impl<'de> DeserializeSeed<'de> for PositionSeed {
        type Value = Result<Coord<f64>, PositionProblem>;
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_any(self)
        }
    }

    impl PositionSeed {
        fn other(self, v: Value) -> Result<Coord<f64>, PositionProblem> {
            Err(PositionProblem::NotAnArray(super::short(&v)))
        }
    }

    impl<'de> Visitor<'de> for PositionSeed {
        type Value = Result<Coord<f64>, PositionProblem>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a position")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let mut xy = [0.0; 2];
            let mut n = 0;
            let mut first_bad: Option<(usize, Value)> = None;
            while let Some(v) = seq.next_element_seed(NumberSeed)? {
                match v {
                    Ok(f) if n < 2 => xy[n] = f,
                    Ok(_) => {}
                    Err(shown) => {
                        first_bad.get_or_insert((n, shown));
                    }
                }
                n += 1;
            }
            if let Err(why) = super::check_position_len(n) {
                return Ok(Err(why));
            }
            if let Some((index, shown)) = first_bad {
                return Ok(Err(PositionProblem::NotANumber {
                    index,
                    shown: super::short(&shown),
                }));
            }
            // Numbers read from JSON are finite (serde_json refuses 1e400).
            Ok(crate::model::LonLat::new(xy[0], xy[1])
                .map(|p| Coord { x: p.lon(), y: p.lat() })
                .map_err(PositionProblem::OutOfRange))
        }
        scalars_to_other!();
    }

    /// A number of a position, or the value shown where it is not one.
    struct NumberSeed;

    impl<'de> DeserializeSeed<'de> for NumberSeed {
        type Value = Result<f64, Value>;
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_any(self)
        }
    }

    impl NumberSeed {
        fn other(self, v: Value) -> Result<f64, Value> {
            Err(v)
        }
    }

    impl<'de> Visitor<'de> for NumberSeed {
        type Value = Result<f64, Value>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a number")
        }
        fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
            Ok(Ok(v as f64))
        }
        fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
            Ok(Ok(v as f64))
        }
        fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
            Ok(Ok(v))
        }
        fn visit_bool<E>(self, v: bool) -> Result<Self::Value, E> {
            Ok(self.other(Value::Bool(v)))
        }
        fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
            Ok(self.other(Value::String(v.to_string())))
        }
        fn visit_unit<E>(self) -> Result<Self::Value, E> {
            Ok(self.other(Value::Null))
        }
        fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
            let v = Shown::of_seq(seq)?;
            Ok(self.other(v))
        }
        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
            let v = Shown::of_map(map)?;
            Ok(self.other(v))
        }
    }
}

/// Twice the planar signed area of a closed ring in lon/lat (positive = counterclockwise).
/// Orients every ring as [`read_areal`] does (exteriors counterclockwise, holes clockwise, by
/// the same shoelace sum), so that a geometry computed here reads back unchanged.
pub(crate) fn normalize_orientation(mp: &mut MultiPolygon<f64>) {
    for p in &mut mp.0 {
        p.exterior_mut(|r| orient(&mut r.0, true));
        p.interiors_mut(|rs| {
            for r in rs {
                orient(&mut r.0, false);
            }
        });
    }
}

fn orient(c: &mut [Coord<f64>], ccw: bool) {
    let a = twice_signed_area(c);
    if a != 0.0 && (a > 0.0) != ccw {
        c.reverse();
    }
}

fn twice_signed_area(c: &[Coord<f64>]) -> f64 {
    c.windows(2).map(|w| w[0].x * w[1].y - w[1].x * w[0].y).sum()
}

fn all_collinear(c: &[Coord<f64>]) -> bool {
    let a = c[0];
    let Some(b) = c.iter().find(|p| **p != a) else {
        return true;
    };
    c.iter().all(|p| {
        robust::orient2d(
            robust::Coord { x: a.x, y: a.y },
            robust::Coord { x: b.x, y: b.y },
            robust::Coord { x: p.x, y: p.y },
        ) == 0.0
    })
}

/// The one rule for how many numbers a GeoJSON position has, for every reader (polygons at
/// load, import and ingest, scenarios' exclusions, the batch routes' points): two or three (the
/// third, an altitude, is ignored); fewer or more are refused.
///
/// # Errors
/// [`PositionProblem::TooFewNumbers`] or [`PositionProblem::TooManyNumbers`].
pub fn check_position_len(n: usize) -> Result<(), PositionProblem> {
    match n {
        0 | 1 => Err(PositionProblem::TooFewNumbers(n)),
        2 | 3 => Ok(()),
        _ => Err(PositionProblem::TooManyNumbers(n)),
    }
}

/// Reads one position: two or three finite numbers ([`check_position_len`]), lon in
/// [-180, 180], lat in [-90, 90]. A third number (elevation) is allowed and ignored.
fn read_position(pos: &Value) -> Result<Coord<f64>, PositionProblem> {
    read_lonlat(pos).map(|p| Coord { x: p.lon(), y: p.lat() })
}

/// The one reader of a GeoJSON position given as a JSON value, for every reader that has one
/// (polygon rings here, the Point features of the batch routes): two or three numbers
/// ([`check_position_len`]), each a number (the third, an altitude, too, though it is then
/// ignored), the first two a valid [`crate::model::LonLat`].
///
/// # Errors
/// The [`PositionProblem`] of the first thing wrong.
pub fn read_lonlat(pos: &Value) -> Result<crate::model::LonLat, PositionProblem> {
    let Some(nums) = pos.as_array() else {
        return Err(PositionProblem::NotAnArray(short(pos)));
    };
    check_position_len(nums.len())?;
    let mut xy = [0.0; 2];
    for (i, v) in nums.iter().enumerate() {
        let Some(f) = v.as_f64() else {
            return Err(PositionProblem::NotANumber {
                index: i,
                shown: short(v),
            });
        };
        if !f.is_finite() {
            return Err(PositionProblem::NotFinite(i));
        }
        if i < 2 {
            xy[i] = f;
        }
    }
    crate::model::LonLat::new(xy[0], xy[1]).map_err(PositionProblem::OutOfRange)
}

fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.len() > 40 {
        format!("{}...", &s[..s.char_indices().nth(40).map_or(s.len(), |(i, _)| i)])
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::super::report::Report;
    use super::*;
    use serde_json::json;

    fn read(v: Value) -> (Option<MultiPolygon<f64>>, Report) {
        let mut report = Report::default();
        let mut scope = Scope {
            file: "t.geojson",
            feature: Some(0),
            report: &mut report,
        };
        let mp = read_areal(&v, &mut scope);
        (mp, report)
    }

    fn first_problem(v: Value) -> String {
        let (mp, r) = read(v);
        assert!(mp.is_none());
        r.problems[0].to_string()
    }

    #[test]
    fn accepts_ccw_and_repairs_cw() {
        let (mp, r) = read(json!({"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}));
        assert!(mp.is_some() && r.repairs.is_empty() && r.problems.is_empty());
        let (mp, r) = read(json!({"type":"Polygon","coordinates":[[[0,0],[1,1],[1,0],[0,0]]]}));
        let mp = mp.unwrap();
        assert!(twice_signed_area(&mp.0[0].exterior().0) > 0.0);
        assert_eq!(r.repairs.len(), 1);
        assert!(r.repairs[0].message().contains("was clockwise"), "{:?}", r.repairs);
    }

    #[test]
    fn closes_nearly_closed_ring_and_refuses_open_one() {
        let (mp, r) = read(json!({"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1e-12]]]}));
        assert!(mp.is_some());
        assert!(r.repairs[0].message().contains("closed a ring"));
        let p = first_problem(json!({"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0.5]]]}));
        assert!(p.contains("ring is not closed"), "{p}");
    }

    #[test]
    fn refuses_bad_rings_and_positions() {
        let p = first_problem(json!({"type":"Polygon","coordinates":[[[0,0],[1,0],[0,0]]]}));
        assert!(p.contains("ring has 3 positions"), "{p}");
        let p = first_problem(json!({"type":"Polygon","coordinates":[[[0,0],[200,0],[1,1],[0,0]]]}));
        assert!(
            p.contains("position 1") && p.contains("lon 200 must be a finite number in [-180, 180]"),
            "{p}"
        );
        let p = first_problem(json!({"type":"Polygon","coordinates":[[[0,0],["NaN",0],[1,1],[0,0]]]}));
        assert!(p.contains("coordinate 0 is \"NaN\", not a number"), "{p}");
        let p = first_problem(json!({"type":"Polygon","coordinates":[[[0,0],[1],[1,1],[0,0]]]}));
        assert!(p.contains("needs longitude and latitude"), "{p}");
        let p = first_problem(json!({"type":"Polygon","coordinates":[[[0,0],[1,1],[2,2],[0,0]]]}));
        assert!(p.contains("no area"), "{p}");
        let p = first_problem(json!({"type":"Point","coordinates":[0,0]}));
        assert!(p.contains("'Point' is not allowed"), "{p}");
    }

    #[test]
    fn refuses_an_edge_the_long_way_round_in_holes_and_parts_too() {
        let p =
            first_problem(json!({"type":"Polygon","coordinates":[[[179,50],[-179,50],[-179,51],[179,51],[179,50]]]}));
        assert!(
            p.contains("ring 0 (exterior), position 0") && p.contains("spans 358 degrees"),
            "{p}"
        );
        // A hole with a long edge inside a shell spanning the globe's width.
        let p = first_problem(json!({"type":"Polygon","coordinates":[
            [[-179.5,0],[-90,0],[0,0],[90,0],[179.5,0],[179.5,10],[90,10],[0,10],[-90,10],[-179.5,10],[-179.5,0]],
            [[-179,1],[-179,2],[179,2],[179,1],[-179,1]]]}));
        assert!(
            p.contains("ring 1 (hole), position 1") && p.contains("spans 358 degrees"),
            "{p}"
        );
        let p = first_problem(json!({"type":"MultiPolygon","coordinates":[
            [[[30,50],[31,50],[31,51],[30,50]]],
            [[[1,1],[2,1],[2,2],[1,1]]],
            [[[170,-10],[-170,-10],[-170,-9],[170,-10]]]]}));
        assert!(
            p.contains("polygon 2, ring 0 (exterior), position 0") && p.contains("340 degrees"),
            "{p}"
        );
    }

    #[test]
    fn refuses_bow_tie() {
        let p = first_problem(json!({"type":"Polygon","coordinates":[[[0,0],[1,1],[1,0],[0,1],[0,0]]]}));
        assert!(p.contains("self-intersection"), "{p}");
        let p = first_problem(json!({"type":"Polygon","coordinates":[[[0,0],[3,1],[3,0],[0,1],[0,0]]]}));
        assert!(p.contains("self-intersection"), "{p}");
    }

    /// Coordinates nested at the wrong depth are named as such, once; a geometry with many bad
    /// positions lists the first few and counts the rest, in both readers.
    #[test]
    fn wrong_depth_is_named_and_many_problems_are_summarised() {
        let missing_level =
            json!({"type":"MultiPolygon","coordinates":[[[37.0,47.5],[38.0,47.5],[38.0,48.0],[37.0,47.5]]]});
        let (mp, r) = read(missing_level);
        assert!(mp.is_none());
        assert_eq!(r.problems.len(), 1, "{:?}", r.problems);
        assert_eq!(
            r.problems[0].kind.to_string(),
            "MultiPolygon coordinates need 4 levels of arrays; found 3 (the first number is 3 arrays deep)"
        );
        assert_eq!(r.problems[0].kind.code(), "coordinates-depth");
        let too_deep = json!({"type":"Polygon","coordinates":[[[[37.0,47.5],[38.0,47.5],[38.0,48.0],[37.0,47.5]]]]});
        assert!(first_problem(too_deep).contains("Polygon coordinates need 3 levels of arrays; found 4"));
        // 5,000 positions of four numbers: three listed, the rest counted, one short message.
        let ring: Vec<Value> = (0..5000)
            .map(|i| json!([30.0 + f64::from(i) * 1e-4, 47.0, 0.0, 0.0]))
            .collect();
        let (mp, r) = read(json!({"type":"Polygon","coordinates":[ring]}));
        assert!(mp.is_none());
        assert_eq!(r.problems.len(), MAX_PROBLEMS_LISTED + 1, "{}", r.problems.len());
        let last = r.problems[MAX_PROBLEMS_LISTED].kind.to_string();
        assert_eq!(
            last,
            "5000 problems in this geometry in all: the first 3 are listed, 4997 more are not; the geometry is refused"
        );
        let all: usize = r.problems.iter().map(|p| p.to_string().len()).sum();
        assert!(all < 2000, "{all} bytes");
    }

    /// The typed reader (ingest, load) against the tree reader (importers, exclusions): the
    /// same multipolygon, problems and repairs, in the same order, for every shape of input.
    #[test]
    fn the_typed_reader_gives_the_tree_readers_findings() {
        let cases = [
            r#"{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}"#,
            r#"{"coordinates":[[[0,0],[1,1],[1,0],[0,0]]],"type":"Polygon"}"#,
            r#"{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1e-12]]]}"#,
            r#"{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0.5]]]}"#,
            r#"{"type":"Polygon","coordinates":[[[0,0],[1,0],[0,0]]]}"#,
            r#"{"type":"Polygon","coordinates":[[[0,0],[200,0],[1,1],[0,0]],[[0,0],[1,"x"],[true],{"a":1},[0,0,1,2]]]}"#,
            r#"{"type":"Polygon","coordinates":[[[0,0],["NaN",0],[1,1],[0,0]]]}"#,
            r#"{"type":"Polygon","coordinates":[[[0,0],[1],[1,1],[0,0]]]}"#,
            r#"{"type":"Polygon","coordinates":[[[0,0],[[1,2],[3,4]],[1,1],[0,0]]]}"#,
            r#"{"type":"Polygon","coordinates":[[[0,0],[1,1],[2,2],[0,0]]]}"#,
            r#"{"type":"Polygon","coordinates":[[0,0],[1,0],[1,1],[0,0]]}"#,
            r#"{"type":"Polygon","coordinates":[]}"#,
            r#"{"type":"Polygon","coordinates":{"a":[1]}}"#,
            r#"{"type":"Polygon","coordinates":[5,null]}"#,
            r#"{"type":"Polygon"}"#,
            r#"{"type":"Point","coordinates":[0,0]}"#,
            r#"{"type":7,"coordinates":[0,0]}"#,
            r#"{"type":"MultiPolygon","coordinates":[]}"#,
            r#"{"type":"MultiPolygon","coordinates":"x"}"#,
            r#"{"type":"MultiPolygon","coordinates":[[[[30,50],[31,50],[31,51],[30,50]]],[[[1,1],[2,1],[2,2],[1,1]]],[[[170,-10],[-170,-10],[-170,-9],[170,-10]]]]}"#,
            r#"{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,1],[0,0]]],[[[0.5,0.5],[2,0.5],[2,2],[0.5,2],[0.5,0.5]]]]}"#,
            r#"{"type":"Polygon","coordinates":[[[0,0],[1,1],[1,0],[0,1],[0,0]]]}"#,
            r#"{"type":"Polygon","crs":{"type":"name","properties":{"name":"EPSG:4326"}},"coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}"#,
            r#"{"type":"Polygon","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:OGC:1.3:CRS84"}},"coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}"#,
            r#"{"type":"Polygon","coordinates":[[[0,0,5],[1,0,5],[1,1,5],[0,0,5]],[[0.2,0.1],[0.6,0.5],[0.7,0.1],[0.2,0.1]]]}"#,
            r#"[1,2]"#,
            r#""Polygon""#,
            r#"{"type":"MultiPolygon","coordinates":[[[37.0,47.5],[38.0,47.5],[38.0,48.0],[37.0,47.5]]]}"#,
            r#"{"type":"Polygon","coordinates":[[[0,0,0,0],[1,0,0,0],[1,1,0,0],[0,1,0,0],[0,0,0,0]]]}"#,
        ];
        for text in cases {
            let value: Value = serde_json::from_str(text).unwrap();
            let (tree, tree_report) = read(value);
            let mut typed_report = Report::default();
            let mut scope = Scope {
                file: "t.geojson",
                feature: Some(0),
                report: &mut typed_report,
            };
            let typed = read_areal_text(text, &mut scope).unwrap();
            assert_eq!(typed, tree, "{text}");
            let render = |r: &Report| -> (Vec<String>, Vec<String>) {
                (
                    r.problems.iter().map(ToString::to_string).collect(),
                    r.repairs.iter().map(ToString::to_string).collect(),
                )
            };
            assert_eq!(render(&typed_report), render(&tree_report), "{text}");
        }
        // A key given twice is refused by both readers, at any depth.
        let mut report = Report::default();
        let mut scope = Scope {
            file: "t.geojson",
            feature: Some(0),
            report: &mut report,
        };
        for text in [
            r#"{"type":"Polygon","type":"Polygon","coordinates":[]}"#,
            r#"{"type":"Polygon","coordinates":[[[0,0],{"a":1,"a":2},[1,1],[0,0]]]}"#,
        ] {
            let e = read_areal_text(text, &mut scope).unwrap_err();
            assert!(e.to_string().contains("duplicated key"), "{e}");
        }
    }
}
