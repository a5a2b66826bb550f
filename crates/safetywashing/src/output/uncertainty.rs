//! Rendering of the numbers of [`crate::uncertainty`]: extra per-benchmark
//! fields in JSON and CSV, an `uncertainty` object per matrix in JSON, and
//! intervals, p-values and flags in the text and Markdown tables.
//!
//! Nothing here runs unless an analysis carries an uncertainty report, so
//! the paper's default output is unchanged byte for byte. A field is present
//! only when the flag that computes it was given (`--bootstrap` adds the
//! interval fields, `--permutations` the p/q-values, and so on); within a
//! present field an undefined number is `null` (JSON) or empty (CSV).

use super::percent;
use super::text::Section;
use crate::analysis::{Analysis, Role};
use crate::uncertainty::{
    BootstrapEstimate, BootstrapReport, ClusterSource, IntervalMethod, Resampling,
    UncertaintyReport,
};
use serde_json::{Map, Value, json};

fn number(value: Option<f64>) -> Value {
    value
        .filter(|v| v.is_finite())
        .map_or(Value::Null, |v| json!(v))
}

fn cell(value: Option<f64>) -> String {
    value
        .filter(|v| v.is_finite())
        .map_or(String::new(), |v| v.to_string())
}

/// Flat fields of one bootstrapped number, each key prefixed by `prefix`.
fn estimate_fields(
    prefix: &str,
    e: &BootstrapEstimate,
    method: IntervalMethod,
) -> Vec<(String, Value)> {
    let chosen = e.interval(method);
    let ends = |i: Option<crate::uncertainty::Interval>| {
        (number(i.map(|i| i.low)), number(i.map(|i| i.high)))
    };
    let (lo, hi) = ends(chosen.map(|c| c.0));
    let (plo, phi) = ends(e.percentile);
    let (blo, bhi) = ends(e.bca);
    let (flo, fhi) = ends(e.fisher_z);
    [
        ("ci_low", lo),
        ("ci_high", hi),
        (
            "ci_method",
            chosen.map_or(Value::Null, |c| json!(c.1.as_str())),
        ),
        ("ci_percentile_low", plo),
        ("ci_percentile_high", phi),
        ("ci_bca_low", blo),
        ("ci_bca_high", bhi),
        ("ci_fisher_z_low", flo),
        ("ci_fisher_z_high", fhi),
        ("resamples_used", json!(e.used)),
        ("resamples_skipped", json!(e.skipped)),
    ]
    .into_iter()
    .map(|(k, v)| (format!("{prefix}{k}"), v))
    .collect()
}

/// Every extra per-benchmark field of benchmark `i`, in a fixed order.
fn benchmark_fields(u: &UncertaintyReport, i: usize) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    if let Some(b) = &u.bootstrap {
        out.extend(estimate_fields("", &b.capabilities[i], b.interval));
        out.extend(estimate_fields("compute_", &b.compute[i], b.interval));
    }
    if let Some(p) = &u.permutation {
        out.push(("p_value".into(), number(p.p_values[i])));
        out.push(("q_value".into(), number(p.q_values[i])));
    }
    if let Some(loo) = &u.leave_one_out {
        out.push(("loo_correlation".into(), number(loo[i])));
    }
    if let Some(s) = &u.sensitivity {
        let b = &s.benchmarks[i];
        out.extend([
            ("sensitivity_min".into(), number(b.min)),
            ("sensitivity_max".into(), number(b.max)),
            ("drop_one_min".into(), number(b.drop_one_min)),
            ("drop_one_max".into(), number(b.drop_one_max)),
            ("mean_z_correlation".into(), number(b.mean_z)),
            ("pearson_pc1_correlation".into(), number(b.pearson_pc1)),
            ("verdict_flips".into(), json!(b.verdict_flips)),
        ]);
    }
    if let Some(imp) = &u.imputation {
        out.push((
            "listwise_correlation".into(),
            number(imp.listwise.get(i).copied().flatten()),
        ));
    }
    out
}

