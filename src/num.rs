//! Numbers as every answer writes them: never a negative zero.
//!
//! `-0.0` arises wherever a sum starts from Rust's neutral element for floats (`-0.0`), a
//! difference of equal values is negated, or a tiny negative value is rounded to a few decimals
//! (`format!("{:.3}", -1e-9)` is `-0.000`). Fixing each source would miss the next one, so the
//! formatting itself is fixed: CSV and fixed-decimal text go through [`Fixed`], JSON numbers
//! written by hand through [`Json`], and serde documents through [`to_string`], [`to_vec`] or
//! [`to_string_pretty`], whose formatter writes a zero as `0.0` whatever its sign.

use serde::Serialize;
use std::fmt;
use std::io;

/// `value` with `decimals` decimals (as `{:.N}`), without the sign of a value that rounds to
/// zero: `Fixed(-0.0, 3)` and `Fixed(-1e-9, 3)` are `0.000`.
#[derive(Debug, Clone, Copy)]
pub struct Fixed(pub f64, pub usize);

impl fmt::Display for Fixed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Fixed(x, p) = *self;
        let text = format!("{x:.p$}");
        match text.strip_prefix('-') {
            Some(rest) if rest.bytes().all(|b| b == b'0' || b == b'.') => f.write_str(rest),
            _ => f.write_str(&text),
        }
    }
}

/// A JSON number as serde_json writes it (shortest round trip), `0.0` for either zero and
/// `null` for a value that is not finite.
#[derive(Debug, Clone, Copy)]
pub struct Json(pub f64);

impl fmt::Display for Json {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let x = if self.0 == 0.0 { 0.0 } else { self.0 };
        match serde_json::to_string(&x) {
            Ok(s) => f.write_str(&s),
            Err(_) => f.write_str("null"),
        }
    }
}

/// A serde_json formatter that writes both zeros as `0.0`, around another formatter.
struct NoNegativeZero<F>(F);

impl<F: serde_json::ser::Formatter> serde_json::ser::Formatter for NoNegativeZero<F> {
    fn write_f64<W: ?Sized + io::Write>(&mut self, w: &mut W, value: f64) -> io::Result<()> {
        self.0.write_f64(w, if value == 0.0 { 0.0 } else { value })
    }
    fn write_f32<W: ?Sized + io::Write>(&mut self, w: &mut W, value: f32) -> io::Result<()> {
        self.0.write_f32(w, if value == 0.0 { 0.0 } else { value })
    }
    fn begin_array<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_array(w)
    }
    fn end_array<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array(w)
    }
    fn begin_array_value<W: ?Sized + io::Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.0.begin_array_value(w, first)
    }
    fn end_array_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array_value(w)
    }
    fn begin_object<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object(w)
    }
    fn end_object<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object(w)
    }
    fn begin_object_key<W: ?Sized + io::Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.0.begin_object_key(w, first)
    }
    fn end_object_key<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object_key(w)
    }
    fn begin_object_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object_value(w)
    }
    fn end_object_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object_value(w)
    }
}

/// Writes `value` as compact JSON bytes into `w` without negative zeros.
pub fn to_writer<W: io::Write, T: ?Sized + Serialize>(w: W, value: &T) -> serde_json::Result<()> {
    let mut ser = serde_json::Serializer::with_formatter(w, NoNegativeZero(serde_json::ser::CompactFormatter));
    value.serialize(&mut ser)
}

/// `value` as compact JSON bytes, without negative zeros.
pub fn to_vec<T: ?Sized + Serialize>(value: &T) -> serde_json::Result<Vec<u8>> {
    let mut out = Vec::with_capacity(128);
    to_writer(&mut out, value)?;
    Ok(out)
}

/// `value` as compact JSON text, without negative zeros.
pub fn to_string<T: ?Sized + Serialize>(value: &T) -> serde_json::Result<String> {
    to_vec(value).map(utf8)
}

/// JSON text that serde_json wrote (UTF-8 only) as a `String`, without a copy.
pub fn utf8(v: Vec<u8>) -> String {
    String::from_utf8(v).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// `value` as indented JSON text, without negative zeros.
pub fn to_string_pretty<T: ?Sized + Serialize>(value: &T) -> serde_json::Result<String> {
    let mut out = Vec::with_capacity(256);
    let mut ser =
        serde_json::Serializer::with_formatter(&mut out, NoNegativeZero(serde_json::ser::PrettyFormatter::new()));
    value.serialize(&mut ser)?;
    Ok(utf8(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_negative_zero_anywhere() {
        assert_eq!(Fixed(-0.0, 3).to_string(), "0.000");
        assert_eq!(Fixed(-1e-9, 3).to_string(), "0.000");
        assert_eq!(Fixed(-0.0004, 3).to_string(), "0.000");
        assert_eq!(Fixed(-0.0005001, 3).to_string(), "-0.001");
        assert_eq!(Fixed(-12.5, 1).to_string(), "-12.5");
        assert_eq!(Fixed(-0.0, 0).to_string(), "0");
        assert_eq!(Json(-0.0).to_string(), "0.0");
        assert_eq!(Json(-2.5).to_string(), "-2.5");
        assert_eq!(Json(f64::NAN).to_string(), "null");
        let v = serde_json::json!({"a": -0.0, "b": [-0.0, 1.5, -3.0], "c": {"d": -0.0f32}});
        assert_eq!(to_string(&v).unwrap(), r#"{"a":0.0,"b":[0.0,1.5,-3.0],"c":{"d":0.0}}"#);
        assert!(!to_string_pretty(&v).unwrap().contains("-0"));
        // The rest of the output is serde_json's own.
        let w = serde_json::json!({"s": "x\"y", "n": null, "t": true, "i": -3, "f": 1e-7});
        assert_eq!(to_string(&w).unwrap(), serde_json::to_string(&w).unwrap());
    }
}
