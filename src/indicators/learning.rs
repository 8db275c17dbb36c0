//! L2 learning: pre/post outcome-scale scores per class, cadre category and method.
//!
//! In: `trainee_outcomes` (pre_score, post_score per enrollment) and `classes`.
//! Out: `learning_by_class` (SPEC App. B), `learning_by_category`, `learning_by_method`
//! and `learning_by_year` (the same columns with the key changed; the year row is the
//! headline figure), suppressed together (see [`learning_tables`]).
//! Conventions (App. C.5, C.6, C.8): pairs = the outcome scale scored at pre and post in
//! the same class; differences are post − pre; every class gets a row even with no
//! pair; `share_improved` counts differences > 0 after rounding to 9 decimals; every
//! statistic comes from [`crate::stats`] (paired t and effect sizes, Wilcoxon, Hake).

use polars::prelude::*;
use rayon::prelude::*;

use std::collections::{BTreeMap, BTreeSet};

use super::frame::{f64s, group_by, i64s, index_by, pick, serr, strs, Out};
use super::suppress::{suppress, Disclosure, Suppression};
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
    status: &[Option<Suppression>],
    keys: &[&str],
    table: &str,
) -> Result<DataFrame, IndicatorError> {
    let df = stat_columns(out, rows).finish(table)?;
    suppress(df, status, keys, table)
}

/// The learning tables, whose suppression is decided together: each pooled row is a
/// margin of the class rows (and the year row also of the method and category rows), so
/// a class withheld for its size is never the only one withheld in a published margin.
pub struct LearningTables {
    pub by_class: DataFrame,
    pub by_category: DataFrame,
    pub by_method: DataFrame,
    pub by_year: DataFrame,
    /// The suppression of each method's pooled row, by method name: `method_summary`
    /// publishes the same margin and must withhold the same rows.
    pub method_status: BTreeMap<String, Option<Suppression>>,
}

/// The rows of one pooled table: its keys in order and the outcome rows of each.
struct Pooled<'a, K> {
    keys: Vec<K>,
    rows: Vec<&'a [usize]>,
}

impl<'a, K: Ord + Clone> Pooled<'a, K> {
    fn new(groups: &'a BTreeMap<K, Vec<usize>>, keys: Vec<K>, empty: &'a [usize]) -> Self {
        let rows = keys.iter().map(|k| groups.get(k).map_or(empty, Vec::as_slice)).collect();
        Pooled { keys, rows }
    }

    /// Each key's member classes: those with an outcome row in the group.
    fn members(&self, class_of: &[Option<usize>], first_class: usize) -> Vec<Vec<usize>> {
        self.rows
            .iter()
            .map(|rows| {
                let set: BTreeSet<usize> = rows.iter().filter_map(|&r| class_of[r]).collect();
                set.into_iter().map(|c| first_class + c).collect()
            })
            .collect()
    }
}

