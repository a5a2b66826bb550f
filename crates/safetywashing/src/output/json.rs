//! JSON: one object per matrix (an array of them for several), full
//! precision. The object is a typed [`Serialize`] struct, [`AnalysisJson`],
//! whose fields are the keys documented in the README, in that order.

use super::Exporter;
use super::uncertainty::{Fields, UncertaintyJson, benchmark_fields};
use crate::analysis::{
    Analysis, BenchmarkResult, DroppedBenchmark, Role, compute_in_log10, undefined_reason,
};
use crate::capabilities::ExcludedModel;
use crate::uncertainty::FullAnalysis;
use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};
use std::io::{self, Write};

/// Renders the keys documented in the README, `null` for undefined numbers.
pub struct JsonExporter;

/// A number, `null` when undefined or not finite.
fn finite(value: Option<f64>) -> Option<f64> {
    value.filter(|v| v.is_finite())
}

/// `{name: value}` in the order given.
struct Keyed<'a>(Vec<&'a str>, &'a [f64]);

impl<'a> Keyed<'a> {
    fn new(keys: impl IntoIterator<Item = &'a str>, values: &'a [f64]) -> Self {
        Keyed(keys.into_iter().collect(), values)
    }
}

impl Serialize for Keyed<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in self.0.iter().zip(self.1) {
            map.serialize_entry(k, &finite(Some(*v)))?;
        }
        map.end()
    }
}

/// The JSON object of one analysis (with its uncertainty fields, when it
/// has them).
#[derive(Serialize)]
pub struct AnalysisJson<'a> {
    matrix: &'a str,
    method: &'static str,
    capability_benchmarks: &'a [String],
    models_used: Vec<&'a str>,
    models_excluded: &'a [ExcludedModel],
    pc1_variance_explained: Option<f64>,
    eigenvalues: Vec<Option<f64>>,
    pc1_loadings: Keyed<'a>,
    capability_correlation_matrix: &'a [Vec<f64>],
    capability_correlation_mean: Option<f64>,
    capability_correlation_std: Option<f64>,
    capabilities_scores: Keyed<'a>,
    compute_column: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    compute_scale: Option<&'static str>,
    capabilities_score_compute_n: usize,
    capabilities_score_compute_correlation: Option<f64>,
    dropped_benchmarks: &'a [DroppedBenchmark],
    benchmarks: Vec<BenchmarkJson<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    uncertainty: Option<UncertaintyJson<'a>>,
}

/// One entry of `benchmarks`; a `null` correlation gets a `…_undefined`
/// key saying why (absent when the number is defined), then the
/// uncertainty fields asked for.
#[derive(Serialize)]
struct BenchmarkJson<'a> {
    benchmark: &'a str,
    name: &'a str,
    role: Role,
    n: usize,
    capabilities_correlation: Option<f64>,
    compute_n: usize,
    compute_correlation: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    capabilities_correlation_undefined: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    compute_correlation_undefined: Option<String>,
    #[serde(flatten)]
    uncertainty: Fields,
}

impl<'a> BenchmarkJson<'a> {
    fn new(full: &FullAnalysis, i: usize, b: &'a BenchmarkResult) -> Self {
        let a = &full.analysis;
        let why = |value: Option<f64>, n: usize, applies: bool| {
            (applies && finite(value).is_none()).then(|| undefined_reason(a, &b.benchmark, n))
        };
        BenchmarkJson {
            benchmark: &b.benchmark,
            name: &b.name,
            role: b.role,
            n: b.n,
            capabilities_correlation: finite(b.capabilities_correlation),
            compute_n: b.compute_n,
            compute_correlation: finite(b.compute_correlation),
            capabilities_correlation_undefined: why(b.capabilities_correlation, b.n, true),
            compute_correlation_undefined: why(
                b.compute_correlation,
                b.compute_n,
                a.compute_column.is_some(),
            ),
            uncertainty: benchmark_fields(full.uncertainty.as_ref(), i),
        }
    }
}

impl<'a> AnalysisJson<'a> {
    /// The object for `full`.
    pub fn new(full: &'a FullAnalysis) -> Self {
        let a: &'a Analysis = &full.analysis;
        let fit = &a.fit;
        AnalysisJson {
            matrix: &a.matrix,
            method: a.method.as_str(),
            capability_benchmarks: &fit.benchmarks,
            models_used: a.models_used(),
            models_excluded: &fit.excluded,
            pc1_variance_explained: finite(Some(fit.pc1_variance_explained())),
            eigenvalues: fit.eigenvalues.iter().map(|v| finite(Some(*v))).collect(),
            pc1_loadings: Keyed::new(fit.benchmarks.iter().map(String::as_str), &fit.loadings),
            capability_correlation_matrix: &fit.correlation_matrix,
            capability_correlation_mean: finite(Some(fit.correlation_mean)),
            capability_correlation_std: finite(Some(fit.correlation_std)),
            capabilities_scores: Keyed::new(a.models_used(), &fit.scores),
            compute_column: a.compute_column.as_deref(),
            compute_scale: (a.compute_column.is_some() && compute_in_log10(a.method))
                .then_some("log10"),
            capabilities_score_compute_n: a.score_compute_n,
            capabilities_score_compute_correlation: finite(
                a.capabilities_score_compute_correlation,
            ),
            dropped_benchmarks: &a.dropped,
            benchmarks: a
                .benchmarks
                .iter()
                .enumerate()
                .map(|(i, b)| BenchmarkJson::new(full, i, b))
                .collect(),
            uncertainty: UncertaintyJson::new(full),
        }
    }
}

/// Write the JSON of `analyses` to `out`: one object for one analysis, an
/// array for several, pretty-printed, with a final newline. This is the
/// command line's JSON output of `analyze`, byte for byte; a [`FullAnalysis`] comes
/// from [`crate::uncertainty::analyze_with_uncertainty`], or from a plain
/// [`Analysis`] with `FullAnalysis::from`.
///
/// ```
/// # use safetywashing::{analysis::Analysis, uncertainty::FullAnalysis};
/// # fn show(analysis: Analysis) -> std::io::Result<()> {
/// let mut bytes = Vec::new();
/// safetywashing::output::json::write_analysis(&[FullAnalysis::from(analysis)], &mut bytes)?;
/// # Ok(()) }
/// ```
pub fn write_analysis(analyses: &[FullAnalysis], out: &mut dyn Write) -> io::Result<()> {
    match analyses {
        [one] => serde_json::to_writer_pretty(&mut *out, &AnalysisJson::new(one))?,
        many => {
            let all: Vec<AnalysisJson> = many.iter().map(AnalysisJson::new).collect();
            serde_json::to_writer_pretty(&mut *out, &all)?
        }
    }
    out.write_all(b"\n")
}

/// The JSON value of one analysis (what [`write_analysis`] writes for it).
pub fn analysis_json(full: &FullAnalysis) -> serde_json::Value {
    // A struct of strings, numbers and maps with string keys always converts.
    serde_json::to_value(AnalysisJson::new(full)).unwrap_or_default()
}

impl Exporter for JsonExporter {
    fn export(&self, analyses: &[FullAnalysis], out: &mut dyn Write) -> io::Result<()> {
        write_analysis(analyses, out)
    }
}
