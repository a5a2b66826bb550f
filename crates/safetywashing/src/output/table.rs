//! Tables for people: one table type, written as plain text or as a
//! Markdown pipe table. Every cell is escaped here, whatever a file put in
//! a name ([`crate::escape`]): control characters in both styles, and
//! Markdown markup, HTML and links in Markdown. No other code writes a
//! Markdown table.

use crate::escape;
use comfy_table::{
    CellAlignment, ContentArrangement, ContentLineStyle, LineStyle, Table as Comfy, TableStyle,
};

/// Plain columns with one rule under the header: easy to read, easy to grep.
const PLAIN: TableStyle = TableStyle::new()
    .header_lines(ContentLineStyle::none().junction(' '))
    .header_separator(LineStyle::none().fill('─').junction(' '))
    .content_lines(ContentLineStyle::none().junction(' '));

/// Column headers, rows of cells, and which columns hold numbers.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Table {
    /// Column headers (empty = no table).
    pub header: Vec<String>,
    /// Rows, each as long as the header.
    pub rows: Vec<Vec<String>>,
    /// Columns to right-align (numbers).
    pub numeric: Vec<usize>,
}

impl Table {
    /// True when there is no table to write.
    pub fn is_empty(&self) -> bool {
        self.header.is_empty()
    }

    /// Plain text, control characters escaped, no trailing blanks.
    pub fn plain(&self) -> String {
        let mut table = Comfy::new();
        let clean = |row: &[String]| -> Vec<String> {
            row.iter()
                .map(|c| escape::control(c).into_owned())
                .collect()
        };
        table
            .load_style(PLAIN)
            .set_content_arrangement(ContentArrangement::Disabled)
            .set_header(clean(&self.header));
        for row in &self.rows {
            table.add_row(clean(row));
        }
        for &i in &self.numeric {
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

    /// A Markdown pipe table (no trailing newline): every cell escaped with
    /// [`escape::markdown`], number columns right-aligned (`---:`), cells
    /// not padded (`| a | b |`), so the source stays small and diffable.
    pub fn markdown(&self) -> String {
        let line = |row: &[String]| -> String {
            let cells: Vec<String> = (0..self.header.len())
                .map(|i| row.get(i).map_or(String::new(), |c| escape::markdown(c)))
                .collect();
            format!("| {} |", cells.join(" | "))
        };
        let rule: String = (0..self.header.len())
            .map(|i| {
                if self.numeric.contains(&i) {
                    "---:|"
                } else {
                    "---|"
                }
            })
            .collect();
        let mut out = vec![line(&self.header), format!("|{rule}")];
        out.extend(self.rows.iter().map(|r| line(r)));
        out.join("\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> Table {
        Table {
            header: vec!["benchmark".into(), "n".into()],
            rows: vec![
                vec!["a|b <script>".into(), "12".into()],
                vec!["\u{1b}[2Jx".into(), "3".into()],
            ],
            numeric: vec![1],
        }
    }

    #[test]
    fn markdown_cells_stay_in_their_column() {
        let md = table().markdown();
        let lines: Vec<&str> = md.lines().collect();
        assert_eq!(lines[0], "| benchmark | n |");
        assert_eq!(lines[1], "|---|---:|");
        assert_eq!(lines[2], "| a\\|b &lt;script&gt; | 12 |");
        assert_eq!(lines[3], "| \\\\u{1b}\\[2Jx | 3 |");
        // Unescaped pipes: exactly the column borders.
        for l in &lines {
            let bare = l.replace("\\|", "");
            assert_eq!(bare.matches('|').count(), 3, "{l}");
        }
    }

    #[test]
    fn plain_cells_carry_no_control_characters() {
        let text = table().plain();
        assert!(!text.contains('\u{1b}'), "{text}");
        assert!(text.contains("\\u{1b}[2Jx"), "{text}");
    }
}
