//! `plot` and `report` on the command line: formats from the file name,
//! one-line errors with exit status 2, files written whole.

use crate::common;
use crate::support::fixture;

use assert_cmd::Command;
use predicates::prelude::*;
use std::path::Path;

fn tool() -> Command {
    common::bin()
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

/// `plot KIND` of the fixture in `dir`.
fn plot(dir: &Path, kind: &str) -> Vec<String> {
    let mut a = vec!["plot".to_string(), kind.to_string()];
    a.extend(args(dir, "x").into_iter().skip(1));
    a
}

/// Each `(kind, flags, message)`: `plot KIND flags` exits 2 with `message`
/// as its one line, writing nothing.
fn assert_refused(dir: &Path, cases: &[(&str, &[&str], &str)]) {
    for (kind, extra, message) in cases {
        tool()
            .current_dir(dir)
            .args(plot(dir, kind))
            .args(*extra)
            .args(["-o", "no.svg"])
            .assert()
            .code(2)
            .stderr(predicate::str::contains(*message))
            .stderr(predicate::function(|s: &str| s.lines().count() == 1));
    }
    assert!(!dir.join("no.svg").exists());
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
    // Flags that would not change the figure: refused, not ignored.
    let kind = |k: &str| plot(dir.path(), k);
    let refused: [(&str, &[&str], &str); 3] = [
        (
            "heatmap",
            &["--bootstrap", "20"],
            "a heatmap figure has none to draw",
        ),
        (
            "ranking",
            &["--benchmark", "tracks"],
            "--benchmark sets up the scatter plot; it does not change the ranking figure",
        ),
        (
            "overview",
            &["--x", "compute"],
            "--x sets up the scatter plot; it does not change the overview figure",
        ),
    ];
    assert_refused(dir.path(), &refused);
    // Permutations, leave-one-out and sensitivity change no figure: plot
    // and report do not offer them.
    for command in ["plot", "report"] {
        for flag in [
            &["--permutations", "100"][..],
            &["--sensitivity"],
            &["--leave-one-out"],
        ] {
            let mut a = if command == "plot" {
                kind("overview")
            } else {
                args(dir.path(), "report")
            };
            a.extend(flag.iter().map(|f| f.to_string()));
            a.extend([
                "-o".into(),
                format!("r.{}", if command == "plot" { "svg" } else { "html" }),
            ]);
            tool()
                .current_dir(dir.path())
                .args(&a)
                .assert()
                .code(2)
                .stderr(predicate::str::contains(format!(
                    "unexpected argument '{}'",
                    flag[0]
                )));
        }
    }
    tool()
        .args(["plot", "pie", "-o", "x.svg"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown figure 'pie'"));
    assert!(outputs(dir.path()).is_empty(), "nothing written on error");
}

/// `--help` of `command`, split into its headings: (heading, flags under it).
fn help_sections(command: &str) -> Vec<(String, Vec<String>)> {
    let out = tool().args([command, "--help"]).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let mut sections: Vec<(String, Vec<String>)> = Vec::new();
    for line in text.lines() {
        if !line.starts_with(' ') && line.ends_with(':') {
            sections.push((line.trim_end_matches(':').to_string(), Vec::new()));
        } else if let Some(flag) = line
            .trim_start()
            .split([' ', ','])
            .find(|w| w.starts_with("--"))
            .filter(|_| line.trim_start().starts_with('-'))
            && let Some((_, flags)) = sections.last_mut()
        {
            flags.push(flag.to_string());
        }
    }
    sections
}

fn heading_of(sections: &[(String, Vec<String>)], flag: &str) -> String {
    sections
        .iter()
        .find(|(_, flags)| flags.iter().any(|f| f == flag))
        .map(|(h, _)| h.clone())
        .unwrap_or_else(|| panic!("{flag} is not in --help: {sections:?}"))
}

#[test]
fn plot_and_report_help_lists_each_flag_under_its_heading() {
    let plot = help_sections("plot");
    assert_eq!(heading_of(&plot, "--output"), "Options");
    assert_eq!(heading_of(&plot, "--benchmark"), "Scatter");
    assert_eq!(heading_of(&plot, "--x"), "Scatter");
    assert_eq!(heading_of(&plot, "--top"), "Overview and compare");
    assert_eq!(heading_of(&plot, "--width"), "Size");
    for flag in ["--bootstrap", "--seed", "--interval", "--impute"] {
        assert_eq!(heading_of(&plot, flag), "Uncertainty", "{flag}");
    }
    let report = help_sections("report");
    assert_eq!(heading_of(&report, "--output"), "Options");
    assert_eq!(heading_of(&report, "--benchmark"), "Options");
    assert_eq!(heading_of(&report, "--bootstrap"), "Uncertainty");
    for sections in [&plot, &report] {
        for flag in ["--permutations", "--sensitivity", "--leave-one-out"] {
            assert!(
                !sections.iter().any(|(_, f)| f.iter().any(|x| x == flag)),
                "{flag} is offered"
            );
        }
    }
    // analyze keeps them all, under its heading.
    let analyze = help_sections("analyze");
    for flag in ["--bootstrap", "--permutations", "--sensitivity", "--impute"] {
        assert_eq!(heading_of(&analyze, flag), "Uncertainty and robustness");
    }
}

#[test]
fn plot_ranking_and_scree_with_bootstrap_draw_whiskers_and_say_how() {
    let dir = tempfile::tempdir().unwrap();
    for kind in ["ranking", "scree"] {
        let mut a = vec!["plot".to_string(), kind.to_string()];
        a.extend(args(dir.path(), "x").into_iter().skip(1));
        let out = format!("{kind}.svg");
        tool()
            .current_dir(dir.path())
            .args(&a)
            .args(["--bootstrap", "50", "--confidence", "0.9", "-o", &out])
            .assert()
            .success();
        let svg = std::fs::read_to_string(dir.path().join(&out)).unwrap();
        assert!(
            svg.contains("whiskers: 90% bca bootstrap, 50 resamples of models"),
            "{kind}: no interval note"
        );
        tool()
            .current_dir(dir.path())
            .args(&a)
            .args(["-o", "plain.svg"])
            .assert()
            .success();
        let plain = std::fs::read_to_string(dir.path().join("plain.svg")).unwrap();
        assert!(!plain.contains("whiskers"));
    }
}

#[test]
fn plot_scatter_on_ranks_and_a_clustered_heatmap() {
    let dir = tempfile::tempdir().unwrap();
    let kind = |k: &str| plot(dir.path(), k);
    tool()
        .current_dir(dir.path())
        .args(kind("scatter"))
        .args(["--benchmark", "tracks", "--ranks", "-o", "ranks.svg"])
        .assert()
        .success();
    let svg = std::fs::read_to_string(dir.path().join("ranks.svg")).unwrap();
    assert!(
        svg.contains("rank by capabilities score"),
        "x axis on ranks"
    );
    tool()
        .current_dir(dir.path())
        .args(kind("heatmap"))
        .args(["--order", "clustered", "-o", "heatmap.svg"])
        .assert()
        .success();
    let refused: [(&str, &[&str], &str); 3] = [
        (
            "scatter",
            &["--benchmark", "tracks", "--ranks", "--method", "pearson"],
            "--method pearson correlates the values",
        ),
        ("ranking", &["--ranks"], "--ranks sets up the scatter plot"),
        (
            "overview",
            &["--order", "clustered"],
            "--order sets the heatmap's benchmark order; it does not change the overview figure",
        ),
    ];
    assert_refused(dir.path(), &refused);
    tool()
        .current_dir(dir.path())
        .args(kind("heatmap"))
        .args(["--order", "random", "-o", "no.svg"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown heatmap order 'random'"));
    assert!(!dir.path().join("no.svg").exists());
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
    // One benchmark table, both matrices side by side.
    assert_eq!(
        md.matches("| benchmark | area | metric |").count(),
        1,
        "{md}"
    );
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

#[test]
fn plot_and_report_say_what_they_wrote() {
    let dir = tempfile::tempdir().unwrap();
    let said = |out: &std::process::Output| String::from_utf8(out.stderr.clone()).unwrap();
    let out = tool()
        .current_dir(dir.path())
        .args(plot(dir.path(), "ranking"))
        .args(["-o", "r.svg"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", said(&out));
    let size = std::fs::metadata(dir.path().join("r.svg")).unwrap().len() as f64;
    assert!(out.stdout.is_empty(), "stdout stays free for pipes");
    assert_eq!(
        said(&out),
        format!("wrote r.svg ({:.1} KiB)\n", size / 1024.0)
    );

    let out = tool()
        .current_dir(dir.path())
        .args(args(dir.path(), "report"))
        .args(["-o", "rep.md"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", said(&out));
    let lines: Vec<String> = said(&out).lines().map(str::to_string).collect();
    // Each figure beside the Markdown, then the Markdown itself.
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("wrote rep-overview.svg (")),
        "{lines:?}"
    );
    assert!(
        lines.last().unwrap().starts_with("wrote rep.md ("),
        "{lines:?}"
    );
    assert!(
        lines
            .iter()
            .all(|l| l.ends_with(" KiB)") || l.ends_with(" bytes)"))
    );
}