fn resampling_json(b: &BootstrapReport) -> (Value, Value) {
    match &b.resampling {
        Resampling::Models => (json!("models"), Value::Null),
        Resampling::Clusters(ClusterSource::Column(c)) => {
            (json!("clusters"), json!(format!("column:{c}")))
        }
        Resampling::Clusters(ClusterSource::ModelPrefix) => {
            (json!("clusters"), json!("model-id prefix"))
        }
    }
}

fn object(fields: Vec<(String, Value)>) -> Value {
    Value::Object(fields.into_iter().collect::<Map<String, Value>>())
}

/// The matrix-level `uncertainty` object.
fn summary_json(a: &Analysis, u: &UncertaintyReport) -> Value {
    let mut out = Map::new();
    out.insert("seed".into(), json!(u.seed));
    if let Some(b) = &u.bootstrap {
        let (resampling, clusters_by) = resampling_json(b);
        out.insert(
            "bootstrap".into(),
            json!({
                "resamples": b.resamples,
                "confidence": b.confidence,
                "interval": b.interval.as_str(),
                "resampling": resampling,
                "clusters_by": clusters_by,
                "units": b.units,
                "failed_fits": b.failed_fits,
                "pc1_variance_explained": object(estimate_fields("", &b.pc1_variance_explained, b.interval)),
                "capability_correlation_mean": object(estimate_fields("", &b.capability_correlation_mean, b.interval)),
                "capabilities_score_compute_correlation": object(estimate_fields("", &b.score_compute, b.interval)),
            }),
        );
    }
    if let Some(p) = &u.permutation {
        out.insert(
            "permutation".into(),
            json!({
                "permutations": p.permutations,
                "alternative": "two-sided",
                "q_values": "benjamini-hochberg over the benchmarks of this matrix",
                "tested": p.p_values.iter().flatten().count(),
            }),
        );
    }
    if let Some(s) = &u.sensitivity {
        let flagged: Vec<&str> = a
            .benchmarks
            .iter()
            .zip(&s.benchmarks)
            .filter(|(_, b)| b.verdict_flips)
            .map(|(r, _)| r.benchmark.as_str())
            .collect();
        let drop_one: Map<String, Value> = a
            .benchmarks
            .iter()
            .zip(&s.benchmarks)
            .map(|(r, b)| {
                let per: Map<String, Value> = s
                    .capabilities
                    .iter()
                    .zip(&b.drop_one)
                    .map(|(c, v)| (c.clone(), number(*v)))
                    .collect();
                (r.benchmark.clone(), Value::Object(per))
            })
            .collect();
        out.insert(
            "sensitivity".into(),
            json!({
                "threshold": s.threshold,
                "variants": ["drop-one capability composites", "mean z-score composite", "PC1 of the Pearson matrix", "compute"],
                "verdict_flips": flagged,
                "drop_one": drop_one,
            }),
        );
    }
    if let Some(i) = &u.imputation {
        out.insert(
            "imputation".into(),
            json!({
                "method": "pca",
                "rank": i.rank,
                "iterations": i.iterations,
                "converged": i.converged,
                "relative_change": number(Some(i.relative_change)),
                "imputed_cells": i.cells,
                "models_used": a.fit.rows.len(),
                "listwise_models_used": i.listwise_models,
            }),
        );
    }
    Value::Object(out)
}

/// Add the uncertainty fields to an analysis's JSON object (no-op without
/// a report).
pub fn extend_json(value: &mut Value, a: &Analysis) {
    let Some(u) = &a.uncertainty else { return };
    if let Some(list) = value.get_mut("benchmarks").and_then(Value::as_array_mut) {
        for (i, b) in list.iter_mut().enumerate() {
            if let Some(obj) = b.as_object_mut() {
                obj.extend(benchmark_fields(u, i));
            }
        }
    }
    if let Some(obj) = value.as_object_mut() {
        obj.insert("uncertainty".into(), summary_json(a, u));
    }
}

/// Extra CSV columns: the union over the analyses' reports, in field order.
pub fn csv_header(analyses: &[Analysis]) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for a in analyses {
        if let Some(u) = &a.uncertainty
            && !a.benchmarks.is_empty()
        {
            for (k, _) in benchmark_fields(u, 0) {
                if !names.contains(&k) {
                    names.push(k);
                }
            }
        }
    }
    names
}

