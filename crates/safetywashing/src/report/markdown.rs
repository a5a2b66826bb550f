//! The report as Markdown. Markdown can't hold a figure, so the figures are
//! returned as SVG files to write beside the report (`STEM-overview.svg`,
//! …), linked by relative paths.

use super::{Report, Row};
use crate::escape;
use crate::output::{Table, percent};
use crate::plot::style::pct_with_interval;
use std::fmt::Write;

/// The cells of one benchmark row (escaped by the table writer).
fn row_cells(r: &Row) -> Vec<String> {
    let cap = r
        .capabilities
        .map_or_else(|| "–".to_string(), |v| pct_with_interval(v, r.interval));
    vec![
        r.name.clone(),
        r.metric.clone(),
        r.n.to_string(),
        cap,
        percent(r.compute),
        r.verdict.word().to_string(),
    ]
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

/// Render the report as Markdown; returns the text and the figure files
/// (name, SVG bytes) it links to, to be written in the same folder.
pub fn render(report: &Report, stem: &str) -> (String, Vec<(String, Vec<u8>)>) {
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
        files.push((name, f.svg.clone().into_bytes()));
    }

    o.push_str(
        "## Benchmarks\n\nEvery benchmark column, highest capabilities correlation first.\n\n",
    );
    for v in super::Verdict::ALL {
        let _ = writeln!(o, "- **{}**: {}", v.word(), v.meaning());
    }
    for s in &report.sections {
        let _ = writeln!(
            o,
            "\n### {} ({}, {})\n",
            escape::markdown(&s.label),
            escape::markdown(&s.source),
            crate::words::count(s.rows.len(), "benchmark", "benchmarks")
        );
        let table = Table {
            header: [
                "benchmark",
                "metric",
                "n",
                "capabilities corr.",
                "compute corr.",
                "verdict",
            ]
            .map(String::from)
            .to_vec(),
            rows: s.rows.iter().map(row_cells).collect(),
            numeric: vec![2, 3, 4],
        };
        o.push_str(&table.markdown());
        o.push('\n');
    }

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
    use super::*;

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
