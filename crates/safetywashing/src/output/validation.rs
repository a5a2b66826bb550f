//! Rendering of `validate`: every finding, one line each, and a count; or
//! the same as JSON.

use super::Format;
use crate::escape;
use crate::validate::{Finding, Severity, Validation};
use serde::Serialize;
use std::io::{self, Write};

/// The formats a validation has.
pub const VALIDATION_FORMATS: [Format; 2] = [Format::Text, Format::Json];

/// The JSON object of a validation.
#[derive(Serialize)]
struct ValidationJson<'a> {
    errors: usize,
    warnings: usize,
    findings: &'a [Finding],
}

/// Write the findings of `result` in `format`: text is one line per
/// finding, control characters from the files escaped, then for each of
/// `files` (the matrix, then its info table) `FILE: N error(s), N
/// warning(s)`, counting that file's findings. Only text and JSON are
/// offered ([`VALIDATION_FORMATS`]); another format is written as text.
pub fn write_validation(
    format: Format,
    result: &Validation,
    files: &[&str],
    out: &mut dyn Write,
) -> io::Result<()> {
    if format == Format::Json {
        let json = ValidationJson {
            errors: result.errors(),
            warnings: result.warnings(),
            findings: &result.findings,
        };
        serde_json::to_writer_pretty(&mut *out, &json)?;
        return out.write_all(b"\n");
    }
    for f in &result.findings {
        writeln!(out, "{}", escape::control(&f.to_string()))?;
    }
    // One count line per file checked, each counting its own findings.
    for file in files {
        let of = |s: Severity| result.count_in(file, s);
        writeln!(
            out,
            "{}: {}, {}",
            escape::control(file),
            crate::words::count(of(Severity::Error), "error", "errors"),
            crate::words::count(of(Severity::Warning), "warning", "warnings")
        )?;
    }
    Ok(())
}
