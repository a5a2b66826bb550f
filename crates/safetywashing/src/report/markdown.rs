//! The report as Markdown. Markdown can't hold a figure, so the figures are
//! returned as SVG files to write beside the report (`STEM-overview.svg`,
//! …), linked by relative paths.

use super::{Report, Row};
use crate::output::percent;
use crate::plot::style::pct_with_interval;
use std::fmt::Write;

/// Escape text for a Markdown table cell.
fn cell(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace('\n', " ")
}

fn row_md(out: &mut String, r: &Row) {
    let cap = r
        .capabilities
        .map_or_else(|| "–".to_string(), |v| pct_with_interval(v, r.interval));
    let _ = writeln!(
        out,
        "| {} | {} | {} | {} | {} | {} |",
        cell(&r.name),
        cell(&r.metric),
        r.n,
        cap,
        percent(r.compute),
        r.verdict.word()
    );
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

    o.push_str("## Summary\n\n|  |");
    for s in &report.sections {
        let _ = write!(o, " {} |", cell(&s.label));
    }
    o.push_str("\n|---|");
    for _ in &report.sections {
        o.push_str("---:|");
    }
    o.push('\n');
    let n_lines = report.sections.first().map_or(0, |s| s.summary.len());
    for i in 0..n_lines {
        let _ = write!(o, "| {} |", cell(&report.sections[0].summary[i].0));
        for s in &report.sections {
            let _ = write!(o, " {} |", s.summary.get(i).map_or("", |l| l.1.as_str()));
        }
        o.push('\n');
    }

    o.push_str("\n## Figures\n\n");
    let mut files = Vec::new();
    for f in &report.figures {
        let name = figure_file(stem, f.kind);
        let _ = writeln!(o, "![{}]({name})\n\n*{}*\n", f.kind.name(), f.caption);
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
            "\n### {} ({}, {} benchmarks)\n",
            s.label,
            s.source,
            s.rows.len()
        );
        o.push_str("| benchmark | metric | n | capabilities corr. | compute corr. | verdict |\n");
        o.push_str("|---|---|---:|---:|---:|---|\n");
        for r in &s.rows {
            row_md(&mut o, r);
        }
    }

    o.push_str("\n## How this was computed\n\n");
    let p = &report.provenance;
    let _ = writeln!(o, "```\n{}\n```\n", p.command);
    let _ = writeln!(
        o,
        "Tool: `{}`. Correlation method: {}. Capabilities score: the first principal component of {} capability benchmarks ({}).\n",
        p.tool,
        report.method,
        report.capabilities.len(),
        report.capabilities.join(", ")
    );
    o.push_str("| input | SHA-256 |\n|---|---|\n");
    for (path, sha) in &p.inputs {
        let _ = writeln!(o, "| `{}` | `{sha}` |", cell(path));
    }
    (o, files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_escape_pipes() {
        assert_eq!(cell("a|b"), "a\\|b");
    }
}
