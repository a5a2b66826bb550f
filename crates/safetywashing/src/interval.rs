//! The one interval type: every interval the crate reports (bootstrap
//! intervals, a regression slope's interval, the interval a verdict is
//! judged on, the whiskers of a figure) is an [`Interval`]. A number's
//! confidence level and how the interval was formed travel beside it, never
//! inside it. The lowest layer, so that every module can use it.

use serde::Serialize;

/// A closed interval `[low, high]`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Interval {
    /// Lower end.
    pub low: f64,
    /// Upper end.
    pub high: f64,
}

impl Interval {
    /// The interval from `low` to `high`.
    pub const fn new(low: f64, high: f64) -> Self {
        Interval { low, high }
    }

    /// Whether `value` lies in the interval (ends included).
    pub fn contains(&self, value: f64) -> bool {
        self.low <= value && value <= self.high
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ends_are_included() {
        let i = Interval::new(0.2, 0.5);
        assert!(i.contains(0.2) && i.contains(0.5) && i.contains(0.3));
        assert!(!i.contains(0.1) && !i.contains(0.51) && !i.contains(f64::NAN));
        assert_eq!(
            serde_json::to_string(&i).unwrap(),
            r#"{"low":0.2,"high":0.5}"#
        );
    }
}
