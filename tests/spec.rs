//! The analysis checked against the specification, not against one file: a
//! deliberately naive, independent implementation of `analysis-spec.md`
//! (O(n²) ranks, two-pass moments, Jacobi eigenvalues) is run beside the
//! library on many generated matrices — other models, other capability sets,
//! missing cells anywhere, all three methods — and on real matrices. Every
//! number must agree to 1e-9.

use crate::common;

use safetywashing::analysis::{Analysis, AnalysisOptions, analyze};
use safetywashing::load::{MatrixFormat, load_matrix, parse_matrix};
use safetywashing::matrix::BenchmarkMatrix;
use safetywashing::stats::CorrelationMethod;

const TOL: f64 = 1e-9;

// ---------- the naive reference implementation ----------

fn naive_mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len() as f64
}

fn naive_ranks(v: &[f64]) -> Vec<f64> {
    v.iter()
        .map(|x| {
            let below = v.iter().filter(|y| *y < x).count() as f64;
            let equal = v.iter().filter(|y| *y == x).count() as f64;
            below + (equal + 1.0) / 2.0
        })
        .collect()
}

fn naive_pearson(x: &[f64], y: &[f64]) -> Option<f64> {
    let (mx, my) = (naive_mean(x), naive_mean(y));
    let cov: f64 = x.iter().zip(y).map(|(a, b)| (a - mx) * (b - my)).sum();
    let vx: f64 = x.iter().map(|a| (a - mx).powi(2)).sum();
    let vy: f64 = y.iter().map(|b| (b - my).powi(2)).sum();
    let first_x = x[0];
    let first_y = y[0];
    if x.len() < 2 || x.iter().all(|a| *a == first_x) || y.iter().all(|b| *b == first_y) {
        return None;
    }
    Some(cov / (vx * vy).sqrt())
}

fn naive_kendall(x: &[f64], y: &[f64]) -> Option<f64> {
    let n = x.len();
    let (mut s, mut tx, mut ty, mut pairs) = (0.0, 0.0, 0.0, 0.0);
    for i in 0..n {
        for j in 0..i {
            pairs += 1.0;
            let a = (x[i] - x[j]).signum() * f64::from(u8::from(x[i] != x[j]));
            let b = (y[i] - y[j]).signum() * f64::from(u8::from(y[i] != y[j]));
            s += a * b;
            tx += f64::from(u8::from(a == 0.0));
            ty += f64::from(u8::from(b == 0.0));
        }
    }
    let d = ((pairs - tx) * (pairs - ty)).sqrt();
    (d > 0.0).then(|| s / d)
}

/// The tie rule of rank methods, independently: a value as it reads when
/// written to 12 significant digits (`%.12g`), so values equal to 12
/// significant digits compare equal.
fn key12(x: f64) -> f64 {
    format!("{x:.11e}").parse().unwrap()
}

fn naive_corr(method: CorrelationMethod, x: &[f64], y: &[f64]) -> Option<f64> {
    let keys = |v: &[f64]| v.iter().map(|&a| key12(a)).collect::<Vec<f64>>();
    match method {
        CorrelationMethod::Pearson => naive_pearson(x, y),
        CorrelationMethod::Spearman => {
            naive_pearson(&naive_ranks(&keys(x)), &naive_ranks(&keys(y)))
        }
        CorrelationMethod::Kendall => naive_kendall(&keys(x), &keys(y)),
    }
}

fn pairwise(method: CorrelationMethod, x: &[f64], y: &[f64]) -> (usize, Option<f64>) {
    let (a, b): (Vec<f64>, Vec<f64>) = x
        .iter()
        .zip(y)
        .filter(|(a, b)| !a.is_nan() && !b.is_nan())
        .map(|(a, b)| (*a, *b))
        .unzip();
    let r = if a.len() < 2 {
        None
    } else {
        naive_corr(method, &a, &b)
    };
    (a.len(), r)
}

