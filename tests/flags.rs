//! Every flag a command lists changes what it does (#18.4): for each
//! command, the long flags its `--help` lists are exactly the flags of a
//! table below, and each entry runs the command without and with the flag
//! (in a fresh folder holding the same small files, named relatively, so
//! nothing else differs) and asserts that the exit status, standard output
//! or standard error differ. A flag added to a command without an effect
//! shown here fails the first assertion; a flag that stops doing anything
//! fails the second.

use crate::common;
use std::collections::BTreeSet;
use std::path::Path;

/// One flag's demonstration: the arguments without and with it.
struct Case {
    flag: &'static str,
    without: Vec<String>,
    with: Vec<String>,
}

fn strings(args: &[&str]) -> Vec<String> {
    args.iter().map(|s| s.to_string()).collect()
}

/// `base` without and with `extra` (which names `flag`).
fn adds(flag: &'static str, base: &[&str], extra: &[&str]) -> Case {
    let with = [base, extra].concat();
    Case {
        flag,
        without: strings(base),
        with: strings(&with),
    }
}

/// Two explicit argument lists (for a flag that is needed, or whose effect
/// shows against another value of it).
fn versus(flag: &'static str, without: &[&str], with: &[&str]) -> Case {
    Case {
        flag,
        without: strings(without),
        with: strings(with),
    }
}

const CAPS: [&str; 2] = ["--capabilities", "cap_a,cap_b,cap_c"];

/// Twelve models in three families (`type`), three capability benchmarks,
/// one benchmark tracking them and one noise column, `FLOP` and a second
/// numeric column `C2` that can serve as compute.
fn reference_csv(models: usize) -> String {
    let mut s = String::from("model,type,model_size,FLOP,C2,cap_a,cap_b,cap_c,tracks,noise\n");
    for i in 0..models {
        let family = ["alpha", "beta", "gamma"][i % 3];
        let x = i as f64 / 11.0;
        let w = |k: usize| ((i * 7919 + k * 104_729) % 97) as f64 / 97.0;
        s.push_str(&format!(
            "{family}-{},{family},{},{:.3e},{},{:.4},{:.4},{:.4},{:.4},{:.4}\n",
            i / 3 + 1,
            i + 1,
            10f64.powf(21.0 + 2.0 * x),
            (i * 37 % 11) + 1,
            0.3 + 0.5 * x + 0.1 * w(1),
            0.2 + 0.6 * x + 0.1 * w(2),
            0.1 + 0.4 * x + 0.2 * w(3),
            0.5 + 0.3 * x + 0.1 * w(4),
            w(6),
        ));
    }
    s
}

/// The small files every case reads, written into `dir`.
fn write_files(dir: &Path) {
    let reference = reference_csv(12);
    let files: Vec<(&str, String)> = vec![
        ("ref.csv", reference.clone()),
        ("ref2.csv", reference_csv(10)),
        (
            "formula.csv",
            reference.replacen("alpha-1,", "=alpha-1,", 1),
        ),
        (
            "sparse.csv",
            format!("{reference}sparse,alpha,13,,,0.5,,,,\n"),
        ),
        (
            "new.csv",
            "model,score1,score2\nalpha-1,0.1,0.9\nbeta-1,0.2,0.1\ngamma-1,0.25,0.5\n\
             alpha-2,0.3,0.3\nbeta-2,0.45,0.8\ngamma-2,0.4,0.2\nalpha-3,0.6,0.6\n\
             beta-3,0.55,0.4\ngamma-3,0.7,0.7\nalpha-4,0.8,0.1\nbeta-4,0.85,0.3\nweird,0.9,0.5\n"
                .into(),
        ),
        ("aliases.csv", "from,to\nweird,gamma-4\n".into()),
        (
            "caps.csv",
            "model,cap_a,cap_b,cap_c\nnew-1,0.5,0.5,0.3\nnew-2,0.8,0.7,0.5\nweird,0.85,0.8,0.5\n"
                .into(),
        ),
        (
            "caps_formula.csv",
            "model,cap_a,cap_b,cap_c\n=new-1,0.5,0.5,0.3\n".into(),
        ),
        (
            "caps_missing.csv",
            "model,cap_a,cap_b,cap_c\nnew-1,0.5,0.5,\n".into(),
        ),
        (
            "a.csv",
            "model,type,x,FLOP\nalpha-1,alpha,0.50,1e21\ngamma-4,gamma,0.70,2e21\n".into(),
        ),
        ("b.csv", "model,y\nalpha-1,0.3\nweird,0.4\n".into()),
        ("c.csv", "model,x\nalpha-1,0.55\n".into()),
        ("s.csv", "model,score\nalpha-1,0.5\nweird,0.7\n".into()),
        ("s2.csv", "model,first,second\nalpha-1,0.5,0.1\n".into()),
        (
            "info.csv",
            "benchmark,name,metric\ncap_a,Cap A,Accuracy (↑)\ncap_b,Cap B,Accuracy (↑)\n\
             cap_c,Cap C,Accuracy (↑)\ntracks,Tracks,Score (↑)\n"
                .into(),
        ),
    ];
    for (name, text) in files {
        std::fs::write(dir.join(name), text).unwrap();
    }
}

