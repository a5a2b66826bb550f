//! Placing new models on a reference's capabilities score.
//!
//! The reference's capabilities score is fitted once ([`fit_capabilities`])
//! and then *frozen*: each new model's capability value is z-scored with the
//! reference's mean and population std of that benchmark (over the reference
//! models that have it, as in the fit) and the z-row is dotted with the
//! reference's PC1. The score is then ranked among the reference models'
//! scores (1 = highest: 1 + the number of reference scores above it) and
//! given a percentile (percent of reference scores below it, ties half).
//!
//! A new model lacking a capability benchmark is refused, unless imputation
//! is asked for: the missing z-values are then the conditional mean given the
//! observed ones under the reference's capability correlation matrix
//! (`z_m = R_mo R_oo⁻¹ z_o`), the structure the fit itself rests on, and each
//! imputed cell is reported. A refit instead adds the new models to the
//! reference (a new model matching a reference model replaces its row) and
//! fits again, reporting both placements; on both, a new model that is a
//! reference model is compared with the reference rows including its own.

use crate::analysis::AnalysisOptions;
use crate::capabilities::{CapabilitiesError, CapabilitiesFit, fit_capabilities, standardisation};
use crate::escape;
use crate::linalg::symmetric_eigen;
use crate::matrix::{BenchmarkMatrix, Column};
use crate::names::{Matcher, NameMatch};
use crate::output::Table;
use serde::Serialize;
use std::fmt::Write as _;
use thiserror::Error;

/// Eigenvalues of `R_oo` below this (relative to the largest) are dropped
/// when inverting it: a pseudo-inverse, so nearly collinear benchmarks cannot
/// blow up an imputed value.
const PSEUDO_INVERSE_TOLERANCE: f64 = 1e-10;

/// How to score.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ScoreOptions {
    /// Capability benchmarks and correlation method of the reference fit.
    pub analysis: AnalysisOptions,
    /// Impute a new model's missing capability values instead of refusing it.
    pub impute: bool,
    /// Also refit with the new models added to the reference.
    pub refit: bool,
}

/// Why new models could not be scored.
#[derive(Debug, Error)]
pub enum ScoreError {
    /// The reference (or the refit) capabilities score could not be fitted.
    #[error(transparent)]
    Capabilities(#[from] CapabilitiesError),
    /// A new model lacks capability benchmarks and imputation is off.
    #[error(
        "{file}: model '{model}' has no value for {} {}; every capability benchmark is needed to place it on the frozen score",
        if benchmarks.len() == 1 { "capability benchmark" } else { "capability benchmarks" },
        benchmarks.join(", ")
    )]
    MissingCapabilities {
        /// New file.
        file: String,
        /// The model.
        model: String,
        /// Capability benchmarks it lacks.
        benchmarks: Vec<String>,
    },
    /// A new model has no capability value at all: nothing to impute from.
    #[error(
        "{file}: model '{model}' has no capability benchmark value at all; nothing to place it by"
    )]
    NothingObserved {
        /// New file.
        file: String,
        /// The model.
        model: String,
    },
    /// The new file has no model rows.
    #[error("{0}: no models to score")]
    NoModels(String),
}

/// A new model's place among the reference models on one score.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Placement {
    /// The capabilities score.
    pub capabilities_score: f64,
    /// 1 + the number of reference models scoring above it.
    pub rank_among_reference: usize,
    /// Percent of reference models scoring below it (ties count half).
    pub percentile: f64,
}

/// A capability value imputed for a new model.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ImputedCell {
    /// Capability benchmark.
    pub benchmark: String,
    /// The imputed z-value.
    pub z: f64,
    /// The same on the benchmark's scale (reference mean + z · std).
    pub value: f64,
}

