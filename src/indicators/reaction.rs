//! L1 reaction: trainees' ratings of courses, and how far the raters agree.
//!
//! In: `course_ratings` (long: class, course, rater, indicator, score), `courses`,
//! `classes`, the configured indicators and their maximum.
//! Out: `reaction_by_course`, `rater_agreement` (SPEC App. B) and `reaction_by_class`.
//! Conventions (App. C.6, C.7, C.9, C.10):
//! - a rater's total for a course is the sum of the configured indicators, counted
//!   only when every indicator is scored (complete ratings); n_raters counts them and
//!   every mean, sd and interval is over them;
//! - share_excellent = share of totals ≥ 90 % of the maximum total (90 by default);
//! - ranks are SQL `RANK` descending on total_mean (ties at 9 decimals share the lowest
//!   rank), within the class and within the calendar year of the class start; a
//!   suppressed course is not ranked and not ranked against;
//! - rater agreement per class: targets = courses with ≥ 1 complete rating, raters =
//!   trainees who completed every such course (raters are dropped, not courses);
//!   ICC(1,1), ICC(2,k) on the totals; leniency_sd = sd (n − 1) of each rater's mean
//!   minus the class grand mean.

use std::collections::BTreeMap;

use polars::prelude::*;
use rayon::prelude::*;

use super::engine::{complete_ratings, group_by, i64s, serr, strs, LongTable, Out, Ratings};
use super::suppress::{primary, suppress, Disclosure, Suppression};
use super::Params;
use crate::error::IndicatorError;
use crate::schema::col;
use crate::stats::{self, Summary};

// ---------------------------------------------------------------------------------------
// The definition: what a rating is, and what a course's and a class's ratings give.
// ---------------------------------------------------------------------------------------

/// A rater's rating of a course, from each configured indicator's score (in
/// `instrument.course_indicators` order, `None` when unscored): the sum of the scores,
/// counted only when every indicator is scored (a complete rating).
pub fn course_rating(scores: &[Option<f64>]) -> Option<f64> {
    scores.iter().copied().sum()
}

/// The score kept when a rater scores one indicator of one course again: the larger
/// (a NaN is no score).
pub fn keep_max(kept: Option<f64>, new: Option<f64>) -> Option<f64> {
    match (kept, new.filter(|x| !x.is_nan())) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    }
}

/// One row of `course_ratings`.
#[derive(Debug, Clone, Copy)]
pub struct RatingRow<'a> {
    pub class: Option<&'a str>,
    pub course: Option<&'a str>,
    pub rater: Option<&'a str>,
    pub indicator: Option<&'a str>,
    pub score: Option<f64>,
}

/// The complete ratings of `rows` by the definition: per (class, course, rater) each of
/// `indicators`' scores ([`keep_max`] over repeats; rows of other indicators or without
/// a key count for nothing), kept when [`course_rating`] makes a rating of them; in
/// byte order of the keys, with the scores and the total.
pub fn complete_by_definition<'a>(
    rows: &[RatingRow<'a>],
    indicators: &[String],
) -> BTreeMap<(&'a str, &'a str, &'a str), (Vec<f64>, f64)> {
    let mut scores: BTreeMap<(&str, &str, &str), Vec<Option<f64>>> = BTreeMap::new();
    for r in rows {
        let (Some(class), Some(course), Some(rater), Some(ind)) = (r.class, r.course, r.rater, r.indicator) else {
            continue;
        };
        let Some(p) = indicators.iter().position(|n| n == ind) else { continue };
        let cell = &mut scores.entry((class, course, rater)).or_insert_with(|| vec![None; indicators.len()])[p];
        *cell = keep_max(*cell, r.score);
    }
    scores
        .into_iter()
        .filter_map(|(key, s)| {
            let total = course_rating(&s)?;
            Some((key, (s.into_iter().flatten().collect(), total)))
        })
        .collect()
}

/// The complete ratings of one class as columns sorted by (course, rater): course and
/// rater numbers (numbered in byte order of their ids within the class) and each
/// rating's total.
#[derive(Debug, Clone, Copy)]
pub struct ClassRows<'a> {
    pub course: &'a [u32],
    pub rater: &'a [u32],
    pub total: &'a [f64],
}

impl ClassRows<'_> {
    /// Distinct courses rated.
    pub fn n_courses(&self) -> usize {
        self.course.chunk_by(|a, b| a == b).count()
    }

    /// Each rater's totals in course order, raters in id order.
    pub fn by_rater(&self) -> Vec<Vec<f64>> {
        let mut order: Vec<usize> = (0..self.rater.len()).collect();
        // Stable: a rater's rows stay in course order.
        order.sort_by_key(|&i| self.rater[i]);
        order
            .chunk_by(|&a, &b| self.rater[a] == self.rater[b])
            .map(|run| run.iter().map(|&i| self.total[i]).collect())
            .collect()
    }
}

