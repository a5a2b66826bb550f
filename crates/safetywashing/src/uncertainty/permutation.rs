//! Permutation test of each benchmark's capabilities correlation, and
//! Benjamini–Hochberg q-values across the non-capability benchmarks of a
//! matrix.
//!
//! For a benchmark, the pairs (benchmark value, capabilities score) of the
//! models having both are taken as in the analysis; the benchmark values are
//! shuffled against the fixed scores N times. The two-sided p-value is
//! (1 + #{|r*| ≥ |r|}) / (N + 1), which is never 0. For a capability
//! benchmark the score contains the benchmark itself, so its p-value tests
//! against a score that is held fixed: read it with its leave-one-out value.
//! Such a p-value tests a score that contains the benchmark, so it is not
//! part of the family whose false discovery rate the q-values control:
//! capability benchmarks get a p-value but no q-value.
//!
//! Spearman permutations shuffle the ranks once computed (identical to
//! ranking each shuffled sample), so a permutation costs one Pearson pass.

use super::{Hooks, Purpose, UncertaintyError, stream_rng};
use crate::analysis::{Analysis, Role};
use crate::matrix::BenchmarkMatrix;
use crate::stats::{CorrelationMethod, average_ranks, complete_pairs, kendall_tau_b, pearson};
use rand::seq::SliceRandom;
use rayon::prelude::*;

/// Absolute tolerance when comparing a permuted correlation with the
/// observed one, so a permutation that reproduces it exactly counts despite
/// rounding.
const TIE_TOLERANCE: f64 = 1e-12;

/// A correlation of two complete samples.
type Correlate = fn(&[f64], &[f64]) -> Option<f64>;

/// Permutation p-values and q-values of one analysis.
#[derive(Debug, Clone, PartialEq)]
pub struct PermutationReport {
    /// Permutations per benchmark.
    pub permutations: usize,
    /// Two-sided p-value per benchmark (`None` where the correlation is
    /// undefined).
    pub p_values: Vec<Option<f64>>,
    /// Benjamini–Hochberg q-value per benchmark, over the defined p-values
    /// of the non-capability benchmarks (`None` for capability benchmarks).
    pub q_values: Vec<Option<f64>>,
    /// Number of p-values in the q-value family (defined, non-capability).
    pub family: usize,
}

/// Permutation test of every benchmark of `analysis` (the analysis of
/// `matrix`).
pub(crate) fn permutation_test(
    matrix: &BenchmarkMatrix,
    analysis: &Analysis,
    permutations: usize,
    seed: u64,
    hooks: &Hooks,
) -> Result<PermutationReport, UncertaintyError> {
    let mut score_by_row = vec![f64::NAN; matrix.n_models()];
    for (&row, &s) in analysis.fit.rows.iter().zip(&analysis.fit.scores) {
        score_by_row[row] = s;
    }
    let p_values: Vec<Option<f64>> = matrix
        .benchmarks
        .par_iter()
        .zip(analysis.benchmarks.par_iter())
        .enumerate()
        .map(|(i, (column, result))| {
            hooks.check()?;
            let p = result.capabilities_correlation.map(|observed| {
                let (x, y) = complete_pairs(&column.values, &score_by_row);
                let mut rng = stream_rng(seed, Purpose::Permutation, i as u64);
                p_value(analysis.method, x, y, observed, permutations, &mut rng)
            });
            (hooks.progress)(1);
            Ok(p)
        })
        .collect::<Result<_, UncertaintyError>>()?;
    // The family: defined p-values of benchmarks that are not in the score.
    let family: Vec<Option<f64>> = p_values
        .iter()
        .zip(&analysis.benchmarks)
        .map(|(p, b)| p.filter(|_| b.role != Role::Capability))
        .collect();
    let q_values = benjamini_hochberg(&family);
    Ok(PermutationReport {
        permutations,
        family: family.iter().flatten().count(),
        p_values,
        q_values,
    })
}

/// Two-sided permutation p-value of `observed` = corr(x, y).
fn p_value(
    method: CorrelationMethod,
    x: Vec<f64>,
    y: Vec<f64>,
    observed: f64,
    permutations: usize,
    rng: &mut impl rand::Rng,
) -> f64 {
    let (mut x, y, correlate): (Vec<f64>, Vec<f64>, Correlate) = match method {
        CorrelationMethod::Spearman => (average_ranks(&x), average_ranks(&y), pearson),
        CorrelationMethod::Pearson => (x, y, pearson),
        CorrelationMethod::Kendall => (x, y, kendall_tau_b),
    };
    let threshold = observed.abs() - TIE_TOLERANCE;
    let mut extreme = 0usize;
    for _ in 0..permutations {
        x.shuffle(rng);
        if correlate(&x, &y).is_some_and(|r| r.abs() >= threshold) {
            extreme += 1;
        }
    }
    (1 + extreme) as f64 / (1 + permutations) as f64
}

/// Benjamini–Hochberg adjusted p-values (q-values) over the defined
/// entries: q(i) = min over j with p(j) ≥ p(i) of m·p(j)/rank(j), capped at 1.
pub fn benjamini_hochberg(p_values: &[Option<f64>]) -> Vec<Option<f64>> {
    let mut order: Vec<usize> = (0..p_values.len())
        .filter(|&i| p_values[i].is_some())
        .collect();
    order.sort_by(|&a, &b| {
        p_values[a]
            .unwrap_or(1.0)
            .total_cmp(&p_values[b].unwrap_or(1.0))
    });
    let m = order.len() as f64;
    let mut q = vec![None; p_values.len()];
    let mut running = 1.0f64;
    for (rank, &i) in order.iter().enumerate().rev() {
        let p = p_values[i].unwrap_or(1.0);
        running = running.min(p * m / (rank + 1) as f64);
        q[i] = Some(running.min(1.0));
    }
    q
}

