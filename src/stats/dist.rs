//! Distribution helpers over `statrs`: two-sided p-values, quantiles and the
//! Student-t interval shared by every t-based statistic. Every helper
//! returns `None` instead of NaN when its arguments are outside the
//! distribution's domain (df ≤ 0, non-finite statistic).

use statrs::distribution::{
    ChiSquared, Continuous, ContinuousCDF, FisherSnedecor, Normal, StudentsT,
};

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
