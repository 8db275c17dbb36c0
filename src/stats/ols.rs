//! Ordinary least squares with cluster-robust covariance (CR1, or CR2 with
//! Satterthwaite degrees of freedom), coefficient t tests, linear
//! contrasts, naive Wald F tests and, under CR2, the HTZ Wald test — enough
//! for the ANCOVA `post ~ pre + method + category` clustered by class and
//! for event-study / DiD regressions.
//!
//! Cost: O(N·K²) for the fit, CR1 or CR2 (the CR2 adjustment works on a
//! thin QR of each cluster's rows, never on an m_g × m_g matrix), and
//! O(G·K²) per Satterthwaite df, O(G·(qK)²) per HTZ test; memory O(N·K) for
//! the design plus, under CR2, two K × K matrices per cluster.
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
use super::linalg::{cholesky, dot, least_squares, spd_inverse, sym_apply, sym_eigen, sym_inv_sqrt, thin_qr_with, Mat};
use super::padjust::{benjamini_hochberg, holm};
use super::ttest::TTest;

mod cells;
pub use cells::{CellModel, CellSums};

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

/// Wald test of q linear restrictions `R b = 0` under CR2 with the HTZ
/// small-sample correction (Pustejovsky & Tipton 2018, §3.2): Hotelling's
/// T² approximation with the degrees of freedom ν of a Wishart matched to
/// the first two moments of the CR2 covariance under a working identity
/// model, as clubSandwich `Wald_test(..., vcov = "CR2", test = "HTZ")`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct HtzTest {
    /// `F = δ·Q/q` with `Q = (Rb)ᵀ (R V Rᵀ)⁻¹ (Rb)` the Wald statistic.
    pub f: f64,
    /// The scale `δ = (ν − q + 1)/ν`.
    pub delta: f64,
    /// q, the number of restrictions.
    pub df1: f64,
    /// `ν − q + 1`, the HTZ denominator df.
    pub df2: f64,
    /// `P(F_{q, ν−q+1} ≥ F)`.
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
    n: usize,
    n_clusters: usize,
    xtx_inv: Mat,
    /// CR2 only, per cluster: `X_gᵀ A_g X_g` and `X_gᵀ A_g² X_g` (K × K),
    /// all the Satterthwaite and HTZ degrees of freedom need.
    cr2: Vec<Cr2Cluster>,
    /// Residuals are rounding noise (R's "essentially perfect fit").
    perfect_fit: bool,
}

