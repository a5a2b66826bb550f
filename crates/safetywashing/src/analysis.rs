//! The capabilities-correlation analysis of one matrix (all steps of
//! `analysis-spec.md`): fit the capabilities score, then correlate every
//! benchmark with it and with training compute.
//!
//! Options are validated before any fitting (as linfa does), so a bad option
//! fails fast with a message, never half-way through a run.

use crate::capabilities::{CapabilitiesError, CapabilitiesFit, ExcludedModel, fit_capabilities};
use crate::load::InfoTable;
use crate::matrix::{BenchmarkMatrix, Column};
use crate::paired::{RowClasses, Scratch, Target, correlate_with};
use crate::stats::{CorrelationMethod, correlate_pairwise, near_ties_merged};
use rayon::prelude::*;
use serde::Serialize;

pub use crate::capabilities::PAPER_CAPABILITIES;

/// What to compute.
#[derive(Debug, Clone, PartialEq)]
pub struct AnalysisOptions {
    /// Capability benchmarks summarised into the capabilities score.
    pub capabilities: Vec<String>,
    /// Correlation method for every correlation.
    pub method: CorrelationMethod,
}

impl Default for AnalysisOptions {
    /// The paper's settings: its 12 capability benchmarks, Spearman.
    fn default() -> Self {
        AnalysisOptions {
            capabilities: PAPER_CAPABILITIES.iter().map(|s| s.to_string()).collect(),
            method: CorrelationMethod::Spearman,
        }
    }
}

/// Whether a benchmark is part of the capabilities score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// One of the capability benchmarks.
    Capability,
    /// Any other benchmark.
    Safety,
}

impl Role {
    /// Lower-case name as in JSON and CSV output.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Capability => "capability",
            Role::Safety => "safety",
        }
    }
}

/// Why a benchmark column was dropped before analysis (spec steps 1–2).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DroppedBenchmark {
    /// Benchmark id.
    pub benchmark: String,
    /// `all missing` or `constant`.
    pub reason: &'static str,
}

/// Correlations of one benchmark.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BenchmarkResult {
    /// Benchmark id (column header).
    pub benchmark: String,
    /// Display name (from the info table, else the id).
    pub name: String,
    /// Capability or safety benchmark.
    pub role: Role,
    /// Models with a value and a capabilities score.
    pub n: usize,
    /// Correlation with the capabilities score; `None` where undefined.
    pub capabilities_correlation: Option<f64>,
    /// Models with a value and a compute value.
    pub compute_n: usize,
    /// Correlation with training compute; `None` where undefined.
    pub compute_correlation: Option<f64>,
}

/// A column whose distinct values the tie rule of rank methods merged
/// (values equal to 12 significant digits; see [`crate::stats::tie_key`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NearTies {
    /// Benchmark id (or the compute column's header).
    pub benchmark: String,
    /// Distinct values merged into a tied one.
    pub merged: usize,
}

/// The full analysis of one matrix.
#[derive(Debug, Clone, PartialEq)]
pub struct Analysis {
    /// Matrix source (path as given).
    pub matrix: String,
    /// Correlation method used throughout.
    pub method: CorrelationMethod,
    /// Model ids in matrix order (all rows).
    pub models: Vec<String>,
    /// The fitted capabilities score.
    pub fit: CapabilitiesFit,
    /// Columns dropped as all-missing or constant.
    pub dropped: Vec<DroppedBenchmark>,
    /// Header of the compute column, when the matrix has one.
    pub compute_column: Option<String>,
    /// Models scored that have a compute value.
    pub score_compute_n: usize,
    /// Correlation of the capabilities score with compute.
    pub capabilities_score_compute_correlation: Option<f64>,
    /// One entry per benchmark column, in file order.
    pub benchmarks: Vec<BenchmarkResult>,
    /// Columns with near-ties merged by a rank method's tie rule (empty for
    /// Pearson, and for the bootstrap's resamples).
    pub near_ties: Vec<NearTies>,
}

impl Analysis {
    /// Models used for the capabilities score, in file order.
    pub fn models_used(&self) -> Vec<&str> {
        self.fit
            .rows
            .iter()
            .map(|&r| self.models[r].as_str())
            .collect()
    }

    /// Models left out for lacking a capability benchmark.
    pub fn models_excluded(&self) -> &[ExcludedModel] {
        &self.fit.excluded
    }

    /// (model, score) pairs, highest score first (ties keep file order).
    pub fn ranking(&self) -> Vec<(&str, f64)> {
        let mut pairs: Vec<(&str, f64)> = self
            .models_used()
            .into_iter()
            .zip(self.fit.scores.iter().copied())
            .collect();
        pairs.sort_by(|a, b| b.1.total_cmp(&a.1));
        pairs
    }
}

