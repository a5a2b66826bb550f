//! lm-evaluation-harness 0.4.x output: `results_<timestamp>.json` files
//! (0.4.3 on, one folder per model) and `results.json` (0.4.0–0.4.2).
//!
//! Variants read: `config.model_args` as a `k=v,…` string or an object;
//! metric keys `metric,filter` (or a bare `metric`, filter `none`); stderr
//! values that are `"N/A"`; `date` as a float or a numeric string; groups
//! (listed under `groups` or `group_subtasks`) as ordinary columns; tasks
//! with several filters.
//!
//! Calibration columns (with [`CalibrationColumns`]) come from a task's
//! samples file; a group's are the size-weighted means of the values of all
//! its leaf tasks ([`ResultsFile::leaf_tasks`]), each computed as a task's
//! column is (as lm-eval and the paper's fork aggregate groups), or none,
//! with a warning naming the leaves without a samples file.
//!
//! Selection: results are keyed by (model, task). When several files hold
//! the same pair, the newest wins — by `date`, then the file name's
//! timestamp, then the path — and the report names the file used and those
//! it superseded. A run made with `--limit` (a non-null `config.limit`, or
//! an `n-samples` effective count below the original) is flagged and left
//! out unless limited runs are allowed.

use super::{Better, ColumnInfo, ImportError, ImportWarning, MatrixBuilder};
use crate::calibration::{CalibrationOptions, CalibrationReport, RmsVariant, calibrate_file};
use serde_json::{Map, Value};
use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

/// Where a results file's model name came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModelNameFrom {
    /// The top-level `model_name` field (0.4.3 on).
    ModelName,
    /// `config.model_args` (`pretrained=`, `model=`, …).
    ModelArgs,
    /// The folder holding the file.
    Folder,
}

/// One metric value of a task.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricValue {
    /// Metric name, e.g. `acc`.
    pub metric: String,
    /// Filter name, e.g. `none` or `strict-match`.
    pub filter: String,
    /// The value.
    pub value: f64,
    /// From the file's `higher_is_better` table, when recorded.
    pub higher_is_better: Option<bool>,
}

/// One task (or group) of a results file.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskResult {
    /// Task name (the key under `results`).
    pub task: String,
    /// A group aggregating other tasks.
    pub is_group: bool,
    /// Metric values, in file order.
    pub metrics: Vec<MetricValue>,
    /// `n-samples`: (original, effective), when recorded.
    pub n_samples: Option<(u64, u64)>,
}

impl TaskResult {
    /// Evaluated on fewer samples than the task has.
    pub fn is_limited(&self) -> bool {
        self.n_samples.is_some_and(|(o, e)| e < o)
    }
}

/// A parsed results file.
#[derive(Debug, Clone, PartialEq)]
pub struct ResultsFile {
    /// The file, as found.
    pub source: String,
    /// Model name.
    pub model: String,
    /// Where the model name came from.
    pub model_from: ModelNameFrom,
    /// `date` (seconds since the epoch), when recorded.
    pub date: Option<f64>,
    /// Timestamp from the file name `results_<timestamp>.json`.
    pub timestamp: Option<String>,
    /// `config.limit`, when set.
    pub limit: Option<f64>,
    /// Tasks and groups, in file order.
    pub tasks: Vec<TaskResult>,
    /// `group_subtasks`: each group's members (tasks or groups), in file
    /// order; groups with no members listed are left out.
    pub group_subtasks: BTreeMap<String, Vec<String>>,
}

impl ResultsFile {
    /// Made with `--limit`.
    pub fn is_limited(&self) -> bool {
        self.limit.is_some() || self.tasks.iter().any(TaskResult::is_limited)
    }

    /// How the limit shows, e.g. `limit 50; fix_arith 50 of 400 samples`.
    pub fn limit_description(&self) -> String {
        let mut parts = Vec::new();
        if let Some(l) = self.limit {
            parts.push(format!("limit {l}"));
        }
        for t in &self.tasks {
            if let Some((o, e)) = t.n_samples.filter(|_| t.is_limited()) {
                parts.push(format!(
                    "{} {e} of {}",
                    t.task,
                    crate::words::count(o, "sample", "samples")
                ));
            }
        }
        parts.join("; ")
    }

    /// Ordering for "newest wins": date, then file timestamp, then path.
    fn newness(&self, other: &ResultsFile) -> Ordering {
        let date = |f: &ResultsFile| f.date.unwrap_or(f64::NEG_INFINITY);
        date(self)
            .total_cmp(&date(other))
            .then_with(|| self.timestamp.cmp(&other.timestamp))
            .then_with(|| self.source.cmp(&other.source))
    }

    /// The folder holding the file.
    pub fn folder(&self) -> &Path {
        Path::new(&self.source).parent().unwrap_or(Path::new("."))
    }

    /// The leaf tasks under `group`, through nested groups of
    /// `group_subtasks`: depth-first in the listed order, each once (a task
    /// listed twice, or a group listing itself, adds nothing more). Empty
    /// when `group` lists no members; `[group]` itself is never returned.
    pub fn leaf_tasks(&self, group: &str) -> Vec<&str> {
        let mut leaves: Vec<&str> = Vec::new();
        let mut seen: HashSet<&str> = HashSet::from([group]);
        // An explicit stack (not recursion): a deeply nested file cannot
        // overflow it.
        let members = |g: &str| self.group_subtasks.get(g).map_or(&[][..], Vec::as_slice);
        let mut stack: Vec<std::slice::Iter<'_, String>> = vec![members(group).iter()];
        while let Some(top) = stack.last_mut() {
            let Some(member) = top.next() else {
                stack.pop();
                continue;
            };
            if !seen.insert(member) {
                continue;
            }
            match self.group_subtasks.get(member.as_str()) {
                Some(inner) => stack.push(inner.iter()),
                None => leaves.push(member),
            }
        }
        leaves
    }
}

/// Keys of a task's results entry that are not metrics.
const NOT_METRICS: [&str; 5] = ["alias", "name", "sample_len", "sample_count", "samples"];

/// Keys of `model_args` that name the model, most specific first.
const MODEL_ARG_KEYS: [&str; 5] = ["pretrained", "model", "model_name", "path", "engine"];

fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse::<f64>().ok().filter(|x| x.is_finite()),
        _ => None,
    }
}

