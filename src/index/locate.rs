//! Exact point location in a set of polygons, with a grid of cells over their edges.
//!
//! Written by hand because no crate offers it: `geo`'s `Contains`/`Intersects` test one point
//! against every edge (about 6,000 for a border plus a snapshot), and an R-tree of edges
//! (`rstar`) still needs a ray cast through a long range of edges per point. Here a uniform grid
//! over the polygons' bounding box stores, for every cell that no edge touches, whether it is
//! inside (decided once, at the cell centre, by a scanline); only points in the few cells an edge
//! passes through are tested, against the edges of their grid row, with exact orientation
//! predicates (`robust`). Answers equal `geo`'s `Intersects` on the raw polygons.
//!
//! Set semantics: the union of the polygons as closed sets (nonzero winding rule, so overlapping
//! polygons and holes are handled; rings must have RFC 7946 orientation, as loading ensures).
//! A point exactly on an edge is [`Location::Boundary`].

use geo::Polygon;

/// Where a point lies relative to an indexed set of polygons.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Location {
    /// In no polygon.
    Outside,
    /// Exactly on an edge.
    Boundary,
    /// In the interior of at least one polygon.
    Inside,
}

impl Location {
    /// Inside or on the boundary (the polygons as closed sets).
    #[inline]
    pub fn in_closed(self) -> bool {
        !matches!(self, Location::Outside)
    }
}

#[derive(Debug, Clone, Copy)]
struct Edge {
    ax: f64,
    ay: f64,
    bx: f64,
    by: f64,
}

const CELL_OUT: u8 = 0;
const CELL_IN: u8 = 1;
const CELL_MIXED: u8 = 2;

/// Default number of grid cells per edge (capped, see [`PolygonIndex::new`]).
pub const CELLS_PER_EDGE: usize = 32;
const MIN_CELLS: usize = 1 << 10;
const MAX_CELLS: usize = 1 << 20;

/// A point-location index over a set of polygons. See the module documentation.
#[derive(Debug, Clone)]
pub struct PolygonIndex {
    min_x: f64,
    min_y: f64,
    max_x: f64,
    max_y: f64,
    /// Cells per degree along x and y.
    sx: f64,
    sy: f64,
    nx: usize,
    ny: usize,
    cells: Vec<u8>,
    /// Edges of row r are `edges[row_start[r]..row_start[r + 1]]`.
    row_start: Vec<u32>,
    edges: Vec<Edge>,
    edge_count: usize,
}

