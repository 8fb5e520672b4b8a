//! Vector tiles of the shared DeepState archive read by two decoders that are not ours (issue 12
//! acceptance): every z8 tile of 2025-06-01 is fetched over HTTP, read by GDAL's MVT driver
//! (`ogrinfo`, Debian `gdal-bin`) and by mapbox-vector-tile (PyPI, in the venv of
//! `scripts/make-workload.sh`) through `scripts/tiles/decode_tiles.py`, which checks every
//! polygon with shapely, unions the `occupied` polygons back in lon/lat and measures them with
//! pyproj (WGS84), and adds up the line of contact cut to each tile's own square.
//!
//! Needs `../shared/data/deepstate` and the venv with mapbox-vector-tile: reported as ignored,
//! with the reason, where either was absent when the tests were built.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{Server, get, repo};
use std::collections::BTreeMap;
use std::process::Command;

#[test]
#[cfg_attr(
    not(all(shared_deepstate, python_mvt, gdal_ogrinfo)),
    ignore = "needs ../shared/data/deepstate, $TMPDIR/frontline-venv with mapbox-vector-tile (scripts/make-workload.sh makes it) and GDAL's ogrinfo (apt-get install gdal-bin); .ci/run installs both"
)]
fn z8_tiles_of_2025_06_01_add_up_to_the_occupied_area_and_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let ds = common::deepstate_geodata(&dir.path().join("ds"));
    let s = Server::spawn(&["--data", ds.to_str().unwrap(), "--watch-s", "0"], &[]);
    let doc = get(s.addr, "/v1/tiles/deepstate/2025-06-01.json", "").json();
    let meta = &doc["frontline"];
    let (occupied_km2, line_km) = (
        meta["occupied_km2"].as_f64().unwrap(),
        meta["line_km"].as_f64().unwrap(),
    );
    // The TileJSON's figures are the layers' own.
    let layer = get(s.addr, "/v1/layers/occupied?source=deepstate&date=2025-06-01", "").json();
    assert!((layer["frontline"]["area_km2"].as_f64().unwrap() - occupied_km2).abs() < 0.001);
    let template = doc["tiles"][0].as_str().unwrap();
    let path_of = |z: u8, x: u32, y: u32| {
        let t = template.split_once("/v1/").map(|(_, p)| format!("/v1/{p}")).unwrap();
        t.replace("{z}", &z.to_string())
            .replace("{x}", &x.to_string())
            .replace("{y}", &y.to_string())
    };
    let bounds: Vec<f64> = doc["bounds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    let tiles_dir = dir.path().join("z8");
    std::fs::create_dir_all(&tiles_dir).unwrap();
    let (mut full, mut empty) = (0, 0);
    for frontline::query::tiles::TileId { z, x, y } in
        frontline::query::tiles::TileId::covering([bounds[0], bounds[1], bounds[2], bounds[3]], 8)
    {
        let r = get(s.addr, &path_of(z, x, y), "");
        match r.status {
            200 => {
                assert_eq!(r.header("x-frontline-dropped-polygons"), None, "{z}/{x}/{y}");
                std::fs::write(tiles_dir.join(format!("{z}-{x}-{y}.mvt")), &r.body).unwrap();
                full += 1;
            }
            204 => empty += 1,
            st => panic!("{z}/{x}/{y}: {st} {}", r.text()),
        }
    }
    println!("z8 over the layers' bounds: {full} tiles with features, {empty} empty (204)");
    assert!(full > 50, "{full}");

    // mapbox-vector-tile + shapely + pyproj.
    let python = std::env::temp_dir().join("frontline-venv/bin/python");
    let out = Command::new(python)
        .arg(repo().join("scripts/tiles/decode_tiles.py"))
        .arg(&tiles_dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["tiles"], full);
    assert_eq!(v["invalid"], 0, "invalid decoded polygons: {}", v["invalid_where"]);
    let (area, line) = (v["occupied_km2"].as_f64().unwrap(), v["line_km"].as_f64().unwrap());
    let (da, dl) = (
        (area - occupied_km2).abs() / occupied_km2,
        (line - line_km).abs() / line_km,
    );
    println!(
        "decoded: {} polygons, all valid; occupied {area:.3} km2 vs {occupied_km2:.3} (x{:.6}, {:.4} %); line {line:.3} km vs {line_km:.3} ({:.4} %)",
        v["polygons"],
        area / occupied_km2,
        da * 100.0,
        dl * 100.0
    );
    assert!(da < 0.005, "occupied: {area} vs {occupied_km2}");
    assert!(dl < 0.01, "line: {line} vs {line_km}");

    // GDAL's MVT driver reads the same layers and feature counts (the test is reported ignored
    // where ogrinfo is not installed: build.rs looks for it).
    let counts = v["counts"].as_object().unwrap();
    for (name, want) in counts {
        let out = Command::new("ogrinfo")
            .args(["-ro", "-so", "-al"])
            .arg(tiles_dir.join(name))
            .output()
            .unwrap();
        assert!(out.status.success(), "{name}: {}", String::from_utf8_lossy(&out.stderr));
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        let mut got: BTreeMap<String, u64> = BTreeMap::new();
        let mut layer = String::new();
        for l in text.lines() {
            if let Some(n) = l.strip_prefix("Layer name: ") {
                layer = n.trim().to_string();
            }
            if let Some(c) = l.strip_prefix("Feature Count: ") {
                got.insert(layer.clone(), c.trim().parse().unwrap());
            }
        }
        let want: BTreeMap<String, u64> = want
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v.as_u64().unwrap()))
            .collect();
        assert_eq!(got, want, "{name}: GDAL vs mapbox-vector-tile");
    }
}

