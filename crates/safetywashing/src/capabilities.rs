//! The capabilities score: the first principal component of the capability
//! benchmarks' correlation matrix (steps 2–7 of `analysis-spec.md`).
//!
//! Each capability column is standardised over every model that has a value
//! (population std), the models lacking any capability benchmark are left out
//! (listwise deletion, reported instead of crashing), the correlation matrix
//! of the remaining models is eigendecomposed, and each model's score is its
//! z-score row dotted with the sign-normalised PC1.

use crate::linalg::{SymmetricEigen, symmetric_eigen_leading};
use crate::matrix::{BenchmarkMatrix, closest_names};
use crate::paired::{Centred, RowClasses};
use crate::stats::{
    CorrelationMethod, Standardised, average_ranks, is_constant, mean, population_std,
    present_values, ranks_from_classes, standardise,
};
use std::collections::{HashMap, HashSet};
use thiserror::Error;

/// The fewest models a capabilities score is fitted on.
pub const MIN_MODELS: usize = 3;

/// A column of the matrix that is not a benchmark.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NonBenchmark {
    /// One of the matrix format's metadata columns.
    Metadata,
    /// The compute column.
    Compute,
}

impl std::fmt::Display for NonBenchmark {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            NonBenchmark::Metadata => "a metadata column",
            NonBenchmark::Compute => "the compute column",
        })
    }
}

/// What `name` is when it names a column of `matrix` that is there, just
/// not as a benchmark: a metadata column or the compute column.
pub fn non_benchmark(matrix: &BenchmarkMatrix, name: &str) -> Option<NonBenchmark> {
    if matrix.meta_column(name).is_some() {
        Some(NonBenchmark::Metadata)
    } else if matrix
        .compute
        .as_ref()
        .is_some_and(|c| crate::records::same_id(&c.name, name))
    {
        Some(NonBenchmark::Compute)
    } else {
        None
    }
}

/// Why a capabilities score could not be fitted.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum CapabilitiesError {
    /// No capability benchmarks were given.
    #[error("no capability benchmarks given")]
    NoCapabilities,
    /// The capability benchmarks' correlation matrix would not fit in memory.
    #[error(transparent)]
    Memory(#[from] crate::memory::MemoryError),
    /// A capability benchmark was listed twice.
    #[error("capability benchmark '{0}' is listed twice")]
    DuplicateCapability(String),
    /// A capability benchmark is not a column of the matrix.
    #[error(
        "{matrix}: capability benchmark '{name}' is not a benchmark column of the matrix{}; closest benchmark columns: {}",
        if *paper_set { " (the capability benchmarks asked for are the paper's 12, the default)" } else { "" },
        if suggestions.is_empty() { "none".to_string() } else { suggestions.join(", ") }
    )]
    UnknownCapability {
        /// Matrix source.
        matrix: String,
        /// The missing benchmark.
        name: String,
        /// Closest benchmark column names (never a metadata column).
        suggestions: Vec<String>,
        /// The capability set asked for is the paper's 12: the matrix is
        /// probably not laid out like the paper's and needs its own set.
        paper_set: bool,
    },
    /// A capability benchmark named is a metadata or the compute column.
    #[error("{matrix}: capability benchmark '{name}' is {kind}, not a benchmark")]
    NotABenchmark {
        /// Matrix source.
        matrix: String,
        /// The column named.
        name: String,
        /// What the column is instead.
        kind: NonBenchmark,
    },
    /// A capability benchmark has no usable values.
    #[error("{matrix}: capability benchmark '{name}' {reason}")]
    UnusableCapability {
        /// Matrix source.
        matrix: String,
        /// The benchmark.
        name: String,
        /// Why it can't be used.
        reason: String,
    },
    /// Too few models have every capability benchmark.
    #[error(
        "{matrix}: only {} a value for every capability benchmark; at least {MIN_MODELS} are needed",
        crate::words::count(*n, "model has", "models have")
    )]
    TooFewModels {
        /// Matrix source.
        matrix: String,
        /// How many models are complete.
        n: usize,
    },
    /// The eigendecomposition failed.
    #[error("{matrix}: the capability correlation matrix could not be decomposed")]
    Eigen {
        /// Matrix source.
        matrix: String,
    },
}

