//! The reader of a snapshot document as a stream: one pass of serde over the text, each feature
//! read and validated as it comes (its geometry by typed visitors,
//! `geometry::read_areal_text`), so that what stays in memory is what is kept (the
//! features as `geo` multipolygons, 16 bytes a position) and never a `serde_json::Value` tree
//! of the document (about 16 times its text, and up to 50 times for arrays of small numbers).
//! Used by the loader (a file's bytes) and by ingest (a request body, read as it arrives), so
//! that both read a snapshot the same way; [`super::canonical::snapshot_from_streamed`] makes
//! the snapshot of what was read, with the same checks in the same order as before.

use super::ControlFeature;
use super::geometry::read_areal_text;
use super::report::{FeatureProblem, Report, Scope};
use super::strict_json::{Bounded, ByShape, Keys, Shape, Shown, Skip};
use crate::model::{ControlStatus, parse_date};
use serde::de::{self, MapAccess, SeqAccess};
use serde_json::Value;
use serde_json::value::RawValue;
use std::cell::Cell;

/// What the stream held: the collection's own members and its features, read.
#[derive(Debug, Default)]
pub struct StreamedDocument {
    /// Whether the document is a JSON object.
    pub(crate) is_object: bool,
    /// Its `type` member.
    pub(crate) kind: Option<Value>,
    /// Its legacy `crs` member.
    pub(crate) crs: Option<Value>,
    /// Its `frontline` member, as given.
    pub meta: Option<Value>,
    /// Its `features`, read (`None`: absent or not an array).
    pub features: Option<StreamedFeatures>,
    /// The dates the collection itself gives outside its `frontline` member: a foreign member
    /// `date`, and `date` inside a foreign member `properties`, each with the name it is shown
    /// by (for [`super::policy::collection_dates`]).
    pub collection_dates: Vec<(&'static str, Value)>,
}

impl StreamedDocument {
    /// Whether the document is a JSON object.
    pub fn is_object(&self) -> bool {
        self.is_object
    }
}

/// The features of a document, read and checked one by one.
#[derive(Debug, Default)]
pub struct StreamedFeatures {
    /// How many there were.
    pub count: usize,
    /// Those that read without a problem (all of them when `report` has none).
    pub(crate) features: Vec<ControlFeature>,
    /// The findings about them, in feature order.
    pub(crate) report: Report,
    /// Each feature's `properties.date` where it has the member, null included (for the
    /// admission policy, [`super::policy::feature_dates`]).
    pub dates: Vec<(usize, Value)>,
}

/// Why a stream could not be read.
#[derive(Debug, thiserror::Error)]
pub enum StreamError {
    /// Not JSON (or a key given twice); the reader's own I/O errors come through here too
    /// (`is_io`).
    #[error(transparent)]
    Json(#[from] serde_json::Error),
    /// The `frontline` member is longer than the limit given.
    #[error("the 'frontline' member takes more than {limit} bytes of JSON; at most {limit} bytes")]
    MetaTooLarge {
        /// The limit, bytes.
        limit: u64,
    },
}

/// A byte limit on the `frontline` member: the bytes the parser has read so far (see
/// `strict_json::CountingReader`) and the most the member may take.
#[derive(Clone, Copy)]
pub struct MetaLimit<'a> {
    /// Bytes read so far.
    pub read: &'a Cell<u64>,
    /// The most bytes of the member.
    pub max: u64,
}

/// Reads a snapshot document from `de` (the caller checks the end of the input with
/// `de.end()`); `shown` names it in findings.
///
/// # Errors
/// [`StreamError`].
pub fn read_document<'de, R: serde_json::de::Read<'de>>(
    de: &mut serde_json::Deserializer<R>,
    shown: &str,
    meta_limit: Option<MetaLimit<'_>>,
) -> Result<StreamedDocument, StreamError> {
    let over = Cell::new(None);
    let top = TopVisitor {
        shown,
        meta_limit,
        over: &over,
    };
    match serde::Deserializer::deserialize_any(&mut *de, ByShape(top)) {
        Ok(doc) => Ok(doc),
        Err(e) => match over.get() {
            Some(limit) => Err(StreamError::MetaTooLarge { limit }),
            None => Err(e.into()),
        },
    }
}

/// The message of a serde_json error without the position it adds (the error is raised again
/// at the outer document's position).
fn without_position(e: &serde_json::Error) -> String {
    let s = e.to_string();
    match s.rfind(" at line ") {
        Some(p) => s[..p].to_string(),
        None => s,
    }
}

struct TopVisitor<'s, 'l> {
    shown: &'s str,
    meta_limit: Option<MetaLimit<'l>>,
    over: &'s Cell<Option<u64>>,
}

impl<'de> Shape<'de> for TopVisitor<'_, '_> {
    type Value = StreamedDocument;
    const EXPECTING: &'static str = "a GeoJSON FeatureCollection";
    fn map<A: MapAccess<'de>>(self, mut map: A) -> Result<StreamedDocument, A::Error> {
        let mut doc = StreamedDocument {
            is_object: true,
            ..StreamedDocument::default()
        };
        let mut keys = Keys::default();
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "type" => doc.kind = Some(map.next_value_seed(Shown)?),
                "crs" => doc.crs = Some(map.next_value_seed(Shown)?),
                "frontline" => {
                    doc.meta = Some(match self.meta_limit {
                        None => map.next_value_seed(super::strict_json::Strict)?,
                        Some(l) => {
                            let seed = Bounded {
                                read: l.read,
                                end: l.read.get().saturating_add(l.max),
                            };
                            map.next_value_seed(seed).inspect_err(|_| {
                                if seed.passed() {
                                    self.over.set(Some(l.max));
                                }
                            })?
                        }
                    });
                }
                "features" => doc.features = map.next_value_seed(ByShape(FeaturesSeed { shown: self.shown }))?,
                "date" => doc.collection_dates.push(("date", map.next_value_seed(Shown)?)),
                "properties" => {
                    if let Some(d) = map.next_value_seed(ByShape(CollectionPropertiesSeed))? {
                        doc.collection_dates.push(("properties.date", d));
                    }
                }
                _ => map.next_value_seed(Skip)?,
            }
            keys.insert::<A::Error>(key)?;
        }
        Ok(doc)
    }
}

