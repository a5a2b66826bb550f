//! The benchmark info table loader on arbitrary bytes: Ok or a `LoadError`,
//! never a panic.
#![no_main]

#[path = "checks.rs"]
#[allow(dead_code)]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::info_loader(data));
