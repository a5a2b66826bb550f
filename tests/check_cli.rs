//! `safetywashing check` end to end: the paper's own truthfulqa_mc1 chat
//! column, rewritten the way a benchmark author would hand it in (renamed
//! column, `org/` prefixes, other case), reproduces the paper's 81.2%.
//! The file is generated here from ../shared, never committed.

use crate::common;
use crate::support::rewrite;

use rewrite::write_rewritten_column;

use assert_cmd::Command;
use serde_json::Value;
use std::path::Path;

fn cmd(shared: &Path) -> Command {
    let mut c = common::bin();
    c.env("SAFETYWASHING_DATA", common::paper_dir(shared));
    c
}

/// Run `command`, assert it succeeded, and parse its stdout as JSON.
fn json_of(command: &mut Command) -> Value {
    let out = common::succeeded(command);
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn truthfulqa_chat_column_reproduces_the_paper() {
    with_shared!(shared => {
        let dir = tempfile::tempdir().unwrap();
        let new = dir.path().join("new.csv");
        let chat = common::paper_dir(&shared).join("benchmarks_chat_models.csv");
        let renamed = write_rewritten_column(&chat, "truthfulqa_mc1", &new);
        assert!(renamed.len() > 10);

        let out = common::succeeded(cmd(&shared).arg("check").arg(&new));
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.contains("Capabilities correlation (spearman): 81.2% (n=26)"), "{text}");
        assert!(text.contains("Verdict: HIGH"), "{text}");
        for (written, original) in &renamed {
            assert!(text.contains(&format!("  {written}  → {original} (")), "{written} not listed:\n{text}");
        }

        let json = json_of(cmd(&shared).args(["check", "--format", "json"]).arg(&new));
        let b = &json["benchmarks"][0];
        let r = b["capabilities_correlation"].as_f64().unwrap();
        assert_eq!(format!("{:.1}", r * 100.0), "81.2");
        assert_eq!(b["verdict"], "high");
        assert!(b["capabilities_interval"].is_null());
        let non_exact = json["matches"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m["outcome"]["kind"] != "exact")
            .count();
        assert_eq!(non_exact, renamed.len());
    });
}

#[test]
fn bootstrap_gives_the_new_benchmark_an_interval() {
    with_shared!(shared => {
        let dir = tempfile::tempdir().unwrap();
        let new = dir.path().join("new.csv");
        let chat = common::paper_dir(&shared).join("benchmarks_chat_models.csv");
        write_rewritten_column(&chat, "truthfulqa_mc1", &new);
        let json = json_of(
            cmd(&shared)
                .args(["check", "--format", "json", "--bootstrap", "500", "--seed", "3"])
                .arg(&new),
        );
        let b = &json["benchmarks"][0];
        let r = b["capabilities_correlation"].as_f64().unwrap();
        let i = &b["capabilities_interval"];
        let (lo, hi) = (i["lower"].as_f64().unwrap(), i["upper"].as_f64().unwrap());
        assert!(lo < r && r < hi && hi <= 1.0, "{lo} {r} {hi}");
        assert_eq!(i["level"], 0.95);
        let text = cmd(&shared)
            .args(["check", "--bootstrap", "500", "--seed", "3"])
            .arg(&new)
            .output()
            .unwrap();
        let text = String::from_utf8(text.stdout).unwrap();
        assert!(text.contains("81.2% (n=26, 95% interval ["), "{text}");
    });
}

#[test]
fn fail_above_sets_exit_status() {
    with_shared!(shared => {
        let dir = tempfile::tempdir().unwrap();
        let new = dir.path().join("new.csv");
        let chat = common::paper_dir(&shared).join("benchmarks_chat_models.csv");
        write_rewritten_column(&chat, "truthfulqa_mc1", &new);
        cmd(&shared).arg("check").arg(&new).args(["--fail-above", "0.8"]).assert().code(1);
        cmd(&shared).arg("check").arg(&new).args(["--fail-above", "0.9"]).assert().code(0);
        // Lower-is-better flips the sign, and the output says so.
        let out = cmd(&shared).arg("check").arg(&new).arg("--lower-is-better").output().unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.contains("-81.2%") && text.contains("lower is better"), "{text}");
    });
}

