//! `safetywashing analyze`: the paper's analysis of one or more matrices.

use super::{analyze_all, emit, load_inputs};
use crate::cli::{AnalysisArgs, MatrixArgs};
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
  safetywashing analyze my_matrix.csv --info info.csv --format json
  safetywashing analyze obs.csv --meta-columns 'Model Family,Model Size (B)' \\
      --compute-column 'FLOPs (1E21)' --capabilities MMLU,ARC-C,HellaSwag")]
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
    #[arg(long, default_value = "text", value_parser = clap::value_parser!(Format))]
    pub format: Format,

    /// Write to FILE (atomically) instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// Run `analyze`.
pub fn run(args: AnalyzeArgs) -> Result<ExitCode> {
    let inputs = load_inputs(&args.matrices, &args.matrix)?;
    let analyses = analyze_all(&inputs, &args.analysis.options())?;
    emit(
        &args.format.exporter().export(&analyses),
        args.output.as_deref(),
    )?;
    Ok(ExitCode::SUCCESS)
}
