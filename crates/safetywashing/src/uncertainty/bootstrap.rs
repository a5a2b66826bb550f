//! The nonparametric bootstrap of the whole analysis.
//!
//! A resample draws resampling units (models, or whole clusters of models)
//! with replacement and reruns every step of the pipeline on the drawn rows:
//! z-scores, the capability correlation matrix, PC1 (its sign aligned to the
//! full-sample PC1), scores and every correlation. A resample in which a
//! number is undefined is skipped for that number and counted; one in which
//! the capabilities score cannot be fitted at all is skipped for every number
//! that depends on it.
//!
//! The BCa acceleration comes from the jackknife over the same units (leave
//! one model, or one cluster, out).

use super::intervals::{self, BootstrapEstimate, IntervalMethod};
use super::{
    Draws, Hooks, OptionError, Purpose, Resample, UncertaintyError, analyze_aligned, stream_rng,
};
use crate::analysis::{Analysis, AnalysisOptions};
use crate::capabilities::{check_capabilities, project};
use crate::matrix::BenchmarkMatrix;
use crate::paired::RowClasses;
use crate::stats::{CorrelationMethod, TieClasses};
use rand::{Rng, RngExt};
use rayon::prelude::*;

/// How clusters of models are found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClusterSource {
    /// The text of a metadata column (an empty cell is a cluster of one).
    Column(String),
    /// The model id up to its first `-`, `_` or space (after any `org/`),
    /// lower-cased: `Qwen1.5-7B` and `Qwen1.5-72B-Chat` are `qwen1.5`.
    ModelPrefix,
}

/// What a resample draws.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Resampling {
    /// Individual models.
    #[default]
    Models,
    /// Whole clusters of models (e.g. one model family).
    Clusters(ClusterSource),
}

/// Bootstrap settings.
#[derive(Debug, Clone, PartialEq)]
pub struct BootstrapOptions {
    /// Number of resamples.
    pub resamples: usize,
    /// Confidence level of the intervals, in (0, 1).
    pub confidence: f64,
    /// Interval reported as `ci_low`/`ci_high`.
    pub interval: IntervalMethod,
    /// What a resample draws.
    pub resampling: Resampling,
}

/// The default interval: BCa, chosen by the coverage study (see README).
pub const DEFAULT_INTERVAL: IntervalMethod = IntervalMethod::Bca;

impl Default for BootstrapOptions {
    fn default() -> Self {
        BootstrapOptions {
            resamples: 2000,
            confidence: 0.95,
            interval: DEFAULT_INTERVAL,
            resampling: Resampling::Models,
        }
    }
}

impl BootstrapOptions {
    /// Check ranges (part of [`super::UncertaintyOptions::validate`]).
    pub(crate) fn check(&self) -> Result<(), OptionError> {
        super::check_draws(Draws::BootstrapResamples, self.resamples)?;
        super::check_confidence(self.confidence)
    }
}

/// Bootstrap intervals of every number of one analysis.
#[derive(Debug, Clone, PartialEq)]
pub struct BootstrapReport {
    /// Number of resamples drawn.
    pub resamples: usize,
    /// Confidence level.
    pub confidence: f64,
    /// Interval reported as `ci_low`/`ci_high`.
    pub interval: IntervalMethod,
    /// What was resampled.
    pub resampling: Resampling,
    /// Number of resampling units (models, or clusters).
    pub units: usize,
    /// Resamples in which the capabilities score could not be fitted.
    pub failed_fits: usize,
    /// Per benchmark (in `Analysis::benchmarks` order): the capabilities
    /// correlation.
    pub capabilities: Vec<BootstrapEstimate>,
    /// Per benchmark: the compute correlation.
    pub compute: Vec<BootstrapEstimate>,
    /// PC1's share of capability variance.
    pub pc1_variance_explained: BootstrapEstimate,
    /// Mean pairwise capability correlation.
    pub capability_correlation_mean: BootstrapEstimate,
    /// Correlation of the capabilities score with compute.
    pub score_compute: BootstrapEstimate,
    /// Eigenvalues of the capability correlation matrix, largest first (as
    /// `CapabilitiesFit::eigenvalues`).
    pub eigenvalues: Vec<BootstrapEstimate>,
    /// Capabilities score of each scored model (in `CapabilitiesFit::rows`
    /// order) under each resample's fit: the model's raw capability values
    /// standardised by the resample's means and stds and weighted by its PC1
    /// (aligned to the full sample's), so every model has a score in every
    /// resample, drawn or not.
    pub scores: Vec<BootstrapEstimate>,
}

