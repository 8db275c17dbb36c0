//! Ordinary least squares with cluster-robust covariance (CR1, or CR2 with
//! Satterthwaite degrees of freedom), coefficient t tests, linear
//! contrasts and Wald F tests — enough for the ANCOVA
//! `post ~ pre + method` clustered by class.
//!
//! In: the design matrix as rows (the caller adds the intercept and the
//! dummy columns), the response and one cluster id per row. Rows with a
//! non-finite value in `x` or `y` are dropped (listwise). Out: a fitted
//! [`ClusterOls`] to query; inference is `None` where undefined (a zero
//! standard error, a restriction the robust covariance cannot support).
//! Malformed input (lengths, ragged rows, rank deficiency, fewer than two
//! clusters) is a [`StatsError`].

use std::collections::BTreeMap;

use serde::Serialize;

use super::descriptive::{mean, variance};
use super::dist::{check_alpha, f_sf};
use super::error::StatsError;
use super::linalg::{dot, least_squares, spd_inverse, sym_inv_sqrt, Mat};
use super::padjust::{benjamini_hochberg, holm};
use super::ttest::TTest;

/// Which cluster-robust covariance estimator to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ClusterCovariance {
    /// CR1 (Liang & Zeger 1986 with the Stata/statsmodels small-sample
    /// factor): `V = c·(XᵀX)⁻¹ (Σ_g X_gᵀû_g û_gᵀX_g) (XᵀX)⁻¹`,
    /// `c = G/(G − 1) · (N − 1)/(N − K)`; t tests on G − 1 df. Equals
    /// statsmodels `OLS.fit(cov_type="cluster", use_t=True)`.
    Cr1,
    /// CR2 (Bell & McCaffrey 2002): residuals of cluster g are first
    /// multiplied by `A_g = (I − H_gg)^{-1/2}`, `H_gg = X_g(XᵀX)⁻¹X_gᵀ`
    /// (pseudo-inverse square root when singular), no further factor; t
    /// tests and contrasts on the Bell–McCaffrey/Satterthwaite df under a
    /// working identity covariance (Pustejovsky & Tipton 2018; Imbens &
    /// Kolesár 2016), as clubSandwich `coef_test(..., test =
    /// "Satterthwaite")`.
    Cr2,
}

/// Wald F test of q linear restrictions `R b = 0`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct WaldTest {
    /// `F = (Rb)ᵀ (R V Rᵀ)⁻¹ (Rb) / q`.
    pub f: f64,
    /// q, the number of restrictions.
    pub df1: f64,
    /// G − 1.
    pub df2: f64,
    /// `P(F_{q, G−1} ≥ F)`.
    pub p: f64,
}

/// One pairwise comparison of factor levels from [`ClusterOls::pairwise_levels`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PairwiseContrast {
    /// Index of level a (the minuend), 0 being the reference level.
    pub level_a: usize,
    /// Index of level b (the subtrahend).
    pub level_b: usize,
    /// Test of `coef(a) − coef(b)` (the reference level's coefficient is 0);
    /// `None` when its standard error is 0.
    pub test: Option<TTest>,
    /// Holm-adjusted p over all pairs with a defined test.
    pub p_holm: Option<f64>,
    /// Benjamini–Hochberg-adjusted p over the same pairs.
    pub p_bh: Option<f64>,
}

/// An OLS fit with a cluster-robust covariance matrix.
#[derive(Debug, Clone, PartialEq)]
pub struct ClusterOls {
    kind: ClusterCovariance,
    coef: Vec<f64>,
    cov: Mat,
    x: Mat,
    xtx_inv: Mat,
    /// Row indices of each cluster.
    clusters: Vec<Vec<usize>>,
    /// CR2 adjustment matrices A_g (empty for CR1).
    adjust: Vec<Mat>,
    /// Residuals are rounding noise (R's "essentially perfect fit").
    perfect_fit: bool,
}

