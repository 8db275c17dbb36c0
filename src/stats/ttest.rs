//! Student t tests: one-sample, paired (with the standardised effect sizes
//! d_z, g_z and d_av) and Welch's two-sample test.
//!
//! In: slices of scores. Out: plain structs whose statistics are `None`
//! when undefined (n < 2, zero variance). Missing values: non-finite
//! values are ignored in one-sample inputs; in paired inputs the whole pair
//! is dropped. All standard deviations use n − 1.

use serde::Serialize;

use super::descriptive::{complete_pairs, se_is_degenerate, Accumulator};
use super::dist::{check_alpha, t_quantile, t_two_sided_p};
use super::error::StatsError;

/// A t test of `estimate / se` on `df` degrees of freedom with its
/// two-sided `1 − alpha` interval `estimate ± t_{1−α/2, df} · se`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct TTest {
    /// The estimate being tested (a mean, a difference, a coefficient).
    pub estimate: f64,
    /// Its standard error.
    pub se: f64,
    /// `t = estimate / se`.
    pub t: f64,
    /// Degrees of freedom of the reference t distribution (may be
    /// fractional, e.g. Welch–Satterthwaite).
    pub df: f64,
    /// Two-sided p-value `2·P(T_df ≥ |t|)`.
    pub p: f64,
    /// Lower end of the `1 − alpha` interval.
    pub ci_low: f64,
    /// Upper end of the `1 − alpha` interval.
    pub ci_high: f64,
}

impl TTest {
    /// The t test of `estimate` with standard error `se` on `df` degrees of
    /// freedom: `t = estimate/se`, `p = 2·P(T_df ≥ |t|)`, interval
    /// `estimate ± t_{1−α/2, df}·se`.
    ///
    /// `None` when `se` is not positive, when `df ≤ 0`, or when an input is
    /// not finite. (Callers that compute `se` from data first apply R's
    /// `t.test` rule that `se < 10·ε·|x̄|` means constant data.)
    ///
    /// # Errors
    /// [`StatsError::InvalidAlpha`] unless 0 < alpha < 1.
    pub fn new(estimate: f64, se: f64, df: f64, alpha: f64) -> Result<Option<TTest>, StatsError> {
        check_alpha(alpha)?;
        Ok(Self::checked(estimate, se, df, alpha))
    }

    /// [`TTest::new`] for an `alpha` already validated by the caller.
    pub(crate) fn checked(estimate: f64, se: f64, df: f64, alpha: f64) -> Option<TTest> {
        if !estimate.is_finite() || !se.is_finite() || se <= 0.0 {
            return None;
        }
        let t = estimate / se;
        let p = t_two_sided_p(t, df)?;
        let q = t_quantile(1.0 - alpha / 2.0, df)?;
        Some(TTest { estimate, se, t, df, p, ci_low: estimate - q * se, ci_high: estimate + q * se })
    }
}

/// One-sample t test of H₀: μ = `mu`.
///
/// `t = (x̄ − μ₀)/(s/√n)` with `s` the n − 1 standard deviation, df = n − 1;
/// the interval is for μ itself, `x̄ ± t_{1−α/2,n−1}·s/√n` (R `t.test(x,
/// mu = mu0)`; Student 1908). Non-finite values are ignored. `None` when
/// n < 2 or the data are constant.
///
/// # Errors
/// [`StatsError::InvalidAlpha`] unless 0 < alpha < 1.
pub fn one_sample_t(x: &[f64], mu: f64, alpha: f64) -> Result<Option<TTest>, StatsError> {
    check_alpha(alpha)?;
    let acc = Accumulator::from_slice(x);
    Ok(one_sample_from(&acc, mu, alpha))
}

