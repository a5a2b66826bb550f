//! `safetywashing import`: evaluation engines' output → a benchmark matrix.

use super::emit;
use super::paths::{Files, Use};
use anyhow::{Result, bail};
use clap::{Args, Subcommand};
use safetywashing::calibration::{CalibrationOptions, DEFAULT_BIN_SIZE, RmsVariant};
use safetywashing::import::ImportWarning;
use safetywashing::import::lmeval::{self, CalibrationColumns, LmEvalOptions, MetricChoice};
use safetywashing::import::long::{Dedupe, LongOptions, parse_long};
use safetywashing::import::walk::Walk;
use safetywashing::import::{ImportError, MatrixBuilder, inspect};
use safetywashing::load::{MatrixFormat, parse_matrix};
use safetywashing::words::count;
use std::path::PathBuf;
use std::process::ExitCode;

/// Flags of `import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    #[command(subcommand)]
    pub source: ImportSource,
}

/// Where the matrix goes; shared by every importer.
#[derive(Debug, Args)]
pub struct OutputArgs {
    /// Matrix to write (atomically) [default: standard output].
    #[arg(long, short, value_name = "MATRIX.csv")]
    pub output: Option<PathBuf>,

    /// Also write a benchmark info table `benchmark,name,metric` (with the
    /// metric's ↑/↓ arrow) for `analyze --info`.
    #[arg(long, value_name = "INFO.csv")]
    pub info_out: Option<PathBuf>,

    /// Columns whose scores are lower-is-better (↓ in the info table),
    /// comma-separated; every other column the engine recorded no direction
    /// for is written as higher-is-better (↑).
    #[arg(long, value_name = "COL,...", value_delimiter = ',')]
    pub lower_is_better: Vec<String>,
}

impl OutputArgs {
    /// Refuse an output that is also an input or the other output.
    fn check(&self, role: &'static str, inputs: &[PathBuf]) -> Result<()> {
        Files::default()
            .with_all(role, inputs, Use::Read)
            .with("--output", self.output.as_deref(), Use::Write)
            .with("--info-out", self.info_out.as_deref(), Use::Write)
            .check()
    }
}

/// The engine whose output is read.
#[derive(Debug, Subcommand)]
pub enum ImportSource {
    /// lm-evaluation-harness output folders (0.4.x).
    #[command(after_help = "\
Walks the folders for results_<timestamp>.json (0.4.3 on) and results.json
(0.4.0-0.4.2). One row per model (model_name, else model_args, else the
folder), one column per task (groups included). When several files hold a
model's task, the newest wins (date, then the file's timestamp); stderr says
which file was used and which it superseded. Runs made with --limit are
flagged and left out unless --allow-limited.

Examples:
  safetywashing import lm-eval out/ -o matrix.csv --info-out info.csv
  safetywashing import lm-eval out/ --task-metric fix_arith=acc_norm,none -o m.csv
  safetywashing import lm-eval out/ --metric brier_score --orient -o m.csv
  safetywashing import lm-eval out/ --calibration -o m.csv --info-out info.csv
  safetywashing analyze m.csv --info info.csv --capabilities fix_arith,fix_compare,fix_unit")]
    LmEval(LmEvalArgs),
    /// Inspect AI logs (.eval archives or .json), or folders of them.
    #[command(after_help = "\
Model from eval.model, task from eval.task, score from the first scorer's
results.scores[].metrics.<METRIC>. Logs of failed runs are reported and left
out; the newest log (eval.created) of a model's task wins.

