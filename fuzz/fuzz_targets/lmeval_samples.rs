//! lm-eval per-sample JSONL files (calibration) on arbitrary bytes: an error
//! or a report whose numbers are finite and in range.
#![no_main]

use libfuzzer_sys::fuzz_target;
use safetywashing::calibration::{CalibrationOptions, read_samples};

fuzz_target!(|data: &[u8]| {
    // The first byte picks the options.
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
    assert!(
        (0.0..=1.0).contains(&report.accuracy),
        "accuracy {}",
        report.accuracy
    );
    assert!(
        (0.0..=2.0).contains(&report.brier),
        "brier {}",
        report.brier
    );
    let t = &report.tuned;
    assert!(
        t.temperature.is_finite() && t.temperature > 0.0,
        "T {}",
        t.temperature
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
});
