//! The long-format (model, benchmark, score) importer on arbitrary bytes: an
//! error or a matrix that the matrix loader reads back.
#![no_main]

#[path = "common.rs"]
mod common;

use libfuzzer_sys::fuzz_target;
use safetywashing::import::long::{Dedupe, LongOptions, parse_long};

fuzz_target!(|data: &[u8]| {
    // The first byte picks --percent and the --dedupe rule.
    let Some((&knob, rest)) = data.split_first() else {
        return;
    };
    let options = LongOptions {
        model_col: "model".into(),
        benchmark_col: "benchmark".into(),
        score_col: "score".into(),
        percent: knob & 1 == 1,
        dedupe: [
            None,
            Some(Dedupe::Max),
            Some(Dedupe::Mean),
            Some(Dedupe::Last),
        ][usize::from(knob >> 1) % 4],
    };
    if let Ok(builder) = parse_long(rest, "fuzz.csv", &options) {
        common::check_round_trip(&builder);
    }
});
