//! `safetywashing validate` end to end: the paper's own files (read from
//! ../shared) and small hand-written broken files; exit codes 0 / 1 / 2.

use crate::common;

use assert_cmd::Command;

fn validate() -> Command {
    let mut c = common::bin();
    c.arg("validate");
    c
}

#[test]
fn the_papers_files_have_warnings_only() {
    with_shared!(shared => {
        let dir = common::paper_dir(&shared);
        let matrix = dir.join("benchmarks_chat_models.csv");
        let info = dir.join("benchmarks_info.csv");
        let out = validate().arg(&matrix).arg("--info").arg(&info).output().unwrap();
        assert_eq!(out.status.code(), Some(0));
        let text = String::from_utf8(out.stdout).unwrap();
        // Real findings: info rows for benchmarks the matrix lacks, a metric
        // with no direction, Machiavelli scores labelled as accuracies.
        assert!(text.contains("benchmarks_info.csv:3: warning: info row for 'agieval', which is not a benchmark of"), "{text}");
        assert!(text.contains("warning: metric 'N/A' of 'LMSYS_Chatbot_Arena' has no direction arrow"), "{text}");
        assert!(text.contains("column 'machiavelli-points': metric 'Accuracy (↑)' is a proportion"), "{text}");
        assert!(text.contains(" 0 errors, "), "{text}");
        assert!(!text.contains("of 'FLOP' has no direction"), "{text}");
        validate().arg(&matrix).arg("--info").arg(&info).arg("--strict").assert().code(1);
    });
}

#[test]
fn errors_exit_2_and_clean_files_exit_0() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "model,a,b\nm1,0.5,0.1\nm1,n/a,0.2\nm2,0.7\n").unwrap();
    let out = validate().arg(&bad).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("bad.csv:3: error: duplicate model id 'm1' (first seen on line 2)"),
        "{text}"
    );
    assert!(
        text.contains("bad.csv:3: error: column 'a': expected a number"),
        "{text}"
    );
    assert!(
        text.contains("bad.csv:4: error: expected 3 fields like the header, found 2"),
        "{text}"
    );

    let good = dir.path().join("good.csv");
    std::fs::write(&good, "model,a,b\nm1,0.5,0.1\nm2,0.6,0.2\n").unwrap();
    validate().arg(&good).arg("--strict").assert().code(0);

    let out = validate()
        .arg(&bad)
        .args(["--format", "json"])
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["errors"], 3);
    assert_eq!(json["findings"][0]["line"], 3);
    assert_eq!(json["findings"][1]["column"], "a");
}
