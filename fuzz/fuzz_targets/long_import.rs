//! The long-format (model, benchmark, score) importer on arbitrary bytes: an
//! error or a matrix that the matrix loader reads back.
#![no_main]

#[path = "checks.rs"]
#[allow(dead_code)]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::long_import(data));