#[cfg(test)]
mod tests {
    use super::super::NO_HOOKS;
    use super::super::test_support::{factor_matrix, options};
    use super::*;
    use crate::analysis::analyze;

    #[test]
    fn bh_matches_a_hand_computation() {
        // R: p.adjust(c(0.01, 0.04, 0.03, 0.2), "BH") = 0.04 0.0533 0.0533 0.2
        let q = benjamini_hochberg(&[Some(0.01), Some(0.04), None, Some(0.03), Some(0.2)]);
        let want = [
            Some(0.04),
            Some(0.04 * 4.0 / 3.0),
            None,
            Some(0.04 * 4.0 / 3.0),
            Some(0.2),
        ];
        for (g, w) in q.iter().zip(want) {
            match (g, w) {
                (Some(g), Some(w)) => assert!((g - w).abs() < 1e-15, "{g} {w}"),
                (None, None) => {}
                other => panic!("{other:?}"),
            }
        }
    }

    #[test]
    fn loaded_benchmark_is_significant_and_free_one_is_not() {
        let m = factor_matrix(40, 21);
        let a = analyze(&m, &options(), None).unwrap();
        let r = permutation_test(&m, &a, 999, 3, &NO_HOOKS).unwrap();
        let p = |name: &str| {
            let i = a
                .benchmarks
                .iter()
                .position(|b| b.benchmark == name)
                .unwrap();
            r.p_values[i].unwrap()
        };
        assert!(p("s_cap") <= 0.002, "{}", p("s_cap"));
        assert!(p("s_free") > 0.01, "{}", p("s_free"));
        for ((pv, qv), b) in r.p_values.iter().zip(&r.q_values).zip(&a.benchmarks) {
            assert!(pv.is_some());
            if b.role == Role::Capability {
                assert_eq!(*qv, None, "{}", b.benchmark);
            } else {
                assert!(qv.unwrap() >= pv.unwrap());
            }
        }
    }

    /// BH by its definition, O(m²): q(i) = min(1, min over p(j) ≥ p(i) of
    /// m·p(j) / #{k: p(k) ≤ p(j)}).
    fn bh_by_definition(p: &[f64]) -> Vec<f64> {
        let m = p.len() as f64;
        p.iter()
            .map(|&pi| {
                p.iter()
                    .filter(|&&pj| pj >= pi)
                    .map(|&pj| m * pj / p.iter().filter(|&&pk| pk <= pj).count() as f64)
                    .fold(1.0f64, f64::min)
            })
            .collect()
    }

    #[test]
    fn q_values_are_bh_over_the_non_capability_family() {
        // More safety benchmarks than capability ones, some tied p-values.
        let mut m = factor_matrix(20, 22);
        let extra: Vec<_> = (0..6)
            .map(|k| {
                let mut c = m.benchmarks[k % 4].clone();
                c.name = format!("s{k}");
                for (j, v) in c.values.iter_mut().enumerate() {
                    *v += ((j * (k + 3)) % 7) as f64 * 0.3 * k as f64;
                }
                c
            })
            .collect();
        m.benchmarks.extend(extra);
        let a = analyze(&m, &options(), None).unwrap();
        let r = permutation_test(&m, &a, 199, 4, &NO_HOOKS).unwrap();
        let family: Vec<usize> = (0..a.benchmarks.len())
            .filter(|&i| a.benchmarks[i].role != Role::Capability)
            .collect();
        assert_eq!(family.len(), 8);
        assert_eq!(r.family, 8);
        let p: Vec<f64> = family.iter().map(|&i| r.p_values[i].unwrap()).collect();
        let want = bh_by_definition(&p);
        for (&i, w) in family.iter().zip(&want) {
            let q = r.q_values[i].unwrap();
            assert!(
                (q - w).abs() < 1e-15,
                "{} {q} {w}",
                a.benchmarks[i].benchmark
            );
        }
        // The whole-matrix BH would differ: the family matters.
        let all: Vec<f64> = r.p_values.iter().map(|p| p.unwrap()).collect();
        let whole = bh_by_definition(&all);
        assert!(
            family
                .iter()
                .any(|&i| (whole[i] - r.q_values[i].unwrap()).abs() > 1e-12)
        );
        for i in 0..a.benchmarks.len() {
            if a.benchmarks[i].role == Role::Capability {
                assert!(r.p_values[i].is_some() && r.q_values[i].is_none());
            }
        }
    }

    #[test]
    fn spearman_shortcut_equals_ranking_each_permutation() {
        let x = vec![3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0];
        let y = vec![2.0, 7.0, 1.0, 8.0, 2.0, 8.0, 1.0, 8.0];
        let observed = crate::stats::spearman(&x, &y).unwrap();
        let mut rng = stream_rng(1, Purpose::Permutation, 0);
        let fast = p_value(
            CorrelationMethod::Spearman,
            x.clone(),
            y.clone(),
            observed,
            500,
            &mut rng,
        );
        // The slow way: shuffle raw values with the same stream, rank each time.
        let mut rng = stream_rng(1, Purpose::Permutation, 0);
        let mut xs = x.clone();
        let mut extreme = 0;
        for _ in 0..500 {
            xs.shuffle(&mut rng);
            if crate::stats::spearman(&xs, &y).unwrap().abs() >= observed.abs() - TIE_TOLERANCE {
                extreme += 1;
            }
        }
        assert_eq!(fast, (1 + extreme) as f64 / 501.0);
    }
}
