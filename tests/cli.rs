//! Command-line tests of `analyze` and `data`: outputs, warnings and every
//! error of the core issue, each one line on stderr with exit code 2.

use crate::common;

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;
use std::path::Path;

fn bin() -> Command {
    let mut cmd = common::bin();
    // Never touch a real cache or the network from tests.
    cmd.env_remove("SAFETYWASHING_DATA")
        .env("SAFETYWASHING_DATA_URL", "http://127.0.0.1:9")
        .env(
            "XDG_CACHE_HOME",
            std::env::temp_dir().join("safetywashing-test-no-cache"),
        );
    cmd
}

/// A small matrix in the paper's layout with three capability benchmarks.
const SMALL: &str = "\
model,cap_a,cap_b,cap_c,safety_x,FLOP,name
m1,0.1,0.2,0.15,0.9,1e21,M1
m2,0.3,0.25,0.35,0.5,2e21,M2
m3,0.5,0.6,0.4,0.7,,M3
m4,0.7,0.65,0.8,0.2,8e21,M4
m5,0.9,0.95,0.85,,9e21,M5
";

fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn stderr_one_error_line(out: &std::process::Output) -> String {
    let err = common::stderr_of(out);
    assert_eq!(out.status.code(), Some(2), "stderr: {err}");
    let errors: Vec<&str> = err
        .lines()
        .filter(|l| !l.starts_with("warning: ") && !l.starts_with("info: "))
        .collect();
    assert_eq!(errors.len(), 1, "one error line expected: {err}");
    assert!(errors[0].starts_with("error: "), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    err
}

#[test]
fn json_has_the_documented_keys() {
    let dir = tempfile::tempdir().unwrap();
    let m = write(dir.path(), "m.csv", SMALL);
    let out = common::succeeded(
        bin()
            .args([
                "analyze",
                "--capabilities",
                "cap_a,cap_b,cap_c",
                "--format",
                "json",
            ])
            .arg(&m),
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    for key in [
        "matrix",
        "method",
        "capability_benchmarks",
        "models_used",
        "models_excluded",
        "pc1_variance_explained",
        "eigenvalues",
        "pc1_loadings",
        "capability_correlation_matrix",
        "capability_correlation_mean",
        "capability_correlation_std",
        "capabilities_scores",
        "capabilities_score_compute_correlation",
        "benchmarks",
    ] {
        assert!(v.get(key).is_some(), "missing key {key}");
    }
    assert_eq!(v["method"], "spearman");
    let benchmarks = v["benchmarks"].as_array().unwrap();
    assert_eq!(benchmarks.len(), 4);
    let x = &benchmarks[3];
    assert_eq!(x["benchmark"], "safety_x");
    assert_eq!(x["role"], "safety");
    assert_eq!(x["n"], 4);
    assert_eq!(x["compute_n"], 3);
    let eig: Vec<f64> = v["eigenvalues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e.as_f64().unwrap())
        .collect();
    assert!(eig.windows(2).all(|w| w[0] >= w[1]), "descending: {eig:?}");
    assert!((eig.iter().sum::<f64>() - 3.0).abs() < 1e-12);
}

#[test]
fn several_matrices_give_an_array_in_argument_order() {
    let dir = tempfile::tempdir().unwrap();
    let a = write(dir.path(), "a.csv", SMALL);
    let b = write(dir.path(), "b.csv", SMALL);
    let out = bin()
        .args([
            "analyze",
            "--capabilities",
            "cap_a,cap_b,cap_c",
            "--format",
            "json",
            "--method",
            "kendall",
        ])
        .arg(&b)
        .arg(&a)
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let arr = v.as_array().unwrap();
    assert_eq!(arr.len(), 2);
    assert!(arr[0]["matrix"].as_str().unwrap().ends_with("b.csv"));
    assert!(arr[1]["matrix"].as_str().unwrap().ends_with("a.csv"));
    assert_eq!(arr[0]["method"], "kendall");
}

#[test]
fn csv_and_markdown_and_output_file() {
    let dir = tempfile::tempdir().unwrap();
    let m = write(dir.path(), "m.csv", SMALL);
    let out_path = dir.path().join("out.csv");
    bin()
        .args([
            "analyze",
            "--capabilities",
            "cap_a,cap_b,cap_c",
            "--format",
            "csv",
            "--output",
        ])
        .arg(&out_path)
        .arg(&m)
        .assert()
        .success()
        .stdout("");
    let text = std::fs::read_to_string(&out_path).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next().unwrap(),
        "matrix,benchmark,name,role,n,capabilities_correlation,compute_n,compute_correlation"
    );
    assert_eq!(lines.count(), 4);
    bin()
        .args([
            "analyze",
            "--capabilities",
            "cap_a,cap_b,cap_c",
            "--format",
            "markdown",
        ])
        .arg(&m)
        .assert()
        .success()
        .stdout(predicate::str::contains("## Capability benchmarks"))
        .stdout(predicate::str::contains("| benchmark"));
}

#[test]
fn info_names_and_text_summary() {
    let dir = tempfile::tempdir().unwrap();
    let m = write(dir.path(), "m.csv", SMALL);
    let info = write(
        dir.path(),
        "info.csv",
        "benchmark,name,metric\nsafety_x,Safety X,Refusal rate (↑)\n",
    );
    bin()
        .args(["analyze", "--capabilities", "cap_a,cap_b,cap_c", "--info"])
        .arg(&info)
        .arg(&m)
        .assert()
        .success()
        .stdout(predicate::str::contains("Models: 5 used, 0 left out"))
        .stdout(predicate::str::contains("PC1 explains"))
        .stdout(predicate::str::contains("Safety X"))
        .stdout(predicate::str::contains("Models by capabilities score"));
}

#[test]
fn a_model_missing_a_capability_is_left_out_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let text = SMALL.replace("m3,0.5,0.6,0.4", "m3,0.5,,0.4");
    let m = write(dir.path(), "m.csv", &text);
    let out = bin()
        .args([
            "analyze",
            "--capabilities",
            "cap_a,cap_b,cap_c",
            "--format",
            "json",
        ])
        .arg(&m)
        .output()
        .unwrap();
    assert!(out.status.success());
    let err = common::stderr_of(&out);
    assert!(
        err.contains("left out model 'm3': no value for cap_b"),
        "{err}"
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["models_excluded"][0]["model"], "m3");
    assert_eq!(v["models_excluded"][0]["missing"][0], "cap_b");
    assert_eq!(v["models_used"].as_array().unwrap().len(), 4);
}

#[test]
fn unknown_capability_lists_closest_columns() {
    let dir = tempfile::tempdir().unwrap();
    let m = write(dir.path(), "m.csv", SMALL);
    let out = bin()
        .args(["analyze", "--capabilities", "cap_a,cap_b,cap_d"])
        .arg(&m)
        .output()
        .unwrap();
    let err = stderr_one_error_line(&out);
    assert!(
        err.contains("capability benchmark 'cap_d' is not a benchmark column"),
        "{err}"
    );
    assert!(
        err.contains("closest benchmark columns: cap_a, cap_b, cap_c"),
        "{err}"
    );
    // Metadata columns are never offered as capability benchmarks.
    assert!(!err.contains("FLOP") && !err.contains("name,"), "{err}");
}

#[test]
fn the_paper_capabilities_are_the_default() {
    let dir = tempfile::tempdir().unwrap();
    let m = write(dir.path(), "m.csv", SMALL);
    let out = bin().arg("analyze").arg(&m).output().unwrap();
    let err = stderr_one_error_line(&out);
    assert!(err.contains("capability benchmark 'logiqa'"), "{err}");
}

#[test]
fn bad_cells_and_duplicates_are_one_line_errors() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            SMALL.replace("m2,0.3", "m2,abc"),
            "m.csv:3: column 2 'cap_a': expected a number, or an empty cell / NaN / NA for a missing value, found 'abc'",
        ),
        (
            SMALL.replace("m2,", "m1,"),
            "m.csv:3: duplicate model id 'm1' (first seen on line 2)",
        ),
        (
            SMALL.replace("safety_x", "cap_a"),
            "duplicate column header 'cap_a' (columns 2 and 5)",
        ),
        (String::new(), "m.csv: the file is empty"),
        ("model,cap_a\n".to_string(), "m.csv: no model rows"),
    ];
    for (text, expected) in cases {
        let m = write(dir.path(), "m.csv", &text);
        let out = bin()
            .args(["analyze", "--capabilities", "cap_a,cap_b,cap_c"])
            .arg(&m)
            .output()
            .unwrap();
        let err = stderr_one_error_line(&out);
        assert!(err.contains(expected), "expected {expected:?} in {err}");
    }
}

