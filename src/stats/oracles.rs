//! Every reference value of `shared/ORACLES.md`, one named test per table
//! row, to at least 1e-6 relative (p-values 1e-6 absolute) or to the digits
//! printed there.

use super::*;

const SLEEP_PRE: [f64; 10] = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0];
const SLEEP_POST: [f64; 10] = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4];

/// `|got − want| ≤ rel·|want|` (or ≤ rel when want = 0).
#[track_caller]
fn close(got: f64, want: f64, rel: f64) {
    let tol = rel * want.abs().max(1.0e-300);
    assert!((got - want).abs() <= tol.max(if want == 0.0 { rel } else { 0.0 }), "got {got}, want {want} (rel {rel})");
}

/// p-values: 1e-6 absolute.
#[track_caller]
fn close_p(got: f64, want: f64) {
    assert!((got - want).abs() <= 1e-6, "got p {got}, want {want}");
}

fn sleep_paired() -> PairedT {
    paired_t(&SLEEP_PRE, &SLEEP_POST, 0.05).expect("equal lengths")
}

#[test]
fn oracle_sleep_mean_and_sd_of_differences() {
    let r = sleep_paired();
    close(r.mean_diff.unwrap(), 1.58, 1e-12);
    close(r.sd_diff.unwrap(), 1.2299954832798732, 1e-12);
}

#[test]
fn oracle_sleep_paired_t_df_p() {
    let t = sleep_paired().test.unwrap();
    close(t.t, 4.062127683382037, 1e-10);
    assert_eq!(t.df, 9.0);
    close(t.p, 0.002832890197384273, 1e-8);
}

#[test]
fn oracle_sleep_ci_of_mean_difference() {
    let t = sleep_paired().test.unwrap();
    close(t.ci_low, 0.7001142367230175, 1e-10);
    close(t.ci_high, 2.459885763276983, 1e-10);
}

#[test]
fn oracle_sleep_cohens_dz() {
    close(sleep_paired().d_z.unwrap(), 1.2845575625910546, 1e-12);
}

#[test]
fn oracle_sleep_hedges_gz() {
    close(sleep_paired().g_z.unwrap(), 1.1744526286546784, 1e-12);
}

#[test]
fn oracle_sleep_d_av() {
    close(sleep_paired().d_av.unwrap(), 0.8334963413127044, 1e-12);
}

#[test]
fn oracle_sleep_welch_t() {
    let w = welch_t(&SLEEP_POST, &SLEEP_PRE, 0.05).unwrap().test.unwrap();
    close(w.t, 1.8608134674868526, 1e-10);
    close(w.df, 17.776473516178488, 1e-10);
    close(w.p, 0.0793941401873583, 1e-8);
}

#[test]
fn oracle_wilcoxon_sleep_sign_flip() {
    let w = wilcoxon_paired(&SLEEP_PRE, &SLEEP_POST).unwrap();
    assert_eq!(w.v, Some(45.0));
    assert_eq!(w.p, Some(0.00390625));
    assert_eq!(w.p_method, Some(WilcoxonPMethod::SignFlip));
    assert_eq!((w.n_pairs, w.n_nonzero), (10, 9));
}

const WX_X: [f64; 12] = [20., 22., 19., 20., 22., 18., 24., 20., 19., 24., 26., 13.];
const WX_Y: [f64; 12] = [38., 37., 33., 29., 14., 12., 20., 22., 17., 25., 26., 16.];

#[test]
fn oracle_wilcoxon_twelve_pairs_sign_flip() {
    // Differences y − x.
    let w = wilcoxon_paired(&WX_X, &WX_Y).unwrap();
    assert_eq!(w.v, Some(45.5));
    assert_eq!(w.p, Some(0.2880859375));
    assert_eq!(w.p_method, Some(WilcoxonPMethod::SignFlip));
}

#[test]
fn oracle_wilcoxon_twelve_pairs_normal_approximation() {
    let d: Vec<f64> = WX_X.iter().zip(&WX_Y).map(|(x, y)| y - x).collect();
    let w = wilcoxon_signed_rank_with(&d, WilcoxonMethod::Normal);
    assert_eq!(w.p_method, Some(WilcoxonPMethod::Normal));
    close(w.p.unwrap(), 0.2661660677806492, 1e-9);
}

