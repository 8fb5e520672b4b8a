//! Importing DeepStateMap's own publications (`../shared/data/deepstate-raw`, 779 files; the tests
//! are ignored, with the reason, where it was absent when they were built): every file imports,
//! the report's counts per class and reason, idempotence, nothing outside Ukraine occupied, Crimea
//! and the areas held since 2014 occupied before 2022, the grey zone contested, the state at the
//! end of a Kyiv day is its last publication.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use frontline::catalog::Catalog;
use frontline::coverage::{OverlayRule, overlay};
use frontline::geodata::deepstate_api::{AreaClass, class_area};
use frontline::geodata::load_dir;
use frontline::import::{Format, ImportOptions, import};
use frontline::index::PolygonIndex;
use frontline::model::Status;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

mod common;

fn files_of(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push((p.clone(), std::fs::read(&p).unwrap()));
            }
        }
    }
    out.sort();
    out
}

fn counts(pairs: &[(&str, usize)]) -> BTreeMap<String, usize> {
    pairs.iter().map(|(k, n)| (k.to_string(), *n)).collect()
}

#[test]
#[cfg_attr(
    not(shared_deepstate_raw),
    ignore = "needs ../shared/data/deepstate-raw (absent when the tests were built)"
)]
fn deepstate_publications_import_classified_clipped_and_once() {
    let archive = common::shared_data("deepstate-raw");
    let dir = tempfile::tempdir().unwrap();
    let root = common::copy_embedded_geodata(dir.path(), false);
    let opts = ImportOptions::new("deepstate-api", &root);
    let r = import(Format::DeepstateApi, std::slice::from_ref(&archive), &opts).unwrap();

    // Every file imports: 577 Kyiv days (573 with a snapshot, 4 identical to the day before),
    // 202 publications superseded later their day. Every publication is kept with its instant
    // (the 10 that repeat the one before them too: one arriving later between them must not
    // change what they put in force).
    assert_eq!(r.files, 779);
    assert!(r.rejected.is_empty(), "{:?}", r.rejected);
    assert_eq!((r.added.len(), r.duplicates.len()), (573, 4));
    assert_eq!(r.earlier_publications.len(), 202);
    let kept_apart = r
        .earlier_publications
        .iter()
        .filter(|p| p.outcome == frontline::import::PublicationOutcome::Added)
        .count();
    assert_eq!(kept_apart, 202);
    assert_eq!(r.added.len() + r.duplicates.len() + r.earlier_publications.len(), 779);

    // The report: per class and outcome, which clue decided, repairs, the one unknown area.
    let t = r.classes.as_ref().expect("a tally for DeepState's own format");
    assert_eq!(t.publications, 779);
    let p = &t.polygons;
    assert_eq!(
        p["occupied_since_2022"],
        counts(&[("kept", 6574), ("outside_border", 491)])
    );
    assert_eq!(
        p["occupied_before_2022"],
        counts(&[("kept", 1853), ("outside_border", 854)])
    );
    assert_eq!(p["contested"], counts(&[("kept", 9092), ("outside_border", 290)]));
    assert_eq!(p["liberated"], counts(&[("dropped", 40821)]));
    assert_eq!(p["foreign"], counts(&[("dropped", 5684)]));
    assert_eq!(p["point"], counts(&[("dropped", 134560)]));
    assert_eq!(p["unknown"], counts(&[("dropped", 1)]));
    // 98 polygons not valid alone (rings crossing or touching themselves): united by the
    // nonzero rule, each listed as a repair.
    assert_eq!(
        t.repaired,
        counts(&[
            ("orientation", 1001),
            ("third_coordinate", 19154),
            ("united_invalid", 98)
        ])
    );
    let listed: usize = r
        .added
        .iter()
        .flat_map(|a| &a.repairs)
        .filter(|x| x.contains("nonzero-winding union of its rings"))
        .count();
    assert!(listed > 0, "united polygons listed as repairs");
    // Conflicts between clues, decided by the order of trust and counted: no area named for a
    // foreign place is drawn inside the border (every foreign area stays foreign, counts
    // above); two names mix words ("Начебто звільнено 26.03. ... Треба уточнення", "supposedly
    // liberated ... needs clarification": contested, 2 polygons; "Фактично контролюється
    // ворогом, але немає інформації ...", "in fact controlled by the enemy, but no information
    // ...": contested, 18 polygons, since "controlled by the enemy" is a keyword of occupation);
    // 60 names against their key and 60 against their fill (e.g. "Невідомо точно" drawn in the
    // occupied red: contested).
    use frontline::geodata::deepstate_api::ConflictKind;
    let of = |k: ConflictKind| -> usize { t.conflicts.iter().filter(|c| c.kind == k).map(|c| c.polygons).sum() };
    assert_eq!(of(ConflictKind::ForeignInsideBorder), 0, "{:?}", t.conflicts);
    let mut words: Vec<(&str, usize, Vec<AreaClass>)> = t
        .conflicts
        .iter()
        .filter(|c| c.kind == ConflictKind::NameWords)
        .map(|c| (c.decided.as_str(), c.polygons, c.set_aside.clone()))
        .collect();
    words.sort();
    assert_eq!(
        words,
        [
            ("contested", 2, vec![AreaClass::Liberated]),
            ("contested", 18, vec![AreaClass::OccupiedSince2022])
        ]
    );
    assert_eq!(of(ConflictKind::NameLanguages), 0, "{:?}", t.conflicts);
    // Names that tell no class (issue 13, fresh tester F2): 1,014 polygons, each counted as
    // `name_not_read` and classified by its style key (Зміїний /// Snake Island, 24.03,
    // Дорога Тростянець-Суми 31.03, Багатокутник N: "Polygon N"), one left unknown (Багатокутник
    // 54, an unknown colour). Reading every part in both languages, `//` and numbers written
    // against a word changed no class: the stored files are the same bit for bit; 276 polygons
    // named "Звільнено ... /// Taken back16.04" or "back22.05" are now liberated by their name
    // rather than their key.
    let mut not_read: Vec<(&str, Option<&str>, usize)> = t
        .conflicts
        .iter()
        .filter(|c| c.kind == ConflictKind::NameNotRead)
        .map(|c| (c.decided.as_str(), c.decided_by.map(|b| b.as_str()), c.polygons))
        .collect();
    not_read.sort();
    assert_eq!(
        not_read,
        [
            ("contested", Some("key"), 41),
            ("liberated", Some("key"), 779),
            ("occupied_since_2022", Some("key"), 193),
            ("unknown", None, 1)
        ]
    );
    assert!(
        t.conflicts
            .iter()
            .all(|c| c.kind != ConflictKind::NameNotRead || c.set_aside.is_empty())
    );
    let by = |class: &str, clue: &str| t.decided_by[class].get(clue).copied().unwrap_or(0);
    assert_eq!((by("liberated", "name"), by("liberated", "key")), (40042, 779));
    assert_eq!((by("contested", "name"), by("contested", "key")), (9341, 41));
    assert_eq!(
        (by("occupied_since_2022", "name"), by("occupied_since_2022", "key")),
        (6872, 193)
    );
    assert_eq!(by("occupied_before_2022", "name"), 2707);
    assert_eq!(of(ConflictKind::NameAgainstKey), 60, "{:?}", t.conflicts);
    assert_eq!(of(ConflictKind::NameAgainstFill), 60, "{:?}", t.conflicts);
    assert_eq!(of(ConflictKind::KeyAgainstFill), 0, "{:?}", t.conflicts);
    assert_eq!(t.unknown.len(), 1);
    assert_eq!(t.unknown[0].fill.as_deref(), Some("#fbc02d"), "{:?}", t.unknown);
    assert!(t.unknown[0].file.ends_with("1675810986.geojson.gz"));
    // Foreign areas are told by their names (Transnistria, Abkhazia, ...) or their colour.
    assert!(t.decided_by["foreign"].values().sum::<usize>() == 5684);

    // Again: nothing changes, not a byte.
    let before = files_of(&root.join("sources/deepstate-api"));
    let again = import(Format::DeepstateApi, std::slice::from_ref(&archive), &opts).unwrap();
    assert!(again.added.is_empty() && again.duplicates.is_empty() && again.rejected.is_empty());
    assert_eq!(again.unchanged.len(), 577);
    assert!(
        again
            .earlier_publications
            .iter()
            .all(|p| p.outcome != frontline::import::PublicationOutcome::Added)
    );
    assert_eq!(files_of(&root.join("sources/deepstate-api")), before);

    // Classes on the map.
    let loaded = load_dir(&root).unwrap().geodata;
    let src = loaded.sources.iter().find(|s| s.name == "deepstate-api").unwrap();
    let catalog = Catalog::load(&root).unwrap();
    let (simferopol, donetsk, kherson_2022_10) = ((34.10, 44.95), (37.80, 48.00), (32.62, 46.64));
    for s in &src.snapshots {
        let before_2022 = PolygonIndex::new(&class_area(s, AreaClass::OccupiedBefore2022).0);
        for (x, y) in [simferopol, donetsk] {
            assert!(
                before_2022.locate(x, y).in_closed(),
                "{}: ({x}, {y}) not occupied before 2022",
                s.date
            );
        }
        assert!(s.features.iter().all(|f| f.class.is_some()));
    }
    // Every kept area lies inside the border (clipped, to i_overlay's grid of about 1e-9
    // degrees), so nothing outside Ukraine is occupied or contested.
    for s in src.snapshots.iter().step_by(8) {
        let kept: Vec<_> = s.features.iter().flat_map(|f| f.geometry.0.iter().cloned()).collect();
        let [outside] = overlay(&kept, &loaded.borders[0].geometry.0, [OverlayRule::Difference], false);
        let km2 = frontline::geodesy::area_km2(&outside);
        assert!(km2 < 1e-3, "{}: {km2} km2 outside the border", s.date);
    }
    // Points of the foreign commentary: outside, never occupied.
    let late = frontline::model::parse_date("2023-06-01").unwrap();
    let f = catalog.in_force(Some("deepstate-api"), late).unwrap();
    for (name, x, y) in [
        ("Tiraspol", 29.63, 46.84),
        ("Sukhumi", 41.02, 43.00),
        ("Petrozavodsk", 34.35, 61.78),
        ("Kaliningrad", 20.51, 54.71),
    ] {
        assert_eq!(f.status(x, y).unwrap().status, Status::Outside, "{name}");
    }
    assert_eq!(f.status(simferopol.0, simferopol.1).unwrap().status, Status::Occupied);
    // Kherson: occupied in the summer of 2022, not after the withdrawal of November 2022.
    let on = |d: &str| {
        let f = catalog
            .in_force(Some("deepstate-api"), frontline::model::parse_date(d).unwrap())
            .unwrap();
        f.status(kherson_2022_10.0, kherson_2022_10.1).unwrap().status
    };
    assert_eq!(on("2022-08-01"), Status::Occupied);
    assert_eq!(on("2022-12-01"), Status::Covered);
    // The grey zone is contested: every date from mid-2022 has some, with the class.
    let contested_dates = src
        .snapshots
        .iter()
        .filter(|s| s.features.iter().any(|f| f.class.as_deref() == Some("contested")))
        .count();
    assert!(contested_dates > 500, "{contested_dates}");
    for s in &src.snapshots {
        for f in &s.features {
            let want = if f.class.as_deref() == Some("contested") {
                frontline::model::ControlStatus::Contested
            } else {
                frontline::model::ControlStatus::Occupied
            };
            assert_eq!(f.status, want);
        }
    }
    let c = catalog
        .in_force(Some("deepstate-api"), late)
        .unwrap()
        .computed()
        .layers_of(true);
    assert!(c.contested_km2 > 100.0, "{}", c.contested_km2);
}

