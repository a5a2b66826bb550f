//! One-file reports of an analysis: the question, the summary numbers, all
//! five figures, a table of every benchmark and how it was computed.
//!
//! [`Report`] gathers everything once (rows, verdicts, models left out,
//! figures as SVG); [`html`] and [`markdown`] only lay it out. HTML is
//! self-contained (inline SVG, CSS and a small sort-and-filter script; no
//! network requests) and reads fully with scripts off; Markdown links the
//! figures, written as SVG files beside it.

pub mod html;
pub mod markdown;

use crate::analysis::{Analysis, BenchmarkResult, Role};
use crate::capabilities::ExcludedModel;
use crate::interval::Interval;
use crate::load::InfoTable;
use crate::matrix::BenchmarkMatrix;
use crate::plot::{
    FigureInput, FigureKind, FigureSize, ImageFormat, Intervals, OverviewFilter, Panel, PlotError,
    XAxis, area_of, render_figure, short_labels,
};
use crate::uncertainty::{BootstrapEstimate, BootstrapReport, default_lines};
use crate::verdict::{Band, Lines, Verdict as Judged};

/// The question the tool answers, in two sentences.
pub const QUESTION: &str = "Does a safety benchmark measure safety, or mostly how capable a model \
is? Following Ren et al. (2024), “Safetywashing”, each benchmark is correlated across models with \
a capabilities score (the first principal component of capability benchmarks): a high correlation \
means the benchmark's progress may be capability progress under another name.";

/// Where the numbers came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Provenance {
    /// The exact command line, shell-quoted.
    pub command: String,
    /// Tool name and version, e.g. `safetywashing 0.1.0`.
    pub tool: String,
    /// Input files with their SHA-256.
    pub inputs: Vec<(String, String)>,
}

/// What a benchmark's capabilities correlation says, in one word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Part of the capabilities score itself.
    Capability,
    /// |r| at least the high line (the mean leave-one-out capabilities
    /// correlation of the capability benchmarks): tracks capabilities as
    /// closely as a capability benchmark tracks a composite of the others.
    High,
    /// |r| at least the low line (the paper's 40%) but below the high line.
    Moderate,
    /// |r| below the low line.
    Low,
    /// No correlation (too few models or a constant column).
    Undefined,
}

impl Verdict {
    /// Judge a benchmark by `lines` ([`default_lines`]): the one rule of
    /// [`crate::verdict`] (bands by |r|), with capability benchmarks named
    /// as such.
    pub fn of(result: &BenchmarkResult, lines: &Lines) -> Verdict {
        if result.role == Role::Capability {
            return Verdict::Capability;
        }
        match Judged::judge(result.capabilities_correlation, None, lines).band {
            None => Verdict::Undefined,
            Some(Band::High) => Verdict::High,
            Some(Band::Moderate) => Verdict::Moderate,
            Some(Band::Low) => Verdict::Low,
        }
    }

    /// The word shown in tables.
    pub fn word(self) -> &'static str {
        match self {
            Verdict::Capability => "capability",
            Verdict::High => "high",
            Verdict::Moderate => "moderate",
            Verdict::Low => "low",
            Verdict::Undefined => "–",
        }
    }

    /// What the word means, for the report's legend.
    pub fn meaning(self) -> &'static str {
        match self {
            Verdict::Capability => "one of the capability benchmarks the score is built from",
            Verdict::High => {
                "|r| at least the mean correlation of each capability benchmark with a composite \
                 fitted without it: tracks capabilities as closely as a capability benchmark \
                 tracks the others"
            }
            Verdict::Moderate => "|r| at or above the low line, below the high line",
            Verdict::Low => {
                "|r| below the low line (the paper calls below 40% \"low\"; for Kendall's τ \
                 its equivalent, 27.3%)"
            }
            Verdict::Undefined => "no correlation (too few models, or a constant column)",
        }
    }

    /// Every verdict, in legend order.
    pub const ALL: [Verdict; 5] = [
        Verdict::High,
        Verdict::Moderate,
        Verdict::Low,
        Verdict::Capability,
        Verdict::Undefined,
    ];
}

