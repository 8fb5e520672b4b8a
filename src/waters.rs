//! Waters: an approximation of a border's internal waters and territorial sea (12 nautical
//! miles from its land, cut by equidistance with its neighbours), indexed for point location,
//! and, for each control state, the status of every cell and the areas by status.
//!
//! The geometry is made at geodata-build time (`scripts/geodata/make_geodata.py`, see
//! `geodata/README.md`): it is not a legal delimitation. Each cell takes the status of its
//! anchor, a point of the land just inland of the piece of coast (at most 1 km long) nearest to
//! the cell: waters follow their coast. A point's status in the waters and the areas by status
//! come from the same cells, so they agree exactly.
//!
//! The seam: the cells are cut from the border's coast edges, but the geometry tools that made
//! them leave hair-thin gaps between the cells and the land (up to about 11 m wide near Cape
//! Khersones, 10,254 m2 there). A point off the land, in no cell, but within [`SEAM_KM`] of both
//! the land and a cell is in the waters by the rule itself (it is within 12 nm of the land and
//! nearer to it than to any neighbour's land, since the cell beside it is): it takes the status
//! of the nearest cell, the cell of its piece of coast ([`WatersIndex::seam`]).
//!
//! Land answers pay for the waters only on the border's boundary (a point on the coast touches
//! the land and the waters: see `Computed::status_with_waters`).

use crate::geodata::Waters;
use crate::geodesy::area_km2;
use crate::index::{Location, PolygonIndex, locate_in_polygon};
use crate::model::Status;
use geo::{BoundingRect, MultiPolygon};
use rstar::RTree;
use rstar::primitives::{GeomWithData, Rectangle};

type CellBox = GeomWithData<Rectangle<[f64; 2]>, u32>;

/// The waters of a border, indexed.
#[derive(Debug)]
pub struct WatersIndex {
    /// The data.
    pub waters: Waters,
    /// Every cell at once: a fast "not in the waters" for most points.
    any: PolygonIndex,
    /// Bounding boxes of the cells (for the seam's nearest cell).
    boxes: RTree<CellBox>,
    /// The cells that may hold a point, by grid square (for [`Self::holding`]).
    candidates: CellGrid,
    /// Where a cell may lie within [`SEAM_KM`]: a fast "not in the seam" for most points.
    near: NearGrid,
    /// Geodesic area of each cell, km2.
    pub cell_km2: Vec<f64>,
    /// Geodesic area of all cells, km2.
    pub area_km2: f64,
}

/// Where a point lies in the waters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WaterHit {
    /// The status it takes (that of its cell's anchor).
    pub status: Status,
    /// True when the point lies on the boundary of the waters of that status.
    pub on_boundary: bool,
    /// The cell that decided (the first in the status order among the cells that hold it).
    pub cell: usize,
}

/// Widest gap (km) between the land and the cells that a point off the land and in no cell may
/// lie in and still be in the waters ([`WatersIndex::seam`]). The widest gap measured on the
/// embedded waters is about 11 m (`tests/real_waters.rs`,
/// `points_just_off_every_coast_edge_are_in_the_waters`); 50 m leaves room without reaching
/// beyond the coast's own precision (Natural Earth 1:10m: about 5 km).
pub const SEAM_KM: f64 = 0.05;

/// Rank of a status in the boundary order: occupied, contested, covered, outside.
pub(crate) fn rank(s: Status) -> u8 {
    match s {
        Status::Occupied => 0,
        Status::Contested => 1,
        Status::Covered => 2,
        Status::Outside => 3,
    }
}

