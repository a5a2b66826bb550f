//! Many columns correlated with the same targets under pairwise deletion,
//! fast: the analysis's hot loop (spec steps 8–9).
//!
//! Done naively, each benchmark's correlation with the capabilities score
//! gathers the complete pairs into two new vectors and ranks both sides, and
//! its correlation with compute does it all again. Here each target's side is
//! prepared once ([`Target`]): its present rows, its values transformed for
//! the method (average ranks for Spearman) and their mean, sum of squares and
//! constancy. A column present on every one of a target's rows (the usual
//! case) then only has its own side gathered and ranked, into buffers reused
//! across columns ([`Scratch`]), and that side is reused for the next target
//! when it has the same rows (score and compute over the same models). Any
//! other column, and Kendall's tau, takes the general path
//! ([`CorrelationMethod::correlate`] on the complete pairs).
//!
//! Both paths give bitwise the numbers of the general one: the same values
//! are summed in the same order.
//!
//! A bootstrap resample of a sample whose columns' tie classes are known
//! ([`RowClasses`]) is correlated faster still: its Spearman correlations are
//! summed class by class from how often it drew each of the sample's rows
//! ([`spearman_by_classes`]), with no ranking and no pass over its own rows
//! per column; exact sums make those the same bits too.

use crate::matrix::Column;
use crate::stats::{
    CorrelationMethod, RankScratch, TieClasses, average_ranks_into, is_constant, mean,
};

/// One side of a Pearson correlation, centred once.
#[derive(Debug, Clone, Default)]
struct Side {
    /// The values correlated (ranks for Spearman), in row order.
    values: Vec<f64>,
    mean: f64,
    /// Sum of squared deviations from `mean`.
    ss: f64,
    constant: bool,
}

impl Side {
    /// Fill with `raw` transformed for `method` (Pearson or Spearman).
    fn set(&mut self, raw: &[f64], method: CorrelationMethod, order: &mut RankScratch) {
        if method == CorrelationMethod::Spearman {
            average_ranks_into(raw, order, &mut self.values);
        } else {
            self.values.clear();
            self.values.extend_from_slice(raw);
        }
        self.centre();
    }

    /// Mean, sum of squares and constancy of `values`.
    fn centre(&mut self) {
        self.mean = mean(&self.values).unwrap_or(f64::NAN);
        // Accumulated in order from 0.0, as `stats::pearson` does.
        let mut ss = 0.0;
        for v in &self.values {
            ss += (v - self.mean) * (v - self.mean);
        }
        self.ss = ss;
        self.constant = is_constant(&self.values);
    }
}

/// Columns of equal length, each centred once for the Pearson correlation
/// of any two of them ([`Centred::pearson`]), not once per pair: a
/// correlation matrix's columns.
#[derive(Debug, Clone)]
pub struct Centred {
    sides: Vec<Side>,
}

impl Centred {
    /// Prepare `columns` (all of one length).
    pub fn new(columns: Vec<Vec<f64>>) -> Centred {
        let sides = columns
            .into_iter()
            .map(|values| {
                let mut side = Side {
                    values,
                    ..Side::default()
                };
                side.centre();
                side
            })
            .collect();
        Centred { sides }
    }

    /// The Pearson correlation of columns `i` and `j`, bitwise
    /// [`crate::stats::pearson`]'s.
    pub fn pearson(&self, i: usize, j: usize) -> Option<f64> {
        pearson(&self.sides[i], &self.sides[j])
    }
}

/// Pearson correlation of two prepared sides of equal length, exactly as
/// [`crate::stats::pearson`] computes it.
fn pearson(x: &Side, y: &Side) -> Option<f64> {
    if x.values.len() < 2 {
        return None;
    }
    let mut sxy = 0.0;
    for (a, b) in x.values.iter().zip(&y.values) {
        sxy += (a - x.mean) * (b - y.mean);
    }
    correlation(sxy, (x.ss, x.constant), y)
}

/// The end of [`crate::stats::pearson`]: the correlation from the sum of
/// cross products `sxy`, one side's sum of squares and constancy, and the
/// other side.
fn correlation(sxy: f64, (ss, constant): (f64, bool), y: &Side) -> Option<f64> {
    let denom = (ss * y.ss).sqrt();
    if denom == 0.0 || !denom.is_finite() || constant || y.constant {
        return None;
    }
    let r = sxy / denom;
    r.is_finite().then(|| r.clamp(-1.0, 1.0))
}

