//! Comparisons of k independent groups: one-way ANOVA, Welch's
//! heteroscedastic ANOVA and the Kruskal–Wallis rank test.
//!
//! In: one slice per group. Non-finite values are ignored; groups left
//! empty are ignored (they add nothing and cost no df). Out: `None` when
//! fewer than 2 non-empty groups remain; otherwise a struct whose statistic
//! fields are `None` when undefined.

use serde::Serialize;

use super::descriptive::{finite, se_is_degenerate, Accumulator};
use super::dist::{chi2_sf, f_sf};
use super::rank::midranks;

/// Accumulators of the non-empty groups, or `None` with fewer than 2.
fn nonempty_groups<G: AsRef<[f64]>>(groups: &[G]) -> Option<Vec<Accumulator>> {
    let accs: Vec<Accumulator> =
        groups.iter().map(|g| Accumulator::from_slice(g.as_ref())).filter(|a| a.n() > 0).collect();
    (accs.len() >= 2).then_some(accs)
}

/// Classical one-way analysis of variance.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OneWayAnova {
    /// Non-empty groups.
    pub k: usize,
    /// Observations in them.
    pub n: usize,
    /// Between-groups sum of squares `Σ nⱼ(x̄ⱼ − x̄)²`.
    pub ss_between: f64,
    /// Within-groups sum of squares `Σⱼ Σᵢ (xᵢⱼ − x̄ⱼ)²`.
    pub ss_within: f64,
    /// Total sum of squares `Σ (xᵢⱼ − x̄)²` = between + within.
    pub ss_total: f64,
    /// df₁ = k − 1.
    pub df1: f64,
    /// df₂ = N − k.
    pub df2: f64,
    /// `F = (SS_b/df₁)/(SS_w/df₂)`; `None` when df₂ = 0 or SS_w = 0.
    pub f: Option<f64>,
    /// `P(F_{df₁,df₂} ≥ F)`; `None` with `f`.
    pub p: Option<f64>,
    /// η² = SS_b/SS_total; `None` when SS_total = 0.
    pub eta_sq: Option<f64>,
}

/// One-way ANOVA (Fisher 1925): `F = [SS_b/(k − 1)] / [SS_w/(N − k)]` on
/// (k − 1, N − k) df; effect size η² = SS_b/SS_total (Cohen 1988, §8.2).
/// Matches R `summary(aov(y ~ g))` and scipy `f_oneway`.
/// `None` with fewer than 2 non-empty groups.
pub fn one_way_anova<G: AsRef<[f64]>>(groups: &[G]) -> Option<OneWayAnova> {
    let accs = nonempty_groups(groups)?;
    let mut all = Accumulator::new();
    accs.iter().for_each(|a| all.merge(a));
    let grand = all.mean()?;
    let ss_between: f64 = accs.iter().filter_map(|a| a.mean().map(|m| a.n() as f64 * (m - grand).powi(2))).sum();
    // Within SS from per-group two-pass M2 (sd² · (n − 1)).
    let ss_within: f64 = accs.iter().map(|a| a.variance().map_or(0.0, |v| v * (a.n() as f64 - 1.0))).sum();
    let ss_total = ss_between + ss_within;
    let (k, n) = (accs.len(), all.n());
    let (df1, df2) = (k as f64 - 1.0, n as f64 - k as f64);
    // SS_w at rounding-noise level relative to SS_total counts as zero.
    let f = (df2 > 0.0 && ss_within > 1e-14 * ss_total).then(|| (ss_between / df1) / (ss_within / df2));
    let p = f.and_then(|f| f_sf(f, df1, df2));
    let eta_sq = (ss_total > 0.0).then(|| ss_between / ss_total);
    Some(OneWayAnova { k, n, ss_between, ss_within, ss_total, df1, df2, f, p, eta_sq })
}

/// Welch's heteroscedastic one-way ANOVA.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WelchAnova {
    /// Non-empty groups.
    pub k: usize,
    /// Observations in them.
    pub n: usize,
    /// df₁ = k − 1.
    pub df1: f64,
    /// `df₂ = (k² − 1)/(3·Σ(1 − wⱼ/W)²/(nⱼ − 1))`; `None` with `f`.
    pub df2: Option<f64>,
    /// Welch's F; `None` when a group has fewer than 2 values or zero
    /// variance (its weight nⱼ/sⱼ² is undefined).
    pub f: Option<f64>,
    /// `P(F_{df₁,df₂} ≥ F)`; `None` with `f`.
    pub p: Option<f64>,
}

