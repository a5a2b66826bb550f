//! `safetywashing calibrate`: accuracy, Brier score and RMS calibration
//! error of lm-eval per-sample files.

use super::args::{ExcelSafeArgs, formats};
use super::emit_table;
use super::paths::{Files, Use};
use anyhow::{Result, bail};
use clap::Args;
use safetywashing::calibration::{
    CalibrationOptions, DEFAULT_BIN_SIZE, RmsVariant, calibrate_file,
};
use safetywashing::escape;
use safetywashing::output::{CALIBRATION_FORMATS, Format, write_calibration};
use std::path::PathBuf;
use std::process::ExitCode;

/// Flags of `calibrate`.
#[derive(Debug, Args)]
#[command(after_help = "\
Reads lm-evaluation-harness samples files of multiple-choice tasks (written
with --log_samples): softmax over each question's choice log-likelihoods gives
the confidence (max probability); the answer is correct when the argmax is the
gold index. Accuracy and Brier score equal lm-eval's acc and brier_score.

'paper' (the default) is the calibration the paper's authors computed in
their lm-eval fork: RMS calibration error over 15 equal-width confidence bins,
the unweighted mean over the non-empty bins (scikit-learn's calibration_curve,
strategy uniform); the temperature by bisection on [0.2, 5] to a 1e-4 bracket
on the sign of d/dT of the mean cross-entropy, then the best of the bracket's
ends and midpoint; tuned RMS error and Brier score with softmax(ll/T).

'reference' and 'corrected' are Hendrycks et al.'s adaptive bins of
--bin-size samples sorted by confidence: 'reference' is their
calib_err(p='2', beta=100), whose loop skips the last bin but still divides by
N (0 for fewer than 2 bins, undefined for fewer samples than one bin);
'corrected' includes every bin. Their temperature minimises the mean NLL of
softmax(ll/T) to full precision (T in [0.01, 100]). Every variant is always in
json/csv output.

Beside each RMS error, 'floor' is the value a perfectly calibrated model gets
with the same confidences and sample size (outcomes drawn Bernoulli(confidence),
mean of 100 simulations, fixed seed): an error near its floor is sampling noise.

Temperatures are fitted on all samples, or on a seeded random --tune-split
fraction and reported on the rest. Files are streamed (memory: a few bytes per
choice).

Examples:
  safetywashing calibrate out/org-d__Delta-120B/samples_fix_*.jsonl
  safetywashing calibrate out/*/samples_fix_arith_*.jsonl --format csv -o calibration.csv
  safetywashing calibrate out/org-d__Delta-120B/samples_fix_arith_*.jsonl \\
      --tune-split 0.5 --seed 1 --rms-variant corrected")]
pub struct CalibrateArgs {
    /// lm-eval samples files (`samples_<task>_<timestamp>.jsonl`).
    #[arg(value_name = "SAMPLES.jsonl", required = true)]
    pub files: Vec<PathBuf>,

    /// Output format: text, json or csv.
    #[arg(long, default_value = "text", value_parser = formats(&CALIBRATION_FORMATS))]
    pub format: Format,

    #[command(flatten)]
    pub excel: ExcelSafeArgs,

    /// RMS calibration error (and temperature) shown in text output: paper,
    /// reference or corrected.
    #[arg(long, default_value = "paper", value_parser = clap::value_parser!(RmsVariant))]
    pub rms_variant: RmsVariant,

    /// Samples per adaptive bin (the reference and corrected variants).
    #[arg(long, default_value_t = DEFAULT_BIN_SIZE, value_name = "N")]
    pub bin_size: usize,

    /// Fit the temperature on this fraction of samples, report on the rest.
    #[arg(long, value_name = "F")]
    pub tune_split: Option<f64>,

    /// Seed of the --tune-split shuffle.
    #[arg(long, default_value_t = safetywashing::DEFAULT_SEED, value_name = "S")]
    pub seed: u64,

    /// Skip malformed lines (counted in the output) instead of failing.
    #[arg(long)]
    pub skip_bad_lines: bool,

    /// Write to FILE (atomically) instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

impl CalibrateArgs {
    /// The checked calibration options.
    pub fn options(&self) -> Result<CalibrationOptions> {
        if self.bin_size == 0 {
            bail!("--bin-size must be at least 1");
        }
        if let Some(f) = self.tune_split
            && !(f > 0.0 && f < 1.0)
        {
            bail!("--tune-split {f}: expected a fraction strictly between 0 and 1");
        }
        Ok(CalibrationOptions {
            bin_size: self.bin_size,
            tune_split: self.tune_split,
            seed: self.seed,
            skip_bad_lines: self.skip_bad_lines,
        })
    }
}

/// Run `calibrate`.
pub fn run(args: CalibrateArgs) -> Result<ExitCode> {
    let options = args.options()?;
    Files::default()
        .with_all("FILE", &args.files, Use::Read)
        .with("--output", args.output.as_deref(), Use::Write)
        .check()?;
    let mut reports = Vec::with_capacity(args.files.len());
    for f in &args.files {
        let r = calibrate_file(f, &options)?;
        if r.skipped_lines > 0 {
            eprintln!(
                "warning: {}: skipped {} malformed lines",
                escape::control(&r.source),
                r.skipped_lines
            );
        }
        reports.push(r);
    }
    emit_table(
        args.output.as_deref(),
        args.format,
        args.excel.excel_safe,
        |out| write_calibration(args.format, &reports, args.rms_variant, out),
    )?;
    Ok(ExitCode::SUCCESS)
}
