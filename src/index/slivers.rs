//! Slivers and specks: covered pieces behind the front that the line of contact does not bound.
//!
//! The covered area of a date is the border minus the occupied and contested areas. Where a
//! source draws its outline apart from the reference border (a lake or lagoon left out of its
//! polygon, a coast or border drawn a few hundred metres inside Natural Earth's), the
//! difference leaves pieces of "covered" territory deep behind the front. The rule, applied to
//! every connected component C of the covered area (a polygon with its holes) of every state:
//!
//! - C is a **sliver** when (1) at least one of its edges lies on the border's boundary (the
//!   coast or the international border, within 1 cm), (2) at least one does not (it touches the
//!   occupied or contested area), and (3) every point of it lies within [`SLIVER_DEPTH_KM`] of
//!   the border's boundary (tested at its vertices, every [`SAMPLE_KM`] along the edges that are
//!   not on the border, and on a grid of [`GRID_KM`] inside it), and (4) it is **open to the
//!   outside of the source's drawing**: beyond its edges on the border, the source drew nothing
//!   around it (see below). It is a strip between the source's outline and the border, closed
//!   at both ends: no point of it is further from the border than Natural Earth 1:10m's nominal
//!   precision, and the source never drew it as a place.
//! - Condition (4), edge by edge: for each edge of C on the border, the point 1e-6 degrees
//!   (about 10 cm) beyond its middle, outside the border, is tested against the exterior rings
//!   of the source's features (and of the baselines composed with them). Where it lies inside
//!   one of them (in a hole of the source's polygon that the border cuts, not in a hole of the
//!   border such as a lake) the source's own lines close C there: C is bounded by the line of
//!   contact on every side the source drew, a **real enclave**, and stays covered whatever its
//!   size. C is open when the edges so closed are less than half of its border edges by
//!   length. A covered pocket that the source draws as a notch of its outline (open to the
//!   outside) cannot be told from a strip between two outlines: within the depth, it is a
//!   sliver.
//! - C is a **speck** when it is neither a sliver nor a real enclave closed by the source's
//!   lines (condition 4 met by a piece cut by the border), touches the occupied or contested
//!   area, and its geodesic area is below [`SPECK_MAX_KM2`]: a hole a digitiser left in a
//!   polygon, far smaller than any place that could be held.
//! - **The order**, one rule: sliver, then real enclave, then speck. The issue decides it: "a
//!   real enclave, a piece that the line of contact does bound, stays covered whatever its
//!   size". A pocket cut by the border (coast or land border) that the source closes with its
//!   own lines beyond the border is such a piece, however small (a 0.39 ha hole cut by the
//!   coast stays covered); a hole inside a polygon, touching no border, is not shown to be a
//!   place by anything but its outline, and below 1 ha it is a speck.
//! - Every other component stays covered, whatever its size: the main covered area, and real
//!   enclaves (covered territory bounded by the line of contact: by an edge of the occupied
//!   area further than the depth from the border, or by the source's own lines, condition 4).
//!
//! A sliver or speck takes the status of what surrounds it: occupied, or contested where its
//! boundary with the contested area is longer than with the occupied area. The layers, areas,
//! point answers, diffs, histories and the line of contact of a state are those after the rule;
//! the raw composition is kept (`raw=true` on the routes and commands that report areas).
//!
//! Distances to the border's boundary are measured in a local equirectangular frame (a
//! threshold, not a reported figure).
//!
//! Points are located in a piece through [`Piece::located`], the piece with its edges on the
//! border moved [`BEYOND_BORDER_DEG`] outward: the overlay that cuts the pieces rounds their
//! vertices to its grid (about 1e-9 degrees), so that a point exactly on the border's coast
//! could fall a hair outside the piece it bounds. Beyond the border, the border's own exact
//! edges decide (a point outside the border is outside whatever the layers say), so that a
//! point on the border next to a sliver takes the sliver's status, `on_boundary`, exactly on
//! the border's coordinates.

