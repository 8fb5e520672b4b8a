//! JSON parsing that refuses an object with the same key twice (`serde_json::Value` keeps the
//! last one silently, so `{"status": "occupied", "status": "covered"}` would be read as
//! covered). Written here because serde_json has no such option; the visitor builds the same
//! `Value` serde_json would.

use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};
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
        d.deserialize_any(StrictVisitor)
    }
}

struct StrictVisitor;

impl<'de> Visitor<'de> for StrictVisitor {
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
        while let Some(v) = seq.next_element_seed(Strict)? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let v = map.next_value_seed(Strict)?;
            if out.contains_key(&key) {
                return Err(serde::de::Error::custom(format!("duplicated key '{key}'")));
            }
            out.insert(key, v);
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
}
