//! Importing real evaluation output (shared/data/lm-eval-0.4.13 and
//! shared/data/inspect) and the project's own small fixtures of older
//! layouts, through the library and the command line.

use crate::common;
use crate::support::lm_eval::results_files;

use crate::common::bin;
use predicates::prelude::*;
use safetywashing::calibration::{CalibrationOptions, calibrate_file};
use safetywashing::load::{MatrixFormat, load_info, load_matrix};
use safetywashing::matrix::BenchmarkMatrix;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// `import lm-eval --calibration ROOT` into `dir`: the matrix as loaded,
/// and the paths of it and of its info table.
fn import_with_calibration(root: &Path, dir: &Path) -> (BenchmarkMatrix, PathBuf, PathBuf) {
    let (matrix, info) = (dir.join("m.csv"), dir.join("info.csv"));
    bin()
        .args(["import", "lm-eval", "--calibration"])
        .arg(root)
        .arg("-o")
        .arg(&matrix)
        .arg("--info-out")
        .arg(&info)
        .assert()
        .success();
    let m = load_matrix(&matrix, &MatrixFormat::default()).unwrap();
    (m, matrix, info)
}

fn json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// Model → its newest full (non-limited) results file, chosen independently
/// of the importer: the largest `date` among files with `config.limit` null.
fn expected_runs(root: &Path) -> BTreeMap<String, Value> {
    let mut best: BTreeMap<String, Value> = BTreeMap::new();
    for p in results_files(root) {
        let v = json(&p);
        if !v["config"]["limit"].is_null() {
            continue;
        }
        let model = v["model_name"].as_str().unwrap().to_string();
        let newer = best
            .get(&model)
            .is_none_or(|b| v["date"].as_f64() > b["date"].as_f64());
        if newer {
            best.insert(model, v);
        }
    }
    best
}

#[test]
fn lm_eval_import_one_row_per_model_newest_wins_limited_left_out() {
    with_shared!(shared => {
        let root = shared.join("data/lm-eval-0.4.13");
        let dir = tempfile::tempdir().unwrap();
        let (matrix, info) = (dir.path().join("m.csv"), dir.path().join("info.csv"));
        let out = bin()
            .args(["import", "lm-eval"])
            .arg(&root)
            .arg("-o").arg(&matrix)
            .arg("--info-out").arg(&info)
            .assert()
            .success();
        let stderr = String::from_utf8(out.get_output().stderr.clone()).unwrap();
        assert!(stderr.contains("supersedes older") && stderr.contains("results_2026-11-28T12-58-46.600611.json"), "{stderr}");
        assert!(stderr.contains("left out limited run") && stderr.contains("fix_arith 50 of 400 samples"), "{stderr}");

        let m = load_matrix(&matrix, &MatrixFormat::default()).unwrap();
        let expected = expected_runs(&root);
        assert_eq!(m.models.len(), 5);
        assert_eq!(m.models.iter().cloned().collect::<std::collections::BTreeSet<_>>(),
                   expected.keys().cloned().collect());
        for (row, model) in m.models.iter().enumerate() {
            let results = expected[model]["results"].as_object().unwrap();
            assert_eq!(m.benchmarks.len(), results.len());
            for col in &m.benchmarks {
                let want = results[&col.name]["acc,none"].as_f64().unwrap();
                assert_eq!(col.values[row].to_bits(), want.to_bits(), "{model} {}", col.name);
            }
        }
        // The superseded Alpha-7B run has different numbers: make sure it lost.
        let old = json(&root.join("org-a__Alpha-7B/results_2026-11-28T12-58-46.600611.json"));
        let row = m.models.iter().position(|x| x == "org-a/Alpha-7B").unwrap();
        assert_ne!(m.benchmark("fix_arith").unwrap().values[row], old["results"]["fix_arith"]["acc,none"].as_f64().unwrap());
        let info = load_info(&info).unwrap();
        assert_eq!(info.get("fix_arith").unwrap().metric, "acc (↑)");
    });
}

