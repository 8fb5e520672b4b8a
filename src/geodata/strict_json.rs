//! JSON parsing that refuses an object with the same key twice (`serde_json::Value` keeps the
//! last one silently, so `{"status": "occupied", "status": "covered"}` would be read as
//! covered). Written here because serde_json has no such option; the visitor builds the same
//! `Value` serde_json would.
//!
//! [`Bounded`] reads the same way but stops once the reader has passed a given byte offset, so
//! that a value read from a request body (a feature, a foreign member) is never built past a
//! size limit: a tree of small JSON numbers takes about 30 times its text in memory.

use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};
use std::cell::Cell;
use std::fmt;

/// Parses `bytes` as JSON, refusing duplicated keys (the error names the key).
pub fn from_slice(bytes: &[u8]) -> Result<Value, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let v = Strict.deserialize(&mut de)?;
    de.end()?;
    Ok(v)
}

/// A seed that reads any JSON value as `serde_json::Value`, refusing duplicated keys.
pub(crate) struct Strict;

impl<'de> DeserializeSeed<'de> for Strict {
    type Value = Value;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(StrictVisitor { limit: None })
    }
}

/// A [`Strict`] read that fails as soon as `read` (the bytes the parser has taken from its
/// reader, see [`CountingReader`]) is past `end`: checked before every element of an array or
/// object, so no tree grows much past the limit. The error is a bare custom error; the caller
/// tells it from others by `read.get() > end`.
#[derive(Clone, Copy)]
pub(crate) struct Bounded<'a> {
    /// Bytes read so far.
    pub read: &'a Cell<u64>,
    /// The offset not to pass.
    pub end: u64,
}

impl<'de> DeserializeSeed<'de> for Bounded<'_> {
    type Value = Value;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(StrictVisitor { limit: Some(self) })
    }
}

impl Bounded<'_> {
    /// Whether the reader has passed the limit.
    pub fn passed(&self) -> bool {
        self.read.get() > self.end
    }
}

/// A reader that counts the bytes taken from it into a shared cell. serde_json takes its input
/// byte by byte from a `Read`, so the count is the parser's position (give it a buffered
/// reader underneath).
pub(crate) struct CountingReader<'a, R> {
    /// The reader counted.
    pub inner: R,
    /// Bytes read so far.
    pub read: &'a Cell<u64>,
}

impl<R: std::io::Read> std::io::Read for CountingReader<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read.set(self.read.get() + n as u64);
        Ok(n)
    }
}

struct StrictVisitor<'a> {
    limit: Option<Bounded<'a>>,
}

impl StrictVisitor<'_> {
    fn check<E: serde::de::Error>(&self) -> Result<(), E> {
        match self.limit {
            Some(b) if b.passed() => Err(E::custom("past the size limit")),
            _ => Ok(()),
        }
    }

    fn seed(&self) -> Option<Bounded<'_>> {
        self.limit
    }
}

/// The seed of a member or element: bounded when its parent is.
struct Element<'a>(Option<Bounded<'a>>);

impl<'de> DeserializeSeed<'de> for Element<'_> {
    type Value = Value;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(StrictVisitor { limit: self.0 })
    }
}

impl<'de> Visitor<'de> for StrictVisitor<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::new();
        self.check()?;
        while let Some(v) = seq.next_element_seed(Element(self.seed()))? {
            out.push(v);
            self.check()?;
        }
        Ok(Value::Array(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        self.check()?;
        while let Some(key) = map.next_key::<String>()? {
            let v = map.next_value_seed(Element(self.seed()))?;
            self.check()?;
            if out.contains_key(&key) {
                return Err(serde::de::Error::custom(format!("duplicated key '{key}'")));
            }
            out.insert(key, v);
        }
        Ok(Value::Object(out))
    }
}

/// A seed that reads any JSON value and keeps nothing, refusing duplicated keys at any depth as
/// [`Strict`] does (the keys of one object are held while it is read): for the members a reader
/// does not keep, so that they cost no tree.
pub(crate) struct Skip;

impl<'de> DeserializeSeed<'de> for Skip {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(ByShape(self))
    }
}

/// Any value, nothing kept: objects and arrays read and dropped (the defaults of [`Shape`]).
impl<'de> Shape<'de> for Skip {
    type Value = ();
    const EXPECTING: &'static str = "any JSON value";
}

