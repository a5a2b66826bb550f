//! The tie rule of rank methods (issue 15, point 1): Spearman and Kendall
//! rank the raw values, and two values equal to 12 significant digits (their
//! `%.12g` forms) are tied. Checked against an independent tie-aware
//! implementation (ties found by printing, ranks and correlations computed
//! pair by pair), and for invariance to rescaling a benchmark.

use proptest::prelude::*;
use safetywashing::analysis::{Analysis, AnalysisOptions, analyze};
use safetywashing::matrix::{BenchmarkMatrix, Column};
use safetywashing::output::{Exporter, TextExporter};
use safetywashing::stats::CorrelationMethod;

/// The tie key of the definition: 12 significant digits, as printed.
fn printed(v: f64) -> f64 {
    let key: f64 = format!("{v:.11e}").parse().unwrap();
    key + 0.0
}

/// Average ranks by counting smaller and tied values (printed forms).
fn naive_ranks(values: &[f64]) -> Vec<f64> {
    let keys: Vec<f64> = values.iter().map(|&v| printed(v)).collect();
    keys.iter()
        .map(|k| {
            let less = keys.iter().filter(|o| *o < k).count() as f64;
            let equal = keys.iter().filter(|o| *o == k).count() as f64;
            less + (equal + 1.0) / 2.0
        })
        .collect()
}

