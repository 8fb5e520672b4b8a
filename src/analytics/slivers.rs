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
use crate::geodesy::area_km2;
use crate::model::ControlStatus;
use geo::{Coord, Distance, Geodesic, LineString, MultiPolygon, Point, Polygon};
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
    a.abs() * k * 111.32 * 111.32
}

/// Points every [`SAMPLE_KM`] (about) along the edge a-b, ends excluded, on the straight lon/lat
/// line between them.
fn samples(a: Coord<f64>, b: Coord<f64>) -> impl Iterator<Item = Coord<f64>> {
    let k = ((a.y + b.y) / 2.0).to_radians().cos();
    let km = ((b.x - a.x) * k).hypot(b.y - a.y) * 111.32;
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
    let dy = GRID_KM / 111.32;
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
        let len = |&(a, b): &(Coord<f64>, Coord<f64>)| Geodesic.distance(Point(a), Point(b)) / 1e3;
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
    use crate::catalog::Catalog;
    use crate::geodata::{Border, ControlFeature, Geodata, Snapshot, Source};
    use crate::model::{Provenance, Status};
    use chrono::NaiveDate;
    use geo::orient::{Direction, Orient};

    fn rect(x0: f64, y0: f64, x1: f64, y1: f64) -> Polygon<f64> {
        poly(&[(x0, y0), (x1, y0), (x1, y1), (x0, y1)], &[])
    }

    fn poly(ext: &[(f64, f64)], holes: &[&[(f64, f64)]]) -> Polygon<f64> {
        let ring = |v: &[(f64, f64)]| {
            let mut v = v.to_vec();
            v.push(v[0]);
            LineString::from(v)
        };
        Polygon::new(ring(ext), holes.iter().map(|h| ring(h)).collect()).orient(Direction::Default)
    }

    fn prov() -> Provenance {
        Provenance {
            file: "test".into(),
            sha256: "0".into(),
            origin: None,
        }
    }

    /// A catalog of one SYNTHETIC snapshot (2024-01-01) of `occupied` against `border`.
    fn catalog(border: Polygon<f64>, occupied: Vec<Polygon<f64>>) -> Catalog {
        let border = Border {
            iso3: "TST".into(),
            name: "Testland".into(),
            geometry: MultiPolygon(vec![border]),
            provenance: prov(),
            synthetic: true,
        };
        let snap = Snapshot {
            source: "t".into(),
            date: NaiveDate::from_ymd_opt(2024, 1, 1).unwrap_or_default(),
            features: occupied
                .into_iter()
                .map(|p| ControlFeature {
                    status: ControlStatus::Occupied,
                    geometry: MultiPolygon(vec![p]),
                })
                .collect(),
            content_sha256: "1".into(),
            provenance: prov(),
            synthetic: true,
        };
        Catalog::build(Geodata {
            borders: vec![border],
            baselines: vec![],
            regions: vec![],
            sources: vec![Source {
                name: "t".into(),
                description: None,
                border: "TST".into(),
                baselines: vec![],
                snapshots: vec![snap],
            }],
            default_source: Some("t".into()),
            root: ".".into(),
        })
    }

    fn day() -> NaiveDate {
        NaiveDate::from_ymd_opt(2024, 1, 1).unwrap_or_default()
    }

    /// Degrees of latitude per km.
    const KM: f64 = 1.0 / 111.2;

    #[test]
    fn rough_area_bounds_the_geodesic_one() {
        let p = rect(30.0, 47.0, 30.01, 47.01);
        let g = area_km2(&MultiPolygon(vec![p.clone()]));
        assert!((rough_km2(&p) - g).abs() / g < 0.01, "{} vs {g}", rough_km2(&p));
    }

    #[test]
    fn an_occupied_strip_2_km_deep_along_the_border_has_its_inner_edge_as_front() {
        // Border [30,34]x[46,48]; occupied: a strip 2 km deep along the northern border, from
        // 31 to 32 E, drawn beyond the border (as sources do).
        let cat = catalog(
            rect(30.0, 46.0, 34.0, 48.0),
            vec![rect(31.0, 48.0 - 2.0 * KM, 32.0, 48.2)],
        );
        let f = cat.in_force(None, day()).unwrap();
        assert!(f.computed().pieces.is_empty());
        let line = f.line();
        // The inner edge (76 km) and the 1.8 km of each side that are more than 200 m from the
        // border.
        let inner = Geodesic.distance(Point::new(31.0, 48.0 - 2.0 * KM), Point::new(32.0, 48.0 - 2.0 * KM)) / 1e3;
        assert!(
            (line.length_km - inner - 2.0 * 1.8).abs() < 0.15,
            "{} vs {inner}",
            line.length_km
        );
        assert!(
            (line.left_out.along_border_km - 0.4).abs() < 0.15,
            "{:?}",
            line.left_out
        );
        // South of its middle, 10 km from the border: 8 km from the line, at the inner edge.
        let n = line.nearest(31.5, 48.0 - 10.0 * KM).unwrap();
        assert!((n.km - 8.0).abs() < 0.05, "{n:?}");
        assert!(
            (n.point[0] - 31.5).abs() < 1e-3 && (n.point[1] - (48.0 - 2.0 * KM)).abs() < 1e-6,
            "{n:?}"
        );
    }

    #[test]
    fn an_outline_300_m_inside_the_border_leaves_a_sliver_not_a_front() {
        // The source draws the northern border 300 m south of the reference across the whole
        // country: the strip between is a sliver, occupied after the rule; the line is the
        // southern edge only.
        let cat = catalog(
            rect(30.0, 46.0, 34.0, 48.0),
            vec![rect(29.9, 47.0, 34.1, 48.0 - 0.3 * KM)],
        );
        let f = cat.in_force(None, day()).unwrap();
        let c = f.computed();
        assert_eq!(c.pieces.len(), 1);
        assert_eq!(
            (c.pieces[0].kind, c.pieces[0].status),
            (PieceKind::Sliver, ControlStatus::Occupied)
        );
        let strip = area_km2(&MultiPolygon(vec![rect(30.0, 48.0 - 0.3 * KM, 34.0, 48.0)]));
        assert!(
            (c.moved.sliver_km2 - strip).abs() < 1e-6 * strip,
            "{:?} vs {strip}",
            c.moved
        );
        let raw = c.layers_of(true);
        assert!((raw.covered_km2 - c.layers.covered_km2 - c.moved.moved_km2).abs() < 1e-9);
        assert!((c.layers.occupied_km2 - raw.occupied_km2 - c.moved.moved_km2).abs() < 1e-9);
        let south = Geodesic.distance(Point::new(30.0, 47.0), Point::new(34.0, 47.0)) / 1e3;
        let line = f.line();
        // Less the 200 m at each end, along the western and eastern border.
        assert!(
            (line.length_km - (south - 0.4)).abs() < 0.05,
            "{} vs {south}",
            line.length_km
        );
        assert_eq!(line.left_out.slivers, 1);
        // A point in the strip: occupied, and the answer names the sliver; raw: covered.
        let a = crate::query::point(&cat, None, day(), 32.0, 48.0 - 0.1 * KM, true).unwrap();
        assert_eq!(a.status, Status::Occupied);
        let s = a.sliver.unwrap();
        assert_eq!((s.kind, s.raw_status), (PieceKind::Sliver, Status::Covered));
        assert!((a.line_of_contact_km.unwrap() - 110.9).abs() < 0.5, "{a:?}");
        // The raw line keeps the old rule (pieces within 5 km of the border left out).
        assert!((f.epoch.state.raw_line().length_km - south).abs() < 1e-6 * south);
    }

    #[test]
    fn a_strip_along_the_coast_is_a_sliver() {
        // The coast is the southern border (46 N); the source draws it 1 km inland between 31.1
        // and 32.9 E, meeting it at 31 and 33 E.
        let occ = poly(&[(31.0, 45.9), (33.0, 45.9), (33.0, 46.5), (31.0, 46.5)], &[]);
        let notch = poly(&[(31.1, 45.8), (32.9, 45.8), (32.9, 46.0 + KM), (31.1, 46.0 + KM)], &[]);
        let [occ] = crate::coverage::overlay(&[occ], &[notch], [crate::coverage::OverlayRule::Difference], false);
        let cat = catalog(rect(30.0, 46.0, 34.0, 48.0), occ.0);
        let f = cat.in_force(None, day()).unwrap();
        let c = f.computed();
        assert_eq!(c.pieces.len(), 1, "{:?}", c.pieces);
        assert_eq!(c.pieces[0].kind, PieceKind::Sliver);
        assert_eq!(f.status(32.0, 46.0 + 0.5 * KM).unwrap().0, Status::Occupied);
        assert_eq!(
            c.status_of(f.border_index(), 32.0, 46.0 + 0.5 * KM, true).0,
            Status::Covered
        );
        // The line: the two sides and the northern edge, nothing along the coast.
        let want = [
            ((31.0, 46.0), (31.0, 46.5)),
            ((31.0, 46.5), (33.0, 46.5)),
            ((33.0, 46.5), (33.0, 46.0)),
        ]
        .iter()
        .map(|(a, b)| Geodesic.distance(Point::new(a.0, a.1), Point::new(b.0, b.1)) / 1e3)
        .sum::<f64>();
        // Less the last 200 m of each side, along the coast.
        let want = want - 0.4;
        assert!(
            (f.line().length_km - want).abs() < 0.1,
            "{} vs {want}",
            f.line().length_km
        );
    }

    #[test]
    fn a_lake_inside_an_occupied_area_is_a_sliver() {
        // The reference border leaves a lake out (a hole); the source draws the lake's shore
        // 300 m further out: the ring between is a sliver.
        let lake = [(31.9, 46.9), (32.1, 46.9), (32.1, 47.1), (31.9, 47.1)];
        let drawn = [
            (31.9 - 0.004, 46.9 - 0.003),
            (32.1 + 0.004, 46.9 - 0.003),
            (32.1 + 0.004, 47.1 + 0.003),
            (31.9 - 0.004, 47.1 + 0.003),
        ];
        let border = poly(&[(30.0, 46.0), (34.0, 46.0), (34.0, 48.0), (30.0, 48.0)], &[&lake]);
        let cat = catalog(
            border,
            vec![poly(
                &[(31.0, 46.5), (33.0, 46.5), (33.0, 47.5), (31.0, 47.5)],
                &[&drawn],
            )],
        );
        let f = cat.in_force(None, day()).unwrap();
        let c = f.computed();
        assert_eq!(c.pieces.len(), 1);
        assert_eq!(c.pieces[0].kind, PieceKind::Sliver);
        assert_eq!(f.status(32.0, 46.9 - 0.001).unwrap().0, Status::Occupied);
        // The line is the occupied area's outer ring only.
        assert_eq!(f.line().lines.0.len(), 1);
    }

    #[test]
    fn a_500_m2_hole_is_a_speck_and_a_20_km2_enclave_is_front() {
        // Occupied [31,33]x[46.5,47.5] with two holes: 500 m2 at 31.5 E, 20 km2 at 32.5 E.
        let speck_side = (500.0f64).sqrt() / 1000.0; // km
        let enclave_side = (20.0f64).sqrt();
        let k = 47.0f64.to_radians().cos();
        let hole = |x: f64, km: f64| {
            let (dx, dy) = (km * KM / k / 2.0, km * KM / 2.0);
            vec![
                (x - dx, 47.0 - dy),
                (x - dx, 47.0 + dy),
                (x + dx, 47.0 + dy),
                (x + dx, 47.0 - dy),
            ]
        };
        let (h1, h2) = (hole(31.5, speck_side), hole(32.5, enclave_side));
        let cat = catalog(
            rect(30.0, 46.0, 34.0, 48.0),
            vec![poly(
                &[(31.0, 46.5), (33.0, 46.5), (33.0, 47.5), (31.0, 47.5)],
                &[&h1, &h2],
            )],
        );
        let f = cat.in_force(None, day()).unwrap();
        let c = f.computed();
        assert_eq!(c.pieces.len(), 1);
        assert_eq!(c.pieces[0].kind, PieceKind::Speck);
        assert!(
            (c.pieces[0].area_km2 * 1e6 - 500.0).abs() < 5.0,
            "{}",
            c.pieces[0].area_km2
        );
        assert_eq!(f.status(31.5, 47.0).unwrap().0, Status::Occupied);
        assert_eq!(f.status(32.5, 47.0).unwrap().0, Status::Covered);
        let line = f.line();
        assert_eq!(
            (line.left_out.specks, line.lines.0.len()),
            (1, 2),
            "{:?}",
            line.left_out
        );
        // From the middle of the enclave: half its side to the line.
        let n = line.nearest(32.5, 47.0).unwrap();
        assert!((n.km - enclave_side / 2.0).abs() < 0.02, "{n:?}");
        // From the speck: to the enclave (1 degree east, less its half side) or the outer ring.
        let n = line.nearest(31.5, 47.0).unwrap();
        let outer = Geodesic.distance(Point::new(31.5, 47.0), Point::new(31.0, 47.0)) / 1e3;
        assert!((n.km - outer).abs() < 0.05, "{n:?} vs {outer}");
    }

    #[test]
    fn a_real_enclave_against_the_border_stays_covered() {
        // A covered pocket 10 km deep against the northern border, occupied on its three other
        // sides: bounded by the line of contact, it stays covered.
        let pocket = [
            (31.9, 48.0 + 0.1),
            (31.9, 48.0 - 10.0 * KM),
            (32.1, 48.0 - 10.0 * KM),
            (32.1, 48.0 + 0.1),
        ];
        let occ = rect(31.0, 47.0, 33.0, 48.2);
        let [occ] = crate::coverage::overlay(
            &[occ],
            &[poly(&pocket, &[])],
            [crate::coverage::OverlayRule::Difference],
            false,
        );
        let cat = catalog(rect(30.0, 46.0, 34.0, 48.0), occ.0);
        let f = cat.in_force(None, day()).unwrap();
        assert!(f.computed().pieces.is_empty());
        assert_eq!(f.status(32.0, 48.0 - 5.0 * KM).unwrap().0, Status::Covered);
        // 5 km from its southern edge, 7.5 km from its sides.
        let n = f.line().nearest(32.0, 48.0 - 5.0 * KM).unwrap();
        assert!((n.km - 5.0).abs() < 0.05, "{n:?}");
        assert!((n.point[1] - (48.0 - 10.0 * KM)).abs() < 1e-7, "{n:?}");
    }
}