/// One row of a benchmark table.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// Benchmark id.
    pub benchmark: String,
    /// Display name.
    pub name: String,
    /// Metric from the info table (empty when unknown).
    pub metric: String,
    /// Safety area (the info table's `area` column, else the paper's
    /// manifest, else "other").
    pub area: String,
    /// Models in the capabilities correlation.
    pub n: usize,
    /// Capabilities correlation.
    pub capabilities: Option<f64>,
    /// Its interval, when computed.
    pub interval: Option<Interval>,
    /// Compute correlation.
    pub compute: Option<f64>,
    /// Models in the compute correlation.
    pub compute_n: usize,
    /// The verdict word.
    pub verdict: Verdict,
}

/// A column of the benchmark table (HTML and Markdown alike): its label
/// and whether it holds numbers.
pub struct Column {
    /// The header text.
    pub label: &'static str,
    /// Numbers (sorted as numbers, aligned right).
    pub numeric: bool,
}

/// The columns every benchmark has once.
pub const BENCHMARK_COLUMNS: [Column; 3] = [
    Column {
        label: "benchmark",
        numeric: false,
    },
    Column {
        label: "area",
        numeric: false,
    },
    Column {
        label: "metric",
        numeric: false,
    },
];

/// The columns repeated for each matrix.
pub const MATRIX_COLUMNS: [Column; 4] = [
    Column {
        label: "n",
        numeric: true,
    },
    Column {
        label: "capabilities corr.",
        numeric: true,
    },
    Column {
        label: "compute corr.",
        numeric: true,
    },
    Column {
        label: "verdict",
        numeric: true,
    },
];

/// One benchmark across the matrices: its row in each (`None` where a
/// matrix lacks it).
pub struct Combined<'a> {
    /// Its row in the first matrix that has it (name, area, metric).
    pub first: &'a Row,
    /// Its row in each matrix, in matrix order.
    pub cells: Vec<Option<&'a Row>>,
}

/// Every benchmark of any matrix, once: in the first matrix's order
/// (highest capabilities correlation first), then those only later
/// matrices have, in their order.
pub fn combined(report: &Report) -> Vec<Combined<'_>> {
    let mut out: Vec<Combined> = Vec::new();
    let mut index: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    let n = report.sections.len();
    for (m, s) in report.sections.iter().enumerate() {
        for r in &s.rows {
            let i = *index.entry(r.benchmark.as_str()).or_insert_with(|| {
                out.push(Combined {
                    first: r,
                    cells: vec![None; n],
                });
                out.len() - 1
            });
            out[i].cells[m] = Some(r);
        }
    }
    out
}

impl Row {
    /// The texts of this row's [`MATRIX_COLUMNS`], in their order: n, the
    /// capabilities correlation (with its interval when computed; `–`
    /// when undefined), the compute correlation and the verdict word.
    pub fn matrix_texts(&self) -> [String; 4] {
        let cap = self.capabilities.map_or_else(
            || "–".to_string(),
            |v| crate::plot::style::pct_with_interval(v, self.interval),
        );
        [
            self.n.to_string(),
            cap,
            crate::output::percent(self.compute),
            self.verdict.word().to_string(),
        ]
    }
}

/// Everything about one analysed matrix that the report shows.
#[derive(Debug, Clone)]
pub struct MatrixSection {
    /// Short name (`base`, `chat`, or the file stem).
    pub label: String,
    /// Matrix file name (no directories: a shared report carries no local
    /// paths).
    pub source: String,
    /// Key numbers as (label, value) pairs.
    pub summary: Vec<(String, String)>,
    /// Every benchmark, highest capabilities correlation first.
    pub rows: Vec<Row>,
    /// Models left out of the capabilities score (a capability benchmark
    /// without a value), in file order.
    pub excluded: Vec<ExcludedModel>,
    /// The verdict lines the rows were judged by.
    pub lines: Lines,
}

/// A figure rendered as SVG with its caption.
#[derive(Debug, Clone)]
pub struct RenderedFigure {
    /// Which figure.
    pub kind: FigureKind,
    /// What it shows.
    pub caption: String,
    /// The SVG document.
    pub svg: String,
}

