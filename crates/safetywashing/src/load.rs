//! Reading benchmark matrices (wide CSV) and benchmark info tables.
//!
//! The reader is strict on purpose: a benchmark matrix that is silently
//! misread gives a wrong scientific answer, so every cell that is neither a
//! finite number nor one of the missing-value spellings is an error naming the
//! file, line, column header and the text found. Cells are parsed straight from
//! the CSV record's bytes, without a `String` per cell.

use crate::matrix::{BenchmarkMatrix, Column, MetaColumn, closest_names};
use crate::records::{self, Policy, Problem, Problems, Records, same_id};
use std::collections::HashMap;
use std::fs::File;
use std::io::{BufRead, BufReader};
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
    /// The file is too big to be read in the memory this process can get.
    #[error(transparent)]
    Memory(#[from] crate::memory::MemoryError),
}

impl LoadError {
    /// A whole-file error.
    pub fn file(path: &str, message: impl Into<String>) -> Self {
        LoadError::File {
            path: path.to_string(),
            message: message.into(),
        }
    }

    /// An I/O error on `path`; a missing file that is a symbolic link is
    /// said to be one (the link is there, what it names is not).
    pub fn io(path: &Path, error: std::io::Error) -> Self {
        let error = match std::fs::read_link(path) {
            Ok(target) if error.kind() == std::io::ErrorKind::NotFound => std::io::Error::new(
                error.kind(),
                format!(
                    "a symbolic link to {}, which does not exist",
                    target.display()
                ),
            ),
            _ => error,
        };
        LoadError::Io {
            path: path.display().to_string(),
            error,
        }
    }
}

/// Memory an input takes while read and parsed, per byte of the file (the
/// bytes, the parsed records, the numbers): what [`read_whole`] and every
/// reader of a file here make sure of before reading.
pub const BYTES_PER_FILE_BYTE: u128 = 3;

/// Refuse, before reading, a file too big to be read and parsed in the
/// memory this process can get (see [`crate::memory::ensure_file`]).
pub fn ensure_fits(path: &Path) -> Result<(), LoadError> {
    Ok(crate::memory::ensure_file(path, BYTES_PER_FILE_BYTE)?)
}

/// Read a whole input file, refusing first one too big for memory.
pub fn read_whole(path: &Path) -> Result<Vec<u8>, LoadError> {
    ensure_fits(path)?;
    std::fs::read(path).map_err(|e| LoadError::io(path, e))
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

/// Open `path` for reading through a buffer, refusing first a file too big
/// for memory (a record is held whole, and a file can be one record).
fn open(path: &Path) -> Result<BufReader<File>, LoadError> {
    ensure_fits(path)?;
    File::open(path)
        .map(|f| BufReader::with_capacity(1 << 16, f))
        .map_err(|error| LoadError::io(path, error))
}

/// The loading error for a problem found in `source`.
pub fn problem_error(problem: Problem, source: &str) -> LoadError {
    let message = match &problem.column {
        Some(c) => format!("column {} '{}': {}", c.number, c.header, problem.message),
        None => problem.message,
    };
    match problem.line {
        Some(line) => LoadError::AtLine {
            path: source.to_string(),
            line,
            message,
        },
        None => LoadError::File {
            path: source.to_string(),
            message,
        },
    }
}

/// Run a reader under [`Policy::FirstError`]: its value, or its first
/// problem as a [`LoadError`].
fn first_error<T>(
    source: &str,
    read: impl FnOnce(&mut Problems) -> Option<T>,
) -> Result<T, LoadError> {
    let mut problems = Problems::new(Policy::FirstError);
    let value = read(&mut problems);
    match (problems.first_error(), value) {
        (Some(problem), _) => Err(problem_error(problem, source)),
        (None, Some(value)) => Ok(value),
        // Every reader reports why it gives up; this is the safety net.
        (None, None) => Err(LoadError::file(source, "could not be read")),
    }
}

/// Load a wide benchmark matrix from a CSV file.
///
/// The file is streamed through a buffer, not read whole, so memory holds
/// little more than the parsed numbers.
pub fn load_matrix(path: &Path, format: &MatrixFormat) -> Result<BenchmarkMatrix, LoadError> {
    let input = open(path)?;
    let source = path.display().to_string();
    first_error(&source, |problems| {
        read_matrix(input, &source, format, problems)
    })
    .map(|read| read.matrix)
}

/// The header of a CSV file (after any byte-order mark): its column names in
/// file order, for writing a matrix back in that order. Only the first
/// record is read.
pub fn read_header(path: &Path) -> Result<Vec<String>, LoadError> {
    let mut input = open(path)?;
    let source = path.display().to_string();
    crate::records::skip_bom(&mut input).map_err(|p| problem_error(p, &source))?;
    let mut records = crate::records::Records::new(input);
    match records.next_record() {
        Ok(Some((_, record))) => Ok(record
            .iter()
            .map(|f| String::from_utf8_lossy(f).into_owned())
            .collect()),
        Ok(None) => Ok(Vec::new()),
        Err(p) => Err(problem_error(p, &source)),
    }
}

/// Parse a wide benchmark matrix held in memory; `source` names it in errors.
pub fn parse_matrix(
    bytes: &[u8],
    source: &str,
    format: &MatrixFormat,
) -> Result<BenchmarkMatrix, LoadError> {
    first_error(source, |problems| {
        read_matrix(bytes, source, format, problems)
    })
    .map(|read| read.matrix)
}

/// Where each header goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Model,
    Meta,
    Compute,
    Benchmark,
}

