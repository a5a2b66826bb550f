//! Adding a benchmark column to a matrix (and its row to an info table)
//! without disturbing anything else.
//!
//! A spreadsheet round trip rewrites every number (`0.7` becomes
//! `0.7000000000000001`, line endings change, quoting changes). Here the file
//! is never re-serialised: it is split into raw records (field byte ranges,
//! quoted fields with embedded newlines included), and only the bytes of the
//! new or replaced cells are spliced in. Every other byte, line endings and a
//! byte-order mark included, is copied through. New cells keep the exact text
//! they had in the new scores file.
//!
//! The edit is planned in memory, then checked before anything is written:
//! the edited matrix is parsed again and every model and every existing
//! column must read back identical, and the new column must read back the
//! intended values. The caller writes the result with
//! [`crate::atomic::write_atomic`].

use crate::load::{LoadError, MatrixFormat, parse_cell, parse_info, parse_matrix};
use crate::matrix::{BenchmarkMatrix, closest_names};
use crate::names::{Matcher, NameMatch};
use std::collections::HashMap;
use std::ops::Range;
use thiserror::Error;

/// An add could not be planned.
#[derive(Debug, Error)]
pub enum AddError {
    /// An input could not be read.
    #[error(transparent)]
    Load(#[from] LoadError),
    /// The request does not fit the files.
    #[error("{0}")]
    Refused(String),
    /// The new scores file has several score columns and none was chosen.
    #[error("{file}: {} score columns ({}): choose one", columns.len(), columns.join(", "))]
    ChooseColumn {
        /// New scores file.
        file: String,
        /// Its score columns.
        columns: Vec<String>,
    },
    /// The matrix has the column already and replacing was not asked for.
    #[error(
        "{matrix}: column '{id}' already exists (column {column}); it is only replaced on request"
    )]
    ColumnExists {
        /// Matrix source.
        matrix: String,
        /// Benchmark id.
        id: String,
        /// 1-based column number.
        column: usize,
    },
    /// The info table has a row for the id already and replacing was not
    /// asked for.
    #[error("{info}:{line}: an info row for '{id}' already exists; it is only replaced on request")]
    InfoRowExists {
        /// Info table source.
        info: String,
        /// 1-based line of the row.
        line: u64,
        /// Benchmark id.
        id: String,
    },
}

/// One column of a new scores file, cells as written.
#[derive(Debug, Clone, PartialEq)]
pub struct NewColumn {
    /// Source file (for messages).
    pub source: String,
    /// Column header in that file.
    pub header: String,
    /// Model names, in file order.
    pub models: Vec<String>,
    /// Cell texts (trimmed), one per model.
    pub cells: Vec<String>,
}

/// Read one score column of a `model,score` (or wider) CSV: the first column
/// holds model names; `column` picks the scores (default: the only other
/// column). Every cell must be a number or a missing value.
pub fn read_new_column(
    bytes: &[u8],
    source: &str,
    column: Option<&str>,
) -> Result<NewColumn, AddError> {
    // parse_matrix does all the checking (numbers, duplicates, ragged rows).
    let format = MatrixFormat {
        meta_columns: Vec::new(),
        compute_column: None,
        ..MatrixFormat::default()
    };
    let matrix = parse_matrix(bytes, source, &format)?;
    let whole = |message: String| LoadError::File {
        path: source.to_string(),
        message,
    };
    let header = match column {
        Some(c) => matrix.benchmark(c).map(|b| b.name.clone()).ok_or_else(|| {
            whole(format!(
                "no column '{c}'; closest: {}",
                closest_names(c, matrix.benchmarks.iter().map(|b| b.name.as_str()), 5).join(", ")
            ))
        })?,
        None => match matrix.benchmarks.as_slice() {
            [one] => one.name.clone(),
            many => {
                return Err(AddError::ChooseColumn {
                    file: source.to_string(),
                    columns: many.iter().map(|b| b.name.clone()).collect(),
                });
            }
        },
    };
    let bytes = strip_bom(bytes);
    let records = split_records(bytes);
    let header_fields = &records[0].fields;
    let index = header_fields
        .iter()
        .position(|f| unquote(&bytes[f.clone()]).trim() == header)
        .unwrap_or(0);
    let cells = records[1..]
        .iter()
        .filter(|r| !r.is_blank())
        .map(|r| unquote(&bytes[r.fields[index].clone()]).trim().to_string())
        .collect();
    Ok(NewColumn {
        source: source.to_string(),
        header,
        models: matrix.models,
        cells,
    })
}

