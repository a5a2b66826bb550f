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

use crate::stats::{
    CorrelationMethod, RankScratch, TieClasses, average_ranks_into, is_constant, mean,
    ranks_from_classes,
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

    /// Fill with the average ranks of values of these tie classes.
    fn set_ranks(&mut self, classes: &[u32], groups: usize, counts: &mut Vec<f64>) {
        ranks_from_classes(classes, groups, counts, &mut self.values);
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
    let denom = (x.ss * y.ss).sqrt();
    if denom == 0.0 || !denom.is_finite() || x.constant || y.constant {
        return None;
    }
    let r = sxy / denom;
    r.is_finite().then(|| r.clamp(-1.0, 1.0))
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
}

impl<'a> Target<'a> {
    /// Prepare `values` (NaN = missing) as a target for `method`.
    pub fn new(values: &'a [f64], method: CorrelationMethod) -> Target<'a> {
        let rows: Vec<usize> = (0..values.len()).filter(|&r| !values[r].is_nan()).collect();
        let mut side = Side::default();
        if method != CorrelationMethod::Kendall {
            let raw: Vec<f64> = rows.iter().map(|&r| values[r]).collect();
            side.set(&raw, method, &mut RankScratch::default());
        }
        Target {
            values,
            method,
            rows,
            side,
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
    classes: Vec<u32>,
    counts: Vec<f64>,
    /// The column's side over some target's rows, when prepared.
    side: Side,
}

/// Tie classes of every benchmark column of a sample, row by row (see
/// [`TieClasses`]): a resample's are the full sample's, gathered by its rows,
/// so that ranking a column of the resample is counting, not sorting.
#[derive(Debug, Clone, Default)]
pub struct RowClasses {
    rows: usize,
    /// Column after column: the class of each row.
    classes: Vec<u32>,
    groups: Vec<usize>,
}

impl RowClasses {
    /// The classes of the full-sample `columns` at `rows` (repeats allowed).
    pub fn gather(columns: &[TieClasses], rows: &[usize]) -> RowClasses {
        let mut classes = Vec::with_capacity(columns.len() * rows.len());
        for c in columns {
            classes.extend(rows.iter().map(|&r| c.classes[r]));
        }
        RowClasses {
            rows: rows.len(),
            classes,
            groups: columns.iter().map(|c| c.groups).collect(),
        }
    }

    /// Classes of column `index`, row by row, and its number of classes.
    pub fn column(&self, index: usize) -> (&[u32], usize) {
        let start = index * self.rows;
        (&self.classes[start..start + self.rows], self.groups[index])
    }
}

/// Correlate `column` (NaN = missing) with each target over the rows where
/// both are present: `(pairs, correlation)` per target, the correlation
/// `None` below two pairs or where undefined. `classes`, when given, are the
/// column's tie classes row by row (and its number of classes): a Spearman
/// side is then ranked by counting them (the same ranks, in linear time).
pub fn correlate_with(
    column: &[f64],
    classes: Option<(&[u32], usize)>,
    targets: &[&Target],
    scratch: &mut Scratch,
) -> Vec<(usize, Option<f64>)> {
    // Index of the target whose rows the column side in `scratch` covers.
    let mut prepared: Option<usize> = None;
    targets
        .iter()
        .enumerate()
        .map(|(i, t)| {
            if t.method == CorrelationMethod::Kendall || !t.covers(column) {
                return t.correlate_general(column, scratch);
            }
            let reusable = prepared.is_some_and(|p| targets[p].rows == t.rows);
            if !reusable {
                match classes.filter(|_| t.method == CorrelationMethod::Spearman) {
                    Some((row_classes, groups)) => {
                        scratch.classes.clear();
                        scratch
                            .classes
                            .extend(t.rows.iter().map(|&r| row_classes[r]));
                        scratch
                            .side
                            .set_ranks(&scratch.classes, groups, &mut scratch.counts);
                    }
                    None => {
                        scratch.x.clear();
                        scratch.x.extend(t.rows.iter().map(|&r| column[r]));
                        scratch.side.set(&scratch.x, t.method, &mut scratch.order);
                    }
                }
                prepared = Some(i);
            }
            let n = t.rows.len();
            (n, pearson(&scratch.side, &t.side))
        })
        .collect()
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
            ))
        ) {
            let (column, score, compute, complete) = rows;
            // Often make the column complete, to take the fast path.
            let column: Vec<f64> = column
                .iter()
                .zip(&complete)
                .map(|(v, c)| if *c && v.is_nan() { 1.5 } else { *v })
                .collect();
            for method in [CorrelationMethod::Spearman, CorrelationMethod::Pearson, CorrelationMethod::Kendall] {
                let s = Target::new(&score, method);
                let c = Target::new(&compute, method);
                let s2 = Target::new(&score, method);
                let mut scratch = Scratch::default();
                let got = correlate_with(&column, None, &[&s, &c, &s2], &mut scratch);
                // Ranked by counting the full column's tie classes: the same.
                let tc = TieClasses::new(&column);
                let counted = correlate_with(&column, Some((&tc.classes, tc.groups)), &[&s, &c, &s2], &mut scratch);
                prop_assert_eq!(&got, &counted);
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

    #[test]
    fn complete_column_takes_shared_ranks() {
        let score = [1.0, 3.0, 2.0, 5.0, f64::NAN];
        let column = [2.0, 1.0, 4.0, 3.0, 7.0];
        let t = Target::new(&score, CorrelationMethod::Spearman);
        let mut scratch = Scratch::default();
        let got = correlate_with(&column, None, &[&t, &t], &mut scratch);
        assert_eq!(got[0], got[1]);
        assert_eq!(
            got[0],
            reference(&column, &score, CorrelationMethod::Spearman)
        );
        assert_eq!(got[0].0, 4);
    }
}