use super::line::BorderEdges;
use crate::geodesy::{KM_PER_DEGREE, polygon_area_km2};
use crate::model::ControlStatus;
use geo::{Coord, LineString, MultiPolygon, Polygon};
use serde::Serialize;

/// A covered piece whose boundary never leaves the border by more than this is a sliver (see
/// the module documentation): Natural Earth 1:10m's nominal precision (0.5 mm at 1:10,000,000).
/// On DeepState 2025-06-01 the deepest sliver reaches 4.2 km from the border.
pub const SLIVER_DEPTH_KM: f64 = 5.0;

/// A covered piece that is not a sliver, touches the occupied or contested area and is smaller
/// than this (km2: 1 ha) is a speck: the 639 m2 hole in DeepState's polygon west of Donetsk on
/// 2025-06-01 is one.
pub const SPECK_MAX_KM2: f64 = 0.01;

/// Spacing (km) of the points tested along an edge for the depth rule.
pub const SAMPLE_KM: f64 = 0.5;

/// How far beyond the border (degrees, about 10 cm) the point tested against the source's
/// drawing lies (condition 4), and how far a piece's edges on the border are moved outward for
/// point location ([`Piece::located`]): far above the overlay's grid (1e-9 degrees) and the
/// tolerance of "on the border" (1e-7), far below any real feature.
pub const BEYOND_BORDER_DEG: f64 = 1e-6;

/// Why a covered piece was moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PieceKind {
    /// A strip between the source's outline and the border (see the module documentation).
    Sliver,
    /// A hole smaller than [`SPECK_MAX_KM2`].
    Speck,
}

impl PieceKind {
    /// The name used in answers.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sliver => "sliver",
            Self::Speck => "speck",
        }
    }
}

/// A covered piece given the status of what surrounds it.
#[derive(Debug, Clone)]
pub struct Piece {
    /// Sliver or speck.
    pub kind: PieceKind,
    /// The status it takes.
    pub status: ControlStatus,
    /// The piece (RFC 7946 orientation).
    pub polygon: Polygon<f64>,
    /// The piece as points are located in it: its edges on the border moved
    /// [`BEYOND_BORDER_DEG`] outward (see the module documentation). Shared (one allocation)
    /// by every state in which the component repeats unchanged, when the [`PieceCache`] kept
    /// it: the change index pairs such rings off by their address, without reading them.
    pub located: std::sync::Arc<Polygon<f64>>,
    /// Its geodesic area, km2.
    pub area_km2: f64,
    /// Index of the component in the raw covered area.
    pub component: usize,
    /// Geodesic length of its boundary with the occupied or contested area, km: boundary of
    /// the raw occupied area that is not line of contact because of this piece.
    pub shared_km: f64,
}

/// What the rule moved in one state, per kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Moved {
    /// Number of slivers.
    pub slivers: usize,
    /// Their area, km2.
    pub sliver_km2: f64,
    /// Number of specks.
    pub specks: usize,
    /// Their area, km2.
    pub speck_km2: f64,
    /// Both, km2: covered in the raw composition, occupied or contested after the rule.
    pub moved_km2: f64,
    /// Of which given to the contested area, km2.
    pub to_contested_km2: f64,
}

impl Moved {
    /// Sums the pieces.
    pub fn of(pieces: &[Piece]) -> Moved {
        let mut m = Moved::default();
        for p in pieces {
            match p.kind {
                PieceKind::Sliver => {
                    m.slivers += 1;
                    m.sliver_km2 += p.area_km2;
                }
                PieceKind::Speck => {
                    m.specks += 1;
                    m.speck_km2 += p.area_km2;
                }
            }
            m.moved_km2 += p.area_km2;
            if p.status == ControlStatus::Contested {
                m.to_contested_km2 += p.area_km2;
            }
        }
        m
    }
}

/// The edges of a ring as pairs of ends.
fn ring_edges(r: &LineString<f64>) -> impl Iterator<Item = (Coord<f64>, Coord<f64>)> + '_ {
    r.0.windows(2).map(|w| (w[0], w[1]))
}

