//! How much each benchmark's capabilities correlation depends on the choice
//! of composite: the drop-one-capability composites (which also give every
//! capability benchmark's leave-one-out correlation), the mean z-score
//! composite, PC1 of the Pearson correlation matrix, and compute in place of
//! capabilities. A benchmark whose verdict band ([`crate::verdict`]: by |r|,
//! against the paper's low line and the default high line, the mean
//! leave-one-out capabilities correlation) differs under an alternative
//! composite, or under compute, is flagged — the two separately, since
//! compute alone accounts for most flips.
//!
//! [`verdict_lines`] places the verdict lines for `check` and
//! `--sensitivity` alike.
//!
//! Every variant runs through the same pipeline ([`analyze_with_fit`]); a
//! variant's PC1 is aligned with the full composite's loadings on the
//! benchmarks they share.

use crate::analysis::{Analysis, AnalysisOptions, Role, analyze_with_fit};
use crate::capabilities::fit_capabilities;
use crate::matrix::BenchmarkMatrix;
use crate::stats::{CorrelationMethod, z_scores};
use crate::verdict::{HighLine, Lines, paper_low_line};
use rayon::prelude::*;

/// One benchmark's capabilities correlation under other composites.
#[derive(Debug, Clone, PartialEq)]
pub struct BenchmarkSensitivity {
    /// Under each drop-one composite, in the order of
    /// [`SensitivityReport::capabilities`].
    pub drop_one: Vec<Option<f64>>,
    /// Smallest drop-one value.
    pub drop_one_min: Option<f64>,
    /// Largest drop-one value.
    pub drop_one_max: Option<f64>,
    /// Under the mean of the capability z-scores.
    pub mean_z: Option<f64>,
    /// Under PC1 of the Pearson capability correlation matrix.
    pub pearson_pc1: Option<f64>,
    /// With training compute in place of capabilities.
    pub compute: Option<f64>,
    /// Smallest of the full value and every variant.
    pub min: Option<f64>,
    /// Largest of the full value and every variant.
    pub max: Option<f64>,
    /// The verdict band ([`crate::verdict`]) of an alternative composite
    /// (drop-one, mean z-score, Pearson PC1) differs from the full value's.
    pub flips_by_composite: bool,
    /// The band of the compute correlation differs from the full value's.
    pub flips_by_compute: bool,
    /// Either of the above.
    pub verdict_flips: bool,
}

/// Sensitivity of every benchmark of one analysis.
#[derive(Debug, Clone, PartialEq)]
pub struct SensitivityReport {
    /// The capability benchmarks, each dropped in turn.
    pub capabilities: Vec<String>,
    /// Per benchmark, in `Analysis::benchmarks` order.
    pub benchmarks: Vec<BenchmarkSensitivity>,
    /// The verdict lines the bands are judged by (the paper's low line and
    /// the mean leave-one-out capabilities correlation, as
    /// [`verdict_lines`] places them by default).
    pub lines: Lines,
}

impl SensitivityReport {
    /// Each capability benchmark's correlation with the composite fitted
    /// without it; `None` for other benchmarks.
    pub fn leave_one_out(&self, analysis: &Analysis) -> Vec<Option<f64>> {
        analysis
            .benchmarks
            .iter()
            .zip(&self.benchmarks)
            .map(|(b, s)| {
                let dropped = self.capabilities.iter().position(|c| *c == b.benchmark)?;
                s.drop_one[dropped]
            })
            .collect()
    }

    /// Number of benchmarks whose verdict flips, among those of `role`.
    pub fn flipped(&self, analysis: &Analysis, role: Role) -> usize {
        self.count(analysis, role, |s| s.verdict_flips)
    }

    /// Number of benchmarks of `role` for which `flag` holds.
    pub fn count(
        &self,
        analysis: &Analysis,
        role: Role,
        flag: impl Fn(&BenchmarkSensitivity) -> bool,
    ) -> usize {
        analysis
            .benchmarks
            .iter()
            .zip(&self.benchmarks)
            .filter(|(b, s)| b.role == role && flag(s))
            .count()
    }
}

/// Capabilities correlations of every benchmark under `fit`-like variants.
fn correlations(a: &Analysis) -> Vec<Option<f64>> {
    a.benchmarks
        .iter()
        .map(|b| b.capabilities_correlation)
        .collect()
}

