//! Coverage study: do the bootstrap intervals hold the truth as often as
//! they claim?
//!
//! Each dataset is a matrix drawn by [`crate::simulate`] from a
//! latent-factor model (the paper's 12 capability benchmarks plus safety
//! benchmarks, some capability-free), whose population correlations are
//! known. The full analysis and its bootstrap run on every dataset, and each
//! interval method's intervals are checked against the population values:
//! every benchmark's capabilities and compute correlation, PC1's share of
//! variance and the mean capability correlation. Datasets run one after
//! another (each bootstrap is itself parallel), with seeds `seed + d`, so the
//! study is reproducible.

use super::NO_HOOKS;
use super::bootstrap::{BootstrapOptions, bootstrap};
use super::intervals::{BootstrapEstimate, IntervalMethod};
use crate::analysis::{AnalysisOptions, Role, analyze};
use crate::simulate::{SimulationOptions, Truth, simulate};
use crate::stats::CorrelationMethod;
use std::f64::consts::PI;

/// Interval methods compared, in report order.
pub const METHODS: [IntervalMethod; 3] = [
    IntervalMethod::Percentile,
    IntervalMethod::Bca,
    IntervalMethod::FisherZ,
];

/// What to simulate and how hard to bootstrap.
#[derive(Debug, Clone, PartialEq)]
pub struct CoverageOptions {
    /// Models per dataset.
    pub models: usize,
    /// Benchmarks per dataset (12 capability benchmarks, the rest safety).
    pub benchmarks: usize,
    /// Number of simulated datasets.
    pub datasets: usize,
    /// Bootstrap resamples per dataset.
    pub resamples: usize,
    /// Nominal confidence level.
    pub confidence: f64,
    /// Correlation method.
    pub method: CorrelationMethod,
    /// Seed of the first dataset (dataset d uses seed + d).
    pub seed: u64,
}

impl Default for CoverageOptions {
    fn default() -> Self {
        CoverageOptions {
            models: 26,
            benchmarks: 20,
            datasets: 500,
            resamples: 1000,
            confidence: 0.95,
            method: CorrelationMethod::Spearman,
            seed: 1,
        }
    }
}

/// The kinds of number whose coverage is reported separately.
pub const KINDS: [&str; 5] = [
    "capabilities corr. (capability benchmarks)",
    "capabilities corr. (safety benchmarks)",
    "compute corr.",
    "PC1 share",
    "capability corr. mean",
];

/// Intervals that held the truth, out of intervals formed.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Tally {
    /// Intervals containing the population value.
    pub covered: usize,
    /// Intervals formed.
    pub total: usize,
    /// Sum of interval widths.
    pub width: f64,
}

impl Tally {
    /// Share of intervals that held the truth.
    pub fn rate(&self) -> f64 {
        self.covered as f64 / self.total.max(1) as f64
    }

    /// Mean width.
    pub fn mean_width(&self) -> f64 {
        self.width / self.total.max(1) as f64
    }

    fn add(&mut self, other: &Tally) {
        self.covered += other.covered;
        self.total += other.total;
        self.width += other.width;
    }
}

/// Coverage per kind of number (rows, [`KINDS`]) and interval method
/// (columns, [`METHODS`]).
#[derive(Debug, Clone, PartialEq)]
pub struct CoverageReport {
    /// The study's settings.
    pub options: CoverageOptions,
    /// `tallies[kind][method]`.
    pub tallies: Vec<Vec<Tally>>,
    /// Datasets whose full-sample analysis could not be fitted (skipped).
    pub failed_datasets: usize,
}

impl CoverageReport {
    /// Coverage of `method` over the correlations of every benchmark
    /// (the first three kinds together).
    pub fn correlations(&self, method: IntervalMethod) -> Tally {
        let m = METHODS.iter().position(|x| *x == method).unwrap_or(0);
        let mut t = Tally::default();
        for kind in &self.tallies[..3] {
            t.add(&kind[m]);
        }
        t
    }

    /// A plain-text table of the results.
    pub fn render(&self) -> String {
        let o = &self.options;
        let mut out = format!(
            "Coverage of {:.0}% bootstrap intervals: {} datasets of {} models × {} benchmarks, {} resamples each, {} (seed {})\n",
            o.confidence * 100.0,
            o.datasets - self.failed_datasets,
            o.models,
            o.benchmarks,
            o.resamples,
            o.method,
            o.seed
        );
        out.push_str(&format!("{:<44}", "number"));
        for m in METHODS {
            out.push_str(&format!("{:>22}", m.as_str()));
        }
        out.push('\n');
        let mut rows: Vec<(String, Vec<Tally>)> = KINDS
            .iter()
            .map(|k| k.to_string())
            .zip(self.tallies.iter().cloned())
            .collect();
        rows.push((
            "all benchmark correlations".into(),
            METHODS.iter().map(|m| self.correlations(*m)).collect(),
        ));
        for (kind, tallies) in rows {
            out.push_str(&format!("{kind:<44}"));
            for t in tallies {
                if t.total == 0 {
                    out.push_str(&format!("{:>22}", "–"));
                } else {
                    out.push_str(&format!(
                        "{:>22}",
                        format!(
                            "{:.1}% (w {:.2}, {})",
                            t.rate() * 100.0,
                            t.mean_width(),
                            t.total
                        )
                    ));
                }
            }
            out.push('\n');
        }
        out
    }
}

