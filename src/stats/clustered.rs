//! Pooled figures over clustered data (trainees in classes): the mean with a
//! CR2 standard error and Satterthwaite df, the difference of two group
//! means clustered the same way, the one-way ICC and the design effect.
//!
//! In: one value per observation and its cluster id (and, for the
//! difference, its group). Non-finite values are dropped with their
//! cluster and group entries. Out: plain structs whose tests are `None`
//! when undefined (fewer than 2 clusters, no variation, one group empty).
//! Malformed calls (lengths, `alpha` outside (0, 1)) are a [`StatsError`].
//!
//! Guarantees: [`clustered_mean`] equals the intercept-only [`ClusterOls`]
//! with CR2 and its Satterthwaite df (and clubSandwich `coef_test(lm(y ~
//! 1), vcov = "CR2", cluster = cl, test = "Satterthwaite")`, `conf_int`)
//! through a closed form that is O(N + G) time and O(G) memory, so it is
//! cheap at 10⁶ values in 10⁴ clusters.

use rustc_hash::FxHashMap;
use serde::Serialize;

use super::descriptive::{finite, mean};
use super::dist::check_alpha;
use super::error::StatsError;
use super::ols::{ClusterCovariance, ClusterOls};
use super::ttest::TTest;

/// A mean over clustered observations.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClusteredMean {
    /// Finite values used.
    pub n: usize,
    /// Clusters with at least one finite value.
    pub n_clusters: usize,
    /// The mean of the values; `None` when n = 0.
    pub mean: Option<f64>,
    /// CR2 standard error, Satterthwaite df, t against 0, two-sided p and
    /// `1 − alpha` interval of the mean; `None` with fewer than 2 clusters
    /// or when every value is the same (to rounding).
    pub test: Option<TTest>,
    /// One-way ANOVA ICC(1) of the values by cluster (see [`icc_oneway`]).
    pub icc: Option<f64>,
}

/// Mean of clustered values with a CR2 (Bell–McCaffrey) standard error and
/// Satterthwaite df: the intercept-only regression `y ~ 1` of
/// [`ClusterOls`] with [`ClusterCovariance::Cr2`], in closed form.
///
/// With N values, cluster sizes m_g, shares r_g = m_g/N, ȳ the mean and
/// s_g = Σ_{i∈g}(y_i − ȳ): the hat matrix of cluster g is J/N, so
/// `(I − H_gg)^{-1/2}` scales the cluster's mean residual by (1 − r_g)^{-1/2}
/// and leaves the rest alone, giving
/// `V = Σ_g s_g² / (N (N − m_g))`; and the Bell–McCaffrey df reduces to
/// `ν = 1 / (Σ_g r_g² + 2 Σ_{g<h} e_g e_h)` with e_g = r_g²/(1 − r_g)
/// (G − 1 for equal clusters). Every term is positive: no cancellation.
/// Also returns the one-way ICC of the same values (see [`icc_oneway`]).
///
/// # Errors
/// [`StatsError::LengthMismatch`] when the slices differ in length;
/// [`StatsError::InvalidAlpha`] unless 0 < alpha < 1.
pub fn clustered_mean(values: &[f64], clusters: &[usize], alpha: f64) -> Result<ClusteredMean, StatsError> {
    check_alpha(alpha)?;
    if values.len() != clusters.len() {
        return Err(StatsError::LengthMismatch { left: values.len(), right: clusters.len() });
    }
    let (of_row, sizes) = cluster_index(values, clusters);
    let n: usize = sizes.iter().sum();
    let g = sizes.len();
    if n == 0 {
        return Ok(ClusteredMean { n, n_clusters: 0, mean: None, test: None, icc: None });
    }
    let nf = n as f64;
    // Corrected two-pass mean (as `descriptive::mean`).
    let finite = || values.iter().copied().filter(|v| v.is_finite());
    let rough = finite().sum::<f64>() / nf;
    let mean = rough + finite().map(|v| v - rough).sum::<f64>() / nf;
    let mut dev = vec![0.0; g];
    for (&v, &c) in values.iter().zip(&of_row) {
        if c != NONE {
            dev[c as usize] += v - mean;
        }
    }
    // Within-cluster sum of squares about each cluster's own mean.
    let mut ssw = 0.0;
    for (&v, &c) in values.iter().zip(&of_row) {
        if c != NONE {
            let c = c as usize;
            let d = v - mean - dev[c] / sizes[c] as f64;
            ssw += d * d;
        }
    }
    let ssb: f64 = dev.iter().zip(&sizes).map(|(s, &m)| s * s / m as f64).sum();
    let icc = icc_from_ss(ssb, ssw, &sizes);
    // R's "essentially perfect fit" rule, as ClusterOls: residual variance
    // below 1e-30·ȳ² is rounding noise.
    let perfect = n < 2 || (ssb + ssw) / (nf - 1.0) <= 1e-30 * mean * mean;
    let test = if g < 2 || perfect {
        None
    } else {
        let var: f64 = dev.iter().zip(&sizes).map(|(s, &m)| s * s / (nf * (n - m) as f64)).sum();
        let (mut sum_r2, mut cross, mut e_before) = (0.0, 0.0, 0.0);
        for &m in &sizes {
            let r = m as f64 / nf;
            let e = (m * m) as f64 / (nf * (n - m) as f64);
            sum_r2 += r * r;
            cross += e * e_before;
            e_before += e;
        }
        let df = 1.0 / (sum_r2 + 2.0 * cross);
        TTest::checked(mean, var.sqrt(), df, alpha)
    };
    Ok(ClusteredMean { n, n_clusters: g, mean: Some(mean), test, icc })
}

