//! Helpers shared by the integration tests.

#![allow(clippy::expect_used, clippy::unwrap_used, dead_code)]

use std::path::{Path, PathBuf};

/// The repository root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A writable copy of the embedded geodata (border, baselines, waters, example source) as `dir/geodata`;
/// with `regions`, the SYNTHETIC test regions (`tests/fixtures/regions`) added.
pub fn copy_embedded_geodata(dir: &Path, regions: bool) -> PathBuf {
    let root = dir.join("geodata");
    let copy = |from: &Path, to: &Path| {
        std::fs::create_dir_all(to).unwrap();
        for e in std::fs::read_dir(from).unwrap().flatten() {
            if e.path().is_file() {
                std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
            }
        }
    };
    for sub in ["", "borders", "baselines", "waters", "sources/example"] {
        copy(&repo().join("geodata").join(sub), &root.join(sub));
    }
    if regions {
        copy(&repo().join("tests/fixtures/regions"), &root.join("regions"));
    }
    root
}
