//! `safetywashing data`: get the paper's data and show where it is.

use anyhow::Result;
use clap::{Args, Subcommand};
use safetywashing::data::{self, FileStatus};
use std::process::ExitCode;

/// Flags of `data`.
#[derive(Debug, Args)]
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
            for status in data::ensure(force)? {
                let (word, path) = match &status {
                    FileStatus::Present(p) => ("verified", p),
                    FileStatus::Downloaded(p) => ("downloaded", p),
                };
                println!("{word} {}", path.display());
            }
        }
        DataAction::Path => println!("{}", data::data_dir()?.path().display()),
    }
    Ok(ExitCode::SUCCESS)
}
