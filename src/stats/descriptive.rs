//! Descriptive statistics: mean, sample variance and standard deviation
//! (n − 1), standard error and Student-t confidence interval of a mean, and
//! a streaming, mergeable [`Accumulator`] so the same numbers can be
//! computed per partition and combined.
//!
//! Missing values: non-finite inputs (NaN, ±∞) are ignored everywhere in
//! this file; `n` counts the finite values used.

use serde::Serialize;

use super::dist::{check_alpha, t_quantile};
use super::error::StatsError;

/// Finite values of `x`, the ones every statistic here uses.
pub(crate) fn finite(x: &[f64]) -> impl Iterator<Item = f64> + '_ {
    x.iter().copied().filter(|v| v.is_finite())
}

/// Count, mean and sum of squared deviations `M2 = Σ(x − x̄)²` of the finite
/// values, by the corrected two-pass algorithm (Chan, Golub & LeVeque 1983):
/// `x̄ = Σx/n + Σ(x − Σx/n)/n`, which makes the mean of identical values
/// exact and `M2` free of the cancellation of `Σx² − n·x̄²`.
fn moments(x: &[f64]) -> (usize, f64, f64) {
    let (n, sum) = finite(x).fold((0usize, 0.0), |(n, s), v| (n + 1, s + v));
    if n == 0 {
        return (0, 0.0, 0.0);
    }
    let nf = n as f64;
    let rough = sum / nf;
    let mean = rough + finite(x).map(|v| v - rough).sum::<f64>() / nf;
    let m2 = finite(x).map(|v| (v - mean) * (v - mean)).sum();
    (n, mean, m2)
}

/// Arithmetic mean `x̄ = Σxᵢ / n` of the finite values (R `mean(x, na.rm =
/// TRUE)`); `None` when there are none.
pub fn mean(x: &[f64]) -> Option<f64> {
    let (n, m, _) = moments(x);
    (n > 0).then_some(m)
}

/// Sample variance `s² = Σ(xᵢ − x̄)² / (n − 1)` (the unbiased, n − 1
/// convention of R's `var`) of the finite values; `None` when n < 2.
pub fn variance(x: &[f64]) -> Option<f64> {
    let (n, _, m2) = moments(x);
    (n > 1).then(|| m2 / (n as f64 - 1.0))
}

/// Sample standard deviation `s = √(Σ(xᵢ − x̄)² / (n − 1))` of the finite
/// values (R `sd`); `None` when n < 2.
pub fn sd(x: &[f64]) -> Option<f64> {
    variance(x).map(f64::sqrt)
}

/// Summary of one sample: n, mean, sd (n − 1), standard error `s/√n`, the
/// Student-t interval `x̄ ± t_{1−α/2, n−1} · s/√n`, min and max.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    /// Number of finite values.
    pub n: usize,
    /// Mean; `None` when n = 0.
    pub mean: Option<f64>,
    /// Standard deviation (n − 1); `None` when n < 2.
    pub sd: Option<f64>,
    /// Standard error of the mean `sd/√n`; `None` when n < 2.
    pub se: Option<f64>,
    /// Lower end of the t interval; `None` when n < 2 or the data are
    /// constant (zero-width intervals are not reported).
    pub ci_low: Option<f64>,
    /// Upper end of the t interval; `None` as for `ci_low`.
    pub ci_high: Option<f64>,
    /// Smallest value; `None` when n = 0.
    pub min: Option<f64>,
    /// Largest value; `None` when n = 0.
    pub max: Option<f64>,
}

/// Summarises the finite values of `x` (see [`Summary`]) with a `1 − alpha`
/// Student-t interval on n − 1 df.
///
/// Reference: Student (1908); R `t.test(x)$conf.int`.
///
/// # Errors
/// [`StatsError::InvalidAlpha`] unless 0 < alpha < 1.
pub fn describe(x: &[f64], alpha: f64) -> Result<Summary, StatsError> {
    Accumulator::from_slice(x).summary(alpha)
}