#[test]
#[allow(clippy::approx_constant)] // 3.14 is data, not π.
fn oracle_wilcoxon_nine_pairs_exact() {
    let x = [1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30];
    let y = [0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29];
    // Differences x − y: `y` plays "pre".
    let w = wilcoxon_paired(&y, &x).unwrap();
    assert_eq!(w.v, Some(40.0));
    assert_eq!(w.p, Some(0.0390625));
    assert_eq!(w.p_method, Some(WilcoxonPMethod::Exact));
}

fn method_groups() -> Vec<Vec<f64>> {
    vec![
        vec![62., 70., 68., 75., 71., 66., 73.],
        vec![78., 74., 81., 85., 77., 80.],
        vec![60., 58., 65., 63., 55., 61., 59., 64.],
        vec![72., 90., 65., 88., 70.],
    ]
}

#[test]
fn oracle_one_way_anova() {
    let a = one_way_anova(&method_groups()).unwrap();
    assert_eq!((a.df1, a.df2), (3.0, 22.0));
    close(a.f.unwrap(), 13.79046147283645, 1e-10);
    close_p(a.p.unwrap(), 2.818941058561206e-05);
    close(a.p.unwrap(), 2.818941058561206e-05, 1e-6);
    // Printed to 5 and 6 decimals.
    assert!((a.eta_sq.unwrap() - 0.65284).abs() < 5e-6);
    assert!((a.ss_between - 1452.016941).abs() < 5e-7);
    assert!((a.ss_total - 2224.153846).abs() < 5e-7);
}

#[test]
fn oracle_welch_anova() {
    let w = welch_anova(&method_groups()).unwrap();
    // Printed to 6 decimals.
    assert!((w.f.unwrap() - 28.264969).abs() < 5e-7);
    assert_eq!(w.df1, 3.0);
    assert!((w.df2.unwrap() - 10.391693).abs() < 5e-7);
    close_p(w.p.unwrap(), 0.000026);
}

#[test]
fn oracle_kruskal_wallis() {
    let k = kruskal_wallis(&method_groups()).unwrap();
    close(k.h.unwrap(), 18.065186004268295, 1e-10);
    assert_eq!(k.df, 3.0);
    close_p(k.p.unwrap(), 0.0004264410745814575);
    close(k.p.unwrap(), 0.0004264410745814575, 1e-8);
}

#[test]
fn oracle_holm() {
    let got = holm(&[0.50, 0.003, 0.32, 0.054, 0.0003]);
    for (g, w) in got.iter().zip([0.64, 0.012, 0.64, 0.162, 0.0015]) {
        close(*g, w, 1e-12);
    }
}

#[test]
fn oracle_benjamini_hochberg() {
    let got = benjamini_hochberg(&[0.50, 0.003, 0.32, 0.054, 0.0003]);
    for (g, w) in got.iter().zip([0.5, 0.0075, 0.4, 0.09, 0.0015]) {
        close(*g, w, 1e-12);
    }
}

/// The 54 rows of `shared/oracles/ancova.csv` (copied as a test fixture).
const ANCOVA_CSV: &str = include_str!("../../tests/data/oracles/ancova.csv");

/// Design `[1, case, online, pre]`, response `post`, cluster = class index.
pub(crate) fn ancova_data() -> (Vec<[f64; 4]>, Vec<f64>, Vec<usize>) {
    let mut classes: Vec<String> = Vec::new();
    let (mut x, mut y, mut g) = (Vec::new(), Vec::new(), Vec::new());
    for line in ANCOVA_CSV.lines().skip(1).filter(|l| !l.trim().is_empty()) {
        let f: Vec<&str> = line.trim().split(',').collect();
        let class = f[0].to_string();
        let id = classes.iter().position(|c| *c == class).unwrap_or_else(|| {
            classes.push(class);
            classes.len() - 1
        });
        let dummy = |m: &str| if f[1] == m { 1.0 } else { 0.0 };
        let pre: f64 = f[3].parse().unwrap();
        x.push([1.0, dummy("case"), dummy("online"), pre]);
        y.push(f[4].parse().unwrap());
        g.push(id);
    }
    (x, y, g)
}

