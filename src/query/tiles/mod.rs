//! Vector tiles (Mapbox Vector Tile 2.1) of the state in force on a date and of a diff between
//! two dates, and their TileJSON 3.0 documents (issue 12).
//!
//! A tile is addressed by an **epoch id**: a hash of everything a tile of that state shows (the
//! source, the snapshot with its file and content hashes, the baselines, the border, the
//! epoch's first day, and the tile format's version), so that a tile URL names exactly one
//! computed state and never changes. A date resolves to an epoch in the TileJSON; a date that
//! later resolves to another state (an ingest) gets another TileJSON naming another epoch.
//!
//! A state tile has the layers `covered` (the area of application), `occupied`, `contested`
//! and `line` (the line of contact); a diff tile `gained`, `lost`, `newly_contested` and
//! `no_longer_contested`. Each feature is one polygon (or line) of the layer, clipped to the
//! tile with a buffer ([`geometry`]); its properties are `status`, `area_km2` of the whole
//! polygon (`length_km` of the whole line), and the provenance every feature of every answer
//! carries (`source`, `snapshot`, `snapshot_date`, `content_sha256`, `synthetic`; a diff adds
//! the `from_` side). The encoder is the `mvt` crate's.

pub mod geometry;

use crate::analytics::diff::{Change, Diff};
use crate::catalog::InForce;
use crate::output::provenance::{AnswerProvenance, FeatureProvenance, InForceRef};
use crate::output::tile_layers::{TileLayer, TileShape};
pub use geometry::TileId;
use geometry::{BUFFER, EXTENT, TileFrame, WorldPath, WorldPolygon};
use mvt::{GeomEncoder, GeomType, Tile};
use serde::Serialize;
use sha2::{Digest, Sha256};

/// Deepest zoom served (a TileJSON says [`TILEJSON_MAX_ZOOM`]; clients over-zoom beyond it).
pub const MAX_ZOOM: u8 = 18;
/// The `maxzoom` of the TileJSON documents: at z14 a tile unit is under 2 m at 45°N.
pub const TILEJSON_MAX_ZOOM: u8 = 14;
/// The version of what a tile holds; part of every epoch id, so that a change of the format
/// or of the geometry pipeline never meets an immutable tile cached by a client.
pub const FORMAT: &str = "frontline-mvt-1";

/// Layers of a state tile, in drawing order.
pub const STATE_LAYERS: [&str; 4] = ["covered", "occupied", "contested", "line"];
/// Layers of a diff tile.
pub const DIFF_LAYERS: [&str; 4] = ["gained", "lost", "newly_contested", "no_longer_contested"];

/// Errors of tile addresses.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TileError {
    /// A z, x or y that is not a tile of the grid.
    #[error("{0}")]
    BadAddress(String),
    /// The encoder refused a geometry (it should not: kept as an error, not a panic).
    #[error("tile encoding failed: {0}")]
    Encode(String),
}

impl TileId {
    /// Parses and checks the path segments `z`, `x` and `y` (`y` without its `.mvt`).
    ///
    /// # Errors
    /// [`TileError::BadAddress`] naming what is wrong.
    pub fn parse(z: &str, x: &str, y: &str) -> Result<TileId, TileError> {
        let num = |name: &str, s: &str| -> Result<u32, TileError> {
            if s.is_empty() || s.len() > 10 || !s.bytes().all(|b| b.is_ascii_digit()) {
                return Err(TileError::BadAddress(format!(
                    "tile {name} '{s}' must be a whole number (z/x/y of the XYZ grid)"
                )));
            }
            s.parse::<u32>()
                .map_err(|_| TileError::BadAddress(format!("tile {name} '{s}' is too large")))
        };
        let z = num("z", z)?;
        if z > u32::from(MAX_ZOOM) {
            return Err(TileError::BadAddress(format!(
                "zoom {z} is beyond the deepest served, {MAX_ZOOM}"
            )));
        }
        let n = 1u32 << z;
        let (x, y) = (num("x", x)?, num("y", y)?);
        if x >= n || y >= n {
            return Err(TileError::BadAddress(format!(
                "tile {z}/{x}/{y} is outside the grid: x and y must be below 2^{z} = {n}"
            )));
        }
        Ok(TileId { z: z as u8, x, y })
    }
}