Examples:
  safetywashing import inspect logs/ -o matrix.csv
  safetywashing import inspect logs/*.eval --metric stderr")]
    Inspect(InspectArgs),
    /// A long table (one row per model × benchmark), e.g. a leaderboard export.
    #[command(after_help = "\
Examples:
  safetywashing import long board.csv --model-col Model --benchmark-col Benchmark \\
      --score-col Score --percent -o matrix.csv
  safetywashing import long runs.csv --model-col model --benchmark-col task \\
      --score-col acc --dedupe max    # a model's task twice: keep the higher")]
    Long(LongArgs),
}

/// Flags of `import lm-eval`.
#[derive(Debug, Args)]
pub struct LmEvalArgs {
    /// Output folders of lm-eval (`--output_path`), or results files.
    #[arg(value_name = "DIR", required = true)]
    pub dirs: Vec<PathBuf>,

    #[command(flatten)]
    pub out: OutputArgs,

    /// Metric of every task's column: METRIC or METRIC,FILTER.
    #[arg(long, default_value = "acc", value_name = "METRIC[,FILTER]")]
    pub metric: MetricChoice,

    /// Per-task metric: TASK=METRIC or TASK=METRIC,FILTER (repeatable; a
    /// task given twice gets one column per metric, named TASK:METRIC,FILTER).
    #[arg(long, value_name = "TASK=METRIC[,FILTER]")]
    pub task_metric: Vec<String>,

    /// One column per task:metric,filter instead of one per task.
    #[arg(long, conflicts_with_all = ["metric", "task_metric"])]
    pub all_metrics: bool,

    /// Lower-is-better metrics become `1 - value`, in columns named
    /// `task:1-metric`.
    #[arg(long)]
    pub orient: bool,

    /// Keep runs made with --limit (flagged on stderr).
    #[arg(long)]
    pub allow_limited: bool,

    /// Add rmsce_<task>, brier_<task>, rmsce_temp_tuned_<task> and
    /// brier_temp_tuned_<task> columns (as 1 - value, like the paper's
    /// matrices) from the samples files (--log_samples); a group's are the
    /// size-weighted means of its subtasks' values, as lm-eval aggregates
    /// groups (none if a subtask has no samples file).
    #[arg(long)]
    pub calibration: bool,

    /// With --calibration: skip malformed samples lines (counted on stderr)
    /// instead of failing.
    #[arg(long, requires = "calibration")]
    pub skip_bad_lines: bool,

    /// Calibration variant of the rmsce, rmsce_temp_tuned and
    /// brier_temp_tuned columns: paper (the paper's 15 equal-width bins and
    /// temperature bisection), reference or corrected (Hendrycks et al.'s
    /// adaptive bins); see `calibrate --help`.
    #[arg(long, default_value = "paper", value_parser = clap::value_parser!(RmsVariant))]
    pub rms_variant: RmsVariant,
}

/// Flags of `import inspect`.
#[derive(Debug, Args)]
pub struct InspectArgs {
    /// Log files or folders.
    #[arg(value_name = "LOG", required = true)]
    pub logs: Vec<PathBuf>,

    #[command(flatten)]
    pub out: OutputArgs,

    /// Metric of the scorer to take.
    #[arg(long, default_value = "accuracy")]
    pub metric: String,
}

/// Flags of `import long`.
#[derive(Debug, Args)]
pub struct LongArgs {
    /// The long-format CSV.
    #[arg(value_name = "FILE.csv")]
    pub file: PathBuf,

    #[command(flatten)]
    pub out: OutputArgs,

    /// Header of the model column.
    #[arg(long, value_name = "C")]
    pub model_col: String,

    /// Header of the benchmark column.
    #[arg(long, value_name = "C")]
    pub benchmark_col: String,

    /// Header of the score column.
    #[arg(long, value_name = "C")]
    pub score_col: String,

    /// Scores are percentages (`77.0%` or `77.0`): divide by 100.
    #[arg(long)]
    pub percent: bool,

    /// Keep one value for a model × benchmark given twice: max, mean or last
    /// [default: an error].
    #[arg(long, value_name = "RULE", value_parser = clap::value_parser!(Dedupe))]
    pub dedupe: Option<Dedupe>,
}

/// Run `import`.
pub fn run(args: ImportArgs) -> Result<ExitCode> {
    match args.source {
        ImportSource::LmEval(a) => {
            a.out.check("DIR", &a.dirs)?;
            run_lm_eval(a)
        }
        ImportSource::Inspect(a) => {
            a.out.check("LOG", &a.logs)?;
            run_inspect(a)
        }
        ImportSource::Long(a) => {
            a.out.check("FILE.csv", std::slice::from_ref(&a.file))?;
            let bytes = safetywashing::load::read_whole(&a.file)?;
            let options = LongOptions {
                model_col: a.model_col,
                benchmark_col: a.benchmark_col,
                score_col: a.score_col,
                percent: a.percent,
                dedupe: a.dedupe,
            };
            let table = parse_long(&bytes, &a.file.display().to_string(), &options)?;
            for w in &table.warnings {
                eprintln!("warning: {}", warning(w));
            }
            write(table.builder, &a.out)
        }
    }
}

fn run_lm_eval(a: LmEvalArgs) -> Result<ExitCode> {
    let mut options = LmEvalOptions {
        metric: a.metric,
        all_metrics: a.all_metrics,
        orient: a.orient,
        allow_limited: a.allow_limited,
        calibration: a.calibration.then(|| CalibrationColumns {
            options: CalibrationOptions {
                bin_size: DEFAULT_BIN_SIZE,
                skip_bad_lines: a.skip_bad_lines,
                ..CalibrationOptions::default()
            },
            variant: a.rms_variant,
        }),
        ..LmEvalOptions::default()
    };
    for tm in &a.task_metric {
        let Some((task, choice)) = tm.split_once('=') else {
            bail!("--task-metric '{tm}': expected TASK=METRIC or TASK=METRIC,FILTER");
        };
        let choice: MetricChoice = choice
            .parse()
            .map_err(|e| anyhow::anyhow!("--task-metric {e}"))?;
        options
            .task_metrics
            .entry(task.trim().to_string())
            .or_default()
            .push(choice);
    }
    let found = lmeval::find_results_files(&a.dirs)?;
    say_skipped_links(&found);
    let paths: Vec<_> = found.files.into_iter().map(|(p, _)| p).collect();
    if paths.is_empty() {
        bail!(
            "no results_*.json or results.json under {}",
            a.dirs
                .iter()
                .map(|d| d.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let files = paths
        .iter()
        .map(|p| lmeval::read_results_file(p))
        .collect::<Result<Vec<_>, _>>()?;
    let (builder, report) = lmeval::build_matrix(&files, &options)?;
    for u in &report.used {
        eprintln!(
            "{}: using {} ({})",
            shown(&u.model),
            shown(&u.source),
            shown(&u.tasks.join(", "))
        );
        for s in &u.superseded {
            eprintln!("  supersedes older {}", shown(s));
        }
        if let Some(l) = &u.limited {
            eprintln!(
                "  warning: limited run ({}), kept by --allow-limited",
                shown(l)
            );
        }
    }
    for (model, source, how) in &report.excluded_limited {
        eprintln!(
            "{}: left out limited run {} ({}); --allow-limited keeps it",
            shown(model),
            shown(source),
            shown(how)
        );
    }
    for w in &report.warnings {
        eprintln!("warning: {}", warning(w));
    }
    write(builder, &a.out)
}

/// Name each symbolic link a folder walk did not follow.
fn say_skipped_links(found: &Walk) {
    for link in &found.skipped_links {
        eprintln!(
            "note: skipped {}: the same folder or file as one already read (a link or a repeated path)",
            shown(&link.display().to_string())
        );
    }
}

fn run_inspect(a: InspectArgs) -> Result<ExitCode> {
    let mut logs = Vec::new();
    let found = inspect::find_logs(&a.logs)?;
    say_skipped_links(&found);
    for (path, explicit) in found.files {
        match inspect::read_log(&path) {
            Ok(log) => logs.push(log),
            // A file found in a folder that is not an Inspect log (e.g. the
            // log folder's own index) is reported, not fatal.
            Err(e) if !explicit && !matches!(e, ImportError::Io { .. }) => {
                eprintln!("warning: skipped {e}");
            }
            Err(e) => return Err(e.into()),
        }
    }
    let (builder, report) = inspect::build_matrix(&logs, &a.metric);
    for (model, task, source, older) in &report.used {
        eprintln!("{}: {} from {}", shown(model), shown(task), shown(source));
        for o in older {
            eprintln!("  supersedes older {}", shown(o));
        }
    }
    for w in &report.warnings {
        eprintln!("warning: {}", warning(w));
    }
    write(builder, &a.out)
}

/// Write the matrix (and info table), or fail when it is empty.
fn write(mut builder: MatrixBuilder, out: &OutputArgs) -> Result<ExitCode> {
    if builder.models().is_empty() || builder.columns().is_empty() {
        bail!("nothing to import: no model has a usable score (see the messages above)");
    }
    let lower: Vec<String> = out
        .lower_is_better
        .iter()
        .map(|c| c.trim().to_string())
        .filter(|c| !c.is_empty())
        .collect();
    let assumed = match builder.resolve_directions(&lower) {
        Ok(assumed) => assumed,
        Err(unknown) => bail!(
            "--lower-is-better names {} not imported: {}; the imported columns are {}",
            count(unknown.len(), "column", "columns"),
            unknown.join(", "),
            builder
                .columns()
                .iter()
                .map(|c| c.id.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    if out.info_out.is_some() && !assumed.is_empty() {
        eprintln!(
            "note: no direction recorded for {}; written as higher-is-better (↑) in the info table (--lower-is-better COLS marks the others)",
            count(assumed.len(), "column", "columns")
        );
    }
    let csv = builder.matrix_csv();
    // What is written must load back: a model id with a line break, or a
    // benchmark named like the model column, would not.
    let format = MatrixFormat {
        meta_columns: Vec::new(),
        compute_column: None,
        ..MatrixFormat::default()
    };
    if let Err(e) = parse_matrix(&csv, "the imported matrix", &format) {
        bail!("nothing written: {e}; the matrix format cannot hold that model or benchmark name");
    }
    emit(&csv, out.output.as_deref())?;
    if let Some(info) = &out.info_out {
        emit(&builder.info_csv(), Some(info))?;
    }
    if let Some(p) = &out.output {
        eprintln!(
            "wrote {} × {} to {}",
            count(builder.models().len(), "model", "models"),
            count(builder.columns().len(), "column", "columns"),
            super::paths::shown(p)
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// A name from an evaluation file, safe for the terminal.
fn shown(text: &str) -> std::borrow::Cow<'_, str> {
    safetywashing::escape::control(text)
}

/// An import warning in the command line's words (naming the flag that
/// settles it), safe for the terminal.
fn warning(w: &ImportWarning) -> String {
    // The library's words, with the flag that settles the warning appended
    // (the way `errors::flag_message` does for errors).
    let text = match w {
        ImportWarning::NoMetric { task: None, .. } => format!("{w} (see --metric)"),
        ImportWarning::NoMetric { task: Some(_), .. } => format!("{w} (see --task-metric)"),
        ImportWarning::AmbiguousFilter { task, metric, .. } => {
            format!("{w} with --task-metric {task}={metric},FILTER")
        }
        other => other.to_string(),
    };
    shown(&text).into_owned()
}
