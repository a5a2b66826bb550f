//! # safetywashing
//!
//! Does a safety benchmark measure safety, or just capabilities? This crate
//! reproduces the analysis of Ren et al. (2024), "Safetywashing: Do AI Safety
//! Benchmarks Actually Measure Safety Progress?" (arXiv 2407.21792), exactly,
//! and builds on it.
//!
//! The modules follow the pipeline:
//!
//! - [`records`]: the CSV record reader every input goes through, and the
//!   policy for problems (stop at the first, or collect all);
//! - [`load`]: reading benchmark matrices and info tables (strict, with
//!   file/line/column errors);
//! - [`matrix`]: the in-memory matrix;
//! - [`names`]: matching model names across files (exact, alias, normalised);
//! - [`interval`]: the one interval type every module reports;
//! - [`stats`] and [`linalg`]: ranks, correlations, the symmetric eigenproblem;
//! - [`paired`]: many columns correlated with one target, fast;
//! - [`capabilities`]: the capabilities score (PC1 of capability benchmarks);
//! - [`analysis`]: every benchmark's capabilities and compute correlation;
//! - [`verdict`]: the one rule that names a correlation low, moderate or
//!   high (by |r|, sign beside), with the bands its interval spans;
//! - [`add`]: adding a column to a matrix byte-preservingly;
//! - [`score`]: new models placed on a reference's frozen capabilities score;
//! - [`check`]: a new benchmark's capabilities correlation and verdict;
//! - [`uncertainty`]: bootstrap intervals, permutation p-values, leave-one-out,
//!   sensitivity, residuals and imputation around that analysis;
//! - [`output`]: one exporter per format, and the atomic file writer;
//! - [`validate`]: every problem in a matrix and info table, with line and column;
//! - [`data`]: fetching the paper's data (pinned URL + SHA-256 + cache);
//! - [`simulate`]: matrices drawn from a latent-factor model, with the truth;
//! - [`plot`]: publication figures (SVG/PNG) and [`report`]: one-file reports;
//! - [`import`]: evaluation output (lm-eval, Inspect, long tables) to a matrix;
//! - [`evaluate`]: running lm-evaluation-harness on a model (plan, resume,
//!   collect into a matrix);
//! - [`calibration`]: calibration metrics from per-sample log-likelihoods;
//! - [`merge`]: outer-joining matrices by model name;
//! - [`random`]: the one random-number set-up (ChaCha8 keyed by seed and
//!   purpose, numbered streams);
//! - [`memory`]: refusing, before it starts, work that would not fit in memory;
//! - [`suite`]: the paper's benchmark suite (area, harness, lm-eval task,
//!   metric, transform of every column).

/// The seed every command uses unless told otherwise (bootstrap,
/// permutations, simulation, calibration's tuning split): one default, so
/// the same command line gives the same bytes everywhere.
pub const DEFAULT_SEED: u64 = 1;

pub mod add;
pub mod analysis;
pub mod atomic;
pub mod calibration;
pub mod capabilities;
pub mod check;
pub mod data;
pub mod escape;
#[cfg(feature = "evaluate")]
pub mod evaluate;
#[cfg(feature = "import")]
pub mod import;
pub mod interval;
pub mod linalg;
pub mod load;
pub mod matrix;
pub mod memory;
pub mod merge;
pub mod names;
pub mod numbers;
pub mod output;
pub mod paired;
#[cfg(feature = "plot")]
pub mod plot;
pub mod random;
pub mod records;
#[cfg(feature = "report")]
pub mod report;
pub mod score;
pub mod simulate;
pub mod stats;
pub mod suite;
pub mod uncertainty;
pub mod validate;
pub mod verdict;
pub mod words;