/// The epoch id of what is in force: 24 hex digits of SHA-256 over the tile format, the
/// epoch's first day and the provenance every answer gives for it.
pub fn epoch_id(f: &InForce<'_>) -> String {
    let mut h = Sha256::new();
    h.update(FORMAT);
    h.update(b"|");
    h.update(f.epoch.from.to_string());
    h.update(b"|");
    h.update(crate::num::to_vec(&InForceRef::new(f)).unwrap_or_default());
    hex::encode(h.finalize())[..24].to_string()
}

/// The epoch id of a tile set made by [`Prepared::layers`] from a document whose own id already
/// names its content (a stored scenario's SHA-256): 24 hex digits of SHA-256 over the tile
/// format, the kind and the id, so that a change of the tile format gives new tile URLs.
pub fn layers_epoch(kind: &str, id: &str) -> String {
    let mut h = Sha256::new();
    h.update(FORMAT);
    h.update(b"|");
    h.update(kind);
    h.update(b"|");
    h.update(id);
    hex::encode(h.finalize())[..24].to_string()
}

/// When the content of an epoch last changed: the later of its snapshot's publication instant
/// (its date at 00:00 UTC where the source gives no instant) and the epoch's first day (00:00
/// UTC). Both are inputs of the epoch id (the instant comes from the snapshot's file, whose
/// name and SHA-256 are hashed), so one epoch id always has one time: the `Last-Modified` of
/// its immutable tiles, the same after a reload or a restart.
pub fn epoch_modified(f: &InForce<'_>) -> chrono::DateTime<chrono::Utc> {
    let snap = f.snapshot();
    let midnight = |d: chrono::NaiveDate| d.and_time(chrono::NaiveTime::MIN).and_utc();
    let published = snap.published_at.unwrap_or_else(|| midnight(snap.date));
    published.max(midnight(f.epoch.from))
}