impl PolygonIndex {
    /// Indexes `polygons` with about [`CELLS_PER_EDGE`] grid cells per edge (between 2^10 and
    /// 2^20 cells).
    pub fn new<'a>(polygons: impl IntoIterator<Item = &'a Polygon<f64>>) -> Self {
        Self::with_cells_per_edge(polygons, CELLS_PER_EDGE)
    }

    /// Indexes `polygons` with about `cells_per_edge` grid cells per edge.
    pub fn with_cells_per_edge<'a>(
        polygons: impl IntoIterator<Item = &'a Polygon<f64>>,
        cells_per_edge: usize,
    ) -> Self {
        let mut edges = Vec::new();
        for p in polygons {
            for ring in std::iter::once(p.exterior()).chain(p.interiors()) {
                for w in ring.0.windows(2) {
                    let (a, b) = (w[0], w[1]);
                    if a != b {
                        edges.push(Edge {
                            ax: a.x,
                            ay: a.y,
                            bx: b.x,
                            by: b.y,
                        });
                    }
                }
            }
        }
        Self::from_edges(edges, cells_per_edge)
    }

    fn from_edges(edges: Vec<Edge>, cells_per_edge: usize) -> Self {
        let (mut min_x, mut min_y, mut max_x, mut max_y) =
            (f64::INFINITY, f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY);
        for e in &edges {
            min_x = min_x.min(e.ax).min(e.bx);
            max_x = max_x.max(e.ax).max(e.bx);
            min_y = min_y.min(e.ay).min(e.by);
            max_y = max_y.max(e.ay).max(e.by);
        }
        let edge_count = edges.len();
        if edges.is_empty() {
            return Self {
                min_x,
                min_y,
                max_x,
                max_y,
                sx: 1.0,
                sy: 1.0,
                nx: 1,
                ny: 1,
                cells: vec![CELL_OUT],
                row_start: vec![0, 0],
                edges,
                edge_count,
            };
        }
        let (w, h) = ((max_x - min_x).max(1e-9), (max_y - min_y).max(1e-9));
        let target = (edges.len() * cells_per_edge).clamp(MIN_CELLS, MAX_CELLS) as f64;
        let side = (w * h / target).sqrt();
        let nx = ((w / side).ceil() as usize).clamp(1, 1 << 14);
        let ny = ((h / side).ceil() as usize).clamp(1, 1 << 14);
        let (sx, sy) = (nx as f64 / w, ny as f64 / h);
        let mut idx = Self {
            min_x,
            min_y,
            max_x,
            max_y,
            sx,
            sy,
            nx,
            ny,
            cells: vec![CELL_OUT; nx * ny],
            row_start: Vec::new(),
            edges: Vec::new(),
            edge_count,
        };
        idx.bucket_rows(&edges);
        idx.mark_mixed(&edges);
        idx.fill_uniform();
        idx
    }

    #[inline]
    fn col(&self, x: f64) -> usize {
        // Float-to-int casts saturate: below min_x gives 0.
        (((x - self.min_x) * self.sx) as usize).min(self.nx - 1)
    }

    #[inline]
    fn row(&self, y: f64) -> usize {
        (((y - self.min_y) * self.sy) as usize).min(self.ny - 1)
    }

    /// Copies every edge into each grid row its y-range reaches (CSR layout).
    fn bucket_rows(&mut self, edges: &[Edge]) {
        let mut count = vec![0u32; self.ny + 1];
        for e in edges {
            let (r0, r1) = (self.row(e.ay.min(e.by)), self.row(e.ay.max(e.by)));
            for c in &mut count[r0..=r1] {
                *c += 1;
            }
        }
        let mut start = vec![0u32; self.ny + 1];
        for r in 0..self.ny {
            start[r + 1] = start[r] + count[r];
        }
        let mut fill = start.clone();
        let placeholder = Edge {
            ax: 0.0,
            ay: 0.0,
            bx: 0.0,
            by: 0.0,
        };
        let mut out = vec![placeholder; start[self.ny] as usize];
        for e in edges {
            let (r0, r1) = (self.row(e.ay.min(e.by)), self.row(e.ay.max(e.by)));
            for f in &mut fill[r0..=r1] {
                out[*f as usize] = *e;
                *f += 1;
            }
        }
        self.row_start = start;
        self.edges = out;
    }

    /// Marks every cell an edge may touch (conservatively, with a margin of a millionth of a cell).
    fn mark_mixed(&mut self, edges: &[Edge]) {
        let (mx, my) = (1e-6 / self.sx, 1e-6 / self.sy);
        for e in edges {
            let (lo_y, hi_y) = (e.ay.min(e.by), e.ay.max(e.by));
            let (r0, r1) = (self.row(lo_y - my), self.row(hi_y + my));
            for r in r0..=r1 {
                let band_lo = (self.min_y + r as f64 / self.sy - my).max(lo_y);
                let band_hi = (self.min_y + (r + 1) as f64 / self.sy + my).min(hi_y);
                let (x_lo, x_hi) = if e.ay == e.by {
                    (e.ax.min(e.bx), e.ax.max(e.bx))
                } else {
                    let x_at = |y: f64| e.ax + (y - e.ay) * (e.bx - e.ax) / (e.by - e.ay);
                    let (p, q) = (x_at(band_lo.min(band_hi)), x_at(band_hi.max(band_lo)));
                    (p.min(q), p.max(q))
                };
                let (c0, c1) = (self.col(x_lo - mx), self.col(x_hi + mx));
                let base = r * self.nx;
                for c in &mut self.cells[base + c0..=base + c1] {
                    *c = CELL_MIXED;
                }
            }
        }
    }

    /// Decides every cell no edge touches with a scanline through the row's centre.
    fn fill_uniform(&mut self) {
        let mut crossings: Vec<(f64, i32)> = Vec::new();
        for r in 0..self.ny {
            let yc = self.min_y + (r as f64 + 0.5) / self.sy;
            crossings.clear();
            for e in self.row_edges(r) {
                if (e.ay > yc) != (e.by > yc) {
                    let x = e.ax + (yc - e.ay) * (e.bx - e.ax) / (e.by - e.ay);
                    crossings.push((x, if e.by > e.ay { 1 } else { -1 }));
                }
            }
            crossings.sort_by(|a, b| a.0.total_cmp(&b.0));
            let (mut k, mut winding) = (0, 0i32);
            for c in 0..self.nx {
                let xc = self.min_x + (c as f64 + 0.5) / self.sx;
                while k < crossings.len() && crossings[k].0 < xc {
                    winding += crossings[k].1;
                    k += 1;
                }
                let cell = &mut self.cells[r * self.nx + c];
                if *cell != CELL_MIXED {
                    *cell = if winding != 0 { CELL_IN } else { CELL_OUT };
                }
            }
        }
    }

    #[inline]
    fn row_edges(&self, r: usize) -> &[Edge] {
        &self.edges[self.row_start[r] as usize..self.row_start[r + 1] as usize]
    }

    /// Locates the point (x = lon, y = lat). Coordinates must be finite.
    #[inline]
    pub fn locate(&self, x: f64, y: f64) -> Location {
        if !(x >= self.min_x && x <= self.max_x && y >= self.min_y && y <= self.max_y) {
            return Location::Outside;
        }
        let r = self.row(y);
        match self.cells[r * self.nx + self.col(x)] {
            CELL_OUT => Location::Outside,
            CELL_IN => Location::Inside,
            _ => self.locate_exact(r, x, y),
        }
    }

    /// Exact location against the edges of the point's row.
    fn locate_exact(&self, r: usize, x: f64, y: f64) -> Location {
        winding_location(self.row_edges(r).iter().copied(), x, y)
    }

    /// Number of edges indexed.
    pub fn edge_count(&self) -> usize {
        self.edge_count
    }

    /// Grid size (columns, rows) and the share of cells that need the exact test.
    pub fn grid_stats(&self) -> (usize, usize, f64) {
        let mixed = self.cells.iter().filter(|c| **c == CELL_MIXED).count();
        (self.nx, self.ny, mixed as f64 / self.cells.len() as f64)
    }

    /// Approximate heap memory in bytes.
    pub fn heap_bytes(&self) -> usize {
        self.cells.len() + self.row_start.len() * 4 + self.edges.len() * std::mem::size_of::<Edge>()
    }
}

