#!/usr/bin/env python3
"""The baseline to race: the capabilities-correlation analysis of
shared/docs/analysis-spec.md written the way a pandas user would write it.

This is the project's own implementation, used only by bench/run.sh to time
the Rust tool against the Python stack and to check that both give the same
numbers. It prints one CSV row per benchmark with the same columns as
`safetywashing analyze --format csv`.

    python bench/baseline.py MATRIX.csv [MATRIX.csv ...] [--method spearman|pearson]
"""
import argparse
import sys

import numpy as np
import pandas as pd

CAPABILITIES = [
    "logiqa", "piqa", "hellaswag", "winogrande", "superglue_copa",
    "medqa_4options", "arc_challenge", "mmlu", "minerva_math",
    "lambada_openai", "gsm8k", "bbh",
]
META = ["model_size", "FLOP", "name", "type"]
COMPUTE = "FLOP"


def analyze(path, method):
    df = pd.read_csv(path, index_col=0)
    compute = df[COMPUTE] if COMPUTE in df.columns else None
    bench = df.drop(columns=[c for c in META if c in df.columns])
    bench = bench.apply(pd.to_numeric)

    # Steps 1-2: standardise each column (population std); all-missing and
    # constant columns are dropped.
    std = bench.std(ddof=0)
    kept = bench.columns[(bench.notna().any()) & (std > 0)]
    z = (bench[kept] - bench[kept].mean()) / std[kept]

    # Step 3: listwise deletion over the capability benchmarks.
    sub = z[CAPABILITIES].dropna()

    # Steps 4-6: correlation matrix, its statistics, PC1 with sign rule.
    r = sub.corr(method=method).to_numpy()
    upper = r[np.triu_indices_from(r, k=1)]
    values, vectors = np.linalg.eigh(r)
    pc1 = vectors[:, -1]
    if pc1[np.argmax(np.abs(pc1))] < 0:
        pc1 = -pc1

    # Step 7: capabilities score from the step-2 z-scores.
    score = pd.Series(sub.to_numpy() @ pc1, index=sub.index)

    # Step 8: every benchmark against the score (pairwise deletion).
    scored = bench.loc[score.index]
    cap_corr = scored[kept].corrwith(score, method=method)
    cap_n = scored.notna().sum()

    # Step 9: every benchmark and the score against compute.
    if compute is not None:
        comp_corr = bench[kept].corrwith(compute, method=method)
        comp_n = bench.notna().mul(compute.notna(), axis=0).sum()
        score_comp = score.corr(compute.loc[score.index], method=method)
    else:
        comp_corr = pd.Series(dtype=float)
        comp_n = pd.Series(0, index=bench.columns)
        score_comp = float("nan")

    rows = pd.DataFrame({
        "matrix": path,
        "benchmark": bench.columns,
        "name": bench.columns,
        "role": ["capability" if c in CAPABILITIES else "safety" for c in bench.columns],
        "n": cap_n.reindex(bench.columns).to_numpy(),
        "capabilities_correlation": cap_corr.reindex(bench.columns).to_numpy(),
        "compute_n": comp_n.reindex(bench.columns).to_numpy(),
        "compute_correlation": comp_corr.reindex(bench.columns).to_numpy(),
    })
    summary = {
        "pc1_variance_explained": values[-1] / values.sum(),
        "capability_correlation_mean": upper.mean(),
        "capability_correlation_std": upper.std(),
        "capabilities_score_compute_correlation": score_comp,
    }
    return rows, summary


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("matrices", nargs="+")
    parser.add_argument("--method", default="spearman", choices=["spearman", "pearson"])
    args = parser.parse_args()
    frames = []
    for path in args.matrices:
        rows, summary = analyze(path, args.method)
        frames.append(rows)
        print(f"{path}: " + ", ".join(f"{k} {v:.6f}" for k, v in summary.items()),
              file=sys.stderr)
    pd.concat(frames).to_csv(sys.stdout, index=False, float_format="%.17g")


if __name__ == "__main__":
    main()
