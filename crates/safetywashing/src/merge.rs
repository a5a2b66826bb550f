//! Outer-joining benchmark matrices by model.
//!
//! Matrices from different sources spell models differently, so rows are
//! joined through [`crate::names`]: the first matrix's models are the
//! reference, every later matrix's names are matched exactly, by alias or by
//! normalisation, and each non-exact match is reported. A name that matches
//! nothing becomes a new row; a name that is ambiguous, or that would take a
//! row another name of the same file already takes, stops the merge (it is
//! never guessed). Columns are joined by exact header. Two different values
//! for one cell are a conflict: the merge is refused unless a preferred input
//! is named, and every conflict is reported either way.

use crate::matrix::{BenchmarkMatrix, Column, MetaColumn};
use crate::names::{AliasTable, Matcher, NameMatch};
use std::collections::HashMap;
use thiserror::Error;

/// Which input wins a conflict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prefer {
    /// Refuse conflicts.
    None,
    /// The input at this index (0-based, argument order) wins.
    Input(usize),
}

/// A cell with different values in different inputs.
#[derive(Debug, Clone, PartialEq)]
pub struct Conflict {
    /// Model (as named in the merged matrix).
    pub model: String,
    /// Column header.
    pub column: String,
    /// The value kept so far and its source.
    pub kept: (String, String),
    /// The other value and its source.
    pub other: (String, String),
}

impl Conflict {
    /// One line for people.
    pub fn describe(&self) -> String {
        format!(
            "model '{}', column '{}': {} in {} vs {} in {}",
            self.model, self.column, self.kept.1, self.kept.0, self.other.1, self.other.0
        )
    }
}

/// What a merge did besides joining.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MergeReport {
    /// Every non-exact name match: (input source, match).
    pub renamed: Vec<(String, NameMatch)>,
    /// Models that matched no earlier row and were added: (source, model).
    pub added_models: Vec<(String, String)>,
    /// Conflicts settled by the preferred input.
    pub resolved: Vec<Conflict>,
}

/// Why matrices could not be merged.
#[derive(Debug, Error, PartialEq)]
pub enum MergeError {
    /// Fewer than two inputs.
    #[error("merge needs at least two matrices")]
    TooFewInputs,
    /// A model name could not be placed without guessing.
    #[error("{file}: model '{name}' {reason}; an alias (a from,to row) decides")]
    Unplaceable {
        /// Input file.
        file: String,
        /// Model name as given.
        name: String,
        /// The match description.
        reason: String,
    },
    /// Cells disagree and no input is preferred.
    #[error("{}, e.g. {}; a preferred input decides", crate::words::count(conflicts.len(), "conflicting cell", "conflicting cells"), conflicts[0].describe())]
    Conflicts {
        /// Every conflict.
        conflicts: Vec<Conflict>,
    },
}

/// A text or numeric cell value, for comparing and reporting.
fn show(v: f64) -> String {
    format!("{v}")
}

/// Merge `inputs` (at least two) into one matrix.
pub fn merge(
    inputs: &[BenchmarkMatrix],
    aliases: Option<&AliasTable>,
    prefer: Prefer,
) -> Result<(BenchmarkMatrix, MergeReport), MergeError> {
    let (first, rest) = inputs.split_first().ok_or(MergeError::TooFewInputs)?;
    if rest.is_empty() {
        return Err(MergeError::TooFewInputs);
    }
    let mut merged = BenchmarkMatrix {
        source: "merged".to_string(),
        ..first.clone()
    };
    let mut report = MergeReport::default();
    let mut conflicts = Vec::new();
    let mut sources = Sources::default();
    record_sources(&merged, &mut sources);
    // Row of each merged model, so placing a row is not a scan of them all.
    let mut row_of: HashMap<String, usize> = HashMap::with_capacity(merged.n_models());
    for (r, m) in merged.models.iter().enumerate() {
        row_of.entry(m.clone()).or_insert(r);
    }

    for (k, input) in rest.iter().enumerate() {
        let index = k + 1;
        let rows = place_rows(&mut merged, &mut row_of, input, aliases, &mut report)?;
        let mut join = Joiner {
            merged: &mut merged,
            rows: &rows,
            source: &input.source,
            index,
            inputs,
            prefer,
            sources: &mut sources,
            resolved: &mut report.resolved,
            conflicts: &mut conflicts,
        };
        for column in &input.benchmarks {
            join.numeric(column, Slot::Benchmark);
        }
        if let Some(c) = &input.compute {
            join.numeric(c, Slot::Compute);
        }
        for meta in &input.meta {
            join.text(meta);
        }
    }
    if !conflicts.is_empty() {
        return Err(MergeError::Conflicts { conflicts });
    }
    Ok((merged, report))
}

