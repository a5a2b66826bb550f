//! Statistics on plain `f64` slices: moments, z-scores, average ranks and the
//! three correlation methods the tool offers.
//!
//! Everything here works on complete data; callers choose how to delete
//! missing values (listwise or pairwise) and pass only present values. An
//! undefined result (fewer than two points, a constant input) is `None`,
//! never NaN, so it cannot leak into output as a number.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// How two variables are correlated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CorrelationMethod {
    /// Pearson correlation of average ranks (the paper's method).
    Spearman,
    /// Product-moment correlation of the values.
    Pearson,
    /// Kendall's tau-b, which corrects for ties in either variable.
    Kendall,
}

impl CorrelationMethod {
    /// Lower-case name as used on the command line and in output.
    pub fn as_str(self) -> &'static str {
        match self {
            CorrelationMethod::Spearman => "spearman",
            CorrelationMethod::Pearson => "pearson",
            CorrelationMethod::Kendall => "kendall",
        }
    }

    /// Correlation of two equally long, complete samples.
    pub fn correlate(self, x: &[f64], y: &[f64]) -> Option<f64> {
        match self {
            CorrelationMethod::Spearman => spearman(x, y),
            CorrelationMethod::Pearson => pearson(x, y),
            CorrelationMethod::Kendall => kendall_tau_b(x, y),
        }
    }
}

impl fmt::Display for CorrelationMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for CorrelationMethod {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "spearman" => Ok(CorrelationMethod::Spearman),
            "pearson" => Ok(CorrelationMethod::Pearson),
            "kendall" => Ok(CorrelationMethod::Kendall),
            other => Err(format!(
                "unknown correlation method '{other}': expected spearman, pearson or kendall"
            )),
        }
    }
}