/// Properties of one feature.
#[derive(Debug, Clone)]
struct Tags {
    strings: Vec<(&'static str, String)>,
    numbers: Vec<(&'static str, f64)>,
    synthetic: bool,
}

impl Tags {
    fn new(status: &str, provenance: &FeatureProvenance) -> Tags {
        Tags {
            strings: vec![
                ("status", status.to_string()),
                ("source", provenance.source.clone()),
                ("snapshot", provenance.snapshot.clone()),
                ("snapshot_date", provenance.snapshot_date.to_string()),
                ("content_sha256", provenance.content_sha256.clone()),
            ],
            numbers: Vec::new(),
            synthetic: provenance.synthetic,
        }
    }
}

#[derive(Debug)]
enum Shape {
    Polygon(WorldPolygon),
    Line(WorldPath),
}

#[derive(Debug)]
struct PreparedLayer {
    name: &'static str,
    features: Vec<(Shape, Tags)>,
}

/// The layers of one tile set (a state or a diff) projected to Web Mercator once, with their
/// features' properties: every tile of the set is cut from it.
#[derive(Debug)]
pub struct Prepared {
    layers: Vec<PreparedLayer>,
    /// Bounds of everything drawn, `[west, south, east, north]` in degrees (`None`: nothing).
    pub bounds: Option<[f64; 4]>,
    /// The TileJSON's `vector_layers` of a set made by [`Prepared::layers`] (empty otherwise:
    /// the state's and the diff's are fixed).
    pub vector_layers: Vec<VectorLayer>,
}

/// One tile as encoded.
#[derive(Debug, Clone)]
pub struct RenderedTile {
    /// The MVT bytes (empty: nothing in this tile).
    pub bytes: Vec<u8>,
    /// Features written.
    pub features: usize,
    /// Polygons dropped because they were not valid after quantisation and repair.
    pub dropped_polygons: usize,
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

impl Prepared {
    /// The state in force: `covered`, `occupied`, `contested` (after the sliver rule) and `line`.
    pub fn state(f: &InForce<'_>) -> Prepared {
        let provenance = InForceRef::new(f).feature();
        let computed = f.computed();
        let layers = computed.layers_of(false);
        let polygons = |name: &'static str, mp: &geo::MultiPolygon<f64>| PreparedLayer {
            name,
            features: mp
                .0
                .iter()
                .map(|p| {
                    let mut tags = Tags::new(name, &provenance);
                    tags.numbers
                        .push(("area_km2", round3(crate::geodesy::polygon_area_m2(p) / 1e6)));
                    (Shape::Polygon(WorldPolygon::new(p)), tags)
                })
                .collect(),
        };
        let line = f.line();
        let line_layer = PreparedLayer {
            name: "line",
            features: line
                .lines
                .0
                .iter()
                .map(|l| {
                    let mut tags = Tags::new("line_of_contact", &provenance);
                    tags.numbers.push(("length_km", round3(crate::geodesy::length_km(l))));
                    (Shape::Line(WorldPath::new(l)), tags)
                })
                .collect(),
        };
        let prepared = vec![
            polygons("covered", &layers.covered),
            polygons("occupied", &layers.occupied),
            polygons("contested", &layers.contested),
            line_layer,
        ];
        Prepared::with_bounds(prepared)
    }

    /// A diff: one layer per kind of change, one feature per part kept.
    pub fn diff(d: &Diff) -> Prepared {
        let mut provenance = d.to.in_force.feature();
        provenance.synthetic = d.synthetic();
        let mut layers: Vec<PreparedLayer> = DIFF_LAYERS
            .iter()
            .map(|&name| PreparedLayer {
                name,
                features: Vec::new(),
            })
            .collect();
        for part in &d.parts {
            let i = match part.change {
                Change::Gained => 0,
                Change::Lost => 1,
                Change::NewlyContested => 2,
                Change::NoLongerContested => 3,
            };
            let name = DIFF_LAYERS[i];
            let mut tags = Tags::new(name, &provenance);
            tags.numbers.push(("area_km2", round3(part.area_km2)));
            let from = &d.from.in_force;
            tags.strings.extend([
                ("date", d.to.date.to_string()),
                ("from_date", d.from.date.to_string()),
                ("from_source", from.source.name.clone()),
                ("from_snapshot", from.snapshot.id.clone()),
                ("from_snapshot_date", from.snapshot_date.to_string()),
                ("from_content_sha256", from.snapshot.content_sha256.clone()),
            ]);
            if part.in_waters {
                tags.strings.push(("in_waters", "true".into()));
            }
            layers[i]
                .features
                .push((Shape::Polygon(WorldPolygon::new(&part.polygon)), tags));
        }
        Prepared::with_bounds(layers)
    }

    fn with_bounds(layers: Vec<PreparedLayer>) -> Prepared {
        let mut b = [f64::INFINITY, f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY];
        for (shape, _) in layers.iter().flat_map(|l| &l.features) {
            let bb = match shape {
                Shape::Polygon(p) => p.bbox(),
                Shape::Line(l) => l.bbox,
            };
            b = [b[0].min(bb[0]), b[1].min(bb[1]), b[2].max(bb[2]), b[3].max(bb[3])];
        }
        let bounds = b[0].is_finite().then(|| {
            let [w, n] = geometry::lon_lat([b[0], b[1]]);
            let [e, s] = geometry::lon_lat([b[2], b[3]]);
            [w, s, e, n]
        });
        Prepared {
            layers,
            bounds,
            vector_layers: Vec::new(),
        }
    }

    /// Layers handed over by another part of the engine (a ceasefire scenario's): each feature
    /// projected once, with its status, provenance and own properties.
    pub fn layers(input: Vec<TileLayer>) -> Prepared {
        let vector_layers = input.iter().map(|l| layer(l.name, l.description, &l.fields)).collect();
        let layers = input
            .into_iter()
            .map(|l| PreparedLayer {
                name: l.name,
                features: l
                    .features
                    .into_iter()
                    .map(|f| {
                        let mut tags = Tags::new(&f.status, &f.provenance);
                        tags.strings.extend(f.strings);
                        tags.numbers.extend(f.numbers.into_iter().map(|(k, v)| (k, round3(v))));
                        let shape = match &f.shape {
                            TileShape::Polygon(p) => Shape::Polygon(WorldPolygon::new(p)),
                            TileShape::Line(l) => Shape::Line(WorldPath::new(l)),
                        };
                        (shape, tags)
                    })
                    .collect(),
            })
            .collect();
        Prepared {
            vector_layers,
            ..Prepared::with_bounds(layers)
        }
    }

    /// Encodes the tile `t`: every feature that reaches into it (or its buffer), clipped,
    /// simplified, quantised and repaired. A tile with nothing in it has no bytes.
    ///
    /// # Errors
    /// [`TileError::Encode`] if the encoder refuses a geometry (not expected).
    pub fn render(&self, t: TileId) -> Result<RenderedTile, TileError> {
        self.render_layers(t, None)
    }

    /// [`Self::render`] with only the layers named in `only` (all with `None`): for benchmarks
    /// against peers that make one layer.
    ///
    /// # Errors
    /// As [`Self::render`].
    pub fn render_layers(&self, t: TileId, only: Option<&[&str]>) -> Result<RenderedTile, TileError> {
        let frame = TileFrame::new(t);
        let simplify = t.z < MAX_ZOOM;
        let mut tile = Tile::new(EXTENT);
        let (mut features, mut dropped) = (0, 0);
        let enc = |e: mvt::Error| TileError::Encode(e.to_string());
        for layer in self.layers.iter().filter(|l| only.is_none_or(|o| o.contains(&l.name))) {
            let mut out = tile.create_layer(layer.name);
            let mut any = false;
            for (id, (shape, tags)) in layer.features.iter().enumerate() {
                let geom = match shape {
                    Shape::Polygon(p) => {
                        let tp = geometry::tile_polygon(p, &frame, simplify);
                        dropped += tp.dropped;
                        if tp.polygons.is_empty() {
                            continue;
                        }
                        let mut e = GeomEncoder::new(GeomType::Polygon);
                        let mut last: Option<(i32, i32)> = None;
                        for ring in tp.polygons.iter().flatten() {
                            // A ring must begin with its own MoveTo: the encoder merges a first
                            // position equal to the previous ring's last, so start elsewhere.
                            let start = ring.iter().position(|p| Some((p.x, p.y)) != last).unwrap_or(0);
                            for p in ring[start..].iter().chain(&ring[..start]) {
                                e.add_point(p.x, p.y).map_err(enc)?;
                                last = Some((p.x, p.y));
                            }
                            e.complete_geom().map_err(enc)?;
                        }
                        e.encode().map_err(enc)?
                    }
                    Shape::Line(l) => {
                        let pieces = geometry::tile_line(l, &frame, simplify);
                        if pieces.is_empty() {
                            continue;
                        }
                        // A piece that starts where the previous one ended is joined to it by
                        // the encoder: the same line.
                        let mut e = GeomEncoder::new(GeomType::Linestring);
                        for piece in &pieces {
                            for p in piece {
                                e.add_point(p.x, p.y).map_err(enc)?;
                            }
                            e.complete_geom().map_err(enc)?;
                        }
                        e.encode().map_err(enc)?
                    }
                };
                if geom.is_empty() {
                    continue;
                }
                let mut f = out.into_feature(geom);
                f.set_id(id as u64 + 1);
                for (k, v) in &tags.strings {
                    f.add_tag_string(k, v);
                }
                for (k, v) in &tags.numbers {
                    f.add_tag_double(k, *v);
                }
                f.add_tag_bool("synthetic", tags.synthetic);
                out = f.into_layer();
                features += 1;
                any = true;
            }
            if any {
                tile.add_layer(out).map_err(enc)?;
            }
        }
        let bytes = if features == 0 {
            Vec::new()
        } else {
            tile.to_bytes().map_err(enc)?
        };
        Ok(RenderedTile {
            bytes,
            features,
            dropped_polygons: dropped,
        })
    }
}

/// One `vector_layers` entry of a TileJSON.
#[derive(Debug, Serialize)]
pub struct VectorLayer {
    /// Layer name, as in the tiles.
    pub id: &'static str,
    /// What it is.
    pub description: &'static str,
    /// Property names and their types.
    pub fields: serde_json::Value,
    /// Zooms.
    pub minzoom: u8,
    /// Zooms.
    pub maxzoom: u8,
}

/// A TileJSON 3.0.0 document (with a `frontline` member: what the tiles show, with provenance).
#[derive(Debug, Serialize)]
pub struct TileJson<M: Serialize> {
    /// `3.0.0`.
    pub tilejson: &'static str,
    /// A short name.
    pub name: String,
    /// What the tiles show.
    pub description: String,
    /// The tile URL template (`{z}/{x}/{y}`), naming the epoch.
    pub tiles: Vec<String>,
    /// `xyz`.
    pub scheme: &'static str,
    /// Zooms.
    pub minzoom: u8,
    /// Zooms.
    pub maxzoom: u8,
    /// `[west, south, east, north]` of what is drawn.
    pub bounds: [f64; 4],
    /// `[lon, lat, zoom]`.
    pub center: [f64; 3],
    /// Where the data comes from.
    pub attribution: String,
    /// Layers and their fields.
    pub vector_layers: Vec<VectorLayer>,
    /// What is shown: dates, epochs, provenance, tile geometry settings.
    pub frontline: M,
}

impl<M: Serialize> TileJson<M> {
    /// A TileJSON 3.0.0 document of `xyz` tiles at `tiles_url` from zoom 0 to the deepest zoom
    /// served, centred in `bounds`: what every TileJSON of the service shares.
    pub fn new(
        name: String,
        description: String,
        tiles_url: String,
        bounds: [f64; 4],
        attribution: String,
        vector_layers: Vec<VectorLayer>,
        frontline: M,
    ) -> Self {
        TileJson {
            tilejson: "3.0.0",
            name,
            description,
            tiles: vec![tiles_url],
            scheme: "xyz",
            minzoom: 0,
            maxzoom: TILEJSON_MAX_ZOOM,
            bounds,
            center: center(bounds),
            attribution,
            vector_layers,
            frontline,
        }
    }
}

/// The tile geometry settings, stated in every TileJSON.
#[derive(Debug, Serialize)]
pub struct TileSettings {
    /// Tile coordinates per side.
    pub extent: u32,
    /// Buffer beyond each side, tile coordinates.
    pub buffer: u32,
    /// Douglas-Peucker tolerance, tile coordinates (none at [`MAX_ZOOM`]).
    pub simplify_tile_units: f64,
    /// What an empty tile is answered with.
    pub empty_tile: &'static str,
    /// The tile format's version (part of every epoch id).
    pub format: &'static str,
}

impl TileSettings {
    /// The settings in force.
    pub fn current() -> TileSettings {
        TileSettings {
            extent: EXTENT,
            buffer: BUFFER,
            simplify_tile_units: geometry::SIMPLIFY_TILE_UNITS,
            empty_tile: "204 No Content",
            format: FORMAT,
        }
    }
}

/// The `frontline` member of a state's TileJSON.
#[derive(Debug, Serialize)]
pub struct StateMeta {
    /// The epoch the tiles show.
    pub epoch: String,
    /// Its first day.
    pub epoch_from: chrono::NaiveDate,
    /// The date asked for and what is in force on it.
    #[serde(flatten)]
    pub provenance: AnswerProvenance,
    /// Areas of the layers on that date, km2 (contested `null` for a source without a grey
    /// zone), and the line's length, km.
    pub covered_km2: f64,
    /// Occupied, km2.
    pub occupied_km2: f64,
    /// Contested, km2.
    pub contested_km2: Option<f64>,
    /// The line of contact, km.
    pub line_km: f64,
    /// Geometry settings.
    pub tiles: TileSettings,
}

/// The `frontline` member of a diff's TileJSON.
#[derive(Debug, Serialize)]
pub struct DiffMeta<'a> {
    /// The epochs compared.
    pub from_epoch: String,
    /// The epochs compared.
    pub to_epoch: String,
    /// The start date asked for and what was in force.
    pub from: &'a AnswerProvenance,
    /// The end date asked for and what was in force.
    pub to: &'a AnswerProvenance,
    /// Totals, as `/v1/diff` gives them.
    pub totals: &'a crate::analytics::diff::DiffTotals,
    /// Geometry settings.
    pub tiles: TileSettings,
}

fn fields(extra: &[(&str, &str)]) -> serde_json::Value {
    let mut m = serde_json::Map::new();
    for (k, v) in [
        ("status", "String"),
        ("source", "String"),
        ("snapshot", "String"),
        ("snapshot_date", "String"),
        ("content_sha256", "String"),
        ("synthetic", "Boolean"),
    ]
    .iter()
    .chain(extra)
    {
        m.insert((*k).to_string(), serde_json::Value::String((*v).to_string()));
    }
    serde_json::Value::Object(m)
}

fn layer(id: &'static str, description: &'static str, extra: &[(&str, &str)]) -> VectorLayer {
    VectorLayer {
        id,
        description,
        fields: fields(extra),
        minzoom: 0,
        maxzoom: TILEJSON_MAX_ZOOM,
    }
}

fn center(bounds: [f64; 4]) -> [f64; 3] {
    [
        round3((bounds[0] + bounds[2]) / 2.0),
        round3((bounds[1] + bounds[3]) / 2.0),
        5.0,
    ]
}

/// The TileJSON of the state in force (`f`) on `date`, its tiles at `tiles_url` (a template
/// ending in `{z}/{x}/{y}.mvt`).
pub fn state_tilejson(
    f: &InForce<'_>,
    date: chrono::NaiveDate,
    tiles_url: String,
    bounds: [f64; 4],
) -> TileJson<StateMeta> {
    let provenance = AnswerProvenance::new(f, date);
    let layers = f.computed().layers_of(false);
    let unknown = f.contested_not_drawn().is_some();
    let src = &provenance.in_force.source.name;
    let area = &[("area_km2", "Number")];
    TileJson::new(
        format!("frontline {src} {date}"),
        format!(
            "The area of application (covered), occupied and contested areas and the line of contact of source '{src}' in force on {date} (snapshot {}), clipped to the recognized border, after the sliver rule",
            provenance.in_force.snapshot.id
        ),
        tiles_url,
        bounds,
        attribution(&provenance.in_force, None),
        vec![
            layer(
                "covered",
                "the area of application: the recognized territory neither occupied nor contested",
                area,
            ),
            layer("occupied", "occupied inside the border", area),
            layer(
                "contested",
                "contested (grey zone) inside the border, not occupied",
                area,
            ),
            layer("line", "the line of contact", &[("length_km", "Number")]),
        ],
        StateMeta {
            epoch: epoch_id(f),
            epoch_from: f.epoch.from,
            covered_km2: round3(layers.covered_km2),
            occupied_km2: round3(layers.occupied_km2),
            contested_km2: (!unknown).then_some(round3(layers.contested_km2)),
            line_km: round3(f.line().length_km),
            provenance,
            tiles: TileSettings::current(),
        },
    )
}

/// The TileJSON of a set made by [`Prepared::layers`], its tiles at `tiles_url`, with `frontline`
/// as its `frontline` member.
pub fn layers_tilejson<M: Serialize>(
    prepared: &Prepared,
    name: String,
    description: String,
    attribution: String,
    tiles_url: String,
    frontline: M,
) -> TileJson<M> {
    let bounds = prepared.bounds.unwrap_or([-180.0, -85.0, 180.0, 85.0]);
    TileJson::new(
        name,
        description,
        tiles_url,
        bounds,
        attribution,
        prepared
            .vector_layers
            .iter()
            .map(|l| VectorLayer {
                id: l.id,
                description: l.description,
                fields: l.fields.clone(),
                minzoom: l.minzoom,
                maxzoom: l.maxzoom,
            })
            .collect(),
        frontline,
    )
}

/// The TileJSON of a diff, its tiles at `tiles_url`.
pub fn diff_tilejson<'a>(
    d: &'a Diff,
    epochs: (String, String),
    tiles_url: String,
    bounds: [f64; 4],
) -> TileJson<DiffMeta<'a>> {
    let src = &d.to.in_force.source.name;
    let diff_fields = &[
        ("area_km2", "Number"),
        ("date", "String"),
        ("from_date", "String"),
        ("from_source", "String"),
        ("from_snapshot", "String"),
        ("from_snapshot_date", "String"),
        ("from_content_sha256", "String"),
    ];
    TileJson::new(
        format!("frontline {src} diff {} {}", d.from.date, d.to.date),
        format!(
            "What changed hands in source '{src}' from {} to {}: parts of at least {} km2, as /v1/diff",
            d.from.date, d.to.date, d.totals.min_area_km2
        ),
        tiles_url,
        bounds,
        attribution(&d.to.in_force, None),
        vec![
            layer("gained", "newly occupied", diff_fields),
            layer("lost", "freed: occupied at the start, not at the end", diff_fields),
            layer("newly_contested", "contested at the end, not at the start", diff_fields),
            layer(
                "no_longer_contested",
                "contested at the start, not at the end",
                diff_fields,
            ),
        ],
        DiffMeta {
            from_epoch: epochs.0,
            to_epoch: epochs.1,
            from: &d.from,
            to: &d.to,
            totals: &d.totals,
            tiles: TileSettings::current(),
        },
    )
}

