//! Classical least squares (homoskedastic errors), optionally weighted: the
//! class-level ANCOVA `class_post ~ class_pre + method (+ covariates)` with
//! one row per class.
//!
//! In: the design matrix as rows (the caller adds the intercept and the
//! dummy columns), the response and, for WLS, one weight per row. Rows with
//! a non-finite value in `x`, `y` or the weight are dropped (listwise), and
//! so are rows of weight 0 (they do not count in n or in the residual df,
//! as in R `lm`). Out: a fitted [`Ols`] to query — coefficient t tests,
//! linear contrasts on the residual df n − k, F tests of sets of
//! coefficients with their partial η², pairwise level contrasts with Holm
//! and Benjamini–Hochberg p. Matches R `lm`, `summary.lm`, `confint`,
//! `anova(lm0, lm1)` (tests against values of `tests/data/r/class_inference.R`).
//!
//! Guarantees: inference is `None` where undefined (a perfect fit, a zero
//! standard error); malformed input (lengths, ragged rows, a negative
//! weight, n ≤ k) and a rank-deficient design are a [`StatsError`] — the
//! latter is [`StatsError::SingularDesign`] naming the first collinear
//! column, which a caller maps to "not estimable" (an empty method level, a
//! covariate constant within the classes used).

use serde::Serialize;

use super::descriptive::{mean, variance};
use super::dist::{check_alpha, f_sf};
use super::error::StatsError;
use super::linalg::{dot, least_squares, spd_inverse, Mat};
use super::ols::{check_restrictions, flatten_rows, pairwise_levels_with, unit_rows, PairwiseContrast};
use super::ttest::TTest;

/// F test of q linear restrictions in a classical least-squares fit.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct FTest {
    /// `F = (Rb)ᵀ [R (XᵀWX)⁻¹ Rᵀ]⁻¹ (Rb) / (q·σ̂²)`, equal to the
    /// nested-model F `((RSS₀ − RSS₁)/q) / (RSS₁/(n − k))`.
    pub f: f64,
    /// q, the number of restrictions.
    pub df1: f64,
    /// The residual df n − k.
    pub df2: f64,
    /// `P(F_{q, n−k} ≥ F)`.
    pub p: f64,
    /// Partial η² of the restricted set,
    /// `SS_effect / (SS_effect + SS_resid) = F·q / (F·q + (n − k))`.
    pub partial_eta_sq: f64,
}

/// A classical (optionally weighted) least-squares fit.
#[derive(Debug, Clone, PartialEq)]
pub struct Ols {
    coef: Vec<f64>,
    /// `(XᵀWX)⁻¹`.
    xtx_inv: Mat,
    n: usize,
    /// Residual sum of squares `Σ wᵢ ûᵢ²`.
    rss: f64,
    /// Residuals are rounding noise (R's "essentially perfect fit").
    perfect_fit: bool,
}

impl Ols {
    /// Ordinary least squares of `y` on the rows `x_rows` by Householder QR
    /// (R `lm(y ~ 0 + X)`; include a column of ones for an intercept).
    ///
    /// # Errors
    /// - [`StatsError::LengthMismatch`] if `x_rows` and `y` differ in
    ///   length; [`StatsError::Ragged`] if rows differ in length;
    /// - [`StatsError::NotEnoughData`] with no column or n ≤ k complete rows
    ///   (no residual degree of freedom);
    /// - [`StatsError::SingularDesign`] if a column is collinear with
    ///   earlier ones (see the module doc).
    pub fn fit<R: AsRef<[f64]>>(x_rows: &[R], y: &[f64]) -> Result<Self, StatsError> {
        Self::fit_impl(x_rows, y, None)
    }

    /// Weighted least squares, minimising `Σ wᵢ (yᵢ − xᵢᵀb)²` (R `lm(...,
    /// weights = w)`), e.g. class means weighted by class size. The residual
    /// variance is `Σ wᵢ ûᵢ² / (n − k)` with n the rows of positive weight.
    ///
    /// # Errors
    /// As [`Ols::fit`]; [`StatsError::LengthMismatch`] if `weights` does not
    /// have one entry per row; [`StatsError::InvalidWeight`] for a negative
    /// weight.
    pub fn fit_weighted<R: AsRef<[f64]>>(x_rows: &[R], y: &[f64], weights: &[f64]) -> Result<Self, StatsError> {
        if weights.len() != x_rows.len() {
            return Err(StatsError::LengthMismatch { left: x_rows.len(), right: weights.len() });
        }
        if let Some(&w) = weights.iter().find(|w| **w < 0.0) {
            return Err(StatsError::InvalidWeight(w));
        }
        Self::fit_impl(x_rows, y, Some(weights))
    }

