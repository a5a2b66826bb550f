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

/// How to read a matrix's columns; shared by every command that reads one.
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

/// `--compute-column`, for commands that correlate (or check) training
/// compute.
#[derive(Debug, Clone, Args)]
pub struct ComputeArgs {
    /// Numeric column of training compute, correlated with every benchmark
    /// [default: FLOP, skipped with a warning when absent; an explicitly
    /// named column must exist].
    #[arg(long, value_name = "NAME")]
    pub compute_column: Option<String>,
}

/// How to read benchmark matrices and name their benchmarks; shared by the
/// commands that analyse the paper's matrices when given none.
#[derive(Debug, Clone, Args)]
pub struct MatrixArgs {
    /// Model and metadata columns.
    #[command(flatten)]
    pub layout: LayoutArgs,

    /// The compute column.
    #[command(flatten)]
    pub compute: ComputeArgs,

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

/// Bootstrap flags: an interval for every correlation; shared by every
/// command that reports correlations.
#[derive(Debug, Clone, Args)]
pub struct BootstrapArgs {
    /// Bootstrap N resamples of models, refitting the whole analysis in each;
    /// adds an interval to every correlation shown (and, where they are
    /// shown, to PC1's share and the mean capability correlation).
    #[arg(long, value_name = "N")]
    pub bootstrap: Option<usize>,

    /// Seed of the random draws (same seed, same output, on any number of
    /// threads).
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

    /// Interval shown: bca, percentile or fisher-z (the JSON and CSV of
    /// `analyze` carry all three as well); where it is undefined, percentile
    /// is used and named. Measured coverage (README): with single models
    /// resampled all three are near 95%, bca the closest; with
    /// --cluster-column or --cluster-by-prefix use percentile (bca covered
    /// only about 90% there).
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
}

impl BootstrapArgs {
    /// The bootstrap these flags ask for, if any.
    pub fn bootstrap_options(&self) -> Option<BootstrapOptions> {
        let resampling = match (&self.cluster_column, self.cluster_by_prefix) {
            (Some(c), _) => Resampling::Clusters(ClusterSource::Column(c.clone())),
            (None, true) => Resampling::Clusters(ClusterSource::ModelPrefix),
            (None, false) => Resampling::Models,
        };
        self.bootstrap.map(|resamples| BootstrapOptions {
            resamples,
            confidence: self.confidence,
            interval: self.interval,
            resampling,
        })
    }

    /// The uncertainty options of a command that offers only the bootstrap
    /// (unchecked).
    pub fn options(&self) -> UncertaintyOptions {
        UncertaintyOptions {
            bootstrap: self.bootstrap_options(),
            seed: self.seed,
            ..UncertaintyOptions::default()
        }
    }
}

/// Flags of `analyze` beyond the paper: intervals, tests, robustness.
#[derive(Debug, Args)]
#[command(next_help_heading = "Uncertainty and robustness")]
pub struct UncertaintyArgs {
    /// The bootstrap.
    #[command(flatten)]
    pub resampling: BootstrapArgs,

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

    /// Imputation of missing capability cells.
    #[command(flatten)]
    pub impute: ImputeArgs,
}

/// The uncertainty flags that change a figure: the bootstrap (its intervals
/// are drawn) and PCA imputation (it changes the analysis). Permutation
/// tests, leave-one-out and sensitivity change no figure, so `plot` and
/// `report` do not offer them.
#[derive(Debug, Args)]
#[command(next_help_heading = "Uncertainty")]
pub struct FigureUncertaintyArgs {
    /// The bootstrap.
    #[command(flatten)]
    pub resampling: BootstrapArgs,

    /// Imputation of missing capability cells.
    #[command(flatten)]
    pub impute: ImputeArgs,
}

/// PCA imputation of missing capability cells.
#[derive(Debug, Clone, Args)]
pub struct ImputeArgs {
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

impl ImputeArgs {
    /// The imputation asked for.
    pub fn method(&self) -> anyhow::Result<ImputeMethod> {
        if !matches!(self.impute, ImputeMethod::Pca { .. }) && self.impute_rank != 1 {
            anyhow::bail!("--impute-rank only applies with --impute pca");
        }
        Ok(match self.impute {
            ImputeMethod::Pca { .. } => ImputeMethod::Pca {
                rank: self.impute_rank,
            },
            other => other,
        })
    }
}

impl UncertaintyArgs {
    /// The uncertainty options these flags ask for, checked once with the
    /// analysis options (before anything is loaded or fitted).
    pub fn validate(&self, analysis: AnalysisOptions) -> anyhow::Result<ValidOptions> {
        Ok(self.options()?.validate(analysis)?)
    }

