//! `safetywashing._native`: the Python package's native module.
//!
//! A thin layer over the `safetywashing` library and the command line's
//! option structs (so defaults, checks and messages are the CLI's): Python
//! values become library inputs, results come back as the library's own
//! exports (the JSON and CSV documents the CLI writes), which the Python
//! side turns into pandas objects. No number is computed here.
//!
//! Every entry point runs inside [`guard`], so no Rust panic reaches Python
//! as anything but a [`SafetywashingError`], and long computations run in
//! [`interruptible`], which releases the GIL and turns Ctrl-C into
//! `KeyboardInterrupt` within a tenth of a second of the library stopping.

mod frame;
mod run;

use pyo3::create_exception;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use run::{guard, interruptible};
use safetywashing::analysis::AnalysisOptions;
use safetywashing::check::{CheckOptions, CheckReport};
use safetywashing::load::{InfoTable, MatrixFormat, load_info, load_matrix, parse_info};
use safetywashing::matrix::BenchmarkMatrix;
use safetywashing::names::{AliasTable, Matcher};
use safetywashing::output::{Format, export_residuals, write_calibration};
use safetywashing::plot::{FigureKind, ImageFormat};
use safetywashing::uncertainty::{
    FullAnalysis, ImputeMethod, IntervalMethod, ValidOptions, analyze_with_uncertainty_until,
    residuals as fit_residuals,
};
use safetywashing_cli::commands::args::{
    AnalysisArgs, BootstrapArgs, ComputeArgs, ImputeArgs, LayoutArgs, MatrixArgs, UncertaintyArgs,
};
use safetywashing_cli::commands::calibrate::CalibrateArgs;
use safetywashing_cli::commands::plot::{Figure, x_axis};
use safetywashing_cli::commands::{FigureAnalyses, Inputs, say_download};
use std::path::PathBuf;
use std::str::FromStr;

create_exception!(
    safetywashing,
    SafetywashingError,
    PyValueError,
    "Bad input or options: carries the one-line message the command line prints."
);

/// A [`SafetywashingError`] with the command line's one-line message for `e`.
pub(crate) fn error(e: impl Into<anyhow::Error>) -> PyErr {
    SafetywashingError::new_err(safetywashing_cli::one_line(&e.into()))
}

/// A string option parsed with the library's own parser (its message names
/// the accepted values).
fn parse<T: FromStr<Err = String>>(what: &str, value: &str) -> PyResult<T> {
    T::from_str(value).map_err(|e| SafetywashingError::new_err(format!("{what}: {e}")))
}

/// A loaded benchmark matrix (from a file or a DataFrame).
#[pyclass(frozen, module = "safetywashing._native")]
pub struct Matrix {
    inner: BenchmarkMatrix,
}

/// A loaded benchmark info table.
#[pyclass(frozen, module = "safetywashing._native")]
pub struct Info {
    inner: InfoTable,
}

/// How to read matrices: the CLI's `MatrixArgs` (its defaults, its trimming).
/// `compute_column = None` is the CLI's default (FLOP, skipped when absent).
fn matrix_args(
    model_column: Option<String>,
    meta_columns: Option<Vec<String>>,
    compute_column: Option<String>,
) -> MatrixArgs {
    MatrixArgs {
        layout: LayoutArgs {
            model_column,
            meta_columns: meta_columns.unwrap_or_else(|| {
                safetywashing::load::DEFAULT_META_COLUMNS
                    .iter()
                    .map(|s| s.to_string())
                    .collect()
            }),
        },
        compute: ComputeArgs { compute_column },
        info: None,
    }
}

/// The format of a matrix, or (`scores`) of the new benchmark's file of
/// `check`: model ids first, every other column a score, no compute column.
fn matrix_format(
    scores: bool,
    model_column: Option<String>,
    meta_columns: Option<Vec<String>>,
    compute_column: Option<String>,
) -> MatrixFormat {
    if scores {
        MatrixFormat {
            compute_column: None,
            ..MatrixFormat::default()
        }
    } else {
        matrix_args(model_column, meta_columns, compute_column).format()
    }
}

