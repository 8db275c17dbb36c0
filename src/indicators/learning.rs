//! L2 learning: pre/post outcome-scale scores per class, cadre category and method.
//!
//! In: `trainee_outcomes` (pre_score, post_score per enrollment) and `classes`.
//! Out: `learning_by_class` (SPEC App. B), `learning_by_category`, `learning_by_method`
//! and `learning_by_year` (the same columns with the key changed; the year row is the
//! headline figure), suppressed together (see [`learning_tables`]).
//! Conventions (App. C.5, C.6, C.8): pairs = the outcome scale scored at pre and post in
//! the same class; differences are post − pre; every class gets a row even with no
//! pair; `share_improved` counts differences > 0 after rounding to 9 decimals; every
//! statistic comes from [`crate::stats`] (paired t and effect sizes with the d_z
//! interval by the noncentral t, Wilcoxon, Hake).
//!
//! A class row ([`learning_stats`]) treats its trainees as independent, which they are
//! within the class; `p_bh` adjusts its p over the published classes (many classes are
//! tested at once). A pooled row ([`pooled_learning_stats`]: by category, method, year)
//! spans classes whose trainees share teachers and peers, so its inference is clustered
//! by class (CR2 standard error, Satterthwaite df), it reports the classes' intraclass
//! correlation and design effect, and it publishes no test that assumes independence.

use polars::prelude::*;
use rayon::prelude::*;

use std::collections::{BTreeMap, BTreeSet};

use super::engine::{f64s, group_by, index_by, optional_i64s, pick, serr, strs, Out};
use super::suppress::{suppress, Disclosure, Suppression};
use super::{method_order, Params};
use crate::error::IndicatorError;
use crate::schema::col;
use crate::stats::{self, StatsError};

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
    /// Interval of d_z by the noncentral t (as R's MBESS / effectsize).
    pub d_z_ci_low: Option<f64>,
    pub d_z_ci_high: Option<f64>,
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
    let dz = match pt.test {
        Some(t) => stats::dz_interval(t.t, pt.n, alpha)?,
        None => None,
    };
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
        d_z_ci_low: dz.map(|d| d.d_low),
        d_z_ci_high: dz.map(|d| d.d_high),
    })
}

/// The statistics of a pooled row (several classes): the learning statistics of all its
/// pairs, with the inference clustered by class, and how far the classes differ.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PooledStats {
    /// As [`learning_stats`], but t, df, p and the interval of the mean difference are
    /// those of the CR2 clustered mean (Satterthwaite df); the signed-rank test and the
    /// d_z interval, which assume independent trainees, are null.
    pub stats: LearningStats,
    /// Classes with at least one pair.
    pub n_classes: usize,
    /// Intraclass correlation of the differences (one-way ANOVA estimator).
    pub icc: Option<f64>,
    /// `1 + (m̄ − 1)·icc`, m̄ the mean pairs per class.
    pub design_effect: Option<f64>,
}

/// Learning statistics of paired scores pooled over classes (`class[i]` any id of pair
/// i's class); pairs with a missing side are dropped.
pub fn pooled_learning_stats(
    pre: &[f64],
    post: &[f64],
    class: &[usize],
    alpha: f64,
) -> Result<PooledStats, StatsError> {
    let mut stats = learning_stats(pre, post, alpha)?;
    let (diffs, clusters): (Vec<f64>, Vec<usize>) = pre
        .iter()
        .zip(post)
        .zip(class)
        .filter(|((a, b), _)| a.is_finite() && b.is_finite())
        .map(|((a, b), &c)| (b - a, c))
        .unzip();
    let m = stats::clustered_mean(&diffs, &clusters, alpha)?;
    let test = m.test;
    stats.t = test.map(|t| t.t);
    stats.df = test.map(|t| t.df);
    stats.p_value = test.map(|t| t.p);
    stats.ci_low = test.map(|t| t.ci_low);
    stats.ci_high = test.map(|t| t.ci_high);
    stats.wilcoxon_v = None;
    stats.wilcoxon_p = None;
    stats.d_z_ci_low = None;
    stats.d_z_ci_high = None;
    let mean_size = (m.n_clusters > 0).then(|| m.n as f64 / m.n_clusters as f64);
    let design_effect = mean_size.zip(m.icc).and_then(|(size, icc)| stats::design_effect(size, icc));
    Ok(PooledStats { stats, n_classes: m.n_clusters, icc: m.icc, design_effect })
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
        .f64(col::D_Z_CI_LOW, f(|r| r.d_z_ci_low))
        .f64(col::D_Z_CI_HIGH, f(|r| r.d_z_ci_high))
}

/// The columns a pooled table adds after the statistics.
fn pooled_columns(out: Out, rows: &[PooledStats]) -> Out {
    out.int(col::N_CLASSES, rows.iter().map(|r| Some(r.n_classes as i64)))
        .f64(col::ICC, rows.iter().map(|r| r.icc))
        .f64(col::DESIGN_EFFECT, rows.iter().map(|r| r.design_effect))
}

