//! Long-format tables (one row per model × benchmark), as leaderboards
//! export them.
//!
//! The CSV reader handles a UTF-8 BOM and quoted fields. With `percent`,
//! every score is a percentage (`77.0%` or `77.0`) and becomes a fraction;
//! without it a `%` sign is an error suggesting it. Empty scores are
//! missing values. A model × benchmark pair given twice is an error naming
//! both lines unless a [`Dedupe`] rule is chosen.

use super::{Better, ColumnInfo, ImportError, ImportWarning, MatrixBuilder};
use crate::load::parse_cell;
use crate::records::{self, Problem, Records};
use std::collections::HashMap;

/// What to do with a model × benchmark pair given more than once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dedupe {
    /// Keep the largest value.
    Max,
    /// Keep the mean of the values.
    Mean,
    /// Keep the value on the last line.
    Last,
}

impl std::str::FromStr for Dedupe {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "max" => Ok(Dedupe::Max),
            "mean" => Ok(Dedupe::Mean),
            "last" => Ok(Dedupe::Last),
            _ => Err(format!("unknown rule '{s}': expected max, mean or last")),
        }
    }
}

/// Why a long table could not be read.
#[derive(Debug, thiserror::Error)]
pub enum LongError {
    /// Not a readable table, or a bad cell.
    #[error(transparent)]
    Load(#[from] ImportError),
    /// A model × benchmark pair is given twice and no [`Dedupe`] rule was
    /// chosen.
    #[error(
        "{path}:{line}: model '{model}' has a second score for '{benchmark}' (first on line {first}); choose a rule (max, mean or last)"
    )]
    SecondScore {
        /// File.
        path: String,
        /// Line of the second score.
        line: u64,
        /// Model.
        model: String,
        /// Benchmark.
        benchmark: String,
        /// Line of the first score.
        first: u64,
    },
    /// A score with a `%` sign, without [`LongOptions::percent`].
    #[error(
        "{path}:{line}: column '{column}': found '{text}': a percentage; read as a percentage, it becomes a fraction"
    )]
    Percentage {
        /// File.
        path: String,
        /// Line.
        line: u64,
        /// Score column.
        column: String,
        /// The cell.
        text: String,
    },
}

/// Which columns to read and how.
#[derive(Debug, Clone, PartialEq)]
pub struct LongOptions {
    /// Header of the model column.
    pub model_col: String,
    /// Header of the benchmark column.
    pub benchmark_col: String,
    /// Header of the score column.
    pub score_col: String,
    /// Scores are percentages.
    pub percent: bool,
    /// Rule for duplicate pairs; `None` = an error.
    pub dedupe: Option<Dedupe>,
}

/// A long table read into a matrix.
#[derive(Debug)]
pub struct LongTable {
    /// The matrix.
    pub builder: MatrixBuilder,
    /// Rows left out (an empty model or benchmark name), in words.
    pub warnings: Vec<ImportWarning>,
}