impl WatersIndex {
    /// Indexes validated waters.
    pub fn new(waters: Waters) -> Self {
        let any = PolygonIndex::new(waters.cells.iter().flat_map(|c| c.geometry.0.iter()));
        let boxes = waters
            .cells
            .iter()
            .enumerate()
            .filter_map(|(i, c)| {
                let r = c.geometry.bounding_rect()?;
                Some(GeomWithData::new(
                    Rectangle::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]),
                    i as u32,
                ))
            })
            .collect();
        let cell_km2: Vec<f64> = waters.cells.iter().map(|c| area_km2(&c.geometry)).collect();
        let area_km2 = cell_km2.iter().sum();
        let edges: Vec<geo::Line<f64>> = waters
            .cells
            .iter()
            .flat_map(|c| c.geometry.0.iter())
            .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
            .flat_map(|r| r.lines())
            .collect();
        let near = NearGrid::new(&edges, SEAM_KM);
        let candidates = CellGrid::new(&waters, edges.len());
        WatersIndex {
            waters,
            any,
            boxes: RTree::bulk_load(boxes),
            candidates,
            near,
            cell_km2,
            area_km2,
        }
    }

    /// The status of (x, y) in the waters on a state, or `None` when it is not in them.
    ///
    /// Cells are closed sets: a point on an edge two cells share takes the first status in the
    /// order occupied, contested, covered of the cells that hold it (as on land), and is on the
    /// boundary when the cells holding it do not all have that status or when it lies on the
    /// outer edge of a lone cell.
    #[inline]
    pub fn status(&self, state: &WatersState, x: f64, y: f64) -> Option<WaterHit> {
        // Most points off the land are far from every cell: the grid's empty list answers them.
        if self.candidates.at(x, y).is_empty() || self.any.locate(x, y) == Location::Outside {
            return None;
        }
        let mut best: Option<WaterHit> = None;
        let (mut holding, mut mixed, mut interior) = (0usize, false, false);
        for (i, loc) in self.holding(x, y) {
            holding += 1;
            let s = state.status[i];
            match best {
                Some(h) if rank(h.status) < rank(s) => mixed = true,
                Some(h) if rank(h.status) == rank(s) => {
                    interior |= loc == Location::Inside;
                    if i < h.cell {
                        best = Some(WaterHit { cell: i, ..h });
                    }
                }
                prev => {
                    mixed |= prev.is_some();
                    interior = loc == Location::Inside;
                    best = Some(WaterHit {
                        status: s,
                        on_boundary: false,
                        cell: i,
                    });
                }
            }
        }
        best.map(|h| WaterHit {
            on_boundary: !interior && (mixed || holding == 1),
            ..h
        })
    }

    /// The status of (x, y) in the seam between the land and the cells: `None` unless a cell
    /// lies within [`SEAM_KM`] of the point and `land_km` (the point's distance to the land,
    /// asked only then) is within it too; otherwise the status of the nearest cell, on no
    /// boundary. For points off the land and in no cell (see the module comment).
    pub fn seam(&self, state: &WatersState, x: f64, y: f64, land_km: impl FnOnce() -> Option<f64>) -> Option<WaterHit> {
        if !self.near.may_be_near(x, y) {
            return None;
        }
        let (cell, km) = self.nearest_cell_within(x, y, SEAM_KM)?;
        if land_km()? > SEAM_KM {
            return None;
        }
        debug_assert!(km <= SEAM_KM);
        Some(WaterHit {
            status: state.status[cell],
            on_boundary: false,
            cell,
        })
    }

    /// The cell nearest to (x, y) within `max_km` (of a few km at most), and its distance, km.
    ///
    /// Distances are measured in a flat frame at the point's latitude (spherical degrees of
    /// 111.195 km): within 0.5 % of the geodesic distance over the metres this is used for, and
    /// written here because the only question is which cell is nearest and whether it is
    /// within a few tens of metres.
    pub fn nearest_cell_within(&self, x: f64, y: f64, max_km: f64) -> Option<(usize, f64)> {
        let kx = KM_PER_DEG * y.to_radians().cos().max(1e-6);
        let (dx, dy) = (max_km / kx, max_km / KM_PER_DEG);
        let envelope = rstar::AABB::from_corners([x - dx, y - dy], [x + dx, y + dy]);
        let seg_km = |a: geo::Coord<f64>, b: geo::Coord<f64>| {
            let (ax, ay) = ((a.x - x) * kx, (a.y - y) * KM_PER_DEG);
            let (bx, by) = ((b.x - x) * kx, (b.y - y) * KM_PER_DEG);
            let (ex, ey) = (bx - ax, by - ay);
            let len2 = ex * ex + ey * ey;
            let t = if len2 > 0.0 {
                (-(ax * ex + ay * ey) / len2).clamp(0.0, 1.0)
            } else {
                0.0
            };
            (ax + t * ex).hypot(ay + t * ey)
        };
        self.boxes
            .locate_in_envelope_intersecting(&envelope)
            .filter_map(|b| {
                let i = b.data as usize;
                let km = self.waters.cells[i]
                    .geometry
                    .0
                    .iter()
                    .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
                    .flat_map(|r| r.lines())
                    .map(|l| seg_km(l.start, l.end))
                    .fold(f64::INFINITY, f64::min);
                (km <= max_km).then_some((i, km))
            })
            .min_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)))
    }

    /// The cells whose closed area holds (x, y), in no particular order, with where it lies in
    /// each (inside or on the boundary).
    fn holding(&self, x: f64, y: f64) -> impl Iterator<Item = (usize, Location)> + '_ {
        self.candidates.at(x, y).iter().filter_map(move |&i| {
            let i = i as usize;
            let loc = self.waters.cells[i]
                .geometry
                .0
                .iter()
                .map(|p| locate_in_polygon(p, x, y))
                .min_by_key(|l| match l {
                    Location::Inside => 0,
                    Location::Boundary => 1,
                    Location::Outside => 2,
                })
                .unwrap_or(Location::Outside);
            loc.in_closed().then_some((i, loc))
        })
    }

    /// The cells whose closed area holds (x, y), in file order (none when the point is not in
    /// the waters).
    pub fn cells_at(&self, x: f64, y: f64) -> Vec<usize> {
        if self.any.locate(x, y) == Location::Outside {
            return Vec::new();
        }
        let mut cells: Vec<usize> = self.holding(x, y).map(|(i, _)| i).collect();
        cells.sort_unstable();
        cells
    }

    /// The anchors' statuses on a state, given the land status of a point, and the areas by
    /// status.
    pub fn state(&self, land_status: impl Fn(f64, f64) -> Status) -> WatersState {
        let status: Vec<Status> = self
            .waters
            .cells
            .iter()
            .map(|c| land_status(c.anchor.x, c.anchor.y))
            .collect();
        let mut km2 = [0.0f64; 4];
        for (s, a) in status.iter().zip(&self.cell_km2) {
            km2[rank(*s) as usize] += a;
        }
        WatersState {
            status,
            occupied_km2: km2[0],
            contested_km2: km2[1],
            covered_km2: km2[2],
        }
    }

    /// The waters of one status on a state: the union of its cells (computed on each call).
    pub fn layer(&self, state: &WatersState, status: Status) -> MultiPolygon<f64> {
        self.layer_where(state, |_, s| s == status)
    }

    /// The union of the cells that `keep` selects, given each cell's index (in the file's order)
    /// and its status on `state` (computed on each call).
    pub fn layer_where(&self, state: &WatersState, keep: impl Fn(usize, Status) -> bool) -> MultiPolygon<f64> {
        let polys: Vec<geo::Polygon<f64>> = self
            .waters
            .cells
            .iter()
            .zip(&state.status)
            .enumerate()
            .filter(|(i, (_, s))| keep(*i, **s))
            .flat_map(|(_, (c, _))| c.geometry.0.iter().cloned())
            .collect();
        let [union] = crate::coverage::overlay(&polys, &[], [crate::coverage::OverlayRule::Subject], true);
        union
    }
}