/// The publications imported into a new copy of the embedded geodata (its root, kept alive by
/// the temporary directory): all of them, or those published within a day of `near` dates.
fn publications(near: &[&str]) -> (tempfile::TempDir, PathBuf) {
    let archive = common::shared_data("deepstate-raw");
    let dir = tempfile::tempdir().unwrap();
    let root = common::copy_embedded_geodata(dir.path(), false);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&archive)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    files.sort();
    if !near.is_empty() {
        let days: Vec<i64> = near
            .iter()
            .map(|d| {
                frontline::model::parse_date(d)
                    .unwrap()
                    .and_hms_opt(0, 0, 0)
                    .unwrap()
                    .and_utc()
                    .timestamp()
            })
            .collect();
        files.retain(|p| {
            let name = p.file_name().unwrap().to_string_lossy();
            let t: i64 = name.split('.').next().unwrap().parse().unwrap();
            days.iter().any(|d| t > d - 2 * 86_400 && t < d + 86_400)
        });
        assert!(files.len() >= near.len(), "{files:?}");
    }
    import(
        Format::DeepstateApi,
        &files,
        &ImportOptions::new("deepstate-api", &root),
    )
    .unwrap();
    (dir, root)
}

/// Agreement of the publications with NZZ over 2022 (its own test, ignored with the reason
/// where either archive is absent: never a silent pass).
#[test]
#[cfg_attr(
    not(all(shared_deepstate_raw, shared_nzz)),
    ignore = "needs ../shared/data/deepstate-raw and ../shared/data/nzz (absent when the tests were built)"
)]
fn deepstate_publications_agree_with_nzz_over_2022_as_the_readme_says() {
    let (_dir, root) = publications(&["2022-04-04", "2022-08-01", "2022-11-15", "2022-12-31"]);
    // Agreement with NZZ over 2022 (when the NZZ archive is there): agreed + disputed =
    // envelope to 1e-9 relative (measured from the same pieces, which partition it), agreed
    // inside each source's occupied area to 1e-9.
    let nzz = common::shared_data("nzz");
    import(
        Format::Nzz,
        std::slice::from_ref(&nzz),
        &ImportOptions::new("nzz", &root),
    )
    .unwrap();
    let catalog = Catalog::load(&root).unwrap();
    let names = vec!["deepstate-api".to_string(), "nzz".to_string()];
    for d in ["2022-04-04", "2022-08-01", "2022-11-15", "2022-12-31"] {
        let d = frontline::model::parse_date(d).unwrap();
        let ag = frontline::analytics::agreement::agreement(&catalog, Some(&names), d, false).unwrap();
        let t = ag.occupied.totals;
        assert!(
            (t.agreed_km2 + t.disputed_km2 - t.envelope_km2).abs() <= 1e-9 * t.envelope_km2,
            "{d}: {t:?}"
        );
        // The union computed apart: within 1e-8 of the pieces it is made of.
        assert!(
            (t.envelope_geometry_km2 - t.envelope_km2).abs() <= 1e-8 * t.envelope_km2,
            "{d}: {t:?}"
        );
        for f in &ag.sides {
            let layer = catalog
                .in_force(Some(&f.in_force.source.name), d)
                .unwrap()
                .computed()
                .layers_of(false)
                .occupied
                .clone();
            let [outside] = overlay(
                &ag.occupied.agreed.geometry.0,
                &layer.0,
                [OverlayRule::Difference],
                true,
            );
            let km2 = frontline::geodesy::area_km2(&outside);
            eprintln!(
                "{d}: agreed outside {}: {:.3e} relative; pieces vs envelope {:.3e}; envelope geometry {:.3e}",
                f.in_force.source.name,
                km2 / t.agreed_km2,
                (t.agreed_km2 + t.disputed_km2 - t.envelope_km2) / t.envelope_km2,
                (t.envelope_geometry_km2 - t.envelope_km2) / t.envelope_km2
            );
            assert!(
                km2 <= 1e-9 * t.agreed_km2,
                "{d}: {km2} km2 of the agreed area outside {}",
                f.in_force.source.name
            );
        }
    }
}

