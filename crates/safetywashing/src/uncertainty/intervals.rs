//! Bootstrap confidence intervals from a set of resampled values: the
//! percentile interval, the bias-corrected and accelerated (BCa) interval
//! with a jackknife acceleration, and a normal interval on Fisher's z scale
//! with the bootstrap standard error (for correlations).
//!
//! Undefined resample values arrive as NaN and are skipped (and counted);
//! an interval that cannot be formed is `None`, never NaN. Where the
//! interval asked for cannot be formed, the percentile interval is used and
//! the estimate says so ([`BootstrapEstimate::fell_back`]); a number
//! undefined in more than [`UNSTABLE_SHARE`] of the resamples is
//! [unstable](BootstrapEstimate::unstable).
//!
//! **Fisher z at ±1.** atanh(±1) is infinite, so a resample whose correlation
//! is ±1 (or rounds past it) has no finite z, and the standard deviation of
//! the z values is infinite. The Fisher-z interval is then not formed (no
//! value is clamped to make it finite), and the percentile interval, which
//! needs only the order of the values, is reported in its place, marked as
//! a fallback. The same holds when the full-sample estimate is ±1.

pub use crate::interval::Interval;
use serde::Serialize;
use statrs::distribution::{ContinuousCDF, Normal};
use std::fmt;
use std::str::FromStr;

/// Fewest defined resample values an interval is formed from.
const MIN_VALUES: usize = 2;

/// Share of resamples in which a number may be undefined before its
/// interval is flagged as unstable: the interval then describes only the
/// resamples where it exists, which can differ systematically from the rest.
pub const UNSTABLE_SHARE: f64 = 0.10;

/// Marks an interval that stands in for the one asked for (the percentile
/// interval where that one is undefined); [`fallback_legend`] explains it.
/// Every command that shows a bootstrap interval to people marks it so.
pub const FALLBACK_MARK: &str = "*";

/// How a bootstrap interval is formed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum IntervalMethod {
    /// Quantiles of the resampled values.
    Percentile,
    /// Bias-corrected and accelerated percentile interval.
    Bca,
    /// Estimate ± normal quantile × bootstrap standard error, on the
    /// atanh scale (correlations only).
    FisherZ,
}

impl IntervalMethod {
    /// Name as on the command line and in output.
    pub fn as_str(self) -> &'static str {
        match self {
            IntervalMethod::Percentile => "percentile",
            IntervalMethod::Bca => "bca",
            IntervalMethod::FisherZ => "fisher-z",
        }
    }
}

impl fmt::Display for IntervalMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for IntervalMethod {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "percentile" => Ok(IntervalMethod::Percentile),
            "bca" => Ok(IntervalMethod::Bca),
            "fisher-z" | "fisherz" | "fisher" => Ok(IntervalMethod::FisherZ),
            other => Err(format!(
                "unknown interval method '{other}': expected percentile, bca or fisher-z"
            )),
        }
    }
}

/// The bootstrap distribution of one number, summarised.
#[derive(Debug, Clone, PartialEq)]
pub struct BootstrapEstimate {
    /// Percentile interval.
    pub percentile: Option<Interval>,
    /// BCa interval, where defined (needs the estimate strictly inside the
    /// resampled values and a defined jackknife).
    pub bca: Option<Interval>,
    /// Fisher-z normal interval (correlations only).
    pub fisher_z: Option<Interval>,
    /// Resamples in which the number was defined.
    pub used: usize,
    /// Resamples in which it was not (constant column, too few models, a
    /// failed fit).
    pub skipped: usize,
}

impl BootstrapEstimate {
    /// An estimate with no interval (the full-sample value is undefined).
    pub fn undefined(resamples: usize) -> Self {
        BootstrapEstimate {
            percentile: None,
            bca: None,
            fisher_z: None,
            used: 0,
            skipped: resamples,
        }
    }