/// What a set of polygons looks like from a point: inside or outside it, or, where the point lies
/// on edges, the winding number of each angular sector around it (see [`LocalWinding`]).
#[derive(Debug, Clone, PartialEq)]
pub enum Local {
    /// On no edge, winding number zero.
    Outside,
    /// On no edge, winding number not zero.
    Inside,
    /// On one or more edges.
    On(LocalWinding),
}

/// The edges through a point p, as rays from it, and the winding number just off p in the
/// direction "east, then an infinitesimal turn counterclockwise" (the simulation-of-simplicity
/// perturbation p + (ε, ε²)). Turning counterclockwise around p across a ray changes the winding
/// number by the ray's `delta`; between two consecutive rays it is constant. So the winding
/// number of every sector around p is known exactly, and with it whether p is inside the union
/// of the polygons (every sector wound), on its boundary (some) or outside (none): shared edges
/// of two features cancel, whatever the number of features that meet at p.
#[derive(Debug, Clone, PartialEq)]
pub struct LocalWinding {
    /// Winding number just counterclockwise of due east of p.
    pub east: i32,
    /// The rays: a point on each (an end of its edge, exactly) and its delta.
    pub rays: Vec<Ray>,
}

/// An edge through p seen from p: the ray from p to `to`, and how the winding number changes
/// when turning counterclockwise across it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ray {
    /// A point of the ray other than p (an end of the edge).
    pub to: (f64, f64),
    /// +1 or -1.
    pub delta: i32,
}

impl PolygonIndex {
    /// Where (x, y) lies, with the sectors around it when it is on edges. As fast as
    /// [`Self::locate`] off the edges.
    pub fn local(&self, x: f64, y: f64) -> Local {
        match self.locate(x, y) {
            Location::Outside => Local::Outside,
            Location::Inside => Local::Inside,
            Location::Boundary => {
                let r = self.row(y);
                Local::On(local_winding(self.row_edges(r).iter().copied(), x, y))
            }
        }
    }
}

