//! The noncentral t distribution and the confidence interval of a
//! standardised mean difference (Cohen's d_z of a paired t) it gives.
//!
//! In: a t statistic, its df (or the number of pairs) and a noncentrality.
//! Out: probabilities and interval bounds, `None` where undefined (df ≤ 0,
//! n < 2, a non-finite t — e.g. all differences equal, sd = 0 — or a
//! root that cannot be bracketed). Malformed `alpha` is a [`StatsError`].
//!
//! Guarantees: [`noncentral_t_cdf`] is R's `pt(q, df, ncp)` (Lenth's AS 243
//! as R's `pnt.c` implements it, including R's normal approximation when
//! |ncp| > 37.62 or df > 4·10⁵), to ~1e-12; [`dz_interval`] inverts it as
//! MBESS `conf.limits.nct` / effectsize do, to ~1e-10 in the noncentrality.

use serde::Serialize;
use statrs::distribution::{ContinuousCDF, StudentsT};
use statrs::function::{beta::beta_reg, gamma::ln_gamma};

use super::dist::{check_alpha, normal_cdf_both};
use super::error::StatsError;

/// ln(√π).
const LN_SQRT_PI: f64 = 0.572_364_942_924_700_1;
/// √(2/π).
const SQRT_2_OVER_PI: f64 = 0.797_884_560_802_865_4;

/// `P(T ≤ t)` for T noncentral t with `df` degrees of freedom (may be
/// fractional) and noncentrality `ncp`: Lenth (1989), Algorithm AS 243, the
/// series of Guenther (1978), as R's `pt(t, df, ncp)` computes it —
/// including R's switch to the normal approximation of Abramowitz & Stegun
/// 26.7.10 when df > 4·10⁵ or ncp² > 2·ln 2·1021 (|ncp| > 37.62), and its
/// left-tail shortcut (0 for t < 0 and ncp > 40). The series stops when its
/// error bound is below 1e-12 (or after 1000 terms).
///
/// `None` when df ≤ 0 or an argument is NaN.
pub fn noncentral_t_cdf(t: f64, df: f64, ncp: f64) -> Option<f64> {
    if t.is_nan() || df.is_nan() || ncp.is_nan() || df <= 0.0 || ncp.is_infinite() {
        return None;
    }
    if ncp == 0.0 {
        return StudentsT::new(0.0, 1.0, df).ok().map(|d| d.cdf(t));
    }
    if t.is_infinite() {
        return Some(if t < 0.0 { 0.0 } else { 1.0 });
    }
    let (tt, del, negdel) = if t >= 0.0 {
        (t, ncp, false)
    } else {
        if ncp > 40.0 {
            return Some(0.0);
        }
        (-t, -ncp, true)
    };
    // The value for the (possibly reflected) problem and whether it is the
    // lower tail of the original one.
    let lower = !negdel;
    if df > 4e5 || del * del > 2.0 * std::f64::consts::LN_2 * 1021.0 {
        let s = 1.0 / (4.0 * df);
        let z = (tt * (1.0 - s) - del) / (1.0 + tt * tt * 2.0 * s).sqrt();
        let (cdf, sf) = normal_cdf_both(z);
        return Some(if lower { cdf } else { sf });
    }
    let x = t * t;
    let mut rxb = df / (x + df);
    let x = x / (x + df);
    let mut tnc = 0.0;
    if x > 0.0 {
        let lambda = del * del;
        let mut p = 0.5 * (-0.5 * lambda).exp();
        if p == 0.0 {
            // Underflow: |ncp| too large for the series; R returns 0 (not
            // reached: such |ncp| took the normal approximation above).
            return Some(0.0);
        }
        let mut q = SQRT_2_OVER_PI * p * del;
        let mut s = 0.5 - p;
        if s < 1e-7 {
            s = -0.5 * (-0.5 * lambda).exp_m1();
        }
        let mut a = 0.5;
        let b = 0.5 * df;
        rxb = rxb.powf(b);
        let albeta = LN_SQRT_PI + ln_gamma(b) - ln_gamma(0.5 + b);
        let mut xodd = beta_reg(a, b, x);
        let mut godd = 2.0 * rxb * (a * x.ln() - albeta).exp();
        let bx = b * x;
        let mut xeven = if bx < f64::EPSILON { bx } else { 1.0 - rxb };
        let mut geven = bx * rxb;
        tnc = p * xodd + q * xeven;
        for it in 1..=1000 {
            let itf = f64::from(it);
            a += 1.0;
            xodd -= godd;
            xeven -= geven;
            godd *= x * (a + b - 1.0) / a;
            geven *= x * (a + b - 0.5) / (a + 0.5);
            p *= lambda / (2.0 * itf);
            q *= lambda / (2.0 * itf + 1.0);
            tnc += p * xodd + q * xeven;
            s -= p;
            // R stops on rounding trouble (s < −1e-10) or exhaustion alike.
            if s < -1e-10 || (s <= 0.0 && it > 1) {
                break;
            }
            if (2.0 * s * (xodd - godd)).abs() < 1e-12 {
                break;
            }
        }
    }
    tnc += normal_cdf_both(-del).0;
    let tnc = tnc.min(1.0);
    Some(if lower { tnc } else { 1.0 - tnc })
}

