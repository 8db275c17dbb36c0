//! Reliability: Cronbach's α of a multi-item scale and the six intraclass
//! correlations of Shrout & Fleiss (1979) for a targets × raters matrix.
//!
//! In: a matrix as rows (respondents × items, or targets × raters), each row
//! anything that derefs to `&[f64]`. Rows containing a non-finite value are
//! dropped whole (listwise deletion); `n` reports the rows used. Out:
//! coefficients that are `None` when undefined.

use serde::Serialize;

use super::descriptive::{mean, variance};
use super::error::StatsError;

/// Complete rows of a rectangular matrix and its column count.
fn complete_rows<R: AsRef<[f64]>>(rows: &[R]) -> Result<(Vec<&[f64]>, usize), StatsError> {
    let k = rows.first().map_or(0, |r| r.as_ref().len());
    for r in rows {
        if r.as_ref().len() != k {
            return Err(StatsError::Ragged {
                expected: k,
                found: r.as_ref().len(),
            });
        }
    }
    let complete = rows
        .iter()
        .map(AsRef::as_ref)
        .filter(|r| r.iter().all(|v| v.is_finite()))
        .collect();
    Ok((complete, k))
}

/// Column `j` of a row-major matrix.
fn column(rows: &[&[f64]], j: usize) -> Vec<f64> {
    rows.iter().map(|r| r[j]).collect()
}

/// Cronbach's α of a scale.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CronbachAlpha {
    /// Complete respondents (rows without a missing item).
    pub n: usize,
    /// Items (columns).
    pub k: usize,
    /// α; `None` when k < 2, n < 2 or the total score has zero variance.
    pub alpha: Option<f64>,
}

/// Cronbach's (1951) α with listwise deletion:
/// `α = k/(k − 1) · (1 − Σⱼ s²ⱼ / s²_T)`, s²ⱼ the item variances and s²_T
/// the variance of the row totals (both n − 1; the ratio does not depend on
/// the convention). Matches R `psych::alpha(x)$total$raw_alpha` and
/// pingouin `cronbach_alpha(nan_policy="listwise")`.
///
/// # Errors
/// [`StatsError::Ragged`] when rows differ in length.
pub fn cronbach_alpha<R: AsRef<[f64]>>(rows: &[R]) -> Result<CronbachAlpha, StatsError> {
    let (rows, k) = complete_rows(rows)?;
    let n = rows.len();
    let alpha = if k < 2 || n < 2 {
        None
    } else {
        let totals: Vec<f64> = rows.iter().map(|r| r.iter().sum()).collect();
        let (item_var, total_var) = if totals.iter().all(|t| t.is_finite()) {
            let var = column_variances(&rows, &totals);
            (var[..k].iter().sum::<f64>(), var[k])
        } else {
            // A total that overflowed is left out of its variance, as `variance` does.
            let item: f64 = (0..k).filter_map(|j| variance(&column(&rows, j))).sum();
            (item, variance(&totals).unwrap_or(f64::NAN))
        };
        Some(total_var)
            .filter(|&vt| vt > 0.0)
            .map(|vt| k as f64 / (k as f64 - 1.0) * (1.0 - item_var / vt))
    };
    Ok(CronbachAlpha { n, k, alpha })
}

/// The sample variance of every column of `rows` (n ≥ 2, every value finite) and,
/// last, of `totals`: [`variance`]'s corrected two-pass sums, taken for all columns in
/// each walk over the rows. Every column's sums are the same additions in the same
/// order as `variance` of that column copied out, so the results are identical; the
/// rows are read three times instead of copied column by column (at 10⁶ respondents
/// the copies were most of the time α took).
fn column_variances(rows: &[&[f64]], totals: &[f64]) -> Vec<f64> {
    let k = rows.first().map_or(0, |r| r.len());
    let nf = rows.len() as f64;
    let mut sum = vec![0.0; k + 1];
    let mut fix = vec![-0.0; k + 1];
    let mut m2 = vec![-0.0; k + 1];
    // `moments`: Σx from +0, then the correction Σ(x − rough) and M2 = Σ(x − x̄)², both
    // as `Iterator::sum` (from −0).
    for (r, &t) in rows.iter().zip(totals) {
        for (a, &v) in sum.iter_mut().zip(r.iter().chain([&t])) {
            *a += v;
        }
    }
    let rough: Vec<f64> = sum.iter().map(|s| s / nf).collect();
    for (r, &t) in rows.iter().zip(totals) {
        for ((a, &v), &c) in fix.iter_mut().zip(r.iter().chain([&t])).zip(&rough) {
            *a += v - c;
        }
    }
    let mean: Vec<f64> = rough.iter().zip(&fix).map(|(r, f)| r + f / nf).collect();
    for (r, &t) in rows.iter().zip(totals) {
        for ((a, &v), &m) in m2.iter_mut().zip(r.iter().chain([&t])).zip(&mean) {
            *a += (v - m) * (v - m);
        }
    }
    m2.iter().map(|m| m / (nf - 1.0)).collect()
}

