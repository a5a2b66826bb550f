//! From a model to a verdict: `score` places a model on a frozen reference
//! capabilities score; `evaluate` runs the real lm-evaluation-harness against
//! a stand-in OpenAI-compatible server and turns its output into a matrix.

use crate::common;
use crate::support::lm_eval::{
    Server, closed_port, lm_eval, results_files, write_group_tasks, write_tasks,
};

use crate::common::bin;
use serde_json::Value;
use std::path::Path;

use safetywashing::capabilities::PAPER_CAPABILITIES as CAPABILITIES;

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

        let out = common::succeeded(bin()
            .arg("score")
            .arg(&new_path)
            .arg("--against")
            .arg(&reference_path)
            .args(["--format", "json"]));
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
        let out = bin()
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

        let out = common::succeeded(bin()
            .arg("score")
            .arg(&new_path)
            .arg("--against")
            .arg(&base)
            .args(["--impute", "--refit", "--format", "json"]));
        let json: Value = serde_json::from_slice(&out.stdout).unwrap();
        let model = &json["models"][0];
        assert_eq!(model["imputed"].as_array().unwrap().len(), 9);
        assert!(model["refit"]["capabilities_score"].is_f64());
        assert_eq!(json["refit"]["models"], json["reference_models"].as_u64().unwrap() + 1);
    });
}

/// Every column of both paper matrices has a manifest row; every transform
/// is one of the known kinds (the parser refuses any other).
#[test]
fn every_paper_column_has_a_manifest_row() {
    with_shared!(shared => {
        let manifest = safetywashing::suite::Manifest::paper();
        for file in ["benchmarks_base_models.csv", "benchmarks_chat_models.csv"] {
            let (header, _) = read_csv(&common::paper_dir(&shared).join(file));
            let missing: Vec<&String> = header[1..]
                .iter()
                .filter(|c| !["model_size", "FLOP", "name", "type"].contains(&c.as_str()))
                .filter(|c| manifest.entry(c).is_none())
                .collect();
            assert!(missing.is_empty(), "{file}: no manifest row for {missing:?}");
        }
        for e in manifest.entries() {
            assert!(safetywashing::suite::Transform::ALL.contains(&e.transform), "{}", e.benchmark);
        }
    });
}

/// `suite list`: a table, or JSON objects with the documented keys;
/// `--evaluable` keeps only what `evaluate` can run.
#[test]
fn suite_list_text_json_and_evaluable() {
    let out = bin().args(["suite", "list"]).output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("superglue_copa") && text.contains("capabilities"),
        "{text}"
    );
    assert!(
        text.contains("can be run by `safetywashing evaluate`"),
        "{text}"
    );
    let all = bin()
        .args(["suite", "list", "--format", "json"])
        .output()
        .unwrap();
    let all: Vec<Value> = serde_json::from_slice(&all.stdout).unwrap();
    assert_eq!(
        all.len(),
        safetywashing::suite::Manifest::paper().entries().len()
    );
    for key in [
        "benchmark",
        "name",
        "area",
        "harness",
        "task",
        "metric",
        "transform",
    ] {
        assert!(all[0].get(key).is_some(), "{key}");
    }
    let some = bin()
        .args(["suite", "list", "--evaluable", "--format", "json"])
        .output()
        .unwrap();
    let some: Vec<Value> = serde_json::from_slice(&some.stdout).unwrap();
    assert!(!some.is_empty() && some.len() < all.len());
    assert!(some.iter().all(|e| e["evaluable"] == true));
    assert!(
        some.iter()
            .any(|e| e["benchmark"] == "superglue_copa" && e["task"] == "copa")
    );
}

/// `lm_eval` missing: one line naming the path tried and how to install it.
#[test]
fn lm_eval_not_found_names_the_path_and_the_install_line() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-venv/bin/lm_eval");
    let out = bin()
        .args([
            "evaluate",
            "--model",
            "m",
            "--backend",
            "dummy",
            "--tasks",
            "piqa",
        ])
        .arg("--output")
        .arg(dir.path().join("out"))
        .arg("--lm-eval")
        .arg(&missing)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains(&missing.display().to_string()), "{err}");
    assert!(err.contains("pip install \"lm_eval[api]\""), "{err}");
    assert!(!dir.path().join("out/matrix.csv").exists());
}