/// Streaming, mergeable summary of a sample: count, mean, `M2 = Σ(x − x̄)²`,
/// min and max. Values are pushed one at a time (Welford 1962) or whole
/// partitions are merged (Chan, Golub & LeVeque 1979, pairwise update
/// `M2 = M2ₐ + M2_b + δ²·nₐn_b/n`, `δ = x̄_b − x̄ₐ`), so merging partition
/// accumulators in any order agrees with a single pass up to rounding.
/// Keeping `M2` rather than `Σx²` avoids catastrophic cancellation; `Σx`
/// and `Σx²` are still available as [`Accumulator::sum`] and
/// [`Accumulator::sum_sq`]. Non-finite values are ignored.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Accumulator {
    n: usize,
    mean: f64,
    m2: f64,
    min: f64,
    max: f64,
}

impl Default for Accumulator {
    fn default() -> Self {
        Self::new()
    }
}

impl Accumulator {
    /// An empty accumulator (n = 0).
    pub fn new() -> Self {
        Accumulator { n: 0, mean: 0.0, m2: 0.0, min: f64::INFINITY, max: f64::NEG_INFINITY }
    }

    /// Accumulates the finite values of a slice with the two-pass
    /// algorithm (more accurate than pushing them one by one).
    pub fn from_slice(x: &[f64]) -> Self {
        let (n, mean, m2) = moments(x);
        let (min, max) = finite(x).fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| (lo.min(v), hi.max(v)));
        Accumulator { n, mean, m2, min, max }
    }

    /// Adds one value (Welford's update); NaN and ±∞ are ignored.
    pub fn push(&mut self, x: f64) {
        if !x.is_finite() {
            return;
        }
        self.n += 1;
        let delta = x - self.mean;
        self.mean += delta / self.n as f64;
        self.m2 += delta * (x - self.mean);
        self.min = self.min.min(x);
        self.max = self.max.max(x);
    }

    /// Merges another accumulator into this one (Chan et al.'s pairwise
    /// formula); the result describes the union of both samples.
    pub fn merge(&mut self, other: &Accumulator) {
        if other.n == 0 {
            return;
        }
        if self.n == 0 {
            *self = *other;
            return;
        }
        let (na, nb) = (self.n as f64, other.n as f64);
        let n = na + nb;
        let delta = other.mean - self.mean;
        self.mean += delta * nb / n;
        self.m2 += other.m2 + delta * delta * na * nb / n;
        self.n += other.n;
        self.min = self.min.min(other.min);
        self.max = self.max.max(other.max);
    }

    /// Number of values accumulated.
    pub fn n(&self) -> usize {
        self.n
    }

    /// `Σx = n·x̄`.
    pub fn sum(&self) -> f64 {
        self.n as f64 * self.mean
    }

    /// `Σx² = M2 + n·x̄²`.
    pub fn sum_sq(&self) -> f64 {
        self.m2 + self.n as f64 * self.mean * self.mean
    }

    /// Mean `Σx/n`; `None` when n = 0.
    pub fn mean(&self) -> Option<f64> {
        (self.n > 0).then_some(self.mean)
    }

    /// Sample variance `M2/(n − 1)`; `None` when n < 2.
    pub fn variance(&self) -> Option<f64> {
        // M2 can come out a hair below zero after merges of constant data.
        (self.n > 1).then(|| self.m2.max(0.0) / (self.n as f64 - 1.0))
    }

    /// Sample standard deviation `√(M2/(n − 1))`; `None` when n < 2.
    pub fn sd(&self) -> Option<f64> {
        self.variance().map(f64::sqrt)
    }

    /// Standard error of the mean `s/√n`; `None` when n < 2.
    pub fn se(&self) -> Option<f64> {
        self.sd().map(|s| s / (self.n as f64).sqrt())
    }

    /// Smallest value; `None` when n = 0.
    pub fn min(&self) -> Option<f64> {
        (self.n > 0).then_some(self.min)
    }

    /// Largest value; `None` when n = 0.
    pub fn max(&self) -> Option<f64> {
        (self.n > 0).then_some(self.max)
    }

    /// The [`Summary`] with a `1 − alpha` interval
    /// `x̄ ± t_{1−α/2, n−1} · s/√n`. The interval is `None` when n < 2 or
    /// the standard error is zero up to rounding (R's `t.test` rule
    /// `se < 10·ε·|x̄|`).
    ///
    /// # Errors
    /// [`StatsError::InvalidAlpha`] unless 0 < alpha < 1.
    pub fn summary(&self, alpha: f64) -> Result<Summary, StatsError> {
        check_alpha(alpha)?;
        let mean = self.mean();
        let se = self.se();
        let ci = match (mean, se) {
            (Some(m), Some(se)) if !se_is_degenerate(se, m) => {
                t_quantile(1.0 - alpha / 2.0, self.n as f64 - 1.0).map(|q| (m - q * se, m + q * se))
            }
            _ => None,
        };
        Ok(Summary {
            n: self.n,
            mean,
            sd: self.sd(),
            se,
            ci_low: ci.map(|c| c.0),
            ci_high: ci.map(|c| c.1),
            min: self.min(),
            max: self.max(),
        })
    }
}