/// Population mean of the pairwise capability correlations.
fn mean_capability_correlation(truth: &Truth, method: CorrelationMethod) -> f64 {
    let caps: Vec<_> = truth
        .benchmarks
        .iter()
        .filter(|b| b.role == Role::Capability)
        .collect();
    let mut sum = 0.0;
    let mut count = 0.0;
    for i in 0..caps.len() {
        for j in (i + 1)..caps.len() {
            let (a, b) = (caps[i], caps[j]);
            let minor: f64 = a
                .minor_loadings
                .iter()
                .zip(&b.minor_loadings)
                .map(|(x, y)| x * y)
                .sum();
            let r = a.capabilities_loading * b.capabilities_loading + minor;
            sum += match method {
                CorrelationMethod::Pearson => r,
                CorrelationMethod::Spearman => 6.0 / PI * (r / 2.0).asin(),
                CorrelationMethod::Kendall => 2.0 / PI * r.asin(),
            };
            count += 1.0;
        }
    }
    sum / count
}

/// Check every method's interval of one number against its truth.
fn check(tallies: &mut [Tally], e: &BootstrapEstimate, truth: f64) {
    for (t, m) in tallies.iter_mut().zip(METHODS) {
        let interval = match m {
            IntervalMethod::Percentile => e.percentile,
            IntervalMethod::Bca => e.bca,
            IntervalMethod::FisherZ => e.fisher_z,
        };
        if let Some(i) = interval {
            t.total += 1;
            t.width += i.high - i.low;
            if i.contains(truth) {
                t.covered += 1;
            }
        }
    }
}

/// Run the coverage study; `progress` is called once per dataset.
pub fn coverage(options: &CoverageOptions, progress: &(dyn Fn(u64) + Sync)) -> CoverageReport {
    let method = options.method;
    let mut tallies = vec![vec![Tally::default(); METHODS.len()]; KINDS.len()];
    let mut failed_datasets = 0;
    for d in 0..options.datasets {
        let sim = simulate(&SimulationOptions {
            models: options.models,
            benchmarks: options.benchmarks,
            seed: options.seed.wrapping_add(d as u64),
            ..SimulationOptions::default()
        });
        let Ok(sim) = sim else {
            failed_datasets += 1;
            continue;
        };
        let analysis_options = AnalysisOptions {
            method,
            ..AnalysisOptions::default()
        };
        let settings = BootstrapOptions {
            resamples: options.resamples,
            confidence: options.confidence,
            ..BootstrapOptions::default()
        };
        let report = analyze(&sim.matrix, &analysis_options, None)
            .ok()
            .and_then(|full| {
                bootstrap(
                    &sim.matrix,
                    &analysis_options,
                    &full,
                    &settings,
                    options.seed.wrapping_add(d as u64),
                    &NO_HOOKS,
                )
                .ok()
            });
        let Some(report) = report else {
            failed_datasets += 1;
            continue;
        };
        let truth = &sim.truth;
        for (i, b) in truth.benchmarks.iter().enumerate() {
            let kind = if b.role == Role::Capability { 0 } else { 1 };
            check(
                &mut tallies[kind],
                &report.capabilities[i],
                b.capabilities_correlation.get(method),
            );
            check(
                &mut tallies[2],
                &report.compute[i],
                b.compute_correlation.get(method),
            );
        }
        check(
            &mut tallies[3],
            &report.pc1_variance_explained,
            truth.pc1_variance_explained.get(method),
        );
        check(
            &mut tallies[4],
            &report.capability_correlation_mean,
            mean_capability_correlation(truth, method),
        );
        progress(1);
    }
    CoverageReport {
        options: options.clone(),
        tallies,
        failed_datasets,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truth_matches_a_very_large_draw() {
        // The population values the study compares with are what the
        // analysis gives on a very large matrix.
        let sim = simulate(&SimulationOptions {
            models: 20_000,
            benchmarks: 16,
            seed: 3,
            ..SimulationOptions::default()
        })
        .unwrap();
        let a = analyze(&sim.matrix, &AnalysisOptions::default(), None).unwrap();
        for (b, t) in a.benchmarks.iter().zip(&sim.truth.benchmarks) {
            let got = b.capabilities_correlation.unwrap();
            let want = t.capabilities_correlation.spearman;
            assert!(
                (got - want).abs() < 0.03,
                "{}: {got} vs {want}",
                b.benchmark
            );
        }
        let mean = mean_capability_correlation(&sim.truth, CorrelationMethod::Spearman);
        assert!(
            (a.fit.correlation_mean - mean).abs() < 0.02,
            "{} vs {mean}",
            a.fit.correlation_mean
        );
    }

    #[test]
    fn fast_study_covers_near_the_nominal_level() {
        // A small version of the README's study (500 datasets, 1000
        // resamples): with 12 datasets the rate is only roughly known, so the
        // bounds are wide; the study itself is `examples/coverage.rs`.
        let options = CoverageOptions {
            datasets: 12,
            resamples: 100,
            benchmarks: 16,
            ..CoverageOptions::default()
        };
        let r = coverage(&options, &|_| {});
        assert_eq!(r.failed_datasets, 0);
        let t = r.correlations(super::super::bootstrap::DEFAULT_INTERVAL);
        assert_eq!(t.total, 12 * 32);
        assert!(t.rate() > 0.85 && t.rate() < 0.995, "{}", r.render());
        assert!(r.render().contains("all benchmark correlations"));
    }
}
