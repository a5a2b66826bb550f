#!/usr/bin/env bash
# Benchmark (not a test) of the file tools on big matrices: `merge` of two
# ~20 MB matrices (peak memory against the input size) and `add --dry-run`
# against the real `add` on a 20,000-model matrix (time, and how it grows
# from 5,000 to 20,000 models).
#
#   bench/scale.sh
#
# Environment: REPEAT (runs per case, median reported; default 3), BENCH_DIR
# (default bench/work, git-ignored). Wall and CPU (user+sys) medians, peak
# resident memory: bench/measure.py.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
REPEAT=${REPEAT:-3}
WORK=${BENCH_DIR:-$ROOT/bench/work}
mkdir -p "$WORK"
cargo build --release --quiet
BIN=${CARGO_TARGET_DIR:-$ROOT/target}/release/safetywashing

measure() { # NAME CMD... : sets WALL CPU RSS
  local name=$1
  shift
  read -r WALL CPU RSS < <(python3 "$ROOT/bench/measure.py" --runs "$REPEAT" --out "$WORK/$name.out" -- "$@")
}

# Two matrices of the same 20,000 models with different benchmarks: the
# second one's benchmark headers get a `b_` prefix, and it has no FLOP.
models=20000
a=$WORK/merge-a.csv
b=$WORK/merge-b.csv
if [ ! -s "$a" ] || [ ! -s "$b" ]; then
  "$BIN" simulate --models "$models" --benchmarks 100 --seed 1 -o "$a" 2>/dev/null
  "$BIN" simulate --models "$models" --benchmarks 100 --seed 2 -o "$WORK/merge-b-raw.csv" 2>/dev/null
  python3 - "$WORK/merge-b-raw.csv" "$b" <<'EOF'
import csv, sys
meta = {"model_size", "FLOP", "name", "type"}
with open(sys.argv[1], newline="") as f, open(sys.argv[2], "w", newline="") as out:
    rows = csv.reader(f)
    header = next(rows)
    keep = [i for i, h in enumerate(header) if i == 0 or h not in meta]
    w = csv.writer(out, lineterminator="\n")
    w.writerow([header[i] if i == 0 else "b_" + header[i] for i in keep])
    for r in rows:
        w.writerow([r[i] for i in keep])
EOF
fi
in_bytes=$(($(stat -c %s "$a") + $(stat -c %s "$b")))
measure merge "$BIN" merge "$a" "$b" -o "$WORK/merged.csv"
echo "merge of two matrices ($((in_bytes / 1048576)) MiB in all, $models models each): $WALL s wall, $CPU s CPU, peak $((RSS / 1024)) MiB = $(awk -v r="$RSS" -v b="$in_bytes" 'BEGIN {printf "%.1f", r * 1024 / b}')x the input"

# add / add --dry-run: a new column for every model of the matrix.
for n in 5000 $models; do
  m=$WORK/add-$n.csv
  head -n $((n + 1)) "$a" >"$m"
  awk -F, 'NR == 1 {print "model,score"; next} {printf "%s,%.4f\n", $1, (NR % 97) / 97}' "$m" >"$WORK/add-new-$n.csv"
  measure "add-$n" sh -c "cp '$m' '$WORK/add-target.csv' && '$BIN' add '$WORK/add-target.csv' --from '$WORK/add-new-$n.csv' --benchmark new_bench"
  add_wall=$WALL
  measure "add-dry-$n" "$BIN" add "$m" --from "$WORK/add-new-$n.csv" --benchmark new_bench --dry-run
  echo "add on $n models: $add_wall s wall; add --dry-run: $WALL s wall ($(awk -v d="$WALL" -v a="$add_wall" 'BEGIN {printf "%.1f", d / a}')x)"
done
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