/// A matrix as read, with the lines its parts came from.
///
/// When the reader reported errors (under [`Policy::CollectAll`]) the
/// matrix holds what could be read — rows with bad cells carry a missing
/// value there, ragged rows are left out — and serves only to diagnose the
/// file further.
#[derive(Debug, Clone)]
pub struct MatrixRead {
    /// The matrix.
    pub matrix: BenchmarkMatrix,
    /// Line of the header row.
    pub header_line: u64,
    /// Every column header, in file order.
    pub headers: Vec<String>,
    /// Line of each model row, in the order of `matrix.models`.
    pub row_lines: Vec<u64>,
}

/// Read a wide benchmark matrix, reporting every problem to `problems`: the
/// one reader behind [`load_matrix`], [`parse_matrix`] and
/// [`crate::validate`]. `None` when reading stopped (the policy said stop,
/// or the file has no usable header or no rows).
pub fn read_matrix(
    mut input: impl BufRead,
    source: &str,
    format: &MatrixFormat,
    problems: &mut Problems,
) -> Option<MatrixRead> {
    if let Err(problem) = records::skip_bom(&mut input) {
        problems.fatal(problem);
        return None;
    }
    let mut records = Records::new(input);
    let (header_line, headers) = match records.next_record() {
        Err(problem) => {
            problems.fatal(problem);
            return None;
        }
        Ok(None) => {
            problems.fatal(Problem::at(
                None,
                "the file is empty: expected a header row naming the model column and benchmarks",
            ));
            return None;
        }
        Ok(Some((line, record))) => (line, record.clone()),
    };
    let headers = read_headers(&headers, header_line, problems)?;
    let roles = assign_roles(&headers, format, header_line, problems)?;

    let model_index = roles.iter().position(|r| *r == Role::Model).unwrap_or(0);
    let mut rows = Rows {
        models: Vec::new(),
        row_lines: Vec::new(),
        first_line: HashMap::new(),
        numeric: vec![Vec::new(); headers.len()],
        text: vec![Vec::new(); headers.len()],
    };
    loop {
        let (line, record) = match records.next_record() {
            Ok(Some(next)) => next,
            Ok(None) => break,
            Err(problem) => {
                if problems.report(problem).is_break() {
                    return None;
                }
                break; // the rest of the file cannot be read
            }
        };
        if record.len() != headers.len() {
            let hint = if record.iter().any(|f| f.contains(&b'\n')) {
                " (a quoted field runs across lines: is a closing quote missing?)"
            } else {
                ""
            };
            let problem = Problem::at(
                Some(line),
                format!(
                    "expected {} fields like the header, found {}{hint}",
                    headers.len(),
                    record.len()
                ),
            );
            if problems.report(problem).is_break() {
                return None;
            }
            // Still note its model id, so a later duplicate is reported.
            if let Some(id) = record
                .get(model_index)
                .and_then(|f| std::str::from_utf8(f).ok())
            {
                let id = id.trim();
                rows.first_line
                    .entry(records::id_key(id))
                    .or_insert_with(|| (line, id.to_string()));
            }
            continue;
        }
        rows.read(record, line, &headers, &roles, problems)?;
    }
    if rows.models.is_empty() {
        problems.fatal(Problem::at(
            None,
            "no model rows: the file has a header but no data",
        ));
        return None;
    }
    let row_lines = std::mem::take(&mut rows.row_lines);
    Some(MatrixRead {
        matrix: rows.into_matrix(source, headers.clone(), roles),
        header_line,
        headers,
        row_lines,
    })
}

