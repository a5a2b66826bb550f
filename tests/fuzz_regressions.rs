//! Every fuzz target's seeds (`fuzz/seeds/<target>/`) and every input a
//! fuzzer found a bug with (`fuzz/regressions/<target>/`) replayed through the
//! target's checks on each `cargo test`, without libFuzzer. The checks are
//! the fuzz targets' own code (`fuzz/fuzz_targets/checks.rs`).

#[path = "../fuzz/fuzz_targets/checks.rs"]
mod checks;

use std::path::PathBuf;

fn inputs(kind: &str, target: &str) -> Vec<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz")
        .join(kind)
        .join(target);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries.map(|e| e.unwrap().path()).collect();
    files.sort();
    files
}

#[test]
fn every_target_has_seeds() {
    for (target, _) in checks::TARGETS {
        assert!(
            !inputs("seeds", target).is_empty(),
            "fuzz/seeds/{target}/ is empty"
        );
    }
}

#[test]
fn seeds_and_regressions_pass_their_targets_checks() {
    for (target, check) in checks::TARGETS {
        for kind in ["seeds", "regressions"] {
            for file in inputs(kind, target) {
                let bytes = std::fs::read(&file).unwrap();
                let result = std::panic::catch_unwind(|| check(&bytes));
                assert!(result.is_ok(), "{target}: {} fails", file.display());
            }
        }
    }
}
