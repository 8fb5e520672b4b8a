//! Batch answers over GeoJSON FeatureCollections of points, read as a stream: classification
//! (each feature gains `status`, `snapshot`, ...) and histories (each gains `history`).
//!
//! The body is never parsed whole into a tree (a `serde_json::Value` of a 64 MiB collection
//! takes about 1.6 GB): a serde `DeserializeSeed` walks the collection's members and hands the
//! features to the caller in blocks of [`BLOCK`] as they are read, each feature parsed on its
//! own (duplicated keys refused, as everywhere). Each block is answered on both cores and
//! written out at once, so that memory grows with the answer, not with the tree of the body.
//! The answer is the one a whole-tree parse gave: the collection's other members kept, keys in
//! the order `serde_json::Value` writes them (sorted), the `frontline` member added.
//!
//! Memory is bounded by the body's text, never by what it parses into (a tree of small JSON
//! numbers takes about 30 times its text): every part kept is read with a byte limit
//! (`geodata::strict_json::Bounded`), stopping as soon as the parser passes it. One
//! feature is at most [`MAX_FEATURE_BYTES`] of JSON with at most [`MAX_PROPERTIES`]
//! properties; the collection's other (foreign) members, copied into the answer, at most
//! [`MAX_MEMBERS_BYTES`] together; a Point's coordinates are a position (2 or 3 numbers); a
//! block is answered once it holds [`BLOCK`] features or [`BLOCK_BYTES`] of their text.
//!
//! Nothing the caller sent is overwritten: a feature's properties must be an object or null, and
//! none may be named like a member the answer writes into them (the answer's own list,
//! `output::points`), or the batch is refused naming the feature and the property
//! ([`BatchError::ReservedProperty`]), as a CSV column named like an answer's is.

use crate::catalog::{CatalogError, InForce};
use crate::geodata::PositionProblem;
use crate::geodata::strict_json::{Bounded, CountingReader};
use crate::model::LonLat;
use crate::output::points::{ClassifiedProperties, HistoryProperties, set_properties};
use crate::output::provenance::AnswerProvenance;
use crate::query::history::HistoryProvenance;
use bytes::Bytes;
use rayon::prelude::*;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};
use std::fmt;
use std::io::Read;

/// Features read before a block is answered.
pub const BLOCK: usize = 4096;

/// Bytes of feature text read before a block is answered (whatever the number of features).
pub const BLOCK_BYTES: u64 = 4 << 20;

/// Most bytes of JSON text of one feature (its properties, geometry and other members).
pub const MAX_FEATURE_BYTES: u64 = 64 << 10;

/// Most members of one feature's `properties`.
pub const MAX_PROPERTIES: usize = 1000;

/// Most bytes of JSON text of the collection's members other than `features` together (they are
/// copied into the answer).
pub const MAX_MEMBERS_BYTES: u64 = 64 << 10;

/// Why a batch was refused.
#[derive(Debug, thiserror::Error)]
pub enum BatchError {
    /// The body is not JSON.
    #[error("invalid JSON at line {line}, column {column}: {message}")]
    Json {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// The body is JSON but not a FeatureCollection.
    #[error("body must be a GeoJSON FeatureCollection of Point features")]
    NotFeatureCollection,
    /// No `features` array.
    #[error("'features' is missing or not an array")]
    NoFeatures,
    /// A feature is not a Point feature, or its coordinate is invalid.
    #[error("feature {index}: {message}")]
    Feature {
        /// 0-based index in `features`.
        index: usize,
        /// What is wrong.
        message: String,
    },
    /// A legacy `crs` member that is not CRS84 (the one rule,
    /// [`crate::geodata::canonical::check_crs_member`]); `index`: the feature it is on, `None`
    /// for the collection.
    #[error("{}{problem}", index.map(|i| format!("feature {i}: ")).unwrap_or_default())]
    Crs {
        /// 0-based index in `features`, `None` for the collection's own member.
        index: Option<usize>,
        /// What is wrong.
        problem: crate::geodata::FileProblem,
    },
    /// More features than allowed.
    #[error("more than {limit} features; at most {limit} points per request")]
    TooMany {
        /// The limit.
        limit: u64,
    },
    /// A feature's JSON text is longer than [`MAX_FEATURE_BYTES`].
    #[error(
        "feature {index}: more than {limit} bytes of JSON; a feature is at most {limit} bytes (properties, geometry and other members)"
    )]
    FeatureTooLarge {
        /// 0-based index in `features`.
        index: usize,
        /// The limit, bytes.
        limit: u64,
    },
    /// A feature has more than [`MAX_PROPERTIES`] properties.
    #[error("feature {index}: {count} properties; a feature has at most {limit}")]
    TooManyProperties {
        /// 0-based index in `features`.
        index: usize,
        /// Properties given.
        count: usize,
        /// The limit.
        limit: usize,
    },
    /// A feature's properties name members the answer writes into them (a classification's
    /// `status`, `snapshot`, ...; a history's `history`, `snapshot`, ...: the answer's own list,
    /// [`crate::output::points::classified_members`] and
    /// [`crate::output::points::history_members`]): refused, as the answer would overwrite them.
    /// Names are compared exactly, as JSON's are (`Status`, `status_old` pass through).
    #[error("{}", reserved_message(*index, id.as_deref(), properties, answer))]
    ReservedProperty {
        /// 0-based index in `features`.
        index: usize,
        /// The feature's `id` member as JSON text (a string or a number), where it has one.
        id: Option<String>,
        /// The properties named like members of the answer, in name order.
        properties: Vec<String>,
        /// Every member the answer writes.
        answer: &'static [String],
    },
    /// The collection has a member the answer writes at its own level (`frontline`, the
    /// answer's provenance): refused, as the answer would replace it.
    #[error(
        "the collection's member '{member}' is one the answer writes (its provenance), so the answer would replace it; rename or drop it in the input"
    )]
    ReservedMember {
        /// The member.
        member: String,
    },
    /// The collection's members other than `features` are longer than [`MAX_MEMBERS_BYTES`].
    #[error(
        "the collection's members other than 'features' take more than {limit} bytes of JSON (at '{member}'); at most {limit} bytes, as they are copied into the answer"
    )]
    MembersTooLarge {
        /// The member being read when the limit was passed.
        member: String,
        /// The limit, bytes.
        limit: u64,
    },
    /// The source or date is not answerable.
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    /// Reading the body failed (the reader's own error, kept for the caller to classify).
    #[error("could not read the request body: {0}")]
    Io(std::io::Error),
}