#[test]
fn too_few_complete_models_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let m = write(dir.path(), "m.csv", "model,a,b\nx,1,2\ny,2,\nz,3,1\n");
    let out = bin()
        .args(["analyze", "--capabilities", "a,b"])
        .arg(&m)
        .output()
        .unwrap();
    let err = stderr_one_error_line(&out);
    assert!(
        err.contains("only 2 models have a value for every capability benchmark"),
        "{err}"
    );
}

#[test]
fn explicit_compute_column_must_exist() {
    let dir = tempfile::tempdir().unwrap();
    let m = write(dir.path(), "m.csv", SMALL);
    let out = bin()
        .args([
            "analyze",
            "--capabilities",
            "cap_a,cap_b,cap_c",
            "--compute-column",
            "FLOPS",
        ])
        .arg(&m)
        .output()
        .unwrap();
    let err = stderr_one_error_line(&out);
    assert!(
        err.contains("no compute column 'FLOPS'; closest headers: FLOP"),
        "{err}"
    );
}

#[test]
fn missing_matrix_file_is_an_error() {
    let out = bin()
        .args(["analyze", "/nonexistent/m.csv"])
        .output()
        .unwrap();
    let err = stderr_one_error_line(&out);
    assert!(err.contains("/nonexistent/m.csv"), "{err}");
}