/// The confidence interval of Cohen's d_z (and Hedges' g_z) from a paired
/// (or one-sample) t statistic.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct DzInterval {
    /// Lower noncentrality: `P(T_{n−1}(ncp) ≤ t) = 1 − α/2`.
    pub ncp_low: f64,
    /// Upper noncentrality: `P(T_{n−1}(ncp) ≤ t) = α/2`.
    pub ncp_high: f64,
    /// `ncp_low/√n`.
    pub d_low: f64,
    /// `ncp_high/√n`.
    pub d_high: f64,
    /// `J·d_low`, J = 1 − 3/(4(n − 1) − 1) the small-sample factor of g_z.
    pub g_low: f64,
    /// `J·d_high`.
    pub g_high: f64,
}

/// `1 − alpha` interval of d_z = t/√n by inverting the noncentral t
/// (Steiger & Fouladi 1997; Cumming & Finch 2001): the noncentralities
/// with `P(T_{n−1}(ncp) ≤ t) = 1 − α/2` and `α/2`, divided by √n — as
/// MBESS `conf.limits.nct` and effectsize `cohens_d(paired = TRUE)` (their
/// `t_to_d` intervals). The g_z bounds are the d_z bounds times Hedges' J,
/// as `effectsize::hedges_g` scales them.
///
/// The roots are found by Brent's method to 1e-12·max(1, |ncp|). Beyond
/// |ncp| ≈ 37.6 the cdf is R's normal approximation (see
/// [`noncentral_t_cdf`]), so intervals for |t| ≳ 35 are as approximate as
/// R's.
///
/// `None` when n < 2, t is not finite (sd of the differences 0), or a root
/// cannot be bracketed.
///
/// # Errors
/// [`StatsError::InvalidAlpha`] unless 0 < alpha < 1.
pub fn dz_interval(t: f64, n: usize, alpha: f64) -> Result<Option<DzInterval>, StatsError> {
    check_alpha(alpha)?;
    if n < 2 || !t.is_finite() {
        return Ok(None);
    }
    let df = n as f64 - 1.0;
    let (Some(ncp_low), Some(ncp_high)) = (ncp_root(t, df, 1.0 - alpha / 2.0), ncp_root(t, df, alpha / 2.0)) else {
        return Ok(None);
    };
    let root_n = (n as f64).sqrt();
    let j = 1.0 - 3.0 / (4.0 * df - 1.0);
    let (d_low, d_high) = (ncp_low / root_n, ncp_high / root_n);
    Ok(Some(DzInterval { ncp_low, ncp_high, d_low, d_high, g_low: j * d_low, g_high: j * d_high }))
}

/// The noncentrality with `P(T_df(ncp) ≤ t) = target`; the cdf decreases in
/// ncp, so the root is bracketed by stepping away from t, then refined by
/// Brent's method.
fn ncp_root(t: f64, df: f64, target: f64) -> Option<f64> {
    let f = |ncp: f64| noncentral_t_cdf(t, df, ncp).map(|p| p - target);
    let (mut lo, mut hi) = (t - 1.0, t + 1.0);
    let (mut flo, mut fhi) = (f(lo)?, f(hi)?);
    let mut step = 2.0;
    for _ in 0..200 {
        if flo >= 0.0 && fhi <= 0.0 {
            return brent(f, lo, hi, flo, fhi);
        }
        if flo < 0.0 {
            hi = lo;
            fhi = flo;
            lo -= step;
            flo = f(lo)?;
        } else {
            lo = hi;
            flo = fhi;
            hi += step;
            fhi = f(hi)?;
        }
        step *= 2.0;
        if !(lo.is_finite() && hi.is_finite()) {
            return None;
        }
    }
    None
}