/// Intraclass correlations of Shrout & Fleiss (1979) with the two-way ANOVA
/// mean squares they are built from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Icc {
    /// Targets (complete rows).
    pub n: usize,
    /// Raters (columns).
    pub k: usize,
    /// Between-targets mean square `k·Σ(x̄ᵢ. − x̄)²/(n − 1)`.
    pub ms_rows: f64,
    /// Between-raters mean square `n·Σ(x̄.ⱼ − x̄)²/(k − 1)`.
    pub ms_cols: f64,
    /// Residual mean square `SS_E/((n − 1)(k − 1))`.
    pub ms_error: f64,
    /// Within-targets mean square `(SS_cols + SS_E)/(n(k − 1))`.
    pub ms_within: f64,
    /// ICC(1,1) = (MSR − MSW)/(MSR + (k − 1)MSW): one-way random, single rater.
    pub icc1: Option<f64>,
    /// ICC(2,1) = (MSR − MSE)/(MSR + (k − 1)MSE + k(MSC − MSE)/n):
    /// two-way random, absolute agreement, single rater.
    pub icc2: Option<f64>,
    /// ICC(3,1) = (MSR − MSE)/(MSR + (k − 1)MSE): two-way mixed,
    /// consistency, single rater.
    pub icc3: Option<f64>,
    /// ICC(1,k) = (MSR − MSW)/MSR: mean of k raters.
    pub icc1k: Option<f64>,
    /// ICC(2,k) = (MSR − MSE)/(MSR + (MSC − MSE)/n): mean of k raters.
    pub icc2k: Option<f64>,
    /// ICC(3,k) = (MSR − MSE)/MSR: mean of k raters.
    pub icc3k: Option<f64>,
}

