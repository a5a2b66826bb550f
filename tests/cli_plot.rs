//! `plot` and `report` on the command line: formats from the file name,
//! one-line errors with exit status 2, files written whole.

use crate::support::fixture;

use assert_cmd::Command;
use predicates::prelude::*;
use std::path::Path;

fn tool() -> Command {
    Command::cargo_bin("safetywashing").unwrap()
}

/// `plot`/`report` arguments for the fixture in `dir`.
fn args(dir: &Path, command: &str) -> Vec<String> {
    let (matrix, info) = fixture::write(dir);
    vec![
        command.to_string(),
        matrix.display().to_string(),
        "--info".into(),
        info.display().to_string(),
        "--capabilities".into(),
        fixture::CAPABILITIES.into(),
    ]
}

/// Files in `dir` other than the fixture's inputs.
fn outputs(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with("fixture_"))
        .collect();
    names.sort();
    names
}

#[test]
fn plot_writes_svg_and_png_by_extension() {
    let dir = tempfile::tempdir().unwrap();
    for (kind, file) in [
        ("overview", "o.svg"),
        ("ranking", "r.png"),
        ("scree", "s.SVG"),
    ] {
        let mut a = vec!["plot".to_string(), kind.to_string()];
        a.extend(args(dir.path(), "x").into_iter().skip(1));
        tool()
            .args(&a)
            .arg("-o")
            .arg(dir.path().join(file))
            .assert()
            .success();
    }
    let svg = std::fs::read_to_string(dir.path().join("o.svg")).unwrap();
    assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
    assert!(
        std::fs::read(dir.path().join("r.png"))
            .unwrap()
            .starts_with(b"\x89PNG")
    );
    // Nothing but the figures: no temporary files left behind.
    assert_eq!(outputs(dir.path()), vec!["o.svg", "r.png", "s.SVG"]);
}

#[test]
fn plot_writes_a_paper_sized_pdf_png_and_svg() {
    let dir = tempfile::tempdir().unwrap();
    for file in ["o.pdf", "o.png", "o.svg"] {
        let mut a = vec!["plot".to_string(), "overview".to_string()];
        a.extend(args(dir.path(), "x").into_iter().skip(1));
        tool()
            .args(&a)
            .args(["--preset", "paper", "--top", "2", "-o"])
            .arg(dir.path().join(file))
            .assert()
            .success();
    }
    assert!(
        std::fs::read(dir.path().join("o.pdf"))
            .unwrap()
            .starts_with(b"%PDF-")
    );
    let svg = std::fs::read_to_string(dir.path().join("o.svg")).unwrap();
    assert!(svg.contains("width=\"3.3in\""), "{}", &svg[..200]);
    let png = std::fs::read(dir.path().join("o.png")).unwrap();
    let reader = png::Decoder::new(std::io::Cursor::new(png))
        .read_info()
        .unwrap();
    assert_eq!(reader.info().width, 990, "3.3 in at 300 dpi");
}

#[test]
fn plot_scatter_against_each_x_axis() {
    let dir = tempfile::tempdir().unwrap();
    for x in ["capabilities", "compute", "noise"] {
        let mut a = vec!["plot".to_string(), "scatter".to_string()];
        a.extend(args(dir.path(), "x").into_iter().skip(1));
        let out = dir.path().join(format!("{x}.svg"));
        tool()
            .args(&a)
            .args(["--benchmark", "tracks", "--x", x, "-o"])
            .arg(&out)
            .assert()
            .success();
        assert!(std::fs::read_to_string(&out).unwrap().contains("<title>"));
    }
}

