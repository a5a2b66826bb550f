//! Missing capability data: iterative PCA imputation in z-space, so a model
//! lacking a capability benchmark still gets a capabilities score.
//!
//! Each capability column is standardised over the models that have it (as
//! in step 2 of the spec); missing cells start at the column mean (z = 0);
//! then, repeatedly, the completed z-matrix is centred, a low-rank
//! reconstruction computed, and the missing cells replaced by it, until the
//! relative change of the completed matrix is below 1e-10 or 1000 steps have
//! run. Two reconstructions are offered:
//!
//! - **`pca`** (hard rank k): the first k principal components, unshrunk.
//! - **`soft`** (soft-impute, Mazumder, Hastie & Tibshirani 2010): every
//!   component, its singular value σ shrunk to max(σ − λ, 0), with λ a
//!   fraction (default 5%) of the largest singular value of the mean-filled
//!   matrix. The regularisation keeps a few missing cells from pulling the
//!   fit toward them, and needs no rank.
//!
//! Neither runs unless asked for: the default is the paper's listwise
//! deletion, so the paper's numbers are reproduced. When imputing, `pca`
//! (rank 1) is the established choice of this tool and the one the coverage
//! study used; `soft` is the regularised alternative to compare with.
//!
//! Every imputed value is kept inside the **observed range** of its
//! benchmark (in each step, a reconstruction beyond the smallest or largest
//! observed z-value is set to that bound), so no pass rate below 0 or above
//! the best observed one is invented; cells held at a bound are marked. An
//! imputation that has not converged after 1000 steps is reported as such,
//! with a warning ([`ImputationReport::warning`]).
//!
//! Imputed z-values are mapped back to the column's scale and the completed
//! matrix goes through the unchanged pipeline. A model with no capability
//! value at all is left missing (nothing to impute from). Safety benchmarks
//! are never imputed.

use super::UncertaintyError;
use crate::capabilities::{CapabilitiesError, check_capabilities};
use crate::linalg::symmetric_eigen;
use crate::matrix::BenchmarkMatrix;
use crate::stats::{mean, population_std};
use std::fmt;
use std::str::FromStr;

/// Stop when the completed matrix changes by less than this, relatively.
pub const TOLERANCE: f64 = 1e-10;

/// Stop after this many steps whatever the change.
pub const MAX_STEPS: usize = 1000;

/// The default λ of soft-impute, as a fraction of the largest singular
/// value of the mean-filled capability z-matrix.
pub const DEFAULT_SOFT_SHRINK: f64 = 0.05;

/// How missing capability cells are handled.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ImputeMethod {
    /// Listwise deletion, as in the paper.
    None,
    /// Iterative PCA of this rank.
    Pca {
        /// Number of components kept.
        rank: usize,
    },
    /// Soft-impute: every component, singular values shrunk by λ.
    Soft {
        /// λ as a fraction of the largest singular value of the
        /// mean-filled matrix, in (0, 1).
        shrink: f64,
    },
}

impl ImputeMethod {
    /// The method's name in output (`pca`, `soft`).
    pub fn name(self) -> &'static str {
        match self {
            ImputeMethod::None => "none",
            ImputeMethod::Pca { .. } => "pca",
            ImputeMethod::Soft { .. } => "soft",
        }
    }
}

impl FromStr for ImputeMethod {
    type Err = String;
    /// `none`, `pca` (rank 1; the command line sets the rank separately),
    /// `soft` (λ = 5% of the largest singular value) or `soft:F` (λ = F of
    /// it, 0 < F < 1).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let lower = s.to_ascii_lowercase();
        match lower.as_str() {
            "none" => Ok(ImputeMethod::None),
            "pca" => Ok(ImputeMethod::Pca { rank: 1 }),
            "soft" => Ok(ImputeMethod::Soft {
                shrink: DEFAULT_SOFT_SHRINK,
            }),
            other => match other.strip_prefix("soft:").map(str::parse::<f64>) {
                Some(Ok(shrink)) if shrink > 0.0 && shrink < 1.0 => {
                    Ok(ImputeMethod::Soft { shrink })
                }
                Some(_) => Err(format!(
                    "soft-impute's shrinkage must be a fraction strictly between 0 and 1, e.g. soft:0.05, got '{s}'"
                )),
                None => Err(format!(
                    "unknown imputation '{other}': expected none, pca, soft or soft:F"
                )),
            },
        }
    }
}

