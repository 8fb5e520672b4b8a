//! Build script: tells the tests whether the real archives of `../shared/data` (and the seeded
//! 1M-point workload of `scripts/make-workload.sh`) are beside the checkout, so that the tests
//! that need them are reported by the test runner as *ignored*, with the reason, where they are
//! absent, instead of passing without checking anything (`#[cfg_attr(not(shared_deepstate),
//! ignore = "...")]`). Cargo re-runs it when those paths appear or change.

use std::path::{Path, PathBuf};

fn main() {
    for (cfg, dir) in [
        ("shared_deepstate", "../shared/data/deepstate"),
        ("shared_nzz", "../shared/data/nzz"),
        ("shared_deepstate_raw", "../shared/data/deepstate-raw"),
        ("shared_cases", "../shared/cases/round2"),
    ] {
        println!("cargo::rustc-check-cfg=cfg({cfg})");
        println!("cargo::rerun-if-changed={dir}");
        if Path::new(dir).is_dir() {
            println!("cargo::rustc-cfg={cfg}");
        }
    }
    // The Python venv of `scripts/make-workload.sh` (shapely, pyproj, pyshp, numpy), for the
    // synthetic check of the waters rule in `scripts/geodata/test_waters.py`.
    println!("cargo::rustc-check-cfg=cfg(python_geo)");
    let venv_python = std::env::temp_dir().join("frontline-venv/bin/python");
    println!("cargo::rerun-if-changed={}", venv_python.display());
    if venv_python.is_file() {
        println!("cargo::rustc-cfg=python_geo");
    }
    // The same venv with mapbox-vector-tile (PyPI), the second decoder of the vector tiles
    // (`tests/real_tiles.rs`, `scripts/tiles/decode_tiles.py`).
    println!("cargo::rustc-check-cfg=cfg(python_mvt)");
    let venv_lib = std::env::temp_dir().join("frontline-venv/lib");
    println!("cargo::rerun-if-changed={}", venv_lib.display());
    let has_mvt = std::fs::read_dir(&venv_lib)
        .map(|d| {
            d.flatten().any(|e| {
                let pkg = e.path().join("site-packages/mapbox_vector_tile");
                println!("cargo::rerun-if-changed={}", pkg.display());
                pkg.is_dir()
            })
        })
        .unwrap_or(false);
    if venv_python.is_file() && has_mvt {
        println!("cargo::rustc-cfg=python_mvt");
    }
    // The browser test of the dashboard (tests/dashboard.rs): node on PATH, Debian's Chromium and
    // playwright-core installed by `.ci/run` in target/browser-test (or FRONTLINE_NODE_MODULES).
    println!("cargo::rustc-check-cfg=cfg(browser_test)");
    println!("cargo::rerun-if-env-changed=FRONTLINE_NODE_MODULES");
    println!("cargo::rerun-if-env-changed=CHROMIUM");
    let modules = std::env::var_os("FRONTLINE_NODE_MODULES")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("target/browser-test/node_modules"));
    let playwright = modules.join("playwright-core/package.json");
    let chromium = std::env::var_os("CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    println!("cargo::rerun-if-changed={}", playwright.display());
    println!("cargo::rerun-if-changed={}", chromium.display());
    let node = std::env::var_os("PATH").is_some_and(|p| std::env::split_paths(&p).any(|d| d.join("node").is_file()));
    if node && chromium.is_file() && playwright.is_file() {
        println!("cargo::rustc-cfg=browser_test");
    }
    // GDAL's ogrinfo on PATH (`.ci/run` installs gdal-bin), the second reader of the GeoJSON
    // answers in `tests/provenance.rs` and of the vector tiles in `tests/tiles.rs` and
    // `tests/real_tiles.rs`.
    println!("cargo::rustc-check-cfg=cfg(gdal_ogrinfo)");
    println!("cargo::rerun-if-env-changed=PATH");
    println!("cargo::rerun-if-changed=/usr/bin/ogrinfo");
    if std::env::var_os("PATH").is_some_and(|p| std::env::split_paths(&p).any(|d| d.join("ogrinfo").is_file())) {
        println!("cargo::rustc-cfg=gdal_ogrinfo");
    }
    // bash on PATH, which runs the repository's scripts (`tests/deepstate_geodata_script.rs`).
    println!("cargo::rustc-check-cfg=cfg(bash_on_path)");
    if std::env::var_os("PATH").is_some_and(|p| std::env::split_paths(&p).any(|d| d.join("bash").is_file())) {
        println!("cargo::rustc-cfg=bash_on_path");
    }
    // The workload of `scripts/make-workload.sh` (PEERS_WORK, default $TMPDIR/frontline-bench).
    println!("cargo::rustc-check-cfg=cfg(shared_workload_1m)");
    println!("cargo::rerun-if-env-changed=PEERS_WORK");
    let work = std::env::var_os("PEERS_WORK")
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("frontline-bench"));
    let points = work.join("points_1m.f64");
    println!("cargo::rerun-if-changed={}", points.display());
    if points.is_file() && Path::new("../shared/data/deepstate").is_dir() {
        println!("cargo::rustc-cfg=shared_workload_1m");
    }
}
