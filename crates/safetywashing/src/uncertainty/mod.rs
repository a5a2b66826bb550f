//! Uncertainty and robustness around the paper's analysis: bootstrap
//! intervals, permutation p-values with Benjamini–Hochberg q-values,
//! leave-one-out capabilities correlations, sensitivity to the choice of
//! composite, regression residuals, and PCA imputation of missing capability
//! cells.
//!
//! Design:
//! - **One pipeline.** Every resample, jackknife sample and variant composite
//!   runs the same code as the paper's analysis: a row-selected
//!   [`BenchmarkMatrix`] goes through [`fit_capabilities`] and
//!   [`analyze_with_fit`]. Nothing here re-implements a step of the spec.
//! - **Determinism.** Random numbers come from ChaCha8 seeded by the user's
//!   seed and a purpose tag, with one stream per resample (or per benchmark
//!   for permutations), so results do not depend on how rayon schedules the
//!   work: same seed, same bytes, on any number of threads.
//! - **Nothing changes by default.** [`analyze_with_uncertainty`] with default
//!   options is [`analyze`]; point estimates are never altered, except by an
//!   explicit `--impute pca`, whose report keeps the listwise values beside.
//! - The library never prints: progress is reported through a callback the
//!   binary turns into a progress bar.

mod bootstrap;
pub mod coverage;
mod impute;
mod intervals;
mod permutation;
mod residuals;
mod sensitivity;

pub use bootstrap::{BootstrapOptions, BootstrapReport, ClusterSource, Resampling};
pub use impute::{ImputationReport, ImputeMethod, ImputedCell, impute_pca};
pub use intervals::{BootstrapEstimate, Interval, IntervalMethod};
pub use permutation::{PermutationReport, benjamini_hochberg};
pub use residuals::{Regression, ResidualRow, Residuals, residuals};
pub use sensitivity::{BenchmarkSensitivity, SensitivityReport};

use crate::analysis::{Analysis, AnalysisOptions, analyze, analyze_with_fit};
use crate::capabilities::{CapabilitiesError, fit_capabilities};
use crate::load::InfoTable;
use crate::matrix::{BenchmarkMatrix, Column};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use thiserror::Error;

pub use crate::DEFAULT_SEED;

/// A capabilities correlation at or above this is "high" (the paper calls
/// one below 40% low); a benchmark whose verdict differs across composites
/// is flagged by the sensitivity analysis.
pub const HIGH_CORRELATION: f64 = 0.4;

/// The fewest bootstrap resamples or permutations accepted.
pub const MIN_DRAWS: usize = 10;

/// Why an uncertainty analysis could not run.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum UncertaintyError {
    /// The capabilities score could not be fitted on the full sample.
    #[error(transparent)]
    Capabilities(#[from] CapabilitiesError),
    /// An option is out of range.
    #[error("{0}")]
    BadOption(String),
    /// The cluster column is not a column of the matrix.
    #[error("{matrix}: no column '{column}' to cluster models by (--cluster-column); metadata columns: {}", available.join(", "))]
    UnknownClusterColumn {
        /// Matrix source.
        matrix: String,
        /// The column asked for.
        column: String,
        /// Metadata columns of the matrix.
        available: Vec<String>,
    },
    /// Fewer than two clusters: nothing to resample.
    #[error(
        "{matrix}: models fall into {clusters} cluster(s) ({how}); a cluster bootstrap needs at least 2"
    )]
    TooFewClusters {
        /// Matrix source.
        matrix: String,
        /// Number of clusters found.
        clusters: usize,
        /// How clusters were formed.
        how: String,
    },
    /// A named benchmark is not a column of the matrix.
    #[error("{matrix}: no benchmark column '{name}'; closest columns: {}", suggestions.join(", "))]
    UnknownBenchmark {
        /// Matrix source.
        matrix: String,
        /// The benchmark asked for.
        name: String,
        /// Closest column names.
        suggestions: Vec<String>,
    },
    /// Too little data for a regression.
    #[error("{matrix}: '{benchmark}' {reason}")]
    Regression {
        /// Matrix source.
        matrix: String,
        /// The benchmark regressed.
        benchmark: String,
        /// What is missing.
        reason: String,
    },
}

