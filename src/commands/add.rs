//! `safetywashing add`: add a benchmark column to a matrix (and its row to
//! an info table), every other byte kept, written atomically.

use super::args::LayoutArgs;
use super::paths::{Files, Use, lock_for_edit};
use anyhow::{Context, Result};
use clap::Args;
use safetywashing::add::{AddRequest, plan_add, read_new_column};
use safetywashing::atomic::write_atomic;
use safetywashing::load::Direction;
use safetywashing::names::AliasTable;
use safetywashing::words::count;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

/// Flags of `add`.
#[derive(Debug, Args)]
#[command(after_help = "\
The column is appended after the last column (or, with --replace, written
over the existing one in place). Every other cell keeps its exact text, the
line endings and the row order are kept, and new cells keep the text they
have in --from. Models are matched as in `check` (exact, --aliases, then
case / org/ prefix / -hf / separators); unmatched models are listed and left
empty. The file is written to a temporary file beside it and renamed, so it is
never half-written.

Examples:
  safetywashing add benchmarks_chat_models.csv --from my_bench.csv --benchmark my_bench \\
      --info benchmarks_info.csv --name 'My Bench' --metric 'Accuracy (↑)' --dry-run
  safetywashing add matrix.csv --from refusals.csv --column refusal_rate --benchmark refusal
  safetywashing add matrix.csv --from more.csv --column over_refusal --benchmark refusal \\
      --aliases aliases.csv --replace    # replace the column just added")]
pub struct AddArgs {
    /// The matrix to edit.
    #[arg(value_name = "MATRIX")]
    pub target: PathBuf,

    /// The new scores (CSV, model names in the first column).
    #[arg(long, value_name = "NEW.csv")]
    pub from: PathBuf,

    /// Id of the new benchmark: the column header and the info row's id.
    #[arg(long, value_name = "ID")]
    pub benchmark: String,

    /// Column of --from holding the scores [default: its only score column].
    #[arg(long, value_name = "COL")]
    pub column: Option<String>,

    /// Display name for the info row [default: the id].
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,

    /// Metric for the info row, with its direction arrow, e.g. "Accuracy (↑)"
    /// or "Error rate (↓)" (needed with --info).
    #[arg(long, value_name = "TEXT")]
    pub metric: Option<String>,

    /// Overwrite an existing column (and info row) with this id.
    #[arg(long)]
    pub replace: bool,

    /// Show the changes as a diff; write nothing.
    #[arg(long)]
    pub dry_run: bool,

    /// Alias table `from,to`: a name in --from and the matrix's name for it.
    #[arg(long, value_name = "FILE")]
    pub aliases: Option<PathBuf>,

    /// Info table `benchmark,name,metric` to add the benchmark's row to
    /// (edited in place, like MATRIX); needs --metric.
    #[arg(long, value_name = "FILE")]
    pub info: Option<PathBuf>,

    /// How to read the matrix.
    #[command(flatten)]
    pub layout: LayoutArgs,
}

/// Run `add`.
pub fn run(args: AddArgs) -> Result<ExitCode> {
    let read = |p: &PathBuf| super::paths::read_whole(p);
    Files::default()
        .with("MATRIX", Some(&args.target), Use::Edit)
        .with("--info", args.info.as_deref(), Use::Edit)
        .with("--from", Some(&args.from), Use::Read)
        .with("--aliases", args.aliases.as_deref(), Use::Read)
        .check()?;
    // Held until the end: a second `add` of this matrix waits, then reads
    // the file with this run's column in it.
    let _locks = if args.dry_run {
        Vec::new()
    } else {
        std::iter::once(&args.target)
            .chain(&args.info)
            .map(|p| lock_for_edit(p))
            .collect::<Result<Vec<_>>>()?
    };
    let matrix_bytes = read(&args.target)?;
    let matrix_name = args.target.display().to_string();
    let new = read_new_column(
        &read(&args.from)?,
        &args.from.display().to_string(),
        args.column.as_deref(),
    )?;
    let aliases = match &args.aliases {
        Some(p) => Some(AliasTable::load(p)?),
        None => None,
    };
    let info_row = match (&args.info, &args.metric) {
        (Some(_), Some(metric)) => {
            if Direction::from_metric(metric) == Direction::Unspecified {
                eprintln!(
                    "warning: --metric '{metric}' has no direction arrow (↑ higher is better, ↓ lower is better)"
                );
            }
            Some((
                args.name.clone().unwrap_or_else(|| args.benchmark.clone()),
                metric.clone(),
            ))
        }
        (Some(_), None) => anyhow::bail!(
            "--info needs --metric: the info row's metric with its direction arrow, e.g. --metric 'Accuracy (↑)'"
        ),
        (None, Some(_)) => {
            anyhow::bail!("--metric goes into the info table: also pass --info INFO.csv")
        }
        (None, None) => {
            if args.name.is_some() {
                anyhow::bail!("--name goes into the info table: also pass --info INFO.csv")
            }
            None
        }
    };
    let info_bytes = match &args.info {
        Some(p) => Some((read(p)?, p.display().to_string())),
        None => None,
    };
    let plan = plan_add(
        &matrix_bytes,
        &matrix_name,
        &args.layout.format(),
        &new,
        aliases.as_ref(),
        info_bytes.as_ref().map(|(b, s)| (b.as_slice(), s.as_str())),
        &AddRequest {
            benchmark: args.benchmark.clone(),
            replace: args.replace,
            info_row,
        },
    )?;

    let mut report = String::new();
    let _ = writeln!(
        report,
        "{} column '{}' in {}: {} of {} given a value",
        if plan.replaced_column {
            "Replaced"
        } else {
            "Added"
        },
        args.benchmark.trim(),
        matrix_name,
        plan.filled,
        count(plan.filled + plan.left_empty.len(), "model", "models")
    );
    if !plan.left_empty.is_empty() {
        let _ = writeln!(report, "Left empty: {}", plan.left_empty.join(", "));
    }
    let listed: Vec<_> = plan
        .matches
        .iter()
        .filter(|m| !m.outcome.is_exact() || m.collision.is_some())
        .collect();
    if !listed.is_empty() {
        let _ = writeln!(report, "Names in {} not matched exactly:", new.source);
        for m in listed {
            let _ = writeln!(report, "  {}  {}", m.name, m.describe());
        }
    }
    if let (Some(p), Some(_)) = (&args.info, &plan.info) {
        let _ = writeln!(
            report,
            "{} info row '{}' in {}",
            if plan.replaced_info_row {
                "Replaced"
            } else {
                "Added"
            },
            args.benchmark.trim(),
            p.display()
        );
    }

    if args.dry_run {
        let info_name = args.info.as_ref().map(|p| p.display().to_string());
        print!("{}", plan.diff(&matrix_name, info_name.as_deref()));
        print!("{report}");
        println!("Dry run: nothing written.");
        return Ok(ExitCode::SUCCESS);
    }
    write_atomic(&args.target, &plan.matrix_after)
        .with_context(|| format!("writing {matrix_name} (the original is unchanged)"))?;
    if let (Some(p), Some((_, after))) = (&args.info, &plan.info) {
        write_atomic(p, after).with_context(|| {
            format!(
                "writing {} (the original is unchanged, but {matrix_name} was already updated)",
                p.display()
            )
        })?;
    }
    print!("{report}");
    Ok(ExitCode::SUCCESS)
}