    fn fit_impl<R: AsRef<[f64]>>(x_rows: &[R], y: &[f64], weights: Option<&[f64]>) -> Result<Self, StatsError> {
        if y.len() != x_rows.len() {
            return Err(StatsError::LengthMismatch { left: x_rows.len(), right: y.len() });
        }
        let (flat, k) = flatten_rows(x_rows)?;
        // Complete rows, each scaled by √w (WLS as OLS of the scaled rows).
        let mut data = Vec::with_capacity(flat.len());
        let mut ys = Vec::with_capacity(y.len());
        let mut sqrt_w = Vec::with_capacity(y.len());
        for (i, row) in flat.chunks_exact(k).enumerate() {
            let w = weights.map_or(1.0, |w| w[i]);
            if !(y[i].is_finite() && w.is_finite() && w > 0.0 && row.iter().all(|v| v.is_finite())) {
                continue;
            }
            let s = w.sqrt();
            data.extend(row.iter().map(|v| v * s));
            ys.push(y[i] * s);
            sqrt_w.push(s);
        }
        let n = ys.len();
        if n <= k {
            return Err(StatsError::NotEnoughData { what: "more complete rows than coefficients" });
        }
        let x = Mat { rows: n, cols: k, data };
        let (coef, xtx_inv) = least_squares(&x, &ys).map_err(|column| StatsError::SingularDesign { column })?;
        let fitted_w = x.mul_vec(&coef);
        let rss: f64 = ys.iter().zip(&fitted_w).map(|(a, b)| (a - b) * (a - b)).sum();
        // R's summary.lm rule on the fitted values (unscaled): a residual
        // variance below 1e-30·(f̄² + var f) is rounding noise.
        let fitted: Vec<f64> = fitted_w.iter().zip(&sqrt_w).map(|(f, s)| f / s).collect();
        let scale = mean(&fitted).map_or(0.0, |m| m * m) + variance(&fitted).unwrap_or(0.0);
        let perfect_fit = rss / (n - k) as f64 <= 1e-30 * scale;
        Ok(Ols { coef, xtx_inv, n, rss, perfect_fit })
    }

    /// Observations used (complete rows of positive weight).
    pub fn n(&self) -> usize {
        self.n
    }

    /// Number of coefficients k.
    pub fn k(&self) -> usize {
        self.coef.len()
    }

    /// Residual degrees of freedom n − k.
    pub fn df_resid(&self) -> f64 {
        (self.n - self.k()) as f64
    }

    /// Least-squares coefficients, in design-column order.
    pub fn coef(&self) -> &[f64] {
        &self.coef
    }

    /// Residual sum of squares `Σ wᵢ ûᵢ²`.
    pub fn rss(&self) -> f64 {
        self.rss
    }

    /// Residual standard error `σ̂ = √(RSS/(n − k))` (R `sigma(fit)`).
    pub fn sigma(&self) -> f64 {
        (self.rss / self.df_resid()).sqrt()
    }

    /// Whether the residuals are rounding noise (R's "essentially perfect
    /// fit"); every test is then `None`.
    pub fn is_perfect_fit(&self) -> bool {
        self.perfect_fit
    }

    /// The k × k covariance `σ̂² (XᵀWX)⁻¹` of the coefficients (R `vcov`),
    /// as rows.
    pub fn cov(&self) -> Vec<Vec<f64>> {
        let s2 = self.rss / self.df_resid();
        self.xtx_inv.data.chunks(self.k()).map(|r| r.iter().map(|v| v * s2).collect()).collect()
    }

    /// Standard errors `σ̂ √[(XᵀWX)⁻¹]_jj`.
    pub fn se(&self) -> Vec<f64> {
        let s2 = self.rss / self.df_resid();
        (0..self.k()).map(|j| (s2 * self.xtx_inv[(j, j)]).max(0.0).sqrt()).collect()
    }