/// Parse a long-format CSV held in memory into a matrix.
///
/// Rows go through the record reader every CSV input uses
/// ([`crate::records`]): byte-order marks, blank lines, line numbers and
/// cells are handled as for a wide matrix.
pub fn parse_long(
    bytes: &[u8],
    source: &str,
    options: &LongOptions,
) -> Result<LongTable, LongError> {
    let problem = |p: Problem| crate::load::problem_error(p, source);
    let at = |line: u64, message: String| problem(Problem::at(Some(line), message));
    let mut input = bytes;
    records::skip_bom(&mut input).map_err(problem)?;
    let mut records = Records::new(input);
    let header: Vec<String> = match records.next_record().map_err(problem)? {
        None => {
            return Err(
                ImportError::file(source, "the file is empty: expected a header row").into(),
            );
        }
        Some((line, record)) => record
            .iter()
            .enumerate()
            .map(|(i, raw)| {
                std::str::from_utf8(raw)
                    .map(|h| h.trim().to_string())
                    .map_err(|_| {
                        at(
                            line,
                            format!("header of column {} is not valid UTF-8", i + 1),
                        )
                    })
            })
            .collect::<Result<_, _>>()?,
    };
    let find = |name: &str| {
        header
            .iter()
            .position(|h| crate::records::same_id(h, name))
            .ok_or_else(|| {
                at(
                    1,
                    format!(
                        "no column '{name}'; closest headers: {}",
                        crate::matrix::closest_names(name, header.iter().map(String::as_str), 3)
                            .join(", ")
                    ),
                )
            })
    };
    let (mc, bc, sc) = (
        find(&options.model_col)?,
        find(&options.benchmark_col)?,
        find(&options.score_col)?,
    );
    let mut builder = MatrixBuilder::new();
    let mut unnamed: Vec<u64> = Vec::new();
    // (model, benchmark) → (first line, values so far)
    let mut seen: HashMap<(String, String), (u64, Vec<f64>)> = HashMap::new();
    let mut order: Vec<(String, String)> = Vec::new();
    while let Some((line, record)) = records.next_record().map_err(problem)? {
        let cell = |i: usize, what: &str| {
            if i >= record.len() {
                let message = format!("no {what} field (the row has {} fields)", record.len());
                return Err(at(line, message));
            }
            records::field(record, i, line, &header[i])
                .map(str::trim)
                .map_err(problem)
        };
        let (model, bench, score) = (
            cell(mc, "model")?,
            cell(bc, "benchmark")?,
            cell(sc, "score")?,
        );
        if model.is_empty() || bench.is_empty() {
            unnamed.push(line);
            continue;
        }
        // A name the matrix could not hold is refused here, at its line.
        for (name, column, what) in [(model, mc, "the model id"), (bench, bc, "the benchmark id")] {
            if let Some(message) = records::id_problem(what, name) {
                return Err(problem(Problem::in_column(
                    line,
                    column + 1,
                    &header[column],
                    message,
                ))
                .into());
            }
        }
        if !options.percent && score.ends_with('%') {
            return Err(LongError::Percentage {
                path: source.into(),
                line,
                column: options.score_col.clone(),
                text: score.to_string(),
            });
        }
        let value = parse_score(score, options.percent)
            .map_err(|m| at(line, format!("column '{}': {m}", options.score_col)))?;
        let Some(value) = value else { continue };
        let key = (model.to_string(), bench.to_string());
        match seen.get_mut(&key) {
            None => {
                order.push(key.clone());
                seen.insert(key, (line, vec![value]));
            }
            Some((first, values)) => {
                if options.dedupe.is_none() {
                    return Err(LongError::SecondScore {
                        path: source.into(),
                        line,
                        model: model.to_string(),
                        benchmark: bench.to_string(),
                        first: *first,
                    });
                }
                values.push(value);
            }
        }
    }
    for key in order {
        let values = &seen[&key].1;
        let value = match options.dedupe {
            Some(Dedupe::Max) => values.iter().copied().fold(f64::NEG_INFINITY, f64::max),
            Some(Dedupe::Mean) => values.iter().sum::<f64>() / values.len() as f64,
            Some(Dedupe::Last) | None => values[values.len() - 1],
        };
        let col = builder.column(ColumnInfo {
            id: key.1.clone(),
            name: key.1.clone(),
            metric: options.score_col.clone(),
            better: Better::Unknown,
        });
        builder
            .set(&key.0, col, value)
            .map_err(|e| ImportError::file(source, e))?;
    }
    if builder.models().is_empty() {
        return Err(
            ImportError::file(source, "no scores: the file has a header but no data").into(),
        );
    }
    let warnings = unnamed_rows_warning(source, &unnamed).into_iter().collect();
    Ok(LongTable { builder, warnings })
}

/// The warning for rows left out because their model or benchmark name is
/// empty (the first few lines named).
fn unnamed_rows_warning(source: &str, lines: &[u64]) -> Option<ImportWarning> {
    let (first, rest) = lines.split_first()?;
    const SHOWN: usize = 5;
    let mut shown: Vec<String> = std::iter::once(first)
        .chain(rest)
        .take(SHOWN)
        .map(u64::to_string)
        .collect();
    if lines.len() > SHOWN {
        shown.push("…".into());
    }
    Some(ImportWarning::Other(format!(
        "{source}: left out {} with an empty model or benchmark name (line{} {})",
        crate::words::count(lines.len(), "row", "rows"),
        if lines.len() == 1 { "" } else { "s" },
        shown.join(", ")
    )))
}

/// A score cell: `Ok(None)` when missing.
fn parse_score(text: &str, percent: bool) -> Result<Option<f64>, String> {
    if percent {
        let t = text.trim().strip_suffix('%').unwrap_or(text).trim();
        if t.is_empty() && text.contains('%') {
            // Not a missing value: a percent sign with no number before it.
            return Err(format!("expected a number before the '%', found '{text}'"));
        }
        return parse_cell(t)
            .map(|v| v.map(|x| hundredth(t).unwrap_or(x / 100.0)))
            .map_err(|e| format!("expected {e}, found '{text}'"));
    }
    parse_cell(text).map_err(|e| format!("expected {e}, found '{text}'"))
}