/// Why a correlation of `benchmark` over `n` model pairs is undefined (for
/// output beside a `null`, so no undefined number goes unexplained).
pub fn undefined_reason(analysis: &Analysis, benchmark: &str, n: usize) -> String {
    if let Some(d) = analysis.dropped.iter().find(|d| d.benchmark == benchmark) {
        format!("column dropped: {}", d.reason)
    } else if n < 2 {
        format!(
            "{} with both values; at least 2 are needed",
            crate::words::count(n, "model", "models")
        )
    } else {
        format!("one side is constant (or not representable) over the {n} models compared")
    }
}

/// Run the analysis of `matrix`; `info` supplies display names.
pub fn analyze(
    matrix: &BenchmarkMatrix,
    options: &AnalysisOptions,
    info: Option<&InfoTable>,
) -> Result<Analysis, CapabilitiesError> {
    let fit = fit_capabilities(matrix, &options.capabilities, options.method)?;
    let mut analysis = analyze_with_fit(matrix, options, info, fit);
    if options.method != CorrelationMethod::Pearson {
        analysis.near_ties = near_ties(matrix);
    }
    Ok(analysis)
}

/// Columns of `matrix` (benchmarks, then compute) with near-ties.
fn near_ties(matrix: &BenchmarkMatrix) -> Vec<NearTies> {
    matrix
        .benchmarks
        .iter()
        .chain(matrix.compute.as_ref())
        .filter_map(|c| {
            let merged = near_ties_merged(&c.values);
            (merged > 0).then(|| NearTies {
                benchmark: c.name.clone(),
                merged,
            })
        })
        .collect()
}

/// Whether compute enters correlations as log10 of its values: with
/// Pearson, whose linear correlation with raw FLOP (spanning orders of
/// magnitude) is dominated by the largest models. Rank methods use the raw
/// values, which rank the same as their logarithms.
pub fn compute_in_log10(method: CorrelationMethod) -> bool {
    method == CorrelationMethod::Pearson
}

/// The compute values as every compute correlation uses them (see
/// [`compute_in_log10`]); a non-positive value has no logarithm and is then
/// missing.
pub fn compute_for_correlation(
    values: &[f64],
    method: CorrelationMethod,
) -> std::borrow::Cow<'_, [f64]> {
    if compute_in_log10(method) {
        values
            .iter()
            .map(|&v| if v > 0.0 { v.log10() } else { f64::NAN })
            .collect::<Vec<f64>>()
            .into()
    } else {
        values.into()
    }
}

/// From this many cells (benchmarks × models) on, benchmarks are correlated
/// in parallel; below it, on the calling thread: a thread pool costs more
/// to start than the paper's matrices take (and a bootstrap resample, run on
/// a pool thread already, stays there).
const PARALLEL_FROM: usize = 200_000;

/// Steps 8–9 of the analysis for a capabilities score fitted already: every
/// benchmark's capabilities and compute correlation. [`analyze`] is this after
/// [`fit_capabilities`]; the uncertainty module calls it with fits it has
/// changed (a PC1 sign aligned to the full sample, another composite).
pub fn analyze_with_fit(
    matrix: &BenchmarkMatrix,
    options: &AnalysisOptions,
    info: Option<&InfoTable>,
    fit: CapabilitiesFit,
) -> Analysis {
    analyze_with_fit_ranked(matrix, options, info, fit, None)
}