/// One new model's result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScoredModel {
    /// Model id in the new file.
    pub model: String,
    /// The reference model it matches by name (as in `check`), if any.
    pub reference_model: Option<String>,
    /// Score, rank and percentile on the frozen reference score.
    #[serde(flatten)]
    pub frozen: Placement,
    /// Capability values imputed for it (empty without imputation).
    pub imputed: Vec<ImputedCell>,
    /// Its place on the refitted score, when a refit was asked for.
    pub refit: Option<Placement>,
}

/// The refitted score's summary.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RefitSummary {
    /// Models the refit was fitted on.
    pub models: usize,
    /// PC1 of the refit, aligned with the reference's direction.
    pub loadings: Vec<f64>,
    /// PC1's share of the variance in the refit.
    pub pc1_variance_explained: f64,
}

/// The result of scoring.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScoreReport {
    /// Reference matrix (path as given).
    pub reference: String,
    /// New file (path as given).
    pub new_file: String,
    /// Correlation method of the fit.
    pub method: String,
    /// Capability benchmarks, in order.
    pub capabilities: Vec<String>,
    /// The reference's PC1 loadings, one per capability benchmark.
    pub loadings: Vec<f64>,
    /// Reference mean of each capability benchmark.
    pub means: Vec<f64>,
    /// Reference population std of each capability benchmark.
    pub stds: Vec<f64>,
    /// PC1's share of the variance in the reference.
    pub pc1_variance_explained: f64,
    /// Reference models with a capabilities score.
    pub reference_models: usize,
    /// One entry per new model, in file order.
    pub models: Vec<ScoredModel>,
    /// The refit, when asked for.
    pub refit: Option<RefitSummary>,
    /// How each new model name matched the reference's.
    #[serde(skip)]
    pub matches: Vec<NameMatch>,
}

/// The frozen projection: the reference fit and each benchmark's mean and std.
struct Frozen {
    fit: CapabilitiesFit,
    means: Vec<f64>,
    stds: Vec<f64>,
}

impl Frozen {
    fn new(reference: &BenchmarkMatrix, options: &AnalysisOptions) -> Result<Frozen, ScoreError> {
        let fit = fit_capabilities(reference, &options.capabilities, options.method)?;
        // The fit succeeded, so every capability is a column with a non-constant,
        // finite mean and std over the models that have it.
        let (means, stds) = standardisation(reference, &fit);
        Ok(Frozen { fit, means, stds })
    }

    /// The score of one z-row.
    fn project(&self, z: &[f64]) -> f64 {
        z.iter().zip(&self.fit.loadings).map(|(a, w)| a * w).sum()
    }
}

/// Rank (1 + scores above) and percentile (below + ties/2) among `reference`.
fn place(score: f64, reference: &[f64]) -> Placement {
    let above = reference.iter().filter(|&&r| r > score).count();
    let below = reference.iter().filter(|&&r| r < score).count() as f64;
    let ties = reference.iter().filter(|&&r| r == score).count() as f64;
    Placement {
        capabilities_score: score,
        rank_among_reference: 1 + above,
        percentile: 100.0 * (below + ties / 2.0) / reference.len() as f64,
    }
}

/// Fill the NaN entries of `z` with their conditional mean given the others
/// under the correlation matrix `r`. Returns the indices filled.
fn impute_conditional(z: &mut [f64], r: &[Vec<f64>]) -> Vec<usize> {
    let observed: Vec<usize> = (0..z.len()).filter(|&i| !z[i].is_nan()).collect();
    let missing: Vec<usize> = (0..z.len()).filter(|&i| z[i].is_nan()).collect();
    if missing.is_empty() || observed.is_empty() {
        return missing;
    }
    let r_oo: Vec<Vec<f64>> = observed
        .iter()
        .map(|&i| observed.iter().map(|&j| r[i][j]).collect())
        .collect();
    // R_oo⁻¹ z_o through the eigendecomposition (a pseudo-inverse).
    let z_o: Vec<f64> = observed.iter().map(|&i| z[i]).collect();
    let solved = match symmetric_eigen(&r_oo) {
        Some(eigen) => {
            let largest = eigen.values.first().copied().unwrap_or(0.0).abs();
            let mut x = vec![0.0; observed.len()];
            for (value, vector) in eigen.values.iter().zip(&eigen.vectors) {
                if value.abs() <= PSEUDO_INVERSE_TOLERANCE * largest {
                    continue;
                }
                let coefficient: f64 =
                    vector.iter().zip(&z_o).map(|(v, z)| v * z).sum::<f64>() / value;
                x.iter_mut()
                    .zip(vector)
                    .for_each(|(xi, vi)| *xi += coefficient * vi);
            }
            x
        }
        // Not decomposable (cannot happen for a fitted correlation matrix):
        // the column means.
        None => vec![0.0; observed.len()],
    };
    for &m in &missing {
        z[m] = observed
            .iter()
            .zip(&solved)
            .map(|(&o, x)| r[m][o] * x)
            .sum();
    }
    missing
}