/// Cyclic Jacobi eigenvalue iteration: eigenvalues (descending) and vectors.
fn jacobi(mut a: Vec<Vec<f64>>) -> (Vec<f64>, Vec<Vec<f64>>) {
    let n = a.len();
    let mut v: Vec<Vec<f64>> = (0..n)
        .map(|i| (0..n).map(|j| f64::from(u8::from(i == j))).collect())
        .collect();
    for _sweep in 0..100 {
        let off: f64 = (0..n)
            .flat_map(|i| (0..n).filter(move |j| *j != i).map(move |j| (i, j)))
            .map(|(i, j)| a[i][j].powi(2))
            .sum();
        if off < 1e-30 {
            break;
        }
        for p in 0..n {
            for q in (p + 1)..n {
                if a[p][q].abs() < 1e-300 {
                    continue;
                }
                let theta = (a[q][q] - a[p][p]) / (2.0 * a[p][q]);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for row in a.iter_mut() {
                    let (akp, akq) = (row[p], row[q]);
                    row[p] = c * akp - s * akq;
                    row[q] = s * akp + c * akq;
                }
                let (row_p, row_q) = (a[p].clone(), a[q].clone());
                for k in 0..n {
                    a[p][k] = c * row_p[k] - s * row_q[k];
                    a[q][k] = s * row_p[k] + c * row_q[k];
                }
                for row in v.iter_mut() {
                    let (vkp, vkq) = (row[p], row[q]);
                    row[p] = c * vkp - s * vkq;
                    row[q] = s * vkp + c * vkq;
                }
            }
        }
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&i, &j| a[j][j].total_cmp(&a[i][i]));
    let values = order.iter().map(|&i| a[i][i]).collect();
    let vectors = order
        .iter()
        .map(|&i| (0..n).map(|k| v[k][i]).collect())
        .collect();
    (values, vectors)
}

struct Naive {
    used: Vec<usize>,
    matrix: Vec<Vec<f64>>,
    mean: f64,
    std: f64,
    eigenvalues: Vec<f64>,
    loadings: Vec<f64>,
    scores: Vec<f64>,
    capabilities: Vec<(usize, Option<f64>)>,
    compute: Vec<(usize, Option<f64>)>,
    score_compute: (usize, Option<f64>),
}

fn naive_analysis(m: &BenchmarkMatrix, caps: &[String], method: CorrelationMethod) -> Naive {
    let n = m.models.len();
    let z: Vec<Vec<f64>> = caps
        .iter()
        .map(|c| {
            let col = &m.benchmark(c).unwrap().values;
            let present: Vec<f64> = col.iter().copied().filter(|v| !v.is_nan()).collect();
            let mu = naive_mean(&present);
            let sd = (present.iter().map(|v| (v - mu).powi(2)).sum::<f64>() / present.len() as f64)
                .sqrt();
            col.iter().map(|v| (v - mu) / sd).collect()
        })
        .collect();
    let used: Vec<usize> = (0..n)
        .filter(|&r| z.iter().all(|c| !c[r].is_nan()))
        .collect();
    let sub: Vec<Vec<f64>> = z
        .iter()
        .map(|c| used.iter().map(|&r| c[r]).collect())
        .collect();
    // Rank methods rank the raw values (the tie rule is on them); Pearson
    // correlates the z-scores.
    let raw: Vec<Vec<f64>> = caps
        .iter()
        .map(|c| {
            let col = &m.benchmark(c).unwrap().values;
            used.iter().map(|&r| col[r]).collect()
        })
        .collect();
    let correlated = if method == CorrelationMethod::Pearson {
        &sub
    } else {
        &raw
    };
    let k = caps.len();
    let matrix: Vec<Vec<f64>> = (0..k)
        .map(|i| {
            (0..k)
                .map(|j| {
                    if i == j {
                        1.0
                    } else {
                        naive_corr(method, &correlated[i], &correlated[j]).unwrap()
                    }
                })
                .collect()
        })
        .collect();
    let upper: Vec<f64> = (0..k)
        .flat_map(|i| ((i + 1)..k).map(move |j| (i, j)))
        .map(|(i, j)| matrix[i][j])
        .collect();
    let mean = naive_mean(&upper);
    let std = (upper.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / upper.len() as f64).sqrt();
    let (eigenvalues, vectors) = jacobi(matrix.clone());
    let mut loadings = vectors[0].clone();
    let big = loadings
        .iter()
        .copied()
        .fold(0.0f64, |acc, x| if x.abs() > acc.abs() { x } else { acc });
    if big < 0.0 {
        loadings.iter_mut().for_each(|x| *x = -*x);
    }
    let scores: Vec<f64> = (0..used.len())
        .map(|i| (0..k).map(|c| sub[c][i] * loadings[c]).sum())
        .collect();
    let mut by_row = vec![f64::NAN; n];
    for (&r, &s) in used.iter().zip(&scores) {
        by_row[r] = s;
    }
    // Step 9: with Pearson, compute enters as its log10 (a value with no
    // logarithm as missing).
    let compute: Vec<f64> = m
        .compute
        .as_ref()
        .map(|c| c.values.clone())
        .unwrap_or_else(|| vec![f64::NAN; n])
        .into_iter()
        .map(|v| match method {
            CorrelationMethod::Pearson if v > 0.0 => v.log10(),
            CorrelationMethod::Pearson => f64::NAN,
            _ => v,
        })
        .collect();
    Naive {
        capabilities: m
            .benchmarks
            .iter()
            .map(|b| pairwise(method, &b.values, &by_row))
            .collect(),
        compute: m
            .benchmarks
            .iter()
            .map(|b| pairwise(method, &b.values, &compute))
            .collect(),
        score_compute: pairwise(method, &by_row, &compute),
        used,
        matrix,
        mean,
        std,
        eigenvalues,
        loadings,
        scores,
    }
}

