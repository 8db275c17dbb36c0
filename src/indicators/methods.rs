//! Method comparison: learning gains by the classes' training method, with the class
//! as the unit of inference.
//!
//! Methods are assigned to classes, and the trainees of a class share its teachers,
//! dates and peers; tests that count trainees as independent reject far more often than
//! their α when nothing differs. So:
//!
//! - **The gate** ([`gate`]): a method enters the tests only when taught in at least
//!   `methods.min_classes` classes (default 2) with pairs; it is noted `few_classes`
//!   below 5. A method left out keeps its row in `method_summary` (`in_tests = false`,
//!   `note = too_few_classes`).
//! - **`class_ancova`**, the primary test ([`class_ancova`]): each class one
//!   observation, class mean post ~ class mean pre + method (+ the configured class
//!   covariates), ordinary least squares; the F test of the method terms with partial
//!   η², and every pairwise contrast of the same model (t on the residual df, interval,
//!   Holm and BH over the pairs).
//! - **`class_kruskal`** ([`class_kruskal`]): Kruskal–Wallis on the class mean gains.
//! - **`ancova_cr2_htz`** ([`ancova_cr2_htz`]): the trainee-level OLS post ~ pre +
//!   method with CR2 (Bell–McCaffrey) covariance clustered by class and the HTZ Wald
//!   test of the method terms (Pustejovsky & Tipton 2018): valid, and conservative when
//!   a method has few classes. (Not + category: see [`ancova_cr2_htz`].)
//!
//! A test that cannot be estimated is null with its reason in `note` (and then no
//! pairwise inference is published either). `method_summary` pools the gains of each
//! method with a class-clustered (CR2) interval.
//!
//! In: pairs of outcome scores (class_id, method, pre_score, post_score) — normally
//! `trainee_outcomes` — and `classes` for the covariates.
//! Out: `method_summary`, `method_tests`, `method_pairwise`. Levels are the methods
//! present among the pairs, `centralized` first, then alphabetical; among the tested
//! levels the first is the reference; pairwise rows for every pair of tested levels
//! i < j are `coef(level j) − coef(level i)`.

use std::collections::BTreeMap;

use polars::prelude::*;

use super::engine::{f64s, group_by, serr, strs, Out};
use super::suppress::{primary, suppress, Suppression};
use super::{method_order, Params};
use crate::error::IndicatorError;
use crate::schema::col;
use crate::stats::{self, ClusterCovariance, ClusterOls, Ols, PairwiseContrast, StatsError};

/// Below this many classes a tested method is noted `few_classes`: its estimate rests
/// on a handful of classes, and the HTZ test is conservative.
pub const FEW_CLASSES: usize = 5;

/// Why a method or a test has no inference (the `note` column's vocabulary).
pub mod note {
    /// The method is tested but has fewer than [`super::FEW_CLASSES`] classes.
    pub const FEW_CLASSES: &str = "few_classes";
    /// The method has fewer than `methods.min_classes` classes: not tested.
    pub const TOO_FEW_CLASSES: &str = "too_few_classes";
    /// Fewer than two methods pass the gate: nothing to compare.
    pub const FEWER_THAN_TWO_METHODS: &str = "fewer_than_two_methods";
    /// No residual degree of freedom (as many parameters as classes).
    pub const NO_RESIDUAL_DF: &str = "no_residual_df";
    /// The design is singular (a covariate or category collinear with the methods).
    pub const SINGULAR: &str = "singular";
    /// The residuals are zero to rounding: no error variance to test against.
    pub const PERFECT_FIT: &str = "perfect_fit";
    /// Every class mean gain is the same: no ranking to test.
    pub const ALL_TIED: &str = "all_tied";
}

/// The three method tables.
pub struct MethodTables {
    pub summary: DataFrame,
    pub tests: DataFrame,
    pub pairwise: DataFrame,
}

/// The withheld method rows of `learning_by_method`, by method (see
/// [`super::learning::LearningTables::method_status`]).
pub type MethodStatus = BTreeMap<String, Option<Suppression>>;

/// One class, the unit of the comparison: its method and the means of its pairs.
#[derive(Debug, Clone, PartialEq)]
pub struct ClassMeans {
    /// Index into the levels.
    pub level: usize,
    /// Pairs (trainees scored at pre and post).
    pub n: usize,
    pub pre: f64,
    pub post: f64,
    /// Class-level covariates, in the configured order (NaN when missing).
    pub covariates: Vec<f64>,
}

impl ClassMeans {
    /// The class mean gain (mean post − mean pre = mean of the gains).
    pub fn gain(&self) -> f64 {
        self.post - self.pre
    }
}