/// The sentence of [`BatchError::ReservedProperty`].
fn reserved_message(index: usize, id: Option<&str>, properties: &[String], answer: &[String]) -> String {
    let named = properties
        .iter()
        .map(|p| format!("'{p}'"))
        .collect::<Vec<_>>()
        .join(", ");
    let (noun, verb, it) = if properties.len() == 1 {
        ("property", "is a member", "it")
    } else {
        ("properties", "are members", "them")
    };
    format!(
        "feature {index}{}: the {noun} {named} {verb} the answer writes into every feature's properties, so the answer would overwrite {it}; rename or drop {it} in the input (the answer writes {})",
        id.map(|id| format!(" (id {id})")).unwrap_or_default(),
        answer.join(", ")
    )
}

/// The `id` member of a feature as JSON text, where it is a string or a number (RFC 7946 3.2),
/// cut to 80 characters for a message.
fn feature_id(feature: &Value) -> Option<String> {
    let id = feature.get("id").filter(|v| v.is_string() || v.is_number())?;
    let text = id.to_string();
    Some(if text.chars().count() > 80 {
        format!("{}...", text.chars().take(80).collect::<String>())
    } else {
        text
    })
}

/// Checks the properties of feature `index`: an object or null (or absent), none of them named
/// like a member in `answer` (exact names: JSON's are case-sensitive). Only top-level names
/// can clash: the answer sets members of `properties`, never inside a caller's value.
fn check_properties(feature: &Value, index: usize, answer: &'static [String]) -> Result<(), BatchError> {
    match feature.get("properties") {
        None | Some(Value::Null) => Ok(()),
        Some(Value::Object(props)) => {
            let clashes: Vec<String> = props.keys().filter(|k| answer.contains(*k)).cloned().collect();
            if clashes.is_empty() {
                Ok(())
            } else {
                Err(BatchError::ReservedProperty {
                    index,
                    id: feature_id(feature),
                    properties: clashes,
                    answer,
                })
            }
        }
        Some(other) => Err(BatchError::Feature {
            index,
            message: format!(
                "properties is {}; a feature's properties are an object or null (RFC 7946 3.2), so that the answer's members can be set beside the caller's",
                json_kind(other)
            ),
        }),
    }
}

/// The kind of a JSON value, for a message.
fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// One Point feature as read, with its position.
#[derive(Debug)]
pub struct PointFeature {
    /// The feature as given.
    pub value: Value,
    /// Its position, checked once as it was read.
    pub at: LonLat,
}

/// An answer: a GeoJSON document in three parts (the members before `features`, the features,
/// the members after), so that nothing large is ever copied.
#[derive(Debug)]
pub struct BatchAnswer {
    /// `{`, the members before `features`, and `"features":`.
    pub head: Bytes,
    /// The `features` array without its closing bracket.
    pub features: AnswerFeatures,
    /// `]`, the members after `features`, and `}`.
    pub tail: Bytes,
}

/// The written `features` array: in memory, or in an unnamed temporary file once it outgrew
/// [`SPILL`] (the answer can be several times the body: each feature gains its provenance).
#[derive(Debug)]
pub enum AnswerFeatures {
    /// Pieces of about [`PIECE`] bytes.
    Memory(Vec<Bytes>),
    /// An unnamed temporary file (deleted when closed) and its length in bytes.
    File(std::fs::File, u64),
}

impl BatchAnswer {
    /// Bytes in all.
    pub fn len(&self) -> u64 {
        let features = match &self.features {
            AnswerFeatures::Memory(pieces) => pieces.iter().map(|b| b.len() as u64).sum(),
            AnswerFeatures::File(_, len) => *len,
        };
        self.head.len() as u64 + features + self.tail.len() as u64
    }

    /// Whether it is empty (never, for a written answer).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The whole document in one buffer (tests).
    ///
    /// # Errors
    /// If the temporary file cannot be read back.
    pub fn to_vec(&mut self) -> std::io::Result<Vec<u8>> {
        use std::io::{Seek, SeekFrom};
        let mut out = self.head.to_vec();
        match &mut self.features {
            AnswerFeatures::Memory(pieces) => pieces.iter().for_each(|b| out.extend_from_slice(b)),
            AnswerFeatures::File(file, _) => {
                file.seek(SeekFrom::Start(0))?;
                file.read_to_end(&mut out)?;
            }
        }
        out.extend_from_slice(&self.tail);
        Ok(out)
    }
}

/// The visitor methods of every JSON scalar (string, boolean, number, null), each refusing the
/// value with one error: where a collection or its `features` array must stand.
macro_rules! refuse_scalars {
    ($err:expr) => {
        fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
            Err(self.ctx.fail($err))
        }
        fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
            Err(self.ctx.fail($err))
        }
        fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
            Err(self.ctx.fail($err))
        }
        fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
            Err(self.ctx.fail($err))
        }
        fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
            Err(self.ctx.fail($err))
        }
        fn visit_unit<E: de::Error>(self) -> Result<(), E> {
            Err(self.ctx.fail($err))
        }
    };
}

