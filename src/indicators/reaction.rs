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
use std::ops::Range;

use polars::prelude::*;
use polars_arrow::array::PrimitiveArray;
use rayon::prelude::*;

use super::columnar::{Chunk, Dict, Interner, Scoped, Source, StrCol, View, ViewMemo};
use super::frame::{group_by, i64s, serr, strs, Out};
use super::keys::Groups;
use super::suppress::{primary, suppress, Disclosure, Suppression};
use super::Ctx;
use crate::error::IndicatorError;
use crate::schema::col;
use crate::stats::{self, Summary};

/// One class's complete ratings: one row per (course, rater) with every indicator
/// scored, sorted by (course_id, rater_id); ids are numbered within the class in byte
/// order of their strings ([`Dict`]), so sorting by them is sorting by the strings.
/// Only the totals are kept per rating; each indicator's mean per course is taken when
/// the class is built (the scores of 4.6·10⁶ ratings at 10⁶ cadres were ~180 MB).
#[derive(Default)]
struct ClassRatings {
    course: Vec<u32>,
    rater: Vec<u32>,
    total: Vec<f64>,
    /// The rated courses, ascending.
    rated: Vec<u32>,
    /// Each indicator's mean over the complete ratings of each rated course
    /// (`rated.len()` × k, course by course).
    means: Vec<Option<f64>>,
}

impl ClassRatings {
    /// The rows of course `b`.
    fn course_rows(&self, b: u32) -> Range<usize> {
        self.course.partition_point(|&c| c < b)..self.course.partition_point(|&c| c <= b)
    }

    /// Each indicator's mean over course `b`'s complete ratings (`None` when it has none).
    fn means_of(&self, b: u32, k: usize) -> Option<&[Option<f64>]> {
        let at = self.rated.binary_search(&b).ok()?;
        self.means.get(at * k..(at + 1) * k)
    }

    /// Distinct courses rated.
    fn n_courses(&self) -> usize {
        self.rated.len()
    }

    /// Each rater's (course, total)s in course order, by rater id (empty for raters
    /// without a complete rating).
    fn by_rater(&self) -> Vec<Vec<(u32, f64)>> {
        let mut out: Vec<Vec<(u32, f64)>> = vec![Vec::new(); self.rater.iter().max().map_or(0, |&m| m as usize + 1)];
        for ((&r, &c), &t) in self.rater.iter().zip(&self.course).zip(&self.total) {
            out[r as usize].push((c, t));
        }
        out
    }
}

/// Complete ratings of every class, by class number (byte order of class ids).
struct Ratings {
    classes: Dict,
    /// The courses of each class (by class number), numbered within the class.
    courses: Vec<Dict>,
    parts: Vec<ClassRatings>,
    /// What a class without complete ratings has.
    none: ClassRatings,
}

impl Ratings {
    /// The ratings of class `id` (none when it has no complete rating).
    fn class(&self, id: Option<&str>) -> &ClassRatings {
        id.and_then(|c| self.classes.get(c)).map_or(&self.none, |a| &self.parts[a as usize])
    }
}

/// Units of one class as they are read: one per run of rows with the same (course,
/// rater), ids first-seen within the class, and the unit's k scores (NaN until scored).
#[derive(Default)]
struct Units {
    keys: Vec<(u32, u32)>,
    scores: Vec<f64>,
}

impl Units {
    /// Add the score `x` of indicator `p` (of `k`) to the unit of (`course`, `rater`):
    /// the last unit when it is that pair, else a new one.
    fn add(&mut self, course: u32, rater: u32, k: usize, p: usize, x: Option<f64>) {
        if self.keys.last() != Some(&(course, rater)) {
            self.keys.push((course, rater));
            self.scores.extend(std::iter::repeat_n(f64::NAN, k));
        }
        if let Some(x) = x {
            let at = (self.keys.len() - 1) * k + p;
            // `f64::max` ignores a NaN side: unscored stays NaN, a repeat keeps the larger.
            self.scores[at] = self.scores[at].max(x);
        }
    }

    fn clear(&mut self) {
        self.keys.clear();
        self.scores.clear();
    }
}

