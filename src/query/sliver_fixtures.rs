//! The sliver rule, the line of contact and the meaning of an edge on SYNTHETIC fixtures,
//! through a catalog and point answers (issue 10, 16 and 17 cases).
use crate::catalog::Catalog;
use crate::geodata::{Border, ControlFeature, Geodata, Snapshot, Source};
use crate::geodesy::area_km2;
use crate::index::slivers::*;
use crate::model::ControlStatus;
use crate::model::{Provenance, Status};
use chrono::NaiveDate;
use geo::orient::{Direction, Orient};
use geo::{Distance, Geodesic, LineString, MultiPolygon, Point, Polygon};

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
    catalog_with_waters(border, occupied, Vec::new())
}

/// [`catalog`] with waters made of `cells` (geometry, anchor).
fn catalog_with_waters(
    border: Polygon<f64>,
    occupied: Vec<Polygon<f64>>,
    cells: Vec<(Polygon<f64>, (f64, f64))>,
) -> Catalog {
    let waters = if cells.is_empty() {
        vec![]
    } else {
        vec![crate::geodata::Waters {
            border: "TST".into(),
            cells: cells
                .into_iter()
                .map(|(p, (x, y))| crate::geodata::WaterCell {
                    anchor: geo::Coord { x, y },
                    geometry: MultiPolygon(vec![p]),
                })
                .collect(),
            limit_km: Some(22.224),
            provenance: prov(),
            synthetic: true,
        }]
    };
    let border = Border {
        iso3: "TST".into(),
        name: "Testland".into(),
        geometry: MultiPolygon(vec![border]),
        provenance: prov(),
        synthetic: true,
        valid_from: None,
    };
    let snap = Snapshot {
        source: "t".into(),
        date: NaiveDate::from_ymd_opt(2024, 1, 1).unwrap_or_default(),
        features: occupied
            .into_iter()
            .map(|p| ControlFeature {
                status: ControlStatus::Occupied,
                geometry: MultiPolygon(vec![p]),
                class: None,
                date: None,
            })
            .collect(),
        content_sha256: "1".into(),
        provenance: prov(),
        synthetic: true,
        published: None,
        published_at: None,
    };
    Catalog::build(Geodata {
        borders: vec![border],
        baselines: vec![],
        regions: vec![],
        sources: vec![Source {
            time_zone: crate::geodata::deepstate_api::DEFAULT_TIME_ZONE,
            terms: Default::default(),
            revised: Default::default(),
            publications: Vec::new(),
            name: "t".into(),
            description: None,
            border: "TST".into(),
            baselines: vec![],
            classes: crate::model::SourceClasses::canonical_unstated(),
            snapshots: vec![snap],
        }],
        default_source: Some("t".into()),
        root: ".".into(),
        waters,
    })
}

fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 1, 1).unwrap_or_default()
}

/// Degrees of latitude per km.
const KM: f64 = 1.0 / 111.2;

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
        (n.point.x - 31.5).abs() < 1e-3 && (n.point.y - (48.0 - 2.0 * KM)).abs() < 1e-6,
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
    // The southern edge, straight in lon/lat along the parallel (crate::geodesy::EDGES).
    let south = crate::geodesy::edge_length_m(geo::Coord { x: 30.0, y: 47.0 }, geo::Coord { x: 34.0, y: 47.0 }) / 1e3;
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

