//! Geometry of one vector tile: Web Mercator projection, clipping to the tile with a buffer,
//! per-zoom simplification, quantisation to the tile's integer grid, and the repair that keeps
//! every polygon valid there (MVT 2.1 §4.3.4).
//!
//! Written here rather than taken from a crate: the clipping is Sutherland-Hodgman (polygons)
//! and Liang-Barsky (lines) against an axis-aligned square, a few lines each; what makes the
//! polygons valid is i_overlay's integer overlay (the engine behind `geo`'s boolean operations),
//! run on the quantised rings, so that its output is valid on the very grid the tile encodes:
//! a simplification or a rounding that makes a ring cross itself or its holes is resolved
//! there (even-odd rule). A polygon wholly inside the tile is first checked with the loader's
//! validity check (`crate::geodata::validity_problems`) and kept as rounded when it passes;
//! a clipped polygon, or one that fails, is rebuilt by the overlay, and its output checked for
//! MVT's winding and non-zero areas; one that fails is dropped and counted. `tests/real_tiles.rs`
//! runs the loader's full check on every polygon of every z6, z8 and z10 tile of DeepState.

use geo::{Coord, LineString, MultiPolygon, Polygon};
use i_overlay::core::fill_rule::FillRule;
use i_overlay::core::overlay::{IntOverlayOptions, Overlay, ShapeType};
use i_overlay::core::overlay_rule::OverlayRule;
use i_overlay::i_float::int::point::IntPoint;

/// Tile coordinates per tile side (MVT's usual extent).
pub const EXTENT: u32 = 4096;
/// Tile coordinates drawn beyond each side of the tile, so that strokes and fills join across
/// tile edges (as PostGIS's `ST_AsMVTGeom` default).
pub const BUFFER: u32 = 64;
/// Douglas-Peucker tolerance in tile coordinates: 1/8192 of a tile side at every zoom, so the
/// tolerance on the ground halves with each zoom level (about 19 m at z6, 1.2 m at z10 at 48°N).
pub const SIMPLIFY_TILE_UNITS: f64 = 0.5;
/// Largest latitude of Web Mercator (EPSG:3857's square).
pub const MAX_LATITUDE: f64 = 85.051_128_779_806_59;

/// A point in world Web Mercator coordinates scaled to the unit square: x east from the
/// antimeridian, y south from the top (`MAX_LATITUDE`), both in [0, 1].
pub fn world(lon: f64, lat: f64) -> [f64; 2] {
    let lat = lat.clamp(-MAX_LATITUDE, MAX_LATITUDE).to_radians();
    let x = (lon + 180.0) / 360.0;
    let y = (1.0 - (std::f64::consts::FRAC_PI_4 + lat / 2.0).tan().ln() / std::f64::consts::PI) / 2.0;
    [x, y]
}

/// The inverse of [`world`]: (lon, lat) in degrees.
pub fn lon_lat(w: [f64; 2]) -> [f64; 2] {
    let lon = w[0] * 360.0 - 180.0;
    let lat = (std::f64::consts::PI * (1.0 - 2.0 * w[1])).sinh().atan().to_degrees();
    [lon, lat]
}

/// A ring or line in world coordinates with its bounding box `[min_x, min_y, max_x, max_y]`.
#[derive(Debug, Clone)]
pub struct WorldPath {
    /// Positions (a ring: closed, the last equal to the first).
    pub points: Vec<[f64; 2]>,
    /// Bounding box.
    pub bbox: [f64; 4],
    /// Bounding boxes of runs of [`CHUNK`] edges: run `k` holds the positions `k * CHUNK` to
    /// `(k + 1) * CHUNK` (both included), so that a tile skips the runs that lie wholly on
    /// one side of it without looking at their positions.
    pub chunks: Vec<[f64; 4]>,
}

/// Edges per run of [`WorldPath::chunks`].
pub const CHUNK: usize = 32;

fn bbox_of(points: &[[f64; 2]]) -> [f64; 4] {
    let mut b = [f64::INFINITY, f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY];
    for p in points {
        b = [b[0].min(p[0]), b[1].min(p[1]), b[2].max(p[0]), b[3].max(p[1])];
    }
    b
}

