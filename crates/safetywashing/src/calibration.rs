//! Calibration metrics from lm-evaluation-harness per-sample files of
//! multiple-choice tasks.
//!
//! Each line of a `samples_<task>_<timestamp>.jsonl` file holds the
//! log-likelihood of every choice (`filtered_resps[i] = [loglikelihood,
//! is_greedy]`, numbers usually written as strings) and the gold index
//! (`target`). A softmax over the choices gives probabilities; the largest is
//! the confidence, and the sample is correct when the argmax (first on ties,
//! like numpy) is the gold index. From these:
//!
//! - **accuracy**, equal to lm-eval's `acc`;
//! - **Brier score**, the mean over samples of `Σₖ (pₖ − yₖ)²`, equal to
//!   lm-eval's `brier_score` (same softmax, `exp(x − max) / Σ`);
//! - **RMS calibration error** with adaptive bins of `bin_size` consecutive
//!   samples by confidence (stable sort; the last bin takes the remainder).
//!   Two variants: [`RmsVariant::Reference`] reproduces `calib_err(p='2',
//!   beta=100)` of Hendrycks et al., whose loop skips the last bin while still
//!   dividing by N (it is 0 for N in [beta, 2·beta) and undefined below beta);
//!   [`RmsVariant::Corrected`] includes every bin;
//! - **the paper's metrics** ([`PaperMetrics`]), as the paper's authors
//!   computed them in their fork of lm-eval (`rmsce`, `rmsce_temp_tuned`,
//!   `brier_temp_tuned` aggregations): the RMS calibration error over
//!   [`PAPER_BINS`] **equal-width** confidence bins, unweighted, the mean
//!   taken over the non-empty bins only (scikit-learn's
//!   `calibration_curve(n_bins=15, strategy="uniform")`: a confidence on a
//!   bin edge belongs to the lower bin); the temperature by bisection on
//!   [[`PAPER_T_LOWER`], [`PAPER_T_UPPER`]] while the bracket is wider than
//!   [`PAPER_T_TOLERANCE`], on the sign of d/dT of the mean cross-entropy at
//!   the midpoint (positive: the upper end moves to the midpoint, else the
//!   lower end does), then whichever of (lower, midpoint, upper) has the
//!   lowest cross-entropy; tuned RMS error and Brier score recomputed with
//!   softmax(ll / T). This is the headline variant ([`RmsVariant::Paper`]);
//! - **RMS calibration error with adaptive bins** (Hendrycks et al.) of
//!   `bin_size` consecutive samples by confidence (stable sort; the last bin
//!   takes the remainder).
//!   Two variants: [`RmsVariant::Reference`] reproduces `calib_err(p='2',
//!   beta=100)` of Hendrycks et al., whose loop skips the last bin while still
//!   dividing by N (it is 0 for N in [beta, 2·beta) and undefined below beta);
//!   [`RmsVariant::Corrected`] includes every bin;
//! - **temperature-tuned** Brier and adaptive-bin RMS errors: one temperature
//!   T fitted by minimising the mean negative log-likelihood of
//!   softmax(ll / T), by bisection on the (monotone) derivative in 1/T to
//!   full precision, T bounded to [[`T_MIN`], [`T_MAX`]];
//! - beside every RMS error, its **noise floor**: the mean RMS error a
//!   perfectly calibrated model would get with the same confidences and
//!   sample size (outcomes drawn Bernoulli(confidence),
//!   [`NOISE_FLOOR_REPLICATES`] draws from the fixed [`NOISE_FLOOR_SEED`]).
//!   Binned errors are biased upward by sampling noise, so a value near its
//!   floor is indistinguishable from perfect calibration.
//!
//! Both temperatures are fitted on all samples (as the paper's columns are)
//! or on a seeded random fraction, the tuned metrics then being reported on
//! the rest.
//!
//! # Bounded memory
//! Files are read line by line. The untuned metrics are accumulated in f64 as
//! lines arrive. What the RMS error and the temperature fit need later is
//! kept compactly, in fixed-size chunks (no reallocation peaks): per sample
//! its confidence (f64), correctness, gold index and choice count (13 bytes),
//! and each choice's log-likelihood relative to the sample's maximum as f32
//! (4 bytes a choice). An lm-eval samples line spends well over 100 bytes
//! per choice (prompts, two copies of each response, hashes), so this is a
//! few percent of the file: `benchmarks/scripts/calibrate_memory.sh`
//! measures it. The tuned metrics come from those f32 values (relative
//! error ~1e-7, far below any calibration difference of interest); the
//! untuned ones are exact.

use serde::Deserialize;
use serde_json::Value;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;

/// Default adaptive bin size (samples per bin), as in Hendrycks et al.
pub const DEFAULT_BIN_SIZE: usize = 100;
/// Smallest temperature the fit may return.
pub const T_MIN: f64 = 0.01;
/// Largest temperature the fit may return.
pub const T_MAX: f64 = 100.0;
/// Equal-width confidence bins of the paper's RMS calibration error.
pub const PAPER_BINS: usize = 15;
/// Lower end of the paper's temperature bisection.
pub const PAPER_T_LOWER: f64 = 0.2;
/// Upper end of the paper's temperature bisection.
pub const PAPER_T_UPPER: f64 = 5.0;
/// The paper's bisection stops once its bracket is no wider than this.
pub const PAPER_T_TOLERANCE: f64 = 1e-4;
/// Simulated outcome sets behind each noise floor.
pub const NOISE_FLOOR_REPLICATES: usize = 100;
/// Seed of the noise-floor simulation (fixed: the floor depends only on the
/// confidences).
pub const NOISE_FLOOR_SEED: u64 = 0x5EED_F100;

/// A samples file could not be read or has a malformed line: the same file /
/// line / message error as every other input of the tool.
pub type CalibrationError = crate::load::LoadError;

/// Which RMS calibration error (and temperature) is the headline one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RmsVariant {
    /// The paper's: 15 equal-width bins, unweighted mean over the non-empty
    /// ones, temperature by the fork's bisection ([`PaperMetrics`]).
    #[default]
    Paper,
    /// Hendrycks et al.'s adaptive-bin `calib_err`: skips the last bin,
    /// divides by N.
    Reference,
    /// Hendrycks et al.'s adaptive bins, every bin included.
    Corrected,
}

impl RmsVariant {
    /// The variant's name on the command line and in output.
    pub fn as_str(self) -> &'static str {
        match self {
            RmsVariant::Paper => "paper",
            RmsVariant::Reference => "reference",
            RmsVariant::Corrected => "corrected",
        }
    }
}

impl std::str::FromStr for RmsVariant {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "paper" => Ok(RmsVariant::Paper),
            "reference" => Ok(RmsVariant::Reference),
            "corrected" => Ok(RmsVariant::Corrected),
            _ => Err(format!(
                "unknown RMS variant '{s}': expected paper, reference or corrected"
            )),
        }
    }
}

