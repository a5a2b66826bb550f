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

/// The shared folder, or `None` (after printing why) when it is absent.
pub fn shared() -> Option<PathBuf> {
    let root = std::env::var_os("SAFETYWASHING_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared"));
    if root.join("data").is_dir() {
        return Some(root);
    }
    let msg = format!(
        "SKIPPED: shared data not found at {} (set SAFETYWASHING_SHARED)",
        root.display()
    );
    if std::env::var("SAFETYWASHING_REQUIRE_SHARED").as_deref() == Ok("1") {
        panic!("{msg}, and SAFETYWASHING_REQUIRE_SHARED=1 forbids skipping");
    }
    eprintln!("{msg}");
    None
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