impl ClusterOls {
    /// Fits `y = X b + e` by least squares (Householder QR) and estimates
    /// the cluster-robust covariance of `b` (see [`ClusterCovariance`]).
    ///
    /// `x_rows[i]` is row i of the design (include a column of ones for an
    /// intercept); `clusters[i]` is any id of its cluster. Rows with a
    /// non-finite value are dropped first.
    ///
    /// # Errors
    /// - [`StatsError::LengthMismatch`] if `x_rows`, `y`, `clusters` differ
    ///   in length; [`StatsError::Ragged`] if rows differ in length;
    /// - [`StatsError::NotEnoughData`] with no columns, N ≤ K, or fewer than
    ///   2 clusters;
    /// - [`StatsError::SingularDesign`] if a column is collinear with
    ///   earlier ones.
    pub fn fit<R: AsRef<[f64]>>(
        x_rows: &[R],
        y: &[f64],
        clusters: &[usize],
        kind: ClusterCovariance,
    ) -> Result<Self, StatsError> {
        for len in [y.len(), clusters.len()] {
            if len != x_rows.len() {
                return Err(StatsError::LengthMismatch {
                    left: x_rows.len(),
                    right: len,
                });
            }
        }
        let (data, k) = flatten_rows(x_rows)?;
        Self::fit_flat(data, k, y.to_vec(), clusters, kind)
    }

    /// [`ClusterOls::fit`] of a design given as one row-major buffer of `k` columns
    /// (row i is `x[i·k..(i + 1)·k]`), taken over rather than copied: rows with a
    /// non-finite value are dropped in place. The same arithmetic as `fit`, so the same
    /// results to the bit; for large designs (the method ANCOVA has 10⁶ rows) it saves
    /// a copy of the design.
    ///
    /// # Errors
    /// As [`ClusterOls::fit`]; [`StatsError::LengthMismatch`] when `x` does not hold
    /// `y.len()` rows of `k`.
    pub fn fit_flat(
        mut x: Vec<f64>,
        k: usize,
        mut y: Vec<f64>,
        clusters: &[usize],
        kind: ClusterCovariance,
    ) -> Result<Self, StatsError> {
        if k == 0 {
            return Err(StatsError::NotEnoughData {
                what: "at least one design column",
            });
        }
        for len in [x.len() / k, clusters.len()] {
            if len != y.len() || !x.len().is_multiple_of(k) {
                return Err(StatsError::LengthMismatch {
                    left: y.len(),
                    right: len,
                });
            }
        }
        // Complete rows moved to the front, in order.
        let mut keep: Vec<usize> = Vec::with_capacity(y.len());
        for i in 0..y.len() {
            if y[i].is_finite() && x[i * k..(i + 1) * k].iter().all(|v| v.is_finite()) {
                let r = keep.len();
                if r != i {
                    x.copy_within(i * k..(i + 1) * k, r * k);
                    y[r] = y[i];
                }
                keep.push(i);
            }
        }
        let n = keep.len();
        x.truncate(n * k);
        y.truncate(n);
        if n <= k {
            return Err(StatsError::NotEnoughData {
                what: "more complete rows than coefficients",
            });
        }
        let x = Mat {
            rows: n,
            cols: k,
            data: x,
        };
        // Rows by cluster, clusters in id order; the tree is searched once per run of
        // rows of one cluster.
        let mut at: BTreeMap<usize, usize> = BTreeMap::new();
        let mut found: Vec<Vec<usize>> = Vec::new();
        let mut last: Option<(usize, usize)> = None;
        for (r, &i) in keep.iter().enumerate() {
            let id = clusters[i];
            let g = match last {
                Some((prev, g)) if prev == id => g,
                _ => {
                    let g = *at.entry(id).or_insert_with(|| {
                        found.push(Vec::new());
                        found.len() - 1
                    });
                    last = Some((id, g));
                    g
                }
            };
            found[g].push(r);
        }
        let groups: Vec<Vec<usize>> = at
            .into_values()
            .map(|g| std::mem::take(&mut found[g]))
            .collect();
        let g = groups.len();
        if g < 2 {
            return Err(StatsError::NotEnoughData {
                what: "at least 2 clusters",
            });
        }
        let (coef, xtx_inv) =
            least_squares(&x, &y).map_err(|column| StatsError::SingularDesign { column })?;
        let fitted = x.mul_vec(&coef);
        let resid: Vec<f64> = y.iter().zip(&fitted).map(|(a, b)| a - b).collect();
        // R's summary.lm rule: residual variance below 1e-30 · (f̄² + var f)
        // means the residuals are rounding noise and inference is void.
        let resvar = resid.iter().map(|u| u * u).sum::<f64>() / (n - k) as f64;
        let scale = mean(&fitted).map_or(0.0, |m| m * m) + variance(&fitted).unwrap_or(0.0);
        let perfect_fit = resvar <= 1e-30 * scale;

        let adjust: Vec<Mat> = match kind {
            ClusterCovariance::Cr1 => Vec::new(),
            ClusterCovariance::Cr2 => groups
                .iter()
                .map(|rows| {
                    let xg = x.select_rows(rows);
                    let h = xg.mul(&xtx_inv).mul(&xg.transpose());
                    let mut i_minus_h = Mat::identity(rows.len());
                    i_minus_h
                        .data
                        .iter_mut()
                        .zip(&h.data)
                        .for_each(|(a, b)| *a -= b);
                    sym_inv_sqrt(&i_minus_h)
                })
                .collect(),
        };
        // Meat Σ_g s_g s_gᵀ with s_g = X_gᵀ (A_g) û_g.
        let mut meat = Mat::zeros(k, k);
        for (gi, rows) in groups.iter().enumerate() {
            let xg = x.select_rows(rows);
            let ug: Vec<f64> = rows.iter().map(|&r| resid[r]).collect();
            let ug = match adjust.get(gi) {
                Some(a) => a.mul_vec(&ug),
                None => ug,
            };
            let s = xg.tmul_vec(&ug);
            for i in 0..k {
                for j in 0..k {
                    meat[(i, j)] += s[i] * s[j];
                }
            }
        }
        let mut cov = xtx_inv.mul(&meat).mul(&xtx_inv);
        if kind == ClusterCovariance::Cr1 {
            let (gf, nf, kf) = (g as f64, n as f64, k as f64);
            let c = gf / (gf - 1.0) * (nf - 1.0) / (nf - kf);
            cov.data.iter_mut().for_each(|v| *v *= c);
        }
        Ok(ClusterOls {
            kind,
            coef,
            cov,
            x,
            xtx_inv,
            clusters: groups,
            adjust,
            perfect_fit,
        })
    }