fn naive_pearson(x: &[f64], y: &[f64]) -> f64 {
    let n = x.len() as f64;
    let (mx, my) = (x.iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
    let cov: f64 = x.iter().zip(y).map(|(a, b)| (a - mx) * (b - my)).sum();
    let vx: f64 = x.iter().map(|a| (a - mx).powi(2)).sum();
    let vy: f64 = y.iter().map(|b| (b - my).powi(2)).sum();
    cov / (vx * vy).sqrt()
}

fn naive_spearman(x: &[f64], y: &[f64]) -> f64 {
    naive_pearson(&naive_ranks(x), &naive_ranks(y))
}

/// Kendall's tau-b pair by pair, ties by printed forms.
fn naive_kendall(x: &[f64], y: &[f64]) -> f64 {
    let (x, y): (Vec<f64>, Vec<f64>) = (
        x.iter().map(|&v| printed(v)).collect(),
        y.iter().map(|&v| printed(v)).collect(),
    );
    let (mut s, mut tx, mut ty, mut pairs) = (0.0, 0.0, 0.0, 0.0);
    for i in 0..x.len() {
        for j in i + 1..x.len() {
            let dx = (x[i] - x[j]).signum() * f64::from(x[i] != x[j]);
            let dy = (y[i] - y[j]).signum() * f64::from(y[i] != y[j]);
            s += dx * dy;
            tx += f64::from(dx == 0.0);
            ty += f64::from(dy == 0.0);
            pairs += 1.0;
        }
    }
    s / ((pairs - tx) * (pairs - ty)).sqrt()
}

fn column(name: &str, values: Vec<f64>) -> Column {
    Column {
        name: name.to_string(),
        values,
    }
}

/// Ten models; `c1` in percent, `c2` and `s_tie` with values stored at two
/// precisions (4/164 as `0.024390243902439` and `0.024390243902439025`).
fn matrix() -> BenchmarkMatrix {
    let c0 = vec![0.31, 0.42, 0.35, 0.55, 0.61, 0.48, 0.72, 0.66, 0.8, 0.77];
    let c1 = vec![25.0, 41.5, 30.2, 52.0, 58.8, 41.5, 70.1, 69.9, 77.7, 80.3];
    let a = 0.024390243902439;
    let b = 0.024390243902439025;
    let c2 = vec![0.01, a, b, 0.05, a, 0.07, 0.2, 0.19, 0.3, 0.25];
    let s_tie = vec![b, 0.2, a, 0.1, 0.5, b, 0.4, 0.3, 0.9, 0.6];
    let s_plain = vec![0.9, 0.1, 0.8, 0.2, 0.7, 0.3, 0.6, 0.4, 0.5, 0.45];
    BenchmarkMatrix {
        source: "ties.csv".into(),
        models: (0..10).map(|i| format!("m{i}")).collect(),
        benchmarks: vec![
            column("c0", c0),
            column("c1", c1),
            column("c2", c2),
            column("s_tie", s_tie),
            column("s_plain", s_plain),
        ],
        meta: Vec::new(),
        compute: Some(column(
            "FLOP",
            vec![1e21, 2e21, 1.5e21, 4e21, 5e21, 3e21, 8e21, 7e21, 9e21, 1e22],
        )),
    }
}

fn options(method: CorrelationMethod) -> AnalysisOptions {
    AnalysisOptions {
        capabilities: ["c0", "c1", "c2"].map(String::from).to_vec(),
        method,
    }
}

#[test]
fn near_ties_are_tied_as_an_independent_implementation_ties_them() {
    let m = matrix();
    type Naive = fn(&[f64], &[f64]) -> f64;
    let methods: [(CorrelationMethod, Naive); 2] = [
        (CorrelationMethod::Spearman, naive_spearman),
        (CorrelationMethod::Kendall, naive_kendall),
    ];
    for (method, naive) in methods {
        let a = analyze(&m, &options(method), None).unwrap();
        let caps = &a.fit.benchmarks;
        for (i, ci) in caps.iter().enumerate() {
            for (j, cj) in caps.iter().enumerate() {
                let want = naive(
                    &m.benchmark(ci).unwrap().values,
                    &m.benchmark(cj).unwrap().values,
                );
                let got = a.fit.correlation_matrix[i][j];
                assert!(
                    (got - want).abs() < 1e-12,
                    "{method} {ci}/{cj}: {got} vs {want}"
                );
            }
        }
        // Every benchmark against the score and compute, by the naive rule.
        let compute = &m.compute.as_ref().unwrap().values;
        for b in &a.benchmarks {
            let values = &m.benchmark(&b.benchmark).unwrap().values;
            let want = naive(values, &a.fit.scores);
            let got = b.capabilities_correlation.unwrap();
            assert!(
                (got - want).abs() < 1e-12,
                "{method} {}: {got} vs {want}",
                b.benchmark
            );
            let want = naive(values, compute);
            let got = b.compute_correlation.unwrap();
            assert!(
                (got - want).abs() < 1e-12,
                "{method} {}: {got} vs {want}",
                b.benchmark
            );
        }
    }
}

#[test]
fn merged_near_ties_are_named_in_text_output() {
    let a = analyze(&matrix(), &options(CorrelationMethod::Spearman), None).unwrap();
    let merged: Vec<(&str, usize)> = a
        .near_ties
        .iter()
        .map(|t| (t.benchmark.as_str(), t.merged))
        .collect();
    assert_eq!(merged, vec![("c2", 1), ("s_tie", 1)]);
    let mut text = Vec::new();
    TextExporter.export(&[a.into()], &mut text).unwrap();
    let text = String::from_utf8(text).unwrap();
    assert!(
        text.contains(
            "Near-ties merged (values equal to 12 significant digits rank as tied): c2 (1), s_tie (1)"
        ),
        "{text}"
    );
    // Pearson ranks nothing, so it merges nothing.
    let p = analyze(&matrix(), &options(CorrelationMethod::Pearson), None).unwrap();
    assert!(p.near_ties.is_empty());
}

/// The numbers a rescaling must leave alone: the capability correlation
/// matrix, PC1 and every benchmark's correlations, bit for bit.
fn rank_numbers(a: &Analysis) -> Vec<u64> {
    let mut v: Vec<f64> = a.fit.correlation_matrix.concat();
    v.extend(&a.fit.loadings);
    for b in &a.benchmarks {
        v.push(b.capabilities_correlation.unwrap_or(f64::NAN));
        v.push(b.compute_correlation.unwrap_or(f64::NAN));
    }
    v.iter().map(|x| x.to_bits()).collect()
}

#[test]
fn percentages_give_the_numbers_of_fractions() {
    let m = matrix();
    for method in [CorrelationMethod::Spearman, CorrelationMethod::Kendall] {
        let base = analyze(&m, &options(method), None).unwrap();
        for target in ["c1", "c2", "s_tie"] {
            let mut scaled = m.clone();
            let col = scaled
                .benchmarks
                .iter_mut()
                .find(|c| c.name == target)
                .unwrap();
            col.values.iter_mut().for_each(|v| *v *= 100.0);
            let a = analyze(&scaled, &options(method), None).unwrap();
            assert_eq!(rank_numbers(&a), rank_numbers(&base), "{method} {target}");
        }
    }
}

/// Values with near-ties: a few twelve-digit values, some stored with
/// noise below the twelfth digit.
fn near_tie_value() -> impl Strategy<Value = f64> {
    (0u32..12, -3i32..4).prop_map(|(k, wobble)| {
        let v = f64::from(k) / 41.0 + 0.01;
        v * (1.0 + f64::from(wobble) * 1e-15)
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn rescaling_a_benchmark_changes_no_rank_result(
        columns in proptest::collection::vec(proptest::collection::vec(near_tie_value(), 12), 5),
        target in 0usize..5,
        factor in prop_oneof![Just(100.0), Just(0.01), Just(1000.0)],
        method in prop_oneof![Just(CorrelationMethod::Spearman), Just(CorrelationMethod::Kendall)],
    ) {
        let names = ["c0", "c1", "c2", "s0", "s1"];
        let m = BenchmarkMatrix {
            source: "p.csv".into(),
            models: (0..12).map(|i| format!("m{i}")).collect(),
            benchmarks: names.iter().zip(&columns).map(|(n, v)| column(n, v.clone())).collect(),
            meta: Vec::new(),
            compute: None,
        };
        let mut scaled = m.clone();
        scaled.benchmarks[target].values.iter_mut().for_each(|v| *v *= factor);
        // Rescaling keeps which values are tied, except for a value within
        // rounding of a 12-digit boundary (then the two forms differ in truth).
        let (before, after) = (&m.benchmarks[target].values, &scaled.benchmarks[target].values);
        for i in 0..12 {
            for j in 0..12 {
                prop_assume!(
                    (printed(before[i]) == printed(before[j])) == (printed(after[i]) == printed(after[j]))
                );
            }
        }
        let opts = options(method);
        let (a, b) = (analyze(&m, &opts, None), analyze(&scaled, &opts, None));
        prop_assume!(a.is_ok());
        let (a, b) = (a.unwrap(), b.unwrap());
        // Scores are sums of z-scores, which a rescaling moves in the last
        // bits: assume that moved no score across a 12-digit boundary.
        let ties = |x: &Analysis| -> Vec<bool> {
            let s = &x.fit.scores;
            s.iter().flat_map(|p| s.iter().map(move |q| printed(*p) == printed(*q))).collect()
        };
        prop_assume!(ties(&a) == ties(&b));
        prop_assert_eq!(rank_numbers(&a), rank_numbers(&b));
    }
}