#[test]
fn limited_run_is_used_only_when_allowed() {
    with_shared!(shared => {
        let limited = shared.join("data/lm-eval-0.4.13/limit50");
        bin().args(["import", "lm-eval"]).arg(&limited)
            .assert().code(2).stderr(predicate::str::contains("nothing to import"));
        let out = bin().args(["import", "lm-eval", "--allow-limited"]).arg(&limited)
            .assert().success()
            .stderr(predicate::str::contains("limited run (limit 50;"));
        let csv = String::from_utf8(out.get_output().stdout.clone()).unwrap();
        let v = json(&results_files(&limited)[0]);
        let want = v["results"]["fix_arith"]["acc,none"].as_f64().unwrap();
        assert!(csv.starts_with("model,fix_arith,"), "{csv}");
        assert!(csv.contains(&format!("org-c/Gamma-8B-Instruct,{want},")), "{csv}");
    });
}

#[test]
fn calibrate_agrees_with_lm_eval_brier_and_acc_on_every_samples_file() {
    with_shared!(shared => {
        let root = shared.join("data/lm-eval-0.4.13");
        let mut checked = 0;
        for results in results_files(&root) {
            let v = json(&results);
            let name = results.file_name().unwrap().to_str().unwrap();
            let ts = name.strip_prefix("results_").unwrap().strip_suffix(".json").unwrap();
            for task in ["fix_arith", "fix_compare", "fix_unit"] {
                let samples = results.parent().unwrap().join(format!("samples_{task}_{ts}.jsonl"));
                let r = calibrate_file(&samples, &CalibrationOptions::default()).unwrap();
                let want = &v["results"][task];
                let brier = want["brier_score,none"].as_f64().unwrap();
                let acc = want["acc,none"].as_f64().unwrap();
                assert!((r.brier - brier).abs() <= 1e-9, "{}: brier {} vs {brier}", samples.display(), r.brier);
                assert!((r.accuracy - acc).abs() <= 1e-12, "{}: acc {} vs {acc}", samples.display(), r.accuracy);
                assert_eq!(r.n as u64, v["n-samples"][task]["effective"].as_u64().unwrap());
                checked += 1;
            }
        }
        assert_eq!(checked, 7 * 3); // 6 runs in model folders + the limited one
    });
}

#[test]
fn calibration_columns_feed_straight_into_analyze() {
    with_shared!(shared => {
        let root = shared.join("data/lm-eval-0.4.13");
        let dir = tempfile::tempdir().unwrap();
        let (m, matrix, info) = import_with_calibration(&root, dir.path());
        let row = m.models.iter().position(|x| x == "org-b/Beta-3B").unwrap();
        let samples = root.join("org-b__Beta-3B/samples_fix_unit_2026-11-28T12-59-50.883384.jsonl");
        let r = calibrate_file(&samples, &CalibrationOptions::default()).unwrap();
        for (col, value) in [
            ("brier_fix_unit", 1.0 - r.brier),
            ("rmsce_fix_unit", 1.0 - r.paper.rmsce),
            ("brier_temp_tuned_fix_unit", 1.0 - r.paper.brier_temp_tuned),
            ("rmsce_temp_tuned_fix_unit", 1.0 - r.paper.rmsce_temp_tuned),
        ] {
            assert_eq!(m.benchmark(col).unwrap().values[row], value, "{col}");
        }
        let out = bin().arg("analyze").arg(&matrix).arg("--info").arg(&info)
            .args(["--capabilities", "fix_arith,fix_compare,fix_unit", "--format", "json"])
            .assert().success();
        let a: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
        let text = a.to_string();
        for col in ["rmsce_fix_arith", "brier_temp_tuned_fix_compare", "fix_group"] {
            assert!(text.contains(col), "{col} missing from analyze output");
        }
    });
}