/// Place the models of `new` on the capabilities score of `reference`.
/// New model names are matched to the reference's by `matcher`; capability
/// benchmarks are found in `new` by column name.
pub fn score(
    reference: &BenchmarkMatrix,
    new: &BenchmarkMatrix,
    matcher: &Matcher,
    options: &ScoreOptions,
) -> Result<ScoreReport, ScoreError> {
    if new.models.is_empty() {
        return Err(ScoreError::NoModels(new.source.clone()));
    }
    let frozen = Frozen::new(reference, &options.analysis)?;
    let capabilities = &frozen.fit.benchmarks;
    let columns: Vec<Option<&Column>> = capabilities.iter().map(|b| new.benchmark(b)).collect();
    let matches = matcher.match_all(&new.models);

    // Each new model's z-row, imputed or refused where incomplete.
    let mut rows = Vec::with_capacity(new.n_models());
    let mut imputed_cells = Vec::with_capacity(new.n_models());
    for (m, model) in new.models.iter().enumerate() {
        let mut z: Vec<f64> = columns
            .iter()
            .enumerate()
            .map(|(k, c)| {
                let v = c.map_or(f64::NAN, |c| c.values[m]);
                (v - frozen.means[k]) / frozen.stds[k]
            })
            .collect();
        let missing: Vec<String> = (0..z.len())
            .filter(|&k| z[k].is_nan())
            .map(|k| capabilities[k].clone())
            .collect();
        let mut cells = Vec::new();
        if !missing.is_empty() {
            if !options.impute {
                return Err(ScoreError::MissingCapabilities {
                    file: new.source.clone(),
                    model: model.clone(),
                    benchmarks: missing,
                });
            }
            if missing.len() == z.len() {
                return Err(ScoreError::NothingObserved {
                    file: new.source.clone(),
                    model: model.clone(),
                });
            }
            for k in impute_conditional(&mut z, &frozen.fit.correlation_matrix) {
                cells.push(ImputedCell {
                    benchmark: capabilities[k].clone(),
                    z: z[k],
                    value: frozen.means[k] + z[k] * frozen.stds[k],
                });
            }
        }
        rows.push(z);
        imputed_cells.push(cells);
    }

    let refit = if options.refit {
        Some(refit(
            reference,
            new,
            &matches,
            &frozen,
            &imputed_cells,
            options,
        )?)
    } else {
        None
    };
    let models = new
        .models
        .iter()
        .enumerate()
        .map(|(m, model)| ScoredModel {
            model: model.clone(),
            reference_model: matches[m].used_target().map(str::to_string),
            frozen: place(frozen.project(&rows[m]), &frozen.fit.scores),
            imputed: imputed_cells[m].clone(),
            refit: refit.as_ref().map(|(_, placements)| placements[m]),
        })
        .collect();
    Ok(ScoreReport {
        reference: reference.source.clone(),
        new_file: new.source.clone(),
        method: options.analysis.method.as_str().to_string(),
        capabilities: capabilities.clone(),
        loadings: frozen.fit.loadings.clone(),
        means: frozen.means.clone(),
        stds: frozen.stds.clone(),
        pc1_variance_explained: frozen.fit.pc1_variance_explained(),
        reference_models: frozen.fit.rows.len(),
        models,
        refit: refit.map(|(summary, _)| summary),
        matches,
    })
}

