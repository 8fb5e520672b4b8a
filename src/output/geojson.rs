//! GeoJSON answers as typed serde structs with the shape of the `geojson` crate's
//! `FeatureCollection` and `Feature` (type, id, properties, geometry, and foreign members:
//! ours is `frontline`), serialised by serde_json.
//!
//! Why not the `geojson` crate's own types: its `Feature::properties` is a `serde_json::Map`
//! and its geometries are `Vec<Vec<f64>>` per position, so a layer would be copied position by
//! position into freshly allocated vectors and its properties into maps before being written
//! (measured on the DeepState occupied layer of 2025-06-01: see the README's architecture
//! section). These structs borrow the `geo` geometries and write each coordinate rounded to the
//! precision asked for; a test parses every GeoJSON answer back with the `geojson` crate.

use geo::{LineString, Polygon};
use serde::ser::{SerializeSeq, SerializeStruct};
use serde::{Serialize, Serializer};

/// A FeatureCollection with the `frontline` foreign member (what the answer rests on).
#[derive(Debug, Clone)]
pub struct FeatureCollection<M, F> {
    /// The `frontline` member: what was asked and what the answer rests on.
    pub frontline: M,
    /// The features (a `Vec<Feature<..>>`, or anything that serialises as a sequence of them).
    pub features: F,
}

impl<M: Serialize, F: Serialize> Serialize for FeatureCollection<M, F> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("FeatureCollection", 3)?;
        st.serialize_field("type", "FeatureCollection")?;
        st.serialize_field("frontline", &self.frontline)?;
        st.serialize_field("features", &self.features)?;
        st.end()
    }
}

/// A Feature with a numeric id, typed properties and a geometry.
#[derive(Debug, Clone)]
pub struct Feature<P, G> {
    /// Its id (its index in the answer).
    pub id: usize,
    /// Its properties (a struct; provenance flattened in).
    pub properties: P,
    /// Its geometry.
    pub geometry: G,
}

impl<P: Serialize, G: Serialize> Serialize for Feature<P, G> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Feature", 4)?;
        st.serialize_field("type", "Feature")?;
        st.serialize_field("id", &self.id)?;
        st.serialize_field("properties", &self.properties)?;
        st.serialize_field("geometry", &self.geometry)?;
        st.end()
    }
}

/// `x` rounded to `p` decimals (the nearest double to the decimal, so serde_json's shortest
/// round-trip printing writes at most `p` decimals); never `-0`.
pub fn round(x: f64, p: u8) -> f64 {
    // 10^p exact for p <= 22; beyond 2^53 the product loses integers, and by then the f64
    // already holds fewer decimals than asked for.
    let scale = 10f64.powi(i32::from(p.min(15)));
    let scaled = x * scale;
    let r = if scaled.abs() < 9.0e15 {
        scaled.round() / scale
    } else {
        x
    };
    if r == 0.0 { 0.0 } else { r }
}

/// A position `[lon, lat]` with `p` decimals.
struct Position(f64, f64, u8);

impl Serialize for Position {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(2))?;
        seq.serialize_element(&round(self.0, self.2))?;
        seq.serialize_element(&round(self.1, self.2))?;
        seq.end()
    }
}

/// The positions of a ring or line with `p` decimals.
struct Positions<'a>(&'a LineString<f64>, u8);

impl Serialize for Positions<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.0.0.len()))?;
        for c in &self.0.0 {
            seq.serialize_element(&Position(c.x, c.y, self.1))?;
        }
        seq.end()
    }
}

/// The rings of a polygon (exterior first) with `p` decimals.
struct Rings<'a>(&'a Polygon<f64>, u8);

impl Serialize for Rings<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(1 + self.0.interiors().len()))?;
        seq.serialize_element(&Positions(self.0.exterior(), self.1))?;
        for r in self.0.interiors() {
            seq.serialize_element(&Positions(r, self.1))?;
        }
        seq.end()
    }
}

/// A GeoJSON Polygon geometry of a `geo` polygon, written with `precision` decimals.
#[derive(Debug, Clone, Copy)]
pub struct PolygonGeometry<'a> {
    /// The polygon.
    pub polygon: &'a Polygon<f64>,
    /// Decimals of each coordinate (at most 15).
    pub precision: u8,
}

impl Serialize for PolygonGeometry<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Polygon", 2)?;
        st.serialize_field("type", "Polygon")?;
        st.serialize_field("coordinates", &Rings(self.polygon, self.precision))?;
        st.end()
    }
}

