//! `safetywashing report`: one self-contained HTML (or Markdown) report.

use super::args::{AnalysisArgs, FigureUncertaintyArgs, MatrixArgs};
use super::paths::{Files, Use};
use super::{analyze_for_figures, load_inputs};
use anyhow::{Context, Result, bail};
use clap::Args;
use safetywashing::data::sha256_file;
use safetywashing::plot::FigureKind;
use safetywashing::report::{Provenance, Report, ReportInput, html, markdown};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Flags of `report`.
#[derive(Debug, Args)]
#[command(after_help = "\
The HTML report is one file (inline SVG figures, CSS and a small script that
sorts and filters the benchmark table; no network requests) that opens from
disk; REPORT.html#filter=WORDS opens it filtered. A Markdown report links its
figures, written as SVG files beside it (REPORT-overview.svg, ...).

Examples:
  safetywashing report -o report.html        # the paper's base and chat models
  safetywashing report benchmarks_chat_models.csv --info benchmarks_info.csv -o report.md
  safetywashing report base_llm_benchmark_eval.csv \\
      --meta-columns 'Model Family,Model Size (B),Pretraining Data Size (T)' \\
      --compute-column 'FLOPs (1E21)' --capabilities MMLU,ARC-C,HellaSwag -o obs.html")]
pub struct ReportArgs {
    /// Benchmark matrices [default: the paper's base and chat matrices].
    #[arg(value_name = "MATRIX")]
    pub matrices: Vec<PathBuf>,

    #[command(flatten)]
    pub matrix: MatrixArgs,

    #[command(flatten)]
    pub analysis: AnalysisArgs,

    /// Benchmark for the scatter figure [default: the benchmark outside the
    /// capabilities score most correlated with it].
    #[arg(long, value_name = "B")]
    pub benchmark: Option<String>,

    /// Output file: `.html` (self-contained page) or `.md` (Markdown plus SVG
    /// figures beside it).
    #[arg(long, short, value_name = "FILE")]
    pub output: PathBuf,

    /// The bootstrap and imputation; with --bootstrap, intervals are drawn.
    #[command(flatten)]
    pub uncertainty: Box<FigureUncertaintyArgs>,
}

/// Report formats, from the output file's extension.
enum Kind {
    Html,
    Markdown,
}

fn kind(path: &Path) -> Result<Kind> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("html" | "htm") => Ok(Kind::Html),
        Some("md" | "markdown") => Ok(Kind::Markdown),
        _ => bail!(
            "{}: the report file name must end in .html or .md",
            path.display()
        ),
    }
}

/// Quote an argument for a POSIX shell when it needs it.
fn shell_quote(arg: &str) -> String {
    let plain = !arg.is_empty()
        && arg
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:,+@%".contains(c));
    if plain {
        arg.to_string()
    } else {
        format!("'{}'", arg.replace('\'', r"'\''"))
    }
}

/// A path argument by its file name: a shared report carries no local
/// directories. An argument (or the value of `--flag=VALUE`) that has a
/// directory part and names an existing file, or a file in an existing
/// directory (the output), is shortened; any other argument stays.
fn without_directories(arg: &str) -> String {
    let (flag, value) = match arg.split_once('=') {
        Some((f, v)) if f.starts_with("--") => (Some(f), v),
        _ => (None, arg),
    };
    let path = Path::new(value);
    let (Some(dir), Some(name)) = (path.parent(), path.file_name()) else {
        return arg.to_string();
    };
    if dir.as_os_str().is_empty() || !(path.is_file() || dir.is_dir()) {
        return arg.to_string();
    }
    let short = name.to_string_lossy();
    match flag {
        Some(f) => format!("{f}={short}"),
        None => short.into_owned(),
    }
}

/// The command line as typed, program name shortened to `safetywashing`
/// and paths to their file names.
fn command_line() -> String {
    std::iter::once("safetywashing".to_string())
        .chain(
            std::env::args()
                .skip(1)
                .map(|a| shell_quote(&without_directories(&a))),
        )
        .collect::<Vec<_>>()
        .join(" ")
}