/// The statistics of one course's complete ratings.
#[derive(Debug, Clone)]
pub struct CourseStats {
    /// Raters with a complete rating.
    pub n: usize,
    /// Each indicator's mean over the complete ratings.
    pub means: Vec<Option<f64>>,
    pub total: Summary,
    pub excellent: Option<f64>,
}

/// A course's statistics from the totals of its complete ratings (in rater_id order)
/// and each of the `k` indicators' means over them (`None`: no complete rating).
pub fn course_stats(
    totals: &[f64],
    means: Option<&[Option<f64>]>,
    k: usize,
    threshold: f64,
    alpha: f64,
) -> Result<CourseStats, stats::StatsError> {
    Ok(CourseStats {
        n: totals.len(),
        means: means.map_or_else(|| vec![None; k], <[_]>::to_vec),
        total: stats::describe(totals, alpha)?,
        excellent: share_at_least(totals, threshold),
    })
}

/// A class's statistics: courses rated, raters, the summary of each rater's mean total
/// over their courses, and the share of excellent totals over all its ratings.
#[derive(Debug, Clone)]
pub struct ClassStats {
    pub n_courses: usize,
    pub n_raters: usize,
    pub rater_means: Summary,
    pub excellent: Option<f64>,
}

/// [`ClassStats`] of a class's complete ratings.
pub fn class_stats(rows: ClassRows<'_>, threshold: f64, alpha: f64) -> Result<ClassStats, stats::StatsError> {
    let rater_means: Vec<f64> = rows.by_rater().iter().filter_map(|t| stats::mean(t)).collect();
    Ok(ClassStats {
        n_courses: rows.n_courses(),
        n_raters: rater_means.len(),
        rater_means: stats::describe(&rater_means, alpha)?,
        excellent: share_at_least(rows.total, threshold),
    })
}

/// Where the tables take the complete ratings from: the engine's fast path
/// ([`Ratings`]) or the plain definition ([`DefinedRatings`]); the property test in this
/// module checks that both give the same tables.
pub trait CompleteRatings: Sync {
    /// The complete ratings of class `id` (none for an unknown class).
    fn class(&self, id: Option<&str>) -> ClassRows<'_>;
    /// The totals of course `course` of class `class` (in rater_id order) and each of
    /// the `k` indicators' means over them (`None` when it has no complete rating).
    fn course(&self, class: Option<&str>, course: Option<&str>, k: usize) -> (&[f64], Option<&[Option<f64>]>);
}

impl CompleteRatings for Ratings {
    fn class(&self, id: Option<&str>) -> ClassRows<'_> {
        let (course, rater, total) = Ratings::class(self, id).rows();
        ClassRows { course, rater, total }
    }

    fn course(&self, class: Option<&str>, course: Option<&str>, k: usize) -> (&[f64], Option<&[Option<f64>]>) {
        Ratings::course(self, class, course, k)
    }
}

/// One complete rating of a class: course, rater, the scores and their total.
type Rated<'a, 's> = (&'a str, &'a str, &'s [f64], f64);

/// The complete ratings by the definition, laid out for the tables.
#[derive(Default)]
pub struct DefinedRatings<'a> {
    classes: BTreeMap<&'a str, DefinedClass<'a>>,
}

#[derive(Default)]
struct DefinedClass<'a> {
    /// The class's rated courses, sorted; `course` holds indexes into it.
    courses: Vec<&'a str>,
    course: Vec<u32>,
    /// Raters numbered by the rank of their id among the class's raters.
    rater: Vec<u32>,
    total: Vec<f64>,
    /// Each indicator's mean over each rated course's complete ratings, by course index.
    means: Vec<Vec<Option<f64>>>,
}

impl<'a> DefinedRatings<'a> {
    /// [`complete_by_definition`] of `rows`, each indicator's mean per course taken over
    /// the complete ratings in rater order.
    pub fn new(rows: &[RatingRow<'a>], indicators: &[String]) -> Self {
        let complete = complete_by_definition(rows, indicators);
        let mut by_class: BTreeMap<&str, Vec<Rated<'_, '_>>> = BTreeMap::new();
        for ((class, course, rater), (s, total)) in &complete {
            by_class.entry(class).or_default().push((course, rater, s, *total));
        }
        let mut out = DefinedRatings::default();
        for (class, ratings) in by_class {
            let raters: std::collections::BTreeSet<&str> = ratings.iter().map(|r| r.1).collect();
            let rank: BTreeMap<&str, u32> = raters.into_iter().zip(0..).collect();
            let c = out.classes.entry(class).or_default();
            for run in ratings.chunk_by(|x, y| x.0 == y.0) {
                let b = c.courses.len() as u32;
                c.courses.push(run[0].0);
                for r in run {
                    c.course.push(b);
                    c.rater.push(rank[r.1]);
                    c.total.push(r.3);
                }
                let k = run[0].2.len();
                c.means.push((0..k).map(|p| stats::mean(&run.iter().map(|r| r.2[p]).collect::<Vec<_>>())).collect());
            }
        }
        out
    }
}

impl CompleteRatings for DefinedRatings<'_> {
    fn class(&self, id: Option<&str>) -> ClassRows<'_> {
        match id.and_then(|c| self.classes.get(c)) {
            Some(c) => ClassRows { course: &c.course, rater: &c.rater, total: &c.total },
            None => ClassRows { course: &[], rater: &[], total: &[] },
        }
    }

    fn course(&self, class: Option<&str>, course: Option<&str>, _k: usize) -> (&[f64], Option<&[Option<f64>]>) {
        let Some(c) = class.and_then(|c| self.classes.get(c)) else { return (&[], None) };
        let Some(b) = course.and_then(|b| c.courses.binary_search(&b).ok()) else { return (&[], None) };
        let b = b as u32;
        let rows = c.course.partition_point(|&x| x < b)..c.course.partition_point(|&x| x <= b);
        (&c.total[rows], c.means.get(b as usize).map(Vec::as_slice))
    }
}

