//! Distribution helpers over `statrs`: two-sided p-values, quantiles and the
//! Student-t interval shared by every t-based statistic. Every helper
//! returns `None` instead of NaN when its arguments are outside the
//! distribution's domain (df ≤ 0, non-finite statistic).

use statrs::distribution::{ChiSquared, Continuous, ContinuousCDF, FisherSnedecor, Normal, StudentsT};

use super::error::StatsError;

/// Rejects an `alpha` outside (0, 1).
pub(crate) fn check_alpha(alpha: f64) -> Result<(), StatsError> {
    if alpha > 0.0 && alpha < 1.0 {
        Ok(())
    } else {
        Err(StatsError::InvalidAlpha(alpha))
    }
}

/// Two-sided p-value of a Student t statistic, `2·P(T_df ≥ |t|)`.
pub(crate) fn t_two_sided_p(t: f64, df: f64) -> Option<f64> {
    if !t.is_finite() || df.is_nan() || df <= 0.0 {
        return None;
    }
    let dist = StudentsT::new(0.0, 1.0, df).ok()?;
    // sf(|t|) is computed directly from the incomplete beta function,
    // so tiny p-values keep their precision (no 1 − cdf cancellation).
    Some((2.0 * dist.sf(t.abs())).min(1.0))
}

/// Quantile `q` with `P(T_df ≤ q) = prob`.
pub(crate) fn t_quantile(prob: f64, df: f64) -> Option<f64> {
    if prob.is_nan() || prob <= 0.0 || prob >= 1.0 || df.is_nan() || df <= 0.0 {
        return None;
    }
    // Every group's interval asks for the same few (prob, df) pairs (df = n − 1 of
    // similar-sized groups): remember them per thread. A pure function of its
    // arguments, so the value is the same bits either way.
    thread_local! {
        static SEEN: std::cell::RefCell<rustc_hash::FxHashMap<(u64, u64), Option<f64>>> = Default::default();
    }
    let key = (prob.to_bits(), df.to_bits());
    if let Some(q) = SEEN.with(|m| m.borrow().get(&key).copied()) {
        return q;
    }
    let q = t_quantile_uncached(prob, df);
    SEEN.with(|m| {
        let mut m = m.borrow_mut();
        if m.len() < 4096 {
            m.insert(key, q);
        }
    });
    q
}

fn t_quantile_uncached(prob: f64, df: f64) -> Option<f64> {
    let dist = StudentsT::new(0.0, 1.0, df).ok()?;
    let mut q = dist.inverse_cdf(prob);
    if !q.is_finite() {
        return None;
    }
    // Two Newton steps on the cdf polish the incomplete-beta inversion to
    // full double precision.
    for _ in 0..2 {
        let density = dist.pdf(q);
        if density > 0.0 {
            q -= (dist.cdf(q) - prob) / density;
        }
    }
    Some(q)
}

/// Upper tail `P(F_{d1,d2} ≥ f)`.
pub(crate) fn f_sf(f: f64, d1: f64, d2: f64) -> Option<f64> {
    if !f.is_finite() || f < 0.0 || d1.is_nan() || d1 <= 0.0 || d2.is_nan() || d2 <= 0.0 {
        return None;
    }
    let dist = FisherSnedecor::new(d1, d2).ok()?;
    Some(dist.sf(f).clamp(0.0, 1.0))
}

/// Quantile `q` with `P(F_{d1,d2} ≤ q) = prob` (df may be fractional, as
/// the ICC(2) interval's Satterthwaite df); statrs' inversion polished by
/// Newton steps on the cdf to full precision. `None` outside the domain.
pub(crate) fn f_quantile(prob: f64, d1: f64, d2: f64) -> Option<f64> {
    let ok = |v: f64| v.is_finite() && v > 0.0;
    if !(prob > 0.0 && prob < 1.0 && ok(d1) && ok(d2)) {
        return None;
    }
    let dist = FisherSnedecor::new(d1, d2).ok()?;
    let mut q = dist.inverse_cdf(prob);
    if !ok(q) {
        return None;
    }
    for _ in 0..6 {
        let density = dist.pdf(q);
        if density.is_nan() || density <= 0.0 {
            break;
        }
        let step = (dist.cdf(q) - prob) / density;
        // Stay in (0, ∞): halve towards 0 instead of stepping past it.
        let next = if q - step > 0.0 { q - step } else { q / 2.0 };
        let done = (next - q).abs() <= 4.0 * f64::EPSILON * q;
        q = next;
        if done {
            break;
        }
    }
    ok(q).then_some(q)
}

/// Upper tail `P(χ²_df ≥ x)`.
pub(crate) fn chi2_sf(x: f64, df: f64) -> Option<f64> {
    if !x.is_finite() || x < 0.0 || df.is_nan() || df <= 0.0 {
        return None;
    }
    let dist = ChiSquared::new(df).ok()?;
    Some(dist.sf(x).clamp(0.0, 1.0))
}

/// Two-sided p-value of a standard normal statistic, `2·P(Z ≥ |z|)`.
pub(crate) fn normal_two_sided_p(z: f64) -> Option<f64> {
    if !z.is_finite() {
        return None;
    }
    let dist = Normal::new(0.0, 1.0).ok()?;
    Some((2.0 * dist.sf(z.abs())).min(1.0))
}