    /// t test of the linear contrast `cᵀb`: se `σ̂ √(cᵀ(XᵀWX)⁻¹c)`, t on n − k
    /// df, two-sided p, `1 − alpha` interval (R `confint` for a coefficient).
    /// `Ok(None)` when the standard error is 0 or the fit is perfect.
    ///
    /// # Errors
    /// [`StatsError::InvalidRestriction`] when `c` does not have k finite
    /// entries; [`StatsError::InvalidAlpha`] unless 0 < alpha < 1.
    pub fn contrast(&self, c: &[f64], alpha: f64) -> Result<Option<TTest>, StatsError> {
        check_alpha(alpha)?;
        if c.len() != self.k() || !c.iter().all(|v| v.is_finite()) {
            return Err(StatsError::InvalidRestriction {
                what: "contrast must have one finite weight per coefficient",
            });
        }
        let var = self.rss / self.df_resid() * self.xtx_inv.quad(c, c);
        if self.perfect_fit || var.is_nan() || var <= 0.0 {
            return Ok(None);
        }
        Ok(TTest::checked(dot(c, &self.coef), var.sqrt(), self.df_resid(), alpha))
    }

    /// t test of coefficient j (see [`Ols::contrast`]).
    ///
    /// # Errors
    /// [`StatsError::InvalidRestriction`] when `j ≥ k`;
    /// [`StatsError::InvalidAlpha`] unless 0 < alpha < 1.
    pub fn coef_test(&self, j: usize, alpha: f64) -> Result<Option<TTest>, StatsError> {
        let rows = unit_rows(self.k(), &[j])?;
        self.contrast(&rows[0], alpha)
    }

    /// F test of `R b = 0`, one restriction per row of `r`, on (q, n − k)
    /// df, with the partial η² of the set (see [`FTest`]). For restrictions
    /// that set coefficients to 0 it is R's `anova(lm0, lm1)` of the model
    /// without them against the full model. `Ok(None)` for a perfect fit.
    ///
    /// # Errors
    /// [`StatsError::InvalidRestriction`] with no rows, a row without k
    /// finite entries, or linearly dependent rows.
    pub fn f_test<R: AsRef<[f64]>>(&self, r: &[R]) -> Result<Option<FTest>, StatsError> {
        let k = self.k();
        check_restrictions(r, k)?;
        let q = r.len();
        let rb: Vec<f64> = r.iter().map(|row| dot(row.as_ref(), &self.coef)).collect();
        let mut rar = Mat::zeros(q, q);
        for i in 0..q {
            for j in 0..q {
                rar[(i, j)] = self.xtx_inv.quad(r[i].as_ref(), r[j].as_ref());
            }
        }
        let Some(inv) = spd_inverse(&rar) else {
            return Err(StatsError::InvalidRestriction { what: "restriction rows are linearly dependent" });
        };
        if self.perfect_fit {
            return Ok(None);
        }
        let (df1, df2) = (q as f64, self.df_resid());
        let ss_effect = inv.quad(&rb, &rb);
        let f = ss_effect / df1 / (self.rss / df2);
        Ok(f_sf(f, df1, df2).map(|p| FTest { f, df1, df2, p, partial_eta_sq: ss_effect / (ss_effect + self.rss) }))
    }

    /// F test that the coefficients at `indices` are all 0 (e.g. the method
    /// dummies of the class ANCOVA); see [`Ols::f_test`].
    ///
    /// # Errors
    /// [`StatsError::InvalidRestriction`] with no index, an index ≥ k or a
    /// repeated index.
    pub fn f_test_coefs(&self, indices: &[usize]) -> Result<Option<FTest>, StatsError> {
        let rows = unit_rows(self.k(), indices)?;
        self.f_test(&rows)
    }

    /// All pairwise differences between the levels of a treatment-coded
    /// factor, each a [`Ols::contrast`] on n − k df, with Holm and
    /// Benjamini–Hochberg adjustment over all pairs; levels, order and
    /// signs as [`super::ClusterOls::pairwise_levels`] (SPEC Appendix C.13).
    ///
    /// # Errors
    /// [`StatsError::InvalidRestriction`] when a column index is ≥ k;
    /// [`StatsError::InvalidAlpha`] unless 0 < alpha < 1.
    pub fn pairwise_levels(&self, level_columns: &[usize], alpha: f64) -> Result<Vec<PairwiseContrast>, StatsError> {
        pairwise_levels_with(self.k(), level_columns, |c| self.contrast(c, alpha))
    }
}

#[cfg(test)]
mod tests {
    use super::super::testdata::{class_design, class_means, close, close_all, close_p, method_levels, trainees};
    use super::super::testdata::{BALANCED, ORACLE_ANCOVA, TWO_CLASSES, UNBALANCED};
    use super::*;

