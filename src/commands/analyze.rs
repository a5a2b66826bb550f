//! `safetywashing analyze`: the paper's analysis of one or more matrices.

use super::progress::Progress;
use super::{emit, load_inputs};
use crate::cli::MatrixArgs;
use anyhow::Result;
use clap::Args;
use safetywashing::analysis::{AnalysisOptions, PAPER_CAPABILITIES};
use safetywashing::output::Format;
use safetywashing::stats::CorrelationMethod;
use safetywashing::uncertainty::{
    BootstrapOptions, ClusterSource, DEFAULT_SEED, ImputeMethod, IntervalMethod, Resampling,
    UncertaintyOptions, analyze_with_uncertainty,
};
use std::path::PathBuf;
use std::process::ExitCode;

/// Flags of `analyze`.
#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  safetywashing analyze                      # the paper's base and chat matrices
  safetywashing analyze my_matrix.csv --info info.csv --format json
  safetywashing analyze obs.csv --meta-columns 'Model Family,Model Size (B)' \\
      --compute-column 'FLOPs (1E21)' --capabilities MMLU,ARC-C,HellaSwag

Uncertainty and robustness (nothing changes unless asked):
  safetywashing analyze --bootstrap 10000 --seed 7      # 95% BCa intervals: 81.2% [72.0, 88.1] n=26
  safetywashing analyze --bootstrap 2000 --cluster-by-prefix   # resample model families
  safetywashing analyze --permutations 10000            # p-values and BH q-values
  safetywashing analyze --sensitivity                   # other composites, leave-one-out
  safetywashing analyze m.csv --impute pca              # score models missing a capability")]
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

    #[command(flatten)]
    pub uncertainty: Box<UncertaintyArgs>,
}

impl AnalyzeArgs {
    /// The checked analysis options.
    pub fn options(&self) -> AnalysisOptions {
        AnalysisOptions {
            capabilities: capability_list(self.capabilities.as_deref()),
            method: self.method,
        }
    }
}

/// The `--capabilities` list, trimmed, or the paper's 12.
pub fn capability_list(given: Option<&[String]>) -> Vec<String> {
    match given {
        Some(list) => list
            .iter()
            .map(|c| c.trim().to_string())
            .filter(|c| !c.is_empty())
            .collect(),
        None => PAPER_CAPABILITIES.iter().map(|s| s.to_string()).collect(),
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
    pub fn options(&self) -> UncertaintyOptions {
        let resampling = match (&self.cluster_column, self.cluster_by_prefix) {
            (Some(c), _) => Resampling::Clusters(ClusterSource::Column(c.clone())),
            (None, true) => Resampling::Clusters(ClusterSource::ModelPrefix),
            (None, false) => Resampling::Models,
        };
        UncertaintyOptions {
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
        }
    }
}

/// Run `analyze`.
pub fn run(args: AnalyzeArgs) -> Result<ExitCode> {
    let options = args.options();
    if args.uncertainty.impute == ImputeMethod::None && args.uncertainty.impute_rank != 1 {
        anyhow::bail!("--impute-rank only applies with --impute pca");
    }
    let extra = args.uncertainty.options();
    extra.validate(options.capabilities.len())?;
    let inputs = load_inputs(&args.matrices, &args.matrix)?;
    let total = inputs
        .matrices
        .iter()
        .map(|m| extra.work_units(m.benchmarks.len()))
        .sum();
    let bar = Progress::new(total);
    let mut analyses = Vec::with_capacity(inputs.matrices.len());
    for m in &inputs.matrices {
        let a =
            analyze_with_uncertainty(m, &options, inputs.info.as_ref(), &extra, &|n| bar.inc(n))?;
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
    bar.finish();
    emit(
        &args.format.exporter().export(&analyses),
        args.output.as_deref(),
    )?;
    Ok(ExitCode::SUCCESS)
}