/// The rows read so far, column by column.
struct Rows {
    models: Vec<String>,
    row_lines: Vec<u64>,
    /// First line and spelling of each model id (also of ragged rows), by
    /// its NFC key.
    first_line: HashMap<String, (u64, String)>,
    numeric: Vec<Vec<f64>>,
    text: Vec<Vec<String>>,
}

impl Rows {
    /// Read one row of the header's length. `None` when the policy says
    /// stop; under [`Policy::CollectAll`] a bad cell becomes a missing value.
    fn read(
        &mut self,
        record: &csv::ByteRecord,
        line: u64,
        headers: &[String],
        roles: &[Role],
        problems: &mut Problems,
    ) -> Option<()> {
        let mut id = String::new();
        for (col, role) in roles.iter().enumerate() {
            let header = &headers[col];
            let cell = match records::field(record, col, line, header) {
                Ok(cell) => cell,
                Err(problem) => {
                    // Reported once; the cell is read as missing.
                    stop_at(problems, problem)?;
                    match role {
                        Role::Model => id = String::from_utf8_lossy(&record[col]).trim().into(),
                        Role::Meta => self.text[col].push(String::new()),
                        Role::Compute | Role::Benchmark => self.numeric[col].push(f64::NAN),
                    }
                    continue;
                }
            };
            match role {
                Role::Model => {
                    id = cell.trim().to_string();
                    if let Some(problem) = self.model_problem(&id, line, col, header) {
                        stop_at(problems, problem)?;
                    }
                }
                Role::Meta => self.text[col].push(cell.to_string()),
                Role::Compute | Role::Benchmark => {
                    let value = match parse_cell(cell) {
                        Ok(value) => value,
                        Err(expected) => {
                            let found = records::shown(cell);
                            let message = format!("expected {expected}, found '{found}'");
                            stop_at(problems, Problem::in_column(line, col + 1, header, message))?;
                            None
                        }
                    };
                    self.numeric[col].push(value.unwrap_or(f64::NAN));
                }
            }
        }
        self.models.push(id);
        self.row_lines.push(line);
        Some(())
    }

    /// What is wrong with a model id, if anything (empty, control
    /// characters, a duplicate); records its first line.
    fn model_problem(&mut self, id: &str, line: u64, col: usize, header: &str) -> Option<Problem> {
        if id.is_empty() {
            return Some(Problem::in_column(
                line,
                col + 1,
                header,
                "the model id is empty",
            ));
        }
        if let Some(message) = records::id_problem("the model id", id) {
            return Some(Problem::in_column(line, col + 1, header, message));
        }
        let key = records::id_key(id);
        if let Some((first, spelt)) = self.first_line.get(&key) {
            return Some(Problem::at(
                Some(line),
                format!(
                    "duplicate model id '{}' (first seen on line {first}{})",
                    records::shown(id),
                    other_form(spelt, id)
                ),
            ));
        }
        self.first_line.insert(key, (line, id.to_string()));
        None
    }

    fn into_matrix(self, source: &str, headers: Vec<String>, roles: Vec<Role>) -> BenchmarkMatrix {
        let mut matrix = BenchmarkMatrix {
            source: source.to_string(),
            models: self.models,
            benchmarks: Vec::new(),
            meta: Vec::new(),
            compute: None,
        };
        for ((name, role), (values, cells)) in headers
            .into_iter()
            .zip(roles)
            .zip(self.numeric.into_iter().zip(self.text))
        {
            match role {
                Role::Model => {}
                Role::Meta => matrix.meta.push(MetaColumn { name, cells }),
                Role::Compute => matrix.compute = Some(Column { name, values }),
                Role::Benchmark => matrix.benchmarks.push(Column { name, values }),
            }
        }
        matrix
    }
}

/// Said of a duplicate `id` whose first occurrence was spelt `first`: that
/// it is the same id in another Unicode form (NFC and NFD), when it is.
fn other_form(first: &str, id: &str) -> &'static str {
    if first == id {
        ""
    } else {
        ", the same id in another Unicode form"
    }
}

