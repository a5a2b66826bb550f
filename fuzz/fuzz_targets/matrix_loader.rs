//! The wide-matrix CSV loader on arbitrary bytes: it must return Ok or a
//! `LoadError`, never panic; an accepted matrix is well-formed.
#![no_main]

use libfuzzer_sys::fuzz_target;
use safetywashing::load::{MatrixFormat, parse_matrix};

fuzz_target!(|data: &[u8]| {
    if let Ok(m) = parse_matrix(data, "fuzz.csv", &MatrixFormat::default()) {
        let n = m.models.len();
        assert!(n > 0);
        for c in m.benchmarks.iter().chain(m.compute.as_ref()) {
            assert_eq!(c.values.len(), n);
            assert!(c.values.iter().all(|v| v.is_finite() || v.is_nan()));
        }
        for c in &m.meta {
            assert_eq!(c.cells.len(), n);
        }
    }
});