fn rings(p: &Polygon<f64>) -> impl Iterator<Item = &LineString<f64>> {
    std::iter::once(p.exterior()).chain(p.interiors())
}

/// Planar area of a polygon in km2, with longitudes scaled at its first vertex's latitude: a
/// cheap bound to skip the geodesic area of large pieces.
fn rough_km2(p: &Polygon<f64>) -> f64 {
    let k = p.exterior().0.first().map_or(1.0, |c| c.y.to_radians().cos());
    let shoelace = |r: &LineString<f64>| {
        r.0.windows(2)
            .map(|w| w[0].x * w[1].y - w[1].x * w[0].y)
            .sum::<f64>()
            .abs()
            / 2.0
    };
    let a = shoelace(p.exterior()) - p.interiors().iter().map(shoelace).sum::<f64>();
    a.abs() * k * KM_PER_DEGREE * KM_PER_DEGREE
}

/// Points every [`SAMPLE_KM`] (about) along the edge a-b, ends excluded, on the straight lon/lat
/// line between them.
fn samples(a: Coord<f64>, b: Coord<f64>) -> impl Iterator<Item = Coord<f64>> {
    let k = ((a.y + b.y) / 2.0).to_radians().cos();
    let km = ((b.x - a.x) * k).hypot(b.y - a.y) * KM_PER_DEGREE;
    let n = (km / SAMPLE_KM).ceil().max(1.0) as usize;
    (1..n).map(move |i| {
        let t = i as f64 / n as f64;
        Coord {
            x: a.x + t * (b.x - a.x),
            y: a.y + t * (b.y - a.y),
        }
    })
}

/// Spacing (km) of the grid of interior points tested for the depth rule.
pub const GRID_KM: f64 = 1.0;

/// Whether every point of a grid of [`GRID_KM`] inside `poly` lies within [`SLIVER_DEPTH_KM`]
/// of the border's boundary (rows in coarse-to-fine order, so that a large piece fails early).
/// The grid points inside are found row by row (even-odd crossings of the rings).
fn interior_within(poly: &Polygon<f64>, border: &BorderEdges) -> bool {
    let Some(bbox) = geo::BoundingRect::bounding_rect(poly) else {
        return true;
    };
    let dy = GRID_KM / KM_PER_DEGREE;
    let rows = ((bbox.max().y - bbox.min().y) / dy).ceil().max(1.0) as usize;
    let mut order: Vec<usize> = (0..rows).step_by(16).collect();
    order.extend((0..rows).filter(|r| r % 16 != 0));
    let mut xs: Vec<f64> = Vec::new();
    for r in order {
        let y = bbox.min().y + (r as f64 + 0.5) * dy;
        xs.clear();
        for ring in rings(poly) {
            for (a, b) in ring_edges(ring) {
                if (a.y <= y) != (b.y <= y) {
                    xs.push(a.x + (y - a.y) * (b.x - a.x) / (b.y - a.y));
                }
            }
        }
        xs.sort_by(f64::total_cmp);
        let dx = dy / y.to_radians().cos().max(1e-6);
        for pair in xs.chunks_exact(2) {
            let mut x = pair[0] + dx / 2.0;
            while x < pair[1] {
                if !border.within_km(Coord { x, y }, SLIVER_DEPTH_KM) {
                    return false;
                }
                x += dx;
            }
        }
    }
    true
}

/// What the rule learns of a covered component from the component and the border alone: the
/// same for every state in which the component appears unchanged (most pockets repeat from one
/// day to the next), so kept in a [`PieceCache`] and computed once.
#[derive(Debug)]
struct Analysed {
    /// The component, RFC 7946 orientation.
    polygon: Polygon<f64>,
    /// Its edges not on the border (shared with the occupied or contested area).
    shared: Vec<(Coord<f64>, Coord<f64>)>,
    /// Conditions 1 to 3 of a sliver.
    sliver: bool,
    /// Geodesic area, km2.
    area_km2: f64,
    /// Condition 4's points just beyond its edges on the border, with each edge's length and
    /// whether the point lies inside one of the border's exterior rings (the border alone
    /// decides it: tested here once, not on every state).
    beyond: Vec<(Coord<f64>, f64, bool)>,
    /// Geodesic length of the shared edges, km.
    shared_km: f64,
    /// The polygon in which points are located ([`Piece::located`]).
    located: std::sync::Arc<Polygon<f64>>,
}