/// Kilometres in a degree of latitude in the flat frame of [`WatersIndex::nearest_cell_within`].
const KM_PER_DEG: f64 = 111.195;

/// Most cells of a [`NearGrid`].
const NEAR_MAX_CELLS: f64 = (1u32 << 20) as f64;

/// A grid over the cells' edges marking every grid cell that holds a point within `reach_km`
/// of an edge (conservatively: more cells may be marked, none is missed), so that a point in an
/// unmarked grid cell is known to be farther than `reach_km` from every cell without looking at
/// an edge. Written by hand (as [`PolygonIndex`]'s grid): one array lookup a point is what the
/// seam test of every point off the land needs, and no crate offers a buffered-raster mask.
#[derive(Debug)]
struct NearGrid {
    min_x: f64,
    min_y: f64,
    /// Cells per degree along x and y.
    sx: f64,
    sy: f64,
    nx: usize,
    ny: usize,
    marked: Vec<bool>,
}

impl NearGrid {
    /// Marks the reach of `edges`: each edge cut into steps no longer than a grid cell, each
    /// step's bounding box widened by the reach (in degrees, taken at the latitude where a
    /// degree of longitude is shortest, plus 1 %).
    fn new(edges: &[geo::Line<f64>], reach_km: f64) -> Self {
        let (mut x0, mut y0, mut x1, mut y1) = (f64::INFINITY, f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY);
        for l in edges {
            x0 = x0.min(l.start.x).min(l.end.x);
            x1 = x1.max(l.start.x).max(l.end.x);
            y0 = y0.min(l.start.y).min(l.end.y);
            y1 = y1.max(l.start.y).max(l.end.y);
        }
        if !(x0 <= x1 && y0 <= y1) {
            return NearGrid {
                min_x: 0.0,
                min_y: 0.0,
                sx: 1.0,
                sy: 1.0,
                nx: 0,
                ny: 0,
                marked: Vec::new(),
            };
        }
        let my = reach_km / KM_PER_DEG * 1.01;
        let widest = y0.abs().max(y1.abs()) + my;
        let mx = reach_km / (KM_PER_DEG * widest.min(89.0).to_radians().cos()) * 1.01;
        let (min_x, min_y) = (x0 - mx, y0 - my);
        let (w, h) = (x1 - x0 + 2.0 * mx, y1 - y0 + 2.0 * my);
        let side = (w * h / NEAR_MAX_CELLS).sqrt().max(mx.max(my));
        let nx = ((w / side).ceil() as usize).max(1);
        let ny = ((h / side).ceil() as usize).max(1);
        let mut g = NearGrid {
            min_x,
            min_y,
            sx: nx as f64 / w,
            sy: ny as f64 / h,
            nx,
            ny,
            marked: vec![false; nx * ny],
        };
        for l in edges {
            let (dx, dy) = (l.end.x - l.start.x, l.end.y - l.start.y);
            let steps = ((dx.abs() / side).max(dy.abs() / side).ceil() as usize).max(1);
            for k in 0..steps {
                let (t0, t1) = (k as f64 / steps as f64, (k + 1) as f64 / steps as f64);
                let (ax, ay) = (l.start.x + t0 * dx, l.start.y + t0 * dy);
                let (bx, by) = (l.start.x + t1 * dx, l.start.y + t1 * dy);
                let (c0, c1) = (g.col(ax.min(bx) - mx), g.col(ax.max(bx) + mx));
                let (r0, r1) = (g.row(ay.min(by) - my), g.row(ay.max(by) + my));
                for r in r0..=r1 {
                    g.marked[r * nx + c0..=r * nx + c1].fill(true);
                }
            }
        }
        g
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

    /// False when (x, y) is known to be farther than the reach from every edge.
    #[inline]
    fn may_be_near(&self, x: f64, y: f64) -> bool {
        let (fx, fy) = ((x - self.min_x) * self.sx, (y - self.min_y) * self.sy);
        if !(fx >= 0.0 && fy >= 0.0 && fx < self.nx as f64 && fy < self.ny as f64) {
            return false;
        }
        self.marked[fy as usize * self.nx + fx as usize]
    }
}

/// Most squares of a [`CellGrid`] (its offsets then take 1 MB at most).
const CELL_GRID_MAX_SQUARES: usize = 1 << 18;

/// A uniform grid over the cells listing, for each square, every cell whose closed area may
/// meet it (a superset: every cell that holds a point of the square is listed; the exact test
/// of [`locate_in_polygon`] then decides), so that a point is tested against the few cells of
/// its square. It replaces a query of the cells' bounding boxes (`rstar`): the cells are thin
/// strips from the coast to the 12-mile limit whose boxes overlap widely at sea, so a point in
/// the waters was tested against every cell whose box held it (about 4.5 us a point in the
/// cells on the bench's workload, against the land's 0.05 us a point). Written by hand (as [`NearGrid`]):
/// no crate offers a grid of polygon candidates whose lists follow the polygons' shapes rather
/// than their boxes.
#[derive(Debug)]
struct CellGrid {
    min_x: f64,
    min_y: f64,
    max_x: f64,
    max_y: f64,
    /// Squares per degree along x and y.
    sx: f64,
    sy: f64,
    nx: usize,
    ny: usize,
    /// The cells of square s are `cells[start[s]..start[s + 1]]`, in file order.
    start: Vec<u32>,
    cells: Vec<u32>,
}

impl CellGrid {
    /// Lists each cell in the squares its edges may touch (conservatively, with a margin of a
    /// millionth of a square) and in the squares no edge of it touches whose centre it holds.
    /// About two squares an edge (`edge_count`), at most [`CELL_GRID_MAX_SQUARES`].
    fn new(waters: &Waters, edge_count: usize) -> Self {
        let (mut x0, mut y0, mut x1, mut y1) = (f64::INFINITY, f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY);
        for c in &waters.cells {
            if let Some(r) = c.geometry.bounding_rect() {
                x0 = x0.min(r.min().x);
                y0 = y0.min(r.min().y);
                x1 = x1.max(r.max().x);
                y1 = y1.max(r.max().y);
            }
        }
        if !(x0 <= x1 && y0 <= y1) {
            return CellGrid {
                min_x: 0.0,
                min_y: 0.0,
                max_x: -1.0,
                max_y: -1.0,
                sx: 1.0,
                sy: 1.0,
                nx: 1,
                ny: 1,
                start: vec![0, 0],
                cells: Vec::new(),
            };
        }
        let (w, h) = ((x1 - x0).max(1e-9), (y1 - y0).max(1e-9));
        let target = (2 * edge_count).clamp(1, CELL_GRID_MAX_SQUARES) as f64;
        let side = (w * h / target).sqrt();
        let nx = ((w / side).ceil() as usize).clamp(1, 1 << 12);
        let ny = ((h / side).ceil() as usize).clamp(1, 1 << 12);
        let mut g = CellGrid {
            min_x: x0,
            min_y: y0,
            max_x: x1,
            max_y: y1,
            sx: nx as f64 / w,
            sy: ny as f64 / h,
            nx,
            ny,
            start: Vec::new(),
            cells: Vec::new(),
        };
        let (mx, my) = (1e-6 / g.sx, 1e-6 / g.sy);
        // (square, cell) pairs, then grouped by square.
        let mut pairs: Vec<(u32, u32)> = Vec::new();
        for (i, c) in waters.cells.iter().enumerate() {
            let Some(r) = c.geometry.bounding_rect() else { continue };
            let (c0, c1) = (g.col(r.min().x - mx), g.col(r.max().x + mx));
            let (r0, r1) = (g.row(r.min().y - my), g.row(r.max().y + my));
            let bw = c1 - c0 + 1;
            let mut touched = vec![false; bw * (r1 - r0 + 1)];
            let edges = c
                .geometry
                .0
                .iter()
                .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
                .flat_map(|ring| ring.lines());
            for e in edges {
                let (ax, ay, bx, by) = (e.start.x, e.start.y, e.end.x, e.end.y);
                let (lo_y, hi_y) = (ay.min(by), ay.max(by));
                for row in g.row(lo_y - my)..=g.row(hi_y + my) {
                    let band_lo = (g.min_y + row as f64 / g.sy - my).max(lo_y);
                    let band_hi = (g.min_y + (row + 1) as f64 / g.sy + my).min(hi_y);
                    let (x_lo, x_hi) = if ay == by {
                        (ax.min(bx), ax.max(bx))
                    } else {
                        let x_at = |y: f64| ax + (y - ay) * (bx - ax) / (by - ay);
                        let (p, q) = (x_at(band_lo.min(band_hi)), x_at(band_hi.max(band_lo)));
                        (p.min(q), p.max(q))
                    };
                    for col in g.col(x_lo - mx)..=g.col(x_hi + mx) {
                        // Within the cell's box, widened by the same margin.
                        if (c0..=c1).contains(&col) && (r0..=r1).contains(&row) {
                            touched[(row - r0) * bw + (col - c0)] = true;
                        }
                    }
                }
            }
            for row in r0..=r1 {
                for col in c0..=c1 {
                    let hit = touched[(row - r0) * bw + (col - c0)] || {
                        let cx = g.min_x + (col as f64 + 0.5) / g.sx;
                        let cy = g.min_y + (row as f64 + 0.5) / g.sy;
                        c.geometry.0.iter().any(|p| locate_in_polygon(p, cx, cy).in_closed())
                    };
                    if hit {
                        pairs.push(((row * nx + col) as u32, i as u32));
                    }
                }
            }
        }
        pairs.sort_unstable();
        let mut start = vec![0u32; nx * ny + 1];
        for &(s, _) in &pairs {
            start[s as usize + 1] += 1;
        }
        for s in 0..nx * ny {
            start[s + 1] += start[s];
        }
        g.start = start;
        g.cells = pairs.into_iter().map(|(_, i)| i).collect();
        g
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

    /// The cells that may hold (x, y) (none off the cells' bounding box).
    #[inline]
    fn at(&self, x: f64, y: f64) -> &[u32] {
        if !(x >= self.min_x && x <= self.max_x && y >= self.min_y && y <= self.max_y) {
            return &[];
        }
        let s = self.row(y) * self.nx + self.col(x);
        &self.cells[self.start[s] as usize..self.start[s + 1] as usize]
    }
}

/// The waters on one control state: each cell's status and the areas by status.
#[derive(Debug, Clone)]
pub struct WatersState {
    /// The status of each cell (that of its anchor on land), in the file's order.
    pub status: Vec<Status>,
    /// Area of the cells whose anchor is occupied, km2.
    pub occupied_km2: f64,
    /// Area of the cells whose anchor is contested, km2.
    pub contested_km2: f64,
    /// Area of the cells whose anchor is covered, km2.
    pub covered_km2: f64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geodata::WaterCell;
    use crate::model::Provenance;
    use geo::{Coord, LineString, Polygon};

