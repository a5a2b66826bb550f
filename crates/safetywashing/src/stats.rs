//! Statistics on plain `f64` slices: moments, z-scores, average ranks and the
//! three correlation methods the tool offers.
//!
//! Everything here works on complete data; callers choose how to delete
//! missing values (listwise or pairwise) and pass only present values. An
//! undefined result (fewer than two points, a constant input) is `None`,
//! never NaN, so it cannot leak into output as a number.

use crate::interval::Interval;
use serde::{Deserialize, Serialize};
use statrs::distribution::{ContinuousCDF, Normal, StudentsT};
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

/// The present values of `values` (NaN = missing), in order (allocated
/// once, at the length of `values`).
pub fn present_values(values: &[f64]) -> Vec<f64> {
    let mut present = Vec::with_capacity(values.len());
    present.extend(values.iter().copied().filter(|v| !v.is_nan()));
    present
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
    standardise(values).map(|s| s.z)
}

/// Values standardised by [`z_scores`], with the mean and population std
/// they were standardised by.
#[derive(Debug, Clone, PartialEq)]
pub struct Standardised {
    /// The z-scores (NaN where missing).
    pub z: Vec<f64>,
    /// Mean of the present values.
    pub mean: f64,
    /// Population std of the present values.
    pub std: f64,
}

/// [`z_scores`], keeping the mean and std.
pub fn standardise(values: &[f64]) -> Option<Standardised> {
    let present: std::borrow::Cow<[f64]> = if values.iter().any(|v| v.is_nan()) {
        present_values(values).into()
    } else {
        values.into()
    };
    if present.is_empty() || is_constant(&present) {
        return None;
    }
    let m = mean(&present)?;
    let sd = population_std(&present)?;
    if sd == 0.0 || !sd.is_finite() {
        return None;
    }
    Some(Standardised {
        z: values.iter().map(|v| (v - m) / sd).collect(),
        mean: m,
        std: sd,
    })
}

/// Why [`z_scores`] gave `None` for `values`, in words that fit after a
/// column's name: too few distinct values, values so large that their mean
/// or standard deviation overflows, or differences between them so small
/// that their squares underflow to a standard deviation of 0.
pub fn why_no_z_scores(values: &[f64]) -> &'static str {
    let present = present_values(values);
    if present.is_empty() || is_constant(&present) {
        "has fewer than two distinct values"
    } else if population_std(&present) == Some(0.0) {
        "has values too small to standardise (their standard deviation underflows to 0); rescale the column"
    } else {
        "has values too large to standardise (its mean or standard deviation overflows); rescale the column"
    }
}

/// Significant digits to which two values must agree to be tied when ranked.
pub const TIE_DIGITS: usize = 12;

/// The tie rule of every rank method: two values are tied when their
/// `%.12g` decimal forms are equal ([`TIE_DIGITS`] significant digits), so a
/// score stored once as `0.024390243902439` and once as
/// `0.024390243902439025` is one value, in fractions as in percentages.
/// `0.0` and `-0.0` are equal values and tie too.
///
/// Returns the value rounded to 12 significant digits (exactly the number
/// `%.12g` prints, as the nearest `f64`): equal for tied values, and
/// ordered like the values themselves (rounding is monotone), so it is a
/// sort key as well as a tie key. Most values take an arithmetic path of a
/// few operations; the rare one too close to a rounding boundary for it to
/// be exact (or outside 1e-11..1e34 in magnitude) is formatted instead.
///
/// ```
/// use safetywashing::stats::tie_key;
/// assert_eq!(tie_key(0.024390243902439), tie_key(0.024390243902439025));
/// assert_ne!(tie_key(0.0243902439024), tie_key(0.0243902439025));
/// assert_eq!(tie_key(-0.0).to_bits(), 0.0f64.to_bits());
/// ```
pub fn tie_key(v: f64) -> f64 {
    if v == 0.0 {
        return 0.0;
    }
    if !v.is_finite() {
        return v;
    }
    fast_tie_key(v).unwrap_or_else(|| formatted_tie_key(v))
}

/// Exact powers of ten in `f64`.
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// `x * 10^p` with one correctly rounded operation, for |p| <= 22.
fn scale10(x: f64, p: i32) -> f64 {
    if p >= 0 {
        x * POW10[p as usize]
    } else {
        x / POW10[(-p) as usize]
    }
}

