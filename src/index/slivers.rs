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
//!   not on the border, and on a grid of [`GRID_KM`] inside it). It is a strip between the
//!   source's outline and the border, closed at both ends: no point of it is further from the
//!   border than Natural Earth 1:10m's nominal precision.
//! - C is a **speck** when it is not a sliver, touches the occupied or contested area, and its
//!   geodesic area is below [`SPECK_MAX_KM2`]: a hole a digitiser left in a polygon, far
//!   smaller than any place that could be held.
//! - Every other component stays covered, whatever its size: the main covered area, and real
//!   enclaves (covered territory bounded somewhere by the line of contact, i.e. by an edge of
//!   the occupied area further than the depth from the border).
//!
//! A sliver or speck takes the status of what surrounds it: occupied, or contested where its
//! boundary with the contested area is longer than with the occupied area. The layers, areas,
//! point answers, diffs, histories and the line of contact of a state are those after the rule;
//! the raw composition is kept (`raw=true` on the routes and commands that report areas).
//!
//! Distances to the border's boundary are measured in a local equirectangular frame (a
//! threshold, not a reported figure).

use super::line::BorderEdges;
use crate::geodesy::{KM_PER_DEGREE, area_km2};
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

/// Finds the slivers and specks among the components of `covered` (see the module
/// documentation). `side` gives the status of the raw layers at a point (None: covered or
/// outside); it is asked only where the contested area is not empty, to choose between occupied
/// and contested.
pub fn find_pieces(
    covered: &MultiPolygon<f64>,
    has_contested: bool,
    border: &BorderEdges,
    side: impl Fn(f64, f64) -> Option<ControlStatus>,
) -> Vec<Piece> {
    let mut out = Vec::new();
    for (component, poly) in covered.0.iter().enumerate() {
        // The depth test on every vertex first, every 64th vertex before the rest: the main
        // covered area fails at once on a vertex of the front.
        let vertices: Vec<Coord<f64>> = rings(poly).flat_map(|r| r.0.iter().copied()).collect();
        let deep = |c: &Coord<f64>| !border.within_km(*c, SLIVER_DEPTH_KM);
        let shallow = !vertices.iter().step_by(64).any(deep) && !vertices.iter().any(deep);
        let small = rough_km2(poly) < 4.0 * SPECK_MAX_KM2;
        if !shallow && !small {
            continue;
        }
        // Edges on the border's boundary, and the others (shared with occupied or contested).
        let (mut on_border, mut shared) = (0usize, Vec::new());
        for r in rings(poly) {
            for (a, b) in ring_edges(r) {
                if a == b {
                    continue;
                }
                if border.covers(a, b) {
                    on_border += 1;
                } else {
                    shared.push((a, b));
                }
            }
        }
        if shared.is_empty() {
            continue; // an island of covered territory, adjacent to nothing
        }
        let sliver = shallow
            && on_border > 0
            && shared
                .iter()
                .all(|&(a, b)| samples(a, b).all(|c| border.within_km(c, SLIVER_DEPTH_KM)))
            && interior_within(poly, border);
        let area = area_km2(&MultiPolygon(vec![poly.clone()]));
        let kind = if sliver {
            PieceKind::Sliver
        } else if area < SPECK_MAX_KM2 {
            PieceKind::Speck
        } else {
            continue;
        };
        let len = |&(a, b): &(Coord<f64>, Coord<f64>)| crate::geodesy::edge_length_m(a, b) / 1e3;
        let shared_km: f64 = shared.iter().map(len).sum();
        let status = if has_contested {
            surrounding_status(poly, &shared, &side)
        } else {
            ControlStatus::Occupied
        };
        let mut polygon = poly.clone();
        orient_rfc7946(&mut polygon);
        out.push(Piece {
            kind,
            status,
            polygon,
            area_km2: area,
            component,
            shared_km,
        });
    }
    out
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
        let g = area_km2(&MultiPolygon(vec![p.clone()]));
        assert!((rough_km2(&p) - g).abs() / g < 0.01, "{} vs {g}", rough_km2(&p));
    }
}
