//! Sample quantiles and the five numbers of a box plot.

use serde::Serialize;

/// The `p` quantile of the finite values of `x` by linear interpolation between
/// order statistics (Hyndman & Fan type 7: R's default, numpy's `linear`);
/// `None` when there is no finite value or `p` is outside [0, 1].
pub fn quantile(x: &[f64], p: f64) -> Option<f64> {
    let mut v: Vec<f64> = x.iter().copied().filter(|v| v.is_finite()).collect();
    v.sort_by(f64::total_cmp);
    quantile_sorted(&v, p)
}

/// The `p` quantile by Hazen's rule (Hyndman & Fan type 5, numpy `method="hazen"`):
/// the value at 1-based position `n·p + 1/2`, interpolated, clamped to the extremes.
/// It is the inverse of the mid-rank percentile `100·(rank − ½)/n`: a value ranked at
/// or above that position has a mid-rank percentile of at least `100·p`.
pub fn quantile_hazen(x: &[f64], p: f64) -> Option<f64> {
    let mut v: Vec<f64> = x.iter().copied().filter(|v| v.is_finite()).collect();
    v.sort_by(f64::total_cmp);
    if v.is_empty() || !(0.0..=1.0).contains(&p) {
        return None;
    }
    let h = (v.len() as f64 * p + 0.5).clamp(1.0, v.len() as f64) - 1.0;
    let lo = h.floor() as usize;
    let hi = h.ceil() as usize;
    Some(v[lo] + (h - lo as f64) * (v[hi] - v[lo]))
}

fn quantile_sorted(v: &[f64], p: f64) -> Option<f64> {
    if v.is_empty() || !(0.0..=1.0).contains(&p) {
        return None;
    }
    let h = (v.len() - 1) as f64 * p;
    let lo = h.floor() as usize;
    let hi = h.ceil() as usize;
    Some(v[lo] + (h - lo as f64) * (v[hi] - v[lo]))
}

/// Tukey's box: quartiles (type 7), median, and whiskers at the most extreme
/// values within 1.5 interquartile ranges of the box.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct TukeyBox {
    /// Number of finite values.
    pub n: usize,
    /// Lower whisker end.
    pub low: f64,
    /// First quartile.
    pub q1: f64,
    /// Median.
    pub median: f64,
    /// Third quartile.
    pub q3: f64,
    /// Upper whisker end.
    pub high: f64,
}

/// The [`TukeyBox`] of the finite values of `x`; `None` when there are none.
///
/// Reference: Tukey (1977), *Exploratory Data Analysis*; quartiles as R `quantile(type = 7)`.
pub fn tukey_box(x: &[f64]) -> Option<TukeyBox> {
    let mut v: Vec<f64> = x.iter().copied().filter(|v| v.is_finite()).collect();
    v.sort_by(f64::total_cmp);
    let q1 = quantile_sorted(&v, 0.25)?;
    let median = quantile_sorted(&v, 0.5)?;
    let q3 = quantile_sorted(&v, 0.75)?;
    let fence = 1.5 * (q3 - q1);
    let low = v.iter().copied().find(|x| *x >= q1 - fence).unwrap_or(q1);
    let high = v.iter().rev().copied().find(|x| *x <= q3 + fence).unwrap_or(q3);
    Some(TukeyBox { n: v.len(), low, q1, median, q3, high })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type7_quantiles_match_r() {
        // R: quantile(c(1, 2, 3, 4, 10), c(.25, .5, .75)) → 2 3 4
        let x = [10.0, 1.0, 3.0, 2.0, 4.0];
        assert_eq!(quantile(&x, 0.25), Some(2.0));
        assert_eq!(quantile(&x, 0.5), Some(3.0));
        // R: quantile(c(1, 2, 3, 4), .25) → 1.75
        assert_eq!(quantile(&[1.0, 2.0, 3.0, 4.0], 0.25), Some(1.75));
        assert_eq!(quantile(&[], 0.5), None);
        assert_eq!(quantile(&[1.0], 1.5), None);
    }

    #[test]
    fn tukey_whiskers_stop_at_the_fences() {
        // q1 = 2, q3 = 4, fence = 3: 10 is an outlier, the whisker stops at 4.
        let b = tukey_box(&[1.0, 2.0, 3.0, 4.0, 10.0, f64::NAN]).unwrap();
        assert_eq!((b.n, b.low, b.q1, b.median, b.q3, b.high), (5, 1.0, 2.0, 3.0, 4.0, 4.0));
    }

    #[test]
    fn hazen_quantiles_match_numpy() {
        // numpy.quantile(x, q, method="hazen")
        let x = [3.1, -0.4, 2.2, 7.5, 1.0, 0.3, 5.6, f64::NAN];
        for (q, want) in [
            (0.0, -0.4),
            (0.05, -0.4),
            (0.15, -0.014999999999999958),
            (0.5, 2.2),
            (0.85, 6.455),
            (0.99, 7.5),
            (1.0, 7.5),
        ] {
            let got = quantile_hazen(&x, q).unwrap();
            assert!((got - want).abs() < 1e-12, "q = {q}: {got} vs {want}");
        }
        assert_eq!(quantile_hazen(&[], 0.5), None);
        assert_eq!(quantile_hazen(&[f64::NAN], 0.5), None);
        assert_eq!(quantile_hazen(&[4.0], 0.85), Some(4.0));
        assert_eq!(quantile_hazen(&[1.0, 2.0], 1.5), None);
    }
}
