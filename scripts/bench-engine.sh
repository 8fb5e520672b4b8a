#!/usr/bin/env bash
# Engine benchmark against the shapely peer, both run here in the same session:
#   load + validate the shared DeepState archive and build every coverage, area and index;
#   classify the 1,000,000 seeded points of ../shared/bench/make_workload.py (one thread);
#   diff every consecutive pair of days (both directions + geodesic areas, one thread);
#   point histories of the 10,000 seeded points over every date; the NZZ archive's load + coverage.
# Prints both sides' medians and the ratios. Needs python3 and the package registries (PyPI) once.
# Env: REPEAT (default 3), PEERS_WORK (default $TMPDIR/frontline-bench).
# `scripts/bench-engine.sh --csv-only`: no peer; loads the archive once and times only the CSV
# classification of the 1M points (medians of at least 11 runs, MB/s).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
bench=$repo/../shared/bench
export PEERS_WORK=${PEERS_WORK:-${TMPDIR:-/tmp}/frontline-bench}
export REPEAT=${REPEAT:-3}
"$repo/scripts/make-workload.sh"
venv=${TMPDIR:-/tmp}/frontline-venv
if [ "${1:-}" = "--csv-only" ]; then
  (cd "$repo" && BENCH_ONLY=csv cargo bench --bench engine)
  exit 0
fi

echo "== shapely peer (REPEAT=$REPEAT)"
# The peer's NZZ step reads NZZ's published table as DATA_DIR/territory.csv: a folder of links.
data=$PEERS_WORK/data-links
mkdir -p "$data"
ln -sfn "$repo/../shared/data/deepstate" "$data/deepstate"
ln -sfn "$repo/../shared/data/nzz" "$data/nzz"
ln -sfn "$repo/../shared/data/nzz_published_areas_2022.csv" "$data/territory.csv"
(cd "$bench" && DATA_DIR="$data" REF_DIR="$PEERS_WORK/ref" "$venv/bin/python" shapely_peer.py load coverage classify history diff nzz)
echo "== frontline"
(cd "$repo" && cargo bench --bench engine)

"$venv/bin/python" - "$PEERS_WORK" <<'PY'
import json, sys, os
w = sys.argv[1]
s = json.load(open(os.path.join(w, "shapely_timings_load_coverage_classify_history_diff_nzz.json")))
f = json.load(open(os.path.join(w, "frontline_timings.json")))
peer_load = s["ds.load"]["median_s"] + s["ds.coverage_build"]["median_s"]
ours_load = f["ds.load+build"]["median_s"]
print(f"\nload + build all coverages: shapely {peer_load:.2f} s, frontline {ours_load:.2f} s -> {peer_load / ours_load:.1f}x "
      f"(target 5x); frontline peak RSS {f['peak_rss_mb']:.0f} MB (target < 500)")
if "classify.1M (one thread)" in f:
    ps = 1e6 / s["classify.1M"]["median_s"]; fs = 1e6 / f["classify.1M (one thread)"]["median_s"]
    print(f"classify 1M points: shapely {ps / 1e6:.1f} M/s, frontline {fs / 1e6:.1f} M/s -> {fs / ps:.1f}x (target 5x, stretch 10x)")
sd = s["ds.diffs"]["median_s"] / s["ds.diffs.per_pair"]["n"]
fd = f["ds.diffs.mean_per_pair_s"]
print(f"consecutive-day diffs: shapely {sd * 1e3:.1f} ms a pair, frontline {fd * 1e3:.2f} ms a pair -> {sd / fd:.1f}x "
      f"(target 4x the faster peer; PostGIS's README figure is 27 ms a pair: {0.027 / fd:.1f}x)")
if "history.10k (one thread)" in f:
    sh = s["history.10k_x_all_dates"]["median_s"]
    fh = f["history.10k (one thread)"]["median_s"]; fb = f["history.index build"]["median_s"]
    print(f"history of 10k points over every date: shapely {sh:.3f} s, frontline {fh * 1e3:.2f} ms -> {sh / fh:.0f}x (target 20x); "
          f"counting the change index build ({fb * 1e3:.1f} ms, once per load): {sh / (fh + fb):.1f}x")
if "nzz.load+build" in f:
    sn = s["nzz.load"]["median_s"] + s["nzz.coverage_build"]["median_s"]
    fn = f["nzz.load+build"]["median_s"]
    print(f"NZZ archive load + every coverage: shapely {sn:.2f} s, frontline {fn:.2f} s -> {sn / fn:.1f}x")
PY