/// A GeoJSON MultiPolygon geometry of `geo` polygons, written with `precision` decimals.
#[derive(Debug, Clone, Copy)]
pub struct MultiPolygonGeometry<'a> {
    /// The polygons.
    pub polygons: &'a [Polygon<f64>],
    /// Decimals of each coordinate (at most 15).
    pub precision: u8,
}

impl Serialize for MultiPolygonGeometry<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        struct Polys<'a>(&'a [Polygon<f64>], u8);
        impl Serialize for Polys<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut seq = s.serialize_seq(Some(self.0.len()))?;
                for p in self.0 {
                    seq.serialize_element(&Rings(p, self.1))?;
                }
                seq.end()
            }
        }
        let mut st = s.serialize_struct("MultiPolygon", 2)?;
        st.serialize_field("type", "MultiPolygon")?;
        st.serialize_field("coordinates", &Polys(self.polygons, self.precision))?;
        st.end()
    }
}

/// A GeoJSON Polygon, or a MultiPolygon where one thing is drawn as several polygons (a diff
/// part that rounding split).
#[derive(Debug, Clone, Copy)]
pub enum PolygonalGeometry<'a> {
    /// One polygon.
    Polygon(PolygonGeometry<'a>),
    /// Several.
    MultiPolygon(MultiPolygonGeometry<'a>),
}

impl<'a> PolygonalGeometry<'a> {
    /// A Polygon when `polygons` is one, else a MultiPolygon.
    pub fn of(polygons: &'a [Polygon<f64>], precision: u8) -> Self {
        match polygons {
            [polygon] => PolygonalGeometry::Polygon(PolygonGeometry { polygon, precision }),
            _ => PolygonalGeometry::MultiPolygon(MultiPolygonGeometry { polygons, precision }),
        }
    }
}

impl Serialize for PolygonalGeometry<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            PolygonalGeometry::Polygon(g) => g.serialize(s),
            PolygonalGeometry::MultiPolygon(g) => g.serialize(s),
        }
    }
}

/// A GeoJSON LineString geometry of a `geo` line, written with `precision` decimals.
#[derive(Debug, Clone, Copy)]
pub struct LineStringGeometry<'a> {
    /// The line.
    pub line: &'a LineString<f64>,
    /// Decimals of each coordinate (at most 15).
    pub precision: u8,
}

impl Serialize for LineStringGeometry<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("LineString", 2)?;
        st.serialize_field("type", "LineString")?;
        st.serialize_field("coordinates", &Positions(self.line, self.precision))?;
        st.end()
    }
}

/// Serialises an answer to JSON bytes. Serialising these types cannot fail (no map has
/// non-string keys); should it ever, the error is returned rather than a half answer.
pub fn to_vec<T: Serialize>(value: &T) -> Result<Vec<u8>, serde_json::Error> {
    crate::num::to_vec(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::polygon;

    #[test]
    fn rounding_writes_at_most_p_decimals_and_no_negative_zero() {
        assert_eq!(serde_json::to_string(&round(30.123_456_789, 6)).unwrap(), "30.123457");
        assert_eq!(serde_json::to_string(&round(-0.000_000_1, 6)).unwrap(), "0.0");
        assert_eq!(serde_json::to_string(&round(1.5, 0)).unwrap(), "2.0");
        assert_eq!(round(0.1 + 0.2, 15), 0.3);
        assert_eq!(round(179.999_999_999_999_9, 15), 179.999_999_999_999_9);
    }

    #[test]
    fn a_feature_collection_has_the_geojson_shape() {
        let p = polygon![(x: 0.0, y: 0.0), (x: 1.0, y: 0.0), (x: 1.0, y: 1.0), (x: 0.0, y: 0.0)];
        let fc = FeatureCollection {
            frontline: serde_json::json!({"a": 1}),
            features: vec![Feature {
                id: 0,
                properties: serde_json::json!({"layer": "x"}),
                geometry: PolygonGeometry {
                    polygon: &p,
                    precision: 2,
                },
            }],
        };
        assert_eq!(
            serde_json::to_string(&fc).unwrap(),
            r#"{"type":"FeatureCollection","frontline":{"a":1},"features":[{"type":"Feature","id":0,"properties":{"layer":"x"},"geometry":{"type":"Polygon","coordinates":[[[0.0,0.0],[1.0,0.0],[1.0,1.0],[0.0,0.0]]]}}]}"#
        );
    }
}
