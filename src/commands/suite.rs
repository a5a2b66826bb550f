//! `safetywashing suite list`: the paper's benchmark suite (the manifest),
//! with what each column needs.

use super::args::{WidthArgs, formats};
use super::emit;
use anyhow::Result;
use clap::{Args, Subcommand};
use safetywashing::output::{Format, Table};
use safetywashing::suite::{Entry, Kind, Manifest};
use serde_json::{Value, json};
use std::process::ExitCode;

/// Flags of `suite`.
#[derive(Debug, Args)]
pub struct SuiteArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: SuiteCommand,
}

/// Subcommands of `suite`.
#[derive(Debug, Subcommand)]
pub enum SuiteCommand {
    /// Every column of the paper's matrices: area, harness, lm-eval task,
    /// metric, transform, and what it needs.
    #[command(after_help = "\
kind: lm-eval (an upstream lm-evaluation-harness task: `evaluate` runs it),
calibration (computed from an upstream task's samples: `evaluate
--log-samples`), lm-eval-fork (a task only in the paper authors' fork
steven-basart/lm-evaluation-harness: pass its task folder with
--include-path), harness (another harness, e.g. HarmBench, MACHIAVELLI),
judge (a judge model), leaderboard (a public leaderboard). transform maps
the harness's raw number x to the matrix's orientation (higher is safer or
better); `verified no` marks a transform or metric not established from the
paper, its info table and the task definitions (see the note).

Examples:
  safetywashing suite list
  safetywashing suite list --evaluable
  safetywashing suite list --format json")]
    List(ListArgs),
}

/// Flags of `suite list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only the columns `evaluate` can produce with upstream lm-eval.
    #[arg(long)]
    pub evaluable: bool,

    /// Output format: text or json.
    #[arg(long, default_value = "text", value_parser = formats(&[Format::Text, Format::Json]))]
    pub format: Format,

    #[command(flatten)]
    pub width: WidthArgs,
}

/// Run `suite`.
pub fn run(args: SuiteArgs) -> Result<ExitCode> {
    match args.command {
        SuiteCommand::List(list) => run_list(&list),
    }
}

fn run_list(args: &ListArgs) -> Result<ExitCode> {
    args.width.apply();
    let entries: Vec<&Entry> = Manifest::paper()
        .entries()
        .iter()
        .filter(|e| !args.evaluable || e.evaluable())
        .collect();
    let bytes = if args.format == Format::Json {
        let list: Vec<Value> = entries.iter().map(|e| entry_json(e)).collect();
        let mut b = serde_json::to_vec_pretty(&list)?;
        b.push(b'\n');
        b
    } else {
        text(&entries).into_bytes()
    };
    emit(&bytes, None)?;
    Ok(ExitCode::SUCCESS)
}

fn entry_json(e: &Entry) -> Value {
    json!({
        "benchmark": e.benchmark,
        "name": e.name,
        "area": e.area,
        "kind": e.kind.as_str(),
        "harness": e.harness,
        "task": e.task,
        "metric": e.metric,
        "num_fewshot": e.num_fewshot,
        "transform": e.transform.as_str(),
        "formula": e.transform.formula(),
        "verified": e.verified,
        "evaluable": e.evaluable(),
        "needs": e.kind.needs(),
        "note": e.note,
    })
}

fn text(entries: &[&Entry]) -> String {
    let table = Table {
        header: [
            "benchmark",
            "area",
            "kind",
            "task",
            "metric",
            "transform",
            "verified",
        ]
        .map(str::to_string)
        .to_vec(),
        rows: entries
            .iter()
            .map(|e| {
                vec![
                    e.benchmark.clone(),
                    e.area.clone(),
                    e.kind.as_str().to_string(),
                    e.task.clone().unwrap_or_else(|| "-".into()),
                    e.metric.clone().unwrap_or_else(|| "-".into()),
                    e.transform.formula().to_string(),
                    if e.verified { "yes" } else { "no" }.to_string(),
                ]
            })
            .collect(),
        numeric: Vec::new(),
    };
    let evaluable = entries.iter().filter(|e| e.evaluable()).count();
    let mut out = table.plain();
    out.push_str(&format!(
        "\n\n{} of {} columns can be run by `safetywashing evaluate` (upstream lm-eval); the others need:\n",
        evaluable,
        entries.len()
    ));
    for kind in Kind::ALL {
        let n = entries
            .iter()
            .filter(|e| e.kind == kind && !e.evaluable())
            .count();
        let needs = match kind {
            Kind::LmEval | Kind::Calibration => {
                "no upstream task, or a transform not established (see the note)"
            }
            other => other.needs(),
        };
        if n > 0 {
            out.push_str(&format!("  {n} × {}: {needs}\n", kind.as_str()));
        }
    }
    out
}