/// Up to this many pairs, a Spearman correlation of a resample is summed
/// class by class ([`spearman_by_classes`]). Ranks are multiples of 1/2 and
/// their mean is (n + 1) / 2, so every deviation from it is a multiple of
/// 1/2 and every product of two a multiple of 1/4; below this many pairs
/// every sum of them stays under 2^53 quarters (n³ / 4 at most), so each is
/// exact in `f64` whatever the order of its terms, as row by row in
/// [`pearson`], and exact in integers of quarters, as class by class: the
/// same numbers, bit for bit.
const EXACT_RANK_SUMS_UP_TO: usize = 1 << 16;

/// A Spearman target over a resample, by row of the full sample it was
/// drawn from: how many of the target's rows are copies of that row, and
/// the sum of their doubled rank deviations from the mean rank (copies have
/// equal values, so equal ranks), an integer.
#[derive(Debug, Clone)]
struct Drawn {
    copies: Vec<(i64, i64)>,
}

/// The Spearman correlations of a resample's column with Spearman targets
/// over each target's rows (all of them present in the column), from the
/// full sample's tie classes `full` of that column and each target's
/// `drawn` rows: bitwise what ranking the column over a target's rows and
/// then [`pearson`] give (see [`EXACT_RANK_SUMS_UP_TO`]). One pass over the
/// full sample in class order (for all the targets at once) sums each
/// class's copies and target deviations; a class drawn `count` times after
/// `before` smaller rows has the average rank `before + (count + 1) / 2`,
/// whose doubled deviation from the mean rank is `2 before + count - n`.
fn spearman_by_classes<const N: usize>(
    full: &TieClasses,
    targets: [(&Target, &Drawn); N],
) -> [Option<f64>; N] {
    let n = targets.map(|(t, _)| t.rows.len() as i64);
    // Per target: rows so far, and sums of products of doubled deviations
    // (quarters). A class not drawn adds zeros.
    let (mut before, mut sxy, mut ss) = ([0i64; N], [0i64; N], [0i64; N]);
    let mut close = |count: [i64; N], sum: [i64; N]| {
        for k in 0..N {
            let deviation = 2 * before[k] + count[k] - n[k];
            sxy[k] += deviation * sum[k];
            ss[k] += count[k] * deviation * deviation;
            before[k] += count[k];
        }
    };
    let copies = |row: u32, k: usize| targets[k].1.copies[row as usize];
    if full.groups == full.by_class.len() {
        // No ties: each row its own class.
        for &(row, _) in &full.by_class {
            let drawn: [(i64, i64); N] = std::array::from_fn(|k| copies(row, k));
            close(drawn.map(|d| d.0), drawn.map(|d| d.1));
        }
    } else {
        let (mut count, mut sum, mut class) = ([0; N], [0; N], 0);
        for &(row, c) in &full.by_class {
            if c != class {
                close(count, sum);
                (count, sum, class) = ([0; N], [0; N], c);
            }
            for k in 0..N {
                let (copies, deviations) = copies(row, k);
                count[k] += copies;
                sum[k] += deviations;
            }
        }
        close(count, sum);
    }
    std::array::from_fn(|k| {
        if n[k] < 2 {
            return None;
        }
        // Below 2^53, so exact in `f64`.
        let (sxy, ss) = (sxy[k] as f64 / 4.0, ss[k] as f64 / 4.0);
        // Equal ranks have no deviation from their mean.
        correlation(sxy, (ss, ss == 0.0), &targets[k].0.side)
    })
}

/// A variable every column is correlated with (the capabilities score, or
/// compute), NaN where missing.
#[derive(Debug, Clone)]
pub struct Target<'a> {
    values: &'a [f64],
    method: CorrelationMethod,
    /// Rows where the target is present, ascending.
    rows: Vec<usize>,
    /// The target's side over `rows` (unused for Kendall).
    side: Side,
    /// For a Spearman target over a resample with known tie classes (and
    /// few enough rows): its rows by the full sample's rows.
    drawn: Option<Drawn>,
}

