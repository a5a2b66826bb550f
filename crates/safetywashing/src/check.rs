//! Checking a new benchmark against a reference matrix: is it correlated
//! with capabilities?
//!
//! The new scores (one `model,score` column or several benchmark columns)
//! are matched to the reference matrix's models by [`crate::names`], then
//! appended to a copy of the reference matrix as extra columns, and the
//! ordinary [`analyze`] is run. The capabilities score is fitted on the
//! capability benchmarks only, so the new columns cannot change it: each new
//! column gets exactly the correlation the paper's code would give it had it
//! been a column of the matrix all along.
//!
//! Each new column is then placed among the reference's own safety
//! benchmarks (the percentile of its |r|) and given a verdict: *low* below
//! the paper's 40% bound, *high* at or above the mean leave-one-out
//! capabilities correlation of the capability benchmarks (each one's
//! correlation with a composite fitted without it, a correlation with a
//! composite like the new benchmark's; [`HighLine::Paper`] is the paper's
//! mean pairwise correlation), *moderate* in between. Both lines can be
//! changed; for Kendall's τ both are stated in τ ([`crate::verdict`]).

use crate::analysis::{AnalysisOptions, Role};
use crate::capabilities::CapabilitiesError;
use crate::matrix::{BenchmarkMatrix, Column, closest_names};
use crate::names::{Matcher, NameMatch};
use crate::uncertainty::{
    BootstrapEstimate, Interval, IntervalMethod, OptionError, UncertaintyError, UncertaintyOptions,
    analyze_with_uncertainty_until, fallback_legend, leave_one_out_mean, verdict_lines,
};
use crate::verdict::{Band, Lines, Verdict, paper_low_line};

pub use crate::verdict::HighLine;
use serde::Serialize;
use std::fmt::Write as _;
use thiserror::Error;

pub use crate::verdict::PAPER_LOW_BOUND;

/// Below this many models a verdict carries an explicit caution.
pub const FEW_MODELS: usize = 10;

/// What to check and how to judge it.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckOptions {
    /// Capability benchmarks and correlation method.
    pub analysis: AnalysisOptions,
    /// Only this column of the new file (default: every benchmark column).
    pub benchmark: Option<String>,
    /// The new metric is lower-is-better: negate it before correlating.
    pub lower_is_better: bool,
    /// |r| below this is *low*; `None` = the paper's 40%, in the method's
    /// units (its τ equivalent for Kendall).
    pub low_below: Option<f64>,
    /// Where |r| becomes *high* (default: the mean leave-one-out
    /// capabilities correlation of the reference's capability benchmarks).
    pub high_at: HighLine,
    /// Bootstrap (and other extras) for the interval of each new benchmark's
    /// correlation; the default computes none.
    pub uncertainty: UncertaintyOptions,
}

impl Default for CheckOptions {
    fn default() -> Self {
        CheckOptions {
            analysis: AnalysisOptions::default(),
            benchmark: None,
            lower_is_better: false,
            low_below: None,
            high_at: HighLine::LeaveOneOut,
            uncertainty: UncertaintyOptions::default(),
        }
    }
}

/// A check could not be run.
#[derive(Debug, Error)]
pub enum CheckError {
    /// The reference matrix's capabilities score could not be fitted.
    #[error(transparent)]
    Capabilities(#[from] CapabilitiesError),
    /// The benchmark asked for names no column of the new file.
    #[error("{file}: no benchmark column '{name}'; closest columns: {}", columns.join(", "))]
    UnknownBenchmark {
        /// New file.
        file: String,
        /// Column asked for.
        name: String,
        /// Closest columns.
        columns: Vec<String>,
    },
    /// The new file has no benchmark column at all.
    #[error(
        "{0}: no benchmark column: expected 'model,score' or a model column and benchmark columns"
    )]
    NoBenchmark(String),
    /// The low line is not a fraction.
    #[error("the low line must be between 0 and 1 (a fraction, e.g. 0.4), found {found}")]
    BadLowLine {
        /// The value given.
        found: f64,
    },
    /// The given high line is not between the low line and 1.
    #[error("the high line must be between the low line ({low}) and 1, found {found}")]
    BadHighLine {
        /// The low line in force (given or the default).
        low: f64,
        /// The value given.
        found: f64,
    },
    /// The *high* line comes from the capability benchmarks (their mean
    /// leave-one-out correlation, or the paper's mean pairwise one), which
    /// needs at least two of them.
    #[error(
        "the high line is {}, undefined with {}; name more capability benchmarks, or give the high line",
        line.describe(),
        crate::words::count(*capabilities, "capability benchmark", "capability benchmarks")
    )]
    NoCapabilityMean {
        /// The rule asked for.
        line: HighLine,
        /// How many capability benchmarks were given.
        capabilities: usize,
    },
    /// The bootstrap could not run.
    #[error(transparent)]
    Uncertainty(#[from] UncertaintyError),
    /// An uncertainty option is out of range.
    #[error(transparent)]
    Option(#[from] OptionError),
}

/// The bootstrap interval of a checked correlation: the one [`Interval`]
/// type, with its confidence level and the bootstrap estimate it comes
/// from, so that the text and the JSON carry the marks `analyze` shows
/// beside an interval (a percentile fallback, skipped resamples, unstable),
/// from the same [`BootstrapEstimate`] methods.
///
/// JSON: `level`, `lower`, `upper`, `method` (the method that formed the
/// interval: the one asked for, or `percentile` where that one is
/// undefined), `fallback`, `resamples_used`, `resamples_skipped`,
/// `resamples_skipped_share`, `unstable`.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckInterval {
    /// Confidence level, e.g. 0.95.
    pub level: f64,
    /// The interval shown.
    pub interval: Interval,
    /// The interval method asked for.
    pub asked: IntervalMethod,
    /// The correlation's bootstrap distribution, summarised.
    pub estimate: BootstrapEstimate,
}

