//! The reaction family's fast path: `course_ratings` (≈ 2·10⁷ rows at 10⁶ cadres)
//! streamed into every class's complete ratings.
//!
//! In: the long table ([`LongTable`]), the configured indicators in column order, and
//! the rule that makes a rating of one (course, rater) out of its indicators' scores
//! (`reaction::course_rating`, passed in so that the rule lives with its family). Out:
//! [`Ratings`] — per class, one row per (course, rater) whose rating the rule accepts,
//! sorted by (course_id, rater_id), with its total, and each indicator's mean per
//! course over those ratings.
//!
//! Guarantees: a repeated (course, rater, indicator) keeps its largest score, as
//! `reaction::keep_max` says; rows of one rating need not be adjacent, nor the rows of
//! one class. `reaction`'s property test checks that these ratings are the ones its
//! plain definition gives, on random tables read both as a frame and as Parquet.

use std::ops::Range;

use polars_arrow::array::PrimitiveArray;

use super::columnar::{Chunk, Dict, Interner, LongTable, Scoped, StrCol, ValueId, ViewMemo};
use super::keys::Groups;
use crate::error::IndicatorError;
use crate::schema::col;
use crate::stats;

/// One class's complete ratings: one row per (course, rater) whose rating the rule
/// accepts, sorted by (course_id, rater_id); ids are numbered within the class in byte
/// order of their strings ([`Dict`]), so sorting by them is sorting by the strings.
/// Only the totals are kept per rating; each indicator's mean per course is taken when
/// the class is built, so the scores of the whole table are never held.
#[derive(Default)]
pub(in crate::indicators) struct ClassRatings {
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

    /// The complete ratings as columns: course, rater (numbered within the class in
    /// byte order of their ids) and total, sorted by (course, rater).
    pub(in crate::indicators) fn rows(&self) -> (&[u32], &[u32], &[f64]) {
        (&self.course, &self.rater, &self.total)
    }
}

/// Complete ratings of every class, by class number (byte order of class ids).
pub(in crate::indicators) struct Ratings {
    classes: Dict,
    /// The courses of each class (by class number), numbered within the class.
    courses: Vec<Dict>,
    /// The raters of each class, kept for the tests that read the ratings back by name.
    #[cfg(test)]
    raters: Vec<Dict>,
    parts: Vec<ClassRatings>,
    /// What a class without complete ratings has.
    none: ClassRatings,
}

impl Ratings {
    /// The ratings of class `id` (none when it has no complete rating).
    pub(in crate::indicators) fn class(&self, id: Option<&str>) -> &ClassRatings {
        id.and_then(|c| self.classes.get(c)).map_or(&self.none, |a| &self.parts[a as usize])
    }

    /// Course `course` of class `class`: the totals of its complete ratings (in rater_id
    /// order) and each of the `k` indicators' means over them (`None` when it has none).
    pub(in crate::indicators) fn course(
        &self,
        class: Option<&str>,
        course: Option<&str>,
        k: usize,
    ) -> (&[f64], Option<&[Option<f64>]>) {
        let a = class.and_then(|c| self.classes.get(c));
        let b = a.zip(course).and_then(|(a, c)| self.courses[a as usize].get(c));
        let part = self.class(class);
        match b {
            Some(b) => (&part.total[part.course_rows(b)], part.means_of(b, k)),
            None => (&[], None),
        }
    }

    /// Complete ratings in all.
    pub(in crate::indicators) fn len(&self) -> usize {
        self.parts.iter().map(|p| p.total.len()).sum()
    }

    /// Every complete rating as ((class, course, rater), total), in that order: what the
    /// plain definition is compared with.
    #[cfg(test)]
    pub(in crate::indicators) fn plain(&self) -> Vec<((String, String, String), f64)> {
        let mut ratings = Vec::new();
        for (a, class) in self.classes.sorted().iter().enumerate() {
            let part = &self.parts[a];
            let (courses, raters) = (self.courses[a].sorted(), self.raters[a].sorted());
            for ((&b, &c), &t) in part.course.iter().zip(&part.rater).zip(&part.total) {
                let key = (class.to_string(), courses[b as usize].to_string(), raters[c as usize].to_string());
                ratings.push((key, t));
            }
        }
        ratings
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
fn class_part(
    units: &Units,
    k: usize,
    course_rank: &[u32],
    rater_rank: &[u32],
    rating: &impl Fn(&[Option<f64>]) -> Option<f64>,
) -> ClassRatings {
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
    let mut scored: Vec<Option<f64>> = Vec::with_capacity(k);
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
        scored.clear();
        scored.extend(cells.iter().map(|&x| (!x.is_nan()).then_some(x)));
        let Some(total) = rating(&scored) else { continue };
        if part.course.last().is_some_and(|&b| b != run[0].0) {
            close_course(&mut part, &mut scores);
        }
        part.course.push(run[0].0);
        part.rater.push(run[0].1);
        for (s, &x) in scores.iter_mut().zip(&cells) {
            s.push(x);
        }
        part.total.push(total);
    }
    close_course(&mut part, &mut scores);
    part
}

/// Read `course_ratings` chunk by chunk and keep the ratings of every class that
/// `rating` accepts (given each configured indicator's score of a (course, rater), in
/// `indicators` order, `None` when unscored; it returns the rating's total). A repeated
/// indicator keeps its largest score, though `build` makes them unique; a NaN score is
/// no score.
///
/// A class's rows usually come together, so its ratings are built when the class
/// changes, from the few hundred units of that class alone: no score vector of the
/// whole table is kept (it grows with the answers, not the classes). A class whose rows resume after another class's is built again from a
/// second reading of the table that keeps only such classes' rows.
pub(in crate::indicators) fn complete_ratings<R: Fn(&[Option<f64>]) -> Option<f64> + Sync>(
    source: &LongTable,
    indicators: &[String],
    rating: &R,
) -> Result<Ratings, IndicatorError> {
    let k = indicators.len().max(1);
    let mut r = Reading::new(k, rating);
    let mut position: ViewMemo<Option<usize>> = ViewMemo::default();
    // The value identities of the last row filed: a row with the same three is the same
    // unit (the five indicator rows of a rating), found without the interners.
    let mut last: Option<[Option<ValueId>; 3]> = None;
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
            r.built[a] = Some(class_part(u, k, &r.courses.ranks(a as u32), &r.raters.ranks(a as u32), rating));
        }
    }
    let Reading { classes, courses, raters, built, .. } = r;
    let (classes, rc) = classes.finish();
    let (courses, raters) = (courses.finish(&rc), raters.finish(&rc));
    #[cfg(not(test))]
    drop(raters);
    let mut parts: Vec<ClassRatings> = (0..rc.len()).map(|_| ClassRatings::default()).collect();
    for (a, part) in built.into_iter().enumerate() {
        if let Some(part) = part {
            parts[rc[a] as usize] = part;
        }
    }
    Ok(Ratings {
        classes,
        courses: courses.into_iter().map(|(d, _)| d).collect(),
        #[cfg(test)]
        raters: raters.into_iter().map(|(d, _)| d).collect(),
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
struct Reading<'r, R> {
    k: usize,
    /// What makes a rating of a (course, rater)'s scores.
    rating: &'r R,
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

impl<'r, R: Fn(&[Option<f64>]) -> Option<f64> + Sync> Reading<'r, R> {
    fn new(k: usize, rating: &'r R) -> Self {
        Reading {
            k,
            rating,
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
                Some(class_part(&self.pending, self.k, &self.courses.ranks(a), &self.raters.ranks(a), self.rating));
            self.pending.clear();
        }
    }
}