fn one_sample_from(acc: &Accumulator, mu: f64, alpha: f64) -> Option<TTest> {
    let (mean, se) = (acc.mean()?, acc.se()?);
    // Degeneracy is judged on the data (R: se vs |x̄|), not on x̄ − μ₀.
    if se_is_degenerate(se, mean) {
        return None;
    }
    let test = TTest::checked(mean - mu, se, acc.n() as f64 - 1.0, alpha)?;
    Some(TTest { ci_low: test.ci_low + mu, ci_high: test.ci_high + mu, ..test })
}

/// Paired comparison of `post` against `pre`; differences are `post − pre`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PairedT {
    /// Complete pairs used (both values finite).
    pub n: usize,
    /// Mean of `pre` over the complete pairs; `None` when n = 0.
    pub mean_pre: Option<f64>,
    /// Mean of `post` over the complete pairs; `None` when n = 0.
    pub mean_post: Option<f64>,
    /// Standard deviation (n − 1) of `pre`; `None` when n < 2.
    pub sd_pre: Option<f64>,
    /// Standard deviation (n − 1) of `post`; `None` when n < 2.
    pub sd_post: Option<f64>,
    /// Mean difference d̄ = mean(post − pre); `None` when n = 0.
    pub mean_diff: Option<f64>,
    /// Standard deviation (n − 1) of the differences; `None` when n < 2.
    pub sd_diff: Option<f64>,
    /// `t = d̄/(s_d/√n)`, df = n − 1, two-sided p and the interval of the
    /// mean difference; `None` when n < 2 or all differences are equal.
    pub test: Option<TTest>,
    /// Cohen's d_z = d̄ / s_d; `None` when `test` is `None`.
    pub d_z: Option<f64>,
    /// Hedges' g_z = d_z · (1 − 3/(4(n − 1) − 1)); `None` when `d_z` is.
    pub g_z: Option<f64>,
    /// d_av = d̄ / ((s_pre + s_post)/2); `None` when n < 2 or both
    /// standard deviations are 0.
    pub d_av: Option<f64>,
}

/// Paired t test and effect sizes of `post − pre`.
///
/// - `t = d̄ / (s_d/√n)` on n − 1 df, two-sided p, interval
///   `d̄ ± t_{1−α/2, n−1}·s_d/√n` (R `t.test(post, pre, paired = TRUE)`);
/// - Cohen's `d_z = d̄/s_d` (Cohen 1988, §2.3.5);
/// - Hedges' `g_z = d_z·(1 − 3/(4(n−1) − 1))`, the small-sample correction
///   J with df = n − 1 (Hedges 1981; Lakens 2013, eq. 4);
/// - `d_av = d̄ / ((s_pre + s_post)/2)` (Cumming 2012; Lakens 2013, eq. 5).
///
/// All standard deviations are n − 1. Pairs with a non-finite value on
/// either side are dropped.
///
/// # Errors
/// [`StatsError::LengthMismatch`] when the slices differ in length;
/// [`StatsError::InvalidAlpha`] unless 0 < alpha < 1.
pub fn paired_t(pre: &[f64], post: &[f64], alpha: f64) -> Result<PairedT, StatsError> {
    check_alpha(alpha)?;
    let (pre, post) = complete_pairs(pre, post)?;
    let diffs: Vec<f64> = pre.iter().zip(&post).map(|(a, b)| b - a).collect();
    let (acc_pre, acc_post) = (Accumulator::from_slice(&pre), Accumulator::from_slice(&post));
    let acc_d = Accumulator::from_slice(&diffs);
    let n = diffs.len();
    let test = one_sample_from(&acc_d, 0.0, alpha);
    let d_z = match (test, acc_d.sd()) {
        (Some(t), Some(s)) => Some(t.estimate / s),
        _ => None,
    };
    let g_z = d_z.map(|d| d * hedges_j(n as f64 - 1.0));
    let d_av = match (acc_d.mean(), acc_pre.sd(), acc_post.sd()) {
        (Some(m), Some(a), Some(b)) if (a + b) > 0.0 && !se_is_degenerate((a + b) / 2.0, m) => {
            Some(m / ((a + b) / 2.0))
        }
        _ => None,
    };
    Ok(PairedT {
        n,
        mean_pre: acc_pre.mean(),
        mean_post: acc_post.mean(),
        sd_pre: acc_pre.sd(),
        sd_post: acc_post.sd(),
        mean_diff: acc_d.mean(),
        sd_diff: acc_d.sd(),
        test,
        d_z,
        g_z,
        d_av,
    })
}

