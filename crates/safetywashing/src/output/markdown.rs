//! Markdown: the text report's sections as headings, list items and pipe
//! tables, every name escaped ([`crate::escape::markdown`]).

use super::Exporter;
use super::text::sections;
use crate::escape;
use crate::uncertainty::FullAnalysis;
use std::io::{self, Write};

/// The text report as Markdown.
pub struct MarkdownExporter;

impl Exporter for MarkdownExporter {
    fn export(&self, analyses: &[FullAnalysis], out: &mut dyn Write) -> io::Result<()> {
        for a in analyses {
            let mut text = format!("# {}\n\n", escape::markdown(&a.analysis.matrix));
            for s in sections(a) {
                text.push_str(&format!("## {}\n\n", s.title));
                for l in &s.lines {
                    // An indented summary line (a model left out, …) is a sub-item.
                    let item = l.trim_start();
                    let indent = if item.len() < l.len() { "  " } else { "" };
                    text.push_str(&format!("{indent}- {}\n", escape::markdown(item)));
                }
                if !s.lines.is_empty() {
                    text.push('\n');
                }
                if !s.table.is_empty() {
                    text.push_str(&s.table.markdown());
                    text.push_str("\n\n");
                }
            }
            out.write_all(text.as_bytes())?;
        }
        Ok(())
    }
}
