//! The report as Markdown. Markdown can't hold a figure, so the figures are
//! returned as SVG files to write beside the report (`STEM-overview.svg`,
//! …), linked by relative paths.

use super::{BENCHMARK_COLUMNS, MATRIX_COLUMNS, Report, combined};
use crate::escape;
use crate::output::Table;
use std::fmt::Write;

/// The benchmark table: every benchmark once, with each matrix's
/// [`MATRIX_COLUMNS`] side by side (`–` where a matrix lacks the
/// benchmark), as the HTML report has it; cells are escaped by the table
/// writer.
fn benchmark_table(report: &Report) -> Table {
    let several = report.sections.len() > 1;
    let mut header: Vec<String> = BENCHMARK_COLUMNS
        .iter()
        .map(|c| c.label.to_string())
        .collect();
    let mut numeric = Vec::new();
    for s in &report.sections {
        for c in &MATRIX_COLUMNS {
            if c.numeric {
                numeric.push(header.len());
            }
            header.push(if several {
                format!("{} {}", s.label, c.label)
            } else {
                c.label.to_string()
            });
        }
    }
    let rows = combined(report)
        .iter()
        .map(|c| {
            let r = c.first;
            let mut cells = vec![r.name.clone(), r.area.clone(), r.metric.clone()];
            for row in &c.cells {
                match row {
                    Some(row) => cells.extend(row.matrix_texts()),
                    None => cells.extend(MATRIX_COLUMNS.iter().map(|_| "–".to_string())),
                }
            }
            cells
        })
        .collect();
    Table {
        header,
        rows,
        numeric,
    }
}

/// What the benchmark table holds: which matrices, from which files, with
/// how many benchmarks each, and its order.
fn benchmark_intro(report: &Report) -> String {
    let each: Vec<String> = report
        .sections
        .iter()
        .map(|s| {
            format!(
                "{} ({}, {})",
                s.label,
                s.source,
                crate::words::count(s.rows.len(), "benchmark", "benchmarks")
            )
        })
        .collect();
    match &report.sections[..] {
        [s] => format!(
            "Every benchmark column of {} ({}), highest capabilities correlation first.",
            s.source,
            crate::words::count(s.rows.len(), "benchmark", "benchmarks")
        ),
        sections => format!(
            "Every benchmark column of {}, side by side, highest capabilities correlation \
             in {} first (– where a matrix lacks the benchmark).",
            each.join(" and "),
            sections[0].label
        ),
    }
}

/// A fenced code block holding `text` verbatim: the fence is longer than
/// any run of backticks inside.
fn code_block(text: &str) -> String {
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest.max(2) + 1);
    format!("{fence}\n{}\n{fence}", escape::control(text))
}

