//! Trends over the years the warehouse holds: reaction, learning and transfer by year
//! with intervals clustered by class, the change from one year held to the next, and
//! the courses that recur across years as series.
//!
//! In: `trainee_outcomes` (year, class_id and the per-trainee reaction, gain and
//! review_delta); for the series, the `reaction_by_course` frame of this run with
//! `courses` (title, teacher) and `classes` (start year).
//! Out: `trends` and `course_series`.
//!
//! Definition ([`year_rows`], per metric):
//! - a year's row pools the trainees of the classes starting that year that have the
//!   metric: n, n_classes, mean, and the `1 − alpha` interval of the mean clustered by
//!   class (CR2, Satterthwaite df) — trainees of one class share a teacher, a time and
//!   a cohort, so they are not independent, and neither are their years' means;
//! - the change is this year's mean minus the previous year held (`previous_year`; a
//!   gap of years is shown, not filled), tested as the difference of the two years'
//!   trainees with the CR2 covariance clustered by class (classes are nested in
//!   years, so the two means are independent);
//! - metrics: `reaction` (a trainee's mean course-rating total), `learning_gain`
//!   (post − pre of the outcome scale) and `review_change` (the trainee's review after
//!   the class minus the one before: a change, not an effect — it has no comparison
//!   group; the transfer tables give the difference against untrained peers).
//!
//! Course series ([`series_key`]): a course recurs when its course_id is taught in
//! two or more years, else when its title and teacher are; each series lists its
//! courses' published `reaction_by_course` figures by year, in year order.
//!
//! Disclosure: a (metric, year) row describing fewer than min_cell trainees is
//! withheld; so is a year whose classes under min_cell (withheld in the per-class
//! tables) hold together fewer than min_cell trainees, since the year total minus the
//! published classes would give them back; and so is every change that involves a
//! withheld year (a published change and one published year would give the other year
//! back). The year rows of a metric are not summed into any published total across
//! years. Series rows copy the status of the
//! `reaction_by_course` row they repeat.

use std::collections::{BTreeMap, BTreeSet};

use polars::prelude::*;

use super::engine::{f64s, optional_i64s, serr, strs, Out};
use super::suppress::{suppress, Disclosure, Suppression};
use super::Params;
use crate::error::IndicatorError;
use crate::schema::col;
use crate::stats::{self, StatsError};

/// The metrics of `trends` and the `trainee_outcomes` column each reads.
pub const METRICS: [(&str, &str); 3] =
    [("reaction", col::REACTION), ("learning_gain", col::GAIN), ("review_change", col::REVIEW_DELTA)];

/// One year of one metric.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct YearRow {
    pub year: i64,
    pub previous_year: Option<i64>,
    pub n: usize,
    pub n_classes: usize,
    pub mean: Option<f64>,
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
    pub change: Option<f64>,
    pub change_ci_low: Option<f64>,
    pub change_ci_high: Option<f64>,
    pub change_p: Option<f64>,
}