/// Issue 9 item 5 after the sliver rule: a published vertex or edge between an occupied
/// feature and a sliver taken into the occupied area is inside the occupied layer, not on its
/// boundary, although the sliver's own edges end at vertices the overlay rounded to its grid
/// (where the feature's slanted edges cross the border). The front and the border keep theirs.
#[test]
fn a_published_edge_between_a_feature_and_its_sliver_is_no_boundary() {
    // The top of the feature runs 200-330 m under the border at 48, slanted, so that its edges
    // cross the border's sides at points no double holds: the sliver's corners are rounded.
    let top = [
        (29.9, 48.0 - 0.31 * KM),
        (30.7000123, 48.0 - 0.2 * KM),
        (32.0000123, 48.0 - 0.27 * KM),
        (33.3000077, 48.0 - 0.21 * KM),
        (34.1, 48.0 - 0.33 * KM),
    ];
    let mut ring = vec![(29.9, 47.0), (34.1, 47.0)];
    ring.extend(top.iter().rev());
    let cat = catalog(rect(30.0, 46.0, 34.0, 48.0), vec![poly(&ring, &[])]);
    let f = cat.in_force(None, day()).unwrap();
    let c = f.computed();
    assert_eq!(c.pieces.len(), 1, "{:?}", c.moved);
    assert_eq!(c.pieces[0].status, ControlStatus::Occupied);
    let answer = |x: f64, y: f64, raw: bool| {
        let s = f.status_of(x, y, raw).unwrap();
        (s.status, s.on_boundary)
    };
    // The published vertices of the top, inside the border: inside the layer after the rule,
    // on the raw layer's boundary.
    for &(x, y) in &top[1..4] {
        assert_eq!(answer(x, y, false), (Status::Occupied, false), "({x}, {y})");
        assert_eq!(answer(x, y, true), (Status::Occupied, true), "({x}, {y}) raw");
    }
    // Points of the published top edges (exactly on them where a double can be: the edge's
    // parameter at powers of two), inside the border.
    for w in top[1..4].windows(2) {
        let (a, b) = (w[0], w[1]);
        for t in [0.25, 0.5, 0.75] {
            let (x, y) = (a.0 + t * (b.0 - a.0), a.1 + t * (b.1 - a.1));
            if !exactly_on(a.into(), b.into(), x, y) {
                continue;
            }
            assert_eq!(
                answer(x, y, false),
                (Status::Occupied, false),
                "({x}, {y}) on {a:?}-{b:?}"
            );
        }
    }
    // The front (the bottom edge) and the border over the sliver are boundaries.
    assert_eq!(answer(32.0, 47.0, false), (Status::Occupied, true));
    assert_eq!(answer(32.0, 48.0, false), (Status::Occupied, true));
    assert_eq!(answer(30.0, 47.5, false), (Status::Occupied, true));
    // Just off the vertices, inside: the same status, no boundary.
    for &(x, y) in &top[1..4] {
        for (dx, dy) in [(1e-5, 0.0), (-1e-5, 0.0), (0.0, 1e-5), (0.0, -1e-5)] {
            assert_eq!(
                answer(x + dx, y + dy, false),
                (Status::Occupied, false),
                "({x}, {y}) + ({dx}, {dy})"
            );
        }
    }
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
    assert_eq!(f.status(32.0, 46.0 + 0.5 * KM).unwrap().status, Status::Occupied);
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
    assert_eq!(f.status(32.0, 46.9 - 0.001).unwrap().status, Status::Occupied);
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
    assert_eq!(f.status(31.5, 47.0).unwrap().status, Status::Occupied);
    assert_eq!(f.status(32.5, 47.0).unwrap().status, Status::Covered);
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
    assert_eq!(f.status(32.0, 48.0 - 5.0 * KM).unwrap().status, Status::Covered);
    // 5 km from its southern edge, 7.5 km from its sides.
    let n = f.line().nearest(32.0, 48.0 - 5.0 * KM).unwrap();
    assert!((n.km - 5.0).abs() < 0.05, "{n:?}");
    assert!((n.point.y - (48.0 - 10.0 * KM)).abs() < 1e-7, "{n:?}");
}

/// A pocket `w_km` wide and `d_km` deep against the northern border (48 N) of
/// [30,34]x[46,48], centred on 32 E: as the source draws it (`hole`: a hole of its polygon,
/// which reaches 48.2 N, cut by the border; otherwise a notch of an outline drawn 300 m inside
/// the border, open to the outside of its drawing).
fn pocket_catalog(w_km: f64, d_km: f64, hole: bool) -> Catalog {
    let k = 48.0f64.to_radians().cos();
    let (x0, x1) = (32.0 - w_km / 2.0 * KM / k, 32.0 + w_km / 2.0 * KM / k);
    let bottom = 48.0 - d_km * KM;
    let occ = if hole {
        let pocket = [(x0, 48.1), (x0, bottom), (x1, bottom), (x1, 48.1)];
        poly(&[(31.0, 47.0), (33.0, 47.0), (33.0, 48.2), (31.0, 48.2)], &[&pocket])
    } else {
        let top = 48.0 - 0.3 * KM;
        poly(
            &[
                (29.9, 47.0),
                (34.1, 47.0),
                (34.1, top),
                (x1, top),
                (x1, bottom),
                (x0, bottom),
                (x0, top),
                (29.9, top),
            ],
            &[],
        )
    };
    catalog(rect(30.0, 46.0, 34.0, 48.0), vec![occ])
}

