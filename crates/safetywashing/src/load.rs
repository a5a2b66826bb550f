//! Reading benchmark matrices (wide CSV) and benchmark info tables.
//!
//! The reader is strict on purpose: a benchmark matrix that is silently
//! misread gives a wrong scientific answer, so every cell that is neither a
//! finite number nor one of the missing-value spellings is an error naming the
//! file, line, column header and the text found. Cells are parsed straight from
//! the CSV record's bytes, without a `String` per cell.

use crate::matrix::{BenchmarkMatrix, Column, MetaColumn, closest_names};
use std::collections::HashMap;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use thiserror::Error;

/// Metadata columns of the paper's files, skipped as benchmarks by default.
pub const DEFAULT_META_COLUMNS: [&str; 4] = ["model_size", "FLOP", "name", "type"];

/// The compute column of the paper's files.
pub const DEFAULT_COMPUTE_COLUMN: &str = "FLOP";

/// Cell texts read as a missing value (besides an empty cell).
pub const MISSING_SPELLINGS: [&str; 3] = ["NaN", "nan", "NA"];

/// An input file could not be read as asked.
#[derive(Debug, Error)]
pub enum LoadError {
    /// The file could not be opened or read.
    // The I/O error is shown in the message, not chained as a source, so
    // `error: {e:#}` prints it once.
    #[error("{path}: {error}")]
    Io {
        /// File path as given.
        path: String,
        /// Underlying error.
        error: std::io::Error,
    },
    /// A problem at a known line (1-based) of the file.
    #[error("{path}:{line}: {message}")]
    AtLine {
        /// File path as given.
        path: String,
        /// 1-based line number.
        line: u64,
        /// What was wrong and what was expected.
        message: String,
    },
    /// A problem with the file as a whole.
    #[error("{path}: {message}")]
    File {
        /// File path as given.
        path: String,
        /// What was wrong and what was expected.
        message: String,
    },
}

impl LoadError {
    /// A whole-file error.
    pub fn file(path: &str, message: impl Into<String>) -> Self {
        LoadError::File {
            path: path.to_string(),
            message: message.into(),
        }
    }

    /// An I/O error on `path`.
    pub fn io(path: &Path, error: std::io::Error) -> Self {
        LoadError::Io {
            path: path.display().to_string(),
            error,
        }
    }
}

/// How to read a wide benchmark matrix.
#[derive(Debug, Clone, PartialEq)]
pub struct MatrixFormat {
    /// Header of the model-id column; `None` = the first column.
    pub model_column: Option<String>,
    /// Columns that are not benchmarks; absent ones are ignored.
    pub meta_columns: Vec<String>,
    /// Numeric column holding training compute; absent = no compute analysis.
    pub compute_column: Option<String>,
    /// Fail (instead of carrying on without compute) when the compute column is absent.
    pub require_compute_column: bool,
}

impl Default for MatrixFormat {
    fn default() -> Self {
        MatrixFormat {
            model_column: None,
            meta_columns: DEFAULT_META_COLUMNS.iter().map(|s| s.to_string()).collect(),
            compute_column: Some(DEFAULT_COMPUTE_COLUMN.to_string()),
            require_compute_column: false,
        }
    }
}

/// Parse one cell: `Ok(None)` for a missing value, `Ok(Some(x))` for a
/// finite number, `Err(reason)` otherwise.
pub fn parse_cell(text: &str) -> Result<Option<f64>, &'static str> {
    let t = text.trim();
    if t.is_empty() || MISSING_SPELLINGS.contains(&t) {
        return Ok(None);
    }
    const MISSING_HINT: &str = "a number; for a missing value leave the cell empty or write NaN or NA (no other spelling is read as missing)";
    if is_missing_lookalike(t) {
        return Err(MISSING_HINT);
    }
    match t.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(Some(v)),
        Ok(v) if v.is_nan() => Err(MISSING_HINT), // "-nan", "NAN", ...
        Ok(_) => Err("a finite number (infinite values and overflow are not accepted)"),
        Err(_) if t.ends_with('%') => {
            Err("a number without a percent sign (write 77 or 0.77, not 77%)")
        }
        Err(_) if t.contains(',') => Err("a number with '.' as the decimal point"),
        Err(_) => Err("a number, or an empty cell / NaN / NA for a missing value"),
    }
}

