//! The paper's calibration metrics (as its authors computed them in their
//! lm-eval fork) against two independent implementations on every shared
//! lm-eval samples file — one written here in Rust, one in Python with
//! scikit-learn's own `calibration_curve` — their noise floors against an
//! independent simulation, and their place in `calibrate` and
//! `import lm-eval --calibration`.

use crate::common;

use crate::common::bin;
use rand::{RngExt, SeedableRng};
use safetywashing::calibration::{
    CalibrationOptions, CalibrationReport, PAPER_T_TOLERANCE, calibrate_file,
    paper_rms_calibration_error, rms_calibration_error,
};
use safetywashing::load::{MatrixFormat, load_matrix};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Every `samples_*.jsonl` under a folder, sorted.
fn samples_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let p = entry.unwrap().path();
        let name = p.file_name().unwrap().to_str().unwrap().to_string();
        if p.is_dir() {
            out.extend(samples_files(&p));
        } else if name.starts_with("samples_") && name.ends_with(".jsonl") {
            out.push(p);
        }
    }
    out.sort();
    out
}

/// One file's choice log-likelihoods (f64, as written) and gold indices.
fn read(path: &Path) -> (Vec<Vec<f64>>, Vec<usize>) {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lls = Vec::new();
    let mut gold = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let v: Value = serde_json::from_str(line).unwrap();
        let resps = v["filtered_resps"].as_array().unwrap();
        lls.push(
            resps
                .iter()
                .map(|r| r[0].as_str().unwrap().parse::<f64>().unwrap())
                .collect(),
        );
        gold.push(v["target"].as_str().unwrap().parse().unwrap());
    }
    (lls, gold)
}

fn softmax(l: &[f64], t: f64) -> Vec<f64> {
    let m = l.iter().map(|x| x / t).fold(f64::NEG_INFINITY, f64::max);
    let e: Vec<f64> = l.iter().map(|x| (x / t - m).exp()).collect();
    let s: f64 = e.iter().sum();
    e.iter().map(|x| x / s).collect()
}

/// numpy's argmax: the first largest.
fn first_max(p: &[f64]) -> usize {
    (0..p.len()).fold(0, |b, i| if p[i] > p[b] { i } else { b })
}

/// Top-1 confidence and correctness at temperature `t`.
fn top1(lls: &[Vec<f64>], gold: &[usize], t: f64) -> (Vec<f64>, Vec<bool>) {
    lls.iter()
        .zip(gold)
        .map(|(l, &g)| {
            let p = softmax(l, t);
            let k = first_max(&p);
            (p[k], k == g)
        })
        .unzip()
}

/// scikit-learn's `calibration_curve(strategy="uniform", n_bins=15)`, then
/// √mean((prob_true − prob_pred)²): edges `np.linspace(0, 1, 16)`, bin =
/// `np.searchsorted(edges[1:-1], p)` (side left), empty bins dropped.
fn sklearn_rmsce(conf: &[f64], correct: &[bool]) -> f64 {
    let edges: Vec<f64> = (0..=15).map(|k| k as f64 * (1.0 / 15.0)).collect();
    let inner = &edges[1..15];
    let (mut sums, mut hits, mut totals) = ([0.0; 15], [0.0; 15], [0.0; 15]);
    for (c, y) in conf.iter().zip(correct) {
        let b = inner.partition_point(|e| e < c);
        sums[b] += c;
        hits[b] += if *y { 1.0 } else { 0.0 };
        totals[b] += 1.0;
    }
    let gaps: Vec<f64> = (0..15)
        .filter(|&b| totals[b] != 0.0)
        .map(|b| (hits[b] / totals[b] - sums[b] / totals[b]).powi(2))
        .collect();
    (gaps.iter().sum::<f64>() / gaps.len() as f64).sqrt()
}

fn cross_entropy(lls: &[Vec<f64>], gold: &[usize], t: f64) -> f64 {
    let total: f64 = lls
        .iter()
        .zip(gold)
        .map(|(l, &g)| -softmax(l, t)[g].ln())
        .sum();
    total / lls.len() as f64
}

