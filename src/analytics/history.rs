//! Point histories: for one point, the intervals of its status across every epoch of a source,
//! merged where the status does not change.
//!
//! Re-testing a point against every snapshot costs one point location per epoch; the change index
//! ([`crate::index::history`]) says in which epochs a point's status may change, and a history
//! evaluates the first epoch and then only those, exactly, with the ordinary point index.

use crate::catalog::{CatalogError, SourceEntry};
use crate::index::Location;
pub use crate::index::history::HistoryIndex;
use crate::model::{LonLat, Status};
use chrono::NaiveDate;
use rayon::prelude::*;

/// One interval of a point's history: `status` from `from` through `to` (inclusive; `None`
/// while it is still the status in the latest epoch).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Interval {
    /// First day.
    pub from: NaiveDate,
    /// Last day, or `None` for an interval still in force.
    pub to: Option<NaiveDate>,
    /// The status throughout.
    pub status: Status,
    /// Index of the first epoch of the interval in the source.
    pub first_epoch: usize,
    /// Index of the last epoch of the interval in the source.
    pub last_epoch: usize,
}

/// Status of a point in one epoch of a source.
fn status_at(src: &SourceEntry, k: usize, x: f64, y: f64) -> Status {
    status_at_of(src, k, x, y, false)
}

/// [`status_at`], or in the raw composition (`raw`: no sliver rule, no waters).
fn status_at_of(src: &SourceEntry, k: usize, x: f64, y: f64, raw: bool) -> Status {
    src.epochs[k]
        .state
        .computed()
        .status_with_waters_of(&src.border, x, y, raw)
        .status
}

/// Merges per-epoch samples (epoch, status), in epoch order, the first at epoch 0, into
/// intervals; epochs between samples keep the status of the sample before them.
fn intervals(src: &SourceEntry, samples: impl IntoIterator<Item = (usize, Status)>) -> Vec<Interval> {
    let last = src.epochs.len().saturating_sub(1);
    let mut out: Vec<Interval> = Vec::new();
    let mut cur: Option<(usize, Status)> = None;
    let close = |start: usize, status: Status, end: usize| Interval {
        from: src.epochs[start].from,
        to: (end < last).then(|| src.epochs[end + 1].from.pred_opt().unwrap_or(src.epochs[end + 1].from)),
        status,
        first_epoch: start,
        last_epoch: end,
    };
    for (k, s) in samples {
        match cur {
            Some((_, c)) if c == s => {}
            Some((start, c)) => {
                out.push(close(start, c, k - 1));
                cur = Some((k, s));
            }
            None => cur = Some((k, s)),
        }
    }
    if let Some((start, c)) = cur {
        out.push(close(start, c, last));
    }
    out
}

/// The history of (lon, lat) across every epoch of `src`, read from its change index.
pub fn history(src: &SourceEntry, lon: f64, lat: f64) -> Result<Vec<Interval>, CatalogError> {
    crate::model::LonLat::new(lon, lat)?;
    let mut scratch = Vec::new();
    Ok(history_with(src, src.history_index(), lon, lat, &mut scratch))
}

/// [`history`] of a position already checked (`at`), or in the raw composition (`raw`: the
/// source's drawing clipped to the land, without the sliver rule and the waters, as every raw
/// answer). The raw history tests every epoch (one point location each): the change index is
/// built on the composed rings, sliver pieces included, and is not relied on for the raw
/// statuses.
pub fn history_of(src: &SourceEntry, at: LonLat, raw: bool) -> Vec<Interval> {
    let (lon, lat) = (at.lon(), at.lat());
    if raw {
        raw_history(src, lon, lat)
    } else {
        history_with(src, src.history_index(), lon, lat, &mut Vec::new())
    }
}

/// The raw history of a point: its raw status in every epoch.
fn raw_history(src: &SourceEntry, x: f64, y: f64) -> Vec<Interval> {
    intervals(
        src,
        (0..src.epochs.len()).map(|k| (k, status_at_of(src, k, x, y, true))),
    )
}

