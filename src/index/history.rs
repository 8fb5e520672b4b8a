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
use std::sync::{Arc, OnceLock};

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

/// A ring of one status layer: the hash of its exact vertex bits ([`ring_hash`]), the ring, and
/// its directed edges as exact vertex bits, sorted ([`sorted_ring_edges`]), computed only when
/// the ring is left unpaired by a transition (most rings repeat from one state to the next and
/// never need them).
type KeyedRing<'a> = (u64, &'a geo::LineString<f64>, OnceLock<Vec<[u64; 4]>>);

/// The rings of a state, per status layer (occupied, contested), sorted by hash.
type StateRingList<'a> = [Vec<KeyedRing<'a>>; 2];

/// A hash of a ring's vertices as [`vertex_key`] bits (the Fx hash: the rings are our own data,
/// and equal hashes are compared in full, so a fast hash is enough).
fn ring_hash(ring: &geo::LineString<f64>) -> u64 {
    const K: u64 = 0x517c_c1b7_2722_0a95;
    ring.0.iter().fold(ring.0.len() as u64, |h, c| {
        let [x, y] = vertex_key(c.x, c.y);
        let h = (h.rotate_left(5) ^ x).wrapping_mul(K);
        (h.rotate_left(5) ^ y).wrapping_mul(K)
    })
}

/// True when two rings have the same vertices, as [`vertex_key`] bits: at once when they are
/// one ring in memory (a piece of the sliver rule repeated from one state to the next, a
/// baseline), else compared vertex by vertex.
fn same_ring(a: &geo::LineString<f64>, b: &geo::LineString<f64>) -> bool {
    std::ptr::eq(a, b)
        || a.0.len() == b.0.len()
            && a.0
                .iter()
                .zip(&b.0)
                .all(|(p, q)| vertex_key(p.x, p.y) == vertex_key(q.x, q.y))
}

fn state_rings<S: StateRings>(state: &S) -> StateRingList<'_> {
    let keyed = |status| {
        let mut v: Vec<KeyedRing<'_>> = state
            .state_rings(status)
            .map(|r| (ring_hash(r), r, OnceLock::new()))
            .collect();
        v.sort_unstable_by_key(|k| k.0);
        v
    };
    [keyed(ControlStatus::Occupied), keyed(ControlStatus::Contested)]
}

/// The rings of `a` and of `b` left once every ring present in both is paired off (as
/// multisets): a ring common to both states adds the same directed edges to each, so the edges
/// whose multiplicity differs are those of the rings left.
fn unpaired<'r, 'a>(a: &'r [KeyedRing<'a>], b: &'r [KeyedRing<'a>]) -> [Vec<&'r KeyedRing<'a>>; 2] {
    let (mut left_a, mut left_b) = (Vec::new(), Vec::new());
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        let ha = a.get(i).map_or(u64::MAX, |r| r.0);
        let hb = b.get(j).map_or(u64::MAX, |r| r.0);
        let h = ha.min(hb);
        let ga = i + a[i..].iter().take_while(|r| r.0 == h && ha == h).count();
        let gb = j + b[j..].iter().take_while(|r| r.0 == h && hb == h).count();
        // The rings of one hash on each side (a group is almost always of one ring).
        let mut taken = vec![false; gb - j];
        for ra in &a[i..ga] {
            let pair = (j..gb).find(|&k| !taken[k - j] && same_ring(ra.1, b[k].1));
            match pair {
                Some(k) => taken[k - j] = true,
                None => left_a.push(ra),
            }
        }
        left_b.extend((j..gb).filter(|&k| !taken[k - j]).map(|k| &b[k]));
        (i, j) = (ga, gb);
    }
    [left_a, left_b]
}

/// The directed edges whose multiplicity differs between two states' rings of one layer, sorted.
fn differing_edges(a: &[KeyedRing<'_>], b: &[KeyedRing<'_>], out: &mut Vec<[u64; 4]>) {
    let [left_a, left_b] = unpaired(a, b);
    differing(&merged_edges(&left_a), &merged_edges(&left_b), out);
}