/// [`tie_key`] by arithmetic, or `None` where it could be inexact: |v| is
/// scaled by an exact power of ten into [1e11, 1e12] in one correctly
/// rounded step (error under 1.2e-4 there), so unless its fraction lies
/// within 1e-3 of one half the nearest integer is the 12-digit mantissa
/// `%.12g` rounds to; mantissa times the power back is again one correctly
/// rounded step, the same `f64` as parsing the printed digits.
fn fast_tie_key(v: f64) -> Option<f64> {
    let a = v.abs();
    let mut e = a.log10().floor() as i32;
    for _ in 0..3 {
        let p = 11 - e;
        if p.abs() > 22 {
            return None;
        }
        let scaled = scale10(a, p);
        if scaled < 1e11 {
            e -= 1;
            continue;
        }
        if scaled >= 1e12 {
            e += 1;
            continue;
        }
        let whole = scaled.floor();
        let frac = scaled - whole;
        if (frac - 0.5).abs() < 1e-3 {
            return None;
        }
        let mantissa = if frac > 0.5 { whole + 1.0 } else { whole };
        return Some(scale10(mantissa, -p).copysign(v));
    }
    None
}

/// [`tie_key`] by printing 12 significant digits and parsing them back
/// (Rust's float formatting is exact and rounds half to even, as C's does).
fn formatted_tie_key(v: f64) -> f64 {
    format!("{:.*e}", TIE_DIGITS - 1, v)
        .parse()
        .expect("a formatted float parses")
}

/// Whether two values are tied under [`tie_key`]'s rule. Values further
/// apart than 2e-11 of the larger magnitude cannot round to the same 12
/// digits, so only close pairs pay for the keys.
pub fn tied(a: f64, b: f64) -> bool {
    a == b || ((a - b).abs() <= 2e-11 * a.abs().max(b.abs()) && tie_key(a) == tie_key(b))
}

/// How many distinct values of `values` (NaN = missing, skipped) the tie
/// rule merged into another: the number of distinct values less the number
/// of tie groups. 0 when no two different values are tied.
pub fn near_ties_merged(values: &[f64]) -> usize {
    let mut sorted = present_values(values);
    sorted.sort_unstable_by(f64::total_cmp);
    sorted
        .windows(2)
        .filter(|w| w[0] != w[1] && tied(w[0], w[1]))
        .count()
}