/// Share of `totals` at or above `threshold` (judged at 9 decimals).
fn share_at_least(totals: &[f64], threshold: f64) -> Option<f64> {
    let t = stats::round_for_ties(threshold);
    (!totals.is_empty())
        .then(|| totals.iter().filter(|&&x| stats::round_for_ties(x) >= t).count() as f64 / totals.len() as f64)
}

/// Ranks (SQL RANK, descending) of `value` within each group, over the rows not
/// suppressed; suppressed rows and rows without a value get no rank.
fn ranks_within(group: &[Option<String>], value: &[Option<f64>], small: &[bool]) -> Vec<Option<i64>> {
    let mut out = vec![None; value.len()];
    let groups = group_by(value.len(), |i| group[i].as_deref());
    for rows in groups.values() {
        let v: Vec<f64> =
            rows.iter().map(|&i| if small[i] { f64::NAN } else { value[i].unwrap_or(f64::NAN) }).collect();
        for (k, r) in stats::rank_desc(&v).into_iter().enumerate() {
            out[rows[k]] = r.map(|r| r as i64);
        }
    }
    out
}

/// The three reaction tables.
pub struct ReactionTables {
    pub by_course: DataFrame,
    pub by_class: DataFrame,
    pub agreement: DataFrame,
}

/// Compute `reaction_by_course`, `reaction_by_class` and `rater_agreement`: the
/// complete ratings streamed by the engine ([`complete_ratings`] with [`course_rating`]),
/// then [`tables_from`].
pub fn reaction_tables(
    course_ratings: &LongTable,
    courses: &DataFrame,
    classes: &DataFrame,
    ctx: &Params,
) -> Result<ReactionTables, IndicatorError> {
    let clock = std::time::Instant::now();
    let r = complete_ratings(course_ratings, &ctx.settings.instrument.course_indicators, &course_rating)?;
    tracing::debug!("reaction: {} complete ratings at {:.2} s", r.len(), clock.elapsed().as_secs_f64());
    tables_from(&r, courses, classes, ctx)
}

/// The three tables from the complete ratings `r`.
pub fn tables_from(
    r: &impl CompleteRatings,
    courses: &DataFrame,
    classes: &DataFrame,
    ctx: &Params,
) -> Result<ReactionTables, IndicatorError> {
    let clock = std::time::Instant::now();
    let threshold = excellent_threshold(ctx);
    let (c_class, c_year) =
        (strs(classes, col::CLASS_ID, "reaction_by_class")?, i64s(classes, col::YEAR, "reaction_by_class")?);
    let year_of: BTreeMap<&str, i64> = (0..classes.height()).filter_map(|i| Some((c_class[i]?, c_year[i]?))).collect();
    let (course_order, course_rows) = course_rows(r, courses, threshold, ctx)?;
    tracing::debug!("reaction: by course at {:.2} s", clock.elapsed().as_secs_f64());
    let (class_order, class_rows) = class_rows(r, classes, threshold, ctx)?;
    tracing::debug!("reaction: by class at {:.2} s", clock.elapsed().as_secs_f64());
    // A class row pools its courses' ratings: a margin of the course rows.
    let mut d = Disclosure::new(ctx.min_cell);
    let first_course = d.cells(&course_rows.iter().map(|x| Some(x.n as i64)).collect::<Vec<_>>());
    let first_class = d.cells(&class_rows.iter().map(|x| Some(x.n_raters as i64)).collect::<Vec<_>>());
    let (course_class, class_id) =
        (strs(courses, col::CLASS_ID, "reaction_by_course")?, strs(classes, col::CLASS_ID, "reaction_by_class")?);
    let place: BTreeMap<&str, usize> =
        class_order.iter().enumerate().filter_map(|(k, &i)| Some((class_id[i]?, first_class + k))).collect();
    let mut members: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (k, &i) in course_order.iter().enumerate() {
        if let Some(&cell) = course_class[i].and_then(|c| place.get(c)) {
            members.entry(cell).or_default().push(first_course + k);
        }
    }
    for (cell, m) in members {
        d.margin(cell, m);
    }
    let status = d.protect();
    let (course_status, class_status) = status.split_at(first_class);
    let by_course = course_frame(courses, &course_order, &course_rows, course_status, &year_of, ctx)?;
    let by_class = class_frame(classes, &class_order, &class_rows, class_status, &year_of)?;
    let agreement = agreement(r, classes, ctx)?;
    tracing::debug!("reaction: agreement at {:.2} s", clock.elapsed().as_secs_f64());
    Ok(ReactionTables { by_course, by_class, agreement })
}