/// Refit with the new models in the reference: a new model matching a
/// reference model replaces that row, the others are appended. Imputed
/// values enter the refit as imputed. Each new model is placed among the
/// refitted scores of the reference's rows (a replaced row holds its values).
fn refit(
    reference: &BenchmarkMatrix,
    new: &BenchmarkMatrix,
    matches: &[NameMatch],
    frozen: &Frozen,
    imputed: &[Vec<ImputedCell>],
    options: &ScoreOptions,
) -> Result<(RefitSummary, Vec<Placement>), ScoreError> {
    let capabilities = &frozen.fit.benchmarks;
    let mut combined = BenchmarkMatrix {
        source: format!("{} + {}", reference.source, new.source),
        models: reference.models.clone(),
        benchmarks: capabilities
            .iter()
            .map(|b| Column {
                name: b.clone(),
                values: reference.benchmark(b).map_or_else(
                    || vec![f64::NAN; reference.n_models()],
                    |c| c.values.clone(),
                ),
            })
            .collect(),
        meta: Vec::new(),
        compute: None,
    };
    let mut new_rows = Vec::with_capacity(new.n_models());
    for (m, model) in new.models.iter().enumerate() {
        let row = match matches[m]
            .used_target()
            .and_then(|t| reference.models.iter().position(|r| r == t))
        {
            Some(row) => row,
            None => {
                combined.models.push(model.clone());
                combined
                    .benchmarks
                    .iter_mut()
                    .for_each(|c| c.values.push(f64::NAN));
                combined.models.len() - 1
            }
        };
        for (k, column) in combined.benchmarks.iter_mut().enumerate() {
            let given = new
                .benchmark(&column.name)
                .map_or(f64::NAN, |c| c.values[m]);
            let filled = imputed[m]
                .iter()
                .find(|cell| cell.benchmark == column.name)
                .map_or(given, |cell| cell.value);
            column.values[row] = filled;
            debug_assert_eq!(capabilities[k], column.name);
        }
        new_rows.push(row);
    }
    let mut fit = fit_capabilities(&combined, capabilities, options.analysis.method)?;
    fit.align_to(&frozen.fit.loadings);
    let score_of = |row: usize| {
        fit.rows
            .iter()
            .position(|&r| r == row)
            .map(|i| fit.scores[i])
    };
    let placements = new_rows
        .iter()
        .map(|&row| {
            let others: Vec<f64> = fit
                .rows
                .iter()
                .zip(&fit.scores)
                .filter(|&(&r, _)| r < reference.n_models())
                .map(|(_, &s)| s)
                .collect();
            place(score_of(row).unwrap_or(f64::NAN), &others)
        })
        .collect();
    Ok((
        RefitSummary {
            models: fit.rows.len(),
            loadings: fit.loadings.clone(),
            pc1_variance_explained: fit.pc1_variance_explained(),
        },
        placements,
    ))
}

