//! The change index behind point histories: boxes around every change between the states of
//! consecutive epochs, so that a history re-tests a point only in the epochs where its status
//! may change.
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

use crate::model::ControlStatus;
use rayon::prelude::*;
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{AABB, RTree};
use std::collections::HashMap;
use std::sync::Arc;

/// The control in force over an epoch, as far as the change index needs it: its rings.
pub trait StateRings {
    /// Every ring (exterior and holes, RFC 7946 orientation) of the areas of one status in this
    /// state. The winding number of these rings at a point counts the features that contain it.
    fn state_rings(&self, status: ControlStatus) -> impl Iterator<Item = &geo::LineString<f64>> + '_;
}

type ChangeBox = GeomWithData<Rectangle<[f64; 2]>, u32>;

/// The change index of one source: boxes around every change between consecutive epochs.
#[derive(Debug)]
pub struct HistoryIndex {
    tree: RTree<ChangeBox>,
    transitions: usize,
}

/// A vertex as the exact bits of its coordinates (`-0.0` counted as `0.0`).
fn vertex_key(x: f64, y: f64) -> [u64; 2] {
    [(x + 0.0).to_bits(), (y + 0.0).to_bits()]
}

/// The directed edges of the rings of `status` in `state`, as exact vertex bits, sorted (with
/// repeats: two features may share an edge).
fn sorted_edges<S: StateRings>(state: &S, status: ControlStatus) -> Vec<[u64; 4]> {
    let mut out: Vec<[u64; 4]> = state
        .state_rings(status)
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

fn state_edges<S: StateRings>(state: &S) -> StateEdges {
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
    /// Builds the change index of a sequence of epochs, given the state in force in each
    /// (consecutive epochs may share one state: the same `Arc`), transitions in parallel. Needs
    /// only the raw rings, not the computed layers.
    pub fn build<S: StateRings + Send + Sync>(epochs: &[&Arc<S>]) -> HistoryIndex {
        // Each distinct state's edges once (epochs share states), then a merge walk per transition.
        let mut distinct: Vec<&Arc<S>> = epochs.to_vec();
        distinct.sort_by_key(|s| Arc::as_ptr(s));
        distinct.dedup_by_key(|s| Arc::as_ptr(s));
        // Keyed by the state's address, as a number (raw pointers are not Send).
        let edges: HashMap<usize, StateEdges> = distinct
            .par_iter()
            .map(|s| (Arc::as_ptr(s) as usize, state_edges(&***s)))
            .collect();
        let ks: Vec<usize> = (1..epochs.len())
            .filter(|&k| !Arc::ptr_eq(epochs[k - 1], epochs[k]))
            .collect();
        let transitions = ks.len();
        let boxes: Vec<ChangeBox> = ks
            .into_par_iter()
            .flat_map_iter(|k| {
                let a = &edges[&(Arc::as_ptr(epochs[k - 1]) as usize)];
                let b = &edges[&(Arc::as_ptr(epochs[k]) as usize)];
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