/// A complete report, ready to lay out.
#[derive(Debug, Clone)]
pub struct Report {
    /// The finding in numbers, one sentence per matrix (see [`finding`]).
    pub finding: Vec<String>,
    /// One section per matrix.
    pub sections: Vec<MatrixSection>,
    /// The five figures.
    pub figures: Vec<RenderedFigure>,
    /// Correlation method, as a word.
    pub method: String,
    /// Capability benchmarks of the score.
    pub capabilities: Vec<String>,
    /// Command, version, inputs.
    pub provenance: Provenance,
}

/// What a report is built from.
pub struct ReportInput<'a> {
    /// Analyses, one per matrix.
    pub analyses: &'a [Analysis],
    /// The matrices analysed (same order).
    pub matrices: &'a [BenchmarkMatrix],
    /// Info table for names and metrics.
    pub info: Option<&'a InfoTable>,
    /// Intervals of capabilities correlations per analysis, when computed.
    pub intervals: Vec<Option<&'a Intervals>>,
    /// The bootstrap of each analysis, when one was run: intervals of the
    /// summary numbers, and the note of how intervals were computed.
    pub bootstrap: Vec<Option<&'a BootstrapReport>>,
    /// Benchmark for the scatter plot; `None` picks one (see
    /// [`scatter_benchmark`]).
    pub scatter_benchmark: Option<String>,
    /// Command line and inputs.
    pub provenance: Provenance,
}

/// The benchmark table of one analysis, judged by `lines`, highest
/// capabilities correlation first (undefined last, ties in file order).
pub fn rows(
    analysis: &Analysis,
    info: Option<&InfoTable>,
    intervals: Option<&Intervals>,
    lines: &Lines,
) -> Vec<Row> {
    let mut rows: Vec<Row> = analysis
        .benchmarks
        .iter()
        .map(|b| Row {
            benchmark: b.benchmark.clone(),
            name: b.name.clone(),
            metric: info
                .and_then(|i| i.get(&b.benchmark))
                .map(|e| e.metric.clone())
                .unwrap_or_default(),
            area: area_of(&b.benchmark, info),
            n: b.n,
            capabilities: b.capabilities_correlation,
            interval: intervals.and_then(|i| i.get(&b.benchmark).copied()),
            compute: b.compute_correlation,
            compute_n: b.compute_n,
            verdict: Verdict::of(b, lines),
        })
        .collect();
    rows.sort_by(|a, b| match (a.capabilities, b.capabilities) {
        (Some(x), Some(y)) => y.total_cmp(&x),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => std::cmp::Ordering::Equal,
    });
    rows
}

/// The scatter plot's default benchmark: the non-capability benchmark most
/// correlated with capabilities in the first matrix, among those every
/// matrix has a correlation for.
pub fn scatter_benchmark(analyses: &[Analysis]) -> Option<String> {
    let first = analyses.first()?;
    let in_all = |id: &str| {
        analyses.iter().all(|a| {
            a.benchmarks
                .iter()
                .any(|b| b.benchmark == id && b.capabilities_correlation.is_some())
        })
    };
    first
        .benchmarks
        .iter()
        .filter(|b| b.role == Role::Safety && in_all(&b.benchmark))
        .filter_map(|b| b.capabilities_correlation.map(|r| (r, b)))
        .max_by(|x, y| x.0.total_cmp(&y.0))
        .map(|(_, b)| b.benchmark.clone())
}

/// A percentage with its bootstrap interval when there is one.
fn pct_in(
    value: Option<f64>,
    estimate: Option<&BootstrapEstimate>,
    boot: Option<&BootstrapReport>,
) -> String {
    let interval = boot
        .zip(estimate)
        .and_then(|(b, e)| e.interval(b.interval))
        .map(|(i, _)| i);
    match value {
        Some(v) => crate::plot::style::pct_with_interval(v, interval),
        None => crate::output::percent(None),
    }
}

