//! The verdict on a capabilities correlation: one rule, used by `check`,
//! the report, the figures and `--sensitivity`.
//!
//! A correlation falls in a **band** by its magnitude |r|: *low* below the
//! low line (the paper's 40%), *high* at or above the high line, *moderate*
//! between. The sign is reported beside the band ("HIGH, negative"): a
//! benchmark whose scores fall as capabilities rise is as entangled with
//! capabilities as one whose scores rise.
//!
//! With an interval for r, the verdict also lists every band the interval
//! spans (in the order low, moderate, high; an interval that contains 0
//! spans *low*), and is **settled** only when it spans one.

use serde::Serialize;

/// The paper's line below which a capabilities correlation counts as low.
pub const PAPER_LOW_BOUND: f64 = 0.40;

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

    /// The bands an interval `[lower, upper]` of r spans, in order.
    pub fn bands_spanned(&self, lower: f64, upper: f64) -> Vec<Band> {
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
    pub fn judge(r: Option<f64>, interval: Option<(f64, f64)>, lines: &Lines) -> Verdict {
        Verdict {
            band: r.map(|r| lines.band(r)),
            negative: r.is_some_and(|r| r < 0.0),
            interval_bands: r
                .and(interval)
                .map(|(lower, upper)| lines.bands_spanned(lower, upper)),
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
        assert_eq!(LINES.bands_spanned(0.45, 0.6), vec![Moderate]);
        assert_eq!(LINES.bands_spanned(0.007, 0.657), vec![Low, Moderate]);
        // Containing 0: spans low, whatever the ends.
        assert_eq!(LINES.bands_spanned(-0.8, 0.1), vec![Low, Moderate, High]);
        assert_eq!(LINES.bands_spanned(-0.5, -0.45), vec![Moderate]);
        assert_eq!(LINES.bands_spanned(0.3, 0.9), vec![Low, Moderate, High]);
    }

    #[test]
    fn verdict_words() {
        let v = Verdict::judge(Some(0.388), Some((0.007, 0.657)), &LINES);
        assert_eq!(
            v.text(Some(0.95)),
            "LOW (95% interval also allows MODERATE)"
        );
        assert_eq!(v.settled(), Some(false));
        let v = Verdict::judge(Some(-0.8), None, &LINES);
        assert_eq!(v.text(None), "HIGH, negative");
        assert_eq!(v.settled(), None);
        let v = Verdict::judge(None, Some((0.1, 0.2)), &LINES);
        assert_eq!(
            (v.text(None).as_str(), v.word()),
            ("UNDEFINED", "undefined")
        );
        assert_eq!(v.interval_bands, None);
    }
}