/// A foreign `properties` member of the collection: its `date` kept (as a shown value), the
/// rest read and dropped. Not an object: no date.
struct CollectionPropertiesSeed;

impl<'de> Shape<'de> for CollectionPropertiesSeed {
    type Value = Option<Value>;
    const EXPECTING: &'static str = "the collection's properties";
    fn map<A: MapAccess<'de>>(self, mut map: A) -> Result<Option<Value>, A::Error> {
        let mut date = None;
        let mut keys = Keys::default();
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "date" => date = Some(map.next_value_seed(Shown)?),
                _ => map.next_value_seed(Skip)?,
            }
            keys.insert::<A::Error>(key)?;
        }
        Ok(date)
    }
}

/// The `features` member: an array read feature by feature (`None`: not an array).
struct FeaturesSeed<'s> {
    shown: &'s str,
}

impl<'de> Shape<'de> for FeaturesSeed<'_> {
    type Value = Option<StreamedFeatures>;
    const EXPECTING: &'static str = "an array of features";
    fn seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut out = StreamedFeatures::default();
        while let Some(read) = seq.next_element_seed(ByShape(FeatureSeed))? {
            let i = out.count;
            out.count += 1;
            if let Some(d) = read.date.clone() {
                out.dates.push((i, d));
            }
            let feature = check_feature(read, i, self.shown, &mut out.report)
                .map_err(|e| de::Error::custom(format!("feature {i}, geometry: {}", without_position(&e))))?;
            out.features.extend(feature);
        }
        Ok(Some(out))
    }
}

/// The members of one feature the snapshot uses; the rest are read and dropped.
#[derive(Default)]
struct FeatureRead {
    kind: Option<Value>,
    status: Option<Value>,
    class: Option<Value>,
    date: Option<Value>,
    /// A legacy `crs` member of the feature, checked by the one rule.
    crs: Option<Value>,
    /// The geometry's text (one feature's at a time).
    geometry: Option<Box<RawValue>>,
}