/// Exit status, stdout and stderr of `args` run in a fresh folder.
fn run(args: &[String]) -> (Option<i32>, String, String) {
    let dir = tempfile::tempdir().unwrap();
    write_files(dir.path());
    let out = common::bin()
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .env_remove("COLUMNS")
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code(),
        common::stdout_of(&out),
        common::stderr_of(&out),
    )
}

/// The long flags `command --help` lists (not `--help` itself).
fn listed_flags(command: &str) -> BTreeSet<String> {
    let (_, help, _) = run(&strings(&[command, "--help"]));
    help.lines()
        .filter(|l| {
            let indent = l.len() - l.trim_start().len();
            (1..=8).contains(&indent) && l.trim_start().starts_with('-')
        })
        .filter_map(|l| {
            l.split_whitespace()
                .find(|t| t.starts_with("--"))
                .map(|t| t.trim_end_matches(',').to_string())
        })
        // `--wide` acts only on a terminal, which these runs are not;
        // tests/cli.rs shows it on a pseudo-terminal.
        .filter(|f| f != "--help" && f != "--version" && f != "--wide")
        .collect()
}

/// Assert that `command` lists exactly the flags of `cases`, each of which
/// changes its exit status or output.
fn assert_every_flag_acts(command: &str, cases: &[Case]) {
    let shown: BTreeSet<String> = cases.iter().map(|c| c.flag.to_string()).collect();
    assert_eq!(
        listed_flags(command),
        shown,
        "`{command} --help` lists flags that no case shows acting (left), or cases for flags it lacks (right)"
    );
    for case in cases {
        assert!(
            case.with.iter().any(|a| a == case.flag),
            "{command} {}: the case does not use the flag",
            case.flag
        );
        let without = run(&case.without);
        let with = run(&case.with);
        assert_ne!(
            without, with,
            "{command}: {} changes nothing\nwithout: {:?}\nwith: {:?}",
            case.flag, case.without, case.with
        );
    }
}

/// The cases of the flags `check` and `score` share (the reference, its
/// capability benchmarks, method and model column, the format), for
/// `command INPUT --against ref.csv` with the fixture's capabilities.
fn reference_cases(command: &str, input: &str) -> Vec<Case> {
    let against = |reference: &'static str| vec![command, input, "--against", reference];
    let base = [&against("ref.csv")[..], &CAPS].concat();
    vec![
        versus(
            "--against",
            &base,
            &[&against("ref2.csv")[..], &CAPS].concat(),
        ),
        versus(
            "--capabilities",
            &base,
            &[&against("ref.csv")[..], &["--capabilities", "cap_a,cap_b"]].concat(),
        ),
        adds("--method", &base, &["--method", "pearson"]),
        adds("--format", &base, &["--format", "json"]),
        adds("--model-column", &base, &["--model-column", "type"]),
    ]
}