/// Read a wide matrix CSV file as the CLI does.
#[pyfunction]
#[pyo3(signature = (path, model_column=None, meta_columns=None, compute_column=None, scores=false))]
fn read_matrix(
    path: PathBuf,
    model_column: Option<String>,
    meta_columns: Option<Vec<String>>,
    compute_column: Option<String>,
    scores: bool,
) -> PyResult<Matrix> {
    guard(|| {
        let format = matrix_format(scores, model_column, meta_columns, compute_column);
        Ok(Matrix {
            inner: load_matrix(&path, &format).map_err(error)?,
        })
    })
}

/// A matrix from a DataFrame's columns: `models` are the row ids (the
/// first column, headed `model_header`), `columns` the other columns in
/// order, each `(header, cells)`. Cells of benchmark and compute columns
/// must be numbers or `None` (missing); see [`frame::to_csv`].
#[pyfunction]
#[pyo3(signature = (source, model_header, models, columns, meta_columns=None, compute_column=None, scores=false))]
fn frame_matrix(
    source: String,
    model_header: String,
    models: Vec<String>,
    columns: Vec<(String, Vec<Bound<'_, PyAny>>)>,
    meta_columns: Option<Vec<String>>,
    compute_column: Option<String>,
    scores: bool,
) -> PyResult<Matrix> {
    guard(|| {
        let format = matrix_format(scores, None, meta_columns, compute_column);
        let bytes = frame::to_csv(&source, &model_header, &models, &columns, &format)?;
        let inner = safetywashing::load::parse_matrix(&bytes, &source, &format).map_err(error)?;
        Ok(Matrix { inner })
    })
}

/// Read a benchmark info table file, or parse one held in `text`.
#[pyfunction]
#[pyo3(signature = (path=None, text=None, source=None))]
fn read_info(
    path: Option<PathBuf>,
    text: Option<String>,
    source: Option<String>,
) -> PyResult<Info> {
    guard(|| {
        let inner = match (path, text) {
            (Some(p), _) => load_info(&p),
            (None, Some(t)) => parse_info(t.as_bytes(), source.as_deref().unwrap_or("info")),
            (None, None) => return Err(SafetywashingError::new_err("no info table given")),
        };
        Ok(Info {
            inner: inner.map_err(error)?,
        })
    })
}

/// The path of one of the paper's files (`base`, `chat` or `info`), fetched
/// and checked as the CLI does (cache, pinned SHA-256, `SAFETYWASHING_DATA`).
#[pyfunction]
fn paper_data_path(py: Python<'_>, which: &str) -> PyResult<String> {
    let which = which.to_string();
    interruptible(py, move |_| {
        let paper = safetywashing::data::paper_data_with(&mut say_download).map_err(error)?;
        let path = match which.as_str() {
            "base" => paper.base,
            "chat" => paper.chat,
            "info" => paper.info,
            other => {
                return Err(SafetywashingError::new_err(format!(
                    "unknown paper data '{other}': expected base, chat or info"
                )));
            }
        };
        Ok(path.display().to_string())
    })
}

/// Options of the analysis and its extras, checked once (the CLI's structs).
#[pyclass(frozen, module = "safetywashing._native")]
pub struct Options {
    valid: ValidOptions,
}

/// Check the analysis options, as the CLI's flags would be checked.
#[pyfunction]
#[pyo3(signature = (capabilities=None, method="spearman", bootstrap=0, seed=1, confidence=0.95,
    interval="bca", cluster_column=None, cluster_by_prefix=false, permutations=0,
    leave_one_out=false, sensitivity=false, impute=None, impute_rank=1))]
#[allow(clippy::too_many_arguments)] // one per keyword argument of `analyze`
fn options(
    capabilities: Option<Vec<String>>,
    method: &str,
    bootstrap: usize,
    seed: u64,
    confidence: f64,
    interval: &str,
    cluster_column: Option<String>,
    cluster_by_prefix: bool,
    permutations: usize,
    leave_one_out: bool,
    sensitivity: bool,
    impute: Option<&str>,
    impute_rank: usize,
) -> PyResult<Options> {
    guard(|| {
        let analysis = AnalysisArgs {
            capabilities,
            method: parse("method", method)?,
        };
        let uncertainty = UncertaintyArgs {
            resampling: BootstrapArgs {
                bootstrap: (bootstrap > 0).then_some(bootstrap),
                seed,
                confidence,
                interval: parse::<IntervalMethod>("interval", interval)?,
                cluster_column,
                cluster_by_prefix,
            },
            permutations: (permutations > 0).then_some(permutations),
            leave_one_out,
            sensitivity,
            impute: ImputeArgs {
                impute: parse::<ImputeMethod>("impute", impute.unwrap_or("none"))?,
                impute_rank,
            },
        };
        Ok(Options {
            valid: uncertainty.validate(analysis.options()).map_err(error)?,
        })
    })
}

