//! Reading and validating a geodata directory: borders, baselines and dated control snapshots.
//!
//! The canonical format (documented in `geodata/README.md`) is a GeoJSON FeatureCollection with a
//! `frontline` foreign member saying what the file is. A load either returns every file, valid,
//! or a [`Report`] listing every problem; repairs that cannot change an area beyond rounding
//! (ring orientation, closing a ring whose ends differ by under 1e-9 degrees) are applied and
//! reported, never silent.

pub mod canonical;
pub mod deepstate;
pub mod deepstate_api;
pub mod description;
pub mod embedded;
mod files;
mod geometry;
pub mod nzz;
pub mod plain;
pub mod policy;
pub mod publications;
mod report;
pub mod streamed;
pub(crate) mod strict_json;
mod validity;
pub use canonical::{ConfirmedRun, Split, StoredSnapshot, confirmed_run, split_confirmed, stored_snapshot};
/// The loader's validity check, also applied to every polygon an answer draws.
pub use geometry::{check_position_len, read_lonlat};
pub use validity::problems as validity_problems;
pub use validity::problems_up_to as validity_problems_up_to;

pub use report::{
    DirectoryProblem, FeatureProblem, FileProblem, Finding, FindingKind, Layer, MetaProblem, PositionProblem, Report,
    SourceProblem, Turn,
};
pub use validity::{LongEdge, RingRef, ValidityProblem};

use crate::model::{ControlStatus, Provenance};
use crate::store::{SOURCE_CONFIG, SOURCES_DIR, SourceConfig};
use chrono::NaiveDate;
use geo::MultiPolygon;
use rayon::prelude::*;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The recognized territory of one country.
#[derive(Debug, Clone)]
pub struct Border {
    /// ISO 3166-1 alpha-3 code, e.g. `UKR`.
    pub iso3: String,
    /// Country name.
    pub name: String,
    /// The territory, RFC 7946 orientation.
    pub geometry: MultiPolygon<f64>,
    /// Where it came from.
    pub provenance: Provenance,
    /// Whether the data is made up.
    pub synthetic: bool,
    /// The first day the border is recognized (`frontline.valid_from`), where the file says:
    /// the default earliest date of new snapshots (see [`policy`]).
    pub valid_from: Option<NaiveDate>,
}

/// A control layer valid over a date interval, composed with the snapshots of the sources that
/// name it (e.g. Crimea, occupied since 2014-02-27).
#[derive(Debug, Clone)]
pub struct Baseline {
    /// Name, referred to by sources.
    pub name: String,
    /// The status of its whole area.
    pub status: ControlStatus,
    /// First day it applies.
    pub valid_from: NaiveDate,
    /// First day it no longer applies (exclusive), if it ended.
    pub valid_to: Option<NaiveDate>,
    /// Its area.
    pub geometry: MultiPolygon<f64>,
    /// Where it came from.
    pub provenance: Provenance,
    /// Whether the data is made up.
    pub synthetic: bool,
}

impl Baseline {
    /// Whether it applies on `date`.
    pub fn valid_on(&self, date: NaiveDate) -> bool {
        self.valid_from <= date && self.valid_to.is_none_or(|end| date < end)
    }
}

/// An administrative region (admin-1) of a border, to break diffs and timelines down by.
#[derive(Debug, Clone)]
pub struct Region {
    /// Stable identifier (e.g. an ISO 3166-2 code).
    pub id: String,
    /// Name.
    pub name: String,
    /// Its area.
    pub geometry: MultiPolygon<f64>,
}

/// The regions of one border (`regions/<ISO3>.geojson`): non-overlapping.
#[derive(Debug, Clone)]
pub struct Regions {
    /// ISO3 of the border they divide.
    pub border: String,
    /// The regions.
    pub regions: Vec<Region>,
    /// Where they came from.
    pub provenance: Provenance,
    /// Whether the data is made up.
    pub synthetic: bool,
}

/// The waters of one border (`waters/<ISO3>.geojson`): an approximation of its internal waters
/// and territorial sea, divided into cells that each follow a point of the coast.
///
/// A point in a cell takes, on each date, the status of the cell's `anchor`: a point of the
/// border's land just inland of the piece of coast nearest to the cell ("waters follow their
/// coast"). The file is made by `scripts/geodata/make_geodata.py`; it is not a legal delimitation.
#[derive(Debug, Clone)]
pub struct Waters {
    /// ISO3 of the border whose waters these are.
    pub border: String,
    /// The cells: they do not overlap, and none lies on the border's land.
    pub cells: Vec<WaterCell>,
    /// The breadth of the waters from the land, km, as the file states it.
    pub limit_km: Option<f64>,
    /// Where they came from.
    pub provenance: Provenance,
    /// Whether the data is made up.
    pub synthetic: bool,
}

