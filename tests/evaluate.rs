//! From a model to a verdict: `score` places a model on a frozen reference
//! capabilities score; `evaluate` runs the real lm-evaluation-harness against
//! a stand-in OpenAI-compatible server and turns its output into a matrix.

use crate::common;

use assert_cmd::Command;
use serde_json::Value;
use std::path::Path;

use safetywashing::capabilities::PAPER_CAPABILITIES as CAPABILITIES;

fn safetywashing() -> Command {
    Command::cargo_bin("safetywashing").unwrap()
}

/// Rows of a CSV file: header and records.
fn read_csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_path(path).unwrap();
    let header = r.headers().unwrap().iter().map(str::to_string).collect();
    let rows = r
        .records()
        .map(|rec| rec.unwrap().iter().map(str::to_string).collect())
        .collect();
    (header, rows)
}

fn write_csv(path: &Path, header: &[String], rows: &[Vec<String>]) {
    let mut w = csv::Writer::from_path(path).unwrap();
    w.write_record(header).unwrap();
    for row in rows {
        w.write_record(row).unwrap();
    }
    w.flush().unwrap();
}

/// Average ranks (1-based), ties sharing the mean rank.
fn ranks(x: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..x.len()).collect();
    order.sort_by(|&a, &b| x[a].total_cmp(&x[b]));
    let mut r = vec![0.0; x.len()];
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && x[order[j + 1]] == x[order[i]] {
            j += 1;
        }
        for &o in &order[i..=j] {
            r[o] = (i + j) as f64 / 2.0 + 1.0;
        }
        i = j + 1;
    }
    r
}