#[test]
fn bad_flag_values_are_refused() {
    bin()
        .args(["analyze", "--method", "cosine", "x.csv"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "unknown correlation method 'cosine'",
        ));
    bin()
        .args(["analyze", "--format", "xml", "x.csv"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown format 'xml'"));
}

#[test]
fn failed_download_says_how_to_work_offline() {
    let cache = tempfile::tempdir().unwrap();
    let out = bin()
        .env("XDG_CACHE_HOME", cache.path())
        .env("HOME", cache.path())
        .arg("analyze")
        .output()
        .unwrap();
    let err = stderr_one_error_line(&out);
    assert!(
        err.contains("could not download http://127.0.0.1:9/benchmarks_base_models.csv"),
        "{err}"
    );
    assert!(err.contains("SAFETYWASHING_DATA"), "{err}");
}

#[test]
fn a_file_with_the_wrong_checksum_is_never_used() {
    let dir = tempfile::tempdir().unwrap();
    for name in [
        "benchmarks_base_models.csv",
        "benchmarks_chat_models.csv",
        "benchmarks_info.csv",
    ] {
        write(dir.path(), name, SMALL);
    }
    let out = bin()
        .env("SAFETYWASHING_DATA", dir.path())
        .arg("analyze")
        .output()
        .unwrap();
    let err = stderr_one_error_line(&out);
    assert!(
        err.contains("benchmarks_base_models.csv: SHA-256 is"),
        "{err}"
    );
    assert!(err.contains("was not used"), "{err}");
    let out = bin()
        .env("SAFETYWASHING_DATA", dir.path())
        .args(["data", "fetch"])
        .output()
        .unwrap();
    stderr_one_error_line(&out);
}

#[test]
fn data_path_follows_the_environment() {
    bin()
        .env("SAFETYWASHING_DATA", "/some/where")
        .args(["data", "path"])
        .assert()
        .success()
        .stdout("/some/where\n");
    let cache = tempfile::tempdir().unwrap();
    let expected = cache.path().join("safetywashing").join("bee302c11f17");
    bin()
        .env("XDG_CACHE_HOME", cache.path())
        .args(["data", "path"])
        .assert()
        .success()
        .stdout(format!("{}\n", expected.display()));
}

#[test]
fn no_matrix_analyses_the_paper_base_then_chat() {
    with_shared!(shared => {
        let data = common::paper_dir(&shared);
        let out = common::succeeded(bin().env("SAFETYWASHING_DATA", &data).arg("analyze"));
        let text = String::from_utf8(out.stdout).unwrap();
        let base = text.find("benchmarks_base_models.csv").unwrap();
        let chat = text.find("benchmarks_chat_models.csv").unwrap();
        assert!(base < chat);
        assert!(text.contains("PC1 explains 78.3% of capability variance"));
        assert!(text.contains("PC1 explains 70.8% of capability variance"));
        assert!(text.contains("TruthfulQA MC1"), "display names from the paper's info file");
        bin()
            .env("SAFETYWASHING_DATA", &data)
            .args(["data", "fetch"])
            .assert()
            .success()
            .stdout(predicate::str::contains("verified"));
    });
}

#[test]
fn base_json_matches_the_reference_through_the_cli() {
    with_shared!(shared => {
        let data = common::paper_dir(&shared);
        let out = bin()
            .args(["analyze", "--format", "json"])
            .arg(data.join("benchmarks_base_models.csv"))
            .output()
            .unwrap();
        assert!(out.status.success());
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        let reference: Value =
            serde_json::from_slice(&std::fs::read(shared.join("reference/paper-base.json")).unwrap()).unwrap();
        let close = |a: &Value, b: &Value| (a.as_f64().unwrap() - b.as_f64().unwrap()).abs() <= 1e-9;
        assert!(close(&v["pc1_variance_explained"], &reference["pc1_variance_explained"]));
        assert!(close(&v["capabilities_score_compute_correlation"], &reference["cap_score_compute_correlation"]));
        for (m, s) in reference["capabilities_score"].as_object().unwrap() {
            assert!(close(&v["capabilities_scores"][m], s), "{m}");
        }
        for b in v["benchmarks"].as_array().unwrap() {
            let id = b["benchmark"].as_str().unwrap();
            assert!(close(&b["capabilities_correlation"], &reference["capabilities_correlation"][id]), "{id}");
            assert!(close(&b["compute_correlation"], &reference["compute_correlation"][id]), "{id}");
        }
    });
}

#[test]
fn obsscaling_layout_runs_and_reports_left_out_models() {
    with_shared!(shared => {
        let out = common::succeeded(bin()
            .args([
                "analyze",
                "--meta-columns",
                "Model Family,Model Size (B),Pretraining Data Size (T)",
                "--compute-column",
                "FLOPs (1E21)",
                "--capabilities",
                "MMLU,ARC-C,HellaSwag,Winograd,GSM8K,XWinograd,HumanEval",
                "--format",
                "json",
            ])
            .arg(shared.join("data/obsscaling/base_llm_benchmark_eval.csv")));
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        let used = v["models_used"].as_array().unwrap().len();
        let excluded = v["models_excluded"].as_array().unwrap().len();
        assert_eq!(used + excluded, 148);
        assert!(excluded > 0);
        let err = common::stderr_of(&out);
        assert_eq!(err.matches("left out model").count(), excluded);
        let truthful = v["benchmarks"].as_array().unwrap().iter().find(|b| b["benchmark"] == "TruthfulQA").unwrap();
        assert_eq!(truthful["role"], "safety");
        assert!(truthful["capabilities_correlation"].is_number());
        assert!(truthful["compute_correlation"].is_number());
    });
}

#[test]
fn an_undefined_correlation_is_null_with_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    let m = write(
        dir.path(),
        "m.csv",
        "model,a,b,c,flat,empty,sparse,FLOP\nm1,1,2,1,5,,1,1e21\nm2,2,1,2,5,,2,\nm3,3,3,4,5,,,3e21\nm4,4,5,3,5,,3,\n",
    );
    let out = bin()
        .args(["analyze", "--capabilities", "a,b,c", "--format", "json"])
        .arg(&m)
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let by_name = |name: &str| {
        v["benchmarks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|b| b["benchmark"] == name)
            .unwrap()
            .clone()
    };
    let flat = by_name("flat");
    assert!(flat["capabilities_correlation"].is_null());
    assert_eq!(
        flat["capabilities_correlation_undefined"],
        "column dropped: constant"
    );
    assert_eq!(
        by_name("empty")["compute_correlation_undefined"],
        "column dropped: all missing"
    );
    // Only m1 has both a value and a compute value.
    let sparse = by_name("sparse");
    assert!(sparse["capabilities_correlation"].is_number());
    assert!(sparse["compute_correlation"].is_null());
    assert_eq!(
        sparse["compute_correlation_undefined"],
        "1 model with both values; at least 2 are needed"
    );
    assert!(
        by_name("a")
            .get("capabilities_correlation_undefined")
            .is_none()
    );
}

/// `args` run on a pseudo-terminal `columns` wide (util-linux `script`):
/// what the terminal shows, or `None` (with a visible skip) without `script`.
fn on_terminal(columns: u16, args: &str) -> Option<String> {
    let bin = assert_cmd::cargo::cargo_bin("safetywashing");
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new("script")
        .args(["-q", "-e", "-c", &format!("{} {args}", bin.display())])
        .arg(dir.path().join("typescript"))
        .env("COLUMNS", columns.to_string())
        .output();
    match out {
        Ok(out) if out.status.success() => Some(common::stdout_of(&out).replace('\r', "")),
        _ => {
            common::skip(
                "util-linux `script` did not run",
                "SAFETYWASHING_REQUIRE_SHARED",
            );
            None
        }
    }
}

#[test]
fn tables_fit_the_terminal_and_wide_or_a_pipe_gives_full_names() {
    let dir = tempfile::tempdir().unwrap();
    let long = "a-safety-benchmark-with-a-name-far-longer-than-any-terminal-would-show-in-full";
    let m = dir.path().join("m.csv");
    std::fs::write(&m, SMALL.replace("safety_x", long)).unwrap();
    let args = format!("analyze {} --capabilities cap_a,cap_b,cap_c", m.display());
    let widest = |text: &str| text.lines().map(|l| l.chars().count()).max().unwrap_or(0);
    let Some(narrow) = on_terminal(60, &args) else {
        return;
    };
    let table_lines: Vec<&str> = narrow.lines().filter(|l| l.contains('%')).collect();
    assert!(!table_lines.is_empty(), "{narrow}");
    assert!(
        table_lines.iter().all(|l| l.chars().count() <= 60),
        "{narrow}"
    );
    assert!(narrow.contains('…') && !narrow.contains(long), "{narrow}");
    let Some(wide) = on_terminal(60, &format!("{args} --wide")) else {
        return;
    };
    assert!(wide.contains(long) && widest(&wide) > 60, "{wide}");
    // Piped: full names, whatever COLUMNS says.
    let piped = bin()
        .env("COLUMNS", "60")
        .args(args.split(' '))
        .output()
        .unwrap();
    assert!(String::from_utf8(piped.stdout).unwrap().contains(long));
}
