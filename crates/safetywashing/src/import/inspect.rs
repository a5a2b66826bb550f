//! Inspect AI logs: `.eval` archives and `.json` logs.
//!
//! An `.eval` file is a zip archive whose `header.json` holds the same
//! header fields as a `.json` log (`status`, `eval`, `results`, …); only that
//! member is read. Inspect compresses members with zstd (zip method 93) in
//! recent versions and with deflate in older ones: zstd members are read raw
//! and decoded with the pure-Rust `ruzstd`, others through `zip` itself. A
//! `.json` log is deserialized into just the fields used, so its `samples`
//! are skipped without being kept in memory.
//!
//! Model from `eval.model`, task from `eval.task`, score from
//! `results.scores[].metrics.<metric>.value` (the first scorer that has the
//! metric). Logs whose status is not `success` have no results and are
//! reported and left out. When one model has several logs for a task, the
//! newest (`eval.created`, then the path) wins and the report says so.

use super::{Better, ColumnInfo, ImportError, ImportWarning, MatrixBuilder};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::io::{Read, Seek};
use std::path::{Path, PathBuf};

/// Largest header member read from an archive (a guard against zip bombs).
const MAX_HEADER_BYTES: u64 = 256 << 20;

#[derive(Deserialize)]
struct Header {
    status: Option<String>,
    eval: Option<EvalSpec>,
    results: Option<Results>,
}

#[derive(Deserialize)]
struct EvalSpec {
    task: Option<String>,
    model: Option<String>,
    created: Option<String>,
}

#[derive(Deserialize)]
struct Results {
    #[serde(default)]
    scores: Vec<Score>,
}

#[derive(Deserialize)]
struct Score {
    name: Option<String>,
    #[serde(default)]
    metrics: BTreeMap<String, Metric>,
}

#[derive(Deserialize)]
struct Metric {
    value: Option<serde_json::Value>,
}

/// The parts of an Inspect log used here.
#[derive(Debug, Clone, PartialEq)]
pub struct InspectLog {
    /// The log file, as given.
    pub source: String,
    /// `status` (`success`, `error`, `started`, …).
    pub status: String,
    /// `eval.model`.
    pub model: String,
    /// `eval.task`.
    pub task: String,
    /// `eval.created` (ISO 8601), when present.
    pub created: Option<String>,
    /// Per scorer: its name and numeric metric values, in file order.
    pub scores: Vec<(String, Vec<(String, f64)>)>,
}

impl InspectLog {
    /// The value of `metric` from the first scorer that has it.
    pub fn metric(&self, metric: &str) -> Option<(&str, f64)> {
        self.scores.iter().find_map(|(scorer, metrics)| {
            metrics
                .iter()
                .find(|(m, _)| m == metric)
                .map(|(_, v)| (scorer.as_str(), *v))
        })
    }
}

fn from_header(h: Header, source: &str) -> Result<InspectLog, ImportError> {
    let eval = h
        .eval
        .ok_or_else(|| ImportError::file(source, "no 'eval' object: not an Inspect log"))?;
    let field = |v: Option<String>, name: &str| {
        v.filter(|s| !s.trim().is_empty())
            .ok_or_else(|| ImportError::file(source, format!("no 'eval.{name}'")))
    };
    let scores = h
        .results
        .map(|r| r.scores)
        .unwrap_or_default()
        .into_iter()
        .enumerate()
        .map(|(i, s)| {
            let metrics = s
                .metrics
                .into_iter()
                .filter_map(|(k, m)| m.value.and_then(|v| v.as_f64()).map(|v| (k, v)))
                .collect();
            (s.name.unwrap_or_else(|| format!("score {i}")), metrics)
        })
        .collect();
    Ok(InspectLog {
        source: source.to_string(),
        status: h.status.unwrap_or_else(|| "unknown".into()),
        model: field(eval.model, "model")?,
        task: field(eval.task, "task")?,
        created: eval.created,
        scores,
    })
}

/// Parse a `.json` log from a reader.
pub fn parse_log_json<R: Read>(reader: R, source: &str) -> Result<InspectLog, ImportError> {
    let header: Header = serde_json::from_reader(reader).map_err(|e| ImportError::AtLine {
        path: source.into(),
        line: e.line() as u64,
        message: format!("not an Inspect JSON log: {e}"),
    })?;
    from_header(header, source)
}

