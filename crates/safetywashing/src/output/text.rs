//! The human report: a summary, the capability benchmarks, every other
//! benchmark, and the ranking of models. Text and Markdown render the same
//! [`Section`]s, differing only in table style and headings.

use super::{Exporter, percent};
use crate::analysis::{Analysis, Role};
use comfy_table::{
    CellAlignment, ContentArrangement, ContentLineStyle, LineStyle, Table, TableStyle,
};
use std::io::{self, Write};

/// Plain columns with one rule under the header: easy to read, easy to grep.
pub(crate) const PLAIN: TableStyle = TableStyle::new()
    .header_lines(ContentLineStyle::none().junction(' '))
    .header_separator(LineStyle::none().fill('─').junction(' '))
    .content_lines(ContentLineStyle::none().junction(' '));

/// A titled block of the report: summary lines and/or one table.
pub struct Section {
    /// Heading.
    pub title: String,
    /// Free lines before the table.
    pub lines: Vec<String>,
    /// Column headers (empty = no table).
    pub header: Vec<String>,
    /// Table rows.
    pub rows: Vec<Vec<String>>,
    /// Columns to right-align (numbers).
    pub numeric: Vec<usize>,
}

fn n_of(value: Option<f64>, n: usize) -> (String, String) {
    (percent(value), n.to_string())
}

/// The report's sections for one analysis.
pub fn sections(a: &Analysis) -> Vec<Section> {
    let fit = &a.fit;
    let mut summary = vec![
        format!("Matrix: {}", a.matrix),
        format!(
            "Method: {} · {} capability benchmarks",
            a.method,
            fit.benchmarks.len()
        ),
        format!(
            "Models: {} used, {} left out",
            fit.rows.len(),
            fit.excluded.len()
        ),
    ];
    for e in &fit.excluded {
        summary.push(format!(
            "  left out: {} (lacks {})",
            e.model,
            e.missing.join(", ")
        ));
    }
    summary.push(format!(
        "PC1 explains {} of capability variance",
        percent(Some(fit.pc1_variance_explained()))
    ));
    summary.push(format!(
        "Capability correlations: mean {}, std {}",
        percent(Some(fit.correlation_mean)),
        percent(Some(fit.correlation_std))
    ));
    match &a.compute_column {
        Some(c) => summary.push(format!(
            "Capabilities score vs compute ({c}): {} (n={})",
            percent(a.capabilities_score_compute_correlation),
            a.score_compute_n
        )),
        None => summary.push("Compute: no compute column in this matrix".to_string()),
    }
    for d in &a.dropped {
        summary.push(format!("  dropped: {} ({})", d.benchmark, d.reason));
    }
    if !a.near_ties.is_empty() {
        let merged: Vec<String> = a
            .near_ties
            .iter()
            .map(|t| format!("{} ({})", t.benchmark, t.merged))
            .collect();
        summary.push(format!(
            "Near-ties merged (values equal to 12 significant digits rank as tied): {}",
            merged.join(", ")
        ));
    }

    let header: Vec<String> = ["benchmark", "capabilities corr.", "n", "compute corr.", "n"]
        .map(String::from)
        .to_vec();
    let rows_for = |role: Role| -> Vec<Vec<String>> {
        a.benchmarks
            .iter()
            .filter(|b| b.role == role)
            .map(|b| {
                let (cap, n) = n_of(b.capabilities_correlation, b.n);
                let (comp, cn) = n_of(b.compute_correlation, b.compute_n);
                vec![b.name.clone(), cap, n, comp, cn]
            })
            .collect()
    };
    let ranking = a
        .ranking()
        .into_iter()
        .enumerate()
        .map(|(i, (m, s))| vec![(i + 1).to_string(), m.to_string(), format!("{s:.3}")])
        .collect();
    let mut sections = vec![
        Section {
            title: "Summary".into(),
            lines: summary,
            header: Vec::new(),
            rows: Vec::new(),
            numeric: Vec::new(),
        },
        Section {
            title: "Capability benchmarks".into(),
            lines: Vec::new(),
            header: header.clone(),
            rows: rows_for(Role::Capability),
            numeric: vec![1, 2, 3, 4],
        },
        Section {
            title: "Other benchmarks".into(),
            lines: Vec::new(),
            header,
            rows: rows_for(Role::Safety),
            numeric: vec![1, 2, 3, 4],
        },
        Section {
            title: "Models by capabilities score".into(),
            lines: Vec::new(),
            header: ["rank", "model", "score"].map(String::from).to_vec(),
            rows: ranking,
            numeric: vec![0, 2],
        },
    ];
    super::uncertainty::decorate(a, &mut sections);
    sections
}

/// Render a section's table with a comfy-table preset.
pub fn render_table(section: &Section, style: TableStyle) -> String {
    let mut table = Table::new();
    table
        .load_style(style)
        .set_content_arrangement(ContentArrangement::Disabled)
        .set_header(section.header.clone());
    for row in &section.rows {
        table.add_row(row.clone());
    }
    for &i in &section.numeric {
        if let Some(col) = table.column_mut(i) {
            col.set_cell_alignment(CellAlignment::Right);
        }
    }
    // comfy-table pads the last column; trailing blanks only get in the way of diffs.
    table
        .to_string()
        .lines()
        .map(str::trim_end)
        .collect::<Vec<_>>()
        .join("\n")
}

/// Plain-text report for terminals and pipes.
pub struct TextExporter;

impl Exporter for TextExporter {
    fn export(&self, analyses: &[Analysis], out: &mut dyn Write) -> io::Result<()> {
        for (i, a) in analyses.iter().enumerate() {
            let mut text = String::new();
            if i > 0 {
                text.push('\n');
            }
            for s in sections(a) {
                if s.title != "Summary" {
                    text.push_str(&format!("\n{}\n", s.title));
                }
                for l in &s.lines {
                    text.push_str(l);
                    text.push('\n');
                }
                if !s.header.is_empty() {
                    text.push_str(&render_table(&s, PLAIN));
                    text.push('\n');
                }
            }
            out.write_all(text.as_bytes())?;
        }
        Ok(())
    }
}
