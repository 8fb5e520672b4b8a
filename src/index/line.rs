//! The line of contact: the part of the occupied area's boundary that lies inside the recognized
//! territory (not along the international border, not along the coast), as lines with their
//! geodesic length, and the geodesic distance from a point to it.

use geo::{Coord, LineString, MultiLineString, MultiPolygon, Point};
use rstar::primitives::{GeomWithData, Line as RLine};
use rstar::{AABB, RTree};
use serde::Serialize;

/// Distance (degrees) within which an occupied edge counts as lying on the border's boundary:
/// about 1 cm, far above the overlay's snapping (1e-9 degrees), far below any real feature.
const ON_BORDER_DEG: f64 = 1e-7;

/// A piece of the occupied boundary that stays within this distance of the border's boundary
/// along its whole length is left out of the line of contact (see [`LineOfContact::new`]).
///
/// 5 km is Natural Earth 1:10m's nominal precision (0.5 mm at 1:10,000,000): on the DeepState
/// archive (2025-06-01) the boundary has 167 pieces inside the border, 2,356 km; every piece but
/// the front itself (1,124 km) and two short ones lies along the coast of Crimea and the Sea of
/// Azov or the Russian border, where the source drew them apart from Natural Earth. Left out,
/// they are still counted (`coastal_pieces`, `coastal_km`) and reported with the layer.
pub const COAST_TOLERANCE_KM: f64 = 5.0;

/// An edge of the occupied area (after the sliver rule) that stays within this distance of the
/// border's boundary all along is not line of contact (see [`LineOfContact::new`]): where a
/// source draws the coast or border a few hundred metres from Natural Earth's. An occupied strip
/// deeper than this along the border (Sumy and Kharkiv oblasts in 2025) is front.
pub const ALONG_BORDER_KM: f64 = 0.2;

type Seg = GeomWithData<RLine<[f64; 2]>, ()>;
/// An edge of [`NearestEdges`]: its lon/lat ends, and the chord between them in Earth-centred
/// coordinates with how far the edge (straight in lon/lat) bows away from that chord. Indexed in
/// an R-tree in Earth-centred coordinates, its distance to a point being the straight-line
/// distance to its chord less the bow: never more than the distance to any point of the edge.
#[derive(Debug, Clone, Copy)]
struct EdgeData {
    a: [f64; 2],
    b: [f64; 2],
    a3: [f64; 3],
    b3: [f64; 3],
    /// An upper bound (m) on the distance from any point of the edge to the chord a3-b3.
    bow_m: f64,
}

impl EdgeData {
    fn new(a: [f64; 2], b: [f64; 2]) -> Self {
        let (a3, b3) = (crate::geodesy::ecef_m(a[0], a[1]), crate::geodesy::ecef_m(b[0], b[1]));
        // The bow is largest near the middle (a smooth curve off its chord): the largest of three
        // samples, with half as much again for the samples' spacing, and a centimetre.
        let bow = [0.25, 0.5, 0.75]
            .iter()
            .map(|&t| {
                let p = crate::geodesy::ecef_m(a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1]));
                let q = std::array::from_fn::<f64, 3, _>(|i| a3[i] + t * (b3[i] - a3[i]));
                dist3(p, q)
            })
            .fold(0.0, f64::max);
        EdgeData {
            a,
            b,
            a3,
            b3,
            bow_m: bow * 1.5 + 0.01,
        }
    }

    /// The straight-line distance (m) from the point `p3` (Earth-centred) to the nearest point
    /// of the edge, from below: to the chord, less the bow.
    fn chord_m(&self, p3: [f64; 3]) -> f64 {
        let d = std::array::from_fn::<f64, 3, _>(|i| self.b3[i] - self.a3[i]);
        let w = std::array::from_fn::<f64, 3, _>(|i| p3[i] - self.a3[i]);
        let len2 = d[0] * d[0] + d[1] * d[1] + d[2] * d[2];
        let t = if len2 == 0.0 {
            0.0
        } else {
            ((w[0] * d[0] + w[1] * d[1] + w[2] * d[2]) / len2).clamp(0.0, 1.0)
        };
        (dist3(p3, std::array::from_fn(|i| self.a3[i] + t * d[i])) - self.bow_m).max(0.0)
    }
}

impl rstar::RTreeObject for EdgeData {
    type Envelope = AABB<[f64; 3]>;

    fn envelope(&self) -> Self::Envelope {
        // The chord's box grown by the bow holds every point within the bow of the chord.
        let lo = std::array::from_fn(|i| self.a3[i].min(self.b3[i]) - self.bow_m);
        let hi = std::array::from_fn(|i| self.a3[i].max(self.b3[i]) + self.bow_m);
        AABB::from_corners(lo, hi)
    }
}

impl rstar::PointDistance for EdgeData {
    fn distance_2(&self, p3: &[f64; 3]) -> f64 {
        self.chord_m(*p3).powi(2)
    }
}

