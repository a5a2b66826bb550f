//! Test helper: a benchmark author's hand-made scores file, built from a
//! column of one of the paper's matrices (read from ../shared at test time).
#![allow(dead_code)]

use std::path::Path;

/// Write `model,score` from one column of a paper matrix, names rewritten.
pub fn write_rewritten_column(matrix: &Path, column: &str, out: &Path) -> Vec<(String, String)> {
    let mut reader = csv::Reader::from_path(matrix).unwrap();
    let col = reader
        .headers()
        .unwrap()
        .iter()
        .position(|h| h == column)
        .unwrap();
    let mut writer = csv::Writer::from_path(out).unwrap();
    writer.write_record(["model", "my_truthfulness"]).unwrap();
    let mut renamed = Vec::new();
    for (i, row) in reader.records().enumerate() {
        let row = row.unwrap();
        let name = &row[0];
        // Every other model gets an org/ prefix; every third is upper-cased.
        let mut written = if i % 2 == 0 {
            format!("some-org/{name}")
        } else {
            name.to_string()
        };
        if i % 3 == 0 {
            written = written.to_uppercase();
        }
        if written != name {
            renamed.push((written.clone(), name.to_string()));
        }
        writer.write_record([written.as_str(), &row[col]]).unwrap();
    }
    writer.flush().unwrap();
    renamed
}