/// The years of one metric: `values[i]` of a trainee in the class numbered `class[i]`
/// starting in `year[i]`; one row per year that has a value, in year order.
pub fn year_rows(values: &[f64], year: &[i64], class: &[usize], alpha: f64) -> Result<Vec<YearRow>, StatsError> {
    let mut by_year: BTreeMap<i64, Vec<usize>> = BTreeMap::new();
    for (i, v) in values.iter().enumerate() {
        if v.is_finite() {
            by_year.entry(year[i]).or_default().push(i);
        }
    }
    let pick = |rows: &[usize], of: &dyn Fn(usize) -> f64| rows.iter().map(|&i| of(i)).collect::<Vec<f64>>();
    let mut out: Vec<YearRow> = Vec::with_capacity(by_year.len());
    let mut previous: Option<(i64, &Vec<usize>)> = None;
    for (&y, rows) in &by_year {
        let v = pick(rows, &|i| values[i]);
        let c: Vec<usize> = rows.iter().map(|&i| class[i]).collect();
        let m = stats::clustered_mean(&v, &c, alpha)?;
        let mut row = YearRow {
            year: y,
            n: m.n,
            n_classes: m.n_clusters,
            mean: m.mean,
            ci_low: m.test.map(|t| t.ci_low),
            ci_high: m.test.map(|t| t.ci_high),
            ..YearRow::default()
        };
        if let Some((py, prows)) = previous {
            let both: Vec<usize> = rows.iter().chain(prows.iter()).copied().collect();
            let v = pick(&both, &|i| values[i]);
            let treated: Vec<bool> = both.iter().map(|&i| year[i] == y).collect();
            let c: Vec<usize> = both.iter().map(|&i| class[i]).collect();
            let d = stats::clustered_diff(&v, &treated, &c, alpha)?;
            row.previous_year = Some(py);
            row.change = d.mean_treated.zip(d.mean_control).map(|(a, b)| a - b);
            row.change_ci_low = d.test.map(|t| t.ci_low);
            row.change_ci_high = d.test.map(|t| t.ci_high);
            row.change_p = d.test.map(|t| t.p);
        }
        previous = Some((y, rows));
        out.push(row);
    }
    Ok(out)
}

/// `trends`: per metric (in [`METRICS`] order), one row per year held.
pub fn trends(outcomes: &DataFrame, ctx: &Params) -> Result<DataFrame, IndicatorError> {
    const T: &str = "trends";
    let fallback = ctx.period.trim().parse::<i64>().unwrap_or(0);
    let year: Vec<i64> = optional_i64s(outcomes, col::YEAR, T)?.into_iter().map(|y| y.unwrap_or(fallback)).collect();
    let o_class = strs(outcomes, col::CLASS_ID, T)?;
    let mut number: BTreeMap<&str, usize> = BTreeMap::new();
    let class: Vec<usize> = o_class
        .iter()
        .map(|c| {
            // Rows without a class form one cluster of their own.
            let key = c.unwrap_or("");
            let next = number.len();
            *number.entry(key).or_insert(next)
        })
        .collect();
    let mut rows: Vec<(&str, YearRow)> = Vec::new();
    let mut small: Vec<usize> = Vec::new();
    for (metric, column) in METRICS {
        let values: Vec<f64> = f64s(outcomes, column, T)?.into_iter().map(|v| v.unwrap_or(f64::NAN)).collect();
        let found = year_rows(&values, &year, &class, ctx.alpha).map_err(serr(T))?;
        let withheld = withheld_classes(&values, &year, &class, ctx.min_cell);
        small.extend(found.iter().map(|r| withheld.get(&r.year).copied().unwrap_or(0)));
        rows.extend(found.into_iter().map(|r| (metric, r)));
    }
    let mut d = Disclosure::new(ctx.min_cell);
    d.cells(&rows.iter().map(|(_, r)| Some(r.n as i64)).collect::<Vec<_>>());
    let mut status = d.protect();
    // A year row is the total of its classes' rows, which the per-class tables publish
    // with their classes under min_cell withheld: published, it would give those classes
    // back by subtraction unless they are together at least min_cell people.
    for (s, &k) in status.iter_mut().zip(&small) {
        if s.is_none() && k > 0 && k < ctx.min_cell {
            *s = Some(Suppression::Secondary);
        }
    }
    // A change involving a withheld year is withheld with it.
    let withheld: BTreeSet<(&str, i64)> =
        rows.iter().zip(&status).filter(|(_, s)| s.is_some()).map(|((m, r), _)| (*m, r.year)).collect();
    let change_hidden: Vec<bool> = rows
        .iter()
        .map(|(m, r)| withheld.contains(&(*m, r.year)) || r.previous_year.is_some_and(|p| withheld.contains(&(*m, p))))
        .collect();
    let change = |f: fn(&YearRow) -> Option<f64>| {
        rows.iter().zip(&change_hidden).map(move |((_, r), hide)| if *hide { None } else { f(r) })
    };
    let df = Out::new(rows.len())
        .str(col::METRIC, rows.iter().map(|(m, _)| Some(*m)))
        .int(col::YEAR, rows.iter().map(|(_, r)| Some(r.year)))
        .int(col::PREVIOUS_YEAR, rows.iter().map(|(_, r)| r.previous_year))
        .int(col::N, rows.iter().map(|(_, r)| Some(r.n as i64)))
        .int(col::N_CLASSES, rows.iter().map(|(_, r)| Some(r.n_classes as i64)))
        .f64(col::MEAN, rows.iter().map(|(_, r)| r.mean))
        .f64(col::CI_LOW, rows.iter().map(|(_, r)| r.ci_low))
        .f64(col::CI_HIGH, rows.iter().map(|(_, r)| r.ci_high))
        .f64(col::CHANGE, change(|r| r.change))
        .f64(col::CHANGE_CI_LOW, change(|r| r.change_ci_low))
        .f64(col::CHANGE_CI_HIGH, change(|r| r.change_ci_high))
        .f64(col::CHANGE_P, change(|r| r.change_p))
        .finish(T)?;
    suppress(df, &status, &[col::METRIC, col::YEAR, col::PREVIOUS_YEAR], T)
}