    fn rect(x0: f64, y0: f64, x1: f64, y1: f64) -> MultiPolygon<f64> {
        MultiPolygon(vec![Polygon::new(
            LineString::from(vec![(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)]),
            vec![],
        )])
    }

    /// Land [30, 32] x [46, 47]; waters: a strip [30, 32] x [45.8, 46] south of it in two cells
    /// whose anchors lie just inland of x = 30.5 and x = 31.5.
    fn strip() -> WatersIndex {
        let cell = |x0: f64, x1: f64, ax: f64| WaterCell {
            anchor: Coord { x: ax, y: 46.00001 },
            geometry: rect(x0, 45.8, x1, 46.0),
        };
        WatersIndex::new(Waters {
            border: "XXX".into(),
            cells: vec![cell(30.0, 31.0, 30.5), cell(31.0, 32.0, 31.5)],
            limit_km: Some(22.224),
            provenance: Provenance {
                file: "test".into(),
                sha256: String::new(),
                origin: None,
            },
            synthetic: true,
        })
    }

    #[test]
    fn waters_follow_the_status_of_their_coast() {
        let w = strip();
        // Occupied east of 31 on land: the eastern cell's anchor is occupied.
        let st = w.state(|x, _| if x > 31.0 { Status::Occupied } else { Status::Covered });
        assert_eq!(st.status, vec![Status::Covered, Status::Occupied]);
        let hit = |x: f64, y: f64| w.status(&st, x, y).map(|h| (h.status, h.on_boundary));
        assert_eq!(hit(30.2, 45.9), Some((Status::Covered, false)));
        assert_eq!(hit(31.7, 45.9), Some((Status::Occupied, false)));
        // On the edge the two cells share: the first status in the order, on the boundary.
        assert_eq!(hit(31.0, 45.9), Some((Status::Occupied, true)));
        // On the outer limit of one cell.
        assert_eq!(hit(30.5, 45.8), Some((Status::Covered, true)));
        // Beyond the limit, or on land: not in the waters.
        assert_eq!(hit(30.5, 45.7), None);
        assert_eq!(hit(30.5, 46.5), None);
        // Areas by status add up to the whole.
        assert!((st.occupied_km2 + st.covered_km2 - w.area_km2).abs() < 1e-9);
        assert!((st.occupied_km2 - w.cell_km2[1]).abs() < 1e-12);
        assert_eq!(st.contested_km2, 0.0);
        // The layer of a status is the union of its cells.
        let occ = w.layer(&st, Status::Occupied);
        // i_overlay snaps to a grid of about 1e-9 degrees: hence a relative 1e-7.
        assert!(
            (area_km2(&occ) / st.occupied_km2 - 1.0).abs() < 1e-7,
            "{}",
            area_km2(&occ)
        );
        // When the whole coast is covered, so are the waters, one shared edge inside them.
        let all = w.state(|_, _| Status::Covered);
        assert_eq!(w.status(&all, 31.0, 45.9).map(|h| h.on_boundary), Some(false));
        assert!((area_km2(&w.layer(&all, Status::Covered)) / w.area_km2 - 1.0).abs() < 1e-7);
    }