    /// One block of `tests/data/r/class_inference.R` (`ols_block`): R `lm`,
    /// `summary`, `confint`, `anova(lm0, lm1)` and the pairwise contrasts
    /// from `vcov`, printed with `%.17g`.
    struct LmRef {
        coef: &'static [f64],
        se: &'static [f64],
        t: &'static [f64],
        p: &'static [f64],
        df: f64,
        sigma: f64,
        ci_low: &'static [f64],
        ci_high: &'static [f64],
        /// F, df1, df2, p of the method terms.
        f: [f64; 4],
        eta: f64,
        pair_est: &'static [f64],
        pair_se: &'static [f64],
        pair_t: &'static [f64],
        pair_p: &'static [f64],
        pair_ci_low: &'static [f64],
        pair_ci_high: &'static [f64],
        pair_holm: &'static [f64],
        pair_bh: &'static [f64],
    }

    const OLS_ORACLE: LmRef = LmRef {
        coef: &[15.80317441678408, 0.8784640676373887, 7.872064349459844, -0.3244480976984483],
        se: &[43.11314257155191, 0.6838781309760921, 6.088526160789545, 5.055812597088392],
        t: &[0.366551206295311, 1.2845330591045019, 1.2929343065250152, -0.06417328401082266],
        p: &[0.728953967117437, 0.2552473153334967, 0.25254937180178444, 0.9513188733832776],
        df: 5.0,
        sigma: 6.0727396816222425,
        ci_low: &[-95.02268675484594, -0.879500633638665, -7.77899040526226, -13.320828124155122],
        ci_high: &[126.62903558841408, 2.6364287689134427, 23.523119104181948, 12.671931928758225],
        f: [0.9383539173607383, 2.0, 5.0, 0.45078927800073143],
        eta: 0.27290789136710325,
        pair_est: &[7.872064349459844, -0.3244480976984483, -8.196512447158293],
        pair_se: &[6.088526160789544, 5.055812597088391, 6.710189477133608],
        pair_t: &[1.2929343065250154, -0.06417328401082267, -1.2215023845585353],
        pair_p: &[0.25254937180178416, 0.9513188733832776, 0.27634228764172186],
        pair_ci_low: &[-7.77899040526226, -13.320828124155122, -25.445603630755876],
        pair_ci_high: &[23.523119104181948, 12.671931928758225, 9.052578736439292],
        pair_holm: &[0.7576481154053525, 0.9513188733832776, 0.7576481154053525],
        pair_bh: &[0.4145134314625828, 0.9513188733832776, 0.4145134314625828],
    };
    const OLS_BALANCED: LmRef = LmRef {
        coef: &[-20.061512505853564, 1.3251590719794328, 6.230105619665799, -0.6376057599668081, 4.026254874078823],
        se: &[50.79864774339034, 0.8151922593554751, 4.7322108865317905, 4.1217969678062945, 4.460564108779584],
        t: &[-0.3949221760231573, 1.6255785758161623, 1.3165316950259176, -0.15469120991327118, 0.9026335629061077],
        p: &[0.7004504102495955, 0.13232029813612853, 0.21476664485266106, 0.8798665863754127, 0.3860594694115058],
        df: 11.0,
        sigma: 5.5190417856902485,
        ci_low: &[-131.8685823417783, -0.4690669934835421, -4.18542031601477, -9.709619719019175, -5.791380534982428],
        ci_high: &[91.7455573300712, 3.119385137442408, 16.645631555346366, 8.434408199085558, 13.843890283140075],
        f: [1.0617000292999887, 3.0, 11.0, 0.4045794250357451],
        eta: 0.2245384289263414,
        pair_est: &[
            6.230105619665799,
            -0.6376057599668081,
            4.026254874078823,
            -6.867711379632607,
            -2.2038507455869754,
            4.663860634045632,
        ],
        pair_se: &[
            4.7322108865317905,
            4.121796967806294,
            4.460564108779584,
            4.1295095383356335,
            3.9365549481754525,
            3.990646131236858,
        ],
        pair_t: &[
            1.3165316950259176,
            -0.1546912099132712,
            0.9026335629061077,
            -1.6630816119631933,
            -0.5598424954307915,
            1.1686981207226506,
        ],
        pair_p: &[
            0.21476664485266106,
            0.8798665863754127,
            0.3860594694115058,
            0.12449510876083227,
            0.5868062234982059,
            0.2672292778867461,
        ],
        pair_ci_low: &[
            -4.18542031601477,
            -9.709619719019175,
            -5.791380534982428,
            -15.95670059196621,
            -10.868149768406457,
            -4.119492279983804,
        ],
        pair_ci_high: &[
            16.645631555346366,
            8.434408199085558,
            13.843890283140075,
            2.221277832700996,
            6.460448277232506,
            13.447213548075068,
        ],
        pair_holm: &[1.0, 1.0, 1.0, 0.7469706525649936, 1.0, 1.0],
        pair_bh: &[
            0.5344585557734922,
            0.8798665863754127,
            0.5790892041172587,
            0.5344585557734922,
            0.704167468197847,
            0.5344585557734922,
        ],
    };
    const OLS_TWO: LmRef = LmRef {
        coef: &[44.812373158478884, 0.3421218781303386, 1.3426856552137754, 0.7529731613346807],
        se: &[31.633901610544612, 0.5286004221165327, 3.5233348663799977, 4.346259878334509],
        t: &[1.4165933026592412, 0.6472221054241157, 0.3810837476805886, 0.1732462352488735],
        p: &[0.215779748721522, 0.5460249644924876, 0.7187964253221084, 0.8692530532850753],
        df: 5.0,
        sigma: 4.60132328119434,
        ci_low: &[-36.50515971189342, -1.0166887652721084, -7.714334953166746, -10.419443534866902],
        ci_high: &[126.1299060288512, 1.7009325215327855, 10.399706263594297, 11.925389857536265],
        f: [0.07315851362060526, 2.0, 5.0, 0.9304299245779273],
        eta: 0.028431405695899536,
        pair_est: &[1.3426856552137754, 0.7529731613346807, -0.5897124938790946],
        pair_se: &[3.5233348663799977, 4.346259878334509, 4.4546155463271315],
        pair_t: &[0.3810837476805886, 0.1732462352488735, -0.13238235437967652],
        pair_p: &[0.7187964253221084, 0.8692530532850753, 0.8998443466869332],
        pair_ci_low: &[-7.714334953166746, -10.419443534866902, -12.040666302010752],
        pair_ci_high: &[10.399706263594297, 11.925389857536265, 10.861241314252563],
        pair_holm: &[1.0, 1.0, 1.0],
        pair_bh: &[0.8998443466869332, 0.8998443466869332, 0.8998443466869332],
    };
    const OLS_UNBAL: LmRef = LmRef {
        coef: &[
            32.71817569425947,
            0.41725152514161984,
            1.2549292065837863,
            -2.688122617957415,
            6.46641414494391,
            11.754741789108246,
        ],
        se: &[
            27.784872258625164,
            0.44612716834235894,
            2.7428801969835854,
            2.306665745535898,
            3.078106377414651,
            8.798211728164665,
        ],
        t: &[
            1.1775535762667715,
            0.9352748605111181,
            0.4575224276889175,
            -1.1653715425218205,
            2.100776695825292,
            1.3360376122205828,
        ],
        p: &[
            0.2638242399137265,
            0.36972476099615514,
            0.656199966411692,
            0.26851726339072624,
            0.05952022585311245,
            0.2085191550772832,
        ],
        df: 11.0,
        sigma: 3.6338622189919505,
        ci_low: &[
            -28.43591582201637,
            -0.5646677518936165,
            -4.782109402886316,
            -7.765059693173643,
            -0.3084523129291705,
            -7.609991659926392,
        ],
        ci_high: &[
            93.87226721053531,
            1.399170802176856,
            7.291967816053888,
            2.388814457258813,
            13.241280602816989,
            31.119475238142883,
        ],
        f: [3.2277925120503914, 3.0, 11.0, 0.06481259692447044],
        eta: 0.4681719665575029,
        pair_est: &[
            1.2549292065837863,
            -2.688122617957415,
            6.46641414494391,
            -3.943051824541201,
            5.211484938360123,
            9.154536762901325,
        ],
        pair_se: &[
            2.742880196983585,
            2.306665745535898,
            3.078106377414651,
            2.5265476039170727,
            3.361462264685708,
            3.0335592478511573,
        ],
        pair_t: &[
            0.4575224276889176,
            -1.1653715425218205,
            2.100776695825292,
            -1.560648142321969,
            1.550362469663895,
            3.017754398364233,
        ],
        pair_p: &[
            0.656199966411692,
            0.26851726339072624,
            0.05952022585311245,
            0.1468973071671714,
            0.1493308434141912,
            0.011702577644216946,
        ],
        pair_ci_low: &[
            -4.782109402886316,
            -7.765059693173643,
            -0.3084523129291705,
            -9.503945607027767,
            -2.187043622421152,
            2.477717876122174,
        ],
        pair_ci_high: &[
            7.291967816053888,
            2.388814457258813,
            13.241280602816989,
            1.6178419579453633,
            12.610013499141399,
            15.831355649680475,
        ],
        pair_holm: &[
            0.656199966411692,
            0.5875892286686856,
            0.29760112926556226,
            0.5875892286686856,
            0.5875892286686856,
            0.07021546586530167,
        ],
        pair_bh: &[
            0.656199966411692,
            0.3222207160688715,
            0.17856067755933736,
            0.2239962651212868,
            0.2239962651212868,
            0.07021546586530167,
        ],
    };
    const WLS_UNBAL: LmRef = LmRef {
        coef: &[36.57886335559319, 0.4361478592586206, -0.16756842975242442, -4.026466658258395, 4.1553395422082335],
        se: &[37.34044307440054, 0.6325359094286426, 3.0217537671552157, 2.819269085702853, 3.2675161704031104],
        t: &[0.9796044273687405, 0.6895226859967278, -0.055454031884993454, -1.428195229280352, 1.2717120055432176],
        p: &[0.34661869701731973, 0.5036103100797553, 0.9566893491139477, 0.1787419444996888, 0.22756981446682908],
        df: 12.0,
        sigma: 16.179775852631206,
        ci_low: &[
            -44.77897308036953,
            -0.9420294954297339,
            -6.751404305725487,
            -10.169126312471969,
            -2.9639666110111937,
        ],
        ci_high: &[117.93669979155592, 1.814325213946975, 6.416267446220639, 2.1161929959551795, 11.274645695427662],
        f: [3.5838492716114456, 3.0, 12.0, 0.04665602517431295],
        eta: 0.4725633571103313,
        pair_est: &[
            -0.16756842975242442,
            -4.026466658258395,
            4.1553395422082335,
            -3.85889822850597,
            4.322907971960658,
            8.181806200466628,
        ],
        pair_se: &[
            3.0217537671552157,
            2.8192690857028535,
            3.267516170403111,
            2.132591983346179,
            2.8825243515583368,
            2.6312504364983784,
        ],
        pair_t: &[
            -0.055454031884993454,
            -1.4281952292803517,
            1.2717120055432174,
            -1.8094873555939668,
            1.499695213198677,
            3.109474524726286,
        ],
        pair_p: &[
            0.9566893491139477,
            0.1787419444996889,
            0.2275698144668292,
            0.09547613511529149,
            0.15953546333711136,
            0.009029653129366492,
        ],
        pair_ci_low: &[
            -6.751404305725487,
            -10.169126312471969,
            -2.9639666110111937,
            -8.505417002266105,
            -1.9575730670428548,
            2.448803991356466,
        ],
        pair_ci_high: &[
            6.416267446220639,
            2.1161929959551795,
            11.274645695427662,
            0.7876205452541645,
            10.60338901096417,
            13.91480840957679,
        ],
        pair_holm: &[
            0.9566893491139477,
            0.6381418533484454,
            0.6381418533484454,
            0.47738067557645747,
            0.6381418533484454,
            0.05417791877619895,
        ],
        pair_bh: &[
            0.9566893491139477,
            0.2681129167495333,
            0.273083777360195,
            0.2681129167495333,
            0.2681129167495333,
            0.05417791877619895,
        ],
    };