/// How to compute calibration metrics.
#[derive(Debug, Clone, PartialEq)]
pub struct CalibrationOptions {
    /// Samples per adaptive bin (at least 1).
    pub bin_size: usize,
    /// Fit the temperature on this fraction (0 < F < 1) of the samples and
    /// report tuned metrics on the rest; `None` = fit and report on all.
    pub tune_split: Option<f64>,
    /// Seed of the split.
    pub seed: u64,
    /// Skip malformed lines (counting them) instead of failing.
    pub skip_bad_lines: bool,
}

impl Default for CalibrationOptions {
    fn default() -> Self {
        CalibrationOptions {
            bin_size: DEFAULT_BIN_SIZE,
            tune_split: None,
            seed: crate::DEFAULT_SEED,
            skip_bad_lines: false,
        }
    }
}

/// Both adaptive-bin (Hendrycks et al.) RMS calibration errors; `None`
/// where undefined.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct RmsErrors {
    /// Hendrycks et al.'s `calib_err` (undefined below one full bin).
    pub reference: Option<f64>,
    /// With the last bin included (undefined only with no samples).
    pub corrected: Option<f64>,
}

/// Metrics after temperature scaling (adaptive-bin RMS errors).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct TunedMetrics {
    /// Fitted temperature (ll / T before the softmax).
    pub temperature: f64,
    /// Samples the temperature was fitted on.
    pub n_fit: usize,
    /// Samples the tuned metrics are reported on.
    pub n: usize,
    /// Brier score at the fitted temperature.
    pub brier: Option<f64>,
    /// RMS calibration errors at the fitted temperature.
    pub rms_calibration_error: RmsErrors,
    /// Their noise floors (see the module documentation).
    pub rms_calibration_error_noise_floor: RmsErrors,
}

/// The paper's calibration metrics, computed as its authors' lm-eval fork
/// does (see the module documentation).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PaperMetrics {
    /// RMS calibration error over 15 equal-width bins (unweighted mean over
    /// the non-empty bins).
    pub rmsce: f64,
    /// What a perfectly calibrated model would get with these confidences.
    pub rmsce_noise_floor: f64,
    /// The temperature of the fork's bisection on [0.2, 5.0].
    pub temperature: f64,
    /// Samples the temperature was fitted on.
    pub n_fit: usize,
    /// Samples the tuned metrics are reported on.
    pub n_tuned: usize,
    /// RMS calibration error of softmax(ll / T).
    pub rmsce_temp_tuned: f64,
    /// Its noise floor.
    pub rmsce_temp_tuned_noise_floor: f64,
    /// Brier score of softmax(ll / T).
    pub brier_temp_tuned: f64,
}

/// The metrics of one [`RmsVariant`]: what `calibrate` shows as text and
/// what the lm-eval importer's calibration columns hold.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Headline {
    /// RMS calibration error (`None` where the variant is undefined).
    pub rmsce: Option<f64>,
    /// Its noise floor.
    pub rmsce_noise_floor: Option<f64>,
    /// The variant's temperature.
    pub temperature: f64,
    /// Brier score at that temperature.
    pub brier_temp_tuned: Option<f64>,
    /// RMS calibration error at that temperature.
    pub rmsce_temp_tuned: Option<f64>,
    /// Its noise floor.
    pub rmsce_temp_tuned_noise_floor: Option<f64>,
}

/// Calibration metrics of one samples file.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CalibrationReport {
    /// The file, as given.
    pub source: String,
    /// Samples read.
    pub n: usize,
    /// Malformed lines skipped (only with `skip_bad_lines`).
    pub skipped_lines: u64,
    /// Fraction whose argmax is the gold choice (lm-eval's `acc`).
    pub accuracy: f64,
    /// Mean Σₖ(pₖ − yₖ)² (lm-eval's `brier_score`).
    pub brier: f64,
    /// Adaptive-bin RMS calibration errors (Hendrycks et al.).
    pub rms_calibration_error: RmsErrors,
    /// Their noise floors (see the module documentation).
    pub rms_calibration_error_noise_floor: RmsErrors,
    /// Temperature-tuned metrics with the adaptive-bin errors.
    pub tuned: TunedMetrics,
    /// The paper's metrics.
    pub paper: PaperMetrics,
}

impl CalibrationReport {
    /// The metrics of `variant`.
    pub fn headline(&self, variant: RmsVariant) -> Headline {
        let pick = |e: &RmsErrors| match variant {
            RmsVariant::Reference => e.reference,
            _ => e.corrected,
        };
        match variant {
            RmsVariant::Paper => Headline {
                rmsce: Some(self.paper.rmsce),
                rmsce_noise_floor: Some(self.paper.rmsce_noise_floor),
                temperature: self.paper.temperature,
                brier_temp_tuned: Some(self.paper.brier_temp_tuned),
                rmsce_temp_tuned: Some(self.paper.rmsce_temp_tuned),
                rmsce_temp_tuned_noise_floor: Some(self.paper.rmsce_temp_tuned_noise_floor),
            },
            RmsVariant::Reference | RmsVariant::Corrected => Headline {
                rmsce: pick(&self.rms_calibration_error),
                rmsce_noise_floor: pick(&self.rms_calibration_error_noise_floor),
                temperature: self.tuned.temperature,
                brier_temp_tuned: self.tuned.brier,
                rmsce_temp_tuned: pick(&self.tuned.rms_calibration_error),
                rmsce_temp_tuned_noise_floor: pick(&self.tuned.rms_calibration_error_noise_floor),
            },
        }
    }
}

/// One multiple-choice sample: log-likelihood per choice and the gold index.
#[derive(Debug, Clone, PartialEq)]
pub struct McSample {
    /// Log-likelihood of each choice.
    pub loglikelihoods: Vec<f64>,
    /// Index of the correct choice.
    pub gold: usize,
}

#[derive(Deserialize)]
struct SampleLine {
    filtered_resps: Option<Responses>,
    target: Option<Value>,
}

/// The most choices a sample may have (they are counted in 16 bits).
const MAX_CHOICES: usize = u16::MAX as usize;

/// `filtered_resps`, read one entry at a time: each choice's
/// log-likelihood, how many entries there are and the first problem with
/// one. No tree of the whole array is built, so a line of millions of
/// choices takes no more memory than a few thousand.
struct Responses {
    loglikelihoods: Vec<f64>,
    count: usize,
    problem: Option<String>,
}

impl<'de> Deserialize<'de> for Responses {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Entries;
        impl<'de> serde::de::Visitor<'de> for Entries {
            type Value = Responses;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a sequence")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<Responses, A::Error> {
                let mut r = Responses {
                    loglikelihoods: Vec::new(),
                    count: 0,
                    problem: None,
                };
                while let Some(entry) = seq.next_element::<Entry>()? {
                    let i = r.count;
                    r.count += 1;
                    if r.problem.is_some() {
                        continue;
                    }
                    match entry.loglikelihood(i) {
                        Ok(v) if r.loglikelihoods.len() < MAX_CHOICES => r.loglikelihoods.push(v),
                        Ok(_) => {}
                        Err(m) => r.problem = Some(m),
                    }
                }
                Ok(r)
            }
        }
        deserializer.deserialize_seq(Entries)
    }
}

