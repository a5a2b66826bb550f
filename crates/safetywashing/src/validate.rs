//! Validating a benchmark matrix (and its info table) without stopping at the
//! first problem.
//!
//! Loading ([`crate::load`]) stops at the first bad cell, which is right for
//! an analysis but slow for fixing a file. Here every problem is collected,
//! each with its file, line and column:
//!
//! - **errors** make the file unusable: broken CSV structure, empty or
//!   duplicate column headers, empty or duplicate model ids, cells that are
//!   neither numbers nor missing values, an unreadable info table;
//! - **warnings** are legal but suspicious: benchmarks without an info row,
//!   info rows for benchmarks not in the matrix, metrics without a direction
//!   arrow, all-missing or constant columns (dropped by the analysis),
//!   accuracy-like metrics outside [0, 1], a percent among fractions, and a
//!   model missing most benchmarks.

use crate::load::csv_reader;
use crate::load::{Direction, MatrixFormat, parse_cell, parse_info};
use serde::Serialize;
use std::collections::HashMap;
use std::fmt;

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The file cannot be used as it is.
    Error,
    /// Legal but probably wrong.
    Warning,
}

/// One problem found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Error or warning.
    pub severity: Severity,
    /// File (path as given).
    pub file: String,
    /// 1-based line, when the problem has one.
    pub line: Option<u64>,
    /// Column header, when the problem is in a column.
    pub column: Option<String>,
    /// What is wrong and what was expected.
    pub message: String,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(l) = self.line {
            write!(f, ":{l}")?;
        }
        let word = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, ": {word}: ")?;
        if let Some(c) = &self.column {
            write!(f, "column '{c}': ")?;
        }
        f.write_str(&self.message)
    }
}

/// Thresholds of the heuristic warnings.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidateOptions {
    /// How to read the matrix.
    pub format: MatrixFormat,
    /// Warn about a model missing more than this share of benchmarks.
    pub mostly_missing: f64,
}

impl Default for ValidateOptions {
    fn default() -> Self {
        ValidateOptions {
            format: MatrixFormat::default(),
            mostly_missing: 0.5,
        }
    }
}

/// Everything found, errors first, then in file and line order.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Validation {
    /// The findings.
    pub findings: Vec<Finding>,
}

impl Validation {
    /// Number of errors.
    pub fn errors(&self) -> usize {
        self.count(Severity::Error)
    }

    /// Number of warnings.
    pub fn warnings(&self) -> usize {
        self.count(Severity::Warning)
    }

    fn count(&self, s: Severity) -> usize {
        self.findings.iter().filter(|f| f.severity == s).count()
    }
}

/// Collects findings for one file.
struct Sink<'a> {
    file: &'a str,
    out: &'a mut Vec<Finding>,
}

impl Sink<'_> {
    fn push(
        &mut self,
        severity: Severity,
        line: Option<u64>,
        column: Option<&str>,
        message: String,
    ) {
        self.out.push(Finding {
            severity,
            file: self.file.to_string(),
            line,
            column: column.map(str::to_string),
            message,
        });
    }
}

/// One numeric column as read.
struct NumericColumn {
    header: String,
    benchmark: bool,
    /// (line, value) for every parsed cell, missing ones as NaN.
    cells: Vec<(u64, f64)>,
}

/// What the matrix pass learned, for the info checks.
struct MatrixSummary {
    header_line: u64,
    benchmarks: Vec<String>,
    columns: Vec<NumericColumn>,
}

/// Validate a matrix held in memory, and optionally its info table.
pub fn validate(
    matrix: &[u8],
    matrix_source: &str,
    info: Option<(&[u8], &str)>,
    options: &ValidateOptions,
) -> Validation {
    let mut findings = Vec::new();
    let summary = check_matrix(
        matrix,
        &mut Sink {
            file: matrix_source,
            out: &mut findings,
        },
        options,
    );
    if let Some(summary) = &summary {
        check_columns(
            summary,
            &mut Sink {
                file: matrix_source,
                out: &mut findings,
            },
        );
    }
    if let Some((bytes, source)) = info {
        check_info(
            bytes,
            (source, matrix_source),
            summary.as_ref(),
            &options.format,
            &mut findings,
        );
    }
    // Stable: errors first, each file's findings in line order.
    findings.sort_by(|a, b| {
        a.severity
            .cmp(&b.severity)
            .then_with(|| a.file.cmp(&b.file))
            .then_with(|| a.line.cmp(&b.line))
    });
    Validation { findings }
}

