//! Dense linear algebra behind non-generic `f64` functions.
//!
//! faer is generic over scalar types; wrapping the one decomposition the tool
//! needs in a plain function keeps its monomorphisation in this module, so the
//! rest of the crate (and debug builds of it) stays light.

use faer::{Mat, Side};

/// Eigenvalues (descending) and the matching unit eigenvectors of a symmetric
/// matrix given as rows. `vectors[k]` belongs to `values[k]`.
#[derive(Debug, Clone, PartialEq)]
pub struct SymmetricEigen {
    /// Eigenvalues, largest first.
    pub values: Vec<f64>,
    /// Eigenvectors, one per eigenvalue, each of length n.
    pub vectors: Vec<Vec<f64>>,
}

/// Eigendecomposition of the symmetric matrix `rows` (n x n, row-major).
///
/// Returns `None` when the decomposition does not converge or the input holds
/// a non-finite value. Only the lower triangle is read.
pub fn symmetric_eigen(rows: &[Vec<f64>]) -> Option<SymmetricEigen> {
    symmetric_eigen_leading(rows, rows.len())
}

/// [`symmetric_eigen`] with every eigenvalue but only the eigenvectors of
/// the `count` largest (the same numbers; the others are not copied out).
pub fn symmetric_eigen_leading(rows: &[Vec<f64>], count: usize) -> Option<SymmetricEigen> {
    let n = rows.len();
    if rows
        .iter()
        .any(|r| r.len() != n || r.iter().any(|v| !v.is_finite()))
    {
        return None;
    }
    let mat = Mat::<f64>::from_fn(n, n, |i, j| rows[i][j]);
    let evd = mat.self_adjoint_eigen(Side::Lower).ok()?;
    let s = evd.S();
    let u = evd.U();
    // faer sorts eigenvalues in nondecreasing order; report largest first.
    let values = (0..n).rev().map(|k| s[k]).collect();
    let vectors = (0..n)
        .rev()
        .take(count)
        .map(|k| (0..n).map(|i| u[(i, k)]).collect())
        .collect();
    Some(SymmetricEigen { values, vectors })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_by_two_correlation_matrix() {
        let e = symmetric_eigen(&[vec![1.0, 0.5], vec![0.5, 1.0]]).unwrap();
        assert!((e.values[0] - 1.5).abs() < 1e-14);
        assert!((e.values[1] - 0.5).abs() < 1e-14);
        let v = &e.vectors[0];
        assert!((v[0].abs() - 0.5f64.sqrt()).abs() < 1e-14);
        assert!((v[0] - v[1]).abs() < 1e-14);
    }

    #[test]
    fn leading_vectors_are_the_first_of_all() {
        let rows = [
            vec![2.0, 0.5, 0.1],
            vec![0.5, 1.0, 0.3],
            vec![0.1, 0.3, 0.5],
        ];
        let all = symmetric_eigen(&rows).unwrap();
        let one = symmetric_eigen_leading(&rows, 1).unwrap();
        assert_eq!(one.values, all.values);
        assert_eq!(one.vectors, all.vectors[..1]);
    }

    #[test]
    fn non_finite_input_is_refused() {
        assert!(symmetric_eigen(&[vec![f64::NAN]]).is_none());
    }
}
