//! Names from a file are inert in every output for people: no raw control
//! character in text, Markdown or CSV, and in Markdown (`analyze --format
//! markdown`, `residuals --format markdown`, `report -o x.md`) no `|` that
//! moves a value under another header, no HTML and no link from data.

use crate::common;
use std::path::Path;

const MATRIX: &str = "model,a,b,c,s,t\n\
    m1,1,2,3,0.5,0.3\n\
    m2,2,1,3.5,0.1,0.2\n\
    m3,3,3,1,0.9,0.8\n\
    m4,4,5,6,0.2,0.1\n\
    m5,5,4,5,0.7,0.9\n";

/// A display name built to break out: a terminal hyperlink (OSC 8), a
/// screen clear, a pipe, a script tag, an image with onerror, a
/// javascript: link and a bare URL.
const EVIL: &str = "Evil\u{1b}]8;;https://x.example\u{7}link\u{1b}]8;;\u{7}\u{1b}[2J | \
    <script>alert(1)</script> <img src=x onerror=alert(1)> [c](javascript:alert(1)) www.x.example";

fn inputs(dir: &Path) -> (String, String) {
    let matrix = dir.join("m.csv");
    let info = dir.join("info.csv");
    std::fs::write(&matrix, MATRIX).unwrap();
    std::fs::write(
        &info,
        format!(
            "benchmark,name,metric\na,Alpha,Accuracy (↑)\ns,\"{EVIL}\",\"Err\u{1b}[31m (↓)\"\nt,T | two,Score (↑)\n"
        ),
    )
    .unwrap();
    (matrix.display().to_string(), info.display().to_string())
}

fn run(dir: &Path, args: &[&str]) -> String {
    let out = common::succeeded(common::bin().current_dir(dir).args(args));
    assert_no_raw_controls("stderr", &common::stderr_of(&out));
    common::stdout_of(&out)
}

fn assert_no_raw_controls(what: &str, text: &str) {
    let bad: Vec<char> = text
        .chars()
        .filter(|c| c.is_control() && !matches!(c, '\n' | '\t'))
        .collect();
    assert!(
        bad.is_empty(),
        "{what} carries raw control characters {bad:?}:\n{text}"
    );
}

/// Link targets: text after each `](` that no backslash escapes.
fn link_targets(md: &str) -> Vec<&str> {
    md.match_indices("](")
        .filter(|(i, _)| !md[..*i].ends_with('\\'))
        .map(|(i, _)| {
            let rest = &md[i + 2..];
            &rest[..rest.find(')').unwrap_or(rest.len())]
        })
        .collect()
}

/// Markdown with nothing active from data: no tag, no link, no image, no
/// autolink.
fn assert_inert_markdown(md: &str) {
    assert_no_raw_controls("markdown", md);
    for active in ["<script", "<img", "https://x", "www.x"] {
        assert!(!md.contains(active), "markdown contains '{active}':\n{md}");
    }
    for t in link_targets(md) {
        assert!(!t.contains(':'), "a link from data: {t}\n{md}");
    }
}

/// Every row of every pipe table has as many unescaped `|` as its header.
fn assert_tables_keep_their_columns(md: &str) {
    let pipes = |l: &str| {
        l.replace("\\\\", "")
            .replace("\\|", "")
            .matches('|')
            .count()
    };
    let mut header = None;
    for line in md.lines() {
        if !line.starts_with('|') {
            header = None;
            continue;
        }
        let n = pipes(line);
        match header {
            None => header = Some(n),
            Some(h) => assert_eq!(n, h, "row out of its columns: {line}"),
        }
    }
}

