//! Running lm-evaluation-harness on a model and turning its output into a
//! matrix: everything but the subprocess itself.
//!
//! One output folder `DIR` holds any number of models. Each model's runs go
//! to `DIR/<slug>/` (lm-eval's `--output_path`; lm-eval adds its own
//! sub-folder and writes `results_<timestamp>.json` and samples there,
//! untouched by this crate), with a marker file naming the model id, so the
//! matrix row is the id asked for whatever lm-eval calls the model.
//!
//! - [`plan`]: which requested tasks already have a complete result for the
//!   model in `DIR` (resuming), and the lm-eval runs left to do;
//! - [`lm_eval_args`]: the argument list of one run;
//! - [`collect`]: every results file in `DIR` through the lm-eval importer
//!   ([`crate::import::lmeval`]), with the suite manifest's metric choice,
//!   column ids and transforms applied;
//! - [`write_outputs`]: `DIR/matrix.csv` and `DIR/info.csv`, atomically.

use crate::atomic::write_atomic;
use crate::import::lmeval::{
    CalibrationColumns, LmEvalOptions, LmEvalReport, MetricChoice, ResultsFile, build_matrix,
    find_results_files, read_results_file,
};
use crate::import::{Better, ColumnInfo, ImportError, MatrixBuilder};
use crate::suite::{Entry, Kind, Manifest, Transform};
use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use thiserror::Error;

/// The file in a model's folder naming the model id it holds.
pub const MODEL_MARKER: &str = "safetywashing-model.txt";

/// The matrix written into the output folder.
pub const MATRIX_FILE: &str = "matrix.csv";

/// The info table written beside it.
pub const INFO_FILE: &str = "info.csv";

/// lm-eval's log, appended to by every run.
pub const LOG_FILE: &str = "lm-eval.log";

/// A named set of tasks from the manifest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Suite {
    /// The paper's 12 capability benchmarks.
    Capabilities,
    /// Every column the manifest can run with upstream lm-eval.
    Paper,
}

impl Suite {
    /// The distinct lm-eval tasks of the suite, in manifest order.
    pub fn tasks(self, manifest: &Manifest) -> Vec<String> {
        let mut tasks: Vec<String> = Vec::new();
        for e in manifest.evaluable() {
            if self == Suite::Capabilities && e.area != "capabilities" {
                continue;
            }
            if let Some(t) = &e.task
                && !tasks.contains(t)
            {
                tasks.push(t.clone());
            }
        }
        tasks
    }
}

/// One evaluation asked for.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Request {
    /// The model id: the matrix row.
    pub model: String,
    /// lm-eval's model type (`--model`): `hf`, `vllm`, `local-completions`, ….
    pub backend: String,
    /// lm-eval's `--model_args`, passed through.
    pub model_args: Option<String>,
    /// lm-eval task names.
    pub tasks: Vec<String>,
    /// Folders of custom task definitions (`--include_path`).
    pub include_path: Option<PathBuf>,
    /// `--limit`: examples per task (a count, or a fraction below 1).
    pub limit: Option<f64>,
    /// `--batch_size`, passed through.
    pub batch_size: Option<String>,
    /// `--device`, passed through.
    pub device: Option<String>,
    /// Few-shot count overriding the manifest's and the tasks' own.
    pub num_fewshot: Option<u32>,
    /// `--log_samples` (needed for calibration columns).
    pub log_samples: bool,
    /// The output folder.
    pub output: PathBuf,
}

/// One lm-eval process to run.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    /// Its tasks.
    pub tasks: Vec<String>,
    /// Its few-shot count (the request's, else the manifest's), if any.
    pub num_fewshot: Option<u32>,
}

/// What is done and what is left.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// Where this model's runs go (`--output_path`).
    pub model_dir: PathBuf,
    /// Requested tasks with a complete result already, and the file holding it.
    pub done: Vec<(String, String)>,
    /// lm-eval runs left (empty: nothing to do).
    pub runs: Vec<Run>,
}

impl Plan {
    /// The tasks left to run, in order.
    pub fn pending(&self) -> Vec<&str> {
        self.runs
            .iter()
            .flat_map(|r| r.tasks.iter().map(String::as_str))
            .collect()
    }
}

