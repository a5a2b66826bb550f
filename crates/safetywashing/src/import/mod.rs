//! Turning evaluation engines' output into a wide benchmark matrix.
//!
//! Each engine has its own reader ([`lmeval`], [`inspect`], [`long`]), and
//! each reader's parse function works on bytes or a reader with a `source`
//! name (so it can be tested and fuzzed without files). They all end in the
//! same place: a [`MatrixBuilder`] collecting `(model, column) → value` cells
//! plus a description of each column, written as a CSV matrix that
//! [`crate::load::load_matrix`] reads (first column `model`) and, optionally,
//! an info table `benchmark,name,metric` whose metric text carries the
//! direction arrow (`↑`/`↓`) that [`crate::load::parse_info`] reads.
//!
//! Values are written with Rust's shortest round-trip formatting, so a value
//! read back is bit-for-bit the value in the engine's file.

pub mod inspect;
pub mod lmeval;
pub mod long;
pub mod walk;

use std::collections::HashMap;

/// An evaluation output could not be read: the same file / line / message
/// error as every other input of the tool.
pub type ImportError = crate::load::LoadError;

/// Something an import left out or could not do, returned as data (the
/// library never prints): a front end shows each, naming its own options
/// where one would help (`Display` says it in the library's words).
#[derive(Debug, Clone, PartialEq)]
pub enum ImportWarning {
    /// A result has no metric of the name asked for; it was left out.
    NoMetric {
        /// The results file or log.
        source: String,
        /// The task, where the file holds several.
        task: Option<String>,
        /// The metric asked for.
        metric: String,
        /// The metrics it has, as the engine names them.
        available: Vec<String>,
    },
    /// A metric is reported under several filters and none was chosen; the
    /// task was left out.
    AmbiguousFilter {
        /// The results file.
        source: String,
        /// The task.
        task: String,
        /// The metric.
        metric: String,
        /// Its filters.
        filters: Vec<String>,
    },
    /// Anything else, in words.
    Other(String),
}

impl From<String> for ImportWarning {
    fn from(text: String) -> Self {
        ImportWarning::Other(text)
    }
}

impl std::fmt::Display for ImportWarning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ImportWarning::NoMetric {
                source,
                task: None,
                metric,
                available,
            } => write!(
                f,
                "{source}: no metric '{metric}' (it has: {}): left out",
                available.join(", ")
            ),
            ImportWarning::NoMetric {
                source,
                task: Some(task),
                metric,
                available,
            } => write!(
                f,
                "{source}: task '{task}' left out: no metric '{metric}' (it has: {})",
                available.join(" ")
            ),
            ImportWarning::AmbiguousFilter {
                source,
                task,
                metric,
                filters,
            } => write!(
                f,
                "{source}: task '{task}' left out: metric '{metric}' has filters {}: name one",
                filters.join(", ")
            ),
            ImportWarning::Other(text) => f.write_str(text),
        }
    }
}

/// Direction of a metric, as engines record it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Better {
    /// Higher is better.
    Higher,
    /// Lower is better.
    Lower,
    /// Not recorded.
    Unknown,
}

impl Better {
    /// From an optional `higher_is_better` flag.
    pub fn from_flag(flag: Option<bool>) -> Self {
        match flag {
            Some(true) => Better::Higher,
            Some(false) => Better::Lower,
            None => Better::Unknown,
        }
    }

    fn arrow(self) -> &'static str {
        match self {
            Better::Higher => " (↑)",
            Better::Lower => " (↓)",
            Better::Unknown => "",
        }
    }
}

/// Description of one matrix column, for the info table.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnInfo {
    /// Column header (the benchmark id).
    pub id: String,
    /// Display name.
    pub name: String,
    /// Metric description without the arrow, e.g. `acc` or `1 - brier_score`.
    pub metric: String,
    /// Direction.
    pub better: Better,
}

impl ColumnInfo {
    /// The info table's metric text, e.g. `acc (↑)`.
    pub fn metric_text(&self) -> String {
        format!("{}{}", self.metric, self.better.arrow())
    }
}

/// Cells of a wide matrix being assembled: one row per model (first-seen
/// order), one column per benchmark (first-seen order).
#[derive(Debug, Clone, Default)]
pub struct MatrixBuilder {
    models: Vec<String>,
    model_index: HashMap<String, usize>,
    columns: Vec<ColumnInfo>,
    column_index: HashMap<String, usize>,
    cells: HashMap<(usize, usize), f64>,
}

impl MatrixBuilder {
    /// An empty builder.
    pub fn new() -> Self {
        Self::default()
    }

    /// Declare a column (first declaration wins for its description).
    pub fn column(&mut self, info: ColumnInfo) -> usize {
        if let Some(&i) = self.column_index.get(&info.id) {
            return i;
        }
        self.column_index
            .insert(info.id.clone(), self.columns.len());
        self.columns.push(info);
        self.columns.len() - 1
    }

    /// Index of a model's row, added if new.
    pub fn model(&mut self, model: &str) -> usize {
        if let Some(&i) = self.model_index.get(model) {
            return i;
        }
        self.model_index
            .insert(model.to_string(), self.models.len());
        self.models.push(model.to_string());
        self.models.len() - 1
    }

    /// Set a cell; returns the value it already had, if any (the caller
    /// decides whether that is an error). Non-finite values are refused.
    pub fn set(&mut self, model: &str, column: usize, value: f64) -> Result<Option<f64>, String> {
        if !value.is_finite() {
            return Err(format!("value {value} is not a finite number"));
        }
        let row = self.model(model);
        Ok(self.cells.insert((row, column), value))
    }

