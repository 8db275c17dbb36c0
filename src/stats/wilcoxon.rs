//! Wilcoxon signed-rank test of paired differences, reproducing R's
//! statistic V and scipy 1.17's `wilcoxon(d, zero_method="wilcox",
//! correction=False, method="auto")` p-value.
//!
//! In: differences (or pre/post pairs, differenced as `post − pre`).
//! Out: V, the normal-approximation z, the p-value and the rule that
//! produced it. Differences are rounded to 9 decimals before anything else
//! (SPEC Appendix C.5): a difference is zero when it rounds to 0, and
//! absolute differences tie when they round to the same value.
//! Non-finite differences are dropped before counting pairs.

use serde::Serialize;

use super::descriptive::complete_pairs;
use super::dist::normal_two_sided_p;
use super::error::StatsError;
use super::rank::{midranks, round_for_ties};

/// How the p-value is to be computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum WilcoxonMethod {
    /// scipy's `method="auto"` rule (see [`wilcoxon_signed_rank`]).
    Auto,
    /// The exact (conditional, if there are ties) distribution of V over all
    /// 2ⁿ sign assignments, whatever n (falls back to the normal
    /// approximation above [`EXACT_MAX_N`] non-zero differences).
    Exact,
    /// The normal approximation with tie-corrected variance, no continuity
    /// correction.
    Normal,
}

/// Largest number of non-zero differences for which an explicitly requested
/// exact distribution is enumerated (cost grows as n³).
pub const EXACT_MAX_N: usize = 200;

/// The rule that produced a Wilcoxon p-value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum WilcoxonPMethod {
    /// Exact null distribution of V (no ties, no zeros).
    Exact,
    /// Exact conditional distribution over the 2ⁿ sign assignments of the
    /// midranks of the non-zero differences (ties or zeros present).
    SignFlip,
    /// Normal approximation with tie-corrected variance.
    Normal,
}

/// Result of a Wilcoxon signed-rank test.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Wilcoxon {
    /// m: finite differences, zeros included (the "n" of scipy's rule).
    pub n_pairs: usize,
    /// n: differences that do not round to zero (the ranked ones).
    pub n_nonzero: usize,
    /// V = sum of the midranks of |d| over positive differences, zeros
    /// dropped before ranking (R's V); `None` when m = 0, 0 when every
    /// difference is zero.
    pub v: Option<f64>,
    /// `z = (V − n(n+1)/4)/σ`, the tie-corrected normal score (no
    /// continuity correction); `None` when n < 2.
    pub z: Option<f64>,
    /// Two-sided p-value; `None` when n < 2 (SPEC Appendix C.8).
    pub p: Option<f64>,
    /// The rule used for `p`; `None` when `p` is `None`.
    pub p_method: Option<WilcoxonPMethod>,
}

/// Wilcoxon signed-rank test of `post − pre` with the automatic p-value rule;
/// pairs with a non-finite value on either side are dropped. See
/// [`wilcoxon_signed_rank`].
///
/// # Errors
/// [`StatsError::LengthMismatch`] when the slices differ in length.
pub fn wilcoxon_paired(pre: &[f64], post: &[f64]) -> Result<Wilcoxon, StatsError> {
    let (pre, post) = complete_pairs(pre, post)?;
    let diffs: Vec<f64> = pre.iter().zip(&post).map(|(a, b)| b - a).collect();
    Ok(wilcoxon_signed_rank(&diffs))
}