impl CheckInterval {
    /// The interval of `estimate` for the method `asked` at `level` (the
    /// percentile interval where that one is undefined); `None` where no
    /// interval could be formed.
    pub fn new(level: f64, asked: IntervalMethod, estimate: &BootstrapEstimate) -> Option<Self> {
        let (interval, _) = estimate.interval(asked)?;
        Some(CheckInterval {
            level,
            interval,
            asked,
            estimate: estimate.clone(),
        })
    }

    /// The method that formed the interval shown.
    pub fn method(&self) -> IntervalMethod {
        self.estimate
            .interval(self.asked)
            .map_or(self.asked, |(_, used)| used)
    }

    /// Whether the percentile interval stands in for the one asked for.
    pub fn fell_back(&self) -> bool {
        self.estimate.fell_back(self.asked)
    }

    /// ", 95% interval [51.9%, 88.9%]" with the marks `analyze` puts beside
    /// an interval: `*` after a fallback, then "; 12/1000 resamples
    /// undefined" or "; unstable: 34% of resamples undefined, 336/1000".
    fn text(&self) -> String {
        let pct = |v: f64| crate::numbers::percent(Some(v));
        let note = self
            .estimate
            .skipped_note()
            .map_or(String::new(), |n| format!("; {n}"));
        format!(
            ", {:.0}% interval [{}, {}]{}{note}",
            self.level * 100.0,
            pct(self.interval.low),
            pct(self.interval.high),
            self.estimate.fallback_mark(self.asked),
        )
    }
}

impl Serialize for CheckInterval {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let e = &self.estimate;
        let mut map = serializer.serialize_map(Some(9))?;
        map.serialize_entry("level", &self.level)?;
        map.serialize_entry("lower", &self.interval.low)?;
        map.serialize_entry("upper", &self.interval.high)?;
        map.serialize_entry("method", self.method().as_str())?;
        map.serialize_entry("fallback", &self.fell_back())?;
        map.serialize_entry("resamples_used", &e.used)?;
        map.serialize_entry("resamples_skipped", &e.skipped)?;
        map.serialize_entry("resamples_skipped_share", &e.skipped_share())?;
        map.serialize_entry("unstable", &e.unstable())?;
        map.end()
    }
}

/// The result for one new benchmark column.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BenchmarkCheck {
    /// Column header in the new file.
    pub benchmark: String,
    /// Whether the scores were negated (lower-is-better metric).
    pub flipped: bool,
    /// Reference models with a new score and a capabilities score.
    pub n: usize,
    /// Spearman (or chosen method) correlation with the capabilities score.
    pub capabilities_correlation: Option<f64>,
    /// Interval for it, when a bootstrap was run and could form one.
    pub capabilities_interval: Option<CheckInterval>,
    /// Models with a new score and a compute value.
    pub compute_n: usize,
    /// Correlation with training compute.
    pub compute_correlation: Option<f64>,
    /// Percent of the reference's safety benchmarks whose |r| is below this
    /// one's (ties count half).
    pub percentile: Option<f64>,
    /// How many reference safety benchmarks the percentile compares with.
    pub safety_benchmarks_compared: usize,
    /// The most correlated reference safety benchmark at or below this |r|
    /// and the least one above it, for orientation.
    pub neighbours: Vec<String>,
    /// Low, moderate, high or undefined, and the bands its interval spans
    /// (JSON: `verdict`, `verdict_interval_bands`, `verdict_settled`).
    #[serde(flatten)]
    pub verdict: Verdict,
    /// Why, in words.
    pub reason: String,
}

