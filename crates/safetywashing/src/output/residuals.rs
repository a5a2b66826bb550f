//! Rendering of `residuals`: the regression of a benchmark on the
//! capabilities score and the models ranked by residual, in every format.

use super::text::{Section, render_table};
use super::{Format, percent};
use crate::uncertainty::Residuals;
use comfy_table::presets;
use serde_json::{Value, json};

fn number(value: Option<f64>) -> Value {
    value
        .filter(|v| v.is_finite())
        .map_or(Value::Null, |v| json!(v))
}

fn cell(value: f64) -> String {
    if value.is_finite() {
        value.to_string()
    } else {
        String::new()
    }
}

/// Render regressions (one per matrix) in `format`.
pub fn export_residuals(format: Format, results: &[Residuals]) -> Vec<u8> {
    match format {
        Format::Json => json_bytes(results),
        Format::Csv => csv_bytes(results),
        Format::Text => report(results, false),
        Format::Markdown => report(results, true),
    }
}

fn json_bytes(results: &[Residuals]) -> Vec<u8> {
    let one = |r: &Residuals| {
        let g = &r.regression;
        json!({
            "matrix": r.matrix,
            "benchmark": r.benchmark,
            "method": r.method.as_str(),
            "regression": g.kind,
            "n": g.n,
            "slope": number(Some(g.slope)),
            "slope_ci_low": number(g.slope_low),
            "slope_ci_high": number(g.slope_high),
            "confidence": g.confidence,
            "intercept": number(Some(g.intercept)),
            "r_squared": number(Some(g.r_squared)),
            "compute_column": r.compute_column,
            "partial_compute_n": r.partial_compute_n,
            "partial_compute_correlation": number(r.partial_compute_correlation),
            "models": r.models.iter().map(|m| json!({
                "model": m.model,
                "capabilities_score": number(Some(m.capabilities_score)),
                "value": number(Some(m.value)),
                "fitted": number(Some(m.fitted)),
                "residual": number(Some(m.residual)),
            })).collect::<Vec<_>>(),
        })
    };
    let value = match results {
        [r] => one(r),
        many => Value::Array(many.iter().map(one).collect()),
    };
    let mut out = serde_json::to_vec_pretty(&value).unwrap_or_default();
    out.push(b'\n');
    out
}

fn csv_bytes(results: &[Residuals]) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    // Writing to a Vec<u8> cannot fail.
    let _ = w.write_record([
        "matrix",
        "benchmark",
        "rank",
        "model",
        "capabilities_score",
        "value",
        "fitted",
        "residual",
    ]);
    for r in results {
        for (i, m) in r.models.iter().enumerate() {
            let _ = w.write_record([
                r.matrix.as_str(),
                &r.benchmark,
                &(i + 1).to_string(),
                &m.model,
                &cell(m.capabilities_score),
                &cell(m.value),
                &cell(m.fitted),
                &cell(m.residual),
            ]);
        }
    }
    w.into_inner().unwrap_or_default()
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
    let interval = match (g.slope_low, g.slope_high) {
        (Some(lo), Some(hi)) => format!(" [{lo:.3}, {hi:.3}]"),
        _ => String::new(),
    };
    let mut lines = vec![
        format!("Matrix: {}", r.matrix),
        format!("Benchmark: {} · method {} · {scale}", r.benchmark, r.method),
        format!(
            "Slope {:.3}{interval} ({:.0}% t interval), intercept {}, R² {:.3}, n={}",
            g.slope,
            g.confidence * 100.0,
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
    lines.push("Residual > 0: safer on this benchmark than its capabilities predict.".into());
    lines
}

fn report(results: &[Residuals], markdown: bool) -> Vec<u8> {
    let mut out = String::new();
    for (k, r) in results.iter().enumerate() {
        let section = Section {
            title: "Models by residual".into(),
            lines: summary(r),
            header: ["rank", "model", "score", "value", "fitted", "residual"]
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
            out.push_str(&format!("# {} · {}\n\n", r.matrix, r.benchmark));
            for l in &section.lines {
                out.push_str(&format!("- {l}\n"));
            }
            out.push_str(&format!("\n## {}\n\n", section.title));
            out.push_str(&render_table(&section, presets::ASCII_MARKDOWN));
            out.push_str("\n\n");
        } else {
            if k > 0 {
                out.push('\n');
            }
            for l in &section.lines {
                out.push_str(l);
                out.push('\n');
            }
            out.push_str(&format!("\n{}\n", section.title));
            out.push_str(&render_table(&section, super::text::PLAIN));
            out.push('\n');
        }
    }
    out.into_bytes()
}