    #[test]
    fn the_seam_between_the_cells_and_the_land_is_in_the_waters_within_its_reach() {
        let w = strip();
        let st = w.state(|x, _| if x > 31.0 { Status::Occupied } else { Status::Covered });
        // 0.4 m north of the cells (in the land's direction): the nearest cell, when the land
        // is within reach.
        let y = 46.0 + 4e-6;
        let hit = w
            .seam(&st, 31.2, y, || Some(0.01))
            .map(|h| (h.status, h.on_boundary, h.cell));
        assert_eq!(hit, Some((Status::Occupied, false, 1)));
        assert_eq!(
            w.seam(&st, 30.2, y, || Some(0.01)).map(|h| h.status),
            Some(Status::Covered)
        );
        // The land out of reach, or no land at all: not in the waters.
        assert_eq!(w.seam(&st, 31.2, y, || Some(SEAM_KM * 1.2)), None);
        assert_eq!(w.seam(&st, 31.2, y, || None), None);
        // A cell out of reach (60 m north of the strip): not in the waters, the land not asked.
        assert_eq!(w.seam(&st, 31.2, 46.0 + 5.4e-4, || unreachable!()), None);
        // The distance to the nearest cell, against the geodesic one (0.5 % in the flat frame).
        let (cell, km) = w.nearest_cell_within(30.99, 46.0 + 2e-4, 1.0).unwrap();
        assert_eq!(cell, 0);
        let want = crate::geodesy::distance_km(
            geo::Coord {
                x: 30.99,
                y: 46.0 + 2e-4,
            },
            geo::Coord { x: 30.99, y: 46.0 },
        );
        assert!((km / want - 1.0).abs() < 0.005, "{km} {want}");
    }

