//! Test-data writers shared by several test modules.

pub mod fixture;
pub mod lm_eval;
pub mod mirror;
pub mod rewrite;