impl<'a> Target<'a> {
    /// Prepare `values` (NaN = missing) as a target for `method`.
    pub fn new(values: &'a [f64], method: CorrelationMethod) -> Target<'a> {
        Target::resampled(values, method, None)
    }

    /// [`Target::new`] for the values of a resample whose rows and columns'
    /// tie classes are `classes`, when known.
    pub fn resampled(
        values: &'a [f64],
        method: CorrelationMethod,
        classes: Option<&RowClasses>,
    ) -> Target<'a> {
        let mut rows = Vec::with_capacity(values.len());
        rows.extend((0..values.len()).filter(|&r| !values[r].is_nan()));
        let mut side = Side::default();
        if method != CorrelationMethod::Kendall {
            let raw: Vec<f64> = rows.iter().map(|&r| values[r]).collect();
            side.set(&raw, method, &mut RankScratch::default());
        }
        let drawn = classes
            .filter(|_| {
                method == CorrelationMethod::Spearman && rows.len() <= EXACT_RANK_SUMS_UP_TO
            })
            .map(|c| {
                let mut copies = vec![(0, 0); c.full_rows];
                for (&r, &rank) in rows.iter().zip(&side.values) {
                    let (count, sum) = &mut copies[c.rows[r]];
                    // Ranks and their mean are multiples of 1/2.
                    let doubled = 2.0 * (rank - side.mean);
                    debug_assert_eq!(doubled.fract(), 0.0);
                    *count += 1;
                    *sum += doubled as i64;
                }
                Drawn { copies }
            });
        Target {
            values,
            method,
            rows,
            side,
            drawn,
        }
    }

    /// Whether `column` has a value on every row the target has one.
    fn covers(&self, column: &[f64]) -> bool {
        self.rows.iter().all(|&r| !column[r].is_nan())
    }

    /// The general path: gather the complete pairs and correlate them.
    fn correlate_general(&self, column: &[f64], scratch: &mut Scratch) -> (usize, Option<f64>) {
        scratch.x.clear();
        scratch.y.clear();
        for &r in &self.rows {
            if !column[r].is_nan() {
                scratch.x.push(column[r]);
                scratch.y.push(self.values[r]);
            }
        }
        let n = scratch.x.len();
        let r = if n < 2 {
            None
        } else {
            self.method.correlate(&scratch.x, &scratch.y)
        };
        (n, r)
    }
}

/// Buffers reused from column to column (one per thread).
#[derive(Debug, Default)]
pub struct Scratch {
    x: Vec<f64>,
    y: Vec<f64>,
    order: RankScratch,
    /// The column's side over some target's rows, when prepared.
    side: Side,
}

impl Scratch {
    /// Buffers for columns of `rows` rows, allocated at that size once.
    pub fn with_rows(rows: usize) -> Scratch {
        Scratch {
            x: Vec::with_capacity(rows),
            y: Vec::with_capacity(rows),
            ..Scratch::default()
        }
    }
}

/// The tie classes of a resample's benchmark columns: those of the full
/// sample it was drawn from ([`TieClasses`], column by column), and which
/// row of the full sample each of its rows is a copy of.
///
/// A column the full sample has every value of is then correlated from
/// classes alone, never from its values ([`RowClasses::reads_values`]), so a
/// resample's matrix need not hold them: what else the analysis asks of
/// the column's values it reads from the full sample ([`RowClasses::values`]).
#[derive(Debug, Clone, Copy)]
pub struct RowClasses<'a> {
    columns: &'a [TieClasses],
    full: &'a [Column],
    capabilities: &'a [usize],
    rows: &'a [usize],
    full_rows: usize,
}

impl<'a> RowClasses<'a> {
    /// The resample of `rows` (repeats allowed) of a full sample whose
    /// benchmark columns are `full`, with the tie classes `columns`, and
    /// whose capability benchmarks (checked once, for the full sample:
    /// [`crate::capabilities::check_capabilities`]) are the columns
    /// `capabilities`.
    pub fn new(
        (columns, full, capabilities): (&'a [TieClasses], &'a [Column], &'a [usize]),
        rows: &'a [usize],
    ) -> RowClasses<'a> {
        RowClasses {
            columns,
            full,
            capabilities,
            rows,
            full_rows: columns.first().map_or(0, |c| c.classes.len()),
        }
    }

    /// The columns of the capability benchmarks, in the order fitted.
    pub fn capabilities(&self) -> &'a [usize] {
        self.capabilities
    }

    /// The full sample's tie classes of column `index`.
    pub fn column(&self, index: usize) -> &'a TieClasses {
        &self.columns[index]
    }

    /// The class of the resample's `row` in column `index`.
    pub fn class(&self, index: usize, row: usize) -> u32 {
        self.columns[index].classes[self.rows[row]]
    }

    /// Whether [`correlate_with`] reads the values of the resample's column
    /// `index` (with targets made by [`Target::resampled`] for this
    /// resample): only where the full sample's column has gaps, or the
    /// resample has too many rows to be summed class by class.
    pub fn reads_values(&self, index: usize) -> bool {
        let c = &self.columns[index];
        c.by_class.len() != c.classes.len() || self.rows.len() > EXACT_RANK_SUMS_UP_TO
    }

    /// The resample's values of column `index` (NaN = missing), read from
    /// the full sample.
    pub fn values(&self, index: usize) -> impl Iterator<Item = f64> + 'a {
        let values = &self.full[index].values;
        self.rows.iter().map(move |&r| values[r])
    }
}

