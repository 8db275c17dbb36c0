//! Method comparison: learning gains by the classes' main training method.
//!
//! In: pairs of outcome scores (class_id, method, pre_score, post_score) — normally
//! `trainee_outcomes`, any frame with those columns works (the ORACLES data set is
//! run through the same path).
//! Out: `method_summary`, `method_tests` (`anova`, `welch_anova`, `kruskal`,
//! `ancova`) and `method_pairwise` (SPEC App. B).
//! Conventions (App. C.13): gains = post − pre of every pair of every class,
//! suppressed classes included; n_classes = classes with ≥ 1 pair; levels are the
//! methods present among the pairs, `centralized` first (the ANCOVA reference), then
//! alphabetical; the ANCOVA is OLS post ~ pre + method with CR1 covariance clustered
//! by class and F/t on classes − 1 df; pairwise rows for every pair i < j are
//! `coef(level j) − coef(level i)` with Holm and BH over all pairs — all from
//! [`crate::stats`].

use std::collections::BTreeMap;

use polars::prelude::*;

use super::frame::{f64s, group_by, serr, strs, Out};
use super::suppress::{primary, suppress, Suppression};
use super::{method_order, Ctx};
use crate::error::IndicatorError;
use crate::stats::{self, ClusterCovariance, ClusterOls, StatsError};
use crate::warehouse::schema::col;

/// The three method tables.
pub struct MethodTables {
    pub summary: DataFrame,
    pub tests: DataFrame,
    pub pairwise: DataFrame,
}

/// Pairs with both scores, grouped by level.
struct Pairs {
    levels: Vec<String>,
    /// Per pair: level index, class index, pre, post.
    level: Vec<usize>,
    class: Vec<usize>,
    pre: Vec<f64>,
    post: Vec<f64>,
    /// Pair indices of each level, grouped once.
    by_level: Vec<Vec<usize>>,
}

fn pairs(df: &DataFrame, table: &str) -> Result<Pairs, IndicatorError> {
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
    let classes = group_by(rows.len(), |k| class[rows[k]]);
    let mut class_idx = vec![0usize; rows.len()];
    for (ci, members) in classes.values().enumerate() {
        for &k in members {
            class_idx[k] = ci;
        }
    }
    let index: BTreeMap<&str, usize> = levels.iter().enumerate().map(|(i, l)| (l.as_str(), i)).collect();
    let level: Vec<usize> = rows.iter().map(|&i| method[i].and_then(|m| index.get(m).copied()).unwrap_or(0)).collect();
    let mut by_level = vec![Vec::new(); levels.len()];
    for (k, &l) in level.iter().enumerate() {
        by_level[l].push(k);
    }
    Ok(Pairs {
        level,
        class: class_idx,
        pre: rows.iter().map(|&i| pre[i].unwrap_or(f64::NAN)).collect(),
        post: rows.iter().map(|&i| post[i].unwrap_or(f64::NAN)).collect(),
        by_level,
        levels,
    })
}

/// The withheld method rows of `learning_by_method`, by method (see
/// [`super::learning::LearningTables::method_status`]).
pub type MethodStatus = BTreeMap<String, Option<Suppression>>;

/// All three tables from a frame of pairs. `withheld` names the method rows the
/// learning tables withhold (a method absent from it is judged by its own n).
pub fn method_tables(df: &DataFrame, withheld: &MethodStatus, ctx: &Ctx) -> Result<MethodTables, IndicatorError> {
    let p = pairs(df, "method_summary")?;
    let gains: Vec<Vec<f64>> =
        p.by_level.iter().map(|rows| rows.iter().map(|&i| p.post[i] - p.pre[i]).collect()).collect();
    let model = ancova(&p).map_err(serr("method_tests"))?;
    Ok(MethodTables {
        summary: summary(&p, &gains, withheld, ctx)?,
        tests: tests(&p, &gains, model.as_ref(), ctx)?,
        pairwise: pairwise(&p, &gains, model.as_ref(), withheld, ctx)?,
    })
}

