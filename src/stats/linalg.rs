//! The small dense linear algebra OLS needs: a row-major matrix, Householder
//! QR with a rank check, Cholesky inversion of a symmetric positive-definite
//! matrix and the symmetric inverse square root (Jacobi eigenvalues) used
//! by CR2. Sizes here are tiny (a handful of coefficients, clusters of a few
//! dozen), so clarity wins over blocking.

/// Dense row-major matrix.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Mat {
    pub rows: usize,
    pub cols: usize,
    pub data: Vec<f64>,
}

impl Mat {
    pub fn zeros(rows: usize, cols: usize) -> Self {
        Mat { rows, cols, data: vec![0.0; rows * cols] }
    }

    pub fn identity(n: usize) -> Self {
        let mut m = Mat::zeros(n, n);
        for i in 0..n {
            m[(i, i)] = 1.0;
        }
        m
    }

    /// `self · other`.
    pub fn mul(&self, other: &Mat) -> Mat {
        let mut out = Mat::zeros(self.rows, other.cols);
        for i in 0..self.rows {
            for l in 0..self.cols {
                let a = self[(i, l)];
                if a == 0.0 {
                    continue;
                }
                for j in 0..other.cols {
                    out[(i, j)] += a * other[(l, j)];
                }
            }
        }
        out
    }

    /// `self · v`.
    pub fn mul_vec(&self, v: &[f64]) -> Vec<f64> {
        (0..self.rows).map(|i| (0..self.cols).map(|j| self[(i, j)] * v[j]).sum()).collect()
    }

    /// `selfᵀ · v`.
    pub fn tmul_vec(&self, v: &[f64]) -> Vec<f64> {
        let mut out = vec![0.0; self.cols];
        for i in 0..self.rows {
            for (j, o) in out.iter_mut().enumerate() {
                *o += self[(i, j)] * v[i];
            }
        }
        out
    }

    pub fn transpose(&self) -> Mat {
        let mut t = Mat::zeros(self.cols, self.rows);
        for i in 0..self.rows {
            for j in 0..self.cols {
                t[(j, i)] = self[(i, j)];
            }
        }
        t
    }

    /// Rows `idx` of `self`, in that order.
    pub fn select_rows(&self, idx: &[usize]) -> Mat {
        let mut out = Mat::zeros(idx.len(), self.cols);
        for (r, &i) in idx.iter().enumerate() {
            out.data[r * self.cols..(r + 1) * self.cols]
                .copy_from_slice(&self.data[i * self.cols..(i + 1) * self.cols]);
        }
        out
    }

    /// `vᵀ · self · w` for a square matrix.
    pub fn quad(&self, v: &[f64], w: &[f64]) -> f64 {
        let sw = self.mul_vec(w);
        v.iter().zip(&sw).map(|(a, b)| a * b).sum()
    }
}

impl std::ops::Index<(usize, usize)> for Mat {
    type Output = f64;
    fn index(&self, (i, j): (usize, usize)) -> &f64 {
        &self.data[i * self.cols + j]
    }
}

impl std::ops::IndexMut<(usize, usize)> for Mat {
    fn index_mut(&mut self, (i, j): (usize, usize)) -> &mut f64 {
        &mut self.data[i * self.cols + j]
    }
}