    /// Every point within reach of an edge is in a marked grid cell (the early exit never
    /// hides a seam point), and points well beyond the reach are not (the grid does exit).
    #[test]
    fn the_near_grid_marks_every_point_within_reach_of_an_edge() {
        // Long diagonal edges at two latitudes (a degree of longitude shrinks northwards).
        let tri = |x: f64, y: f64| {
            MultiPolygon(vec![Polygon::new(
                LineString::from(vec![(x, y), (x + 2.3, y + 0.7), (x + 0.4, y + 1.9), (x, y)]),
                vec![],
            )])
        };
        let edges: Vec<geo::Line<f64>> = [tri(30.0, 45.0), tri(20.0, 68.0)]
            .iter()
            .flat_map(|m| m.0.iter())
            .flat_map(|p| p.exterior().lines())
            .collect();
        let g = NearGrid::new(&edges, SEAM_KM);
        let mut seed = 7u64;
        let mut next = || {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (seed >> 11) as f64 / (1u64 << 53) as f64
        };
        let (mut near, mut far) = (0, 0);
        for l in &edges {
            for _ in 0..2000 {
                let t = next();
                let (px, py) = (l.start.x + t * l.dx(), l.start.y + t * l.dy());
                // A direction and a distance up to 0.999 of the reach, in the flat frame.
                let (a, d) = (next() * std::f64::consts::TAU, next() * 0.999 * SEAM_KM);
                let kx = KM_PER_DEG * py.to_radians().cos();
                let (x, y) = (px + d * a.cos() / kx, py + d * a.sin() / KM_PER_DEG);
                assert!(g.may_be_near(x, y), "({x}, {y}) {d} km from an edge, not marked");
                near += 1;
                // 200 times the reach (10 km) off the edge, across it: not marked (no edge near).
                let (fx, fy) = (px - 200.0 * SEAM_KM * l.dy().signum() / kx, py);
                far += usize::from(!g.may_be_near(fx, fy));
            }
        }
        assert_eq!(near, 12_000);
        assert!(far > 10_000, "only {far} of 12,000 far points left the grid");
        assert!(!g.may_be_near(25.0, 50.0) && !g.may_be_near(f64::NAN, 45.0));
        // The index answers as without the grid: the seam agrees with the nearest cell.
        let w = strip();
        let st = w.state(|_, _| Status::Covered);
        let mut within = 0;
        for i in 0..4000 {
            // About 55 m either side of the strip's long edges.
            let edge_y = if i % 2 == 0 { 45.8 } else { 46.0 };
            let (x, y) = (29.99 + 2.02 * next(), edge_y + (next() - 0.5) * 1e-3);
            let by_edges = w.nearest_cell_within(x, y, SEAM_KM).map(|(c, _)| c);
            within += usize::from(by_edges.is_some());
            assert_eq!(w.seam(&st, x, y, || Some(0.0)).map(|h| h.cell), by_edges, "({x}, {y})");
        }
        assert!(within > 3000, "{within}");
    }

