//! Property tests (proptest) of the analysis over generated small matrices:
//!
//! - it never panics, whatever finite values and gaps it is given, and a
//!   successful result holds only finite numbers and correlations in [-1, 1];
//! - the eigenvalues of the capability correlation matrix sum to the number of
//!   capability benchmarks;
//! - results do not depend on the order of rows (models) or columns;
//! - a strictly increasing transform of a benchmark leaves its Spearman and
//!   Kendall correlations unchanged; an increasing affine map leaves its
//!   Pearson correlation unchanged (and a decreasing one flips its sign).
//!
//! Case counts are kept modest so `cargo test` stays quick. A case the
//! analysis refuses is rejected with `prop_assume!` (proptest fails a test
//! that rejects too many), so no property passes while checking nothing.

use proptest::prelude::*;
use safetywashing::analysis::{Analysis, AnalysisOptions, analyze};
use safetywashing::matrix::{BenchmarkMatrix, Column};
use safetywashing::output::{Exporter, JsonExporter};
use safetywashing::stats::CorrelationMethod;
use safetywashing::uncertainty::FullAnalysis;

const TOL: f64 = 1e-9;
const METHODS: [CorrelationMethod; 3] = [
    CorrelationMethod::Spearman,
    CorrelationMethod::Pearson,
    CorrelationMethod::Kendall,
];

/// A generated matrix: `k` capability columns `c0..`, the rest safety
/// columns `s0..`, and maybe a compute column.
#[derive(Debug, Clone)]
struct Case {
    matrix: BenchmarkMatrix,
    capabilities: Vec<String>,
    method: CorrelationMethod,
}

impl Case {
    fn options(&self) -> AnalysisOptions {
        AnalysisOptions {
            capabilities: self.capabilities.clone(),
            method: self.method,
        }
    }

    fn run(&self) -> Option<Analysis> {
        analyze(&self.matrix, &self.options(), None).ok()
    }
}

/// Small integers and halves (many ties), with about one cell in ten missing.
fn tied_cell() -> BoxedStrategy<f64> {
    prop_oneof![9 => (-10i32..10).prop_map(|v| f64::from(v) / 2.0), 1 => Just(f64::NAN)].boxed()
}

/// Any finite value, from subnormal to near f64::MAX, or missing.
fn wild_cell() -> BoxedStrategy<f64> {
    prop_oneof![
        60 => tied_cell(),
        2 => prop::num::f64::NORMAL,
        1 => prop::num::f64::SUBNORMAL | prop::num::f64::ZERO,
        1 => prop_oneof![Just(f64::MAX), Just(-f64::MAX), Just(1e300), Just(-1e300)],
    ]
    .boxed()
}

fn case_with(cell: BoxedStrategy<f64>) -> impl Strategy<Value = Case> {
    (4usize..12, 2usize..5, 1usize..4, any::<bool>(), 0usize..3).prop_flat_map(
        move |(n, k, s, with_compute, method)| {
            let columns = prop::collection::vec(prop::collection::vec(cell.clone(), n), k + s);
            let compute = prop::collection::vec(cell.clone(), n);
            (columns, compute).prop_map(move |(columns, compute)| {
                let benchmarks: Vec<Column> = columns
                    .into_iter()
                    .enumerate()
                    .map(|(i, values)| Column {
                        name: if i < k {
                            format!("c{i}")
                        } else {
                            format!("s{}", i - k)
                        },
                        values,
                    })
                    .collect();
                Case {
                    matrix: BenchmarkMatrix {
                        source: "generated.csv".into(),
                        models: (0..n).map(|i| format!("m{i}")).collect(),
                        benchmarks,
                        meta: Vec::new(),
                        compute: with_compute.then(|| Column {
                            name: "FLOP".into(),
                            values: compute,
                        }),
                    },
                    capabilities: (0..k).map(|i| format!("c{i}")).collect(),
                    method: METHODS[method],
                }
            })
        },
    )
}

fn tied_case() -> impl Strategy<Value = Case> {
    case_with(tied_cell())
}

/// The same matrix with its rows in the order `order`.
fn permute_rows(m: &BenchmarkMatrix, order: &[usize]) -> BenchmarkMatrix {
    let pick = |v: &[f64]| order.iter().map(|&i| v[i]).collect::<Vec<_>>();
    BenchmarkMatrix {
        source: m.source.clone(),
        models: order.iter().map(|&i| m.models[i].clone()).collect(),
        benchmarks: m
            .benchmarks
            .iter()
            .map(|c| Column {
                name: c.name.clone(),
                values: pick(&c.values),
            })
            .collect(),
        meta: Vec::new(),
        compute: m.compute.as_ref().map(|c| Column {
            name: c.name.clone(),
            values: pick(&c.values),
        }),
    }
}

