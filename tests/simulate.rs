//! `simulate` → `analyze` recovers the structure that generated the matrix:
//! capability-free benchmarks' capabilities correlation is near 0, loaded
//! benchmarks' near the population truth in the sidecar JSON, for every
//! correlation method; compute correlations likewise.

use crate::common;
use crate::common::bin;
use serde_json::Value;
use std::path::Path;

fn json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// Simulate 3000 models x 40 benchmarks into `dir/sim.csv` (+ sidecar) with
/// these extra flags.
fn simulate(dir: &Path, extra: &[&str]) -> Value {
    let csv = dir.join("sim.csv");
    bin()
        .args(["simulate", "--models", "3000", "--benchmarks", "40", "-o"])
        .arg(&csv)
        .args(extra)
        .assert()
        .success();
    json(&dir.join("sim.truth.json"))
}

fn analyze(dir: &Path, method: &str) -> Value {
    let out = common::succeeded(
        bin()
            .arg("analyze")
            .arg(dir.join("sim.csv"))
            .args(["--format", "json", "--method", method]),
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Compare every benchmark's estimated correlations with the truth.
fn check_recovery(truth: &Value, analysis: &Value, method: &str, tol: f64) {
    let estimated = analysis["benchmarks"].as_array().unwrap();
    let truths = truth["benchmarks"].as_array().unwrap();
    assert_eq!(estimated.len(), truths.len());
    let mut free = 0;
    for (e, t) in estimated.iter().zip(truths) {
        let name = t["benchmark"].as_str().unwrap();
        assert_eq!(e["benchmark"].as_str(), Some(name));
        let got = e["capabilities_correlation"].as_f64().unwrap();
        let want = t["capabilities_correlation"][method].as_f64().unwrap();
        assert!(
            (got - want).abs() < tol,
            "{method} {name}: capabilities correlation {got}, truth {want}"
        );
        let got = e["compute_correlation"].as_f64().unwrap();
        let want = t["compute_correlation"][method].as_f64().unwrap();
        // Pearson correlates log10 FLOP, whose truth is bivariate normal.
        assert!(
            (got - want).abs() < tol,
            "{method} {name}: compute correlation {got}, truth {want}"
        );
        if t["capability_free"].as_bool().unwrap() {
            free += 1;
            let got = e["capabilities_correlation"].as_f64().unwrap();
            assert!(
                got.abs() < 0.1,
                "{method} {name}: capability-free but {got}"
            );
        }
    }
    assert!(
        free >= 5,
        "too few capability-free benchmarks to test: {free}"
    );
    let share = analysis["pc1_variance_explained"].as_f64().unwrap();
    let want = truth["pc1_variance_explained"][method].as_f64().unwrap();
    assert!(
        (share - want).abs() < 0.03,
        "{method} PC1 share {share} vs {want}"
    );
}

#[test]
fn analysis_recovers_the_generating_structure() {
    let dir = tempfile::tempdir().unwrap();
    let truth = simulate(dir.path(), &["--missing", "0.2", "--seed", "7"]);
    // Loaded safety benchmarks span weak to strong correlations.
    let loadings: Vec<f64> = truth["benchmarks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|b| b["role"] == "safety" && !b["capability_free"].as_bool().unwrap())
        .map(|b| b["capabilities_correlation"]["spearman"].as_f64().unwrap())
        .collect();
    assert!(loadings.iter().any(|r| *r > 0.6) && loadings.iter().any(|r| r.abs() < 0.3));
    for method in ["spearman", "pearson", "kendall"] {
        check_recovery(&truth, &analyze(dir.path(), method), method, 0.06);
    }
}

#[test]
fn missing_capability_cells_leave_models_out_but_keep_the_truth() {
    let dir = tempfile::tempdir().unwrap();
    let truth = simulate(dir.path(), &["--capability-missing", "0.02", "--seed", "8"]);
    let out = bin()
        .arg("analyze")
        .arg(dir.path().join("sim.csv"))
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let analysis: Value = serde_json::from_slice(&out.stdout).unwrap();
    let excluded = analysis["models_excluded"].as_array().unwrap().len();
    // 1 - 0.98^12 ≈ 21.5% of 3000 models lack a capability benchmark.
    assert!((500..800).contains(&excluded), "{excluded}");
    check_recovery(&truth, &analysis, "spearman", 0.07);
}

#[test]
fn same_seed_same_bytes_to_stdout() {
    let run = |seed: &str| {
        bin()
            .args([
                "simulate",
                "--models",
                "20",
                "--benchmarks",
                "15",
                "--seed",
                seed,
            ])
            .output()
            .unwrap()
            .stdout
    };
    let a = run("5");
    assert_eq!(a, run("5"));
    assert_ne!(a, run("6"));
    let text = String::from_utf8(a).unwrap();
    assert!(text.starts_with("model,logiqa,piqa,"));
    assert_eq!(text.lines().count(), 21);
}

#[test]
fn bad_options_fail_with_one_line() {
    let out = bin()
        .args(["simulate", "--models", "50", "--benchmarks", "5"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(
        err,
        "error: --benchmarks: expected at least the 12 capability benchmarks, found 5\n"
    );
}

#[test]
fn explicit_truth_path_and_no_sidecar_without_output() {
    let dir = tempfile::tempdir().unwrap();
    let truth = dir.path().join("t.json");
    let out = bin()
        .args([
            "simulate",
            "--models",
            "10",
            "--benchmarks",
            "12",
            "--truth",
        ])
        .arg(&truth)
        .output()
        .unwrap();
    assert!(out.status.success());
    let t = json(&truth);
    assert_eq!(t["benchmarks"].as_array().unwrap().len(), 12);
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}