/// Hedges' small-sample correction `J(df) = 1 − 3/(4·df − 1)`.
fn hedges_j(df: f64) -> f64 {
    1.0 - 3.0 / (4.0 * df - 1.0)
}

/// Welch's two-sample comparison of `a` against `b`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WelchT {
    /// Finite values in `a`.
    pub n_a: usize,
    /// Finite values in `b`.
    pub n_b: usize,
    /// Mean of `a`; `None` when empty.
    pub mean_a: Option<f64>,
    /// Mean of `b`; `None` when empty.
    pub mean_b: Option<f64>,
    /// `mean(a) − mean(b)`; `None` when either is empty.
    pub diff: Option<f64>,
    /// Welch t, Welch–Satterthwaite df, p and interval of the difference;
    /// `None` when either group has n < 2 or both variances are 0.
    pub test: Option<TTest>,
}

/// Welch's unequal-variance t test of `mean(a) − mean(b)`.
///
/// `se² = s_a²/n_a + s_b²/n_b`, `t = (x̄_a − x̄_b)/se`, Welch–Satterthwaite
/// `df = se⁴ / ((s_a²/n_a)²/(n_a − 1) + (s_b²/n_b)²/(n_b − 1))`, interval
/// `diff ± t_{1−α/2, df}·se` (Welch 1947; Satterthwaite 1946; R
/// `t.test(a, b)`; scipy `ttest_ind(a, b, equal_var=False)`). Variances
/// n − 1; non-finite values ignored.
///
/// # Errors
/// [`StatsError::InvalidAlpha`] unless 0 < alpha < 1.
pub fn welch_t(a: &[f64], b: &[f64], alpha: f64) -> Result<WelchT, StatsError> {
    check_alpha(alpha)?;
    let (acc_a, acc_b) = (Accumulator::from_slice(a), Accumulator::from_slice(b));
    Ok(welch_from(&acc_a, &acc_b, alpha))
}