/// Reads a FeatureCollection of Point features from `input`, handing the features to `block` in
/// blocks of up to [`BLOCK`] with the index of the first, in document order; returns the other
/// members of the collection. More than `max_points` features is [`BatchError::TooMany`]; a
/// feature whose properties name a member of `answer` (the members the answer writes into every
/// feature's properties) is [`BatchError::ReservedProperty`], and one whose properties are
/// neither an object nor null a [`BatchError::Feature`], both before the feature is answered.
pub fn read_point_blocks<R: Read>(
    input: R,
    max_points: u64,
    answer: &'static [String],
    block: &mut dyn FnMut(usize, Vec<PointFeature>) -> Result<(), BatchError>,
) -> Result<Map<String, Value>, BatchError> {
    let read = std::cell::Cell::new(0);
    let mut ctx = Ctx {
        max_points,
        answer,
        count: 0,
        block: Vec::with_capacity(BLOCK),
        block_bytes: 0,
        sink: block,
        error: None,
        others: Map::new(),
        members_bytes: 0,
        features_seen: false,
        read: &read,
    };
    let mut de = serde_json::Deserializer::from_reader(CountingReader {
        inner: std::io::BufReader::with_capacity(1 << 16, input),
        read: &read,
    });
    let parsed = Top { ctx: &mut ctx }.deserialize(&mut de).and_then(|()| de.end());
    if let Some(e) = ctx.error.take() {
        return Err(e);
    }
    if let Err(e) = parsed {
        if e.is_io() {
            return Err(BatchError::Io(std::io::Error::from(e)));
        }
        return Err(BatchError::Json {
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        });
    }
    if ctx.others.get("type").and_then(Value::as_str) != Some("FeatureCollection") {
        return Err(BatchError::NotFeatureCollection);
    }
    if !ctx.features_seen {
        return Err(BatchError::NoFeatures);
    }
    if !ctx.block.is_empty() {
        let first = ctx.count - ctx.block.len();
        (ctx.sink)(first, std::mem::take(&mut ctx.block))?;
    }
    Ok(ctx.others)
}

struct Ctx<'a> {
    max_points: u64,
    /// The members the answer writes into every feature's properties.
    answer: &'static [String],
    count: usize,
    block: Vec<PointFeature>,
    /// Bytes of text of the features in `block`.
    block_bytes: u64,
    sink: &'a mut dyn FnMut(usize, Vec<PointFeature>) -> Result<(), BatchError>,
    /// Our own error, raised through serde as a bare custom error.
    error: Option<BatchError>,
    others: Map<String, Value>,
    /// Bytes of text of the members in `others`.
    members_bytes: u64,
    features_seen: bool,
    /// Bytes the parser has read.
    read: &'a std::cell::Cell<u64>,
}

impl Ctx<'_> {
    fn fail<E: de::Error>(&mut self, e: BatchError) -> E {
        self.error = Some(e);
        E::custom("batch refused")
    }
}

struct Top<'c, 'a> {
    ctx: &'c mut Ctx<'a>,
}

impl<'de> DeserializeSeed<'de> for Top<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Top<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a GeoJSON FeatureCollection")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<String>()? {
            let duplicated = if key == "features" {
                self.ctx.features_seen
            } else {
                self.ctx.others.contains_key(&key)
            };
            if duplicated {
                return Err(de::Error::custom(format!("duplicated key '{key}'")));
            }
            if key == "features" {
                if self
                    .ctx
                    .others
                    .get("type")
                    .is_some_and(|t| t.as_str() != Some("FeatureCollection"))
                {
                    return Err(self.ctx.fail(BatchError::NotFeatureCollection));
                }
                self.ctx.features_seen = true;
                map.next_value_seed(Features { ctx: self.ctx })?;
            } else {
                if ANSWER_MEMBERS.contains(&key.as_str()) {
                    return Err(self.ctx.fail(BatchError::ReservedMember { member: key }));
                }
                let start = self.ctx.read.get();
                let seed = Bounded {
                    read: self.ctx.read,
                    end: start + (MAX_MEMBERS_BYTES - self.ctx.members_bytes),
                };
                let too_large = |ctx: &mut Ctx<'_>, member: String| {
                    ctx.fail(BatchError::MembersTooLarge {
                        member,
                        limit: MAX_MEMBERS_BYTES,
                    })
                };
                let v = match map.next_value_seed(seed) {
                    Err(_) if seed.passed() => return Err(too_large(self.ctx, key)),
                    r => r?,
                };
                self.ctx.members_bytes += self.ctx.read.get() - start;
                if self.ctx.members_bytes > MAX_MEMBERS_BYTES {
                    return Err(too_large(self.ctx, key));
                }
                if key == "crs" {
                    let mut m = Map::new();
                    m.insert(key.clone(), v.clone());
                    if let Err(problem) = crate::geodata::canonical::check_crs_member(&m) {
                        return Err(self.ctx.fail(BatchError::Crs { index: None, problem }));
                    }
                }
                self.ctx.others.insert(key, v);
            }
        }
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<(), A::Error> {
        Err(self.ctx.fail(BatchError::NotFeatureCollection))
    }
    refuse_scalars!(BatchError::NotFeatureCollection);
}

struct Features<'c, 'a> {
    ctx: &'c mut Ctx<'a>,
}

impl<'de> DeserializeSeed<'de> for Features<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Features<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of features")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let ctx = self.ctx;
        loop {
            let index = ctx.count;
            let start = ctx.read.get();
            let seed = Bounded {
                read: ctx.read,
                end: start + MAX_FEATURE_BYTES,
            };
            let too_large = |ctx: &mut Ctx<'_>| {
                ctx.fail(BatchError::FeatureTooLarge {
                    index,
                    limit: MAX_FEATURE_BYTES,
                })
            };
            let value = match seq.next_element_seed(seed) {
                Ok(Some(v)) => v,
                Ok(None) => break,
                Err(_) if seed.passed() => return Err(too_large(ctx)),
                Err(e) => return Err(e),
            };
            // A single long string is read whole before the check can see it.
            if seed.passed() {
                return Err(too_large(ctx));
            }
            ctx.count += 1;
            if ctx.count as u64 > ctx.max_points {
                return Err(ctx.fail(BatchError::TooMany { limit: ctx.max_points }));
            }
            if let Some(count) = value
                .get("properties")
                .and_then(Value::as_object)
                .map(Map::len)
                .filter(|n| *n > MAX_PROPERTIES)
            {
                return Err(ctx.fail(BatchError::TooManyProperties {
                    index,
                    count,
                    limit: MAX_PROPERTIES,
                }));
            }
            // A legacy `crs` on the feature or its geometry: the one rule.
            for obj in [value.as_object(), value.get("geometry").and_then(Value::as_object)]
                .into_iter()
                .flatten()
            {
                if let Err(problem) = crate::geodata::canonical::check_crs_member(obj) {
                    return Err(ctx.fail(BatchError::Crs {
                        index: Some(index),
                        problem,
                    }));
                }
            }
            let at = match point_of(&value) {
                Ok(p) => p,
                Err(message) => return Err(ctx.fail(BatchError::Feature { index, message })),
            };
            // A property the answer would overwrite: refused, naming it.
            if let Err(e) = check_properties(&value, index, ctx.answer) {
                return Err(ctx.fail(e));
            }
            ctx.block.push(PointFeature { value, at });
            ctx.block_bytes += ctx.read.get() - start;
            if ctx.block.len() == BLOCK || ctx.block_bytes >= BLOCK_BYTES {
                let block = std::mem::replace(&mut ctx.block, Vec::with_capacity(BLOCK));
                ctx.block_bytes = 0;
                if let Err(e) = (ctx.sink)(index + 1 - block.len(), block) {
                    return Err(ctx.fail(e));
                }
            }
        }
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, _: A) -> Result<(), A::Error> {
        Err(self.ctx.fail(BatchError::NoFeatures))
    }
    refuse_scalars!(BatchError::NoFeatures);
}

