//! What each fuzz target checks, as plain functions of the input bytes, so
//! the fuzz targets (`fuzz/fuzz_targets/*.rs`) and the regression test
//! (`tests/fuzz_regressions.rs`, which replays every seed and every saved
//! crash) run the same code. Returning is fine (an input error is expected);
//! a panic is a bug.

use safetywashing::analysis::{AnalysisOptions, analyze};
use safetywashing::calibration::{CalibrationOptions, read_samples};
use safetywashing::import::MatrixBuilder;
use safetywashing::import::inspect::{parse_eval_archive, parse_log_json};
use safetywashing::import::lmeval::{LmEvalOptions, build_matrix, parse_results};
use safetywashing::import::long::{Dedupe, LongOptions, parse_long};
use safetywashing::load::{MatrixFormat, parse_info, parse_matrix};
use safetywashing::output::Format;
use safetywashing::stats::CorrelationMethod;
use safetywashing::uncertainty::FullAnalysis;

/// A target's check.
pub type Check = fn(&[u8]);

/// Every target, by name.
pub const TARGETS: [(&str, Check); 7] = [
    ("matrix_loader", matrix_loader),
    ("info_loader", info_loader),
    ("analyze_matrix", analyze_matrix),
    ("lmeval_results", lmeval_results),
    ("lmeval_samples", lmeval_samples),
    ("long_import", long_import),
    ("inspect_reader", inspect_reader),
];

/// The wide-matrix loader: Ok or a `LoadError`; an accepted matrix is
/// well-formed (every column as long as the model list, no infinities).
pub fn matrix_loader(data: &[u8]) {
    if let Ok(m) = parse_matrix(data, "fuzz.csv", &MatrixFormat::default()) {
        let n = m.models.len();
        assert!(n > 0);
        for c in m.benchmarks.iter().chain(m.compute.as_ref()) {
            assert_eq!(c.values.len(), n);
            assert!(c.values.iter().all(|v| v.is_finite() || v.is_nan()));
        }
        for c in &m.meta {
            assert_eq!(c.cells.len(), n);
        }
    }
}

/// The benchmark info table loader.
pub fn info_loader(data: &[u8]) {
    if let Ok(t) = parse_info(data, "fuzz-info.csv") {
        for e in &t.entries {
            assert!(!e.benchmark.is_empty());
        }
    }
}

/// Load the bytes as a matrix and run the whole analysis with the first
/// benchmark columns as capability benchmarks (the first byte picks the
/// method and how many), then render every output format. A successful fit
/// holds only finite numbers, every correlation is in [-1, 1], JSON parses.
pub fn analyze_matrix(data: &[u8]) {
    let Some((&knob, rest)) = data.split_first() else {
        return;
    };
    let Ok(m) = parse_matrix(rest, "fuzz.csv", &MatrixFormat::default()) else {
        return;
    };
    let method = match knob % 3 {
        0 => CorrelationMethod::Spearman,
        1 => CorrelationMethod::Pearson,
        _ => CorrelationMethod::Kendall,
    };
    let k = 1 + usize::from(knob / 3) % 4;
    let options = AnalysisOptions {
        capabilities: m
            .benchmarks
            .iter()
            .take(k)
            .map(|c| c.name.clone())
            .collect(),
        method,
    };
    let Ok(a) = analyze(&m, &options, None) else {
        return;
    };
    let fit = &a.fit;
    for v in fit
        .eigenvalues
        .iter()
        .chain(&fit.loadings)
        .chain(&fit.scores)
        .chain(fit.correlation_matrix.iter().flatten())
    {
        assert!(v.is_finite(), "non-finite number in a successful fit: {v}");
    }
    let correlations = a
        .benchmarks
        .iter()
        .flat_map(|b| [b.capabilities_correlation, b.compute_correlation])
        .chain([a.capabilities_score_compute_correlation])
        .flatten();
    for r in correlations {
        assert!((-1.0..=1.0).contains(&r), "correlation {r} out of range");
    }
    let full = [FullAnalysis::from(a.clone())];
    for format in Format::ALL {
        let bytes = format.exporter().export_to_vec(&full);
        if format == Format::Json {
            serde_json::from_slice::<serde_json::Value>(&bytes).expect("valid JSON");
        }
    }
}