/// The sorted edges of several rings, from each ring's sorted edges (a stable sort merges the
/// sorted runs).
fn merged_edges(rings: &[&KeyedRing<'_>]) -> Vec<[u64; 4]> {
    let edges: Vec<&Vec<[u64; 4]>> = rings
        .iter()
        .map(|r| r.2.get_or_init(|| sorted_ring_edges(r.1)))
        .collect();
    let mut out: Vec<[u64; 4]> = Vec::with_capacity(edges.iter().map(|e| e.len()).sum());
    for e in edges {
        out.extend_from_slice(e);
    }
    if rings.len() > 1 {
        out.sort();
    }
    out
}

/// The directed edges of `ring`, as exact vertex bits, sorted (with repeats: a ring may run
/// along an edge twice).
fn sorted_ring_edges(ring: &geo::LineString<f64>) -> Vec<[u64; 4]> {
    let mut out: Vec<[u64; 4]> = ring
        .0
        .windows(2)
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
fn changed_boxes(a: &StateRingList<'_>, b: &StateRingList<'_>) -> Vec<AABB<[f64; 2]>> {
    let mut out = Vec::new();
    let mut diff = Vec::new();
    for layer in 0..2 {
        diff.clear();
        differing_edges(&a[layer], &b[layer], &mut diff);
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
        // Each distinct state's rings once (epochs share states), then per transition the
        // edges of the rings not in both states, and a merge walk over them.
        let mut distinct: Vec<&Arc<S>> = epochs.to_vec();
        distinct.sort_by_key(|s| Arc::as_ptr(s));
        distinct.dedup_by_key(|s| Arc::as_ptr(s));
        // Keyed by the state's address, as a number (raw pointers are not Send).
        let edges: HashMap<usize, StateRingList<'_>> = distinct
            .par_iter()
            .map(|s| (Arc::as_ptr(s) as usize, state_rings(&***s)))
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

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{Coord, LineString};

    /// Rings behind an `Arc`: a ring drawn into two states may be one ring in memory (as the
    /// sliver rule's pieces and the baselines are) or a copy.
    struct State {
        rings: [Vec<Arc<LineString<f64>>>; 2],
    }

    impl StateRings for State {
        fn state_rings(&self, status: ControlStatus) -> impl Iterator<Item = &LineString<f64>> + '_ {
            self.rings[usize::from(status == ControlStatus::Contested)]
                .iter()
                .map(|r| &**r)
        }
    }

    /// The reference: every directed edge of the layer, sorted (the index's first form: all the
    /// rings' edges together, none paired off).
    fn all_edges_sorted<S: StateRings>(state: &S, status: ControlStatus) -> Vec<[u64; 4]> {
        let mut out: Vec<[u64; 4]> = state.state_rings(status).flat_map(sorted_ring_edges).collect();
        out.sort_unstable();
        out
    }

    /// The edges that differ, found from the rings left unpaired, are exactly those found from
    /// every edge of both states: over random states drawn from a pool of rings with repeats,
    /// shared edges, rotated and reversed copies, -0.0 and a changed vertex.
    #[test]
    fn pairing_rings_off_finds_the_same_differing_edges_as_every_edge() {
        let mut seed = 11u64;
        let mut next = |n: usize| {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            ((seed >> 33) as usize) % n
        };
        let square =
            |x: f64, y: f64| LineString::from(vec![(x, y), (x + 1.0, y), (x + 1.0, y + 1.0), (x, y + 1.0), (x, y)]);
        let mut pool: Vec<LineString<f64>> = (0..12).map(|i| square(f64::from(i % 4), f64::from(i / 4))).collect();
        let mut rotated = pool[3].0[1..].to_vec();
        rotated.push(rotated[0]);
        pool.push(LineString(rotated));
        let mut reversed = pool[4].clone();
        reversed.0.reverse();
        pool.push(reversed);
        let mut moved = pool[5].clone();
        moved.0[2] = Coord { x: 2.5, y: 2.25 };
        pool.push(moved);
        pool.push(LineString::from(vec![
            (-0.0, 0.0),
            (1.0, 0.0),
            (1.0, 1.0),
            (0.0, 1.0),
            (-0.0, 0.0),
        ]));
        let pool: Vec<Arc<LineString<f64>>> = pool.into_iter().map(Arc::new).collect();
        // Half the rings drawn are the pool's ring itself (one address in every state that
        // draws it), half a copy of it.
        let states: Vec<State> = (0..60)
            .map(|_| State {
                rings: [0, 1].map(|_| {
                    (0..next(9))
                        .map(|_| {
                            let r = &pool[next(pool.len())];
                            if next(2) == 0 {
                                r.clone()
                            } else {
                                Arc::new((**r).clone())
                            }
                        })
                        .collect()
                }),
            })
            .collect();
        let (mut nonempty, mut compared) = (0, 0);
        for a in &states {
            for b in &states {
                let (ka, kb) = (state_rings(a), state_rings(b));
                for (layer, status) in [ControlStatus::Occupied, ControlStatus::Contested]
                    .into_iter()
                    .enumerate()
                {
                    let mut want = Vec::new();
                    differing(&all_edges_sorted(a, status), &all_edges_sorted(b, status), &mut want);
                    let mut got = Vec::new();
                    differing_edges(&ka[layer], &kb[layer], &mut got);
                    assert_eq!(got, want);
                    nonempty += usize::from(!want.is_empty());
                    compared += 1;
                }
            }
        }
        assert_eq!(compared, 7200);
        assert!(nonempty > 5000, "{nonempty}");
    }
}
