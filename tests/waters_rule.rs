//! The waters rule of `scripts/geodata/make_geodata.py` on a SYNTHETIC two-state coast (issue 10,
//! UNCLOS art. 15): the waters hold the sea within 12 nautical miles of the border's land that is
//! not nearer a neighbour's land, so they end at the median line. The check itself is
//! `scripts/geodata/test_waters.py` (the construction is Python, made at geodata-build time); it
//! runs with the venv that `scripts/make-workload.sh` makes (`$TMPDIR/frontline-venv`), and is
//! reported as ignored, with the reason, where that venv was absent when the tests were built.

#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

#[test]
#[cfg_attr(
    not(python_geo),
    ignore = "needs $TMPDIR/frontline-venv with shapely, pyproj, pyshp and numpy (scripts/make-workload.sh makes it; .ci/run runs that)"
)]
fn waters_end_at_the_median_line_with_a_neighbour() {
    let python = std::env::temp_dir().join("frontline-venv/bin/python");
    let out = std::process::Command::new(python)
        .arg(common::repo().join("scripts/geodata/test_waters.py"))
        .output()
        .expect("run the waters check");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    eprintln!("{stdout}");
    assert!(stdout.contains("as the rule says"), "{stdout}");
}