/// d/dT of the mean cross-entropy: mean of (l_gold − E_p[l]) / T².
fn d_cross_entropy(lls: &[Vec<f64>], gold: &[usize], t: f64) -> f64 {
    let total: f64 = lls
        .iter()
        .zip(gold)
        .map(|(l, &g)| {
            let p = softmax(l, t);
            let expected: f64 = p.iter().zip(l).map(|(p, l)| p * l).sum();
            (l[g] - expected) / (t * t)
        })
        .sum();
    total / lls.len() as f64
}

/// The fork's `_tune_temp(binary_search=True)`.
fn tune_temp(lls: &[Vec<f64>], gold: &[usize]) -> f64 {
    let (mut lower, mut upper) = (0.2f64, 5.0f64);
    while upper - lower > 1e-4 {
        let mid = 0.5 * (lower + upper);
        if d_cross_entropy(lls, gold, mid) > 0.0 {
            upper = mid;
        } else {
            lower = mid;
        }
    }
    let candidates = [lower, 0.5 * (lower + upper), upper];
    let mut best = candidates[0];
    for t in candidates {
        if cross_entropy(lls, gold, t) < cross_entropy(lls, gold, best) {
            best = t;
        }
    }
    best
}

/// The paper's four numbers computed here, apart from the library.
fn independent(path: &Path) -> BTreeMap<&'static str, f64> {
    let (lls, gold) = read(path);
    let (conf, correct) = top1(&lls, &gold, 1.0);
    let t = tune_temp(&lls, &gold);
    let (tuned_conf, tuned_correct) = top1(&lls, &gold, t);
    let brier = lls
        .iter()
        .zip(&gold)
        .map(|(l, &g)| {
            let p = softmax(l, t);
            (0..p.len())
                .map(|k| (p[k] - if k == g { 1.0 } else { 0.0 }).powi(2))
                .sum::<f64>()
        })
        .sum::<f64>()
        / lls.len() as f64;
    BTreeMap::from([
        ("rmsce", sklearn_rmsce(&conf, &correct)),
        ("temperature", t),
        (
            "rmsce_temp_tuned",
            sklearn_rmsce(&tuned_conf, &tuned_correct),
        ),
        ("brier_temp_tuned", brier),
    ])
}

/// The untuned RMS error to 1e-9; the temperature within the bisection's
/// tolerance; the tuned metrics to 1e-6 (the library keeps log-likelihoods
/// relative to each sample's maximum as f32, ~1e-7 relative).
fn assert_paper_matches(report: &Value, want: &BTreeMap<&str, f64>, what: &str) {
    let got = |k: &str| {
        report[k]
            .as_f64()
            .unwrap_or_else(|| panic!("{what}: no {k}"))
    };
    assert!(
        (got("rmsce") - want["rmsce"]).abs() <= 1e-9,
        "{what}: rmsce {} vs {}",
        got("rmsce"),
        want["rmsce"]
    );
    assert!(
        (got("temperature") - want["temperature"]).abs() <= PAPER_T_TOLERANCE,
        "{what}: temperature {} vs {}",
        got("temperature"),
        want["temperature"]
    );
    for k in ["rmsce_temp_tuned", "brier_temp_tuned"] {
        assert!(
            (got(k) - want[k]).abs() <= 1e-6,
            "{what}: {k} {} vs {}",
            got(k),
            want[k]
        );
    }
}

fn paper_json(r: &CalibrationReport) -> Value {
    serde_json::to_value(&r.paper).unwrap()
}

#[test]
fn paper_metrics_match_an_independent_implementation_on_every_shared_samples_file() {
    with_shared!(shared => {
        let files = samples_files(&shared.join("data/lm-eval-0.4.13"));
        assert_eq!(files.len(), 7 * 3); // 6 runs in model folders + the limited one
        for f in &files {
            let r = calibrate_file(f, &CalibrationOptions::default()).unwrap();
            assert_paper_matches(&paper_json(&r), &independent(f), &f.display().to_string());
            assert_eq!((r.paper.n_fit, r.paper.n_tuned), (r.n, r.n));
        }
    });
}