/// Map each row of `input` to a row of `merged`, adding rows for new models.
fn place_rows(
    merged: &mut BenchmarkMatrix,
    row_of: &mut HashMap<String, usize>,
    input: &BenchmarkMatrix,
    aliases: Option<&AliasTable>,
    report: &mut MergeReport,
) -> Result<Vec<usize>, MergeError> {
    let matcher = Matcher::new(&merged.models, aliases);
    let mut rows = Vec::with_capacity(input.n_models());
    for m in matcher.match_all(&input.models) {
        let unplaceable = |m: &NameMatch| MergeError::Unplaceable {
            file: input.source.clone(),
            name: m.name.clone(),
            reason: m.describe(),
        };
        if let Some(target) = m.used_target() {
            let row = *row_of.get(target).ok_or_else(|| unplaceable(&m))?;
            if !m.outcome.is_exact() {
                report.renamed.push((input.source.clone(), m.clone()));
            }
            rows.push(row);
        } else if m.collision.is_none() && m.outcome.target().is_none() && !is_ambiguous(&m) {
            add_row(merged, &m.name);
            row_of
                .entry(m.name.clone())
                .or_insert(merged.n_models() - 1);
            report
                .added_models
                .push((input.source.clone(), m.name.clone()));
            rows.push(merged.n_models() - 1);
        } else {
            return Err(unplaceable(&m));
        }
    }
    Ok(rows)
}

fn is_ambiguous(m: &NameMatch) -> bool {
    matches!(m.outcome, crate::names::MatchOutcome::Ambiguous { .. })
}

/// Append an empty row for `model`.
fn add_row(merged: &mut BenchmarkMatrix, model: &str) {
    merged.models.push(model.to_string());
    for c in merged.benchmarks.iter_mut().chain(merged.compute.as_mut()) {
        c.values.push(f64::NAN);
    }
    for m in &mut merged.meta {
        m.cells.push(String::new());
    }
}

/// Which input supplied each cell of the merged matrix that holds a value,
/// by column name: while every such cell of a column came from one input
/// (the usual case), just that input; else one small integer per row (a
/// map keyed by cell would hold a string per cell, many times the matrix
/// itself).
#[derive(Default)]
struct Sources {
    by_column: HashMap<String, ColumnSources>,
}

/// The inputs that supplied a column's cells.
enum ColumnSources {
    /// Every cell with a value came from this input.
    One(u32),
    /// The input of each row's cell ([`Sources::NONE`] for none).
    Cells(Vec<u32>),
}

impl Sources {
    /// Marks a cell no input has supplied.
    const NONE: u32 = u32::MAX;

    /// The input that supplied the cell at `row` of `column`, a cell with a
    /// value.
    fn get(&self, row: usize, column: &str) -> Option<usize> {
        let s = match self.by_column.get(column)? {
            ColumnSources::One(input) => *input,
            ColumnSources::Cells(cells) => *cells.get(row)?,
        };
        (s != Self::NONE).then_some(s as usize)
    }

    /// Record that `input` supplied the cell at `row` of `column`, in a
    /// merged matrix of `rows` rows.
    fn set(&mut self, row: usize, column: &str, input: usize, rows: usize) {
        let input = u32::try_from(input).expect("fewer than 4 billion inputs");
        // Looked up by `&str`, so a column's name is copied once, not per cell.
        let Some(sources) = self.by_column.get_mut(column) else {
            self.by_column
                .insert(column.to_string(), ColumnSources::One(input));
            return;
        };
        if let ColumnSources::One(first) = *sources {
            if first == input {
                return;
            }
            // Every cell with a value so far is in the first `rows` rows.
            *sources = ColumnSources::Cells(vec![first; rows]);
        }
        if let ColumnSources::Cells(cells) = sources {
            if cells.len() <= row {
                cells.resize(row + 1, Self::NONE);
            }
            cells[row] = input;
        }
    }
}

