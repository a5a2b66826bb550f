//! Rendering of the numbers of [`crate::uncertainty`]: extra per-benchmark
//! fields in JSON and CSV, an `uncertainty` object per matrix in JSON, and
//! intervals, p-values and flags in the text and Markdown tables.
//!
//! Nothing here runs unless an analysis carries an uncertainty report, so
//! the paper's default output is unchanged byte for byte. A field is present
//! only when the option that computes it was set (a bootstrap adds the
//! interval fields, a permutation test the p/q-values, and so on); within a
//! present field an undefined number is `null` (JSON) or empty (CSV).

use super::percent;
use super::table::Table;
use crate::analysis::{Analysis, Role};
use crate::uncertainty::{
    BenchmarkSensitivity, BootstrapEstimate, BootstrapReport, ClusterSource, FullAnalysis,
    ImputationReport, ImputedCell, Interval, IntervalMethod, PermutationReport, Resampling,
    SensitivityReport, UNSTABLE_SHARE, UncertaintyReport, fallback_legend,
};
use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};

/// One typed value of a per-benchmark field: JSON and CSV both render from
/// it (an undefined number is `null` in JSON, an empty CSV cell).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cell {
    /// A number; `None` or non-finite = undefined.
    Number(Option<f64>),
    /// A count.
    Count(usize),
    /// A word, or nothing.
    Text(Option<&'static str>),
    /// Yes or no.
    Flag(bool),
}

impl Cell {
    /// The CSV cell.
    pub(crate) fn csv(&self) -> String {
        match self {
            Cell::Number(v) => super::csv_number(*v),
            Cell::Count(n) => n.to_string(),
            Cell::Text(t) => t.unwrap_or_default().to_string(),
            Cell::Flag(b) => b.to_string(),
        }
    }
}

impl Serialize for Cell {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Cell::Number(v) => v.filter(|v| v.is_finite()).serialize(s),
            Cell::Count(n) => n.serialize(s),
            Cell::Text(t) => t.serialize(s),
            Cell::Flag(b) => b.serialize(s),
        }
    }
}

/// Named cells in a fixed order: an object in JSON, columns in CSV.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Fields(pub(crate) Vec<(String, Cell)>);

impl Serialize for Fields {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

/// Flat fields of one bootstrapped number, each key prefixed by `prefix`.
fn estimate_fields(prefix: &str, e: &BootstrapEstimate, method: IntervalMethod) -> Fields {
    let chosen = e.interval(method);
    let ends = |i: Option<Interval>| {
        (
            Cell::Number(i.map(|i| i.low)),
            Cell::Number(i.map(|i| i.high)),
        )
    };
    let (lo, hi) = ends(chosen.map(|c| c.0));
    let (plo, phi) = ends(e.percentile);
    let (blo, bhi) = ends(e.bca);
    let (flo, fhi) = ends(e.fisher_z);
    Fields(
        [
            ("ci_low", lo),
            ("ci_high", hi),
            ("ci_method", Cell::Text(chosen.map(|c| c.1.as_str()))),
            ("ci_fallback", Cell::Flag(e.fell_back(method))),
            ("ci_percentile_low", plo),
            ("ci_percentile_high", phi),
            ("ci_bca_low", blo),
            ("ci_bca_high", bhi),
            ("ci_fisher_z_low", flo),
            ("ci_fisher_z_high", fhi),
            ("resamples_used", Cell::Count(e.used)),
            ("resamples_skipped", Cell::Count(e.skipped)),
            ("resamples_skipped_share", Cell::Number(e.skipped_share())),
            ("unstable", Cell::Flag(e.unstable())),
        ]
        .into_iter()
        .map(|(k, v)| (format!("{prefix}{k}"), v))
        .collect(),
    )
}

/// Every extra per-benchmark field of benchmark `i`, in a fixed order
/// (empty without a report): the typed row JSON and CSV both write.
pub(crate) fn benchmark_fields(u: Option<&UncertaintyReport>, i: usize) -> Fields {
    let Some(u) = u else {
        return Fields::default();
    };
    let mut out = Vec::new();
    let number = |k: &str, v: Option<f64>| (k.to_string(), Cell::Number(v));
    if let Some(b) = &u.bootstrap {
        out.extend(estimate_fields("", &b.capabilities[i], b.interval).0);
        out.extend(estimate_fields("compute_", &b.compute[i], b.interval).0);
    }
    if let Some(p) = &u.permutation {
        out.push(number("p_value", p.p_values[i]));
        out.push(number("q_value", p.q_values[i]));
    }
    if let Some(loo) = &u.leave_one_out {
        out.push(number("loo_correlation", loo[i]));
    }
    if let Some(s) = &u.sensitivity {
        let b = &s.benchmarks[i];
        out.extend([
            number("sensitivity_min", b.min),
            number("sensitivity_max", b.max),
            number("drop_one_min", b.drop_one_min),
            number("drop_one_max", b.drop_one_max),
            number("mean_z_correlation", b.mean_z),
            number("pearson_pc1_correlation", b.pearson_pc1),
            ("verdict_flips".to_string(), Cell::Flag(b.verdict_flips)),
        ]);
    }
    if let Some(imp) = &u.imputation {
        out.push(number(
            "listwise_correlation",
            imp.listwise.get(i).copied().flatten(),
        ));
    }
    Fields(out)
}

/// The matrix-level `uncertainty` object of the JSON output.
#[derive(Serialize)]
pub(crate) struct UncertaintyJson<'a> {
    seed: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    bootstrap: Option<BootstrapJson>,
    #[serde(skip_serializing_if = "Option::is_none")]
    permutation: Option<PermutationJson>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sensitivity: Option<SensitivityJson<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    imputation: Option<ImputationJson<'a>>,
}

