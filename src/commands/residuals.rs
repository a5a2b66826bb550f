//! `safetywashing residuals`: safety beyond capabilities — regress one
//! benchmark on the capabilities score and rank models by residual.

use super::args::{AnalysisArgs, ComputeArgs, ExcelSafeArgs, LayoutArgs, WidthArgs, formats};
use super::paths::{Files, Use};
use super::{emit_table, load_matrices, matrix_paths};
use anyhow::Result;
use clap::Args;
use safetywashing::output::{Format, write_residuals};
use safetywashing::uncertainty::residuals;
use std::path::PathBuf;
use std::process::ExitCode;

/// Flags of `residuals`.
#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  safetywashing residuals --benchmark truthfulqa_mc1      # the paper's base and chat matrices
  safetywashing residuals benchmarks_chat_models.csv --benchmark truthfulqa_mc1 --format csv \\
      -o residuals.csv
  safetywashing residuals benchmarks_base_models.csv --benchmark truthfulqa_mc1 --method pearson
      # OLS of z-scores on the score

A model with a positive residual is safer on the benchmark than its capabilities
predict. With Spearman (the default) the regression is on standardised ranks.")]
pub struct ResidualsArgs {
    /// Benchmark matrices [default: the paper's base and chat matrices].
    #[arg(value_name = "MATRIX")]
    pub matrices: Vec<PathBuf>,

    /// The benchmark to regress on the capabilities score.
    #[arg(long, short, value_name = "B")]
    pub benchmark: String,

    /// How to read the matrices.
    #[command(flatten)]
    pub layout: LayoutArgs,

    /// The compute column (its correlation with the capabilities score).
    #[command(flatten)]
    pub compute: ComputeArgs,

    /// Capability benchmarks and correlation method: spearman (rank
    /// regression), pearson or kendall (OLS of z-scores on the score).
    #[command(flatten)]
    pub analysis: AnalysisArgs,

    /// Confidence level of the slope's interval.
    #[arg(long, value_name = "LEVEL", default_value_t = 0.95)]
    pub confidence: f64,

    /// Output format: text, json, csv or markdown.
    #[arg(long, default_value = "text", value_parser = formats(&Format::ALL))]
    pub format: Format,

    #[command(flatten)]
    pub excel: ExcelSafeArgs,

    #[command(flatten)]
    pub width: WidthArgs,

    /// Write to FILE (atomically) instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// Run `residuals`.
pub fn run(args: ResidualsArgs) -> Result<ExitCode> {
    args.width.apply();
    let options = args.analysis.options();
    Files::default()
        .with_all("MATRIX", &args.matrices, Use::Read)
        .with_paper_data(&args.matrices)
        .with("--output", args.output.as_deref(), Use::Write)
        .check()?;
    let (paths, _) = matrix_paths(&args.matrices)?;
    let matrices = load_matrices(&paths, &args.compute.format(&args.layout))?;
    let results = matrices
        .iter()
        .map(|m| residuals(m, &options, &args.benchmark, args.confidence))
        .collect::<Result<Vec<_>, _>>()?;
    emit_table(
        args.output.as_deref(),
        args.format,
        args.excel.excel_safe,
        |out| write_residuals(args.format, &results, out),
    )?;
    Ok(ExitCode::SUCCESS)
}