/// The position of a Point feature, read by the one position reader
/// ([`crate::geodata::read_lonlat`]) that also reads every polygon's positions.
fn point_of(feat: &Value) -> Result<LonLat, String> {
    if feat.get("type").and_then(Value::as_str) != Some("Feature") {
        return Err("not a GeoJSON Feature".into());
    }
    let g = feat
        .get("geometry")
        .filter(|g| !g.is_null())
        .ok_or("feature has no geometry")?;
    let t = g.get("type").and_then(Value::as_str).unwrap_or("?");
    if t != "Point" {
        return Err(format!("geometry is a {t}; only Point features can be classified"));
    }
    let c = g.get("coordinates").ok_or("Point has no coordinates array")?;
    match crate::geodata::read_lonlat(c) {
        Ok(p) => Ok(p),
        // In the coordinate type's own words, as on every other edge.
        Err(PositionProblem::OutOfRange(e)) => Err(e.to_string()),
        Err(p) => Err(format!("Point coordinates: {p}")),
    }
}

/// The `features` array being written, in pieces of about [`PIECE`] bytes: no reallocation of
/// one large buffer (which would hold the old and the new copy at once) and no spare capacity
/// beyond the last piece. Past [`SPILL`] bytes the pieces go to an unnamed temporary file
/// (`tempfile`), so that the server's memory stays bounded whatever the size of the answer,
/// while the status (a 400 for a bad feature anywhere) is still decided before anything is sent.
#[derive(Debug, Default)]
pub(crate) struct FeatureWriter {
    pieces: Vec<Bytes>,
    in_memory: usize,
    spilled: Option<(std::fs::File, u64)>,
    current: Vec<u8>,
    written: usize,
}

/// Bytes of one piece of an answer.
pub const PIECE: usize = 1 << 20;

/// Bytes of features kept in memory before the rest goes to a temporary file.
pub const SPILL: usize = 16 << 20;

impl FeatureWriter {
    /// Appends bytes as they are (the rows of a CSV answer; not for a `features` array).
    pub(crate) fn write_raw(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.current.extend_from_slice(bytes);
        if self.current.len() >= PIECE {
            let full = std::mem::replace(&mut self.current, Vec::with_capacity(PIECE + (PIECE >> 3)));
            self.push(Bytes::from(full))?;
        }
        Ok(())
    }

    /// The bytes written with [`FeatureWriter::write_raw`].
    pub(crate) fn finish_raw(mut self) -> std::io::Result<AnswerFeatures> {
        let last = Bytes::from(std::mem::take(&mut self.current));
        self.push(last)?;
        Ok(match self.spilled {
            Some((file, len)) => AnswerFeatures::File(file, len),
            None => AnswerFeatures::Memory(self.pieces),
        })
    }

    fn write(&mut self, features: impl Iterator<Item = Value>) -> std::io::Result<()> {
        for f in features {
            self.current.push(if self.written == 0 { b'[' } else { b',' });
            self.written += 1;
            // Writing a Value into a Vec cannot fail.
            let _ = crate::num::to_writer(&mut self.current, &f);
            if self.current.len() >= PIECE {
                let full = std::mem::replace(&mut self.current, Vec::with_capacity(PIECE + (PIECE >> 3)));
                self.push(Bytes::from(full))?;
            }
        }
        Ok(())
    }

    /// Keeps a full piece in memory, or in the temporary file past [`SPILL`].
    fn push(&mut self, piece: Bytes) -> std::io::Result<()> {
        use std::io::Write;
        if self.spilled.is_none() && self.in_memory + piece.len() > SPILL {
            let mut file = tempfile::tempfile()?;
            let mut len = 0;
            for p in self.pieces.drain(..) {
                file.write_all(&p)?;
                len += p.len() as u64;
            }
            self.in_memory = 0;
            self.spilled = Some((file, len));
        }
        match &mut self.spilled {
            Some((file, len)) => {
                file.write_all(&piece)?;
                *len += piece.len() as u64;
            }
            None => {
                self.in_memory += piece.len();
                self.pieces.push(piece);
            }
        }
        Ok(())
    }

    fn finish(mut self) -> std::io::Result<AnswerFeatures> {
        if self.written == 0 {
            self.current.push(b'[');
        }
        let last = Bytes::from(std::mem::take(&mut self.current));
        self.push(last)?;
        Ok(match self.spilled {
            Some((file, len)) => AnswerFeatures::File(file, len),
            None => AnswerFeatures::Memory(self.pieces),
        })
    }
}

/// The members the answer writes at the collection's level besides `features` (see
/// [`assemble`]): an input member of one of these names is refused.
const ANSWER_MEMBERS: [&str; 1] = ["frontline"];