/// Every polygon of every z6, z8 and z10 tile over the layers of DeepState 2025-06-01, as the
/// tiles hold it (clipped, simplified, rounded, repaired where needed), passes the loader's full
/// validity check on the tile grid, and none is dropped.
#[test]
#[cfg_attr(not(shared_deepstate), ignore = "needs ../shared/data/deepstate")]
fn every_tile_polygon_at_z6_z8_z10_passes_the_loaders_validity_check() {
    use frontline::query::tiles::TileId;
    use frontline::query::tiles::geometry::{TileFrame, WorldPolygon, tile_polygon, valid};
    let dir = tempfile::tempdir().unwrap();
    let ds = common::deepstate_geodata(&dir.path().join("ds"));
    let catalog = frontline::Catalog::load(&ds).unwrap();
    let f = catalog
        .in_force(Some("deepstate"), frontline::model::parse_date("2025-06-01").unwrap())
        .unwrap();
    let layers = f.computed().layers_of(false);
    let polygons: Vec<WorldPolygon> = [&layers.covered, &layers.occupied]
        .iter()
        .flat_map(|mp| mp.0.iter().map(WorldPolygon::new))
        .collect();
    let (mut checked, mut repaired, mut tiles) = (0, 0, 0);
    for z in [6u8, 8, 10] {
        let b = polygons
            .iter()
            .map(WorldPolygon::bbox)
            .fold([1.0f64, 1.0, 0.0, 0.0], |a, b| {
                [a[0].min(b[0]), a[1].min(b[1]), a[2].max(b[2]), a[3].max(b[3])]
            });
        for tile in TileId::covering_world(b, z) {
            let TileId { z: zz, x, y } = tile;
            let frame = TileFrame::new(tile);
            tiles += 1;
            for p in &polygons {
                let t = tile_polygon(p, &frame, true);
                assert_eq!(t.dropped, 0, "{zz}/{x}/{y}");
                repaired += usize::from(t.repaired);
                for poly in &t.polygons {
                    assert!(valid(poly), "{zz}/{x}/{y}: an invalid polygon");
                    checked += 1;
                }
            }
        }
    }
    println!("{tiles} tiles, {checked} polygons valid by the loader's check ({repaired} rebuilt by the overlay)");
    assert!(checked > 300, "{checked}");
}
