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
//! - [`capabilities`]: the capabilities score (PC1 of capability benchmarks);
//! - [`analysis`]: every benchmark's capabilities and compute correlation;
//! - [`output`]: one exporter per format, and the atomic file writer;
//! - [`data`]: fetching the paper's data (pinned URL + SHA-256 + cache).

pub mod analysis;
pub mod atomic;
pub mod calibration;
pub mod capabilities;
pub mod data;
pub mod import;
pub mod linalg;
pub mod load;
pub mod matrix;
pub mod output;
pub mod stats;
