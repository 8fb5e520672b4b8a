//! Engine benchmark on the shared DeepStateMap archive: load + validate every file, build every
//! coverage, area and index (both cores), and classify the 1,000,000 seeded points of
//! `../shared/bench/make_workload.py` on one thread. Prints medians with min-max; run it through
//! `scripts/bench-engine.sh`, which also runs the shapely peer in the same session and prints
//! the ratios.
//!
//! Env: FRONTLINE_DEEPSTATE (archive dir, default ../shared/data/deepstate), PEERS_WORK (workload
//! dir, default $TMPDIR/frontline-bench), REPEAT (default 5), BENCH_ONLY=csv (load the archive
//! once and time only the CSV classification, REPEAT times with at least 11 runs), BENCH_ONLY=build
//! (only the archive's load + build, with and without the waters), BENCH_ONLY=diffs
//! (load once with the waters, then only the consecutive-day diffs and the point histories),
//! BENCH_ONLY=diffs-land (the same without the waters).

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use frontline::Catalog;
use frontline::geodata::{deepstate, load_dir};
use std::path::PathBuf;
use std::time::Instant;

fn median(mut v: Vec<f64>) -> (f64, f64, f64) {
    if v.is_empty() {
        return (f64::NAN, f64::NAN, f64::NAN);
    }
    v.sort_by(f64::total_cmp);
    (v[v.len() / 2], v[0], v[v.len() - 1])
}

fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmHWM:")).map(|l| l.to_string()))
        .and_then(|l| l.split_whitespace().nth(1).and_then(|k| k.parse::<f64>().ok()))
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

thread_local! {
    static TIMINGS: std::cell::RefCell<serde_json::Map<String, serde_json::Value>> = Default::default();
}

fn report(name: &str, secs: Vec<f64>, extra: &str) -> f64 {
    let (m, lo, hi) = median(secs);
    println!("{name:32} median {m:9.4} s  [{lo:.4}-{hi:.4}] {extra}");
    TIMINGS.with(|t| {
        t.borrow_mut().insert(
            name.trim().to_string(),
            serde_json::json!({"median_s": m, "min_s": lo, "max_s": hi}),
        )
    });
    m
}

/// Writes the medians to `$PEERS_WORK/frontline_timings.json` for `scripts/bench-engine.sh`.
fn save(work: &std::path::Path) {
    let doc = TIMINGS.with(|t| serde_json::Value::Object(t.borrow().clone()));
    let path = work.join("frontline_timings.json");
    if std::fs::create_dir_all(work)
        .and_then(|_| std::fs::write(&path, doc.to_string()))
        .is_ok()
    {
        println!("timings -> {}", path.display());
    }
}

