//! Tables for people: one table type, written as plain text or as a
//! Markdown pipe table. Every cell is escaped here, whatever a file put in
//! a name ([`crate::escape`]): control characters in both styles, and
//! Markdown markup, HTML and links in Markdown. No other code writes a
//! Markdown table.

use crate::escape;
use comfy_table::{
    CellAlignment, ContentArrangement, ContentLineStyle, LineStyle, Table as Comfy, TableStyle,
};

/// Widest plain table, in characters; 0 = no limit (the default).
static PLAIN_WIDTH: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// Narrowest a shortened name column gets, ellipsis included.
const MIN_NAME_WIDTH: usize = 12;

/// Fit every plain table the library writes to `width` characters (a
/// terminal's width; the command line sets it when its output is a
/// terminal), or `None` for full width. Only name columns are shortened,
/// with an ellipsis; numbers never are.
pub fn set_plain_width(width: Option<usize>) {
    PLAIN_WIDTH.store(width.unwrap_or(0), std::sync::atomic::Ordering::Relaxed);
}

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

    /// Plain text, control characters escaped, no trailing blanks, fitted to
    /// the width set by [`set_plain_width`].
    pub fn plain(&self) -> String {
        match PLAIN_WIDTH.load(std::sync::atomic::Ordering::Relaxed) {
            0 => self.plain_unfitted(),
            width => self.plain_within(width),
        }
    }

    /// Plain text at most `width` characters wide where shortening the name
    /// columns (to no less than [`MIN_NAME_WIDTH`]) gets it there: the
    /// widest name column loses the excess first, its cut names ending in
    /// `…`.
    pub fn plain_within(&self, width: usize) -> String {
        let mut fitted = self.clone();
        loop {
            let text = fitted.plain_unfitted();
            let widest = text.lines().map(|l| l.chars().count()).max().unwrap_or(0);
            if widest <= width {
                return text;
            }
            let column_width = |i: usize| {
                fitted
                    .rows
                    .iter()
                    .filter_map(|r| r.get(i))
                    .chain(fitted.header.get(i))
                    .map(|c| escape::control(c).chars().count())
                    .max()
                    .unwrap_or(0)
            };
            let Some((column, current)) = (0..fitted.header.len())
                .filter(|i| !fitted.numeric.contains(i))
                .map(|i| (i, column_width(i)))
                .filter(|&(_, w)| w > MIN_NAME_WIDTH)
                .max_by_key(|&(i, w)| (w, std::cmp::Reverse(i)))
            else {
                return text; // nothing left to shorten
            };
            let target = current.saturating_sub(widest - width).max(MIN_NAME_WIDTH);
            for row in &mut fitted.rows {
                if let Some(cell) = row.get_mut(column) {
                    *cell = ellipsize(cell, target);
                }
            }
        }
    }

    fn plain_unfitted(&self) -> String {
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

/// `text` in at most `width` characters, ending in `…` when cut.
fn ellipsize(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(width.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_narrow_width_shortens_names_not_numbers() {
        let wide = Table {
            header: vec!["benchmark".into(), "r".into(), "model".into()],
            rows: vec![
                vec![
                    "a-very-long-benchmark-name-indeed-here".into(),
                    "81.2%".into(),
                    "short".into(),
                ],
                vec![
                    "b".into(),
                    "-3.5%".into(),
                    "another-rather-long-model-name".into(),
                ],
            ],
            numeric: vec![1],
        };
        let full = wide.plain_unfitted();
        assert!(full.lines().any(|l| l.chars().count() > 60), "{full}");
        let fitted = wide.plain_within(60);
        for line in fitted.lines() {
            assert!(line.chars().count() <= 60, "{line:?}\n{fitted}");
        }
        assert!(
            fitted.contains("81.2%") && fitted.contains("-3.5%"),
            "{fitted}"
        );
        assert!(fitted.contains('…'), "{fitted}");
        // Wide enough already: unchanged.
        assert_eq!(wide.plain_within(500), full);
        // Names are never cut below the minimum, even if the table stays wide.
        let tiny = wide.plain_within(10);
        assert!(tiny.contains("a-very-long…"), "{tiny}");
        assert!(tiny.contains("another-rat…"), "{tiny}");
    }

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
