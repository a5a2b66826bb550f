//! Making text from a file safe to show: one rule for every place a name
//! read from an input (a model id, a benchmark or display name, a metric, a
//! path) is written for people.
//!
//! - [`control`]: control characters (ESC, BEL, the C1 range, line breaks,
//!   NUL …) become Rust-style escapes (`\u{1b}`, `\n`), so a name can never
//!   send a terminal sequence (colours, OSC titles or links, bells) or break
//!   a line. Text, CSV and Markdown output and every error message use it.
//! - [`markdown`]: [`control`], then `\` and `|` backslash-escaped (a table
//!   cell stays one cell), `<`, `>` and `&` HTML-escaped (no tag, no
//!   `<https://…>` autolink), `[`, `]` escaped (no link or image syntax) and
//!   the forms GitHub turns into links by themselves (`://`, `www.`, `@`)
//!   broken by a backslash, so text from a file is never a link.
//!
//! - [`control_in_document`]: [`control`] for a whole HTML page or SVG
//!   figure, keeping its own line breaks and tabs.
//!
//! JSON needs neither: serde_json escapes control characters itself.

use std::borrow::Cow;

/// `text` with every control character written as an escape (`\u{1b}`,
/// `\n`, `\t`); borrowed unchanged when it has none.
///
/// ```
/// use safetywashing::escape::control;
/// assert_eq!(control("Safety X"), "Safety X");
/// assert_eq!(control("a\u{1b}]8;;x\u{7}b\nc"), "a\\u{1b}]8;;x\\u{7}b\\nc");
/// ```
pub fn control(text: &str) -> Cow<'_, str> {
    escape_where(text, char::is_control)
}

/// [`control`] for a whole document (an HTML page, an SVG figure): every
/// control character but the document's own tabs and line breaks (`\t`,
/// `\n`, `\r`) written as an escape, so a name's ESC or NUL (which XML
/// forbids) never reaches the file raw.
///
/// ```
/// use safetywashing::escape::control_in_document;
/// assert_eq!(control_in_document("<p>\n\u{1b}[31m</p>"), "<p>\n\\u{1b}[31m</p>");
/// ```
pub fn control_in_document(text: &str) -> Cow<'_, str> {
    escape_where(text, |c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
}

/// `text` with the characters `escaped` picks written as Rust escapes.
fn escape_where(text: &str, escaped: impl Fn(char) -> bool) -> Cow<'_, str> {
    if !text.chars().any(&escaped) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if escaped(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// `text` as inert Markdown (inline, e.g. a table cell or a list item):
/// shows as the same characters and never as markup, HTML or a link.
///
/// ```
/// use safetywashing::escape::markdown;
/// assert_eq!(markdown("a|b"), "a\\|b");
/// assert_eq!(markdown("<script>"), "&lt;script&gt;");
/// assert_eq!(markdown("[x](javascript:alert(1))"), "\\[x\\](javascript:alert(1))");
/// ```
pub fn markdown(text: &str) -> String {
    let text = control(text);
    let mut out = String::with_capacity(text.len() + 8);
    let mut rest = text.as_ref();
    while let Some(c) = rest.chars().next() {
        let next = &rest[c.len_utf8()..];
        match c {
            '\\' | '|' | '[' | ']' | '`' | '@' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            // `scheme://` and `www.`: GitHub's bare-URL autolinks.
            ':' if next.starts_with("//") => out.push_str("\\:"),
            'w' | 'W'
                if rest
                    .get(..4)
                    .is_some_and(|p| p.eq_ignore_ascii_case("www.")) =>
            {
                out.push_str(&rest[..3]);
                out.push_str("\\.");
                rest = &rest[4..];
                continue;
            }
            _ => out.push(c),
        }
        rest = next;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped_and_nothing_else() {
        assert!(matches!(control("Qwen1.5-7B ↑"), Cow::Borrowed(_)));
        assert_eq!(
            control("\u{1b}[31mred\u{1b}[0m"),
            "\\u{1b}[31mred\\u{1b}[0m"
        );
        assert_eq!(control("nul\0 c1\u{9b}"), "nul\\u{0} c1\\u{9b}");
        assert_eq!(control("tab\tline\r\n"), "tab\\tline\\r\\n");
    }

    #[test]
    fn markdown_is_inert() {
        assert_eq!(markdown("a | b"), "a \\| b");
        assert_eq!(markdown("back\\slash"), "back\\\\slash");
        assert_eq!(
            markdown("<img src=x onerror=alert(1)>"),
            "&lt;img src=x onerror=alert(1)&gt;"
        );
        assert_eq!(markdown("AT&T"), "AT&amp;T");
        assert_eq!(markdown("![i](x.png)"), "!\\[i\\](x.png)");
        assert_eq!(markdown("see https://x.org"), "see https\\://x.org");
        assert_eq!(markdown("WWW.example.com"), "WWW\\.example.com");
        assert_eq!(markdown("a@b.org"), "a\\@b.org");
        assert_eq!(markdown("\u{1b}]8;;u\u{7}"), "\\\\u{1b}\\]8;;u\\\\u{7}");
        assert_eq!(markdown("MMLU: 5-shot"), "MMLU: 5-shot");
    }
}