/// What an importer writes and the matrix loader reads back is what was
/// imported: same models and columns (up to the loader's trimming), same
/// values bit for bit. (`import` refuses to write a matrix that does not
/// load back, e.g. a model id with a line break; the bad-input corpus checks
/// that message.)
fn check_round_trip(builder: &MatrixBuilder) {
    if builder.models().is_empty() || builder.columns().is_empty() {
        return; // the import command refuses to write an empty matrix
    }
    let csv = builder.matrix_csv();
    let format = MatrixFormat {
        meta_columns: Vec::new(),
        compute_column: None,
        ..MatrixFormat::default()
    };
    let Ok(m) = parse_matrix(&csv, "imported.csv", &format) else {
        return;
    };
    let trimmed: Vec<&str> = builder.models().iter().map(|m| m.trim()).collect();
    assert_eq!(m.models, trimmed);
    assert_eq!(m.benchmarks.len(), builder.columns().len());
    for (column, info) in m.benchmarks.iter().zip(builder.columns()) {
        assert_eq!(column.name, info.id.trim());
        for (model, value) in builder.models().iter().zip(&column.values) {
            match builder.get(model, &info.id) {
                Some(v) => assert_eq!(value.to_bits(), v.to_bits(), "{model} {}", info.id),
                None => assert!(value.is_nan()),
            }
        }
    }
}

/// lm-eval results files; what they build must load back.
pub fn lmeval_results(data: &[u8]) {
    let Ok(file) = parse_results(data, "fuzz/results.json", Some("fuzz-folder")) else {
        return;
    };
    let options = LmEvalOptions {
        allow_limited: true,
        ..LmEvalOptions::default()
    };
    if let Ok((builder, _report)) = build_matrix(std::slice::from_ref(&file), &options) {
        check_round_trip(&builder);
    }
}

/// lm-eval per-sample JSONL (calibration); the first byte picks the
/// options. A report's numbers are finite and in range.
pub fn lmeval_samples(data: &[u8]) {
    let Some((&knob, rest)) = data.split_first() else {
        return;
    };
    let options = CalibrationOptions {
        bin_size: 1 + usize::from(knob & 0x7),
        tune_split: (knob & 0x8 != 0).then_some(0.5),
        seed: u64::from(knob >> 5),
        skip_bad_lines: knob & 0x10 != 0,
    };
    let Ok(report) = read_samples(rest, "fuzz.jsonl", &options) else {
        return;
    };
    assert!(report.n > 0);
    let accuracy = report.accuracy;
    assert!((0.0..=1.0).contains(&accuracy), "accuracy {accuracy}");
    assert!(
        (0.0..=2.0).contains(&report.brier),
        "brier {}",
        report.brier
    );
    let t = &report.tuned;
    let temperature = t.temperature;
    assert!(
        temperature.is_finite() && temperature > 0.0,
        "T {temperature}"
    );
    let rms = [report.rms_calibration_error, t.rms_calibration_error];
    let values = rms
        .iter()
        .flat_map(|r| [r.reference, r.corrected])
        .chain([t.brier])
        .flatten();
    for v in values {
        assert!((0.0..=2.0).contains(&v), "metric {v} out of range");
    }
}

/// The long-format importer; the first byte picks `--percent` and the
/// `--dedupe` rule. What it builds must load back.
pub fn long_import(data: &[u8]) {
    let Some((&knob, rest)) = data.split_first() else {
        return;
    };
    let options = LongOptions {
        model_col: "model".into(),
        benchmark_col: "benchmark".into(),
        score_col: "score".into(),
        percent: knob & 1 == 1,
        dedupe: [
            None,
            Some(Dedupe::Max),
            Some(Dedupe::Mean),
            Some(Dedupe::Last),
        ][usize::from(knob >> 1) % 4],
    };
    if let Ok(table) = parse_long(rest, "fuzz.csv", &options) {
        check_round_trip(&table.builder);
    }
}

/// The Inspect reader, both as a `.json` log and as an `.eval` (zip)
/// archive: an error or a log with a model and a task.
pub fn inspect_reader(data: &[u8]) {
    if let Ok(log) = parse_log_json(data, "fuzz.json") {
        assert!(!log.model.trim().is_empty() && !log.task.trim().is_empty());
    }
    if let Ok(log) = parse_eval_archive(std::io::Cursor::new(data), "fuzz.eval") {
        assert!(!log.model.trim().is_empty() && !log.task.trim().is_empty());
    }
}
