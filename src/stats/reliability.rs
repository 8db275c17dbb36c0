//! Reliability: Cronbach's α of a multi-item scale with Feldt's (1965)
//! interval, and the six intraclass correlations of Shrout & Fleiss (1979)
//! for a targets × raters matrix with McGraw & Wong's (1996) F intervals;
//! McDonald's ω of a one-factor model.
//!
//! In: a matrix as rows (respondents × items, or targets × raters), each row
//! anything that derefs to `&[f64]`. Rows containing a non-finite value are
//! dropped whole (listwise deletion); `n` reports the rows used. Out:
//! coefficients that are `None` when undefined.

use serde::Serialize;

use super::descriptive::{mean, variance};
use super::dist::{check_alpha, f_quantile};
use super::error::StatsError;
use super::linalg::{spd_inverse, sym_eigen, Mat};

/// Complete rows of a rectangular matrix and its column count.
fn complete_rows<R: AsRef<[f64]>>(rows: &[R]) -> Result<(Vec<&[f64]>, usize), StatsError> {
    let k = rows.first().map_or(0, |r| r.as_ref().len());
    for r in rows {
        if r.as_ref().len() != k {
            return Err(StatsError::Ragged { expected: k, found: r.as_ref().len() });
        }
    }
    let complete = rows.iter().map(AsRef::as_ref).filter(|r| r.iter().all(|v| v.is_finite())).collect();
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
        Some(total_var).filter(|&vt| vt > 0.0).map(|vt| k as f64 / (k as f64 - 1.0) * (1.0 - item_var / vt))
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
    let col_means: Vec<f64> = (0..k).map(|j| mean(&column(&rows, j)).unwrap_or(0.0)).collect();
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
        icc2: ratio(ms_rows - ms_error, ms_rows + (kf - 1.0) * ms_error + kf * (ms_cols - ms_error) / nf),
        icc3: ratio(ms_rows - ms_error, ms_rows + (kf - 1.0) * ms_error),
        icc1k: ratio(ms_rows - ms_within, ms_rows),
        icc2k: ratio(ms_rows - ms_error, ms_rows + (ms_cols - ms_error) / nf),
        icc3k: ratio(ms_rows - ms_error, ms_rows),
    }))
}

/// A two-sided confidence interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Interval {
    /// Lower bound.
    pub low: f64,
    /// Upper bound.
    pub high: f64,
}

/// Feldt's (1965) `1 − alpha` interval of Cronbach's α: with
/// `F ~ F(n − 1, (n − 1)(k − 1))`,
/// `[1 − (1 − α̂)·F_{1−alpha/2}, 1 − (1 − α̂)·F_{alpha/2}]` (Feldt, Woodruff
/// & Salih 1987, eq. 4), as R `psych::alpha.ci` and pingouin
/// `cronbach_alpha(ci=…)`. The lower bound can be far below 0 for short
/// scales on few respondents; it is returned as is.
///
/// `None` when α is undefined (see [`CronbachAlpha`]).
///
/// # Errors
/// [`StatsError::InvalidAlpha`] unless 0 < alpha < 1.
pub fn cronbach_alpha_ci(a: &CronbachAlpha, alpha: f64) -> Result<Option<Interval>, StatsError> {
    check_alpha(alpha)?;
    let Some(est) = a.alpha else {
        return Ok(None);
    };
    if a.n < 2 || a.k < 2 {
        return Ok(None);
    }
    let d1 = a.n as f64 - 1.0;
    let d2 = d1 * (a.k as f64 - 1.0);
    Ok(match (f_quantile(1.0 - alpha / 2.0, d1, d2), f_quantile(alpha / 2.0, d1, d2)) {
        (Some(upper_q), Some(lower_q)) => {
            Some(Interval { low: 1.0 - (1.0 - est) * upper_q, high: 1.0 - (1.0 - est) * lower_q })
        }
        _ => None,
    })
}

