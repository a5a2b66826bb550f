//! Simulated benchmark matrices with a known answer.
//!
//! [`simulate`] draws a matrix in the paper's layout from a latent-factor
//! model, so that an analysis of it can be checked against the truth that
//! generated it (benchmarks, the uncertainty issue's coverage study, demos
//! without a download).
//!
//! # The model
//!
//! Every model `i` has `factors` independent standard-normal latent traits: the
//! capabilities factor `g_i` and `factors - 1` minor factors `f_ik`. Every
//! benchmark `b` has a capabilities loading `λ_b`, minor loadings `μ_bk` and a
//! noise share, chosen so that its latent score has variance 1:
//!
//! ```text
//! x_ib = λ_b g_i + Σ_k μ_bk f_ik + σ_b ε_ib,   σ_b² = 1 − λ_b² − Σ_k μ_bk²
//! score_ib = mean_b + scale_b · x_ib          (rounded to 4 decimals)
//! log10 FLOP_i = 23 + ρ g_i + √(1 − ρ²) η_i   (4 significant digits)
//! ```
//!
//! - capability benchmarks: `λ ~ U(0.65, 0.92)` (one dominant factor);
//! - capability-free safety benchmarks (a chosen share of the safety ones):
//!   `λ = 0`;
//! - other safety benchmarks: `λ ~ U(−0.4, 0.9)`;
//! - every benchmark: `μ_bk ~ U(−m, m)` with `m = 0.3 / √(factors − 1)`, so
//!   `Σ μ² ≤ 0.09`; `mean ~ U(30, 70)`, `scale ~ U(5, 15)`;
//! - `ρ` is [`SimulationOptions::compute_loading`].
//!
//! # Model families
//!
//! With [`SimulationOptions::families`] = F ≥ 2 the models fall into F
//! families of consecutive models (sizes differing by at most one), named in
//! a `family` metadata column. Each latent trait, the compute noise and each
//! benchmark's noise is then a mix of a family draw and the model's own,
//! with the family's share `s` of the variance
//! ([`SimulationOptions::family_share`]): `g_i = √s G_f(i) + √(1 − s) g'_i`,
//! and likewise for `f_ik`, `η_i` and `ε_ib`. Every marginal distribution,
//! hence every population correlation in the truth, is unchanged; models of
//! one family are no longer independent (their intra-family correlation is
//! `s`), which is what resampling whole families is for.
//!
//! Cells are missing completely at random: a safety-benchmark cell with
//! probability [`SimulationOptions::missing`], a capability-benchmark cell
//! with probability [`SimulationOptions::capability_missing`].
//!
//! # The truth
//!
//! [`Truth`] holds the generating parameters and, for every benchmark, the
//! population value of each correlation the analysis estimates, for each
//! method. With infinitely many models, the analysis (spec steps 2–9) would
//! standardise the capability benchmarks exactly and fit PC1 on their
//! population correlation matrix *for the method used*: Pearson `Σ`, Spearman
//! `(6/π) asin(Σ/2)`, Kendall `(2/π) asin(Σ)` (the bivariate-normal
//! identities). With those weights `w` the capabilities score is
//! `S = Σ_j w_j z_j`, a normal variable, and
//!
//! ```text
//! corr(x_b, S) = Σ_j w_j Σ_bj / √(wᵀ Σ_C w)        (Pearson)
//! ```
//!
//! which the Spearman and Kendall truths transform by the same identities.
//! For compute, `corr(x_b, log10 FLOP) = ρ λ_b`: the analysis correlates
//! log10 FLOP under Pearson, and Spearman and Kendall are unchanged by the
//! logarithm. Rounding of the written values is ignored (its effect is below
//! 1e-6).
//!
//! # Determinism
//!
//! All draws come from ChaCha8 seeded with [`SimulationOptions::seed`], one
//! stream for the parameters, one for the models' latent traits and one per
//! benchmark column, so the columns are drawn in parallel and the result is
//! the same bytes for any thread count.

use crate::analysis::{PAPER_CAPABILITIES, Role};
use crate::capabilities::{MIN_MODELS, normalise_sign};
use crate::linalg::symmetric_eigen;
use crate::load::DEFAULT_COMPUTE_COLUMN;
use crate::matrix::{BenchmarkMatrix, Column};
use crate::stats::CorrelationMethod;
use rand::RngExt;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;
use rayon::prelude::*;
use serde::Serialize;
use std::f64::consts::PI;
use std::io::{self, Write};
use thiserror::Error;