fn dist3(p: [f64; 3], q: [f64; 3]) -> f64 {
    ((p[0] - q[0]).powi(2) + (p[1] - q[1]).powi(2) + (p[2] - q[2]).powi(2)).sqrt()
}

/// The border's boundary, indexed for "does this edge lie on it".
#[derive(Debug)]
pub struct BorderEdges {
    tree: RTree<Seg>,
    /// The exterior rings of the border's polygons (to tell a point in a hole of the border,
    /// such as a lake, from a point beyond it).
    exteriors: Vec<LineString<f64>>,
}

impl BorderEdges {
    /// Indexes every ring edge of the border.
    pub fn new(border: &MultiPolygon<f64>) -> Self {
        let segs = rings(border)
            .flat_map(|r| {
                r.0.windows(2)
                    .map(|w| GeomWithData::new(RLine::new([w[0].x, w[0].y], [w[1].x, w[1].y]), ()))
            })
            .collect();
        BorderEdges {
            tree: RTree::bulk_load(segs),
            exteriors: border.0.iter().map(|p| p.exterior().clone()).collect(),
        }
    }

    /// The exterior rings of the border's polygons.
    pub fn exteriors(&self) -> impl Iterator<Item = &LineString<f64>> + '_ {
        self.exteriors.iter()
    }

    /// Whether the segment a-b lies along the border's boundary (both ends and the middle within
    /// `ON_BORDER_DEG` of one border edge... or of the boundary, where it turns a corner).
    pub fn covers(&self, a: Coord<f64>, b: Coord<f64>) -> bool {
        let mid = Coord {
            x: (a.x + b.x) / 2.0,
            y: (a.y + b.y) / 2.0,
        };
        [a, mid, b].iter().all(|p| self.near(*p))
    }

    /// Whether `p` lies within about `km` of the border's boundary (measured in a local
    /// equirectangular frame: a threshold, not a reported figure).
    pub fn within_km(&self, p: Coord<f64>, km: f64) -> bool {
        const KM_PER_DEG: f64 = crate::geodesy::KM_PER_DEGREE;
        let k = p.y.to_radians().cos().max(1e-6);
        let (dy, dx) = (km / KM_PER_DEG, km / KM_PER_DEG / k);
        let env = AABB::from_corners([p.x - dx, p.y - dy], [p.x + dx, p.y + dy]);
        self.tree.locate_in_envelope_intersecting(&env).any(|s| {
            let (q, r) = (s.geom().from, s.geom().to);
            let scaled = |c: [f64; 2]| Coord {
                x: (c[0] - p.x) * k,
                y: c[1] - p.y,
            };
            segment_distance_deg(Coord { x: 0.0, y: 0.0 }, scaled(q), scaled(r)) * KM_PER_DEG <= km
        })
    }

    fn near(&self, p: Coord<f64>) -> bool {
        let env = AABB::from_corners(
            [p.x - ON_BORDER_DEG, p.y - ON_BORDER_DEG],
            [p.x + ON_BORDER_DEG, p.y + ON_BORDER_DEG],
        );
        self.tree.locate_in_envelope_intersecting(&env).any(|s| {
            let (q, r) = (s.geom().from, s.geom().to);
            segment_distance_deg(p, Coord { x: q[0], y: q[1] }, Coord { x: r[0], y: r[1] }) <= ON_BORDER_DEG
        })
    }
}

fn rings(mp: &MultiPolygon<f64>) -> impl Iterator<Item = &LineString<f64>> {
    mp.0.iter()
        .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
}

/// Distance (degrees of latitude) from (lon, lat) to the edge a-b in the local frame where
/// longitudes are scaled by `k`, and the edge parameter of the foot of the perpendicular.
fn local_foot(lon: f64, lat: f64, k: f64, a: [f64; 2], b: [f64; 2]) -> (f64, f64) {
    let (ax, ay, bx, by) = ((a[0] - lon) * k, a[1] - lat, (b[0] - lon) * k, b[1] - lat);
    let (dx, dy) = (bx - ax, by - ay);
    let len2 = dx * dx + dy * dy;
    let t = if len2 == 0.0 {
        0.0
    } else {
        (-(ax * dx + ay * dy) / len2).clamp(0.0, 1.0)
    };
    ((ax + t * dx).hypot(ay + t * dy), t)
}