#[derive(Serialize)]
struct BootstrapJson {
    resamples: usize,
    confidence: f64,
    interval: &'static str,
    resampling: &'static str,
    clusters_by: Option<String>,
    units: usize,
    failed_fits: usize,
    unstable_above_skipped_share: f64,
    pc1_variance_explained: Fields,
    capability_correlation_mean: Fields,
    capabilities_score_compute_correlation: Fields,
}

impl BootstrapJson {
    fn new(b: &BootstrapReport) -> Self {
        let (resampling, clusters_by) = match &b.resampling {
            Resampling::Models => ("models", None),
            Resampling::Clusters(ClusterSource::Column(c)) => {
                ("clusters", Some(format!("column:{c}")))
            }
            Resampling::Clusters(ClusterSource::ModelPrefix) => {
                ("clusters", Some("model-id prefix".to_string()))
            }
        };
        let fields = |e: &BootstrapEstimate| estimate_fields("", e, b.interval);
        BootstrapJson {
            resamples: b.resamples,
            confidence: b.confidence,
            interval: b.interval.as_str(),
            resampling,
            clusters_by,
            units: b.units,
            failed_fits: b.failed_fits,
            unstable_above_skipped_share: UNSTABLE_SHARE,
            pc1_variance_explained: fields(&b.pc1_variance_explained),
            capability_correlation_mean: fields(&b.capability_correlation_mean),
            capabilities_score_compute_correlation: fields(&b.score_compute),
        }
    }
}

#[derive(Serialize)]
struct PermutationJson {
    permutations: usize,
    alternative: &'static str,
    q_values: &'static str,
    tested: usize,
    q_value_family: usize,
}

impl PermutationJson {
    fn new(p: &PermutationReport) -> Self {
        PermutationJson {
            permutations: p.permutations,
            alternative: "two-sided",
            q_values: "benjamini-hochberg over the non-capability benchmarks of this matrix (capability benchmarks: p only)",
            tested: p.p_values.iter().flatten().count(),
            q_value_family: p.family,
        }
    }
}

#[derive(Serialize)]
struct SensitivityJson<'a> {
    lines: crate::verdict::Lines,
    variants: [&'static str; 4],
    verdict_flips: Vec<&'a str>,
    verdict_flips_by_composite: Vec<&'a str>,
    verdict_flips_by_compute: Vec<&'a str>,
    drop_one: DropOne<'a>,
}