/// The two K × K products of one cluster's CR2 adjustment `A_g = (I −
/// H_gg)^{+1/2}` with its design rows.
#[derive(Debug, Clone, PartialEq)]
struct Cr2Cluster {
    /// `X_gᵀ A_g X_g`.
    xax: Mat,
    /// `X_gᵀ A_g² X_g = X_gᵀ (I − H_gg)⁺ X_g`.
    xa2x: Mat,
    /// How many clusters share these two products (1 for a fit on rows; a cell-means
    /// fit stores clusters with equal cell counts once, `ols/cells.rs`).
    copies: f64,
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
                return Err(StatsError::LengthMismatch { left: x_rows.len(), right: len });
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
            return Err(StatsError::NotEnoughData { what: "at least one design column" });
        }
        for len in [x.len() / k, clusters.len()] {
            if len != y.len() || !x.len().is_multiple_of(k) {
                return Err(StatsError::LengthMismatch { left: y.len(), right: len });
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
            return Err(StatsError::NotEnoughData { what: "more complete rows than coefficients" });
        }
        let x = Mat { rows: n, cols: k, data: x };
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
        let groups: Vec<Vec<usize>> = at.into_values().map(|g| std::mem::take(&mut found[g])).collect();
        let g = groups.len();
        if g < 2 {
            return Err(StatsError::NotEnoughData { what: "at least 2 clusters" });
        }
        let (coef, xtx_inv) = least_squares(&x, &y).map_err(|column| StatsError::SingularDesign { column })?;
        let fitted = x.mul_vec(&coef);
        let resid: Vec<f64> = y.iter().zip(&fitted).map(|(a, b)| a - b).collect();
        // R's summary.lm rule: residual variance below 1e-30 · (f̄² + var f)
        // means the residuals are rounding noise and inference is void.
        let resvar = resid.iter().map(|u| u * u).sum::<f64>() / (n - k) as f64;
        let scale = mean(&fitted).map_or(0.0, |m| m * m) + variance(&fitted).unwrap_or(0.0);
        let perfect_fit = resvar <= 1e-30 * scale;

        // Meat Σ_g s_g s_gᵀ with s_g = X_gᵀ û_g (CR1) or X_gᵀ A_g û_g (CR2).
        let mut meat = Mat::zeros(k, k);
        let mut cr2 = Vec::new();
        for rows in &groups {
            let xg = x.select_rows(rows);
            let ug: Vec<f64> = rows.iter().map(|&r| resid[r]).collect();
            let s = match kind {
                ClusterCovariance::Cr1 => xg.tmul_vec(&ug),
                ClusterCovariance::Cr2 => {
                    let (s, c) = cr2_cluster(&xg, &ug, &xtx_inv);
                    cr2.push(c);
                    s
                }
            };
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
        Ok(ClusterOls { kind, coef, cov, n, n_clusters: g, xtx_inv, cr2, perfect_fit })
    }

    /// Covariance estimator used.
    pub fn kind(&self) -> ClusterCovariance {
        self.kind
    }

    /// Observations used (complete rows).
    pub fn n(&self) -> usize {
        self.n
    }

    /// Number of coefficients K.
    pub fn k(&self) -> usize {
        self.coef.len()
    }

    /// Whether the residuals are rounding noise (R's "essentially perfect
    /// fit": residual variance ≤ 10⁻³⁰·(mean(ŷ)² + var(ŷ))); every test is
    /// then `None`.
    pub fn is_perfect_fit(&self) -> bool {
        self.perfect_fit
    }

    /// Number of clusters G.
    pub fn n_clusters(&self) -> usize {
        self.n_clusters
    }

    /// Least-squares coefficients `b = (XᵀX)⁻¹Xᵀy`, in design-column order.
    pub fn coef(&self) -> &[f64] {
        &self.coef
    }

    /// The K × K cluster-robust covariance of `b`, as rows.
    pub fn cov(&self) -> Vec<Vec<f64>> {
        self.cov.data.chunks(self.cov.cols).map(<[f64]>::to_vec).collect()
    }

    /// Robust standard errors `√V_jj`.
    pub fn se(&self) -> Vec<f64> {
        (0..self.k()).map(|j| self.cov[(j, j)].max(0.0).sqrt()).collect()
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
        let rows = unit_rows(self.k(), &[j])?;
        self.contrast(&rows[0], alpha)
    }

    /// Wald F test of `R b = 0`, one restriction per row of `r`:
    /// `F = (Rb)ᵀ (R V Rᵀ)⁻¹ (Rb) / q` on (q, G − 1) df, as statsmodels
    /// `f_test` with `cov_type="cluster"` (Cameron & Miller 2015, §VI.B).
    /// Under CR2 the same statistic is referred to F(q, G − 1) too (the
    /// "Naive-F" of clubSandwich); [`ClusterOls::wald_htz`] is the
    /// small-sample test.
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
        check_restrictions(r, k)?;
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
        let rows = unit_rows(self.k(), indices)?;
        self.wald(&rows)
    }

    /// HTZ Wald test of `R b = 0` under CR2 (see [`HtzTest`]): valid with
    /// few clusters or a method with few classes, where the naive
    /// [`ClusterOls::wald`] over-rejects, at the price of being
    /// conservative. With one restriction it is the squared Satterthwaite t
    /// of [`ClusterOls::contrast`] (δ = 1, df2 = ν).
    ///
    /// Cost: O(G·(qK)²) after the fit, which stored two K × K matrices per
    /// cluster; never N × N.
    ///
    /// `Ok(None)` for a perfect fit, when `R V Rᵀ` or the working-model
    /// covariance of `Rb` is not positive definite (more restrictions than
    /// the clusters identify), or when ν − q + 1 ≤ 0.
    ///
    /// # Errors
    /// [`StatsError::InvalidRestriction`] with no rows, a row without K
    /// finite entries, or a fit that is not CR2.
    pub fn wald_htz<R: AsRef<[f64]>>(&self, r: &[R]) -> Result<Option<HtzTest>, StatsError> {
        let k = self.k();
        check_restrictions(r, k)?;
        if self.kind != ClusterCovariance::Cr2 {
            return Err(StatsError::InvalidRestriction { what: "the HTZ test needs a CR2 fit" });
        }
        if self.perfect_fit {
            return Ok(None);
        }
        let q = r.len();
        let mut c = Mat::zeros(q, k);
        for (i, row) in r.iter().enumerate() {
            c.data[i * k..(i + 1) * k].copy_from_slice(row.as_ref());
        }
        let rb = c.mul_vec(&self.coef);
        let rvr = c.mul(&self.cov).mul(&c.transpose());
        let Some(inv) = spd_inverse(&rvr) else {
            return Ok(None);
        };
        let wald = inv.quad(&rb, &rb);
        let Some(nu) = self.htz_nu(&c) else {
            return Ok(None);
        };
        let qf = q as f64;
        let df2 = nu - qf + 1.0;
        if df2 <= 0.0 {
            return Ok(None);
        }
        let delta = df2 / nu;
        let f = delta * wald / qf;
        Ok(f_sf(f, qf, df2).map(|p| HtzTest { f, delta, df1: qf, df2, p }))
    }

    /// HTZ Wald test that the coefficients at `indices` are all 0 (the
    /// method dummies of the trainee-level ANCOVA, the pre-period
    /// coefficients of an event study); see [`ClusterOls::wald_htz`].
    ///
    /// # Errors
    /// [`StatsError::InvalidRestriction`] with no index, one ≥ K, or a fit
    /// that is not CR2.
    pub fn wald_htz_coefs(&self, indices: &[usize]) -> Result<Option<HtzTest>, StatsError> {
        let rows = unit_rows(self.k(), indices)?;
        self.wald_htz(&rows)
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
    pub fn pairwise_levels(&self, level_columns: &[usize], alpha: f64) -> Result<Vec<PairwiseContrast>, StatsError> {
        pairwise_levels_with(self.k(), level_columns, |c| self.contrast(c, alpha))
    }

    /// Bell–McCaffrey / Satterthwaite df of `cᵀb` under CR2 with a working
    /// identity covariance: the HTZ df of the single restriction `cᵀb = 0`
    /// (for q = 1, ν_Z = (Σ_g P_gg)² / Σ_gh P_gh², Pustejovsky & Tipton
    /// 2018, eq. 11; see [`ClusterOls::htz_nu`]).
    fn satterthwaite_df(&self, c: &[f64]) -> Option<f64> {
        let c = Mat { rows: 1, cols: self.k(), data: c.to_vec() };
        self.htz_nu(&c)
    }

    /// The HTZ degrees of freedom ν of the restrictions `C b` (q × K), as
    /// clubSandwich's `Wald_testing` computes them (`get_GH`, `get_P_array`,
    /// `total_variance_mat`), without its N-sized arrays.
    ///
    /// Clusters stored once with `copies` count that many times in every sum.
    /// With B = (XᵀX)⁻¹ = L Lᵀ and per cluster D_g = C B (X_gᵀA_g²X_g) B Cᵀ
    /// and H_g = C B (X_gᵀA_gX_g) L (q × K), the working-model covariance
    /// pieces are P(g,h) = δ_gh D_g − H_g H_hᵀ and Ω = Σ_g P(g,g). With
    /// Ω^{-1/2} applied on both sides (D̃_g, H̃_g), ν = q(q + 1)/S where
    /// S = Σ_gh [tr(P̃(g,h)²) + tr(P̃(g,h))²]
    ///   = Σ_g [tr D̃_g² + (tr D̃_g)²] − 2 Σ_g [tr(D̃_g H̃_gH̃_gᵀ) + tr D̃_g ‖H̃_g‖²]
    ///     + Σ_{a,b,i,j} T_{ai,bj} T_{bi,aj} + ‖T‖²,  T = Σ_g vec H̃_g (vec H̃_g)ᵀ,
    /// which is O(G·(qK)²). `None` when Ω is not positive definite.
    fn htz_nu(&self, c: &Mat) -> Option<f64> {
        let (q, k) = (c.rows, self.k());
        let cb = c.mul(&self.xtx_inv);
        let cbt = cb.transpose();
        let l = cholesky(&self.xtx_inv)?;
        let parts: Vec<(Mat, Mat, f64)> =
            self.cr2.iter().map(|cl| (cb.mul(&cl.xa2x).mul(&cbt), cb.mul(&cl.xax).mul(&l), cl.copies)).collect();
        let mut omega = Mat::zeros(q, q);
        for (d, h, w) in &parts {
            let hh = h.mul(&h.transpose());
            for ((o, dv), hv) in omega.data.iter_mut().zip(&d.data).zip(&hh.data) {
                *o += w * (dv - hv);
            }
        }
        cholesky(&omega)?;
        let w = sym_inv_sqrt(&omega);
        let qk = q * k;
        let (mut a1, mut a2) = (0.0, 0.0);
        let mut t = Mat::zeros(qk, qk);
        for (d, h, copies) in &parts {
            let dt = w.mul(d).mul(&w);
            let ht = w.mul(h);
            let hht = ht.mul(&ht.transpose());
            let tr_d: f64 = (0..q).map(|i| dt[(i, i)]).sum();
            let mut tr_d2 = 0.0;
            let mut tr_dhh = 0.0;
            for i in 0..q {
                for j in 0..q {
                    tr_d2 += dt[(i, j)] * dt[(j, i)];
                    tr_dhh += dt[(i, j)] * hht[(j, i)];
                }
            }
            let h2: f64 = ht.data.iter().map(|v| v * v).sum();
            a1 += copies * (tr_d2 + tr_d * tr_d);
            a2 += copies * (tr_dhh + tr_d * h2);
            for (p, &hp) in ht.data.iter().enumerate() {
                if hp != 0.0 {
                    for (tv, &hr) in t.data[p * qk..(p + 1) * qk].iter_mut().zip(&ht.data) {
                        *tv += copies * hp * hr;
                    }
                }
            }
        }
        let mut t1 = 0.0;
        for a in 0..q {
            for b in 0..q {
                for i in 0..k {
                    for j in 0..k {
                        t1 += t[(a * k + i, b * k + j)] * t[(b * k + i, a * k + j)];
                    }
                }
            }
        }
        let t2: f64 = t.data.iter().map(|v| v * v).sum();
        let nu = (q * (q + 1)) as f64 / (a1 - 2.0 * a2 + t1 + t2);
        (nu.is_finite() && nu > 0.0).then_some(nu)
    }
}