#[test]
fn every_flag_of_check_changes_its_output() {
    let base = [&["check", "new.csv", "--against", "ref.csv"][..], &CAPS].concat();
    let boot = [&base[..], &["--bootstrap", "60"]].concat();
    let fail = [&base[..], &["--fail-above", "0.99"]].concat();
    let mut cases = reference_cases("check", "new.csv");
    cases.extend([
        adds("--benchmark", &base, &["--benchmark", "score1"]),
        adds("--lower-is-better", &base, &["--lower-is-better"]),
        adds("--aliases", &base, &["--aliases", "aliases.csv"]),
        adds("--low-below", &base, &["--low-below", "0.99"]),
        adds("--high-at", &base, &["--high-at", "0.05"]),
        adds("--fail-above", &base, &["--fail-above", "0.1"]),
        adds("--min-models", &fail, &["--min-models", "50"]),
        adds(
            "--meta-columns",
            &base,
            &["--meta-columns", "model_size,FLOP,type,noise"],
        ),
        adds("--compute-column", &base, &["--compute-column", "C2"]),
        adds("--bootstrap", &base, &["--bootstrap", "60"]),
        adds("--seed", &boot, &["--seed", "2"]),
        adds("--confidence", &boot, &["--confidence", "0.8"]),
        adds("--interval", &boot, &["--interval", "percentile"]),
        adds("--cluster-column", &boot, &["--cluster-column", "type"]),
        adds("--cluster-by-prefix", &boot, &["--cluster-by-prefix"]),
    ]);
    assert_every_flag_acts("check", &cases);
}

#[test]
fn every_flag_of_score_changes_its_output() {
    let base = [&["score", "caps.csv", "--against", "ref.csv"][..], &CAPS].concat();
    let missing = [
        &["score", "caps_missing.csv", "--against", "ref.csv"][..],
        &CAPS,
    ]
    .concat();
    let formula_csv = [
        &[
            "score",
            "caps_formula.csv",
            "--against",
            "ref.csv",
            "--format",
            "csv",
        ][..],
        &CAPS,
    ]
    .concat();
    let mut cases = reference_cases("score", "caps.csv");
    cases.extend([
        adds("--excel-safe", &formula_csv, &["--excel-safe"]),
        adds("--impute", &missing, &["--impute"]),
        adds("--refit", &base, &["--refit"]),
        adds("--aliases", &base, &["--aliases", "aliases.csv"]),
        adds(
            "--meta-columns",
            &base,
            &["--meta-columns", "model_size,FLOP,type,cap_c"],
        ),
    ]);
    assert_every_flag_acts("score", &cases);
}

#[test]
fn every_flag_of_merge_changes_its_output() {
    let base = ["merge", "a.csv", "b.csv"];
    assert_every_flag_acts(
        "merge",
        &[
            adds("--output", &base, &["--output", "merged.csv"]),
            versus(
                "--prefer",
                &["merge", "a.csv", "c.csv"],
                &["merge", "a.csv", "c.csv", "--prefer", "last"],
            ),
            adds("--aliases", &base, &["--aliases", "aliases.csv"]),
            adds("--model-column", &base, &["--model-column", "type"]),
            adds("--meta-columns", &base, &["--meta-columns", "type,FLOP,x"]),
        ],
    );
}