/// The same against scikit-learn itself, in the test environment's Python
/// (`SAFETYWASHING_PYTHON`, set by `scripts/test`).
#[test]
fn paper_metrics_match_scikit_learn_on_every_shared_samples_file() {
    let Some(python) = std::env::var_os("SAFETYWASHING_PYTHON") else {
        common::skip(
            "SAFETYWASHING_PYTHON is not set (scripts/test sets it to its venv with scikit-learn)",
            "SAFETYWASHING_REQUIRE_LM_EVAL",
        );
        return;
    };
    with_shared!(shared => {
        let files = samples_files(&shared.join("data/lm-eval-0.4.13"));
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/paper_calibration.py");
        let out = std::process::Command::new(python).arg(script).args(&files).output().unwrap();
        assert!(out.status.success(), "{}", common::stderr_of(&out));
        let reference: BTreeMap<String, BTreeMap<String, f64>> =
            serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(reference.len(), files.len());
        for f in &files {
            let want = &reference[&f.display().to_string()];
            let want: BTreeMap<&str, f64> = want.iter().map(|(k, v)| (k.as_str(), *v)).collect();
            let r = calibrate_file(f, &CalibrationOptions::default()).unwrap();
            assert_paper_matches(&paper_json(&r), &want, &f.display().to_string());
        }
    });
}

/// Each noise floor is the mean RMS error of a perfectly calibrated model
/// with the same confidences: checked against 400 outcome sets drawn here
/// (ChaCha8, not the library's generator), within 4 Monte Carlo standard
/// errors of the difference. At n = 250–400 the floors are far from 0.
#[test]
fn noise_floors_match_an_independent_simulation() {
    with_shared!(shared => {
        let root = shared.join("data/lm-eval-0.4.13/org-d__Delta-120B");
        for f in samples_files(&root) {
            let r = calibrate_file(&f, &CalibrationOptions::default()).unwrap();
            let (lls, gold) = read(&f);
            let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
            for (t, floor, hendrycks_floor) in [
                (1.0, r.paper.rmsce_noise_floor, r.rms_calibration_error_noise_floor.corrected.unwrap()),
                (r.paper.temperature, r.paper.rmsce_temp_tuned_noise_floor, f64::NAN),
            ] {
                let (conf, _) = top1(&lls, &gold, t);
                let draws: Vec<(f64, f64)> = (0..400)
                    .map(|_| {
                        let y: Vec<bool> = conf.iter().map(|c| rng.random::<f64>() < *c).collect();
                        (
                            paper_rms_calibration_error(&conf, &y).unwrap(),
                            rms_calibration_error(&conf, &y, 100).corrected.unwrap(),
                        )
                    })
                    .collect();
                for (k, lib) in [(0, floor), (1, hendrycks_floor)] {
                    if lib.is_nan() {
                        continue;
                    }
                    let v: Vec<f64> = draws.iter().map(|d| if k == 0 { d.0 } else { d.1 }).collect();
                    let mean = v.iter().sum::<f64>() / v.len() as f64;
                    let sd = (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (v.len() - 1) as f64).sqrt();
                    let se = sd * (1.0 / 100.0 + 1.0 / 400.0f64).sqrt();
                    assert!((lib - mean).abs() <= 4.0 * se, "{}: floor {lib} vs simulated {mean} ± {se}", f.display());
                    assert!(lib > 0.005, "{}: floor {lib}", f.display());
                }
            }
        }
    });
}

