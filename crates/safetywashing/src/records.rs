//! The record reader every CSV input of the tool goes through, and what it
//! does with a problem.
//!
//! A matrix, an info table and a long table are each read by **one**
//! function (in [`crate::load`] and [`crate::import`]), whether the caller
//! wants the first problem as an error (`analyze`, `add`, `import`) or every
//! problem as a list (`validate`). The difference is only the [`Problems`]
//! policy handed in, so `validate` cannot pass a file that loading refuses:
//! both run the same checks, in the same order, with the same words.
//!
//! This module also owns what is common to every CSV input: the UTF-8
//! byte-order mark (dropped), UTF-16/UTF-32 byte-order marks (refused with
//! "save as UTF-8"), blank lines (skipped), line numbers, and UTF-8 decoding
//! of a field with the column named in the error.

use crate::escape;
use std::cell::RefCell;
use std::collections::VecDeque;
use std::io::Read;
use std::ops::ControlFlow;
use std::rc::Rc;

/// The UTF-8 byte-order mark some spreadsheet programs write first.
pub const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// A column of the file a problem is in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnRef {
    /// 1-based position in the row.
    pub number: usize,
    /// Its header, as read.
    pub header: String,
}

/// One problem in an input file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// 1-based line, when the problem has one.
    pub line: Option<u64>,
    /// The column, when the problem is in one cell or column.
    pub column: Option<ColumnRef>,
    /// What is wrong and what was expected (without the file, line or column).
    pub message: String,
    /// Suspicious but legal: reported by `validate`, never an error.
    pub warning: bool,
}

impl Problem {
    /// An error at a line (or the whole file, when `line` is `None`).
    pub fn at(line: Option<u64>, message: impl Into<String>) -> Problem {
        Problem {
            line,
            column: None,
            message: message.into(),
            warning: false,
        }
    }

    /// An error in one column at a line.
    pub fn in_column(
        line: u64,
        number: usize,
        header: &str,
        message: impl Into<String>,
    ) -> Problem {
        Problem {
            line: Some(line),
            column: Some(ColumnRef {
                number,
                header: header.to_string(),
            }),
            message: message.into(),
            warning: false,
        }
    }

    /// The same problem as a warning.
    pub fn warning(mut self) -> Problem {
        self.warning = true;
        self
    }
}

/// What a reader does with the problems it finds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Policy {
    /// Stop at the first error (loading for an analysis). Warnings are not
    /// collected.
    FirstError,
    /// Carry on and collect every error and warning (`validate`).
    CollectAll,
}

/// The problems found so far, under a [`Policy`].
#[derive(Debug, Clone)]
pub struct Problems {
    policy: Policy,
    found: Vec<Problem>,
}

impl Problems {
    /// An empty list under `policy`.
    pub fn new(policy: Policy) -> Problems {
        Problems {
            policy,
            found: Vec::new(),
        }
    }

    /// Record a problem; `Break` when the reader must stop (an error under
    /// [`Policy::FirstError`]).
    pub fn report(&mut self, problem: Problem) -> ControlFlow<()> {
        match self.policy {
            Policy::FirstError if problem.warning => ControlFlow::Continue(()),
            Policy::FirstError => {
                self.found.push(problem);
                ControlFlow::Break(())
            }
            Policy::CollectAll => {
                self.found.push(problem);
                ControlFlow::Continue(())
            }
        }
    }

    /// Record an error after which the reader stops whatever the policy
    /// (the rest of the file cannot be read).
    pub fn fatal(&mut self, problem: Problem) {
        let _ = self.report(problem);
    }

    /// Record a warning (kept only under [`Policy::CollectAll`]).
    pub fn warn(&mut self, problem: Problem) {
        let _ = self.report(problem.warning());
    }

    /// Whether an error (not a warning) was recorded.
    pub fn has_error(&self) -> bool {
        self.found.iter().any(|p| !p.warning)
    }

    /// Everything recorded, in the order found.
    pub fn into_vec(self) -> Vec<Problem> {
        self.found
    }

    /// The first error recorded, if any.
    pub fn first_error(self) -> Option<Problem> {
        self.found.into_iter().find(|p| !p.warning)
    }
}

/// A problem with the file's encoding, found from its first bytes: a UTF-16
/// or UTF-32 byte-order mark (spreadsheet "Unicode text" exports).
pub fn encoding_problem(start: &[u8]) -> Option<Problem> {
    // UTF-32 first: its little-endian mark starts with UTF-16's.
    let name = if start.starts_with(b"\xFF\xFE\x00\x00") || start.starts_with(b"\x00\x00\xFE\xFF") {
        "UTF-32"
    } else if start.starts_with(b"\xFF\xFE") || start.starts_with(b"\xFE\xFF") {
        "UTF-16"
    } else {
        return None;
    };
    Some(Problem::at(
        None,
        format!(
            "the file is {name} text (it starts with a {name} byte-order mark): save it as UTF-8 CSV"
        ),
    ))
}

