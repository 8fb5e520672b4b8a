//! The waters (territorial sea approximation) and near-border answers on the shared DeepState
//! archive, made into a geodata directory by `scripts/deepstate-geodata.sh` (waters included).
//! Where `../shared/data/deepstate` is absent the tests are reported as ignored, with the reason
//! (`build.rs` sets `shared_deepstate`).

#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use frontline::Catalog;
use frontline::model::Status;
use frontline::query::{PointAnswer, point, point_json};
use std::sync::OnceLock;

/// The archive's catalog (waters included), loaded once.
fn catalog() -> &'static Catalog {
    static CAT: OnceLock<Catalog> = OnceLock::new();
    CAT.get_or_init(|| {
        common::shared_data("deepstate");
        let dir = tempfile::tempdir().unwrap().keep();
        let data = common::deepstate_geodata(&dir.join("geodata"));
        Catalog::load(&data).expect("archive loads")
    })
}

fn answer(cat: &Catalog, date: &str, lon: f64, lat: f64) -> PointAnswer {
    let date = frontline::model::parse_date(date).unwrap();
    let a = point(cat, Some("deepstate"), date, lon, lat, false).unwrap();
    // Both forms of the answer say the same.
    let j = point_json(cat, Some("deepstate"), date, lon, lat, false).unwrap();
    assert_eq!(j, serde_json::to_string(&a).unwrap());
    a
}

#[test]
#[cfg_attr(
    not(shared_deepstate),
    ignore = "needs ../shared/data/deepstate (absent when the tests were built)"
)]
fn coastal_cities_take_the_status_of_their_coast() {
    let cat = catalog();
    // Kherson's centre lies 373 m off Natural Earth's outline, in the Dnipro: covered, from the
    // right bank it faces.
    let k = answer(cat, "2025-06-01", 32.6169, 46.6354);
    assert_eq!((k.status, k.in_waters), (Status::Covered, true), "{k:?}");
    let land_km = k.land_km.unwrap();
    assert!(land_km > 0.3 && land_km < 0.45, "{land_km}");
    assert!(k.border_km.is_none());
    // Sevastopol, in its bay: occupied.
    let s = answer(cat, "2025-06-01", 33.5224, 44.6167);
    assert_eq!((s.status, s.in_waters), (Status::Occupied, true), "{s:?}");
    // Henichesk (on land, occupied) and Ochakiv (in the water off its coast, covered).
    let h = answer(cat, "2025-06-01", 34.8036, 46.1708);
    assert_ne!(h.status, Status::Outside, "{h:?}");
    let o = answer(cat, "2025-06-01", 31.5469, 46.6122);
    assert_ne!(o.status, Status::Outside, "{o:?}");
    assert_eq!(o.status, Status::Covered, "{o:?}");
}

#[test]
#[cfg_attr(
    not(shared_deepstate),
    ignore = "needs ../shared/data/deepstate (absent when the tests were built)"
)]
fn open_sea_and_a_neighbours_waters_are_outside() {
    let cat = catalog();
    // The open Black Sea, 162 km from Ukraine's land (191 km from Turkey's, by pyproj): outside,
    // and too far from the border for a border distance.
    let sea = answer(cat, "2025-06-01", 32.0, 43.5);
    assert_eq!(
        (sea.status, sea.in_waters, sea.border_km),
        (Status::Outside, false, None)
    );
    let src = cat.source(Some("deepstate")).unwrap();
    let far = src.border.boundary.nearest(32.0, 43.5).unwrap();
    assert!(far.km > 100.0, "{far:?}");
    // Off the Danube delta, 8.7 km from Ukraine's land but 4.2 km from Romania's (pyproj): the
    // equidistance line leaves it to Romania. The answer says how far Ukraine's border is.
    let danube = answer(cat, "2025-06-01", 29.75, 45.15);
    assert_eq!(
        (danube.status, danube.in_waters),
        (Status::Outside, false),
        "{danube:?}"
    );
    let km = danube.border_km.unwrap();
    assert!(km > 8.0 && km < 9.5, "{km}");
    let p = danube.border_point.unwrap();
    let back = src.border.boundary.nearest(p[0], p[1]).unwrap();
    assert!(back.km < 1e-6, "the border point lies on the border: {back:?}");
}

