//! Reading the files of a geodata directory by path: from the disk, or, under the root
//! [`super::embedded::EMBEDDED_ROOT`], from the files compiled into the binary. The loader reads
//! both through these few functions, so that the embedded geodata is parsed from memory and
//! nothing is written to read it (readers never write). Only the loader's own needs are here:
//! reading a file, whether a path is a file or a directory, and listing a directory.

use super::embedded::{EMBEDDED_ROOT, FILES};
use std::path::{Path, PathBuf};

/// The path relative to the embedded root, when `path` lies under it.
fn embedded(path: &Path) -> Option<&Path> {
    path.strip_prefix(EMBEDDED_ROOT).ok()
}

/// The embedded files under the relative directory `dir`, as (name relative to `dir`, bytes).
fn embedded_under(dir: &Path) -> impl Iterator<Item = (&'static Path, &'static [u8])> + '_ {
    FILES
        .iter()
        .filter_map(move |(name, bytes)| Path::new(*name).strip_prefix(dir).ok().map(|rest| (rest, *bytes)))
        .filter(|(rest, _)| !rest.as_os_str().is_empty())
}

/// The bytes of a file.
pub(crate) fn read(path: &Path) -> std::io::Result<Vec<u8>> {
    match embedded(path) {
        None => std::fs::read(path),
        Some(rel) => FILES
            .iter()
            .find(|(name, _)| Path::new(*name) == rel)
            .map(|(_, bytes)| bytes.to_vec())
            .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::NotFound, "not in the embedded geodata")),
    }
}

/// Whether `path` is a file.
pub(crate) fn is_file(path: &Path) -> bool {
    match embedded(path) {
        None => path.is_file(),
        Some(rel) => FILES.iter().any(|(name, _)| Path::new(*name) == rel),
    }
}

/// Whether `path` is a directory.
pub(crate) fn is_dir(path: &Path) -> bool {
    match embedded(path) {
        None => path.is_dir(),
        Some(rel) => embedded_under(rel).next().is_some(),
    }
}

/// Whether `path` exists.
pub(crate) fn exists(path: &Path) -> bool {
    match embedded(path) {
        None => path.exists(),
        Some(_) => is_file(path) || is_dir(path),
    }
}

/// The entries of a directory (files and directories directly in it), in no order.
pub(crate) fn list(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    match embedded(dir) {
        None => Ok(std::fs::read_dir(dir)?.flatten().map(|e| e.path()).collect()),
        Some(rel) => {
            let mut out: Vec<PathBuf> = embedded_under(rel)
                .filter_map(|(rest, _)| rest.iter().next())
                .map(|first| dir.join(first))
                .collect();
            out.sort();
            out.dedup();
            if out.is_empty() {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    "not in the embedded geodata",
                ));
            }
            Ok(out)
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_tree_reads_like_a_directory() {
        let root = Path::new(EMBEDDED_ROOT);
        assert!(is_dir(root) && is_dir(&root.join("sources")) && is_dir(&root.join("sources/example")));
        assert!(!is_dir(&root.join("regions")) && !exists(&root.join("regions")));
        assert!(is_file(&root.join("borders/UKR.geojson")) && !is_dir(&root.join("borders/UKR.geojson")));
        assert!(!is_file(&root.join("borders")));
        let mut top = list(root).unwrap();
        top.sort();
        let names: Vec<String> = top
            .iter()
            .map(|p| p.strip_prefix(root).unwrap().display().to_string())
            .collect();
        assert_eq!(
            names,
            [
                "README.md",
                "baselines",
                "borders",
                "frontline.json",
                "sources",
                "waters"
            ]
        );
        assert_eq!(list(&root.join("sources")).unwrap(), [root.join("sources/example")]);
        assert_eq!(
            read(&root.join("frontline.json")).unwrap(),
            include_bytes!("../../geodata/frontline.json")
        );
        assert!(read(&root.join("nothing.geojson")).is_err());
        assert!(list(&root.join("regions")).is_err());
    }
}
