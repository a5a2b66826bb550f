//! Rendering results: one exporter per format, all behind [`Exporter`], and
//! one [`Format`] for every command.
//!
//! Exporters only format; they never compute. Text and Markdown are for people
//! (percentages with one decimal, like the paper); JSON and CSV carry full f64
//! precision for programs. An undefined number is `null` in JSON, an empty
//! cell in CSV and `–` in text, never NaN. JSON comes from typed
//! `Serialize` structs, CSV from typed rows, and every table for people from
//! one [`Table`] (plain or Markdown), which escapes every name from a file
//! ([`crate::escape`]).
//!
//! Inside this module the imports point one way: `table` and `uncertainty`
//! (typed cells) at the bottom, then `json`, `csv`, `text`, then
//! `markdown` and `residuals`.

mod calibration;
mod csv;
pub mod json;
mod markdown;
mod residuals;
mod table;
mod text;
mod uncertainty;
mod validation;

pub use self::calibration::{CALIBRATION_FORMATS, write_calibration};
pub use self::csv::CsvExporter;
pub use self::json::{AnalysisJson, JsonExporter, analysis_json, write_analysis};
pub use self::markdown::MarkdownExporter;
pub use self::residuals::{export_residuals, write_residuals};
pub use self::table::Table;
pub use self::table::set_plain_width;
pub use self::text::TextExporter;
pub use self::validation::{VALIDATION_FORMATS, write_validation};
pub use crate::numbers::percent;

use crate::uncertainty::FullAnalysis;
use std::fmt;
use std::io::{self, Write};
use std::str::FromStr;

/// A way to render analyses as bytes.
pub trait Exporter {
    /// Write the analyses (one or several matrices, in argument order) to
    /// `out` as they are rendered (matrix by matrix, or row by row for CSV).
    fn export(&self, analyses: &[FullAnalysis], out: &mut dyn Write) -> io::Result<()>;

    /// The rendered analyses as bytes.
    fn export_to_vec(&self, analyses: &[FullAnalysis]) -> Vec<u8> {
        let mut bytes = Vec::new();
        // Writing into a Vec cannot fail.
        let _ = self.export(analyses, &mut bytes);
        bytes
    }
}

/// Output formats: one enum for every command (a command offers the
/// formats its result has).
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
    /// Every format.
    pub const ALL: [Format; 4] = [Format::Text, Format::Json, Format::Csv, Format::Markdown];

    /// The format's name (`text`, `json`, `csv`, `markdown`).
    pub fn name(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Json => "json",
            Format::Csv => "csv",
            Format::Markdown => "markdown",
        }
    }

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

impl Format {
    /// Parse a format name (`md` for Markdown too) among the formats a
    /// command offers; the error names them.
    pub fn parse_among(name: &str, offered: &[Format]) -> Result<Format, String> {
        let list = || {
            let names: Vec<&str> = offered.iter().map(|f| f.name()).collect();
            match names.split_last() {
                Some((last, [])) => last.to_string(),
                Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
                None => String::new(),
            }
        };
        let found = Format::ALL
            .into_iter()
            .find(|f| f.name() == name || (name == "md" && *f == Format::Markdown));
        match found {
            Some(f) if offered.contains(&f) => Ok(f),
            Some(f) => Err(format!(
                "format '{f}' is not offered here: expected {}",
                list()
            )),
            None => Err(format!("unknown format '{name}': expected {}", list())),
        }
    }
}

impl FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Format::parse_among(s, &Format::ALL)
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A number as a CSV cell: full precision, empty when undefined.
pub(crate) fn csv_number(value: Option<f64>) -> String {
    value
        .filter(|v| v.is_finite())
        .map_or(String::new(), |v| v.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_format_parser_for_every_command() {
        assert_eq!("md".parse::<Format>(), Ok(Format::Markdown));
        assert_eq!(
            "xml".parse::<Format>().unwrap_err(),
            "unknown format 'xml': expected text, json, csv or markdown"
        );
        let offered = [Format::Text, Format::Json];
        assert_eq!(Format::parse_among("json", &offered), Ok(Format::Json));
        assert_eq!(
            Format::parse_among("csv", &offered).unwrap_err(),
            "format 'csv' is not offered here: expected text or json"
        );
    }
}