#[test]
fn plot_errors_are_one_clear_line() {
    let dir = tempfile::tempdir().unwrap();
    let base = || {
        let mut a = vec!["plot".to_string()];
        a.push("scatter".into());
        a.extend(args(dir.path(), "x").into_iter().skip(1));
        a
    };
    let cases: [(&[&str], &str); 8] = [
        (
            &["--benchmark", "tracks", "-o", "fig.eps"],
            "must end in .svg, .png or .pdf",
        ),
        (
            &["--benchmark", "tracks", "--font-size", "5", "-o", "f.svg"],
            "text must be at least 6 pt",
        ),
        (
            &["--benchmark", "tracks", "--width", "3.3", "-o", "f.svg"],
            "'3.3' is not a length",
        ),
        (
            &["--benchmark", "tracks", "--preset", "poster", "-o", "f.svg"],
            "unknown size preset 'poster'",
        ),
        (
            &["--benchmark", "tracks", "--top", "3", "-o", "f.svg"],
            "--top selects the benchmarks of overview and compare",
        ),
        (&["-o", "fig.svg"], "needs a benchmark"),
        (
            &["--benchmark", "trakcs", "-o", "fig.svg"],
            "closest: tracks",
        ),
        (
            &["--benchmark", "tracks", "--x", "nope", "-o", "fig.svg"],
            "no benchmark column 'nope'",
        ),
    ];
    for (extra, message) in cases {
        tool()
            .current_dir(dir.path())
            .args(base())
            .args(extra)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(message))
            .stderr(predicate::function(|s: &str| s.lines().count() == 1));
    }
    // --bootstrap would not change a ranking: refused, not ignored.
    let mut ranking = vec!["plot".to_string(), "ranking".to_string()];
    ranking.extend(args(dir.path(), "x").into_iter().skip(1));
    tool()
        .current_dir(dir.path())
        .args(&ranking)
        .args(["--bootstrap", "20", "-o", "r.svg"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "a ranking figure has none to draw",
        ))
        .stderr(predicate::function(|s: &str| s.lines().count() == 1));
    tool()
        .args(["plot", "pie", "-o", "x.svg"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown figure 'pie'"));
    assert!(outputs(dir.path()).is_empty(), "nothing written on error");
}

#[test]
fn markdown_report_links_figures_written_beside_it() {
    let dir = tempfile::tempdir().unwrap();
    tool()
        .args(args(dir.path(), "report"))
        .arg("-o")
        .arg(dir.path().join("r.md"))
        .assert()
        .success();
    let md = std::fs::read_to_string(dir.path().join("r.md")).unwrap();
    for kind in ["overview", "scatter", "ranking", "scree", "heatmap"] {
        let file = format!("r-{kind}.svg");
        assert!(md.contains(&format!("]({file})")), "no link to {file}");
        assert!(dir.path().join(&file).is_file(), "{file} not written");
    }
    assert!(md.contains("| benchmark | metric | n |"));
    assert!(
        md.contains("safetywashing report "),
        "the command is recorded"
    );
    assert!(md.contains(concat!("safetywashing ", env!("CARGO_PKG_VERSION"))));
}

/// The HTML report of the fixture in `dir` (written as `r.html`) with
/// `extra` flags.
fn html_report(dir: &Path, extra: &[&str]) -> String {
    let out = dir.join("r.html");
    tool()
        .args(args(dir, "report"))
        .args(extra)
        .arg("-o")
        .arg(&out)
        .assert()
        .success();
    std::fs::read_to_string(&out).unwrap()
}

#[test]
fn html_report_summary_carries_bootstrap_intervals_and_no_local_paths() {
    let dir = tempfile::tempdir().unwrap();
    let html = html_report(dir.path(), &["--bootstrap", "200"]);
    let summary = &html[html.find("<table class=\"summary\"").unwrap()..];
    let summary = &summary[..summary.find("</table>").unwrap()];
    for line in [
        "PC1 share of capability variance",
        "Mean correlation among capability benchmarks",
        "Capabilities score vs compute",
    ] {
        let row = &summary[summary.find(line).expect(line)..];
        let cell = &row[..row.find("</tr>").unwrap()];
        assert!(
            cell.contains('[') && cell.contains("%]"),
            "{line} has no interval: {cell}"
        );
    }
    assert!(summary.contains("95% bca bootstrap, 200 resamples of models"));
    // Inputs and the command by file name: no directory of this machine.
    let tmp = dir.path().display().to_string();
    assert!(!html.contains(&tmp), "the report names {tmp}");
    assert!(html.contains("fixture_matrix.csv --info fixture_info.csv"));
    // Without --bootstrap the summary has no intervals.
    let html = html_report(dir.path(), &[]);
    assert!(!html.contains("bootstrap, 200"));
}

#[test]
fn html_report_is_self_contained() {
    let dir = tempfile::tempdir().unwrap();
    let html = html_report(dir.path(), &[]);
    assert_eq!(html.matches("<svg ").count(), 5, "five inline figures");
    for remote in ["http://", "https://", "src=\"", "<link"] {
        let found = html
            .match_indices(remote)
            .filter(|(i, _)| !html[..*i].ends_with("xmlns=\""))
            .count();
        assert_eq!(found, 0, "the page references '{remote}'");
    }
    // With scripts off the table is already sorted by capabilities correlation.
    assert!(html.contains("aria-sort=\"descending\""));
    assert!(html.contains("Noise &amp; Co") && html.contains("Falls &lt;fast&gt;"));
    tool()
        .args(args(dir.path(), "report"))
        .args(["-o", "r.txt"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("must end in .html or .md"));
}