/// The courses in (class_id, course_id) order and their statistics.
fn course_rows(
    r: &impl CompleteRatings,
    courses: &DataFrame,
    threshold: f64,
    ctx: &Params,
) -> Result<(Vec<usize>, Vec<CourseStats>), IndicatorError> {
    const T: &str = "reaction_by_course";
    let (cl, co) = (strs(courses, col::CLASS_ID, T)?, strs(courses, col::COURSE_ID, T)?);
    let mut order: Vec<usize> = (0..courses.height()).collect();
    order.sort_by_key(|&i| (cl[i], co[i]));
    let k = ctx.settings.instrument.course_indicators.len();
    let rows = order
        .par_iter()
        .map(|&i| {
            let (totals, means) = r.course(cl[i], co[i], k);
            course_stats(totals, means, k, threshold, ctx.alpha).map_err(serr(T))
        })
        .collect::<Result<_, IndicatorError>>()?;
    Ok((order, rows))
}

/// The total at or above which a rating is "excellent" (90 % of the maximum).
fn excellent_threshold(ctx: &Params) -> f64 {
    0.9 * ctx.settings.instrument.course_max * ctx.settings.instrument.course_indicators.len() as f64
}

fn course_frame(
    courses: &DataFrame,
    order: &[usize],
    rows: &[CourseStats],
    status: &[Option<Suppression>],
    year_of: &BTreeMap<&str, i64>,
    ctx: &Params,
) -> Result<DataFrame, IndicatorError> {
    const T: &str = "reaction_by_course";
    let (cl, co, te) =
        (strs(courses, col::CLASS_ID, T)?, strs(courses, col::COURSE_ID, T)?, strs(courses, col::TEACHER_ID, T)?);
    let withheld: Vec<bool> = status.iter().map(Option::is_some).collect();
    let total_mean: Vec<Option<f64>> = rows.iter().map(|x| x.total.mean).collect();
    let class_key: Vec<Option<String>> = order.iter().map(|&i| cl[i].map(str::to_string)).collect();
    let year_key: Vec<Option<String>> =
        order.iter().map(|&i| cl[i].and_then(|c| year_of.get(c)).map(|y| y.to_string())).collect();
    let mut out = Out::new(order.len())
        .str(col::CLASS_ID, order.iter().map(|&i| cl[i]))
        .str(col::COURSE_ID, order.iter().map(|&i| co[i]))
        .str(col::TEACHER_ID, order.iter().map(|&i| te[i]))
        .int(col::N_RATERS, rows.iter().map(|x| Some(x.n as i64)));
    for (s, name) in ctx.settings.instrument.course_indicators.iter().enumerate() {
        out = out.f64(name, rows.iter().map(|x| x.means[s]));
    }
    let df = out
        .f64(col::TOTAL_MEAN, total_mean.clone())
        .f64(col::TOTAL_SD, rows.iter().map(|x| x.total.sd))
        .f64(col::CI_LOW, rows.iter().map(|x| x.total.ci_low))
        .f64(col::CI_HIGH, rows.iter().map(|x| x.total.ci_high))
        .f64(col::SHARE_EXCELLENT, rows.iter().map(|x| x.excellent))
        .int(col::RANK_IN_CLASS, ranks_within(&class_key, &total_mean, &withheld))
        .int(col::RANK_IN_YEAR, ranks_within(&year_key, &total_mean, &withheld))
        .finish(T)?;
    suppress(df, status, &[col::CLASS_ID, col::COURSE_ID, col::TEACHER_ID], T)
}

fn sorted_classes<'a>(
    classes: &'a DataFrame,
    table: &str,
) -> Result<(Vec<Option<&'a str>>, Vec<usize>), IndicatorError> {
    let cl = strs(classes, col::CLASS_ID, table)?;
    let mut order: Vec<usize> = (0..classes.height()).collect();
    order.sort_by_key(|&i| cl[i]);
    Ok((cl, order))
}

/// The classes in class_id order and their statistics.
fn class_rows(
    r: &impl CompleteRatings,
    classes: &DataFrame,
    threshold: f64,
    ctx: &Params,
) -> Result<(Vec<usize>, Vec<ClassStats>), IndicatorError> {
    const T: &str = "reaction_by_class";
    let (cl, order) = sorted_classes(classes, T)?;
    let rows = order
        .par_iter()
        .map(|&i| class_stats(r.class(cl[i]), threshold, ctx.alpha).map_err(serr(T)))
        .collect::<Result<_, IndicatorError>>()?;
    Ok((order, rows))
}

