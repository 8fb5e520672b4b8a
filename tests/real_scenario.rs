//! Ceasefire scenarios on the real DeepStateMap archive in `../shared/data/deepstate` (reported
//! as ignored by the test runner, with the reason, where it is absent: see `build.rs`): the
//! partition of the border, the zones against the exact geodesic distance on 100,000 seeded
//! points, the withdrawal area against `/v1/diff`'s gained side, and the same id every run.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use frontline::catalog::Catalog;
use frontline::geodata::{deepstate, load_dir};
use frontline::scenario::{self, Scenario};

use std::sync::OnceLock;

mod common;

use common::repo;

fn catalog() -> &'static Catalog {
    static CAT: OnceLock<Catalog> = OnceLock::new();
    CAT.get_or_init(|| {
        let dir = common::shared_data("deepstate");
        let base = load_dir(&repo().join("geodata")).expect("embedded geodata").geodata;
        let border = base.borders.into_iter().next().expect("a border");
        let mut g = deepstate::archive_geodata(border, &dir, "deepstate").expect("archive loads");
        // The Crimea baseline of the embedded geodata, to exclude by name (no source composes it),
        // and the border's waters (for `"waters": true`).
        g.baselines = base.baselines;
        g.waters = base.waters;
        Catalog::build(g)
    })
}

fn doc(json: serde_json::Value) -> Scenario {
    scenario::from_value(json).expect("a scenario")
}

/// A scenario with a 15 km zone on each side of the 2025-06-01 line (the benchmark's).
fn fifteen_km() -> Scenario {
    doc(serde_json::json!({
        "source": "deepstate", "ceasefire_date": "2025-06-01",
        "zones": [{"name": "15 km", "reference": {"date": "2025-06-01"}, "side": "both", "width_km": 15}]
    }))
}

#[test]
#[cfg_attr(
    not(shared_deepstate),
    ignore = "needs ../shared/data/deepstate (absent when the tests were built)"
)]
fn area_and_exclusions_partition_the_border_within_1e_9() {
    let cat = catalog();
    let border_km2 = cat.source(Some("deepstate")).unwrap().border.area_km2;
    for json in [
        serde_json::json!({"source": "deepstate", "ceasefire_date": "2025-06-01"}),
        serde_json::json!({"source": "deepstate", "ceasefire_date": "2024-11-20",
            "policy": {"grey_zone": "included", "excluded_baselines": ["crimea"],
                "exclusions": [{"name": "a box near Zaporizhzhia", "geometry": {"type": "Polygon",
                    "coordinates": [[[35.0, 47.3], [36.2, 47.3], [36.2, 48.0], [35.0, 48.0], [35.0, 47.3]]]}}]}}),
    ] {
        let c = scenario::compute(cat, &doc(json)).unwrap();
        let total = c.answer.area_of_application_km2 + c.answer.excluded.iter().filter_map(|e| e.area_km2).sum::<f64>();
        let rel = (total - border_km2).abs() / border_km2;
        eprintln!(
            "area {:.3} km2 + excluded {:?} = {total:.6} vs border {border_km2:.6}: {rel:.2e}",
            c.answer.area_of_application_km2,
            c.answer
                .excluded
                .iter()
                .map(|e| (e.reason.as_str(), e.area_km2))
                .collect::<Vec<_>>()
        );
        assert!(rel < 1e-9, "{total} vs {border_km2}: {rel:e}");
        assert_eq!(c.answer.territory_km2, border_km2);
    }
}