/// Row → cluster position (`NONE` for a non-finite value) and the size of
/// each cluster, clusters in order of first appearance.
fn cluster_index(values: &[f64], clusters: &[usize]) -> (Vec<u32>, Vec<usize>) {
    let mut at: FxHashMap<usize, u32> = FxHashMap::default();
    let mut sizes: Vec<usize> = Vec::new();
    let mut last: Option<(usize, u32)> = None;
    let of_row = values
        .iter()
        .zip(clusters)
        .map(|(v, &id)| {
            if !v.is_finite() {
                return NONE;
            }
            let c = match last {
                Some((prev, c)) if prev == id => c,
                _ => {
                    let c = *at.entry(id).or_insert_with(|| {
                        sizes.push(0);
                        (sizes.len() - 1) as u32
                    });
                    last = Some((id, c));
                    c
                }
            };
            sizes[c as usize] += 1;
            c
        })
        .collect();
    (of_row, sizes)
}

const NONE: u32 = u32::MAX;

/// A difference of two group means over clustered observations.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClusteredDiff {
    /// Finite values in the treated group.
    pub n_treated: usize,
    /// Finite values in the control group.
    pub n_control: usize,
    /// Clusters with at least one finite value.
    pub n_clusters: usize,
    /// Mean of the treated group; `None` when it is empty.
    pub mean_treated: Option<f64>,
    /// Mean of the control group; `None` when it is empty.
    pub mean_control: Option<f64>,
    /// Test of `mean_treated − mean_control` with CR2 se and Satterthwaite
    /// df; `None` when a group is empty, there are fewer than 2 clusters,
    /// or the residuals are all 0.
    pub test: Option<TTest>,
}