fn main() {
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let archive = std::env::var_os("FRONTLINE_DEEPSTATE")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo.join("../shared/data/deepstate"));
    if !archive.is_dir() {
        println!(
            "SKIP: no DeepState archive at {} (set FRONTLINE_DEEPSTATE)",
            archive.display()
        );
        return;
    }
    let repeat: usize = std::env::var("REPEAT").ok().and_then(|s| s.parse().ok()).unwrap_or(5);
    let csv_only = std::env::var("BENCH_ONLY").is_ok_and(|v| v == "csv");
    // BENCH_ONLY=diffs: one load (with the waters), then only the diffs and the histories;
    // BENCH_ONLY=diffs-land: the same without the waters (like with like against commits
    // before them).
    let diffs_land = std::env::var("BENCH_ONLY").is_ok_and(|v| v == "diffs-land");
    let diffs_only = diffs_land || std::env::var("BENCH_ONLY").is_ok_and(|v| v == "diffs");
    // BENCH_ONLY=build: only the archive's load + build (with and without the waters), REPEAT times.
    let build_only = std::env::var("BENCH_ONLY").is_ok_and(|v| v == "build");
    let base = match load_dir(&repo.join("geodata")) {
        Ok(l) => l.geodata,
        Err(r) => {
            println!("embedded geodata invalid: {:?}", r.problems);
            std::process::exit(1);
        }
    };
    let waters = base.waters.clone();
    let Some(border) = base.borders.into_iter().next() else {
        println!("embedded geodata has no border");
        std::process::exit(1);
    };
    // Each round loads and builds the archive twice, without the waters (as before them) and
    // with them, so that both figures come from the same run.
    let mut load_s = Vec::new();
    let mut build_s = Vec::new();
    let mut total_s = Vec::new();
    let mut total_waters_s = Vec::new();
    let mut catalog = None;
    // BENCH_ONLY=csv: the catalog without the waters too, to time the CSV path on both states.
    let mut land_catalog = None;
    let mut n_files = 0;
    for _ in 0..if csv_only || diffs_only { 1 } else { repeat } {
        for with_waters in [false, true] {
            if diffs_only && with_waters == diffs_land {
                continue;
            }
            if csv_only && with_waters {
                land_catalog = catalog.take();
            }
            drop(catalog.take());
            let t0 = Instant::now();
            let mut g = match deepstate::archive_geodata(border.clone(), &archive, "deepstate") {
                Ok(g) => g,
                Err(r) => {
                    println!("archive invalid: {:?}", &r.problems[..r.problems.len().min(5)]);
                    std::process::exit(1);
                }
            };
            if with_waters {
                g.waters = waters.clone();
            }
            n_files = g.sources[0].snapshots.len();
            let t1 = Instant::now();
            let cat = Catalog::build(g);
            cat.compute_all();
            let t2 = Instant::now();
            if with_waters {
                total_waters_s.push((t2 - t0).as_secs_f64());
            } else {
                load_s.push((t1 - t0).as_secs_f64());
                build_s.push((t2 - t1).as_secs_f64());
                total_s.push((t2 - t0).as_secs_f64());
            }
            catalog = Some(cat);
        }
    }
    let Some(cat) = catalog else { return };
    let src = &cat.sources["deepstate"];
    let distinct = {
        let mut h: Vec<&str> = src.snapshots.iter().map(|s| s.content_sha256.as_str()).collect();
        h.sort();
        h.dedup();
        h.len()
    };
    report(
        "ds.load (read+validate)",
        load_s,
        &format!("{n_files} files, {} threads", rayon::current_num_threads()),
    );
    report(
        "ds.build (coverage+areas+index)",
        build_s,
        &format!("{distinct} distinct snapshots"),
    );
    let total = report("ds.load+build", total_s, "without the waters");
    let with_waters = report(
        "ds.load+build with waters",
        total_waters_s,
        "waters/UKR.geojson given (read beforehand), statuses and areas of its cells per state",
    );
    println!("  with waters / without: {:.3}", with_waters / total);
    println!(
        "  per file: {:.2} ms; peak RSS {:.0} MB",
        total / n_files as f64 * 1e3,
        peak_rss_mb()
    );

    TIMINGS.with(|t| {
        t.borrow_mut()
            .insert("peak_rss_mb".into(), serde_json::json!(peak_rss_mb()))
    });
    if build_only {
        save(
            &std::env::var_os("PEERS_WORK")
                .map(PathBuf::from)
                .unwrap_or_else(|| std::env::temp_dir().join("frontline-bench")),
        );
        return;
    }
    if !csv_only && !diffs_only {
        edge_measure_bench(&cat, repeat, total);
    }

    let work = std::env::var_os("PEERS_WORK")
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("frontline-bench"));
    if csv_only {
        let date = chrono::NaiveDate::from_ymd_opt(2025, 6, 1).unwrap_or_default();
        // Without the waters first: the state the CSV path classified against before issue 10
        // (like with like against older commits), then with them.
        if let Some(land) = &land_catalog
            && let Ok(f) = land.in_force(Some("deepstate"), date)
        {
            csv_bench(&f, &work, repeat.max(11), "without waters");
        }
        if let Ok(f) = cat.in_force(Some("deepstate"), date) {
            csv_bench(&f, &work, repeat.max(11), "with waters");
        }
        save(&work);
        return;
    }

    // Consecutive-day diffs over the whole archive, one thread: both directions + geodesic
    // areas of every part (no sliver filter, as the peers).
    {
        let src = &cat.sources["deepstate"];
        let mut per_pair = Vec::new();
        let mut totals = Vec::new();
        for _ in 0..repeat.min(3) {
            let t_all = Instant::now();
            for w in src.epochs.windows(2) {
                let t = Instant::now();
                let fa = frontline::catalog::InForce::of(src, &w[0]);
                let fb = frontline::catalog::InForce::of(src, &w[1]);
                std::hint::black_box(frontline::analytics::diff::diff_in_force(&fa, &fb, 0.0));
                per_pair.push(t.elapsed().as_secs_f64());
            }
            totals.push(t_all.elapsed().as_secs_f64());
        }
        let n = src.epochs.len() - 1;
        let m = report(
            "ds.diffs (all pairs, one thread)",
            totals,
            &format!("{n} consecutive pairs"),
        );
        let (pm, _, _) = median(per_pair.clone());
        per_pair.retain(|s| *s > 1e-5);
        let (pc, _, _) = median(per_pair);
        println!(
            "  per pair: mean {:.2} ms, median {:.2} ms, median of pairs that changed {:.2} ms",
            m / n as f64 * 1e3,
            pm * 1e3,
            pc * 1e3
        );
        TIMINGS.with(|t| {
            t.borrow_mut()
                .insert("ds.diffs.mean_per_pair_s".into(), serde_json::json!(m / n as f64))
        });
    }

    history_bench(&cat, &work, repeat);
    if diffs_only {
        save(&work);
        return;
    }
    nzz_bench(&repo, repeat);

    // Classification of the seeded 1M points.
    let pts_path = work.join("points_1m.f64");
    let Ok(bytes) = std::fs::read(&pts_path) else {
        println!(
            "SKIP classify: no {} (run ../shared/bench/make_workload.py)",
            pts_path.display()
        );
        return;
    };
    let pts: Vec<(f64, f64)> = bytes
        .chunks_exact(16)
        .map(|c| {
            let x = f64::from_le_bytes(c[0..8].try_into().unwrap_or_default());
            let y = f64::from_le_bytes(c[8..16].try_into().unwrap_or_default());
            (x, y)
        })
        .collect();
    let date = chrono::NaiveDate::from_ymd_opt(2025, 6, 1).unwrap_or_default();
    let Ok(f) = cat.in_force(Some("deepstate"), date) else {
        return;
    };
    let state = f.computed();
    let border = f.border_index();
    let border_entry = &f.source.border;
    let mut secs = Vec::new();
    let mut secs_waters = Vec::new();
    let mut counts = [0usize; 4];
    let mut counts_waters = [0usize; 4];
    let mut in_waters = 0usize;
    // Land only (the rule the peers classify by) and with the waters, alternately in one run.
    for _ in 0..repeat.max(5) {
        counts = [0; 4];
        let t = Instant::now();
        for &(x, y) in &pts {
            counts[state.status(border, x, y).0 as usize] += 1;
        }
        secs.push(t.elapsed().as_secs_f64());
        (counts_waters, in_waters) = ([0; 4], 0);
        let t = Instant::now();
        for &(x, y) in &pts {
            let p = state.status_with_waters(border_entry, x, y);
            counts_waters[p.status as usize] += 1;
            in_waters += p.in_waters as usize;
        }
        secs_waters.push(t.elapsed().as_secs_f64());
    }
    let m_waters = report(
        "classify.1M with waters (one thread)",
        secs_waters,
        &format!("snapshot {}", f.snapshot().id()),
    );
    println!(
        "  covered {} occupied {} contested {} outside {}; {in_waters} in the waters",
        counts_waters[0], counts_waters[1], counts_waters[2], counts_waters[3]
    );
    let m = report(
        "classify.1M (one thread)",
        secs,
        &format!("snapshot {}, land only", f.snapshot().id()),
    );
    println!("  with waters / land only: {:.3}", m_waters / m);
    println!(
        "  {:.1} M points/s; covered {} occupied {} contested {} outside {}",
        pts.len() as f64 / m / 1e6,
        counts[0],
        counts[1],
        counts[2],
        counts[3]
    );
    csv_bench(&f, &work, repeat.max(5), "with waters");
    // One snapshot's build, by step.
    let occ_polys: Vec<geo::Polygon<f64>> = f
        .snapshot()
        .features
        .iter()
        .flat_map(|x| x.geometry.0.iter().cloned())
        .collect();
    let bgeom = &f.source.border.border.geometry;
    let time = |name: &str, n: usize, run: &mut dyn FnMut()| {
        let mut secs = Vec::new();
        for _ in 0..n {
            let t = Instant::now();
            run();
            secs.push(t.elapsed().as_secs_f64());
        }
        report(name, secs, "one snapshot")
    };
    let occ_layer = &state.layers.occupied;
    time("step.overlay (clip + difference)", 20, &mut || {
        std::hint::black_box(frontline::coverage::split(bgeom, &occ_polys));
    });
    time("step.geodesic area of occupied", 20, &mut || {
        std::hint::black_box(frontline::geodesy::area_km2(occ_layer));
    });
    let border_edges = &f.source.border.edges;
    time("step.line of contact + length", 20, &mut || {
        std::hint::black_box(frontline::analytics::line::LineOfContact::new(
            occ_layer,
            border_edges,
            &state.pieces,
        ));
    });
    let raw_covered = &state.layers_of(true).covered;
    time("step.slivers (find the pieces)", 20, &mut || {
        std::hint::black_box(frontline::analytics::slivers::find_pieces(
            raw_covered,
            false,
            border_edges,
            occ_polys.iter().map(|p| p.exterior()),
            |_, _| None,
            None,
        ));
    });
    time("step.point index", 20, &mut || {
        std::hint::black_box(frontline::index::PolygonIndex::new(&occ_polys));
    });
    let (bnx, bny, bmixed) = border.grid_stats();
    println!("  border grid {bnx}x{bny}, {:.2} % cells exact-tested", bmixed * 100.0);
    for ix in &state.occupied {
        let (nx, ny, mixed) = ix.grid_stats();
        println!(
            "  occupied grid {nx}x{ny}, {:.2} % cells exact-tested, {} KiB",
            mixed * 100.0,
            ix.heap_bytes() / 1024
        );
    }
    save(&work);
}

