//! L2 learning: pre/post outcome-scale scores per class, cadre category and method.
//!
//! In: `trainee_outcomes` (pre_score, post_score per enrollment) and `classes`.
//! Out: `learning_by_class` (SPEC App. B), `learning_by_category`, `learning_by_method`
//! (the same columns with the key changed).
//! Conventions (App. C.5, C.6, C.8): pairs = the outcome scale scored at pre and post in
//! the same class; differences are post − pre; every class gets a row even with no
//! pair; `share_improved` counts differences > 0 after rounding to 9 decimals; every
//! statistic comes from [`crate::stats`] (paired t and effect sizes, Wilcoxon, Hake).

use polars::prelude::*;
use rayon::prelude::*;

use super::frame::{f64s, group_by, index_by, pick, serr, strs, Out};
use super::suppress::{below, suppress};
use super::{method_order, Ctx};
use crate::error::IndicatorError;
use crate::stats::{self, StatsError};
use crate::warehouse::schema::col;

/// Scale maximum of the 0–100 scores (Hake's gain).
const SCORE_MAX: f64 = 100.0;

/// The statistics of one learning row.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LearningStats {
    pub n_pairs: usize,
    pub pre_mean: Option<f64>,
    pub post_mean: Option<f64>,
    pub mean_diff: Option<f64>,
    pub sd_diff: Option<f64>,
    pub t: Option<f64>,
    pub df: Option<f64>,
    pub p_value: Option<f64>,
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
    pub d_z: Option<f64>,
    pub g_z: Option<f64>,
    pub d_av: Option<f64>,
    pub wilcoxon_v: Option<f64>,
    pub wilcoxon_p: Option<f64>,
    pub hake_g: Option<f64>,
    pub mean_individual_gain: Option<f64>,
    pub share_improved: Option<f64>,
}

/// Learning statistics of paired scores (pairs with a missing side are dropped).
pub fn learning_stats(pre: &[f64], post: &[f64], alpha: f64) -> Result<LearningStats, StatsError> {
    let pt = stats::paired_t(pre, post, alpha)?;
    let w = stats::wilcoxon_paired(pre, post)?;
    let h = stats::hake_gains(pre, post, SCORE_MAX)?;
    let diffs: Vec<f64> = pre
        .iter()
        .zip(post)
        .filter(|(a, b)| a.is_finite() && b.is_finite())
        .map(|(a, b)| stats::round_for_ties(b - a))
        .collect();
    let share_improved =
        (!diffs.is_empty()).then(|| diffs.iter().filter(|d| **d > 0.0).count() as f64 / diffs.len() as f64);
    Ok(LearningStats {
        n_pairs: pt.n,
        pre_mean: pt.mean_pre,
        post_mean: pt.mean_post,
        mean_diff: pt.mean_diff,
        sd_diff: pt.sd_diff,
        t: pt.test.map(|t| t.t),
        df: pt.test.map(|t| t.df),
        p_value: pt.test.map(|t| t.p),
        ci_low: pt.test.map(|t| t.ci_low),
        ci_high: pt.test.map(|t| t.ci_high),
        d_z: pt.d_z,
        g_z: pt.g_z,
        d_av: pt.d_av,
        wilcoxon_v: w.v,
        wilcoxon_p: w.p,
        hake_g: h.class_gain,
        mean_individual_gain: h.mean_individual_gain,
        share_improved,
    })
}

