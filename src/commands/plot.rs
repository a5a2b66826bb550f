//! `safetywashing plot`: one figure of the analysis, as SVG, PDF or PNG, at
//! a physical size.

use super::args::{AnalysisArgs, FigureUncertaintyArgs, MatrixArgs};
use super::paths::{Files, Use};
use super::{FigureAnalyses, Inputs, analyze_for_figures, load_inputs};
use anyhow::Result;
use clap::Args;
use safetywashing::plot::{
    FigureInput, FigureKind, FigureSize, HeatmapOrder, ImageFormat, Length, OverviewFilter, Panel,
    Preset, SizeError, SizeRequest, XAxis, render_figure, short_labels,
};
use safetywashing::stats::CorrelationMethod;
use safetywashing::uncertainty::default_lines;
use std::path::PathBuf;
use std::process::ExitCode;
use std::str::FromStr;

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
  compare    two matrices' correlations on their shared benchmarks (dumbbells)

With several matrices (the default: the paper's base and chat models), each
figure shows one panel per matrix, side by side (scree: one line each).

Examples:
  safetywashing plot overview -o overview.svg
  safetywashing plot overview --preset paper -o overview.pdf
  safetywashing plot compare --areas alignment,bias -o base-vs-chat.svg
  safetywashing plot heatmap --width 7in --font-size 8 --dpi 600 -o heatmap.png
  safetywashing plot heatmap --order clustered -o heatmap.svg
  safetywashing plot scatter --benchmark truthfulqa_mc1 -o truthfulqa.png
  safetywashing plot scatter --benchmark mmlu --x compute -o mmlu-compute.svg
  safetywashing plot scatter --benchmark truthfulqa_mc1 --ranks -o truthfulqa-ranks.svg
  safetywashing plot ranking base_llm_benchmark_eval.csv \\
      --meta-columns 'Model Family,Model Size (B),Pretraining Data Size (T)' \\
      --compute-column 'FLOPs (1E21)' --capabilities MMLU,ARC-C,HellaSwag -o ranking.png")]
pub struct PlotArgs {
    /// Figure: overview, scatter, ranking, scree, heatmap or compare.
    #[arg(value_name = "KIND", value_parser = clap::value_parser!(FigureKind))]
    pub kind: FigureKind,

    /// Benchmark matrices [default: the paper's base and chat matrices].
    #[arg(value_name = "MATRIX")]
    pub matrices: Vec<PathBuf>,

    #[command(flatten)]
    pub matrix: MatrixArgs,

    #[command(flatten)]
    pub analysis: AnalysisArgs,

    /// Output file; `.svg`, `.pdf` or `.png` chooses the format.
    #[arg(long, short, value_name = "FILE")]
    pub output: PathBuf,

    #[command(flatten)]
    pub scatter: ScatterArgs,

    #[command(flatten)]
    pub overview: OverviewArgs,

    /// Heatmap: the benchmarks' order, `given` (the capability list's) or
    /// `clustered` (average-linkage clustering on 1 − |r|, blocks together,
    /// one order for every panel) [default: given].
    #[arg(long, value_name = "ORDER", help_heading = "Heatmap",
          value_parser = clap::value_parser!(HeatmapOrder))]
    pub order: Option<HeatmapOrder>,

    #[command(flatten)]
    pub size: SizeArgs,

    /// The bootstrap and imputation; with --bootstrap, overview and scatter
    /// draw correlation intervals, ranking each model's score interval and
    /// scree each eigenvalue's (heatmap and compare refuse it: it would not
    /// change them).
    #[command(flatten)]
    pub uncertainty: Box<FigureUncertaintyArgs>,
}

/// What a scatter plot shows (refused for other figures).
#[derive(Debug, Args)]
#[command(next_help_heading = "Scatter")]
pub struct ScatterArgs {
    /// Benchmark on the scatter plot's y axis (column header).
    #[arg(long, value_name = "B")]
    pub benchmark: Option<String>,

    /// Scatter plot's x axis: `capabilities`, `compute` or a benchmark column
    /// [default: capabilities].
    #[arg(long = "x", value_name = "X")]
    pub x: Option<String>,

    /// Plot ranks instead of values on both axes (1 = lowest), so that
    /// under Spearman (the default) the least-squares line's slope is the
    /// printed ρ; not with --method pearson, whose r is of the values.
    #[arg(long)]
    pub ranks: bool,
}

impl ScatterArgs {
    /// The x axis asked for.
    fn x_axis(&self) -> XAxis {
        x_axis(self.x.as_deref().unwrap_or("capabilities"))
    }