/// Why an evaluation could not be planned or collected.
#[derive(Debug, Error)]
pub enum EvaluateError {
    /// Reading lm-eval's output failed.
    #[error(transparent)]
    Import(#[from] ImportError),
    /// A file of the output folder could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// What happened.
        source: std::io::Error,
    },
    /// The model's folder belongs to another model id.
    #[error(
        "{path}: this folder holds model '{other}', not '{model}'; evaluate it into another output folder"
    )]
    FolderTaken {
        /// The marker file.
        path: String,
        /// The id asked for.
        model: String,
        /// The id it holds.
        other: String,
    },
    /// No tasks were asked for.
    #[error("no tasks to evaluate")]
    NoTasks,
}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> EvaluateError + '_ {
    move |source| EvaluateError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// A folder name for a model id: lm-eval's convention (`/` → `__`), and any
/// character outside `[A-Za-z0-9._-]` replaced by `_`.
pub fn slug(model: &str) -> String {
    let s: String = model
        .replace('/', "__")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect();
    match s.as_str() {
        "" | "." | ".." => format!("model{s}"),
        _ => s,
    }
}

/// The model id a folder's marker names, if it has one.
fn marker_model(dir: &Path) -> Option<String> {
    std::fs::read_to_string(dir.join(MODEL_MARKER))
        .ok()
        .map(|s| s.trim_end_matches('\n').to_string())
}

/// The folder of `model` under `output`, claimed with its marker file
/// (created when `claim` is set and it has none yet).
pub fn model_dir(output: &Path, model: &str, claim: bool) -> Result<PathBuf, EvaluateError> {
    let dir = output.join(slug(model));
    match marker_model(&dir) {
        Some(other) if other != model => Err(EvaluateError::FolderTaken {
            path: dir.join(MODEL_MARKER).display().to_string(),
            model: model.to_string(),
            other,
        }),
        Some(_) => Ok(dir),
        None if claim => {
            std::fs::create_dir_all(&dir).map_err(io_error(&dir))?;
            let marker = dir.join(MODEL_MARKER);
            write_atomic(&marker, format!("{model}\n").as_bytes()).map_err(io_error(&marker))?;
            Ok(dir)
        }
        None => Ok(dir),
    }
}

/// Whether `file` holds a complete result for `task` under `limit`: an
/// unlimited run always; a limited one only for a request with the same limit.
fn complete(file: &ResultsFile, task: &str, limit: Option<f64>) -> bool {
    let Some(t) = file.tasks.iter().find(|t| t.task == task) else {
        return false;
    };
    match limit {
        None => file.limit.is_none() && !t.is_limited(),
        Some(l) => file.limit.is_none_or(|f| f == l),
    }
}

/// Read every results file under `dir` (none when it does not exist).
fn results_under(dir: &Path) -> Result<Vec<ResultsFile>, EvaluateError> {
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    find_results_files(&[dir.to_path_buf()])?
        .files
        .iter()
        .map(|(p, _)| read_results_file(p).map_err(EvaluateError::from))
        .collect()
}

/// Which requested tasks are done for the model and which runs are left.
/// Tasks sharing a few-shot count run in one lm-eval process (a model is
/// loaded once per run).
pub fn plan(request: &Request, manifest: &Manifest) -> Result<Plan, EvaluateError> {
    if request.tasks.is_empty() {
        return Err(EvaluateError::NoTasks);
    }
    let model_dir = model_dir(&request.output, &request.model, false)?;
    let files = results_under(&model_dir)?;
    let mut done = Vec::new();
    let mut by_fewshot: BTreeMap<Option<u32>, Vec<String>> = BTreeMap::new();
    for task in &request.tasks {
        if let Some(f) = files
            .iter()
            .filter(|f| complete(f, task, request.limit))
            .max_by(|a, b| a.source.cmp(&b.source))
        {
            done.push((task.clone(), f.source.clone()));
            continue;
        }
        let fewshot = request
            .num_fewshot
            .or_else(|| manifest.by_task(task).find_map(|e| e.num_fewshot));
        by_fewshot.entry(fewshot).or_default().push(task.clone());
    }
    let runs = by_fewshot
        .into_iter()
        .map(|(num_fewshot, tasks)| Run { tasks, num_fewshot })
        .collect();
    Ok(Plan {
        model_dir,
        done,
        runs,
    })
}