/// Difference of two group means with cluster-robust inference: the
/// coefficient of `treated` in `y ~ 1 + treated` with CR2 covariance and
/// its Satterthwaite df ([`ClusterOls`], clubSandwich `coef_test(...,
/// vcov = "CR2", test = "Satterthwaite")`). A cluster may hold both groups
/// or one; e.g. the DiD of trained against control deltas clustered by
/// class.
///
/// # Errors
/// [`StatsError::LengthMismatch`] when the slices differ in length;
/// [`StatsError::InvalidAlpha`] unless 0 < alpha < 1.
pub fn clustered_diff(
    values: &[f64],
    treated: &[bool],
    clusters: &[usize],
    alpha: f64,
) -> Result<ClusteredDiff, StatsError> {
    check_alpha(alpha)?;
    for len in [treated.len(), clusters.len()] {
        if len != values.len() {
            return Err(StatsError::LengthMismatch { left: values.len(), right: len });
        }
    }
    let mut design = Vec::with_capacity(2 * values.len());
    let (mut n1, mut n0, mut s1, mut s0) = (0usize, 0usize, 0.0, 0.0);
    for (&v, &t) in values.iter().zip(treated) {
        design.extend([1.0, if t { 1.0 } else { 0.0 }]);
        if v.is_finite() {
            if t {
                n1 += 1;
                s1 += v;
            } else {
                n0 += 1;
                s0 += v;
            }
        }
    }
    let n_clusters = cluster_index(values, clusters).1.len();
    let fit = match ClusterOls::fit_flat(design, 2, values.to_vec(), clusters, ClusterCovariance::Cr2) {
        Ok(fit) => Some(fit),
        // One group empty, one cluster, too few values: no test.
        Err(StatsError::SingularDesign { .. } | StatsError::NotEnoughData { .. }) => None,
        Err(e) => return Err(e),
    };
    let test = match fit {
        Some(f) => f.coef_test(1, alpha)?,
        None => None,
    };
    let (mean_treated, mean_control) = ((n1 > 0).then(|| s1 / n1 as f64), (n0 > 0).then(|| s0 / n0 as f64));
    Ok(ClusteredDiff { n_treated: n1, n_control: n0, n_clusters, mean_treated, mean_control, test })
}

/// One-way ANOVA estimator of the intraclass correlation ICC(1) of values
/// grouped in clusters (Fisher 1925; Donner 1986, eq. 3.1 for unequal
/// sizes):
/// `ICC = (MSB − MSW) / (MSB + (n₀ − 1)·MSW)`, MSB = Σ m_g (ȳ_g − ȳ)²/(G − 1),
/// MSW = Σ_g Σ_i (y_gi − ȳ_g)²/(N − G), `n₀ = (N − Σ m_g²/N)/(G − 1)`
/// (= m for equal sizes, where it is `psych::ICC` ICC1 with rows as groups).
/// Non-finite values are ignored; empty groups do not count. The estimate
/// can be negative (less variation between groups than chance) and is
/// returned as is.
///
/// `None` with fewer than 2 non-empty groups, no within-group df (every
/// group of one value) or a zero denominator (all values equal).
pub fn icc_oneway<R: AsRef<[f64]>>(groups: &[R]) -> Option<f64> {
    let groups: Vec<Vec<f64>> =
        groups.iter().map(|g| finite(g.as_ref()).collect::<Vec<f64>>()).filter(|g| !g.is_empty()).collect();
    let all: Vec<f64> = groups.iter().flatten().copied().collect();
    let grand = mean(&all)?;
    let (mut ssb, mut ssw) = (0.0, 0.0);
    for g in &groups {
        let m = mean(g)?;
        ssb += g.len() as f64 * (m - grand) * (m - grand);
        ssw += g.iter().map(|v| (v - m) * (v - m)).sum::<f64>();
    }
    let sizes: Vec<usize> = groups.iter().map(Vec::len).collect();
    icc_from_ss(ssb, ssw, &sizes)
}