/// Statistics of every group (in parallel), given the rows of each.
fn compute(
    groups: &[&[usize]],
    pre: &[Option<f64>],
    post: &[Option<f64>],
    ctx: &Params,
    table: &str,
) -> Result<Vec<LearningStats>, IndicatorError> {
    groups
        .par_iter()
        .map(|idx| learning_stats(&pick(pre, idx), &pick(post, idx), ctx.alpha).map_err(serr(table)))
        .collect()
}

/// Pooled statistics of every group (in parallel); `class_of` numbers each outcome
/// row's class (the cluster).
fn compute_pooled(
    groups: &[&[usize]],
    pre: &[Option<f64>],
    post: &[Option<f64>],
    class_of: &[Option<usize>],
    ctx: &Params,
    table: &str,
) -> Result<Vec<PooledStats>, IndicatorError> {
    groups
        .par_iter()
        .map(|idx| {
            // Rows of a class outside `classes` form one cluster of their own.
            let class: Vec<usize> = idx.iter().map(|&r| class_of[r].unwrap_or(usize::MAX)).collect();
            pooled_learning_stats(&pick(pre, idx), &pick(post, idx), &class, ctx.alpha).map_err(serr(table))
        })
        .collect()
}

/// `learning_by_class` from its rows: the statistics, then `p_bh` over the published
/// classes (a withheld class's p is not published, so it is not adjusted for either).
fn finish_classes(
    out: Out,
    rows: &[LearningStats],
    status: &[Option<Suppression>],
    keys: &[&str],
    table: &str,
) -> Result<DataFrame, IndicatorError> {
    let p: Vec<f64> = rows
        .iter()
        .zip(status)
        .map(|(r, s)| if s.is_none() { r.p_value.unwrap_or(f64::NAN) } else { f64::NAN })
        .collect();
    let adjusted = stats::benjamini_hochberg(&p);
    let df = stat_columns(out, rows)
        .f64(col::P_BH, adjusted.into_iter().map(|x| x.is_finite().then_some(x)))
        .finish(table)?;
    suppress(df, status, keys, table)
}

/// A pooled table from its rows.
fn finish_pooled(
    out: Out,
    rows: &[PooledStats],
    status: &[Option<Suppression>],
    keys: &[&str],
    table: &str,
) -> Result<DataFrame, IndicatorError> {
    let stats: Vec<LearningStats> = rows.iter().map(|r| r.stats.clone()).collect();
    let df = pooled_columns(stat_columns(out, &stats), rows).finish(table)?;
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
pub fn learning_tables(
    outcomes: &DataFrame,
    classes: &DataFrame,
    ctx: &Params,
) -> Result<LearningTables, IndicatorError> {
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
    let cat_stats = compute_pooled(&categories.rows, &pre, &post, &class_of, ctx, "learning_by_category")?;
    let meth_stats = compute_pooled(&methods.rows, &pre, &post, &class_of, ctx, "learning_by_method")?;
    let year_stats = compute_pooled(&years.rows, &pre, &post, &class_of, ctx, "learning_by_year")?;

    let counts = |rows: &[LearningStats]| rows.iter().map(|r| Some(r.n_pairs as i64)).collect::<Vec<_>>();
    let pooled_counts = |rows: &[PooledStats]| rows.iter().map(|r| Some(r.stats.n_pairs as i64)).collect::<Vec<_>>();
    let mut d = Disclosure::new(ctx.min_cell);
    let first_class = d.cells(&counts(&class_stats));
    let first_cat = d.cells(&pooled_counts(&cat_stats));
    let first_meth = d.cells(&pooled_counts(&meth_stats));
    let first_year = d.cells(&pooled_counts(&year_stats));
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
    let by_class = finish_classes(out, &class_stats, class_status, &keys, T)?;
    let out = Out::new(categories.keys.len()).str(col::CATEGORY, categories.keys.iter().map(|k| Some(*k)));
    let by_category = finish_pooled(out, &cat_stats, cat_status, &[col::CATEGORY], "learning_by_category")?;
    let out = Out::new(method_names.len()).str(col::METHOD, method_names.iter().map(|m| Some(m.as_str())));
    let by_method = finish_pooled(out, &meth_stats, meth_status, &[col::METHOD], "learning_by_method")?;
    let out = Out::new(years.keys.len()).int(col::YEAR, years.keys.iter().map(|y| Some(*y)));
    let by_year = finish_pooled(out, &year_stats, year_status, &[col::YEAR], "learning_by_year")?;
    let method_status = method_names.iter().cloned().zip(meth_status.iter().copied()).collect();
    Ok(LearningTables { by_class, by_category, by_method, by_year, method_status })
}

/// `learning_by_class` alone (the same rows as in [`learning_tables`]).
pub fn learning_by_class(outcomes: &DataFrame, classes: &DataFrame, ctx: &Params) -> Result<DataFrame, IndicatorError> {
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

/// The reporting period as a year (0 when it is not one): the year of outcome rows
/// that carry none.
fn period_year(ctx: &Params) -> i64 {
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
        let ctx = Params::new(&settings, "2025");
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