impl fmt::Display for ImputeMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ImputeMethod::None => f.write_str("none"),
            ImputeMethod::Pca { rank } => write!(f, "pca (rank {rank})"),
            ImputeMethod::Soft { shrink } => {
                write!(
                    f,
                    "soft (λ = {}% of the largest singular value)",
                    shrink * 100.0
                )
            }
        }
    }
}

/// One imputed cell.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ImputedCell {
    /// Model id.
    pub model: String,
    /// Capability benchmark.
    pub benchmark: String,
    /// The value filled in, on the benchmark's scale.
    pub value: f64,
    /// The reconstruction lay outside the benchmark's observed range and
    /// the value is held at its nearest end.
    pub at_observed_bound: bool,
}

/// What imputation did, and the listwise results to compare with.
#[derive(Debug, Clone, PartialEq)]
pub struct ImputationReport {
    /// The method used.
    pub method: ImputeMethod,
    /// PCA rank (`pca`), or the components the shrinkage kept (`soft`, at
    /// the last step).
    pub rank: usize,
    /// soft-impute's λ in z-units (`None` for `pca`).
    pub lambda: Option<f64>,
    /// Steps run.
    pub iterations: usize,
    /// Whether the relative change fell below 1e-10 within 1000 steps.
    pub converged: bool,
    /// Relative change at the last step.
    pub relative_change: f64,
    /// The cells filled in, by model (file order) then benchmark.
    pub cells: Vec<ImputedCell>,
    /// Models scored by the listwise analysis (`None` when it could not run).
    pub listwise_models: Option<usize>,
    /// Each benchmark's listwise capabilities correlation (empty when the
    /// listwise analysis could not run).
    pub listwise: Vec<Option<f64>>,
}

impl ImputationReport {
    /// A warning when the imputation did not converge (its values are
    /// then where the iteration stopped, not a fixed point).
    pub fn warning(&self) -> Option<String> {
        (!self.converged).then(|| {
            format!(
                "imputation did NOT converge: relative change {:.1e} after {} steps (tolerance {TOLERANCE:.0e}); the imputed values are where the iteration stopped, treat them with caution",
                self.relative_change, self.iterations
            )
        })
    }
}

/// Complete the capability columns of `matrix` by rank-`rank` iterative PCA.
pub fn impute_pca(
    matrix: &BenchmarkMatrix,
    capabilities: &[String],
    rank: usize,
) -> Result<(BenchmarkMatrix, ImputationReport), UncertaintyError> {
    impute(matrix, capabilities, ImputeMethod::Pca { rank })
}

