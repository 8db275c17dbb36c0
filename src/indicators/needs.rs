//! Needs match: topics asked for in the needs survey against topics taught.
//!
//! In: `survey_choices` (one chosen option per row), `courses` (topic per course),
//! `classes`.
//! Out: `needs_match` per class (SPEC App. B) and `needs_by_category` per target
//! category.
//! Conventions: respondents = trainees of the class with at least one choice in the
//! `needs` wave; topics_requested = distinct topics they chose; topics_taught =
//! distinct topics of the class's courses; coverage = share of the requested topics
//! that are taught; unmet_topics = requested but not taught, sorted, joined by `┋`.
//! Every class gets a row. By category, requests are (class, topic) pairs, so
//! coverage is the share of the classes' requests met in the class that asked.

use std::collections::{BTreeMap, BTreeSet};

use polars::prelude::*;

use super::engine::{self as frame, perr, strs, Out};
use super::suppress::{suppress, Disclosure};
use super::Params;
use crate::error::IndicatorError;
use crate::schema::{col, Wave};

/// Separator of multiple choices (as survey platforms export them).
pub const TOPIC_SEPARATOR: &str = "┋";

#[derive(Default)]
struct ClassNeeds<'a> {
    respondents: BTreeSet<&'a str>,
    requested: BTreeSet<&'a str>,
    taught: BTreeSet<&'a str>,
}

impl ClassNeeds<'_> {
    fn met(&self) -> usize {
        self.requested.intersection(&self.taught).count()
    }
    fn unmet(&self) -> Vec<&str> {
        self.requested.difference(&self.taught).copied().collect()
    }
}

/// The two needs tables.
pub struct NeedsTables {
    pub by_class: DataFrame,
    pub by_category: DataFrame,
}