/// The full result of a check.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckReport {
    /// Reference matrix (path as given).
    pub reference: String,
    /// New file (path as given).
    pub new_file: String,
    /// Correlation method.
    pub method: String,
    /// Every name of the new file and how it was matched.
    pub matches: Vec<NameMatch>,
    /// Reference models that got no new score.
    pub reference_models_without_score: Vec<String>,
    /// Alias entries whose target is not a reference model.
    pub unusable_aliases: Vec<(String, String)>,
    /// Mean correlation among the reference's capability benchmarks (the
    /// paper's high line).
    pub capability_correlation_mean: f64,
    /// Mean correlation of each reference capability benchmark with a
    /// composite fitted without it (the default high line).
    pub capability_leave_one_out_mean: Option<f64>,
    /// The low bound used.
    pub low_below: f64,
    /// The high line used.
    pub high_at: f64,
    /// How the high line was placed: `leave-one-out`, `paper` or `given`.
    pub high_line: &'static str,
    /// One entry per checked column.
    pub benchmarks: Vec<BenchmarkCheck>,
}

/// Check the benchmark columns of `new` against `reference`.
pub fn check(
    reference: &BenchmarkMatrix,
    new: &BenchmarkMatrix,
    matcher: &Matcher,
    options: &CheckOptions,
) -> Result<CheckReport, CheckError> {
    check_until(reference, new, matcher, options, &|| false)
}

/// [`check`] that can be stopped: `stop` is asked before each bootstrap
/// resample (see [`analyze_with_uncertainty_until`]); once it answers
/// `true` the check ends with the uncertainty layer's `Cancelled` error.
pub fn check_until(
    reference: &BenchmarkMatrix,
    new: &BenchmarkMatrix,
    matcher: &Matcher,
    options: &CheckOptions,
    stop: &(dyn Fn() -> bool + Sync),
) -> Result<CheckReport, CheckError> {
    check_thresholds(options)?;
    // Every option is checked once, before any fitting.
    let valid = options
        .uncertainty
        .clone()
        .validate(options.analysis.clone())?;
    let columns = selected_columns(new, options.benchmark.as_deref())?;
    let matches = matcher.match_all(&new.models);

    // The reference row each new row supplies.
    let row_of: std::collections::HashMap<&str, usize> = reference
        .models
        .iter()
        .enumerate()
        .map(|(i, m)| (m.as_str(), i))
        .collect();
    let mut augmented = reference.clone();
    let first_new = augmented.benchmarks.len();
    for (k, column) in columns.iter().enumerate() {
        let mut values = vec![f64::NAN; reference.n_models()];
        for (m, &v) in matches.iter().zip(&column.values) {
            if let Some(&row) = m.used_target().and_then(|t| row_of.get(t)) {
                values[row] = if options.lower_is_better { -v } else { v };
            }
        }
        // A name no reference column can have, so the new column never
        // shadows a reference column (or a capability) of the same name.
        augmented.benchmarks.push(Column {
            name: format!("\u{0}new{k}\u{0}{}", column.name),
            values,
        });
    }
    let full = analyze_with_uncertainty_until(&augmented, &valid, None, &|_| {}, stop)?;
    let boot = full.uncertainty.and_then(|u| u.bootstrap);
    let analysis = full.analysis;
    let cap_mean = analysis.fit.correlation_mean;
    let loo_mean = leave_one_out_mean(&augmented, &options.analysis, &analysis);
    let lines = verdict_lines(
        &augmented,
        &options.analysis,
        &analysis,
        options.low_below,
        options.high_at,
    )
    .ok_or(CheckError::NoCapabilityMean {
        line: options.high_at,
        capabilities: analysis.fit.benchmarks.len(),
    })?;
    let high_at = lines.high;
    let safety: Vec<(&str, f64)> = analysis.benchmarks[..first_new]
        .iter()
        .filter(|b| b.role == Role::Safety)
        .filter_map(|b| {
            b.capabilities_correlation
                .map(|r| (b.name.as_str(), r.abs()))
        })
        .collect();

    let benchmarks = columns
        .iter()
        .zip(&analysis.benchmarks[first_new..])
        .enumerate()
        .map(|(k, (column, result))| {
            let r = result.capabilities_correlation;
            let interval = boot.as_ref().and_then(|b| {
                CheckInterval::new(b.confidence, b.interval, &b.capabilities[first_new + k])
            });
            let (verdict, reason) = judge(
                r,
                interval.as_ref().map(|i| i.interval),
                result.n,
                &lines,
                options,
            );
            BenchmarkCheck {
                benchmark: column.name.clone(),
                flipped: options.lower_is_better,
                n: result.n,
                capabilities_correlation: r,
                capabilities_interval: interval,
                compute_n: result.compute_n,
                compute_correlation: result.compute_correlation,
                percentile: r.and_then(|r| percentile(r.abs(), &safety)),
                safety_benchmarks_compared: safety.len(),
                neighbours: r.map_or_else(Vec::new, |r| neighbours(r.abs(), &safety)),
                verdict,
                reason,
            }
        })
        .collect();

    let used: std::collections::HashSet<&str> =
        matches.iter().filter_map(NameMatch::used_target).collect();
    Ok(CheckReport {
        reference: reference.source.clone(),
        new_file: new.source.clone(),
        method: options.analysis.method.as_str().to_string(),
        reference_models_without_score: reference
            .models
            .iter()
            .filter(|m| !used.contains(m.as_str()))
            .cloned()
            .collect(),
        unusable_aliases: matcher.unusable_aliases().to_vec(),
        matches,
        capability_correlation_mean: cap_mean,
        capability_leave_one_out_mean: loo_mean,
        low_below: lines.low,
        high_at,
        high_line: options.high_at.name(),
        benchmarks,
    })
}