/// Every learning table from `trainee_outcomes` and `classes`.
pub fn learning_tables(outcomes: &DataFrame, classes: &DataFrame, ctx: &Ctx) -> Result<LearningTables, IndicatorError> {
    const T: &str = "learning_by_class";
    let (o_class, pre, post) =
        (strs(outcomes, col::CLASS_ID, T)?, f64s(outcomes, col::PRE_SCORE, T)?, f64s(outcomes, col::POST_SCORE, T)?);
    let (c_class, c_method, c_target) =
        (strs(classes, col::CLASS_ID, T)?, strs(classes, col::METHOD, T)?, strs(classes, col::TARGET_CATEGORY, T)?);
    let mut order: Vec<usize> = (0..classes.height()).collect();
    order.sort_by_key(|&i| c_class[i]);
    let by_class = index_by(outcomes.height(), |i| o_class[i]);
    // The place of each outcome row's class in `order`.
    let place: rustc_hash::FxHashMap<&str, usize> =
        order.iter().enumerate().filter_map(|(k, &i)| Some((c_class[i]?, k))).collect();
    let class_of: Vec<Option<usize>> = o_class.iter().map(|c| c.and_then(|c| place.get(c).copied())).collect();
    let empty: Vec<usize> = Vec::new();
    let class_rows: Vec<&[usize]> =
        order.iter().map(|&i| c_class[i].and_then(|k| by_class.get(k)).unwrap_or(&empty).as_slice()).collect();

    let cat = optional_strs(outcomes, col::CATEGORY, T)?;
    let meth = optional_strs(outcomes, col::METHOD, T)?;
    let year = optional_i64s(outcomes, col::YEAR, T)?;
    let cat_groups = group_by(outcomes.height(), |i| cat[i]);
    let meth_groups = group_by(outcomes.height(), |i| meth[i]);
    let year_groups = group_by(outcomes.height(), |i| Some(year[i].unwrap_or_else(|| period_year(ctx))));
    // Methods named only by classes without outcome rows still get their (empty) row.
    let method_names = method_order(c_method.iter().flatten().copied().chain(meth_groups.keys().copied()));
    let categories = Pooled::new(&cat_groups, cat_groups.keys().copied().collect(), &empty);
    let methods = Pooled::new(&meth_groups, method_names.iter().map(String::as_str).collect(), &empty);
    let years = Pooled::new(&year_groups, year_groups.keys().copied().collect(), &empty);

    let class_stats = compute(&class_rows, &pre, &post, ctx, T)?;
    let cat_stats = compute(&categories.rows, &pre, &post, ctx, "learning_by_category")?;
    let meth_stats = compute(&methods.rows, &pre, &post, ctx, "learning_by_method")?;
    let year_stats = compute(&years.rows, &pre, &post, ctx, "learning_by_year")?;

    let counts = |rows: &[LearningStats]| rows.iter().map(|r| Some(r.n_pairs as i64)).collect::<Vec<_>>();
    let mut d = Disclosure::new(ctx.min_cell);
    let first_class = d.cells(&counts(&class_stats));
    let first_cat = d.cells(&counts(&cat_stats));
    let first_meth = d.cells(&counts(&meth_stats));
    let first_year = d.cells(&counts(&year_stats));
    for (k, m) in categories.members(&class_of, first_class).into_iter().enumerate() {
        d.margin(first_cat + k, m);
    }
    for (k, m) in methods.members(&class_of, first_class).into_iter().enumerate() {
        d.margin(first_meth + k, m);
    }
    for (k, m) in years.members(&class_of, first_class).into_iter().enumerate() {
        d.margin(first_year + k, m);
    }
    // With one year the year row is also the total of the method and of the category
    // rows (with several, those rows pool over the years and are not its members).
    if years.keys.len() == 1 {
        d.margin(first_year, (first_cat..first_cat + categories.keys.len()).collect());
        d.margin(first_year, (first_meth..first_meth + methods.keys.len()).collect());
    }
    let status = d.protect();
    let (class_status, rest) = status.split_at(first_cat - first_class);
    let (cat_status, rest) = rest.split_at(first_meth - first_cat);
    let (meth_status, year_status) = rest.split_at(first_year - first_meth);

    let out = Out::new(order.len())
        .str(col::CLASS_ID, order.iter().map(|&i| c_class[i]))
        .str(col::METHOD, order.iter().map(|&i| c_method[i]))
        .str(col::TARGET_CATEGORY, order.iter().map(|&i| c_target[i]));
    let keys = [col::CLASS_ID, col::METHOD, col::TARGET_CATEGORY];
    let by_class = finish(out, &class_stats, class_status, &keys, T)?;
    let out = Out::new(categories.keys.len()).str(col::CATEGORY, categories.keys.iter().map(|k| Some(*k)));
    let by_category = finish(out, &cat_stats, cat_status, &[col::CATEGORY], "learning_by_category")?;
    let out = Out::new(method_names.len()).str(col::METHOD, method_names.iter().map(|m| Some(m.as_str())));
    let by_method = finish(out, &meth_stats, meth_status, &[col::METHOD], "learning_by_method")?;
    let out = Out::new(years.keys.len()).int(col::YEAR, years.keys.iter().map(|y| Some(*y)));
    let by_year = finish(out, &year_stats, year_status, &[col::YEAR], "learning_by_year")?;
    let method_status = method_names.iter().cloned().zip(meth_status.iter().copied()).collect();
    Ok(LearningTables { by_class, by_category, by_method, by_year, method_status })
}

/// `learning_by_class` alone (the same rows as in [`learning_tables`]).
pub fn learning_by_class(outcomes: &DataFrame, classes: &DataFrame, ctx: &Ctx) -> Result<DataFrame, IndicatorError> {
    Ok(learning_tables(outcomes, classes, ctx)?.by_class)
}

/// A text column that may be absent (all null then).
fn optional_strs<'a>(df: &'a DataFrame, name: &str, table: &str) -> Result<Vec<Option<&'a str>>, IndicatorError> {
    if df.column(name).is_ok() {
        strs(df, name, table)
    } else {
        Ok(vec![None; df.height()])
    }
}

/// An integer column that may be absent (all null then).
fn optional_i64s(df: &DataFrame, name: &str, table: &str) -> Result<Vec<Option<i64>>, IndicatorError> {
    if df.column(name).is_ok() {
        i64s(df, name, table)
    } else {
        Ok(vec![None; df.height()])
    }
}

/// The reporting period as a year (0 when it is not one): the year of outcome rows
/// that carry none.
fn period_year(ctx: &Ctx) -> i64 {
    ctx.period.trim().parse().unwrap_or(0)
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
        // B has no pair: withheld, its count too.
        assert_eq!(n, vec![Some(2), None]);
        let share: Vec<Option<f64>> = d.column("share_improved").unwrap().f64().unwrap().iter().collect();
        assert_eq!(share, vec![Some(0.5), None]);
        // A: differences 30 and 0 → one non-zero difference: no Wilcoxon p.
        let wp: Vec<Option<f64>> = d.column("wilcoxon_p").unwrap().f64().unwrap().iter().collect();
        assert_eq!(wp, vec![None, None]);
        let hake: Vec<Option<f64>> = d.column("hake_g").unwrap().f64().unwrap().iter().collect();
        assert_eq!(hake[0], Some((60.0 - 45.0) / (100.0 - 45.0)));
        let m = learning_tables(&outcomes, &classes, &ctx).unwrap().by_method;
        let levels: Vec<Option<&str>> = m.column("method").unwrap().str().unwrap().iter().collect();
        assert_eq!(levels, vec![Some("case"), Some("online")]);
    }
}