impl WorldPath {
    /// Projects a lon/lat path.
    pub fn new(line: &LineString<f64>) -> WorldPath {
        WorldPath::from_points(line.0.iter().map(|c| world(c.x, c.y)).collect())
    }

    /// A path of world positions.
    pub fn from_points(points: Vec<[f64; 2]>) -> WorldPath {
        let edges = points.len().saturating_sub(1);
        let chunks = (0..edges.div_ceil(CHUNK))
            .map(|k| bbox_of(&points[k * CHUNK..=((k + 1) * CHUNK).min(edges)]))
            .collect();
        WorldPath {
            bbox: bbox_of(&points),
            points,
            chunks,
        }
    }
}

/// A polygon in world coordinates: the exterior first, then the holes.
#[derive(Debug, Clone)]
pub struct WorldPolygon {
    /// Rings.
    pub rings: Vec<WorldPath>,
}

impl WorldPolygon {
    /// Projects a lon/lat polygon.
    pub fn new(p: &Polygon<f64>) -> WorldPolygon {
        WorldPolygon {
            rings: std::iter::once(p.exterior())
                .chain(p.interiors())
                .map(WorldPath::new)
                .collect(),
        }
    }

    /// The exterior's bounding box (empty polygon: an empty box).
    pub fn bbox(&self) -> [f64; 4] {
        self.rings.first().map_or(
            [f64::INFINITY, f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY],
            |r| r.bbox,
        )
    }
}

/// One tile address, checked: `z` in [0, [`super::MAX_ZOOM`]], `x` and `y` in [0, 2^z).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TileId {
    /// Zoom.
    pub z: u8,
    /// Column, from the antimeridian eastwards.
    pub x: u32,
    /// Row, from the north.
    pub y: u32,
}

impl TileId {
    /// Every tile of zoom `z` that meets `bounds` (`[west, south, east, north]`, degrees), column
    /// by column from the west, each from the north.
    pub fn covering(bounds: [f64; 4], z: u8) -> Vec<TileId> {
        let [west, north] = world(bounds[0], bounds[3]);
        let [east, south] = world(bounds[2], bounds[1]);
        TileId::covering_world([west, north, east, south], z)
    }

    /// [`TileId::covering`] for a box in world coordinates (`[min_x, min_y, max_x, max_y]`, as
    /// [`world`] gives them).
    pub fn covering_world(b: [f64; 4], z: u8) -> Vec<TileId> {
        let n = 1u32 << z;
        // A position on the east or south edge of the world lies in the last tile.
        let cell = |w: f64| ((w.clamp(0.0, 1.0) * f64::from(n)).floor() as u32).min(n - 1);
        (cell(b[0])..=cell(b[2]))
            .flat_map(|x| (cell(b[1])..=cell(b[3])).map(move |y| TileId { z, x, y }))
            .collect()
    }
}

/// The square of a tile in world coordinates, and the transform into its tile coordinates.
#[derive(Debug, Clone, Copy)]
pub struct TileFrame {
    scale: f64,
    x0: f64,
    y0: f64,
    /// The buffered square in world coordinates `[min_x, min_y, max_x, max_y]`.
    pub world_bbox: [f64; 4],
}

impl TileFrame {
    /// The frame of `t`.
    pub fn new(t: TileId) -> TileFrame {
        let n = f64::from(1u32 << t.z);
        let scale = n * f64::from(EXTENT);
        let b = f64::from(BUFFER) / scale;
        let (x0, y0) = (f64::from(t.x) / n, f64::from(t.y) / n);
        TileFrame {
            scale,
            x0,
            y0,
            world_bbox: [x0 - b, y0 - b, x0 + 1.0 / n + b, y0 + 1.0 / n + b],
        }
    }

    fn tile_point(&self, p: [f64; 2]) -> [f64; 2] {
        [(p[0] - self.x0) * self.scale, (p[1] - self.y0) * self.scale]
    }

    /// A position in tile coordinates back in world coordinates.
    pub fn world_point(&self, p: [f64; 2]) -> [f64; 2] {
        [p[0] / self.scale + self.x0, p[1] / self.scale + self.y0]
    }