/// One entry of `filtered_resps`: its first element when it is a
/// non-empty array (`[loglikelihood, is_greedy]`), `None` otherwise.
struct Entry(Option<Scalar>);

/// The first element of an entry: a number, a string, or something else
/// (shown as `true`, `null`, `[…]` …).
enum Scalar {
    Number(f64),
    Text(String),
    Other(&'static str),
}

impl Entry {
    /// The log-likelihood of choice `i`, or what is wrong with it.
    fn loglikelihood(self, i: usize) -> Result<f64, String> {
        let Some(first) = self.0 else {
            return Err(format!(
                "filtered_resps[{i}] is not a [loglikelihood, is_greedy] pair: \
                 only multiple-choice (loglikelihood) tasks can be calibrated"
            ));
        };
        let value = match &first {
            Scalar::Number(v) => Some(*v),
            Scalar::Text(t) => number_text(t),
            Scalar::Other(_) => None,
        };
        let Some(value) = value else {
            let shown = match first {
                Scalar::Text(t) => short(&Value::String(t)),
                Scalar::Other(o) => o.to_string(),
                Scalar::Number(v) => v.to_string(),
            };
            return Err(format!("filtered_resps[{i}][0] is not a number: {shown}"));
        };
        if value.is_nan() || value == f64::INFINITY {
            return Err(format!(
                "filtered_resps[{i}][0] is {value}: expected a log-likelihood"
            ));
        }
        Ok(value)
    }
}

impl<'de> Deserialize<'de> for Entry {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Pair;
        impl<'de> serde::de::Visitor<'de> for Pair {
            type Value = Entry;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a [loglikelihood, is_greedy] pair")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<Entry, A::Error> {
                let first = seq.next_element::<Scalar>()?;
                while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
                Ok(Entry(first))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Entry, A::Error> {
                while map
                    .next_entry::<serde::de::IgnoredAny, serde::de::IgnoredAny>()?
                    .is_some()
                {}
                Ok(Entry(None))
            }
            fn visit_bool<E>(self, _: bool) -> Result<Entry, E> {
                Ok(Entry(None))
            }
            fn visit_i64<E>(self, _: i64) -> Result<Entry, E> {
                Ok(Entry(None))
            }
            fn visit_u64<E>(self, _: u64) -> Result<Entry, E> {
                Ok(Entry(None))
            }
            fn visit_f64<E>(self, _: f64) -> Result<Entry, E> {
                Ok(Entry(None))
            }
            fn visit_str<E>(self, _: &str) -> Result<Entry, E> {
                Ok(Entry(None))
            }
            fn visit_unit<E>(self) -> Result<Entry, E> {
                Ok(Entry(None))
            }
        }
        deserializer.deserialize_any(Pair)
    }
}

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct First;
        impl<'de> serde::de::Visitor<'de> for First {
            type Value = Scalar;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a log-likelihood")
            }
            fn visit_f64<E>(self, v: f64) -> Result<Scalar, E> {
                Ok(Scalar::Number(v))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Scalar, E> {
                Ok(Scalar::Number(v as f64))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Scalar, E> {
                Ok(Scalar::Number(v as f64))
            }
            fn visit_str<E>(self, v: &str) -> Result<Scalar, E> {
                Ok(Scalar::Text(v.to_string()))
            }
            fn visit_bool<E>(self, v: bool) -> Result<Scalar, E> {
                Ok(Scalar::Other(if v { "true" } else { "false" }))
            }
            fn visit_unit<E>(self) -> Result<Scalar, E> {
                Ok(Scalar::Other("null"))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<Scalar, A::Error> {
                while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
                Ok(Scalar::Other("[…]"))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Scalar, A::Error> {
                while map
                    .next_entry::<serde::de::IgnoredAny, serde::de::IgnoredAny>()?
                    .is_some()
                {}
                Ok(Scalar::Other("{…}"))
            }
        }
        deserializer.deserialize_any(First)
    }
}

/// Parse one line of an lm-eval samples file; `Err` says what is wrong.
pub fn parse_sample_line(line: &[u8]) -> Result<McSample, String> {
    let parsed: SampleLine =
        serde_json::from_slice(line).map_err(|e| {
            if e.is_eof() {
                // A results_*.json (or any pretty-printed JSON) opens with a
                // lone `{`: the object does not end on its line.
                format!(
                    "not one JSON object per line ({e}): lm-eval samples files (samples_<task>_<timestamp>.jsonl, written with --log_samples) hold one object per line; a results_*.json file is not one"
                )
            } else {
                format!("not a JSON object: {e}")
            }
        })?;
    let resps = parsed
        .filtered_resps
        .ok_or("no 'filtered_resps' field: not an lm-eval samples line")?;
    if resps.count == 0 {
        return Err("'filtered_resps' is empty: expected one entry per choice".into());
    }
    if let Some(problem) = resps.problem {
        return Err(problem);
    }
    if resps.count > MAX_CHOICES {
        return Err(too_many_choices(resps.count));
    }
    let loglikelihoods = resps.loglikelihoods;
    if loglikelihoods.iter().all(|l| *l == f64::NEG_INFINITY) {
        return Err("every choice has log-likelihood -inf".into());
    }
    let target = parsed.target.ok_or("no 'target' field")?;
    let gold = number(&target)
        .filter(|g| g.fract() == 0.0 && *g >= 0.0)
        .map(|g| g as usize)
        .ok_or_else(|| {
            format!(
                "'target' is {}: expected the gold choice index",
                short(&target)
            )
        })?;
    if gold >= loglikelihoods.len() {
        return Err(format!(
            "'target' is {gold} but there are only {} choices",
            loglikelihoods.len()
        ));
    }
    Ok(McSample {
        loglikelihoods,
        gold,
    })
}

fn too_many_choices(n: usize) -> String {
    format!("{n} choices: at most {MAX_CHOICES} are supported")
}

/// A JSON number, or a string holding one (lm-eval writes both).
fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => number_text(s),
        _ => None,
    }
}

/// The number a JSON string holds (`"-inf"` and `"-Infinity"` included).
fn number_text(s: &str) -> Option<f64> {
    match s.trim() {
        "-inf" | "-Infinity" => Some(f64::NEG_INFINITY),
        t => t.parse::<f64>().ok(),
    }
}

fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 40 {
        format!("{}…", s.chars().take(40).collect::<String>())
    } else {
        s
    }
}

/// Softmax as numpy computes it in lm-eval: `exp(x − max) / Σ exp(x − max)`.
fn softmax_into(lls: impl Iterator<Item = f64> + Clone, scale: f64, out: &mut Vec<f64>) {
    out.clear();
    let max = lls
        .clone()
        .map(|l| l * scale)
        .fold(f64::NEG_INFINITY, f64::max);
    out.extend(lls.map(|l| (l * scale - max).exp()));
    let sum: f64 = out.iter().sum();
    for p in out.iter_mut() {
        *p /= sum;
    }
}