/// What to add.
#[derive(Debug, Clone, PartialEq)]
pub struct AddRequest {
    /// Header of the new column (and id of the info row).
    pub benchmark: String,
    /// Overwrite an existing column / info row of that id.
    pub replace: bool,
    /// The info row's display name and metric, when an info table is edited.
    pub info_row: Option<(String, String)>,
}

/// A planned edit: the files before and after, and what was matched.
#[derive(Debug, Clone, PartialEq)]
pub struct AddPlan {
    /// Matrix bytes as read.
    pub matrix_before: Vec<u8>,
    /// Matrix bytes to write.
    pub matrix_after: Vec<u8>,
    /// Info table bytes before and after, when one is edited.
    pub info: Option<(Vec<u8>, Vec<u8>)>,
    /// How each new-file name was matched to the matrix.
    pub matches: Vec<NameMatch>,
    /// Matrix models given a value.
    pub filled: usize,
    /// Matrix models left empty (no matching score).
    pub left_empty: Vec<String>,
    /// An existing column was replaced (else one was appended).
    pub replaced_column: bool,
    /// An existing info row was replaced.
    pub replaced_info_row: bool,
}

/// Plan adding `new` to the matrix held in `matrix_bytes` (and to the info
/// table in `info_bytes`, if given).
pub fn plan_add(
    matrix_bytes: &[u8],
    matrix_source: &str,
    format: &MatrixFormat,
    new: &NewColumn,
    matcher_aliases: Option<&crate::names::AliasTable>,
    info: Option<(&[u8], &str)>,
    request: &AddRequest,
) -> Result<AddPlan, AddError> {
    let id = request.benchmark.trim();
    if id.is_empty() {
        return Err(AddError::Refused("the benchmark id is empty".into()));
    }
    let before = parse_matrix(matrix_bytes, matrix_source, format)?;
    let matcher = Matcher::new(&before.models, matcher_aliases);
    let matches = matcher.match_all(&new.models);
    let mut cell_for: HashMap<&str, &str> = HashMap::new();
    for (m, cell) in matches.iter().zip(&new.cells) {
        if let Some(t) = m.used_target() {
            cell_for.insert(t, cell);
        }
    }

    let (bom, body) = split_bom(matrix_bytes);
    let records = split_records(body);
    let headers: Vec<String> = records[0]
        .fields
        .iter()
        .map(|f| unquote(&body[f.clone()]).trim().to_string())
        .collect();
    let existing = headers.iter().position(|h| h == id);
    if let Some(col) = existing {
        if !request.replace {
            return Err(AddError::ColumnExists {
                matrix: matrix_source.to_string(),
                id: id.to_string(),
                column: col + 1,
            });
        }
        if before.benchmark(id).is_none() {
            return Err(AddError::Refused(format!(
                "{matrix_source}: column '{id}' is the model column or a metadata/compute column, not a benchmark; it cannot be replaced"
            )));
        }
    }

    let mut out = Vec::with_capacity(body.len() + 16 * records.len());
    out.extend_from_slice(bom);
    let mut data_rows = before.models.iter();
    for (k, r) in records.iter().enumerate() {
        if r.is_blank() {
            out.extend_from_slice(&body[r.start..r.end]);
            continue;
        }
        if r.fields.len() != headers.len() {
            // parse_matrix accepted the file, so this is a splitter defect.
            return Err(AddError::Refused(format!(
                "{matrix_source}: record {} could not be split safely; the file was left unchanged",
                k + 1
            )));
        }
        let cell = if k == 0 {
            quote(id)
        } else {
            let model = data_rows.next().map(String::as_str).unwrap_or_default();
            quote(cell_for.get(model).copied().unwrap_or(""))
        };
        match existing {
            Some(col) => {
                let f = &r.fields[col];
                out.extend_from_slice(&body[r.start..f.start]);
                out.extend_from_slice(cell.as_bytes());
                out.extend_from_slice(&body[f.end..r.end]);
            }
            None => {
                out.extend_from_slice(&body[r.start..r.content_end]);
                out.push(b',');
                out.extend_from_slice(cell.as_bytes());
                out.extend_from_slice(&body[r.content_end..r.end]);
            }
        }
    }
    verify(&before, &out, matrix_source, format, id, &cell_for)?;

    let mut replaced_info_row = false;
    let info = match (info, &request.info_row) {
        (Some((bytes, source)), Some((name, metric))) => {
            let (after, replaced) = edit_info(bytes, source, id, name, metric, request.replace)?;
            replaced_info_row = replaced;
            Some((bytes.to_vec(), after))
        }
        (None, None) => None,
        _ => {
            return Err(AddError::Refused(
                "an info table and its row go together: give both the info file and the row's name and metric".into(),
            ));
        }
    };

    let left_empty: Vec<String> = before
        .models
        .iter()
        .filter(|m| {
            cell_for
                .get(m.as_str())
                .and_then(|c| parse_cell(c).ok().flatten())
                .is_none()
        })
        .cloned()
        .collect();
    Ok(AddPlan {
        matrix_before: matrix_bytes.to_vec(),
        matrix_after: out,
        info,
        filled: before.n_models() - left_empty.len(),
        left_empty,
        matches,
        replaced_column: existing.is_some(),
        replaced_info_row,
    })
}