/// A permutation of 0..n from a proptest seed.
fn permutation(n: usize) -> impl Strategy<Value = Vec<usize>> {
    Just((0..n).collect::<Vec<_>>()).prop_shuffle()
}

fn close(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(x), Some(y)) => (x - y).abs() <= TOL,
        _ => false,
    }
}

/// PC1 is unique (up to the sign rule) only with a gap to the second
/// eigenvalue and a clear largest loading; scores are compared only then.
fn pc1_well_defined(a: &Analysis) -> bool {
    let ev = &a.fit.eigenvalues;
    let mut mags: Vec<f64> = a.fit.loadings.iter().map(|l| l.abs()).collect();
    mags.sort_by(|x, y| y.total_cmp(x));
    let gap = ev.len() < 2 || ev[0] - ev[1] > 1e-6;
    let clear_top = mags.len() < 2 || mags[0] - mags[1] > 1e-6;
    gap && clear_top
}

/// Correlations of benchmark `name`: (with the score, with compute).
fn correlations_of(a: &Analysis, name: &str) -> (Option<f64>, Option<f64>) {
    let b = a
        .benchmarks
        .iter()
        .find(|b| b.benchmark == name)
        .expect("benchmark in result");
    (b.capabilities_correlation, b.compute_correlation)
}

fn score_of(a: &Analysis, model: &str) -> Option<f64> {
    a.models_used()
        .iter()
        .position(|m| *m == model)
        .map(|i| a.fit.scores[i])
}

