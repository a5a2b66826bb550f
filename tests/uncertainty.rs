//! CLI tests of the uncertainty flags and `residuals`, on small matrices the
//! tests write themselves (and, where present, on the paper's data).

use crate::common;

use crate::common::bin;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// A deterministic pseudo-random stream in [-1, 1) (test data only).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 11) as f64 / (1u64 << 53) as f64) * 2.0 - 1.0
    }
}

/// A matrix of `n` models: capabilities c0..c3 and `s_cap` load on one
/// latent factor, `s_free` does not; FLOP follows the factor. Cells listed in
/// `missing` ((row, column)) are left empty.
fn write_matrix(dir: &Path, n: usize, missing: &[(usize, &str)]) -> PathBuf {
    let mut rng = Lcg(42);
    let columns = [
        ("c0", 0.9),
        ("c1", 0.8),
        ("c2", 0.8),
        ("c3", 0.7),
        ("s_cap", 0.7),
        ("s_free", 0.0),
    ];
    let mut text = String::from("model,type,FLOP");
    for (c, _) in columns {
        text.push(',');
        text.push_str(c);
    }
    text.push('\n');
    for i in 0..n {
        let g = rng.next() + rng.next() + rng.next();
        text.push_str(&format!(
            "fam{}-model{i},f{},{}",
            i % 5,
            i % 5,
            (3.0 + g + 0.3 * rng.next()).exp()
        ));
        for (c, l) in columns {
            text.push(',');
            if !missing.contains(&(i, c)) {
                text.push_str(&format!(
                    "{}",
                    50.0 + 10.0 * (l * g + (1.0 - l * l) * 1.7 * rng.next())
                ));
            }
        }
        text.push('\n');
    }
    let path = dir.join("m.csv");
    std::fs::write(&path, text).unwrap();
    path
}

fn run(args: &[&str], threads: &str) -> Vec<u8> {
    let out = common::succeeded(bin().args(args).env("RAYON_NUM_THREADS", threads));
    out.stdout
}

const CAPS: &str = "--capabilities=c0,c1,c2,c3";

#[test]
fn same_seed_same_bytes_on_one_or_two_threads() {
    let dir = tempfile::tempdir().unwrap();
    let m = write_matrix(dir.path(), 30, &[]);
    let m = m.to_str().unwrap();
    for format in ["json", "csv", "text"] {
        let args = [
            "analyze",
            m,
            CAPS,
            "--bootstrap",
            "300",
            "--permutations",
            "300",
            "--sensitivity",
            "--seed",
            "5",
            "--format",
            format,
        ];
        let one = run(&args, "1");
        assert_eq!(one, run(&args, "2"), "{format}");
        assert_eq!(one, run(&args, "2"), "{format}, again");
    }
    let a = run(
        &["analyze", m, CAPS, "--bootstrap", "100", "--seed", "5"],
        "2",
    );
    let b = run(
        &["analyze", m, CAPS, "--bootstrap", "100", "--seed", "6"],
        "2",
    );
    assert_ne!(a, b);
}