#[test]
#[cfg_attr(
    not(shared_deepstate),
    ignore = "needs ../shared/data/deepstate (absent when the tests were built)"
)]
fn zones_keep_the_distance_rule_on_100_000_seeded_points() {
    let cat = catalog();
    let c = scenario::compute(cat, &fifteen_km()).unwrap();
    let f = cat
        .in_force(Some("deepstate"), frontline::model::parse_date("2025-06-01").unwrap())
        .unwrap();
    let line = f.line();
    let border = f.border_index();
    let z = &c.zones[0];
    let (cov, occ) = (
        frontline::index::PolygonIndex::new(&z.covered.0),
        frontline::index::PolygonIndex::new(&z.occupied.0),
    );
    let occupied = f.computed();
    // Seeded points over the line's box widened by 30 km (xorshift, seed 20250601).
    let bb = geo::BoundingRect::bounding_rect(&line.lines).unwrap();
    let (lo, hi) = (
        [bb.min().x - 0.5, bb.min().y - 0.3],
        [bb.max().x + 0.5, bb.max().y + 0.3],
    );
    let mut s: u64 = 20_250_601;
    let mut next = || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        (s >> 11) as f64 / (1u64 << 53) as f64
    };
    let (mut inside, mut near, mut checked) = (0, 0, 0);
    for _ in 0..100_000 {
        let (x, y) = (lo[0] + next() * (hi[0] - lo[0]), lo[1] + next() * (hi[1] - lo[1]));
        if !border.locate(x, y).in_closed() {
            continue;
        }
        checked += 1;
        let d = line.nearest(x, y).unwrap().km;
        let (in_cov, in_occ) = (cov.locate(x, y).in_closed(), occ.locate(x, y).in_closed());
        if d < 15.0 - 0.05 {
            assert!(in_cov || in_occ, "({x}, {y}) at {d} km is outside the zone");
            // The side: that of the point on the reference date.
            let st = occupied.status(border, x, y).0;
            if st == frontline::model::Status::Occupied && !occupied.status(border, x, y).1 {
                assert!(in_occ, "({x}, {y}) is occupied but not on the occupied side");
            }
            inside += 1;
        } else if d > 15.0 + 0.05 {
            assert!(!in_cov && !in_occ, "({x}, {y}) at {d} km is inside the zone");
        }
        if (d - 15.0).abs() < 1.0 {
            near += 1;
        }
    }
    eprintln!("{checked} points in the border, {inside} inside the zone, {near} within 1 km of its edge");
    assert!(checked > 30_000 && inside > 5_000 && near > 500);
}

#[test]
#[cfg_attr(
    not(shared_deepstate),
    ignore = "needs ../shared/data/deepstate (absent when the tests were built)"
)]
fn the_withdrawal_area_is_the_gained_side_of_the_diff() {
    let cat = catalog();
    // Several date pairs; with the waters in the policy the withdrawal also takes the waters'
    // cells gained (the diff's `in_waters` features, `waters.gained_km2`): the fresh tester found
    // the pieces of the estuaries and the Azov coast the diff showed missing from the layer.
    for (d0, d1) in [
        ("2024-08-01", "2025-06-01"),
        ("2024-07-08", "2025-12-31"),
        ("2025-06-01", "2025-06-02"),
    ] {
        let d = frontline::analytics::diff::diff(
            cat,
            Some("deepstate"),
            frontline::model::parse_date(d0).unwrap(),
            None,
            frontline::model::parse_date(d1).unwrap(),
            0.0,
        )
        .unwrap();
        let land = d.totals.gained_km2 + d.totals.sliver_gained_km2;
        let water = d.totals.waters.as_ref().map_or(0.0, |w| w.gained_km2);
        for waters in [false, true] {
            let c = scenario::compute(
                cat,
                &doc(
                    serde_json::json!({"source": "deepstate", "ceasefire_date": d1, "withdrawal_date": d0,
                    "policy": {"waters": waters}}),
                ),
            )
            .unwrap();
            let gained = if waters { land + water } else { land };
            let w = c.answer.withdrawal.as_ref().unwrap().area_km2;
            eprintln!("{d0} -> {d1} waters {waters}: withdrawal {w} km2, diff gained {gained} km2 (waters {water})");
            assert!((w - gained).abs() <= 1e-9 * gained.max(1.0), "{w} vs {gained}");
            // The layer's geometry is its figure.
            let kind = scenario::ScenarioLayer::parse("withdrawal").unwrap();
            let v: serde_json::Value = serde_json::from_slice(&c.layer_geojson(kind, 15).unwrap()).unwrap();
            let drawn: f64 = v["features"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| {
                    let g: geo::Geometry<f64> = serde_json::from_value::<geojson::Geometry>(f["geometry"].clone())
                        .unwrap()
                        .value
                        .try_into()
                        .unwrap();
                    match g {
                        geo::Geometry::MultiPolygon(mp) => frontline::geodesy::area_km2(&mp),
                        geo::Geometry::Polygon(p) => frontline::geodesy::area_km2(&geo::MultiPolygon(vec![p])),
                        other => panic!("{other:?}"),
                    }
                })
                .sum();
            assert!((drawn - w).abs() <= 1e-6 * w.max(1.0), "layer {drawn} vs {w}");
        }
    }
}