/// Arithmetic mean; `None` for an empty slice.
pub fn mean(values: &[f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    Some(values.iter().sum::<f64>() / values.len() as f64)
}

/// Population standard deviation (divide by n), as the paper uses.
pub fn population_std(values: &[f64]) -> Option<f64> {
    let m = mean(values)?;
    let ss: f64 = values.iter().map(|v| (v - m) * (v - m)).sum();
    Some((ss / values.len() as f64).sqrt())
}

/// True when every value equals the first (exact comparison, so a column of
/// repeated values is constant regardless of rounding in its mean).
pub fn is_constant(values: &[f64]) -> bool {
    values.windows(2).all(|w| w[0] == w[1])
}

/// Standardise present values (NaN = missing) with the population std.
/// Returns `None` when fewer than one value is present or the values are
/// constant; missing entries stay NaN.
pub fn z_scores(values: &[f64]) -> Option<Vec<f64>> {
    let present: Vec<f64> = values.iter().copied().filter(|v| !v.is_nan()).collect();
    if present.is_empty() || is_constant(&present) {
        return None;
    }
    let m = mean(&present)?;
    let sd = population_std(&present)?;
    if sd == 0.0 || !sd.is_finite() {
        return None;
    }
    Some(values.iter().map(|v| (v - m) / sd).collect())
}

/// Average ranks starting at 1; tied values share the mean of their ranks.
pub fn average_ranks(values: &[f64]) -> Vec<f64> {
    let mut ranks = Vec::with_capacity(values.len());
    average_ranks_into(values, &mut RankScratch::default(), &mut ranks);
    ranks
}

/// Buffers for [`average_ranks_into`], reused from column to column.
#[derive(Debug, Clone, Default)]
pub struct RankScratch {
    order: Vec<(u64, u32)>,
    spare: Vec<(u64, u32)>,
}

/// Below this many values, ranking uses a comparison sort; from it on, a
/// radix sort (linear in the values).
const RADIX_FROM: usize = 256;

/// [`average_ranks`] into `ranks` (cleared first), allocating nothing once
/// `scratch` has grown, so ranking many columns costs no allocation per column.
///
/// Values are sorted as keys that order like `f64::total_cmp`, together with
/// their positions: a radix sort for long inputs, else an unstable sort;
/// short NaN-free inputs are ranked by counting instead (no sort at all).
/// Which of several equal values comes first cannot change the average rank
/// they share, so the ranks are those of any correct sort.
pub fn average_ranks_into(values: &[f64], scratch: &mut RankScratch, ranks: &mut Vec<f64>) {
    if values.len() <= SMALL_RANKING && !values.iter().any(|v| v.is_nan()) {
        return small_average_ranks_into(values, ranks);
    }
    sorted_average_ranks_into(values, scratch, ranks);
}

/// The sorting path of [`average_ranks_into`].
fn sorted_average_ranks_into(values: &[f64], scratch: &mut RankScratch, ranks: &mut Vec<f64>) {
    assert!(
        u32::try_from(values.len()).is_ok(),
        "too many values to rank"
    );
    let order = &mut scratch.order;
    order.clear();
    order.extend(
        values
            .iter()
            .zip(0u32..)
            .map(|(v, i)| (total_order_key(*v), i)),
    );
    if order.len() < RADIX_FROM {
        order.sort_unstable_by_key(|p| p.0);
    } else {
        radix_sort(order, &mut scratch.spare);
    }
    ranks.clear();
    ranks.resize(values.len(), 0.0);
    let mut start = 0;
    while start < order.len() {
        let mut end = start + 1;
        let first = values[order[start].1 as usize];
        while end < order.len() && values[order[end].1 as usize] == first {
            end += 1;
        }
        // Ranks start..end (0-based) become (start+1 + end) / 2 on average.
        let shared = (start + 1 + end) as f64 / 2.0;
        for &(_, i) in &order[start..end] {
            ranks[i as usize] = shared;
        }
        start = end;
    }
}

/// Up to this many values are ranked by counting instead of sorting.
const SMALL_RANKING: usize = 48;

/// Average ranks by counting, for short NaN-free samples (the bootstrap
/// ranks hundreds of thousands of 27-model columns): a value with `less`
/// smaller values and `equal` equal ones (itself included) has the average
/// rank `less + (equal + 1) / 2`, exactly the half-integer the sorting path
/// gives, with no sort and no scratch space.
fn small_average_ranks_into(values: &[f64], ranks: &mut Vec<f64>) {
    ranks.clear();
    ranks.extend(values.iter().map(|&v| {
        let (mut less, mut equal) = (0usize, 0usize);
        for &w in values {
            less += usize::from(w < v);
            equal += usize::from(w == v);
        }
        less as f64 + (equal + 1) as f64 / 2.0
    }));
}

/// An unsigned key that orders like `f64::total_cmp`.
fn total_order_key(v: f64) -> u64 {
    let bits = v.to_bits();
    if bits >> 63 == 1 {
        !bits
    } else {
        bits | (1 << 63)
    }
}

/// LSD radix sort by key, one byte a pass; a pass where every key has the
/// same byte is skipped.
fn radix_sort(order: &mut Vec<(u64, u32)>, spare: &mut Vec<(u64, u32)>) {
    let n = order.len();
    spare.clear();
    spare.resize(n, (0, 0));
    for shift in (0..64).step_by(8) {
        let mut counts = [0usize; 256];
        for &(k, _) in order.iter() {
            counts[((k >> shift) & 0xFF) as usize] += 1;
        }
        if counts.contains(&n) {
            continue;
        }
        let mut next = 0;
        for c in counts.iter_mut() {
            let here = *c;
            *c = next;
            next += here;
        }
        for &item in order.iter() {
            let bucket = &mut counts[((item.0 >> shift) & 0xFF) as usize];
            spare[*bucket] = item;
            *bucket += 1;
        }
        std::mem::swap(order, spare);
    }
}

/// Pearson product-moment correlation, clamped to [-1, 1].
pub fn pearson(x: &[f64], y: &[f64]) -> Option<f64> {
    assert_eq!(x.len(), y.len(), "pearson: samples differ in length");
    if x.len() < 2 {
        return None;
    }
    let mx = mean(x)?;
    let my = mean(y)?;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        let (dx, dy) = (a - mx, b - my);
        sxy += dx * dy;
        sxx += dx * dx;
        syy += dy * dy;
    }
    let denom = (sxx * syy).sqrt();
    if denom == 0.0 || !denom.is_finite() || is_constant(x) || is_constant(y) {
        return None;
    }
    let r = sxy / denom;
    r.is_finite().then(|| r.clamp(-1.0, 1.0))
}

