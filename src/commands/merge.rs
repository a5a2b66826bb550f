//! `safetywashing merge`: outer-join matrices by model.

use super::args::LayoutArgs;
use super::emit_with;
use super::paths::{Files, Use, ensure_fits, lock_for_edit, same_file};
use anyhow::{Result, bail};
use clap::Args;
use safetywashing::load::load_matrix;
use safetywashing::load::read_header;
use safetywashing::matrix::write_matrix_csv_ordered;
use safetywashing::merge::{Prefer, merge};
use safetywashing::names::AliasTable;
use safetywashing::words::count;
use std::path::PathBuf;
use std::process::ExitCode;

/// Flags of `merge`.
#[derive(Debug, Args)]
#[command(after_help = "\
Models are matched across files by name: exactly, then through --aliases, then
ignoring case, an org/ prefix, a -hf suffix and separators. Every non-exact
match is listed on stderr; an ambiguous name stops the merge. The output has
the first file's rows and columns in its order (metadata columns included),
then what later files add.

Examples:
  safetywashing merge benchmarks_chat_models.csv llm_trustworthy_241001_safety.csv -o merged.csv
  safetywashing merge matrix.csv more.csv --prefer more.csv --aliases aliases.csv -o merged.csv")]
pub struct MergeArgs {
    /// Matrices to join, at least two; the first one's model names are kept.
    #[arg(value_name = "MATRIX", num_args = 2.., required = true)]
    pub matrices: Vec<PathBuf>,

    /// Write the merged matrix to FILE (atomically) instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Which input wins when a cell differs: `first`, `last` or one of the
    /// MATRIX paths [default: refuse conflicting cells].
    #[arg(long, value_name = "first|last|MATRIX")]
    pub prefer: Option<String>,

    /// Alias table `from,to` mapping names to the first matrix's names.
    #[arg(long, value_name = "FILE")]
    pub aliases: Option<PathBuf>,

    /// How to read the matrices.
    #[command(flatten)]
    pub layout: LayoutArgs,
}

impl MergeArgs {
    fn prefer(&self) -> Result<Prefer> {
        let Some(p) = self.prefer.as_deref() else {
            return Ok(Prefer::None);
        };
        let index = match p {
            "first" => 0,
            "last" => self.matrices.len() - 1,
            path => match self.matrices.iter().position(|m| m.as_os_str() == path) {
                Some(i) => i,
                None => {
                    bail!("--prefer {path}: expected first, last or one of the MATRIX arguments")
                }
            },
        };
        Ok(Prefer::Input(index))
    }
}

/// Run `merge`.
pub fn run(args: MergeArgs) -> Result<ExitCode> {
    let prefer = args.prefer()?;
    Files::default()
        .with_all("MATRIX", &args.matrices, Use::ReadMayReplace)
        .with("--aliases", args.aliases.as_deref(), Use::Read)
        .with("--output", args.output.as_deref(), Use::Write)
        .check()?;
    // `merge A B -o A` edits A in place: lock it as `add` does.
    let _lock = match &args.output {
        Some(out) if args.matrices.iter().any(|m| same_file(m, out)) => Some(lock_for_edit(out)?),
        _ => None,
    };
    let format = args.layout.format();
    let inputs = args
        .matrices
        .iter()
        .map(|p| {
            ensure_fits(p)?;
            Ok(load_matrix(p, &format)?)
        })
        .collect::<Result<Vec<_>>>()?;
    let aliases = match &args.aliases {
        Some(p) => Some(AliasTable::load(p)?),
        None => None,
    };
    let (merged, report) = merge(&inputs, aliases.as_ref(), prefer)?;
    // The inputs are not needed while the merged matrix is written.
    let n_inputs = inputs.len();
    drop(inputs);
    for (source, m) in &report.renamed {
        eprintln!("matched: {source}: {} {}", m.name, m.describe());
    }
    for (source, model) in &report.added_models {
        eprintln!("added: {source}: model '{model}' (no match in earlier files)");
    }
    for c in &report.resolved {
        eprintln!("conflict settled by --prefer: {}", c.describe());
    }
    // The first input's columns keep its order; later inputs' new columns
    // follow. Streamed, not built in memory first.
    let order = read_header(&args.matrices[0])?;
    emit_with(args.output.as_deref(), |out| {
        write_matrix_csv_ordered(&merged, order.get(1..).unwrap_or_default(), out)
    })?;
    eprintln!(
        "merged {}: {}, {}",
        count(n_inputs, "matrix", "matrices"),
        count(merged.n_models(), "model", "models"),
        count(merged.benchmarks.len(), "benchmark", "benchmarks")
    );
    Ok(ExitCode::SUCCESS)
}