#[test]
fn ambiguous_and_unmatched_names_are_reported_not_guessed() {
    let dir = tempfile::tempdir().unwrap();
    let reference = dir.path().join("ref.csv");
    std::fs::write(
        &reference,
        "model,c1,c2,s\nFoo-7B,1,2,3\nfoo_7b,2,1,1\nBar,3,3,2\nBaz,4,5,4\n",
    )
    .unwrap();
    let new = dir.path().join("new.csv");
    std::fs::write(&new, "model,score\nFOO 7B,1\nbar,2\nbaz,3\nQux,4\n").unwrap();
    let out = common::succeeded(
        common::bin()
            .args(["check", "--capabilities", "c1,c2", "--against"])
            .arg(&reference)
            .arg(&new),
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("FOO 7B  ambiguous: could be Foo-7B, foo_7b"),
        "{text}"
    );
    assert!(text.contains("Qux  no match"), "{text}");
    assert!(text.contains("(n=2)"), "{text}");
    assert!(
        text.contains("Reference models without a score: Foo-7B, foo_7b"),
        "{text}"
    );

    // An alias file settles the ambiguity explicitly.
    let aliases = dir.path().join("aliases.csv");
    std::fs::write(&aliases, "from,to\nFOO 7B,foo_7b\n").unwrap();
    let out = common::bin()
        .args(["check", "--capabilities", "c1,c2", "--against"])
        .arg(&reference)
        .arg(&new)
        .arg("--aliases")
        .arg(&aliases)
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("FOO 7B  → foo_7b (alias)"), "{text}");
    assert!(text.contains("(n=3)"), "{text}");
}

#[test]
fn a_bad_new_file_is_one_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let new = dir.path().join("new.csv");
    std::fs::write(&new, "model,score\nA,0.5\nB,77%\n").unwrap();
    let reference = dir.path().join("ref.csv");
    std::fs::write(&reference, "model,c1\nA,1\nB,2\n").unwrap();
    let out = common::bin()
        .args(["check", "--capabilities", "c1", "--against"])
        .arg(&reference)
        .arg(&new)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("new.csv:3: column 2 'score'"), "{err}");
}

#[test]
fn fail_above_cannot_pass_what_it_cannot_judge() {
    with_shared!(shared => {
        let dir = tempfile::tempdir().unwrap();
        // No name matches the reference: the correlation is undefined.
        let unknown = dir.path().join("unknown.csv");
        std::fs::write(&unknown, "model,score\nnobody-1,0.1\nnobody-2,0.5\nnobody-3,0.9\n").unwrap();
        let out = cmd(&shared).arg("check").arg(&unknown).args(["--fail-above", "0.7"]).output().unwrap();
        assert_eq!(out.status.code(), Some(3));
        let err = String::from_utf8(out.stderr).unwrap();
        assert!(err.contains("--fail-above cannot judge: 'score' has no defined correlation (0 models matched"), "{err}");
        // A defined correlation from too few models fails the guard too.
        let chat = common::paper_dir(&shared).join("benchmarks_chat_models.csv");
        let full = dir.path().join("full.csv");
        write_rewritten_column(&chat, "truthfulqa_mc1", &full);
        let text = std::fs::read_to_string(&full).unwrap();
        let few = dir.path().join("few.csv");
        std::fs::write(&few, text.lines().take(6).collect::<Vec<_>>().join("\n")).unwrap();
        let out = cmd(&shared).arg("check").arg(&few).args(["--fail-above", "0.99"]).output().unwrap();
        assert_eq!(out.status.code(), Some(3), "{}", common::stderr_of(&out));
        assert!(common::stderr_of(&out).contains("fewer than --min-models 10"));
        cmd(&shared).arg("check").arg(&few).args(["--fail-above", "0.99", "--min-models", "5"]).assert().code(0);
    });
}