/// The smallest geodesic distance (m) from `p` to the edge a-b (its points interpolated in
/// lon/lat, as polygon edges are drawn), starting from the parameter `t0`, and the parameter of
/// the nearest point found.
///
/// Newton's method on s(t), the geodesic distance from the edge's point at t to `p`: one
/// inverse problem (Karney, geographiclib-rs) at t gives s and the azimuth towards `p`, hence
/// s'(t) = -v·u (the first variation of a geodesic's length: v the edge's direction in metres
/// east and north, u the unit direction towards `p`) and s''(t) = |v × u|² / s (the sphere's
/// second variation, within a part in a thousand at 200 km). From the local frame's foot (see
/// [`start`]) it stops after one or two steps, when the step is under 0.1 mm: two or three
/// inverse calls per edge where parabolic steps took ten. Written here because no crate gives
/// the nearest point of a lon/lat segment on the ellipsoid.
fn refine(p: Point<f64>, a: [f64; 2], b: [f64; 2], t0: f64) -> (f64, f64) {
    use geographiclib_rs::InverseGeodesic;
    let g = wgs84();
    let (dlon, dlat) = (b[0] - a[0], b[1] - a[1]);
    let at = |t: f64| (a[0] + t * dlon, a[1] + t * dlat);
    let mut t = t0.clamp(0.0, 1.0);
    let mut best: Option<(f64, f64)> = None;
    for _ in 0..NEWTON_STEPS {
        let (lon, lat) = at(t);
        let (s, azi, _, _): (f64, f64, f64, f64) = g.inverse(lat, lon, p.y(), p.x());
        if best.is_none_or(|(bs, _)| s < bs) {
            best = Some((s, t));
        }
        if s < 1e-6 {
            break;
        }
        // The edge's direction in metres per unit of t at its point t (radii of curvature of
        // the WGS84 meridian and prime vertical at that latitude).
        let phi = lat.to_radians();
        let w2 = 1.0 - crate::geodesy::E2 * phi.sin().powi(2);
        let n = crate::geodesy::A / w2.sqrt();
        let m = n * (1.0 - crate::geodesy::E2) / w2;
        let (ve, vn) = (dlon.to_radians() * n * phi.cos(), dlat.to_radians() * m);
        let (ue, un) = (azi.to_radians().sin(), azi.to_radians().cos());
        let slope = -(ve * ue + vn * un);
        let cross = ve * un - vn * ue;
        let curvature = cross * cross / s;
        let next = if curvature > 0.0 {
            (t - slope / curvature).clamp(0.0, 1.0)
        } else if slope > 0.0 {
            0.0
        } else {
            1.0
        };
        let step_m = (next - t).abs() * ve.hypot(vn);
        if step_m < NEWTON_TOLERANCE_M {
            // s is quadratic about its minimum: a step this small changes it by far less.
            break;
        }
        t = next;
    }
    let (s, t) = best.unwrap_or((f64::INFINITY, t));
    (s, t)
}

/// Newton steps on one edge at most (two or three are taken from the local frame's foot).
const NEWTON_STEPS: usize = 8;

/// A Newton step shorter than this (m along the edge) ends the search.
const NEWTON_TOLERANCE_M: f64 = 1e-4;

/// WGS84 for Karney's algorithms (geographiclib-rs, which `geo`'s `Geodesic` wraps; used here
/// directly because the nearest-point search needs the azimuth with the distance in one call).
fn wgs84() -> &'static geographiclib_rs::Geodesic {
    static G: std::sync::OnceLock<geographiclib_rs::Geodesic> = std::sync::OnceLock::new();
    G.get_or_init(geographiclib_rs::Geodesic::wgs84)
}

/// Planar distance (degrees) from p to segment a-b.
fn segment_distance_deg(p: Coord<f64>, a: Coord<f64>, b: Coord<f64>) -> f64 {
    let (dx, dy) = (b.x - a.x, b.y - a.y);
    let len2 = dx * dx + dy * dy;
    let t = if len2 == 0.0 {
        0.0
    } else {
        (((p.x - a.x) * dx + (p.y - a.y) * dy) / len2).clamp(0.0, 1.0)
    };
    (p.x - a.x - t * dx).hypot(p.y - a.y - t * dy)
}

/// Why a piece of the occupied area's boundary is not line of contact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum EdgeClass {
    /// Line of contact.
    Front,
    /// On the border's boundary (within 1 cm): the coast or the international border.
    Border,
    /// Within [`ALONG_BORDER_KM`] of the border's boundary all along.
    AlongBorder,
}

/// Spacing (km) of the points at which an edge is tested against [`ALONG_BORDER_KM`]; an edge
/// that is along the border only in part is split there.
const ALONG_STEP_KM: f64 = 0.1;

/// What the line of contact leaves out of the occupied area's boundary, per reason (km).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct LeftOut {
    /// On the border's boundary (coast or international border, within 1 cm).
    pub border_km: f64,
    /// Within `along_border_tolerance_km` of the border's boundary all along (each edge tested
    /// every 100 m, and split where it leaves the tolerance).
    pub along_border_km: f64,
    /// The tolerance, km.
    pub along_border_tolerance_km: f64,
    /// Boundary with the slivers given the surrounding status (see `index::slivers`): it is
    /// no longer a boundary once they are.
    pub sliver_km: f64,
    /// Number of slivers.
    pub slivers: usize,
    /// Boundary of the specks (holes under the speck area).
    pub speck_km: f64,
    /// Number of specks.
    pub specks: usize,
    /// Pieces left out by the raw rule (`raw=true`: whole pieces within 5 km of the border).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub raw_pieces: Option<usize>,
}