/// The answer: the members of `others` (with `frontline`) around the `features` array, keys in
/// sorted order as `serde_json::Value` writes them.
fn assemble(
    mut others: Map<String, Value>,
    features: FeatureWriter,
    frontline: Value,
) -> Result<BatchAnswer, BatchError> {
    others.remove("features");
    others.insert(ANSWER_MEMBERS[0].into(), frontline);
    let (mut before, mut after) = (b"{".to_vec(), b"]".to_vec());
    for (k, v) in &others {
        let out = if k.as_str() < "features" {
            &mut before
        } else {
            &mut after
        };
        // Before `features`: a comma between members; after it: one before each.
        if out.len() > 1 || out[0] == b']' {
            out.push(b',');
        }
        let _ = crate::num::to_writer(&mut *out, k);
        out.push(b':');
        let _ = crate::num::to_writer(&mut *out, v);
    }
    if before.len() > 1 {
        before.push(b',');
    }
    before.extend_from_slice(b"\"features\":");
    after.push(b'}');
    Ok(BatchAnswer {
        head: Bytes::from(before),
        features: features.finish().map_err(BatchError::Io)?,
        tail: Bytes::from(after),
    })
}

/// Options of a GeoJSON classification.
#[derive(Debug, Clone, Copy, Default)]
pub struct GeoJsonOptions {
    /// Most features accepted.
    pub max_points: u64,
    /// Add `line_of_contact_km` to every feature.
    pub distance: bool,
    /// The instant asked for (`datetime=`), said in the answer when there was one.
    pub datetime: Option<chrono::DateTime<chrono::Utc>>,
    /// Statuses (and the line of contact) in the raw composition: no sliver rule, no waters.
    pub raw: bool,
}

/// Classifies a FeatureCollection of points read from `input` on the snapshot in force `f`:
/// each feature gains `status`, `snapshot`, `on_boundary` and `in_waters` (when true) and, with `distance`,
/// `line_of_contact_km`; order and every other member kept; `frontline` names what is in force.
/// A feature with a property of one of those names
/// ([`crate::output::points::classified_members`]) is [`BatchError::ReservedProperty`].
pub fn classify_geojson<R: Read>(
    f: &InForce<'_>,
    date: chrono::NaiveDate,
    input: R,
    options: &GeoJsonOptions,
) -> Result<BatchAnswer, BatchError> {
    let provenance = AnswerProvenance::at(f, date, options.datetime);
    let per_feature = provenance.in_force.feature();
    let line = options.distance.then(|| f.line_of(options.raw));
    let computed = f.computed();
    let border = &f.source.border;
    let mut features = FeatureWriter::default();
    let members = crate::output::points::classified_members();
    let others = read_point_blocks(input, options.max_points, members, &mut |first, block| {
        let answers: Vec<_> = block
            .par_iter()
            .map(|p| {
                let (lon, lat) = (p.at.lon(), p.at.lat());
                let located = computed.status_with_waters_of(border, lon, lat, options.raw);
                let km = line.and_then(|l| l.nearest(lon, lat));
                (located, km)
            })
            .collect::<Vec<_>>();
        let mut out = Vec::with_capacity(block.len());
        for (i, (p, (located, km))) in block.into_iter().zip(answers).enumerate() {
            let props = ClassifiedProperties {
                status: located.status,
                on_boundary: located.on_boundary,
                in_waters: located.in_waters,
                line_of_contact_km: km.map(|n| n.km),
                line_of_contact_nearest: km.map(|n| [n.point.x, n.point.y]),
                date,
                provenance: &per_feature,
            };
            out.push(answered(p, first + i, &props)?);
        }
        features.write(out.into_iter()).map_err(BatchError::Io)
    })?;
    let mut frontline = serde_json::to_value(&provenance).unwrap_or(Value::Null);
    mark_raw(&mut frontline, options.raw);
    assemble(others, features, frontline)
}

/// Feature `index` with the answer's members `props` set in its properties.
fn answered<P: serde::Serialize>(mut p: PointFeature, index: usize, props: &P) -> Result<Value, BatchError> {
    set_properties(&mut p.value, props).map_err(|e| BatchError::Feature {
        index,
        message: e.to_string(),
    })?;
    Ok(p.value)
}

/// Adds `"raw": true` to an answer's `frontline` member when it is of the raw composition.
fn mark_raw(frontline: &mut Value, raw: bool) {
    if let (true, Some(m)) = (raw, frontline.as_object_mut()) {
        m.insert("raw".into(), Value::Bool(true));
    }
}