/// McGraw & Wong (1996) `1 − alpha` intervals of the six intraclass
/// correlations of an [`Icc`]; each `None` when its coefficient is, or when
/// an F ratio it needs is infinite (a zero error mean square).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct IccIntervals {
    /// ICC(1,1), from F = MSR/MSW on (n − 1, n(k − 1)) df.
    pub icc1: Option<Interval>,
    /// ICC(2,1), from the Satterthwaite-df F interval of McGraw & Wong
    /// (1996, Table 7, case 2A).
    pub icc2: Option<Interval>,
    /// ICC(3,1), from F = MSR/MSE on (n − 1, (n − 1)(k − 1)) df.
    pub icc3: Option<Interval>,
    /// ICC(1,k): `1 − 1/F` at the ICC(1,1) F bounds.
    pub icc1k: Option<Interval>,
    /// ICC(2,k): the ICC(2,1) bounds stepped up by Spearman–Brown.
    pub icc2k: Option<Interval>,
    /// ICC(3,k): `1 − 1/F` at the ICC(3,1) F bounds.
    pub icc3k: Option<Interval>,
}

/// `1 − alpha` intervals of the intraclass correlations (McGraw & Wong
/// 1996, Tables 7–8; Shrout & Fleiss 1979), formula for formula as R
/// `psych::ICC` (its `lower bound`/`upper bound` columns, with the ANOVA
/// mean squares of `lmer = FALSE`) and pingouin `intraclass_corr`. With
/// `F_L = F_obs / F_{1−alpha/2}(df1, df2)` and `F_U = F_obs·F_{1−alpha/2}(df2, df1)`:
/// - ICC(1,1): `(F_L − 1)/(F_L + k − 1)` … `(F_U − 1)/(F_U + k − 1)`, F = MSR/MSW;
/// - ICC(3,1): the same with F = MSR/MSE; ICC(1,k), ICC(3,k): `1 − 1/F_L` … `1 − 1/F_U`;
/// - ICC(2,1): with `F_J = MSC/MSE` and the df
///   `v = (k − 1)(n − 1)(kρF_J + n(1 + (k − 1)ρ) − kρ)² / ((n − 1)k²ρ²F_J² + (n(1 + (k − 1)ρ) − kρ)²)`,
///   ρ = ICC(2,1), the bounds
///   `n(MSR − F*·MSE)/(F*(k·MSC + (kn − k − n)MSE) + n·MSR)` with F* = F_{1−alpha/2}(n − 1, v), and
///   `n(F**·MSR − MSE)/(k·MSC + (kn − k − n)MSE + n·F**·MSR)` with F** = F_{1−alpha/2}(v, n − 1);
/// - ICC(2,k): each ICC(2,1) bound b as `k·b/(1 + (k − 1)b)`.
///
/// # Errors
/// [`StatsError::InvalidAlpha`] unless 0 < alpha < 1.
pub fn icc_intervals(icc: &Icc, alpha: f64) -> Result<IccIntervals, StatsError> {
    check_alpha(alpha)?;
    let (nf, kf) = (icc.n as f64, icc.k as f64);
    let p = 1.0 - alpha / 2.0;
    // (F_L, F_U) of an observed F on (d1, d2).
    let f_bounds = |f: f64, d1: f64, d2: f64| -> Option<(f64, f64)> {
        if !f.is_finite() {
            return None;
        }
        Some((f / f_quantile(p, d1, d2)?, f * f_quantile(p, d2, d1)?))
    };
    let single =
        |(fl, fu): (f64, f64)| Interval { low: (fl - 1.0) / (fl + kf - 1.0), high: (fu - 1.0) / (fu + kf - 1.0) };
    let average = |(fl, fu): (f64, f64)| Interval { low: 1.0 - 1.0 / fl, high: 1.0 - 1.0 / fu };
    let f1 = icc.icc1.and_then(|_| f_bounds(icc.ms_rows / icc.ms_within, nf - 1.0, nf * (kf - 1.0)));
    let f3 = icc.icc3.and_then(|_| f_bounds(icc.ms_rows / icc.ms_error, nf - 1.0, (nf - 1.0) * (kf - 1.0)));
    let icc2 = icc.icc2.and_then(|rho| {
        let (msr, msc, mse) = (icc.ms_rows, icc.ms_cols, icc.ms_error);
        let fj = msc / mse;
        let base = nf * (1.0 + (kf - 1.0) * rho) - kf * rho;
        let v = (kf - 1.0) * (nf - 1.0) * (kf * rho * fj + base).powi(2)
            / ((nf - 1.0) * kf * kf * rho * rho * fj * fj + base * base);
        let f_star = f_quantile(p, nf - 1.0, v)?;
        let f_2star = f_quantile(p, v, nf - 1.0)?;
        let spread = kf * msc + (kf * nf - kf - nf) * mse;
        let low = nf * (msr - f_star * mse) / (f_star * spread + nf * msr);
        let high = nf * (f_2star * msr - mse) / (spread + nf * f_2star * msr);
        (low.is_finite() && high.is_finite()).then_some(Interval { low, high })
    });
    let step_up = |b: f64| kf * b / (1.0 + (kf - 1.0) * b);
    Ok(IccIntervals {
        icc1: f1.map(single),
        icc2,
        icc3: f3.map(single),
        icc1k: icc.icc1k.and(f1).map(average),
        icc2k: icc.icc2k.and(icc2).map(|i| Interval { low: step_up(i.low), high: step_up(i.high) }),
        icc3k: icc.icc3k.and(f3).map(average),
    })
}