/// What to compute beyond the paper's analysis. The default asks for
/// nothing, and then the result is exactly [`analyze`]'s.
#[derive(Debug, Clone, PartialEq)]
pub struct UncertaintyOptions {
    /// Bootstrap intervals, when asked for.
    pub bootstrap: Option<BootstrapOptions>,
    /// Permutations per benchmark for p-values, when asked for.
    pub permutations: Option<usize>,
    /// Each capability benchmark's correlation with a score fitted without it.
    pub leave_one_out: bool,
    /// Correlations under other composites (implies leave-one-out).
    pub sensitivity: bool,
    /// How missing capability cells are handled.
    pub impute: ImputeMethod,
    /// Seed of every random draw.
    pub seed: u64,
}

impl Default for UncertaintyOptions {
    fn default() -> Self {
        UncertaintyOptions {
            bootstrap: None,
            permutations: None,
            leave_one_out: false,
            sensitivity: false,
            impute: ImputeMethod::None,
            seed: DEFAULT_SEED,
        }
    }
}

impl UncertaintyOptions {
    /// True when nothing beyond the paper's analysis is asked for.
    pub fn is_plain(&self) -> bool {
        self.bootstrap.is_none()
            && self.permutations.is_none()
            && !self.leave_one_out
            && !self.sensitivity
            && self.impute == ImputeMethod::None
    }

    /// Check ranges before any fitting, so a bad option fails fast.
    pub fn validate(&self, n_capabilities: usize) -> Result<(), UncertaintyError> {
        if let Some(b) = &self.bootstrap {
            b.validate()?;
        }
        if let Some(p) = self.permutations
            && p < MIN_DRAWS
        {
            return Err(UncertaintyError::BadOption(format!(
                "--permutations must be at least {MIN_DRAWS}, got {p}"
            )));
        }
        if let ImputeMethod::Pca { rank } = self.impute
            && (rank == 0 || rank >= n_capabilities.max(1))
        {
            return Err(UncertaintyError::BadOption(format!(
                "--impute-rank must be between 1 and {} (one less than the {} capability benchmarks), got {rank}",
                n_capabilities.saturating_sub(1),
                n_capabilities
            )));
        }
        Ok(())
    }

    /// Units of work [`analyze_with_uncertainty`] reports to its progress
    /// callback for a matrix with `n_benchmarks` columns: one per bootstrap
    /// resample and one per benchmark's set of permutations.
    pub fn work_units(&self, n_benchmarks: usize) -> u64 {
        let resamples = self.bootstrap.as_ref().map_or(0, |b| b.resamples);
        let perms = if self.permutations.is_some() {
            n_benchmarks
        } else {
            0
        };
        (resamples + perms) as u64
    }
}

/// Everything computed beyond the paper's analysis for one matrix. Vectors
/// indexed by benchmark follow `Analysis::benchmarks`.
#[derive(Debug, Clone, PartialEq)]
pub struct UncertaintyReport {
    /// Seed of every random draw.
    pub seed: u64,
    /// Bootstrap intervals.
    pub bootstrap: Option<BootstrapReport>,
    /// Permutation p-values and BH q-values.
    pub permutation: Option<PermutationReport>,
    /// Correlation of each capability benchmark with a score fitted without
    /// it (`None` for other benchmarks and where undefined).
    pub leave_one_out: Option<Vec<Option<f64>>>,
    /// Correlations under other composites.
    pub sensitivity: Option<SensitivityReport>,
    /// What PCA imputation filled in, and the listwise results beside it.
    pub imputation: Option<ImputationReport>,
}

/// Purposes of random streams, so that bootstrap and permutation draws never
/// share numbers even with the same seed.
#[derive(Debug, Clone, Copy)]
#[repr(u64)]
pub(crate) enum Purpose {
    Bootstrap = 1,
    Permutation = 2,
    #[cfg_attr(not(test), allow(dead_code))]
    Simulation = 3,
}

/// The random stream `index` of `purpose` under `seed`: independent of which
/// thread asks, or in which order.
pub(crate) fn stream_rng(seed: u64, purpose: Purpose, index: u64) -> ChaCha8Rng {
    let mut key = [0u8; 32];
    key[..8].copy_from_slice(&seed.to_le_bytes());
    key[8..16].copy_from_slice(&(purpose as u64).to_le_bytes());
    let mut rng = ChaCha8Rng::from_seed(key);
    rng.set_stream(index);
    rng
}

