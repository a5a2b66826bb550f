//! Missing capability data: iterative rank-k PCA imputation in z-space, so a
//! model lacking a capability benchmark still gets a capabilities score.
//!
//! Each capability column is standardised over the models that have it (as
//! in step 2 of the spec); missing cells start at the column mean (z = 0);
//! then, repeatedly, the completed z-matrix is centred, its rank-k PCA
//! reconstruction computed, and the missing cells replaced by it, until the
//! relative change of the completed matrix is below 1e-10 or 1000 steps have
//! run. Imputed z-values are mapped back to the column's scale and the
//! completed matrix goes through the unchanged pipeline. A model with no
//! capability value at all is left missing (nothing to impute from). Safety
//! benchmarks are never imputed.

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

/// How missing capability cells are handled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImputeMethod {
    /// Listwise deletion, as in the paper.
    None,
    /// Iterative PCA of this rank.
    Pca {
        /// Number of components kept.
        rank: usize,
    },
}

impl FromStr for ImputeMethod {
    type Err = String;
    /// `none` or `pca` (rank 1; the command line sets the rank separately).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "none" => Ok(ImputeMethod::None),
            "pca" => Ok(ImputeMethod::Pca { rank: 1 }),
            other => Err(format!(
                "unknown imputation '{other}': expected none or pca"
            )),
        }
    }
}

impl fmt::Display for ImputeMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ImputeMethod::None => f.write_str("none"),
            ImputeMethod::Pca { rank } => write!(f, "pca (rank {rank})"),
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
}

/// What imputation did, and the listwise results to compare with.
#[derive(Debug, Clone, PartialEq)]
pub struct ImputationReport {
    /// PCA rank.
    pub rank: usize,
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

/// Complete the capability columns of `matrix` by rank-`rank` iterative PCA.
pub fn impute_pca(
    matrix: &BenchmarkMatrix,
    capabilities: &[String],
    rank: usize,
) -> Result<(BenchmarkMatrix, ImputationReport), UncertaintyError> {
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
    let (completed, iterations, relative_change) = iterate(&observed, rank);

    let mut out = matrix.clone();
    let mut cells = Vec::new();
    for (i, &row) in rows.iter().enumerate() {
        for (j, &c) in columns.iter().enumerate() {
            if observed[i][j].is_nan() {
                let (m, sd) = scale[j];
                let value = m + sd * completed[i][j];
                out.benchmarks[c].values[row] = value;
                cells.push(ImputedCell {
                    model: matrix.models[row].clone(),
                    benchmark: capabilities[j].clone(),
                    value,
                });
            }
        }
    }
    Ok((
        out,
        ImputationReport {
            rank,
            iterations,
            converged: relative_change < TOLERANCE,
            relative_change,
            cells,
            listwise_models: None,
            listwise: Vec::new(),
        },
    ))
}

/// Iterative PCA on `observed` (rows × k, NaN = missing). Returns the
/// completed matrix, steps run and the last relative change.
fn iterate(observed: &[Vec<f64>], rank: usize) -> (Vec<Vec<f64>>, usize, f64) {
    let mut x: Vec<Vec<f64>> = observed
        .iter()
        .map(|r| {
            r.iter()
                .map(|v| if v.is_nan() { 0.0 } else { *v })
                .collect()
        })
        .collect();
    let any_missing = observed.iter().flatten().any(|v| v.is_nan());
    if !any_missing || x.is_empty() {
        return (x, 0, 0.0);
    }
    let k = x[0].len();
    let n = x.len() as f64;
    let mut change = f64::INFINITY;
    for step in 1..=MAX_STEPS {
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
            return (x, step, change);
        };
        let basis = &eigen.vectors[..rank.min(k)];
        let (mut moved, mut size) = (0.0, 0.0);
        for (i, r) in centred.iter().enumerate() {
            for j in 0..k {
                if observed[i][j].is_nan() {
                    let fitted: f64 = basis
                        .iter()
                        .map(|v| v[j] * r.iter().zip(v).map(|(a, b)| a * b).sum::<f64>())
                        .sum::<f64>()
                        + means[j];
                    moved += (fitted - x[i][j]).powi(2);
                    x[i][j] = fitted;
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
            return (x, step, change);
        }
    }
    (x, MAX_STEPS, change)
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
        let (x, steps, change) = iterate(&observed, 1);
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
    fn nothing_missing_is_a_no_op() {
        let m = factor_matrix(20, 42);
        let (done, report) = impute_pca(&m, &options().capabilities, 2).unwrap();
        assert_eq!(done, m);
        assert_eq!((report.iterations, report.cells.len()), (0, 0));
        assert!(report.converged);
    }
}