#[test]
#[cfg_attr(
    not(shared_deepstate),
    ignore = "needs ../shared/data/deepstate (absent when the tests were built)"
)]
fn the_same_scenario_gives_the_same_id_and_figures() {
    let cat = catalog();
    let a = scenario::compute(cat, &fifteen_km()).unwrap();
    let b = scenario::compute(cat, &fifteen_km()).unwrap();
    assert_eq!(a.id(), b.id());
    assert_eq!(
        serde_json::to_string(&a.answer).unwrap(),
        serde_json::to_string(&b.answer).unwrap()
    );
    let z = &a.answer.zones[0];
    eprintln!(
        "15 km each side of {:.1} km of line: covered side {:.1} km2, occupied side {:.1} km2",
        a.answer.reference_lines[0].length_km, z.covered_side_km2, z.occupied_side_km2
    );
    // About 30 km times the line's length, less what lies beyond the border and the coast.
    let line_km = a.answer.reference_lines[0].length_km;
    assert!(
        z.area_km2 > 20.0 * line_km && z.area_km2 < 32.0 * line_km,
        "{}",
        z.area_km2
    );
    // Timing (the benchmark is scripts/bench-scenario.sh): median of 5.
    let mut ms: Vec<f64> = (0..5)
        .map(|_| {
            let t = std::time::Instant::now();
            let c = scenario::compute(cat, &fifteen_km()).unwrap();
            assert_eq!(c.id(), a.id());
            t.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    ms.sort_by(f64::total_cmp);
    eprintln!("compute: median {:.1} ms ({:.1}..{:.1})", ms[2], ms[0], ms[4]);
}

/// Issue 11: the partition within 1e-9 for every combination of waters x baselines x exclusions
/// (none, one taking area, one taking nothing, two overlapping) x grey zone on DeepState
/// 2025-06-01 (was off by 3.6e-9, +2,300 m2, with waters + Crimea + an exclusion taking area).
#[test]
#[cfg_attr(
    not(shared_deepstate),
    ignore = "needs ../shared/data/deepstate (absent when the tests were built)"
)]
fn the_partition_holds_for_every_combination_of_waters_baselines_exclusions_and_grey_zone() {
    for line in common::check_partition_combinations(catalog(), "deepstate", "2025-06-01") {
        eprintln!("{line}");
    }
}

