//! Safety beyond capabilities: regress a benchmark on the capabilities score
//! and rank models by residual — who is safer, or less safe, than their
//! capabilities predict.
//!
//! The regression uses the models with a capabilities score and a value for
//! the benchmark. With Pearson or Kendall it is OLS of the benchmark's z-scores
//! (step 2 of the spec: standardised over every model that has it) on the
//! capabilities score, so the slope is in benchmark standard deviations per
//! unit of score, which is not the correlation. With Spearman it is rank-based:
//! OLS of the standardised ranks of the benchmark on the standardised ranks of
//! the score (its slope is then the Spearman correlation, and residuals are in
//! rank standard deviations). The slope interval is, for OLS, the usual t
//! interval with n − 2 degrees of freedom; for the rank regression, whose
//! slope is a correlation, an interval for a correlation: Fisher's z with the
//! Bonett–Wright standard error ([`spearman_interval`]), always inside
//! [−1, 1]. A model's `value` is the benchmark's raw value; `fitted` and
//! `residual` are on the regression's standardised scale (z-scores, or
//! standardised ranks). The partial correlation of the benchmark with compute
//! given capabilities uses the analysis method's correlations (with log10
//! compute under Pearson).

use super::{Interval, UncertaintyError};
use crate::analysis::{AnalysisOptions, analyze, compute_for_correlation};
use crate::matrix::{BenchmarkMatrix, closest_names};
use crate::stats::{
    CorrelationMethod, Ols, average_ranks, mean, population_std, spearman_interval, z_scores,
};
use serde::Serialize;

/// A simple linear regression of a benchmark on the capabilities score.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Regression {
    /// `ols` (z-scores on the score) or `rank` (standardised ranks).
    pub kind: &'static str,
    /// Models in the regression.
    pub n: usize,
    /// Slope.
    pub slope: f64,
    /// How the slope's interval is formed.
    pub slope_interval_method: SlopeIntervalMethod,
    /// The slope's interval (`None` below 3 models, or 4 for the rank
    /// regression).
    pub slope_interval: Option<Interval>,
    /// Confidence level of the interval.
    pub confidence: f64,
    /// Intercept.
    pub intercept: f64,
    /// Share of the response's variance explained.
    pub r_squared: f64,
}

/// How the interval of a regression's slope is formed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SlopeIntervalMethod {
    /// Student t with n − 2 degrees of freedom (OLS of z-scores).
    T,
    /// Fisher z with the Bonett–Wright standard error: the slope of the
    /// rank regression is the Spearman correlation.
    FisherZBonettWright,
}

impl SlopeIntervalMethod {
    /// Words for reports.
    pub fn describe(self) -> &'static str {
        match self {
            SlopeIntervalMethod::T => "t interval",
            SlopeIntervalMethod::FisherZBonettWright => {
                "Fisher-z interval for a Spearman correlation, Bonett–Wright standard error"
            }
        }
    }
}

/// One model's place relative to the regression line.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResidualRow {
    /// Model id.
    pub model: String,
    /// Capabilities score.
    pub capabilities_score: f64,
    /// The benchmark's raw value (its own units).
    pub value: f64,
    /// Predicted response, standardised (z-scores, or standardised ranks).
    pub fitted: f64,
    /// Observed minus predicted response, standardised like `fitted`: above
    /// 0, safer than capabilities predict.
    pub residual: f64,
}

/// The regression of one benchmark on capabilities, with residuals.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Residuals {
    /// Matrix source.
    pub matrix: String,
    /// Benchmark id.
    pub benchmark: String,
    /// Correlation method of the analysis.
    pub method: CorrelationMethod,
    /// The regression.
    pub regression: Regression,
    /// Models, largest residual first (ties in file order).
    pub models: Vec<ResidualRow>,
    /// Header of the compute column, when the matrix has one.
    pub compute_column: Option<String>,
    /// Models with benchmark, score and compute.
    pub partial_compute_n: usize,
    /// Partial correlation of the benchmark with compute given the
    /// capabilities score (`None` where undefined).
    pub partial_compute_correlation: Option<f64>,
}

