//! One module per subcommand: check the raw flags, call the library, print.

pub mod add;
pub mod analyze;
pub mod args;
pub mod calibrate;
pub mod check;
pub mod data;
pub mod evaluate;
pub mod import;
pub mod merge;
pub mod paths;
pub mod plot;
pub mod progress;
pub mod report;
pub mod residuals;
pub mod score;
pub mod simulate;
pub mod suite;
pub mod validate;

use anyhow::{Context, Result};
use args::MatrixArgs;
use progress::Progress;
use safetywashing::atomic::write_atomic_with;
use safetywashing::escape;
use safetywashing::load::{InfoTable, MatrixFormat, load_info, load_matrix};
use safetywashing::matrix::BenchmarkMatrix;
use safetywashing::names::{AliasTable, Matcher};
use safetywashing::uncertainty::{
    FullAnalysis, UncertaintyOptions, ValidOptions, analyze_with_uncertainty,
};
use safetywashing::words::count;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Matrices to analyse and the info table to name their benchmarks.
pub struct Inputs {
    /// Loaded matrices, in argument order.
    pub matrices: Vec<BenchmarkMatrix>,
    /// Info table, when given (or the paper's, for the paper's data).
    pub info: Option<InfoTable>,
    /// Where the info table was read from.
    pub info_path: Option<PathBuf>,
}

/// Load the given matrices, or the paper's two (fetching them if needed)
/// when none are given, with the info table (`--info`, else the paper's
/// for the paper's data). Warns on stderr about a missing compute column.
pub fn load_inputs(paths: &[PathBuf], args: &MatrixArgs) -> Result<Inputs> {
    let (paths, default_info) = matrix_paths(paths)?;
    let info_path = args.info.clone().or(default_info);
    let info = match &info_path {
        Some(p) => Some(load_info(p)?),
        None => None,
    };
    Ok(Inputs {
        matrices: load_matrices(&paths, &args.format())?,
        info,
        info_path,
    })
}

/// The given matrix paths, or the paper's two (fetched if needed) and its
/// info table when none are given.
pub fn matrix_paths(paths: &[PathBuf]) -> Result<(Vec<PathBuf>, Option<PathBuf>)> {
    Ok(if paths.is_empty() {
        let paper = safetywashing::data::paper_data_with(&mut say_download)
            .context("no MATRIX given, so the paper's data is used")?;
        (vec![paper.base, paper.chat], Some(paper.info))
    } else {
        (paths.to_vec(), None)
    })
}

/// Load every matrix of `paths`, warning on stderr about a missing compute
/// column.
pub fn load_matrices(paths: &[PathBuf], format: &MatrixFormat) -> Result<Vec<BenchmarkMatrix>> {
    let mut matrices = Vec::with_capacity(paths.len());
    for p in paths {
        let m = load_matrix(p, format)?;
        if m.compute.is_none()
            && let Some(c) = &format.compute_column
        {
            eprintln!(
                "warning: {}: no compute column '{}'; compute correlations are omitted (see --compute-column)",
                escape::control(&m.source),
                escape::control(c)
            );
        }
        matrices.push(m);
    }
    Ok(matrices)
}

/// Write `bytes` to `path` atomically and say so on stderr (`wrote
/// overview.svg (48.2 KiB)`): for commands whose only output is files.
pub fn write_file_saying(path: &Path, bytes: &[u8]) -> Result<()> {
    safetywashing::atomic::write_atomic(path, bytes)
        .with_context(|| format!("writing {}", path.display()))?;
    eprintln!("wrote {} ({})", paths::shown(path), human_size(bytes.len()));
    Ok(())
}

/// A byte count as people read it: `812 bytes`, `48.2 KiB`, `3.1 MiB`.
pub fn human_size(bytes: usize) -> String {
    const KIB: f64 = 1024.0;
    let b = bytes as f64;
    if bytes < 1024 {
        format!("{bytes} bytes")
    } else if b < KIB * KIB {
        format!("{:.1} KiB", b / KIB)
    } else {
        format!("{:.1} MiB", b / (KIB * KIB))
    }
}

