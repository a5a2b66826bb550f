//! Rendering of `calibrate`: accuracy, Brier score and RMS calibration
//! error per samples file, as text, JSON or CSV.

use super::Format;
use crate::calibration::{CalibrationReport, RmsVariant};
use crate::escape;
use std::io::{self, Write};

/// The formats calibration reports have.
pub const CALIBRATION_FORMATS: [Format; 3] = [Format::Text, Format::Json, Format::Csv];

/// Write `reports` in `format` (text shows the RMS calibration error of
/// `variant`; JSON and CSV carry both). Markdown is not offered (see
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
            escape::control(&r.source).into_owned(),
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
        let name = escape::control(&name).into_owned();
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