/// The complete ratings of one class from its `units` (scored on `k` indicators), the
/// courses and raters numbered by `course_rank` and `rater_rank` (first-seen id → rank
/// in byte order), sorted by (course, rater) with the units of one pair merged (the
/// larger score of a repeated indicator wins), and each indicator's mean per course.
fn class_part(units: &Units, k: usize, course_rank: &[u32], rater_rank: &[u32]) -> ClassRatings {
    // By course with a counting sort (stable: units in reading order within a course).
    // A class's ratings usually come rater by rater in id order, so that is already
    // (course, rater, unit) order; a full sort otherwise.
    let course_of: Vec<Option<u32>> = units.keys.iter().map(|&(b, _)| Some(course_rank[b as usize])).collect();
    let mut order: Vec<(u32, u32, u32)> = Groups::new(course_rank.len(), &course_of)
        .rows()
        .iter()
        .map(|&u| {
            let (b, c) = units.keys[u as usize];
            (course_rank[b as usize], rater_rank[c as usize], u)
        })
        .collect();
    if !order.is_sorted() {
        order.sort_unstable();
    }
    let mut part = ClassRatings {
        course: Vec::with_capacity(order.len()),
        rater: Vec::with_capacity(order.len()),
        total: Vec::with_capacity(order.len()),
        ..ClassRatings::default()
    };
    // The current course's scores, one vector per indicator.
    let mut scores: Vec<Vec<f64>> = vec![Vec::new(); k];
    let mut cells = vec![f64::NAN; k];
    let close_course = |part: &mut ClassRatings, scores: &mut Vec<Vec<f64>>| {
        if let Some(&b) = part.course.last() {
            if !scores[0].is_empty() {
                part.rated.push(b);
                part.means.extend(scores.iter().map(|s| stats::mean(s)));
                scores.iter_mut().for_each(Vec::clear);
            }
        }
    };
    for run in order.chunk_by(|x, y| (x.0, x.1) == (y.0, y.1)) {
        cells.fill(f64::NAN);
        for &(_, _, u) in run {
            for (cell, &x) in cells.iter_mut().zip(&units.scores[u as usize * k..(u as usize + 1) * k]) {
                *cell = cell.max(x);
            }
        }
        if cells.iter().any(|x| x.is_nan()) {
            continue;
        }
        if part.course.last().is_some_and(|&b| b != run[0].0) {
            close_course(&mut part, &mut scores);
        }
        part.course.push(run[0].0);
        part.rater.push(run[0].1);
        for (s, &x) in scores.iter_mut().zip(&cells) {
            s.push(x);
        }
        part.total.push(cells.iter().sum());
    }
    close_course(&mut part, &mut scores);
    part
}