/// The nearest point of a line to a point, and its geodesic distance.
/// The line of contact of one date.
#[derive(Debug)]
pub struct LineOfContact {
    /// What was left out, per reason.
    pub left_out: LeftOut,
    /// The lines, in ring order.
    pub lines: MultiLineString<f64>,
    /// Their geodesic length (WGS84), km.
    pub length_km: f64,
    /// Its edges, indexed for nearest points.
    nearest: NearestEdges,
}

/// Splits the edge a-b into runs of one class (see [`EdgeClass`]), appended to `out` in order.
fn classify_edge(
    border: &BorderEdges,
    a: Coord<f64>,
    b: Coord<f64>,
    tol_km: f64,
    out: &mut Vec<(Coord<f64>, Coord<f64>, EdgeClass)>,
) {
    if border.covers(a, b) {
        out.push((a, b, EdgeClass::Border));
        return;
    }
    if tol_km <= 0.0 {
        out.push((a, b, EdgeClass::Front));
        return;
    }
    let k = ((a.y + b.y) / 2.0).to_radians().cos();
    let len_km = ((b.x - a.x) * k).hypot(b.y - a.y) * crate::geodesy::KM_PER_DEGREE;
    let mid = Coord {
        x: (a.x + b.x) / 2.0,
        y: (a.y + b.y) / 2.0,
    };
    // Nothing of the border within reach of any point of the edge: front as a whole.
    if !border.within_km(mid, tol_km + len_km / 2.0 + 1e-3) {
        out.push((a, b, EdgeClass::Front));
        return;
    }
    let n = (len_km / ALONG_STEP_KM).ceil().max(1.0) as usize;
    let at = |i: usize| {
        let t = i as f64 / n as f64;
        Coord {
            x: a.x + t * (b.x - a.x),
            y: a.y + t * (b.y - a.y),
        }
    };
    let near: Vec<bool> = (0..=n).map(|i| border.within_km(at(i), tol_km)).collect();
    let class = |i: usize| {
        let m = Coord {
            x: (at(i).x + at(i + 1).x) / 2.0,
            y: (at(i).y + at(i + 1).y) / 2.0,
        };
        if near[i] && near[i + 1] && border.within_km(m, tol_km) {
            EdgeClass::AlongBorder
        } else {
            EdgeClass::Front
        }
    };
    let mut start = 0;
    let mut c = class(0);
    for i in 1..n {
        let ci = class(i);
        if ci != c {
            out.push((if start == 0 { a } else { at(start) }, at(i), c));
            start = i;
            c = ci;
        }
    }
    out.push((if start == 0 { a } else { at(start) }, b, c));
}

impl LineOfContact {
    /// The line of contact of `occupied` (after the sliver rule): its boundary decided edge by
    /// edge, without the edges on the border's boundary (within 1 cm) and those that stay within
    /// [`ALONG_BORDER_KM`] of it; `pieces` are the slivers and specks the rule moved, reported
    /// with what was left out.
    pub fn new(occupied: &MultiPolygon<f64>, border: &BorderEdges, pieces: &[crate::index::slivers::Piece]) -> Self {
        Self::with_tolerance(occupied, border, pieces, ALONG_BORDER_KM)
    }

    /// [`Self::new`] with another tolerance along the border (0: only the edges on it are left out).
    pub fn with_tolerance(
        occupied: &MultiPolygon<f64>,
        border: &BorderEdges,
        pieces: &[crate::index::slivers::Piece],
        tolerance_km: f64,
    ) -> Self {
        use crate::index::slivers::PieceKind;
        let mut left_out = LeftOut {
            along_border_tolerance_km: tolerance_km,
            ..LeftOut::default()
        };
        for p in pieces {
            match p.kind {
                PieceKind::Sliver => {
                    left_out.slivers += 1;
                    left_out.sliver_km += p.shared_km;
                }
                PieceKind::Speck => {
                    left_out.specks += 1;
                    left_out.speck_km += p.shared_km;
                }
            }
        }
        let mut lines = Vec::new();
        let mut runs = Vec::new();
        for ring in rings(occupied) {
            let c = &ring.0;
            if c.len() < 4 {
                continue;
            }
            runs.clear();
            for w in c.windows(2) {
                if w[0] != w[1] {
                    classify_edge(border, w[0], w[1], tolerance_km, &mut runs);
                }
            }
            for &(a, b, class) in &runs {
                let km = crate::geodesy::edge_length_m(a, b) / 1e3;
                match class {
                    EdgeClass::Border => left_out.border_km += km,
                    EdgeClass::AlongBorder => left_out.along_border_km += km,
                    EdgeClass::Front => {}
                }
            }
            if runs.iter().all(|r| r.2 == EdgeClass::Front) {
                lines.push(ring.clone());
                continue;
            }
            // Start right after a run left out, so that no line wraps around the ring end.
            let Some(start) = runs.iter().position(|r| r.2 != EdgeClass::Front) else {
                continue;
            };
            let n = runs.len();
            let mut current: Vec<Coord<f64>> = Vec::new();
            for k in 1..=n {
                let (a, b, class) = runs[(start + k) % n];
                if class == EdgeClass::Front {
                    if current.is_empty() {
                        current.push(a);
                    }
                    current.push(b);
                } else if current.len() >= 2 {
                    lines.push(LineString(std::mem::take(&mut current)));
                } else {
                    current.clear();
                }
            }
            if current.len() >= 2 {
                lines.push(LineString(current));
            }
        }
        Self::from_lines(lines, left_out)
    }