/// Index of the first largest value (numpy's argmax).
fn argmax(values: &[f64]) -> usize {
    let mut best = 0;
    for (i, v) in values.iter().enumerate() {
        if *v > values[best] {
            best = i;
        }
    }
    best
}

/// Σₖ (pₖ − yₖ)² for one sample.
fn brier_term(probs: &[f64], gold: usize) -> f64 {
    probs
        .iter()
        .enumerate()
        .map(|(k, p)| {
            let d = p - if k == gold { 1.0 } else { 0.0 };
            d * d
        })
        .sum()
}

/// A vector grown in fixed-size chunks: no reallocation copies, so its
/// peak memory is its size (plus one chunk), not up to three times it.
struct Chunked<T> {
    chunks: Vec<Vec<T>>,
    len: usize,
}

impl<T: Copy> Chunked<T> {
    const CHUNK: usize = 1 << 16;

    fn new() -> Self {
        Chunked {
            chunks: Vec::new(),
            len: 0,
        }
    }

    /// Make room for `extra` more values by fallible reservations (a chunk
    /// at a time); false when the memory is not there. After it, that many
    /// pushes allocate nothing.
    fn try_make_room(&mut self, extra: usize) -> bool {
        let needed = (self.len + extra).div_ceil(Self::CHUNK);
        while self.chunks.len() < needed {
            let mut chunk = Vec::new();
            if chunk.try_reserve_exact(Self::CHUNK).is_err() {
                return false;
            }
            self.chunks.push(chunk);
        }
        true
    }

    fn push(&mut self, value: T) {
        let index = self.len / Self::CHUNK;
        if index == self.chunks.len() {
            self.chunks.push(Vec::with_capacity(Self::CHUNK));
        }
        self.chunks[index].push(value);
        self.len += 1;
    }

    fn get(&self, i: usize) -> T {
        self.chunks[i / Self::CHUNK][i % Self::CHUNK]
    }

    fn iter(&self) -> impl Iterator<Item = T> + '_ {
        self.chunks.iter().flatten().copied()
    }
}

/// The compact per-sample store kept while streaming: about 13 bytes a
/// sample plus 4 a choice.
struct Store {
    confidence: Chunked<f64>,
    correct: Chunked<bool>,
    gold: Chunked<u16>,
    choices: Chunked<u16>,
    /// Log-likelihood minus the sample's max, per choice, samples in order.
    relative: Chunked<f32>,
}

impl Store {
    fn new() -> Self {
        Store {
            confidence: Chunked::new(),
            correct: Chunked::new(),
            gold: Chunked::new(),
            choices: Chunked::new(),
            relative: Chunked::new(),
        }
    }

    fn len(&self) -> usize {
        self.confidence.len
    }

    /// Reserve (fallibly) the room of one more sample with `choices`
    /// choices; false when this process cannot get the memory.
    fn try_make_room(&mut self, choices: usize) -> bool {
        self.confidence.try_make_room(1)
            && self.correct.try_make_room(1)
            && self.gold.try_make_room(1)
            && self.choices.try_make_room(1)
            && self.relative.try_make_room(choices)
    }

    /// The store's size in bytes (its chunks, allocated).
    fn bytes(&self) -> u128 {
        let chunks =
            self.confidence.chunks.len() * (8 + 1 + 2 + 2) + self.relative.chunks.len() * 4;
        (chunks as u128) * (Chunked::<u8>::CHUNK as u128)
    }

    /// Call `f(index, relative log-likelihoods, gold)` for every sample
    /// whose `mask` entry is `keep` (every sample when there is no mask).
    fn for_each(&self, mask: Option<&[bool]>, keep: bool, mut f: impl FnMut(usize, &[f64], usize)) {
        let mut values = self.relative.iter();
        let mut lls = Vec::new();
        for (i, (k, gold)) in self.choices.iter().zip(self.gold.iter()).enumerate() {
            lls.clear();
            lls.extend(values.by_ref().take(usize::from(k)).map(f64::from));
            if mask.is_none_or(|m| m[i] == keep) {
                f(i, &lls, usize::from(gold));
            }
        }
    }
}

/// Streaming accumulator of calibration metrics.
struct Accumulator {
    store: Store,
    brier_sum: f64,
    correct: usize,
    probs: Vec<f64>,
}

impl Accumulator {
    fn new() -> Self {
        Accumulator {
            store: Store::new(),
            brier_sum: 0.0,
            correct: 0,
            probs: Vec::new(),
        }
    }

    fn push(&mut self, s: &McSample) -> Result<(), String> {
        let (Ok(k), Ok(gold)) = (u16::try_from(s.loglikelihoods.len()), u16::try_from(s.gold))
        else {
            return Err(too_many_choices(s.loglikelihoods.len()));
        };
        softmax_into(s.loglikelihoods.iter().copied(), 1.0, &mut self.probs);
        let best = argmax(&s.loglikelihoods);
        let is_correct = best == s.gold;
        self.brier_sum += brier_term(&self.probs, s.gold);
        self.correct += usize::from(is_correct);
        let st = &mut self.store;
        st.confidence.push(self.probs[argmax(&self.probs)]);
        st.correct.push(is_correct);
        st.gold.push(gold);
        st.choices.push(k);
        let max = s.loglikelihoods[best];
        for l in &s.loglikelihoods {
            st.relative.push((l - max) as f32);
        }
        Ok(())
    }
}

/// Adaptive-bin RMS calibration errors of (confidence, correct) pairs, with
/// bins of `bin_size` consecutive samples by confidence (stable sort).
pub fn rms_calibration_error(confidence: &[f64], correct: &[bool], bin_size: usize) -> RmsErrors {
    let n = confidence.len().min(correct.len());
    Binnings::new(n, |i| confidence[i], bin_size)
        .rms(|i| confidence[i], |i| correct[i])
        .hendrycks
}

/// The paper's RMS calibration error of (confidence, correct) pairs:
/// √(mean over the non-empty of [`PAPER_BINS`] equal-width bins of
/// (accuracy − mean confidence)²); `None` with no pairs.
pub fn paper_rms_calibration_error(confidence: &[f64], correct: &[bool]) -> Option<f64> {
    let n = confidence.len().min(correct.len());
    (n > 0).then(|| {
        Binnings::new(n, |i| confidence[i], 0)
            .rms(|i| confidence[i], |i| correct[i])
            .paper
    })
}

/// The paper's bin of a confidence, as scikit-learn's `calibration_curve`
/// (uniform strategy) finds it: `searchsorted(edges[1:-1], c)` with edges
/// `linspace(0, 1, 16)`, i.e. the number of inner edges strictly below `c`.
fn paper_bin(c: f64) -> u8 {
    let width = 1.0 / PAPER_BINS as f64;
    (1..PAPER_BINS).filter(|&k| k as f64 * width < c).count() as u8
}

/// Every RMS error of one set of (confidence, correct) pairs.
#[derive(Debug, Clone, Copy)]
struct RmsSet {
    paper: f64,
    hendrycks: RmsErrors,
}