/// A model left out of the capabilities score, with the capability
/// benchmarks it lacks.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ExcludedModel {
    /// Model id.
    pub model: String,
    /// Capability benchmarks without a value for this model.
    pub missing: Vec<String>,
}

/// A fitted capabilities score.
#[derive(Debug, Clone, PartialEq)]
pub struct CapabilitiesFit {
    /// Capability benchmarks, in the order given.
    pub benchmarks: Vec<String>,
    /// Row indices (into the matrix) of the models scored, in file order.
    pub rows: Vec<usize>,
    /// Models left out by listwise deletion, in file order.
    pub excluded: Vec<ExcludedModel>,
    /// Correlation matrix of the capability benchmarks over `rows`.
    pub correlation_matrix: Vec<Vec<f64>>,
    /// Mean of the strictly upper-triangular correlations.
    pub correlation_mean: f64,
    /// Population std of the strictly upper-triangular correlations.
    pub correlation_std: f64,
    /// Eigenvalues of the correlation matrix, largest first.
    pub eigenvalues: Vec<f64>,
    /// PC1, sign-normalised so its largest-magnitude entry is positive.
    pub loadings: Vec<f64>,
    /// Capabilities score of each model in `rows`.
    pub scores: Vec<f64>,
    /// Step 2's standardisation: each capability benchmark's mean over the
    /// models that have it (in `benchmarks` order), what
    /// [`standardisation`] gives for the matrix fitted.
    pub means: Vec<f64>,
    /// Each capability benchmark's population std over the models that
    /// have it.
    pub stds: Vec<f64>,
}

impl CapabilitiesFit {
    /// Largest eigenvalue over the sum of eigenvalues.
    pub fn pc1_variance_explained(&self) -> f64 {
        self.eigenvalues[0] / self.eigenvalues.iter().sum::<f64>()
    }

    /// Flip PC1 (loadings and scores) when it points away from `reference`,
    /// loadings of the same benchmarks in the same order. A bootstrap
    /// resample's PC1 is compared with the full sample's this way, so a
    /// resample whose largest loading changed place keeps the same direction.
    /// Returns whether it flipped.
    pub fn align_to(&mut self, reference: &[f64]) -> bool {
        let dot: f64 = self
            .loadings
            .iter()
            .zip(reference)
            .map(|(a, b)| a * b)
            .sum();
        if dot < 0.0 {
            self.loadings.iter_mut().for_each(|x| *x = -*x);
            self.scores.iter_mut().for_each(|x| *x = -*x);
        }
        dot < 0.0
    }
}

/// The paper's 12 capability benchmarks, for base and chat models alike.
pub const PAPER_CAPABILITIES: [&str; 12] = [
    "logiqa",
    "piqa",
    "hellaswag",
    "winogrande",
    "superglue_copa",
    "medqa_4options",
    "arc_challenge",
    "mmlu",
    "minerva_math",
    "lambada_openai",
    "gsm8k",
    "bbh",
];

/// Whether `capabilities` is the paper's set (in any order).
fn is_paper_set(capabilities: &[String]) -> bool {
    capabilities.len() == PAPER_CAPABILITIES.len()
        && PAPER_CAPABILITIES
            .iter()
            .all(|p| capabilities.iter().any(|c| c == p))
}