    /// The line of the raw composition, as before the edge rule: the edges not on the border's
    /// boundary, without the pieces that never leave it by more than [`COAST_TOLERANCE_KM`]
    /// (reported in `left_out.along_border_km` and `raw_pieces`).
    pub fn raw(occupied: &MultiPolygon<f64>, border: &BorderEdges) -> Self {
        Self::with_coast_tolerance(occupied, border, COAST_TOLERANCE_KM)
    }

    /// [`Self::raw`] with another tolerance for pieces along the border (0: keep every piece).
    pub fn with_coast_tolerance(occupied: &MultiPolygon<f64>, border: &BorderEdges, tolerance_km: f64) -> Self {
        let mut left_out = LeftOut {
            along_border_tolerance_km: tolerance_km,
            ..LeftOut::default()
        };
        let mut lines = Vec::new();
        for ring in rings(occupied) {
            let c = &ring.0;
            let n = c.len().saturating_sub(1);
            if n < 3 {
                continue;
            }
            let kept: Vec<bool> = (0..n).map(|i| !border.covers(c[i], c[i + 1])).collect();
            for i in 0..n {
                if !kept[i] {
                    left_out.border_km += crate::geodesy::edge_length_m(c[i], c[i + 1]) / 1e3;
                }
            }
            if kept.iter().all(|k| *k) {
                lines.push(ring.clone());
                continue;
            }
            // Start right after an edge on the border, so that no line wraps around the ring end.
            let Some(start) = (0..n).find(|&i| !kept[i]) else {
                continue;
            };
            let mut current: Vec<Coord<f64>> = Vec::new();
            for k in 1..=n {
                let i = (start + k) % n;
                if kept[i] {
                    if current.is_empty() {
                        current.push(c[i]);
                    }
                    current.push(c[i + 1]);
                } else if current.len() >= 2 {
                    lines.push(LineString(std::mem::take(&mut current)));
                } else {
                    current.clear();
                }
            }
            if current.len() >= 2 {
                lines.push(LineString(current));
            }
        }
        // A piece that never leaves the border's boundary by more than the tolerance is where the
        // source's coastline (or border) was drawn apart from Natural Earth's, not a front.
        let (mut coastal_pieces, mut coastal_km) = (0, 0.0);
        if tolerance_km > 0.0 {
            lines.retain(|l: &LineString<f64>| {
                let coastal = l.0.iter().all(|c| border.within_km(*c, tolerance_km))
                    && l.0.windows(2).all(|w| {
                        border.within_km(
                            Coord {
                                x: (w[0].x + w[1].x) / 2.0,
                                y: (w[0].y + w[1].y) / 2.0,
                            },
                            tolerance_km,
                        )
                    });
                if coastal {
                    coastal_pieces += 1;
                    coastal_km += crate::geodesy::length_km(l);
                }
                !coastal
            });
        }
        left_out.along_border_km = coastal_km;
        left_out.raw_pieces = Some(coastal_pieces);
        Self::from_lines(lines, left_out)
    }

    fn from_lines(lines: Vec<LineString<f64>>, left_out: LeftOut) -> Self {
        let length_km = lines.iter().map(crate::geodesy::length_km).sum::<f64>();
        let nearest = NearestEdges::new(lines.iter());
        LineOfContact {
            lines: MultiLineString(lines),
            length_km,
            left_out,
            nearest,
        }
    }

    /// The nearest point every edge would give, the nearest kept: the reference
    /// [`Self::nearest`] is tested against.
    pub fn nearest_brute_force(&self, lon: f64, lat: f64) -> Option<Nearest> {
        self.nearest.nearest_brute_force(lon, lat)
    }