/// Parse the edited matrix again: models and every other column identical,
/// the new column as intended.
fn verify(
    before: &BenchmarkMatrix,
    after_bytes: &[u8],
    source: &str,
    format: &MatrixFormat,
    id: &str,
    cell_for: &HashMap<&str, &str>,
) -> Result<(), AddError> {
    let after = parse_matrix(after_bytes, source, format)?;
    let same = |a: &[f64], b: &[f64]| {
        a.len() == b.len()
            && a.iter()
                .zip(b)
                .all(|(x, y)| x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan()))
    };
    let others_same = before.models == after.models
        && before.meta == after.meta
        && match (&before.compute, &after.compute) {
            (Some(a), Some(b)) => a.name == b.name && same(&a.values, &b.values),
            (a, b) => a.is_none() && b.is_none(),
        }
        && before.benchmarks.iter().filter(|c| c.name != id).all(|c| {
            after
                .benchmark(&c.name)
                .is_some_and(|d| same(&c.values, &d.values))
        });
    let intended: Vec<f64> = before
        .models
        .iter()
        .map(|m| {
            cell_for
                .get(m.as_str())
                .and_then(|c| parse_cell(c).ok().flatten())
                .unwrap_or(f64::NAN)
        })
        .collect();
    let new_ok = after
        .benchmark(id)
        .is_some_and(|c| same(&c.values, &intended));
    if others_same && new_ok {
        Ok(())
    } else {
        Err(AddError::Refused(format!(
            "{source}: the edited matrix did not read back as intended; nothing was written"
        )))
    }
}

