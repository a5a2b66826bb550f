//! One module per subcommand: check the raw flags, call the library, print.

pub mod analyze;
pub mod calibrate;
pub mod data;
pub mod import;

use crate::cli::{Cli, Command, MatrixArgs};
use anyhow::{Context, Result};
use safetywashing::atomic::write_atomic;
use safetywashing::load::{
    DEFAULT_COMPUTE_COLUMN, InfoTable, MatrixFormat, load_info, load_matrix,
};
use safetywashing::matrix::BenchmarkMatrix;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Run the parsed command line.
pub fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Analyze(args) => analyze::run(args),
        Command::Data(args) => data::run(args),
        Command::Import(args) => import::run(args),
        Command::Calibrate(args) => calibrate::run(args),
    }
}

impl MatrixArgs {
    /// The checked matrix format these flags describe.
    pub fn format(&self) -> MatrixFormat {
        MatrixFormat {
            model_column: self.model_column.clone(),
            meta_columns: self
                .meta_columns
                .iter()
                .map(|c| c.trim().to_string())
                .filter(|c| !c.is_empty())
                .collect(),
            compute_column: Some(
                self.compute_column
                    .clone()
                    .unwrap_or_else(|| DEFAULT_COMPUTE_COLUMN.to_string()),
            ),
            require_compute_column: self.compute_column.is_some(),
        }
    }
}

/// Matrices to analyse and the info table to name their benchmarks.
pub struct Inputs {
    /// Loaded matrices, in argument order.
    pub matrices: Vec<BenchmarkMatrix>,
    /// Info table, when given (or the paper's, for the paper's data).
    pub info: Option<InfoTable>,
}

/// Load the given matrices, or the paper's two (fetching them if needed)
/// when none are given. Warns on stderr about a missing compute column.
pub fn load_inputs(paths: &[PathBuf], args: &MatrixArgs) -> Result<Inputs> {
    let format = args.format();
    let (paths, default_info) = if paths.is_empty() {
        let paper = safetywashing::data::paper_data()
            .context("no MATRIX given, so the paper's data is used")?;
        (vec![paper.base, paper.chat], Some(paper.info))
    } else {
        (paths.to_vec(), None)
    };
    let info = match args.info.as_ref().or(default_info.as_ref()) {
        Some(p) => Some(load_info(p)?),
        None => None,
    };
    let mut matrices = Vec::with_capacity(paths.len());
    for p in &paths {
        let m = load_matrix(p, &format)?;
        if m.compute.is_none()
            && let Some(c) = &format.compute_column
        {
            eprintln!(
                "warning: {}: no compute column '{c}'; compute correlations are omitted (see --compute-column)",
                m.source
            );
        }
        matrices.push(m);
    }
    Ok(Inputs { matrices, info })
}

/// Write `bytes` to `path` atomically, or to stdout when `path` is `None`.
pub fn emit(bytes: &[u8], path: Option<&Path>) -> Result<()> {
    match path {
        Some(p) => write_atomic(p, bytes).with_context(|| format!("writing {}", p.display())),
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(bytes)?;
            out.flush()?;
            Ok(())
        }
    }
}