/// Range of capability benchmarks' capabilities loadings.
const CAPABILITY_LOADING: (f64, f64) = (0.65, 0.92);
/// Range of loaded safety benchmarks' capabilities loadings.
const SAFETY_LOADING: (f64, f64) = (-0.4, 0.9);
/// Bound on the summed squares of a benchmark's minor loadings.
const MINOR_LOADING_SQUARES: f64 = 0.09;
/// Range of benchmark means (score units).
const MEAN_RANGE: (f64, f64) = (30.0, 70.0);
/// Range of benchmark standard deviations (score units).
const SCALE_RANGE: (f64, f64) = (5.0, 15.0);
/// Decimals kept in written scores.
const SCORE_DECIMALS: i32 = 4;
/// Mean of log10 FLOP.
const LOG10_FLOP_MEAN: f64 = 23.0;

/// What to simulate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SimulationOptions {
    /// Number of models (rows), at least [`MIN_MODELS`].
    pub models: usize,
    /// Number of benchmark columns in all, capability benchmarks included.
    pub benchmarks: usize,
    /// Number of capability benchmarks (the first columns). The first 12
    /// carry the paper's names, so the default analysis runs on the file.
    pub capabilities: usize,
    /// Number of latent factors: the capabilities factor plus `factors - 1`
    /// minor ones.
    pub factors: usize,
    /// Probability that a safety-benchmark cell is missing, in [0, 1).
    pub missing: f64,
    /// Probability that a capability-benchmark cell is missing, in [0, 1).
    pub capability_missing: f64,
    /// Share of the safety benchmarks that are capability-free (loading 0),
    /// in [0, 1]; the count is rounded to the nearest whole benchmark.
    pub capability_free_share: f64,
    /// Correlation of log10 FLOP with the capabilities factor, in [-1, 1].
    pub compute_loading: f64,
    /// Number of model families (0: independent models, no `family`
    /// column; else at least 2 and at most `models`).
    #[serde(skip_serializing_if = "is_zero")]
    pub families: usize,
    /// Share of each latent trait's and noise's variance common to a family,
    /// in [0, 1) (used only with families).
    #[serde(skip_serializing_if = "no_families_share")]
    pub family_share: f64,
    /// Seed of every random draw.
    pub seed: u64,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

fn no_families_share(s: &f64) -> bool {
    *s == 0.0
}

impl Default for SimulationOptions {
    /// 200 models, the paper's 12 capability benchmarks plus 28 safety
    /// benchmarks (a quarter of them capability-free), 3 factors, complete.
    fn default() -> Self {
        SimulationOptions {
            models: 200,
            benchmarks: 40,
            capabilities: PAPER_CAPABILITIES.len(),
            factors: 3,
            missing: 0.0,
            capability_missing: 0.0,
            capability_free_share: 0.25,
            compute_loading: 0.9,
            families: 0,
            family_share: 0.0,
            seed: crate::DEFAULT_SEED,
        }
    }
}

/// Options that describe no simulation.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum SimulationError {
    /// The simulated matrix would not fit in memory.
    #[error(transparent)]
    Memory(#[from] crate::memory::MemoryError),
    /// An option is out of range.
    #[error("simulation option '{option}': expected {expected}, found {found}")]
    Invalid {
        /// The option's name (a field of [`SimulationOptions`]).
        option: &'static str,
        /// What is accepted.
        expected: String,
        /// The value given.
        found: String,
    },
}

/// One value per correlation method.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ByMethod {
    /// Pearson.
    pub pearson: f64,
    /// Spearman.
    pub spearman: f64,
    /// Kendall's tau (tau-b; the data have no ties).
    pub kendall: f64,
}

impl ByMethod {
    /// The value for `method`.
    pub fn get(&self, method: CorrelationMethod) -> f64 {
        match method {
            CorrelationMethod::Pearson => self.pearson,
            CorrelationMethod::Spearman => self.spearman,
            CorrelationMethod::Kendall => self.kendall,
        }
    }

    /// Rank correlations of a bivariate normal pair with Pearson correlation
    /// `r`, and `pearson` as given.
    fn from_normal(r: f64, pearson: f64) -> ByMethod {
        ByMethod {
            pearson,
            spearman: 6.0 / PI * (r / 2.0).asin(),
            kendall: 2.0 / PI * r.asin(),
        }
    }
}