/// Spellings people use for "no value" that this reader does not accept
/// (so the error can say how to write a missing value instead).
fn is_missing_lookalike(t: &str) -> bool {
    const LOOKALIKES: [&str; 9] = [
        "n/a", "na", "nan", "null", "none", "-", "\u{2013}", "\u{2014}", "?",
    ];
    LOOKALIKES.iter().any(|l| t.eq_ignore_ascii_case(l))
}

fn read_file(path: &Path) -> Result<Vec<u8>, LoadError> {
    let mut bytes = Vec::new();
    File::open(path)
        .and_then(|mut f| f.read_to_end(&mut bytes))
        .map_err(|error| LoadError::Io {
            path: path.display().to_string(),
            error,
        })?;
    Ok(bytes)
}

/// Load a wide benchmark matrix from a CSV file.
///
/// The file is streamed through a buffer, not read whole, so memory holds
/// little more than the parsed numbers.
pub fn load_matrix(path: &Path, format: &MatrixFormat) -> Result<BenchmarkMatrix, LoadError> {
    let io = |error| LoadError::Io {
        path: path.display().to_string(),
        error,
    };
    let mut reader = BufReader::with_capacity(1 << 16, File::open(path).map_err(io)?);
    if reader.fill_buf().map_err(io)?.starts_with(BOM) {
        reader.consume(BOM.len());
    }
    parse_matrix_from(reader, &path.display().to_string(), format)
}

/// The UTF-8 byte-order mark some spreadsheet programs write first.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// The CSV reader every input of the tool goes through: a leading byte-order
/// mark dropped, no header handling (callers read the first record
/// themselves) and records of any length, so each caller can word a ragged
/// row as an error naming its line.
pub fn csv_reader(bytes: &[u8]) -> csv::Reader<&[u8]> {
    csv_reader_from(bytes.strip_prefix(BOM).unwrap_or(bytes))
}

/// [`csv_reader`] over a stream (after any byte-order mark).
fn csv_reader_from<R: Read>(input: R) -> csv::Reader<R> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(input)
}

/// Where each header goes.
enum Role {
    Model,
    Meta,
    Compute,
    Benchmark,
}

/// Parse a wide benchmark matrix held in memory; `source` names it in errors.
pub fn parse_matrix(
    bytes: &[u8],
    source: &str,
    format: &MatrixFormat,
) -> Result<BenchmarkMatrix, LoadError> {
    let bytes = bytes.strip_prefix(BOM).unwrap_or(bytes);
    parse_matrix_from(bytes, source, format)
}

