//! The paper's benchmark suite as data: one [`Entry`] per column of the
//! paper's base and chat matrices (`data/suite.csv`, embedded in the crate).
//!
//! Each entry says which safety **area** the column belongs to, how its number
//! is obtained ([`Kind`]: an lm-evaluation-harness task, a task that exists
//! only in the paper authors' fork `steven-basart/lm-evaluation-harness`, a
//! calibration metric this crate computes from lm-eval's samples, another
//! harness, a judge, a leaderboard), the lm-eval task and metric where there
//! is one, and the [`Transform`] from the harness's raw number to the
//! matrix's orientation ("higher is safer / better").
//!
//! Areas: `alignment`, `machine ethics`, `bias`, `calibration`,
//! `adversarial robustness` and `weaponization` are the paper's own section
//! headings; `capabilities` is the paper's set of 12 capability benchmarks;
//! `truthfulness`, `harmlessness`, `rationality` and `general capabilities`
//! group the remaining columns the paper's tables list.
//!
//! Where the transform (or the metric) could not be established from the
//! paper's info table, the stored values and the task definitions, the entry
//! is marked unverified ([`Entry::verified`] is false) with a note saying
//! why; a transform that is not known at all is [`Transform::Unknown`], and
//! nothing is ever converted with it.

use crate::load::LoadError;
use std::collections::HashMap;
use std::sync::OnceLock;

/// The manifest of the paper's suite, as shipped.
const PAPER_SUITE: &str = include_str!("../data/suite.csv");

/// Where the embedded manifest is said to come from in messages.
pub const PAPER_SUITE_SOURCE: &str = "crates/safetywashing/data/suite.csv";

/// The columns of the manifest file, in order.
pub const COLUMNS: [&str; 11] = [
    "benchmark",
    "name",
    "area",
    "kind",
    "harness",
    "task",
    "metric",
    "num_fewshot",
    "transform",
    "verified",
    "note",
];

/// How a benchmark's number is obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// A task of upstream lm-evaluation-harness; the metric is in its results JSON.
    LmEval,
    /// A task that exists only in the paper authors' fork of lm-evaluation-harness.
    LmEvalFork,
    /// A calibration metric computed from the samples file of an upstream
    /// lm-eval task (needs `--log_samples`).
    Calibration,
    /// Another evaluation harness (HarmBench, MACHIAVELLI, CyberSecEval, …).
    Harness,
    /// A judge-based benchmark (MT-Bench, AlpacaEval, TruthfulQA's GPT-judge).
    Judge,
    /// A number looked up on a public leaderboard.
    Leaderboard,
}

impl Kind {
    /// Every kind, in display order.
    pub const ALL: [Kind; 6] = [
        Kind::LmEval,
        Kind::LmEvalFork,
        Kind::Calibration,
        Kind::Harness,
        Kind::Judge,
        Kind::Leaderboard,
    ];

    /// The spelling in the manifest file.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::LmEval => "lm-eval",
            Kind::LmEvalFork => "lm-eval-fork",
            Kind::Calibration => "calibration",
            Kind::Harness => "harness",
            Kind::Judge => "judge",
            Kind::Leaderboard => "leaderboard",
        }
    }

    /// What a user needs to obtain a number of this kind.
    pub fn needs(self) -> &'static str {
        match self {
            Kind::LmEval => "lm-eval (pip install \"lm_eval[api]\")",
            Kind::LmEvalFork => {
                "the task folder of steven-basart/lm-evaluation-harness (--include-path)"
            }
            Kind::Calibration => "lm-eval with --log-samples; computed by safetywashing",
            Kind::Harness => "a separate harness (see the harness column)",
            Kind::Judge => "a judge model (GPT-4 in the paper)",
            Kind::Leaderboard => "a public leaderboard lookup",
        }
    }
}

impl std::str::FromStr for Kind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Kind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| {
                format!(
                    "unknown kind '{s}' (expected one of: {})",
                    Kind::ALL.map(Kind::as_str).join(", ")
                )
            })
    }
}

/// The map from a harness's raw number to the matrix's orientation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Transform {
    /// Stored as the harness reports it.
    Identity,
    /// `1 - x` (a lower-is-better fraction, e.g. a Brier score).
    OneMinus,
    /// `100 - x` (a lower-is-better percentage, e.g. an attack success rate).
    HundredMinus,
    /// `-x` (a lower-is-better unbounded value).
    Negate,
    /// Not established: the raw number is never converted into the column.
    Unknown,
}