/// The generating parameters and population correlations of one benchmark.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BenchmarkTruth {
    /// Column header.
    pub benchmark: String,
    /// Capability or safety benchmark.
    pub role: Role,
    /// A safety benchmark generated with capabilities loading 0.
    pub capability_free: bool,
    /// Loading `λ` on the capabilities factor.
    pub capabilities_loading: f64,
    /// Loadings `μ` on the minor factors.
    pub minor_loadings: Vec<f64>,
    /// Standard deviation `σ` of the benchmark's own noise (latent units).
    pub noise_sd: f64,
    /// Mean of the scores.
    pub mean: f64,
    /// Standard deviation of the scores.
    pub scale: f64,
    /// Probability that a cell of this benchmark is missing.
    pub missing: f64,
    /// Population correlation with the capabilities score, per method.
    pub capabilities_correlation: ByMethod,
    /// Population correlation with FLOP, per method.
    pub compute_correlation: ByMethod,
}

/// What generated a simulated matrix (see the module docs for definitions).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Truth {
    /// The options simulated.
    pub options: SimulationOptions,
    /// Capability benchmarks, in column order.
    pub capabilities: Vec<String>,
    /// Header of the compute column.
    pub compute_column: String,
    /// Population PC1 weights of the capability benchmarks, per method
    /// (sign-normalised as in the analysis), in `capabilities` order.
    pub score_weights: MethodVectors,
    /// Population share of variance explained by PC1, per method.
    pub pc1_variance_explained: ByMethod,
    /// Population correlation of the capabilities score with FLOP.
    pub score_compute_correlation: ByMethod,
    /// One entry per benchmark column, in column order.
    pub benchmarks: Vec<BenchmarkTruth>,
}

impl Truth {
    /// The entry for this benchmark.
    pub fn benchmark(&self, name: &str) -> Option<&BenchmarkTruth> {
        self.benchmarks.iter().find(|b| b.benchmark == name)
    }
}

/// One vector per correlation method.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MethodVectors {
    /// Pearson.
    pub pearson: Vec<f64>,
    /// Spearman.
    pub spearman: Vec<f64>,
    /// Kendall.
    pub kendall: Vec<f64>,
}

/// A simulated matrix and the truth behind it.
#[derive(Debug, Clone, PartialEq)]
pub struct Simulation {
    /// The matrix, with values exactly as written by [`crate::matrix::write_matrix_csv`].
    pub matrix: BenchmarkMatrix,
    /// The generating parameters and population correlations.
    pub truth: Truth,
}

impl Simulation {
    /// Write the matrix as CSV (see [`crate::matrix::write_matrix_csv`]).
    pub fn write_csv(&self, out: &mut dyn Write) -> io::Result<()> {
        crate::matrix::write_matrix_csv(&self.matrix, out)
    }

    /// The truth as pretty JSON.
    pub fn truth_json(&self) -> Vec<u8> {
        // Serialising plain structs of finite numbers cannot fail.
        let mut bytes = serde_json::to_vec_pretty(&self.truth).unwrap_or_default();
        bytes.push(b'\n');
        bytes
    }
}

/// Parameters of one benchmark, before the truth is computed.
struct Params {
    name: String,
    role: Role,
    capability_free: bool,
    loading: f64,
    minor: Vec<f64>,
    noise_sd: f64,
    mean: f64,
    scale: f64,
    missing: f64,
}

fn check(options: &SimulationOptions) -> Result<(), SimulationError> {
    let invalid = |option, expected: &str, found: String| {
        Err(SimulationError::Invalid {
            option,
            expected: expected.to_string(),
            found,
        })
    };
    let o = options;
    if o.models < MIN_MODELS {
        return invalid("models", "at least 3", o.models.to_string());
    }
    if o.capabilities == 0 {
        return invalid("capabilities", "at least 1", "0".into());
    }
    if o.benchmarks < o.capabilities {
        return invalid(
            "benchmarks",
            &format!("at least the {} capability benchmarks", o.capabilities),
            o.benchmarks.to_string(),
        );
    }
    if o.factors == 0 {
        return invalid("factors", "at least 1", "0".into());
    }
    if o.models.checked_mul(o.benchmarks + 1).is_none() {
        return invalid(
            "models",
            "a matrix that fits in memory",
            o.models.to_string(),
        );
    }
    for (option, p) in [
        ("missing", o.missing),
        ("capability_missing", o.capability_missing),
    ] {
        if !(0.0..1.0).contains(&p) {
            return invalid(option, "a probability in [0, 1)", p.to_string());
        }
    }
    if !(0.0..=1.0).contains(&o.capability_free_share) {
        return invalid(
            "capability_free_share",
            "a share in [0, 1]",
            o.capability_free_share.to_string(),
        );
    }
    if !(-1.0..=1.0).contains(&o.compute_loading) {
        return invalid(
            "compute_loading",
            "a correlation in [-1, 1]",
            o.compute_loading.to_string(),
        );
    }
    if o.families == 1 || o.families > o.models {
        return invalid(
            "families",
            &format!("0 or 2 to {} (the number of models)", o.models),
            o.families.to_string(),
        );
    }
    if !(0.0..1.0).contains(&o.family_share) {
        return invalid(
            "family_share",
            "a share in [0, 1)",
            o.family_share.to_string(),
        );
    }
    Ok(())
}