/// Parse a wide benchmark matrix from a reader (after any byte-order mark).
fn parse_matrix_from(
    input: impl Read,
    source: &str,
    format: &MatrixFormat,
) -> Result<BenchmarkMatrix, LoadError> {
    let at = |line: u64, message: String| LoadError::AtLine {
        path: source.to_string(),
        line,
        message,
    };
    let whole = |message: String| LoadError::File {
        path: source.to_string(),
        message,
    };
    let mut reader = csv_reader_from(input);
    let mut record = csv::ByteRecord::new();
    let csv_error = |e: csv::Error| {
        let line = e.position().map(|p| p.line()).unwrap_or(0);
        at(line, format!("not valid CSV: {e}"))
    };
    if !reader.read_byte_record(&mut record).map_err(csv_error)? {
        return Err(whole(
            "the file is empty: expected a header row naming the model column and benchmarks"
                .into(),
        ));
    }
    let header_line = record.position().map(|p| p.line()).unwrap_or(1);
    let headers = decode_headers(&record, header_line, &at)?;
    let roles = assign_roles(&headers, format, source, header_line)?;

    let mut models: Vec<String> = Vec::new();
    let mut model_lines: HashMap<String, u64> = HashMap::new();
    let mut numeric: Vec<Vec<f64>> = vec![Vec::new(); headers.len()];
    let mut text: Vec<Vec<String>> = vec![Vec::new(); headers.len()];
    while reader.read_byte_record(&mut record).map_err(csv_error)? {
        let line = record.position().map(|p| p.line()).unwrap_or(0);
        if record.len() == 1 && record[0].is_empty() {
            continue; // a blank line
        }
        if record.len() != headers.len() {
            let hint = if record.iter().any(|f| f.contains(&b'\n')) {
                " (a quoted field runs across lines: is a closing quote missing?)"
            } else {
                ""
            };
            return Err(at(
                line,
                format!(
                    "expected {} fields like the header, found {}{hint}",
                    headers.len(),
                    record.len()
                ),
            ));
        }
        for (col, role) in roles.iter().enumerate() {
            let cell = std::str::from_utf8(&record[col]).map_err(|_| {
                at(
                    line,
                    format!(
                        "column {} '{}': the cell is not valid UTF-8",
                        col + 1,
                        headers[col]
                    ),
                )
            })?;
            match role {
                Role::Model => {
                    let id = cell.trim();
                    if id.is_empty() {
                        return Err(at(
                            line,
                            format!(
                                "column {} '{}': the model id is empty",
                                col + 1,
                                headers[col]
                            ),
                        ));
                    }
                    if id.chars().any(char::is_control) {
                        return Err(at(
                            line,
                            format!(
                                "column {} '{}': the model id '{}' contains a line break or other control character",
                                col + 1,
                                headers[col],
                                truncate_for_message(id)
                            ),
                        ));
                    }
                    if let Some(first) = model_lines.insert(id.to_string(), line) {
                        return Err(at(
                            line,
                            format!(
                                "duplicate model id '{}' (first seen on line {first})",
                                truncate_for_message(id)
                            ),
                        ));
                    }
                    models.push(id.to_string());
                }
                Role::Meta => text[col].push(cell.to_string()),
                Role::Compute | Role::Benchmark => {
                    let value = parse_cell(cell).map_err(|expected| {
                        at(
                            line,
                            format!(
                                "column {} '{}': expected {expected}, found '{}'",
                                col + 1,
                                headers[col],
                                truncate_for_message(cell)
                            ),
                        )
                    })?;
                    numeric[col].push(value.unwrap_or(f64::NAN));
                }
            }
        }
    }
    if models.is_empty() {
        return Err(whole(
            "no model rows: the file has a header but no data".into(),
        ));
    }

    let mut matrix = BenchmarkMatrix {
        source: source.to_string(),
        models,
        benchmarks: Vec::new(),
        meta: Vec::new(),
        compute: None,
    };
    for ((name, role), (values, cells)) in headers
        .into_iter()
        .zip(roles)
        .zip(numeric.into_iter().zip(text))
    {
        match role {
            Role::Model => {}
            Role::Meta => matrix.meta.push(MetaColumn { name, cells }),
            Role::Compute => matrix.compute = Some(Column { name, values }),
            Role::Benchmark => matrix.benchmarks.push(Column { name, values }),
        }
    }
    Ok(matrix)
}

/// Shorten a huge cell and escape control characters (an embedded newline
/// from a quoted field), so an error message stays one readable line.
fn truncate_for_message(cell: &str) -> String {
    const MAX: usize = 60;
    let mut shown = String::new();
    for (i, c) in cell.chars().enumerate() {
        if i == MAX {
            shown.push_str(&format!("… ({} bytes)", cell.len()));
            break;
        }
        if c.is_control() {
            shown.extend(c.escape_default());
        } else {
            shown.push(c);
        }
    }
    shown
}

