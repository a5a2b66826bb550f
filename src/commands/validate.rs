//! `safetywashing validate`: every problem in a matrix (and info table),
//! with file, line and column.

use super::args::{ComputeArgs, LayoutArgs, formats};
use anyhow::Result;
use clap::Args;
use safetywashing::output::{Format, VALIDATION_FORMATS, write_validation};
use safetywashing::validate::{ValidateOptions, validate};
use std::path::PathBuf;
use std::process::ExitCode;

/// Flags of `validate`.
#[derive(Debug, Args)]
#[command(after_help = "\
Errors (the file cannot be analysed as it is): broken CSV structure, empty or
duplicate headers, empty or duplicate model ids, cells that are neither
numbers nor missing values (empty, NaN, NA), an unreadable info table.

Warnings: benchmarks without an info row, info rows for benchmarks not in the
matrix, metrics without a direction arrow, all-missing or constant columns,
accuracy-like metrics outside [0, 1], a percent among fractions, a model
missing most benchmarks.

Exit status: 0 clean (or warnings only), 1 warnings only with --strict,
2 errors.

Examples:
  safetywashing validate benchmarks_chat_models.csv --info benchmarks_info.csv
  safetywashing validate matrix.csv --info info.csv --strict --format json")]
pub struct ValidateArgs {
    /// The matrix to validate.
    #[arg(value_name = "MATRIX")]
    pub target: PathBuf,

    /// Exit with status 1 when there are warnings (and no errors).
    #[arg(long)]
    pub strict: bool,

    /// Warn about a model missing more than this share of benchmarks.
    #[arg(long, default_value_t = 0.5, value_name = "FRACTION")]
    pub mostly_missing: f64,

    /// Output format: text or json.
    #[arg(long, default_value = "text", value_parser = formats(&VALIDATION_FORMATS))]
    pub format: Format,

    /// Info table `benchmark,name,metric` to check, and to check the
    /// matrix against (every benchmark described, every metric with a
    /// direction arrow).
    #[arg(long, value_name = "FILE")]
    pub info: Option<PathBuf>,

    /// How to read the matrix, as the analysing commands would.
    #[command(flatten)]
    pub layout: LayoutArgs,

    /// Check this column as the analysing commands' --compute-column would
    /// read it: it must exist, and its cells must be numbers [default:
    /// FLOP, when present].
    #[arg(long, value_name = "NAME")]
    pub compute_column: Option<String>,
}

/// Exit status with warnings under --strict.
const EXIT_WARNINGS: u8 = 1;
/// Exit status with errors.
const EXIT_ERRORS: u8 = 2;

/// Run `validate`.
pub fn run(args: ValidateArgs) -> Result<ExitCode> {
    if !(0.0..=1.0).contains(&args.mostly_missing) {
        anyhow::bail!(
            "--mostly-missing must be a fraction between 0 and 1, found {}",
            args.mostly_missing
        );
    }
    let read = |p: &PathBuf| super::paths::read_whole(p);
    let matrix = read(&args.target)?;
    let info = match &args.info {
        Some(p) => Some((read(p)?, p.display().to_string())),
        None => None,
    };
    let options = ValidateOptions {
        format: ComputeArgs {
            compute_column: args.compute_column.clone(),
        }
        .format(&args.layout),
        mostly_missing: args.mostly_missing,
    };
    let result = validate(
        &matrix,
        &args.target.display().to_string(),
        info.as_ref().map(|(b, s)| (b.as_slice(), s.as_str())),
        &options,
    );
    let target = args.target.display().to_string();
    let files: Vec<&str> = std::iter::once(target.as_str())
        .chain(info.as_ref().map(|(_, s)| s.as_str()))
        .collect();
    super::emit_with(None, |out| {
        write_validation(args.format, &result, &files, out)
    })?;
    Ok(if result.errors() > 0 {
        ExitCode::from(EXIT_ERRORS)
    } else if args.strict && result.warnings() > 0 {
        ExitCode::from(EXIT_WARNINGS)
    } else {
        ExitCode::SUCCESS
    })
}