/// The simulation's stream `stream` under `seed` (the library's one set-up).
fn stream_rng(seed: u64, stream: u64) -> ChaCha8Rng {
    crate::random::stream_rng(seed, crate::random::Purpose::Simulation, stream)
}

/// Header of the metadata column naming each model's family.
pub const FAMILY_COLUMN: &str = "family";

/// Stream numbers: parameters, latent traits, then one per column.
const PARAMS_STREAM: u64 = 0;
const LATENT_STREAM: u64 = 1;
const FIRST_COLUMN_STREAM: u64 = 2;
/// Streams of the family draws: latent traits, then one per column (far
/// above the column streams, so adding families leaves those unchanged).
const FAMILY_STREAM: u64 = 1 << 40;

/// Model families: each model's family, their number and the family share.
#[derive(Clone, Copy)]
struct Families<'a> {
    of: &'a [usize],
    count: usize,
    share: f64,
}

impl Families<'_> {
    /// Mix a model's own standard-normal draw with its family's.
    fn mix(&self, own: f64, family: &[f64], model: usize) -> f64 {
        self.share.sqrt() * family[self.of[model]] + (1.0 - self.share).sqrt() * own
    }
}

/// `name_0001`-style ids, zero-padded to the width of `count`.
fn numbered(prefix: &str, index: usize, count: usize) -> String {
    let width = count.to_string().len();
    format!("{prefix}_{:0width$}", index + 1)
}

fn draw_params(o: &SimulationOptions) -> Vec<Params> {
    let mut rng = stream_rng(o.seed, PARAMS_STREAM);
    let n_safety = o.benchmarks - o.capabilities;
    let n_free = (o.capability_free_share * n_safety as f64).round() as usize;
    let mut free = vec![false; n_safety];
    free[..n_free].iter_mut().for_each(|f| *f = true);
    free.shuffle(&mut rng);
    let minor_bound = if o.factors > 1 {
        (MINOR_LOADING_SQUARES / (o.factors - 1) as f64).sqrt()
    } else {
        0.0
    };
    (0..o.benchmarks)
        .map(|b| {
            let is_capability = b < o.capabilities;
            let capability_free = !is_capability && free[b - o.capabilities];
            let loading = if is_capability {
                rng.random_range(CAPABILITY_LOADING.0..CAPABILITY_LOADING.1)
            } else if capability_free {
                0.0
            } else {
                rng.random_range(SAFETY_LOADING.0..SAFETY_LOADING.1)
            };
            let minor: Vec<f64> = (1..o.factors)
                .map(|_| rng.random_range(-minor_bound..=minor_bound))
                .collect();
            let explained = loading * loading + minor.iter().map(|m| m * m).sum::<f64>();
            let name = if is_capability {
                PAPER_CAPABILITIES.get(b).map_or_else(
                    || numbered("capability", b, o.capabilities),
                    |s| s.to_string(),
                )
            } else {
                numbered("safety", b - o.capabilities, n_safety)
            };
            Params {
                name,
                role: if is_capability {
                    Role::Capability
                } else {
                    Role::Safety
                },
                capability_free,
                loading,
                minor,
                noise_sd: (1.0 - explained).sqrt(),
                mean: rng.random_range(MEAN_RANGE.0..MEAN_RANGE.1),
                scale: rng.random_range(SCALE_RANGE.0..SCALE_RANGE.1),
                missing: if is_capability {
                    o.capability_missing
                } else {
                    o.missing
                },
            }
        })
        .collect()
}