/// One cell of [`Waters`].
#[derive(Debug, Clone)]
pub struct WaterCell {
    /// The point of the border's land whose status the cell takes (lon, lat).
    pub anchor: geo::Coord<f64>,
    /// The cell, RFC 7946 orientation.
    pub geometry: MultiPolygon<f64>,
}

/// One area of a snapshot with its declared status.
#[derive(Debug, Clone)]
pub struct ControlFeature {
    /// `occupied` or `contested`.
    pub status: ControlStatus,
    /// The area, RFC 7946 orientation.
    pub geometry: MultiPolygon<f64>,
    /// A finer class the source gives, where it gives one (`occupied_before_2022`,
    /// `occupied_since_2022`, `contested` for DeepState's own format): kept in the stored file
    /// (`properties.class`) so that policies can name it; the status decides the layers.
    pub class: Option<String>,
    /// The feature's own date (`properties.date`) where the publisher gave one, as admitted by
    /// the policy ([`policy::feature_dates`]): kept in the stored file, so that a date other
    /// than the snapshot's is not lost; the snapshot's date decides when the feature holds.
    pub date: Option<chrono::NaiveDate>,
}

/// The control of one source on one effective date.
#[derive(Debug, Clone)]
pub struct Snapshot {
    /// The source that published it.
    pub source: String,
    /// The date it takes effect.
    pub date: NaiveDate,
    /// Whether the data is made up.
    pub synthetic: bool,
    /// Its areas.
    pub features: Vec<ControlFeature>,
    /// The features as published, where `features` is derived from them and moved their
    /// vertices (NZZ: the union of nochange and gains moves vertices by about 4e-10 degrees).
    /// Points are located against these, so that answers are exact on the published
    /// coordinates; `None`: `features` are as published.
    pub published: Option<Vec<ControlFeature>>,
    /// The instant the source published it (UTC), where known: several publications a day
    /// are told apart by it. Not part of the content hash.
    pub published_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Where it came from.
    pub provenance: Provenance,
    /// SHA-256 of the parsed content (statuses and coordinates after repairs), hex: equal for
    /// snapshots with the same areas even when their files differ in formatting or metadata.
    pub content_sha256: String,
}

impl Snapshot {
    /// Stable identifier: `source:YYYY-MM-DD`.
    pub fn id(&self) -> String {
        format!("{}:{}", self.source, self.date)
    }

    /// The features points are located against: as published (see [`Snapshot::published`]).
    pub fn located_features(&self) -> &[ControlFeature] {
        self.published.as_deref().unwrap_or(&self.features)
    }
}

/// A source of snapshots and how it composes with the border and baselines.
#[derive(Debug, Clone)]
pub struct Source {
    /// Name (the directory name under `sources/`).
    pub name: String,
    /// Free text.
    pub description: Option<String>,
    /// ISO3 of the border the source is measured against.
    pub border: String,
    /// Names of the baselines composed with each snapshot.
    pub baselines: Vec<String>,
    /// The classes of area it draws, as stated (the catalog adds `contested` where a snapshot
    /// has a contested feature).
    pub classes: crate::model::SourceClasses,
    /// The time zone its dates are days of (`time_zone` in `source.json`, default
    /// [`deepstate_api::DEFAULT_TIME_ZONE`], Europe/Kyiv).
    pub time_zone: chrono_tz::Tz,
    /// Snapshots sorted by date, at most one per date.
    pub snapshots: Vec<Snapshot>,
    /// Its other publications (each with its instant, dated by the time zone; see
    /// [`publications::arrange`]), sorted by instant: superseded later their day, or repeating
    /// the state in force before it. What `datetime=` answers between two publications of a day.
    pub publications: Vec<Snapshot>,
    /// Licence, attribution and URL (`source.json`).
    pub terms: crate::model::SourceTerms,
    /// Which of its contents replaced an earlier one (a `.history/<slot>.<ns>.geojson`).
    pub revised: description::Revised,
}

