//! lm-eval results files on arbitrary bytes: an error or a results file;
//! a results file builds a matrix that the matrix loader reads back.
#![no_main]

#[path = "checks.rs"]
#[allow(dead_code)]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::lmeval_results(data));