fn decode_headers(
    record: &csv::ByteRecord,
    line: u64,
    at: &impl Fn(u64, String) -> LoadError,
) -> Result<Vec<String>, LoadError> {
    let mut headers: Vec<String> = Vec::with_capacity(record.len());
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (i, raw) in record.iter().enumerate() {
        let h = std::str::from_utf8(raw)
            .map_err(|_| {
                at(
                    line,
                    format!("header of column {} is not valid UTF-8", i + 1),
                )
            })?
            .trim()
            .to_string();
        if h.chars().any(char::is_control) {
            return Err(at(
                line,
                format!(
                    "header of column {} ('{}') contains a line break or other control character",
                    i + 1,
                    truncate_for_message(&h)
                ),
            ));
        }
        if h.is_empty() && i > 0 {
            return Err(at(
                line,
                format!(
                    "column {} has an empty header: every column after the first needs a name",
                    i + 1
                ),
            ));
        }
        if let Some(first) = seen.insert(h.clone(), i) {
            return Err(at(
                line,
                format!(
                    "duplicate column header '{}' (columns {} and {})",
                    truncate_for_message(&h),
                    first + 1,
                    i + 1
                ),
            ));
        }
        headers.push(h);
    }
    Ok(headers)
}

fn assign_roles(
    headers: &[String],
    format: &MatrixFormat,
    source: &str,
    header_line: u64,
) -> Result<Vec<Role>, LoadError> {
    let model_index = match &format.model_column {
        None => 0,
        Some(name) => headers
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| LoadError::AtLine {
                path: source.to_string(),
                line: header_line,
                message: format!(
                    "no model column '{name}'; closest headers: {}",
                    closest_names(name, headers.iter().map(String::as_str), 3).join(", ")
                ),
            })?,
    };
    let compute = format.compute_column.as_deref();
    if let Some(c) = compute
        && format.require_compute_column
        && !headers.iter().any(|h| h == c)
    {
        return Err(LoadError::AtLine {
            path: source.to_string(),
            line: header_line,
            message: format!(
                "no compute column '{c}'; closest headers: {}",
                closest_names(c, headers.iter().map(String::as_str), 3).join(", ")
            ),
        });
    }
    Ok(headers
        .iter()
        .enumerate()
        .map(|(i, h)| {
            if i == model_index {
                Role::Model
            } else if Some(h.as_str()) == compute {
                Role::Compute
            } else if format.meta_columns.iter().any(|m| m == h) {
                Role::Meta
            } else {
                Role::Benchmark
            }
        })
        .collect())
}

/// The direction arrow in a benchmark's metric description.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// `↑`: higher is better (safer).
    HigherIsBetter,
    /// `↓`: lower is better.
    LowerIsBetter,
    /// `→`: used by the paper's first release for already-oriented scores.
    Oriented,
    /// No arrow in the metric text.
    Unspecified,
}

impl Direction {
    /// Read the arrow out of a metric string such as `Accuracy (↑)`.
    pub fn from_metric(metric: &str) -> Direction {
        if metric.contains('↑') {
            Direction::HigherIsBetter
        } else if metric.contains('↓') {
            Direction::LowerIsBetter
        } else if metric.contains('→') {
            Direction::Oriented
        } else {
            Direction::Unspecified
        }
    }

    /// The arrow character, if any.
    pub fn arrow(self) -> &'static str {
        match self {
            Direction::HigherIsBetter => "↑",
            Direction::LowerIsBetter => "↓",
            Direction::Oriented => "→",
            Direction::Unspecified => "",
        }
    }
}

/// One row of a benchmark info table.
#[derive(Debug, Clone, PartialEq)]
pub struct BenchmarkInfo {
    /// Benchmark id (the matrix column header).
    pub benchmark: String,
    /// Display name.
    pub name: String,
    /// Metric description, e.g. `Accuracy (↑)`.
    pub metric: String,
    /// Direction parsed from the metric's arrow.
    pub direction: Direction,
    /// Safety area, from an optional fourth column `area`.
    pub area: Option<String>,
}

/// A benchmark info table (`benchmark,name,metric`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct InfoTable {
    /// Rows in file order.
    pub entries: Vec<BenchmarkInfo>,
}

impl InfoTable {
    /// The row for this benchmark id.
    pub fn get(&self, benchmark: &str) -> Option<&BenchmarkInfo> {
        self.entries.iter().find(|e| e.benchmark == benchmark)
    }