/// Wilcoxon signed-rank test of H₀: the differences are symmetric about 0,
/// with scipy 1.17's automatic p-value rule.
///
/// Zero differences are dropped before ranking (Wilcoxon 1945,
/// `zero_method="wilcox"`); the n remaining |d| get midranks `rᵢ`;
/// `V = Σ_{dᵢ>0} rᵢ` (R `wilcox.test(...)$statistic`). With m the number of
/// differences *including* zeros (scipy's rule keys on m):
/// - m > 50: normal approximation, `z = (V − n(n+1)/4)/σ`,
///   `σ² = n(n+1)(2n+1)/24 − Σ(t³ − t)/48` over tie groups of size t,
///   `p = 2·P(Z ≥ |z|)`, no continuity correction;
/// - m ≤ 50 without ties or zeros: exact null distribution of V;
/// - m ≤ 13 with ties or zeros: exact conditional distribution of V over all
///   2ⁿ sign assignments of the midranks,
///   `p = min(1, 2·min(P(V ≥ v), P(V ≤ v)))`;
/// - otherwise the normal approximation.
///
/// Both exact cases use the same enumeration (a convolution over doubled,
/// hence integer, midranks), so no float tolerance is involved. `p` is
/// `None` with fewer than 2 non-zero differences (SPEC C.8).
///
/// References: Wilcoxon (1945); Pratt (1959) and Cureton (1967) for the
/// conditional treatment of ties; scipy.stats.wilcoxon 1.17 documentation;
/// `ORACLES.md`.
pub fn wilcoxon_signed_rank(diffs: &[f64]) -> Wilcoxon {
    wilcoxon_signed_rank_with(diffs, WilcoxonMethod::Auto)
}

/// [`wilcoxon_signed_rank`] with the p-value method chosen by the caller:
/// `Normal` is scipy's `method="approx"` (tie-corrected variance, zeros
/// dropped, no continuity correction); `Exact` enumerates the (conditional)
/// sign-flip distribution for any n ≤ [`EXACT_MAX_N`].
pub fn wilcoxon_signed_rank_with(diffs: &[f64], method: WilcoxonMethod) -> Wilcoxon {
    let rounded: Vec<f64> = diffs.iter().filter(|d| d.is_finite()).map(|&d| round_for_ties(d)).collect();
    let m = rounded.len();
    let nonzero: Vec<f64> = rounded.iter().copied().filter(|&d| d != 0.0).collect();
    let n = nonzero.len();
    let abs: Vec<f64> = nonzero.iter().map(|d| d.abs()).collect();
    let ranking = midranks(&abs);
    let v: f64 = nonzero.iter().zip(&ranking.ranks).filter(|(d, _)| **d > 0.0).map(|(_, r)| r).sum();
    let v = (m > 0).then_some(v);

    let (z, p, p_method) = match v {
        Some(v) if n >= 2 => {
            let nf = n as f64;
            let mean = nf * (nf + 1.0) / 4.0;
            let var = nf * (nf + 1.0) * (2.0 * nf + 1.0) / 24.0 - ranking.tie_term() / 48.0;
            // var > 0 for n ≥ 2 even when all |d| tie: n(n+1)(3n+3)/48.
            let z = (v - mean) / var.sqrt();
            let has_ties_or_zeros = !ranking.tie_sizes.is_empty() || n < m;
            let chosen = match method {
                WilcoxonMethod::Normal => WilcoxonPMethod::Normal,
                WilcoxonMethod::Exact if n <= EXACT_MAX_N => exact_kind(has_ties_or_zeros),
                WilcoxonMethod::Exact => WilcoxonPMethod::Normal,
                WilcoxonMethod::Auto if m > 50 => WilcoxonPMethod::Normal,
                WilcoxonMethod::Auto if !has_ties_or_zeros => WilcoxonPMethod::Exact,
                WilcoxonMethod::Auto if m <= 13 => WilcoxonPMethod::SignFlip,
                WilcoxonMethod::Auto => WilcoxonPMethod::Normal,
            };
            let p = match chosen {
                WilcoxonPMethod::Normal => normal_two_sided_p(z),
                WilcoxonPMethod::Exact | WilcoxonPMethod::SignFlip => Some(sign_flip_p(&ranking.ranks, v)),
            };
            (Some(z), p, p.map(|_| chosen))
        }
        _ => (None, None, None),
    };
    Wilcoxon { n_pairs: m, n_nonzero: n, v, z, p, p_method }
}

fn exact_kind(has_ties_or_zeros: bool) -> WilcoxonPMethod {
    if has_ties_or_zeros {
        WilcoxonPMethod::SignFlip
    } else {
        WilcoxonPMethod::Exact
    }
}

