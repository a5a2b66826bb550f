//! lm-eval results files on arbitrary bytes: an error or a results file;
//! a results file builds a matrix that the matrix loader reads back.
#![no_main]

#[path = "common.rs"]
mod common;

use libfuzzer_sys::fuzz_target;
use safetywashing::import::lmeval::{LmEvalOptions, build_matrix, parse_results};

fuzz_target!(|data: &[u8]| {
    let Ok(file) = parse_results(data, "fuzz/results.json", Some("fuzz-folder")) else {
        return;
    };
    let options = LmEvalOptions {
        allow_limited: true,
        ..LmEvalOptions::default()
    };
    if let Ok((builder, _report)) = build_matrix(std::slice::from_ref(&file), &options) {
        common::check_round_trip(&builder);
    }
});