fn model_from_args(args: &Value) -> Option<String> {
    match args {
        Value::String(s) => {
            let pairs: Vec<(&str, &str)> = s
                .split(',')
                .filter_map(|kv| kv.split_once('='))
                .map(|(k, v)| (k.trim(), v.trim()))
                .collect();
            MODEL_ARG_KEYS.iter().find_map(|key| {
                pairs
                    .iter()
                    .find(|(k, v)| k == key && !v.is_empty())
                    .map(|(_, v)| v.to_string())
            })
        }
        Value::Object(o) => MODEL_ARG_KEYS.iter().find_map(|key| {
            o.get(*key)
                .and_then(Value::as_str)
                .filter(|v| !v.trim().is_empty())
                .map(|v| v.trim().to_string())
        }),
        _ => None,
    }
}

/// Parse a results file held in memory. `source` names it in errors;
/// `folder` is the model name of last resort (the folder holding it).
pub fn parse_results(
    bytes: &[u8],
    source: &str,
    folder: Option<&str>,
) -> Result<ResultsFile, ImportError> {
    if bytes.trim_ascii().is_empty() {
        return Err(ImportError::file(
            source,
            "the file is empty: expected an lm-eval results file (JSON)",
        ));
    }
    // Python's json module writes NaN and ±Infinity as bare tokens (lm-eval
    // does, for a NaN stderr or perplexity); strict JSON has no such tokens.
    let cleaned = non_finite_as_strings(bytes);
    let root: Value = serde_json::from_slice(&cleaned).map_err(|e| ImportError::AtLine {
        path: source.into(),
        line: e.line() as u64,
        message: format!("not valid JSON: {e}"),
    })?;
    let bad = |m: String| ImportError::file(source, m);
    let root = root
        .as_object()
        .ok_or_else(|| bad("expected a JSON object (an lm-eval results file)".into()))?;
    let results = root
        .get("results")
        .and_then(Value::as_object)
        .ok_or_else(|| bad("no 'results' object: not an lm-eval results file".into()))?;
    let config = root.get("config").and_then(Value::as_object);
    let (model, model_from) = if let Some(name) = root
        .get("model_name")
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty())
    {
        (name.trim().to_string(), ModelNameFrom::ModelName)
    } else if let Some(name) = config
        .and_then(|c| c.get("model_args"))
        .and_then(model_from_args)
    {
        (name, ModelNameFrom::ModelArgs)
    } else if let Some(f) = folder.filter(|f| !f.is_empty()) {
        (f.to_string(), ModelNameFrom::Folder)
    } else {
        return Err(bad(
            "no model name: neither 'model_name', nor a model in 'config.model_args', nor a folder"
                .into(),
        ));
    };
    let limit = config
        .and_then(|c| c.get("limit"))
        .and_then(number)
        .filter(|l| *l > 0.0);
    let higher = root.get("higher_is_better").and_then(Value::as_object);
    let n_samples = root.get("n-samples").and_then(Value::as_object);
    let groups = root.get("groups").and_then(Value::as_object);
    let subtasks = root.get("group_subtasks").and_then(Value::as_object);
    let mut tasks = Vec::with_capacity(results.len());
    for (task, entry) in results {
        let entry = entry
            .as_object()
            .ok_or_else(|| bad(format!("results.{task} is not an object")))?;
        let is_group = groups.is_some_and(|g| g.contains_key(task))
            || subtasks
                .and_then(|s| s.get(task))
                .and_then(Value::as_array)
                .is_some_and(|a| !a.is_empty());
        let task_higher = higher.and_then(|h| h.get(task)).and_then(Value::as_object);
        let metrics = task_metrics(entry, task_higher);
        let n = n_samples
            .and_then(|n| n.get(task))
            .and_then(|t| Some((t.get("original")?.as_u64()?, t.get("effective")?.as_u64()?)));
        tasks.push(TaskResult {
            task: task.clone(),
            is_group,
            metrics,
            n_samples: n,
        });
    }
    let group_subtasks = subtasks
        .into_iter()
        .flatten()
        .filter_map(|(group, members)| {
            let members: Vec<String> = members
                .as_array()?
                .iter()
                .filter_map(|m| m.as_str().map(str::to_string))
                .collect();
            (!members.is_empty()).then(|| (group.clone(), members))
        })
        .collect();
    Ok(ResultsFile {
        source: source.to_string(),
        model,
        model_from,
        date: root.get("date").and_then(number),
        timestamp: None,
        limit,
        tasks,
        group_subtasks,
    })
}

fn task_metrics(
    entry: &Map<String, Value>,
    higher: Option<&Map<String, Value>>,
) -> Vec<MetricValue> {
    let mut out = Vec::new();
    for (key, value) in entry {
        if NOT_METRICS.contains(&key.as_str()) {
            continue;
        }
        let (metric, filter) = key.split_once(',').unwrap_or((key.as_str(), "none"));
        if metric.ends_with("_stderr") {
            continue;
        }
        // Non-numbers ("N/A", null, lists) are not scores; NaN and
        // ±Infinity are scores that are not numbers: kept, to be reported.
        let Some(v) = value.as_f64().or_else(|| non_finite(value)) else {
            continue;
        };
        out.push(MetricValue {
            metric: metric.to_string(),
            filter: filter.to_string(),
            value: v,
            higher_is_better: higher.and_then(|h| h.get(metric)).and_then(Value::as_bool),
        });
    }
    out
}

/// What a bare `NaN`, `Infinity` or `-Infinity` token becomes before
/// parsing: a string no results file holds (it starts with a NUL).
const NON_FINITE: [(&str, &str, f64); 3] = [
    ("NaN", "\\u0000NaN", f64::NAN),
    ("Infinity", "\\u0000Infinity", f64::INFINITY),
    ("-Infinity", "\\u0000-Infinity", f64::NEG_INFINITY),
];

/// The value a [`non_finite_as_strings`] string stands for.
fn non_finite(v: &Value) -> Option<f64> {
    let s = v.as_str()?.strip_prefix('\0')?;
    NON_FINITE
        .iter()
        .find(|(t, _, _)| *t == s)
        .map(|(_, _, x)| *x)
}

