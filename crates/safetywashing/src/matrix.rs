//! The benchmark matrix: one row per model, one numeric column per benchmark,
//! plus the metadata columns kept as text.
//!
//! Values are stored column by column (one `Vec<f64>` per benchmark) because
//! every step of the analysis walks a benchmark across models. Missing cells
//! are NaN inside this module and its callers only; nothing NaN is ever
//! printed as a number.

use crate::records::same_id;
use std::io::{self, Write};

/// One numeric column of the matrix.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// Header as written in the file.
    pub name: String,
    /// One value per model, NaN where the cell was missing.
    pub values: Vec<f64>,
}

impl Column {
    /// Number of present (non-missing) values.
    pub fn present(&self) -> usize {
        self.values.iter().filter(|v| !v.is_nan()).count()
    }
}

/// A metadata column, kept as the original text of each cell.
#[derive(Debug, Clone, PartialEq)]
pub struct MetaColumn {
    /// Header as written in the file.
    pub name: String,
    /// One cell per model.
    pub cells: Vec<String>,
}

/// A loaded benchmark matrix.
#[derive(Debug, Clone, PartialEq)]
pub struct BenchmarkMatrix {
    /// Where the matrix came from (a path as given by the user), for messages.
    pub source: String,
    /// Model ids in file order.
    pub models: Vec<String>,
    /// Benchmark columns in file order.
    pub benchmarks: Vec<Column>,
    /// Metadata columns present in the file, in file order.
    pub meta: Vec<MetaColumn>,
    /// The numeric compute column (e.g. training FLOP), when present.
    pub compute: Option<Column>,
}

impl BenchmarkMatrix {
    /// The benchmark column with this exact header.
    pub fn benchmark(&self, name: &str) -> Option<&Column> {
        self.benchmarks.iter().find(|c| same_id(&c.name, name))
    }

    /// Index of the benchmark column with this exact header.
    pub fn benchmark_index(&self, name: &str) -> Option<usize> {
        self.benchmarks.iter().position(|c| same_id(&c.name, name))
    }

    /// The metadata column with this exact header.
    pub fn meta_column(&self, name: &str) -> Option<&MetaColumn> {
        self.meta.iter().find(|c| same_id(&c.name, name))
    }

    /// Number of models (rows).
    pub fn n_models(&self) -> usize {
        self.models.len()
    }

    /// Every column header except the model column, for suggestions.
    pub fn all_column_names(&self) -> impl Iterator<Item = &str> {
        self.benchmarks
            .iter()
            .map(|c| c.name.as_str())
            .chain(self.meta.iter().map(|c| c.name.as_str()))
            .chain(self.compute.iter().map(|c| c.name.as_str()))
    }
}

/// The names among `candidates` closest to `wanted`, best first (at most
/// `limit`), for "did you mean" messages. Case-insensitive edit distance, with
/// names that contain the wanted text (or are contained in it) ranked first.
pub fn closest_names<'a>(
    wanted: &str,
    candidates: impl IntoIterator<Item = &'a str>,
    limit: usize,
) -> Vec<String> {
    let wanted_lc = wanted.to_lowercase();
    let mut scored: Vec<(usize, String)> = candidates
        .into_iter()
        .map(|c| {
            let lc = c.to_lowercase();
            let contains =
                !wanted_lc.is_empty() && (lc.contains(&wanted_lc) || wanted_lc.contains(&lc));
            let distance = edit_distance(&wanted_lc, &lc);
            (
                if contains { distance.min(1) } else { distance },
                c.to_string(),
            )
        })
        .collect();
    scored.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
    scored.dedup_by(|a, b| a.1 == b.1);
    scored.into_iter().take(limit).map(|(_, c)| c).collect()
}

/// Levenshtein distance over chars.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let subst = prev[j] + usize::from(ca != *cb);
            cur[j + 1] = subst.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// Write a matrix as wide CSV in the paper's layout: `model`, the metadata