    /// The grid's candidates hold every cell that holds a point: the cells found through it
    /// equal those of a test of every cell, on random points in and around jagged cells that
    /// share edges and overlap, on their vertices, and on their edges' midpoints.
    #[test]
    fn the_cell_grid_finds_every_cell_that_holds_a_point() {
        let mut seed = 11u64;
        let mut next = || {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (seed >> 11) as f64 / (1u64 << 53) as f64
        };
        // A fan of thin cells from (31, 46) and a few jagged quadrilaterals over them.
        let mut cells = Vec::new();
        for k in 0..40 {
            let (a0, a1) = (k as f64 * 0.07, (k + 1) as f64 * 0.07);
            let ring = vec![
                (31.0, 46.0),
                (31.0 + 0.6 * a0.cos(), 46.0 + 0.6 * a0.sin()),
                (31.0 + 0.6 * a1.cos(), 46.0 + 0.6 * a1.sin()),
                (31.0, 46.0),
            ];
            cells.push(MultiPolygon(vec![Polygon::new(LineString::from(ring), vec![])]));
        }
        for _ in 0..20 {
            let (x, y) = (30.5 + next(), 45.8 + next());
            let ring = vec![
                (x, y),
                (x + 0.3 * next(), y - 0.05 * next()),
                (x + 0.3 * next(), y + 0.3 * next()),
                (x - 0.05 * next(), y + 0.3 * next()),
                (x, y),
            ];
            cells.push(MultiPolygon(vec![Polygon::new(LineString::from(ring), vec![])]));
        }
        let w = WatersIndex::new(Waters {
            border: "XXX".into(),
            cells: cells
                .into_iter()
                .map(|geometry| WaterCell {
                    anchor: Coord { x: 31.0, y: 46.0 },
                    geometry,
                })
                .collect(),
            limit_km: None,
            provenance: Provenance {
                file: "test".into(),
                sha256: String::new(),
                origin: None,
            },
            synthetic: true,
        });
        let every_cell = |x: f64, y: f64| -> Vec<(usize, Location)> {
            w.waters
                .cells
                .iter()
                .enumerate()
                .filter_map(|(i, c)| {
                    let loc = c
                        .geometry
                        .0
                        .iter()
                        .map(|p| locate_in_polygon(p, x, y))
                        .min_by_key(|l| match l {
                            Location::Inside => 0,
                            Location::Boundary => 1,
                            Location::Outside => 2,
                        })
                        .unwrap_or(Location::Outside);
                    loc.in_closed().then_some((i, loc))
                })
                .collect()
        };
        let mut points: Vec<(f64, f64)> = (0..20_000)
            .map(|_| (30.3 + 1.5 * next(), 45.6 + 1.2 * next()))
            .collect();
        for c in &w.waters.cells {
            for l in c.geometry.0[0].exterior().lines() {
                points.push((l.start.x, l.start.y));
                points.push(((l.start.x + l.end.x) / 2.0, (l.start.y + l.end.y) / 2.0));
            }
        }
        let mut held = 0;
        for (x, y) in points {
            let mut got: Vec<(usize, Location)> = w.holding(x, y).collect();
            got.sort_by_key(|c| c.0);
            let want = every_cell(x, y);
            held += usize::from(!want.is_empty());
            assert_eq!(got, want, "({x}, {y})");
        }
        assert!(held > 5_000, "{held}");
    }
}
