//! Hake's normalised learning gain: the share of the possible improvement
//! that was achieved.
//!
//! In: pre and post scores (or their class means) and the scale maximum.
//! Out: the class-average gain ⟨g⟩ and the mean of individual gains, each
//! `None` when undefined. Comparisons with the maximum are made after
//! rounding to 9 decimals (SPEC Appendix C.5).

use serde::Serialize;

use super::descriptive::{complete_pairs, mean};
use super::error::StatsError;
use super::rank::round_for_ties;

/// Hake's class-average normalised gain
/// `⟨g⟩ = (post̄ − pre̅)/(max − pre̅)` (Hake 1998, eq. 1).
///
/// `None` when an input is not finite or `pre_mean` is at (or, invalidly,
/// above) `max` after rounding to 9 decimals, where the gain is undefined.
/// Hake reports ⟨g⟩ ≈ 0.23 for traditional and ≈ 0.48 for
/// interactive-engagement courses.
pub fn hake_gain(pre_mean: f64, post_mean: f64, max: f64) -> Option<f64> {
    if !(pre_mean.is_finite() && post_mean.is_finite() && max.is_finite()) {
        return None;
    }
    (round_for_ties(pre_mean) < round_for_ties(max)).then(|| (post_mean - pre_mean) / (max - pre_mean))
}

/// Normalised gains of a class.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HakeGains {
    /// Complete pairs (both scores finite).
    pub n_pairs: usize,
    /// ⟨g⟩ from the class means over the complete pairs; `None` when there
    /// are no pairs or the pre mean is at the maximum.
    pub class_gain: Option<f64>,
    /// Pairs with `pre < max` (after rounding), whose individual gain is
    /// defined.
    pub n_individual: usize,
    /// Mean of `gᵢ = (postᵢ − preᵢ)/(max − preᵢ)` over those pairs; `None`
    /// when there are none.
    pub mean_individual_gain: Option<f64>,
}

/// Class-average gain ⟨g⟩ (Hake 1998) and the mean of individual gains
/// `ḡ = mean((postᵢ − preᵢ)/(max − preᵢ))` over pairs with `preᵢ < max`
/// (Marx & Cummings 2007 discuss why the two differ). Pairs with a
/// non-finite value are dropped.
///
/// # Errors
/// [`StatsError::LengthMismatch`] when the slices differ in length.
pub fn hake_gains(pre: &[f64], post: &[f64], max: f64) -> Result<HakeGains, StatsError> {
    let (pre, post) = complete_pairs(pre, post)?;
    let class_gain = match (mean(&pre), mean(&post)) {
        (Some(a), Some(b)) => hake_gain(a, b, max),
        _ => None,
    };
    let individual: Vec<f64> = pre.iter().zip(&post).filter_map(|(&a, &b)| hake_gain(a, b, max)).collect();
    Ok(HakeGains {
        n_pairs: pre.len(),
        class_gain,
        n_individual: individual.len(),
        mean_individual_gain: mean(&individual),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gain_is_undefined_at_the_maximum() {
        assert_eq!(hake_gain(100.0, 100.0, 100.0), None);
        // Rounds to 100 at 9 decimals.
        assert_eq!(hake_gain(99.999_999_999_9, 100.0, 100.0), None);
        assert_eq!(hake_gain(101.0, 100.0, 100.0), None);
        assert_eq!(hake_gain(f64::NAN, 100.0, 100.0), None);
        assert_eq!(hake_gain(50.0, 40.0, 100.0), Some(-0.2));
    }

    #[test]
    fn class_and_individual_gains() {
        let g = hake_gains(&[40.0, 60.0, 100.0], &[70.0, 80.0, 100.0], 100.0).unwrap();
        assert_eq!(g.n_pairs, 3);
        // Means 66.67 → 83.33: (83.33 − 66.67)/(100 − 66.67) = 0.5.
        assert!((g.class_gain.unwrap() - 0.5).abs() < 1e-12);
        // Individual: 0.5 and 0.5; the pre = 100 pair is excluded.
        assert_eq!(g.n_individual, 2);
        assert!((g.mean_individual_gain.unwrap() - 0.5).abs() < 1e-12);
    }

    #[test]
    fn empty_and_nan_pairs() {
        let g = hake_gains(&[], &[], 100.0).unwrap();
        assert_eq!((g.n_pairs, g.class_gain, g.mean_individual_gain), (0, None, None));
        let g = hake_gains(&[f64::NAN, 50.0], &[60.0, 75.0], 100.0).unwrap();
        assert_eq!((g.n_pairs, g.class_gain), (1, Some(0.5)));
        let all_max = hake_gains(&[100.0, 100.0], &[90.0, 100.0], 100.0).unwrap();
        assert_eq!((all_max.class_gain, all_max.n_individual, all_max.mean_individual_gain), (None, 0, None));
        assert!(hake_gains(&[1.0], &[], 100.0).is_err());
    }
}