/// Components with more vertices than this are analysed on every state, never kept (the main
/// covered area, which changes with the front every day).
const CACHED_MAX_VERTICES: usize = 1 << 16;

/// At most this many vertices are kept in a cache (a few tens of MB); past it, components are
/// analysed without being kept.
const CACHE_MAX_VERTICES: usize = 4 << 20;

/// The analyses of the covered components of every state of one border, keyed by the exact
/// coordinates of the component (hashed, then compared in full): a state's pieces are the same
/// with or without it, only found faster (the DeepState archive repeats most pockets over its
/// 469 states). Owned by the border's catalog entry, whose edges the analyses were made with.
#[derive(Debug, Default)]
pub struct PieceCache {
    map: std::sync::Mutex<CacheMap>,
}

/// A component as kept, with its analysis (`None`: not a candidate).
type Kept = (Polygon<f64>, Option<std::sync::Arc<Analysed>>);

/// The entries of a [`PieceCache`]: per hash, the components with it (`None`: not a candidate),
/// and the vertices kept.
#[derive(Debug, Default)]
struct CacheMap {
    entries: std::collections::HashMap<u64, Vec<Kept>>,
    vertices: usize,
}

impl PieceCache {
    fn key(poly: &Polygon<f64>) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        for r in rings(poly) {
            r.0.len().hash(&mut h);
            for c in &r.0 {
                c.x.to_bits().hash(&mut h);
                c.y.to_bits().hash(&mut h);
            }
        }
        h.finish()
    }

    /// The analysis kept for `poly`: `Some(found)` if kept.
    fn get(&self, key: u64, poly: &Polygon<f64>) -> Option<Option<std::sync::Arc<Analysed>>> {
        let map = self.map.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        map.entries
            .get(&key)?
            .iter()
            .find(|(p, _)| p == poly)
            .map(|(_, a)| a.clone())
    }

    fn put(&self, key: u64, poly: &Polygon<f64>, n: usize, found: Option<std::sync::Arc<Analysed>>) {
        let mut map = self.map.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let kept = n * if found.is_some() { 3 } else { 1 };
        if map.vertices + kept > CACHE_MAX_VERTICES {
            return;
        }
        let bucket = map.entries.entry(key).or_default();
        if bucket.iter().any(|(p, _)| p == poly) {
            return;
        }
        bucket.push((poly.clone(), found));
        map.vertices += kept;
    }
}

