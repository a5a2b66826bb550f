//! The `safetywashing` command-line tool as a library: parse flags (`cli`),
//! turn them into checked library options and run (`commands`), print. All
//! domain logic lives in the `safetywashing` library crate; this crate only
//! maps flags to options and library errors to messages and exit codes.
//!
//! [`main_with_args`] is the whole program; the `safetywashing` binary and the
//! Python package's console script both call it.

pub mod cli;
pub mod commands;
pub mod errors;

use clap::{CommandFactory, FromArgMatches};
use std::ffi::OsString;
use std::process::ExitCode;

/// Exit status for any error (bad input, bad flags, failed download).
pub const EXIT_ERROR: u8 = 2;

/// Run the command line `args` (the first item is the program name) and
/// return the process exit status. Errors are printed to stderr as one line.
pub fn main_with_args<I, T>(args: I) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    ignore_file_size_signal();
    // The signal thread starts with the first temporary file, not before.
    safetywashing::atomic::on_first_temp_file(remove_temp_files_on_signal);
    let parsed = negative_numbers(cli::Cli::command())
        .try_get_matches_from(args)
        .and_then(|m| cli::Cli::from_arg_matches(&m));
    let cli = match parsed {
        Ok(cli) => cli,
        Err(e) => {
            if let Some(line) = whole_number_error(&e) {
                eprintln!("error: {line}\n\nFor more information, try '--help'.");
                return ExitCode::from(EXIT_ERROR);
            }
            // clap prints help/version to stdout (exit 0) and usage errors
            // to stderr (exit 2), as `Cli::parse` would.
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { EXIT_ERROR } else { 0 });
        }
    };
    match cli.command.run() {
        Ok(code) => code,
        Err(e) => {
            if is_broken_pipe(&e) {
                // The reader went away (`| head`): not an error worth a message.
                return ExitCode::SUCCESS;
            }
            eprintln!("error: {}", one_line(&e));
            ExitCode::from(EXIT_ERROR)
        }
    }
}

/// What is wrong with a count flag's value, in words: the integer parser's
/// own "invalid digit found in string" is what `--bootstrap -5` or
/// `--seed 1.5` would otherwise say.
fn whole_number_error(e: &clap::Error) -> Option<String> {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    use std::num::IntErrorKind;
    if e.kind() != ErrorKind::ValueValidation {
        return None;
    }
    let parse = std::error::Error::source(e)?.downcast_ref::<std::num::ParseIntError>()?;
    let context = |kind| match e.get(kind) {
        Some(ContextValue::String(s)) => Some(s.clone()),
        _ => None,
    };
    let (flag, value) = (
        context(ContextKind::InvalidArg)?,
        context(ContextKind::InvalidValue)?,
    );
    let why = match parse.kind() {
        IntErrorKind::PosOverflow | IntErrorKind::NegOverflow => {
            "a whole number, but it is too large"
        }
        _ if value.trim_start().starts_with('-') => {
            "a whole number of 0 or more, not a negative one"
        }
        _ => "a whole number (digits only)",
    };
    Some(format!(
        "invalid value '{value}' for '{flag}': expected {why}"
    ))
}

/// Let every flag's value be a negative number (`--confidence -0.5` is then
/// refused for its value, not reported as an unknown argument '-0'), in
/// every subcommand.
fn negative_numbers(cmd: clap::Command) -> clap::Command {
    cmd.mut_args(|a| {
        if a.get_action().takes_values() {
            a.allow_negative_numbers(true)
        } else {
            a
        }
    })
    .mut_subcommands(negative_numbers)
}

/// On SIGINT or SIGTERM, remove the temporary files being written (the
/// outputs stay as they were) and exit as the signal would (128 + its
/// number). The handler only wakes a thread; the work happens there.
fn remove_temp_files_on_signal() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    #[cfg(unix)]
    ONCE.call_once(|| {
        use signal_hook::consts::{SIGINT, SIGTERM};
        let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM]) else {
            return; // without a handler the default action applies
        };
        std::thread::spawn(move || {
            if let Some(signal) = signals.forever().next() {
                safetywashing::atomic::remove_temp_files();
                std::process::exit(128 + signal);
            }
        });
    });
}

/// Past a file-size limit (`ulimit -f`) the kernel sends SIGXFSZ, whose
/// default action kills the process with no message. Ignored, the write fails
/// with EFBIG instead: the atomic writer removes its temporary file and the
/// user gets an error naming the output.
fn ignore_file_size_signal() {
    #[cfg(unix)]
    // SAFETY: setting a signal to SIG_IGN at start-up, before any thread
    // exists, installs no handler code and touches no Rust state.
    unsafe {
        libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// The error and its causes on one line, like `{:#}`, but without repeating a
/// cause whose text the message before it already ends with (library errors
/// such as `path: reason` also expose `reason` as their source). The Python
/// package raises its errors with this same line.
pub fn one_line(e: &anyhow::Error) -> String {
    let mut line = String::new();
    for cause in e.chain() {
        let text = errors::flag_message(cause).unwrap_or_else(|| cause.to_string());
        if line.ends_with(&text) {
            continue;
        }
        if !line.is_empty() {
            line.push_str(": ");
        }
        line.push_str(&text);
    }
    // One line, whatever a file put into a header or model id.
    safetywashing::escape::control(&line).into_owned()
}