pub(crate) fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Least-squares solution of `X b ≈ y` by Householder QR (Golub & Van Loan
/// 2013, §5.2), with `(XᵀX)⁻¹ = R⁻¹R⁻ᵀ`.
///
/// Column j is declared collinear, `Err(j)`, when the part of it orthogonal
/// to columns 0..j has norm ≤ 1e-10 times the column's own norm (or the
/// column is zero).
pub(crate) fn least_squares(x: &Mat, y: &[f64]) -> Result<(Vec<f64>, Mat), usize> {
    let (n, k) = (x.rows, x.cols);
    // Column-major working copy.
    let mut a: Vec<Vec<f64>> = (0..k).map(|j| (0..n).map(|i| x[(i, j)]).collect()).collect();
    let mut qty = y.to_vec();
    let mut r = Mat::zeros(k, k);
    for j in 0..k {
        if j >= n {
            return Err(j);
        }
        let orig_norm = (0..n).map(|i| x[(i, j)].powi(2)).sum::<f64>().sqrt();
        // Norm of the part of column j orthogonal to columns 0..j.
        let norm = a[j][j..].iter().map(|v| v * v).sum::<f64>().sqrt();
        if norm.is_nan() || norm <= 1e-10 * orig_norm {
            return Err(j);
        }
        let alpha = if a[j][j] > 0.0 { -norm } else { norm };
        let mut v: Vec<f64> = a[j][j..].to_vec();
        v[0] -= alpha;
        let vnorm2: f64 = v.iter().map(|t| t * t).sum();
        let apply = |col: &mut [f64]| {
            let s = 2.0 * dot(&v, &col[j..]) / vnorm2;
            for (c, vi) in col[j..].iter_mut().zip(&v) {
                *c -= s * vi;
            }
        };
        for col in a.iter_mut().skip(j) {
            apply(col);
        }
        apply(&mut qty);
        for (l, col) in a.iter().enumerate().skip(j) {
            r[(j, l)] = col[j];
        }
    }
    let r_inv = upper_inverse(&r);
    let coef = r_inv.mul_vec(&qty[..k]);
    let xtx_inv = r_inv.mul(&r_inv.transpose());
    Ok((coef, xtx_inv))
}

/// Inverse of a non-singular upper-triangular matrix by back substitution.
fn upper_inverse(r: &Mat) -> Mat {
    let k = r.rows;
    let mut inv = Mat::zeros(k, k);
    for col in 0..k {
        for i in (0..=col).rev() {
            let rhs = if i == col { 1.0 } else { 0.0 };
            let s: f64 = (i + 1..=col).map(|l| r[(i, l)] * inv[(l, col)]).sum();
            inv[(i, col)] = (rhs - s) / r[(i, i)];
        }
    }
    inv
}

/// Lower Cholesky factor `L` of a symmetric positive-definite matrix
/// (`A = L Lᵀ`); `None` when a pivot is not positive relative to the
/// diagonal (the matrix is singular or indefinite).
pub(crate) fn cholesky(a: &Mat) -> Option<Mat> {
    let n = a.rows;
    let max_diag = (0..n).map(|i| a[(i, i)].abs()).fold(0.0, f64::max);
    let mut l = Mat::zeros(n, n);
    for j in 0..n {
        let d = a[(j, j)] - (0..j).map(|p| l[(j, p)].powi(2)).sum::<f64>();
        if d.is_nan() || d <= 1e-12 * max_diag {
            return None;
        }
        l[(j, j)] = d.sqrt();
        for i in j + 1..n {
            let s = a[(i, j)] - (0..j).map(|p| l[(i, p)] * l[(j, p)]).sum::<f64>();
            l[(i, j)] = s / l[(j, j)];
        }
    }
    Some(l)
}

/// Inverse of a symmetric positive-definite matrix by Cholesky; `None` when
/// [`cholesky`] fails (the matrix is singular or indefinite).
pub(crate) fn spd_inverse(a: &Mat) -> Option<Mat> {
    let l = cholesky(a)?;
    // A⁻¹ = L⁻ᵀ L⁻¹, with L⁻ᵀ upper triangular.
    let l_inv_t = upper_inverse(&l.transpose());
    Some(l_inv_t.mul(&l_inv_t.transpose()))
}

/// Eigen-decomposition of a symmetric matrix by cyclic Jacobi rotations:
/// returns eigenvalues and the matrix whose columns are eigenvectors.
pub(crate) fn sym_eigen(a: &Mat) -> (Vec<f64>, Mat) {
    let n = a.rows;
    let mut m = a.clone();
    let mut v = Mat::identity(n);
    for _sweep in 0..100 {
        let off: f64 = (0..n)
            .flat_map(|i| (0..n).filter(move |&j| j != i).map(move |j| (i, j)))
            .map(|(i, j)| m[(i, j)].powi(2))
            .sum();
        let total: f64 = m.data.iter().map(|x| x * x).sum();
        if off <= 1e-30 * total.max(f64::MIN_POSITIVE) {
            break;
        }
        for p in 0..n {
            for q in p + 1..n {
                if m[(p, q)].abs() < f64::MIN_POSITIVE {
                    continue;
                }
                let theta = (m[(q, q)] - m[(p, p)]) / (2.0 * m[(p, q)]);
                // signum(0.0) = 1: a 45° rotation when the diagonal ties.
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for r in 0..n {
                    let (mrp, mrq) = (m[(r, p)], m[(r, q)]);
                    m[(r, p)] = c * mrp - s * mrq;
                    m[(r, q)] = s * mrp + c * mrq;
                }
                for r in 0..n {
                    let (mpr, mqr) = (m[(p, r)], m[(q, r)]);
                    m[(p, r)] = c * mpr - s * mqr;
                    m[(q, r)] = s * mpr + c * mqr;
                }
                for r in 0..n {
                    let (vrp, vrq) = (v[(r, p)], v[(r, q)]);
                    v[(r, p)] = c * vrp - s * vrq;
                    v[(r, q)] = s * vrp + c * vrq;
                }
            }
        }
    }
    ((0..n).map(|i| m[(i, i)]).collect(), v)
}

/// Symmetric (pseudo-)inverse square root `A^{-1/2}` of a symmetric
/// positive semi-definite matrix: eigenvalues ≤ 1e-10·max(1, λ_max) are
/// treated as 0 and contribute nothing (Moore–Penrose convention, as
/// clubSandwich does for CR2 when `I − H_gg` is singular).
pub(crate) fn sym_inv_sqrt(a: &Mat) -> Mat {
    let (vals, vecs) = sym_eigen(a);
    sym_apply(&vals, &vecs, |lam| 1.0 / lam.sqrt())
}

/// `V diag(f(λ)) Vᵀ` for an eigen-decomposition `(λ, V)` of a symmetric
/// matrix, with `f(λ) = 0` for eigenvalues ≤ 1e-10·max(1, λ_max) (the
/// Moore–Penrose convention of [`sym_inv_sqrt`]).
pub(crate) fn sym_apply(vals: &[f64], vecs: &Mat, f: impl Fn(f64) -> f64) -> Mat {
    let n = vecs.rows;
    let lmax = vals.iter().copied().fold(1.0f64, f64::max);
    let mut out = Mat::zeros(n, n);
    for (e, &lam) in vals.iter().enumerate() {
        if lam > 1e-10 * lmax {
            let w = f(lam);
            for i in 0..n {
                let vi = w * vecs[(i, e)];
                for j in 0..n {
                    out[(i, j)] += vi * vecs[(j, e)];
                }
            }
        }
    }
    out
}

/// Thin Householder QR of the m × k matrix `x` (no pivoting, any rank),
/// applied also to `u`: returns the r × k upper-trapezoidal `R` with
/// `x = Q R` (r = min(m, k), Q with orthonormal columns) and `Qᵀu`. A
/// column with nothing left below the diagonal gets no reflection (its
/// diagonal entry of `R` is 0), so `Q` stays orthonormal when `x` is
/// rank-deficient.
pub(crate) fn thin_qr_with(x: &Mat, u: &[f64]) -> (Mat, Vec<f64>) {
    let (m, k) = (x.rows, x.cols);
    let r = m.min(k);
    // Column-major working copy, `u` as column k.
    let mut a: Vec<Vec<f64>> = (0..k).map(|j| (0..m).map(|i| x[(i, j)]).collect()).collect();
    a.push(u.to_vec());
    for j in 0..r {
        let norm = a[j][j..].iter().map(|v| v * v).sum::<f64>().sqrt();
        if norm == 0.0 || norm.is_nan() {
            continue;
        }
        let alpha = if a[j][j] > 0.0 { -norm } else { norm };
        let mut v: Vec<f64> = a[j][j..].to_vec();
        v[0] -= alpha;
        let vnorm2: f64 = v.iter().map(|t| t * t).sum();
        if vnorm2 == 0.0 {
            continue;
        }
        for col in a.iter_mut().skip(j) {
            let s = 2.0 * dot(&v, &col[j..]) / vnorm2;
            for (c, vi) in col[j..].iter_mut().zip(&v) {
                *c -= s * vi;
            }
        }
    }
    let mut rm = Mat::zeros(r, k);
    for i in 0..r {
        for j in i..k {
            rm[(i, j)] = a[j][i];
        }
    }
    let qtu = a[k][..r].to_vec();
    (rm, qtu)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mat(rows: usize, cols: usize, data: &[f64]) -> Mat {
        Mat { rows, cols, data: data.to_vec() }
    }

    #[test]
    fn least_squares_recovers_exact_line() {
        let x = mat(4, 2, &[1.0, 0.0, 1.0, 1.0, 1.0, 2.0, 1.0, 3.0]);
        let y = [1.0, 3.0, 5.0, 7.0];
        let (b, xtx_inv) = least_squares(&x, &y).unwrap();
        assert!((b[0] - 1.0).abs() < 1e-12 && (b[1] - 2.0).abs() < 1e-12);
        // XᵀX = [[4, 6], [6, 14]], inverse = [[0.7, -0.3], [-0.3, 0.2]].
        let want = [0.7, -0.3, -0.3, 0.2];
        for (a, w) in xtx_inv.data.iter().zip(want) {
            assert!((a - w).abs() < 1e-12);
        }
    }

    #[test]
    fn least_squares_flags_collinear_column() {
        let x = mat(3, 3, &[1.0, 2.0, 3.0, 1.0, 4.0, 5.0, 1.0, 6.0, 7.0]);
        assert_eq!(least_squares(&x, &[1.0, 2.0, 3.0]), Err(2));
        let zero = mat(3, 2, &[1.0, 0.0, 1.0, 0.0, 1.0, 0.0]);
        assert_eq!(least_squares(&zero, &[1.0, 2.0, 3.0]), Err(1));
    }

    #[test]
    fn spd_inverse_inverts_and_rejects_singular() {
        let a = mat(2, 2, &[4.0, 2.0, 2.0, 3.0]);
        let inv = spd_inverse(&a).unwrap();
        let id = a.mul(&inv);
        for (x, w) in id.data.iter().zip([1.0, 0.0, 0.0, 1.0]) {
            assert!((x - w).abs() < 1e-12);
        }
        assert!(spd_inverse(&mat(2, 2, &[1.0, 1.0, 1.0, 1.0])).is_none());
    }

    #[test]
    fn inverse_sqrt_squares_to_inverse() {
        let a = mat(3, 3, &[2.0, 0.5, 0.1, 0.5, 1.5, 0.2, 0.1, 0.2, 1.0]);
        let s = sym_inv_sqrt(&a);
        let prod = s.mul(&s).mul(&a);
        for i in 0..3 {
            for j in 0..3 {
                let w = if i == j { 1.0 } else { 0.0 };
                assert!((prod[(i, j)] - w).abs() < 1e-10);
            }
        }
        // Singular: pseudo-inverse square root.
        let p = sym_inv_sqrt(&mat(2, 2, &[1.0, 0.0, 0.0, 0.0]));
        assert_eq!(p.data, vec![1.0, 0.0, 0.0, 0.0]);
    }

    #[test]
    fn thin_qr_reproduces_the_matrix_at_any_rank() {
        // 5 × 3 of rank 2 (column 2 = column 0 + column 1), and 2 × 3.
        let x = mat(5, 3, &[1.0, 2.0, 3.0, 1.0, 0.0, 1.0, 1.0, 5.0, 6.0, 1.0, -1.0, 0.0, 1.0, 3.0, 4.0]);
        let u = [0.5, -1.0, 2.0, 0.0, 1.5];
        let (r, qtu) = thin_qr_with(&x, &u);
        assert_eq!((r.rows, r.cols, qtu.len()), (3, 3, 3));
        // RᵀR = XᵀX, and ‖Qᵀu‖ ≤ ‖u‖ with Rᵀ(Qᵀu) = Xᵀu.
        let (rtr, xtx) = (r.transpose().mul(&r), x.transpose().mul(&x));
        for (a, b) in rtr.data.iter().zip(&xtx.data) {
            assert!((a - b).abs() < 1e-12);
        }
        let (a, b) = (r.tmul_vec(&qtu), x.tmul_vec(&u));
        for (p, q) in a.iter().zip(&b) {
            assert!((p - q).abs() < 1e-12);
        }
        let short = mat(2, 3, &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
        let (r, qtu) = thin_qr_with(&short, &[1.0, 1.0]);
        assert_eq!((r.rows, qtu.len()), (2, 2));
        // Q is 2 × 2 orthogonal: ‖Qᵀu‖ = ‖u‖.
        assert!((qtu[0].powi(2) + qtu[1].powi(2) - 2.0).abs() < 1e-12);
        let zero = mat(3, 2, &[0.0; 6]);
        let (r, _) = thin_qr_with(&zero, &[1.0, 2.0, 3.0]);
        assert!(r.data.iter().all(|v| *v == 0.0));
    }

    #[test]
    fn cholesky_factors_and_sym_apply_inverts() {
        let a = mat(2, 2, &[4.0, 2.0, 2.0, 3.0]);
        let l = cholesky(&a).unwrap();
        assert_eq!(l[(0, 1)], 0.0);
        let llt = l.mul(&l.transpose());
        for (x, w) in llt.data.iter().zip(&a.data) {
            assert!((x - w).abs() < 1e-12);
        }
        let (vals, vecs) = sym_eigen(&a);
        let inv = sym_apply(&vals, &vecs, |l| 1.0 / l);
        let id = a.mul(&inv);
        for (x, w) in id.data.iter().zip([1.0, 0.0, 0.0, 1.0]) {
            assert!((x - w).abs() < 1e-12);
        }
    }
}