/// Conditions 1 to 3 and everything else that depends only on the component and the border;
/// `None` when it can be neither a sliver nor a speck. `maybe_shallow`: no vertex of the first
/// depth test (every 64th) was deep.
fn analyse(poly: &Polygon<f64>, maybe_shallow: bool, border: &BorderEdges) -> Option<Analysed> {
    let mut polygon = poly.clone();
    orient_rfc7946(&mut polygon);
    // Edges on the border's boundary, and the others (shared with occupied or contested).
    let (mut on_border, mut shared, mut any_on_border) = (Vec::new(), Vec::new(), false);
    for r in rings(&polygon) {
        let flags: Vec<bool> = ring_edges(r)
            .map(|(a, b)| {
                let on = a != b && border.covers(a, b);
                if !on && a != b {
                    shared.push((a, b));
                }
                on
            })
            .collect();
        any_on_border |= flags.iter().any(|f| *f);
        on_border.push(flags);
    }
    if shared.is_empty() {
        return None; // an island of covered territory, adjacent to nothing
    }
    let deep = |c: &Coord<f64>| !border.within_km(*c, SLIVER_DEPTH_KM);
    let shallow = maybe_shallow && !rings(poly).flat_map(|r| r.0.iter()).any(deep);
    let sliver = shallow
        && any_on_border
        && shared
            .iter()
            .all(|&(a, b)| samples(a, b).all(|c| border.within_km(c, SLIVER_DEPTH_KM)))
        && interior_within(&polygon, border);
    let area_km2 = polygon_area_km2(&polygon);
    if !sliver && area_km2 >= SPECK_MAX_KM2 {
        return None;
    }
    let mut beyond = Vec::new();
    if sliver {
        for (r, flags) in rings(&polygon).zip(&on_border) {
            for ((a, b), _) in ring_edges(r).zip(flags).filter(|(_, on)| **on) {
                beyond.push(beyond_edge(a, b, BEYOND_BORDER_DEG));
            }
        }
    }
    let points: Vec<Coord<f64>> = beyond.iter().map(|b| b.0).collect();
    let in_border = inside_any_ring(border.exteriors(), &points);
    let beyond = beyond
        .into_iter()
        .zip(in_border)
        .map(|((q, len), inb)| (q, len, inb))
        .collect();
    let len = |&(a, b): &(Coord<f64>, Coord<f64>)| crate::geodesy::edge_length_m(a, b) / 1e3;
    let shared_km: f64 = shared.iter().map(len).sum();
    let located = std::sync::Arc::new(located_polygon(&polygon, &on_border));
    Some(Analysed {
        polygon,
        shared,
        sliver,
        area_km2,
        beyond,
        shared_km,
        located,
    })
}

/// Finds the slivers and specks among the components of `covered` (see the module
/// documentation). `source_exteriors` are the exterior rings of the source's features and of the
/// baselines composed with them (condition 4). `side` gives the status of the raw layers at a
/// point (None: covered or outside); it is asked only where the contested area is not empty,
/// to choose between occupied and contested. `cache`, where given, keeps what depends on a
/// component and the border alone for the next states of the same border (see [`PieceCache`]).
pub fn find_pieces<'a>(
    covered: &MultiPolygon<f64>,
    has_contested: bool,
    border: &BorderEdges,
    source_exteriors: impl Iterator<Item = &'a LineString<f64>> + Clone,
    side: impl Fn(f64, f64) -> Option<ControlStatus>,
    cache: Option<&PieceCache>,
) -> Vec<Piece> {
    use std::sync::Arc;
    let mut candidates: Vec<(usize, Arc<Analysed>)> = Vec::new();
    for (component, poly) in covered.0.iter().enumerate() {
        // The depth test on every 64th vertex first: the main covered area fails at once on a
        // vertex of the front (and is not small), without any further work.
        let n: usize = rings(poly).map(|r| r.0.len()).sum();
        let deep = |c: &Coord<f64>| !border.within_km(*c, SLIVER_DEPTH_KM);
        let maybe_shallow = !rings(poly).flat_map(|r| r.0.iter()).step_by(64).any(deep);
        let small = rough_km2(poly) < 4.0 * SPECK_MAX_KM2;
        if !maybe_shallow && !small {
            continue;
        }
        let key = cache
            .filter(|_| n <= CACHED_MAX_VERTICES)
            .map(|c| (c, PieceCache::key(poly)));
        let found = match key.and_then(|(c, k)| c.get(k, poly)) {
            Some(found) => found,
            None => {
                let found = analyse(poly, maybe_shallow, border).map(Arc::new);
                if let Some((c, k)) = key {
                    c.put(k, poly, n, found.clone());
                }
                found
            }
        };
        if let Some(a) = found {
            candidates.push((component, a));
        }
    }
    // Condition 4 for every sliver candidate at once: the points just beyond its edges on the
    // border, and the length of each edge.
    let mut beyond: Vec<(usize, Coord<f64>, f64, bool)> = Vec::new();
    for (i, (_, c)) in candidates.iter().enumerate().filter(|(_, (_, c))| c.sliver) {
        beyond.extend(c.beyond.iter().map(|&(q, len, inb)| (i, q, len, inb)));
    }
    let points: Vec<Coord<f64>> = beyond.iter().map(|b| b.1).collect();
    let in_source = inside_any_ring(source_exteriors, &points);
    let mut closed = vec![(0.0, 0.0); candidates.len()];
    for (k, &(i, _, len, in_border)) in beyond.iter().enumerate() {
        closed[i].1 += len;
        if in_source[k] && !in_border {
            closed[i].0 += len;
        }
    }
    let mut out = Vec::new();
    for (i, (component, c)) in candidates.into_iter().enumerate() {
        // The order: sliver (open to the outside), then real enclave (closed by the source's
        // own lines where the border cuts it: covered whatever its size), then speck.
        let sliver = c.sliver && closed[i].0 < 0.5 * closed[i].1;
        let enclave = c.sliver && !sliver;
        let kind = if sliver {
            PieceKind::Sliver
        } else if !enclave && c.area_km2 < SPECK_MAX_KM2 {
            PieceKind::Speck
        } else {
            continue;
        };
        let status = if has_contested {
            surrounding_status(&c.polygon, &c.shared, &side)
        } else {
            ControlStatus::Occupied
        };
        out.push(Piece {
            kind,
            status,
            polygon: c.polygon.clone(),
            located: c.located.clone(),
            area_km2: c.area_km2,
            component,
            shared_km: c.shared_km,
        });
    }
    out
}