/// A group's calibration columns (fix_group = fix_arith + fix_compare +
/// fix_unit in the shared lm-eval output) are the size-weighted means of
/// its subtasks' columns from the same import (weights: lm-eval's
/// `n-samples`), as lm-eval and the paper's fork aggregate a group: the
/// Brier score, a mean over samples, is then lm-eval's own group Brier
/// score and that of the three samples files pooled, while the RMS error
/// is not the pooled one; with one subtask's samples missing there are
/// none, and the warning names it.
#[test]
fn a_groups_calibration_columns_are_the_size_weighted_means_of_its_subtasks() {
    with_shared!(shared => {
        let root = shared.join("data/lm-eval-0.4.13");
        let dir = tempfile::tempdir().unwrap();
        let (m, _, info) = import_with_calibration(&root, dir.path());
        let runs = expected_runs(&root);
        let mut checked = 0;
        for p in results_files(&root) {
            let v = json(&p);
            let model = v["model_name"].as_str().unwrap();
            if runs.get(model) != Some(&v) {
                continue;
            }
            let ts = p.file_name().unwrap().to_str().unwrap()
                .strip_prefix("results_").unwrap().strip_suffix(".json").unwrap();
            let subtasks: Vec<&str> = v["group_subtasks"]["fix_group"].as_array().unwrap()
                .iter().map(|t| t.as_str().unwrap()).collect();
            assert_eq!(subtasks, ["fix_arith", "fix_compare", "fix_unit"]);
            let sizes: Vec<f64> = subtasks.iter()
                .map(|t| v["n-samples"][t]["effective"].as_f64().unwrap())
                .collect();
            assert_eq!(sizes, [400.0, 300.0, 250.0]);
            let row = m.models.iter().position(|x| x == model).unwrap();
            let cell = |col: &str| m.benchmark(col).unwrap().values[row];
            for prefix in ["rmsce", "brier", "rmsce_temp_tuned", "brier_temp_tuned"] {
                let want = subtasks.iter().zip(&sizes)
                    .map(|(t, n)| n * (1.0 - cell(&format!("{prefix}_{t}"))))
                    .sum::<f64>() / 950.0;
                let got = 1.0 - cell(&format!("{prefix}_fix_group"));
                assert!((got - want).abs() < 1e-12, "{model} {prefix}: {got} vs {want}");
            }
            let lm_eval_brier = v["results"]["fix_group"]["brier_score,none"].as_f64().unwrap();
            assert!((cell("brier_fix_group") - (1.0 - lm_eval_brier)).abs() < 1e-9, "{model}");
            let joined = dir.path().join(format!("joined-{checked}.jsonl"));
            let text: Vec<u8> = subtasks.iter()
                .flat_map(|t| std::fs::read(p.parent().unwrap().join(format!("samples_{t}_{ts}.jsonl"))).unwrap())
                .collect();
            std::fs::write(&joined, text).unwrap();
            let pooled = calibrate_file(&joined, &CalibrationOptions::default()).unwrap();
            assert_eq!(pooled.n, 950);
            assert!((cell("brier_fix_group") - (1.0 - pooled.brier)).abs() < 1e-12, "{model}");
            assert!((cell("rmsce_fix_group") - (1.0 - pooled.paper.rmsce)).abs() > 1e-6, "{model}");
            checked += 1;
        }
        assert_eq!(checked, 5);
        let info = load_info(&info).unwrap();
        let metric = &info.get("rmsce_fix_group").unwrap().metric;
        // The info file adds the direction mark.
        assert!(
            metric.starts_with("1 - RMS calibration error (paper), size-weighted mean over its 3 subtasks' values"),
            "{metric}"
        );

        // One subtask's samples missing: no group columns, the warning names it.
        let model_dir = root.join("org-b__Beta-3B");
        let copy = dir.path().join("org-b__Beta-3B");
        std::fs::create_dir(&copy).unwrap();
        for entry in std::fs::read_dir(&model_dir).unwrap() {
            let p = entry.unwrap().path();
            let name = p.file_name().unwrap().to_str().unwrap().to_string();
            if !name.starts_with("samples_fix_compare_") {
                std::fs::copy(&p, copy.join(name)).unwrap();
            }
        }
        let partial = dir.path().join("partial.csv");
        let out = bin().args(["import", "lm-eval", "--calibration"]).arg(&copy)
            .arg("-o").arg(&partial).assert().success();
        let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
        assert!(
            stderr.contains("group 'fix_group': no samples file for 1 of its 3 subtasks (fix_compare;")
                && stderr.contains("no calibration columns for the group"),
            "{stderr}"
        );
        let header = std::fs::read_to_string(&partial).unwrap();
        let header = header.lines().next().unwrap();
        assert!(header.contains("rmsce_fix_arith") && header.contains(",fix_group"), "{header}");
        assert!(!header.contains("_fix_group"), "{header}");
    });
}