/// The statistic columns of a learning table, after its keys.
fn stat_columns(out: Out, rows: &[LearningStats]) -> Out {
    let f = |g: fn(&LearningStats) -> Option<f64>| rows.iter().map(g).collect::<Vec<_>>();
    out.int(col::N_PAIRS, rows.iter().map(|r| Some(r.n_pairs as i64)))
        .f64(col::PRE_MEAN, f(|r| r.pre_mean))
        .f64(col::POST_MEAN, f(|r| r.post_mean))
        .f64(col::MEAN_DIFF, f(|r| r.mean_diff))
        .f64(col::SD_DIFF, f(|r| r.sd_diff))
        .f64(col::T, f(|r| r.t))
        .f64(col::DF, f(|r| r.df))
        .f64(col::P_VALUE, f(|r| r.p_value))
        .f64(col::CI_LOW, f(|r| r.ci_low))
        .f64(col::CI_HIGH, f(|r| r.ci_high))
        .f64(col::D_Z, f(|r| r.d_z))
        .f64(col::G_Z, f(|r| r.g_z))
        .f64(col::D_AV, f(|r| r.d_av))
        .f64(col::WILCOXON_V, f(|r| r.wilcoxon_v))
        .f64(col::WILCOXON_P, f(|r| r.wilcoxon_p))
        .f64(col::HAKE_G, f(|r| r.hake_g))
        .f64(col::MEAN_INDIVIDUAL_GAIN, f(|r| r.mean_individual_gain))
        .f64(col::SHARE_IMPROVED, f(|r| r.share_improved))
}

/// Statistics of every group (in parallel), given the rows of each.
fn compute(
    groups: &[&[usize]],
    pre: &[Option<f64>],
    post: &[Option<f64>],
    ctx: &Ctx,
    table: &str,
) -> Result<Vec<LearningStats>, IndicatorError> {
    groups
        .par_iter()
        .map(|idx| learning_stats(&pick(pre, idx), &pick(post, idx), ctx.alpha).map_err(serr(table)))
        .collect()
}

fn finish(
    out: Out,
    rows: &[LearningStats],
    keys: &[&str],
    ctx: &Ctx,
    table: &str,
) -> Result<DataFrame, IndicatorError> {
    let df = stat_columns(out, rows).finish(table)?;
    let small = below(&rows.iter().map(|r| Some(r.n_pairs as i64)).collect::<Vec<_>>(), ctx.min_cell);
    let mut keep = keys.to_vec();
    keep.push(col::N_PAIRS);
    suppress(df, &small, &keep, table)
}

/// `learning_by_class`: one row per class of `classes`, sorted by class_id.
pub fn learning_by_class(outcomes: &DataFrame, classes: &DataFrame, ctx: &Ctx) -> Result<DataFrame, IndicatorError> {
    const T: &str = "learning_by_class";
    let (o_class, pre, post) =
        (strs(outcomes, col::CLASS_ID, T)?, f64s(outcomes, col::PRE_SCORE, T)?, f64s(outcomes, col::POST_SCORE, T)?);
    let by_class = index_by(outcomes.height(), |i| o_class[i]);
    let (c_class, c_method, c_target) =
        (strs(classes, col::CLASS_ID, T)?, strs(classes, col::METHOD, T)?, strs(classes, col::TARGET_CATEGORY, T)?);
    let mut order: Vec<usize> = (0..classes.height()).collect();
    order.sort_by_key(|&i| c_class[i]);
    let empty: Vec<usize> = Vec::new();
    let groups: Vec<&[usize]> =
        order.iter().map(|&i| c_class[i].and_then(|k| by_class.get(k)).unwrap_or(&empty).as_slice()).collect();
    let rows = compute(&groups, &pre, &post, ctx, T)?;
    let out = Out::new(order.len())
        .str(col::CLASS_ID, order.iter().map(|&i| c_class[i]))
        .str(col::METHOD, order.iter().map(|&i| c_method[i]))
        .str(col::TARGET_CATEGORY, order.iter().map(|&i| c_target[i]));
    finish(out, &rows, &[col::CLASS_ID, col::METHOD, col::TARGET_CATEGORY], ctx, T)
}