/// Everything read from a geodata directory, validated.
#[derive(Debug, Clone)]
pub struct Geodata {
    /// The directory.
    pub root: PathBuf,
    /// Recognized borders.
    pub borders: Vec<Border>,
    /// Baseline layers.
    pub baselines: Vec<Baseline>,
    /// Region layers, at most one per border.
    pub regions: Vec<Regions>,
    /// Waters, at most one per border.
    pub waters: Vec<Waters>,
    /// Sources sorted by name.
    pub sources: Vec<Source>,
    /// The source used where a query names none.
    pub default_source: Option<String>,
}

/// A successful load: the data and the repairs that were applied.
#[derive(Debug)]
pub struct Loaded {
    /// The data.
    pub geodata: Geodata,
    /// Repairs applied (problems are empty).
    pub report: Report,
}

/// `geodata/frontline.json`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct DirConfig {
    default_source: Option<String>,
}

/// The earliest day any border of the geodata directory at `root` is recognized from
/// (`frontline.valid_from`): no source's snapshot can be admitted before it (the date window's
/// default lower end, [`policy::DateWindowConfig`]). `None` when a border does not state it or
/// none can be read (the window then falls back to its fixed lower end). Reads only `borders/`,
/// so that `sync` can refuse days before it without loading the whole directory.
pub fn earliest_border_valid_from(root: &Path) -> Option<NaiveDate> {
    let mut report = Report::default();
    let shown = |p: &Path| p.display().to_string();
    let files = list_geojson(&root.join("borders"), &shown, &mut report);
    let mut earliest: Option<NaiveDate> = None;
    for p in &files {
        let from = canonical::read_border(p, &shown(p)).0?.valid_from?;
        earliest = Some(earliest.map_or(from, |e| e.min(from)));
    }
    earliest
}

/// Reads and validates a whole geodata directory: all of it, or a report of every problem.
/// Snapshot dates must lie in the default admission window ([`load_dir_within`]).
pub fn load_dir(root: &Path) -> Result<Loaded, Report> {
    load_dir_within(root, &policy::DateWindowConfig::default())
}

