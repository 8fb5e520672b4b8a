//! Vector tile benchmark (issue 12): cold generation, on one thread, of every z6, z8 and z10
//! tile over the occupied layer's extent of DeepState 2025-06-01, counting (as
//! `../shared/bench/tiles_peer.sh` does for PostGIS) the tiles in which the occupied layer has
//! features. Each tile is made twice, both from the epoch's projected layers and with no tile
//! cache: the whole tile (`covered`, `occupied`, `contested`, `line`, as served) and the
//! `occupied` layer alone (what the PostGIS peer makes). Prints per zoom the count, median and
//! p99 ms a tile and tiles a second (count / sum of times, the peer's formula), and the time to
//! project the epoch's layers once (paid by the first tile of an epoch). Run it through
//! `scripts/bench-tiles.sh`, which runs the peer in the same session and prints the ratios.
//!
//! Env: FRONTLINE_GEODATA (a geodata dir reading the archive, as `scripts/deepstate-geodata.sh`
//! makes; required), BENCH_DATE (default 2025-06-01), REPEAT (passes over the tiles, default 3;
//! each tile's time is its median over the passes).

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use frontline::Catalog;
use frontline::query::tiles::{Prepared, TileId};
use geo::BoundingRect;
use std::time::Instant;

fn main() {
    let Some(dir) = std::env::var_os("FRONTLINE_GEODATA") else {
        println!("SKIP: set FRONTLINE_GEODATA to a geodata dir (scripts/deepstate-geodata.sh makes one)");
        return;
    };
    let date =
        frontline::model::parse_date(&std::env::var("BENCH_DATE").unwrap_or_else(|_| "2025-06-01".into())).unwrap();
    let repeat: usize = std::env::var("REPEAT").ok().and_then(|s| s.parse().ok()).unwrap_or(3);
    let catalog = Catalog::load(std::path::Path::new(&dir)).expect("geodata loads");
    let f = catalog.in_force(Some("deepstate"), date).expect("in force");
    let t = Instant::now();
    let layers = f.computed().layers_of(false);
    let _ = f.line();
    println!("epoch computed (layers, line) in {:.3} s", t.elapsed().as_secs_f64());
    let r = layers.occupied.bounding_rect().expect("an occupied area");
    let bounds = [r.min().x, r.min().y, r.max().x, r.max().y];
    let mut prep = Vec::new();
    let mut prepared = None;
    for _ in 0..repeat.max(3) {
        let t = Instant::now();
        let p = Prepared::state(&f);
        prep.push(t.elapsed().as_secs_f64() * 1000.0);
        prepared = Some(p);
    }
    let prepared = prepared.expect("prepared");
    prep.sort_by(f64::total_cmp);
    println!(
        "projection of the epoch's layers (once per epoch): median {:.1} ms",
        prep[prep.len() / 2]
    );
    // BENCH_TILE=z/x/y: render that one tile 500 times (for a profiler) and stop.
    if let Ok(t) = std::env::var("BENCH_TILE") {
        let v: Vec<&str> = t.split('/').collect();
        let id = TileId::parse(v[0], v[1], v[2]).expect("z/x/y");
        let t0 = Instant::now();
        for _ in 0..500 {
            prepared.render(id).expect("tile");
        }
        println!("{t}: {:.3} ms a tile", t0.elapsed().as_secs_f64() * 2.0);
        return;
    }
    for (label, only) in [("occupied only", Some(&["occupied"][..])), ("whole tile", None)] {
        for z in [6u8, 8, 10] {
            let tiles = TileId::covering(bounds, z);
            let mut times: Vec<Vec<f64>> = vec![Vec::new(); tiles.len()];
            let mut touching = vec![false; tiles.len()];
            let mut bytes = 0usize;
            for pass in 0..repeat.max(1) {
                for (i, t) in tiles.iter().enumerate() {
                    let t0 = Instant::now();
                    let out = prepared.render_layers(*t, only).expect("tile");
                    times[i].push(t0.elapsed().as_secs_f64() * 1000.0);
                    if pass == 0 {
                        // Tiles the occupied layer touches: those whose occupied-only tile has
                        // features.
                        let occ = prepared.render_layers(*t, Some(&["occupied"])).expect("tile");
                        touching[i] = occ.features > 0;
                        if touching[i] {
                            bytes += out.bytes.len();
                        }
                        assert_eq!(out.dropped_polygons, 0, "{t:?}");
                    }
                }
            }
            let mut per_tile: Vec<(f64, TileId)> = times
                .iter()
                .zip(&touching)
                .zip(&tiles)
                .filter(|((_, t), _)| **t)
                .map(|((v, _), id)| {
                    let mut v = v.clone();
                    v.sort_by(f64::total_cmp);
                    (v[v.len() / 2], *id)
                })
                .collect();
            per_tile.sort_by(|a, b| a.0.total_cmp(&b.0));
            let slowest = per_tile
                .last()
                .map(|(ms, t)| format!("slowest {}/{}/{} {ms:.2} ms", t.z, t.x, t.y));
            let mut per: Vec<f64> = per_tile.iter().map(|(ms, _)| *ms).collect();
            per.sort_by(f64::total_cmp);
            let n = per.len();
            let sum: f64 = per.iter().sum();
            println!(
                "frontline {label:13} z{z}: {n} tiles, median {:.2} ms, p99 {:.2} ms, {:.0} tiles/s, {bytes} bytes; {}",
                per[n / 2],
                per[(n * 99 / 100).min(n - 1)],
                n as f64 / (sum / 1000.0),
                slowest.unwrap_or_default()
            );
        }
    }
}