/// The suppression of each level's summary row: the learning tables' decision, else
/// primary below `min_cell` pairs.
fn level_status(p: &Pairs, gains: &[Vec<f64>], withheld: &MethodStatus, ctx: &Ctx) -> Vec<Option<Suppression>> {
    p.levels
        .iter()
        .zip(gains)
        .map(|(m, g)| match withheld.get(m) {
            Some(s) => *s,
            None => primary(&[Some(g.len() as i64)], ctx.min_cell)[0],
        })
        .collect()
}

fn summary(p: &Pairs, gains: &[Vec<f64>], withheld: &MethodStatus, ctx: &Ctx) -> Result<DataFrame, IndicatorError> {
    const T: &str = "method_summary";
    let mut rows = Vec::new();
    for (members, g) in p.by_level.iter().zip(gains) {
        let mut cls: Vec<usize> = members.iter().map(|&i| p.class[i]).collect();
        cls.sort_unstable();
        cls.dedup();
        rows.push((cls.len() as i64, stats::describe(g, ctx.alpha).map_err(serr(T))?));
    }
    let n: Vec<Option<i64>> = rows.iter().map(|r| Some(r.1.n as i64)).collect();
    let df = Out::new(rows.len())
        .str(col::METHOD, p.levels.iter().map(|m| Some(m.as_str())))
        .int(col::N_CLASSES, rows.iter().map(|r| Some(r.0)))
        .int(col::N_TRAINEES, n.clone())
        .f64(col::MEAN_GAIN, rows.iter().map(|r| r.1.mean))
        .f64(col::SD_GAIN, rows.iter().map(|r| r.1.sd))
        .f64(col::CI_LOW, rows.iter().map(|r| r.1.ci_low))
        .f64(col::CI_HIGH, rows.iter().map(|r| r.1.ci_high))
        .finish(T)?;
    suppress(df, &level_status(p, gains, withheld, ctx), &[col::METHOD], T)
}