    /// The interval of `method`, or the percentile interval where that one
    /// is undefined; with the method actually used.
    pub fn interval(&self, method: IntervalMethod) -> Option<(Interval, IntervalMethod)> {
        let wanted = match method {
            IntervalMethod::Percentile => self.percentile,
            IntervalMethod::Bca => self.bca,
            IntervalMethod::FisherZ => self.fisher_z,
        };
        wanted
            .map(|i| (i, method))
            .or_else(|| self.percentile.map(|i| (i, IntervalMethod::Percentile)))
    }

    /// Whether the interval of `method` could not be formed and the
    /// percentile interval stands in for it.
    pub fn fell_back(&self, method: IntervalMethod) -> bool {
        self.interval(method)
            .is_some_and(|(_, used)| used != method)
    }

    /// Resamples drawn (defined or not).
    pub fn resamples(&self) -> usize {
        self.used + self.skipped
    }

    /// Share of the resamples in which the number was undefined (`None`
    /// without resamples).
    pub fn skipped_share(&self) -> Option<f64> {
        let total = self.resamples();
        (total > 0).then(|| self.skipped as f64 / total as f64)
    }

    /// Whether the number has an interval but was undefined in more than
    /// [`UNSTABLE_SHARE`] of the resamples (a number without an interval
    /// has nothing to flag).
    pub fn unstable(&self) -> bool {
        self.percentile.is_some() && self.skipped_share().is_some_and(|s| s > UNSTABLE_SHARE)
    }

    /// What follows the shown interval of `method` in text: [`FALLBACK_MARK`]
    /// where the percentile interval stands in for it, else nothing.
    pub fn fallback_mark(&self, method: IntervalMethod) -> &'static str {
        if self.fell_back(method) {
            FALLBACK_MARK
        } else {
            ""
        }
    }

    /// In how many resamples the number was undefined, for the text beside
    /// its interval: "12/1000 resamples undefined", or above
    /// [`UNSTABLE_SHARE`] flagged, "unstable: 34% of resamples undefined,
    /// 336/1000". `None` when every resample was defined or the number has
    /// no interval.
    pub fn skipped_note(&self) -> Option<String> {
        if self.skipped == 0 || self.percentile.is_none() {
            return None;
        }
        let count = format!("{}/{}", self.skipped, self.resamples());
        Some(match self.skipped_share() {
            Some(share) if self.unstable() => format!(
                "unstable: {:.0}% of resamples undefined, {count}",
                share * 100.0
            ),
            _ => format!("{count} resamples undefined"),
        })
    }
}

/// The line that explains [`FALLBACK_MARK`], for `count` numbers whose
/// `method` interval could not be formed: "* percentile interval: the bca
/// interval could not be formed for 2 numbers (see docs/method.md)".
pub fn fallback_legend(method: IntervalMethod, count: usize) -> String {
    format!(
        "{FALLBACK_MARK} percentile interval: the {method} interval could not be formed for {} (see docs/method.md)",
        crate::words::count(count, "number", "numbers")
    )
}

/// Summarise resampled values of a number whose full-sample value is
/// `estimate`. `draws` holds one value per resample (NaN = undefined),
/// `jackknife` one per left-out unit (NaN = undefined). `correlation` says
/// whether the Fisher-z interval applies.
pub fn estimate(
    estimate: f64,
    draws: &[f64],
    jackknife: &[f64],
    confidence: f64,
    correlation: bool,
) -> BootstrapEstimate {
    let mut values = crate::stats::present_values(draws);
    let used = values.len();
    let skipped = draws.len() - used;
    if estimate.is_nan() || used < MIN_VALUES {
        return BootstrapEstimate {
            used,
            skipped,
            ..BootstrapEstimate::undefined(0)
        };
    }
    crate::stats::sort_total_order(&mut values);
    let alpha = 1.0 - confidence;
    BootstrapEstimate {
        percentile: Some(Interval {
            low: quantile(&values, alpha / 2.0),
            high: quantile(&values, 1.0 - alpha / 2.0),
        }),
        bca: bca(estimate, &values, jackknife, alpha),
        fisher_z: if correlation {
            fisher_z(estimate, &values, alpha)
        } else {
            None
        },
        used,
        skipped,
    }
}

