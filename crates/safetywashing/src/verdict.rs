//! The verdict on a capabilities correlation: one rule, used by `check`,
//! the report, the figures and `--sensitivity`.
//!
//! A correlation falls in a **band** by its magnitude |r|: *low* below the
//! low line (the paper's 40%), *high* at or above the high line, *moderate*
//! between. The high line is by default the mean **leave-one-out**
//! capabilities correlation of the capability benchmarks — each one's
//! correlation with a composite fitted without it, a correlation with a
//! composite like the one it is compared with ([`HighLine`]); the paper's
//! line, the mean pairwise correlation among capability benchmarks, is
//! [`HighLine::Paper`]. Lines are stated in the method's own units: for
//! Kendall's τ, which runs lower than ρ, the high line is a mean of τ and the
//! paper's low line is its τ equivalent ([`paper_low_line`]). The sign is reported beside the band ("HIGH, negative"): a
//! benchmark whose scores fall as capabilities rise is as entangled with
//! capabilities as one whose scores rise.
//!
//! With an interval for r, the verdict also lists every band the interval
//! spans (in the order low, moderate, high; an interval that contains 0
//! spans *low*), and is **settled** only when it spans one.

use crate::interval::Interval;
use serde::Serialize;

/// The paper's line below which a capabilities correlation counts as low.
pub const PAPER_LOW_BOUND: f64 = 0.40;

/// The paper's low line in the units of a method: 40% for Spearman (and
/// Pearson), and for Kendall (`kendall` true) the τ that a Spearman ρ of
/// 40% corresponds to under a bivariate normal distribution,
/// τ = (2/π)·asin(2·sin(π·ρ/6)), about 27.3%.
pub fn paper_low_line(kendall: bool) -> f64 {
    if kendall {
        tau_from_spearman(PAPER_LOW_BOUND)
    } else {
        PAPER_LOW_BOUND
    }
}

/// Kendall's τ of a bivariate normal whose Spearman correlation is `rho`
/// (Pearson r = 2·sin(π·ρ/6), τ = (2/π)·asin(r)).
pub fn tau_from_spearman(rho: f64) -> f64 {
    use std::f64::consts::PI;
    let r = 2.0 * (PI * rho / 6.0).sin();
    2.0 / PI * r.clamp(-1.0, 1.0).asin()
}

/// Where the high line lies.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum HighLine {
    /// The mean leave-one-out capabilities correlation of the capability
    /// benchmarks: each one's correlation with the composite fitted without
    /// it (the default).
    #[default]
    LeaveOneOut,
    /// The paper's: the mean pairwise correlation among the capability
    /// benchmarks.
    Paper,
    /// A given value of |r|.
    At(f64),
}

impl HighLine {
    /// The rule's name, as in JSON (`high_line`): `leave-one-out`, `paper`
    /// or `given`.
    pub fn name(self) -> &'static str {
        match self {
            HighLine::LeaveOneOut => "leave-one-out",
            HighLine::Paper => "paper",
            HighLine::At(_) => "given",
        }
    }

    /// The line in words, for a verdict's reason.
    pub fn describe(self) -> &'static str {
        match self {
            HighLine::LeaveOneOut => {
                "the mean correlation of each capability benchmark with a composite fitted without it"
            }
            HighLine::Paper => {
                "the paper's line: the mean correlation among the capability benchmarks"
            }
            HighLine::At(_) => "the given high bound",
        }
    }
}

impl std::str::FromStr for HighLine {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "paper" => Ok(HighLine::Paper),
            "leave-one-out" | "loo" => Ok(HighLine::LeaveOneOut),
            other => other.parse::<f64>().map(HighLine::At).map_err(|_| {
                format!("expected a fraction such as 0.7, 'paper' or 'leave-one-out', found '{s}'")
            }),
        }
    }
}

/// A band of |r|.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Band {
    /// |r| below the low line.
    Low,
    /// Between the lines.
    Moderate,
    /// |r| at or above the high line.
    High,
}

impl Band {
    /// Every band, in order.
    pub const ALL: [Band; 3] = [Band::Low, Band::Moderate, Band::High];

    /// The lower-case word (JSON, tables).
    pub fn word(self) -> &'static str {
        match self {
            Band::Low => "low",
            Band::Moderate => "moderate",
            Band::High => "high",
        }
    }

    /// The upper-case word (text verdicts).
    pub fn shout(self) -> &'static str {
        match self {
            Band::Low => "LOW",
            Band::Moderate => "MODERATE",
            Band::High => "HIGH",
        }
    }
}

/// The two lines that divide |r| into bands.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Lines {
    /// |r| below this is low.
    pub low: f64,
    /// |r| at or above this is high (never below `low`).
    pub high: f64,
}

impl Lines {
    /// Lines at `low` and `high`; a high line below the low line is raised
    /// to it (nothing is "high" that is not at least "moderate").
    pub fn new(low: f64, high: f64) -> Lines {
        Lines {
            low,
            high: high.max(low),
        }
    }

    /// The band of a correlation.
    pub fn band(&self, r: f64) -> Band {
        let a = r.abs();
        if a >= self.high {
            Band::High
        } else if a >= self.low {
            Band::Moderate
        } else {
            Band::Low
        }
    }

    /// The bands an interval of r spans, in order.
    pub fn bands_spanned(&self, interval: Interval) -> Vec<Band> {
        let (lower, upper) = (interval.low, interval.high);
        let (a, b) = (lower.abs(), upper.abs());
        let smallest = if lower <= 0.0 && upper >= 0.0 {
            0.0
        } else {
            a.min(b)
        };
        let (from, to) = (self.band(smallest), self.band(a.max(b)));
        Band::ALL
            .into_iter()
            .filter(|band| (from..=to).contains(band))
            .collect()
    }
}