/// Per year: the trainees with a value in the classes that have fewer than `min_cell`
/// of them (the classes the per-class tables withhold).
pub fn withheld_classes(values: &[f64], year: &[i64], class: &[usize], min_cell: usize) -> BTreeMap<i64, usize> {
    let mut per_class: BTreeMap<(i64, usize), usize> = BTreeMap::new();
    for (i, v) in values.iter().enumerate() {
        if v.is_finite() {
            *per_class.entry((year[i], class[i])).or_default() += 1;
        }
    }
    let mut out: BTreeMap<i64, usize> = BTreeMap::new();
    for ((y, _), n) in per_class {
        if n < min_cell {
            *out.entry(y).or_default() += n;
        }
    }
    out
}

/// The series a course belongs to: its course_id when that id is taught in two or
/// more years, else its title and teacher (`None` without a title).
pub fn series_key(
    course_id: &str,
    title: Option<&str>,
    teacher: Option<&str>,
    years_of_id: &BTreeSet<i64>,
) -> Option<String> {
    if years_of_id.len() >= 2 {
        return Some(format!("id:{course_id}"));
    }
    let title = title.map(str::trim).filter(|t| !t.is_empty())?;
    Some(format!("title:{title}|{}", teacher.unwrap_or("")))
}

/// A course of a series: year, class_id, course_id and its row of `reaction_by_course`.
type SeriesMember<'a> = (i64, &'a str, &'a str, usize);