/// [`history`] with the index and a scratch buffer supplied (the batch form reuses them).
pub fn history_with(src: &SourceEntry, index: &HistoryIndex, x: f64, y: f64, scratch: &mut Vec<u32>) -> Vec<Interval> {
    if src.epochs.is_empty() {
        return Vec::new();
    }
    if src.border.index.locate(x, y) == Location::Outside {
        // In the waters, a point follows its cell's anchor, a point of the land: its history is
        // the anchor's. On an edge between cells (where the status order picks among them on
        // each date) every epoch is tested.
        let cells = src.border.waters.as_ref().map(|w| (w, w.cells_at(x, y)));
        return match cells {
            Some((w, cells)) if cells.len() == 1 => {
                let a = w.waters.cells[cells[0]].anchor;
                history_with(src, index, a.x, a.y, scratch)
            }
            Some((_, cells)) if cells.len() > 1 => history_brute_force(src, x, y),
            _ => intervals(src, [(0, Status::Outside)]),
        };
    }
    index.candidates(x, y, scratch);
    let first = (0, status_at(src, 0, x, y));
    intervals(
        src,
        std::iter::once(first).chain(scratch.iter().map(|&k| (k as usize, status_at(src, k as usize, x, y)))),
    )
}

/// Histories of many points, on every core; `None` for a point whose coordinate is invalid.
pub fn histories(src: &SourceEntry, points: &[(f64, f64)]) -> Vec<Result<Vec<Interval>, CatalogError>> {
    let index = src.history_index();
    points
        .par_iter()
        .map_init(Vec::new, |scratch, &(x, y)| {
            crate::model::LonLat::new(x, y)?;
            Ok(history_with(src, index, x, y, scratch))
        })
        .collect()
}

/// [`histories`] of positions already checked, or in the raw composition (`raw`, as
/// [`history_of`]); in input order.
pub fn histories_of(src: &SourceEntry, points: &[LonLat], raw: bool) -> Vec<Vec<Interval>> {
    if raw {
        return points.par_iter().map(|p| raw_history(src, p.lon(), p.lat())).collect();
    }
    let index = src.history_index();
    points
        .par_iter()
        .map_init(Vec::new, |scratch, p| {
            history_with(src, index, p.lon(), p.lat(), scratch)
        })
        .collect()
}