/// `learning_by_category`: one row per cadre category among the trainees.
pub fn learning_by_category(outcomes: &DataFrame, ctx: &Ctx) -> Result<DataFrame, IndicatorError> {
    const T: &str = "learning_by_category";
    let (cat, pre, post) =
        (strs(outcomes, col::CATEGORY, T)?, f64s(outcomes, col::PRE_SCORE, T)?, f64s(outcomes, col::POST_SCORE, T)?);
    let groups = group_by(outcomes.height(), |i| cat[i]);
    let idx: Vec<&[usize]> = groups.values().map(Vec::as_slice).collect();
    let rows = compute(&idx, &pre, &post, ctx, T)?;
    let out = Out::new(groups.len()).str(col::CATEGORY, groups.keys().map(|k| Some(*k)));
    finish(out, &rows, &[col::CATEGORY], ctx, T)
}

/// `learning_by_method`: one row per main method of the classes (reference level
/// `centralized` first, then alphabetical), pairs pooled over the method's classes.
pub fn learning_by_method(outcomes: &DataFrame, classes: &DataFrame, ctx: &Ctx) -> Result<DataFrame, IndicatorError> {
    const T: &str = "learning_by_method";
    let (meth, pre, post) =
        (strs(outcomes, col::METHOD, T)?, f64s(outcomes, col::PRE_SCORE, T)?, f64s(outcomes, col::POST_SCORE, T)?);
    let groups = group_by(outcomes.height(), |i| meth[i]);
    let c_method = strs(classes, col::METHOD, T)?;
    let levels = method_order(c_method.iter().flatten().copied().chain(groups.keys().copied()));
    let empty: Vec<usize> = Vec::new();
    let idx: Vec<&[usize]> = levels.iter().map(|m| groups.get(m.as_str()).unwrap_or(&empty).as_slice()).collect();
    let rows = compute(&idx, &pre, &post, ctx, T)?;
    let out = Out::new(levels.len()).str(col::METHOD, levels.iter().map(|m| Some(m.as_str())));
    finish(out, &rows, &[col::METHOD], ctx, T)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::PipelineFile;

    #[test]
    fn every_class_has_a_row_and_pairs_need_both_scores() {
        let outcomes = df!(
            "class_id" => ["A", "A", "A", "B"],
            "category" => ["women"; 4],
            "method" => ["case", "case", "case", "online"],
            "pre_score" => [Some(40.0), Some(50.0), None, Some(60.0)],
            "post_score" => [Some(70.0), Some(50.0), Some(80.0), None]
        )
        .unwrap();
        let classes =
            df!("class_id" => ["B", "A"], "method" => ["online", "case"], "target_category" => ["women"; 2]).unwrap();
        let settings = PipelineFile {
            indicators: crate::config::IndicatorSettings { min_cell: 1, ..Default::default() },
            ..Default::default()
        };
        let ctx = Ctx::new(&settings, "2025");
        let d = learning_by_class(&outcomes, &classes, &ctx).unwrap();
        let ids: Vec<Option<&str>> = d.column("class_id").unwrap().str().unwrap().iter().collect();
        assert_eq!(ids, vec![Some("A"), Some("B")]);
        let n: Vec<Option<i64>> = d.column("n_pairs").unwrap().i64().unwrap().iter().collect();
        assert_eq!(n, vec![Some(2), Some(0)]);
        let share: Vec<Option<f64>> = d.column("share_improved").unwrap().f64().unwrap().iter().collect();
        assert_eq!(share, vec![Some(0.5), None]);
        // A: differences 30 and 0 → one non-zero difference: no Wilcoxon p.
        let wp: Vec<Option<f64>> = d.column("wilcoxon_p").unwrap().f64().unwrap().iter().collect();
        assert_eq!(wp, vec![None, None]);
        let hake: Vec<Option<f64>> = d.column("hake_g").unwrap().f64().unwrap().iter().collect();
        assert_eq!(hake[0], Some((60.0 - 45.0) / (100.0 - 45.0)));
        let m = learning_by_method(&outcomes, &classes, &ctx).unwrap();
        let levels: Vec<Option<&str>> = m.column("method").unwrap().str().unwrap().iter().collect();
        assert_eq!(levels, vec![Some("case"), Some("online")]);
    }
}