/// [`LocalWinding`] of (x, y), which lies on at least one of `edges` (all edges through the point
/// and all that cross the horizontal line through it must be among them).
fn local_winding(edges: impl Iterator<Item = Edge>, x: f64, y: f64) -> LocalWinding {
    let p = robust::Coord { x, y };
    let (mut east, mut rays) = (0i32, Vec::new());
    for e in edges {
        let (a, b) = (robust::Coord { x: e.ax, y: e.ay }, robust::Coord { x: e.bx, y: e.by });
        let o = robust::orient2d(a, b, p);
        let (a_above, b_above) = (e.ay > y, e.by > y);
        if a_above != b_above {
            // The crossing rule of `winding_location`, for p + (ε, ε²): where p is on the edge's
            // line, the sign of orient2d(a, b, p + (ε, ε²)) is the sign of a.y - b.y.
            let o = if o == 0.0 { e.ay - e.by } else { o };
            if b_above {
                if o < 0.0 {
                    east += 1;
                }
            } else if o > 0.0 {
                east -= 1;
            }
        }
        let on = o == 0.0 && x >= e.ax.min(e.bx) && x <= e.ax.max(e.bx) && y >= e.ay.min(e.by) && y <= e.ay.max(e.by);
        if on {
            // With this crossing rule a counterclockwise ring winds -1: its left side is -1
            // relative to its right. Turning counterclockwise across an edge leaving p goes from
            // its right to its left (-1); across an edge arriving at p, from its left to its right.
            if (e.bx, e.by) != (x, y) {
                rays.push(Ray {
                    to: (e.bx, e.by),
                    delta: -1,
                });
            }
            if (e.ax, e.ay) != (x, y) {
                rays.push(Ray {
                    to: (e.ax, e.ay),
                    delta: 1,
                });
            }
        }
    }
    LocalWinding { east, rays }
}

/// The half-turn of the ray from p to q: 0 for angles in [0, π), 1 for [π, 2π).
#[inline]
fn half(p: (f64, f64), q: (f64, f64)) -> u8 {
    if q.1 > p.1 || (q.1 == p.1 && q.0 > p.0) { 0 } else { 1 }
}

/// Orders rays from p by angle in [0, 2π), exactly.
pub fn cmp_angle(p: (f64, f64), q1: (f64, f64), q2: (f64, f64)) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    match half(p, q1).cmp(&half(p, q2)) {
        Ordering::Equal => {
            let o = robust::orient2d(
                robust::Coord { x: p.0, y: p.1 },
                robust::Coord { x: q1.0, y: q1.1 },
                robust::Coord { x: q2.0, y: q2.1 },
            );
            // q2 counterclockwise of q1: q1 comes first.
            if o > 0.0 {
                Ordering::Less
            } else if o < 0.0 {
                Ordering::Greater
            } else {
                Ordering::Equal
            }
        }
        other => other,
    }
}

/// Whether the ray from p to q points due east (angle exactly 0).
#[inline]
pub fn due_east(p: (f64, f64), q: (f64, f64)) -> bool {
    q.1 == p.1 && q.0 > p.0
}

/// Exact location of a point against one polygon, testing every edge (no index): for the few
/// points of a validity check, where building a grid would cost more than it saves.
pub fn locate_in_polygon(p: &Polygon<f64>, x: f64, y: f64) -> Location {
    let edges = std::iter::once(p.exterior()).chain(p.interiors()).flat_map(|r| {
        r.0.windows(2).map(|w| Edge {
            ax: w[0].x,
            ay: w[0].y,
            bx: w[1].x,
            by: w[1].y,
        })
    });
    winding_location(edges, x, y)
}

