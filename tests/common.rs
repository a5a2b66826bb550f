//! Helpers shared by the integration tests: where the read-only `shared/`
//! folder (paper data, reference numbers) lives, and how its absence is
//! handled.
//!
//! `shared/` is found at `$SAFETYWASHING_SHARED`, else `../shared` beside the
//! crate. A test that needs it and doesn't find it prints a visible
//! `SKIPPED` line and returns, unless `SAFETYWASHING_REQUIRE_SHARED=1` (set by
//! `.ci/run`), in which case it fails.
#![allow(dead_code)]

use std::path::PathBuf;

/// The CLI under test, as an `assert_cmd` command (environment inherited).
pub fn bin() -> assert_cmd::Command {
    assert_cmd::Command::cargo_bin("safetywashing").unwrap()
}

/// Run `cmd` and return its output, failing the test (with the command and
/// its stderr) unless it succeeded.
pub fn succeeded(cmd: &mut assert_cmd::Command) -> std::process::Output {
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "{cmd:?}: {}", stderr_of(&out));
    out
}

/// A finished run's stderr, as text.
pub fn stderr_of(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A finished run's stdout, as text.
pub fn stdout_of(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The shared folder, or `None` (after printing why) when it is absent.
pub fn shared() -> Option<PathBuf> {
    let root = std::env::var_os("SAFETYWASHING_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared"));
    if root.join("data").is_dir() {
        return Some(root);
    }
    skip(
        &format!(
            "shared data not found at {} (set SAFETYWASHING_SHARED)",
            root.display()
        ),
        "SAFETYWASHING_REQUIRE_SHARED",
    );
    None
}

/// Skip a test visibly, or fail it when `require_env=1` forbids skipping.
///
/// The reason goes to stderr and is appended to `$SAFETYWASHING_SKIP_LOG`
/// when that is set: the README's test command (`scripts/test`) sets it and
/// prints every skip in its last lines, after the runners' summaries, so a
/// skipped shared-data or browser test cannot go unnoticed.
pub fn skip(reason: &str, require_env: &str) {
    let msg = format!("SKIPPED: {reason}");
    if std::env::var(require_env).as_deref() == Ok("1") {
        panic!("{msg}, and {require_env}=1 forbids skipping");
    }
    eprintln!("{msg}");
    if let Some(log) = std::env::var_os("SAFETYWASHING_SKIP_LOG") {
        use std::io::Write;
        let test = std::thread::current()
            .name()
            .unwrap_or("unnamed test")
            .to_string();
        if let Ok(mut f) = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
        {
            let _ = writeln!(f, "{test}: {reason}");
        }
    }
}

/// Run the body with the shared folder, or skip visibly.
#[macro_export]
macro_rules! with_shared {
    ($root:ident => $body:block) => {
        match common::shared() {
            Some($root) => $body,
            None => return,
        }
    };
}

/// The paper's current-release data folder.
pub fn paper_dir(shared: &std::path::Path) -> PathBuf {
    shared.join("data/safetywashing-paper")
}

/// The paper's first-release data folder.
pub fn paper_dir_2024(shared: &std::path::Path) -> PathBuf {
    shared.join("data/safetywashing-paper-2024-08-12")
}