    /// The class ANCOVA of a trainee data set, as the R script fits it.
    fn class_ancova(csv: &str, covariate: bool, weighted: bool) -> (Ols, usize) {
        let ts = trainees(csv);
        let levels = method_levels(&ts);
        let cms = class_means(&ts);
        let (x, y) = class_design(&cms, &levels, covariate);
        let fit = if weighted {
            let w: Vec<f64> = cms.iter().map(|c| c.size).collect();
            Ols::fit_weighted(&x, &y, &w).unwrap()
        } else {
            Ols::fit(&x, &y).unwrap()
        };
        (fit, levels.len())
    }

    fn check(fit: &Ols, levels: usize, want: &LmRef) {
        assert_eq!(fit.df_resid(), want.df);
        close_all(fit.coef(), want.coef, 1e-9);
        close_all(&fit.se(), want.se, 1e-9);
        close(fit.sigma(), want.sigma, 1e-10);
        for j in 0..fit.k() {
            let t = fit.coef_test(j, 0.05).unwrap().unwrap();
            close(t.t, want.t[j], 1e-8);
            close_p(t.p, want.p[j]);
            close(t.ci_low, want.ci_low[j], 1e-9);
            close(t.ci_high, want.ci_high[j], 1e-9);
            assert_eq!(t.df, want.df);
        }
        let methods: Vec<usize> = (2..levels + 1).collect();
        let f = fit.f_test_coefs(&methods).unwrap().unwrap();
        close(f.f, want.f[0], 1e-9);
        assert_eq!((f.df1, f.df2), (want.f[1], want.f[2]));
        close_p(f.p, want.f[3]);
        close(f.partial_eta_sq, want.eta, 1e-9);
        let pairs = fit.pairwise_levels(&methods, 0.05).unwrap();
        assert_eq!(pairs.len(), levels * (levels - 1) / 2);
        for (i, pc) in pairs.iter().enumerate() {
            let t = pc.test.unwrap();
            close(t.estimate, want.pair_est[i], 1e-9);
            close(t.se, want.pair_se[i], 1e-9);
            close(t.t, want.pair_t[i], 1e-8);
            close_p(t.p, want.pair_p[i]);
            close(t.ci_low, want.pair_ci_low[i], 1e-9);
            close(t.ci_high, want.pair_ci_high[i], 1e-9);
            close_p(pc.p_holm.unwrap(), want.pair_holm[i]);
            close_p(pc.p_bh.unwrap(), want.pair_bh[i]);
        }
    }