/// `evaluate` with the local-completions backend against `port`.
fn evaluate(
    lm_eval: &Path,
    model: &str,
    port: u16,
    tasks: &Path,
    out: &Path,
    extra: &[&str],
) -> std::process::Output {
    bin()
        .env("HF_DATASETS_OFFLINE", "1")
        .env("HF_HUB_OFFLINE", "1")
        .args(["evaluate", "--model", model, "--backend", "local-completions"])
        .arg("--model-args")
        .arg(format!(
            "model={model},base_url=http://127.0.0.1:{port}/v1/completions,tokenizer_backend=remote,max_retries=1"
        ))
        .arg("--include-path")
        .arg(tasks)
        .arg("--output")
        .arg(out)
        .arg("--lm-eval")
        .arg(lm_eval)
        .args(extra)
        .output()
        .unwrap()
}

/// Two models evaluated into one folder by the real lm_eval: matrix.csv
/// holds exactly the numbers of lm-eval's results JSON (and what `import
/// lm-eval` gives for the folder); a second run starts no lm-eval.
#[test]
fn evaluate_writes_lm_evals_numbers_and_resumes() {
    let Some(lm_eval) = lm_eval() else { return };
    let server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    let tasks = write_tasks(dir.path());
    let out = dir.path().join("eval");
    let models = ["org-a/Small-1B", "org-b/Large-70B"];
    let runs: Vec<_> = models
        .iter()
        .map(|m| {
            let (lm_eval, tasks, out, port) =
                (lm_eval.clone(), tasks.clone(), out.clone(), server.port);
            let m = m.to_string();
            std::thread::spawn(move || {
                evaluate(
                    &lm_eval,
                    &m,
                    port,
                    &tasks,
                    &out,
                    &["--tasks", "sw_add,sw_mul"],
                )
            })
        })
        .collect();
    for r in runs {
        let o = r.join().unwrap();
        assert!(
            o.status.success(),
            "{}\n{}",
            common::stderr_of(&o),
            common::stdout_of(&o)
        );
    }
    // A second run: nothing left, so no lm-eval (a missing program proves it),
    // and the matrix is rewritten with both models.
    let again = evaluate(
        Path::new("/no/such/lm_eval"),
        models[0],
        server.port,
        &tasks,
        &out,
        &["--tasks", "sw_add,sw_mul"],
    );
    assert!(again.status.success(), "{}", common::stderr_of(&again));
    let said = String::from_utf8(again.stdout).unwrap();
    assert!(
        said.contains("nothing to do") && said.contains("lm-eval not started"),
        "{said}"
    );

    let (header, rows) = read_csv(&out.join("matrix.csv"));
    assert_eq!(header, ["model", "sw_add", "sw_mul"]);
    let mut seen = Vec::new();
    for model in models {
        let folder = out
            .join(model.replace('/', "__"))
            .join(model.replace('/', "__"));
        let results = results_files(&folder);
        assert_eq!(results.len(), 1, "{results:?}");
        let json: Value = serde_json::from_slice(&std::fs::read(&results[0]).unwrap()).unwrap();
        let row = rows
            .iter()
            .find(|r| r[0] == model)
            .unwrap_or_else(|| panic!("no row {model}: {rows:?}"));
        for (i, task) in ["sw_add", "sw_mul"].iter().enumerate() {
            let expected = json["results"][task]["acc,none"].as_f64().unwrap();
            assert_eq!(
                row[i + 1].parse::<f64>().unwrap(),
                expected,
                "{model} {task}"
            );
        }
        seen.push(row[1..].to_vec());
    }
    assert_ne!(
        seen[0], seen[1],
        "the stand-in models should differ in accuracy"
    );
    // The same matrix as `import lm-eval` of the folder.
    let imported = dir.path().join("imported.csv");
    common::succeeded(
        bin()
            .args(["import", "lm-eval"])
            .arg(&out)
            .arg("-o")
            .arg(&imported),
    );
    let (imported_header, imported_rows) = read_csv(&imported);
    assert_eq!(imported_header, header);
    let mut a = imported_rows.clone();
    let mut b = rows.clone();
    a.sort();
    b.sort();
    assert_eq!(a, b);
    assert!(out.join("lm-eval.log").metadata().unwrap().len() > 0);
    assert!(out.join("info.csv").is_file());
}