/// The verdict on one correlation. As JSON: `verdict` (the band's word, or
/// `undefined`), `verdict_interval_bands` (a list, or `null` without an
/// interval) and `verdict_settled` (a bool, or `null`), so it can be
/// flattened into a result object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// The band of the point estimate; `None` when no correlation is
    /// defined (too few models, a constant column).
    pub band: Option<Band>,
    /// The correlation is negative.
    pub negative: bool,
    /// The bands the interval spans, when there is an interval.
    pub interval_bands: Option<Vec<Band>>,
}

impl Verdict {
    /// Judge `r` (and its interval, if any) against `lines`.
    pub fn judge(r: Option<f64>, interval: Option<Interval>, lines: &Lines) -> Verdict {
        Verdict {
            band: r.map(|r| lines.band(r)),
            negative: r.is_some_and(|r| r < 0.0),
            interval_bands: r.and(interval).map(|i| lines.bands_spanned(i)),
        }
    }

    /// Whether the interval puts the correlation in one band; `None`
    /// without an interval.
    pub fn settled(&self) -> Option<bool> {
        self.interval_bands.as_ref().map(|b| b.len() == 1)
    }

    /// The lower-case word of the band (`undefined` without one).
    pub fn word(&self) -> &'static str {
        self.band.map_or("undefined", Band::word)
    }

    /// The verdict in words, e.g. `HIGH, negative` or
    /// `LOW (95% interval also allows MODERATE)`; `level` is the interval's.
    pub fn text(&self, level: Option<f64>) -> String {
        let Some(band) = self.band else {
            return "UNDEFINED".to_string();
        };
        let mut text = band.shout().to_string();
        let others: Vec<&str> = self
            .interval_bands
            .iter()
            .flatten()
            .filter(|b| **b != band)
            .map(|b| b.shout())
            .collect();
        if !others.is_empty() {
            let level = level.map_or(String::new(), |l| format!("{}% ", l * 100.0));
            text.push_str(&format!(
                " ({level}interval also allows {})",
                others.join(" and ")
            ));
        }
        if self.negative {
            text.push_str(", negative");
        }
        text
    }
}

impl Serialize for Verdict {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(3))?;
        map.serialize_entry("verdict", self.word())?;
        map.serialize_entry("verdict_interval_bands", &self.interval_bands)?;
        map.serialize_entry("verdict_settled", &self.settled())?;
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LINES: Lines = Lines {
        low: 0.4,
        high: 0.7,
    };

    #[test]
    fn bands_by_magnitude() {
        assert_eq!(LINES.band(0.39), Band::Low);
        assert_eq!(LINES.band(0.4), Band::Moderate);
        assert_eq!(LINES.band(-0.5), Band::Moderate);
        assert_eq!(LINES.band(0.7), Band::High);
        assert_eq!(LINES.band(-0.9), Band::High);
        assert_eq!(Lines::new(0.4, 0.3).high, 0.4);
    }

    #[test]
    fn intervals_span_bands_in_order() {
        use Band::*;
        assert_eq!(
            LINES.bands_spanned(Interval::new(0.45, 0.6)),
            vec![Moderate]
        );
        assert_eq!(
            LINES.bands_spanned(Interval::new(0.007, 0.657)),
            vec![Low, Moderate]
        );
        // Containing 0: spans low, whatever the ends.
        assert_eq!(
            LINES.bands_spanned(Interval::new(-0.8, 0.1)),
            vec![Low, Moderate, High]
        );
        assert_eq!(
            LINES.bands_spanned(Interval::new(-0.5, -0.45)),
            vec![Moderate]
        );
        assert_eq!(
            LINES.bands_spanned(Interval::new(0.3, 0.9)),
            vec![Low, Moderate, High]
        );
    }

    #[test]
    fn kendall_low_line_is_the_tau_of_the_paper_line() {
        // Independently: r = 2 sin(π 0.4 / 6) = 0.415823..., τ = (2/π) asin(r).
        let r: f64 = 2.0 * (std::f64::consts::PI * 0.4 / 6.0).sin();
        let tau = r.asin() * 2.0 / std::f64::consts::PI;
        assert!((paper_low_line(true) - tau).abs() < 1e-15);
        assert!((tau - 0.2730).abs() < 1e-3, "{tau}");
        assert_eq!(paper_low_line(false), 0.4);
        assert!((tau_from_spearman(1.0) - 1.0).abs() < 1e-7);
    }

    #[test]
    fn high_lines_parse() {
        assert_eq!("paper".parse::<HighLine>(), Ok(HighLine::Paper));
        assert_eq!("0.7".parse::<HighLine>(), Ok(HighLine::At(0.7)));
        assert_eq!(
            "leave-one-out".parse::<HighLine>(),
            Ok(HighLine::LeaveOneOut)
        );
        assert!("papers".parse::<HighLine>().is_err());
        assert_eq!(HighLine::default(), HighLine::LeaveOneOut);
    }

    #[test]
    fn verdict_words() {
        let v = Verdict::judge(Some(0.388), Some(Interval::new(0.007, 0.657)), &LINES);
        assert_eq!(
            v.text(Some(0.95)),
            "LOW (95% interval also allows MODERATE)"
        );
        assert_eq!(v.settled(), Some(false));
        let v = Verdict::judge(Some(-0.8), None, &LINES);
        assert_eq!(v.text(None), "HIGH, negative");
        assert_eq!(v.settled(), None);
        let v = Verdict::judge(None, Some(Interval::new(0.1, 0.2)), &LINES);
        assert_eq!(
            (v.text(None).as_str(), v.word()),
            ("UNDEFINED", "undefined")
        );
        assert_eq!(v.interval_bands, None);
    }
}