fn class_frame(
    classes: &DataFrame,
    order: &[usize],
    rows: &[ClassStats],
    status: &[Option<Suppression>],
    year_of: &BTreeMap<&str, i64>,
) -> Result<DataFrame, IndicatorError> {
    const T: &str = "reaction_by_class";
    let (cl, me, ta) =
        (strs(classes, col::CLASS_ID, T)?, strs(classes, col::METHOD, T)?, strs(classes, col::TARGET_CATEGORY, T)?);
    let withheld: Vec<bool> = status.iter().map(Option::is_some).collect();
    let total_mean: Vec<Option<f64>> = rows.iter().map(|x| x.rater_means.mean).collect();
    let year_key: Vec<Option<String>> =
        order.iter().map(|&i| cl[i].and_then(|c| year_of.get(c)).map(|y| y.to_string())).collect();
    let df = Out::new(order.len())
        .str(col::CLASS_ID, order.iter().map(|&i| cl[i]))
        .str(col::METHOD, order.iter().map(|&i| me[i]))
        .str(col::TARGET_CATEGORY, order.iter().map(|&i| ta[i]))
        .int(col::N_COURSES, rows.iter().map(|x| Some(x.n_courses as i64)))
        .int(col::N_RATERS, rows.iter().map(|x| Some(x.n_raters as i64)))
        .f64(col::TOTAL_MEAN, total_mean.clone())
        .f64(col::TOTAL_SD, rows.iter().map(|x| x.rater_means.sd))
        .f64(col::CI_LOW, rows.iter().map(|x| x.rater_means.ci_low))
        .f64(col::CI_HIGH, rows.iter().map(|x| x.rater_means.ci_high))
        .f64(col::SHARE_EXCELLENT, rows.iter().map(|x| x.excellent))
        .int(col::RANK_IN_YEAR, ranks_within(&year_key, &total_mean, &withheld))
        .finish(T)?;
    suppress(df, status, &[col::CLASS_ID, col::METHOD, col::TARGET_CATEGORY], T)
}

/// Agreement of one class's raters.
#[derive(Debug, Clone)]
pub struct Agreement {
    pub n_courses: usize,
    pub n_raters: usize,
    pub icc1: Option<f64>,
    pub icc2k: Option<f64>,
    /// McGraw & Wong (1996) F intervals of ICC(1,1) and ICC(2,k).
    pub icc1_ci: Option<stats::Interval>,
    pub icc2k_ci: Option<stats::Interval>,
    pub leniency_sd: Option<f64>,
}

/// The agreement of a class's raters: targets are the courses rated, raters those who
/// completed every one of them (raters are dropped, not courses).
pub fn class_agreement(part: ClassRows<'_>, alpha: f64) -> Result<Agreement, stats::StatsError> {
    let n_courses = part.n_courses();
    // Raters (in id order) who completed every rated course; their totals in course order.
    let by_rater = part.by_rater();
    let raters: Vec<&Vec<f64>> = by_rater.iter().filter(|t| !t.is_empty() && t.len() == n_courses).collect();
    // Targets (courses) × raters.
    let rows: Vec<Vec<f64>> = (0..n_courses).map(|c| raters.iter().map(|t| t[c]).collect()).collect();
    let icc = stats::icc(&rows)?;
    let rater_means: Vec<f64> = raters.iter().filter_map(|t| stats::mean(t)).collect();
    let leniency_sd = match stats::mean(&rater_means) {
        Some(grand) => stats::sd(&rater_means.iter().map(|m| m - grand).collect::<Vec<_>>()),
        None => None,
    };
    let intervals = match &icc {
        Some(i) => Some(stats::icc_intervals(i, alpha)?),
        None => None,
    };
    Ok(Agreement {
        n_courses,
        n_raters: raters.len(),
        icc1: icc.as_ref().and_then(|i| i.icc1),
        icc2k: icc.as_ref().and_then(|i| i.icc2k),
        icc1_ci: intervals.as_ref().and_then(|i| i.icc1),
        icc2k_ci: intervals.as_ref().and_then(|i| i.icc2k),
        leniency_sd,
    })
}