/// [`load_dir`] with the admission window `window` (`--not-before`, `--not-after`): a snapshot
/// or publication dated outside it is a problem of its file, as for ingest and import, and the
/// whole load is refused.
pub fn load_dir_within(root: &Path, window: &policy::DateWindowConfig) -> Result<Loaded, Report> {
    let mut report = Report::default();
    let shown = |p: &Path| p.strip_prefix(root).unwrap_or(p).display().to_string();
    if !files::is_dir(root) {
        report.problems.push(Finding {
            file: root.display().to_string(),
            feature: None,
            location: None,
            kind: DirectoryProblem::Missing.into(),
        });
        return Err(report);
    }

    let config: DirConfig = read_json_config(&root.join("frontline.json"), &shown, &mut report).unwrap_or_default();

    let border_files = list_geojson(&root.join("borders"), &shown, &mut report);
    let baseline_files = list_geojson(&root.join("baselines"), &shown, &mut report);
    if border_files.is_empty() {
        report.problems.push(Finding {
            file: shown(&root.join("borders")),
            feature: None,
            location: None,
            kind: DirectoryProblem::NoBorder.into(),
        });
    }

    let borders: Vec<(Option<Border>, Report)> = border_files
        .par_iter()
        .map(|p| canonical::read_border(p, &shown(p)))
        .collect();
    let baselines: Vec<(Option<Baseline>, Report)> = baseline_files
        .par_iter()
        .map(|p| canonical::read_baseline(p, &shown(p)))
        .collect();
    let borders = collect(borders, &mut report);
    let baselines = collect(baselines, &mut report);
    let region_files = if files::exists(&root.join("regions")) {
        list_geojson(&root.join("regions"), &shown, &mut report)
    } else {
        Vec::new()
    };
    let regions: Vec<(Option<Regions>, Report)> = region_files
        .par_iter()
        .map(|p| canonical::read_regions(p, &shown(p)))
        .collect();
    let regions = collect(regions, &mut report);
    for r in &regions {
        if !borders.iter().any(|b| b.iso3 == r.border) {
            report.problems.push(Finding {
                file: shown(&root.join("regions")),
                feature: None,
                location: None,
                kind: DirectoryProblem::OfUnknownBorder {
                    layer: Layer::Regions,
                    border: r.border.clone(),
                }
                .into(),
            });
        }
    }
    check_unique(
        &regions,
        |r| r.border.clone(),
        Layer::Regions,
        &shown,
        root,
        &mut report,
    );

    let waters_files = list_geojson(&root.join("waters"), &shown, &mut report);
    let waters: Vec<(Option<Waters>, Report)> = waters_files
        .par_iter()
        .map(|p| canonical::read_waters(p, &shown(p)))
        .collect();
    let waters = collect(waters, &mut report);
    check_unique(&waters, |w| w.border.clone(), Layer::Waters, &shown, root, &mut report);
    for w in &waters {
        match borders.iter().find(|b| b.iso3 == w.border) {
            Some(b) => check_waters_against_border(w, b, &mut report),
            None => report.problems.push(Finding {
                file: w.provenance.file.clone(),
                feature: None,
                location: None,
                kind: DirectoryProblem::OfUnknownBorder {
                    layer: Layer::Waters,
                    border: w.border.clone(),
                }
                .into(),
            }),
        }
    }

    // Sources: one directory each.
    let mut sources = Vec::new();
    let sources_dir = root.join(SOURCES_DIR);
    let mut source_dirs = Vec::new();
    if files::exists(&sources_dir) {
        match files::list(&sources_dir) {
            Ok(entries) => source_dirs.extend(entries.into_iter().filter(|p| {
                files::is_dir(p)
                    && !p
                        .file_name()
                        .is_some_and(|n| crate::store::is_hidden(&n.to_string_lossy()))
            })),
            Err(e) => report.problems.push(Finding {
                file: shown(&sources_dir),
                feature: None,
                location: None,
                kind: DirectoryProblem::CannotList { error: e.to_string() }.into(),
            }),
        }
    }
    source_dirs.sort();
    for dir in source_dirs {
        if let Some(left) = unfinished_source(&dir) {
            report.warnings.push(Finding {
                file: shown(&dir),
                feature: None,
                location: None,
                kind: SourceProblem::Unfinished {
                    source: dir
                        .file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_default(),
                    left,
                }
                .into(),
            });
            continue;
        }
        if let Some(src) = read_source(&dir, &borders, &baselines, window, &shown, &mut report) {
            sources.push(src);
        }
    }

    // Cross-checks.
    check_unique(&borders, |b| b.iso3.clone(), Layer::Border, &shown, root, &mut report);
    check_unique(
        &baselines,
        |b| b.name.clone(),
        Layer::Baseline,
        &shown,
        root,
        &mut report,
    );
    if let Some(d) = &config.default_source
        && !sources.iter().any(|s: &Source| &s.name == d)
    {
        report.problems.push(Finding {
            file: shown(&root.join("frontline.json")),
            feature: None,
            location: None,
            kind: DirectoryProblem::UnknownDefaultSource(d.clone()).into(),
        });
    }

    if config.default_source.is_none() && sources.len() > 1 {
        report.problems.push(Finding {
            file: shown(&root.join("frontline.json")),
            feature: None,
            location: None,
            kind: DirectoryProblem::NoDefaultSource {
                sources: sources.iter().map(|s| s.name.clone()).collect(),
            }
            .into(),
        });
    }
    if !report.is_ok() {
        return Err(report);
    }
    let default_source = config
        .default_source
        .or_else(|| (sources.len() == 1).then(|| sources[0].name.clone()));
    Ok(Loaded {
        geodata: Geodata {
            root: root.to_path_buf(),
            borders,
            baselines,
            regions,
            waters,
            sources,
            default_source,
        },
        report,
    })
}

/// How far (degrees, about 0.1 mm) a vertex of the waters may lie inside the land: where a
/// line between two cells meets the coast, the meeting point is rounded to the nearest double.
const WATERS_ON_COAST_DEG: f64 = 1e-9;

/// Waters must lie off the border's land and follow anchors on it: every anchor strictly
/// inside the border, no vertex of a cell inside it farther than [`WATERS_ON_COAST_DEG`] from
/// its boundary (vertices on the coast are on its boundary, to rounding).
fn check_waters_against_border(w: &Waters, b: &Border, report: &mut Report) {
    use crate::index::{Location, PolygonIndex};
    let land = PolygonIndex::new(&b.geometry.0);
    let coast: rstar::RTree<rstar::primitives::Line<[f64; 2]>> = rstar::RTree::bulk_load(
        b.geometry
            .0
            .iter()
            .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
            .flat_map(|r| {
                r.0.windows(2)
                    .map(|w| rstar::primitives::Line::new([w[0].x, w[0].y], [w[1].x, w[1].y]))
            })
            .collect(),
    );
    // Planar distance to the nearest edge, degrees: only a tolerance, not a measure.
    let off_coast = |p: geo::Coord<f64>| {
        let t = WATERS_ON_COAST_DEG;
        let near = rstar::AABB::from_corners([p.x - t, p.y - t], [p.x + t, p.y + t]);
        !coast
            .locate_in_envelope_intersecting(&near)
            .any(|l| rstar::PointDistance::distance_2(l, &[p.x, p.y]) <= t * t)
    };
    for (i, cell) in w.cells.iter().enumerate() {
        let mut problem = |kind: DirectoryProblem| {
            report.problems.push(Finding {
                file: w.provenance.file.clone(),
                feature: Some(i),
                location: None,
                kind: kind.into(),
            })
        };
        let a = cell.anchor;
        if land.locate(a.x, a.y) != Location::Inside {
            problem(DirectoryProblem::AnchorOffLand {
                anchor: [a.x, a.y],
                border: b.iso3.clone(),
            });
        }
        if let Some(c) = geo::CoordsIter::coords_iter(&cell.geometry)
            .find(|c| land.locate(c.x, c.y) == Location::Inside && off_coast(*c))
        {
            problem(DirectoryProblem::CellVertexOnLand {
                vertex: [c.x, c.y],
                border: b.iso3.clone(),
            });
        }
    }
}