/// `{benchmark: {capability left out: correlation}}`.
struct DropOne<'a>(&'a Analysis, &'a SensitivityReport);

impl Serialize for DropOne<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (a, sens) = (self.0, self.1);
        let mut map = s.serialize_map(Some(a.benchmarks.len()))?;
        for (r, b) in a.benchmarks.iter().zip(&sens.benchmarks) {
            let per = Fields(
                sens.capabilities
                    .iter()
                    .zip(&b.drop_one)
                    .map(|(c, v)| (c.clone(), Cell::Number(*v)))
                    .collect(),
            );
            map.serialize_entry(&r.benchmark, &per)?;
        }
        map.end()
    }
}

#[derive(Serialize)]
struct ImputationJson<'a> {
    method: &'static str,
    rank: usize,
    lambda: Option<f64>,
    warning: Option<String>,
    iterations: usize,
    converged: bool,
    relative_change: Cell,
    imputed_cells: &'a [ImputedCell],
    models_used: usize,
    listwise_models_used: Option<usize>,
}

impl<'a> ImputationJson<'a> {
    fn new(a: &Analysis, i: &'a ImputationReport) -> Self {
        ImputationJson {
            method: i.method.name(),
            rank: i.rank,
            lambda: i.lambda,
            warning: i.warning(),
            iterations: i.iterations,
            converged: i.converged,
            relative_change: Cell::Number(Some(i.relative_change)),
            imputed_cells: &i.cells,
            models_used: a.fit.rows.len(),
            listwise_models_used: i.listwise_models,
        }
    }
}

impl<'a> UncertaintyJson<'a> {
    /// The object for `full`, when it carries a report.
    pub(crate) fn new(full: &'a FullAnalysis) -> Option<Self> {
        let (a, u) = (&full.analysis, full.uncertainty.as_ref()?);
        Some(UncertaintyJson {
            seed: u.seed,
            bootstrap: u.bootstrap.as_ref().map(BootstrapJson::new),
            permutation: u.permutation.as_ref().map(PermutationJson::new),
            sensitivity: u.sensitivity.as_ref().map(|s| {
                let flagged = |flag: fn(&BenchmarkSensitivity) -> bool| {
                    a.benchmarks
                        .iter()
                        .zip(&s.benchmarks)
                        .filter(|(_, b)| flag(b))
                        .map(|(r, _)| r.benchmark.as_str())
                        .collect()
                };
                SensitivityJson {
                    lines: s.lines,
                    variants: [
                        "drop-one capability composites",
                        "mean z-score composite",
                        "PC1 of the Pearson matrix",
                        "compute",
                    ],
                    verdict_flips: flagged(|b| b.verdict_flips),
                    verdict_flips_by_composite: flagged(|b| b.flips_by_composite),
                    verdict_flips_by_compute: flagged(|b| b.flips_by_compute),
                    drop_one: DropOne(a, s),
                }
            }),
            imputation: u.imputation.as_ref().map(|i| ImputationJson::new(a, i)),
        })
    }
}

/// Extra CSV columns: the union over the analyses' reports, in field order.
pub(crate) fn csv_header(analyses: &[FullAnalysis]) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for a in analyses {
        if a.uncertainty.is_some() && !a.analysis.benchmarks.is_empty() {
            for (k, _) in benchmark_fields(a.uncertainty.as_ref(), 0).0 {
                if !names.contains(&k) {
                    names.push(k);
                }
            }
        }
    }
    names
}

/// Extra CSV cells of benchmark `i` of `a`, for the columns `header`.
pub(crate) fn csv_cells(a: &FullAnalysis, i: usize, header: &[String]) -> Vec<String> {
    let fields = benchmark_fields(a.uncertainty.as_ref(), i);
    header
        .iter()
        .map(|h| {
            fields
                .0
                .iter()
                .find(|(k, _)| k == h)
                .map_or(String::new(), |(_, v)| v.csv())
        })
        .collect()
}