/// The point `d` degrees (longitudes scaled at the edge's latitude) to the right of the middle
/// of the edge a-b (outside a piece whose interior is on its left), and the edge's length in
/// that frame (degrees).
fn beyond_edge(a: Coord<f64>, b: Coord<f64>, d: f64) -> (Coord<f64>, f64) {
    let k = ((a.y + b.y) / 2.0).to_radians().cos().max(1e-6);
    let (dx, dy) = ((b.x - a.x) * k, b.y - a.y);
    let len = dx.hypot(dy).max(f64::MIN_POSITIVE);
    let (nx, ny) = (dy / len, -dx / len);
    (
        Coord {
            x: (a.x + b.x) / 2.0 + nx * d / k,
            y: (a.y + b.y) / 2.0 + ny * d,
        },
        len,
    )
}

/// Whether each point lies inside at least one of `rings` (each ring taken on its own, whatever
/// its orientation): one pass over the edges, the points sorted by latitude, a crossing count
/// of the horizontal ray east of each point weighted by the ring's orientation.
fn inside_any_ring<'a>(rings: impl Iterator<Item = &'a LineString<f64>>, points: &[Coord<f64>]) -> Vec<bool> {
    if points.is_empty() {
        return Vec::new();
    }
    let mut order: Vec<usize> = (0..points.len()).collect();
    order.sort_by(|&i, &j| points[i].y.total_cmp(&points[j].y));
    let ys: Vec<f64> = order.iter().map(|&i| points[i].y).collect();
    let mut winding = vec![0i64; points.len()];
    for ring in rings {
        let twice_area: f64 = ring.0.windows(2).map(|w| w[0].x * w[1].y - w[1].x * w[0].y).sum();
        let sign = if twice_area < 0.0 { -1 } else { 1 };
        for (a, b) in ring_edges(ring) {
            if a.y == b.y {
                continue;
            }
            // The points with min(a.y, b.y) <= y < max(a.y, b.y).
            let (lo, hi) = (a.y.min(b.y), a.y.max(b.y));
            let from = ys.partition_point(|&y| y < lo);
            let to = ys.partition_point(|&y| y < hi);
            for &i in &order[from..to] {
                let p = points[i];
                let x = a.x + (p.y - a.y) * (b.x - a.x) / (b.y - a.y);
                if x > p.x {
                    winding[i] += if b.y > a.y { sign } else { -sign };
                }
            }
        }
    }
    winding.into_iter().map(|w| w != 0).collect()
}

