//! Load arbitrary bytes as a matrix and, when that succeeds, run the whole
//! analysis with the first benchmark columns as capability benchmarks and
//! render every output format. Errors are fine; a panic, a non-finite number
//! in a successful fit, a correlation outside [-1, 1] or invalid JSON is not.
#![no_main]

use libfuzzer_sys::fuzz_target;
use safetywashing::analysis::{AnalysisOptions, analyze};
use safetywashing::load::{MatrixFormat, parse_matrix};
use safetywashing::output::Format;
use safetywashing::stats::CorrelationMethod;

fuzz_target!(|data: &[u8]| {
    // The first byte picks the method and how many capability columns to use.
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
    for format in [Format::Text, Format::Json, Format::Csv, Format::Markdown] {
        let bytes = format.exporter().export(std::slice::from_ref(&a));
        if format == Format::Json {
            serde_json::from_slice::<serde_json::Value>(&bytes).expect("valid JSON");
        }
    }
});