/// The same answer by brute force: the status in every epoch. The reference for tests.
pub fn history_brute_force(src: &SourceEntry, lon: f64, lat: f64) -> Vec<Interval> {
    intervals(src, (0..src.epochs.len()).map(|k| (k, status_at(src, k, lon, lat))))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;
    use crate::geodata::{Border, ControlFeature, Geodata, Snapshot, Source};
    use crate::model::{ControlStatus, Provenance};
    use geo::{MultiPolygon, Rect};

    fn square(x0: f64, y0: f64, x1: f64, y1: f64) -> MultiPolygon<f64> {
        MultiPolygon(vec![Rect::new((x0, y0), (x1, y1)).to_polygon()])
    }

    fn prov() -> Provenance {
        Provenance {
            file: "test".into(),
            sha256: "0".into(),
            origin: None,
        }
    }

    fn snapshot(day: u32, features: Vec<(ControlStatus, MultiPolygon<f64>)>) -> Snapshot {
        Snapshot {
            source: "t".into(),
            date: NaiveDate::from_ymd_opt(2024, 1, day).unwrap_or_default(),
            features: features
                .into_iter()
                .map(|(status, geometry)| ControlFeature {
                    status,
                    geometry,
                    class: None,
                    date: None,
                })
                .collect(),
            content_sha256: format!("{day}"),
            published: None,
            published_at: None,
            provenance: prov(),
            synthetic: true,
        }
    }

    /// A 10 x 10 border; day 1 occupies x < 2, day 2 x < 4 with a contested strip, day 3 the same
    /// content as day 2 (shared state), day 4 back to x < 2, day 5 two overlapping features.
    fn catalog() -> Catalog {
        use ControlStatus::{Contested, Occupied};
        let border = Border {
            iso3: "TST".into(),
            name: "Testland".into(),
            geometry: square(0.0, 0.0, 10.0, 10.0),
            provenance: prov(),
            synthetic: true,
            valid_from: None,
        };
        let snaps = vec![
            snapshot(1, vec![(Occupied, square(0.0, 0.0, 2.0, 10.0))]),
            snapshot(
                2,
                vec![
                    (Occupied, square(0.0, 0.0, 4.0, 10.0)),
                    (Contested, square(4.0, 0.0, 5.0, 10.0)),
                ],
            ),
            Snapshot {
                date: NaiveDate::from_ymd_opt(2024, 1, 3).unwrap_or_default(),
                content_sha256: "2".into(),
                ..snapshot(
                    2,
                    vec![
                        (Occupied, square(0.0, 0.0, 4.0, 10.0)),
                        (Contested, square(4.0, 0.0, 5.0, 10.0)),
                    ],
                )
            },
            snapshot(4, vec![(Occupied, square(0.0, 0.0, 2.0, 10.0))]),
            snapshot(
                5,
                vec![
                    (Occupied, square(0.0, 0.0, 2.0, 10.0)),
                    (Occupied, square(1.0, 0.0, 3.0, 10.0)),
                ],
            ),
        ];
        Catalog::build(Geodata {
            borders: vec![border],
            baselines: vec![],
            regions: vec![],
            waters: vec![],
            sources: vec![Source {
                time_zone: crate::geodata::deepstate_api::DEFAULT_TIME_ZONE,
                terms: Default::default(),
                revised: Default::default(),
                publications: Vec::new(),
                name: "t".into(),
                description: None,
                border: "TST".into(),
                baselines: vec![],
                classes: crate::model::SourceClasses::canonical_unstated(),
                snapshots: snaps,
            }],
            default_source: Some("t".into()),
            root: ".".into(),
        })
    }

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2024, 1, d).unwrap_or_default()
    }

    #[test]
    fn intervals_merge_and_match_brute_force() {
        let cat = catalog();
        let src = cat.source(None).unwrap();
        // x = 3: covered, occupied days 2-3, covered day 4, occupied from day 5 (second feature).
        let h = history(src, 3.0 - 0.5, 5.0).unwrap();
        let got: Vec<(NaiveDate, Option<NaiveDate>, Status)> = h.iter().map(|i| (i.from, i.to, i.status)).collect();
        assert_eq!(
            got,
            vec![
                (day(1), Some(day(1)), Status::Covered),
                (day(2), Some(day(3)), Status::Occupied),
                (day(4), Some(day(4)), Status::Covered),
                (day(5), None, Status::Occupied),
            ]
        );
        assert_eq!(h, history_brute_force(src, 2.5, 5.0));
        // Contested strip on days 2-3 only.
        let h = history(src, 4.5, 1.0).unwrap();
        assert_eq!(
            h.iter().map(|i| i.status).collect::<Vec<_>>(),
            vec![Status::Covered, Status::Contested, Status::Covered]
        );
        // Far from every change: one interval, no candidate epochs.
        let h = history(src, 8.0, 8.0).unwrap();
        assert_eq!(h.len(), 1);
        assert_eq!((h[0].status, h[0].to), (Status::Covered, None));
        // Outside the border.
        let h = history(src, 20.0, 5.0).unwrap();
        assert_eq!((h.len(), h[0].status), (1, Status::Outside));
        assert!(history(src, 200.0, 5.0).is_err());
    }

    #[test]
    fn every_grid_point_matches_brute_force() {
        let cat = catalog();
        let src = cat.source(None).unwrap();
        // Points on edges, on vertices and between them: quarter steps across the border.
        for i in 0..=48 {
            for j in 0..=8 {
                let (x, y) = (-1.0 + i as f64 * 0.25, -1.0 + j as f64 * 1.5);
                assert_eq!(
                    history(src, x, y).unwrap(),
                    history_brute_force(src, x, y),
                    "({x}, {y})"
                );
            }
        }
    }

    #[test]
    fn shared_states_are_not_transitions() {
        let cat = catalog();
        let src = cat.source(None).unwrap();
        let (transitions, boxes) = src.history_index().stats();
        // 1→2, 3→4, 4→5 (2→3 shares a state).
        assert_eq!(transitions, 3);
        assert!(boxes >= 3);
    }
}
