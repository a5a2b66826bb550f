//! Rendering analyses: one exporter per format, all behind [`Exporter`].
//!
//! Exporters only format; they never compute. Text and Markdown are for people
//! (percentages with one decimal, like the paper); JSON and CSV carry full f64
//! precision for programs. An undefined number is `null` in JSON, an empty
//! cell in CSV and `–` in text, never NaN.

mod csv;
mod json;
mod markdown;
mod residuals;
mod text;
mod uncertainty;

pub use self::csv::CsvExporter;
pub use self::json::{JsonExporter, analysis_json};
pub use self::markdown::MarkdownExporter;
pub use self::residuals::export_residuals;
pub use self::text::TextExporter;

use crate::analysis::Analysis;
use std::fmt;
use std::io::{self, Write};
use std::str::FromStr;

/// A way to render analyses as bytes.
pub trait Exporter {
    /// Write the analyses (one or several matrices, in argument order) to
    /// `out` as they are rendered (matrix by matrix, or row by row for CSV).
    fn export(&self, analyses: &[Analysis], out: &mut dyn Write) -> io::Result<()>;

    /// The rendered analyses as bytes.
    fn export_to_vec(&self, analyses: &[Analysis]) -> Vec<u8> {
        let mut bytes = Vec::new();
        // Writing into a Vec cannot fail.
        let _ = self.export(analyses, &mut bytes);
        bytes
    }
}

/// Output formats of `analyze`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Human-readable report.
    Text,
    /// Machine-readable, full precision.
    Json,
    /// One row per benchmark.
    Csv,
    /// The text report as Markdown tables.
    Markdown,
}

impl Format {
    /// The exporter for this format.
    pub fn exporter(self) -> Box<dyn Exporter> {
        match self {
            Format::Text => Box::new(TextExporter),
            Format::Json => Box::new(JsonExporter),
            Format::Csv => Box::new(CsvExporter),
            Format::Markdown => Box::new(MarkdownExporter),
        }
    }
}

impl FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "text" => Ok(Format::Text),
            "json" => Ok(Format::Json),
            "csv" => Ok(Format::Csv),
            "markdown" | "md" => Ok(Format::Markdown),
            other => Err(format!(
                "unknown format '{other}': expected text, json, csv or markdown"
            )),
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Format::Text => "text",
            Format::Json => "json",
            Format::Csv => "csv",
            Format::Markdown => "markdown",
        })
    }
}

/// A correlation as the paper prints it: a percentage with one decimal, or
/// `–` when undefined.
///
/// ```
/// use safetywashing::output::percent;
/// assert_eq!(percent(Some(0.7825708728805778)), "78.3%");
/// assert_eq!(percent(None), "–");
/// ```
pub fn percent(value: Option<f64>) -> String {
    match value {
        Some(v) if v.is_finite() => format!("{:.1}%", v * 100.0),
        _ => "–".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_like_the_paper() {
        assert_eq!(percent(Some(0.7825708728805778)), "78.3%");
        assert_eq!(percent(Some(-0.05)), "-5.0%");
        assert_eq!(percent(None), "–");
        assert_eq!(percent(Some(f64::NAN)), "–");
    }
}