    fn meets(&self, b: &[f64; 4]) -> bool {
        let w = &self.world_bbox;
        b[0] <= w[2] && b[2] >= w[0] && b[1] <= w[3] && b[3] >= w[1]
    }

    fn holds(&self, b: &[f64; 4]) -> bool {
        let w = &self.world_bbox;
        b[0] >= w[0] && b[2] <= w[2] && b[1] >= w[1] && b[3] <= w[3]
    }
}

const LO: f64 = -(BUFFER as f64);
const HI: f64 = (EXTENT + BUFFER) as f64;

/// Sutherland-Hodgman against one side of the buffered square. `axis` 0: x, 1: y; `keep_above`:
/// keep values >= `edge` (else <=). The ring is open (no repeated closing position).
fn clip_side(input: &[[f64; 2]], out: &mut Vec<[f64; 2]>, axis: usize, edge: f64, keep_above: bool) {
    out.clear();
    let inside = |p: &[f64; 2]| if keep_above { p[axis] >= edge } else { p[axis] <= edge };
    let Some(mut prev) = input.last().copied() else { return };
    for &cur in input {
        let (pi, ci) = (inside(&prev), inside(&cur));
        if ci != pi {
            let t = (edge - prev[axis]) / (cur[axis] - prev[axis]);
            let mut p = [prev[0] + t * (cur[0] - prev[0]), prev[1] + t * (cur[1] - prev[1])];
            p[axis] = edge;
            out.push(p);
        }
        if ci {
            out.push(cur);
        }
        prev = cur;
    }
}

/// A ring in tile coordinates, clipped to the buffered square (open: no closing repeat), or
/// `None` when nothing of it is left.
fn clip_ring(ring: &WorldPath, frame: &TileFrame, scratch: &mut Vec<[f64; 2]>) -> Option<Vec<[f64; 2]>> {
    if !frame.meets(&ring.bbox) {
        return None;
    }
    let n = ring.points.len().saturating_sub(1);
    let mut a: Vec<[f64; 2]> = Vec::new();
    if frame.holds(&ring.bbox) {
        a.extend(ring.points[..n].iter().map(|&p| frame.tile_point(p)));
    } else {
        // A run of edges wholly outside the buffered square lies in one of the four half-planes
        // beyond its sides (a box disjoint from a box is separated along an axis): replaced by
        // the chord between its ends, which lies in the same half-plane, it leaves the part of
        // the ring inside the square as it was.
        for (k, b) in ring.chunks.iter().enumerate() {
            let (from, to) = (k * CHUNK, ((k + 1) * CHUNK).min(n));
            if frame.meets(b) {
                a.extend(ring.points[from..to].iter().map(|&p| frame.tile_point(p)));
            } else {
                a.push(frame.tile_point(ring.points[from]));
            }
        }
        for (axis, edge, above) in [(0, LO, true), (0, HI, false), (1, LO, true), (1, HI, false)] {
            clip_side(&a, scratch, axis, edge, above);
            std::mem::swap(&mut a, scratch);
            if a.len() < 3 {
                return None;
            }
        }
    }
    (a.len() >= 3).then_some(a)
}

/// Douglas-Peucker: the positions of `pts` kept with tolerance `eps`, the ends always kept.
/// By hand rather than `geo`'s `Simplify`, which measures with `hypot` and wants `LineString`s:
/// this compares squared distances on the tile's own arrays (a third of the time of a tile).
fn douglas_peucker(pts: &[[f64; 2]], eps: f64) -> Vec<[f64; 2]> {
    let n = pts.len();
    if n < 3 {
        return pts.to_vec();
    }
    let mut keep = vec![false; n];
    keep[0] = true;
    keep[n - 1] = true;
    let eps2 = eps * eps;
    let mut stack = vec![(0usize, n - 1)];
    while let Some((a, b)) = stack.pop() {
        if b <= a + 1 {
            continue;
        }
        let (p, q) = (pts[a], pts[b]);
        let (dx, dy) = (q[0] - p[0], q[1] - p[1]);
        let len2 = dx * dx + dy * dy;
        let (mut best, mut at) = (-1.0f64, a);
        for (i, c) in pts.iter().enumerate().take(b).skip(a + 1) {
            let (ex, ey) = (c[0] - p[0], c[1] - p[1]);
            // Squared distance to the segment p-q (to p when p and q coincide, as in a ring).
            let d2 = if len2 == 0.0 {
                ex * ex + ey * ey
            } else {
                let t = ((ex * dx + ey * dy) / len2).clamp(0.0, 1.0);
                let (fx, fy) = (ex - t * dx, ey - t * dy);
                fx * fx + fy * fy
            };
            if d2 > best {
                (best, at) = (d2, i);
            }
        }
        if best > eps2 {
            keep[at] = true;
            stack.push((a, at));
            stack.push((at, b));
        }
    }
    pts.iter().zip(keep).filter(|(_, k)| *k).map(|(p, _)| *p).collect()
}