/// One matrix's full analysis (the paper's, plus the extras asked for).
#[pyclass(frozen, module = "safetywashing._native")]
pub struct Analysis {
    inner: FullAnalysis,
}

#[pymethods]
impl Analysis {
    /// The analysis in one of the CLI's formats: text, json, csv or markdown
    /// (the bytes `safetywashing analyze --format F` writes for this matrix).
    fn export(&self, format: &str) -> PyResult<String> {
        guard(|| {
            let format: Format = parse("format", format)?;
            let mut out = Vec::new();
            format
                .exporter()
                .export(std::slice::from_ref(&self.inner), &mut out)
                .map_err(error)?;
            String::from_utf8(out).map_err(error)
        })
    }
}

/// Analyse each matrix (GIL released; Ctrl-C stops it).
fn analyze_each(
    py: Python<'_>,
    matrices: &[Py<Matrix>],
    info: Option<&Py<Info>>,
    options: &Options,
) -> PyResult<Vec<FullAnalysis>> {
    let valid = options.valid.clone();
    interruptible(py, move |stop| {
        matrices
            .iter()
            .map(|m| {
                analyze_with_uncertainty_until(
                    &m.get().inner,
                    &valid,
                    info.map(|i| &i.get().inner),
                    &|_| {},
                    &|| stop.load(std::sync::atomic::Ordering::Relaxed),
                )
                .map_err(error)
            })
            .collect()
    })
}

/// The full analysis of one matrix.
#[pyfunction]
#[pyo3(signature = (matrix, options, info=None))]
fn analyze(
    py: Python<'_>,
    matrix: Py<Matrix>,
    options: &Options,
    info: Option<Py<Info>>,
) -> PyResult<Analysis> {
    let mut all = analyze_each(py, &[matrix], info.as_ref(), options)?;
    Ok(Analysis {
        inner: all.remove(0),
    })
}

/// A figure of the analyses of `matrices` (one panel each), as SVG or PNG
/// bytes: the image `safetywashing plot` writes.
#[pyfunction]
#[pyo3(signature = (kind, matrices, options, info=None, benchmark=None, x="capabilities", format="svg"))]
#[allow(clippy::too_many_arguments)] // the keyword arguments of `plot`
fn plot(
    py: Python<'_>,
    kind: &str,
    matrices: Vec<Py<Matrix>>,
    options: &Options,
    info: Option<Py<Info>>,
    benchmark: Option<String>,
    x: &str,
    format: &str,
) -> PyResult<Vec<u8>> {
    let kind: FigureKind = parse("kind", kind)?;
    let format = match format {
        "svg" => ImageFormat::Svg,
        "png" => ImageFormat::Png,
        other => {
            return Err(SafetywashingError::new_err(format!(
                "format: unknown image format '{other}': expected svg or png"
            )));
        }
    };
    if kind == FigureKind::Scatter && benchmark.is_none() {
        return Err(SafetywashingError::new_err(
            "a scatter plot needs a benchmark: pass benchmark=B (a column header)",
        ));
    }
    let drawn = FigureAnalyses::from_full(analyze_each(py, &matrices, info.as_ref(), options)?);
    guard(|| {
        let inputs = Inputs {
            matrices: matrices.iter().map(|m| m.get().inner.clone()).collect(),
            info: info.as_ref().map(|i| i.get().inner.clone()),
            info_path: None,
        };
        let figure = Figure {
            kind,
            benchmark: benchmark.as_deref(),
            x: x_axis(x),
            format,
            size: Default::default(),
            overview: Default::default(),
            heatmap_order: Default::default(),
            scatter_ranks: false,
        };
        figure.render(&inputs, &drawn).map_err(error)
    })
}

