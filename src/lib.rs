//! # safetywashing
//!
//! Does a safety benchmark measure safety, or just capabilities? This crate
//! reproduces the analysis of Ren et al. (2024), "Safetywashing: Do AI Safety
//! Benchmarks Actually Measure Safety Progress?" (arXiv 2407.21792), exactly,
//! and builds on it.
//!
//! The modules follow the pipeline:
//!
//! - [`load`]: reading benchmark matrices and info tables (strict, with
//!   file/line/column errors);
//! - [`matrix`]: the in-memory matrix;
//! - [`stats`] and [`linalg`]: ranks, correlations, the symmetric eigenproblem;
//! - [`paired`]: many columns correlated with one target, fast;
//! - [`capabilities`]: the capabilities score (PC1 of capability benchmarks);
//! - [`analysis`]: every benchmark's capabilities and compute correlation;
//! - [`uncertainty`]: bootstrap intervals, permutation p-values, leave-one-out,
//!   sensitivity, residuals and imputation around that analysis;
//! - [`output`]: one exporter per format, and the atomic file writer;
//! - [`data`]: fetching the paper's data (pinned URL + SHA-256 + cache);
//! - [`simulate`]: matrices drawn from a latent-factor model, with the truth.

pub mod analysis;
pub mod atomic;
pub mod capabilities;
pub mod data;
pub mod linalg;
pub mod load;
pub mod matrix;
pub mod output;
pub mod paired;
pub mod simulate;
pub mod stats;
pub mod uncertainty;