/// The TileJSON `attribution` of a state: the source's own attribution first (linked to its URL
/// where that is http or https) with its licence, as its description gives them, then the
/// snapshot and the border, and `what` (a scenario) before them where given. TileJSON 3.0.0 lets
/// clients treat the member as HTML (MapLibre does), so every text is HTML-escaped.
pub fn attribution(f: &InForceRef, what: Option<&str>) -> String {
    use html_escape::{encode_double_quoted_attribute, encode_text};
    let mut parts = Vec::new();
    if let Some(a) = &f.source.attribution {
        let credit = match f.source.source_url.as_deref() {
            Some(u) if u.starts_with("https://") || u.starts_with("http://") => {
                format!(
                    "<a href=\"{}\">{}</a>",
                    encode_double_quoted_attribute(u),
                    encode_text(a)
                )
            }
            _ => encode_text(a).into_owned(),
        };
        parts.push(match &f.source.licence {
            Some(l) => format!("{credit} ({})", encode_text(l)),
            None => credit,
        });
    }
    if let Some(w) = what {
        parts.push(encode_text(w).into_owned());
    }
    let synthetic = if f.synthetic { " (SYNTHETIC data)" } else { "" };
    parts.push(
        encode_text(&format!(
            "source {}: snapshot {} ({}); border {}{synthetic}",
            f.source.name, f.snapshot.id, f.snapshot.provenance.file, f.border.iso3
        ))
        .into_owned(),
    );
    parts.join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tile_addresses_are_checked() {
        assert_eq!(TileId::parse("3", "7", "0"), Ok(TileId { z: 3, x: 7, y: 0 }));
        for (z, x, y, what) in [
            ("3", "8", "0", "outside the grid"),
            ("19", "0", "0", "beyond the deepest"),
            ("a", "0", "0", "whole number"),
            ("1", "-1", "0", "whole number"),
            ("1", "0", "1.5", "whole number"),
            ("1", "0", "", "whole number"),
            ("1", "99999999999", "0", "whole number"),
        ] {
            match TileId::parse(z, x, y) {
                Err(TileError::BadAddress(m)) => assert!(m.contains(what), "{m}"),
                other => panic!("{z}/{x}/{y}: {other:?}"),
            }
        }
    }

    #[test]
    fn embedded_state_tiles_hold_the_four_layers_and_far_tiles_are_empty() {
        let catalog = crate::Catalog::load_embedded().unwrap();
        let date = crate::model::parse_date("2024-05-01").unwrap();
        let f = catalog.in_force(None, date).unwrap();
        let p = Prepared::state(&f);
        // z5 tile over the east of Ukraine.
        let t = p.render(TileId { z: 5, x: 19, y: 11 }).unwrap();
        assert!(t.features > 0 && !t.bytes.is_empty());
        assert_eq!(t.dropped_polygons, 0);
        let far = p.render(TileId { z: 5, x: 0, y: 0 }).unwrap();
        assert!(far.bytes.is_empty() && far.features == 0);
        let id = epoch_id(&f);
        assert_eq!(id.len(), 24);
        assert_eq!(id, epoch_id(&catalog.in_force(None, date).unwrap()));
    }
}