/// ICC(1) from the between and within sums of squares and the group sizes.
fn icc_from_ss(ssb: f64, ssw: f64, sizes: &[usize]) -> Option<f64> {
    let g = sizes.len();
    let n: usize = sizes.iter().sum();
    if g < 2 || n <= g {
        return None;
    }
    let (nf, gf) = (n as f64, g as f64);
    let msb = ssb / (gf - 1.0);
    let msw = ssw / (nf - gf);
    let n0 = (nf - sizes.iter().map(|&m| (m * m) as f64).sum::<f64>() / nf) / (gf - 1.0);
    let den = msb + (n0 - 1.0) * msw;
    // A denominator at rounding level against the mean squares: all equal.
    let scale = msb.max(msw);
    (scale > 0.0 && den > 1e-12 * scale).then(|| (msb - msw) / den)
}

/// Design effect of cluster sampling, `1 + (m̄ − 1)·ICC` (Kish 1965): the
/// factor by which clustering inflates the variance of a mean over that of
/// a simple random sample of the same size, with m̄ the mean cluster size.
/// `None` unless both inputs are finite and m̄ ≥ 1.
pub fn design_effect(mean_cluster_size: f64, icc: f64) -> Option<f64> {
    (mean_cluster_size.is_finite() && icc.is_finite() && mean_cluster_size >= 1.0)
        .then_some(1.0 + (mean_cluster_size - 1.0) * icc)
}

#[cfg(test)]
mod tests {
    use super::super::testdata::{close, close_p, trainees, BALANCED, TWO_CLASSES, UNBALANCED};
    use super::*;

    /// Gains (post − pre) and class ids (sorted order) of a data set.
    fn gains(csv: &str) -> (Vec<f64>, Vec<usize>, Vec<String>) {
        let ts = trainees(csv);
        let mut ids: Vec<&str> = ts.iter().map(|t| t.class.as_str()).collect();
        ids.sort();
        ids.dedup();
        let g = ts.iter().map(|t| ids.iter().position(|i| *i == t.class).unwrap()).collect();
        let cats = ts.iter().map(|t| format!("{}|{}", t.method, t.category)).collect();
        (ts.iter().map(|t| t.post - t.pre).collect(), g, cats)
    }

    /// est, se, t, df, p, ci_low, ci_high from `class_inference.R`
    /// (clubSandwich `coef_test` / `conf_int`, CR2, Satterthwaite).
    #[track_caller]
    fn check(t: &TTest, want: [f64; 7]) {
        close(t.estimate, want[0], 1e-10);
        close(t.se, want[1], 1e-9);
        close(t.t, want[2], 1e-9);
        close(t.df, want[3], 1e-9);
        close_p(t.p, want[4]);
        close(t.ci_low, want[5], 1e-9);
        close(t.ci_high, want[6], 1e-9);
    }

    #[test]
    fn clustered_mean_matches_clubsandwich() {
        let cases: [(&str, [f64; 7]); 3] = [
            (
                BALANCED,
                [
                    1.9609374999999998,
                    1.3551461668528144,
                    1.4470302525033683,
                    15.0,
                    0.16846314546436578,
                    -0.9274881815055027,
                    4.8493631815055025,
                ],
            ),
            (
                TWO_CLASSES,
                [
                    5.456666666666666,
                    1.5304658981110548,
                    3.565363118120725,
                    7.342393541803995,
                    0.00845615054961058,
                    1.8716215142919803,
                    9.041711819041351,
                ],
            ),
            (
                UNBALANCED,
                [
                    1.114507772020727,
                    1.163172557796042,
                    0.9581620238122501,
                    12.516959689639025,
                    0.356123447651567,
                    -1.4082671797038047,
                    3.6372827237452587,
                ],
            ),
        ];
        for (csv, want) in cases {
            let (y, g, _) = gains(csv);
            let m = clustered_mean(&y, &g, 0.05).unwrap();
            assert_eq!(m.n, y.len());
            check(&m.test.unwrap(), want);
        }
    }

