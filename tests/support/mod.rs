//! Test-data writers shared by several test modules.

pub mod fixture;
pub mod rewrite;
