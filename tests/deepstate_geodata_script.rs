//! `scripts/deepstate-geodata.sh` writes only where a geodata directory belongs (issue 9, fresh
//! tester F3): never into a non-empty folder that is not a geodata directory, never inside the
//! repository's `geodata/` (by any path, symbolic links included), never over files it did not
//! make; it says why and exits 2 before writing anything.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::Command;

mod common;

/// Runs the script with bash on `out` and an archive folder: its exit code and stderr. Only for
/// the test that runs where bash was found at build time (`bash_on_path`): it fails if bash
/// does not run.
fn script(args: &[&Path], archive: &Path) -> (i32, String) {
    let mut cmd = Command::new("bash");
    cmd.arg(common::repo().join("scripts/deepstate-geodata.sh"));
    for a in args {
        cmd.arg(a);
    }
    match cmd.arg(archive).output() {
        Ok(o) => (
            o.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&o.stderr).into_owned(),
        ),
        Err(e) => panic!(
            "bash was on PATH when the tests were built but does not run now ({e}): install it, or \
             rebuild the tests so that this test is reported as ignored"
        ),
    }
}

/// The names under `dir`, recursively, with their bytes.
fn tree(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.push((p.clone(), Vec::new()));
            out.extend(tree(&p));
        } else {
            out.push((p.clone(), std::fs::read(&p).unwrap()));
        }
    }
    out.sort();
    out
}

#[test]
#[cfg_attr(not(bash_on_path), ignore = "needs bash on PATH (the script is a bash script)")]
fn the_script_refuses_folders_it_does_not_own_and_the_repositorys_geodata() {
    let tmp = tempfile::tempdir().unwrap();
    let archive = tmp.path().join("archive");
    std::fs::create_dir(&archive).unwrap();
    let own = common::repo().join("geodata");
    let own_before = tree(&own);

    // A non-empty unrelated folder, and a file: untouched.
    let unrelated = tmp.path().join("unrelated");
    std::fs::create_dir(&unrelated).unwrap();
    std::fs::write(unrelated.join("notes.txt"), "mine").unwrap();
    let (code, err) = script(&[&unrelated], &archive);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("not empty and not a frontline geodata directory (no frontline.json)"),
        "{err}"
    );
    let file = unrelated.join("notes.txt");
    let (code, err) = script(&[&file], &archive);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("exists and is not a directory"), "{err}");
    assert_eq!(tree(&unrelated), [(file.clone(), b"mine".to_vec())]);

    // The repository's geodata/, a new folder inside it, and a path into it by a symbolic link.
    let link = tmp.path().join("link");
    std::os::unix::fs::symlink(&own, &link).unwrap();
    for target in [
        own.clone(),
        own.join("ds"),
        own.join("sources/deepstate"),
        link.join("ds"),
    ] {
        let (code, err) = script(&[&target], &archive);
        assert_eq!(code, 2, "{}: {err}", target.display());
        assert!(err.contains("inside the repository's geodata/"), "{err}");
    }
    assert!(tree(&own) == own_before, "the repository's geodata/ changed");

    // A new folder, an empty one, and a geodata directory made before are written.
    let new = tmp.path().join("new");
    let empty = tmp.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    for target in [&new, &empty, &new] {
        let (code, err) = script(&[target], &archive);
        assert_eq!(code, 0, "{}: {err}", target.display());
        assert!(target.join("frontline.json").is_file() && target.join("sources/deepstate/source.json").is_file());
    }
    let made = tree(&new);
    // Nothing it did not make is overwritten: a source of that name that is not its archive
    // source, or a border with other content.
    std::fs::write(new.join("sources/deepstate/2024-01-01.geojson"), "{}").unwrap();
    let (code, err) = script(&[&new], &archive);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("sources/deepstate exists and is not an archive source"),
        "{err}"
    );
    std::fs::remove_file(new.join("sources/deepstate/2024-01-01.geojson")).unwrap();
    std::fs::write(new.join("borders/UKR.geojson"), "{}").unwrap();
    let (code, err) = script(&[&new], &archive);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("borders/UKR.geojson exists with other content"), "{err}");
    assert_eq!(std::fs::read(new.join("borders/UKR.geojson")).unwrap(), b"{}");
    assert_eq!(made.len(), tree(&new).len());
}