/// "81.2% [72.0, 88.1] n=26": a correlation with its interval and n. An
/// interval that fell back to percentile ends in
/// [`FALLBACK_MARK`](crate::uncertainty::FALLBACK_MARK); a number undefined
/// in some resamples says in how many, and one undefined in more than
/// [`UNSTABLE_SHARE`] of them is flagged
/// ("81.2% [40.1, 90.3] n=26 (unstable: 34% of resamples undefined, 336/1000)"),
/// both by [`BootstrapEstimate`]'s marks, which `check` shows too.
pub fn with_interval(
    value: Option<f64>,
    e: Option<(&BootstrapEstimate, IntervalMethod)>,
    n: usize,
) -> String {
    let interval = e
        .and_then(|(e, m)| Some((e.interval(m)?.0, e.fallback_mark(m))))
        .map(|(i, mark)| format!(" [{:.1}, {:.1}]{mark}", i.low * 100.0, i.high * 100.0))
        .unwrap_or_default();
    let skipped = e
        .and_then(|(e, _)| e.skipped_note())
        .map(|note| format!(" ({note})"))
        .unwrap_or_default();
    format!("{}{interval} n={n}{skipped}", percent(value))
}

fn p_text(p: Option<f64>) -> String {
    match p {
        Some(p) if p < 0.0001 => "<0.0001".into(),
        Some(p) => format!("{p:.4}"),
        None => "–".into(),
    }
}

/// Summary lines saying what the uncertainty layer computed (none without
/// a report).
pub(crate) fn summary(full: &FullAnalysis) -> Vec<String> {
    match &full.uncertainty {
        Some(u) => summary_lines(&full.analysis, u),
        None => Vec::new(),
    }
}

/// The table of `role`'s benchmarks with intervals, p/q-values,
/// leave-one-out values and sensitivity ranges; `None` without a report
/// (then the paper's table is shown).
pub(crate) fn benchmark_table(full: &FullAnalysis, role: Role) -> Option<Table> {
    let u = full.uncertainty.as_ref()?;
    let (header, rows) = table(&full.analysis, u, role);
    Some(Table {
        numeric: (1..header.len()).collect(),
        header,
        rows,
    })
}