    #[test]
    fn class_ancova_of_the_oracle_classes_matches_r_lm() {
        let (fit, levels) = class_ancova(ORACLE_ANCOVA, false, false);
        assert_eq!((fit.n(), fit.k(), levels), (9, 4, 3));
        check(&fit, levels, &OLS_ORACLE);
    }

    #[test]
    fn class_ancova_of_balanced_classes_matches_r_lm() {
        let (fit, levels) = class_ancova(BALANCED, false, false);
        assert_eq!((fit.n(), levels), (16, 4));
        check(&fit, levels, &OLS_BALANCED);
    }

    #[test]
    fn class_ancova_with_a_two_class_method_matches_r_lm() {
        let (fit, levels) = class_ancova(TWO_CLASSES, false, false);
        assert_eq!((fit.n(), levels), (9, 3));
        check(&fit, levels, &OLS_TWO);
    }

    #[test]
    fn class_ancova_with_a_covariate_matches_r_lm() {
        let (fit, levels) = class_ancova(UNBALANCED, true, false);
        assert_eq!((fit.n(), fit.k()), (17, 6));
        check(&fit, levels, &OLS_UNBAL);
    }

    #[test]
    fn class_ancova_weighted_by_size_matches_r_lm_weights() {
        let (fit, levels) = class_ancova(UNBALANCED, false, true);
        check(&fit, levels, &WLS_UNBAL);
    }