/// lm-eval's argument list for one run (without the program itself).
pub fn lm_eval_args(request: &Request, plan: &Plan, run: &Run) -> Vec<OsString> {
    let mut args: Vec<OsString> = Vec::new();
    let mut pair = |flag: &str, value: OsString| {
        args.push(flag.into());
        args.push(value);
    };
    pair("--model", request.backend.clone().into());
    if let Some(a) = &request.model_args {
        pair("--model_args", a.into());
    }
    pair("--tasks", run.tasks.join(",").into());
    pair("--output_path", plan.model_dir.clone().into_os_string());
    if let Some(p) = &request.include_path {
        pair("--include_path", p.clone().into_os_string());
    }
    if let Some(l) = request.limit {
        pair("--limit", l.to_string().into());
    }
    if let Some(b) = &request.batch_size {
        pair("--batch_size", b.into());
    }
    if let Some(d) = &request.device {
        pair("--device", d.into());
    }
    if let Some(n) = run.num_fewshot {
        pair("--num_fewshot", n.to_string().into());
    }
    if request.log_samples {
        args.push("--log_samples".into());
    }
    args
}

/// What [`collect`] found.
#[derive(Debug, Clone)]
pub struct Collected {
    /// The matrix and its info table.
    pub matrix: MatrixBuilder,
    /// What the importer did.
    pub report: LmEvalReport,
    /// Lines to show: unverified transforms used, raw values kept.
    pub caveats: Vec<String>,
}

/// How to read an output folder.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CollectOptions {
    /// Keep runs made with `--limit` (the request had one).
    pub allow_limited: bool,
    /// Add calibration columns from the samples files (`--log_samples`).
    pub calibration: Option<CalibrationColumns>,
}

/// The importer's options for an output folder: the manifest's metrics for
/// each of its lm-eval tasks (every entry of a task: `drop` gives `em` and
/// `f1`), `acc` otherwise.
pub fn import_options(manifest: &Manifest, options: &CollectOptions) -> LmEvalOptions {
    let mut task_metrics: BTreeMap<String, Vec<MetricChoice>> = BTreeMap::new();
    for e in manifest.entries().iter().filter(|e| e.kind == Kind::LmEval) {
        if let (Some(task), Some((metric, filter))) = (&e.task, e.metric_key()) {
            let choice = MetricChoice {
                metric: metric.to_string(),
                filter: filter.map(str::to_string),
            };
            let choices = task_metrics.entry(task.clone()).or_default();
            if !choices.contains(&choice) {
                choices.push(choice);
            }
        }
    }
    LmEvalOptions {
        task_metrics,
        allow_limited: options.allow_limited,
        calibration: options.calibration.clone(),
        ..LmEvalOptions::default()
    }
}

/// Every results file under `output` through the lm-eval importer, each
/// file in a model folder ([`model_dir`]) credited to that folder's model
/// id; then the manifest applied: a column of an lm-eval task in the
/// manifest is renamed to the paper's column id and its values transformed.
/// A task whose transform is unknown keeps its raw values as column
/// `task:metric`, with a caveat; calibration columns come from the importer already
/// oriented (`1 - x`, the manifest's transform for them).
pub fn collect(
    output: &Path,
    manifest: &Manifest,
    options: &CollectOptions,
) -> Result<Collected, EvaluateError> {
    let mut files = results_under(output)?;
    for f in &mut files {
        let owner = Path::new(&f.source)
            .ancestors()
            .skip(1)
            .take_while(|a| a.starts_with(output) && *a != output)
            .find_map(marker_model);
        if let Some(model) = owner {
            f.model = model;
        }
    }
    let (imported, report) = build_matrix(&files, &import_options(manifest, options))?;
    let (matrix, caveats) = apply_manifest(&imported, manifest);
    Ok(Collected {
        matrix,
        report,
        caveats,
    })
}