#[test]
#[cfg_attr(
    not(shared_deepstate),
    ignore = "needs ../shared/data/deepstate (absent when the tests were built)"
)]
fn a_point_in_the_waters_has_the_history_of_its_coast() {
    let cat = catalog();
    let src = cat.source(Some("deepstate")).unwrap();
    let hist = |x: f64, y: f64| frontline::analytics::history::history(src, x, y).unwrap();
    // Kherson, in the Dnipro (the archive starts in July 2024, after the city was freed): covered
    // throughout; Sevastopol's bay: occupied throughout.
    let k = hist(32.6169, 46.6354);
    assert_eq!((k.len(), k[0].status), (1, Status::Covered), "{k:?}");
    let s = hist(33.5224, 44.6167);
    assert_eq!((s.len(), s[0].status), (1, Status::Occupied), "{s:?}");
    // A grid over the coast from the Danube to the Sea of Azov: in the waters, histories read
    // through the anchors equal the status tested on every date.
    let (mut in_waters, mut changing) = (0, 0);
    for i in 0..120 {
        for j in 0..40 {
            let (x, y) = (29.6 + i as f64 * 0.08, 44.3 + j as f64 * 0.07);
            if src.border.waters.as_ref().unwrap().cells_at(x, y).is_empty() {
                continue;
            }
            in_waters += 1;
            let h = hist(x, y);
            assert_eq!(
                h,
                frontline::analytics::history::history_brute_force(src, x, y),
                "({x}, {y})"
            );
            changing += usize::from(h.len() > 1);
        }
    }
    eprintln!("{in_waters} grid points in the waters, {changing} of them change status over the archive");
    assert!(in_waters > 500, "{in_waters}");
}

#[test]
#[cfg_attr(
    not(shared_deepstate),
    ignore = "needs ../shared/data/deepstate (absent when the tests were built)"
)]
fn waters_areas_are_reported_apart_from_the_land() {
    let cat = catalog();
    let date = frontline::model::parse_date("2025-06-01").unwrap();
    let rows = frontline::query::timeline_between(cat, Some("deepstate"), Some(date), Some(date), false).unwrap();
    let r = &rows[0];
    // The DeepState archive draws no grey zone: its contested areas are unknown (null), not 0.
    assert!(r.contested_km2.is_none() && r.waters_contested_km2.is_none(), "{r:?}");
    let (o, v) = (r.waters_occupied_km2.unwrap(), r.waters_covered_km2.unwrap());
    let f = cat.in_force(Some("deepstate"), date).unwrap();
    let total = f.source.border.waters.as_ref().unwrap().area_km2;
    assert!((o + v - total).abs() < 1e-6 * total);
    // Crimea's and the Sea of Azov's coasts are occupied; Odesa's and Mykolaiv's covered (the
    // sliver rule gives the coastal slivers of Kherson oblast, and their waters, to occupied:
    // 6,116 km2 of covered waters left on this date).
    assert!(o > 10_000.0 && v > 5_000.0, "{r:?}");
    eprintln!("waters on 2025-06-01: occupied {o:.1} km2, covered {v:.1} (of {total:.1}; no grey zone drawn)");
    // The land areas leave the waters out: they add up to the border's area.
    assert!((r.occupied_km2 + r.covered_km2 - f.source.border.area_km2).abs() < 1e-6);
}