/// Whether a method with `n_classes` classes enters the tests, and its note.
pub fn gate(n_classes: usize, min_classes: usize) -> (bool, Option<&'static str>) {
    if n_classes < min_classes {
        (false, Some(note::TOO_FEW_CLASSES))
    } else if n_classes < FEW_CLASSES {
        (true, Some(note::FEW_CLASSES))
    } else {
        (true, None)
    }
}

/// A test's result, or why there is none.
#[derive(Debug, Clone, PartialEq)]
pub struct TestRow {
    pub statistic: Option<f64>,
    pub df1: Option<f64>,
    pub df2: Option<f64>,
    pub p: Option<f64>,
    pub effect: Option<f64>,
    pub note: Option<&'static str>,
}

impl TestRow {
    fn missing(note: &'static str) -> TestRow {
        TestRow { statistic: None, df1: None, df2: None, p: None, effect: None, note: Some(note) }
    }
}

/// The class-level ANCOVA of the tested levels `0..k` (0 the reference) over
/// `classes`: the F test of the method terms and the pairwise contrasts, or the reason
/// there are none.
pub fn class_ancova(
    classes: &[ClassMeans],
    k: usize,
    alpha: f64,
) -> Result<(TestRow, Vec<PairwiseContrast>), StatsError> {
    if k < 2 {
        return Ok((TestRow::missing(note::FEWER_THAN_TWO_METHODS), Vec::new()));
    }
    let covariates = classes.first().map_or(0, |c| c.covariates.len());
    // Columns: intercept, pre, the dummies of levels 1..k, the covariates.
    let rows: Vec<Vec<f64>> = classes
        .iter()
        .map(|c| {
            let mut row = vec![1.0, c.pre];
            row.extend((1..k).map(|l| if c.level == l { 1.0 } else { 0.0 }));
            row.extend(&c.covariates);
            row
        })
        .collect();
    let y: Vec<f64> = classes.iter().map(|c| c.post).collect();
    let params = 2 + (k - 1) + covariates;
    if classes.len() <= params {
        return Ok((TestRow::missing(note::NO_RESIDUAL_DF), Vec::new()));
    }
    let fit = match Ols::fit(&rows, &y) {
        Ok(fit) => fit,
        Err(StatsError::SingularDesign { .. }) => return Ok((TestRow::missing(note::SINGULAR), Vec::new())),
        Err(StatsError::NotEnoughData { .. }) => return Ok((TestRow::missing(note::NO_RESIDUAL_DF), Vec::new())),
        Err(e) => return Err(e),
    };
    let dummies: Vec<usize> = (2..k + 1).collect();
    let Some(f) = fit.f_test_coefs(&dummies)? else {
        return Ok((TestRow::missing(note::PERFECT_FIT), Vec::new()));
    };
    let row = TestRow {
        statistic: Some(f.f),
        df1: Some(f.df1),
        df2: Some(f.df2),
        p: Some(f.p),
        effect: Some(f.partial_eta_sq),
        note: None,
    };
    Ok((row, fit.pairwise_levels(&dummies, alpha)?))
}

/// Kruskal–Wallis on the class mean gains of levels `0..k`.
pub fn class_kruskal(classes: &[ClassMeans], k: usize) -> TestRow {
    if k < 2 {
        return TestRow::missing(note::FEWER_THAN_TWO_METHODS);
    }
    let mut gains = vec![Vec::new(); k];
    for c in classes {
        gains[c.level].push(c.gain());
    }
    match stats::kruskal_wallis(&gains) {
        Some(kw) if kw.h.is_some() => {
            TestRow { statistic: kw.h, df1: Some(kw.df), df2: None, p: kw.p, effect: None, note: None }
        }
        _ => TestRow::missing(note::ALL_TIED),
    }
}

/// One trainee's pair for the trainee-level model.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pair {
    /// Index into the tested levels.
    pub level: usize,
    /// Index of the class (the cluster).
    pub class: usize,
    pub pre: f64,
    pub post: f64,
}

