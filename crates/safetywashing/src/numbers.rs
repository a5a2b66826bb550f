//! Numbers as people read them (the paper's percentages). The lowest layer:
//! every exporter, report and check message formats through here.

/// A correlation as the paper prints it: a percentage with one decimal, or
/// `–` when undefined.
///
/// ```
/// use safetywashing::numbers::percent;
/// assert_eq!(percent(Some(0.7825708728805778)), "78.3%");
/// assert_eq!(percent(None), "–");
/// ```
pub fn percent(value: Option<f64>) -> String {
    match value {
        Some(v) if v.is_finite() => format!("{:.1}%", v * 100.0),
        _ => "–".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_like_the_paper() {
        assert_eq!(percent(Some(0.7825708728805778)), "78.3%");
        assert_eq!(percent(Some(-0.05)), "-5.0%");
        assert_eq!(percent(None), "–");
        assert_eq!(percent(Some(f64::NAN)), "–");
    }
}