/// The drop-one analyses, one per capability benchmark (`None` where the
/// composite without it cannot be fitted, e.g. a single capability).
fn drop_one(
    matrix: &BenchmarkMatrix,
    options: &AnalysisOptions,
    full: &Analysis,
) -> Vec<Option<Vec<Option<f64>>>> {
    let caps = &full.fit.benchmarks;
    (0..caps.len())
        .into_par_iter()
        .map(|d| {
            let kept: Vec<String> = caps
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != d)
                .map(|(_, c)| c.clone())
                .collect();
            let reference: Vec<f64> = full
                .fit
                .loadings
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != d)
                .map(|(_, l)| *l)
                .collect();
            let mut fit = fit_capabilities(matrix, &kept, options.method).ok()?;
            fit.align_to(&reference);
            let sub = AnalysisOptions {
                capabilities: kept,
                method: options.method,
            };
            Some(correlations(&analyze_with_fit(matrix, &sub, None, fit)))
        })
        .collect()
}

/// Each capability benchmark's correlation with the composite fitted
/// without it, in the order of `full.fit.benchmarks`, from the drop-one
/// analyses (`None` where undefined).
fn own_drop_one(full: &Analysis, drops: &[Option<Vec<Option<f64>>>]) -> Vec<Option<f64>> {
    full.fit
        .benchmarks
        .iter()
        .zip(drops)
        .map(|(c, d)| {
            let i = full.benchmarks.iter().position(|b| b.benchmark == *c)?;
            d.as_ref()?[i]
        })
        .collect()
}

/// Mean of the defined values; NaN when none is.
fn mean_defined(values: &[Option<f64>]) -> f64 {
    let defined: Vec<f64> = values.iter().flatten().copied().collect();
    crate::stats::mean(&defined).unwrap_or(f64::NAN)
}

/// The mean leave-one-out capabilities correlation of the capability
/// benchmarks of `full` (the analysis of `matrix`): each one's correlation
/// with a composite fitted without it, averaged over those defined; `None`
/// when none is (a single capability benchmark).
pub fn leave_one_out_mean(
    matrix: &BenchmarkMatrix,
    options: &AnalysisOptions,
    full: &Analysis,
) -> Option<f64> {
    let mean = mean_defined(&own_drop_one(full, &drop_one(matrix, options, full)));
    mean.is_finite().then_some(mean)
}

/// The verdict lines for `full` (the analysis of `matrix`): the low line
/// `low`, or the paper's in the method's units ([`paper_low_line`]: its τ
/// equivalent for Kendall), and the high line by `high`. `None` when the
/// high line is undefined (no leave-one-out correlation, or no pair of
/// capability benchmarks for the paper's line).
pub fn verdict_lines(
    matrix: &BenchmarkMatrix,
    options: &AnalysisOptions,
    full: &Analysis,
    low: Option<f64>,
    high: HighLine,
) -> Option<Lines> {
    let low = low.unwrap_or_else(|| paper_low_line(options.method == CorrelationMethod::Kendall));
    let high = match high {
        HighLine::LeaveOneOut => leave_one_out_mean(matrix, options, full)?,
        HighLine::Paper => Some(full.fit.correlation_mean).filter(|m| m.is_finite())?,
        HighLine::At(h) => h,
    };
    Some(Lines::new(low, high))
}

/// The default verdict lines of `full` (the analysis of `matrix`), as the
/// report and the figures draw them: the paper's low line in the method's
/// units and the mean leave-one-out capabilities correlation; where that is
/// undefined (a single capability benchmark) the high line is the low one.
pub fn default_lines(matrix: &BenchmarkMatrix, full: &Analysis) -> Lines {
    let options = AnalysisOptions {
        capabilities: full.fit.benchmarks.clone(),
        method: full.method,
    };
    let low = paper_low_line(full.method == CorrelationMethod::Kendall);
    Lines::new(
        low,
        leave_one_out_mean(matrix, &options, full).unwrap_or(low),
    )
}

/// Correlations under the mean of the capability z-scores (same models as
/// the full composite).
fn mean_z(
    matrix: &BenchmarkMatrix,
    options: &AnalysisOptions,
    full: &Analysis,
) -> Vec<Option<f64>> {
    let mut fit = full.fit.clone();
    let z: Vec<Vec<f64>> = fit
        .benchmarks
        .iter()
        .filter_map(|c| matrix.benchmark(c).and_then(|col| z_scores(&col.values)))
        .collect();
    let k = z.len() as f64;
    fit.scores = fit
        .rows
        .iter()
        .map(|&r| z.iter().map(|col| col[r]).sum::<f64>() / k)
        .collect();
    fit.loadings = vec![1.0 / k; z.len()];
    correlations(&analyze_with_fit(matrix, options, None, fit))
}