pub fn needs_match(
    choices: &DataFrame,
    courses: &DataFrame,
    classes: &DataFrame,
    ctx: &Params,
) -> Result<NeedsTables, IndicatorError> {
    const T: &str = "needs_match";
    let (cl, target) = (strs(classes, col::CLASS_ID, T)?, strs(classes, col::TARGET_CATEGORY, T)?);
    let mut by_class: BTreeMap<&str, (Option<&str>, ClassNeeds)> =
        (0..classes.height()).filter_map(|i| Some((cl[i]?, (target[i], ClassNeeds::default())))).collect();
    // The answers are read in place, row by row: materialised as vectors, the four
    // columns would be copied whole into fresh memory.
    let text = |name: &str| frame::column(choices, name, T)?.str().map_err(perr(T));
    let (s_class, s_cadre, s_wave, s_choice) =
        (text(col::CLASS_ID)?, text(col::CADRE_ID)?, text(col::WAVE)?, text(col::CHOICE)?);
    let needs = Wave::Needs.as_str();
    // A class's choices, and a respondent's, arrive in runs: the class is looked up
    // once per run and a respondent inserted once per run.
    let mut run: Option<(&str, Option<&mut ClassNeeds>)> = None;
    let mut last_who: Option<&str> = None;
    let rows = s_class.iter().zip(s_cadre.iter()).zip(s_wave.iter()).zip(s_choice.iter());
    for (((c, who), wave), topic) in rows {
        let (Some(c), Some(who), Some(topic)) = (c, who, topic) else { continue };
        if wave != Some(needs) || topic.trim().is_empty() {
            continue;
        }
        if run.as_ref().is_none_or(|(rc, _)| *rc != c) {
            run = Some((c, by_class.get_mut(c).map(|(_, n)| n)));
            last_who = None;
        }
        if let Some((_, Some(n))) = run.as_mut() {
            if last_who != Some(who) {
                n.respondents.insert(who);
                last_who = Some(who);
            }
            n.requested.insert(topic);
        }
    }
    let (k_class, k_topic) = (strs(courses, col::CLASS_ID, T)?, strs(courses, col::TOPIC, T)?);
    for i in 0..courses.height() {
        if let (Some(c), Some(topic)) = (k_class[i], k_topic[i]) {
            if let Some((_, n)) = by_class.get_mut(c) {
                if !topic.trim().is_empty() {
                    n.taught.insert(topic);
                }
            }
        }
    }
    let rows: Vec<(&str, &ClassNeeds)> = by_class.iter().map(|(k, v)| (*k, &v.1)).collect();
    let n: Vec<Option<i64>> = rows.iter().map(|r| Some(r.1.respondents.len() as i64)).collect();
    let df = Out::new(rows.len())
        .str(col::CLASS_ID, rows.iter().map(|r| Some(r.0)))
        .int(col::N_RESPONDENTS, n.clone())
        .int(col::TOPICS_REQUESTED, rows.iter().map(|r| Some(r.1.requested.len() as i64)))
        .int(col::TOPICS_TAUGHT, rows.iter().map(|r| Some(r.1.taught.len() as i64)))
        .f64(
            col::COVERAGE,
            rows.iter().map(|r| (!r.1.requested.is_empty()).then(|| r.1.met() as f64 / r.1.requested.len() as f64)),
        )
        .str(
            col::UNMET_TOPICS,
            rows.iter().map(|r| (!r.1.requested.is_empty()).then(|| r.1.unmet().join(TOPIC_SEPARATOR))),
        )
        .finish(T)?;
    let class_counts = n;
    let class_frame = df;

    const C: &str = "needs_by_category";
    #[derive(Default)]
    struct Cat<'a> {
        respondents: usize,
        requested: usize,
        met: usize,
        taught: BTreeSet<&'a str>,
        unmet: BTreeSet<&'a str>,
    }
    let mut cats: BTreeMap<&str, Cat> = BTreeMap::new();
    for (t, n) in by_class.values() {
        let Some(t) = t.filter(|t| !t.is_empty()) else { continue };
        let c = cats.entry(t).or_default();
        c.respondents += n.respondents.len();
        c.requested += n.requested.len();
        c.met += n.met();
        c.taught.extend(n.taught.iter().copied());
        c.unmet.extend(n.unmet());
    }
    let rows: Vec<(&str, &Cat)> = cats.iter().map(|(k, v)| (*k, v)).collect();
    let n: Vec<Option<i64>> = rows.iter().map(|r| Some(r.1.respondents as i64)).collect();
    let df = Out::new(rows.len())
        .str(col::TARGET_CATEGORY, rows.iter().map(|r| Some(r.0)))
        .int(col::N_RESPONDENTS, n.clone())
        .int(col::TOPICS_REQUESTED, rows.iter().map(|r| Some(r.1.requested as i64)))
        .int(col::TOPICS_TAUGHT, rows.iter().map(|r| Some(r.1.taught.len() as i64)))
        .f64(col::COVERAGE, rows.iter().map(|r| (r.1.requested > 0).then(|| r.1.met as f64 / r.1.requested as f64)))
        .str(
            col::UNMET_TOPICS,
            rows.iter().map(|r| {
                (r.1.requested > 0).then(|| r.1.unmet.iter().copied().collect::<Vec<_>>().join(TOPIC_SEPARATOR))
            }),
        )
        .finish(C)?;
    // Each category row pools its classes: a margin of the class rows.
    let mut d = Disclosure::new(ctx.min_cell);
    let first_class = d.cells(&class_counts);
    let first_cat = d.cells(&n);
    let place: BTreeMap<&str, usize> = rows.iter().enumerate().map(|(k, r)| (r.0, first_cat + k)).collect();
    let mut members = vec![Vec::new(); rows.len()];
    for (k, (t, _)) in by_class.values().enumerate() {
        if let Some(&cell) = t.and_then(|t| place.get(t)) {
            members[cell - first_cat].push(first_class + k);
        }
    }
    for (k, m) in members.into_iter().enumerate() {
        d.margin(first_cat + k, m);
    }
    let status = d.protect();
    let (class_status, cat_status) = status.split_at(first_cat);
    let class_df = suppress(class_frame, class_status, &[col::CLASS_ID], T)?;
    let cat_df = suppress(df, cat_status, &[col::TARGET_CATEGORY], C)?;
    Ok(NeedsTables { by_class: class_df, by_category: cat_df })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::PipelineFile;

    #[test]
    fn coverage_and_sorted_unmet_topics() {
        let choices = df!(
            "class_id" => ["A", "A", "A", "A", "B"],
            "cadre_id" => ["x", "x", "y", "y", "z"],
            "wave" => ["needs", "needs", "needs", "post", "needs"],
            "choice" => ["乙", "甲", "丙", "丁", "甲"]
        )
        .unwrap();
        let courses = df!("class_id" => ["A", "A", "B"], "topic" => ["甲", "戊", "甲"]).unwrap();
        let classes = df!("class_id" => ["A", "B", "C"], "target_category" => ["women", "women", "women"]).unwrap();
        let settings = PipelineFile {
            indicators: crate::config::IndicatorSettings { min_cell: 1, ..Default::default() },
            ..Default::default()
        };
        let t = needs_match(&choices, &courses, &classes, &Params::new(&settings, "2025")).unwrap();
        let d = &t.by_class;
        assert_eq!(d.height(), 3, "every class");
        let cov: Vec<Option<f64>> = d.column("coverage").unwrap().f64().unwrap().iter().collect();
        // A asked 甲 乙 丙 (丁 was a post answer) and teaches 甲 戊.
        assert_eq!(cov, vec![Some(1.0 / 3.0), Some(1.0), None]);
        let unmet: Vec<Option<&str>> = d.column("unmet_topics").unwrap().str().unwrap().iter().collect();
        assert_eq!(unmet[0], Some("丙┋乙"));
        let c = &t.by_category;
        let cov: Vec<Option<f64>> = c.column("coverage").unwrap().f64().unwrap().iter().collect();
        assert_eq!(cov, vec![Some(2.0 / 4.0)]);
    }
}
