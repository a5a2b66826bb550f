#!/usr/bin/env bash
# Byte-identity check (not a test): the same outputs for the same seed from
# two builds of the tool, e.g. before and after a speed change.
#
#   bench/identity.sh OLD_BINARY NEW_BINARY [PAPER_DIR]
#
# PAPER_DIR holds benchmarks_{base,chat}_models.csv and benchmarks_info.csv
# (default: `NEW_BINARY data path`). Runs analyze in every format and method,
# bootstraps (models, clusters, Kendall) and permutations with sensitivity,
# and compares each output byte for byte. Exit 1 on any difference.
set -euo pipefail
old=$1 new=$2
paper=${3:-$("$new" data path)}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
m=("$paper/benchmarks_base_models.csv" "$paper/benchmarks_chat_models.csv" --info "$paper/benchmarks_info.csv")
cases=(
  "analyze.text|--format text"
  "analyze.json|--format json"
  "analyze.csv|--format csv"
  "kendall.json|--method kendall --format json"
  "pearson.json|--method pearson --format json"
  "boot.json|--bootstrap 1000 --seed 3 --format json"
  "boot-kendall.json|--bootstrap 300 --seed 2 --method kendall --format json"
  "boot-cluster.json|--bootstrap 300 --cluster-by-prefix --seed 2 --format json"
  "perm.json|--permutations 200 --sensitivity --format json"
)
status=0
for c in "${cases[@]}"; do
  name=${c%%|*}
  read -r -a args <<<"${c#*|}"
  "$old" analyze "${m[@]}" "${args[@]}" >"$work/old.$name" 2>/dev/null
  "$new" analyze "${m[@]}" "${args[@]}" >"$work/new.$name" 2>/dev/null
  if cmp -s "$work/old.$name" "$work/new.$name"; then
    echo "same bytes: $name ($(wc -c <"$work/new.$name") bytes)"
  else
    echo "DIFFERENT: $name" >&2
    status=1
  fi
done
exit $status