fn collect<T>(items: Vec<(Option<T>, Report)>, report: &mut Report) -> Vec<T> {
    let mut out = Vec::new();
    for (item, r) in items {
        report.merge(r);
        out.extend(item);
    }
    out
}

fn check_unique<T>(
    items: &[T],
    key: impl Fn(&T) -> String,
    layer: Layer,
    shown: &(dyn Fn(&Path) -> String + Sync),
    root: &Path,
    report: &mut Report,
) {
    let mut seen = BTreeMap::new();
    for it in items {
        *seen.entry(key(it)).or_insert(0) += 1;
    }
    for (k, n) in seen {
        if n > 1 {
            report.problems.push(Finding {
                file: shown(root),
                feature: None,
                location: None,
                kind: DirectoryProblem::NotUnique {
                    layer,
                    name: k,
                    files: n,
                }
                .into(),
            });
        }
    }
}

/// What a source folder holds when it has no `source.json` and nothing but hidden entries
/// (temporary files, an empty `.history/`): a folder a writer that died left unfinished, not a
/// source. `None` for anything else.
fn unfinished_source(dir: &Path) -> Option<Vec<String>> {
    if files::exists(&dir.join(SOURCE_CONFIG)) {
        return None;
    }
    let mut left = Vec::new();
    for p in files::list(dir).ok()? {
        let name = p.file_name()?.to_string_lossy().into_owned();
        if !crate::store::is_hidden(&name) {
            return None;
        }
        left.push(name);
    }
    left.sort();
    Some(left)
}