/// Where each sample falls in the paper's equal-width bins and in the
/// adaptive bins: fixed by the confidences, so the noise-floor simulation
/// reuses it for every draw of outcomes.
struct Binnings {
    paper: Vec<u8>,
    /// Adaptive bin of each sample (`None` where the adaptive errors are
    /// undefined: a bin size of 0 or more than u32::MAX samples).
    adaptive: Option<Vec<u32>>,
    n_adaptive: usize,
    bin_size: usize,
}

impl Binnings {
    fn new(n: usize, confidence: impl Fn(usize) -> f64, bin_size: usize) -> Self {
        let paper = (0..n).map(|i| paper_bin(confidence(i))).collect();
        let n_adaptive = n.checked_div(bin_size).map_or(0, |b| b.max(1));
        let adaptive = (n > 0 && bin_size > 0 && u32::try_from(n).is_ok()).then(|| {
            // u32 indices: half the memory of usize for multi-million-sample files.
            let mut order: Vec<u32> = (0..n as u32).collect();
            order.sort_by(|&a, &b| confidence(a as usize).total_cmp(&confidence(b as usize)));
            let mut bin = vec![0u32; n];
            for (rank, &i) in order.iter().enumerate() {
                bin[i as usize] = (rank / bin_size).min(n_adaptive - 1) as u32;
            }
            bin
        });
        Binnings {
            paper,
            adaptive,
            n_adaptive,
            bin_size,
        }
    }

    /// The RMS errors of these pairs (sums in sample order, as numpy's
    /// `bincount` makes them).
    fn rms(&self, confidence: impl Fn(usize) -> f64, correct: impl Fn(usize) -> bool) -> RmsSet {
        let n = self.paper.len();
        let mut paper = [[0.0f64; 3]; PAPER_BINS];
        let mut adaptive = vec![[0.0f64; 3]; self.adaptive.as_ref().map_or(0, |_| self.n_adaptive)];
        for i in 0..n {
            let (c, y) = (confidence(i), f64::from(u8::from(correct(i))));
            for cell in std::iter::once(&mut paper[usize::from(self.paper[i])])
                .chain(self.adaptive.as_ref().map(|a| &mut adaptive[a[i] as usize]))
            {
                cell[0] += c;
                cell[1] += y;
                cell[2] += 1.0;
            }
        }
        let gap = |[conf, hits, len]: [f64; 3]| (hits / len - conf / len).powi(2);
        let filled: Vec<f64> = paper
            .iter()
            .filter(|b| b[2] > 0.0)
            .map(|b| gap(*b))
            .collect();
        let paper = (filled.iter().sum::<f64>() / filled.len() as f64).sqrt();
        let hendrycks = if adaptive.is_empty() {
            RmsErrors {
                reference: None,
                corrected: None,
            }
        } else {
            let (mut reference, mut corrected) = (0.0, 0.0);
            for (b, bin) in adaptive.iter().enumerate() {
                let term = bin[2] / n as f64 * gap(*bin);
                corrected += term;
                if b + 1 < adaptive.len() {
                    reference += term;
                }
            }
            RmsErrors {
                reference: (n >= self.bin_size).then(|| reference.sqrt()),
                corrected: Some(corrected.sqrt()),
            }
        };
        RmsSet { paper, hendrycks }
    }

    /// The mean RMS errors over [`NOISE_FLOOR_REPLICATES`] sets of outcomes
    /// drawn Bernoulli(confidence): what a perfectly calibrated model with
    /// these confidences would get.
    fn noise_floor(&self, confidence: impl Fn(usize) -> f64) -> RmsSet {
        let n = self.paper.len();
        use rand::RngExt;
        let mut rng =
            crate::random::stream_rng(NOISE_FLOOR_SEED, crate::random::Purpose::NoiseFloor, 0);
        let mut outcomes = vec![false; n];
        let (mut paper, mut reference, mut corrected) = (0.0, 0.0, 0.0);
        for _ in 0..NOISE_FLOOR_REPLICATES {
            for (i, y) in outcomes.iter_mut().enumerate() {
                *y = rng.random::<f64>() < confidence(i);
            }
            let r = self.rms(&confidence, |i| outcomes[i]);
            paper += r.paper;
            reference += r.hendrycks.reference.unwrap_or(0.0);
            corrected += r.hendrycks.corrected.unwrap_or(0.0);
        }
        let mean = |total: f64| total / NOISE_FLOOR_REPLICATES as f64;
        let adaptive = self.adaptive.is_some();
        RmsSet {
            paper: mean(paper),
            hendrycks: RmsErrors {
                reference: (adaptive && n >= self.bin_size).then(|| mean(reference)),
                corrected: adaptive.then(|| mean(corrected)),
            },
        }
    }
}

/// d/dβ of the mean NLL of softmax(β·ll) over the fit set: mean of
/// E_p[ll] − ll_gold.
fn nll_slope(store: &Store, fit: Option<&[bool]>, beta: f64, probs: &mut Vec<f64>) -> f64 {
    let (mut total, mut count) = (0.0, 0usize);
    store.for_each(fit, true, |_, lls, gold| {
        softmax_into(lls.iter().copied(), beta, probs);
        let expected: f64 = probs.iter().zip(lls).map(|(p, l)| p * l).sum();
        total += expected - lls[gold];
        count += 1;
    });
    total / count as f64
}

/// Mean NLL (cross-entropy) of softmax(β·ll) over the fit set.
fn mean_nll(store: &Store, fit: Option<&[bool]>, beta: f64) -> f64 {
    let (mut total, mut count) = (0.0, 0usize);
    store.for_each(fit, true, |_, lls, gold| {
        let max = lls.iter().fold(f64::NEG_INFINITY, |m, l| m.max(beta * l));
        let sum: f64 = lls.iter().map(|l| (beta * l - max).exp()).sum();
        total += max + sum.ln() - beta * lls[gold];
        count += 1;
    });
    total / count as f64
}

/// The temperature minimising the mean NLL over the fit set (bisection on
/// log β, β = 1/T; the NLL is convex in β so its slope is monotone).
fn fit_temperature(store: &Store, fit: Option<&[bool]>) -> f64 {
    let mut probs = Vec::new();
    let (mut lo, mut hi) = ((1.0 / T_MAX).ln(), (1.0 / T_MIN).ln());
    if nll_slope(store, fit, hi.exp(), &mut probs) <= 0.0 {
        return T_MIN;
    }
    if nll_slope(store, fit, lo.exp(), &mut probs) >= 0.0 {
        return T_MAX;
    }
    for _ in 0..100 {
        let mid = 0.5 * (lo + hi);
        if nll_slope(store, fit, mid.exp(), &mut probs) > 0.0 {
            hi = mid;
        } else {
            lo = mid;
        }
        if hi - lo < 1e-13 {
            break;
        }
    }
    1.0 / (0.5 * (lo + hi)).exp()
}

