//! Markdown: the text report's sections as headings and pipe tables.

use super::Exporter;
use super::text::{render_table, sections};
use crate::analysis::Analysis;
use comfy_table::presets;
use std::io::{self, Write};

/// The text report as Markdown.
pub struct MarkdownExporter;

impl Exporter for MarkdownExporter {
    fn export(&self, analyses: &[Analysis], out: &mut dyn Write) -> io::Result<()> {
        for a in analyses {
            let mut text = format!("# {}\n\n", a.matrix);
            for s in sections(a) {
                text.push_str(&format!("## {}\n\n", s.title));
                for l in &s.lines {
                    // An indented summary line (a model left out, …) is a sub-item.
                    let item = l.trim_start();
                    let indent = if item.len() < l.len() { "  " } else { "" };
                    text.push_str(&format!("{indent}- {item}\n"));
                }
                if !s.lines.is_empty() {
                    text.push('\n');
                }
                if !s.header.is_empty() {
                    text.push_str(&render_table(&s, presets::ASCII_MARKDOWN));
                    text.push_str("\n\n");
                }
            }
            out.write_all(text.as_bytes())?;
        }
        Ok(())
    }
}