/// McDonald's ω of a scale under a one-factor model.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct McDonaldOmega {
    /// Complete respondents (rows without a missing item).
    pub n: usize,
    /// Items (columns).
    pub k: usize,
    /// ω_total; `None` when the model cannot be fitted (see
    /// [`mcdonald_omega`]).
    pub omega: Option<f64>,
    /// Standardised loadings λ (signed so that Σλ > 0); empty when `omega`
    /// is `None`.
    pub loadings: Vec<f64>,
    /// Principal-axis iterations used.
    pub iterations: usize,
}

/// McDonald's (1999, eq. 6.20b) ω_total of a one-factor model,
/// `(Σλ)² / ((Σλ)² + Σψ)`, with λ the standardised loadings and ψ = 1 − λ²
/// the uniquenesses of the unweighted-least-squares (minres) solution on
/// the item correlation matrix (listwise complete rows).
///
/// The solution is found by principal-axis iteration from the squared
/// multiple correlations (psych's start): λ is the leading eigenvector of
/// the correlation matrix with communalities λ² on its diagonal, scaled by
/// √eigenvalue, until no communality moves by more than 1e-13 — the fixed
/// point is the ULS/minres solution. psych `fa(x, 1, fm = "minres")` gets
/// the same solution by an optimiser: its loadings agree to ~1e-7 and its
/// ω to ~1e-7 (`tests/data/r/effect_sizes.R`). Note that `psych::omega`'s
/// `omega.tot` divides by the observed total variance ΣR instead, `1 −
/// Σψ/ΣR`, which differs in the third or fourth decimal.
///
/// `omega` is `None` with fewer than 3 items (one factor is not identified)
/// or 3 rows, an item of zero variance, no convergence in 10 000 iterations,
/// or a Heywood case (a communality ≥ 1; psych would instead bound ψ at
/// 0.005 and warn).
///
/// # Errors
/// [`StatsError::Ragged`] when rows differ in length.
pub fn mcdonald_omega<R: AsRef<[f64]>>(rows: &[R]) -> Result<McDonaldOmega, StatsError> {
    let (rows, k) = complete_rows(rows)?;
    let n = rows.len();
    let fit = if k < 3 || n < 3 { None } else { correlations(&rows, k).and_then(|r| one_factor(&r)) };
    Ok(match fit {
        Some((loadings, iterations)) => {
            let sum: f64 = loadings.iter().sum();
            let psi: f64 = loadings.iter().map(|l| 1.0 - l * l).sum();
            McDonaldOmega { n, k, omega: Some(sum * sum / (sum * sum + psi)), loadings, iterations }
        }
        None => McDonaldOmega { n, k, omega: None, loadings: Vec::new(), iterations: 0 },
    })
}