fn check_thresholds(options: &CheckOptions) -> Result<(), CheckError> {
    let in_range = |v: f64| (0.0..=1.0).contains(&v);
    if let Some(low) = options.low_below
        && !in_range(low)
    {
        return Err(CheckError::BadLowLine { found: low });
    }
    let low = options.low_below.unwrap_or_else(|| {
        paper_low_line(options.analysis.method == crate::stats::CorrelationMethod::Kendall)
    });
    if let HighLine::At(h) = options.high_at
        && (!in_range(h) || h < low)
    {
        return Err(CheckError::BadHighLine { low, found: h });
    }
    Ok(())
}

fn selected_columns<'a>(
    new: &'a BenchmarkMatrix,
    wanted: Option<&str>,
) -> Result<Vec<&'a Column>, CheckError> {
    match wanted {
        Some(name) => {
            new.benchmark(name)
                .map(|c| vec![c])
                .ok_or_else(|| CheckError::UnknownBenchmark {
                    file: new.source.clone(),
                    name: name.to_string(),
                    columns: closest_names(name, new.benchmarks.iter().map(|c| c.name.as_str()), 5),
                })
        }
        None if new.benchmarks.is_empty() => Err(CheckError::NoBenchmark(new.source.clone())),
        None => Ok(new.benchmarks.iter().collect()),
    }
}

/// The verdict on a correlation and why, in words.
fn judge(
    r: Option<f64>,
    interval: Option<Interval>,
    n: usize,
    lines: &Lines,
    options: &CheckOptions,
) -> (Verdict, String) {
    let pct = |v: f64| format!("{:.1}%", v * 100.0);
    let verdict = Verdict::judge(r, interval, lines);
    let (Some(r), Some(band)) = (r, verdict.band) else {
        let reason = format!(
            "no correlation: {} with a capabilities score, or constant scores",
            crate::words::count(n, "matched model", "matched models")
        );
        return (verdict, reason);
    };
    let high_what = options.high_at.describe();
    let low_what = match options.low_below {
        Some(_) => "the given low bound",
        None if options.analysis.method == crate::stats::CorrelationMethod::Kendall => {
            "the paper's bound for a low correlation, as Kendall's τ"
        }
        None => "the paper's bound for a low correlation",
    };
    let (a, low, high) = (pct(r.abs()), pct(lines.low), pct(lines.high));
    let mut reason = match band {
        Band::High => {
            format!("|r| = {a} ≥ {high} ({high_what}): the scores largely track capabilities")
        }
        Band::Low => format!("|r| = {a} < {low} ({low_what})"),
        Band::Moderate => format!("{low} ≤ |r| = {a} < {high} ({high_what})"),
    };
    if n < FEW_MODELS {
        reason.push_str(&format!(
            "; only {n} models, so this correlation is very uncertain"
        ));
    }
    (verdict, reason)
}