    /// The value of a cell, if set.
    pub fn get(&self, model: &str, column: &str) -> Option<f64> {
        let r = self.model_index.get(model)?;
        let c = self.column_index.get(column)?;
        self.cells.get(&(*r, *c)).copied()
    }

    /// Model ids in row order.
    pub fn models(&self) -> &[String] {
        &self.models
    }

    /// Columns in order.
    pub fn columns(&self) -> &[ColumnInfo] {
        &self.columns
    }

    /// Give every column a direction, so the info table always carries an
    /// arrow: the columns named in `lower_is_better` are `↓`; a column whose
    /// engine recorded no direction becomes `↑` (scores are higher-is-better
    /// unless said otherwise). Returns the ids of the columns that were so
    /// assumed `↑`, or the names in `lower_is_better` that are not columns.
    pub fn resolve_directions(
        &mut self,
        lower_is_better: &[String],
    ) -> Result<Vec<String>, Vec<String>> {
        let unknown: Vec<String> = lower_is_better
            .iter()
            .filter(|id| !self.column_index.contains_key(id.as_str()))
            .cloned()
            .collect();
        if !unknown.is_empty() {
            return Err(unknown);
        }
        let mut assumed = Vec::new();
        for c in &mut self.columns {
            if lower_is_better.contains(&c.id) {
                c.better = Better::Lower;
            } else if c.better == Better::Unknown {
                c.better = Better::Higher;
                assumed.push(c.id.clone());
            }
        }
        Ok(assumed)
    }

    /// The matrix as CSV: header `model,<columns>`, empty cells for missing.
    pub fn matrix_csv(&self) -> Vec<u8> {
        let mut w = csv::Writer::from_writer(Vec::new());
        let header = std::iter::once("model").chain(self.columns.iter().map(|c| c.id.as_str()));
        // Writing to a Vec cannot fail.
        let _ = w.write_record(header);
        for (r, model) in self.models.iter().enumerate() {
            let row = std::iter::once(model.clone()).chain((0..self.columns.len()).map(|c| {
                self.cells
                    .get(&(r, c))
                    .map_or(String::new(), |v| v.to_string())
            }));
            let _ = w.write_record(row);
        }
        w.into_inner().unwrap_or_default()
    }

    /// The info table as CSV: `benchmark,name,metric` (see
    /// [`MatrixBuilder::resolve_directions`] for the arrows).
    pub fn info_csv(&self) -> Vec<u8> {
        let mut w = csv::Writer::from_writer(Vec::new());
        let _ = w.write_record(["benchmark", "name", "metric"]);
        for c in &self.columns {
            let _ = w.write_record([c.id.as_str(), c.name.as_str(), &c.metric_text()]);
        }
        w.into_inner().unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::{Direction, MatrixFormat, parse_info, parse_matrix};

    #[test]
    fn written_matrix_and_info_load_back_exactly() {
        let mut b = MatrixBuilder::new();
        let acc = b.column(ColumnInfo {
            id: "task:acc,none".into(),
            name: "task".into(),
            metric: "acc".into(),
            better: Better::Higher,
        });
        let brier = b.column(ColumnInfo {
            id: "brier".into(),
            name: "Brier".into(),
            metric: "brier_score".into(),
            better: Better::Lower,
        });
        let tricky = 0.1 + 0.2;
        b.set("org/m\"1", acc, tricky).unwrap();
        b.set("m2", brier, 1e-300).unwrap();
        assert_eq!(b.set("m2", brier, 2.0).unwrap(), Some(1e-300));
        assert!(b.set("m2", brier, f64::NAN).is_err());
        let m = parse_matrix(&b.matrix_csv(), "out.csv", &MatrixFormat::default()).unwrap();
        assert_eq!(m.models, vec!["org/m\"1", "m2"]);
        assert_eq!(m.benchmarks[0].name, "task:acc,none");
        assert_eq!(m.benchmarks[0].values[0].to_bits(), tricky.to_bits());
        assert!(m.benchmarks[0].values[1].is_nan());
        assert_eq!(m.benchmarks[1].values[1], 2.0);
        let info = parse_info(&b.info_csv(), "info.csv").unwrap();
        assert_eq!(info.entries[0].direction, Direction::HigherIsBetter);
        assert_eq!(info.entries[1].direction, Direction::LowerIsBetter);
        assert_eq!(info.entries[1].metric, "brier_score (↓)");
    }

    #[test]
    fn every_column_gets_an_arrow() {
        let mut b = MatrixBuilder::new();
        for (id, better) in [
            ("recorded_low", Better::Lower),
            ("unrecorded", Better::Unknown),
            ("named_low", Better::Unknown),
        ] {
            b.column(ColumnInfo {
                id: id.into(),
                name: id.into(),
                metric: "score".into(),
                better,
            });
        }
        assert_eq!(
            b.resolve_directions(&["nope".to_string()]),
            Err(vec!["nope".to_string()])
        );
        let assumed = b.resolve_directions(&["named_low".to_string()]).unwrap();
        assert_eq!(assumed, vec!["unrecorded".to_string()]);
        let info = parse_info(&b.info_csv(), "info.csv").unwrap();
        let directions: Vec<_> = info.entries.iter().map(|e| e.direction).collect();
        assert_eq!(
            directions,
            vec![
                Direction::LowerIsBetter,
                Direction::HigherIsBetter,
                Direction::LowerIsBetter
            ]
        );
    }
}