/// Brent (1973) root of `f` on `[a, b]` with `f(a)·f(b) ≤ 0`, to
/// 1e-12·max(1, |x|) (R's `uniroot`/`zeroin` algorithm).
fn brent(f: impl Fn(f64) -> Option<f64>, a: f64, b: f64, fa: f64, fb: f64) -> Option<f64> {
    let (mut a, mut b, mut fa, mut fb) = (a, b, fa, fb);
    let (mut c, mut fc) = (a, fa);
    let (mut d, mut e) = (b - a, b - a);
    for _ in 0..500 {
        if fb.signum() == fc.signum() && fb != 0.0 {
            c = a;
            fc = fa;
            d = b - a;
            e = d;
        }
        if fc.abs() < fb.abs() {
            a = b;
            b = c;
            c = a;
            fa = fb;
            fb = fc;
            fc = fa;
        }
        let tol = 2.0 * f64::EPSILON * b.abs() + 0.5e-12 * b.abs().max(1.0);
        let m = 0.5 * (c - b);
        if m.abs() <= tol || fb == 0.0 {
            return Some(b);
        }
        if e.abs() >= tol && fa.abs() > fb.abs() {
            // Inverse quadratic interpolation (secant when a = c).
            let s = fb / fa;
            let (mut p, mut q) = if a == c {
                (2.0 * m * s, 1.0 - s)
            } else {
                let qa = fa / fc;
                let r = fb / fc;
                (s * (2.0 * m * qa * (qa - r) - (b - a) * (r - 1.0)), (qa - 1.0) * (r - 1.0) * (s - 1.0))
            };
            if p > 0.0 {
                q = -q;
            } else {
                p = -p;
            }
            if 2.0 * p < (3.0 * m * q - (tol * q).abs()).min((e * q).abs()) {
                e = d;
                d = p / q;
            } else {
                d = m;
                e = m;
            }
        } else {
            d = m;
            e = m;
        }
        a = b;
        fa = fb;
        b += if d.abs() > tol { d } else { tol.copysign(m) };
        fb = f(b)?;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::super::testdata::close;
    use super::*;

    /// (t, df, ncp, R `pt(t, df, ncp)`) from `effect_sizes.R`.
    const PNT: [[f64; 4]; 11] = [
        [1.5, 9.0, 0.7, 0.7630102976321648],
        [4.062127683382037, 9.0, 2.1, 0.9127667140449459],
        [-2.0, 4.5, -1.2, 0.2826262018170247],
        [-2.0, 20.0, 1.5, 0.00044572844811741064],
        [0.3, 1.0, 3.0, 0.0033617675785082386],
        [10.0, 30.0, 8.5, 0.8070417808453724],
        [30.0, 12.0, 36.0, 0.1423081710019989],
        [2.0, 50.0, -0.5, 0.9927077574323331],
        [5.0, 3.0, 4.0, 0.5862625421017202],
        [42.0, 12.0, 39.0, 0.5972347014006608],
        [-1.0, 7.0, 45.0, 0.0],
    ];
    /// (t, n, ncp_low, ncp_high, d_low, d_high, g_low, g_high) from
    /// `effect_sizes.R` (R `pt` + `uniroot`, tol 1e-13).
    const DZ: [[f64; 8]; 7] = [
        [
            4.062127683382037,
            10.0,
            1.311168091286681,
            6.697756306017388,
            0.41462775638014854,
            2.1180165139770675,
            0.3790882344047072,
            1.9364722413504614,
        ],
        [
            -2.5,
            25.0,
            -4.559358145997897,
            -0.394592931224732,
            -0.9118716291995794,
            -0.0789185862449464,
            -0.8830756830143296,
            -0.07642642036352704,
        ],
        [
            0.3,
            6.0,
            -1.6826982010041551,
            2.253879279404701,
            -0.6869586639265641,
            0.9201423627288928,
            -0.578491506464475,
            0.7748567265085412,
        ],
        [
            0.0,
            15.0,
            -1.9599639845400554,
            1.9599639845400567,
            -0.5060605247526644,
            0.5060605247526647,
            -0.478457223402519,
            0.47845722340251934,
        ],
        [3.0, 2.0, -0.9248008552045377, 7.087937772910853, -0.653932955962247, 5.011928863853539, -0.0, 0.0],
        [
            1.2,
            200.0,
            -0.7650034200487195,
            3.1620005584103774,
            -0.054093910594735034,
            0.22358720369676277,
            -0.053889782630226604,
            0.22274347839979386,
        ],
        [
            45.0,
            12.0,
            26.38743935247288,
            62.88309939761779,
            7.617397606687572,
            18.152787182346312,
            7.08595126203495,
            16.88631365799657,
        ],
    ];

    #[test]
    fn cdf_matches_r_pt_with_ncp() {
        // Series, both tails, fractional df, df = 1, and R's normal
        // approximation beyond |ncp| = 37.62 and its t < 0, ncp > 40 shortcut.
        for [t, df, ncp, want] in PNT {
            let got = noncentral_t_cdf(t, df, ncp).unwrap();
            assert!((got - want).abs() <= 1e-12 + 1e-10 * want, "pt({t}, {df}, {ncp}) = {got}, want {want}");
        }
    }

    #[test]
    fn cdf_edges() {
        // ncp = 0 is the central t; t = 0 is Φ(−ncp); infinite t; bad df.
        let central = StudentsT::new(0.0, 1.0, 9.0).unwrap().cdf(1.7);
        assert_eq!(noncentral_t_cdf(1.7, 9.0, 0.0), Some(central));
        close(noncentral_t_cdf(0.0, 9.0, 1.0).unwrap(), 0.15865525393145707, 1e-12);
        assert_eq!(noncentral_t_cdf(f64::INFINITY, 9.0, 1.0), Some(1.0));
        assert_eq!(noncentral_t_cdf(f64::NEG_INFINITY, 9.0, 1.0), Some(0.0));
        assert_eq!(noncentral_t_cdf(1.0, 0.0, 1.0), None);
        assert_eq!(noncentral_t_cdf(f64::NAN, 3.0, 1.0), None);
        assert_eq!(noncentral_t_cdf(1.0, 3.0, f64::INFINITY), None);
        // Decreasing in ncp.
        let ps: Vec<f64> = (0..40).map(|i| noncentral_t_cdf(2.0, 6.0, -5.0 + 0.3 * f64::from(i)).unwrap()).collect();
        assert!(ps.windows(2).all(|w| w[1] < w[0]));
    }

    #[test]
    fn dz_interval_matches_r_uniroot_of_pt() {
        for [t, n, lo, hi, d_lo, d_hi, g_lo, g_hi] in DZ {
            let r = dz_interval(t, n as usize, 0.05).unwrap().unwrap();
            close(r.ncp_low, lo, 1e-9);
            close(r.ncp_high, hi, 1e-9);
            close(r.d_low, d_lo, 1e-9);
            close(r.d_high, d_hi, 1e-9);
            // n = 2: J = 0, so g_z bounds are 0 (R prints −0).
            close(r.g_low, g_lo, 1e-9);
            close(r.g_high, g_hi, 1e-9);
        }
    }

    /// The sleep data of ORACLES.md: d_z = 1.2846 lies inside its interval,
    /// and the interval contains t/√n at every level.
    #[test]
    fn dz_interval_brackets_the_estimate() {
        let (t, n) = (4.062127683382037, 10);
        let d = t / (n as f64).sqrt();
        for alpha in [0.01, 0.05, 0.2] {
            let r = dz_interval(t, n, alpha).unwrap().unwrap();
            assert!(r.d_low < d && d < r.d_high);
        }
        let wide = dz_interval(t, n, 0.01).unwrap().unwrap();
        let narrow = dz_interval(t, n, 0.2).unwrap().unwrap();
        assert!(wide.d_low < narrow.d_low && narrow.d_high < wide.d_high);
    }

    #[test]
    fn dz_interval_undefined_cases() {
        assert_eq!(dz_interval(2.0, 1, 0.05).unwrap(), None);
        assert_eq!(dz_interval(2.0, 0, 0.05).unwrap(), None);
        // sd of the differences 0: t is infinite or NaN.
        assert_eq!(dz_interval(f64::INFINITY, 10, 0.05).unwrap(), None);
        assert_eq!(dz_interval(f64::NAN, 10, 0.05).unwrap(), None);
        assert!(matches!(dz_interval(2.0, 10, 1.5), Err(StatsError::InvalidAlpha(_))));
        // A huge t still gives an interval (R's approximation region).
        let r = dz_interval(1e4, 30, 0.05).unwrap().unwrap();
        assert!(r.ncp_low > 0.0 && r.ncp_low < 1e4 && r.ncp_high > 1e4 && r.ncp_high.is_finite());
    }
}
