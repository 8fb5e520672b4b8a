//! Importing the real archives in `../shared/data` (skipped, with the reason printed, where it is
//! absent): counts of snapshots kept and duplicates, idempotence, and that the imported store
//! answers as the archives read in place.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use frontline::catalog::Catalog;
use frontline::geodata::{deepstate, load_dir};
use frontline::import::{Format, ImportOptions, import};
use frontline::model::Status;
use std::path::{Path, PathBuf};

mod common;

use common::repo;

/// A copy of the embedded geodata (border, baselines, example source) in `dir`.
fn geodata_copy(dir: &Path) -> PathBuf {
    common::copy_embedded_geodata(dir, false)
}

fn date(s: &str) -> chrono::NaiveDate {
    frontline::model::parse_date(s).unwrap()
}

#[test]
#[cfg_attr(
    not(shared_deepstate),
    ignore = "needs ../shared/data/deepstate (absent when the tests were built)"
)]
fn deepstate_archive_imports_once_and_answers_as_read_in_place() {
    let archive = common::shared_data("deepstate");
    let dir = tempfile::tempdir().unwrap();
    let root = geodata_copy(dir.path());
    let opts = ImportOptions::new("deepstate", &root);
    let r = import(Format::Deepstate, std::slice::from_ref(&archive), &opts).unwrap();
    assert_eq!(r.files, 536);
    assert_eq!(r.added.len(), 469, "distinct consecutive snapshots");
    assert_eq!(r.duplicates.len(), 67, "identical to the day before");
    assert!(r.rejected.is_empty(), "{:?}", r.rejected);
    // Again: nothing changes, not a byte.
    let before: Vec<(PathBuf, Vec<u8>)> = files_of(&root.join("sources/deepstate"));
    let again = import(Format::Deepstate, std::slice::from_ref(&archive), &opts).unwrap();
    assert!(again.added.is_empty() && again.duplicates.is_empty() && again.rejected.is_empty());
    assert_eq!(again.unchanged.len(), 536);
    assert_eq!(files_of(&root.join("sources/deepstate")), before);

    // Every archive date: the imported store has the same content in force.
    let imported = Catalog::load(&root).unwrap();
    let base = load_dir(&repo().join("geodata")).unwrap().geodata;
    let mut in_place = deepstate::archive_geodata(base.borders[0].clone(), &archive, "deepstate").unwrap();
    in_place.waters = base.waters.clone();
    let in_place = Catalog::build(in_place);
    for s in &in_place.sources["deepstate"].snapshots {
        let f = imported.in_force(Some("deepstate"), s.date).unwrap();
        assert_eq!(f.snapshot().content_sha256, s.content_sha256, "{}", s.date);
    }
    // And the same answers on 2025-06-01 for a grid of points.
    let (a, b) = (
        imported.in_force(Some("deepstate"), date("2025-06-01")).unwrap(),
        in_place.in_force(Some("deepstate"), date("2025-06-01")).unwrap(),
    );
    let mut occupied = 0;
    for i in 0..200 {
        for j in 0..100 {
            let (x, y) = (22.0 + i as f64 * 0.09, 44.3 + j as f64 * 0.081);
            let s = a.status(x, y).unwrap();
            assert_eq!(s, b.status(x, y).unwrap(), "({x}, {y})");
            occupied += usize::from(s.status == Status::Occupied);
        }
    }
    assert!(occupied > 1000);
}

#[test]
#[cfg_attr(
    not(shared_nzz),
    ignore = "needs ../shared/data/nzz (absent when the tests were built)"
)]
fn nzz_archive_imports_with_the_crimea_baseline() {
    let archive = common::shared_data("nzz");
    let dir = tempfile::tempdir().unwrap();
    let root = geodata_copy(dir.path());
    let opts = ImportOptions::new("nzz", &root);
    let r = import(Format::Nzz, std::slice::from_ref(&archive), &opts).unwrap();
    assert_eq!(r.files, 311);
    assert_eq!(r.added.len(), 83);
    assert_eq!(r.duplicates.len(), 228);
    assert!(r.rejected.is_empty(), "{:?}", r.rejected);
    // Large day-over-day moves are flagged, not refused (the first days of the invasion, the
    // withdrawal from Kyiv oblast, Kharkiv, Kherson).
    let flagged: Vec<_> = r
        .added
        .iter()
        .filter(|a| a.flags.iter().any(|f| f.contains("changed by")))
        .map(|a| a.date)
        .collect();
    assert!(flagged.contains(&date("2022-04-05")), "{flagged:?}");
    let again = import(Format::Nzz, &[archive], &opts).unwrap();
    assert!(again.added.is_empty() && again.duplicates.is_empty());
    assert_eq!(again.unchanged.len(), 311);

    let cat = Catalog::load(&root).unwrap();
    let f = cat.in_force(Some("nzz"), date("2022-03-29")).unwrap();
    assert_eq!(
        f.status(34.10, 44.95).unwrap().status,
        Status::Occupied,
        "Simferopol, from the baseline"
    );
    assert_eq!(f.baselines().count(), 1);
}

fn files_of(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut v: Vec<(PathBuf, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| (e.path(), std::fs::read(e.path()).unwrap()))
        .collect();
    v.sort();
    v
}
