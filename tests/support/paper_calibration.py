"""The paper's calibration metrics, independently of safetywashing.

Reads lm-eval samples files (given as arguments) and prints, as JSON keyed by
path, the four numbers of the paper's authors' lm-eval fork
(steven-basart/lm-evaluation-harness, lm_eval/api/metrics.py: the `rmsce`,
`rmsce_temp_tuned` and `brier_temp_tuned` aggregations and `_tune_temp`):

- rmsce: scikit-learn's own calibration_curve(n_bins=15, strategy="uniform")
  on the top softmax probability and top-1 correctness, then
  sqrt(mean((prob_true - prob_pred) ** 2));
- temperature: the fork's bisection on [0.2, 5.0] while upper - lower > 1e-4
  on the sign of d/dT of the mean cross-entropy (computed here analytically in
  float64 where the fork uses torch autograd in float32), then the lowest
  cross-entropy of (lower, midpoint, upper);
- rmsce_temp_tuned and brier_temp_tuned with softmax(ll / T).

Needs numpy and scikit-learn (both in the lm_eval test environment).
"""

import json
import sys

import numpy as np
from sklearn.calibration import calibration_curve


def load(path):
    lls, gold = [], []
    with open(path) as f:
        for line in f:
            if line.strip():
                d = json.loads(line)
                lls.append(np.array([float(r[0]) for r in d["filtered_resps"]]))
                gold.append(int(d["target"]))
    return lls, gold


def softmax(x):
    e = np.exp(x - np.max(x))
    return e / e.sum()


def rmsce(probs, gold):
    top1 = np.array([p.max() for p in probs])
    labels = np.array([int(np.argmax(p) == g) for p, g in zip(probs, gold)])
    prob_true, prob_pred = calibration_curve(labels, top1, n_bins=15, strategy="uniform")
    return float(np.sqrt(np.mean((prob_true - prob_pred) ** 2)))


def cross_entropy(lls, gold, t):
    total = 0.0
    for l, g in zip(lls, gold):
        z = l / t
        m = z.max()
        total += m + np.log(np.exp(z - m).sum()) - z[g]
    return total / len(lls)


def d_cross_entropy_dt(lls, gold, t):
    # d/dT [logsumexp(l/T) - l_g/T] = (l_g - E_p[l]) / T^2, p = softmax(l/T)
    return sum((l[g] - softmax(l / t) @ l) / t**2 for l, g in zip(lls, gold)) / len(lls)


def tune_temp(lls, gold, lower=0.2, upper=5.0, eps=1e-4):
    while upper - lower > eps:
        mid = 0.5 * (lower + upper)
        if d_cross_entropy_dt(lls, gold, mid) > 0:
            upper = mid
        else:
            lower = mid
    return min([lower, 0.5 * (lower + upper), upper], key=lambda t: cross_entropy(lls, gold, t))


def brier(probs, gold):
    return float(np.mean([np.sum((p - np.eye(len(p))[g]) ** 2) for p, g in zip(probs, gold)]))


def main():
    out = {}
    for path in sys.argv[1:]:
        lls, gold = load(path)
        t = tune_temp(lls, gold)
        tuned = [softmax(l / t) for l in lls]
        out[path] = {
            "rmsce": rmsce([softmax(l) for l in lls], gold),
            "temperature": t,
            "rmsce_temp_tuned": rmsce(tuned, gold),
            "brier_temp_tuned": brier(tuned, gold),
        }
    json.dump(out, sys.stdout, indent=1)


if __name__ == "__main__":
    main()