/// Round to `SCORE_DECIMALS` decimals; the result is the double nearest the
/// decimal, so it prints and parses back exactly.
fn round_score(v: f64) -> f64 {
    let f = 10f64.powi(SCORE_DECIMALS);
    (v * f).round() / f
}

/// FLOP to 4 significant digits, as the nearest double to that decimal.
fn round_flop(v: f64) -> f64 {
    format!("{v:.3e}").parse().unwrap_or(v)
}

/// Simulate a matrix (see the module docs for the model and the truth).
pub fn simulate(options: &SimulationOptions) -> Result<Simulation, SimulationError> {
    check(options)?;
    let o = options;
    // The latent traits, the matrix, and its CSV text (about 20 bytes a cell).
    let cells = (o.models as u128) * (o.benchmarks as u128 + o.factors as u128 + 1);
    crate::memory::ensure(
        crate::memory::bytes_of::<f64>(cells).saturating_add(cells.saturating_mul(20)),
        || {
            format!(
                "a simulated matrix of {} models × {} benchmarks",
                o.models, o.benchmarks
            )
        },
        "simulate fewer models or benchmarks",
    )?;
    let params = draw_params(o);
    let n = o.models;

    // Latent traits, one Vec per factor (factor 0 = capabilities), then the
    // compute noise.
    let family_of: Vec<usize> = (0..n).map(|i| i * o.families.max(1) / n).collect();
    let families = (o.families > 0).then_some(Families {
        of: &family_of,
        count: o.families,
        share: o.family_share,
    });
    // One family draw per trait (and one for the compute noise).
    let family_latent: Vec<Vec<f64>> = families.map_or_else(Vec::new, |f| {
        let mut rng = stream_rng(o.seed, FAMILY_STREAM);
        (0..=o.factors)
            .map(|_| (0..f.count).map(|_| rng.sample(StandardNormal)).collect())
            .collect()
    });
    let mut rng = stream_rng(o.seed, LATENT_STREAM);
    let latent: Vec<Vec<f64>> = (0..o.factors)
        .map(|k| {
            (0..n)
                .map(|i| {
                    let own: f64 = rng.sample(StandardNormal);
                    families.map_or(own, |f| f.mix(own, &family_latent[k], i))
                })
                .collect()
        })
        .collect();
    let rho = o.compute_loading;
    let flop: Vec<f64> = latent[0]
        .iter()
        .enumerate()
        .map(|(i, g)| {
            let own: f64 = rng.sample(StandardNormal);
            let eta = families.map_or(own, |f| f.mix(own, &family_latent[o.factors], i));
            let log10 = LOG10_FLOP_MEAN + rho * g + (1.0 - rho * rho).sqrt() * eta;
            round_flop(10f64.powf(log10))
        })
        .collect();

    let benchmarks: Vec<Column> = params
        .par_iter()
        .enumerate()
        .map(|(b, p)| Column {
            name: p.name.clone(),
            values: draw_column(p, &latent, families, o.seed, FIRST_COLUMN_STREAM + b as u64),
        })
        .collect();

    let matrix = BenchmarkMatrix {
        source: format!("simulated (seed {})", o.seed),
        models: (0..n).map(|i| numbered("model", i, n)).collect(),
        benchmarks,
        meta: families
            .map(|f| crate::matrix::MetaColumn {
                name: FAMILY_COLUMN.to_string(),
                cells: f
                    .of
                    .iter()
                    .map(|&k| numbered("family", k, f.count))
                    .collect(),
            })
            .into_iter()
            .collect(),
        compute: Some(Column {
            name: DEFAULT_COMPUTE_COLUMN.to_string(),
            values: flop,
        }),
    };
    Ok(Simulation {
        matrix,
        truth: truth(o, params),
    })
}

fn draw_column(
    p: &Params,
    latent: &[Vec<f64>],
    families: Option<Families>,
    seed: u64,
    stream: u64,
) -> Vec<f64> {
    let family_noise: Vec<f64> = families.map_or_else(Vec::new, |f| {
        let mut rng = stream_rng(seed, FAMILY_STREAM + stream);
        (0..f.count).map(|_| rng.sample(StandardNormal)).collect()
    });
    let mut rng = stream_rng(seed, stream);
    let n = latent[0].len();
    (0..n)
        .map(|i| {
            let common = p.loading * latent[0][i]
                + p.minor
                    .iter()
                    .zip(&latent[1..])
                    .map(|(m, f)| m * f[i])
                    .sum::<f64>();
            let own: f64 = rng.sample(StandardNormal);
            let eps = families.map_or(own, |f| f.mix(own, &family_noise, i));
            // Draw the missingness every time so the stream stays aligned.
            let missing = rng.random::<f64>() < p.missing;
            if missing {
                f64::NAN
            } else {
                round_score(p.mean + p.scale * (common + p.noise_sd * eps))
            }
        })
        .collect()
}

