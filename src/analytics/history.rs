//! Point histories: for one point, the intervals of its status across every epoch of a source,
//! merged where the status does not change.
//!
//! Re-testing a point against every snapshot costs one point location per epoch. The change
//! index avoids it with an exact argument instead of a diff-polygon overlay (whose snapped
//! output could miss a change thinner than its grid): the rings of one status in a state are
//! valid polygons oriented by RFC 7946, so their winding number at a point counts the features
//! (snapshot features and baselines) that contain it. Between two consecutive states, the
//! directed edges that do not appear in both form a chain whose winding number is the change of
//! that count, and each connected component of the chain is closed, so it winds around no point
//! outside its bounding box. A point's status can therefore change between two epochs only if
//! it lies in (or on) the box of one of the components of that transition. The index is an R-tree
//! of those boxes; a history evaluates the first epoch and then only the epochs whose boxes
//! contain the point, exactly, with the ordinary point index.

use crate::catalog::{CatalogError, ControlState, SourceEntry, check_coordinate};
use crate::index::Location;
use crate::model::{ControlStatus, Status};
use chrono::NaiveDate;
use rayon::prelude::*;
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{AABB, RTree};
use std::collections::HashMap;
use std::sync::Arc;

type ChangeBox = GeomWithData<Rectangle<[f64; 2]>, u32>;

/// The change index of one source: boxes around every change between consecutive epochs.
#[derive(Debug)]
pub struct HistoryIndex {
    tree: RTree<ChangeBox>,
    transitions: usize,
}

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

/// A vertex as the exact bits of its coordinates (`-0.0` counted as `0.0`).
fn vertex_key(x: f64, y: f64) -> [u64; 2] {
    [(x + 0.0).to_bits(), (y + 0.0).to_bits()]
}

/// The directed edges of the rings of `status` in `state`, as exact vertex bits, sorted (with
/// repeats: two features may share an edge).
fn sorted_edges(state: &ControlState, status: ControlStatus) -> Vec<[u64; 4]> {
    let mut out: Vec<[u64; 4]> = state
        .rings(status)
        .flat_map(|ring| ring.0.windows(2))
        .filter(|w| w[0] != w[1])
        .map(|w| {
            let [ax, ay] = vertex_key(w[0].x, w[0].y);
            let [bx, by] = vertex_key(w[1].x, w[1].y);
            [ax, ay, bx, by]
        })
        .collect();
    out.sort_unstable();
    out
}

/// The edges of a state, per status layer (occupied, contested).
type StateEdges = [Vec<[u64; 4]>; 2];

fn state_edges(state: &ControlState) -> StateEdges {
    [
        sorted_edges(state, ControlStatus::Occupied),
        sorted_edges(state, ControlStatus::Contested),
    ]
}

/// The edges whose multiplicity differs between two sorted lists (a merge walk).
fn differing(a: &[[u64; 4]], b: &[[u64; 4]], out: &mut Vec<[u64; 4]>) {
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        let take_a = j == b.len() || (i < a.len() && a[i] < b[j]);
        let take_b = i == a.len() || (j < b.len() && b[j] < a[i]);
        if take_a {
            out.push(a[i]);
            i += 1;
        } else if take_b {
            out.push(b[j]);
            j += 1;
        } else {
            i += 1;
            j += 1;
        }
    }
}

fn find(parent: &mut [u32], mut i: u32) -> u32 {
    while parent[i as usize] != i {
        let p = parent[parent[i as usize] as usize];
        parent[i as usize] = p;
        i = p;
    }
    i
}