/// Reads a workload file of little-endian (lon, lat) f64 pairs.
fn read_points(path: &std::path::Path) -> Option<Vec<(f64, f64)>> {
    let bytes = std::fs::read(path).ok()?;
    Some(
        bytes
            .chunks_exact(16)
            .map(|c| {
                let x = f64::from_le_bytes(c[0..8].try_into().unwrap_or_default());
                let y = f64::from_le_bytes(c[8..16].try_into().unwrap_or_default());
                (x, y)
            })
            .collect(),
    )
}

/// Point histories of the 10k seeded points over every DeepState date: the change index (built
/// once, timed apart), one thread and all threads, against re-testing every epoch.
fn history_bench(cat: &Catalog, work: &std::path::Path, repeat: usize) {
    use frontline::analytics::history::{histories, history_brute_force, history_with};
    let path = work.join("points_10k.f64");
    let Some(pts) = read_points(&path) else {
        println!("SKIP history: no {} (run scripts/make-workload.sh)", path.display());
        return;
    };
    let src = &cat.sources["deepstate"];
    let mut build = Vec::new();
    let mut index = None;
    for _ in 0..repeat.max(3) {
        let t = Instant::now();
        index = Some(src.build_history_index());
        build.push(t.elapsed().as_secs_f64());
    }
    let Some(index) = index else { return };
    let (transitions, boxes) = index.stats();
    report(
        "history.index build",
        build,
        &format!("{transitions} transitions, {boxes} change boxes"),
    );
    src.history_index();
    let mut scratch = Vec::new();
    let mut candidates = 0usize;
    for &(x, y) in &pts {
        index.candidates(x, y, &mut scratch);
        candidates += scratch.len();
    }
    let mut one = Vec::new();
    let mut all = Vec::new();
    let mut brute = Vec::new();
    let mut intervals = 0;
    for _ in 0..repeat.max(5) {
        let t = Instant::now();
        intervals = 0;
        for &(x, y) in &pts {
            intervals += history_with(src, &index, x, y, &mut scratch).len();
        }
        one.push(t.elapsed().as_secs_f64());
        let t = Instant::now();
        std::hint::black_box(histories(src, &pts));
        all.push(t.elapsed().as_secs_f64());
    }
    for _ in 0..repeat.min(3) {
        let t = Instant::now();
        for &(x, y) in &pts {
            std::hint::black_box(history_brute_force(src, x, y));
        }
        brute.push(t.elapsed().as_secs_f64());
    }
    let n = pts.len();
    let e = src.epochs.len();
    report(
        "history.10k (one thread)",
        one,
        &format!(
            "{n} points x {e} epochs; {intervals} intervals; {:.2} candidate epochs a point",
            candidates as f64 / n as f64
        ),
    );
    report("history.10k (all threads)", all, "");
    report("history.10k brute force (one thread)", brute, "every epoch re-tested");
}