/// Average ranks starting at 1; tied values (see [`tie_key`]) share the mean
/// of their ranks.
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
/// their positions: a radix sort for long inputs, else an unstable sort. Runs
/// of tied neighbours then share their average rank; tie groups are runs of
/// the sorted values because the tie key is monotone. Which of several tied
/// values comes first cannot change the average rank they share, so the
/// ranks are those of any correct sort.
pub fn average_ranks_into(values: &[f64], scratch: &mut RankScratch, ranks: &mut Vec<f64>) {
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
        while end < order.len() && tied(values[order[end].1 as usize], first) {
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

/// Tie classes of a sample's values under the tie rule: class `g` is the
/// `g`-th smallest group of tied values (missing values have none). A
/// subsample's average ranks, repeats included, follow from its classes by
/// counting ([`ranks_from_classes`]), in linear time and with the very
/// numbers ranking its values would give: the bootstrap ranks each resample
/// this way, its tie groups those of the full sample.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TieClasses {
    /// Class of each value, [`TieClasses::MISSING`] for NaN.
    pub classes: Vec<u32>,
    /// Number of classes.
    pub groups: usize,
    /// The present values' positions, in class order (ascending values),
    /// each with its class.
    pub by_class: Vec<(u32, u32)>,
}

impl TieClasses {
    /// The class of a missing (NaN) value.
    pub const MISSING: u32 = u32::MAX;

    /// Tie classes of `values` (NaN = missing).
    pub fn new(values: &[f64]) -> TieClasses {
        assert!(
            u32::try_from(values.len()).is_ok(),
            "too many values to rank"
        );
        let mut order: Vec<usize> = (0..values.len()).filter(|&i| !values[i].is_nan()).collect();
        order.sort_unstable_by(|&a, &b| values[a].total_cmp(&values[b]));
        let mut classes = vec![Self::MISSING; values.len()];
        let mut by_class = Vec::with_capacity(order.len());
        let mut groups = 0u32;
        for (k, &i) in order.iter().enumerate() {
            if k > 0 && !tied(values[order[k - 1]], values[i]) {
                groups += 1;
            }
            classes[i] = groups;
            by_class.push((i as u32, groups));
        }
        let groups = if order.is_empty() {
            0
        } else {
            groups as usize + 1
        };
        TieClasses {
            classes,
            groups,
            by_class,
        }
    }
}

/// Average ranks of a sample given each value's tie class (see
/// [`TieClasses`]; every class below `groups`, none missing), into `ranks`:
/// a class with `before` smaller values and `count` of its own has the rank
/// `before + (count + 1) / 2`, the half-integer [`average_ranks`] gives.
/// `counts` is scratch, reused between calls.
pub fn ranks_from_classes(
    classes: &[u32],
    groups: usize,
    counts: &mut Vec<f64>,
    ranks: &mut Vec<f64>,
) {
    counts.clear();
    counts.resize(groups, 0.0);
    for &c in classes {
        counts[c as usize] += 1.0;
    }
    let mut before = 0.0;
    for c in counts.iter_mut() {
        let here = *c;
        *c = before + (here + 1.0) / 2.0;
        before += here;
    }
    ranks.clear();
    ranks.extend(classes.iter().map(|&c| counts[c as usize]));
}

/// Sort `values` as `sort_by(f64::total_cmp)` does: the same sequence, bit
/// for bit (a total order has one sorted sequence), several times faster,
/// by sorting their [`total_order_key`]s as integers.
pub fn sort_total_order(values: &mut [f64]) {
    let mut keys: Vec<u64> = values.iter().map(|v| total_order_key(*v)).collect();
    keys.sort_unstable();
    for (v, k) in values.iter_mut().zip(keys) {
        *v = from_total_order_key(k);
    }
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

/// The value of a [`total_order_key`].
fn from_total_order_key(key: u64) -> f64 {
    f64::from_bits(if key >> 63 == 1 {
        key & !(1 << 63)
    } else {
        !key
    })
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
/// discordant pairs. Ties follow [`tie_key`] (12 significant digits; 0.0 and
/// -0.0 tie), and the counts are the integers the pair-by-pair definition
/// gives on the tie keys, so the result is the same.
pub fn kendall_tau_b(x: &[f64], y: &[f64]) -> Option<f64> {
    assert_eq!(x.len(), y.len(), "kendall: samples differ in length");
    let n = x.len();
    if n < 2 {
        return None;
    }
    // Tie keys (see `tie_key`): values tied under the rule compare equal
    // (0.0 and -0.0 included), and the order is the values' order.
    let mut pairs_xy: Vec<(f64, f64)> = x
        .iter()
        .zip(y)
        .map(|(a, b)| (tie_key(*a), tie_key(*b)))
        .collect();
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

/// Ordinary least squares `y = a + b x`: the one least-squares fit of the
/// crate (the `residuals` regression, the scatter figures' line and band).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ols {
    /// Intercept.
    pub intercept: f64,
    /// Slope.
    pub slope: f64,
    n: f64,
    mean_x: f64,
    sxx: f64,
    sxy: f64,
    syy: f64,
    /// Residual standard error (n - 2 degrees of freedom); NaN below 3 points.
    residual_se: f64,
}

impl Ols {
    /// Fit; `None` when x is constant.
    pub fn fit(x: &[f64], y: &[f64]) -> Option<Ols> {
        let n = x.len() as f64;
        let mean_x = x.iter().sum::<f64>() / n;
        let mean_y = y.iter().sum::<f64>() / n;
        let sxx: f64 = x.iter().map(|v| (v - mean_x).powi(2)).sum();
        if sxx <= 0.0 || !sxx.is_finite() {
            return None;
        }
        let sxy: f64 = x
            .iter()
            .zip(y)
            .map(|(a, b)| (a - mean_x) * (b - mean_y))
            .sum();
        let syy: f64 = y.iter().map(|v| (v - mean_y).powi(2)).sum();
        let slope = sxy / sxx;
        let intercept = mean_y - slope * mean_x;
        let sse: f64 = x
            .iter()
            .zip(y)
            .map(|(a, b)| (b - intercept - slope * a).powi(2))
            .sum();
        let residual_se = if n > 2.0 {
            (sse / (n - 2.0)).sqrt()
        } else {
            f64::NAN
        };
        Some(Ols {
            intercept,
            slope,
            n,
            mean_x,
            sxx,
            sxy,
            syy,
            residual_se,
        })
    }

    /// Number of points fitted.
    pub fn n(&self) -> usize {
        self.n as usize
    }

    /// Fitted value at `x`.
    pub fn predict(&self, x: f64) -> f64 {
        self.intercept + self.slope * x
    }

    /// Share of y's variance explained, in [0, 1]; `None` when y is
    /// constant.
    pub fn r_squared(&self) -> Option<f64> {
        (self.syy > 0.0).then(|| (self.sxy * self.sxy / (self.sxx * self.syy)).clamp(0.0, 1.0))
    }

    /// The quantile `p` of Student's t with n - 2 degrees of freedom;
    /// `None` below three points.
    fn t_quantile(&self, p: f64) -> Option<f64> {
        if !self.residual_se.is_finite() {
            return None;
        }
        let t = StudentsT::new(0.0, 1.0, self.n - 2.0).ok()?.inverse_cdf(p);
        t.is_finite().then_some(t)
    }

    /// The slope's t interval at `confidence`; `None` below three points.
    pub fn slope_interval(&self, confidence: f64) -> Option<Interval> {
        let half = self.t_quantile(0.5 + confidence / 2.0)? * self.residual_se / self.sxx.sqrt();
        Some(Interval::new(self.slope - half, self.slope + half))
    }

    /// Half-width of the 95% confidence band of the mean at `x` (Student t
    /// with n - 2 degrees of freedom); `None` below three points.
    pub fn band_half_width(&self, x: f64) -> Option<f64> {
        let t = self.t_quantile(0.975)?;
        Some(t * self.residual_se * (1.0 / self.n + (x - self.mean_x).powi(2) / self.sxx).sqrt())
    }
}

/// A `confidence` interval for a Spearman correlation `rho` of `n` pairs:
/// Fisher's z with the Bonett–Wright (2000) standard error
/// √((1 + ρ²/2) / (n − 3)), transformed back, so always inside [−1, 1].
/// `None` below four pairs or at |ρ| = 1 (an infinite z).
pub fn spearman_interval(rho: f64, n: usize, confidence: f64) -> Option<Interval> {
    if n < 4 || rho.abs() >= 1.0 || !rho.is_finite() {
        return None;
    }
    let se = ((1.0 + rho * rho / 2.0) / (n as f64 - 3.0)).sqrt();
    let z = Normal::standard().inverse_cdf(0.5 + confidence / 2.0);
    let centre = rho.atanh();
    z.is_finite()
        .then(|| Interval::new((centre - z * se).tanh(), (centre + z * se).tanh()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn ols_recovers_a_line_and_band_is_narrowest_at_the_mean() {
        let x = [1.0, 2.0, 3.0, 4.0, 5.0];
        let y = [2.1, 3.9, 6.2, 7.8, 10.1];
        let o = Ols::fit(&x, &y).unwrap();
        assert!((o.slope - 1.99).abs() < 1e-9, "{}", o.slope);
        assert!((o.intercept - 0.05).abs() < 1e-9, "{}", o.intercept);
        let at_mean = o.band_half_width(3.0).unwrap();
        assert!(at_mean < o.band_half_width(1.0).unwrap());
        // t(0.975, 3 df) = 3.182446; s = sqrt(SSE/3); half-width at the mean = t s / sqrt(n).
        let sse: f64 = x
            .iter()
            .zip(&y)
            .map(|(a, b)| (b - o.predict(*a)).powi(2))
            .sum();
        let want = 3.182446305284263 * (sse / 3.0).sqrt() / 5f64.sqrt();
        assert!((at_mean - want).abs() < 1e-9, "{at_mean} vs {want}");
    }

    #[test]
    fn ols_needs_spread_in_x_and_three_points_for_a_band() {
        assert!(Ols::fit(&[1.0, 1.0, 1.0], &[1.0, 2.0, 3.0]).is_none());
        let two = Ols::fit(&[1.0, 2.0], &[1.0, 3.0]).unwrap();
        assert!(two.band_half_width(1.5).is_none());
        assert!(two.slope_interval(0.95).is_none());
        assert_eq!(
            Ols::fit(&[1.0, 2.0, 3.0], &[4.0; 3]).unwrap().r_squared(),
            None
        );
    }

    #[test]
    fn ols_slope_interval_matches_a_hand_computation() {
        // y = 1 + 2x + e with e = (+.1, -.1, -.1, +.1), orthogonal to x:
        // the slope is exactly 2, SSE = 0.04, se = sqrt(0.04 / 2 / 5).
        let x = [0.0, 1.0, 2.0, 3.0];
        let y = [1.1, 2.9, 4.9, 7.1];
        let r = Ols::fit(&x, &y).unwrap();
        assert!((r.slope - 2.0).abs() < 1e-12);
        assert!((r.intercept - 1.0).abs() < 1e-12);
        let half = 4.302652729911275 * (0.04f64 / 2.0 / 5.0).sqrt();
        let Interval { low: lo, high: hi } = r.slope_interval(0.95).unwrap();
        assert!((hi - (2.0 + half)).abs() < 1e-9 && (lo - (2.0 - half)).abs() < 1e-9);
        assert!((r.r_squared().unwrap() - 100.0 / (5.0 * 20.04)).abs() < 1e-12);
    }

    #[test]
    fn spearman_interval_is_fisher_z_with_bonett_wright_and_inside_bounds() {
        // By hand: rho 0.6, n 26: se = sqrt(1.18 / 23), z(0.975) = 1.959964.
        let Interval { low: lo, high: hi } = spearman_interval(0.6, 26, 0.95).unwrap();
        let se = (1.18f64 / 23.0).sqrt();
        let z = 1.959963984540054;
        assert!((lo - (0.6f64.atanh() - z * se).tanh()).abs() < 1e-12);
        assert!((hi - (0.6f64.atanh() + z * se).tanh()).abs() < 1e-12);
        for (rho, n) in [(0.999, 4), (-0.98, 5), (0.9, 27), (0.0, 10)] {
            let Interval { low: lo, high: hi } = spearman_interval(rho, n, 0.99).unwrap();
            assert!(
                -1.0 <= lo && lo < rho && rho < hi && hi <= 1.0,
                "{rho} {n}: {lo} {hi}"
            );
        }
        assert_eq!(spearman_interval(0.5, 3, 0.95), None);
        assert_eq!(spearman_interval(1.0, 30, 0.95), None);
    }

    /// `%.12g` by the C library: the definition of the tie rule.
    fn printf_12g(v: f64) -> String {
        let mut buf = [0u8; 64];
        // SAFETY: the buffer is long enough for any %.12g output and the
        // format takes exactly one double.
        let n = unsafe { libc::snprintf(buf.as_mut_ptr().cast(), buf.len(), c"%.12g".as_ptr(), v) };
        String::from_utf8(buf[..n as usize].to_vec()).unwrap()
    }

    /// Hard cases for the tie key: exact halves at the 13th digit, powers
    /// of ten and their neighbours, the ends of the fast path's range.
    fn awkward_values() -> Vec<f64> {
        let mut v = vec![
            100000000000.5,
            100000000001.5,
            1000000000005.0,
            1000000000015.0,
            999999999999.5,
            0.024390243902439,
            0.024390243902439025,
            2.4390243902439,
            1e-11,
            9.99999999999e-12,
            1e34,
            9.999999999995e33,
            5e-324,
            f64::MAX,
            f64::MIN_POSITIVE,
            0.1,
            0.3,
            1.0 / 3.0,
        ];
        for p in -14..36 {
            let t = 10f64.powi(p);
            v.extend([
                t,
                t.next_up(),
                t.next_down(),
                t * (1.0 + 5e-12),
                t * 1.0000000000005,
            ]);
        }
        let more: Vec<f64> = v.iter().map(|x| -x).collect();
        v.extend(more);
        v
    }

    /// The tie key is exactly `%.12g` read back, for awkward and random values.
    #[test]
    fn tie_key_is_printf_12g() {
        for &v in &awkward_values() {
            let want: f64 = printf_12g(v).parse().unwrap();
            assert_eq!(tie_key(v).to_bits(), want.to_bits(), "{v:e}");
        }
        let value = prop_oneof![
            any::<f64>().prop_filter("finite", |v| v.is_finite()),
            (-1e6f64..1e6),
            (0.0f64..1.0),
            // Halves at the 13th significant digit, some exactly representable.
            (1i64..1_000_000_000_000).prop_map(|m| (m as f64 * 10.0 + 5.0) / 1e13),
            (100_000_000_000i64..1_000_000_000_000).prop_map(|m| m as f64 + 0.5),
        ];
        proptest!(|(v in value)| {
            let want: f64 = printf_12g(v).parse().unwrap();
            // -0.0 is the one %.12g form ("-0") the rule ties with another.
            let want = if want == 0.0 { 0.0 } else { want };
            prop_assert_eq!(tie_key(v).to_bits(), want.to_bits(), "{:e}", v);
        });
    }

    /// `tied` is the string comparison of the definition, on neighbours.
    #[test]
    fn tied_is_equal_printf_forms() {
        let zero = |s: String| if s == "-0" { "0".to_string() } else { s };
        let naive = |a: f64, b: f64| zero(printf_12g(a)) == zero(printf_12g(b));
        for &a in &awkward_values() {
            for b in [
                a.next_up(),
                a.next_down(),
                a * (1.0 + 1e-12),
                a * (1.0 - 3e-13),
                -a,
            ] {
                assert_eq!(tied(a, b), naive(a, b), "{a:e} {b:e}");
            }
        }
        proptest!(|(a in -1e3f64..1e3, rel in -2e-11f64..2e-11)| {
            let b = a * (1.0 + rel);
            prop_assert_eq!(tied(a, b), naive(a, b), "{:e} {:e}", a, b);
        });
    }

    /// Ranks merge near-ties; an independent ranking by printed forms agrees.
    #[test]
    fn ranks_follow_the_tie_rule() {
        let v = [0.024390243902439025, 0.5, 0.024390243902439, 0.1, -0.0, 0.0];
        assert_eq!(average_ranks(&v), vec![3.5, 6.0, 3.5, 5.0, 1.5, 1.5]);
        assert_eq!(near_ties_merged(&v), 1);
        let scaled: Vec<f64> = v.iter().map(|x| x * 100.0).collect();
        assert_eq!(average_ranks(&scaled), average_ranks(&v));
    }

    proptest::proptest! {
        /// Ranks of any subsample with repeats, from the full sample's tie
        /// classes, are bitwise the ranks of its values.
        #[test]
        fn ranks_from_classes_equal_ranking_the_values(
            values in proptest::collection::vec(
                proptest::prop_oneof![
                    (0i32..6).prop_map(f64::from),
                    proptest::strategy::Just(0.024390243902439),
                    proptest::strategy::Just(0.024390243902439025),
                    proptest::strategy::Just(-0.0),
                    -3.0f64..3.0,
                ],
                1..40,
            ),
            picks in proptest::collection::vec(0usize..1000, 0..60),
        ) {
            let tc = TieClasses::new(&values);
            let rows: Vec<usize> = picks.iter().map(|p| p % values.len()).collect();
            let sub: Vec<f64> = rows.iter().map(|&r| values[r]).collect();
            let classes: Vec<u32> = rows.iter().map(|&r| tc.classes[r]).collect();
            let (mut counts, mut got) = (Vec::new(), Vec::new());
            ranks_from_classes(&classes, tc.groups, &mut counts, &mut got);
            let want = average_ranks(&sub);
            prop_assert_eq!(
                got.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
                want.iter().map(|v| v.to_bits()).collect::<Vec<_>>()
            );
        }
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

    proptest::proptest! {
        #[test]
        fn radix_sort_equals_total_cmp_sort(
            v in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::strategy::Strategy::prop_map(-4i32..4, |i| f64::from(i) * 0.25),
                    proptest::num::f64::ANY,
                ],
                0..1200,
            )
        ) {
            // Every f64 (signed zeros, infinities, NaNs of either sign), short and long.
            let mut want = v.clone();
            want.sort_by(f64::total_cmp);
            let mut got = v;
            sort_total_order(&mut got);
            let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            proptest::prop_assert_eq!(bits(&got), bits(&want));
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
