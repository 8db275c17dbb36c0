//! Midranks under the tie convention of SPEC Appendix C.5: values are
//! compared after rounding to 9 decimals, so floating-point noise (e.g.
//! `1.9 − 0.7` vs `1.3 − 0.1`) never breaks a tie. Used by the Wilcoxon
//! signed-rank test and by Kruskal–Wallis.

/// Rounds `x` to 9 decimals, `(x·10⁹).round() / 10⁹`: the value on which
/// ties, zero differences and comparisons with a scale maximum are judged
/// (SPEC Appendix C.5). Values too large to scale (|x| > ~1.8·10²⁹⁹) and
/// non-finite values are returned unchanged.
pub fn round_for_ties(x: f64) -> f64 {
    let scaled = x * 1e9;
    if scaled.is_finite() {
        scaled.round() / 1e9
    } else {
        x
    }
}

/// Midranks of a sample together with the sizes of its tie groups.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Ranking {
    /// 1-based midrank of each input value, in input order. Midranks are
    /// integers or half-integers, both exact in `f64`.
    pub ranks: Vec<f64>,
    /// Size `t` of every group of two or more tied values.
    pub tie_sizes: Vec<usize>,
}

impl Ranking {
    /// `Σ (t³ − t)` over tie groups, the term in every tie correction.
    pub fn tie_term(&self) -> f64 {
        self.tie_sizes
            .iter()
            .map(|&t| {
                let t = t as f64;
                t * t * t - t
            })
            .sum()
    }
}

/// Ranks `values` (expected finite) ascending after [`round_for_ties`];
/// tied values share the mean of the ranks they span.
pub(crate) fn midranks(values: &[f64]) -> Ranking {
    let rounded: Vec<f64> = values.iter().map(|&v| round_for_ties(v)).collect();
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| rounded[a].total_cmp(&rounded[b]));
    let mut ranks = vec![0.0; values.len()];
    let mut tie_sizes = Vec::new();
    let mut start = 0;
    while start < order.len() {
        let mut end = start + 1;
        // `==` rather than total_cmp so that −0.0 and +0.0 tie.
        while end < order.len() && rounded[order[end]] == rounded[order[start]] {
            end += 1;
        }
        // positions start+1 ..= end (1-based) share their mean rank.
        let rank = (start + 1 + end) as f64 / 2.0;
        for &i in &order[start..end] {
            ranks[i] = rank;
        }
        if end - start > 1 {
            tie_sizes.push(end - start);
        }
        start = end;
    }
    Ranking { ranks, tie_sizes }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn midranks_average_ties_and_keep_input_order() {
        let r = midranks(&[3.0, 1.0, 3.0, 2.0, 3.0]);
        assert_eq!(r.ranks, vec![4.0, 1.0, 4.0, 2.0, 4.0]);
        assert_eq!(r.tie_sizes, vec![3]);
        assert_eq!(r.tie_term(), 24.0);
    }

    #[test]
    fn rounding_noise_does_not_break_ties() {
        let a = 0.3 - 0.1; // 0.19999999999999998
        let b = 0.2;
        assert_ne!(a, b);
        let r = midranks(&[a, b]);
        assert_eq!(r.ranks, vec![1.5, 1.5]);
    }

    #[test]
    fn negative_zero_ties_with_zero() {
        let r = midranks(&[-0.0, 0.0, 1.0]);
        assert_eq!(r.ranks, vec![1.5, 1.5, 3.0]);
    }

    #[test]
    fn empty_input_has_no_ranks() {
        let r = midranks(&[]);
        assert!(r.ranks.is_empty());
        assert_eq!(r.tie_term(), 0.0);
    }

    #[test]
    fn round_for_ties_passes_through_huge_and_nan() {
        assert_eq!(round_for_ties(1e300), 1e300);
        assert!(round_for_ties(f64::NAN).is_nan());
        assert_eq!(round_for_ties(0.1234567894), 0.123456789);
    }
}