/// The paper's temperature (its fork's `_tune_temp`): bisection on
/// [`PAPER_T_LOWER`, `PAPER_T_UPPER`] on the sign of d/dT of the mean
/// cross-entropy at the midpoint while the bracket is wider than
/// [`PAPER_T_TOLERANCE`], then the lowest cross-entropy of (lower, midpoint,
/// upper), the first on ties.
fn paper_temperature(store: &Store, fit: Option<&[bool]>) -> f64 {
    let mut probs = Vec::new();
    let (mut lower, mut upper) = (PAPER_T_LOWER, PAPER_T_UPPER);
    while upper - lower > PAPER_T_TOLERANCE {
        let mid = 0.5 * (lower + upper);
        // d/dT NLL(1/T) = −(1/T²)·d/dβ NLL(β): its sign is the opposite.
        if -nll_slope(store, fit, 1.0 / mid, &mut probs) > 0.0 {
            upper = mid;
        } else {
            lower = mid;
        }
    }
    let mut best = (lower, mean_nll(store, fit, 1.0 / lower));
    for t in [0.5 * (lower + upper), upper] {
        let nll = mean_nll(store, fit, 1.0 / t);
        if nll < best.1 {
            best = (t, nll);
        }
    }
    best.0
}

/// The fit-set mask of a seeded split: the first round(F·n) of a
/// Fisher–Yates shuffle of 0..n are fitted on, the rest reported on.
/// `None` (no split) = fit and report on all.
fn split_mask(n: usize, split: Option<f64>, seed: u64) -> Option<Vec<bool>> {
    let fraction = split?;
    use rand::seq::SliceRandom;
    let mut order: Vec<u32> = (0..n as u32).collect();
    order.shuffle(&mut crate::random::stream_rng(
        seed,
        crate::random::Purpose::CalibrationSplit,
        0,
    ));
    let n_fit = ((n as f64 * fraction).round() as usize).clamp(1, n.saturating_sub(1).max(1));
    let mut mask = vec![false; n];
    for &i in &order[..n_fit] {
        mask[i as usize] = true;
    }
    Some(mask)
}

/// The samples not fitted on (all of them without a split) at temperature
/// T: their mean Brier score, confidences and correctness.
fn at_temperature(
    store: &Store,
    fit: Option<&[bool]>,
    temperature: f64,
) -> (Option<f64>, Vec<f64>, Vec<bool>) {
    let beta = 1.0 / temperature;
    let mut probs = Vec::new();
    let mut brier = 0.0;
    let mut confidence = Vec::new();
    let mut correct = Vec::new();
    store.for_each(fit, false, |i, lls, gold| {
        softmax_into(lls.iter().copied(), beta, &mut probs);
        brier += brier_term(&probs, gold);
        confidence.push(probs[argmax(&probs)]);
        // Scaling by 1/T > 0 keeps the argmax: correctness is the untuned one.
        correct.push(store.correct.get(i));
    });
    let brier = (!confidence.is_empty()).then(|| brier / confidence.len() as f64);
    (brier, confidence, correct)
}

/// The RMS errors of (confidence, correct) pairs and their noise floors.
fn rms_with_floor(
    n: usize,
    confidence: impl Fn(usize) -> f64,
    correct: impl Fn(usize) -> bool,
    bin_size: usize,
) -> (RmsSet, RmsSet) {
    let bins = Binnings::new(n, &confidence, bin_size);
    (
        bins.rms(&confidence, correct),
        bins.noise_floor(&confidence),
    )
}

fn tuned_metrics(
    store: &Store,
    options: &CalibrationOptions,
    untuned: (RmsSet, RmsSet),
) -> (TunedMetrics, PaperMetrics) {
    let n = store.len();
    let mask = split_mask(n, options.tune_split, options.seed);
    let fit = mask.as_deref();
    let n_fit = fit.map_or(n, |m| m.iter().filter(|&&x| x).count());

    let temperature = fit_temperature(store, fit);
    let (brier, confidence, correct) = at_temperature(store, fit, temperature);
    let (rms, floor) = rms_with_floor(
        confidence.len(),
        |i| confidence[i],
        |i| correct[i],
        options.bin_size,
    );
    let tuned = TunedMetrics {
        temperature,
        n_fit,
        n: confidence.len(),
        brier,
        rms_calibration_error: rms.hendrycks,
        rms_calibration_error_noise_floor: floor.hendrycks,
    };

    let temperature = paper_temperature(store, fit);
    let (brier, confidence, correct) = at_temperature(store, fit, temperature);
    // Only the equal-width error is wanted here: no adaptive bins (size 0).
    let (rms, floor) = rms_with_floor(confidence.len(), |i| confidence[i], |i| correct[i], 0);
    let paper = PaperMetrics {
        rmsce: untuned.0.paper,
        rmsce_noise_floor: untuned.1.paper,
        temperature,
        n_fit,
        n_tuned: confidence.len(),
        rmsce_temp_tuned: rms.paper,
        rmsce_temp_tuned_noise_floor: floor.paper,
        // The report set is never empty (a split leaves at least one sample).
        brier_temp_tuned: brier.unwrap_or(f64::NAN),
    };
    (tuned, paper)
}

/// Calibration metrics of an lm-eval samples file read from `reader`;
/// `source` names it in errors and in the report.
pub fn read_samples<R: BufRead>(
    mut reader: R,
    source: &str,
    options: &CalibrationOptions,
) -> Result<CalibrationReport, CalibrationError> {
    if let Some(f) = options.tune_split
        && !(f > 0.0 && f < 1.0)
    {
        return Err(CalibrationError::File {
            path: source.into(),
            message: format!("tune split {f} is not a fraction strictly between 0 and 1"),
        });
    }
    let mut acc = Accumulator::new();
    let mut line = Vec::new();
    let mut line_no = 0u64;
    let mut skipped = 0u64;
    loop {
        line.clear();
        let read = read_line(&mut reader, &mut line, source, line_no + 1)?;
        if read == 0 {
            break;
        }
        line_no += 1;
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let sample = parse_sample_line(&line);
        if let Ok(sample) = &sample
            && !acc.store.try_make_room(sample.loglikelihoods.len())
        {
            return Err(store_memory_error(source, line_no, acc.store.bytes()));
        }
        match sample.and_then(|sample| acc.push(&sample)) {
            Ok(()) => {}
            Err(_) if options.skip_bad_lines => skipped += 1,
            Err(message) => {
                return Err(CalibrationError::AtLine {
                    path: source.into(),
                    line: line_no,
                    message,
                });
            }
        }
    }
    let n = acc.store.len();
    if n == 0 {
        return Err(CalibrationError::File {
            path: source.into(),
            message: format!(
                "no samples{}",
                if skipped > 0 {
                    format!(" ({skipped} malformed lines skipped)")
                } else {
                    String::new()
                }
            ),
        });
    }
    if options.tune_split.is_some() && n < 2 {
        return Err(CalibrationError::File {
            path: source.into(),
            message: "a tune split needs at least 2 samples".into(),
        });
    }
    // The metrics' working arrays, beside the store: bins and their sort
    // order (9 bytes a sample), then a split mask and the tuned confidences
    // and correctness (10 more), freed in between; 24 bytes a sample bounds it.
    crate::memory::ensure(
        (n as u128).saturating_mul(24),
        || {
            format!(
                "the calibration metrics of {n} samples of {}",
                crate::escape::control(source)
            )
        },
        SMALLER_FILE,
    )?;
    let store = &acc.store;
    let untuned = rms_with_floor(
        n,
        |i| store.confidence.get(i),
        |i| store.correct.get(i),
        options.bin_size,
    );
    let (rms, floor) = (untuned.0.hendrycks, untuned.1.hendrycks);
    let (tuned, paper) = tuned_metrics(store, options, untuned);
    Ok(CalibrationReport {
        source: source.to_string(),
        n,
        skipped_lines: skipped,
        accuracy: acc.correct as f64 / n as f64,
        brier: acc.brier_sum / n as f64,
        rms_calibration_error: rms,
        rms_calibration_error_noise_floor: floor,
        tuned,
        paper,
    })
}