#[test]
fn new_fields_appear_only_when_asked_and_point_estimates_stay() {
    let dir = tempfile::tempdir().unwrap();
    let m = write_matrix(dir.path(), 30, &[]);
    let m = m.to_str().unwrap();
    let plain: Value =
        serde_json::from_slice(&run(&["analyze", m, CAPS, "--format", "json"], "2")).unwrap();
    assert!(plain.get("uncertainty").is_none());
    assert!(plain["benchmarks"][0].get("ci_low").is_none());
    let extra: Value = serde_json::from_slice(&run(
        &[
            "analyze",
            m,
            CAPS,
            "--format",
            "json",
            "--bootstrap",
            "200",
            "--permutations",
            "200",
            "--leave-one-out",
        ],
        "2",
    ))
    .unwrap();
    for (p, e) in plain["benchmarks"]
        .as_array()
        .unwrap()
        .iter()
        .zip(extra["benchmarks"].as_array().unwrap())
    {
        assert_eq!(p["capabilities_correlation"], e["capabilities_correlation"]);
        assert_eq!(p["compute_correlation"], e["compute_correlation"]);
        let r = e["capabilities_correlation"].as_f64().unwrap();
        let (lo, hi) = (
            e["ci_low"].as_f64().unwrap(),
            e["ci_high"].as_f64().unwrap(),
        );
        assert!(lo <= hi && lo <= r + 0.1 && r - 0.1 <= hi, "{e}");
        assert_eq!(
            e["resamples_used"].as_u64().unwrap() + e["resamples_skipped"].as_u64().unwrap(),
            200
        );
        let is_cap = e["role"] == "capability";
        let p_value = e["p_value"].as_f64().unwrap();
        // q-values over the non-capability benchmarks only.
        if is_cap {
            assert!(e["q_value"].is_null() && p_value > 0.0, "{e}");
        } else {
            let q_value = e["q_value"].as_f64().unwrap();
            assert!(p_value > 0.0 && p_value <= q_value && q_value <= 1.0);
        }
        assert_eq!(e["ci_fallback"], e["ci_method"] != "bca", "{e}");
        assert!(
            e["unstable"].is_boolean() && e["resamples_skipped_share"].is_number(),
            "{e}"
        );
        assert_eq!(e["loo_correlation"].is_number(), is_cap, "{e}");
    }
    assert_eq!(
        plain["pc1_variance_explained"],
        extra["pc1_variance_explained"]
    );
    let boot = &extra["uncertainty"]["bootstrap"];
    assert_eq!(boot["resampling"], "models");
    assert_eq!(boot["interval"], "bca");
    assert!(boot["pc1_variance_explained"]["ci_low"].is_number());

    let text = String::from_utf8(run(&["analyze", m, CAPS, "--bootstrap", "200"], "2")).unwrap();
    assert!(
        text.contains("Bootstrap: 200 resamples of 30 models; 95% bca intervals (seed 1)"),
        "{text}"
    );
    let row = text
        .lines()
        .find(|l| l.trim_start().starts_with("s_cap"))
        .unwrap();
    // "81.2% [72.0, 88.1] n=30"
    let cell = row
        .split_whitespace()
        .skip(1)
        .take(4)
        .collect::<Vec<_>>()
        .join(" ");
    assert!(cell.ends_with("n=30") && cell.contains("% ["), "{row}");

    let csv = String::from_utf8(run(
        &["analyze", m, CAPS, "--format", "csv", "--sensitivity"],
        "2",
    ))
    .unwrap();
    let header = csv.lines().next().unwrap();
    assert!(header.ends_with("loo_correlation,sensitivity_min,sensitivity_max,drop_one_min,drop_one_max,mean_z_correlation,pearson_pc1_correlation,verdict_flips"), "{header}");
}