fn read_source(
    dir: &Path,
    borders: &[Border],
    baselines: &[Baseline],
    window: &policy::DateWindowConfig,
    shown: &(dyn Fn(&Path) -> String + Sync),
    report: &mut Report,
) -> Option<Source> {
    let name = dir.file_name()?.to_string_lossy().to_string();
    let problem = |report: &mut Report, file: String, kind: SourceProblem| {
        report.problems.push(Finding {
            file,
            feature: None,
            location: None,
            kind: kind.into(),
        });
    };
    if crate::store::check_name("source", &name).is_err() {
        problem(report, shown(dir), SourceProblem::BadName(name));
        return None;
    }
    let config_path = dir.join(SOURCE_CONFIG);
    let config: SourceConfig = read_json_config(&config_path, shown, report).unwrap_or_default();

    let border = match (&config.border, borders) {
        (Some(b), _) => b.clone(),
        (None, [only]) => only.iso3.clone(),
        (None, _) => {
            problem(report, shown(&config_path), SourceProblem::BorderNotNamed);
            String::new()
        }
    };
    if !border.is_empty() && !borders.iter().any(|b| b.iso3 == border) {
        problem(
            report,
            shown(&config_path),
            SourceProblem::UnknownBorder(border.clone()),
        );
    }
    for b in &config.baselines {
        if !baselines.iter().any(|x| &x.name == b) {
            problem(report, shown(&config_path), SourceProblem::UnknownBaseline(b.clone()));
        }
    }

    let snapshots: Vec<(Option<Snapshot>, Report)> = match &config.archive {
        None => list_geojson(dir, shown, report)
            .par_iter()
            .map(|p| canonical::read_snapshot(p, &shown(p), &name))
            .collect(),
        Some(arch) => {
            type Reader = fn(&Path, &str, &str) -> (Option<Snapshot>, Report);
            type Lister = fn(&Path) -> std::io::Result<Vec<PathBuf>>;
            let (list, read, pattern): (Lister, Reader, &str) = match arch.format.as_str() {
                "deepstate" => (
                    deepstate::list_archive,
                    deepstate::read_snapshot,
                    "deepstatemap_data_YYYYMMDD.geojson",
                ),
                "nzz" => (nzz::list_archive, nzz::read_snapshot, "YYYY-MM-DD.json"),
                other => {
                    problem(
                        report,
                        shown(&config_path),
                        SourceProblem::UnknownArchiveFormat(other.to_string()),
                    );
                    return None;
                }
            };
            let adir = if arch.dir.is_absolute() {
                arch.dir.clone()
            } else {
                dir.join(&arch.dir)
            };
            match list(&adir) {
                Ok(files) if !files.is_empty() => files
                    .par_iter()
                    // Named by the source, never by the server's absolute path (answers show it).
                    .map(|p| {
                        let inside = p.strip_prefix(&adir).unwrap_or(p);
                        read(p, &format!("archive:{name}/{}", inside.display()), &name)
                    })
                    .collect(),
                Ok(_) => {
                    problem(
                        report,
                        format!("archive:{name}"),
                        SourceProblem::EmptyArchive { pattern },
                    );
                    Vec::new()
                }
                Err(e) => {
                    problem(
                        report,
                        format!("archive:{name}"),
                        SourceProblem::CannotListArchive {
                            config: shown(&config_path),
                            error: e.to_string(),
                        },
                    );
                    Vec::new()
                }
            }
        }
    };
    let files_found = snapshots.len();
    let snapshots = collect(snapshots, report);
    let published = read_publications(dir, &name, shown, report);
    // A source described (`source.json`, e.g. by `PUT /v1/sources/{name}`) but without a
    // snapshot yet is declared, not broken: its first ingest makes it a source.
    let declared = config_path.is_file() && config.archive.is_none();
    if files_found == 0 && published.is_empty() && !declared {
        problem(
            report,
            shown(dir),
            SourceProblem::NoSnapshotFile { source: name.clone() },
        );
    }
    // The time zone is checked below, with its own problem.
    let untimed = SourceConfig {
        time_zone: None,
        ..config.clone()
    };
    if let Err(e) = description::check_terms(&untimed, false) {
        problem(
            report,
            shown(&config_path),
            SourceProblem::BadDescription {
                field: e.field,
                why: e.why,
            },
        );
    }
    use crate::model::SourceClasses;
    let classes = match (config.classes, &config.archive) {
        (Some(list), _) => SourceClasses::new(list, "source.json"),
        (None, Some(a)) if a.format == "deepstate" => SourceClasses::deepstate_archive(),
        (None, Some(a)) if a.format == "nzz" => SourceClasses::nzz_archive(),
        (None, _) => SourceClasses::canonical_unstated(),
    };
    let time_zone = match config.time_zone.as_deref().map(str::parse::<chrono_tz::Tz>) {
        None => deepstate_api::DEFAULT_TIME_ZONE,
        Some(Ok(tz)) => tz,
        Some(Err(_)) => {
            problem(
                report,
                shown(&config_path),
                SourceProblem::UnknownTimeZone(config.time_zone.clone().unwrap_or_default()),
            );
            deepstate_api::DEFAULT_TIME_ZONE
        }
    };
    // Every publication counts for the day of its instant in the time zone in force now (a
    // changed zone re-dates them), whether its file is dated or under publications/; the last
    // of each day is the day's snapshot (`publications::arrange`).
    let (untimed, mut timed): (Vec<Snapshot>, Vec<Snapshot>) =
        snapshots.into_iter().partition(|s| s.published_at.is_none());
    timed.extend(published);
    for s in &mut timed {
        if let Some(t) = s.published_at {
            s.date = publications::day_of(t, time_zone);
        }
    }
    timed.sort_by(|a, b| {
        a.published_at
            .cmp(&b.published_at)
            .then(a.content_sha256.cmp(&b.content_sha256))
    });
    // One publication in two files (the same instant and content) counts once; two contents of
    // one instant are two publications of that instant, in the order of their contents
    // (`publications`: the tie rule).
    let mut distinct: Vec<Snapshot> = Vec::with_capacity(timed.len());
    for s in timed {
        match distinct.last() {
            Some(p) if p.published_at == s.published_at && p.content_sha256 == s.content_sha256 => {}
            _ => distinct.push(s),
        }
    }
    let (snapshots, publications) = publications::arrange(untimed, distinct);
    // The admission window of ingest and import, on the dates as dated above: a file put into
    // the folder by hand is held to the same rule.
    let valid_from = borders.iter().find(|b| b.iso3 == border).and_then(|b| b.valid_from);
    let admitted = window.window_from(valid_from, policy::today_utc());
    for s in snapshots.iter().chain(&publications) {
        if let Err(reason) = admitted.check(s.date) {
            problem(
                report,
                s.provenance.file.clone(),
                SourceProblem::DateOutsideWindow { reason },
            );
        }
        // A feature's own date is held to the same window, as ingest holds it.
        for (i, f) in s.features.iter().enumerate() {
            if let Some(Err(reason)) = f.date.map(|d| admitted.check(d)) {
                report.problems.push(Finding {
                    file: s.provenance.file.clone(),
                    feature: Some(i),
                    location: None,
                    kind: FeatureProblem::DateOutsideWindow { reason }.into(),
                });
            }
        }
    }
    for w in snapshots.windows(2) {
        if w[0].date == w[1].date {
            problem(
                report,
                w[1].provenance.file.clone(),
                SourceProblem::TwoSnapshotsOneDate {
                    source: name.clone(),
                    date: w[1].date,
                    other: w[0].provenance.file.clone(),
                },
            );
        }
    }
    let terms = crate::model::SourceTerms {
        licence: config.licence,
        attribution: config.attribution,
        url: config.url,
    };
    let revised = description::Revised::read(&dir.join(crate::store::HISTORY_DIR));
    Some(Source {
        name,
        description: config.description,
        border,
        baselines: config.baselines,
        classes,
        time_zone,
        snapshots,
        publications,
        terms,
        revised,
    })
}

