//! `safetywashing calibrate`: accuracy, Brier score and RMS calibration
//! error of lm-eval per-sample files.

use super::emit;
use anyhow::{Result, bail};
use clap::Args;
use safetywashing::calibration::{
    CalibrationOptions, CalibrationReport, DEFAULT_BIN_SIZE, RmsVariant, calibrate_file,
};
use std::path::PathBuf;
use std::process::ExitCode;

/// Flags of `calibrate`.
#[derive(Debug, Args)]
#[command(after_help = "\
Reads lm-evaluation-harness samples files of multiple-choice tasks (written
with --log_samples): softmax over each question's choice log-likelihoods gives
the confidence (max probability); the answer is correct when the argmax is the
gold index. Accuracy and Brier score equal lm-eval's acc and brier_score.

RMS calibration error uses adaptive bins of --bin-size samples sorted by
confidence. 'reference' is calib_err(p='2', beta=100) of Hendrycks et al., as
published numbers use it: its loop skips the last bin but still divides by N
(0 for fewer than 2 bins, undefined for fewer samples than one bin).
'corrected' includes every bin. Both are always in json/csv output.

Temperature-tuned metrics fit one T minimising the mean NLL of softmax(ll/T)
(T in [0.01, 100]) on all samples, or on a seeded random --tune-split fraction,
reported on the rest. Files are streamed (memory: a few bytes per choice).

Examples:
  safetywashing calibrate out/org__model/samples_mmlu_*.jsonl
  safetywashing calibrate samples_*.jsonl --format csv -o calibration.csv
  safetywashing calibrate s.jsonl --tune-split 0.5 --seed 1 --rms-variant corrected")]
pub struct CalibrateArgs {
    /// lm-eval samples files (`samples_<task>_<timestamp>.jsonl`).
    #[arg(value_name = "SAMPLES.jsonl", required = true)]
    pub files: Vec<PathBuf>,

    /// Output format: text, json or csv.
    #[arg(long, default_value = "text", value_parser = ["text", "json", "csv"])]
    pub format: String,

    /// RMS calibration error shown in text output: reference or corrected.
    #[arg(long, default_value = "reference", value_parser = clap::value_parser!(RmsVariant))]
    pub rms_variant: RmsVariant,

    /// Samples per adaptive bin.
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
    let mut reports = Vec::with_capacity(args.files.len());
    for f in &args.files {
        let r = calibrate_file(f, &options)?;
        if r.skipped_lines > 0 {
            eprintln!(
                "warning: {}: skipped {} malformed lines",
                r.source, r.skipped_lines
            );
        }
        reports.push(r);
    }
    let bytes = match args.format.as_str() {
        "json" => {
            let mut b = serde_json::to_vec_pretty(&reports)?;
            b.push(b'\n');
            b
        }
        "csv" => csv_bytes(&reports)?,
        _ => text(&reports, args.rms_variant).into_bytes(),
    };
    emit(&bytes, args.output.as_deref())?;
    Ok(ExitCode::SUCCESS)
}

fn opt(v: Option<f64>) -> String {
    v.map_or(String::new(), |x| x.to_string())
}

fn csv_bytes(reports: &[CalibrationReport]) -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "file",
        "n",
        "skipped_lines",
        "accuracy",
        "brier",
        "rmsce_reference",
        "rmsce_corrected",
        "temperature",
        "tuned_n_fit",
        "tuned_n",
        "brier_temp_tuned",
        "rmsce_temp_tuned_reference",
        "rmsce_temp_tuned_corrected",
    ])?;
    for r in reports {
        let t = &r.tuned;
        w.write_record([
            r.source.clone(),
            r.n.to_string(),
            r.skipped_lines.to_string(),
            r.accuracy.to_string(),
            r.brier.to_string(),
            opt(r.rms_calibration_error.reference),
            opt(r.rms_calibration_error.corrected),
            t.temperature.to_string(),
            t.n_fit.to_string(),
            t.n.to_string(),
            opt(t.brier),
            opt(t.rms_calibration_error.reference),
            opt(t.rms_calibration_error.corrected),
        ])?;
    }
    Ok(w.into_inner()?)
}

fn text(reports: &[CalibrationReport], variant: RmsVariant) -> String {
    let f4 = |v: Option<f64>| v.map_or("–".to_string(), |x| format!("{x:.4}"));
    let rms = format!("rmsce ({})", variant.as_str());
    let header = [
        "file",
        "n",
        "accuracy",
        "brier",
        &rms,
        "T",
        "brier tuned",
        "rmsce tuned",
    ]
    .map(str::to_string);
    let mut rows = vec![header.to_vec()];
    for r in reports {
        let name = std::path::Path::new(&r.source)
            .file_name()
            .map_or(r.source.clone(), |n| n.to_string_lossy().into_owned());
        rows.push(vec![
            name,
            r.n.to_string(),
            f4(Some(r.accuracy)),
            f4(Some(r.brier)),
            f4(r.rms_calibration_error.get(variant)),
            format!("{:.3}", r.tuned.temperature),
            f4(r.tuned.brier),
            f4(r.tuned.rms_calibration_error.get(variant)),
        ]);
    }
    let widths: Vec<usize> = (0..header.len())
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for row in &rows {
        let cells: Vec<String> = row
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(c, (cell, w))| {
                if c == 0 {
                    format!("{cell:<w$}")
                } else {
                    format!("{cell:>w$}")
                }
            })
            .collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    out
}
