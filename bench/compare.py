#!/usr/bin/env python3
"""Compare two `analyze --format csv`-style files (the Rust tool's and the
baseline's): same rows, same n, correlations equal within a tolerance.
Prints the largest absolute difference; exits 1 on any mismatch.

    python3 bench/compare.py RUST.csv BASELINE.csv [--tol 1e-9]
"""
import argparse
import csv
import math
import sys


def load(path):
    with open(path, newline="") as f:
        return {(r["matrix"], r["benchmark"]): r for r in csv.DictReader(f)}


def number(text):
    if text in ("", "nan", "NaN"):
        return None
    value = float(text)
    return None if math.isnan(value) else value


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("rust")
    parser.add_argument("baseline")
    parser.add_argument("--tol", type=float, default=1e-9)
    args = parser.parse_args()
    a, b = load(args.rust), load(args.baseline)
    problems = []
    if set(a) != set(b):
        problems.append(f"different rows: {len(a)} vs {len(b)}")
    largest = 0.0
    for key in sorted(set(a) & set(b)):
        for field in ("n", "compute_n"):
            if int(a[key][field]) != int(b[key][field]):
                problems.append(f"{key} {field}: {a[key][field]} vs {b[key][field]}")
        for field in ("capabilities_correlation", "compute_correlation"):
            x, y = number(a[key][field]), number(b[key][field])
            if (x is None) != (y is None):
                problems.append(f"{key} {field}: {x} vs {y}")
            elif x is not None:
                largest = max(largest, abs(x - y))
    if largest > args.tol:
        problems.append(f"largest difference {largest:.3g} exceeds {args.tol:g}")
    for p in problems[:10]:
        print(f"mismatch: {p}", file=sys.stderr)
    print(f"{len(a)} rows, largest difference {largest:.3g}")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