/// Nonzero winding test of (x, y) against `edges` (all edges that cross the horizontal line
/// through the point must be among them), with exact orientation predicates. A point on an edge
/// is [`Location::Boundary`].
fn winding_location(edges: impl Iterator<Item = Edge>, x: f64, y: f64) -> Location {
    let p = robust::Coord { x, y };
    let mut winding = 0i32;
    for e in edges {
        let (a, b) = (robust::Coord { x: e.ax, y: e.ay }, robust::Coord { x: e.bx, y: e.by });
        let (a_above, b_above) = (e.ay > y, e.by > y);
        if a_above != b_above {
            let o = robust::orient2d(a, b, p);
            if o == 0.0 {
                return Location::Boundary;
            }
            // The edge crosses the line y = p.y left of p: +1 going up, -1 going down.
            if b_above {
                if o < 0.0 {
                    winding += 1;
                }
            } else if o > 0.0 {
                winding -= 1;
            }
        } else if (e.ay == y || e.by == y)
            && x >= e.ax.min(e.bx)
            && x <= e.ax.max(e.bx)
            && robust::orient2d(a, b, p) == 0.0
        {
            return Location::Boundary;
        }
    }
    if winding != 0 {
        Location::Inside
    } else {
        Location::Outside
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{Contains, Coord, Intersects, LineString, MultiPolygon, Point};
    use proptest::prelude::*;

    fn square(x0: f64, y0: f64, s: f64) -> Polygon<f64> {
        Polygon::new(
            LineString::from(vec![(x0, y0), (x0 + s, y0), (x0 + s, y0 + s), (x0, y0 + s), (x0, y0)]),
            vec![],
        )
    }

    #[test]
    fn square_with_hole_and_boundaries() {
        let hole = LineString::from(vec![
            (0.25, 0.25),
            (0.25, 0.75),
            (0.75, 0.75),
            (0.75, 0.25),
            (0.25, 0.25),
        ]);
        let p = Polygon::new(square(0.0, 0.0, 1.0).exterior().clone(), vec![hole]);
        let idx = PolygonIndex::new([&p]);
        assert_eq!(idx.locate(0.1, 0.1), Location::Inside);
        assert_eq!(idx.locate(0.5, 0.5), Location::Outside);
        assert_eq!(idx.locate(1.5, 0.5), Location::Outside);
        assert_eq!(idx.locate(0.0, 0.5), Location::Boundary);
        assert_eq!(idx.locate(1.0, 1.0), Location::Boundary);
        assert_eq!(idx.locate(0.25, 0.5), Location::Boundary);
        assert_eq!(idx.locate(0.5, 0.75), Location::Boundary);
        assert_eq!(idx.locate(0.5, 0.0), Location::Boundary);
    }

    #[test]
    fn overlapping_polygons_are_a_union() {
        let (a, b) = (square(0.0, 0.0, 2.0), square(1.0, 1.0, 2.0));
        let idx = PolygonIndex::new([&a, &b]);
        assert_eq!(idx.locate(1.5, 1.5), Location::Inside);
        assert_eq!(idx.locate(2.5, 2.5), Location::Inside);
        assert_eq!(idx.locate(2.5, 0.5), Location::Outside);
    }

    #[test]
    fn empty_set_has_nothing_inside() {
        let idx = PolygonIndex::new(std::iter::empty());
        assert_eq!(idx.locate(0.0, 0.0), Location::Outside);
    }

    fn star(n: usize, seed: u64) -> Polygon<f64> {
        // A jagged star-shaped ring around (30, 48): many edges, concave everywhere.
        let mut s = seed;
        let coords: Vec<Coord<f64>> = (0..n)
            .map(|i| {
                s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                let r = 0.5 + ((s >> 33) as f64 / (1u64 << 31) as f64) * 2.0;
                let t = i as f64 / n as f64 * std::f64::consts::TAU;
                Coord {
                    x: 30.0 + r * t.cos(),
                    y: 48.0 + r * t.sin(),
                }
            })
            .collect();
        let mut ring = LineString(coords);
        ring.close();
        Polygon::new(ring, vec![])
    }

    proptest! {
        #[test]
        fn agrees_with_geo_intersects(seed in 0u64..1000, pts in prop::collection::vec((27.0f64..33.0, 45.0f64..51.0), 200)) {
            let p = star(300, seed);
            let mp = MultiPolygon(vec![p.clone()]);
            let idx = PolygonIndex::with_cells_per_edge([&p], 16);
            for (x, y) in pts {
                let want = mp.intersects(&Point::new(x, y));
                let got = idx.locate(x, y);
                prop_assert_eq!(got.in_closed(), want, "point {} {}", x, y);
                prop_assert_eq!(locate_in_polygon(&p, x, y), got);
                if got == Location::Inside {
                    prop_assert!(mp.contains(&Point::new(x, y)));
                }
            }
        }

        #[test]
        fn vertices_and_edge_midpoints_are_boundary(seed in 0u64..1000) {
            let p = star(50, seed);
            let idx = PolygonIndex::new([&p]);
            for w in p.exterior().0.windows(2) {
                prop_assert_eq!(idx.locate(w[0].x, w[0].y), Location::Boundary);
            }
        }
    }
}
