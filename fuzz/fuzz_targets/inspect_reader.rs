//! The Inspect log reader on arbitrary bytes, both as a `.json` log and as
//! an `.eval` (zip) archive: an error or a log, never a panic, a hang or an
//! unbounded allocation.
#![no_main]

#[path = "checks.rs"]
#[allow(dead_code)]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::inspect_reader(data));