/// Correlations under PC1 of the Pearson capability correlation matrix
/// (benchmarks still correlated with it by the analysis method).
fn pearson_pc1(
    matrix: &BenchmarkMatrix,
    options: &AnalysisOptions,
    full: &Analysis,
) -> Option<Vec<Option<f64>>> {
    let mut fit =
        fit_capabilities(matrix, &options.capabilities, CorrelationMethod::Pearson).ok()?;
    fit.align_to(&full.fit.loadings);
    Some(correlations(&analyze_with_fit(matrix, options, None, fit)))
}

fn min_max(values: impl Iterator<Item = f64>) -> (Option<f64>, Option<f64>) {
    values.fold((None, None), |(lo, hi), v| {
        (
            Some(lo.map_or(v, |l: f64| l.min(v))),
            Some(hi.map_or(v, |h: f64| h.max(v))),
        )
    })
}

/// Sensitivity of every benchmark of `full` (the analysis of `matrix`).
pub(crate) fn sensitivity(
    matrix: &BenchmarkMatrix,
    options: &AnalysisOptions,
    full: &Analysis,
) -> SensitivityReport {
    let drops = drop_one(matrix, options, full);
    let mean = mean_z(matrix, options, full);
    let pearson = pearson_pc1(matrix, options, full);
    // The default lines of `verdict_lines`, from the drop-one analyses at
    // hand (a single capability: no high line, so none above the low one).
    let lines = Lines::new(
        paper_low_line(options.method == CorrelationMethod::Kendall),
        mean_defined(&own_drop_one(full, &drops)),
    );
    let benchmarks = full
        .benchmarks
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let drop_one: Vec<Option<f64>> = drops
                .iter()
                .map(|d| d.as_ref().and_then(|v| v[i]))
                .collect();
            let (drop_one_min, drop_one_max) = min_max(drop_one.iter().flatten().copied());
            let pearson_pc1 = pearson.as_ref().and_then(|v| v[i]);
            let all: Vec<f64> = drop_one
                .iter()
                .copied()
                .chain([
                    b.capabilities_correlation,
                    mean[i],
                    pearson_pc1,
                    b.compute_correlation,
                ])
                .flatten()
                .collect();
            let (min, max) = min_max(all.iter().copied());
            let band = |r: Option<f64>| r.map(|r| lines.band(r));
            let full_band = band(b.capabilities_correlation);
            let differs =
                |r: Option<f64>| full_band.is_some() && r.is_some() && band(r) != full_band;
            let flips_by_composite = drop_one
                .iter()
                .copied()
                .chain([mean[i], pearson_pc1])
                .any(differs);
            let flips_by_compute = differs(b.compute_correlation);
            BenchmarkSensitivity {
                drop_one,
                drop_one_min,
                drop_one_max,
                mean_z: mean[i],
                pearson_pc1,
                compute: b.compute_correlation,
                min,
                max,
                flips_by_composite,
                flips_by_compute,
                verdict_flips: flips_by_composite || flips_by_compute,
            }
        })
        .collect();
    SensitivityReport {
        capabilities: full.fit.benchmarks.clone(),
        benchmarks,
        lines,
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{factor_matrix, options};
    use super::*;
    use crate::analysis::analyze;
    use crate::stats::spearman;

    #[test]
    fn leave_one_out_is_the_correlation_with_the_composite_without_it() {
        let m = factor_matrix(30, 31);
        let full = analyze(&m, &options(), None).unwrap();
        let s = sensitivity(&m, &options(), &full);
        let loo = s.leave_one_out(&full);
        // By hand for c0: fit on c1..c3, correlate c0 with that score.
        let without = AnalysisOptions {
            capabilities: ["c1", "c2", "c3"].map(String::from).to_vec(),
            ..options()
        };
        let a = analyze(&m, &without, None).unwrap();
        let c0 = a.benchmarks.iter().find(|b| b.benchmark == "c0").unwrap();
        assert_eq!(loo[0], c0.capabilities_correlation);
        // In-composite correlations are higher: a benchmark in its own composite.
        assert!(full.benchmarks[0].capabilities_correlation.unwrap() > loo[0].unwrap());
        assert!(loo[4].is_none() && loo[5].is_none());
        assert_eq!(s.benchmarks[0].drop_one.len(), 4);
    }

    #[test]
    fn high_line_is_the_mean_leave_one_out_correlation() {
        let m = factor_matrix(30, 33);
        let full = analyze(&m, &options(), None).unwrap();
        // By hand: each capability's correlation with the composite of the others.
        let caps = ["c0", "c1", "c2", "c3"];
        let by_hand: Vec<f64> = caps
            .iter()
            .map(|c| {
                let others = AnalysisOptions {
                    capabilities: caps
                        .iter()
                        .filter(|o| *o != c)
                        .map(|o| o.to_string())
                        .collect(),
                    ..options()
                };
                let a = analyze(&m, &others, None).unwrap();
                a.benchmarks
                    .iter()
                    .find(|b| b.benchmark == *c)
                    .unwrap()
                    .capabilities_correlation
                    .unwrap()
            })
            .collect();
        let want = by_hand.iter().sum::<f64>() / 4.0;
        let got = leave_one_out_mean(&m, &options(), &full).unwrap();
        assert!((got - want).abs() < 1e-12, "{got} {want}");
        let lines = verdict_lines(&m, &options(), &full, None, HighLine::LeaveOneOut).unwrap();
        assert_eq!((lines.low, lines.high), (0.4, got.max(0.4)));
        assert_eq!(sensitivity(&m, &options(), &full).lines, lines);
        let paper = verdict_lines(&m, &options(), &full, None, HighLine::Paper).unwrap();
        assert_eq!(paper.high, full.fit.correlation_mean.max(0.4));
        let given = verdict_lines(&m, &options(), &full, Some(0.3), HighLine::At(0.6)).unwrap();
        assert_eq!((given.low, given.high), (0.3, 0.6));
        // Kendall: both lines in τ.
        let kendall = AnalysisOptions {
            method: CorrelationMethod::Kendall,
            ..options()
        };
        let full_tau = analyze(&m, &kendall, None).unwrap();
        let tau = verdict_lines(&m, &kendall, &full_tau, None, HighLine::LeaveOneOut).unwrap();
        assert_eq!(tau.low, crate::verdict::paper_low_line(true));
        let tau_mean = leave_one_out_mean(&m, &kendall, &full_tau).unwrap();
        assert_eq!(tau.high, tau_mean.max(tau.low));
        assert!(tau_mean < got, "τ runs lower than ρ: {tau_mean} {got}");
    }

    #[test]
    fn variants_and_flags() {
        let m = factor_matrix(30, 32);
        let full = analyze(&m, &options(), None).unwrap();
        let s = sensitivity(&m, &options(), &full);
        // The mean-z composite, by hand, for s_cap.
        let z: Vec<Vec<f64>> = ["c0", "c1", "c2", "c3"]
            .iter()
            .map(|c| z_scores(&m.benchmark(c).unwrap().values).unwrap())
            .collect();
        let score: Vec<f64> = (0..30)
            .map(|r| z.iter().map(|c| c[r]).sum::<f64>() / 4.0)
            .collect();
        let want = spearman(&m.benchmark("s_cap").unwrap().values, &score).unwrap();
        assert!((s.benchmarks[4].mean_z.unwrap() - want).abs() < 1e-12);
        for (b, bs) in full.benchmarks.iter().zip(&s.benchmarks) {
            let r = b.capabilities_correlation.unwrap();
            assert!(bs.min.unwrap() <= r && r <= bs.max.unwrap());
            let band = |v: Option<f64>| v.map(|v| s.lines.band(v));
            let composites = bs
                .drop_one
                .iter()
                .copied()
                .chain([bs.mean_z, bs.pearson_pc1]);
            let by_composite = composites
                .clone()
                .any(|v| v.is_some() && band(v) != band(Some(r)));
            let by_compute = bs.compute.is_some() && band(bs.compute) != band(Some(r));
            assert_eq!(bs.flips_by_composite, by_composite);
            assert_eq!(bs.flips_by_compute, by_compute);
            assert_eq!(bs.verdict_flips, by_composite || by_compute);
        }
        // The capability-free benchmark is low under every composite.
        assert!(!s.benchmarks[5].flips_by_composite);
        assert!(s.benchmarks[5].max.unwrap() < s.lines.low);
    }
}