/// Extra CSV cells of benchmark `i` of `a`, for the columns `header`.
pub fn csv_cells(a: &Analysis, i: usize, header: &[String]) -> Vec<String> {
    let fields: Vec<(String, Value)> = a
        .uncertainty
        .as_ref()
        .map(|u| benchmark_fields(u, i))
        .unwrap_or_default();
    header
        .iter()
        .map(
            |h| match fields.iter().find(|(k, _)| k == h).map(|(_, v)| v) {
                Some(Value::Number(n)) => cell(n.as_f64()).to_string(),
                Some(Value::String(s)) => s.clone(),
                Some(Value::Bool(b)) => b.to_string(),
                _ => String::new(),
            },
        )
        .collect()
}

/// "81.2% [72.0, 88.1] n=26": a correlation with its interval and n.
pub fn with_interval(
    value: Option<f64>,
    e: Option<(&BootstrapEstimate, IntervalMethod)>,
    n: usize,
) -> String {
    let interval = e
        .and_then(|(e, m)| e.interval(m))
        .map(|(i, _)| format!(" [{:.1}, {:.1}]", i.low * 100.0, i.high * 100.0))
        .unwrap_or_default();
    format!("{}{interval} n={n}", percent(value))
}

fn p_text(p: Option<f64>) -> String {
    match p {
        Some(p) if p < 0.0001 => "<0.0001".into(),
        Some(p) => format!("{p:.4}"),
        None => "–".into(),
    }
}

/// Rewrite the report's sections for an analysis with uncertainty: summary
/// lines describing what was computed, and benchmark tables with intervals,
/// p/q-values, leave-one-out values and sensitivity ranges.
pub fn decorate(a: &Analysis, sections: &mut [Section]) {
    let Some(u) = &a.uncertainty else { return };
    if let Some(summary) = sections.first_mut() {
        summary.lines.extend(summary_lines(a, u));
    }
    for section in sections.iter_mut() {
        let role = match section.title.as_str() {
            "Capability benchmarks" => Role::Capability,
            "Other benchmarks" => Role::Safety,
            _ => continue,
        };
        let (header, rows) = table(a, u, role);
        section.numeric = (1..header.len()).collect();
        section.header = header;
        section.rows = rows;
    }
}

fn summary_lines(a: &Analysis, u: &UncertaintyReport) -> Vec<String> {
    let mut lines = Vec::new();
    if let Some(b) = &u.bootstrap {
        lines.push(format!("Bootstrap: {} (seed {})", b.describe(), u.seed));
        let show = |label: &str, v: Option<f64>, e: &BootstrapEstimate, n: usize| {
            format!("  {label}: {}", with_interval(v, Some((e, b.interval)), n))
        };
        let n = a.fit.rows.len();
        lines.push(show(
            "PC1 share",
            Some(a.fit.pc1_variance_explained()),
            &b.pc1_variance_explained,
            n,
        ));
        lines.push(show(
            "capability correlation mean",
            Some(a.fit.correlation_mean),
            &b.capability_correlation_mean,
            n,
        ));
        if a.compute_column.is_some() {
            lines.push(show(
                "capabilities score vs compute",
                a.capabilities_score_compute_correlation,
                &b.score_compute,
                a.score_compute_n,
            ));
        }
        let partial = b
            .capabilities
            .iter()
            .chain(&b.compute)
            .filter(|e| e.skipped > 0 && e.used > 0)
            .count();
        if partial > 0 {
            lines.push(format!(
                "  {partial} correlation(s) were undefined in some resamples, which were skipped for them (resamples_skipped in JSON/CSV)"
            ));
        }
        if b.failed_fits > 0 {
            lines.push(format!(
                "  {} resample(s) could not be fitted and were skipped",
                b.failed_fits
            ));
        }
    }
    if let Some(p) = &u.permutation {
        lines.push(format!(
            "Permutation test: {} permutations per benchmark (seed {}), two-sided; q = Benjamini–Hochberg over {} benchmarks",
            p.permutations,
            u.seed,
            p.p_values.iter().flatten().count()
        ));
    }
    if let Some(s) = &u.sensitivity {
        lines.push(format!(
            "Sensitivity: {} drop-one composites, mean z-score, Pearson PC1, compute; verdict (≥ {}) flips for {} of {} other benchmarks",
            s.capabilities.len(),
            percent(Some(s.threshold)),
            s.flipped(a, Role::Safety),
            a.benchmarks.iter().filter(|b| b.role == Role::Safety).count()
        ));
    }
    if let Some(i) = &u.imputation {
        lines.push(format!(
            "Imputation: PCA rank {}, {} cell(s) filled, {} after {} step(s) (relative change {:.1e}); listwise models: {}",
            i.rank,
            i.cells.len(),
            if i.converged { "converged" } else { "NOT converged" },
            i.iterations,
            i.relative_change,
            i.listwise_models.map_or("–".to_string(), |n| n.to_string())
        ));
        for c in &i.cells {
            lines.push(format!(
                "  imputed: {} {} = {}",
                c.model,
                c.benchmark,
                round4(c.value)
            ));
        }
    }
    lines
}