/// The publications of a source (`sources/<name>/publications/*.geojson`, canonical, each with
/// its `published_at`), sorted by instant.
fn read_publications(
    dir: &Path,
    name: &str,
    shown: &(dyn Fn(&Path) -> String + Sync),
    report: &mut Report,
) -> Vec<Snapshot> {
    let pdir = dir.join(crate::store::PUBLICATIONS_DIR);
    let files = list_geojson(&pdir, shown, report);
    let read: Vec<(Option<Snapshot>, Report)> = files
        .par_iter()
        .map(|p| canonical::read_snapshot(p, &shown(p), name))
        .collect();
    let mut out = collect(read, report);
    for s in &out {
        if s.published_at.is_none() {
            report.problems.push(Finding {
                file: s.provenance.file.clone(),
                feature: None,
                location: None,
                kind: FindingKind::Meta(report::MetaProblem::PublishedAtMissing),
            });
        }
    }
    out.sort_by_key(|s| s.published_at);
    out
}

fn read_json_config<T: for<'de> Deserialize<'de>>(
    path: &Path,
    shown: &(dyn Fn(&Path) -> String + Sync),
    report: &mut Report,
) -> Option<T> {
    if !files::exists(path) {
        return None;
    }
    let res = files::read(path)
        .map_err(|e| FileProblem::ConfigUnreadable { error: e.to_string() })
        .and_then(|b| serde_json::from_slice::<T>(&b).map_err(|e| FileProblem::ConfigInvalid { error: e.to_string() }));
    match res {
        Ok(c) => Some(c),
        Err(kind) => {
            report.problems.push(Finding {
                file: shown(path),
                feature: None,
                location: None,
                kind: kind.into(),
            });
            None
        }
    }
}

/// `*.geojson` files directly in `dir`, sorted; an absent directory has none.
fn list_geojson(dir: &Path, shown: &(dyn Fn(&Path) -> String + Sync), report: &mut Report) -> Vec<PathBuf> {
    if !files::exists(dir) {
        return Vec::new();
    }
    let mut out = Vec::new();
    match files::list(dir) {
        Ok(entries) => out.extend(
            entries
                .into_iter()
                .filter(|p| files::is_file(p) && p.extension().is_some_and(|x| x == "geojson"))
                .filter(|p| {
                    !p.file_name()
                        .is_some_and(|n| crate::store::is_hidden(&n.to_string_lossy()))
                }),
        ),
        Err(e) => report.problems.push(Finding {
            file: shown(dir),
            feature: None,
            location: None,
            kind: DirectoryProblem::CannotList { error: e.to_string() }.into(),
        }),
    }
    out.sort();
    out
}

