//! The integration tests: one test binary (ripgrep's layout), so the crate
//! and its dependencies are linked once and every case runs in parallel in
//! one process. Each module covers one area; `common` finds `../shared` and
//! records visible skips; `support` writes the tests' own fixtures.

#[macro_use]
mod common;
mod support;

mod add_cli;
mod atomic_write;
mod bad_inputs;
mod calibration;
mod check_cli;
mod cli;
mod cli_plot;
mod escaping;
mod evaluate;
mod examples;
mod figures;
mod flags;
mod fuzz_regressions;
mod golden;
mod import;
mod layers;
mod merge_cli;
mod properties;
mod reliability;
mod report_browser;
mod simulate;
mod spec;
mod ties;
mod uncertainty;
mod validate_cli;
