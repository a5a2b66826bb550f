//! `safetywashing simulate`: a benchmark matrix drawn from a latent-factor
//! model, and a sidecar JSON of the truth that generated it.

use super::paths::{Files, Use, shown};
use anyhow::{Context, Result};
use clap::Args;
use safetywashing::atomic::{write_atomic, write_atomic_with};
use safetywashing::simulate::{SimulationOptions, simulate};
use safetywashing::words::count;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Flags of `simulate`.
#[derive(Debug, Args)]
#[command(after_help = "\
The model: every model has a capabilities factor and minor factors; each
benchmark loads on them plus its own noise. Capability benchmarks load
strongly on capabilities; a share of the safety benchmarks (--capability-free)
have no capabilities loading at all; the others load between -0.4 and 0.9.
FLOP follows the capabilities factor (--compute-loading). The first 12
capability benchmarks carry the paper's names, so `analyze FILE` needs no flags.
--families N groups consecutive models into N families (a `family` column)
whose members share --family-share of each trait's and noise's variance; the
population correlations are unchanged, the models are no longer independent.

The sidecar JSON (FILE.truth.json beside FILE.csv unless --truth is given)
holds every loading and the population value of each correlation `analyze`
estimates, per method.

Examples:
  safetywashing simulate --models 500 --benchmarks 60 --seed 1 -o sim.csv
  safetywashing analyze sim.csv
  safetywashing simulate --models 5000 --benchmarks 200 --missing 0.1 -o big.csv")]
pub struct SimulateArgs {
    /// Number of models (rows).
    #[arg(long, value_name = "N", default_value_t = 200)]
    pub models: usize,

    /// Number of benchmark columns, capability benchmarks included.
    #[arg(long, value_name = "K", default_value_t = 40)]
    pub benchmarks: usize,

    /// Number of capability benchmarks (the first columns).
    #[arg(long, value_name = "C", default_value_t = 12)]
    pub capabilities: usize,

    /// Number of latent factors: capabilities plus F-1 minor ones.
    #[arg(long, value_name = "F", default_value_t = 3)]
    pub factors: usize,

    /// Probability that a safety-benchmark cell is missing.
    #[arg(long, value_name = "P", default_value_t = 0.0)]
    pub missing: f64,

    /// Probability that a capability-benchmark cell is missing (models
    /// lacking one are left out of the capabilities score).
    #[arg(long, value_name = "P", default_value_t = 0.0)]
    pub capability_missing: f64,

    /// Share of the safety benchmarks with no capabilities loading.
    #[arg(long, value_name = "SHARE", default_value_t = 0.25)]
    pub capability_free: f64,

    /// Correlation of log10 FLOP with the capabilities factor.
    #[arg(
        long,
        value_name = "R",
        default_value_t = 0.9,
        allow_negative_numbers = true
    )]
    pub compute_loading: f64,

    /// Group the models into N families (a `family` column; 0 = none):
    /// models of one family share part of their traits and noise, for
    /// `--cluster-column family`.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub families: usize,

    /// With --families: the share of each trait's and noise's variance
    /// common to a family (the intra-family correlation).
    #[arg(long, value_name = "S", default_value_t = 0.5, requires = "families")]
    pub family_share: f64,

    /// Seed of every random draw (same seed, same bytes).
    #[arg(long, value_name = "S", default_value_t = safetywashing::DEFAULT_SEED)]
    pub seed: u64,

    /// Write the matrix to FILE (atomically) instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Write the truth JSON to FILE [default with --output: FILE.truth.json
    /// beside it; without --output: not written].
    #[arg(long, value_name = "FILE")]
    pub truth: Option<PathBuf>,
}

impl SimulateArgs {
    /// The library options these flags describe (checked by `simulate`).
    pub fn options(&self) -> SimulationOptions {
        SimulationOptions {
            models: self.models,
            benchmarks: self.benchmarks,
            capabilities: self.capabilities,
            factors: self.factors,
            missing: self.missing,
            capability_missing: self.capability_missing,
            capability_free_share: self.capability_free,
            compute_loading: self.compute_loading,
            families: self.families,
            family_share: if self.families > 0 {
                self.family_share
            } else {
                0.0
            },
            seed: self.seed,
        }
    }

    /// Where the truth goes: `--truth`, else beside `--output`.
    fn truth_path(&self) -> Option<PathBuf> {
        self.truth
            .clone()
            .or_else(|| self.output.as_deref().map(sidecar_path))
    }
}

/// `dir/name.csv` → `dir/name.truth.json` (any other extension is kept
/// in the stem: `name.txt` → `name.txt.truth.json`).
fn sidecar_path(csv: &Path) -> PathBuf {
    let stem = match csv.extension() {
        Some(ext) if ext.eq_ignore_ascii_case("csv") => csv.with_extension(""),
        _ => csv.to_path_buf(),
    };
    let mut name = stem.file_name().unwrap_or_default().to_os_string();
    name.push(".truth.json");
    stem.with_file_name(name)
}

/// Run `simulate`.
pub fn run(args: SimulateArgs) -> Result<ExitCode> {
    let truth = args.truth_path();
    Files::default()
        .with("--output", args.output.as_deref(), Use::Write)
        .with("--truth", truth.as_deref(), Use::Write)
        .check()?;
    let sim = simulate(&args.options())?;
    match &args.output {
        Some(path) => write_atomic_with(path, |w| sim.write_csv(w))
            .with_context(|| format!("writing {}", path.display()))?,
        None => {
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            sim.write_csv(&mut out)?;
            out.flush()?;
        }
    }
    if let Some(path) = &truth {
        write_atomic(path, &sim.truth_json())
            .with_context(|| format!("writing {}", path.display()))?;
    }
    if let Some(path) = &args.output {
        let free = sim
            .truth
            .benchmarks
            .iter()
            .filter(|b| b.capability_free)
            .count();
        eprintln!(
            "wrote {} × {} ({} capability, {} capability-free safety) to {}{}",
            count(args.models, "model", "models"),
            count(args.benchmarks, "benchmark", "benchmarks"),
            args.capabilities,
            free,
            shown(path),
            truth.map_or(String::new(), |t| format!("; truth in {}", shown(&t)))
        );
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sidecar_beside_the_csv() {
        assert_eq!(
            sidecar_path(Path::new("out/sim.csv")),
            Path::new("out/sim.truth.json")
        );
        assert_eq!(
            sidecar_path(Path::new("sim.CSV")),
            Path::new("sim.truth.json")
        );
        assert_eq!(
            sidecar_path(Path::new("sim.txt")),
            Path::new("sim.txt.truth.json")
        );
    }
}