/// The NZZ archive: read + validate + union(nochange, gains) of every file, then every coverage,
/// area and index, composed with the embedded Crimea baseline.
/// The cost of issue 16's edge semantics, in one run whatever the machine's load: the areas of
/// every distinct occupied layer of the archive measured on straight lon/lat edges (integrated
/// exactly, `frontline::geodesy::area_km2`) and as geodesic polygons (geo's Karney area, what was
/// measured before), alternately, single-threaded; and the sum of the differences.
fn edge_measure_bench(cat: &Catalog, repeat: usize, load_build_s: f64) {
    use geo::GeodesicArea;
    let src = &cat.sources["deepstate"];
    let mut seen = std::collections::HashSet::new();
    let layers: Vec<&geo::MultiPolygon<f64>> = src
        .epochs
        .iter()
        .filter(|e| seen.insert(std::sync::Arc::as_ptr(&e.state)))
        .map(|e| &e.state.computed().layers.occupied)
        .collect();
    let (mut straight, mut geodesic) = (Vec::new(), Vec::new());
    let (mut a_s, mut a_g, mut worst) = (0.0, 0.0, 0.0f64);
    for _ in 0..repeat.max(5) {
        let t = Instant::now();
        a_s = layers.iter().map(|l| frontline::geodesy::area_km2(l)).sum::<f64>();
        straight.push(t.elapsed().as_secs_f64());
        let t = Instant::now();
        a_g = layers.iter().map(|l| l.geodesic_area_unsigned() / 1e6).sum::<f64>();
        geodesic.push(t.elapsed().as_secs_f64());
    }
    for l in &layers {
        let (s, g) = (frontline::geodesy::area_km2(l), l.geodesic_area_unsigned() / 1e6);
        worst = worst.max((s - g).abs() / g);
    }
    let ms = report(
        "areas, straight edges (exact)",
        straight,
        &format!("{} distinct occupied layers, one thread", layers.len()),
    );
    let mg = report("areas, geodesic polygons (before)", geodesic, "same layers");
    println!(
        "  straight / geodesic: {:.2}x; the difference is {:.1} ms a load = {:.2} % of ds.load+build; areas differ by {:.2e} relative at most (sum {a_s:.1} vs {a_g:.1} km2)",
        ms / mg,
        (ms - mg) * 1e3,
        (ms - mg) / load_build_s * 100.0,
        worst
    );
}