/// Population latent correlation of benchmarks `a` and `b`.
fn latent_correlation(a: &Params, b: &Params) -> f64 {
    a.loading * b.loading
        + a.minor
            .iter()
            .zip(&b.minor)
            .map(|(x, y)| x * y)
            .sum::<f64>()
}

/// The population capabilities score of one method: PC1 weights (sign
/// normalised), the share of variance PC1 explains, and `sd(S)` in latent
/// units.
struct PopulationScore {
    weights: Vec<f64>,
    share: f64,
    sd: f64,
}

fn population_score(caps: &[&Params], method: CorrelationMethod) -> PopulationScore {
    let k = caps.len();
    let sigma: Vec<Vec<f64>> = (0..k)
        .map(|i| {
            (0..k)
                .map(|j| {
                    if i == j {
                        1.0
                    } else {
                        latent_correlation(caps[i], caps[j])
                    }
                })
                .collect()
        })
        .collect();
    let transformed: Vec<Vec<f64>> = sigma
        .iter()
        .map(|row| {
            row.iter()
                .map(|&r| {
                    let m = ByMethod::from_normal(r, r);
                    m.get(method)
                })
                .collect()
        })
        .collect();
    // The matrix is a valid correlation matrix of finite entries, so the
    // decomposition exists; fall back to equal weights only defensively.
    let (mut weights, share) = match symmetric_eigen(&transformed) {
        Some(e) => {
            let share = e.values[0] / e.values.iter().sum::<f64>();
            (e.vectors[0].clone(), share)
        }
        None => (vec![1.0 / (k as f64).sqrt(); k], f64::NAN),
    };
    normalise_sign(&mut weights);
    let variance: f64 = (0..k)
        .map(|i| {
            (0..k)
                .map(|j| weights[i] * sigma[i][j] * weights[j])
                .sum::<f64>()
        })
        .sum();
    PopulationScore {
        weights,
        share,
        sd: variance.sqrt(),
    }
}

const METHODS: [CorrelationMethod; 3] = [
    CorrelationMethod::Pearson,
    CorrelationMethod::Spearman,
    CorrelationMethod::Kendall,
];

/// Assemble a `ByMethod` from a function of the method.
fn by_method(f: impl Fn(CorrelationMethod) -> f64) -> ByMethod {
    ByMethod {
        pearson: f(CorrelationMethod::Pearson),
        spearman: f(CorrelationMethod::Spearman),
        kendall: f(CorrelationMethod::Kendall),
    }
}

