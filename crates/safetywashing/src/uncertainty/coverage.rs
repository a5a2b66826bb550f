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
//!
//! With [`CoverageOptions::families`] the models come in families whose
//! members share part of their traits (see [`crate::simulate`]): the
//! population values are the same, but the models are not independent, and
//! [`CoverageOptions::resampling`] says whether the bootstrap resamples
//! models or whole families.
//!
//! Each rate is reported with its Monte Carlo standard error at the number
//! of datasets, `√(p(1 − p) / datasets)`: a dataset is the independent unit
//! (intervals of one dataset share its draw), so this is the error of a rate
//! estimated from that many independent draws.

use super::NO_HOOKS;
use super::bootstrap::{BootstrapOptions, ClusterSource, Resampling, bootstrap};
use super::intervals::{BootstrapEstimate, IntervalMethod};
use crate::analysis::{AnalysisOptions, Role, analyze};
use crate::simulate::{FAMILY_COLUMN, SimulationOptions, Truth, simulate};
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
    /// Model families per dataset (0: independent models).
    pub families: usize,
    /// Share of each trait's variance common to a family.
    pub family_share: f64,
    /// What the bootstrap resamples: models, or whole families
    /// ([`CoverageOptions::cluster_by_family`]).
    pub resampling: Resampling,
}

impl CoverageOptions {
    /// Resample whole families (the simulated `family` column).
    pub fn cluster_by_family() -> Resampling {
        Resampling::Clusters(ClusterSource::Column(FAMILY_COLUMN.to_string()))
    }
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
            families: 0,
            family_share: 0.0,
            resampling: Resampling::Models,
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