fn nzz_bench(repo: &std::path::Path, repeat: usize) {
    let dir = repo.join("../shared/data/nzz");
    if !dir.is_dir() {
        println!("SKIP nzz: no {}", dir.display());
        return;
    }
    let Ok(base) = load_dir(&repo.join("geodata")) else {
        return;
    };
    let border = base.geodata.borders[0].clone();
    let crimea: Vec<_> = base
        .geodata
        .baselines
        .into_iter()
        .filter(|b| b.name == "crimea")
        .collect();
    let (mut load, mut build, mut total) = (Vec::new(), Vec::new(), Vec::new());
    let mut files = 0;
    for _ in 0..repeat {
        let t0 = Instant::now();
        let Ok((g, _)) = frontline::geodata::nzz::archive_geodata(border.clone(), crimea.clone(), &dir, "nzz") else {
            println!("nzz archive invalid");
            return;
        };
        files = g.sources[0].snapshots.len();
        let t1 = Instant::now();
        let cat = Catalog::build(g);
        cat.compute_all();
        let t2 = Instant::now();
        load.push((t1 - t0).as_secs_f64());
        build.push((t2 - t1).as_secs_f64());
        total.push((t2 - t0).as_secs_f64());
    }
    report("nzz.load (read+validate+union)", load, &format!("{files} files"));
    report("nzz.build (coverage+areas+index)", build, "");
    report("nzz.load+build", total, "");
}