/// The ring simplified (Douglas-Peucker, [`SIMPLIFY_TILE_UNITS`]) and rounded to the integer
/// grid, consecutive repeats removed; `None` below three positions.
fn quantise_ring(ring: &[[f64; 2]], simplify: bool) -> Option<Vec<IntPoint>> {
    let mut pts: Vec<[f64; 2]> = ring.to_vec();
    if simplify && pts.len() > 4 {
        if let Some(&first) = pts.first() {
            pts.push(first);
        }
        pts = douglas_peucker(&pts, SIMPLIFY_TILE_UNITS);
        pts.pop();
    }
    let mut out: Vec<IntPoint> = Vec::with_capacity(pts.len());
    for p in pts {
        let q = IntPoint::new(p[0].round() as i32, p[1].round() as i32);
        if out.last() != Some(&q) {
            out.push(q);
        }
    }
    while out.len() > 1 && out.first() == out.last() {
        out.pop();
    }
    (out.len() >= 3).then_some(out)
}

/// Twice the signed area of a ring in tile coordinates (positive: MVT's exterior, clockwise on
/// screen with y down).
fn twice_area(r: &[IntPoint]) -> i64 {
    let n = r.len();
    (0..n)
        .map(|i| {
            let (a, b) = (r[i], r[(i + 1) % n]);
            i64::from(a.x) * i64::from(b.y) - i64::from(b.x) * i64::from(a.y)
        })
        .sum()
}

/// What one polygon became in one tile.
#[derive(Debug, Default)]
pub struct TilePolygons {
    /// Valid polygons on the tile grid: each a list of rings, the exterior first (positive area
    /// in tile coordinates, as MVT 2.1 wants), then holes (negative).
    pub polygons: Vec<Vec<Vec<IntPoint>>>,
    /// Polygons dropped because they failed the validity check after repair.
    pub dropped: usize,
    /// Whether the clipped and rounded rings failed the check and were rebuilt.
    pub repaired: bool,
}

/// Clips, simplifies and quantises `p` for the tile of `frame`; repairs what that broke.
pub fn tile_polygon(p: &WorldPolygon, frame: &TileFrame, simplify: bool) -> TilePolygons {
    let mut out = TilePolygons::default();
    if !frame.meets(&p.bbox()) {
        return out;
    }
    let mut scratch = Vec::new();
    let mut rings: Vec<Vec<IntPoint>> = Vec::with_capacity(p.rings.len());
    let mut clipped = false;
    for (i, r) in p.rings.iter().enumerate() {
        clipped |= frame.meets(&r.bbox) && !frame.holds(&r.bbox);
        match clip_ring(r, frame, &mut scratch).and_then(|c| quantise_ring(&c, simplify)) {
            Some(q) => rings.push(q),
            None if i == 0 => return out,
            None => {}
        }
    }
    // With MVT's winding: the exterior positive in tile coordinates (y down), holes negative.
    for (i, r) in rings.iter_mut().enumerate() {
        let a = twice_area(r);
        if (i == 0 && a < 0) || (i > 0 && a > 0) {
            r.reverse();
        }
    }
    // A polygon wholly inside the buffered tile is kept as rounded when the loader's check finds
    // it valid. A clipped one is rebuilt at once: Sutherland-Hodgman joins the pieces of a
    // polygon that leaves and re-enters the tile along its edge, which the check refuses.
    if !clipped && valid(&rings) {
        out.polygons.push(rings);
        return out;
    }
    let count: usize = rings.iter().map(Vec::len).sum();
    let mut overlay = Overlay::new_custom(count, IntOverlayOptions::ogc(), Default::default());
    for r in &rings {
        overlay.add_contour(r, ShapeType::Subject);
    }
    out.repaired = true;
    for shape in overlay.overlay(OverlayRule::Subject, FillRule::EvenOdd) {
        let mut polygon: Vec<Vec<IntPoint>> = shape.into_iter().filter(|r| r.len() >= 3).collect();
        if polygon.is_empty() {
            continue;
        }
        for (i, r) in polygon.iter_mut().enumerate() {
            let a = twice_area(r);
            if (i == 0 && a < 0) || (i > 0 && a > 0) {
                r.reverse();
            }
        }
        // i_overlay's output is valid on the integer grid by construction (its OGC mode);
        // what is checked again here is what MVT adds: winding and non-zero areas.
        if sound(&polygon) {
            out.polygons.push(polygon);
        } else {
            out.dropped += 1;
        }
    }
    out
}

