//! The coverage study of the bootstrap intervals (see README, "Uncertainty").
//!
//! Draws datasets from the latent-factor model of `safetywashing simulate`,
//! bootstraps the full analysis of each, and reports how often each interval
//! method's 95% intervals hold the population values.
//!
//! ```text
//! cargo run --release --example coverage -- [--models 26] [--datasets 500]
//!     [--resamples 1000] [--benchmarks 20] [--confidence 0.95]
//!     [--method spearman] [--seed 1]
//!     [--families F --family-share S [--cluster family]] [--markdown]
//! ```
//!
//! `--families` draws the models in F families sharing S of each trait's
//! variance; `--cluster family` resamples whole families. `--markdown`
//! prints the README's table (rates ± Monte Carlo error) after the text one.

use safetywashing::uncertainty::coverage::{CoverageOptions, coverage};
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};

fn parse(args: &[String]) -> Result<CoverageOptions, String> {
    let mut o = CoverageOptions::default();
    let mut it = args.iter().filter(|a| *a != "--markdown");
    while let Some(flag) = it.next() {
        let value = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
        let bad = |e: String| format!("{flag} {value}: {e}");
        match flag.as_str() {
            "--models" => o.models = value.parse().map_err(|e| bad(format!("{e}")))?,
            "--datasets" => o.datasets = value.parse().map_err(|e| bad(format!("{e}")))?,
            "--resamples" => o.resamples = value.parse().map_err(|e| bad(format!("{e}")))?,
            "--benchmarks" => o.benchmarks = value.parse().map_err(|e| bad(format!("{e}")))?,
            "--confidence" => o.confidence = value.parse().map_err(|e| bad(format!("{e}")))?,
            "--method" => o.method = value.parse().map_err(bad)?,
            "--seed" => o.seed = value.parse().map_err(|e| bad(format!("{e}")))?,
            "--families" => o.families = value.parse().map_err(|e| bad(format!("{e}")))?,
            "--family-share" => o.family_share = value.parse().map_err(|e| bad(format!("{e}")))?,
            "--cluster" if value == "family" => o.resampling = CoverageOptions::cluster_by_family(),
            "--cluster" => return Err(format!("--cluster {value}: expected family")),
            other => return Err(format!("unknown flag {other}")),
        }
    }
    Ok(o)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let options = match parse(&args) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let done = AtomicU64::new(0);
    let total = options.datasets;
    let report = coverage(&options, &|n| {
        let d = done.fetch_add(n, Ordering::Relaxed) + n;
        if d.is_multiple_of(50) {
            eprintln!("{d}/{total} datasets");
        }
    });
    print!("{}", report.render());
    if args.iter().any(|a| a == "--markdown") {
        print!("\n{}", report.markdown());
    }
    ExitCode::SUCCESS
}