/// Drop a UTF-8 byte-order mark from the start of `input`, or give the
/// problem with its first bytes (a UTF-16/UTF-32 mark, or a read error).
pub fn skip_bom(input: &mut impl std::io::BufRead) -> Result<(), Problem> {
    let start = input
        .fill_buf()
        .map_err(|e| Problem::at(None, e.to_string()))?;
    if let Some(problem) = encoding_problem(start) {
        return Err(problem);
    }
    if start.starts_with(UTF8_BOM) {
        input.consume(UTF8_BOM.len());
    }
    Ok(())
}

/// A CSV reader over `input` (after any UTF-8 byte-order mark): no header
/// handling (callers read the first record themselves) and records of any
/// length, so each caller can word a ragged row as an error naming its line.
fn reader_from<R: Read>(input: R) -> csv::Reader<R> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(input)
}

/// The CSV reader of [`reader_from`] over bytes in memory, a leading UTF-8
/// byte-order mark dropped.
pub fn csv_reader(bytes: &[u8]) -> csv::Reader<&[u8]> {
    reader_from(bytes.strip_prefix(UTF8_BOM).unwrap_or(bytes))
}

/// Line terminators seen by a [`LineCounting`] reader and not yet passed by
/// the parser: (offset of the terminator's first byte, offset after it).
type Terminators = Rc<RefCell<VecDeque<(u64, u64)>>>;

/// A reader that notes where every line ends, so a record's line can be
/// told from its byte offset. (The CSV parser's own line count is wrong for
/// a record after a blank line: it gives the blank line's number.)
struct LineCounting<R> {
    inner: R,
    offset: u64,
    previous_was_cr: bool,
    terminators: Terminators,
}

impl<R: Read> Read for LineCounting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let mut terminators = self.terminators.borrow_mut();
        for i in memchr::memchr_iter(b'\n', &buf[..n]) {
            let at = self.offset + i as u64;
            let cr = if i == 0 {
                self.previous_was_cr
            } else {
                buf[i - 1] == b'\r'
            };
            terminators.push_back((if cr { at - 1 } else { at }, at + 1));
        }
        if n > 0 {
            self.previous_was_cr = buf[n - 1] == b'\r';
        }
        self.offset += n as u64;
        Ok(n)
    }
}

/// The records of a CSV input with their line numbers; blank lines skipped.
pub struct Records<R: Read> {
    reader: csv::Reader<LineCounting<R>>,
    record: csv::ByteRecord,
    terminators: Terminators,
    /// Lines that ended before the last record looked up.
    lines_before: u64,
}

impl<R: Read> Records<R> {
    /// Records of `input` (after any byte-order mark).
    pub fn new(input: R) -> Records<R> {
        let terminators = Terminators::default();
        Records {
            reader: reader_from(LineCounting {
                inner: input,
                offset: 0,
                previous_was_cr: false,
                terminators: Rc::clone(&terminators),
            }),
            record: csv::ByteRecord::new(),
            terminators,
            lines_before: 0,
        }
    }

    /// The next non-blank record and its line, `Ok(None)` at the end, or
    /// the CSV problem that stops the file (an unreadable file cannot be
    /// read further, whatever the policy).
    pub fn next_record(&mut self) -> Result<Option<(u64, &csv::ByteRecord)>, Problem> {
        loop {
            match self.reader.read_byte_record(&mut self.record) {
                Ok(false) => return Ok(None),
                Ok(true) => {}
                Err(e) => {
                    let line = e.position().map(|p| self.line_at(p.byte()));
                    return Err(csv_problem(&e, line));
                }
            }
            if self.record.len() == 1 && self.record[0].iter().all(u8::is_ascii_whitespace) {
                continue; // a blank line
            }
            let byte = self.record.position().map_or(0, |p| p.byte());
            let line = self.line_at(byte);
            return Ok(Some((line, &self.record)));
        }
    }

    /// The line of the record the parser started at `byte`: lines ended
    /// before it, plus the blank lines the parser skipped there.
    fn line_at(&mut self, byte: u64) -> u64 {
        let mut terminators = self.terminators.borrow_mut();
        // The parser may place a record at the `\n` of a `\r\n` it split.
        let mut at = byte;
        while let Some(&(start, end)) = terminators.front()
            && start < byte
        {
            terminators.pop_front();
            self.lines_before += 1;
            at = at.max(end);
        }
        let mut line = self.lines_before + 1;
        for &(start, end) in terminators.iter() {
            if start != at {
                break;
            }
            line += 1;
            at = end;
        }
        line
    }
}

/// A CSV-level problem (I/O or a size limit) at `line`.
fn csv_problem(e: &csv::Error, line: Option<u64>) -> Problem {
    match e.kind() {
        csv::ErrorKind::Io(io) => Problem::at(line, format!("could not be read: {io}")),
        _ => Problem::at(line, format!("not valid CSV: {e}")),
    }
}