/// Remember that the first input supplied each present cell of `matrix`.
fn record_sources(matrix: &BenchmarkMatrix, sources: &mut Sources) {
    let numeric = matrix.benchmarks.iter().chain(matrix.compute.iter());
    for c in numeric {
        for (r, v) in c.values.iter().enumerate() {
            if !v.is_nan() {
                sources.set(r, &c.name, 0, matrix.n_models());
            }
        }
    }
    for m in &matrix.meta {
        for (r, v) in m.cells.iter().enumerate() {
            if !v.trim().is_empty() {
                sources.set(r, &m.name, 0, matrix.n_models());
            }
        }
    }
}

/// Where a numeric column goes.
#[derive(Clone, Copy)]
enum Slot {
    Benchmark,
    Compute,
}

/// Joins one input's columns into the merged matrix.
struct Joiner<'a> {
    merged: &'a mut BenchmarkMatrix,
    rows: &'a [usize],
    source: &'a str,
    index: usize,
    inputs: &'a [BenchmarkMatrix],
    prefer: Prefer,
    sources: &'a mut Sources,
    resolved: &'a mut Vec<Conflict>,
    conflicts: &'a mut Vec<Conflict>,
}

impl Joiner<'_> {
    /// Settle one cell: returns whether the incoming value replaces the old.
    fn settle(&mut self, row: usize, column: &str, old: String, new: String) -> bool {
        let kept_from = self.sources.get(row, column).unwrap_or(0);
        let conflict = Conflict {
            model: self.merged.models[row].clone(),
            column: column.to_string(),
            kept: (self.inputs[kept_from].source.clone(), old),
            other: (self.source.to_string(), new),
        };
        match self.prefer {
            Prefer::None => {
                self.conflicts.push(conflict);
                false
            }
            Prefer::Input(p) => {
                let replace = p == self.index;
                self.resolved.push(conflict);
                replace
            }
        }
    }

    fn numeric(&mut self, column: &Column, slot: Slot) {
        let n = self.merged.n_models();
        let target = match slot {
            Slot::Compute => {
                if self.merged.compute.is_none() {
                    self.merged.compute = Some(Column {
                        name: column.name.clone(),
                        values: vec![f64::NAN; n],
                    });
                }
                usize::MAX
            }
            Slot::Benchmark => match self.merged.benchmark_index(&column.name) {
                Some(i) => i,
                None => {
                    self.merged.benchmarks.push(Column {
                        name: column.name.clone(),
                        values: vec![f64::NAN; n],
                    });
                    self.merged.benchmarks.len() - 1
                }
            },
        };
        for (r, &v) in column.values.iter().enumerate() {
            if v.is_nan() {
                continue;
            }
            let row = self.rows[r];
            let old = self.cell(slot, target, row);
            if !old.is_nan() && old != v && !self.settle(row, &column.name, show(old), show(v)) {
                continue;
            }
            match slot {
                Slot::Compute => {
                    if let Some(c) = self.merged.compute.as_mut() {
                        c.values[row] = v;
                    }
                }
                Slot::Benchmark => self.merged.benchmarks[target].values[row] = v,
            }
            self.sources
                .set(row, &column.name, self.index, self.merged.n_models());
        }
    }

    fn cell(&self, slot: Slot, target: usize, row: usize) -> f64 {
        match slot {
            Slot::Compute => self
                .merged
                .compute
                .as_ref()
                .map_or(f64::NAN, |c| c.values[row]),
            Slot::Benchmark => self.merged.benchmarks[target].values[row],
        }
    }

    fn text(&mut self, meta: &MetaColumn) {
        let n = self.merged.n_models();
        let target = match self.merged.meta.iter().position(|m| m.name == meta.name) {
            Some(i) => i,
            None => {
                self.merged.meta.push(MetaColumn {
                    name: meta.name.clone(),
                    cells: vec![String::new(); n],
                });
                self.merged.meta.len() - 1
            }
        };
        for (r, v) in meta.cells.iter().enumerate() {
            if v.trim().is_empty() {
                continue;
            }
            let row = self.rows[r];
            let old = self.merged.meta[target].cells[row].clone();
            if !old.trim().is_empty() && old != *v && !self.settle(row, &meta.name, old, v.clone())
            {
                continue;
            }
            self.merged.meta[target].cells[row] = v.clone();
            self.sources
                .set(row, &meta.name, self.index, self.merged.n_models());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::{MatrixFormat, parse_matrix};

    fn m(text: &str, source: &str) -> BenchmarkMatrix {
        parse_matrix(text.as_bytes(), source, &MatrixFormat::default()).unwrap()
    }

    #[test]
    fn outer_join_with_renamed_and_new_models() {
        let a = m(
            "model,mmlu,FLOP\nLlama-2-7b-hf,0.45,8.4e22\nYi-6B,0.6,\n",
            "a.csv",
        );
        let b = m(
            "model,truthfulqa,FLOP\nmeta-llama/llama-2-7b,0.3,8.4e22\nnew-model,0.5,1e21\n",
            "b.csv",
        );
        let (merged, report) = merge(&[a, b], None, Prefer::None).unwrap();
        assert_eq!(merged.models, vec!["Llama-2-7b-hf", "Yi-6B", "new-model"]);
        assert_eq!(merged.benchmarks.len(), 2);
        let t = merged.benchmark("truthfulqa").unwrap();
        assert_eq!(t.values[0], 0.3);
        assert!(t.values[1].is_nan());
        assert_eq!(t.values[2], 0.5);
        assert_eq!(merged.compute.as_ref().unwrap().values[2], 1e21);
        assert_eq!(report.renamed.len(), 1);
        assert_eq!(report.renamed[0].1.name, "meta-llama/llama-2-7b");
        assert_eq!(
            report.added_models,
            vec![("b.csv".to_string(), "new-model".to_string())]
        );
    }

    #[test]
    fn conflicts_are_refused_unless_an_input_is_preferred() {
        let a = m("model,mmlu\nx,0.5\ny,0.7\n", "a.csv");
        let b = m("model,mmlu\nx,0.6\ny,0.7\n", "b.csv");
        let e = merge(&[a.clone(), b.clone()], None, Prefer::None).unwrap_err();
        assert_eq!(
            e.to_string(),
            "1 conflicting cell, e.g. model 'x', column 'mmlu': 0.5 in a.csv vs 0.6 in b.csv; a preferred input decides"
        );
        let (merged, report) = merge(&[a.clone(), b.clone()], None, Prefer::Input(1)).unwrap();
        assert_eq!(merged.benchmark("mmlu").unwrap().values, vec![0.6, 0.7]);
        assert_eq!(report.resolved.len(), 1);
        let (merged, _) = merge(&[a, b], None, Prefer::Input(0)).unwrap();
        assert_eq!(merged.benchmark("mmlu").unwrap().values, vec![0.5, 0.7]);
    }

    #[test]
    fn a_conflict_names_the_input_that_supplied_the_kept_value() {
        // x's mmlu comes from b (a lacks it), y's from a; c disagrees on x.
        let a = m("model,mmlu\nx,\ny,0.1\n", "a.csv");
        let b = m("model,mmlu\nx,0.5\n", "b.csv");
        let c = m("model,mmlu\nx,0.6\ny,0.2\n", "c.csv");
        let e = merge(&[a.clone(), b.clone(), c.clone()], None, Prefer::None).unwrap_err();
        let MergeError::Conflicts { conflicts } = e else {
            panic!("{e}")
        };
        let described: Vec<String> = conflicts.iter().map(Conflict::describe).collect();
        assert_eq!(
            described,
            [
                "model 'x', column 'mmlu': 0.5 in b.csv vs 0.6 in c.csv",
                "model 'y', column 'mmlu': 0.1 in a.csv vs 0.2 in c.csv"
            ]
        );
        // Settled by the last input, then named as the source of what is kept.
        let d = m("model,mmlu\nx,0.7\n", "d.csv");
        let (_, report) = merge(&[a, b, c, d], None, Prefer::Input(2)).unwrap();
        let settled: Vec<String> = report.resolved.iter().map(Conflict::describe).collect();
        assert_eq!(
            settled.last().unwrap(),
            "model 'x', column 'mmlu': 0.6 in c.csv vs 0.7 in d.csv"
        );
    }

    #[test]
    fn ambiguous_names_are_never_guessed() {
        let a = m("model,mmlu\nModel-A,0.5\nmodel_a,0.7\n", "a.csv");
        let b = m("model,gsm8k\nmodel a,0.1\n", "b.csv");
        let e = merge(&[a, b], None, Prefer::None).unwrap_err().to_string();
        assert!(e.contains("b.csv: model 'model a' ambiguous"), "{e}");
        assert!(e.ends_with("; an alias (a from,to row) decides"), "{e}");
    }
}