impl BootstrapReport {
    /// How the intervals were computed, in a few words: level, interval
    /// method, resamples and what was resampled (`95% bca bootstrap, 1,000
    /// resamples of models`). The one wording of the note under figures
    /// that draw intervals and of the report's summary line.
    pub fn interval_note(&self) -> String {
        let unit = match self.resampling {
            Resampling::Models => "models",
            Resampling::Clusters(_) => "clusters",
        };
        format!(
            "{:.0}% {} bootstrap, {} of {unit}",
            self.confidence * 100.0,
            self.interval.as_str(),
            crate::words::count(self.resamples, "resample", "resamples")
        )
    }

    /// One line saying what was resampled, for the text output.
    pub fn describe(&self) -> String {
        let what = match &self.resampling {
            Resampling::Models => format!("{} models", self.units),
            Resampling::Clusters(ClusterSource::Column(c)) => {
                format!("{} clusters of models by column '{c}'", self.units)
            }
            Resampling::Clusters(ClusterSource::ModelPrefix) => {
                format!("{} clusters of models by model-id prefix", self.units)
            }
        };
        format!(
            "{} resamples of {what}; {:.0}% {} intervals",
            self.resamples,
            self.confidence * 100.0,
            self.interval
        )
    }
}

/// The models scored under every fit: rows of the full matrix, and that
/// matrix's columns of the capability benchmarks (in the fits' order).
struct Scored<'a> {
    rows: &'a [usize],
    columns: Vec<&'a [f64]>,
}

impl<'a> Scored<'a> {
    /// The models `full` scored, in `matrix`, the matrix it analysed.
    fn new(matrix: &'a BenchmarkMatrix, full: &'a Analysis) -> Scored<'a> {
        let columns = full
            .fit
            .benchmarks
            .iter()
            .map(|b| matrix.benchmark(b).map_or(&[][..], |c| &c.values))
            .collect();
        Scored {
            rows: &full.fit.rows,
            columns,
        }
    }
}

/// The numbers of an analysis that get intervals, flattened: capabilities
/// correlations, compute correlations, then PC1 share, mean capability
/// correlation and score–compute correlation, the eigenvalues, and the
/// score of each of the `scored` models under the analysis's fit,
/// standardised as the fit was (over the rows it was fitted on). NaN =
/// undefined.
fn statistics(a: &Analysis, scored: &Scored) -> Vec<f64> {
    let nan = |v: Option<f64>| v.unwrap_or(f64::NAN);
    let nb = a.benchmarks.len();
    let mut s = Vec::with_capacity(2 * nb + 3 + a.fit.eigenvalues.len() + scored.rows.len());
    s.extend(a.benchmarks.iter().map(|b| nan(b.capabilities_correlation)));
    s.extend(a.benchmarks.iter().map(|b| nan(b.compute_correlation)));
    s.push(a.fit.pc1_variance_explained());
    s.push(a.fit.correlation_mean);
    s.push(nan(a.capabilities_score_compute_correlation));
    s.extend(&a.fit.eigenvalues);
    let (means, stds) = (&a.fit.means, &a.fit.stds);
    let mut values = vec![f64::NAN; scored.columns.len()];
    for &r in scored.rows {
        for (v, c) in values.iter_mut().zip(&scored.columns) {
            *v = c.get(r).copied().unwrap_or(f64::NAN);
        }
        s.push(project(&a.fit, (means, stds), &values));
    }
    s
}