    /// Display name for a benchmark, falling back to its id.
    pub fn display_name<'a>(&'a self, benchmark: &'a str) -> &'a str {
        self.get(benchmark).map_or(benchmark, |e| e.name.as_str())
    }
}

/// Load a benchmark info table: three columns `benchmark,name,metric`, and
/// optionally a fourth, `area` (the
/// first header may be empty, as in the paper's first release).
pub fn load_info(path: &Path) -> Result<InfoTable, LoadError> {
    let bytes = read_file(path)?;
    parse_info(&bytes, &path.display().to_string())
}

/// Parse a benchmark info table held in memory.
pub fn parse_info(bytes: &[u8], source: &str) -> Result<InfoTable, LoadError> {
    let at = |line: u64, message: String| LoadError::AtLine {
        path: source.to_string(),
        line,
        message,
    };
    let mut reader = csv_reader(bytes);
    let mut record = csv::StringRecord::new();
    let mut table = InfoTable::default();
    let mut seen: HashMap<String, u64> = HashMap::new();
    let mut first = true;
    // 3 fields, or 4 when the header names a fourth column `area`.
    let mut fields = 3;
    loop {
        let more = reader.read_record(&mut record).map_err(|e| {
            let line = e.position().map(|p| p.line()).unwrap_or(0);
            match e.kind() {
                csv::ErrorKind::Utf8 { err, .. } => at(
                    line,
                    format!(
                        "column {} ({}): the cell is not valid UTF-8",
                        err.field() + 1,
                        ["benchmark", "name", "metric"]
                            .get(err.field())
                            .unwrap_or(&"extra")
                    ),
                ),
                _ => at(line, format!("not valid CSV: {e}")),
            }
        })?;
        if !more {
            break;
        }
        let line = record.position().map(|p| p.line()).unwrap_or(0);
        if record.len() == 1 && record[0].is_empty() {
            continue;
        }
        if first && record.len() == 4 && record[3].trim() == "area" {
            fields = 4;
        }
        if record.len() != fields {
            let header = ["benchmark,name,metric", "benchmark,name,metric,area"][fields - 3];
            return Err(at(
                line,
                format!(
                    "expected {fields} fields ({header}), found {}",
                    record.len()
                ),
            ));
        }
        if first {
            first = false;
            if record[1].trim() == "name" && record[2].trim() == "metric" {
                continue;
            }
            return Err(at(
                line,
                "expected the header 'benchmark,name,metric' (the first header may be empty)"
                    .into(),
            ));
        }
        let benchmark = record[0].trim().to_string();
        if benchmark.is_empty() {
            return Err(at(
                line,
                "column 1 (benchmark): the benchmark id is empty".into(),
            ));
        }
        if let Some(prev) = seen.insert(benchmark.clone(), line) {
            return Err(at(
                line,
                format!("duplicate benchmark '{benchmark}' (first on line {prev})"),
            ));
        }
        let metric = record[2].trim().to_string();
        table.entries.push(BenchmarkInfo {
            benchmark,
            name: record[1].trim().to_string(),
            direction: Direction::from_metric(&metric),
            metric,
            area: record
                .get(3)
                .map(str::trim)
                .filter(|a| !a.is_empty())
                .map(str::to_string),
        });
    }
    if first {
        return Err(LoadError::File {
            path: source.to_string(),
            message: "the file is empty: expected the header 'benchmark,name,metric'".into(),
        });
    }
    Ok(table)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<BenchmarkMatrix, LoadError> {
        parse_matrix(text.as_bytes(), "m.csv", &MatrixFormat::default())
    }

    #[test]
    fn reads_meta_compute_and_benchmarks() {
        let m = parse("\u{feff}model,a,FLOP,name,b\nx,1,1e20,X,\ny,2,,Y,NaN\n").unwrap();
        assert_eq!(m.models, vec!["x", "y"]);
        assert_eq!(m.benchmarks.len(), 2);
        assert_eq!(m.benchmarks[0].values, vec![1.0, 2.0]);
        assert!(m.benchmarks[1].values.iter().all(|v| v.is_nan()));
        let compute = m.compute.unwrap();
        assert_eq!(compute.values[0], 1e20);
        assert!(compute.values[1].is_nan());
        assert_eq!(m.meta[0].cells, vec!["X", "Y"]);
    }

    #[test]
    fn streamed_file_with_bom_reads_like_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.csv");
        let text = "\u{feff}model,a,FLOP\nx,1,1e20\ny,2,\n";
        std::fs::write(&path, text).unwrap();
        let from_file = load_matrix(&path, &MatrixFormat::default()).unwrap();
        let mut from_bytes = parse(text).unwrap();
        from_bytes.source = path.display().to_string();
        assert_eq!(from_file.models, from_bytes.models);
        assert_eq!(from_file.benchmarks, from_bytes.benchmarks);
        let e = load_matrix(&dir.path().join("absent.csv"), &MatrixFormat::default()).unwrap_err();
        assert!(e.to_string().contains("absent.csv"), "{e}");
    }

    #[test]
    fn non_numeric_cell_names_line_and_column() {
        let e = parse("model,a\nx,1\ny,77%\n").unwrap_err().to_string();
        assert_eq!(
            e,
            "m.csv:3: column 2 'a': expected a number without a percent sign (write 77 or 0.77, not 77%), found '77%'"
        );
    }

    #[test]
    fn duplicates_are_errors() {
        let e = parse("model,a,a\nx,1,2\n").unwrap_err().to_string();
        assert!(e.contains("duplicate column header 'a'"), "{e}");
        let e = parse("model,a\nx,1\nx,2\n").unwrap_err().to_string();
        assert!(e.contains("m.csv:3: duplicate model id 'x'"), "{e}");
    }

    #[test]
    fn infinite_values_are_errors() {
        for bad in ["inf", "-inf", "1e309"] {
            let e = parse(&format!("model,a\nx,{bad}\n"))
                .unwrap_err()
                .to_string();
            assert!(e.contains("finite"), "{e}");
        }
    }

    #[test]
    fn ragged_row_is_an_error() {
        let e = parse("model,a,b\nx,1\n").unwrap_err().to_string();
        assert_eq!(e, "m.csv:2: expected 3 fields like the header, found 2");
    }

    #[test]
    fn model_column_can_be_chosen() {
        let format = MatrixFormat {
            model_column: Some("id".into()),
            ..MatrixFormat::default()
        };
        let m = parse_matrix(b"a,id\n1,x\n2,y\n", "m.csv", &format).unwrap();
        assert_eq!(m.models, vec!["x", "y"]);
        assert_eq!(m.benchmarks[0].name, "a");
    }

    #[test]
    fn info_arrows() {
        let t = parse_info(
            ",name,metric\nxstest,XSTest,Score (→)\nb,B,Error (↓)\nc,C,Accuracy (↑)\nd,D,N/A\n"
                .as_bytes(),
            "info.csv",
        )
        .unwrap();
        let dirs: Vec<Direction> = t.entries.iter().map(|e| e.direction).collect();
        assert_eq!(
            dirs,
            vec![
                Direction::Oriented,
                Direction::LowerIsBetter,
                Direction::HigherIsBetter,
                Direction::Unspecified
            ]
        );
        assert_eq!(t.display_name("b"), "B");
        assert_eq!(t.display_name("zz"), "zz");
    }

    #[test]
    fn info_takes_an_optional_area_column() {
        let t = parse_info(
            b"benchmark,name,metric,area\na,A,Score (\xe2\x86\x91),bias\nb,B,Score (\xe2\x86\x91),\n",
            "info.csv",
        )
        .unwrap();
        assert_eq!(t.get("a").unwrap().area.as_deref(), Some("bias"));
        assert_eq!(t.get("b").unwrap().area, None);
        let plain = parse_info(b"benchmark,name,metric\na,A,Score\n", "i.csv").unwrap();
        assert_eq!(plain.entries[0].area, None);
        let err = parse_info(b"benchmark,name,metric,area\na,A,Score\n", "i.csv").unwrap_err();
        assert!(err.to_string().contains("expected 4 fields"), "{err}");
    }
}