/// Parse an `.eval` archive from a reader.
pub fn parse_eval_archive<R: Read + Seek>(
    reader: R,
    source: &str,
) -> Result<InspectLog, ImportError> {
    let zip_err = |e: zip::result::ZipError| {
        ImportError::file(source, format!("not a readable .eval (zip) archive: {e}"))
    };
    let mut archive = zip::ZipArchive::new(reader).map_err(zip_err)?;
    let index = archive.index_for_name("header.json").ok_or_else(|| {
        ImportError::file(
            source,
            "no header.json in the archive: the run did not finish (no results)",
        )
    })?;
    let method = archive.by_index_raw(index).map_err(zip_err)?.compression();
    let mut bytes = Vec::new();
    let read = if method == zip::CompressionMethod::ZSTD {
        let raw = archive.by_index_raw(index).map_err(zip_err)?;
        let decoder = ruzstd::decoding::StreamingDecoder::new(raw)
            .map_err(|e| ImportError::file(source, format!("header.json: bad zstd data: {e}")))?;
        decoder.take(MAX_HEADER_BYTES + 1).read_to_end(&mut bytes)
    } else {
        let member = archive.by_index(index).map_err(zip_err)?;
        member.take(MAX_HEADER_BYTES + 1).read_to_end(&mut bytes)
    };
    read.map_err(|e| ImportError::file(source, format!("header.json: {e}")))?;
    // Past the limit the JSON would end mid-way: say which limit, not
    // "EOF while parsing".
    if bytes.len() as u64 > MAX_HEADER_BYTES {
        return Err(ImportError::file(
            source,
            format!(
                "header.json is larger than {MAX_HEADER_BYTES} bytes once unpacked (the most this tool reads); not read"
            ),
        ));
    }
    parse_log_json(bytes.as_slice(), &format!("{source}:header.json")).map(|log| InspectLog {
        source: source.to_string(),
        ..log
    })
}

/// Read a log from disk: `.eval` archive or `.json` by extension.
pub fn read_log(path: &Path) -> Result<InspectLog, ImportError> {
    let source = path.display().to_string();
    let file = std::fs::File::open(path).map_err(|e| ImportError::io(path, e))?;
    if file.metadata().is_ok_and(|m| m.is_file() && m.len() == 0) {
        return Err(ImportError::file(
            &source,
            "the file is empty: expected an Inspect log (.eval or .json)",
        ));
    }
    let reader = std::io::BufReader::new(file);
    match path.extension().and_then(|e| e.to_str()) {
        Some("eval") => parse_eval_archive(reader, &source),
        Some("json") => parse_log_json(reader, &source),
        _ => Err(ImportError::file(
            &source,
            "expected an Inspect log ending in .eval or .json",
        )),
    }
}

/// The logs among the given paths, sorted: files as given (`true`), and
/// the `.eval` and `.json` files found in folders, recursively, each real
/// folder once (`false`: callers may skip those that turn out not to be
/// Inspect logs), with the links skipped (see [`super::walk`]).
pub fn find_logs(paths: &[PathBuf]) -> Result<super::walk::Walk, ImportError> {
    super::walk::walk(paths, |p| {
        matches!(
            p.extension().and_then(|e| e.to_str()),
            Some("eval" | "json")
        )
    })
}

/// What an Inspect import did, for the user.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct InspectReport {
    /// (model, task, file used, files superseded).
    pub used: Vec<(String, String, String, Vec<String>)>,
    /// Logs left out, each with why.
    pub warnings: Vec<ImportWarning>,
}