/// columns, the benchmark columns, then the compute column. Missing values
/// are empty cells; numbers are written in Rust's shortest round-trip form
/// (the compute column in scientific notation), so reading the file back
/// gives the same doubles.
///
/// Each cell is formatted straight into `out`, with no allocation per cell;
/// pass a buffered writer.
pub fn write_matrix_csv(matrix: &BenchmarkMatrix, out: &mut dyn Write) -> io::Result<()> {
    write_matrix_csv_ordered(matrix, &[], out)
}

/// One output column of [`write_matrix_csv_ordered`].
enum Cell<'a> {
    Text(&'a MetaColumn),
    Number(&'a Column),
    Compute(&'a Column),
}

impl Cell<'_> {
    fn name(&self) -> &str {
        match self {
            Cell::Text(c) => &c.name,
            Cell::Number(c) | Cell::Compute(c) => &c.name,
        }
    }
}

/// [`write_matrix_csv`] with the columns named in `order` first, in that
/// order (a file's header, so that a matrix is written back in the order it
/// was read: `merge` keeps its first input's), then the others in the
/// paper's layout. Names in `order` the matrix lacks are passed over.
pub fn write_matrix_csv_ordered(
    matrix: &BenchmarkMatrix,
    order: &[String],
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut cells: Vec<Cell> = matrix
        .meta
        .iter()
        .map(Cell::Text)
        .chain(matrix.benchmarks.iter().map(Cell::Number))
        .chain(matrix.compute.iter().map(Cell::Compute))
        .collect();
    let rank = |name: &str| order.iter().position(|o| o == name).unwrap_or(order.len());
    // Stable: columns outside `order` keep the paper's layout among themselves.
    cells.sort_by_key(|c| rank(c.name()));
    write_text(out, "model")?;
    for cell in &cells {
        out.write_all(b",")?;
        write_text(out, cell.name())?;
    }
    out.write_all(b"\n")?;
    for (row, model) in matrix.models.iter().enumerate() {
        write_text(out, model)?;
        for cell in &cells {
            out.write_all(b",")?;
            match cell {
                Cell::Text(c) => write_text(out, &c.cells[row])?,
                Cell::Number(c) if !c.values[row].is_nan() => write!(out, "{}", c.values[row])?,
                Cell::Compute(c) if !c.values[row].is_nan() => write!(out, "{:e}", c.values[row])?,
                Cell::Number(_) | Cell::Compute(_) => {}
            }
        }
        out.write_all(b"\n")?;
    }
    Ok(())
}

/// A text cell, quoted (with doubled quotes) only when CSV needs it.
fn write_text(out: &mut dyn Write, text: &str) -> io::Result<()> {
    if text.contains([',', '"', '\n', '\r']) {
        out.write_all(b"\"")?;
        out.write_all(text.replace('"', "\"\"").as_bytes())?;
        out.write_all(b"\"")
    } else {
        out.write_all(text.as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance_basics() {
        assert_eq!(edit_distance("mmlu", "mmlu"), 0);
        assert_eq!(edit_distance("mmlu", "mmul"), 2);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("gsm8k", "gsm8"), 1);
    }

    #[test]
    fn closest_names_prefers_near_and_containing() {
        let names = ["arc_challenge", "arc_easy", "mmlu", "mmlu_pro", "gsm8k"];
        let got = closest_names("arc", names, 2);
        assert_eq!(got, vec!["arc_challenge", "arc_easy"]);
        assert_eq!(closest_names("mmlU", names, 1), vec!["mmlu"]);
    }

    #[test]
    fn quoting_only_when_needed() {
        let mut out = Vec::new();
        write_text(&mut out, "plain").unwrap();
        write_text(&mut out, "a,\"b\"").unwrap();
        assert_eq!(out, b"plain\"a,\"\"b\"\"\"");
    }
}