fn summary_lines(a: &Analysis, u: &UncertaintyReport) -> Vec<String> {
    let mut lines = Vec::new();
    if let Some(b) = &u.bootstrap {
        lines.push(format!("Bootstrap: {} (seed {})", b.describe(), u.seed));
        let show = |label: &str, v: Option<f64>, e: &BootstrapEstimate, n: usize| {
            format!("  {label}: {}", with_interval(v, Some((e, b.interval)), n))
        };
        let n = a.fit.rows.len();
        lines.push(show(
            "PC1 share",
            Some(a.fit.pc1_variance_explained()),
            &b.pc1_variance_explained,
            n,
        ));
        lines.push(show(
            "capability correlation mean",
            Some(a.fit.correlation_mean),
            &b.capability_correlation_mean,
            n,
        ));
        if a.compute_column.is_some() {
            lines.push(show(
                "capabilities score vs compute",
                a.capabilities_score_compute_correlation,
                &b.score_compute,
                a.score_compute_n,
            ));
        }
        let partial = b
            .capabilities
            .iter()
            .chain(&b.compute)
            .filter(|e| e.skipped > 0 && e.used > 0)
            .count();
        if partial > 0 {
            let unstable = b
                .capabilities
                .iter()
                .chain(&b.compute)
                .filter(|e| e.unstable())
                .count();
            lines.push(format!(
                "  {} undefined in some resamples, which were skipped for them (counted beside each interval); {unstable} undefined in more than {:.0}% of resamples {} marked unstable",
                crate::words::count(partial, "correlation was", "correlations were"),
                UNSTABLE_SHARE * 100.0,
                if unstable == 1 { "is" } else { "are" }
            ));
        }
        let fell_back = b
            .capabilities
            .iter()
            .chain(&b.compute)
            .chain([
                &b.pc1_variance_explained,
                &b.capability_correlation_mean,
                &b.score_compute,
            ])
            .filter(|e| e.fell_back(b.interval))
            .count();
        if fell_back > 0 {
            lines.push(format!("  {}", fallback_legend(b.interval, fell_back)));
        }
        if b.failed_fits > 0 {
            lines.push(format!(
                "  {} not be fitted and {} skipped",
                crate::words::count(b.failed_fits, "resample could", "resamples could"),
                if b.failed_fits == 1 { "was" } else { "were" }
            ));
        }
    }
    if let Some(p) = &u.permutation {
        lines.push(format!(
            "Permutation test: {} permutations per benchmark (seed {}), two-sided; q = Benjamini–Hochberg over the {} non-capability benchmarks (none for capability benchmarks, whose score contains them)",
            p.permutations,
            u.seed,
            p.family
        ));
    }
    if let Some(s) = &u.sensitivity {
        lines.push(format!(
            "Sensitivity: {} drop-one composites, mean z-score, Pearson PC1, compute; verdict band (|r| < {} low, ≥ {} high) changes for {} of {} other benchmarks under another composite, for {} with compute in place of capabilities",
            s.capabilities.len(),
            percent(Some(s.lines.low)),
            percent(Some(s.lines.high)),
            s.count(a, Role::Safety, |b| b.flips_by_composite),
            a.benchmarks.iter().filter(|b| b.role == Role::Safety).count(),
            s.count(a, Role::Safety, |b| b.flips_by_compute),
        ));
    }
    if let Some(i) = &u.imputation {
        lines.push(format!(
            "Imputation: {}, {} filled (kept within each benchmark's observed range), {} after {} (relative change {:.1e}); listwise models: {}",
            i.method,
            crate::words::count(i.cells.len(), "cell", "cells"),
            if i.converged { "converged" } else { "NOT converged" },
            crate::words::count(i.iterations, "step", "steps"),
            i.relative_change,
            i.listwise_models.map_or("–".to_string(), |n| n.to_string())
        ));
        if let Some(w) = i.warning() {
            lines.push(format!("  WARNING: {w}"));
        }
        for c in &i.cells {
            lines.push(format!(
                "  imputed: {} {} = {}{}",
                c.model,
                c.benchmark,
                round4(c.value),
                if c.at_observed_bound {
                    " (held at the end of the observed range)"
                } else {
                    ""
                }
            ));
        }
    }
    lines
}

