//! Uncertainty and robustness around the paper's analysis: bootstrap
//! intervals, permutation p-values with Benjamini–Hochberg q-values,
//! leave-one-out capabilities correlations, sensitivity to the choice of
//! composite, regression residuals, and PCA imputation of missing capability
//! cells.
//!
//! Design:
//! - **One pipeline.** Every resample, jackknife sample and variant composite
//!   runs the same code as the paper's analysis: a row-selected
//!   [`BenchmarkMatrix`] goes through
//!   [`fit_capabilities`](crate::capabilities::fit_capabilities) and
//!   [`analyze_with_fit`](crate::analysis::analyze_with_fit). Nothing here
//!   re-implements a step of the spec.
//! - **Determinism.** Random numbers come from ChaCha8 seeded by the user's
//!   seed and a purpose tag, with one stream per resample (or per benchmark
//!   for permutations), so results do not depend on how rayon schedules the
//!   work: same seed, same bytes, on any number of threads.
//! - **Nothing changes by default.** [`analyze_with_uncertainty`] with default
//!   options is [`analyze`]; point estimates are never altered, except by an
//!   explicit PCA imputation, whose report keeps the listwise values beside.
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
pub use impute::{
    DEFAULT_SOFT_SHRINK, ImputationReport, ImputeMethod, ImputedCell, impute, impute_pca,
};
pub use intervals::{
    BootstrapEstimate, FALLBACK_MARK, Interval, IntervalMethod, UNSTABLE_SHARE, fallback_legend,
};
pub use permutation::{PermutationReport, benjamini_hochberg};
pub use residuals::{Regression, ResidualRow, Residuals, SlopeIntervalMethod, residuals};
pub use sensitivity::{
    BenchmarkSensitivity, SensitivityReport, default_lines, leave_one_out_mean, verdict_lines,
};

use crate::analysis::{Analysis, AnalysisOptions, analyze, analyze_with_fit_ranked};
use crate::capabilities::{CapabilitiesError, fit_capabilities_with};
use crate::load::InfoTable;
use crate::matrix::{BenchmarkMatrix, Column};
use crate::paired::RowClasses;
use thiserror::Error;

pub use crate::DEFAULT_SEED;

/// The fewest bootstrap resamples or permutations accepted.
pub const MIN_DRAWS: usize = 10;

/// The caller's hooks into a long run: `progress` is told of units of work
/// done, `stop` is asked before each unit whether to give up.
pub(crate) struct Hooks<'a> {
    pub(crate) progress: &'a (dyn Fn(u64) + Sync),
    pub(crate) stop: &'a (dyn Fn() -> bool + Sync),
}

/// Hooks that report nowhere and never stop.
pub(crate) const NO_HOOKS: Hooks<'static> = Hooks {
    progress: &|_| {},
    stop: &|| false,
};

impl Hooks<'_> {
    /// [`UncertaintyError::Cancelled`] once the caller asks to stop.
    pub(crate) fn check(&self) -> Result<(), UncertaintyError> {
        if (self.stop)() {
            Err(UncertaintyError::Cancelled)
        } else {
            Ok(())
        }
    }
}

/// What a count of random draws counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Draws {
    /// Bootstrap resamples ([`BootstrapOptions::resamples`]).
    BootstrapResamples,
    /// Permutations per benchmark ([`UncertaintyOptions::permutations`]).
    Permutations,
}

impl Draws {
    /// Plural noun for messages.
    pub fn noun(self) -> &'static str {
        match self {
            Draws::BootstrapResamples => "bootstrap resamples",
            Draws::Permutations => "permutations",
        }
    }
}

/// An option out of range, found by [`UncertaintyOptions::validate`] (or by
/// [`residuals`] for its confidence level) before any fitting. The kinds
/// carry the values, so a front end can name its own flag for each.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum OptionError {
    /// Too few bootstrap resamples or permutations.
    #[error("at least {min} {} are needed, got {got}", what.noun())]
    TooFewDraws {
        /// What was counted.
        what: Draws,
        /// The fewest accepted ([`MIN_DRAWS`]).
        min: usize,
        /// The count given.
        got: usize,
    },
    /// A confidence level outside (0, 1).
    #[error("the confidence level must be strictly between 0 and 1 (e.g. 0.95), got {got}")]
    Confidence {
        /// The level given.
        got: f64,
    },
    /// A soft-impute shrinkage outside (0, 1).
    #[error(
        "soft-impute's shrinkage (a fraction of the largest singular value) must be strictly between 0 and 1, got {got}"
    )]
    ImputeShrink {
        /// The fraction given.
        got: f64,
    },
    /// A PCA imputation rank outside 1..capabilities.
    #[error(
        "the imputation rank must be between 1 and {} (one less than the {capabilities} capability benchmarks), got {got}",
        capabilities.saturating_sub(1)
    )]
    ImputeRank {
        /// The rank given.
        got: usize,
        /// Number of capability benchmarks.
        capabilities: usize,
    },
}