/// The daily archive and the publications compared on their shared days (ignored with the
/// reason where either archive is absent).
#[test]
#[cfg_attr(
    not(all(shared_deepstate_raw, shared_deepstate)),
    ignore = "needs ../shared/data/deepstate-raw and ../shared/data/deepstate (absent when the tests were built)"
)]
fn deepstate_publications_and_the_daily_archive_agree_on_shared_days() {
    let (_dir, root) = publications(&[]);
    // The daily archive and the publications share no day in the shared data: the check runs
    // and finds none (`tests/publications.rs` exercises it on a shared day).
    let daily = common::shared_data("deepstate");
    import(
        Format::Deepstate,
        std::slice::from_ref(&daily),
        &ImportOptions::new("deepstate", &root),
    )
    .unwrap();
    let catalog = Catalog::load(&root).unwrap();
    let shared = frontline::analytics::agreement::same_days(&catalog, "deepstate", "deepstate-api", false).unwrap();
    assert!(shared.iter().all(|s| s.relative <= 0.005), "{shared:?}");
    eprintln!("daily archive vs publications: {} shared day(s)", shared.len());
}

/// Issue 13: agreement exactly, over many dates and source sets, on both layers: DeepState's
/// publications, NZZ and the daily archive (2024-25 files only), two and three at a time and in
/// both orders, with and without the sliver rule. On each: the envelope's own geometry equals
/// the agreed and disputed pieces it is made of within 1e-9 relative in area, and the agreed area
/// minus each source's layer is under 1e-9 of the agreed area (the tester measured 1.1e-9 to
/// 6.1e-9 before the overlay gave the inputs' vertices back their own coordinates). Ignored,
/// with the reason, where an archive is absent.
#[test]
#[cfg_attr(
    not(all(shared_deepstate_raw, shared_nzz, shared_deepstate)),
    ignore = "needs ../shared/data/deepstate-raw, nzz and deepstate (absent when the tests were built)"
)]
fn agreement_is_exact_over_many_dates_and_source_sets() {
    use frontline::analytics::agreement::agreement;
    let dates = [
        "2022-04-04",
        "2022-05-20",
        "2022-07-01",
        "2022-08-01",
        "2022-09-15",
        "2022-10-10",
        "2022-11-15",
        "2022-12-31",
        "2023-12-31",
    ];
    let (_dir, root) = publications(&dates);
    import(
        Format::Nzz,
        &[common::shared_data("nzz")],
        &ImportOptions::new("nzz", &root),
    )
    .unwrap();
    let daily: Vec<PathBuf> = ["20240708", "20241120", "20250601", "20251231"]
        .iter()
        .map(|d| common::shared_data(&format!("deepstate/deepstatemap_data_{d}.geojson")))
        .collect();
    import(Format::Deepstate, &daily, &ImportOptions::new("deepstate", &root)).unwrap();
    let catalog = Catalog::load(&root).unwrap();
    let sets: [&[&str]; 5] = [
        &["deepstate-api", "nzz"],
        &["nzz", "deepstate-api"],
        &["deepstate-api", "nzz", "deepstate"],
        &["deepstate", "deepstate-api"],
        &["nzz", "deepstate", "deepstate-api"],
    ];
    let when: Vec<&str> = dates
        .iter()
        .copied()
        .chain(["2024-07-08", "2024-11-20", "2025-06-01", "2025-12-31"])
        .collect();
    let (mut worst_envelope, mut worst_inside, mut checked): (f64, f64, usize) = (0.0, 0.0, 0);
    for set in sets {
        let names: Vec<String> = set.iter().map(|s| s.to_string()).collect();
        for d in &when {
            let d = frontline::model::parse_date(d).unwrap();
            if names.iter().any(|n| catalog.in_force(Some(n), d).is_err()) {
                continue;
            }
            for raw in [false, true] {
                let ag = agreement(&catalog, Some(&names), d, raw).unwrap();
                // The grey zone among the sources that draw one (none: no agreement to check).
                let layers =
                    std::iter::once(("occupied", &ag.occupied)).chain(ag.contested.as_ref().map(|c| ("contested", c)));
                for (layer, l) in layers {
                    let t = l.totals;
                    let what = format!("{set:?} {d} raw {raw} {layer}");
                    assert!(
                        (t.agreed_km2 + t.disputed_km2 - t.envelope_km2).abs() <= 1e-12 * t.envelope_km2.max(1.0),
                        "{what}: {t:?}"
                    );
                    if t.envelope_km2 > 0.0 {
                        let rel = (t.envelope_geometry_km2 - t.envelope_km2).abs() / t.envelope_km2;
                        worst_envelope = worst_envelope.max(rel);
                        assert!(rel <= 1e-9, "{what}: envelope geometry off by {rel:e}: {t:?}");
                    }
                    for f in ag.sides.iter().filter(|f| l.sources.contains(&f.in_force.source.name)) {
                        let layers = catalog.in_force(Some(&f.in_force.source.name), d).unwrap();
                        let layers = layers.computed().layers_of(raw);
                        let own = if layer == "occupied" {
                            &layers.occupied
                        } else {
                            &layers.contested
                        };
                        let [outside] = overlay(&l.agreed.geometry.0, &own.0, [OverlayRule::Difference], true);
                        let km2 = frontline::geodesy::area_km2(&outside);
                        if t.agreed_km2 > 0.0 {
                            worst_inside = worst_inside.max(km2 / t.agreed_km2);
                        }
                        assert!(
                            km2 <= 1e-9 * t.agreed_km2,
                            "{what}: {km2} km2 of the agreed area outside {}",
                            f.in_force.source.name
                        );
                    }
                    checked += 1;
                }
            }
        }
    }
    eprintln!(
        "{checked} agreements: envelope geometry within {worst_envelope:.2e}, agreed outside a source at most {worst_inside:.2e} of it"
    );
    assert!(checked >= 80, "{checked}");

    // Issue 13: a scenario policy names the publications' class `occupied_before_2022` (Crimea
    // and the areas held since 2014: about 43,000 km2), and the partition holds with it.
    let doc = serde_json::json!({"source": "deepstate-api", "ceasefire_date": "2022-12-31",
        "policy": {"excluded_baselines": ["occupied_before_2022"]}});
    let c = frontline::scenario::compute(&catalog, &frontline::scenario::from_value(doc).unwrap()).unwrap();
    let a = &c.answer;
    let before = a
        .excluded
        .iter()
        .find(|e| e.name.as_deref() == Some("occupied_before_2022"))
        .unwrap()
        .area_km2
        .unwrap();
    let total = a.area_of_application_km2 + a.excluded.iter().filter_map(|e| e.area_km2).sum::<f64>();
    eprintln!(
        "occupied_before_2022 excluded by name: {before:.1} km2; partition {:.2e}",
        (total - a.territory_km2) / a.territory_km2
    );
    assert!((40_000.0..47_000.0).contains(&before), "{before}");
    assert!((total - a.territory_km2).abs() <= 1e-9 * a.territory_km2);
}

