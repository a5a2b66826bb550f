//! The `safetywashing` command: parse flags (`cli`), turn them into checked
//! library options and run (`commands`), print. All domain logic lives in the
//! library crate.

mod cli;
mod commands;

use clap::Parser;
use std::process::ExitCode;

/// Exit status for any error (bad input, bad flags, failed download).
const EXIT_ERROR: u8 = 2;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match commands::run(cli) {
        Ok(code) => code,
        Err(e) => {
            if is_broken_pipe(&e) {
                // The reader went away (`| head`): not an error worth a message.
                return ExitCode::SUCCESS;
            }
            eprintln!("error: {e:#}");
            ExitCode::from(EXIT_ERROR)
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