/// Correlate `column` (NaN = missing) with each target over the rows where
/// both are present: `(pairs, correlation)` per target, in order (computed
/// as the iterator is advanced), the correlation
/// `None` below two pairs or where undefined. `classes`, when given, are the
/// full sample's tie classes of the column of a resample, whose targets were
/// made with [`Target::resampled`]: a Spearman correlation is then summed
/// class by class (the same number, with no ranking).
pub fn correlate_with<'s>(
    column: &'s [f64],
    classes: Option<&'s TieClasses>,
    targets: &'s [&'s Target<'s>],
    scratch: &'s mut Scratch,
) -> impl Iterator<Item = (usize, Option<f64>)> + 's {
    // Index of the target whose rows the column side in `scratch` covers.
    let mut prepared: Option<usize> = None;
    // A full-sample column with every value is present on any resample row.
    let complete = classes.is_some_and(|c| c.by_class.len() == c.classes.len());
    // Two such targets (score and compute) are summed in one pass.
    let both = match (classes, targets) {
        (Some(full), [a, b]) if complete => match (&a.drawn, &b.drawn) {
            (Some(da), Some(db)) => Some(spearman_by_classes(full, [(*a, da), (*b, db)])),
            _ => None,
        },
        _ => None,
    };
    targets.iter().enumerate().map(move |(i, t)| {
        let n = t.rows.len();
        if let Some(both) = both {
            return (n, both[i]);
        }
        if t.method == CorrelationMethod::Kendall || !(complete || t.covers(column)) {
            return t.correlate_general(column, scratch);
        }
        if let (Some(full), Some(drawn)) = (classes, &t.drawn) {
            let [r] = spearman_by_classes(full, [(t, drawn)]);
            return (n, r);
        }
        let reusable = prepared.is_some_and(|p| targets[p].rows == t.rows);
        if !reusable {
            scratch.x.clear();
            scratch.x.extend(t.rows.iter().map(|&r| column[r]));
            scratch.side.set(&scratch.x, t.method, &mut scratch.order);
            prepared = Some(i);
        }
        (n, pearson(&scratch.side, &t.side))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::correlate_pairwise;
    use proptest::prelude::*;

    /// The general computation this module must reproduce bitwise.
    fn reference(x: &[f64], y: &[f64], method: CorrelationMethod) -> (usize, Option<f64>) {
        correlate_pairwise(x, y, method)
    }

    fn cell() -> impl Strategy<Value = f64> {
        // Few distinct values (ties), some missing.
        prop_oneof![
            4 => (0i32..6).prop_map(f64::from),
            4 => -10.0f64..10.0,
            1 => Just(f64::NAN),
        ]
    }

    proptest! {
        #[test]
        fn bitwise_equal_to_the_general_path(
            rows in (2usize..40).prop_flat_map(|n| (
                proptest::collection::vec(cell(), n),
                proptest::collection::vec(cell(), n),
                proptest::collection::vec(cell(), n),
                proptest::collection::vec(any::<bool>(), n),
                proptest::collection::vec(0..n, 1..60),
            ))
        ) {
            let (column, score, compute, complete, draws) = rows;
            // Often make the column complete, to take the fast path.
            let column: Vec<f64> = column
                .iter()
                .zip(&complete)
                .map(|(v, c)| if *c && v.is_nan() { 1.5 } else { *v })
                .collect();
            // The full sample, and a resample of it (rows drawn with repeats).
            let full = [TieClasses::new(&column)];
            let full_columns = [Column { name: String::new(), values: column.clone() }];
            for draws in [(0..column.len()).collect(), draws] {
                let pick = |v: &[f64]| -> Vec<f64> { draws.iter().map(|&r| v[r]).collect() };
                let (column, score, compute) = (pick(&column), pick(&score), pick(&compute));
                for method in [CorrelationMethod::Spearman, CorrelationMethod::Pearson, CorrelationMethod::Kendall] {
                    let s = Target::new(&score, method);
                    let c = Target::new(&compute, method);
                    let s2 = Target::new(&score, method);
                    let mut scratch = Scratch::default();
                    let got: Vec<_> = correlate_with(&column, None, &[&s, &c, &s2], &mut scratch).collect();
                    // Summed class by class from the full column's tie classes: the same.
                    let classes = RowClasses::new((&full, &full_columns, &[]), &draws);
                    prop_assert!(classes.values(0).zip(&column).all(|(a, b)| a.to_bits() == b.to_bits()));
                    let s = Target::resampled(&score, method, Some(&classes));
                    let c = Target::resampled(&compute, method, Some(&classes));
                    let counted: Vec<_> = correlate_with(&column, Some(classes.column(0)), &[&s, &c, &s], &mut scratch).collect();
                    prop_assert_eq!(&got, &counted);
                    // Two targets, summed in one pass: the same.
                    let pair: Vec<_> = correlate_with(&column, Some(classes.column(0)), &[&s, &c], &mut scratch).collect();
                    prop_assert_eq!(&got[..2], &pair[..]);
                    let want = [
                        reference(&column, &score, method),
                        reference(&column, &compute, method),
                        reference(&column, &score, method),
                    ];
                    for (g, w) in got.iter().zip(&want) {
                        prop_assert_eq!(g.0, w.0);
                        prop_assert_eq!(g.1.map(f64::to_bits), w.1.map(f64::to_bits), "{:?}", method);
                    }
                }
            }
        }
    }

    proptest! {
        #[test]
        fn centred_columns_correlate_as_pearson(
            columns in (2usize..30).prop_flat_map(|n| proptest::collection::vec(
                proptest::collection::vec(prop_oneof![(0i32..4).prop_map(f64::from), -10.0f64..10.0], n),
                1..5,
            ))
        ) {
            let centred = Centred::new(columns.clone());
            for i in 0..columns.len() {
                for j in 0..columns.len() {
                    let want = crate::stats::pearson(&columns[i], &columns[j]);
                    prop_assert_eq!(centred.pearson(i, j).map(f64::to_bits), want.map(f64::to_bits));
                }
            }
        }
    }

    #[test]
    fn class_sums_are_exact_up_to_their_bound_and_not_used_past_it() {
        // A full sample with ties everywhere, resampled to the largest size
        // summed class by class, and to one row more (ranked instead).
        let full_rows = 70_000;
        let column: Vec<f64> = (0..full_rows)
            .map(|i| ((i * 7919) % 997) as f64 / 10.0)
            .collect();
        let score: Vec<f64> = (0..full_rows)
            .map(|i| ((i * 104_729) % 5003) as f64)
            .collect();
        let compute: Vec<f64> = (0..full_rows)
            .map(|i| {
                if i % 11 == 0 {
                    f64::NAN
                } else {
                    ((i * 31) % 401) as f64
                }
            })
            .collect();
        let full = [TieClasses::new(&column)];
        let full_columns = [Column {
            name: String::new(),
            values: column.clone(),
        }];
        for size in [EXACT_RANK_SUMS_UP_TO, EXACT_RANK_SUMS_UP_TO + 1] {
            let draws: Vec<usize> = (0..size).map(|i| (i * 48_271) % full_rows).collect();
            let pick = |v: &[f64]| -> Vec<f64> { draws.iter().map(|&r| v[r]).collect() };
            let (column, score, compute) = (pick(&column), pick(&score), pick(&compute));
            let method = CorrelationMethod::Spearman;
            let (s, c) = (Target::new(&score, method), Target::new(&compute, method));
            let mut scratch = Scratch::default();
            let ranked: Vec<_> = correlate_with(&column, None, &[&s, &c], &mut scratch).collect();
            let classes = RowClasses::new((&full, &full_columns, &[]), &draws);
            assert_eq!(classes.reads_values(0), size > EXACT_RANK_SUMS_UP_TO);
            let s = Target::resampled(&score, method, Some(&classes));
            let c = Target::resampled(&compute, method, Some(&classes));
            assert_eq!(s.drawn.is_some(), size <= EXACT_RANK_SUMS_UP_TO);
            let counted: Vec<_> =
                correlate_with(&column, Some(classes.column(0)), &[&s, &c], &mut scratch).collect();
            assert_eq!(ranked, counted);
            assert!(ranked.iter().all(|(_, r)| r.is_some()));
        }
    }

    #[test]
    fn complete_column_takes_shared_ranks() {
        let score = [1.0, 3.0, 2.0, 5.0, f64::NAN];
        let column = [2.0, 1.0, 4.0, 3.0, 7.0];
        let t = Target::new(&score, CorrelationMethod::Spearman);
        let mut scratch = Scratch::default();
        let got: Vec<_> = correlate_with(&column, None, &[&t, &t], &mut scratch).collect();
        assert_eq!(got[0], got[1]);
        assert_eq!(
            got[0],
            reference(&column, &score, CorrelationMethod::Spearman)
        );
        assert_eq!(got[0].0, 4);
    }
}