/// A file name as a relative link target: percent-encoded, so no space,
/// parenthesis or other mark of the name can end the link or start another.
fn link_target(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// The models each matrix left out of the capabilities score, with the
/// capability benchmarks they lack.
fn left_out(report: &Report) -> String {
    let mut o = String::from("\n## Models left out\n\n");
    o.push_str(
        "A model without a value for one of the capability benchmarks gets no capabilities \
         score, so it is in no correlation (listwise deletion).\n",
    );
    for s in &report.sections {
        if s.excluded.is_empty() {
            let _ = writeln!(o, "\n{}: no model left out.", escape::markdown(&s.label));
            continue;
        }
        let _ = writeln!(
            o,
            "\n### {} ({})\n",
            escape::markdown(&s.label),
            crate::words::count(s.excluded.len(), "model", "models")
        );
        let table = Table {
            header: vec!["model".into(), "missing capability benchmarks".into()],
            rows: s
                .excluded
                .iter()
                .map(|e| vec![e.model.clone(), e.missing.join(", ")])
                .collect(),
            numeric: Vec::new(),
        };
        o.push_str(&table.markdown());
        o.push('\n');
    }
    o
}

/// File name of a figure written beside a Markdown report named `stem.md`.
pub fn figure_file(stem: &str, kind: crate::plot::FigureKind) -> String {
    format!("{stem}-{}.svg", kind.name())
}

/// Render the report as Markdown; returns the text and the figures (kind,
/// SVG bytes) it links to, to be written in the same folder under
/// [`figure_file`]'s names.
pub fn render(report: &Report, stem: &str) -> (String, Vec<(crate::plot::FigureKind, Vec<u8>)>) {
    let mut o = String::new();
    o.push_str("# Safetywashing report\n\n");
    let _ = writeln!(o, "{}\n", super::QUESTION);
    for line in &report.finding {
        // Benchmark names in the sentence come from the data: escaped.
        let _ = writeln!(o, "**{}**\n", crate::escape::markdown(line));
    }

    o.push_str("## Summary\n\n");
    let n_lines = report.sections.first().map_or(0, |s| s.summary.len());
    let summary = Table {
        header: std::iter::once(String::new())
            .chain(report.sections.iter().map(|s| s.label.clone()))
            .collect(),
        rows: (0..n_lines)
            .map(|i| {
                std::iter::once(report.sections[0].summary[i].0.clone())
                    .chain(
                        report
                            .sections
                            .iter()
                            .map(|s| s.summary.get(i).map_or(String::new(), |l| l.1.clone())),
                    )
                    .collect()
            })
            .collect(),
        numeric: (1..=report.sections.len()).collect(),
    };
    o.push_str(&summary.markdown());
    o.push('\n');
    o.push_str(&left_out(report));
    o.push_str("\n## Figures\n\n");
    let mut files = Vec::new();
    for f in &report.figures {
        let name = figure_file(stem, f.kind);
        // The link target is the report's own file name, never text from data.
        let _ = writeln!(
            o,
            "![{}]({})\n\n*{}*\n",
            f.kind.name(),
            link_target(&name),
            escape::markdown(&f.caption)
        );
        files.push((f.kind, f.svg.clone().into_bytes()));
    }

    let _ = writeln!(
        o,
        "## Benchmarks\n\n{}\n",
        escape::markdown(&benchmark_intro(report))
    );
    for v in super::Verdict::ALL {
        let _ = writeln!(o, "- **{}**: {}", v.word(), v.meaning());
    }
    o.push('\n');
    o.push_str(&benchmark_table(report).markdown());
    o.push('\n');

    o.push_str("\n## How this was computed\n\n");
    let p = &report.provenance;
    let _ = writeln!(o, "{}\n", code_block(&p.command));
    let _ = writeln!(
        o,
        "Tool: `{}`. Correlation method: {}. Capabilities score: the first principal component of {} ({}).\n",
        escape::markdown(&p.tool),
        report.method,
        crate::words::count(
            report.capabilities.len(),
            "capability benchmark",
            "capability benchmarks"
        ),
        escape::markdown(&report.capabilities.join(", "))
    );
    let inputs = Table {
        header: vec!["input".into(), "SHA-256".into()],
        rows: p
            .inputs
            .iter()
            .map(|(path, sha)| vec![path.clone(), sha.clone()])
            .collect(),
        numeric: Vec::new(),
    };
    o.push_str(&inputs.markdown());
    o.push('\n');
    (o, files)
}

#[cfg(test)]
mod tests {
    use super::super::tests::{report_named, side_by_side};
    use super::*;

    /// The lines of `md`'s benchmark table.
    fn benchmark_lines(md: &str) -> Vec<&str> {
        md.lines()
            .skip_while(|l| !l.starts_with("| benchmark |"))
            .take_while(|l| l.starts_with('|'))
            .collect()
    }

    #[test]
    fn one_benchmark_table_holds_every_matrix_side_by_side() {
        let (md, _) = render(&side_by_side(), "r");
        assert_eq!(md.matches("| benchmark |").count(), 1, "{md}");
        assert_eq!(
            benchmark_lines(&md),
            [
                "| benchmark | area | metric | m n | m capabilities corr. | m compute corr. | \
                 m verdict | chat n | chat capabilities corr. | chat compute corr. | chat verdict |",
                "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
                "| B | honesty | &lt;metric&gt; | 12 | 50.0% | – | moderate | 12 | -80.0% | – | high |",
                // A benchmark the first matrix lacks: dashes there.
                "| C | honesty | &lt;metric&gt; | – | – | – | – | 12 | -80.0% | – | high |",
            ]
        );
        assert!(md.contains(
            "Every benchmark column of m (m.csv, 1 benchmark) and chat (chat.csv, 2 benchmarks), \
             side by side, highest capabilities correlation in m first"
        ));
    }

    #[test]
    fn one_matrix_keeps_plain_column_names_and_escaped_cells() {
        let (md, _) = render(&report_named("x | y [z]"), "r");
        assert_eq!(
            benchmark_lines(&md)[..3],
            [
                "| benchmark | area | metric | n | capabilities corr. | compute corr. | verdict |",
                "|---|---|---|---:|---:|---:|---:|",
                "| x \\| y \\[z\\] | honesty | &lt;metric&gt; | 12 | 50.0% | – | moderate |",
            ]
        );
    }

    #[test]
    fn commands_with_backticks_stay_in_their_block() {
        assert_eq!(code_block("sw report"), "```\nsw report\n```");
        assert_eq!(code_block("a ```` b"), "`````\na ```` b\n`````");
    }

    #[test]
    fn figure_links_are_relative_file_names() {
        assert_eq!(link_target("r-overview.svg"), "r-overview.svg");
        assert_eq!(
            link_target("my report(1)-scree.svg"),
            "my%20report%281%29-scree.svg"
        );
    }
}
