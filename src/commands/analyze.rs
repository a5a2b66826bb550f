//! `safetywashing analyze`: the paper's analysis of one or more matrices.

use super::{emit, load_inputs};
use crate::cli::MatrixArgs;
use anyhow::Result;
use clap::Args;
use safetywashing::analysis::{AnalysisOptions, PAPER_CAPABILITIES, analyze};
use safetywashing::output::Format;
use safetywashing::stats::CorrelationMethod;
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

    /// Capability benchmarks summarised into the capabilities score,
    /// comma-separated [default: the paper's 12].
    #[arg(long, value_name = "A,B,...", value_delimiter = ',')]
    pub capabilities: Option<Vec<String>>,

    /// Correlation method (Kendall is tau-b).
    #[arg(long, default_value = "spearman", value_parser = clap::value_parser!(CorrelationMethod))]
    pub method: CorrelationMethod,

    /// Output format: text, json, csv or markdown.
    #[arg(long, default_value = "text", value_parser = clap::value_parser!(Format))]
    pub format: Format,

    /// Write to FILE (atomically) instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

impl AnalyzeArgs {
    /// The checked analysis options.
    pub fn options(&self) -> AnalysisOptions {
        let capabilities = match &self.capabilities {
            Some(list) => list
                .iter()
                .map(|c| c.trim().to_string())
                .filter(|c| !c.is_empty())
                .collect(),
            None => PAPER_CAPABILITIES.iter().map(|s| s.to_string()).collect(),
        };
        AnalysisOptions {
            capabilities,
            method: self.method,
        }
    }
}

/// Run `analyze`.
pub fn run(args: AnalyzeArgs) -> Result<ExitCode> {
    let options = args.options();
    let inputs = load_inputs(&args.matrices, &args.matrix)?;
    let mut analyses = Vec::with_capacity(inputs.matrices.len());
    for m in &inputs.matrices {
        let a = analyze(m, &options, inputs.info.as_ref())?;
        for e in a.models_excluded() {
            eprintln!(
                "warning: {}: left out model '{}': no value for {}",
                a.matrix,
                e.model,
                e.missing.join(", ")
            );
        }
        analyses.push(a);
    }
    emit(
        &args.format.exporter().export(&analyses),
        args.output.as_deref(),
    )?;
    Ok(ExitCode::SUCCESS)
}