fn round4(v: f64) -> String {
    let s = format!("{v:.4}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

fn table(a: &Analysis, u: &UncertaintyReport, role: Role) -> (Vec<String>, Vec<Vec<String>>) {
    let b = u.bootstrap.as_ref();
    let ci = |label: &str| match b {
        Some(b) => format!("{label} [{:.0}% CI]", b.confidence * 100.0),
        None => label.to_string(),
    };
    let mut header = vec![
        "benchmark".to_string(),
        ci("capabilities corr."),
        ci("compute corr."),
    ];
    if u.permutation.is_some() {
        header.extend(["p".to_string(), "q".to_string()]);
    }
    if u.leave_one_out.is_some() && role == Role::Capability {
        header.push("without it".to_string());
    }
    if u.sensitivity.is_some() {
        header.extend(["range".to_string(), "flips".to_string()]);
    }
    if u.imputation.is_some() {
        header.push("listwise".to_string());
    }
    let rows = a
        .benchmarks
        .iter()
        .enumerate()
        .filter(|(_, r)| r.role == role)
        .map(|(i, r)| {
            let mut row = vec![
                r.name.clone(),
                with_interval(
                    r.capabilities_correlation,
                    b.map(|b| (&b.capabilities[i], b.interval)),
                    r.n,
                ),
                with_interval(
                    r.compute_correlation,
                    b.map(|b| (&b.compute[i], b.interval)),
                    r.compute_n,
                ),
            ];
            if let Some(p) = &u.permutation {
                row.push(p_text(p.p_values[i]));
                row.push(if r.role == Role::Capability {
                    String::new()
                } else {
                    p_text(p.q_values[i])
                });
            }
            if let Some(loo) = &u.leave_one_out
                && role == Role::Capability
            {
                row.push(percent(loo[i]));
            }
            if let Some(s) = &u.sensitivity {
                let bs = &s.benchmarks[i];
                row.push(match (bs.min, bs.max) {
                    (Some(lo), Some(hi)) => format!("[{:.1}, {:.1}]", lo * 100.0, hi * 100.0),
                    _ => "–".into(),
                });
                row.push(if bs.verdict_flips { "yes" } else { "" }.to_string());
            }
            if let Some(imp) = &u.imputation {
                row.push(percent(imp.listwise.get(i).copied().flatten()));
            }
            row
        })
        .collect();
    (header, rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_render_alike_in_json_and_csv() {
        for (cell, json, csv) in [
            (Cell::Number(Some(0.25)), "0.25", "0.25"),
            (Cell::Number(Some(f64::NAN)), "null", ""),
            (Cell::Number(None), "null", ""),
            (Cell::Count(100), "100", "100"),
            (Cell::Text(Some("bca")), "\"bca\"", "bca"),
            (Cell::Text(None), "null", ""),
            (Cell::Flag(true), "true", "true"),
        ] {
            assert_eq!(serde_json::to_string(&cell).unwrap(), json);
            assert_eq!(cell.csv(), csv);
        }
    }

    #[test]
    fn interval_cell_like_the_issue() {
        let e = BootstrapEstimate {
            percentile: Some(Interval {
                low: 0.72,
                high: 0.881,
            }),
            bca: None,
            fisher_z: None,
            used: 100,
            skipped: 0,
        };
        assert_eq!(
            with_interval(Some(0.8123), Some((&e, IntervalMethod::Percentile)), 26),
            "81.2% [72.0, 88.1] n=26"
        );
        // BCa asked for but undefined: the percentile interval, marked.
        assert_eq!(
            with_interval(Some(0.8123), Some((&e, IntervalMethod::Bca)), 26),
            "81.2% [72.0, 88.1]* n=26"
        );
        assert_eq!(with_interval(None, None, 3), "– n=3");
    }

    #[test]
    fn skipped_resamples_show_beside_the_interval() {
        let e = |used: usize, skipped: usize| BootstrapEstimate {
            percentile: Some(Interval {
                low: 0.401,
                high: 0.903,
            }),
            bca: Some(Interval {
                low: 0.40,
                high: 0.90,
            }),
            fisher_z: None,
            used,
            skipped,
        };
        let cell =
            |e: &BootstrapEstimate| with_interval(Some(0.8), Some((e, IntervalMethod::Bca)), 26);
        assert_eq!(
            cell(&e(664, 336)),
            "80.0% [40.0, 90.0] n=26 (unstable: 34% of resamples undefined, 336/1000)"
        );
        assert_eq!(
            cell(&e(988, 12)),
            "80.0% [40.0, 90.0] n=26 (12/1000 resamples undefined)"
        );
        assert_eq!(cell(&e(1000, 0)), "80.0% [40.0, 90.0] n=26");
        let fields = estimate_fields("", &e(664, 336), IntervalMethod::Bca);
        let get = |k: &str| fields.0.iter().find(|(n, _)| n == k).unwrap().1.clone();
        assert_eq!(get("unstable"), Cell::Flag(true));
        assert_eq!(get("ci_fallback"), Cell::Flag(false));
        assert_eq!(get("resamples_skipped"), Cell::Count(336));
        assert_eq!(get("resamples_skipped_share"), Cell::Number(Some(0.336)));
        let fields = estimate_fields("compute_", &e(1000, 0), IntervalMethod::FisherZ);
        let get = |k: &str| fields.0.iter().find(|(n, _)| n == k).unwrap().1.clone();
        assert_eq!(get("compute_ci_fallback"), Cell::Flag(true));
        assert_eq!(get("compute_ci_method"), Cell::Text(Some("percentile")));
        assert_eq!(get("compute_unstable"), Cell::Flag(false));
    }

    #[test]
    fn p_values_print_with_four_decimals() {
        assert_eq!(p_text(Some(0.01234)), "0.0123");
        assert_eq!(p_text(Some(0.00001)), "<0.0001");
        assert_eq!(p_text(None), "–");
    }
}