/// Build the matrix from parsed logs: one row per model, one column per
/// task holding `metric`.
pub fn build_matrix(logs: &[InspectLog], metric: &str) -> (MatrixBuilder, InspectReport) {
    let mut report = InspectReport::default();
    let mut best: BTreeMap<(&str, &str), (usize, Vec<usize>)> = BTreeMap::new();
    let newer = |a: &InspectLog, b: &InspectLog| {
        (a.created.as_deref(), a.source.as_str()) > (b.created.as_deref(), b.source.as_str())
    };
    for (i, log) in logs.iter().enumerate() {
        if log.status != "success" {
            report.warnings.push(
                format!(
                    "{}: status '{}', no results: left out",
                    log.source, log.status
                )
                .into(),
            );
            continue;
        }
        if log.metric(metric).is_none() {
            let have: Vec<&str> = log
                .scores
                .iter()
                .flat_map(|(_, m)| m.iter().map(|(k, _)| k.as_str()))
                .collect();
            report.warnings.push(ImportWarning::NoMetric {
                source: log.source.clone(),
                task: None,
                metric: metric.to_string(),
                available: have.iter().map(|s| s.to_string()).collect(),
            });
            continue;
        }
        match best.get_mut(&(log.model.as_str(), log.task.as_str())) {
            None => {
                best.insert((&log.model, &log.task), (i, Vec::new()));
            }
            Some((cur, older)) => {
                if newer(log, &logs[*cur]) {
                    older.push(*cur);
                    *cur = i;
                } else {
                    older.push(i);
                }
            }
        }
    }
    let mut builder = MatrixBuilder::new();
    let mut order: Vec<(usize, Vec<usize>)> = best.into_values().collect();
    order.sort_by_key(|(i, _)| *i);
    for (i, older) in order {
        let log = &logs[i];
        let Some((scorer, value)) = log.metric(metric) else {
            continue;
        };
        let col = builder.column(ColumnInfo {
            id: log.task.clone(),
            name: log.task.clone(),
            metric: format!("{metric} ({scorer})"),
            better: Better::Unknown,
        });
        if builder.set(&log.model, col, value).is_err() {
            report
                .warnings
                .push(format!("{}: {metric} is not finite: left out", log.source).into());
            continue;
        }
        report.used.push((
            log.model.clone(),
            log.task.clone(),
            log.source.clone(),
            older.iter().map(|&o| logs[o].source.clone()).collect(),
        ));
    }
    (builder, report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Cursor, Write};

    const HEADER: &str = r#"{"version": 2, "status": "success",
      "eval": {"task": "arith", "model": "mockllm/a", "created": "2026-01-01T00:00:00+00:00"},
      "results": {"scores": [{"name": "match", "metrics": {
        "accuracy": {"name": "accuracy", "value": 0.375}, "stderr": {"value": 0.1}}}]},
      "samples": [{"id": 1}]}"#;

    #[test]
    fn json_log() {
        let log = parse_log_json(HEADER.as_bytes(), "a.json").unwrap();
        assert_eq!(
            (log.model.as_str(), log.task.as_str()),
            ("mockllm/a", "arith")
        );
        assert_eq!(log.metric("accuracy"), Some(("match", 0.375)));
        assert_eq!(log.metric("stderr"), Some(("match", 0.1)));
        let e = parse_log_json(&b"{\"eval\": {}}"[..], "b.json").unwrap_err();
        assert_eq!(e.to_string(), "b.json: no 'eval.model'");
    }

    #[test]
    fn deflated_and_stored_archives() {
        for method in [
            zip::CompressionMethod::Deflated,
            zip::CompressionMethod::Stored,
        ] {
            let mut buf = Cursor::new(Vec::new());
            {
                let mut w = zip::ZipWriter::new(&mut buf);
                let opts = zip::write::SimpleFileOptions::default().compression_method(method);
                w.start_file("samples/1.json", opts).unwrap();
                w.write_all(b"{}").unwrap();
                w.start_file("header.json", opts).unwrap();
                w.write_all(HEADER.as_bytes()).unwrap();
                w.finish().unwrap();
            }
            buf.set_position(0);
            let log = parse_eval_archive(buf, "a.eval").unwrap();
            assert_eq!(log.metric("accuracy"), Some(("match", 0.375)));
            assert_eq!(log.source, "a.eval");
        }
        let e = parse_eval_archive(Cursor::new(b"PK not a zip".to_vec()), "x.eval").unwrap_err();
        assert!(
            e.to_string().starts_with("x.eval: not a readable .eval"),
            "{e}"
        );
    }

    #[test]
    fn a_header_past_the_size_limit_is_named_as_such() {
        let mut buf = Cursor::new(Vec::new());
        {
            let mut w = zip::ZipWriter::new(&mut buf);
            let opts = zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Deflated)
                .large_file(true);
            w.start_file("header.json", opts).unwrap();
            w.write_all(b"{\"eval\": \"").unwrap();
            let spaces = vec![b' '; 1 << 20];
            for _ in 0..=(MAX_HEADER_BYTES >> 20) {
                w.write_all(&spaces).unwrap();
            }
            w.write_all(b"\"}").unwrap();
            w.finish().unwrap();
        }
        buf.set_position(0);
        let e = parse_eval_archive(buf, "big.eval").unwrap_err().to_string();
        assert!(
            e.contains("larger than") && e.contains("the most this tool reads"),
            "{e}"
        );
        assert!(!e.contains("EOF"), "{e}");
    }

    #[test]
    fn newest_log_wins_and_failed_runs_are_reported() {
        let mk = |created: &str, v: f64, status: &str, src: &str| InspectLog {
            source: src.into(),
            status: status.into(),
            model: "m".into(),
            task: "t".into(),
            created: Some(created.into()),
            scores: vec![("match".into(), vec![("accuracy".into(), v)])],
        };
        let logs = vec![
            mk("2026-01-02", 0.5, "success", "new"),
            mk("2026-01-01", 0.4, "success", "old"),
            mk("2026-01-03", 0.9, "error", "err"),
        ];
        let (b, report) = build_matrix(&logs, "accuracy");
        assert_eq!(b.get("m", "t"), Some(0.5));
        assert_eq!(report.used[0].3, vec!["old"]);
        let shown: Vec<String> = report.warnings.iter().map(|w| w.to_string()).collect();
        assert_eq!(shown, vec!["err: status 'error', no results: left out"]);
    }
}