/// Bounding boxes of the connected components of the edges that differ between two states, per
/// status layer.
fn changed_boxes(a: &StateEdges, b: &StateEdges) -> Vec<AABB<[f64; 2]>> {
    let mut out = Vec::new();
    let mut diff = Vec::new();
    for layer in 0..2 {
        diff.clear();
        differing(&a[layer], &b[layer], &mut diff);
        if diff.is_empty() {
            continue;
        }
        let mut ids: HashMap<[u64; 2], u32> = HashMap::with_capacity(diff.len() * 2);
        let mut parent: Vec<u32> = Vec::new();
        let mut coords: Vec<[f64; 2]> = Vec::new();
        let mut id = |k: [u64; 2], parent: &mut Vec<u32>| -> u32 {
            *ids.entry(k).or_insert_with(|| {
                let i = parent.len() as u32;
                parent.push(i);
                coords.push([f64::from_bits(k[0]), f64::from_bits(k[1])]);
                i
            })
        };
        for k in &diff {
            let i = id([k[0], k[1]], &mut parent);
            let j = id([k[2], k[3]], &mut parent);
            let (ri, rj) = (find(&mut parent, i), find(&mut parent, j));
            if ri != rj {
                parent[ri as usize] = rj;
            }
        }
        let mut boxes: HashMap<u32, ([f64; 2], [f64; 2])> = HashMap::new();
        for i in 0..parent.len() as u32 {
            let r = find(&mut parent, i);
            let [x, y] = coords[i as usize];
            let b = boxes.entry(r).or_insert(([x, y], [x, y]));
            b.0 = [b.0[0].min(x), b.0[1].min(y)];
            b.1 = [b.1[0].max(x), b.1[1].max(y)];
        }
        out.extend(boxes.into_values().map(|(lo, hi)| AABB::from_corners(lo, hi)));
    }
    out
}

impl HistoryIndex {
    /// Builds the change index of a source (transitions in parallel). Needs only the raw rings,
    /// not the computed layers.
    pub fn build(src: &SourceEntry) -> HistoryIndex {
        // Each distinct state's edges once (epochs share states), then a merge walk per transition.
        let mut distinct: Vec<&Arc<ControlState>> = src.epochs.iter().map(|e| &e.state).collect();
        distinct.sort_by_key(|s| Arc::as_ptr(s));
        distinct.dedup_by_key(|s| Arc::as_ptr(s));
        // Keyed by the state's address, as a number (raw pointers are not Send).
        let edges: HashMap<usize, StateEdges> = distinct
            .par_iter()
            .map(|s| (Arc::as_ptr(s) as usize, state_edges(s)))
            .collect();
        let ks: Vec<usize> = (1..src.epochs.len())
            .filter(|&k| !Arc::ptr_eq(&src.epochs[k - 1].state, &src.epochs[k].state))
            .collect();
        let transitions = ks.len();
        let boxes: Vec<ChangeBox> = ks
            .into_par_iter()
            .flat_map_iter(|k| {
                let a = &edges[&(Arc::as_ptr(&src.epochs[k - 1].state) as usize)];
                let b = &edges[&(Arc::as_ptr(&src.epochs[k].state) as usize)];
                changed_boxes(a, b)
                    .into_iter()
                    .map(move |b| GeomWithData::new(Rectangle::from_aabb(b), k as u32))
            })
            .collect();
        HistoryIndex {
            tree: RTree::bulk_load(boxes),
            transitions,
        }
    }

    /// Number of transitions between distinct states, and of change boxes.
    pub fn stats(&self) -> (usize, usize) {
        (self.transitions, self.tree.size())
    }

    /// The epochs (sorted, distinct) at whose start the status of (x, y) may change.
    pub fn candidates(&self, x: f64, y: f64, out: &mut Vec<u32>) {
        out.clear();
        out.extend(
            self.tree
                .locate_in_envelope_intersecting(&AABB::from_point([x, y]))
                .map(|b| b.data),
        );
        out.sort_unstable();
        out.dedup();
    }
}

/// Status of a point in one epoch of a source.
fn status_at(src: &SourceEntry, k: usize, x: f64, y: f64) -> Status {
    src.epochs[k].state.computed().status(&src.border.index, x, y).0
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
    check_coordinate(lon, lat)?;
    let mut scratch = Vec::new();
    Ok(history_with(src, src.history_index(), lon, lat, &mut scratch))
}

/// [`history`] with the index and a scratch buffer supplied (the batch form reuses them).
pub fn history_with(src: &SourceEntry, index: &HistoryIndex, x: f64, y: f64, scratch: &mut Vec<u32>) -> Vec<Interval> {
    if src.epochs.is_empty() {
        return Vec::new();
    }
    if src.border.index.locate(x, y) == Location::Outside {
        return intervals(src, [(0, Status::Outside)]);
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
            check_coordinate(x, y)?;
            Ok(history_with(src, index, x, y, scratch))
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
    use crate::model::Provenance;
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
                .map(|(status, geometry)| ControlFeature { status, geometry })
                .collect(),
            content_sha256: format!("{day}"),
            published: None,
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
            sources: vec![Source {
                name: "t".into(),
                description: None,
                border: "TST".into(),
                baselines: vec![],
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