/// Welch's (1951) ANOVA for unequal variances, as R
/// `oneway.test(y ~ g, var.equal = FALSE)`:
/// `wⱼ = nⱼ/sⱼ²`, `W = Σwⱼ`, `x̃ = Σwⱼx̄ⱼ/W`,
/// `A = Σwⱼ(x̄ⱼ − x̃)²/(k − 1)`, `λ = Σ(1 − wⱼ/W)²/(nⱼ − 1)`,
/// `F = A / (1 + 2(k − 2)λ/(k² − 1))` on `(k − 1, (k² − 1)/(3λ))` df.
/// Variances are n − 1. `None` with fewer than 2 non-empty groups.
pub fn welch_anova<G: AsRef<[f64]>>(groups: &[G]) -> Option<WelchAnova> {
    let accs = nonempty_groups(groups)?;
    let k = accs.len();
    let n = accs.iter().map(Accumulator::n).sum();
    let kf = k as f64;
    let df1 = kf - 1.0;
    // (nⱼ, x̄ⱼ, wⱼ) for every group, or None if any weight is undefined.
    let parts: Option<Vec<(f64, f64, f64)>> = accs
        .iter()
        .map(|a| {
            let (m, v) = (a.mean()?, a.variance()?);
            let nj = a.n() as f64;
            (v > 0.0 && !se_is_degenerate(v.sqrt(), m)).then(|| (nj, m, nj / v))
        })
        .collect();
    let stats = parts.and_then(|parts| {
        let w_sum: f64 = parts.iter().map(|p| p.2).sum();
        let centre = parts.iter().map(|p| p.2 * p.1).sum::<f64>() / w_sum;
        let a = parts.iter().map(|p| p.2 * (p.1 - centre).powi(2)).sum::<f64>() / df1;
        let lambda: f64 = parts.iter().map(|p| (1.0 - p.2 / w_sum).powi(2) / (p.0 - 1.0)).sum();
        let f = a / (1.0 + 2.0 * (kf - 2.0) * lambda / (kf * kf - 1.0));
        let df2 = (kf * kf - 1.0) / (3.0 * lambda);
        (f.is_finite() && df2.is_finite()).then_some((f, df2))
    });
    Some(WelchAnova {
        k,
        n,
        df1,
        df2: stats.map(|s| s.1),
        f: stats.map(|s| s.0),
        p: stats.and_then(|(f, df2)| f_sf(f, df1, df2)),
    })
}

/// Kruskal–Wallis rank-sum test.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KruskalWallis {
    /// Non-empty groups.
    pub k: usize,
    /// Observations in them.
    pub n: usize,
    /// df = k − 1.
    pub df: f64,
    /// Tie-corrected H; `None` when every value ties (correction is 0).
    pub h: Option<f64>,
    /// `P(χ²_{k−1} ≥ H)`; `None` with `h`.
    pub p: Option<f64>,
}