#[test]
fn cluster_bootstrap_says_what_it_resampled() {
    let dir = tempfile::tempdir().unwrap();
    let m = write_matrix(dir.path(), 30, &[]);
    let m = m.to_str().unwrap();
    let by_column: Value = serde_json::from_slice(&run(
        &[
            "analyze",
            m,
            CAPS,
            "--format",
            "json",
            "--bootstrap",
            "100",
            "--cluster-column",
            "type",
        ],
        "2",
    ))
    .unwrap();
    let b = &by_column["uncertainty"]["bootstrap"];
    assert_eq!(
        (
            b["resampling"].as_str(),
            b["clusters_by"].as_str(),
            b["units"].as_u64()
        ),
        (Some("clusters"), Some("column:type"), Some(5))
    );
    let text = String::from_utf8(run(
        &[
            "analyze",
            m,
            CAPS,
            "--bootstrap",
            "100",
            "--cluster-by-prefix",
        ],
        "2",
    ))
    .unwrap();
    assert!(
        text.contains("100 resamples of 5 clusters of models by model-id prefix"),
        "{text}"
    );

    let out = bin()
        .args([
            "analyze",
            m,
            CAPS,
            "--bootstrap",
            "100",
            "--cluster-column",
            "typ",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = common::stderr_of(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("no column 'typ'") && err.contains("type"),
        "{err}"
    );
    let out = bin()
        .args(["analyze", m, CAPS, "--cluster-by-prefix"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "cluster flags need --bootstrap");
}

#[test]
fn imputation_scores_every_model_and_keeps_the_listwise_values() {
    let dir = tempfile::tempdir().unwrap();
    let m = write_matrix(dir.path(), 30, &[(3, "c1"), (8, "c2"), (8, "c3")]);
    let m = m.to_str().unwrap();
    let v: Value = serde_json::from_slice(&run(
        &["analyze", m, CAPS, "--format", "json", "--impute", "pca"],
        "2",
    ))
    .unwrap();
    assert_eq!(v["models_used"].as_array().unwrap().len(), 30);
    let imp = &v["uncertainty"]["imputation"];
    assert_eq!(imp["imputed_cells"].as_array().unwrap().len(), 3);
    assert_eq!(imp["imputed_cells"][0]["model"], "fam3-model3");
    assert_eq!(imp["listwise_models_used"], 28);
    assert_eq!(imp["converged"], true);
    let plain: Value =
        serde_json::from_slice(&run(&["analyze", m, CAPS, "--format", "json"], "2")).unwrap();
    assert_eq!(
        v["benchmarks"][4]["listwise_correlation"],
        plain["benchmarks"][4]["capabilities_correlation"]
    );
    let text = String::from_utf8(run(&["analyze", m, CAPS, "--impute", "pca"], "2")).unwrap();
    assert!(text.contains("imputed: fam3-model3 c1 = "), "{text}");
    assert!(
        text.contains("kept within each benchmark's observed range"),
        "{text}"
    );
    // Soft-impute: the regularised variant, its λ reported.
    let soft: Value = serde_json::from_slice(&run(
        &[
            "analyze", m, CAPS, "--format", "json", "--impute", "soft:0.1",
        ],
        "2",
    ))
    .unwrap();
    let imp = &soft["uncertainty"]["imputation"];
    assert_eq!(imp["method"], "soft");
    assert!(
        imp["lambda"].as_f64().unwrap() > 0.0 && imp["warning"].is_null(),
        "{imp}"
    );
    assert_eq!(soft["models_used"].as_array().unwrap().len(), 30);
    for cell in imp["imputed_cells"].as_array().unwrap() {
        assert!(cell["at_observed_bound"].is_boolean(), "{cell}");
    }
    let out = bin()
        .args(["analyze", m, CAPS, "--impute", "soft:2"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn residuals_ranks_models_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let m = write_matrix(dir.path(), 25, &[]);
    let m = m.to_str().unwrap();
    let v: Value = serde_json::from_slice(&run(
        &[
            "residuals",
            m,
            CAPS,
            "--benchmark",
            "s_cap",
            "--format",
            "json",
        ],
        "2",
    ))
    .unwrap();
    assert_eq!(v["regression"], "rank");
    assert_eq!(v["models"].as_array().unwrap().len(), 25);
    let res: Vec<f64> = v["models"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["residual"].as_f64().unwrap())
        .collect();
    assert!(res.windows(2).all(|w| w[0] >= w[1]));
    assert!(v["slope_ci_low"].as_f64().unwrap() < v["slope"].as_f64().unwrap());
    // The rank slope is a correlation: its interval is one, inside [-1, 1].
    assert_eq!(v["slope_interval"], "fisher-z-bonett-wright");
    assert!(
        v["slope_ci_low"].as_f64().unwrap() >= -1.0 && v["slope_ci_high"].as_f64().unwrap() <= 1.0
    );
    assert_eq!(v["units"]["value"], "raw");
    assert_eq!(v["units"]["residual"], "standardised ranks");
    assert!(v["partial_compute_correlation"].is_number());
    let csv = String::from_utf8(run(
        &["residuals", m, CAPS, "-b", "s_cap", "--format", "csv"],
        "2",
    ))
    .unwrap();
    assert_eq!(csv.lines().count(), 26);
    let text = String::from_utf8(run(
        &["residuals", m, CAPS, "-b", "s_cap", "--method", "pearson"],
        "2",
    ))
    .unwrap();
    assert!(
        text.contains("OLS: benchmark z-scores on the capabilities score")
            && text.contains("R²")
            && text.contains("(95% t interval)")
            && text.contains("fitted, residual = z-scores (std.)")
            && text.contains("value (raw)"),
        "{text}"
    );
    let out = bin()
        .args(["residuals", m, CAPS, "-b", "s_cp"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(common::stderr_of(&out).contains("closest columns: s_cap"));
}

#[test]
fn paper_point_estimates_are_unchanged_by_the_bootstrap() {
    with_shared!(shared => {
        let base = common::paper_dir(&shared).join("benchmarks_base_models.csv");
        let base = base.to_str().unwrap();
        let plain: Value = serde_json::from_slice(&run(&["analyze", base, "--format", "json"], "2")).unwrap();
        let boot: Value = serde_json::from_slice(&run(&["analyze", base, "--format", "json", "--bootstrap", "50", "--sensitivity"], "2")).unwrap();
        for key in ["pc1_variance_explained", "capability_correlation_mean", "capabilities_scores", "pc1_loadings"] {
            assert_eq!(plain[key], boot[key], "{key}");
        }
        for (p, b) in plain["benchmarks"].as_array().unwrap().iter().zip(boot["benchmarks"].as_array().unwrap()) {
            assert_eq!(p["capabilities_correlation"], b["capabilities_correlation"]);
            assert_eq!(p["compute_correlation"], b["compute_correlation"]);
        }
    });
}

#[test]
fn skipped_resamples_and_unstable_intervals_are_shown_beside_the_interval() {
    with_shared!(shared => {
        let dir = common::paper_dir(&shared);
        let chat = dir.join("benchmarks_chat_models.csv");
        let info = dir.join("benchmarks_info.csv");
        let (chat, info) = (chat.to_str().unwrap(), info.to_str().unwrap());
        let args = ["analyze", chat, "--info", info, "--bootstrap", "1000"];
        let json: Value = serde_json::from_slice(&run(&[&args[..], &["--format", "json"]].concat(), "2")).unwrap();
        let games = json["benchmarks"].as_array().unwrap().iter()
            .find(|b| b["benchmark"] == "machiavelli-games").unwrap();
        let skipped = games["resamples_skipped"].as_u64().unwrap();
        // Undefined in more than a tenth of the resamples: flagged.
        assert!(skipped > 100, "{games}");
        assert_eq!(games["unstable"], true);
        assert_eq!(games["resamples_skipped_share"].as_f64().unwrap(), skipped as f64 / 1000.0);
        let text = String::from_utf8(run(&args, "2")).unwrap();
        let row = text.lines().find(|l| l.trim_start().starts_with("Machiavelli Games")).unwrap();
        let want = format!(
            "(unstable: {:.0}% of resamples undefined, {skipped}/1000)",
            skipped as f64 / 1000.0 * 100.0
        );
        assert!(row.contains(&want), "{row}\nwant {want}");
        // A benchmark defined in every resample carries no note.
        let mmlu = text.lines().find(|l| l.trim_start().starts_with("MMLU")).unwrap();
        assert!(!mmlu.contains("undefined"), "{mmlu}");
        assert!(text.contains("marked unstable"), "{text}");
    });
}

#[test]
fn pearson_compute_correlations_use_log10_and_say_so() {
    let dir = tempfile::tempdir().unwrap();
    let m = write_matrix(dir.path(), 30, &[]);
    let m = m.to_str().unwrap();
    let pearson: Value = serde_json::from_slice(&run(
        &[
            "analyze", m, CAPS, "--format", "json", "--method", "pearson",
        ],
        "2",
    ))
    .unwrap();
    assert_eq!(pearson["compute_scale"], "log10");
    let spearman: Value =
        serde_json::from_slice(&run(&["analyze", m, CAPS, "--format", "json"], "2")).unwrap();
    assert!(spearman.get("compute_scale").is_none());
    let text = String::from_utf8(run(&["analyze", m, CAPS, "--method", "pearson"], "2")).unwrap();
    assert!(
        text.contains(
            "(log10 of FLOP: every compute correlation under pearson uses the logarithm)"
        ),
        "{text}"
    );
}