/// The number `text` (a number [`parse_cell`] accepted) divided by 100 by
/// moving its decimal point, not by a floating-point division: `48.2`
/// becomes the double nearest to 0.482 (where `48.2 / 100.0` is
/// 0.48200000000000004). `None` when the exponent does not fit.
fn hundredth(text: &str) -> Option<f64> {
    let (mantissa, exponent) = match text.find(['e', 'E']) {
        Some(i) => (&text[..i], text[i + 1..].parse::<i64>().ok()?),
        None => (text, 0),
    };
    let shifted = format!("{mantissa}e{}", exponent.checked_sub(2)?);
    shifted.parse::<f64>().ok().filter(|v| v.is_finite())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options(dedupe: Option<Dedupe>, percent: bool) -> LongOptions {
        LongOptions {
            model_col: "Model".into(),
            benchmark_col: "Benchmark".into(),
            score_col: "Score".into(),
            percent,
            dedupe,
        }
    }

    const TEXT: &str = "\u{feff}Model,Benchmark,Score\n\"Org, Inc/m1\",MMLU,77.0%\nm2,MMLU,50%\nm1b,\"GPQA\",\n\"Org, Inc/m1\",MMLU,79.0%\n";

    #[test]
    fn percent_bom_quotes_and_dedupe() {
        let e = parse_long(TEXT.as_bytes(), "l.csv", &options(None, true)).unwrap_err();
        assert_eq!(
            e.to_string(),
            "l.csv:5: model 'Org, Inc/m1' has a second score for 'MMLU' (first on line 2); choose a rule (max, mean or last)"
        );
        let b = parse_long(TEXT.as_bytes(), "l.csv", &options(Some(Dedupe::Mean), true))
            .unwrap()
            .builder;
        assert!((b.get("Org, Inc/m1", "MMLU").unwrap() - 0.78).abs() < 1e-15);
        assert_eq!(b.get("m2", "MMLU"), Some(0.5));
        assert_eq!(b.models().len(), 2); // m1b has only a missing score
        let b = parse_long(TEXT.as_bytes(), "l.csv", &options(Some(Dedupe::Max), true))
            .unwrap()
            .builder;
        assert_eq!(b.get("Org, Inc/m1", "MMLU"), Some(0.79));
        let b = parse_long(TEXT.as_bytes(), "l.csv", &options(Some(Dedupe::Last), true))
            .unwrap()
            .builder;
        assert_eq!(b.get("Org, Inc/m1", "MMLU"), Some(0.79));
    }

    #[test]
    fn percent_sign_without_flag_and_missing_column() {
        let e = parse_long(
            TEXT.as_bytes(),
            "l.csv",
            &options(Some(Dedupe::Last), false),
        )
        .unwrap_err();
        assert!(
            matches!(&e, LongError::Percentage { line: 2, text, .. } if text == "77.0%"),
            "{e}"
        );
        let mut o = options(None, false);
        o.score_col = "Scor".into();
        let e = parse_long(TEXT.as_bytes(), "l.csv", &o).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("l.csv:1: no column 'Scor'; closest headers: Score"),
            "{e}"
        );
    }

    #[test]
    fn rows_without_a_name_are_left_out_with_a_warning() {
        let text = "Model,Benchmark,Score\nm1,MMLU,0.5\n,MMLU,0.7\nm2,,0.1\nm2,MMLU,0.6\n";
        let t = parse_long(text.as_bytes(), "l.csv", &options(None, false)).unwrap();
        assert_eq!(t.builder.models().len(), 2);
        assert_eq!(
            t.warnings[0].to_string(),
            "l.csv: left out 2 rows with an empty model or benchmark name (lines 3, 4)"
        );
    }

    #[test]
    fn utf16_files_are_refused_with_advice() {
        let e = parse_long(b"\xFF\xFEM\x00", "l.csv", &options(None, false)).unwrap_err();
        assert!(e.to_string().contains("save it as UTF-8"), "{e}");
    }

    #[test]
    fn percentages_become_the_nearest_fraction() {
        let text = "Model,Benchmark,Score\nm1,A,48.2\nm1,B,48.2%\nm1,C,7\nm1,D,4.82e1\nm1,E,-0.5%\nm1,F,100\n";
        let b = parse_long(text.as_bytes(), "l.csv", &options(None, true))
            .unwrap()
            .builder;
        // Exactly the doubles written as 0.482, 0.07, ...: no division error.
        for (benchmark, fraction) in [
            ("A", "0.482"),
            ("B", "0.482"),
            ("C", "0.07"),
            ("D", "0.482"),
            ("E", "-0.005"),
            ("F", "1"),
        ] {
            let expected: f64 = fraction.parse().unwrap();
            assert_eq!(b.get("m1", benchmark), Some(expected), "{benchmark}");
        }
        assert_ne!(48.2 / 100.0, 0.482, "the division this avoids");
    }

    #[test]
    fn a_lone_percent_sign_is_an_error() {
        let text = "Model,Benchmark,Score\nm1,MMLU,%\nm2,MMLU,50%\n";
        let e = parse_long(text.as_bytes(), "l.csv", &options(None, true)).unwrap_err();
        assert_eq!(
            e.to_string(),
            "l.csv:2: column 'Score': expected a number before the '%', found '%'"
        );
    }
}