/// At least three positions per ring, none of zero area, the exterior positive and the holes
/// negative (MVT 2.1 §4.3.4.1).
fn sound(polygon: &[Vec<IntPoint>]) -> bool {
    polygon.iter().enumerate().all(|(i, r)| {
        let a = twice_area(r);
        r.len() >= 3 && if i == 0 { a > 0 } else { a < 0 }
    })
}

/// The loader's validity check (`crate::geodata::validity_problems`) on a polygon of the tile
/// grid (rings as [`TilePolygons::polygons`] hold them), with no ring of zero area.
pub fn valid(polygon: &[Vec<IntPoint>]) -> bool {
    if polygon.iter().any(|r| twice_area(r) == 0) {
        return false;
    }
    // Scaled by 2^-13 (exact): the check refuses edges longer than 180 "degrees".
    let k = 1.0 / 8192.0;
    let ring = |r: &Vec<IntPoint>| {
        let mut cs: Vec<Coord<f64>> = r
            .iter()
            .map(|p| Coord {
                x: f64::from(p.x) * k,
                y: f64::from(p.y) * k,
            })
            .collect();
        if let Some(&f) = cs.first() {
            cs.push(f);
        }
        LineString(cs)
    };
    let mut rings = polygon.iter().map(ring);
    let Some(exterior) = rings.next() else { return false };
    let mp = MultiPolygon(vec![Polygon::new(exterior, rings.collect())]);
    crate::geodata::validity_problems(&mp).is_empty()
}

/// Clips `line` to the buffered square of `frame` (Liang-Barsky per edge), simplifies and
/// quantises each piece; pieces under two positions are left out.
pub fn tile_line(line: &WorldPath, frame: &TileFrame, simplify: bool) -> Vec<Vec<IntPoint>> {
    let mut pieces: Vec<Vec<[f64; 2]>> = Vec::new();
    if !frame.meets(&line.bbox) {
        return Vec::new();
    }
    let mut current: Vec<[f64; 2]> = Vec::new();
    let n = line.points.len().saturating_sub(1);
    // Runs of edges wholly outside the buffered square add nothing (see `clip_ring`).
    let edges = line.chunks.iter().enumerate().flat_map(|(k, b)| {
        let range = if frame.meets(b) {
            k * CHUNK..((k + 1) * CHUNK).min(n)
        } else {
            0..0
        };
        let gap = !frame.meets(b);
        range.map(Some).chain(gap.then_some(None))
    });
    for e in edges {
        let Some(i) = e else {
            if current.len() >= 2 {
                pieces.push(std::mem::take(&mut current));
            }
            current.clear();
            continue;
        };
        let w = [line.points[i], line.points[i + 1]];
        let (a, b) = (frame.tile_point(w[0]), frame.tile_point(w[1]));
        match clip_segment(a, b) {
            Some((p, q, exits)) => {
                if current.last() != Some(&p) {
                    if current.len() >= 2 {
                        pieces.push(std::mem::take(&mut current));
                    }
                    current.clear();
                    current.push(p);
                }
                current.push(q);
                if exits && current.len() >= 2 {
                    pieces.push(std::mem::take(&mut current));
                }
            }
            None => {
                if current.len() >= 2 {
                    pieces.push(std::mem::take(&mut current));
                }
                current.clear();
            }
        }
    }
    if current.len() >= 2 {
        pieces.push(current);
    }
    pieces
        .into_iter()
        .filter_map(|piece| {
            let piece = if simplify && piece.len() > 2 {
                douglas_peucker(&piece, SIMPLIFY_TILE_UNITS)
            } else {
                piece
            };
            let mut out: Vec<IntPoint> = Vec::with_capacity(piece.len());
            for p in piece {
                let q = IntPoint::new(p[0].round() as i32, p[1].round() as i32);
                if out.last() != Some(&q) {
                    out.push(q);
                }
            }
            (out.len() >= 2).then_some(out)
        })
        .collect()
}