/// Complete the capability columns of `matrix` by `method` (`None` leaves
/// the matrix as it is, with an empty report).
pub fn impute(
    matrix: &BenchmarkMatrix,
    capabilities: &[String],
    method: ImputeMethod,
) -> Result<(BenchmarkMatrix, ImputationReport), UncertaintyError> {
    if method == ImputeMethod::None {
        let report = ImputationReport {
            method,
            rank: 0,
            lambda: None,
            iterations: 0,
            converged: true,
            relative_change: 0.0,
            cells: Vec::new(),
            listwise_models: None,
            listwise: Vec::new(),
        };
        return Ok((matrix.clone(), report));
    }
    let columns = check_capabilities(matrix, capabilities)?;
    // Scale of each column over its present values.
    let mut scale = Vec::with_capacity(columns.len());
    for (&c, name) in columns.iter().zip(capabilities) {
        let present: Vec<f64> = matrix.benchmarks[c]
            .values
            .iter()
            .copied()
            .filter(|v| !v.is_nan())
            .collect();
        let (m, sd) = (mean(&present), population_std(&present));
        match (m, sd) {
            (Some(m), Some(sd)) if sd > 0.0 && sd.is_finite() => scale.push((m, sd)),
            _ => {
                return Err(CapabilitiesError::UnusableCapability {
                    matrix: matrix.source.clone(),
                    name: name.clone(),
                    reason: format!(
                        "{}, so it cannot be imputed",
                        crate::stats::why_no_z_scores(&present)
                    ),
                }
                .into());
            }
        }
    }
    // The observed range of each column, on its own scale.
    let observed_range: Vec<(f64, f64)> = columns
        .iter()
        .map(|&c| {
            matrix.benchmarks[c]
                .values
                .iter()
                .filter(|v| !v.is_nan())
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
                    (lo.min(v), hi.max(v))
                })
        })
        .collect();
    // Rows with at least one capability value; their z-rows (NaN = missing).
    let z_of = |row: usize| -> Vec<f64> {
        columns
            .iter()
            .zip(&scale)
            .map(|(&c, (m, sd))| (matrix.benchmarks[c].values[row] - m) / sd)
            .collect()
    };
    let rows: Vec<usize> = (0..matrix.n_models())
        .filter(|&r| z_of(r).iter().any(|v| !v.is_nan()))
        .collect();
    let observed: Vec<Vec<f64>> = rows.iter().map(|&r| z_of(r)).collect();
    let fit = iterate(&observed, method);
    let completed = &fit.completed;

    let mut out = matrix.clone();
    let mut cells = Vec::new();
    for (i, &row) in rows.iter().enumerate() {
        for (j, &c) in columns.iter().enumerate() {
            if observed[i][j].is_nan() {
                let (m, sd) = scale[j];
                let value = m + sd * completed[i][j];
                // Held at an observed end: that end exactly (not its
                // round trip through z).
                let (lo, hi) = observed_range[j];
                let value = if fit.at_bound[i][j] {
                    if (value - lo).abs() <= (value - hi).abs() {
                        lo
                    } else {
                        hi
                    }
                } else {
                    value.clamp(lo, hi)
                };
                out.benchmarks[c].values[row] = value;
                cells.push(ImputedCell {
                    model: matrix.models[row].clone(),
                    benchmark: capabilities[j].clone(),
                    value,
                    at_observed_bound: fit.at_bound[i][j],
                });
            }
        }
    }
    Ok((
        out,
        ImputationReport {
            method,
            rank: fit.rank,
            lambda: fit.lambda,
            iterations: fit.iterations,
            converged: fit.change < TOLERANCE,
            relative_change: fit.change,
            cells,
            listwise_models: None,
            listwise: Vec::new(),
        },
    ))
}

/// The result of [`iterate`].
struct Fit {
    /// The completed z-matrix.
    completed: Vec<Vec<f64>>,
    /// Per cell: a missing cell held at an end of its column's observed
    /// range.
    at_bound: Vec<Vec<bool>>,
    /// Steps run.
    iterations: usize,
    /// Last relative change.
    change: f64,
    /// Components used at the last step.
    rank: usize,
    /// soft-impute's λ.
    lambda: Option<f64>,
}