/// The matrix restricted to `rows` (repeats allowed), in that order, for
/// rerunning the pipeline on a resample: only its numbers are read back.
/// So that tens of thousands of resamples don't allocate thousands of
/// strings each, only the capability benchmarks keep their names (the fit
/// looks them up); other columns and the models are unnamed, and the
/// metadata columns are not carried (the analysis does not read them).
pub(crate) fn select_rows(
    matrix: &BenchmarkMatrix,
    rows: &[usize],
    capabilities: &[String],
) -> BenchmarkMatrix {
    let pick = |c: &Column| Column {
        name: if capabilities.contains(&c.name) {
            c.name.clone()
        } else {
            String::new()
        },
        values: rows.iter().map(|&r| c.values[r]).collect(),
    };
    BenchmarkMatrix {
        source: String::new(),
        models: vec![String::new(); rows.len()],
        benchmarks: matrix.benchmarks.iter().map(pick).collect(),
        meta: Vec::new(),
        compute: matrix.compute.as_ref().map(pick),
    }
}

/// The whole pipeline on `matrix` with PC1 pointing the way of `reference`
/// (full-sample loadings of the same capability benchmarks).
pub(crate) fn analyze_aligned(
    matrix: &BenchmarkMatrix,
    options: &AnalysisOptions,
    reference: &[f64],
) -> Result<Analysis, CapabilitiesError> {
    let mut fit = fit_capabilities(matrix, &options.capabilities, options.method)?;
    fit.align_to(reference);
    Ok(analyze_with_fit(matrix, options, None, fit))
}

/// Each benchmark's bootstrap interval of its capabilities correlation (the
/// interval method asked for, else percentile), by benchmark id; `None`
/// when the analysis ran without `--bootstrap`.
pub fn capabilities_intervals(
    analysis: &crate::analysis::Analysis,
) -> Option<std::collections::BTreeMap<String, (f64, f64)>> {
    let boot = analysis.uncertainty.as_ref()?.bootstrap.as_ref()?;
    Some(
        analysis
            .benchmarks
            .iter()
            .zip(&boot.capabilities)
            .filter_map(|(b, e)| {
                let (i, _) = e.interval(boot.interval)?;
                Some((b.benchmark.clone(), (i.low, i.high)))
            })
            .collect(),
    )
}

