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
//! Land answers never pay for the waters: the waters are looked at only for points outside the
//! border's land.

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
    /// Bounding boxes of the cells.
    boxes: RTree<CellBox>,
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

/// Rank of a status in the boundary order: occupied, contested, covered, outside.
fn rank(s: Status) -> u8 {
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
        WatersIndex {
            waters,
            any,
            boxes: RTree::bulk_load(boxes),
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
        if self.any.locate(x, y) == Location::Outside {
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

    /// The cells whose closed area holds (x, y), in no particular order, with where it lies in
    /// each (inside or on the boundary).
    fn holding(&self, x: f64, y: f64) -> impl Iterator<Item = (usize, Location)> + '_ {
        self.boxes.locate_all_at_point(&[x, y]).filter_map(move |b| {
            let i = b.data as usize;
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
        let polys: Vec<geo::Polygon<f64>> = self
            .waters
            .cells
            .iter()
            .zip(&state.status)
            .filter(|(_, s)| **s == status)
            .flat_map(|(c, _)| c.geometry.0.iter().cloned())
            .collect();
        let [union] = crate::coverage::overlay(&polys, &[], [crate::coverage::OverlayRule::Subject], true);
        union
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
}