#[test]
fn small_enclaves_against_the_border_bounded_by_the_source_stay_covered() {
    // Issue 10 (a tester's fault): pockets shallower than the sliver depth (5 km), which the
    // source draws as holes of its polygon (its own lines close them; the border cuts them):
    // the tester's 2.8 x 2 km, 1 x 1 km, 20 km along the border x 0.5 km, 4 x 4.5 km. Each is
    // bounded by the line of contact and stays covered; its sides and bottom are front.
    let plain = catalog(rect(30.0, 46.0, 34.0, 48.0), vec![rect(31.0, 47.0, 33.0, 48.2)]);
    let plain_km = plain.in_force(None, day()).unwrap().line().length_km;
    for (w_km, d_km) in [(2.8, 2.0), (1.0, 1.0), (20.0, 0.5), (4.0, 4.5)] {
        let cat = pocket_catalog(w_km, d_km, true);
        let f = cat.in_force(None, day()).unwrap();
        let c = f.computed();
        assert!(c.pieces.is_empty(), "{w_km} x {d_km} km: {:?}", c.moved);
        let centre = (32.0, 48.0 - d_km / 2.0 * KM);
        let s = f.status(centre.0, centre.1).unwrap();
        assert_eq!(
            (s.status, s.on_boundary),
            (Status::Covered, false),
            "{w_km} x {d_km} km"
        );
        // On the border, in the pocket's mouth: covered too.
        let s = f.status(32.0, 48.0).unwrap();
        assert_eq!((s.status, s.on_boundary), (Status::Covered, true), "{w_km} x {d_km} km");
        // The line: the plain rectangle's, with the pocket's bottom and its sides less the
        // last 200 m along the border (each side split where it leaves the tolerance, tested
        // every 100 m: within 0.1 km each).
        let want = plain_km + w_km + 2.0 * (d_km - 0.2);
        let line = f.line();
        assert!(
            (line.length_km - want).abs() < 0.2,
            "{w_km} x {d_km} km: line {} vs {want}",
            line.length_km
        );
        // From the centre: to the nearer of the bottom and the sides.
        let n = line.nearest(centre.0, centre.1).unwrap();
        let want = (d_km / 2.0).min(w_km / 2.0);
        assert!((n.km - want).abs() < 0.02, "{w_km} x {d_km} km: {n:?} vs {want}");
    }
}

#[test]
fn slivers_between_the_outline_and_the_border_still_move() {
    // The same pockets drawn as notches of an outline that stops 300 m inside the border (open
    // to the outside of the source's drawing): with the strip they are one sliver, occupied.
    for (w_km, d_km) in [(2.8, 2.0), (1.0, 1.0), (4.0, 4.5)] {
        let cat = pocket_catalog(w_km, d_km, false);
        let f = cat.in_force(None, day()).unwrap();
        let c = f.computed();
        assert_eq!(c.pieces.len(), 1, "{w_km} x {d_km} km");
        assert_eq!(
            (c.pieces[0].kind, c.pieces[0].status),
            (PieceKind::Sliver, ControlStatus::Occupied)
        );
        let s = f.status(32.0, 48.0 - d_km / 2.0 * KM).unwrap();
        assert_eq!(s.status, Status::Occupied, "{w_km} x {d_km} km");
        let strip = area_km2(&MultiPolygon(vec![rect(30.0, 48.0 - 0.3 * KM, 34.0, 48.0)]));
        assert!(c.moved.sliver_km2 > strip, "{:?}", c.moved);
    }
}

/// Whether (x, y) lies exactly on the segment a-b (robust orientation, then the box).
fn exactly_on(a: geo::Coord<f64>, b: geo::Coord<f64>, x: f64, y: f64) -> bool {
    let o = robust::orient2d(
        robust::Coord { x: a.x, y: a.y },
        robust::Coord { x: b.x, y: b.y },
        robust::Coord { x, y },
    );
    o == 0.0 && x >= a.x.min(b.x) && x <= a.x.max(b.x) && y >= a.y.min(b.y) && y <= a.y.max(b.y)
}

