//! The benchmark info table loader on arbitrary bytes: Ok or a `LoadError`,
//! never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use safetywashing::load::parse_info;

fuzz_target!(|data: &[u8]| {
    if let Ok(t) = parse_info(data, "fuzz-info.csv") {
        for e in &t.entries {
            assert!(!e.benchmark.is_empty());
        }
    }
});