/// Check a capability list before fitting: non-empty, no duplicates, every
/// benchmark a column of the matrix.
pub fn check_capabilities(
    matrix: &BenchmarkMatrix,
    capabilities: &[String],
) -> Result<Vec<usize>, CapabilitiesError> {
    if capabilities.is_empty() {
        return Err(CapabilitiesError::NoCapabilities);
    }
    // Hashed, so that thousands of names cost no more than a pass each.
    let by_name: HashMap<&str, usize> = matrix
        .benchmarks
        .iter()
        .enumerate()
        .rev()
        .map(|(i, b)| (b.name.as_str(), i))
        .collect();
    let mut listed: HashSet<&str> = HashSet::with_capacity(capabilities.len());
    let mut columns = Vec::with_capacity(capabilities.len());
    for name in capabilities {
        if !listed.insert(name.as_str()) {
            return Err(CapabilitiesError::DuplicateCapability(name.clone()));
        }
        if let Some(kind) = non_benchmark(matrix, name) {
            return Err(CapabilitiesError::NotABenchmark {
                matrix: matrix.source.clone(),
                name: name.clone(),
                kind,
            });
        }
        let index = by_name
            .get(name.as_str())
            .copied()
            .or_else(|| matrix.benchmark_index(name))
            .ok_or_else(|| CapabilitiesError::UnknownCapability {
                matrix: matrix.source.clone(),
                name: name.clone(),
                suggestions: closest_names(
                    name,
                    matrix.benchmarks.iter().map(|b| b.name.as_str()),
                    5,
                ),
                paper_set: is_paper_set(capabilities),
            })?;
        columns.push(index);
    }
    Ok(columns)
}

/// Fit the capabilities score of `matrix` on the benchmarks `capabilities`.
pub fn fit_capabilities(
    matrix: &BenchmarkMatrix,
    capabilities: &[String],
    method: CorrelationMethod,
) -> Result<CapabilitiesFit, CapabilitiesError> {
    fit_capabilities_with(matrix, capabilities, method, None)
}