/// Pearson correlation matrix of the columns; `None` when a column has zero
/// variance.
///
/// Each column's mean is [`mean`] of that column, and each cross-product sum
/// `Σ (a − x̄ᵢ)(b − x̄ⱼ)` is the `Iterator::sum` of the same terms in row order
/// that the column-by-column definition takes (`correlations_by_column` in the
/// tests), so the matrix is identical to the bit. The sums are taken side by side
/// in three walks over the rows instead of over k copied columns and k(k+1)/2
/// column pairs: at 10⁶ respondents the copies and the pair walks were most of
/// the time ω took.
fn correlations(rows: &[&[f64]], k: usize) -> Option<Mat> {
    let means = column_means(rows, k);
    // `Iterator::sum`'s start, whatever the standard library takes it to be.
    let zero: f64 = std::iter::empty::<f64>().sum();
    let mut acc = vec![zero; k * k];
    let mut dev = vec![0.0; k];
    for r in rows {
        for ((d, &v), &m) in dev.iter_mut().zip(r.iter()).zip(&means) {
            *d = v - m;
        }
        for (i, &di) in dev.iter().enumerate() {
            for (a, &dj) in acc[i * k + i..(i + 1) * k].iter_mut().zip(&dev[i..]) {
                *a += di * dj;
            }
        }
    }
    let mut cov = Mat::zeros(k, k);
    for i in 0..k {
        for j in i..k {
            let s = acc[i * k + j];
            cov[(i, j)] = s;
            cov[(j, i)] = s;
        }
    }
    normalise(cov, k)
}

/// [`mean`] of every column of complete `rows` (n ≥ 1): its corrected two-pass sums
/// (Σx from +0, then Σ(x − rough) as `Iterator::sum`), taken for all columns in each
/// walk over the rows, the same additions in the same order as per column.
fn column_means(rows: &[&[f64]], k: usize) -> Vec<f64> {
    let nf = rows.len() as f64;
    let mut sum = vec![0.0; k];
    for r in rows {
        for (a, &v) in sum.iter_mut().zip(r.iter()) {
            *a += v;
        }
    }
    let rough: Vec<f64> = sum.iter().map(|s| s / nf).collect();
    let zero: f64 = std::iter::empty::<f64>().sum();
    let mut fix = vec![zero; k];
    for r in rows {
        for ((a, &v), &c) in fix.iter_mut().zip(r.iter()).zip(&rough) {
            *a += v - c;
        }
    }
    rough.iter().zip(&fix).map(|(r, f)| r + f / nf).collect()
}

/// The correlation matrix of a matrix of cross-product sums; `None` when a diagonal
/// sum is not positive and finite.
fn normalise(mut cov: Mat, k: usize) -> Option<Mat> {
    let sd: Vec<f64> = (0..k).map(|i| cov[(i, i)].sqrt()).collect();
    if sd.iter().any(|s| !(s.is_finite() && *s > 0.0)) {
        return None;
    }
    for i in 0..k {
        for j in 0..k {
            cov[(i, j)] = if i == j { 1.0 } else { cov[(i, j)] / (sd[i] * sd[j]) };
        }
    }
    Some(cov)
}