impl ScoreReport {
    /// The report as JSON: `{"reference", "models": [...], ...}`.
    pub fn json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }

    /// One CSV row per new model.
    pub fn csv(&self) -> String {
        let mut w = csv::Writer::from_writer(Vec::new());
        let mut header = vec![
            "model",
            "reference_model",
            "capabilities_score",
            "rank_among_reference",
            "percentile",
            "imputed",
        ];
        if self.refit.is_some() {
            header.extend([
                "refit_capabilities_score",
                "refit_rank_among_reference",
                "refit_percentile",
            ]);
        }
        let _ = w.write_record(&header);
        for m in &self.models {
            let imputed: Vec<&str> = m.imputed.iter().map(|c| c.benchmark.as_str()).collect();
            let mut record = vec![
                m.model.clone(),
                m.reference_model.clone().unwrap_or_default(),
                m.frozen.capabilities_score.to_string(),
                m.frozen.rank_among_reference.to_string(),
                m.frozen.percentile.to_string(),
                imputed.join(";"),
            ];
            if let Some(r) = m.refit {
                record.extend([
                    r.capabilities_score.to_string(),
                    r.rank_among_reference.to_string(),
                    r.percentile.to_string(),
                ]);
            }
            let _ = w.write_record(&record);
        }
        String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
    }

    /// The human report.
    pub fn text(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "Reference: {}", escape::control(&self.reference));
        let _ = writeln!(
            out,
            "Frozen capabilities score: PC1 of {} capability benchmarks ({}), fitted on {} reference models, explains {:.1}% of the variance",
            self.capabilities.len(),
            self.method,
            self.reference_models,
            self.pc1_variance_explained * 100.0
        );
        let _ = writeln!(out, "New models: {}\n", escape::control(&self.new_file));
        let mut header = vec!["model", "score", "rank", "percentile"];
        if self.refit.is_some() {
            header.extend(["refit score", "refit rank", "refit percentile"]);
        }
        let of = self.reference_models + 1;
        let rows = self
            .models
            .iter()
            .map(|m| {
                let mut row = vec![
                    m.model.clone(),
                    format!("{:.3}", m.frozen.capabilities_score),
                    format!("{} of {of}", m.frozen.rank_among_reference),
                    format!("{:.1}", m.frozen.percentile),
                ];
                if let Some(r) = m.refit {
                    row.extend([
                        format!("{:.3}", r.capabilities_score),
                        format!("{}", r.rank_among_reference),
                        format!("{:.1}", r.percentile),
                    ]);
                }
                row
            })
            .collect();
        let table = Table {
            numeric: (1..header.len()).collect(),
            header: header.into_iter().map(str::to_string).collect(),
            rows,
        };
        let _ = writeln!(out, "{}", table.plain());
        for m in &self.models {
            if let Some(r) = &m.reference_model {
                let _ = writeln!(
                    out,
                    "note: '{}' is reference model '{}'; its rank counts its own reference score",
                    escape::control(&m.model),
                    escape::control(r)
                );
            }
            for c in &m.imputed {
                let _ = writeln!(
                    out,
                    "imputed: {} {} = {:.4} (z = {:.3}) from the reference's correlation structure",
                    escape::control(&m.model),
                    escape::control(&c.benchmark),
                    c.value,
                    c.z
                );
            }
        }
        if let Some(r) = &self.refit {
            let _ = writeln!(
                out,
                "refit: {} models, PC1 explains {:.1}% of the variance; rank among the reference models on the refitted score",
                r.models,
                r.pc1_variance_explained * 100.0
            );
        }
        let _ = writeln!(
            out,
            "rank: 1 + the number of reference models scoring higher; percentile: percent of reference models scoring lower (ties half)"
        );
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::CorrelationMethod;

    fn reference() -> BenchmarkMatrix {
        let text = "model,c1,c2,c3,s1\n\
            A,1,2,1,5\nB,2,1,3,3\nC,3,4,2,4\nD,4,3,5,1\nE,5,6,4,2\n";
        crate::load::parse_matrix(text.as_bytes(), "ref.csv", &Default::default()).unwrap()
    }

    fn options() -> ScoreOptions {
        ScoreOptions {
            analysis: AnalysisOptions {
                capabilities: vec!["c1".into(), "c2".into(), "c3".into()],
                method: CorrelationMethod::Spearman,
            },
            ..ScoreOptions::default()
        }
    }

    fn new(text: &str) -> BenchmarkMatrix {
        crate::load::parse_matrix(text.as_bytes(), "new.csv", &Default::default()).unwrap()
    }

    #[test]
    fn a_reference_model_scores_its_own_fitted_score() {
        let r = reference();
        let report = score(
            &r,
            &new("model,c1,c2,c3\nC,3,4,2\n"),
            &Matcher::new(&r.models, None),
            &options(),
        )
        .unwrap();
        let fit = fit_capabilities(
            &r,
            &options().analysis.capabilities,
            CorrelationMethod::Spearman,
        )
        .unwrap();
        let m = &report.models[0];
        assert!((m.frozen.capabilities_score - fit.scores[2]).abs() < 1e-12);
        assert_eq!(m.reference_model.as_deref(), Some("C"));
        let above = fit.scores.iter().filter(|&&s| s > fit.scores[2]).count();
        assert_eq!(m.frozen.rank_among_reference, 1 + above);
    }

    #[test]
    fn rank_and_percentile() {
        let p = place(2.0, &[3.0, 2.0, 1.0, 0.0]);
        assert_eq!(p.rank_among_reference, 2);
        assert_eq!(p.percentile, 100.0 * 2.5 / 4.0);
        assert_eq!(place(9.0, &[1.0]).rank_among_reference, 1);
        assert_eq!(place(-9.0, &[1.0, 2.0]).rank_among_reference, 3);
    }

    #[test]
    fn missing_capability_is_refused_unless_imputed() {
        let r = reference();
        let m = Matcher::new(&r.models, None);
        let incomplete = new("model,c1,c2\nX,3,4\n");
        let err = score(&r, &incomplete, &m, &options())
            .unwrap_err()
            .to_string();
        assert!(err.contains("'X'") && err.contains("c3"), "{err}");
        let imputing = ScoreOptions {
            impute: true,
            ..options()
        };
        let report = score(&r, &incomplete, &m, &imputing).unwrap();
        let cells = &report.models[0].imputed;
        assert_eq!(cells.len(), 1);
        assert_eq!(cells[0].benchmark, "c3");
        // Conditional mean by hand: z3 = R_3o R_oo⁻¹ z_o with a 2x2 inverse.
        let fit = fit_capabilities(
            &r,
            &options().analysis.capabilities,
            CorrelationMethod::Spearman,
        )
        .unwrap();
        let c = &fit.correlation_matrix;
        let z = |k: usize, v: f64| (v - report.means[k]) / report.stds[k];
        let (z1, z2) = (z(0, 3.0), z(1, 4.0));
        let det = 1.0 - c[0][1] * c[0][1];
        let x1 = (z1 - c[0][1] * z2) / det;
        let x2 = (z2 - c[0][1] * z1) / det;
        let expected = c[2][0] * x1 + c[2][1] * x2;
        assert!(
            (cells[0].z - expected).abs() < 1e-9,
            "{} {expected}",
            cells[0].z
        );
        assert!(report.text().contains("imputed: X c3"));
    }

    #[test]
    fn refit_reports_both_and_replaces_a_matched_model() {
        let r = reference();
        let m = Matcher::new(&r.models, None);
        let refitting = ScoreOptions {
            refit: true,
            ..options()
        };
        // Re-scoring a reference model with its own values: the refit is the fit.
        let report = score(&r, &new("model,c1,c2,c3\nc,3,4,2\n"), &m, &refitting).unwrap();
        let refit = report.refit.as_ref().unwrap();
        assert_eq!(refit.models, 5);
        assert_eq!(refit.loadings, report.loadings);
        let scored = &report.models[0];
        assert!(
            (scored.refit.unwrap().capabilities_score - scored.frozen.capabilities_score).abs()
                < 1e-12
        );
        // A new model adds a row.
        let report = score(&r, &new("model,c1,c2,c3\nNEW,9,9,9\n"), &m, &refitting).unwrap();
        assert_eq!(report.refit.as_ref().unwrap().models, 6);
        assert_eq!(report.models[0].refit.unwrap().rank_among_reference, 1);
        assert!(
            report
                .csv()
                .lines()
                .next()
                .unwrap()
                .contains("refit_percentile")
        );
    }
}