    /// The closed form is the intercept-only ClusterOls CR2 fit, also with
    /// single-value clusters and clusters of very different sizes.
    #[test]
    fn clustered_mean_is_the_intercept_only_cr2_fit() {
        let (mut y, mut g, _) = gains(UNBALANCED);
        y.extend([3.5, -2.0, 7.25]);
        g.extend([100, 101, 102]);
        let m = clustered_mean(&y, &g, 0.1).unwrap().test.unwrap();
        let ones = vec![[1.0]; y.len()];
        let fit = ClusterOls::fit(&ones, &y, &g, ClusterCovariance::Cr2).unwrap();
        let t = fit.coef_test(0, 0.1).unwrap().unwrap();
        close(m.estimate, t.estimate, 1e-12);
        close(m.se, t.se, 1e-10);
        close(m.df, t.df, 1e-10);
        close(m.ci_low, t.ci_low, 1e-10);
    }

    /// Equal clusters: df = G − 1 exactly, and the se is that of the
    /// cluster means (the t test of G means), at 2·10⁵ values.
    #[test]
    fn equal_clusters_give_g_minus_1_df_and_the_cluster_means_se() {
        let (g_count, m) = (2000usize, 100usize);
        let mut x = 0.3_f64;
        let mut y = Vec::with_capacity(g_count * m);
        let mut g = Vec::with_capacity(g_count * m);
        for c in 0..g_count {
            let shift = (c % 7) as f64;
            for _ in 0..m {
                x = (x * 997.0 + 0.137).fract();
                y.push(shift + x);
                g.push(c * 3);
            }
        }
        let r = clustered_mean(&y, &g, 0.05).unwrap();
        assert_eq!((r.n, r.n_clusters), (g_count * m, g_count));
        let t = r.test.unwrap();
        close(t.df, (g_count - 1) as f64, 1e-12);
        let means: Vec<f64> = y.chunks(m).map(|c| c.iter().sum::<f64>() / m as f64).collect();
        let sd = super::super::sd(&means).unwrap();
        close(t.se, sd / (g_count as f64).sqrt(), 1e-9);
    }

    #[test]
    fn clustered_diff_matches_clubsandwich() {
        let (y, g, labels) = gains(UNBALANCED);
        let mixed: Vec<bool> = labels.iter().map(|l| l.ends_with("|B")).collect();
        let d = clustered_diff(&y, &mixed, &g, 0.05).unwrap();
        check(
            &d.test.unwrap(),
            [
                3.2570372596154,
                0.586223695796115,
                5.5559631638434785,
                11.732428313877666,
                0.00013530038617705717,
                1.9765273084500923,
                4.537547210780708,
            ],
        );
        close(d.mean_treated.unwrap() - d.mean_control.unwrap(), 3.2570372596154, 1e-10);
        assert_eq!(d.n_treated + d.n_control, y.len());
        let by_class: Vec<bool> = labels.iter().map(|l| l.starts_with("online|")).collect();
        let d = clustered_diff(&y, &by_class, &g, 0.05).unwrap();
        assert_eq!(d.n_clusters, 17);
        check(
            &d.test.unwrap(),
            [
                -5.719448706560061,
                1.7284085761769155,
                -3.3090837348255744,
                11.760786851196332,
                0.006394864417734487,
                -9.493840433472473,
                -1.945056979647649,
            ],
        );
    }

    #[test]
    fn icc_oneway_matches_the_anova_estimator() {
        // (data set, ICC) from `class_inference.R` (`icc1`); the balanced
        // one is also psych::ICC(lmer = FALSE) ICC1 = 0.3838048444313436.
        let cases =
            [(BALANCED, 0.3838048444313425), (TWO_CLASSES, 0.2408993528784118), (UNBALANCED, 0.2665067794427838)];
        for (csv, want) in cases {
            let (y, g, _) = gains(csv);
            let groups: Vec<Vec<f64>> = (0..=*g.iter().max().unwrap())
                .map(|c| y.iter().zip(&g).filter(|(_, &k)| k == c).map(|(v, _)| *v).collect())
                .collect();
            let icc = icc_oneway(&groups).unwrap();
            close(icc, want, 1e-10);
            close(clustered_mean(&y, &g, 0.05).unwrap().icc.unwrap(), icc, 1e-10);
        }
    }