#[test]
fn bootstrap_verdict_names_the_bands_its_interval_allows() {
    with_shared!(shared => {
        let dir = tempfile::tempdir().unwrap();
        let chat = common::paper_dir(&shared).join("benchmarks_chat_models.csv");
        let new = dir.path().join("new.csv");
        write_rewritten_column(&chat, "truthfulqa_mc1", &new);
        let out = cmd(&shared)
            .args(["check", "--bootstrap", "200", "--format", "json"])
            .arg(&new)
            .output()
            .unwrap();
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let b = &json["benchmarks"][0];
        let (lower, upper) = (
            b["capabilities_interval"]["lower"].as_f64().unwrap(),
            b["capabilities_interval"]["upper"].as_f64().unwrap(),
        );
        let (low, high) = (json["low_below"].as_f64().unwrap(), json["high_at"].as_f64().unwrap());
        // The definition, independently: bands of |r| over the interval.
        let band = |a: f64| if a >= high { "high" } else if a >= low { "moderate" } else { "low" };
        let smallest = if lower <= 0.0 && upper >= 0.0 { 0.0 } else { lower.abs().min(upper.abs()) };
        let (from, to) = (band(smallest), band(lower.abs().max(upper.abs())));
        let order = ["low", "moderate", "high"];
        let (i, j) = (
            order.iter().position(|b| *b == from).unwrap(),
            order.iter().position(|b| *b == to).unwrap(),
        );
        let want: Vec<&str> = order[i..=j].to_vec();
        let got: Vec<&str> = b["verdict_interval_bands"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
        assert_eq!(got, want);
        assert_eq!(b["verdict_settled"], want.len() == 1);
        assert_eq!(b["verdict"], band(b["capabilities_correlation"].as_f64().unwrap().abs()));
    });
}

/// The capabilities correlation of `benchmark` in `analyze --format json`
/// of `matrix` with the given capability list and method.
fn analyzed(
    shared: &Path,
    matrix: &Path,
    capabilities: &[&str],
    method: &str,
    benchmark: &str,
) -> Value {
    let json = json_of(
        cmd(shared)
            .arg("analyze")
            .arg(matrix)
            .args(["--format", "json", "--method", method])
            .arg(format!("--capabilities={}", capabilities.join(","))),
    );
    let b = json["benchmarks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["benchmark"] == benchmark)
        .unwrap();
    serde_json::json!({"r": b["capabilities_correlation"], "mean": json["capability_correlation_mean"]})
}

#[test]
fn default_high_line_is_the_mean_leave_one_out_capabilities_correlation() {
    with_shared!(shared => {
        let dir = tempfile::tempdir().unwrap();
        let new = dir.path().join("new.csv");
        let chat = common::paper_dir(&shared).join("benchmarks_chat_models.csv");
        write_rewritten_column(&chat, "truthfulqa_mc1", &new);
        let caps = safetywashing::analysis::PAPER_CAPABILITIES;
        let check_json = |extra: &[&str]| json_of(cmd(&shared).args(["check", "--format", "json"]).args(extra).arg(&new));
        for method in ["spearman", "kendall"] {
            // Independently, through `analyze`: each capability benchmark's
            // correlation with the composite of the other eleven.
            let loo: Vec<f64> = caps
                .iter()
                .map(|c| {
                    let others: Vec<&str> = caps.iter().copied().filter(|o| o != c).collect();
                    analyzed(&shared, &chat, &others, method, c)["r"].as_f64().unwrap()
                })
                .collect();
            let want = loo.iter().sum::<f64>() / loo.len() as f64;
            let json = check_json(&["--method", method]);
            assert!((json["high_at"].as_f64().unwrap() - want).abs() < 1e-12, "{method}: {json}");
            assert_eq!(json["high_line"], "leave-one-out");
            let paper_mean = analyzed(&shared, &chat, &caps, method, "truthfulqa_mc1")["mean"].as_f64().unwrap();
            let paper = check_json(&["--method", method, "--high-at", "paper"]);
            assert_eq!(paper["high_at"].as_f64().unwrap(), paper_mean);
            assert_eq!(paper["high_line"], "paper");
            assert!(want > paper_mean, "{method}: a composite tracks its parts more closely than they track each other");
            let low = json["low_below"].as_f64().unwrap();
            if method == "kendall" {
                // τ's equivalent of the paper's ρ = 0.4.
                let r = 2.0 * (std::f64::consts::PI * 0.4 / 6.0).sin();
                assert!((low - 2.0 / std::f64::consts::PI * r.asin()).abs() < 1e-12, "{low}");
            } else {
                assert_eq!(low, 0.4);
            }
        }
        let given = check_json(&["--high-at", "0.9"]);
        assert_eq!((given["high_at"].as_f64(), given["high_line"].as_str()), (Some(0.9), Some("given")));
        let text = String::from_utf8(cmd(&shared).arg("check").arg(&new).output().unwrap().stdout).unwrap();
        assert!(text.contains("(the mean correlation of each capability benchmark with a composite fitted without it)"), "{text}");
    });
}

#[test]
fn report_judges_by_the_same_high_line_as_check() {
    with_shared!(shared => {
        let dir = tempfile::tempdir().unwrap();
        let new = dir.path().join("new.csv");
        let chat = common::paper_dir(&shared).join("benchmarks_chat_models.csv");
        write_rewritten_column(&chat, "truthfulqa_mc1", &new);
        let line = json_of(cmd(&shared).args(["check", "--format", "json"]).arg(&new))["capability_leave_one_out_mean"]
            .as_f64()
            .unwrap();
        let md = dir.path().join("r.md");
        common::succeeded(cmd(&shared).arg("report").arg("-o").arg(&md));
        let md = std::fs::read_to_string(&md).unwrap();
        // The summary row of the chat column (the second matrix).
        let cell = |label: &str| -> String {
            let row = md.lines().find(|l| l.starts_with(&format!("| {label} |"))).unwrap_or_else(|| panic!("no row {label}"));
            row.split('|').map(str::trim).nth(3).unwrap().to_string()
        };
        assert_eq!(cell("“High” line: mean leave-one-out capabilities correlation"), format!("{:.1}%", line * 100.0));
        // Independently: the chat matrix's non-capability benchmarks by |r|
        // against the paper's 40% and that line.
        let analysis = json_of(cmd(&shared).arg("analyze").arg(&chat).args(["--format", "json"]));
        let safety: Vec<f64> = analysis["benchmarks"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|b| b["role"] == "safety")
            .filter_map(|b| b["capabilities_correlation"].as_f64())
            .map(f64::abs)
            .collect();
        let high = safety.iter().filter(|r| **r >= line).count();
        let moderate = safety.iter().filter(|r| **r >= 0.4 && **r < line).count();
        assert_eq!(cell("… of which “high”"), high.to_string());
        assert_eq!(cell("… of which “moderate”"), moderate.to_string());
        let paper_line = analysis["capability_correlation_mean"].as_f64().unwrap();
        assert!(safety.iter().filter(|r| **r >= paper_line).count() > high, "the paper's line counts more as high");
    });
}

/// Run the binary with `args` (no paper data needed), assert success, and
/// return stdout.
fn stdout_of(args: &[&str]) -> String {
    common::stdout_of(&common::succeeded(common::bin().args(args)))
}

#[test]
fn check_marks_a_fallback_and_an_unstable_interval_as_analyze_does() {
    // Two matched models: the correlation is defined, undefined in every
    // resample that misses one of them (more than half), and in the
    // jackknife samples that leave one out, so BCa cannot be formed.
    let dir = tempfile::tempdir().unwrap();
    let rows = [
        ("A", "1,2,1,5"),
        ("B", "2,1,3,3"),
        ("C", "3,4,2,4"),
        ("D", "4,3,5,1"),
        ("E", "5,6,4,2"),
        ("F", "6,5,7,6"),
        ("G", "7,8,6,8"),
        ("H", "8,7,8,7"),
    ];
    let reference = dir.path().join("ref.csv");
    let augmented = dir.path().join("augmented.csv");
    let mut r = String::from("model,c1,c2,c3,s1\n");
    let mut a = String::from("model,c1,c2,c3,s1,x\n");
    for (i, (m, v)) in rows.iter().enumerate() {
        r.push_str(&format!("{m},{v}\n"));
        let x = match i {
            0 => "1",
            1 => "2",
            _ => "",
        };
        a.push_str(&format!("{m},{v},{x}\n"));
    }
    std::fs::write(&reference, r).unwrap();
    std::fs::write(&augmented, a).unwrap();
    let new = dir.path().join("new.csv");
    std::fs::write(&new, "model,x\nA,1\nB,2\n").unwrap();
    let (reference, augmented, new) = (
        reference.to_str().unwrap(),
        augmented.to_str().unwrap(),
        new.to_str().unwrap(),
    );
    let boot = [
        "--capabilities",
        "c1,c2,c3",
        "--bootstrap",
        "200",
        "--seed",
        "5",
    ];
    let check = |format: &str| {
        let mut args = vec!["check", "--against", reference, new, "--format", format];
        args.extend(boot);
        stdout_of(&args)
    };
    let analyze = |format: &str| {
        let mut args = vec!["analyze", augmented, "--format", format];
        args.extend(boot);
        stdout_of(&args)
    };

    // analyze's cell of x: "100.0% [a, b]* n=2 (unstable: …)".
    let table = analyze("text");
    let row = table
        .lines()
        .find(|l| l.trim_start().starts_with("x "))
        .unwrap_or_else(|| panic!("no row x:\n{table}"));
    let cell = row.trim_start()[1..].trim_start();
    assert!(cell.contains("]* n=2 (unstable: "), "{cell}");
    let note = &cell[cell.find("(unstable: ").unwrap() + 1..cell.rfind(')').unwrap()];
    let text = check("text");
    assert!(text.contains(&format!("%]*; {note})")), "{note}\n{text}");
    assert!(
        text.contains(
            "\n* percentile interval: the bca interval could not be formed for 1 number (see docs/method.md)\n"
        ),
        "{text}"
    );

    // The JSON carries the same numbers and flags.
    let a: Value = serde_json::from_str(&analyze("json")).unwrap();
    let a = a["benchmarks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["benchmark"] == "x")
        .unwrap()
        .clone();
    let c: Value = serde_json::from_str(&check("json")).unwrap();
    let i = &c["benchmarks"][0]["capabilities_interval"];
    for (check_key, analyze_key) in [
        ("lower", "ci_low"),
        ("upper", "ci_high"),
        ("method", "ci_method"),
        ("fallback", "ci_fallback"),
        ("resamples_used", "resamples_used"),
        ("resamples_skipped", "resamples_skipped"),
        ("resamples_skipped_share", "resamples_skipped_share"),
        ("unstable", "unstable"),
    ] {
        assert_eq!(i[check_key], a[analyze_key], "{check_key}: {i} vs {a}");
    }
    assert_eq!(
        (&i["method"], &i["fallback"], &i["unstable"]),
        (&"percentile".into(), &true.into(), &true.into())
    );
}
