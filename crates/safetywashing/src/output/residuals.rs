//! Rendering of `residuals`: the regression of a benchmark on the
//! capabilities score and the models ranked by residual, in every format.

use super::table::Table;
use super::{Format, csv_number, percent};
use crate::escape;
use crate::uncertainty::{ResidualRow, Residuals, SlopeIntervalMethod};
use serde::Serialize;
use std::io::{self, Write};

/// A number, `null` when not finite.
fn finite(value: Option<f64>) -> Option<f64> {
    value.filter(|v| v.is_finite())
}

/// The JSON object of one regression.
#[derive(Serialize)]
struct ResidualsJson<'a> {
    matrix: &'a str,
    benchmark: &'a str,
    method: &'static str,
    regression: &'static str,
    n: usize,
    slope: Option<f64>,
    slope_interval: SlopeIntervalMethod,
    slope_ci_low: Option<f64>,
    slope_ci_high: Option<f64>,
    confidence: f64,
    intercept: Option<f64>,
    r_squared: Option<f64>,
    compute_column: Option<&'a str>,
    partial_compute_n: usize,
    partial_compute_correlation: Option<f64>,
    units: Units,
    models: Vec<ModelJson<'a>>,
}

/// The units of each model's numbers.
#[derive(Serialize)]
struct Units {
    capabilities_score: &'static str,
    value: &'static str,
    fitted: &'static str,
    residual: &'static str,
}

/// The standardised scale of `fitted` and `residual`, in words.
fn standardised_scale(r: &Residuals) -> &'static str {
    if r.regression.kind == "rank" {
        "standardised ranks"
    } else {
        "z-scores"
    }
}

/// One model of `models`.
#[derive(Serialize)]
struct ModelJson<'a> {
    model: &'a str,
    capabilities_score: Option<f64>,
    value: Option<f64>,
    fitted: Option<f64>,
    residual: Option<f64>,
}

impl<'a> ModelJson<'a> {
    fn new(m: &'a ResidualRow) -> Self {
        ModelJson {
            model: &m.model,
            capabilities_score: finite(Some(m.capabilities_score)),
            value: finite(Some(m.value)),
            fitted: finite(Some(m.fitted)),
            residual: finite(Some(m.residual)),
        }
    }
}

impl<'a> ResidualsJson<'a> {
    fn new(r: &'a Residuals) -> Self {
        let g = &r.regression;
        ResidualsJson {
            matrix: &r.matrix,
            benchmark: &r.benchmark,
            method: r.method.as_str(),
            regression: g.kind,
            n: g.n,
            slope: finite(Some(g.slope)),
            slope_interval: g.slope_interval_method,
            slope_ci_low: finite(g.slope_interval.map(|i| i.low)),
            slope_ci_high: finite(g.slope_interval.map(|i| i.high)),
            confidence: g.confidence,
            intercept: finite(Some(g.intercept)),
            r_squared: finite(Some(g.r_squared)),
            compute_column: r.compute_column.as_deref(),
            partial_compute_n: r.partial_compute_n,
            partial_compute_correlation: finite(r.partial_compute_correlation),
            units: Units {
                capabilities_score: "score",
                value: "raw",
                fitted: standardised_scale(r),
                residual: standardised_scale(r),
            },
            models: r.models.iter().map(ModelJson::new).collect(),
        }
    }
}

/// Write regressions (one per matrix) in `format` to `out`.
pub fn write_residuals(
    format: Format,
    results: &[Residuals],
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        Format::Json => {
            match results {
                [r] => serde_json::to_writer_pretty(&mut *out, &ResidualsJson::new(r))?,
                many => {
                    let all: Vec<ResidualsJson> = many.iter().map(ResidualsJson::new).collect();
                    serde_json::to_writer_pretty(&mut *out, &all)?
                }
            }
            out.write_all(b"\n")
        }
        Format::Csv => write_csv(results, out),
        Format::Text => out.write_all(&report(results, false)),
        Format::Markdown => out.write_all(&report(results, true)),
    }
}

