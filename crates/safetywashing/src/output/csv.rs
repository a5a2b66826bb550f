//! CSV: one row per benchmark with the `benchmarks` fields, full precision.
//! A `matrix` column comes first so several matrices can share one file.

use super::Exporter;
use crate::analysis::Analysis;
use std::io::{self, Write};

/// One row per benchmark; undefined numbers are empty cells.
pub struct CsvExporter;

fn cell(value: Option<f64>) -> String {
    value
        .filter(|v| v.is_finite())
        .map_or(String::new(), |v| v.to_string())
}

impl Exporter for CsvExporter {
    fn export(&self, analyses: &[Analysis], out: &mut dyn Write) -> io::Result<()> {
        let mut writer = csv::Writer::from_writer(out);
        let header = [
            "matrix",
            "benchmark",
            "name",
            "role",
            "n",
            "capabilities_correlation",
            "compute_n",
            "compute_correlation",
        ];
        let extra = super::uncertainty::csv_header(analyses);
        writer.write_record(
            header
                .iter()
                .copied()
                .chain(extra.iter().map(String::as_str)),
        )?;
        for a in analyses {
            for (i, b) in a.benchmarks.iter().enumerate() {
                let cells = super::uncertainty::csv_cells(a, i, &extra);
                writer.write_record(
                    [
                        a.matrix.as_str(),
                        &b.benchmark,
                        &b.name,
                        b.role.as_str(),
                        &b.n.to_string(),
                        &cell(b.capabilities_correlation),
                        &b.compute_n.to_string(),
                        &cell(b.compute_correlation),
                    ]
                    .into_iter()
                    .chain(cells.iter().map(String::as_str)),
                )?;
            }
        }
        writer.flush()
    }
}