/// The imported matrix with manifest column ids and transforms.
fn apply_manifest(imported: &MatrixBuilder, manifest: &Manifest) -> (MatrixBuilder, Vec<String>) {
    let mut out = MatrixBuilder::new();
    let mut caveats = Vec::new();
    for model in imported.models() {
        out.model(model);
    }
    for column in imported.columns() {
        let entry = manifest
            .entries()
            .iter()
            .find(|e| e.kind == Kind::LmEval && is_entry_column(e, &column.id));
        let (info, transform) = match entry {
            Some(e) if e.transform != Transform::Unknown => {
                if let Some(c) = e.caveat() {
                    caveats.push(c);
                }
                let metric = match e.transform {
                    Transform::Identity => column.metric.clone(),
                    t => format!("{} with x = {}", t.formula(), column.metric),
                };
                let info = ColumnInfo {
                    id: e.benchmark.clone(),
                    name: e.name.clone(),
                    metric,
                    better: Better::Higher,
                };
                (info, e.transform)
            }
            Some(e) => {
                // Not under the paper's id: its values are not the paper's.
                let id = format!("{}:{}", column.id, column.metric);
                caveats.push(format!(
                    "{}: the transform to the paper's column '{}' is not established; the raw {} is kept as column '{id}'",
                    column.id, e.benchmark, column.metric
                ));
                let info = ColumnInfo {
                    id,
                    ..column.clone()
                };
                (info, Transform::Identity)
            }
            None => (column.clone(), Transform::Identity),
        };
        let c = out.column(info);
        for model in imported.models() {
            if let Some(v) = imported
                .get(model, &column.id)
                .and_then(|v| transform.apply(v))
            {
                // The source matrix held each cell once, so nothing is overwritten.
                let _ = out.set(model, c, v);
            }
        }
    }
    (out, caveats)
}

/// Whether an imported column holds a manifest entry's number: the
/// column of its task (`drop`), or, where the task has several metrics,
/// the column of its metric (`drop:f1,none`).
fn is_entry_column(entry: &Entry, column_id: &str) -> bool {
    let Some(task) = entry.task.as_deref() else {
        return false;
    };
    if column_id == task {
        return true;
    }
    let Some(rest) = column_id
        .strip_prefix(task)
        .and_then(|r| r.strip_prefix(':'))
    else {
        return false;
    };
    let (metric, filter) = rest.split_once(',').unwrap_or((rest, ""));
    entry
        .metric_key()
        .is_some_and(|(m, f)| m == metric && f.is_none_or(|f| f == filter))
}