/// The trainee-level OLS post ~ pre + method with CR2 covariance clustered by class,
/// and the HTZ Wald test of the method terms (levels `0..k`, 0 the reference).
///
/// The cadre category is not in the model: classes target one category, so its dummies
/// are nearly class-level, and with them the test lost its size (under a planted null,
/// R's clubSandwich rejected in 23 of 53 generated years at α = 0.05, and 0 of 60
/// without them; `docs/indicators.md`). The class ANCOVA is the primary test.
pub fn ancova_cr2_htz(pairs: &[Pair], k: usize) -> Result<TestRow, StatsError> {
    if k < 2 {
        return Ok(TestRow::missing(note::FEWER_THAN_TWO_METHODS));
    }
    // Columns: intercept, pre, method dummies 1..k; the rows end to end in one buffer
    // (10⁶ rows at 10⁶ cadres).
    let width = k + 1;
    let mut design = vec![0.0; pairs.len() * width];
    for (row, p) in design.chunks_exact_mut(width).zip(pairs) {
        row[0] = 1.0;
        row[1] = p.pre;
        if p.level > 0 {
            row[1 + p.level] = 1.0;
        }
    }
    let y: Vec<f64> = pairs.iter().map(|p| p.post).collect();
    let clusters: Vec<usize> = pairs.iter().map(|p| p.class).collect();
    let fit = match ClusterOls::fit_flat(design, width, y, &clusters, ClusterCovariance::Cr2) {
        Ok(fit) => fit,
        Err(StatsError::SingularDesign { .. }) => return Ok(TestRow::missing(note::SINGULAR)),
        Err(StatsError::NotEnoughData { .. }) => return Ok(TestRow::missing(note::NO_RESIDUAL_DF)),
        Err(e) => return Err(e),
    };
    let dummies: Vec<usize> = (2..k + 1).collect();
    Ok(match fit.wald_htz_coefs(&dummies)? {
        Some(h) => {
            TestRow { statistic: Some(h.f), df1: Some(h.df1), df2: Some(h.df2), p: Some(h.p), effect: None, note: None }
        }
        None => TestRow::missing(note::PERFECT_FIT),
    })
}

/// The pairs, the classes and the levels of one comparison.
struct Comparison {
    /// Every method among the pairs, in level order.
    levels: Vec<String>,
    /// Classes (with ≥ 1 pair) of each level.
    classes_of: Vec<Vec<usize>>,
    classes: Vec<ClassMeans>,
    /// Per pair: level, class, pre, post.
    pairs: Vec<Pair>,
}

fn comparison(df: &DataFrame, classes: &DataFrame, ctx: &Params, table: &str) -> Result<Comparison, IndicatorError> {
    let (class, method, pre, post) = (
        strs(df, col::CLASS_ID, table)?,
        strs(df, col::METHOD, table)?,
        f64s(df, col::PRE_SCORE, table)?,
        f64s(df, col::POST_SCORE, table)?,
    );
    let rows: Vec<usize> = (0..df.height())
        .filter(|&i| pre[i].is_some() && post[i].is_some() && method[i].is_some() && class[i].is_some())
        .collect();
    let levels = method_order(rows.iter().filter_map(|&i| method[i]));
    let level_of: BTreeMap<String, usize> = levels.iter().enumerate().map(|(i, l)| (l.clone(), i)).collect();
    let covariates = class_covariates(classes, &ctx.settings.methods.covariates, table)?;
    let by_class = group_by(rows.len(), |k| class[rows[k]]);
    let mut out = Comparison {
        classes_of: vec![Vec::new(); levels.len()],
        levels,
        classes: Vec::with_capacity(by_class.len()),
        pairs: Vec::with_capacity(rows.len()),
    };
    for (id, members) in &by_class {
        let i = rows[members[0]];
        let level = method[i].and_then(|m| level_of.get(m).copied()).unwrap_or(0);
        let c = out.classes.len();
        let (mut sum_pre, mut sum_post) = (0.0, 0.0);
        for &k in members {
            let r = rows[k];
            let (a, b) = (pre[r].unwrap_or(f64::NAN), post[r].unwrap_or(f64::NAN));
            sum_pre += a;
            sum_post += b;
            out.pairs.push(Pair { level, class: c, pre: a, post: b });
        }
        let n = members.len();
        out.classes_of[level].push(c);
        out.classes.push(ClassMeans {
            level,
            n,
            pre: sum_pre / n as f64,
            post: sum_post / n as f64,
            covariates: covariates.get(id).cloned().unwrap_or_else(|| vec![f64::NAN; covariates_len(ctx)]),
        });
    }
    Ok(out)
}

fn covariates_len(ctx: &Params) -> usize {
    ctx.settings.methods.covariates.len()
}