/// Spearman rank correlation: Pearson correlation of average ranks.
///
/// ```
/// use safetywashing::stats::spearman;
/// // Ranks of y: 1, 2, 3.5, 5, 3.5 (the two 7s share ranks 3 and 4).
/// let r = spearman(&[1.0, 2.0, 3.0, 4.0, 5.0], &[5.0, 6.0, 7.0, 8.0, 7.0]).unwrap();
/// assert!((r - 0.8207826816681233).abs() < 1e-12);
/// // A constant sample has no defined correlation.
/// assert_eq!(spearman(&[1.0, 2.0, 3.0], &[4.0, 4.0, 4.0]), None);
/// ```
pub fn spearman(x: &[f64], y: &[f64]) -> Option<f64> {
    assert_eq!(x.len(), y.len(), "spearman: samples differ in length");
    pearson(&average_ranks(x), &average_ranks(y))
}

/// Kendall's tau-b: (concordant - discordant) / sqrt((n0 - n1)(n0 - n2)),
/// where n1 and n2 count pairs tied in x and in y.
///
/// Knight's O(n log n) algorithm: sort by x (then y), count the pairs tied in
/// x and in both, then merge-sort by y counting the exchanges, which are the
/// discordant pairs. Ties are exact (0.0 and -0.0 tie), and the counts are the
/// integers the pair-by-pair definition gives, so the result is the same.
pub fn kendall_tau_b(x: &[f64], y: &[f64]) -> Option<f64> {
    assert_eq!(x.len(), y.len(), "kendall: samples differ in length");
    let n = x.len();
    if n < 2 {
        return None;
    }
    // `+ 0.0` turns -0.0 into 0.0, so total_cmp sees them as the tie they are.
    let mut pairs_xy: Vec<(f64, f64)> = x.iter().zip(y).map(|(a, b)| (a + 0.0, b + 0.0)).collect();
    pairs_xy.sort_unstable_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
    let tied_x = tied_pairs(&pairs_xy, |a, b| a.0.total_cmp(&b.0).is_eq());
    let tied_xy = tied_pairs(&pairs_xy, |a, b| {
        a.0.total_cmp(&b.0).is_eq() && a.1.total_cmp(&b.1).is_eq()
    });
    let mut ys: Vec<f64> = pairs_xy.iter().map(|p| p.1).collect();
    let discordant = sort_counting_exchanges(&mut ys, &mut vec![0.0; n]) as i64;
    let tied_y = tied_pairs(&ys, |a, b| a.total_cmp(b).is_eq());
    let pairs = (n * (n - 1) / 2) as i64;
    let concordant = pairs - tied_x - tied_y + tied_xy - discordant;
    let denom = (((pairs - tied_x) as f64) * ((pairs - tied_y) as f64)).sqrt();
    if denom == 0.0 {
        return None;
    }
    Some(((concordant - discordant) as f64 / denom).clamp(-1.0, 1.0))
}

/// Pairs within runs of consecutive equal items of a sorted slice.
fn tied_pairs<T>(sorted: &[T], equal: impl Fn(&T, &T) -> bool) -> i64 {
    let mut total = 0i64;
    let mut start = 0;
    for i in 1..=sorted.len() {
        if i == sorted.len() || !equal(&sorted[i], &sorted[start]) {
            let t = (i - start) as i64;
            total += t * (t - 1) / 2;
            start = i;
        }
    }
    total
}