/// The stem of a Markdown report's figure files: its own file stem.
fn markdown_stem(output: &Path) -> String {
    output
        .file_stem()
        .map_or_else(|| "report".into(), |s| s.to_string_lossy().into_owned())
}

/// Where the Markdown report `output` writes its figure of `kind`: beside it.
fn figure_path(output: &Path, kind: FigureKind) -> PathBuf {
    let dir = output.parent().unwrap_or(Path::new(""));
    dir.join(markdown::figure_file(&markdown_stem(output), kind))
}

fn file_hash(path: &Path) -> Result<String> {
    sha256_file(path).with_context(|| format!("reading {}", path.display()))
}

/// Run `report`.
pub fn run(args: ReportArgs) -> Result<ExitCode> {
    let kind = kind(&args.output)?;
    let options = args.uncertainty.validate(args.analysis.options())?;
    // A Markdown report's figures are outputs too: none may be an input.
    let figures: Vec<PathBuf> = match kind {
        Kind::Html => Vec::new(),
        Kind::Markdown => FigureKind::ALL
            .iter()
            .map(|&k| figure_path(&args.output, k))
            .collect(),
    };
    Files::default()
        .with_all("MATRIX", &args.matrices, Use::Read)
        .with_paper_data(&args.matrices)
        .with("--info", args.matrix.info.as_deref(), Use::Read)
        .with("--output", Some(&args.output), Use::Write)
        .with_all("the report's figure", &figures, Use::Write)
        .check()?;
    let inputs = load_inputs(&args.matrices, &args.matrix)?;
    let drawn = analyze_for_figures(&inputs, &options)?;
    // Inputs by file name and SHA-256: the hash identifies the file, and a
    // shared report should not carry the author's local directories.
    let name = |p: &Path| {
        p.file_name().map_or_else(
            || p.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        )
    };
    let mut files: Vec<(String, String)> = Vec::new();
    for m in &inputs.matrices {
        let path = Path::new(&m.source);
        files.push((name(path), file_hash(path)?));
    }
    if let Some(p) = &inputs.info_path {
        files.push((name(p), file_hash(p)?));
    }
    let input = ReportInput {
        analyses: &drawn.analyses,
        matrices: &inputs.matrices,
        info: inputs.info.as_ref(),
        intervals: drawn.intervals.iter().map(Option::as_ref).collect(),
        bootstrap: drawn.bootstraps.iter().map(Option::as_ref).collect(),
        scatter_benchmark: args.benchmark.clone(),
        provenance: Provenance {
            command: command_line(),
            tool: format!("safetywashing {}", env!("CARGO_PKG_VERSION")),
            inputs: files,
        },
    };
    let report = Report::build(&input)?;
    let write = super::write_file_saying;
    match kind {
        Kind::Html => write(&args.output, html::render(&report).as_bytes())?,
        Kind::Markdown => {
            let (text, figures) = markdown::render(&report, &markdown_stem(&args.output));
            for (kind, bytes) in figures {
                write(&figure_path(&args.output, kind), &bytes)?;
            }
            write(&args.output, text.as_bytes())?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_only_what_needs_it() {
        assert_eq!(shell_quote("--capabilities"), "--capabilities");
        assert_eq!(shell_quote("Model Family,Size"), "'Model Family,Size'");
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
        assert_eq!(shell_quote(""), "''");
    }

    #[test]
    fn paths_lose_their_directories_other_arguments_stay() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("m.csv");
        std::fs::write(&file, "model,a\n").unwrap();
        let file = file.display().to_string();
        assert_eq!(without_directories(&file), "m.csv");
        assert_eq!(
            without_directories(&format!("--info={file}")),
            "--info=m.csv"
        );
        // The output, not yet written, in an existing folder.
        let out = dir.path().join("r.html").display().to_string();
        assert_eq!(without_directories(&out), "r.html");
        for stays in [
            "--capabilities",
            "MMLU,ARC-C",
            "m.csv",
            "no/such/dir/x.csv",
            "Model Family,Size (B)",
        ] {
            assert_eq!(without_directories(stays), stays);
        }
    }
}