/// One cluster's CR2 pieces from the thin QR of its rows. With X_g = Q R (Q
/// m_g × r orthonormal, r = min(m_g, K)) and M = R (XᵀX)⁻¹ Rᵀ (r × r),
/// `I − H_gg = Q (I − M) Qᵀ + (I − QQᵀ)`: a function of I − H_gg is that
/// function of I − M on span(Q) and its value at 1 outside, and X_g lies in
/// span(Q). So, with (·)⁺ the pseudo-inverse (eigenvalues ≤ 1e-10 dropped,
/// as [`sym_inv_sqrt`]), `X_gᵀ A_g û_g = Rᵀ (I − M)^{+1/2} Qᵀû_g`,
/// `X_gᵀ A_g X_g = Rᵀ (I − M)^{+1/2} R` and `X_gᵀ A_g² X_g = Rᵀ (I − M)⁺ R`:
/// O(m_g K²) work and K × K storage, never the m_g × m_g matrix A_g (a
/// class of 10⁴ trainees would need 800 MB for it).
fn cr2_cluster(xg: &Mat, ug: &[f64], bread: &Mat) -> (Vec<f64>, Cr2Cluster) {
    let (r, qtu) = thin_qr_with(xg, ug);
    let m = r.mul(bread).mul(&r.transpose());
    let mut i_minus_m = Mat::identity(r.rows);
    i_minus_m.data.iter_mut().zip(&m.data).for_each(|(a, b)| *a -= b);
    let (vals, vecs) = sym_eigen(&i_minus_m);
    let half = sym_apply(&vals, &vecs, |lam| 1.0 / lam.sqrt());
    let full = sym_apply(&vals, &vecs, |lam| 1.0 / lam);
    let rt = r.transpose();
    let rt_half = rt.mul(&half);
    let s = rt_half.mul_vec(&qtu);
    let cluster = Cr2Cluster { xax: rt_half.mul(&r), xa2x: rt.mul(&full).mul(&r), copies: 1.0 };
    (s, cluster)
}

