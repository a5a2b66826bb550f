#!/usr/bin/env bash
# Benchmark (not a test): 10,000 bootstrap resamples over both paper matrices,
# every benchmark, the whole pipeline refitted in each resample, on 2 threads.
# Also checks that the output is byte-identical on 1 and 2 threads.
#
#   bench/bootstrap.sh [RESAMPLES]      # default 10000
#
# Needs the paper's data: fetched on first use, or SAFETYWASHING_DATA pointing
# at a folder with benchmarks_{base,chat}_models.csv and benchmarks_info.csv.
set -euo pipefail
cd "$(dirname "$0")/.."
resamples="${1:-10000}"
cargo build --release --quiet
bin="${CARGO_TARGET_DIR:-target}/release/safetywashing"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
for threads in 2 1; do
  # Wall time, and CPU time (user + sys), which other load on the machine
  # disturbs less: on idle cores, wall ≈ CPU / threads.
  RAYON_NUM_THREADS=$threads /usr/bin/time -f "%e %U %S" -o "$out/time$threads" \
    "$bin" analyze --bootstrap "$resamples" --seed 1 --format json >"$out/t$threads.json"
  read -r wall user sys <"$out/time$threads"
  printf 'bootstrap %s resamples, base+chat, %s thread(s): %s s wall, %.2f s CPU (load average %s)\n' \
    "$resamples" "$threads" "$wall" "$(echo "$user + $sys" | bc)" "$(cut -d' ' -f1 /proc/loadavg)"
done
if cmp -s "$out/t1.json" "$out/t2.json"; then
  echo "output identical on 1 and 2 threads ($(wc -c <"$out/t2.json") bytes)"
else
  echo "OUTPUT DIFFERS between 1 and 2 threads" >&2
  exit 1
fi