/// Map one benchmark's present values through `f`.
fn map_column(m: &BenchmarkMatrix, name: &str, f: impl Fn(f64) -> f64) -> BenchmarkMatrix {
    let mut out = m.clone();
    for c in out.benchmarks.iter_mut().filter(|c| c.name == name) {
        c.values = c.values.iter().map(|&v| f(v)).collect();
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    /// Whatever finite values it gets, the analysis returns a result or an
    /// error; a result has finite numbers, correlations in [-1, 1], and JSON
    /// output that parses.
    #[test]
    fn never_panics_and_results_are_finite_and_bounded(case in case_with(wild_cell())) {
        // An error is a valid outcome here (not a rejected case).
        let Some(a) = case.run() else { return Ok(()) };
        let fit = &a.fit;
        for v in fit.eigenvalues.iter().chain(&fit.loadings).chain(&fit.scores) {
            prop_assert!(v.is_finite(), "non-finite value {v} in {:?}", fit);
        }
        for row in &fit.correlation_matrix {
            for r in row {
                prop_assert!((-1.0..=1.0).contains(r), "capability correlation {r}");
            }
        }
        let all = a.benchmarks.iter()
            .flat_map(|b| [b.capabilities_correlation, b.compute_correlation])
            .chain([a.capabilities_score_compute_correlation])
            .flatten();
        for r in all {
            prop_assert!((-1.0..=1.0).contains(&r), "correlation {r} out of [-1, 1]");
        }
        let json = JsonExporter.export_to_vec(&[FullAnalysis::from(a.clone())]);
        prop_assert!(serde_json::from_slice::<serde_json::Value>(&json).is_ok());
    }

    /// The trace of a correlation matrix is its size.
    #[test]
    fn eigenvalues_sum_to_the_number_of_capability_benchmarks(case in tied_case()) {
        let a = case.run();
        prop_assume!(a.is_some(), "the analysis refused the case");
        let sum: f64 = a.unwrap().fit.eigenvalues.iter().sum();
        let k = case.capabilities.len() as f64;
        prop_assert!((sum - k).abs() <= TOL * k, "eigenvalues sum to {sum}, k = {k}");
    }

    /// Shuffling the models changes nothing but order.
    #[test]
    fn invariant_to_row_order((case, order) in tied_case().prop_flat_map(|c| {
        let n = c.matrix.n_models();
        (Just(c), permutation(n))
    })) {
        let shuffled = Case { matrix: permute_rows(&case.matrix, &order), ..case.clone() };
        let (a, b) = (case.run(), shuffled.run());
        prop_assert_eq!(a.is_some(), b.is_some());
        prop_assume!(a.is_some(), "the analysis refused the case");
        let (a, b) = (a.unwrap(), b.unwrap());
        for (x, y) in a.fit.eigenvalues.iter().zip(&b.fit.eigenvalues) {
            prop_assert!((x - y).abs() <= TOL, "eigenvalues {x} vs {y}");
        }
        let mut used_a = a.models_used();
        let mut used_b = b.models_used();
        used_a.sort_unstable();
        used_b.sort_unstable();
        prop_assert_eq!(used_a, used_b);
        for bench in &a.benchmarks {
            let other = b.benchmarks.iter().find(|x| x.benchmark == bench.benchmark).unwrap();
            prop_assert_eq!(bench.compute_n, other.compute_n);
            prop_assert!(close(bench.compute_correlation, other.compute_correlation));
            if pc1_well_defined(&a) {
                prop_assert!(close(bench.capabilities_correlation, other.capabilities_correlation),
                    "{}: {:?} vs {:?}", bench.benchmark, bench.capabilities_correlation, other.capabilities_correlation);
            }
        }
        if pc1_well_defined(&a) {
            for m in a.models_used() {
                prop_assert!(close(score_of(&a, m), score_of(&b, m)), "score of {m}");
            }
        }
    }

    /// Shuffling the matrix columns and the capability list changes nothing
    /// but order.
    #[test]
    fn invariant_to_column_order((case, cols, caps) in tied_case().prop_flat_map(|c| {
        let (n, k) = (c.matrix.benchmarks.len(), c.capabilities.len());
        (Just(c), permutation(n), permutation(k))
    })) {
        let mut shuffled = case.clone();
        shuffled.matrix.benchmarks = cols.iter().map(|&i| case.matrix.benchmarks[i].clone()).collect();
        shuffled.capabilities = caps.iter().map(|&i| case.capabilities[i].clone()).collect();
        let (a, b) = (case.run(), shuffled.run());
        prop_assert_eq!(a.is_some(), b.is_some());
        prop_assume!(a.is_some(), "the analysis refused the case");
        let (a, b) = (a.unwrap(), b.unwrap());
        for (x, y) in a.fit.eigenvalues.iter().zip(&b.fit.eigenvalues) {
            prop_assert!((x - y).abs() <= TOL, "eigenvalues {x} vs {y}");
        }
        prop_assert!((a.fit.correlation_mean - b.fit.correlation_mean).abs() <= TOL);
        for bench in &a.benchmarks {
            let (cap_a, comp_a) = correlations_of(&a, &bench.benchmark);
            let (cap_b, comp_b) = correlations_of(&b, &bench.benchmark);
            prop_assert!(close(comp_a, comp_b));
            if pc1_well_defined(&a) {
                prop_assert!(close(cap_a, cap_b), "{}: {cap_a:?} vs {cap_b:?}", bench.benchmark);
            }
        }
    }

    /// Rank correlations see only order: a strictly increasing transform of
    /// a safety benchmark leaves its Spearman and Kendall correlations alone.
    #[test]
    fn monotone_transform_keeps_rank_correlations(case in tied_case(), rank_method in 0usize..2) {
        let case = Case { method: [CorrelationMethod::Spearman, CorrelationMethod::Kendall][rank_method], ..case };
        // Strictly increasing on the generated values, and far from linear.
        let f = |x: f64| (x / 2.0).exp() + x * x * x;
        let transformed = Case { matrix: map_column(&case.matrix, "s0", f), ..case.clone() };
        let (a, b) = (case.run(), transformed.run());
        prop_assume!(a.is_some(), "the analysis refused the case");
        prop_assert!(b.is_some(), "a monotone transform made the analysis fail");
        let (a, b) = (a.unwrap(), b.unwrap());
        let (cap_a, comp_a) = correlations_of(&a, "s0");
        let (cap_b, comp_b) = correlations_of(&b, "s0");
        prop_assert!(close(cap_a, cap_b), "{cap_a:?} vs {cap_b:?}");
        prop_assert!(close(comp_a, comp_b), "{comp_a:?} vs {comp_b:?}");
        // On a capability benchmark: the capability correlation matrix (of
        // ranks) and so its eigenvalues are unchanged too.
        let capability = Case { matrix: map_column(&case.matrix, "c0", f), ..case.clone() };
        let c = capability.run();
        prop_assert!(c.is_some(), "a monotone transform of a capability made the fit fail");
        let c = c.unwrap();
        for (ra, rc) in a.fit.correlation_matrix.iter().flatten().zip(c.fit.correlation_matrix.iter().flatten()) {
            prop_assert!((ra - rc).abs() <= TOL, "{ra} vs {rc}");
        }
        for (x, y) in a.fit.eigenvalues.iter().zip(&c.fit.eigenvalues) {
            prop_assert!((x - y).abs() <= TOL, "eigenvalues {x} vs {y}");
        }
    }

    /// Pearson sees values up to scale and shift: an affine map of a safety
    /// benchmark keeps its correlation (negated when the map decreases); an
    /// increasing affine map of a capability benchmark changes nothing at all
    /// (its z-scores are the same).
    #[test]
    fn affine_map_keeps_pearson(case in tied_case(), scale in 0.25f64..8.0, shift in -50f64..50.0, flip: bool) {
        let case = Case { method: CorrelationMethod::Pearson, ..case };
        let a = case.run();
        prop_assume!(a.is_some(), "the analysis refused the case");
        let a = a.unwrap();
        let sign = if flip { -1.0 } else { 1.0 };
        let safety = Case { matrix: map_column(&case.matrix, "s0", |x| sign * scale * x + shift), ..case.clone() };
        let b = safety.run().expect("a safety column cannot make the fit fail");
        let (cap_a, comp_a) = correlations_of(&a, "s0");
        let (cap_b, comp_b) = correlations_of(&b, "s0");
        prop_assert!(close(cap_a.map(|r| sign * r), cap_b), "{cap_a:?} vs {cap_b:?}");
        prop_assert!(close(comp_a.map(|r| sign * r), comp_b), "{comp_a:?} vs {comp_b:?}");

        if !pc1_well_defined(&a) {
            return Ok(());
        }
        let capability = Case { matrix: map_column(&case.matrix, "c0", |x| scale * x + shift), ..case.clone() };
        let c = capability.run().expect("an affine map keeps the fit possible");
        for (x, y) in a.fit.scores.iter().zip(&c.fit.scores) {
            prop_assert!((x - y).abs() <= 1e-7, "score {x} vs {y}");
        }
        for bench in &a.benchmarks {
            let (cap_a, _) = correlations_of(&a, &bench.benchmark);
            let (cap_c, _) = correlations_of(&c, &bench.benchmark);
            prop_assert!(close(cap_a, cap_c), "{}: {cap_a:?} vs {cap_c:?}", bench.benchmark);
        }
    }
}

/// Short CSV texts that are sometimes valid matrices: numbers, gaps, bad
/// cells, control characters, quoted line breaks, ragged rows.
fn matrix_text() -> impl Strategy<Value = String> {
    let cell = prop_oneof![
        Just("1"),
        Just("0.5"),
        Just(""),
        Just("NaN"),
        Just("n/a"),
        Just("x"),
        Just("m1"),
        Just("inf"),
        Just("FLOP"),
        Just("\u{7}"),
        Just("\"a\nb\""),
    ];
    let row = prop::collection::vec(cell, 1..4).prop_map(|cells| cells.join(","));
    prop::collection::vec(row, 0..6).prop_map(|rows| rows.join("\n"))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// `validate` and loading are one reader: validate finds an error exactly
    /// when loading fails, and the line loading names is its first error's.
    #[test]
    fn validate_refuses_exactly_what_loading_refuses(text in matrix_text()) {
        use safetywashing::load::{LoadError, MatrixFormat, parse_matrix};
        use safetywashing::validate::{Severity, ValidateOptions, validate};
        let loaded = parse_matrix(text.as_bytes(), "m.csv", &MatrixFormat::default());
        let found = validate(text.as_bytes(), "m.csv", None, &ValidateOptions::default());
        prop_assert_eq!(loaded.is_err(), found.errors() > 0, "{:?}: {:?}", text, found);
        if let Err(e) = loaded {
            let line = match e {
                LoadError::AtLine { line, .. } => Some(line),
                _ => None,
            };
            let lines: Vec<Option<u64>> = found
                .findings
                .iter()
                .filter(|f| f.severity == Severity::Error)
                .map(|f| f.line)
                .collect();
            prop_assert!(lines.contains(&line), "{:?}: {:?} vs {:?}", text, line, lines);
            if let Some(line) = line {
                let earlier = lines.iter().flatten().any(|l| *l < line);
                prop_assert!(!earlier, "{:?}: loading stopped at {}, validate found {:?}", text, line, lines);
            }
        }
    }
}