/// Regressions rendered in `format`, as bytes.
pub fn export_residuals(format: Format, results: &[Residuals]) -> Vec<u8> {
    let mut bytes = Vec::new();
    // Writing into a Vec cannot fail.
    let _ = write_residuals(format, results, &mut bytes);
    bytes
}

/// One CSV row per model, typed.
fn write_csv(results: &[Residuals], out: &mut dyn Write) -> io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record([
        "matrix",
        "benchmark",
        "rank",
        "model",
        "capabilities_score",
        "value",
        "fitted",
        "residual",
    ])?;
    for r in results {
        for (i, m) in r.models.iter().enumerate() {
            w.write_record([
                escape::control(&r.matrix).into_owned(),
                escape::control(&r.benchmark).into_owned(),
                (i + 1).to_string(),
                escape::control(&m.model).into_owned(),
                csv_number(Some(m.capabilities_score)),
                csv_number(Some(m.value)),
                csv_number(Some(m.fitted)),
                csv_number(Some(m.residual)),
            ])?;
        }
    }
    w.flush()
}

/// Three decimals, without a "-0.000".
fn fixed3(v: f64) -> String {
    let s = format!("{v:.3}");
    if s == "-0.000" { "0.000".into() } else { s }
}

fn summary(r: &Residuals) -> Vec<String> {
    let g = &r.regression;
    let scale = if g.kind == "rank" {
        "rank-based OLS: standardised ranks of the benchmark on standardised ranks of the score"
    } else {
        "OLS: benchmark z-scores on the capabilities score"
    };
    let interval = g
        .slope_interval
        .map_or(String::new(), |i| format!(" [{:.3}, {:.3}]", i.low, i.high));
    let mut lines = vec![
        format!("Matrix: {}", r.matrix),
        format!("Benchmark: {} · method {} · {scale}", r.benchmark, r.method),
        format!(
            "Slope {:.3}{interval} ({:.0}% {}), intercept {}, R² {:.3}, n={}",
            g.slope,
            g.confidence * 100.0,
            g.slope_interval_method.describe(),
            fixed3(g.intercept),
            g.r_squared,
            g.n
        ),
    ];
    lines.push(match &r.compute_column {
        Some(c) => format!(
            "Partial correlation with compute ({c}) given capabilities: {} (n={})",
            percent(r.partial_compute_correlation),
            r.partial_compute_n
        ),
        None => "Compute: no compute column in this matrix".to_string(),
    });
    lines.push(format!(
        "Units: value = the benchmark's raw value; fitted, residual = {} (std.)",
        standardised_scale(r)
    ));
    lines.push("Residual > 0: safer on this benchmark than its capabilities predict.".into());
    lines
}

fn report(results: &[Residuals], markdown: bool) -> Vec<u8> {
    let mut out = String::new();
    for (k, r) in results.iter().enumerate() {
        let title = "Models by residual";
        let table = Table {
            header: [
                "rank",
                "model",
                "score",
                "value (raw)",
                "fitted (std.)",
                "residual (std.)",
            ]
            .map(String::from)
            .to_vec(),
            rows: r
                .models
                .iter()
                .enumerate()
                .map(|(i, m)| {
                    vec![
                        (i + 1).to_string(),
                        m.model.clone(),
                        format!("{:.3}", m.capabilities_score),
                        format!("{:.4}", m.value),
                        fixed3(m.fitted),
                        format!("{:+.3}", m.residual),
                    ]
                })
                .collect(),
            numeric: vec![0, 2, 3, 4, 5],
        };
        if markdown {
            out.push_str(&format!(
                "# {} · {}\n\n",
                escape::markdown(&r.matrix),
                escape::markdown(&r.benchmark)
            ));
            for l in summary(r) {
                out.push_str(&format!("- {}\n", escape::markdown(&l)));
            }
            out.push_str(&format!("\n## {title}\n\n"));
            out.push_str(&table.markdown());
            out.push_str("\n\n");
        } else {
            if k > 0 {
                out.push('\n');
            }
            for l in summary(r) {
                out.push_str(&escape::control(&l));
                out.push('\n');
            }
            out.push_str(&format!("\n{title}\n"));
            out.push_str(&table.plain());
            out.push('\n');
        }
    }
    out.into_bytes()
}
