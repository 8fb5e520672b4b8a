//! The default geodata compiled into the binary: the Natural Earth border of Ukraine, its waters
//! (territorial sea approximation), the Crimea baseline and the SYNTHETIC example source (the files of the repository's `geodata/`), so
//! that `frontline serve` and `frontline query` work from any folder and after `cargo install`.
//!
//! It is read with the same loader as a directory, from memory: the loader reads every path
//! under the root [`EMBEDDED_ROOT`] from [`FILES`] (`src/geodata/files.rs`), so nothing is
//! written to read it (readers never write). File names in provenance are relative
//! (`borders/UKR.geojson`).
//! `frontline init DIR` writes the same files out as a starting geodata directory.

use super::{Loaded, Report, load_dir};
use std::path::Path;

/// The files, by path relative to the geodata directory.
pub const FILES: &[(&str, &[u8])] = &[
    ("README.md", include_bytes!("../../geodata/README.md")),
    ("frontline.json", include_bytes!("../../geodata/frontline.json")),
    (
        "borders/UKR.geojson",
        include_bytes!("../../geodata/borders/UKR.geojson"),
    ),
    (
        "baselines/crimea.geojson",
        include_bytes!("../../geodata/baselines/crimea.geojson"),
    ),
    ("waters/UKR.geojson", include_bytes!("../../geodata/waters/UKR.geojson")),
    (
        "sources/example/source.json",
        include_bytes!("../../geodata/sources/example/source.json"),
    ),
    (
        "sources/example/2024-01-01.geojson",
        include_bytes!("../../geodata/sources/example/2024-01-01.geojson"),
    ),
    (
        "sources/example/2024-03-01.geojson",
        include_bytes!("../../geodata/sources/example/2024-03-01.geojson"),
    ),
    (
        "sources/example/2024-06-01.geojson",
        include_bytes!("../../geodata/sources/example/2024-06-01.geojson"),
    ),
    (
        "sources/example/2024-09-01.geojson",
        include_bytes!("../../geodata/sources/example/2024-09-01.geojson"),
    ),
];

/// What the root of a catalog loaded from the embedded geodata is called (it has no directory).
pub const EMBEDDED_ROOT: &str = "(embedded geodata)";

/// Whether `root` names the embedded geodata rather than a directory.
pub fn is_embedded(root: &Path) -> bool {
    root == Path::new(EMBEDDED_ROOT)
}

/// Why `frontline init` wrote nothing.
#[derive(Debug, thiserror::Error)]
pub enum InitError {
    /// The directory holds something already: nothing is overwritten.
    #[error("{dir} is not empty; give a new or empty directory")]
    NotEmpty {
        /// The directory.
        dir: String,
    },
    /// The store could not create or write it.
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
}

/// Writes the embedded files into `dir` (created if absent); refuses a `dir` that holds
/// anything already, so that nothing is overwritten. Without `example`, the SYNTHETIC example
/// source and `frontline.json` (which names it the default) are left out: nothing is written
/// and then removed.
///
/// # Errors
/// [`InitError::NotEmpty`], or the store's error when the directory cannot be created or written.
pub fn write_to(dir: &Path, example: bool) -> Result<(), InitError> {
    use crate::store::StoreError;
    let io = |what: &'static str| {
        move |error| StoreError::Io {
            what,
            path: dir.display().to_string(),
            error,
        }
    };
    if dir.exists() {
        let mut entries = std::fs::read_dir(dir).map_err(io("cannot list"))?;
        if entries.next().is_some() {
            return Err(InitError::NotEmpty {
                dir: dir.display().to_string(),
            });
        }
    }
    std::fs::create_dir_all(dir).map_err(io("cannot create"))?;
    // Written as every store file is: under the writer lock, durably.
    let store = crate::store::Store::new(dir);
    let lock = store.lock("init", std::time::Duration::from_secs(1))?;
    let files: Vec<(std::path::PathBuf, Vec<u8>)> = FILES
        .iter()
        .filter(|(rel, _)| example || !(rel.starts_with("sources/") || *rel == "frontline.json"))
        .map(|(rel, bytes)| (dir.join(rel), bytes.to_vec()))
        .collect();
    Ok(lock.write(&files)?)
}

/// Loads and validates the embedded geodata (see the module comment). The root of the result is
/// [`EMBEDDED_ROOT`].
///
/// # Errors
/// The report of every problem (none, unless the binary was built from an invalid `geodata/`).
pub fn load() -> Result<Loaded, Report> {
    load_dir(Path::new(EMBEDDED_ROOT))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_geodata_loads_and_matches_the_repository_files() {
        let l = load().unwrap_or_else(|r| panic!("{r:?}"));
        assert_eq!(l.geodata.sources.len(), 1);
        assert_eq!(l.geodata.default_source.as_deref(), Some("example"));
        assert_eq!(l.geodata.sources[0].snapshots.len(), 4);
        assert_eq!(
            l.geodata.sources[0].snapshots[0].provenance.file,
            "sources/example/2024-01-01.geojson"
        );
        assert!(is_embedded(&l.geodata.root));
        // Every file of geodata/ is embedded (a file added there must be added here too), but
        // the dashboard's basemap, which the dashboard embeds (`src/http/dashboard.rs`) and the
        // loader never reads.
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("geodata");
        let mut on_disk = Vec::new();
        let mut stack = vec![root.clone()];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
                if e.path() == root.join("basemap") {
                    continue;
                } else if e.path().is_dir() {
                    stack.push(e.path());
                } else if let Ok(rel) = e.path().strip_prefix(&root) {
                    on_disk.push(rel.to_string_lossy().into_owned());
                }
            }
        }
        on_disk.sort();
        let mut embedded: Vec<String> = FILES.iter().map(|(p, _)| p.to_string()).collect();
        embedded.sort();
        assert_eq!(on_disk, embedded);
    }

    #[test]
    fn init_refuses_a_directory_that_holds_something() {
        let dir = std::env::temp_dir().join(format!("frontline-init-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        assert!(write_to(&dir, true).is_ok());
        assert!(write_to(&dir, true).unwrap_err().to_string().contains("is not empty"));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn init_without_the_example_writes_only_what_it_keeps() {
        let dir = std::env::temp_dir().join(format!("frontline-init-bare-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        write_to(&dir, false).unwrap();
        assert!(!dir.join("sources").exists() && !dir.join("frontline.json").exists());
        assert!(dir.join("borders/UKR.geojson").is_file());
        // Every file the journal records was written and is still there: nothing was written
        // and then removed outside the store's writer.
        let journal = crate::store::Store::new(&dir).journal();
        assert_eq!(journal.len(), 1);
        let files = &journal[0].files;
        assert!(files.iter().any(|f| f == "borders/UKR.geojson"), "{files:?}");
        for f in files {
            assert!(dir.join(f).is_file(), "{f} is in the journal but not on disk");
            assert!(!f.starts_with("sources/") && f != "frontline.json", "{f}");
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}