#[test]
fn calibrate_json_csv_and_text_carry_the_paper_metrics() {
    with_shared!(shared => {
        let f = shared.join("data/lm-eval-0.4.13/org-b__Beta-3B/samples_fix_arith_2026-11-28T12-59-50.883384.jsonl");
        let want = independent(&f);
        let out = bin().args(["calibrate", "--format", "json"]).arg(&f).assert().success();
        let v: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
        let paper = &v[0]["paper"];
        assert_paper_matches(paper, &want, "calibrate --format json");
        for k in ["rmsce_noise_floor", "rmsce_temp_tuned_noise_floor"] {
            assert!(paper[k].as_f64().unwrap() > 0.0, "{k}");
        }
        // The Hendrycks variants stay, each with its floor.
        for k in ["reference", "corrected"] {
            assert!(v[0]["rms_calibration_error"][k].is_f64(), "{k}");
            assert!(v[0]["rms_calibration_error_noise_floor"][k].is_f64(), "{k}");
        }

        let out = bin().args(["calibrate", "--format", "csv"]).arg(&f).assert().success();
        let csv = String::from_utf8(out.get_output().stdout.clone()).unwrap();
        let mut lines = csv.lines();
        let header: Vec<&str> = lines.next().unwrap().split(',').collect();
        let row: Vec<&str> = lines.next().unwrap().split(',').collect();
        let cell = |name: &str| -> f64 {
            let i = header.iter().position(|h| *h == name).unwrap_or_else(|| panic!("no column {name}"));
            row[i].parse().unwrap()
        };
        for (col, key) in [
            ("rmsce_paper", "rmsce"),
            ("rmsce_paper_floor", "rmsce_noise_floor"),
            ("temperature_paper", "temperature"),
            ("rmsce_temp_tuned_paper", "rmsce_temp_tuned"),
            ("rmsce_temp_tuned_paper_floor", "rmsce_temp_tuned_noise_floor"),
            ("brier_temp_tuned_paper", "brier_temp_tuned"),
        ] {
            assert_eq!(cell(col), paper[key].as_f64().unwrap(), "{col}");
        }
        assert_eq!(cell("rmsce_reference"), v[0]["rms_calibration_error"]["reference"].as_f64().unwrap());

        // Text: the paper's variant by default, each RMS error beside its floor.
        let out = bin().arg("calibrate").arg(&f).assert().success();
        let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
        let head: Vec<&str> = text.lines().next().unwrap().split("  ").map(str::trim).filter(|s| !s.is_empty()).collect();
        assert_eq!(head, ["file", "n", "accuracy", "brier", "rmsce (paper)", "floor", "T", "brier tuned", "rmsce tuned", "floor"]);
        let cells: Vec<&str> = text.lines().nth(1).unwrap().split_whitespace().collect();
        let f4 = |k: &str| format!("{:.4}", paper[k].as_f64().unwrap());
        assert_eq!(cells[4..], [
            f4("rmsce"), f4("rmsce_noise_floor"), format!("{:.3}", paper["temperature"].as_f64().unwrap()),
            f4("brier_temp_tuned"), f4("rmsce_temp_tuned"), f4("rmsce_temp_tuned_noise_floor"),
        ]);
        assert!(text.contains("floor: the RMS calibration error a perfectly calibrated model"), "{text}");
    });
}

/// `import lm-eval --calibration` fills the paper's columns with the paper's
/// metrics by default, and with Hendrycks et al.'s on request.
#[test]
fn import_calibration_columns_are_the_papers_by_default() {
    with_shared!(shared => {
        let root = shared.join("data/lm-eval-0.4.13");
        let dir = tempfile::tempdir().unwrap();
        let samples = root.join("org-b__Beta-3B/samples_fix_unit_2026-11-28T12-59-50.883384.jsonl");
        let r = calibrate_file(&samples, &CalibrationOptions::default()).unwrap();
        let want = independent(&samples);
        for (variant, expected) in [
            (None, [
                ("rmsce_fix_unit", r.paper.rmsce),
                ("rmsce_temp_tuned_fix_unit", r.paper.rmsce_temp_tuned),
                ("brier_temp_tuned_fix_unit", r.paper.brier_temp_tuned),
            ]),
            (Some("reference"), [
                ("rmsce_fix_unit", r.rms_calibration_error.reference.unwrap()),
                ("rmsce_temp_tuned_fix_unit", r.tuned.rms_calibration_error.reference.unwrap()),
                ("brier_temp_tuned_fix_unit", r.tuned.brier.unwrap()),
            ]),
        ] {
            let matrix = dir.path().join("m.csv");
            let mut cmd = bin();
            cmd.args(["import", "lm-eval", "--calibration"]).arg(&root).arg("-o").arg(&matrix);
            if let Some(v) = variant {
                cmd.args(["--rms-variant", v]);
            }
            cmd.assert().success();
            let m = load_matrix(&matrix, &MatrixFormat::default()).unwrap();
            let row = m.models.iter().position(|x| x == "org-b/Beta-3B").unwrap();
            for (col, value) in expected {
                assert_eq!(m.benchmark(col).unwrap().values[row], 1.0 - value, "{variant:?} {col}");
            }
            if variant.is_none() {
                let got = m.benchmark("rmsce_fix_unit").unwrap().values[row];
                assert!((1.0 - got - want["rmsce"]).abs() <= 1e-9);
            }
        }
    });
}