/// The status of a point on the border by brute force: the statuses of 16 points around it
/// at `r` degrees that lie inside the border, when they agree (None otherwise: the point is
/// within `r` of another boundary).
fn status_around(f: &crate::catalog::InForce<'_>, x: f64, y: f64, r: f64) -> Option<Status> {
    let mut seen = None;
    for i in 0..16 {
        let t = (i as f64 + 0.5) / 16.0 * std::f64::consts::TAU;
        let s = f.status(x + r * t.cos(), y + r * t.sin()).ok()?.status;
        if s == Status::Outside {
            continue;
        }
        match seen {
            None => seen = Some(s),
            Some(o) if o != s => return None,
            _ => {}
        }
    }
    seen
}

#[test]
fn points_on_the_coast_next_to_a_sliver_take_its_status_exactly() {
    // Issue 10 (a tester's fault, issue 9 item 5): a jagged coast of irregular coordinates,
    // and an outline drawn 500 m inland between 31.1 and 32.9 E (a sliver between them). Every
    // vertex of the coast, and points exactly on its edges, answer the status of the area they
    // bound (brute force: the points 1e-5 degrees around them inside the border), on the
    // boundary.
    let coast: Vec<(f64, f64)> = (0..=300)
        .map(|i| {
            let x = 30.0 + 4.0 * i as f64 / 300.0 + 1e-7 * ((i * 7919) % 13) as f64;
            let y = 46.0 + 0.004 * (i as f64 * 0.7).sin() + 1.3e-9 * ((i * 104_729) % 17) as f64;
            (x, y)
        })
        .collect();
    let coast_y = |x: f64| {
        let i = coast.partition_point(|c| c.0 < x).clamp(1, coast.len() - 1);
        let (a, b) = (coast[i - 1], coast[i]);
        a.1 + (x - a.0) / (b.0 - a.0) * (b.1 - a.1)
    };
    let mut border: Vec<(f64, f64)> = coast.clone();
    border.extend([(34.0, 48.0), (30.0, 48.0)]);
    let occ = poly(&[(31.0, 45.9), (33.0, 45.9), (33.0, 46.5), (31.0, 46.5)], &[]);
    let mut notch: Vec<(f64, f64)> = vec![(31.1, 45.8), (32.9, 45.8)];
    notch.extend((0..=180).rev().map(|i| {
        let x = 31.1 + 1.8 * i as f64 / 180.0;
        (x, coast_y(x) + 0.5 * KM)
    }));
    let [occ] = crate::coverage::overlay(
        &[occ],
        &[poly(&notch, &[])],
        [crate::coverage::OverlayRule::Difference],
        false,
    );
    let cat = catalog(poly(&border, &[]), occ.0);
    let f = cat.in_force(None, day()).unwrap();
    let c = f.computed();
    assert_eq!(c.pieces.len(), 1, "{:?}", c.moved);
    let mut points: Vec<(f64, f64)> = coast.clone();
    for w in coast.windows(2) {
        let (a, b) = (geo::Coord { x: w[0].0, y: w[0].1 }, geo::Coord { x: w[1].0, y: w[1].1 });
        for k in 1..64 {
            let t = k as f64 / 64.0;
            let (x, y) = (a.x + t * (b.x - a.x), a.y + t * (b.y - a.y));
            if exactly_on(a, b, x, y) {
                points.push((x, y));
            }
        }
    }
    let (mut checked, mut in_sliver, mut skipped) = (0, 0, 0);
    for (x, y) in points {
        let Some(want) = status_around(&f, x, y, 1e-5) else {
            skipped += 1;
            continue;
        };
        let s = f.status(x, y).unwrap();
        assert_eq!((s.status, s.on_boundary), (want, true), "({x}, {y})");
        checked += 1;
        if (31.1..32.9).contains(&x) {
            assert_eq!(s.status, Status::Occupied, "({x}, {y})");
            assert!(c.piece_at(x, y).is_some(), "({x}, {y})");
            in_sliver += 1;
        }
    }
    eprintln!(
        "{checked} points on the coast checked, {in_sliver} of them along the sliver; {skipped} within 1e-5 degrees of another boundary"
    );
    assert!(in_sliver > 150 && skipped < 10, "{in_sliver} {skipped}");
}