/// Histories of the points of a FeatureCollection read from `input`, over every snapshot of
/// `source`: each feature gains `properties.history`; the provenance of every snapshot named is
/// the `frontline` member. A feature with a property the answer writes
/// ([`crate::output::points::history_members`]) is [`BatchError::ReservedProperty`].
pub fn history_geojson<R: Read>(
    cat: &crate::catalog::Catalog,
    source: Option<&str>,
    input: R,
    max_points: u64,
    raw: bool,
) -> Result<BatchAnswer, BatchError> {
    use crate::analytics::history::histories_of;
    let src = cat.source(source)?;
    let mut provenance = HistoryProvenance::new(src);
    // Every history runs through the source's latest snapshot: what each feature rests on.
    let per_feature = provenance.feature(src);
    let mut features = FeatureWriter::default();
    let members = crate::output::points::history_members();
    let others = read_point_blocks(input, max_points, members, &mut |first, block| {
        // Each position was checked once, as it was read.
        let coords: Vec<LonLat> = block.iter().map(|p| p.at).collect();
        let hs = histories_of(src, &coords, raw);
        let mut out = Vec::with_capacity(block.len());
        for (i, (p, h)) in block.into_iter().zip(hs).enumerate() {
            let described = provenance.describe(src, &h);
            let props = HistoryProperties {
                history: &described,
                provenance: &per_feature,
            };
            out.push(answered(p, first + i, &props)?);
        }
        features.write(out.into_iter()).map_err(BatchError::Io)
    })?;
    let mut frontline = serde_json::to_value(&provenance).unwrap_or(Value::Null);
    mark_raw(&mut frontline, raw);
    assemble(others, features, frontline)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    type Read = (Vec<(usize, f64, f64)>, Map<String, Value>);

    fn read(text: &str, max: u64) -> Result<Read, BatchError> {
        let mut seen = Vec::new();
        let others = read_point_blocks(text.as_bytes(), max, &[], &mut |first, block| {
            for (i, p) in block.iter().enumerate() {
                seen.push((first + i, p.at.lon(), p.at.lat()));
            }
            Ok(())
        })?;
        Ok((seen, others))
    }

    fn point(x: f64, y: f64) -> String {
        format!(r#"{{"type":"Feature","properties":{{}},"geometry":{{"type":"Point","coordinates":[{x},{y}]}}}}"#)
    }

    /// A collection member the answer writes (`frontline`) is refused whatever its value and
    /// wherever it stands; look-alikes are kept as other members.
    #[test]
    fn a_collection_member_the_answer_writes_is_refused() {
        let ok = point(30.0, 50.0);
        for text in [
            format!(r#"{{"type":"FeatureCollection","frontline":{{"mine":1}},"features":[{ok}]}}"#),
            format!(r#"{{"type":"FeatureCollection","features":[{ok}],"frontline":null}}"#),
            format!(r#"{{"frontline":[],"type":"FeatureCollection","features":[{ok}]}}"#),
        ] {
            let e = read(&text, 10).unwrap_err();
            assert!(
                matches!(&e, BatchError::ReservedMember { member } if member == "frontline"),
                "{text}: {e}"
            );
            assert!(e.to_string().contains("'frontline'"), "{e}");
        }
        let text = format!(r#"{{"type":"FeatureCollection","Frontline":1,"frontline_x":2,"features":[{ok}]}}"#);
        let (seen, others) = read(&text, 10).unwrap();
        assert_eq!(seen.len(), 1);
        assert_eq!(
            (others.get("Frontline"), others.get("frontline_x")),
            (Some(&json!(1)), Some(&json!(2)))
        );
    }

    #[test]
    fn reads_features_in_blocks_in_order_and_keeps_the_other_members() {
        let n = BLOCK * 2 + 7;
        let features: Vec<String> = (0..n).map(|i| point(i as f64 * 1e-3, 50.0)).collect();
        let text = format!(
            r#"{{"name":"x","features":[{}],"type":"FeatureCollection","bbox":[1,2,3,4]}}"#,
            features.join(",")
        );
        let (seen, others) = read(&text, 1_000_000).unwrap();
        assert_eq!(seen.len(), n);
        assert!(seen.iter().enumerate().all(|(i, s)| s.0 == i && s.1 == i as f64 * 1e-3));
        assert_eq!(others.len(), 3);
        assert_eq!(others["name"], "x");
    }

    #[test]
    fn refuses_what_a_whole_parse_refused() {
        let err = |t: &str| read(t, 10).unwrap_err().to_string();
        assert!(err("{").contains("invalid JSON at line 1"), "{}", err("{"));
        assert!(err("[1]").contains("FeatureCollection"));
        assert!(err(r#"{"type":"Feature","features":[]}"#).contains("FeatureCollection"));
        assert!(err(r#"{"type":"FeatureCollection"}"#).contains("'features' is missing"));
        assert!(err(r#"{"type":"FeatureCollection","features":{}}"#).contains("'features' is missing"));
        let poly = r#"{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Polygon","coordinates":[]}}]}"#;
        assert_eq!(
            err(poly),
            "feature 0: geometry is a Polygon; only Point features can be classified"
        );
        let dup = format!(
            r#"{{"type":"FeatureCollection","features":[{}],"type":"x"}}"#,
            point(1.0, 2.0)
        );
        assert!(err(&dup).contains("duplicated key 'type'"), "{}", err(&dup));
        let dup_inner = r#"{"type":"FeatureCollection","features":[{"type":"Feature","type":"Feature"}]}"#;
        assert!(err(dup_inner).contains("duplicated key 'type'"));
        let many: Vec<String> = (0..11).map(|_| point(30.0, 50.0)).collect();
        let t = format!(r#"{{"type":"FeatureCollection","features":[{}]}}"#, many.join(","));
        assert!(matches!(read(&t, 10), Err(BatchError::TooMany { limit: 10 })));
        assert!(err(r#"{"type":"FeatureCollection","features":[]} x"#).contains("invalid JSON"));
    }

    #[test]
    fn every_part_kept_is_bounded_and_the_limit_named() {
        let fc = |members: &str, features: &[String]| {
            format!(
                r#"{{"type":"FeatureCollection",{members}"features":[{}]}}"#,
                features.join(",")
            )
        };
        let ok = point(30.0, 50.0);
        // A foreign member: kept up to the limit, refused past it (whatever its shape).
        let small = format!(r#""junk":[{}1],"#, "1,".repeat(1000));
        assert_eq!(read(&fc(&small, std::slice::from_ref(&ok)), 10).unwrap().1.len(), 2);
        for junk in [
            format!(r#""junk":[{}1],"#, "1,".repeat(40_000)),
            format!(r#""junk":"{}","#, "x".repeat(70_000)),
            format!(r#""a":[{}1],"b":[{}1],"#, "1,".repeat(20_000), "1,".repeat(20_000)),
        ] {
            let e = read(&fc(&junk, std::slice::from_ref(&ok)), 10).unwrap_err();
            assert!(
                matches!(
                    e,
                    BatchError::MembersTooLarge {
                        limit: MAX_MEMBERS_BYTES,
                        ..
                    }
                ),
                "{e}"
            );
            assert!(e.to_string().contains("65536 bytes"), "{e}");
        }
        // A feature: its text, however it is spent (properties, a member, a geometry member).
        let big_props = format!(
            r#"{{"type":"Feature","properties":{{"p":[{}1]}},"geometry":{{"type":"Point","coordinates":[30,50]}}}}"#,
            "1,".repeat(40_000)
        );
        let big_member = format!(
            r#"{{"type":"Feature","junk":"{}","properties":{{}},"geometry":{{"type":"Point","coordinates":[30,50]}}}}"#,
            "x".repeat(70_000)
        );
        let long_coordinates = format!(
            r#"{{"type":"Feature","properties":{{}},"geometry":{{"type":"Point","coordinates":[30,50{}]}}}}"#,
            ",1".repeat(40_000)
        );
        for f in [big_props, big_member, long_coordinates] {
            let e = read(&fc("", &[ok.clone(), f]), 10).unwrap_err();
            assert!(
                matches!(
                    e,
                    BatchError::FeatureTooLarge {
                        index: 1,
                        limit: MAX_FEATURE_BYTES
                    }
                ),
                "{e}"
            );
        }
        // Properties: at most MAX_PROPERTIES.
        let props = |n: usize| {
            let p: Vec<String> = (0..n).map(|i| format!(r#""p{i}":{i}"#)).collect();
            format!(
                r#"{{"type":"Feature","properties":{{{}}},"geometry":{{"type":"Point","coordinates":[30,50]}}}}"#,
                p.join(",")
            )
        };
        assert!(read(&fc("", &[props(MAX_PROPERTIES)]), 10).is_ok());
        let e = read(&fc("", &[props(MAX_PROPERTIES + 1)]), 10).unwrap_err();
        assert!(
            matches!(
                e,
                BatchError::TooManyProperties {
                    index: 0,
                    count: 1001,
                    limit: 1000
                }
            ),
            "{e}"
        );
        // A position is 2 or 3 numbers.
        let coords = |c: &str| {
            format!(r#"{{"type":"Feature","properties":{{}},"geometry":{{"type":"Point","coordinates":{c}}}}}"#)
        };
        assert!(read(&fc("", &[coords("[30,50,100]")]), 10).is_ok());
        let e = read(&fc("", &[coords("[30,50,100,1]")]), 10).unwrap_err().to_string();
        assert_eq!(
            e,
            "feature 0: Point coordinates: position has 4 numbers; a position is [lon, lat] or [lon, lat, altitude] (RFC 7946 3.1.1: a fourth number means nothing agreed, so it is refused, not guessed at)"
        );
        // One crs rule: CRS84 in any spelling passes, another CRS is refused where it stands.
        let crs = |name: &str| format!(r#"{{"type":"name","properties":{{"name":"{name}"}}}}"#);
        let with = |top: &str, feature: &str| {
            format!(
                r#"{{"type":"FeatureCollection"{top},"features":[{{"type":"Feature"{feature},"properties":{{}},"geometry":{{"type":"Point","coordinates":[30,50]}}}}]}}"#
            )
        };
        assert!(read(&with(&format!(r#","crs":{}"#, crs("CRS:84")), ""), 10).is_ok());
        let e = read(&with(&format!(r#","crs":{}"#, crs("EPSG:4326")), ""), 10).unwrap_err();
        assert!(matches!(e, BatchError::Crs { index: None, .. }), "{e}");
        let e = read(&with("", &format!(r#","crs":{}"#, crs("EPSG:3857"))), 10).unwrap_err();
        assert!(matches!(e, BatchError::Crs { index: Some(0), .. }), "{e}");
    }

    /// A Point's position is read by the one position reader of the polygons too: a third member
    /// that is not a number is refused as on ingest and import (the fresh tester's `[30, 50,
    /// "x"]` was answered and echoed), out-of-range numbers in the coordinate type's words.
    #[test]
    fn a_point_position_is_checked_by_the_one_position_rule() {
        let one = |coords: &str| {
            format!(
                r#"{{"type":"FeatureCollection","features":[{{"type":"Feature","properties":{{}},"geometry":{{"type":"Point","coordinates":{coords}}}}}]}}"#
            )
        };
        for ok in ["[30,50]", "[30,50,120.5]", "[-180,-90]", "[180,90,0]"] {
            assert!(read(&one(ok), 10).is_ok(), "{ok}");
        }
        for (bad, says) in [
            (r#"[30,50,"x"]"#, r#"coordinate 2 is "x", not a number"#),
            ("[30,50,null]", "coordinate 2 is null, not a number"),
            ("[30,50,{}]", "coordinate 2 is {}, not a number"),
            ("[30,50,[1,2]]", "coordinate 2 is [1,2], not a number"),
            (r#"["30",50]"#, r#"coordinate 0 is "30", not a number"#),
            ("[30]", "position has 1 number(s)"),
            ("[30,50,1,2]", "position has 4 numbers"),
            (r#""30,50""#, "position is not an array of numbers"),
            ("[200,50]", "lon 200 must be a finite number in [-180, 180]"),
            ("[30,-91]", "lat -91 must be a finite number in [-90, 90]"),
        ] {
            let e = read(&one(bad), 10).unwrap_err();
            assert!(matches!(e, BatchError::Feature { index: 0, .. }), "{bad}: {e}");
            assert!(e.to_string().contains(says), "{bad}: {e}");
        }
    }

    /// A property named like a member the answer writes is refused before anything is answered,
    /// naming the feature (index, id) and the property; names that merely resemble one, and the
    /// same names nested inside a caller's value, pass through.
    #[test]
    fn a_property_the_answer_writes_is_refused_naming_the_feature_and_the_property() {
        use crate::output::points::{classified_members, history_members};
        let fc = |features: &[String]| format!(r#"{{"type":"FeatureCollection","features":[{}]}}"#, features.join(","));
        let with = |id: &str, props: &str| {
            format!(
                r#"{{"type":"Feature"{id},"properties":{props},"geometry":{{"type":"Point","coordinates":[30,50]}}}}"#
            )
        };
        let run = |text: &str, answer: &'static [String]| {
            let mut blocks = 0;
            let r = read_point_blocks(text.as_bytes(), 100, answer, &mut |_, _| {
                blocks += 1;
                Ok(())
            });
            (r, blocks)
        };
        let ok = with("", r#"{"name":"a"}"#);
        // Every member of either answer, on the feature after a good one: refused, nothing answered.
        for (answer, members) in [("classify", classified_members()), ("history", history_members())] {
            for m in members {
                let text = fc(&[
                    ok.clone(),
                    with(r#","id":"k-1""#, &format!(r#"{{"name":"b","{m}":1}}"#)),
                ]);
                let (r, blocks) = run(&text, members);
                let e = r.unwrap_err();
                assert!(
                    matches!(&e, BatchError::ReservedProperty { index: 1, id: Some(id), properties, .. }
                        if id == "\"k-1\"" && properties == std::slice::from_ref(m)),
                    "{answer} {m}: {e:?}"
                );
                assert!(
                    e.to_string().starts_with(&format!(
                        "feature 1 (id \"k-1\"): the property '{m}' is a member the answer writes"
                    )),
                    "{e}"
                );
                assert_eq!(blocks, 0);
            }
        }
        // A numeric id, no id, two properties at once (in name order).
        let e = run(
            &fc(&[with(r#","id":7"#, r#"{"snapshot":1,"x":2,"status":3}"#)]),
            classified_members(),
        )
        .0
        .unwrap_err()
        .to_string();
        assert!(
            e.starts_with("feature 0 (id 7): the properties 'snapshot', 'status' are members the answer writes"),
            "{e}"
        );
        assert!(
            e.contains("(the answer writes content_sha256, date, in_waters, "),
            "{e}"
        );
        let e = run(&fc(&[with("", r#"{"status":3}"#)]), classified_members())
            .0
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("feature 0: the property 'status'"), "{e}");
        // A long id is cut for the message.
        let long = "x".repeat(500);
        let e = run(
            &fc(&[with(&format!(r#","id":"{long}""#), r#"{"date":1}"#)]),
            classified_members(),
        )
        .0
        .unwrap_err()
        .to_string();
        assert!(e.len() < 700 && e.contains("xxx...): the property 'date'"), "{e}");
        // Resembling names and nested ones pass through; `status` is nested in a history's
        // intervals, so the history answer leaves a caller's `status` alone.
        let similar = with(
            r#","id":"s""#,
            r#"{"Status":"a","status_old":"b","SNAPSHOT":1,"meta":{"status":"c","snapshot":"d"}}"#,
        );
        for answer in [classified_members(), history_members()] {
            let (r, blocks) = run(&fc(std::slice::from_ref(&similar)), answer);
            assert!(r.is_ok(), "{r:?}");
            assert_eq!(blocks, 1);
        }
        let (r, _) = run(
            &fc(&[with("", r#"{"status":"mine","date":"2024-01-01"}"#)]),
            history_members(),
        );
        assert!(r.is_ok(), "{r:?}");
        // Properties that are neither an object nor null cannot take the answer's members.
        for (props, kind) in [(r#""text""#, "a string"), ("[1]", "an array"), ("3", "a number")] {
            let e = run(&fc(&[with("", props)]), classified_members())
                .0
                .unwrap_err()
                .to_string();
            assert_eq!(
                e,
                format!(
                    "feature 0: properties is {kind}; a feature's properties are an object or null (RFC 7946 3.2), so that the answer's members can be set beside the caller's"
                )
            );
        }
        assert!(run(&fc(&[with("", "null")]), classified_members()).0.is_ok());
    }

    #[test]
    fn a_block_is_answered_once_its_features_hold_block_bytes_of_text() {
        // Features of about 60 KiB each: a block holds far fewer than BLOCK of them.
        let pad = "x".repeat(60_000);
        let f = format!(
            r#"{{"type":"Feature","properties":{{"pad":"{pad}"}},"geometry":{{"type":"Point","coordinates":[30,50]}}}}"#
        );
        let n = 200;
        let text = format!(
            r#"{{"type":"FeatureCollection","features":[{}]}}"#,
            vec![f; n].join(",")
        );
        let mut blocks = Vec::new();
        read_point_blocks(text.as_bytes(), 1000, &[], &mut |first, block| {
            blocks.push((first, block.len()));
            Ok(())
        })
        .unwrap();
        let per_block = (BLOCK_BYTES as usize).div_ceil(60_100);
        assert!(blocks.iter().all(|b| b.1 <= per_block + 1), "{blocks:?}");
        assert_eq!(blocks.iter().map(|b| b.1).sum::<usize>(), n);
        assert!(blocks.windows(2).all(|w| w[0].0 + w[0].1 == w[1].0));
    }

    #[test]
    fn assembles_members_in_sorted_order_like_serde_json() {
        let mut others = Map::new();
        others.insert("type".into(), json!("FeatureCollection"));
        others.insert("bbox".into(), json!([1, 2]));
        others.insert("name".into(), json!("n"));
        let mut features = FeatureWriter::default();
        features.write(std::iter::once(json!({"a": 1}))).unwrap();
        let mut a = assemble(others.clone(), features, json!({"k": true})).unwrap();
        let mut whole = others;
        whole.insert("features".into(), json!([{"a": 1}]));
        whole.insert("frontline".into(), json!({"k": true}));
        assert_eq!(a.to_vec().unwrap(), serde_json::to_vec(&Value::Object(whole)).unwrap());
        let mut empty = assemble(Map::new(), FeatureWriter::default(), Value::Null).unwrap();
        assert_eq!(empty.to_vec().unwrap(), br#"{"features":[],"frontline":null}"#);
    }

    #[test]
    fn an_answer_past_the_spill_size_goes_to_a_file_and_reads_back_the_same() {
        // About 3 times SPILL of features: the first pieces move to the file, the rest follow.
        let big = "x".repeat(4096);
        let n = 3 * SPILL / 4096;
        let mut features = FeatureWriter::default();
        features.write((0..n).map(|i| json!({"i": i, "pad": big}))).unwrap();
        let mut a = assemble(Map::new(), features, json!(1)).unwrap();
        assert!(matches!(a.features, AnswerFeatures::File(..)));
        let bytes = a.to_vec().unwrap();
        assert_eq!(bytes.len() as u64, a.len());
        let v: Value = serde_json::from_slice(&bytes).unwrap();
        let fs = v["features"].as_array().unwrap();
        assert_eq!(fs.len(), n);
        assert!(fs.iter().enumerate().all(|(i, f)| f["i"] == json!(i)));
        assert_eq!(v["frontline"], json!(1));
    }
}