fn agreement(r: &impl CompleteRatings, classes: &DataFrame, ctx: &Params) -> Result<DataFrame, IndicatorError> {
    const T: &str = "rater_agreement";
    let (cl, order) = sorted_classes(classes, T)?;
    let rows: Vec<Agreement> = order
        .par_iter()
        .map(|&i| class_agreement(r.class(cl[i]), ctx.alpha).map_err(serr(T)))
        .collect::<Result<_, IndicatorError>>()?;
    let n: Vec<Option<i64>> = rows.iter().map(|x| Some(x.n_raters as i64)).collect();
    let df = Out::new(order.len())
        .str(col::CLASS_ID, order.iter().map(|&i| cl[i]))
        .int(col::N_COURSES, rows.iter().map(|x| Some(x.n_courses as i64)))
        .int(col::N_RATERS, n.clone())
        .f64(col::ICC1, rows.iter().map(|x| x.icc1))
        .f64(col::ICC2K, rows.iter().map(|x| x.icc2k))
        .f64(col::LENIENCY_SD, rows.iter().map(|x| x.leniency_sd))
        .f64(col::ICC1_CI_LOW, rows.iter().map(|x| x.icc1_ci.map(|i| i.low)))
        .f64(col::ICC1_CI_HIGH, rows.iter().map(|x| x.icc1_ci.map(|i| i.high)))
        .f64(col::ICC2K_CI_LOW, rows.iter().map(|x| x.icc2k_ci.map(|i| i.low)))
        .f64(col::ICC2K_CI_HIGH, rows.iter().map(|x| x.icc2k_ci.map(|i| i.high)))
        .finish(T)?;
    suppress(df, &primary(&n, ctx.min_cell), &[col::CLASS_ID], T)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::PipelineFile;

    /// Long course ratings where every indicator but `relevance` is 0, so a rater's
    /// course total is the given value.
    fn ratings(rows: &[(&str, &str, &str, f64)]) -> LongTable {
        let (mut cl, mut co, mut ra, mut ind, mut sc) = (vec![], vec![], vec![], vec![], vec![]);
        for &(c, k, r, total) in rows {
            for (i, name) in crate::schema::COURSE_INDICATORS.iter().enumerate() {
                cl.push(c);
                co.push(k);
                ra.push(r);
                ind.push(*name);
                sc.push(if i == 0 { total } else { 0.0 });
            }
        }
        df!("class_id" => cl, "course_id" => co, "rater_id" => ra, "indicator" => ind, "score" => sc).unwrap().into()
    }

    #[test]
    fn scattered_rows_give_the_same_tables_as_adjacent_ones() {
        // Ratings whose five rows are not adjacent (reversed, then interleaved) are
        // gathered into the same units; a rating with a missing indicator stays out.
        let mut rows = Vec::new();
        for (i, r) in ["a", "b", "c", "d", "e", "f"].iter().enumerate() {
            rows.push(("A", "k1", *r, 60.0 + i as f64));
            rows.push(("A", "k2", *r, 70.0 - i as f64));
            rows.push(("B", "k3", *r, 80.0 + (i % 2) as f64));
        }
        let adjacent = ratings(&rows);
        let LongTable::Frame(df) = &adjacent else { unreachable!() };
        let n = df.height() as u32;
        let order: Vec<u32> = (0..n).rev().step_by(2).chain((0..n).rev().skip(1).step_by(2)).collect();
        let scattered: LongTable = df.take(&IdxCa::from_vec("i".into(), order)).unwrap().into();
        let mut incomplete = df.clone();
        incomplete = incomplete.slice(1, incomplete.height() - 1);
        let settings = PipelineFile {
            indicators: crate::config::IndicatorSettings { min_cell: 1, ..Default::default() },
            ..Default::default()
        };
        let ctx = Params::new(&settings, "2025");
        let courses =
            df!("class_id" => ["A", "A", "B"], "course_id" => ["k1", "k2", "k3"], "teacher_id" => ["T"; 3]).unwrap();
        let classes = df!("class_id" => ["A", "B"], "method" => ["case"; 2], "target_category" => ["women"; 2], "year" => [2025i32; 2]).unwrap();
        let a = reaction_tables(&adjacent, &courses, &classes, &ctx).unwrap();
        // Rater means 60..65 (k1), 70..65 (k2); relevance carries the whole total.
        let relevance: Vec<Option<f64>> = a.by_course.column("relevance").unwrap().f64().unwrap().iter().collect();
        assert_eq!(relevance, vec![Some(62.5), Some(67.5), Some(80.5)]);
        let same = |x: &ReactionTables, y: &ReactionTables| {
            x.by_course.equals_missing(&y.by_course)
                && x.by_class.equals_missing(&y.by_class)
                && x.agreement.equals_missing(&y.agreement)
        };
        let LongTable::Frame(scattered_df) = &scattered else { unreachable!() };
        let b = reaction_tables(&scattered, &courses, &classes, &ctx).unwrap();
        assert!(same(&a, &b));
        // The same rows from Parquet files (dictionary keys, row groups of 7 rows that
        // split ratings): the by-key reading, adjacent and scattered.
        for frame in [df, scattered_df] {
            let (_dir, files) = LongTable::parquet_for_test(frame, 7);
            assert!(same(&a, &reaction_tables(&files, &courses, &classes, &ctx).unwrap()));
        }
        let (_dir, files) = LongTable::parquet_for_test(&incomplete, 7);
        let c = reaction_tables(&incomplete.into(), &courses, &classes, &ctx).unwrap();
        assert!(same(&c, &reaction_tables(&files, &courses, &classes, &ctx).unwrap()));
        let n: Vec<Option<i64>> = c.by_course.column("n_raters").unwrap().i64().unwrap().iter().collect();
        assert_eq!(n, vec![Some(5), Some(6), Some(6)], "rater a's k1 rating lost its first indicator");
    }

    #[test]
    fn agreement_reproduces_shrout_fleiss() {
        // ORACLES.md: 6 targets × 4 raters → ICC(1,1) 0.165742, ICC(2,k) 0.620051.
        let m = [
            [9., 2., 5., 8.],
            [6., 1., 3., 2.],
            [8., 4., 6., 8.],
            [7., 1., 2., 6.],
            [10., 5., 6., 9.],
            [6., 2., 4., 7.],
        ];
        let raters = ["r1", "r2", "r3", "r4"];
        let courses = ["k1", "k2", "k3", "k4", "k5", "k6"];
        let mut rows = Vec::new();
        for (t, row) in m.iter().enumerate() {
            for (j, v) in row.iter().enumerate() {
                rows.push(("A", courses[t], raters[j], *v));
            }
        }
        // A fifth rater who skipped a course is dropped (complete cases), not the course.
        rows.push(("A", "k1", "r5", 3.0));
        let courses_df = df!("class_id" => ["A"; 6], "course_id" => courses, "teacher_id" => ["T"; 6]).unwrap();
        let classes =
            df!("class_id" => ["A"], "method" => ["case"], "target_category" => ["women"], "year" => [2025i32])
                .unwrap();
        let settings = PipelineFile {
            indicators: crate::config::IndicatorSettings { min_cell: 1, ..Default::default() },
            ..Default::default()
        };
        let ctx = Params::new(&settings, "2025");
        let t = reaction_tables(&ratings(&rows), &courses_df, &classes, &ctx).unwrap();
        let a = &t.agreement;
        let get = |c: &str| a.column(c).unwrap().cast(&DataType::Float64).unwrap().f64().unwrap().get(0);
        assert_eq!(get("n_courses"), Some(6.0));
        assert_eq!(get("n_raters"), Some(4.0));
        assert!((get("icc1").unwrap() - 0.165742).abs() < 5e-7);
        assert!((get("icc2k").unwrap() - 0.620051).abs() < 5e-7);
        // Rater means 7.667, 2.5, 4.333, 6.667: sd of their deviations from the grand mean.
        let means = [46.0 / 6.0, 15.0 / 6.0, 26.0 / 6.0, 40.0 / 6.0];
        let want = stats::sd(&means).unwrap();
        assert!((get("leniency_sd").unwrap() - want).abs() < 1e-12);
    }

    #[test]
    fn courses_rank_like_sql_rank_and_small_courses_are_not_ranked() {
        let mut rows = Vec::new();
        // k1 and k2 tie at 90 (k2 through rounding noise), k3 at 80 (6 raters each); k4
        // has 2 raters only, k5 none; k6 (5 raters) is the smallest published course,
        // withheld with k4 so that k4 cannot be worked out from the class's row.
        for r in ["a", "b", "c", "d", "e", "f"] {
            rows.push(("A", "k1", r, 90.0));
            rows.push(("A", "k2", r, 89.999_999_999_9));
            rows.push(("A", "k3", r, 80.0));
        }
        for r in ["a", "b", "c", "d", "e"] {
            rows.push(("A", "k6", r, 70.0));
        }
        rows.push(("A", "k4", "a", 99.0));
        rows.push(("A", "k4", "b", 99.0));
        let ids = ["k1", "k2", "k3", "k4", "k5", "k6"];
        let courses = df!("class_id" => ["A"; 6], "course_id" => ids, "teacher_id" => ["T"; 6]).unwrap();
        let classes =
            df!("class_id" => ["A"], "method" => ["case"], "target_category" => ["women"], "year" => [2025i32])
                .unwrap();
        let settings = PipelineFile::default();
        let ctx = Params::new(&settings, "2025");
        let t = reaction_tables(&ratings(&rows), &courses, &classes, &ctx).unwrap();
        let c = &t.by_course;
        let ranks: Vec<Option<i64>> = c.column("rank_in_class").unwrap().i64().unwrap().iter().collect();
        assert_eq!(ranks, vec![Some(1), Some(1), Some(3), None, None, None]);
        let n: Vec<Option<i64>> = c.column("n_raters").unwrap().i64().unwrap().iter().collect();
        assert_eq!(n, vec![Some(6), Some(6), Some(6), None, None, None], "withheld rows withhold their counts");
        let share: Vec<Option<f64>> = c.column("share_excellent").unwrap().f64().unwrap().iter().collect();
        assert_eq!(share[..3], [Some(1.0), Some(1.0), Some(0.0)], "total ≥ 90 at 9 decimals");
        let kind: Vec<Option<&str>> = c.column("suppression").unwrap().str().unwrap().iter().collect();
        assert_eq!(kind, vec![None, None, None, Some("primary"), Some("primary"), Some("secondary")]);
    }

    /// A random run of `course_ratings` rows of one (class, course, rater): few classes,
    /// courses and raters so that ratings recur (adjacent within a run, scattered across
    /// runs), up to eight indicator rows so that indicators repeat within a run, scores
    /// missing (null, or -1 for NaN) or of an indicator not configured.
    fn run() -> impl proptest::strategy::Strategy<Value = Vec<(u8, u8, u8, u8, Option<i8>)>> {
        use proptest::prelude::*;
        let score = (0u8..6, prop::option::weighted(0.9, -1i8..=10));
        (0u8..3, 0u8..3, 0u8..6, prop::collection::vec(score, 1..9))
            .prop_map(|(c, k, r, s)| s.into_iter().map(|(i, x)| (c, k, r, i, x)).collect())
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]
        /// The engine's two-pass reading (from a frame, and from Parquet row groups that
        /// split ratings) gives the tables that the plain definition gives.
        #[test]
        fn the_fast_path_agrees_with_the_definition(
            runs in proptest::collection::vec(run(), 0..30),
            min_cell in 1usize..4,
        ) {
            let rows: Vec<_> = runs.into_iter().flatten().collect();
            let name = |p: &str, k: u8| format!("{p}{k}");
            let (mut cl, mut co, mut ra, mut ind, mut sc) = (vec![], vec![], vec![], vec![], vec![]);
            for &(c, k, r, i, x) in &rows {
                cl.push(name("A", c));
                co.push(name("k", k));
                ra.push(name("r", r));
                ind.push(crate::schema::COURSE_INDICATORS.get(i as usize).copied().unwrap_or("other").to_string());
                // -1 stands for NaN: a score that is no score.
                sc.push(x.map(|x| if x < 0 { f64::NAN } else { f64::from(x) }));
            }
            let plain: Vec<RatingRow> = (0..rows.len())
                .map(|j| RatingRow {
                    class: Some(&cl[j]),
                    course: Some(&co[j]),
                    rater: Some(&ra[j]),
                    indicator: Some(&ind[j]),
                    score: sc[j],
                })
                .collect();
            let df = df!("class_id" => &cl, "course_id" => &co, "rater_id" => &ra, "indicator" => &ind, "score" => &sc)
                .unwrap();
            let settings = PipelineFile {
                indicators: crate::config::IndicatorSettings { min_cell, ..Default::default() },
                ..Default::default()
            };
            let ctx = Params::new(&settings, "2025");
            let (mut c_cl, mut c_co) = (vec![], vec![]);
            for c in 0..3 {
                for k in 0..3 {
                    c_cl.push(name("A", c));
                    c_co.push(name("k", k));
                }
            }
            let courses = df!("class_id" => &c_cl, "course_id" => &c_co, "teacher_id" => vec!["T"; c_cl.len()]).unwrap();
            let classes = df!(
                "class_id" => ["A0", "A1", "A2", "A3"],
                "method" => ["case"; 4],
                "target_category" => ["women"; 4],
                "year" => [2025i32, 2025, 2024, 2025]
            )
            .unwrap();
            let defined = DefinedRatings::new(&plain, &settings.instrument.course_indicators);
            let want = tables_from(&defined, &courses, &classes, &ctx).unwrap();
            let frame = reaction_tables(&LongTable::Frame(df.clone()), &courses, &classes, &ctx).unwrap();
            let parquet = (df.height() > 0).then(|| {
                let (_dir, files) = LongTable::parquet_for_test(&df, 7);
                reaction_tables(&files, &courses, &classes, &ctx).unwrap()
            });
            for got in std::iter::once(&frame).chain(parquet.as_ref()) {
                proptest::prop_assert!(got.by_course.equals_missing(&want.by_course), "{}\n{}", got.by_course, want.by_course);
                proptest::prop_assert!(got.by_class.equals_missing(&want.by_class), "{}\n{}", got.by_class, want.by_class);
                proptest::prop_assert!(got.agreement.equals_missing(&want.agreement), "{}\n{}", got.agreement, want.agreement);
            }
            // And the ratings themselves, key by key.
            let r = complete_ratings(&LongTable::Frame(df), &settings.instrument.course_indicators, &course_rating).unwrap();
            let ratings = r.plain();
            let by_def: Vec<((String, String, String), f64)> =
                complete_by_definition(&plain, &settings.instrument.course_indicators)
                    .into_iter()
                    .map(|((a, b, c), (_, t))| ((a.to_string(), b.to_string(), c.to_string()), t))
                    .collect();
            proptest::prop_assert_eq!(ratings, by_def);
        }
    }

    #[test]
    fn a_rating_needs_every_indicator_and_a_repeat_keeps_the_larger_score() {
        assert_eq!(course_rating(&[Some(1.0), Some(2.5)]), Some(3.5));
        assert_eq!(course_rating(&[Some(1.0), None]), None);
        assert_eq!(keep_max(Some(3.0), Some(2.0)), Some(3.0));
        assert_eq!(keep_max(Some(3.0), Some(4.0)), Some(4.0));
        assert_eq!(keep_max(None, Some(2.0)), Some(2.0));
        assert_eq!(keep_max(Some(2.0), Some(f64::NAN)), Some(2.0));
        assert_eq!(keep_max(None, Some(f64::NAN)), None);
    }
}