/// Quantile of sorted values, linear interpolation between order
/// statistics (R's type 7, numpy's default).
pub fn quantile(sorted: &[f64], p: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * p.clamp(0.0, 1.0);
    let lo = h.floor() as usize;
    let hi = h.ceil() as usize;
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

fn standard_normal() -> Normal {
    // Mean 0, sd 1 are valid parameters.
    Normal::standard()
}

/// BCa (Efron 1987): percentiles moved by the bias correction z0 (share of
/// resamples below the estimate, ties counted half) and the acceleration a
/// (skewness of the jackknife values).
fn bca(estimate: f64, sorted: &[f64], jackknife: &[f64], alpha: f64) -> Option<Interval> {
    let n = sorted.len() as f64;
    // Counted by bisection: both tests are monotone along sorted values.
    let below = sorted.partition_point(|v| *v < estimate);
    let equal = (sorted.partition_point(|v| *v <= estimate) - below) as f64;
    let below = below as f64;
    let share = (below + equal / 2.0) / n;
    if share <= 0.0 || share >= 1.0 || jackknife.iter().any(|v| v.is_nan()) || jackknife.len() < 2 {
        return None;
    }
    let normal = standard_normal();
    let z0 = normal.inverse_cdf(share);
    let mean = jackknife.iter().sum::<f64>() / jackknife.len() as f64;
    let (mut num, mut den) = (0.0, 0.0);
    for v in jackknife {
        let d = mean - v;
        num += d * d * d;
        den += d * d;
    }
    let a = if den > 0.0 {
        num / (6.0 * den.powf(1.5))
    } else {
        0.0
    };
    let adjusted = |p: f64| -> Option<f64> {
        let z = z0 + normal.inverse_cdf(p);
        let denom = 1.0 - a * z;
        (denom > 0.0).then(|| normal.cdf(z0 + z / denom))
    };
    let lo = adjusted(alpha / 2.0)?;
    let hi = adjusted(1.0 - alpha / 2.0)?;
    (lo.is_finite() && hi.is_finite()).then(|| Interval {
        low: quantile(sorted, lo),
        high: quantile(sorted, hi),
    })
}

/// Fisher-z normal interval: tanh(atanh(r) ± z(1-α/2) · sd(atanh(r*))).
/// `None` when the estimate or any resampled value is ±1 (an infinite z;
/// see the module documentation).
fn fisher_z(estimate: f64, sorted: &[f64], alpha: f64) -> Option<Interval> {
    let finite_z = |r: f64| (r.abs() < 1.0).then(|| r.atanh());
    let centre = finite_z(estimate)?;
    let zs: Vec<f64> = sorted.iter().map(|r| finite_z(*r)).collect::<Option<_>>()?;
    let mean = zs.iter().sum::<f64>() / zs.len() as f64;
    let var = zs.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / (zs.len() - 1) as f64;
    let half = standard_normal().inverse_cdf(1.0 - alpha / 2.0) * var.sqrt();
    half.is_finite().then(|| Interval {
        low: (centre - half).tanh(),
        high: (centre + half).tanh(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantile_interpolates_like_numpy() {
        let v = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(quantile(&v, 0.0), 1.0);
        assert_eq!(quantile(&v, 1.0), 4.0);
        // numpy.quantile([1,2,3,4], 0.25) = 1.75
        assert!((quantile(&v, 0.25) - 1.75).abs() < 1e-15);
    }

    #[test]
    fn symmetric_draws_give_bca_equal_to_percentile() {
        // Draws symmetric about the estimate, no skew in the jackknife:
        // z0 = 0 and a = 0, so BCa is the percentile interval.
        let draws: Vec<f64> = (0..=200).map(|i| i as f64 / 100.0 - 1.0).collect();
        let jack = [-0.1, 0.0, 0.1];
        let e = estimate(0.0, &draws, &jack, 0.9, false);
        let p = e.percentile.unwrap();
        let b = e.bca.unwrap();
        assert!(
            (p.low - b.low).abs() < 1e-9 && (p.high - b.high).abs() < 1e-9,
            "{p:?} {b:?}"
        );
        assert!((p.low + 0.9).abs() < 1e-12, "{p:?}");
        assert!(e.fisher_z.is_none());
    }

    #[test]
    fn undefined_draws_are_counted_and_skipped() {
        let draws = [0.1, f64::NAN, 0.3, 0.2, f64::NAN];
        let e = estimate(0.2, &draws, &[0.1, 0.2, 0.3], 0.95, true);
        assert_eq!((e.used, e.skipped), (3, 2));
        let f = e.fisher_z.unwrap();
        assert!(f.low < 0.2 && 0.2 < f.high);
        let none = estimate(f64::NAN, &draws, &[], 0.95, true);
        assert_eq!(none.interval(IntervalMethod::Bca), None);
    }

    #[test]
    fn bca_undefined_when_all_draws_on_one_side() {
        let draws = [0.5, 0.6, 0.7];
        let e = estimate(0.1, &draws, &[0.1, 0.2], 0.95, true);
        assert!(e.bca.is_none());
        // Falls back to the percentile interval, and says so.
        let (_, used) = e.interval(IntervalMethod::Bca).unwrap();
        assert_eq!(used, IntervalMethod::Percentile);
    }

    #[test]
    fn fisher_z_at_one_falls_back_to_percentile_without_a_clamp() {
        // One resample reaches r = 1: its z is infinite, so no Fisher-z
        // interval is formed; the percentile interval stands in, marked.
        let mut draws: Vec<f64> = (0..99).map(|i| 0.5 + i as f64 * 0.004).collect();
        draws.push(1.0);
        let e = estimate(0.7, &draws, &[0.6, 0.7, 0.8], 0.95, true);
        assert_eq!(e.fisher_z, None);
        assert!(e.fell_back(IntervalMethod::FisherZ));
        let (shown, used) = e.interval(IntervalMethod::FisherZ).unwrap();
        assert_eq!(
            (shown, used),
            (e.percentile.unwrap(), IntervalMethod::Percentile)
        );
        // Just below 1 the z is finite and the interval is formed, inside (-1, 1).
        *draws.last_mut().unwrap() = 1.0 - 1e-9;
        let e = estimate(0.7, &draws, &[0.6, 0.7, 0.8], 0.95, true);
        let f = e.fisher_z.unwrap();
        assert!(
            -1.0 < f.low && f.high < 1.0 && f.low < 0.7 && 0.7 < f.high,
            "{f:?}"
        );
        assert!(!e.fell_back(IntervalMethod::FisherZ));
        // A full-sample estimate of -1 has no Fisher-z interval either.
        let e = estimate(-1.0, &[-1.0, -0.9, -0.8], &[-1.0, -0.9], 0.95, true);
        assert_eq!(e.fisher_z, None);
    }

    #[test]
    fn unstable_above_a_tenth_of_resamples_undefined() {
        let draws = |skipped: usize| -> Vec<f64> {
            (0..100)
                .map(|i| {
                    if i < skipped {
                        f64::NAN
                    } else {
                        i as f64 / 100.0
                    }
                })
                .collect()
        };
        let at_tenth = estimate(0.5, &draws(10), &[0.4, 0.6], 0.95, true);
        assert_eq!(at_tenth.skipped_share(), Some(0.1));
        assert!(!at_tenth.unstable());
        let above = estimate(0.5, &draws(34), &[0.4, 0.6], 0.95, true);
        assert_eq!(
            (above.used, above.skipped, above.resamples()),
            (66, 34, 100)
        );
        assert!(above.unstable());
        // Undefined on the full sample: nothing to flag.
        assert!(!BootstrapEstimate::undefined(100).unstable());
    }

    #[test]
    fn method_names_round_trip() {
        for m in [
            IntervalMethod::Percentile,
            IntervalMethod::Bca,
            IntervalMethod::FisherZ,
        ] {
            assert_eq!(m.as_str().parse::<IntervalMethod>().unwrap(), m);
        }
        assert!("median".parse::<IntervalMethod>().is_err());
    }
}