    /// The first flag given, if any (they only change a scatter plot).
    fn given(&self) -> Option<&'static str> {
        [
            (self.benchmark.is_some(), "--benchmark"),
            (self.x.is_some(), "--x"),
            (self.ranks, "--ranks"),
        ]
        .into_iter()
        .find_map(|(given, flag)| given.then_some(flag))
    }
}

/// Physical size of the figure.
#[derive(Debug, Args)]
#[command(next_help_heading = "Size")]
pub struct SizeArgs {
    /// Size preset: `paper` (3.3 in single column, 7 pt text, no title,
    /// 300 dpi), `slide` (10 × 5.6 in, 16 pt) or `web` (CSS pixels, the default).
    #[arg(long, value_name = "NAME")]
    pub preset: Option<String>,

    /// Figure width with its unit: `3.3in`, `7in`, `180mm`, `1200px`.
    // Hyphen values reach the length parser, so `-3in` is refused as a
    // length instead of as an unknown flag '-3'.
    #[arg(long, value_name = "LENGTH", allow_hyphen_values = true)]
    pub width: Option<String>,

    /// Figure height with its unit [default: what the figure needs].
    #[arg(long, value_name = "LENGTH", allow_hyphen_values = true)]
    pub height: Option<String>,

    /// Size of tick labels and body text in points (titles are larger, row
    /// names slightly smaller; nothing goes below 6 pt).
    #[arg(long, value_name = "PT")]
    pub font_size: Option<f64>,

    /// PNG resolution in dots per inch [default: 300 for paper, 150 for
    /// slide, 96 for web].
    #[arg(long, value_name = "DPI")]
    pub dpi: Option<f64>,
}

impl SizeArgs {
    /// The size asked for, checked (values are parsed here, not by clap, so
    /// a bad one is one `error:` line naming its flag).
    pub fn resolve(&self) -> Result<FigureSize> {
        fn parsed<T: FromStr<Err = SizeError>>(
            flag: &str,
            value: &Option<String>,
        ) -> Result<Option<T>> {
            value
                .as_deref()
                .map(|v| v.parse::<T>().map_err(|e| anyhow::anyhow!("{flag}: {e}")))
                .transpose()
        }
        let size = SizeRequest {
            preset: parsed::<Preset>("--preset", &self.preset)?,
            width: parsed::<Length>("--width", &self.width)?,
            height: parsed::<Length>("--height", &self.height)?,
            font_pt: self.font_size,
            dpi: self.dpi,
            title: None,
        }
        .resolve()?;
        Ok(size)
    }
}

/// Which benchmarks `overview` and `compare` show (refused for other
/// figures, which they would not change).
#[derive(Debug, Args)]
#[command(next_help_heading = "Overview and compare")]
pub struct OverviewArgs {
    /// Overview/compare: only these safety areas (from --info's `area`
    /// column or the paper's suite), e.g. `alignment,bias`.
    #[arg(long, value_name = "A,B,...", value_delimiter = ',')]
    pub areas: Vec<String>,

    /// Overview/compare: only these benchmark columns.
    #[arg(long, value_name = "A,B,...", value_delimiter = ',')]
    pub benchmarks: Vec<String>,

    /// Overview/compare: only the N benchmarks with the highest capabilities
    /// correlation.
    #[arg(long, value_name = "N")]
    pub top: Option<usize>,

    /// Overview/compare: every column, sub-splits too [default: one headline
    /// benchmark per family, e.g. HarmBench GCG-T All for its categories].
    #[arg(long)]
    pub all: bool,
}

impl OverviewArgs {
    /// The filter, as the library takes it.
    pub fn filter(&self) -> OverviewFilter {
        OverviewFilter {
            areas: self.areas.clone(),
            benchmarks: self.benchmarks.clone(),
            top: self.top,
            all: self.all,
        }
    }