#[test]
fn older_layouts_import() {
    let dir = tempfile::tempdir().unwrap();
    let (matrix, info) = (dir.path().join("m.csv"), dir.path().join("info.csv"));
    bin()
        .args([
            "import",
            "lm-eval",
            "--task-metric",
            "toy_gen=exact_match,flexible-extract",
            "--orient",
        ])
        .arg(fixtures().join("lm-eval-0.4.0"))
        .arg(fixtures().join("lm-eval-0.4.2"))
        .arg("-o")
        .arg(&matrix)
        .arg("--info-out")
        .arg(&info)
        .assert()
        .success();
    let text = std::fs::read_to_string(&matrix).unwrap();
    assert_eq!(
        text,
        "model,toy_group,toy_a,toy_b,toy_gen\n\
         EleutherAI/pythia-70m,0.55,0.5,0.6,0.25\n\
         EleutherAI/pythia-160m,,0.625,0.75,\n"
    );
    // Lower-is-better metric flipped and named so; the arrow becomes ↑.
    let out = bin()
        .args(["import", "lm-eval", "--metric", "brier_score", "--orient"])
        .arg(fixtures().join("lm-eval-0.4.2"))
        .arg("--info-out")
        .arg(&info)
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "task 'toy_b' left out: no metric 'brier_score'",
        ));
    assert_eq!(
        String::from_utf8(out.get_output().stdout.clone()).unwrap(),
        "model,toy_a:1-brier_score\nEleutherAI/pythia-160m,0.5\n"
    );
    assert_eq!(
        load_info(&info).unwrap().entries[0].metric,
        "1 - brier_score (↑)"
    );
    let out = bin()
        .args(["import", "lm-eval", "--all-metrics"])
        .arg(fixtures().join("lm-eval-0.4.0"))
        .assert()
        .success();
    let header = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(
        header
            .starts_with("model,\"toy_group:acc,none\",\"toy_a:acc,none\",\"toy_a:acc_norm,none\""),
        "{header}"
    );
    assert!(
        header.contains("\"toy_gen:exact_match,strict-match\""),
        "{header}"
    );
}

#[test]
fn malformed_samples_line_is_an_error_or_skipped_and_counted() {
    let bad = fixtures().join("samples-bad-line.jsonl");
    bin()
        .arg("calibrate")
        .arg(&bad)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "samples-bad-line.jsonl:3: filtered_resps[1][0] is not a number: \"oops\"",
        ));
    let out = bin()
        .args(["calibrate", "--skip-bad-lines", "--format", "json"])
        .arg(&bad)
        .assert()
        .success()
        .stderr(predicate::str::contains("skipped 1 malformed lines"));
    let v: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(v[0]["n"], 3);
    assert_eq!(v[0]["skipped_lines"], 1);
    assert_eq!(v[0]["accuracy"].as_f64(), Some(2.0 / 3.0));
    assert!(v[0]["rms_calibration_error"]["reference"].is_null());
}

