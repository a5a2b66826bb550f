//! `safetywashing check`: a new benchmark's capabilities correlation against
//! a reference matrix, with a verdict.

use super::args::{AnalysisArgs, BootstrapArgs, ComputeArgs, LayoutArgs, formats};
use super::emit;
use anyhow::Result;
use clap::Args;
use safetywashing::check::{CheckOptions, CheckReport, FEW_MODELS, HighLine, check};
use safetywashing::output::Format;
use std::path::PathBuf;
use std::process::ExitCode;

/// Exit status when `--fail-above` is exceeded.
const EXIT_ABOVE: u8 = 1;

/// Exit status when `--fail-above` cannot judge: a correlation undefined,
/// or fewer than `--min-models` models matched.
const EXIT_UNJUDGED: u8 = 3;

/// Flags of `check`.
#[derive(Debug, Args)]
#[command(after_help = "\
NEW.csv is `model,score` or a model column and several benchmark columns
(each is checked). Model names are matched to the reference exactly, then
through --aliases, then after ignoring case, an org/ prefix, a -hf suffix and
the separators _ - . and space; every match that was not exact is listed, and
an ambiguous name is never guessed.

Verdict: LOW when |r| < --low-below (the paper's 40%), HIGH when |r| reaches
--high-at (default: the mean correlation of each of the reference's
capability benchmarks with a composite fitted without it; `--high-at paper`:
the paper's mean correlation among the capability benchmarks), MODERATE in
between, by |r| (the sign is shown beside). With --method kendall both lines
are in τ (the low line is τ's equivalent of 40%, about 27.3%). With
--bootstrap the verdict also names every band its interval allows.

Exit status: 0; 1 when --fail-above is reached; 3 when --fail-above cannot
judge (a correlation is undefined, or fewer than --min-models models
matched); 2 on an error.

Examples:
  safetywashing check my_bench.csv                    # against the paper's chat models
  safetywashing check my_bench.csv --lower-is-better  # → scores negated before correlating
  safetywashing check my_bench.csv --benchmark my_truthfulness --aliases aliases.csv --format json
  safetywashing check my_bench.csv --fail-above 0.7   # in a benchmark's own CI: |r| ≥ 0.7, exit 1")]
pub struct CheckArgs {
    /// The new benchmark's scores (CSV, model names in the first column).
    #[arg(value_name = "NEW.csv")]
    pub new: PathBuf,

    /// Reference: `base` or `chat` (the paper's matrices, downloaded on
    /// first use) or a matrix file.
    #[arg(long, default_value = "chat", value_name = "base|chat|MATRIX")]
    pub against: String,

    /// Check only this column of NEW.csv [default: every benchmark column].
    #[arg(long, value_name = "COL")]
    pub benchmark: Option<String>,

    /// The new metric is lower-is-better (an error rate, a harm score): it is
    /// negated before correlating, so a positive correlation still means
    /// "safer as capabilities grow".
    #[arg(long)]
    pub lower_is_better: bool,

    /// Alias table `from,to`: a name in NEW.csv and the reference's name for it.
    #[arg(long, value_name = "FILE")]
    pub aliases: Option<PathBuf>,

    /// |r| below this is LOW (a fraction) [default: the paper's 0.4; its τ
    /// equivalent, about 0.273, with --method kendall].
    #[arg(long, value_name = "R")]
    pub low_below: Option<f64>,

    /// |r| at or above this is HIGH: a fraction, `paper` (the mean
    /// correlation among the reference's capability benchmarks) or
    /// `leave-one-out` [default: leave-one-out, the mean correlation of each
    /// capability benchmark with a composite fitted without it].
    #[arg(long, value_name = "R|paper", default_value = "leave-one-out")]
    pub high_at: HighLine,

    /// Exit with status 1 when any checked |r| is at or above R (and with
    /// status 3 when a correlation is undefined or too few models matched).
    #[arg(long, value_name = "R")]
    pub fail_above: Option<f64>,

    /// With --fail-above: the fewest matched models a correlation needs to
    /// pass the guard.
    #[arg(long, value_name = "N", default_value_t = FEW_MODELS)]
    pub min_models: usize,

    /// Capability benchmarks and correlation method of the reference.
    #[command(flatten)]
    pub analysis: AnalysisArgs,

    /// Output format: text or json.
    #[arg(long, default_value = "text", value_parser = formats(&[Format::Text, Format::Json]))]
    pub format: Format,

    /// How to read the reference matrix.
    #[command(flatten)]
    pub layout: LayoutArgs,

    /// The reference's compute column (the compute correlation).
    #[command(flatten)]
    pub compute: ComputeArgs,

    /// With --bootstrap N, an interval for each capabilities correlation.
    #[command(flatten, next_help_heading = "Uncertainty")]
    pub resampling: BootstrapArgs,
}

/// Run `check`.
pub fn run(args: CheckArgs) -> Result<ExitCode> {
    if let Some(r) = args.fail_above
        && !(0.0..=1.0).contains(&r)
    {
        anyhow::bail!("--fail-above must be a fraction between 0 and 1, found {r}");
    }
    let (reference, new, matcher) = super::load_against(
        &args.against,
        &args.compute.format(&args.layout),
        &args.new,
        args.aliases.as_deref(),
    )?;
    let options = CheckOptions {
        analysis: args.analysis.options(),
        benchmark: args.benchmark.clone(),
        lower_is_better: args.lower_is_better,
        low_below: args.low_below,
        high_at: args.high_at,
        uncertainty: args.resampling.options(),
    };
    let report = check(&reference, &new, &matcher, &options)?;
    let bytes = if args.format == Format::Json {
        let mut b = serde_json::to_vec_pretty(&report.json())?;
        b.push(b'\n');
        b
    } else {
        report.text().into_bytes()
    };
    emit(&bytes, None)?;
    let Some(r) = args.fail_above else {
        return Ok(ExitCode::SUCCESS);
    };
    if let Some(reason) = unjudged(&report, args.min_models) {
        eprintln!("check failed: --fail-above cannot judge: {reason}");
        return Ok(ExitCode::from(EXIT_UNJUDGED));
    }
    if report.any_at_or_above(r) {
        eprintln!(
            "check failed: a capabilities correlation reaches --fail-above {:.1}%",
            r * 100.0
        );
        return Ok(ExitCode::from(EXIT_ABOVE));
    }
    Ok(ExitCode::SUCCESS)
}

/// Why the guard cannot pass a benchmark, if it cannot: no correlation, or
/// fewer matched models than `min_models`.
fn unjudged(report: &CheckReport, min_models: usize) -> Option<String> {
    let b = report
        .benchmarks
        .iter()
        .find(|b| b.capabilities_correlation.is_none() || b.n < min_models)?;
    Some(if b.capabilities_correlation.is_none() {
        format!(
            "'{}' has no defined correlation ({} matched with a capabilities score)",
            b.benchmark,
            safetywashing::words::count(b.n, "model", "models")
        )
    } else {
        format!(
            "'{}' has {} matched, fewer than --min-models {min_models}",
            b.benchmark,
            safetywashing::words::count(b.n, "model", "models")
        )
    })
}