    /// Monte Carlo standard error of [`Tally::rate`] at `datasets`
    /// independent datasets: `√(p(1 − p) / datasets)`.
    pub fn mc_error(&self, datasets: usize) -> f64 {
        let p = self.rate();
        (p * (1.0 - p) / datasets.max(1) as f64).sqrt()
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

    /// Datasets the rates come from (those that could be fitted).
    pub fn datasets_used(&self) -> usize {
        self.options.datasets - self.failed_datasets
    }

    /// How the models were drawn and resampled, in words.
    fn design(&self) -> String {
        let o = &self.options;
        let resampled = match o.resampling {
            Resampling::Models => "models resampled",
            Resampling::Clusters(_) => "families resampled",
        };
        if o.families == 0 {
            format!("n = {}", o.models)
        } else {
            format!(
                "n = {} in {} families (share {}), {resampled}",
                o.models, o.families, o.family_share
            )
        }
    }

    /// Rows in report order: the kinds, then every benchmark correlation.
    fn rows(&self) -> Vec<(&'static str, Vec<Tally>)> {
        let mut rows: Vec<(&'static str, Vec<Tally>)> = KINDS
            .iter()
            .copied()
            .zip(self.tallies.iter().cloned())
            .collect();
        rows.push((
            "all benchmark correlations",
            METHODS.iter().map(|m| self.correlations(*m)).collect(),
        ));
        rows
    }

    /// `96.8% ± 0.8` (the Monte Carlo error in percentage points), or `–`.
    fn rate_cell(&self, t: &Tally) -> String {
        if t.total == 0 {
            "–".to_string()
        } else {
            format!(
                "{:.1}% ± {:.1}",
                t.rate() * 100.0,
                t.mc_error(self.datasets_used()) * 100.0
            )
        }
    }

    /// A plain-text table of the results: rate ± Monte Carlo error, mean
    /// width and number of intervals.
    pub fn render(&self) -> String {
        let o = &self.options;
        let mut out = format!(
            "Coverage of {:.0}% bootstrap intervals: {} datasets of {} models × {} benchmarks, {} resamples each, {} (seed {}); {}\n",
            o.confidence * 100.0,
            self.datasets_used(),
            o.models,
            o.benchmarks,
            o.resamples,
            o.method,
            o.seed,
            self.design()
        );
        out.push_str(&format!("{:<44}", "number"));
        for m in METHODS {
            out.push_str(&format!("{:>30}", m.as_str()));
        }
        out.push('\n');
        for (kind, tallies) in self.rows() {
            out.push_str(&format!("{kind:<44}"));
            for t in &tallies {
                let cell = if t.total == 0 {
                    "–".to_string()
                } else {
                    format!(
                        "{} (w {:.2}, {})",
                        self.rate_cell(t),
                        t.mean_width(),
                        t.total
                    )
                };
                out.push_str(&format!("{cell:>30}"));
            }
            out.push('\n');
        }
        out.push_str(&format!(
            "± is the Monte Carlo standard error at {} datasets, √(p(1 − p) / {})\n",
            self.datasets_used(),
            self.datasets_used()
        ));
        out
    }

    /// The README's Markdown table: one row per kind of number (with the
    /// number of intervals), one column per method, rate ± Monte Carlo
    /// error.
    pub fn markdown(&self) -> String {
        let mut out = format!("| {} |", self.design());
        for m in METHODS {
            out.push_str(&format!(" {} |", markdown_method(m)));
        }
        out.push_str("\n| --- |");
        out.push_str(&" --- |".repeat(METHODS.len()));
        out.push('\n');
        let rows = self.rows();
        // The README's order: the correlations, their total, the summaries.
        for i in [0, 1, 2, 5, 3, 4] {
            let (kind, tallies) = &rows[i];
            let total = tallies.iter().map(|t| t.total).max().unwrap_or(0);
            out.push_str(&format!(
                "| {} ({}) |",
                markdown_kind(kind),
                thousands(total)
            ));
            for t in tallies {
                out.push_str(&format!(" {} |", self.rate_cell(t)));
            }
            out.push('\n');
        }
        out
    }
}

fn markdown_method(m: IntervalMethod) -> &'static str {
    match m {
        IntervalMethod::Percentile => "percentile",
        IntervalMethod::Bca => "BCa (default)",
        IntervalMethod::FisherZ => "Fisher-z",
    }
}

fn markdown_kind(kind: &str) -> &str {
    match kind {
        "capabilities corr. (capability benchmarks)" => "capabilities corr., capability benchmarks",
        "capabilities corr. (safety benchmarks)" => "capabilities corr., safety benchmarks",
        "capability corr. mean" => "mean capability correlation",
        other => other,
    }
}

/// `20000` → `20,000`.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
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
            families: options.families,
            family_share: options.family_share,
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
            resampling: options.resampling.clone(),
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
    fn monte_carlo_error_is_the_binomial_error_at_the_number_of_datasets() {
        let t = Tally {
            covered: 950,
            total: 1000,
            width: 0.0,
        };
        assert!((t.mc_error(500) - (0.95f64 * 0.05 / 500.0).sqrt()).abs() < 1e-15);
        assert_eq!(thousands(20_000), "20,000");
        assert_eq!(thousands(500), "500");
        let r = CoverageReport {
            options: CoverageOptions {
                datasets: 500,
                ..CoverageOptions::default()
            },
            tallies: vec![vec![t; METHODS.len()]; KINDS.len()],
            failed_datasets: 0,
        };
        // 95.0% ± 100·√(0.95·0.05/500) = 0.97 points.
        let md = r.markdown();
        assert!(
            md.starts_with("| n = 26 | percentile | BCa (default) | Fisher-z |\n"),
            "{md}"
        );
        assert!(
            md.contains("| all benchmark correlations (3,000) | 95.0% ± 1.0 |"),
            "{md}"
        );
        assert!(
            r.render().contains("95.0% ± 1.0 (w 0.00, 1000)"),
            "{}",
            r.render()
        );
    }

    #[test]
    fn family_study_resamples_families() {
        // Families: the study runs with whole families resampled, and the
        // design is stated in its tables.
        let options = CoverageOptions {
            datasets: 3,
            resamples: 50,
            benchmarks: 14,
            families: 6,
            family_share: 0.5,
            resampling: CoverageOptions::cluster_by_family(),
            ..CoverageOptions::default()
        };
        let r = coverage(&options, &|_| {});
        assert_eq!(r.failed_datasets, 0);
        assert_eq!(r.correlations(IntervalMethod::Percentile).total, 3 * 28);
        assert!(
            r.markdown()
                .starts_with("| n = 26 in 6 families (share 0.5), families resampled |"),
            "{}",
            r.markdown()
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
