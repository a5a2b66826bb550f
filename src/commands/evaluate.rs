//! `safetywashing evaluate`: run the real lm-evaluation-harness (`lm_eval`)
//! on a model and turn its output into a matrix. The plan, the argument
//! list and the collection are the library's ([`safetywashing::evaluate`]);
//! this module finds the program, spawns it, streams its log to
//! `DIR/lm-eval.log` and draws a progress line per task on a terminal.

use anyhow::{Context, Result, bail};
use clap::{Args, ValueEnum};
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use safetywashing::calibration::{CalibrationOptions, RmsVariant};
use safetywashing::escape;
use safetywashing::evaluate::{
    CollectOptions, INFO_FILE, LOG_FILE, MATRIX_FILE, Plan, Request, Run, Suite, collect,
    lm_eval_args, model_dir, plan, write_outputs,
};
use safetywashing::import::lmeval::CalibrationColumns;
use safetywashing::suite::Manifest;
use std::fs::File;
use std::io::{BufRead, BufReader, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::sync::{Arc, Mutex};

/// How many of lm-eval's last log lines an error quotes.
const LOG_LINES_QUOTED: usize = 3;

/// A named task set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SuiteName {
    /// The paper's 12 capability benchmarks.
    Capabilities,
    /// Every column the manifest can run with upstream lm-eval.
    Paper,
}

/// Flags of `evaluate`.
#[derive(Debug, Args)]
#[command(after_help = "\
Runs lm-eval (`lm_eval`, lm-evaluation-harness 0.4) as a subprocess; its own
output goes under DIR/<model>/ unchanged and its log to DIR/lm-eval.log. Then
DIR/matrix.csv (one row per model evaluated into DIR; the paper's column ids
for the suite's tasks, with the suite's transforms applied, the task name
for other tasks) and DIR/info.csv are written. A second run with the same
DIR and model runs only the tasks without a complete result (a run with
nothing left starts no lm-eval). See `safetywashing suite list` for what each
paper column needs; lm-eval-fork, harness, judge and leaderboard columns
cannot be run by lm-eval.

Examples:
  # a Hugging Face model on a GPU machine, through vLLM
  safetywashing evaluate --model meta-llama/Llama-3.1-8B --backend vllm \\
    --model-args pretrained=meta-llama/Llama-3.1-8B,tensor_parallel_size=2 \\
    --suite capabilities --output eval/
  # any OpenAI-compatible completions server (vLLM, SGLang, TGI, llama.cpp)
  safetywashing evaluate --model my-model --backend local-completions \\
    --model-args model=my-model,base_url=http://localhost:8000/v1/completions \\
    --tasks piqa,arc_challenge --output eval/
  safetywashing score eval/matrix.csv --against base")]
pub struct EvaluateArgs {
    /// Model id: the matrix row.
    #[arg(long, value_name = "ID")]
    pub model: String,

    /// lm-eval model type (its --model): hf, vllm, local-completions,
    /// local-chat-completions, openai-completions, dummy, ….
    #[arg(long, value_name = "TYPE")]
    pub backend: String,

    /// lm-eval's --model_args, passed through (e.g.
    /// `pretrained=…,tensor_parallel_size=…`).
    #[arg(long, value_name = "STR")]
    pub model_args: Option<String>,

    /// lm-eval tasks, comma-separated.
    #[arg(
        long,
        value_name = "A,B,...",
        value_delimiter = ',',
        required_unless_present = "suite",
        conflicts_with = "suite"
    )]
    pub tasks: Vec<String>,

    /// A task set of the paper's suite: `capabilities` (the 12 capability
    /// benchmarks) or `paper` (every column upstream lm-eval can run).
    #[arg(long, value_enum)]
    pub suite: Option<SuiteName>,

    /// Folder of custom task definitions (lm-eval's --include_path).
    #[arg(long, value_name = "DIR")]
    pub include_path: Option<PathBuf>,

    /// Examples per task (lm-eval's --limit; for testing, not for results).
    #[arg(long, value_name = "N")]
    pub limit: Option<f64>,

    /// lm-eval's --batch_size (a number, `auto` or `auto:N`).
    #[arg(long, value_name = "N")]
    pub batch_size: Option<String>,

    /// lm-eval's --device (e.g. cuda:0).
    #[arg(long, value_name = "DEVICE")]
    pub device: Option<String>,

    /// Few-shot count for every task, overriding the suite's and the tasks' own.
    #[arg(long, value_name = "N")]
    pub num_fewshot: Option<u32>,

    /// Keep per-sample output (lm-eval's --log_samples); needed for the
    /// calibration columns (Brier score, RMS calibration error; a group's
    /// the size-weighted means of its subtasks' values).
    #[arg(long)]
    pub log_samples: bool,

    /// The lm_eval program [default: `lm_eval` on PATH].
    #[arg(long, value_name = "PATH", default_value = "lm_eval")]
    pub lm_eval: PathBuf,

    /// Output folder (created if needed).
    #[arg(long, value_name = "DIR")]
    pub output: PathBuf,
}