/// A feature's status, geometry, class and date, checked in that order as the loader always did
/// (`None`: a problem, recorded in `report`). `Err`: the geometry is not strict JSON.
fn check_feature(
    read: FeatureRead,
    i: usize,
    shown: &str,
    report: &mut Report,
) -> Result<Option<ControlFeature>, serde_json::Error> {
    let mut scope = Scope {
        file: shown,
        feature: Some(i),
        report,
    };
    let status = match read.status.as_ref().and_then(Value::as_str) {
        Some(s) => match ControlStatus::parse(s) {
            Some(st) => Some(st),
            None => {
                scope.problem(None, FeatureProblem::UnknownStatus(s.to_string()));
                None
            }
        },
        None => {
            scope.problem(None, FeatureProblem::StatusMissing);
            None
        }
    };
    let crs_refused = read.crs.is_some_and(|c| {
        let mut m = serde_json::Map::new();
        m.insert("crs".into(), c);
        match super::canonical::check_crs_member(&m) {
            Ok(()) => false,
            Err(p) => {
                scope.problem(None, p);
                true
            }
        }
    });
    let geometry = if read.kind.as_ref().and_then(Value::as_str) != Some("Feature") {
        scope.problem(None, FeatureProblem::NotAFeature);
        None
    } else if crs_refused {
        None
    } else {
        match &read.geometry {
            Some(g) if g.get() != "null" => read_areal_text(g.get(), &mut scope)?,
            _ => {
                scope.problem(None, FeatureProblem::NoGeometry);
                None
            }
        }
    };
    let class = match read.class {
        None | Some(Value::Null) => None,
        Some(Value::String(c)) => Some(c),
        Some(_) => {
            scope.problem(None, FeatureProblem::ClassNotString);
            None
        }
    };
    // The feature's own date, kept (null: the feature gives none). Whether one other than the
    // snapshot's is admitted is the admission policy's (`policy::feature_dates`); one that is
    // not a date is refused here, at every load.
    let date = match read.date {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => match parse_date(&s) {
            Ok(d) => Some(d),
            Err(reason) => {
                scope.problem(None, FeatureProblem::DateInvalid { reason });
                None
            }
        },
        Some(v) => {
            scope.problem(None, FeatureProblem::DateNotString(v.to_string()));
            None
        }
    };
    Ok(match (status, geometry) {
        (Some(status), Some(geometry)) => Some(ControlFeature {
            status,
            geometry,
            class,
            date,
        }),
        _ => None,
    })
}

struct FeatureSeed;

impl<'de> Shape<'de> for FeatureSeed {
    type Value = FeatureRead;
    const EXPECTING: &'static str = "a GeoJSON Feature";
    fn map<A: MapAccess<'de>>(self, mut map: A) -> Result<FeatureRead, A::Error> {
        let mut read = FeatureRead::default();
        let mut keys = Keys::default();
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "type" => read.kind = Some(map.next_value_seed(Shown)?),
                "geometry" => read.geometry = Some(map.next_value()?),
                "properties" => map.next_value_seed(ByShape(PropertiesSeed { read: &mut read }))?,
                "crs" => read.crs = Some(map.next_value()?),
                _ => map.next_value_seed(Skip)?,
            }
            keys.insert::<A::Error>(key)?;
        }
        Ok(read)
    }
}

/// A feature's `properties`: `status`, `class` and `date` kept (as shown values), the rest
/// read and dropped. Not an object: none of them.
struct PropertiesSeed<'r> {
    read: &'r mut FeatureRead,
}

impl<'de> Shape<'de> for PropertiesSeed<'_> {
    type Value = ();
    const EXPECTING: &'static str = "a feature's properties";
    fn map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut keys = Keys::default();
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "status" => self.read.status = Some(map.next_value_seed(Shown)?),
                "class" => self.read.class = Some(map.next_value_seed(Shown)?),
                "date" => self.read.date = Some(map.next_value_seed(Shown)?),
                _ => map.next_value_seed(Skip)?,
            }
            keys.insert::<A::Error>(key)?;
        }
        Ok(())
    }
}
