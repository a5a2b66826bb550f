//! The `safetywashing` binary: everything happens in [`safetywashing_cli`].

use std::process::ExitCode;

fn main() -> ExitCode {
    safetywashing_cli::main_with_args(std::env::args_os())
}