/// Merge-sort `v` (by `total_cmp`), returning how many pairs were out of
/// order (strictly greater before smaller); `buf` is scratch of equal length.
fn sort_counting_exchanges(v: &mut [f64], buf: &mut [f64]) -> u64 {
    let n = v.len();
    if n < 2 {
        return 0;
    }
    let mid = n / 2;
    let mut count = sort_counting_exchanges(&mut v[..mid], &mut buf[..mid])
        + sort_counting_exchanges(&mut v[mid..], &mut buf[mid..]);
    let (mut i, mut j, mut k) = (0, mid, 0);
    while i < mid && j < n {
        if v[j].total_cmp(&v[i]).is_lt() {
            buf[k] = v[j];
            count += (mid - i) as u64;
            j += 1;
        } else {
            buf[k] = v[i];
            i += 1;
        }
        k += 1;
    }
    buf[k..k + mid - i].copy_from_slice(&v[i..mid]);
    let k = k + mid - i;
    buf[k..n].copy_from_slice(&v[j..n]);
    v.copy_from_slice(&buf[..n]);
    count
}

/// Pairwise deletion, then the correlation: `(pairs, correlation)`, the
/// correlation `None` below two pairs or where undefined.
pub fn correlate_pairwise(x: &[f64], y: &[f64], method: CorrelationMethod) -> (usize, Option<f64>) {
    let (a, b) = complete_pairs(x, y);
    let r = if a.len() < 2 {
        None
    } else {
        method.correlate(&a, &b)
    };
    (a.len(), r)
}

