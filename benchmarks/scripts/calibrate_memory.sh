#!/usr/bin/env bash
# Memory check for `safetywashing calibrate`: writes a synthetic lm-eval samples file of
# SIZE_MB megabytes (lines shaped like lm-eval 0.4.x multiple-choice samples, ~1.1 KB each,
# 4 choices) and reports the peak resident memory of calibrating it. Target: < 200 MB for a
# multi-GB file. Needs GNU time (/usr/bin/time) and python3.
#   benchmarks/scripts/calibrate_memory.sh [SIZE_MB] [BINARY]
set -euo pipefail
size_mb="${1:-2048}"
bin="${2:-target/release/safetywashing}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
python3 - "$tmp/samples.jsonl" "$size_mb" <<'PY'
import json, random, sys
path, size = sys.argv[1], int(sys.argv[2]) * 1024 * 1024
rng = random.Random(1)
written = 0
with open(path, "w") as f:
    i = 0
    while written < size:
        q = f"Question: synthetic question number {i} about a topic?\nAnswer:"
        choices = [f" choice {k} for {i}" for k in range(4)]
        gold = rng.randrange(4)
        lls = [-rng.uniform(0.5, 6.0) - (0 if k == gold else rng.uniform(0, 1)) for k in range(4)]
        line = json.dumps({
            "doc_id": i,
            "doc": {"question": q, "choices": choices, "answer": gold},
            "target": str(gold),
            "arguments": {f"gen_args_{k}": {"arg_0": q, "arg_1": c} for k, c in enumerate(choices)},
            "resps": [[[repr(l), "False"]] for l in lls],
            "filtered_resps": [[repr(l), "False"] for l in lls],
            "filter": "none", "metrics": ["acc", "brier_score"],
            "doc_hash": "%064x" % rng.getrandbits(256),
            "prompt_hash": "%064x" % rng.getrandbits(256),
            "target_hash": "%064x" % rng.getrandbits(256),
        }) + "\n"
        f.write(line)
        written += len(line)
        i += 1
print(f"{i} samples, {written / 2**20:.0f} MB", file=sys.stderr)
PY
/usr/bin/time -v "$bin" calibrate --format csv "$tmp/samples.jsonl" 2> "$tmp/time.txt"
grep -E "Maximum resident set size|Elapsed" "$tmp/time.txt"