/// Why an uncertainty analysis could not run.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum UncertaintyError {
    /// The capabilities score could not be fitted on the full sample.
    #[error(transparent)]
    Capabilities(#[from] CapabilitiesError),
    /// The resamples' statistics would not fit in memory.
    #[error(transparent)]
    Memory(#[from] crate::memory::MemoryError),
    /// An option is out of range.
    #[error(transparent)]
    Option(#[from] OptionError),
    /// The cluster column is not a column of the matrix.
    #[error("{matrix}: no column '{column}' to cluster models by; metadata columns: {}", available.join(", "))]
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
        "{matrix}: models fall into {} ({how}); a cluster bootstrap needs at least 2",
        crate::words::count(*clusters, "cluster", "clusters")
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
    /// A benchmark named is a metadata or the compute column.
    #[error("{matrix}: '{name}' is {kind}, not a benchmark")]
    NotABenchmark {
        /// Matrix source.
        matrix: String,
        /// The column named.
        name: String,
        /// What the column is instead.
        kind: crate::capabilities::NonBenchmark,
    },
    /// The caller asked to stop (see [`analyze_with_uncertainty_until`]).
    #[error("cancelled")]
    Cancelled,
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

    /// Check every range once, before any fitting (as linfa checks its
    /// parameters), and bind these options to the analysis options they
    /// were checked against. Only a [`ValidOptions`] can run.
    pub fn validate(self, analysis: AnalysisOptions) -> Result<ValidOptions, OptionError> {
        if let Some(b) = &self.bootstrap {
            b.check()?;
        }
        if let Some(p) = self.permutations {
            check_draws(Draws::Permutations, p)?;
        }
        let capabilities = analysis.capabilities.len();
        if let ImputeMethod::Pca { rank } = self.impute
            && (rank == 0 || rank >= capabilities.max(1))
        {
            return Err(OptionError::ImputeRank {
                got: rank,
                capabilities,
            });
        }
        if let ImputeMethod::Soft { shrink } = self.impute
            && !(shrink > 0.0 && shrink < 1.0)
        {
            return Err(OptionError::ImputeShrink { got: shrink });
        }
        Ok(ValidOptions {
            analysis,
            extra: self,
        })
    }
}

/// At least [`MIN_DRAWS`] draws.
fn check_draws(what: Draws, got: usize) -> Result<(), OptionError> {
    if got < MIN_DRAWS {
        return Err(OptionError::TooFewDraws {
            what,
            min: MIN_DRAWS,
            got,
        });
    }
    Ok(())
}

/// A confidence level strictly between 0 and 1.
pub(crate) fn check_confidence(got: f64) -> Result<(), OptionError> {
    if got > 0.0 && got < 1.0 {
        Ok(())
    } else {
        Err(OptionError::Confidence { got })
    }
}

/// Analysis and uncertainty options checked together by
/// [`UncertaintyOptions::validate`]; what [`analyze_with_uncertainty`] runs.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidOptions {
    analysis: AnalysisOptions,
    extra: UncertaintyOptions,
}

impl ValidOptions {
    /// The paper's analysis alone (nothing to check).
    pub fn plain(analysis: AnalysisOptions) -> ValidOptions {
        ValidOptions {
            analysis,
            extra: UncertaintyOptions::default(),
        }
    }

    /// The analysis options.
    pub fn analysis(&self) -> &AnalysisOptions {
        &self.analysis
    }

    /// The uncertainty options.
    pub fn uncertainty(&self) -> &UncertaintyOptions {
        &self.extra
    }

    /// Units of work [`analyze_with_uncertainty`] reports to its progress
    /// callback for a matrix with `n_benchmarks` columns: one per bootstrap
    /// resample and one per benchmark's set of permutations.
    pub fn work_units(&self, n_benchmarks: usize) -> u64 {
        let resamples = self.extra.bootstrap.as_ref().map_or(0, |b| b.resamples);
        let perms = if self.extra.permutations.is_some() {
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

/// The paper's analysis of one matrix together with what the uncertainty
/// layer computed around it: the result of [`analyze_with_uncertainty`].
/// The uncertainty layer wraps the analysis; the analysis knows nothing of
/// it.
#[derive(Debug, Clone, PartialEq)]
pub struct FullAnalysis {
    /// The paper's analysis (its point estimates).
    pub analysis: Analysis,
    /// Intervals, p-values, sensitivity and imputation, when asked for;
    /// `None` for the paper's analysis alone.
    pub uncertainty: Option<UncertaintyReport>,
}

impl From<Analysis> for FullAnalysis {
    /// The paper's analysis with nothing around it.
    fn from(analysis: Analysis) -> Self {
        FullAnalysis {
            analysis,
            uncertainty: None,
        }
    }
}

impl FullAnalysis {
    /// Each benchmark's bootstrap interval of its capabilities correlation
    /// (the interval method asked for, else percentile), by benchmark id;
    /// `None` when no bootstrap was run.
    pub fn capabilities_intervals(&self) -> Option<std::collections::BTreeMap<String, Interval>> {
        let boot = self.uncertainty.as_ref()?.bootstrap.as_ref()?;
        Some(
            self.analysis
                .benchmarks
                .iter()
                .zip(&boot.capabilities)
                .filter_map(|(b, e)| {
                    let (i, _) = e.interval(boot.interval)?;
                    Some((b.benchmark.clone(), i))
                })
                .collect(),
        )
    }
}

pub(crate) use crate::random::{Purpose, stream_rng};

/// A matrix restricted to rows (repeats allowed), in their order, for
/// rerunning the pipeline on resamples: only its numbers are read back.
/// It is refilled for each resample ([`Resample::select`]), so that tens of
/// thousands of resamples allocate its columns once per task, not each, and
/// at most the capability benchmarks keep their names (for the fit to look
/// them up); other columns and the models are unnamed, and the metadata
/// columns are not carried (the analysis does not read them).
pub(crate) struct Resample {
    matrix: BenchmarkMatrix,
    /// Whether each benchmark column is a capability benchmark.
    capability: Vec<bool>,
}

impl Resample {
    /// An empty resample of `matrix`, whose capability benchmarks are
    /// `capabilities`; `named`: whether they keep their names (not needed
    /// where the fit is given the resample's tie classes, [`RowClasses`],
    /// which know their columns).
    pub(crate) fn new(matrix: &BenchmarkMatrix, capabilities: &[String], named: bool) -> Resample {
        let capability: Vec<bool> = (matrix.benchmarks.iter())
            .map(|c| capabilities.contains(&c.name))
            .collect();
        let empty = |(c, &capability): (&Column, &bool)| Column {
            name: if capability && named {
                c.name.clone()
            } else {
                String::new()
            },
            values: Vec::new(),
        };
        Resample {
            matrix: BenchmarkMatrix {
                source: String::new(),
                models: Vec::new(),
                benchmarks: matrix
                    .benchmarks
                    .iter()
                    .zip(&capability)
                    .map(empty)
                    .collect(),
                meta: Vec::new(),
                compute: matrix.compute.as_ref().map(|c| Column {
                    name: c.name.clone(),
                    values: Vec::new(),
                }),
            },
            capability,
        }
    }

    /// The rows `rows` of `matrix` (the matrix this was made for). With the
    /// resample's tie classes `classes`, a benchmark column the analysis of
    /// the resample does not read ([`RowClasses::reads_values`]: not a
    /// capability benchmark, correlated from its classes) is left empty.
    pub(crate) fn select(
        &mut self,
        matrix: &BenchmarkMatrix,
        rows: &[usize],
        classes: Option<&RowClasses>,
    ) -> &BenchmarkMatrix {
        let sub = &mut self.matrix;
        let columns = sub.benchmarks.iter_mut().zip(&matrix.benchmarks);
        for (i, (to, from)) in columns.enumerate() {
            to.values.clear();
            if self.capability[i] || classes.is_none_or(|c| c.reads_values(i)) {
                to.values.extend(rows.iter().map(|&r| from.values[r]));
            }
        }
        if let (Some(to), Some(from)) = (sub.compute.as_mut(), &matrix.compute) {
            to.values.clear();
            to.values.extend(rows.iter().map(|&r| from.values[r]));
        }
        sub.models.resize(rows.len(), String::new());
        sub
    }
}

/// The whole pipeline on `matrix` with PC1 pointing the way of `reference`
/// (full-sample loadings of the same capability benchmarks); `classes` are
/// the tie classes of its benchmark columns when known (see [`RowClasses`]).
pub(crate) fn analyze_aligned(
    matrix: &BenchmarkMatrix,
    options: &AnalysisOptions,
    reference: &[f64],
    classes: Option<&RowClasses<'_>>,
) -> Result<Analysis, CapabilitiesError> {
    let mut fit = fit_capabilities_with(matrix, &options.capabilities, options.method, classes)?;
    fit.align_to(reference);
    Ok(analyze_with_fit_ranked(matrix, options, None, fit, classes))
}

/// The paper's analysis of `matrix` plus whatever the checked options ask
/// for. `progress` is called with units of work done (see
/// [`ValidOptions::work_units`]).
pub fn analyze_with_uncertainty(
    matrix: &BenchmarkMatrix,
    valid: &ValidOptions,
    info: Option<&InfoTable>,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<FullAnalysis, UncertaintyError> {
    analyze_with_uncertainty_until(matrix, valid, info, progress, &|| false)
}

/// [`analyze_with_uncertainty`] that can be stopped: `stop` is asked before
/// each bootstrap resample, jackknife sample and permutation test, and once
/// it answers `true` the run ends with [`UncertaintyError::Cancelled`] (an
/// interrupt from a notebook, say). It never changes a number: a run that is
/// not stopped gives exactly [`analyze_with_uncertainty`]'s result.
pub fn analyze_with_uncertainty_until(
    matrix: &BenchmarkMatrix,
    valid: &ValidOptions,
    info: Option<&InfoTable>,
    progress: &(dyn Fn(u64) + Sync),
    stop: &(dyn Fn() -> bool + Sync),
) -> Result<FullAnalysis, UncertaintyError> {
    let (options, extra) = (&valid.analysis, &valid.extra);
    if extra.is_plain() {
        return Ok(analyze(matrix, options, info)?.into());
    }
    let (working, imputation) = match extra.impute {
        ImputeMethod::None => (None, None),
        method @ (ImputeMethod::Pca { .. } | ImputeMethod::Soft { .. }) => {
            let (completed, mut report) = impute(matrix, &options.capabilities, method)?;
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
    let analysis = analyze(matrix, options, info)?;
    let bootstrap = match &extra.bootstrap {
        Some(b) => Some(bootstrap::bootstrap(
            matrix,
            options,
            &analysis,
            b,
            extra.seed,
            &Hooks { progress, stop },
        )?),
        None => None,
    };
    let permutation = extra
        .permutations
        .map(|n| {
            permutation::permutation_test(
                matrix,
                &analysis,
                n,
                extra.seed,
                &Hooks { progress, stop },
            )
        })
        .transpose()?;
    let (leave_one_out, sensitivity) = if extra.sensitivity || extra.leave_one_out {
        let s = sensitivity::sensitivity(matrix, options, &analysis);
        let loo = s.leave_one_out(&analysis);
        (Some(loo), extra.sensitivity.then_some(s))
    } else {
        (None, None)
    };
    Ok(FullAnalysis {
        analysis,
        uncertainty: Some(UncertaintyReport {
            seed: extra.seed,
            bootstrap,
            permutation,
            leave_one_out,
            sensitivity,
            imputation,
        }),
    })
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
        let checked = UncertaintyOptions::default().validate(options()).unwrap();
        let same = analyze_with_uncertainty(&m, &checked, None, &|_| {}).unwrap();
        assert_eq!(same, FullAnalysis::from(plain));
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
        let checked = extra.validate(options()).unwrap();
        let a = analyze_with_uncertainty(&m, &checked, None, &|_| {}).unwrap();
        assert_eq!(a.analysis, plain);
        assert!(a.uncertainty.is_some());
    }

    #[test]
    fn bad_options_are_typed_errors_before_fitting() {
        let extra = UncertaintyOptions {
            permutations: Some(3),
            ..UncertaintyOptions::default()
        };
        assert_eq!(
            extra.validate(options()).unwrap_err(),
            OptionError::TooFewDraws {
                what: Draws::Permutations,
                min: MIN_DRAWS,
                got: 3
            }
        );
        let extra = UncertaintyOptions {
            impute: ImputeMethod::Pca { rank: 4 },
            ..UncertaintyOptions::default()
        };
        let e = extra.validate(options()).unwrap_err();
        assert_eq!(
            e,
            OptionError::ImputeRank {
                got: 4,
                capabilities: 4
            }
        );
        assert_eq!(
            e.to_string(),
            "the imputation rank must be between 1 and 3 (one less than the 4 capability benchmarks), got 4"
        );
    }
}