/// Report `problem`; `None` when the policy says stop.
fn stop_at(problems: &mut Problems, problem: Problem) -> Option<()> {
    problems.report(problem).is_continue().then_some(())
}

/// The header row: every column after the first named, names unique,
/// valid UTF-8 without control characters. `None` when the policy says
/// stop.
fn read_headers(
    record: &csv::ByteRecord,
    line: u64,
    problems: &mut Problems,
) -> Option<Vec<String>> {
    let mut headers: Vec<String> = Vec::with_capacity(record.len());
    // Headers by their NFC key: canonically equivalent spellings are one name.
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (i, raw) in record.iter().enumerate() {
        let h = match std::str::from_utf8(raw) {
            Ok(h) => h.trim().to_string(),
            Err(_) => {
                stop_at(
                    problems,
                    Problem::at(
                        Some(line),
                        format!("header of column {} is not valid UTF-8", i + 1),
                    ),
                )?;
                String::from_utf8_lossy(raw).trim().to_string()
            }
        };
        let key = records::id_key(&h);
        let problem = if h.chars().any(char::is_control) {
            Some(format!(
                "header of column {} ('{}') contains a line break or other control character{}",
                i + 1,
                records::shown(&h),
                separator_hint(record.len(), &h)
            ))
        } else if let Some(message) =
            records::invisible_problem(&format!("header of column {}", i + 1), &h)
        {
            Some(message)
        } else if h.is_empty() && i > 0 {
            Some(format!(
                "column {} has an empty header: every column after the first needs a name",
                i + 1
            ))
        } else if record.len() == 1 && h.contains(';') {
            Some(format!(
                "the header is one column '{}'{}",
                records::shown(&h),
                separator_hint(1, &h)
            ))
        } else {
            seen.insert(key, i).map(|first| {
                format!(
                    "duplicate column header '{}' (columns {} and {}{})",
                    records::shown(&h),
                    first + 1,
                    i + 1,
                    other_form(&headers[first], &h)
                )
            })
        };
        if let Some(message) = problem {
            stop_at(problems, Problem::at(Some(line), message))?;
        }
        headers.push(h);
    }
    Some(headers)
}

/// For a header row of one column holding tabs or semicolons: the file
/// looks separated by those, and the tool reads commas. Else nothing.
fn separator_hint(columns: usize, header: &str) -> String {
    let separator = if header.contains('\t') {
        "tabs"
    } else if header.contains(';') {
        "semicolons"
    } else {
        return String::new();
    };
    if columns != 1 {
        return String::new();
    }
    format!(": the file looks separated by {separator}; save it as CSV with commas between columns")
}