/// The regression of `benchmark` on the capabilities score (what
/// `safetywashing residuals` computes), in `format` (json or csv).
#[pyfunction]
#[pyo3(signature = (matrix, benchmark, capabilities=None, method="spearman", confidence=0.95, format="json"))]
fn residuals(
    matrix: &Matrix,
    benchmark: &str,
    capabilities: Option<Vec<String>>,
    method: &str,
    confidence: f64,
    format: &str,
) -> PyResult<String> {
    guard(|| {
        let options: AnalysisOptions = AnalysisArgs {
            capabilities,
            method: parse("method", method)?,
        }
        .options();
        let format: Format = parse("format", format)?;
        let r = fit_residuals(&matrix.inner, &options, benchmark, confidence).map_err(error)?;
        String::from_utf8(export_residuals(format, &[r])).map_err(error)
    })
}

/// A new benchmark's check against a reference (what `safetywashing check`
/// computes).
#[pyclass(frozen, module = "safetywashing._native")]
pub struct Check {
    inner: CheckReport,
}

#[pymethods]
impl Check {
    /// The JSON document of `safetywashing check --format json`.
    fn to_json(&self) -> PyResult<String> {
        guard(|| {
            let mut s = serde_json::to_string_pretty(&self.inner.json()).map_err(error)?;
            s.push('\n');
            Ok(s)
        })
    }

    /// The text report of `safetywashing check`.
    fn text(&self) -> String {
        self.inner.text()
    }

    /// Whether any checked |r| is at or above `bound`.
    fn any_at_or_above(&self, bound: f64) -> bool {
        self.inner.any_at_or_above(bound)
    }
}

/// An alias table given as CSV text (`from,to`), if any.
fn parse_aliases(text: Option<String>) -> PyResult<Option<AliasTable>> {
    text.map(|text| guard(|| AliasTable::parse(text.as_bytes(), "aliases").map_err(error)))
        .transpose()
}

/// `high_at` of `check`: a fraction, or `"paper"` / `"leave-one-out"`.
#[derive(FromPyObject)]
enum HighAt {
    Value(f64),
    Word(String),
}

/// Check `new` (model ids and score columns) against `reference`.
#[pyfunction]
#[pyo3(signature = (new, reference, options, benchmark=None, lower_is_better=false,
    aliases=None, low_below=None, high_at=None))]
#[allow(clippy::too_many_arguments)] // the keyword arguments of `check`
fn check(
    py: Python<'_>,
    new: Py<Matrix>,
    reference: Py<Matrix>,
    options: &Options,
    benchmark: Option<String>,
    lower_is_better: bool,
    aliases: Option<String>,
    low_below: Option<f64>,
    high_at: Option<HighAt>,
) -> PyResult<Check> {
    let aliases = parse_aliases(aliases)?;
    let high_at = match high_at {
        None => safetywashing::check::HighLine::default(),
        Some(HighAt::Value(v)) => safetywashing::check::HighLine::At(v),
        Some(HighAt::Word(w)) => w.parse().map_err(PyValueError::new_err)?,
    };
    let options = CheckOptions {
        analysis: options.valid.analysis().clone(),
        benchmark,
        lower_is_better,
        low_below,
        high_at,
        uncertainty: options.valid.uncertainty().clone(),
    };
    interruptible(py, move |stop| {
        let reference = &reference.get().inner;
        let matcher = Matcher::new(&reference.models, aliases.as_ref());
        let stop = || stop.load(std::sync::atomic::Ordering::Relaxed);
        let inner = safetywashing::check::check_until(
            reference,
            &new.get().inner,
            &matcher,
            &options,
            &stop,
        )
        .map_err(error)?;
        Ok(Check { inner })
    })
}