fn check_matrix(bytes: &[u8], sink: &mut Sink, options: &ValidateOptions) -> Option<MatrixSummary> {
    use Severity::*;
    let format = &options.format;
    let mut reader = csv_reader(bytes);
    let mut records = reader.byte_records();
    let header = match records.next() {
        None => {
            sink.push(
                Error,
                None,
                None,
                "the file is empty: expected a header row".into(),
            );
            return None;
        }
        Some(Err(e)) => {
            sink.push(
                Error,
                e.position().map(|p| p.line()),
                None,
                format!("not valid CSV: {e}"),
            );
            return None;
        }
        Some(Ok(r)) => r,
    };
    let header_line = header.position().map_or(1, |p| p.line());
    let mut headers = Vec::with_capacity(header.len());
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (i, raw) in header.iter().enumerate() {
        let h = String::from_utf8_lossy(raw).trim().to_string();
        if h.is_empty() && i > 0 {
            sink.push(
                Error,
                Some(header_line),
                None,
                format!("column {} has an empty header", i + 1),
            );
        } else if let Some(first) = seen.insert(h.clone(), i) {
            sink.push(
                Error,
                Some(header_line),
                Some(&h),
                format!(
                    "duplicate column header (columns {} and {})",
                    first + 1,
                    i + 1
                ),
            );
        }
        headers.push(h);
    }
    let model_index = match &format.model_column {
        None => 0,
        Some(name) => match headers.iter().position(|h| h == name) {
            Some(i) => i,
            None => {
                sink.push(
                    Error,
                    Some(header_line),
                    None,
                    format!("no model column '{name}'"),
                );
                return None;
            }
        },
    };
    let compute = format.compute_column.as_deref();
    let mut columns: Vec<Option<NumericColumn>> = headers
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let meta = format.meta_columns.iter().any(|m| m == h);
            (i != model_index && !meta).then(|| NumericColumn {
                header: h.clone(),
                benchmark: Some(h.as_str()) != compute,
                cells: Vec::new(),
            })
        })
        .collect();
    let n_benchmarks = columns.iter().flatten().filter(|c| c.benchmark).count();
    let mut models: HashMap<String, u64> = HashMap::new();
    for record in records {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                sink.push(
                    Error,
                    e.position().map(|p| p.line()),
                    None,
                    format!("not valid CSV: {e}"),
                );
                break;
            }
        };
        let line = record.position().map_or(0, |p| p.line());
        if record.len() == 1 && record[0].is_empty() {
            continue;
        }
        if record.len() != headers.len() {
            sink.push(
                Error,
                Some(line),
                None,
                format!(
                    "expected {} fields like the header, found {}",
                    headers.len(),
                    record.len()
                ),
            );
            continue;
        }
        let id = String::from_utf8_lossy(&record[model_index])
            .trim()
            .to_string();
        if id.is_empty() {
            sink.push(
                Error,
                Some(line),
                Some(&headers[model_index]),
                "the model id is empty".into(),
            );
        } else if let Some(first) = models.insert(id.clone(), line) {
            sink.push(
                Error,
                Some(line),
                Some(&headers[model_index]),
                format!("duplicate model id '{id}' (first on line {first})"),
            );
        }
        let mut missing = 0;
        for (col, slot) in columns.iter_mut().enumerate() {
            let Some(c) = slot else { continue };
            let text = String::from_utf8_lossy(&record[col]);
            match parse_cell(&text) {
                Ok(v) => {
                    missing += usize::from(v.is_none() && c.benchmark);
                    c.cells.push((line, v.unwrap_or(f64::NAN)));
                }
                Err(expected) => sink.push(
                    Error,
                    Some(line),
                    Some(&c.header),
                    format!("expected {expected}, found '{}'", text.trim()),
                ),
            }
        }
        if n_benchmarks > 0 && missing as f64 > options.mostly_missing * n_benchmarks as f64 {
            sink.push(
                Warning,
                Some(line),
                None,
                format!("model '{id}' has no value for {missing} of {n_benchmarks} benchmarks"),
            );
        }
    }
    let columns: Vec<NumericColumn> = columns.into_iter().flatten().collect();
    Some(MatrixSummary {
        header_line,
        benchmarks: columns
            .iter()
            .filter(|c| c.benchmark)
            .map(|c| c.header.clone())
            .collect(),
        columns,
    })
}