/// Add or replace the info row of `id`; returns the new bytes and whether a
/// row was replaced.
fn edit_info(
    bytes: &[u8],
    source: &str,
    id: &str,
    name: &str,
    metric: &str,
    replace: bool,
) -> Result<(Vec<u8>, bool), AddError> {
    parse_info(bytes, source)?;
    let (bom, body) = split_bom(bytes);
    let records = split_records(body);
    let row = format!("{},{},{}", quote(id), quote(name), quote(metric));
    let existing = records
        .iter()
        .enumerate()
        .skip(1)
        .find(|(_, r)| !r.is_blank() && unquote(&body[r.fields[0].clone()]).trim() == id);
    let mut out = bom.to_vec();
    let replaced = match existing {
        Some((_, r)) => {
            if !replace {
                return Err(AddError::InfoRowExists {
                    info: source.to_string(),
                    line: line_of(body, r.start) as u64,
                    id: id.to_string(),
                });
            }
            out.extend_from_slice(&body[..r.start]);
            out.extend_from_slice(row.as_bytes());
            out.extend_from_slice(&body[r.content_end..]);
            true
        }
        None => {
            let terminator = records
                .first()
                .map(|r| &body[r.content_end..r.end])
                .filter(|t| !t.is_empty())
                .unwrap_or(b"\n");
            out.extend_from_slice(body);
            if !body.is_empty() && !body.ends_with(b"\n") && !body.ends_with(b"\r") {
                out.extend_from_slice(terminator);
            }
            out.extend_from_slice(row.as_bytes());
            out.extend_from_slice(terminator);
            false
        }
    };
    let table = parse_info(&out, source)?;
    if table.get(id).is_none_or(|e| e.metric != metric.trim()) {
        return Err(AddError::Refused(format!(
            "{source}: the edited info table did not read back as intended; nothing was written"
        )));
    }
    Ok((out, replaced))
}

/// 1-based line where a record starts.
fn line_of(body: &[u8], start: usize) -> usize {
    LineCounter::new(body).line_of(start)
}

/// 1-based line numbers of positions visited in increasing order, counted
/// incrementally so that numbering every record of a file is linear.
struct LineCounter<'a> {
    body: &'a [u8],
    pos: usize,
    line: usize,
}

impl<'a> LineCounter<'a> {
    fn new(body: &'a [u8]) -> Self {
        LineCounter {
            body,
            pos: 0,
            line: 1,
        }
    }

    /// Line of byte `start`, which is not before the last one asked for.
    fn line_of(&mut self, start: usize) -> usize {
        self.line += self.body[self.pos..start]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        self.pos = start;
        self.line
    }
}

impl AddPlan {
    /// A line diff of the changes (`-` old, `+` new, with line numbers).
    pub fn diff(&self, matrix_name: &str, info_name: Option<&str>) -> String {
        let mut out = diff_records(matrix_name, &self.matrix_before, &self.matrix_after);
        if let (Some((before, after)), Some(name)) = (&self.info, info_name) {
            out.push_str(&diff_records(name, before, after));
        }
        out
    }
}

/// Diff two versions of a CSV whose records correspond one to one, except
/// for records added at the end.
fn diff_records(name: &str, before: &[u8], after: &[u8]) -> String {
    let (_, a) = split_bom(before);
    let (_, b) = split_bom(after);
    let ra = split_records(a);
    let rb = split_records(b);
    let mut out = format!("--- {name}\n+++ {name} (edited)\n");
    let (mut lines_a, mut lines_b) = (LineCounter::new(a), LineCounter::new(b));
    for k in 0..ra.len().max(rb.len()) {
        let old = ra.get(k).map(|r| &a[r.start..r.content_end]);
        let new = rb.get(k).map(|r| &b[r.start..r.content_end]);
        if old == new {
            continue;
        }
        let line = match (rb.get(k), ra.get(k)) {
            (Some(r), _) => lines_b.line_of(r.start),
            (None, Some(r)) => lines_a.line_of(r.start),
            (None, None) => 0,
        };
        out.push_str(&format!("@@ line {line} @@\n"));
        for (sign, text) in [('-', old), ('+', new)] {
            if let Some(t) = text {
                out.push(sign);
                out.push_str(&String::from_utf8_lossy(t));
                out.push('\n');
            }
        }
    }
    out
}

/// A raw CSV record: byte ranges into the file.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RawRecord {
    /// First byte.
    pub start: usize,
    /// Each field's raw bytes (quotes included).
    pub fields: Vec<Range<usize>>,
    /// End of the last field (before the line terminator).
    pub content_end: usize,
    /// After the line terminator.
    pub end: usize,
}