/// Kruskal–Wallis H test (Kruskal & Wallis 1952) with tie correction, as R
/// `kruskal.test` and scipy `kruskal`:
/// `H = [12/(N(N+1)) Σ Rⱼ²/nⱼ − 3(N+1)] / [1 − Σ(t³ − t)/(N³ − N)]`,
/// `Rⱼ` the sum of pooled midranks in group j, t the tie-group sizes, and
/// `p = P(χ²_{k−1} ≥ H)`. Ties are judged after rounding to 9 decimals
/// (SPEC C.5). `None` with fewer than 2 non-empty groups.
pub fn kruskal_wallis<G: AsRef<[f64]>>(groups: &[G]) -> Option<KruskalWallis> {
    let groups: Vec<Vec<f64>> =
        groups.iter().map(|g| finite(g.as_ref()).collect::<Vec<f64>>()).filter(|g| !g.is_empty()).collect();
    if groups.len() < 2 {
        return None;
    }
    let pooled: Vec<f64> = groups.iter().flatten().copied().collect();
    let ranking = midranks(&pooled);
    let nf = pooled.len() as f64;
    let mut offset = 0;
    let mut sum_r2_over_n = 0.0;
    for g in &groups {
        let r: f64 = ranking.ranks[offset..offset + g.len()].iter().sum();
        sum_r2_over_n += r * r / g.len() as f64;
        offset += g.len();
    }
    let h_raw = 12.0 / (nf * (nf + 1.0)) * sum_r2_over_n - 3.0 * (nf + 1.0);
    let correction = 1.0 - ranking.tie_term() / (nf * nf * nf - nf);
    let df = groups.len() as f64 - 1.0;
    let h = (correction > 1e-12).then(|| (h_raw / correction).max(0.0));
    Some(KruskalWallis { k: groups.len(), n: pooled.len(), df, h, p: h.and_then(|h| chi2_sf(h, df)) })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const EMPTY: [f64; 0] = [];

    #[test]
    fn fewer_than_two_nonempty_groups_is_none() {
        assert!(one_way_anova::<Vec<f64>>(&[]).is_none());
        assert!(one_way_anova(&[vec![1.0, 2.0]]).is_none());
        assert!(welch_anova(&[vec![1.0, 2.0], vec![]]).is_none());
        assert!(kruskal_wallis(&[vec![1.0, 2.0], vec![f64::NAN]]).is_none());
    }

    #[test]
    fn empty_groups_and_nan_are_ignored() {
        let a: [&[f64]; 3] = [&[1.0, 2.0, 4.0], &EMPTY, &[3.0, 5.0, f64::NAN, 7.0]];
        let b: [&[f64]; 2] = [&[1.0, 2.0, 4.0], &[3.0, 5.0, 7.0]];
        assert_eq!(one_way_anova(&a), one_way_anova(&b));
        assert_eq!(welch_anova(&a), welch_anova(&b));
        assert_eq!(kruskal_wallis(&a), kruskal_wallis(&b));
        assert_eq!(one_way_anova(&a).map(|r| r.k), Some(2));
    }

    #[test]
    fn singleton_groups_leave_anova_f_undefined() {
        let r = one_way_anova(&[vec![1.0], vec![3.0]]).unwrap();
        assert_eq!((r.df2, r.f, r.p), (0.0, None, None));
        assert_eq!(r.eta_sq, Some(1.0));
        assert!(welch_anova(&[vec![1.0], vec![3.0, 4.0]]).unwrap().f.is_none());
        // Kruskal–Wallis is defined: ranks 1 and 2, H = 1.
        let k = kruskal_wallis(&[vec![1.0], vec![3.0]]).unwrap();
        assert!((k.h.unwrap() - 1.0).abs() < 1e-12);
    }

    #[test]
    fn zero_within_variance() {
        let g = [vec![1.0, 1.0], vec![2.0, 2.0]];
        let r = one_way_anova(&g).unwrap();
        assert_eq!((r.f, r.p, r.eta_sq), (None, None, Some(1.0)));
        assert_eq!(welch_anova(&g).unwrap().f, None);
    }

    #[test]
    fn all_values_equal() {
        let g = [vec![3.0, 3.0], vec![3.0, 3.0, 3.0]];
        let r = one_way_anova(&g).unwrap();
        assert_eq!((r.f, r.eta_sq), (None, None));
        let k = kruskal_wallis(&g).unwrap();
        assert_eq!((k.h, k.p), (None, None));
    }

    #[test]
    fn kruskal_ties_after_rounding() {
        // 0.1 + 0.2 ties with 0.3 after rounding to 9 decimals.
        let a = kruskal_wallis(&[vec![0.1 + 0.2, 1.0], vec![0.3, 2.0]]).unwrap();
        let b = kruskal_wallis(&[vec![0.3, 1.0], vec![0.3, 2.0]]).unwrap();
        assert_eq!(a, b);
    }

    #[test]
    fn welch_anova_with_two_groups_is_welch_t_squared() {
        let (x, y) = (vec![1.0, 2.0, 4.0, 7.0], vec![3.0, 8.0, 9.0, 12.0, 15.0]);
        let w = welch_anova(&[x.clone(), y.clone()]).unwrap();
        let t = super::super::welch_t(&x, &y, 0.05).unwrap().test.unwrap();
        assert!((w.f.unwrap() - t.t * t.t).abs() < 1e-9);
        assert!((w.df2.unwrap() - t.df).abs() < 1e-9);
        assert!((w.p.unwrap() - t.p).abs() < 1e-9);
    }

    fn groups() -> impl Strategy<Value = Vec<Vec<f64>>> {
        prop::collection::vec(prop::collection::vec((-100i32..100).prop_map(|v| f64::from(v) / 4.0), 0..10), 0..5)
    }

    proptest! {
        #[test]
        fn shift_invariance_and_p_in_unit_interval(g in groups(), shift in -1000i32..1000) {
            let c = f64::from(shift) / 8.0;
            let shifted: Vec<Vec<f64>> = g.iter().map(|v| v.iter().map(|x| x + c).collect()).collect();
            let (a, b) = (one_way_anova(&g), one_way_anova(&shifted));
            prop_assert_eq!(a.is_some(), b.is_some());
            if let (Some(a), Some(b)) = (a, b) {
                if let (Some(fa), Some(fb)) = (a.f, b.f) {
                    prop_assert!((fa - fb).abs() <= 1e-6 * (1.0 + fa));
                }
                if let Some(p) = a.p { prop_assert!((0.0..=1.0).contains(&p)); }
            }
            let (a, b) = (kruskal_wallis(&g), kruskal_wallis(&shifted));
            if let (Some(a), Some(b)) = (a, b) {
                prop_assert_eq!(a.h, b.h);
                if let Some(p) = a.p { prop_assert!((0.0..=1.0).contains(&p)); }
            }
            if let Some(w) = welch_anova(&g) {
                if let Some(p) = w.p { prop_assert!((0.0..=1.0).contains(&p)); }
            }
        }
    }
}