/// All-missing, constant, and percent-among-fractions columns.
fn check_columns(summary: &MatrixSummary, sink: &mut Sink) {
    use Severity::Warning;
    let line = Some(summary.header_line);
    for c in summary.columns.iter().filter(|c| c.benchmark) {
        let present: Vec<(u64, f64)> = c
            .cells
            .iter()
            .copied()
            .filter(|(_, v)| !v.is_nan())
            .collect();
        let Some(&(_, first)) = present.first() else {
            sink.push(
                Warning,
                line,
                Some(&c.header),
                "every value is missing (the analysis drops it)".into(),
            );
            continue;
        };
        if present.iter().all(|(_, v)| *v == first) {
            sink.push(
                Warning,
                line,
                Some(&c.header),
                format!("every value is {first} (constant: no correlation is defined; the analysis drops it)"),
            );
            continue;
        }
        let fractions = present
            .iter()
            .filter(|(_, v)| (0.0..=1.0).contains(v))
            .count();
        if present.len() >= 4 && fractions * 4 >= present.len() * 3 && fractions < present.len() {
            for (l, v) in present.iter().filter(|(_, v)| *v > 1.0 && *v <= 100.0) {
                sink.push(
                    Warning,
                    Some(*l),
                    Some(&c.header),
                    format!("{v} looks like a percent among fractions ({fractions} of {} values are between 0 and 1)", present.len()),
                );
            }
        }
    }
}

/// Info-table checks: readable, each benchmark described, each row used,
/// each metric with a direction, accuracy-like metrics in [0, 1].
fn check_info(
    bytes: &[u8],
    (source, matrix_source): (&str, &str),
    matrix: Option<&MatrixSummary>,
    format: &MatrixFormat,
    out: &mut Vec<Finding>,
) {
    use Severity::*;
    // Rows describing metadata columns (model size, FLOP, ...) need no
    // direction and are not benchmarks.
    let is_meta = |id: &str| {
        format.meta_columns.iter().any(|m| m == id) || format.compute_column.as_deref() == Some(id)
    };
    let mut sink = Sink { file: source, out };
    let table = match parse_info(bytes, source) {
        Ok(t) => t,
        Err(e) => {
            let (line, message) = match e {
                crate::load::LoadError::AtLine { line, message, .. } => (Some(line), message),
                other => (None, other.to_string()),
            };
            sink.push(Error, line, None, message);
            return;
        }
    };
    let lines = info_lines(bytes);
    let line_of = |b: &str| lines.get(b).copied();
    for e in table.entries.iter().filter(|e| !is_meta(&e.benchmark)) {
        if e.direction == Direction::Unspecified {
            sink.push(
                Warning,
                line_of(&e.benchmark),
                None,
                format!(
                    "metric '{}' of '{}' has no direction arrow (↑ higher is better, ↓ lower is better)",
                    e.metric, e.benchmark
                ),
            );
        }
    }
    let Some(m) = matrix else { return };
    for e in table.entries.iter().filter(|e| !is_meta(&e.benchmark)) {
        if !m.benchmarks.contains(&e.benchmark) {
            sink.push(
                Warning,
                line_of(&e.benchmark),
                None,
                format!(
                    "info row for '{}', which is not a benchmark of {matrix_source}",
                    e.benchmark
                ),
            );
        }
    }
    let mut sink = Sink {
        file: matrix_source,
        out: sink.out,
    };
    for c in m.columns.iter().filter(|c| c.benchmark) {
        let Some(e) = table.get(&c.header) else {
            sink.push(
                Warning,
                Some(m.header_line),
                Some(&c.header),
                format!("no info row in {source} (no display name or metric direction)"),
            );
            continue;
        };
        let metric = e.metric.to_lowercase();
        if !(metric.contains("accuracy") || metric.contains("exact match")) {
            continue;
        }
        let present = c.cells.iter().map(|(_, v)| *v).filter(|v| !v.is_nan());
        let (lo, hi) = present.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
        if lo < 0.0 || hi > 1.0 {
            let hint = if lo >= 0.0 && hi <= 100.0 {
                " (percentages?)"
            } else {
                ""
            };
            sink.push(
                Warning,
                Some(m.header_line),
                Some(&c.header),
                format!(
                    "metric '{}' is a proportion, but values range from {lo} to {hi}{hint}",
                    e.metric
                ),
            );
        }
    }
}