fn summary(a: &Analysis, boot: Option<&BootstrapReport>, lines: &Lines) -> Vec<(String, String)> {
    let fit = &a.fit;
    let safety: Vec<&BenchmarkResult> = a
        .benchmarks
        .iter()
        .filter(|b| b.role == Role::Safety)
        .collect();
    let count = |v: Verdict| safety.iter().filter(|b| Verdict::of(b, lines) == v).count();
    let mut out = vec![
        (
            "Models in the capabilities score".to_string(),
            format!("{} ({} left out)", fit.rows.len(), fit.excluded.len()),
        ),
        (
            "Capability benchmarks".into(),
            fit.benchmarks.len().to_string(),
        ),
        (
            "PC1 share of capability variance".into(),
            pct_in(
                Some(fit.pc1_variance_explained()),
                boot.map(|b| &b.pc1_variance_explained),
                boot,
            ),
        ),
        (
            "Mean correlation among capability benchmarks".into(),
            pct_in(
                Some(fit.correlation_mean),
                boot.map(|b| &b.capability_correlation_mean),
                boot,
            ),
        ),
        (
            "“High” line: mean leave-one-out capabilities correlation".into(),
            crate::output::percent(Some(lines.high)),
        ),
        (
            "Capabilities score vs compute".into(),
            match &a.compute_column {
                Some(_) => format!(
                    "{} (n = {})",
                    pct_in(
                        a.capabilities_score_compute_correlation,
                        boot.map(|b| &b.score_compute),
                        boot
                    ),
                    a.score_compute_n
                ),
                None => "no compute column".into(),
            },
        ),
        ("Other benchmarks".into(), safety.len().to_string()),
    ];
    for v in [Verdict::High, Verdict::Moderate, Verdict::Low] {
        out.push((format!("… of which “{}”", v.word()), count(v).to_string()));
    }
    if let Some(b) = boot {
        out.push(("Intervals".into(), b.interval_note()));
    }
    out
}

/// Caption of each figure.
fn caption(kind: FigureKind, scatter: Option<&str>) -> String {
    match kind {
        FigureKind::Overview => "Capabilities correlation of every benchmark outside the \
            capabilities score, grouped and coloured by safety area (sub-splits folded into \
            their headline benchmark), sorted within each area. Bars right of the dotted line \
            track capabilities as closely as a capability benchmark tracks a composite of \
            the others (the mean leave-one-out capabilities correlation); the dashed lines are \
            the paper's ±40% (in τ for Kendall)."
            .into(),
        FigureKind::Compare => "The two matrices' capabilities correlations on the \
            benchmarks they share."
            .into(),
        FigureKind::Scatter => format!(
            "{} against the capabilities score, with the least-squares line and its 95% \
             confidence band (the most capabilities-correlated benchmark outside the score).",
            scatter.unwrap_or("The benchmark")
        ),
        FigureKind::Ranking => "Models ordered by capabilities score.".into(),
        FigureKind::Scree => "Eigenvalues of the capability correlation matrix: one dominant \
            component is what makes a single capabilities score meaningful."
            .into(),
        FigureKind::Heatmap => "Correlations (%) among the capability benchmarks.".into(),
    }
}

/// The finding of one matrix in a sentence: how many safety benchmarks sit
/// at or above the "high" line, the strongest of them, and how many fall
/// as capabilities rise.
pub fn finding(section: &MatrixSection) -> String {
    let safety: Vec<&Row> = section
        .rows
        .iter()
        .filter(|r| !matches!(r.verdict, Verdict::Capability | Verdict::Undefined))
        .collect();
    let of = |v: Verdict| safety.iter().filter(|r| r.verdict == v).count();
    let high: Vec<&&Row> = safety
        .iter()
        .filter(|r| r.verdict == Verdict::High)
        .collect();
    let strongest: Vec<String> = high
        .iter()
        .take(3)
        .map(|r| {
            format!(
                "{} {}",
                r.name,
                crate::plot::style::pct(r.capabilities.unwrap_or(0.0))
            )
        })
        .collect();
    let mut out = format!(
        "{}: {} of {} track capabilities as closely as a capability benchmark tracks a \
         composite of the others",
        section.label,
        high.len(),
        crate::words::count(safety.len(), "safety benchmark", "safety benchmarks"),
    );
    if !strongest.is_empty() {
        out.push_str(&format!(" (strongest: {})", strongest.join(", ")));
    }
    // Bands are by |r|: a benchmark that falls as capabilities rise is as
    // entangled with them; the sentence says how many do.
    let falling = safety
        .iter()
        .filter(|r| matches!(r.verdict, Verdict::High | Verdict::Moderate))
        .filter(|r| r.capabilities.is_some_and(|c| c < 0.0))
        .count();
    out.push_str(&format!(
        "; {} more have |r| of {} or above; {falling} of these fall as capabilities rise.",
        of(Verdict::Moderate),
        crate::plot::style::pct(section.lines.low),
    ));
    out
}