    /// The edges of the line, `[lon, lat]` ends (for reference computations in tests).
    pub fn edges(&self) -> impl Iterator<Item = ([f64; 2], [f64; 2])> + '_ {
        self.nearest.tree.iter().map(|e| (e.a, e.b))
    }

    /// Geodesic distance (km) from (lon, lat) to the nearest point of the line, or `None` when
    /// there is no line.
    pub fn distance_km(&self, lon: f64, lat: f64) -> Option<f64> {
        self.nearest(lon, lat).map(|n| n.km)
    }

    /// The nearest point of the line to (lon, lat) and its geodesic distance, or `None` when
    /// there is no line (see [`NearestEdges::nearest`]).
    pub fn nearest(&self, lon: f64, lat: f64) -> Option<Nearest> {
        self.nearest.nearest(lon, lat)
    }
}

/// The nearest point of the edge a-b (points interpolated in lon/lat) to (lon, lat) and its
/// geodesic distance, started from the foot in the point's local frame: what
/// [`NearestEdges::nearest`] computes for each of its final candidates (for reference
/// computations in tests).
pub fn nearest_point_on_edge(lon: f64, lat: f64, a: [f64; 2], b: [f64; 2]) -> Nearest {
    let (_, t) = local_foot(lon, lat, lat.to_radians().cos().max(1e-6), a, b);
    nearest_on_edge(Point::new(lon, lat), a, b, t)
}

/// The nearest point of a set of edges to a point, and its geodesic distance.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Nearest {
    /// Geodesic distance (WGS84), km.
    pub km: f64,
    /// The nearest point (lon, lat), on an edge.
    pub point: Coord<f64>,
}

/// Edges (of the line of contact, of a border's boundary) indexed for the nearest point to a
/// point and its geodesic distance.
#[derive(Debug)]
pub struct NearestEdges {
    /// The edges, in Earth-centred coordinates (see [`EdgeData`]).
    tree: RTree<EdgeData>,
}

impl NearestEdges {
    /// Indexes the edges of `lines`.
    pub fn new<'a>(lines: impl Iterator<Item = &'a LineString<f64>> + Clone) -> Self {
        let edges = lines
            .flat_map(|l| {
                l.0.windows(2)
                    .map(|w| EdgeData::new([w[0].x, w[0].y], [w[1].x, w[1].y]))
            })
            .collect();
        NearestEdges {
            tree: RTree::bulk_load(edges),
        }
    }

    /// The nearest point that every edge would give, the nearest kept: the reference
    /// [`Self::nearest`] is tested against.
    pub fn nearest_brute_force(&self, lon: f64, lat: f64) -> Option<Nearest> {
        let p = Point::new(lon, lat);
        self.tree
            .iter()
            .map(|e| {
                let (_, t) = local_foot(lon, lat, lat.to_radians().cos().max(1e-6), e.a, e.b);
                nearest_on_edge(p, e.a, e.b, t)
            })
            .min_by(|x, y| x.km.total_cmp(&y.km))
    }

    /// The nearest point of the edges to (lon, lat) and its geodesic distance, or `None` when
    /// there is no edge.
    ///
    /// Edges come from the R-tree (in Earth-centred coordinates) in the order of a lower bound
    /// on their distance: the straight line to their chord, less their bow, as an arc of the
    /// ellipsoid's largest radius of curvature (within a metre or so of the geodesic distance;
    /// [`crate::geodesy::geodesic_lower_bound_m`]). Each is measured exactly until the next
    /// bound exceeds the nearest distance found: only the edges within about a metre of the
    /// nearest are measured, and the answer is the one measuring every edge would give. An edge
    /// is measured from the foot of the perpendicular in a local frame (flat-earth at the mean
    /// latitude of the point and the foot), refined by parabolic steps on the exact geodesic
    /// distance (Karney) along the edge (the foot of a geodesic perpendicular on the ellipsoid is
    /// not where the frame puts it: 0.5 km off for a point a degree from a meridian).
    pub fn nearest(&self, lon: f64, lat: f64) -> Option<Nearest> {
        self.nearest_within(lon, lat, f64::INFINITY)
    }

    /// [`Self::nearest`], or `None` as soon as every edge is known to be farther than `max_km`
    /// (give or take 1 %): a cheap answer for points far from every edge.
    pub fn nearest_within(&self, lon: f64, lat: f64, max_km: f64) -> Option<Nearest> {
        let p3 = crate::geodesy::ecef_m(lon, lat);
        let p = Point::new(lon, lat);
        let mut best: Option<Nearest> = None;
        for (e, chord2) in self.tree.nearest_neighbor_iter_with_distance_2(&p3) {
            // A centimetre and a part in a billion under the bound, for rounding.
            let bound_km = (crate::geodesy::geodesic_lower_bound_m(chord2.sqrt()) * (1.0 - 1e-9) - 0.01) / 1e3;
            match best {
                Some(n) if bound_km > n.km => break,
                None if bound_km > max_km * 1.01 => return None,
                _ => {}
            }
            let n = nearest_on_edge(p, e.a, e.b, start(lon, lat, e));
            if best.is_none_or(|b| n.km < b.km) {
                best = Some(n);
            }
        }
        best
    }
}