/// `bytes` with every bare `NaN`, `Infinity` and `-Infinity` outside a
/// string replaced by a marked string (borrowed unchanged when none).
fn non_finite_as_strings(bytes: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    let mut out: Option<Vec<u8>> = None;
    let (mut in_string, mut escaped, mut copied) = (false, false, 0);
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
        } else if b == b'"' {
            in_string = true;
        } else if let Some((token, marked, _)) = NON_FINITE
            .iter()
            .rev() // -Infinity before Infinity
            .find(|(t, _, _)| bytes[i..].starts_with(t.as_bytes()))
        {
            let o = out.get_or_insert_with(Vec::new);
            o.extend_from_slice(&bytes[copied..i]);
            o.push(b'"');
            o.extend_from_slice(marked.as_bytes());
            o.push(b'"');
            i += token.len();
            copied = i;
            continue;
        }
        i += 1;
    }
    match out {
        None => std::borrow::Cow::Borrowed(bytes),
        Some(mut o) => {
            o.extend_from_slice(&bytes[copied..]);
            std::borrow::Cow::Owned(o)
        }
    }
}

/// Read a results file from disk, taking the timestamp from its name and
/// the folder's name as the model name of last resort.
pub fn read_results_file(path: &Path) -> Result<ResultsFile, ImportError> {
    let bytes = crate::load::read_whole(path)?;
    let folder = path
        .parent()
        .and_then(Path::file_name)
        .map(|f| f.to_string_lossy().replace("__", "/"));
    let mut file = parse_results(&bytes, &path.display().to_string(), folder.as_deref())?;
    file.timestamp = path
        .file_name()
        .and_then(|n| n.to_str())
        .and_then(|n| n.strip_prefix("results_"))
        .and_then(|n| n.strip_suffix(".json"))
        .map(str::to_string);
    Ok(file)
}

fn is_results_name(name: &str) -> bool {
    name == "results.json" || (name.starts_with("results_") && name.ends_with(".json"))
}

/// Every results file under the given folders (recursively, each real
/// folder once; a file given directly is taken as is), in sorted path
/// order, with the links skipped (see [`super::walk`]).
pub fn find_results_files(paths: &[PathBuf]) -> Result<super::walk::Walk, ImportError> {
    super::walk::walk(paths, |p| {
        p.file_name()
            .and_then(|n| n.to_str())
            .is_some_and(is_results_name)
    })
}

/// Which metric a task's column holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetricChoice {
    /// Metric name.
    pub metric: String,
    /// Filter; `None` = `none` if present, else the only one.
    pub filter: Option<String>,
}

impl std::str::FromStr for MetricChoice {
    type Err = String;
    /// `metric` or `metric,filter`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (metric, filter) = match s.split_once(',') {
            Some((m, f)) => (m.trim(), Some(f.trim().to_string())),
            None => (s.trim(), None),
        };
        if metric.is_empty() || filter.as_deref() == Some("") {
            return Err(format!("'{s}': expected METRIC or METRIC,FILTER"));
        }
        Ok(MetricChoice {
            metric: metric.to_string(),
            filter,
        })
    }
}

/// Calibration columns to add from the samples files.
#[derive(Debug, Clone, PartialEq)]
pub struct CalibrationColumns {
    /// How to compute the metrics.
    pub options: CalibrationOptions,
    /// Which RMS error and temperature go into the `rmsce_`,
    /// `rmsce_temp_tuned_` and `brier_temp_tuned_` columns (the paper's by
    /// default).
    pub variant: RmsVariant,
}

/// How to turn results files into a matrix.
#[derive(Debug, Clone, PartialEq)]
pub struct LmEvalOptions {
    /// Metric of every task's column.
    pub metric: MetricChoice,
    /// Per-task overrides: one column per choice. A task with several
    /// choices gets columns `task:metric,filter`; with one, column `task`.
    pub task_metrics: BTreeMap<String, Vec<MetricChoice>>,
    /// One column per `task:metric,filter` instead.
    pub all_metrics: bool,
    /// Turn lower-is-better metrics into `1 - value`.
    pub orient: bool,
    /// Keep runs made with `--limit`.
    pub allow_limited: bool,
    /// Add calibration columns from the samples files.
    pub calibration: Option<CalibrationColumns>,
}

impl Default for LmEvalOptions {
    fn default() -> Self {
        LmEvalOptions {
            metric: MetricChoice {
                metric: "acc".into(),
                filter: None,
            },
            task_metrics: BTreeMap::new(),
            all_metrics: false,
            orient: false,
            allow_limited: false,
            calibration: None,
        }
    }
}

/// The file a model's tasks were taken from.
#[derive(Debug, Clone, PartialEq)]
pub struct RunUsed {
    /// Model.
    pub model: String,
    /// Results file used.
    pub source: String,
    /// Tasks taken from it.
    pub tasks: Vec<String>,
    /// Older files whose results for these tasks were superseded.
    pub superseded: Vec<String>,
    /// It was a limited run (only with `allow_limited`).
    pub limited: Option<String>,
}

/// What an import did, for the user.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LmEvalReport {
    /// Files used, per model.
    pub used: Vec<RunUsed>,
    /// Limited runs left out: (model, file, how limited).
    pub excluded_limited: Vec<(String, String, String)>,
    /// Things left out or worth knowing (one line each).
    pub warnings: Vec<ImportWarning>,
}

/// Per (model, file used): the tasks taken from it and the files it superseded.
type Chosen<'a> = (Vec<&'a str>, Vec<usize>);