fn pearson(x: &[f64], y: &[f64]) -> f64 {
    let n = x.len() as f64;
    let (mx, my) = (x.iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
    let sxy: f64 = x.iter().zip(y).map(|(a, b)| (a - mx) * (b - my)).sum();
    let sxx: f64 = x.iter().map(|a| (a - mx).powi(2)).sum();
    let syy: f64 = y.iter().map(|b| (b - my).powi(2)).sum();
    sxy / (sxx * syy).sqrt()
}

/// The paper's fit done by hand: per-benchmark mean and population std over
/// the models that have it, Spearman correlation over the complete models,
/// PC1 by power iteration with its largest entry positive. Returns (means,
/// stds, loadings, reference scores).
#[allow(clippy::type_complexity)]
fn projection_by_hand(cols: &[Vec<f64>]) -> (Vec<f64>, Vec<f64>, Vec<f64>, Vec<f64>) {
    let k = cols.len();
    let (mut means, mut stds) = (Vec::new(), Vec::new());
    for c in cols {
        let present: Vec<f64> = c.iter().copied().filter(|v| !v.is_nan()).collect();
        let m = present.iter().sum::<f64>() / present.len() as f64;
        let var = present.iter().map(|v| (v - m).powi(2)).sum::<f64>() / present.len() as f64;
        means.push(m);
        stds.push(var.sqrt());
    }
    let complete: Vec<usize> = (0..cols[0].len())
        .filter(|&r| cols.iter().all(|c| !c[r].is_nan()))
        .collect();
    let ranked: Vec<Vec<f64>> = cols
        .iter()
        .map(|c| ranks(&complete.iter().map(|&r| c[r]).collect::<Vec<_>>()))
        .collect();
    let corr: Vec<Vec<f64>> = (0..k)
        .map(|i| (0..k).map(|j| pearson(&ranked[i], &ranked[j])).collect())
        .collect();
    let mut v = vec![1.0; k];
    for _ in 0..2000 {
        let next: Vec<f64> = (0..k)
            .map(|i| (0..k).map(|j| corr[i][j] * v[j]).sum())
            .collect();
        let norm = next.iter().map(|x| x * x).sum::<f64>().sqrt();
        v = next.iter().map(|x| x / norm).collect();
    }
    let largest = v
        .iter()
        .copied()
        .max_by(|a, b| a.abs().total_cmp(&b.abs()))
        .unwrap();
    if largest < 0.0 {
        v.iter_mut().for_each(|x| *x = -*x);
    }
    let scores = complete
        .iter()
        .map(|&r| {
            (0..k)
                .map(|j| (cols[j][r] - means[j]) / stds[j] * v[j])
                .sum()
        })
        .collect();
    (means, stds, v, scores)
}

/// `score` of a paper model held out of the reference equals its frozen
/// projection computed here by hand, with rank and percentile to match.
#[test]
fn score_of_a_held_out_paper_model_is_its_frozen_projection() {
    with_shared!(shared => {
        let base = common::paper_dir(&shared).join("benchmarks_base_models.csv");
        let (header, rows) = read_csv(&base);
        let index: Vec<usize> = CAPABILITIES
            .iter()
            .map(|c| header.iter().position(|h| h == c).unwrap())
            .collect();
        let value = |row: &[String], i: usize| row[i].trim().parse::<f64>().unwrap_or(f64::NAN);
        // Hold out the third model with every capability benchmark.
        let held = rows
            .iter()
            .enumerate()
            .filter(|(_, row)| index.iter().all(|&i| !value(row, i).is_nan()))
            .nth(2)
            .unwrap()
            .0;
        let dir = tempfile::tempdir().unwrap();
        let reference: Vec<Vec<String>> = rows
            .iter()
            .enumerate()
            .filter(|&(r, _)| r != held)
            .map(|(_, row)| row.clone())
            .collect();
        let reference_path = dir.path().join("reference.csv");
        write_csv(&reference_path, &header, &reference);
        let new_header: Vec<String> = std::iter::once("model".to_string())
            .chain(CAPABILITIES.iter().map(|c| c.to_string()))
            .collect();
        let new_row: Vec<String> = std::iter::once(rows[held][0].clone())
            .chain(index.iter().map(|&i| rows[held][i].clone()))
            .collect();
        let new_path = dir.path().join("new.csv");
        write_csv(&new_path, &new_header, &[new_row]);

        let cols: Vec<Vec<f64>> = index
            .iter()
            .map(|&i| reference.iter().map(|row| value(row, i)).collect())
            .collect();
        let (means, stds, loadings, scores) = projection_by_hand(&cols);
        let expected: f64 = index
            .iter()
            .enumerate()
            .map(|(j, &i)| (value(&rows[held], i) - means[j]) / stds[j] * loadings[j])
            .sum();

        let out = safetywashing()
            .arg("score")
            .arg(&new_path)
            .arg("--against")
            .arg(&reference_path)
            .args(["--format", "json"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let json: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(json["reference"], reference_path.display().to_string());
        let model = &json["models"][0];
        assert_eq!(model["model"], rows[held][0].as_str());
        let got = model["capabilities_score"].as_f64().unwrap();
        assert!((got - expected).abs() < 1e-9, "score {got}, by hand {expected}");
        let above = scores.iter().filter(|&&s| s > expected).count();
        assert_eq!(model["rank_among_reference"], 1 + above as u64);
        let below = scores.iter().filter(|&&s| s < expected).count() as f64;
        let percentile = model["percentile"].as_f64().unwrap();
        assert!((percentile - 100.0 * below / scores.len() as f64).abs() < 1e-9);
        assert!(model["imputed"].as_array().unwrap().is_empty());
        assert!(model["reference_model"].is_null());
    });
}

/// A model missing capability benchmarks is refused, naming it and them;
/// `--impute` scores it and lists the imputed cells.
#[test]
fn score_refuses_a_missing_capability_unless_imputing() {
    with_shared!(shared => {
        let base = common::paper_dir(&shared).join("benchmarks_base_models.csv");
        let dir = tempfile::tempdir().unwrap();
        let new_path = dir.path().join("new.csv");
        std::fs::write(&new_path, "model,logiqa,piqa,mmlu\nmine,0.3,0.8,0.6\n").unwrap();
        let out = safetywashing()
            .arg("score")
            .arg(&new_path)
            .arg("--against")
            .arg(&base)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2));
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.starts_with("error: ") && err.contains("'mine'") && err.contains("hellaswag"), "{err}");
        assert!(err.contains("--impute"), "{err}");

        let out = safetywashing()
            .arg("score")
            .arg(&new_path)
            .arg("--against")
            .arg(&base)
            .args(["--impute", "--refit", "--format", "json"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let json: Value = serde_json::from_slice(&out.stdout).unwrap();
        let model = &json["models"][0];
        assert_eq!(model["imputed"].as_array().unwrap().len(), 9);
        assert!(model["refit"]["capabilities_score"].is_f64());
        assert_eq!(json["refit"]["models"], json["reference_models"].as_u64().unwrap() + 1);
    });
}
