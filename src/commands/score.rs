//! `safetywashing score`: new models placed on a reference's frozen
//! capabilities score (score, rank among the reference models, percentile).

use super::args::{AnalysisArgs, ExcelSafeArgs, LayoutArgs, WidthArgs, formats};
use super::emit_table;
use anyhow::Result;
use clap::Args;
use safetywashing::output::Format;
use safetywashing::score::{ScoreOptions, score};
use std::path::PathBuf;
use std::process::ExitCode;

/// Flags of `score`.
#[derive(Debug, Args)]
#[command(after_help = "\
NEW.csv has a model column and the capability benchmarks as columns (the
paper's 12 by default: the columns `evaluate --suite capabilities` writes).
Each value is z-scored with the reference's mean and population std of that
benchmark and the z-row is dotted with the reference's PC1: the reference is
not refitted, so a new model cannot move it. rank = 1 + the number of
reference models scoring higher; percentile = percent of reference models
scoring lower (ties half). Model names are matched to the reference's as in
`check`; a new model that is a reference model is noted.

Examples:
  safetywashing score my_model.csv --against base     # → 21 of 28
  safetywashing score my_model.csv --against chat --format json
  safetywashing score partial.csv --against base --impute     # fill missing benchmarks
  safetywashing score my_model.csv --against benchmarks_base_models.csv --refit --format csv")]
pub struct ScoreArgs {
    /// The new models' capability benchmark values (CSV, model names in the
    /// first column).
    #[arg(value_name = "NEW.csv")]
    pub new: PathBuf,

    /// Reference: `base` or `chat` (the paper's matrices, downloaded on
    /// first use) or a matrix file.
    #[arg(long, default_value = "chat", value_name = "base|chat|MATRIX")]
    pub against: String,

    /// Impute a model's missing capability benchmarks from the reference's
    /// correlation structure (the conditional mean of the missing z-values
    /// given the observed ones) instead of refusing it; imputed cells are listed.
    #[arg(long)]
    pub impute: bool,

    /// Also add the new models to the reference and refit (a new model that
    /// is a reference model replaces its row); both placements are reported.
    #[arg(long)]
    pub refit: bool,

    /// Alias table `from,to`: a name in NEW.csv and the reference's name for it.
    #[arg(long, value_name = "FILE")]
    pub aliases: Option<PathBuf>,

    /// Capability benchmarks and correlation method of the reference.
    #[command(flatten)]
    pub analysis: AnalysisArgs,

    /// Output format: text, json or csv.
    #[arg(long, default_value = "text", value_parser = formats(&[Format::Text, Format::Json, Format::Csv]))]
    pub format: Format,

    #[command(flatten)]
    pub excel: ExcelSafeArgs,

    #[command(flatten)]
    pub width: WidthArgs,

    /// How to read the reference matrix.
    #[command(flatten)]
    pub layout: LayoutArgs,
}

/// Run `score`.
pub fn run(args: ScoreArgs) -> Result<ExitCode> {
    args.width.apply();
    let (reference, new, matcher) = super::load_against(
        &args.against,
        &args.layout.format(),
        &args.new,
        args.aliases.as_deref(),
    )?;
    let options = ScoreOptions {
        analysis: args.analysis.options(),
        impute: args.impute,
        refit: args.refit,
    };
    let report = score(&reference, &new, &matcher, &options)?;
    let bytes = match args.format {
        Format::Json => {
            let mut b = serde_json::to_vec_pretty(&report.json())?;
            b.push(b'\n');
            b
        }
        Format::Csv => report.csv().into_bytes(),
        _ => report.text().into_bytes(),
    };
    emit_table(None, args.format, args.excel.excel_safe, |out| {
        out.write_all(&bytes)
    })?;
    Ok(ExitCode::SUCCESS)
}