/// Build the matrix from parsed results files.
pub fn build_matrix(
    files: &[ResultsFile],
    options: &LmEvalOptions,
) -> Result<(MatrixBuilder, LmEvalReport), ImportError> {
    let mut report = LmEvalReport::default();
    // (model, task) → candidate file indices.
    let mut candidates: BTreeMap<(&str, &str), Vec<usize>> = BTreeMap::new();
    let mut model_order: Vec<&str> = Vec::new();
    for (i, f) in files.iter().enumerate() {
        if f.is_limited() && !options.allow_limited {
            report.excluded_limited.push((
                f.model.clone(),
                f.source.clone(),
                f.limit_description(),
            ));
            continue;
        }
        if !model_order.contains(&f.model.as_str()) {
            model_order.push(&f.model);
        }
        for t in &f.tasks {
            candidates.entry((&f.model, &t.task)).or_default().push(i);
        }
    }
    // Pick the newest per (model, task), grouped back per (model, file).
    let mut chosen: BTreeMap<(&str, usize), Chosen> = BTreeMap::new();
    for ((model, task), idx) in &candidates {
        let best = idx
            .iter()
            .copied()
            .max_by(|&a, &b| files[a].newness(&files[b]))
            .unwrap_or(idx[0]);
        let entry = chosen.entry((model, best)).or_default();
        entry.0.push(task);
        entry.1.extend(idx.iter().copied().filter(|&i| i != best));
    }
    let mut builder = MatrixBuilder::new();
    for model in model_order {
        for ((_, file_idx), (tasks, older)) in chosen.range((model, 0)..=(model, usize::MAX)) {
            let file = &files[*file_idx];
            let mut superseded: Vec<String> =
                older.iter().map(|&i| files[i].source.clone()).collect();
            superseded.sort();
            superseded.dedup();
            report.used.push(RunUsed {
                model: model.to_string(),
                source: file.source.clone(),
                tasks: tasks.iter().map(|t| t.to_string()).collect(),
                superseded,
                limited: file.is_limited().then(|| file.limit_description()),
            });
            for t in file
                .tasks
                .iter()
                .filter(|t| tasks.contains(&t.task.as_str()))
            {
                add_task_columns(&mut builder, file, t, options, &mut report)?;
            }
        }
    }
    if let Some(cal) = &options.calibration {
        add_calibration_columns(&mut builder, files, &report.used.clone(), cal, &mut report)?;
    }
    Ok((builder, report))
}

/// Value and column description for one metric, oriented if asked.
fn column_for(
    task: &str,
    m: &MetricValue,
    options: &LmEvalOptions,
    with_metric: bool,
) -> (ColumnInfo, f64) {
    let better = Better::from_flag(m.higher_is_better);
    let flip = options.orient && better == Better::Lower;
    let metric = if flip {
        format!("1-{}", m.metric)
    } else {
        m.metric.clone()
    };
    let id = match (with_metric, flip) {
        (true, _) => format!("{task}:{metric},{}", m.filter),
        (false, true) => format!("{task}:{metric}"),
        (false, false) => task.to_string(),
    };
    let filter_note = if m.filter == "none" {
        String::new()
    } else {
        format!(", filter {}", m.filter)
    };
    let info = ColumnInfo {
        id,
        name: task.to_string(),
        metric: if flip {
            format!("1 - {}{filter_note}", m.metric)
        } else {
            format!("{}{filter_note}", m.metric)
        },
        better: if flip { Better::Higher } else { better },
    };
    (info, if flip { 1.0 - m.value } else { m.value })
}

fn add_task_columns(
    builder: &mut MatrixBuilder,
    file: &ResultsFile,
    t: &TaskResult,
    options: &LmEvalOptions,
    report: &mut LmEvalReport,
) -> Result<(), ImportError> {
    let selected: Vec<&MetricValue> = if options.all_metrics {
        t.metrics.iter().collect()
    } else {
        let choices = options
            .task_metrics
            .get(&t.task)
            .map_or(std::slice::from_ref(&options.metric), Vec::as_slice);
        let mut picked = Vec::new();
        for choice in choices {
            match pick_metric(t, choice, &file.source) {
                Ok(m) => picked.push(m),
                Err(why) => report.warnings.push(why),
            }
        }
        picked
    };
    // Several columns of one task are told apart by metric and filter.
    let qualified = options.all_metrics
        || options
            .task_metrics
            .get(&t.task)
            .is_some_and(|choices| choices.len() > 1);
    for m in selected {
        let (info, value) = column_for(&t.task, m, options, qualified);
        let col = builder.column(info);
        if !value.is_finite() {
            builder.model(&file.model);
            report.warnings.push(
                format!(
                    "{}: model '{}', task '{}', metric '{}' is {}: left as a missing cell",
                    file.source, file.model, t.task, m.metric, m.value
                )
                .into(),
            );
            continue;
        }
        builder
            .set(&file.model, col, value)
            .map_err(|e| ImportError::file(&file.source, format!("{}: {e}", t.task)))?;
    }
    Ok(())
}

fn pick_metric<'a>(
    t: &'a TaskResult,
    choice: &MetricChoice,
    source: &str,
) -> Result<&'a MetricValue, ImportWarning> {
    let same: Vec<&MetricValue> = t
        .metrics
        .iter()
        .filter(|m| m.metric == choice.metric)
        .collect();
    if same.is_empty() {
        return Err(ImportWarning::NoMetric {
            source: source.to_string(),
            task: Some(t.task.clone()),
            metric: choice.metric.clone(),
            available: t
                .metrics
                .iter()
                .map(|m| format!("{},{}", m.metric, m.filter))
                .collect(),
        });
    }
    let found = match &choice.filter {
        Some(f) => same.iter().find(|m| &m.filter == f),
        None if same.len() == 1 => same.first(),
        None => same.iter().find(|m| m.filter == "none"),
    };
    found
        .copied()
        .ok_or_else(|| ImportWarning::AmbiguousFilter {
            source: source.to_string(),
            task: t.task.clone(),
            metric: choice.metric.clone(),
            filters: same.iter().map(|m| m.filter.clone()).collect(),
        })
}

/// The samples file lm-eval wrote beside a results file for a task.
pub fn samples_path(results: &ResultsFile, task: &str) -> Option<PathBuf> {
    let ts = results.timestamp.as_ref()?;
    Some(results.folder().join(format!("samples_{task}_{ts}.jsonl")))
}

/// The samples files a task's calibration columns are computed from, each
/// with the task it belongs to: the task's own, or, for a group, one per
/// leaf task ([`ResultsFile::leaf_tasks`]). `Err`: why there are none.
fn calibration_samples<'a>(
    file: &'a ResultsFile,
    t: &'a TaskResult,
) -> Result<Vec<(&'a str, PathBuf)>, ImportWarning> {
    let found = |task: &str| samples_path(file, task).filter(|p| p.is_file());
    if !t.is_group {
        return found(&t.task)
            .map(|p| vec![(t.task.as_str(), p)])
            .ok_or_else(|| {
                format!(
                    "{}: no samples file for task '{}' (run lm-eval with --log_samples); no calibration columns for it",
                    file.source, t.task
                )
                .into()
            });
    }
    let leaves = file.leaf_tasks(&t.task);
    if leaves.is_empty() {
        return Err(format!(
            "{}: group '{}' lists no subtasks (group_subtasks), so there are no subtask values to average; no calibration columns for it",
            file.source, t.task
        )
        .into());
    }
    let (mut paths, mut missing) = (Vec::new(), Vec::new());
    for leaf in &leaves {
        match found(leaf) {
            Some(p) => paths.push((*leaf, p)),
            None => missing.push(*leaf),
        }
    }
    if !missing.is_empty() {
        return Err(format!(
            "{}: group '{}': no samples file for {} of its {} ({}; run lm-eval with --log_samples); no calibration columns for the group (they average the values of every subtask, never of a part)",
            file.source,
            t.task,
            missing.len(),
            crate::words::count(leaves.len(), "subtask", "subtasks"),
            missing.join(", ")
        )
        .into());
    }
    Ok(paths)
}