/// [`fit_capabilities`], with the tie classes of the matrix's benchmark
/// columns when known (a bootstrap resample's): Spearman ranks are then
/// counted from them instead of sorted, the same numbers.
pub fn fit_capabilities_with(
    matrix: &BenchmarkMatrix,
    capabilities: &[String],
    method: CorrelationMethod,
    classes: Option<&RowClasses<'_>>,
) -> Result<CapabilitiesFit, CapabilitiesError> {
    // A resample's capability benchmarks are its full sample's, checked once.
    let columns = match classes {
        Some(classes) => classes.capabilities().to_vec(),
        None => check_capabilities(matrix, capabilities)?,
    };
    let k = columns.len() as u128;
    // The k × k correlation matrix, the eigensolver's copy and its vectors.
    crate::memory::ensure(
        crate::memory::bytes_of::<f64>(k * k * 3),
        || format!("the correlation matrix of {k} capability benchmarks"),
        "name fewer capability benchmarks",
    )?;
    let unusable = |name: &str, reason: &str| CapabilitiesError::UnusableCapability {
        matrix: matrix.source.clone(),
        name: name.to_string(),
        reason: reason.to_string(),
    };
    // Step 2: standardise each capability column over the models that have it.
    let standardised: Vec<Standardised> = columns
        .iter()
        .zip(capabilities)
        .map(|(&c, name)| {
            let column = &matrix.benchmarks[c];
            if column.present() == 0 {
                return Err(unusable(name, "has no values"));
            }
            standardise(&column.values).ok_or_else(|| {
                let present = present_values(&column.values);
                if is_constant(&present) {
                    unusable(name, "is constant (std 0)")
                } else {
                    unusable(name, crate::stats::why_no_z_scores(&present))
                }
            })
        })
        .collect::<Result<_, _>>()?;
    let means = standardised.iter().map(|s| s.mean).collect();
    let stds = standardised.iter().map(|s| s.std).collect();
    let z: Vec<Vec<f64>> = standardised.into_iter().map(|s| s.z).collect();

    // Step 3: listwise deletion.
    let mut rows = Vec::with_capacity(matrix.n_models());
    let mut excluded = Vec::new();
    for (row, model) in matrix.models.iter().enumerate() {
        let missing: Vec<String> = z
            .iter()
            .zip(capabilities)
            .filter(|(col, _)| col[row].is_nan())
            .map(|(_, name)| name.clone())
            .collect();
        if missing.is_empty() {
            rows.push(row);
        } else {
            excluded.push(ExcludedModel {
                model: model.clone(),
                missing,
            });
        }
    }
    if rows.len() < MIN_MODELS {
        return Err(CapabilitiesError::TooFewModels {
            matrix: matrix.source.clone(),
            n: rows.len(),
        });
    }
    // The z-scores of the models used.
    let used = |col: &Vec<f64>| -> Vec<f64> { rows.iter().map(|&r| col[r]).collect() };

    // Step 4: the capability correlation matrix. Rank methods rank the raw
    // values (the tie rule is on them, not on z-scores, whose rounding
    // depends on units); Pearson correlates the z-scores. Spearman is the
    // Pearson correlation of ranks, so each column is ranked once, not k - 1
    // times (the same numbers: `spearman` computes exactly this), and each
    // column Pearson correlates is centred once (`Centred`, the same numbers
    // as `pearson`).
    let k = z.len();
    let raw = |c: usize| -> Vec<f64> {
        let values = &matrix.benchmarks[c].values;
        rows.iter().map(|&r| values[r]).collect()
    };
    let (mut classes_used, mut counts) = (Vec::new(), Vec::new());
    let mut ranks = |c: usize| match classes {
        Some(classes) => {
            classes_used.clear();
            classes_used.extend(rows.iter().map(|&r| classes.class(c, r)));
            let mut ranks = Vec::with_capacity(rows.len());
            let groups = classes.column(c).groups;
            ranks_from_classes(&classes_used, groups, &mut counts, &mut ranks);
            ranks
        }
        None => average_ranks(&raw(c)),
    };
    let (kendall, centred) = match method {
        CorrelationMethod::Spearman => (
            Vec::new(),
            Centred::new(columns.iter().map(|&c| ranks(c)).collect()),
        ),
        CorrelationMethod::Pearson => (Vec::new(), Centred::new(z.iter().map(used).collect())),
        CorrelationMethod::Kendall => (
            columns.iter().map(|&c| raw(c)).collect(),
            Centred::new(Vec::new()),
        ),
    };
    let correlate = |i: usize, j: usize| match method {
        CorrelationMethod::Kendall => method.correlate(&kendall[i], &kendall[j]),
        CorrelationMethod::Spearman | CorrelationMethod::Pearson => centred.pearson(i, j),
    };
    let mut correlation_matrix = vec![vec![1.0; k]; k];
    for i in 0..k {
        for j in (i + 1)..k {
            let r = correlate(i, j).ok_or_else(|| {
                unusable(
                    &capabilities[i],
                    &format!(
                        "has no defined correlation with '{}' over the {} models used (a constant column there)",
                        capabilities[j],
                        rows.len()
                    ),
                )
            })?;
            correlation_matrix[i][j] = r;
            correlation_matrix[j][i] = r;
        }
    }

    // Step 5: statistics of the upper triangle.
    let mut upper = Vec::with_capacity(k * (k - 1) / 2);
    upper.extend(
        (0..k)
            .flat_map(|i| ((i + 1)..k).map(move |j| (i, j)))
            .map(|(i, j)| correlation_matrix[i][j]),
    );
    let correlation_mean = mean(&upper).unwrap_or(f64::NAN);
    let correlation_std = population_std(&upper).unwrap_or(f64::NAN);

    // Step 6: PC1, sign-normalised.
    let eigen_error = || CapabilitiesError::Eigen {
        matrix: matrix.source.clone(),
    };
    let SymmetricEigen {
        values: eigenvalues,
        vectors,
    } = symmetric_eigen_leading(&correlation_matrix, 1).ok_or_else(eigen_error)?;
    let mut loadings = vectors.into_iter().next().ok_or_else(eigen_error)?;
    normalise_sign(&mut loadings);

    // Step 7: scores from the step-2 z-scores.
    let scores = rows
        .iter()
        .map(|&r| z.iter().zip(&loadings).map(|(col, w)| col[r] * w).sum())
        .collect();

    Ok(CapabilitiesFit {
        benchmarks: capabilities.to_vec(),
        rows,
        excluded,
        correlation_matrix,
        correlation_mean,
        correlation_std,
        eigenvalues,
        loadings,
        scores,
        means,
        stds,
    })
}

