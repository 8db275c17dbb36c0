//! Measurement error of individual scores: the reliabilities of a difference and of a
//! residual, and the chance that a true score lies in an interval — what a per-person
//! index needs to say how sure it is (the cadre scorecard).
//!
//! Reliability is the share of the observed variance that is true-score variance,
//! ρ = 1 − σ²_error / σ²_observed, in [0, 1]; every function clamps to that range and
//! returns `None` where the data cannot tell (no variance, no degrees of freedom).

use super::dist::normal_cdf_both;

/// Reliability of a difference `a − b` of two scores with reliabilities `rel_a`,
/// `rel_b`, standard deviations `sd_a`, `sd_b` and observed correlation `r_ab`
/// (Lord 1963): `(ρ_a s_a² + ρ_b s_b² − 2 r_ab s_a s_b) / (s_a² + s_b² − 2 r_ab s_a s_b)`.
pub fn difference_reliability(rel_a: f64, rel_b: f64, sd_a: f64, sd_b: f64, r_ab: f64) -> Option<f64> {
    let cross = 2.0 * r_ab * sd_a * sd_b;
    let den = sd_a * sd_a + sd_b * sd_b - cross;
    let num = rel_a * sd_a * sd_a + rel_b * sd_b * sd_b - cross;
    (den.is_finite() && num.is_finite() && den > 0.0).then(|| (num / den).clamp(0.0, 1.0))
}

/// The residuals of `post` regressed on `pre` (ordinary least squares over the pairs
/// where both are finite) and their reliability, given the reliabilities of the two
/// scores: the residual's error variance is `(1 − ρ_post)·Var(post) + b²·(1 − ρ_pre)·Var(pre)`
/// (b the slope; the two errors independent), its reliability `1 − that / Var(residual)`.
#[derive(Debug, Clone, PartialEq)]
pub struct Residuals {
    /// One per pair (`None` where a side is missing).
    pub residual: Vec<Option<f64>>,
    /// Sample sd (n − 1) of the residuals.
    pub sd: Option<f64>,
    /// `None` when a score's reliability is unknown or the residuals do not vary.
    pub reliability: Option<f64>,
}

/// See [`Residuals`]; `None` fields with fewer than 3 complete pairs or a constant `pre`.
pub fn residual_gains(pre: &[f64], post: &[f64], rel_pre: Option<f64>, rel_post: Option<f64>) -> Residuals {
    let pairs: Vec<(usize, f64, f64)> = pre
        .iter()
        .zip(post)
        .enumerate()
        .filter(|(_, (a, b))| a.is_finite() && b.is_finite())
        .map(|(i, (a, b))| (i, *a, *b))
        .collect();
    let none = Residuals { residual: vec![None; pre.len()], sd: None, reliability: None };
    let n = pairs.len() as f64;
    if pairs.len() < 3 {
        return none;
    }
    let (mx, my) = (pairs.iter().map(|p| p.1).sum::<f64>() / n, pairs.iter().map(|p| p.2).sum::<f64>() / n);
    let sxx: f64 = pairs.iter().map(|p| (p.1 - mx) * (p.1 - mx)).sum();
    let syy: f64 = pairs.iter().map(|p| (p.2 - my) * (p.2 - my)).sum();
    let sxy: f64 = pairs.iter().map(|p| (p.1 - mx) * (p.2 - my)).sum();
    if sxx <= 0.0 {
        return none;
    }
    let b = sxy / sxx;
    let mut residual = vec![None; pre.len()];
    let mut ss = 0.0;
    for &(i, x, y) in &pairs {
        let r = y - my - b * (x - mx);
        residual[i] = Some(r);
        ss += r * r;
    }
    let var_r = ss / (n - 1.0);
    let reliability = match (rel_pre, rel_post) {
        (Some(rx), Some(ry)) if var_r > 0.0 => {
            let error =
                (1.0 - ry.clamp(0.0, 1.0)) * syy / (n - 1.0) + b * b * (1.0 - rx.clamp(0.0, 1.0)) * sxx / (n - 1.0);
            Some((1.0 - error / var_r).clamp(0.0, 1.0))
        }
        _ => None,
    };
    Residuals { residual, sd: (var_r > 0.0).then(|| var_r.sqrt()), reliability }
}