/// The calibration columns of a task: id prefix and name label, and
/// whether the metric is an RMS calibration error (its note names the
/// variant) rather than a Brier score.
const CALIBRATION_CELLS: [(&str, &str, bool); 4] = [
    ("rmsce", "RMSCE", true),
    ("brier", "Brier Score", false),
    ("rmsce_temp_tuned", "RMSCE Temp Tuned", true),
    ("brier_temp_tuned", "Brier Score Temp Tuned", false),
];

/// One samples file's values of the [`CALIBRATION_CELLS`] (`None` where
/// undefined) and the samples they were computed from.
#[derive(Debug, Clone, Copy)]
struct CalibrationValues {
    n: usize,
    values: [Option<f64>; 4],
}

impl CalibrationValues {
    fn of(r: &CalibrationReport, variant: RmsVariant) -> Self {
        let h = r.headline(variant);
        CalibrationValues {
            n: r.n,
            values: [
                h.rmsce,
                Some(r.brier),
                h.rmsce_temp_tuned,
                h.brier_temp_tuned,
            ],
        }
    }
}

/// A group's value of a metric: the mean of its subtasks' values weighted
/// by their sample counts, `Σ nᵢ·vᵢ / Σ nᵢ` — how lm-eval, and the paper's
/// fork of it, aggregate a group's every metric (`aggregate_subtask_metrics`
/// over the subtasks' `samples`). `parts`: (value, samples) per subtask, at
/// least one.
fn size_weighted_mean(parts: impl IntoIterator<Item = (f64, usize)>) -> f64 {
    let (sum, n) = parts
        .into_iter()
        .fold((0.0, 0usize), |(s, n), (v, k)| (s + v * k as f64, n + k));
    sum / n as f64
}

/// The calibration values of one samples file, computed (and its skipped
/// lines warned about) the first time it is asked for.
fn calibrated(
    path: PathBuf,
    cal: &CalibrationColumns,
    computed: &mut HashMap<PathBuf, CalibrationValues>,
    report: &mut LmEvalReport,
) -> Result<CalibrationValues, ImportError> {
    if let Some(v) = computed.get(&path) {
        return Ok(*v);
    }
    let r = calibrate_file(&path, &cal.options)?;
    if r.skipped_lines > 0 {
        report
            .warnings
            .push(format!("{}: skipped {} malformed lines", r.source, r.skipped_lines).into());
    }
    let v = CalibrationValues::of(&r, cal.variant);
    computed.insert(path, v);
    Ok(v)
}