/// One-factor ULS loadings of a correlation matrix by principal-axis
/// iteration, and the iterations used; `None` on non-convergence, a
/// non-positive leading eigenvalue or a Heywood case.
fn one_factor(r: &Mat) -> Option<(Vec<f64>, usize)> {
    let k = r.rows;
    // Squared multiple correlations 1 − 1/(R⁻¹)_ii, or the largest absolute
    // correlation of each item when R is singular.
    let mut h2: Vec<f64> = match spd_inverse(r) {
        Some(inv) => (0..k).map(|i| 1.0 - 1.0 / inv[(i, i)]).collect(),
        None => (0..k).map(|i| (0..k).filter(|&j| j != i).map(|j| r[(i, j)].abs()).fold(0.0, f64::max)).collect(),
    };
    let mut reduced = r.clone();
    for it in 1..=10_000 {
        for (i, h) in h2.iter().enumerate() {
            reduced[(i, i)] = *h;
        }
        let (vals, vecs) = sym_eigen(&reduced);
        let (top, &lambda) = vals.iter().enumerate().max_by(|a, b| a.1.total_cmp(b.1))?;
        if lambda <= 0.0 {
            return None;
        }
        let scale = lambda.sqrt();
        let mut loadings: Vec<f64> = (0..k).map(|i| vecs[(i, top)] * scale).collect();
        let change = loadings.iter().zip(&h2).map(|(l, h)| (l * l - h).abs()).fold(0.0, f64::max);
        h2 = loadings.iter().map(|l| l * l).collect();
        if change < 1e-13 {
            if h2.iter().any(|&h| h >= 1.0) {
                return None;
            }
            if loadings.iter().sum::<f64>() < 0.0 {
                loadings.iter_mut().for_each(|l| *l = -*l);
            }
            return Some((loadings, it));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::super::testdata::{close, matrix, ITEMS, RATERS};
    use super::*;

    /// The definition [`correlations`] is proven equal to: each column copied out, its
    /// [`mean`], and each pair's cross-product sum over the two columns.
    fn correlations_by_column(rows: &[&[f64]], k: usize) -> Option<Mat> {
        let cols: Vec<Vec<f64>> = (0..k).map(|j| column(rows, j)).collect();
        let means: Vec<f64> = cols.iter().map(|c| mean(c).unwrap_or(0.0)).collect();
        let mut cov = Mat::zeros(k, k);
        for i in 0..k {
            for j in i..k {
                let s: f64 = cols[i].iter().zip(&cols[j]).map(|(a, b)| (a - means[i]) * (b - means[j])).sum();
                cov[(i, j)] = s;
                cov[(j, i)] = s;
            }
        }
        normalise(cov, k)
    }

    proptest::proptest! {
        /// The row-walk correlations are the column-by-column ones to the bit, on
        /// answers on a short scale (ties, constant columns) and on wide-ranged reals.
        #[test]
        fn correlations_are_the_column_by_column_ones_to_the_bit(
            k in 1usize..9,
            n in 1usize..60,
            seed in proptest::collection::vec((0u8..7, -1e6f64..1e6), 540),
            likert in proptest::bool::ANY,
        ) {
            let flat: Vec<f64> =
                seed.iter().take(n * k).map(|&(c, x)| if likert { f64::from(c) } else { x }).collect();
            let rows: Vec<&[f64]> = flat.chunks_exact(k).collect();
            let (got, want) = (correlations(&rows, k), correlations_by_column(&rows, k));
            proptest::prop_assert_eq!(got.is_some(), want.is_some());
            if let (Some(g), Some(w)) = (got, want) {
                for i in 0..k {
                    for j in 0..k {
                        proptest::prop_assert_eq!(g[(i, j)].to_bits(), w[(i, j)].to_bits(), "({}, {})", i, j);
                    }
                }
            }
        }
    }

    /// psych::ICC(x, lmer = FALSE, alpha) `results`: (ICC, lower, upper) for
    /// ICC1, ICC2, ICC3, ICC1k, ICC2k, ICC3k (`effect_sizes.R`, section 6).
    const ICC_SF_05: [[f64; 3]; 6] = [
        [0.16574176840547555, -0.13293232487475087, 0.7225600623281211],
        [0.2897637795275592, 0.018786513374712047, 0.7610843696489531],
        [0.7148407148407149, 0.34246476503392537, 0.9458582599553595],
        [0.44279713367926893, -0.884442155238119, 0.9124154203407756],
        [0.6200505475989893, 0.07113681530250349, 0.927232040167722],
        [0.9093155423770695, 0.6756747138163047, 0.9858916781690623],
    ];
    const ICC_SF_1: [[f64; 3]; 6] = [
        [0.16574176840547555, -0.09672220365774212, 0.6433983107044232],
        [0.2897637795275592, 0.04290119154053995, 0.6910706066183567],
        [0.7148407148407149, 0.41183413091904414, 0.9258328076802794],
        [0.44279713367926893, -0.5450417247368673, 0.8783010354064076],
        [0.6200505475989893, 0.15203705385595825, 0.899476700113625],
        [0.9093155423770695, 0.7368976785770522, 0.9803660560472142],
    ];
    const ICC_RATERS_05: [[f64; 3]; 6] = [
        [0.6488135202263805, 0.5011189897576165, 0.7854890917027397],
        [0.6530615507361586, 0.4947214351946172, 0.791892553186179],
        [0.6951021064778292, 0.5565686200846628, 0.8176375692938815],
        [0.9023194267023354, 0.83395406818187, 0.9482102443144712],
        [0.9039549272746071, 0.8303800115967729, 0.9500650412133637],
        [0.9193478960018265, 0.8625562137946825, 0.9572976738663453],
    ];
    const ICC_RATERS_1: [[f64; 3]; 6] = [
        [0.6488135202263805, 0.526235540439097, 0.7661834757785115],
        [0.6530615507361586, 0.5217803198186292, 0.7724407347779917],
        [0.6951021064778292, 0.5805725371939292, 0.8006331696755828],
        [0.9023194267023354, 0.8474160113523963, 0.9424767943499676],
        [0.9039549272746071, 0.8450920333477296, 0.9443588128187645],
        [0.9193478960018265, 0.8737535121787504, 0.9525603140851773],
    ];
    /// psych::alpha raw_alpha and psych::alpha.ci (lower, upper) at p.val
    /// 0.05 and 0.1 (`effect_sizes.R`, section 7).
    const FELDT_ORACLE: [[f64; 3]; 2] = [
        [0.922824302134647, 0.7969618840190935, 0.9784693191976049],
        [0.922824302134647, 0.8263445329580865, 0.9732040426991413],
    ];
    const FELDT_ITEMS: [[f64; 3]; 2] = [
        [0.7650583715087925, 0.6933869614845878, 0.8246507097754626],
        [0.7650583715087925, 0.7061403924957494, 0.8160996509560224],
    ];

    const SHROUT_FLEISS: [[f64; 4]; 6] =
        [[9., 2., 5., 8.], [6., 1., 3., 2.], [8., 4., 6., 8.], [7., 1., 2., 6.], [10., 5., 6., 9.], [6., 2., 4., 7.]];
    const ORACLE_ITEMS: [[f64; 4]; 10] = [
        [4., 5., 4., 3.],
        [3., 3., 2., 3.],
        [5., 5., 5., 4.],
        [2., 3., 2., 2.],
        [4., 4., 5., 4.],
        [3., 2., 3., 3.],
        [5., 4., 4., 5.],
        [1., 2., 1., 2.],
        [4., 4., 3., 4.],
        [3., 4., 3., 2.],
    ];

    #[track_caller]
    fn check_icc(r: &Icc, alpha: f64, want: &[[f64; 3]; 6]) {
        let ci = icc_intervals(r, alpha).unwrap();
        let got = [
            (r.icc1, ci.icc1),
            (r.icc2, ci.icc2),
            (r.icc3, ci.icc3),
            (r.icc1k, ci.icc1k),
            (r.icc2k, ci.icc2k),
            (r.icc3k, ci.icc3k),
        ];
        for ((est, iv), w) in got.iter().zip(want) {
            let iv = iv.unwrap();
            close(est.unwrap(), w[0], 1e-12);
            close(iv.low, w[1], 1e-9);
            close(iv.high, w[2], 1e-9);
            assert!(iv.low < est.unwrap() && est.unwrap() < iv.high);
        }
    }

    /// ORACLES.md's Shrout & Fleiss 6 × 4 data and 30 targets × 5 raters,
    /// at 95 % and 90 %. pingouin 0.7 agrees at the 2 decimals it prints
    /// (`tests/data/r/pingouin_check.py`).
    #[test]
    fn icc_intervals_match_psych() {
        let sf = icc(&SHROUT_FLEISS).unwrap().unwrap();
        check_icc(&sf, 0.05, &ICC_SF_05);
        check_icc(&sf, 0.1, &ICC_SF_1);
        let raters = icc(&matrix(RATERS)).unwrap().unwrap();
        assert_eq!((raters.n, raters.k), (30, 5));
        check_icc(&raters, 0.05, &ICC_RATERS_05);
        check_icc(&raters, 0.1, &ICC_RATERS_1);
    }

    /// Feldt's interval on ORACLES.md's α data and on 120 × 6 items, in the
    /// orientation of psych::alpha.ci and pingouin (low from the upper F
    /// quantile).
    #[test]
    fn feldt_interval_matches_psych_alpha_ci() {
        let oracle = cronbach_alpha(&ORACLE_ITEMS).unwrap();
        let items = cronbach_alpha(&matrix(ITEMS)).unwrap();
        assert_eq!((items.n, items.k), (120, 6));
        for (a, want) in [(oracle, FELDT_ORACLE), (items, FELDT_ITEMS)] {
            close(a.alpha.unwrap(), want[0][0], 1e-12);
            for (level, w) in [0.05, 0.1].iter().zip(want) {
                let ci = cronbach_alpha_ci(&a, *level).unwrap().unwrap();
                close(ci.low, w[1], 1e-10);
                close(ci.high, w[2], 1e-10);
            }
        }
    }

    /// 120 × 6 items: the exact ULS fixed point (principal axis to 1e-14 in
    /// R) to 1e-9, and psych::fa minres (optimiser precision) to 1e-6.
    #[test]
    fn omega_matches_the_one_factor_minres_solution() {
        let paf = [
            0.7860244661459984,
            0.6640427625486954,
            0.7011445265965193,
            0.43450631886162017,
            0.42733663693920154,
            0.545737066929505,
        ];
        let fa = [
            0.7860243703733654,
            0.6640429292998475,
            0.7011439383862402,
            0.43450641260070455,
            0.42733657885331483,
            0.5457379013504431,
        ];
        let w = mcdonald_omega(&matrix(ITEMS)).unwrap();
        assert_eq!((w.n, w.k), (120, 6));
        for ((l, p), f) in w.loadings.iter().zip(paf).zip(fa) {
            close(*l, p, 1e-9);
            assert!((l - f).abs() < 1e-6);
        }
        close(w.omega.unwrap(), 0.7701256606789655, 1e-10);
        assert!((w.omega.unwrap() - 0.7701257046164696).abs() < 1e-6);
    }

    /// ORACLES.md's α data: the one-factor solution has a loading of 1.036
    /// (psych::fa reports an ultra-Heywood case), so ω is undefined.
    #[test]
    fn omega_of_a_heywood_case_is_none() {
        let w = mcdonald_omega(&ORACLE_ITEMS).unwrap();
        assert_eq!((w.n, w.k, w.omega), (10, 4, None));
        assert!(w.loadings.is_empty());
    }

    #[test]
    fn omega_undefined_cases() {
        // Two items, too few rows, a constant item, ragged rows.
        assert_eq!(mcdonald_omega(&[[1.0, 2.0], [2.0, 3.0], [3.0, 5.0], [4.0, 4.0]]).unwrap().omega, None);
        assert_eq!(mcdonald_omega(&[[1.0, 2.0, 3.0], [2.0, 3.0, 1.0]]).unwrap().omega, None);
        let constant = [[1.0, 2.0, 3.0], [2.0, 2.0, 1.0], [3.0, 2.0, 2.0], [4.0, 2.0, 5.0]];
        assert_eq!(mcdonald_omega(&constant).unwrap().omega, None);
        assert!(mcdonald_omega(&[vec![1.0, 2.0, 3.0], vec![1.0]]).is_err());
        assert_eq!(mcdonald_omega::<[f64; 3]>(&[]).unwrap().omega, None);
        // Listwise: a row with a gap is dropped.
        let mut rows = matrix(ITEMS);
        rows.push(vec![1.0, f64::NAN, 3.0, 2.0, 2.0, 5.0]);
        let w = mcdonald_omega(&rows).unwrap();
        assert_eq!(w.n, 120);
        close(w.omega.unwrap(), 0.7701256606789655, 1e-10);
    }

    #[test]
    fn intervals_are_none_where_the_coefficient_is() {
        let constant = cronbach_alpha(&[[2.0, 2.0], [2.0, 2.0]]).unwrap();
        assert_eq!(cronbach_alpha_ci(&constant, 0.05).unwrap(), None);
        let one_row = cronbach_alpha(&[[1.0, 2.0]]).unwrap();
        assert_eq!(cronbach_alpha_ci(&one_row, 0.05).unwrap(), None);
        assert!(cronbach_alpha_ci(&one_row, 0.0).is_err());
        let flat = icc(&[[3.0, 3.0], [3.0, 3.0], [3.0, 3.0]]).unwrap().unwrap();
        let ci = icc_intervals(&flat, 0.05).unwrap();
        assert_eq!([ci.icc1, ci.icc2, ci.icc3, ci.icc1k, ci.icc2k, ci.icc3k], [None; 6]);
        // Perfect agreement: MSW = MSE = 0, the F ratios are infinite.
        let perfect = icc(&[[1.0, 1.0, 1.0], [4.0, 4.0, 4.0], [2.0, 2.0, 2.0]]).unwrap().unwrap();
        let ci = icc_intervals(&perfect, 0.05).unwrap();
        assert_eq!((ci.icc1, ci.icc3), (None, None));
        assert!(icc_intervals(&perfect, 1.0).is_err());
    }

    #[test]
    fn alpha_needs_two_items_two_rows_and_variance() {
        let one_item = cronbach_alpha(&[[1.0], [2.0], [3.0]]).unwrap();
        assert_eq!((one_item.k, one_item.alpha), (1, None));
        let one_row = cronbach_alpha(&[[1.0, 2.0]]).unwrap();
        assert_eq!((one_row.n, one_row.alpha), (1, None));
        let constant = cronbach_alpha(&[[2.0, 2.0], [2.0, 2.0]]).unwrap();
        assert_eq!(constant.alpha, None);
        let none: [[f64; 2]; 0] = [];
        assert_eq!(cronbach_alpha(&none).unwrap(), CronbachAlpha { n: 0, k: 0, alpha: None });
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
            variance(&totals).filter(|&vt| vt > 0.0).map(|vt| 4.0 / 3.0 * (1.0 - item / vt))
        };
        let mut x = 0.5_f64;
        let mut next = || {
            x = (x * 3.7 + 0.123).fract();
            (x * 5.0).floor() + 1.0 + if x > 0.9 { 0.1 } else { 0.0 }
        };
        let rows: Vec<[f64; 4]> = (0..5000).map(|_| [next(), next(), next(), next()]).collect();
        let got = cronbach_alpha(&rows).unwrap().alpha.unwrap();
        assert_eq!(got.to_bits(), by_columns(&rows).unwrap().to_bits());
        let mut huge = rows[..50].to_vec();
        huge[7] = [f64::MAX, f64::MAX, 1.0, 1.0];
        assert_eq!(cronbach_alpha(&huge).unwrap().alpha.map(f64::to_bits), by_columns(&huge).map(f64::to_bits));
    }

    #[test]
    fn alpha_is_listwise() {
        let with = cronbach_alpha(&[[1.0, 2.0, 2.0], [f64::NAN, 3.0, 1.0], [3.0, 3.0, 4.0], [4.0, 5.0, 4.0]]).unwrap();
        let without = cronbach_alpha(&[[1.0, 2.0, 2.0], [3.0, 3.0, 4.0], [4.0, 5.0, 4.0]]).unwrap();
        assert_eq!(with, without);
        assert_eq!(with.n, 3);
    }

    #[test]
    fn ragged_rows_are_an_error() {
        let rows = vec![vec![1.0, 2.0], vec![1.0]];
        assert_eq!(cronbach_alpha(&rows), Err(StatsError::Ragged { expected: 2, found: 1 }));
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
        assert_eq!([r.icc1, r.icc2, r.icc3, r.icc1k, r.icc2k, r.icc3k], [None; 6]);
    }

    #[test]
    fn icc_of_perfect_agreement_is_one() {
        let r = icc(&[[1.0, 1.0, 1.0], [4.0, 4.0, 4.0], [2.0, 2.0, 2.0]]).unwrap().unwrap();
        for v in [r.icc1, r.icc2, r.icc3, r.icc1k, r.icc2k, r.icc3k] {
            assert!((v.unwrap() - 1.0).abs() < 1e-12);
        }
    }

    #[test]
    fn icc_drops_incomplete_targets() {
        let full = [[9.0, 2.0, 5.0], [6.0, 1.0, 3.0], [8.0, 4.0, 6.0]];
        let with_gap = [[9.0, 2.0, 5.0], [6.0, 1.0, 3.0], [7.0, f64::NAN, 1.0], [8.0, 4.0, 6.0]];
        assert_eq!(icc(&full).unwrap(), icc(&with_gap).unwrap());
    }
}