impl Transform {
    /// Every transform kind.
    pub const ALL: [Transform; 5] = [
        Transform::Identity,
        Transform::OneMinus,
        Transform::HundredMinus,
        Transform::Negate,
        Transform::Unknown,
    ];

    /// The spelling in the manifest file.
    pub fn as_str(self) -> &'static str {
        match self {
            Transform::Identity => "identity",
            Transform::OneMinus => "one_minus",
            Transform::HundredMinus => "hundred_minus",
            Transform::Negate => "negate",
            Transform::Unknown => "unknown",
        }
    }

    /// The formula, for people: `x`, `1 - x`, `100 - x`, `-x`, `?`.
    pub fn formula(self) -> &'static str {
        match self {
            Transform::Identity => "x",
            Transform::OneMinus => "1 - x",
            Transform::HundredMinus => "100 - x",
            Transform::Negate => "-x",
            Transform::Unknown => "?",
        }
    }

    /// Apply to a raw value; `None` for [`Transform::Unknown`].
    pub fn apply(self, x: f64) -> Option<f64> {
        match self {
            Transform::Identity => Some(x),
            Transform::OneMinus => Some(1.0 - x),
            Transform::HundredMinus => Some(100.0 - x),
            Transform::Negate => Some(-x),
            Transform::Unknown => None,
        }
    }
}

impl std::str::FromStr for Transform {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Transform::ALL
            .into_iter()
            .find(|t| t.as_str() == s)
            .ok_or_else(|| {
                format!(
                    "unknown transform '{s}' (expected one of: {})",
                    Transform::ALL.map(Transform::as_str).join(", ")
                )
            })
    }
}

/// One benchmark of the suite.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// Column id in the paper's matrices.
    pub benchmark: String,
    /// Display name (the paper's info table).
    pub name: String,
    /// Safety area (see the module docs).
    pub area: String,
    /// How the number is obtained.
    pub kind: Kind,
    /// The harness or source by name.
    pub harness: String,
    /// lm-eval task name, where there is one.
    pub task: Option<String>,
    /// Metric key (`acc`, or `metric,filter`), or the harness's metric by name.
    pub metric: Option<String>,
    /// Few-shot count where the paper states it (`None`: the task's default).
    pub num_fewshot: Option<u32>,
    /// Raw number → matrix orientation.
    pub transform: Transform,
    /// The transform and metric were established (not inferred).
    pub verified: bool,
    /// Why an entry is unverified, or how it is computed.
    pub note: String,
}

impl Entry {
    /// `evaluate` can produce this column with upstream lm-eval: an
    /// lm-eval task with a metric and a known transform, or a calibration
    /// column computed from an upstream task's samples.
    pub fn evaluable(&self) -> bool {
        matches!(self.kind, Kind::LmEval | Kind::Calibration)
            && self.task.is_some()
            && self.metric.is_some()
            && self.transform != Transform::Unknown
    }

    /// The lm-eval metric key as `(metric, filter)`; filter `None` = lm-eval's
    /// only or `none` filter.
    pub fn metric_key(&self) -> Option<(&str, Option<&str>)> {
        let m = self.metric.as_deref()?;
        Some(match m.split_once(',') {
            Some((metric, filter)) => (metric, Some(filter)),
            None => (m, None),
        })
    }

    /// One line on what is unverified, if anything.
    pub fn caveat(&self) -> Option<String> {
        (!self.verified).then(|| {
            if self.note.is_empty() {
                format!("{}: transform unverified", self.benchmark)
            } else {
                format!("{}: unverified: {}", self.benchmark, self.note)
            }
        })
    }
}

/// The suite: entries in file order, looked up by column id.
#[derive(Debug, Clone, PartialEq)]
pub struct Manifest {
    entries: Vec<Entry>,
    index: HashMap<String, usize>,
}