    /// The F of a set equals the nested-model F computed from the two
    /// residual sums of squares, and its partial η² is SS_effect/(SS_effect
    /// + SS_resid).
    #[test]
    fn f_test_is_the_nested_model_f() {
        let ts = trainees(UNBALANCED);
        let levels = method_levels(&ts);
        let (x, y) = class_design(&class_means(&ts), &levels, false);
        let full = Ols::fit(&x, &y).unwrap();
        let reduced_x: Vec<Vec<f64>> = x.iter().map(|r| r[..2].to_vec()).collect();
        let reduced = Ols::fit(&reduced_x, &y).unwrap();
        let ss = reduced.rss() - full.rss();
        let f = full.f_test_coefs(&[2, 3, 4]).unwrap().unwrap();
        close(f.f, ss / 3.0 / (full.rss() / full.df_resid()), 1e-10);
        close(f.partial_eta_sq, ss / (ss + full.rss()), 1e-10);
        // One coefficient: F = t².
        let t = full.coef_test(1, 0.05).unwrap().unwrap();
        let f1 = full.f_test_coefs(&[1]).unwrap().unwrap();
        close(f1.f, t.t * t.t, 1e-10);
        close(f1.p, t.p, 1e-10);
        assert_eq!(full.cov().len(), 5);
        close(full.cov()[1][1].sqrt(), full.se()[1], 1e-12);
    }

    /// A method whose classes all dropped out leaves an all-zero dummy; a
    /// covariate equal to a combination of others is collinear: both are
    /// `SingularDesign` naming the column, for the caller's "not estimable".
    #[test]
    fn rank_deficiency_names_the_column() {
        let x = [[1.0, 50.0, 0.0], [1.0, 55.0, 0.0], [1.0, 61.0, 0.0], [1.0, 58.0, 0.0]];
        let y = [60.0, 63.0, 70.0, 64.0];
        assert_eq!(Ols::fit(&x, &y), Err(StatsError::SingularDesign { column: 2 }));
        let x = [[1.0, 50.0, 100.0], [1.0, 55.0, 110.0], [1.0, 61.0, 122.0], [1.0, 58.0, 116.0]];
        assert_eq!(Ols::fit(&x, &y), Err(StatsError::SingularDesign { column: 2 }));
        // A method with a single class and its own dummy: estimable, but the
        // dummy soaks up that class (its residual is 0), no error.
        let x = [[1.0, 50.0, 0.0], [1.0, 55.0, 0.0], [1.0, 61.0, 0.0], [1.0, 58.0, 1.0]];
        assert!(Ols::fit(&x, &y).is_ok());
    }