fn truth(o: &SimulationOptions, params: Vec<Params>) -> Truth {
    let caps: Vec<&Params> = params
        .iter()
        .filter(|p| p.role == Role::Capability)
        .collect();
    let scores: Vec<PopulationScore> = METHODS
        .iter()
        .map(|&m| population_score(&caps, m))
        .collect();
    let score_of =
        |m: CorrelationMethod| &scores[METHODS.iter().position(|x| *x == m).unwrap_or(0)];
    let rho = o.compute_loading;
    // Every method's compute correlation is one of log10 FLOP (Pearson uses
    // the logarithm; ranks are unchanged by it): bivariate normal.
    let compute_truth = |r: f64| ByMethod::from_normal(r, r);

    // Pearson correlation of benchmark `p` with the method's score.
    let with_score = |p: &Params, m: CorrelationMethod| {
        let s = score_of(m);
        let cov: f64 = caps
            .iter()
            .zip(&s.weights)
            .map(|(c, w)| {
                let r = if std::ptr::eq(*c, p) {
                    1.0
                } else {
                    latent_correlation(c, p)
                };
                w * r
            })
            .sum();
        cov / s.sd
    };
    let capability_truth = |p: &Params| {
        by_method(|m| {
            let r = with_score(p, m);
            ByMethod::from_normal(r, r).get(m)
        })
    };
    let score_compute = by_method(|m| {
        let s = score_of(m);
        let r = rho
            * caps
                .iter()
                .zip(&s.weights)
                .map(|(c, w)| w * c.loading)
                .sum::<f64>()
            / s.sd;
        compute_truth(r).get(m)
    });

    let benchmarks = params
        .iter()
        .map(|p| BenchmarkTruth {
            benchmark: p.name.clone(),
            role: p.role,
            capability_free: p.capability_free,
            capabilities_loading: p.loading,
            minor_loadings: p.minor.clone(),
            noise_sd: p.noise_sd,
            mean: p.mean,
            scale: p.scale,
            missing: p.missing,
            capabilities_correlation: capability_truth(p),
            compute_correlation: compute_truth(rho * p.loading),
        })
        .collect();
    Truth {
        options: o.clone(),
        capabilities: caps.iter().map(|p| p.name.clone()).collect(),
        compute_column: DEFAULT_COMPUTE_COLUMN.to_string(),
        score_weights: MethodVectors {
            pearson: score_of(CorrelationMethod::Pearson).weights.clone(),
            spearman: score_of(CorrelationMethod::Spearman).weights.clone(),
            kendall: score_of(CorrelationMethod::Kendall).weights.clone(),
        },
        pc1_variance_explained: by_method(|m| score_of(m).share),
        score_compute_correlation: score_compute,
        benchmarks,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::{MatrixFormat, parse_matrix};
    use crate::stats;

    #[test]
    fn families_share_their_draws_and_keep_the_truth() {
        // 2,000 models in 200 families of 10, share 0.5: the same truth as
        // without families; within a family, a capability-free benchmark's
        // scores correlate about 0.5 (all its variance is noise and minor
        // factors, each half shared); across families, about 0.
        let base = SimulationOptions {
            models: 2000,
            benchmarks: 16,
            capability_free_share: 1.0,
            seed: 5,
            ..SimulationOptions::default()
        };
        let plain = simulate(&base).unwrap();
        let fam = simulate(&SimulationOptions {
            families: 200,
            family_share: 0.5,
            ..base.clone()
        })
        .unwrap();
        assert_eq!(plain.truth.benchmarks, fam.truth.benchmarks);
        assert!(plain.matrix.meta.is_empty());
        let col = fam.matrix.meta_column(FAMILY_COLUMN).unwrap();
        assert_eq!(col.cells[0], "family_001");
        assert_eq!(col.cells[9], "family_001");
        assert_eq!(col.cells[10], "family_002");
        assert_eq!(col.cells[1999], "family_200");
        let b = fam
            .truth
            .benchmarks
            .iter()
            .position(|b| b.capability_free)
            .unwrap();
        let x = &fam.matrix.benchmarks[b].values;
        let mean = x.iter().sum::<f64>() / x.len() as f64;
        let var = x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / x.len() as f64;
        let pair_corr = |offset: usize| {
            // Models i and i + offset, both in one family of 10 when offset < 10
            // and i % 10 + offset < 10; in different families when offset = 10.
            let pairs: Vec<(f64, f64)> = (0..x.len() - offset)
                .filter(|i| offset >= 10 || i % 10 + offset < 10)
                .map(|i| (x[i] - mean, x[i + offset] - mean))
                .collect();
            pairs.iter().map(|(a, b)| a * b).sum::<f64>() / pairs.len() as f64 / var
        };
        // 200 families: each estimate has a standard error of about
        // 1/sqrt(200) = 0.07; three of them apart from the truth would fail.
        assert!((pair_corr(1) - 0.5).abs() < 0.21, "{}", pair_corr(1));
        assert!(pair_corr(10).abs() < 0.21, "{}", pair_corr(10));
        // Without families the truth JSON has no family fields.
        assert!(
            !String::from_utf8(plain.truth_json())
                .unwrap()
                .contains("famil")
        );
        for bad in [1, 2001] {
            assert!(
                simulate(&SimulationOptions {
                    families: bad,
                    ..base.clone()
                })
                .is_err()
            );
        }
    }

    fn small() -> SimulationOptions {
        SimulationOptions {
            models: 50,
            benchmarks: 20,
            missing: 0.1,
            seed: 11,
            ..SimulationOptions::default()
        }
    }

    #[test]
    fn same_seed_same_matrix_other_seed_differs() {
        let csv = |s: &Simulation| {
            let mut bytes = Vec::new();
            s.write_csv(&mut bytes).unwrap();
            bytes
        };
        let a = simulate(&small()).unwrap();
        let b = simulate(&small()).unwrap();
        assert_eq!(csv(&a), csv(&b));
        assert_eq!(a.truth, b.truth);
        let c = simulate(&SimulationOptions {
            seed: 12,
            ..small()
        })
        .unwrap();
        assert_ne!(a.matrix.benchmarks, c.matrix.benchmarks);
    }

    #[test]
    fn layout_names_and_missing_cells() {
        let s = simulate(&small()).unwrap();
        let m = &s.matrix;
        assert_eq!(m.models.len(), 50);
        assert_eq!(m.models[0], "model_01");
        assert_eq!(m.benchmarks.len(), 20);
        let names: Vec<&str> = m.benchmarks[..12].iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, PAPER_CAPABILITIES);
        assert_eq!(m.benchmarks[12].name, "safety_1");
        // Capability benchmarks complete; safety ones have about 10% missing.
        assert!(m.benchmarks[..12].iter().all(|c| c.present() == 50));
        let missing: usize = m.benchmarks[12..].iter().map(|c| 50 - c.present()).sum();
        assert!((10..=70).contains(&missing), "{missing}");
        // 8 safety benchmarks, a quarter of them capability-free.
        let free = s
            .truth
            .benchmarks
            .iter()
            .filter(|b| b.capability_free)
            .count();
        assert_eq!(free, 2);
        assert!(s.truth.benchmarks.iter().all(|b| b.noise_sd > 0.2));
    }

    #[test]
    fn written_csv_reads_back_identically() {
        let s = simulate(&small()).unwrap();
        let mut bytes = Vec::new();
        s.write_csv(&mut bytes).unwrap();
        let back = parse_matrix(&bytes, &s.matrix.source, &MatrixFormat::default()).unwrap();
        assert_eq!(back.models, s.matrix.models);
        assert_eq!(back.compute.as_ref().unwrap().name, "FLOP");
        let same = |a: &[f64], b: &[f64]| {
            a.iter()
                .zip(b)
                .all(|(x, y)| x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan()))
        };
        for (a, b) in back.benchmarks.iter().zip(&s.matrix.benchmarks) {
            assert_eq!(a.name, b.name);
            assert!(same(&a.values, &b.values), "{}", a.name);
        }
        assert!(same(
            &back.compute.unwrap().values,
            &s.matrix.compute.as_ref().unwrap().values
        ));
    }

    #[test]
    fn truth_matches_a_large_sample() {
        // With many models, each benchmark's correlation with the latent
        // capabilities-score formula's ingredients agrees with the sample:
        // check compute truth (a simple closed form) on log10 FLOP.
        let s = simulate(&SimulationOptions {
            models: 20_000,
            benchmarks: 16,
            seed: 3,
            ..SimulationOptions::default()
        })
        .unwrap();
        let log_flop: Vec<f64> = s
            .matrix
            .compute
            .as_ref()
            .unwrap()
            .values
            .iter()
            .map(|v| v.log10())
            .collect();
        for (c, t) in s.matrix.benchmarks.iter().zip(&s.truth.benchmarks) {
            let r = stats::pearson(&c.values, &log_flop).unwrap();
            let want = s.truth.options.compute_loading * t.capabilities_loading;
            assert!((r - want).abs() < 0.03, "{}: {r} vs {want}", c.name);
            let rs = stats::spearman(&c.values, &log_flop).unwrap();
            assert!(
                (rs - t.compute_correlation.spearman).abs() < 0.03,
                "{}",
                c.name
            );
        }
    }

    #[test]
    fn more_than_twelve_capabilities_are_numbered() {
        let s = simulate(&SimulationOptions {
            capabilities: 14,
            benchmarks: 14,
            ..small()
        })
        .unwrap();
        assert_eq!(s.matrix.benchmarks[12].name, "capability_13");
        assert_eq!(s.truth.capabilities.len(), 14);
    }

    #[test]
    fn bad_options_are_named() {
        let e = simulate(&SimulationOptions {
            models: 2,
            ..small()
        })
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "simulation option 'models': expected at least 3, found 2"
        );
        let e = simulate(&SimulationOptions {
            missing: 1.0,
            ..small()
        })
        .unwrap_err();
        assert!(e.to_string().contains("'missing'"), "{e}");
        let e = simulate(&SimulationOptions {
            benchmarks: 5,
            ..small()
        })
        .unwrap_err();
        assert!(e.to_string().contains("at least the 12"), "{e}");
    }
}