/// The Brier score of samples lines, computed here: softmax of the choices'
/// log-likelihoods, Σ (p − y)², mean over the lines.
fn brier_by_hand(text: &str) -> f64 {
    let scores: Vec<f64> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            let lls: Vec<f64> = v["filtered_resps"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r[0].as_str().unwrap().parse::<f64>().unwrap())
                .collect();
            let gold: usize = v["target"].as_str().unwrap().parse().unwrap();
            let max = lls.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
            let total: f64 = lls.iter().map(|l| (l - max).exp()).sum();
            lls.iter()
                .enumerate()
                .map(|(k, l)| ((l - max).exp() / total - if k == gold { 1.0 } else { 0.0 }).powi(2))
                .sum()
        })
        .collect();
    scores.iter().sum::<f64>() / scores.len() as f64
}

/// `evaluate --log-samples` of a nested group with the real lm_eval:
/// matrix.csv holds the groups' calibration columns, the size-weighted
/// means of their leaf tasks' values (both groups hold the same two, so
/// their columns agree), exactly as `import lm-eval --calibration` gives
/// them for the folder.
#[test]
fn evaluate_with_log_samples_gives_a_groups_calibration_columns() {
    let Some(lm_eval) = lm_eval() else { return };
    let server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    let tasks = write_tasks(dir.path());
    write_group_tasks(&tasks);
    let out = dir.path().join("eval");
    let model = "org-c/Mid-8B";
    let o = evaluate(
        &lm_eval,
        model,
        server.port,
        &tasks,
        &out,
        &["--tasks", "sw_nest", "--log-samples"],
    );
    assert!(
        o.status.success(),
        "{}\n{}",
        common::stderr_of(&o),
        common::stdout_of(&o)
    );
    let (header, rows) = read_csv(&out.join("matrix.csv"));
    let cell = |col: &str| -> f64 {
        let i = header
            .iter()
            .position(|h| h == col)
            .unwrap_or_else(|| panic!("no column {col}: {header:?}"));
        rows[0][i].parse().unwrap()
    };
    // The leaves' samples files, in the group's order, as one text.
    let folder = out.join("org-c__Mid-8B").join("org-c__Mid-8B");
    let results = results_files(&folder);
    assert_eq!(results.len(), 1, "{results:?}");
    let json: Value = serde_json::from_slice(&std::fs::read(&results[0]).unwrap()).unwrap();
    assert_eq!(
        json["group_subtasks"]["sw_nest"],
        serde_json::json!(["sw_pair"])
    );
    assert_eq!(
        json["group_subtasks"]["sw_pair"],
        serde_json::json!(["sw_add", "sw_mul"])
    );
    let ts = results[0]
        .file_name()
        .unwrap()
        .to_str()
        .unwrap()
        .strip_prefix("results_")
        .unwrap()
        .strip_suffix(".json")
        .unwrap()
        .to_string();
    // Each leaf calibrated on its own (as a task's columns are), the
    // groups' columns their size-weighted means.
    let leaves: Vec<_> = ["sw_add", "sw_mul"]
        .iter()
        .map(|t| folder.join(format!("samples_{t}_{ts}.jsonl")))
        .collect();
    let cal = common::succeeded(
        bin()
            .arg("calibrate")
            .args(&leaves)
            .args(["--format", "json"]),
    );
    let cal: Value = serde_json::from_slice(&cal.stdout).unwrap();
    let cal = cal.as_array().unwrap();
    assert_eq!(cal.len(), 2);
    let n: Vec<f64> = cal.iter().map(|r| r["n"].as_f64().unwrap()).collect();
    assert_eq!(n.iter().sum::<f64>(), 24.0);
    let joined: String = leaves
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect();
    for group in ["sw_pair", "sw_nest"] {
        // Brier is a mean over samples: the weighted mean is the pooled one.
        assert!((cell(&format!("brier_{group}")) - (1.0 - brier_by_hand(&joined))).abs() < 1e-12);
        for (col, pointer) in [
            ("brier", "/brier"),
            ("rmsce", "/paper/rmsce"),
            ("rmsce_temp_tuned", "/paper/rmsce_temp_tuned"),
            ("brier_temp_tuned", "/paper/brier_temp_tuned"),
        ] {
            let want = cal
                .iter()
                .zip(&n)
                .map(|(r, k)| k * r.pointer(pointer).unwrap().as_f64().unwrap())
                .sum::<f64>()
                / 24.0;
            let got = 1.0 - cell(&format!("{col}_{group}"));
            assert!((got - want).abs() < 1e-12, "{col}_{group}: {got} vs {want}");
        }
        // lm-eval's own size-weighted group accuracy.
        assert_eq!(
            cell(group),
            json["results"][group]["acc,none"].as_f64().unwrap()
        );
    }
    // The leaves keep their own columns.
    let add = std::fs::read_to_string(folder.join(format!("samples_sw_add_{ts}.jsonl"))).unwrap();
    assert!((cell("brier_sw_add") - (1.0 - brier_by_hand(&add))).abs() < 1e-12);
    let info = std::fs::read_to_string(out.join("info.csv")).unwrap();
    assert!(
        info.lines().any(|l| l.starts_with("rmsce_sw_nest,")
            && l.contains("size-weighted mean over its 2 subtasks' values")),
        "{info}"
    );
    // The same matrix as `import lm-eval --calibration` of the folder.
    let imported = dir.path().join("imported.csv");
    common::succeeded(
        bin()
            .args(["import", "lm-eval", "--calibration"])
            .arg(&out)
            .arg("-o")
            .arg(&imported),
    );
    assert_eq!(read_csv(&imported), (header, rows));
}