/// Rows of each resampling unit.
pub(crate) fn units(
    matrix: &BenchmarkMatrix,
    resampling: &Resampling,
) -> Result<Vec<Vec<usize>>, UncertaintyError> {
    let labels: Vec<String> = match resampling {
        Resampling::Models => return Ok((0..matrix.n_models()).map(|r| vec![r]).collect()),
        Resampling::Clusters(ClusterSource::Column(name)) => {
            let column =
                matrix
                    .meta_column(name)
                    .ok_or_else(|| UncertaintyError::UnknownClusterColumn {
                        matrix: matrix.source.clone(),
                        column: name.clone(),
                        available: matrix.meta.iter().map(|c| c.name.clone()).collect(),
                    })?;
            column
                .cells
                .iter()
                .zip(&matrix.models)
                .map(|(cell, model)| {
                    let cell = cell.trim();
                    if cell.is_empty() {
                        format!("\u{0}{model}")
                    } else {
                        cell.to_string()
                    }
                })
                .collect()
        }
        Resampling::Clusters(ClusterSource::ModelPrefix) => {
            matrix.models.iter().map(|m| model_family(m)).collect()
        }
    };
    // Clusters in order of first appearance, for stable output.
    let mut names: Vec<&str> = Vec::new();
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for (row, label) in labels.iter().enumerate() {
        match names.iter().position(|n| *n == label) {
            Some(i) => groups[i].push(row),
            None => {
                names.push(label);
                groups.push(vec![row]);
            }
        }
    }
    if groups.len() < 2 {
        let how = match resampling {
            Resampling::Clusters(ClusterSource::Column(c)) => format!("by column '{c}'"),
            _ => "by model-id prefix".to_string(),
        };
        return Err(UncertaintyError::TooFewClusters {
            matrix: matrix.source.clone(),
            clusters: groups.len(),
            how,
        });
    }
    Ok(groups)
}

/// A model's family from its id: after any `org/`, up to the first `-`, `_`
/// or space, lower-cased.
pub fn model_family(model: &str) -> String {
    let name = model.rsplit('/').next().unwrap_or(model);
    name.split(['-', '_', ' '])
        .next()
        .unwrap_or(name)
        .to_lowercase()
}

/// Draw the rows of one resample: as many units as there are, with
/// replacement, each contributing all its rows.
fn draw(units: &[Vec<usize>], rng: &mut impl Rng) -> Vec<usize> {
    let mut rows = Vec::with_capacity(units.iter().map(Vec::len).sum());
    for _ in 0..units.len() {
        rows.extend_from_slice(&units[rng.random_range(0..units.len())]);
    }
    rows
}

/// Statistics of the pipeline rerun on `rows` of `matrix` (selected into
/// `resample`), `None` when it cannot fit. `classes` are the full sample's
/// tie classes of each benchmark column (Spearman only), with the capability
/// benchmarks' columns: the resample's
/// ranks are counted from them (its tie groups are the full sample's), in
/// linear time, not sorted afresh (see [`RowClasses`]).
fn rerun(
    (matrix, resample): (&BenchmarkMatrix, &mut Resample),
    options: &AnalysisOptions,
    (reference, scored): (&[f64], &Scored),
    rows: &[usize],
    width: usize,
    classes: Option<(&[TieClasses], &[usize])>,
) -> Option<Vec<f64>> {
    let classes = classes.map(|(classes, capabilities)| {
        RowClasses::new((classes, &matrix.benchmarks, capabilities), rows)
    });
    let sub = resample.select(matrix, rows, classes.as_ref());
    let stats = analyze_aligned(sub, options, reference, classes.as_ref())
        .ok()
        .map(|a| statistics(&a, scored));
    debug_assert!(stats.as_ref().is_none_or(|s| s.len() == width));
    stats
}

/// Samples (resamples, or jackknife samples) run together in one task, their
/// statistics kept column by column.
const BLOCK: usize = 16;

/// The statistics of many samples, `width` of them per sample: blocks of
/// [`BLOCK`] consecutive samples, each block statistic after statistic
/// (NaN for a sample that could not be fitted), so that one statistic's
/// values over every sample are read from a run of each block, not from
/// one place in each sample's own vector.
struct Kept {
    width: usize,
    samples: usize,
    blocks: Vec<Vec<f64>>,
    /// Samples whose fit failed.
    failed: usize,
}

