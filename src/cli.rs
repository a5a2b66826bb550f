//! Raw command-line flags (clap derive). Nothing here is validated beyond
//! what clap parses; `commands` turns these into checked library options.

use clap::{Args, Parser, Subcommand};
use safetywashing::analysis::{AnalysisOptions, PAPER_CAPABILITIES};
use safetywashing::stats::CorrelationMethod;
use std::path::PathBuf;

use crate::commands;
use safetywashing::uncertainty::{
    BootstrapOptions, ClusterSource, DEFAULT_SEED, ImputeMethod, IntervalMethod, Resampling,
    UncertaintyOptions,
};

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

/// How a matrix file is laid out; shared by every command that reads one.
#[derive(Debug, Clone, Args)]
pub struct LayoutArgs {
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
}

/// How to read benchmark matrices for analysis: their layout, the compute
/// column and the info table.
#[derive(Debug, Clone, Args)]
pub struct MatrixArgs {
    #[command(flatten)]
    pub layout: LayoutArgs,

    /// Numeric column of training compute, correlated with every benchmark
    /// [default: FLOP, skipped with a warning when absent; an explicitly named
    /// column must exist].
    #[arg(long, value_name = "NAME")]
    pub compute_column: Option<String>,

    /// Benchmark info table `benchmark,name,metric` for display names and
    /// metric directions (the paper's data comes with its own).
    #[arg(long, value_name = "FILE")]
    pub info: Option<PathBuf>,
}

/// What to compute; shared by every command that analyses matrices.
#[derive(Debug, Clone, Args)]
pub struct AnalysisArgs {
    /// Capability benchmarks summarised into the capabilities score,
    /// comma-separated [default: the paper's 12].
    #[arg(long, value_name = "A,B,...", value_delimiter = ',')]
    pub capabilities: Option<Vec<String>>,

    /// Correlation method (Kendall is tau-b).
    #[arg(long, default_value = "spearman", value_parser = clap::value_parser!(CorrelationMethod))]
    pub method: CorrelationMethod,
}

impl AnalysisArgs {
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

/// Flags of `analyze` beyond the paper: intervals, tests, robustness.
#[derive(Debug, Args)]
#[command(next_help_heading = "Uncertainty and robustness")]
pub struct UncertaintyArgs {
    /// Bootstrap N resamples of models, refitting the whole analysis in each;
    /// adds an interval to every correlation, PC1's share and the mean
    /// capability correlation.
    #[arg(long, value_name = "N")]
    pub bootstrap: Option<usize>,

    /// Seed of the bootstrap and permutation draws (same seed, same output,
    /// on any number of threads).
    #[arg(long, value_name = "S", default_value_t = DEFAULT_SEED)]
    pub seed: u64,

    /// Confidence level of bootstrap intervals.
    #[arg(
        long,
        value_name = "LEVEL",
        default_value_t = 0.95,
        requires = "bootstrap"
    )]
    pub confidence: f64,

    /// Interval shown as ci_low/ci_high: bca, percentile or fisher-z (all
    /// three are in JSON and CSV); where it is undefined, percentile is used
    /// and named.
    #[arg(long, value_name = "METHOD", default_value = "bca", requires = "bootstrap",
          value_parser = clap::value_parser!(IntervalMethod))]
    pub interval: IntervalMethod,

    /// Resample whole clusters of models given by this metadata column
    /// (e.g. a model family) instead of single models.
    #[arg(
        long,
        value_name = "COL",
        requires = "bootstrap",
        conflicts_with = "cluster_by_prefix"
    )]
    pub cluster_column: Option<String>,

    /// Resample clusters of models sharing the model id's first word
    /// (`Qwen1.5-7B` → qwen1.5), when there is no family column.
    #[arg(long, requires = "bootstrap")]
    pub cluster_by_prefix: bool,

    /// Permutation test with N permutations per benchmark: two-sided p-values
    /// and Benjamini–Hochberg q-values across the matrix's benchmarks.
    #[arg(long, value_name = "N")]
    pub permutations: Option<usize>,

    /// Each capability benchmark's correlation with a score fitted without it.
    #[arg(long)]
    pub leave_one_out: bool,

    /// Each benchmark's correlation under the drop-one-capability
    /// composites, the mean z-score composite, PC1 of the Pearson matrix and
    /// compute; flags benchmarks whose verdict flips (implies --leave-one-out).
    #[arg(long)]
    pub sensitivity: bool,

    /// Missing capability cells: none (listwise deletion, the paper) or pca
    /// (iterative PCA imputation; the listwise values are shown beside).
    #[arg(long, value_name = "HOW", default_value = "none", value_parser = clap::value_parser!(ImputeMethod))]
    pub impute: ImputeMethod,

    /// Rank of the PCA imputation.
    #[arg(long, value_name = "K", default_value_t = 1)]
    pub impute_rank: usize,
}

impl UncertaintyArgs {
    /// The uncertainty options these flags ask for.
    pub fn options(&self) -> anyhow::Result<UncertaintyOptions> {
        if self.impute == ImputeMethod::None && self.impute_rank != 1 {
            anyhow::bail!("--impute-rank only applies with --impute pca");
        }
        let resampling = match (&self.cluster_column, self.cluster_by_prefix) {
            (Some(c), _) => Resampling::Clusters(ClusterSource::Column(c.clone())),
            (None, true) => Resampling::Clusters(ClusterSource::ModelPrefix),
            (None, false) => Resampling::Models,
        };
        Ok(UncertaintyOptions {
            bootstrap: self.bootstrap.map(|resamples| BootstrapOptions {
                resamples,
                confidence: self.confidence,
                interval: self.interval,
                resampling,
            }),
            permutations: self.permutations,
            leave_one_out: self.leave_one_out,
            sensitivity: self.sensitivity,
            impute: match self.impute {
                ImputeMethod::None => ImputeMethod::None,
                ImputeMethod::Pca { .. } => ImputeMethod::Pca {
                    rank: self.impute_rank,
                },
            },
            seed: self.seed,
        })
    }
}