    /// The uncertainty options these flags ask for (unchecked).
    pub fn options(&self) -> anyhow::Result<UncertaintyOptions> {
        Ok(UncertaintyOptions {
            permutations: self.permutations,
            leave_one_out: self.leave_one_out,
            sensitivity: self.sensitivity,
            impute: self.impute.method()?,
            ..self.resampling.options()
        })
    }
}

impl FigureUncertaintyArgs {
    /// The uncertainty options these flags ask for, checked once with the
    /// analysis options (before anything is loaded or fitted).
    pub fn validate(&self, analysis: AnalysisOptions) -> anyhow::Result<ValidOptions> {
        let options = UncertaintyOptions {
            impute: self.impute.method()?,
            ..self.resampling.options()
        };
        Ok(options.validate(analysis)?)
    }
}

impl LayoutArgs {
    /// The matrix format these flags describe, with the default compute
    /// column (`FLOP`, used when present).
    pub fn format(&self) -> MatrixFormat {
        MatrixFormat {
            model_column: self.model_column.clone(),
            meta_columns: self
                .meta_columns
                .iter()
                .map(|c| c.trim().to_string())
                .filter(|c| !c.is_empty())
                .collect(),
            compute_column: Some(DEFAULT_COMPUTE_COLUMN.to_string()),
            require_compute_column: false,
        }
    }
}

impl ComputeArgs {
    /// `layout`'s matrix format with this compute column (one named
    /// explicitly must exist).
    pub fn format(&self, layout: &LayoutArgs) -> MatrixFormat {
        let mut format = layout.format();
        if let Some(c) = &self.compute_column {
            format.compute_column = Some(c.clone());
            format.require_compute_column = true;
        }
        format
    }
}

impl MatrixArgs {
    /// The checked matrix format these flags describe.
    pub fn format(&self) -> MatrixFormat {
        self.compute.format(&self.layout)
    }
}

/// The `--format` value parser of a command offering `offered`: one
/// [`Format`] enum for every command, one message for a format it lacks.
pub fn formats(
    offered: &'static [Format],
) -> impl Fn(&str) -> Result<Format, String> + Clone + Send + Sync + 'static {
    move |name| Format::parse_among(name, offered)
}

/// `--wide`, for commands that print tables.
#[derive(Debug, Clone, Copy, Args)]
pub struct WidthArgs {
    /// Tables at full width on a terminal too (there, long names are
    /// otherwise shortened with … to fit its width; piped or redirected
    /// output always has full names).
    #[arg(long)]
    pub wide: bool,
}

impl WidthArgs {
    /// Fit the library's text tables to the terminal, unless `--wide`.
    pub fn apply(self) {
        if !self.wide {
            safetywashing::output::set_plain_width(terminal_width());
        }
    }
}

/// The width of the terminal standard output is, `None` when it is not a
/// terminal (a pipe or a file gets full-width tables, so scripts see whole
/// names). `COLUMNS` wins over the terminal's own report when set.
pub fn terminal_width() -> Option<usize> {
    use std::io::IsTerminal;
    if !std::io::stdout().is_terminal() {
        return None;
    }
    if let Some(columns) = std::env::var("COLUMNS").ok().and_then(|c| c.parse().ok()) {
        return Some(columns).filter(|&c| c > 0);
    }
    #[cfg(unix)]
    {
        // SAFETY: TIOCGWINSZ fills the zeroed winsize it is given, on a
        // descriptor checked to be a terminal; nothing else is touched.
        let mut size: libc::winsize = unsafe { std::mem::zeroed() };
        let ok = unsafe { libc::ioctl(libc::STDOUT_FILENO, libc::TIOCGWINSZ, &mut size) } == 0;
        if ok && size.ws_col > 0 {
            return Some(usize::from(size.ws_col));
        }
    }
    None
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