fn add_calibration_columns(
    builder: &mut MatrixBuilder,
    files: &[ResultsFile],
    used: &[RunUsed],
    cal: &CalibrationColumns,
    report: &mut LmEvalReport,
) -> Result<(), ImportError> {
    let by_source: HashMap<&str, &ResultsFile> =
        files.iter().map(|f| (f.source.as_str(), f)).collect();
    let variant_note = format!("RMS calibration error ({})", cal.variant.as_str());
    // Each samples file is read once, however many groups hold its task,
    // and warned about once.
    let mut computed: HashMap<PathBuf, CalibrationValues> = HashMap::new();
    for run in used {
        let Some(file) = by_source.get(run.source.as_str()) else {
            continue;
        };
        for task in &run.tasks {
            let Some(t) = file.tasks.iter().find(|t| &t.task == task) else {
                continue;
            };
            let paths = match calibration_samples(file, t) {
                Ok(found) => found,
                Err(why) => {
                    report.warnings.push(why);
                    continue;
                }
            };
            let (source, group_note) = if t.is_group {
                (
                    format!("{}: group '{task}'", file.source),
                    format!(
                        ", size-weighted mean over its {}' values",
                        crate::words::count(paths.len(), "subtask", "subtasks")
                    ),
                )
            } else {
                (paths[0].1.display().to_string(), String::new())
            };
            let mut parts: Vec<(&str, CalibrationValues)> = Vec::with_capacity(paths.len());
            for (leaf, path) in paths {
                parts.push((leaf, calibrated(path, cal, &mut computed, report)?));
            }
            for (k, (prefix, label, is_rms)) in CALIBRATION_CELLS.into_iter().enumerate() {
                let metric = if is_rms {
                    variant_note.as_str()
                } else {
                    "Brier Score"
                };
                let col = builder.column(ColumnInfo {
                    id: format!("{prefix}_{task}"),
                    name: format!("{label} {task}"),
                    metric: format!("1 - {metric}{group_note}"),
                    better: Better::Higher,
                });
                let undefined: Vec<&str> = parts
                    .iter()
                    .filter(|(_, v)| v.values[k].is_none())
                    .map(|(leaf, _)| *leaf)
                    .collect();
                if !undefined.is_empty() {
                    let n: usize = parts.iter().map(|(_, v)| v.n).sum();
                    report.warnings.push(
                        if t.is_group {
                            format!(
                                "{source}: {prefix} undefined for {} of its {} ({}; fewer than one bin), so no value for the group",
                                undefined.len(),
                                crate::words::count(parts.len(), "subtask", "subtasks"),
                                undefined.join(", ")
                            )
                        } else {
                            format!(
                                "{source}: {prefix} undefined ({}, fewer than one bin)",
                                crate::words::count(n, "sample", "samples")
                            )
                        }
                        .into(),
                    );
                    continue;
                }
                let value = size_weighted_mean(
                    parts
                        .iter()
                        .filter_map(|(_, v)| v.values[k].map(|x| (x, v.n))),
                );
                builder
                    .set(&file.model, col, 1.0 - value)
                    .map_err(|e| ImportError::file(&source, e))?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_finite_tokens_outside_strings_become_marked_strings() {
        let text = br#"{"a": NaN, "b": [-Infinity, Infinity], "c": "x\" NaN", "d": 1}"#;
        let v: Value = serde_json::from_slice(&non_finite_as_strings(text)).unwrap();
        assert!(non_finite(&v["a"]).unwrap().is_nan());
        assert_eq!(non_finite(&v["b"][0]), Some(f64::NEG_INFINITY));
        assert_eq!(non_finite(&v["b"][1]), Some(f64::INFINITY));
        assert_eq!(v["c"], "x\" NaN");
        assert!(matches!(
            non_finite_as_strings(br#"{"a": 1}"#),
            std::borrow::Cow::Borrowed(_)
        ));
    }

    /// A 0.4.0-style file: `results.json`, model_args string, bare metric
    /// keys, "N/A" stderr, date as a string, two filters, a group.
    const OLD: &str = r#"{
      "results": {
        "grp": {"acc,none": 0.5, "acc_stderr,none": "N/A", "alias": "grp"},
        "t1": {"acc,none": 0.25, "acc_stderr,none": 0.01, "alias": " - t1"},
        "gen": {"exact_match,strict-match": 0.1, "exact_match,flexible-extract": 0.3},
        "bare": {"acc": 0.75, "acc_stderr": 0.02, "brier_score": 0.4}
      },
      "group_subtasks": {"grp": ["t1"], "t1": []},
      "config": {"model": "hf", "model_args": "pretrained=EleutherAI/pythia-70m,dtype=float16", "limit": null},
      "higher_is_better": {"bare": {"acc": true, "brier_score": false}},
      "date": "1700000000.5"
    }"#;

    #[test]
    fn reads_old_layout_variants() {
        let f = parse_results(OLD.as_bytes(), "out/results.json", Some("out")).unwrap();
        assert_eq!(f.model, "EleutherAI/pythia-70m");
        assert_eq!(f.model_from, ModelNameFrom::ModelArgs);
        assert_eq!(f.date, Some(1700000000.5));
        assert!(!f.is_limited());
        let grp = &f.tasks[0];
        assert!(grp.is_group && !f.tasks[1].is_group);
        assert_eq!(grp.metrics.len(), 1); // "N/A" stderr and alias are not metrics
        let bare = &f.tasks[3];
        assert_eq!(bare.metrics[1].metric, "brier_score");
        assert_eq!(bare.metrics[1].filter, "none");
        assert_eq!(bare.metrics[1].higher_is_better, Some(false));
    }

    #[test]
    fn model_args_object_and_folder_fallback() {
        let obj =
            r#"{"results": {}, "config": {"model_args": {"model": "org/x", "base_url": "u"}}}"#;
        assert_eq!(
            parse_results(obj.as_bytes(), "r", None).unwrap().model,
            "org/x"
        );
        let none = r#"{"results": {}, "config": {"model_args": "dtype=float"}}"#;
        let f = parse_results(none.as_bytes(), "r", Some("org/y")).unwrap();
        assert_eq!(
            (f.model.as_str(), f.model_from),
            ("org/y", ModelNameFrom::Folder)
        );
        assert!(parse_results(none.as_bytes(), "r", None).is_err());
        let e = parse_results(b"{\"results\": 3", "r.json", None)
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("r.json:1: not valid JSON"), "{e}");
        let e = parse_results(b" \n", "r.json", None)
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "r.json: the file is empty: expected an lm-eval results file (JSON)"
        );
    }

    #[test]
    fn filters_orientation_and_all_metrics() {
        let f = parse_results(OLD.as_bytes(), "out/results.json", None).unwrap();
        let (b, report) =
            build_matrix(std::slice::from_ref(&f), &LmEvalOptions::default()).unwrap();
        let ids: Vec<&str> = b.columns().iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["grp", "t1", "bare"]); // file order
        assert_eq!(report.warnings.len(), 1, "{:?}", report.warnings);
        assert!(
            report.warnings[0].to_string().contains("no metric 'acc'"),
            "{:?}",
            report.warnings
        );
        let mut ambiguous = LmEvalOptions::default();
        ambiguous
            .task_metrics
            .insert("gen".into(), vec!["exact_match".parse().unwrap()]);
        let (_, report) = build_matrix(std::slice::from_ref(&f), &ambiguous).unwrap();
        assert!(matches!(
            &report.warnings[0],
            ImportWarning::AmbiguousFilter { filters, .. } if filters == &["strict-match", "flexible-extract"]
        ));

        let mut options = LmEvalOptions {
            orient: true,
            ..LmEvalOptions::default()
        };
        options
            .task_metrics
            .insert("bare".into(), vec!["brier_score".parse().unwrap()]);
        options.task_metrics.insert(
            "gen".into(),
            vec!["exact_match,flexible-extract".parse().unwrap()],
        );
        let (b, _) = build_matrix(std::slice::from_ref(&f), &options).unwrap();
        let m = "EleutherAI/pythia-70m";
        assert_eq!(b.get(m, "bare:1-brier_score"), Some(1.0 - 0.4));
        assert_eq!(b.get(m, "gen"), Some(0.3));

        // Two metrics of one task: two columns, told apart by metric and filter.
        let mut two = LmEvalOptions::default();
        two.task_metrics.insert(
            "gen".into(),
            vec![
                "exact_match,strict-match".parse().unwrap(),
                "exact_match,flexible-extract".parse().unwrap(),
            ],
        );
        let (b, _) = build_matrix(std::slice::from_ref(&f), &two).unwrap();
        assert_eq!(b.get(m, "gen:exact_match,strict-match"), Some(0.1));
        assert_eq!(b.get(m, "gen:exact_match,flexible-extract"), Some(0.3));
        assert_eq!(b.get(m, "gen"), None);

        let all = LmEvalOptions {
            all_metrics: true,
            ..LmEvalOptions::default()
        };
        let (b, _) = build_matrix(std::slice::from_ref(&f), &all).unwrap();
        assert_eq!(b.get(m, "gen:exact_match,strict-match"), Some(0.1));
        assert_eq!(b.get(m, "bare:brier_score,none"), Some(0.4));
    }

    #[test]
    fn leaf_tasks_go_through_nested_groups_once() {
        let text = r#"{"model_name": "m", "results": {"outer": {"acc,none": 0.5}},
            "group_subtasks": {"outer": ["inner", "c", "a"], "inner": ["a", "b"],
                               "loop": ["loop2"], "loop2": ["loop", "d"], "empty": [], "a": []}}"#;
        let f = parse_results(text.as_bytes(), "r", None).unwrap();
        assert_eq!(f.leaf_tasks("outer"), ["a", "b", "c"]);
        assert_eq!(f.leaf_tasks("inner"), ["a", "b"]);
        assert_eq!(f.leaf_tasks("loop"), ["d"]);
        assert!(f.leaf_tasks("empty").is_empty() && f.leaf_tasks("a").is_empty());
        assert!(!f.group_subtasks.contains_key("empty"));
    }

    /// One samples line: log-likelihoods and the gold index.
    fn sample(lls: &[f64], gold: usize) -> String {
        let resps: Vec<Value> = lls
            .iter()
            .map(|l| serde_json::json!([l.to_string(), "False"]))
            .collect();
        serde_json::json!({"filtered_resps": resps, "target": gold.to_string()}).to_string() + "\n"
    }

    /// The paper's fork's metrics of one subtask written out plainly, for
    /// the group test: softmax(ll / T), confidence = the top probability,
    /// correct = the first top choice is gold; RMS calibration error over 15
    /// equal-width bins (a confidence on an edge in the lower bin), the mean
    /// over the non-empty bins of (accuracy − mean confidence)², rooted; and
    /// the Brier score. Returns (RMS error, Brier score).
    fn plain_metrics(samples: &[(Vec<f64>, usize)], t: f64) -> (f64, f64) {
        let mut bins = vec![(0.0, 0.0, 0usize); 15];
        let mut brier = 0.0;
        for (lls, gold) in samples {
            let max = lls.iter().map(|l| l / t).fold(f64::NEG_INFINITY, f64::max);
            let total: f64 = lls.iter().map(|l| (l / t - max).exp()).sum();
            let probs: Vec<f64> = lls.iter().map(|l| (l / t - max).exp() / total).collect();
            let top = probs.iter().cloned().fold(0.0, f64::max);
            let first_top = probs.iter().position(|&p| p == top).unwrap();
            let bin = ((top * 15.0).ceil() as usize).clamp(1, 15) - 1;
            bins[bin].0 += top;
            bins[bin].1 += f64::from(u8::from(first_top == *gold));
            bins[bin].2 += 1;
            brier += probs
                .iter()
                .enumerate()
                .map(|(k, p)| (p - f64::from(u8::from(k == *gold))).powi(2))
                .sum::<f64>();
        }
        let gaps: Vec<f64> = bins
            .iter()
            .filter(|b| b.2 > 0)
            .map(|&(conf, hits, n)| (hits / n as f64 - conf / n as f64).powi(2))
            .collect();
        (
            (gaps.iter().sum::<f64>() / gaps.len() as f64).sqrt(),
            brier / samples.len() as f64,
        )
    }

    /// The fork's temperature written out plainly: bisection on [0.2, 5]
    /// on the sign of d/dT of the mean cross-entropy, mean of
    /// (ll_gold − E_p[ll]) / T², then the lowest cross-entropy of (lower,
    /// midpoint, upper).
    fn plain_temperature(samples: &[(Vec<f64>, usize)]) -> f64 {
        let at = |t: f64| {
            let (mut ce, mut slope) = (0.0, 0.0);
            for (lls, gold) in samples {
                let max = lls.iter().map(|l| l / t).fold(f64::NEG_INFINITY, f64::max);
                let total: f64 = lls.iter().map(|l| (l / t - max).exp()).sum();
                let expected: f64 = lls.iter().map(|l| l * (l / t - max).exp() / total).sum();
                ce += max + total.ln() - lls[*gold] / t;
                slope += (lls[*gold] - expected) / (t * t);
            }
            (ce, slope)
        };
        let (mut lower, mut upper) = (0.2, 5.0);
        while upper - lower > 1e-4 {
            let mid = 0.5 * (lower + upper);
            if at(mid).1 > 0.0 {
                upper = mid;
            } else {
                lower = mid;
            }
        }
        let mid = 0.5 * (lower + upper);
        [lower, mid, upper]
            .into_iter()
            .fold((f64::NAN, f64::INFINITY), |best, t| {
                let ce = at(t).0;
                if ce < best.1 { (t, ce) } else { best }
            })
            .0
    }

    #[test]
    fn a_nested_groups_calibration_is_the_size_weighted_mean_of_its_leaves_or_left_out() {
        let dir = tempfile::tempdir().unwrap();
        let ts = "2026-01-01T00-00-00.0";
        let results = dir.path().join(format!("results_{ts}.json"));
        std::fs::write(
            &results,
            r#"{"model_name": "m", "results": {
                "a": {"acc,none": 0.5}, "b": {"acc,none": 0.5}, "c": {"acc,none": 0.5},
                "inner": {"acc,none": 0.5}, "outer": {"acc,none": 0.5}},
              "groups": {"inner": {}, "outer": {}},
              "group_subtasks": {"outer": ["inner", "c"], "inner": ["a", "b"]}}"#,
        )
        .unwrap();
        let leaf = |t: &str| dir.path().join(format!("samples_{t}_{ts}.jsonl"));
        // Three subtasks of different sizes, choice counts and sharpness.
        let mut samples: HashMap<&str, Vec<(Vec<f64>, usize)>> = HashMap::new();
        for (k, (t, n, choices)) in [("a", 120usize, 4usize), ("b", 40, 3), ("c", 25, 2)]
            .into_iter()
            .enumerate()
        {
            let rows: Vec<(Vec<f64>, usize)> = (0..n)
                .map(|i| {
                    let lls = (0..choices)
                        .map(|j| {
                            -((i * (k + 3) + 7 * j) as f64 / 17.0).sin().abs() * (k + j + 1) as f64
                        })
                        .collect();
                    (lls, (i * (k + 2)) % choices)
                })
                .collect();
            let text: String = rows.iter().map(|(l, g)| sample(l, *g)).collect();
            std::fs::write(leaf(t), text).unwrap();
            samples.insert(t, rows);
        }
        let options = |variant| LmEvalOptions {
            calibration: Some(CalibrationColumns {
                options: CalibrationOptions::default(),
                variant,
            }),
            ..LmEvalOptions::default()
        };
        let file = read_results_file(&results).unwrap();
        let (b, report) =
            build_matrix(std::slice::from_ref(&file), &options(RmsVariant::Paper)).unwrap();
        assert!(report.warnings.is_empty(), "{:?}", report.warnings);
        // Each leaf by the plain implementation: (n, [rmsce, brier,
        // rmsce_temp_tuned, brier_temp_tuned]).
        let plain = |t: &str| {
            let rows = &samples[t];
            let (rmsce, brier) = plain_metrics(rows, 1.0);
            let (tuned_rmsce, tuned_brier) = plain_metrics(rows, plain_temperature(rows));
            (rows.len() as f64, [rmsce, brier, tuned_rmsce, tuned_brier])
        };
        let prefixes = ["rmsce", "brier", "rmsce_temp_tuned", "brier_temp_tuned"];
        for t in ["a", "b", "c"] {
            for (k, prefix) in prefixes.iter().enumerate() {
                let got = 1.0 - b.get("m", &format!("{prefix}_{t}")).unwrap();
                // The tuned metrics use f32 log-likelihoods internally.
                let want = plain(t).1[k];
                assert!((got - want).abs() < 1e-6, "{prefix}_{t}: {got} vs {want}");
            }
        }
        for (group, leaves) in [("inner", vec!["a", "b"]), ("outer", vec!["a", "b", "c"])] {
            let pooled: String = leaves
                .iter()
                .map(|t| std::fs::read_to_string(leaf(t)).unwrap())
                .collect();
            let pooled = crate::calibration::read_samples(
                pooled.as_bytes(),
                "pool",
                &CalibrationOptions::default(),
            )
            .unwrap();
            for (k, prefix) in prefixes.iter().enumerate() {
                let got = 1.0 - b.get("m", &format!("{prefix}_{group}")).unwrap();
                let n: f64 = leaves.iter().map(|t| plain(t).0).sum();
                let want = leaves
                    .iter()
                    .map(|t| plain(t).0 * plain(t).1[k])
                    .sum::<f64>()
                    / n;
                assert!(
                    (got - want).abs() < 1e-6,
                    "{prefix}_{group}: {got} vs {want}"
                );
                let unweighted =
                    leaves.iter().map(|t| plain(t).1[k]).sum::<f64>() / leaves.len() as f64;
                assert!((got - unweighted).abs() > 1e-4, "{prefix}_{group}");
            }
            // Brier is a mean over samples: the weighted mean is the pooled
            // value. The RMS error of the pool is another number.
            let brier = 1.0 - b.get("m", &format!("brier_{group}")).unwrap();
            assert!((brier - pooled.brier).abs() < 1e-12);
            let rmsce = 1.0 - b.get("m", &format!("rmsce_{group}")).unwrap();
            assert!((rmsce - pooled.paper.rmsce).abs() > 1e-4);
            let info = b
                .columns()
                .iter()
                .find(|c| c.id == format!("rmsce_{group}"))
                .unwrap();
            assert_eq!(
                info.metric,
                format!(
                    "1 - RMS calibration error (paper), size-weighted mean over its {} subtasks' values",
                    leaves.len()
                )
            );
        }
        // Hendrycks et al.'s RMS error is undefined below one bin of 100
        // samples (b, c): the groups holding them get no rmsce value, and
        // the warning names them; Brier stays.
        let (b, report) =
            build_matrix(std::slice::from_ref(&file), &options(RmsVariant::Reference)).unwrap();
        assert!(b.get("m", "rmsce_a").is_some() && b.get("m", "rmsce_inner").is_none());
        assert!(b.get("m", "brier_outer").is_some() && b.get("m", "rmsce_outer").is_none());
        let said: Vec<String> = report.warnings.iter().map(|w| w.to_string()).collect();
        assert!(
            said.iter().any(|w| w.ends_with(
                "group 'outer': rmsce undefined for 2 of its 3 subtasks (b, c; fewer than one bin), so no value for the group"
            )),
            "{said:?}"
        );
        // A leaf without samples: neither group that holds it gets columns,
        // and the warning names it; the other leaves keep theirs.
        std::fs::remove_file(leaf("b")).unwrap();
        let (b, report) =
            build_matrix(std::slice::from_ref(&file), &options(RmsVariant::Paper)).unwrap();
        let ids: Vec<&str> = b.columns().iter().map(|c| c.id.as_str()).collect();
        assert!(
            ids.contains(&"rmsce_a") && ids.contains(&"rmsce_c"),
            "{ids:?}"
        );
        assert!(
            !ids.iter()
                .any(|c| c.ends_with("inner") && c.starts_with("rmsce")),
            "{ids:?}"
        );
        assert!(!ids.contains(&"brier_outer"), "{ids:?}");
        let said: Vec<String> = report.warnings.iter().map(|w| w.to_string()).collect();
        assert!(
            said.iter()
                .any(|w| w.contains("group 'outer': no samples file for 1 of its 3 subtasks (b;")),
            "{said:?}"
        );
    }

    #[test]
    fn newest_wins_and_limited_runs_are_left_out() {
        let mk = |date: f64, acc: f64, limit: &str| {
            format!(
                r#"{{"model_name": "m", "date": {date}, "config": {{"limit": {limit}}},
                    "results": {{"t": {{"acc,none": {acc}}}}}}}"#
            )
        };
        let files = vec![
            parse_results(mk(2.0, 0.2, "null").as_bytes(), "new", None).unwrap(),
            parse_results(mk(1.0, 0.1, "null").as_bytes(), "old", None).unwrap(),
            parse_results(mk(3.0, 0.3, "10.0").as_bytes(), "lim", None).unwrap(),
        ];
        let (b, report) = build_matrix(&files, &LmEvalOptions::default()).unwrap();
        assert_eq!(b.get("m", "t"), Some(0.2));
        assert_eq!(report.used[0].source, "new");
        assert_eq!(report.used[0].superseded, vec!["old"]);
        assert_eq!(report.excluded_limited[0].1, "lim");
        let allow = LmEvalOptions {
            allow_limited: true,
            ..LmEvalOptions::default()
        };
        let (b, report) = build_matrix(&files, &allow).unwrap();
        assert_eq!(b.get("m", "t"), Some(0.3));
        assert_eq!(report.used[0].limited.as_deref(), Some("limit 10"));
    }
}