/// A ring with a vertex every `step` degrees (at most) along each straight lon/lat edge.
fn densify(ring: &LineString<f64>, step: f64) -> Vec<geo::Coord<f64>> {
    let mut out = Vec::new();
    for w in ring.0.windows(2) {
        let (a, b) = (w[0], w[1]);
        let n = ((b.x - a.x).abs().max((b.y - a.y).abs()) / step).ceil().max(1.0) as usize;
        out.extend((0..n).map(|k| a + (b - a) * (k as f64 / n as f64)));
    }
    out.extend(ring.0.last().copied());
    out
}

/// A star-shaped (so simple) ring of 3 to 12 vertices around a centre at latitude 45 to 65:
/// edges up to about 15 degrees long, between latitudes 40 and 70.
fn sparse_polygon() -> impl proptest::strategy::Strategy<Value = Polygon<f64>> {
    use proptest::prelude::*;
    (3usize..=12, 25.0f64..40.0, 45.0f64..65.0).prop_flat_map(|(n, cx, cy)| {
        (
            prop::collection::vec(0.5f64..5.0, n),
            prop::collection::vec(0.0f64..0.9, n),
        )
            .prop_map(move |(r, jitter)| {
                let v: Vec<(f64, f64)> = (0..n)
                    .map(|i| {
                        let t = (i as f64 + jitter[i]) / n as f64 * std::f64::consts::TAU;
                        (cx + r[i] * 1.5 * t.cos(), cy + r[i] * t.sin())
                    })
                    .collect();
                poly(&v, &[])
            })
    })
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(16))]
    /// Issue 16 item 2, through a catalog: on a random sparse occupied polygon (3 to 12
    /// vertices, edges up to 15 degrees, latitudes 40 to 70), the reported occupied area equals
    /// Karney's geodesic area of the ring densified every 1e-4 degrees within 1e-7 relative; a
    /// point 1 m inside each long edge's straight lon/lat line (at five places along it) is
    /// occupied and a point 1 m outside is covered; the line of contact (the whole ring, far
    /// from the border) is as long as the densified geodesic ring within 1 cm per edge. With
    /// geodesic edges the points 1 m outside a long edge would fall inside the measured shape
    /// (which bulges by up to tens of km), and its area would differ by percent.
    #[test]
    fn areas_points_and_lengths_describe_one_shape(p in sparse_polygon()) {
        use geo::GeodesicArea;
        let ring = p.exterior().clone();
        let cat = catalog(rect(0.0, 20.0, 80.0, 85.0), vec![p]);
        let f = cat.in_force(None, day()).unwrap();
        // The reference is the occupied layer's ring as the overlay output it: i_overlay snaps
        // vertices to its integer grid, coarse over this 80-degree border (about 7e-8 degrees,
        // 1e-3 km2 on a polygon of 9,000 km2 with 7-degree edges, 1.5e-7 relative), which is
        // the overlay's precision, not the edge measure this checks.
        let layer = &f.computed().layers.occupied;
        proptest::prop_assert_eq!(layer.0.len(), 1);
        let dense = Polygon::new(LineString(densify(layer.0[0].exterior(), 1e-4)), vec![]);
        let want_km2 = dense.geodesic_area_unsigned() / 1e6;
        let got_km2 = f.computed().layers.occupied_km2;
        proptest::prop_assert!(
            (got_km2 - want_km2).abs() <= 1e-7 * want_km2,
            "area {} vs Karney densified {}", got_km2, want_km2
        );
        for w in ring.0.windows(2) {
            let (a, b) = (w[0], w[1]);
            if (b.x - a.x).abs().max((b.y - a.y).abs()) < 1.0 {
                continue;
            }
            for t in [0.05, 0.25, 0.5, 0.75, 0.95] {
                let q = a + (b - a) * t;
                // The unit normal to the edge in local metres (east, north), to the left: the
                // inside of a counterclockwise exterior.
                let (mx, my) = (crate::geodesy::METRES_PER_DEGREE * q.y.to_radians().cos(), 110_574.0 + 1_120.0 * (q.y.to_radians()).sin().powi(2));
                let (ex, ey) = ((b.x - a.x) * mx, (b.y - a.y) * my);
                let len = ex.hypot(ey);
                let (nx, ny) = (-ey / len, ex / len);
                for (side, want) in [(1.0, Status::Occupied), (-1.0, Status::Covered)] {
                    let (lon, lat) = (q.x + side * nx / mx, q.y + side * ny / my);
                    let off = Geodesic.distance(Point::new(lon, lat), Point(q));
                    proptest::prop_assert!((off - 1.0).abs() < 0.02, "offset {} m", off);
                    let s = f.status(lon, lat).unwrap();
                    proptest::prop_assert_eq!(
                        (s.status, s.on_boundary), (want, false),
                        "({}, {}), 1 m {} the edge {:?} -> {:?}", lon, lat,
                        if side > 0.0 { "inside" } else { "outside" }, a, b
                    );
                }
            }
        }
        let line = f.line();
        let dense = Polygon::new(LineString(densify(&ring, 1e-4)), vec![]);
        let dense_m: f64 = dense.exterior().0.windows(2).map(|w| Geodesic.distance(Point(w[0]), Point(w[1]))).sum();
        proptest::prop_assert!(
            (line.length_km * 1e3 - dense_m).abs() < 0.01 * (ring.0.len() - 1) as f64,
            "line {} m vs densified geodesic {} m", line.length_km * 1e3, dense_m
        );
    }
}