/// Regress `benchmark` on the capabilities score of `matrix`.
pub fn residuals(
    matrix: &BenchmarkMatrix,
    options: &AnalysisOptions,
    benchmark: &str,
    confidence: f64,
) -> Result<Residuals, UncertaintyError> {
    super::check_confidence(confidence)?;
    if let Some(kind) = crate::capabilities::non_benchmark(matrix, benchmark) {
        return Err(UncertaintyError::NotABenchmark {
            matrix: matrix.source.clone(),
            name: benchmark.to_string(),
            kind,
        });
    }
    let column = matrix
        .benchmark(benchmark)
        .ok_or_else(|| UncertaintyError::UnknownBenchmark {
            matrix: matrix.source.clone(),
            name: benchmark.to_string(),
            suggestions: closest_names(benchmark, matrix.all_column_names(), 5),
        })?;
    let fail = |reason: String| UncertaintyError::Regression {
        matrix: matrix.source.clone(),
        benchmark: benchmark.to_string(),
        reason,
    };
    let analysis = analyze(matrix, options, None)?;
    let z = z_scores(&column.values)
        .ok_or_else(|| fail(crate::stats::why_no_z_scores(&column.values).into()))?;
    let pairs: Vec<(usize, f64)> = analysis
        .fit
        .rows
        .iter()
        .zip(&analysis.fit.scores)
        .filter(|(r, _)| !column.values[**r].is_nan())
        .map(|(r, s)| (*r, *s))
        .collect();
    if pairs.len() < 3 {
        return Err(fail(format!(
            "has a value for only {} of the models with a capabilities score; a regression needs 3",
            pairs.len()
        )));
    }
    let scores: Vec<f64> = pairs.iter().map(|p| p.1).collect();
    let (kind, x, y) = match options.method {
        CorrelationMethod::Spearman => {
            let values: Vec<f64> = pairs.iter().map(|p| column.values[p.0]).collect();
            (
                "rank",
                standardise(&average_ranks(&scores)),
                standardise(&average_ranks(&values)),
            )
        }
        _ => (
            "ols",
            scores.clone(),
            pairs.iter().map(|p| z[p.0]).collect(),
        ),
    };
    let regression = regress(kind, &x, &y, confidence)
        .ok_or_else(|| fail("is constant over the models with a capabilities score".into()))?;
    let mut models: Vec<ResidualRow> = pairs
        .iter()
        .enumerate()
        .map(|(i, &(row, score))| {
            let fitted = regression.intercept + regression.slope * x[i];
            ResidualRow {
                model: matrix.models[row].clone(),
                capabilities_score: score,
                value: column.values[row],
                fitted,
                residual: y[i] - fitted,
            }
        })
        .collect();
    models.sort_by(|a, b| b.residual.total_cmp(&a.residual));
    let (partial_compute_n, partial_compute_correlation) =
        partial_compute(matrix, &pairs, column.values.as_slice(), options.method);
    Ok(Residuals {
        matrix: matrix.source.clone(),
        benchmark: benchmark.to_string(),
        method: options.method,
        regression,
        models,
        compute_column: matrix.compute.as_ref().map(|c| c.name.clone()),
        partial_compute_n,
        partial_compute_correlation,
    })
}

/// Values standardised with the population std (all finite input).
fn standardise(values: &[f64]) -> Vec<f64> {
    let m = mean(values).unwrap_or(0.0);
    let sd = population_std(values).unwrap_or(0.0);
    values
        .iter()
        .map(|v| if sd > 0.0 { (v - m) / sd } else { 0.0 })
        .collect()
}

/// OLS of y on x with an interval for the slope: the t interval, or for
/// the rank regression (`kind` = `rank`, whose slope is the Spearman
/// correlation) the Fisher-z interval of a Spearman correlation. `None` when
/// x or y is constant.
fn regress(kind: &'static str, x: &[f64], y: &[f64], confidence: f64) -> Option<Regression> {
    let fit = Ols::fit(x, y)?;
    let r_squared = fit.r_squared()?;
    let (slope_interval_method, slope_interval) = if kind == "rank" {
        (
            SlopeIntervalMethod::FisherZBonettWright,
            spearman_interval(fit.slope, fit.n(), confidence),
        )
    } else {
        (SlopeIntervalMethod::T, fit.slope_interval(confidence))
    };
    Some(Regression {
        kind,
        n: fit.n(),
        slope: fit.slope,
        slope_interval_method,
        slope_interval,
        confidence,
        intercept: fit.intercept,
        r_squared,
    })
}