/// Field `index` of `record` as UTF-8 text, or the problem naming its column.
pub fn field<'r>(
    record: &'r csv::ByteRecord,
    index: usize,
    line: u64,
    header: &str,
) -> Result<&'r str, Problem> {
    std::str::from_utf8(&record[index])
        .map_err(|_| Problem::in_column(line, index + 1, header, "the cell is not valid UTF-8"))
}

/// An id (a model id, a column header, a benchmark id) as it is compared
/// with other ids: its Unicode NFC form, so canonically equivalent
/// spellings (a precomposed `é` and `e` + combining accent) are one id.
pub fn id_key(id: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    // ASCII text is already in NFC (the common case: no normalisation pass).
    if id.is_ascii() {
        return id.to_string();
    }
    id.nfc().collect()
}

/// Whether two ids are the same id: equal, or equal in Unicode NFC form (the
/// rule of [`id_key`], without allocating). Every lookup of a name a user
/// typed (a flag's value) in a file's headers goes through this, so a name
/// typed in one Unicode form finds a header written in the other.
pub fn same_id(a: &str, b: &str) -> bool {
    use unicode_normalization::UnicodeNormalization;
    a == b || (!(a.is_ascii() && b.is_ascii()) && a.nfc().eq(b.nfc()))
}

/// Zero-width and text-direction (bidi) characters: invisible in a terminal
/// or spreadsheet, so an id holding one looks like another id.
pub fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{2069}' | '\u{FEFF}' | '\u{00AD}')
}

/// What is wrong with an id holding an invisible or text-direction
/// character (see [`is_invisible`]), `what` naming it ("the model id",
/// "header of column 3"); `None` when it has none.
pub fn invisible_problem(what: &str, id: &str) -> Option<String> {
    let c = id.chars().find(|c| is_invisible(*c))?;
    Some(format!(
        "{what} '{}' contains an invisible or text-direction character (U+{:04X}), \
         which would make two ids that look the same differ",
        shown(&id.replace(is_invisible, "\u{FFFD}")),
        c as u32
    ))
}

/// What makes `id` unusable as a name in a matrix, if anything: a line
/// break or other control character (the CSV could not hold it on one
/// line), or an invisible or text-direction character ([`invisible_problem`]).
/// `what` names it in the message ("the model id").
pub fn id_problem(what: &str, id: &str) -> Option<String> {
    if id.chars().any(char::is_control) {
        return Some(format!(
            "{what} '{}' contains a line break or other control character",
            shown(id)
        ));
    }
    invisible_problem(what, id)
}

/// Shorten a huge cell and escape control characters (an embedded newline
/// from a quoted field), so a message stays one readable line.
pub fn shown(cell: &str) -> String {
    const MAX: usize = 60;
    match cell.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}… ({} bytes)", escape::control(&cell[..cut]), cell.len()),
        None => escape::control(cell).into_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_error_stops_and_collect_all_goes_on() {
        let mut first = Problems::new(Policy::FirstError);
        assert!(
            first
                .report(Problem::at(Some(2), "w").warning())
                .is_continue()
        );
        assert!(first.report(Problem::at(Some(3), "e")).is_break());
        assert_eq!(first.first_error().unwrap().line, Some(3));
        let mut all = Problems::new(Policy::CollectAll);
        assert!(all.report(Problem::at(Some(3), "e")).is_continue());
        assert!(all.report(Problem::at(None, "w").warning()).is_continue());
        assert_eq!(all.into_vec().len(), 2);
    }

    #[test]
    fn wide_byte_order_marks_are_named() {
        let utf16 = encoding_problem(b"\xFF\xFEm\x00").unwrap();
        assert!(utf16.message.contains("UTF-16") && utf16.message.contains("save it as UTF-8"));
        let utf32 = encoding_problem(b"\xFF\xFE\x00\x00m\x00\x00\x00").unwrap();
        assert!(utf32.message.contains("UTF-32"));
        assert!(encoding_problem(b"\xEF\xBB\xBFmodel").is_none());
        assert!(encoding_problem(b"model,a").is_none());
    }

    #[test]
    fn blank_lines_are_skipped_with_true_line_numbers() {
        let lines = |text: &[u8]| {
            let mut r = Records::new(text);
            let mut lines = Vec::new();
            while let Some((line, _)) = r.next_record().unwrap() {
                lines.push(line);
            }
            lines
        };
        assert_eq!(lines(b"a,b\n\n1,2\n"), vec![1, 3]);
        assert_eq!(
            lines(b"a,b\r\n\r\n\r\n1,2\r\nx,\"y\nz\"\n3,4"),
            vec![1, 4, 5, 7]
        );
        assert_eq!(lines(b"a\n\n\nb\n\nc\n"), vec![1, 4, 6]);
    }

    #[test]
    fn shown_cells_are_short_and_escaped() {
        assert_eq!(shown("a\nb"), "a\\nb");
        let long = "x".repeat(100);
        assert_eq!(shown(&long), format!("{}… (100 bytes)", "x".repeat(60)));
    }
}
