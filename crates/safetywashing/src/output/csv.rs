//! CSV: one row per benchmark with the `benchmarks` fields, full precision.
//! A `matrix` column comes first so several matrices can share one file.
//! Rows are typed ([`BenchmarkRow`]): the same values the JSON writes, never
//! derived from the JSON. Text from a file (the matrix path, display names)
//! has its control characters escaped ([`crate::escape::control`]); ids
//! cannot hold any (the loader refuses them).

use super::uncertainty::{csv_cells, csv_header};
use super::{Exporter, csv_number};
use crate::analysis::BenchmarkResult;
use crate::escape;
use crate::uncertainty::FullAnalysis;
use std::io::{self, Write};

/// One row per benchmark; undefined numbers are empty cells.
pub struct CsvExporter;

/// The fixed columns of a row, in order.
const HEADER: [&str; 8] = [
    "matrix",
    "benchmark",
    "name",
    "role",
    "n",
    "capabilities_correlation",
    "compute_n",
    "compute_correlation",
];

/// One CSV row: a benchmark's result and its uncertainty cells.
struct BenchmarkRow<'a> {
    matrix: &'a str,
    result: &'a BenchmarkResult,
    extra: Vec<String>,
}

impl BenchmarkRow<'_> {
    fn cells(&self) -> Vec<String> {
        let b = self.result;
        let mut cells = vec![
            escape::control(self.matrix).into_owned(),
            escape::control(&b.benchmark).into_owned(),
            escape::control(&b.name).into_owned(),
            b.role.as_str().to_string(),
            b.n.to_string(),
            csv_number(b.capabilities_correlation),
            b.compute_n.to_string(),
            csv_number(b.compute_correlation),
        ];
        cells.extend(self.extra.iter().cloned());
        cells
    }
}

impl Exporter for CsvExporter {
    fn export(&self, analyses: &[FullAnalysis], out: &mut dyn Write) -> io::Result<()> {
        let mut writer = csv::Writer::from_writer(out);
        let extra = csv_header(analyses);
        writer.write_record(
            HEADER
                .iter()
                .copied()
                .chain(extra.iter().map(String::as_str)),
        )?;
        for full in analyses {
            let a = &full.analysis;
            for (i, result) in a.benchmarks.iter().enumerate() {
                let row = BenchmarkRow {
                    matrix: &a.matrix,
                    result,
                    extra: csv_cells(full, i, &extra),
                };
                writer.write_record(row.cells())?;
            }
        }
        writer.flush()
    }
}