// ---------- comparison ----------

fn same(label: &str, got: f64, want: f64) {
    assert!(
        (got - want).abs() <= TOL,
        "{label}: library {got}, naive {want}"
    );
}

fn same_opt(label: &str, got: (usize, Option<f64>), want: (usize, Option<f64>)) {
    assert_eq!(got.0, want.0, "{label}: n");
    match (got.1, want.1) {
        (Some(g), Some(w)) => same(label, g, w),
        (None, None) => {}
        other => panic!("{label}: {other:?}"),
    }
}

fn compare(m: &BenchmarkMatrix, caps: &[String], method: CorrelationMethod) -> Analysis {
    let options = AnalysisOptions {
        capabilities: caps.to_vec(),
        method,
    };
    let a = analyze(m, &options, None).unwrap();
    let want = naive_analysis(m, caps, method);
    assert_eq!(a.fit.rows, want.used);
    for i in 0..caps.len() {
        for j in 0..caps.len() {
            same(
                &format!("R[{i}][{j}]"),
                a.fit.correlation_matrix[i][j],
                want.matrix[i][j],
            );
        }
        same(
            &format!("eigenvalue {i}"),
            a.fit.eigenvalues[i],
            want.eigenvalues[i],
        );
    }
    same("mean", a.fit.correlation_mean, want.mean);
    same("std", a.fit.correlation_std, want.std);
    // An eigenvector is only defined up to rotation within a repeated
    // eigenvalue; the generated data keep PC1 well separated.
    for (i, (g, w)) in a.fit.loadings.iter().zip(&want.loadings).enumerate() {
        same(&format!("loading {i}"), *g, *w);
    }
    for (i, (g, w)) in a.fit.scores.iter().zip(&want.scores).enumerate() {
        same(&format!("score {i}"), *g, *w);
    }
    for (i, b) in a.benchmarks.iter().enumerate() {
        same_opt(
            &format!("capabilities {}", b.benchmark),
            (b.n, b.capabilities_correlation),
            want.capabilities[i],
        );
        same_opt(
            &format!("compute {}", b.benchmark),
            (b.compute_n, b.compute_correlation),
            want.compute[i],
        );
    }
    same_opt(
        "score vs compute",
        (a.score_compute_n, a.capabilities_score_compute_correlation),
        want.score_compute,
    );
    a
}