/// The ANCOVA post ~ 1 + method dummies + pre, CR1 by class. `None` when it cannot be
/// fitted (fewer than 2 levels or 2 classes, collinear design).
fn ancova(p: &Pairs) -> Result<Option<ClusterOls>, StatsError> {
    let k = p.levels.len();
    if k < 2 {
        return Ok(None);
    }
    // Columns: intercept, dummies of levels 1..k, pre; the rows end to end in one buffer.
    let mut design = vec![0.0; p.level.len() * (k + 1)];
    for (row, (&level, &pre)) in design.chunks_exact_mut(k + 1).zip(p.level.iter().zip(&p.pre)) {
        row[0] = 1.0;
        if level > 0 {
            row[level] = 1.0;
        }
        row[k] = pre;
    }
    // Handed over, not copied (10⁶ rows × k + 1 columns at 10⁶ cadres).
    match ClusterOls::fit_flat(design, k + 1, p.post.clone(), &p.class, ClusterCovariance::Cr1) {
        Ok(m) => Ok(Some(m)),
        Err(StatsError::NotEnoughData { .. } | StatsError::SingularDesign { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

fn tests(p: &Pairs, gains: &[Vec<f64>], model: Option<&ClusterOls>, ctx: &Ctx) -> Result<DataFrame, IndicatorError> {
    const T: &str = "method_tests";
    let n_all = Some(p.level.len() as i64);
    // (test, statistic, df1, df2, p, effect, n)
    type Row = (&'static str, Option<f64>, Option<f64>, Option<f64>, Option<f64>, Option<f64>, Option<i64>);
    let mut rows: Vec<Row> = Vec::new();
    let a = stats::one_way_anova(gains);
    rows.push((
        "anova",
        a.as_ref().and_then(|a| a.f),
        a.as_ref().map(|a| a.df1),
        a.as_ref().map(|a| a.df2),
        a.as_ref().and_then(|a| a.p),
        a.as_ref().and_then(|a| a.eta_sq),
        n_all,
    ));
    let w = stats::welch_anova(gains);
    rows.push((
        "welch_anova",
        w.as_ref().and_then(|w| w.f),
        w.as_ref().map(|w| w.df1),
        w.as_ref().and_then(|w| w.df2),
        w.as_ref().and_then(|w| w.p),
        None,
        n_all,
    ));
    let kw = stats::kruskal_wallis(gains);
    rows.push((
        "kruskal",
        kw.as_ref().and_then(|k| k.h),
        kw.as_ref().map(|k| k.df),
        None,
        kw.as_ref().and_then(|k| k.p),
        None,
        n_all,
    ));
    let dummies: Vec<usize> = (1..p.levels.len()).collect();
    let wald = match model {
        Some(m) => m.wald_coefs(&dummies).map_err(serr(T))?,
        None => None,
    };
    rows.push((
        "ancova",
        wald.map(|w| w.f),
        wald.map(|w| w.df1),
        wald.map(|w| w.df2),
        wald.map(|w| w.p),
        None,
        Some(model.map_or(p.level.len(), |m| m.n()) as i64),
    ));
    let n: Vec<Option<i64>> = rows.iter().map(|r| r.6).collect();
    let df = Out::new(rows.len())
        .str(col::TEST, rows.iter().map(|r| Some(r.0)))
        .f64(col::STATISTIC, rows.iter().map(|r| r.1))
        .f64(col::DF1, rows.iter().map(|r| r.2))
        .f64(col::DF2, rows.iter().map(|r| r.3))
        .f64(col::P_VALUE, rows.iter().map(|r| r.4))
        .f64(col::EFFECT, rows.iter().map(|r| r.5))
        .int(col::N, n.clone())
        .finish(T)?;
    suppress(df, &primary(&n, ctx.min_cell), &[col::TEST], T)
}

fn pairwise(
    p: &Pairs,
    gains: &[Vec<f64>],
    model: Option<&ClusterOls>,
    withheld: &MethodStatus,
    ctx: &Ctx,
) -> Result<DataFrame, IndicatorError> {
    const T: &str = "method_pairwise";
    let k = p.levels.len();
    // Level j ≥ 1 has its dummy in column j.
    let dummies: Vec<usize> = (1..k).collect();
    let contrasts = match model {
        Some(m) => m.pairwise_levels(&dummies, ctx.alpha).map_err(serr(T))?,
        None => {
            // Not estimable: the rows are still listed, with null statistics.
            let mut v = Vec::new();
            for b in 0..k {
                for a in b + 1..k {
                    v.push(stats::PairwiseContrast { level_a: a, level_b: b, test: None, p_holm: None, p_bh: None });
                }
            }
            v
        }
    };
    let name = |l: usize| Some(p.levels[l].as_str());
    // A contrast is withheld with either of its methods' rows.
    let levels = level_status(p, gains, withheld, ctx);
    let status: Vec<Option<Suppression>> = contrasts
        .iter()
        .map(|c| match (levels[c.level_a], levels[c.level_b]) {
            (Some(Suppression::Primary), _) | (_, Some(Suppression::Primary)) => Some(Suppression::Primary),
            (a, b) => a.or(b),
        })
        .collect();
    let df = Out::new(contrasts.len())
        .str(col::METHOD_A, contrasts.iter().map(|c| name(c.level_a)))
        .str(col::METHOD_B, contrasts.iter().map(|c| name(c.level_b)))
        .f64(col::DIFF, contrasts.iter().map(|c| c.test.map(|t| t.estimate)))
        .f64(col::SE, contrasts.iter().map(|c| c.test.map(|t| t.se)))
        .f64(col::T, contrasts.iter().map(|c| c.test.map(|t| t.t)))
        .f64(col::P_RAW, contrasts.iter().map(|c| c.test.map(|t| t.p)))
        .f64(col::P_HOLM, contrasts.iter().map(|c| c.p_holm))
        .f64(col::P_BH, contrasts.iter().map(|c| c.p_bh))
        .finish(T)?;
    suppress(df, &status, &[col::METHOD_A, col::METHOD_B], T)
}
