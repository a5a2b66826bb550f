//! Golden tests: the analysis of the paper's base-model matrix matches the
//! independent reference (`shared/reference/paper-base.json`) to 1e-9, and
//! both releases of the paper's files give identical results.

use crate::common;

use safetywashing::analysis::{Analysis, AnalysisOptions, analyze};
use safetywashing::load::{MatrixFormat, load_info, load_matrix};
use serde_json::Value;
use std::path::Path;

const TOL: f64 = 1e-9;

fn run(path: &Path) -> Analysis {
    let m = load_matrix(path, &MatrixFormat::default()).unwrap();
    analyze(&m, &AnalysisOptions::default(), None).unwrap()
}

fn close(label: &str, got: f64, want: &Value) {
    let want = want
        .as_f64()
        .unwrap_or_else(|| panic!("{label}: reference is not a number"));
    assert!((got - want).abs() <= TOL, "{label}: got {got}, want {want}");
}

#[test]
fn base_matrix_matches_reference() {
    with_shared!(shared => {
        let reference: Value = serde_json::from_slice(
            &std::fs::read(shared.join("reference/paper-base.json")).unwrap(),
        )
        .unwrap();
        let a = run(&common::paper_dir(&shared).join("benchmarks_base_models.csv"));
        let fit = &a.fit;

        let used: Vec<&str> = reference["models_used"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
        assert_eq!(a.models_used(), used);
        close("mean", fit.correlation_mean, &reference["mean_cap_correlation"]);
        close("std", fit.correlation_std, &reference["std_cap_correlation"]);
        close("pc1 share", fit.pc1_variance_explained(), &reference["pc1_variance_explained"]);
        let eig = reference["eigenvalues_desc"].as_array().unwrap();
        assert_eq!(eig.len(), fit.eigenvalues.len());
        for (i, (g, w)) in fit.eigenvalues.iter().zip(eig).enumerate() {
            close(&format!("eigenvalue {i}"), *g, w);
        }
        let loadings = reference["pc1_loadings"].as_object().unwrap();
        let order: Vec<&String> = loadings.keys().collect();
        assert_eq!(order, fit.benchmarks.iter().collect::<Vec<_>>());
        for (name, l) in fit.benchmarks.iter().zip(&fit.loadings) {
            close(&format!("loading {name}"), *l, &loadings[name]);
        }
        let cap = reference["cap_matrix"].as_array().unwrap();
        for (i, row) in cap.iter().enumerate() {
            for (j, w) in row.as_array().unwrap().iter().enumerate() {
                close(&format!("R[{i}][{j}]"), fit.correlation_matrix[i][j], w);
            }
        }
        let scores = reference["capabilities_score"].as_object().unwrap();
        assert_eq!(scores.len(), fit.scores.len());
        for (m, s) in a.models_used().iter().zip(&fit.scores) {
            close(&format!("score {m}"), *s, &scores[*m]);
        }
        let cc = reference["capabilities_correlation"].as_object().unwrap();
        let co = reference["compute_correlation"].as_object().unwrap();
        assert_eq!(cc.len(), a.benchmarks.len());
        for b in &a.benchmarks {
            for (label, got, want) in [
                ("capabilities", b.capabilities_correlation, &cc[&b.benchmark]),
                ("compute", b.compute_correlation, &co[&b.benchmark]),
            ] {
                match (got, want.as_f64()) {
                    (Some(g), Some(_)) => close(&format!("{label} {}", b.benchmark), g, want),
                    (None, None) => {}
                    other => panic!("{label} {}: {other:?}", b.benchmark),
                }
            }
        }
        close("score vs compute", a.capabilities_score_compute_correlation.unwrap(), &reference["cap_score_compute_correlation"]);
        assert_eq!(a.score_compute_n, reference["flop_models_used"].as_array().unwrap().len());
    });
}

#[test]
fn both_releases_give_identical_results() {
    with_shared!(shared => {
        let now = common::paper_dir(&shared);
        let then = common::paper_dir_2024(&shared);
        for (new, old) in [("benchmarks_base_models.csv", "E_base_model.csv"), ("benchmarks_chat_models.csv", "E_chat_model.csv")] {
            let a = run(&now.join(new));
            let b = run(&then.join(old));
            assert_eq!(a.fit, b.fit, "{new}");
            assert_eq!(a.benchmarks, b.benchmarks, "{new}");
            assert_eq!(a.capabilities_score_compute_correlation, b.capabilities_score_compute_correlation);
        }
        let i1 = load_info(&now.join("benchmarks_info.csv")).unwrap();
        let i2 = load_info(&then.join("evals_info.csv")).unwrap();
        assert_eq!(i1.entries.len(), i2.entries.len());
    });
}

#[test]
fn paper_headline_numbers() {
    with_shared!(shared => {
        let dir = common::paper_dir(&shared);
        let base = run(&dir.join("benchmarks_base_models.csv"));
        let chat = run(&dir.join("benchmarks_chat_models.csv"));
        assert_eq!(format!("{:.1}", base.fit.pc1_variance_explained() * 100.0), "78.3");
        assert_eq!(format!("{:.1}", chat.fit.pc1_variance_explained() * 100.0), "70.8");
        assert_eq!(format!("{:.1}", base.fit.correlation_mean * 100.0), "75.8");
        assert_eq!(format!("{:.1}", chat.fit.correlation_mean * 100.0), "67.5");
        assert_eq!(format!("{:.1}", base.capabilities_score_compute_correlation.unwrap() * 100.0), "96.5");
    });
}