/// Write `output/matrix.csv` and `output/info.csv` atomically.
pub fn write_outputs(output: &Path, collected: &Collected) -> Result<(), EvaluateError> {
    let matrix = output.join(MATRIX_FILE);
    write_atomic(&matrix, &collected.matrix.matrix_csv()).map_err(io_error(&matrix))?;
    let info = output.join(INFO_FILE);
    write_atomic(&info, &collected.matrix.info_csv()).map_err(io_error(&info))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(dir: &Path) -> Request {
        Request {
            model: "org/M-1".into(),
            backend: "local-completions".into(),
            model_args: Some("model=org/M-1,base_url=http://127.0.0.1:1/v1/completions".into()),
            tasks: vec!["piqa".into(), "mine".into()],
            output: dir.to_path_buf(),
            limit: Some(5.0),
            log_samples: true,
            ..Request::default()
        }
    }

    fn results(task: &str, limit: &str, model: &str) -> String {
        format!(
            r#"{{"results": {{"{task}": {{"alias": "{task}", "acc,none": 0.75}}}},
               "config": {{"model_args": "model={model}", "limit": {limit}}},
               "model_name": "{model}", "date": 1.0}}"#
        )
    }

    #[test]
    fn slugs_are_folder_names() {
        assert_eq!(slug("org/Model-7B"), "org__Model-7B");
        assert_eq!(slug("a b:c"), "a_b_c");
        assert_eq!(slug(".."), "model..");
    }

    #[test]
    fn argument_list_passes_everything_through() {
        let dir = tempfile::tempdir().unwrap();
        let r = request(dir.path());
        let p = plan(&r, Manifest::paper()).unwrap();
        assert!(p.done.is_empty());
        assert_eq!(p.pending(), ["piqa", "mine"]);
        let args: Vec<String> = lm_eval_args(&r, &p, &p.runs[0])
            .into_iter()
            .map(|a| a.into_string().unwrap())
            .collect();
        let dir_arg = dir.path().join("org__M-1").display().to_string();
        let expected = [
            "--model",
            "local-completions",
            "--model_args",
            "model=org/M-1,base_url=http://127.0.0.1:1/v1/completions",
            "--tasks",
            "piqa,mine",
            "--output_path",
            &dir_arg,
            "--limit",
            "5",
            "--log_samples",
        ];
        assert_eq!(args, expected);
    }

    #[test]
    fn resume_counts_complete_results_only() {
        let dir = tempfile::tempdir().unwrap();
        let mut r = request(dir.path());
        let folder = model_dir(dir.path(), &r.model, true)
            .unwrap()
            .join("lm-eval-name");
        std::fs::create_dir_all(&folder).unwrap();
        std::fs::write(
            folder.join("results_2026-01-01T00-00-00.0.json"),
            results("piqa", "5.0", "lm-eval-name"),
        )
        .unwrap();
        // Same limit: piqa is done.
        let p = plan(&r, Manifest::paper()).unwrap();
        assert_eq!(p.done.len(), 1);
        assert_eq!(p.pending(), ["mine"]);
        // No limit now: the limited run is not a complete result.
        r.limit = None;
        assert_eq!(
            plan(&r, Manifest::paper()).unwrap().pending(),
            ["piqa", "mine"]
        );
        // Another model id cannot take the folder.
        std::fs::write(dir.path().join("org__M-1").join(MODEL_MARKER), "other\n").unwrap();
        assert!(matches!(
            plan(&r, Manifest::paper()),
            Err(EvaluateError::FolderTaken { .. })
        ));
    }

    #[test]
    fn collect_renames_by_marker_and_applies_the_manifest() {
        let dir = tempfile::tempdir().unwrap();
        let folder = model_dir(dir.path(), "org/M-1", true).unwrap().join("x");
        std::fs::create_dir_all(&folder).unwrap();
        let text = r#"{"results": {
              "crows_pairs_english": {"likelihood_diff,none": 3.5, "pct_stereotype,none": 0.6},
              "copa": {"acc,none": 0.9},
              "drop": {"em,none": 0.31, "f1,none": 0.42},
              "wmdp": {"acc,none": 0.4},
              "mine": {"acc,none": 0.25}},
            "config": {"model_args": "model=x", "limit": null},
            "model_name": "x", "date": 1.0}"#;
        std::fs::write(folder.join("results_2026-01-01T00-00-00.0.json"), text).unwrap();
        let c = collect(dir.path(), Manifest::paper(), &CollectOptions::default()).unwrap();
        let m = &c.matrix;
        assert_eq!(m.models(), ["org/M-1"]);
        assert_eq!(m.get("org/M-1", "crows_pairs_english"), Some(-3.5));
        assert_eq!(m.get("org/M-1", "superglue_copa"), Some(0.9));
        // One task, two of the paper's columns.
        assert_eq!(m.get("org/M-1", "drop_em"), Some(0.31));
        assert_eq!(m.get("org/M-1", "drop_f1"), Some(0.42));
        assert_eq!(m.get("org/M-1", "wmdp:acc"), Some(0.4));
        assert_eq!(m.get("org/M-1", "wmdp"), None);
        assert_eq!(m.get("org/M-1", "mine"), Some(0.25));
        assert!(
            c.caveats
                .iter()
                .any(|l| l.contains("wmdp") && l.contains("not established"))
        );
        write_outputs(dir.path(), &c).unwrap();
        let info = std::fs::read_to_string(dir.path().join(INFO_FILE)).unwrap();
        assert!(info.contains("crows_pairs_english"), "{info}");
    }
}