    /// Covariance estimator used.
    pub fn kind(&self) -> ClusterCovariance {
        self.kind
    }

    /// Observations used (complete rows).
    pub fn n(&self) -> usize {
        self.x.rows
    }

    /// Number of coefficients K.
    pub fn k(&self) -> usize {
        self.x.cols
    }

    /// Whether the residuals are rounding noise (R's "essentially perfect
    /// fit": residual variance ≤ 10⁻³⁰·(mean(ŷ)² + var(ŷ))); every test is
    /// then `None`.
    pub fn is_perfect_fit(&self) -> bool {
        self.perfect_fit
    }

    /// Number of clusters G.
    pub fn n_clusters(&self) -> usize {
        self.clusters.len()
    }

    /// Least-squares coefficients `b = (XᵀX)⁻¹Xᵀy`, in design-column order.
    pub fn coef(&self) -> &[f64] {
        &self.coef
    }

    /// The K × K cluster-robust covariance of `b`, as rows.
    pub fn cov(&self) -> Vec<Vec<f64>> {
        self.cov
            .data
            .chunks(self.cov.cols)
            .map(<[f64]>::to_vec)
            .collect()
    }

    /// Robust standard errors `√V_jj`.
    pub fn se(&self) -> Vec<f64> {
        (0..self.k())
            .map(|j| self.cov[(j, j)].max(0.0).sqrt())
            .collect()
    }

    /// Degrees of freedom of the cluster-robust F tests, G − 1 (also the t df
    /// under CR1).
    pub fn cluster_df(&self) -> f64 {
        self.n_clusters() as f64 - 1.0
    }