/// The paper's analysis of `matrix` plus whatever `extra` asks for.
/// `progress` is called with units of work done (see
/// [`UncertaintyOptions::work_units`]).
pub fn analyze_with_uncertainty(
    matrix: &BenchmarkMatrix,
    options: &AnalysisOptions,
    info: Option<&InfoTable>,
    extra: &UncertaintyOptions,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Analysis, UncertaintyError> {
    extra.validate(options.capabilities.len())?;
    if extra.is_plain() {
        return Ok(analyze(matrix, options, info)?);
    }
    let (working, imputation) = match extra.impute {
        ImputeMethod::None => (None, None),
        ImputeMethod::Pca { rank } => {
            let (completed, mut report) = impute_pca(matrix, &options.capabilities, rank)?;
            // The listwise analysis, to compare with (it may fail where
            // imputation succeeds: then there is nothing to compare).
            if let Ok(listwise) = analyze(matrix, options, info) {
                report.listwise_models = Some(listwise.fit.rows.len());
                report.listwise = listwise
                    .benchmarks
                    .iter()
                    .map(|b| b.capabilities_correlation)
                    .collect();
            }
            (Some(completed), Some(report))
        }
    };
    let matrix = working.as_ref().unwrap_or(matrix);
    let mut analysis = analyze(matrix, options, info)?;
    let bootstrap = match &extra.bootstrap {
        Some(b) => Some(bootstrap::bootstrap(
            matrix, options, &analysis, b, extra.seed, progress,
        )?),
        None => None,
    };
    let permutation = extra
        .permutations
        .map(|n| permutation::permutation_test(matrix, &analysis, n, extra.seed, progress));
    let (leave_one_out, sensitivity) = if extra.sensitivity || extra.leave_one_out {
        let s = sensitivity::sensitivity(matrix, options, &analysis);
        let loo = s.leave_one_out(&analysis);
        (Some(loo), extra.sensitivity.then_some(s))
    } else {
        (None, None)
    };
    analysis.uncertainty = Some(UncertaintyReport {
        seed: extra.seed,
        bootstrap,
        permutation,
        leave_one_out,
        sensitivity,
        imputation,
    });
    Ok(analysis)
}

#[cfg(test)]
pub(crate) mod test_support {
    //! A small matrix with a clear capabilities factor, for unit tests.
    use crate::matrix::{BenchmarkMatrix, Column};
    use rand::RngExt;

    /// `n` models, 4 capability benchmarks `c0..c3`, a safety benchmark
    /// `s_cap` that follows capabilities, one `s_free` that does not, and a
    /// compute column.
    pub fn factor_matrix(n: usize, seed: u64) -> BenchmarkMatrix {
        let mut rng = super::stream_rng(seed, super::Purpose::Simulation, 0);
        let mut normal = || -> f64 {
            // Box–Muller; test data only.
            let u: f64 = rng.random::<f64>().max(1e-300);
            let v: f64 = rng.random();
            (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
        };
        let latent: Vec<f64> = (0..n).map(|_| normal()).collect();
        let mut col = |name: &str, loading: f64| Column {
            name: name.to_string(),
            values: latent
                .iter()
                .map(|g| loading * g + (1.0 - loading * loading).sqrt() * normal())
                .collect(),
        };
        let benchmarks = vec![
            col("c0", 0.9),
            col("c1", 0.85),
            col("c2", 0.8),
            col("c3", 0.75),
            col("s_cap", 0.7),
            col("s_free", 0.0),
        ];
        let compute = Some(col("FLOP", 0.8));
        BenchmarkMatrix {
            source: "test.csv".into(),
            models: (0..n).map(|i| format!("fam{}-m{i}", i % 4)).collect(),
            benchmarks,
            meta: Vec::new(),
            compute,
        }
    }

    /// Analysis options for [`factor_matrix`].
    pub fn options() -> crate::analysis::AnalysisOptions {
        crate::analysis::AnalysisOptions {
            capabilities: ["c0", "c1", "c2", "c3"].map(String::from).to_vec(),
            method: crate::stats::CorrelationMethod::Spearman,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::test_support::*;
    use super::*;
    use rand::RngExt;

    #[test]
    fn streams_are_independent_of_order() {
        let a: Vec<u64> = (0..4)
            .map(|i| stream_rng(7, Purpose::Bootstrap, i).random())
            .collect();
        let b: Vec<u64> = (0..4)
            .rev()
            .map(|i| stream_rng(7, Purpose::Bootstrap, i).random())
            .collect();
        assert_eq!(a, b.into_iter().rev().collect::<Vec<_>>());
        let p: u64 = stream_rng(7, Purpose::Permutation, 0).random();
        assert_ne!(a[0], p);
    }

    #[test]
    fn plain_options_give_the_plain_analysis() {
        let m = factor_matrix(30, 1);
        let plain = analyze(&m, &options(), None).unwrap();
        let same = analyze_with_uncertainty(
            &m,
            &options(),
            None,
            &UncertaintyOptions::default(),
            &|_| {},
        )
        .unwrap();
        assert_eq!(plain, same);
    }

    #[test]
    fn point_estimates_are_unchanged_by_extras() {
        let m = factor_matrix(30, 2);
        let plain = analyze(&m, &options(), None).unwrap();
        let extra = UncertaintyOptions {
            bootstrap: Some(BootstrapOptions {
                resamples: 50,
                ..BootstrapOptions::default()
            }),
            permutations: Some(50),
            sensitivity: true,
            ..UncertaintyOptions::default()
        };
        let a = analyze_with_uncertainty(&m, &options(), None, &extra, &|_| {}).unwrap();
        assert_eq!(a.benchmarks, plain.benchmarks);
        assert_eq!(a.fit, plain.fit);
        assert!(a.uncertainty.is_some());
    }

    #[test]
    fn bad_options_fail_before_fitting() {
        let m = factor_matrix(30, 3);
        let extra = UncertaintyOptions {
            permutations: Some(3),
            ..UncertaintyOptions::default()
        };
        let e = analyze_with_uncertainty(&m, &options(), None, &extra, &|_| {}).unwrap_err();
        assert!(e.to_string().contains("--permutations"), "{e}");
        let extra = UncertaintyOptions {
            impute: ImputeMethod::Pca { rank: 4 },
            ..UncertaintyOptions::default()
        };
        let e = analyze_with_uncertainty(&m, &options(), None, &extra, &|_| {}).unwrap_err();
        assert!(e.to_string().contains("--impute-rank"), "{e}");
    }
}