/// The standardisation of step 2 for the capability benchmarks of `fit`:
/// each one's mean and population std over the models of `matrix` that have
/// it (NaN where the column is absent or has no spread). A model's
/// capabilities score under the fit is then [`project`] of its raw values.
pub fn standardisation(matrix: &BenchmarkMatrix, fit: &CapabilitiesFit) -> (Vec<f64>, Vec<f64>) {
    fit.benchmarks
        .iter()
        .map(|b| {
            let present = present_values(matrix.benchmark(b).map_or(&[][..], |c| &c.values));
            (
                mean(&present).unwrap_or(f64::NAN),
                population_std(&present).unwrap_or(f64::NAN),
            )
        })
        .unzip()
}

/// The capabilities score of one model whose capability values (in
/// `fit.benchmarks` order) are `values`, under `fit` and the standardisation
/// `(means, stds)` ([`standardisation`]): the loadings times the z-scores.
/// NaN when a value is missing.
pub fn project(fit: &CapabilitiesFit, (means, stds): (&[f64], &[f64]), values: &[f64]) -> f64 {
    values
        .iter()
        .zip(means.iter().zip(stds))
        .zip(&fit.loadings)
        .map(|((v, (m, s)), w)| (v - m) / s * w)
        .sum()
}

/// Negate `v` when its entry of largest absolute value (first on ties) is negative.
pub fn normalise_sign(v: &mut [f64]) {
    let mut best = 0;
    for (i, x) in v.iter().enumerate() {
        if x.abs() > v[best].abs() {
            best = i;
        }
    }
    if v.get(best).is_some_and(|x| *x < 0.0) {
        v.iter_mut().for_each(|x| *x = -*x);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn projecting_the_fitted_sample_gives_its_scores() {
        let col = |name: &str, values: Vec<f64>| crate::matrix::Column {
            name: name.into(),
            values,
        };
        let m = BenchmarkMatrix {
            source: "m.csv".into(),
            models: (1..=5).map(|i| format!("m{i}")).collect(),
            benchmarks: vec![
                col("a", vec![1.0, 2.0, 4.0, 3.0, 5.0]),
                col("b", vec![2.0, 1.0, 5.0, 6.0, 4.0]),
                col("c", vec![3.0, 5.0, 4.0, 8.0, f64::NAN]),
            ],
            meta: Vec::new(),
            compute: None,
        };
        let caps: Vec<String> = ["a", "b", "c"].map(String::from).to_vec();
        let fit = fit_capabilities(&m, &caps, CorrelationMethod::Pearson).unwrap();
        let (means, stds) = standardisation(&m, &fit);
        // Standardised over every model with a value, m5's too.
        assert_eq!(means[0], 3.0);
        for (&r, &score) in fit.rows.iter().zip(&fit.scores) {
            let values: Vec<f64> = caps
                .iter()
                .map(|c| m.benchmark(c).unwrap().values[r])
                .collect();
            assert_eq!(project(&fit, (&means, &stds), &values), score);
        }
        assert!(project(&fit, (&means, &stds), &[1.0, f64::NAN, 2.0]).is_nan());
    }

    #[test]
    fn sign_follows_largest_magnitude() {
        let mut v = vec![0.3, -0.9, 0.1];
        normalise_sign(&mut v);
        assert_eq!(v, vec![-0.3, 0.9, -0.1]);
        let mut w = vec![0.5, -0.5];
        normalise_sign(&mut w);
        assert_eq!(w, vec![0.5, -0.5]);
    }

    #[test]
    fn overflowing_column_is_not_called_constant() {
        let col = |name: &str, values: Vec<f64>| crate::matrix::Column {
            name: name.into(),
            values,
        };
        let matrix = BenchmarkMatrix {
            source: "m.csv".into(),
            models: vec!["x".into(), "y".into(), "z".into()],
            benchmarks: vec![
                col("a", vec![f64::MAX, -f64::MAX, 1.0]),
                col("b", vec![1.0, 2.0, 3.0]),
            ],
            meta: Vec::new(),
            compute: None,
        };
        let caps = ["a".to_string(), "b".to_string()];
        let err = fit_capabilities(&matrix, &caps, CorrelationMethod::Spearman)
            .unwrap_err()
            .to_string();
        assert!(err.contains("too large to standardise"), "{err}");
    }
}