/// The rows of a design as one row-major buffer and their common length k.
///
/// # Errors
/// [`StatsError::Ragged`] if rows differ in length; [`StatsError::NotEnoughData`]
/// when there is no column.
pub(super) fn flatten_rows<R: AsRef<[f64]>>(x_rows: &[R]) -> Result<(Vec<f64>, usize), StatsError> {
    let k = x_rows.first().map_or(0, |r| r.as_ref().len());
    if let Some(bad) = x_rows.iter().find(|r| r.as_ref().len() != k) {
        return Err(StatsError::Ragged { expected: k, found: bad.as_ref().len() });
    }
    if k == 0 {
        return Err(StatsError::NotEnoughData { what: "at least one design column" });
    }
    let mut data = Vec::with_capacity(x_rows.len() * k);
    for r in x_rows {
        data.extend_from_slice(r.as_ref());
    }
    Ok((data, k))
}

/// The restriction rows `e_j` that pick coefficients `indices` out of k.
///
/// # Errors
/// [`StatsError::InvalidRestriction`] when an index is ≥ k.
pub(super) fn unit_rows(k: usize, indices: &[usize]) -> Result<Vec<Vec<f64>>, StatsError> {
    if indices.iter().any(|&j| j >= k) {
        return Err(StatsError::InvalidRestriction { what: "coefficient index out of range" });
    }
    Ok(indices.iter().map(|&j| (0..k).map(|l| if l == j { 1.0 } else { 0.0 }).collect()).collect())
}