/// Read `course_ratings` chunk by chunk and keep the complete ratings of every class
/// (every configured indicator scored; a repeated indicator keeps its largest score,
/// though `build` makes them unique).
///
/// A class's rows usually come together, so its ratings are built when the class
/// changes, from the few hundred units of that class alone: no score vector of the
/// whole table is kept (at 10⁶ cadres it held 2.3·10⁷ scores, ~240 MB of fresh
/// memory). A class whose rows resume after another class's is built again from a
/// second reading of the table that keeps only such classes' rows.
fn complete(source: &Source, indicators: &[String]) -> Result<Ratings, IndicatorError> {
    let k = indicators.len().max(1);
    let mut r = Reading::new(k);
    let mut position: ViewMemo<Option<usize>> = ViewMemo::default();
    // The value identities of the last row filed: a row with the same three is the same
    // unit (the five indicator rows of a rating), found without the interners.
    let mut last: Option<[Option<View>; 3]> = None;
    source.for_each_chunk(|df| {
        let ([cl, co, ra, ind], score) = rating_columns(df)?;
        if let (Some((ck, _)), Some((ok, _)), Some((rk, _)), Some((ik, n_ind))) =
            (cl.dense_keys(), co.dense_keys(), ra.dense_keys(), ind.dense_keys())
        {
            // Every column as keys without nulls (what `build` writes): a row's indicator
            // is an array index and a new unit is a change of three keys.
            let pos: Vec<Option<usize>> =
                (0..n_ind as u32).map(|key| indicators.iter().position(|n| n == ind.key_str(key))).collect();
            let (values, valid) = (score.values().as_slice(), score.validity());
            let mut here = (u32::MAX, u32::MAX, u32::MAX);
            for i in 0..ck.len().min(values.len()) {
                let Some(p) = pos.get(ik[i] as usize).copied().flatten() else { continue };
                let key = (ck[i], ok[i], rk[i]);
                if key != here {
                    let Some(abc) = r.ids(&cl, &co, &ra, i) else { continue };
                    r.enter(abc);
                    here = key;
                }
                r.add(p, valid.is_none_or(|v| v.get_bit(i)).then(|| values[i]));
            }
            return Ok(());
        }
        for (i, score) in score.iter().map(|x| x.copied()).enumerate().take(cl.len()) {
            let Some(Some(p)) = position.get(&ind, i, |name| indicators.iter().position(|n| n == name)) else {
                continue;
            };
            let here = [cl.view(i), co.view(i), ra.view(i)];
            if last != Some(here) {
                let Some(abc) = r.ids(&cl, &co, &ra, i) else { continue };
                r.enter(abc);
                last = Some(here);
            }
            r.add(p, score);
        }
        Ok(())
    })?;
    r.close();
    if r.resumed.iter().any(|&x| x) {
        // The classes whose rows came in more than one run, read again whole.
        let mut units: Vec<Units> = r.resumed.iter().map(|_| Units::default()).collect();
        source.for_each_chunk(|df| {
            let ([cl, co, ra, ind], score) = rating_columns(df)?;
            for (i, score) in score.iter().map(|x| x.copied()).enumerate().take(cl.len()) {
                let Some(Some(p)) = position.get(&ind, i, |name| indicators.iter().position(|n| n == name)) else {
                    continue;
                };
                let Some((a, b, c)) = r.ids(&cl, &co, &ra, i).filter(|&(a, _, _)| r.resumed[a as usize]) else {
                    continue;
                };
                units[a as usize].add(b, c, k, p, score);
            }
            Ok(())
        })?;
        for (a, u) in units.iter().enumerate().filter(|(a, _)| r.resumed[*a]) {
            r.built[a] = Some(class_part(u, k, &r.courses.ranks(a as u32), &r.raters.ranks(a as u32)));
        }
    }
    let Reading { classes, courses, raters, built, .. } = r;
    let (classes, rc) = classes.finish();
    let (courses, _) = (courses.finish(&rc), raters.finish(&rc));
    let mut parts: Vec<ClassRatings> = (0..rc.len()).map(|_| ClassRatings::default()).collect();
    for (a, part) in built.into_iter().enumerate() {
        if let Some(part) = part {
            parts[rc[a] as usize] = part;
        }
    }
    Ok(Ratings {
        classes,
        courses: courses.into_iter().map(|(d, _)| d).collect(),
        parts,
        none: ClassRatings::default(),
    })
}