/// What to do when a samples file's calibration needs more memory.
const SMALLER_FILE: &str =
    "calibrate a smaller samples file (split it by lines), or run where more memory is available";

/// The error when the compact store (13 bytes a sample, 4 a choice) can grow
/// no more at `line` of `source`, holding `held` bytes: it needed one more
/// chunk than that.
fn store_memory_error(source: &str, line: u64, held: u128) -> CalibrationError {
    let chunk = (Chunked::<f64>::CHUNK * std::mem::size_of::<f64>()) as u128;
    crate::memory::MemoryError {
        what: format!(
            "the per-sample store of {} at line {line} (13 bytes a sample and 4 a choice)",
            crate::escape::control(source)
        ),
        bytes: held + chunk,
        remedy: SMALLER_FILE.into(),
    }
    .into()
}

/// Read one line (through its `\n`) into `line`, growing it only by
/// fallible reservations: a line too long for the memory this process can
/// get (a file with no line breaks, say) is a memory error, not an abort.
/// Returns the bytes read, 0 at the end of the input.
fn read_line<R: BufRead>(
    reader: &mut R,
    line: &mut Vec<u8>,
    source: &str,
    number: u64,
) -> Result<usize, CalibrationError> {
    const CHUNK: usize = 1 << 20;
    let mut total = 0;
    loop {
        if line.try_reserve(CHUNK).is_err() {
            return Err(crate::memory::MemoryError {
                what: format!(
                    "line {number} of {} (over {} long)",
                    crate::escape::control(source),
                    crate::memory::human(line.len() as u128)
                ),
                bytes: (line.len() as u128).saturating_mul(2),
                remedy: "an lm-eval samples file holds one sample per line; check that this is one"
                    .into(),
            }
            .into());
        }
        let n = std::io::Read::take(&mut *reader, CHUNK as u64)
            .read_until(b'\n', line)
            .map_err(|error| CalibrationError::Io {
                path: source.into(),
                error,
            })?;
        total += n;
        if n < CHUNK || line.last() == Some(&b'\n') {
            return Ok(total);
        }
    }
}