/// Place the models of `new` on `reference`'s frozen capabilities score
/// (what `safetywashing score` computes): the JSON document and the CSV
/// table the CLI writes.
#[pyfunction]
#[pyo3(signature = (new, reference, options, aliases=None, impute=false, refit=false))]
fn score(
    py: Python<'_>,
    new: Py<Matrix>,
    reference: Py<Matrix>,
    options: &Options,
    aliases: Option<String>,
    impute: bool,
    refit: bool,
) -> PyResult<(String, String)> {
    let aliases = parse_aliases(aliases)?;
    let options = safetywashing::score::ScoreOptions {
        analysis: options.valid.analysis().clone(),
        impute,
        refit,
    };
    interruptible(py, move |_| {
        let reference = &reference.get().inner;
        let matcher = Matcher::new(&reference.models, aliases.as_ref());
        let report = safetywashing::score::score(reference, &new.get().inner, &matcher, &options)
            .map_err(error)?;
        let mut json = serde_json::to_string_pretty(&report.json()).map_err(error)?;
        json.push('\n');
        Ok((json, report.csv()))
    })
}

/// Calibration of lm-eval samples files (what `safetywashing calibrate`
/// computes), in `format` (json or csv).
#[pyfunction]
#[pyo3(signature = (files, format="csv", rms_variant="paper",
    bin_size=safetywashing::calibration::DEFAULT_BIN_SIZE, tune_split=None, seed=1,
    skip_bad_lines=false))]
#[allow(clippy::too_many_arguments)] // the keyword arguments of `calibrate`
fn calibrate(
    py: Python<'_>,
    files: Vec<PathBuf>,
    format: &str,
    rms_variant: &str,
    bin_size: usize,
    tune_split: Option<f64>,
    seed: u64,
    skip_bad_lines: bool,
) -> PyResult<String> {
    let args = CalibrateArgs {
        files,
        format: parse("format", format)?,
        rms_variant: parse("rms_variant", rms_variant)?,
        bin_size,
        tune_split,
        seed,
        skip_bad_lines,
        output: None,
        excel: safetywashing_cli::commands::args::ExcelSafeArgs { excel_safe: false },
    };
    if args.files.is_empty() {
        return Err(SafetywashingError::new_err(
            "calibrate needs at least one samples file",
        ));
    }
    interruptible(py, move |_| {
        let options = args.options().map_err(error)?;
        let reports = args
            .files
            .iter()
            .map(|f| safetywashing::calibration::calibrate_file(f, &options).map_err(error))
            .collect::<PyResult<Vec<_>>>()?;
        let mut out = Vec::new();
        write_calibration(args.format, &reports, args.rms_variant, &mut out).map_err(error)?;
        String::from_utf8(out).map_err(error)
    })
}

/// Write `bytes` to `path` atomically (temporary file + rename).
#[pyfunction]
fn write_file(path: PathBuf, bytes: Vec<u8>) -> PyResult<()> {
    guard(|| {
        safetywashing::atomic::write_atomic(&path, &bytes).map_err(|e| {
            error(anyhow::Error::new(e).context(format!("writing {}", path.display())))
        })
    })
}

/// Run the `safetywashing` command line with `argv` (program name first)
/// and return its exit status: the console script.
#[pyfunction]
fn run_cli(py: Python<'_>, argv: Vec<String>) -> PyResult<u8> {
    py.detach(|| run::cli_status(safetywashing_cli::main_with_args(argv)))
}

/// The native module.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add(
        "SafetywashingError",
        m.py().get_type::<SafetywashingError>(),
    )?;
    m.add_class::<Matrix>()?;
    m.add_class::<Info>()?;
    m.add_class::<Options>()?;
    m.add_class::<Analysis>()?;
    m.add_class::<Check>()?;
    m.add_function(wrap_pyfunction!(read_matrix, m)?)?;
    m.add_function(wrap_pyfunction!(frame_matrix, m)?)?;
    m.add_function(wrap_pyfunction!(read_info, m)?)?;
    m.add_function(wrap_pyfunction!(paper_data_path, m)?)?;
    m.add_function(wrap_pyfunction!(options, m)?)?;
    m.add_function(wrap_pyfunction!(analyze, m)?)?;
    m.add_function(wrap_pyfunction!(plot, m)?)?;
    m.add_function(wrap_pyfunction!(residuals, m)?)?;
    m.add_function(wrap_pyfunction!(check, m)?)?;
    m.add_function(wrap_pyfunction!(score, m)?)?;
    m.add_function(wrap_pyfunction!(calibrate, m)?)?;
    m.add_function(wrap_pyfunction!(write_file, m)?)?;
    m.add_function(wrap_pyfunction!(run_cli, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