/// Partial correlation of the benchmark with compute given the score, over
/// the regression's models that have a compute value.
fn partial_compute(
    matrix: &BenchmarkMatrix,
    pairs: &[(usize, f64)],
    values: &[f64],
    method: CorrelationMethod,
) -> (usize, Option<f64>) {
    let Some(compute) = &matrix.compute else {
        return (0, None);
    };
    let compute = compute_for_correlation(&compute.values, method);
    let kept: Vec<&(usize, f64)> = pairs
        .iter()
        .filter(|(r, _)| !compute[*r].is_nan())
        .collect();
    let b: Vec<f64> = kept.iter().map(|(r, _)| values[*r]).collect();
    let c: Vec<f64> = kept.iter().map(|(r, _)| compute[*r]).collect();
    let s: Vec<f64> = kept.iter().map(|(_, s)| *s).collect();
    if kept.len() < 4 {
        return (kept.len(), None);
    }
    let r = |x: &[f64], y: &[f64]| method.correlate(x, y);
    let partial = (|| {
        let (bc, bs, cs) = (r(&b, &c)?, r(&b, &s)?, r(&c, &s)?);
        let denom = ((1.0 - bs * bs) * (1.0 - cs * cs)).sqrt();
        (denom > 0.0).then(|| ((bc - bs * cs) / denom).clamp(-1.0, 1.0))
    })();
    (kept.len(), partial)
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{factor_matrix, options};
    use super::*;

    #[test]
    fn rank_regression_slope_is_spearman_and_residuals_sum_to_zero() {
        let m = factor_matrix(30, 51);
        let r = residuals(&m, &options(), "s_cap", 0.95).unwrap();
        let a = analyze(&m, &options(), None).unwrap();
        let rho = a
            .benchmarks
            .iter()
            .find(|b| b.benchmark == "s_cap")
            .unwrap()
            .capabilities_correlation
            .unwrap();
        assert_eq!(r.regression.kind, "rank");
        assert!((r.regression.slope - rho).abs() < 1e-12);
        assert!((r.regression.r_squared - rho * rho).abs() < 1e-12);
        let slope = r.regression.slope_interval.unwrap();
        assert!(slope.low < rho && rho < slope.high);
        assert_eq!(
            r.regression.slope_interval_method,
            SlopeIntervalMethod::FisherZBonettWright
        );
        assert_eq!(
            r.regression.slope_interval,
            spearman_interval(r.regression.slope, 30, 0.95)
        );
        let total: f64 = r.models.iter().map(|m| m.residual).sum();
        assert!(total.abs() < 1e-9);
        assert!(r.models.windows(2).all(|w| w[0].residual >= w[1].residual));
        assert_eq!(r.partial_compute_n, 30);
        assert!(r.partial_compute_correlation.is_some());
    }

    #[test]
    fn rank_slope_interval_stays_inside_the_correlation_bounds() {
        // A benchmark that tracks the score almost perfectly: the t interval
        // of the rank slope would pass 1; the correlation interval cannot.
        let mut m = factor_matrix(12, 54);
        let score = analyze(&m, &options(), None).unwrap().fit.scores;
        let col = m.benchmarks.iter_mut().find(|c| c.name == "s_cap").unwrap();
        for (v, s) in col.values.iter_mut().zip(&score) {
            *v = *s;
        }
        col.values.swap(0, 1);
        for level in [0.8, 0.95, 0.99] {
            let r = residuals(&m, &options(), "s_cap", level).unwrap();
            let g = &r.regression;
            let Interval { low: lo, high: hi } = g.slope_interval.unwrap();
            assert!(
                -1.0 <= lo && lo <= g.slope && g.slope <= hi && hi <= 1.0,
                "{g:?}"
            );
        }
        // The OLS t interval of the same points exceeds 1 at 99%.
        let r = residuals(&m, &options(), "s_cap", 0.99).unwrap();
        let ranks = |v: &[f64]| standardise(&average_ranks(v));
        let values: Vec<f64> = r.models.iter().map(|m| m.value).collect();
        let scores: Vec<f64> = r.models.iter().map(|m| m.capabilities_score).collect();
        let t = Ols::fit(&ranks(&scores), &ranks(&values)).unwrap();
        assert!(t.slope_interval(0.99).unwrap().high > 1.0);
    }

    #[test]
    fn pearson_regression_is_on_the_score_scale() {
        let m = factor_matrix(30, 52);
        let opts = AnalysisOptions {
            method: CorrelationMethod::Pearson,
            ..options()
        };
        let r = residuals(&m, &opts, "s_cap", 0.9).unwrap();
        assert_eq!(r.regression.kind, "ols");
        assert_eq!(r.regression.slope_interval_method, SlopeIntervalMethod::T);
        let a = analyze(&m, &opts, None).unwrap();
        let rho = a
            .benchmarks
            .iter()
            .find(|b| b.benchmark == "s_cap")
            .unwrap()
            .capabilities_correlation
            .unwrap();
        // R² is the squared correlation, but the slope is not the correlation.
        assert!((r.regression.r_squared - rho * rho).abs() < 1e-9);
        assert!((r.regression.slope - rho).abs() > 0.05);
    }

    #[test]
    fn unknown_benchmark_suggests_names() {
        let m = factor_matrix(10, 53);
        let e = residuals(&m, &options(), "s_ca", 0.95).unwrap_err();
        assert!(e.to_string().contains("closest columns: s_cap"), "{e}");
        assert!(residuals(&m, &options(), "s_cap", 1.5).is_err());
    }
}