/// Land [30, 32] x [46, 47], occupied east of 31; waters south of the coast y = 46 in two
/// cells: A over [30, 30.6] with its anchor on covered land, which stops 1e-5 degree (1.1 m)
/// short of the coast (the seam the Natural Earth tools leave), and B over [30.6, 32] with its
/// anchor on occupied land, which meets the coast exactly (so that the covered coast between
/// 30.6 and 31 faces occupied waters: waters follow their coast to within one piece).
fn coast_catalog() -> Catalog {
    catalog_with_waters(
        rect(30.0, 46.0, 32.0, 47.0),
        vec![rect(31.0, 46.0, 32.0, 47.0)],
        vec![
            (rect(30.0, 45.8, 30.6, 45.99999), (30.3, 46.001)),
            (rect(30.6, 45.8, 32.0, 46.0), (31.5, 46.001)),
        ],
    )
}

#[test]
fn points_just_off_the_coast_are_in_the_waters_seam_or_not() {
    let cat = coast_catalog();
    // Off every coast edge (the south side, sampled every 0.05 degree), 1e-10 to 1e-3 degree
    // off: in the waters, with the status of the cell of that piece of coast (covered west of
    // 30.6, occupied east of it), whether the point is in the seam or in the cell.
    let mut seam = 0;
    for i in 1..40 {
        let x = 30.0 + 0.05 * f64::from(i) - 0.025;
        for e in [1e-10, 1e-9, 1e-8, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3] {
            let a = crate::query::point(&cat, None, day(), x, 46.0 - e, false).unwrap();
            let want = if x < 30.6 { Status::Covered } else { Status::Occupied };
            // 1e-5 degree off, a point of A is exactly on its edge (the seam's far side).
            let edge = x < 30.6 && e == 1e-5;
            assert_eq!(
                (a.status, a.in_waters, a.on_boundary),
                (want, true, edge),
                "{x} {e}: {a:?}"
            );
            assert!(a.land_km.is_some_and(|k| k < 0.12) && a.border_km.is_none(), "{a:?}");
            seam += usize::from(x < 30.6 && e < 1e-5);
        }
    }
    assert_eq!(seam, 12 * 5);
    // Beyond the limit of the waters: outside, with the border distance.
    let far = crate::query::point(&cat, None, day(), 30.5, 45.79, false).unwrap();
    assert_eq!((far.status, far.in_waters), (Status::Outside, false));
    assert!(far.border_km.is_some());
}

