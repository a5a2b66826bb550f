//! Counted nouns for messages people read: "1 model", "2 models".

/// `n` followed by the singular or plural noun, e.g. `count(1, "column",
/// "columns")` is `"1 column"`.
///
/// ```
/// use safetywashing::words::count;
/// assert_eq!(count(1, "capability benchmark", "capability benchmarks"), "1 capability benchmark");
/// assert_eq!(count(0, "model", "models"), "0 models");
/// ```
pub fn count<N>(n: N, singular: &str, plural: &str) -> String
where
    N: std::fmt::Display + PartialEq + From<u8>,
{
    format!("{n} {}", if n == N::from(1) { singular } else { plural })
}

#[cfg(test)]
mod tests {
    use super::count;

    #[test]
    fn one_is_singular_everything_else_plural() {
        assert_eq!(count(1, "column", "columns"), "1 column");
        assert_eq!(count(2, "column", "columns"), "2 columns");
        assert_eq!(count(0, "matrix", "matrices"), "0 matrices");
    }
}