/// Run `evaluate`.
pub fn run(args: EvaluateArgs) -> Result<ExitCode> {
    if let Some(l) = args.limit
        && !(l.is_finite() && l > 0.0)
    {
        bail!("--limit must be a positive number, found {l}");
    }
    let manifest = Manifest::paper();
    let tasks = match args.suite {
        Some(SuiteName::Capabilities) => Suite::Capabilities.tasks(manifest),
        Some(SuiteName::Paper) => Suite::Paper.tasks(manifest),
        None => args
            .tasks
            .iter()
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty())
            .collect(),
    };
    let request = Request {
        model: args.model.clone(),
        backend: args.backend.clone(),
        model_args: args.model_args.clone(),
        tasks,
        include_path: args.include_path.clone(),
        limit: args.limit,
        batch_size: args.batch_size.clone(),
        device: args.device.clone(),
        num_fewshot: args.num_fewshot,
        log_samples: args.log_samples,
        output: args.output.clone(),
    };
    let plan = plan(&request, manifest)?;
    let out = escape::control(&request.output.display().to_string()).into_owned();
    if plan.runs.is_empty() {
        println!(
            "nothing to do: every task asked for ({}) has a complete result for '{}' in {out}; lm-eval not started",
            request.tasks.join(", "),
            escape::control(&request.model),
        );
    } else {
        if !plan.done.is_empty() {
            let done: Vec<&str> = plan.done.iter().map(|(t, _)| t.as_str()).collect();
            println!(
                "resuming: {} already done ({}); running {}",
                done.len(),
                done.join(", "),
                plan.pending().join(", ")
            );
        }
        let program = find_program(&args.lm_eval)?;
        std::fs::create_dir_all(&request.output)
            .with_context(|| format!("creating {}", request.output.display()))?;
        model_dir(&request.output, &request.model, true)?;
        for run in &plan.runs {
            run_lm_eval(&program, &request, &plan, run)?;
        }
    }
    let calibration = request.log_samples.then(|| CalibrationColumns {
        options: CalibrationOptions::default(),
        variant: RmsVariant::default(),
    });
    let options = CollectOptions {
        allow_limited: request.limit.is_some(),
        calibration,
    };
    let collected = collect(&request.output, manifest, &options)?;
    for w in &collected.report.warnings {
        eprintln!("warning: {}", escape::control(&w.to_string()));
    }
    for c in &collected.caveats {
        eprintln!("warning: {}", escape::control(c));
    }
    write_outputs(&request.output, &collected)?;
    println!(
        "wrote {} ({} × {}) and {}",
        super::paths::shown(&Path::new(&out).join(MATRIX_FILE)),
        safetywashing::words::count(collected.matrix.models().len(), "model", "models"),
        safetywashing::words::count(collected.matrix.columns().len(), "column", "columns"),
        super::paths::shown(&Path::new(&out).join(INFO_FILE)),
    );
    Ok(ExitCode::SUCCESS)
}

/// The program to run: a path as given, or a name looked up on PATH.
fn find_program(program: &Path) -> Result<PathBuf> {
    let install = "install lm-evaluation-harness with `pip install \"lm_eval[api]\"` (or \"lm_eval[hf]\", \"lm_eval[vllm]\") or pass --lm-eval PATH";
    if program.components().count() > 1 {
        if program.is_file() {
            return Ok(program.to_path_buf());
        }
        bail!("lm_eval not found at {}; {install}", program.display());
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|p| p.is_file())
        .ok_or_else(|| {
            anyhow::anyhow!(
                "lm_eval not found: no '{}' in any folder of PATH ({}); {install}",
                program.display(),
                std::env::join_paths(std::env::split_paths(&path))
                    .unwrap_or_default()
                    .to_string_lossy()
            )
        })
}