fn round4(v: f64) -> String {
    let s = format!("{v:.4}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

fn table(a: &Analysis, u: &UncertaintyReport, role: Role) -> (Vec<String>, Vec<Vec<String>>) {
    let b = u.bootstrap.as_ref();
    let ci = |label: &str| match b {
        Some(b) => format!("{label} [{:.0}% CI]", b.confidence * 100.0),
        None => label.to_string(),
    };
    let mut header = vec![
        "benchmark".to_string(),
        ci("capabilities corr."),
        ci("compute corr."),
    ];
    if u.permutation.is_some() {
        header.extend(["p".to_string(), "q".to_string()]);
    }
    if u.leave_one_out.is_some() && role == Role::Capability {
        header.push("without it".to_string());
    }
    if u.sensitivity.is_some() {
        header.extend(["range".to_string(), "flips".to_string()]);
    }
    if u.imputation.is_some() {
        header.push("listwise".to_string());
    }
    let rows = a
        .benchmarks
        .iter()
        .enumerate()
        .filter(|(_, r)| r.role == role)
        .map(|(i, r)| {
            let mut row = vec![
                r.name.clone(),
                with_interval(
                    r.capabilities_correlation,
                    b.map(|b| (&b.capabilities[i], b.interval)),
                    r.n,
                ),
                with_interval(
                    r.compute_correlation,
                    b.map(|b| (&b.compute[i], b.interval)),
                    r.compute_n,
                ),
            ];
            if let Some(p) = &u.permutation {
                row.push(p_text(p.p_values[i]));
                row.push(p_text(p.q_values[i]));
            }
            if let Some(loo) = &u.leave_one_out
                && role == Role::Capability
            {
                row.push(percent(loo[i]));
            }
            if let Some(s) = &u.sensitivity {
                let bs = &s.benchmarks[i];
                row.push(match (bs.min, bs.max) {
                    (Some(lo), Some(hi)) => format!("[{:.1}, {:.1}]", lo * 100.0, hi * 100.0),
                    _ => "–".into(),
                });
                row.push(if bs.verdict_flips { "yes" } else { "" }.to_string());
            }
            if let Some(imp) = &u.imputation {
                row.push(percent(imp.listwise.get(i).copied().flatten()));
            }
            row
        })
        .collect();
    (header, rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::uncertainty::Interval;

    #[test]
    fn interval_cell_like_the_issue() {
        let e = BootstrapEstimate {
            percentile: Some(Interval {
                low: 0.72,
                high: 0.881,
            }),
            bca: None,
            fisher_z: None,
            used: 100,
            skipped: 0,
        };
        assert_eq!(
            with_interval(Some(0.8123), Some((&e, IntervalMethod::Bca)), 26),
            "81.2% [72.0, 88.1] n=26"
        );
        assert_eq!(with_interval(None, None, 3), "– n=3");
    }

    #[test]
    fn p_values_print_with_four_decimals() {
        assert_eq!(p_text(Some(0.01234)), "0.0123");
        assert_eq!(p_text(Some(0.00001)), "<0.0001");
        assert_eq!(p_text(None), "–");
    }
}
