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

use crate::load::{Direction, InfoRead, MatrixFormat, MatrixRead, read_info, read_matrix};
use crate::records::{self, Policy, Problem, Problems};
use serde::Serialize;
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

    /// Number of findings of severity `s` in `file` (as the path was given).
    pub fn count_in(&self, file: &str, s: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.file == file && f.severity == s)
            .count()
    }
}

impl Finding {
    /// The finding for a problem the reader (or a check here) found in `file`.
    fn from_problem(problem: Problem, file: &str) -> Finding {
        Finding {
            severity: if problem.warning {
                Severity::Warning
            } else {
                Severity::Error
            },
            file: file.to_string(),
            line: problem.line,
            column: problem.column.map(|c| c.header),
            message: problem.message,
        }
    }
}

/// Validate a matrix held in memory, and optionally its info table.
///
/// The matrix and the info table are read by the same readers as for an
/// analysis ([`read_matrix`], [`read_info`]), collecting every problem
/// instead of stopping at the first; the warnings are checked here.
pub fn validate(
    matrix: &[u8],
    matrix_source: &str,
    info: Option<(&[u8], &str)>,
    options: &ValidateOptions,
) -> Validation {
    let mut matrix_problems = Problems::new(Policy::CollectAll);
    let read = read_matrix(matrix, matrix_source, &options.format, &mut matrix_problems);
    if let Some(read) = &read {
        if read.matrix.benchmarks.is_empty() {
            // Well-formed (it loads, and `add` can fill it), but nothing to
            // analyse: a warning, so validate still refuses exactly what
            // loading refuses.
            matrix_problems.warn(Problem::at(
                Some(read.header_line),
                "no benchmark columns: a matrix has a model column and one column per benchmark",
            ));
        }
        row_warnings(read, options, &mut matrix_problems);
        column_warnings(read, &mut matrix_problems);
    }
    let mut info_problems = Problems::new(Policy::CollectAll);
    // An info table with errors is reported as such; its warnings would be
    // about a table that is not what the author meant.
    if let Some((bytes, source)) = info
        && let Some(table) = read_info(bytes, &mut info_problems)
        && !info_problems.has_error()
    {
        let files = Files {
            info: source,
            matrix: matrix_source,
        };
        info_warnings(
            &table,
            read.as_ref(),
            &options.format,
            files,
            (&mut info_problems, &mut matrix_problems),
        );
    }
    let mut findings: Vec<Finding> = matrix_problems
        .into_vec()
        .into_iter()
        .map(|p| Finding::from_problem(p, matrix_source))
        .collect();
    if let Some((_, source)) = info {
        findings.extend(
            info_problems
                .into_vec()
                .into_iter()
                .map(|p| Finding::from_problem(p, source)),
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

/// A problem in column `header` of the matrix, at `line`.
fn in_column(read: &MatrixRead, line: u64, header: &str, message: String) -> Problem {
    let number = read
        .headers
        .iter()
        .position(|h| h == header)
        .map_or(0, |i| i + 1);
    Problem::in_column(line, number, header, message)
}

/// A model missing most benchmarks.
fn row_warnings(read: &MatrixRead, options: &ValidateOptions, problems: &mut Problems) {
    let benchmarks = &read.matrix.benchmarks;
    let n = benchmarks.len();
    if n == 0 {
        return;
    }
    for (row, (model, &line)) in read.matrix.models.iter().zip(&read.row_lines).enumerate() {
        let missing = benchmarks.iter().filter(|c| c.values[row].is_nan()).count();
        if missing as f64 > options.mostly_missing * n as f64 {
            let message = format!(
                "model '{}' has no value for {missing} of {}",
                records::shown(model),
                crate::words::count(n, "benchmark", "benchmarks")
            );
            problems.warn(Problem::at(Some(line), message));
        }
    }
}

/// All-missing, constant, and percent-among-fractions columns.
fn column_warnings(read: &MatrixRead, problems: &mut Problems) {
    let header_line = read.header_line;
    for c in &read.matrix.benchmarks {
        let present: Vec<(u64, f64)> = read
            .row_lines
            .iter()
            .copied()
            .zip(c.values.iter().copied())
            .filter(|(_, v)| !v.is_nan())
            .collect();
        let Some(&(_, first)) = present.first() else {
            let message = "every value is missing (the analysis drops it)".to_string();
            problems.warn(in_column(read, header_line, &c.name, message));
            continue;
        };
        if present.iter().all(|(_, v)| *v == first) {
            let message = format!(
                "every value is {first} (constant: no correlation is defined; the analysis drops it)"
            );
            problems.warn(in_column(read, header_line, &c.name, message));
            continue;
        }
        let fractions = present
            .iter()
            .filter(|(_, v)| (0.0..=1.0).contains(v))
            .count();
        if present.len() >= 4 && fractions * 4 >= present.len() * 3 && fractions < present.len() {
            for (l, v) in present.iter().filter(|(_, v)| *v > 1.0 && *v <= 100.0) {
                let message = format!(
                    "{v} looks like a percent among fractions ({fractions} of {} values are between 0 and 1)",
                    present.len()
                );
                problems.warn(in_column(read, *l, &c.name, message));
            }
        }
    }
}

/// The two files an info check can point at.
#[derive(Clone, Copy)]
struct Files<'a> {
    info: &'a str,
    matrix: &'a str,
}

/// Info-table checks: each benchmark described, each row used, each metric
/// with a direction, accuracy-like metrics in [0, 1].
fn info_warnings(
    info: &InfoRead,
    matrix: Option<&MatrixRead>,
    format: &MatrixFormat,
    files: Files,
    (info_problems, matrix_problems): (&mut Problems, &mut Problems),
) {
    // Rows describing metadata columns (model size, FLOP, ...) need no
    // direction and are not benchmarks.
    let is_meta = |id: &str| {
        format.meta_columns.iter().any(|m| m == id) || format.compute_column.as_deref() == Some(id)
    };
    let rows = info
        .table
        .entries
        .iter()
        .zip(&info.lines)
        .filter(|(e, _)| !is_meta(&e.benchmark));
    for (e, &line) in rows.clone() {
        if e.direction == Direction::Unspecified {
            let message = format!(
                "metric '{}' of '{}' has no direction arrow (↑ higher is better, ↓ lower is better)",
                records::shown(&e.metric),
                records::shown(&e.benchmark)
            );
            info_problems.warn(Problem::at(Some(line), message));
        }
    }
    let Some(m) = matrix else { return };
    for (e, &line) in rows {
        if !m.matrix.benchmarks.iter().any(|c| c.name == e.benchmark) {
            let message = format!(
                "info row for '{}', which is not a benchmark of {}",
                records::shown(&e.benchmark),
                files.matrix
            );
            info_problems.warn(Problem::at(Some(line), message));
        }
    }
    for c in &m.matrix.benchmarks {
        let Some(e) = info.table.get(&c.name) else {
            let message = format!(
                "no info row in {} (no display name or metric direction)",
                files.info
            );
            matrix_problems.warn(in_column(m, m.header_line, &c.name, message));
            continue;
        };
        let metric = e.metric.to_lowercase();
        if !(metric.contains("accuracy") || metric.contains("exact match")) {
            continue;
        }
        let present = c.values.iter().copied().filter(|v| !v.is_nan());
        let (lo, hi) = present.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
        if lo < 0.0 || hi > 1.0 {
            let hint = if lo >= 0.0 && hi <= 100.0 {
                " (percentages?)"
            } else {
                ""
            };
            let message = format!(
                "metric '{}' is a proportion, but values range from {lo} to {hi}{hint}",
                records::shown(&e.metric)
            );
            matrix_problems.warn(in_column(m, m.header_line, &c.name, message));
        }
    }
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
                "m.csv:1: error: duplicate column header 'a' (columns 2 and 3)",
                "m.csv:3: error: duplicate model id 'x' (first seen on line 2)",
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

    #[test]
    fn refuses_what_loading_refuses() {
        // Each of these stops an analysis; validate reports it as an error.
        let cases = [
            ("model,a\n", "no model rows"),
            ("model,a\nx\u{7}y,1\n", "control character"),
            ("model,a\u{1b}[2J\nx,1\n", "control character"),
            (
                "model,a,FLOP\nx,1,lots\n",
                "column 'FLOP': expected a number",
            ),
            ("model,a,FLOP\nx,1,inf\n", "finite"),
            ("model,a\nx,1\nx,2\n", "duplicate model id 'x'"),
        ];
        for (text, expected) in cases {
            let got = run(text, None);
            assert!(
                got.iter()
                    .any(|f| f.contains(": error: ") && f.contains(expected)),
                "{text:?}: {got:?}"
            );
            let loaded =
                crate::load::parse_matrix(text.as_bytes(), "m.csv", &MatrixFormat::default());
            assert!(loaded.is_err(), "{text:?}");
        }
        let invalid_utf8 = validate(
            b"model,a\nx\xff,1\n",
            "m.csv",
            None,
            &ValidateOptions::default(),
        );
        assert_eq!(invalid_utf8.errors(), 1, "{invalid_utf8:?}");
        let utf16 = validate(b"\xFF\xFEm\x00", "m.csv", None, &ValidateOptions::default());
        assert!(utf16.findings[0].message.contains("save it as UTF-8"));
    }

    #[test]
    fn duplicate_after_a_ragged_row_is_found() {
        let got = run("model,a,b\nx,1\nx,1,2\ny,3,4\n", None);
        assert_eq!(
            got,
            vec![
                "m.csv:2: error: expected 3 fields like the header, found 2",
                "m.csv:3: error: duplicate model id 'x' (first seen on line 2)",
            ]
        );
    }
}
