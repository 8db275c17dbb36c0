//! Scores of individuals within a reference group: z-scores, percentile ranks and
//! competition ("SQL RANK") ranks — the building blocks of the cadre scorecard and
//! of course rankings.
//!
//! In: one value per individual, non-finite = missing. Out: one `Option` per input,
//! in input order; a missing input gets `None` and takes no part in the reference
//! group. Ties are judged after rounding to 9 decimals (SPEC Appendix C.5).

use super::descriptive::Accumulator;
use super::rank::{midranks, round_for_ties};

/// z-scores `zᵢ = (xᵢ − x̄)/s` against the finite values of `x` (s with n − 1).
/// Every entry is `None` when fewer than 2 values are finite or s is 0 (after
/// rounding to 9 decimals), since no spread is there to standardise against.
pub fn standardize(x: &[f64]) -> Vec<Option<f64>> {
    let acc = Accumulator::from_slice(x);
    match (acc.mean(), acc.sd()) {
        (Some(m), Some(s)) if round_for_ties(s) > 0.0 => {
            x.iter().map(|&v| v.is_finite().then(|| (v - m) / s)).collect()
        }
        _ => vec![None; x.len()],
    }
}

/// Percentile ranks on 0–100 by the mid-rank definition
/// `Pᵢ = 100 · (#{xⱼ < xᵢ} + ½·#{xⱼ = xᵢ}) / n = 100 · (rᵢ − ½)/n`, rᵢ the midrank
/// among the n finite values (the "percentile rank" of Crocker & Algina 1986; with
/// no ties the lowest of n gets 50/n and the highest 100 − 50/n).
pub fn percentile_ranks(x: &[f64]) -> Vec<Option<f64>> {
    let idx: Vec<usize> = (0..x.len()).filter(|&i| x[i].is_finite()).collect();
    let vals: Vec<f64> = idx.iter().map(|&i| x[i]).collect();
    let ranking = midranks(&vals);
    let n = vals.len() as f64;
    let mut out = vec![None; x.len()];
    for (k, &i) in idx.iter().enumerate() {
        out[i] = Some(100.0 * (ranking.ranks[k] - 0.5) / n);
    }
    out
}

/// Competition ranks in descending order, as SQL `RANK() OVER (ORDER BY x DESC)`:
/// rank = 1 + the number of values strictly greater; tied values share the lowest
/// rank and the next rank is skipped (1, 2, 2, 4).
pub fn rank_desc(x: &[f64]) -> Vec<Option<u64>> {
    let mut sorted: Vec<f64> = x.iter().filter(|v| v.is_finite()).map(|&v| round_for_ties(v)).collect();
    sorted.sort_by(|a, b| b.total_cmp(a));
    x.iter()
        .map(|&v| {
            v.is_finite().then(|| {
                let r = round_for_ties(v);
                // Values strictly greater come first in the descending order.
                sorted.partition_point(|&s| s > r) as u64 + 1
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn z_scores_have_mean_zero_and_sd_one() {
        let z = standardize(&[2.0, 4.0, f64::NAN, 6.0]);
        assert_eq!(z[2], None);
        // mean 4, sd 2
        assert_eq!((z[0], z[1], z[3]), (Some(-1.0), Some(0.0), Some(1.0)));
        assert_eq!(standardize(&[3.0, 3.0]), vec![None, None]);
        assert_eq!(standardize(&[3.0]), vec![None]);
    }

    #[test]
    fn percentile_ranks_use_midranks() {
        let p = percentile_ranks(&[10.0, 20.0, 20.0, f64::NAN, 40.0]);
        // n = 4; midranks 1, 2.5, 2.5, 4 → 12.5, 50, 50, 87.5
        assert_eq!(p, vec![Some(12.5), Some(50.0), Some(50.0), None, Some(87.5)]);
        assert_eq!(percentile_ranks(&[5.0]), vec![Some(50.0)]);
    }

    #[test]
    fn rank_desc_is_sql_rank() {
        let r = rank_desc(&[80.0, 90.0, 80.0, f64::NAN, 70.0, 0.1 + 0.2]);
        assert_eq!(r, vec![Some(2), Some(1), Some(2), None, Some(4), Some(5)]);
        // rounding noise ties
        assert_eq!(rank_desc(&[0.3, 0.1 + 0.2]), vec![Some(1), Some(1)]);
    }
}