/// A reader of one JSON value that keeps something only of an object or of an array: each is by
/// default read and dropped (duplicated keys refused as by [`Skip`]), and any other value (a
/// number, a string, a boolean, null) is the default of [`Shape::Value`]. [`ByShape`] is the
/// one serde visitor of every such reader (the loader's and ingest's streamed readers, the
/// geometry reader), so that each writes only what it keeps.
pub(crate) trait Shape<'de>: Sized {
    /// What is read.
    type Value: Default;
    /// What the value should be, for serde's messages.
    const EXPECTING: &'static str;
    /// An object.
    fn map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        skip_map(map)?;
        Ok(Self::Value::default())
    }
    /// An array.
    fn seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element_seed(Skip)?.is_some() {}
        Ok(Self::Value::default())
    }
}

/// The serde visitor (and seed) of a [`Shape`].
pub(crate) struct ByShape<S>(pub S);

impl<'de, S: Shape<'de>> DeserializeSeed<'de> for ByShape<S> {
    type Value = S::Value;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<S::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de, S: Shape<'de>> Visitor<'de> for ByShape<S> {
    type Value = S::Value;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(S::EXPECTING)
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<S::Value, A::Error> {
        self.0.map(map)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<S::Value, A::Error> {
        self.0.seq(seq)
    }
    fn visit_bool<E>(self, _: bool) -> Result<S::Value, E> {
        Ok(S::Value::default())
    }
    fn visit_i64<E>(self, _: i64) -> Result<S::Value, E> {
        Ok(S::Value::default())
    }
    fn visit_u64<E>(self, _: u64) -> Result<S::Value, E> {
        Ok(S::Value::default())
    }
    fn visit_f64<E>(self, _: f64) -> Result<S::Value, E> {
        Ok(S::Value::default())
    }
    fn visit_str<E>(self, _: &str) -> Result<S::Value, E> {
        Ok(S::Value::default())
    }
    fn visit_unit<E>(self) -> Result<S::Value, E> {
        Ok(S::Value::default())
    }
    fn visit_none<E>(self) -> Result<S::Value, E> {
        Ok(S::Value::default())
    }
}

/// Reads the rest of an object, keeping nothing but its keys (to refuse one given twice).
pub(crate) fn skip_map<'de, A: MapAccess<'de>>(mut map: A) -> Result<(), A::Error> {
    let mut keys = Keys::default();
    while let Some(key) = map.next_key::<String>()? {
        map.next_value_seed(Skip)?;
        keys.insert::<A::Error>(key)?;
    }
    Ok(())
}

/// The keys of one object read so far: a key given twice is the error [`Strict`] gives.
#[derive(Default)]
pub(crate) struct Keys(std::collections::BTreeSet<Box<str>>);

impl Keys {
    /// Adds a key; one already there is an error naming it.
    pub fn insert<E: serde::de::Error>(&mut self, key: String) -> Result<(), E> {
        if self.0.contains(key.as_str()) {
            return Err(E::custom(format!("duplicated key '{key}'")));
        }
        self.0.insert(key.into_boxed_str());
        Ok(())
    }
}

/// Nodes of JSON a [`Shown`] value keeps at most.
const SHOWN_NODES: usize = 256;

/// A seed that reads any JSON value for showing it in a message: the first [`SHOWN_NODES`]
/// values in document order are kept as a `serde_json::Value`, the rest read and dropped
/// (duplicated keys refused as by [`Strict`]). The messages show at most 80 characters, which
/// the kept part always covers (each value kept takes at least one), so that an absurd value
/// where a short one belongs costs no tree.
pub(crate) struct Shown;

impl<'de> DeserializeSeed<'de> for Shown {
    type Value = Value;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        let budget = Cell::new(SHOWN_NODES);
        d.deserialize_any(ShownVisitor { budget: &budget })
    }
}

impl Shown {
    /// The value of an object whose reading a visitor has begun (its `visit_map`).
    pub fn of_map<'de, A: MapAccess<'de>>(map: A) -> Result<Value, A::Error> {
        let budget = Cell::new(SHOWN_NODES);
        ShownVisitor { budget: &budget }.visit_map(map)
    }

    /// The value of an array whose reading a visitor has begun (its `visit_seq`).
    pub fn of_seq<'de, A: SeqAccess<'de>>(seq: A) -> Result<Value, A::Error> {
        let budget = Cell::new(SHOWN_NODES);
        ShownVisitor { budget: &budget }.visit_seq(seq)
    }
}

/// Reads one value within the budget: kept (and counted) while it lasts, skipped after.
struct ShownVisitor<'a> {
    budget: &'a Cell<usize>,
}

impl<'de> DeserializeSeed<'de> for ShownVisitor<'_> {
    type Value = Option<Value>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<Value>, D::Error> {
        if self.budget.get() == 0 {
            Skip.deserialize(d)?;
            return Ok(None);
        }
        d.deserialize_any(self).map(Some)
    }
}