#[test]
fn inspect_logs_eval_and_json() {
    with_shared!(shared => {
        let root = shared.join("data/inspect");
        let out = bin().args(["import", "inspect"]).arg(&root)
            .assert().success()
            .stderr(predicate::str::contains("status 'error', no results: left out"))
            .stderr(predicate::str::contains("supersedes older"));
        let csv = String::from_utf8(out.get_output().stdout.clone()).unwrap();
        let m = safetywashing::load::parse_matrix(csv.as_bytes(), "stdout", &MatrixFormat::default()).unwrap();
        assert_eq!(m.benchmarks.len(), 1);
        assert_eq!(m.benchmarks[0].name, "fix_inspect_arith");
        // Each model's .eval (zstd) and .json log agree, and with the file.
        let mut by_model: BTreeMap<String, f64> = BTreeMap::new();
        for entry in std::fs::read_dir(&root).unwrap() {
            let p = entry.unwrap().path();
            let ext = p.extension().and_then(|e| e.to_str());
            if !matches!(ext, Some("eval" | "json")) {
                continue;
            }
            let log = safetywashing::import::inspect::read_log(&p).unwrap();
            let value = log.metric("accuracy").unwrap().1;
            if ext == Some("json") {
                let want = json(&p)["results"]["scores"][0]["metrics"]["accuracy"]["value"].as_f64().unwrap();
                assert_eq!(value, want);
            }
            if let Some(prev) = by_model.insert(log.model.clone(), value) {
                assert_eq!(prev, value, "{}", log.model);
            }
        }
        assert_eq!(by_model.len(), 3);
        for (model, value) in &by_model {
            let row = m.models.iter().position(|x| x == model).unwrap();
            assert_eq!(m.benchmarks[0].values[row], *value);
        }
        let mut values: Vec<f64> = by_model.values().copied().collect();
        values.sort_by(f64::total_cmp);
        assert_eq!(values, [0.0, 0.375, 0.625]);
    });
}

#[test]
fn long_table_with_percent_bom_quotes_and_dedupe() {
    let file = fixtures().join("leaderboard.csv");
    let args = [
        "import",
        "long",
        "--model-col",
        "Model",
        "--benchmark-col",
        "Benchmark",
        "--score-col",
        "Score",
    ];
    bin()
        .args(args)
        .arg(&file)
        .arg("--percent")
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "leaderboard.csv:5: model 'model-b' has a second score for 'MMLU' (first on line 4)",
        ));
    bin()
        .args(args)
        .arg(&file)
        .args(["--dedupe", "last"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("add --percent"));
    let out = bin()
        .args(args)
        .arg(&file)
        .args(["--percent", "--dedupe", "max"])
        .assert()
        .success();
    assert_eq!(
        String::from_utf8(out.get_output().stdout.clone()).unwrap(),
        "model,MMLU,GPQA Diamond\n\"Org, Inc/model-a\",0.77,0.415\nmodel-b,0.62,\n"
    );
}

#[test]
fn percent_scores_are_shifted_not_divided() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("long.csv");
    std::fs::write(
        &file,
        "Model,Benchmark,Score\nm1,MMLU,48.2\nm2,MMLU,56.7%\n",
    )
    .unwrap();
    let out = bin()
        .args(["import", "long", "--model-col", "Model", "--benchmark-col"])
        .args(["Benchmark", "--score-col", "Score", "--percent"])
        .arg(&file)
        .assert()
        .success();
    // 48.2 / 100.0 would be written 0.48200000000000004, 56.7 / 100.0 0.5670000000000001.
    assert_eq!(
        String::from_utf8(out.get_output().stdout.clone()).unwrap(),
        "model,MMLU\nm1,0.482\nm2,0.567\n"
    );
}