/// Write `bytes` to `path` atomically, or to stdout when `path` is `None`.
pub fn emit(bytes: &[u8], path: Option<&Path>) -> Result<()> {
    emit_with(path, |out| out.write_all(bytes))
}

/// Stream output produced by `fill` into `path` atomically, or to stdout
/// (buffered) when `path` is `None`.
pub fn emit_with(
    path: Option<&Path>,
    fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<()> {
    match path {
        Some(p) => write_atomic_with(p, fill).with_context(|| format!("writing {}", p.display())),
        None => {
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            fill(&mut out)?;
            out.flush()?;
            Ok(())
        }
    }
}

/// Stream a table in `format` to `path` (or stdout) like [`emit_with`];
/// with `excel_safe` (CSV only), every cell that a spreadsheet would take
/// for a formula (starting with `=`, `+`, `-`, `@`, tab or carriage return,
/// and not a number) is prefixed with `'`.
pub fn emit_table(
    path: Option<&Path>,
    format: safetywashing::output::Format,
    excel_safe: bool,
    fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<()> {
    if !excel_safe {
        return emit_with(path, fill);
    }
    if format != safetywashing::output::Format::Csv {
        anyhow::bail!("--excel-safe applies to CSV output: add --format csv");
    }
    let mut raw = Vec::new();
    fill(&mut raw)?;
    emit(&excel_safe_csv(&raw)?, path)
}

/// `csv` with formula-like cells prefixed (see [`emit_table`]).
fn excel_safe_csv(csv_bytes: &[u8]) -> Result<Vec<u8>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(csv_bytes);
    let mut writer = csv::Writer::from_writer(Vec::new());
    for record in reader.records() {
        let record = record?;
        let safe = record.iter().map(|cell| {
            let formula = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
            if formula && cell.trim().parse::<f64>().is_err() {
                format!("'{cell}")
            } else {
                cell.to_string()
            }
        });
        writer.write_record(safe)?;
    }
    Ok(writer.into_inner().map_err(|e| e.into_error())?)
}

/// What figures and reports are drawn from: each matrix's analysis and,
/// when it was bootstrapped, its capabilities-correlation intervals and
/// its bootstrap.
pub struct FigureAnalyses {
    /// The analyses, in matrix order.
    pub analyses: Vec<safetywashing::analysis::Analysis>,
    /// Each analysis's capabilities-correlation intervals.
    pub intervals: Vec<Option<safetywashing::plot::Intervals>>,
    /// Each analysis's bootstrap.
    pub bootstraps: Vec<Option<safetywashing::uncertainty::BootstrapReport>>,
}

impl FigureAnalyses {
    /// Split full analyses (the analysis plus any uncertainty extras) into
    /// what figures and reports draw.
    pub fn from_full(full: Vec<FullAnalysis>) -> FigureAnalyses {
        let intervals = full
            .iter()
            .map(FullAnalysis::capabilities_intervals)
            .collect();
        let (analyses, bootstraps) = full
            .into_iter()
            .map(|f| (f.analysis, f.uncertainty.and_then(|u| u.bootstrap)))
            .unzip();
        FigureAnalyses {
            analyses,
            intervals,
            bootstraps,
        }
    }
}

/// [`analyze_all`], split for figures and reports
/// ([`FigureAnalyses::from_full`]).
pub fn analyze_for_figures(inputs: &Inputs, options: &ValidOptions) -> Result<FigureAnalyses> {
    Ok(FigureAnalyses::from_full(analyze_all(inputs, options)?))
}

/// What the progress bar counts, e.g. `2 matrices × 1000 resamples`.
fn progress_units(matrices: usize, extra: &UncertaintyOptions) -> String {
    let mut per_matrix = Vec::new();
    if let Some(b) = &extra.bootstrap {
        per_matrix.push(count(b.resamples, "resample", "resamples"));
    }
    if extra.permutations.is_some() {
        per_matrix.push("one permutation test per benchmark".to_string());
    }
    let per_matrix = match per_matrix.len() {
        1 => per_matrix.remove(0),
        _ => format!("({})", per_matrix.join(" + ")),
    };
    format!("{} × {per_matrix}", count(matrices, "matrix", "matrices"))
}

/// The reference matrix an `--against` value names: `base` or `chat` (the
/// paper's matrices, fetched on first use) or a matrix file.
pub fn against_path(against: &str) -> Result<PathBuf> {
    Ok(match against {
        "base" | "chat" => {
            let paper = safetywashing::data::paper_data_with(&mut say_download)
                .context("--against base/chat uses the paper's data")?;
            if against == "base" {
                paper.base
            } else {
                paper.chat
            }
        }
        path => {
            let path = PathBuf::from(path);
            // A missing file may be a misspelt `base`/`chat`: say both.
            if !path.exists() {
                anyhow::bail!(
                    "--against '{against}': expected base, chat or a matrix file, and there is no file {against}"
                );
            }
            path
        }
    })
}

/// The reference an `--against` value names, the new file (model names in
/// its first column, every other column a score) and the matcher of its
/// model names to the reference's (through `aliases` when given): what
/// `check` and `score` start from.
pub fn load_against(
    against: &str,
    format: &MatrixFormat,
    new: &Path,
    aliases: Option<&Path>,
) -> Result<(BenchmarkMatrix, BenchmarkMatrix, Matcher)> {
    let reference = load_matrix(&against_path(against)?, format)?;
    let new_format = MatrixFormat {
        compute_column: None,
        ..MatrixFormat::default()
    };
    let new = load_matrix(new, &new_format)?;
    let aliases = match aliases {
        Some(p) => Some(AliasTable::load(p)?),
        None => None,
    };
    let matcher = Matcher::new(&reference.models, aliases.as_ref());
    Ok((reference, new, matcher))
}

/// Tell the user what a first-use download fetches and where it goes
/// (stderr, so results on stdout still pipe).
pub fn say_download(d: &safetywashing::data::Download) {
    eprintln!(
        "info: downloading {} from {} to {}",
        d.file.name,
        escape::control(&d.url),
        paths::shown(&d.path)
    );
}

/// Analyse every input matrix with the checked options (the paper's
/// analysis plus any uncertainty and robustness extras), warning on stderr
/// about each model left out; a progress bar shows for long runs.
pub fn analyze_all(inputs: &Inputs, options: &ValidOptions) -> Result<Vec<FullAnalysis>> {
    let total = inputs
        .matrices
        .iter()
        .map(|m| options.work_units(m.benchmarks.len()))
        .sum();
    let bar = Progress::new(
        total,
        progress_units(inputs.matrices.len(), options.uncertainty()),
    );
    let mut analyses = Vec::with_capacity(inputs.matrices.len());
    for m in &inputs.matrices {
        let full = analyze_with_uncertainty(m, options, inputs.info.as_ref(), &|n| bar.inc(n))?;
        let a = &full.analysis;
        for e in a.models_excluded() {
            eprintln!(
                "warning: {}: left out model '{}': no value for {}",
                escape::control(&a.matrix),
                escape::control(&e.model),
                escape::control(&e.missing.join(", "))
            );
        }
        analyses.push(full);
    }
    bar.finish();
    Ok(analyses)
}

#[cfg(test)]
mod tests {
    use super::human_size;

    #[test]
    fn sizes_read_as_people_read_them() {
        assert_eq!(human_size(812), "812 bytes");
        assert_eq!(human_size(1024), "1.0 KiB");
        assert_eq!(human_size(49_357), "48.2 KiB");
        assert_eq!(human_size(3 * 1024 * 1024 + 104_858), "3.1 MiB");
    }
}
