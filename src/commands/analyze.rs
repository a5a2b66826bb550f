//! `safetywashing analyze`: the paper's analysis of one or more matrices.

use super::args::{AnalysisArgs, ExcelSafeArgs, MatrixArgs, UncertaintyArgs, WidthArgs, formats};
use super::paths::{Files, Use};
use super::{analyze_all, emit_table, load_inputs};
use anyhow::Result;
use clap::Args;
use safetywashing::output::Format;
use std::path::PathBuf;
use std::process::ExitCode;

/// Flags of `analyze`.
#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  safetywashing analyze                      # the paper's base and chat matrices
  safetywashing analyze benchmarks_chat_models.csv --info benchmarks_info.csv --format json
  safetywashing analyze base_llm_benchmark_eval.csv \\
      --meta-columns 'Model Family,Model Size (B),Pretraining Data Size (T)' \\
      --compute-column 'FLOPs (1E21)' --capabilities MMLU,ARC-C,HellaSwag

Uncertainty and robustness (nothing changes unless asked):
  safetywashing analyze benchmarks_chat_models.csv --bootstrap 1000 --seed 7
      # 95% BCa intervals; truthfulqa_mc1 → 81.2% [58.6, 92.9] n=26
  safetywashing analyze --bootstrap 2000 --cluster-by-prefix --interval percentile
      # resample model families (percentile: BCa under-covers with clusters)
  safetywashing analyze --permutations 10000            # p-values and BH q-values
  safetywashing analyze --sensitivity                   # other composites, leave-one-out
  safetywashing analyze base_llm_benchmark_eval.csv --impute pca \\
      --meta-columns 'Model Family,Model Size (B),Pretraining Data Size (T)' \\
      --compute-column 'FLOPs (1E21)' --capabilities MMLU,ARC-C,HellaSwag
      # models missing a capability are scored → 3 cells filled")]
pub struct AnalyzeArgs {
    /// Benchmark matrices (wide CSV: one row per model) [default: the paper's
    /// base and chat matrices, downloaded on first use].
    #[arg(value_name = "MATRIX")]
    pub matrices: Vec<PathBuf>,

    #[command(flatten)]
    pub matrix: MatrixArgs,

    #[command(flatten)]
    pub analysis: AnalysisArgs,

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

    #[command(flatten)]
    pub uncertainty: Box<UncertaintyArgs>,
}

/// Run `analyze`.
pub fn run(args: AnalyzeArgs) -> Result<ExitCode> {
    args.width.apply();
    let options = args.uncertainty.validate(args.analysis.options())?;
    Files::default()
        .with_all("MATRIX", &args.matrices, Use::Read)
        .with_paper_data(&args.matrices)
        .with("--info", args.matrix.info.as_deref(), Use::Read)
        .with("--output", args.output.as_deref(), Use::Write)
        .check()?;
    let inputs = load_inputs(&args.matrices, &args.matrix)?;
    let analyses = analyze_all(&inputs, &options)?;
    let exporter = args.format.exporter();
    emit_table(
        args.output.as_deref(),
        args.format,
        args.excel.excel_safe,
        |out| exporter.export(&analyses, out),
    )?;
    Ok(ExitCode::SUCCESS)
}