    /// t test of the linear contrast `cᵀb`: estimate `cᵀb`, se `√(cᵀVc)`,
    /// `t = cᵀb/se`, two-sided p and `1 − alpha` interval on G − 1 df (CR1,
    /// as statsmodels `t_test`) or on the Satterthwaite df (CR2, see
    /// [`ClusterCovariance::Cr2`]). `Ok(None)` when the standard error is 0
    /// or the fit is perfect ([`ClusterOls::is_perfect_fit`]).
    ///
    /// # Errors
    /// [`StatsError::InvalidRestriction`] when `c` does not have K entries
    /// or is not finite; [`StatsError::InvalidAlpha`] unless 0 < alpha < 1.
    pub fn contrast(&self, c: &[f64], alpha: f64) -> Result<Option<TTest>, StatsError> {
        check_alpha(alpha)?;
        if c.len() != self.k() || !c.iter().all(|v| v.is_finite()) {
            return Err(StatsError::InvalidRestriction {
                what: "contrast must have one finite weight per coefficient",
            });
        }
        let estimate = dot(c, &self.coef);
        let var = self.cov.quad(c, c);
        if self.perfect_fit || var.is_nan() || var <= 0.0 {
            return Ok(None);
        }
        let df = match self.kind {
            ClusterCovariance::Cr1 => self.cluster_df(),
            ClusterCovariance::Cr2 => match self.satterthwaite_df(c) {
                Some(df) => df,
                None => return Ok(None),
            },
        };
        Ok(TTest::checked(estimate, var.sqrt(), df, alpha))
    }

    /// t test of coefficient j, the contrast `e_j` (see
    /// [`ClusterOls::contrast`]).
    ///
    /// # Errors
    /// [`StatsError::InvalidRestriction`] when `j ≥ K`;
    /// [`StatsError::InvalidAlpha`] unless 0 < alpha < 1.
    pub fn coef_test(&self, j: usize, alpha: f64) -> Result<Option<TTest>, StatsError> {
        if j >= self.k() {
            return Err(StatsError::InvalidRestriction {
                what: "coefficient index out of range",
            });
        }
        let mut c = vec![0.0; self.k()];
        c[j] = 1.0;
        self.contrast(&c, alpha)
    }

    /// Wald F test of `R b = 0`, one restriction per row of `r`:
    /// `F = (Rb)ᵀ (R V Rᵀ)⁻¹ (Rb) / q` on (q, G − 1) df, as statsmodels
    /// `f_test` with `cov_type="cluster"` (Cameron & Miller 2015, §VI.B).
    /// Under CR2 the same statistic is referred to F(q, G − 1) too (no
    /// Hotelling-T² small-sample correction).
    ///
    /// `Ok(None)` for a perfect fit, or when `R V Rᵀ` is not positive definite — the robust
    /// covariance has rank at most G − 1, so more than G − 1 restrictions
    /// cannot be tested.
    ///
    /// # Errors
    /// [`StatsError::InvalidRestriction`] with no rows, a row without K
    /// entries, or a non-finite weight.
    pub fn wald<R: AsRef<[f64]>>(&self, r: &[R]) -> Result<Option<WaldTest>, StatsError> {
        let k = self.k();
        if r.is_empty()
            || r.iter()
                .any(|row| row.as_ref().len() != k || !row.as_ref().iter().all(|v| v.is_finite()))
        {
            return Err(StatsError::InvalidRestriction {
                what: "restriction matrix needs ≥ 1 row of K finite weights",
            });
        }
        if self.perfect_fit {
            return Ok(None);
        }
        let q = r.len();
        let rb: Vec<f64> = r.iter().map(|row| dot(row.as_ref(), &self.coef)).collect();
        let mut rvr = Mat::zeros(q, q);
        for i in 0..q {
            for j in 0..q {
                rvr[(i, j)] = self.cov.quad(r[i].as_ref(), r[j].as_ref());
            }
        }
        let Some(inv) = spd_inverse(&rvr) else {
            return Ok(None);
        };
        let f = inv.quad(&rb, &rb) / q as f64;
        let (df1, df2) = (q as f64, self.cluster_df());
        Ok(f_sf(f, df1, df2).map(|p| WaldTest { f, df1, df2, p }))
    }

    /// Wald F test that the coefficients at `indices` are all 0 (e.g. the
    /// method dummies of an ANCOVA); see [`ClusterOls::wald`].
    ///
    /// # Errors
    /// [`StatsError::InvalidRestriction`] with no index or one ≥ K.
    pub fn wald_coefs(&self, indices: &[usize]) -> Result<Option<WaldTest>, StatsError> {
        if indices.iter().any(|&j| j >= self.k()) {
            return Err(StatsError::InvalidRestriction {
                what: "coefficient index out of range",
            });
        }
        let rows: Vec<Vec<f64>> = indices
            .iter()
            .map(|&j| {
                (0..self.k())
                    .map(|l| if l == j { 1.0 } else { 0.0 })
                    .collect()
            })
            .collect();
        self.wald(&rows)
    }

