//! lm-eval per-sample JSONL files (calibration) on arbitrary bytes: an error
//! or a report whose numbers are finite and in range.
#![no_main]

#[path = "checks.rs"]
#[allow(dead_code)]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::lmeval_samples(data));