/// A failed run's stderr: exit status 2 and exactly one line.
fn one_line_error(o: std::process::Output) -> String {
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8(o.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    err
}

/// The server is down: lm-eval fails, the error is one line with its exit
/// status and log, and the existing matrix.csv is untouched.
#[test]
fn evaluate_with_the_server_down_is_one_error_and_keeps_the_matrix() {
    let Some(lm_eval) = lm_eval() else { return };
    let dir = tempfile::tempdir().unwrap();
    let tasks = write_tasks(dir.path());
    let out = dir.path().join("eval");
    std::fs::create_dir_all(&out).unwrap();
    let before = "model,sw_add\nearlier,0.5\n";
    std::fs::write(out.join("matrix.csv"), before).unwrap();
    let o = evaluate(
        &lm_eval,
        "m",
        closed_port(),
        &tasks,
        &out,
        &["--tasks", "sw_add"],
    );
    let err = one_line_error(o);
    assert!(
        err.starts_with("error: lm-eval exited with status"),
        "{err}"
    );
    assert!(err.contains("lm-eval.log"), "{err}");
    assert_eq!(
        std::fs::read_to_string(out.join("matrix.csv")).unwrap(),
        before
    );
}

/// An unknown task: lm-eval's own message is surfaced.
#[test]
fn evaluate_an_unknown_task_surfaces_lm_evals_message() {
    let Some(lm_eval) = lm_eval() else { return };
    let dir = tempfile::tempdir().unwrap();
    let tasks = write_tasks(dir.path());
    let out = dir.path().join("eval");
    let o = evaluate(
        &lm_eval,
        "m",
        closed_port(),
        &tasks,
        &out,
        &["--tasks", "no_such_task_xyz"],
    );
    let err = one_line_error(o);
    assert!(err.contains("no_such_task_xyz"), "{err}");
    assert!(!out.join("matrix.csv").exists());
}