/// Iterative low-rank imputation of `observed` (rows × k z-values, NaN =
/// missing) by `method`, each missing cell kept within its column's
/// observed range.
fn iterate(observed: &[Vec<f64>], method: ImputeMethod) -> Fit {
    let mut x: Vec<Vec<f64>> = observed
        .iter()
        .map(|r| {
            r.iter()
                .map(|v| if v.is_nan() { 0.0 } else { *v })
                .collect()
        })
        .collect();
    let k = x.first().map_or(0, Vec::len);
    let mut fit = Fit {
        at_bound: vec![vec![false; k]; x.len()],
        completed: Vec::new(),
        iterations: 0,
        change: 0.0,
        rank: match method {
            ImputeMethod::Pca { rank } => rank,
            _ => 0,
        },
        lambda: None,
    };
    let any_missing = observed.iter().flatten().any(|v| v.is_nan());
    if !any_missing || x.is_empty() {
        fit.completed = x;
        return fit;
    }
    // The observed range of each column, in z.
    let range: Vec<(f64, f64)> = (0..k)
        .map(|j| {
            observed
                .iter()
                .map(|r| r[j])
                .filter(|v| !v.is_nan())
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
                    (lo.min(v), hi.max(v))
                })
        })
        .collect();
    let n = x.len() as f64;
    let mut change = f64::INFINITY;
    let mut bound = vec![vec![false; k]; x.len()];
    for step in 1..=MAX_STEPS {
        fit.iterations = step;
        let means: Vec<f64> = (0..k)
            .map(|j| x.iter().map(|r| r[j]).sum::<f64>() / n)
            .collect();
        let centred: Vec<Vec<f64>> = x
            .iter()
            .map(|r| r.iter().zip(&means).map(|(v, m)| v - m).collect())
            .collect();
        let mut cov = vec![vec![0.0; k]; k];
        for r in &centred {
            for a in 0..k {
                for b in 0..k {
                    cov[a][b] += r[a] * r[b];
                }
            }
        }
        let Some(eigen) = symmetric_eigen(&cov) else {
            break;
        };
        // Singular values of the centred matrix: √ of the eigenvalues.
        let sigma: Vec<f64> = eigen.values.iter().map(|v| v.max(0.0).sqrt()).collect();
        // Weight of each component in the reconstruction.
        let weights: Vec<f64> = match method {
            ImputeMethod::Soft { shrink } => {
                // λ from the mean-filled matrix (the first step), then fixed.
                let lambda = *fit.lambda.get_or_insert(shrink * sigma[0]);
                sigma
                    .iter()
                    .map(|&s| if s > lambda { 1.0 - lambda / s } else { 0.0 })
                    .collect()
            }
            ImputeMethod::Pca { rank } => (0..k).map(|c| f64::from(u8::from(c < rank))).collect(),
            ImputeMethod::None => vec![0.0; k],
        };
        fit.rank = weights.iter().filter(|w| **w > 0.0).count();
        let (mut moved, mut size) = (0.0, 0.0);
        for (i, r) in centred.iter().enumerate() {
            for j in 0..k {
                if observed[i][j].is_nan() {
                    let reconstructed: f64 = eigen
                        .vectors
                        .iter()
                        .zip(&weights)
                        .filter(|(_, w)| **w > 0.0)
                        .map(|(v, w)| w * v[j] * r.iter().zip(v).map(|(a, b)| a * b).sum::<f64>())
                        .sum::<f64>()
                        + means[j];
                    let (lo, hi) = range[j];
                    let kept = reconstructed.clamp(lo, hi);
                    bound[i][j] = kept != reconstructed;
                    moved += (kept - x[i][j]).powi(2);
                    x[i][j] = kept;
                }
                size += x[i][j] * x[i][j];
            }
        }
        change = if size > 0.0 {
            (moved / size).sqrt()
        } else {
            0.0
        };
        if change < TOLERANCE {
            break;
        }
    }
    fit.change = change;
    fit.completed = x;
    fit.at_bound = bound;
    fit
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{factor_matrix, options};
    use super::*;
    use crate::analysis::analyze;

    #[test]
    fn recovers_a_rank_one_matrix_and_converges() {
        // Exactly rank one in z-space: every missing cell is determined.
        let latent = [-1.5, -0.5, 0.0, 0.7, 1.3];
        let loadings = [1.0, 0.8, 0.6];
        let full: Vec<Vec<f64>> = latent
            .iter()
            .map(|g| loadings.iter().map(|l| g * l).collect())
            .collect();
        let mut observed = full.clone();
        observed[1][2] = f64::NAN;
        observed[3][0] = f64::NAN;
        let fit = iterate(&observed, ImputeMethod::Pca { rank: 1 });
        let (x, steps, change) = (fit.completed, fit.iterations, fit.change);
        assert!(
            change < TOLERANCE && steps > 1 && steps < MAX_STEPS,
            "{steps} {change}"
        );
        // Columns were not re-standardised here, so compare in the centred frame:
        // the completed matrix is again rank one.
        let ratio = |r: &Vec<f64>| r[2] / r[0];
        assert!((ratio(&x[1]) - ratio(&x[0])).abs() < 1e-6, "{x:?}");
        assert!((ratio(&x[3]) - ratio(&x[4])).abs() < 1e-6, "{x:?}");
    }

    #[test]
    fn models_missing_a_capability_get_a_score() {
        let mut m = factor_matrix(30, 41);
        m.benchmarks[1].values[3] = f64::NAN;
        m.benchmarks[2].values[7] = f64::NAN;
        let listwise = analyze(&m, &options(), None).unwrap();
        assert_eq!(listwise.fit.rows.len(), 28);
        let (done, report) = impute_pca(&m, &options().capabilities, 1).unwrap();
        assert!(report.converged);
        assert_eq!(report.cells.len(), 2);
        assert_eq!(report.cells[0].model, m.models[3]);
        assert_eq!(report.cells[0].benchmark, "c1");
        assert_eq!(done.benchmarks[1].values[3], report.cells[0].value);
        // Observed cells are untouched, safety columns too.
        assert_eq!(done.benchmarks[4], m.benchmarks[4]);
        assert_eq!(done.benchmarks[0], m.benchmarks[0]);
        let a = analyze(&done, &options(), None).unwrap();
        assert_eq!(a.fit.rows.len(), 30);
    }

    #[test]
    fn imputed_values_stay_inside_the_observed_range() {
        // A model far above everyone on c0, c2, c3 and missing c1: the
        // reconstruction of its c1 lies above every observed c1.
        let mut m = factor_matrix(30, 43);
        for c in [0, 2, 3] {
            let top = m.benchmarks[c]
                .values
                .iter()
                .copied()
                .fold(f64::MIN, f64::max);
            m.benchmarks[c].values[5] = top + 10.0;
        }
        m.benchmarks[1].values[5] = f64::NAN;
        // And one ordinary gap, which stays inside without help.
        m.benchmarks[2].values[9] = f64::NAN;
        let observed: Vec<f64> = m.benchmarks[1]
            .values
            .iter()
            .copied()
            .filter(|v| !v.is_nan())
            .collect();
        let max = observed.iter().copied().fold(f64::MIN, f64::max);
        for method in [
            ImputeMethod::Pca { rank: 1 },
            ImputeMethod::Soft { shrink: 0.05 },
        ] {
            let (done, report) = impute(&m, &options().capabilities, method).unwrap();
            let cell = &report.cells[0];
            assert_eq!(cell.benchmark, "c1");
            assert!(cell.value <= max, "{method}");
            assert_eq!(done.benchmarks[1].values[5], cell.value);
            // Rank-1 PCA carries the extreme straight over: held at the maximum.
            if method.name() == "pca" {
                assert!(cell.at_observed_bound);
                assert_eq!(cell.value, max);
            }
            assert_eq!(cell.at_observed_bound, cell.value == max);
            let other = &report.cells[1];
            assert!(!other.at_observed_bound);
            let c2: Vec<f64> = m.benchmarks[2]
                .values
                .iter()
                .copied()
                .filter(|v| !v.is_nan())
                .collect();
            let (lo, hi) = c2
                .iter()
                .fold((f64::MAX, f64::MIN), |(l, h), &v| (l.min(v), h.max(v)));
            assert!(lo <= other.value && other.value <= hi);
            assert!(report.converged, "{method}");
        }
    }

    #[test]
    fn soft_impute_shrinks_by_a_fraction_of_the_largest_singular_value() {
        let mut m = factor_matrix(30, 44);
        m.benchmarks[1].values[3] = f64::NAN;
        m.benchmarks[3].values[8] = f64::NAN;
        let caps = options().capabilities;
        let (_, soft) = impute(&m, &caps, ImputeMethod::Soft { shrink: 0.2 }).unwrap();
        // λ, independently: σ₁ of the centred mean-filled z-matrix of the 30 models.
        let z: Vec<Vec<f64>> = (0..4)
            .map(|c| {
                let v = &m.benchmarks[c].values;
                let present: Vec<f64> = v.iter().copied().filter(|x| !x.is_nan()).collect();
                let (mu, sd) = (mean(&present).unwrap(), population_std(&present).unwrap());
                v.iter()
                    .map(|x| if x.is_nan() { 0.0 } else { (x - mu) / sd })
                    .collect()
            })
            .collect();
        let centred: Vec<Vec<f64>> = z
            .iter()
            .map(|col| {
                let mu = col.iter().sum::<f64>() / 30.0;
                col.iter().map(|x| x - mu).collect()
            })
            .collect();
        let gram: Vec<Vec<f64>> = (0..4)
            .map(|a| {
                (0..4)
                    .map(|b| (0..30).map(|r| centred[a][r] * centred[b][r]).sum())
                    .collect()
            })
            .collect();
        // Power iteration for the largest eigenvalue of the Gram matrix.
        let mut v = vec![1.0; 4];
        let mut eig = 0.0;
        for _ in 0..500 {
            let w: Vec<f64> = (0..4)
                .map(|a| (0..4).map(|b| gram[a][b] * v[b]).sum())
                .collect();
            eig = w.iter().map(|x| x * x).sum::<f64>().sqrt();
            v = w.iter().map(|x| x / eig).collect();
        }
        let lambda = soft.lambda.unwrap();
        assert!(
            (lambda - 0.2 * eig.sqrt()).abs() < 1e-9,
            "{lambda} {}",
            eig.sqrt()
        );
        assert_eq!(soft.method.name(), "soft");
        assert!(soft.converged && soft.rank >= 1);
        // A vanishing λ keeps every component unshrunk: the missing cells
        // are then reconstructed from all of them, unlike rank-1 PCA; a
        // large λ keeps only the first, shrunk toward the column mean.
        let (_, pca) = impute_pca(&m, &caps, 1).unwrap();
        let (_, heavy) = impute(&m, &caps, ImputeMethod::Soft { shrink: 0.9 }).unwrap();
        assert!(heavy.rank <= 1);
        let centre = |b: usize| {
            let present: Vec<f64> = m.benchmarks[b]
                .values
                .iter()
                .copied()
                .filter(|x| !x.is_nan())
                .collect();
            mean(&present).unwrap()
        };
        for (h, p) in heavy.cells.iter().zip(&pca.cells) {
            let b = caps.iter().position(|c| *c == h.benchmark).unwrap();
            assert!(
                (h.value - centre(b)).abs() <= (p.value - centre(b)).abs() + 1e-9,
                "{h:?} {p:?}"
            );
        }
    }

    #[test]
    fn soft_parses_and_non_convergence_warns() {
        assert_eq!(
            "soft".parse::<ImputeMethod>(),
            Ok(ImputeMethod::Soft {
                shrink: DEFAULT_SOFT_SHRINK
            })
        );
        assert_eq!(
            "soft:0.1".parse::<ImputeMethod>(),
            Ok(ImputeMethod::Soft { shrink: 0.1 })
        );
        assert!("soft:1.5".parse::<ImputeMethod>().is_err());
        assert!("soft:x".parse::<ImputeMethod>().is_err());
        let m = factor_matrix(10, 45);
        let (_, mut report) = impute_pca(&m, &options().capabilities, 1).unwrap();
        assert_eq!(report.warning(), None);
        report.converged = false;
        report.iterations = MAX_STEPS;
        report.relative_change = 3e-7;
        let w = report.warning().unwrap();
        assert!(
            w.contains("did NOT converge") && w.contains("3.0e-7") && w.contains("1000 steps"),
            "{w}"
        );
    }

    #[test]
    fn nothing_missing_is_a_no_op() {
        let m = factor_matrix(20, 42);
        let (done, report) = impute_pca(&m, &options().capabilities, 2).unwrap();
        assert_eq!(done, m);
        assert_eq!((report.iterations, report.cells.len()), (0, 0));
        assert!(report.converged);
    }
}