/// Calibration metrics of an lm-eval samples file on disk.
pub fn calibrate_file(
    path: &Path,
    options: &CalibrationOptions,
) -> Result<CalibrationReport, CalibrationError> {
    let source = path.display().to_string();
    let file = File::open(path).map_err(|error| CalibrationError::io(path, error))?;
    read_samples(BufReader::with_capacity(1 << 16, file), &source, options)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(lls: &[f64], gold: usize) -> String {
        let resps: Vec<Value> = lls
            .iter()
            .map(|l| serde_json::json!([l.to_string(), "False"]))
            .collect();
        serde_json::json!({"filtered_resps": resps, "target": gold.to_string()}).to_string()
    }

    fn report(text: &str, options: &CalibrationOptions) -> CalibrationReport {
        read_samples(text.as_bytes(), "s.jsonl", options).unwrap()
    }

    #[test]
    fn brier_and_accuracy_by_hand() {
        // softmax([0, ln 3]) = [0.25, 0.75]; gold 1 → (0.25² + 0.25²) = 0.125.
        // softmax([0, 0]) = [0.5, 0.5]; gold 1, argmax 0 (first) → 0.5, wrong.
        let text = format!("{}\n{}\n", line(&[0.0, 3f64.ln()], 1), line(&[0.0, 0.0], 1));
        let r = report(&text, &CalibrationOptions::default());
        assert_eq!(r.n, 2);
        assert_eq!(r.accuracy, 0.5);
        assert!((r.brier - (0.125 + 0.5) / 2.0).abs() < 1e-15);
    }

    #[test]
    fn rms_variants_follow_calib_err() {
        // 250 samples, bins of 100: [0,100), [100,250). Reference keeps only
        // the first bin (weight 100/250); corrected keeps both.
        let conf: Vec<f64> = (0..250).map(|i| 0.5 + i as f64 / 1000.0).collect();
        let correct: Vec<bool> = (0..250).map(|i| i % 2 == 0).collect();
        let r = rms_calibration_error(&conf, &correct, 100);
        let bin = |s: usize, e: usize| {
            let c = conf[s..e].iter().sum::<f64>() / (e - s) as f64;
            let a = correct[s..e].iter().filter(|&&x| x).count() as f64 / (e - s) as f64;
            (e - s) as f64 / 250.0 * (c - a).powi(2)
        };
        assert!((r.reference.unwrap() - bin(0, 100).sqrt()).abs() < 1e-15);
        assert!((r.corrected.unwrap() - (bin(0, 100) + bin(100, 250)).sqrt()).abs() < 1e-15);
        // Below one bin the reference is undefined; [bin, 2·bin) gives 0.
        assert_eq!(
            rms_calibration_error(&conf[..99], &correct[..99], 100).reference,
            None
        );
        assert_eq!(
            rms_calibration_error(&conf[..150], &correct[..150], 100).reference,
            Some(0.0)
        );
    }

    #[test]
    fn paper_bins_are_equal_width_and_right_closed() {
        // searchsorted(edges[1:-1], c): an edge value belongs to the bin below.
        let w = 1.0 / 15.0;
        assert_eq!(paper_bin(0.0), 0);
        assert_eq!(paper_bin(w), 0);
        assert_eq!(paper_bin(w + 1e-12), 1);
        assert_eq!(paper_bin(7.0 * w), 6);
        assert_eq!(paper_bin(0.999), 14);
        assert_eq!(paper_bin(1.0), 14);
        // Two non-empty bins, unweighted: bin 14 holds 3 samples at 0.95
        // (2 right), bin 7 one at 0.5 (wrong).
        let conf = [0.95, 0.95, 0.95, 0.5];
        let correct = [true, true, false, false];
        let want = (((2.0 / 3.0 - 0.95f64).powi(2) + 0.25) / 2.0).sqrt();
        let got = paper_rms_calibration_error(&conf, &correct).unwrap();
        assert!((got - want).abs() < 1e-15, "{got} vs {want}");
        assert_eq!(paper_rms_calibration_error(&[], &[]), None);
    }

    #[test]
    fn noise_floor_of_one_bin_is_the_mean_absolute_binomial_error() {
        // n samples all at confidence c share one bin (of each binning when
        // the adaptive bin is as large as n): the error is |acc − c| and its
        // mean is ≈ √(2/π)·√(c(1−c)/n). Confidence 1 has no noise at all.
        let n = 400;
        let bins = Binnings::new(n, |_| 0.5, n);
        let floor = bins.noise_floor(|_| 0.5);
        let want = (2.0 / std::f64::consts::PI).sqrt() * (0.25f64 / n as f64).sqrt();
        // 100 draws, sd of |X| ≈ 0.6·0.025: about 0.0015 of Monte Carlo error.
        assert!(
            (floor.paper - want).abs() < 0.005,
            "{} vs {want}",
            floor.paper
        );
        assert_eq!(floor.hendrycks.corrected, Some(floor.paper));
        let sure = Binnings::new(n, |_| 1.0, 100).noise_floor(|_| 1.0);
        assert_eq!((sure.paper, sure.hendrycks.corrected), (0.0, Some(0.0)));
    }

    #[test]
    fn temperature_recovers_a_known_scale() {
        // Log-likelihoods drawn so that softmax(ll / 2) is the true model:
        // the fitted temperature should be close to 2.
        use rand::RngExt;
        let mut rng = crate::random::stream_rng(7, crate::random::Purpose::Simulation, 0);
        let mut text = String::new();
        for _ in 0..4000 {
            let lls: Vec<f64> = (0..4).map(|_| rng.random::<f64>() * 6.0).collect();
            let mut p = Vec::new();
            softmax_into(lls.iter().copied(), 0.5, &mut p);
            let u: f64 = rng.random();
            let mut cum = 0.0;
            let gold = p.iter().position(|x| {
                cum += x;
                u < cum
            });
            text.push_str(&line(&lls, gold.unwrap_or(3)));
            text.push('\n');
        }
        let r = report(&text, &CalibrationOptions::default());
        assert!(
            (r.tuned.temperature - 2.0).abs() < 0.2,
            "{}",
            r.tuned.temperature
        );
        assert!(r.tuned.brier.unwrap() <= r.brier + 1e-12);
        // The paper's coarse bisection lands within its tolerance of the
        // full-precision optimum.
        assert!(
            (r.paper.temperature - r.tuned.temperature).abs() < PAPER_T_TOLERANCE,
            "{} vs {}",
            r.paper.temperature,
            r.tuned.temperature
        );
        let split = report(
            &text,
            &CalibrationOptions {
                tune_split: Some(0.25),
                seed: 3,
                ..CalibrationOptions::default()
            },
        );
        assert_eq!((split.tuned.n_fit, split.tuned.n), (1000, 3000));
        assert_eq!(
            split,
            report(
                &text,
                &CalibrationOptions {
                    tune_split: Some(0.25),
                    seed: 3,
                    ..CalibrationOptions::default()
                }
            )
        );
    }

    #[test]
    fn malformed_lines_name_the_line_or_are_counted() {
        let good = line(&[-1.0, -2.0], 0);
        let text = format!(
            "{good}\n{{\"filtered_resps\": [[\"x\", \"True\"]], \"target\": \"0\"}}\n{good}\nnot json\n"
        );
        let e = read_samples(text.as_bytes(), "s.jsonl", &CalibrationOptions::default())
            .unwrap_err()
            .to_string();
        assert_eq!(e, "s.jsonl:2: filtered_resps[0][0] is not a number: \"x\"");
        let r = report(
            &text,
            &CalibrationOptions {
                skip_bad_lines: true,
                ..CalibrationOptions::default()
            },
        );
        assert_eq!((r.n, r.skipped_lines), (2, 2));
        for bad in [
            r#"{"filtered_resps": [["-1", "True"]], "target": "3"}"#,
            r#"{"filtered_resps": ["a b"], "target": 0}"#,
            r#"{"target": 0}"#,
            r#"{"filtered_resps": [["-1", "True"]], "target": "A"}"#,
        ] {
            assert!(
                read_samples(bad.as_bytes(), "s", &CalibrationOptions::default()).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn filtered_resps_are_read_entry_by_entry_with_the_same_words() {
        let parse = |json: &str| parse_sample_line(json.as_bytes());
        let e = |json: &str| parse(json).unwrap_err();
        assert_eq!(
            e(r#"{"filtered_resps": [["-1", "T"], [true, "F"]], "target": 0}"#),
            "filtered_resps[1][0] is not a number: true"
        );
        assert!(
            e(r#"{"filtered_resps": [["-1"], [], ["-2"]], "target": 0}"#)
                .starts_with("filtered_resps[1] is not a [loglikelihood, is_greedy] pair")
        );
        assert_eq!(
            e(r#"{"filtered_resps": [["-1"], ["Infinity"]], "target": 0}"#),
            "filtered_resps[1][0] is inf: expected a log-likelihood"
        );
        assert!(e(r#"{"filtered_resps": "x", "target": 0}"#).contains("expected a sequence"));
        // Too many choices is counted without keeping them all.
        let many = vec!["[-1]"; MAX_CHOICES + 1].join(",");
        assert_eq!(
            e(&format!(r#"{{"filtered_resps": [{many}], "target": 0}}"#)),
            format!("{} choices: at most 65535 are supported", MAX_CHOICES + 1)
        );
        let s =
            parse(r#"{"filtered_resps": [[-1.5, false], ["-inf", true], [2, 0]], "target": "2"}"#)
                .unwrap();
        assert_eq!(s.loglikelihoods, vec![-1.5, f64::NEG_INFINITY, 2.0]);
        assert_eq!(s.gold, 2);
    }

    proptest::proptest! {
        /// Adding a constant to a sample's log-likelihoods (a different
        /// normalisation) changes nothing, and neither does the line order
        /// for accuracy and Brier score; Brier stays within [0, 2].
        #[test]
        fn invariant_under_shift_and_order(
            rows in proptest::collection::vec(
                (proptest::collection::vec(-20.0f64..0.0, 2..6), 0usize..6, -50.0f64..50.0),
                1..60,
            )
        ) {
            let rows: Vec<(Vec<f64>, usize, f64)> =
                rows.into_iter().map(|(l, g, c)| { let g = g % l.len(); (l, g, c) }).collect();
            let text = |shift: bool, reverse: bool| {
                let mut lines: Vec<String> = rows
                    .iter()
                    .map(|(l, g, c)| {
                        let l: Vec<f64> = l.iter().map(|x| if shift { x + c } else { *x }).collect();
                        line(&l, *g)
                    })
                    .collect();
                if reverse {
                    lines.reverse();
                }
                lines.join("\n")
            };
            let options = CalibrationOptions { bin_size: 7, ..CalibrationOptions::default() };
            let base = report(&text(false, false), &options);
            for (shift, reverse) in [(true, false), (false, true)] {
                let other = report(&text(shift, reverse), &options);
                proptest::prop_assert_eq!(other.accuracy, base.accuracy);
                proptest::prop_assert!((other.brier - base.brier).abs() < 1e-12);
            }
            proptest::prop_assert!((0.0..=2.0).contains(&base.brier));
        }
    }
}