/// Issue 11: every layer (area, excluded, zones, withdrawal) of a DeepState scenario with the
/// waters, Crimea excluded by name, a negotiated exclusion, two zones and a withdrawal is valid
/// by geo's `Validation` (OGC rules; parts of a MultiPolygon neither overlapping nor sharing an
/// edge) at every precision 0..=15, as `tests/scenario.rs` checks on synthetic data.
#[test]
#[cfg_attr(
    not(shared_deepstate),
    ignore = "needs ../shared/data/deepstate (absent when the tests were built)"
)]
fn scenario_layers_on_deepstate_are_valid_at_every_precision() {
    use geo::Validation;
    let c = scenario::compute(
        catalog(),
        &doc(serde_json::json!({
            "source": "deepstate", "ceasefire_date": "2025-06-01", "withdrawal_date": "2024-08-01",
            "policy": {"waters": true, "excluded_baselines": ["crimea"], "exclusions": [
                {"name": "a box near Zaporizhzhia", "geometry": {"type": "Polygon",
                    "coordinates": [[[35.0, 47.3], [36.2, 47.3], [36.2, 48.0], [35.0, 48.0], [35.0, 47.3]]]}}]},
            "zones": [{"name": "15 km", "reference": {"date": "2025-06-01"}, "side": "both", "width_km": 15},
                      {"name": "70 km covered", "reference": {"date": "2024-08-01"}, "side": "covered", "width_km": 70}]
        })),
    )
    .unwrap();
    let mut checked = 0;
    for layer in ["area", "excluded", "zones", "withdrawal"] {
        let kind = scenario::ScenarioLayer::parse(layer).unwrap();
        for precision in 0..=15u8 {
            let bytes = c.layer_geojson(kind, precision).unwrap();
            // Issue 11 (fresh tester, 960c27d): with the waters, the excluded layer at 2 and
            // 8..15 decimals dropped whole polygons (144,252 km2 of occupied land and Crimea
            // drawn as ~210 km2) while its features kept their figures. Nothing may be dropped,
            // and at 5 decimals (about 1 m) or more the drawn features measure their figures.
            let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
            let check = &v["frontline"]["output_check"];
            let stated: f64 = v["features"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f["properties"]["area_km2"].as_f64().unwrap())
                .sum();
            let dropped = check["dropped_km2"].as_f64().unwrap();
            if dropped > 0.0 {
                eprintln!("{layer} at {precision} decimals: {check} of {stated} km2");
            }
            let filled = check["filled_km2"].as_f64().unwrap();
            if filled > 0.0 {
                eprintln!("{layer} at {precision} decimals: filled {check}");
            }
            // Session 10's known fault: at 2 decimals the snapped Crimea baseline (27,197 km2)
            // had a hole crossing its exterior that a second snapping did not mend, and the whole
            // polygon was dropped. Such a hole is now filled (its area counted in filled_km2)
            // and the polygon kept. What is still dropped are polygons the grid collapses: under
            // one grid cell (1.1 km x 0.8 km at 2 decimals) at 0-2 decimals, slivers (0.67 m2 at 6
            // decimals, 67 m2 at 5, 1,320 m2 at 4 on 144,462 km2) under 1e-7 of the layer above.
            let allowed = if precision <= 2 {
                let cell_km = 111.32 * 10f64.powi(-i32::from(precision));
                cell_km * cell_km
            } else {
                1e-7 * stated.max(1.0)
            };
            assert!(dropped <= allowed, "{layer} at {precision}: {check} of {stated} km2");
            if precision >= 5 {
                for f in v["features"].as_array().unwrap() {
                    let stated = f["properties"]["area_km2"].as_f64().unwrap();
                    let g: geo::Geometry<f64> = serde_json::from_value::<geojson::Geometry>(f["geometry"].clone())
                        .unwrap()
                        .value
                        .try_into()
                        .unwrap();
                    let drawn = match g {
                        geo::Geometry::MultiPolygon(mp) => frontline::geodesy::area_km2(&mp),
                        geo::Geometry::Polygon(p) => frontline::geodesy::area_km2(&geo::MultiPolygon(vec![p])),
                        other => panic!("{other:?}"),
                    };
                    assert!(
                        (drawn - stated).abs() <= 1e-3 * stated.max(1.0),
                        "{layer} {} at {precision}: drawn {drawn} km2 vs stated {stated}",
                        f["properties"]["name"]
                    );
                }
            }
            let fc: geojson::FeatureCollection = serde_json::from_slice(&bytes).unwrap();
            // At 0-1 decimals (a grid of 111 or 11 km) the narrow withdrawal may round away.
            if precision >= 2 {
                assert!(!fc.features.is_empty(), "{layer} at {precision}: no feature");
            }
            for f in fc.features {
                let g: geo::Geometry<f64> = f.geometry.unwrap().value.try_into().unwrap();
                let mut problems = Vec::new();
                g.visit_validation(Box::new(|p| {
                    problems.push(p.to_string());
                    Ok::<(), ()>(())
                }))
                .ok();
                assert!(
                    problems.is_empty(),
                    "{layer} {:?} at precision {precision}: {} problems, first {:?}",
                    f.properties.as_ref().and_then(|p| p.get("name")),
                    problems.len(),
                    problems.first()
                );
                checked += 1;
            }
        }
    }
    eprintln!("{checked} features valid over 4 layers x 16 precisions");
}