/// Percent of `others` with |r| below `a` (ties count half).
fn percentile(a: f64, others: &[(&str, f64)]) -> Option<f64> {
    if others.is_empty() {
        return None;
    }
    let below = others.iter().filter(|(_, o)| *o < a).count() as f64;
    let ties = others.iter().filter(|(_, o)| *o == a).count() as f64;
    Some(100.0 * (below + ties / 2.0) / others.len() as f64)
}

/// The nearest reference safety benchmark at or below `a` and above it.
fn neighbours(a: f64, others: &[(&str, f64)]) -> Vec<String> {
    let describe = |(name, r): &(&str, f64)| format!("{name} ({:.1}%)", r * 100.0);
    let below = others
        .iter()
        .filter(|(_, o)| *o <= a)
        .max_by(|x, y| x.1.total_cmp(&y.1).then_with(|| y.0.cmp(x.0)));
    let above = others
        .iter()
        .filter(|(_, o)| *o > a)
        .min_by(|x, y| x.1.total_cmp(&y.1).then_with(|| x.0.cmp(y.0)));
    below.into_iter().chain(above).map(describe).collect()
}

impl CheckReport {
    /// Whether any checked benchmark has |r| ≥ `bound`.
    pub fn any_at_or_above(&self, bound: f64) -> bool {
        self.benchmarks
            .iter()
            .any(|b| b.capabilities_correlation.is_some_and(|r| r.abs() >= bound))
    }