/// The role of each column; `None` when the model column is missing (or
/// the policy says stop at a missing compute column).
fn assign_roles(
    headers: &[String],
    format: &MatrixFormat,
    header_line: u64,
    problems: &mut Problems,
) -> Option<Vec<Role>> {
    let closest =
        |name: &str| closest_names(name, headers.iter().map(String::as_str), 3).join(", ");
    let model_index = match &format.model_column {
        None => 0,
        Some(name) => match headers.iter().position(|h| same_id(h, name)) {
            Some(i) => i,
            None => {
                problems.fatal(Problem::at(
                    Some(header_line),
                    format!(
                        "no model column '{name}'; closest headers: {}",
                        closest(name)
                    ),
                ));
                return None;
            }
        },
    };
    let compute = format.compute_column.as_deref();
    if let Some(c) = compute
        && format.require_compute_column
        && !headers.iter().any(|h| same_id(h, c))
    {
        stop_at(
            problems,
            Problem::at(
                Some(header_line),
                format!("no compute column '{c}'; closest headers: {}", closest(c)),
            ),
        )?;
    }
    Some(
        headers
            .iter()
            .enumerate()
            .map(|(i, h)| {
                if i == model_index {
                    Role::Model
                } else if compute.is_some_and(|c| same_id(h, c)) {
                    Role::Compute
                } else if format.meta_columns.iter().any(|m| same_id(m, h)) {
                    Role::Meta
                } else {
                    Role::Benchmark
                }
            })
            .collect(),
    )
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

/// The headers of an info table's columns: three, and optionally a fourth.
const INFO_HEADERS: [&str; 4] = ["benchmark", "name", "metric", "area"];

/// Load a benchmark info table: three columns `benchmark,name,metric`, and
/// optionally a fourth, `area` (the
/// first header may be empty, as in the paper's first release).
pub fn load_info(path: &Path) -> Result<InfoTable, LoadError> {
    let input = open(path)?;
    let source = path.display().to_string();
    first_error(&source, |problems| read_info(input, problems)).map(|read| read.table)
}

/// Parse a benchmark info table held in memory.
pub fn parse_info(bytes: &[u8], source: &str) -> Result<InfoTable, LoadError> {
    first_error(source, |problems| read_info(bytes, problems)).map(|read| read.table)
}

/// An info table as read, with the line of each row.
#[derive(Debug, Clone, Default)]
pub struct InfoRead {
    /// The table (under [`Policy::CollectAll`] with errors: the rows that
    /// could be read).
    pub table: InfoTable,
    /// Line of each entry, in the order of `table.entries`.
    pub lines: Vec<u64>,
}

/// Read an info table, reporting every problem to `problems`: the one reader
/// behind [`load_info`], [`parse_info`] and [`crate::validate`]. `None` when
/// reading stopped.
pub fn read_info(mut input: impl BufRead, problems: &mut Problems) -> Option<InfoRead> {
    if let Err(problem) = records::skip_bom(&mut input) {
        problems.fatal(problem);
        return None;
    }
    let mut records = Records::new(input);
    let mut read = InfoRead::default();
    // Benchmark ids by their NFC key: first line and spelling.
    let mut seen: HashMap<String, (u64, String)> = HashMap::new();
    let mut first = true;
    // 3 fields, or 4 when the header names a fourth column `area`.
    let mut width = 3;
    loop {
        let (line, record) = match records.next_record() {
            Ok(Some(next)) => next,
            Ok(None) => break,
            Err(problem) => {
                problems.fatal(problem);
                return None; // the rest cannot be read
            }
        };
        let header = std::mem::replace(&mut first, false);
        if header && record.len() == 4 && record[3].trim_ascii() == b"area" {
            width = 4;
        }
        if record.len() != width {
            let message = format!(
                "expected {width} fields ({}), found {}",
                INFO_HEADERS[..width].join(","),
                record.len()
            );
            stop_at(problems, Problem::at(Some(line), message))?;
            continue;
        }
        let mut fields = [""; 4];
        for (i, slot) in fields.iter_mut().enumerate().take(width) {
            match records::field(record, i, line, INFO_HEADERS[i]) {
                Ok(text) => *slot = text.trim(),
                Err(problem) => stop_at(problems, problem)?,
            }
        }
        let [benchmark, name, metric, area] = fields;
        if header {
            if name != "name" || metric != "metric" {
                let message =
                    "expected the header 'benchmark,name,metric' (the first header may be empty)";
                stop_at(problems, Problem::at(Some(line), message))?;
            }
            continue;
        }
        if benchmark.is_empty() {
            let problem = Problem::in_column(line, 1, "benchmark", "the benchmark id is empty");
            stop_at(problems, problem)?;
            continue;
        }
        let key = records::id_key(benchmark);
        if let Some((prev, spelt)) = seen.get(&key) {
            let message = format!(
                "duplicate benchmark '{}' (first on line {prev}{})",
                records::shown(benchmark),
                other_form(spelt, benchmark)
            );
            stop_at(problems, Problem::at(Some(line), message))?;
            continue;
        }
        seen.insert(key, (line, benchmark.to_string()));
        read.table.entries.push(BenchmarkInfo {
            benchmark: benchmark.to_string(),
            name: name.to_string(),
            direction: Direction::from_metric(metric),
            metric: metric.to_string(),
            area: (!area.is_empty()).then(|| area.to_string()),
        });
        read.lines.push(line);
    }
    if first {
        let message = "the file is empty: expected the header 'benchmark,name,metric'";
        problems.fatal(Problem::at(None, message));
        return None;
    }
    Some(read)
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
    fn invisible_and_direction_characters_in_ids_are_errors() {
        for id in ["m\u{200B}1", "\u{202E}1m", "m1\u{FEFF}"] {
            let e = parse(&format!("model,a\n{id},1\n"))
                .unwrap_err()
                .to_string();
            assert!(e.contains("invisible or text-direction character"), "{e}");
            assert!(!e.contains(id), "the raw id is not echoed: {e}");
        }
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