    /// All pairwise differences between the levels of a treatment-coded
    /// factor. Level 0 is the reference (no column); level `i ≥ 1` has its
    /// dummy in column `level_columns[i − 1]`. For every pair i < j the
    /// contrast is `coef(level j) − coef(level i)` (level_a = j, level_b =
    /// i), in the order (0,1), (0,2), …, (1,2), … (SPEC Appendix C.13), with
    /// Holm and Benjamini–Hochberg adjustment over all pairs.
    ///
    /// # Errors
    /// [`StatsError::InvalidRestriction`] when a column index is ≥ K;
    /// [`StatsError::InvalidAlpha`] unless 0 < alpha < 1.
    pub fn pairwise_levels(
        &self,
        level_columns: &[usize],
        alpha: f64,
    ) -> Result<Vec<PairwiseContrast>, StatsError> {
        pairwise_levels_with(self.k(), level_columns, |c| self.contrast(c, alpha))
    }

    /// Bell–McCaffrey / Satterthwaite df of `cᵀb` under CR2 with a working
    /// identity covariance: with `w_g = A_g X_g (XᵀX)⁻¹ c`,
    /// `z_g = X_gᵀ w_g` and `M_gh = δ_gh w_gᵀw_g − z_gᵀ(XᵀX)⁻¹z_h`
    /// (= p_gᵀp_h, `p_g = (I − H)_{·g} w_g`), `ν = (Σ_g M_gg)² / Σ_gh M_gh²`.
    fn satterthwaite_df(&self, c: &[f64]) -> Option<f64> {
        let bc = self.xtx_inv.mul_vec(c);
        let (w, z): (Vec<Vec<f64>>, Vec<Vec<f64>>) = self
            .clusters
            .iter()
            .zip(&self.adjust)
            .map(|(rows, a)| {
                let xg = self.x.select_rows(rows);
                let w = a.mul_vec(&xg.mul_vec(&bc));
                let z = xg.tmul_vec(&w);
                (w, z)
            })
            .unzip();
        let bz: Vec<Vec<f64>> = z.iter().map(|zg| self.xtx_inv.mul_vec(zg)).collect();
        let (mut trace, mut sum_sq) = (0.0, 0.0);
        for (i, (wi, zi)) in w.iter().zip(&z).enumerate() {
            for (j, bzj) in bz.iter().enumerate() {
                let own = if i == j { dot(wi, wi) } else { 0.0 };
                let m = own - dot(zi, bzj);
                if i == j {
                    trace += m;
                }
                sum_sq += m * m;
            }
        }
        let df = trace * trace / sum_sq;
        (df.is_finite() && df > 0.0).then_some(df)
    }
}

/// The rows of a design as one row-major buffer and their common length k.
///
/// # Errors
/// [`StatsError::Ragged`] if rows differ in length; [`StatsError::NotEnoughData`]
/// when there is no column.
pub(super) fn flatten_rows<R: AsRef<[f64]>>(x_rows: &[R]) -> Result<(Vec<f64>, usize), StatsError> {
    let k = x_rows.first().map_or(0, |r| r.as_ref().len());
    if let Some(bad) = x_rows.iter().find(|r| r.as_ref().len() != k) {
        return Err(StatsError::Ragged {
            expected: k,
            found: bad.as_ref().len(),
        });
    }
    if k == 0 {
        return Err(StatsError::NotEnoughData {
            what: "at least one design column",
        });
    }
    let mut data = Vec::with_capacity(x_rows.len() * k);
    for r in x_rows {
        data.extend_from_slice(r.as_ref());
    }
    Ok((data, k))
}

