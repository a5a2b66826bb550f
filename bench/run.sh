#!/usr/bin/env bash
# Side-by-side benchmark of `safetywashing analyze` (release build) and the
# pandas baseline (bench/baseline.py) on the same files, with the same
# results checked (bench/compare.py). Not part of CI's tests.
#
#   bench/run.sh                      # paper base+chat, 1k x 100, 10k x 1k, 50k x 2k
#   SIZES="1000x100" bench/run.sh     # only some simulated sizes
#
# Environment:
#   SIZES             simulated sizes, MODELSxBENCHMARKS, space-separated
#   REPEAT            runs of each case, the median is reported (default 5)
#   REPEAT_LARGE      runs of the baseline on more than 1M cells (default 1)
#   BASELINE_TIMEOUT  seconds before the baseline is given up (default 1200)
#   SAFETYWASHING_DATA  folder with the paper's files (else `safetywashing data path`)
#   BENCH_DIR         where data and outputs go (default bench/work, git-ignored)
#
# Wall time is the median over runs; CPU is user+sys; peak memory is the
# largest resident set (all from bench/measure.py).
# The results table is printed and written to $BENCH_DIR/results.md.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
SIZES=${SIZES:-"1000x100 10000x1000 50000x2000"}
REPEAT=${REPEAT:-5}
REPEAT_LARGE=${REPEAT_LARGE:-1}
BASELINE_TIMEOUT=${BASELINE_TIMEOUT:-1200}
WORK=${BENCH_DIR:-$ROOT/bench/work}
mkdir -p "$WORK"

# --- tools -----------------------------------------------------------------
VENV=$ROOT/bench/.venv
if ! "$VENV/bin/python" -c "import pandas, numpy, scipy" 2>/dev/null; then
  echo "installing the baseline's packages into bench/.venv ..." >&2
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q -r "$ROOT/bench/requirements.txt"
fi
PY=$VENV/bin/python
echo "building the release binary ..." >&2
cargo build --release --quiet
BIN=${CARGO_TARGET_DIR:-$ROOT/target}/release/safetywashing

# --- measuring ---------------------------------------------------------------
# measure NAME RUNS CMD... : runs CMD (stdout to $WORK/NAME.out) RUNS times
# (bench/measure.py reads the child's own rusage, so no wrapper process is
# timed); sets WALL (median s), CPU (median user+sys s), RSS (max KiB), OK.
measure() {
  local name=$1 runs=$2
  shift 2
  local result
  OK=1
  if ! result=$(python3 "$ROOT/bench/measure.py" --runs "$runs" --timeout "$BASELINE_TIMEOUT" \
    --out "$WORK/$name.out" -- "$@"); then
    OK=0
    return
  fi
  read -r WALL CPU RSS <<<"$result"
}

mib() { awk -v k="$1" 'BEGIN {printf "%.0f MiB", k / 1024}'; }
secs() { awk -v s="$1" 'BEGIN {if (s < 0.1) printf "%.1f ms", s * 1000; else if (s < 10) printf "%.2f s", s; else printf "%.1f s", s}'; }

ROWS=()
declare -A RUST_WALL RUST_CPU
# case NAME RUNS FILES... : both tools on the same files (the Rust tool REPEAT
# times, the baseline RUNS times), results compared.
run_case() {
  local name=$1 runs=$2
  shift 2
  echo "== $name" >&2
  measure "$name.rust" "$REPEAT" "$BIN" analyze "$@" --format csv
  if [ "$OK" != 1 ]; then
    echo "bench/run.sh: safetywashing analyze failed on $name (above); is the paper's data there (SAFETYWASHING_DATA)?" >&2
    exit 1
  fi
  local rw=$WALL rc=$CPU rr=$RSS
  RUST_WALL[$name]=$rw
  RUST_CPU[$name]=$rc
  measure "$name.baseline" "$runs" "$PY" "$ROOT/bench/baseline.py" "$@"
  if [ "$OK" = 1 ]; then
    local same
    same=$(python3 "$ROOT/bench/compare.py" "$WORK/$name.rust.out" "$WORK/$name.baseline.out" 2>&1 | tail -1)
    local ratio
    ratio=$(awk -v b="$WALL" -v r="$rw" -v bc="$CPU" -v rc="$rc" 'BEGIN {printf "%.0f× / %.0f×", b / r, bc / rc}')
    ROWS+=("| $name | $(secs "$rw") | $(secs "$rc") | $(mib "$rr") | $(secs "$WALL") | $(secs "$CPU") | $(mib "$RSS") | $ratio | $same |")
  else
    ROWS+=("| $name | $(secs "$rw") | $(secs "$rc") | $(mib "$rr") | did not finish in ${BASELINE_TIMEOUT} s | | | | |")
  fi
}

# --- cases -------------------------------------------------------------------
PAPER=${SAFETYWASHING_DATA:-$("$BIN" data path)}
run_case "paper base+chat" "$REPEAT" \
  "$PAPER/benchmarks_base_models.csv" "$PAPER/benchmarks_chat_models.csv"

for size in $SIZES; do
  models=${size%x*}
  benchmarks=${size#*x}
  file=$WORK/sim-$size.csv
  if [ ! -s "$file" ]; then
    echo "simulating $size ..." >&2
    "$BIN" simulate --models "$models" --benchmarks "$benchmarks" --seed 1 -o "$file" 2>/dev/null
  fi
  runs=$REPEAT
  ((models * benchmarks > 1000000)) && runs=$REPEAT_LARGE
  run_case "$models × $benchmarks" "$runs" "$file"
done

# --- report ------------------------------------------------------------------
{
  echo "Machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p'), $(free -g | awk '/^Mem:/ {print $2}') GiB; load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo
  echo "| case | safetywashing wall | CPU | peak memory | pandas baseline wall | CPU | peak memory | speed-up wall / CPU | same results |"
  echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"
  printf '%s\n' "${ROWS[@]}"
  sizes=($SIZES)
  if [ "${#sizes[@]}" -ge 2 ]; then
    echo
    for ((i = 1; i < ${#sizes[@]}; i++)); do
      a=${sizes[0]} b=${sizes[i]}
      ka="${a%x*} × ${a#*x}" kb="${b%x*} × ${b#*x}"
      awk -v a="$a" -v b="$b" -v ta="${RUST_WALL[$ka]}" -v tb="${RUST_WALL[$kb]}" \
        -v ca="${RUST_CPU[$ka]}" -v cb="${RUST_CPU[$kb]}" 'BEGIN {
        split(a, x, "x"); split(b, y, "x"); cells = (y[1] * y[2]) / (x[1] * x[2]);
        printf "Scaling of safetywashing %s → %s: %.0f× the cells; wall %.1f× (exponent %.2f), CPU %.1f× (exponent %.2f)\n",
          a, b, cells, tb / ta, log(tb / ta) / log(cells), cb / ca, log(cb / ca) / log(cells) }'
    done
  fi
} | tee "$WORK/results.md"