/// `P(lo ≤ X ≤ hi)` for `X ~ N(mean, se²)` (either bound may be infinite); with
/// `se = 0`, 1 when `mean` lies in the interval, else 0.
pub fn normal_interval_probability(mean: f64, se: f64, lo: f64, hi: f64) -> Option<f64> {
    if !mean.is_finite() || se.is_nan() || se < 0.0 || lo.is_nan() || hi.is_nan() || lo > hi {
        return None;
    }
    if se == 0.0 {
        return Some(if (lo..=hi).contains(&mean) { 1.0 } else { 0.0 });
    }
    let cdf = |x: f64| -> f64 {
        if x == f64::INFINITY {
            1.0
        } else if x == f64::NEG_INFINITY {
            0.0
        } else {
            normal_cdf_both((x - mean) / se).0
        }
    };
    Some((cdf(hi) - cdf(lo)).clamp(0.0, 1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn difference_reliability_follows_lord() {
        // Equal sds, ρ = 0.9, r = 0.6: (0.9 − 0.6)/(1 − 0.6) = 0.75.
        assert!((difference_reliability(0.9, 0.9, 2.0, 2.0, 0.6).unwrap() - 0.75).abs() < 1e-12);
        // Perfectly correlated equal scores: no variance in the difference.
        assert_eq!(difference_reliability(0.9, 0.9, 1.0, 1.0, 1.0), None);
        assert_eq!(difference_reliability(0.5, 0.5, 1.0, 1.0, 0.9), Some(0.0));
    }

    #[test]
    fn residual_gains_and_their_reliability() {
        let pre = [40.0, 50.0, 60.0, 70.0, f64::NAN];
        let post = [52.0, 58.0, 71.0, 79.0, 90.0];
        let r = residual_gains(&pre, &post, Some(0.8), Some(0.9));
        // Sxx = 500, Sxy = 470: b = 0.94 around the means 55 and 65 (by hand).
        let want = [1.1, -2.3, 1.3, -0.1];
        for (i, w) in want.iter().enumerate() {
            assert!((r.residual[i].unwrap() - w).abs() < 1e-12);
        }
        assert_eq!(r.residual[4], None);
        let var_r = want.iter().map(|x| x * x).sum::<f64>() / 3.0;
        let var_pre = 500.0 / 3.0;
        let var_post = [52.0f64, 58.0, 71.0, 79.0].iter().map(|y| (y - 65.0) * (y - 65.0)).sum::<f64>() / 3.0;
        let error = 0.1 * var_post + 0.94 * 0.94 * 0.2 * var_pre;
        let got = r.reliability.unwrap();
        assert!((got - (1.0 - error / var_r).clamp(0.0, 1.0)).abs() < 1e-12, "{got}");
        assert_eq!(residual_gains(&pre, &post, None, Some(0.9)).reliability, None);
        assert_eq!(residual_gains(&[1.0, 1.0, 1.0], &[2.0, 3.0, 4.0], Some(1.0), Some(1.0)).sd, None);
    }

    #[test]
    fn interval_probability() {
        let p = normal_interval_probability(0.0, 1.0, -1.959963984540054, 1.959963984540054).unwrap();
        assert!((p - 0.95).abs() < 1e-12);
        assert_eq!(normal_interval_probability(0.0, 1.0, f64::NEG_INFINITY, f64::INFINITY), Some(1.0));
        assert_eq!(normal_interval_probability(2.0, 0.0, 1.0, 3.0), Some(1.0));
        assert_eq!(normal_interval_probability(2.0, -1.0, 1.0, 3.0), None);
    }
}