/// Issue 11 (fresh tester, 960c27d): DeepState's own publications, whose occupied, contested
/// and before-2022 classes overlap, with no policy: the partition failed on 22 of 144 dates
/// (2022-04-03 +250.38 km2, 4.2e-4: the union of the occupied layer with the sliver pieces
/// filled an enclave's hole that i_overlay had turned like its shell; 2022-06-01 34 km2 of
/// contested land left in the area). Now area + excluded = territory within 1e-9 on those
/// dates, and the occupied figure is the timeline's.
#[test]
#[cfg_attr(
    not(shared_deepstate_raw),
    ignore = "needs ../shared/data/deepstate-raw (absent when the tests were built)"
)]
fn scenarios_on_the_publications_partition_the_border() {
    let dates = ["2022-04-03", "2022-06-01", "2022-07-09", "2023-03-07", "2023-03-16"];
    let (_dir, root) = publications(&dates);
    let cat = frontline::catalog::Catalog::load(&root).unwrap_or_else(|r| panic!("{r:?}"));
    for date in dates {
        for policy in [
            serde_json::json!({}),
            serde_json::json!({"grey_zone": "included", "waters": true}),
        ] {
            let doc = serde_json::json!({"source": "deepstate-api", "ceasefire_date": date, "policy": policy});
            let c = frontline::scenario::compute(&cat, &frontline::scenario::from_value(doc).unwrap()).unwrap();
            let a = &c.answer;
            let total = a.area_of_application_km2 + a.excluded.iter().filter_map(|e| e.area_km2).sum::<f64>();
            let rel = (total - a.territory_km2).abs() / a.territory_km2;
            eprintln!("{date} {policy}: {rel:.2e}");
            assert!(rel < 1e-9, "{date} {policy}: {total} vs {}: {rel:e}", a.territory_km2);
            if policy.get("waters").is_none() {
                let f = cat
                    .in_force(Some("deepstate-api"), frontline::model::parse_date(date).unwrap())
                    .unwrap();
                let want = f.computed().layers.occupied_km2;
                let got = a.excluded[0].area_km2.unwrap();
                assert!(
                    (got - want).abs() <= 1e-9 * want,
                    "{date}: occupied {got} vs timeline {want}"
                );
            }
        }
    }
}