/// A restriction matrix must have at least one row, each of k finite weights.
///
/// # Errors
/// [`StatsError::InvalidRestriction`] otherwise.
pub(super) fn check_restrictions<R: AsRef<[f64]>>(r: &[R], k: usize) -> Result<(), StatsError> {
    if r.is_empty() || r.iter().any(|row| row.as_ref().len() != k || !row.as_ref().iter().all(|v| v.is_finite())) {
        return Err(StatsError::InvalidRestriction { what: "restriction matrix needs ≥ 1 row of k finite weights" });
    }
    Ok(())
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
        return Err(StatsError::InvalidRestriction { what: "coefficient index out of range" });
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
            out.push(PairwiseContrast { level_a: a, level_b: b, test: test(&c)?, p_holm: None, p_bh: None });
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
        assert!((got - want).abs() <= rel * want.abs().max(1.0), "got {got}, want {want}");
    }

    #[test]
    fn cr2_matches_explicit_bell_mccaffrey_computation() {
        // Reference: an explicit N × N numpy implementation of CR2
        // (A_g = (I − H_gg)^{-1/2} by eigh) and of the Bell–McCaffrey df
        // (eigenvalues of GᵀG, G_g = (I − H)_{·g} A_g X_g (XᵀX)⁻¹ c) on
        // `oracles/ancova.csv`.
        let (x, y, g) = ancova_data();
        let m = ClusterOls::fit(&x, &y, &g, ClusterCovariance::Cr2).unwrap();
        let want_se = [4.282559967154003, 4.327502320536441, 4.7939613535338355, 0.06758962518079316];
        let want_df = [7.207678326794843, 4.12391969947586, 4.010428572928002, 6.855902596010195];
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
        let hc1 = [4.325290030848322, 2.332704920763146, 2.38734878344693, 0.07309006217736416];
        let hc2 = [4.4045435109521875, 2.326999437073092, 2.38269638179753, 0.07444882221765227];
        let cr1 = ClusterOls::fit(&x, &y, &own, ClusterCovariance::Cr1).unwrap();
        let cr2 = ClusterOls::fit(&x, &y, &own, ClusterCovariance::Cr2).unwrap();
        for j in 0..4 {
            close(cr1.se()[j], hc1[j], 1e-10);
            close(cr2.se()[j], hc2[j], 1e-10);
        }
    }

    fn small() -> (Vec<[f64; 2]>, Vec<f64>, Vec<usize>) {
        let x = vec![[1.0, 1.0], [1.0, 2.0], [1.0, 3.0], [1.0, 4.0], [1.0, 5.0], [1.0, 6.0]];
        let y = vec![1.2, 1.9, 3.4, 3.9, 5.3, 5.8];
        (x, y, vec![7, 7, 3, 3, 9, 9])
    }

    #[test]
    fn singular_design_is_an_error() {
        let (_, y, g) = small();
        let dup: Vec<[f64; 3]> = (1..=6).map(|i| [1.0, f64::from(i), 2.0 * f64::from(i)]).collect();
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
            let (a, b) =
                (ClusterOls::fit(&x, &y, &g, kind).unwrap(), ClusterOls::fit(&xs, &pick(&y), &gs, kind).unwrap());
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

    use super::super::testdata::{self, close_p, trainee_design, trainees};

    /// One block of `tests/data/r/class_inference.R` (`htz_block`):
    /// clubSandwich 0.5.8 `coef_test(..., "CR2", test = "Satterthwaite")`
    /// and `Wald_test(..., constrain_zero(method terms), "CR2", test =
    /// c("HTZ", "Naive-F"))` of `lm(post ~ pre + method (+ category))`
    /// clustered by class.
    struct HtzRef {
        coef: &'static [f64],
        se: &'static [f64],
        df: &'static [f64],
        p: &'static [f64],
        /// F, δ, df1, df2, p.
        htz: [f64; 5],
        /// F, df1, df2, p of the naive F on G − 1.
        naive: [f64; 4],
        /// F, df2, p of HTZ on the single contrast (second − first method).
        contrast: [f64; 3],
    }

    const HTZ_ORACLE: HtzRef = HtzRef {
        coef: &[22.59756572057128, 0.7703305190360006, 7.313374348352674, -0.16825519416310908],
        se: &[4.282559967154291, 0.06758962518079661, 4.327502320536446, 4.793961353533825],
        df: &[7.207678326794841, 6.855902596010199, 4.123919699475865, 4.010428572928008],
        p: &[0.0010494043456185749, 1.0491911694310681e-05, 0.16414576533985156, 0.9736796023287458],
        htz: [1.8134530459227358, 0.783396697217646, 2.0, 3.616734773452711, 0.284789263368148],
        naive: [2.3148591924927606, 2.0, 8.0, 0.16098495130857918],
        contrast: [3.3795933291888525, 4.234680088269687, 0.1358852647366193],
    };
    const HTZ_BALANCED: HtzRef = HtzRef {
        coef: &[
            14.48097807717247,
            0.7707012421598065,
            4.586599693035849,
            -1.479592802346908,
            2.75160415654405,
            1.5289474982567823,
            -2.378479508308229,
        ],
        se: &[
            4.045412043034269,
            0.04598530767750212,
            4.868917402479043,
            3.0579276106870723,
            3.0657299277960823,
            1.2311385712421161,
            1.003700425231008,
        ],
        df: &[
            13.220143042172678,
            13.73266428405326,
            6.110873578673443,
            6.111867854223182,
            6.079456305264499,
            14.372227299473083,
            14.64681729704793,
        ],
        p: &[
            0.0032788720601660015,
            1.5545473720744762e-10,
            0.38191761971598687,
            0.645337360366544,
            0.40357450106547454,
            0.23415937419635574,
            0.03200079623649435,
        ],
        htz: [1.0021482929967245, 0.7522778578675083, 3.0, 6.073561704186785, 0.4532855864037566],
        naive: [1.3321517874227047, 3.0, 15.0, 0.3011296175380572],
        contrast: [1.8444672417640076, 6.047103423522663, 0.22291173407381445],
    };
    const HTZ_TWO: HtzRef = HtzRef {
        coef: &[
            26.37417674586179,
            0.6660555516469756,
            0.600897331862418,
            -2.334395059743058,
            1.1718671046586842,
            -2.4541693581164172,
        ],
        se: &[
            4.8300134365695655,
            0.08015657343993934,
            3.232770113244804,
            4.840551722769252,
            2.2428655288207757,
            2.6081512246653182,
        ],
        df: &[
            6.904437578052542,
            6.400102074658564,
            4.616507240045718,
            2.3706482083721143,
            7.044464285709904,
            6.468540640913741,
        ],
        p: &[
            0.0009898849371905833,
            0.00011689554490079217,
            0.8604292439449892,
            0.6705453286937935,
            0.6173556062866341,
            0.3805237827409462,
        ],
        htz: [0.15225618307648905, 0.7117097686395593, 2.0, 2.4687266206732117, 0.8662574952098404],
        naive: [0.213930157748893, 2.0, 8.0, 0.8118777364317735],
        contrast: [0.42724171715380777, 2.3744245690963037, 0.5710042337473067],
    };
    const HTZ_UNBAL: HtzRef = HtzRef {
        coef: &[
            20.14850878964675,
            0.7041282662424725,
            -0.535501188418352,
            -4.504654807170353,
            4.207164246859486,
            2.854539998022783,
            -0.9020844506530565,
        ],
        se: &[
            2.4315355029723826,
            0.03136353131201917,
            2.142259046218247,
            2.2650590268437996,
            5.38077038444051,
            0.6667257394011513,
            0.7111041542299573,
        ],
        df: &[
            12.15586121484959,
            11.406788622886802,
            4.612076927877281,
            4.161807094660873,
            3.099947029269519,
            12.291405087814468,
            13.018150679498858,
        ],
        p: &[
            2.4001597519982674e-06,
            8.488096087957905e-11,
            0.8133582216394447,
            0.11486891220594299,
            0.4896289302056785,
            0.0010110080798628898,
            0.22681040437879266,
        ],
        htz: [2.465478561934203, 0.5351642817025487, 3.0, 2.3025953498697955, 0.27858990007722784],
        naive: [4.60695649210862, 3.0, 16.0, 0.016561391736845895],
        contrast: [11.626090686797676, 3.4816830030541954, 0.03355137207956121],
    };

    fn check_htz(csv: &str, category: bool, want: &HtzRef) {
        let ts = trainees(csv);
        let (x, y, g) = trainee_design(&ts, category);
        let m = ClusterOls::fit(&x, &y, &g, ClusterCovariance::Cr2).unwrap();
        testdata::close_all(m.coef(), want.coef, 1e-10);
        testdata::close_all(&m.se(), want.se, 1e-9);
        for j in 0..m.k() {
            let t = m.coef_test(j, 0.05).unwrap().unwrap();
            testdata::close(t.df, want.df[j], 1e-9);
            close_p(t.p, want.p[j]);
        }
        let methods: Vec<usize> = (2..2 + want.htz[2] as usize).collect();
        let h = m.wald_htz_coefs(&methods).unwrap().unwrap();
        testdata::close(h.f, want.htz[0], 1e-9);
        testdata::close(h.delta, want.htz[1], 1e-9);
        assert_eq!(h.df1, want.htz[2]);
        testdata::close(h.df2, want.htz[3], 1e-9);
        close_p(h.p, want.htz[4]);
        let naive = m.wald_coefs(&methods).unwrap().unwrap();
        testdata::close(naive.f, want.naive[0], 1e-9);
        assert_eq!((naive.df1, naive.df2), (want.naive[1], want.naive[2]));
        close_p(naive.p, want.naive[3]);
        let mut c = vec![0.0; m.k()];
        (c[2], c[3]) = (-1.0, 1.0);
        let one = m.wald_htz(&[c.clone()]).unwrap().unwrap();
        testdata::close(one.f, want.contrast[0], 1e-9);
        testdata::close(one.df2, want.contrast[1], 1e-9);
        close_p(one.p, want.contrast[2]);
        // q = 1: the squared Satterthwaite t, δ = 1.
        let t = m.contrast(&c, 0.05).unwrap().unwrap();
        testdata::close(one.f, t.t * t.t, 1e-10);
        testdata::close(one.df2, t.df, 1e-10);
        testdata::close(one.delta, 1.0, 1e-12);
    }

    #[test]
    fn htz_and_satterthwaite_match_clubsandwich_on_the_oracle_data() {
        check_htz(testdata::ORACLE_ANCOVA, false, &HTZ_ORACLE);
    }

    #[test]
    fn htz_and_satterthwaite_match_clubsandwich_on_balanced_classes() {
        check_htz(testdata::BALANCED, true, &HTZ_BALANCED);
    }

    #[test]
    fn htz_and_satterthwaite_match_clubsandwich_with_a_two_class_method() {
        check_htz(testdata::TWO_CLASSES, true, &HTZ_TWO);
    }

    #[test]
    fn htz_and_satterthwaite_match_clubsandwich_on_unbalanced_classes() {
        check_htz(testdata::UNBALANCED, true, &HTZ_UNBAL);
    }

    #[test]
    fn htz_needs_cr2_and_enough_clusters() {
        let (x, y, g) = ancova_data();
        let cr1 = ClusterOls::fit(&x, &y, &g, ClusterCovariance::Cr1).unwrap();
        assert!(matches!(cr1.wald_htz_coefs(&[1, 2]), Err(StatsError::InvalidRestriction { .. })));
        let cr2 = ClusterOls::fit(&x, &y, &g, ClusterCovariance::Cr2).unwrap();
        assert!(cr2.wald_htz::<Vec<f64>>(&[]).is_err());
        assert!(cr2.wald_htz(&[vec![1.0]]).is_err());
        assert!(cr2.wald_htz_coefs(&[4]).is_err());
        // The same restriction twice: R V Rᵀ is singular.
        assert_eq!(cr2.wald_htz_coefs(&[1, 1]).unwrap(), None);
        // Under CR2 the meat has rank ≤ G (the adjusted scores do not sum to
        // 0): two clusters cannot support three restrictions.
        let (x, y, g) = ancova_data();
        let halves: Vec<usize> = g.iter().map(|c| c % 2).collect();
        let two = ClusterOls::fit(&x, &y, &halves, ClusterCovariance::Cr2).unwrap();
        assert_eq!(two.wald_htz_coefs(&[1, 2, 3]).unwrap(), None);
        // Perfect fit.
        let (x, _, _) = small();
        let y: Vec<f64> = x.iter().map(|r| 2.0 + 3.0 * r[1]).collect();
        let exact = ClusterOls::fit(&x, &y, &[7, 7, 3, 3, 9, 9], ClusterCovariance::Cr2).unwrap();
        assert_eq!(exact.wald_htz_coefs(&[1]).unwrap(), None);
    }

    /// `event.csv`: each row's cluster, `[1, treated, post, treated·post]`
    /// (post = rel ≥ 0) and the event-study design `[1, treated, rel dummies
    /// −3, −2, 0, 1, 2, treated × each]` (reference rel = −1), and y.
    type EventDesigns = (Vec<usize>, Vec<[f64; 4]>, Vec<Vec<f64>>, Vec<f64>);

    fn event_designs() -> EventDesigns {
        let rows = testdata::event_rows();
        let did = rows
            .iter()
            .map(|r| {
                let post = if r.rel >= 0 { 1.0 } else { 0.0 };
                [1.0, r.treated, post, r.treated * post]
            })
            .collect();
        let rels = [-3, -2, 0, 1, 2];
        let es = rows
            .iter()
            .map(|r| {
                let d: Vec<f64> = rels.iter().map(|&k| if r.rel == k { 1.0 } else { 0.0 }).collect();
                let mut row = vec![1.0, r.treated];
                row.extend(&d);
                row.extend(d.iter().map(|v| v * r.treated));
                row
            })
            .collect();
        (rows.iter().map(|r| r.cluster).collect(), did, es, rows.iter().map(|r| r.y).collect())
    }

    /// DiD `y ~ treated * post` and the event study with CR2 by cluster, on
    /// data with a cluster of 200 rows (its adjustment works on a 4 × 4 or
    /// 12 × 12 problem) and two clusters of a single row (their I − H_gg is
    /// a scalar): clubSandwich `coef_test` and the HTZ pre-trend test
    /// (`class_inference.R`, section 10).
    #[test]
    fn did_and_event_study_with_large_and_single_row_clusters_match_clubsandwich() {
        let (g, did, es, y) = event_designs();
        let sizes: Vec<usize> = (0..10).map(|c| g.iter().filter(|&&k| k == c).count()).collect();
        assert_eq!((sizes[0], sizes[1], sizes[7]), (200, 1, 1));
        let m = ClusterOls::fit(&did, &y, &g, ClusterCovariance::Cr2).unwrap();
        let (coef, se, df, p) = (
            [49.74065934065932, 1.0533297303789333, 3.813785103785119, 2.9087972537480575],
            [0.9756424311237696, 2.250988513148275, 0.28018876075997073, 0.2669516206798979],
            [3.4508248486800763, 5.2132101323134314, 3.433607305156361, 5.191807139461044],
            [4.337467843055791e-06, 0.6587400123338705, 0.00041502026649600733, 8.983789281686569e-05],
        );
        testdata::close_all(m.coef(), &coef, 1e-10);
        testdata::close_all(&m.se(), &se, 1e-9);
        for j in 0..4 {
            let t = m.coef_test(j, 0.05).unwrap().unwrap();
            testdata::close(t.df, df[j], 1e-9);
            close_p(t.p, p[j]);
        }
        let m = ClusterOls::fit(&es, &y, &g, ClusterCovariance::Cr2).unwrap();
        let (coef, se, df, p, pretrend) = (
            [
                50.48275862068968,
                1.905765969474251,
                -2.1085650723025835,
                -0.06985539488324025,
                1.5872413793103122,
                3.7472413793103128,
                3.8805747126436274,
                -0.8782928511946799,
                -1.74608855011937,
                2.9191492847630665,
                0.6576766534766014,
                2.716355242646994,
            ],
            [
                0.7886139862520146,
                2.188181075568693,
                0.5400041695910156,
                0.49039991909692704,
                0.40054342960433764,
                0.6837005793646007,
                0.585650987577658,
                0.578096080292524,
                0.6414496631291171,
                0.8397320524029646,
                0.8859668865289938,
                0.7464781004180311,
            ],
            [
                3.351015840607812,
                5.075522463842477,
                3.4698283742883067,
                3.3872523741823635,
                3.4762096652458103,
                3.3347025363795226,
                3.369796599192077,
                5.1966202258855985,
                5.164434959754478,
                5.2204191297696525,
                5.046997119081423,
                5.147719524157495,
            ],
            [
                2.716291133133189e-06,
                0.4230623517256515,
                0.02283918836693246,
                0.8947877162649346,
                0.02179247426159709,
                0.009004941708946477,
                0.004827505361646644,
                0.18698041720923544,
                0.04028533512408723,
                0.016531967844070922,
                0.49097230404387115,
                0.014180553984458973,
            ],
            [3.0727137606947412, 0.807726253587392, 2.0, 4.200918059057629, 0.15058804657598082],
        );
        testdata::close_all(m.coef(), &coef, 1e-10);
        testdata::close_all(&m.se(), &se, 1e-9);
        for j in 0..12 {
            let t = m.coef_test(j, 0.05).unwrap().unwrap();
            testdata::close(t.df, df[j], 1e-9);
            close_p(t.p, p[j]);
        }
        // Joint pre-trend test: treated × rel −3 and −2 (columns 7, 8).
        let h = m.wald_htz_coefs(&[7, 8]).unwrap().unwrap();
        testdata::close(h.f, pretrend[0], 1e-9);
        testdata::close(h.delta, pretrend[1], 1e-9);
        assert_eq!(h.df1, pretrend[2]);
        testdata::close(h.df2, pretrend[3], 1e-9);
        close_p(h.p, pretrend[4]);
    }
}