/// One lm-eval process: log streamed to DIR/lm-eval.log, progress drawn.
fn run_lm_eval(program: &Path, request: &Request, plan: &Plan, run: &Run) -> Result<()> {
    let log_path = request.output.join(LOG_FILE);
    let args = lm_eval_args(request, plan, run);
    let mut log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&log_path)
        .with_context(|| format!("opening {}", log_path.display()))?;
    let shown: Vec<String> = args
        .iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    writeln!(
        log,
        "# safetywashing evaluate: {} {}",
        program.display(),
        shown.join(" ")
    )?;
    let mut child = Command::new(program)
        .args(&args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("starting {}", program.display()))?;
    let log = Arc::new(Mutex::new(log));
    let progress = Arc::new(TaskProgress::new(&run.tasks));
    let readers: Vec<_> = [
        child
            .stdout
            .take()
            .map(|s| Box::new(s) as Box<dyn Read + Send>),
        child
            .stderr
            .take()
            .map(|s| Box::new(s) as Box<dyn Read + Send>),
    ]
    .into_iter()
    .flatten()
    .map(|stream| {
        let (log, progress) = (Arc::clone(&log), Arc::clone(&progress));
        std::thread::spawn(move || stream_lines(stream, &log, &progress))
    })
    .collect();
    let status = child.wait().context("waiting for lm-eval")?;
    for r in readers {
        let _ = r.join();
    }
    progress.finish(status.success());
    if !status.success() {
        let code = status
            .code()
            .map_or_else(|| "a signal".to_string(), |c| format!("status {c}"));
        bail!(
            "lm-eval exited with {code}; {} unchanged; last lines of {}: {}",
            request.output.join(MATRIX_FILE).display(),
            log_path.display(),
            last_lines(&log_path, LOG_LINES_QUOTED)
        );
    }
    Ok(())
}

/// Copy a stream into the log line by line (tqdm's `\r` updates kept), and
/// feed each line to the progress display.
fn stream_lines(stream: Box<dyn Read + Send>, log: &Mutex<File>, progress: &TaskProgress) {
    let mut reader = BufReader::new(stream);
    let mut line = Vec::new();
    while let Ok(n) = reader.read_until(b'\n', &mut line) {
        if n == 0 {
            break;
        }
        if let Ok(mut f) = log.lock() {
            let _ = f.write_all(&line);
        }
        for part in String::from_utf8_lossy(&line).split('\r') {
            progress.observe(part.trim());
        }
        line.clear();
    }
}

/// The last `n` non-empty lines of the log (tqdm updates reduced to their
/// last state), joined into one line.
fn last_lines(path: &Path, n: usize) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text
        .lines()
        .filter_map(|l| l.rsplit('\r').map(str::trim).find(|s| !s.is_empty()))
        .collect();
    let start = lines.len().saturating_sub(n);
    escape::control(&lines[start..].join(" | ")).into_owned()
}

/// One line per task on a terminal: queued, building its contexts, running
/// requests (lm-eval pools the requests of all tasks of a run), done.
struct TaskProgress {
    _multi: Option<MultiProgress>,
    bars: Vec<(String, ProgressBar)>,
}

impl TaskProgress {
    fn new(tasks: &[String]) -> Self {
        if !std::io::stderr().is_terminal() {
            return TaskProgress {
                _multi: None,
                bars: Vec::new(),
            };
        }
        let multi = MultiProgress::with_draw_target(ProgressDrawTarget::stderr());
        let style =
            ProgressStyle::with_template("{spinner} {prefix:24} {bar:30} {pos}/{len} {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_bar());
        let bars = tasks
            .iter()
            .map(|t| {
                let bar = multi.add(ProgressBar::new(0));
                bar.set_style(style.clone());
                bar.set_prefix(t.clone());
                bar.set_message("queued");
                bar.enable_steady_tick(std::time::Duration::from_millis(200));
                (t.clone(), bar)
            })
            .collect();
        TaskProgress {
            _multi: Some(multi),
            bars,
        }
    }

    /// React to one line of lm-eval's output.
    fn observe(&self, line: &str) {
        if self.bars.is_empty() {
            return;
        }
        if let Some(rest) = line.split("Building contexts for ").nth(1) {
            let task = rest.split(" on rank").next().unwrap_or(rest);
            if let Some((_, bar)) = self.bars.iter().find(|(t, _)| t == task) {
                bar.set_message("building contexts");
            }
        } else if line.starts_with("Requesting API") || line.contains("requests") {
            // `Requesting API:  48%|...| 76/160 [...]`: the run's pooled requests.
            let counts = line
                .split('|')
                .nth(2)
                .and_then(|s| s.split_whitespace().next())
                .and_then(|s| s.split_once('/'))
                .and_then(|(a, b)| Some((a.parse::<u64>().ok()?, b.parse::<u64>().ok()?)));
            for (_, bar) in &self.bars {
                if let Some((pos, len)) = counts {
                    bar.set_length(len);
                    bar.set_position(pos);
                }
                bar.set_message("running requests (all tasks of this run)");
            }
        }
    }

    fn finish(&self, ok: bool) {
        for (_, bar) in &self.bars {
            bar.finish_with_message(if ok { "done" } else { "failed" });
        }
    }
}
