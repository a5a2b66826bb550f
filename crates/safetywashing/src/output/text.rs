//! The human report: a summary, the capability benchmarks, every other
//! benchmark, and the ranking of models. Text and Markdown render the same
//! [`Section`]s, differing only in table style and headings.

use super::table::Table;
use super::{Exporter, percent, uncertainty};
use crate::analysis::{Analysis, Role, compute_in_log10};
use crate::escape;
use crate::uncertainty::FullAnalysis;
use std::io::{self, Write};

/// A titled block of the report: summary lines and/or one table.
pub struct Section {
    /// Heading.
    pub title: String,
    /// Free lines before the table.
    pub lines: Vec<String>,
    /// The table (empty header = none).
    pub table: Table,
}

fn n_of(value: Option<f64>, n: usize) -> (String, String) {
    (percent(value), n.to_string())
}

/// The report's sections for one analysis: the paper's numbers, with the
/// uncertainty layer's lines and columns where it computed any.
pub fn sections(full: &FullAnalysis) -> Vec<Section> {
    let a: &Analysis = &full.analysis;
    let fit = &a.fit;
    let mut summary = vec![
        format!("Matrix: {}", a.matrix),
        format!(
            "Method: {} · {}",
            a.method,
            crate::words::count(
                fit.benchmarks.len(),
                "capability benchmark",
                "capability benchmarks"
            )
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
        Some(c) if compute_in_log10(a.method) => summary.push(format!(
            "Capabilities score vs compute (log10 of {c}: every compute correlation under pearson uses the logarithm): {} (n={})",
            percent(a.capabilities_score_compute_correlation),
            a.score_compute_n
        )),
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

    summary.extend(uncertainty::summary(full));
    let ranking = a
        .ranking()
        .into_iter()
        .enumerate()
        .map(|(i, (m, s))| vec![(i + 1).to_string(), m.to_string(), format!("{s:.3}")])
        .collect();
    let benchmarks = |role: Role| {
        uncertainty::benchmark_table(full, role).unwrap_or_else(|| benchmark_table(a, role))
    };
    vec![
        Section {
            title: "Summary".into(),
            lines: summary,
            table: Table::default(),
        },
        Section {
            title: "Capability benchmarks".into(),
            lines: Vec::new(),
            table: benchmarks(Role::Capability),
        },
        Section {
            title: "Other benchmarks".into(),
            lines: Vec::new(),
            table: benchmarks(Role::Safety),
        },
        Section {
            title: "Models by capabilities score".into(),
            lines: Vec::new(),
            table: Table {
                header: ["rank", "model", "score"].map(String::from).to_vec(),
                rows: ranking,
                numeric: vec![0, 2],
            },
        },
    ]
}

/// The paper's table of `role`'s benchmarks: each correlation and its n.
fn benchmark_table(a: &Analysis, role: Role) -> Table {
    Table {
        header: ["benchmark", "capabilities corr.", "n", "compute corr.", "n"]
            .map(String::from)
            .to_vec(),
        rows: a
            .benchmarks
            .iter()
            .filter(|b| b.role == role)
            .map(|b| {
                let (cap, n) = n_of(b.capabilities_correlation, b.n);
                let (comp, cn) = n_of(b.compute_correlation, b.compute_n);
                vec![b.name.clone(), cap, n, comp, cn]
            })
            .collect(),
        numeric: vec![1, 2, 3, 4],
    }
}

/// Plain-text report for terminals and pipes.
pub struct TextExporter;

impl Exporter for TextExporter {
    fn export(&self, analyses: &[FullAnalysis], out: &mut dyn Write) -> io::Result<()> {
        for (i, a) in analyses.iter().enumerate() {
            let mut text = String::new();
            if i > 0 {
                text.push('\n');
            }
            for (k, s) in sections(a).iter().enumerate() {
                if k > 0 {
                    text.push_str(&format!("\n{}\n", s.title));
                }
                for l in &s.lines {
                    text.push_str(&escape::control(l));
                    text.push('\n');
                }
                if !s.table.is_empty() {
                    text.push_str(&s.table.plain());
                    text.push('\n');
                }
            }
            out.write_all(text.as_bytes())?;
        }
        Ok(())
    }
}
