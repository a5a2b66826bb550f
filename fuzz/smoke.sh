#!/usr/bin/env bash
# Fuzz smoke check (run by .ci/run): build every fuzz target, then fuzz each
# one for a short time (default 60 s) starting from its committed seeds and
# its crash regressions, as many targets at a time as there are cores. A
# crash, a panic or a leak fails the script (after the other targets ran).
#
#   fuzz/smoke.sh            # 60 s per target
#   FUZZ_JOBS=1 fuzz/smoke.sh  # one target at a time
#   fuzz/smoke.sh 600        # longer
#   FUZZ_TARGET_DIR=DIR fuzz/smoke.sh   # build into DIR instead of fuzz/target
#
# Installs cargo-fuzz when missing. Uses a nightly toolchain when rustup has
# one; otherwise the stable one with RUSTC_BOOTSTRAP=1 (libFuzzer needs no
# sanitizer here: `-s none`, the code is safe Rust).
set -euo pipefail
cd "$(dirname "$0")"
seconds="${1:-60}"

if ! command -v cargo-fuzz >/dev/null 2>&1; then
  echo "fuzz/smoke.sh: installing cargo-fuzz" >&2
  cargo install cargo-fuzz --locked
fi
toolchain=()
if rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
  toolchain=(+nightly)
else
  export RUSTC_BOOTSTRAP=1
fi
# FUZZ_TARGET_DIR: build somewhere else than fuzz/target (a warm build).
target_dir=()
if [ -n "${FUZZ_TARGET_DIR:-}" ]; then
  target_dir=(--target-dir "$FUZZ_TARGET_DIR")
fi
fuzz() { cargo "${toolchain[@]}" fuzz "$@"; }

fuzz build -s none "${target_dir[@]}"

# One target: fuzz it, keep its log; exit status is the fuzzer's.
run_one() {
  local target=$1 log=$2
  mkdir -p "corpus/$target"
  local dirs=("corpus/$target" "seeds/$target")
  [ -d "regressions/$target" ] && dirs+=("regressions/$target")
  fuzz run -s none "${target_dir[@]}" "$target" "${dirs[@]}" -- \
    -max_total_time="$seconds" -rss_limit_mb=2048 -print_final_stats=1 >"$log" 2>&1
}

# Targets run side by side, one per core (FUZZ_JOBS to change): each still
# gets its full time on a core of its own, and the whole check takes
# targets / cores times as long as one target.
jobs="${FUZZ_JOBS:-$(nproc)}"
logs="$(mktemp -d)"
trap 'rm -rf "$logs"' EXIT
targets=($(fuzz list))
failed=()
for ((i = 0; i < ${#targets[@]}; i += jobs)); do
  batch=("${targets[@]:i:jobs}")
  pids=()
  for target in "${batch[@]}"; do
    echo "fuzz/smoke.sh: $target for ${seconds}s" >&2
    run_one "$target" "$logs/$target.log" &
    pids+=($!)
  done
  for k in "${!batch[@]}"; do
    target=${batch[k]}
    status=0
    wait "${pids[k]}" || status=$?
    grep -E '^(stat::number_of_executed_units|Done [0-9]+ runs)' "$logs/$target.log" | sed "s/^/$target: /" || true
    if [ "$status" -ne 0 ]; then
      tail -n 40 "$logs/$target.log" >&2
      echo "fuzz/smoke.sh: $target failed (exit $status); the input is under fuzz/artifacts/$target/" >&2
      failed+=("$target")
    fi
  done
done
if [ "${#failed[@]}" -ne 0 ]; then
  echo "fuzz/smoke.sh: failed: ${failed[*]}" >&2
  exit 1
fi
echo "fuzz/smoke.sh: every target ran ${seconds}s without a crash" >&2