/// Issue 11: the partition as a property on the DeepState archive (with the embedded waters and
/// Crimea baseline): 40 seeded random policies with random exclusions over eight dates from
/// July 2024 to December 2025 (`common::check_partition_random`), and the tester's box 20-45E x 47-55N
/// (was off by 2.0-4.3e-9: the exclusion stuck out of the border by 0.00215 km2).
#[test]
#[cfg_attr(
    not(shared_deepstate),
    ignore = "needs ../shared/data/deepstate (absent when the tests were built)"
)]
fn the_partition_holds_for_seeded_random_exclusions_on_deepstate() {
    let dates = [
        "2024-07-08",
        "2024-09-15",
        "2024-11-20",
        "2025-01-15",
        "2025-03-10",
        "2025-06-01",
        "2025-09-01",
        "2025-12-31",
    ];
    for line in common::check_partition_random(catalog(), "deepstate", &dates, 2025, 40) {
        eprintln!("{line}");
    }
}

/// Issue 11 (fresh tester, 960c27d): a negotiated exclusion whose parts touch (at a corner or a
/// T-junction) across the border, followed by another exclusion, left part of itself in the area
/// of application (+4,950 km2 at worst, 8.3e-3; the T-junction repro 3.4e-3, order-dependent):
/// i_overlay's OGC output gave a hole touching its shell the shell's turn, and the next cut,
/// reading by the nonzero rule, filled it. Both orders now partition within 1e-9 and agree.
#[test]
#[cfg_attr(
    not(shared_deepstate),
    ignore = "needs ../shared/data/deepstate (absent when the tests were built)"
)]
fn touching_parts_of_an_exclusion_stay_excluded_in_any_order() {
    let cat = catalog();
    let b =
        |x0: f64, y0: f64, x1: f64, y1: f64| serde_json::json!([[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]);
    let far = serde_json::json!({"type": "Polygon", "coordinates": b(31.0, 46.5, 32.0, 47.5)});
    let tee = serde_json::json!({"type": "MultiPolygon", "coordinates": [b(24.0, 47.0, 25.0, 48.0),
        [[[24.5, 48.0], [25.0, 48.5], [24.0, 48.5], [24.5, 48.0]]]]});
    let corner = serde_json::json!({"type": "MultiPolygon", "coordinates": [b(24.0, 47.0, 25.0, 48.0), b(25.0, 48.0, 26.0, 48.6)]});
    let east = serde_json::json!({"type": "MultiPolygon", "coordinates": [b(40.0, 48.0, 41.0, 49.0),
        [[[40.0, 48.5], [39.3, 49.0], [39.3, 48.0], [40.0, 48.5]]]]});
    for (name, g) in [
        ("T-junction", tee),
        ("corner", corner),
        ("T across the east border", east),
    ] {
        let mut areas = Vec::new();
        for order in [[&g, &far], [&far, &g]] {
            let exclusions: Vec<serde_json::Value> = order
                .iter()
                .enumerate()
                .map(|(i, geometry)| serde_json::json!({"name": format!("e{i}"), "geometry": geometry}))
                .collect();
            let c = scenario::compute(
                cat,
                &doc(
                    serde_json::json!({"source": "deepstate", "ceasefire_date": "2025-06-01",
                    "policy": {"exclusions": exclusions}}),
                ),
            )
            .unwrap();
            let a = &c.answer;
            let total = a.area_of_application_km2 + a.excluded.iter().filter_map(|e| e.area_km2).sum::<f64>();
            let rel = (total - a.territory_km2).abs() / a.territory_km2;
            eprintln!("{name}: {rel:.2e}");
            assert!(rel < 1e-9, "{name}: {rel:e}");
            areas.push(a.area_of_application_km2);
        }
        assert!((areas[0] - areas[1]).abs() <= 1e-9 * areas[0], "{name}: {areas:?}");
    }
}
