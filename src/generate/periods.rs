//! The year-by-year part of `_truth.json` for a set of several years (`--years`).
//!
//! In: the [`Plan`] with its [`Periods`] (promotions, who is lost, each year's classes),
//! the [`Design`] (the year-over-year changes), and the statistics and counts the
//! writers kept per year. Out: one [`YearTruth`] per year (what was planted, counted and
//! realised) and the [`Careers`] of the cadres. Guarantees: every count is of the rows
//! as written (clean rows); nothing here draws a random number, so the files do not
//! depend on it.

use std::collections::BTreeMap;

use super::domain::{Method, CATEGORIES};
use super::plan::{Periods, Plan};
use super::truth::{Careers, Counts, ExampleChange, Observed, YearCounts, YearPlanted, YearTruth};
use super::Design;

/// Example cadres listed in `careers`.
const EXAMPLES: usize = 5;

/// Topics of class `k` as a bit set (`TOPICS` has fewer than 128 entries).
fn topics(plan: &Plan, k: usize) -> u128 {
    plan.courses[plan.classes[k].courses.clone()].iter().fold(0u128, |acc, c| acc | (1u128 << (c.topic % 128)))
}

/// What each year planted, counted and realised.
pub fn year_truths(
    plan: &Plan,
    periods: &Periods,
    design: &Design,
    observed: &[Observed],
    counts: &[Counts],
) -> Vec<YearTruth> {
    let first = periods.first;
    let n_years = periods.year_classes.len();
    let mut yc: Vec<YearCounts> = (0..n_years)
        .map(|y| {
            let r = &periods.year_classes[y];
            YearCounts {
                classes: r.len(),
                courses: plan.classes[r.clone()].iter().map(|c| c.courses.len()).sum(),
                enrollments: counts[y].enrollments,
                leave_over_limit: counts[y].leave_over_limit,
                not_completed: counts[y].not_completed,
                ..YearCounts::default()
            }
        })
        .collect();
    for (i, &lost) in periods.lost_from.iter().enumerate() {
        if let Some(c) = year_index(lost, first, n_years).map(|y| &mut yc[y]) {
            c.lost += 1;
        }
        let mut seen = 0u128;
        let mut last_year: Option<i32> = None;
        let mut in_year = 0usize;
        let mut repeated_in_year = false;
        let classes = plan.classes_of(i);
        for (n, &k) in classes.iter().enumerate() {
            let y = plan.class_year(k as usize);
            let t = topics(plan, k as usize);
            if last_year != Some(y) {
                in_year = 0;
                repeated_in_year = false;
            }
            let Some(c) = year_index(y, first, n_years).map(|yi| &mut yc[yi]) else { continue };
            in_year += 1;
            if in_year == 1 {
                c.trained_cadres += 1;
                if n == 0 {
                    c.first_trained += 1;
                }
            }
            if in_year == 2 {
                c.repeaters += 1;
            }
            if seen & t != 0 && !repeated_in_year {
                c.repeated_topic_cadres += 1;
                repeated_in_year = true;
            }
            seen |= t;
            last_year = Some(y);
        }
    }
    for ch in &periods.changes {
        if let Some(c) = year_index(ch.year, first, n_years).map(|y| &mut yc[y]) {
            c.promotions += 1;
            c.category_changes += usize::from(ch.from_category != ch.to_category);
        }
    }
    let base_rating = design.rating_base(first);
    yc.into_iter()
        .enumerate()
        .map(|(yi, counts)| {
            let year = first + yi as i32;
            let base_gain = design.base_gain(year);
            let rating_base = design.rating_base(year);
            YearTruth {
                year,
                planted: YearPlanted {
                    base_gain,
                    method_gain: Method::ALL
                        .iter()
                        .map(|&m| (m.code().to_string(), base_gain + design.method_effect(m)))
                        .collect::<BTreeMap<_, _>>(),
                    rating_base,
                    course_rating_total_shift: 5.0 * (rating_base - base_rating),
                    transfer_effect: design.transfer_effect(year),
                },
                counts,
                observed: observed.get(yi).cloned().unwrap_or_default(),
            }
        })
        .collect()
}

/// Index of `year` among the set's years.
fn year_index(year: i32, first: i32, n_years: usize) -> Option<usize> {
    usize::try_from(i64::from(year) - i64::from(first)).ok().filter(|&y| y < n_years)
}

/// The careers of the set's cadres, with a few example ids.
pub fn careers(plan: &Plan, periods: &Periods) -> Careers {
    let n_years = periods.year_classes.len();
    let mut promoted = vec![0u8; plan.cadres.len()];
    for ch in &periods.changes {
        let p = &mut promoted[ch.cadre as usize];
        *p |= 1;
        if ch.from_category != ch.to_category {
            *p |= 2;
        }
    }
    let mut out = Careers {
        never_trained: 0,
        promoted_cadres: promoted.iter().filter(|&&p| p != 0).count(),
        category_changed_cadres: promoted.iter().filter(|&&p| p & 2 != 0).count(),
        repeated_topic_across_years: 0,
        leaders_without_off_job_class: 0,
        examples_promoted_with_repeated_topic: Vec::new(),
        examples_trained_every_year: Vec::new(),
        example_changes: Vec::new(),
    };
    for (i, &promotions) in promoted.iter().enumerate() {
        let classes = plan.classes_of(i);
        out.never_trained += usize::from(classes.is_empty());
        // Topics by year: a topic met in an earlier year again.
        let mut before = 0u128;
        let mut this_year = 0u128;
        let mut year: Option<i32> = None;
        let mut repeated = false;
        let mut years_trained = 0usize;
        for &k in classes {
            let y = plan.class_year(k as usize);
            if year != Some(y) {
                before |= this_year;
                this_year = 0;
                years_trained += 1;
                year = Some(y);
            }
            let t = topics(plan, k as usize);
            repeated |= before & t != 0;
            this_year |= t;
        }
        out.repeated_topic_across_years += usize::from(repeated);
        let c = &plan.cadres[i];
        let leader = c.category <= 1;
        let off_job = classes.iter().any(|&k| plan.classes[k as usize].method != Method::Online);
        out.leaders_without_off_job_class += usize::from(leader && !off_job);
        if repeated && promotions & 2 != 0 && out.examples_promoted_with_repeated_topic.len() < EXAMPLES {
            out.examples_promoted_with_repeated_topic.push(Plan::cadre_id(i));
        }
        if years_trained == n_years && out.examples_trained_every_year.len() < EXAMPLES {
            out.examples_trained_every_year.push(Plan::cadre_id(i));
        }
    }
    let code = |c: u8| CATEGORIES[usize::from(c)].code.to_string();
    let rank = |c: u8, r: u8| CATEGORIES[usize::from(c)].ranks[usize::from(r)].0.to_string();
    for ch in &periods.changes {
        let id = Plan::cadre_id(ch.cadre as usize);
        if out.examples_promoted_with_repeated_topic.contains(&id) {
            out.example_changes.push(ExampleChange {
                cadre_id: id,
                date: super::dates::iso_date(ch.day),
                from_category: code(ch.from_category),
                to_category: code(ch.to_category),
                from_rank: rank(ch.from_category, ch.from_rank),
                to_rank: rank(ch.to_category, ch.to_rank),
            });
        }
    }
    out
}