/// The six Shrout & Fleiss (1979) intraclass correlations of a complete
/// targets × raters matrix (rows are targets, columns raters), from the
/// two-way ANOVA mean squares (formulas on the fields of [`Icc`]). Matches
/// R `psych::ICC` and pingouin `intraclass_corr` (ICC1, ICC2, ICC3, ICC1k,
/// ICC2k, ICC3k). Rows with a missing rating are dropped.
///
/// Returns `Ok(None)` with fewer than 2 complete targets or fewer than 2
/// raters; a coefficient is `None` when its denominator is 0 (e.g. all
/// ratings equal).
///
/// # Errors
/// [`StatsError::Ragged`] when rows differ in length.
pub fn icc<R: AsRef<[f64]>>(rows: &[R]) -> Result<Option<Icc>, StatsError> {
    let (rows, k) = complete_rows(rows)?;
    let n = rows.len();
    if n < 2 || k < 2 {
        return Ok(None);
    }
    let (nf, kf) = (n as f64, k as f64);
    let all: Vec<f64> = rows.iter().flat_map(|r| r.iter().copied()).collect();
    // n ≥ 2 and k ≥ 2, so every slice averaged is non-empty and the
    // `unwrap_or` fallbacks are never taken.
    let grand = mean(&all).unwrap_or(0.0);
    let row_means: Vec<f64> = rows.iter().map(|r| mean(r).unwrap_or(0.0)).collect();
    let col_means: Vec<f64> = (0..k)
        .map(|j| mean(&column(&rows, j)).unwrap_or(0.0))
        .collect();
    let ss_total: f64 = all.iter().map(|v| (v - grand).powi(2)).sum();
    let ss_rows = kf * row_means.iter().map(|m| (m - grand).powi(2)).sum::<f64>();
    let ss_cols = nf * col_means.iter().map(|m| (m - grand).powi(2)).sum::<f64>();
    let ss_error = (ss_total - ss_rows - ss_cols).max(0.0);
    let ms_rows = ss_rows / (nf - 1.0);
    let ms_cols = ss_cols / (kf - 1.0);
    let ms_error = ss_error / ((nf - 1.0) * (kf - 1.0));
    let ms_within = (ss_cols + ss_error) / (nf * (kf - 1.0));
    // A denominator at rounding-noise level against the mean squares
    // (e.g. a constant matrix) leaves the coefficient undefined.
    let scale = ms_rows.max(ms_cols).max(ms_error).max(ms_within);
    let ratio = |num: f64, den: f64| (scale > 0.0 && den.abs() > 1e-12 * scale).then(|| num / den);
    Ok(Some(Icc {
        n,
        k,
        ms_rows,
        ms_cols,
        ms_error,
        ms_within,
        icc1: ratio(ms_rows - ms_within, ms_rows + (kf - 1.0) * ms_within),
        icc2: ratio(
            ms_rows - ms_error,
            ms_rows + (kf - 1.0) * ms_error + kf * (ms_cols - ms_error) / nf,
        ),
        icc3: ratio(ms_rows - ms_error, ms_rows + (kf - 1.0) * ms_error),
        icc1k: ratio(ms_rows - ms_within, ms_rows),
        icc2k: ratio(ms_rows - ms_error, ms_rows + (ms_cols - ms_error) / nf),
        icc3k: ratio(ms_rows - ms_error, ms_rows),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alpha_needs_two_items_two_rows_and_variance() {
        let one_item = cronbach_alpha(&[[1.0], [2.0], [3.0]]).unwrap();
        assert_eq!((one_item.k, one_item.alpha), (1, None));
        let one_row = cronbach_alpha(&[[1.0, 2.0]]).unwrap();
        assert_eq!((one_row.n, one_row.alpha), (1, None));
        let constant = cronbach_alpha(&[[2.0, 2.0], [2.0, 2.0]]).unwrap();
        assert_eq!(constant.alpha, None);
        let none: [[f64; 2]; 0] = [];
        assert_eq!(
            cronbach_alpha(&none).unwrap(),
            CronbachAlpha {
                n: 0,
                k: 0,
                alpha: None
            }
        );
    }

    /// α from the one-walk column variances is bit for bit α from each column's
    /// variance taken on its own; a row total that overflows is left out as
    /// `variance` leaves it out.
    #[test]
    fn alpha_is_the_column_by_column_value_to_the_bit() {
        let by_columns = |rows: &[[f64; 4]]| -> Option<f64> {
            let rows: Vec<&[f64]> = rows.iter().map(|r| &r[..]).collect();
            let totals: Vec<f64> = rows.iter().map(|r| r.iter().sum()).collect();
            let item: f64 = (0..4).filter_map(|j| variance(&column(&rows, j))).sum();
            variance(&totals)
                .filter(|&vt| vt > 0.0)
                .map(|vt| 4.0 / 3.0 * (1.0 - item / vt))
        };
        let mut x = 0.5_f64;
        let mut next = || {
            x = (x * 3.7 + 0.123).fract();
            (x * 5.0).floor() + 1.0 + if x > 0.9 { 0.1 } else { 0.0 }
        };
        let rows: Vec<[f64; 4]> = (0..5000)
            .map(|_| [next(), next(), next(), next()])
            .collect();
        let got = cronbach_alpha(&rows).unwrap().alpha.unwrap();
        assert_eq!(got.to_bits(), by_columns(&rows).unwrap().to_bits());
        let mut huge = rows[..50].to_vec();
        huge[7] = [f64::MAX, f64::MAX, 1.0, 1.0];
        assert_eq!(
            cronbach_alpha(&huge).unwrap().alpha.map(f64::to_bits),
            by_columns(&huge).map(f64::to_bits)
        );
    }

    #[test]
    fn alpha_is_listwise() {
        let with = cronbach_alpha(&[
            [1.0, 2.0, 2.0],
            [f64::NAN, 3.0, 1.0],
            [3.0, 3.0, 4.0],
            [4.0, 5.0, 4.0],
        ])
        .unwrap();
        let without = cronbach_alpha(&[[1.0, 2.0, 2.0], [3.0, 3.0, 4.0], [4.0, 5.0, 4.0]]).unwrap();
        assert_eq!(with, without);
        assert_eq!(with.n, 3);
    }

    #[test]
    fn ragged_rows_are_an_error() {
        let rows = vec![vec![1.0, 2.0], vec![1.0]];
        assert_eq!(
            cronbach_alpha(&rows),
            Err(StatsError::Ragged {
                expected: 2,
                found: 1
            })
        );
        assert!(icc(&rows).is_err());
    }

    #[test]
    fn icc_needs_two_targets_and_two_raters() {
        assert_eq!(icc(&[[1.0, 2.0]]).unwrap(), None);
        assert_eq!(icc(&[[1.0], [2.0]]).unwrap(), None);
        assert_eq!(icc(&[[1.0, 2.0], [f64::NAN, 1.0]]).unwrap(), None);
    }

    #[test]
    fn icc_of_constant_matrix_is_undefined() {
        let r = icc(&[[3.0, 3.0], [3.0, 3.0], [3.0, 3.0]]).unwrap().unwrap();
        assert_eq!(
            [r.icc1, r.icc2, r.icc3, r.icc1k, r.icc2k, r.icc3k],
            [None; 6]
        );
    }

    #[test]
    fn icc_of_perfect_agreement_is_one() {
        let r = icc(&[[1.0, 1.0, 1.0], [4.0, 4.0, 4.0], [2.0, 2.0, 2.0]])
            .unwrap()
            .unwrap();
        for v in [r.icc1, r.icc2, r.icc3, r.icc1k, r.icc2k, r.icc3k] {
            assert!((v.unwrap() - 1.0).abs() < 1e-12);
        }
    }

    #[test]
    fn icc_drops_incomplete_targets() {
        let full = [[9.0, 2.0, 5.0], [6.0, 1.0, 3.0], [8.0, 4.0, 6.0]];
        let with_gap = [
            [9.0, 2.0, 5.0],
            [6.0, 1.0, 3.0],
            [7.0, f64::NAN, 1.0],
            [8.0, 4.0, 6.0],
        ];
        assert_eq!(icc(&full).unwrap(), icc(&with_gap).unwrap());
    }
}
