//! Load arbitrary bytes as a matrix and, when that succeeds, run the whole
//! analysis with the first benchmark columns as capability benchmarks and
//! render every output format. Errors are fine; a panic, a non-finite number
//! in a successful fit, a correlation outside [-1, 1] or invalid JSON is not.
#![no_main]

#[path = "checks.rs"]
#[allow(dead_code)]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::analyze_matrix(data));
