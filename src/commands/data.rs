//! `safetywashing data`: get the paper's data and show where it is.

use anyhow::Result;
use clap::{Args, Subcommand};
use safetywashing::data::{self, FileStatus};
use std::process::ExitCode;

/// Flags of `data`.
#[derive(Debug, Args)]
#[command(after_help = "\
The paper's three files (benchmarks_base_models.csv, benchmarks_chat_models.csv,
benchmarks_info.csv) come from the paper's repository at a pinned commit and are
checked against pinned SHA-256 sums; commands that need them and get no MATRIX
fetch them on first use.

Environment:
  SAFETYWASHING_DATA=DIR      use the files in DIR (verified, never downloaded)
  SAFETYWASHING_DATA_URL=URL  download from a mirror instead

Examples:
  safetywashing data fetch          # download into the cache and verify
  safetywashing data fetch --force  # download again
  safetywashing data path           # the folder the files are read from")]
pub struct DataArgs {
    #[command(subcommand)]
    pub action: DataAction,
}

/// What to do with the paper's data.
#[derive(Debug, Subcommand)]
pub enum DataAction {
    /// Download the paper's three files (pinned commit, SHA-256 checked) into
    /// the cache; with SAFETYWASHING_DATA set, only verify the files there.
    Fetch {
        /// Download again even when verified copies are present.
        #[arg(long)]
        force: bool,
    },
    /// Print the folder holding the paper's files.
    Path,
}

/// Run `data`.
pub fn run(args: DataArgs) -> Result<ExitCode> {
    match args.action {
        DataAction::Fetch { force } => {
            for status in data::ensure_with(force, &mut super::say_download)? {
                let (word, path) = match &status {
                    FileStatus::Present(p) => ("verified", p),
                    FileStatus::Downloaded(p) => ("downloaded", p),
                };
                println!("{word} {}", super::paths::shown(path));
            }
        }
        DataAction::Path => println!("{}", super::paths::shown(data::data_dir()?.path())),
    }
    Ok(ExitCode::SUCCESS)
}