impl Kept {
    /// Run `sample` on `0..samples` in parallel (asking `hooks` before each
    /// one whether to stop) and keep what it returns, `width` statistics or
    /// `None` where it could not fit. Each task makes its own `scratch` for
    /// `sample` to reuse.
    fn run<S>(
        samples: usize,
        width: usize,
        hooks: &Hooks,
        scratch: impl Fn() -> S + Sync,
        sample: impl Fn(usize, &mut S) -> Option<Vec<f64>> + Sync,
    ) -> Result<Kept, UncertaintyError> {
        let blocks: Vec<(Vec<f64>, usize)> = (0..samples.div_ceil(BLOCK))
            .into_par_iter()
            .map(|block| {
                let first = block * BLOCK;
                let len = BLOCK.min(samples - first);
                let mut columns = vec![f64::NAN; width * len];
                let mut failed = 0;
                let mut scratch = scratch();
                for i in 0..len {
                    hooks.check()?;
                    match sample(first + i, &mut scratch) {
                        Some(stats) => {
                            for (k, v) in stats.into_iter().enumerate() {
                                columns[k * len + i] = v;
                            }
                        }
                        None => failed += 1,
                    }
                }
                Ok((columns, failed))
            })
            .collect::<Result<_, UncertaintyError>>()?;
        Ok(Kept {
            width,
            samples,
            failed: blocks.iter().map(|b| b.1).sum(),
            blocks: blocks.into_iter().map(|b| b.0).collect(),
        })
    }

    /// Statistic `k` of every sample, in sample order.
    fn column(&self, k: usize) -> Vec<f64> {
        let mut values = Vec::with_capacity(self.samples);
        for block in &self.blocks {
            let len = block.len() / self.width;
            values.extend_from_slice(&block[k * len..(k + 1) * len]);
        }
        values
    }
}