/// Pairs of present values: indices where both `x` and `y` are not NaN.
pub fn complete_pairs(x: &[f64], y: &[f64]) -> (Vec<f64>, Vec<f64>) {
    x.iter()
        .zip(y)
        .filter(|(a, b)| !a.is_nan() && !b.is_nan())
        .map(|(a, b)| (*a, *b))
        .unzip()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counting_ranks_equal_sorting_ranks() {
        use proptest::prelude::*;
        let cell = prop_oneof![(0i32..5).prop_map(f64::from), Just(-0.0), -3.0f64..3.0,];
        proptest!(|(values in proptest::collection::vec(cell, 0..48))| {
            let (mut a, mut b) = (Vec::new(), Vec::new());
            small_average_ranks_into(&values, &mut a);
            sorted_average_ranks_into(&values, &mut RankScratch::default(), &mut b);
            prop_assert_eq!(a, b);
        });
    }

    #[test]
    fn average_ranks_share_ties() {
        assert_eq!(
            average_ranks(&[10.0, 20.0, 10.0, 30.0]),
            vec![1.5, 3.0, 1.5, 4.0]
        );
    }

    #[test]
    fn pearson_of_a_line_is_one() {
        let x = [1.0, 2.0, 3.0, 4.0];
        let y = [3.0, 5.0, 7.0, 9.0];
        assert!((pearson(&x, &y).unwrap() - 1.0).abs() < 1e-15);
        let z = [9.0, 7.0, 5.0, 3.0];
        assert!((pearson(&x, &z).unwrap() + 1.0).abs() < 1e-15);
    }

    #[test]
    fn constant_or_short_input_is_undefined() {
        assert_eq!(pearson(&[1.0], &[2.0]), None);
        assert_eq!(spearman(&[1.0, 1.0, 1.0], &[1.0, 2.0, 3.0]), None);
        assert_eq!(kendall_tau_b(&[1.0, 1.0], &[1.0, 2.0]), None);
        assert_eq!(z_scores(&[2.0, 2.0, f64::NAN]), None);
    }

    /// The pair-by-pair definition, as the reference for Knight's algorithm.
    fn kendall_naive(x: &[f64], y: &[f64]) -> Option<f64> {
        let n = x.len();
        if n < 2 {
            return None;
        }
        let (mut concordant, mut discordant) = (0i64, 0i64);
        let (mut tied_x, mut tied_y) = (0i64, 0i64);
        for i in 0..n {
            for j in (i + 1)..n {
                let dx = i64::from(x[i] > x[j]) - i64::from(x[i] < x[j]);
                let dy = i64::from(y[i] > y[j]) - i64::from(y[i] < y[j]);
                tied_x += i64::from(dx == 0);
                tied_y += i64::from(dy == 0);
                match dx * dy {
                    1 => concordant += 1,
                    -1 => discordant += 1,
                    _ => {}
                }
            }
        }
        let pairs = (n * (n - 1) / 2) as i64;
        let denom = (((pairs - tied_x) as f64) * ((pairs - tied_y) as f64)).sqrt();
        if denom == 0.0 {
            return None;
        }
        Some(((concordant - discordant) as f64 / denom).clamp(-1.0, 1.0))
    }

    proptest::proptest! {
        #[test]
        fn kendall_equals_pair_by_pair_definition(
            xy in proptest::collection::vec((0i32..5, -3i32..3), 0..60)
        ) {
            let x: Vec<f64> = xy.iter().map(|p| f64::from(p.0)).collect();
            // Signed zeros too: -0.0 and 0.0 are a tie, though total_cmp orders them.
            let y: Vec<f64> = xy.iter().map(|p| f64::from(p.1) * 0.5 * if p.0 == 2 { -0.0 } else { 1.0 }).collect();
            let got = kendall_tau_b(&x, &y).map(f64::to_bits);
            proptest::prop_assert_eq!(got, kendall_naive(&x, &y).map(f64::to_bits));
        }
    }

    proptest::proptest! {
        #[test]
        fn radix_ranks_equal_sorted_ranks(
            v in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::strategy::Strategy::prop_map(-4i32..4, |i| f64::from(i) * 0.25),
                    proptest::num::f64::NORMAL | proptest::num::f64::SUBNORMAL | proptest::num::f64::ZERO,
                ],
                0..700,
            )
        ) {
            // The definition: sort positions by total_cmp, average runs of ==.
            let mut idx: Vec<usize> = (0..v.len()).collect();
            idx.sort_by(|&a, &b| v[a].total_cmp(&v[b]));
            let mut want = vec![0.0; v.len()];
            let mut start = 0;
            while start < idx.len() {
                let mut end = start + 1;
                while end < idx.len() && v[idx[end]] == v[idx[start]] {
                    end += 1;
                }
                for &i in &idx[start..end] {
                    want[i] = (start + 1 + end) as f64 / 2.0;
                }
                start = end;
            }
            proptest::prop_assert_eq!(average_ranks(&v), want);
        }
    }

    #[test]
    fn kendall_matches_hand_count() {
        // scipy.stats.kendalltau([1,2,3,4,5],[3,1,2,5,4]) = 0.4
        let t = kendall_tau_b(&[1.0, 2.0, 3.0, 4.0, 5.0], &[3.0, 1.0, 2.0, 5.0, 4.0]).unwrap();
        assert!((t - 0.4).abs() < 1e-15);
        // With ties: 4 concordant, 0 discordant, one tied pair in each: 4 / sqrt(5 * 5).
        let t = kendall_tau_b(&[1.0, 1.0, 2.0, 3.0], &[1.0, 2.0, 2.0, 3.0]).unwrap();
        assert!((t - 0.8).abs() < 1e-12, "{t}");
    }

    #[test]
    fn negative_zero_ties_with_zero() {
        let t = kendall_tau_b(&[-0.0, 0.0, 1.0], &[1.0, 2.0, 3.0]).unwrap();
        assert!((t - 2.0 / 6f64.sqrt()).abs() < 1e-15, "{t}");
        assert_eq!(average_ranks(&[0.0, -0.0, 1.0]), vec![1.5, 1.5, 3.0]);
    }

    #[test]
    fn spearman_known_value() {
        // scipy.stats.spearmanr([1,2,3,4,5],[5,6,7,8,7]) = 0.8207826816681233
        let r = spearman(&[1.0, 2.0, 3.0, 4.0, 5.0], &[5.0, 6.0, 7.0, 8.0, 7.0]).unwrap();
        assert!((r - 0.8207826816681233).abs() < 1e-12, "{r}");
    }

    #[test]
    fn z_scores_use_population_std() {
        let z = z_scores(&[1.0, f64::NAN, 3.0]).unwrap();
        assert_eq!(z[0], -1.0);
        assert!(z[1].is_nan());
        assert_eq!(z[2], 1.0);
    }
}