/// The configured covariates of each class, by class id.
fn class_covariates<'a>(
    classes: &'a DataFrame,
    names: &[String],
    table: &str,
) -> Result<BTreeMap<&'a str, Vec<f64>>, IndicatorError> {
    let ids = strs(classes, col::CLASS_ID, table)?;
    let columns: Vec<Vec<Option<f64>>> = names.iter().map(|n| f64s(classes, n, table)).collect::<Result<_, _>>()?;
    Ok((0..classes.height())
        .filter_map(|i| Some((ids[i]?, columns.iter().map(|c| c[i].unwrap_or(f64::NAN)).collect())))
        .collect())
}

/// All three tables from a frame of pairs. `withheld` names the method rows the
/// learning tables withhold (a method absent from it is judged by its own n).
pub fn method_tables(
    df: &DataFrame,
    classes: &DataFrame,
    withheld: &MethodStatus,
    ctx: &Params,
) -> Result<MethodTables, IndicatorError> {
    const T: &str = "method_tests";
    let c = comparison(df, classes, ctx, T)?;
    let gates: Vec<(bool, Option<&'static str>)> =
        c.classes_of.iter().map(|cl| gate(cl.len(), ctx.settings.methods.min_classes)).collect();
    // The tested levels, renumbered 0..k in level order (the first is the reference).
    let tested: Vec<usize> = (0..c.levels.len()).filter(|&l| gates[l].0).collect();
    let renumber: BTreeMap<usize, usize> = tested.iter().enumerate().map(|(i, &l)| (l, i)).collect();
    let k = tested.len();
    // Classes with a complete covariate row only (listwise, as lm).
    let tested_classes: Vec<ClassMeans> = c
        .classes
        .iter()
        .filter(|m| m.covariates.iter().all(|x| x.is_finite()))
        .filter_map(|m| Some(ClassMeans { level: *renumber.get(&m.level)?, ..m.clone() }))
        .collect();
    let tested_pairs: Vec<Pair> =
        c.pairs.iter().filter_map(|p| Some(Pair { level: *renumber.get(&p.level)?, ..*p })).collect();

    let (ancova, contrasts) = class_ancova(&tested_classes, k, ctx.alpha).map_err(serr(T))?;
    let kruskal = class_kruskal(&tested_classes, k);
    let htz = ancova_cr2_htz(&tested_pairs, k).map_err(serr(T))?;
    let n_pairs = tested_pairs.len() as i64;
    let n_classes = tested_classes.len() as i64;
    let tests = test_table(
        &[("class_ancova", &ancova), ("class_kruskal", &kruskal), ("ancova_cr2_htz", &htz)],
        n_pairs,
        n_classes,
        ctx,
    )?;
    let names: Vec<&str> = tested.iter().map(|&l| c.levels[l].as_str()).collect();
    let pairwise = pairwise_table(&names, &contrasts, &ancova, withheld, &c, &tested, ctx)?;
    let summary = summary_table(&c, &gates, withheld, ctx)?;
    Ok(MethodTables { summary, tests, pairwise })
}

fn test_table(rows: &[(&str, &TestRow)], n: i64, n_classes: i64, ctx: &Params) -> Result<DataFrame, IndicatorError> {
    const T: &str = "method_tests";
    let counts: Vec<Option<i64>> = rows.iter().map(|_| Some(n)).collect();
    let df = Out::new(rows.len())
        .str(col::TEST, rows.iter().map(|r| Some(r.0)))
        .f64(col::STATISTIC, rows.iter().map(|r| r.1.statistic))
        .f64(col::DF1, rows.iter().map(|r| r.1.df1))
        .f64(col::DF2, rows.iter().map(|r| r.1.df2))
        .f64(col::P_VALUE, rows.iter().map(|r| r.1.p))
        .f64(col::EFFECT, rows.iter().map(|r| r.1.effect))
        .int(col::N, counts.clone())
        .int(col::N_CLASSES, rows.iter().map(|_| Some(n_classes)))
        .str(col::NOTE, rows.iter().map(|r| r.1.note))
        .finish(T)?;
    suppress(df, &primary(&counts, ctx.min_cell), &[col::TEST, col::NOTE], T)
}

fn pairwise_table(
    names: &[&str],
    contrasts: &[PairwiseContrast],
    ancova: &TestRow,
    withheld: &MethodStatus,
    c: &Comparison,
    tested: &[usize],
    ctx: &Params,
) -> Result<DataFrame, IndicatorError> {
    const T: &str = "method_pairwise";
    // Every pair of tested levels gets a row; without an estimable ANCOVA its
    // statistics are null, with the ANCOVA's reason.
    let mut rows: Vec<(usize, usize, Option<&PairwiseContrast>)> = Vec::new();
    for b in 0..names.len() {
        for a in b + 1..names.len() {
            rows.push((a, b, contrasts.iter().find(|p| p.level_a == a && p.level_b == b)));
        }
    }
    let status_of = |l: usize| -> Option<Suppression> {
        let level = tested[l];
        match withheld.get(&c.levels[level]) {
            Some(s) => *s,
            None => primary(&[Some(c.classes_of[level].iter().map(|&k| c.classes[k].n as i64).sum())], ctx.min_cell)[0],
        }
    };
    // A contrast is withheld with either of its methods' rows.
    let status: Vec<Option<Suppression>> = rows
        .iter()
        .map(|&(a, b, _)| match (status_of(a), status_of(b)) {
            (Some(Suppression::Primary), _) | (_, Some(Suppression::Primary)) => Some(Suppression::Primary),
            (x, y) => x.or(y),
        })
        .collect();
    let test = |r: &(usize, usize, Option<&PairwiseContrast>)| r.2.and_then(|p| p.test);
    let df = Out::new(rows.len())
        .str(col::METHOD_A, rows.iter().map(|r| Some(names[r.0])))
        .str(col::METHOD_B, rows.iter().map(|r| Some(names[r.1])))
        .f64(col::DIFF, rows.iter().map(|r| test(r).map(|t| t.estimate)))
        .f64(col::SE, rows.iter().map(|r| test(r).map(|t| t.se)))
        .f64(col::T, rows.iter().map(|r| test(r).map(|t| t.t)))
        .f64(col::DF, rows.iter().map(|r| test(r).map(|t| t.df)))
        .f64(col::P_RAW, rows.iter().map(|r| test(r).map(|t| t.p)))
        .f64(col::CI_LOW, rows.iter().map(|r| test(r).map(|t| t.ci_low)))
        .f64(col::CI_HIGH, rows.iter().map(|r| test(r).map(|t| t.ci_high)))
        .f64(col::P_HOLM, rows.iter().map(|r| r.2.and_then(|p| p.p_holm)))
        .f64(col::P_BH, rows.iter().map(|r| r.2.and_then(|p| p.p_bh)))
        .str(
            col::NOTE,
            rows.iter().map(|r| if test(r).is_some() { None } else { ancova.note.or(Some(note::PERFECT_FIT)) }),
        )
        .finish(T)?;
    suppress(df, &status, &[col::METHOD_A, col::METHOD_B], T)
}

fn summary_table(
    c: &Comparison,
    gates: &[(bool, Option<&'static str>)],
    withheld: &MethodStatus,
    ctx: &Params,
) -> Result<DataFrame, IndicatorError> {
    const T: &str = "method_summary";
    // Each level's gains and their classes, in one pass over the pairs.
    let mut by_level = vec![(Vec::new(), Vec::new()); c.levels.len()];
    for p in &c.pairs {
        by_level[p.level].0.push(p.post - p.pre);
        by_level[p.level].1.push(p.class);
    }
    let pooled = by_level
        .iter()
        .map(|(gains, classes)| {
            Ok((
                stats::describe(gains, ctx.alpha).map_err(serr(T))?,
                stats::clustered_mean(gains, classes, ctx.alpha).map_err(serr(T))?,
            ))
        })
        .collect::<Result<Vec<_>, IndicatorError>>()?;
    let n: Vec<Option<i64>> = pooled.iter().map(|r| Some(r.0.n as i64)).collect();
    let status: Vec<Option<Suppression>> = c
        .levels
        .iter()
        .zip(&n)
        .map(|(m, n)| match withheld.get(m) {
            Some(s) => *s,
            None => primary(&[*n], ctx.min_cell)[0],
        })
        .collect();
    let df = Out::new(c.levels.len())
        .str(col::METHOD, c.levels.iter().map(|m| Some(m.as_str())))
        .int(col::N_CLASSES, c.classes_of.iter().map(|cl| Some(cl.len() as i64)))
        .int(col::N_TRAINEES, n)
        .f64(col::MEAN_GAIN, pooled.iter().map(|r| r.0.mean))
        .f64(col::SD_GAIN, pooled.iter().map(|r| r.0.sd))
        .f64(col::CI_LOW, pooled.iter().map(|r| r.1.test.map(|t| t.ci_low)))
        .f64(col::CI_HIGH, pooled.iter().map(|r| r.1.test.map(|t| t.ci_high)))
        .bool(col::IN_TESTS, gates.iter().map(|g| Some(g.0)))
        .str(col::NOTE, gates.iter().map(|g| g.1))
        .finish(T)?;
    suppress(df, &status, &[col::METHOD, col::IN_TESTS, col::NOTE], T)
}