    #[test]
    fn design_effect_is_kish_s() {
        close(design_effect(12.0, 0.3838048444313425).unwrap(), 1.0 + 11.0 * 0.3838048444313425, 1e-15);
        assert_eq!(design_effect(1.0, 0.4), Some(1.0));
        assert_eq!(design_effect(0.5, 0.4), None);
        assert_eq!(design_effect(10.0, f64::NAN), None);
    }

    #[test]
    fn undefined_cases_are_none() {
        // Nothing, all missing, one value.
        for y in [vec![], vec![f64::NAN, f64::INFINITY], vec![2.0]] {
            let g = vec![1; y.len()];
            let m = clustered_mean(&y, &g, 0.05).unwrap();
            assert_eq!((m.test, m.icc), (None, None));
        }
        assert_eq!(clustered_mean(&[f64::NAN], &[1], 0.05).unwrap().mean, None);
        // One cluster: a mean, no test.
        let m = clustered_mean(&[1.0, 2.0, 4.0], &[5, 5, 5], 0.05).unwrap();
        assert_eq!((m.mean, m.n_clusters, m.test), (Some(7.0 / 3.0), 1, None));
        // All equal (ties everywhere): no variation, no test, no ICC.
        let m = clustered_mean(&[3.1; 6], &[1, 1, 2, 2, 3, 3], 0.05).unwrap();
        assert_eq!((m.test, m.icc), (None, None));
        // Clusters of one value each: a test, but no within-cluster df.
        let m = clustered_mean(&[1.0, 2.0, 4.0], &[1, 2, 3], 0.05).unwrap();
        assert!(m.test.is_some());
        assert_eq!(m.icc, None);
        assert_eq!(icc_oneway(&[vec![1.0], vec![2.0]]), None);
        assert_eq!(icc_oneway(&[vec![1.0, 2.0]]), None);
        assert_eq!(icc_oneway::<Vec<f64>>(&[]), None);
        assert_eq!(icc_oneway(&[vec![f64::NAN], vec![1.0, 2.0]]), None);
        // A group left empty: the difference has no test.
        let d = clustered_diff(&[1.0, 2.0, 3.0, 5.0], &[true; 4], &[1, 1, 2, 2], 0.05).unwrap();
        assert_eq!((d.mean_control, d.test), (None, None));
        assert_eq!(d.mean_treated, Some(2.75));
        // All missing, or all tied: no test.
        let d = clustered_diff(&[f64::NAN; 4], &[true, false, true, false], &[1, 1, 2, 2], 0.05).unwrap();
        assert_eq!((d.n_treated, d.n_control, d.mean_treated, d.test), (0, 0, None, None));
        let d = clustered_diff(&[2.5; 6], &[true, false, true, false, true, false], &[1, 1, 2, 2, 3, 3], 0.05).unwrap();
        assert_eq!((d.mean_treated, d.test), (Some(2.5), None));
        // Missing values leave with their group and cluster.
        let d =
            clustered_diff(&[1.0, f64::NAN, 3.0, 5.0, 4.0], &[true, false, false, true, false], &[1, 1, 2, 2, 3], 0.05)
                .unwrap();
        assert_eq!((d.n_treated, d.n_control, d.n_clusters), (2, 2, 3));
    }

    #[test]
    fn malformed_calls_are_errors() {
        assert!(matches!(clustered_mean(&[1.0], &[], 0.05), Err(StatsError::LengthMismatch { .. })));
        assert!(matches!(clustered_mean(&[1.0], &[1], 0.0), Err(StatsError::InvalidAlpha(_))));
        assert!(matches!(clustered_diff(&[1.0], &[true], &[], 0.05), Err(StatsError::LengthMismatch { .. })));
        assert!(matches!(clustered_diff(&[1.0], &[], &[1], 0.05), Err(StatsError::LengthMismatch { .. })));
    }
}