fn ancova(kind: ClusterCovariance) -> ClusterOls {
    let (x, y, g) = ancova_data();
    assert_eq!((x.len(), g.iter().max().map(|m| m + 1)), (54, Some(9)));
    ClusterOls::fit(&x, &y, &g, kind).unwrap()
}

#[test]
fn oracle_ancova_cr1_coefficients_and_se() {
    let m = ancova(ClusterCovariance::Cr1);
    assert_eq!((m.n(), m.k(), m.n_clusters()), (54, 4, 9));
    let want_coef = [22.597566, 7.313374, -0.168255, 0.770331];
    let want_se = [3.925270, 3.803835, 4.267892, 0.067437];
    for j in 0..4 {
        // Printed to 6 decimals.
        assert!((m.coef()[j] - want_coef[j]).abs() < 5e-7, "coef {j}: {}", m.coef()[j]);
        assert!((m.se()[j] - want_se[j]).abs() < 5e-7, "se {j}: {}", m.se()[j]);
        assert_eq!(m.coef_test(j, 0.05).unwrap().unwrap().df, 8.0);
    }
}

#[test]
fn oracle_ancova_wald_f_of_method_terms() {
    let w = ancova(ClusterCovariance::Cr1).wald_coefs(&[1, 2]).unwrap().unwrap();
    close(w.f, 3.033082534284301, 1e-9);
    assert_eq!((w.df1, w.df2), (2.0, 8.0));
    close_p(w.p, 0.10463021301502037);
    close(w.p, 0.10463021301502037, 1e-8);
}

#[test]
fn oracle_ancova_pairwise_contrasts() {
    let pairs = ancova(ClusterCovariance::Cr1).pairwise_levels(&[1, 2], 0.05).unwrap();
    // (a, b, diff, se, t, p, holm, bh): case − centralized, online −
    // centralized, online − case.
    let want = [
        (1, 0, 7.31337434835265, 3.8038350343074394, 1.9226318392864241, 0.0907464273159978, 0.20964743, 0.13611964),
        (
            2,
            0,
            -0.16825519416308055,
            4.267892000277269,
            -0.03942348919610657,
            0.9695188330498554,
            0.96951883,
            0.96951883,
        ),
        (2, 1, -7.481629542515731, 3.5775932333247926, -2.091246560068756, 0.06988247819742752, 0.20964743, 0.13611964),
    ];
    assert_eq!(pairs.len(), 3);
    for (pc, w) in pairs.iter().zip(want) {
        assert_eq!((pc.level_a, pc.level_b), (w.0, w.1));
        let t = pc.test.unwrap();
        close(t.estimate, w.2, 1e-9);
        close(t.se, w.3, 1e-9);
        close(t.t, w.4, 1e-8);
        assert_eq!(t.df, 8.0);
        close_p(t.p, w.5);
        close(t.p, w.5, 1e-8);
        close(pc.p_holm.unwrap(), w.6, 1e-7);
        close(pc.p_bh.unwrap(), w.7, 1e-7);
    }
}

#[test]
fn oracle_icc_shrout_fleiss() {
    let rows =
        [[9., 2., 5., 8.], [6., 1., 3., 2.], [8., 4., 6., 8.], [7., 1., 2., 6.], [10., 5., 6., 9.], [6., 2., 4., 7.]];
    let r = icc(&rows).unwrap().unwrap();
    assert_eq!((r.n, r.k), (6, 4));
    let got = [r.icc1, r.icc2, r.icc3, r.icc1k, r.icc2k, r.icc3k];
    let want = [0.165742, 0.289764, 0.714841, 0.442797, 0.620051, 0.909316];
    for (g, w) in got.iter().zip(want) {
        // Printed to 6 decimals.
        assert!((g.unwrap() - w).abs() < 5e-7, "got {g:?}, want {w}");
    }
}

#[test]
fn oracle_cronbach_alpha() {
    let rows = [
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
    let a = cronbach_alpha(&rows).unwrap();
    assert_eq!((a.n, a.k), (10, 4));
    close(a.alpha.unwrap(), 0.922824302134647, 1e-12);
}

#[test]
fn oracle_hake_class_average_gain() {
    assert_eq!(hake_gain(40.0, 70.0, 100.0), Some(0.5));
}