impl Manifest {
    /// The paper's suite, shipped with the crate (parsed once).
    pub fn paper() -> &'static Manifest {
        static PAPER: OnceLock<Manifest> = OnceLock::new();
        PAPER.get_or_init(|| {
            // The embedded file is checked by this module's tests.
            Manifest::parse(PAPER_SUITE.as_bytes(), PAPER_SUITE_SOURCE)
                .expect("the embedded suite manifest is valid")
        })
    }

    /// Parse a manifest file (the columns of [`COLUMNS`]); errors name the
    /// line and column.
    pub fn parse(bytes: &[u8], source: &str) -> Result<Manifest, LoadError> {
        let mut reader = crate::records::csv_reader(bytes);
        let headers = reader
            .headers()
            .map_err(|e| LoadError::file(source, format!("cannot read the header: {e}")))?
            .clone();
        let header: Vec<&str> = headers.iter().collect();
        if header != COLUMNS {
            return Err(LoadError::file(
                source,
                format!(
                    "header must be {}, found {}",
                    COLUMNS.join(","),
                    header.join(",")
                ),
            ));
        }
        let mut entries = Vec::new();
        let mut index = HashMap::new();
        // The shared reader does not treat the first record as a header
        // (`headers()` only peeks at it): skip it here.
        for (i, record) in reader.records().enumerate().skip(1) {
            let line = i as u64 + 1;
            let at = |message: String| LoadError::AtLine {
                path: source.into(),
                line,
                message,
            };
            let record = record.map_err(|e| at(format!("not valid CSV: {e}")))?;
            let field = |c: usize| record.get(c).unwrap_or("").trim();
            let optional = |c: usize| Some(field(c).to_string()).filter(|s| !s.is_empty());
            let benchmark = field(0).to_string();
            if benchmark.is_empty() {
                return Err(at("column 'benchmark' is empty".into()));
            }
            let kind: Kind = field(3)
                .parse()
                .map_err(|e| at(format!("column 'kind': {e}")))?;
            let transform: Transform = field(8)
                .parse()
                .map_err(|e| at(format!("column 'transform': {e}")))?;
            let num_fewshot = match field(7) {
                "" => None,
                n => Some(n.parse::<u32>().map_err(|_| {
                    at(format!(
                        "column 'num_fewshot': expected a count, found '{n}'"
                    ))
                })?),
            };
            let verified = match field(9) {
                "yes" => true,
                "no" => false,
                v => {
                    return Err(at(format!(
                        "column 'verified': expected yes or no, found '{v}'"
                    )));
                }
            };
            if transform == Transform::Unknown && verified {
                return Err(at("an unknown transform cannot be verified".into()));
            }
            if let Some(first) = index.insert(benchmark.clone(), entries.len()) {
                return Err(at(format!(
                    "benchmark '{benchmark}' is listed twice (first on line {})",
                    first + 2
                )));
            }
            entries.push(Entry {
                benchmark,
                name: field(1).to_string(),
                area: field(2).to_string(),
                kind,
                harness: field(4).to_string(),
                task: optional(5),
                metric: optional(6),
                num_fewshot,
                transform,
                verified,
                note: field(10).to_string(),
            });
        }
        Ok(Manifest { entries, index })
    }

    /// Every entry, in file order.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The entry of a column id.
    pub fn entry(&self, benchmark: &str) -> Option<&Entry> {
        self.index.get(benchmark).map(|&i| &self.entries[i])
    }

    /// The safety area of a column id.
    pub fn area(&self, benchmark: &str) -> Option<&str> {
        self.entry(benchmark).map(|e| e.area.as_str())
    }

    /// The areas, in order of first appearance.
    pub fn areas(&self) -> Vec<&str> {
        let mut areas: Vec<&str> = Vec::new();
        for e in &self.entries {
            if !areas.contains(&e.area.as_str()) {
                areas.push(&e.area);
            }
        }
        areas
    }

    /// The entries `evaluate` can run with upstream lm-eval.
    pub fn evaluable(&self) -> impl Iterator<Item = &Entry> {
        self.entries.iter().filter(|e| e.evaluable())
    }

    /// The entries whose numbers come from an lm-eval task `task`.
    pub fn by_task<'a>(&'a self, task: &'a str) -> impl Iterator<Item = &'a Entry> + 'a {
        self.entries
            .iter()
            .filter(move |e| e.task.as_deref() == Some(task))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::PAPER_CAPABILITIES;

    #[test]
    fn embedded_manifest_parses_and_has_the_paper_areas() {
        let m = Manifest::paper();
        assert!(m.entries().len() >= 170, "{}", m.entries().len());
        for area in [
            "alignment",
            "machine ethics",
            "bias",
            "calibration",
            "adversarial robustness",
            "weaponization",
            "capabilities",
        ] {
            assert!(m.areas().contains(&area), "{area}");
        }
        assert_eq!(m.area("wmdp"), Some("weaponization"));
        assert_eq!(m.area("no such column"), None);
    }

    #[test]
    fn the_capability_benchmarks_are_evaluable_identity_columns() {
        let m = Manifest::paper();
        for b in PAPER_CAPABILITIES {
            let e = m.entry(b).unwrap_or_else(|| panic!("{b}"));
            assert_eq!(e.area, "capabilities", "{b}");
            assert!(e.evaluable(), "{b}");
            assert_eq!(e.transform, Transform::Identity, "{b}");
        }
        let caps: Vec<&str> = m
            .entries()
            .iter()
            .filter(|e| e.area == "capabilities")
            .map(|e| e.benchmark.as_str())
            .collect();
        assert_eq!(caps.len(), PAPER_CAPABILITIES.len());
    }

    #[test]
    fn unverified_entries_say_why() {
        for e in Manifest::paper().entries() {
            if !e.verified {
                assert!(!e.note.is_empty(), "{} has no note", e.benchmark);
                assert!(e.caveat().unwrap().contains(&e.note));
            } else {
                assert!(e.caveat().is_none());
            }
            if e.transform == Transform::Unknown {
                assert!(!e.evaluable(), "{}", e.benchmark);
            }
        }
    }

    #[test]
    fn transforms_map_raw_values() {
        assert_eq!(Transform::Identity.apply(0.25), Some(0.25));
        assert_eq!(Transform::OneMinus.apply(0.25), Some(0.75));
        assert_eq!(Transform::HundredMinus.apply(12.5), Some(87.5));
        assert_eq!(Transform::Negate.apply(3.5), Some(-3.5));
        assert_eq!(Transform::Negate.apply(-0.0), Some(0.0));
        assert_eq!(Transform::Unknown.apply(1.0), None);
        for t in Transform::ALL {
            assert_eq!(t.as_str().parse::<Transform>(), Ok(t));
        }
        assert!(
            "log"
                .parse::<Transform>()
                .unwrap_err()
                .contains("one_minus")
        );
    }

    #[test]
    fn kinds_round_trip() {
        for k in Kind::ALL {
            assert_eq!(k.as_str().parse::<Kind>(), Ok(k));
            assert!(!k.needs().is_empty());
        }
    }

    #[test]
    fn calibration_and_attack_columns_use_the_info_tables_transform() {
        let m = Manifest::paper();
        assert_eq!(
            m.entry("brier_mmlu").unwrap().transform,
            Transform::OneMinus
        );
        assert_eq!(
            m.entry("HarmBench-GCG-T-all").unwrap().transform,
            Transform::HundredMinus
        );
        assert_eq!(
            m.entry("crows_pairs_english").unwrap().transform,
            Transform::Negate
        );
        let e = m.entry("gsm8k").unwrap();
        assert_eq!(e.metric_key(), Some(("exact_match", Some("strict-match"))));
    }

    #[test]
    fn bad_manifests_name_line_and_column() {
        let head = COLUMNS.join(",");
        let bad = format!("{head}\na,A,bias,lm-eval,h,t,acc,,log,yes,\n");
        let e = Manifest::parse(bad.as_bytes(), "m.csv")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("m.csv") && e.contains('2') && e.contains("transform"),
            "{e}"
        );
        let twice = format!(
            "{head}\na,A,bias,judge,h,,,,identity,yes,\na,A,bias,judge,h,,,,identity,yes,\n"
        );
        let e = Manifest::parse(twice.as_bytes(), "m.csv")
            .unwrap_err()
            .to_string();
        assert!(e.contains("twice"), "{e}");
        let unknown_verified = format!("{head}\na,A,bias,judge,h,,,,unknown,yes,\n");
        assert!(Manifest::parse(unknown_verified.as_bytes(), "m.csv").is_err());
        assert!(Manifest::parse(b"benchmark,name\n", "m.csv").is_err());
    }
}