/// `course_series`: the `reaction_by_course` rows of every course that recurs in two
/// or more years, grouped by series, in (series, year, class_id, course_id) order.
pub fn course_series(
    by_course: &DataFrame,
    courses: &DataFrame,
    classes: &DataFrame,
) -> Result<DataFrame, IndicatorError> {
    const T: &str = "course_series";
    let (cl_id, cl_start) = (strs(classes, col::CLASS_ID, T)?, super::engine::days(classes, col::START_DATE, T)?);
    let year_of_class: BTreeMap<&str, i64> = cl_id
        .iter()
        .zip(&cl_start)
        .filter_map(|(c, d)| Some(((*c)?, i64::from(crate::schema::year_of_day((*d)?)))))
        .collect();
    let (co_id, co_class, co_title) =
        (strs(courses, col::COURSE_ID, T)?, strs(courses, col::CLASS_ID, T)?, strs(courses, col::TITLE, T)?);
    let title_of: BTreeMap<(&str, &str), &str> =
        (0..courses.height()).filter_map(|i| Some(((co_class[i]?, co_id[i]?), co_title[i]?))).collect();

    let (b_class, b_course, b_teacher) =
        (strs(by_course, col::CLASS_ID, T)?, strs(by_course, col::COURSE_ID, T)?, strs(by_course, col::TEACHER_ID, T)?);
    let mut years_of_id: BTreeMap<&str, BTreeSet<i64>> = BTreeMap::new();
    for i in 0..by_course.height() {
        if let (Some(c), Some(k)) = (b_class[i], b_course[i]) {
            if let Some(y) = year_of_class.get(c) {
                years_of_id.entry(k).or_default().insert(*y);
            }
        }
    }
    let empty = BTreeSet::new();
    // series → its (year, class, course, row of by_course).
    let mut members: BTreeMap<String, Vec<SeriesMember<'_>>> = BTreeMap::new();
    for i in 0..by_course.height() {
        let (Some(c), Some(k)) = (b_class[i], b_course[i]) else { continue };
        let Some(&y) = year_of_class.get(c) else { continue };
        let title = title_of.get(&(c, k)).copied();
        let Some(key) = series_key(k, title, b_teacher[i], years_of_id.get(k).unwrap_or(&empty)) else { continue };
        members.entry(key).or_default().push((y, c, k, i));
    }
    let rows: Vec<(String, SeriesMember<'_>)> = members
        .into_iter()
        .filter(|(_, m)| m.iter().map(|r| r.0).collect::<BTreeSet<_>>().len() >= 2)
        .flat_map(|(key, mut m)| {
            m.sort_unstable();
            m.into_iter().map(move |r| (key.clone(), r))
        })
        .collect();
    let idx: Vec<IdxSize> = rows.iter().map(|(_, r)| r.3 as IdxSize).collect();
    let picked = by_course.take(&IdxCa::from_vec("idx".into(), idx)).map_err(super::engine::perr(T))?;
    let status: Vec<Option<Suppression>> =
        strs(&picked, col::SUPPRESSION, T)?.into_iter().map(|s| s.and_then(Suppression::parse)).collect();
    let pick = |name: &str| -> Result<Vec<Option<f64>>, IndicatorError> { f64s(&picked, name, T) };
    let (n, mean, lo, hi) = (pick(col::N_RATERS)?, pick(col::TOTAL_MEAN)?, pick(col::CI_LOW)?, pick(col::CI_HIGH)?);
    let df = Out::new(rows.len())
        .str(col::SERIES, rows.iter().map(|(k, _)| Some(k.as_str())))
        .int(col::YEAR, rows.iter().map(|(_, r)| Some(r.0)))
        .str(col::CLASS_ID, rows.iter().map(|(_, r)| Some(r.1)))
        .str(col::COURSE_ID, rows.iter().map(|(_, r)| Some(r.2)))
        .str(col::TITLE, rows.iter().map(|(_, r)| title_of.get(&(r.1, r.2)).copied()))
        .str(col::TEACHER_ID, rows.iter().map(|(_, r)| b_teacher[r.3]))
        .int(col::N_RATERS, n.iter().map(|v| v.map(|x| x as i64)))
        .f64(col::TOTAL_MEAN, mean)
        .f64(col::CI_LOW, lo)
        .f64(col::CI_HIGH, hi)
        .finish(T)?;
    suppress(df, &status, &[col::SERIES, col::YEAR, col::CLASS_ID, col::COURSE_ID, col::TITLE, col::TEACHER_ID], T)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn year_rows_cluster_by_class_and_difference_consecutive_years() {
        // 2023: classes 0, 1; 2025: classes 2, 3 (2024 missing: the change spans the gap).
        let values = [50.0, 52.0, 54.0, 60.0, 61.0, 65.0, 55.0, 57.0, 70.0, 72.0, f64::NAN];
        let year = [2023, 2023, 2023, 2023, 2023, 2023, 2025, 2025, 2025, 2025, 2025];
        let class = [0, 0, 0, 1, 1, 1, 2, 2, 3, 3, 3];
        let r = year_rows(&values, &year, &class, 0.05).unwrap();
        assert_eq!(r.len(), 2);
        assert_eq!((r[0].year, r[0].previous_year, r[0].n, r[0].n_classes), (2023, None, 6, 2));
        assert_eq!((r[1].year, r[1].previous_year, r[1].n, r[1].n_classes), (2025, Some(2023), 4, 2));
        let m23 = (50.0 + 52.0 + 54.0 + 60.0 + 61.0 + 65.0) / 6.0;
        let m25 = (55.0 + 57.0 + 70.0 + 72.0) / 4.0;
        assert!((r[0].mean.unwrap() - m23).abs() < 1e-12);
        assert!((r[1].change.unwrap() - (m25 - m23)).abs() < 1e-12);
        // Clustered: wider than the t interval that treats the 6 trainees as independent.
        let plain = stats::describe(&values[..6], 0.05).unwrap();
        assert!(r[0].ci_low.unwrap() < plain.ci_low.unwrap());
        assert!(r[1].change_p.is_some_and(|p| (0.0..=1.0).contains(&p)));
        // One class a year: no interval, no test of the change.
        let r = year_rows(&[1.0, 2.0, 3.0, 4.0], &[2024, 2024, 2025, 2025], &[0, 0, 1, 1], 0.05).unwrap();
        assert_eq!((r[0].ci_low, r[1].change_p), (None, None));
        assert_eq!(r[1].change, Some(2.0));
        // Nothing: no rows.
        assert!(year_rows(&[f64::NAN], &[2025], &[0], 0.05).unwrap().is_empty());
    }

    #[test]
    fn a_year_hiding_one_small_class_is_withheld() {
        use crate::config::{IndicatorSettings, PipelineFile};
        // 2024: classes A (6) and B (3): B is withheld in the per-class tables, so the
        // 2024 total would give it back; 2025: C (6) and D (6).
        let class =
            ["A", "A", "A", "A", "A", "A", "B", "B", "B", "C", "C", "C", "C", "C", "C", "D", "D", "D", "D", "D", "D"];
        let year: Vec<i64> = (0..21).map(|i| if i < 9 { 2024 } else { 2025 }).collect();
        let gain: Vec<f64> = (0..21).map(|i| 5.0 + (i % 4) as f64).collect();
        let outcomes = df!(
            "class_id" => class.to_vec(),
            "year" => year,
            "gain" => gain.clone(),
            "reaction" => gain.clone(),
            "review_delta" => gain
        )
        .unwrap();
        let settings = PipelineFile { indicators: IndicatorSettings::default(), ..Default::default() };
        let t = trends(&outcomes, &Params::new(&settings, "2025")).unwrap();
        let kind: Vec<Option<&str>> = t.column("suppression").unwrap().str().unwrap().iter().collect();
        let years: Vec<Option<i64>> = t.column("year").unwrap().i64().unwrap().iter().collect();
        let change: Vec<Option<f64>> = t.column("change").unwrap().f64().unwrap().iter().collect();
        for i in 0..t.height() {
            if years[i] == Some(2024) {
                assert_eq!(kind[i], Some("secondary"));
            } else {
                assert_eq!(kind[i], None);
                assert_eq!(change[i], None, "the change from a withheld year is withheld");
            }
        }
        assert_eq!(
            withheld_classes(&[1.0, 2.0, f64::NAN], &[2024, 2024, 2024], &[0, 1, 1], 5),
            BTreeMap::from([(2024, 2)])
        );
    }

    #[test]
    fn a_course_recurs_by_id_else_by_title_and_teacher() {
        let two: BTreeSet<i64> = [2024, 2025].into();
        let one: BTreeSet<i64> = [2025].into();
        assert_eq!(series_key("K1", Some("党史"), Some("T1"), &two).as_deref(), Some("id:K1"));
        assert_eq!(series_key("K1", Some(" 党史 "), Some("T1"), &one).as_deref(), Some("title:党史|T1"));
        assert_eq!(series_key("K1", None, Some("T1"), &one), None);
    }
}