/// Issue 11 (fresh tester, F2): with the waters and `occupied_before_2022` excluded by name,
/// about 10,280 km2 of Crimea's sea stayed under `occupied`: the cells' anchors, just inland of
/// the border's coast, lie outside the class's polygons (drawn a little inside that coast), in
/// the Crimea baseline the source composes (Natural Earth's coast). The class now takes what
/// the composition adds next to it, and the cells anchored there. Checked against an
/// independent outline, the embedded Crimea baseline: of the cells anchored in it outside the
/// `occupied_since_2022` features, at most 300 km2 is left under `occupied` (the parts of the
/// strip that border since-2022 features more than the class); the partition holds within 1e-9.
#[test]
#[cfg_attr(
    not(shared_deepstate_raw),
    ignore = "needs ../shared/data/deepstate-raw (absent when the tests were built)"
)]
fn a_class_excluded_by_name_keeps_its_sea() {
    use geo::{Contains, InteriorPoint};
    let (_dir, root) = publications(&["2022-12-31"]);
    let catalog = Catalog::load(&root).unwrap_or_else(|r| panic!("{r:?}"));
    let doc = serde_json::json!({"source": "deepstate-api", "ceasefire_date": "2022-12-31",
        "policy": {"waters": true, "excluded_baselines": ["occupied_before_2022"]}});
    let c = frontline::scenario::compute(&catalog, &frontline::scenario::from_value(doc).unwrap()).unwrap();
    let a = &c.answer;
    let total = a.area_of_application_km2 + a.excluded.iter().filter_map(|e| e.area_km2).sum::<f64>();
    let rel = (total - a.territory_km2).abs() / a.territory_km2;
    assert!(rel < 1e-9, "{total} vs {}: {rel:e}", a.territory_km2);

    let base = load_dir(&common::repo().join("geodata")).unwrap().geodata;
    let crimea = geo::MultiPolygon(
        base.baselines
            .iter()
            .find(|b| b.name == "crimea")
            .unwrap()
            .geometry
            .0
            .clone(),
    );
    let waters = base.waters.into_iter().next().unwrap();
    let state = catalog
        .in_force(
            Some("deepstate-api"),
            frontline::model::parse_date("2022-12-31").unwrap(),
        )
        .unwrap();
    let since_2022: Vec<geo::Polygon<f64>> = state
        .snapshot()
        .features
        .iter()
        .filter(|x| x.class.as_deref() == Some("occupied_since_2022"))
        .flat_map(|x| x.geometry.0.iter().cloned())
        .collect();
    let since_2022 = PolygonIndex::new(&since_2022);
    let (mut class_km2, mut occupied_km2, mut other_km2) = (0.0, 0.0, 0.0);
    for cell in &waters.cells {
        if !crimea.contains(&geo::Point::from(cell.anchor))
            || since_2022.locate(cell.anchor.x, cell.anchor.y).in_closed()
        {
            continue;
        }
        let km2 = frontline::geodesy::area_km2(&cell.geometry);
        let p = cell.geometry.interior_point().unwrap();
        let hit = c.point(p.x(), p.y()).unwrap();
        match hit.excluded.as_ref().map(|e| (e.reason.as_str(), e.name.as_deref())) {
            Some(("baseline", Some("occupied_before_2022"))) => class_km2 += km2,
            Some(("occupied", _)) => occupied_km2 += km2,
            _ => other_km2 += km2,
        }
    }
    eprintln!(
        "cells anchored in Crimea: {class_km2:.1} km2 with the class, {occupied_km2:.1} km2 under occupied, {other_km2:.1} km2 elsewhere"
    );
    // Measured: 17,628.3 km2 with the class, 207.2 km2 under occupied (was about 10,280 km2
    // under occupied): cells anchored in parts of the baseline's strip whose boundary with the
    // drawn features is mostly with `occupied_since_2022` ones (at the isthmus), by the rule.
    assert!(class_km2 > 17_000.0, "{class_km2}");
    assert!(
        occupied_km2 < 300.0,
        "{occupied_km2} km2 of Crimea's sea under occupied"
    );
}