    /// The report as a JSON value (undefined numbers are `null`).
    pub fn json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }

    /// The human report.
    pub fn text(&self) -> String {
        let mut out = String::new();
        let pct = |v: Option<f64>| crate::numbers::percent(v);
        let used = self.matches.iter().filter(|m| m.used_target().is_some());
        let n_used = used.clone().count();
        let n_exact = used.filter(|m| m.outcome.is_exact()).count();
        let _ = writeln!(
            out,
            "Reference: {}",
            crate::escape::control(&self.reference)
        );
        let _ = writeln!(
            out,
            "New scores: {}",
            crate::escape::control(&self.new_file)
        );
        let _ = writeln!(
            out,
            "Models: {} of {} matched ({} exactly, {} otherwise, listed below); {} without a score",
            n_used,
            self.matches.len(),
            n_exact,
            n_used - n_exact,
            crate::words::count(
                self.reference_models_without_score.len(),
                "reference model",
                "reference models"
            )
        );
        let not_exact: Vec<&NameMatch> = self
            .matches
            .iter()
            .filter(|m| !m.outcome.is_exact() || m.collision.is_some())
            .collect();
        if !not_exact.is_empty() {
            let _ = writeln!(out, "\nNames not matched exactly:");
            for m in not_exact {
                let _ = writeln!(out, "  {}  {}", m.name, m.describe());
            }
        }
        if !self.reference_models_without_score.is_empty() {
            let _ = writeln!(
                out,
                "\nReference models without a score: {}",
                self.reference_models_without_score.join(", ")
            );
        }
        for (from, to) in &self.unusable_aliases {
            let (from, to) = (crate::escape::control(from), crate::escape::control(to));
            let _ = writeln!(
                out,
                "note: alias {from} → {to} unused: '{to}' is not a reference model"
            );
        }
        for b in &self.benchmarks {
            let _ = writeln!(out, "\nBenchmark: {}", b.benchmark);
            if b.flipped {
                let _ = writeln!(
                    out,
                    "  lower is better: scores negated before correlating (higher = safer)"
                );
            }
            let interval = b
                .capabilities_interval
                .as_ref()
                .map_or(String::new(), CheckInterval::text);
            let _ = writeln!(
                out,
                "  Capabilities correlation ({}): {} (n={}{interval})",
                self.method,
                pct(b.capabilities_correlation),
                b.n
            );
            let _ = writeln!(
                out,
                "  Compute correlation: {} (n={})",
                pct(b.compute_correlation),
                b.compute_n
            );
            if let Some(p) = b.percentile {
                let _ = writeln!(
                    out,
                    "  Among the reference's {}: |r| above {p:.0}% of them{}",
                    crate::words::count(
                        b.safety_benchmarks_compared,
                        "safety benchmark",
                        "safety benchmarks"
                    ),
                    if b.neighbours.is_empty() {
                        String::new()
                    } else {
                        format!(" (between {})", b.neighbours.join(" and "))
                    }
                );
            }
            let level = b.capabilities_interval.as_ref().map(|i| i.level);
            let _ = writeln!(out, "  Verdict: {}: {}", b.verdict.text(level), b.reason);
        }
        let fell_back: Vec<&CheckInterval> = self
            .benchmarks
            .iter()
            .filter_map(|b| b.capabilities_interval.as_ref())
            .filter(|i| i.fell_back())
            .collect();
        if let Some(first) = fell_back.first() {
            let _ = writeln!(out, "\n{}", fallback_legend(first.asked, fell_back.len()));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::analyze;

    /// A reference with 3 capability benchmarks and one safety benchmark.
    fn reference() -> BenchmarkMatrix {
        let text = "model,c1,c2,c3,s1,FLOP\n\
            A-1,1,2,1,5,1e20\nB-2,2,1,3,3,2e20\nC-3,3,4,2,4,3e20\nD-4,4,3,5,1,4e20\nE-5,5,6,4,2,5e20\n";
        crate::load::parse_matrix(text.as_bytes(), "ref.csv", &Default::default()).unwrap()
    }

    fn options() -> CheckOptions {
        CheckOptions {
            analysis: AnalysisOptions {
                capabilities: vec!["c1".into(), "c2".into(), "c3".into()],
                ..AnalysisOptions::default()
            },
            ..CheckOptions::default()
        }
    }

    fn new_scores(text: &str) -> BenchmarkMatrix {
        crate::load::parse_matrix(text.as_bytes(), "new.csv", &Default::default()).unwrap()
    }

    #[test]
    fn same_as_a_reference_column() {
        let r = reference();
        // s1 itself, renamed, with org prefixes and other case.
        let new = new_scores("model,mine\norg/a-1,5\norg/B-2,3\nc-3,4\nD-4,1\nx/E_5,2\n");
        let report = check(&r, &new, &Matcher::new(&r.models, None), &options()).unwrap();
        let a = analyze(&r, &options().analysis, None).unwrap();
        let s1 = a.benchmarks.iter().find(|b| b.benchmark == "s1").unwrap();
        let b = &report.benchmarks[0];
        assert_eq!(b.capabilities_correlation, s1.capabilities_correlation);
        assert_eq!(b.compute_correlation, s1.compute_correlation);
        assert_eq!(b.n, 5);
        assert_eq!(
            report
                .matches
                .iter()
                .filter(|m| m.outcome.is_exact())
                .count(),
            1
        );
        assert!(report.reference_models_without_score.is_empty());
        // Equal to the only safety benchmark: percentile 50 (a tie).
        assert_eq!(b.percentile, Some(50.0));
    }

    #[test]
    fn lower_is_better_flips_the_sign() {
        let r = reference();
        let new = new_scores("model,err\nA-1,1\nB-2,2\nC-3,3\nD-4,4\nE-5,6\n");
        let m = Matcher::new(&r.models, None);
        let up = check(&r, &new, &m, &options()).unwrap();
        let flipped = CheckOptions {
            lower_is_better: true,
            ..options()
        };
        let down = check(&r, &new, &m, &flipped).unwrap();
        let (u, d) = (
            up.benchmarks[0].capabilities_correlation.unwrap(),
            down.benchmarks[0].capabilities_correlation.unwrap(),
        );
        assert!((u + d).abs() < 1e-12 && u > 0.9, "{u} {d}");
        assert!(down.benchmarks[0].flipped);
        assert!(down.text().contains("lower is better"));
        assert_eq!(up.benchmarks[0].verdict.band, Some(Band::High));
    }

    #[test]
    fn unmatched_and_ambiguous_rows_are_listed_and_unused() {
        let r = reference();
        let new = new_scores("model,x\nA-1,1\nB-2,2\nZ-9,3\n");
        let report = check(&r, &new, &Matcher::new(&r.models, None), &options()).unwrap();
        assert_eq!(report.benchmarks[0].n, 2);
        assert_eq!(report.benchmarks[0].verdict.band, Some(Band::High)); // two points: |r| = 1
        assert_eq!(
            report.reference_models_without_score,
            vec!["C-3", "D-4", "E-5"]
        );
        let text = report.text();
        assert!(text.contains("Z-9  no match"), "{text}");
    }

    #[test]
    fn every_column_of_a_wide_file_is_checked_or_one_chosen() {
        let r = reference();
        let new = new_scores("model,up,down\nA-1,1,5\nB-2,2,4\nC-3,3,3\nD-4,4,2\nE-5,5,1\n");
        let m = Matcher::new(&r.models, None);
        let all = check(&r, &new, &m, &options()).unwrap();
        assert_eq!(all.benchmarks.len(), 2);
        let (up, down) = (&all.benchmarks[0], &all.benchmarks[1]);
        assert_eq!(
            up.capabilities_correlation.map(|v| -v),
            down.capabilities_correlation
        );
        let one = CheckOptions {
            benchmark: Some("down".into()),
            ..options()
        };
        assert_eq!(
            check(&r, &new, &m, &one).unwrap().benchmarks[0].benchmark,
            "down"
        );
        let missing = CheckOptions {
            benchmark: Some("dwn".into()),
            ..options()
        };
        let e = check(&r, &new, &m, &missing).unwrap_err().to_string();
        assert!(
            e.contains("new.csv: no benchmark column 'dwn'; closest columns: down"),
            "{e}"
        );
    }

    /// A bootstrap estimate with a percentile interval [0.4, 0.95] (and a
    /// BCa one when `bca`), undefined in `skipped` of 1000 resamples.
    fn estimate(bca: bool, skipped: usize) -> BootstrapEstimate {
        BootstrapEstimate {
            percentile: Some(Interval::new(0.4, 0.95)),
            bca: bca.then_some(Interval::new(0.41, 0.96)),
            fisher_z: None,
            used: 1000 - skipped,
            skipped,
        }
    }

    #[test]
    fn an_interval_is_shown_when_supplied() {
        let r = reference();
        let new = new_scores("model,x\nA-1,1\nB-2,2\nC-3,3\nD-4,5\nE-5,4\n");
        let mut report = check(&r, &new, &Matcher::new(&r.models, None), &options()).unwrap();
        assert!(!report.text().contains("interval"));
        report.benchmarks[0].capabilities_interval =
            CheckInterval::new(0.95, IntervalMethod::Percentile, &estimate(false, 0));
        assert!(
            report.text().contains(", 95% interval [40.0%, 95.0%])"),
            "{}",
            report.text()
        );
        let json = &report.json()["benchmarks"][0]["capabilities_interval"];
        assert_eq!(
            serde_json::to_string(json).unwrap(),
            r#"{"level":0.95,"lower":0.4,"upper":0.95,"method":"percentile","fallback":false,"resamples_used":1000,"resamples_skipped":0,"resamples_skipped_share":0.0,"unstable":false}"#
        );
        assert!(!report.text().contains("percentile interval"));
    }

    #[test]
    fn the_interval_carries_the_marks_analyze_shows() {
        let r = reference();
        let new = new_scores("model,x\nA-1,1\nB-2,2\nC-3,3\nD-4,5\nE-5,4\n");
        let mut report = check(&r, &new, &Matcher::new(&r.models, None), &options()).unwrap();
        // BCa asked for and formed; 12 of 1000 resamples undefined.
        let formed = estimate(true, 12);
        report.benchmarks[0].capabilities_interval =
            CheckInterval::new(0.95, IntervalMethod::Bca, &formed);
        let text = report.text();
        assert!(
            text.contains("(n=5, 95% interval [41.0%, 96.0%]; 12/1000 resamples undefined)"),
            "{text}"
        );
        assert!(!text.contains("percentile interval"), "{text}");
        // BCa asked for but undefined: the percentile interval, marked as
        // analyze marks it, explained once; 336 of 1000 undefined: unstable.
        let fell = estimate(false, 336);
        report.benchmarks[0].capabilities_interval =
            CheckInterval::new(0.95, IntervalMethod::Bca, &fell);
        let text = report.text();
        assert!(
            text.contains(
                "(n=5, 95% interval [40.0%, 95.0%]*; unstable: 34% of resamples undefined, 336/1000)"
            ),
            "{text}"
        );
        assert!(
            text.ends_with(
                "\n\n* percentile interval: the bca interval could not be formed for 1 number (see docs/method.md)\n"
            ),
            "{text}"
        );
        let json = &report.json()["benchmarks"][0]["capabilities_interval"];
        assert_eq!(json["method"], "percentile");
        assert_eq!(json["fallback"], true);
        assert_eq!(json["unstable"], true);
        assert_eq!(json["resamples_skipped"], 336);
        assert_eq!(json["resamples_skipped_share"], 0.336);
    }

    #[test]
    fn a_bootstrap_that_falls_back_and_is_unstable_is_marked() {
        // Two matched models: the correlation is defined (|r| = 1), undefined
        // in every resample that misses either model (more than half of
        // them), and in the jackknife samples that leave one out, so BCa
        // cannot be formed and the percentile interval stands in.
        let r = reference();
        let new = new_scores("model,x\nA-1,1\nB-2,2\n");
        let with_bootstrap = CheckOptions {
            uncertainty: UncertaintyOptions {
                bootstrap: Some(crate::uncertainty::BootstrapOptions {
                    resamples: 200,
                    confidence: 0.9,
                    interval: IntervalMethod::Bca,
                    resampling: crate::uncertainty::Resampling::Models,
                }),
                ..UncertaintyOptions::default()
            },
            ..options()
        };
        let report = check(&r, &new, &Matcher::new(&r.models, None), &with_bootstrap).unwrap();
        let i = report.benchmarks[0].capabilities_interval.as_ref().unwrap();
        assert!(i.fell_back() && i.estimate.unstable(), "{i:?}");
        assert_eq!(i.method(), IntervalMethod::Percentile);
        assert_eq!(i.level, 0.9);
        let text = report.text();
        let share = i.estimate.skipped_share().unwrap();
        assert!(share > 0.5, "{share}");
        assert!(
            text.contains(&format!(
                "(n=2, 90% interval [{:.1}%, {:.1}%]*; unstable: {:.0}% of resamples undefined, {}/200)",
                i.interval.low * 100.0,
                i.interval.high * 100.0,
                share * 100.0,
                i.estimate.skipped
            )),
            "{text}"
        );
        assert!(
            text.contains(
                "* percentile interval: the bca interval could not be formed for 1 number"
            ),
            "{text}"
        );
        let json = &report.json()["benchmarks"][0]["capabilities_interval"];
        assert_eq!(
            (&json["fallback"], &json["unstable"]),
            (&true.into(), &true.into())
        );
    }

    #[test]
    fn verdict_thresholds() {
        let o = CheckOptions::default();
        let lines = Lines::new(0.4, 0.7);
        let band = |r: Option<f64>| judge(r, None, 10, &lines, &o).0.band;
        assert_eq!(band(Some(0.39)), Some(Band::Low));
        assert_eq!(band(Some(-0.5)), Some(Band::Moderate));
        assert_eq!(band(Some(0.7)), Some(Band::High));
        assert_eq!(band(None), None);
        let reason = |r: f64, n: usize, lines: &Lines| judge(Some(r), None, n, lines, &o).1;
        assert!(reason(0.1, 5, &lines).contains("only 5 models"));
        assert!(!reason(0.1, 20, &lines).contains("only"));
        assert!(reason(0.1, 20, &lines).contains("the paper's bound"));
        let given = CheckOptions {
            low_below: Some(0.3),
            high_at: HighLine::At(0.7),
            ..CheckOptions::default()
        };
        let (_, why) = judge(Some(0.5), None, 20, &Lines::new(0.3, 0.7), &given);
        assert!(why.contains("the given high bound"), "{why}");
        let (_, why) = judge(Some(0.1), None, 20, &Lines::new(0.3, 0.7), &given);
        assert!(why.contains("the given low bound"), "{why}");
        let (_, why) = judge(Some(0.8), None, 20, &lines, &o);
        assert!(why.contains("a composite fitted without it"), "{why}");
        let (v, _) = judge(
            Some(0.388),
            Some(Interval::new(0.007, 0.657)),
            26,
            &lines,
            &o,
        );
        assert_eq!(v.interval_bands, Some(vec![Band::Low, Band::Moderate]));
        assert_eq!(v.settled(), Some(false));
        let bad = CheckOptions {
            high_at: HighLine::At(0.2),
            ..CheckOptions::default()
        };
        assert!(check_thresholds(&bad).is_err());
        // Under Kendall the default low line is τ's (about 0.273): 0.3 is above it.
        let tau = CheckOptions {
            high_at: HighLine::At(0.3),
            analysis: AnalysisOptions {
                method: crate::stats::CorrelationMethod::Kendall,
                ..AnalysisOptions::default()
            },
            ..CheckOptions::default()
        };
        assert!(check_thresholds(&tau).is_ok());
        assert!(
            check_thresholds(&CheckOptions {
                high_at: HighLine::At(0.3),
                ..CheckOptions::default()
            })
            .is_err()
        );
    }

    #[test]
    fn percentile_and_neighbours() {
        let others = [("a", 0.1), ("b", 0.5), ("c", 0.9)];
        assert_eq!(percentile(0.6, &others), Some(200.0 / 3.0));
        assert_eq!(percentile(0.5, &others), Some(50.0));
        assert_eq!(neighbours(0.6, &others), vec!["b (50.0%)", "c (90.0%)"]);
        assert_eq!(percentile(0.6, &[]), None);
    }
}