/// Line of each benchmark id in an info table.
fn info_lines(bytes: &[u8]) -> HashMap<String, u64> {
    let mut reader = csv_reader(bytes);
    let mut lines = HashMap::new();
    for r in reader.byte_records().flatten() {
        if let (Some(first), Some(p)) = (r.get(0), r.position()) {
            lines
                .entry(String::from_utf8_lossy(first).trim().to_string())
                .or_insert(p.line());
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(matrix: &str, info: Option<&str>) -> Vec<String> {
        validate(
            matrix.as_bytes(),
            "m.csv",
            info.map(|i| (i.as_bytes(), "i.csv")),
            &ValidateOptions::default(),
        )
        .findings
        .iter()
        .map(|f| f.to_string())
        .collect()
    }

    #[test]
    fn collects_every_error_with_line_and_column() {
        let got = run("model,a,a,b\nx,1,2,3\nx,77%,5,4\n,1,2\ny,3,4,abc\n", None);
        assert_eq!(
            got,
            vec![
                "m.csv:1: error: column 'a': duplicate column header (columns 2 and 3)",
                "m.csv:3: error: column 'model': duplicate model id 'x' (first on line 2)",
                "m.csv:3: error: column 'a': expected a number without a percent sign (write 77 or 0.77, not 77%), found '77%'",
                "m.csv:4: error: expected 4 fields like the header, found 3",
                "m.csv:5: error: column 'b': expected a number, or an empty cell / NaN / NA for a missing value, found 'abc'",
            ]
        );
    }

    #[test]
    fn warnings_for_suspicious_columns_and_models() {
        let got = run(
            "model,frac,empty,same,FLOP\nm1,0.5,,3,1\nm2,0.6,,3,2\nm3,0.7,NaN,3,3\nm4,71,,3,4\nm5,0.2,,,5\n",
            None,
        );
        assert_eq!(
            got,
            vec![
                "m.csv:1: warning: column 'empty': every value is missing (the analysis drops it)",
                "m.csv:1: warning: column 'same': every value is 3 (constant: no correlation is defined; the analysis drops it)",
                "m.csv:5: warning: column 'frac': 71 looks like a percent among fractions (4 of 5 values are between 0 and 1)",
                "m.csv:6: warning: model 'm5' has no value for 2 of 3 benchmarks",
            ]
        );
    }

    #[test]
    fn info_checks() {
        let info = "benchmark,name,metric\nacc,Acc,Accuracy (↑)\nscore,Score,Score\nghost,Ghost,Accuracy (↑)\nFLOP,FLOP,FLOP\n";
        let got = run(
            "model,acc,score,undocumented\nm1,55,1,1\nm2,60,2,2\n",
            Some(info),
        );
        assert_eq!(
            got,
            vec![
                "i.csv:3: warning: metric 'Score' of 'score' has no direction arrow (↑ higher is better, ↓ lower is better)",
                "i.csv:4: warning: info row for 'ghost', which is not a benchmark of m.csv",
                "m.csv:1: warning: column 'acc': metric 'Accuracy (↑)' is a proportion, but values range from 55 to 60 (percentages?)",
                "m.csv:1: warning: column 'undocumented': no info row in i.csv (no display name or metric direction)",
            ]
        );
        let bad = run("model,a\nm,1\nn,2\n", Some("benchmark,name\n"));
        assert_eq!(
            bad,
            vec!["i.csv:1: error: expected 3 fields (benchmark,name,metric), found 2"]
        );
    }
}
