//! `safetywashing plot`: one figure of the analysis, as SVG or PNG.

use super::args::{AnalysisArgs, MatrixArgs, UncertaintyArgs};
use super::paths::{Files, Use};
use super::{Inputs, analyze_for_figures, load_inputs};
use anyhow::{Context, Result};
use clap::Args;
use safetywashing::analysis::Analysis;
use safetywashing::atomic::write_atomic;
use safetywashing::plot::{
    FigureInput, FigureKind, ImageFormat, Intervals, Panel, XAxis, render_figure, short_labels,
};
use std::path::PathBuf;
use std::process::ExitCode;

/// Flags of `plot`.
#[derive(Debug, Args)]
#[command(after_help = "\
Figures:
  overview   every non-capability benchmark's capabilities correlation, sorted
  scatter    one benchmark (--benchmark B) against the capabilities score
             (--x compute or --x OTHER_BENCHMARK for other x axes)
  ranking    models sorted by capabilities score
  scree      eigenvalues of the capability correlation matrix
  heatmap    the capability correlation matrix

With several matrices (the default: the paper's base and chat models), each
figure shows one panel per matrix, side by side (scree: one line each).

Examples:
  safetywashing plot overview -o overview.svg
  safetywashing plot scatter --benchmark truthfulqa_mc1 -o truthfulqa.png
  safetywashing plot scatter --benchmark mmlu --x compute -o mmlu-compute.svg
  safetywashing plot ranking obs.csv --meta-columns 'Model Family,Model Size (B)' \\
      --compute-column 'FLOPs (1E21)' --capabilities MMLU,ARC-C,HellaSwag -o ranking.png")]
pub struct PlotArgs {
    /// Figure: overview, scatter, ranking, scree or heatmap.
    #[arg(value_name = "KIND", value_parser = clap::value_parser!(FigureKind))]
    pub kind: FigureKind,

    /// Benchmark matrices [default: the paper's base and chat matrices].
    #[arg(value_name = "MATRIX")]
    pub matrices: Vec<PathBuf>,

    #[command(flatten)]
    pub matrix: MatrixArgs,

    #[command(flatten)]
    pub analysis: AnalysisArgs,

    /// Bootstrap and other extras; with --bootstrap, intervals are drawn.
    #[command(flatten)]
    pub uncertainty: Box<UncertaintyArgs>,

    /// Benchmark on the scatter plot's y axis (column header).
    #[arg(long, value_name = "B")]
    pub benchmark: Option<String>,

    /// Scatter plot's x axis: `capabilities`, `compute` or a benchmark column.
    #[arg(long = "x", value_name = "X", default_value = "capabilities")]
    pub x: String,

    /// Output file; `.svg` or `.png` chooses the format.
    #[arg(long, short, value_name = "FILE")]
    pub output: PathBuf,
}

/// The x axis named on the command line.
pub fn x_axis(x: &str) -> XAxis {
    match x {
        "capabilities" => XAxis::Capabilities,
        "compute" => XAxis::Compute,
        other => XAxis::Benchmark(other.to_string()),
    }
}

/// A log axis has no place for compute ≤ 0: say which models are left out.
fn say_nonpositive_compute(matrices: &[safetywashing::matrix::BenchmarkMatrix]) {
    for m in matrices {
        let Some(c) = &m.compute else { continue };
        let left: Vec<&str> = m
            .models
            .iter()
            .zip(&c.values)
            .filter(|(_, v)| **v <= 0.0)
            .map(|(name, _)| name.as_str())
            .collect();
        if !left.is_empty() {
            eprintln!(
                "note: {}: {} left out of the compute axis (log scale): {} ≤ 0 for {}",
                safetywashing::escape::control(&m.source),
                safetywashing::words::count(left.len(), "model", "models"),
                safetywashing::escape::control(&c.name),
                safetywashing::escape::control(&left.join(", "))
            );
        }
    }
}

/// Run `plot`.
pub fn run(args: PlotArgs) -> Result<ExitCode> {
    let format = ImageFormat::from_path(&args.output)?;
    if args.kind == FigureKind::Scatter && args.benchmark.is_none() {
        anyhow::bail!("a scatter plot needs a benchmark: add --benchmark B (a column header)");
    }
    let options = args.uncertainty.validate(args.analysis.options())?;
    Files::default()
        .with_all("MATRIX", &args.matrices, Use::Read)
        .with("--info", args.matrix.info.as_deref(), Use::Read)
        .with("--output", Some(&args.output), Use::Write)
        .check()?;
    let inputs = load_inputs(&args.matrices, &args.matrix)?;
    if args.kind == FigureKind::Scatter && x_axis(&args.x) == XAxis::Compute {
        say_nonpositive_compute(&inputs.matrices);
    }
    let (analyses, intervals) = analyze_for_figures(&inputs, &options)?;
    let figure = Figure {
        kind: args.kind,
        benchmark: args.benchmark.as_deref(),
        x: x_axis(&args.x),
        format,
    };
    let bytes = figure.render(&inputs, &analyses, &intervals)?;
    write_atomic(&args.output, &bytes)
        .with_context(|| format!("writing {}", args.output.display()))?;
    Ok(ExitCode::SUCCESS)
}

/// What to draw: a figure kind, its benchmark and x axis, and the image
/// format. The CLI's `plot` and the Python package's `plot` both draw
/// through [`Figure::render`].
pub struct Figure<'a> {
    /// Which figure.
    pub kind: FigureKind,
    /// Benchmark on a scatter plot's y axis.
    pub benchmark: Option<&'a str>,
    /// A scatter plot's x axis.
    pub x: XAxis,
    /// SVG or PNG.
    pub format: ImageFormat,
}

impl Figure<'_> {
    /// The image of the analyses of `inputs` (one panel per matrix), with
    /// each one's capabilities-correlation intervals when bootstrapped.
    pub fn render(
        self,
        inputs: &Inputs,
        analyses: &[Analysis],
        intervals: &[Option<Intervals>],
    ) -> Result<Vec<u8>> {
        let Figure {
            kind,
            benchmark,
            x,
            format,
        } = self;
        let sources: Vec<&str> = analyses.iter().map(|a| a.matrix.as_str()).collect();
        let labels = short_labels(&sources);
        let input = FigureInput {
            panels: analyses
                .iter()
                .zip(&labels)
                .zip(intervals)
                .map(|((analysis, label), intervals)| Panel {
                    analysis,
                    label,
                    intervals: intervals.as_ref(),
                })
                .collect(),
            matrices: &inputs.matrices,
            info: inputs.info.as_ref(),
            benchmark,
            x,
            scatter_intervals: intervals
                .iter()
                .map(|i| i.as_ref()?.get(benchmark?).copied())
                .collect(),
        };
        Ok(render_figure(kind, &input, format)?)
    }
}