impl Report {
    /// Gather the report: rows, summaries and all five figures.
    pub fn build(input: &ReportInput) -> Result<Report, PlotError> {
        let sources: Vec<&str> = input.analyses.iter().map(|a| a.matrix.as_str()).collect();
        let lines: Vec<Lines> = input
            .analyses
            .iter()
            .zip(input.matrices)
            .map(|(a, m)| default_lines(m, a))
            .collect();
        let labels = short_labels(&sources);
        let interval = |i: usize| input.intervals.get(i).copied().flatten();
        let bootstrap = |i: usize| input.bootstrap.get(i).copied().flatten();
        let sections: Vec<MatrixSection> = input
            .analyses
            .iter()
            .zip(&labels)
            .enumerate()
            .map(|(i, (a, label))| MatrixSection {
                label: label.clone(),
                source: a
                    .matrix
                    .rsplit(['/', '\\'])
                    .next()
                    .unwrap_or(&a.matrix)
                    .to_string(),
                summary: summary(a, bootstrap(i), &lines[i]),
                rows: rows(a, input.info, interval(i), &lines[i]),
                excluded: a.fit.excluded.clone(),
                lines: lines[i],
            })
            .collect();
        let scatter = input
            .scatter_benchmark
            .clone()
            .or_else(|| scatter_benchmark(input.analyses));
        let scatter_name = scatter.as_deref().map(|id| {
            input
                .analyses
                .first()
                .and_then(|a| a.benchmarks.iter().find(|b| b.benchmark == id))
                .map_or(id, |b| b.name.as_str())
        });
        let figure_input = FigureInput {
            panels: input
                .analyses
                .iter()
                .zip(&labels)
                .enumerate()
                .map(|(i, (analysis, label))| Panel {
                    analysis,
                    label,
                    intervals: interval(i),
                    bootstrap: bootstrap(i),
                    lines: lines[i],
                })
                .collect(),
            matrices: input.matrices,
            info: input.info,
            benchmark: scatter.as_deref(),
            x: XAxis::Capabilities,
            scatter_intervals: input
                .analyses
                .iter()
                .enumerate()
                .map(|(i, _)| {
                    let id = scatter.as_deref()?;
                    interval(i)?.get(id).copied()
                })
                .collect(),
            overview: OverviewFilter::default(),
            heatmap_order: Default::default(),
            scatter_ranks: false,
        };
        let mut figures = Vec::new();
        for kind in FigureKind::ALL {
            if kind == FigureKind::Scatter && scatter.is_none() {
                continue; // no benchmark outside the score to show
            }
            let svg = render_figure(
                kind,
                &figure_input,
                ImageFormat::Svg,
                &FigureSize::default(),
            )?;
            figures.push(RenderedFigure {
                kind,
                caption: caption(kind, scatter_name),
                svg: String::from_utf8_lossy(&svg).into_owned(),
            });
        }
        let first = input.analyses.first();
        Ok(Report {
            finding: sections.iter().map(finding).collect(),
            sections,
            figures,
            method: first.map_or_else(String::new, |a| a.method.to_string()),
            capabilities: first.map_or_else(Vec::new, |a| a.fit.benchmarks.clone()),
            provenance: input.provenance.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A one-matrix report with one benchmark named `name`, markup in its
    /// id, metric, left-out model and input file.
    pub(in crate::report) fn report_named(name: &str) -> Report {
        Report {
            finding: vec![format!("m: 1 of 1 safety benchmark ({name})")],
            sections: vec![MatrixSection {
                label: "m".into(),
                source: "m.csv".into(),
                summary: vec![("Other benchmarks".into(), "1".into())],
                rows: vec![Row {
                    benchmark: "b\"1".into(),
                    name: name.into(),
                    metric: "<metric>".into(),
                    area: "honesty".into(),
                    n: 12,
                    capabilities: Some(0.5),
                    interval: None,
                    compute: None,
                    compute_n: 0,
                    verdict: Verdict::Moderate,
                }],
                excluded: vec![crate::capabilities::ExcludedModel {
                    model: "m<1>".into(),
                    missing: vec!["cap".into()],
                }],
                lines: crate::verdict::Lines::new(0.4, 0.7),
            }],
            figures: Vec::new(),
            method: "spearman".into(),
            capabilities: vec!["cap".into()],
            provenance: Provenance {
                command: "safetywashing report 'x&y.csv'".into(),
                tool: "safetywashing 0".into(),
                inputs: vec![("x&y.csv".into(), "00".into())],
            },
        }
    }

    /// [`report_named`]`("B")` with a second matrix, `chat`, that has B
    /// (at −80%) and a benchmark C the first lacks.
    pub(in crate::report) fn side_by_side() -> Report {
        let mut report = report_named("B");
        let mut chat = report.sections[0].clone();
        chat.label = "chat".into();
        chat.source = "chat.csv".into();
        chat.rows[0].capabilities = Some(-0.8);
        chat.rows[0].verdict = Verdict::High;
        let mut only_chat = chat.rows[0].clone();
        only_chat.benchmark = "c".into();
        only_chat.name = "C".into();
        chat.rows.push(only_chat);
        report.sections.push(chat);
        report
    }

    fn result(role: Role, r: Option<f64>) -> BenchmarkResult {
        BenchmarkResult {
            benchmark: "b".into(),
            name: "B".into(),
            role,
            n: 10,
            capabilities_correlation: r,
            compute_n: 0,
            compute_correlation: None,
        }
    }

    #[test]
    fn the_finding_counts_high_and_negative_benchmarks_and_names_the_strongest() {
        let row = |name: &str, r: f64, verdict: Verdict| Row {
            benchmark: name.to_lowercase(),
            name: name.into(),
            metric: String::new(),
            area: "other".into(),
            n: 10,
            capabilities: Some(r),
            interval: None,
            compute: None,
            compute_n: 0,
            verdict,
        };
        let section = MatrixSection {
            label: "chat".into(),
            source: "chat.csv".into(),
            summary: Vec::new(),
            rows: vec![
                row("MT Bench", 0.95, Verdict::High),
                row("TruthfulQA", 0.81, Verdict::High),
                row("MMLU", 0.9, Verdict::Capability),
                row("ETHICS", 0.5, Verdict::Moderate),
                row("BBQ", 0.1, Verdict::Low),
                row("WMDP", -0.6, Verdict::Moderate),
            ],
            excluded: Vec::new(),
            lines: Lines::new(0.4, 0.7),
        };
        assert_eq!(
            finding(&section),
            "chat: 2 of 5 safety benchmarks track capabilities as closely as a capability \
             benchmark tracks a composite of the others (strongest: MT Bench 95.0%, TruthfulQA \
             81.0%); 2 more have |r| of 40.0% or above; 1 of these fall as capabilities rise."
        );
    }

    #[test]
    fn verdict_words_follow_the_paper_bounds() {
        let lines = Lines::new(0.4, 0.7);
        let v = |r| Verdict::of(&result(Role::Safety, Some(r)), &lines);
        assert_eq!(v(0.8), Verdict::High);
        assert_eq!(v(0.7), Verdict::High);
        assert_eq!(v(0.5), Verdict::Moderate);
        assert_eq!(v(0.4), Verdict::Moderate);
        assert_eq!(v(0.39), Verdict::Low);
        assert_eq!(v(-0.39), Verdict::Low);
        // Bands by |r|: a strong negative correlation is as entangled.
        assert_eq!(v(-0.4), Verdict::Moderate);
        assert_eq!(v(-0.8), Verdict::High);
        assert_eq!(
            Verdict::of(&result(Role::Safety, None), &lines),
            Verdict::Undefined
        );
        assert_eq!(
            Verdict::of(&result(Role::Capability, Some(0.9)), &lines),
            Verdict::Capability
        );
    }
}
