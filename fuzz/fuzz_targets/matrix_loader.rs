//! The wide-matrix CSV loader on arbitrary bytes: it must return Ok or a
//! `LoadError`, never panic; an accepted matrix is well-formed.
#![no_main]

#[path = "checks.rs"]
#[allow(dead_code)]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::matrix_loader(data));