#[test]
fn import_calibration_names_a_malformed_samples_line() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("org__m");
    std::fs::create_dir(&model).unwrap();
    let ts = "2026-01-01T00-00-00.000001";
    std::fs::write(
        model.join(format!("results_{ts}.json")),
        r#"{"model_name": "org/m", "date": 1.5, "results": {"t": {"acc,none": 0.75}}}"#,
    )
    .unwrap();
    let samples = model.join(format!("samples_t_{ts}.jsonl"));
    std::fs::copy(fixtures().join("samples-bad-line.jsonl"), &samples).unwrap();
    bin()
        .args(["import", "lm-eval", "--calibration"])
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains(format!(
            "{}:3: filtered_resps[1][0]",
            samples.display()
        )));
    // The paper's equal-width bins are defined for any number of samples...
    bin()
        .args(["import", "lm-eval", "--calibration", "--skip-bad-lines"])
        .arg(dir.path())
        .assert()
        .success()
        .stderr(predicate::str::contains("skipped 1 malformed lines"))
        .stderr(predicate::str::contains("undefined").not())
        .stdout(predicate::str::is_match(
            "^model,t,rmsce_t,brier_t,rmsce_temp_tuned_t,brier_temp_tuned_t\norg/m,0.75,0\\.[0-9]+,",
        ).unwrap());
    // ...Hendrycks et al.'s reference variant needs one full adaptive bin.
    bin()
        .args(["import", "lm-eval", "--calibration", "--skip-bad-lines"])
        .args(["--rms-variant", "reference"])
        .arg(dir.path())
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "rmsce undefined (3 samples, fewer than one bin)",
        ))
        .stdout(predicate::str::starts_with(
            "model,t,rmsce_t,brier_t,rmsce_temp_tuned_t,brier_temp_tuned_t\norg/m,0.75,,",
        ));
}

#[test]
fn inspect_folder_skips_other_json_but_named_files_must_be_logs() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("run.json"),
        r#"{"status": "success", "eval": {"task": "t", "model": "p/m", "created": "2026-01-01"},
            "results": {"scores": [{"name": "s", "metrics": {"accuracy": {"value": 0.5}}}]}}"#,
    )
    .unwrap();
    let index = dir.path().join("logs.json");
    std::fs::write(&index, r#"{"run.json": {}}"#).unwrap();
    bin()
        .args(["import", "inspect"])
        .arg(dir.path())
        .assert()
        .success()
        .stderr(
            predicate::str::contains("warning: skipped")
                .and(predicate::str::contains("logs.json: no 'eval' object")),
        )
        .stdout("model,t\np/m,0.5\n");
    bin()
        .args(["import", "inspect"])
        .arg(&index)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "logs.json: no 'eval' object: not an Inspect log",
        ));
}

/// Every info table the importers write carries a direction arrow, so
/// `validate` has nothing to warn about; `--lower-is-better` marks columns ↓.
#[test]
fn written_info_tables_always_carry_an_arrow() {
    let dir = tempfile::tempdir().unwrap();
    let board = dir.path().join("board.csv");
    std::fs::write(
        &board,
        "Model,Benchmark,Score\nm1,mmlu,0.5\nm1,harm,0.2\nm2,mmlu,0.6\nm2,harm,0.1\n",
    )
    .unwrap();
    let (matrix, info) = (dir.path().join("m.csv"), dir.path().join("info.csv"));
    bin()
        .args(["import", "long"])
        .arg(&board)
        .args(["--model-col", "Model", "--benchmark-col", "Benchmark"])
        .args(["--score-col", "Score", "--lower-is-better", "harm", "-o"])
        .arg(&matrix)
        .arg("--info-out")
        .arg(&info)
        .assert()
        .success()
        .stderr(predicate::str::contains("written as higher-is-better (↑)"));
    let table = load_info(&info).unwrap();
    let metrics: Vec<&str> = table.entries.iter().map(|e| e.metric.as_str()).collect();
    assert_eq!(metrics, ["Score (↑)", "Score (↓)"]);
    bin()
        .args(["validate"])
        .arg(&matrix)
        .arg("--info")
        .arg(&info)
        .assert()
        .success()
        .stdout(predicate::str::contains("direction").not());
    bin()
        .args(["import", "long"])
        .arg(&board)
        .args(["--model-col", "Model", "--benchmark-col", "Benchmark"])
        .args(["--score-col", "Score", "--lower-is-better", "nope"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "--lower-is-better names 1 column not imported: nope",
        ));
}