/// [`analyze_with_fit`], with the tie classes of the matrix's benchmark
/// columns when known (a bootstrap resample's, see [`RowClasses`]), so
/// Spearman correlations are counted from them, not ranked: the same
/// numbers.
pub fn analyze_with_fit_ranked(
    matrix: &BenchmarkMatrix,
    options: &AnalysisOptions,
    info: Option<&InfoTable>,
    fit: CapabilitiesFit,
    classes: Option<&RowClasses<'_>>,
) -> Analysis {
    let method = options.method;
    // A resample's column values are read from its full sample (its own
    // matrix need not hold those its correlations do not read).
    let reasons: Vec<Option<&'static str>> = (matrix.benchmarks.iter().enumerate())
        .map(|(i, c)| match classes {
            Some(classes) => drop_reason(classes.values(i)),
            None => drop_reason(c.values.iter().copied()),
        })
        .collect();
    let dropped = matrix
        .benchmarks
        .iter()
        .zip(&reasons)
        .filter_map(|(c, reason)| {
            reason.map(|reason| DroppedBenchmark {
                benchmark: c.name.clone(),
                reason,
            })
        })
        .collect();

    // Capabilities scores spread over all rows (NaN for models not scored).
    let mut score_by_row = vec![f64::NAN; matrix.n_models()];
    for (&row, &s) in fit.rows.iter().zip(&fit.scores) {
        score_by_row[row] = s;
    }
    let compute = matrix
        .compute
        .as_ref()
        .map(|c| compute_for_correlation(&c.values, method));
    let compute = compute.as_deref();
    // Each target is prepared once (present rows, ranks); see `paired`.
    let score_target = Target::resampled(&score_by_row, method, classes);
    let compute_target = compute.map(|c| Target::resampled(c, method, classes));
    let mut targets = vec![&score_target];
    targets.extend(compute_target.as_ref());
    let one = |scratch: &mut Scratch, (index, column): (usize, &Column)| {
        let column_classes = classes.map(|c| c.column(index));
        let mut both = correlate_with(&column.values, column_classes, &targets, scratch);
        let dropped = reasons[index].is_some();
        let mut defined = || {
            both.next()
                .map_or((0, None), |(n, r)| (n, r.filter(|_| !dropped)))
        };
        let (n, capabilities_correlation) = defined();
        let (compute_n, compute_correlation) = defined();
        BenchmarkResult {
            benchmark: column.name.clone(),
            name: info
                .map_or(column.name.as_str(), |i| i.display_name(&column.name))
                .to_string(),
            role: if options.capabilities.contains(&column.name) {
                Role::Capability
            } else {
                Role::Safety
            },
            n,
            capabilities_correlation,
            compute_n,
            compute_correlation,
        }
    };
    let benchmarks: Vec<BenchmarkResult> =
        if matrix.n_models() * matrix.benchmarks.len() < PARALLEL_FROM {
            let mut scratch = Scratch::with_rows(matrix.n_models());
            matrix
                .benchmarks
                .iter()
                .enumerate()
                .map(|c| one(&mut scratch, c))
                .collect()
        } else {
            matrix
                .benchmarks
                .par_iter()
                .enumerate()
                .map_init(|| Scratch::with_rows(matrix.n_models()), one)
                .collect()
        };
    let (score_compute_n, capabilities_score_compute_correlation) = match compute {
        Some(c) => correlate_pairs(&score_by_row, c, method),
        None => (0, None),
    };
    Analysis {
        matrix: matrix.source.clone(),
        method,
        models: matrix.models.clone(),
        fit,
        dropped,
        compute_column: matrix.compute.as_ref().map(|c| c.name.clone()),
        score_compute_n,
        capabilities_score_compute_correlation,
        benchmarks,
        near_ties: Vec::new(),
    }
}

/// Spec steps 1–2: a column with no values, or with one repeated value, is
/// dropped (it has no z-scores and no defined correlation).
fn drop_reason(values: impl Iterator<Item = f64>) -> Option<&'static str> {
    let mut present = values.filter(|v| !v.is_nan());
    match present.next() {
        None => Some("all missing"),
        Some(first) if present.all(|v| v == first) => Some("constant"),
        Some(_) => None,
    }
}

/// Pairwise deletion, then the correlation (None below two pairs).
fn correlate_pairs(x: &[f64], y: &[f64], method: CorrelationMethod) -> (usize, Option<f64>) {
    correlate_pairwise(x, y, method)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::{pearson, spearman};
    use crate::uncertainty::test_support::{factor_matrix, options};

    #[test]
    fn pearson_correlates_log10_compute_and_ranks_use_raw() {
        let mut m = factor_matrix(30, 61);
        // FLOP spanning orders of magnitude, one non-positive value.
        let compute = m.compute.as_mut().unwrap();
        for v in compute.values.iter_mut() {
            *v = 10f64.powf(21.0 + 2.0 * *v);
        }
        compute.values[3] = 0.0;
        let flop = compute.values.clone();
        let log: Vec<f64> = flop
            .iter()
            .map(|&v| if v > 0.0 { v.log10() } else { f64::NAN })
            .collect();
        let pearson_options = AnalysisOptions {
            method: CorrelationMethod::Pearson,
            ..options()
        };
        let a = analyze(&m, &pearson_options, None).unwrap();
        let b = &a.benchmarks[4];
        let (x, y) = crate::stats::complete_pairs(&m.benchmarks[4].values, &log);
        let close = |a: Option<f64>, b: Option<f64>| (a.unwrap() - b.unwrap()).abs() < 1e-12;
        assert_eq!(b.compute_n, 29);
        assert!(close(b.compute_correlation, pearson(&x, &y)));
        let (x_raw, y_raw) = crate::stats::complete_pairs(&m.benchmarks[4].values, &flop);
        assert!(!close(b.compute_correlation, pearson(&x_raw, &y_raw)));
        // Spearman: raw values (the zero ranks lowest, as it is).
        let s = analyze(&m, &options(), None).unwrap();
        assert_eq!(s.benchmarks[4].compute_n, 30);
        assert!(close(
            s.benchmarks[4].compute_correlation,
            spearman(&x_raw, &y_raw)
        ));
        assert!(compute_in_log10(CorrelationMethod::Pearson));
        assert!(!compute_in_log10(CorrelationMethod::Kendall));
    }
}