    #[test]
    fn malformed_calls_are_errors() {
        let x = [[1.0, 1.0], [1.0, 2.0], [1.0, 3.0]];
        let y = [1.0, 2.5, 2.9];
        assert!(matches!(Ols::fit(&x, &y[..2]), Err(StatsError::LengthMismatch { .. })));
        assert!(matches!(Ols::fit(&x[..2], &y[..2]), Err(StatsError::NotEnoughData { .. })));
        let ragged = vec![vec![1.0, 1.0], vec![1.0]];
        assert!(matches!(Ols::fit(&ragged, &y[..2]), Err(StatsError::Ragged { .. })));
        assert_eq!(Ols::fit_weighted(&x, &y, &[1.0, -1.0, 1.0]), Err(StatsError::InvalidWeight(-1.0)));
        assert!(matches!(Ols::fit_weighted(&x, &y, &[1.0]), Err(StatsError::LengthMismatch { .. })));
        // Nothing complete: no fit.
        assert!(matches!(Ols::fit(&x, &[f64::NAN; 3]), Err(StatsError::NotEnoughData { .. })));
        assert!(matches!(Ols::fit::<[f64; 2]>(&[], &[]), Err(StatsError::NotEnoughData { .. })));
        let fit = Ols::fit(&x, &y).unwrap();
        assert!(fit.contrast(&[1.0], 0.05).is_err());
        assert!(fit.contrast(&[1.0, 0.0], 1.0).is_err());
        assert!(fit.coef_test(2, 0.05).is_err());
        assert!(fit.f_test::<Vec<f64>>(&[]).is_err());
        assert!(fit.f_test_coefs(&[3]).is_err());
        // The same coefficient twice: dependent restrictions.
        assert!(matches!(fit.f_test_coefs(&[1, 1]), Err(StatsError::InvalidRestriction { .. })));
        assert!(fit.pairwise_levels(&[2], 0.05).is_err());
    }

    /// Rows with a missing value or weight 0 are dropped (not counted in the
    /// residual df); weight 1 everywhere is OLS.
    #[test]
    fn missing_rows_and_zero_weights_are_dropped() {
        let x = vec![[1.0, 1.0], [1.0, 2.0], [1.0, 3.0], [1.0, 4.0], [1.0, 5.0]];
        let y = vec![1.1, 2.3, 2.8, 4.4, 4.9];
        let base = Ols::fit(&x, &y).unwrap();
        let mut xs = x.clone();
        let mut ys = y.clone();
        xs.push([1.0, f64::NAN]);
        ys.push(3.0);
        xs.push([1.0, 7.0]);
        ys.push(f64::INFINITY);
        let with = Ols::fit(&xs, &ys).unwrap();
        assert_eq!(with.n(), 5);
        assert_eq!(with.coef(), base.coef());
        xs.push([1.0, 9.0]);
        ys.push(100.0);
        let mut w = vec![1.0; xs.len()];
        *w.last_mut().unwrap() = 0.0;
        let weighted = Ols::fit_weighted(&xs, &ys, &w).unwrap();
        assert_eq!(weighted.n(), 5);
        assert_eq!(weighted.df_resid(), 3.0);
        close_all(weighted.coef(), base.coef(), 1e-12);
        close_all(&weighted.se(), &base.se(), 1e-12);
    }

    #[test]
    fn perfect_fit_has_no_test() {
        let x = [[1.0, 1.0], [1.0, 2.0], [1.0, 3.0], [1.0, 4.0]];
        let y: Vec<f64> = x.iter().map(|r| 2.0 + 0.5 * r[1]).collect();
        let fit = Ols::fit(&x, &y).unwrap();
        assert!(fit.is_perfect_fit());
        close(fit.coef()[1], 0.5, 1e-12);
        assert_eq!(fit.coef_test(1, 0.05).unwrap(), None);
        assert_eq!(fit.f_test_coefs(&[1]).unwrap(), None);
        assert!(fit.pairwise_levels(&[1], 0.05).unwrap()[0].test.is_none());
    }
}
