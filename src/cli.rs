//! The command line: the parser (clap derive) put together from each
//! command's flags, and the dispatch. Imports point one way: this module
//! uses `commands` (each command's flags live beside its code, the shared
//! ones in `commands::args`); no command imports this module.

use crate::commands;
use anyhow::Result;
use clap::{Parser, Subcommand};
use std::process::ExitCode;

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
    /// Regress a benchmark on capabilities: slope, R², models ranked by residual.
    Residuals(commands::residuals::ResidualsArgs),
    /// Draw a figure (ranking, scree, scatter, heatmap, overview) as SVG or PNG.
    Plot(commands::plot::PlotArgs),
    /// Write a one-file report (HTML or Markdown) with figures and tables.
    Report(commands::report::ReportArgs),
    /// Check a new benchmark's capabilities correlation against a reference, with a verdict.
    Check(commands::check::CheckArgs),
    /// The paper's benchmark suite: area, harness, lm-eval task, metric, transform.
    Suite(commands::suite::SuiteArgs),
    /// Run lm-evaluation-harness on a model and turn its output into a matrix (resumable).
    Evaluate(commands::evaluate::EvaluateArgs),
    /// Place new models on a reference's frozen capabilities score: score, rank, percentile.
    Score(commands::score::ScoreArgs),
    /// Add a benchmark column to a matrix (and its info row), keeping every other byte.
    Add(commands::add::AddArgs),
    /// Find every problem in a matrix and its info table, with line and column.
    Validate(commands::validate::ValidateArgs),
    /// Turn evaluation output (lm-eval, Inspect, long tables) into a matrix.
    Import(commands::import::ImportArgs),
    /// Outer-join matrices by model, matching names across files.
    Merge(commands::merge::MergeArgs),
    /// Accuracy, Brier score and RMS calibration error of lm-eval samples.
    Calibrate(commands::calibrate::CalibrateArgs),
    /// Draw a benchmark matrix from a latent-factor model, with its truth.
    Simulate(commands::simulate::SimulateArgs),
    /// Get the paper's data (download, verify, show where it is).
    Data(commands::data::DataArgs),
}

impl Command {
    /// Run the parsed command.
    pub fn run(self) -> Result<ExitCode> {
        match self {
            Command::Analyze(args) => commands::analyze::run(args),
            Command::Data(args) => commands::data::run(args),
            Command::Check(args) => commands::check::run(args),
            Command::Add(args) => commands::add::run(args),
            Command::Score(args) => commands::score::run(args),
            Command::Suite(args) => commands::suite::run(args),
            Command::Evaluate(args) => commands::evaluate::run(args),
            Command::Validate(args) => commands::validate::run(args),
            Command::Residuals(args) => commands::residuals::run(args),
            Command::Simulate(args) => commands::simulate::run(args),
            Command::Plot(args) => commands::plot::run(args),
            Command::Report(args) => commands::report::run(args),
            Command::Import(args) => commands::import::run(args),
            Command::Calibrate(args) => commands::calibrate::run(args),
            Command::Merge(args) => commands::merge::run(args),
        }
    }
}
