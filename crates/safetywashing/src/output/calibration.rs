//! Rendering of `calibrate`: accuracy, Brier score and RMS calibration
//! errors (the paper's and Hendrycks et al.'s, with their noise floors) per
//! samples file, as text, JSON or CSV.

use super::Format;
use crate::calibration::{CalibrationReport, NOISE_FLOOR_REPLICATES, RmsVariant};
use crate::escape;
use std::io::{self, Write};

/// The formats calibration reports have.
pub const CALIBRATION_FORMATS: [Format; 3] = [Format::Text, Format::Json, Format::Csv];

/// Write `reports` in `format` (text shows the RMS calibration error and
/// temperature of `variant`, each RMS error beside its noise floor; JSON and
/// CSV carry every variant). Markdown is not offered (see
/// [`CALIBRATION_FORMATS`]) and is written as text.
pub fn write_calibration(
    format: Format,
    reports: &[CalibrationReport],
    variant: RmsVariant,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut *out, reports)?;
            out.write_all(b"\n")
        }
        Format::Csv => write_csv(reports, out),
        Format::Text | Format::Markdown => out.write_all(text(reports, variant).as_bytes()),
    }
}

fn opt(v: Option<f64>) -> String {
    v.map_or(String::new(), |x| x.to_string())
}

fn write_csv(reports: &[CalibrationReport], out: &mut dyn Write) -> io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record([
        "file",
        "n",
        "skipped_lines",
        "accuracy",
        "brier",
        "rmsce_paper",
        "rmsce_paper_floor",
        "temperature_paper",
        "paper_n_fit",
        "paper_n_tuned",
        "brier_temp_tuned_paper",
        "rmsce_temp_tuned_paper",
        "rmsce_temp_tuned_paper_floor",
        "rmsce_reference",
        "rmsce_reference_floor",
        "rmsce_corrected",
        "rmsce_corrected_floor",
        "temperature",
        "tuned_n_fit",
        "tuned_n",
        "brier_temp_tuned",
        "rmsce_temp_tuned_reference",
        "rmsce_temp_tuned_reference_floor",
        "rmsce_temp_tuned_corrected",
        "rmsce_temp_tuned_corrected_floor",
    ])?;
    for r in reports {
        let (t, p) = (&r.tuned, &r.paper);
        let (rms, floor) = (
            &r.rms_calibration_error,
            &r.rms_calibration_error_noise_floor,
        );
        let (t_rms, t_floor) = (
            &t.rms_calibration_error,
            &t.rms_calibration_error_noise_floor,
        );
        w.write_record([
            escape::control(&r.source).into_owned(),
            r.n.to_string(),
            r.skipped_lines.to_string(),
            r.accuracy.to_string(),
            r.brier.to_string(),
            p.rmsce.to_string(),
            p.rmsce_noise_floor.to_string(),
            p.temperature.to_string(),
            p.n_fit.to_string(),
            p.n_tuned.to_string(),
            p.brier_temp_tuned.to_string(),
            p.rmsce_temp_tuned.to_string(),
            p.rmsce_temp_tuned_noise_floor.to_string(),
            opt(rms.reference),
            opt(floor.reference),
            opt(rms.corrected),
            opt(floor.corrected),
            t.temperature.to_string(),
            t.n_fit.to_string(),
            t.n.to_string(),
            opt(t.brier),
            opt(t_rms.reference),
            opt(t_floor.reference),
            opt(t_rms.corrected),
            opt(t_floor.corrected),
        ])?;
    }
    w.flush()
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
        "floor",
        "T",
        "brier tuned",
        "rmsce tuned",
        "floor",
    ]
    .map(str::to_string);
    let mut rows = vec![header.to_vec()];
    for r in reports {
        let name = std::path::Path::new(&r.source)
            .file_name()
            .map_or(r.source.clone(), |n| n.to_string_lossy().into_owned());
        let name = escape::control(&name).into_owned();
        let h = r.headline(variant);
        rows.push(vec![
            name,
            r.n.to_string(),
            f4(Some(r.accuracy)),
            f4(Some(r.brier)),
            f4(h.rmsce),
            f4(h.rmsce_noise_floor),
            format!("{:.3}", h.temperature),
            f4(h.brier_temp_tuned),
            f4(h.rmsce_temp_tuned),
            f4(h.rmsce_temp_tuned_noise_floor),
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
    out.push_str(&format!(
        "floor: the RMS calibration error a perfectly calibrated model gets with the same \
         confidences and sample size (mean of {NOISE_FLOOR_REPLICATES} simulations)\n"
    ));
    out
}