/// Issue 10 (session 6): the cells stopped short of the coast, so points just off it answered
/// `outside` (573 of 1,143 coast edges at 1e-10 degree). Off the middle and a seeded random
/// point of every coast edge of the border (an edge with a cell within the seam's reach), at
/// 1e-10 to 1e-3 degree out: the point is on the land (a narrow spit or an island beyond), or
/// in the waters with the status of the nearest cell (the cell of its piece of coast). A point
/// exactly on the coast takes the higher status of the land and the waters.
#[test]
#[cfg_attr(
    not(shared_deepstate),
    ignore = "needs ../shared/data/deepstate (absent when the tests were built)"
)]
fn points_just_off_every_coast_edge_are_in_the_waters() {
    use frontline::index::Location;
    use frontline::waters::SEAM_KM;
    let cat = catalog();
    let f = cat
        .in_force(Some("deepstate"), frontline::model::parse_date("2025-06-01").unwrap())
        .unwrap();
    let border = &f.source.border;
    let w = border.waters.as_ref().unwrap();
    let st = f.computed().waters.as_ref().unwrap();
    let rank = |s: Status| {
        [Status::Occupied, Status::Contested, Status::Covered, Status::Outside]
            .iter()
            .position(|x| *x == s)
    };
    let mut seed = 0x2545_f491_4f6c_dd1d_u64;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed >> 11) as f64 / (1u64 << 53) as f64
    };
    let (mut edges, mut in_waters, mut on_land, mut seam) = (0, 0, 0, 0);
    let mut wrong = Vec::new();
    for poly in &border.border.geometry.0 {
        for ring in std::iter::once(poly.exterior()).chain(poly.interiors()) {
            for l in ring.lines() {
                let (a, b) = (l.start, l.end);
                for t in [0.5, next()] {
                    let (qx, qy) = (a.x + t * (b.x - a.x), a.y + t * (b.y - a.y));
                    if w.nearest_cell_within(qx, qy, SEAM_KM).is_none() {
                        continue;
                    }
                    edges += 1;
                    // On the coast: the higher status of the land and the waters.
                    let on = f.status(qx, qy).unwrap();
                    if border.index.locate(qx, qy) == Location::Boundary {
                        let water = w
                            .status(st, qx, qy)
                            .or_else(|| w.seam(st, qx, qy, || Some(0.0)))
                            .unwrap();
                        assert!(rank(on.status) <= rank(water.status), "({qx}, {qy}): {on:?} {water:?}");
                    }
                    // Both sides of the edge: the one that is not land is the water side.
                    let (dx, dy) = (b.x - a.x, b.y - a.y);
                    let n = dx.hypot(dy);
                    for side in [1.0, -1.0] {
                        for e in [1e-10, 1e-9, 1e-8, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3] {
                            let (x, y) = (qx + side * e * dy / n, qy - side * e * dx / n);
                            let s = f.status(x, y).unwrap();
                            if border.index.locate(x, y) != Location::Outside {
                                on_land += 1;
                                assert!(!s.in_waters && s.status != Status::Outside, "({x}, {y}): {s:?}");
                                continue;
                            }
                            let Some((cell, _)) = w.nearest_cell_within(x, y, 1.0) else {
                                continue;
                            };
                            seam += usize::from(w.cells_at(x, y).is_empty());
                            in_waters += 1;
                            let holding = w.cells_at(x, y);
                            let ok = s.in_waters
                                && if holding.is_empty() {
                                    s.status == st.status[cell]
                                } else {
                                    holding.iter().any(|c| st.status[*c] == s.status)
                                };
                            if !ok {
                                wrong.push((x, y, e, s));
                            }
                        }
                    }
                }
            }
        }
    }
    println!("{edges} coast points, {in_waters} points off them in the waters ({seam} in the seam), {on_land} on land");
    assert!(edges > 1000, "{edges}");
    assert!(
        wrong.is_empty(),
        "{} wrong, e.g. {:?}",
        wrong.len(),
        &wrong[..wrong.len().min(10)]
    );
    // The tester's points: Cape Khersones 10.7 m off, Kinburn 1.5 m off, 0.13 m off the coast
    // near 35.83 E: in the waters (Sevastopol's coast: occupied).
    for (x, y) in [(33.371254, 44.587931), (31.851740, 46.521972), (35.828247, 46.623786)] {
        let a = answer(cat, "2025-06-01", x, y);
        assert!(
            a.in_waters && a.status != Status::Outside && a.land_km.is_some(),
            "{a:?}"
        );
        assert_eq!(
            a.status,
            st.status[w.nearest_cell_within(x, y, 1.0).unwrap().0],
            "{a:?}"
        );
    }
    assert_eq!(answer(cat, "2025-06-01", 33.371254, 44.587931).status, Status::Occupied);
}