    /// The first flag given, if any (they only change overview and compare).
    fn given(&self) -> Option<&'static str> {
        [
            (!self.areas.is_empty(), "--areas"),
            (!self.benchmarks.is_empty(), "--benchmarks"),
            (self.top.is_some(), "--top"),
            (self.all, "--all"),
        ]
        .into_iter()
        .find_map(|(given, flag)| given.then_some(flag))
    }
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
    let size = args.size.resolve()?;
    if !matches!(args.kind, FigureKind::Overview | FigureKind::Compare)
        && let Some(flag) = args.overview.given()
    {
        anyhow::bail!(
            "{flag} selects the benchmarks of overview and compare; it does not change a {} figure",
            args.kind.name()
        );
    }
    if args.overview.top == Some(0) {
        anyhow::bail!("--top 0 leaves nothing to draw: give at least 1");
    }
    if args.kind != FigureKind::Scatter
        && let Some(flag) = args.scatter.given()
    {
        anyhow::bail!(
            "{flag} sets up the scatter plot; it does not change the {} figure",
            args.kind.name()
        );
    }
    if args.kind != FigureKind::Heatmap && args.order.is_some() {
        anyhow::bail!(
            "--order sets the heatmap's benchmark order; it does not change the {} figure",
            args.kind.name()
        );
    }
    if args.scatter.ranks && args.analysis.method == CorrelationMethod::Pearson {
        anyhow::bail!(
            "--ranks draws the ranks a rank correlation is computed from; \
             --method pearson correlates the values (leave out --ranks, or use spearman or kendall)"
        );
    }
    if args.kind == FigureKind::Scatter && args.scatter.benchmark.is_none() {
        anyhow::bail!("a scatter plot needs a benchmark: add --benchmark B (a column header)");
    }
    let options = args.uncertainty.validate(args.analysis.options())?;
    let bootstrap = options.uncertainty().bootstrap.is_some();
    if bootstrap && matches!(args.kind, FigureKind::Heatmap | FigureKind::Compare) {
        anyhow::bail!(
            "--bootstrap draws intervals in overview, scatter, ranking and scree; \
             a {} figure has none to draw",
            args.kind.name()
        );
    }
    Files::default()
        .with_all("MATRIX", &args.matrices, Use::Read)
        .with_paper_data(&args.matrices)
        .with("--info", args.matrix.info.as_deref(), Use::Read)
        .with("--output", Some(&args.output), Use::Write)
        .check()?;
    let inputs = load_inputs(&args.matrices, &args.matrix)?;
    if args.kind == FigureKind::Scatter && args.scatter.x_axis() == XAxis::Compute {
        say_nonpositive_compute(&inputs.matrices);
    }
    let drawn = analyze_for_figures(&inputs, &options)?;
    let figure = Figure {
        kind: args.kind,
        benchmark: args.scatter.benchmark.as_deref(),
        x: args.scatter.x_axis(),
        format,
        size,
        overview: args.overview.filter(),
        heatmap_order: args.order.unwrap_or_default(),
        scatter_ranks: args.scatter.ranks,
    };
    let bytes = figure.render(&inputs, &drawn)?;
    super::write_file_saying(&args.output, &bytes)?;
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
    /// SVG, PDF or PNG.
    pub format: ImageFormat,
    /// Physical size, checked.
    pub size: FigureSize,
    /// Which benchmarks an overview or compare figure shows.
    pub overview: OverviewFilter,
    /// The order of a heatmap's benchmarks.
    pub heatmap_order: HeatmapOrder,
    /// A scatter plot on rank scales.
    pub scatter_ranks: bool,
}

impl Figure<'_> {
    /// The image of the analyses of `inputs` (one panel per matrix), with
    /// the intervals of each one's bootstrap when it was run.
    pub fn render(self, inputs: &Inputs, drawn: &FigureAnalyses) -> Result<Vec<u8>> {
        let Figure {
            kind,
            benchmark,
            x,
            format,
            size,
            overview,
            heatmap_order,
            scatter_ranks,
        } = self;
        let sources: Vec<&str> = drawn.analyses.iter().map(|a| a.matrix.as_str()).collect();
        let labels = short_labels(&sources);
        let input = FigureInput {
            panels: drawn
                .analyses
                .iter()
                .zip(&labels)
                .zip(&drawn.intervals)
                .zip(&drawn.bootstraps)
                .zip(&inputs.matrices)
                .map(
                    |((((analysis, label), intervals), bootstrap), matrix)| Panel {
                        analysis,
                        label,
                        intervals: intervals.as_ref(),
                        bootstrap: bootstrap.as_ref(),
                        lines: default_lines(matrix, analysis),
                    },
                )
                .collect(),
            matrices: &inputs.matrices,
            info: inputs.info.as_ref(),
            benchmark,
            x,
            scatter_intervals: drawn
                .intervals
                .iter()
                .map(|i| i.as_ref()?.get(benchmark?).copied())
                .collect(),
            overview,
            heatmap_order,
            scatter_ranks,
        };
        Ok(render_figure(kind, &input, format, &size)?)
    }
}