impl RawRecord {
    /// An empty line.
    pub fn is_blank(&self) -> bool {
        self.content_end == self.start
    }
}

/// Split CSV bytes into raw records the way the `csv` crate reads them:
/// `,` between fields; `\n`, `\r\n` or `\r` between records; a field that
/// starts with `"` runs to the closing quote (`""` is a quote), newlines
/// included. Always returns at least one record.
pub(crate) fn split_records(bytes: &[u8]) -> Vec<RawRecord> {
    let n = bytes.len();
    let mut records = Vec::new();
    let mut i = 0;
    loop {
        let start = i;
        let mut fields = Vec::new();
        loop {
            let field_start = i;
            if i < n && bytes[i] == b'"' {
                i += 1;
                while i < n {
                    if bytes[i] == b'"' {
                        if i + 1 < n && bytes[i + 1] == b'"' {
                            i += 2;
                            continue;
                        }
                        i += 1;
                        break;
                    }
                    i += 1;
                }
            }
            while i < n && !matches!(bytes[i], b',' | b'\n' | b'\r') {
                i += 1;
            }
            fields.push(field_start..i);
            if i < n && bytes[i] == b',' {
                i += 1;
            } else {
                break;
            }
        }
        let content_end = i;
        if i < n && bytes[i] == b'\r' {
            i += 1;
        }
        if i < n && bytes[i] == b'\n' && (i == content_end || bytes[i - 1] == b'\r') {
            i += 1;
        }
        records.push(RawRecord {
            start,
            fields,
            content_end,
            end: i,
        });
        if i >= n {
            break;
        }
    }
    records
}

/// The text of a raw field: surrounding quotes removed, `""` → `"`.
pub(crate) fn unquote(raw: &[u8]) -> String {
    let text = String::from_utf8_lossy(raw);
    match text.strip_prefix('"') {
        Some(rest) => {
            let inner = rest.rfind('"').map_or(rest, |j| &rest[..j]);
            inner.replace("\"\"", "\"")
        }
        None => text.into_owned(),
    }
}

/// A field as CSV text, quoted only when it must be.
fn quote(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

fn split_bom(bytes: &[u8]) -> (&[u8], &[u8]) {
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        bytes.split_at(3)
    } else {
        bytes.split_at(0)
    }
}

