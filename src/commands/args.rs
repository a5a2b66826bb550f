//! Flags shared by several commands (clap derive), and the library options
//! each group is turned into, once.

use clap::Args;
use safetywashing::analysis::{AnalysisOptions, PAPER_CAPABILITIES};
use safetywashing::load::{DEFAULT_COMPUTE_COLUMN, MatrixFormat};
use safetywashing::output::Format;
use safetywashing::stats::CorrelationMethod;
use safetywashing::uncertainty::{
    BootstrapOptions, ClusterSource, DEFAULT_SEED, ImputeMethod, IntervalMethod, Resampling,
    UncertaintyOptions, ValidOptions,
};
use std::path::PathBuf;

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

    /// Missing capability cells: none (listwise deletion, the paper), pca
    /// (iterative rank-K PCA imputation) or soft / soft:F (soft-impute, λ = F
    /// of the largest singular value, default 0.05); imputed values stay in
    /// each benchmark's observed range, the listwise values are shown beside.
    #[arg(long, value_name = "HOW", default_value = "none", value_parser = clap::value_parser!(ImputeMethod))]
    pub impute: ImputeMethod,

    /// Rank of the PCA imputation.
    #[arg(long, value_name = "K", default_value_t = 1)]
    pub impute_rank: usize,
}

impl UncertaintyArgs {
    /// The uncertainty options these flags ask for, checked once with the
    /// analysis options (before anything is loaded or fitted).
    pub fn validate(&self, analysis: AnalysisOptions) -> anyhow::Result<ValidOptions> {
        Ok(self.options()?.validate(analysis)?)
    }

    /// The uncertainty options these flags ask for (unchecked).
    pub fn options(&self) -> anyhow::Result<UncertaintyOptions> {
        if !matches!(self.impute, ImputeMethod::Pca { .. }) && self.impute_rank != 1 {
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
                soft @ ImputeMethod::Soft { .. } => soft,
            },
            seed: self.seed,
        })
    }
}

impl MatrixArgs {
    /// The checked matrix format these flags describe.
    pub fn format(&self) -> MatrixFormat {
        MatrixFormat {
            model_column: self.model_column.clone(),
            meta_columns: self
                .meta_columns
                .iter()
                .map(|c| c.trim().to_string())
                .filter(|c| !c.is_empty())
                .collect(),
            compute_column: Some(
                self.compute_column
                    .clone()
                    .unwrap_or_else(|| DEFAULT_COMPUTE_COLUMN.to_string()),
            ),
            require_compute_column: self.compute_column.is_some(),
        }
    }
}

/// The `--format` value parser of a command offering `offered`: one
/// [`Format`] enum for every command, one message for a format it lacks.
pub fn formats(
    offered: &'static [Format],
) -> impl Fn(&str) -> Result<Format, String> + Clone + Send + Sync + 'static {
    move |name| Format::parse_among(name, offered)
}

/// `--excel-safe`, for commands with CSV output.
#[derive(Debug, Clone, Copy, Args)]
pub struct ExcelSafeArgs {
    /// With --format csv: prefix with ' every cell a spreadsheet would run as
    /// a formula (starting with = + - @, and not a number), so that opening
    /// the file in Excel or LibreOffice runs nothing.
    #[arg(long)]
    pub excel_safe: bool,
}