/// Welch's test from two accumulators (shared with difference-in-differences).
pub(crate) fn welch_from(a: &Accumulator, b: &Accumulator, alpha: f64) -> WelchT {
    let diff = match (a.mean(), b.mean()) {
        (Some(x), Some(y)) => Some(x - y),
        _ => None,
    };
    let test = match (diff, a.variance(), b.variance()) {
        (Some(d), Some(va), Some(vb)) => {
            let (qa, qb) = (va / a.n() as f64, vb / b.n() as f64);
            let se2 = qa + qb;
            let df = se2 * se2 / (qa * qa / (a.n() as f64 - 1.0) + qb * qb / (b.n() as f64 - 1.0));
            // Zero variance in both groups: judged against the group means
            // (R's rule), since a zero difference is legitimate.
            let scale = a.mean().unwrap_or(0.0).abs().max(b.mean().unwrap_or(0.0).abs());
            if se_is_degenerate(se2.sqrt(), scale) {
                None
            } else {
                TTest::checked(d, se2.sqrt(), df, alpha)
            }
        }
        _ => None,
    };
    WelchT { n_a: a.n(), n_b: b.n(), mean_a: a.mean(), mean_b: b.mean(), diff, test }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn paired_with_no_or_one_pair_is_undefined() {
        let r = paired_t(&[], &[], 0.05).unwrap();
        assert_eq!((r.n, r.mean_diff, r.test, r.d_z, r.g_z, r.d_av), (0, None, None, None, None, None));
        let r = paired_t(&[1.0], &[3.0], 0.05).unwrap();
        assert_eq!((r.n, r.mean_diff, r.sd_diff, r.test), (1, Some(2.0), None, None));
    }

    #[test]
    fn paired_with_two_pairs_is_defined_and_g_z_vanishes() {
        let r = paired_t(&[1.0, 2.0], &[2.0, 5.0], 0.05).unwrap();
        let t = r.test.unwrap();
        assert_eq!(t.df, 1.0);
        // d = [1, 3]: mean 2, sd √2, t = 2/(√2/√2) = 2.
        assert!((t.t - 2.0).abs() < 1e-12);
        assert_eq!(r.g_z, Some(0.0)); // J(1) = 1 − 3/3
    }

    #[test]
    fn identical_differences_leave_t_and_d_undefined() {
        let r = paired_t(&[1.0, 2.0, 3.0], &[1.5, 2.5, 3.5], 0.05).unwrap();
        assert_eq!(r.mean_diff, Some(0.5));
        assert_eq!((r.test, r.d_z, r.g_z), (None, None, None));
        // d_av is still defined: the scores themselves vary.
        assert!(r.d_av.is_some());
        let zero = paired_t(&[2.0, 2.0], &[2.0, 2.0], 0.05).unwrap();
        assert_eq!((zero.mean_diff, zero.test, zero.d_av), (Some(0.0), None, None));
    }

    #[test]
    fn pairs_with_nan_are_dropped() {
        let with = paired_t(&[1.0, 2.0, f64::NAN, 4.0], &[2.0, 2.5, 9.0, 6.0], 0.05).unwrap();
        let without = paired_t(&[1.0, 2.0, 4.0], &[2.0, 2.5, 6.0], 0.05).unwrap();
        assert_eq!(with, without);
    }

    #[test]
    fn paired_length_mismatch_is_an_error() {
        assert_eq!(paired_t(&[1.0], &[1.0, 2.0], 0.05), Err(StatsError::LengthMismatch { left: 1, right: 2 }));
    }

    #[test]
    fn one_sample_interval_is_for_the_mean() {
        // scipy.stats.ttest_1samp([1, 2, 3, 4], 1) and its
        // confidence_interval(); R t.test(c(1, 2, 3, 4), mu = 1) agrees.
        let t = one_sample_t(&[1.0, 2.0, 3.0, 4.0], 1.0, 0.05).unwrap().unwrap();
        assert!((t.t - 2.32379000772445).abs() < 1e-12);
        assert!((t.ci_low - 0.4457397432394794).abs() < 1e-9);
        assert!((t.ci_high - 4.554260256760521).abs() < 1e-9);
        assert!((t.p - 0.10272807885839899).abs() < 1e-12);
    }

    #[test]
    fn welch_needs_two_values_per_group() {
        let w = welch_t(&[1.0], &[1.0, 2.0, 3.0], 0.05).unwrap();
        assert_eq!((w.diff, w.test), (Some(-1.0), None));
        let w = welch_t(&[], &[1.0, 2.0], 0.05).unwrap();
        assert_eq!((w.diff, w.test), (None, None));
    }

    #[test]
    fn welch_with_both_groups_constant_is_undefined() {
        let w = welch_t(&[1.0, 1.0], &[2.0, 2.0], 0.05).unwrap();
        assert_eq!((w.diff, w.test), (Some(-1.0), None));
        // One constant group is fine: df = n − 1 of the other.
        let w = welch_t(&[1.0, 1.0], &[2.0, 3.0, 4.0], 0.05).unwrap();
        assert!((w.test.unwrap().df - 2.0).abs() < 1e-12);
    }

    #[test]
    fn ttest_new_rejects_bad_alpha_and_zero_se() {
        assert!(TTest::new(1.0, 1.0, 5.0, 2.0).is_err());
        assert_eq!(TTest::new(1.0, 0.0, 5.0, 0.05), Ok(None));
        assert_eq!(TTest::new(1.0, 1.0, 0.0, 0.05), Ok(None));
    }

    fn sample(n: std::ops::Range<usize>) -> impl Strategy<Value = Vec<f64>> {
        prop::collection::vec((-500i32..500).prop_map(|v| f64::from(v) / 10.0), n)
    }

    proptest! {
        #[test]
        fn paired_t_is_invariant_to_shifting_both_samples(
            pairs in prop::collection::vec(((-500i32..500), (-500i32..500)), 2..40),
            shift in -1000i32..1000,
        ) {
            let pre: Vec<f64> = pairs.iter().map(|p| f64::from(p.0) / 10.0).collect();
            let post: Vec<f64> = pairs.iter().map(|p| f64::from(p.1) / 10.0).collect();
            let c = f64::from(shift) / 4.0;
            let a = paired_t(&pre, &post, 0.05).unwrap();
            let pre2: Vec<f64> = pre.iter().map(|v| v + c).collect();
            let post2: Vec<f64> = post.iter().map(|v| v + c).collect();
            let b = paired_t(&pre2, &post2, 0.05).unwrap();
            match (a.test, b.test) {
                (Some(x), Some(y)) => {
                    prop_assert!((x.t - y.t).abs() <= 1e-6 * (1.0 + x.t.abs()));
                    prop_assert!((x.p - y.p).abs() <= 1e-9);
                }
                (x, y) => prop_assert_eq!(x.is_none(), y.is_none()),
            }
        }

        #[test]
        fn welch_t_is_invariant_to_shifting_both_samples(a in sample(2..30), b in sample(2..30), shift in -1000i32..1000) {
            let c = f64::from(shift) / 4.0;
            let x = welch_t(&a, &b, 0.05).unwrap().test;
            let a2: Vec<f64> = a.iter().map(|v| v + c).collect();
            let b2: Vec<f64> = b.iter().map(|v| v + c).collect();
            let y = welch_t(&a2, &b2, 0.05).unwrap().test;
            match (x, y) {
                (Some(x), Some(y)) => {
                    prop_assert!((x.t - y.t).abs() <= 1e-6 * (1.0 + x.t.abs()));
                    prop_assert!((x.df - y.df).abs() <= 1e-6 * x.df);
                }
                (x, y) => prop_assert_eq!(x.is_none(), y.is_none()),
            }
        }

        #[test]
        fn swapping_samples_flips_the_sign_only(a in sample(2..30), b in sample(2..30)) {
            let x = welch_t(&a, &b, 0.05).unwrap().test;
            let y = welch_t(&b, &a, 0.05).unwrap().test;
            if let (Some(x), Some(y)) = (x, y) {
                prop_assert!((x.t + y.t).abs() <= 1e-12 * (1.0 + x.t.abs()));
                prop_assert!((x.p - y.p).abs() <= 1e-15);
                prop_assert!((x.ci_low + y.ci_high).abs() <= 1e-9 * (1.0 + x.ci_low.abs()));
            }
            let n = a.len().min(b.len());
            let p = paired_t(&a[..n], &b[..n], 0.05).unwrap();
            let q = paired_t(&b[..n], &a[..n], 0.05).unwrap();
            if let (Some(x), Some(y)) = (p.test, q.test) {
                prop_assert!((x.t + y.t).abs() <= 1e-12 * (1.0 + x.t.abs()));
                prop_assert!((x.p - y.p).abs() <= 1e-15);
            }
        }

        #[test]
        fn p_values_lie_in_unit_interval(a in sample(0..30), b in sample(0..30)) {
            if let Some(t) = welch_t(&a, &b, 0.05).unwrap().test {
                prop_assert!((0.0..=1.0).contains(&t.p));
                prop_assert!(t.ci_low <= t.ci_high);
            }
            let n = a.len().min(b.len());
            if let Some(t) = paired_t(&a[..n], &b[..n], 0.05).unwrap().test {
                prop_assert!((0.0..=1.0).contains(&t.p));
            }
        }
    }
}
