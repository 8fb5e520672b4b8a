#!/usr/bin/env bash
# Import of the shared DeepState (536 files) and NZZ (311 files) archives into fresh copies of
# the embedded geodata, then again (the no-op path): median of RUNS wall times each.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
runs=${RUNS:-3}
work=${WORK:-${TMPDIR:-/tmp}/frontline-import}
bin=$repo/target/release/frontline
(cd "$repo" && cargo build --release --quiet)
for fmt in deepstate nzz; do
  first=(); again=()
  for _ in $(seq "$runs"); do
    rm -rf "$work" && mkdir -p "$work" && cp -r "$repo/geodata" "$work/geodata"
    t0=$(date +%s.%N); "$bin" import $fmt "$repo/../shared/data/$fmt" --source $fmt --data "$work/geodata" > "$work/first.txt"; t1=$(date +%s.%N)
    "$bin" import $fmt "$repo/../shared/data/$fmt" --source $fmt --data "$work/geodata" > "$work/again.txt"; t2=$(date +%s.%N)
    first+=("$(echo "$t1 - $t0" | bc)"); again+=("$(echo "$t2 - $t1" | bc)")
  done
  head -1 "$work/first.txt"; head -1 "$work/again.txt"
  python3 -c "import statistics,sys; f=[float(x) for x in sys.argv[1].split()]; a=[float(x) for x in sys.argv[2].split()]; print(f'$fmt: import median {statistics.median(f):.2f} s [{min(f):.2f}-{max(f):.2f}], again {statistics.median(a):.2f} s')" "${first[*]}" "${again[*]}"
done
