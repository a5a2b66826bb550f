//! Raw command-line flags (clap derive). Nothing here is validated beyond
//! what clap parses; `commands` turns these into checked library options.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

use crate::commands;

/// Does a safety benchmark measure safety, or just capabilities?
///
/// Reproduces the capabilities-correlation analysis of Ren et al. (2024),
/// "Safetywashing: Do AI Safety Benchmarks Actually Measure Safety Progress?"
/// (arXiv 2407.21792): capability benchmarks are summarised into one
/// capabilities score (their first principal component), and every benchmark
/// is correlated with that score across models. A "safety" benchmark that is
/// highly correlated with capabilities may be measuring capabilities.
#[derive(Debug, Parser)]
#[command(name = "safetywashing", version, about, long_about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Capabilities and compute correlation of every benchmark in a matrix.
    Analyze(commands::analyze::AnalyzeArgs),
    /// Get the paper's data (download, verify, show where it is).
    Data(commands::data::DataArgs),
    /// Turn evaluation output (lm-eval, Inspect, long tables) into a matrix.
    Import(commands::import::ImportArgs),
    /// Accuracy, Brier score and RMS calibration error of lm-eval samples.
    Calibrate(commands::calibrate::CalibrateArgs),
}

/// How to read benchmark matrices; shared by every command that reads one.
#[derive(Debug, Clone, Args)]
pub struct MatrixArgs {
    /// Header of the model-id column [default: the first column].
    #[arg(long, value_name = "NAME")]
    pub model_column: Option<String>,

    /// Columns that are not benchmarks, comma-separated (absent ones are fine).
    #[arg(
        long,
        value_name = "A,B,...",
        value_delimiter = ',',
        default_value = "model_size,FLOP,name,type"
    )]
    pub meta_columns: Vec<String>,

    /// Numeric column of training compute, correlated with every benchmark
    /// [default: FLOP, skipped with a warning when absent; an explicitly named
    /// column must exist].
    #[arg(long, value_name = "NAME")]
    pub compute_column: Option<String>,

    /// Benchmark info table `benchmark,name,metric` for display names and
    /// metric directions [default with no MATRIX: the paper's].
    #[arg(long, value_name = "FILE")]
    pub info: Option<PathBuf>,
}