/// Bootstrap every number of `full`, the analysis of `matrix` (`settings`
/// checked already).
pub(crate) fn bootstrap(
    matrix: &BenchmarkMatrix,
    options: &AnalysisOptions,
    full: &Analysis,
    settings: &BootstrapOptions,
    seed: u64,
    hooks: &Hooks,
) -> Result<BootstrapReport, UncertaintyError> {
    let units = units(matrix, &settings.resampling)?;
    let scored = Scored::new(matrix, full);
    let reference = (&full.fit.loadings[..], &scored);
    let estimates = statistics(full, &scored);
    let width = estimates.len();
    let classes: Option<Vec<TieClasses>> =
        (options.method == CorrelationMethod::Spearman).then(|| {
            matrix
                .benchmarks
                .par_iter()
                .map(|c| TieClasses::new(&c.values))
                .collect()
        });
    // The capability benchmarks' columns, checked (by the full sample's fit).
    let capabilities = check_capabilities(matrix, &options.capabilities)?;
    let classes = classes.as_deref().map(|c| (c, &capabilities[..]));
    // Every resample's statistics are kept for the intervals (and, per
    // statistic, gathered into one column while summarising).
    let kept = (settings.resamples as u128) * (width as u128 * 2 + 4);
    crate::memory::ensure(
        crate::memory::bytes_of::<f64>(kept),
        || {
            format!(
                "{} bootstrap resamples of {width} statistics",
                settings.resamples
            )
        },
        "use fewer bootstrap resamples",
    )?;
    let resample = || Resample::new(matrix, &options.capabilities, classes.is_none());
    // The statistics of the rows `rows` (a resample or a jackknife sample).
    let statistics_of = |rows: &[usize], resample: &mut Resample| {
        rerun((matrix, resample), options, reference, rows, width, classes)
    };
    let draws = Kept::run(settings.resamples, width, hooks, resample, |b, resample| {
        let mut rng = stream_rng(seed, Purpose::Bootstrap, b as u64);
        let stats = statistics_of(&draw(&units, &mut rng), resample);
        (hooks.progress)(1);
        stats
    })?;
    let jackknife = Kept::run(units.len(), width, hooks, resample, |left_out, resample| {
        let rows: Vec<usize> = units
            .iter()
            .enumerate()
            .filter(|(u, _)| *u != left_out)
            .flat_map(|(_, rows)| rows.iter().copied())
            .collect();
        statistics_of(&rows, resample)
    })?;
    let failed_fits = draws.failed;
    let summarise = |k: usize, correlation: bool| {
        intervals::estimate(
            estimates[k],
            &draws.column(k),
            &jackknife.column(k),
            settings.confidence,
            correlation,
        )
    };
    let nb = full.benchmarks.len();
    let k = full.fit.eigenvalues.len();
    Ok(BootstrapReport {
        resamples: settings.resamples,
        confidence: settings.confidence,
        interval: settings.interval,
        resampling: settings.resampling.clone(),
        units: units.len(),
        failed_fits,
        // Each number's draws are sorted for its quantiles: in parallel too.
        capabilities: (0..nb)
            .into_par_iter()
            .map(|k| summarise(k, true))
            .collect(),
        compute: (nb..2 * nb)
            .into_par_iter()
            .map(|k| summarise(k, true))
            .collect(),
        pc1_variance_explained: summarise(2 * nb, false),
        capability_correlation_mean: summarise(2 * nb + 1, true),
        score_compute: summarise(2 * nb + 2, true),
        eigenvalues: (2 * nb + 3..2 * nb + 3 + k)
            .map(|j| summarise(j, false))
            .collect(),
        scores: (2 * nb + 3 + k..width)
            .into_par_iter()
            .map(|j| summarise(j, false))
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::super::NO_HOOKS;
    use super::super::test_support::{factor_matrix, options};
    use super::*;
    use crate::analysis::analyze;
    use crate::matrix::MetaColumn;

    fn run(m: &BenchmarkMatrix, settings: &BootstrapOptions, seed: u64) -> BootstrapReport {
        let full = analyze(m, &options(), None).unwrap();
        bootstrap(m, &options(), &full, settings, seed, &NO_HOOKS).unwrap()
    }

    #[test]
    fn intervals_contain_the_estimate_and_are_ordered() {
        let m = factor_matrix(40, 11);
        let full = analyze(&m, &options(), None).unwrap();
        let r = run(&m, &BootstrapOptions::default(), 5);
        assert_eq!(r.capabilities.len(), full.benchmarks.len());
        for (b, e) in full.benchmarks.iter().zip(&r.capabilities) {
            let p = e.percentile.unwrap();
            assert!(p.low <= p.high);
            assert_eq!(e.used + e.skipped, 2000);
            let est = b.capabilities_correlation.unwrap();
            // A 95% interval of a correlation this far from the bounds holds it.
            assert!(p.low - 0.05 <= est && est <= p.high + 0.05, "{b:?} {p:?}");
        }
        // The capability-free benchmark's interval spans 0; the loaded one's doesn't.
        let free = full
            .benchmarks
            .iter()
            .position(|b| b.benchmark == "s_free")
            .unwrap();
        let loaded = full
            .benchmarks
            .iter()
            .position(|b| b.benchmark == "s_cap")
            .unwrap();
        assert!(
            r.capabilities[free]
                .interval(IntervalMethod::Bca)
                .unwrap()
                .0
                .contains(0.0)
        );
        assert!(
            r.capabilities[loaded]
                .interval(IntervalMethod::Bca)
                .unwrap()
                .0
                .low
                > 0.2
        );
        let share = r.pc1_variance_explained.percentile.unwrap();
        assert!(share.low > 0.3 && share.high <= 1.0, "{share:?}");
    }

    #[test]
    fn every_scored_model_and_eigenvalue_gets_an_interval() {
        let m = factor_matrix(40, 11);
        let full = analyze(&m, &options(), None).unwrap();
        let settings = BootstrapOptions {
            resamples: 400,
            ..BootstrapOptions::default()
        };
        let r = run(&m, &settings, 5);
        assert_eq!(r.eigenvalues.len(), full.fit.eigenvalues.len());
        assert_eq!(r.scores.len(), full.fit.rows.len());
        // Every model is scored in every resample (drawn or not).
        assert!(r.scores.iter().all(|e| e.used == 400 && e.skipped == 0));
        let interval = |e: &BootstrapEstimate| e.interval(IntervalMethod::Percentile).unwrap().0;
        for (e, s) in r.scores.iter().zip(&full.fit.scores) {
            let i = interval(e);
            assert!(
                i.low < i.high && i.low - 0.5 <= *s && *s <= i.high + 0.5,
                "{s} {i:?}"
            );
        }
        // The best and the worst model are told apart.
        let best = (0..full.fit.scores.len())
            .max_by(|&a, &b| full.fit.scores[a].total_cmp(&full.fit.scores[b]))
            .unwrap();
        let worst = (0..full.fit.scores.len())
            .min_by(|&a, &b| full.fit.scores[a].total_cmp(&full.fit.scores[b]))
            .unwrap();
        assert!(interval(&r.scores[best]).low > interval(&r.scores[worst]).high);
        // PC1's eigenvalue: above 1 (a strong factor), its interval ordered.
        let first = interval(&r.eigenvalues[0]);
        assert!(first.low > 1.0 && first.low < first.high, "{first:?}");
        assert!(interval(&r.eigenvalues[1]).high < first.low);
    }

    #[test]
    fn same_seed_same_result_other_seed_other_result() {
        let m = factor_matrix(25, 12);
        let settings = BootstrapOptions {
            resamples: 200,
            ..BootstrapOptions::default()
        };
        let a = run(&m, &settings, 9);
        let one_thread = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap()
            .install(|| run(&m, &settings, 9));
        assert_eq!(a, one_thread);
        assert_ne!(a, run(&m, &settings, 10));
    }

    #[test]
    fn clusters_come_from_a_column_or_the_model_prefix() {
        let mut m = factor_matrix(12, 13);
        let by_prefix = units(&m, &Resampling::Clusters(ClusterSource::ModelPrefix)).unwrap();
        assert_eq!(by_prefix.len(), 4);
        assert_eq!(by_prefix[0], vec![0, 4, 8]);
        m.meta.push(MetaColumn {
            name: "family".into(),
            cells: (0..12)
                .map(|i| if i < 6 { "a" } else { "" }.to_string())
                .collect(),
        });
        let by_column = units(
            &m,
            &Resampling::Clusters(ClusterSource::Column("family".into())),
        )
        .unwrap();
        // Six models in "a", the six empty cells each a cluster of one.
        assert_eq!(by_column.len(), 7);
        let e = units(
            &m,
            &Resampling::Clusters(ClusterSource::Column("nope".into())),
        )
        .unwrap_err();
        assert!(e.to_string().contains("'nope'") && e.to_string().contains("family"));
        let settings = BootstrapOptions {
            resamples: 100,
            resampling: Resampling::Clusters(ClusterSource::ModelPrefix),
            ..BootstrapOptions::default()
        };
        let r = run(&m, &settings, 1);
        assert_eq!(r.units, 4);
        assert!(
            r.describe()
                .contains("4 clusters of models by model-id prefix")
        );
    }

    #[test]
    fn model_family_from_id() {
        assert_eq!(model_family("Qwen1.5-72B-Chat"), "qwen1.5");
        assert_eq!(model_family("meta-llama/Llama-2-7b-hf"), "llama");
        assert_eq!(model_family("gemma_2b"), "gemma");
        assert_eq!(model_family("dbrx"), "dbrx");
    }

    #[test]
    fn resamples_that_cannot_fit_are_counted() {
        // Five models: some resamples draw fewer than 3 distinct models or a
        // constant capability column and cannot be fitted.
        let m = factor_matrix(5, 14);
        let settings = BootstrapOptions {
            resamples: 300,
            ..BootstrapOptions::default()
        };
        let r = run(&m, &settings, 2);
        assert!(r.failed_fits > 0);
        for e in &r.capabilities {
            assert!(e.skipped >= r.failed_fits);
            assert_eq!(e.used + e.skipped, 300);
        }
    }

    #[test]
    fn bad_settings_are_refused() {
        for (resamples, confidence) in [(5, 0.95), (100, 1.0), (100, 0.0), (100, f64::NAN)] {
            let s = BootstrapOptions {
                resamples,
                confidence,
                ..BootstrapOptions::default()
            };
            assert!(s.check().is_err(), "{resamples} {confidence}");
        }
    }
}
