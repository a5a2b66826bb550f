//! Markdown: the text report's sections as headings and pipe tables.

use super::Exporter;
use super::text::{render_table, sections};
use crate::analysis::Analysis;
use comfy_table::presets;

/// The text report as Markdown.
pub struct MarkdownExporter;

impl Exporter for MarkdownExporter {
    fn export(&self, analyses: &[Analysis]) -> Vec<u8> {
        let mut out = String::new();
        for a in analyses {
            out.push_str(&format!("# {}\n\n", a.matrix));
            for s in sections(a) {
                out.push_str(&format!("## {}\n\n", s.title));
                for l in &s.lines {
                    // An indented summary line (a model left out, …) is a sub-item.
                    let text = l.trim_start();
                    let indent = if text.len() < l.len() { "  " } else { "" };
                    out.push_str(&format!("{indent}- {text}\n"));
                }
                if !s.lines.is_empty() {
                    out.push('\n');
                }
                if !s.header.is_empty() {
                    out.push_str(&render_table(&s, presets::ASCII_MARKDOWN));
                    out.push_str("\n\n");
                }
            }
        }
        out.into_bytes()
    }
}