#[test]
fn a_point_on_the_coast_takes_the_higher_status_of_the_land_and_the_waters() {
    let cat = coast_catalog();
    let f = cat.in_force(None, day()).unwrap();
    let at = |x: f64, y: f64| {
        let s = f.status(x, y).unwrap();
        (s.status, s.on_boundary, s.in_waters)
    };
    // On the coast of covered land beside occupied waters (cell B): occupied, on the boundary,
    // as on every boundary (the higher status of the pieces the point touches).
    assert_eq!(at(30.8, 46.0), (Status::Occupied, true, false));
    assert_eq!(at(30.6, 46.0), (Status::Occupied, true, false));
    // On the coast of covered land beside covered waters, across the seam: covered, on the
    // boundary of the land (the area is closed).
    assert_eq!(at(30.3, 46.0), (Status::Covered, true, false));
    // On the coast of occupied land: occupied whatever the water.
    assert_eq!(at(31.5, 46.0), (Status::Occupied, true, false));
    // Inland, off the coast (on the land border's west edge and inside): the land alone.
    assert_eq!(at(30.8, 46.5), (Status::Covered, false, false));
    assert_eq!(at(30.0, 46.5), (Status::Covered, true, false));
    // Just inland of the coast: the land alone.
    assert_eq!(at(30.8, 46.0 + 1e-9), (Status::Covered, false, false));
}

#[test]
fn tiny_pockets_follow_one_order_sliver_enclave_speck() {
    // Issue 10 (session 6): a 0.39 ha pocket (60 x 65 m) against the northern border.
    let (w_km, d_km) = (0.06, 0.065);
    let centre = (32.0, 48.0 - d_km / 2.0 * KM);
    // Drawn as a hole of the source's polygon cut by the land border: a real enclave, covered.
    let cat = pocket_catalog(w_km, d_km, true);
    let f = cat.in_force(None, day()).unwrap();
    assert!(f.computed().pieces.is_empty(), "{:?}", f.computed().moved);
    assert_eq!(f.status(centre.0, centre.1).unwrap().status, Status::Covered);
    let a = crate::query::point(&cat, None, day(), centre.0, centre.1, false).unwrap();
    assert!(a.sliver.is_none(), "{a:?}");
    // The same hole cut by the coast (waters north of 48 N, anchored in the pocket and east of
    // it): covered too, and so are the waters off its mouth.
    let k = 48.0f64.to_radians().cos();
    let (x0, x1) = (32.0 - w_km / 2.0 * KM / k, 32.0 + w_km / 2.0 * KM / k);
    let pocket = [(x0, 48.1), (x0, 48.0 - d_km * KM), (x1, 48.0 - d_km * KM), (x1, 48.1)];
    let cat = catalog_with_waters(
        rect(30.0, 46.0, 34.0, 48.0),
        vec![poly(
            &[(31.0, 47.0), (33.0, 47.0), (33.0, 48.2), (31.0, 48.2)],
            &[&pocket],
        )],
        vec![
            (rect(30.0, 48.0, 32.0, 48.2), (centre.0, centre.1)),
            (rect(32.0, 48.0, 34.0, 48.2), (32.5, 47.5)),
        ],
    );
    let f = cat.in_force(None, day()).unwrap();
    assert!(f.computed().pieces.is_empty(), "{:?}", f.computed().moved);
    assert_eq!(f.status(centre.0, centre.1).unwrap().status, Status::Covered);
    let off = f.status(31.9999, 48.0001).unwrap();
    assert_eq!((off.status, off.in_waters), (Status::Covered, true));
    // Drawn as a notch of an outline open to the outside: a sliver, occupied.
    let cat = pocket_catalog(w_km, d_km, false);
    let f = cat.in_force(None, day()).unwrap();
    assert_eq!(f.computed().pieces.len(), 1);
    assert_eq!(f.computed().pieces[0].kind, PieceKind::Sliver);
    assert_eq!(f.status(centre.0, centre.1).unwrap().status, Status::Occupied);
    // A hole of the same size away from the border: a speck, occupied, and the point answer
    // says so.
    let hole = [(x0, 47.5), (x0, 47.5 - d_km * KM), (x1, 47.5 - d_km * KM), (x1, 47.5)];
    let cat = catalog(
        rect(30.0, 46.0, 34.0, 48.0),
        vec![poly(
            &[(31.0, 47.0), (33.0, 47.0), (33.0, 48.2), (31.0, 48.2)],
            &[&hole],
        )],
    );
    let y = 47.5 - d_km / 2.0 * KM;
    let a = crate::query::point(&cat, None, day(), 32.0, y, false).unwrap();
    assert_eq!(a.status, Status::Occupied);
    let sliver = a.sliver.unwrap();
    assert_eq!((sliver.kind, sliver.raw_status), (PieceKind::Speck, Status::Covered));
}
