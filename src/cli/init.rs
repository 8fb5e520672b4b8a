//! `frontline init DIR`: writes the geodata embedded in the binary (the Natural Earth border of
//! Ukraine, the Crimea baseline and the SYNTHETIC example source) into a new directory, as a
//! starting geodata directory to import real data into.

use super::Exit;
use super::Failure;
use std::io::Write;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The directory to create (it must not exist, or be empty).
    dir: PathBuf,
    /// Leave the SYNTHETIC example source out (border and baseline only).
    #[arg(long)]
    no_example: bool,
}

pub(crate) fn run(a: Args) -> Result<Exit, Failure> {
    frontline::geodata::embedded::write_to(&a.dir, !a.no_example)?;
    let d = a.dir.display();
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "wrote {d}: borders/UKR.geojson, baselines/crimea.geojson{}",
        if a.no_example {
            ""
        } else {
            ", sources/example/ (SYNTHETIC), frontline.json (default_source: example)"
        }
    )?;
    writeln!(out, "next: import real data, e.g.")?;
    writeln!(
        out,
        "  frontline import deepstate ARCHIVE_DIR --source deepstate --data {d}"
    )?;
    if !a.no_example {
        writeln!(
            out,
            "  (then set \"default_source\" in {d}/frontline.json to the source queries should use)"
        )?;
    }
    writeln!(out, "  frontline serve --data {d}")?;
    Ok(Exit::Ok)
}