/// The CSV path of `frontline classify`: parse + classify + write, from memory to a sink,
/// against a plain line copy (read + write, no parsing) as the I/O ceiling, and against the
/// classification alone of the same points (parsed beforehand, from `points_1m.f64`, split in
/// two halves on both cores as the CSV path splits its blocks): the CPU time between the two is
/// the reader's and the writer's. `label` names the state (with or without the waters).
fn csv_bench(f: &frontline::catalog::InForce<'_>, work: &std::path::Path, runs: usize, label: &str) {
    let csv_path = work.join("points_1m.csv");
    let Ok(csv) = std::fs::read(&csv_path) else {
        println!("SKIP classify.csv: no {}", csv_path.display());
        return;
    };
    let pts: Vec<(f64, f64)> = std::fs::read(work.join("points_1m.f64"))
        .unwrap_or_default()
        .chunks_exact(16)
        .map(|c| {
            let x = f64::from_le_bytes(c[0..8].try_into().unwrap_or_default());
            let y = f64::from_le_bytes(c[8..16].try_into().unwrap_or_default());
            (x, y)
        })
        .collect();
    let state = f.computed();
    let border = &f.source.border;
    let classify_half = |half: &[(f64, f64)]| {
        let mut counts = [0u64; 4];
        for &(x, y) in half {
            counts[state.status_with_waters(border, x, y).status as usize] += 1;
        }
        counts
    };
    let mb = csv.len() as f64 / 1e6;
    let mut secs = Vec::new();
    let mut copy_secs = Vec::new();
    let mut alone_secs = Vec::new();
    let (mut cpu, mut cpu_alone) = (0.0, 0.0);
    let mut csv_counts = None;
    let mut alone_counts = [0u64; 4];
    for _ in 0..runs {
        let t = Instant::now();
        let c0 = cpu_secs();
        let counts = frontline::query::csv::classify_csv(f, &csv[..], &mut std::io::sink());
        cpu += cpu_secs() - c0;
        secs.push(t.elapsed().as_secs_f64());
        csv_counts = Some(counts.expect("the CSV classifies"));
        let t = Instant::now();
        let c0 = cpu_secs();
        let (a, b) = pts.split_at(pts.len() / 2);
        let (ca, cb) = rayon::join(|| classify_half(a), || classify_half(b));
        cpu_alone += cpu_secs() - c0;
        alone_secs.push(t.elapsed().as_secs_f64());
        alone_counts = std::array::from_fn(|i| ca[i] + cb[i]);
        let t = Instant::now();
        let mut line = Vec::new();
        let mut input = std::io::BufReader::new(&csv[..]);
        let mut out = std::io::sink();
        while std::io::BufRead::read_until(&mut input, b'\n', &mut line).unwrap_or(0) > 0 {
            std::io::Write::write_all(&mut out, &line).unwrap_or_default();
            line.clear();
        }
        copy_secs.push(t.elapsed().as_secs_f64());
    }
    let m = report(
        &format!("classify.csv 1M, {label}"),
        secs,
        &format!("{mb:.1} MB, both cores"),
    );
    let c = report("  line copy, no parsing", copy_secs, "");
    println!("  classify {:.0} MB/s vs line copy {:.0} MB/s", mb / m, mb / c);
    if !pts.is_empty() {
        let a = report(
            &format!("classification alone, {label}"),
            alone_secs,
            "the same points parsed beforehand, both cores",
        );
        if let Some(c) = csv_counts {
            assert_eq!(
                [c.covered, c.occupied, c.contested, c.outside],
                alone_counts,
                "the CSV and the points file hold the same points"
            );
        }
        println!(
            "  CPU time per run: CSV path {:.4} s, classification alone {:.4} s, reader + writer {:.4} s ({:.0}% of the path); wall {:.4} s vs {:.4} s",
            cpu / runs as f64,
            cpu_alone / runs as f64,
            (cpu - cpu_alone) / runs as f64,
            (cpu - cpu_alone) / cpu * 100.0,
            m,
            a
        );
    }
    // The same points with every id quoted: the RFC 4180 path (the `csv` crate) for every row.
    let mut quoted = Vec::with_capacity(csv.len() + csv.len() / 10);
    for (i, line) in csv.split_inclusive(|&b| b == b'\n').enumerate() {
        match line.iter().position(|&b| b == b',') {
            Some(c) if i > 0 => {
                quoted.push(b'"');
                quoted.extend_from_slice(&line[..c]);
                quoted.push(b'"');
                quoted.extend_from_slice(&line[c..]);
            }
            _ => quoted.extend_from_slice(line),
        }
    }
    let mut quoted_secs = Vec::new();
    for _ in 0..runs.min(5) {
        let t = Instant::now();
        let counts = frontline::query::csv::classify_csv(f, &quoted[..], &mut std::io::sink());
        quoted_secs.push(t.elapsed().as_secs_f64());
        assert!(counts.is_ok());
    }
    let q = report(
        &format!("classify.csv quoted ids, {label}"),
        quoted_secs,
        &format!("{:.1} MB", quoted.len() as f64 / 1e6),
    );
    println!("  quoted ids (RFC 4180 path) {:.0} MB/s", quoted.len() as f64 / 1e6 / q);
    // CPU time of the process (both cores) per run: steadier than wall time on a shared machine.
    let per_run = cpu / runs as f64;
    println!(
        "  CPU time per run {:.4} s (user+sys, all threads): {:.0} MB per CPU-second",
        per_run,
        mb / per_run
    );
}

/// User + system CPU time of this process so far, seconds (`/proc/self/stat`, clock ticks of
/// 10 ms: sum it over many runs).
fn cpu_secs() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<f64> = after.split_whitespace().map(|x| x.parse().unwrap_or(0.0)).collect();
    // Fields 14 and 15 of the line; `after` starts at field 3.
    (f.get(11).copied().unwrap_or(0.0) + f.get(12).copied().unwrap_or(0.0)) / 100.0
}