/// Standard normal `(P(Z ≤ x), P(Z > x))`, each to full double precision,
/// by W. J. Cody's rational Chebyshev approximations (Cody 1969, Math.
/// Comp. 23; the ANORM routine of SPECFUN, Netlib), the method of R's
/// `pnorm`: three ranges of |x| (≤ 0.674, ≤ √32, beyond), with exp(−x²/2)
/// split as exp(−x̃²/2)·exp(−(x − x̃)(x + x̃)/2), x̃ = ⌊16x⌋/16, so the
/// square does not lose bits. statrs' `Normal::cdf` is off by ~1e-11 near
/// |x| = 1, too coarse for the noncentral t series it ends.
pub(crate) fn normal_cdf_both(x: f64) -> (f64, f64) {
    const A: [f64; 5] =
        [2.2352520354606837, 161.02823106855587, 1067.6894854603709, 18154.98125334356, 0.06568233791820745];
    const B: [f64; 4] = [47.202581904688245, 976.0985517377767, 10260.932208618979, 45507.78933502673];
    const C: [f64; 9] = [
        0.39894151208813466,
        8.883149794388377,
        93.50665613217785,
        597.2702763948002,
        2494.5375852903726,
        6848.190450536283,
        11602.65143764735,
        9842.714838383978,
        1.0765576773720192e-08,
    ];
    const D: [f64; 8] = [
        22.266688044328117,
        235.387901782625,
        1519.3775994075547,
        6485.558298266761,
        18615.571640885097,
        34900.95272114598,
        38912.00328609327,
        19685.429676859992,
    ];
    const P: [f64; 6] = [
        0.215898534057957,
        0.12740116116024736,
        0.022235277870649807,
        0.0014216191932278934,
        2.9112874951168793e-05,
        0.023073441764940174,
    ];
    const Q: [f64; 5] =
        [1.284260096144911, 0.4682382124808651, 0.06598813786892856, 0.0037823963320275824, 7.297515550839662e-05];
    if x.is_nan() {
        return (f64::NAN, f64::NAN);
    }
    let y = x.abs();
    // exp(−v²/2)·factor with v split at a 1/16 grid (see the doc).
    let tail = |v: f64, factor: f64| {
        let v16 = (v * 16.0).trunc() / 16.0;
        let del = (v - v16) * (v + v16);
        (-v16 * v16 * 0.5).exp() * (-del * 0.5).exp() * factor
    };
    // The smaller tail, then oriented by the sign of x.
    let small = if y <= 0.674_489_75 {
        let (mut num, mut den) = (0.0, 0.0);
        if y > f64::EPSILON * 0.5 {
            let xsq = x * x;
            num = A[4] * xsq;
            den = xsq;
            for i in 0..3 {
                num = (num + A[i]) * xsq;
                den = (den + B[i]) * xsq;
            }
        }
        let t = x * (num + A[3]) / (den + B[3]);
        return (0.5 + t, 0.5 - t);
    } else if y <= 32f64.sqrt() {
        let (mut num, mut den) = (C[8] * y, y);
        for i in 0..7 {
            num = (num + C[i]) * y;
            den = (den + D[i]) * y;
        }
        tail(y, (num + C[7]) / (den + D[7]))
    } else if y < 37.5193 {
        let xsq = 1.0 / (x * x);
        let (mut num, mut den) = (P[5] * xsq, xsq);
        for i in 0..4 {
            num = (num + P[i]) * xsq;
            den = (den + Q[i]) * xsq;
        }
        let t = xsq * (num + P[4]) / (den + Q[4]);
        // 1/√(2π).
        tail(y, (0.398_942_280_401_432_7 - t) / y)
    } else {
        0.0
    };
    if x > 0.0 {
        (1.0 - small, small)
    } else {
        (small, 1.0 - small)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// R's `pnorm` (`sprintf("%.17g")`) in each range of Cody's
    /// approximation, both tails.
    #[test]
    fn normal_cdf_matches_r_pnorm() {
        let cases = [
            (-1.0, 0.15865525393145705),
            (0.3, 0.6179114221889527),
            (1e-20, 0.5),
            (-2.5, 0.006209665325776135),
            (-7.3, 1.4388386381575877e-13),
            (-30.0, 4.906713927148187e-198),
            (-40.0, 0.0),
        ];
        for (x, want) in cases {
            let (lo, up) = normal_cdf_both(x);
            assert!((lo - want).abs() <= 1e-15 * want, "pnorm({x}) = {lo:e}, want {want:e}");
            let (lo2, up2) = normal_cdf_both(-x);
            assert_eq!((lo2, up2), (up, lo));
        }
        assert!(normal_cdf_both(f64::NAN).0.is_nan());
    }

    /// R's `qf(p, df1, df2)` with integer and fractional df, both tails.
    #[test]
    fn f_quantile_matches_r_qf() {
        let cases = [
            (0.975, 5.0, 15.0, 3.5764153492790602),
            (0.025, 5.0, 15.0, 0.15557596307848698),
            (0.95, 2.5, 3.7, 7.295883750572825),
            (0.975, 29.0, 116.0, 1.7041562388555933),
            (0.5, 1.0, 1.0, 1.0000000000000004),
        ];
        for (p, d1, d2, want) in cases {
            let got = f_quantile(p, d1, d2).unwrap();
            assert!((got - want).abs() <= 1e-12 * want, "qf({p}, {d1}, {d2}) = {got}, want {want}");
        }
        assert_eq!(f_quantile(0.0, 2.0, 3.0), None);
        assert_eq!(f_quantile(0.5, 0.0, 3.0), None);
        assert_eq!(f_quantile(0.5, 2.0, f64::NAN), None);
    }
}