#[test]
fn analyze_outputs_escape_names_from_the_info_table() {
    let dir = tempfile::tempdir().unwrap();
    let (m, info) = inputs(dir.path());
    let base = ["analyze", &m, "--info", &info, "--capabilities", "a,b,c"];
    let text = run(dir.path(), &base);
    assert_no_raw_controls("text", &text);
    assert!(
        text.contains("Evil\\u{1b}]8;;https://x.example\\u{7}link"),
        "{text}"
    );

    let csv = run(dir.path(), &[&base[..], &["--format", "csv"]].concat());
    assert_no_raw_controls("csv", &csv);
    // Still one record per benchmark, each name in its own field.
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let names: Vec<String> = reader
        .records()
        .map(|r| r.unwrap()[2].to_string())
        .collect();
    assert!(
        names.iter().any(|n| n.starts_with("Evil\\u{1b}]8;;")),
        "{names:?}"
    );
    assert!(names.contains(&"T | two".to_string()), "{names:?}");

    let md = run(dir.path(), &[&base[..], &["--format", "markdown"]].concat());
    assert_inert_markdown(&md);
    assert_tables_keep_their_columns(&md);
    assert!(md.contains("T \\| two"), "{md}");
    assert!(md.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "{md}");

    // JSON keeps the name exactly (serde escapes the control characters).
    let json = run(dir.path(), &[&base[..], &["--format", "json"]].concat());
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let names: Vec<&str> = v["benchmarks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&EVIL), "{names:?}");
}

#[test]
fn markdown_report_escapes_names_and_links_only_its_figures() {
    let dir = tempfile::tempdir().unwrap();
    let (m, info) = inputs(dir.path());
    run(
        dir.path(),
        &[
            "report",
            &m,
            "--info",
            &info,
            "--capabilities",
            "a,b,c",
            "-o",
            "r.md",
        ],
    );
    let md = std::fs::read_to_string(dir.path().join("r.md")).unwrap();
    assert_inert_markdown(&md);
    assert_tables_keep_their_columns(&md);
    // The only links are the figures written beside the report.
    let targets = link_targets(&md);
    assert_eq!(targets.len(), 5, "{targets:?}");
    for t in targets {
        assert!(t.starts_with("r-") && t.ends_with(".svg"), "{t}");
        assert!(dir.path().join(t).is_file(), "{t}");
    }
}

/// Every figure and page written from names with control characters: no
/// raw control character in the SVG (XML forbids ESC, so the figure would
/// not open) or the HTML report, tooltips included.
#[test]
fn svg_figures_and_the_html_report_escape_control_characters() {
    let dir = tempfile::tempdir().unwrap();
    let (m, info) = inputs(dir.path());
    let base = ["--info", &info, "--capabilities", "a,b,c"];
    for kind in ["heatmap", "ranking", "scree", "overview"] {
        let out = format!("{kind}.svg");
        run(
            dir.path(),
            &[&["plot", kind, &m], &base[..], &["-o", &out]].concat(),
        );
        let svg = std::fs::read_to_string(dir.path().join(&out)).unwrap();
        assert_no_raw_controls(&out, &svg);
    }
    let svg = std::fs::read_to_string(dir.path().join("overview.svg")).unwrap();
    assert!(
        svg.contains("<title>Evil\\u{1b}]8;;"),
        "tooltip kept the name"
    );
    run(
        dir.path(),
        &[&["report", &m], &base[..], &["-o", "r.html"]].concat(),
    );
    let html = std::fs::read_to_string(dir.path().join("r.html")).unwrap();
    assert_no_raw_controls("r.html", &html);
    assert!(
        html.contains("Err\\u{1b}[31m (↓)"),
        "the metric is shown escaped"
    );
}

/// A file name with a terminal escape in it is shown escaped in every line
/// that names a file (results, `wrote …` lines), not only in errors.
#[test]
fn file_names_with_control_characters_are_shown_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let (_, info) = inputs(dir.path());
    let evil = "m\u{1b}]0;title\u{7}.csv";
    std::fs::write(dir.path().join(evil), MATRIX).unwrap();
    let caps = ["--capabilities", "a,b,c"];
    let runs: [Vec<&str>; 5] = [
        [&["check", evil, "--against", evil], &caps[..]].concat(),
        [&["score", evil, "--against", evil], &caps[..]].concat(),
        vec![
            "simulate",
            "--models",
            "20",
            "--benchmarks",
            "13",
            "-o",
            "s\u{1b}[1m.csv",
        ],
        [
            &[
                "plot",
                "ranking",
                evil,
                "--info",
                &info,
                "-o",
                "x\u{1b}[2J.svg",
            ],
            &caps[..],
        ]
        .concat(),
        vec!["data", "path"],
    ];
    for args in runs {
        let out = common::succeeded(
            common::bin()
                .current_dir(dir.path())
                .env("SAFETYWASHING_DATA", "data\u{1b}[31m")
                .args(&args),
        );
        let (stdout, stderr) = (common::stdout_of(&out), common::stderr_of(&out));
        assert_no_raw_controls(&format!("{args:?} stdout"), &stdout);
        assert_no_raw_controls(&format!("{args:?} stderr"), &stderr);
        assert!(
            stdout.contains("\\u{1b}") || stderr.contains("\\u{1b}"),
            "{args:?}: the name is shown, escaped:\n{stdout}{stderr}"
        );
    }
}
