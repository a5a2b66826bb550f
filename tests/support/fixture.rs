//! A small synthetic benchmark matrix, written by the tests themselves: ten
//! models, three capability benchmarks, three others (one tracking
//! capabilities, one falling with them, one noise), a compute column, and
//! names that need escaping in XML and HTML.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// Capability benchmarks of the fixture.
pub const CAPABILITIES: &str = "cap_a,cap_b,cap_c";
/// Models in the fixture.
pub const MODELS: usize = 10;
/// Benchmark columns in the fixture.
pub const BENCHMARKS: usize = 6;
/// Non-capability benchmarks in the fixture.
pub const OTHERS: usize = 3;

/// The matrix as CSV text.
pub fn matrix_csv() -> String {
    let mut s = String::from("model,FLOP,cap_a,cap_b,cap_c,tracks,falls,noise\n");
    for i in 0..MODELS {
        let x = i as f64;
        let name = match i {
            3 => "A&B <model>".to_string(),
            _ => format!("model-{i:02}"),
        };
        // Small deterministic wiggles keep the columns from being collinear.
        let w = |k: u64| (((i as u64 * 7919 + k * 104729) % 97) as f64) / 97.0;
        s.push_str(&format!(
            "{name},{:.3e},{:.4},{:.4},{:.4},{:.4},{:.4},{:.4}\n",
            10f64.powf(21.0 + x / 3.0),
            0.3 + 0.05 * x + 0.15 * w(1),
            0.2 + 0.06 * x + 0.2 * w(2),
            0.1 + 0.04 * x + 0.15 * w(3),
            0.5 + 0.03 * x + 0.08 * w(4),
            0.9 - 0.04 * x + 0.05 * w(5),
            w(6),
        ));
    }
    s
}

/// The info table as CSV text.
pub fn info_csv() -> String {
    "benchmark,name,metric\n\
     cap_a,Cap A,Accuracy (↑)\n\
     cap_b,Cap B,Accuracy (↑)\n\
     cap_c,Cap C,Accuracy (↑)\n\
     tracks,Tracks \"Capabilities\",Score (↑)\n\
     falls,Falls <fast>,Refusal rate (↑)\n\
     noise,Noise & Co,Score (↑)\n"
        .to_string()
}

/// Write the matrix and info table into `dir`; returns their paths.
pub fn write(dir: &Path) -> (PathBuf, PathBuf) {
    let m = dir.join("fixture_matrix.csv");
    let i = dir.join("fixture_info.csv");
    std::fs::write(&m, matrix_csv()).unwrap();
    std::fs::write(&i, info_csv()).unwrap();
    (m, i)
}