#[test]
fn every_flag_of_add_changes_its_output() {
    let base = [
        "add",
        "ref.csv",
        "--from",
        "s.csv",
        "--benchmark",
        "newb",
        "--dry-run",
    ];
    let info = [&base[..], &["--info", "info.csv", "--metric", "Score (↑)"]].concat();
    let replace = [
        "add",
        "ref.csv",
        "--from",
        "s.csv",
        "--benchmark",
        "noise",
        "--dry-run",
        "--replace",
    ];
    assert_every_flag_acts(
        "add",
        &[
            versus(
                "--from",
                &base,
                &[
                    "add",
                    "ref.csv",
                    "--from",
                    "s2.csv",
                    "--column",
                    "first",
                    "--benchmark",
                    "newb",
                    "--dry-run",
                ],
            ),
            versus(
                "--benchmark",
                &base,
                &[
                    "add",
                    "ref.csv",
                    "--from",
                    "s.csv",
                    "--benchmark",
                    "other",
                    "--dry-run",
                ],
            ),
            versus(
                "--column",
                &[
                    "add",
                    "ref.csv",
                    "--from",
                    "s2.csv",
                    "--benchmark",
                    "newb",
                    "--dry-run",
                ],
                &[
                    "add",
                    "ref.csv",
                    "--from",
                    "s2.csv",
                    "--benchmark",
                    "newb",
                    "--dry-run",
                    "--column",
                    "second",
                ],
            ),
            adds("--name", &info, &["--name", "New B"]),
            adds(
                "--metric",
                &[&base[..], &["--info", "info.csv"]].concat(),
                &["--metric", "Score (↑)"],
            ),
            adds(
                "--info",
                &base,
                &["--info", "info.csv", "--metric", "Score (↑)"],
            ),
            adds("--replace", &replace[..7], &["--replace"]),
            versus("--dry-run", &base[..6], &base),
            adds("--aliases", &base, &["--aliases", "aliases.csv"]),
            adds("--model-column", &base, &["--model-column", "type"]),
            adds(
                "--meta-columns",
                &replace,
                &["--meta-columns", "model_size,FLOP,type,noise"],
            ),
        ],
    );
}

#[test]
fn every_flag_of_validate_changes_its_output() {
    let base = ["validate", "sparse.csv"];
    assert_every_flag_acts(
        "validate",
        &[
            adds("--strict", &base, &["--strict"]),
            adds("--mostly-missing", &base, &["--mostly-missing", "0.95"]),
            adds("--format", &base, &["--format", "json"]),
            adds("--info", &base, &["--info", "info.csv"]),
            adds("--model-column", &base, &["--model-column", "type"]),
            adds(
                "--meta-columns",
                &base,
                &[
                    "--meta-columns",
                    "model_size,FLOP,type,cap_a,cap_b,cap_c,noise",
                ],
            ),
            adds("--compute-column", &base, &["--compute-column", "FLOPS"]),
        ],
    );
}

#[test]
fn every_flag_of_residuals_changes_its_output() {
    let base = [
        &["residuals", "ref.csv", "--benchmark", "tracks"][..],
        &CAPS,
    ]
    .concat();
    let csv = [
        &[
            "residuals",
            "formula.csv",
            "--benchmark",
            "tracks",
            "--format",
            "csv",
        ][..],
        &CAPS,
    ]
    .concat();
    assert_every_flag_acts(
        "residuals",
        &[
            versus(
                "--benchmark",
                &base,
                &[&["residuals", "ref.csv", "--benchmark", "noise"][..], &CAPS].concat(),
            ),
            adds("--model-column", &base, &["--model-column", "type"]),
            adds(
                "--meta-columns",
                &base,
                &["--meta-columns", "model_size,FLOP,type,tracks"],
            ),
            adds("--compute-column", &base, &["--compute-column", "C2"]),
            versus(
                "--capabilities",
                &base,
                &[
                    "residuals",
                    "ref.csv",
                    "--benchmark",
                    "tracks",
                    "--capabilities",
                    "cap_a,cap_b",
                ],
            ),
            adds("--method", &base, &["--method", "pearson"]),
            adds("--confidence", &base, &["--confidence", "0.8"]),
            adds("--format", &base, &["--format", "json"]),
            adds("--excel-safe", &csv, &["--excel-safe"]),
            adds("--output", &base, &["--output", "r.txt"]),
        ],
    );
}