/// The piece with its runs of edges on the border moved [`BEYOND_BORDER_DEG`] outward (to their
/// right: the piece is oriented with its interior on the left), joined to the edges that stay
/// by short connectors, so that the edges shared with the occupied or contested area are
/// unchanged.
fn located_polygon(p: &Polygon<f64>, on_border: &[Vec<bool>]) -> Polygon<f64> {
    let offset = |r: &LineString<f64>, flags: &[bool]| -> LineString<f64> {
        let c = &r.0;
        let n = c.len().saturating_sub(1);
        if n < 3 || !flags.iter().any(|f| *f) {
            return r.clone();
        }
        let normal = |i: usize| {
            let (a, b) = (c[i], c[i + 1]);
            let k = ((a.y + b.y) / 2.0).to_radians().cos().max(1e-6);
            let (dx, dy) = ((b.x - a.x) * k, b.y - a.y);
            let len = dx.hypot(dy).max(f64::MIN_POSITIVE);
            (dy / len, -dx / len, k)
        };
        let moved = |v: Coord<f64>, (nx, ny, k): (f64, f64, f64), scale: f64| Coord {
            x: v.x + nx * scale * BEYOND_BORDER_DEG / k,
            y: v.y + ny * scale * BEYOND_BORDER_DEG,
        };
        let mut out = Vec::with_capacity(n + 8);
        for i in 0..n {
            let prev = (i + n - 1) % n;
            let v = c[i];
            match (flags[prev], flags[i]) {
                (false, false) => out.push(v),
                (false, true) => {
                    out.push(v);
                    out.push(moved(v, normal(i), 1.0));
                }
                (true, false) => {
                    out.push(moved(v, normal(prev), 1.0));
                    out.push(v);
                }
                (true, true) => {
                    // Both edges moved by the same distance: the miter, bounded at sharp turns.
                    let (n1, n2) = (normal(prev), normal(i));
                    let (sx, sy) = (n1.0 + n2.0, n1.1 + n2.1);
                    let cos = n1.0 * n2.0 + n1.1 * n2.1;
                    let scale = 1.0 / (1.0 + cos).max(0.1);
                    let k = n2.2;
                    out.push(moved(v, (sx, sy, k), scale));
                }
            }
        }
        if let Some(&first) = out.first() {
            out.push(first);
        }
        LineString(out)
    };
    let mut rs = rings(p).zip(on_border).map(|(r, f)| offset(r, f));
    let exterior = rs.next().unwrap_or_else(|| p.exterior().clone());
    Polygon::new(exterior, rs.collect())
}

/// The status along the longer part of a piece's shared boundary: each shared edge's midpoint,
/// moved 1e-6 degrees (about 10 cm) off the piece, is located in the raw layers.
fn surrounding_status(
    poly: &Polygon<f64>,
    shared: &[(Coord<f64>, Coord<f64>)],
    side: &impl Fn(f64, f64) -> Option<ControlStatus>,
) -> ControlStatus {
    use crate::index::{Location, locate_in_polygon};
    let (mut occ, mut con) = (0.0, 0.0);
    for &(a, b) in shared {
        let (mx, my) = ((a.x + b.x) / 2.0, (a.y + b.y) / 2.0);
        let (dx, dy) = (b.x - a.x, b.y - a.y);
        let n = dx.hypot(dy).max(f64::MIN_POSITIVE);
        let (nx, ny) = (-dy / n * 1e-6, dx / n * 1e-6);
        let len = n;
        for (x, y) in [(mx + nx, my + ny), (mx - nx, my - ny)] {
            if locate_in_polygon(poly, x, y) == Location::Outside {
                match side(x, y) {
                    Some(ControlStatus::Occupied) => occ += len,
                    Some(ControlStatus::Contested) => con += len,
                    None => {}
                }
                break;
            }
        }
    }
    if con > occ {
        ControlStatus::Contested
    } else {
        ControlStatus::Occupied
    }
}