/// A small deterministic generator (no dependency needed for test data).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// A matrix with one strong latent factor, ties, and missing cells anywhere.
fn generated(seed: u64, models: usize, caps: usize, others: usize, missing: f64) -> String {
    let mut rng = Lcg(seed);
    let mut text = String::from("model");
    for c in 0..caps {
        text.push_str(&format!(",cap{c}"));
    }
    for o in 0..others {
        text.push_str(&format!(",other{o}"));
    }
    text.push_str(",FLOP\n");
    for m in 0..models {
        let ability = rng.next() * 4.0 - 2.0;
        text.push_str(&format!("model-{m}"));
        for c in 0..caps {
            // Mostly complete capability columns, so enough models remain.
            let v = ability * (0.6 + 0.1 * c as f64) + rng.next() * 1.5;
            let cell = if rng.next() < missing / 4.0 {
                String::new()
            } else {
                format!("{:.3}", v)
            };
            text.push_str(&format!(",{cell}"));
        }
        for o in 0..others {
            // Coarse values to create ties; some columns capability-free.
            let v = if o % 2 == 0 {
                (ability * 2.0 + rng.next() * 3.0).round()
            } else {
                (rng.next() * 10.0).round()
            };
            let cell = if rng.next() < missing {
                "NaN".to_string()
            } else {
                format!("{v}")
            };
            text.push_str(&format!(",{cell}"));
        }
        let flop = if rng.next() < missing {
            String::new()
        } else {
            format!("{:e}", 10f64.powf(21.0 + ability + rng.next()))
        };
        text.push_str(&format!(",{flop}\n"));
    }
    text
}

#[test]
fn generated_matrices_match_the_spec_for_every_method() {
    let methods = [
        CorrelationMethod::Spearman,
        CorrelationMethod::Pearson,
        CorrelationMethod::Kendall,
    ];
    for seed in 0..12u64 {
        let models = 8 + (seed as usize * 7) % 40;
        let caps = 2 + (seed as usize) % 6;
        let text = generated(seed, models, caps, 6, 0.15);
        let m = parse_matrix(text.as_bytes(), "generated.csv", &MatrixFormat::default()).unwrap();
        let cap_names: Vec<String> = (0..caps).map(|c| format!("cap{c}")).collect();
        for method in methods {
            compare(&m, &cap_names, method);
        }
    }
}

#[test]
fn real_matrices_match_the_spec() {
    with_shared!(shared => {
        let paper = AnalysisOptions::default().capabilities;
        let dir = common::paper_dir(&shared);
        for file in ["benchmarks_base_models.csv", "benchmarks_chat_models.csv"] {
            let m = load_matrix(&dir.join(file), &MatrixFormat::default()).unwrap();
            for method in [CorrelationMethod::Spearman, CorrelationMethod::Pearson, CorrelationMethod::Kendall] {
                compare(&m, &paper, method);
            }
            // Another capability set, including a safety benchmark as a capability.
            let other: Vec<String> = ["mmlu", "gsm8k", "arc_challenge", "truthfulqa_mc1"].map(String::from).to_vec();
            compare(&m, &other, CorrelationMethod::Spearman);
        }
        let format = MatrixFormat {
            meta_columns: ["Model Family", "Model Size (B)", "Pretraining Data Size (T)"].map(String::from).to_vec(),
            compute_column: Some("FLOPs (1E21)".into()),
            ..MatrixFormat::default()
        };
        let obs = load_matrix(&shared.join("data/obsscaling/base_llm_benchmark_eval.csv"), &format).unwrap();
        let caps: Vec<String> = ["MMLU", "ARC-C", "HellaSwag", "Winograd", "GSM8K", "XWinograd", "HumanEval"].map(String::from).to_vec();
        let a = compare(&obs, &caps, CorrelationMethod::Spearman);
        assert!(!a.fit.excluded.is_empty());
    });
}