/// Pairwise level contrasts of a treatment-coded factor (level 0 the
/// reference, level i ≥ 1 in column `level_columns[i − 1]` of k), each
/// tested by `test`, in the order (0,1), (0,2), …, (1,2), … with contrast
/// `coef(j) − coef(i)`, Holm and BH adjusted over the pairs with a test.
pub(super) fn pairwise_levels_with(
    k: usize,
    level_columns: &[usize],
    mut test: impl FnMut(&[f64]) -> Result<Option<TTest>, StatsError>,
) -> Result<Vec<PairwiseContrast>, StatsError> {
    if level_columns.iter().any(|&j| j >= k) {
        return Err(StatsError::InvalidRestriction {
            what: "coefficient index out of range",
        });
    }
    let column = |level: usize| level.checked_sub(1).map(|i| level_columns[i]);
    let levels = level_columns.len() + 1;
    let mut out = Vec::new();
    for b in 0..levels {
        for a in b + 1..levels {
            let mut c = vec![0.0; k];
            if let Some(j) = column(a) {
                c[j] += 1.0;
            }
            if let Some(j) = column(b) {
                c[j] -= 1.0;
            }
            out.push(PairwiseContrast {
                level_a: a,
                level_b: b,
                test: test(&c)?,
                p_holm: None,
                p_bh: None,
            });
        }
    }
    let raw: Vec<f64> = out.iter().map(|pc| pc.test.map_or(f64::NAN, |t| t.p)).collect();
    let (h, bh) = (holm(&raw), benjamini_hochberg(&raw));
    for (i, pc) in out.iter_mut().enumerate() {
        pc.p_holm = (!h[i].is_nan()).then_some(h[i]);
        pc.p_bh = (!bh[i].is_nan()).then_some(bh[i]);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::super::oracles::ancova_data;
    use super::*;

    fn close(got: f64, want: f64, rel: f64) {
        assert!(
            (got - want).abs() <= rel * want.abs().max(1.0),
            "got {got}, want {want}"
        );
    }

    #[test]
    fn cr2_matches_explicit_bell_mccaffrey_computation() {
        // Reference: an explicit N × N numpy implementation of CR2
        // (A_g = (I − H_gg)^{-1/2} by eigh) and of the Bell–McCaffrey df
        // (eigenvalues of GᵀG, G_g = (I − H)_{·g} A_g X_g (XᵀX)⁻¹ c) on
        // `oracles/ancova.csv`.
        let (x, y, g) = ancova_data();
        let m = ClusterOls::fit(&x, &y, &g, ClusterCovariance::Cr2).unwrap();
        let want_se = [
            4.282559967154003,
            4.327502320536441,
            4.7939613535338355,
            0.06758962518079316,
        ];
        let want_df = [
            7.207678326794843,
            4.12391969947586,
            4.010428572928002,
            6.855902596010195,
        ];
        for j in 0..4 {
            close(m.se()[j], want_se[j], 1e-10);
            let t = m.coef_test(j, 0.05).unwrap().unwrap();
            close(t.df, want_df[j], 1e-9);
        }
        let online_vs_case = m.contrast(&[0.0, -1.0, 1.0, 0.0], 0.05).unwrap().unwrap();
        close(online_vs_case.se, 4.069714822481281, 1e-10);
        close(online_vs_case.df, 4.234680088269684, 1e-9);
        // Wald stays on (q, G − 1).
        assert_eq!(m.wald_coefs(&[1, 2]).unwrap().unwrap().df2, 8.0);
    }

    #[test]
    fn singleton_clusters_reduce_to_hc1_and_hc2() {
        // statsmodels OLS(y, X).fit(cov_type="HC1" / "HC2").bse.
        let (x, y, _) = ancova_data();
        let own: Vec<usize> = (0..y.len()).collect();
        let hc1 = [
            4.325290030848322,
            2.332704920763146,
            2.38734878344693,
            0.07309006217736416,
        ];
        let hc2 = [
            4.4045435109521875,
            2.326999437073092,
            2.38269638179753,
            0.07444882221765227,
        ];
        let cr1 = ClusterOls::fit(&x, &y, &own, ClusterCovariance::Cr1).unwrap();
        let cr2 = ClusterOls::fit(&x, &y, &own, ClusterCovariance::Cr2).unwrap();
        for j in 0..4 {
            close(cr1.se()[j], hc1[j], 1e-10);
            close(cr2.se()[j], hc2[j], 1e-10);
        }
    }

    fn small() -> (Vec<[f64; 2]>, Vec<f64>, Vec<usize>) {
        let x = vec![
            [1.0, 1.0],
            [1.0, 2.0],
            [1.0, 3.0],
            [1.0, 4.0],
            [1.0, 5.0],
            [1.0, 6.0],
        ];
        let y = vec![1.2, 1.9, 3.4, 3.9, 5.3, 5.8];
        (x, y, vec![7, 7, 3, 3, 9, 9])
    }

    #[test]
    fn singular_design_is_an_error() {
        let (_, y, g) = small();
        let dup: Vec<[f64; 3]> = (1..=6)
            .map(|i| [1.0, f64::from(i), 2.0 * f64::from(i)])
            .collect();
        assert_eq!(
            ClusterOls::fit(&dup, &y, &g, ClusterCovariance::Cr1),
            Err(StatsError::SingularDesign { column: 2 })
        );
        // An empty factor level: an all-zero dummy.
        let empty: Vec<[f64; 3]> = (1..=6).map(|i| [1.0, f64::from(i), 0.0]).collect();
        assert!(matches!(
            ClusterOls::fit(&empty, &y, &g, ClusterCovariance::Cr2),
            Err(StatsError::SingularDesign { column: 2 })
        ));
    }

    #[test]
    fn malformed_inputs_are_errors() {
        let (x, y, g) = small();
        assert!(matches!(
            ClusterOls::fit(&x, &y[..5], &g, ClusterCovariance::Cr1),
            Err(StatsError::LengthMismatch { .. })
        ));
        assert!(matches!(
            ClusterOls::fit(&x, &y, &[1, 1, 1, 1, 1, 1], ClusterCovariance::Cr1),
            Err(StatsError::NotEnoughData { .. })
        ));
        assert!(matches!(
            ClusterOls::fit(&x[..2], &y[..2], &g[..2], ClusterCovariance::Cr1),
            Err(StatsError::NotEnoughData { .. })
        ));
        let ragged = vec![vec![1.0, 2.0], vec![1.0]];
        assert!(matches!(
            ClusterOls::fit(&ragged, &y[..2], &g[..2], ClusterCovariance::Cr1),
            Err(StatsError::Ragged { .. })
        ));
        let none: Vec<Vec<f64>> = vec![vec![]; 3];
        assert!(matches!(
            ClusterOls::fit(&none, &y[..3], &g[..3], ClusterCovariance::Cr1),
            Err(StatsError::NotEnoughData { .. })
        ));
        let m = ClusterOls::fit(&x, &y, &g, ClusterCovariance::Cr1).unwrap();
        assert!(m.contrast(&[1.0], 0.05).is_err());
        assert!(m.contrast(&[1.0, f64::NAN], 0.05).is_err());
        assert!(m.coef_test(2, 0.05).is_err());
        assert!(m.wald::<Vec<f64>>(&[]).is_err());
        assert!(m.wald_coefs(&[5]).is_err());
        assert!(m.pairwise_levels(&[4], 0.05).is_err());
        assert!(m.contrast(&[0.0, 1.0], 0.0).is_err());
    }

    #[test]
    fn rows_with_nan_are_dropped() {
        let (mut x, mut y, mut g) = small();
        let base = ClusterOls::fit(&x, &y, &g, ClusterCovariance::Cr1).unwrap();
        x.push([1.0, f64::NAN]);
        y.push(2.0);
        g.push(7);
        x.push([1.0, 8.0]);
        y.push(f64::NAN);
        g.push(11);
        let with = ClusterOls::fit(&x, &y, &g, ClusterCovariance::Cr1).unwrap();
        assert_eq!(with.n(), 6);
        assert_eq!(with.n_clusters(), 3);
        assert_eq!(with.coef(), base.coef());
        assert_eq!(with.se(), base.se());
    }

    /// A cluster's rows need not be adjacent: rows interleaved across clusters give
    /// the clusters and the fit that the same rows grouped give.
    #[test]
    fn a_cluster_s_rows_need_not_be_adjacent() {
        let (x, y, g) = ancova_data();
        let mut order: Vec<usize> = (0..y.len()).collect();
        order.sort_by_key(|&i| (i % 3, std::cmp::Reverse(i)));
        let pick = |v: &[f64]| -> Vec<f64> { order.iter().map(|&i| v[i]).collect() };
        let xs: Vec<[f64; 4]> = order.iter().map(|&i| x[i]).collect();
        let gs: Vec<usize> = order.iter().map(|&i| g[i]).collect();
        assert!(
            gs.windows(2).filter(|w| w[0] != w[1]).count()
                > 2 * gs.iter().collect::<std::collections::BTreeSet<_>>().len()
        );
        for kind in [ClusterCovariance::Cr1, ClusterCovariance::Cr2] {
            let (a, b) = (
                ClusterOls::fit(&x, &y, &g, kind).unwrap(),
                ClusterOls::fit(&xs, &pick(&y), &gs, kind).unwrap(),
            );
            assert_eq!(a.n_clusters(), b.n_clusters());
            for (p, q) in a.se().iter().zip(b.se()) {
                close(q, *p, 1e-10);
            }
        }
    }

    /// A design handed over as one buffer, with incomplete rows among the others, gives
    /// what `fit` gives for the rows as slices, to the bit.
    #[test]
    fn a_flat_design_fits_as_its_rows_do() {
        let (x, y, g) = ancova_data();
        let (mut xs, mut ys, mut gs): (Vec<[f64; 4]>, Vec<f64>, Vec<usize>) = (x.to_vec(), y.to_vec(), g.to_vec());
        // Rows that must be dropped: a NaN outcome, an infinite covariate.
        xs.insert(3, [1.0, 0.0, 1.0, 50.0]);
        ys.insert(3, f64::NAN);
        gs.insert(3, g[3]);
        xs.insert(7, [1.0, 1.0, 0.0, f64::INFINITY]);
        ys.insert(7, 60.0);
        gs.insert(7, g[7]);
        let flat: Vec<f64> = xs.iter().flatten().copied().collect();
        for kind in [ClusterCovariance::Cr1, ClusterCovariance::Cr2] {
            let a = ClusterOls::fit(&xs, &ys, &gs, kind).unwrap();
            let b = ClusterOls::fit_flat(flat.clone(), 4, ys.clone(), &gs, kind).unwrap();
            assert_eq!((a.n(), b.n()), (y.len(), y.len()));
            let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(a.coef()), bits(b.coef()));
            assert_eq!(bits(&a.se()), bits(&b.se()));
        }
        assert!(matches!(
            ClusterOls::fit_flat(flat, 4, ys[..5].to_vec(), &gs, ClusterCovariance::Cr1),
            Err(StatsError::LengthMismatch { .. })
        ));
    }

    #[test]
    fn a_cluster_with_one_member_is_fine() {
        let (x, y, mut g) = small();
        g[5] = 42;
        for kind in [ClusterCovariance::Cr1, ClusterCovariance::Cr2] {
            let m = ClusterOls::fit(&x, &y, &g, kind).unwrap();
            assert_eq!(m.n_clusters(), 4);
            let t = m.coef_test(1, 0.05).unwrap().unwrap();
            assert!(t.se.is_finite() && t.se > 0.0 && (0.0..=1.0).contains(&t.p));
        }
    }

    #[test]
    fn perfect_fit_has_no_test() {
        let (x, _, g) = small();
        let y: Vec<f64> = x.iter().map(|r| 2.0 + 3.0 * r[1]).collect();
        let m = ClusterOls::fit(&x, &y, &g, ClusterCovariance::Cr1).unwrap();
        assert!((m.coef()[1] - 3.0).abs() < 1e-12);
        assert!(m.is_perfect_fit());
        assert_eq!(m.coef_test(1, 0.05).unwrap(), None);
        assert_eq!(m.wald_coefs(&[1]).unwrap(), None);
    }

    #[test]
    fn too_many_restrictions_for_the_clusters_give_none() {
        // Two clusters: the robust covariance has rank ≤ 1, so a joint
        // test of two coefficients is not identified.
        let (x, y, _) = small();
        let g = [1, 1, 1, 2, 2, 2];
        let m = ClusterOls::fit(&x, &y, &g, ClusterCovariance::Cr1).unwrap();
        assert_eq!(m.wald_coefs(&[0, 1]).unwrap(), None);
    }

    #[test]
    fn wald_of_one_coefficient_is_t_squared() {
        let (x, y, g) = ancova_data();
        let m = ClusterOls::fit(&x, &y, &g, ClusterCovariance::Cr1).unwrap();
        let t = m.coef_test(3, 0.05).unwrap().unwrap();
        let w = m.wald_coefs(&[3]).unwrap().unwrap();
        close(w.f, t.t * t.t, 1e-10);
        close(w.p, t.p, 1e-9);
        assert_eq!(m.cov().len(), 4);
        assert_eq!(m.kind(), ClusterCovariance::Cr1);
    }
}
