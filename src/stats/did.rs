//! Difference-in-differences of two sets of before/after deltas (trained
//! cadres against untrained controls) with a Welch interval.
//!
//! In: the deltas of each group. Out: both means, their difference and its
//! Welch t interval. Non-finite deltas are ignored.

use serde::Serialize;

use super::descriptive::Accumulator;
use super::dist::check_alpha;
use super::error::StatsError;
use super::ttest::{welch_from, TTest};

/// Difference-in-differences estimate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DiffInDiff {
    /// Finite deltas of the treated group.
    pub n_treated: usize,
    /// Finite deltas of the control group.
    pub n_control: usize,
    /// Mean treated delta; `None` when empty.
    pub treated_delta: Option<f64>,
    /// Mean control delta; `None` when empty.
    pub control_delta: Option<f64>,
    /// `did = mean(treated) − mean(control)`; `None` when either is empty.
    pub did: Option<f64>,
    /// Welch se, Welch–Satterthwaite df, p and `1 − alpha` interval of
    /// `did`; `None` when either group has fewer than 2 deltas or both
    /// have zero variance.
    pub test: Option<TTest>,
}

/// Difference-in-differences `did = mean(Δ_treated) − mean(Δ_control)` with
/// Welch's interval `did ± t_{1−α/2, ν}·√(s_t²/n_t + s_c²/n_c)`, ν the
/// Welch–Satterthwaite df (Welch 1947; for the design, Angrist & Pischke
/// 2009, ch. 5: with one pre and one post period per person the DiD is the
/// two-sample comparison of individual deltas). Variances n − 1.
///
/// # Errors
/// [`StatsError::InvalidAlpha`] unless 0 < alpha < 1.
pub fn diff_in_diff(treated: &[f64], control: &[f64], alpha: f64) -> Result<DiffInDiff, StatsError> {
    diff_in_diff_from(&Accumulator::from_slice(treated), &Accumulator::from_slice(control), alpha)
}

/// [`diff_in_diff`] from the two groups' accumulated deltas (a control group shared
/// by many treated groups is summarised once).
///
/// # Errors
/// [`StatsError::InvalidAlpha`] unless 0 < alpha < 1.
pub fn diff_in_diff_from(t: &Accumulator, c: &Accumulator, alpha: f64) -> Result<DiffInDiff, StatsError> {
    check_alpha(alpha)?;
    let welch = welch_from(t, c, alpha);
    Ok(DiffInDiff {
        n_treated: welch.n_a,
        n_control: welch.n_b,
        treated_delta: welch.mean_a,
        control_delta: welch.mean_b,
        did: welch.diff,
        test: welch.test,
    })
}

#[cfg(test)]
mod tests {
    use super::super::welch_t;
    use super::*;

    #[test]
    fn did_is_the_welch_comparison_of_deltas() {
        let (t, c) = ([2.0, 3.5, 1.0, 4.0, 2.5], [0.5, 1.0, -0.5, 0.0]);
        let d = diff_in_diff(&t, &c, 0.05).unwrap();
        let w = welch_t(&t, &c, 0.05).unwrap();
        assert_eq!(d.did, w.diff);
        assert_eq!(d.test, w.test);
        assert!((d.did.unwrap() - (2.6 - 0.25)).abs() < 1e-12);
        assert_eq!((d.n_treated, d.n_control), (5, 4));
        let from = diff_in_diff_from(&Accumulator::from_slice(&t), &Accumulator::from_slice(&c), 0.05).unwrap();
        assert_eq!(from, d);
    }

    #[test]
    fn small_groups_have_an_estimate_but_no_interval() {
        let d = diff_in_diff(&[2.0, 3.0], &[1.0], 0.05).unwrap();
        assert_eq!((d.did, d.test), (Some(1.5), None));
        let d = diff_in_diff(&[], &[1.0, 2.0], 0.05).unwrap();
        assert_eq!((d.did, d.treated_delta, d.test), (None, None, None));
        assert!(diff_in_diff(&[1.0], &[1.0], 1.5).is_err());
    }
}