/// The part of segment a-b inside the buffered square (Liang-Barsky), and whether b is outside
/// (the line leaves the square on this segment).
fn clip_segment(a: [f64; 2], b: [f64; 2]) -> Option<([f64; 2], [f64; 2], bool)> {
    let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
    let (mut t0, mut t1) = (0.0f64, 1.0f64);
    for (p, q) in [(-dx, a[0] - LO), (dx, HI - a[0]), (-dy, a[1] - LO), (dy, HI - a[1])] {
        if p == 0.0 {
            if q < 0.0 {
                return None;
            }
        } else {
            let r = q / p;
            if p < 0.0 {
                t0 = t0.max(r);
            } else {
                t1 = t1.min(r);
            }
        }
    }
    if t0 > t1 {
        return None;
    }
    let at = |t: f64| [a[0] + t * dx, a[1] + t * dy];
    let p = if t0 == 0.0 { a } else { at(t0) };
    let q = if t1 == 1.0 { b } else { at(t1) };
    Some((p, q, t1 < 1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn square(x0: f64, y0: f64, x1: f64, y1: f64) -> Polygon<f64> {
        Polygon::new(
            LineString::from(vec![(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)]),
            vec![],
        )
    }

    #[test]
    fn the_tiles_covering_a_box_are_those_every_slippy_map_names() {
        // Kyiv's z10 tile alone, then a box over Ukraine at z6 (columns 35-39, rows 21-23), and
        // the whole world at z1 with its east and south edges in the last tiles.
        let kyiv = TileId::covering([30.5234, 50.4501, 30.5234, 50.4501], 10);
        assert_eq!(kyiv, [TileId { z: 10, x: 598, y: 345 }]);
        let ua: Vec<(u32, u32)> = TileId::covering([22.1, 44.3, 40.2, 52.4], 6)
            .iter()
            .map(|t| (t.x, t.y))
            .collect();
        assert_eq!(ua.len(), 15);
        assert_eq!((ua[0], ua[1], ua[3], ua[14]), ((35, 21), (35, 22), (36, 21), (39, 23)));
        assert_eq!(TileId::covering([-180.0, -90.0, 180.0, 90.0], 1).len(), 4);
    }

    #[test]
    fn projection_round_trips_and_matches_web_mercator() {
        for (lon, lat) in [(0.0, 0.0), (30.5, 50.4), (-170.0, -60.0), (179.9, 85.0)] {
            let [x, y] = lon_lat(world(lon, lat));
            assert!((x - lon).abs() < 1e-9 && (y - lat).abs() < 1e-9, "{lon},{lat}");
        }
        // Kyiv's z10 tile, as every slippy-map calculator gives it.
        let [x, y] = world(30.5234, 50.4501);
        assert_eq!(((x * 1024.0) as u32, (y * 1024.0) as u32), (598, 345));
    }

    #[test]
    fn a_polygon_across_a_tile_is_clipped_to_the_buffer_with_mvt_winding() {
        // z0: the whole world; a box from lon -10..10, lat -10..10 lies inside; z1 tile (0,0)
        // holds its north-west quarter up to the buffer.
        let p = WorldPolygon::new(&square(-10.0, -10.0, 10.0, 10.0));
        let t = tile_polygon(&p, &TileFrame::new(TileId { z: 1, x: 0, y: 0 }), false);
        assert_eq!(t.polygons.len(), 1);
        let ring = &t.polygons[0][0];
        assert!(twice_area(ring) > 0, "exterior positive in tile coordinates");
        let max_x = ring.iter().map(|p| p.x).max().unwrap_or(0);
        let max_y = ring.iter().map(|p| p.y).max().unwrap_or(0);
        assert_eq!((max_x, max_y), (4096 + 64, 4096 + 64));
    }

    #[test]
    fn a_hole_keeps_negative_winding_and_a_far_polygon_is_not_drawn() {
        let outer = square(20.0, 40.0, 40.0, 55.0);
        let mut p = outer.clone();
        p.interiors_push(LineString::from(vec![
            (30.0, 45.0),
            (30.0, 50.0),
            (35.0, 50.0),
            (35.0, 45.0),
            (30.0, 45.0),
        ]));
        let t = tile_polygon(
            &WorldPolygon::new(&p),
            &TileFrame::new(TileId { z: 2, x: 2, y: 1 }),
            true,
        );
        assert_eq!(t.polygons.len(), 1);
        assert_eq!(t.polygons[0].len(), 2);
        assert!(twice_area(&t.polygons[0][0]) > 0 && twice_area(&t.polygons[0][1]) < 0);
        let far = tile_polygon(
            &WorldPolygon::new(&p),
            &TileFrame::new(TileId { z: 2, x: 0, y: 0 }),
            true,
        );
        assert!(far.polygons.is_empty());
    }

    #[test]
    fn a_ring_that_rounding_makes_cross_itself_is_repaired_valid() {
        // A bow-tie after rounding: the repair makes it two valid triangles (even-odd).
        let frame = TileFrame::new(TileId { z: 0, x: 0, y: 0 });
        let to_lonlat = |x: f64, y: f64| {
            let w = frame.world_point([x, y]);
            let [lon, lat] = lon_lat(w);
            (lon, lat)
        };
        let ring: Vec<(f64, f64)> = [
            (100.0, 100.0),
            (200.0, 200.0),
            (200.0, 100.0),
            (100.0, 200.0),
            (100.0, 100.0),
        ]
        .iter()
        .map(|&(x, y)| to_lonlat(x, y))
        .collect();
        let p = WorldPolygon::new(&Polygon::new(LineString::from(ring), vec![]));
        let t = tile_polygon(&p, &frame, false);
        assert_eq!(t.dropped, 0);
        assert_eq!(t.polygons.len(), 2);
        assert!(t.polygons.iter().all(|p| valid(p)));
    }

    #[test]
    fn douglas_peucker_keeps_what_geo_keeps() {
        use geo::Simplify;
        let pts: Vec<[f64; 2]> = (0..500)
            .map(|i| {
                let t = f64::from(i) * 0.05;
                [t * 10.0, (t * 1.7).sin() * 3.0 + (t * 7.3).cos() * 0.4]
            })
            .collect();
        for eps in [0.1, 0.5, 2.0] {
            let ours = douglas_peucker(&pts, eps);
            let line = LineString(pts.iter().map(|p| Coord { x: p[0], y: p[1] }).collect());
            let theirs: Vec<[f64; 2]> = line.simplify(eps).0.iter().map(|c| [c.x, c.y]).collect();
            assert_eq!(ours, theirs, "eps {eps}");
        }
    }

    #[test]
    fn a_line_is_cut_where_it_leaves_the_buffer() {
        let frame = TileFrame::new(TileId { z: 0, x: 0, y: 0 });
        let w = |x: f64, y: f64| frame.world_point([x, y]);
        let line = WorldPath::from_points(vec![
            w(-500.0, 100.0),
            w(100.0, 100.0),
            w(100.0, 5000.0),
            w(200.0, 5000.0),
            w(200.0, 200.0),
        ]);
        let pieces = tile_line(&line, &frame, false);
        assert_eq!(pieces.len(), 2, "{pieces:?}");
        assert_eq!(pieces[0][0], IntPoint::new(-64, 100));
        assert_eq!(pieces[0].last().copied(), Some(IntPoint::new(100, 4160)));
        assert_eq!(pieces[1][0], IntPoint::new(200, 4160));
    }
}