impl<'de> Visitor<'de> for ShownVisitor<'_> {
    type Value = Value;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<Value, E> {
        StrictVisitor { limit: None }.visit_bool(v)
    }
    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Value, E> {
        StrictVisitor { limit: None }.visit_i64(v)
    }
    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Value, E> {
        StrictVisitor { limit: None }.visit_u64(v)
    }
    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Value, E> {
        StrictVisitor { limit: None }.visit_f64(v)
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::new();
        self.budget.set(self.budget.get().saturating_sub(1));
        while let Some(v) = seq.next_element_seed(ShownVisitor { budget: self.budget })? {
            out.extend(v);
            self.budget.set(self.budget.get().saturating_sub(1));
        }
        Ok(Value::Array(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        let mut keys = Keys::default();
        self.budget.set(self.budget.get().saturating_sub(1));
        while let Some(key) = map.next_key::<String>()? {
            let v = map.next_value_seed(ShownVisitor { budget: self.budget })?;
            self.budget.set(self.budget.get().saturating_sub(1));
            if let Some(v) = v {
                out.insert(key.clone(), v);
            }
            keys.insert::<A::Error>(key)?;
        }
        Ok(Value::Object(out))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn refuses_duplicated_keys_at_any_depth_and_reads_the_rest_as_serde_json() {
        let e = super::from_slice(br#"{"a": {"status": "occupied", "status": "covered"}}"#).unwrap_err();
        assert!(e.to_string().contains("duplicated key 'status'"), "{e}");
        let text = br#"{"type": "X", "n": [1, -2, 3.25, 1e-7, null, true], "s": "\u00e9"}"#;
        let ours = super::from_slice(text).unwrap_or_default();
        let theirs: serde_json::Value = serde_json::from_slice(text).unwrap_or_default();
        assert_eq!(ours, theirs);
        assert!(super::from_slice(b"[1e400]").is_err());
        assert!(super::from_slice(b"{} x").is_err());
    }

    fn bounded(text: &[u8], limit: u64) -> (Result<serde_json::Value, serde_json::Error>, bool) {
        use serde::de::DeserializeSeed;
        let read = std::cell::Cell::new(0);
        let reader = super::CountingReader {
            inner: std::io::BufReader::new(text),
            read: &read,
        };
        let mut de = serde_json::Deserializer::from_reader(reader);
        let seed = super::Bounded {
            read: &read,
            end: limit,
        };
        let v = seed.deserialize(&mut de);
        (v, seed.passed())
    }

    #[test]
    fn a_bounded_read_stops_past_its_limit_and_reads_the_same_below_it() {
        let text = br#"{"a": [1, 2, {"b": "c"}], "d": null}"#;
        let (v, passed) = bounded(text, text.len() as u64);
        assert_eq!(v.unwrap(), serde_json::from_slice::<serde_json::Value>(text).unwrap());
        assert!(!passed);
        // A long array of small numbers stops within a few bytes of the limit.
        let long = format!("[{}1]", "1,".repeat(1_000_000));
        let (v, passed) = bounded(long.as_bytes(), 1000);
        assert!(v.is_err() && passed);
        let deep = format!(r#"{{"x": {{"y": [{}1]}}}}"#, "1,".repeat(10_000));
        let (v, passed) = bounded(deep.as_bytes(), 100);
        assert!(v.is_err() && passed);
        let (v, _) = bounded(br#"{"a": 1, "a": 2}"#, 100);
        assert!(v.unwrap_err().to_string().contains("duplicated key 'a'"));
    }

    #[test]
    fn skip_refuses_duplicated_keys_and_shown_keeps_the_beginning_of_a_large_value() {
        use serde::de::DeserializeSeed;
        let skip = |text: &str| super::Skip.deserialize(&mut serde_json::Deserializer::from_str(text));
        assert!(skip(r#"{"a": [1, {"b": 2}], "c": null}"#).is_ok());
        let e = skip(r#"{"a": [1, {"b": 2, "b": 3}]}"#).unwrap_err();
        assert!(e.to_string().contains("duplicated key 'b'"), "{e}");
        let shown = |text: &str| super::Shown.deserialize(&mut serde_json::Deserializer::from_str(text));
        let small = r#"{"a": [1, 2.5, "x"], "b": {"c": null}}"#;
        assert_eq!(
            shown(small).unwrap(),
            serde_json::from_str::<serde_json::Value>(small).unwrap()
        );
        let long = format!("[{}1]", "12345,".repeat(100_000));
        let v = shown(&long).unwrap();
        let full: serde_json::Value = serde_json::from_str(&long).unwrap();
        assert!(
            v.as_array().unwrap().len() < 300,
            "kept {}",
            v.as_array().unwrap().len()
        );
        assert_eq!(v.to_string()[..80], full.to_string()[..80]);
        assert!(shown(r#"[{"a": 1, "a": 2}]"#).is_err());
    }
}