/// Two-sided p of `v` under the distribution of `Σ sᵢrᵢ`, `sᵢ ∈ {0, 1}`
/// independent fair coins: `min(1, 2·min(P(V ≥ v), P(V ≤ v)))`.
///
/// Works on doubled ranks (integers, since midranks are multiples of ½) so
/// the comparison with `v` is exact; probabilities are accumulated as
/// dyadic fractions, exact in f64 for n ≤ 52.
fn sign_flip_p(ranks: &[f64], v: f64) -> f64 {
    let doubled: Vec<usize> = ranks.iter().map(|r| (2.0 * r).round() as usize).collect();
    let total: usize = doubled.iter().sum();
    let mut prob = vec![0.0f64; total + 1];
    prob[0] = 1.0;
    let mut reach = 0;
    for &r in &doubled {
        reach += r;
        for s in (0..=reach).rev() {
            let with = if s >= r { prob[s - r] } else { 0.0 };
            prob[s] = 0.5 * (prob[s] + with);
        }
    }
    let v2 = ((2.0 * v).round() as usize).min(total);
    let le: f64 = prob[..=v2].iter().sum();
    let ge: f64 = prob[v2..].iter().sum();
    (2.0 * le.min(ge)).min(1.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn no_pairs_gives_no_statistic() {
        let w = wilcoxon_signed_rank(&[]);
        assert_eq!((w.n_pairs, w.v, w.z, w.p, w.p_method), (0, None, None, None, None));
    }

    #[test]
    fn all_zero_differences_give_v_zero_and_no_p() {
        let w = wilcoxon_signed_rank(&[0.0, 0.0, 1e-12, -0.0]);
        assert_eq!((w.n_pairs, w.n_nonzero, w.v, w.p), (4, 0, Some(0.0), None));
    }

    #[test]
    fn one_nonzero_difference_gives_no_p() {
        let w = wilcoxon_signed_rank(&[0.0, 2.0]);
        assert_eq!((w.v, w.p), (Some(1.0), None));
    }

    #[test]
    fn two_nonzero_differences_are_enough() {
        // Both positive: V = 3 of a maximum of 3, P(V ≥ 3) = 1/4 → p = 1/2.
        let w = wilcoxon_signed_rank(&[1.0, 2.0]);
        assert_eq!((w.v, w.p, w.p_method), (Some(3.0), Some(0.5), Some(WilcoxonPMethod::Exact)));
    }

    #[test]
    fn all_tied_magnitudes_use_the_sign_flip_distribution() {
        // |d| all tie at midrank 2.5; V = 3·2.5 = 7.5; P(V ≥ 7.5) = 5/16.
        let w = wilcoxon_signed_rank(&[1.0, 1.0, -1.0, 1.0]);
        assert_eq!(w.v, Some(7.5));
        assert_eq!(w.p_method, Some(WilcoxonPMethod::SignFlip));
        assert_eq!(w.p, Some(0.625));
    }

    #[test]
    fn non_finite_differences_are_dropped() {
        let a = wilcoxon_signed_rank(&[1.0, f64::NAN, -2.0, 3.0, f64::INFINITY]);
        assert_eq!(a, wilcoxon_signed_rank(&[1.0, -2.0, 3.0]));
        let p = wilcoxon_paired(&[1.0, f64::NAN, 2.0], &[2.0, 5.0, 4.0]).unwrap();
        assert_eq!(p.n_pairs, 2);
        assert!(wilcoxon_paired(&[1.0], &[]).is_err());
    }

    #[test]
    fn floating_point_noise_does_not_create_ranks_or_zeros() {
        // post − pre of these pairs is 0.1 up to rounding noise, and the
        // last pair differs by noise only.
        let pre = [0.7, 0.2, 1.1, 0.3];
        let post = [0.8, 0.30000000000000004, 1.2000000000000002, 0.30000000000000004];
        let w = wilcoxon_paired(&pre, &post).unwrap();
        assert_eq!(w.n_nonzero, 3);
        assert_eq!(w.v, Some(6.0));
        assert_eq!(w.p_method, Some(WilcoxonPMethod::SignFlip));
    }

    #[test]
    fn auto_rule_switches_on_m() {
        // 14 pairs with a zero: above the sign-flip limit → normal.
        let mut d: Vec<f64> = (1..=13).map(f64::from).collect();
        d.push(0.0);
        assert_eq!(wilcoxon_signed_rank(&d).p_method, Some(WilcoxonPMethod::Normal));
        // 50 distinct → exact; 51 distinct → normal.
        let d50: Vec<f64> = (1..=50).map(|i| f64::from(i) * if i % 3 == 0 { -1.0 } else { 1.0 }).collect();
        assert_eq!(wilcoxon_signed_rank(&d50).p_method, Some(WilcoxonPMethod::Exact));
        let d51: Vec<f64> = (1..=51).map(f64::from).collect();
        assert_eq!(wilcoxon_signed_rank(&d51).p_method, Some(WilcoxonPMethod::Normal));
    }

    #[test]
    fn exact_p_of_fifty_distinct_matches_scipy() {
        // scipy.stats.wilcoxon(d50, method="exact").pvalue
        let d50: Vec<f64> = (1..=50).map(|i| f64::from(i) * if i % 3 == 0 { -1.0 } else { 1.0 }).collect();
        let w = wilcoxon_signed_rank(&d50);
        assert_eq!(w.v, Some(867.0));
        assert!((w.p.unwrap() - 0.02616696817119646).abs() < 1e-12);
    }

    #[test]
    fn requested_exact_falls_back_to_normal_when_too_large() {
        let d: Vec<f64> = (1..=(EXACT_MAX_N as i32 + 1)).map(f64::from).collect();
        let w = wilcoxon_signed_rank_with(&d, WilcoxonMethod::Exact);
        assert_eq!(w.p_method, Some(WilcoxonPMethod::Normal));
        let small = wilcoxon_signed_rank_with(
            &[1.0, 2.0, 2.0, -3.0, 0.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0, 13.0, 14.0],
            WilcoxonMethod::Exact,
        );
        assert_eq!(small.p_method, Some(WilcoxonPMethod::SignFlip));
    }

    fn grid(n: std::ops::Range<usize>) -> impl Strategy<Value = Vec<(i32, i32)>> {
        prop::collection::vec((-300i32..300, -300i32..300), n)
    }

    proptest! {
        #[test]
        fn invariant_to_shifting_both_samples(pairs in grid(0..60), shift in -4000i32..4000) {
            let pre: Vec<f64> = pairs.iter().map(|p| f64::from(p.0) / 100.0).collect();
            let post: Vec<f64> = pairs.iter().map(|p| f64::from(p.1) / 100.0).collect();
            let c = f64::from(shift) / 7.0;
            let pre2: Vec<f64> = pre.iter().map(|v| v + c).collect();
            let post2: Vec<f64> = post.iter().map(|v| v + c).collect();
            let a = wilcoxon_paired(&pre, &post).unwrap();
            let b = wilcoxon_paired(&pre2, &post2).unwrap();
            prop_assert_eq!(a.v, b.v);
            prop_assert_eq!(a.p, b.p);
            prop_assert_eq!(a.n_nonzero, b.n_nonzero);
        }

        #[test]
        fn flipping_signs_mirrors_v_and_keeps_p(pairs in grid(1..60)) {
            let d: Vec<f64> = pairs.iter().map(|p| f64::from(p.0 - p.1) / 100.0).collect();
            let neg: Vec<f64> = d.iter().map(|v| -v).collect();
            let (a, b) = (wilcoxon_signed_rank(&d), wilcoxon_signed_rank(&neg));
            let n = a.n_nonzero as f64;
            prop_assert_eq!(a.v.unwrap() + b.v.unwrap(), n * (n + 1.0) / 2.0);
            match (a.p, b.p) {
                (Some(x), Some(y)) => prop_assert!((x - y).abs() < 1e-12),
                (x, y) => prop_assert_eq!(x, y),
            }
        }

        #[test]
        fn p_lies_in_unit_interval(pairs in grid(0..70), method in 0u8..3) {
            let d: Vec<f64> = pairs.iter().map(|p| f64::from(p.0 % 7 - p.1 % 5)).collect();
            let method = [WilcoxonMethod::Auto, WilcoxonMethod::Exact, WilcoxonMethod::Normal][usize::from(method)];
            let w = wilcoxon_signed_rank_with(&d, method);
            if let Some(p) = w.p {
                prop_assert!((0.0..=1.0).contains(&p));
            }
            prop_assert_eq!(w.p.is_some(), w.n_nonzero >= 2);
        }
    }
}