fn strip_bom(bytes: &[u8]) -> &[u8] {
    split_bom(bytes).1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new_column(text: &str) -> NewColumn {
        read_new_column(text.as_bytes(), "new.csv", None).unwrap()
    }

    fn add(matrix: &str, new: &str, replace: bool) -> Result<AddPlan, AddError> {
        plan_add(
            matrix.as_bytes(),
            "m.csv",
            &MatrixFormat::default(),
            &new_column(new),
            None,
            None,
            &AddRequest {
                benchmark: "nb".into(),
                replace,
                info_row: None,
            },
        )
    }

    #[test]
    fn splitter_handles_quotes_newlines_and_endings() {
        let text = b"a,\"b\nc\",\"d\"\"e\"\r\n\r\nx,,y";
        let r = split_records(text);
        assert_eq!(r.len(), 3);
        assert_eq!(r[0].fields.len(), 3);
        assert_eq!(unquote(&text[r[0].fields[1].clone()]), "b\nc");
        assert_eq!(unquote(&text[r[0].fields[2].clone()]), "d\"e");
        assert_eq!(&text[r[0].content_end..r[0].end], b"\r\n");
        assert!(r[1].is_blank());
        assert_eq!(r[2].fields.len(), 3);
        assert_eq!(r[2].end, text.len());
    }

    #[test]
    fn appends_a_column_keeping_every_other_byte() {
        let matrix =
            "\u{feff}model,a,name\r\nM1,0.70,\"x, y\"\r\nM2,7e-1,\"two\nlines\"\r\nM3,NaN,z";
        let plan = add(
            matrix,
            "model,score\nm1,0.5000\norg/M3,NA\nOther,1\n",
            false,
        )
        .unwrap();
        let after = String::from_utf8(plan.matrix_after.clone()).unwrap();
        assert_eq!(
            after,
            "\u{feff}model,a,name,nb\r\nM1,0.70,\"x, y\",0.5000\r\nM2,7e-1,\"two\nlines\",\r\nM3,NaN,z,NA"
        );
        assert_eq!(plan.filled, 1);
        assert_eq!(plan.left_empty, vec!["M2", "M3"]);
        assert!(plan.matches[2].used_target().is_none());
        assert!(
            plan.diff("m.csv", None)
                .contains("@@ line 2 @@\n-M1,0.70,\"x, y\"\n+M1,0.70,\"x, y\",0.5000\n")
        );
    }

    #[test]
    fn existing_column_is_refused_unless_replace() {
        // A missing compute value (NaN) must still read back as "unchanged".
        let matrix = "model,nb,b,FLOP\nM1,1,2,\nM2,3,4,1e20\n";
        let e = add(matrix, "model,s\nM1,9\n", false)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("column 'nb' already exists (column 2); it is only replaced on request"),
            "{e}"
        );
        let plan = add(matrix, "model,s\nM1,9\n", true).unwrap();
        assert_eq!(plan.matrix_after, b"model,nb,b,FLOP\nM1,9,2,\nM2,,4,1e20\n");
        assert!(plan.replaced_column);
    }

    #[test]
    fn info_row_is_appended_or_replaced() {
        let info = b"benchmark,name,metric\r\na,A,Accuracy (\xE2\x86\x91)";
        let (out, replaced) =
            edit_info(info, "i.csv", "nb", "New, bench", "Score (↓)", false).unwrap();
        assert!(!replaced);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "benchmark,name,metric\r\na,A,Accuracy (↑)\r\nnb,\"New, bench\",Score (↓)\r\n"
        );
        let e = edit_info(info, "i.csv", "a", "A2", "Score (↑)", false).unwrap_err();
        assert!(
            e.to_string()
                .contains("i.csv:2: an info row for 'a' already exists"),
            "{e}"
        );
        let (out, replaced) = edit_info(info, "i.csv", "a", "A2", "Score (↑)", true).unwrap();
        assert!(replaced);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "benchmark,name,metric\r\na,A2,Score (↑)"
        );
    }

    proptest::proptest! {
        /// Whatever the field texts, the raw splitter finds the fields the
        /// csv crate wrote, and each record's bytes are kept.
        #[test]
        fn splitter_agrees_with_the_csv_writer(
            rows in proptest::collection::vec(
                proptest::collection::vec("[a-z0-9 ,\"\r\n.]{0,6}", 3),
                1..6,
            ),
            crlf in proptest::bool::ANY,
        ) {
            let mut writer = csv::WriterBuilder::new()
                .terminator(if crlf { csv::Terminator::CRLF } else { csv::Terminator::Any(b'\n') })
                .from_writer(Vec::new());
            for r in &rows {
                writer.write_record(r).unwrap();
            }
            let bytes = writer.into_inner().unwrap();
            let records = split_records(&bytes);
            let records: Vec<&RawRecord> = records.iter().filter(|r| r.fields.len() > 1 || !r.is_blank()).collect();
            proptest::prop_assert_eq!(records.len(), rows.len());
            for (raw, want) in records.iter().zip(&rows) {
                let got: Vec<String> = raw.fields.iter().map(|f| unquote(&bytes[f.clone()])).collect();
                proptest::prop_assert_eq!(&got, want);
            }
        }
    }

    #[test]
    fn several_score_columns_need_a_choice() {
        let e = read_new_column(b"model,a,b\nM,1,2\n", "n.csv", None).unwrap_err();
        assert!(
            matches!(&e, AddError::ChooseColumn { file, columns } if file == "n.csv" && columns == &["a", "b"]),
            "{e}"
        );
        let c = read_new_column(b"model,a,b\nM,1,2.50\n", "n.csv", Some("b")).unwrap();
        assert_eq!(c.cells, vec!["2.50"]);
    }
}
