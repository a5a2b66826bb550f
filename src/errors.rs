//! Library errors in the command line's words. The library's error kinds
//! carry fields and never name a flag; where a kind's remedy is a flag of
//! this tool, its message here names the flag (with the values the kind
//! carries). Every other error is shown as the library words it.

use safetywashing::add::AddError;
use safetywashing::capabilities::{CapabilitiesError, NonBenchmark};
use safetywashing::check::CheckError;
use safetywashing::import::long::LongError;
use safetywashing::merge::MergeError;
use safetywashing::plot::PlotError;
use safetywashing::score::ScoreError;
use safetywashing::simulate::SimulationError;
use safetywashing::uncertainty::{Draws, OptionError, UncertaintyError};
use safetywashing::words::count;
use std::error::Error;

/// The message of `e` for the command line, when its kind has a flag to
/// name; `None` to show the library's own message.
pub fn flag_message(e: &(dyn Error + 'static)) -> Option<String> {
    if let Some(e) = e.downcast_ref::<OptionError>() {
        return Some(option(e));
    }
    if let Some(e) = e.downcast_ref::<UncertaintyError>() {
        return uncertainty(e);
    }
    if let Some(e) = e.downcast_ref::<CapabilitiesError>() {
        return capabilities(e);
    }
    if let Some(e) = e.downcast_ref::<CheckError>() {
        return match e {
            CheckError::Uncertainty(u) => uncertainty(u),
            CheckError::Option(o) => Some(option(o)),
            CheckError::Capabilities(c) => capabilities(c),
            CheckError::BadLowLine { found } => Some(format!(
                "--low-below must be a fraction between 0 and 1 (e.g. 0.4), found {found}"
            )),
            CheckError::BadHighLine { low, found } => Some(format!(
                "--high-at must be between the low line ({low}, --low-below) and 1, found {found}"
            )),
            CheckError::NoCapabilityMean { line, capabilities } => Some(format!(
                "the verdict's high line is {}, undefined with {}: name more with --capabilities, or give --high-at R",
                line.describe(),
                count(
                    *capabilities,
                    "capability benchmark",
                    "capability benchmarks"
                )
            )),
            _ => None,
        };
    }
    if let Some(e) = e.downcast_ref::<AddError>() {
        return add(e);
    }
    if let Some(e) = e.downcast_ref::<MergeError>() {
        return merge(e);
    }
    if let Some(e) = e.downcast_ref::<LongError>() {
        return long(e);
    }
    if let Some(e) = e.downcast_ref::<PlotError>() {
        return plot(e);
    }
    if let Some(SimulationError::Invalid {
        option,
        expected,
        found,
    }) = e.downcast_ref::<SimulationError>()
    {
        return Some(format!(
            "--{}: expected {expected}, found {found}",
            simulate_flag(option)
        ));
    }
    if let Some(e) = e.downcast_ref::<ScoreError>() {
        return match e {
            ScoreError::MissingCapabilities { .. } => Some(format!(
                "{e} (--impute imputes them from the reference's correlation structure)"
            )),
            ScoreError::Capabilities(c) => capabilities(c),
            _ => None,
        };
    }
    None
}

fn option(e: &OptionError) -> String {
    match e {
        OptionError::TooFewDraws { what, min, got } => {
            let flag = match what {
                Draws::BootstrapResamples => "--bootstrap",
                Draws::Permutations => "--permutations",
            };
            format!("{flag} must be at least {min}, got {got}")
        }
        OptionError::Confidence { got } => {
            format!("--confidence must be strictly between 0 and 1 (e.g. 0.95), got {got}")
        }
        OptionError::ImputeShrink { got } => format!(
            "--impute soft:F needs 0 < F < 1 (a fraction of the largest singular value), got {got}"
        ),
        OptionError::ImputeRank { got, capabilities } => format!(
            "--impute-rank must be between 1 and {} (one less than the {capabilities} capability benchmarks), got {got}",
            capabilities.saturating_sub(1)
        ),
    }
}

fn uncertainty(e: &UncertaintyError) -> Option<String> {
    match e {
        UncertaintyError::Option(o) => Some(option(o)),
        UncertaintyError::Capabilities(c) => capabilities(c),
        UncertaintyError::UnknownClusterColumn {
            matrix,
            column,
            available,
        } => Some(format!(
            "{matrix}: no column '{column}' to cluster models by (--cluster-column); metadata columns: {}",
            available.join(", ")
        )),
        _ => None,
    }
}

fn capabilities(e: &CapabilitiesError) -> Option<String> {
    match e {
        CapabilitiesError::NotABenchmark { kind, .. } => {
            let flag = match kind {
                NonBenchmark::Metadata => "--meta-columns",
                NonBenchmark::Compute => "--compute-column",
            };
            Some(format!("{e} (see {flag})"))
        }
        CapabilitiesError::UnknownCapability {
            paper_set: true, ..
        } => Some(format!(
            "{e}; this matrix does not have the paper's capability benchmarks: name its own with --capabilities A,B,... (benchmark columns that measure general capabilities)"
        )),
        CapabilitiesError::UnknownCapability { .. } => Some(format!(
            "{e}; check the names given to --capabilities against the matrix's header"
        )),
        _ => None,
    }
}

fn add(e: &AddError) -> Option<String> {
    match e {
        AddError::ChooseColumn { file, columns } => Some(format!(
            "{file}: {} score columns ({}): choose one with --column",
            columns.len(),
            columns.join(", ")
        )),
        AddError::ColumnExists { matrix, id, column } => Some(format!(
            "{matrix}: column '{id}' already exists (column {column}); pass --replace to overwrite it"
        )),
        AddError::InfoRowExists { info, line, id } => Some(format!(
            "{info}:{line}: an info row for '{id}' already exists; pass --replace to overwrite it"
        )),
        _ => None,
    }
}

fn merge(e: &MergeError) -> Option<String> {
    match e {
        MergeError::Unplaceable { file, name, reason } => Some(format!(
            "{file}: model '{name}' {reason}; add an alias (--aliases FILE with from,to rows) to decide"
        )),
        MergeError::Conflicts { conflicts } => Some(format!(
            "{}, e.g. {}; choose a winner with --prefer",
            count(conflicts.len(), "conflicting cell", "conflicting cells"),
            conflicts[0].describe()
        )),
        _ => None,
    }
}

fn long(e: &LongError) -> Option<String> {
    match e {
        LongError::SecondScore {
            path,
            line,
            model,
            benchmark,
            first,
        } => Some(format!(
            "{path}:{line}: model '{model}' has a second score for '{benchmark}' (first on line {first}); choose --dedupe max|mean|last"
        )),
        LongError::Percentage {
            path,
            line,
            column,
            text,
        } => Some(format!(
            "{path}:{line}: column '{column}': found '{text}': a percentage; add --percent to read it as a fraction"
        )),
        LongError::Load(_) => None,
    }
}

fn plot(e: &PlotError) -> Option<String> {
    match e {
        PlotError::NoBenchmark => Some("a scatter plot needs a benchmark (--benchmark B)".into()),
        PlotError::NoCompute { .. } => Some(format!("{e} (see --compute-column)")),
        _ => None,
    }
}

/// The `simulate` flag of a [`safetywashing::simulate::SimulationOptions`]
/// field (the error names the field, which is not always the flag).
fn simulate_flag(field: &str) -> String {
    match field {
        "capability_free_share" => "capability-free".into(),
        other => other.replace('_', "-"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn option_errors_name_their_flags() {
        let e = OptionError::TooFewDraws {
            what: Draws::BootstrapResamples,
            min: 10,
            got: 3,
        };
        assert_eq!(
            flag_message(&e).as_deref(),
            Some("--bootstrap must be at least 10, got 3")
        );
        let wrapped = CheckError::Uncertainty(UncertaintyError::Option(OptionError::Confidence {
            got: 1.5,
        }));
        assert_eq!(
            flag_message(&wrapped).as_deref(),
            Some("--confidence must be strictly between 0 and 1 (e.g. 0.95), got 1.5")
        );
        let plain = CheckError::NoBenchmark("n.csv".into());
        assert_eq!(flag_message(&plain), None);
    }
}