/// Bytes of a file with their SHA-256, or a finding saying why they cannot be read.
pub(crate) fn read_bytes(path: &Path, shown: &str, report: &mut Report) -> Option<(Vec<u8>, String)> {
    let fail = |report: &mut Report, kind: FileProblem| {
        report.problems.push(Finding {
            file: shown.to_string(),
            feature: None,
            location: None,
            kind: kind.into(),
        });
    };
    let raw = match files::read(path) {
        Ok(b) => b,
        Err(e) => {
            fail(report, FileProblem::Unreadable { error: e.to_string() });
            return None;
        }
    };
    // The provenance hash is of the file as published (compressed or not).
    let sha = hex::encode(Sha256::digest(&raw));
    // Gzip by its content (JSON never starts with 0x1f), whatever the name says.
    if is_gzip(&raw) {
        use std::io::Read;
        let mut out = Vec::new();
        let limit = MAX_INFLATED_BYTES;
        match flate2::read::MultiGzDecoder::new(&raw[..])
            .take(limit + 1)
            .read_to_end(&mut out)
        {
            Ok(_) if out.len() as u64 > limit => {
                fail(report, FileProblem::GzipTooLarge { limit });
                return None;
            }
            Ok(_) => return Some((out, sha)),
            Err(e) => {
                fail(report, FileProblem::GzipInvalid { error: e.to_string() });
                return None;
            }
        }
    }
    Some((raw, sha))
}

/// Largest inflated size of a gzipped input file (a guard against decompression bombs).
pub const MAX_INFLATED_BYTES: u64 = 1 << 30;

/// A file name in ASCII lowercase without a trailing `.gz`: readers accept gzipped files under
/// the same names, and names (digits, fixed prefixes, extensions) are compared without regard
/// to case (`1649581805.GEOJSON.GZ` is a publication's name).
pub(crate) fn name_without_gz(path: &Path) -> Option<String> {
    let name = path.file_name()?.to_str()?.to_ascii_lowercase();
    Some(match name.strip_suffix(".gz") {
        Some(n) => n.to_string(),
        None => name,
    })
}

/// Whether bytes are gzip data (its magic number, `1f 8b`): recognised by content, whatever the
/// file's name.
pub(crate) fn is_gzip(bytes: &[u8]) -> bool {
    bytes.starts_with(&[0x1f, 0x8b])
}

/// Parses JSON, or records where it is malformed.
pub(crate) fn parse_json(bytes: &[u8], shown: &str, report: &mut Report) -> Option<serde_json::Value> {
    match strict_json::from_slice(bytes) {
        Ok(v) => Some(v),
        Err(e) => {
            report.problems.push(Finding {
                file: shown.to_string(),
                feature: None,
                location: Some(format!("line {}, column {}", e.line(), e.column())),
                kind: FileProblem::InvalidJson { error: e.to_string() }.into(),
            });
            None
        }
    }
}

/// SHA-256 over the statuses and coordinate bits of a snapshot's features.
pub(crate) fn content_sha256(features: &[ControlFeature]) -> String {
    let mut h = Sha256::new();
    for f in features {
        h.update(f.status.as_str().as_bytes());
        // Only where a class is given, so that the hashes of classless snapshots stay as they were.
        if let Some(c) = &f.class {
            h.update(b"C");
            h.update(c.as_bytes());
        }
        // A feature's own date too, only where given (stored in the file with the feature).
        if let Some(d) = &f.date {
            h.update(b"D");
            h.update(d.to_string().as_bytes());
        }
        for p in &f.geometry.0 {
            h.update(b"P");
            for ring in std::iter::once(p.exterior()).chain(p.interiors()) {
                h.update(b"R");
                for c in &ring.0 {
                    h.update(c.x.to_le_bytes());
                    h.update(c.y.to_le_bytes());
                }
            }
        }
    }
    hex::encode(h.finalize())
}

/// Reads a GeoJSON `Polygon` or `MultiPolygon` geometry object given outside the geodata
/// directory (a negotiated exclusion of a scenario) into a valid multipolygon with RFC 7946
/// orientation; every problem found otherwise, as typed findings whose `file` is `what`.
///
/// # Errors
/// The findings (positions, rings, validity) that refuse the geometry.
pub fn read_polygonal(geometry: &serde_json::Value, what: &str) -> Result<MultiPolygon<f64>, Vec<Finding>> {
    let mut report = Report::default();
    let read = {
        let mut scope = report::Scope {
            file: what,
            feature: None,
            report: &mut report,
        };
        geometry::read_areal(geometry, &mut scope)
    };
    match read {
        Some(mp) if report.problems.is_empty() => Ok(mp),
        _ => Err(report.problems),
    }
}
