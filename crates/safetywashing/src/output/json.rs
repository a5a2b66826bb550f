//! JSON: one object per matrix (an array of them for several), full precision.

use super::Exporter;
use crate::analysis::{Analysis, BenchmarkResult, undefined_reason};
use serde_json::{Map, Value, json};
use std::io::{self, Write};

/// Renders the keys documented in the README, `null` for undefined numbers.
pub struct JsonExporter;

/// A finite number, or `null`.
fn number(value: Option<f64>) -> Value {
    value
        .filter(|v| v.is_finite())
        .map_or(Value::Null, |v| json!(v))
}

/// The JSON object for one analysis.
pub fn analysis_json(a: &Analysis) -> Value {
    let fit = &a.fit;
    let keyed = |names: &[String], values: &[f64]| -> Map<String, Value> {
        names
            .iter()
            .zip(values)
            .map(|(n, v)| (n.clone(), number(Some(*v))))
            .collect()
    };
    let used: Vec<String> = a.models_used().iter().map(|s| s.to_string()).collect();
    let mut value = json!({
        "matrix": a.matrix,
        "method": a.method.as_str(),
        "capability_benchmarks": fit.benchmarks,
        "models_used": used,
        "models_excluded": fit.excluded,
        "pc1_variance_explained": number(Some(fit.pc1_variance_explained())),
        "eigenvalues": fit.eigenvalues.iter().map(|v| number(Some(*v))).collect::<Vec<_>>(),
        "pc1_loadings": keyed(&fit.benchmarks, &fit.loadings),
        "capability_correlation_matrix": fit.correlation_matrix,
        "capability_correlation_mean": number(Some(fit.correlation_mean)),
        "capability_correlation_std": number(Some(fit.correlation_std)),
        "capabilities_scores": keyed(&used, &fit.scores),
        "compute_column": a.compute_column,
        "capabilities_score_compute_n": a.score_compute_n,
        "capabilities_score_compute_correlation": number(a.capabilities_score_compute_correlation),
        "dropped_benchmarks": a.dropped,
        "benchmarks": a.benchmarks.iter().map(|b| benchmark_json(a, b)).collect::<Vec<_>>(),
    });
    super::uncertainty::extend_json(&mut value, a);
    value
}

/// One entry of `benchmarks`; a `null` correlation gets a `…_undefined`
/// key saying why (absent when the number is defined).
fn benchmark_json(a: &Analysis, b: &BenchmarkResult) -> Value {
    let mut entry = json!({
        "benchmark": b.benchmark,
        "name": b.name,
        "role": b.role,
        "n": b.n,
        "capabilities_correlation": number(b.capabilities_correlation),
        "compute_n": b.compute_n,
        "compute_correlation": number(b.compute_correlation),
    });
    let compute = a.compute_column.is_some();
    for (key, value, n, applies) in [
        (
            "capabilities_correlation_undefined",
            b.capabilities_correlation,
            b.n,
            true,
        ),
        (
            "compute_correlation_undefined",
            b.compute_correlation,
            b.compute_n,
            compute,
        ),
    ] {
        if applies && number(value).is_null() {
            entry[key] = json!(undefined_reason(a, &b.benchmark, n));
        }
    }
    entry
}

impl Exporter for JsonExporter {
    fn export(&self, analyses: &[Analysis], out: &mut dyn Write) -> io::Result<()> {
        let value = match analyses {
            [one] => analysis_json(one),
            many => Value::Array(many.iter().map(analysis_json).collect()),
        };
        serde_json::to_writer_pretty(&mut *out, &value)?;
        out.write_all(b"\n")
    }
}