/// The text columns (class, course, rater, indicator) and the scores of a chunk of
/// `course_ratings`.
fn rating_columns(df: &Chunk) -> Result<([StrCol<'_>; 4], PrimitiveArray<f64>), IndicatorError> {
    const T: &str = "reaction_by_course";
    let text =
        [df.str(col::CLASS_ID, T)?, df.str(col::COURSE_ID, T)?, df.str(col::RATER_ID, T)?, df.str(col::INDICATOR, T)?];
    Ok((text, df.f64(col::SCORE, T)?))
}

/// The first reading of `course_ratings`: ids, the class being read and its units, and
/// every class built so far.
struct Reading {
    k: usize,
    classes: Interner,
    /// Courses and raters within their class.
    courses: Scoped,
    raters: Scoped,
    /// By first-seen class id: its ratings once its rows ended; whether its rows resumed.
    built: Vec<Option<ClassRatings>>,
    resumed: Vec<bool>,
    /// The class being read (first-seen id) and its units.
    current: u32,
    pending: Units,
    /// The (course, rater) of the last row filed, and whether its class is left for the
    /// second reading.
    unit: (u32, u32),
    skip: bool,
}

impl Reading {
    fn new(k: usize) -> Reading {
        Reading {
            k,
            classes: Interner::default(),
            courses: Scoped::default(),
            raters: Scoped::default(),
            built: Vec::new(),
            resumed: Vec::new(),
            current: u32::MAX,
            pending: Units::default(),
            unit: (0, 0),
            skip: false,
        }
    }

    /// The (class, course, rater) of row `i` as first-seen ids (`None` when one is null).
    #[inline]
    fn ids(&mut self, cl: &StrCol<'_>, co: &StrCol<'_>, ra: &StrCol<'_>, i: usize) -> Option<(u32, u32, u32)> {
        let a = self.classes.id_at(cl, i)?;
        Some((a, self.courses.id_at(a, co, i)?, self.raters.id_at(a, ra, i)?))
    }

    /// The next rows are of class `a`, course `b`, rater `c` (first-seen ids): when the
    /// class changes, the previous one is built.
    fn enter(&mut self, (a, b, c): (u32, u32, u32)) {
        if a != self.current {
            self.close();
            self.current = a;
            let at = a as usize;
            if self.built.len() <= at {
                self.built.resize_with(at + 1, || None);
                self.resumed.resize(at + 1, false);
            }
            // Rows of a class met before: it is read again at the end.
            self.skip = self.resumed[at] || self.built[at].take().is_some();
            self.resumed[at] |= self.skip;
        }
        self.unit = (b, c);
    }

    /// Score `x` (`None` when unscored) of indicator `p` of the current unit.
    #[inline]
    fn add(&mut self, p: usize, x: Option<f64>) {
        if !self.skip {
            self.pending.add(self.unit.0, self.unit.1, self.k, p, x);
        }
    }

    /// Build the class being read from its units.
    fn close(&mut self) {
        if self.current != u32::MAX && !self.pending.keys.is_empty() {
            let a = self.current;
            self.built[a as usize] =
                Some(class_part(&self.pending, self.k, &self.courses.ranks(a), &self.raters.ranks(a)));
            self.pending.clear();
        }
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

/// Compute `reaction_by_course`, `reaction_by_class` and `rater_agreement`.
pub fn reaction_tables(
    course_ratings: &Source,
    courses: &DataFrame,
    classes: &DataFrame,
    ctx: &Ctx,
) -> Result<ReactionTables, IndicatorError> {
    let indicators = &ctx.settings.instrument.course_indicators;
    let clock = std::time::Instant::now();
    let r = complete(course_ratings, indicators)?;
    let n: usize = r.parts.iter().map(|p| p.total.len()).sum();
    tracing::debug!("reaction: {n} complete ratings at {:.2} s", clock.elapsed().as_secs_f64());
    let threshold = excellent_threshold(ctx);
    let (c_class, c_year) =
        (strs(classes, col::CLASS_ID, "reaction_by_class")?, i64s(classes, col::YEAR, "reaction_by_class")?);
    let year_of: BTreeMap<&str, i64> = (0..classes.height()).filter_map(|i| Some((c_class[i]?, c_year[i]?))).collect();
    let (course_order, course_rows) = course_rows(&r, courses, threshold, ctx)?;
    tracing::debug!("reaction: by course at {:.2} s", clock.elapsed().as_secs_f64());
    let (class_order, class_rows) = class_rows(&r, classes, threshold, ctx)?;
    tracing::debug!("reaction: by class at {:.2} s", clock.elapsed().as_secs_f64());
    // A class row pools its courses' ratings: a margin of the course rows.
    let mut d = Disclosure::new(ctx.min_cell);
    let first_course = d.cells(&course_rows.iter().map(|x| Some(x.n as i64)).collect::<Vec<_>>());
    let first_class = d.cells(&class_rows.iter().map(|x| Some(x.1 as i64)).collect::<Vec<_>>());
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
    let agreement = agreement(&r, classes, ctx)?;
    tracing::debug!("reaction: agreement at {:.2} s", clock.elapsed().as_secs_f64());
    Ok(ReactionTables { by_course, by_class, agreement })
}

/// The statistics of one course's complete ratings.
struct CourseRow {
    n: usize,
    means: Vec<Option<f64>>,
    total: Summary,
    excellent: Option<f64>,
}

/// The courses in (class_id, course_id) order and their statistics.
fn course_rows(
    r: &Ratings,
    courses: &DataFrame,
    threshold: f64,
    ctx: &Ctx,
) -> Result<(Vec<usize>, Vec<CourseRow>), IndicatorError> {
    const T: &str = "reaction_by_course";
    let (cl, co) = (strs(courses, col::CLASS_ID, T)?, strs(courses, col::COURSE_ID, T)?);
    let mut order: Vec<usize> = (0..courses.height()).collect();
    order.sort_by_key(|&i| (cl[i], co[i]));
    let k = ctx.settings.instrument.course_indicators.len();
    let rows = order
        .par_iter()
        .map(|&i| {
            let class = cl[i].and_then(|c| r.classes.get(c));
            let course = class.zip(co[i]).and_then(|(a, c)| r.courses[a as usize].get(c));
            let part = r.class(cl[i]);
            let idx = course.map_or(0..0, |b| part.course_rows(b));
            let totals = &part.total[idx];
            let means = course.and_then(|b| part.means_of(b, k)).map_or_else(|| vec![None; k], <[_]>::to_vec);
            Ok(CourseRow {
                n: totals.len(),
                means,
                total: stats::describe(totals, ctx.alpha).map_err(serr(T))?,
                excellent: share_at_least(totals, threshold),
            })
        })
        .collect::<Result<_, IndicatorError>>()?;
    Ok((order, rows))
}

/// The total at or above which a rating is "excellent" (90 % of the maximum).
fn excellent_threshold(ctx: &Ctx) -> f64 {
    0.9 * ctx.settings.instrument.course_max * ctx.settings.instrument.course_indicators.len() as f64
}

fn course_frame(
    courses: &DataFrame,
    order: &[usize],
    rows: &[CourseRow],
    status: &[Option<Suppression>],
    year_of: &BTreeMap<&str, i64>,
    ctx: &Ctx,
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

/// One class's ratings: (courses rated, raters, summary of the raters' mean totals,
/// share of excellent totals).
type ClassRow = (usize, usize, Summary, Option<f64>);

/// The classes in class_id order and their statistics.
fn class_rows(
    r: &Ratings,
    classes: &DataFrame,
    threshold: f64,
    ctx: &Ctx,
) -> Result<(Vec<usize>, Vec<ClassRow>), IndicatorError> {
    const T: &str = "reaction_by_class";
    let (cl, order) = sorted_classes(classes, T)?;
    let rows = order
        .par_iter()
        .map(|&i| {
            let part = r.class(cl[i]);
            // Each rater's mean over their courses, raters in id order.
            let rater_means: Vec<f64> = part
                .by_rater()
                .iter()
                .filter(|t| !t.is_empty())
                .filter_map(|t| stats::mean(&t.iter().map(|x| x.1).collect::<Vec<_>>()))
                .collect();
            Ok((
                part.n_courses(),
                rater_means.len(),
                stats::describe(&rater_means, ctx.alpha).map_err(serr(T))?,
                share_at_least(&part.total, threshold),
            ))
        })
        .collect::<Result<_, IndicatorError>>()?;
    Ok((order, rows))
}

fn class_frame(
    classes: &DataFrame,
    order: &[usize],
    rows: &[ClassRow],
    status: &[Option<Suppression>],
    year_of: &BTreeMap<&str, i64>,
) -> Result<DataFrame, IndicatorError> {
    const T: &str = "reaction_by_class";
    let (cl, me, ta) =
        (strs(classes, col::CLASS_ID, T)?, strs(classes, col::METHOD, T)?, strs(classes, col::TARGET_CATEGORY, T)?);
    let withheld: Vec<bool> = status.iter().map(Option::is_some).collect();
    let total_mean: Vec<Option<f64>> = rows.iter().map(|x| x.2.mean).collect();
    let year_key: Vec<Option<String>> =
        order.iter().map(|&i| cl[i].and_then(|c| year_of.get(c)).map(|y| y.to_string())).collect();
    let df = Out::new(order.len())
        .str(col::CLASS_ID, order.iter().map(|&i| cl[i]))
        .str(col::METHOD, order.iter().map(|&i| me[i]))
        .str(col::TARGET_CATEGORY, order.iter().map(|&i| ta[i]))
        .int(col::N_COURSES, rows.iter().map(|x| Some(x.0 as i64)))
        .int(col::N_RATERS, rows.iter().map(|x| Some(x.1 as i64)))
        .f64(col::TOTAL_MEAN, total_mean.clone())
        .f64(col::TOTAL_SD, rows.iter().map(|x| x.2.sd))
        .f64(col::CI_LOW, rows.iter().map(|x| x.2.ci_low))
        .f64(col::CI_HIGH, rows.iter().map(|x| x.2.ci_high))
        .f64(col::SHARE_EXCELLENT, rows.iter().map(|x| x.3))
        .int(col::RANK_IN_YEAR, ranks_within(&year_key, &total_mean, &withheld))
        .finish(T)?;
    suppress(df, status, &[col::CLASS_ID, col::METHOD, col::TARGET_CATEGORY], T)
}

/// Agreement of one class's raters.
struct Agreement {
    n_courses: usize,
    n_raters: usize,
    icc1: Option<f64>,
    icc2k: Option<f64>,
    /// McGraw & Wong (1996) F intervals of ICC(1,1) and ICC(2,k).
    icc1_ci: Option<stats::Interval>,
    icc2k_ci: Option<stats::Interval>,
    leniency_sd: Option<f64>,
}

fn class_agreement(part: &ClassRatings, alpha: f64) -> Result<Agreement, crate::stats::StatsError> {
    let n_courses = part.n_courses();
    // Raters (in id order) who completed every rated course; their totals in course order.
    let by_rater = part.by_rater();
    let raters: Vec<&Vec<(u32, f64)>> = by_rater.iter().filter(|t| !t.is_empty() && t.len() == n_courses).collect();
    // Targets (courses) × raters.
    let rows: Vec<Vec<f64>> = (0..n_courses).map(|c| raters.iter().map(|t| t[c].1).collect()).collect();
    let icc = stats::icc(&rows)?;
    let rater_means: Vec<f64> =
        raters.iter().filter_map(|t| stats::mean(&t.iter().map(|x| x.1).collect::<Vec<_>>())).collect();
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

fn agreement(r: &Ratings, classes: &DataFrame, ctx: &Ctx) -> Result<DataFrame, IndicatorError> {
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
    fn ratings(rows: &[(&str, &str, &str, f64)]) -> Source {
        let (mut cl, mut co, mut ra, mut ind, mut sc) = (vec![], vec![], vec![], vec![], vec![]);
        for &(c, k, r, total) in rows {
            for (i, name) in ["relevance", "theory", "information", "delivery", "manner"].iter().enumerate() {
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
        let Source::Frame(df) = &adjacent else { unreachable!() };
        let n = df.height() as u32;
        let order: Vec<u32> = (0..n).rev().step_by(2).chain((0..n).rev().skip(1).step_by(2)).collect();
        let scattered: Source = df.take(&IdxCa::from_vec("i".into(), order)).unwrap().into();
        let mut incomplete = df.clone();
        incomplete = incomplete.slice(1, incomplete.height() - 1);
        let settings = PipelineFile {
            indicators: crate::config::IndicatorSettings { min_cell: 1, ..Default::default() },
            ..Default::default()
        };
        let ctx = Ctx::new(&settings, "2025");
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
        let Source::Frame(scattered_df) = &scattered else { unreachable!() };
        let b = reaction_tables(&scattered, &courses, &classes, &ctx).unwrap();
        assert!(same(&a, &b));
        // The same rows from Parquet files (dictionary keys, row groups of 7 rows that
        // split ratings): the by-key reading, adjacent and scattered.
        for frame in [df, scattered_df] {
            let (_dir, files) = Source::parquet_for_test(frame, 7);
            assert!(same(&a, &reaction_tables(&files, &courses, &classes, &ctx).unwrap()));
        }
        let (_dir, files) = Source::parquet_for_test(&incomplete, 7);
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
        let ctx = Ctx::new(&settings, "2025");
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
        let ctx = Ctx::new(&settings, "2025");
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
}