/// Exterior counter-clockwise, holes clockwise (RFC 7946), as the point index and the change
/// index of histories expect.
fn orient_rfc7946(p: &mut Polygon<f64>) {
    use geo::orient::{Direction, Orient};
    *p = p.orient(Direction::Default);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rect(x0: f64, y0: f64, x1: f64, y1: f64) -> Polygon<f64> {
        geo::Rect::new((x0, y0), (x1, y1)).to_polygon()
    }

    fn same(a: &[Piece], b: &[Piece]) -> bool {
        a.len() == b.len()
            && a.iter().zip(b).all(|(p, q)| {
                (p.kind, p.status, p.component) == (q.kind, q.status, q.component)
                    && (p.polygon.clone(), p.located.clone()) == (q.polygon.clone(), q.located.clone())
                    && p.area_km2.to_bits() == q.area_km2.to_bits()
                    && p.shared_km.to_bits() == q.shared_km.to_bits()
            })
    }

    /// The cache keeps only what depends on a component and the border: the same pieces with
    /// and without it, on a first and on a repeated state, and condition 4 (the source's
    /// drawing) still decided per state.
    #[test]
    fn cached_analyses_give_the_same_pieces_and_leave_condition_4_to_each_state() {
        let border = BorderEdges::new(&MultiPolygon(vec![rect(30.0, 47.0, 31.0, 48.0)]));
        // The main covered area (deep), a 700 m strip against the eastern border (a sliver
        // candidate), and a 0.1 ha pocket inside (a speck).
        let covered = MultiPolygon(vec![
            rect(30.0, 47.0, 30.5, 48.0),
            rect(30.99, 47.2, 31.0, 47.4),
            rect(30.7, 47.7, 30.7004, 47.7003),
        ]);
        let none: Vec<LineString<f64>> = Vec::new();
        let around = [rect(30.5, 46.5, 31.5, 48.5).exterior().clone()];
        let cache = PieceCache::default();
        let plain = find_pieces(&covered, false, &border, none.iter(), |_, _| None, None);
        let first = find_pieces(&covered, false, &border, none.iter(), |_, _| None, Some(&cache));
        let again = find_pieces(&covered, false, &border, none.iter(), |_, _| None, Some(&cache));
        let kinds: Vec<PieceKind> = plain.iter().map(|p| p.kind).collect();
        assert_eq!(kinds, vec![PieceKind::Sliver, PieceKind::Speck], "{plain:?}");
        assert!(same(&plain, &first) && same(&plain, &again));
        // A piece repeated from the cache is the cached piece in memory (the change index pairs
        // it off by its address); without the cache, each state has its own.
        assert!(
            first
                .iter()
                .zip(&again)
                .all(|(p, q)| std::sync::Arc::ptr_eq(&p.located, &q.located))
        );
        assert!(
            !plain
                .iter()
                .zip(&first)
                .any(|(p, q)| std::sync::Arc::ptr_eq(&p.located, &q.located))
        );
        let map = cache.map.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        assert!(!map.entries.is_empty(), "the strip's analysis is kept");
        drop(map);
        // The same strip closed by the source's own line beyond the border: a real enclave,
        // covered, although its analysis comes from the cache; the speck stays a speck.
        let closed = find_pieces(&covered, false, &border, around.iter(), |_, _| None, Some(&cache));
        let closed_plain = find_pieces(&covered, false, &border, around.iter(), |_, _| None, None);
        assert_eq!(
            closed.iter().map(|p| (p.kind, p.component)).collect::<Vec<_>>(),
            vec![(PieceKind::Speck, 2)]
        );
        assert!(same(&closed, &closed_plain));
    }

    #[test]
    fn rough_area_bounds_the_geodesic_one() {
        let p = Polygon::new(
            LineString::from(vec![
                (30.0, 47.0),
                (30.01, 47.0),
                (30.01, 47.01),
                (30.0, 47.01),
                (30.0, 47.0),
            ]),
            vec![],
        );
        let g = polygon_area_km2(&p);
        assert!((rough_km2(&p) - g).abs() / g < 0.01, "{} vs {g}", rough_km2(&p));
    }
}