/// Where the exact search on edge `e` starts for (lon, lat): the foot of the perpendicular in
/// the frame of the point's latitude, then again in the frame of the mean latitude of the point
/// and that foot.
fn start(lon: f64, lat: f64, e: &EdgeData) -> f64 {
    let (_, t) = local_foot(lon, lat, lat.to_radians().cos().max(1e-6), e.a, e.b);
    let foot_lat = e.a[1] + t * (e.b[1] - e.a[1]);
    let km = ((lat + foot_lat) / 2.0).to_radians().cos().max(1e-6);
    local_foot(lon, lat, km, e.a, e.b).1
}

/// The nearest point of the edge a-b to `p` from the parameter `t0` on (see [`refine`]).
fn nearest_on_edge(p: Point<f64>, a: [f64; 2], b: [f64; 2], t0: f64) -> Nearest {
    let (m, t) = refine(p, a, b, t0);
    Nearest {
        km: m / 1e3,
        point: Coord {
            x: a[0] + t * (b[0] - a[0]),
            y: a[1] + t * (b[1] - a[1]),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{Distance, Geodesic, Polygon};

    fn rect(x0: f64, y0: f64, x1: f64, y1: f64) -> Polygon<f64> {
        Polygon::new(
            LineString::from(vec![(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)]),
            vec![],
        )
    }

    #[test]
    fn only_the_edges_inside_the_border_are_the_line() {
        // Border [30,34]x[46,48]; occupied [32,34]x[46,48] (touches the border on three sides):
        // the line of contact is the meridian 32 from 46 to 48 (without the tolerance along the
        // border; with it, less its last 200 m at each end).
        let border = MultiPolygon(vec![rect(30.0, 46.0, 34.0, 48.0)]);
        let occ = MultiPolygon(vec![rect(32.0, 46.0, 34.0, 48.0)]);
        let with = LineOfContact::new(&occ, &BorderEdges::new(&border), &[]);
        assert!(
            (with.left_out.along_border_km - 0.4).abs() < 0.01,
            "{:?}",
            with.left_out
        );
        let l = LineOfContact::with_tolerance(&occ, &BorderEdges::new(&border), &[], 0.0);
        assert!((with.length_km - (l.length_km - 0.4)).abs() < 0.01);
        assert_eq!(l.lines.0.len(), 1);
        assert_eq!(
            l.lines.0[0].0,
            vec![Coord { x: 32.0, y: 48.0 }, Coord { x: 32.0, y: 46.0 }]
        );
        let want = Geodesic.distance(Point::new(32.0, 46.0), Point::new(32.0, 48.0)) / 1e3;
        assert!((l.length_km - want).abs() / want < 1e-12, "{} vs {want}", l.length_km);
        // Distance from a point due west of the middle of the line.
        let d = l.distance_km(31.0, 47.0).unwrap_or(f64::NAN);
        // Reference: the minimum of the geodesic distance along the edge, by dense sampling.
        let want = (0..=200_000)
            .map(|i| {
                Geodesic.distance(
                    Point::new(31.0, 47.0),
                    Point::new(32.0, 46.0 + 2.0 * i as f64 / 200_000.0),
                )
            })
            .fold(f64::INFINITY, f64::min)
            / 1e3;
        assert!((d - want).abs() / want < 1e-6, "{d} vs {want}");
        // Beyond the end of the line: the distance to its end point.
        let d = l.distance_km(31.0, 49.0).unwrap_or(f64::NAN);
        let want = Geodesic.distance(Point::new(31.0, 49.0), Point::new(32.0, 48.0)) / 1e3;
        assert!((d - want).abs() / want < 1e-9, "{d} vs {want}");
    }

    /// Seeded uniform numbers in [0, 1) (xorshift), reproducible.
    fn uniform(seed: u64) -> impl FnMut() -> f64 {
        let mut s = seed;
        move || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            (s >> 11) as f64 / (1u64 << 53) as f64
        }
    }

    #[test]
    fn the_chord_bound_never_exceeds_the_geodesic_distance() {
        let mut r = uniform(3);
        for _ in 0..20_000 {
            let (a, b) = (
                Point::new(20.0 + 25.0 * r(), 40.0 + 15.0 * r()),
                Point::new(20.0 + 25.0 * r(), 40.0 + 15.0 * r()),
            );
            let s = Geodesic.distance(a, b);
            let chord = super::dist3(
                crate::geodesy::ecef_m(a.x(), a.y()),
                crate::geodesy::ecef_m(b.x(), b.y()),
            );
            let lb = crate::geodesy::geodesic_lower_bound_m(chord);
            assert!(lb <= s, "{a:?} {b:?}: {lb} > {s}");
            if s < 500e3 {
                assert!(s - lb < 1.5, "{a:?} {b:?}: {lb} vs {s}");
            }
        }
    }

    /// The distance along the edge at `t`, measured with `geo`'s Geodesic (an independent path
    /// to Karney's inverse).
    fn along(p: Point<f64>, a: [f64; 2], b: [f64; 2], t: f64) -> f64 {
        Geodesic.distance(p, Point::new(a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])))
    }

    /// The minimum of the distance along an edge by brute force: 2,000 samples, then a
    /// golden-section search around the best to 1e-12 of the edge.
    fn brute_refine(p: Point<f64>, a: [f64; 2], b: [f64; 2]) -> f64 {
        let n = 2_000;
        let k = (0..=n)
            .min_by(|i, j| along(p, a, b, *i as f64 / n as f64).total_cmp(&along(p, a, b, *j as f64 / n as f64)))
            .unwrap_or(0);
        let (mut lo, mut hi) = (
            ((k as f64 - 1.0) / n as f64).max(0.0),
            ((k as f64 + 1.0) / n as f64).min(1.0),
        );
        let g = (5f64.sqrt() - 1.0) / 2.0;
        while hi - lo > 1e-12 {
            let (x1, x2) = (hi - g * (hi - lo), lo + g * (hi - lo));
            if along(p, a, b, x1) < along(p, a, b, x2) {
                hi = x2;
            } else {
                lo = x1;
            }
        }
        along(p, a, b, (lo + hi) / 2.0)
    }

    #[test]
    fn newton_on_an_edge_finds_the_brute_force_minimum_to_the_millimetre() {
        // Issue 11 item 5: the nearest point of an edge in two or three inverse calls, the
        // same distance as a brute-force search along the edge. Edges from 1 m to 300 km at
        // 30-60 degrees north in every direction; points from on the edge to 600 km away.
        let mut r = uniform(11);
        let mut worst: f64 = 0.0;
        for i in 0..3_000 {
            let len_deg = 10f64.powf(-5.0 + 7.5 * r()).min(3.0);
            let (ax, ay) = (22.0 + 18.0 * r(), 30.0 + 30.0 * r());
            let dir = std::f64::consts::TAU * r();
            let b = [ax + len_deg * dir.cos(), ay + len_deg * dir.sin()];
            let a = [ax, ay];
            let reach = 10f64.powf(-6.0 + 6.8 * r());
            let (px, py) = (
                ax + (b[0] - ax) * r() + reach * (r() - 0.5),
                ay + (b[1] - ay) * r() + reach * (r() - 0.5),
            );
            let p = Point::new(px, py);
            let (got, t) = refine(p, a, b, start(px, py, &EdgeData::new(a, b)));
            let want = brute_refine(p, a, b);
            // The answer is a distance to a point of the edge, and no point is nearer.
            assert!((along(p, a, b, t) - got).abs() < 1e-6, "{i}: s({t}) != {got}");
            assert!(
                got <= want + 1e-3,
                "{i}: {p:?} to {a:?}-{b:?}: newton {got} m, brute force {want} m"
            );
            worst = worst.max(got - want);
        }
        eprintln!("newton - brute force, worst: {worst} m");
    }

    #[test]
    fn nearest_equals_every_edge_measured_on_a_wiggly_line() {
        // A front-like line: 600 edges of about 1 km wiggling around an arc, a long straight
        // edge, and points from on the line to 1,000 km away.
        let mut r = uniform(5);
        let mut pts: Vec<(f64, f64)> = (0..600)
            .map(|i| {
                let a = i as f64 / 600.0 * 1.2;
                (35.0 + 3.0 * a.cos() + 0.01 * r(), 46.0 + 2.5 * a.sin() + 0.01 * r())
            })
            .collect();
        pts.push((32.0, 50.0));
        let line = LineString::from(pts);
        let ix = NearestEdges::new(std::iter::once(&line));
        for _ in 0..2_000 {
            let (x, y) = (22.0 + 24.0 * r(), 40.0 + 14.0 * r());
            let fast = ix.nearest(x, y).unwrap_or_else(|| unreachable!());
            let all = ix.nearest_brute_force(x, y).unwrap_or_else(|| unreachable!());
            assert!((fast.km - all.km).abs() < 1e-6, "({x}, {y}): {fast:?} vs {all:?}");
        }
    }

    #[test]
    fn an_enclave_is_a_closed_line() {
        let border = MultiPolygon(vec![rect(30.0, 46.0, 34.0, 48.0)]);
        let occ = MultiPolygon(vec![rect(31.0, 46.5, 32.0, 47.5)]);
        let l = LineOfContact::new(&occ, &BorderEdges::new(&border), &[]);
        assert_eq!(l.lines.0.len(), 1);
        assert_eq!(l.lines.0[0].0.len(), 5);
    }
}