/// R's `t.test` guard ("data are essentially constant"): a standard error
/// below `10·ε·|estimate|` is rounding noise around zero variance.
pub(crate) fn se_is_degenerate(se: f64, estimate: f64) -> bool {
    se.is_nan() || se <= 10.0 * f64::EPSILON * estimate.abs()
}

/// The pairs `(a[i], b[i])` in which both values are finite; a pair with a
/// NaN or ±∞ on either side is dropped whole.
pub(crate) fn complete_pairs(a: &[f64], b: &[f64]) -> Result<(Vec<f64>, Vec<f64>), StatsError> {
    if a.len() != b.len() {
        return Err(StatsError::LengthMismatch { left: a.len(), right: b.len() });
    }
    Ok(a.iter().zip(b).filter(|(x, y)| x.is_finite() && y.is_finite()).map(|(x, y)| (*x, *y)).unzip())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn empty_sample_is_all_none() {
        let s = describe(&[], 0.05).unwrap();
        assert_eq!(s.n, 0);
        assert_eq!((s.mean, s.sd, s.se, s.ci_low, s.min, s.max), (None, None, None, None, None, None));
        assert_eq!(mean(&[]), None);
        assert_eq!(variance(&[]), None);
    }

    #[test]
    fn single_value_has_mean_but_no_spread() {
        let s = describe(&[4.0], 0.05).unwrap();
        assert_eq!((s.n, s.mean, s.sd, s.ci_low), (1, Some(4.0), None, None));
        assert_eq!((s.min, s.max), (Some(4.0), Some(4.0)));
    }

    #[test]
    fn two_values_give_a_t_interval_on_one_df() {
        let s = describe(&[1.0, 3.0], 0.05).unwrap();
        assert_eq!(s.mean, Some(2.0));
        assert!((s.sd.unwrap() - 2f64.sqrt()).abs() < 1e-15);
        assert!((s.se.unwrap() - 1.0).abs() < 1e-15);
        // qt(0.975, 1) = 12.706204736174698
        assert!((s.ci_high.unwrap() - (2.0 + 12.706204736174698)).abs() < 1e-9);
        assert!((s.ci_low.unwrap() - (2.0 - 12.706204736174698)).abs() < 1e-9);
    }

    #[test]
    fn constant_data_have_zero_sd_and_no_interval() {
        let s = describe(&[0.1, 0.1, 0.1], 0.05).unwrap();
        assert_eq!(s.mean, Some(0.1));
        assert_eq!(s.sd, Some(0.0));
        assert_eq!((s.ci_low, s.ci_high), (None, None));
    }

    #[test]
    fn non_finite_values_are_ignored() {
        let with = describe(&[1.0, f64::NAN, 3.0, f64::INFINITY], 0.05).unwrap();
        assert_eq!(with, describe(&[1.0, 3.0], 0.05).unwrap());
        assert_eq!(describe(&[f64::NAN], 0.05).unwrap().n, 0);
    }

    #[test]
    fn alpha_outside_unit_interval_is_an_error() {
        assert_eq!(describe(&[1.0, 2.0], 0.0), Err(StatsError::InvalidAlpha(0.0)));
        assert!(describe(&[1.0, 2.0], 1.0).is_err());
        assert!(describe(&[1.0, 2.0], f64::NAN).is_err());
    }

    #[test]
    fn sums_are_recovered_from_moments() {
        let acc = Accumulator::from_slice(&[1.0, 2.0, 4.0]);
        assert!((acc.sum() - 7.0).abs() < 1e-12);
        assert!((acc.sum_sq() - 21.0).abs() < 1e-12);
    }

    #[test]
    fn merging_empty_accumulators_is_identity() {
        let acc = Accumulator::from_slice(&[1.0, 2.0]);
        let mut a = acc;
        a.merge(&Accumulator::new());
        assert_eq!(a, acc);
        let mut e = Accumulator::default();
        e.merge(&acc);
        assert_eq!(e, acc);
    }

    #[test]
    fn mismatched_pairs_are_an_error_and_nan_pairs_dropped() {
        assert!(complete_pairs(&[1.0], &[]).is_err());
        let (a, b) = complete_pairs(&[1.0, f64::NAN, 3.0], &[2.0, 5.0, f64::NAN]).unwrap();
        assert_eq!((a, b), (vec![1.0], vec![2.0]));
    }

    fn close(a: Option<f64>, b: Option<f64>) -> bool {
        match (a, b) {
            (Some(x), Some(y)) => (x - y).abs() <= 1e-9 * (1.0 + x.abs().max(y.abs())),
            (None, None) => true,
            _ => false,
        }
    }

    proptest! {
        #[test]
        fn accumulators_merged_in_any_order_match_one_pass(
            xs in prop::collection::vec(-1e3f64..1e3, 0..60),
            cuts in prop::collection::vec(0usize..60, 0..5),
            reverse in any::<bool>(),
            rotate in 0usize..6,
        ) {
            let one = Accumulator::from_slice(&xs);
            let mut bounds: Vec<usize> = cuts.into_iter().map(|c| c.min(xs.len())).collect();
            bounds.push(0);
            bounds.push(xs.len());
            bounds.sort_unstable();
            let mut parts: Vec<Accumulator> = bounds.windows(2).map(|w| {
                let mut a = Accumulator::new();
                xs[w[0]..w[1]].iter().for_each(|&x| a.push(x));
                a
            }).collect();
            if reverse { parts.reverse(); }
            let r = rotate % parts.len();
            parts.rotate_left(r);
            // Merge as a tree as well as left to right.
            let mut tree: Vec<Accumulator> = parts.clone();
            while tree.len() > 1 {
                tree = tree.chunks(2).map(|c| {
                    let mut a = c[0];
                    if let Some(b) = c.get(1) { a.merge(b); }
                    a
                }).collect();
            }
            prop_assert_eq!(tree[0].n(), one.n());
            prop_assert!(close(tree[0].mean(), one.mean()));
            prop_assert!(close(tree[0].variance(), one.variance()));
            let mut merged = Accumulator::new();
            parts.iter().for_each(|p| merged.merge(p));
            prop_assert_eq!(merged.n(), one.n());
            prop_assert!(close(merged.mean(), one.mean()));
            prop_assert!(close(merged.variance(), one.variance()));
            prop_assert_eq!(merged.min(), one.min());
            prop_assert_eq!(merged.max(), one.max());
        }
    }
}
